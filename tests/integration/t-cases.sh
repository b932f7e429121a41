#!/bin/sh
# Cases (issue 17): POST /api/v1/cases against a real hub.  A case whose
# category is in the rules' "case_categories" is dispatched at once to its
# lead and supporting departments with the category's time limit; any other
# waits in the dispatch desk's queue (GET /api/v1/cases?queue=dispatch) until
# a person dispatches it.  Places are grids or addresses resolved through the
# territory (an unresolvable one is a 400); the write scope is the events'
# (403 outside it); every step is in the history and the audit.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf supervisor 440304000000
# The Futian territory (it has buildings) and catalogue.
cp "$top_srcdir/conf/futian/territory.json" "$top_srcdir/conf/futian/systems.json" "$HUB_DIR/"
chmod u+w "$HUB_DIR"/*.json
cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s", "deadline": "72h"},
 "rules": [],
 "case_categories": [
  {"id": "street-vending", "name": "乱堆放/乱摆卖", "code": "10020033",
   "dept": "city-management", "support": ["market"], "time_limit": "24h", "severity": "low"},
  {"id": "blocked-fire-exit", "name": "安全出口/逃生通道不畅", "code": "10160005",
   "dept": "fire", "support": ["emergency"], "severity": "high"}
 ]}
JSON
hub_start
f="$HUB_DIR/body.json"
G1=440304001001001  # Nanyuan / Dongyuan 01 (the Nanyuan operator's scope)
G2=440304010001001  # Fubao / Xingang 01
post() { # TOKEN JSON
	printf '%s' "$2" >"$f"
	TOKEN=$1 hub_post /api/v1/cases "$f"
}

# ---- Routed at once by category -------------------------------------------
cb_assert_eq 201 "$(post "$HUB_TOK_COLLECTOR" \
	"{\"category\": \"10020033\", \"grid\": \"$G1\", \"text\": \"水果摊占道\", \"source\": \"hotline\", \"ref\": \"T-1\"}")" \
	"hotline case by category code"
C1=$(hub_json 'j["id"]')
case $C1 in C0*) ;; *) cb_fail "case id $C1 does not start with C" ;; esac
cb_assert_eq case "$(hub_json 'j["source"]')" "source case"
cb_assert_eq street-vending "$(hub_json 'j["case"]["category"]')" "category id"
cb_assert_eq hotline "$(hub_json 'j["case"]["source"]')" "case source"
cb_assert_eq auto "$(hub_json 'j["case"]["routing"]')" "routed automatically"
cb_assert_eq None "$(hub_json 'str(j["case"]["queue"])')" "in no queue"
cb_assert_eq firing "$(hub_json 'j["state"]')" "firing"
cb_assert_eq low "$(hub_json 'j["severity"]')" "the category's severity"
cb_assert_eq "city-management:lead market:support" \
	"$(hub_json '" ".join(d["dept"] + ":" + d["role"] for d in j["depts"])')" "lead and support"
cb_assert_eq True "$(hub_json 'str(86400000 <= j["deadline_ms"] - j["started_ms"] < 86400000 + 60000)')" \
	"deadline: the category's 24 h"
cb_assert_eq 200 "$(hub_sock "/api/v1/cases/$C1")" "GET the case"
cb_assert_eq "fire dispatch" "$(hub_json '" ".join(h["action"] for h in j["history"])')" "history"
cb_assert_eq case-category "$(hub_json 'j["history"][1]["via"]')" "dispatched by the category"
cb_assert_eq sample-collector "$(hub_json 'j["history"][0]["who"]')" "raised by the token"
cb_assert_eq 200 "$(post "$HUB_TOK_COLLECTOR" \
	"{\"category\": \"10020033\", \"grid\": \"$G1\", \"text\": \"水果摊占道\", \"source\": \"hotline\", \"ref\": \"T-1\"}")" \
	"the same ticket again"
cb_assert_eq "$C1" "$(hub_json 'j["id"]')" "is the same case"
cb_assert_eq 201 "$(post "$HUB_TOK_COLLECTOR" \
	"{\"category\": \"blocked-fire-exit\", \"address\": \"FT-003001-01\", \"text\": \"安全出口堵塞\"}")" \
	"a building's code as the address"
cb_assert_eq 440304001003001 "$(hub_json 'j["code"]')" "the building's grid"
cb_assert_eq fire "$(hub_json 'j["dept"]')" "fire leads"
cb_assert_eq True "$(hub_json 'str(72 * 3600000 <= j["deadline_ms"] - j["started_ms"] < 72 * 3600000 + 60000)')" \
	"no time limit: the settings' 72 h"

# ---- Queued for the dispatch desk ------------------------------------------
cb_assert_eq 201 "$(post "$HUB_TOK_COLLECTOR" \
	"{\"category\": \"噪音扰民\", \"address\": \"东园社区\", \"text\": \"夜间施工噪音\", \"source\": \"hotline\"}")" \
	"a category the table lacks"
C2=$(hub_json 'j["id"]')
cb_assert_eq 440304001001 "$(hub_json 'j["code"]')" "the community by name"
cb_assert_eq dispatch "$(hub_json 'j["case"]["queue"]')" "in the dispatch queue"
cb_assert_eq queued "$(hub_json 'j["case"]["routing"]')" "routing queued"
cb_assert_eq 0 "$(hub_json 'len(j["depts"])')" "no department yet"
cb_assert_eq 201 "$(post "$HUB_TOK_COLLECTOR" \
	"{\"address\": \"南园街道 / 东园社区 / 东园02\", \"text\": \"no category\"}")" "no category, a place path"
C3=$(hub_json 'j["id"]')
cb_assert_eq 440304001001002 "$(hub_json 'j["code"]')" "the grid by its path"
cb_assert_eq 200 "$(hub_sock "/api/v1/cases?queue=dispatch")" "the queue"
cb_assert_eq "$C3 $C2" "$(hub_json '" ".join(c["id"] for c in j["cases"])')" "queued cases, newest first"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$C2/dispatch" -d '{"dept": "environment", "deadline": "48h"}')" \
	"a person dispatches the queued case"
cb_assert_eq 200 "$(hub_sock "/api/v1/cases?queue=dispatch")" "the queue again"
cb_assert_eq "$C3" "$(hub_json '" ".join(c["id"] for c in j["cases"])')" "left the queue"
cb_assert_eq 200 "$(hub_sock "/api/v1/cases/$C2")" "the dispatched case"
cb_assert_eq "fire queue dispatch" "$(hub_json '" ".join(h["action"] for h in j["history"])')" "its history"
cb_assert_eq "$HUB_ME" "$(hub_json 'j["history"][2]["who"]')" "dispatched by the person"
cb_assert_eq 200 "$(hub_sock "/api/v1/cases")" "all cases"
cb_assert_eq 4 "$(hub_json 'j["total"]')" "four cases"

# ---- Places that do not resolve -------------------------------------------
cb_assert_eq 400 "$(post "$HUB_TOK_COLLECTOR" '{"address": "火星基地", "text": "x"}')" "unknown address"
cb_assert_contains "$(hub_json 'j["error"]')" "names no grid, community, subdistrict or building" "400 says why"
cb_assert_eq 400 "$(post "$HUB_TOK_COLLECTOR" '{"grid": "440304001001", "text": "x"}')" "a community code as grid"
cb_assert_eq 400 "$(post "$HUB_TOK_COLLECTOR" '{"text": "x"}')" "no place"
cb_assert_eq 400 "$(post "$HUB_TOK_COLLECTOR" "{\"grid\": \"$G1\"}")" "no text"

# ---- Write scope -------------------------------------------------------------
cb_assert_eq 403 "$(post "$HUB_TOK_OPERATOR" "{\"grid\": \"$G2\", \"text\": \"outside\"}")" \
	"Nanyuan operator in Fubao"
cb_assert_contains "$(hub_json 'j["error"]')" "outside scope 440304001000" "403 says why"
cb_assert_eq 201 "$(post "$HUB_TOK_OPERATOR" "{\"grid\": \"$G1\", \"text\": \"inside\", \"category\": \"street-vending\"}")" \
	"Nanyuan operator in Nanyuan"
cb_assert_eq operator "$(hub_json 'j["case"]["source"]')" "a user's default source"
cb_assert_eq 403 "$(post "$HUB_TOK_FUBAO" "{\"grid\": \"$G1\", \"text\": \"x\"}")" "Fubao token in Nanyuan"
cb_assert_eq 403 "$(post "$HUB_TOK_VIEWER" "{\"grid\": \"$G1\", \"text\": \"x\"}")" "a viewer"
cb_assert_eq 200 "$(hub_sock "/api/v1/cases")" "all cases"
cb_assert_eq 5 "$(hub_json 'j["total"]')" "nothing made by the refused posts"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get "/api/v1/cases")" "the Nanyuan operator's list"
cb_assert_eq 5 "$(hub_json 'j["total"]')" "all five are in Nanyuan"
cb_assert_eq 404 "$(hub_sock "/api/v1/cases/A000001")" "an alert id is no case"

# ---- The command line ------------------------------------------------------------
CB="$top_builddir/tui/citybrain"
out=$("$CB" -S "$HUB_SOCKET" case new --category street-vending --grid "$G1" --text "占道摆卖" --source grid-worker) ||
	cb_fail "case new: $out"
cb_assert_contains "$out" "category street-vending, routed to city-management (+market)" "case new routed"
out=$("$CB" -S "$HUB_SOCKET" case new --address "东园社区" --text "楼道堆物" --category 楼道堆物) ||
	cb_fail "case new queued: $out"
cb_assert_contains "$out" "waits in the dispatch desk's queue" "case new queued"
"$CB" -S "$HUB_SOCKET" case new --address "火星基地" --text "x" 2>"$HUB_DIR/err" >/dev/null
cb_assert_eq 2 "$?" "an unresolvable address: exit 2"
cb_assert_contains "$(cat "$HUB_DIR/err")" "names no grid" "and says why"
"$CB" -S "$HUB_SOCKET" cases --json >"$HUB_DIR/cases.json" || cb_fail "cases --json"
cb_assert_eq 7 "$(hub_json 'j["total"]' "$HUB_DIR/cases.json")" "cases --json"
cb_assert_eq grid-worker "$(hub_json 'j["cases"][1]["case"]["source"]' "$HUB_DIR/cases.json")" "--source kept"
out=$("$CB" -S "$HUB_SOCKET" cases --queue) || cb_fail "cases --queue"
cb_assert_contains "$out" "2 cases in the dispatch queue" "cases --queue counts"
cb_assert_contains "$out" "楼道堆物: 楼道堆物" "cases --queue lists the new one"

# ---- Audit ---------------------------------------------------------------------
cb_assert_eq 200 "$(hub_sock "/api/v1/audit?limit=1000&action=alert.")" "audit"
cb_assert_eq "alert.fire alert.dispatch" \
	"$(hub_json '" ".join(e["action"] for e in j["entries"] if e["target"] == "'"$C1"'")')" "audit of the routed case"
cb_assert_eq "alert.fire alert.queue alert.dispatch" \
	"$(hub_json '" ".join(e["action"] for e in j["entries"] if e["target"] == "'"$C2"'")')" "audit of the queued case"
cb_assert_eq 200 "$(hub_sock /api/v1/audit/verify)" "the audit log verifies"

# ---- SIGHUP: a bad table keeps the old one (file:line:column); a new one
# routes from then on, and the cases already open stay as they are ----------
cp "$HUB_DIR/rules.json" "$HUB_DIR/rules.good"
printf '{"rules": [],\n "case_categories": [{"id": "noise", "dept": "nobody"}]}\n' >"$HUB_DIR/rules.json"
kill -HUP "$(cb_pid hub)"
cb_wait_for grep -q "keeping the old rules" "$CB_TMP/hub.log" || cb_fail "bad reload not logged"
cb_assert_contains "$(grep "keeping the old rules" "$CB_TMP/hub.log")" \
	"rules.json:2:" "the bad table's error names file:line:column"
python3 - "$HUB_DIR/rules.good" "$HUB_DIR/rules.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["case_categories"].append({"id": "noise", "name": "噪音扰民", "dept": "environment", "time_limit": "12h"})
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
kill -HUP "$(cb_pid hub)"
cb_wait_for grep -q "reloaded 0 rules" "$CB_TMP/hub.log" || cb_fail "reload not logged"
cb_assert_eq 201 "$(post "$HUB_TOK_COLLECTOR" \
	"{\"category\": \"噪音扰民\", \"grid\": \"$G1\", \"text\": \"又一次夜间施工\"}")" "after the reload"
cb_assert_eq environment "$(hub_json 'j["dept"]')" "the new category routes"
cb_assert_eq True "$(hub_json 'str(12 * 3600000 <= j["deadline_ms"] - j["started_ms"] < 12 * 3600000 + 60000)')" \
	"with its time limit"
cb_assert_eq 200 "$(hub_sock "/api/v1/cases/$C3")" "an open case after the reload"
cb_assert_eq firing "$(hub_json 'j["state"]')" "is still open"

# ---- A restart keeps them ------------------------------------------------------
hub_finish
hub_start
cb_assert_eq 200 "$(hub_sock "/api/v1/cases/$C3")" "after a restart"
cb_assert_eq dispatch "$(hub_json 'j["case"]["queue"]')" "still queued"
cb_assert_eq 200 "$(hub_sock "/api/v1/cases?queue=dispatch")" "the queue after a restart"
cb_assert_eq 2 "$(hub_json 'j["total"]')" "the same queue"
cb_assert_eq 200 "$(hub_sock "/api/v1/cases")" "all cases after a restart"
cb_assert_eq 8 "$(hub_json 'j["total"]')" "every case kept"
hub_finish
cb_done
