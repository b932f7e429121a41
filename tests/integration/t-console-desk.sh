#!/bin/sh
# The console's Desk screen (issue 17): `citybrain --desk dispatch` opens
# on the desk's queue in its configured columns, with the desk's name, its
# size and who is on duty; Enter shows an alert's history; the Alerts
# screen's action keys act on the queue (a, d through the API); :desk ID
# switches desks (Tab completes), :desk none leaves.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"
trap '_s=$?; cf_tmux_kill; (exit $_s); cb_cleanup' EXIT

command -v "$TMUX_BIN" >/dev/null 2>&1 || { echo "no tmux"; exit 77; }
hub_conf supervisor 440304000000
cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s"},
 "desks": [
  {"id": "emergency", "name": "应急指挥中心", "filter": {"severity": ["high"]}},
  {"id": "dispatch", "name": "分拨处置中心", "filter": {"source": ["event"], "dispatched": false},
   "columns": ["id", "severity", "state", "place", "message", "age"]}
 ],
 "rules": []}
JSON
hub_start
f="$HUB_DIR/body.json"
G1=440304001001001
event() { # KEY SEVERITY MESSAGE: prints the alert id
	printf '{"key": "%s", "severity": "%s", "labels": {"grid": "%s", "system": "water-level-iot"}, "message": "%s"}' \
		"$1" "$2" "$G1" "$3" >"$f"
	[ "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/events "$f")" = 202 ] || cb_fail "event $1: $(cat "$HUB_OUT")"
	hub_json 'j["id"]'
}
A1=$(event pump/1 high "pump station flooded")
A2=$(event drain/1 medium "blocked drain")
alert() { hub_sock "/api/v1/alerts/$1" >/dev/null; hub_json "$2"; }

cf_tmux 80 24 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $HUB_SOCKET -d 1 --desk dispatch"
cf_expect "分拨处置中心 (dispatch)  2 in the queue  on duty: $HUB_ME" \
	"the header line: the desk's name, its queue, who is on duty" 30
cf_expect "$A1" "the queued alert"
cf_expect "pump station flooded" "its message column"
cf_expect "Age" "the desk's configured columns"
cf_reject "Ack by" "not the Alerts screen's columns"
# The worst first: A1 (high) is selected.  Enter: its history.
cf_keys Enter
cf_expect "History (" "Enter opens the alert's history"
cf_keys Escape
cf_expect "2/2 queued" "Esc returns to the queue"
# a acknowledges through the same prompts as the Alerts screen.
cf_keys a
cf_expect "Acknowledge $A1 - comment:" "a asks for a comment"
cf_keys "pumps on the way" Enter
cf_expect "Expires after" "then the expiry"
cf_keys Enter
cf_expect "acknowledge $A1: done" "sent"
cb_assert_eq "acknowledged $HUB_ME" "$(alert "$A1" '"%s %s" % (j["state"], j["ack"]["by"])')" \
	"the desk's a acknowledged the alert"
# d dispatches: the alert leaves the dispatch desk's queue.
cf_keys Down d
cf_expect "Dispatch to department" "d asks where to"
cf_keys water Enter
cf_expect "Deadline" "then the deadline"
cf_keys Enter
cf_expect "dispatch $A2: done" "dispatched"
cb_assert_eq water "$(alert "$A2" 'j["dept"]')" "the desk's d dispatched the alert"
cf_expect "1 in the queue" "the dispatched alert leaves the queue" 15
# The help names what the keys act on: the Desk does not tag.
cf_keys '?'
cf_expect "make an incident of the selected alert" "the help: i acts on the selected alert"
cf_reject "tagged" "no tagging promised on the Desk"
cf_keys Escape
cf_expect "1 in the queue" "Esc closes the help"
# :desk with Tab completion switches desks; :desk none leaves.
cf_keys : "desk em" Tab # the Desk screen has the desks' ids already
cf_expect ":desk emergency" "Tab completes the desk id"
cf_keys Enter
cf_expect "应急指挥中心 (emergency)  1 in the queue  on duty: $HUB_ME" "the other desk" 15
cf_keys : "desk none" Enter
cf_expect "on desk none" ":desk none says so"
cf_reject "应急指挥中心 (emergency)" ":desk none leaves the Desk screen"
hub_sock /api/v1/desks/emergency >/dev/null
cb_assert_eq "" "$(hub_json '" ".join(p["user"] for p in j["on_duty"])')" "off the desk"
cf_tmux_kill
hub_finish
cb_done
