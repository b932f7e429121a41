#!/bin/sh
# The hub on the wire: a ~100 KB reply fetched 20 times over one keep-alive
# connection costs one round trip each (TCP_NODELAY, one write per reply;
# without them every reply waits ~40 ms for the client's delayed ACK), over
# TCP and over the unix socket; gzip replies when the client accepts them.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf
hub_start

# 3,000 points of one series in the last hour, values of 15 significant
# digits: a raw reply of ~100 KB.
now=$(date +%s)
f="$HUB_DIR/points.lp"
python3 - "$now" >"$f" <<'PY'
import random, sys
now = int(sys.argv[1]) * 1000
random.seed(14)
for i in range(3000):
    print("env,grid=440304001001001,system=air-quality aqi=%.15g %d"
          % (random.uniform(10, 99), now - 3000000 + i * 1000))
PY
TOKEN=$HUB_TOK_COLLECTOR
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=ms' "$f")" "5,000 points"
TOKEN=$HUB_TOK_SUPER
Q='/api/v1/query?q=env_aqi%7Bgrid%3D%22440304001001001%22%7D&start=-2h'

# fetch.py tcp|unix ADDR PATH TOKEN: 20 GETs over one keep-alive
# connection; prints the reply size and the median time in ms.
cat >"$HUB_DIR/fetch.py" <<'PY'
import http.client, socket, statistics, sys, time
kind, addr, path, tok = sys.argv[1:5]
class UnixConn(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(addr)
c = (http.client.HTTPConnection("127.0.0.1", int(addr), timeout=30)
     if kind == "tcp" else UnixConn("hub", timeout=30))
hdr = {"Authorization": "Bearer " + tok} if kind == "tcp" else {}
times, size = [], 0
for i in range(21):
    t = time.perf_counter()
    c.request("GET", path, headers=hdr)
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        print("status", r.status, body[:200]); sys.exit(1)
    if i > 0:  # the first request opens the connection
        times.append((time.perf_counter() - t) * 1000)
    size = len(body)
    if r.getheader("Connection", "").lower() == "close":
        print("connection closed by the hub"); sys.exit(1)
print("size %d median_ms %.2f" % (size, statistics.median(times)))
PY

check_median() { # kind addr what
	out=$(python3 "$HUB_DIR/fetch.py" "$1" "$2" "$Q" "$TOKEN")
	echo "$3: $out"
	size=$(echo "$out" | sed -n 's/^size \([0-9]*\) .*/\1/p')
	med=$(echo "$out" | sed -n 's/.* median_ms \([0-9.]*\)$/\1/p')
	if [ -z "$size" ] || [ "$size" -lt 80000 ]; then
		cb_fail "$3: a reply of ~100 KB expected ($out)"
		return
	fi
	if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= 10 else 1)' "$med"; then
		:
	else
		cb_fail "$3: median of 20 keep-alive requests ${med} ms > 10 ms"
	fi
}
check_median tcp "$HUB_PORT" "TCP keep-alive"
check_median unix "$HUB_SOCKET" "unix socket keep-alive"

hub_finish
cb_done
