#!/bin/sh
# A shift end missed while the hub was down (issue 17): the hub, on its
# test clock, is stopped before the shift "late" ends and started after
# it; at start-up it drafts that shift's note by itself, marked late, once
# (audited as handover.draft), with the incidents of the shift inside the
# reader's scope; started again in the next shift, it drafts nothing more.
. "$top_srcdir/tests/integration/handover-lib.sh"

handover_begin
E1=$(event smoke/n1 $N1 high) # Nanyuan
E3=$(event smoke/f1 $F1 high) # Fubao: outside Nanyuan
incident() { # ALERT TITLE
	post "$HUB_TOK_SUPER" /api/v1/incidents "{\"alerts\": [\"$1\"], \"title\": \"$2\", \"dept\": \"water\"}" >/dev/null
	hub_json 'j.get("id", "")'
}
I1=$(incident "$E1" "smoke at Dongyuan")
I3=$(incident "$E3" "smoke at Xingang")
cb_assert_eq 200 "$(post "$HUB_TOK_SUPER" "/api/v1/incidents/$I1/dispatch" '{"dept": "water", "deadline": "2h"}')" "dispatch I1"
# The hub watched the shift: a tick has passed before it goes down.
sleep 2
TOKEN=$HUB_TOK_SUPER hub_get /api/v1/handover >/dev/null
cb_assert_eq True "$(hub_json 'j["draft"] is None')" "no draft before the shift's end"
hub_finish

# Down over the shift's end (T0 + 10 min); started 5 minutes after it.
set_clock 900000
handover_hub_start
until_json "the late draft" /api/v1/handover 'j["draft"] is not None'
D="D$((END_MS / 1000))"
cb_assert_eq "$D True late $FROM_MS $END_MS" \
	"$(hub_json '"%s %s %s %d %d" % (j["draft"]["id"], j["draft"]["late"], j["draft"]["shift"]["name"], j["draft"]["shift"]["from_ms"], j["draft"]["shift"]["to_ms"])')" \
	"the late draft of the shift that ended"
cb_assert_eq "[$(q $E1), $(q $E3)]" "$(ids fired)" "fired during the shift"
cb_assert_eq "[$(q $I1), $(q $I3)] [$(q $I1), $(q $I3)]" "$(ids incidents_open) $(ids incidents_new)" "the district's incidents"
cb_assert_eq "dispatched water True" \
	"$(hub_json '"%s %s %s" % (j["draft"]["content"]["incidents_open"][0]["state"], j["draft"]["content"]["incidents_open"][0]["lead"], j["draft"]["content"]["incidents_open"][0]["deadline_ms"] > 0)')" \
	"an open incident with its lead department and deadline"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/handover)" "operator GET"
cb_assert_eq "[$(q $I1)] [$(q $I1)]" "$(ids incidents_open) $(ids incidents_new)" "Nanyuan's operator: Nanyuan's incident only"
cb_assert_eq "[$(q $I1)]" "$(hub_json '[x["id"] for x in j["incidents_open"]]')" \
	"and in the note on demand of the shift under way"
count_drafts() {
	TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/audit?action=handover.draft" >/dev/null
	hub_json '" ".join("%s %s %s" % (e["target"], e["who"], e["after"]["late"]) for e in j["entries"])'
}
cb_assert_eq "$D system/shift True" "$(count_drafts)" "one late draft, audited"
# `citybrain handover`: the note of the shift under way, with its incidents.
out=$("$top_builddir/tui/citybrain" -S "$HUB_SOCKET" handover 2>&1)
cb_assert_contains "$out" "open incidents (2)" "citybrain handover: open incidents"
cb_assert_contains "$out" "$I1  dispatched lead water, deadline" "citybrain handover: the incident's lead and deadline"
cb_assert_contains "$out" "incidents opened during the shift (0)" "citybrain handover: none opened in the new shift"
# The console's Handover screen: the late draft with its incidents.
if command -v "$TMUX_BIN" >/dev/null 2>&1; then
	cf_tmux 160 50 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $HUB_SOCKET -d 1"
	cf_keys ":handover" Enter
	cf_expect "Draft $D of the shift that ended, built by the hub late" "the console shows the late draft" 30
	cf_expect "Open incidents (2)" "with the open incidents" 10
	cf_expect "Incidents opened during the shift (2)" "and those opened during the shift" 10
	cf_tmux_kill
fi
hub_finish

# Started again in the same (next) shift: no second draft.
set_clock 960000
handover_hub_start
sleep 3
cb_assert_eq "$D system/shift True" "$(count_drafts)" "still one draft after another restart"
TOKEN=$HUB_TOK_SUPER hub_get /api/v1/handover >/dev/null
cb_assert_eq "$D True" "$(hub_json '"%s %s" % (j["draft"]["id"], j["draft"]["late"])')" "the same draft"
hub_finish
cb_done
