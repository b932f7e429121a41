#!/bin/sh
# The console's cases (issue 17), driven in tmux against the real hub with
# the Futian territory: the Cases screen lists cases and, with u, only the
# dispatch desk's queue of unrouted ones; Enter opens a case; d routes an
# unrouted case to a department (Tab completes it); n opens the new-case
# form: the category completes with Tab from the hub's case_categories, a
# wrong one is refused with the list, the place is a grid code or an
# address the hub resolves, and the answer says where the case went.
# Every result is also checked in the hub's own answers.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"
command -v "$TMUX_BIN" >/dev/null 2>&1 || { echo "SKIP: no tmux"; exit 77; }
trap '_s=$?; cf_tmux_kill; (exit $_s); cb_cleanup' EXIT

hub_conf supervisor 440304000000
cp "$top_srcdir/conf/futian/territory.json" "$top_srcdir/conf/futian/systems.json" "$HUB_DIR/"
chmod u+w "$HUB_DIR"/*.json
cat >"$HUB_DIR/rules.json" <<'JSON'
{"settings": {"eval_interval": "1s", "deadline": "72h"},
 "rules": [],
 "case_categories": [
  {"id": "street-vending", "name": "乱堆放/乱摆卖", "code": "10020033",
   "dept": "city-management", "support": ["market"], "time_limit": "24h"},
  {"id": "street-lights", "name": "路灯不亮", "dept": "city-management"},
  {"id": "blocked-fire-exit", "name": "安全出口/逃生通道不畅", "code": "10160005",
   "dept": "fire", "support": ["emergency"], "severity": "high"}
 ]}
JSON
hub_start
f="$HUB_DIR/body.json"
G1=440304001001001 # Nanyuan / Dongyuan 01
post() { # JSON
	printf '%s' "$1" >"$f"
	TOKEN=$HUB_TOK_COLLECTOR hub_post /api/v1/cases "$f"
}
cb_assert_eq 201 "$(post "{\"category\": \"10020033\", \"grid\": \"$G1\", \"text\": \"fruit stall on the pavement\"}")" "a routed case"
C1=$(hub_json 'j["id"]')
cb_assert_eq 201 "$(post "{\"category\": \"其他\", \"grid\": \"$G1\", \"text\": \"dog barking all night\"}")" "a queued case"
C2=$(hub_json 'j["id"]')

cf_tmux 160 40 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $HUB_SOCKET -d 1"
cf_wait "Over" 30 || cb_fail "the console did not start"
cf_keys : cases Enter
cf_expect "2 cases" "the Cases screen lists both" 30
cf_expect "QUEUE (unrouted)" "the queued case shows as unrouted"
cf_expect "city-management +1" "the routed one shows its departments"

# The dispatch desk's queue: the unrouted case only.
cf_keys u
cf_expect "1 unrouted cases (dispatch queue)" "u: the queue" 30
cf_expect "dog barking all night" "the queued case is in the queue"
cf_reject "fruit stall" "the routed case is not in the queue"

# Open it and route it, Tab completing the department.
cf_keys Enter
cf_expect "Case $C2" "Enter opens the case" 30
cf_expect "nobody yet: in the dispatch desk's queue" "its detail says it waits"
cf_keys d
cf_expect "Route $C2 to department" "d asks for the department"
cf_keys city-man Tab
cf_expect "department (lead, then supporting ones; Tab lists): city-management" "Tab completes the department"
cf_keys Enter
cf_expect "route $C2 to city-management" "routed" 30
cf_expect "city-management (lead)" "the detail shows the department" 30
hub_sock "/api/v1/cases/$C2" >/dev/null
cb_assert_eq "city-management:lead" "$(hub_json '" ".join(d["dept"] + ":" + d["role"] for d in j["depts"])')" "the hub has it routed"
cb_assert_eq True "$(hub_json 'j["case"]["queue"] is None')" "and out of the queue"
cf_keys Escape
cf_expect "the dispatch queue is empty" "the queue is empty now" 30
cf_keys u
cf_expect "2 cases" "u again: all cases" 30

# A new case: the category completes with Tab; a wrong one is refused.
cf_keys n
cf_expect "New case: category" "n opens the form" 30
cf_keys street Tab
cf_expect "street-lights" "Tab lists the matching categories"
cf_expect "street-vending" "both of them"
cf_expect "dispatch queue): street-" "and completes what they share"
cf_keys v Tab
cf_expect "dispatch queue): street-vending" "Tab completes the only match"
cf_keys Enter
cf_expect "Place (grid code or address)" "then the place"
cf_keys "$G1" Enter
cf_expect "Description" "then the description"
cf_keys "boxes piled on the pavement" Enter
cf_expect "made: routed to city-management, market" "the answer says where it went" 30
TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/cases?limit=1" >/dev/null
cb_assert_eq "street-vending $G1 console boxes piled on the pavement city-management" \
	"$(hub_json '(lambda c: "%s %s %s %s %s" % (c["case"]["category"], c["code"], c["case"]["source"], c["message"], c["depts"][0]["dept"]))(j["cases"][0])')" \
	"the hub made the case from the form"
C3=$(hub_json 'j["cases"][0]["id"]')
cf_expect "$C3" "the list shows the new case" 30

# A wrong category is refused with the list; empty means the queue; the
# place as an address the hub resolves.
cf_keys n
cf_expect "New case: category" "the form again" 30
cf_keys nonsense Enter
cf_expect "\"nonsense\" is not a category" "a wrong category is refused"
cf_keys C-u Enter
cf_expect "Place (grid code or address)" "empty category: on to the place"
cf_keys "东园社区" Enter
cf_expect "Description" "then the description"
cf_keys "stray cat stuck in a tree" Enter
cf_expect "made: waits in the dispatch queue" "no category: the queue" 30
TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/cases?queue=dispatch" >/dev/null
cb_assert_eq "stray cat stuck in a tree 东园社区 queued" \
	"$(hub_json '(lambda c: "%s %s %s" % (c["message"], c["case"]["address"], c["case"]["routing"]))(j["cases"][0])')" \
	"queued in the hub, with its address"
cf_tmux_kill
hub_finish
cb_done
