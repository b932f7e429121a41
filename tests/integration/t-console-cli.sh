#!/bin/sh
# The console's script forms against the real hub: overview --once
# [--json], alerts [--json], ack ID -m TEXT, audit verify, and the program
# contract (usage, exit codes) when the hub is not there.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"

[ -x "$CF_HUB_BIN" ] || { echo "SKIP: no hub binary"; exit 77; }
export LANG=C.UTF-8 LC_ALL=C.UTF-8

# No hub: a clear error and exit 1, never a hang.
out=$("$CF_BIN" -S "$CB_TMP/nothing.sock" overview --once 2>&1)
cb_assert_eq 1 "$?" "overview --once without a hub exits 1"
cb_assert_contains "$out" "hub unreachable" "error names the problem"
cb_assert_contains "$out" "nothing.sock" "error names the socket"
"$CF_BIN" ack 2>/dev/null
cb_assert_eq 2 "$?" "ack without an id is a usage error"
"$CF_BIN" frobnicate 2>/dev/null
cb_assert_eq 2 "$?" "unknown command is a usage error"
"$CF_BIN" --frobnicate 2>/dev/null
cb_assert_eq 2 "$?" "unknown flag is a usage error"
out=$("$CF_BIN" overview </dev/null 2>&1)
cb_assert_eq 2 "$?" "interactive without a terminal exits 2"
cb_assert_contains "$out" "not a terminal" "says why"

cf_hub_start
cf_load
ME=$(id -un)
export CITYBRAIN_SOCKET="$CF_SOCKET"

out=$("$CF_BIN" overview --once)
cb_assert_eq 0 "$?" "overview --once"
cb_assert_contains "$out" "福田区 (440304000000)" "overview title"
cb_assert_contains "$out" "alerts 3: 1 high, 1 medium, 1 low" "alert counts"
cb_assert_contains "$out" "华强北街道" "subdistricts"
cb_assert_contains "$out" "预警监测平台" "platforms"
# Aligned: the SEV column starts at one display column on every row.
n=$(printf '%s\n' "$out" | grep -E '^(南园街道|香蜜湖街道|华强北街道|SUBDISTRICT) ' |
	python3 -c 'import sys, unicodedata, re
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(len({w(l[:re.search(r"\s(HIGH|MED|LOW|ok|SEV)\s", l).start()]) for l in sys.stdin}))')
cb_assert_eq 1 "$n" "overview --once columns aligned with Chinese names"

out=$("$CF_BIN" overview --once --json | python3 -c 'import json,sys
j = json.load(sys.stdin); print(len(j["subdistricts"]), j["alerts"]["total"])')
cb_assert_eq "10 3" "$out" "overview --once --json is the hub's JSON"

out=$(LANG=C LC_ALL=C "$CF_BIN" overview --once)
cb_assert_contains "$out" "Nanyuan" "C locale: pinyin names"
case "$out" in
*南园*) cb_fail "C locale: Chinese in the output" ;;
esac

out=$("$CF_BIN" alerts)
cb_assert_contains "$out" "A000001" "alerts lists ids"
cb_assert_contains "$out" "3 alerts" "alerts counts"
n=$("$CF_BIN" alerts --json --severity high | python3 -c 'import json,sys
print(len(json.load(sys.stdin)["alerts"]))')
cb_assert_eq 1 "$n" "alerts --json --severity high"

out=$("$CF_BIN" ack A000002 -m "crew on site" --expires 2h)
cb_assert_eq 0 "$?" "ack exits 0"
cb_assert_contains "$out" "acknowledged A000002 by $ME" "ack says who"
out=$("$CF_BIN" ack A000002 -m "again" 2>&1)
cb_assert_eq 1 "$?" "a second ack fails"
cb_assert_contains "$out" "409" "the conflict is reported"
out=$("$CF_BIN" ack A999999 -m "x" 2>&1)
cb_assert_eq 1 "$?" "ack of an unknown alert fails"

out=$("$CF_BIN" audit verify)
cb_assert_eq 0 "$?" "audit verify exits 0 on an intact chain"
cb_assert_contains "$out" "audit chain intact" "audit verify says so"
out=$("$CF_BIN" whoami)
cb_assert_contains "$out" "$ME supervisor" "whoami"

# No flag, no CITYBRAIN_SOCKET: this user's link (as ./bootstrap demo
# makes it) is found.
mkdir -p "$CB_TMP/rt/citybrain-$(id -u)"
ln -s "$CF_SOCKET" "$CB_TMP/rt/citybrain-$(id -u)/citybraind.sock"
out=$(env -u CITYBRAIN_SOCKET XDG_RUNTIME_DIR="$CB_TMP/rt" "$CF_BIN" whoami 2>&1)
cb_assert_contains "$out" "$ME supervisor" "the user's socket link is found"

# TCP with a token instead of the socket: a collector token may not read.
out=$(CITYBRAIN_TOKEN=$CF_TOKEN "$CF_BIN" --hub "$CF_URL" whoami 2>&1)
cb_assert_eq 1 "$?" "collector token cannot use the console"
cb_assert_contains "$out" "403" "the refusal is shown"
cb_done
