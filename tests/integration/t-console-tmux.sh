#!/bin/sh
# The console driven through tmux against the real hub loaded with fixture
# data (tests/integration/console-fixture.sh), asserting on what an
# operator sees: the overview at 80x24 and 200x50, a drill-down to a grid,
# acknowledging an alert and finding it in the audit with the operator's
# name, filter, help, resizing while in use (down to 20x10), a non-UTF-8
# locale without colour, and the hub stopped and restarted underneath.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"

cf_begin

cf_hub_start
cf_load
ME=$(id -un)
UTF8="env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color"
CONSOLE="$CF_BIN -S $CF_SOCKET -d 1"
EXITF="$CF_DIR/console.exit"

# ---- Overview at 80x24 -------------------------------------------------
cf_tmux 80 24 "$UTF8 $CONSOLE 2>$CF_DIR/console-stderr.log; echo exit=\$? >$EXITF"
cf_expect "$ME supervisor@福田区" "header names the operator and scope"
cf_expect "hub ok" "header shows the link"
cf_expect "南园街道" "overview lists subdistricts"
cf_expect "华强北街道" "overview lists all ten subdistricts"
cf_expect "alerts 3: 1 high 1 medium 1 low" "overview counts alerts"
cf_expect "预警监测平台" "overview lists platforms"
cf_expect "data " "data age is visible"
# Chinese names keep the columns aligned: the Sev column starts at the
# same place on every subdistrict row.
cols=$(cf_screen | grep -E '^[ >](南园街道|香蜜湖街道|华强北街道) ' |
	python3 -c 'import sys, unicodedata, re
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(len({w(l[:re.search(r"\s(HIGH|MED|LOW|ok)\s", l).start()]) for l in sys.stdin}))')
cb_assert_eq 1 "$cols" "severity column aligned across Chinese names"

# ---- Help, from the binding tables ----------------------------------------
cf_keys '?'
cf_expect "Help (arrows scroll" "help overlay opens"
cf_expect "overview of the whole district" "help lists the global keys"
cf_keys x
sleep 0.3
cf_reject "Help (arrows scroll" "help closes on a key"

# ---- Drill-down to a grid ----------------------------------------------
cf_keys Enter
cf_expect "福田区 › 南园街道" "breadcrumb after Enter on a subdistrict"
cf_expect "滨江社区" "communities of Nanyuan listed"
cf_keys / 滨江 Enter
sleep 0.3
cf_reject "东园社区" "filter hides other communities"
cf_keys Enter
cf_expect "福田区 › 南园街道 › 滨江社区" "breadcrumb at the community"
cf_expect "滨江07" "grids of the community listed"
cf_keys / C-u 07 Enter
sleep 0.3
cf_keys Enter
cf_expect "440304001003007" "grid detail opened"
cf_expect "People responsible" "grid detail shows the people"
cf_expect "社区民警" "grid detail names the police officer"
cf_expect "water level 4.80 m" "grid detail shows its alert"
cf_expect "level=high" "rows of one metric told apart by their labels"
cf_expect "level=low" "rows of one metric told apart by their labels"
# The chart has a time axis: start, middle and end of its range.
cf_wait "last 6 hours" 10
if ! cf_screen | grep -qE '[0-9]{2}:[0-9]{2} {10,}[0-9]{2}:[0-9]{2} {10,}[0-9]{2}:[0-9]{2}'; then
	cb_fail "the chart has no time axis:"
	cf_screen | sed 's/^/    | /'
fi
cf_keys Escape
cf_expect "grid                Sev" "Esc returns to the territory's grids"
sleep 0.3
cf_keys Escape
cf_expect "community           Sev" "Esc again goes up a level"
cf_keys / C-u Enter
cf_expect "东园社区" "an empty filter shows every community"

# ---- Acknowledge an alert, then the audit shows it -------------------------
cf_keys 4
cf_expect "A000001" "alerts screen lists the alerts"
cf_keys / A000001 Enter
cf_keys a
cf_expect "Acknowledge A000001 - comment:" "ack asks for a comment"
cf_keys "pumps on the way" Enter
cf_expect "Expires after" "ack asks for an optional expiry"
cf_keys Enter
cf_expect "acknowledge A000001: done" "ack sent"
cf_expect "acked      $ME" "the alert shows who acknowledged it"
acked=$("$CF_BIN" -S "$CF_SOCKET" alerts --json | python3 -c 'import json,sys
print([a["ack"]["by"] for a in json.load(sys.stdin)["alerts"] if a["id"] == "A000001" and a.get("ack")])')
cb_assert_eq "['$ME']" "$acked" "the hub has the acknowledgement"
cf_keys Enter
cf_expect "History" "Enter shows the alert's history"
cf_expect "pumps on the way" "history has the comment"
cf_keys Escape
cf_keys 8
cf_expect "alert.ack" "audit lists the acknowledgement"
if ! cf_screen | grep "alert.ack" | grep -q "$ME"; then
	cb_fail "audit line of the ack does not name $ME"
	cf_screen | sed 's/^/    | /'
fi
cf_keys / ack Enter
sleep 0.3
cf_reject "alert.fire" "audit filter"

# ---- Grouped alerts: one line per rule and place, Enter expands --------
for g in 440304002001001 440304002001002 440304002001003; do
	cf_event "{\"key\": \"test/lvl/$g\", \"rule\": \"water-level-high\",
	  \"severity\": \"medium\", \"labels\": {\"grid\": \"$g\"},
	  \"message\": \"water level high\", \"dept\": \"water\"}"
done
cf_keys 4
cf_keys / C-u Enter
cf_expect "[+2 like it] water" "three alerts of one rule and place on one line"
cf_keys / "level high" Enter
sleep 0.3
cf_keys Enter
cf_expect "3/" "Enter expands the group"
cf_reject "[+2 like it]" "expanded group"
cf_keys Escape
cf_expect "[+2 like it]" "Esc collapses it again"

# ---- Command line with completion -------------------------------------
cf_keys : ov Tab
cf_expect ":overview" "Tab completes a command"
cf_keys Enter
cf_expect "Active alerts, worst first" "the command opened the overview"

# ---- Resize while in use ----------------------------------------------
"$TMUX_BIN" -L "$CF_TMUX" resize-window -t 0 -x 200 -y 50
cf_expect "2Territory" "200x50 shows full tab names"
cf_expect "noise 72 dB" "200x50 shows every active alert"
"$TMUX_BIN" -L "$CF_TMUX" resize-window -t 0 -x 20 -y 10
cf_expect "terminal too small" "20x10 says the terminal is too small"
"$TMUX_BIN" -L "$CF_TMUX" resize-window -t 0 -x 80 -y 24
cf_expect "1Over 2Terr" "back to 80x24"
cf_expect "南园街道" "overview again after the resizes"

# ---- The hub goes away and comes back -----------------------------------
cb_stop hub
cf_expect "hub DOWN" "header says the hub is down" 10
cf_expect "hub unreachable" "banner explains" 5
cf_expect "南园街道" "the last data stays on screen"
cf_hub_restart
cf_expect "hub ok" "reconnects after the hub restarts" 20
cf_reject "hub unreachable" "banner gone after reconnecting"

# ---- Quit ----------------------------------------------------------------
cf_keys q
cb_wait_file "$EXITF"
cb_assert_eq "exit=0" "$(cat "$EXITF" 2>/dev/null)" "q quits with status 0"
if [ -s "$CF_DIR/console-stderr.log" ]; then
	cb_fail "console wrote to stderr: $(head -c 500 "$CF_DIR/console-stderr.log")"
fi
cf_tmux_kill

# ---- 200x50 from the start ------------------------------------------------
cf_tmux 200 50 "$UTF8 $CONSOLE"
cf_expect "Active alerts, worst first (6 counted)" "200x50 overview has the alert list"
cf_expect "smoke detector 12 in alarm" "200x50 shows the alerts"
cf_expect "blind rules " "the overview's quality line has the data-quality check"
cf_keys 5
cf_expect "grid under the cursor" "map screen"
cf_keys n
cf_expect "HIGH" "n jumps to a grid with an alert"
cf_tmux_kill

# ---- Systems: problems first (issue 19) -------------------------------------
printf 'system,system=sanitation up=0\n' >"$CF_DIR/down.lp"
st=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CF_TOKEN" \
	--data-binary "@$CF_DIR/down.lp" "$CF_URL/api/v1/write")
cb_assert_eq 204 "$st" "sanitation reported down"
cf_tmux 120 30 "$UTF8 $CONSOLE"
cf_keys 6
cf_expect "1 down" "the Systems screen counts the system down"
row=$(cf_screen | sed -n 4p)
cb_assert_contains "$row" "sanitation" "the system down is the first row, before the platforms' others"
cb_assert_contains "$row" "DOWN" "and shows DOWN"
cf_tmux_kill

# ---- Non-UTF-8 locale, no colour -------------------------------------------
cf_tmux 80 24 "env LANG=C LC_ALL=C NO_COLOR=1 TERM=xterm $CONSOLE"
cf_expect "Nanyuan" "C locale shows names in pinyin"
cf_expect "Huaqiangbei" "C locale: every subdistrict"
cf_expect "HIGH" "severity shown as text without colour"
cf_reject "南园" "no Chinese in a C locale"
cf_reject "│" "no box drawing in a C locale"
cf_keys 4
cf_expect "A000001" "alerts in a C locale"
cf_tmux_kill

cb_done
