/*
 * Rate columns of minute blocks: what rate and increase need of each
 * minute (struct rate_minute), complete in themselves, so that a rate
 * reads none of the block's other columns: which slots are present, each
 * one's count, its last point's offset in the minute and its first
 * point's distance from it (span), its first value (as the gap from the
 * previous slot's last) and last value (as the rise from its first), and
 * the drops inside the minute with the sum of the values before them.
 *
 * Written only when they are cheap and exact: every first and last value
 * a short decimal at one exponent e (no NaN there), and at most
 * RATE_RESET_SLOTS minutes of the hour with a drop inside (a counter
 * between resets; a gauge drops in almost every minute and would cost
 * about 12 bits a minute).
 *
 * Layout: 4 bytes: e | span parameter << 4; the number of minutes with
 * drops | gap parameter << 4; rise | count parameter << 4; offset
 * parameter | all present << 4.  Then the present slots (60 bits, unless
 * all), then column after column over the present slots (rise and span
 * over those of several points): count, offset, gap, rise, span, the
 * first of each plain (zigzag, length-prefixed), the others as the
 * difference from the previous one in static Rice codes (parameter 15:
 * all zero, no bits); then per minute with drops: slot, number of drops,
 * their sum against count * last, ulps.
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

/* The columns, in stream order. */
enum { RC_COUNT, RC_OFF, RC_GAP, RC_RISE, RC_SPAN, NRC };

/* Put a column of n values: the first plain, the others as differences
 * from the one before with parameter k. */
static void
rate_put_col(struct bitw *w, const int64_t *x, size_t n, unsigned k)
{
	size_t j;

	if (n == 0)
		return;
	put_lenval(w, zigzag(x[0]));
	for (j = 1; j < n && k != 15; j++)
		rice_put_static(w, k, zigzag(x[j] - x[j - 1]));
}

/* The parameter for a column of n values (see rate_put_col). */
static unsigned
rate_col_k(const int64_t *x, size_t n)
{
	uint64_t u[ROLLUP_SLOTS_MAX];
	size_t j;

	for (j = 1; j < n; j++)
		u[j - 1] = zigzag(x[j] - x[j - 1]);
	return n > 1 ? rate_pick_k(u, n - 1) : 15;
}

/* The longest static Rice code without its escape: RICE_QMAX - 1 ones,
 * the 0, k <= 14 bits. */
#define RATE_CODE_MAX (RICE_QMAX + 14)

/*
 * Values x[j..n) of a column (k < 15) while the stream has whole words
 * left: what rice_get gives, with the reader's state in registers (the
 * struct's round trips through memory were most of a code's latency),
 * one refill when fewer bits than a code remain.  Stops at an escape or
 * near the stream's end, where the careful reader goes on; the next j.
 *
 * Built twice (BITS_CLZ_CLONES): a counter hour's rate columns decoded
 * in about 900 ns instead of 1,040 with LZCNT.  Integers only.
 */
BITS_CLZ_CLONES static size_t
rate_get_fast(struct bitr *r, int64_t *x, size_t j, size_t n, unsigned k)
{
	uint64_t cache = r->cache, t, u;
	unsigned nbits = r->nbits, q;
	const uint8_t *p = r->p;
	int64_t prev = x[j - 1];

	if (r->pad != 0)
		return j;
	for (; j < n; j++) {
		if (nbits < RATE_CODE_MAX) {
			uint64_t w;
			unsigned take;

			if (r->end - p < 8)
				break;
			memcpy(&w, p, 8); /* as bitr_refill */
			cache |= __builtin_bswap64(w) >> nbits;
			take = (63 - nbits) >> 3;
			p += take;
			nbits += take * 8;
		}
		q = (unsigned)__builtin_clzll(~cache | 1);
		if (q >= RICE_QMAX)
			break;
		t = cache << (q + 1);
		u = ((uint64_t)q << k) | (t >> 1 >> (63 - k));
		cache = t << k;
		nbits -= q + 1 + k;
		prev = (int64_t)((uint64_t)prev + (uint64_t)unzigzag(u));
		x[j] = prev;
	}
	r->cache = cache;
	r->nbits = nbits;
	r->p = p;
	return j;
}

/* Get a column of n values into x; 0, or -1 when the stream is short. */
static int
rate_get_col(struct bitr *r, int64_t *x, size_t n, unsigned k)
{
	uint64_t u;
	size_t j;

	if (n == 0)
		return 0;
	x[0] = unzigzag(get_lenval(r));
	if (k == 15) {
		int64_t x0 = x[0]; /* a local: the stores cannot change it */

		for (j = 1; j < n; j++)
			x[j] = x0;
		return r->err ? -1 : 0;
	}
	for (j = 1; j < n; j++) {
		if ((j = rate_get_fast(r, x, j, n, k)) == n)
			break;
		if (rice_get(r, k, &u))
			u = get_lenval(r);
		x[j] = (int64_t)((uint64_t)x[j - 1] + (uint64_t)unzigzag(u));
	}
	return r->err ? -1 : 0;
}

int
rollup_rate_encode(const struct rollup_block *rb, struct buf *out)
{
	struct rate_scaled sc[ROLLUP_SLOTS_MAX];
	int64_t col[NRC][ROLLUP_SLOTS_MAX], prev_last = 0;
	size_t n[NRC] = {0, 0, 0, 0, 0};
	unsigned i, e, c, nr = 0, np = 0, k[NRC];
	struct bitw w = {0};
	uint8_t hdr[4];

	if (!rb->rate || rb->res != STORE_MINUTE_MS)
		return -1;
	for (i = 0; i < rb->nslots; i++) {
		const struct rate_minute *m = &rb->rm[i];
		const struct agg *a = &rb->b[i];

		if (!rb->present[i])
			continue;
		np++;
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
	for (i = 0; i < rb->nslots; i++) {
		const struct rate_minute *m = &rb->rm[i];
		int64_t f = m->count > 1 ? sc[i].first : sc[i].last;

		if (!rb->present[i])
			continue;
		col[RC_COUNT][n[RC_COUNT]++] = (int64_t)m->count;
		col[RC_OFF][n[RC_OFF]++] =
		    m->last_t - (rb->start + (int64_t)i * rb->res);
		col[RC_GAP][n[RC_GAP]++] = f - prev_last;
		if (m->count > 1) {
			col[RC_RISE][n[RC_RISE]++] = sc[i].last - f;
			col[RC_SPAN][n[RC_SPAN]++] = m->last_t - m->first_t;
		}
		prev_last = sc[i].last;
	}
	for (c = 0; c < NRC; c++)
		k[c] = rate_col_k(col[c], n[c]);
	hdr[0] = (uint8_t)(e | k[RC_SPAN] << 4);
	hdr[1] = (uint8_t)(nr | k[RC_GAP] << 4);
	hdr[2] = (uint8_t)(k[RC_RISE] | k[RC_COUNT] << 4);
	hdr[3] = (uint8_t)(k[RC_OFF] | (np == rb->nslots ? 16 : 0));
	if (np != rb->nslots)
		for (i = 0; i < rb->nslots; i++)
			bitw_put(&w, rb->present[i] ? 1 : 0, 1);
	for (c = 0; c < NRC; c++)
		rate_put_col(&w, col[c], n[c], k[c]);
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
	buf_append(out, hdr, 4);
	buf_reserve(out, bitw_bytes(&w));
	bitw_copy(&w, (uint8_t *)out->data + out->len);
	out->len += bitw_bytes(&w);
	out->data[out->len] = '\0';
	bitw_free(&w);
	return 0;
}

int
rollup_rate_decode(const struct rollup_block *rb, const void *data, size_t len,
    uint8_t *present, struct rate_minute *rm)
{
	const uint8_t *p = data;
	int64_t col[NRC][ROLLUP_SLOTS_MAX], lm[ROLLUP_SLOTS_MAX];
	int64_t prev_last = 0, f, l;
	unsigned e, k[NRC], nr, i, j, np = 0, nmulti = 0, last_slot = 0;
	int any = 0;
	struct bitr r;
	uint64_t u;

	if (len < 4 || rb->nslots > ROLLUP_SLOTS_MAX)
		return -1;
	e = p[0] & 15;
	k[RC_SPAN] = p[0] >> 4;
	k[RC_GAP] = p[1] >> 4;
	nr = p[1] & 15;
	k[RC_RISE] = p[2] & 15;
	k[RC_COUNT] = p[2] >> 4;
	k[RC_OFF] = p[3] & 15;
	if (e >= 15 || nr > RATE_RESET_SLOTS || (p[3] & 0xe0) != 0)
		return -1;
	bitr_init(&r, p + 4, len - 4);
	for (i = 0; i < rb->nslots; i++) {
		present[i] = p[3] & 16 ? 1 : (uint8_t)bitr_get(&r, 1);
		np += present[i];
	}
	if (rate_get_col(&r, col[RC_COUNT], np, k[RC_COUNT]) != 0 ||
	    rate_get_col(&r, col[RC_OFF], np, k[RC_OFF]) != 0)
		return -1;
	for (j = 0; j < np; j++) {
		if (col[RC_COUNT][j] < 1 || col[RC_COUNT][j] >= (1 << 20) ||
		    col[RC_OFF][j] < 0 || col[RC_OFF][j] >= rb->res)
			return -1;
		nmulti += col[RC_COUNT][j] > 1;
	}
	if (rate_get_col(&r, col[RC_GAP], np, k[RC_GAP]) != 0 ||
	    rate_get_col(&r, col[RC_RISE], nmulti, k[RC_RISE]) != 0 ||
	    rate_get_col(&r, col[RC_SPAN], nmulti, k[RC_SPAN]) != 0)
		return -1;
	for (i = 0, j = 0, nmulti = 0; i < rb->nslots; i++) {
		struct rate_minute *m = &rm[i];
		int64_t start = rb->start + (int64_t)i * rb->res;

		if (!present[i])
			continue;
		m->count = (uint32_t)col[RC_COUNT][j];
		m->nresets = 0;
		m->resets = 0;
		m->last_t = m->first_t = start + col[RC_OFF][j];
		f = j == 0 ? col[RC_GAP][0] : prev_last + col[RC_GAP][j];
		l = f;
		if (m->count > 1) {
			int64_t span = col[RC_SPAN][nmulti];

			if (span < 1 || span > col[RC_OFF][j])
				return -1;
			m->first_t = m->last_t - span;
			l = f + col[RC_RISE][nmulti++];
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
		j++;
	}
	for (j = 0; j < nr; j++) {
		int64_t sum;

		i = (unsigned)bitr_get(&r, 6);
		if ((any && i <= last_slot) || i >= rb->nslots || !present[i])
			return -1;
		any = 1;
		last_slot = i;
		u = get_lenval(&r);
		if (r.err || u == 0 || u >= rm[i].count)
			return -1;
		rm[i].nresets = (uint32_t)u;
		u = get_lenval(&r);
		if (r.err || u >= (uint64_t)M_SMALL * 4096)
			return -1;
		sum = unzigzag(u) + (int64_t)rm[i].nresets * lm[i];
		rm[i].resets = dec_value(sum, e, get_ulps(&r));
	}
	return r.err || bitr_left(&r) >= 8 ? -1 : 0;
}
