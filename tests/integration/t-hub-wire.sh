#!/bin/sh
# The hub on the wire: TCP_NODELAY on every TCP connection (checked on the
# hub's own descriptor); a ~100 KB reply fetched 20 times over one
# keep-alive connection costs one round trip each (one write per reply; a
# reply written in pieces without TCP_NODELAY waits ~40 ms for the
# client's delayed ACK), over TCP and over the unix socket.  A gzip
# request body of several members is stored whole; a chunked body over
# limits.max_body gets the JSON 413.  A ~940 KB body (and a request
# pipelined after it) is read in a few system calls, not 4 KiB at a time.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf
hub_start

# The hub's end of a TCP connection has TCP_NODELAY set (read with
# getsockopt on a copy of the hub's descriptor: tests/integration/
# tcp-nodelay.py).  Deterministic, unlike the timings below: on loopback a
# one-write reply is seldom held back even without it.
cb_assert_eq "nodelay 1" "$(python3 "$top_srcdir/tests/integration/tcp-nodelay.py" \
	"$(cb_pid hub)" "$HUB_PORT" 2>&1)" "TCP_NODELAY on the hub's end of a connection"

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

# The median of 20 requests must be at most 10 ms (a reply held back for a
# delayed ACK takes ~40 ms every time).  A sanitizer build (ASan makes the
# hub several times slower) gets 25 ms, still well under that stall.  On a
# loaded machine every figure grows, so: rounds of TCP then unix socket
# until both pass or 60 s (at least 3 rounds), the best round of each
# counts; and the stall is TCP's alone, so the unix socket fetched in the
# same rounds is the baseline: TCP passes within BUDGET/2 of it even when
# the load puts both over BUDGET (with the stall TCP is ~40 ms above it).
BUDGET_MS=10
[ "${CB_SANITIZERS:-no}" = yes ] && BUDGET_MS=25
median_of() { # kind addr what: fetch, print the median in ms (empty on failure)
	_out=$(python3 "$HUB_DIR/fetch.py" "$1" "$2" "$Q" "$TOKEN")
	echo "$3 (round $round): $_out" >&2
	_size=$(echo "$_out" | sed -n 's/^size \([0-9]*\) .*/\1/p')
	if [ -z "$_size" ] || [ "$_size" -lt 80000 ]; then
		cb_fail "$3: a reply of ~100 KB expected ($_out)"
		return
	fi
	echo "$_out" | sed -n 's/.* median_ms \([0-9.]*\)$/\1/p'
}
# verdict BEST_TCP BEST_UNIX: "tcp-ok unix-ok" when each is within its budget
verdict() {
	python3 -c 'import sys
tcp, unix, b = (float(a) for a in sys.argv[1:4])
print("tcp-%s unix-%s" % ("ok" if tcp <= max(b, unix + b / 2) else "slow",
                          "ok" if unix <= b else "slow"))' "$1" "$2" "$BUDGET_MS"
}
best_tcp=1e9 best_unix=1e9 round=0 v=
end=$(($(date +%s) + 60))
while :; do
	round=$((round + 1))
	t=$(median_of tcp "$HUB_PORT" "TCP keep-alive")
	u=$(median_of unix "$HUB_SOCKET" "unix socket keep-alive")
	[ -n "$t" ] && [ -n "$u" ] || break
	best_tcp=$(python3 -c 'import sys; print(min(map(float, sys.argv[1:])))' "$best_tcp" "$t")
	best_unix=$(python3 -c 'import sys; print(min(map(float, sys.argv[1:])))' "$best_unix" "$u")
	v=$(verdict "$best_tcp" "$best_unix")
	[ "$v" = "tcp-ok unix-ok" ] && break
	[ $round -ge 3 ] && [ "$(date +%s)" -ge $end ] && break
done
echo "best of $round rounds: TCP ${best_tcp} ms, unix socket ${best_unix} ms ($v)"
case "$v" in
*tcp-slow*) cb_fail "TCP keep-alive: best median of 20 requests ${best_tcp} ms > ${BUDGET_MS} ms and > the unix socket's ${best_unix} ms + $((BUDGET_MS / 2)) ms" ;;
esac
case "$v" in
*unix-slow*) cb_fail "unix socket keep-alive: best median of 20 requests ${best_unix} ms > ${BUDGET_MS} ms" ;;
esac

# ---- replies: shortest reals, gzip when the client takes it -------------
cb_assert_eq 200 "$(hub_get "$Q")" "raw query, identity"
cp "$HUB_OUT" "$HUB_DIR/plain.json"
cb_assert_eq 200 "$(hub_get "$Q" -H 'Accept-Encoding: gzip' -D "$HUB_DIR/gz.h")" \
	"raw query, gzip accepted"
cb_assert_contains "$(cat "$HUB_DIR/gz.h")" "Content-Encoding: gzip" "reply gzipped"
# (start_ms and end_ms follow the clock: the series are compared)
cb_assert_eq same "$(python3 -c 'import gzip, json, sys
a = json.loads(gzip.decompress(open(sys.argv[1], "rb").read()))
b = json.load(open(sys.argv[2]))
print("same" if a["series"] == b["series"] and len(b["series"][0]["points"]) == 3000
      else "differ")' \
	"$HUB_OUT" "$HUB_DIR/plain.json")" "gzip reply decompresses to the same JSON"
cb_assert_eq 200 "$(hub_get "$Q" -H 'Accept-Encoding: gzip;q=0, br' -D "$HUB_DIR/id.h")" \
	"gzip refused with q=0"
case "$(cat "$HUB_DIR/id.h")" in
*Content-Encoding*) cb_fail "q=0: no Content-Encoding expected" ;;
esac
cb_assert_eq 200 "$(hub_get /healthz -H 'Accept-Encoding: gzip' -D "$HUB_DIR/small.h")" \
	"small reply"
case "$(cat "$HUB_DIR/small.h")" in
*Content-Encoding*) cb_fail "a reply under 4 KiB is not gzipped" ;;
esac
# Every value of the reply is the shortest text that reads back as the
# same double (what was written with %.15g comes back as written).
cb_assert_eq ok "$(python3 -c 'import re, sys
vals = re.findall(r"\[\d+,([^\]]+)\]", open(sys.argv[1]).read())
bad = [v for v in vals if v != repr(float(v))]
print("ok" if len(vals) == 3000 and not bad else "bad %d %s" % (len(vals), bad[:3]))' \
	"$HUB_DIR/plain.json")" "reals in shortest round-trip form"
cb_assert_eq 200 "$(hub_get /api/v1/whoami)" "whoami"
cb_assert_contains "$(cat "$HUB_OUT")" '"user":"futian-supervisor"' "compact JSON"

# ---- a gzip body of two members (cat a.gz b.gz) stores both ------------
# The first member inflates to ~90 KB (more than 4 x its compressed size:
# the output buffer grows), the second is one line.
python3 - "$now" "$HUB_DIR/two.gz" <<'PY'
import gzip, sys
now = int(sys.argv[1])
a = "".join("water,grid=440304001001001,system=water-level-iot level=1.5 %d\n"
            % (now - 1800 + i) for i in range(1500))
b = "water,grid=440304001001002,system=water-level-iot level=2.5 %d\n" % now
open(sys.argv[2], "wb").write(gzip.compress(a.encode()) + gzip.compress(b.encode()))
PY
TOKEN=$HUB_TOK_COLLECTOR
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$HUB_DIR/two.gz" \
	-H 'Content-Encoding: gzip')" "two gzip members"
TOKEN=$HUB_TOK_SUPER
cb_assert_eq 200 "$(hub_get '/api/v1/query?q=water_level&start=-1h')" \
	"query both members' series"
cb_assert_eq '[["440304001001001", 1500], ["440304001001002", 1]]' \
	"$(hub_json 'sorted([s["labels"]["grid"], len(s["points"])] for s in j["series"])')" \
	"every point of both members stored"

# ---- a chunked body over limits.max_body: the documented JSON 413 -------
# 16 chunks of 64 KiB fill limits.max_body (1 MiB); the 17th chunk's size
# line is refused before its data is sent, so the hub has read everything
# and closes cleanly after its reply.
out=$(python3 - "$HUB_PORT" "$HUB_TOK_COLLECTOR" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
s.sendall(("POST /api/v1/write HTTP/1.1\r\nHost: x\r\n"
           "Authorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n\r\n"
           % sys.argv[2]).encode())
chunk = b"x" * 65536
for i in range(16):
    s.sendall(b"10000\r\n" + chunk + b"\r\n")
s.sendall(b"10000\r\n")
d = b""
while True:
    c = s.recv(65536)
    if not c:
        break
    d += c
head, _, body = d.partition(b"\r\n\r\n")
ctype = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-type:")]
print(head.split(b"\r\n")[0].decode(), b"".join(ctype).decode(), body.decode().strip())
PY
)
cb_assert_contains "$out" "HTTP/1.1 413" "chunked body over limits.max_body: 413"
cb_assert_contains "$out" "application/json" "chunked 413 is JSON"
cb_assert_contains "$out" '{"error":"request too large: the body may have at most 1048576 bytes (limits.max_body)"}' \
	"chunked 413 names the limit"
cb_assert_eq 200 "$(hub_get /healthz)" "served on after the chunked 413"

# ---- a large body read in a few system calls; a request after it --------
# libevent 2.1 reads 4 KiB at a time; the hub reads the rest of what the
# socket holds at once (hub/server-conn.c, "Reading ahead").  A body of
# ~940 KB followed, in the same send, by a second request: both answered,
# every point stored, and the hub's read system calls (/proc/PID/io syscr,
# the whole process) stay under 100 where 4 KiB reads need at least 220.
python3 - "$now" "$HUB_DIR/big.lp" <<'PY'
import sys
now = int(sys.argv[1])
with open(sys.argv[2], "w") as f:
    for i in range(14000):
        f.write("env,grid=440304001001002,system=air-quality aqi=%.15g %d\n"
                % (10 + i / 14000.0 * 89, now - 28000 + i))
PY
cat >"$HUB_DIR/big.py" <<'PY'
import socket, sys
kind, addr, tok, path, pid = sys.argv[1:6]
body = open(path, "rb").read()
def syscr():
    for line in open("/proc/%s/io" % pid):
        if line.startswith("syscr:"):
            return int(line.split()[1])
if kind == "tcp":
    s = socket.create_connection(("127.0.0.1", int(addr)), timeout=30)
    auth = "Authorization: Bearer %s\r\n" % tok
else:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(addr)
    auth = ""
before = syscr()
s.sendall(("POST /api/v1/write?precision=s HTTP/1.1\r\nHost: x\r\n%s"
           "Content-Length: %d\r\n\r\n" % (auth, len(body))).encode() + body +
          ("GET /healthz HTTP/1.1\r\nHost: x\r\n%s\r\n" % auth).encode())
got = b""
while got.count(b"HTTP/1.1 ") < 2 or not got.rstrip().endswith(b"}"):
    d = s.recv(65536)
    if not d:
        break
    got += d
reads = syscr() - before
codes = [l.split()[1].decode() for l in got.split(b"\r\n") if l.startswith(b"HTTP/1.1 ")]
print("codes %s reads %s" % (",".join(codes), "few" if reads < 100 else reads))
if codes != ["204", "200"]:
    print(got[:600].decode(errors="replace"), file=sys.stderr)
PY
[ "$(wc -c <"$HUB_DIR/big.lp")" -gt 900000 ] || cb_fail "big body under 900 KB"
cb_assert_eq "codes 204,200 reads few" \
	"$(python3 "$HUB_DIR/big.py" tcp "$HUB_PORT" "$HUB_TOK_COLLECTOR" "$HUB_DIR/big.lp" "$(cb_pid hub)" 2>&1)" \
	"900 KB body and a pipelined request over TCP"
# the same series, the 14,000 seconds after
awk '{ $NF += 14000; print }' "$HUB_DIR/big.lp" >"$HUB_DIR/big4.lp"
cb_assert_eq "codes 204,200 reads few" \
	"$(python3 "$HUB_DIR/big.py" unix "$HUB_SOCKET" - "$HUB_DIR/big4.lp" "$(cb_pid hub)" 2>&1)" \
	"900 KB body and a pipelined request over the unix socket"
cb_assert_eq 200 "$(hub_get '/api/v1/query?q=env_aqi%7Bgrid%3D%22440304001001002%22%7D&start=-8h')" "query the big bodies"
cb_assert_eq '[["440304001001002", 28000]]' \
	"$(hub_json 'sorted([s["labels"]["grid"], len(s["points"])] for s in j["series"])')" \
	"every point of both big bodies stored"

hub_finish
cb_done
