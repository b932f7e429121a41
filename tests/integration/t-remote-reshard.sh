#!/bin/sh
# Dynamic resharding (hub/remote/forward-reshard.c): a target whose lag
# passes its reshard_interval gets more shards (up to queue.max_shards),
# and fewer again once it has caught up; every point still arrives.  A
# slow HTTP hop (1 s a request) in front of a real victoria-metrics on
# 127.0.0.1 makes one shard too slow for the backlog written.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/remote-lib.sh"

command -v victoria-metrics >/dev/null || { echo "SKIP: victoria-metrics not installed (./bootstrap)"; exit 77; }

remote_vm_start
remote_hop_start 1

hub_conf
remote_target "$HOP_PORT" '{"shards": 1, "max_shards": 8, "batch_samples": 100, "reshard_interval": "1s"}'
hub_start
BASE=$((($(date +%s) - 600) * 1000))

cb_assert_eq 1 "$(remote_metric citybraind_remote_shards)" "one shard at start"

# 400 writes of 10 points of one series each (40 series, round robin):
# a shard's request (100 of its own samples) spans ten writes of its own
# series and skips the others', so two shards never stand at the same
# position, and the one behind has writes of its own between its position
# and the furthest shard's: a reshard must wait for it (its barrier), or
# those points are lost.  max_shards 8: up to three reshards while behind.
python3 - "$BASE" "$HUB_DIR" <<'PY'
import sys
base, d = int(sys.argv[1]), sys.argv[2]
for w in range(400):
    n, k0 = w % 40, 10 * (w // 40)
    with open("%s/b%03d.lp" % (d, w), "w") as f:
        for k in range(k0, k0 + 10):
            f.write("rs,grid=440304001001001,sensor=s%02d value=%d %d\n" % (n, n * 1000 + k, base + k * 1000))
PY
for f in "$HUB_DIR"/b*.lp; do
	c=$(TOKEN=$HUB_TOK_COLLECTOR hub_post '/api/v1/write?precision=ms' "$f")
	[ "$c" = 204 ] || cb_fail "write $f: $c"
done

# More shards while behind; the queue drains; fewer again afterwards.
max=1
_i=0
while [ "$(remote_metric citybraind_remote_queue_bytes)" != 0 ] && [ $_i -lt 600 ]; do
	n=$(remote_metric citybraind_remote_shards)
	[ "$n" -gt "$max" ] && max=$n
	sleep 0.1
	_i=$((_i + 1))
done
echo "most shards while behind: $max; reshards: $(remote_metric citybraind_remote_reshards_total)"
cb_assert_eq 0 "$(remote_metric citybraind_remote_queue_bytes)" "the queue drained"
cb_assert_eq yes "$([ "$max" -gt 1 ] && echo yes || echo no)" "shards added while the lag passed reshard_interval"
_i=0
while [ "$(remote_metric citybraind_remote_shards)" != 1 ] && [ $_i -lt 200 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
cb_assert_eq 1 "$(remote_metric citybraind_remote_shards)" "back to queue.shards once caught up"

curl -s "http://127.0.0.1:$VM_PORT/internal/force_flush" >/dev/null
out=$(python3 - "http://127.0.0.1:$VM_PORT" "$BASE" <<'PY'
import json, sys, urllib.parse, urllib.request
vm, base = sys.argv[1], int(sys.argv[2])
with urllib.request.urlopen(vm + "/api/v1/export?" + urllib.parse.urlencode({"match[]": "rs"}), timeout=30) as r:
    rows = [json.loads(l) for l in r.read().decode().splitlines()]
bad = 0
for r in rows:
    s = int(r["metric"]["sensor"][1:])
    want = [(base + k * 1000, float(s * 1000 + k)) for k in range(100)]
    got = sorted(zip(r["timestamps"], r["values"]))
    bad += got != want
print("series %d, points %d, differing %d" % (len(rows), sum(len(r["values"]) for r in rows), bad))
PY
)
echo "$out"
cb_assert_eq "series 40, points 4000, differing 0" "$out" "every point arrived exactly across the reshards"

hub_finish
cb_done
