#!/usr/bin/env python3
"""A deliberately slow HTTP hop for tests: forwards GET and POST requests
to an upstream after a delay, to show that a slow remote store does not
hold up the hub, or that forwarding adds shards for a slow receiver.

  slow-proxy.py PORT UPSTREAM_URL DELAY_FILE

DELAY_FILE holds the delay in seconds (read per request; missing: 0).
"""
import sys
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, UPSTREAM, DELAY_FILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def delay():
    try:
        with open(DELAY_FILE) as f:
            return float(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0.0


class Hop(BaseHTTPRequestHandler):
    def do_POST(self):
        self.do_GET(self.rfile.read(int(self.headers.get("Content-Length", 0))))

    def do_GET(self, body=None):
        time.sleep(delay())
        req = urllib.request.Request(UPSTREAM + self.path, data=body)
        for h in ("Content-Type", "Content-Encoding", "X-Prometheus-Remote-Write-Version"):
            if self.headers.get(h):
                req.add_header(h, self.headers[h])
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                code, body, ctype = r.status, r.read(), r.headers.get("Content-Type")
        except urllib.error.HTTPError as e:
            code, body, ctype = e.code, e.read(), e.headers.get("Content-Type")
        except OSError as e:
            code, body, ctype = 502, str(e).encode(), "text/plain"
        self.send_response(code)
        self.send_header("Content-Type", ctype or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Hop).serve_forever()
