#!/bin/sh
# Every read route of docs/api.md and its error codes: tree, grids, map,
# overview, systems, quality, query, series, labels, metrics, healthz.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf
# The states below (down, fresh) are about data received during this run: give
# the systems that report an interval of an hour so that a slow, loaded run
# (minutes) cannot age the fixture into stale or late.  Those states count
# from when the hub received the points, a run-length away at most.
python3 - "$HUB_DIR/systems.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["systems"]:
    if "interval" in s:
        s["interval"] = "1h"
json.dump(d, open(sys.argv[1], "w"), ensure_ascii=False, indent=1)
PY
hub_start
now=$(date +%s)
f="$HUB_DIR/body.lp"
cat >"$f" <<LP
env,grid=440304001001001,system=air-quality aqi=40 $((now - 120))
env,grid=440304001001001,system=air-quality aqi=44 $((now - 60))
env,grid=440304001001002,system=air-quality aqi=60 $now
env,grid=440304010001001,system=air-quality aqi=20 $now
water,grid=440304001001001,system=water-level-iot level=1.2 $now
water,grid=440304010001007,system=water-level-iot level=4.8 $now
system,system=water-level-iot up=1,latency_ms=85 $now
system,system=fire-alarm-iot up=0 $now
LP
TOKEN=$HUB_TOK_COLLECTOR
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" "fixture data"
TOKEN=$HUB_TOK_SUPER

# Tree: the district by default, children with roll-ups and headline metrics.
cb_assert_eq 200 "$(hub_get /api/v1/tree)" "tree"
cb_assert_eq 440304000000 "$(hub_json 'j["node"]["code"]')" "district node"
cb_assert_eq district "$(hub_json 'j["node"]["level"]')" "district level"
cb_assert_eq '["440304001000", "440304010000"]' "$(hub_json '[c["code"] for c in j["children"]]')" \
	"subdistrict children"
cb_assert_eq 南园街道 "$(hub_json 'j["children"][0]["name"]')" "Chinese names"
cb_assert_eq 4.8 "$(hub_json 'j["node"]["metrics"]["water_level"]["value"]')" \
	"max water level over the district"
cb_assert_eq 41.3 "$(hub_json 'round(j["node"]["metrics"]["aqi"]["value"], 1)')" \
	"avg aqi of the grids' latest values"
cb_assert_eq ok "$(hub_json 'j["node"]["status"]["severity"]')" "no alerts: ok"
cb_assert_eq True "$(hub_json "j['node']['status']['age_s'] <= $(($(date +%s) - now + 1))")" \
	"fresh data: no older than the time since the write"
cb_assert_eq 200 "$(hub_get '/api/v1/tree?code=440304001001')" "community"
cb_assert_eq '["440304000000", "440304001000"]' "$(hub_json '[p["code"] for p in j["path"]]')" \
	"breadcrumb"
cb_assert_eq 52.0 "$(hub_json 'j["node"]["metrics"]["aqi"]["value"]')" "community aqi"
cb_assert_eq 200 "$(hub_get '/api/v1/tree?code=440304001001001')" "grid"
cb_assert_eq 李娜 "$(hub_json 'j["node"]["people"]["grid_worker"]["name"]')" "grid worker"
cb_assert_eq 南园派出所 "$(hub_json 'j["node"]["people"]["police"]["station"]')" "police station"
cb_assert_eq 0755-8391-2001 "$(hub_json 'j["node"]["people"]["grid_worker"]["phone"]')" \
	"a supervisor sees the phone"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_VIEWER hub_get '/api/v1/tree?code=440304001001001')" "grid as a viewer"
cb_assert_eq "李娜 None None" "$(hub_json '" ".join(str(x) for x in (j["node"]["people"]["grid_worker"]["name"], j["node"]["people"]["grid_worker"].get("phone"), j["node"]["people"]["police"].get("phone")))')" \
	"a viewer sees the name, not the phone (issue 19)"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get '/api/v1/tree?code=440304001001001')" "grid as an operator"
cb_assert_eq 0755-8391-2001 "$(hub_json 'j["node"]["people"]["grid_worker"]["phone"]')" \
	"an operator sees the phone"
cb_assert_eq True "$(hub_json '"water-level-iot" in [s["id"] for s in j["node"]["systems"]]')" \
	"systems covering the grid"
cb_assert_eq '[]' "$(hub_json 'j["children"]')" "a grid has no children"
cb_assert_eq 400 "$(hub_get '/api/v1/tree?code=abc')" "bad code shape"
cb_assert_eq 404 "$(hub_get '/api/v1/tree?code=440304099000')" "unknown code"

# Grids and map.
cb_assert_eq 200 "$(hub_get /api/v1/grids)" "grids"
cb_assert_eq 6 "$(hub_json 'len(j["grids"])')" "all grids"
cb_assert_eq 4.8 "$(hub_json '[g for g in j["grids"] if g["code"] == "440304010001007"][0]["metrics"]["water_level"]')" \
	"grid metric values"
cb_assert_eq 200 "$(hub_get /api/v1/map)" "map"
cb_assert_eq '[["440304001000", "440304010000"]]' "$(hub_json 'j["rows"]')" "map rows"

# Overview.
cb_assert_eq 200 "$(hub_get /api/v1/overview)" "overview"
cb_assert_eq 2 "$(hub_json 'len(j["subdistricts"])')" "subdistricts"
cb_assert_eq 5 "$(hub_json 'len(j["platforms"])')" "five platforms"
cb_assert_eq '{"total": 3, "up": 2, "down": 1, "stale": 0, "unknown": 0}' \
	"$(hub_json '[p for p in j["platforms"] if p["id"] == "monitoring"][0]["systems"]')" \
	"system states per platform"
cb_assert_eq 0 "$(hub_json 'j["alerts"]["total"]')" "alert totals"
cb_assert_eq True "$(hub_json 'j["ingest"]["points_total"] >= 9')" "ingest figures"

# Systems.
cb_assert_eq 200 "$(hub_get /api/v1/systems)" "systems"
cb_assert_eq 5 "$(hub_json 'len(j["systems"])')" "every system"
cb_assert_eq down "$(hub_json '[s for s in j["systems"] if s["id"] == "fire-alarm-iot"][0]["state"]')" \
	"system_up 0 is down"
cb_assert_eq unknown "$(hub_json '[s for s in j["systems"] if s["id"] == "gov-cloud"][0]["state"]')" \
	"never seen is unknown"
cb_assert_eq 85.0 "$(hub_json '[s for s in j["systems"] if s["id"] == "water-level-iot"][0]["latency_ms"]')" \
	"latency"
hub_get '/api/v1/systems?platform=service' >/dev/null
cb_assert_eq '["hotline-12345"]' "$(hub_json '[s["id"] for s in j["systems"]]')" "platform filter"
cb_assert_eq 200 "$(hub_get /api/v1/systems/water-level-iot)" "one system"
cb_assert_eq 3 "$(hub_json 'len(j["grids"])')" "its grids"
cb_assert_eq True "$(hub_json '"water_level" in j["metrics"]')" "its metrics"
cb_assert_eq 404 "$(hub_get /api/v1/systems/nope)" "unknown system"

# Quality.
cb_assert_eq 200 "$(hub_get '/api/v1/quality?silent_after=30s')" "quality"
cb_assert_eq True "$(hub_json 'j["silent_series_total"] >= 0')" "silent series"
cb_assert_eq fresh "$(hub_json '[s for s in j["systems"] if s["id"] == "water-level-iot"][0]["state"]')" \
	"fresh system"
cb_assert_eq 3600 "$(hub_json '[s for s in j["systems"] if s["id"] == "water-level-iot"][0]["interval_s"]')" \
	"the configured interval"
cb_assert_eq never "$(hub_json '[s for s in j["systems"] if s["id"] == "gov-cloud"][0]["state"]')" \
	"never-seen system"
cb_assert_eq 400 "$(hub_get '/api/v1/quality?silent_after=soon')" "bad silent_after"

# Query: raw, step and agg, by, errors.
cb_assert_eq 200 "$(hub_get '/api/v1/query?q=env_aqi{grid="440304001001001"}&start=-1h')" "raw query"
cb_assert_eq '[40.0, 44.0]' "$(hub_json '[p[1] for p in j["series"][0]["points"]]')" "raw points"
cb_assert_eq raw "$(hub_json 'j["agg"]')" "raw agg"
# The route writes this reply itself (not through jansson): its members,
# in order, and the series' labels.
cb_assert_eq "query start_ms end_ms step_ms agg by series|labels points metric|env_aqi" \
	"$(hub_json '" ".join(j) + "|" + " ".join(j["series"][0]) + "|" + j["series"][0]["metric"]')" \
	"raw reply members"
cb_assert_eq "$(printf '%s' '{"community": "440304001001", "dept": "environment", "grid": "440304001001001", "platform": "monitoring", "subdistrict": "440304001000", "system": "air-quality"}')" \
	"$(hub_json 'json.dumps(j["series"][0]["labels"], sort_keys=True)')" "raw reply labels"
hub_get "/api/v1/query?q=env_aqi&start=$(((now - 3600) * 1000))&end=now%2B1m&step=1h&agg=max&by=subdistrict" >/dev/null
cb_assert_eq '{"440304001000": 60.0, "440304010000": 20.0}' \
	"$(hub_json 'dict((s["labels"]["subdistrict"], max(p[1] for p in s["points"])) for s in j["series"])')" \
	"max by subdistrict"
hub_get '/api/v1/query?q=env_aqi&start=-1h&end=now%2B1m&step=1h&agg=count&by=' >/dev/null
cb_assert_eq 4.0 "$(hub_json 'sum(p[1] for p in j["series"][0]["points"])')" "count over all"
cb_assert_eq 400 "$(hub_get '/api/v1/query')" "missing q"
cb_assert_eq 400 "$(hub_get '/api/v1/query?q=env_aqi{grid=')" "bad selector"
cb_assert_contains "$(hub_json 'j["error"]')" "column" "selector error has a column"
cb_assert_eq 400 "$(hub_get '/api/v1/query?q=env_aqi&agg=median&step=1m')" "bad agg"
cb_assert_eq 400 "$(hub_get '/api/v1/query?q=env_aqi&start=yesterday')" "bad start"
cb_assert_eq 400 "$(hub_get '/api/v1/query?q=env_aqi&start=-1h&end=-2h')" "end before start"
cb_assert_eq 400 "$(hub_get '/api/v1/query?q=env_aqi&step=0s')" "bad step"
cb_assert_eq 400 "$(hub_get '/api/v1/query?q=env_aqi&limit=1')" "too many series"
cb_assert_eq 200 "$(hub_get '/api/v1/query?q=env_aqi&start=2020-01-01T00:00:00Z')" "RFC 3339 start"

# Series and labels.
cb_assert_eq 200 "$(hub_get '/api/v1/series?q=env_aqi')" "series"
cb_assert_eq 3 "$(hub_json 'j["total"]')" "series count"
cb_assert_eq 400 "$(hub_get '/api/v1/series')" "series needs q"
cb_assert_eq 200 "$(hub_get /api/v1/labels)" "labels"
cb_assert_eq True "$(hub_json 'all(t in j["labels"] for t in ["grid","community","subdistrict","system","platform","dept"])')" \
	"conventional tags"
cb_assert_eq 200 "$(hub_get /api/v1/labels/system/values)" "label values"
cb_assert_eq '["air-quality", "fire-alarm-iot", "water-level-iot"]' "$(hub_json 'j["values"]')" "system values"
hub_get '/api/v1/labels/grid/values?q=water_level' >/dev/null
cb_assert_eq '["440304001001001", "440304010001007"]' "$(hub_json 'j["values"]')" "values under a selector"

# Self-monitoring.
cb_assert_eq 200 "$(hub_get /metrics)" "metrics"
out=$(cat "$HUB_OUT")
cb_assert_contains "$out" 'citybraind_http_requests_total{route="/api/v1/write",code="204"} 1' "requests by route and code"
cb_assert_contains "$out" 'citybraind_points_ingested_total 9' "points ingested"
cb_assert_contains "$out" 'citybraind_lines_rejected_total{reason="unknown grid"} 0' "rejected by reason"
cb_assert_contains "$out" 'citybraind_store_series ' "store figures"
cb_assert_contains "$out" '# TYPE citybraind_store_checkpoint_seconds_total counter' "checkpoint time"
cb_assert_eq 200 "$(hub_get /healthz)" "healthz"
cb_assert_eq ok "$(hub_json 'j["status"]')" "healthz status"

# Unknown route 404, wrong method 405 with Allow, all with JSON errors.
cb_assert_eq 404 "$(hub_get /api/v1/nothing)" "unknown route"
cb_assert_contains "$(hub_json 'j["error"]')" "no such route" "404 message"
cb_assert_eq 405 "$(hub_get /api/v1/write)" "GET on a POST route"
out=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $TOKEN" "$HUB_URL/api/v1/write")
cb_assert_contains "$out" "Allow: POST" "Allow header"
cb_assert_eq 405 "$(hub_get /api/v1/tree -X DELETE)" "DELETE on a GET route"
hub_finish
cb_done
