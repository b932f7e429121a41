#!/bin/sh
# Incident webhooks (issue 17): an incident opened, dispatched, handled
# and closed is posted as {"kind": "incident", "event": ...} to the
# webhooks of its lead and supporting departments (the supervisors' one
# while it has no lead), through the alerts' delivery queue: recorded
# under the incident's id in /api/v1/deliveries, a failed attempt
# retried with backoff.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf supervisor 440304000000
RPORT=$(cb_free_port)
DEAD=$(cb_free_port) # nobody listens: every attempt fails
cb_start receiver python3 "$top_srcdir/tests/integration/webhook-receiver.py" "$RPORT" "$HUB_DIR/hooks.log"
cat >"$HUB_DIR/rules.json" <<JSON
{"settings": {"eval_interval": "1s",
   "supervisors_webhook": "http://127.0.0.1:$RPORT/sup",
   "webhook_retries": 2, "webhook_backoff": "200ms"},
 "departments": {"water": {"webhook": "http://127.0.0.1:$RPORT/water"},
                 "fire": {"webhook": "http://127.0.0.1:$RPORT/fire"},
                 "environment": {"webhook": "http://127.0.0.1:$DEAD/env"}},
 "rules": []}
JSON
hub_start
f="$HUB_DIR/body.json"
post() { # TOKEN PATH JSON
	printf '%s' "$3" >"$f"
	TOKEN=$1 hub_post "$2" "$f"
}
event() { # KEY GRID
	post "$HUB_TOK_COLLECTOR" /api/v1/events "{\"key\": \"$1\", \"severity\": \"high\",
	 \"labels\": {\"grid\": \"$2\", \"system\": \"water-level-iot\"}, \"message\": \"$1\"}" >/dev/null
	hub_json 'j.get("id", "")'
}
# hooks: the incident posts received, "PATH EVENT ID DEPT" in order.
hooks() {
	python3 - "$HUB_DIR/hooks.log" <<'PY'
import json, sys
try:
    lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
except FileNotFoundError:
    lines = []
for l in lines:
    path, body = l.split(" ", 1)
    j = json.loads(body)
    if j.get("kind") == "incident":
        print(path, j["event"], j["incident"]["id"], j["dept"])
PY
}
# until_hooks N: wait until N incident posts were received.
until_hooks() {
	_end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt $_end ]; do
		[ "$(hooks | wc -l)" -ge "$1" ] && return 0
		sleep 0.2
	done
	cb_fail "$1 incident webhooks: not within 60 s"
}

A1=$(event flood/n1 440304001001001)
A2=$(event flood/n2 440304001001002)
cb_assert_eq 201 "$(post "$HUB_TOK_SUPER" /api/v1/incidents "{\"alerts\": [\"$A1\"], \"title\": \"flooding\", \"dept\": \"water\", \"support\": [\"fire\"]}")" "incident with a lead"
I1=$(hub_json 'j["id"]')
until_hooks 2
cb_assert_eq "/water opened $I1 water
/fire opened $I1 fire" "$(hooks)" "opened: to the lead and the support"
cb_assert_eq True "$(python3 -c 'import json,sys; j=json.loads(open(sys.argv[1]).readline().split(" ",1)[1]); print(j["incident"]["alerts"] == [sys.argv[2]] and j["incident"]["state"] == "open" and j["incident"]["lead"] == "water")' "$HUB_DIR/hooks.log" "$A1")" \
	"the posted incident holds its first alert"
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/incidents/$I1/dispatch" '{"deadline": "2h"}')" "dispatch"
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/incidents/$I1/handle" '{}')" "handle"
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/incidents/$I1/close" '{}')" "close"
until_hooks 8
cb_assert_eq "dispatched dispatched handled handled closed closed" \
	"$(hooks | sed -n '3,8p' | awk '{print $2}' | tr '\n' ' ' | sed 's/ $//')" "each step of the lifecycle, once per department"

# Without a lead department: the supervisors' webhook.
cb_assert_eq 201 "$(post "$HUB_TOK_SUPER" /api/v1/incidents "{\"alerts\": [\"$A2\"], \"title\": \"who leads?\"}")" "incident without a lead"
I2=$(hub_json 'j["id"]')
until_hooks 9
cb_assert_eq "/sup opened $I2 None" "$(hooks | sed -n 9p)" "to the supervisors"

# The deliveries are recorded under the incident's id; a department
# whose webhook does not answer: retried, then failed.
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/deliveries?alert=$I1")" "deliveries"
cb_assert_eq "8 incident delivered" \
	"$(hub_json '"%d %s %s" % (len(j["deliveries"]), ",".join(sorted(set(d["kind"] for d in j["deliveries"]))), ",".join(sorted(set(d["state"] for d in j["deliveries"]))))')" \
	"eight incident deliveries, all delivered"
A3=$(event flood/n3 440304001002001)
cb_assert_eq 201 "$(post "$HUB_TOK_SUPER" /api/v1/incidents "{\"alerts\": [\"$A3\"], \"title\": \"smell\", \"dept\": \"environment\"}")" "incident led by environment"
I3=$(hub_json 'j["id"]')
_end=$(($(date +%s) + 60))
while [ "$(date +%s)" -lt $_end ]; do
	TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/deliveries?alert=$I3" >/dev/null
	[ "$(hub_json '[d["state"] for d in j["deliveries"]] == ["failed"]' 2>/dev/null)" = True ] && break
	sleep 0.2
done
cb_assert_eq "failed 3 environment" \
	"$(hub_json '"%s %d %s" % (j["deliveries"][0]["state"], j["deliveries"][0]["attempts"], j["deliveries"][0]["dept"])')" \
	"an unanswered webhook: three attempts, then failed"
hub_finish
cb_done
