#!/bin/sh
# bench/forward-batch-sweep.sh HUB ROUNDS SECONDS B1 B2 ...: one citybraind
# binary's ingest with forwarding off, then on (4 shards, to a
# victoria-metrics on 127.0.0.1 that this script starts) with
# `--remote-batch B` (hub.json queue.batch_samples) for each B, alternated
# ROUNDS times, each run `ingest-bench -d SECONDS`.  Prints the medians
# per variant as `name: value unit` lines, the on/off ratio per hub CPU
# second (ingest phase, and settled: bench/forward-bench.sh), and each variant's per-run ingest_points_per_hub_cpu_s.  Run
# from a build directory with bench/ingest-bench built; top_srcdir
# (default .) finds conf/futian; OUT=DIR keeps the runs' outputs there.
set -e
HUB=${1:?usage: $0 HUB ROUNDS SECONDS BATCH...}
ROUNDS=${2:?usage: $0 HUB ROUNDS SECONDS BATCH...}
SECS=${3:?usage: $0 HUB ROUNDS SECONDS BATCH...}
shift 3
export top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
T=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/cb-bsweep.XXXXXX")}
mkdir -p "$T"
VM=
trap '[ -n "$VM" ] && kill $VM 2>/dev/null; wait $VM 2>/dev/null; rm -rf "$T/vm"' EXIT INT TERM
. "$(dirname "$0")/forward-vm.sh"
fwd_vm_start
for r in $(seq "$ROUNDS"); do
	./bench/ingest-bench -d "$SECS" --hub "$HUB" >$T/off-$r.out
	for b in "$@"; do
		./bench/ingest-bench -d "$SECS" --hub "$HUB" --shards 4 \
			--remote-write $URL --remote-batch $b >$T/on$b-$r.out
	done
	echo "round $r done $(cat /proc/loadavg)" >&2
done
median() {
	n=$1; shift
	for f in "$@"; do sed -n "s/^$n: \([0-9.]*\).*/\1/p" "$f"; done |
	    sort -n | awk '{a[NR]=$1} END{if (NR) print a[int((NR+1)/2)]}'
}
off=$(median ingest_points_per_hub_cpu_s $T/off-*.out)
echo "off_ingest_points_per_hub_cpu_s: $off points/s"
s_off=$(median hub_cpu_s_per_m_points_settled $T/off-*.out)
echo "off_hub_cpu_s_per_m_points_settled: $s_off s"
for b in "$@"; do
	for n in ingest_points_per_hub_cpu_s points_per_hub_cpu_s_until_forwarded forward_samples_per_s forward_lag_at_end_s; do
		case $n in
		forward_lag*) u=s ;;
		forward_*) u=samples/s ;;
		*) u=points/s ;;
		esac
		echo "on${b}_$n: $(median $n $T/on$b-*.out) $u"
	done
	s_on=$(median hub_cpu_s_per_m_points_settled $T/on$b-*.out)
	echo "on${b}_hub_cpu_s_per_m_points_settled: $s_on s"
	echo "on${b}_off_vs_on_hub_cpu_settled: $(awk -v a=$s_off -v b=$s_on 'BEGIN{printf "%.1f", 100*a/b}') %"
	on=$(median ingest_points_per_hub_cpu_s $T/on$b-*.out)
	echo "on${b}_on_vs_off_per_hub_cpu_s: $(awk -v a=$on -v b=$off 'BEGIN{printf "%.1f", 100*a/b}') %"
	printf 'on%s runs: ' $b
	for f in $T/on$b-*.out; do printf '%s ' $(sed -n 's/^ingest_points_per_hub_cpu_s: \([0-9.]*\).*/\1/p' $f); done; echo
done
echo "outputs in $T"
