#!/bin/sh
# The audit chain against the real hub: the HMAC key created 0600 beside
# hub.json (outside the data directory), the head anchored in a file there,
# start-up verification (a broken chain makes /healthz "degraded", the
# /metrics gauge 0, an error in the log, and /api/v1/audit says where),
# scope masking of silences' entries, a key file that cannot be read keeps
# the hub from starting, and regex selectors refused with a 400 naming
# the pattern.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf supervisor 440304000000
cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s"}, "rules": []}
JSON
hub_start
f="$HUB_DIR/body.json"
G1=440304001001001 # Nanyuan
FUBAO=440304010000

# ---- Key and anchor -----------------------------------------------------
[ -f "$HUB_DIR/audit.key" ] || cb_fail "no audit key beside hub.json"
cb_assert_eq 600 "$(stat -c %a "$HUB_DIR/audit.key")" "key mode"
[ -e "$HUB_DIR/data/audit.key" ] && cb_fail "key inside the data directory"

cat >"$f" <<JSON
{"key": "fire/$G1/a1", "severity": "high", "labels": {"grid": "$G1", "system": "water-level-iot"},
 "message": "smoke", "dept": "fire"}
JSON
cb_assert_eq 202 "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/events "$f")" "raise"
A1=$(hub_json 'j["id"]')
printf '{"comment": "on it"}' >"$f"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_post "/api/v1/alerts/$A1/ack" "$f")" "ack"

# A district supervisor's silence over Fubao only: its reason is Fubao's.
printf '{"matchers": [{"tag": "subdistrict", "op": "=", "value": "%s"}], "reason": "fubao-secret-reason", "duration": "1h"}' $FUBAO >"$f"
cb_assert_eq 201 "$(TOKEN=$HUB_TOK_SUPER hub_post /api/v1/silences "$f")" "silence"

cb_assert_eq 200 "$(hub_sock /api/v1/audit/verify)" "verify"
cb_assert_eq True "$(hub_json 'j["ok"]')" "chain intact"
cb_assert_eq intact "$(hub_json 'j["chain"]')" "chain field"
[ "$(hub_json 'j["records"]')" -ge 2 ] || cb_fail "records not checked: $(cat "$HUB_OUT")"
head=$(hub_json 'j["head"]')
cb_assert_eq "$head" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hash"])' "$HUB_DIR/audit-anchor.json")" \
	"anchor file holds the head"
cb_assert_eq 200 "$(hub_sock /healthz)" "healthz"
cb_assert_eq intact "$(hub_json 'j["audit"]["chain"]')" "healthz audit"
cb_assert_eq 200 "$(hub_get /metrics)" "metrics"
cb_assert_contains "$(cat "$HUB_OUT")" "citybraind_audit_chain_intact 1" "gauge intact"

# ---- Scope masking of silences' entries ---------------------------------
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/audit?limit=1000')" "supervisor audit"
cb_assert_contains "$(cat "$HUB_OUT")" "fubao-secret-reason" "the district sees Fubao's silence"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get '/api/v1/audit?limit=1000')" "operator audit"
case $(cat "$HUB_OUT") in
*fubao-secret-reason* | *silence.create*) cb_fail "a Nanyuan operator sees Fubao's silence in the audit" ;;
esac
cb_assert_contains "$(hub_json '[e["action"] for e in j["entries"]]')" "alert.ack" "own entries shown"
cb_assert_eq "[]" "$(hub_json '[e["seq"] for e in j["entries"] if e.get("tampered")]')" "nothing flagged"

# ---- Bounded regular expressions ----------------------------------------
cb_assert_eq 400 "$(hub_sock '/api/v1/series?q=m%7Bt%3D~%22a%2B%2B%2B%2B%2B%2B%2B%2B%2B%2B%22%7D')" "pathological regex refused"
cb_assert_contains "$(hub_json 'j["error"]')" 'regular expression "a++++++++++"' "error names the pattern"
printf '{"matchers": [{"tag": "grid", "op": "=~", "value": "((a{1,100}){1,100}){1,100}"}], "reason": "x", "duration": "1h"}' >"$f"
cb_assert_eq 400 "$(TOKEN=$HUB_TOK_SUPER hub_post /api/v1/silences "$f")" "pathological silence refused"
cb_assert_contains "$(hub_json 'j["error"]')" '((a{1,100}){1,100}){1,100}' "silence error names the pattern"

# ---- A truncated log found at start-up ----------------------------------
# The anchor outside the database says the log went further than it does
# (what deleting the last entries and rewriting audit-head leaves).
cb_stop hub
seq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seq"])' "$HUB_DIR/audit-anchor.json")
printf '{"seq": %d, "hash": "%s"}\n' $((seq + 3)) "$head" >"$HUB_DIR/audit-anchor.json"
hub_start
cb_assert_eq 200 "$(hub_sock /healthz)" "healthz when broken"
cb_assert_eq degraded "$(hub_json 'j["status"]')" "healthz degraded"
cb_assert_eq broken "$(hub_json 'j["audit"]["chain"]')" "healthz audit broken"
cb_assert_contains "$(hub_json 'j["audit"]["reason"]')" "truncated" "healthz reason"
cb_assert_eq 200 "$(hub_get /metrics)" "metrics when broken"
cb_assert_contains "$(cat "$HUB_OUT")" "citybraind_audit_chain_intact 0" "gauge broken"
cb_assert_eq 200 "$(hub_sock '/api/v1/audit?limit=10')" "audit when broken"
cb_assert_contains "$(hub_json 'j["chain"]')" "broken at $((seq + 1))" "audit says where"
cb_assert_eq 200 "$(hub_sock /api/v1/audit/verify)" "verify when broken"
cb_assert_eq False "$(hub_json 'j["ok"]')" "verify broken"
grep -q "AUDIT CHAIN BROKEN" "$CB_TMP/hub.log" || cb_fail "no error in the hub's log"
# New entries do not overwrite the evidence.
printf '{"comment": "more"}' >"$f"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_post "/api/v1/alerts/$A1/comment" "$f")" "comment"
cb_assert_eq $((seq + 3)) "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seq"])' "$HUB_DIR/audit-anchor.json")" \
	"anchor kept while broken"
cb_assert_eq 200 "$(hub_sock '/api/v1/audit?limit=10')" "audit after the break"
cb_assert_eq "[$((seq + 1))]" "$(hub_json '[e["seq"] for e in j["entries"] if e.get("tampered")]')" \
	"the entry where the chain breaks is flagged"
hub_finish

# ---- A key that cannot be read: no start ---------------------------------
rm -f "$HUB_DIR/audit.key"
mkdir "$HUB_DIR/audit.key"
if "$HUB_BIN" --config "$HUB_DIR/hub.json" --listen "127.0.0.1:$(cb_free_port)" --socket "" \
	>"$HUB_DIR/nokey.out" 2>&1; then
	cb_fail "the hub started without a readable audit key"
fi
cb_assert_contains "$(cat "$HUB_DIR/nokey.out")" "audit key $HUB_DIR/audit.key" "names the key file"

cb_done
