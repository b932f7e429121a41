#!/bin/sh
# http_check against real TLS servers: a self-signed certificate made with
# the openssl command line, valid for 30 days, must report
# cert_days_left 29.x (with the CA configured, and with verification off);
# an untrusted certificate and an expired one must fail with an error that
# says so, and the expired one still reports its negative days left when
# verification is off.
. "$top_srcdir/tests/integration/lib.sh"

COLLECTOR=$top_builddir/collectors/citybrain-collector
SERVER=$top_srcdir/tests/collector/tls-server.py

command -v openssl >/dev/null 2>&1 || {
	echo "openssl not installed: skipping"
	exit 77
}
command -v python3 >/dev/null 2>&1 || {
	echo "python3 not installed: skipping"
	exit 77
}

cd "$CB_TMP" || exit 1
printf '%s\n' 'subjectAltName=IP:127.0.0.1' 'basicConstraints=critical,CA:TRUE' \
    >ext.cnf
openssl req -new -newkey rsa:2048 -nodes -keyout key.pem \
    -subj /CN=127.0.0.1 -out req.csr >openssl.log 2>&1 &&
    openssl x509 -req -in req.csr -signkey key.pem -days 30 \
        -extfile ext.cnf -out good.pem >>openssl.log 2>&1 &&
    openssl x509 -req -in req.csr -signkey key.pem -days -1 \
        -extfile ext.cnf -out expired.pem >>openssl.log 2>&1 || {
	cat openssl.log
	cb_fail "openssl could not make the certificates"
	cb_done
}

GOOD=$(cb_free_port)
cb_start good python3 "$SERVER" good.pem key.pem "$GOOD"
EXPIRED=$(cb_free_port)
cb_start expired python3 "$SERVER" expired.pem key.pem "$EXPIRED"
cb_wait_http "https://127.0.0.1:$GOOD/health" -k || cb_fail "TLS server did not start"
cb_wait_http "https://127.0.0.1:$EXPIRED/health" -k || cb_fail "TLS server did not start"

cat >tls.json <<JSON
{"name": "t", "hub": {"urls": ["http://127.0.0.1:1"]},
 "inputs": [
  {"type": "http_check", "name": "ca", "expect_body": "ok",
   "url": "https://127.0.0.1:$GOOD/health", "ca_file": "$CB_TMP/good.pem"},
  {"type": "http_check", "name": "noverify",
   "url": "https://127.0.0.1:$GOOD/health", "insecure": true},
  {"type": "http_check", "name": "untrusted",
   "url": "https://127.0.0.1:$GOOD/health"},
  {"type": "http_check", "name": "expired",
   "url": "https://127.0.0.1:$EXPIRED/health", "ca_file": "$CB_TMP/expired.pem"},
  {"type": "http_check", "name": "expired-noverify",
   "url": "https://127.0.0.1:$EXPIRED/health", "insecure": true}
 ]}
JSON
"$COLLECTOR" -c tls.json --test >tls.out 2>tls.log
rc=$?
o=$(cat tls.out)
l=$(cat tls.log)
cb_assert_eq 1 "$rc" "--test fails when a check fails"

# days_left CHECK: the integer part of its cert_days_left, or "none".
days_left() {
	sed -n "s/^http_check,check=$1,.*cert_days_left=\([-0-9.e]*\).*/\1/p" tls.out |
	    awk '{ printf "%d\n", $1 } END { if (NR == 0) print "none" }'
}

cb_assert_contains "$o" "check=ca,url=https://127.0.0.1:$GOOD/health up=1i,status=200i" "trusted TLS check is up"
cb_assert_contains "$o" "body_match=1i" "body read over TLS"
d=$(days_left ca)
case "$d" in
29 | 30) ;;
*) cb_fail "cert_days_left of a 30-day certificate (CA configured): got $d" ;;
esac
d=$(days_left noverify)
case "$d" in
29 | 30) ;;
*) cb_fail "cert_days_left with verification off: got $d" ;;
esac

cb_assert_contains "$o" "check=untrusted,url=https://127.0.0.1:$GOOD/health up=0i" "untrusted certificate is down"
cb_assert_contains "$l" "untrusted: https://127.0.0.1:$GOOD/health:" "untrusted certificate is logged"
case "$l" in
*"untrusted: https://127.0.0.1:$GOOD/health:"*[Cc]ertificate*) ;;
*) cb_fail "the untrusted-certificate error does not say 'certificate': $l" ;;
esac
grep '^http_check,check=untrusted,' tls.out | grep -q cert_days_left &&
    cb_fail "no days left without a verified handshake"

cb_assert_contains "$o" "check=expired,url=https://127.0.0.1:$EXPIRED/health up=0i" "expired certificate is down"
case "$l" in
*"expired: https://127.0.0.1:$EXPIRED/health:"*[Cc]ertificate*) ;;
*) cb_fail "the expired-certificate error does not say 'certificate': $l" ;;
esac
# OpenSSL's libcurl names the reason; GnuTLS's only says verification failed.
if ldd "$COLLECTOR" | grep -q 'libcurl\.so'; then
	cb_assert_contains "$l" "certificate has expired" "OpenSSL names the expiry"
fi
cb_assert_contains "$o" "check=expired-noverify,url=https://127.0.0.1:$EXPIRED/health up=1i" "expired certificate, verification off"
d=$(days_left expired-noverify)
case "$d" in
-1 | -2) ;;
*) cb_fail "cert_days_left of a certificate expired yesterday: got $d" ;;
esac
cb_done
