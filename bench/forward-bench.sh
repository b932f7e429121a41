#!/bin/sh
# bench/forward-bench.sh BASE_HUB NEW_HUB [ROUNDS] [SECONDS]: the hub's
# ingest with forwarding off and on (4 shards, to a victoria-metrics on
# 127.0.0.1 that this script starts), for two citybraind binaries,
# alternated (base off, base on, new off, new on) ROUNDS times (default 3),
# each run `ingest-bench -d SECONDS` (default 10).  Prints the medians as
# `name: value unit` lines, and the on/off ratios per hub CPU second and
# wall.  Run from a build directory with bench/ingest-bench built;
# top_srcdir (default .) finds conf/futian.
set -e
BASE=${1:?usage: $0 BASE_HUB NEW_HUB [ROUNDS] [SECONDS]}
NEW=${2:?usage: $0 BASE_HUB NEW_HUB [ROUNDS] [SECONDS]}
ROUNDS=${3:-3}
SECS=${4:-10}
export top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/cb-fwdbench.XXXXXX")
VM=
trap '[ -n "$VM" ] && kill $VM 2>/dev/null; wait $VM 2>/dev/null; rm -rf "$T"' EXIT INT TERM
. "$(dirname "$0")/forward-vm.sh"
fwd_vm_start
for r in $(seq "$ROUNDS"); do
	for v in base new; do
		[ $v = base ] && H=$BASE || H=$NEW
		./bench/ingest-bench -d "$SECS" --hub "$H" >$T/$v-off-$r.out
		./bench/ingest-bench -d "$SECS" --hub "$H" --shards 4 \
			--remote-write $URL >$T/$v-on-$r.out
		echo "round $r $v done" >&2
	done
done
# median NAME RUNS...: the median of figure NAME over the runs' outputs.
median() {
	n=$1; shift
	for f in "$@"; do sed -n "s/^$n: \([0-9.]*\).*/\1/p" "$f"; done |
	    sort -n | awk '{a[NR]=$1} END{if (NR) print a[int((NR+1)/2)]}'
}
for v in base new; do
	for m in off on; do
		for n in ingest_points_per_hub_cpu_s ingest_points_per_s \
		    hub_cpu_pct points_per_hub_cpu_s_until_forwarded \
		    forward_samples_per_s; do
			x=$(median $n $T/$v-$m-*.out)
			case $n in
			hub_cpu_pct) u="% of one core" ;;
			forward_*) u=samples/s ;;
			*) u=points/s ;;
			esac
			[ -n "$x" ] && echo "${v}_${m}_$n: $x $u"
		done
	done
	c_off=$(median ingest_points_per_hub_cpu_s $T/$v-off-*.out)
	c_on=$(median ingest_points_per_hub_cpu_s $T/$v-on-*.out)
	u_on=$(median points_per_hub_cpu_s_until_forwarded $T/$v-on-*.out)
	w_off=$(median ingest_points_per_s $T/$v-off-*.out)
	w_on=$(median ingest_points_per_s $T/$v-on-*.out)
	awk -v v=$v -v a="$c_on" -v b="$c_off" -v u="$u_on" -v c="$w_on" \
	    -v d="$w_off" 'BEGIN {
		printf "%s_on_vs_off_per_hub_cpu_s: %.1f %%\n", v, 100*a/b
		printf "%s_on_until_forwarded_vs_off_per_hub_cpu_s: %.1f %%\n", v, 100*u/b
		printf "%s_on_vs_off_wall: %.1f %%\n", v, 100*c/d }'
done
