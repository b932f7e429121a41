#!/bin/sh
# The response report (issue 17) against a real hub: events dispatched to
# departments (one with a 1 s deadline, left open), a case routed by its
# category, an acknowledgment and a resolution, then GET
# /api/v1/reports/response by department, subdistrict and rule with exact
# counts, times equal to those of the alerts' own histories, the scope of a
# Nanyuan operator (nothing of Fubao), 400s naming the parameter, the same
# figures after a restart (the report reads the store), and `citybrain
# report` as a table, JSON and CSV.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf supervisor 440304000000
cp "$top_srcdir/conf/futian/territory.json" "$top_srcdir/conf/futian/systems.json" "$HUB_DIR/"
chmod u+w "$HUB_DIR"/*.json
cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s", "deadline": "72h"},
 "rules": [],
 "case_categories": [
  {"id": "street-vending", "name": "乱堆放/乱摆卖", "code": "10020033",
   "dept": "city-management", "support": ["market"], "time_limit": "24h", "severity": "low"}
 ]}
JSON
hub_start
f="$HUB_DIR/body.json"
G1=440304001001001 # Nanyuan / Dongyuan 01
G2=440304010001001 # Fubao / Xingang 01
post() { # TOKEN PATH JSON
	printf '%s' "$3" >"$f"
	TOKEN=$1 hub_post "$2" "$f"
}
event() { # KEY GRID EXTRA-JSON-MEMBERS: raise an event; prints its id
	post "$HUB_TOK_COLLECTOR" /api/v1/events "{\"key\": \"$1\", \"severity\": \"medium\",
	 \"labels\": {\"grid\": \"$2\", \"system\": \"water-level-iot\"},
	 \"message\": \"$1\"$3}" >/dev/null
	hub_json 'j.get("id", "")'
}

E1=$(event flood/g1 $G1 ', "dept": "fire", "deadline": "1h"')
E2=$(event flood/g2 $G2 ', "dept": "fire", "support": ["emergency"], "deadline": "1s"')
E3=$(event smoke/g1 $G1 '')  # never dispatched: not in the report
cb_assert_eq 201 "$(post "$HUB_TOK_COLLECTOR" /api/v1/cases \
	"{\"category\": \"street-vending\", \"grid\": \"$G1\", \"text\": \"水果摊占道\", \"source\": \"hotline\"}")" "case"
C1=$(hub_json 'j["id"]')
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/alerts/$E1/ack" '{"comment": "crew on the way"}')" "ack E1"
cb_assert_eq 202 "$(post "$HUB_TOK_COLLECTOR" /api/v1/events '{"key": "flood/g1", "state": "resolved"}')" "resolve E1"
# E1's own history: the times the report must show.
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/alerts/$E1")" "get E1"
ACK_MS=$(hub_json '[h["at_ms"] for h in j["history"] if h["action"] == "ack"][0] - [h["at_ms"] for h in j["history"] if h["action"] == "fire"][0]')
RES_MS=$(hub_json '[h["at_ms"] for h in j["history"] if h["action"] == "resolve"][0] - [h["at_ms"] for h in j["history"] if h["action"] == "fire"][0]')

# E2's deadline (1 s) passes: poll until the report counts it overdue.
e2_overdue() {
	TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/reports/response?since=1d' >/dev/null &&
		[ "$(hub_json 'j["total"]["open_overdue"]')" = 1 ]
}
cb_wait_for e2_overdue || cb_fail "E2 never counted overdue: $(cat "$HUB_OUT")"
report_dept() { # the figures by department, one line per row
	hub_json '"\n".join("%s %d %d %d %d %d %d %d %s %d %d %d" % (w["key"], w["dispatched"], w["alerts"], w["cases"], w["acknowledged"], w["resolved"], w["due"], w["in_time"], w["in_time_share"], w["overdue"], w["open_overdue"], w["escalations"]) for w in j["rows"] + [dict(j["total"], key="total")])'
}
# key dispatched alerts cases acknowledged resolved due in_time share overdue open escalations
want='fire 2 2 0 1 1 2 1 0.5 1 1 0
city-management 1 0 1 0 0 0 0 None 0 0 0
emergency 1 1 0 0 0 1 0 0.0 1 1 0
market 1 0 1 0 0 0 0 None 0 0 0
total 3 2 1 1 1 2 1 0.5 1 1 0'
cb_assert_eq "$want" "$(report_dept)" "by department"
cb_assert_eq dept "$(hub_json 'j["by"]')" "by dept by default"
cb_assert_eq 604800000 "$(TOKEN=$HUB_TOK_SUPER hub_get /api/v1/reports/response >/dev/null; hub_json 'j["since_ms"]')" "7 days by default"
TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/reports/response?since=1d' >/dev/null
cb_assert_eq "$ACK_MS $ACK_MS $RES_MS $RES_MS" \
	"$(hub_json '"%s %s %s %s" % tuple(j["rows"][0][k] for k in ("ack_p50_ms", "ack_p90_ms", "resolve_p50_ms", "resolve_p90_ms"))')" \
	"fire's times are E1's own"
cb_assert_eq "None None" "$(hub_json '"%s %s" % (j["rows"][2]["ack_p50_ms"], j["rows"][2]["resolve_p90_ms"])')" "nothing acknowledged: null"

# By subdistrict and rule.
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/reports/response?since=1d&by=subdistrict')" "by subdistrict"
cb_assert_eq "440304001000 2 南园街道 | 440304010000 1 福保街道" \
	"$(hub_json '" | ".join("%s %d %s" % (w["key"], w["dispatched"], w.get("place")) for w in j["rows"])')" "subdistricts with names"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/reports/response?since=1d&by=rule')" "by rule"
cb_assert_eq "flood 2 | case 1" \
	"$(hub_json '" | ".join("%s %d" % (w["key"], w["dispatched"]) for w in j["rows"])')" "rules"

# Scope: Nanyuan's operator sees E1 and C1, nothing of Fubao.
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get '/api/v1/reports/response?since=1d&by=subdistrict')" "Nanyuan's report"
cb_assert_eq "440304001000 2" "$(hub_json '" | ".join("%s %d" % (w["key"], w["dispatched"]) for w in j["rows"])')" "only Nanyuan"
! grep -q -e 4403040100 -e 福保 -e Fubao "$HUB_OUT" || cb_fail "the Nanyuan operator sees Fubao: $(cat "$HUB_OUT")"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get '/api/v1/reports/response?since=1d')" "Nanyuan by dept"
cb_assert_eq "city-management fire market" "$(hub_json '" ".join(w["key"] for w in j["rows"])')" "no emergency (E2 is Fubao's)"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_VIEWER hub_get '/api/v1/reports/response')" "a viewer may read it"

# Bad parameters: 400 naming the parameter.
cb_assert_eq 400 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/reports/response?since=7x')" "bad since"
cb_assert_contains "$(cat "$HUB_OUT")" '\"since\": expected a duration' "names since"
cb_assert_eq 400 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/reports/response?since=500d')" "since too long"
cb_assert_eq 400 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/reports/response?by=team')" "bad by"
cb_assert_contains "$(cat "$HUB_OUT")" '\"by\": expected' "names by"

# The console's report.
CB="$top_builddir/tui/citybrain"
export CITYBRAIN_SOCKET="$HUB_SOCKET"
out=$("$CB" report --since 1d 2>&1) || cb_fail "citybrain report: $out"
cb_assert_contains "$out" "Response by department" "table title"
cb_assert_contains "$(printf '%s\n' "$out" | grep '^emergency ')" "0/1 0%" "emergency: 0 of 1 in time"
cb_assert_contains "$(printf '%s\n' "$out" | grep '^total ')" "1/2 50%" "total in time"
out=$("$CB" report --since 1d --by subdistrict --csv 2>&1) || cb_fail "citybrain report --csv: $out"
cb_assert_eq "key,place,dispatched,alerts,cases,acknowledged,ack_p50_s,ack_p90_s,resolved,resolve_p50_s,resolve_p90_s,due,in_time,in_time_share,overdue,open_overdue,escalations" \
	"$(printf '%s\n' "$out" | head -1 | tr -d '\r')" "CSV heading"
cb_assert_eq "440304010000,福保街道,1,1,0,0,,,0,,,1,0,0.0000,1,1,0" \
	"$(printf '%s\n' "$out" | grep '^440304010000' | tr -d '\r')" "Fubao's CSV line"
out=$("$CB" report --since 1d --by rule --json 2>&1) || cb_fail "citybrain report --json: $out"
cb_assert_eq 3 "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["dispatched"])')" "--json"
"$CB" report --by team >/dev/null 2>&1
cb_assert_eq 2 "$?" "citybrain report --by team: usage"
"$CB" report --since 7x >/dev/null 2>&1
cb_assert_eq 1 "$?" "citybrain report --since 7x: the hub's 400"

# After a restart the same figures: the report reads the store.
hub_finish
hub_start
cb_wait_for e2_overdue || cb_fail "after restart: $(cat "$HUB_OUT")"
cb_assert_eq "$want" "$(report_dept)" "by department after a restart"
: "$E3" "$C1"
hub_finish
cb_done
