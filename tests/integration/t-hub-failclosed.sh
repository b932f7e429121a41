#!/bin/sh
# Ingest that fails closed (issue 20): point times on every ingest path,
# fields per line, a bare subdistrict tag from a scoped unix user, values
# shown only once stored, and /healthz + /metrics while the store refuses
# writes (made real with RLIMIT_FSIZE: the hub's files stop growing).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf operator 440304001000
hub_start
TOKEN=$HUB_TOK_COLLECTOR
now=$(date +%s)
f="$HUB_DIR/body.lp"

# limits.future (10 min) and the raw retention on both line-protocol
# paths, with a reason that names the precision meant.
for path in '/api/v1/write?precision=s' '/write?db=x&precision=s'; do
	printf 'fut,grid=440304001001002 v=1 %s\nfut,grid=440304001001002 v=2 %s\n' \
		"$((now + 7200))" "$now" >"$f"
	cb_assert_eq 400 "$(hub_post "$path" "$f")" "$path: two hours ahead"
	cb_assert_eq 1 "$(hub_json 'j["accepted"]')" "$path: the present point stays"
	cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" "in the future" \
		"$path: future reason"
	printf 'ms,grid=440304001001002 v=1 %s000\n' "$now" >"$f"
	hub_post "$path" "$f" >/dev/null
	cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" "precision=ms" \
		"$path: ms read as seconds suggests precision=ms"
done
printf 'secs,grid=440304001001002 v=1 %s\nzero,grid=440304001001002 v=1 0\n' "$now" >"$f"
cb_assert_eq 400 "$(hub_post '/api/v1/write' "$f")" "seconds read as ns"
cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" "precision=s" \
	"seconds read as ns suggests precision=s"
cb_assert_contains "$(hub_json 'j["errors"][1]["reason"]')" "timestamp 0" \
	"timestamp 0 refused"
printf 'fut,grid=440304001001002 v=3 9223372036854775807\n' >"$f"
cb_assert_eq 400 "$(hub_post '/api/v1/write' "$f")" "the largest timestamp"
printf 'fut,grid=440304001001002 v=4 %s\n' "$((now + 1))" >"$f"
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" \
	"the series still takes present points"

# One 490 KB line of 50,000 fields: a prompt per-line error, no series.
python3 -c "
print('wide,grid=440304001001001 ' + ','.join('f%d=1' % i for i in range(50000)) + ' $now')" >"$f"
t0=$(date +%s%N)
cb_assert_eq 400 "$(hub_post '/api/v1/write?precision=s' "$f")" "50,000 fields"
t1=$(date +%s%N)
cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" "limits.max_fields_per_line" \
	"the reason names the limit"
cb_assert_eq True "$(python3 -c "print(($t1 - $t0) < 3000000000)")" \
	"answered within 3 s (it stalled the hub 4.8 s)"
cb_assert_eq 0 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/series?q=wide_f1' >/dev/null; hub_json 'j["total"]')" \
	"no series made"

# The unix user is an operator of Nanyuan: a bare subdistrict tag of
# Fubao is outside its scope, its own subdistrict is not.
printf 'water,subdistrict=440304010000 rainfall=99 %s\nwater,subdistrict=440304001000 rainfall=1 %s\n' \
	"$now" "$now" >"$f"
cb_assert_eq 400 "$(hub_sock '/api/v1/write?precision=s' --data-binary "@$f")" \
	"unix user: bare subdistrict of another subdistrict"
cb_assert_eq '[1]' "$(hub_json '[e["line"] for e in j["errors"]]')" "only that line refused"
cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" "scope" "scope reason"
hub_finish

# The store refuses writes: the hub may not write past 1 MiB per file
# (ulimit -f counts 512-byte blocks in sh).
hub_conf supervisor 440304000000
cb_start hub sh -c 'trap "" XFSZ; ulimit -f 2048; exec "$@"' sh \
	"$HUB_BIN" --config "$HUB_DIR/hub.json"
cb_wait_http "$HUB_URL/healthz" || { cb_fail "hub did not start"; exit 1; }
cb_assert_eq 200 "$(TOKEN='' hub_get /healthz)" "healthy at first"
printf 'water,grid=440304001001001 level=1.5 %s\n' "$now" >"$f"
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" "water level stored"
# Each body: 20,000 new points (50 series, 400 times 10 ms apart).
i=0
while [ $i -lt 60 ]; do
	python3 -c "
base = ($now - 3000) * 1000 + $i * 4000
for i in range(20000): print('fill,grid=440304001001002 v%d=%d.5 %d' % (i % 50, i, base + i // 50 * 10))" \
		>"$HUB_DIR/fill.lp"
	code=$(hub_post '/api/v1/write?precision=ms' "$HUB_DIR/fill.lp")
	[ "$code" = 503 ] && break
	i=$((i + 1))
done
echo "# the store refused request $((i + 1))"
cb_assert_eq 503 "$code" "the store refuses a write"
printf 'water,grid=440304001001001 level=5.5 %s\n' "$((now + 1))" >"$f"
cb_assert_eq 503 "$(hub_post '/api/v1/write?precision=s' "$f")" "refused write"
cb_assert_eq 503 "$(TOKEN='' hub_get /healthz)" "/healthz while the store refuses writes"
cb_assert_eq degraded "$(hub_json 'j["status"]')" "status degraded"
cb_assert_contains "$(hub_json 'j["reason"]')" "refuses writes" "degraded reason"
TOKEN='' hub_get /metrics >/dev/null
cb_assert_contains "$(cat "$HUB_OUT")" "citybraind_store_write_failing 1" "gauge"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/grids?code=440304001001001')" "grids"
cb_assert_eq 1.5 "$(hub_json 'j["grids"][0]["metrics"]["water_level"]')" \
	"a refused point never shows"
hub_finish
cb_done
