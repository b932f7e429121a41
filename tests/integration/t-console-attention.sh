#!/bin/sh
# Attention (issue 19, item 2): a new high alert while the operator is on
# the Map screen rings the terminal bell, flashes the header (reverse
# video for a moment) and sets the header badge; "!"
# jumps to the newest alert, marked new until the operator has looked;
# --bell off keeps quiet; bad --bell values exit 2.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"

cf_begin

cf_hub_start
cf_load # A000001 high (unacknowledged), A000002 medium, A000003 low
UTF8="env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color"
CONSOLE="$CF_BIN -S $CF_SOCKET -d 1"

bell() {
	"$TMUX_BIN" -L "$CF_TMUX" display-message -p -t 0 '#{window_bell_flag}'
}
# The header line with its attributes: is its start (" citybrain", not
# the badge, which is always reverse) in reverse video (SGR 7)?
header_reverse() {
	"$TMUX_BIN" -L "$CF_TMUX" capture-pane -e -p -t 0 -S 0 -E 0 |
		sed 's/citybrain.*//' | grep -qE "$(printf '\033')\\[([0-9]+;)*7(;[0-9]+)*m"
}
# flash_seen on|off [SECONDS]: 0 once the header is (on) or is not (off)
# in reverse video, polled every 50 ms.
flash_seen() {
	_i=0
	_n=$(( ${2:-10} * 20 ))
	while [ $_i -lt $_n ]; do
		if header_reverse; then
			[ "$1" = on ] && return 0
		else
			[ "$1" = off ] && return 0
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

# ---- On the Map, a new high alert rings and sets the badge -----------------
cf_tmux 120 30 "$UTF8 $CONSOLE"
cf_expect "hub ok" "console up"
cf_keys 5
cf_expect "alerts 3" "the header counts the alerts"
cf_expect "▲1 unacked high" "the badge counts the unacknowledged high alert"
sleep 1.5
cb_assert_eq 0 "$(bell)" "no bell at rest"
header_reverse && cb_fail "the header is in reverse video at rest"
cf_event '{"key": "test/fire/440304001002001", "severity": "high",
  "labels": {"grid": "440304001002001"}, "message": "fire alarm in building 3",
  "dept": "fire"}'
flash_seen on || cb_fail "the new high alert did not flash the header"
flash_seen off || cb_fail "the header flash did not end"
cf_expect "▲2 unacked high" "the badge counts the new one" 5
cf_expect "alerts 4" "the header's count follows"
cb_assert_eq 1 "$(bell)" "the new high alert rang the bell"
cf_expect "Map" "still on the Map screen"
# "!" jumps to it; it is marked new until the operator has looked.
cf_keys "!"
cf_expect "newest: A000004" "! selects the newest alert"
cf_expect "A000004*" "the new alert is marked"
cf_reject "A000001*" "alerts there before are not new"
cf_keys 5
cf_keys 4
sleep 1.5
cf_reject "A000004*" "looked at: no longer new"
# Acknowledged: the badge goes down.
"$CF_BIN" -S "$CF_SOCKET" ack A000004 -m "crew on site" >/dev/null ||
	cb_fail "ack A000004"
cf_expect "▲1 unacked high" "acknowledged: the badge counts one" 5
# A new medium alert: marked new on Alerts, no bell for it by default.
cf_tmux_kill

# ---- --bell off keeps quiet; the badge still shows -------------------------
cf_tmux 120 30 "$UTF8 $CONSOLE --bell off --flash off --ascii"
cf_expect "hub ok" "console up with --bell off"
cf_keys 5
cf_expect "!1 unacked high" "ASCII badge"
sleep 1.5
cf_event '{"key": "test/fire/440304001002002", "severity": "high",
  "labels": {"grid": "440304001002002"}, "message": "fire alarm in building 4",
  "dept": "fire"}'
flash_seen on 3 && cb_fail "--flash off: the header flashed"
cf_expect "!2 unacked high" "the badge counts the new one" 5
sleep 1
cb_assert_eq 0 "$(bell)" "--bell off: no bell"
cf_tmux_kill

# ---- --bell medium: a medium alert rings -----------------------------------
cf_tmux 120 30 "$UTF8 $CONSOLE --bell high,medium"
cf_expect "hub ok" "console up with --bell high,medium"
cf_expect "alerts 5" "counts in"
# The badge comes from the attention poll: once it shows, the alerts there
# are known and only a new one rings.
cf_expect "unacked high" "the attention poll has run"
sleep 1.5
cf_event '{"key": "test/smoke/440304001002003", "severity": "medium",
  "labels": {"grid": "440304001002003"}, "message": "smoke detector",
  "dept": "fire"}'
cf_expect "alerts 6" "the medium alert arrived" 5
# The header's count and the attention poll are separate requests: wait
# for the bell (a slow sanitizer build may see one before the other).
rang=0
for _i in $(seq 50); do
	rang=$(bell)
	[ "$rang" = 1 ] && break
	sleep 0.1
done
cb_assert_eq 1 "$rang" "--bell high,medium: a medium alert rings"
cf_tmux_kill

out=$("$CF_BIN" -S "$CF_SOCKET" --bell loud 2>&1)
cb_assert_eq 2 "$?" "--bell loud exits 2"
cb_assert_contains "$out" "one of high, medium, low, info" "--bell names the values"

cb_done
