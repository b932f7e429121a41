#!/usr/bin/env python3
"""Data set and comparer for t-promql-compat.sh: the same points go to a
hub (line protocol) and to a real Prometheus (OpenMetrics backfill);
then a fixed list of PromQL expressions runs as instant and range
queries against both and the answers must be equal.

  promql-compat.py gen END_S OUT_DIR     writes data.lp and data.om
  promql-compat.py compare END_S HUB_URL HUB_TOKEN OP_TOKEN PROM_URL
"""
import json
import math
import sys
import urllib.parse
import urllib.request

STEP_S = 15
NPOINTS = 240  # one hour
G1 = ("440304001001001", "440304001001", "440304001000")  # grid, community, subdistrict
G2 = ("440304010001007", "440304010001", "440304010000")


def rnd(seed):
    """A small deterministic generator (no random module state)."""
    x = seed * 2654435761 % 2**32
    while True:
        x = (x * 1103515245 + 12345) % 2**31
        yield x / 2**31


def series():
    """(measurement, field, tags, territory, values generator, gaps)."""
    out = []
    for b, room, base in (("b1", "r1", 21.0), ("b1", "r2", 23.5), ("b2", "r3", 19.25), ("b2", "r4", 25.0)):
        out.append(("cb", "temp", {"building": b, "room": room}, None,
                    lambda i, base=base, r=rnd(int(base * 4)): base + 3 * math.sin(i / 17.0) + next(r), None))
        out.append(("cb", "humidity", {"building": b, "room": room}, None,
                    lambda i, base=base, r=rnd(int(base * 8)): 40 + base + 5 * math.cos(i / 11.0) + next(r), None))
    for job, inst, rate, reset in (("api", "a", 3.0, 120), ("api", "b", 1.5, None), ("web", "c", 7.0, 200)):
        def counter(i, rate=rate, reset=reset, r=rnd(int(rate * 10))):
            k = i - reset if reset is not None and i >= reset else i
            return round(k * rate * STEP_S + next(r) * 3, 3)
        out.append(("cb", "requests_total", {"job": job, "instance": inst}, None, counter, None))
    # A series with a 10-minute hole, for lookback and staleness.
    out.append(("cb", "gappy", {"job": "api"}, None, lambda i: 100 + i % 13, (100, 140)))
    for terr, rate in ((G1, 2.0), (G2, 5.0)):
        out.append(("cb", "flow_total", {"grid": terr[0]}, terr,
                    lambda i, rate=rate: i * rate * STEP_S + (i % 7), None))
    return out


def points(end_s):
    """[(metric, labels, [(t_ms, v)])] with all labels the hub stores."""
    res = []
    start_ms = (end_s - NPOINTS * STEP_S) * 1000
    for k, (meas, field, tags, terr, fn, gap) in enumerate(series()):
        labels = dict(tags)
        if terr is not None:
            labels.update(grid=terr[0], community=terr[1], subdistrict=terr[2])
        jit = rnd(k + 1)
        pts = []
        for i in range(NPOINTS + 1):
            if gap is not None and gap[0] <= i < gap[1]:
                next(jit)
                continue
            t = start_ms + i * STEP_S * 1000 + int(next(jit) * 900)
            pts.append((t, float(fn(i))))
        res.append(("%s_%s" % (meas, field), labels, tags, meas, field, pts))
    return res


def gen(end_s, out_dir):
    data = points(end_s)
    lines = []
    for metric, labels, tags, meas, field, pts in data:
        tagtxt = "".join(",%s=%s" % (k, v) for k, v in sorted(tags.items()))
        for t, v in pts:
            lines.append((t, "%s%s %s=%r %d" % (meas, tagtxt, field, v, t)))
    lines.sort()
    with open(out_dir + "/data.lp", "w") as f:
        f.write("\n".join(l for _, l in lines) + "\n")
    with open(out_dir + "/data.om", "w") as f:
        for metric in sorted({d[0] for d in data}):
            for m, labels, _, _, _, pts in data:
                if m != metric:
                    continue
                lt = ",".join('%s="%s"' % (k, v) for k, v in sorted(labels.items()))
                for t, v in pts:
                    f.write("%s{%s} %r %d.%03d\n" % (metric, lt, v, t // 1000, t % 1000))
        f.write("# EOF\n")


# Expressions run against both, as instant and range queries.
EXPRS = [
    'cb_temp', 'cb_temp{room="r1"}', 'cb_temp{room!="r1"}', 'cb_temp{room=~"r[12]"}',
    'cb_temp{room!~"r1|r3"}', 'cb_temp offset 10m', '{__name__="cb_humidity",building="b2"}',
    'cb_gappy', 'rate(cb_requests_total[5m])', 'rate(cb_requests_total[1m])',
    'irate(cb_requests_total[5m])', 'increase(cb_requests_total[10m])',
    'rate(cb_requests_total[5m] offset 15m)', 'rate(cb_gappy[5m])', 'delta(cb_temp[10m])',
    'idelta(cb_temp[5m])', 'deriv(cb_temp[10m])', 'avg_over_time(cb_temp[10m])',
    'min_over_time(cb_temp[10m])', 'max_over_time(cb_temp[10m])', 'sum_over_time(cb_temp[10m])',
    'count_over_time(cb_gappy[10m])', 'last_over_time(cb_temp[10m])',
    'quantile_over_time(0.9, cb_temp[15m])', 'quantile_over_time(0.5, cb_humidity[7m])',
    'sum(cb_temp)', 'sum by (building) (cb_temp)', 'avg without (room) (cb_temp)',
    'min(cb_temp) by (building)', 'max by (building) (cb_humidity)', 'count(cb_temp)',
    'count by (job) (cb_requests_total)', 'topk(2, cb_temp)', 'bottomk(1, cb_humidity) by (building)',
    'quantile(0.5, cb_temp)', 'quantile by (building) (0.25, cb_humidity)',
    'sum by (job) (rate(cb_requests_total[5m]))', 'cb_temp * 2 + 1', '1 + 2 * 3 - 4 / 8',
    '2 ^ 3 ^ 2', '-2 ^ 2', 'cb_humidity / cb_temp', 'cb_humidity - on(room) cb_temp',
    'cb_humidity + ignoring(building) cb_temp', 'cb_temp > 21', 'cb_temp > bool 21', '21 < cb_temp',
    'cb_temp == bool cb_temp', 'cb_humidity > on(building, room) cb_temp * 3', 'cb_temp % 7',
    'cb_temp ^ 2', '-cb_temp', 'abs(-cb_temp)', 'ceil(cb_temp)', 'floor(cb_temp)', 'round(cb_temp)',
    'round(cb_temp, 0.5)', 'clamp_min(cb_temp, 21)', 'clamp_max(cb_temp, 21)', 'time()',
    'time() - 100', 'vector(1)', 'scalar(sum(cb_temp))', 'sum(cb_temp) * scalar(count(cb_temp))',
    'absent(cb_nothing{job="x"})', 'absent(cb_temp)', 'absent(cb_gappy)', 'cb_flow_total',
    'sum by (subdistrict) (rate(cb_flow_total[5m]))', 'sum by (community) (increase(cb_flow_total[15m]))',
    '(sum(rate(cb_requests_total[5m])) by (job)) / on(job) (count by (job) (cb_requests_total))',
    'exp(cb_temp / 100)', 'sqrt(cb_humidity)', 'ln(cb_temp)',
    # windows of more than 64 points, resets in them (rate's blocks of 64)
    'increase(cb_requests_total[30m])', 'rate(cb_temp[20m])', 'rate(cb_humidity[1h])',
    'cb_temp + cb_humidity', 'cb_temp == cb_temp', 'cb_temp != bool 21', 'scalar(cb_temp)',
    'vector(time())', '1 == bool 1', 'sum without (building, room) (cb_temp)', 'count(cb_temp > 21)',
    'max(rate(cb_requests_total[5m])) by (job)', 'bottomk(2, rate(cb_requests_total[5m]))',
    'topk(scalar(count(cb_temp)) - 2, cb_temp)', 'quantile(0, cb_temp)', 'quantile(1.5, cb_temp)',
    'cb_temp offset 1h', '-cb_temp offset 5m', 'delta(cb_requests_total[15m])',
    'absent(cb_temp{room=~"r9"})', 'clamp(cb_temp, 20, 22)', 'round(cb_humidity, 0.1)',
    'idelta(cb_requests_total[2m])', 'increase(cb_requests_total[90s])', 'rate(cb_requests_total[20s])',
    'sum by (job) (increase(cb_requests_total[1h]))', 'cb_temp / 0', '0 / 0 * cb_temp',
    '(cb_temp > 20) * 2', 'cb_humidity % cb_temp', 'avg(cb_temp) - min(cb_temp)',
    'sum(cb_temp) by (__name__)', 'count by (__name__) ({__name__=~"cb_(temp|humidity)"})',
    'max_over_time(cb_gappy[1m])', 'last_over_time(cb_gappy[20m])', 'deriv(cb_requests_total[30m])',
]

# Instant queries only: range vectors and strings.
INSTANT_ONLY = ['cb_temp[5m]', 'cb_gappy[2m] offset 1m', 'cb_requests_total{job="web"}[1m]', '"hello"', '42']

# Errors: the same status code and errorType as Prometheus.
ERRORS = [
    ('cb_temp + on(building) cb_humidity', "/api/v1/query"),  # many-to-many
    ('cb_temp{', "/api/v1/query"),
    ('rate(cb_temp)', "/api/v1/query"),
    ('sum(cb_temp[5m])', "/api/v1/query"),
    ('1 > 2', "/api/v1/query"),
    ('cb_temp[5m]', "/api/v1/query_range"),
    ('', "/api/v1/query"),
]

# As the Nanyuan operator (scope 440304001000), hub expression -> the
# Prometheus expression that sees the same series.
SCOPED = [
    ('cb_flow_total', 'cb_flow_total{subdistrict=~"440304001000|"}'),
    ('sum(rate(cb_flow_total[5m]))', 'sum(rate(cb_flow_total{subdistrict=~"440304001000|"}[5m]))'),
    ('count({__name__=~"cb_.*"})', 'count({__name__=~"cb_.*",subdistrict=~"440304001000|"})'),
]


def get(url, path, params, token=None, post=False):
    q = urllib.parse.urlencode(params)
    if post:
        req = urllib.request.Request(url + path, data=q.encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        req = urllib.request.Request(url + path + ("?" + q if q else ""))
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def norm(data):
    """A comparable form of a result: type and {labels: [(t, v)]}."""
    rt, res = data["resultType"], data["result"]
    if rt in ("scalar", "string"):
        return rt, {(): [(float(res[0]), res[1])]}
    out = {}
    for s in res:
        key = tuple(sorted(s["metric"].items()))
        vals = s["values"] if "values" in s else [s["value"]]
        out[key] = [(float(t), v) for t, v in vals]
    return rt, out


def close(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if math.isnan(x) and math.isnan(y):
        return True
    return abs(x - y) <= 1e-9 * max(abs(x), abs(y))


def diff(h, p):
    if h[0] != p[0]:
        return "result type %s, Prometheus %s" % (h[0], p[0])
    if set(h[1]) != set(p[1]):
        return "series differ: hub only %s; Prometheus only %s" % (
            sorted(set(h[1]) - set(p[1]))[:3], sorted(set(p[1]) - set(h[1]))[:3])
    for k in h[1]:
        a, b = h[1][k], p[1][k]
        if len(a) != len(b):
            return "%s: %d points, Prometheus %d" % (dict(k), len(a), len(b))
        for (ta, va), (tb, vb) in zip(a, b):
            if abs(ta - tb) > 1e-6 or not close(va, vb):
                return "%s at %s: %s, Prometheus %s at %s" % (dict(k), ta, va, vb, tb)
    return None


def compare(end_s, hub, tok, optok, prom):
    t0 = end_s - NPOINTS * STEP_S
    instants = [end_s, end_s - 433, end_s - 1931.5, end_s - 3300, end_s + 240, end_s + 420]
    ranges = [(t0 + 600, end_s + 420, "60"), (t0 + 17, end_s, "47s"), (end_s - 900, end_s, "15")]
    cases, failed = 0, 0

    def check(what, hexpr, pexpr, params, path, token):
        nonlocal cases, failed
        cases += 1
        hc, hj = get(hub, "/prometheus" + path, dict(params, query=hexpr), token, post=cases % 2 == 0)
        pc, pj = get(prom, path, dict(params, query=pexpr))
        if hc == pc and hc != 200 and hj.get("errorType") == pj.get("errorType"):
            return  # the same error as Prometheus
        if hc != 200 or pc != 200:
            failed += 1
            print("FAIL %s %s: hub %d %s, Prometheus %d %s" % (what, hexpr, hc, hj.get("error"), pc, pj.get("error")))
            return
        d = diff(norm(hj["data"]), norm(pj["data"]))
        if d:
            failed += 1
            print("FAIL %s %s: %s" % (what, hexpr, d))

    for e in EXPRS:
        for t in instants:
            check("instant@%s" % t, e, e, {"time": t}, "/api/v1/query", tok)
        for s, en, st in ranges:
            check("range[%s,%s,%s]" % (s, en, st), e, e, {"start": s, "end": en, "step": st},
                  "/api/v1/query_range", tok)
    for e in INSTANT_ONLY:
        for t in instants[:3]:
            check("instant@%s" % t, e, e, {"time": t}, "/api/v1/query", tok)
    for e, path in ERRORS:
        cases += 1
        params = {"query": e, "time": end_s, "start": t0, "end": end_s, "step": 60}
        hc, hj = get(hub, "/prometheus" + path, params, tok)
        pc, pj = get(prom, path, params)
        if (hc, hj.get("status"), hj.get("errorType")) != (pc, pj.get("status"), pj.get("errorType")):
            failed += 1
            print("FAIL error %r: hub %d %s, Prometheus %d %s" % (e, hc, hj, pc, pj))
    # Metadata routes: the same series, label names and values.
    for path, params in (("/api/v1/series", {"match[]": ["cb_temp", '{job="api"}']}),
                         ("/api/v1/labels", {}), ("/api/v1/label/job/values", {}),
                         ("/api/v1/label/__name__/values", {}),
                         ("/api/v1/labels", {"match[]": "cb_flow_total"})):
        cases += 1
        q = urllib.parse.urlencode(params, doseq=True)
        hc, hj = get(hub, "/prometheus" + path + "?" + q, {}, tok)
        pc, pj = get(prom, path + "?" + q, {})
        key = lambda d: sorted(json.dumps(x, sort_keys=True) for x in d)
        if hc != 200 or pc != 200 or key(hj["data"]) != key(pj["data"]):
            failed += 1
            print("FAIL %s %s: hub %d %s, Prometheus %d %s" % (path, params, hc, hj, pc, pj))
    for he, pe in SCOPED:
        check("scoped instant", he, pe, {"time": end_s}, "/api/v1/query", optok)
        s, en, st = ranges[0]
        check("scoped range", he, pe, {"start": s, "end": en, "step": st}, "/api/v1/query_range", optok)
    print("%d expressions, %d queries: %d passed, %d failed" % (len(EXPRS) + len(SCOPED) + len(INSTANT_ONLY) + len(ERRORS), cases,
                                                                cases - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), sys.argv[3])
        sys.exit(0)
    sys.exit(compare(int(sys.argv[2]), *sys.argv[3:7]))
