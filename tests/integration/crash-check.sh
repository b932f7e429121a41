#!/bin/sh
# make crash-check (not part of make check: minutes long).
#  1. The hub: CRASH_KILLS (default 200) random kill -9s under acknowledged
#     writes from CRASH_WRITERS (default 4) connections; every acknowledged
#     point must be stored once with its value (tests/integration/crash-hub.py).
#  2. The collector: its spool filled to max_bytes while the hub is down,
#     kill -9, restart with the hub up: every point the spool held at the
#     kill reaches the hub's store, once.
# Prints name: value lines (crash_kills, acked_points, lost_points,
# duplicate_points, ...); exit 1 on any loss or duplicate.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

KILLS=${CRASH_KILLS:-200}
WRITERS=${CRASH_WRITERS:-4}
COLLECTOR=$top_builddir/collectors/citybrain-collector
GEN=$top_srcdir/tests/collector/seqgen.sh
SPOOLSEQS=$top_srcdir/tests/collector/spool-seqs.py

# ---- 1. the hub -----------------------------------------------------------
hub_conf
python3 "$top_srcdir/tests/integration/crash-hub.py" "$HUB_BIN" \
	"$HUB_DIR/hub.json" "$HUB_URL" "$HUB_TOK_COLLECTOR" "$HUB_TOK_SUPER" \
	"$CB_TMP" "$KILLS" "$WRITERS" >"$CB_TMP/hub-figures" ||
	cb_fail "the hub lost or duplicated acknowledged points"
cat "$CB_TMP/hub-figures"

# ---- 2. the collector with a full spool -----------------------------------
SPOOL=$CB_TMP/spool
CNT=$CB_TMP/counter
BASE=$((($(date +%s) - 7200) * 1000))
PAD=$(printf '%0100d' 0)
# conf NAME [GEN_ARGS...]: a collector configuration pointing at the hub.
conf() {
	_name=$1
	shift
	_inputs="[]"
	if [ $# -gt 0 ]; then
		_args=""
		for _a in "$@"; do
			_args="$_args, \"$_a\""
		done
		_inputs="[{\"type\": \"exec\", \"name\": \"seq\",
		    \"format\": \"influx\", \"precision\": \"ms\", \"interval\": \"100ms\",
		    \"jitter\": \"0s\", \"timeout\": \"1s\",
		    \"command\": [\"sh\", \"$GEN\"$_args]}]"
	fi
	cat >"$CB_TMP/$_name.json" <<EOC
{
  "name": "crashtest",
  "hub": {"urls": ["$HUB_URL"], "token": "$HUB_TOK_COLLECTOR",
          "retry_min": "100ms", "retry_max": "400ms", "timeout": "5s"},
  "batch": {"interval": "100ms", "max_points": 200},
  "spool": {"dir": "$SPOOL", "max_bytes": 131072, "segment_bytes": 8192,
            "fsync_interval": "60s"},
  "self_interval": "1h",
  "inputs": $_inputs
}
EOC
}
conf fill "$CNT" 40 "$PAD" "$BASE"
cb_start collector "$COLLECTOR" -c "$CB_TMP/fill.json"
cb_wait_for grep -q "spool full" "$CB_TMP/collector.log" ||
	cb_fail "the spool never filled"
sleep 1
cb_stop collector KILL
touch "$CNT.stop"
python3 "$SPOOLSEQS" "$SPOOL" | awk 'NF == 1 {print $1 - '"$BASE"'}' | sort >"$CB_TMP/spooled"
SPOOLED=$(wc -l <"$CB_TMP/spooled")
[ "$SPOOLED" -gt 0 ] || cb_fail "nothing in the spool at the kill"
hub_start
conf drain
cb_start collector "$COLLECTOR" -c "$CB_TMP/drain.json"
# all_stored: the seq points in the hub ("TIME VALUE" in stored, seq numbers
# in stored-seqs) include every spooled one.
all_stored() {
	TOKEN=$HUB_TOK_SUPER hub_get \
		"/api/v1/query?q=seq%7Bsrc%3D%22t%22%7D&start=$BASE&end=$((BASE + 100000000))" >/dev/null
	hub_json '"\n".join("%d %d" % (p[0], p[1]) for s in j["series"] for p in s["points"])' |
		sort -n >"$CB_TMP/stored"
	awk 'NF == 2 {print $1 - '"$BASE"'}' "$CB_TMP/stored" | sort >"$CB_TMP/stored-seqs"
	[ "$(comm -13 "$CB_TMP/stored-seqs" "$CB_TMP/spooled" | wc -l)" -eq 0 ]
}
cb_wait_for all_stored || {
	echo "not every spooled point arrived (counted below); the last query:"
	head -c 600 "$HUB_OUT"
	echo
}
cb_stop collector TERM
LOST=$(comm -13 "$CB_TMP/stored-seqs" "$CB_TMP/spooled" | wc -l)
DUPS=$(($(wc -l <"$CB_TMP/stored-seqs") - $(sort -u "$CB_TMP/stored-seqs" | wc -l)))
# Values: seq K is stored at BASE+K with value K.
WRONG=$(awk 'NF == 2 && $2 != $1 - '"$BASE"'' "$CB_TMP/stored" | wc -l)
echo "collector_spooled_points: $SPOOLED"
echo "collector_lost_points: $LOST"
echo "collector_duplicate_points: $DUPS"
echo "collector_wrong_points: $WRONG"
cb_assert_eq 0 "$LOST" "spooled points lost across the collector's kill -9"
cb_assert_eq 0 "$DUPS" "points stored twice"
cb_assert_eq 0 "$WRONG" "points stored with a wrong value"
hub_finish
H_ACKED=$(sed -n 's/^acked_points: //p' "$CB_TMP/hub-figures")
H_LOST=$(sed -n 's/^lost_points: //p' "$CB_TMP/hub-figures")
H_DUPS=$(sed -n 's/^duplicate_points: //p' "$CB_TMP/hub-figures")
echo "--- total"
echo "crash_kills: $KILLS (hub) + 1 (collector)"
echo "acked_points: $((${H_ACKED:-0} + SPOOLED))"
echo "lost_points: $((${H_LOST:-0} + LOST))"
echo "duplicate_points: $((${H_DUPS:-0} + DUPS))"
cb_done
