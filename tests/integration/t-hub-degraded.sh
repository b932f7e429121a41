#!/bin/sh
# /healthz and /metrics while the store refuses writes (issue 20), made
# real with RLIMIT_FSIZE: the hub's files stop growing, RocksDB's writes
# fail with EFBIG as they would with ENOSPC.  A refused point never shows.
# SIGTERM then stops the hub cleanly, and a restart without the limit has
# every acknowledged point and takes writes again.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

now=$(date +%s)
# The store refuses writes: the hub may not write past 1 MiB per file
# (ulimit -f counts 512-byte blocks in sh).
hub_conf supervisor 440304000000
TOKEN=$HUB_TOK_COLLECTOR
f="$HUB_DIR/body.lp"
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

# SIGTERM on a store that refuses writes: a clean exit 0 (no abort inside
# RocksDB's close), and at the next start on the same directory, without
# the limit, every acknowledged point is there, no refused one, and the
# store takes writes again.
hub_stop_clean
accepted=$((i * 20000))
hub_start
cb_assert_eq 200 "$(TOKEN='' hub_get /healthz)" "healthy again after a restart"
cb_assert_eq 1.5 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/grids?code=440304001001001' >/dev/null &&
	hub_json 'j["grids"][0]["metrics"]["water_level"]')" \
	"the stored water level after a restart"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/query?q=%7B__name__%3D~%22fill_.*%22%7D&start=now-2h&end=now%2B1m&step=1h&agg=count&by=")" \
	"count the fill points"
cb_assert_eq "$accepted" "$(hub_json 'int(sum(p[1] for s in j["series"] for p in s["points"]))')" \
	"every acknowledged fill point after a restart, no refused one"
printf 'water,grid=440304001001001 level=2.5 %s\n' "$((now + 2))" >"$f"
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" "a write after a restart"
cb_assert_eq 2.5 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/grids?code=440304001001001' >/dev/null &&
	hub_json 'j["grids"][0]["metrics"]["water_level"]')" \
	"the new water level"
hub_stop_clean
cb_done
