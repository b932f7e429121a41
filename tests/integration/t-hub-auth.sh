#!/bin/sh
# Access control: identity over the unix socket (SO_PEERCRED) and bearer
# tokens over TCP, 401/403, roles, scope masking, collector write scope.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf supervisor 440304000000
hub_start
now=$(date +%s)
f="$HUB_DIR/body.lp"

# The socket file: 0660.
mode=$(stat -c %a "$HUB_SOCKET")
cb_assert_eq 660 "$mode" "socket mode"

# Unix socket: the peer's uid is the identity.
cb_assert_eq 200 "$(hub_sock /api/v1/whoami)" "whoami over the socket"
cb_assert_eq "$HUB_ME" "$(hub_json 'j["user"]')" "user from SO_PEERCRED"
cb_assert_eq uid "$(hub_json 'j["via"]')" "identified by uid"
cb_assert_eq "$(id -u)" "$(hub_json 'j["uid"]')" "uid reported"
cb_assert_eq supervisor "$(hub_json 'j["role"]')" "role from users.json"
cb_assert_eq 福田区 "$(hub_json 'j["scope_name"]')" "scope name"

# TCP: no token 401, bad token 401, good token 200.
cb_assert_eq 401 "$(TOKEN='' hub_get /api/v1/whoami)" "no token"
cb_assert_contains "$(hub_json 'j["error"]')" "Bearer" "401 says how"
cb_assert_eq 401 "$(TOKEN=nonsense hub_get /api/v1/tree)" "unknown token"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_VIEWER hub_get /api/v1/whoami)" "user token"
cb_assert_eq futian-viewer "$(hub_json 'j["user"]')" "token names its user"
cb_assert_eq token "$(hub_json 'j["via"]')" "identified by token"
# Unauthenticated routes.
cb_assert_eq 200 "$(TOKEN='' hub_get /healthz)" "healthz needs no identity"
cb_assert_eq 200 "$(TOKEN='' hub_get /metrics)" "metrics needs no identity"

# Roles: a collector token may only write; a viewer may not write.
cb_assert_eq 403 "$(TOKEN=$HUB_TOK_COLLECTOR hub_get /api/v1/tree)" "collector reading"
cb_assert_contains "$(hub_json 'j["error"]')" "may only write" "collector 403 message"
printf 'x,grid=440304001001001 v=1 %s\n' "$now" >"$f"
cb_assert_eq 403 "$(TOKEN=$HUB_TOK_VIEWER hub_post '/api/v1/write?precision=s' "$f")" "viewer writing"
cb_assert_eq 204 "$(TOKEN=$HUB_TOK_SUPER hub_post '/api/v1/write?precision=s' "$f")" "supervisor writing"

# Collector write scope: fubao-water may write water-level-iot in Fubao only.
cat >"$f" <<LP
water,grid=440304010001001,system=water-level-iot level=1 $now
water,grid=440304001001001,system=water-level-iot level=2 $now
water,grid=440304010001001,system=air-quality level=3 $now
water,grid=440304010001001,system=no-such-system level=4 $now
water,grid=440304010001007 level=5 $now
LP
cb_assert_eq 400 "$(TOKEN=$HUB_TOK_FUBAO hub_post '/api/v1/write?precision=s' "$f")" \
	"token writing outside its scope"
cb_assert_eq 2 "$(hub_json 'j["accepted"]')" "lines inside the token's scope"
cb_assert_eq '[2, 3, 4]' "$(hub_json '[e["line"] for e in j["errors"]]')" "lines outside"
cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" "place" "grid outside"
cb_assert_contains "$(hub_json 'j["errors"][1]["reason"]')" "system" "system not its own"

# An operator scoped to Nanyuan writes only there.
cat >"$f" <<LP
op,grid=440304001002002 v=1 $now
op,grid=440304010001001 v=2 $now
LP
cb_assert_eq 400 "$(TOKEN=$HUB_TOK_OPERATOR hub_post '/api/v1/write?precision=s' "$f")" \
	"operator writing outside its scope"
cb_assert_eq '[2]' "$(hub_json '[e["line"] for e in j["errors"]]')" "operator scope"

# Out-of-scope data of the same series names (op_v, x_v in Fubao), so that
# every masking check below tells masked from unmasked.
cat >"$f" <<LP
op,grid=440304010001001 v=3 $now
x,grid=440304010001001 v=4 $now
LP
cb_assert_eq 204 "$(TOKEN=$HUB_TOK_SUPER hub_post '/api/v1/write?precision=s' "$f")" \
	"supervisor writing in Fubao"

# Scope masking: the Nanyuan operator sees only Nanyuan.
TOKEN=$HUB_TOK_OPERATOR
cb_assert_eq 200 "$(hub_get /api/v1/tree)" "operator tree"
cb_assert_eq 440304001000 "$(hub_json 'j["node"]["code"]')" "tree defaults to the scope"
cb_assert_eq 200 "$(hub_get '/api/v1/tree?code=440304000000')" "district node"
cb_assert_eq '["440304001000"]' "$(hub_json '[c["code"] for c in j["children"]]')" \
	"other subdistricts masked"
cb_assert_eq 4 "$(hub_json 'j["node"]["status"]["grids"]')" "district roll-up over the scope only"
cb_assert_eq 404 "$(hub_get '/api/v1/tree?code=440304010000')" "code outside the scope"
cb_assert_eq 200 "$(hub_get '/api/v1/grids?code=440304000000')" "grids"
cb_assert_eq 4 "$(hub_json 'len(j["grids"])')" "grids masked"
hub_get '/api/v1/query?q=water_level&start=-1h' >/dev/null
cb_assert_eq '[]' "$(hub_json '[s["labels"]["grid"] for s in j["series"]]')" \
	"Fubao series masked in queries"
hub_get '/api/v1/query?q=op_v&start=-1h&by=subdistrict&agg=sum&step=1h' >/dev/null
cb_assert_eq '["440304001000"]' "$(hub_json '[s["labels"]["subdistrict"] for s in j["series"]]')" \
	"grouped query over the scope only"
hub_get '/api/v1/series?q={__name__=~"op_v|x_v"}' >/dev/null
cb_assert_eq 2 "$(hub_json 'j["total"]')" "series inside the scope"
hub_get '/api/v1/labels/grid/values' >/dev/null
cb_assert_eq False "$(hub_json '"440304010001001" in j["values"]')" "label values masked"
hub_get '/api/v1/systems' >/dev/null
cb_assert_eq False "$(hub_json '"fire-alarm-iot" in [s["id"] for s in j["systems"]]')" \
	"a Fubao-only system is masked"
cb_assert_eq True "$(hub_json '"air-quality" in [s["id"] for s in j["systems"]]')" \
	"district-wide systems are visible"
cb_assert_eq 404 "$(hub_get /api/v1/systems/fire-alarm-iot)" "masked system is 404"
hub_get /api/v1/overview >/dev/null
cb_assert_eq '["440304001000"]' "$(hub_json '[s["code"] for s in j["subdistricts"]]')" \
	"overview masked"
# Data quality: silent series are listed inside the scope only.
sleep 0.1
cb_assert_eq 200 "$(hub_get '/api/v1/quality?silent_after=1ms&limit=100000')" "operator quality"
cb_assert_eq True "$(hub_json 'any("440304001002002" in s["series"] for s in j["silent_series"])')" \
	"quality lists the operator's own series"
cb_assert_eq '[]' "$(hub_json '[s["series"] for s in j["silent_series"] if "440304010" in s["series"]]')" \
	"quality masks series outside the scope"
# The supervisor sees everything.
TOKEN=$HUB_TOK_SUPER
hub_get '/api/v1/quality?silent_after=1ms&limit=100000' >/dev/null
cb_assert_eq True "$(hub_json 'any("440304010001001" in s["series"] for s in j["silent_series"])')" \
	"supervisor's quality lists Fubao"
hub_get /api/v1/overview >/dev/null
cb_assert_eq 2 "$(hub_json 'len(j["subdistricts"])')" "supervisor overview"
hub_get '/api/v1/query?q=water_level&start=-1h' >/dev/null
cb_assert_eq 2 "$(hub_json 'len(j["series"])')" "supervisor sees Fubao"
hub_get '/api/v1/query?q=op_v&start=-1h&by=subdistrict&agg=sum&step=1h' >/dev/null
cb_assert_eq 2 "$(hub_json 'len(j["series"])')" "supervisor's grouped query: both subdistricts"
hub_get '/api/v1/series?q={__name__=~"op_v|x_v"}' >/dev/null
cb_assert_eq 4 "$(hub_json 'j["total"]')" "supervisor's series: both subdistricts"

# A unix user that is not in users.json gets 401 over the socket.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 0711 "$CB_TMP"
	chmod 0777 "$HUB_DIR"
	chmod 0666 "$HUB_SOCKET"
	code=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		curl -s -o /dev/null -w '%{http_code}' --unix-socket "$HUB_SOCKET" http://hub/api/v1/whoami)
	cb_assert_eq 401 "$code" "unknown unix user"
fi
hub_finish
cb_done
