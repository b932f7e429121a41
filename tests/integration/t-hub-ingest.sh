#!/bin/sh
# Ingest: line protocol on /api/v1/write and /write, escaping, precision,
# enrichment, partial acceptance, gzip, size limits, bad encodings.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

HUB_MAX_LINES=50 HUB_MAX_BODY=65536 HUB_MAX_DECOMPRESSED=1048576 hub_conf
hub_start
TOKEN=$HUB_TOK_SUPER
# Writes use the collector token, reads the supervisor's.
wpost() {
	TOKEN=$HUB_TOK_COLLECTOR hub_post "$@"
}
now=$(date +%s)
f="$HUB_DIR/body.lp"

# All good: 204, and every numeric field is a series <measurement>_<field>.
cat >"$f" <<LP
# a comment, then a blank line

water,grid=440304001001001,system=water-level-iot level=1.5,ok=true,note="str" $now
env,grid=440304001001002 aqi=42i,pm25=18.5 $now
env,grid=440304010001007 aqi=80u $now
hotline,system=hotline-12345 value=12 $now
LP
cb_assert_eq 204 "$(wpost '/api/v1/write?precision=s' "$f")" "all lines good"
cb_assert_eq 200 "$(hub_get '/api/v1/series?q=water_level')" "series"
cb_assert_eq 1 "$(hub_json 'j["total"]')" "one water series"
cb_assert_eq 440304001001 "$(hub_json 'j["series"][0]["labels"]["community"]')" \
	"grid enriched with community"
cb_assert_eq 440304001000 "$(hub_json 'j["series"][0]["labels"]["subdistrict"]')" \
	"grid enriched with subdistrict"
cb_assert_eq monitoring "$(hub_json 'j["series"][0]["labels"]["platform"]')" \
	"system enriched with platform"
cb_assert_eq water "$(hub_json 'j["series"][0]["labels"]["dept"]')" \
	"system enriched with dept"
hub_get '/api/v1/series?q=water_ok' >/dev/null
cb_assert_eq 1 "$(hub_json 'j["total"]')" "booleans are numbers"
hub_get '/api/v1/series?q=water_note' >/dev/null
cb_assert_eq 0 "$(hub_json 'j["total"]')" "string fields are not stored"
hub_get '/api/v1/series?q=hotline' >/dev/null
cb_assert_eq 1 "$(hub_json 'j["total"]')" "field named value gives the measurement"
hub_get '/api/v1/query?q=env_aqi&start=-1h' >/dev/null
cb_assert_eq '[42.0, 80.0]' "$(hub_json 'sorted(s["points"][0][1] for s in j["series"])')" \
	"integer and unsigned fields"

# Escaping in measurement, tag keys and values, field keys.
cat >"$f" <<LP
my\ meas\,ure,tag\ key=va\,l\ ue\=x,grid=440304001002001 field\ one=1,f\=2=2 $now
LP
cb_assert_eq 204 "$(wpost '/api/v1/write?precision=s' "$f")" "escapes"
hub_get '/api/v1/labels/tag_key/values' >/dev/null
cb_assert_eq 'va,l ue=x' "$(hub_json 'j["values"][0]')" "escaped tag value"
hub_get '/api/v1/labels/__name__/values' >/dev/null
cb_assert_contains "$(hub_json 'j["values"]')" '"my_meas_ure_field_one"' \
	"escaped measurement and field key sanitized into a metric name"

# Partial acceptance: good lines stored, bad ones reported with line numbers.
cat >"$f" <<LP
env,grid=440304001001001 aqi=50 $now
env,grid=440304999001001 aqi=51 $now
env,grid=440304001001001 aqi=4.6.2 $now
env,grid=440304001001001 note="only a string" $now
env,community=440304001002 noise=55 $now
env,community=440304001099 noise=55 $now
LP
code=$(wpost '/api/v1/write?precision=s' "$f")
cb_assert_eq 400 "$code" "partial acceptance status"
cb_assert_eq 2 "$(hub_json 'j["accepted"]')" "accepted count"
cb_assert_eq 4 "$(hub_json 'j["rejected"]')" "rejected count"
cb_assert_eq '[2, 3, 4, 6]' "$(hub_json '[e["line"] for e in j["errors"]]')" "error lines"
cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" 'unknown grid "440304999001001"' \
	"unknown grid reason"
cb_assert_contains "$(hub_json 'j["errors"][2]["reason"]')" 'no numeric field' \
	"string-only line reason"
cb_assert_contains "$(hub_json 'j["errors"][3]["reason"]')" 'unknown community' \
	"unknown community reason"
hub_get '/api/v1/query?q=env_aqi{grid="440304001001001"}&start=-1h' >/dev/null
cb_assert_eq '[50.0]' "$(hub_json '[p[1] for p in j["series"][0]["points"]]')" \
	"the good line was stored"
hub_get '/api/v1/series?q=env_noise' >/dev/null
cb_assert_eq 440304001000 "$(hub_json 'j["series"][0]["labels"]["subdistrict"]')" \
	"community enriched with subdistrict"

# Precision: ms, us, ns (default) and a missing timestamp (now).
ms=$((now * 1000))
printf 'prec,grid=440304001001001 v=1 %s\n' "$ms" >"$f"
cb_assert_eq 204 "$(wpost '/api/v1/write?precision=ms' "$f")" "precision=ms"
printf 'prec,grid=440304001001001 v=2 %s000\n' "$((ms + 1))" >"$f"
cb_assert_eq 204 "$(wpost '/api/v1/write?precision=us' "$f")" "precision=us"
printf 'prec,grid=440304001001001 v=3 %s000000\n' "$((ms + 2))" >"$f"
cb_assert_eq 204 "$(wpost '/api/v1/write' "$f")" "default precision ns"
printf 'prec,grid=440304001001001 v=4\n' >"$f"
cb_assert_eq 204 "$(wpost '/api/v1/write' "$f")" "no timestamp"
hub_get "/api/v1/query?q=prec_v&start=$((ms - 1000))&end=now%2B1m" >/dev/null
cb_assert_eq "[[$ms, 1.0], [$((ms + 1)), 2.0], [$((ms + 2)), 3.0]]" \
	"$(hub_json 'j["series"][0]["points"][:3]')" "timestamps converted to ms"
cb_assert_eq 4 "$(hub_json 'len(j["series"][0]["points"])')" "missing timestamp is now"
cb_assert_eq 400 "$(wpost '/api/v1/write?precision=weeks' "$f")" "bad precision"
cb_assert_contains "$(hub_json 'j["error"]')" "precision" "bad precision message"

# The Influx 1.x path, with the token as ?p= or "Token" as old clients do.
printf 'influx,grid=440304010001001 v=7 %s\n' "$now" >"$f"
code=$(TOKEN='' hub_post "/write?db=city&precision=s&u=x&p=$HUB_TOK_COLLECTOR" "$f")
cb_assert_eq 204 "$code" "/write with ?p="
code=$(TOKEN='' hub_post "/write?db=city&precision=s" "$f" -H "Authorization: Token $HUB_TOK_COLLECTOR")
cb_assert_eq 204 "$code" "/write with Authorization: Token"

# gzip bodies.
printf 'gz,grid=440304001001001 v=9 %s\n' "$now" | gzip -c >"$f.gz"
cb_assert_eq 204 "$(wpost '/api/v1/write?precision=s' "$f.gz" -H 'Content-Encoding: gzip')" "gzip body"
hub_get '/api/v1/series?q=gz_v' >/dev/null
cb_assert_eq 1 "$(hub_json 'j["total"]')" "gzip body stored"
printf 'not gzip at all' >"$f.bad"
cb_assert_eq 400 "$(wpost '/api/v1/write' "$f.bad" -H 'Content-Encoding: gzip')" "corrupt gzip"
cb_assert_eq 415 "$(wpost '/api/v1/write' "$f" -H 'Content-Encoding: br')" "unknown encoding"
cb_assert_contains "$(hub_json 'j["error"]')" "Content-Encoding" "415 message"

# Limits: too many lines (413, nothing stored) and too large a body (413).
python3 -c "
for i in range(60): print('lim,grid=440304001001001 v=%d %d' % (i, $now))" >"$f"
cb_assert_eq 413 "$(wpost '/api/v1/write?precision=s' "$f")" "too many lines"
cb_assert_contains "$(hub_json 'j["error"]')" "max_lines" "413 names the limit"
hub_get '/api/v1/series?q=lim_v' >/dev/null
cb_assert_eq 0 "$(hub_json 'j["total"]')" "nothing stored past max_lines"
python3 -c "print('big,grid=440304001001001 v=1 1 ' + 'x' * 70000)" >"$f"
cb_assert_eq 413 "$(wpost '/api/v1/write' "$f")" "body larger than max_body"
# A gzip bomb: small on the wire, past max_body_decompressed once inflated.
python3 -c "import sys; sys.stdout.write('#' * 3000000)" | gzip -9 -c >"$f.bomb"
cb_assert_eq 413 "$(wpost '/api/v1/write' "$f.bomb" -H 'Content-Encoding: gzip')" "gzip bomb"
cb_assert_contains "$(hub_json 'j["error"]')" "max_body_decompressed" "gzip bomb message"

# Keep-alive: several requests over one connection.
printf 'ka,grid=440304001001001 v=1 %s\n' "$now" >"$f"
out=$(curl -sv -o /dev/null -H "Authorization: Bearer $HUB_TOK_COLLECTOR" --data-binary "@$f" \
	"$HUB_URL/api/v1/write?precision=s" --next -o /dev/null "$HUB_URL/healthz" 2>&1)
cb_assert_contains "$out" "Re-using existing connection" "keep-alive"

# Quality counts the rejected lines by reason and source.
hub_get '/api/v1/quality' >/dev/null
cb_assert_eq 1 "$(hub_json 'j["rejected"]["by_reason"]["unknown grid"]')" "rejected by reason"
cb_assert_eq True "$(hub_json 'j["rejected"]["by_source"]["sample-collector"] >= 4')" \
	"rejected by source"
cb_assert_eq True "$(hub_json '[c for c in j["collectors"] if c["name"] == "sample-collector"][0]["points"] > 5')" \
	"collector counts"
hub_finish
cb_done
