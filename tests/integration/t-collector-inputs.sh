#!/bin/sh
# Collector inputs against real things: the monitoring-plugins check_*
# programs, an exec timeout that must kill the whole process group, a
# local Prometheus exporter fixture (text 0.0.4 and OpenMetrics), HTTP
# checks, the example C plugin, refusal of a newer-ABI plugin, and the
# backoff of a failing plugin.  Also the command line.
. "$top_srcdir/tests/integration/lib.sh"

COLLECTOR=$top_builddir/collectors/citybrain-collector
FAKEHUB=$top_builddir/tests/collector/fakehub
NAGIOS=/usr/lib/nagios/plugins
PLUGIN=$top_builddir/plugins/.libs/example.so
NEWABI=$top_builddir/tests/collector/.libs/plugin-newabi.so

# ---- command line -------------------------------------------------------
out=$("$COLLECTOR" --help 2>&1)
cb_assert_eq 0 $? "--help exit status"
cb_assert_contains "$out" "Usage: citybrain-collector" "--help"
out=$("$COLLECTOR" --version)
cb_assert_contains "$out" "citybrain-collector (citybrain) " "--version"
out=$("$COLLECTOR" --frobnicate 2>&1)
cb_assert_eq 2 $? "unknown flag exit status"
cb_assert_contains "$out" "Usage:" "unknown flag prints the usage"
out=$("$COLLECTOR" -c "$CB_TMP/missing.json" 2>&1)
cb_assert_eq 1 $? "missing config exit status"
printf '%s\n' '{"hub": {"urls": ["http://127.0.0.1:1"]},' \
    ' "inputs": [{"type": "exec", "command": ["true"], "formt": "nagios"}]}' \
    >"$CB_TMP/bad.json"
out=$("$COLLECTOR" -c "$CB_TMP/bad.json" --check-config 2>&1)
cb_assert_eq 1 $? "bad config exit status"
cb_assert_contains "$out" "bad.json:2:" "config error names file:line"
cb_assert_contains "$out" "formt" "config error names the key"

# run NAME INPUTS-JSON: a --test run, output in $CB_TMP/NAME.out
run() {
	printf '{"name": "t", "hub": {"urls": ["http://127.0.0.1:1"]},
	 "tags": {"dept": "test"}, "inputs": %s}\n' "$2" >"$CB_TMP/$1.json"
	"$COLLECTOR" -c "$CB_TMP/$1.json" --test >"$CB_TMP/$1.out" \
	    2>"$CB_TMP/$1.log"
	echo $? >"$CB_TMP/$1.rc"
}

# ---- monitoring-plugins, as they are ------------------------------------
if [ -x "$NAGIOS/check_load" ] && [ -x "$NAGIOS/check_dummy" ]; then
	run nagios "[
	 {\"type\": \"exec\", \"name\": \"load\", \"command\": [\"$NAGIOS/check_load\", \"-w\", \"500,400,300\", \"-c\", \"900,800,700\"]},
	 {\"type\": \"exec\", \"name\": \"disk\", \"command\": [\"$NAGIOS/check_disk\", \"-w\", \"1%\", \"-c\", \"1%\", \"-p\", \"/\"]},
	 {\"type\": \"exec\", \"name\": \"users\", \"command\": [\"$NAGIOS/check_users\", \"-w\", \"1000\", \"-c\", \"2000\"]},
	 {\"type\": \"exec\", \"name\": \"procs\", \"command\": [\"$NAGIOS/check_procs\", \"-w\", \"100000\"]},
	 {\"type\": \"exec\", \"name\": \"crit\", \"command\": [\"$NAGIOS/check_dummy\", \"2\", \"pump 3 stopped\"]},
	 {\"type\": \"exec\", \"name\": \"warn\", \"command\": [\"$NAGIOS/check_dummy\", \"1\", \"slow\"]},
	 {\"type\": \"exec\", \"name\": \"unknown\", \"command\": [\"$NAGIOS/check_dummy\", \"3\"]},
	 {\"type\": \"exec\", \"name\": \"missing\", \"command\": [\"$NAGIOS/check_no_such_thing\"]},
	 {\"type\": \"exec\", \"name\": \"inside\", \"command\": [\"$NAGIOS/check_procs\", \"-w\", \"@1:1000000\", \"-c\", \"@1000001:2000000\"]},
	 {\"type\": \"exec\", \"name\": \"long\", \"command\": [\"$NAGIOS/check_dummy\", \"2\", \"pump 3 stopped\\nbearing 92 C\\nline 3\\nline 4\\nline 5\\nline 6\\nline 7 is not in the detail\"]}
	]"
	o=$(cat "$CB_TMP/nagios.out")
	cb_assert_contains "$o" "nagios_state,dept=test,check=load value=0,code=0i" "check_load OK"
	cb_assert_contains "$o" "nagios_perf,dept=test,check=load,label=load1 value=" "check_load perfdata"
	cb_assert_contains "$o" ",warn=500,crit=900,min=0" "check_load thresholds"
	cb_assert_contains "$o" "nagios_state,dept=test,check=disk value=0,code=0i" "check_disk OK"
	cb_assert_contains "$o" "nagios_perf,dept=test,check=disk,label=/," "check_disk perfdata"
	cb_assert_contains "$o" "nagios_state,dept=test,check=users value=0,code=0i" "check_users"
	cb_assert_contains "$o" "nagios_perf,dept=test,check=users,label=users value=" "check_users perfdata"
	cb_assert_contains "$o" "nagios_state,dept=test,check=procs value=0,code=0i" "check_procs"
	cb_assert_contains "$o" "nagios_state,dept=test,check=crit value=2,code=2i" "CRITICAL state"
	cb_assert_contains "$o" "nagios_state,dept=test,check=warn value=1,code=1i" "WARNING state"
	cb_assert_contains "$o" "nagios_state,dept=test,check=unknown value=0.5,code=3i" "UNKNOWN state ranks below WARNING"
	cb_assert_contains "$o" "nagios_state,dept=test,check=missing value=0.5,code=3i" "missing program is UNKNOWN"
	cb_assert_contains "$o" '# event {"key":"nagios/t/crit","state":"firing","severity":"high"' "CRITICAL raises an event"
	cb_assert_contains "$o" '"message":"CRITICAL: pump 3 stopped"' "event message"
	cb_assert_contains "$o" '"key":"nagios/t/warn","state":"firing","severity":"medium"' "WARNING event"
	case "$o" in
	*'"key":"nagios/t/load"'*) cb_fail "an OK first run raised an event" ;;
	esac
	# '@' thresholds: the item alerts inside the range, and says so.
	cb_assert_contains "$o" "nagios_state,dept=test,check=inside value=1,code=1i" "check_procs -w @1:N is WARNING"
	cb_assert_contains "$o" "state=1i,warn=1000000,warn_lo=1,warn_inside=1i,crit=2000000,crit_lo=1000001,crit_inside=1i" \
		"perfdata keeps the inside flag and its own state"
	# Long output: the first lines go into the event's detail.
	cb_assert_contains "$o" '"message":"CRITICAL: pump 3 stopped","value":2,"detail":"bearing 92 C\nline 3\nline 4\nline 5\nline 6"' \
		"long output in the event detail"

else
	echo "monitoring-plugins not installed: skipping that part"
fi

# ---- Nagios checks through a real hub -----------------------------------
# A rule "nagios_state >= 2" fires for CRITICAL but not for UNKNOWN; the
# state duration counts the time in the state; the event's alert goes to
# the department of the points' dept tag and carries the long output.
if [ -x "$NAGIOS/check_dummy" ]; then
	. "$top_srcdir/tests/integration/hub-lib.sh"
	hub_conf
	cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s"},
 "rules": [{"name": "nagios-critical", "selector": "nagios_state", "agg": "last",
   "window": "1m", "op": ">=", "threshold": 2, "by": ["check"],
   "severity": "high", "dept": "big-data"}]}
JSON
	hub_start
	printf '%s' "$HUB_TOK_COLLECTOR" >"$CB_TMP/hub.token"
	printf '{"name": "nag", "hub": {"urls": ["%s"], "token_file": "%s/hub.token"},
	 "spool": {"dir": "%s/spool-nag"}, "self_interval": "1h", "tags": {"dept": "fire"},
	 "inputs": [
	  {"type": "exec", "name": "crit", "interval": "1s", "jitter": "0s",
	   "command": ["%s/check_dummy", "2", "pump 3 stopped\\nbearing 92 C"]},
	  {"type": "exec", "name": "unknown", "interval": "1s", "jitter": "0s",
	   "command": ["%s/check_dummy", "3", "no reading"]}]}\n' \
	    "$HUB_URL" "$CB_TMP" "$CB_TMP" "$NAGIOS" "$NAGIOS" >"$CB_TMP/nag.json"
	cb_start nag "$COLLECTOR" -c "$CB_TMP/nag.json"
	sleep 5
	TOKEN=$HUB_TOK_SUPER
	cb_wait_for sh -c "curl -s -H 'Authorization: Bearer $TOKEN' '$HUB_URL/api/v1/alerts' | grep -q nagios-critical"
	cb_stop nag
	hub_get '/api/v1/alerts?state=pending,firing,acknowledged,resolved' >/dev/null
	cb_assert_eq '["crit"]' "$(hub_json '[a["labels"].get("check") for a in j["alerts"] if a["rule"] == "nagios-critical"]')" \
		"nagios_state >= 2 fires for CRITICAL only, not UNKNOWN"
	cb_assert_eq fire "$(hub_json '[a["dept"] for a in j["alerts"] if a["key"] == "event/nagios/nag/crit"][0]')" \
		"the event's alert goes to the points' dept"
	cb_assert_eq "bearing 92 C" "$(hub_json '[a.get("detail") for a in j["alerts"] if a["key"] == "event/nagios/nag/crit"][0]')" \
		"long output in the alert's detail"
	cb_assert_eq low "$(hub_json '[a["severity"] for a in j["alerts"] if a["key"] == "event/nagios/nag/unknown"][0]')" \
		"UNKNOWN is a low alert"
	hub_get '/api/v1/query?q=nagios_state_duration_s{check="crit"}&start=-1m' >/dev/null
	d=$(hub_json 'j["series"][0]["points"][-1][1]')
	hub_get '/api/v1/query?q=nagios_state_run_s{check="crit"}&start=-1m' >/dev/null
	r=$(hub_json 'j["series"][0]["points"][-1][1]')
	echo "crit: $d s in its state, last run took $r s"
	python3 -c "import sys; sys.exit(0 if float('$d') >= 2 and float('$r') < 2 else 1)" ||
		cb_fail "nagios_state_duration_s ($d) is not the time in the state (run $r s)"
	# The fake hub below takes the name "hub": stop this one first, or its
	# PID is forgotten and it outlives the test.
	cb_stop hub
fi

# ---- exec timeout kills the whole process group -------------------------
run timeout "[
 {\"type\": \"exec\", \"name\": \"hang\", \"interval\": \"10s\", \"timeout\": \"1s\",
  \"command\": [\"sh\", \"$top_srcdir/tests/collector/sleeper.sh\", \"$CB_TMP/pids\"]}
]"
o=$(cat "$CB_TMP/timeout.out")
cb_assert_contains "$o" "nagios_state,dept=test,check=hang value=2,code=2i" "timeout is CRITICAL"
cb_assert_contains "$(cat "$CB_TMP/timeout.log")" "timed out after 1000 ms; process group killed" "timeout logged"
sleep 0.2
[ -s "$CB_TMP/pids" ] || cb_fail "the hanging plugin did not start"
for pid in $(cat "$CB_TMP/pids"); do
	st=$(ps -o stat= -p "$pid" 2>/dev/null)
	case "$st" in
	"" | Z*) ;;
	*)
		cb_fail "process $pid of the timed-out group still runs ($st)"
		kill -KILL "$pid" 2>/dev/null
		;;
	esac
done

# ---- exec influx and json formats ---------------------------------------
printf '%s\n' 'pump,station=a,system=spoofed pressure=2.5,on=t,note="x" 1700000000' \
    '# comment' >"$CB_TMP/lp.txt"
printf '%s\n' '{"metrics": [{"name": "queue_depth", "value": 12, "tags": {"queue": "q1"}, "time_ms": 1700000000123}]}' \
    >"$CB_TMP/js.txt"
run formats "[
 {\"type\": \"exec\", \"name\": \"lp\", \"format\": \"influx\", \"precision\": \"s\", \"tags\": {\"system\": \"pumps\"},
  \"command\": [\"cat\", \"$CB_TMP/lp.txt\"]},
 {\"type\": \"exec\", \"name\": \"js\", \"format\": \"json\", \"command\": [\"cat\", \"$CB_TMP/js.txt\"]}
]"
o=$(cat "$CB_TMP/formats.out")
cb_assert_contains "$o" "pump,dept=test,system=pumps,station=a pressure=2.5,on=1 1700000000000" "influx exec: configured tags win, strings dropped"
cb_assert_contains "$o" "queue_depth,dept=test,queue=q1 value=12 1700000000123" "json exec"

# ---- Prometheus exporter fixture and HTTP checks ------------------------
PORT=$(cb_free_port)
cb_start hub "$FAKEHUB" -p "$PORT"
cb_wait_http "http://127.0.0.1:$PORT/health" || cb_fail "fixture did not start"
DEAD=$(cb_free_port)
run prom "[
 {\"type\": \"prometheus\", \"name\": \"exp\", \"url\": \"http://127.0.0.1:$PORT/metrics\", \"tags\": {\"code\": \"mine\"}},
 {\"type\": \"prometheus\", \"name\": \"om\", \"url\": \"http://127.0.0.1:$PORT/metrics-om\"},
 {\"type\": \"http_check\", \"name\": \"ok\", \"url\": \"http://127.0.0.1:$PORT/health\", \"expect_body\": \"ok\"},
 {\"type\": \"http_check\", \"name\": \"nobody\", \"url\": \"http://127.0.0.1:$PORT/health\", \"expect_body\": \"nope\"},
 {\"type\": \"http_check\", \"name\": \"status\", \"url\": \"http://127.0.0.1:$PORT/nothing\", \"expect_status\": 200},
 {\"type\": \"http_check\", \"name\": \"down\", \"url\": \"http://127.0.0.1:$DEAD/\"}
]"
o=$(cat "$CB_TMP/prom.out")
cb_assert_contains "$o" "fixture_requests_total,dept=test,code=mine,method=get,exported_code=200 value=1027 " "counter with a clashing label"
cb_assert_contains "$o" 'fixture_temperature_celsius,dept=test,code=mine,room=B1\ "north",path=C:\\x value=21.5' "label escapes"
cb_assert_contains "$o" "fixture_latency_seconds_bucket,dept=test,code=mine,le=+Inf value=10" "histogram +Inf bucket"
cb_assert_contains "$o" "fixture_rpc_seconds,dept=test,code=mine,quantile=0.9 value=0.25" "summary quantile"
cb_assert_contains "$o" "fixture_with_timestamp,dept=test,code=mine value=7 1700000000000" "sample timestamp"
cb_assert_contains "$o" "collector_scrape,dept=test,code=mine,input=exp up=1i" "scrape status"
cb_assert_contains "$o" "skipped=2i" "NaN and +Inf samples skipped"
cb_assert_contains "$o" "fixture_jobs_total,dept=test,queue=a value=17 1700000000500" "OpenMetrics float timestamp"
cb_assert_contains "$o" "fixture_build_info,dept=test,version=1.2.3 value=1" "OpenMetrics info"
cb_assert_contains "$o" "fixture_size,dept=test value=1024" "OpenMetrics exemplar skipped"
case "$o" in
*fixture_jobs_created*) cb_fail "_created samples are skipped by default" ;;
esac
cb_assert_contains "$o" "http_check,dept=test,check=ok,url=http://127.0.0.1:$PORT/health up=1i,status=200i" "http check up"
cb_assert_contains "$o" "check=nobody,url=http://127.0.0.1:$PORT/health up=0i,status=200i" "body mismatch is down"
cb_assert_contains "$o" "body_match=0i" "body_match field"
cb_assert_contains "$o" "check=status,url=http://127.0.0.1:$PORT/nothing up=0i,status=404i" "unexpected status"
cb_assert_contains "$o" "check=down,url=http://127.0.0.1:$DEAD/ up=0i" "refused connection"
cb_stop hub

# ---- C plugins ----------------------------------------------------------
run plugin "[
 {\"type\": \"plugin\", \"name\": \"wl\", \"path\": \"$PLUGIN\", \"tags\": {\"station\": \"cfg\"},
  \"config\": {\"stations\": [\"FT-WL-01\", \"FT-WL-02\"]}}
]"
o=$(cat "$CB_TMP/plugin.out")
cb_assert_eq 0 "$(cat "$CB_TMP/plugin.rc")" "example plugin exit status"
cb_assert_contains "$o" "water,dept=test,station=cfg level_m=" "plugin point, configured tag wins"
cb_assert_contains "$o" "water_station_up,dept=test,station=cfg value=1" "plugin emit_value"
cb_assert_contains "$(cat "$CB_TMP/plugin.log")" "loaded example 1.0 (ABI 1)" "plugin load message"

run newabi "[{\"type\": \"plugin\", \"name\": \"future\", \"path\": \"$NEWABI\"}]"
cb_assert_eq 1 "$(cat "$CB_TMP/newabi.rc")" "newer-ABI plugin exit status"
cb_assert_contains "$(cat "$CB_TMP/newabi.log")" "plugin \"from-the-future\" needs plugin ABI 2, but this citybrain-collector" "newer ABI refused clearly"

LIBZ=$(ldd "$COLLECTOR" | awk '/libz\.so/ {print $3}')
run notplugin "[{\"type\": \"plugin\", \"name\": \"libz\", \"path\": \"$LIBZ\"}]"
cb_assert_contains "$(cat "$CB_TMP/notplugin.log")" "not a citybrain plugin" "a library without the entry point"

# A failing plugin backs off instead of spinning: a 200 ms interval for
# 3 s would be 15 runs; backing off 200, 400, 800, 1600 ms it is about 5.
FAILPORT=$(cb_free_port)
printf '{"hub": {"urls": ["http://127.0.0.1:%s"]},
 "spool": {"dir": "%s/spool-fail"}, "self_interval": "1h",
 "inputs": [{"type": "plugin", "name": "broken", "path": "%s",
   "interval": "200ms", "timeout": "100ms", "jitter": "0s",
   "config": {"fail": true}}]}\n' "$FAILPORT" "$CB_TMP" "$PLUGIN" \
    >"$CB_TMP/fail.json"
cb_start fail "$COLLECTOR" -c "$CB_TMP/fail.json"
sleep 3
cb_stop fail
n=$(grep -c "collect failed" "$CB_TMP/fail.log")
echo "failing plugin ran $n times in 3 s"
[ "$n" -ge 2 ] && [ "$n" -le 7 ] || cb_fail "failing plugin ran $n times in 3 s (no backoff?)"
cb_assert_contains "$(cat "$CB_TMP/fail.log")" "next try in" "backoff is logged"
cb_done
