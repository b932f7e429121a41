#!/bin/sh
# Forwarding's per-target settings (hub/remote/forward-*.c, relabel.c)
# against real receivers from Debian on 127.0.0.1:
# - match + relabel (replace, labeldrop, drop) + basic_auth to a
#   victoria-metrics that requires Basic auth: what VM stores is exactly
#   the hub's data transformed by the rules; the same target without
#   basic_auth is refused (401, counted, dropped);
# - tls.ca_file to a victoria-metrics serving https with a certificate of
#   a test CA (openssl): data arrives; without ca_file the certificate is
#   refused (network failures, the error in GET /api/v1/status/remote);
#   insecure_skip_verify sends;
# - tls.cert_file/key_file to prometheus requiring client certificates:
#   data arrives; without a client certificate it does not.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

command -v victoria-metrics >/dev/null || { echo "SKIP: victoria-metrics not installed (./bootstrap)"; exit 77; }
command -v prometheus >/dev/null || { echo "SKIP: prometheus not installed (./bootstrap)"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: openssl not installed"; exit 77; }

PKI=$(cb_tmpdir)
cert() { # NAME [SAN]: a key and certificate signed by the test CA
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.csr" -subj "/CN=$1" 2>/dev/null
	: >"$PKI/$1.ext"
	[ -z "${2:-}" ] || printf 'subjectAltName=%s\n' "$2" >"$PKI/$1.ext"
	openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
		-CAcreateserial -out "$PKI/$1.pem" -days 2 -extfile "$PKI/$1.ext" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$PKI/ca.key" -out "$PKI/ca.pem" -days 2 -subj "/CN=citybrain test CA" 2>/dev/null
cert server IP:127.0.0.1
cert client
[ -s "$PKI/server.pem" ] && [ -s "$PKI/client.pem" ] || { cb_fail "openssl made no certificates"; exit 1; }

VM_PORT=$(cb_free_port)
VMS_PORT=$(cb_free_port)
P_PORT=$(cb_free_port)
P_DIR=$(cb_tmpdir)
cb_start vm victoria-metrics -httpListenAddr="127.0.0.1:$VM_PORT" \
	-storageDataPath="$(cb_tmpdir)" -retentionPeriod=100y -loggerLevel=WARN \
	-httpAuth.username=city -httpAuth.password=s3cret
cb_start vms victoria-metrics -httpListenAddr="127.0.0.1:$VMS_PORT" \
	-storageDataPath="$(cb_tmpdir)" -retentionPeriod=100y -loggerLevel=WARN \
	-tls -tlsCertFile="$PKI/server.pem" -tlsKeyFile="$PKI/server.key"
printf 'global: {}\n' >"$P_DIR/prometheus.yml"
cat >"$P_DIR/web.yml" <<YML
tls_server_config:
  cert_file: $PKI/server.pem
  key_file: $PKI/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: $PKI/ca.pem
YML
cb_start prometheus prometheus --config.file="$P_DIR/prometheus.yml" \
	--storage.tsdb.path="$P_DIR/data" --web.listen-address="127.0.0.1:$P_PORT" \
	--web.config.file="$P_DIR/web.yml" --web.enable-remote-write-receiver
cb_wait_http "http://127.0.0.1:$VM_PORT/health" -f -u city:s3cret || { cb_fail "victoria-metrics did not start"; exit 1; }
cb_wait_http "https://127.0.0.1:$VMS_PORT/health" --cacert "$PKI/ca.pem" || { cb_fail "victoria-metrics (TLS) did not start"; exit 1; }
PCURL="--cacert $PKI/ca.pem --cert $PKI/client.pem --key $PKI/client.key"
# shellcheck disable=SC2086
cb_wait_http "https://127.0.0.1:$P_PORT/-/ready" $PCURL || { cb_fail "prometheus did not start"; exit 1; }

hub_conf
printf 's3cret\n' >"$HUB_DIR/vm.pass"
python3 - "$HUB_DIR/hub.json" "$VM_PORT" "$VMS_PORT" "$P_PORT" "$PKI" <<'PY'
import json, sys
p, vm, vms, pr, pki = sys.argv[1:6]
c = json.load(open(p))
fail = {"max_backoff": "1s"}
c["remote_write"] = [
    {"name": "vm", "url": "http://127.0.0.1:%s/api/v1/write" % vm,
     "basic_auth": {"username": "city", "password_file": "vm.pass"},
     "match": 'fwd{sensor!="s05"}',
     "relabel": [
         {"target_label": "district", "replacement": "440304"},
         {"source_labels": ["grid"], "regex": "440304001(\\d+)",
          "target_label": "cell", "replacement": "c${1}"},
         {"action": "labeldrop", "regex": "grid"},
         {"action": "drop", "source_labels": ["sensor"], "regex": "s0[67]"}]},
    {"name": "vm-noauth", "url": "http://127.0.0.1:%s/api/v1/write" % vm, "queue": fail},
    {"name": "vmtls", "url": "https://127.0.0.1:%s/api/v1/write" % vms,
     "tls": {"ca_file": pki + "/ca.pem"}},
    {"name": "vmtls-noca", "url": "https://127.0.0.1:%s/api/v1/write" % vms, "queue": fail},
    {"name": "vmtls-insecure", "url": "https://127.0.0.1:%s/api/v1/write" % vms,
     "tls": {"insecure_skip_verify": True}},
    {"name": "prom", "url": "https://127.0.0.1:%s/api/v1/write" % pr,
     "tls": {"ca_file": pki + "/ca.pem", "cert_file": pki + "/client.pem",
             "key_file": pki + "/client.key"}},
    {"name": "prom-nocert", "url": "https://127.0.0.1:%s/api/v1/write" % pr,
     "tls": {"ca_file": pki + "/ca.pem"}, "queue": fail},
]
json.dump(c, open(p, "w"), indent=1)
PY
hub_start
TOKEN=$HUB_TOK_SUPER
BASE=$((($(date +%s) - 300) * 1000))

# 8 sensors in Nanyuan's grids, 5 points each.
python3 - "$BASE" >"$HUB_DIR/batch.lp" <<'PY'
import sys
base = int(sys.argv[1])
grids = ["440304001001001", "440304001001002", "440304001002001", "440304001002002"]
for g in range(8):
    for i in range(5):
        print("fwd,grid=%s,sensor=s%02d value=%r %d" % (grids[g % 4], g, round(g * 10.5 + i, 2), base + i * 1000))
PY
c=$(TOKEN=$HUB_TOK_COLLECTOR hub_post '/api/v1/write?precision=ms' "$HUB_DIR/batch.lp")
[ "$c" = 204 ] || cb_fail "write: $c $(cat "$HUB_OUT")"

status() { # TARGET EXPR: EXPR over target t of GET /api/v1/status/remote
	hub_get /api/v1/status/remote >/dev/null
	hub_json "[t for t in j['targets'] if t['name'] == '$1'][0]$2"
}
wait_status() { # TARGET EXPR WANT
	_i=0
	while [ "$(status "$1" "$2")" != "$3" ] && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	cb_assert_eq "$3" "$(status "$1" "$2")" "$1: $2"
}
for t in vm vmtls vmtls-insecure prom; do
	wait_status $t "['queue_bytes']" 0
	cb_assert_eq 0 "$(status $t "['dropped_samples']")" "$t: nothing dropped"
done
cb_assert_eq 40 "$(status vmtls "['sent_samples']")" "vmtls: all sent"
cb_assert_eq 40 "$(status vmtls-insecure "['sent_samples']")" "insecure_skip_verify: all sent"
cb_assert_eq 25 "$(status vm "['sent_samples']")" "vm: sent what match and relabel keep"
cb_assert_eq 15 "$(status vm "['filtered_samples']")" "vm: filtered s05 (match), s06, s07 (drop)"
curl -s "$HUB_URL/metrics" | grep -q '^citybraind_remote_filtered_samples_total{target="vm"} 15$' ||
	cb_fail "/metrics: filtered samples of vm"

# Refused: Basic auth missing (401: dropped), an unknown CA, no client cert.
wait_status vm-noauth "['failures']['4xx'] >= 1" True
wait_status vm-noauth "['last_error']" "HTTP 401"
wait_status vmtls-noca "['failures']['network'] >= 1" True
cb_assert_eq 0 "$(status vmtls-noca "['sent_samples']")" "no CA: nothing sent"
cb_assert_contains "$(status vmtls-noca "['last_error']")" "certificate" "no CA: the error names the certificate"
wait_status prom-nocert "['failures']['network'] >= 1" True
cb_assert_eq 0 "$(status prom-nocert "['sent_samples']")" "no client certificate: nothing sent"
hub_get /api/v1/status/remote >/dev/null
cb_assert_eq 7 "$(hub_json 'len(j["targets"])')" "status lists every target"

# What each receiver stores.
curl -s -u city:s3cret "http://127.0.0.1:$VM_PORT/internal/force_flush" >/dev/null
curl -s --cacert "$PKI/ca.pem" "https://127.0.0.1:$VMS_PORT/internal/force_flush" >/dev/null
out=$(python3 - "$HUB_URL" "$TOKEN" "$VM_PORT" "$VMS_PORT" "$P_PORT" "$PKI" "$BASE" <<'PY'
import base64, json, re, ssl, sys, urllib.parse, urllib.request
hub, token, vm, vms, pr, pki, base = sys.argv[1:8]
base = int(base)
ctx = ssl.create_default_context(cafile=pki + "/ca.pem")
pctx = ssl.create_default_context(cafile=pki + "/ca.pem")
pctx.load_cert_chain(pki + "/client.pem", pki + "/client.key")
def get(url, hdr=None, context=None):
    req = urllib.request.Request(url)
    for k, v in (hdr or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=30, context=context) as r:
        return r.read().decode()
h = json.loads(get(hub + "/api/v1/query?" + urllib.parse.urlencode(
    {"q": "fwd", "start": base - 1000, "end": base + 3600000, "limit": 10000}),
    {"Authorization": "Bearer " + token}))
plain = {tuple(sorted(s["labels"].items())): [(int(t), float(v)) for t, v in s["points"]]
         for s in h["series"]}
# the vm target's rules, by hand
want = {}
for k, pts in plain.items():
    l = dict(k)
    if l["sensor"] == "s05" or l["sensor"] in ("s06", "s07"):
        continue
    l["district"] = "440304"
    m = re.fullmatch(r"440304001(\d+)", l["grid"])
    l["cell"] = "c" + m.group(1)
    del l["grid"]
    want[tuple(sorted(l.items()))] = pts
def export(url, hdr=None, context=None):
    got = {}
    for line in get(url + "/api/v1/export?" + urllib.parse.urlencode({"match[]": "fwd"}), hdr, context).splitlines():
        r = json.loads(line)
        m = dict(r["metric"]); del m["__name__"]
        got[tuple(sorted(m.items()))] = sorted(zip(r["timestamps"], r["values"]))
    return got
auth = {"Authorization": "Basic " + base64.b64encode(b"city:s3cret").decode()}
vmgot = export("http://127.0.0.1:" + vm, auth)
vmsgot = export("https://127.0.0.1:" + vms, None, ctx)
# insecure_skip_verify sent the same points again to the same VM: dedupe
vmsgot = {k: sorted(set(v)) for k, v in vmsgot.items()}
pj = json.loads(get("https://127.0.0.1:%s/api/v1/query?" % pr + urllib.parse.urlencode(
    {"query": "fwd[1h]", "time": base / 1000 + 3000}), None, pctx))
pgot = {}
for r in pj["data"]["result"]:
    m = dict(r["metric"]); del m["__name__"]
    pgot[tuple(sorted(m.items()))] = [(int(round(float(t) * 1000)), float(v)) for t, v in r["values"]]
for name, got, exp in (("vm (match+relabel)", vmgot, want), ("vm over TLS", vmsgot, plain),
                       ("prometheus over mTLS", pgot, plain)):
    print("%s: %s (%d series, %d expected)" % (name, "same" if got == exp else "FAIL differs", len(got), len(exp)))
    if got != exp:
        print("  got e.g. %s" % list(got.items())[:1])
        print("  want e.g. %s" % list(exp.items())[:1])
PY
)
echo "$out"
case "$out" in *FAIL*) cb_fail "a receiver's data differs" ;; esac
cb_assert_contains "$out" "vm (match+relabel): same (5 series, 5 expected)" "relabelled series"
cb_assert_contains "$out" "vm over TLS: same (8 series" "TLS series"

hub_finish
cb_done
