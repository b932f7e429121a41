#!/bin/sh
# Without UTF-8 (issue 19, item 4): LANG=C TERM=vt100, or --ascii, shows
# every name through the territory's name_en (pinyin): the places, the
# messages built from templates with {place} (a rule's and an event's),
# an event's own message_en, the header's scope; no '?' reaches the
# screen.  With the rule's alert, the Grid screen's chart of its metric
# draws the threshold as a line (issue 19 item 9).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"

cf_begin

cf_hub_start
# A rule whose message is a template with {place} (rules.json beside
# hub.json), then the hub again to load it.
cat >"$CF_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "300ms"},
 "rules": [
  {"name": "rainstorm", "selector": "rain_mm_h", "agg": "max",
   "window": "1h", "op": ">", "threshold": 50, "by": ["grid"],
   "severity": "high", "dept": "emergency",
   "message": "rainstorm: {value:.0f} mm/h in {place}",
   "resolve_message": "rainstorm over: {value:.0f} mm/h in {place}"}
 ]}
JSON
cf_hub_restart
cf_load # A000001 (message_en given), A000002, A000003
printf 'rain,grid=440304001003007 mm_h=86\n' >"$CF_DIR/rain.lp"
st=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CF_TOKEN" \
	--data-binary "@$CF_DIR/rain.lp" "$CF_URL/api/v1/write")
cb_assert_eq 204 "$st" "rain written"
# An event with {place} in both forms, as the simulator sends a fire.
cf_event '{"key": "test/fire/440304001001001", "severity": "high",
  "labels": {"grid": "440304001001001"},
  "message": "火灾报警：{place} 烟感探测器报警",
  "message_en": "fire alarm: smoke detectors in {place}", "dept": "fire"}'

alerts_json() {
	curl -s --unix-socket "$CF_SOCKET" "http://hub/api/v1/alerts?limit=50" \
		>"$CF_DIR/alerts.json"
}
has_rain() {
	alerts_json
	grep -q '"rule": *"rainstorm"' "$CF_DIR/alerts.json"
}
_i=0
while ! has_rain && [ $_i -lt 600 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
has_rain || cb_fail "the rainstorm rule did not fire within 60 s"

field() { # RULE-OR-KEY-PART FIELD
	python3 -c 'import json,sys
a = [x for x in json.load(open(sys.argv[1]))["alerts"] if sys.argv[2] in x["key"]]
print(a[0].get(sys.argv[3]) if a else "none")' "$CF_DIR/alerts.json" "$1" "$2"
}
cb_assert_eq "rainstorm: 86 mm/h in 南园街道 / 滨江社区 / 滨江07" "$(field rainstorm message)" \
	"the rule's message names the place"
cb_assert_eq "rainstorm: 86 mm/h in Nanyuan / Binjiang / Binjiang 07" "$(field rainstorm message_en)" \
	"the rule's message_en names it in pinyin"
cb_assert_eq "Nanyuan / Binjiang / Binjiang 07" "$(field rainstorm place_en)" "place_en"
cb_assert_eq "火灾报警：南园街道 / 东园社区 / 东园01 烟感探测器报警" "$(field test/fire/440304001001001 message)" \
	"an event's {place}"
cb_assert_eq "fire alarm: smoke detectors in Nanyuan / Dongyuan / Dongyuan 01" \
	"$(field test/fire/440304001001001 message_en)" "an event's message_en with {place}"

# citybrain alerts in the C locale.
out=$(LANG=C LC_ALL=C "$CF_BIN" -S "$CF_SOCKET" alerts)
cb_assert_contains "$out" "rainstorm: 86 mm/h in Nanyuan / Binjiang / Binjiang 07" \
	"citybrain alerts: the message in pinyin"
case $out in
*"?"*) cb_fail "citybrain alerts in the C locale shows '?': $out" ;;
esac

# The console without UTF-8.
for how in "env LANG=C LC_ALL=C TERM=vt100 $CF_BIN -S $CF_SOCKET" \
	"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $CF_SOCKET --ascii"; do
	cf_tmux 160 30 "$how"
	cf_expect "supervisor@Futian" "$how: the header names the scope"
	cf_keys 4
	cf_expect "rainstorm: 86 mm/h in Nanyuan / Binjiang / Binjiang 07" \
		"$how: the rule's message in pinyin"
	cf_expect "fire alarm: smoke detectors in Nanyuan / Dongyuan / Dongyuan 01" \
		"$how: the event's message in English and pinyin"
	cf_expect "water level 4.80 m in Binjiang 07" "$how: the event's message_en"
	cf_expect "Nanyuan / Binjiang / Binjiang 07" "$how: places in pinyin"
	cf_reject "?" "$how: no '?' on the Alerts screen"
	# The detail of the rule's alert.
	cf_keys / rainstorm Enter
	cf_wait "1/" 10
	cf_keys Enter
	cf_expect "place    Nanyuan / Binjiang / Binjiang 07" "$how: the detail's place"
	cf_reject "?" "$how: no '?' in the detail"
	cf_tmux_kill
done

# The Grid screen: the chart of the alert's metric has its threshold line.
cf_tmux 120 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $CF_SOCKET -s grid"
cf_keys : "goto 440304001003007" Enter
cf_expect "People responsible" "the grid detail"
cf_keys / rain Enter
cf_expect "rain_mm_h, last 6 hours, alert > 50" "the chart names the alert's threshold"
cf_expect "╌╌╌╌╌╌╌╌╌╌" "the chart draws the threshold line"
cf_tmux_kill

cb_done
