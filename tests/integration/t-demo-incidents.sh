#!/bin/sh
# The Futian demo's rainstorm as incidents (issue 17): tools/demo
# --no-console with the real conf/futian/rules.json (their "incident" keys
# group the flood by subdistrict).  Within the first minute of the demo the
# flooded grids show as one incident per subdistrict, 南园街道 and
# 福保街道, each holding exactly its own flooded grids' water-level-high
# alerts, instead of separate alerts.
. "$top_srcdir/tests/integration/lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }
for _f in hub/citybraind collectors/citybrain-collector tui/citybrain \
    plugins/.libs/simulator.so; do
	[ -e "$top_builddir/$_f" ] || { echo "SKIP: $_f not built"; exit 77; }
done

VAR=$CB_TMP/var
SOCK=$VAR/citybraind.sock
XDG_RUNTIME_DIR=$CB_TMP/xdg
export XDG_RUNTIME_DIR
OUT=$CB_TMP/out.json
# The flooded grids of conf/futian/collector-demo.json, by subdistrict.
NANYUAN="440304001003001 440304001003002 440304001011001 440304001011002"
FUBAO="440304010001001 440304010001002 440304010002003"

api() {
	curl -s -o "$OUT" -w '%{http_code}' --max-time 10 --unix-socket "$SOCK" "http://hub$1"
}
js() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[2]))
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False))' "$1" "$OUT" 2>&1
}

t_start=$(date +%s)
cb_start demo "$top_srcdir/tools/demo" --no-console --var "$VAR" \
	--build "$top_builddir" --port "$(cb_free_port)" --speed 12 \
	--backfill 30m --rules "$top_srcdir/conf/futian/rules.json"

# The flood's incidents: water-level-high fires 30 s after its grids are
# seen (the rule's "for"); the demo's first minute.  The limit allows for
# a loaded machine and sanitizers; the time taken is printed.
end=$((t_start + 120))
while :; do
	if [ "$(api '/api/v1/incidents')" = 200 ] &&
	    [ "$(js 'sum(len(i["alerts"]) for i in j["incidents"] if i["rule"] and i["title"].startswith("暴雨内涝"))')" = 7 ]; then
		break
	fi
	[ "$(date +%s)" -le $end ] || {
		cb_fail "no flood incidents with 7 grids within 120 s: $(head -c 600 "$OUT")"
		break
	}
	sleep 0.5
done
took=$(($(date +%s) - t_start))
echo "ok: flood incidents after $took s"
[ $took -le 60 ] || echo "note: later than the first minute (loaded machine?)"
cb_assert_eq "暴雨内涝 南园街道 440304001000|暴雨内涝 福保街道 440304010000" \
	"$(js '"|".join(sorted(i["title"] + " " + i["code"] for i in j["incidents"] if i["title"].startswith("暴雨内涝")))')" \
	"one incident per flooded subdistrict"
ids=$(js '" ".join(i["code"] + ":" + i["id"] for i in j["incidents"] if i["title"].startswith("暴雨内涝"))')
for sdid in $ids; do
	sd=${sdid%%:*}
	id=${sdid#*:}
	cb_assert_eq 200 "$(api "/api/v1/incidents/$id")" "GET $id"
	want=$NANYUAN
	[ $sd = 440304001000 ] || want=$FUBAO
	cb_assert_eq "$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ')" \
		"$(js '" ".join(sorted(a["code"] for a in j["members"] if a["rule"] == "water-level-high")) + " "')" \
		"$id holds exactly the flooded grids of $sd"
	cb_assert_eq true "$(js 'all(a["code"].startswith("'${sd%000}'") and a["incident"] == j["id"] for a in j["members"])')" \
		"$id: every member lies in $sd and names it"
	cb_assert_eq "open water high" "$(js '" ".join([j["state"], j["lead"], j["severity"]])')" "$id led by water"
done
# Every firing flood alert is in one of them.
cb_assert_eq 200 "$(api '/api/v1/alerts?state=firing,acknowledged&limit=1000')" "alerts"
cb_assert_eq "[]" "$(js '[a["id"] for a in j["alerts"] if a["rule"] == "water-level-high" and not a["incident"]]')" \
	"no water-level-high alert outside an incident"

cb_stop demo
for _log in "$VAR/hub.log" "$VAR/collector.log"; do
	if grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$_log" >/dev/null 2>&1; then
		cb_fail "sanitizer report in $_log"
		grep -E -A 20 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$_log" | head -n 40
	fi
done
if [ "$CB_FAILED" -ne 0 ]; then
	tail -n 30 "$VAR/hub.log" 2>/dev/null
fi
cb_done
