#!/bin/sh
# End to end: the Futian demo stack (tools/demo --no-console: citybraind,
# citybrain-collector running the simulator plugin) in the background, then
# through the API as the current unix user (the demo makes it a district
# supervisor): all ten subdistricts live within seconds; the rainstorm raises
# water-level alerts in exactly the flooded grids; acknowledging one works
# and is audited; the hotline surge reports its tickets as cases, routed by
# category; data quality flags the system the outage scenario takes
# down; `citybrain` with no flags reaches the demo hub through the socket
# link; and through the console in tmux, the overview shows the alerts.
#
# Fast: simulated time runs 12x (at the live ticks every 10 s: the fire
# from +2 s to +75 s, the pump-station outage from +4 s, silent from +14 s
# to +79 s), the backfill is 30 min, and the alert rules are the contract's
# rules with short "for" durations (the real ones hold for 2 min).
. "$top_srcdir/tests/integration/lib.sh"

TMUX_BIN=${TMUX_BIN:-tmux}
for _t in python3 curl "$TMUX_BIN"; do
	command -v "$_t" >/dev/null 2>&1 || { echo "SKIP: no $_t"; exit 77; }
done
for _f in hub/citybraind collectors/citybrain-collector tui/citybrain \
    plugins/.libs/simulator.so; do
	[ -e "$top_builddir/$_f" ] || { echo "SKIP: $_f not built"; exit 77; }
done

TSOCK=cb-demo-$$
trap '_s=$?; "$TMUX_BIN" -L "$TSOCK" kill-server 2>/dev/null; (exit $_s); cb_cleanup' EXIT

VAR=$CB_TMP/var
SOCK=$VAR/citybraind.sock
XDG_RUNTIME_DIR=$CB_TMP/xdg
export XDG_RUNTIME_DIR
LINK=$XDG_RUNTIME_DIR/citybrain-$(id -u)/citybraind.sock
OUT=$CB_TMP/out.json
ME=$(id -un)
# The flooded grids of conf/futian/collector-demo.json (README "The demo").
FLOODS="440304001003001 440304001003002 440304001011001 440304001011002
440304010001001 440304010001002 440304010002003"

# The contract's rules (notes/TEAM.md), made fast.
cat >"$CB_TMP/rules.json" <<'JSON'
{
 "settings": {"eval_interval": "1s", "flap_window": "10m", "group_min": 3},
 "rules": [
  {"name": "water-level-high", "type": "threshold", "selector": "water_level",
   "agg": "max", "window": "1m", "op": ">", "threshold": 4.5, "for": "3s",
   "by": ["grid"], "severity": "high", "dept": "water",
   "message": "water level {value:.2f} m > {threshold} m in {place}"},
  {"name": "aqi-high", "selector": "env_aqi", "agg": "avg", "window": "10m",
   "op": ">", "threshold": 150, "for": "5m", "by": ["grid"],
   "severity": "medium", "dept": "environment", "message": "AQI {value:.0f} in {place}"},
  {"name": "system-down", "selector": "system_up", "agg": "last",
   "window": "1m", "op": "==", "threshold": 0, "for": "3s",
   "by": ["system", "dept"], "dept_label": "dept", "severity": "high",
   "dept": "big-data", "message": "system {system} down"},
  {"name": "system-silent", "type": "absence", "selector": "system_up",
   "for": "15s", "by": ["system", "dept"], "dept_label": "dept",
   "severity": "high", "dept": "big-data",
   "message": "system {system} silent for {value:.0f} s"}
 ],
 "case_categories": [
  {"id": "street-vending", "name": "乱堆放/乱摆卖", "code": "10020033", "dept": "city-management", "time_limit": "24h"},
  {"id": "blocked-fire-exit", "code": "10160005", "dept": "fire", "support": ["emergency"], "time_limit": "24h"},
  {"id": "unlicensed-business", "code": "10130154", "dept": "market", "support": ["city-management"]},
  {"id": "housing", "dept": "housing"},
  {"id": "traffic", "dept": "traffic", "support": ["police"], "time_limit": "48h"},
  {"id": "environment", "dept": "environment"},
  {"id": "public-order", "dept": "police", "time_limit": "24h"}
 ]
}
JSON

# api PATH [CURL-ARGS]: GET (or more) over the demo's unix socket as the
# current user; body in $OUT, prints the status.
api() {
	_p=$1
	shift
	curl -s -o "$OUT" -w '%{http_code}' --max-time 10 --unix-socket "$SOCK" \
		"$@" "http://hub$_p"
}

# js EXPR: a Python expression over the JSON body j.
js() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[2]))
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False))' "$1" "$OUT" 2>&1
}

# wait_for SECONDS PATH EXPR: poll PATH until EXPR is True.
wait_for() {
	_end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -le $_end ]; do
		if [ "$(api "$2")" = 200 ] && [ "$(js "$3")" = true ]; then
			return 0
		fi
		sleep 0.5
	done
	return 1
}

t_start=$(date +%s)
cb_start demo "$top_srcdir/tools/demo" --no-console --var "$VAR" \
	--build "$top_builddir" --port "$(cb_free_port)" --speed 12 \
	--backfill 30m --rules "$CB_TMP/rules.json"

# ---- All ten subdistricts with live data (the target is 10 s; the limit
# here allows for a loaded machine and sanitizers) ---------------------------
if wait_for 20 /api/v1/overview \
    'len([s for s in j["subdistricts"] if s["status"]["age_s"] is not None and s["status"]["age_s"] < 10 and "aqi" in s["metrics"]]) == 10'; then
	echo "ok: 10 subdistricts live after $(($(date +%s) - t_start)) s"
else
	cb_fail "overview: not all 10 subdistricts live within 20 s: $(js '[(s["name_en"], s["status"]["age_s"]) for s in j["subdistricts"]]')"
fi

# ---- The rainstorm: water-level alerts in exactly the flooded grids --------
want=$(echo $FLOODS | tr ' ' '\n' | sort | tr '\n' ' ')
if ! wait_for 60 '/api/v1/alerts?state=firing,acknowledged&limit=1000' \
    'len([a for a in j["alerts"] if a["rule"] == "water-level-high"]) >= 7'; then
	cb_fail "no water-level alerts for the 7 flooded grids within 60 s"
fi
got=$(js '" ".join(sorted(a["code"] for a in j["alerts"] if a["rule"] == "water-level-high")) + " "')
cb_assert_eq "$want" "$got" "water-level alerts are in the flooded grids"
cb_assert_eq "high water" \
	"$(js '" ".join(sorted({a["severity"] + " " + (a["dept"] or "") for a in j["alerts"] if a["rule"] == "water-level-high"}))')" \
	"water-level alerts are high, dispatched to water"
echo "ok: water-level alerts after $(($(date +%s) - t_start)) s: $got"

# ---- Acknowledge one; the audit has it, the chain verifies -----------------
id=$(js '[a["id"] for a in j["alerts"] if a["rule"] == "water-level-high" and a["code"] == "440304001003001"][0]')
code=$(api "/api/v1/alerts/$id/ack" -H 'Content-Type: application/json' \
	--data '{"comment": "pumps dispatched to 滨江01"}')
cb_assert_eq 200 "$code" "ack $id"
cb_assert_eq "acknowledged $ME" "$(js 'j["state"] + " " + (j["ack"] or {}).get("by", "")')" \
	"alert $id acknowledged by the demo user"
code=$(api "/api/v1/audit?limit=1000")
cb_assert_eq 200 "$code" "audit readable by the supervisor"
cb_assert_eq "1" "$(js "len([e for e in j['entries'] if e['target'] == '$id' and e['action'].endswith('ack') and e['who'] == '$ME'])")" \
	"the ack is in the audit log with the user's name"
api /api/v1/audit/verify >/dev/null
cb_assert_eq true "$(js 'j["ok"]')" "audit chain verifies"

# ---- The outage: the system stops reporting; data quality flags it ---------
if wait_for 60 '/api/v1/quality?silent_after=15s&limit=100000' \
    'any("system=\"pump-station\"" in s["series"] for s in j["silent_series"])'; then
	echo "ok: quality lists pump-station silent after $(($(date +%s) - t_start)) s"
else
	cb_fail "quality never listed pump-station's series as silent"
fi
# A pump-station series other than system_up can fall silent first (the
# simulator feeds some of them rarely), so the system's own state is
# polled too.
wait_for 60 /api/v1/systems/pump-station 'j["state"] in ("down", "stale")' ||
	cb_fail "systems: pump-station state $(js 'j["state"]'), want down or stale"
# A rule's alert is dispatched when it fires; one still pending (system-silent
# waits 15 s) has no departments yet, so only fired ones are checked.
if ! wait_for 30 '/api/v1/alerts?limit=1000' \
    'any(a["labels"].get("system") == "pump-station" and a["rule"] in ("system-down", "system-silent") and a["state"] != "pending" for a in j["alerts"])'; then
	cb_fail "no fired alert for the pump-station outage within 30 s"
fi
cb_assert_eq true \
	"$(js 'all(a["dept"] == "water" and [d["dept"] for d in a["depts"]] == ["water", "big-data"] for a in j["alerts"] if a["labels"].get("system") == "pump-station" and a["rule"] in ("system-down", "system-silent") and a["state"] != "pending")')" \
	"the outage goes to the department running the system, big-data supports" ||
	js '[(a["rule"], a["state"], a["dept"], [d["dept"] for d in a["depts"]], a["message"]) for a in j["alerts"] if a["labels"].get("system") == "pump-station"]' >&2
cb_assert_eq true \
	"$(js 'any((a["labels"].get("grid") == "440304011001003") and a["severity"] == "high" for a in j["alerts"])')" \
	"the fire alarm event raised an alert in its grid"
cb_assert_eq true \
	"$(js 'any(a["labels"].get("grid") == "440304011001003" and a.get("message_en", "").startswith("fire alarm: smoke detectors in ") and all(ord(c) < 128 for c in a["message_en"]) for a in j["alerts"])')" \
	"the fire alarm's message_en (through the plugin ABI) is ASCII with the place in pinyin" ||
	js '[(a["message"], a.get("message_en")) for a in j["alerts"] if a["labels"].get("grid") == "440304011001003"]' >&2

# ---- The hotline surge (from +15 s) reports its 12345 tickets as cases ------
# (POST /api/v1/cases through the collector): routed by category at once,
# the uncategorised ones ("其他") queued for the dispatch desk.
if wait_for 60 '/api/v1/cases?limit=1000' \
    'len([c for c in j["cases"] if c["case"]["source"] == "hotline"]) >= 4'; then
	echo "ok: $(js 'j["total"]') hotline cases after $(($(date +%s) - t_start)) s"
else
	cb_fail "fewer than 4 hotline cases within 60 s: $(js 'j.get("total")')"
fi
cb_assert_eq true \
	"$(js 'all(c["code"].startswith("440304001") and c["id"].startswith("C") and ((c["case"]["routing"] == "auto" and c["dept"] is not None) or (c["case"]["routing"] == "queued" and c["case"]["category"] == "其他")) for c in j["cases"])')" \
	"hotline cases are in Nanyuan, routed by category or queued" ||
	js '[(c["id"], c["code"], c["case"], c["dept"]) for c in j["cases"]]' >&2
cb_assert_eq true "$(js 'any(c["case"]["routing"] == "auto" for c in j["cases"])')" \
	"some hotline cases were routed at once"

# ---- The vocabulary: every series of the contract, nothing rejected -------
api '/api/v1/labels/__name__/values' >/dev/null
cb_assert_eq "" "$(js '" ".join(sorted({"env_aqi", "env_pm25", "env_noise_db", "traffic_flow", "traffic_speed", "traffic_congestion", "water_level", "water_rainfall", "metro_passengers", "service_queue", "finance_enterprises", "hotline_tickets", "system_up", "system_latency_ms"} - set(j["values"])))')" \
	"series of the metric vocabulary missing in the hub"
api /api/v1/quality >/dev/null
cb_assert_eq 0 "$(js 'j["rejected"]["total"]')" "lines rejected by the hub (late backfill?)"

# ---- `citybrain` with no flags reaches the demo hub (the socket link) ------
[ -L "$LINK" ] || cb_fail "no socket link at $LINK"
if "$top_builddir/tui/citybrain" alerts --json >"$CB_TMP/cli.json" 2>"$CB_TMP/cli.err"; then
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["alerts"]))' "$CB_TMP/cli.json" 2>&1)
	case $n in
	'' | *[!0-9]*) cb_fail "citybrain alerts --json: not JSON: $(head -c 200 "$CB_TMP/cli.json")" ;;
	*) [ "$n" -ge 7 ] || cb_fail "citybrain alerts --json (no flags): $n alerts" ;;
	esac
else
	cb_fail "citybrain alerts --json with no flags failed: $(cat "$CB_TMP/cli.err")"
fi

# ---- The console in tmux: the overview shows the alerts ---------------------
"$TMUX_BIN" -L "$TSOCK" -f /dev/null new-session -d -x 160 -y 45 \
	"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $top_builddir/tui/citybrain -S $SOCK -d 1 2>$CB_TMP/console.err"
screen=
_i=0
while [ $_i -lt 40 ]; do
	screen=$("$TMUX_BIN" -L "$TSOCK" capture-pane -p 2>/dev/null)
	case $screen in
	*福保街道*HIGH*) break ;;
	esac
	sleep 0.5
	_i=$((_i + 1))
done
echo "$screen" >"$CB_TMP/console-screen.log"
cb_assert_contains "$screen" "南园街道" "console overview lists Nanyuan"
cb_assert_contains "$screen" "华强北街道" "console overview lists all ten subdistricts"
for _sd in 南园街道 福保街道; do
	_row=$(echo "$screen" | grep "$_sd" | head -n 1)
	cb_assert_contains "$_row" "HIGH" "console: $_sd row shows its high alerts"
done
"$TMUX_BIN" -L "$TSOCK" send-keys q
sleep 0.5

# ---- Stop: everything the demo started goes, the link too ------------------
cb_stop demo
[ ! -e "$LINK" ] || cb_fail "socket link left behind at $LINK"
if curl -s -o /dev/null --max-time 2 --unix-socket "$SOCK" http://hub/healthz; then
	cb_fail "the hub still answers after the demo stopped"
fi
for _log in "$VAR/hub.log" "$VAR/collector.log"; do
	if grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$_log" >/dev/null 2>&1; then
		cb_fail "sanitizer report in $_log"
		grep -E -A 20 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$_log" | head -n 40
	fi
done
if [ "$CB_FAILED" -ne 0 ]; then
	for _log in "$VAR/hub.log" "$VAR/collector.log" "$CB_TMP/console-screen.log"; do
		echo "--- $_log (last 30 lines)"
		tail -n 30 "$_log" 2>/dev/null
	done
fi
echo "test took $(($(date +%s) - t_start)) s"
cb_done
