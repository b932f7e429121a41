#!/bin/sh
# Events and silences cross no scope (issue #20): a one-grid collector token
# cannot rewrite another place's alert (the HIJACK example) nor raise a
# district-wide one from an event without labels; every change an event
# makes is in the alert's history and the audit; silences are shown, made
# and deleted by territory; what a client may store is bounded (413 naming
# the limit in hub.json "limits").
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf supervisor 440304000000
TOK_GRID=cbt_test_one_grid      # every system, grid Nanyuan/Dongyuan 01 only
TOK_NSUP=cbt_test_nanyuan_super # user nanyuan-supervisor
python3 - "$HUB_DIR" <<'PY'
import hashlib, json, sys
d = sys.argv[1]
h = lambda s: hashlib.sha256(s.encode()).hexdigest()
t = json.load(open(d + "/tokens.json"))
t["tokens"].append({"name": "one-grid", "sha256": h("cbt_test_one_grid"),
                    "systems": ["*"], "grids": ["440304001001001"]})
t["tokens"].append({"name": "nanyuan-super", "sha256": h("cbt_test_nanyuan_super"),
                    "user": "nanyuan-supervisor"})
json.dump(t, open(d + "/tokens.json", "w"), indent=1)
u = json.load(open(d + "/users.json"))
u["users"].append({"name": "nanyuan-supervisor", "role": "supervisor", "scope": "440304001000"})
json.dump(u, open(d + "/users.json", "w"), indent=1)
c = json.load(open(d + "/hub.json"))
c["limits"].update({"max_text_bytes": 1000, "max_event_labels": 8, "max_label_bytes": 64})
json.dump(c, open(d + "/hub.json", "w"), indent=1)
PY
cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s", "flap_window": "10m"}, "rules": []}
JSON
hub_start
f="$HUB_DIR/body.json"
G1=440304001001001  # Nanyuan / Dongyuan 01: the one-grid token's
G2=440304010001001  # Fubao / Xingang 01
post() { # TOKEN PATH JSON
	printf '%s' "$3" >"$f"
	TOKEN=$1 hub_post "$2" "$f"
}

# ---- The HIJACK example -------------------------------------------------
cb_assert_eq 202 "$(post "$HUB_TOK_COLLECTOR" /api/v1/events \
	"{\"key\": \"fire-alarm/$G2/f1\", \"labels\": {\"grid\": \"$G2\", \"system\": \"fire-alarm-iot\"}, \"message\": \"smoke in Fubao\"}")" \
	"district collector raises in Fubao"
A2=$(hub_json 'j["id"]')
cb_assert_eq 403 "$(post "$TOK_GRID" /api/v1/events \
	"{\"key\": \"fire-alarm/$G2/f1\", \"state\": \"firing\", \"message\": \"HIJACK\"}")" "HIJACK refused"
cb_assert_contains "$(hub_json 'j["error"]')" "token one-grid may not write for alert $A2 ($G2" "403 says why"
cb_assert_eq 403 "$(post "$TOK_GRID" /api/v1/events \
	"{\"key\": \"fire-alarm/$G2/f1\", \"labels\": {\"grid\": \"$G1\"}, \"message\": \"HIJACK\"}")" "HIJACK with own labels"
cb_assert_eq 403 "$(post "$TOK_GRID" /api/v1/events \
	"{\"key\": \"fire-alarm/$G2/f1\", \"state\": \"resolved\"}")" "resolving it"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A2")" "the Fubao alert"
cb_assert_eq "smoke in Fubao" "$(hub_json 'j["message"]')" "message untouched"
cb_assert_eq firing "$(hub_json 'j["state"]')" "state untouched"
cb_assert_eq 403 "$(post "$TOK_GRID" /api/v1/events '{"key": "flood/everywhere", "message": "x"}')" \
	"no labels: district-wide refused"
cb_assert_contains "$(hub_json 'j["error"]')" "the whole district" "district-wide 403 says why"
cb_assert_eq 403 "$(post "$TOK_GRID" /api/v1/events \
	"{\"key\": \"x/$G2\", \"labels\": {\"grid\": \"$G2\"}}")" "another grid"
cb_assert_eq 403 "$(post "$HUB_TOK_OPERATOR" /api/v1/events \
	"{\"key\": \"fire-alarm/$G2/f1\", \"message\": \"HIJACK\"}")" "Nanyuan operator on Fubao's alert"
cb_assert_eq 200 "$(hub_sock /api/v1/alerts)" "list"
cb_assert_eq 1 "$(hub_json 'j["total"]')" "nothing raised by the refused events"

# ---- Every change an event makes is recorded ------------------------------
cb_assert_eq 202 "$(post "$TOK_GRID" /api/v1/events \
	"{\"key\": \"pump/$G1\", \"labels\": {\"grid\": \"$G1\", \"system\": \"water-level-iot\"}, \"message\": \"pump stopped\"}")" \
	"one-grid token in its grid"
A1=$(hub_json 'j["id"]')
cb_assert_eq 202 "$(post "$TOK_GRID" /api/v1/events "{\"key\": \"pump/$G1\", \"message\": \"pump stopped\"}")" "same again"
cb_assert_eq 202 "$(post "$TOK_GRID" /api/v1/events "{\"key\": \"pump/$G1\", \"message\": \"pump burning\"}")" "message rewrite"
cb_assert_eq 202 "$(post "$TOK_GRID" /api/v1/events "{\"key\": \"pump/$G1\", \"state\": \"resolved\"}")" "resolve"
cb_assert_eq 202 "$(post "$TOK_GRID" /api/v1/events "{\"key\": \"pump/$G1\", \"message\": \"pump stopped again\"}")" "reopen"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A1")" "history"
cb_assert_eq "fire refresh resolve refresh reopen" \
	"$(hub_json '" ".join(h["action"] for h in j["history"])')" "history of the event's changes"
cb_assert_eq "pump burning" "$(hub_json 'j["history"][1]["after"]["message"]')" "refresh after"
cb_assert_eq 200 "$(hub_sock "/api/v1/audit?limit=1000&action=alert.")" "audit"
cb_assert_eq "alert.fire alert.refresh alert.resolve alert.refresh alert.reopen" \
	"$(hub_json '" ".join(e["action"] for e in j["entries"] if e["target"] == "'"$A1"'")')" "audit of the event's changes"
cb_assert_eq "one-grid" "$(hub_json '[e.get("token") for e in j["entries"] if e["action"] == "alert.refresh"][0]')" "refresh audited with the token"
cb_assert_eq 200 "$(hub_sock /api/v1/audit/verify)" "verify"
cb_assert_eq True "$(hub_json 'j["ok"]')" "chain intact"

# ---- Silences by territory, per role ------------------------------------
cb_assert_eq 201 "$(post "$HUB_TOK_SUPER" /api/v1/silences \
	"{\"matchers\": [{\"tag\": \"grid\", \"op\": \"=\", \"value\": \"$G2\"}], \"reason\": \"secret Fubao works\", \"duration\": \"1h\"}")" \
	"district supervisor silences Fubao"
S2=$(hub_json 'j["id"]')
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get /api/v1/silences)" "supervisor lists"
cb_assert_eq "[\"$S2\"]" "$(hub_json '[s["id"] for s in j["silences"]]')" "district supervisor sees it"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_VIEWER hub_get /api/v1/silences)" "district viewer lists"
cb_assert_eq "[\"$S2\"]" "$(hub_json '[s["id"] for s in j["silences"]]')" "district viewer sees it"
for t in "$HUB_TOK_OPERATOR" "$TOK_NSUP"; do
	cb_assert_eq 200 "$(TOKEN=$t hub_get '/api/v1/silences?all=1')" "Nanyuan lists"
	cb_assert_eq "[]" "$(hub_json '[s["id"] for s in j["silences"]]')" "Fubao's silence masked from Nanyuan"
	cb_assert_eq 200 "$(TOKEN=$t hub_get '/api/v1/audit?limit=1000&action=silence.')" "Nanyuan audit"
	cb_assert_eq 0 "$(grep -c 'secret Fubao' "$HUB_OUT")" "Fubao's reason not in Nanyuan's audit"
done
cb_assert_eq 403 "$(post "$TOK_NSUP" /api/v1/silences \
	"{\"matchers\": [{\"tag\": \"grid\", \"op\": \"=\", \"value\": \"$G2\"}], \"reason\": \"x\", \"duration\": \"1h\"}")" \
	"Nanyuan supervisor silencing Fubao"
cb_assert_contains "$(hub_json 'j["error"]')" "outside your scope" "403 says why"
cb_assert_eq 404 "$(TOKEN=$TOK_NSUP hub_get "/api/v1/silences/$S2" -X DELETE)" "Nanyuan deleting Fubao's silence"
cb_assert_eq 201 "$(post "$TOK_NSUP" /api/v1/silences \
	"{\"matchers\": [{\"tag\": \"grid\", \"op\": \"=\", \"value\": \"$G1\"}], \"reason\": \"pump swap\", \"duration\": \"1h\"}")" \
	"Nanyuan supervisor silences Nanyuan"
S1=$(hub_json 'j["id"]')
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/silences)" "Nanyuan operator lists"
cb_assert_eq "[\"$S1\"]" "$(hub_json '[s["id"] for s in j["silences"]]')" "Nanyuan's own silence shown"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get /api/v1/silences)" "district lists both"
cb_assert_eq 2 "$(hub_json 'len(j["silences"])')" "district sees both"

# ---- Bounds (hub.json limits: 1000 bytes of text, 8 labels of 64 bytes) ---
long=$(python3 -c 'print("x" * 1001)')
cb_assert_eq 413 "$(post "$HUB_TOK_OPERATOR" "/api/v1/alerts/$A1/comment" "{\"comment\": \"$long\"}")" "long comment"
cb_assert_contains "$(hub_json 'j["error"]')" "limits.max_text_bytes (1000)" "413 names the limit"
cb_assert_eq 413 "$(post "$HUB_TOK_OPERATOR" "/api/v1/alerts/$A1/dispatch" "{\"dept\": \"water\", \"comment\": \"$long\"}")" "long dispatch note"
cb_assert_eq 413 "$(post "$TOK_GRID" /api/v1/events "{\"key\": \"pump/$G1\", \"message\": \"$long\"}")" "long event message"
cb_assert_eq 413 "$(post "$HUB_TOK_SUPER" /api/v1/silences \
	"{\"matchers\": [{\"tag\": \"grid\", \"op\": \"=\", \"value\": \"$G1\"}], \"reason\": \"$long\", \"duration\": \"1h\"}")" "long silence reason"
cb_assert_eq 413 "$(post "$TOK_GRID" /api/v1/events \
	"{\"key\": \"k/$G1\", \"labels\": {\"grid\": \"$G1\", \"a\": \"1\", \"b\": \"1\", \"c\": \"1\", \"d\": \"1\", \"e\": \"1\", \"f\": \"1\", \"g\": \"1\", \"h\": \"1\"}}")" \
	"nine labels"
cb_assert_contains "$(hub_json 'j["error"]')" "limits.max_event_labels (8)" "413 names the label limit"
cb_assert_eq 413 "$(post "$TOK_GRID" /api/v1/events \
	"{\"key\": \"k/$G1\", \"labels\": {\"grid\": \"$G1\", \"note\": \"$(python3 -c 'print("v" * 65)')\"}}")" "long label"
cb_assert_contains "$(hub_json 'j["error"]')" "limits.max_label_bytes (64)" "413 names the label size limit"
cb_assert_eq 200 "$(post "$HUB_TOK_OPERATOR" "/api/v1/alerts/$A1/comment" "{\"comment\": \"$(python3 -c 'print("x" * 1000)')\"}")" \
	"a comment at the limit"
cb_assert_eq 200 "$(hub_sock /api/v1/audit/verify)" "verify at the end"
cb_assert_eq True "$(hub_json 'j["ok"]')" "chain intact at the end"

hub_finish
cb_done
