#!/usr/bin/env python3
"""Print the sequence numbers (seq,... value=K K) of every undelivered
record in a collector spool directory: the records after the cursor.
Reads the format of collectors/spool.c: 32-byte header <IB3xIIIIq
(magic, kind, len, crc32, npoints, pad, time_ms) then the payload."""
import os, re, struct, sys, zlib

d = sys.argv[1]
cseg, coff = 0, 0
try:
    with open(os.path.join(d, "cursor")) as f:
        cseg, coff = (int(x) for x in f.read().split())
except (OSError, ValueError):
    pass
segs = sorted(int(m.group(1), 16) for m in
              (re.match(r"seg-([0-9a-f]{16})\.spool$", n) for n in os.listdir(d)) if m)
seen = []
for sid in segs:
    if sid < cseg:
        continue
    data = open(os.path.join(d, "seg-%016x.spool" % sid), "rb").read()
    off = coff if sid == cseg else 0
    while off + 32 <= len(data):
        magic, kind, ln, crc, npts, _, t = struct.unpack_from("<IB3xIIIIq", data, off)
        if magic != 0x50534243 or off + 32 + ln > len(data):
            break
        payload = data[off + 32:off + 32 + ln]
        if zlib.crc32(payload) != crc:
            break
        if kind == 1:
            for line in payload.decode().splitlines():
                if line.startswith("seq,"):
                    seen.append(int(line.rsplit(" ", 1)[1]))
        off += 32 + ln
print("\n".join(str(s) for s in sorted(set(seen))))
