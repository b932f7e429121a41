#!/bin/sh
# Prometheus remote-write in (hub/remote/): the protocol's status codes,
# enrichment, scopes, staleness markers and bad bodies with hand-made
# requests; then a real Prometheus (Debian's) scraping a real node-exporter
# every second and remote-writing to the hub, whose stored samples must
# equal what Prometheus itself stored for the same series and times.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

command -v prometheus >/dev/null || { echo "SKIP: prometheus not installed (./bootstrap)"; exit 77; }
command -v prometheus-node-exporter >/dev/null ||
	{ echo "SKIP: prometheus-node-exporter not installed (./bootstrap)"; exit 77; }

hub_conf
hub_start
TOKEN=$HUB_TOK_SUPER
RW="python3 $top_srcdir/tests/integration/remote-write.py"
W="$HUB_URL/prometheus/api/v1/write"
now=$(($(date +%s) * 1000))
G=440304001001001  # a grid of the sample territory
FG=440304010001007 # a grid in Fubao

# Enrichment, staleness marker and NaN skipped (200 with counts), stored as sent.
out=$($RW "$W" $HUB_TOK_COLLECTOR "[{\"labels\":{\"__name__\":\"water_level\",\"grid\":\"$G\",\"system\":\"water-level-iot\",\"empty\":\"\"},
  \"samples\":[[$now,4.62],[$((now + 1000)),\"stale\"],[$((now + 2000)),\"nan\"],[$((now + 3000)),0.1]]}]")
cb_assert_eq 200 "${out%% *}" "stale and NaN samples skipped, the rest accepted"
cb_assert_contains "$out" '"stale":1' "staleness marker counted"
cb_assert_contains "$out" '"not_finite":1' "NaN counted"
cb_assert_contains "$out" '"accepted":2' "two samples accepted"
cb_assert_eq 200 "$(hub_get "/api/v1/query?q=water_level&start=$((now - 1000))&end=$((now + 5000))")" "query"
cb_assert_eq "[[$now, 4.62], [$((now + 3000)), 0.1]]" "$(hub_json 'j["series"][0]["points"]')" "values and times as sent"
cb_assert_eq 440304001001 "$(hub_json 'j["series"][0]["labels"]["community"]')" "grid enriched with community"
cb_assert_eq water "$(hub_json 'j["series"][0]["labels"]["dept"]')" "system enriched with dept"
cb_assert_eq False "$(hub_json '"empty" in j["series"][0]["labels"]')" "empty label is no label"

# Everything good: 204.  /api/v1/write takes remote-write by Content-Type.
out=$($RW "$HUB_URL/api/v1/write" $HUB_TOK_COLLECTOR "[{\"labels\":{\"__name__\":\"rw_plain\",\"job\":\"x\"},\"samples\":[[$now,1],[$((now + 1000)),2]]}]")
cb_assert_eq "204 " "$out" "all good on /api/v1/write with x-protobuf"
hub_get "/api/v1/query?q=rw_plain&start=$((now - 1000))&end=$((now + 5000))" >/dev/null
cb_assert_eq "[[$now, 1.0], [$((now + 1000)), 2.0]]" "$(hub_json 'j["series"][0]["points"]')" "both samples stored"

# Partial acceptance: bad series rejected (400, not retried by senders),
# the good ones stored, and the body says which and why.
out=$($RW "$W" $HUB_TOK_FUBAO "[{\"labels\":{\"__name__\":\"water_level\",\"grid\":\"$FG\",\"system\":\"water-level-iot\"},\"samples\":[[$now,1.5]]},
  {\"labels\":{\"__name__\":\"water_level\",\"grid\":\"$G\",\"system\":\"water-level-iot\"},\"samples\":[[$now,9]]},
  {\"labels\":{\"__name__\":\"env_aqi\",\"grid\":\"440304999001001\"},\"samples\":[[$now,42]]},
  {\"labels\":{\"job\":\"nameless\"},\"samples\":[[$now,1]]},
  {\"labels\":{\"__name__\":\"x\",\"a\":\"line\nbreak\"},\"samples\":[[$now,1]]}]")
cb_assert_eq 400 "${out%% *}" "partial acceptance is 400"
cb_assert_contains "$out" '"accepted":1' "the good series stored"
cb_assert_contains "$out" '"rejected":4' "four samples rejected"
cb_assert_contains "$out" 'token may not write for this place' "scope enforced"
cb_assert_contains "$out" "unknown grid" "grid checked"
cb_assert_contains "$out" "no __name__ label" "metric name required"
cb_assert_contains "$out" "line break" "label values with newlines refused"
cb_assert_contains "$out" "\"timestamp\":$now" "errors carry the sample time"
hub_get "/api/v1/query?q=water_level{grid=\"$FG\"}&start=$((now - 1000))&end=$((now + 5000))" >/dev/null
cb_assert_eq "[[$now, 1.5]]" "$(hub_json 'j["series"][0]["points"]')" "the accepted series is stored"

# Bad bodies: 400 (non-retriable) with a reason; auth as everywhere.
c=$(curl -s -o "$HUB_OUT" -w '%{http_code}' -H "Authorization: Bearer $HUB_TOK_COLLECTOR" \
	-H 'Content-Type: application/x-protobuf' -H 'Content-Encoding: snappy' --data-binary 'garbage' "$W")
cb_assert_eq 400 "$c" "corrupt snappy"
cb_assert_contains "$(cat "$HUB_OUT")" snappy "corrupt snappy named"
# snappy: 3 bytes as one literal; protobuf: a field cut short.
printf '\003\010\012\005\012' >"$HUB_DIR/badpb"
c=$(curl -s -o "$HUB_OUT" -w '%{http_code}' -H "Authorization: Bearer $HUB_TOK_COLLECTOR" \
	-H 'Content-Type: application/x-protobuf' -H 'Content-Encoding: snappy' --data-binary @"$HUB_DIR/badpb" "$W")
cb_assert_eq 400 "$c" "snappy fine, protobuf not"
cb_assert_contains "$(cat "$HUB_OUT")" protobuf "bad protobuf named"
c=$(curl -s -o "$HUB_OUT" -w '%{http_code}' -H "Authorization: Bearer $HUB_TOK_COLLECTOR" \
	-H 'Content-Encoding: snappy' --data-binary 'x y=1' "$HUB_URL/api/v1/write")
cb_assert_eq 415 "$c" "snappy line protocol is refused"
c=$(curl -s -o "$HUB_OUT" -w '%{http_code}' --data-binary 'x' "$W")
cb_assert_eq 401 "$c" "remote-write needs a token"

# ---- The real Prometheus, scraping node-exporter, remote-writing here ----
NE_PORT=$(cb_free_port)
P_PORT=$(cb_free_port)
P_DIR=$(cb_tmpdir)
cb_start node_exporter prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" \
	--collector.disable-defaults --collector.loadavg --collector.meminfo \
	--collector.stat --collector.cpu
cb_wait_http "http://127.0.0.1:$NE_PORT/metrics" || { cb_fail "node-exporter did not start"; exit 1; }
cat >"$P_DIR/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$NE_PORT']
remote_write:
  - url: $W
    authorization:
      credentials: $HUB_TOK_COLLECTOR
    queue_config:
      batch_send_deadline: 1s
      max_samples_per_send: 1000
YML
cb_start prometheus prometheus --config.file="$P_DIR/prometheus.yml" \
	--storage.tsdb.path="$P_DIR/data" --web.listen-address="127.0.0.1:$P_PORT"
cb_wait_http "http://127.0.0.1:$P_PORT/-/ready" || { cb_fail "prometheus did not start"; exit 1; }
# Remote-write sends what is scraped after its WAL watcher is ready.
cb_wait_for grep -q 'Done replaying WAL' "$CB_TMP/prometheus.log" ||
	{ cb_fail "prometheus's remote-write did not start"; exit 1; }
sleep 15

# A window that ended a few seconds ago, so the hub has all of it.
T=$(($(date +%s) - 4))
python3 - "http://127.0.0.1:$P_PORT" "$HUB_URL" "$HUB_TOK_SUPER" "$T" >"$HUB_DIR/compare.txt" 2>&1 <<'PY'
import json, sys, time, urllib.parse, urllib.request
prom, hub, token, t = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
win = 12  # seconds: Prometheus's range selector is (t-win, t]

def get(url, auth=None):
    req = urllib.request.Request(url)
    if auth:
        req.add_header("Authorization", "Bearer " + auth)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)

def compare():
    out = []
    compared = samples = 0
    for metric in ["up", "node_load1", "node_memory_MemAvailable_bytes",
                   "node_cpu_seconds_total", "node_context_switches_total",
                   "scrape_duration_seconds", "scrape_samples_scraped"]:
        sel = metric + '{job="node"}'
        p = get(prom + "/api/v1/query?" + urllib.parse.urlencode({"query": "%s[%ds]" % (sel, win), "time": t}))
        assert p["status"] == "success", p
        q = urllib.parse.urlencode({"q": sel, "start": (t - win) * 1000 + 1, "end": t * 1000, "limit": 10000})
        h = get(hub + "/api/v1/query?" + q, token)
        hs = {}
        for s in h["series"]:
            hs[tuple(sorted(s["labels"].items()))] = s["points"]
        if len(p["data"]["result"]) != len(hs):
            out.append("FAIL %s: prometheus has %d series, the hub %d" % (metric, len(p["data"]["result"]), len(hs)))
        for r in p["data"]["result"]:
            labels = dict(r["metric"])
            del labels["__name__"]
            key = tuple(sorted(labels.items()))
            want = [[int(round(float(ts) * 1000)), float(v)] for ts, v in r["values"]]
            got = hs.get(key)
            if got != want:
                out.append("FAIL %s%s:\n prometheus %s\n hub        %s" % (metric, labels, want, got))
            if len(want) < win // 2:
                out.append("FAIL %s%s: only %d samples in %d s" % (metric, labels, len(want), win))
            compared += 1
            samples += len(want)
    return out, compared, samples

# The sender batches (1 s deadline) and each batch arrives on its own, so
# the hub may lag a little behind Prometheus: compare until equal, up to
# 30 s, and report the last difference.
for _ in range(30):
    out, compared, samples = compare()
    if not out:
        break
    time.sleep(1)
for line in out:
    print(line)
print("compared %d series, %d samples" % (compared, samples))
PY
cat "$HUB_DIR/compare.txt"
if grep -q FAIL "$HUB_DIR/compare.txt"; then
	cb_fail "the hub's data differs from Prometheus's"
fi
n=$(sed -n 's/^compared \([0-9]*\) series, \([0-9]*\) samples$/\2/p' "$HUB_DIR/compare.txt")
[ "${n:-0}" -ge 50 ] || cb_fail "too few samples compared (${n:-none})"
grep -q 'Failed to send\|non-recoverable' "$CB_TMP/prometheus.log" &&
	cb_fail "prometheus reported failed sends: $(grep -m1 'Failed to send\|non-recoverable' "$CB_TMP/prometheus.log")"
cb_done
