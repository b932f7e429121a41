#!/bin/sh
# make fuzz-check: run each libFuzzer target of a --enable-fuzzing build for
# FUZZ_SECONDS (default 30) on a scratch copy of its seed corpus, print
# "fuzz_NAME_cov: N edges" (the coverage it reached) and fail naming any
# target that crashed, leaked, ran out of memory or hung; reproducers are
# kept in tests/fuzz/findings/ of the build directory.
# Environment: top_srcdir, top_builddir (set by make), FUZZ_SECONDS,
# FUZZ_TARGETS (names such as "lineproto selector"; default: every target).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
secs=${FUZZ_SECONDS:-30}
findings="$top_builddir/tests/fuzz/findings"
work=$(mktemp -d "${TMPDIR:-/tmp}/cb-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$findings"

if [ -n "${FUZZ_TARGETS:-}" ]; then
	names=$FUZZ_TARGETS
else
	names=$(cd "$top_srcdir/tests/fuzz" && ls fuzz-*.c | sed 's/^fuzz-//; s/\.c$//')
fi
failed=
for name in $names; do
	prog="$top_builddir/tests/fuzz/fuzz-$name"
	if [ ! -x "$prog" ]; then
		echo "fuzz-check: $prog is not built"
		failed="$failed $name"
		continue
	fi
	mkdir -p "$work/$name"
	if [ -d "$top_srcdir/tests/fuzz/corpus/$name" ]; then
		cp -R "$top_srcdir/tests/fuzz/corpus/$name/." "$work/$name/"
	fi
	"$prog" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$findings/$name-" \
		"$work/$name" >"$work/$name.log" 2>&1
	rc=$?
	cov=$(sed -n 's/.*[[:space:]]cov: \([0-9]*\).*/\1/p' "$work/$name.log" | tail -1)
	echo "fuzz_${name}_cov: ${cov:-0} edges"
	if [ "$rc" -ne 0 ]; then
		echo "fuzz-check: $name failed (exit $rc):"
		grep -E "ERROR: |SUMMARY: |runtime error:|Test unit written" \
			"$work/$name.log" | head -10 | sed 's/^/  /'
		cp "$work/$name.log" "$findings/$name.log"
		failed="$failed $name"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz-check: FAILED:$failed (logs and reproducers in $findings)"
	exit 1
fi
echo "fuzz-check: every target ran ${secs} s without a finding"
