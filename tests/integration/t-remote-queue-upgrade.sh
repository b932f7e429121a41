#!/bin/sh
# The upgrade of a store from before the queue column family: queue
# records that an older build left in the meta family are moved into
# "queue" when forwarding starts, and every one of them is forwarded.
# The older layout is made with RocksDB's ldb from a queue this build
# wrote (target down): its records copied to meta, the family dropped.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/remote-lib.sh"

command -v victoria-metrics >/dev/null || { echo "SKIP: victoria-metrics not installed (./bootstrap)"; exit 77; }
command -v ldb >/dev/null || { echo "SKIP: ldb not installed (rocksdb-tools)"; exit 77; }

DEAD_PORT=$(cb_free_port) # nothing listens there
remote_vm_start

hub_conf
remote_target "$DEAD_PORT"
hub_start
BASE=$((($(date +%s) - 300) * 1000))
for n in 0 1 2; do
	python3 - "$n" "$BASE" >"$HUB_DIR/batch.lp" <<'PY'
import sys
n, base = int(sys.argv[1]), int(sys.argv[2])
for g in range(20):
    for i in range(10):
        print("upg,grid=440304001001001,sensor=s%02d value=%d %d" % (g, n * 1000 + g * 10 + i, base + n * 10000 + i * 1000))
PY
	c=$(TOKEN=$HUB_TOK_COLLECTOR hub_post '/api/v1/write?precision=ms' "$HUB_DIR/batch.lp")
	[ "$c" = 204 ] || cb_fail "write $n: $c"
done
hub_finish

# The older layout: queue records in meta, no queue family.
DB=$HUB_DIR/data
ldb --db="$DB" --column_family=queue --hex scan >"$HUB_DIR/q.txt" 2>&1 || cb_fail "ldb scan: $(cat "$HUB_DIR/q.txt")"
NREC=$(grep -c '^0x72656D6F74652F712F' "$HUB_DIR/q.txt")
[ "$NREC" -ge 3 ] || cb_fail "expected >= 3 queue records, ldb found $NREC: $(head -c 300 "$HUB_DIR/q.txt")"
# shellcheck disable=SC2046
ldb --db="$DB" --column_family=meta --hex batchput $(sed -n 's/^\(0x[0-9A-F]*\) : \(0x[0-9A-F]*\)$/\1 \2/p' "$HUB_DIR/q.txt") >/dev/null ||
	cb_fail "ldb batchput"
ldb --db="$DB" drop_column_family queue >/dev/null || cb_fail "ldb drop_column_family"
cb_assert_eq "" "$(ldb --db="$DB" list_column_families | grep -E '[{ ]queue[,}]')" "queue family dropped"
cb_assert_eq "$NREC" "$(ldb --db="$DB" --column_family=meta --hex scan | grep -c '^0x72656D6F74652F712F')" "records in meta"

# This build on the older layout, target up: records moved, all forwarded.
remote_target "$VM_PORT"
hub_start
cb_assert_contains "$(cat "$CB_TMP/hub.log")" "$NREC queue records moved to the queue family" "hub log"
remote_wait_caught_up
out=$(remote_compare "after the upgrade" upg $((BASE - 1000)) $((BASE + 3600000)))
echo "$out"
cb_assert_eq "after the upgrade: 20 series, 600 points compared" "$out" "every point forwarded after the upgrade, exactly"
hub_finish
cb_assert_eq 0 "$(ldb --db="$DB" --column_family=meta --hex scan | grep -c '^0x72656D6F74652F712F')" "queue records left in meta"
cb_done
