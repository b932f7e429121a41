#!/bin/sh
# The handover note drafted by the hub at a shift's end (issue 17), in the
# real hub on its test clock (citybraind --test-clock FILE): a scripted
# shift (events, an ack, an overdue dispatch, a silence), then the clock
# passes the shift's end and the hub stores the note of the shift that
# ended, as it stood then (the ack that lapses at the shift's end is still
# listed as held), audited as handover.draft.  A subdistrict's operator
# sees its territory's part and signs it; the incoming supervisor
# acknowledges the signed note.  The console's Handover screen shows the
# signed note first to the incoming operator and acknowledges it.
. "$top_srcdir/tests/integration/handover-lib.sh"

handover_begin

# The scripted shift.
E1=$(event smoke/n1 $N1 high)   # open, silenced by S1
E2=$(event smoke/n2 $N2 medium) # acknowledged: lapses at the shift's end
E3=$(event smoke/f1 $F1 high)   # Fubao: outside Nanyuan
E4=$(event smoke/n3 $N3 low)    # resolved: fired, not open
E5=$(event pump/n1 $N1 high)    # dispatched, overdue
event smoke/n3 $N3 low resolved >/dev/null
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/alerts/$E2/ack" '{"comment": "crew on site"}')" "ack E2"
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/alerts/$E5/dispatch" '{"dept": "water", "deadline": "1m"}')" "dispatch E5"
cb_assert_eq 201 "$(post "$HUB_TOK_SUPER" /api/v1/silences \
	"{\"matchers\": [{\"tag\": \"grid\", \"op\": \"=\", \"value\": \"$N1\"}], \"reason\": \"pump works\", \"duration\": \"30m\"}")" "silence S1"
S1=$(hub_json 'j["id"]')
set_clock 120000
until_json "E5 overdue" "/api/v1/alerts/$E5" 'j["overdue"]'
TOKEN=$HUB_TOK_SUPER hub_get /api/v1/handover >/dev/null
cb_assert_eq True "$(hub_json 'j["draft"] is None')" "no draft before the shift's end"

# The shift ends: the hub drafts its note by itself.
set_clock 601000
until_json "the draft" /api/v1/handover 'j["draft"] is not None'
D="D$((END_MS / 1000))"
cb_assert_eq "$D late $FROM_MS $END_MS None" \
	"$(hub_json '"%s %s %d %d %s" % (j["draft"]["id"], j["draft"]["shift"]["name"], j["draft"]["shift"]["from_ms"], j["draft"]["shift"]["to_ms"], j["draft"]["signed_as"])')" \
	"the draft of the shift that ended"
cb_assert_eq "[$(q $E1), $(q $E2), $(q $E3), $(q $E4), $(q $E5)]" "$(ids fired)" "fired"
cb_assert_eq "[$(q $E1), $(q $E2), $(q $E3), $(q $E5)]" "$(ids open)" "open"
cb_assert_eq "futian-supervisor - - water" \
	"$(hub_json '" ".join("%s %s" % (x["held_by"], x["dept"]) for x in j["draft"]["content"]["open"] if x["id"] in ("'$E2'", "'$E5'")).replace("None", "-")')" \
	"who held E2 (ack) and E5 (dispatch) at the shift's end"
cb_assert_eq "[$(q $E2)] $END_MS" "$(ids acks_expiring) $(hub_json 'j["draft"]["content"]["acks_expiring"][0]["expires_ms"]')" \
	"the ack lapsing at the shift's end"
cb_assert_eq "[$(q $E5)]" "$(ids overdue)" "overdue"
cb_assert_eq "[$(q $S1)]" "$(ids silences_ending)" "silence ending in the next shift"
cb_assert_eq "early" "$(hub_json 'j["shift"]["name"]')" "the note on demand is now the next shift's"
# Since then E2's ack lapsed (the draft kept it as it stood).
until_json "E2's ack lapsed" "/api/v1/alerts/$E2" 'j["state"] == "firing"'
# Audited by the hub.
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/audit?action=handover.draft")" "audit"
cb_assert_eq "$D system/shift 5 4" \
	"$(hub_json '" ".join("%s %s %d %d" % (e["target"], e["who"], e["after"]["counts"]["fired"], e["after"]["counts"]["open"]) for e in j["entries"])')" \
	"handover.draft audited once"

# Nanyuan's operator: its territory's part of the draft.
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/handover)" "operator GET"
cb_assert_eq "[$(q $E1), $(q $E2), $(q $E5)]" "$(ids open)" "operator: open in Nanyuan"
cb_assert_eq "[$(q $E1), $(q $E2), $(q $E4), $(q $E5)]" "$(ids fired)" "operator: fired in Nanyuan"
cb_assert_eq 404 "$(post "$HUB_TOK_OPERATOR" /api/v1/handover '{"note": "x", "draft": "D1"}')" "unknown draft"
cb_assert_eq 201 "$(post "$HUB_TOK_OPERATOR" /api/v1/handover "{\"note\": \"pump at Dongyuan 01 still out\", \"draft\": \"$D\"}")" "sign the draft"
H=$(hub_json 'j["id"]')
cb_assert_eq "nanyuan-operator late [$(q $E1), $(q $E2), $(q $E5)]" \
	"$(hub_json '"%s %s %s" % (j["signed_by"], j["content"]["shift"]["name"], json.dumps([x["id"] for x in j["content"]["open"]]))')" \
	"the signed note holds the draft's content in Nanyuan"
cb_assert_eq 409 "$(post "$HUB_TOK_OPERATOR" /api/v1/handover "{\"note\": \"again\", \"draft\": \"$D\"}")" "signed once"
TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/handover >/dev/null
cb_assert_eq "$H" "$(hub_json 'j["draft"]["signed_as"]')" "the draft says what it was signed as"
TOKEN=$HUB_TOK_SUPER hub_get /api/v1/handover >/dev/null
cb_assert_eq "None [$(q "$H")]" "$(hub_json '"%s %s" % (j["draft"]["signed_as"], json.dumps([p["id"] for p in j["pending"]]))')" \
	"the district's part is not signed; Nanyuan's note waits"

# A signed note with its content (?id=) only inside the reader's scope:
# the district's part, signed by the supervisor, is not Nanyuan's.
cb_assert_eq 201 "$(post "$HUB_TOK_SUPER" /api/v1/handover "{\"note\": \"district quiet\", \"draft\": \"$D\"}")" "the district signs its part"
H2=$(hub_json 'j["id"]')
cb_assert_eq "[$(q $E1), $(q $E2), $(q $E3), $(q $E5)]" \
	"$(hub_json 'json.dumps([x["id"] for x in j["content"]["open"]])')" "the district's part holds Fubao's alert"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get "/api/v1/handover?id=$H2")" "operator asks for the district's note"
cb_assert_eq True "$(hub_json 'j["record"] is None')" "not shown outside its scope"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/handover?id=$H")" "supervisor asks for Nanyuan's note"
cb_assert_eq "$H [$(q $E1), $(q $E2), $(q $E5)]" \
	"$(hub_json '"%s %s" % (j["record"]["id"], json.dumps([x["id"] for x in j["record"]["content"]["open"]]))')" \
	"a note inside the scope, with its content"

# The incoming supervisor's console: the Handover screen first.
if command -v "$TMUX_BIN" >/dev/null 2>&1 && [ -n "${CB_HANDOVER_TUI-1}" ]; then
	cf_tmux 160 40 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $HUB_SOCKET -d 1"
	cf_expect "Handover $H2 from futian-supervisor" "the console opens on the newest waiting note" 30
	cf_expect "district quiet" "with the outgoing operator's words" 10
	cf_expect "$E3" "and its sections (the district's: Fubao too)" 10
	cf_keys a
	cf_expect "Acknowledge $H2" "asks for a comment" 10
	cf_keys "taken over" Enter
	cf_expect "acknowledge handover $H2: done" "acknowledged from the console" 30
	cf_expect "Handover $H from nanyuan-operator" "then the next waiting note" 30
	cf_expect "pump at Dongyuan 01 still out" "with its words" 10
	cf_keys a
	cf_expect "Acknowledge $H" "asks again" 10
	cf_keys Enter
	cf_expect "acknowledge handover $H: done" "acknowledged without a comment" 30
	cf_expect "draft $D signed as $H2" "nothing waits: the shift under way, the draft signed" 30
	cf_expect "Last: $H2 signed by futian-supervisor, acknowledged by $HUB_ME" "the last note taken over" 10
	cf_tmux_kill
fi
TOKEN=$HUB_TOK_SUPER hub_get /api/v1/handover >/dev/null
[ -z "${CB_HANDOVER_TUI-1}" ] || cb_assert_eq "[] $HUB_ME $HUB_ME" \
	"$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/handover?id=$H" >/dev/null; hub_json '"%s %s %s" % (j["pending"], j["record"]["acked_by"], j["last"]["acked_by"])')" \
	"the hub has both acknowledged by the console's user"
hub_finish
cb_done
