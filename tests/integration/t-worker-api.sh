#!/bin/sh
# Grid workers against the real hub: enrolment codes (one use), device
# tokens (hashed on disk, useless on other routes, revocable, kept over a
# restart), tasks of their grids only, assign, actions applied once per
# client id into history and audit, building check-ins by code and by
# position, reads refused outside a grant (checkout, expiry, another
# grid), every grant and read audited, and the page at /m/.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/worker-lib.sh"

hub_conf supervisor 440304000000
worker_conf 10m
python3 - "$HUB_DIR/hub.json" <<'PY2'
import json, sys
h = json.load(open(sys.argv[1]))
h["worker"]["max_photo_bytes"] = 20000
json.dump(h, open(sys.argv[1], "w"))
PY2
hub_start
f="$HUB_DIR/body.json"
sock_post() { # PATH BODY
	printf '%s' "$2" >"$f"
	hub_sock "$1" --data-binary "@$f"
}
event() { # KEY GRID
	post "$HUB_TOK_COLLECTOR" /api/v1/events "{\"key\": \"$1\", \"severity\": \"high\",
 \"labels\": {\"grid\": \"$2\", \"system\": \"water-level-iot\"}, \"message\": \"积水 flooding\", \"dept\": \"water\"}"
}
audit_count() { # ACTION [WHO]
	hub_sock "/api/v1/audit?action=$1${2:+&who=$2}&limit=1000" >/dev/null
	hub_json 'len(j["entries"])'
}

# ---- Enrolment ----------------------------------------------------------
cb_assert_eq 403 "$(post "$HUB_TOK_OPERATOR" /api/v1/workers "{\"name\": \"w1\", \"grid\": \"$G1\"}")" "an operator may not enrol"
cb_assert_eq 400 "$(sock_post /api/v1/workers '{"name": "w1", "grid": "440304001001"}')" "enrol on a community"
cb_assert_eq 400 "$(sock_post /api/v1/workers "{\"name\": \"w 1\", \"grid\": \"$G1\"}")" "bad name"
cb_assert_eq 201 "$(sock_post /api/v1/workers "{\"name\": \"w1\", \"display\": \"李测试\", \"grid\": \"$G1\"}")" "enrol w1"
C1=$(hub_json 'j["code"]')
cb_assert_eq 201 "$(sock_post /api/v1/workers "{\"name\": \"w2\", \"grid\": \"$G2\"}")" "enrol w2"
C2=$(hub_json 'j["code"]')
cb_assert_eq 401 "$(post "" /api/v1/m/signin '{"code": "AAAAA-AAAAA"}')" "a wrong code"
cb_assert_eq 200 "$(post "" /api/v1/m/signin "{\"code\": \"$C1\"}")" "sign in w1"
T1=$(hub_json 'j["token"]')
cb_assert_eq "$G1" "$(hub_json 'j["grids"][0]["code"]')" "w1's grid"
cb_assert_eq 401 "$(post "" /api/v1/m/signin "{\"code\": \"$C1\"}")" "a code works once"
cb_assert_eq 200 "$(post "" /api/v1/m/signin "{\"code\": \"$(echo "$C2" | tr 'A-Z' 'a-z' | tr -d -)\"}")" "sign in w2 (typed loosely)"
T2=$(hub_json 'j["token"]')
if grep -q "$T1\|$C1" "$HUB_DIR/data/workers.json"; then
	cb_fail "workers.json holds a plaintext token or code"
fi
cb_assert_eq 401 "$(TOKEN=$T1 hub_get /api/v1/alerts)" "a worker token is no user token"
cb_assert_eq 401 "$(TOKEN=$T1 hub_get /api/v1/tree)" "nor on the tree"
cb_assert_eq 401 "$(TOKEN=nonsense hub_get /api/v1/m/tasks)" "unknown device token"
cb_assert_eq 200 "$(TOKEN=$T1 hub_get /api/v1/m/me)" "me"
cb_assert_eq w1 "$(hub_json 'j["name"]')" "me: name"

# ---- Tasks: their grid only ---------------------------------------------
cb_assert_eq 202 "$(event flood/g1 $G1)" "alert in G1"
A1=$(hub_json 'j["id"]')
cb_assert_eq 202 "$(event flood/g2 $G2)" "alert in G2"
A2=$(hub_json 'j["id"]')
cb_assert_eq 200 "$(TOKEN=$T1 hub_get /api/v1/m/tasks)" "w1's tasks"
cb_assert_eq "[\"$A1\"]" "$(hub_json '[t["id"] for t in j["tasks"]]')" "w1 sees G1's task only"
cb_assert_eq 200 "$(TOKEN=$T2 hub_get /api/v1/m/tasks)" "w2's tasks"
cb_assert_eq "[\"$A2\"]" "$(hub_json '[t["id"] for t in j["tasks"]]')" "w2 sees G2's task only"
cb_assert_eq 404 "$(post "$T1" /api/v1/m/tasks/$A2/accept '{}')" "acting on another grid's task"
cb_assert_eq 404 "$(post "$T1" /api/v1/m/tasks/$A2/accept '{"action_id": "x1"}')" "... with an id either"

# ---- Assign ---------------------------------------------------------------
cb_assert_eq 400 "$(post "$HUB_TOK_OPERATOR" /api/v1/alerts/$A1/assign '{"worker": "w2"}')" "assign outside the worker's grids"
cb_assert_eq 400 "$(post "$HUB_TOK_OPERATOR" /api/v1/alerts/$A1/assign '{"worker": "nobody"}')" "assign to nobody"
cb_assert_eq 403 "$(post "$HUB_TOK_VIEWER" /api/v1/alerts/$A1/assign '{"worker": "w1"}')" "a viewer may not assign"
cb_assert_eq 200 "$(post "$HUB_TOK_OPERATOR" /api/v1/alerts/$A1/assign '{"worker": "w1", "comment": "请到现场 go and look"}')" "assign to w1"
cb_assert_eq 409 "$(post "$HUB_TOK_OPERATOR" /api/v1/alerts/$A1/assign '{"worker": "w1"}')" "assigned twice"
cb_assert_eq 200 "$(TOKEN=$T1 hub_get /api/v1/m/tasks)" "tasks after assign"
cb_assert_eq True "$(hub_json 'j["tasks"][0]["assigned"]')" "marked assigned"
cb_assert_contains "$(hub_json '[n["text"] for n in j["tasks"][0]["notes"]]')" "请到现场" "the command center's note"

# ---- Actions, once each ---------------------------------------------------
cb_assert_eq 200 "$(post "$T1" /api/v1/m/tasks/$A1/accept '{"action_id": "act-1"}')" "accept"
cb_assert_eq False "$(hub_json 'j["duplicate"]')" "first time"
cb_assert_eq 200 "$(post "$T1" /api/v1/m/tasks/$A1/accept '{"action_id": "act-1"}')" "the same action again"
cb_assert_eq True "$(hub_json 'j["duplicate"]')" "recognised as a duplicate"
cb_assert_eq 400 "$(post "$T1" /api/v1/m/tasks/$A1/progress '{"action_id": "act-2"}')" "progress without text"
cb_assert_eq 200 "$(post "$T1" /api/v1/m/tasks/$A1/progress '{"action_id": "act-3", "text": "水深约20厘米 water 20 cm"}')" "progress"
cb_assert_eq 404 "$(post "$T1" /api/v1/m/tasks/$A1/dance '{}')" "unknown action"
cb_assert_eq 200 "$(hub_sock /api/v1/alerts/$A1)" "the alert as operators see it"
cb_assert_eq 1 "$(hub_json 'len([h for h in j["history"] if h["action"] == "worker.accept"])')" "accept recorded once"
cb_assert_eq w1 "$(hub_json '[h["who"] for h in j["history"] if h["action"] == "worker.progress"][0]')" "by the worker"
cb_assert_contains "$(hub_json '[c["text"] for c in j["comments"]]')" "水深约20厘米" "the report in the alert"
cb_assert_eq 1 "$(audit_count alert.worker.accept w1)" "accept audited once"
cb_assert_eq 1 "$(audit_count alert.worker.progress w1)" "progress audited"

# ---- Photos on progress reports ------------------------------------------------
# photo_body FILE ACTION_ID KIND BYTES: a report whose photo is BYTES bytes
# of KIND (jpeg, png, gif, or "bad" base64).
photo_body() {
	python3 - "$@" <<'PY2'
import base64, json, sys
f, aid, kind, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
head = {"jpeg": b"\xff\xd8\xff\xe0", "png": b"\x89PNG\r\n\x1a\n", "gif": b"GIF89a"}.get(kind, b"")
raw = head + bytes((i * 7) % 256 for i in range(n - len(head)))
open(f + ".raw", "wb").write(raw)
b64 = base64.b64encode(raw).decode() if kind != "bad" else "not*base64"
json.dump({"action_id": aid, "text": "照片 photo", "photo": b64}, open(f, "w"))
PY2
}
photo_post() { # TOKEN ALERT ACTION ACTION_ID KIND BYTES
	photo_body "$HUB_DIR/photo.json" "$4" "$5" "$6"
	TOKEN=$1 hub_post "/api/v1/m/tasks/$2/$3" "$HUB_DIR/photo.json"
}
cb_assert_eq 200 "$(TOKEN=$T1 hub_get /api/v1/m/me)" "me"
cb_assert_eq 20000 "$(hub_json 'j["max_photo_bytes"]')" "the page learns the photo limit"
cb_assert_eq 413 "$(photo_post "$T1" "$A1" progress ph-big jpeg 20001)" "a photo over worker.max_photo_bytes"
cb_assert_contains "$(hub_json 'j["error"]')" "worker.max_photo_bytes" "the 413 names the setting"
cb_assert_eq 20000 "$(hub_json 'j["limit"]')" "and the limit"
cb_assert_eq 413 "$(photo_post "$T1" "$A1" progress ph-huge jpeg 200000)" "far over the limit"
cb_assert_eq 415 "$(photo_post "$T1" "$A1" progress ph-gif gif 500)" "a GIF"
cb_assert_contains "$(hub_json 'j["error"]')" "not a JPEG or PNG" "the 415 says why"
cb_assert_eq 400 "$(photo_post "$T1" "$A1" progress ph-bad bad 10)" "not base64"
cb_assert_eq 400 "$(photo_post "$T1" "$A1" accept ph-acc jpeg 500)" "a photo on accept"
cb_assert_eq 404 "$(photo_post "$T2" "$A1" progress ph-other jpeg 500)" "w2 reports on w1's task"
if [ -d "$HUB_DIR/data/photos" ] && [ -n "$(ls "$HUB_DIR/data/photos")" ]; then
	cb_fail "a refused photo was stored: $(ls "$HUB_DIR/data/photos")"
fi
cb_assert_eq 200 "$(photo_post "$T1" "$A1" progress ph-1 jpeg 20000)" "a photo at the limit"
cb_assert_eq False "$(hub_json 'j["duplicate"]')" "applied"
cb_assert_eq 1 "$(hub_json '[n.get("photo") for n in j["task"]["notes"] if n.get("photo")][0]')" "the task's note links photo 1"
SHA=$(sha256sum "$HUB_DIR/photo.json.raw" | cut -d' ' -f1)
cp "$HUB_DIR/photo.json.raw" "$HUB_DIR/photo1.jpg"
cb_assert_eq 200 "$(TOKEN=$T1 hub_post "/api/v1/m/tasks/$A1/progress" "$HUB_DIR/photo.json")" "the same report again (answer lost)"
cb_assert_eq True "$(hub_json 'j["duplicate"]')" "applied once"
cb_assert_eq 200 "$(photo_post "$T1" "$A1" progress ph-2 png 300)" "a PNG"
cb_assert_eq 200 "$(photo_post "$T2" "$A2" progress ph-w2 jpeg 400)" "w2's photo on G2's alert"
cb_assert_eq 600 "$(stat -c %a "$HUB_DIR/data/photos/$SHA.jpg")" "stored under its SHA-256, mode 0600"
cb_assert_eq 3 "$(ls "$HUB_DIR/data/photos" | wc -l)" "three photos stored, none twice"
cb_assert_eq 200 "$(hub_sock /api/v1/alerts/$A1)" "the alert"
cb_assert_eq "[1, 2]" "$(hub_json '[h["after"]["photo"]["n"] for h in j["history"] if "photo" in (h.get("after") or {})]')" "two photos in the history"
cb_assert_eq "$SHA" "$(hub_json '[h["after"]["photo"]["sha256"] for h in j["history"] if "photo" in (h.get("after") or {})][0]')" "with the SHA-256"
hub_sock "/api/v1/audit?action=alert.worker.progress&who=w1&limit=1000" >/dev/null
cb_assert_contains "$(hub_json '[e["after"]["photo"]["sha256"] for e in j["entries"] if (e.get("after") or {}).get("photo")]')" "$SHA" "the audit names the photo's SHA-256"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A1/photos/1" -D "$HUB_DIR/ph.h")" "a supervisor fetches photo 1"
cmp -s "$HUB_OUT" "$HUB_DIR/photo1.jpg" || cb_fail "photo 1 comes back changed"
cb_assert_contains "$(cat "$HUB_DIR/ph.h")" "Content-Type: image/jpeg" "as a JPEG"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get "/api/v1/alerts/$A1/photos/2")" "an operator of the place fetches photo 2"
cb_assert_eq 404 "$(TOKEN=$HUB_TOK_OPERATOR hub_get "/api/v1/alerts/$A2/photos/1")" "an operator outside the place does not"
cb_assert_eq 404 "$(TOKEN=$HUB_TOK_OPERATOR hub_get "/api/v1/alerts/$A1/photos/3")" "no photo 3"
cb_assert_eq 404 "$(TOKEN=$HUB_TOK_OPERATOR hub_get "/api/v1/alerts/$A1/photos/0")" "no photo 0"
cb_assert_eq 401 "$(TOKEN=$T1 hub_get "/api/v1/alerts/$A1/photos/1")" "a worker token is no user token here either"
cb_assert_eq 200 "$(TOKEN=$T1 hub_get "/api/v1/m/tasks/$A1/photos/1")" "w1 fetches their task's photo"
cmp -s "$HUB_OUT" "$HUB_DIR/photo1.jpg" || cb_fail "w1's copy differs"
cb_assert_eq 404 "$(TOKEN=$T2 hub_get "/api/v1/m/tasks/$A1/photos/1")" "a worker of another grid gets 404"
cb_assert_eq 404 "$(TOKEN=$T1 hub_get "/api/v1/m/tasks/$A2/photos/1")" "... either way"
printf x >>"$HUB_DIR/data/photos/$SHA.jpg"
cb_assert_eq 500 "$(hub_sock "/api/v1/alerts/$A1/photos/1")" "a damaged photo file"
cb_assert_contains "$(hub_json 'j["error"]')" "SHA-256" "is caught by its SHA-256"
cp "$HUB_DIR/photo1.jpg" "$HUB_DIR/data/photos/$SHA.jpg"

# ---- Check-in, reads, refusals ----------------------------------------------
cb_assert_eq 403 "$(TOKEN=$T1 hub_get /api/v1/m/building)" "no building before check-in"
cb_assert_eq 403 "$(TOKEN=$T1 hub_get /api/v1/m/metrics)" "no metrics before check-in"
cb_assert_eq 404 "$(post "$T1" /api/v1/m/checkin '{"building": "T-B2"}')" "another grid's building"
cb_assert_eq 404 "$(post "$T1" /api/v1/m/checkin '{"building": "NOPE"}')" "an unknown building"
cb_assert_eq 403 "$(TOKEN=$T1 hub_get /api/v1/m/building)" "still nothing"
cb_assert_eq 200 "$(post "$T1" /api/v1/m/checkin '{"building": "T-B1"}')" "check in by code"
cb_assert_eq T-B1 "$(hub_json 'j["grant"]["building"]')" "granted"
cb_assert_eq 200 "$(TOKEN=$T1 hub_get /api/v1/m/building)" "read the building"
cb_assert_eq 测试楼一 "$(hub_json 'j["building"]["name"]')" "its data"
cb_assert_eq 200 "$(TOKEN=$T1 hub_get /api/v1/m/metrics)" "read the grid's metrics"
cb_assert_eq "$G1" "$(hub_json 'j["grid"]')" "of the grid checked in"
cb_assert_eq 200 "$(hub_sock /api/v1/tree?code=$G1)" "the grid as the console sees it"
cb_assert_eq "on site T-B1" "$(hub_json 'j["node"]["people"]["worker:w1"]["station"]')" "the worker on duty, on site"
cb_assert_eq "1 open tasks" "$(hub_json 'j["node"]["people"]["worker:w1"]["phone"]')" "with their open tasks"
cb_assert_eq 403 "$(TOKEN=$T2 hub_get /api/v1/m/building)" "w2 has no grant from w1's"
cb_assert_eq 200 "$(post "$T1" /api/v1/m/checkout '{}')" "check out"
cb_assert_eq 403 "$(TOKEN=$T1 hub_get /api/v1/m/building)" "refused after check-out"
cb_assert_eq 409 "$(post "$T1" /api/v1/m/checkout '{}')" "check out twice"
cb_assert_eq 403 "$(post "$T1" /api/v1/m/checkin '{"lat": 22.6, "lon": 114.06}')" "position outside the grid"
cb_assert_eq 200 "$(post "$T1" /api/v1/m/checkin '{"lat": 22.5202, "lon": 114.0602}')" "position inside"
cb_assert_eq T-B1 "$(hub_json 'j["grant"]["building"]')" "the nearest building"
cb_assert_eq 200 "$(TOKEN=$T1 hub_get /api/v1/m/building)" "read after a position check-in"
cb_assert_eq 403 "$(post "$T2" /api/v1/m/checkin '{"lat": 22.5202, "lon": 114.0602}')" "w2 at w1's grid"
cb_assert_eq 200 "$(post "$T1" /api/v1/m/checkout '{}')" "check out again"
cb_assert_eq 2 "$(audit_count worker.checkin w1)" "grants audited"
cb_assert_eq 3 "$(audit_count worker.refused.checkin w1)" "refused check-ins audited"
cb_assert_eq 2 "$(audit_count worker.read.building w1)" "reads audited"
cb_assert_eq 4 "$(audit_count worker.refused.read w1)" "refusals audited"
cb_assert_eq 200 "$(hub_sock /api/v1/audit/verify)" "audit verify"
cb_assert_eq True "$(hub_json 'j["ok"]')" "the chain is intact"

# ---- Listing, revocation, restart -------------------------------------------
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/workers)" "an operator lists"
cb_assert_eq '["w1"]' "$(hub_json '[w["name"] for w in j["workers"]]')" "inside their scope only"
cb_assert_eq 1 "$(hub_json 'j["workers"][0]["open_tasks"]')" "w1's open tasks"
cb_assert_eq T-B1 "$(hub_json 'j["workers"][0]["last_checkin"]')" "last check-in"
cb_assert_eq 404 "$(hub_sock /api/v1/workers/nobody -X DELETE)" "revoke nobody"
cb_assert_eq 200 "$(hub_sock /api/v1/workers/w1 -X DELETE)" "revoke w1"
cb_assert_eq 401 "$(TOKEN=$T1 hub_get /api/v1/m/tasks)" "a revoked token"
cb_assert_eq 200 "$(post "$T2" /api/v1/m/checkin '{"building": "T-B2"}')" "w2 checks in before a restart"
cb_assert_eq 600 "$(stat -c %a "$HUB_DIR/data/worker-grants.json")" "grants are kept 0600"
hub_finish
python3 - "$HUB_DIR/hub.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
h["worker"]["grant"] = "2s"
json.dump(h, open(sys.argv[1], "w"))
PY
hub_start
cb_assert_eq 200 "$(TOKEN=$T2 hub_get /api/v1/m/building)" "the grant survives a restart"
cb_assert_eq 测试楼二 "$(hub_json 'j["building"]["name"]')" "the building of the grant"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get /api/v1/workers)" "the list after a restart"
cb_assert_eq T-B2 "$(hub_json '[w["last_checkin"] for w in j["workers"] if w["name"] == "w2"][0]')" "the last check-in is kept"
cb_assert_eq T-B1 "$(hub_json '[w["last_checkin"] for w in j["workers"] if w["name"] == "w1"][0]')" "a revoked worker's last check-in too"
cb_assert_eq 200 "$(post "$T2" /api/v1/m/checkout '{}')" "w2 checks out"
hub_finish
hub_start
cb_assert_eq 403 "$(TOKEN=$T2 hub_get /api/v1/m/building)" "a check-out survives a restart"
cb_assert_eq 200 "$(post "$T2" /api/v1/m/checkin '{"building": "T-B2"}')" "w2 checks in for 2 s"
hub_finish
sleep 3
hub_start
cb_assert_eq 403 "$(TOKEN=$T2 hub_get /api/v1/m/building)" "a grant that expired while the hub was down is dropped"
cb_assert_eq 200 "$(post "$T2" /api/v1/m/checkin '{"building": "T-B2"}')" "w2 checks in for 2 s again"
sleep 3
cb_assert_eq 403 "$(TOKEN=$T2 hub_get /api/v1/m/building)" "refused once the grant expired"
cb_assert_eq 200 "$(TOKEN=$T2 hub_get /api/v1/m/tasks)" "w2's token survives a restart"
cb_assert_eq 401 "$(TOKEN=$T1 hub_get /api/v1/m/tasks)" "w1 stays revoked"

# ---- The console's commands ---------------------------------------------------
CB="$top_builddir/tui/citybrain --socket $HUB_SOCKET"
out=$(LC_ALL=C.UTF-8 $CB worker enrol w3 --grid "$G1" --page-url http://10.0.0.5:8428/m/ 2>&1)
cb_assert_contains "$out" "one-time enrolment code: " "enrol prints the code"
C3=$(printf '%s\n' "$out" | sed -n 's/^one-time enrolment code: //p')
cb_assert_contains "$out" "http://10.0.0.5:8428/m/#code=$C3" "the page's link"
cb_assert_contains "$out" "█▀" "a QR code in blocks"
cb_assert_eq 200 "$(post "" /api/v1/m/signin "{\"code\": \"$C3\"}")" "the printed code signs in"
out=$(LC_ALL=C $CB --ascii worker enrol w4 --grid "$G2" 2>&1)
cb_assert_contains "$out" "####" "an ASCII QR code"
cb_assert_eq 2 "$($CB worker enrol w5 >/dev/null 2>&1; echo $?)" "enrol without --grid"
cb_assert_contains "$($CB workers)" "w3 " "workers lists w3"
cb_assert_eq '["w2", "w3", "w4"]' "$($CB workers --json | python3 -c 'import json,sys; print(json.dumps(sorted(w["name"] for w in json.load(sys.stdin)["workers"] if w["state"] != "revoked")))')" "workers --json"
cb_assert_contains "$($CB worker revoke w3)" "revoked" "worker revoke"
cb_assert_eq 1 "$($CB worker revoke w3 >/dev/null 2>&1; echo $?)" "revoking twice fails"

# ---- The page ---------------------------------------------------------------
cb_assert_eq 200 "$(hub_get /m/ -D "$HUB_DIR/h.txt")" "the page"
cb_assert_contains "$(cat "$HUB_OUT")" "网格员" "Chinese first"
cb_assert_contains "$(cat "$HUB_DIR/h.txt")" "Content-Security-Policy: default-src 'none'" "no resources from elsewhere"
html=$(wc -c <"$HUB_OUT")
cb_assert_eq 200 "$(hub_get /m/app.js)" "the script"
js=$(wc -c <"$HUB_OUT")
[ $((html + js)) -lt 61440 ] || cb_fail "page is $((html + js)) bytes, over 60 KB"
cb_assert_eq 301 "$(hub_get /m)" "/m goes to /m/"
if grep -qE 'https?://' "$top_srcdir/hub/worker/page/index.html" "$top_srcdir/hub/worker/page/app.js"; then
	cb_fail "the page names an external resource"
fi
hub_finish
exit "$CB_FAILED"
