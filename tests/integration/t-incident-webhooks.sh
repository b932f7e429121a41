#!/bin/sh
# Incident webhooks (issue 17): an incident opened, dispatched, handled
# and closed is posted as {"kind": "incident", "event": ...} to the
# webhooks of its lead and supporting departments (the supervisors' one
# while it has no lead), through the alerts' delivery queue: recorded
# under the incident's id in /api/v1/deliveries, a failed attempt
# retried with backoff.  Dispatching an incident of two alerts posts to
# each department exactly one incident post and one dispatch post per
# alert; an alert joining it later, its dispatch posts only.
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

# What a department receives when an incident is dispatched: one
# "incident" post (event dispatched) and one "dispatch" post for each of
# its alerts newly dispatched to it, whose alert names the incident; an
# alert that joins the dispatched incident later brings its "dispatch"
# posts only.
# posts_since N: the posts after line N of the log, "PATH KIND ID
# INCIDENT" sorted (ID: the incident's or the alert's).
posts_since() {
	python3 - "$HUB_DIR/hooks.log" "$1" <<'PY'
import json, sys
rows = []
for l in open(sys.argv[1], encoding="utf-8").read().splitlines()[int(sys.argv[2]):]:
    path, body = l.split(" ", 1)
    j = json.loads(body)
    if j["kind"] == "incident":
        rows.append("%s incident:%s %s" % (path, j["event"], j["incident"]["id"]))
    else:
        rows.append("%s %s %s %s" % (path, j["kind"], j["alert"]["id"], j["alert"].get("incident")))
print("\n".join(sorted(rows)))
PY
}
# until_posts N SINCE: wait until N posts arrived after line SINCE, and a
# second more for any extra one.
until_posts() {
	_end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt $_end ]; do
		[ "$(($(wc -l <"$HUB_DIR/hooks.log") - $2))" -ge "$1" ] && break
		sleep 0.2
	done
	sleep 1
}
A4=$(event flood/n4 440304001001001)
A5=$(event flood/n5 440304001001002)
A6=$(event flood/n6 440304001002001)
cb_assert_eq 201 "$(post "$HUB_TOK_SUPER" /api/v1/incidents "{\"alerts\": [\"$A4\", \"$A5\"], \"title\": \"two pumps\", \"dept\": \"water\", \"support\": [\"fire\"]}")" "incident of two alerts"
I4=$(hub_json 'j["id"]')
until_posts 2 "$(wc -l <"$HUB_DIR/hooks.log")"
n=$(wc -l <"$HUB_DIR/hooks.log")
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/incidents/$I4/dispatch" '{"deadline": "2h"}')" "dispatch the incident of two alerts"
until_posts 6 "$n"
cb_assert_eq "/fire dispatch $A4 $I4
/fire dispatch $A5 $I4
/fire incident:dispatched $I4
/water dispatch $A4 $I4
/water dispatch $A5 $I4
/water incident:dispatched $I4" "$(posts_since "$n")" \
	"per department: one incident post and one dispatch post per alert (naming the incident)"
n=$(wc -l <"$HUB_DIR/hooks.log")
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/incidents/$I4/add" "{\"alerts\": [\"$A6\"]}")" "an alert joins the dispatched incident"
until_posts 2 "$n"
cb_assert_eq "/fire dispatch $A6 $I4
/water dispatch $A6 $I4" "$(posts_since "$n")" "the joining alert's dispatch posts, no incident post"
# kinds: the deliveries' kinds in the answer, "KIND:COUNT,...".
kinds() {
	hub_json '",".join("%s:%d" % (k, n) for k, n in sorted(__import__("collections").Counter(d["kind"] for d in j["deliveries"]).items()))'
}
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/deliveries?alert=$I4")" "the incident's deliveries"
cb_assert_eq "incident:4" "$(kinds)" \
	"the incident's deliveries: opened and dispatched, to water and fire"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/deliveries?alert=$A4")" "an alert's deliveries"
cb_assert_eq "dispatch:2" "$(kinds)" \
	"the alert's own deliveries: its dispatch, to water and fire"
hub_finish
cb_done
