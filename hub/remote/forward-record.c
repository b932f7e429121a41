/* Forwarding: the queue records' two formats, written and read
 * (hub/remote/forward-int.h). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/remote/forward-int.h"
#include "hub/remote/remote.h"
#include "lib/xmalloc.h"

/* Bit 63 of a record's first 8 bytes: the compact format. */
#define FWD_COMPACT ((uint64_t)1 << 63)

/* The varint at *p (before end) into *v: 0, or -1 when cut short. */
static int
fwd_unvarint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		uint8_t b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return 0;
		shift += 7;
	}
	return -1;
}

/* Zigzag of the difference a - b (wrapping: exact for any int64). */
static uint64_t
fwd_zz(uint64_t a, uint64_t b)
{
	uint64_t d = a - b;

	return (d << 1) ^ (0 - (d >> 63));
}

char *
fwd_record_encode(int64_t now, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, size_t *len)
{
	uint8_t *rec = xmalloc(12 + n * (10 + 10 + 8)), *p = rec + 12;
	uint64_t head = (uint64_t)now | FWD_COMPACT, pid = 0, pts = 0;
	uint32_t n32 = (uint32_t)n;
	size_t i;

	memcpy(rec, &head, 8);
	memcpy(rec + 8, &n32, 4);
	for (i = 0; i < n; i++) {
		p = remote_pb_varint(p, fwd_zz(ids[i], pid));
		p = remote_pb_varint(p, fwd_zz((uint64_t)ts[i], pts));
		memcpy(p, &vs[i], 8);
		p += 8;
		pid = ids[i];
		pts = (uint64_t)ts[i];
	}
	*len = (size_t)(p - rec);
	return xrealloc(rec, *len);
}

int64_t
fwd_record_head(const char *val, size_t vlen, size_t *samples)
{
	uint64_t head;
	uint32_t n32;

	*samples = 0;
	if (vlen < 8)
		return 0;
	memcpy(&head, val, 8);
	if ((head & FWD_COMPACT) == 0) {
		*samples = (vlen - 8) / FWD_POINT;
		return (int64_t)head;
	}
	if (vlen >= 12) {
		memcpy(&n32, val + 8, 4);
		*samples = n32;
	}
	return (int64_t)(head & ~FWD_COMPACT);
}

struct fwd_point *
fwd_record_points(const char *val, size_t vlen, size_t *np)
{
	const uint8_t *p = (const uint8_t *)val + 12, *end;
	uint64_t id = 0, t = 0, zz, head = 0;
	struct fwd_point *pts;
	size_t i, n;

	fwd_record_head(val, vlen, &n);
	pts = xreallocarray(NULL, n + 1, sizeof *pts);
	if (vlen >= 8)
		memcpy(&head, val, 8);
	if ((head & FWD_COMPACT) == 0) { /* the first format */
		for (i = 0; i < n; i++) {
			memcpy(&pts[i].id, val + 8 + i * FWD_POINT, 4);
			memcpy(&pts[i].ts, val + 12 + i * FWD_POINT, 8);
			memcpy(&pts[i].v, val + 20 + i * FWD_POINT, 8);
		}
		*np = n;
		return pts;
	}
	end = (const uint8_t *)val + vlen;
	for (i = 0; i < n; i++) {
		if (fwd_unvarint(&p, end, &zz) != 0)
			break;
		id += (zz >> 1) ^ (0 - (zz & 1));
		if (fwd_unvarint(&p, end, &zz) != 0 || end - p < 8)
			break;
		t += (zz >> 1) ^ (0 - (zz & 1));
		pts[i].id = (uint32_t)id;
		pts[i].ts = (int64_t)t;
		memcpy(&pts[i].v, p, 8);
		p += 8;
	}
	*np = i; /* short only if the record is corrupt */
	return pts;
}
