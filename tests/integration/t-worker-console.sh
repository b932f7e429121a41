#!/bin/sh
# The console's side of the grid workers (tmux): `w` on an alert offers
# the workers on duty of its grid and assigns, again to reassign, Tab
# completing the worker's name from the hub's list; the
# alert detail shows the assignee and the workers' reports with time and
# text; the grid detail lists its workers on duty, on site or not.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/worker-lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"
trap '_s=$?; cf_tmux_kill; (exit $_s); cb_cleanup' EXIT
command -v "$TMUX_BIN" >/dev/null 2>&1 || {
	echo "tmux is not installed (./bootstrap installs it)"
	exit 77
}

hub_conf supervisor 440304000000
worker_conf 30m
hub_start
signin() { # NAME GRID -> token in $TOK
	worker_enrol "$1" "$2"
	cb_assert_eq 200 "$(post "" /api/v1/m/signin "{\"code\": \"$CODE\"}")" "sign in $1"
	TOK=$(hub_json 'j["token"]')
}
signin w1 "$G1"
T1=$TOK
signin w2 "$G2"
worker_enrol w3 "$G1" # a code only: not on duty
cb_assert_eq 200 "$(post "$T1" /api/v1/m/checkin '{"building": "T-B1"}')" "w1 on site"
cb_assert_eq 202 "$(post "$HUB_TOK_COLLECTOR" /api/v1/events "{\"key\": \"flood/g1\", \"severity\": \"high\", \"labels\": {\"grid\": \"$G1\", \"system\": \"water-level-iot\"}, \"message\": \"积水 flooding\", \"dept\": \"water\"}")" "an alert in G1"
A1=$(hub_json 'j["id"]')
cb_assert_eq 200 "$(post "$T1" /api/v1/m/tasks/$A1/accept '{}')" "w1 accepts"
cb_assert_eq 200 "$(post "$T1" /api/v1/m/tasks/$A1/progress '{"text": "水深20厘米 water 20 cm"}')" "w1 reports"
assignee() {
	hub_sock "/api/v1/alerts/$A1" >/dev/null
	hub_json '[h["after"]["worker"] for h in j["history"] if h["action"] == "assign"][-1:]'
}

cf_tmux 200 45 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $HUB_SOCKET -d 1 -s alerts"
cf_expect "$A1" "the console lists the alert"
cf_keys / "$A1" Enter
sleep 0.3
cf_keys w
cf_expect "Assign $A1 to (w1 on site)" "w offers the one worker on duty of the grid"
cf_reject "w2" "not another grid's worker"
cf_reject "w3" "not a worker who has not signed in"
cf_keys Enter
cf_expect "assign $A1: done" "assigned"
cb_assert_eq '["w1"]' "$(assignee)" "the hub has the assignment"

signin w4 "$G1"
sleep 1.5
cf_keys w
cf_expect "Assign $A1 to (w1 on site, w4)" "both workers on duty now"
cf_keys w4 Enter
cf_expect "assign $A1: done" "reassigned"
cb_assert_eq '["w4"]' "$(assignee)" "the hub has the new assignment"

signin li.ming "$G1"
cf_keys w
cf_expect "Assign $A1 to (w1 on site, w4, li.ming), Tab completes: " "a third worker offered, with completion"
cf_keys w Tab
cf_expect "w1 w4" "Tab shows the names that match"
cf_keys C-u l Tab
cf_expect "Tab completes: li.ming" "Tab completes the name"
cf_keys Enter
_i=0
while [ "$(assignee)" != '["li.ming"]' ] && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
cb_assert_eq '["li.ming"]' "$(assignee)" "reassigned to the completed name"

cf_keys Enter
cf_expect "worker   li.ming (assigned by" "the alert detail names the assignee"
cf_expect "Field reports (2)" "and the workers' reports"
cf_expect "w1         accept" "accept, by w1"
cf_expect "w1         progress 水深20厘米 water 20 cm" "the progress report with its text"

cf_keys g
cf_expect "Workers on duty (3)" "the grid detail lists its workers"
cf_expect "w1  0 open tasks  on site T-B1" "w1 on site"
cf_expect "w4  0 open tasks  not on site" "w4 not on site, the task gone to li.ming"
cf_expect "li.ming  1 open tasks  not on site" "li.ming with the task"
cf_tmux_kill
hub_finish
exit "$CB_FAILED"
