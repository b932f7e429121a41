# The shared preamble of the handover tests (t-handover.sh,
# t-handover-draft.sh, t-handover-late.sh): sources lib.sh, hub-lib.sh and
# console-fixture.sh and arms the EXIT trap (the console's tmux server,
# then cb_cleanup); the test grids N1..F1 and helpers to post events and
# wait on the API.  handover_begin starts a hub on its test clock
# (citybraind --test-clock FILE) at T0 (now, to the minute), with the
# shift "late" from an hour before T0 to 10 minutes after it (Shanghai
# time) and "early" after it.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"
trap '_s=$?; cf_tmux_kill; (exit $_s); cb_cleanup' EXIT

N1=440304001001001 # Nanyuan / Dongyuan 01
N2=440304001001002 # Nanyuan / Dongyuan 02
N3=440304001002001 # Nanyuan / another community
F1=440304010001001 # Fubao / Xingang 01

# handover_begin: the hub's configuration, the shifts, the clock at T0,
# the hub started; sets T0, FROM, TO (HH:MM), FROM_MS, END_MS and CLOCK.
handover_begin() {
	hub_conf supervisor 440304000000
	eval "$(python3 - <<'PY'
import time
m = int(time.time()) // 60 * 60
hm = lambda t: time.strftime("%H:%M", time.gmtime(t + 8 * 3600))
print("T0=%d FROM=%s TO=%s FROM_MS=%d END_MS=%d" % (
    m * 1000, hm(m - 3600), hm(m + 600), (m - 3600) * 1000, (m + 600) * 1000))
PY
)"
	cat >"$HUB_DIR/rules.json" <<JSON
{"settings": {"eval_interval": "1s"},
 "shifts": [{"name": "late", "from": "$FROM", "to": "$TO", "tz": "Asia/Shanghai"},
            {"name": "early", "from": "$TO", "to": "$FROM", "tz": "Asia/Shanghai"}],
 "rules": []}
JSON
	CLOCK="$HUB_DIR/clock"
	set_clock 0
	handover_hub_start
}

set_clock() { # MS after T0
	echo $((T0 + $1)) >"$CLOCK.new"
	mv "$CLOCK.new" "$CLOCK"
}

# handover_hub_start: start (or start again) the hub on the test clock.
handover_hub_start() {
	cb_start hub "$HUB_BIN" -v --config "$HUB_DIR/hub.json" --test-clock "$CLOCK"
	cb_wait_http "$HUB_URL/healthz" || { cb_fail "hub did not start"; exit 1; }
	cb_wait_file "$HUB_SOCKET"
}

post() { # TOKEN PATH JSON
	printf '%s' "$3" >"$HUB_DIR/body.json"
	TOKEN=$1 hub_post "$2" "$HUB_DIR/body.json"
}

event() { # KEY GRID SEVERITY [STATE]
	post "$HUB_TOK_COLLECTOR" /api/v1/events "{\"key\": \"$1\", \"severity\": \"$3\",
	 \"labels\": {\"grid\": \"$2\", \"system\": \"water-level-iot\"},
	 \"message\": \"$1\", \"state\": \"${4:-firing}\"}" >/dev/null
	hub_json 'j.get("id", "")'
}

# until_json WHAT PATH EXPR: GET PATH (supervisor) until EXPR is True.
until_json() {
	_end=$(($(date +%s) + 60))
	while [ "$(date +%s)" -lt $_end ]; do
		TOKEN=$HUB_TOK_SUPER hub_get "$2" >/dev/null
		[ "$(hub_json "$3" 2>/dev/null)" = True ] && return 0
		sleep 0.2
	done
	cb_fail "$1: not within 60 s"
	return 1
}

ids() { hub_json "[x['id'] for x in j['draft']['content']['$1']]"; }
q() { printf '"%s"' "$1"; }
