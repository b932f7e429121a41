#!/bin/sh
# The collector's own HTTP listener ("listen": /metrics and /healthz,
# loopback for ":PORT") against the real hub, with an exec plugin that says
# "resolved" for an alert that is not active on every run: the hub answers
# 200 "changed": false and the collector neither logs a refusal nor counts
# a rejected batch.  Also the configuration errors of "listen".
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

COLLECTOR=$top_builddir/collectors/citybrain-collector

# ---- configuration errors -----------------------------------------------
printf '%s\n' '{"hub": {"urls": ["http://127.0.0.1:1"]},' \
    ' "listen": "no-port", "inputs": []}' >"$CB_TMP/bad.json"
out=$("$COLLECTOR" -c "$CB_TMP/bad.json" --check-config 2>&1)
cb_assert_eq 1 $? "bad listen: exit status"
cb_assert_contains "$out" 'bad.json:2:' "bad listen: file:line"
cb_assert_contains "$out" '"listen"' "bad listen: names the key"

# ---- against the hub ----------------------------------------------------
hub_conf supervisor 440304000000
cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s", "flap_window": "10m"}, "rules": []}
JSON
hub_start

cat >"$CB_TMP/quiet.sh" <<'SH'
#!/bin/sh
# All is well: a reading, and "resolved" for the alert it would raise.
echo '{"metrics": [{"name": "pump_pressure", "value": 3.2}],
 "events": [{"key": "pump/ft-03", "state": "resolved", "message": "pressure normal"}]}'
SH
chmod +x "$CB_TMP/quiet.sh"

PORT=$(cb_free_port)
cat >"$CB_TMP/c.json" <<JSON
{"name": "t-listen",
 "hub": {"urls": ["$HUB_URL"], "token": "$HUB_TOK_COLLECTOR"},
 "spool": {"dir": "$CB_TMP/spool"},
 "batch": {"interval": "100ms"},
 "listen": ":$PORT",
 "tags": {"system": "water-level-iot", "grid": "440304010001001"},
 "inputs": [{"type": "exec", "name": "quiet", "format": "json",
             "interval": "1s", "command": ["$CB_TMP/quiet.sh"]}]}
JSON
cb_start collector "$COLLECTOR" -v -c "$CB_TMP/c.json"
cb_wait_http "http://127.0.0.1:$PORT/healthz" || cb_fail "no /healthz"

out=$(curl -s "http://127.0.0.1:$PORT/healthz")
cb_assert_eq ok "$out" "/healthz body"
# ":PORT" binds the loopback address only.
out=$(ss -ltnH "sport = :$PORT" 2>/dev/null | awk '{print $4}')
cb_assert_eq "127.0.0.1:$PORT" "$out" "\":PORT\" listens on loopback only"

# events_sent_total: the hub accepted the "resolved" events.
sent() {
	curl -s "http://127.0.0.1:$PORT/metrics" |
	    sed -n 's/^citybrain_collector_events_sent_total \([0-9]*\)$/\1/p'
}
three_sent() { [ "$(sent)" -ge 3 ] 2>/dev/null; }
cb_wait_for three_sent || cb_fail "events_sent_total stays at '$(sent)'"

m=$(curl -s -D "$CB_TMP/h" "http://127.0.0.1:$PORT/metrics")
cb_assert_contains "$(cat "$CB_TMP/h")" "text/plain; version=0.0.4" "/metrics content type"
cb_assert_contains "$m" "# TYPE citybrain_collector_points_sent_total counter" "/metrics TYPE line"
cb_assert_contains "$m" 'citybrain_collector_input_runs_by_input_total{input="quiet"} ' "/metrics per input"
cb_assert_contains "$m" "citybrain_collector_hub_up 1" "/metrics hub_up"
cb_assert_contains "$m" "citybrain_collector_batches_rejected_total 0" "no batch rejected"
cb_assert_contains "$m" "citybrain_collector_input_errors_total 0" "no input error"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/metrics")
cb_assert_eq 405 "$code" "POST /metrics"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nope")
cb_assert_eq 404 "$code" "unknown path"

# The hub made no alert of it and the collector logged no refusal.
TOKEN=$HUB_TOK_SUPER
code=$(hub_get /api/v1/alerts)
cb_assert_eq 200 "$code" "GET /api/v1/alerts"
cb_assert_eq 0 "$(hub_json 'len(j["alerts"])')" "no alert from resolved events"
log=$(cat "$CB_TMP/collector.log")
case "$log" in
*refused*) cb_fail "the collector logged a refusal: $(grep refused "$CB_TMP/collector.log" | head -2)" ;;
esac

# A port that is taken: the collector says so and exits 1.
cat >"$CB_TMP/busy.json" <<JSON
{"hub": {"urls": ["$HUB_URL"], "token": "$HUB_TOK_COLLECTOR"},
 "spool": {"dir": "$CB_TMP/spool2"}, "listen": "127.0.0.1:$PORT",
 "inputs": []}
JSON
out=$("$COLLECTOR" -c "$CB_TMP/busy.json" 2>&1)
cb_assert_eq 1 $? "port taken: exit status"
cb_assert_contains "$out" "cannot listen on 127.0.0.1:$PORT" "port taken: message"

# A reload keeps the listener where it is, and says so if the file moved it.
sed -i "s/\"listen\": \":$PORT\"/\"listen\": \":1\"/" "$CB_TMP/c.json"
kill -HUP "$(cb_pid collector)"
warned() { grep -q '"listen" changes only at a restart' "$CB_TMP/collector.log"; }
cb_wait_for warned || cb_fail "no warning for a changed \"listen\" at reload"
out=$(curl -s "http://127.0.0.1:$PORT/healthz")
cb_assert_eq ok "$out" "/healthz after a reload"

cb_stop collector
if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" \
    "$CB_TMP/collector.log"; then
	cb_fail "collector: sanitizer report in its log"
fi
hub_finish
cb_done
