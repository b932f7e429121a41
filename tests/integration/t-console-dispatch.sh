#!/bin/sh
# Dispatch (issue 19, items 7 and 8): the hub's one department table
# (GET /api/v1/departments, systems.json's names); the prompt's Tab
# completes department ids and shows their names, an unknown id is
# refused before anything is sent; a re-dispatch from the console's
# prompt keeps before and after in history and audit, so a removed
# supporting department shows.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"

cf_begin

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
# Tab on an ambiguous prefix lists the candidates; on a unique one it
# completes and names the department.
cf_keys "fi" Tab
cf_expect "金融工作局" "Tab lists finance for fi"
cf_keys "r" Tab
cf_expect "Tab lists): fire " "Tab completes fir to fire"
cf_expect "消防救援大队" "Tab shows the department's name"
# Tab on an empty word lists the others with their names.
cf_keys Tab
cf_expect "交通运输局" "Tab lists traffic with systems.json's name"
cf_expect "emergency" "Tab lists emergency"
cf_keys "em" Tab
cf_expect "Tab lists): fire emergency " "Tab completes em"
cf_keys "pol" Tab
cf_expect "Tab lists): fire emergency police " "Tab completes pol"
cf_keys Enter
cf_expect "Deadline" "deadline asked"
cf_keys Enter
cf_expect "dispatch A000001: done" "dispatched"
# Re-dispatch without police.
sleep 3; cf_keys d
cf_expect "Dispatch to department" "asked again"
# An unknown id is refused in the prompt, which stays open.
cf_keys "fire bogus" Enter
cf_expect '"bogus" is not a department' "an unknown department is refused"
cf_keys C-u "fire emergency" Enter
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

# One table: a rule naming a department not in systems.json is an error
# at --check-config (and start-up); a name given in rules.json is ignored,
# with a warning when it differs from systems.json's.
mkdir "$CF_DIR/ft"
cp "$top_srcdir"/conf/futian/*.json "$CF_DIR/ft/"
chmod u+w "$CF_DIR"/ft/*.json
python3 - "$CF_DIR/ft/rules.json" <<'PY'
import json, sys
p = sys.argv[1]
j = json.load(open(p))
j["departments"]["traffic"] = {"name": "交警福田大队"}
json.dump(j, open(p, "w"), ensure_ascii=False, indent=1)
PY
out=$("$CF_HUB_BIN" --check-config --config "$CF_DIR/ft/hub.json" 2>&1)
cb_assert_eq 0 $? "a department name in rules.json is only a warning"
cb_assert_contains "$out" "warning: \"departments.traffic.name\": \"交警福田大队\" is ignored: department \"traffic\" is \"交通运输局\"" \
	"the differing name is named, with the table's"
python3 - "$CF_DIR/ft/rules.json" <<'PY'
import json, sys
p = sys.argv[1]
j = json.load(open(p))
j["rules"][0]["dept"] = "trafic"
json.dump(j, open(p, "w"), ensure_ascii=False, indent=1)
PY
out=$("$CF_HUB_BIN" --check-config --config "$CF_DIR/ft/hub.json" 2>&1)
cb_assert_eq 1 $? "a rule's unknown department fails --check-config"
cb_assert_contains "$out" 'unknown department "trafic"' "the error names it"

cb_done
