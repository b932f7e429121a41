#!/bin/sh
# The alerts API against the real hub: events raised by collectors (write
# scope), listing with scope masking, every action by role and scope, 409
# naming who did what (also for two operators acknowledging at once),
# joint dispatch, silences, the audit log and its verification, and a
# restart that keeps everything.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf supervisor 440304000000
cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s", "flap_window": "10m"},
 "rules": []}
JSON
hub_start
f="$HUB_DIR/body.json"
G1=440304001001001  # Nanyuan / Dongyuan
G2=440304010001001  # Fubao / Xingang

event() { # TOKEN KEY GRID [SEVERITY] [DEPT]
	cat >"$f" <<JSON
{"key": "$2", "severity": "${4:-high}", "labels": {"grid": "$3", "system": "water-level-iot"},
 "message": "smoke detector in alarm", "dept": "${5:-fire}", "value": 1}
JSON
	TOKEN=$1 hub_post /api/v1/events "$f"
}
action() { # TOKEN ID ACTION BODY
	printf '%s' "$4" >"$f"
	TOKEN=$1 hub_post "/api/v1/alerts/$2/$3" "$f"
}

# ---- Events -------------------------------------------------------------
cb_assert_eq 202 "$(event "$HUB_TOK_COLLECTOR" fire/$G1/smoke-1 $G1)" "raise an event"
A1=$(hub_json 'j["id"]')
cb_assert_eq firing "$(hub_json 'j["state"]')" "event state"
cb_assert_eq 202 "$(event "$HUB_TOK_COLLECTOR" fire/$G2/smoke-2 $G2 medium)" "second event"
A2=$(hub_json 'j["id"]')
cb_assert_eq 403 "$(event "$HUB_TOK_FUBAO" fire/$G1/x $G1)" "token outside its grids"
cb_assert_eq 403 "$(event "$HUB_TOK_VIEWER" fire/$G1/x $G1)" "viewer raising"
cb_assert_eq 400 "$(event "$HUB_TOK_COLLECTOR" fire/x 440304001999999)" "unknown grid"
cb_assert_eq 202 "$(event "$HUB_TOK_COLLECTOR" fire/$G1/smoke-1 $G1)" "raised again"
cb_assert_eq "$A1" "$(hub_json 'j["id"]')" "same alert when raised again"

# ---- Listing, masking ---------------------------------------------------
cb_assert_eq 200 "$(hub_sock /api/v1/alerts)" "list over the socket"
cb_assert_eq 2 "$(hub_json 'j["total"]')" "supervisor sees both"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/alerts)" "operator list"
cb_assert_eq "[\"$A1\"]" "$(hub_json '[a["id"] for a in j["alerts"]]')" "operator sees Nanyuan only"
cb_assert_eq 404 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/alerts/$A2)" "outside scope is 404"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts?severity=medium")" "filter by severity"
cb_assert_eq 1 "$(hub_json 'j["total"]')" "one medium"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts?code=440304010000")" "filter by code"
cb_assert_eq "[\"$A2\"]" "$(hub_json '[a["id"] for a in j["alerts"]]')" "Fubao's alert"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A1")" "one alert"
cb_assert_eq "南园街道 / 东园社区 / 东园01" "$(hub_json 'j["place"]')" "place names"
cb_assert_eq 440304001001 "$(hub_json 'j["labels"]["community"]')" "enriched labels"
cb_assert_eq fire "$(hub_json 'j["dept"]')" "dispatched to the event's dept"
cb_assert_eq 401 "$(TOKEN= hub_get /api/v1/alerts)" "no identity"
cb_assert_eq 403 "$(TOKEN=$HUB_TOK_COLLECTOR hub_get /api/v1/alerts)" "collector reading"

# ---- Actions and roles --------------------------------------------------
cb_assert_eq 403 "$(action "$HUB_TOK_VIEWER" "$A1" ack '{}')" "viewer ack"
cb_assert_eq 404 "$(action "$HUB_TOK_OPERATOR" "$A2" ack '{}')" "operator outside scope"
cb_assert_eq 400 "$(action "$HUB_TOK_OPERATOR" "$A1" ack '{"expires": "soon"}')" "bad expiry"
cb_assert_eq 400 "$(action "$HUB_TOK_OPERATOR" "$A1" ack '{not json')" "bad JSON"
cb_assert_eq 200 "$(action "$HUB_TOK_OPERATOR" "$A1" ack '{"comment": "on my way", "expires": "2h"}')" "operator ack"
cb_assert_eq acknowledged "$(hub_json 'j["state"]')" "acknowledged"
cb_assert_eq nanyuan-operator "$(hub_json 'j["ack"]["by"]')" "ack by"
cb_assert_eq 409 "$(action "$HUB_TOK_SUPER" "$A1" ack '{}')" "second ack"
cb_assert_contains "$(hub_json 'j["error"]')" "already acknowledged by nanyuan-operator at" "409 names who"
cb_assert_eq nanyuan-operator "$(hub_json 'j["by"]')" "409 by"
cb_assert_eq ack "$(hub_json 'j["action"]')" "409 action"
cb_assert_eq 403 "$(action "$HUB_TOK_OPERATOR" "$A1" severity '{"severity": "low"}')" "operator severity"
cb_assert_eq 200 "$(action "$HUB_TOK_SUPER" "$A1" severity '{"severity": "medium", "comment": "contained"}')" "supervisor severity"
cb_assert_eq 400 "$(action "$HUB_TOK_OPERATOR" "$A1" comment '{}')" "empty comment"
cb_assert_eq 200 "$(action "$HUB_TOK_OPERATOR" "$A1" comment '{"comment": "水泵已启动"}')" "comment"
cb_assert_eq 400 "$(action "$HUB_TOK_OPERATOR" "$A1" dispatch '{"dept": "army"}')" "unknown dept"
cb_assert_eq 200 "$(action "$HUB_TOK_OPERATOR" "$A1" dispatch '{"dept": "water", "support": ["fire"], "deadline": "4h"}')" "joint dispatch"
cb_assert_eq '["water", "fire"]' "$(hub_json '[d["dept"] for d in j["depts"]]')" "lead and support"
# A department's part is its users' or a supervisor's (issue 17; the
# operator here has no department: tests/integration/t-desks.sh).
cb_assert_eq 403 "$(action "$HUB_TOK_OPERATOR" "$A1" ack '{"dept": "water", "comment": "crew sent"}')" "no department's user"
cb_assert_eq 200 "$(action "$HUB_TOK_SUPER" "$A1" ack '{"dept": "water", "comment": "crew sent"}')" "water's part by a supervisor"
cb_assert_eq 200 "$(action "$HUB_TOK_SUPER" "$A1" comment '{"dept": "fire", "comment": "no fire found"}')" "fire reports"
cb_assert_eq '["acknowledged", "reported"]' "$(hub_json '[d["state"] for d in j["depts"]]')" "who responded"
cb_assert_eq 404 "$(action "$HUB_TOK_OPERATOR" "$A1" frobnicate '{}')" "unknown action"
cb_assert_eq 404 "$(action "$HUB_TOK_OPERATOR" A999999 ack '{}')" "unknown alert"

# Two operators acknowledging at the same moment: one wins, one gets 409.
cb_assert_eq 202 "$(event "$HUB_TOK_COLLECTOR" fire/$G1/smoke-3 $G1)" "third event"
A3=$(hub_json 'j["id"]')
printf '{"comment": "mine"}' >"$HUB_DIR/ack.json"
curl -s -o "$HUB_DIR/r1" -w '%{http_code}' -H "Authorization: Bearer $HUB_TOK_OPERATOR" \
	--data-binary "@$HUB_DIR/ack.json" "$HUB_URL/api/v1/alerts/$A3/ack" >"$HUB_DIR/c1" &
p1=$!
curl -s -o "$HUB_DIR/r2" -w '%{http_code}' -H "Authorization: Bearer $HUB_TOK_SUPER" \
	--data-binary "@$HUB_DIR/ack.json" "$HUB_URL/api/v1/alerts/$A3/ack" >"$HUB_DIR/c2" &
p2=$!
wait $p1 $p2
codes=$(cat "$HUB_DIR/c1" "$HUB_DIR/c2" | tr -d '\n' | fold -w3 | sort | tr '\n' ' ')
cb_assert_eq "200 409 " "$codes" "concurrent acks"
if [ "$(cat "$HUB_DIR/c1")" = 409 ]; then loser=r1; else loser=r2; fi
cb_assert_contains "$(hub_json 'j["error"]' "$HUB_DIR/$loser")" "already acknowledged by" "loser told who"

# Close.
cb_assert_eq 400 "$(action "$HUB_TOK_OPERATOR" "$A3" close '{}')" "close without reason"
cb_assert_eq 200 "$(action "$HUB_TOK_OPERATOR" "$A3" close '{"reason": "false alarm"}')" "close"
cb_assert_eq 409 "$(action "$HUB_TOK_SUPER" "$A3" close '{"reason": "x"}')" "close twice"
cb_assert_contains "$(hub_json 'j["error"]')" "already closed by nanyuan-operator" "close 409"

# History.
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A1")" "history"
cb_assert_eq "fire ack severity comment dispatch ack report" \
	"$(hub_json '" ".join(h["action"] for h in j["history"])')" "history actions"
cb_assert_eq token "$(hub_json 'j["history"][1]["via"]')" "history via"
cb_assert_contains "$(hub_json 'j["history"][1]["from"]')" "127.0.0.1:" "history from"

# ---- Silences -----------------------------------------------------------
printf '{"matchers": [{"tag": "grid", "op": "=", "value": "%s"}], "reason": "sensor maintenance", "duration": "1h"}' $G2 >"$f"
cb_assert_eq 403 "$(TOKEN=$HUB_TOK_OPERATOR hub_post /api/v1/silences "$f")" "operator silence"
cb_assert_eq 201 "$(TOKEN=$HUB_TOK_SUPER hub_post /api/v1/silences "$f")" "supervisor silence"
S1=$(hub_json 'j["id"]')
cb_assert_eq futian-supervisor "$(hub_json 'j["author"]')" "silence author"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A2")" "silenced alert"
cb_assert_eq True "$(hub_json 'j["silenced"]')" "silenced flag"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts?silenced=1")" "list silenced"
cb_assert_eq 1 "$(hub_json 'j["total"]')" "one silenced"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_VIEWER hub_get /api/v1/silences)" "list silences"
cb_assert_eq "[\"$S1\"]" "$(hub_json '[s["id"] for s in j["silences"]]')" "silence listed"
cb_assert_eq 200 "$(hub_sock /api/v1/overview)" "overview"
cb_assert_eq 1 "$(hub_json 'j["alerts"]["medium"]')" "silenced not counted (A1 only)"

# ---- Audit --------------------------------------------------------------
cb_assert_eq 403 "$(TOKEN=$HUB_TOK_VIEWER hub_get /api/v1/audit)" "viewer audit"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get '/api/v1/audit?since=1&action=alert.ack')" "audit"
cb_assert_contains "$(hub_json '[(e["who"], e["via"], e["target"]) for e in j["entries"]]')" \
	"[\"nanyuan-operator\", \"token\", \"$A1\"]" "ack audited"
cb_assert_eq 200 "$(hub_sock '/api/v1/audit?limit=1000')" "audit tail"
entries=$(hub_json 'len(j["entries"])')
cb_assert_eq 200 "$(hub_sock /api/v1/audit/verify)" "verify"
cb_assert_eq True "$(hub_json 'j["ok"]')" "chain intact"
cb_assert_eq "$entries" "$(hub_json 'j["entries"]')" "all entries verified"

# ---- Restart ------------------------------------------------------------
cb_stop hub
hub_start
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A1")" "after restart"
cb_assert_eq acknowledged "$(hub_json 'j["state"]')" "ack kept"
cb_assert_eq medium "$(hub_json 'j["severity"]')" "severity kept"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A2")" "silenced after restart"
cb_assert_eq True "$(hub_json 'j["silenced"]')" "silence kept"
cb_assert_eq 409 "$(action "$HUB_TOK_SUPER" "$A1" ack '{}')" "409 after restart"
cb_assert_eq 200 "$(hub_sock /api/v1/audit/verify)" "verify after restart"
cb_assert_eq True "$(hub_json 'j["ok"]')" "chain intact after restart"
cb_assert_eq 202 "$(event "$HUB_TOK_COLLECTOR" fire/$G1/smoke-9 $G1)" "new event"
cb_assert_eq A000004 "$(hub_json 'j["id"]')" "ids continue"
printf '' >"$f"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER curl -g -s -o "$HUB_OUT" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $HUB_TOK_SUPER" "$HUB_URL/api/v1/silences/$S1")" "delete silence"
cb_assert_eq False "$(hub_json 'j["active"]')" "silence inactive"

cb_done
