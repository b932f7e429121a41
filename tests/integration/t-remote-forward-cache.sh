#!/bin/sh
# Forwarding's label cache is bounded (hub/remote/forward-encode.c): the
# labels of a series not forwarded for queue.label_cache_idle are dropped,
# and /metrics' citybraind_remote_label_cache_series says how many are
# kept.  Against a real victoria-metrics on 127.0.0.1 (2 shards): the
# gauge counts the series sent, falls to 0 once they are idle, and series
# sent again after that arrive with the same labels (the territory
# enrichment included) and every point.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/remote-lib.sh"

command -v victoria-metrics >/dev/null || { echo "SKIP: victoria-metrics not installed (./bootstrap)"; exit 77; }

remote_vm_start

hub_conf
remote_target "$VM_PORT" '{"shards": 2, "label_cache_idle": "2s"}'
hub_start
BASE=$((($(date +%s) - 300) * 1000))

# write N: 30 series in Nanyuan's grids, 5 points each.
write() {
	python3 - "$1" "$BASE" >"$HUB_DIR/batch.lp" <<'PY'
import sys
n, base = int(sys.argv[1]), int(sys.argv[2])
grids = ["440304001001001", "440304001001002", "440304001002001"]
for g in range(30):
    for i in range(5):
        print("lc,grid=%s,sensor=s%02d value=%d %d" % (grids[g % 3], g, g * 100 + n * 10 + i, base + n * 10000 + i * 1000))
PY
	c=$(TOKEN=$HUB_TOK_COLLECTOR hub_post '/api/v1/write?precision=ms' "$HUB_DIR/batch.lp")
	[ "$c" = 204 ] || cb_fail "write $1: $c $(cat "$HUB_OUT")"
}
# wait_metric NAME VALUE: up to 10 s
wait_metric() {
	_i=0
	while [ "$(remote_metric "$1")" != "$2" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	cb_assert_eq "$2" "$(remote_metric "$1")" "$1 reaches $2"
}

write 0
wait_metric citybraind_remote_queue_bytes 0
cb_assert_eq 30 "$(remote_metric citybraind_remote_label_cache_series)" "the label cache holds the 30 series sent"
# Idle for 2 s: swept (every quarter of label_cache_idle).
wait_metric citybraind_remote_label_cache_series 0
write 1
wait_metric citybraind_remote_queue_bytes 0
cb_assert_eq 30 "$(remote_metric citybraind_remote_label_cache_series)" "sent again: cached again"

curl -s "http://127.0.0.1:$VM_PORT/internal/force_flush" >/dev/null
out=$(python3 - "http://127.0.0.1:$VM_PORT" <<'PY'
import json, sys, urllib.parse, urllib.request
vm = sys.argv[1]
with urllib.request.urlopen(vm + "/api/v1/export?" + urllib.parse.urlencode({"match[]": "lc"}), timeout=30) as r:
    rows = [json.loads(l) for l in r.read().decode().splitlines()]
bad = [r["metric"] for r in rows if r["metric"].get("subdistrict") != "440304001000"
       or r["metric"].get("community") is None]
print("series %d, points %d, without enrichment %d" % (
    len(rows), sum(len(r["values"]) for r in rows), len(bad)))
PY
)
echo "$out"
cb_assert_eq "series 30, points 300, without enrichment 0" "$out" "every point of both writes arrived, with the same labels"

hub_finish
cb_done
