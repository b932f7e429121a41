/* Rollup blocks: bucket aggregation, compression, hour-tier merging. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "store/chunk.h"
#include "store/rollup.h"
#include "store/store-int.h"

#define ROLLUP_VERSION 1

void
rollup_block_init(struct rollup_block *rb, int64_t start, int64_t res,
    unsigned nslots)
{
	rb->start = start;
	rb->res = res;
	rb->nslots = nslots;
	memset(rb->present, 0, sizeof rb->present);
}

void
rollup_block_fill(struct rollup_block *rb, const int64_t *t,
    const double *v, size_t n)
{
	size_t   i;
	unsigned slot;

	for (i = 0; i < n; i++) {
		int64_t off = t[i] - rb->start;

		if (off < 0 || off >= rb->res * (int64_t)rb->nslots)
			continue;
		slot = (unsigned)(off / rb->res);
		if (!rb->present[slot]) {
			rb->present[slot] = 1;
			memset(&rb->b[slot], 0, sizeof rb->b[slot]);
		}
		agg_point(&rb->b[slot], t[i], v[i]);
	}
}

/*
 * Column coding: per present slot the count and the last point's offset
 * (delta from the previous slot's), the last value, and for slots of more
 * than one point min, max and sum.  max and min are coded as decimals
 * against their own columns; sums allow a few ulps of floating error.
 */
void
rollup_block_encode(const struct rollup_block *rb, struct buf *out)
{
	struct bitw   w = {0};
	struct ucoder cc, oc;
	struct vcoder lastc, minc, maxc, sumc;
	uint64_t      prev_count = 0;
	int64_t       prev_off = 0;
	unsigned      i;
	uint8_t       hdr[2] = {ROLLUP_VERSION, (uint8_t)rb->nslots};

	ucoder_init(&cc);
	ucoder_init(&oc);
	vcoder_init(&lastc, 0);
	vcoder_init(&minc, 0);
	vcoder_init(&maxc, 0);
	vcoder_init(&sumc, 1);
	for (i = 0; i < rb->nslots; i++)
		bitw_put(&w, rb->present[i] ? 1 : 0, 1);
	for (i = 0; i < rb->nslots; i++) {
		const struct agg *a = &rb->b[i];
		int64_t           off;

		if (!rb->present[i])
			continue;
		off = a->last_t - (rb->start + (int64_t)i * rb->res);
		ucoder_put(&cc, &w, zigzag((int64_t)(a->count - prev_count)));
		ucoder_put(&oc, &w, zigzag(off - prev_off));
		prev_count = a->count;
		prev_off = off;
		vcoder_put(&lastc, &w, a->last);
		if (a->count > 1) {
			vcoder_put(&minc, &w, a->min);
			vcoder_put(&maxc, &w, a->max);
			vcoder_put(&sumc, &w, a->sum);
		}
	}
	buf_append(out, hdr, 2);
	buf_reserve(out, bitw_bytes(&w));
	bitw_copy(&w, (uint8_t *)out->data + out->len);
	out->len += bitw_bytes(&w);
	out->data[out->len] = '\0';
	bitw_free(&w);
}

int
rollup_block_decode(struct rollup_block *rb, const void *data, size_t len)
{
	const uint8_t *p = data;
	struct bitr    r;
	struct ucoder  cc, oc;
	struct vcoder  lastc, minc, maxc, sumc;
	uint8_t        present[ROLLUP_SLOTS_MAX];
	struct agg     b[ROLLUP_SLOTS_MAX];
	uint64_t       count = 0, u;
	int64_t        off = 0;
	unsigned       i;

	if (len < 2 || p[0] != ROLLUP_VERSION || p[1] != rb->nslots)
		return -1;
	bitr_init(&r, p + 2, len - 2);
	ucoder_init(&cc);
	ucoder_init(&oc);
	vcoder_init(&lastc, 0);
	vcoder_init(&minc, 0);
	vcoder_init(&maxc, 0);
	vcoder_init(&sumc, 1);
	for (i = 0; i < rb->nslots; i++)
		present[i] = (uint8_t)bitr_get(&r, 1);
	for (i = 0; i < rb->nslots; i++) {
		struct agg *a = &b[i];

		if (!present[i])
			continue;
		if (ucoder_get(&cc, &r, &u) != 0)
			return -1;
		count += (uint64_t)unzigzag(u);
		if (ucoder_get(&oc, &r, &u) != 0)
			return -1;
		off = (int64_t)((uint64_t)off + (uint64_t)unzigzag(u));
		if (count == 0 || count > (uint64_t)1 << 40 || off < 0 ||
		    off >= rb->res)
			return -1;
		a->count = count;
		a->last_t = rb->start + (int64_t)i * rb->res + off;
		if (vcoder_get(&lastc, &r, &a->last) != 0)
			return -1;
		if (count > 1) {
			if (vcoder_get(&minc, &r, &a->min) != 0 ||
			    vcoder_get(&maxc, &r, &a->max) != 0 ||
			    vcoder_get(&sumc, &r, &a->sum) != 0)
				return -1;
		} else
			a->min = a->max = a->sum = a->last;
	}
	if (r.err || bitr_left(&r) >= 8)
		return -1;
	for (i = 0; i < rb->nslots; i++) {
		if (present[i]) {
			rb->present[i] = 1;
			rb->b[i] = b[i];
		}
	}
	return 0;
}
