#!/bin/sh
# Exact counts (issue 19, item 3): for an operator of one subdistrict
# (Nanyuan) on the Futian territory, `overview --once`, `alerts
# --severity high`, the console's header, its Overview list and its
# Alerts screen count the same alerts (docs/api.md "What is counted"); a
# district-wide alert is listed view-only, and acting on it says why.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"

cf_begin

cf_hub_start
cf_load
# Fixture: A000001 high in Nanyuan, A000002 medium in Shatou, A000003 low
# in Meilin.  More for Nanyuan, and a district-wide one (no place).
cf_event '{"key": "test/lvl2/440304001001001", "severity": "high",
  "labels": {"grid": "440304001001001"}, "message": "water level 4.7 m",
  "dept": "water", "value": 4.7}'
cf_event '{"key": "test/smoke/440304001002002", "severity": "medium",
  "labels": {"grid": "440304001002002"}, "message": "smoke in a stairwell",
  "dept": "fire"}'
cf_event '{"key": "test/pumps/district", "severity": "high",
  "labels": {"system": "water"}, "message": "pump stations offline",
  "dept": "water"}'
OP="$CF_BIN -H $CF_URL -T $CF_OP_TOKEN_FILE"

# ---- The CLI: overview and the list agree -----------------------------------
ov=$($OP overview --once)
cb_assert_eq 0 "$?" "overview --once as the Nanyuan operator"
cb_assert_contains "$ov" "alerts 3: 2 high, 1 medium, 0 low" \
	"the overview counts Nanyuan's alerts"
hi=$($OP alerts --severity high)
cb_assert_eq 0 "$?" "alerts --severity high"
cb_assert_contains "$hi" "3 alerts listed, 2 counted (1 view-only: outside your scope)" \
	"the list says what it counts: the overview's 2 high"
cb_assert_contains "$hi" "[view-only] pump stations offline" \
	"the district-wide alert is marked view-only"
all=$($OP alerts)
cb_assert_contains "$all" "4 alerts listed, 3 counted" \
	"all severities: the overview's 3"
# The numbers themselves, whatever the wording around them.
n_ov=$(printf '%s\n' "$ov" | sed -n 's/.*alerts \([0-9]*\):.*/\1/p' | head -1)
n_hi_ov=$(printf '%s\n' "$ov" | sed -n 's/.*alerts [0-9]*: \([0-9]*\) high.*/\1/p' | head -1)
n_al=$(printf '%s\n' "$all" | sed -n 's/.* listed, \([0-9]*\) counted.*/\1/p')
n_hi=$(printf '%s\n' "$hi" | sed -n 's/.* listed, \([0-9]*\) counted.*/\1/p')
cb_assert_eq "$n_ov" "$n_al" "overview and alerts count the same"
cb_assert_eq "$n_hi_ov" "$n_hi" "overview's high and alerts --severity high agree"
# The JSON says the same, and which alert is view-only and why.
j=$($OP alerts --json)
cb_assert_eq "3 A000006 district-wide" "$(printf '%s' "$j" | python3 -c '
import json, sys
j = json.load(sys.stdin)
v = [a for a in j["alerts"] if a.get("view_only")]
print(j["counted"]["total"], v[0]["id"], v[0]["view_only_why"].split(";")[0])')" \
	"alerts --json: counted and view_only"
# Acting on it is refused, saying why it is shown.
out=$($OP ack A000006 -m "on it" 2>&1)
[ $? -ne 0 ] || cb_fail "ack of a view-only alert succeeds"
cb_assert_contains "$out" "shown to you view-only" "the refusal says why"
# The supervisor (district scope) counts it: 4 high everywhere.
sup=$("$CF_BIN" -S "$CF_SOCKET" alerts --severity high)
cb_assert_contains "$sup" "3 alerts listed, 3 counted" \
	"a district operator counts the district-wide alert"

# ---- The console: header, Overview and Alerts screen -----------------------
cf_tmux 140 40 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $OP -d 1"
cf_expect "hub ok" "console up as the Nanyuan operator"
cf_expect "alerts $n_ov" "the header counts as the overview does"
cf_expect "alerts $n_ov: 2 high 1 medium" "the Overview's title"
cf_expect "Active alerts, worst first ($n_ov counted; 1 more view-only" \
	"the Overview's list says what it counts"
cf_keys 4
cf_expect "listed, $n_ov counted" "the Alerts screen counts the same"
cf_expect "[view-only] pump stations offline" "the Alerts screen marks it"
cf_tmux_kill

cb_done
