# Shell library for integration tests: temporary directories, free ports,
# starting real programs and always cleaning up.  Source it first:
#   . "$top_srcdir/tests/integration/lib.sh"
# Exit codes: 0 pass, 1 fail, 77 skip (automake's convention).

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
CB_TEST=$(basename "$0" .sh)
CB_PIDS=""
CB_FAILED=0

CB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cb-$CB_TEST.XXXXXX")
# Where the logs of a failing run are kept (the scratch directory goes).
: "${CB_KEEP_LOGS:=$top_builddir/tests/integration/logs}"

# Every sanitized program this test starts, in the background or not,
# writes its ASan/UBSan/LSan reports to $CB_TMP/san.PID as well; the exit
# trap fails the test on any such file and on any report in a log.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$CB_TMP/san"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:log_path=$CB_TMP/san"
export ASAN_OPTIONS UBSAN_OPTIONS
CB_SAN_RE='ERROR: (Address|Leak)Sanitizer|runtime error:'

# cb_san_scan: fail the test on a sanitizer report in any log or report
# file of $CB_TMP (the programs must have exited: leaks show at exit).
cb_san_scan() {
	[ -z "${CB_SAN_SCANNED:-}" ] || return 0
	CB_SAN_SCANNED=1
	for _f in "$CB_TMP"/*.log "$CB_TMP"/san.*; do
		[ -f "$_f" ] || continue
		case "$_f" in
		*/san.*) ;;
		*) grep -qE "$CB_SAN_RE" "$_f" || continue ;;
		esac
		cb_fail "sanitizer report in $_f"
		grep -E -A 30 "$CB_SAN_RE" "$_f" | head -n 60
	done
}

# cb_keep_logs: copy the logs and reports of this run where they survive.
cb_keep_logs() {
	_keep="$CB_KEEP_LOGS/$CB_TEST"
	rm -rf "$_keep"
	mkdir -p "$_keep" 2>/dev/null || return 0
	for _f in "$CB_TMP"/*.log "$CB_TMP"/san.*; do
		[ -f "$_f" ] && cp "$_f" "$_keep/"
	done
	echo "logs of this run kept in $_keep"
}

cb_cleanup() {
	_status=$?
	for _name in $CB_PIDS; do
		cb_stop "$_name"
	done
	cb_san_scan
	if [ "$_status" -ne 0 ] || [ "$CB_FAILED" -ne 0 ]; then
		for _f in "$CB_TMP"/*.log; do
			[ -f "$_f" ] || continue
			echo "--- $_f (last 40 lines)"
			tail -n 40 "$_f"
		done
		cb_keep_logs
		[ "$_status" -ne 0 ] || _status=1
	fi
	rm -rf "$CB_TMP"
	exit "$_status"
}
trap cb_cleanup EXIT
trap 'exit 1' INT TERM HUP

# A private temporary directory under this test's own one.
cb_tmpdir() {
	mktemp -d "$CB_TMP/d.XXXXXX"
}

# A free TCP port on 127.0.0.1 (bind to port 0 and read it back).
cb_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# cb_start NAME CMD...: start CMD in the background, output in $CB_TMP/NAME.log
# (scanned for sanitizer reports at exit, kept when the test fails).
cb_start() {
	_name=$1
	shift
	# A name started again: its earlier log moves aside, still scanned.
	if [ -f "$CB_TMP/$_name.log" ]; then
		_n=1
		while [ -f "$CB_TMP/$_name.$_n.log" ]; do
			_n=$((_n + 1))
		done
		mv "$CB_TMP/$_name.log" "$CB_TMP/$_name.$_n.log"
	fi
	"$@" >"$CB_TMP/$_name.log" 2>&1 &
	eval "CB_PID_$_name=$!"
	CB_PIDS="$CB_PIDS $_name"
}

cb_pid() {
	eval "echo \${CB_PID_$1:-}"
}

# cb_stop NAME [SIGNAL]: stop a program we started, by its PID, and reap it.
# CB_STATUS is then its exit status: 128 + N when signal N ended it (137
# also when it was still running 10 s later and had to be killed), empty
# when NAME was not running.
cb_stop() {
	CB_STATUS=
	_pid=$(cb_pid "$1")
	[ -n "$_pid" ] || return 0
	kill "-${2:-TERM}" "$_pid" 2>/dev/null
	_i=0
	while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	CB_STATUS=$?
	eval "CB_PID_$1="
	return 0
}

# cb_wait_http URL [CURL-ARGS...]: wait up to 20 s for URL to answer.
cb_wait_http() {
	_url=$1
	shift
	_i=0
	while [ $_i -lt 200 ]; do
		if curl -s -o /dev/null "$@" "$_url"; then
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "timed out waiting for $_url"
	return 1
}

# cb_wait_file PATH: wait up to 20 s for PATH to exist.
cb_wait_file() {
	_i=0
	while [ ! -e "$1" ] && [ $_i -lt 200 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -e "$1" ]
}

# cb_wait_for CMD...: up to 20 s for CMD to succeed; its last status.
cb_wait_for() {
	_i=0
	while ! "$@" && [ $_i -lt 200 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	"$@"
}

# Assertions: print what was expected and carry on, failing at the end.
cb_fail() {
	echo "FAIL: $*"
	CB_FAILED=1
}

cb_assert_eq() { # expected actual what
	if [ "$1" != "$2" ]; then
		cb_fail "$3: expected '$1', got '$2'"
	fi
}

cb_assert_contains() { # haystack needle what
	case "$1" in
	*"$2"*) ;;
	*) cb_fail "$3: expected to contain '$2', got: $1" ;;
	esac
}

cb_done() {
	for _name in $CB_PIDS; do
		cb_stop "$_name"
	done
	cb_san_scan
	if [ "$CB_FAILED" -ne 0 ]; then
		exit 1
	fi
	echo "PASS: $CB_TEST"
	exit 0
}
