#!/bin/sh
# The console and the CLI on a city hub act on the districts' alerts
# (hub/city/city-alert.c): two real district hubs, Futian and Luohu, each
# with an alert of the same local id (A000001), and a Shenzhen city hub
# over them.  In tmux, the console on the city hub lists both by their
# city ids, acknowledges Luohu's (comment and expiry prompts) and shows
# its history from Luohu; Luohu's hub has it acknowledged, Futian's alert
# of the same local id is untouched.  `citybrain alerts` prints the city
# ids whole; `citybrain ack` and `citybrain alert` on the city hub act on
# and show Futian's by its city id.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/console-fixture.sh"
. "$top_srcdir/tests/integration/city-lib.sh"

cf_begin
f="$CB_TMP/body"

hub_conf supervisor 440304000000
hub_start
FT_URL=$HUB_URL
city_luohu_conf
city_luohu_start
city_dir "$HUB_TOK_SUPER"
city_conf "$FT_URL" "$LH_URL"
city_start

event() { # URL TOKEN KEY GRID MESSAGE
	printf '{"key": "%s", "severity": "high", "labels": {"grid": "%s", "system": "water-level-iot"}, "message": "%s", "dept": "water", "value": 1}' \
		"$3" "$4" "$5" >"$f.ev"
	TOKEN=$2 HUB_URL=$1 hub_post /api/v1/events "$f.ev"
}
cb_assert_eq 202 "$(event "$FT_URL" "$HUB_TOK_COLLECTOR" flood/ft 440304001001001 "Futian flood")" "Futian's alert"
cb_assert_eq 202 "$(event "$LH_URL" cbt_demo_luohu_collector flood/lh 440303003001001 "Luohu flood")" "Luohu's alert"
ft() { TOKEN=$HUB_TOK_SUPER HUB_URL=$FT_URL hub_get "$@"; }
lh() { TOKEN=cbt_demo_luohu_city HUB_URL=$LH_URL hub_get "$@"; }
cb_assert_eq 200 "$(ft /api/v1/alerts/A000001)" "Futian's A000001"
cb_assert_eq 200 "$(lh /api/v1/alerts/A000001)" "Luohu's A000001: the same local id"
ME=$(id -un)

# ---- The console on the city hub ----------------------------------------
cf_tmux 160 40 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color $CF_BIN -S $CT_DIR/city.sock -d 1"
cf_expect "supervisor@" "the console started on the city hub"
cf_keys 4
cf_expect "440304-A000001" "Futian's alert by its city id"
cf_expect "440303-A000001" "Luohu's alert by its city id"
cf_keys / "Luohu flood" Enter
cf_wait "Futian flood" 1 && sleep 1
cf_reject "Futian flood" "the filter keeps Luohu's alert only"
cf_keys a
cf_expect "Acknowledge 440303-A000001 - comment:" "ack asks for a comment"
cf_keys "pumps on the way" Enter
cf_expect "Expires after" "ack asks for an optional expiry"
cf_keys Enter
cf_expect "acknowledge 440303-A000001: done" "ack sent through the city"
cf_expect "acked      shenzhe" "the alert shows the city's user on Luohu acknowledged it"
cf_keys Enter
cf_expect "History" "Enter shows the alert's history, from Luohu"
cf_expect "city hub: $ME, supervisor uid] pumps on the way" "the history names who acted on the city"
cf_keys Escape
cf_tmux_kill

cb_assert_eq 200 "$(lh /api/v1/alerts/A000001)" "Luohu's alert"
cb_assert_eq "acknowledged shenzhen-city" "$(hub_json 'j["state"] + " " + j["ack"]["by"]')" "acknowledged on Luohu"
cb_assert_contains "$(hub_json 'j["ack"]["comment"]')" "pumps on the way" "with the comment"
cb_assert_eq 200 "$(ft /api/v1/alerts/A000001)" "Futian's alert of the same id"
cb_assert_eq "firing None" "$(hub_json 'j["state"] + " " + str(j["ack"])')" "untouched"

# ---- The CLI on the city hub --------------------------------------------
out=$("$CF_BIN" -S "$CT_DIR/city.sock" alerts 2>&1)
cb_assert_eq 1 "$(echo "$out" | grep -c '^440304-A000001  [^ ]')" "citybrain alerts prints whole city ids"
cb_assert_eq 1 "$(echo "$out" | grep -c '^440303-A000001  [^ ]')" "both districts' A000001"
out=$("$CF_BIN" -S "$CT_DIR/city.sock" ack 440304-A000001 -m "已派人" 2>&1)
cb_assert_eq "acknowledged 440304-A000001 by futian-supervisor" "$out" "citybrain ack by city id"
cb_assert_eq 200 "$(ft /api/v1/alerts/A000001)" "Futian's alert"
cb_assert_eq acknowledged "$(hub_json 'j["state"]')" "acknowledged on Futian"
out=$("$CF_BIN" -S "$CT_DIR/city.sock" alert 440304-A000001 2>&1)
cb_assert_eq "440304-A000001  high  acknowledged  Futian flood" "$out" "citybrain alert by city id"
out=$("$CF_BIN" -S "$CT_DIR/city.sock" alert 440304-A000001 --json 2>&1)
cb_assert_contains "$out" "city hub: $ME, supervisor uid] 已派人" "its history from Futian names who acted on the city"
out=$("$CF_BIN" -S "$CT_DIR/city.sock" ack A000001 -m x 2>&1)
cb_assert_contains "$out" "?district=CODE" "a district's id alone is refused, saying how"
out=$(CITYBRAIN_TOKEN=cbt_demo_city_futian_op "$CF_BIN" -H "$CT_URL" ack 440303-A000001 -m x 2>&1)
cb_assert_contains "$out" "no alert \"440303-A000001\" in your districts" "a Futian operator cannot act on Luohu's"

hub_finish city
hub_finish luohu
hub_finish hub
cb_done
