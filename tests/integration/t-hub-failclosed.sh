#!/bin/sh
# Ingest that fails closed (issue 20): point times on every ingest path
# (limits.future on line protocol, Influx 1.x/2.x, remote-write, events),
# fields per line, a bare subdistrict tag from a scoped unix user, and
# /api/v1/quality masked to the caller's scope.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"

hub_conf operator 440304001000
hub_start
TOKEN=$HUB_TOK_COLLECTOR
now=$(date +%s)
f="$HUB_DIR/body.lp"

# limits.future (10 min) and the raw retention on the three line-protocol
# paths (ours, Influx 1.x, Influx 2.x), with a reason that names the
# precision meant.
for path in '/api/v1/write?precision=s' '/write?db=x&precision=s' \
	'/api/v2/write?bucket=b&org=o&precision=s'; do
	printf 'fut,grid=440304001001002 v=1 %s\nfut,grid=440304001001002 v=2 %s\n' \
		"$((now + 7200))" "$now" >"$f"
	cb_assert_eq 400 "$(hub_post "$path" "$f")" "$path: two hours ahead"
	cb_assert_eq 1 "$(hub_json 'j["accepted"]')" "$path: the present point stays"
	cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" "in the future" \
		"$path: future reason"
	printf 'ms,grid=440304001001002 v=1 %s000\n' "$now" >"$f"
	hub_post "$path" "$f" >/dev/null
	cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" "precision=ms" \
		"$path: ms read as seconds suggests precision=ms"
done
printf 'secs,grid=440304001001002 v=1 %s\nzero,grid=440304001001002 v=1 0\n' "$now" >"$f"
cb_assert_eq 400 "$(hub_post '/api/v1/write' "$f")" "seconds read as ns"
cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" "precision=s" \
	"seconds read as ns suggests precision=s"
cb_assert_contains "$(hub_json 'j["errors"][1]["reason"]')" "timestamp 0" \
	"timestamp 0 refused"
printf 'fut,grid=440304001001002 v=3 9223372036854775807\n' >"$f"
cb_assert_eq 400 "$(hub_post '/api/v1/write' "$f")" "the largest timestamp"
printf 'fut,grid=440304001001002 v=4 %s\n' "$((now + 1))" >"$f"
cb_assert_eq 204 "$(hub_post '/api/v1/write?precision=s' "$f")" \
	"the series still takes present points"

# limits.future on remote-write (both of its paths): a sample two hours
# ahead is refused with its time named, the present one stored.
RW="python3 $top_srcdir/tests/integration/remote-write.py"
for path in /prometheus/api/v1/write /api/v1/write; do
	out=$($RW "$HUB_URL$path" "$TOKEN" "[{\"labels\":{\"__name__\":\"rwfut\",\"grid\":\"440304001001002\"},
	  \"samples\":[[$(((now + 7200) * 1000)),1],[$((now * 1000)),2]]}]")
	cb_assert_eq 400 "${out%% *}" "$path: remote-write two hours ahead"
	cb_assert_contains "$out" '"accepted":1' "$path: the present sample stays"
	cb_assert_contains "$out" "in the future" "$path: remote-write future reason"
	cb_assert_contains "$out" "$(((now + 7200) * 1000))" "$path: the refused time named"
done
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/query?q=rwfut&start=$(((now - 60) * 1000))&end=$(((now + 9000) * 1000))")" \
	"query the remote-written series"
cb_assert_eq "[[$((now * 1000)), 2.0]]" "$(hub_json 'j["series"][0]["points"]')" \
	"remote-write: only the present sample was stored"

# Events carry no time of their own: one that names a time two hours
# ahead is stamped with the hub's clock (limits.future cannot be passed
# by an event).
printf '{"key": "fut/440304001001002/x", "labels": {"grid": "440304001001002"}, "severity": "low", "message": "future", "time": %s, "started_ms": %s}\n' \
	"$(((now + 7200) * 1000))" "$(((now + 7200) * 1000))" >"$f"
cb_assert_eq 202 "$(TOKEN=$HUB_TOK_SUPER hub_post /api/v1/events "$f")" "an event naming a future time"
id=$(hub_json 'j["id"]')
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get "/api/v1/alerts/$id")" "the event's alert"
cb_assert_eq True "$(hub_json "abs(j.get('alert', j)['started_ms'] - $now * 1000) < 60000")" \
	"the event's alert starts at the hub's time, not the one it named"

# One 490 KB line of 50,000 fields: a prompt per-line error, no series.
python3 -c "
print('wide,grid=440304001001001 ' + ','.join('f%d=1' % i for i in range(50000)) + ' $now')" >"$f"
t0=$(date +%s%N)
cb_assert_eq 400 "$(hub_post '/api/v1/write?precision=s' "$f")" "50,000 fields"
t1=$(date +%s%N)
cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" "limits.max_fields_per_line" \
	"the reason names the limit"
cb_assert_eq True "$(python3 -c "print(($t1 - $t0) < 3000000000)")" \
	"answered within 3 s (it stalled the hub 4.8 s)"
cb_assert_eq 0 "$(TOKEN=$HUB_TOK_SUPER hub_get '/api/v1/series?q=wide_f1' >/dev/null; hub_json 'j["total"]')" \
	"no series made"

# The unix user is an operator of Nanyuan: a bare subdistrict tag of
# Fubao is outside its scope, its own subdistrict is not.
printf 'water,subdistrict=440304010000 rainfall=99 %s\nwater,subdistrict=440304001000 rainfall=1 %s\n' \
	"$now" "$now" >"$f"
cb_assert_eq 400 "$(hub_sock '/api/v1/write?precision=s' --data-binary "@$f")" \
	"unix user: bare subdistrict of another subdistrict"
cb_assert_eq '[1]' "$(hub_json '[e["line"] for e in j["errors"]]')" "only that line refused"
cb_assert_contains "$(hub_json 'j["errors"][0]["reason"]')" "scope" "scope reason"

# /api/v1/quality: a Nanyuan operator sees the writers of Nanyuan only
# (here the unix user), never the district's or Fubao's names and peers.
printf 'water,grid=440304010001001,system=water-level-iot level=1 %s\nbad line\n' "$now" >"$f"
cb_assert_eq 400 "$(TOKEN=$HUB_TOK_FUBAO hub_post '/api/v1/write?precision=s' "$f")" "fubao writes"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_OPERATOR hub_get /api/v1/quality)" "operator quality"
cb_assert_eq "[\"uid:$HUB_ME\"]" "$(hub_json '[c["name"] for c in j["collectors"]]')" \
	"collectors inside the scope only"
cb_assert_eq "[\"uid:$HUB_ME\"]" "$(hub_json 'sorted(j["rejected"]["by_source"])')" \
	"rejected by source inside the scope only"
cb_assert_eq 0 "$(grep -c -e sample-collector -e fubao-water -e 127.0.0.1 "$HUB_OUT")" \
	"no other writer's name or peer"
cb_assert_eq 200 "$(TOKEN=$HUB_TOK_SUPER hub_get /api/v1/quality)" "supervisor quality"
cb_assert_eq "[\"fubao-water\", \"sample-collector\", \"uid:$HUB_ME\"]" \
	"$(hub_json 'sorted(c["name"] for c in j["collectors"])')" "the district sees every writer"
hub_finish

cb_done
