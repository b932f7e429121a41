#!/bin/sh
# Shift handover in the real hub (issue 17), against a scripted shift: the
# shifts are configured around now (Asia/Shanghai), five events and a
# silence make the shift, and the note lists exactly what fired, what is
# open and who holds it, the ack that expires, the overdue dispatch and
# the silence that ends during the next shift, with data quality.  A
# subdistrict's operator gets only its territory; it signs the note, may
# not acknowledge its own, the incoming supervisor does (once); both are
# audited.  `citybrain handover` prints the note; the console names the
# note waiting for the incoming operator when it starts.
. "$top_srcdir/tests/integration/handover-lib.sh"

hub_conf supervisor 440304000000
# The shift under way began two hours ago (Shanghai time), the next one
# starts in two hours: HH:MM from now, rounded down to the minute.
eval "$(python3 - <<'PY'
import time
m = int(time.time()) // 60 * 60
hm = lambda t: time.strftime("%H:%M", time.gmtime(t + 8 * 3600))
print("FROM=%s TO=%s END=%s FROM_MS=%d TO_MS=%d NEXT_MS=%d" % (
    hm(m - 7200), hm(m + 7200), hm(m + 14400),
    (m - 7200) * 1000, (m + 7200) * 1000, (m + 14400) * 1000))
PY
)"
cat >"$HUB_DIR/rules.json" <<JSON
{"settings": {"eval_interval": "1s"},
 "shifts": [{"name": "late", "from": "$FROM", "to": "$TO", "tz": "Asia/Shanghai"},
            {"name": "early", "from": "$TO", "to": "$END", "tz": "Asia/Shanghai"}],
 "rules": []}
JSON
hub_start

# The scripted shift.
E1=$(event smoke/n1 $N1 high)         # open, silenced by S1
E2=$(event smoke/n2 $N2 medium)       # acknowledged until +30 min
E3=$(event smoke/f1 $F1 high)         # Fubao: outside Nanyuan
E4=$(event smoke/n3 $N3 low)          # resolved: fired, not open
E5=$(event pump/n1 $N1 high)          # dispatched, overdue
event smoke/n3 $N3 low resolved >/dev/null
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/alerts/$E2/ack" '{"comment": "crew on site", "expires": "30m"}')" "ack E2"
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/alerts/$E5/dispatch" '{"dept": "water", "deadline": "1s"}')" "dispatch E5"
cb_assert_eq 201 "$(post "$HUB_TOK_SUPER" /api/v1/silences \
	"{\"matchers\": [{\"tag\": \"grid\", \"op\": \"=\", \"value\": \"$N1\"}], \"reason\": \"pump works\", \"duration\": \"30m\"}")" "silence S1"
S1=$(hub_json 'j["id"]')
cb_assert_eq 201 "$(post "$HUB_TOK_SUPER" /api/v1/silences \
	"{\"matchers\": [{\"tag\": \"grid\", \"op\": \"=\", \"value\": \"$N2\"}], \"reason\": \"long works\", \"duration\": \"10h\"}")" "silence ending later"
_end=$(($(date +%s) + 60))
while [ "$(date +%s)" -lt $_end ]; do
	hub_sock "/api/v1/alerts/$E5" >/dev/null
	[ "$(hub_json 'j["overdue"]')" = True ] && break
	sleep 0.2
done
cb_assert_eq True "$(hub_json 'j["overdue"]')" "E5 overdue"

# The note's sections are at the top of the answer here, not in a draft.
ids() { hub_json "[x['id'] for x in j['$1']]"; }
# The district supervisor's note.
cb_assert_eq 200 "$(hub_sock /api/v1/handover)" "GET handover"
cb_assert_eq "late $FROM_MS $TO_MS Asia/Shanghai" \
	"$(hub_json '"%s %d %d %s" % (j["shift"]["name"], j["shift"]["from_ms"], j["shift"]["to_ms"], j["shift"]["tz"])')" "the shift"
cb_assert_eq "early $TO_MS $NEXT_MS" \
	"$(hub_json '"%s %d %d" % (j["next"]["name"], j["next"]["from_ms"], j["next"]["to_ms"])')" "the next shift"
cb_assert_eq "[$(q $E1), $(q $E2), $(q $E3), $(q $E4), $(q $E5)]" "$(ids fired)" "fired"
cb_assert_eq "[$(q $E1), $(q $E2), $(q $E3), $(q $E5)]" "$(ids open)" "open"
cb_assert_eq "futian-supervisor - - water" \
	"$(hub_json '" ".join("%s %s" % (x["held_by"], x["dept"]) for x in j["open"] if x["id"] in ("'$E2'", "'$E5'")).replace("None", "-")')" \
	"who holds E2 (ack) and E5 (dispatch)"
cb_assert_eq "[$(q $E2)]" "$(ids acks_expiring)" "acks expiring"
cb_assert_eq "[$(q $E5)]" "$(ids overdue)" "overdue"
cb_assert_eq "[$(q $S1)]" "$(ids silences_ending)" "silences ending in the next shift"
cb_assert_eq True "$(hub_json '"declared_missing" in j["quality"]["summary"] and isinstance(j["quality"]["problems"], list)')" "data quality"

# Nanyuan's operator: its territory only.
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/handover)" "operator GET"
cb_assert_eq "[$(q $E1), $(q $E2), $(q $E4), $(q $E5)]" "$(ids fired)" "operator: fired in Nanyuan"
cb_assert_eq "[$(q $E1), $(q $E2), $(q $E5)]" "$(ids open)" "operator: open in Nanyuan"

# Signed by the outgoing operator, acknowledged by the incoming one.
cb_assert_eq 400 "$(post "$HUB_TOK_OPERATOR" /api/v1/handover '{}')" "a note needs words"
cb_assert_eq 403 "$(post "$HUB_TOK_VIEWER" /api/v1/handover '{"note": "x"}')" "viewers do not sign"
cb_assert_eq 201 "$(post "$HUB_TOK_OPERATOR" /api/v1/handover '{"note": "pump at Dongyuan 01 still out"}')" "sign"
H=$(hub_json 'j["id"]')
cb_assert_eq "nanyuan-operator [$(q $E1), $(q $E2), $(q $E5)]" \
	"$(hub_json '"%s %s" % (j["signed_by"], json.dumps([x["id"] for x in j["content"]["open"]]))')" "the signed note"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get /api/v1/handover)" "incoming GET"
cb_assert_eq "[$(q "$H")]" "$(ids pending)" "waiting for the incoming operator"
# The incoming operator's console names the waiting note first.
if command -v "$TMUX_BIN" >/dev/null 2>&1; then
	cf_tmux 160 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $HUB_SOCKET -d 1"
	cf_expect "handover $H from nanyuan-operator waiting" "the console names the waiting note" 30
	cf_tmux_kill
else
	echo "no tmux: the console's part skipped"
fi
cb_assert_eq 409 "$(post "$HUB_TOK_OPERATOR" "/api/v1/handover/$H/ack" '{}')" "not by its signer"
cb_assert_contains "$(hub_json 'j["error"]')" "signed by you" "409 says why"
cb_assert_eq 404 "$(post "$HUB_TOK_SUPER" /api/v1/handover/H999999/ack '{}')" "unknown note"
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/handover/$H/ack" '{"comment": "taken over"}')" "ack"
cb_assert_eq futian-supervisor "$(hub_json 'j["acked_by"]')" "acknowledged by"
cb_assert_eq 409 "$(post "$HUB_TOK_SUPER" "/api/v1/handover/$H/ack" '{}')" "once"
TOKEN=$HUB_TOK_SUPER hub_get /api/v1/handover >/dev/null
cb_assert_eq "[] $H" "$(hub_json '"%s %s" % (j["pending"], j["last"]["id"])')" "nothing waits any more"

# Both audited, with who.
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/audit?limit=200")" "audit"
cb_assert_eq "[[\"handover.sign\", \"nanyuan-operator\", \"$H\"], [\"handover.ack\", \"futian-supervisor\", \"$H\"]]" \
	"$(hub_json '[[e["action"], e["who"], e["target"]] for e in j["entries"] if e["action"].startswith("handover.")]')" \
	"audit entries"

# The console's script form.
out=$("$top_builddir/tui/citybrain" -S "$HUB_SOCKET" handover 2>&1)
cb_assert_contains "$out" "handover: shift late (Asia/Shanghai)" "citybrain handover: the shift"
cb_assert_contains "$out" "fired during the shift (5)" "citybrain handover: fired"
cb_assert_contains "$out" "overdue dispatches (1)" "citybrain handover: overdue"
hub_finish

# A bad shift names its place.
cat >"$HUB_DIR/rules.json" <<'JSON'
{"shifts": [{"name": "night", "from": "20:00", "to": "08:00",
             "tz": "Mars/Olympus"}]}
JSON
out=$("$HUB_BIN" --check-config --config "$HUB_DIR/hub.json" 2>&1)
cb_assert_contains "$out" "rules.json:2:20: \"shifts[0].tz\": unknown time zone \"Mars/Olympus\"" \
	"--check-config refuses an unknown tz"
cb_done
