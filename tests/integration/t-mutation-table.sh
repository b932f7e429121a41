#!/bin/sh
# docs/hacking.md's table of guards is tests/mutations.txt as
# tests/mutation-check.py --table prints it: the table cannot drift from
# the list (a row naming another row's guard misleads whoever reads it).
. "$top_srcdir/tests/integration/lib.sh"

want=$(python3 "$top_srcdir/tests/mutation-check.py" --srcdir "$top_srcdir" --table)
cb_assert_eq 0 $? "mutation-check.py --table"
got=$(sed -n '/^| mutation | file | guard | tests |$/,/^[^|]/p' \
	"$top_srcdir/docs/hacking.md" | grep '^|')
cb_assert_eq "$want" "$got" \
	"docs/hacking.md's table equals tests/mutation-check.py --table (regenerate it)"

# Every listed line is still in its file exactly once: a mutation that went
# STALE when code moved is found by make check, not at the end of CI.
stale=$(python3 - "$top_srcdir" <<'PY'
import importlib.util, os, sys
top = sys.argv[1]
spec = importlib.util.spec_from_file_location("mc", os.path.join(top, "tests/mutation-check.py"))
mc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mc)
for m in mc.parse_list(os.path.join(top, "tests/mutations.txt")):
    try:
        lines = [l.strip() for l in open(os.path.join(top, m.file), encoding="utf-8").read().split("\n")]
    except OSError as e:
        print("%s: %s" % (m.name, e))
        continue
    for f, _ in m.edits:
        if lines.count(f.strip()) != 1:
            print("%s: %s: %d times: %s" % (m.name, m.file, lines.count(f.strip()), f))
PY
)
cb_assert_eq "" "$stale" "every mutation's line is in its file exactly once"
cb_done
