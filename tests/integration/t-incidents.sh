#!/bin/sh
# Incidents (issue 17) against a real hub: a rule's "incident" key groups
# the flooded grids of a subdistrict into one incident (Nanyuan's two
# grids, Fubao's one: two incidents); the alert names its incident; the
# Nanyuan operator sees and acts on Nanyuan's only; dispatching the
# incident dispatches its alerts; incidents made by hand (their scope
# checked: POST /api/v1/incidents is "guarded" here); handled, closed;
# the audit has every step and verifies; the CLI; a restart keeps them.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf supervisor 440304000000
cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s", "deadline": "72h"},
 "rules": [
  {"name": "water-level-high", "selector": "water_level", "agg": "max",
   "window": "10m", "op": ">", "threshold": 4.5, "by": ["grid"],
   "severity": "high", "dept": "water", "support": ["fire"],
   "incident": {"group": "subdistrict", "window": "30m", "title": "flood in {place}"},
   "message": "water level {value:.2f} m in {place}"}
 ]}
JSON
hub_start
f="$HUB_DIR/body"
N1=440304001001001 # Nanyuan / Dongyuan 01
N2=440304001002001 # Nanyuan, another community
F1=440304010001001 # Fubao / Xingang 01
printf 'water,grid=%s,system=water-level-iot level=5.1\nwater,grid=%s,system=water-level-iot level=4.9\nwater,grid=%s,system=water-level-iot level=5.3\n' \
	$N1 $N2 $F1 >"$f"
cb_assert_eq 204 "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/write "$f")" "flood levels written"

# ---- Grouped by subdistrict ------------------------------------------------------
end=$(($(date +%s) + 60))
while :; do
	[ "$(hub_sock /api/v1/incidents)" = 200 ] &&
		[ "$(hub_json 'sorted(len(i["alerts"]) for i in j["incidents"])')" = "[1, 2]" ] && break
	[ "$(date +%s)" -le $end ] || cb_fail "no two incidents within 60 s: $(cat "$HUB_OUT")"
	sleep 0.3
done
IN=$(hub_json '[i["id"] for i in j["incidents"] if i["code"] == "440304001000"][0]')
IF=$(hub_json '[i["id"] for i in j["incidents"] if i["code"] == "440304010000"][0]')
case $IN in I0*) ;; *) cb_fail "incident id $IN does not start with I" ;; esac
cb_assert_eq 200 "$(hub_sock "/api/v1/incidents/$IN")" "GET the Nanyuan incident"
cb_assert_eq "flood in 南园街道" "$(hub_json 'j["title"]')" "title from the template"
cb_assert_eq "open water fire high" "$(hub_json '" ".join([j["state"], j["lead"]] + j["support"] + [j["severity"]])')" \
	"open, led by water, fire supports"
cb_assert_eq "$N1 $N2" "$(hub_json '" ".join(sorted(a["code"] for a in j["members"]))')" "its two grids"
cb_assert_eq "create fire fire join join" "$(hub_json '" ".join(sorted(t["action"] for t in j["timeline"]))')" \
	"the timeline: its entries and its alerts'"
A1=$(hub_json '[a["id"] for a in j["members"] if a["code"] == "'$N1'"][0]')
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A1")" "GET a member alert"
cb_assert_eq "$IN" "$(hub_json 'j["incident"]')" "the alert names its incident"

# ---- Scope: the Nanyuan operator -----------------------------------------------
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/incidents)" "Nanyuan operator's list"
cb_assert_eq "$IN" "$(hub_json '" ".join(i["id"] for i in j["incidents"])')" "only Nanyuan's incident"
cb_assert_eq 404 "$(TOKEN=$HUB_TOK_OPERATOR hub_get "/api/v1/incidents/$IF")" "Fubao's incident is 404"
printf '{"dept": "water"}' >"$f"
cb_assert_eq 404 "$(TOKEN=$HUB_TOK_OPERATOR hub_post "/api/v1/incidents/$IF/dispatch" "$f" -H 'Content-Type: application/json')" \
	"nor can it be dispatched"
cb_assert_eq 403 "$(TOKEN=$HUB_TOK_VIEWER hub_post "/api/v1/incidents/$IN/dispatch" "$f" -H 'Content-Type: application/json')" \
	"a viewer may not dispatch"

# ---- Dispatching the incident dispatches its alerts -------------------------------
printf '{"dept": "water", "support": ["fire", "environment"], "deadline": "4h", "comment": "pumps"}' >"$f"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_post "/api/v1/incidents/$IN/dispatch" "$f" -H 'Content-Type: application/json')" \
	"the Nanyuan operator dispatches"
cb_assert_eq "dispatched 2" "$(hub_json 'j["state"] + " " + str(j["alerts_dispatched"])')" "both alerts dispatched"
cb_assert_eq "water,fire,environment water,fire,environment" \
	"$(hub_json '" ".join(",".join(d["dept"] for d in a["depts"]) for a in j["members"])')" "to the incident's departments"
cb_assert_eq True "$(hub_json 'str(all(abs(a["deadline_ms"] - j["deadline_ms"]) < 2000 for a in j["members"]))')" \
	"with the incident's deadline"

# ---- The response report counts the dispatched incident ----------------------------
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/reports/response?by=dept')" "response report"
cb_assert_eq "total 1: water 1 fire 1 environment 1" \
	"$(hub_json '"total %d: " % j["total"]["incidents"] + " ".join("%s %d" % (k, {r["key"]: r["incidents"] for r in j["rows"]}.get(k, 0)) for k in ("water", "fire", "environment"))')" \
	"the report counts the incident once in total and in each of its departments"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get '/api/v1/reports/response?by=dept')" "response report, Nanyuan"
cb_assert_eq 1 "$(hub_json 'j["total"]["incidents"]')" "the Nanyuan operator's report counts Nanyuan's incident"

# ---- By hand: events made one situation ------------------------------------------
event() { # GRID KEY: an event there; prints the alert id
	printf '{"key": "fire-alarm/%s", "labels": {"grid": "%s", "system": "fire-alarm-iot"}, "message": "smoke"}' \
		"$2" "$1" >"$f"
	[ "$(TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/events "$f")" = 202 ] || cb_fail "event in $1: $(cat "$HUB_OUT")"
	hub_json 'j["id"]'
}
E1=$(event $N1 e1)
E2=$(event $N1 e2)
EF=$(event $F1 ef)
printf '{"alerts": ["%s", "%s"], "title": "smoke in Dongyuan"}' "$E1" "$EF" >"$f"
cb_assert_eq 404 "$(TOKEN=$HUB_TOK_OPERATOR hub_post /api/v1/incidents "$f" -H 'Content-Type: application/json')" \
	"the Nanyuan operator cannot take in a Fubao alert"
printf '{"alerts": ["%s", "%s"]}' "$E1" "$A1" >"$f"
cb_assert_eq 409 "$(TOKEN=$HUB_TOK_OPERATOR hub_post /api/v1/incidents "$f" -H 'Content-Type: application/json')" \
	"an alert already in an incident"
cb_assert_contains "$(cat "$HUB_OUT")" "$IN" "the 409 names it"
printf '{"alerts": ["%s"]}' "$E1" >"$f"
cb_assert_eq 403 "$(TOKEN=$HUB_TOK_VIEWER hub_post /api/v1/incidents "$f" -H 'Content-Type: application/json')" \
	"a viewer may not make one"
printf '{"alerts": ["%s", "%s"], "title": "smoke in Dongyuan", "dept": "fire"}' "$E1" "$E2" >"$f"
cb_assert_eq 201 "$(TOKEN=$HUB_TOK_OPERATOR hub_post /api/v1/incidents "$f" -H 'Content-Type: application/json')" \
	"the Nanyuan operator makes one"
IH=$(hub_json 'j["id"]')
cb_assert_eq "$N1 fire" "$(hub_json 'j["code"] + " " + j["lead"]')" "its place: the grid both share"
printf '{"comment": "out"}' >"$f"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_post "/api/v1/incidents/$IH/handle" "$f" -H 'Content-Type: application/json')" "handled"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_post "/api/v1/incidents/$IH/close" "$f" -H 'Content-Type: application/json')" "closed"
cb_assert_eq 409 "$(TOKEN=$HUB_TOK_OPERATOR hub_post "/api/v1/incidents/$IH/close" "$f" -H 'Content-Type: application/json')" "closed twice"

# ---- Audit ------------------------------------------------------------------------
cb_assert_eq 200 "$(hub_sock "/api/v1/audit?limit=1000&action=incident.")" "audit"
cb_assert_eq "incident.create incident.join incident.join incident.dispatch" \
	"$(hub_json '" ".join(e["action"] for e in j["entries"] if e["target"] == "'"$IN"'")')" "audit of the rule's incident"
cb_assert_eq "incident.create incident.join incident.join incident.handle incident.close" \
	"$(hub_json '" ".join(e["action"] for e in j["entries"] if e["target"] == "'"$IH"'")')" "audit of the incident by hand"
cb_assert_eq "nanyuan-operator" "$(hub_json '[e["who"] for e in j["entries"] if e["target"] == "'"$IN"'"][-1]')" "who dispatched"
cb_assert_eq 200 "$(hub_sock /api/v1/audit/verify)" "the audit log verifies"
cb_assert_eq True "$(hub_json 'str(j["ok"])')" "the chain is intact"

# ---- The command line -------------------------------------------------------------
CB="$top_builddir/tui/citybrain"
out=$("$CB" -S "$HUB_SOCKET" incidents) || cb_fail "incidents: $out"
cb_assert_contains "$out" "$IN  dispatched high   2/2     water (+fire,environment)" "incidents lists the dispatched one"
cb_assert_contains "$out" "flood in 南园街道" "with its title"
cb_assert_contains "$out" "3 incidents" "and counts them"
out=$("$CB" -S "$HUB_SOCKET" incidents --json) || cb_fail "incidents --json: $out"
cb_assert_eq 3 "$(printf '%s' "$out" | hub_json 'j["total"]' /dev/stdin)" "incidents --json"
out=$("$CB" -S "$HUB_SOCKET" incident "$IN") || cb_fail "incident: $out"
cb_assert_contains "$out" "Alerts (2):" "incident ID lists its alerts"
cb_assert_contains "$out" "dispatch   nanyuan-operator: pumps" "and its timeline"
"$CB" -S "$HUB_SOCKET" incident I999999 >/dev/null 2>&1
cb_assert_eq 2 "$?" "no such incident: exit 2"
out=$("$CB" -S "$HUB_SOCKET" alert "$A1") || cb_fail "alert: $out"
cb_assert_contains "$out" "incident $IN" "citybrain alert names its incident"

# ---- A restart keeps them -------------------------------------------------------
hub_finish
hub_start
cb_assert_eq 200 "$(hub_sock "/api/v1/incidents/$IN")" "after a restart"
cb_assert_eq "dispatched 2" "$(hub_json 'j["state"] + " " + str(len(j["alerts"]))')" "as it was"
cb_assert_eq 200 "$(hub_sock "/api/v1/alerts/$A1")" "its alert after a restart"
cb_assert_eq "$IN" "$(hub_json 'j["incident"]')" "still names it"
printf '{"alerts": ["%s"]}' "$E2" >"$f"
cb_assert_eq 409 "$(TOKEN=$HUB_TOK_SUPER hub_post /api/v1/incidents "$f" -H 'Content-Type: application/json')" \
	"an alert of a closed incident stays in it"
# ---- The report counts only the incidents the caller sees ------------------------
report_incidents() { # TOKEN
	cb_assert_eq 200 "$(TOKEN=$1 hub_get '/api/v1/reports/response?by=dept')" "response report" >&2
	hub_json 'j["total"]["incidents"]'
}
s0=$(report_incidents "$HUB_TOK_SUPER")
n0=$(report_incidents "$HUB_TOK_OPERATOR")
printf '{"dept": "water"}' >"$f"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_post "/api/v1/incidents/$IF/dispatch" "$f" -H 'Content-Type: application/json')" \
	"the supervisor dispatches Fubao's incident"
cb_assert_eq "$((s0 + 1)) $n0" "$(report_incidents "$HUB_TOK_SUPER") $(report_incidents "$HUB_TOK_OPERATOR")" \
	"Fubao's dispatched incident counts in the district's report, not in Nanyuan's"
hub_finish
cb_done
