#!/bin/sh
# The console an operator can trust (issue 19), driven through tmux
# against the real hub: a group action asks "all N / this one" and acts
# on every member, a group row's state comes from its members.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"

cf_begin

cf_hub_start
cf_load
ME=$(id -un)
UTF8="env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color"
CONSOLE="$CF_BIN -S $CF_SOCKET -d 1"

# states ID...: the hub's state of each alert, space-separated.
states() {
	"$CF_BIN" -S "$CF_SOCKET" alerts --json | python3 -c 'import json, sys
st = {a["id"]: a["state"] for a in json.load(sys.stdin)["alerts"]}
print(" ".join(st.get(i, "-") for i in sys.argv[1:]))' "$@"
}

# ---- A group action asks, then applies to every member -----------------
# Two groups of three: water-level-high (A000004-6), rain-heavy (A000007-9).
for g in 440304002001001 440304002001002 440304002001003; do
	cf_event "{\"key\": \"test/lvl/$g\", \"rule\": \"water-level-high\",
	  \"severity\": \"medium\", \"labels\": {\"grid\": \"$g\"},
	  \"message\": \"water level high\", \"dept\": \"water\"}"
done
for g in 440304002001001 440304002001002 440304002001003; do
	cf_event "{\"key\": \"test/rain/$g\", \"rule\": \"rain-heavy\",
	  \"severity\": \"low\", \"labels\": {\"grid\": \"$g\"},
	  \"message\": \"heavy rain\", \"dept\": \"water\"}"
done
cf_tmux 120 30 "$UTF8 $CONSOLE"
cf_keys 4
cf_expect "[+2 like it] water level high" "the group is one row"
cf_keys / "water level high" Enter
sleep 0.3
cf_keys a
cf_expect "is one of 3 alerts of this group" "ack on a group row asks"
cf_expect "a = all 3" "the choice names all of them"
cf_keys a
cf_expect "Acknowledge 3 grouped alerts - comment:" "the prompt says 3"
cf_keys "pumps" Enter
cf_expect "Expires after" "expiry asked"
cf_keys Enter
cf_expect "acknowledge 3 grouped alerts: 3 done" "one report for the three"
cb_assert_eq "acknowledged acknowledged acknowledged" \
	"$(states A000004 A000005 A000006)" "every member is acknowledged"
cf_expect "acked      $ME" "the group row shows acked by the operator"

# "only this one": one member acked, the row says 1/3.
cf_keys / C-u "heavy rain" Enter
sleep 0.3
cf_keys a
cf_expect "is one of 3 alerts of this group" "asked again"
cf_keys o
cf_expect "comment:" "only the one"
cf_reject "grouped alerts" "the prompt names the one alert"
cf_keys "one" Enter
cf_expect "Expires after" "expiry asked"
cf_keys Enter
cf_expect "1/3 acked" "the group row's state is derived from its members"
n=$(states A000007 A000008 A000009 | tr ' ' '\n' | grep -c acknowledged)
cb_assert_eq 1 "$n" "only one member acknowledged"
# Any other key cancels and changes nothing.
cf_keys a
cf_expect "is one of 3 alerts of this group" "asked again"
cf_keys z
cf_expect "cancelled" "another key cancels"
n=$(states A000007 A000008 A000009 | tr ' ' '\n' | grep -c acknowledged)
cb_assert_eq 1 "$n" "cancel changed nothing"
# The one already acknowledged: said at once, no comment asked.
cf_keys a
cf_expect "is one of 3 alerts of this group" "asked again"
cf_keys o
cf_expect "is already acknowledged" "ack of an acknowledged alert says so"
cf_reject "comment:" "and asks for no comment"
cf_tmux_kill

# ---- Typos are errors, never "0 alerts" ------------------------------------
# cli_typo WHAT EXPECTED ARGS...: exit 2 and the valid values on stderr.
cli_typo() {
	_what=$1
	_want=$2
	shift 2
	_out=$("$CF_BIN" -S "$CF_SOCKET" "$@" 2>&1)
	cb_assert_eq 2 "$?" "$_what exits 2"
	cb_assert_contains "$_out" "$_want" "$_what names the valid values"
	case "$_out" in
	*"0 alerts"*) cb_fail "$_what printed 0 alerts" ;;
	esac
}
cli_typo "--severity bogus" "one of high, medium, low, info" \
	alerts --severity bogus
cli_typo "--severity high,bogus" '"bogus"' alerts --severity high,bogus
cli_typo "--state bogus" "one of pending, firing, acknowledged" \
	alerts --json --state bogus
cli_typo "--screen bogus" "one of overview, territory, grid, alerts" \
	--screen bogus
cli_typo "--code 99999" 'unknown territory code "99999"' alerts --code 99999
out=$("$CF_BIN" -S "$CF_SOCKET" alerts --severity high,medium --code 440304001000)
cb_assert_eq 0 "$?" "valid filters still work"
cb_assert_contains "$out" "A000001" "valid filters list the alert"
"$CF_BIN" --help | grep -q "territory, grid," ||
	cb_fail "--help lists the grid screen"
# The hub refuses the same typos (400), for every client.
st=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$CF_SOCKET" \
	"http://hub/api/v1/alerts?severity=bogus")
cb_assert_eq 400 "$st" "the hub refuses an unknown severity"

# ---- :goto to an unknown code says so instead of "Loading" ---------------
cf_tmux 100 24 "$UTF8 $CONSOLE"
cf_expect "hub ok" "console up"
cf_keys : "goto 440304999999999" Enter
cf_expect "grid 440304999999999: " "an unknown grid is an error on screen"
cf_reject "Loading grid" "no loading state left for good"
cf_keys : "goto 99999" Enter
# "  99999: " (the territory screen's error at column 2), never the grid
# screen's "grid 440304999999999: " still showing before the key is read.
cf_expect "  99999: " "an unknown territory code is an error on screen"
cf_reject "Loading the territory" "no loading state left"
cf_tmux_kill

cb_done
