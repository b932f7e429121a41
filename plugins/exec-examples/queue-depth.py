#!/usr/bin/env python3
"""Example exec plugin in Python, JSON format: report the backlog of a
department system's work queues.

  {"type": "exec", "name": "hotline-queues", "interval": "60s",
   "format": "json",
   "command": ["python3", "/usr/local/lib/citybrain/exec/queue-depth.py"],
   "tags": {"system": "12345-hotline", "dept": "service-center"}}

  Installed in $(pkglibdir)/exec: /usr/local/lib/citybrain/exec after make
  install, /usr/lib/<arch>/citybrain/exec from the citybrain-collector package.

Print ONE JSON object on stdout, either {"metric_name": number, ...} or
the full form below (time_ms optional, events optional; events are posted
to the hub's /api/v1/events as they are).  Exit 0; a nonzero exit is
logged and counted as an input error.
"""
import json
import sys
import time


def read_queues():
    # A real plugin would query the system's database or API here.
    minute = time.gmtime().tm_min
    return {"complaints": 40 + minute % 7, "repairs": 12 + minute % 3}


def main():
    now_ms = int(time.time() * 1000)
    queues = read_queues()
    out = {"metrics": [], "events": []}
    for name, depth in queues.items():
        out["metrics"].append({"name": "queue_depth", "value": depth,
                               "tags": {"queue": name}, "time_ms": now_ms})
        if depth > 45:
            out["events"].append({
                "key": "queue/%s" % name, "state": "firing",
                "severity": "medium",
                "message": "queue %s has %d waiting" % (name, depth),
                "labels": {"queue": name}})
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
