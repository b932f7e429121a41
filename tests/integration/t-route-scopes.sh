#!/bin/sh
# Every route's territorial scope (issue 20): each route of citybraind
# --list-routes has its line in tests/route-scopes.txt (a new route
# without a scope classification fails here), and a supervisor scoped to
# Nanyuan, asking every route of a hub that holds points, alerts and a
# silence in Nanyuan and in Fubao, sees nothing of Fubao: a list or
# answer names no Fubao code or name; a Fubao object's id is 403 or 404.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

classes="$top_srcdir/tests/route-scopes.txt"
# The unix user: a supervisor of Nanyuan (asks over the unix socket).
hub_conf supervisor 440304001000
"$HUB_BIN" --list-routes | awk '{print $1, $2}' >"$HUB_DIR/routes.txt" ||
	cb_fail "citybraind --list-routes failed"
grep -v -e '^#' -e '^$' "$classes" >"$HUB_DIR/classes.txt"
awk '{print $1, $2}' "$HUB_DIR/classes.txt" >"$HUB_DIR/classified.txt"
hub_routes_listed "$HUB_DIR/routes.txt" "$HUB_DIR/classified.txt" \
	tests/route-scopes.txt "scope class"

# The fire department's webhook answers nobody: its deliveries (which
# carry the alert, place names and all) stay listed, retried.
cat >"$HUB_DIR/rules.json" <<JSON
{"settings": {"eval_interval": "1s", "flap_window": "10m",
              "webhook_retries": 100, "webhook_backoff": "10s"},
 "departments": {"fire": {"webhook": "http://127.0.0.1:$(cb_free_port)/fire"}},
 "rules": [],
 "desks": [{"id": "dispatch", "name": "分拨处置中心", "filter": {}}]}
JSON
hub_start
G1=440304001001001 # Nanyuan / Dongyuan 01
G2=440304010001001 # Fubao / Xingang 01
f="$HUB_DIR/body"
printf 'env,grid=%s,system=air-quality aqi=40\nenv,grid=%s,system=air-quality aqi=50\nwater,grid=%s,system=water-level-iot level=1.5\nwater,grid=%s,system=water-level-iot level=2.5\n' \
	$G1 $G2 $G1 $G2 >"$f"
cb_assert_eq 204 "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/write "$f")" "points in both"
event() { # GRID: raise an event there; prints the alert id
	printf '{"key": "fire-alarm/%s/f1", "labels": {"grid": "%s", "system": "fire-alarm-iot"}, "message": "smoke"}' \
		"$1" "$1" >"$f"
	[ "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/events "$f")" = 202 ] || cb_fail "event in $1: $(cat "$HUB_OUT")"
	hub_json 'j["id"]'
}
A1=$(event $G1)
A2=$(event $G2)
for a in $A1 $A2; do
	printf '{"dept": "fire"}' >"$f"
	cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_post "/api/v1/alerts/$a/dispatch" "$f" -H 'Content-Type: application/json')" \
		"$a dispatched to fire (a delivery to its webhook)"
done
printf '{"matchers": [{"tag": "grid", "op": "=", "value": "%s"}], "reason": "works in Fubao", "duration": "1h"}' $G2 >"$f"
cb_assert_eq 201 "$(TOKEN=$HUB_TOK_SUPER hub_post /api/v1/silences "$f")" "a silence in Fubao"
S2=$(hub_json 'j["id"]')
case_in() { # GRID: report a case there (no category: queued); prints its id
	printf '{"grid": "%s", "text": "stairwell blocked", "source": "hotline", "ref": "R-%s"}' \
		"$1" "$1" >"$f"
	[ "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/cases "$f")" = 201 ] || cb_fail "case in $1: $(cat "$HUB_OUT")"
	hub_json 'j["id"]'
}
C1=$(case_in $G1)
C2=$(case_in $G2)
incident_of() { # ALERT: an incident by hand (district supervisor); its id
	printf '{"alerts": ["%s"], "title": "one situation"}' "$1" >"$f"
	[ "$(TOKEN=$HUB_TOK_SUPER hub_post /api/v1/incidents "$f")" = 201 ] || cb_fail "incident of $1: $(cat "$HUB_OUT")"
	hub_json 'j["id"]'
}
I1=$(incident_of $A1)
I2=$(incident_of $A2)
# Control: the district sees Fubao, so the checks below can tell masked
# from unmasked.
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/alerts?state=all')" "district list"
cb_assert_contains "$(cat "$HUB_OUT")" "$G2" "the district sees the Fubao alert"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/query?q=env_aqi&start=-1h')" "district query"
cb_assert_contains "$(cat "$HUB_OUT")" "$G2" "the district sees Fubao's points"
cb_assert_eq 200 "$(hub_sock '/api/v1/alerts?state=all')" "Nanyuan list"
cb_assert_contains "$(cat "$HUB_OUT")" "$A1" "Nanyuan sees its own alert"
cb_assert_eq 200 "$(hub_sock '/api/v1/cases')" "Nanyuan's cases"
cb_assert_contains "$(cat "$HUB_OUT")" "$C1" "Nanyuan sees its own case"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/cases')" "district cases"
cb_assert_contains "$(cat "$HUB_OUT")" "$C2" "the district sees the Fubao case"
cb_assert_eq 200 "$(hub_sock '/api/v1/incidents')" "Nanyuan's incidents"
cb_assert_contains "$(cat "$HUB_OUT")" "$I1" "Nanyuan sees its own incident"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/incidents')" "district incidents"
cb_assert_contains "$(cat "$HUB_OUT")" "$I2" "the district sees the Fubao incident"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/deliveries')" "district deliveries"
cb_assert_contains "$(cat "$HUB_OUT")" "$A2" "the district sees the Fubao alert's delivery"
cb_assert_eq 200 "$(hub_sock '/api/v1/deliveries')" "Nanyuan's deliveries"
cb_assert_contains "$(cat "$HUB_OUT")" "$A1" "Nanyuan sees its own alert's delivery"

fubao() { # the body names something of Fubao
	grep -q -e 4403040100 -e 福保 -e 新港 -e Fubao -e Xingang "$HUB_OUT"
}
# ask METHOD PATH CLASS ARGS
ask() {
	_now=$(date +%s)
	_args=$(printf '%s' "$4" | sed "s/FUBAO_ALERT/$A2/; s/FUBAO_SILENCE/$S2/; s/FUBAO_CASE/$C2/; s/FUBAO_INCIDENT/$I2/; s/NOW_MINUS_600/$((_now - 600))/; s/NOW/$_now/")
	_p=$2
	# {x} in the path: the value of x= in ARGS
	case $_p in
	*"{"*)
		for _kv in $(printf '%s' "$_args" | tr '&' ' '); do
			_p=$(printf '%s' "$_p" | sed "s/{${_kv%%=*}}/${_kv#*=}/")
		done
		_args=
		;;
	esac
	case $1/$3 in
	GET/*) _code=$(hub_sock "$_p${_args:+?$_args}") ;;
	HEAD/*) _code=$(hub_sock "$_p" -I) ;;
	POST/id) _code=$(hub_sock "$_p" -X POST --data-binary '{}' \
		-H 'Content-Type: application/json') ;;
	POST/*) _code=$(hub_sock "$_p" -X POST --data-binary "$_args" \
		-H 'Content-Type: application/x-www-form-urlencoded') ;;
	*) _code=$(hub_sock "$_p" -X "$1") ;;
	esac
	case $3 in
	masked | global | layout)
		case $_code in
		2?? | 3??) ;;
		*) cb_fail "$1 $_p ($3): $_code ($(head -c 200 "$HUB_OUT"))" ;;
		esac
		;;
	id)
		case $_code in
		403 | 404) ;;
		*) cb_fail "$1 $_p: a Fubao object's id: $_code, not 403/404 ($(head -c 200 "$HUB_OUT"))" ;;
		esac
		;;
	esac
	if [ "$3" = layout ]; then
		# the district's map layout: codes, but no name or value of Fubao
		! grep -q -e 福保 -e 新港 -e Fubao -e Xingang "$HUB_OUT" ||
			cb_fail "$1 $_p (layout): names Fubao"
	elif fubao; then
		cb_fail "$1 $_p ($3): the Nanyuan supervisor sees Fubao: $(grep -o -e '.\{0,60\}4403040100.\{0,40\}' -e '.\{0,40\}\(福保\|新港\|Fubao\|Xingang\).\{0,40\}' "$HUB_OUT" | head -2)"
	fi
	n=$((n + 1))
}
n=0 g=0
while read -r method path class args; do
	case $class in
	masked | global | layout | id) ask "$method" "$path" "$class" "$args" ;;
	guarded)
		[ -f "$top_srcdir/tests/integration/$args" ] ||
			cb_fail "$method $path: guarded by $args, which does not exist"
		g=$((g + 1))
		;;
	*) cb_fail "$method $path: unknown scope class '$class'" ;;
	esac
done <"$HUB_DIR/classes.txt"
echo "asked $n routes as the Nanyuan supervisor; $g guarded by their own tests"
cb_assert_eq True "$(python3 -c "print($n > 45)")" "every readable route was asked ($n)"
# The silence in Fubao is still there (the DELETE was refused).
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get /api/v1/silences)" "district silences"
cb_assert_contains "$(cat "$HUB_OUT")" "$S2" "the Fubao silence survived the Nanyuan DELETE"

hub_finish
cb_done
