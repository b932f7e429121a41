#!/bin/sh
# Guessing enrolment codes: failed sign-ins are counted per peer address
# and for all peers together; over either bound every sign-in, a right
# code included, is 429 with Retry-After until the window ends; failures
# and the first refusal of a window are audited.  Peers are loopback
# addresses 127.0.0.1-3 (curl --interface).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/worker-lib.sh"

hub_conf supervisor 440304000000
worker_conf 10m
python3 - "$HUB_DIR/hub.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
h["worker"].update({"signin_failures": 3, "signin_failures_all": 5, "signin_window": "4s"})
json.dump(h, open(sys.argv[1], "w"))
PY
hub_start
worker_enrol w1 "$G1"
C1=$CODE
f="$HUB_DIR/body.json"
signin() { # FROM CODE
	printf '{"code": "%s"}' "$2" >"$f"
	TOKEN= hub_post /api/v1/m/signin "$f" --interface "$1" -D "$HUB_DIR/h.txt"
}
audit_count() { # ACTION
	hub_sock "/api/v1/audit?action=$1&limit=1000" >/dev/null
	hub_json 'len(j["entries"])'
}

for i in 1 2 3; do
	cb_assert_eq 401 "$(signin 127.0.0.1 WRONG-CODE$i)" "wrong code $i from .1"
done
cb_assert_eq 429 "$(signin 127.0.0.1 "$C1")" "the right code after 3 failures from .1"
ra=$(sed -n 's/^Retry-After: *\([0-9]*\).*/\1/p' "$HUB_DIR/h.txt")
[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 4 ] || cb_fail "Retry-After: '$ra', expected 1..4"
cb_assert_contains "$(cat "$HUB_OUT")" "try again in" "the refusal says when"
cb_assert_eq 429 "$(signin 127.0.0.1 WRONG-CODE4)" "still refused"
cb_assert_eq 401 "$(signin 127.0.0.2 WRONG-CODE5)" "another peer may try"
cb_assert_eq 401 "$(signin 127.0.0.2 WRONG-CODE6)" "... until all peers together failed 5 times"
cb_assert_eq 429 "$(signin 127.0.0.3 "$C1")" "a third peer: the right code refused too"
cb_assert_eq 5 "$(audit_count worker.refused.signin)" "every failure audited"
cb_assert_eq 2 "$(audit_count worker.limited.signin)" "the first refusal per peer and of all, audited"
cb_assert_eq 200 "$(hub_sock /api/v1/audit/verify)" "audit verify"
cb_assert_eq True "$(hub_json 'j["ok"]')" "the chain is intact"
sleep 4
cb_assert_eq 200 "$(signin 127.0.0.1 "$C1")" "the window ended: the right code signs in"
cb_assert_eq w1 "$(hub_json 'j["name"]')" "as w1"
hub_finish
exit "$CB_FAILED"
