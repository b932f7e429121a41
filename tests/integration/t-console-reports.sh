#!/bin/sh
# The console's Reports screen (issue 17) through tmux against the real
# hub: the fixture's three dispatched events (water, fire, environment),
# the water one acknowledged; key 0 opens the screen with a row per
# department and its bars, g groups by subdistrict (names) and rule, w
# changes the window; without UTF-8 the bars are ASCII and the names
# pinyin.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"

cf_begin
cf_hub_start
cf_load
id=$(curl -s --unix-socket "$CF_SOCKET" 'http://hub/api/v1/alerts?limit=50' |
	python3 -c 'import json,sys; print([a["id"] for a in json.load(sys.stdin)["alerts"] if a.get("dept") == "water"][0])')
st=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$CF_SOCKET" \
	-H 'Content-Type: application/json' --data-binary '{"comment": "on it"}' \
	"http://hub/api/v1/alerts/$id/ack")
cb_assert_eq 200 "$st" "ack the water alert"

cf_tmux 130 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $CF_SOCKET"
cf_expect "supervisor@" "the console started"
cf_keys 0
cf_expect "Response by department, last 7d" "key 0: the Reports screen"
cf_expect "DEPARTMENT" "the heading"
row() { # the screen's line starting with $1
	cf_screen | grep -- "^$1 " | head -1
}
cf_wait "environment " 10
for d in water fire environment; do
	cb_assert_contains "$(row $d)" "████████" "$d: its volume bar (one dispatch each, the most)"
	cb_assert_contains "$(row $d)" "░░░░░░░░" "$d: an empty in-time bar (nothing due yet)"
done
# water: acknowledged (a time), fire: not ("-")
case $(row water) in
*"    1 ████████      -"*) cb_fail "water shows no ack time: $(row water)" ;;
esac
cb_assert_contains "$(row fire)" "    1 ████████      -      -" "fire: never acknowledged"
cb_assert_contains "$(row total)" "    3 " "total: three dispatched"
cf_keys g
cf_expect "Response by subdistrict" "g: by subdistrict"
cf_expect "南园街道" "subdistricts by name"
cf_keys w
cf_expect "last 30d" "w: the window"
cf_keys g
cf_expect "Response by rule" "g again: by rule"
cf_expect "test " "the events' rule"
cf_keys : reports Enter
cf_expect "Response by rule" ":reports keeps the screen"
cf_tmux_kill

# Without UTF-8: ASCII bars, pinyin names.
cf_tmux 130 30 "env LANG=C LC_ALL=C TERM=vt100 $CF_BIN -S $CF_SOCKET -s reports"
cf_expect "Response by department" "-s reports"
cf_wait "environment " 10
cb_assert_contains "$(row water)" "########" "an ASCII volume bar"
cb_assert_contains "$(row water)" "........" "an ASCII in-time bar"
cf_keys g
cf_expect "Nanyuan" "subdistricts in pinyin"
cf_reject "?" "no '?' without UTF-8"
cf_tmux_kill
cb_done
