# Helpers for the forwarding and remote-read tests (hub/remote/): a real
# victoria-metrics, a slow HTTP hop in front of it, the hub's target, its
# forwarding metrics, and the check that a receiver holds exactly the
# hub's points.  Source after lib.sh (and hub-lib.sh for the hub's part).

# remote_vm_start: victoria-metrics on $VM_PORT with its data in $VM_DIR
# (both chosen when unset); exits the test if it does not start.
remote_vm_start() {
	: "${VM_PORT:=$(cb_free_port)}" "${VM_DIR:=$(cb_tmpdir)}"
	cb_start vm victoria-metrics -httpListenAddr="127.0.0.1:$VM_PORT" \
		-storageDataPath="$VM_DIR" -retentionPeriod=100y -loggerLevel=WARN
	cb_wait_http "http://127.0.0.1:$VM_PORT/health" || { cb_fail "victoria-metrics did not start"; exit 1; }
}

# remote_hop_start DELAY: tests/integration/slow-proxy.py on $HOP_PORT in
# front of victoria-metrics, waiting DELAY seconds a request (the test may
# write another delay into $HOP_DELAY at any time).
remote_hop_start() {
	HOP_PORT=$(cb_free_port)
	HOP_DELAY=$(cb_tmpdir)/hop-delay
	echo "$1" >"$HOP_DELAY"
	cb_start hop python3 "$top_srcdir/tests/integration/slow-proxy.py" "$HOP_PORT" \
		"http://127.0.0.1:$VM_PORT" "$HOP_DELAY"
	cb_wait_http "http://127.0.0.1:$HOP_PORT/health" || { cb_fail "slow-proxy did not start"; exit 1; }
}

# remote_target PORT [QUEUE]: hub.json's remote_write becomes one target
# "vm" at http://127.0.0.1:PORT/api/v1/write with the queue settings QUEUE
# (JSON; by default quick retries: 100 ms to 1 s).  Source hub-lib.sh and
# call hub_conf first.
remote_target() {
	_queue=${2:-'{"min_backoff": "100ms", "max_backoff": "1s"}'}
	python3 - "$HUB_DIR/hub.json" "$1" "$_queue" <<'PY'
import json, sys
p, port, queue = sys.argv[1:4]
c = json.load(open(p))
c["remote_write"] = [{"name": "vm", "url": "http://127.0.0.1:%s/api/v1/write" % port,
                      "queue": json.loads(queue)}]
json.dump(c, open(p, "w"))
PY
}

# remote_metric NAME [TARGET]: the hub's /metrics value of NAME for TARGET
# (default vm).
remote_metric() {
	curl -s "$HUB_URL/metrics" | sed -n "s/^$1{target=\"${2:-vm}\"[^}]*} //p" | head -1
}

# remote_caught_up [TARGET]: TARGET (default vm) has nothing left to send.
remote_caught_up() {
	[ "$(remote_metric citybraind_remote_queue_bytes "${1:-vm}")" = 0 ]
}

# remote_wait_caught_up [TARGET]: up to 60 s for remote_caught_up; fails
# the test with the target's metrics otherwise.
remote_wait_caught_up() {
	_i=0
	while ! remote_caught_up "${1:-vm}" && [ $_i -lt 600 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	remote_caught_up "${1:-vm}" ||
		cb_fail "${1:-vm} did not catch up: $(curl -s "$HUB_URL/metrics" | grep "target=\"${1:-vm}\"")"
}

# remote_compare WHAT METRIC START END [PROM_URL PROM_TIME]: the hub's
# points of METRIC from START to END (ms; read as supervisor) against
# victoria-metrics' export (flushed first) and, given PROM_URL, against
# prometheus's METRIC[1h] at PROM_TIME (s).  Prints a "FAIL WHAT: ..." line
# a receiver or series that differs, then "WHAT: N series, M points
# compared".
remote_compare() {
	curl -s "http://127.0.0.1:$VM_PORT/internal/force_flush" >/dev/null
	python3 - "$HUB_URL" "$HUB_TOK_SUPER" "http://127.0.0.1:$VM_PORT" "$@" <<'PY'
import json, sys, urllib.parse, urllib.request
hub, token, vm, what, metric, start, end = sys.argv[1:8]
prom = sys.argv[8:10]
def get(url, auth=None):
    req = urllib.request.Request(url)
    if auth:
        req.add_header("Authorization", "Bearer " + auth)
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read().decode()
def key(m):
    m = dict(m)
    m.pop("__name__", None)
    return tuple(sorted(m.items()))
h = json.loads(get(hub + "/api/v1/query?" + urllib.parse.urlencode(
    {"q": metric, "start": start, "end": end, "limit": 10000}), token))
want = {key(s["labels"]): [(int(t), float(v)) for t, v in s["points"]] for s in h["series"]}
receivers = [("victoria-metrics", {})]
for line in get(vm + "/api/v1/export?" + urllib.parse.urlencode({"match[]": metric})).splitlines():
    r = json.loads(line)
    receivers[0][1][key(r["metric"])] = sorted(zip(r["timestamps"], r["values"]))
if prom:
    pj = json.loads(get(prom[0] + "/api/v1/query?" + urllib.parse.urlencode(
        {"query": metric + "[1h]", "time": prom[1]})))
    receivers.append(("prometheus", {key(r["metric"]): [(int(round(float(t) * 1000)), float(v))
                                                        for t, v in r["values"]]
                                     for r in pj["data"]["result"]}))
for name, got in receivers:
    for k in want:
        g = got.get(k, [])
        extra = sorted(set(g) - set(want[k]))
        missing = sorted(set(want[k]) - set(g))
        if extra or missing or len(g) != len(want[k]):
            print("FAIL %s: %s has %d points of %s, the hub %d; %d extra (e.g. %s), %d missing (e.g. %s)" % (
                what, name, len(g), dict(k), len(want[k]), len(extra), extra[:1], len(missing), missing[:1]))
    for k in got:
        if k not in want:
            print("FAIL %s: %s has series %s the hub has not" % (what, name, dict(k)))
print("%s: %d series, %d points compared" % (what, len(want), sum(len(p) for p in want.values())))
PY
}
