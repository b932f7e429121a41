#!/bin/sh
# Remote-write out (hub/remote/forward.c) to real receivers from Debian on
# 127.0.0.1: victoria-metrics (its /api/v1/write behaves as vminsert's) and
# prometheus --web.enable-remote-write-receiver.  Checks: every stored point
# arrives exactly (labels with the territory enrichment, times, values); a
# receiver outage during ingest loses nothing and the lag returns to zero;
# kill -9 of the hub while it still has to forward loses nothing; a target
# whose queue passes its byte bound drops the oldest data and counts it;
# many kill -9s during ingest, each right after a RocksDB write, lose
# nothing acknowledged and forward everything stored.
# The victoria-metrics target sends through 4 shards (queue.shards).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/remote-lib.sh"

command -v victoria-metrics >/dev/null || { echo "SKIP: victoria-metrics not installed (./bootstrap)"; exit 77; }
command -v prometheus >/dev/null || { echo "SKIP: prometheus not installed (./bootstrap)"; exit 77; }

P_PORT=$(cb_free_port)
P_DIR=$(cb_tmpdir)
DEAD_PORT=$(cb_free_port) # nothing listens there
remote_vm_start
printf 'global: {}\n' >"$P_DIR/prometheus.yml"
cb_start prometheus prometheus --config.file="$P_DIR/prometheus.yml" \
	--storage.tsdb.path="$P_DIR/data" --web.listen-address="127.0.0.1:$P_PORT" \
	--web.enable-remote-write-receiver
cb_wait_http "http://127.0.0.1:$P_PORT/-/ready" || { cb_fail "prometheus did not start"; exit 1; }

hub_conf
python3 - "$HUB_DIR/hub.json" "$VM_PORT" "$P_PORT" "$DEAD_PORT" <<'PY'
import json, sys
p, vm, pr, dead = sys.argv[1:5]
c = json.load(open(p))
c["remote_write"] = [
    {"name": "vm", "url": "http://127.0.0.1:%s/api/v1/write" % vm,
     "queue": {"batch_samples": 500, "shards": 4, "min_backoff": "100ms", "max_backoff": "1s"}},
    {"name": "prom", "url": "http://127.0.0.1:%s/api/v1/write" % pr,
     "headers": {"X-Scope-OrgID": "futian"}},
    {"name": "void", "url": "http://127.0.0.1:%s/api/v1/write" % dead,
     "queue": {"max_bytes": 4096, "max_backoff": "1s"}},
]
json.dump(c, open(p, "w"))
PY
hub_start
TOKEN=$HUB_TOK_SUPER
BASE=$((($(date +%s) - 300) * 1000)) # five minutes ago, in ms

# write N: 40 series (sensors in Nanyuan's grids), 10 points each, batch N.
write() {
	python3 - "$1" "$BASE" >"$HUB_DIR/batch.lp" <<'PY'
import sys
n, base = int(sys.argv[1]), int(sys.argv[2])
grids = ["440304001001001", "440304001001002", "440304001002001", "440304001002002"]
for g in range(40):
    for i in range(10):
        t = base + n * 10000 + i * 1000
        # sensor-like values: victoria-metrics keeps 12 significant digits
        v = round((g * 1000 + n * 10 + i) * 0.37 - 250, 2)
        print("fwd,grid=%s,sensor=s%02d value=%r %d" % (grids[g % 4], g, v, t))
PY
	c=$(TOKEN=$HUB_TOK_COLLECTOR hub_post '/api/v1/write?precision=ms' "$HUB_DIR/batch.lp")
	[ "$c" = 204 ] || cb_fail "write $1: $c $(cat "$HUB_OUT")"
}

# compare WHAT: the hub's points equal victoria-metrics' and prometheus's.
compare() {
	remote_compare "$1" fwd $((BASE - 1000)) $((BASE + 3600000)) \
		"http://127.0.0.1:$P_PORT" $((BASE / 1000 + 3000))
}

# 1. Exact forwarding while the receivers are up.
write 0
write 1
remote_wait_caught_up vm
remote_wait_caught_up prom
out=$(compare "receivers up")
echo "$out"
case "$out" in *FAIL*) cb_fail "forwarded data differs" ;; esac
case "$out" in *"40 series, 800 points"*) ;; *) cb_fail "expected 40 series, 800 points: $out" ;; esac
hub_get '/api/v1/series?q=fwd&limit=1' >/dev/null
cb_assert_eq 440304001000 "$(hub_json 'j["series"][0]["labels"]["subdistrict"]')" "enriched labels (forwarded as stored)"

# vm sends through 4 shards (each series through one): status says so
hub_get /api/v1/status/remote >/dev/null
cb_assert_eq 4 "$(hub_json '[t["shards"] for t in j["targets"] if t["name"] == "vm"][0]')" "vm's shards"
cb_assert_eq 800 "$(remote_metric citybraind_remote_sent_samples_total vm)" "vm: every sample sent once over its shards"

# 2. Receiver outage during ingest: nothing lost, lag back to zero.
cb_stop vm
write 2
write 3
sleep 1.5
f=$(remote_metric citybraind_remote_failures_total vm)
[ "${f:-0}" -ge 1 ] || cb_fail "a down receiver counts network failures (got '$f')"
r=$(remote_metric citybraind_remote_retries_total vm)
[ "${r:-0}" -ge 1 ] || cb_fail "a down receiver is retried (got '$r')"
remote_vm_start
remote_wait_caught_up vm
remote_wait_caught_up prom
cb_assert_eq 0.000 "$(remote_metric citybraind_remote_lag_seconds vm)" "lag back to zero"
out=$(compare "after an outage")
echo "$out"
case "$out" in *FAIL*) cb_fail "data lost in an outage" ;; esac
case "$out" in *"1600 points"*) ;; *) cb_fail "expected 1600 points after the outage: $out" ;; esac

# 3. The dead target's queue bound: oldest data dropped, counted.
d=$(remote_metric citybraind_remote_dropped_samples_total void)
[ "${d:-0}" -ge 400 ] || cb_fail "a queue over its bound drops and counts (dropped '$d')"
q=$(remote_metric citybraind_remote_queue_bytes void)
[ "${q:-99999}" -le 4096 ] || cb_fail "the queue keeps to its bound ($q bytes)"
cb_assert_eq 0 "$(remote_metric citybraind_remote_dropped_samples_total vm)" "nothing dropped for a target that came back"

# 4. kill -9 of the hub with data still to forward: nothing lost.
cb_stop vm
write 4
cb_stop hub KILL
remote_vm_start
hub_start
remote_wait_caught_up vm
remote_wait_caught_up prom
out=$(compare "after kill -9")
echo "$out"
case "$out" in *FAIL*) cb_fail "data lost by kill -9" ;; esac
case "$out" in *"2000 points"*) ;; *) cb_fail "expected 2000 points after kill -9: $out" ;; esac

# 5. Many kill -9s during ingest, each right after one of the hub's RocksDB
# writes (tests/integration/killwrite.c: with the queue record written
# apart from its batch, a kill between the two loses the batch for the
# targets; a batch without an answer is not sent again, as a resend would
# queue it then): every acknowledged point is stored, and every stored
# point reaches victoria-metrics.
hub_finish
CRASH_KILLWRITE=$top_builddir/tests/integration/.libs/killwrite.so \
CRASH_VM=http://127.0.0.1:$VM_PORT CRASH_RESEND=0 \
	python3 "$top_srcdir/tests/integration/crash-hub.py" "$HUB_BIN" \
	"$HUB_DIR/hub.json" "$HUB_URL" "$HUB_TOK_COLLECTOR" "$HUB_TOK_SUPER" \
	"$CB_TMP" "${FWD_KILLS:-40}" 2 >"$CB_TMP/kill-figures" ||
	cb_fail "kill -9s during forwarding: $(cat "$CB_TMP/kill-figures")"
cat "$CB_TMP/kill-figures"
grep -q '^forward_missing: 0$' "$CB_TMP/kill-figures" ||
	cb_fail "stored points not forwarded after kill -9s"

cb_done
