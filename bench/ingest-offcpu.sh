#!/bin/sh
# bench/ingest-offcpu.sh [HUB] [SECONDS]: where the hub's threads are off
# the CPU during `ingest-bench -c 4 -d 8` (bench/README.md, "Ingest
# stalls between the loop and apply threads").  Starts the bench with
# HUB (default hub/citybraind), waits 3 s, records every context switch
# of the machine for SECONDS (default 3) with `perf record -e
# sched:sched_switch -g -a` and prints, per hub thread, the time it ran,
# and the time from each switch-out to its next switch-in by why it left:
# preempted (still runnable: the cores were busy), and for sleeps the
# innermost user-space frame (libc's __futex_abstimed_wait_common is a
# condition variable: the apply ring, the apply thread's queue, RocksDB's
# write queue; __lll_lock_wait_private is a glibc lock: the malloc
# arena).  DEPTH=N names each sleep by its N innermost user-space
# frames instead ("a < its caller < ..."), with CALLGRAPH=dwarf (perf's
# DWARF unwinding: through libc and libstdc++, which keep no frame
# pointers; about 10 MB of samples a second) so that the frames above a
# glibc lock or a condition variable are known, e.g. which caller of
# malloc waits for the arena.  Needs perf with access to tracepoints
# (root, or kernel.perf_event_paranoid <= -1).  Run from a build
# directory; top_srcdir (default .) finds conf/futian.  OUT=DIR keeps
# the data.
set -e
HUB=${1:-hub/citybraind}
SECS=${2:-3}
DEPTH=${DEPTH:-1}
case "${CALLGRAPH:-fp}" in
fp) CG=-g ;;
dwarf) CG="--call-graph dwarf,8192" ;;
*) echo "ingest-offcpu.sh: CALLGRAPH is fp or dwarf" >&2; exit 2 ;;
esac
export top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
T=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/cb-offcpu.XXXXXX")}
mkdir -p "$T"
[ -n "$OUT" ] || trap 'rm -rf "$T"' EXIT INT TERM
./bench/ingest-bench -c 4 -d 8 --hub "$HUB" >"$T/bench.txt" 2>&1 &
BENCH=$!
sleep 3
# The hub is the bench's child.
PID=$(ps -o pid= --ppid $BENCH | head -1 | tr -d ' ')
for t in /proc/$PID/task/*; do
	echo "${t##*/} $(cat $t/comm)"
done >"$T/tids.txt"
perf record -q -e sched:sched_switch $CG -a -o "$T/perf.data" \
    -- sleep "$SECS" >/dev/null 2>&1
wait $BENCH || true
perf script -i "$T/perf.data" 2>/dev/null >"$T/perf.txt"
grep -E '^(ingest_points_per_s|hub_cpu_pct|hub_threads_cpu_pct|bench_cpu_pct|machine_idle_pct):' \
    "$T/bench.txt" || true
python3 - "$T/perf.txt" "$T/tids.txt" "$PID" "$SECS" "$DEPTH" <<'PY'
import collections, re, sys

perf, tidfile, loop, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
depth = int(sys.argv[5])
# With DEPTH > 1, glibc's own wait frames say nothing the first one
# does not: skipped, so the frames shown are the callers.
wait = re.compile(r"^(__futex|futex_|__lll_lock|__GI___lll|__pthread_cond|"
                  r"___pthread_cond|__pthread_mutex|lll_mutex)")
names = {}
for line in open(tidfile):
    tid, comm = line.split(None, 1)
    names[int(tid)] = "loop" if int(tid) == loop else comm.strip()
switch = re.compile(r"\s(\d+\.\d+): sched:sched_switch: .*prev_pid=(\d+) "
                    r"prev_prio=\d+ prev_state=(\S+) ==> .*next_pid=(\d+)")
events, cur = [], None
for line in open(perf):
    m = switch.search(line)
    if m:
        cur = [float(m.group(1)), int(m.group(2)), m.group(3), int(m.group(4)), []]
        events.append(cur)
    elif cur is not None and len(cur[4]) < depth and line.strip() \
            and "kernel.kallsyms" not in line:
        name = line.split(None, 1)[1].split("+")[0].split(" (")[0]
        if depth == 1 or not wait.match(name):
            cur[4].append(name)
off = collections.defaultdict(float)
count = collections.Counter()
ran = collections.defaultdict(float)
out, since = {}, {}
for t, prev, state, nxt, frame in events:
    if prev in names:
        why = "preempted" if state.startswith("R") else (" < ".join(frame) or "?")
        out[prev] = (t, why)
        if prev in since:
            ran[prev] += t - since.pop(prev)
    if nxt in names:
        since[nxt] = t
        if nxt in out:
            t0, why = out.pop(nxt)
            off[(nxt, why)] += t - t0
            count[(nxt, why)] += 1
for tid in sorted(names, key=lambda x: -ran[x]):
    if ran[tid] < 0.01 * secs:
        continue
    print("offcpu: %s ran %.0f ms in %.0f s" % (names[tid], ran[tid] * 1000, secs))
    for (t, why), v in sorted(off.items(), key=lambda x: -x[1]):
        if t == tid and v >= 0.005:
            if depth == 1:
                print("offcpu: %s   %-34s %6.0f ms (%d times)" % (names[tid], why, v * 1000, count[(t, why)]))
            else:
                print("offcpu: %s   %6.0f ms (%d times)  %s" % (names[tid], v * 1000, count[(t, why)], why))
PY
