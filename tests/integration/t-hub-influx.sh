#!/bin/sh
# Influx 1.x/2.x clients: HTTP Basic auth (password = token) on every route,
# /ping, the harmless /query statements, /api/v2/write; the real influx CLI
# (Debian's influxdb-client) importing a file in its own format; Telegraf's
# outputs.influxdb and outputs.influxdb_v2 request shapes replayed with curl
# (Telegraf is not in Debian).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

command -v influx >/dev/null || { echo "SKIP: influx (influxdb-client) not installed (./bootstrap)"; exit 77; }

hub_conf
hub_start
TOKEN=$HUB_TOK_SUPER
now=$(date +%s)
G1=440304001001001
G2=440304001001002

# /ping: 204 with the version header, GET and HEAD, no credentials needed.
c=$(curl -s -D "$HUB_DIR/h" -o /dev/null -w '%{http_code}' "$HUB_URL/ping")
cb_assert_eq 204 "$c" "GET /ping"
cb_assert_contains "$(cat "$HUB_DIR/h")" "X-Influxdb-Version: " "ping names a version"
c=$(curl -s -I -o /dev/null -w '%{http_code}' "$HUB_URL/ping")
cb_assert_eq 204 "$c" "HEAD /ping"

# Basic auth: the password is the token, on any route; a bad one is 401.
c=$(curl -s -o "$HUB_OUT" -w '%{http_code}' -u "anyone:$HUB_TOK_VIEWER" "$HUB_URL/api/v1/whoami")
cb_assert_eq 200 "$c" "Basic auth on a read route"
cb_assert_eq futian-viewer "$(hub_json 'j["user"]')" "Basic auth identifies the token's user"
c=$(curl -s -o /dev/null -w '%{http_code}' -u "x:wrong" "$HUB_URL/api/v1/whoami")
cb_assert_eq 401 "$c" "Basic auth with a bad token"
c=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Basic !!notbase64' "$HUB_URL/api/v1/whoami")
cb_assert_eq 401 "$c" "Basic auth that is not base64"

# /query: the harmless statements in Influx's JSON shape, anything else 400.
c=$(curl -s -o "$HUB_OUT" -w '%{http_code}' -u "x:$HUB_TOK_COLLECTOR" -G \
	--data-urlencode 'q=CREATE DATABASE "x"; show  databases;SHOW RETENTION POLICIES ON "x"' "$HUB_URL/query")
cb_assert_eq 200 "$c" "harmless statements"
cb_assert_eq 3 "$(hub_json 'len(j["results"])')" "one result per statement"
cb_assert_eq '[0, 1, 2]' "$(hub_json '[r["statement_id"] for r in j["results"]]')" "statement ids"
cb_assert_eq '[["citybrain"]]' "$(hub_json 'j["results"][1]["series"][0]["values"]')" "SHOW DATABASES"
cb_assert_eq autogen "$(hub_json 'j["results"][2]["series"][0]["values"][0][0]')" "SHOW RETENTION POLICIES"
c=$(curl -s -o "$HUB_OUT" -w '%{http_code}' -u "x:$HUB_TOK_COLLECTOR" -G \
	--data-urlencode 'q=SELECT * FROM env' "$HUB_URL/query")
cb_assert_eq 400 "$c" "other statements are refused"
cb_assert_contains "$(hub_json 'j["error"]')" "answers only CREATE DATABASE" "and say why"
c=$(curl -s -o /dev/null -w '%{http_code}' -G --data-urlencode 'q=SHOW DATABASES' "$HUB_URL/query")
cb_assert_eq 401 "$c" "/query needs a token"
c=$(curl -s -o /dev/null -w '%{http_code}' -G --data-urlencode 'q=SHOW DATABASES' \
	--data-urlencode "p=$HUB_TOK_COLLECTOR" --data-urlencode 'u=x' "$HUB_URL/query")
cb_assert_eq 200 "$c" "/query takes u/p like Influx 1.x"

# The real influx CLI: -import of a file in its own format (DDL, DML).
cat >"$HUB_DIR/import.txt" <<TXT
# DDL
CREATE DATABASE city

# DML
# CONTEXT-DATABASE: city
# CONTEXT-RETENTION-POLICY: autogen

env,grid=$G1 aqi=42,pm25=18.5 $now
env,grid=$G2 aqi=43 $now
noise,grid=$G1 db=61.5 $((now - 1))
TXT
influx -host 127.0.0.1 -port "$HUB_PORT" -username x -password "$HUB_TOK_COLLECTOR" \
	-import -path "$HUB_DIR/import.txt" -precision s >"$HUB_DIR/import.log" 2>&1
cb_assert_eq 0 "$?" "influx -import exits 0"
cb_assert_contains "$(cat "$HUB_DIR/import.log")" "Processed 3 inserts" "influx -import wrote 3 lines"
cb_assert_contains "$(cat "$HUB_DIR/import.log")" "Failed 0 inserts" "and none failed"
hub_get "/api/v1/query?q=env_aqi&start=$(((now - 60) * 1000))" >/dev/null
cb_assert_eq "[[$((now * 1000)), 42.0], [$((now * 1000)), 43.0]]" \
	"$(hub_json '[s["points"][0] for s in sorted(j["series"], key=lambda s: s["labels"]["grid"])]')" \
	"imported points, seconds converted"
hub_get "/api/v1/query?q=noise_db&start=$(((now - 60) * 1000))" >/dev/null
cb_assert_eq "[[$(((now - 1) * 1000)), 61.5]]" "$(hub_json 'j["series"][0]["points"]')" "third import line"
influx -host 127.0.0.1 -port "$HUB_PORT" -username x -password wrong \
	-import -path "$HUB_DIR/import.txt" -precision s >"$HUB_DIR/import-bad.log" 2>&1
cb_assert_contains "$(cat "$HUB_DIR/import-bad.log")" "unknown token" "a bad token is refused"

# Telegraf outputs.influxdb (username/password): CREATE DATABASE as a form
# POST, then gzip'd writes to /write?db= with nanosecond timestamps.
c=$(curl -s -o "$HUB_OUT" -w '%{http_code}' -u "telegraf:$HUB_TOK_COLLECTOR" -A 'Telegraf/1.26.0' \
	-H 'Content-Type: application/x-www-form-urlencoded' --data 'q=CREATE+DATABASE+%22telegraf%22' \
	"$HUB_URL/query")
cb_assert_eq 200 "$c" "telegraf CREATE DATABASE"
cb_assert_eq '{"results":[{"statement_id":0}]}' "$(cat "$HUB_OUT")" "telegraf CREATE DATABASE answer"
printf 'system_load1,grid=%s,host=dept-a value=0.5 %s000000000\n' "$G1" "$now" | gzip >"$HUB_DIR/t1.gz"
c=$(curl -s -o "$HUB_OUT" -w '%{http_code}' -u "telegraf:$HUB_TOK_COLLECTOR" -A 'Telegraf/1.26.0' \
	-H 'Content-Type: text/plain; charset=utf-8' -H 'Content-Encoding: gzip' \
	--data-binary @"$HUB_DIR/t1.gz" "$HUB_URL/write?db=telegraf")
cb_assert_eq 204 "$c" "telegraf v1 write"
hub_get "/api/v1/query?q=system_load1&start=$(((now - 60) * 1000))" >/dev/null
cb_assert_eq "[[$((now * 1000)), 0.5]]" "$(hub_json 'j["series"][0]["points"]')" "telegraf v1 point stored"

# Telegraf outputs.influxdb_v2: /api/v2/write?bucket=&org= with Token auth.
printf 'mem,grid=%s,host=dept-b used_percent=37.5 %s000000000\n' "$G2" "$now" | gzip >"$HUB_DIR/t2.gz"
c=$(curl -s -o "$HUB_OUT" -w '%{http_code}' -H "Authorization: Token $HUB_TOK_COLLECTOR" -A 'Telegraf/1.26.0' \
	-H 'Content-Type: text/plain; charset=utf-8' -H 'Content-Encoding: gzip' \
	--data-binary @"$HUB_DIR/t2.gz" "$HUB_URL/api/v2/write?bucket=telegraf&org=futian")
cb_assert_eq 204 "$c" "telegraf v2 write"
hub_get "/api/v1/query?q=mem_used_percent&start=$(((now - 60) * 1000))" >/dev/null
cb_assert_eq "[[$((now * 1000)), 37.5]]" "$(hub_json 'j["series"][0]["points"]')" "telegraf v2 point stored"
printf 'mem,grid=%s used_percent=40 %s\n' "$G2" "$now" >"$HUB_DIR/t3.lp"
c=$(curl -s -o "$HUB_OUT" -w '%{http_code}' -H "Authorization: Token $HUB_TOK_COLLECTOR" \
	--data-binary @"$HUB_DIR/t3.lp" "$HUB_URL/api/v2/write?bucket=b&org=o&precision=s")
cb_assert_eq 204 "$c" "v2 write with precision=s"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Token wrong" \
	--data-binary @"$HUB_DIR/t3.lp" "$HUB_URL/api/v2/write?bucket=b&org=o&precision=s")
cb_assert_eq 401 "$c" "v2 write with a bad token"
cb_done
