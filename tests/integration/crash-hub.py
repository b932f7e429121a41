#!/usr/bin/env python3
"""Kill -9 the hub at random moments under acknowledged writes.

crash-hub.py HUB_BIN CONFIG URL WRITE_TOKEN READ_TOKEN LOGDIR KILLS WRITERS

WRITERS threads each keep one HTTP/1.1 connection and write batches of
points (crash_v{w, s} at distinct times); a batch counts as acknowledged
when the hub answered 204, and a batch without an answer is sent again
(the same points: idempotent).  Meanwhile the hub is started, killed with
SIGKILL after a random 0.1-0.8 s, and started again, KILLS times; its
output goes to LOGDIR/hub-crash.N.log.  Then every acknowledged point must
be in the store with its value, once.  Prints name: value lines; exit 1 if
anything was lost or duplicated.

With CRASH_KILLWRITE set (the path of tests/integration/killwrite.so),
each hub dies by itself right after a random RocksDB write of its own
(1 to CRASH_KILLWRITE_MAX, default 300; killed after 5 s if it has not).
With CRASH_VM set (a victoria-metrics URL the hub forwards to), every
point the hub stores at the end must also be at victoria-metrics, once
the hub's forwarding queues are empty (forward_missing, forward_extra).
With CRASH_RESEND=0 a batch without an answer is not sent again (a
resent batch would be stored and queued again, hiding a batch stored
but not queued).
"""
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

P = 50  # points per batch
PAUSE = 0.01  # between a writer's batches: bounds what is checked at the end
NS = 10  # series per writer
GRID = "440304001001001"


def main():
    hub_bin, config, url, token, rtoken, logdir = sys.argv[1:7]
    kills, nwriters = int(sys.argv[7]), int(sys.argv[8])
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    # Times: far enough in the past for every batch, never in the future.
    t0 = int(time.time() * 1000) - 3 * 3600 * 1000
    stop = threading.Event()
    acked = [[] for _ in range(nwriters)]  # batch numbers, per writer
    errors = []
    hub = {"proc": None}
    rng = random.Random(20)

    killwrite = os.environ.get("CRASH_KILLWRITE")
    killmax = int(os.environ.get("CRASH_KILLWRITE_MAX", "300"))

    def start_hub(n, selfkill=True):
        env = dict(os.environ)
        if killwrite and selfkill:
            env["LD_PRELOAD"] = killwrite
            env["CB_KILLWRITE_AT"] = str(rng.randint(1, killmax))
            # a sanitizer build: the preload comes before libasan
            env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                                   ":verify_asan_link_order=0").lstrip(":")
        log = open(os.path.join(logdir, "hub-crash.%d.log" % n), "w")
        hub["proc"] = subprocess.Popen([hub_bin, "--config", config],
                                       stdout=log, stderr=subprocess.STDOUT,
                                       env=env)
        log.close()
        deadline = time.time() + 60
        while time.time() < deadline:
            if hub["proc"].poll() is not None:
                if killwrite and hub["proc"].returncode == -signal.SIGKILL:
                    return  # killed while starting: a crash too
                sys.exit("crash-hub: the hub exited (%s)" % log.name)
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.02)
        sys.exit("crash-hub: the hub did not start (%s)" % log.name)

    def body(w, b):
        base = b * P
        return "".join(
            "crash,grid=%s,w=%d,s=%d v=%d %d\n"
            % (GRID, w, i % NS, base + i, t0 + base + i)
            for i in range(P)).encode()

    resend = os.environ.get("CRASH_RESEND", "1") != "0"

    def writer(w):
        conn = None
        b = 0
        while True:
            if stop.is_set() and b > 0 and acked[w] and acked[w][-1] == b - 1:
                return
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=10)
                conn.request("POST", "/api/v1/write?precision=ms", body(w, b),
                             {"Authorization": "Bearer " + token,
                              "Content-Type": "text/plain"})
                r = conn.getresponse()
                data = r.read()
                if r.status == 204:
                    acked[w].append(b)
                    b += 1
                    time.sleep(PAUSE)
                    continue
                if r.status != 503:
                    errors.append("writer %d batch %d: HTTP %d %s"
                                  % (w, b, r.status, data[:200]))
                    stop.set()
                    return
            except (OSError, http.client.HTTPException):
                pass
            # No answer (or 503): reconnect and send the same batch again
            # (or, with CRASH_RESEND=0, the next one: what the hub stored
            # of this one must be forwarded all the same).
            if conn is not None:
                conn.close()
                conn = None
            if not resend:
                b += 1
            time.sleep(0.02)

    start_hub(0)
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(nwriters)]
    for t in threads:
        t.start()
    t_start = time.time()
    for k in range(kills):
        if killwrite:
            try:
                hub["proc"].wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        else:
            time.sleep(rng.uniform(0.1, 0.8))
        hub["proc"].send_signal(signal.SIGKILL)
        hub["proc"].wait()
        if errors:
            break
        start_hub(k + 1, k + 1 < kills)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    if errors:
        print("\n".join(errors))
        hub["proc"].kill()
        return 1

    # Every acknowledged point, exactly once, with its value: one series
    # at a time.
    nb = max((a[-1] + 1 for a in acked if a), default=0)
    lost = wrong = duplicates = acked_points = 0
    stored = {}  # (w, s) -> {time: value} in the hub
    for w in range(nwriters):
        for si in range(NS):
            q = urllib.parse.urlencode({
                "q": 'crash_v{w="%d",s="%d"}' % (w, si), "start": t0,
                "end": t0 + (nb + 1) * P})
            req = urllib.request.Request(
                url + "/api/v1/query?" + q,
                headers={"Authorization": "Bearer " + rtoken})
            res = json.load(urllib.request.urlopen(req, timeout=120))
            seen = {}
            for s in res["series"]:
                for t, v in s["points"]:
                    if t in seen:
                        duplicates += 1
                    seen[t] = v
            stored[(w, si)] = seen
            for b in acked[w]:
                for i in range(si, P, NS):
                    acked_points += 1
                    got = seen.get(t0 + b * P + i)
                    if got is None:
                        lost += 1
                    elif got != b * P + i:
                        wrong += 1
    missing = extra = -1
    if os.environ.get("CRASH_VM"):
        missing, extra = forwarded(url, os.environ["CRASH_VM"], stored)
    hub["proc"].send_signal(signal.SIGTERM)
    hub["proc"].wait()
    print("crash_kills: %d" % kills)
    print("crash_writers: %d" % nwriters)
    print("crash_seconds: %.0f s" % (time.time() - t_start))
    print("acked_batches: %d" % sum(len(a) for a in acked))
    print("acked_points: %d" % acked_points)
    print("lost_points: %d" % lost)
    print("wrong_points: %d" % wrong)
    print("duplicate_points: %d" % duplicates)
    if missing >= 0:
        print("forward_missing: %d" % missing)
        print("forward_extra: %d" % extra)
    return 0 if (lost == wrong == duplicates == 0 and acked_points > 0
                 and missing <= 0 and extra <= 0) else 1


def forwarded(url, vm, stored):
    """Points of stored ((w, s) -> {time: value}) not at victoria-metrics
    at vm, and points there not stored, once the hub's queues are empty."""
    deadline = time.time() + 120
    while time.time() < deadline:
        m = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
        q = [float(x) for x in re.findall(
            r"^citybraind_remote_queue_bytes\{target=\"vm\"[^}]*\} (\S+)$", m, re.M)]
        if q and sum(q) == 0:
            break
        time.sleep(0.2)
    else:
        print("the hub's queue for vm did not empty")
    urllib.request.urlopen(vm + "/internal/force_flush", timeout=30).read()
    got = {}
    q = urllib.parse.urlencode({"match[]": "crash_v"})
    for line in urllib.request.urlopen(vm + "/api/v1/export?" + q,
                                       timeout=120).read().decode().splitlines():
        r = json.loads(line)
        k = (int(r["metric"]["w"]), int(r["metric"]["s"]))
        got.setdefault(k, set()).update(zip(r["timestamps"], r["values"]))
    missing = extra = 0
    for k in set(stored) | set(got):
        want = set(stored.get(k, {}).items())
        have = got.get(k, set())
        missing += len(want - have)
        extra += len(have - want)
        if want - have and missing == len(want - have):
            print("e.g. crash_v{w=%d,s=%d} at %d not forwarded"
                  % (k[0], k[1], min(want - have)[0]))
    return missing, extra


if __name__ == "__main__":
    sys.exit(main())
