#!/bin/sh
# ingest_threads: write bodies parsed on worker threads are all stored and
# answered, also across a SIGHUP reload and a stop; their per-line errors
# are those of ingest_threads 0; the knob is checked and shown in /metrics.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

# hub_threads N: set ingest_threads in hub.json.
hub_threads() {
	python3 - "$HUB_DIR/hub.json" "$1" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["ingest_threads"] = int(sys.argv[2])
json.dump(c, open(sys.argv[1], "w"))
PY
}

# metric NAME: its value in /metrics.
metric() {
	curl -s "$HUB_URL/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

hub_conf
TOKEN=$HUB_TOK_COLLECTOR
now=$(date +%s)

# A bad value names the key.
hub_threads 65
out=$("$HUB_BIN" --check-config --config "$HUB_DIR/hub.json" 2>&1) &&
	cb_fail "ingest_threads 65 accepted"
cb_assert_contains "$out" "ingest_threads" "the error names ingest_threads"

hub_threads 3
hub_start
pid=$(cb_pid hub)
cb_assert_eq 3 "$(metric citybraind_ingest_threads)" "three workers"

# Four writers at once, 2,000 lines of 2 fields each, a reload among them.
for w in 1 2 3 4; do
	python3 - "$HUB_DIR/w$w.lp" "$w" "$now" <<'PY'
import sys
f, w, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(f, "w") as out:
    for i in range(2000):
        out.write("thr%s,grid=440304001001001,n=%d a=%d,b=%d.5 %d\n"
                  % (w, i % 50, i, i, now - 2000 + i))
PY
done
for round in 1 2 3; do
	curls=
	for w in 1 2 3 4; do
		curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
			--data-binary "@$HUB_DIR/w$w.lp" \
			"$HUB_URL/api/v1/write?precision=s" >"$HUB_DIR/code.$round.$w" &
		curls="$curls $!"
	done
	[ "$round" = 2 ] && kill -HUP "$pid"
	wait $curls # not the hub
done
codes=$(cat "$HUB_DIR"/code.* | sort | uniq -c | awk '{print $1 "x" $2}')
cb_assert_eq "12x204" "$codes" "every write answered 204"
cb_assert_eq 48000 "$(metric citybraind_points_ingested_total)" "every point stored"
bodies=$(metric citybraind_ingest_worker_bodies_total)
cb_assert_eq 12 "$bodies" "bodies parsed on the workers"
TOKEN=$HUB_TOK_SUPER
TOKEN=$HUB_TOK_COLLECTOR

# Per-line errors: the same reply with and without workers (measurement
# names of equal length, as columns are part of the messages).
mixed() {
	printf '%s,grid=440304001001001 v=1 %s\n' "$1" "$now"
	printf '%s v=\n' "$1"
	printf '%s,grid=440304999999999 v=1 %s\n' "$1" "$now"
	printf '%s v=1 1\n' "$1"
	printf '%s s="text" %s\n' "$1" "$now"
	printf '%s,grid=440304001001001 w=2 %s\n' "$1" "$now"
}
mixed mixa >"$HUB_DIR/mixed.lp"
cb_assert_eq 400 "$(hub_post '/api/v1/write?precision=s' "$HUB_DIR/mixed.lp")" "mixed body"
cp "$HUB_OUT" "$HUB_DIR/with-workers.json"

# A stop stores what is in flight: the data is there after a restart.
hub_finish
hub_threads 0
hub_start
cb_assert_eq 0 "$(metric citybraind_ingest_threads)" "no workers"
mixed mixb >"$HUB_DIR/mixed.lp"
cb_assert_eq 400 "$(hub_post '/api/v1/write?precision=s' "$HUB_DIR/mixed.lp")" "mixed body"
cb_assert_eq "$(cat "$HUB_DIR/with-workers.json")" "$(cat "$HUB_OUT")" "same errors"
cb_assert_eq 0 "$(metric citybraind_ingest_worker_bodies_total)" "none on workers"
TOKEN=$HUB_TOK_SUPER
cb_assert_eq 200 "$(hub_get '/api/v1/query?q=thr3_a&agg=count&start=-1h')" "query after restart"
cb_assert_contains "$(cat "$HUB_OUT")" "thr3_a" "written points kept"
hub_finish
cb_done
