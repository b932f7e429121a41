#!/usr/bin/env python3
"""A webhook receiver for integration tests: answers every POST with 200
and appends "PATH BODY" (one line each) to LOG, leaving out the audit
log's anchors.  Usage: webhook-receiver.py PORT LOG"""
import http.server
import sys


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if b'"audit-anchor"' not in body:
            with open(sys.argv[2], "ab") as f:
                f.write(self.path.encode() + b" " + body + b"\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
