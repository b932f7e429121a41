# bench/forward-vm.sh, sourced by forward-bench.sh and
# forward-batch-sweep.sh: fwd_vm_start starts a victoria-metrics on a free
# port of 127.0.0.1 with its data in $T/vm (log $T/vm.log), sets VM (its
# pid) and URL (its remote-write endpoint) and waits until it answers.
# The caller's trap stops $VM.  It runs under nice -n ${FWD_VM_NICE:-19}
# (FWD_VM_NICE=0: not niced): on a machine of few cores it then yields
# them to the hub, whose CPU the benchmarks measure.
fwd_vm_start() {
	command -v victoria-metrics >/dev/null ||
	    { echo "no victoria-metrics" >&2; exit 1; }
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	nice -n "${FWD_VM_NICE:-19}" victoria-metrics -httpListenAddr=127.0.0.1:$PORT \
	    -storageDataPath=$T/vm -retentionPeriod=100y >$T/vm.log 2>&1 &
	VM=$!
	for i in $(seq 50); do
		curl -sf http://127.0.0.1:$PORT/health >/dev/null 2>&1 && break
		sleep 0.2
	done
	URL=http://127.0.0.1:$PORT/api/v1/write
}
