#!/bin/sh
# The Prometheus HTTP API under /prometheus beyond what t-promql-compat.sh
# compares: unsupported functions named in the error, RFC 3339 and
# duration parameters, POST forms, buildinfo and metadata, identity, and
# scope masking of series, labels and queries; Debian's promtool (query
# instant, range, series, labels) against the hub with Basic auth.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf
hub_start
now=$(date +%s)
f="$HUB_DIR/body.lp"
cat >"$f" <<LP
flow,grid=440304001001001 total=10 $((now - 120))
flow,grid=440304001001001 total=40 $((now - 60))
flow,grid=440304010001007 total=100 $((now - 120))
flow,grid=440304010001007 total=160 $((now - 60))
LP
TOKEN=$HUB_TOK_COLLECTOR
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" "fixture data"
TOKEN=$HUB_TOK_SUPER
P=/prometheus/api/v1

cb_assert_eq 200 "$(hub_get "$P/query?query=sum(flow_total)")" "instant query"
cb_assert_eq "success vector 200" \
	"$(hub_json 'j["status"]+" "+j["data"]["resultType"]+" "+j["data"]["result"][0]["value"][1]')" \
	"envelope, vector, value as a string"
iso=$(date -u -d "@$((now - 90))" +%Y-%m-%dT%H:%M:%SZ)
cb_assert_eq 200 "$(hub_get "$P/query?query=sum(flow_total)&time=$iso")" "RFC 3339 time"
cb_assert_eq "110 $((now - 90))" "$(hub_json 'j["data"]["result"][0]["value"][1]+" "+str(j["data"]["result"][0]["value"][0])')" \
	"value at the RFC 3339 time"
cb_assert_eq 200 "$(hub_get "$P/query_range" -G --data-urlencode 'query=sum by (subdistrict) (flow_total)' \
	--data-urlencode "start=$((now - 120))" --data-urlencode "end=$now" --data-urlencode step=1m)" "range, step 1m"
cb_assert_eq "matrix 2 3" "$(hub_json 'j["data"]["resultType"]+" "+str(len(j["data"]["result"]))+" "+str(len(j["data"]["result"][0]["values"]))')" \
	"a matrix of two subdistricts with three steps"
cb_assert_eq 200 "$(curl -s -o "$HUB_OUT" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	--data-urlencode 'query=max(flow_total) + 1' "$HUB_URL$P/query")" "POST form"
cb_assert_eq 161 "$(hub_json 'j["data"]["result"][0]["value"][1]')" "POST form value"
cb_assert_eq 200 "$(hub_get "$P/query?query=time()&time=1700000000.5")" "scalar"
cb_assert_eq '["scalar", [1700000000.5, "1700000000.5"]]' \
	"$(hub_json '[j["data"]["resultType"], j["data"]["result"]]')" "scalar result and fractional time"

# Errors: unsupported functions are named; status codes as Prometheus.
cb_assert_eq 400 "$(hub_get "$P/query?query=histogram_quantile(0.9,flow_total)")" "unsupported function"
cb_assert_eq "bad_data" "$(hub_json 'j["errorType"]')" "errorType"
cb_assert_contains "$(cat "$HUB_OUT")" "function histogram_quantile is not supported" "function named"
cb_assert_eq 400 "$(hub_get "$P/query?query=stddev(flow_total)")" "unsupported aggregation"
cb_assert_contains "$(cat "$HUB_OUT")" "stddev" "aggregation named"
cb_assert_eq 400 "$(hub_get "$P/query?query=flow_total&time=yesterday")" "bad time"
cb_assert_eq 400 "$(hub_get "$P/query_range?query=flow_total&start=0&end=100000&step=1")" \
	"too many steps"
cb_assert_contains "$(cat "$HUB_OUT")" "11,000" "resolution limit named"
cb_assert_eq 400 "$(hub_get "$P/query_range?query=flow_total&start=10&end=0&step=1")" "end before start"
cb_assert_eq 422 "$(hub_get "$P/query?query=flow_total%20%2B%20on()%20flow_total")" "many-to-many"
cb_assert_eq execution "$(hub_json 'j["errorType"]')" "execution error"

cb_assert_eq 200 "$(hub_get "$P/status/buildinfo")" "buildinfo"
cb_assert_eq 2.42.0 "$(hub_json 'j["data"]["version"]')" "a Prometheus version for Grafana"
cb_assert_eq 200 "$(hub_get "$P/metadata")" "metadata"
cb_assert_eq '{}' "$(hub_json 'json.dumps(j["data"])')" "empty metadata"
cb_assert_eq 200 "$(hub_get "$P/query_exemplars?query=flow_total")" "exemplars"
cb_assert_eq '[]' "$(hub_json 'json.dumps(j["data"])')" "no exemplars"
cb_assert_eq 200 "$(hub_get "$P/rules")" "rules"
cb_assert_eq '{"groups": []}' "$(hub_json 'json.dumps(j["data"])')" "no rule groups"
cb_assert_eq 401 "$(TOKEN= hub_get "$P/query?query=flow_total")" "no identity"

# Scope: the Nanyuan operator sees only Nanyuan's series, everywhere.
TOKEN=$HUB_TOK_OPERATOR
cb_assert_eq 200 "$(hub_get "$P/query?query=sum(flow_total)")" "scoped query"
cb_assert_eq 40 "$(hub_json 'j["data"]["result"][0]["value"][1]')" "only Nanyuan's flow"
cb_assert_eq 200 "$(hub_get "$P/series?match[]=flow_total")" "scoped series"
cb_assert_eq '["440304001000"]' "$(hub_json 'json.dumps([s["subdistrict"] for s in j["data"]])')" \
	"only Nanyuan's series"
cb_assert_eq 200 "$(hub_get "$P/label/grid/values")" "scoped label values"
cb_assert_eq '["440304001001001"]' "$(hub_json 'json.dumps(j["data"])')" "only Nanyuan's grids"
cb_assert_eq 200 "$(hub_get "$P/query_range?query=flow_total&start=$((now - 120))&end=$now&step=60")" \
	"scoped range"
cb_assert_eq 1 "$(hub_json 'len(j["data"]["result"])')" "one series in scope"
# Debian's promtool (Prometheus's own client library) against the hub, with
# the token as the password of the URL (HTTP Basic).
if command -v promtool >/dev/null 2>&1; then
	PT_URL="http://promtool:$HUB_TOK_SUPER@127.0.0.1:$HUB_PORT/prometheus"
	out=$(promtool query instant --time="$((now - 30))" "$PT_URL" 'sum by (subdistrict) (flow_total)' 2>&1)
	cb_assert_eq '{subdistrict="440304001000"} => 40 @['"$((now - 30))"']
{subdistrict="440304010000"} => 160 @['"$((now - 30))"']' "$out" "promtool query instant"
	out=$(promtool query range --start="$((now - 120))" --end="$((now - 60))" --step=1m \
		"$PT_URL" 'flow_total{grid="440304001001001"}' 2>&1)
	cb_assert_contains "$out" "10 @[$((now - 120))]" "promtool query range, first step"
	cb_assert_contains "$out" "40 @[$((now - 60))]" "promtool query range, last step"
	out=$(promtool query series --match='flow_total{grid="440304010001007"}' "$PT_URL" 2>&1)
	cb_assert_contains "$out" 'grid="440304010001007"' "promtool query series"
	out=$(promtool query labels "$PT_URL" grid 2>&1)
	cb_assert_eq '440304001001001
440304010001007' "$out" "promtool query labels"
	out=$(promtool query instant "$PT_URL" 'holt_winters(flow_total[5m], 0.5, 0.5)' 2>&1)
	cb_assert_contains "$out" 'bad_data' "promtool, unsupported function: bad_data"
	cb_assert_contains "$out" 'holt_winters' "promtool, unsupported function named"
	out=$(promtool query instant "http://promtool:wrong@127.0.0.1:$HUB_PORT/prometheus" 'flow_total' 2>&1)
	cb_assert_contains "$out" '401' "promtool with a wrong token refused"
else
	cb_fail "promtool is missing (Debian package prometheus; ./bootstrap installs it)"
fi
hub_finish
exit $CB_FAILED
