# Helpers for the hub's integration tests (source after lib.sh).
#   hub_conf [ROLE [SCOPE]]  write a configuration under $HUB_DIR from the
#                            sample conf/, the current unix user as ROLE
#                            (default supervisor) with SCOPE (the district)
#   hub_start                start citybraind, wait until it answers
#   hub_get PATH [CURL-ARGS] GET over TCP with $TOKEN; body in $HUB_OUT,
#                            prints the status code
#   hub_sock PATH [ARGS]     the same over the unix socket (uid identity)
#   hub_post PATH FILE [ARGS] POST FILE's contents
#   hub_json EXPR [FILE]     evaluate a Python expression over the JSON
#                            body j (default $HUB_OUT)
#   hub_stop_clean [NAME]    SIGTERM; fail unless it exits 0, unaborted
# Tokens of tests/integration/tokens.json (plaintext):
HUB_TOK_COLLECTOR=cbt_sample_collector   # every system, whole district
HUB_TOK_FUBAO=cbt_sample_fubao_water     # water-level-iot in Fubao only
HUB_TOK_VIEWER=cbt_sample_remote_viewer  # user futian-viewer
HUB_TOK_OPERATOR=cbt_test_nanyuan_op     # user nanyuan-operator (added here)
HUB_TOK_SUPER=cbt_test_supervisor        # user futian-supervisor (added here)
HUB_BIN="$top_builddir/hub/citybraind"

hub_conf() {
	HUB_DIR=$(cb_tmpdir)
	HUB_PORT=$(cb_free_port)
	HUB_URL="http://127.0.0.1:$HUB_PORT"
	HUB_SOCKET="$HUB_DIR/hub.sock"
	HUB_OUT="$HUB_DIR/out.json"
	_role=${1:-supervisor}
	_scope=${2:-440304000000}
	cp "$top_srcdir/conf/territory.json" "$top_srcdir/conf/systems.json" \
		"$HUB_DIR/"
	chmod u+w "$HUB_DIR"/*.json
	HUB_ME=$(id -un)
	cat >"$HUB_DIR/users.json" <<JSON
{"users": [
 {"name": "$HUB_ME", "role": "$_role", "scope": "$_scope"},
 {"name": "futian-supervisor", "role": "supervisor", "scope": "440304000000"},
 {"name": "nanyuan-operator", "role": "operator", "scope": "440304001000"},
 {"name": "futian-viewer", "role": "viewer", "scope": "440304000000"}
]}
JSON
	python3 - "$top_srcdir/tests/integration/tokens.json" "$HUB_DIR/tokens.json" <<'PY'
import hashlib, json, sys
d = json.load(open(sys.argv[1]))
h = lambda s: hashlib.sha256(s.encode()).hexdigest()
d["tokens"].append({"name": "nanyuan-op", "sha256": h("cbt_test_nanyuan_op"), "user": "nanyuan-operator"})
d["tokens"].append({"name": "super", "sha256": h("cbt_test_supervisor"), "user": "futian-supervisor"})
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
	cat >"$HUB_DIR/hub.json" <<JSON
{
 "listen": "127.0.0.1:$HUB_PORT",
 "socket": "hub.sock",
 "data": "data",
 "territory": "territory.json",
 "systems": "systems.json",
 "users": "users.json",
 "tokens": "tokens.json",
 "store": {"sync": false},
 "limits": {"max_body": ${HUB_MAX_BODY:-1048576}, "max_lines": ${HUB_MAX_LINES:-100000},
            "max_body_decompressed": ${HUB_MAX_DECOMPRESSED:-268435456},
            "max_connections": ${HUB_MAX_CONNECTIONS:-1024}},
 "headline": [
  {"name": "aqi", "metric": "env_aqi", "agg": "avg"},
  {"name": "water_level", "metric": "water_level", "agg": "max", "unit": "m"}
 ]
}
JSON
}

hub_start() {
	cb_start hub "$HUB_BIN" -v --config "$HUB_DIR/hub.json"
	cb_wait_http "$HUB_URL/healthz" || { cb_fail "hub did not start"; exit 1; }
	cb_wait_file "$HUB_SOCKET"
}

hub_get() {
	_p=$1
	shift
	curl -g -s -o "$HUB_OUT" -w '%{http_code}' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} "$@" "$HUB_URL$_p"
}

hub_sock() {
	_p=$1
	shift
	curl -g -s -o "$HUB_OUT" -w '%{http_code}' --unix-socket "$HUB_SOCKET" "$@" "http://hub$_p"
}

hub_post() {
	_p=$1
	_f=$2
	shift 2
	curl -g -s -o "$HUB_OUT" -w '%{http_code}' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} --data-binary "@$_f" "$@" "$HUB_URL$_p"
}

# On a body that is not JSON or lacks what EXPR reads, it prints one line
# naming the expression, the error and the start of the body (no Traceback),
# which then fails the assertion that compares it.
hub_json() {
	python3 -c 'import json,sys
body = open(sys.argv[2], encoding="utf-8", errors="replace").read()
try:
    j = json.loads(body)
    r = eval(sys.argv[1])
except Exception as e:
    print("hub_json: %s: %s: %s (body: %.200r)" % (sys.argv[1], type(e).__name__, e, body))
    sys.exit(1)
print(r if isinstance(r, (str, bool)) else json.dumps(r, ensure_ascii=False))' "$1" "${2:-$HUB_OUT}" 2>&1
}

# hub_finish [NAME]: stop the hub (default "hub") cleanly and fail the test
# if its log shows a sanitizer report (leaks are reported at exit).
hub_finish() {
	_n=${1:-hub}
	cb_stop "$_n" TERM
	if grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" \
		"$CB_TMP/$_n.log" 2>/dev/null; then
		cb_fail "$_n: sanitizer report in its log"
	fi
}

# hub_stop_clean [NAME]: stop the hub (default "hub") with SIGTERM as
# systemd does and fail the test unless it exits 0, as citybraind(8)
# promises, with no abort or sanitizer report in its log.
hub_stop_clean() {
	_n=${1:-hub}
	hub_finish "$_n"
	cb_assert_eq 0 "$CB_STATUS" "$_n: exit status on SIGTERM"
	if grep -qE "Assertion .* failed|terminate called|Aborted" \
		"$CB_TMP/$_n.log" 2>/dev/null; then
		cb_fail "$_n: aborted on SIGTERM: $(grep -E "Assertion|terminate|Aborted" "$CB_TMP/$_n.log" | head -n 3)"
	fi
}

# hub_routes_listed ROUTES LINES FILE WHAT: every line of ROUTES (from
# citybraind --list-routes) is in LINES (FILE's lines without comments)
# and every line of LINES names a route; else fail saying WHAT is missing.
hub_routes_listed() {
	_missing=$(grep -v -x -F -f "$2" "$1")
	_stale=$(grep -v -x -F -f "$1" "$2")
	[ -z "$_missing" ] ||
		cb_fail "routes without a line in $3 (add one, with its $4): $_missing"
	[ -z "$_stale" ] ||
		cb_fail "lines of $3 that name no route: $_stale"
}
