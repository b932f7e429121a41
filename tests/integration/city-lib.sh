# Helpers for the city tests (hub/city/): Luohu's district hub from
# conf/city/luohu and a Shenzhen city hub's directory.  Source after
# lib.sh and hub-lib.sh.

# city_luohu_conf: Luohu's configuration on a free port in $LH_DIR
# ($LH_URL); city_luohu_start starts it.
city_luohu_conf() {
	LH_DIR=$(cb_tmpdir)
	LH_PORT=$(cb_free_port)
	LH_URL="http://127.0.0.1:$LH_PORT"
	cp "$top_srcdir"/conf/city/luohu/*.json "$LH_DIR/"
	chmod u+w "$LH_DIR"/*.json
	python3 - "$LH_DIR/hub.json" "$LH_PORT" <<'PY'
import json, sys
p, port = sys.argv[1:3]
c = json.load(open(p))
c.update({"listen": "127.0.0.1:%s" % port, "socket": "", "data": "data",
          "store": {"sync": False}})
json.dump(c, open(p, "w"), ensure_ascii=False, indent=1)
PY
}
city_luohu_start() {
	cb_start luohu "$HUB_BIN" -v --config "$LH_DIR/hub.json"
	cb_wait_http "$LH_URL/healthz" || { cb_fail "Luohu hub did not start"; exit 1; }
}

# city_dir FUTIAN-TOKEN: the city hub's directory $CT_DIR ($CT_PORT,
# $CT_URL) with conf/city's systems, users and tokens (shenzhen-viewer;
# futian-at-city and luohu-at-city viewers, futian-op-at-city and
# luohu-op-at-city operators of one district: tokens cbt_demo_city_futian,
# cbt_demo_city_luohu, cbt_demo_city_futian_op, cbt_demo_city_luohu_op),
# the test's uid a supervisor of the city, and futian.token; the test
# writes hub.json.
city_dir() {
	CT_DIR=$(cb_tmpdir)
	CT_PORT=$(cb_free_port)
	CT_URL="http://127.0.0.1:$CT_PORT"
	cp "$top_srcdir/conf/city/systems.json" "$top_srcdir/conf/city/tokens.json" \
		"$top_srcdir/conf/city/users.json" "$CT_DIR/"
	chmod u+w "$CT_DIR"/*.json
	python3 - "$CT_DIR/users.json" "$(id -un)" <<'PY'
import json, sys
p, me = sys.argv[1:3]
d = json.load(open(p))
d["users"] = [u for u in d["users"] if u["name"] != me]
d["users"].insert(0, {"name": me, "role": "supervisor", "scope": "440300000000"})
json.dump(d, open(p, "w"), ensure_ascii=False, indent=1)
PY
	echo "$1" >"$CT_DIR/futian.token"
}

# city_conf FT_URL LH_URL: $CT_DIR/hub.json, a Shenzhen city hub (socket
# city.sock, district timeout 3s) over Futian at FT_URL (futian.token)
# and Luohu at LH_URL (conf/city's luohu.token: a Luohu supervisor's).
city_conf() {
	cat >"$CT_DIR/hub.json" <<JSON
{"listen": "127.0.0.1:$CT_PORT", "socket": "city.sock", "data": "data",
 "users": "users.json", "systems": "systems.json", "tokens": "tokens.json",
 "store": {"sync": false},
 "city": {"code": "440300000000", "name": "深圳市", "name_en": "Shenzhen", "timeout": "3s"},
 "districts": [
  {"name": "福田区", "code": "440304000000", "url": "$1", "token_file": "futian.token"},
  {"name": "罗湖区", "code": "440303000000", "url": "$2", "token": "$(cat "$top_srcdir/conf/city/luohu.token")"}
 ]}
JSON
}

# city_start: start the city hub of $CT_DIR/hub.json (socket city.sock).
city_start() {
	cb_start city "$HUB_BIN" -v --config "$CT_DIR/hub.json"
	cb_wait_http "$CT_URL/healthz" || { cb_fail "city hub did not start"; exit 1; }
	cb_wait_file "$CT_DIR/city.sock"
}

# city PATH: GET over the city's socket (uid: supervisor of the city).
city() {
	curl -g -s -o "$HUB_OUT" -w '%{http_code}' --unix-socket "$CT_DIR/city.sock" "http://city$1"
}
