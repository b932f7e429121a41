#!/bin/sh
# Installation test of the Debian packages, as an administrator would do it:
# build them from a clean copy of this tree (dpkg-buildpackage -us -uc -b),
# check them with lintian (no errors, no warnings), `apt-get install
# ./citybrain-*.deb`, check the installed units with systemd-analyze verify,
# start citybraind the way its unit does (user, umask, ExecStart), and run
# the installed console as an operator in the group citybrain, with no
# flags and no environment, through the default socket.
#
# Everything after the build runs in private mount and network namespaces:
# overlays on /usr, /etc and /var whose changes go to a temporary directory,
# a tmpfs on /run, loopback only.  The host's packages, users and
# files are not touched; the temporary directory is removed at the end.
#
# Needs root (unshare, mount) and the packages of debian/control's
# Build-Depends plus lintian, systemd and iproute2 (./bootstrap deb installs
# them).  Usage: tests/deb/t-install.sh [DIR-WITH-DEBS]
# (with a directory, its citybrain_*.changes and .debs are used as they are).
# Exit 0 pass, 1 fail, 77 skip (not root, or no namespaces).
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
say() { printf 't-install: %s\n' "$*"; }
fail() { say "FAIL: $*"; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
	say "SKIP: needs root (unshare and mount)"
	exit 77
fi
if ! unshare -mn true 2>/dev/null; then
	say "SKIP: cannot make mount and network namespaces here"
	exit 77
fi
for t in dpkg-buildpackage lintian systemd-analyze apt-get ip setpriv; do
	command -v "$t" >/dev/null 2>&1 || fail "$t is missing (./bootstrap deb installs it)"
done

T=$(mktemp -d /tmp/cb-deb.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM

if [ $# -ge 1 ]; then
	DEBS=$(cd "$1" && pwd)
else
	# A clean tree: only the files git knows, as dpkg-buildpackage expects.
	say "building the packages (log: build.log on failure)"
	mkdir -p "$T/src"
	git -C "$TOP" ls-files -z | (cd "$TOP" && xargs -0 cp --parents -t "$T/src")
	if ! (cd "$T/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc 2>/dev/null || echo 2)" \
	    dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
		tail -40 "$T/build.log"
		fail "dpkg-buildpackage -us -uc -b failed"
	fi
	DEBS=$T
fi
set -- "$DEBS"/citybrain_*.changes
[ -f "$1" ] || fail "no citybrain_*.changes in $DEBS"
CHANGES=$1

say "lintian $(basename "$CHANGES")"
if ! lintian --fail-on error,warning "$CHANGES" >"$T/lintian.log" 2>&1; then
	cat "$T/lintian.log"
	fail "lintian reports errors or warnings"
fi
grep -v '^running with root' "$T/lintian.log" || true

# The rest runs inside the namespaces (below, as $T/inside.sh).
cat >"$T/inside.sh" <<'INSIDE'
set -eu
T=$1 DEBS=$2
say() { printf 't-install: %s\n' "$*"; }
fail() { say "FAIL: $*"; [ -f "$T/hub.log" ] && sed 's/^/  hub.log: /' "$T/hub.log"; exit 1; }

ip link set lo up
for d in usr etc var; do
	mkdir -p "$T/ov/$d/up" "$T/ov/$d/work"
	mount -t overlay overlay \
	    -o "lowerdir=/$d,upperdir=$T/ov/$d/up,workdir=$T/ov/$d/work" "/$d"
done
mount -t tmpfs -o mode=0755 tmpfs /run

say "apt-get install ./citybrain-*.deb"
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    "$DEBS"/citybrain-hub_*.deb "$DEBS"/citybrain-console_*.deb \
    "$DEBS"/citybrain-collector_*.deb "$DEBS"/citybrain-plugin-dev_*.deb \
    >"$T/apt.log" 2>&1; then
	cat "$T/apt.log"
	fail "apt-get install of the packages failed"
fi

# What the packages' maintainer scripts must have done.
getent group citybrain >/dev/null || fail "postinst made no group citybrain"
[ "$(id -gn citybrain)" = citybrain ] || fail "user citybrain is not in group citybrain"
[ "$(stat -c %U:%G:%a /run/citybrain)" = citybrain:citybrain:750 ] ||
	fail "/run/citybrain is $(stat -c %U:%G:%a /run/citybrain), not citybrain:citybrain:750 (tmpfiles.d)"
[ "$(stat -c %U:%a /var/lib/citybrain)" = citybrain:750 ] ||
	fail "/var/lib/citybrain is $(stat -c %U:%a /var/lib/citybrain)"
[ "$(stat -c %U /var/lib/citybrain/spool)" = citybrain ] ||
	fail "/var/lib/citybrain/spool is not owned by citybrain"
for f in hub.json tokens.json users.json collector.json; do
	grep -qx "/etc/citybrain/$f" /var/lib/dpkg/info/citybrain-*.conffiles ||
		fail "/etc/citybrain/$f is not a conffile"
done
! ls /usr/lib/*/citybrain/plugins/*.la >/dev/null 2>&1 || fail ".la files installed"
[ -x /usr/lib/*/citybrain/exec/queue-depth.py ] || fail "exec examples not installed"
pkg-config --exists citybrain-plugin || fail "pkg-config finds no citybrain-plugin"
[ "$(pkg-config --variable=plugindir citybrain-plugin)" = "$(echo /usr/lib/*/citybrain/plugins)" ] ||
	fail "citybrain-plugin.pc's plugindir is not the collector's plugin directory"

say "systemd-analyze verify"
man=--man=no
command -v man >/dev/null 2>&1 && [ -f /usr/share/man/man8/citybraind.8.gz ] && man=--man=yes
if ! systemd-analyze verify $man /lib/systemd/system/citybraind.service \
    /lib/systemd/system/citybrain-collector.service >"$T/verify.log" 2>&1 ||
    [ -s "$T/verify.log" ]; then
	cat "$T/verify.log"
	fail "systemd-analyze verify complains"
fi

# The unit's settings, read from the installed unit.
unit=/lib/systemd/system/citybraind.service
key() { sed -n "s/^$1=//p" "$unit" | head -1; }
exec_start=$(key ExecStart)
[ "$(key User)" = citybrain ] || fail "the unit runs as $(key User)"

# An operator (in users.json's sample) and a user outside the group.
useradd --no-create-home --groups citybrain nanyuan-operator
useradd --no-create-home outsider

say "start: $exec_start (as citybrain, umask $(key UMask))"
(umask "$(key UMask)" && exec setpriv --reuid=citybrain --regid=citybrain \
    --init-groups --no-new-privs $exec_start) >"$T/hub.log" 2>&1 &
hub=$!
trap 'kill $hub 2>/dev/null; wait $hub 2>/dev/null || true' EXIT
i=0
until [ -S /run/citybrain/citybraind.sock ]; do
	kill -0 $hub 2>/dev/null || fail "citybraind exited"
	i=$((i + 1))
	[ $i -lt 600 ] || fail "no socket /run/citybrain/citybraind.sock after 60 s"
	sleep 0.1
done
[ "$(stat -c %G:%a /run/citybrain/citybraind.sock)" = citybrain:660 ] ||
	fail "the socket is $(stat -c %G:%a /run/citybrain/citybraind.sock)"

as() { _u=$1; shift; setpriv --reuid="$_u" --regid="$_u" --init-groups env -i "$@"; }

say "citybrain whoami / overview --once as nanyuan-operator, no environment"
out=$(as nanyuan-operator /usr/bin/citybrain whoami 2>&1) || fail "whoami: $out"
echo "$out" | grep -q nanyuan-operator || fail "whoami says: $out"
out=$(as nanyuan-operator /usr/bin/citybrain overview --once 2>&1) ||
	fail "overview --once: $out"
echo "$out" | sed 's/^/  | /'
echo "$out" | grep -q 'Nanyuan' || fail "the overview shows no Nanyuan (南园街道; no locale: English)"

say "a user outside the group citybrain cannot reach the hub"
if out=$(as outsider /usr/bin/citybrain whoami 2>&1); then
	fail "outsider reached the hub: $out"
fi

say "reload (the unit's ExecReload: SIGHUP)"
kill -HUP $hub
i=0
until grep -q 'reloaded' "$T/hub.log"; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "no reload in the hub's log after SIGHUP"
	sleep 0.1
done

# README's collector steps: a token for it in the hub's tokens.json, a
# reload, the token file, then the collector as its unit starts it.
say "collector: token, reload, start as citybrain-collector.service does"
token=$(openssl rand -hex 24)
hash=$(printf %s "$token" | /usr/sbin/citybraind --hash-token)
python3 - "$hash" <<'PY'
import json, sys
p = "/etc/citybrain/tokens.json"
d = json.load(open(p))
d["tokens"].append({"name": "water-dept-01", "sha256": sys.argv[1],
                    "systems": ["*"], "grids": ["440304000000"]})
json.dump(d, open(p, "w"), indent=1)
PY
n=$(grep -c reloaded "$T/hub.log")
kill -HUP $hub
i=0
until [ "$(grep -c reloaded "$T/hub.log")" -gt "$n" ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "no reload after adding the collector's token"
	sleep 0.1
done
printf '%s\n' "$token" >"$T/token"
install -m 0640 -g citybrain "$T/token" /etc/citybrain/collector.token
unit=/lib/systemd/system/citybrain-collector.service
cexec=$(key ExecStart)
[ "$(key User)" = citybrain ] || fail "the collector's unit runs as $(key User)"
(umask "$(key UMask)" && exec setpriv --reuid=citybrain --regid=citybrain \
    --init-groups --no-new-privs $cexec) >"$T/collector.log" 2>&1 &
col=$!
trap 'kill $hub $col 2>/dev/null; wait $hub $col 2>/dev/null || true' EXIT
ingested() {
	curl -s http://127.0.0.1:8428/metrics |
	    sed -n 's/^citybraind_points_ingested_total \([0-9]*\)$/\1/p'
}
i=0
until [ "$(ingested)" -gt 0 ] 2>/dev/null; do
	kill -0 $col 2>/dev/null || { cat "$T/collector.log"; fail "the collector exited"; }
	i=$((i + 1))
	[ $i -lt 600 ] || { cat "$T/collector.log"; fail "the hub ingested nothing from the collector in 60 s"; }
	sleep 0.1
done
say "the hub ingested $(ingested) points from the installed collector"
kill $col
wait $col || true
! grep -q refused "$T/collector.log" || { cat "$T/collector.log"; fail "the hub refused the collector's data"; }

kill $hub
wait $hub || true
trap - EXIT
say "PASS"
INSIDE

say "installing and running in private namespaces"
unshare -mn --propagation private sh "$T/inside.sh" "$T" "$DEBS"
