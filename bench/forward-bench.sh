#!/bin/sh
# bench/forward-bench.sh BASE_HUB NEW_HUB [ROUNDS] [SECONDS]: the hub's
# ingest with forwarding off and on (4 shards, to a victoria-metrics on
# 127.0.0.1 that this script starts), for two citybraind binaries,
# alternated (base off, base on, new off, new on) ROUNDS times (default 3),
# each run `ingest-bench -d SECONDS` (default 10).  Prints the medians as
# `name: value unit` lines, and the on/off ratios per hub CPU second and
# wall, and the hub's CPU seconds per million points once it is idle
# again (hub_cpu_s_per_m_points_settled: everything the points cost it,
# the forwarding finished after ingest stopped included) with their
# ratio off/on, the figure the 75% target is read from (bench/README.md,
# "How forwarding's cost is measured").  The load average is printed at
# the start and the end.  OUT=DIR keeps the runs' outputs there.  Run
# from a build directory with bench/ingest-bench built; top_srcdir
# (default .) finds conf/futian; FWD_VM_NICE (default 19) is
# victoria-metrics' nice level (bench/forward-vm.sh).
set -e
BASE=${1:?usage: $0 BASE_HUB NEW_HUB [ROUNDS] [SECONDS]}
NEW=${2:?usage: $0 BASE_HUB NEW_HUB [ROUNDS] [SECONDS]}
ROUNDS=${3:-3}
SECS=${4:-10}
export top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
T=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/cb-fwdbench.XXXXXX")}
mkdir -p "$T"
VM=
if [ -n "$OUT" ]; then
	trap '[ -n "$VM" ] && kill $VM 2>/dev/null; wait $VM 2>/dev/null; rm -rf "$T/vm"' EXIT INT TERM
else
	trap '[ -n "$VM" ] && kill $VM 2>/dev/null; wait $VM 2>/dev/null; rm -rf "$T"' EXIT INT TERM
fi
. "$(dirname "$0")/forward-vm.sh"
fwd_vm_start
echo "load_at_start: $(cut -d' ' -f1-3 /proc/loadavg)"
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
		    forward_samples_per_s hub_cpu_s_per_m_points \
		    hub_cpu_s_per_m_points_settled; do
			x=$(median $n $T/$v-$m-*.out)
			case $n in
			hub_cpu_pct) u="% of one core" ;;
			forward_*) u=samples/s ;;
			hub_cpu_s*) u=s ;;
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
	s_off=$(median hub_cpu_s_per_m_points_settled $T/$v-off-*.out)
	s_on=$(median hub_cpu_s_per_m_points_settled $T/$v-on-*.out)
	awk -v v=$v -v a="$c_on" -v b="$c_off" -v u="$u_on" -v c="$w_on" \
	    -v d="$w_off" -v s_off="$s_off" -v s_on="$s_on" 'BEGIN {
		if (s_on > 0) {
			printf "%s_off_vs_on_hub_cpu_settled: %.1f %%\n", v,
			    100*s_off/s_on
			printf "%s_forwarding_cpu_s_per_m_points: %.3f s\n", v,
			    s_on - s_off
		}
		printf "%s_on_vs_off_per_hub_cpu_s: %.1f %%\n", v, 100*a/b
		printf "%s_on_until_forwarded_vs_off_per_hub_cpu_s: %.1f %%\n", v, 100*u/b
		printf "%s_on_vs_off_wall: %.1f %%\n", v, 100*c/d }'
done
echo "load_at_end: $(cut -d' ' -f1-3 /proc/loadavg)"
# Every run's settled figure, for the spread.
for f in $T/*-o*-*.out; do
	printf '%s %s\n' "$(basename "$f" .out)" \
	    "$(sed -n 's/^hub_cpu_s_per_m_points_settled: //p' "$f")"
done | sort
