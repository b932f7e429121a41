#!/bin/sh
# Rules in the real hub: line protocol in, a threshold rule goes pending,
# fires after its "for", escalates when nobody acknowledges, resolves when
# the water goes down; an absence rule; webhooks to a local receiver that
# fails at first (retried, every delivery recorded); SIGHUP reloads rules
# (a bad file keeps the old ones).
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
   "agg": "max", "window": "10s", "op": ">", "threshold": 4.5,
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
hub_start
f="$HUB_DIR/body.lp"
G=440304001001001

write() { # GRID VALUE
	printf 'water,grid=%s,system=water-level-iot level_m=%s\n' "$1" "$2" >"$f"
	TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/write "$f" >/dev/null
}
state_of() { # RULE -> state of its only alert, or none
	hub_sock "/api/v1/alerts?rule=$1&state=all" >/dev/null
	hub_json 'j["alerts"][0]["state"] if j["alerts"] else "none"'
}
# The waits poll until a condition with a deadline of $DEADLINE seconds of
# wall time (not a count of rounds), generous for a loaded machine; a round
# is quick when the machine is idle.
DEADLINE=60
until_true() { # CMD...: poll CMD until it succeeds or the deadline passes
	_end=$(($(date +%s) + DEADLINE))
	while ! "$@"; do
		[ "$(date +%s)" -ge $_end ] && return 1
		sleep 0.2
	done
}
state_is() { # RULE STATE [FEED-GRID FEED-VALUE | FEED-FILE]
	if [ -n "${4:-}" ]; then
		write "$3" "$4"
	elif [ -n "${3:-}" ]; then
		TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/write "$3" >/dev/null
	fi
	[ "$(state_of "$1")" = "$2" ]
}
wait_state() { # RULE STATE [FEED-GRID FEED-VALUE | FEED-FILE]
	until_true state_is "$@" && return 0
	cb_fail "$1 did not become $2 within ${DEADLINE}s (is $(state_of "$1"))"
	return 1
}
# While waiting for the escalation and the deliveries the water stays high
# (the sensor keeps reporting): a slow round must not let the rule's window
# run empty and resolve the alert, which would reopen it (a second fire).
escalated() { # ALERT
	write $G 4.8
	hub_sock "/api/v1/alerts/$1" >/dev/null
	[ "$(hub_json 'j["escalated"]')" = True ]
}
delivered() { # ALERT: both non-resolve deliveries went through
	write $G 4.8
	TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/deliveries?alert=$1" >/dev/null
	[ "$(hub_json 'sorted(d["state"] for d in j["deliveries"] if d["kind"] != "resolve")')" = '["delivered", "delivered"]' ]
}
in_log() { # TEXT: the hub's log has TEXT
	grep -qF -- "$1" "$CB_TMP/hub.log"
}

# Below the threshold: nothing.
write $G 1.2
sleep 0.5
cb_assert_eq none "$(state_of water-level-high)" "normal level"
# Above it: pending, then firing after "for".
write $G 4.8
wait_state water-level-high firing $G 4.8
write $G 4.8 # (still high: the window stays full however slow the round)
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts?rule=water-level-high")" "list"
cb_assert_eq 1 "$(hub_json 'len(j["alerts"])')" "one firing alert"
A=$(hub_json 'j["alerts"][0]["id"] if j["alerts"] else "none"')
cb_assert_eq True "$(hub_json 'j["alerts"][0]["fired_ms"] - j["alerts"][0]["started_ms"] >= 1000')" \
	"pending for at least the rule's 'for'"
cb_assert_eq "water level 4.80 m > 4.5 m in 南园街道 / 东园社区 / 东园01" \
	"$(hub_json 'j["alerts"][0]["message"]')" "message from the template"
cb_assert_eq water "$(hub_json 'j["alerts"][0]["dept"]')" "rule's department"
hub_sock "/api/v1/alerts/$A" >/dev/null
cb_assert_eq '["pending", "fire"]' "$(hub_json '[h["action"] for h in j["history"]][:2]')" \
	"pending, then firing"

# Nobody acknowledges within 2 s: escalated, supervisors notified.
until_true escalated "$A"
cb_assert_eq True "$(hub_json 'j["escalated"]')" "escalated"

# Webhooks: water (fire) and supervisors (escalate); the receiver failed
# the first two requests, so something was retried, and all got through.
until_true delivered "$A"
K='[d for d in j["deliveries"] if d["kind"] != "resolve"]'
cb_assert_eq '["delivered", "delivered"]' "$(hub_json "sorted(d['state'] for d in $K)")" "deliveries"
cb_assert_eq '["escalate", "fire"]' "$(hub_json "sorted(d['kind'] for d in $K)")" "delivery kinds"
cb_assert_eq 4 "$(hub_json "sum(d['attempts'] for d in $K)")" "two retries in all"
cb_assert_contains "$(cat "$HUB_DIR/hooks.log")" "/water {" "department hook called"
cb_assert_contains "$(grep -v audit-anchor "$HUB_DIR/hooks.log")" "/sup {" "supervisors hook called (not only the audit anchor)"
cb_assert_eq 403 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/deliveries)" "deliveries need a supervisor"

# The water goes down: resolved once the window has only low values.
wait_state water-level-high resolved $G 1.0
hub_sock "/api/v1/alerts/$A" >/dev/null
cb_assert_contains "$(hub_json '[h["action"] for h in j["history"]]')" '"resolve"' "resolve in history"
# A resolved alert says what resolved it, never the firing words: the
# data stopped during the escalation wait (no data in the window), or on
# a fast machine the low values came in time.
case "$(hub_json 'j["message"]')" in
"water-level-high: resolved, no data in the window (last value 4.8) in 南园街道 / 东园社区 / 东园01" | \
	"water level back to 1.00 m (< 4.5 m) in 南园街道 / 东园社区 / 东园01") ;;
*) cb_fail "resolved: the message says what resolved it: $(hub_json 'j["message"]')" ;;
esac
# A level that goes up and comes down while it reports (a window long
# enough for this loaded test): the resolve_message with the value that
# resolved it.
printf 'pond,grid=%s level_m=4.9\n' $G >"$HUB_DIR/pond-hi.lp"
printf 'pond,grid=%s level_m=1.0\n' $G >"$HUB_DIR/pond-lo.lp"
wait_state pond-level firing "$HUB_DIR/pond-hi.lp"
wait_state pond-level resolved "$HUB_DIR/pond-lo.lp"
hub_sock "/api/v1/alerts?rule=pond-level&state=resolved" >/dev/null
cb_assert_eq "pond back to 1.00 m (< 4.5 m) in 南园街道 / 东园社区 / 东园01" \
	"$(hub_json 'j["alerts"][0]["message"]')" "resolve_message with the resolving value"

# Absence: an AQI sensor that stops.
printf 'env,grid=%s aqi=40\n' $G >"$f"
TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/write "$f" >/dev/null
wait_state aqi-silent firing
printf 'env,grid=%s aqi=41\n' $G >"$HUB_DIR/aqi.lp"
wait_state aqi-silent resolved "$HUB_DIR/aqi.lp"
hub_sock "/api/v1/alerts?rule=aqi-silent&state=all" >/dev/null
case "$(hub_json 'j["alerts"][0]["state"] + ": " + j["alerts"][0]["message"]')" in
"resolved: data from aqi-silent again in 南园街道 / 东园社区 / 东园01" | "firing: no data from"*) ;;
*) cb_fail "the default resolve message of an absence rule: $(hub_json 'j["alerts"][0]["message"]')" ;;
esac

# SIGHUP: a bad rules file keeps the old rules; a good one replaces them.
printf '{"rules": [{"name": "x", "selector": "y", "severity": "urgent"}]}' >"$HUB_DIR/rules.json"
kill -HUP "$(cb_pid hub)"
until_true in_log "keeping the old rules"
cb_assert_contains "$(cat "$CB_TMP/hub.log")" "keeping the old rules" "bad reload"
cb_assert_contains "$(cat "$CB_TMP/hub.log")" "rules.json:1:" "bad reload names the place"
printf '{"settings": {"eval_interval": "200ms"}, "rules": []}' >"$HUB_DIR/rules.json"
kill -HUP "$(cb_pid hub)"
until_true in_log "reloaded 0 rules"
cb_assert_contains "$(cat "$CB_TMP/hub.log")" "reloaded 0 rules" "good reload"
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
