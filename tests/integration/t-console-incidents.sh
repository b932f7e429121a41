#!/bin/sh
# The console's incidents (issue 17) in tmux against a real hub: in the
# Alerts screen two alerts are tagged and "i" makes them one incident with
# a title; the Incidents screen (9) lists it, Enter shows its alerts and
# its timeline, "d" dispatches it (and so its alerts); the alert's detail
# names its incident.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"

cf_begin
cf_hub_start
cf_load # A000001 water (滨江07), A000002 smoke, A000003 noise
UTF8="env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color"

cf_tmux 140 35 "$UTF8 $CF_BIN -S $CF_SOCKET -d 1"
cf_keys 4
cf_expect "water level 4.80 m" "the alerts are listed"
cf_keys / "water level 4.80" Enter
cf_expect "/water level 4.80" "filtered to the flood"
cf_keys Space
cf_keys Escape
cf_expect "smoke detector 12" "the filter cleared"
cf_keys / "smoke detector" Enter
cf_expect "/smoke detector" "filtered to the smoke"
cf_keys Space
cf_keys Escape
cf_keys i
cf_expect "Incident title" "i asks for the incident's title"
cf_keys "滨江 flood and smoke" Enter
cf_expect "make an incident of 2 alerts: done" "the incident is made"

cf_keys 9
cf_expect "滨江 flood and smoke" "the Incidents screen lists it"
cf_expect "I000001" "with its id"
cf_keys Enter
cf_expect "Timeline" "Enter opens it"
cf_expect "A000001" "its alerts"
cf_expect "smoke detector 12 in alarm" "both of them"
cf_expect "create" "the timeline starts with its creation"
cf_keys d
cf_expect "Dispatch the incident" "d asks for the departments"
cf_keys "water fire" Enter
cf_expect "dispatch I000001: done" "dispatched"
cf_expect "dispatched" "the detail shows it dispatched"
cf_keys Escape
cf_keys 4
cf_keys / "water level 4.80" Enter
cf_expect "/water level 4.80" "filtered again"
cf_keys Enter
cf_expect "incident I000001" "the alert's detail names its incident"
cf_tmux_kill

curl -s --unix-socket "$CF_SOCKET" http://hub/api/v1/alerts/A000002 >"$CF_DIR/a.json"
cb_assert_eq "I000001 water" "$(python3 -c 'import json,sys
a = json.load(open(sys.argv[1]))
print(a["incident"], a["dept"])' "$CF_DIR/a.json")" "the smoke alert: in the incident, dispatched with it"
cb_stop hub
cb_done
