#!/bin/sh
# tools/demo-city (./bootstrap demo --city) as shipped in conf/city: the
# city hub's tokens for Futian and Luohu let its console's user act on
# each district's alerts (they were viewer tokens, refused by the
# districts), and conf/city's per-district users of the city act on their
# own district's alerts only.  --as makes a token of one of them (and names
# the users for an unknown one).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

for _f in hub/citybraind collectors/citybrain-collector tui/citybrain \
    plugins/.libs/simulator.so; do
	[ -e "$top_builddir/$_f" ] || { echo "SKIP: $_f not built"; exit 77; }
done
VAR=$CB_TMP/var
XDG_RUNTIME_DIR=$CB_TMP/xdg
export XDG_RUNTIME_DIR
DEMO="$top_srcdir/tools/demo-city --var $VAR --build $top_builddir --backfill 0"
f="$CB_TMP/body"

out=$($DEMO --no-console --as nobody-such 2>&1)
cb_assert_eq 1 "$?" "--as an unknown user fails"
cb_assert_contains "$out" "--as nobody-such: no such user" "it says so"
cb_assert_contains "$out" "luohu-op-at-city" "and names the city's users"

# --as with --no-console: the user's token is made, no console runs.
cb_start demo $DEMO --no-console --as luohu-op-at-city
CSOCK=$VAR/city/citybraind.sock
cb_wait_file "$CSOCK"
HUB_OUT=$CB_TMP/out.json
echo '{}' >"$HUB_OUT"
city() { # PATH [CURL-ARGS...]
	_p=$1
	shift
	curl -g -s -o "$HUB_OUT" -w '%{http_code}' --unix-socket "$CSOCK" "$@" "http://city$_p"
}
both_up() {
	[ "$(city /api/v1/districts)" = 200 ] &&
		[ "$(hub_json 'j["up"]')" = 2 ]
}
_i=0
until both_up || [ $_i -ge 600 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
cb_assert_eq 2 "$(hub_json 'j["up"]')" "the city hub sees both districts up"
eval "$(python3 - "$VAR/city/hub.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
print("CT_URL=http://%s" % c["listen"])
for d in c["districts"]:
    print("%s_URL=%s" % ("FT" if d["code"] == "440304000000" else "LH", d["url"]))
PY
)"
FT_COLLECTOR=$(python3 -c 'import json, re, sys
t = json.load(open(sys.argv[1]))
print([re.search(r"plaintext: (\S+)\)", x["comment"]).group(1) for x in t["tokens"] if x["name"] == "futian-demo-collector"][0])' \
	"$top_srcdir/conf/futian/tokens.json")

event() { # URL TOKEN KEY GRID
	printf '{"key": "%s", "severity": "high", "labels": {"grid": "%s"}, "message": "demo-city test", "dept": "water", "value": 1}' \
		"$3" "$4" >"$f.ev"
	curl -s -o "$HUB_OUT" -w '%{http_code}' -H "Authorization: Bearer $2" \
		--data-binary @"$f.ev" "$1/api/v1/events"
}
cb_assert_eq 202 "$(event "$FT_URL" "$FT_COLLECTOR" test/ft 440304001001001)" "an alert in Futian"
cb_assert_eq 202 "$(event "$LH_URL" cbt_demo_luohu_collector test/lh 440303001001001)" "an alert in Luohu"

cb_assert_eq 200 "$(city "/api/v1/alerts?limit=10000")" "the city's alerts"
FT_ID=$(hub_json '[a["id"] for a in j["alerts"] if a["key"].endswith("test/ft")][0]')
LH_ID=$(hub_json '[a["id"] for a in j["alerts"] if a["key"].endswith("test/lh")][0]')
cb_assert_eq "440304- 440303-" "$(echo "$FT_ID $LH_ID" | sed 's/-[^ ]*/-/g')" "listed by city ids"

# The console's user (the city's supervisor, by uid) acts on both.
echo '{"comment": "demo"}' >"$f.c"
cb_assert_eq 200 "$(city "/api/v1/alerts/$FT_ID/ack" -H 'Content-Type: application/json' --data-binary @"$f.c")" \
	"ack Futian's alert through the demo's city hub"
cb_assert_eq "acknowledged shenzhen-city" "$(hub_json 'j["state"] + " " + j["ack"]["by"]')" "Futian acknowledged it for the city"
echo '{"dept": "police"}' >"$f.d"
cb_assert_eq 200 "$(city "/api/v1/alerts/$LH_ID/dispatch" -H 'Content-Type: application/json' --data-binary @"$f.d")" \
	"dispatch Luohu's alert through the demo's city hub"
cb_assert_eq police "$(hub_json 'j["dept"]')" "dispatched on Luohu"

# conf/city's Luohu operator of the city: Luohu's alerts only.
as() { # TOKEN PATH [BODY-FILE]
	curl -g -s -o "$HUB_OUT" -w '%{http_code}' -H "Authorization: Bearer $1" \
		${3:+-H 'Content-Type: application/json' --data-binary @"$3"} "$CT_URL$2"
}
cb_assert_eq 200 "$(as cbt_demo_city_luohu_op "/api/v1/alerts/$LH_ID/comment" "$f.c")" "the Luohu operator comments on Luohu's alert"
cb_assert_eq 404 "$(as cbt_demo_city_luohu_op "/api/v1/alerts/$FT_ID/comment" "$f.c")" "but not on Futian's"
cb_assert_eq 404 "$(as cbt_demo_city_luohu_op "/api/v1/alerts/$FT_ID")" "nor reads it"
cb_assert_eq 403 "$(as cbt_demo_city_futian "/api/v1/alerts/$FT_ID/comment" "$f.c")" "a viewer of the city cannot act"
AS_TOKEN=$(cat "$VAR/city/as-user.token")
cb_assert_eq 200 "$(as "$AS_TOKEN" "/api/v1/alerts?limit=10000")" "--as luohu-op-at-city: its token on the city hub"
cb_assert_eq "440303000000" "$(hub_json '" ".join(sorted(set(a["district"] for a in j["alerts"])))')" "sees Luohu's alerts only"
cb_assert_eq 200 "$(as "$AS_TOKEN" "/api/v1/alerts/$LH_ID/comment" "$f.c")" "and acts on them"
echo '{"severity": "low"}' >"$f.s"
cb_assert_eq 403 "$(as cbt_demo_city_futian_op "/api/v1/alerts/$FT_ID/severity" "$f.s")" "an operator cannot change a severity through the city's supervisor token"

cb_stop demo TERM
cb_done
