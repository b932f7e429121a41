#!/bin/sh
# tools/demo --as USER (issue 19): the demo's console as a lesser user of
# conf/futian/users.json (a token the demo makes), an unknown user refused
# with the valid ones; the hub dying stops the console and the demo with
# a message.
. "$top_srcdir/tests/integration/lib.sh"

TMUX_BIN=${TMUX_BIN:-tmux}
for _t in python3 curl "$TMUX_BIN"; do
	command -v "$_t" >/dev/null 2>&1 || { echo "SKIP: no $_t"; exit 77; }
done
for _f in hub/citybraind collectors/citybrain-collector tui/citybrain \
    plugins/.libs/simulator.so; do
	[ -e "$top_builddir/$_f" ] || { echo "SKIP: $_f not built"; exit 77; }
done

TSOCK=cb-demo-as-$$
trap '_s=$?; "$TMUX_BIN" -L "$TSOCK" kill-server 2>/dev/null; (exit $_s); cb_cleanup' EXIT
VAR=$CB_TMP/var
XDG_RUNTIME_DIR=$CB_TMP/xdg
export XDG_RUNTIME_DIR
DEMO="$top_srcdir/tools/demo --var $VAR --build $top_builddir --backfill 0"

out=$($DEMO --no-console --as nobody-such --port "$(cb_free_port)" 2>&1)
cb_assert_eq 1 "$?" "--as an unknown user fails"
cb_assert_contains "$out" "--as nobody-such: no such user" "it says so"
cb_assert_contains "$out" "nanyuan-operator" "and names the users"

screen() {
	"$TMUX_BIN" -L "$TSOCK" capture-pane -p -t 0
}
expect() { # TEXT WHAT SECONDS
	_end=$(($(date +%s) + $3))
	while [ "$(date +%s)" -le $_end ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.2
	done
	cb_fail "$2: the screen does not show '$1':"
	screen | sed 's/^/    | /'
}

"$TMUX_BIN" -L "$TSOCK" -f /dev/null new-session -d -x 140 -y 30 \
	"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $DEMO --as nanyuan-operator --port $(cb_free_port); echo demo-exit=\$?; sleep 600" ||
	{ cb_fail "tmux did not start"; exit 1; }
"$TMUX_BIN" -L "$TSOCK" set-option -g status off >/dev/null
expect "nanyuan-operator operator@" "the console is the Nanyuan operator" 60
expect "hub ok" "the console reaches the hub" 30

# The hub dies: the console and the demo stop, saying why.
cb_wait_file "$VAR/hub.pid"
kill -KILL "$(cat "$VAR/hub.pid")"
expect "the hub exited; demo stopped" "the demo notices its hub dying" 20
expect "demo-exit=1" "the demo exits 1" 20
# The collector it started is stopped too.
_i=0
while pgrep -f "citybrain-collector --config $VAR/collector.json" >/dev/null && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
pgrep -f "citybrain-collector --config $VAR/collector.json" >/dev/null &&
	cb_fail "the demo's collector still runs"

cb_done
