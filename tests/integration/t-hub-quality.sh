#!/bin/sh
# Data-quality checks (issue 18): declared metrics never seen, stale,
# undeclared, value checks (range, monotonic, max_step) counted and listed
# with the grid, completeness, blind rules, scope masking of the new
# figures, --check-config warnings with file:line:column and the daily
# summary in the audit log.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

# The Futian demo's configuration is clean: every rule's metric is
# declared, no two systems declare one name differently.
out=$("$HUB_BIN" --check-config --config "$top_srcdir/conf/futian/hub.json" 2>&1)
cb_assert_eq 0 $? "Futian --check-config"
case $out in
*warning*) cb_fail "Futian configuration has data-quality warnings: $out" ;;
esac

hub_conf
# water-level-iot: two grids (a community and a grid), with value checks;
# air-quality: a metric never sent; hotline-12345: per subdistrict.
python3 - "$HUB_DIR/systems.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
for s in d["systems"]:
    if s["id"] == "water-level-iot":
        s["grids"] = ["440304001001001", "440304010001007"]
        s["interval"] = "2s"
        s["metrics"] = [
            {"name": "water_level", "unit": "m", "range": [-1, 10], "max_step": 2},
            {"name": "water_pumped_m3", "unit": "m3", "monotonic": True},
        ]
    if s["id"] == "air-quality":
        s["metrics"] = ["env_aqi", {"name": "env_pm25", "unit": "ug/m3"}]
    if s["id"] == "hotline-12345":
        s["metrics"] = [{"name": "hotline_tickets", "per": "subdistrict"}]
json.dump(d, open(p, "w"), indent=1)
PY
cat >"$HUB_DIR/rules.json" <<'JSON'
{"rules": [
 {"name": "water-high", "selector": "water_level", "agg": "max", "window": "1h",
  "op": ">", "threshold": 4.5, "by": ["grid"], "severity": "high"},
 {"name": "gas-leak", "selector": "gas_ppm", "agg": "max", "window": "2s",
  "op": ">", "threshold": 50, "by": ["grid"], "severity": "high"}
]}
JSON

# --check-config: the rule on an undeclared metric, at its position.
out=$("$HUB_BIN" --check-config --config "$HUB_DIR/hub.json" 2>&1)
cb_assert_eq 0 $? "warnings do not fail --check-config"
cb_assert_contains "$out" "rules.json:4:35: warning: \"rules[1].selector\": rule \"gas-leak\" watches metric \"gas_ppm\" that no system declares" \
	"rule on an undeclared metric, file:line:column"
cb_assert_contains "$out" "1 data-quality warning" "warning count"
# Colliding declarations: one name, another unit, in another system.
cp "$HUB_DIR/systems.json" "$HUB_DIR/systems.ok"
python3 - "$HUB_DIR/systems.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
for s in d["systems"]:
    if s["id"] == "fire-alarm-iot":
        s["metrics"] = [{"name": "water_level", "unit": "cm"}]
json.dump(d, open(p, "w"), indent=1)
PY
out=$("$HUB_BIN" --check-config --config "$HUB_DIR/hub.json" 2>&1)
cb_assert_contains "$out" "warning: \"systems[2].metrics[0]\": metric \"water_level\" of system \"fire-alarm-iot\" collides with system \"water-level-iot\"'s (another unit)" \
	"colliding metric names"
# A bad declaration is an error with its position.
python3 - "$HUB_DIR/systems.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["systems"][2]["metrics"] = [{"name": "x", "range": [5, 1]}]
json.dump(d, open(p, "w"), indent=1)
PY
out=$("$HUB_BIN" --check-config --config "$HUB_DIR/hub.json" 2>&1)
cb_assert_eq 1 $? "a bad range is an error"
cb_assert_contains "$out" "systems.json:" "error names the file"
cb_assert_contains "$out" "metrics[0].range\": expected [min, max] with min <= max" "error names the key"
mv "$HUB_DIR/systems.ok" "$HUB_DIR/systems.json"

CITYBRAIN_QUALITY_EVERY=1s
export CITYBRAIN_QUALITY_EVERY
hub_start
TOKEN=$HUB_TOK_COLLECTOR
now=$(date +%s)
f="$HUB_DIR/w.lp"
{
	# In range, then the sensor's error code, then a jump of 3 m.
	echo "water,grid=440304001001001,system=water-level-iot level=1.5 $((now - 6))"
	echo "water,grid=440304001001001,system=water-level-iot level=-9999 $((now - 5))"
	echo "water,grid=440304001001001,system=water-level-iot level=1.6 $((now - 4))"
	echo "water,grid=440304001001001,system=water-level-iot level=4.7 $((now - 3))"
	# A counter that goes backwards.
	echo "water,grid=440304001001001,system=water-level-iot pumped_m3=100 $((now - 4))"
	echo "water,grid=440304001001001,system=water-level-iot pumped_m3=90 $((now - 3))"
	# Undeclared.
	echo "water,grid=440304001001001,system=water-level-iot temp_c=21 $now"
	echo "env,grid=440304001001002,system=air-quality aqi=50 $now"
	echo "hotline,subdistrict=440304001000,system=hotline-12345 tickets=4 $now"
} >"$f"
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" "write"

TOKEN=$HUB_TOK_SUPER
cb_assert_eq 200 "$(hub_get '/api/v1/quality?window=1h')" "quality"
wl='[s for s in j["systems"] if s["id"] == "water-level-iot"][0]'
cb_assert_eq "[]" "$(hub_json "$wl[\"declared_missing\"]")" "water metrics all seen"
cb_assert_eq '["water_temp_c"]' "$(hub_json "[u['name'] for u in $wl['undeclared']]")" \
	"undeclared metric"
cb_assert_eq 5 "$(hub_json "$wl['value_failures']['total']")" \
	"range 1, max_step 3 (to -9999, back, 1.6 to 4.7), monotonic 1"
cb_assert_eq '[["range", "440304001001001", -9999.0]]' \
	"$(hub_json "[[f['check'], f['grid'], f['value']] for f in $wl['value_failures']['list'] if f['check'] == 'range']")" \
	"the error code is a counted out-of-range reading, listed with its grid"
cb_assert_eq 1 "$(hub_json "[m for m in $wl['metrics'] if m['name'] == 'water_pumped_m3'][0]['failures']['monotonic']")" \
	"a decreasing counter fails monotonic"
cb_assert_eq '{"reporting": 1, "expected": 2}' \
	"$(hub_json "{k: $wl['metrics'][0]['places'][k] for k in ('reporting', 'expected')}")" \
	"completeness: one of two grids reports"
aq='[s for s in j["systems"] if s["id"] == "air-quality"][0]'
cb_assert_eq '["env_pm25"]' "$(hub_json "$aq['declared_missing']")" "declared, never seen"
hl='[s for s in j["systems"] if s["id"] == "hotline-12345"][0]'
cb_assert_eq '[1, 2]' "$(hub_json "[$hl['completeness']['reporting'], $hl['completeness']['expected']]")" \
	"per subdistrict: 1 of the 2 subdistricts"
# The -9999 reading is stored (not dropped): the raw query returns it.
cb_assert_eq 200 "$(hub_get "/api/v1/query?q=water_level")" "raw query"
cb_assert_contains "$(cat "$HUB_OUT")" "-9999" "error code stored"

# Stale: nothing more for the 2 s interval; blind: gas-leak sees nothing.
sleep 4
cb_assert_eq 200 "$(hub_get '/api/v1/quality')" "quality later"
cb_assert_contains "$(hub_json "$wl['stale_metrics']")" "water_level" "stale beyond the interval"
cb_assert_eq '["gas-leak"]' "$(hub_json "[r['name'] for r in j['rules'] if r['state'] == 'blind']")" \
	"blind rule: nothing matches gas_ppm for longer than its window"
cb_assert_eq 1 "$(hub_json "j['summary']['blind_rules']")" "blind rules counted"
cb_assert_eq 1 "$(hub_json "int(j['summary']['declared_missing'] >= 1)")" "summary counts"
cb_assert_eq 200 "$(hub_get '/api/v1/overview')" "overview"
cb_assert_eq '[1, 1]' "$(hub_json "[j['quality']['blind_rules'], int(j['quality']['declared_missing'] >= 1)]")" \
	"the overview's quality line counts blind rules and missing metrics"

# Scope: the Nanyuan operator sees water-level-iot's Nanyuan grid only;
# a failure in Fubao (440304010...) is masked.
TOKEN=$HUB_TOK_COLLECTOR
echo "water,grid=440304010001007,system=water-level-iot level=55 $(date +%s)" >"$f"
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" "write in Fubao"
TOKEN=$HUB_TOK_OPERATOR
cb_assert_eq 200 "$(hub_get '/api/v1/quality')" "quality as Nanyuan operator"
cb_assert_eq '[]' "$(hub_json "[f for f in $wl['value_failures']['list'] if f['grid'] == '440304010001007']")" \
	"Fubao failure masked for a Nanyuan operator"
cb_assert_eq 1 "$(hub_json "$wl['metrics'][0]['places']['expected']")" "only the grid in scope is expected"
TOKEN=$HUB_TOK_SUPER
# (another window: the value checks of the last hour may be the ones kept
# from the first request, for 20 s)
cb_assert_eq 200 "$(hub_get '/api/v1/quality?window=2h')" "quality as supervisor, another window"
cb_assert_eq '["440304010001007"]' "$(hub_json "[f['grid'] for f in $wl['value_failures']['list'] if f['value'] == 55]")" \
	"the supervisor sees it"

# The daily summary reached the audit log.
audit_has_summary() {
	hub_get '/api/v1/audit?action=quality.summary' >/dev/null &&
		grep -q '"declared_missing"' "$HUB_OUT"
}
cb_wait_for audit_has_summary || cb_fail "no quality.summary in the audit log"
cb_assert_eq '["env_pm25"]' \
	"$(hub_json "j['entries'][-1]['after']['systems_with_gaps']['air-quality']['never_seen']")" \
	"the summary names what never arrived"
hub_finish
cb_done
