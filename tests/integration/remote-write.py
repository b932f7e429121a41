#!/usr/bin/env python3
"""Build a Prometheus remote-write body (protobuf WriteRequest, snappy block
format using literals only) from JSON and POST it, or write it to a file.

  remote-write.py URL TOKEN SERIES_JSON     -> prints "CODE BODY"
  remote-write.py --out FILE [--raw] SERIES_JSON

SERIES_JSON: [{"labels": {"__name__": "x", ...}, "samples": [[ts_ms, v], ...]}]
A value may be the string "stale" (the staleness NaN), "nan", "inf".
Extra headers for the POST come from $RW_HEADERS ("K: V|K2: V2").
"""
import json
import math
import os
import struct
import sys
import urllib.error
import urllib.request


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, wire, payload):
    return varint(num << 3 | wire) + payload


def ldelim(num, data):
    return field(num, 2, varint(len(data)) + data)


def value(v):
    if v == "stale":
        return struct.pack("<Q", 0x7FF0000000000002)
    if v == "nan":
        return struct.pack("<d", math.nan)
    if v == "inf":
        return struct.pack("<d", math.inf)
    return struct.pack("<d", float(v))


def write_request(series):
    out = b""
    for s in series:
        ts = b""
        for k, v in s["labels"].items():
            ts += ldelim(1, ldelim(1, k.encode()) + ldelim(2, v.encode()))
        for t, v in s["samples"]:
            ts += ldelim(2, field(1, 1, value(v)) + field(2, 0, varint(t)))
        out += ldelim(1, ts)
    return out


def snappy_literals(raw):
    out = bytearray(varint(len(raw)))
    for i in range(0, len(raw), 65536):
        chunk = raw[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2]) + struct.pack("<H", n)
        out += chunk
    return bytes(out)


def main():
    args = sys.argv[1:]
    if args[0] == "--out":
        raw = "--raw" in args
        series = json.loads(args[-1])
        body = write_request(series)
        with open(args[1], "wb") as f:
            f.write(b"\x01" + body if raw else b"\x00" + snappy_literals(body))
        return 0
    url, token, series = args[0], args[1], json.loads(args[2])
    req = urllib.request.Request(url, data=snappy_literals(write_request(series)),
                                 method="POST")
    req.add_header("Content-Type", "application/x-protobuf")
    req.add_header("Content-Encoding", "snappy")
    req.add_header("X-Prometheus-Remote-Write-Version", "0.1.0")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for h in filter(None, os.environ.get("RW_HEADERS", "").split("|")):
        k, v = h.split(":", 1)
        req.add_header(k.strip(), v.strip())
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            print(r.status, r.read().decode())
    except urllib.error.HTTPError as e:
        print(e.code, e.read().decode())
    return 0


sys.exit(main())
