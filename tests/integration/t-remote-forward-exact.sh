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
. "$top_srcdir/tests/integration/remote-lib.sh"

command -v victoria-metrics >/dev/null || { echo "SKIP: victoria-metrics not installed (./bootstrap)"; exit 77; }

remote_vm_start

hub_conf
remote_target "$VM_PORT"
RAW_MS=$(python3 -c 'import json,sys; print(15 * 86400000 if "raw" not in json.load(open(sys.argv[1])).get("retention", {}) else "")' "$HUB_DIR/hub.json")
[ -n "$RAW_MS" ] || { cb_fail "the test expects the default raw retention (15d)"; exit 1; }
CLOCK="$HUB_DIR/clock"
WALL=$(python3 -c 'import time; print(int(time.time() * 1000))')
echo $((WALL - 3600000)) >"$CLOCK"
cb_start hub "$HUB_BIN" -v --config "$HUB_DIR/hub.json" --test-clock "$CLOCK"
cb_wait_http "$HUB_URL/healthz" || { cb_fail "hub did not start"; exit 1; }
cb_wait_file "$HUB_SOCKET"
TOKEN=$HUB_TOK_SUPER

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

remote_wait_caught_up
out=$(remote_compare fwdx fwdx $((NOW - RAW_MS - 86400000)) $((NOW + 3600000)))
echo "$out"
case "$out" in *FAIL*) cb_fail "victoria-metrics differs from the hub's store" ;; esac
cb_assert_eq "fwdx: 2 series, 9001 points compared" "$out" "2 series and 9001 points compared"

cb_done
