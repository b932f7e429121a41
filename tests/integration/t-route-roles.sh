#!/bin/sh
# Every route has a role test (issue 20): citybraind --list-routes (the
# server's own route tables) must equal tests/route-roles.txt, so a new
# route without a line there fails; then, against a real hub, each route
# asked with an identity one role below its minimum is refused by the
# dispatcher's role check: 403 "... may not use PATH" (viewer routes with a collector token, operator routes
# with a viewer, supervisor routes with an operator, admin routes with a
# supervisor), 401 for collector routes asked without an identity (and
# 403 for a viewer: a user writes as an operator).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

expected="$top_srcdir/tests/route-roles.txt"
hub_conf
listed="$HUB_DIR/routes.txt"
"$HUB_BIN" --list-routes >"$listed" || cb_fail "citybraind --list-routes failed"
want="$HUB_DIR/want.txt"
grep -v -e '^#' -e '^$' "$expected" >"$want"
hub_routes_listed "$listed" "$want" tests/route-roles.txt role
cb_assert_eq True "$(python3 -c "print($(wc -l <"$listed") > 50)")" "the route list is complete"

# ask METHOD PATH ROLE TOKEN WANT: the route asked with TOKEN (none if
# empty) gets WANT; a 403 must be the dispatcher's role refusal, not a
# handler's scope one.
ask() {
	# Path parameters: any value (the role is checked before the route).
	_p=$(printf '%s' "$2" | sed 's/{[^}]*}/x/g')
	case $1 in
	HEAD) _m="-I" ;;
	*) _m="-X $1" ;;
	esac
	_code=$(TOKEN=$4 hub_get "$_p" $_m -H 'Content-Type: text/plain' \
		$([ "$1" = POST ] || [ "$1" = PUT ] && echo "--data-binary x"))
	cb_assert_eq "$5" "$_code" "$1 $2 ($3) one role below"
	if [ "$5" = 403 ]; then
		case $(cat "$HUB_OUT") in
		*"may not use $_p"* | *"collector token"*"may only write"*) ;;
		*) cb_fail "$1 $2: not the role refusal: $(cat "$HUB_OUT")" ;;
		esac
	fi
	n=$((n + 1))
}

hub_start
n=0
while read -r method path role; do
	case $role in
	none) ;;
	collector)
		# No identity; and a user must be an operator to write.
		ask "$method" "$path" "$role" "" 401
		ask "$method" "$path" "$role" "$HUB_TOK_VIEWER" 403
		;;
	viewer) ask "$method" "$path" "$role" "$HUB_TOK_COLLECTOR" 403 ;;
	operator) ask "$method" "$path" "$role" "$HUB_TOK_VIEWER" 403 ;;
	supervisor) ask "$method" "$path" "$role" "$HUB_TOK_OPERATOR" 403 ;;
	admin) ask "$method" "$path" "$role" "$HUB_TOK_SUPER" 403 ;;
	*) cb_fail "unknown role $role of $method $path" ;;
	esac
done <"$listed"
cb_assert_eq True "$(python3 -c "print($n > 40)")" "every route with a role was asked ($n)"

hub_finish
cb_done
