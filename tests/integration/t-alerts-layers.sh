#!/bin/sh
# The alerts module's shape (issue 17): hub/alerts/alerts.h is its one
# door, and the engine does not call back into rule evaluation or listing.
#  1. No file outside hub/alerts/ includes a hub/alerts/ header other than
#     alerts.h (the module's own white-box tests and benches under tests/
#     and bench/ excepted).
#  2. In the built objects, alert-engine.o needs no symbol defined by
#     alert-eval.o or alert-list.o, and those two need none of each
#     other's: eval and list depend on the engine, never the reverse;
#     alert-inhibit.o, below the engine, needs nothing of alert-engine.o.
. "$top_srcdir/tests/integration/lib.sh"

bad=$(cd "$top_srcdir" && grep -rnE '#[[:space:]]*include[[:space:]]*"hub/alerts/' \
	--include='*.c' --include='*.h' hub lib store tui collectors plugins 2>/dev/null |
	grep -v '^hub/alerts/' | grep -v '"hub/alerts/alerts.h"')
cb_assert_eq "" "$bad" "only hub/alerts/alerts.h is included from outside hub/alerts/"

obj() { # the object of hub/alerts/alert-NAME.c in the build tree
	for _o in "$top_builddir"/hub/alerts/*-alert-"$1".o \
		"$top_builddir"/hub/alerts/alert-"$1".o; do
		[ -f "$_o" ] && { echo "$_o"; return 0; }
	done
	return 1
}
defined() { nm -g --defined-only "$1" | awk 'NF == 3 { print $3 }' | sort -u; }
needed() { nm -g --undefined-only "$1" | awk '{ print $NF }' | sort -u; }

engine=$(obj engine) && eval_o=$(obj eval) && list_o=$(obj list) &&
	inhibit=$(obj inhibit) || {
	echo "objects of hub/alerts/ not built"
	exit 77
}
[ -n "$(defined "$eval_o")" ] && [ -n "$(defined "$list_o")" ] ||
	cb_fail "nm lists no symbols of alert-eval.o / alert-list.o"

# cross A B: symbols A needs that B defines.
cross() { defined "$2" >"$CB_TMP/def"; needed "$1" | comm -12 - "$CB_TMP/def" | tr '\n' ' '; }
cb_assert_eq "" "$(cross "$engine" "$eval_o")" "alert-engine.o calls nothing of alert-eval.o"
cb_assert_eq "" "$(cross "$engine" "$list_o")" "alert-engine.o calls nothing of alert-list.o"
cb_assert_eq "" "$(cross "$eval_o" "$list_o")" "alert-eval.o calls nothing of alert-list.o"
cb_assert_eq "" "$(cross "$list_o" "$eval_o")" "alert-list.o calls nothing of alert-eval.o"
# Inhibition sits below the engine (the engine calls it, not back).
cb_assert_eq "" "$(cross "$inhibit" "$engine")" "alert-inhibit.o calls nothing of alert-engine.o"
# And the other way round holds (the check sees real edges).
[ -n "$(cross "$eval_o" "$engine")" ] || cb_fail "alert-eval.o should use the engine"

cb_done
