#!/bin/sh
# Long history read back (hub.json "remote_read", hub/remote/remote-read.c)
# from a real victoria-metrics on 127.0.0.1.  Hub A keeps everything (15
# days raw) and forwards it to VM; hub B keeps 2 days raw and reads older
# spans from VM.  Checks: a raw query over 5 days on B equals the same
# query on A (series, times, values), its "sources" say which span came
# from the remote and which from local data; a scoped user sees on B
# exactly what they see on A (the remote part masked too); while a slow
# remote read is pending (a slow HTTP hop in front of VM) B still answers
# /healthz within 100 ms and ingest, and the read's answer is still right;
# with VM down B answers its local part with a warning.  The same holds
# for PromQL (/prometheus/api/v1/query_range: rate, sum by, an instant
# selector) and native aggregates (agg/by/step, answered on the hub from
# the raw points of both): B equals A for the supervisor and a scoped user.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/remote-lib.sh"

command -v victoria-metrics >/dev/null || { echo "SKIP: victoria-metrics not installed (./bootstrap)"; exit 77; }

remote_vm_start

# B reads through a hop whose delay the test sets (0 at first).
remote_hop_start 0

# Hub B: 2 days raw, remote_read from VM.
hub_conf
python3 - "$HUB_DIR/hub.json" "$HOP_PORT" <<'PY'
import json, sys
p, hop = sys.argv[1:3]
c = json.load(open(p))
c["retention"] = {"raw": "2d", "minute": "2d", "hour": "2d"}
c["remote_read"] = {"url": "http://127.0.0.1:%s" % hop, "timeout": "10s"}
json.dump(c, open(p, "w"), indent=1)
PY
B_DIR=$HUB_DIR B_URL=$HUB_URL
cb_start hubb "$HUB_BIN" -v --config "$B_DIR/hub.json"
cb_wait_http "$B_URL/healthz" || { cb_fail "hub B did not start"; exit 1; }

# Hub A: defaults (15 days raw), forwarding to VM.
hub_conf
python3 - "$HUB_DIR/hub.json" "$VM_PORT" <<'PY'
import json, sys
p, vm = sys.argv[1:3]
c = json.load(open(p))
c["remote_write"] = [{"name": "vm", "url": "http://127.0.0.1:%s/api/v1/write" % vm}]
json.dump(c, open(p, "w"), indent=1)
PY
hub_start
A_URL=$HUB_URL

NOW=$(($(date +%s) * 1000))
# old: 4 days ago (A only); new: 10 minutes ago (A and B).  Series in
# Nanyuan (440304001...) and Fubao (440304010...).
gen() { # BASE
	python3 - "$1" <<'PY'
import sys
base = int(sys.argv[1])
grids = ["440304001001001", "440304001002002", "440304010001001", "440304010001007"]
for g, grid in enumerate(grids):
    for i in range(6):
        print("fwd,grid=%s,sensor=s%d value=%r %d" % (grid, g, round(g * 100 + i * 1.25 - 3, 2), base + i * 60000))
PY
}
gen $((NOW - 4 * 86400000)) >"$B_DIR/old.lp"
gen $((NOW - 600000)) >"$B_DIR/new.lp"
for u in "$A_URL:old" "$A_URL:new" "$B_URL:new"; do
	c=$(curl -s -o "$B_DIR/out" -w '%{http_code}' -H "Authorization: Bearer $HUB_TOK_COLLECTOR" \
		--data-binary "@$B_DIR/${u##*:}.lp" "${u%:*}/api/v1/write?precision=ms")
	[ "$c" = 204 ] || cb_fail "write ${u##*:} to ${u%:*}: $c $(cat "$B_DIR/out")"
done
_i=0
until curl -s "$A_URL/metrics" | grep -q '^citybraind_remote_queue_bytes{target="vm"} 0$' || [ $_i -ge 300 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
curl -s "http://127.0.0.1:$VM_PORT/internal/force_flush" >/dev/null

# compare TOKEN WHAT: B's 5-day raw query equals A's.
compare() {
	python3 - "$A_URL" "$B_URL" "$1" "$NOW" "$2" <<'PY'
import json, sys, urllib.parse, urllib.request
a, b, token, now, what = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
def q(base):
    url = base + "/api/v1/query?" + urllib.parse.urlencode(
        {"q": "fwd", "start": now - 5 * 86400000, "end": now, "limit": 1000})
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())
ja, jb = q(a), q(b)
def norm(j):
    return {tuple(sorted(s["labels"].items())): [(t, v) for t, v in s["points"]] for s in j["series"]}
na, nb = norm(ja), norm(jb)
pts = sum(len(p) for p in na.values())
print("%s: %s (%d series, %d points on A; %d series on B)" % (
    what, "same" if na == nb else "FAIL differs", len(na), pts, len(nb)))
if na != nb:
    for k in na:
        if na[k] != nb.get(k):
            print("  A %s: %s\n  B: %s" % (k, na[k], nb.get(k)))
            break
print("sources: %s" % json.dumps([s["from"] for s in jb.get("sources", [])]))
print("warnings: %s" % json.dumps(jb.get("warnings", [])))
print("subdistricts: %s" % json.dumps(sorted({dict(k).get("subdistrict") for k in nb})))
PY
}
out=$(compare "$HUB_TOK_SUPER" "district supervisor")
echo "$out"
cb_assert_contains "$out" 'district supervisor: same (4 series, 48 points on A; 4 series on B)' "B (2 days local + VM) equals A (all local)"
cb_assert_contains "$out" 'sources: ["remote", "local"]' "the reply says which span came from where"
cb_assert_contains "$out" 'warnings: []' "no warnings"

out=$(compare "$HUB_TOK_OPERATOR" "Nanyuan operator")
echo "$out"
cb_assert_contains "$out" 'Nanyuan operator: same (2 series, 24 points on A; 2 series on B)' "scoped query on B equals A"
cb_assert_contains "$out" 'subdistricts: ["440304001000"]' "remote data masked by scope"

# PromQL and native aggregates over both spans: B equals A.
compare_more() { # TOKEN WHAT
	python3 - "$A_URL" "$B_URL" "$1" "$NOW" "$2" <<'PY'
import json, sys, urllib.parse, urllib.request
a, b, token, now, what = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
def get(base, path, params):
    req = urllib.request.Request(base + path + "?" + urllib.parse.urlencode(params),
        headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())
start, end = (now - 4 * 86400000 - 120000) // 1000, now // 1000
promql = ["sum by (subdistrict) (rate(fwd[5m]))", "fwd", "max_over_time(fwd[3m]) * 2"]
for expr in promql:
    p = {"query": expr, "start": start, "end": end, "step": 60}
    ja, jb = get(a, "/prometheus/api/v1/query_range", p), get(b, "/prometheus/api/v1/query_range", p)
    ra = sorted((json.dumps(r["metric"], sort_keys=True), r["values"]) for r in ja["data"]["result"])
    rb = sorted((json.dumps(r["metric"], sort_keys=True), r["values"]) for r in jb["data"]["result"])
    old = sum(1 for _, v in ra for t, _x in v if t < end - 86400)
    print("%s promql %s: %s (%d series, %d old steps) sources %s warnings %s" % (
        what, expr, "same" if ra == rb and old > 0 else "FAIL", len(ra), old,
        json.dumps([s["from"] for s in jb.get("sources", [])]), json.dumps(jb.get("warnings", []))))
    if ra != rb:
        print("  A: %s\n  B: %s" % (ra[:1], rb[:1]))
native = [{"agg": "sum", "by": "subdistrict", "step": "1m"}, {"agg": "avg", "step": "1h"},
          {"agg": "count"}, {"agg": "max", "by": "__name__,subdistrict", "step": "2m"}]
for extra in native:
    p = dict(q="fwd", start=now - 5 * 86400000, end=now, **extra)
    ja, jb = get(a, "/api/v1/query", p), get(b, "/api/v1/query", p)
    def norm(j):
        return sorted((json.dumps(s["labels"], sort_keys=True), s.get("series"), s.get("metric"),
                       [(t, v) for t, v in s["points"]]) for s in j["series"])
    na, nb = norm(ja), norm(jb)
    old = sum(1 for s in na for t, _v in s[3] if t < now - 86400000)
    desc = ",".join("%s=%s" % kv for kv in sorted(extra.items()))
    print("%s native %s: %s (%d series, %d old points) sources %s" % (
        what, desc, "same" if na == nb and (old > 0 or "step" not in extra) else "FAIL", len(na), old,
        json.dumps([s["from"] for s in jb.get("sources", [])])))
    if na != nb:
        print("  A: %s\n  B: %s" % (na[:2], nb[:2]))
PY
}
for who in "$HUB_TOK_SUPER:supervisor" "$HUB_TOK_OPERATOR:operator"; do
	out=$(compare_more "${who%%:*}" "${who#*:}")
	echo "$out"
	cb_assert_eq 0 "$(echo "$out" | grep -c FAIL)" "${who#*:}: PromQL and native aggregates on B equal A"
	cb_assert_eq 7 "$(echo "$out" | grep -c ': same (')" "${who#*:}: seven queries compared"
	cb_assert_eq 3 "$(echo "$out" | grep -c 'promql.*sources \["remote", "local"\] warnings \[\]')" \
		"${who#*:}: PromQL replies say which span came from where"
done
out=$(compare_more "$HUB_TOK_OPERATOR" operator)
cb_assert_contains "$out" 'operator native agg=sum,by=subdistrict,step=1m: same (1 series' "scoped aggregate: Nanyuan's group only"

# Only local data when the query is inside the local retention.
c=$(curl -s -o "$B_DIR/out" -w '%{http_code}' -H "Authorization: Bearer $HUB_TOK_SUPER" \
	"$B_URL/api/v1/query?q=fwd&start=-1h")
cb_assert_eq 200 "$c" "recent query"
cb_assert_eq '["local"]' "$(hub_json '[s["from"] for s in j["sources"]]' "$B_DIR/out")" "recent: local only"

# A slow remote store: the read is pending for 2 s; meanwhile B answers
# /healthz and ingest at once, and the read's answer is still right.
echo 2 >"$HOP_DELAY"
compare "$HUB_TOK_SUPER" "slow remote" >"$B_DIR/slow.out" &
SLOW=$!
sleep 0.5
# Three tries, the fastest counts (a shared machine's load aside; a
# blocked loop would make every one take over a second).
t=$(for i in 1 2 3; do
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$B_URL/healthz"
done | sort -k2 -n | head -1)
echo "healthz while the remote read is pending: $t s"
cb_assert_eq 200 "${t% *}" "healthz answers while the remote read is pending"
cb_assert_eq ok "$(echo "${t#* }" | awk '{print ($1 < 0.1) ? "ok" : "slow: " $1 " s"}')" \
	"healthz within 100 ms while the remote read is pending"
c=$(curl -s -o "$B_DIR/out" -w '%{http_code}' -H "Authorization: Bearer $HUB_TOK_COLLECTOR" \
	--data-binary "@$B_DIR/new.lp" "$B_URL/api/v1/write?precision=ms")
cb_assert_eq 204 "$c" "ingest answers while the remote read is pending"
kill -0 "$SLOW" 2>/dev/null && pending=yes || pending=no
cb_assert_eq yes "$pending" "the remote read was still pending meanwhile"
wait "$SLOW"
out=$(cat "$B_DIR/slow.out")
echo "$out"
cb_assert_contains "$out" 'slow remote: same (4 series, 48 points on A; 4 series on B)' "the slow read's answer equals A's"
cb_assert_contains "$out" 'sources: ["remote", "local"]' "the slow read says where each span came from"
echo 0 >"$HOP_DELAY"

# VM down: B answers its local part and says the remote failed.
cb_stop vm
out=$(compare "$HUB_TOK_SUPER" "VM down")
echo "$out"
cb_assert_contains "$out" "4 series on B" "local series still answered"
cb_assert_contains "$out" 'warnings: ["remote_read: ' "the failure is a warning"
c=$(curl -s -o "$B_DIR/out" -w '%{http_code}' -H "Authorization: Bearer $HUB_TOK_SUPER" \
	"$B_URL/prometheus/api/v1/query_range?query=fwd&start=$(((NOW - 4 * 86400000) / 1000))&end=$((NOW / 1000))&step=60")
cb_assert_eq 200 "$c" "PromQL with VM down"
cb_assert_eq "4 yes" "$(hub_json '"%d %s" % (len(j["data"]["result"]), "yes" if j["warnings"][0].startswith("remote_read: ") else "no")' "$B_DIR/out")" \
	"PromQL with VM down: local series and a warning"

hub_finish hubb
hub_finish
cb_done
