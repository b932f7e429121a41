#!/bin/sh
# Connection budgets: 520 slow unauthenticated TCP connections from one
# address (one byte at a time, slowloris) cannot lock anyone out.  The
# per-peer limit leaves room for other addresses, the unix socket has its
# own budget, /healthz and clients with a token are served even over a
# budget, and limits.header_timeout closes the slow connections and the
# silent ones (that never send a byte).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

HUB_MAX_CONNECTIONS=24 hub_conf
python3 - "$HUB_DIR/hub.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["limits"].update({"max_connections_per_peer": 16, "header_timeout": "8s",
                    "max_unix_connections": 8})
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
hub_start

out=$(python3 - "$HUB_PORT" "$HUB_SOCKET" "$HUB_TOK_SUPER" <<'PY'
import select, socket, sys, time
port, sock_path, tok = int(sys.argv[1]), sys.argv[2], sys.argv[3]
held = []

def conn(src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    return s

def req(s, path, auth):
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (
        path, "Authorization: Bearer %s\r\n" % tok if auth else "")).encode())
    d = b""
    while b"\r\n\r\n" not in d:
        c = s.recv(65536)
        if not c:
            return "eof"
        d += c
    head, _, body = d.partition(b"\r\n\r\n")
    n = int([l.split(b":")[1] for l in head.split(b"\r\n")
             if l.lower().startswith(b"content-length:")][0])
    while len(body) < n:
        body += s.recv(65536)
    close = "close" if b"Connection: close" in head else "keep"
    msg = body.decode().strip()
    return "%s %s %s" % (head.split()[1].decode(), close, msg[:60])

def one(src, path, auth):
    s = conn(src)
    try:
        return req(s, path, auth)
    finally:
        s.close()

def unix(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(sock_path)
    try:
        return req(s, path, False)
    finally:
        s.close()

slow = b"GET /api/v1/whoami HTTP/1.1\r\n"
try:
    # 520 connections from 127.0.0.1 that each send one byte.
    for i in range(520):
        s = conn("127.0.0.1")
        s.sendall(slow[:1])
        held.append(s)
    time.sleep(0.5)
    print("peer2-anon", one("127.0.0.2", "/api/v1/whoami", False))
    print("peer2-auth", one("127.0.0.2", "/api/v1/whoami", True))
    print("unix", unix("/api/v1/whoami"))
    print("peer1-anon", one("127.0.0.1", "/api/v1/whoami", False))
    print("peer1-healthz", one("127.0.0.1", "/healthz", False))
    print("peer1-auth", one("127.0.0.1", "/api/v1/whoami", True))
    # 8 more from 127.0.0.2 fill limits.max_connections (16 + 8 = 24).
    for i in range(8):
        s = conn("127.0.0.2")
        s.sendall(slow[:1])
        held.append(s)
    time.sleep(0.5)
    print("full-anon", one("127.0.0.3", "/api/v1/whoami", False))
    print("full-auth", one("127.0.0.3", "/api/v1/whoami", True))
    print("full-unix", unix("/api/v1/whoami"))
    # Slowloris: one more byte every 2 s; limits.header_timeout (8 s)
    # closes them all the same.
    t0, sent, open_ = time.time(), 1, set(range(len(held)))
    while open_ and time.time() - t0 < 40:
        if sent < len(slow) and time.time() - t0 > 2 * sent:
            for i in list(open_):
                try:
                    held[i].sendall(slow[sent:sent + 1])
                except OSError:
                    open_.discard(i)
            sent += 1
        r, _, _ = select.select([held[i] for i in open_], [], [], 0.5)
        for s in r:
            try:
                gone = s.recv(4096) == b""
            except OSError:
                gone = True
            if gone:
                open_.discard(held.index(s))
    print("slow-closed", len(held) - len(open_), "of", len(held),
          "max-bytes-sent", sent)
    print("after-anon", one("127.0.0.1", "/api/v1/whoami", False))
finally:
    for s in held:
        s.close()
PY
)
echo "$out"
cb_assert_contains "$out" "peer2-anon 401 keep" "another address is answered (401, not 503)"
cb_assert_contains "$out" "peer2-auth 200 keep" "another address with a token: served"
cb_assert_contains "$out" "unix 200 keep" "the unix socket is served"
cb_assert_contains "$out" "peer1-anon 503 close {\"error\":\"too many connections from 127.0.0.1" \
	"the crowded address: 503 per peer"
cb_assert_contains "$out" "peer1-healthz 200 close" "/healthz served over the budget"
cb_assert_contains "$out" "peer1-auth 200 close" "a token is served over the budget"
cb_assert_contains "$out" "full-anon 503 close {\"error\":\"too many connections (limits.max_connections 24)" \
	"TCP full: 503"
cb_assert_contains "$out" "full-auth 200 close" "TCP full: a token is still served"
cb_assert_contains "$out" "full-unix 200 keep" "TCP full: the unix socket has its own budget"
cb_assert_contains "$out" "slow-closed 528 of 528" "header_timeout closes every slow connection"
echo "$out" | grep -q "max-bytes-sent [1-7]$" ||
	cb_fail "slow connections should be closed within 14 s (header_timeout 8s)"
cb_assert_contains "$out" "after-anon 401 keep" "the address is served again"
cb_assert_eq 200 "$(hub_get /metrics)" "metrics"
m=$(cat "$HUB_OUT")
# 504 slow ones and 3 requests from 127.0.0.1 over its 16.
cb_assert_contains "$m" "citybraind_connections_refused_peer_total 507" \
	"per-peer refusals counted"
cb_assert_contains "$m" "citybraind_connections_timed_out_total 528" \
	"timed-out connections counted"

# Silent connections: 300 TCP connections that never send a byte (from
# 127.0.0.4, most of them over the per-peer limit) and 4 on the unix
# socket.  /healthz and the unix socket still answer while they are open;
# limits.header_timeout (8 s) closes every one of them, counted in
# /metrics apart from the slow ones.
out=$(python3 - "$HUB_PORT" "$HUB_SOCKET" <<'PY'
import select, socket, sys, time
port, sock_path = int(sys.argv[1]), sys.argv[2]
held = []

def get(s, path):
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
               % path).encode())
    d = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        d += c
    s.close()
    return d.split(b"\r\n")[0].decode()

try:
    t0 = time.time()
    for i in range(300):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.4", 0))
        s.connect(("127.0.0.1", port))
        held.append(s)
    for i in range(4):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sock_path)
        held.append(s)
    time.sleep(0.5)
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    print("silent-healthz", get(s, "/healthz"))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sock_path)
    print("silent-unix", get(s, "/api/v1/whoami"))
    open_ = set(range(len(held)))
    while open_ and time.time() - t0 < 30:
        r, _, _ = select.select([held[i] for i in open_], [], [], 0.5)
        for s in r:
            try:
                gone = s.recv(4096) == b""
            except OSError:
                gone = True
            if gone:
                open_.discard(held.index(s))
    print("silent-closed", len(held) - len(open_), "of", len(held),
          "within", "14s" if time.time() - t0 < 14 else "%ds" % (time.time() - t0))
finally:
    for s in held:
        s.close()
PY
)
echo "$out"
cb_assert_contains "$out" "silent-healthz HTTP/1.1 200" "/healthz answers beside 300 silent connections"
cb_assert_contains "$out" "silent-unix HTTP/1.1 200" "the unix socket answers beside silent connections"
cb_assert_contains "$out" "silent-closed 304 of 304 within 14s" \
	"header_timeout closes connections that never send a byte"
cb_assert_eq 200 "$(hub_get /metrics)" "metrics"
m=$(cat "$HUB_OUT")
cb_assert_contains "$m" "citybraind_connections_silent_closed_total 304" \
	"silent connections counted apart"
cb_assert_contains "$m" "citybraind_connections_timed_out_total 832" \
	"and among the timed-out ones"

# The unix socket's own budget: 8 slow unix connections fill it, a ninth
# unidentified one gets 503, the hub's user on it is still served.
out=$(python3 - "$HUB_SOCKET" <<'PY'
import socket, sys, time
held = []
def unix():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(sys.argv[1])
    return s
try:
    for i in range(8):
        s = unix()
        s.sendall(b"G")
        held.append(s)
    time.sleep(0.5)
    s = unix()
    s.sendall(b"GET /api/v1/whoami HTTP/1.1\r\nHost: x\r\n\r\n")
    d = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        d += c
    s.close()
    print(d.split(b"\r\n")[0].decode(), "close" if b"Connection: close" in d else "keep")
finally:
    for s in held:
        s.close()
PY
)
cb_assert_eq "HTTP/1.1 200 OK close" "$out" "unix budget full: the uid user is served, then closed"

hub_finish
cb_done
