#!/bin/sh
# A city hub over two real district hubs on 127.0.0.1 (hub/city/): Futian
# (the sample territory) and Luohu (conf/city/luohu), each with points and
# an alert, and a Shenzhen city hub reading both.  Checks: the districts
# listing (up, lag), merged alerts each marked with its district, the
# merged overview and tree, a raw query on the city equal to the union of
# the districts' answers (with "sources"), writes refused 403; then Luohu
# killed: marked down, and every merged answer still given from Futian
# with a warning naming Luohu.  Config errors name file:line:column.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/city-lib.sh"

NOW=$(($(date +%s) * 1000))
f="$CB_TMP/body"

# ---- Futian: the sample configuration -----------------------------------
hub_conf supervisor 440304000000
hub_start
FT_URL=$HUB_URL FT_DIR=$HUB_DIR

# ---- Luohu: conf/city/luohu on a free port -------------------------------
city_luohu_conf
city_luohu_start

# ---- Shenzhen: the city hub ---------------------------------------------
city_dir "$HUB_TOK_SUPER"
cat >"$CT_DIR/hub.json" <<JSON
{"listen": "127.0.0.1:$CT_PORT", "socket": "city.sock", "data": "data",
 "users": "users.json", "systems": "systems.json", "tokens": "tokens.json",
 "store": {"sync": false},
 "city": {"code": "440300000000", "name": "深圳市", "name_en": "Shenzhen", "timeout": "3s"},
 "districts": [
  {"name": "福田区", "code": "440304000000", "url": "$FT_URL", "token_file": "futian.token"},
  {"name": "罗湖区", "code": "440303000000", "url": "$LH_URL/", "token": "cbt_demo_city_reader"}
 ]}
JSON
city_start

# ---- Data and alerts in each district -----------------------------------
for i in 0 1 2; do
	t=$((NOW - 120000 + i * 60000))
	echo "water_level,grid=440304001001001 value=4.$i $t"
	echo "water_level,grid=440304010001007 value=3.$i $t"
done >"$f.ft"
for i in 0 1 2; do
	t=$((NOW - 120000 + i * 60000))
	echo "water_level,grid=440303003001001 value=2.$i $t"
done >"$f.lh"
cb_assert_eq 204 "$(TOKEN=$HUB_TOK_COLLECTOR HUB_URL=$FT_URL hub_post "/api/v1/write?precision=ms" "$f.ft")" "write to Futian"
cb_assert_eq 204 "$(TOKEN=cbt_demo_luohu_collector HUB_URL=$LH_URL hub_post "/api/v1/write?precision=ms" "$f.lh")" "write to Luohu"
event() { # URL TOKEN KEY GRID SEVERITY
	printf '{"key": "%s", "severity": "%s", "labels": {"grid": "%s", "system": "water-level-iot"}, "message": "积水", "dept": "water", "value": 1}' \
		"$3" "$5" "$4" >"$f.ev"
	TOKEN=$2 HUB_URL=$1 hub_post /api/v1/events "$f.ev"
}
cb_assert_eq 202 "$(event "$FT_URL" "$HUB_TOK_COLLECTOR" flood/ft 440304001001001 medium)" "Futian alert"
cb_assert_eq 202 "$(event "$LH_URL" cbt_demo_luohu_collector flood/lh 440303003001001 high)" "Luohu alert"

# ---- Both districts up --------------------------------------------------
cb_assert_eq 200 "$(city /api/v1/districts)" "districts"
cb_assert_eq "2 0" "$(hub_json '"%d %d" % (j["up"], j["down"])')" "both up"
cb_assert_eq "440304000000:up 440303000000:up" \
	"$(hub_json '" ".join(d["code"] + ":" + d["state"] for d in j["districts"])')" "district states"
cb_assert_eq True "$(hub_json 'all(isinstance(d["lag_s"], int) and d["lag_s"] < 600 for d in j["districts"])')" "lag of each district's data"

cb_assert_eq 200 "$(city /api/v1/alerts)" "merged alerts"
cb_assert_eq "2 440303000000:high 440304000000:medium" \
	"$(hub_json '"%d " % j["total"] + " ".join(a["district"] + ":" + a["severity"] for a in j["alerts"])')" \
	"alerts of both districts, most severe first, each marked"
cb_assert_eq False "$(hub_json '"warnings" in j')" "no warnings while both answer"
cb_assert_eq 200 "$(city "/api/v1/alerts?code=440303003000")" "alerts of a Luohu subdistrict"
cb_assert_eq "440303000000" "$(hub_json '" ".join(a["district"] for a in j["alerts"])')" "only Luohu asked"
cb_assert_eq 404 "$(city "/api/v1/alerts?code=440305000000")" "a code in no district"
# A city user scoped to Futian: only Futian is asked, Luohu's codes are 404.
cb_assert_eq 200 "$(TOKEN=cbt_demo_city_futian HUB_URL=$CT_URL hub_get /api/v1/alerts)" "Futian-scoped city user"
cb_assert_eq "1 440304000000" "$(hub_json '"%d " % j["total"] + " ".join(s["code"] for s in j["sources"])')" "only Futian asked"
cb_assert_eq 404 "$(TOKEN=cbt_demo_city_futian HUB_URL=$CT_URL hub_get "/api/v1/tree?code=440303003000")" "Luohu outside the user's scope"
cb_assert_eq 200 "$(TOKEN=cbt_demo_city_futian HUB_URL=$CT_URL hub_get "/api/v1/query?q=water_level&start=now-1h")" "scoped query"
cb_assert_eq "440304000000" "$(hub_json '" ".join(sorted(set(s["district"] for s in j["series"])))')" "scoped query: Futian's series only"

cb_assert_eq 200 "$(city /api/v1/overview)" "merged overview"
cb_assert_eq "深圳市 up up" "$(hub_json 'j["city"]["name"] + " " + " ".join(d["state"] for d in j["districts"])')" "overview districts"
cb_assert_eq "1 1" "$(hub_json '"%d %d" % (j["alerts"]["high"], j["alerts"]["medium"])')" "overview alert counts summed"
cb_assert_eq "2 10" "$(hub_json '"%d %d" % tuple(sum(1 for s in j["subdistricts"] if s["district"] == d) for d in ("440304000000", "440303000000"))')" "both districts' subdistricts, marked"

cb_assert_eq 200 "$(city /api/v1/tree)" "city tree"
cb_assert_eq "city 2 high" "$(hub_json 'j["node"]["level"] + " " + str(len(j["children"])) + " " + j["node"]["status"]["severity"]')" "city node over its districts"
cb_assert_eq 200 "$(city "/api/v1/tree?code=440304001000")" "a Futian subdistrict through the city"
cb_assert_eq "440300000000 440304000000" "$(hub_json '" ".join(p["code"] for p in j["path"])')" "path starts at the city"

Q='water_level'
cb_assert_eq 200 "$(city "/api/v1/query?q=$Q&start=now-1h")" "merged query"
cp "$HUB_OUT" "$f.city"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_VIEWER HUB_URL=$FT_URL hub_get "/api/v1/query?q=$Q&start=now-1h")" "Futian's own answer"
cp "$HUB_OUT" "$f.q1"
cb_assert_eq 200 "$(TOKEN=cbt_demo_city_reader HUB_URL=$LH_URL hub_get "/api/v1/query?q=$Q&start=now-1h")" "Luohu's own answer"
cp "$HUB_OUT" "$f.q2"
cb_assert_eq True "$(python3 - "$f.city" "$f.q1" "$f.q2" <<'PY'
import json, sys
c, a, b = (json.load(open(p)) for p in sys.argv[1:4])
key = lambda s: (s["metric"], json.dumps(s["labels"], sort_keys=True), json.dumps(s["points"]))
city = sorted(key(s) for s in c["series"])
union = sorted(key(s) for s in a["series"] + b["series"])
print(city == union and len(city) == 3)
PY
)" "city query equals the union of the districts' answers"
cb_assert_eq "440304000000:2 440303000000:1" \
	"$(hub_json '" ".join("%s:%d" % (s["code"], s["series"]) for s in j["sources"])' "$f.city")" "sources"

# ---- Alert actions through the city --------------------------------------
# Passed to the district hub that owns the alert, with the city's token for
# it; the alert's history there says who acted on the city, the city's
# audit log records the caller.
act() { # PATH BODY-FILE: POST over the city's socket
	curl -g -s -o "$HUB_OUT" -w '%{http_code}' --unix-socket "$CT_DIR/city.sock" \
		-H 'Content-Type: application/json' --data-binary @"$2" "http://city$1"
}
cb_assert_eq 200 "$(city /api/v1/alerts)" "alerts to act on"
FT_ID=$(hub_json '[a["id"] for a in j["alerts"] if a["district"] == "440304000000"][0]')
LH_ID=$(hub_json '[a["id"] for a in j["alerts"] if a["district"] == "440303000000"][0]')
echo '{"comment": "已派人"}' >"$f.ack"
cb_assert_eq 400 "$(act "/api/v1/alerts/$FT_ID/ack" "$f.ack")" "an action on the city needs the district"
cb_assert_contains "$(cat "$HUB_OUT")" '\"district\" in GET /api/v1/alerts' "the refusal says where to find it"
cb_assert_eq 404 "$(act "/api/v1/alerts/$FT_ID/ack?district=440305000000" "$f.ack")" "a district the city does not have"
cb_assert_eq 200 "$(act "/api/v1/alerts/$FT_ID/ack?district=440304000000" "$f.ack")" "ack through the city"
cb_assert_eq 440304000000 "$(hub_json 'j["district"]')" "the answer names the district"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_VIEWER HUB_URL=$FT_URL hub_get "/api/v1/alerts/$FT_ID")" "the alert on Futian"
cb_assert_eq "acknowledged futian-supervisor" "$(hub_json '(j.get("alert") or j)["state"] + " " + (j.get("alert") or j)["ack"]["by"]')" "acknowledged on Futian, by the city's token"
cb_assert_eq "[深圳市 (440300000000) city hub: $(id -un), supervisor uid] 已派人" \
	"$(hub_json '(j.get("alert") or j)["ack"]["comment"]')" "Futian's record says who acted on the city"
cb_assert_eq 200 "$(city "/api/v1/audit?action=city.alert.action")" "the city's audit log"
cb_assert_eq "$(id -un) $FT_ID 440304000000 ack 200" \
	"$(hub_json '"%s %s %s %s %d" % (lambda e: (e["who"], e["target"], e["code"], e["after"]["action"], e["after"]["status"]))(j["entries"][0])')" \
	"the city audits the caller, the alert, the district and the outcome"
# Luohu reads the city with a viewer token: Luohu itself refuses the action.
cb_assert_eq 403 "$(act "/api/v1/alerts/$LH_ID/ack?district=440303000000" "$f.ack")" "Luohu refuses its viewer token's action"
cb_assert_eq 440303000000 "$(hub_json 'j["district"]')" "the refusal names the district"
# A Futian operator on the city cannot act on Luohu's alerts.
cb_assert_eq 404 "$(curl -s -o "$HUB_OUT" -w '%{http_code}' -H "Authorization: Bearer cbt_demo_city_futian_op" \
	-H 'Content-Type: application/json' --data-binary @"$f.ack" "$CT_URL/api/v1/alerts/$LH_ID/ack?district=440303000000")" "a district outside the caller's scope"
# A viewer on the city cannot act at all.
cb_assert_eq 403 "$(curl -s -o "$HUB_OUT" -w '%{http_code}' -H "Authorization: Bearer cbt_demo_city_futian" \
	-H 'Content-Type: application/json' --data-binary @"$f.ack" "$CT_URL/api/v1/alerts/$FT_ID/ack?district=440304000000")" "a city viewer cannot act"

cb_assert_eq 403 "$(curl -s -o "$HUB_OUT" -w '%{http_code}' --unix-socket "$CT_DIR/city.sock" --data-binary @"$f.ft" http://city/api/v1/write)" "no ingest on the city hub"
cb_assert_contains "$(cat "$HUB_OUT")" "is a city hub" "the refusal says why"
cb_assert_eq 403 "$(curl -s -o "$HUB_OUT" -w '%{http_code}' --unix-socket "$CT_DIR/city.sock" --data-binary @"$f.ev" http://city/api/v1/events)" "no events on the city hub"

# ---- Luohu killed -------------------------------------------------------
cb_stop luohu KILL
cb_assert_eq 200 "$(city /api/v1/districts)" "districts with Luohu down"
cb_assert_eq "1 1 440303000000:down" \
	"$(hub_json '"%d %d " % (j["up"], j["down"]) + " ".join(d["code"] + ":" + d["state"] for d in j["districts"] if d["state"] != "up")')" "Luohu marked down"
cb_assert_eq True "$(hub_json '[d for d in j["districts"] if d["state"] == "down"][0]["last_ok_ms"] > 0')" "when Luohu last answered"

cb_assert_eq 200 "$(city /api/v1/alerts)" "alerts with Luohu down"
cb_assert_eq "1 440304000000" "$(hub_json '"%d " % j["total"] + " ".join(a["district"] for a in j["alerts"])')" "Futian's alerts still listed"
cb_assert_contains "$(hub_json 'j["warnings"]')" "罗湖区 (440303000000) did not answer" "warning names Luohu"
cb_assert_eq "440303000000:down" "$(hub_json '" ".join(s["code"] + ":" + s["state"] for s in j["sources"] if s["state"] != "up")')" "Luohu down in sources"

cb_assert_eq 200 "$(city "/api/v1/query?q=$Q&start=now-1h")" "query with Luohu down"
cb_assert_eq 2 "$(hub_json 'len(j["series"])')" "Futian's series"
cb_assert_contains "$(hub_json 'j["warnings"]')" "罗湖区 (440303000000) did not answer" "query warning names Luohu"

cb_assert_eq 200 "$(city /api/v1/overview)" "overview with Luohu down"
cb_assert_eq "up down" "$(hub_json '" ".join(d["state"] for d in j["districts"])')" "Luohu shown down in the overview"
cb_assert_eq "罗湖区 (down)" "$(hub_json '[s["name"] for s in j["subdistricts"] if s.get("state") == "down"][0]')" "a row for Luohu among the subdistricts"
cb_assert_eq 200 "$(city /api/v1/tree)" "tree with Luohu down"
cb_assert_eq "up down" "$(hub_json '" ".join(c["state"] for c in j["children"])')" "Luohu shown down in the tree"
cb_assert_eq 502 "$(city "/api/v1/tree?code=440303003000")" "a Luohu node with Luohu down"
cb_assert_contains "$(cat "$HUB_OUT")" "罗湖区" "the 502 names the district"

# The event loop was never blocked: /healthz answers at once meanwhile.
cb_assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$CT_URL/healthz")" "city hub responsive"

# ---- Config errors name file:line:column --------------------------------
sed 's/"code": "440303000000"/"code": "440403000000"/' "$CT_DIR/hub.json" >"$CT_DIR/bad.json"
out=$("$HUB_BIN" --check-config --config "$CT_DIR/bad.json" 2>&1)
cb_assert_contains "$out" "bad.json:7:27:" "bad district code: file:line"
cb_assert_contains "$out" "district code must be 12 digits: the city's first 4 (4403)" "bad district code: why"
printf '{"users": "users.json", "systems": "systems.json",\n "city": {"code": "440300000000", "name": "深圳市"}}\n' >"$CT_DIR/bad2.json"
out=$("$HUB_BIN" --check-config --config "$CT_DIR/bad2.json" 2>&1)
cb_assert_contains "$out" "needs both \"city\" and \"districts\"" "city without districts"

hub_finish city
hub_finish hub
cb_done
