#!/bin/sh
# Escalation per case category (issue 17) in the real hub on its test
# clock (citybraind --test-clock FILE): a case of a category with its own
# "escalation" climbs that chain, step by step in order, and not its
# severity's; a case of a category without one climbs the severity's; an
# acknowledged one stops.  The clock moves only when the test moves it,
# so the steps' times are exact whatever the machine's load: each wait
# polls up to a 60 s wall-clock deadline.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf supervisor 440304000000
cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s",
   "escalation": {"high": [{"after": "5m", "to": "dept:water"}]}},
 "rules": [],
 "case_categories": [
  {"id": "blocked-fire-exit", "name": "安全出口/逃生通道不畅", "dept": "fire",
   "severity": "high",
   "escalation": [{"after": "10m", "to": "desk:dispatch"},
                  {"after": "30m", "to": "role:supervisor"},
                  {"after": "2h", "to": "dept:fire"}]},
  {"id": "flooded-road", "dept": "water", "severity": "high"}
 ]}
JSON
CLOCK="$HUB_DIR/clock"
T0=$(($(date +%s) * 1000))
set_clock() { # MS after T0
	echo $((T0 + $1)) >"$CLOCK.new"
	mv "$CLOCK.new" "$CLOCK"
}
set_clock 0
out=$("$HUB_BIN" --check-config --config "$HUB_DIR/hub.json" 2>&1) ||
	cb_fail "the categories' chains are refused: $out"
cb_start hub "$HUB_BIN" -v --config "$HUB_DIR/hub.json" --test-clock "$CLOCK"
cb_wait_http "$HUB_URL/healthz" || { cb_fail "hub did not start"; exit 1; }
cb_wait_file "$HUB_SOCKET"
f="$HUB_DIR/body.json"
G1=440304001001001
newcase() { # CATEGORY TEXT -> id
	printf '{"category": "%s", "grid": "%s", "text": "%s"}' "$1" "$G1" "$2" >"$f"
	cb_assert_eq 201 "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/cases "$f")" "case $1" >&2
	hub_json 'j["id"]'
}
steps() { # ID -> [[step, to], ...] from its history
	hub_sock "/api/v1/cases/$1" >/dev/null
	hub_json '[[h["after"]["escalation_step"], h["after"]["to"]] for h in j["history"] if h["action"] == "escalate"]'
}
wait_steps() { # ID N: until the case took N steps
	_end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt $_end ]; do
		hub_sock "/api/v1/cases/$1" >/dev/null
		[ "$(hub_json 'j["escalation_step"]')" -ge "$2" ] && return 0
		sleep 0.2
	done
	cb_fail "$1: not at step $2 within 60 s (at $(hub_json 'j["escalation_step"]'))"
}

C1=$(newcase blocked-fire-exit "消防通道被占")
C2=$(newcase flooded-road "路面积水")
C3=$(newcase blocked-fire-exit "楼梯间堆物")

# 6 minutes: the severity's chain (5 min) takes C2; C1 and C3 wait for
# their category's first step (10 min).
set_clock 360000
wait_steps "$C2" 1
cb_assert_eq '[[1, "dept:water"]]' "$(steps "$C2")" "a category without a chain: the severity's"
cb_assert_eq '[]' "$(steps "$C1")" "the category's chain, not the severity's 5 min step"

# C3 is acknowledged: its chain stops.
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$C3/ack" -X POST -d '{"comment": "crew sent"}')" "ack C3"

# 11 minutes: step 1; 31: step 2; 2 h 1 min: step 3, in order.
set_clock 660000
wait_steps "$C1" 1
cb_assert_eq '[[1, "desk:dispatch"]]' "$(steps "$C1")" "step 1 after 10 min"
set_clock 1860000
wait_steps "$C1" 2
cb_assert_eq '[[1, "desk:dispatch"], [2, "role:supervisor"]]' "$(steps "$C1")" "step 2 after 30 min"
set_clock 7260000
wait_steps "$C1" 3
cb_assert_eq '[[1, "desk:dispatch"], [2, "role:supervisor"], [3, "dept:fire"]]' \
	"$(steps "$C1")" "step 3 after 2 h, the steps in order, once each"
cb_assert_eq dept:fire "$(hub_json 'j["escalated_to"]')" "the step reached"
cb_assert_eq '[]' "$(steps "$C3")" "the acknowledged case took no step"
cb_assert_eq '[[1, "dept:water"]]' "$(steps "$C2")" "C2's chain has one step"

# The audit log has C1's steps, by the timer.
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/audit?action=alert.escalate&limit=100")" "audit"
cb_assert_eq '[[1, "desk:dispatch"], [2, "role:supervisor"], [3, "dept:fire"]]' \
	"$(hub_json '[[e["after"]["escalation_step"], e["after"]["to"]] for e in j["entries"] if e["target"] == "'$C1'"]')" \
	"audit entries"
hub_finish

# A bad step in a category's chain is refused with its place.
cat >"$HUB_DIR/rules.json" <<'JSON'
{"rules": [],
 "case_categories": [
  {"id": "x", "dept": "fire",
   "escalation": [{"after": "10m", "to": "nowhere"}]}]}
JSON
out=$("$HUB_BIN" --check-config --config "$HUB_DIR/hub.json" 2>&1) &&
	cb_fail "a bad category chain was accepted"
cb_assert_contains "$out" "rules.json:4:" "the error names the chain's line"
cb_assert_contains "$out" "case_categories[0].escalation[0]" "and the step"
cb_done
