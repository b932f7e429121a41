# Fixture for the console tests (source after lib.sh): the real hub with
# the Futian territory (10 subdistricts, 1,002 grids), the current unix
# user as a district supervisor, 6 hours of history for a few hundred
# grids and some alerts raised through /api/v1/events.
#   cf_begin       skip without tmux or the hub; clean up at the end
#   cf_hub_start   write the configuration and start citybraind
#   cf_hub_restart stop and start it again on the same data
#   cf_load        ingest the history and raise the alerts
#   cf_tmux W H CMD...  start the console in a private tmux server
#   cf_screen      the tmux pane's text;  cf_keys KEYS...  send keys
#   cf_wait TEXT [SECONDS]  wait until the screen shows TEXT
CF_TOKEN=cbt_console_test_collector
# The subdistrict operator (Nanyuan) over TCP: -H "$CF_URL" -T "$CF_OP_TOKEN_FILE".
CF_OP_TOKEN=cbt_console_nanyuan_op
CF_BIN="$top_builddir/tui/citybrain"
: "${CF_HUB_BIN:=$top_builddir/hub/citybraind}"
: "${TMUX_BIN:=tmux}"
[ -n "$TMUX_BIN" ] || TMUX_BIN=tmux

# cf_begin: skip without tmux or the hub; kill the tmux server and clean
# up when the test ends.
cf_begin() {
	command -v "$TMUX_BIN" >/dev/null 2>&1 || { echo "SKIP: no tmux"; exit 77; }
	[ -x "$CF_HUB_BIN" ] || { echo "SKIP: no hub binary"; exit 77; }
	trap '_s=$?; cf_tmux_kill; (exit $_s); cb_cleanup' EXIT
}

cf_hub_start() {
	if [ -z "${CF_DIR:-}" ]; then
		CF_DIR=$(cb_tmpdir)
		CF_PORT=$(cb_free_port)
		CF_URL="http://127.0.0.1:$CF_PORT"
		CF_SOCKET="$CF_DIR/hub.sock"
		CF_OP_TOKEN_FILE="$CF_DIR/nanyuan-op.token"
		CF_ME=$(id -un)
		cp "$top_srcdir/conf/futian/territory.json" \
			"$top_srcdir/conf/futian/systems.json" "$CF_DIR/"
		chmod u+w "$CF_DIR"/*.json
		cat >"$CF_DIR/users.json" <<JSON
{"users": [
 {"name": "$CF_ME", "role": "supervisor", "scope": "440304000000"},
 {"name": "nanyuan-operator", "role": "operator", "scope": "440304001000"}
]}
JSON
		_sha=$(printf %s "$CF_TOKEN" | sha256sum | cut -d' ' -f1)
		_opsha=$(printf %s "$CF_OP_TOKEN" | sha256sum | cut -d' ' -f1)
		printf '%s\n' "$CF_OP_TOKEN" >"$CF_DIR/nanyuan-op.token"
		cat >"$CF_DIR/tokens.json" <<JSON
{"tokens": [
 {"name": "console-test", "sha256": "$_sha", "systems": ["*"],
  "grids": ["440304000000"]},
 {"name": "nanyuan-op", "sha256": "$_opsha", "user": "nanyuan-operator"}
]}
JSON
		cat >"$CF_DIR/hub.json" <<JSON
{
 "listen": "127.0.0.1:$CF_PORT",
 "socket": "hub.sock",
 "data": "data",
 "territory": "territory.json",
 "systems": "systems.json",
 "users": "users.json",
 "tokens": "tokens.json",
 "store": {"sync": false},
 "headline": [
  {"name": "aqi", "metric": "env_aqi", "agg": "avg"},
  {"name": "water_level_m", "metric": "water_level_m", "agg": "max", "unit": "m"}
 ]
}
JSON
	fi
	cb_start hub "$CF_HUB_BIN" --config "$CF_DIR/hub.json"
	cb_wait_http "$CF_URL/healthz" || { cb_fail "hub did not start"; exit 1; }
	cb_wait_file "$CF_SOCKET"
}

cf_hub_restart() {
	cb_stop hub
	cf_hub_start
}

# 6 hours of aqi and water level every 10 minutes for every third grid,
# then alerts through the events route.
cf_load() {
	python3 - "$CF_DIR/territory.json" "$CF_DIR/lines.txt" <<'PY'
import json, sys, time, math
t = json.load(open(sys.argv[1]))
now = int(time.time())
out = open(sys.argv[2], "w")
for i, g in enumerate(t["grids"]):
    if i % 3:
        continue
    for k in range(36, -1, -1):
        ts = now - k * 600
        aqi = 40 + 15 * math.sin((ts / 3600.0) + i) + (i % 7)
        lvl = 1.0 + (i % 5) * 0.4 + 0.3 * math.sin(ts / 5400.0 + i)
        out.write("env,grid=%s,system=air-quality aqi=%.1f %d\n" % (g["code"], aqi, ts))
        out.write("water,grid=%s,system=water-level-iot level_m=%.2f %d\n" % (g["code"], lvl, ts))
# One metric in several rows told apart by a label (the grid screen).
for lv, n in (("high", 3), ("low", 12)):
    out.write("finance,grid=440304001003007,level=%s enterprises=%d %d\n" % (lv, n, now))
PY
	_st=$(curl -s -o "$CF_DIR/write.out" -w '%{http_code}' \
		-H "Authorization: Bearer $CF_TOKEN" --data-binary "@$CF_DIR/lines.txt" \
		"$CF_URL/api/v1/write?precision=s")
	case "$_st" in
	204 | 400) ;;
	*) cb_fail "fixture write: HTTP $_st $(cat "$CF_DIR/write.out")" ;;
	esac
	cf_event '{"key": "test/flood/440304001003007", "severity": "high",
	  "labels": {"grid": "440304001003007", "system": "water-level-iot"},
	  "message": "water level 4.80 m in 滨江07",
	  "message_en": "water level 4.80 m in Binjiang 07", "dept": "water", "value": 4.8}'
	cf_event '{"key": "test/fire/440304005002003", "severity": "medium",
	  "labels": {"grid": "440304005002003", "system": "fire-alarm-iot"},
	  "message": "smoke detector 12 in alarm", "dept": "fire", "value": 1}'
	cf_event '{"key": "test/noise/440304007001001", "severity": "low",
	  "labels": {"grid": "440304007001001"},
	  "message": "noise 72 dB at night", "dept": "environment", "value": 72}'
}

cf_event() {
	_st=$(curl -s -o "$CF_DIR/event.out" -w '%{http_code}' \
		-H "Authorization: Bearer $CF_TOKEN" -H 'Content-Type: application/json' \
		--data-binary "$1" "$CF_URL/api/v1/events")
	case "$_st" in
	2*) ;;
	*) cb_fail "fixture event: HTTP $_st $(cat "$CF_DIR/event.out")" ;;
	esac
}

# cf_tmux W H CMD...: a tmux server of our own (its own -L socket name),
# killed when the test ends.
CF_TMUX_N=0
cf_tmux() {
	cf_tmux_kill
	CF_TMUX_N=$((CF_TMUX_N + 1))
	CF_TMUX="cbtest$$.$CF_TMUX_N"
	_w=$1
	_h=$2
	shift 2
	"$TMUX_BIN" -L "$CF_TMUX" -f /dev/null new-session -d -x "$_w" -y "$_h" \
		"$*; sleep 600" || { cb_fail "tmux did not start"; exit 1; }
	"$TMUX_BIN" -L "$CF_TMUX" set-option -g status off >/dev/null
}

cf_tmux_kill() {
	[ -n "${CF_TMUX:-}" ] && "$TMUX_BIN" -L "$CF_TMUX" kill-server 2>/dev/null
	CF_TMUX=
}

cf_screen() {
	"$TMUX_BIN" -L "$CF_TMUX" capture-pane -p -t 0
}

cf_keys() {
	"$TMUX_BIN" -L "$CF_TMUX" send-keys -t 0 "$@"
}

# cf_wait TEXT [SECONDS]: 0 when the screen shows TEXT in time.
cf_wait() {
	_i=0
	_n=$(( ${2:-10} * 10 ))
	while [ $_i -lt $_n ]; do
		if cf_screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# cf_expect TEXT WHAT [SECONDS]: fail (with the screen) unless TEXT shows.
cf_expect() {
	if ! cf_wait "$1" "${3:-10}"; then
		cb_fail "$2: the screen does not show '$1':"
		cf_screen | sed 's/^/    | /'
	fi
}

cf_reject() {
	if cf_screen | grep -qF -- "$1"; then
		cb_fail "$2: the screen shows '$1':"
		cf_screen | sed 's/^/    | /'
	fi
}
