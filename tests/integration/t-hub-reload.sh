#!/bin/sh
# SIGHUP reloads territory, systems, users and tokens without dropping
# the listeners; a bad reload keeps the old configuration and says why.
# Restart keeps the data and the status picture.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf viewer 440304000000
hub_start
pid=$(cb_pid hub)
now=$(date +%s)
f="$HUB_DIR/body.lp"
TOKEN=$HUB_TOK_COLLECTOR

# Before: grid 440304010001008 does not exist; the unix user is a viewer.
printf 'env,grid=440304010001008 aqi=30 %s\n' "$now" >"$f"
cb_assert_eq 400 "$(hub_post '/api/v1/write?precision=s' "$f")" "unknown grid before reload"
hub_sock /api/v1/whoami >/dev/null
cb_assert_eq viewer "$(hub_json 'j["role"]')" "viewer before reload"

# Good reload: add the grid, make the unix user an operator of Fubao.
python3 - "$HUB_DIR" "$HUB_ME" <<'PY'
import json, sys
d, me = sys.argv[1], sys.argv[2]
t = json.load(open(d + "/territory.json"))
t["grids"].append({"code": "440304010001008", "parent": "440304010001", "name": "新港08"})
json.dump(t, open(d + "/territory.json", "w"), ensure_ascii=False)
u = json.load(open(d + "/users.json"))
u["users"][0]["role"] = "operator"
u["users"][0]["scope"] = "440304010000"
json.dump(u, open(d + "/users.json", "w"))
PY
kill -HUP "$pid"
i=0
while ! grep -q "reloaded:" "$CB_TMP/hub.log" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
cb_assert_contains "$(cat "$CB_TMP/hub.log")" "reloaded: " "reload logged"
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" "new grid after reload"
hub_sock /api/v1/whoami >/dev/null
cb_assert_eq operator "$(hub_json 'j["role"]')" "new role after reload"
cb_assert_eq 440304010000 "$(hub_json 'j["scope"]')" "new scope after reload"
hub_sock '/api/v1/tree?code=440304010001008' >/dev/null
cb_assert_eq True "$(hub_json 'j["node"]["status"]["age_s"] is not None')" \
	"status of the new grid"

# Bad reload: a broken territory keeps the old configuration.
cp "$HUB_DIR/territory.json" "$HUB_DIR/territory.good"
python3 - "$HUB_DIR" <<'PY'
import json, sys
d = sys.argv[1]
t = json.load(open(d + "/territory.json"))
t["grids"].append({"code": "440304010001009", "parent": "440304010099", "name": "坏"})
open(d + "/territory.json", "w").write(json.dumps(t, ensure_ascii=False, indent=1))
PY
kill -HUP "$pid"
i=0
while ! grep -q "reload failed" "$CB_TMP/hub.log" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
log=$(cat "$CB_TMP/hub.log")
cb_assert_contains "$log" "reload failed, keeping the old configuration" "bad reload logged"
cb_assert_contains "$log" "territory.json:" "bad reload names the file"
cb_assert_contains "$log" "unknown parent community \"440304010099\"" "bad reload says why"
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" "still serving after a bad reload"
cb_assert_eq 200 "$(hub_sock /api/v1/whoami)" "socket still serving"
cb_assert_eq operator "$(hub_json 'j["role"]')" "old (good) users kept"
kill -0 "$pid" || cb_fail "hub died on a bad reload"

# Restart keeps data: stop cleanly, start again, query.
cp "$HUB_DIR/territory.good" "$HUB_DIR/territory.json"
printf 'restart,grid=440304001001001 v=1 %s\nrestart,grid=440304001001001 v=2 %s\n' \
	"$((now - 1))" "$now" >"$f"
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" "write before restart"
cb_stop hub TERM
cb_assert_contains "$(cat "$CB_TMP/hub.log")" "stopped" "clean shutdown"
[ -e "$HUB_SOCKET" ] && cb_fail "socket file left behind"
hub_start
TOKEN=$HUB_TOK_SUPER
hub_get '/api/v1/query?q=restart_v&start=-1h' >/dev/null
cb_assert_eq '[1.0, 2.0]' "$(hub_json '[p[1] for p in j["series"][0]["points"]]')" \
	"data survives a restart"
hub_get '/api/v1/tree?code=440304010001008' >/dev/null
cb_assert_eq True "$(hub_json 'j["node"]["status"]["last_ms"] is not None')" \
	"freshness rebuilt from the store"

# kill -9: nothing acknowledged is lost.
printf 'crash,grid=440304001001001 v=5 %s\n' "$now" >"$f"
cb_assert_eq 204 "$(TOKEN=$HUB_TOK_COLLECTOR hub_post '/api/v1/write?precision=s' "$f")" "write before kill -9"
cb_stop hub KILL
hub_start
hub_get '/api/v1/query?q=crash_v&start=-1h' >/dev/null
cb_assert_eq '[5.0]' "$(hub_json '[p[1] for p in j["series"][0]["points"]]')" \
	"acknowledged data survives kill -9"
hub_finish
cb_done
