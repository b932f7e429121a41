/*
 * Rate columns of minute blocks: what rate and increase need of each
 * minute (struct rate_minute) besides the block's count and last point's
 * time: the first and last values, the first point's time (as its
 * distance from the last point's), and the drops inside the minute with
 * the sum of the values before them.  The last value is there again so
 * that a rate reads none of the block's value columns (the last column
 * is coded against the sums, a costly decode).
 *
 * Written only when they are cheap and exact: every value a short decimal
 * at one exponent e (no NaN as a first or last value), and at most
 * RATE_RESET_SLOTS minutes of the hour with a drop inside (a counter
 * between resets; a gauge drops in almost every minute and would cost
 * about 12 bits a minute).  Layout: byte 0 e | span parameter << 4, byte
 * 1 the number of minutes with drops | gap parameter << 4, byte 2 the
 * rise parameter; then per present slot the gap from the previous slot's
 * last value to this first one and, for slots of several points, the rise
 * from first to last and the span of time, each against the previous
 * slot's, as static Rice codes (parameter 15: all zero, no bits; the
 * first slot's gap (its first value) and the first rise and span are
 * plain); then the minutes with drops (slot, count, sum against count *
 * last, ulps).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "store/coder.h"
#include "store/rollup-int.h"
#include "store/store-int.h"

#define RATE_RESET_SLOTS 4

struct rate_scaled {
	int64_t last, first, resets, d;
};

/* Scale rb's rate columns to exponent e into sc; 1 if all fit exactly. */
static int
rate_scale(const struct rollup_block *rb, unsigned e, struct rate_scaled *sc)
{
	unsigned i;
	int64_t d;

	for (i = 0; i < rb->nslots; i++) {
		const struct rate_minute *m = &rb->rm[i];

		if (!rb->present[i])
			continue;
		if (!dec_fit(m->last, e, 0, &sc[i].last, &d) ||
		    sc[i].last <= -M_SMALL || sc[i].last >= M_SMALL)
			return 0;
		if (m->count > 1 &&
		    (!dec_fit(m->first, e, 0, &sc[i].first, &d) ||
		        sc[i].first <= -M_SMALL || sc[i].first >= M_SMALL))
			return 0;
		if (m->nresets > 0 &&
		    (!dec_fit(m->resets, e, 1, &sc[i].resets, &sc[i].d) ||
		        sc[i].resets <= -M_SMALL * 1024 ||
		        sc[i].resets >= M_SMALL * 1024))
			return 0;
	}
	return 1;
}

/* The best static Rice parameter for the symbols u[0..n), 15 when all
 * are zero. */
static unsigned
rate_pick_k(const uint64_t *u, size_t n)
{
	uint64_t cost[15] = {0};
	unsigned k, best = 0;
	size_t i;
	int zero = 1;

	for (i = 0; i < n; i++) {
		if (u[i] != 0)
			zero = 0;
		for (k = 0; k < 15; k++)
			cost[k] += rice_cost(u[i], k);
	}
	if (zero)
		return 15;
	for (k = 1; k < 15; k++)
		if (cost[k] < cost[best])
			best = k;
	return best;
}

/* Symbol streams of the slot columns. */
enum { RS_GAP, RS_RISE, RS_SPAN, NRS };

int
rollup_rate_encode(const struct rollup_block *rb, struct buf *out)
{
	struct rate_scaled sc[ROLLUP_SLOTS_MAX];
	uint64_t sym[NRS][ROLLUP_SLOTS_MAX];
	size_t nsym[NRS] = {0, 0, 0};
	unsigned i, e, c, nr = 0, k[NRS] = {15, 15, 15};
	int64_t prev_last = 0, prev[NRS] = {0, 0, 0};
	int first = 1, first_multi = 1;
	struct bitw w = {0};
	uint8_t hdr[3];

	if (!rb->rate || rb->res != STORE_MINUTE_MS)
		return -1;
	for (i = 0; i < rb->nslots; i++) {
		const struct rate_minute *m = &rb->rm[i];
		const struct agg *a = &rb->b[i];

		if (!rb->present[i])
			continue;
		/* The rate columns describe the slot's own points. */
		if (m->count != a->count || m->last_t != a->last_t ||
		    dbits(m->last) != dbits(a->last) || m->nresets >= m->count)
			return -1;
		if (m->nresets > 0 && nr++ == RATE_RESET_SLOTS)
			return -1;
	}
	for (e = 0; e < 15 && !rate_scale(rb, e, sc); e++)
		;
	if (e == 15)
		return -1;
	/* Per present slot: the gap from the previous slot's last to this
	 * first value, the rise from first to last and the span of time
	 * between them, each against the previous slot's; the first slot's
	 * first value, and the first slot of several points' rise and span,
	 * are plain. */
	for (c = 0; c < 2; c++) {
		first = first_multi = 1;
		prev_last = 0;
		memset(prev, 0, sizeof prev);
		for (i = 0; i < rb->nslots; i++) {
			const struct rate_minute *m = &rb->rm[i];
			int64_t f = m->count > 1 ? sc[i].first : sc[i].last;
			int64_t x[NRS] = {f - prev_last, sc[i].last - f,
			    m->last_t - m->first_t};
			unsigned j;

			if (!rb->present[i])
				continue;
			for (j = 0; j < NRS; j++) {
				uint64_t u;

				if (j == RS_GAP ? first : first_multi) {
					u = zigzag(j == RS_GAP ? f : x[j]);
					if (c == 1)
						put_lenval(&w, u);
				} else {
					u = zigzag(x[j] - prev[j]);
					if (c == 0)
						sym[j][nsym[j]++] = u;
					else if (k[j] != 15)
						rice_put_static(&w, k[j], u);
				}
				prev[j] = x[j];
				if (j == RS_GAP && m->count == 1)
					break;
			}
			if (m->count > 1)
				first_multi = 0;
			first = 0;
			prev_last = sc[i].last;
		}
		if (c == 0)
			for (i = 0; i < NRS; i++)
				k[i] = rate_pick_k(sym[i], nsym[i]);
	}
	for (i = 0; i < rb->nslots; i++) {
		const struct rate_minute *m = &rb->rm[i];

		if (!rb->present[i] || m->nresets == 0)
			continue;
		bitw_put(&w, i, 6);
		put_lenval(&w, m->nresets);
		put_lenval(&w,
		    zigzag(sc[i].resets - (int64_t)m->nresets * sc[i].last));
		put_ulps(&w, sc[i].d);
	}
	hdr[0] = (uint8_t)(e | k[RS_SPAN] << 4);
	hdr[1] = (uint8_t)(nr | k[RS_GAP] << 4);
	hdr[2] = (uint8_t)k[RS_RISE];
	buf_append(out, hdr, 3);
	buf_reserve(out, bitw_bytes(&w));
	bitw_copy(&w, (uint8_t *)out->data + out->len);
	out->len += bitw_bytes(&w);
	out->data[out->len] = '\0';
	bitw_free(&w);
	return 0;
}

int
rollup_rate_decode(const struct rollup_block *rb, const uint8_t *present,
    const struct agg *b, const void *data, size_t len, struct rate_minute *rm)
{
	const uint8_t *p = data;
	int64_t lm[ROLLUP_SLOTS_MAX], prev_last = 0, gap = 0, rise = 0,
	                              span = 0;
	unsigned e, k[NRS], nr, i, j;
	int first = 1, first_multi = 1, last_slot = -1;
	struct bitr r;
	uint64_t u;

	if (len < 3)
		return -1;
	e = p[0] & 15;
	k[RS_SPAN] = p[0] >> 4;
	k[RS_GAP] = p[1] >> 4;
	nr = p[1] & 15;
	k[RS_RISE] = p[2] & 15;
	if (e >= 15 || nr > RATE_RESET_SLOTS || p[2] > 15)
		return -1;
	bitr_init(&r, p + 3, len - 3);
	for (i = 0; i < rb->nslots; i++) {
		struct rate_minute *m = &rm[i];
		int64_t f, l, start = rb->start + (int64_t)i * rb->res;

		if (!present[i])
			continue;
		if (first) {
			/* The first slot's first value, plain. */
			gap = f = unzigzag(get_lenval(&r));
			first = 0;
		} else {
			if (k[RS_GAP] != 15) {
				if (rice_get_static(&r, k[RS_GAP], &u) != 0)
					return -1;
				gap += unzigzag(u);
			}
			f = prev_last + gap;
		}
		l = f;
		m->count = (uint32_t)b[i].count;
		m->nresets = 0;
		m->resets = 0;
		m->last_t = m->first_t = b[i].last_t;
		if (b[i].count > 1) {
			if (first_multi) {
				rise = unzigzag(get_lenval(&r));
				span = unzigzag(get_lenval(&r));
				first_multi = 0;
			} else {
				if (k[RS_RISE] != 15) {
					if (rice_get_static(
					        &r, k[RS_RISE], &u) != 0)
						return -1;
					rise += unzigzag(u);
				}
				if (k[RS_SPAN] != 15) {
					if (rice_get_static(
					        &r, k[RS_SPAN], &u) != 0)
						return -1;
					span += unzigzag(u);
				}
			}
			if (span < 1 || span > b[i].last_t - start)
				return -1;
			m->first_t = b[i].last_t - span;
			l = f + rise;
		}
		if (f <= -M_SMALL || f >= M_SMALL || l <= -M_SMALL ||
		    l >= M_SMALL)
			return -1;
		if (e == 0) {
			m->first = (double)f;
			m->last = (double)l;
		} else {
			m->first = dec_value(f, e, 0);
			m->last = l == f ? m->first : dec_value(l, e, 0);
		}
		lm[i] = prev_last = l;
	}
	if (r.err)
		return -1;
	for (j = 0; j < nr; j++) {
		int64_t s;

		i = (unsigned)bitr_get(&r, 6);
		if ((int)i <= last_slot || i >= rb->nslots || !present[i])
			return -1;
		last_slot = (int)i;
		u = get_lenval(&r);
		if (r.err || u == 0 || u >= b[i].count)
			return -1;
		rm[i].nresets = (uint32_t)u;
		u = get_lenval(&r);
		if (r.err || u >= (uint64_t)M_SMALL * 4096)
			return -1;
		s = unzigzag(u) + (int64_t)rm[i].nresets * lm[i];
		rm[i].resets = dec_value(s, e, get_ulps(&r));
	}
	return r.err || bitr_left(&r) >= 8 ? -1 : 0;
}
