#!/bin/sh
# A city hub reading the shared store (hub.json "remote_read" on a city
# hub, docs/scale.md): Futian and Luohu district hubs forward to a real
# victoria-metrics with a "district" label (relabel), the Shenzhen city
# hub reads it.  Checks: a native aggregate pooling both districts
# (agg=sum, one group) equals the sum of every district's points in key
# order, by=district gives one group per district, a raw query has all
# series with "sources" naming the shared store, PromQL sum by (district)
# on the city, and a city user scoped to Futian sees Futian only (raw,
# aggregate and PromQL).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/hub-lib.sh"
. "$top_srcdir/tests/integration/city-lib.sh"
. "$top_srcdir/tests/integration/remote-lib.sh"

command -v victoria-metrics >/dev/null || { echo "SKIP: victoria-metrics not installed (./bootstrap)"; exit 77; }
remote_vm_start

NOW=$(($(date +%s) * 1000))
f="$CB_TMP/body"
forward() { # HUB.JSON DISTRICT: forward to VM with the district label
	python3 - "$1" "$VM_PORT" "$2" <<'PY'
import json, sys
p, vm, district = sys.argv[1:4]
c = json.load(open(p))
c["remote_write"] = [{"name": "vm", "url": "http://127.0.0.1:%s/api/v1/write" % vm,
                      "relabel": [{"target_label": "district", "replacement": district}]}]
json.dump(c, open(p, "w"), ensure_ascii=False, indent=1)
PY
}

# ---- Futian: the sample configuration -----------------------------------
hub_conf supervisor 440304000000
forward "$HUB_DIR/hub.json" 440304000000
hub_start
FT_URL=$HUB_URL

# ---- Luohu: conf/city/luohu, with the district label's short form -------
city_luohu_conf
forward "$LH_DIR/hub.json" 440303
city_luohu_start

# ---- Shenzhen: the city hub reading VM ----------------------------------
city_dir "$HUB_TOK_VIEWER"
cat >"$CT_DIR/hub.json" <<JSON
{"listen": "127.0.0.1:$CT_PORT", "socket": "city.sock", "data": "data",
 "users": "users.json", "systems": "systems.json", "tokens": "tokens.json",
 "store": {"sync": false},
 "remote_read": {"url": "http://127.0.0.1:$VM_PORT", "timeout": "10s"},
 "city": {"code": "440300000000", "name": "深圳市", "name_en": "Shenzhen", "timeout": "3s"},
 "districts": [
  {"name": "福田区", "code": "440304000000", "url": "$FT_URL", "token_file": "futian.token"},
  {"name": "罗湖区", "code": "440303000000", "url": "$LH_URL", "token": "cbt_demo_city_reader"}
 ]}
JSON
city_start

# ---- Points in each district, forwarded ---------------------------------
T0=$(((NOW - 600000) / 60000 * 60000))
for i in 0 1 2 3; do
	t=$((T0 + i * 60000 + 5000))
	echo "water_level,grid=440304001001001 value=4.$((i * 7 % 10))1 $t"
	echo "water_level,grid=440304010001007 value=3.$((i * 3 % 10))3 $t"
done >"$f.ft"
for i in 0 1 2 3; do
	t=$((T0 + i * 60000 + 5000))
	echo "water_level,grid=440303003001001 value=2.${i}7 $t"
done >"$f.lh"
cb_assert_eq 204 "$(TOKEN=$HUB_TOK_COLLECTOR HUB_URL=$FT_URL hub_post "/api/v1/write?precision=ms" "$f.ft")" "write to Futian"
cb_assert_eq 204 "$(TOKEN=cbt_demo_luohu_collector HUB_URL=$LH_URL hub_post "/api/v1/write?precision=ms" "$f.lh")" "write to Luohu"
for u in "$FT_URL" "$LH_URL"; do
	_i=0
	until curl -s "$u/metrics" | grep -q '^citybraind_remote_queue_bytes{target="vm"} 0$' || [ $_i -ge 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
done
curl -s "http://127.0.0.1:$VM_PORT/internal/force_flush" >/dev/null

# What the city should answer, from the lines written: per minute, the sum
# of every series' point in key order (grids sort as the keys do here).
expect() { # FILES...: {minute_ms: sum}
	python3 - "$T0" "$@" <<'PY'
import json, sys
t0, files = int(sys.argv[1]), sys.argv[2:]
pts = []
for p in files:
    for line in open(p):
        tags, val, t = line.split()
        pts.append((tags, int(t), float(val.split("=")[1])))
out = {}
for tags, t, v in sorted(pts, key=lambda x: (x[0], x[1])):
    m = t // 60000 * 60000
    out[m] = v if m not in out else out[m] + v
print(json.dumps(sorted(out.items())))
PY
}
got() { # the one group's points of $HUB_OUT
	hub_json 'json.dumps([[t, v] for t, v in j["series"][0]["points"]]) if len(j["series"]) == 1 else "%d groups" % len(j["series"])'
}
Q="q=water_level&agg=sum&by=&step=1m&start=$((T0 - 60000))&end=$((NOW + 1000))"
cb_assert_eq 200 "$(city "/api/v1/query?$Q")" "city-wide sum"
cb_assert_eq "$(expect "$f.ft" "$f.lh" | tr -d ' ')" "$(got | tr -d ' ')" "one group pooling both districts, the exact sum"
cb_assert_eq '3 ["remote"]' "$(hub_json '"%d %s" % (j["series"][0]["series"], json.dumps([s["from"] for s in j["sources"]]))')" "three series pooled, all from the shared store"

cb_assert_eq 200 "$(city "/api/v1/query?q=water_level&agg=sum&by=district&step=1m&start=$((T0 - 60000))")" "sum by district"
cb_assert_eq "440303:1 440304000000:2" \
	"$(hub_json '" ".join("%s:%d" % (s["labels"]["district"], s["series"]) for s in sorted(j["series"], key=lambda s: s["labels"]["district"]))')" \
	"one group per district"

cb_assert_eq 200 "$(city "/api/v1/query?q=water_level&start=$((T0 - 60000))")" "raw query on the city"
cb_assert_eq "3 12" "$(hub_json '"%d %d" % (len(j["series"]), sum(len(s["points"]) for s in j["series"]))')" "every series and point"

cb_assert_eq 200 "$(city "/prometheus/api/v1/query?query=sum%20by%20(district)%20(water_level)&time=$(((T0 + 3 * 60000 + 5000) / 1000))")" "PromQL on the city"
cb_assert_eq "440303=2.37 440304000000=8.04" \
	"$(hub_json '" ".join("%s=%g" % (r["metric"]["district"], round(float(r["value"][1]), 6)) for r in sorted(j["data"]["result"], key=lambda r: r["metric"]["district"]))')" \
	"PromQL sum by (district) from the shared store"

# A city user scoped to Futian: Futian's data only, whatever the query.
TOKEN=cbt_demo_city_futian HUB_URL=$CT_URL
cb_assert_eq 200 "$(hub_get "/api/v1/query?$Q")" "Futian user: city-wide sum"
cb_assert_eq "$(expect "$f.ft" | tr -d ' ')" "$(got | tr -d ' ')" "Futian user: the sum of Futian's points only"
cb_assert_eq 200 "$(hub_get "/api/v1/query?q=water_level&start=$((T0 - 60000))")" "Futian user: raw"
cb_assert_eq "440304000000" "$(hub_json '" ".join(sorted(set(s["labels"]["district"] for s in j["series"])))')" "Futian user: Futian's series only"
cb_assert_eq 200 "$(hub_get "/prometheus/api/v1/query?query=sum%20by%20(district)%20(water_level)&time=$(((T0 + 3 * 60000 + 5000) / 1000))")" "Futian user: PromQL"
cb_assert_eq "440304000000" "$(hub_json '" ".join(r["metric"]["district"] for r in j["data"]["result"])')" "Futian user: PromQL sees Futian only"
unset TOKEN

hub_finish city
cb_stop luohu
hub_finish
cb_done
