# Helpers for the grid worker tests (source after hub-lib.sh and hub_conf).
#   worker_conf GRANT  two test grids get an area and buildings in
#                      $HUB_DIR/territory.json, hub.json "worker.grant"
#                      becomes GRANT; G1, G2 name the grids
#   worker_enrol NAME GRID  enrol over the socket; the code in $CODE
#   post TOKEN PATH BODY    POST BODY over TCP with TOKEN (none: ""),
#                           prints the status code
#   worker_flood_alert      a collector's high alert dispatched to water in
#                           G1 (w1's task); its id in $A1
#   worker_chromium         headless Chromium (skip, 77, without it) on
#                           about:blank, DevTools on $CDP_PORT, profile in
#                           $PROFILE; drive it with PYTHONPATH=
#                           tests/integration (cdp.py, phone.py)
G1=440304001001001 # Nanyuan / Dongyuan 01: building T-B1, area 300 m
G2=440304010001001 # Fubao / Xingang 01: building T-B2
G1_LAT=22.5202
G1_LON=114.0602

worker_conf() {
	python3 - "$HUB_DIR" "$G1" "$G2" "$1" <<'PY'
import json, sys
d, g1, g2, grant = sys.argv[1:]
t = json.load(open(d + "/territory.json"))
for g in t["grids"]:
    if g["code"] == g1:
        g["area"] = {"lat": 22.52, "lon": 114.06, "radius_m": 300}
        g["buildings"] = [{"code": "T-B1", "name": "测试楼一", "lat": 22.5201, "lon": 114.0601,
                           "rooms": [{"room": "101", "households": 1, "people": 3, "note": "虚构 fictitious"}]}]
    if g["code"] == g2:
        g["buildings"] = [{"code": "T-B2", "name": "测试楼二", "rooms": [{"room": "201", "people": 2}]}]
json.dump(t, open(d + "/territory.json", "w"), ensure_ascii=False)
h = json.load(open(d + "/hub.json"))
h["worker"] = {"grant": grant}
json.dump(h, open(d + "/hub.json", "w"))
PY
	cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s"}, "rules": []}
JSON
}

worker_enrol() {
	printf '{"name": "%s", "grid": "%s"}' "$1" "$2" >"$HUB_DIR/enrol.json"
	_st=$(hub_sock /api/v1/workers --data-binary "@$HUB_DIR/enrol.json")
	[ "$_st" = 201 ] || cb_fail "enrol $1: HTTP $_st"
	CODE=$(hub_json 'j["code"]')
}

post() {
	printf '%s' "$3" >"$HUB_DIR/post.json"
	TOKEN=$1 hub_post "$2" "$HUB_DIR/post.json"
}

worker_flood_alert() {
	printf '{"key": "flood/g1", "severity": "high", "labels": {"grid": "%s", "system": "water-level-iot"}, "message": "积水 flooding", "dept": "water"}' "$G1" >"$HUB_DIR/ev.json"
	cb_assert_eq 202 "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/events "$HUB_DIR/ev.json")" "a dispatched alert in w1's grid"
	A1=$(hub_json 'j["id"]')
}

worker_chromium() {
	_chromium=$(command -v chromium || command -v chromium-browser) || {
		echo "chromium is not installed (./bootstrap installs it)"
		exit 77
	}
	CDP_PORT=$(cb_free_port)
	PROFILE=$(cb_tmpdir)
	# Root (CI containers) needs --no-sandbox; nothing is fetched from outside.
	cb_start chromium "$_chromium" --headless --no-sandbox --disable-gpu \
		--remote-debugging-address=127.0.0.1 --remote-debugging-port="$CDP_PORT" \
		--user-data-dir="$PROFILE" --no-first-run --no-default-browser-check \
		--disable-background-networking --disable-component-update \
		--disable-sync --disable-extensions --mute-audio about:blank
	cb_wait_http "http://127.0.0.1:$CDP_PORT/json/version" || cb_fail "chromium did not start"
}
