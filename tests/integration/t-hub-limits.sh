#!/bin/sh
# The hub's limits and what its clients see: limits.max_connections (503
# JSON and Connection: close past it without a token, counted in /metrics), 413 from the
# HTTP layer as JSON (body over limits.max_body, headers over 64 KiB, and
# malformed requests and unknown methods),
# duplicates and late points in /api/v1/quality, and GET /api/v1/query
# grouped by __name__.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

HUB_MAX_CONNECTIONS=2 HUB_MAX_BODY=65536 hub_conf
hub_start
TOKEN=$HUB_TOK_SUPER

# ---- limits.max_connections --------------------------------------------
# Two keep-alive connections hold the limit; a third is refused with a JSON
# 503 and closed; once one of the two closes, a new connection is served.
out=$(python3 - "$HUB_PORT" "$TOKEN" <<'PY'
import json, socket, sys
port, tok = int(sys.argv[1]), sys.argv[2]
def req(s, path="/api/v1/whoami", auth=True):
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n"
               % (path, "Authorization: Bearer %s\r\n" % tok if auth else "")).encode())
    data = b""
    while b"\r\n\r\n" not in data:
        c = s.recv(65536)
        if not c:
            break
        data += c
    head, _, body = data.partition(b"\r\n\r\n")
    n = 0
    for l in head.split(b"\r\n")[1:]:
        k, _, v = l.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    while len(body) < n:
        c = s.recv(65536)
        if not c:
            break
        body += c
    return int(head.split()[1]), head.decode(), body.decode()
def conn():
    return socket.create_connection(("127.0.0.1", port))
a, b = conn(), conn()
print("a", req(a)[0]); print("b", req(b)[0])
c = conn()
code, head, body = req(c, auth=False)
print("c", code, json.loads(body)["error"].split(" (")[0],
      "close" if "Connection: close" in head else "keep-alive",
      "eof" if c.recv(1) == b"" else "open")
e = conn()
code, head, body = req(e)
print("e-token", code, "close" if "Connection: close" in head else "keep-alive",
      "eof" if e.recv(1) == b"" else "open")
print("a-again", req(a)[0])
a.close()
import time; time.sleep(0.3)
d = conn()
print("d", req(d)[0])
PY
)
cb_assert_contains "$out" "a 200" "first connection served"
cb_assert_contains "$out" "b 200" "second connection served"
cb_assert_contains "$out" "c 503 too many connections close eof" \
	"third connection without a token: 503 JSON, Connection: close, closed"
cb_assert_contains "$out" "e-token 200 close eof" \
	"a connection over the limit with a token: served, then closed"
cb_assert_contains "$out" "a-again 200" "admitted connection keeps being served"
cb_assert_contains "$out" "d 200" "a slot freed by a close is reused"
cb_assert_eq 200 "$(hub_get /metrics)" "metrics"
cb_assert_contains "$(cat "$HUB_OUT")" "citybraind_connections_refused_total 2" \
	"refusal counted in /metrics"
cb_assert_contains "$(cat "$HUB_OUT")" "citybraind_connections_max 2" \
	"the limit in /metrics"

# ---- 413 and libevent's own errors as JSON -------------------------------
big="$HUB_DIR/big.lp"
python3 -c 'import sys
for i in range(3000): print("env,grid=440304001001001 aqi=%d" % i)' >"$big"
TOKEN=$HUB_TOK_COLLECTOR
cb_assert_eq 413 "$(hub_post /api/v1/write "$big" -D "$HUB_DIR/h413")" \
	"body over limits.max_body"
cb_assert_contains "$(cat "$HUB_DIR/h413")" "application/json" "413 is JSON"
cb_assert_contains "$(hub_json 'j["error"]')" "limits.max_body" \
	"413 names the limit"
TOKEN=$HUB_TOK_SUPER
long=$(python3 -c 'print("x" * 70000)')
cb_assert_eq 413 "$(hub_get /api/v1/whoami -H "X-Long: $long" -D "$HUB_DIR/h413b")" \
	"header over 64 KiB"
cb_assert_contains "$(cat "$HUB_DIR/h413b")" "application/json" \
	"oversized header: JSON"
cb_assert_contains "$(hub_json 'j["error"]')" "header may have at most 65536 bytes" \
	"oversized header message"
code=$(printf 'GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n' | python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read())
d = b""
while True:
    c = s.recv(65536)
    if not c: break
    d += c
head, _, body = d.partition(b"\r\n\r\n")
open(sys.argv[2], "wb").write(body)
print(head.split()[1].decode())' "$HUB_PORT" "$HUB_OUT")
cb_assert_eq 400 "$code" "malformed request line"
cb_assert_eq "malformed HTTP request" "$(hub_json 'j["error"]')" "400 is JSON"
code=$(curl -s -o "$HUB_OUT" -w '%{http_code}' -X PATCH "$HUB_URL/healthz")
cb_assert_eq 501 "$code" "unknown method answered by libevent"
cb_assert_eq "method not implemented" "$(hub_json 'j["error"]')" "501 is JSON"
# The hub still serves on after those.
cb_assert_eq 200 "$(hub_get /healthz)" "healthz after errors"

# ---- duplicates and late points in quality -------------------------------
now=$(date +%s)
f="$HUB_DIR/q.lp"
cat >"$f" <<LP
env,grid=440304001001001,system=air-quality aqi=40 $((now - 60))
env,grid=440304001001001,system=air-quality aqi=41 $now
LP
TOKEN=$HUB_TOK_COLLECTOR
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" "first delivery"
# Redelivered (a duplicate of the newest point and a late one), a point
# older than the raw retention (15 days: refused by the hub's time check
# before the store sees it, so not counted as late), and a new one.
cat >"$f" <<LP
env,grid=440304001001001,system=air-quality aqi=40 $((now - 60))
env,grid=440304001001001,system=air-quality aqi=41 $now
env,grid=440304001001001,system=air-quality aqi=39 $((now - 20 * 86400))
env,grid=440304001001001,system=air-quality aqi=42 $((now + 1))
LP
cb_assert_eq 400 "$(hub_post '/api/v1/write?precision=s' "$f")" \
	"redelivery: one point refused as too late"
TOKEN=$HUB_TOK_SUPER
cb_assert_eq 200 "$(hub_get /api/v1/quality)" "quality"
cb_assert_eq 1 "$(hub_json 'j["duplicates_total"]')" "duplicates counted"
cb_assert_eq 1 "$(hub_json 'j["late_total"]')" "late points counted"
cb_assert_eq 0 "$(hub_json 'j["late_rejected_total"]')" "nothing refused by the store as late"
cb_assert_eq '{"sample-collector": 1}' "$(hub_json 'j["duplicates"]["by_source"]')" \
	"duplicates by source"
cb_assert_eq '{"sample-collector": 1}' "$(hub_json 'j["late"]["by_source"]')" \
	"late by source"
cb_assert_eq '[1, 1, 0]' "$(hub_json '[[c["duplicates"], c["late"], c["late_rejected"]] for c in j["collectors"] if c["name"] == "sample-collector"][0]')" \
	"per-collector counts"
cb_assert_eq 200 "$(hub_get /api/v1/overview)" "overview"
cb_assert_eq '[1, 1]' "$(hub_json '[j["quality"]["duplicates_total"], j["quality"]["late_total"]]')" \
	"overview quality counts"
cb_assert_eq 200 "$(hub_get /metrics)" "metrics"
cb_assert_contains "$(cat "$HUB_OUT")" "citybraind_points_duplicate_total 1" \
	"duplicates in /metrics"

# ---- query grouped by __name__ --------------------------------------------
cat >"$f" <<LP
water,grid=440304001001001,system=water-level-iot level=1.5,rainfall=3 $now
water,grid=440304001001002,system=water-level-iot level=2.5,rainfall=5 $now
LP
TOKEN=$HUB_TOK_COLLECTOR
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" "water data"
TOKEN=$HUB_TOK_SUPER
cb_assert_eq 200 "$(hub_get '/api/v1/query?q=%7B__name__%3D~%22water_.*%22%7D&by=__name__&agg=max&start=-5m&step=10m')" \
	"query by __name__"
cb_assert_eq '["water_level", "water_rainfall"]' "$(hub_json '[s["labels"]["__name__"] for s in j["series"]]')" \
	"one group per metric, named in labels"
cb_assert_eq '[2.5, 5.0]' "$(hub_json '[s["points"][-1][1] for s in j["series"]]')" \
	"aggregated per metric"
cb_assert_eq '["water_level", "water_rainfall"]' "$(hub_json '[s["metric"] for s in j["series"]]')" \
	"metric set on groups"
cb_assert_eq 200 "$(hub_get '/api/v1/query?q=%7B__name__%3D~%22water_.*%22%7D&by=__name__,grid&agg=max&start=-5m&step=10m')" \
	"query by __name__ and a tag"
cb_assert_eq 4 "$(hub_json 'len(j["series"])')" "metric x grid groups"
cb_assert_eq '["grid", "__name__"]' "$(hub_json 'j["by"]')" "by echoed"
cb_assert_eq 400 "$(hub_get '/api/v1/query?q=%7B__name__%3D~%22water_.*%22%7D&by=__name__,grid&start=-5m&limit=3')" \
	"limit applies across metrics"

hub_finish
cb_done
