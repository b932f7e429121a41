#!/bin/sh
# A photo a grid worker opens on a task stays shown when a refresh
# re-renders the task list before the photo arrives (a clean-clone run of
# t-worker-page.sh once lost it that way), and is downloaded once.  The
# race is forced, not waited for: worker-photo-race.py holds the photo's
# download in headless Chromium (DevTools Fetch domain) across the refresh.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/worker-lib.sh"

hub_conf supervisor 440304000000
worker_conf 30m
hub_start
worker_enrol w1 "$G1"
worker_flood_alert
cb_assert_eq 200 "$(post "" /api/v1/m/signin "{\"code\": \"$CODE\"}")" "w1 signs in"
TOK=$(hub_json 'j["token"]')
PYTHONPATH="$top_srcdir/tests/integration" python3 - "$HUB_DIR" <<'PY'
import base64, json, sys
from phone import write_png
d = sys.argv[1]
write_png(d + "/shot.png", 64, 48)
json.dump({"action_id": "race-1", "text": "水位 water level",
           "photo": base64.b64encode(open(d + "/shot.png", "rb").read()).decode()},
          open(d + "/report.json", "w"), ensure_ascii=False)
PY
cb_assert_eq 200 "$(TOKEN=$TOK hub_post "/api/v1/m/tasks/$A1/progress" "$HUB_DIR/report.json")" "w1 reports with a photo"

worker_chromium
PYTHONPATH="$top_srcdir/tests/integration" python3 \
	"$top_srcdir/tests/integration/worker-photo-race.py" "$CDP_PORT" \
	"$HUB_URL" "$TOK" "$A1" || cb_fail "the photo held across a refresh"
cb_stop chromium
hub_finish
exit "$CB_FAILED"
