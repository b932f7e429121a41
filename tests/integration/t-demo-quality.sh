#!/bin/sh
# The Futian demo under data-quality checks (issue 18): the real hub and the
# simulator plugin in a collector, with every system's interval shortened
# to 4 s and no backfill.  Every metric systems.json declares arrives within
# two intervals, every rule of conf/futian/rules.json sees a series, and
# `citybrain quality` shows nothing never seen; then one feed (gas-leak) is
# switched off by an outage scenario and quality names it stale within two
# intervals of its last report, while the other systems stay fresh.
. "$top_srcdir/tests/integration/lib.sh"

for _f in hub/citybraind collectors/citybrain-collector tui/citybrain \
    plugins/.libs/simulator.so; do
	[ -e "$top_builddir/$_f" ] || { echo "SKIP: $_f not built"; exit 77; }
done

IV=4 # seconds: every system's interval here
TMUX_BIN=${TMUX_BIN:-tmux}
command -v "$TMUX_BIN" >/dev/null 2>&1 || { echo "SKIP: no tmux"; exit 77; }
TSOCK=cbq$$
trap '_s=$?; "$TMUX_BIN" -L "$TSOCK" kill-server 2>/dev/null; (exit $_s); cb_cleanup' EXIT
PORT=$(cb_free_port)
SOCK=$CB_TMP/hub.sock
OUT=$CB_TMP/out.json
FUT=$top_srcdir/conf/futian
python3 - "$FUT" "$CB_TMP" "$PORT" "$(id -un)" \
    "$top_builddir/plugins/.libs/simulator.so" "$IV" <<'PY'
import json, os, sys
fut, d, port, me, plugin, iv = sys.argv[1:7]
systems = json.load(open(os.path.join(fut, "systems.json")))
for s in systems["systems"]:
    s["interval"] = "%ss" % iv
json.dump(systems, open(os.path.join(d, "systems.json"), "w"), ensure_ascii=False)
hub = json.load(open(os.path.join(fut, "hub.json")))
hub.update({"listen": "127.0.0.1:%s" % port, "socket": os.path.join(d, "hub.sock"),
            "data": os.path.join(d, "data"),
            "territory": os.path.join(fut, "territory.json"),
            "systems": os.path.join(d, "systems.json"),
            "users": os.path.join(d, "users.json"),
            "tokens": os.path.join(fut, "tokens.json"), "store": {"sync": False}})
json.dump(hub, open(os.path.join(d, "hub.json"), "w"))
users = json.load(open(os.path.join(fut, "users.json")))
users["users"] = [u for u in users["users"] if u["name"] != me]
users["users"].insert(0, {"name": me, "role": "supervisor", "scope": "440304000000"})
json.dump(users, open(os.path.join(d, "users.json"), "w"), ensure_ascii=False)
col = json.load(open(os.path.join(fut, "collector-demo.json")))
col["hub"]["urls"] = ["http://127.0.0.1:%s" % port]
col["spool"]["dir"] = os.path.join(d, "spool")
c = col["inputs"][0]["config"]
col["inputs"][0]["path"] = plugin
c.update({"territory": os.path.join(fut, "territory.json"),
          "systems": os.path.join(d, "systems.json"),
          "backfill": "0", "backfill_recent": "0", "step": "1s",
          "finance_every": "2s", "blips": False})
c.pop("state_file", None)
# Keep the rainstorm; switch gas-leak off: down from +14 s, silent from
# +34 s (a third of the outage) to its end.
c["scenarios"] = [s for s in c["scenarios"] if s["type"] == "rainstorm"] + [
    {"type": "outage", "name": "gas-feed-off", "at": "14s", "duration": "60s",
     "system": "gas-leak"}]
json.dump(col, open(os.path.join(d, "collector.json"), "w"), ensure_ascii=False)
PY
CITYBRAIN_RULES=$FUT/rules.json
export CITYBRAIN_RULES

api() {
	curl -s -o "$OUT" -w '%{http_code}' --max-time 20 --unix-socket "$SOCK" "http://hub$1"
}
js() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[2]))
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False))' "$1" "$OUT" 2>&1
}

cb_start hub "$top_builddir/hub/citybraind" --config "$CB_TMP/hub.json"
cb_wait_file "$SOCK"
cb_wait_http "http://127.0.0.1:$PORT/healthz" || { cb_fail "hub did not start"; exit 1; }
cb_start collector "$top_builddir/collectors/citybrain-collector" \
	--config "$CB_TMP/collector.json"
t0=$(date +%s)

# ---- Healthy: everything declared arrives within two intervals -------------
# (the first live tick sends every feed; allow the collector's start and a
# loaded machine a few seconds on top)
sleep $((2 * IV))
_i=0
while :; do
	api '/api/v1/quality?window=1m' >/dev/null
	[ "$(js 'j["summary"]["declared_missing"]')" = 0 ] && break
	_i=$((_i + 1))
	[ $_i -lt 10 ] || break
	sleep 1
done
echo "checked after $(($(date +%s) - t0)) s"
cb_assert_eq 0 "$(js 'j["summary"]["declared_missing"]')" \
	"declared but never seen: $(js '{s["id"]: s["declared_missing"] for s in j["systems"] if s["declared_missing"]}')"
cb_assert_eq 114 "$(js 'j["summary"]["systems"]')" "every system checked"
cb_assert_eq true "$(js 'j["summary"]["declared_metrics"] >= 120')" "the declared metrics"
cb_assert_eq "[]" "$(js '[u["name"] + "@" + s["id"] for s in j["systems"] for u in s["undeclared"]]')" \
	"nothing arrives undeclared"
cb_assert_eq "[]" "$(js '[r["name"] for r in j["rules"] if r["series"] == 0]')" \
	"every rule's selector matches a series"
cb_assert_eq true "$(js 'len(j["rules"]) >= 17')" "the demo's rules are checked"
cb_assert_eq "[]" "$(js '[m["name"] + "@" + s["id"] for s in j["systems"] for m in s["metrics"] if m["places"]["reporting"] == 0]')" \
	"every declared metric reports somewhere"
gas='[m for s in j["systems"] if s["id"] == "gas-leak" for m in s["metrics"]][0]'
cb_assert_eq '"fresh" 334 334' "$(js "'\"%s\" %d %d' % ($gas['state'], $gas['places']['reporting'], $gas['places']['expected'])")" \
	"gas_ppm fresh from each of the 334 grids gas-leak covers"
# The console's script form: nothing never seen, nothing stale.
out=$("$top_builddir/tui/citybrain" --socket "$SOCK" quality --once 2>&1)
cb_assert_contains "$out" "never seen 0, stale 0," "citybrain quality: clean"

# The Quality screen of the console (in tmux) says the same.
"$TMUX_BIN" -L "$TSOCK" -f /dev/null new-session -d -x 200 -y 50 \
	"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $top_builddir/tui/citybrain --socket $SOCK -s quality; sleep 600" ||
	cb_fail "tmux did not start"
screen_has() { # TEXT SECONDS
	_i=0
	while [ $_i -lt $(($2 * 10)) ]; do
		"$TMUX_BIN" -L "$TSOCK" capture-pane -p -t 0 | grep -qF -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	"$TMUX_BIN" -L "$TSOCK" capture-pane -p -t 0 | sed 's/^/    | /'
	return 1
}
screen_has "Checks: never seen 0  stale 0" 10 ||
	cb_fail "the Quality screen does not show zero never seen, zero stale"

# ---- One feed off: quality says so within two intervals --------------------
# Down (system_up 0) from +14 s; silent from +34 s to +74 s.
_end=$((t0 + 60))
while [ "$(date +%s)" -le $_end ]; do
	api /api/v1/systems/gas-leak >/dev/null
	[ "$(js 'j["state"]')" = down ] && break
	sleep 0.5
done
cb_assert_eq down "$(js 'j["state"]')" "the outage takes gas-leak down"
api /api/v1/quality >/dev/null
cb_assert_eq '"fresh"' "$(js "'\"%s\"' % $gas['state']")" "gas_ppm still fresh while the system reports down"
# Poll until quality says stale; the gap between the last report the hub
# had then and the answer must be at most two intervals (plus a poll and a
# second and a half for the answer).  Under load a collector delivers late,
# so "nothing for a while" alone does not mean the feed is off; the hub's
# own last_ms at the moment it says stale is the reference.
_end=$(($(date +%s) + 60))
state=
polls=0
while [ "$(date +%s)" -le $_end ]; do
	_asked=$(date +%s%3N)
	api /api/v1/quality >/dev/null
	state=$(js "$gas['state']")
	polls=$((polls + 1))
	[ "$state" = stale ] && break
	sleep 0.5
done
last=$(js "$gas['last_ms']")
echo "gas_ppm reported stale $((_asked - last)) ms after its last report (poll $polls)"
cb_assert_eq stale "$state" "gas_ppm stale once the feed goes off"
if [ "$polls" -gt 1 ]; then
	cb_assert_eq true "$([ $((_asked - last)) -le $((2 * IV * 1000 + 1500)) ] && echo true || echo false)" \
		"gas_ppm stale within two intervals of its last report"
fi
cb_assert_eq '["gas_ppm"]' "$(js '[s for s in j["systems"] if s["id"] == "gas-leak"][0]["stale_metrics"]')" \
	"quality names the stale metric of the switched-off system"
cb_assert_eq "[]" "$(js '[s["id"] for s in j["systems"] if s["declared_missing"]]')" \
	"still nothing never seen"
out=$("$top_builddir/tui/citybrain" --socket "$SOCK" quality --once 2>&1)
cb_assert_eq 1 "$?" "citybrain quality exits 1 on a finding"
cb_assert_contains "$out" "stale        gas-leak: gas_ppm" "citybrain quality names the stale feed"
screen_has "stale       gas-leak                 gas_ppm" 5 ||
	cb_fail "the Quality screen does not name the stale feed"
cb_done
