#!/bin/sh
# Remote-write out forwards exactly what the store accepted (issue 13).
# The store refuses a point behind its series' newest and older than the
# raw retention counted from the wall clock; the hub's own check counts
# from the hub's clock.  The hub runs on a test clock an hour behind the
# wall clock (citybraind --test-clock), so points 30 minutes past the
# retention pass the hub's check and are refused by the store, every
# time; victoria-metrics must then hold exactly the points the hub's
# store holds.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

command -v victoria-metrics >/dev/null || { echo "SKIP: victoria-metrics not installed (./bootstrap)"; exit 77; }

VM_PORT=$(cb_free_port)
VM_DIR=$(cb_tmpdir)
cb_start vm victoria-metrics -httpListenAddr="127.0.0.1:$VM_PORT" \
	-storageDataPath="$VM_DIR" -retentionPeriod=100y -loggerLevel=WARN
cb_wait_http "http://127.0.0.1:$VM_PORT/health" || { cb_fail "victoria-metrics did not start"; exit 1; }

hub_conf
python3 - "$HUB_DIR/hub.json" "$VM_PORT" <<'PY'
import json, sys
p, vm = sys.argv[1:3]
c = json.load(open(p))
c["remote_write"] = [{"name": "vm", "url": "http://127.0.0.1:%s/api/v1/write" % vm,
                      "queue": {"min_backoff": "100ms", "max_backoff": "1s"}}]
json.dump(c, open(p, "w"))
PY
RAW_MS=$(python3 -c 'import json,sys; print(15 * 86400000 if "raw" not in json.load(open(sys.argv[1])).get("retention", {}) else "")' "$HUB_DIR/hub.json")
[ -n "$RAW_MS" ] || { cb_fail "the test expects the default raw retention (15d)"; exit 1; }
CLOCK="$HUB_DIR/clock"
WALL=$(python3 -c 'import time; print(int(time.time() * 1000))')
echo $((WALL - 3600000)) >"$CLOCK"
cb_start hub "$HUB_BIN" -v --config "$HUB_DIR/hub.json" --test-clock "$CLOCK"
cb_wait_http "$HUB_URL/healthz" || { cb_fail "hub did not start"; exit 1; }
cb_wait_file "$HUB_SOCKET"
TOKEN=$HUB_TOK_SUPER

metric() { # NAME TARGET
	curl -s "$HUB_URL/metrics" | sed -n "s/^$1{target=\"$2\"[^}]*} //p" | head -1
}
caught_up() { [ "$(metric citybraind_remote_queue_bytes vm)" = 0 ]; }

# The edge series' newest point: two hours ago by the wall clock.
NOW=$WALL
printf 'fwdx,grid=440304001001001,sensor=edge value=-1 %s\n' "$((NOW - 7200000))" >"$HUB_DIR/first.lp"
c=$(TOKEN=$HUB_TOK_COLLECTOR hub_post '/api/v1/write?precision=ms' "$HUB_DIR/first.lp")
cb_assert_eq 204 "$c" "first point"

# One body: 1000 edge points 30 minutes past the store's retention (the
# hub's check passes them), 1000 edge points 30 minutes inside it, and
# 8000 ordinary points.
python3 - "$RAW_MS" "$NOW" >"$HUB_DIR/batch.lp" <<'PY'
import sys
raw, c = int(sys.argv[1]), int(sys.argv[2])
for i in range(8000):
    print("fwdx,grid=440304001001002,sensor=fill value=%d %d" % (i, c - 3 * 3600000 + i))
for x in range(1000):
    print("fwdx,grid=440304001001001,sensor=edge value=%d %d" % (x, c - raw - 1800000 + x))
for x in range(1000):
    print("fwdx,grid=440304001001001,sensor=edge value=%d %d" % (1000 + x, c - raw + 1800000 + x))
PY
c=$(TOKEN=$HUB_TOK_COLLECTOR hub_post '/api/v1/write?precision=ms' "$HUB_DIR/batch.lp")
case "$c" in 204 | 400) ;; *) cb_fail "write: $c $(cat "$HUB_OUT")" ;; esac
hub_get /api/v1/quality >/dev/null
cb_assert_eq 1000 "$(hub_json 'j["late_rejected_total"]')" "the store refused the 1000 points past its retention"

i=0
while ! caught_up && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
caught_up || cb_fail "vm did not catch up: $(curl -s "$HUB_URL/metrics" | grep 'target="vm"')"
curl -s "http://127.0.0.1:$VM_PORT/internal/force_flush" >/dev/null

out=$(python3 - "$HUB_URL" "$HUB_TOK_SUPER" "http://127.0.0.1:$VM_PORT" "$NOW" "$RAW_MS" <<'PY'
import json, sys, urllib.parse, urllib.request
hub, token, vm, now, raw = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
def get(url, auth=None):
    req = urllib.request.Request(url)
    if auth:
        req.add_header("Authorization", "Bearer " + auth)
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read().decode()
h = json.loads(get(hub + "/api/v1/query?" + urllib.parse.urlencode(
    {"q": "fwdx", "start": now - raw - 86400000, "end": now + 3600000, "limit": 10}), token))
want = {}
for s in h["series"]:
    want[tuple(sorted(s["labels"].items()))] = [(int(t), float(v)) for t, v in s["points"]]
got = {}
for line in get(vm + "/api/v1/export?" + urllib.parse.urlencode({"match[]": "fwdx"})).splitlines():
    r = json.loads(line)
    m = dict(r["metric"]); del m["__name__"]
    got[tuple(sorted(m.items()))] = sorted(zip(r["timestamps"], r["values"]))
n = sum(len(p) for p in want.values())
for k in want:
    g = got.get(k, [])
    extra = sorted(set(g) - set(want[k]))
    missing = sorted(set(want[k]) - set(g))
    if extra or missing or len(g) != len(want[k]):
        print("FAIL %s: victoria-metrics has %d points, the hub %d; %d extra (e.g. %s), %d missing (e.g. %s)" % (
            dict(k).get("sensor"), len(g), len(want[k]), len(extra), extra[:1], len(missing), missing[:1]))
for k in got:
    if k not in want:
        print("FAIL: victoria-metrics has series %s the hub has not" % (k,))
print("%d series, %d points compared" % (len(want), n))
PY
)
echo "$out"
case "$out" in *FAIL*) cb_fail "victoria-metrics differs from the hub's store" ;; esac
case "$out" in "2 series, 9001 points compared") ;; *) cb_fail "expected 2 series and 9001 points compared: $out" ;; esac

cb_done
