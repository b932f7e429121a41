#!/bin/sh
# citybraind's command line: --check-config on the sample and Futian
# configurations, --hash-token, flags overriding hub.json, socket group and
# mode, configuration errors with file:line:column.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

out=$("$HUB_BIN" --check-config --config "$top_srcdir/conf/futian/hub.json" 2>&1)
cb_assert_eq 0 $? "Futian configuration is valid"
cb_assert_contains "$out" "1107 territory nodes, 114 systems, 9 users, 4 tokens" "Futian summary"
out=$("$HUB_BIN" --check-config --config "$top_srcdir/conf/hub.json" 2>&1)
cb_assert_eq 0 $? "sample configuration is valid"

out=$("$HUB_BIN" --hash-token cbt_sample_collector)
cb_assert_eq "$(printf %s cbt_sample_collector | sha256sum | cut -d' ' -f1)" "$out" \
	"--hash-token"
out=$(echo cbt_sample_collector | "$HUB_BIN" --hash-token)
cb_assert_eq "$(printf %s cbt_sample_collector | sha256sum | cut -d' ' -f1)" "$out" \
	"--hash-token from stdin"
"$HUB_BIN" --config 2>/dev/null
cb_assert_eq 2 $? "missing option argument"
"$HUB_BIN" extra-argument 2>/dev/null
cb_assert_eq 2 $? "stray argument"

# A territory error stops the start with file:line:column.
hub_conf
printf '{"district": {"code": "4403", "name": "x"},\n "subdistricts": [], "communities": [], "grids": []}\n' \
	>"$HUB_DIR/territory.json"
out=$("$HUB_BIN" --config "$HUB_DIR/hub.json" 2>&1)
cb_assert_eq 1 $? "bad territory exit status"
cb_assert_contains "$out" "$HUB_DIR/territory.json:1:23: \"district.code\": district code must be 12 digits" \
	"territory error position"

# Flags override hub.json: another port, socket and data directory; the
# socket gets the configured group and mode.
hub_conf
grp=$(id -gn)
sed -i "s|\"store\":|\"socket_group\": \"$grp\", \"socket_mode\": \"0640\", \"store\":|" "$HUB_DIR/hub.json"
port=$(cb_free_port)
cb_start hub2 "$HUB_BIN" --config "$HUB_DIR/hub.json" --listen "127.0.0.1:$port" \
	--socket "$HUB_DIR/other.sock" --data "$HUB_DIR/otherdata"
cb_wait_http "http://127.0.0.1:$port/healthz" || cb_fail "hub with flags did not start"
cb_wait_file "$HUB_DIR/other.sock"
cb_assert_eq "640 $grp" "$(stat -c '%a %G' "$HUB_DIR/other.sock")" "socket mode and group"
[ -d "$HUB_DIR/otherdata" ] || cb_fail "--data not used"
[ -e "$HUB_DIR/data" ] && cb_fail "hub.json data used despite --data"
code=$(curl -s -o /dev/null -w '%{http_code}' "$HUB_URL/healthz")
cb_assert_eq 000 "$code" "hub.json listen address not used"
# A second hub on the same socket refuses to start.
out=$("$HUB_BIN" --config "$HUB_DIR/hub.json" --listen '' --socket "$HUB_DIR/other.sock" \
	--data "$HUB_DIR/third" 2>&1)
cb_assert_eq 1 $? "second hub on the same socket"
cb_assert_contains "$out" "another citybraind is listening" "second hub message"
cb_stop hub2 INT
grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$CB_TMP/hub2.log" &&
	cb_fail "sanitizer report in the hub log"
cb_assert_contains "$(cat "$CB_TMP/hub2.log")" "stopped" "SIGINT stops cleanly"
cb_done
