#!/bin/sh
# A PromQL answer that lacks points because the store skipped a block it
# could not read says so: a Prometheus "warnings" entry (Grafana shows it
# on the panel), as the native API's reply does; answers that did not
# touch the damaged block carry none.  The damage is made with RocksDB's
# ldb on the stopped hub's data: every raw chunk of one hour is garbage.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

command -v ldb >/dev/null || { echo "SKIP: ldb not installed (rocksdb-tools)"; exit 77; }

hub_conf
hub_start
now=$(date +%s)
H0=$(((now / 3600 - 4) * 3600)) # a whole hour, 4 hours back
python3 - "$H0" >"$HUB_DIR/body.lp" <<'PY'
import sys
h0 = int(sys.argv[1])
for s in ("a", "b"):
    for i in range(3 * 360):  # three hours of 10 s points
        print("pq,grid=440304001001001,sensor=%s value=%d %d" % (s, i, h0 + 10 * i))
PY
TOKEN=$HUB_TOK_COLLECTOR
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$HUB_DIR/body.lp")" "fixture data"
TOKEN=$HUB_TOK_SUPER
P=/prometheus/api/v1
q_range() { # QUERY START END
	hub_get "$P/query_range" -G --data-urlencode "query=$1" \
		--data-urlencode "start=$2" --data-urlencode "end=$3" --data-urlencode step=60
}
cb_assert_eq 200 "$(q_range 'max_over_time(pq[5m])' $((H0 + 600)) $((H0 + 3 * 3600 - 60)))" "intact store"
cb_assert_eq "2 None" "$(hub_json 'str(len(j["data"]["result"]))+" "+str(j.get("warnings"))')" \
	"both series, no warning before the damage"
hub_finish

# Every chunk of the first hour (key: hour, series id, offset) garbage.
DB=$HUB_DIR/data
HX=$(printf '%08X' $((H0 / 3600)))
ldb --db="$DB" --column_family=chunks --hex scan >"$HUB_DIR/c.txt" 2>&1 || cb_fail "ldb scan: $(cat "$HUB_DIR/c.txt")"
KEYS=$(sed -n "s/^\(0x$HX[0-9A-F]*\) : .*/\1/p" "$HUB_DIR/c.txt")
[ -n "$KEYS" ] || cb_fail "no chunk of hour $HX: $(head -c 300 "$HUB_DIR/c.txt")"
for k in $KEYS; do
	ldb --db="$DB" --column_family=chunks --hex put "$k" 0xDEADBEEF >/dev/null || cb_fail "ldb put $k"
done

hub_start
cb_assert_eq 200 "$(q_range 'max_over_time(pq[5m])' $((H0 + 600)) $((H0 + 3 * 3600 - 60)))" "range over the damaged hour"
cb_assert_contains "$(hub_json 'j["warnings"][0]')" "could not be read" "range query warns"
cb_assert_eq "2 $((H0 + 3600))" "$(hub_json 'str(len(j["data"]["result"]))+" "+str(j["data"]["result"][0]["values"][0][0])')" \
	"the answer keeps the readable hours and lacks the damaged one"
cb_assert_eq 200 "$(hub_get "$P/query" -G --data-urlencode 'query=pq' --data-urlencode "time=$((H0 + 1800))")" "instant query in the damaged hour"
cb_assert_contains "$(hub_json 'j["warnings"]')" "could not be read" "instant query warns"
cb_assert_eq "0" "$(hub_json 'len(j["data"]["result"])')" "no point read from the damaged hour"
cb_assert_eq 200 "$(q_range 'pq' $((H0 + 3600 + 600)) $((H0 + 3 * 3600 - 60)))" "range after the damaged hour"
cb_assert_eq "2 None" "$(hub_json 'str(len(j["data"]["result"]))+" "+str(j.get("warnings"))')" \
	"no warning for an answer that did not touch the damage"
cb_assert_contains "$(cat "$CB_TMP/hub.log")" "corrupt chunk skipped" "the hub's log names the block"
# The native API says the same of a raw read.
cb_assert_eq 200 "$(hub_get '/api/v1/query' -G --data-urlencode 'q=pq{sensor="a"}' \
	--data-urlencode "start=$((H0 * 1000))" --data-urlencode "end=$(((H0 + 7200) * 1000))")" "native raw query"
cb_assert_contains "$(hub_json 'j["warnings"]')" "corrupt chunk skipped" "native API warns"
hub_finish
cb_done
