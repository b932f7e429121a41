#!/bin/sh
# Departments and desks (issue 17) against the real hub: users carry a
# department; a supporting department's user acknowledges only its part,
# another department's user gets 403 (audited), a supervisor may, the
# lead's ack acknowledges the alert; desks' queues (filter, escalation to
# desk:ID, unrouted cases on the dispatch desk), operators on duty in the
# desks route and the overview; config errors with file:line:column.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"
trap '_s=$?; cf_tmux_kill; (exit $_s); cb_cleanup' EXIT

hub_conf supervisor 440304000000
# Department users (the sample systems.json's departments) with tokens.
python3 - "$HUB_DIR" <<'PY'
import hashlib, json, sys
d = sys.argv[1]
u = json.load(open(d + "/users.json"))
t = json.load(open(d + "/tokens.json"))
h = lambda s: hashlib.sha256(s.encode()).hexdigest()
for name, dept in (("water-op", "water"), ("fire-op", "fire"), ("env-op", "environment")):
    u["users"].append({"name": name, "role": "operator", "scope": "440304000000", "dept": dept})
    t["tokens"].append({"name": name, "sha256": h("cbt_test_" + name), "user": name})
json.dump(u, open(d + "/users.json", "w"), indent=1)
json.dump(t, open(d + "/tokens.json", "w"), indent=1)
PY
TOK_WATER=cbt_test_water-op
TOK_FIRE=cbt_test_fire-op
TOK_ENV=cbt_test_env-op
cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s", "flap_window": "10m",
  "escalation": {"low": [{"after": "1s", "to": "desk:monitoring"}]}},
 "desks": [
  {"id": "emergency", "name": "应急指挥中心", "filter": {"severity": ["high"]},
   "columns": ["id", "severity", "place", "message"]},
  {"id": "monitoring", "name": "运行监测中心", "filter": {"source": ["rule"]}},
  {"id": "dispatch", "name": "分拨处置中心", "filter": {"source": ["event"], "dispatched": false}}
 ],
 "rules": []}
JSON
hub_start
f="$HUB_DIR/body.json"
G1=440304001001001 # Nanyuan / Dongyuan 01
G2=440304010001001 # Fubao / Xingang 01

event() { # KEY GRID SEVERITY [DEPT]: prints the alert id
	printf '{"key": "%s", "severity": "%s", "labels": {"grid": "%s", "system": "water-level-iot"}, "message": "flooded underpass"%s}' \
		"$1" "$3" "$2" "${4:+, \"dept\": \"$4\"}" >"$f"
	[ "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/events "$f")" = 202 ] || cb_fail "event $1: $(cat "$HUB_OUT")"
	hub_json 'j["id"]'
}
action() { # TOKEN ID ACTION BODY: prints the status
	printf '%s' "$4" >"$f"
	TOKEN=$1 hub_post "/api/v1/alerts/$2/$3" "$f"
}

# ---- Who am I: the department ---------------------------------------------
cb_assert_eq 200 "$(TOKEN=$TOK_FIRE hub_get /api/v1/whoami)" "whoami"
cb_assert_eq fire "$(hub_json 'j["dept"]')" "a user's department"

# ---- A joint alert: each department its part ------------------------------
A1=$(event flood/$G1 $G1 high)
cb_assert_eq 200 "$(action "$HUB_TOK_SUPER" "$A1" dispatch '{"dept": "water", "support": ["fire"]}')" "joint dispatch"
cb_assert_eq 200 "$(action "$TOK_FIRE" "$A1" ack '{"comment": "engine 3 on its way"}')" "fire acks (its part)"
cb_assert_eq "firing|acknowledged fire-op|pending -" \
	"$(hub_json '"%s|%s %s|%s %s" % (j["state"], j["depts"][1]["state"], j["depts"][1].get("by", "-"), j["depts"][0]["state"], j["depts"][0].get("by", "-"))')" \
	"a supporting part's ack leaves the alert firing"
cb_assert_eq 403 "$(action "$TOK_ENV" "$A1" ack '{"dept": "fire"}')" "another department's part"
cb_assert_eq "fire's part of $A1 is done by a user of fire or a supervisor; you (env-op) are of environment" \
	"$(hub_json 'j["error"]')" "the refusal says why"
cb_assert_eq 403 "$(action "$TOK_FIRE" "$A1" report '{"dept": "water", "comment": "pumps?"}')" "fire reports for water"
cb_assert_eq 403 "$(action "$TOK_ENV" "$A1" ack '{}')" "a department with no part acks the whole"
cb_assert_contains "$(hub_json 'j["error"]')" "not to environment: you (env-op) act only for environment" "why"
cb_assert_eq 403 "$(action "$HUB_TOK_OPERATOR" "$A1" ack '{"dept": "water"}')" "an operator of no department does no department's part"
cb_assert_eq 200 "$(action "$HUB_TOK_SUPER" "$A1" report '{"dept": "fire", "comment": "no fire found"}')" "a supervisor may"
cb_assert_eq "reported futian-supervisor" "$(hub_json '"%s %s" % (j["depts"][1]["state"], j["depts"][1]["by"])')" "the supervisor's report"
cb_assert_eq 200 "$(action "$TOK_WATER" "$A1" ack '{}')" "the lead acks"
cb_assert_eq "acknowledged water-op acknowledged" \
	"$(hub_json '"%s %s %s" % (j["state"], j["ack"]["by"], j["depts"][0]["state"])')" \
	"the lead's ack acknowledges the alert"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/audit?action=alert.refused.ack")" "audit"
cb_assert_eq 3 "$(hub_json 'len([e for e in j["entries"] if e["target"] == "'"$A1"'"])')" "refused acks audited"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/audit?action=alert.ack")" "audit of acks"
cb_assert_eq "fire-op:support water-op:lead" \
	"$(hub_json '" ".join("%s:%s" % (e["who"], e["after"]["part"]) for e in j["entries"] if e["target"] == "'"$A1"'")')" \
	"each part's ack audited with its part"

# ---- Desks' queues ---------------------------------------------------------
A2=$(event hydrant/$G1 $G1 medium)          # not dispatched: dispatch desk
A3=$(event hydrant/$G2 $G2 medium)          # the same in Fubao
A4=$(event leak/$G1 $G1 low water)          # escalates to desk:monitoring
printf '{"grid": "%s", "text": "stairwell blocked", "source": "hotline", "ref": "D-1"}' $G1 >"$f"
cb_assert_eq 201 "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/cases "$f")" "a case no category routes"
C1=$(hub_json 'j["id"]')
cb_assert_eq 200 "$(hub_sock /api/v1/desks/dispatch)" "the dispatch desk"
cb_assert_eq "$A2 $A3 $C1" "$(hub_json '" ".join(sorted(a["id"] for a in j["alerts"]))')" \
	"the dispatch queue: undispatched events and the unrouted case"
cb_assert_eq 200 "$(hub_sock "/api/v1/cases?queue=dispatch")" "cases waiting for routing"
cb_assert_eq "$C1" "$(hub_json '" ".join(a["id"] for a in j["cases"])')" "the same case"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/desks/dispatch)" "Nanyuan's dispatch desk"
cb_assert_eq "$A2 $C1" "$(hub_json '" ".join(sorted(a["id"] for a in j["alerts"]))')" "only Nanyuan's"
cb_assert_eq 200 "$(hub_sock /api/v1/desks/emergency)" "the emergency desk"
cb_assert_eq "$A1|id severity place message" \
	"$(hub_json '" ".join(a["id"] for a in j["alerts"]) + "|" + " ".join(j["columns"])')" \
	"high alerts, the desk's columns"
# A4 escalates to desk:monitoring after 1 s: it joins that desk's queue.
mon() {
	hub_sock /api/v1/desks/monitoring >/dev/null
	[ "$(hub_json '" ".join(a["id"] for a in j["alerts"])')" = "$A4" ]
}
cb_wait_for mon || cb_fail "monitoring queue: $(cat "$HUB_OUT")"
cb_assert_eq "desk:monitoring" "$(hub_json 'j["alerts"][0]["escalated_to"]')" "escalated to the desk"
cb_assert_eq 200 "$(action "$TOK_WATER" "$A4" ack '{}')" "water acks its alert"
cb_assert_eq 200 "$(hub_sock /api/v1/desks/monitoring)" "monitoring again"
cb_assert_eq 0 "$(hub_json 'j["total"]')" "an acknowledged escalation leaves the desk's queue"
cb_assert_eq 404 "$(hub_sock /api/v1/desks/nosuch)" "unknown desk"

# ---- On duty ----------------------------------------------------------------
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_post /api/v1/desks/dispatch/duty /dev/null)" "on duty"
cb_assert_eq "nanyuan-operator" "$(hub_json '" ".join(p["user"] for p in j["on_duty"])')" "the desk knows who is on it"
cb_assert_eq 200 "$(TOKEN=$TOK_FIRE hub_post /api/v1/desks/emergency/duty /dev/null)" "fire on emergency"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_post /api/v1/desks/dispatch/duty /dev/null)" "a second beat"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_VIEWER hub_get /api/v1/overview)" "overview"
cb_assert_eq "emergency:fire-op/fire:1 monitoring::0 dispatch:nanyuan-operator/-:3" \
	"$(hub_json '" ".join("%s:%s:%d" % (d["id"], ",".join(p["user"] + "/" + p.get("dept", "-") for p in d["on_duty"]), d["queue"]["total"]) for d in j["desks"])')" \
	"the overview shows who is on each desk"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/desks/dispatch/duty -X DELETE)" "off duty"
cb_assert_eq "" "$(hub_json '" ".join(p["user"] for p in j["on_duty"])')" "nobody on dispatch"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/audit?action=desk.on")" "audit"
cb_assert_eq "nanyuan-operator:dispatch fire-op:emergency" \
	"$(hub_json '" ".join("%s:%s" % (e["who"], e["target"]) for e in j["entries"])')" \
	"one desk.on per operator and desk, not per beat"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/audit?action=desk.off")" "audit"
cb_assert_eq "nanyuan-operator" "$(hub_json '" ".join(e["who"] for e in j["entries"])')" "desk.off"
cb_assert_eq 403 "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/desks/dispatch/duty /dev/null)" "a collector is no desk's operator"

# The console's CLI: `citybrain desks`.
cli=$("$top_builddir/tui/citybrain" -S "$HUB_SOCKET" desks 2>&1)
cb_assert_contains "$cli" "emergency" "citybrain desks lists the desks"
cb_assert_contains "$cli" "fire-op" "and who is on them"

# ---- The console on a desk (tmux) -------------------------------------------
on_duty() { # DESK: its operators, space-separated
	hub_sock "/api/v1/desks/$1" >/dev/null
	hub_json '" ".join(p["user"] for p in j["on_duty"])'
}
is_on() { [ "$(on_duty "$1")" = "$2" ]; }
if command -v "$TMUX_BIN" >/dev/null 2>&1; then
	cf_tmux 200 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $HUB_SOCKET -d 1 --desk monitoring -s overview"
	cb_wait_for is_on monitoring "$HUB_ME" || cb_fail "--desk: on monitoring: '$(on_duty monitoring)'"
	cf_expect "desks  应急指挥中心: fire-op (1)  运行监测中心: $HUB_ME (0)  分拨处置中心: - (3)" \
		"the overview's line of who is on each desk" 30
	cf_expect "desk monitoring" "the header names the desk"
	cf_keys ':desk dispatch' Enter
	cb_wait_for is_on dispatch "$HUB_ME" || cb_fail ":desk dispatch: '$(on_duty dispatch)'"
	cb_assert_eq "" "$(on_duty monitoring)" "the desk before is left"
	cf_keys 1 # :desk shows the Desk screen (t-console-desk.sh): the overview
	cf_expect "分拨处置中心: $HUB_ME (3)" "the overview follows" 30
	cf_keys q
	cb_wait_for is_on dispatch "" || cb_fail "quitting leaves the desk: '$(on_duty dispatch)'"
	# A supporting department's user owes its part of an alert the lead
	# already acknowledged: the console's a sends it (the hub decides).
	A5=$(event pump/$G1 $G1 high)
	cb_assert_eq 200 "$(action "$HUB_TOK_SUPER" "$A5" dispatch '{"dept": "water", "support": ["fire"]}')" "A5 dispatched"
	cb_assert_eq 200 "$(action "$TOK_WATER" "$A5" ack '{}')" "water acks A5"
	printf '%s\n' "$TOK_FIRE" >"$HUB_DIR/fire.token"
	cf_tmux 200 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -H $HUB_URL -T $HUB_DIR/fire.token -d 1 -s alerts"
	cf_expect "$A5" "the fire operator's alerts list" 30
	cf_keys / "$A5" Enter
	cf_keys a
	cf_expect "Acknowledge $A5 - comment:" "a asks for a comment on an acknowledged alert"
	cf_keys "engine 2 on its way" Enter
	cf_expect "Expires after" "then the expiry"
	cf_keys Enter
	cf_expect "acknowledge $A5: done" "fire's part sent"
	cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A5")" "A5"
	cb_assert_eq "acknowledged fire-op" "$(hub_json '"%s %s" % (j["depts"][1]["state"], j["depts"][1]["by"])')" \
		"fire's part acknowledged from the console"
	cf_tmux_kill
else
	echo "no tmux: the console's part skipped"
fi
hub_finish

# ---- Config errors name file:line:column -----------------------------------
sed 's/"desk:monitoring"/"desk:monitor"/' "$HUB_DIR/rules.json" >"$HUB_DIR/r2" && mv "$HUB_DIR/r2" "$HUB_DIR/rules.json"
out=$("$HUB_BIN" --check-config --config "$HUB_DIR/hub.json" 2>&1)
cb_assert_contains "$out" "rules.json:2:48: \"settings.escalation.low[0].to\": unknown desk \"monitor\" (the desks: emergency, monitoring, dispatch)" \
	"an escalation to a desk that is not configured"
sed 's/"desk:monitor"/"desk:monitoring"/; s/"severity": \["high"\]/"severity": ["hi"]/' "$HUB_DIR/rules.json" >"$HUB_DIR/r2" && mv "$HUB_DIR/r2" "$HUB_DIR/rules.json"
out=$("$HUB_BIN" --check-config --config "$HUB_DIR/hub.json" 2>&1)
cb_assert_contains "$out" "rules.json:4:65: \"desks[0].filter.severity[0]\": unknown severity \"hi\" (high, medium, low, info)" \
	"a bad filter"
sed 's/"hi"/"high"/' "$HUB_DIR/rules.json" >"$HUB_DIR/r2" && mv "$HUB_DIR/r2" "$HUB_DIR/rules.json"
sed 's/"dept": "fire"/"dept": "fyre"/' "$HUB_DIR/users.json" >"$HUB_DIR/u2" && mv "$HUB_DIR/u2" "$HUB_DIR/users.json"
out=$("$HUB_BIN" --check-config --config "$HUB_DIR/hub.json" 2>&1)
cb_assert_contains "$out" "users.json:" "a user's unknown department names the file"
cb_assert_contains "$out" "\"users[5].dept\": unknown department \"fyre\"" "and the member"
cb_done
