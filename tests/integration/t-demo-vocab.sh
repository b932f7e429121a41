#!/bin/sh
# The Futian demo's configuration speaks the metric vocabulary that the
# simulator writes (the contract at the end of notes/TEAM.md): the alert
# rules of conf/futian/rules.json and the hub's headline metrics must name
# series the demo actually produces, or the demo shows no floods and no
# headline water level.  Static: reads the files, starts nothing.
. "$top_srcdir/tests/integration/lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }

out=$(python3 - "$top_srcdir/conf/futian" <<'PY'
import json, os, re, sys
fut = sys.argv[1]
vocab = {"env_aqi", "env_pm25", "env_noise_db", "traffic_flow", "traffic_speed",
         "traffic_congestion", "water_level", "water_rainfall", "metro_passengers",
         "service_queue", "finance_enterprises", "hotline_tickets", "system_up",
         "system_latency_ms", "water_level_forecast"}
bad = []

def metric(sel):
    m = re.match(r"\s*([A-Za-z_:][A-Za-z0-9_:]*)", sel or "")
    return m.group(1) if m else ""

# Headline metrics: each a series the demo writes.
hub = json.load(open(os.path.join(fut, "hub.json")))
for h in hub.get("headline", []):
    if h.get("metric") not in vocab:
        bad.append("hub.json headline %r: metric %r is not in the vocabulary"
                   % (h.get("name"), h.get("metric")))
names = {h.get("metric") for h in hub.get("headline", [])}
for need in ("env_aqi", "water_level", "traffic_congestion"):
    if need not in names:
        bad.append("hub.json headline: %s missing (a headline metric per "
                   "territory level)" % need)

path = os.path.join(fut, "rules.json")
if not os.path.exists(path):
    bad.append("conf/futian/rules.json missing")
else:
    rules = json.load(open(path)).get("rules", [])
    used = {metric(r.get("selector")) for r in rules}
    # The contract's rules: their metrics must be used by some rule.
    for need in ("water_level", "env_aqi", "traffic_congestion", "system_up",
                 "hotline_tickets"):
        if need not in used:
            bad.append("rules.json: no rule on %s (contract rule)" % need)
    for r in rules:
        m = metric(r.get("selector"))
        if m == "water_level" and r.get("type", "threshold") == "threshold" \
                and r.get("op") == ">" and r.get("threshold") == 4.5 and \
                r.get("by") != ["grid"]:
            bad.append("rules.json %s: water_level > 4.5 must be by grid"
                       % r.get("name"))
        if m == "traffic_congestion" and r.get("threshold", 99) < 1:
            bad.append("rules.json %s: traffic_congestion is an index 0-10; "
                       "threshold %r would fire everywhere"
                       % (r.get("name"), r.get("threshold")))
        if m == "hotline_tickets" and r.get("agg") == "sum" and \
                r.get("window") not in (None, "0", 0):
            bad.append("rules.json %s: hotline_tickets is already a 10-min "
                       "count; a sum over a window multiplies it by the "
                       "samples in the window" % r.get("name"))
# Every rule watches a metric some system declares (else it can never
# fire: the blind rules of issue 18), and the simulator's vocabulary is
# declared by the systems that write it.
systems = json.load(open(os.path.join(fut, "systems.json")))["systems"]
declared = {"system_up", "system_latency_ms"}
for s in systems:
    for m in s.get("metrics", []):
        declared.add(m if isinstance(m, str) else m["name"])
if os.path.exists(path):
    for r in json.load(open(path)).get("rules", []):
        if metric(r.get("selector")) not in declared:
            bad.append("rules.json %s: metric %r is declared by no system"
                       % (r.get("name"), metric(r.get("selector"))))
for v in sorted(vocab - declared):
    bad.append("systems.json: %s (written by the simulator) is not declared" % v)
print("\n".join(bad))
PY
)
if [ -n "$out" ]; then
	echo "$out" | sed 's/^/FAIL: /'
	exit 1
fi
cb_done
