#!/bin/sh
# SIGHUP reloads the collector's configuration.  A good file replaces the
# inputs (new tags, a new input) while the batch, the push queue and the
# spool are kept: a sequence generator that runs across three reloads,
# one of them while the hub is down and the collector spools, must
# arrive complete.  A bad file is logged with file:line:col and the
# previous configuration keeps running.
. "$top_srcdir/tests/integration/lib.sh"

COLLECTOR=$top_builddir/collectors/citybrain-collector
FAKEHUB=$top_builddir/tests/collector/fakehub
GEN=$top_srcdir/tests/collector/seqgen.sh

PORT=$(cb_free_port)
OUT=$CB_TMP/received.lp
CNT=$CB_TMP/counter
CONF=$CB_TMP/collector.json

# conf PHASE [EXTRA-INPUT]: the configuration, the generator tagged PHASE.
conf() {
	cat >"$CONF.tmp" <<EOC
{
  "name": "reloadtest",
  "hub": {"urls": ["http://127.0.0.1:$PORT"], "retry_min": "100ms",
          "retry_max": "300ms", "timeout": "2s"},
  "batch": {"interval": "100ms", "max_points": 200},
  "spool": {"dir": "$CB_TMP/spool", "fsync_interval": "200ms"},
  "self_interval": "1h",
  "inputs": [
    {"type": "exec", "name": "seq", "format": "influx", "precision": "ms",
     "interval": "100ms", "jitter": "0s", "timeout": "1s",
     "tags": {"phase": "$1"}, "command": ["sh", "$GEN", "$CNT", "3"]}${2:+,
    $2}
  ]
}
EOC
	mv "$CONF.tmp" "$CONF"
}

hub_up() {
	cb_start hub "$FAKEHUB" -p "$PORT" -o "$OUT"
	cb_wait_http "http://127.0.0.1:$PORT/health" || cb_fail "hub did not start"
}

has() { # PATTERN: a received line matches
	grep -q "$1" "$OUT" 2>/dev/null
}

logged() { # TEXT: the collector logged it
	grep -qF "$1" "$CB_TMP/collector.log"
}

hup() {
	kill -HUP "$(cb_pid collector)"
}

hub_up
conf a
cb_start collector "$COLLECTOR" -c "$CONF"
cb_wait_for has '^seq,phase=a,src=t ' || cb_fail "nothing delivered before the reload"

# ---- a good file: new tags, a new input ----------------------------------
conf b '{"type": "exec", "name": "hello", "format": "influx", "interval": "200ms", "timeout": "1s", "command": ["echo", "reloaded value=1"]}'
hup
cb_wait_for logged "reloaded $CONF: 2 inputs (were 1)" || cb_fail "no reload message"
cb_wait_for has '^seq,phase=b,src=t ' || cb_fail "the reloaded tags are not used"
cb_wait_for has '^reloaded ' || cb_fail "the new input does not run"

# ---- a bad file: logged with its position, the old configuration runs ---
cat >"$CONF" <<EOC
{
  "name": "reloadtest",
  "hub": {"urls": ["http://127.0.0.1:$PORT"]},
  "inputs": [{"type": "exec", "command": ["true"], "intervall": "1s"}]
}
EOC
hup
cb_wait_for logged "reload: $CONF:4:" || cb_fail "the bad file's error is not logged"
cb_assert_contains "$(cat "$CB_TMP/collector.log")" \
    "reload: $CONF:4:52: \"inputs[0].intervall\": unknown key" \
    "the error names file:line:col and the key"
logged "still running the previous configuration" || cb_fail "no word that the old configuration runs on"
N0=$(grep -c '^seq,phase=b,' "$OUT")
more_b() {
	[ "$(grep -c '^seq,phase=b,' "$OUT")" -gt "$((N0 + 6))" ]
}
cb_wait_for more_b || cb_fail "the previous configuration stopped after a bad reload"
grep -q '^seq,phase=c' "$OUT" && cb_fail "a bad file was applied"

# ---- a reload while the hub is down: the spool and queue are kept -------
cb_stop hub KILL
sleep 1
conf c
hup
cb_wait_for logged "reloaded $CONF: 1 inputs (were 2)" || cb_fail "no reload while the hub is down"
sleep 1
hub_up
cb_wait_for has '^seq,phase=c,src=t ' || cb_fail "nothing delivered after the hub came back"
touch "$CNT.stop"
sleep 0.5
N=$(cat "$CNT")
all() {
	[ "$(grep '^seq,' "$OUT" | awk '{print $NF}' | sort -n -u | wc -l)" -ge "$N" ]
}
cb_wait_for all || echo "not all of 1..$N arrived"
grep '^seq,' "$OUT" | awk '{print $NF}' | sort -n -u >"$CB_TMP/r"
echo "generated $N points across 3 reloads, received $(wc -l <"$CB_TMP/r") distinct"
cb_assert_eq "$(seq 1 "$N" | tr '\n' ' ')" "$(tr '\n' ' ' <"$CB_TMP/r")" \
    "every point delivered across the reloads"
cb_stop collector TERM
cb_done
