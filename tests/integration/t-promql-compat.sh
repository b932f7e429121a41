#!/bin/sh
# The hub's PromQL against a real Prometheus (Debian's): the same hour of
# data goes into a hub (line protocol) and into Prometheus (promtool's
# OpenMetrics backfill); a fixed list of expressions runs as instant and
# range queries against both and every answer must be equal
# (tests/integration/promql-compat.py).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

for p in prometheus promtool; do
	command -v $p >/dev/null 2>&1 || { echo "SKIP: $p not installed (Debian package prometheus)"; exit 77; }
done
PY="$top_srcdir/tests/integration/promql-compat.py"

# Data ends three minutes ago, on a minute boundary: range queries of
# whole-minute steps and instants on whole minutes then answer rate,
# increase and delta from per-minute summaries (store_minutes), the others
# from raw points, both checked against Prometheus.
end=$(( $(date +%s) / 60 * 60 - 180 ))
data=$(cb_tmpdir)
python3 "$PY" gen "$end" "$data" || { cb_fail "generating data"; exit 1; }

hub_conf
hub_start
TOKEN=$HUB_TOK_COLLECTOR
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=ms' "$data/data.lp")" \
	"loading the data into the hub: $(cat "$HUB_OUT")"

prom=$(cb_tmpdir)
promtool tsdb create-blocks-from openmetrics "$data/data.om" "$prom/tsdb" \
	>"$CB_TMP/promtool.log" 2>&1 || { cat "$CB_TMP/promtool.log"; cb_fail "promtool backfill"; exit 1; }
printf 'global:\n  scrape_interval: 1h\nscrape_configs: []\n' >"$prom/prometheus.yml"
PROM_PORT=$(cb_free_port)
cb_start prometheus prometheus --config.file="$prom/prometheus.yml" \
	--storage.tsdb.path="$prom/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT" \
	--storage.tsdb.retention.time=30d
cb_wait_http "http://127.0.0.1:$PROM_PORT/-/ready" -f || { cb_fail "prometheus did not start"; exit 1; }

python3 "$PY" compare "$end" "$HUB_URL" "$HUB_TOK_SUPER" "$HUB_TOK_OPERATOR" \
	"http://127.0.0.1:$PROM_PORT" || cb_fail "answers differ from Prometheus"
hub_finish
exit $CB_FAILED
