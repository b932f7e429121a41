#!/bin/sh
# A configuration error names file:line:column and the key, and the
# program exits non-zero without starting.
. "$top_srcdir/tests/integration/lib.sh"

dir=$(cb_tmpdir)
cat >"$dir/hub.json" <<'JSON'
{
  "data": "DATA",
  "listen": "nowhere"
}
JSON
sed -i "s|DATA|$dir/data|" "$dir/hub.json"
out=$("$top_builddir/hub/citybraind" --config "$dir/hub.json" 2>&1)
status=$?
cb_assert_eq 1 "$status" "citybraind with a bad listen address"
cb_assert_contains "$out" "$dir/hub.json:3:13: \"listen\": expected \"host:port\"" \
	"error names file:line:column and key"

cat >"$dir/typo.json" <<'JSON'
{
  "lisen": "127.0.0.1:1"
}
JSON
out=$("$top_builddir/hub/citybraind" --config "$dir/typo.json" 2>&1)
cb_assert_eq 1 $? "citybraind with an unknown key"
cb_assert_contains "$out" "$dir/typo.json:2:3: \"lisen\": unknown key" \
	"unknown keys are errors"

printf '{\n  "listen": "127.0.0.1:1",\n' >"$dir/broken.json"
out=$("$top_builddir/hub/citybraind" --config "$dir/broken.json" 2>&1)
cb_assert_eq 1 $? "citybraind with broken JSON"
cb_assert_contains "$out" "$dir/broken.json:3:" "syntax error has a position"

cat >"$dir/collector.json" <<'JSON'
{
  "inputs": 5
}
JSON
out=$("$top_builddir/collectors/citybrain-collector" --config "$dir/collector.json" 2>&1)
cb_assert_eq 1 $? "collector with a bad inputs value"
cb_assert_contains "$out" "$dir/collector.json:2:13: \"inputs\"" \
	"collector error names file:line:column and key"
cb_done
