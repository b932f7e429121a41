#!/bin/sh
# The console's view of forwarding (remote-write out): a hub forwarding to
# a target that is down, with a small queue bound, drops its oldest data;
# the Quality screen (through tmux) and `citybrain quality --once` show the
# target failing (retrying), its lag, queue, drops and last error; once a real
# victoria-metrics listens there, the screen shows it caught up.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"
. "$top_srcdir/tests/integration/remote-lib.sh"

command -v "$TMUX_BIN" >/dev/null 2>&1 || { echo "SKIP: no tmux"; exit 77; }
command -v victoria-metrics >/dev/null || { echo "SKIP: victoria-metrics not installed (./bootstrap)"; exit 77; }
trap '_s=$?; cf_tmux_kill; (exit $_s); cb_cleanup' EXIT

VM_PORT=$(cb_free_port) # nothing listens there yet
hub_conf
python3 - "$HUB_DIR/hub.json" "$VM_PORT" <<'PY'
import json, sys
p, vm = sys.argv[1:3]
c = json.load(open(p))
c["remote_write"] = [{"name": "vm", "url": "http://127.0.0.1:%s/api/v1/write" % vm,
                      "queue": {"max_bytes": 4096, "min_backoff": "50ms", "max_backoff": "200ms"}}]
json.dump(c, open(p, "w"), indent=1)
PY
hub_start

NOW=$(($(date +%s) * 1000))
# Twelve batches of 50 points: the queue keeps the newest few, the oldest
# are dropped, and what is kept is retried.
for b in 0 1 2 3 4 5 6 7 8 9 10 11; do
	python3 - "$NOW" "$b" >"$HUB_DIR/pts.lp" <<'PY'
import sys
now, b = int(sys.argv[1]), int(sys.argv[2])
for i in range(b * 50, b * 50 + 50):
    print("fwd,grid=440304001001001 value=%d %d" % (i, now - 600000 + i * 1000))
PY
	cb_assert_eq 204 "$(TOKEN=$HUB_TOK_COLLECTOR hub_post "/api/v1/write?precision=ms" "$HUB_DIR/pts.lp")" "write batch $b while the target is down"
done
_i=0
until curl -s "$HUB_URL/metrics" | grep -q '^citybraind_remote_dropped_samples_total{target="vm"} [1-9]' &&
	curl -s "$HUB_URL/api/v1/status/remote" | grep -q '"state": *"retrying"' || [ $_i -ge 300 ]; do
	sleep 0.1
	_i=$((_i + 1))
done

out=$("$CF_BIN" -S "$HUB_SOCKET" quality --once 2>&1)
rc=$?
echo "$out" | grep -A1 Forwarding
cb_assert_contains "$out" "Forwarding: 1 target, dropped " "citybrain quality: the forwarding title with drops"
# (its state flickers between retrying and behind while it backs off)
cb_assert_contains "$out" "last error: Failed to connect" "citybrain quality: the target's last error"
cb_assert_eq 1 "$(echo "$out" | grep -cE '^  vm +(retrying|behind) +lag [0-9]+s  queue [1-9][0-9]* B  sent 0  dropped [1-9][0-9]*  failures [1-9]')" \
	"citybrain quality: the target failing, its queue and drops"
cb_assert_eq 1 "$rc" "citybrain quality exits 1 while data is dropped"

cf_tmux 160 40 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $HUB_SOCKET -d 1"
cf_expect "supervisor@" "the console started"
cf_keys 7
cf_expect "Forwarding: 1 target, dropped " "the Quality screen's forwarding title"
cf_expect "last error: Failed to connect" "the target's last error shown"
cf_keys / vm Enter
cf_expect "Forwarding: 1 target" "the filter keeps the section"

# A receiver comes up on the target's port: the screen follows.
remote_vm_start
cf_expect "vm           caught_up" "the target shown caught up" 30
cf_expect "queue 0 B" "its queue empty"

cf_tmux_kill
hub_finish
cb_done
