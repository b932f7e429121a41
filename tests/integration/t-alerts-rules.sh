#!/bin/sh
# Rules in the real hub: line protocol in, a threshold rule goes pending,
# fires after its "for", escalates when nobody acknowledges, resolves when
# the water goes down; an absence rule; webhooks to a local receiver that
# fails at first (retried, every delivery recorded); SIGHUP reloads rules
# (a bad file keeps the old ones).
# The hub runs on a test clock (citybraind --test-clock FILE): the rules'
# time (points written without a time, windows, "for", escalation) moves
# only when this test moves it, so a slow round on a loaded machine cannot
# empty a window or pass a deadline; every wait polls until a wall-clock
# deadline.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf supervisor 440304000000
RPORT=$(cb_free_port)
cat >"$HUB_DIR/receiver.py" <<'PY'
import http.server, sys
fails, n = int(sys.argv[2]), 0
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global n
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[3], "ab") as f:
            f.write(self.path.encode() + b" " + body + b"\n")
        # The audit head anchored at start (and every N entries) also goes
        # to the supervisors' webhook; only alert deliveries are failed.
        anchor = b'"audit-anchor"' in body
        if not anchor:
            n += 1
        self.send_response(500 if not anchor and n <= fails else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
cb_start receiver python3 "$HUB_DIR/receiver.py" "$RPORT" 2 "$HUB_DIR/hooks.log"
# (listening before the hub starts: it sends the audit anchor at start)
cb_wait_http "http://127.0.0.1:$RPORT/" || cb_fail "webhook receiver did not start"
cat >"$HUB_DIR/rules.json" <<JSON
{"settings": {"eval_interval": "200ms", "flap_window": "1m",
   "ack_within": {"high": "2s", "medium": 0, "low": 0},
   "supervisors_webhook": "http://127.0.0.1:$RPORT/sup",
   "webhook_retries": 4, "webhook_backoff": "200ms"},
 "departments": {"water": {"webhook": "http://127.0.0.1:$RPORT/water"}},
 "rules": [
  {"name": "water-level-high", "selector": "water_level_m",
   "agg": "max", "window": "3s", "op": ">", "threshold": 4.5,
   "for": "1s", "by": ["grid"], "severity": "high", "dept": "water",
   "message": "water level {value:.2f} m > {threshold} m in {place}",
   "resolve_message": "water level back to {value:.2f} m (< {threshold} m) in {place}"},
  {"name": "pond-level", "selector": "pond_level_m", "agg": "last",
   "window": "1m", "op": ">", "threshold": 4.5, "by": ["grid"],
   "severity": "low", "message": "pond {value:.2f} m > {threshold} m in {place}",
   "resolve_message": "pond back to {value:.2f} m (< {threshold} m) in {place}"},
  {"name": "aqi-silent", "type": "absence", "selector": "env_aqi",
   "for": "2s", "by": ["grid"], "severity": "low"}
 ]}
JSON
CLOCK="$HUB_DIR/clock"
T0=$(($(date +%s) * 1000))
NOW=0
advance() { # MS: the hub's time moves on by MS (written with a rename)
	NOW=$((NOW + $1))
	echo $((T0 + NOW)) >"$CLOCK.new"
	mv "$CLOCK.new" "$CLOCK"
}
advance 0
cb_start hub "$HUB_BIN" -v --config "$HUB_DIR/hub.json" --test-clock "$CLOCK"
cb_wait_http "$HUB_URL/healthz" || { cb_fail "hub did not start"; exit 1; }
cb_wait_file "$HUB_SOCKET"
cb_assert_contains "$(cat "$CB_TMP/hub.log")" "--test-clock: the time is read from" \
	"the test clock is announced"
f="$HUB_DIR/body.lp"
G=440304001001001
DEADLINE=90 # seconds of wall clock for any one wait

post() { # FILE: written (at the test clock's time)
	cb_assert_eq 204 "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/write "$1")" "write $(cat "$1")"
}
write() { # GRID VALUE
	printf 'water,grid=%s,system=water-level-iot level_m=%s\n' "$1" "$2" >"$f"
	post "$f"
}
state_of() { # RULE -> state of its only alert, or none
	hub_sock "/api/v1/alerts?rule=$1&state=all" >/dev/null
	hub_json 'j["alerts"][0]["state"] if j["alerts"] else "none"'
}
# until CMD...: poll CMD until it succeeds or DEADLINE seconds pass.
until_ok() {
	_end=$(($(date +%s) + DEADLINE))
	until "$@"; do
		[ "$(date +%s)" -ge $_end ] && return 1
		sleep 0.2
	done
}
is_state() { [ "$(state_of "$1")" = "$2" ]; }
wait_state() { # RULE STATE
	until_ok is_state "$1" "$2" ||
		cb_fail "$1 did not become $2 within ${DEADLINE}s (is $(state_of "$1"))"
}
in_log() { grep -q -- "$1" "$CB_TMP/hub.log"; }

# Below the threshold: nothing (the rules run every 200 ms of wall clock).
write $G 1.2
sleep 0.5
cb_assert_eq none "$(state_of water-level-high)" "normal level"
# Above it: pending, and firing once the clock has passed the rule's "for".
advance 100
write $G 4.8
wait_state water-level-high pending
advance 1500
write $G 4.8
wait_state water-level-high firing
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts?rule=water-level-high")" "list"
A=$(hub_json 'j["alerts"][0]["id"]')
cb_assert_eq 1500 "$(hub_json 'j["alerts"][0]["fired_ms"] - j["alerts"][0]["started_ms"]')" \
	"pending from the first high value until the clock passed the rule's 'for'"
cb_assert_eq "water level 4.80 m > 4.5 m in 南园街道 / 东园社区 / 东园01" \
	"$(hub_json 'j["alerts"][0]["message"]')" "message from the template"
cb_assert_eq water "$(hub_json 'j["alerts"][0]["dept"]')" "rule's department"
hub_sock "/api/v1/alerts/$A" >/dev/null
ACTIONS='[h["action"] for h in j["history"] if h["action"] != "notify"]'
cb_assert_eq '["pending", "fire"]' "$(hub_json "$ACTIONS")" "pending, then firing"
cb_assert_eq False "$(hub_json 'j["escalated"]')" "not escalated before ack_within"

# Nobody acknowledges within 2 s: escalated, supervisors notified.  The
# water is still high (a point inside the window), so only the escalation
# changes.
advance 2100
write $G 4.8
escalated() { # ALERT
	hub_sock "/api/v1/alerts/$1" >/dev/null
	[ "$(hub_json 'j["escalated"]')" = True ]
}
until_ok escalated "$A" || cb_fail "not escalated within ${DEADLINE}s"
cb_assert_eq '["pending", "fire", "escalate"]' "$(hub_json "$ACTIONS")" \
	"escalated once, still firing"

# Webhooks: water (fire) and supervisors (escalate); the receiver failed
# the first two requests, so something was retried, and all got through.
# The retries' backoff follows the hub's clock: it moves on by 500 ms a
# round, the water still reported high each time (the alert stays firing).
K='[d for d in j["deliveries"] if d["kind"] != "resolve"]'
delivered() { # ALERT: both non-resolve deliveries went through
	advance 500
	write $G 4.8
	TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/deliveries?alert=$1" >/dev/null
	[ "$(hub_json "sorted(d['state'] for d in $K)")" = '["delivered", "delivered"]' ]
}
until_ok delivered "$A"
cb_assert_eq '["delivered", "delivered"]' "$(hub_json "sorted(d['state'] for d in $K)")" "deliveries"
cb_assert_eq '["escalate", "fire"]' "$(hub_json "sorted(d['kind'] for d in $K)")" "delivery kinds"
cb_assert_eq 4 "$(hub_json "sum(d['attempts'] for d in $K)")" "two retries in all"
cb_assert_contains "$(cat "$HUB_DIR/hooks.log")" "/water {" "department hook called"
cb_assert_contains "$(grep -v audit-anchor "$HUB_DIR/hooks.log")" "/sup {" "supervisors hook called (not only the audit anchor)"
cb_assert_eq 403 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/deliveries)" "deliveries need a supervisor"

# The water goes down: resolved once the window (3 s) has only low values.
# (The clock never passes a window without a point in it: that would
# resolve the alert with "no data in the window".)
advance 1000
write $G 1.0
advance 2500
wait_state water-level-high resolved
hub_sock "/api/v1/alerts/$A" >/dev/null
cb_assert_eq '["pending", "fire", "escalate", "resolve"]' "$(hub_json "$ACTIONS")" \
	"resolve in history"
cb_assert_eq "water level back to 1.00 m (< 4.5 m) in 南园街道 / 东园社区 / 东园01" \
	"$(hub_json 'j["message"]')" "the resolve_message with the value that resolved it"
# A level that goes up and comes down while it reports.
printf 'pond,grid=%s level_m=4.9\n' $G >"$HUB_DIR/pond-hi.lp"
printf 'pond,grid=%s level_m=1.0\n' $G >"$HUB_DIR/pond-lo.lp"
advance 100
post "$HUB_DIR/pond-hi.lp"
wait_state pond-level firing
advance 100
post "$HUB_DIR/pond-lo.lp"
wait_state pond-level resolved
hub_sock "/api/v1/alerts?rule=pond-level&state=resolved" >/dev/null
cb_assert_eq "pond back to 1.00 m (< 4.5 m) in 南园街道 / 东园社区 / 东园01" \
	"$(hub_json 'j["alerts"][0]["message"]')" "resolve_message with the resolving value"

# Absence: an AQI sensor that stops for longer than the rule's "for"
# (2 s), then reports again.
printf 'env,grid=%s aqi=40\n' $G >"$f"
advance 100
post "$f"
sleep 0.5
cb_assert_eq none "$(state_of aqi-silent)" "a sensor that just reported is not silent"
advance 2100
wait_state aqi-silent firing
printf 'env,grid=%s aqi=41\n' $G >"$HUB_DIR/aqi.lp"
advance 100
post "$HUB_DIR/aqi.lp"
wait_state aqi-silent resolved
hub_sock "/api/v1/alerts?rule=aqi-silent&state=all" >/dev/null
cb_assert_eq "data from aqi-silent again in 南园街道 / 东园社区 / 东园01" \
	"$(hub_json 'j["alerts"][0]["message"]')" "the default resolve message of an absence rule"

# SIGHUP: a bad rules file keeps the old rules; a good one replaces them.
printf '{"rules": [{"name": "x", "selector": "y", "severity": "urgent"}]}' >"$HUB_DIR/rules.json"
kill -HUP "$(cb_pid hub)"
until_ok in_log "keeping the old rules" || cb_fail "bad reload: no 'keeping the old rules' in the log"
cb_assert_contains "$(cat "$CB_TMP/hub.log")" "rules.json:1:" "bad reload names the place"
printf '{"settings": {"eval_interval": "200ms"}, "rules": []}' >"$HUB_DIR/rules.json"
kill -HUP "$(cb_pid hub)"
until_ok in_log "reloaded 0 rules" || cb_fail "good reload: no 'reloaded 0 rules' in the log"
cb_assert_eq 200 "$(hub_sock /api/v1/audit/verify)" "verify"
cb_assert_eq True "$(hub_json 'j["ok"]')" "audit chain intact"

# A bad rules file at start-up: citybraind refuses to start, naming it.
cb_stop hub
printf '{"rules": [{"name": "x", "selector": "y{", "severity": "high"}]}' >"$HUB_DIR/rules.json"
"$HUB_BIN" --config "$HUB_DIR/hub.json" >"$HUB_DIR/bad.out" 2>&1
cb_assert_eq 1 "$?" "exit status with a bad rules file"
cb_assert_contains "$(cat "$HUB_DIR/bad.out")" "rules.json:1:" "error names file:line:col"
cb_assert_contains "$(cat "$HUB_DIR/bad.out")" "selector" "error names the key"
cb_done
