#!/bin/sh
# Inhibition in the real hub (issue 17), with the inhibits of the Futian
# rules on short timings: the high water level inhibits the medium warning
# on the same grid; a subdistrict's rainstorm inhibits the water-level
# alerts of the grids below it.  Inhibited alerts are listed with
# inhibited_by (?inhibited=true), leave the overview's counts, send no
# webhook, and are released and notified when the inhibitor resolves.
# conf/futian/rules.json itself passes --check-config.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

"$HUB_BIN" --check-config --config "$top_srcdir/conf/futian/hub.json" >/dev/null
cb_assert_eq 0 $? "conf/futian (rules with inhibits) passes --check-config"

hub_conf supervisor 440304000000
RPORT=$(cb_free_port)
cat >"$HUB_DIR/receiver.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[2], "ab") as f:
            f.write(body + b"\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
cb_start receiver python3 "$HUB_DIR/receiver.py" "$RPORT" "$HUB_DIR/hooks.log"
cat >"$HUB_DIR/rules.json" <<JSON
{"settings": {"eval_interval": "200ms"},
 "departments": {"water": {"webhook": "http://127.0.0.1:$RPORT/water"}},
 "rules": [
  {"name": "water-level-high", "selector": "water_level_m", "agg": "last",
   "window": "1h", "op": ">", "threshold": 4.5, "by": ["grid"],
   "severity": "high", "dept": "water",
   "inhibits": [{"rules": ["water-level-warning"], "scope": "same"}]},
  {"name": "water-level-warning", "selector": "water_level_m",
   "agg": "last", "window": "1h", "op": ">", "threshold": 3.5,
   "by": ["grid"], "severity": "medium", "dept": "water",
   "message": "water level {value:.2f} m rising past {threshold} m"},
  {"name": "rainstorm", "selector": "water_rainfall", "agg": "last",
   "window": "1h", "op": ">=", "threshold": 50, "by": ["subdistrict"],
   "severity": "high", "dept": "water",
   "inhibits": [{"rules": ["water-level-high", "water-level-warning"],
                 "scope": "below"}, {"scope": "same"}]}
 ]}
JSON
hub_start
f="$HUB_DIR/body.lp"
G=440304001001001   # 东园01, in 南园街道
SD=440304001000     # 南园街道

write() { # LINE
	echo "$1" >"$f"
	TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/write "$f" >/dev/null
}
# field RULE EXPR: EXPR over the rule's active alert a ("none" if none).
field() {
	hub_sock "/api/v1/alerts?rule=$1" >/dev/null
	hub_json "(lambda a: $2)(j['alerts'][0]) if j['alerts'] else 'none'"
}
wait_for() { # RULE EXPR WANT
	_i=0
	while [ $_i -lt 75 ]; do
		[ "$(field "$1" "$2")" = "$3" ] && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	cb_fail "$1: $2 is $(field "$1" "$2"), not $3"
}
hooks_about() { # ID KIND: webhooks received about alert ID of KIND
	python3 -c 'import json, sys
n = 0
for l in open(sys.argv[1]):
    b = json.loads(l)
    if b.get("kind") == sys.argv[3] and b.get("alert", {}).get("id") == sys.argv[2]:
        n += 1
print(n)' "$HUB_DIR/hooks.log" "$1" "$2"
}
wait_hooks() { # ID KIND N: until N such webhooks arrived (or 10 s)
	_i=0
	while [ $_i -lt 50 ] && [ "$(hooks_about "$1" "$2")" != "$3" ]; do
		sleep 0.2
		_i=$((_i + 1))
	done
}
overview() { # EXPR over the overview's alert counts c
	hub_sock /api/v1/overview >/dev/null
	hub_json "(lambda c: $1)(j['alerts'])"
}
touch "$HUB_DIR/hooks.log"

# 5.2 m: both level rules fire on the grid; the warning is inhibited.
write "water,grid=$G,system=water-level-iot level_m=5.2"
wait_for water-level-high "a['state']" firing
wait_for water-level-warning "a['state']" firing
HI=$(field water-level-high "a['id']")
WARN=$(field water-level-warning "a['id']")
wait_for water-level-warning "a['inhibited_by']" "$HI"
cb_assert_eq null "$(field water-level-high "a['inhibited_by']")" "the high alert is not inhibited"
cb_assert_eq 200 "$(hub_sock '/api/v1/alerts?inhibited=true')" "?inhibited=true"
cb_assert_eq "[\"$WARN\"]" "$(hub_json '[a["id"] for a in j["alerts"]]')" "only the warning is listed inhibited"
cb_assert_eq 200 "$(hub_sock '/api/v1/alerts?inhibited=false')" "?inhibited=false"
cb_assert_eq "[\"$HI\"]" "$(hub_json '[a["id"] for a in j["alerts"]]')" "the rest"
cb_assert_eq 400 "$(hub_sock '/api/v1/alerts?inhibited=perhaps')" "?inhibited=perhaps"
cli=$("$top_builddir/tui/citybrain" -S "$HUB_SOCKET" alerts 2>&1)
cb_assert_contains "$cli" "[inhibited by $HI]" "the console's alert list names what holds the warning"
cb_assert_eq "1 0 1" "$(overview '"%d %d %d" % (c["high"], c["medium"], c["total"])')" \
	"the overview counts the high alert only"
wait_hooks "$HI" fire 1
cb_assert_eq 1 "$(hooks_about "$HI" fire)" "the high alert's webhook"
cb_assert_eq 0 "$(hooks_about "$WARN" fire)" "no webhook for the inhibited warning"

# A rainstorm over the subdistrict inhibits the grid's high level too.
write "water,subdistrict=$SD,system=water-level-iot rainfall=80"
wait_for rainstorm "a['state']" firing
RS=$(field rainstorm "a['id']")
wait_for water-level-high "a['inhibited_by']" "$RS"
cb_assert_eq "1 0 1" "$(overview '"%d %d %d" % (c["high"], c["medium"], c["total"])')" \
	"the overview counts the rainstorm only"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$HI")" "the high alert"
cb_assert_eq True "$(hub_json '"inhibit" in [h["action"] for h in j["history"]]')" \
	"its history says it was inhibited"

# The rain stops: the grid's alert is released; the warning stays held.
write "water,subdistrict=$SD,system=water-level-iot rainfall=5"
wait_for water-level-high "a['inhibited_by']" null
cb_assert_eq "$HI" "$(field water-level-warning "a['inhibited_by']")" "the warning is still inhibited"

# The water falls under 4.5 m: the warning is released and notified.
write "water,grid=$G,system=water-level-iot level_m=4.0"
wait_for water-level-warning "a['inhibited_by']" null
cb_assert_eq "0 1 1" "$(overview '"%d %d %d" % (c["high"], c["medium"], c["total"])')" \
	"the overview counts the released warning"
wait_hooks "$WARN" fire 1
cb_assert_eq 1 "$(hooks_about "$WARN" fire)" "the released warning is notified once"

hub_finish
cb_done
