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
city_conf "$FT_URL" "$LH_URL/"
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
# The city names each alert "DDDDDD-ID" (its district's first 6 digits and
# the district's own id, which repeat across districts); details and
# actions by that id go to the district hub that owns the alert, with the
# city's token for it; the alert's history there says who acted on the
# city, the city's audit log records the caller.
act() { # PATH BODY-FILE: POST over the city's socket
	curl -g -s -o "$HUB_OUT" -w '%{http_code}' --unix-socket "$CT_DIR/city.sock" \
		-H 'Content-Type: application/json' --data-binary @"$2" "http://city$1"
}
as() { # TOKEN PATH [BODY-FILE]: GET, or POST the body, over the city's TCP
	curl -g -s -o "$HUB_OUT" -w '%{http_code}' -H "Authorization: Bearer $1" \
		${3:+-H 'Content-Type: application/json' --data-binary @"$3"} "$CT_URL$2"
}
ft() { TOKEN=$HUB_TOK_SUPER HUB_URL=$FT_URL hub_get "$@"; }
lh() { TOKEN=cbt_demo_luohu_city HUB_URL=$LH_URL hub_get "$@"; }
cb_assert_eq 200 "$(city /api/v1/alerts)" "alerts to act on"
FT_ID=$(hub_json '[a["id"] for a in j["alerts"] if a["district"] == "440304000000"][0]')
LH_ID=$(hub_json '[a["id"] for a in j["alerts"] if a["district"] == "440303000000"][0]')
FT_LOCAL=$(hub_json '[a["local_id"] for a in j["alerts"] if a["district"] == "440304000000"][0]')
LH_LOCAL=$(hub_json '[a["local_id"] for a in j["alerts"] if a["district"] == "440303000000"][0]')
cb_assert_eq "440304-$FT_LOCAL 440303-$LH_LOCAL" "$FT_ID $LH_ID" "city ids: the district's first 6 digits, '-', its own id"
cb_assert_eq "$FT_LOCAL" "$LH_LOCAL" "the same local id in both districts (the collision case)"
cb_assert_eq "2 1 1" "$(hub_json '"%d %d %d" % (j["counted"]["total"], j["counted"]["high"], j["counted"]["medium"])')" "counted summed over the districts (the console's header)"
cb_assert_eq True "$(hub_json 'j["newest"] in (a["id"] for a in j["alerts"])')" "newest is a city id"

cb_assert_eq 200 "$(city "/api/v1/alerts/$FT_ID")" "Futian's alert through the city"
cb_assert_eq "$FT_ID $FT_LOCAL 440304000000 flood/ft firing" \
	"$(hub_json '" ".join((j["id"], j["local_id"], j["district"], j["key"].split("/", 1)[1], j["state"]))')" "fetched from Futian, named by the city's id"
cb_assert_eq True "$(hub_json 'isinstance(j["history"], list) and len(j["history"]) > 0')" "with its history"
cb_assert_eq 200 "$(city "/api/v1/alerts/$LH_ID")" "Luohu's alert through the city"
cb_assert_eq "$LH_ID 440303000000 flood/lh" "$(hub_json '" ".join((j["id"], j["district"], j["key"].split("/", 1)[1]))')" "the same local id, Luohu's alert"
cb_assert_eq 404 "$(city "/api/v1/alerts/440305-$FT_LOCAL")" "a district the city does not have"
cb_assert_eq 404 "$(city "/api/v1/alerts/$FT_LOCAL")" "a district's id alone names no alert on the city"
cb_assert_contains "$(cat "$HUB_OUT")" '440304-A000123' "the refusal says what an id looks like"

# Acknowledge Futian's by its city id: Futian's changes, Luohu's
# (the same local id) does not.
echo '{"comment": "已派人"}' >"$f.ack"
cb_assert_eq 200 "$(act "/api/v1/alerts/$FT_ID/ack" "$f.ack")" "ack through the city by city id"
cb_assert_eq "440304000000 $FT_ID acknowledged" "$(hub_json '"%s %s %s" % (j["district"], j.get("id"), j.get("state"))')" "the answer names the district and the city's id"
cb_assert_eq 200 "$(ft "/api/v1/alerts/$FT_LOCAL")" "the alert on Futian"
cb_assert_eq "acknowledged futian-supervisor" "$(hub_json 'j["state"] + " " + j["ack"]["by"]')" "acknowledged on Futian, by the city's token"
cb_assert_eq "[深圳市 (440300000000) city hub: $(id -un), supervisor uid] 已派人" \
	"$(hub_json 'j["ack"]["comment"]')" "Futian's record says who acted on the city"
cb_assert_eq 200 "$(ft "/api/v1/audit?action=alert.ack")" "Futian's audit log"
cb_assert_eq "futian-supervisor $FT_LOCAL" "$(hub_json '"%s %s" % (j["entries"][-1]["who"], j["entries"][-1]["target"])')" "Futian audits the ack"
cb_assert_eq 200 "$(lh "/api/v1/alerts/$LH_LOCAL")" "Luohu's alert of the same id"
cb_assert_eq "firing None" "$(hub_json 'j["state"] + " " + str(j["ack"])')" "Luohu's alert untouched"
cb_assert_eq 200 "$(lh "/api/v1/audit?action=alert.ack")" "Luohu's audit log"
cb_assert_eq 0 "$(hub_json 'len(j["entries"])')" "nothing acknowledged on Luohu"
cb_assert_eq 200 "$(city "/api/v1/audit?action=city.alert.action")" "the city's audit log"
cb_assert_eq "$(id -un) $FT_ID 440304000000 ack $FT_LOCAL 200" \
	"$(hub_json '"%s %s %s %s %s %d" % (lambda e: (e["who"], e["target"], e["code"], e["after"]["action"], e["after"]["local_id"], e["after"]["status"]))(j["entries"][-1])')" \
	"the city audits the caller, the alert, the district and the outcome"
cb_assert_eq 200 "$(city "/api/v1/alerts?state=acknowledged")" "acknowledged alerts on the city"
cb_assert_eq "$FT_ID" "$(hub_json '" ".join(a["id"] for a in j["alerts"])')" "only Futian's"

# Luohu's by its city id: dispatch, a note (comment), unack Futian's, close Luohu's.
echo '{"dept": "police", "comment": "请公安协助"}' >"$f.disp"
cb_assert_eq 200 "$(act "/api/v1/alerts/$LH_ID/dispatch" "$f.disp")" "dispatch through the city"
echo '{"comment": "现场已到"}' >"$f.note"
cb_assert_eq 200 "$(act "/api/v1/alerts/$LH_ID/comment" "$f.note")" "a note through the city"
cb_assert_eq 200 "$(lh "/api/v1/alerts/$LH_LOCAL")" "Luohu's alert after"
cb_assert_eq "police True" "$(hub_json 'j["dept"] + " " + str(any(c.get("text", c.get("comment", "")).endswith("现场已到") and "city hub" in c.get("text", c.get("comment", "")) for c in j["comments"]))')" "dispatched to police, the note in its comments"
cb_assert_eq 200 "$(lh "/api/v1/audit?action=alert.dispatch")" "Luohu's audit"
cb_assert_eq "shenzhen-city $LH_LOCAL" "$(hub_json '"%s %s" % (j["entries"][-1]["who"], j["entries"][-1]["target"])')" "Luohu audits the dispatch by the city's user"
cb_assert_eq 200 "$(ft "/api/v1/alerts/$FT_LOCAL")" "Futian's alert of the same id"
cb_assert_eq water "$(hub_json 'str(j["dept"])')" "not dispatched"
echo '{}' >"$f.empty"
cb_assert_eq 200 "$(act "/api/v1/alerts/$FT_ID/unack" "$f.empty")" "unack through the city"
cb_assert_eq 200 "$(ft "/api/v1/alerts/$FT_LOCAL")" "Futian's alert"
cb_assert_eq firing "$(hub_json 'j["state"]')" "firing again on Futian"
echo '{"comment": "误报"}' >"$f.close"
cb_assert_eq 200 "$(act "/api/v1/alerts/$LH_ID/close" "$f.close")" "close through the city"
cb_assert_eq 200 "$(lh "/api/v1/alerts/$LH_LOCAL")" "Luohu's alert"
cb_assert_eq closed "$(hub_json 'j["state"]')" "closed on Luohu"
cb_assert_eq 200 "$(ft "/api/v1/alerts/$FT_LOCAL")" "Futian's"
cb_assert_eq firing "$(hub_json 'j["state"]')" "still firing on Futian"
cb_assert_eq 200 "$(city "/api/v1/alerts/$LH_ID")" "Luohu's alert through the city"
cb_assert_eq "closed $LH_ID" "$(hub_json 'j["state"] + " " + j["id"]')" "the city shows it closed"

# The district's id with ?district= (the earlier form) still works.
cb_assert_eq 200 "$(act "/api/v1/alerts/$FT_LOCAL/ack?district=440304000000" "$f.ack")" "ack by the district's id and ?district="
cb_assert_eq "$FT_ID" "$(hub_json 'j["id"]')" "answered with the city's id"
cb_assert_eq 400 "$(act "/api/v1/alerts/$FT_ID/unack?district=440303000000" "$f.empty")" "a city id of another district than ?district="
cb_assert_eq 400 "$(act "/api/v1/alerts/$FT_LOCAL/unack" "$f.empty")" "a district's id alone: which district?"
cb_assert_contains "$(cat "$HUB_OUT")" '?district=CODE' "the refusal says how"
cb_assert_eq 404 "$(act "/api/v1/alerts/$FT_LOCAL/unack?district=440305000000" "$f.empty")" "a district the city does not have"
cb_assert_eq 404 "$(act "/api/v1/alerts/$FT_ID/frobnicate" "$f.empty")" "an unknown action"

# Scopes: a district's users on the city see and act on their district only.
cb_assert_eq 200 "$(as cbt_demo_city_luohu_op "/api/v1/alerts?state=pending,firing,acknowledged,resolved,closed")" "Luohu operator's list"
cb_assert_eq "440303000000" "$(hub_json '" ".join(sorted(set(a["district"] for a in j["alerts"])))')" "Luohu's alerts only"
cb_assert_eq 404 "$(as cbt_demo_city_luohu_op "/api/v1/alerts/$FT_ID")" "Luohu operator: Futian's alert is 404"
cb_assert_eq False "$(python3 -c 'import sys; print("flood/ft" in open(sys.argv[1]).read())' "$HUB_OUT")" "and says nothing of it"
cb_assert_eq 404 "$(as cbt_demo_city_luohu_op "/api/v1/alerts/$FT_ID/unack" "$f.empty")" "Luohu operator cannot act on Futian's alert"
cb_assert_eq 404 "$(as cbt_demo_city_luohu_op "/api/v1/alerts/$FT_LOCAL/unack?district=440304000000" "$f.empty")" "nor with ?district="
cb_assert_eq 200 "$(ft "/api/v1/alerts/$FT_LOCAL")" "Futian's alert"
cb_assert_eq acknowledged "$(hub_json 'j["state"]')" "unchanged by the refused actions"
cb_assert_eq 200 "$(as cbt_demo_city_luohu_op "/api/v1/alerts/$LH_ID")" "Luohu operator: Luohu's alert"
cb_assert_eq 404 "$(as cbt_demo_city_futian_op "/api/v1/alerts/$LH_ID")" "Futian operator: Luohu's alert is 404"
cb_assert_eq 404 "$(as cbt_demo_city_futian_op "/api/v1/alerts/$LH_ID/comment" "$f.note")" "Futian operator cannot act on Luohu's"
cb_assert_eq 403 "$(as cbt_demo_city_futian "/api/v1/alerts/$FT_ID/unack" "$f.empty")" "a city viewer cannot act"
cb_assert_eq 200 "$(as cbt_demo_city_luohu "/api/v1/alerts/$LH_ID")" "a Luohu viewer reads Luohu's alert"
# The city's token for Futian is a supervisor's: the city checks each
# action's role itself, so an operator cannot change a severity through it.
echo '{"severity": "high"}' >"$f.sev"
cb_assert_eq 403 "$(as cbt_demo_city_futian_op "/api/v1/alerts/$FT_ID/severity" "$f.sev")" "severity needs a supervisor on the city"
cb_assert_contains "$(cat "$HUB_OUT")" "needs role supervisor" "the refusal says why"
cb_assert_eq 200 "$(ft "/api/v1/alerts/$FT_LOCAL")" "Futian's alert"
cb_assert_eq medium "$(hub_json 'j["severity"]')" "severity unchanged"
cb_assert_eq 200 "$(act "/api/v1/alerts/$FT_ID/severity" "$f.sev")" "a city supervisor may"
cb_assert_eq 200 "$(ft "/api/v1/alerts/$FT_LOCAL")" "Futian's alert"
cb_assert_eq high "$(hub_json 'j["severity"]')" "severity changed on Futian"

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
