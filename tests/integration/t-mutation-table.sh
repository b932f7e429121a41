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
cb_done
