# Helpers for the forwarding and remote-read tests (hub/remote/): a real
# victoria-metrics, and a slow HTTP hop in front of it.  Source after
# lib.sh.

# remote_vm_start: victoria-metrics on $VM_PORT with its data in $VM_DIR
# (both chosen when unset); exits the test if it does not start.
remote_vm_start() {
	: "${VM_PORT:=$(cb_free_port)}" "${VM_DIR:=$(cb_tmpdir)}"
	cb_start vm victoria-metrics -httpListenAddr="127.0.0.1:$VM_PORT" \
		-storageDataPath="$VM_DIR" -retentionPeriod=100y -loggerLevel=WARN
	cb_wait_http "http://127.0.0.1:$VM_PORT/health" || { cb_fail "victoria-metrics did not start"; exit 1; }
}

# remote_hop_start DELAY: tests/integration/slow-proxy.py on $HOP_PORT in
# front of victoria-metrics, waiting DELAY seconds a request (the test may
# write another delay into $HOP_DELAY at any time).
remote_hop_start() {
	HOP_PORT=$(cb_free_port)
	HOP_DELAY=$(cb_tmpdir)/hop-delay
	echo "$1" >"$HOP_DELAY"
	cb_start hop python3 "$top_srcdir/tests/integration/slow-proxy.py" "$HOP_PORT" \
		"http://127.0.0.1:$VM_PORT" "$HOP_DELAY"
	cb_wait_http "http://127.0.0.1:$HOP_PORT/health" || { cb_fail "slow-proxy did not start"; exit 1; }
}
