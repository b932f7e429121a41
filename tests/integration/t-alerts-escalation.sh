#!/bin/sh
# Escalation chains in the real hub (issue 17): a high event nobody
# acknowledges climbs its severity's chain (desk, supervisor, department)
# step by step, each step in its history, the audit log and a webhook to
# its target; an acknowledged one stops at the step it reached; the
# console's `citybrain alerts` shows the step.  A rules file with mutual
# inhibition is refused by --check-config with file:line:column.
# Steps are seconds apart and every wait polls a condition up to a 60 s
# deadline: a loaded machine only makes the test slower, and the order of
# the steps is asserted from the history, never from timing.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf supervisor 440304000000
RPORT=$(cb_free_port)
cb_start receiver python3 "$top_srcdir/tests/integration/webhook-receiver.py" "$RPORT" "$HUB_DIR/hooks.log"
cat >"$HUB_DIR/rules.json" <<JSON
{"settings": {"eval_interval": "1s",
   "escalation": {"high": [{"after": "1s", "to": "desk:dispatch"},
                           {"after": "2s", "to": "role:supervisor"},
                           {"after": "3s", "to": "dept:water"}],
                  "medium": [{"after": "1s", "to": "desk:dispatch"},
                             {"after": "5s", "to": "role:supervisor"}]},
   "escalation_webhooks": {"desk:dispatch": "http://127.0.0.1:$RPORT/desk"},
   "supervisors_webhook": "http://127.0.0.1:$RPORT/sup",
   "webhook_retries": 4, "webhook_backoff": "200ms"},
 "departments": {"water": {"webhook": "http://127.0.0.1:$RPORT/water"}},
 "rules": []}
JSON
hub_start
f="$HUB_DIR/body.json"
G1=440304001001001
G2=440304001001002
post() { # TOKEN PATH JSON
	printf '%s' "$3" >"$f"
	TOKEN=$1 hub_post "$2" "$f"
}
# wait_until WHAT EXPR: poll alert $A until EXPR (over its JSON j) is True.
wait_until() {
	_end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt $_end ]; do
		hub_sock "/api/v1/alerts/$A" >/dev/null
		[ "$(hub_json "$2")" = True ] && return 0
		sleep 0.2
	done
	cb_fail "$1: not within 60 s ($(hub_json "$2"))"
	return 1
}

# A high event, and a medium one acknowledged once it reached step 1.
cb_assert_eq 202 "$(post "$HUB_TOK_COLLECTOR" /api/v1/events \
	"{\"key\": \"fire/$G1\", \"severity\": \"high\", \"labels\": {\"grid\": \"$G1\", \"system\": \"fire-iot\"}, \"message\": \"smoke 1\"}")" "event 1"
A1=$(hub_json 'j["id"]')
cb_assert_eq 202 "$(post "$HUB_TOK_COLLECTOR" /api/v1/events \
	"{\"key\": \"fire/$G2\", \"severity\": \"medium\", \"labels\": {\"grid\": \"$G2\", \"system\": \"fire-iot\"}, \"message\": \"smoke 2\"}")" "event 2"
A2=$(hub_json 'j["id"]')
A=$A2
wait_until "second alert at step 1" 'j["escalation_step"] >= 1'
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A2/ack" -X POST -d '{"comment": "on it"}')" "ack"
hub_sock "/api/v1/alerts/$A2" >/dev/null
S2=$(hub_json 'j["escalation_step"]')

# The first climbs all three steps, in order, once each.
A=$A1
wait_until "first alert at step 3" 'j["escalation_step"] == 3'
cb_assert_eq dept:water "$(hub_json 'j["escalated_to"]')" "last step's target"
cb_assert_eq True "$(hub_json 'j["escalated"]')" "escalated"
cb_assert_eq '[[1, "desk:dispatch"], [2, "role:supervisor"], [3, "dept:water"]]' \
	"$(hub_json '[[h["after"]["escalation_step"], h["after"]["to"]] for h in j["history"] if h["action"] == "escalate"]')" \
	"steps in order in the history"

# The acknowledged one stays where it was when acknowledged, also once
# its chain's second step (5 s) is well past.
A=$A2
wait_until "second step's time past" \
	'j["fired_ms"] + 7000 < __import__("time").time() * 1000'
cb_assert_eq "$S2" "$(hub_json 'j["escalation_step"]')" "ack stops the chain"
cb_assert_eq "$S2" "$(hub_json 'len([h for h in j["history"] if h["action"] == "escalate"])')" \
	"no step after the ack"
cb_assert_eq acknowledged "$(hub_json 'j["state"]')" "still acknowledged"

# The audit log has each step of the first alert, by the timer.
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/audit?action=alert.escalate&limit=100")" "audit"
cb_assert_eq '[[1, "desk:dispatch", "timer"], [2, "role:supervisor", "timer"], [3, "dept:water", "timer"]]' \
	"$(hub_json '[[e["after"]["escalation_step"], e["after"]["to"], e["via"]] for e in j["entries"] if e["target"] == "'$A1'"]')" \
	"audit entries"

# Each step's webhook: the desk's, the supervisors', the department's.
_end=$(($(date +%s) + 60))
while [ "$(date +%s)" -lt $_end ]; do
	[ "$(grep -c "\"$A1\"" "$HUB_DIR/hooks.log" 2>/dev/null)" -ge 3 ] && break
	sleep 0.2
done
cb_assert_eq "/desk 1 /sup 2 /water 3" "$(python3 - "$HUB_DIR/hooks.log" "$A1" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1], encoding="utf-8"):
    path, body = line.split(" ", 1)
    b = json.loads(body)
    if b["alert"]["id"] == sys.argv[2] and b["kind"] == "escalate":
        out += [path, str(b["alert"]["escalation_step"])]
print(" ".join(out))
PY
)" "escalation webhooks in order"

# The console's list says how far it went.
cli=$("$top_builddir/tui/citybrain" -S "$HUB_SOCKET" alerts 2>&1)
cb_assert_contains "$cli" "[escalated 3: dept:water] smoke 1" "citybrain alerts shows the step"
hub_finish

# Mutual inhibition is refused at load, naming the place.
cat >"$HUB_DIR/rules.json" <<'JSON'
{"rules": [
 {"name": "a", "selector": "m", "op": ">", "threshold": 1, "severity": "high",
  "inhibits": [{"rules": ["b"]}]},
 {"name": "b", "selector": "m", "op": ">", "threshold": 2, "severity": "high",
  "inhibits": [{"rules": ["a"]}]}]}
JSON
out=$("$HUB_BIN" --check-config --config "$HUB_DIR/hub.json" 2>&1)
cb_assert_contains "$out" "rules.json:5:27: \"rules[1].inhibits[0].rules[0]\": mutual inhibition: \"a\" inhibits \"b\" inhibits \"a\"" \
	"--check-config refuses mutual inhibition"
cb_done
