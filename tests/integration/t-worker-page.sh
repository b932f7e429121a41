#!/bin/sh
# The grid worker page in Debian's headless Chromium, driven through the
# DevTools protocol (tests/integration/worker-page.py): enrol, sign in on
# a phone-sized screen, see a dispatched task, check in by building code,
# read the building, check out and be refused, check in by position,
# report through a dropped link (the report waits, survives a reload and
# is applied once), then see the report through the API and in the
# console's alert detail.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/worker-lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"
trap '_s=$?; cf_tmux_kill; (exit $_s); cb_cleanup' EXIT

hub_conf supervisor 440304000000
worker_conf 30m
hub_start
worker_enrol w1 "$G1"
worker_flood_alert
worker_chromium
PYTHONPATH="$top_srcdir/tests/integration" python3 \
	"$top_srcdir/tests/integration/worker-page.py" "$CDP_PORT" "$HUB_URL" \
	"$CODE" "$A1" T-B1 "$G1_LAT" "$G1_LON" "$PROFILE/photo.png" || cb_fail "driving the page"
cb_stop chromium

# What the page did, as operators see it.
cb_assert_eq 200 "$(hub_sock /api/v1/alerts/$A1)" "the alert"
cb_assert_eq 1 "$(hub_json 'len([h for h in j["history"] if h["action"] == "worker.progress"])')" "the report applied once"
cb_assert_contains "$(hub_json '[c["text"] for c in j["comments"] if c["who"] == "w1"]')" "积水已排除" "the report's text"
cb_assert_eq '[1]' "$(hub_json '[h["after"]["photo"]["n"] for h in j["history"] if h["action"] == "worker.progress" and "photo" in h["after"]]')" "its photo, once"
cb_assert_eq image/jpeg "$(hub_json '[h["after"]["photo"]["type"] for h in j["history"] if "photo" in (h.get("after") or {})][0]')" "downscaled to a JPEG by the page"
SHA=$(hub_json '[h["after"]["photo"]["sha256"] for h in j["history"] if "photo" in (h.get("after") or {})][0]')
cb_assert_eq 1 "$(ls "$HUB_DIR/data/photos" | wc -l)" "one photo stored"
"$top_builddir/tui/citybrain" --socket "$HUB_SOCKET" alert "$A1" --photo 1 -o "$HUB_DIR/got.jpg" >"$HUB_DIR/cli.out" 2>&1 || cb_fail "citybrain alert --photo: $(cat "$HUB_DIR/cli.out")"
cb_assert_eq "$SHA" "$(sha256sum "$HUB_DIR/got.jpg" | cut -d' ' -f1)" "the photo downloaded with the CLI is the one recorded"
dims=$(python3 - "$HUB_DIR/got.jpg" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
i = 2
while i < len(d):
    m, n = d[i + 1], struct.unpack("!H", d[i + 2:i + 4])[0]
    if m in (0xC0, 0xC1, 0xC2):
        h, w = struct.unpack("!HH", d[i + 5:i + 9])
        print("%dx%d" % (w, h))
        break
    i += 2 + n
PY
)
cb_assert_eq 1280x960 "$dims" "the 2000x1500 picture was downscaled on the phone"
cb_assert_eq 200 "$(hub_sock "/api/v1/audit?who=w1&limit=1000")" "w1's audit trail"
cb_assert_contains "$(hub_json '[e["action"] for e in j["entries"]]')" '"worker.checkin", "worker.read.building"' "check-in and read audited"
cb_assert_contains "$(hub_json '[e["action"] for e in j["entries"]]')" '"worker.refused.read"' "refusal audited"

# ... and in the console's alert detail.
if command -v "$TMUX_BIN" >/dev/null 2>&1; then
	cf_tmux 160 40 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $HUB_SOCKET -d 1 -s alerts"
	cf_expect "$A1" "the console lists the alert"
	cf_keys / "$A1" Enter
	sleep 0.3
	cf_keys Enter
	cf_expect "worker.progress" "the console's alert detail shows the worker's report"
	cf_expect "积水已排除" "with its text"
	cf_expect "photo 1" "and that it has a photo"
	cf_expect "citybrain alert $A1 --photo 1 -o" "with the command that fetches it"
	cf_tmux_kill
else
	cb_fail "tmux is not installed (./bootstrap installs it)"
fi
hub_finish
exit "$CB_FAILED"
