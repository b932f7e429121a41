#!/bin/sh
# Dispatch (issue 19, items 7 and 8): the hub's one department table
# (GET /api/v1/departments, systems.json's names); a re-dispatch from the
# console's prompt keeps before and after in history and audit, so a
# removed supporting department shows.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"

command -v "$TMUX_BIN" >/dev/null 2>&1 || { echo "SKIP: no tmux"; exit 77; }
[ -x "$CF_HUB_BIN" ] || { echo "SKIP: no hub binary"; exit 77; }
trap '_s=$?; cf_tmux_kill; (exit $_s); cb_cleanup' EXIT

cf_hub_start
cf_load # A000001: water level 4.80 m in 滨江07
UTF8="env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color"

# The one table, from systems.json.
st=$(curl -s -o "$CF_DIR/depts.json" -w '%{http_code}' --unix-socket "$CF_SOCKET" \
	http://hub/api/v1/departments)
cb_assert_eq 200 "$st" "GET /api/v1/departments"
cb_assert_eq "交通运输局" "$(python3 -c 'import json,sys
print([d["name"] for d in json.load(open(sys.argv[1]))["departments"] if d["id"] == "traffic"][0])' "$CF_DIR/depts.json")" \
	"traffic has systems.json's name"

cf_tmux 120 30 "$UTF8 $CF_BIN -S $CF_SOCKET -d 1"
cf_keys 4
cf_expect "water level 4.80 m" "the alert is listed"
cf_keys / "water level 4.80" Enter
sleep 0.3
sleep 3; cf_keys d
cf_expect "Dispatch to department" "the dispatch prompt"
cf_keys "fire emergency police"
cf_keys Enter
cf_expect "Deadline" "deadline asked"
cf_keys Enter
cf_expect "dispatch A000001: done" "dispatched"
# Re-dispatch without police.
sleep 3; cf_keys d
cf_expect "Dispatch to department" "asked again"
cf_keys "fire emergency" Enter
cf_expect "Deadline" "deadline asked again"
cf_keys Enter
cf_expect "dispatch A000001: done" "re-dispatched"
cf_tmux_kill

curl -s --unix-socket "$CF_SOCKET" http://hub/api/v1/alerts/A000001 >"$CF_DIR/a.json"
cb_assert_eq "['emergency', 'police'] ['emergency']" "$(python3 -c 'import json,sys
h = [x for x in json.load(open(sys.argv[1]))["history"] if x["action"] == "dispatch"][-1]
print(h["before"]["support"], h["after"]["support"])' "$CF_DIR/a.json")" \
	"the re-dispatch's history: police removed is visible"
curl -s --unix-socket "$CF_SOCKET" "http://hub/api/v1/audit?action=alert.dispatch" >"$CF_DIR/audit.json"
cb_assert_contains "$(cat "$CF_DIR/audit.json")" '"police"' "the audit entries name police"
cb_assert_eq "['emergency', 'police']" "$(python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
e = [x for x in j["entries"] if x.get("action") == "alert.dispatch"][-1]
print(e["before"]["support"])' "$CF_DIR/audit.json")" \
	"the audit's before of the re-dispatch keeps police"

cb_done
