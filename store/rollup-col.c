/* The COL rollup codec: a block's columns stored one after the other, so
 * that a reader decodes only those its aggregation needs. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "store/chunk.h"
#include "store/coder.h"
#include "store/rollup-int.h"

/*
 * COL: header codec, nslots, e, then six 4-bit Rice parameters (count,
 * offset, sum, last, hi, lo; 15 means a column of zero symbols, which
 * takes no bits).  Then the present bits, and the columns in that order,
 * each over the present slots: count and offset (the first plainly, then
 * deltas), the bit length of the sum column (length-prefixed), the sums
 * (the first plainly, then the difference from the previous slot's sum
 * scaled by the counts, each followed by its ulps when the slot has more
 * than one point), last (as in DEC), and max - last, last - min for
 * slots of more than one point.  Count and sum need no other column.
 *
 * COL2 (format 3) is COL with a smaller head: the codec byte alone, then
 * in the bits e (4 bits), the six parameters, the layout of the present
 * slots (2 bits: all of them; one run, its first and last slot in 6 bits
 * each; or one bit a slot), one bit saying that no sum has ulps (they
 * are then not written) and one saying that the last values are coded
 * as differences from last_pred() of the sums (chosen when shorter: a
 * reader of last, min or max then decodes the sums too).
 */
enum { CC_COUNT, CC_OFF, CC_SUM, CC_LAST, CC_HI, CC_LO, NCC };
#define K_ZERO 15
enum { PRESENT_ALL, PRESENT_RUN, PRESENT_BITS };
#define S_LIMIT (M_SMALL * 1024)

/* x within (-lim, lim). */
static inline int64_t
clamp_open(__int128 x, int64_t lim)
{
	if (x >= lim)
		return lim - 1;
	if (x <= -lim)
		return -lim + 1;
	return (int64_t)x;
}

/* The prediction of a slot's sum mantissa from the previous slot's. */
static inline int64_t
sum_pred(int64_t psum, uint64_t pcount, uint64_t count)
{
	__int128 x;

	int64_t p;

	if (count == pcount)
		return psum;
	/* The same quotient in 64 bits when the product fits (a 128-bit
	 * division is a library call). */
	if (pcount <= INT64_MAX && count <= INT64_MAX &&
	    !__builtin_mul_overflow(psum, (int64_t)count, &p))
		return clamp_open(p / (int64_t)pcount, S_LIMIT);
	x = (__int128)psum * (__int128)count / (__int128)pcount;
	return clamp_open(x, S_LIMIT);
}

/* Column symbols of every present slot after the first (sym[c][j] for
 * the j-th present slot; hi/lo only for slots of more than one point,
 * in their own sequence).  Returns the number of present slots. */
static unsigned
col_symbols(const struct rollup_block *rb, const struct dslot *ds,
    uint64_t sym[NCC][ROLLUP_SLOTS_MAX], unsigned *nsym, unsigned *idx)
{
	unsigned i, np = 0, c;

	for (c = 0; c < NCC; c++)
		nsym[c] = 0;
	for (i = 0; i < rb->nslots; i++) {
		const struct agg *a = &rb->b[i];

		if (!rb->present[i])
			continue;
		idx[np] = i;
		if (np > 0) {
			unsigned pi = idx[np - 1];
			const struct agg *pa = &rb->b[pi];
			int64_t off =
			    a->last_t - (rb->start + (int64_t)i * rb->res);
			int64_t poff =
			    pa->last_t - (rb->start + (int64_t)pi * rb->res);

			sym[CC_COUNT][nsym[CC_COUNT]++] =
			    zigzag((int64_t)(a->count - pa->count));
			sym[CC_OFF][nsym[CC_OFF]++] = zigzag(off - poff);
			sym[CC_SUM][nsym[CC_SUM]++] =
			    zigzag(ds[i].sum -
			           sum_pred(ds[pi].sum, pa->count, a->count));
			sym[CC_LAST][nsym[CC_LAST]++] =
			    zigzag(ds[i].last - ds[pi].last);
		}
		if (a->count > 1) {
			sym[CC_HI][nsym[CC_HI]++] =
			    (uint64_t)(ds[i].max - ds[i].last);
			sym[CC_LO][nsym[CC_LO]++] =
			    (uint64_t)(ds[i].last - ds[i].min);
		}
		np++;
	}
	return np;
}

/* The best static parameter for n symbols (the smallest of the
 * cheapest), or K_ZERO if all are 0.  A symbol costs at least 1 + k bits,
 * so once n (1 + k) reaches the best cost so far no larger k can be
 * cheaper: the search stops there (closing chunks spent an eighth of the
 * apply thread's time here trying all 15). */
static unsigned
col_best_k(const uint64_t *sym, unsigned n)
{
	uint64_t cost, best_cost = UINT64_MAX, any = 0;
	unsigned j, k, best = 0;

	for (j = 0; j < n; j++)
		any |= sym[j];
	if (any == 0)
		return K_ZERO;
	for (k = 0; k < K_ZERO && (uint64_t)n * (1 + k) < best_cost; k++) {
		cost = 0;
		for (j = 0; j < n; j++)
			cost += rice_cost(sym[j], k);
		if (cost < best_cost) {
			best_cost = cost;
			best = k;
		}
	}
	return best;
}

/* COL2's prediction of a slot's last mantissa from its sum s of c
 * points and the previous slot's last x0: for a random walk sampled
 * evenly, E[last | s, x0] = x0 + 3 (s - c x0) / (2c + 1); the first
 * slot's, with no x0, is the mean. */
static inline int64_t
last_pred(int first, int64_t x0, int64_t s, uint64_t c)
{
	__int128 x;

	/* In 64 bits when nothing can overflow (decoded slots keep
	 * |x0| < M_SMALL, |s| < S_LIMIT, c < 2^20): the same quotient. */
	if (c < (1u << 20) && x0 > -M_SMALL && x0 < M_SMALL && s > -S_LIMIT &&
	    s < S_LIMIT) {
		int64_t ci = (int64_t)c;

		if (first)
			return clamp_open(s / ci, M_SMALL);
		return clamp_open(
		    x0 + 3 * (s - ci * x0) / (2 * ci + 1), M_SMALL);
	}
	if (first)
		x = (__int128)s / (__int128)c;
	else
		x = (__int128)x0 + 3 * ((__int128)s - (__int128)c * x0) /
		                       (__int128)(2 * c + 1);
	return clamp_open(x, M_SMALL);
}

/* Bits of n symbols with the best static parameter (*k). */
static uint64_t
col_cost(const uint64_t *sym, unsigned n, unsigned *k)
{
	uint64_t bits = 0;
	unsigned j;

	*k = col_best_k(sym, n);
	for (j = 0; *k != K_ZERO && j < n; j++)
		bits += rice_cost(sym[j], *k);
	return bits;
}

static void
col_put(struct bitw *w, unsigned k, const uint64_t *sym, unsigned n)
{
	unsigned j;

	if (k == K_ZERO)
		return;
	for (j = 0; j < n; j++)
		rice_put_static(w, k, sym[j]);
}

/* COL2's present slots (all, one run, or a bit a slot); the layout. */
static unsigned
col2_put_present(struct bitw *w, const struct rollup_block *rb,
    const unsigned *idx, unsigned np)
{
	unsigned i;

	if (np == rb->nslots)
		return PRESENT_ALL;
	if (np > 0 && idx[np - 1] - idx[0] + 1 == np) {
		bitw_put(w, idx[0], 6);
		bitw_put(w, idx[np - 1], 6);
		return PRESENT_RUN;
	}
	for (i = 0; i < rb->nslots; i++)
		bitw_put(w, rb->present[i] ? 1 : 0, 1);
	return PRESENT_BITS;
}

int
rollup_col2_get_present(
    struct bitr *r, unsigned layout, unsigned nslots, uint8_t *present)
{
	unsigned i, first, last;

	switch (layout) {
	case PRESENT_ALL:
		memset(present, 1, nslots);
		break;
	case PRESENT_RUN:
		first = (unsigned)bitr_get(r, 6);
		last = (unsigned)bitr_get(r, 6);
		if (first > last || last >= nslots)
			return -1;
		memset(present, 0, nslots);
		memset(present + first, 1, last - first + 1);
		break;
	case PRESENT_BITS:
		for (i = 0; i < nslots; i++)
			present[i] = (uint8_t)bitr_get(r, 1);
		break;
	default:
		return -1;
	}
	return r->err ? -1 : 0;
}

void
rollup_col_encode(const struct rollup_block *rb, struct dslot *ds, unsigned e,
    int v2, struct bitw *w, uint8_t *kbytes)
{
	uint64_t sym[NCC][ROLLUP_SLOTS_MAX];
	unsigned nsym[NCC], idx[ROLLUP_SLOTS_MAX], kc[NCC], np, i, j, c;
	struct bitw sw = {0};
	const struct agg *a0;
	int ulps = !v2, lastpred = 0;
	uint64_t last0 = 0;

	/* A single point's sum is its value. */
	for (i = 0; i < rb->nslots; i++) {
		if (rb->present[i] && rb->b[i].count == 1) {
			ds[i].sum = ds[i].last;
			ds[i].d = 0;
		}
		if (rb->present[i] && rb->b[i].count > 1 && ds[i].d != 0)
			ulps = 1;
	}
	np = col_symbols(rb, ds, sym, nsym, idx);
	for (c = 0; c < NCC; c++)
		kc[c] = col_best_k(sym[c], nsym[c]);
	if (v2 && np > 0) {
		/* Last from the sums, when that codes shorter. */
		uint64_t alt[ROLLUP_SLOTS_MAX], first = 0;
		unsigned ka;

		for (j = 0; j < np; j++) {
			int64_t pr =
			    last_pred(j == 0, j > 0 ? ds[idx[j - 1]].last : 0,
			        ds[idx[j]].sum, rb->b[idx[j]].count);
			uint64_t z = zigzag(ds[idx[j]].last - pr);

			if (j == 0)
				first = z;
			else
				alt[j - 1] = z;
		}
		if (col_cost(alt, np - 1, &ka) + bitlen(first) <
		    col_cost(sym[CC_LAST], np - 1, &kc[CC_LAST]) +
		        bitlen(zigzag(ds[idx[0]].last))) {
			lastpred = 1;
			kc[CC_LAST] = ka;
			memcpy(sym[CC_LAST], alt, (np - 1) * sizeof *alt);
			last0 = first;
		}
	}
	kbytes[0] = (uint8_t)(kc[0] << 4 | kc[1]);
	kbytes[1] = (uint8_t)(kc[2] << 4 | kc[3]);
	kbytes[2] = (uint8_t)(kc[4] << 4 | kc[5]);
	kbytes[0] = (uint8_t)(kc[0] << 4 | kc[1]);
	kbytes[1] = (uint8_t)(kc[2] << 4 | kc[3]);
	kbytes[2] = (uint8_t)(kc[4] << 4 | kc[5]);
	if (v2) {
		kbytes[3] =
		    (uint8_t)(e | col2_put_present(w, rb, idx, np) << 4 |
		              (unsigned)!ulps << 6 | (unsigned)lastpred << 7);
	} else {
		for (i = 0; i < rb->nslots; i++)
			bitw_put(w, rb->present[i] ? 1 : 0, 1);
	}
	if (np == 0)
		return;
	a0 = &rb->b[idx[0]];
	put_lenval(w, a0->count);
	col_put(w, kc[CC_COUNT], sym[CC_COUNT], nsym[CC_COUNT]);
	put_lenval(
	    w, (uint64_t)(a0->last_t - rb->start - (int64_t)idx[0] * rb->res));
	col_put(w, kc[CC_OFF], sym[CC_OFF], nsym[CC_OFF]);

	/* The sums, written aside to learn their length. */
	put_lenval(&sw, zigzag(ds[idx[0]].sum));
	for (j = 0; j < np; j++) {
		if (j > 0 && kc[CC_SUM] != K_ZERO)
			rice_put_static(&sw, kc[CC_SUM], sym[CC_SUM][j - 1]);
		if (ulps && rb->b[idx[j]].count > 1)
			put_ulps(&sw, ds[idx[j]].d);
	}
	put_lenval(w, bitw_bits(&sw));
	bitw_append(w, &sw);
	bitw_free(&sw);

	put_lenval(w, lastpred ? last0 : zigzag(ds[idx[0]].last));
	col_put(w, kc[CC_LAST], sym[CC_LAST], nsym[CC_LAST]);
	col_put(w, kc[CC_HI], sym[CC_HI], nsym[CC_HI]);
	col_put(w, kc[CC_LO], sym[CC_LO], nsym[CC_LO]);
}

/* Skip n bits. */
static void
bits_skip(struct bitr *r, uint64_t n)
{
	while (n > 32) {
		(void)bitr_get(r, 32);
		n -= 32;
	}
	(void)bitr_get(r, (unsigned)n);
}

/* n symbols of a COL column with parameter k into u (zeros for K_ZERO). */
static int
col_get(struct bitr *r, unsigned k, uint64_t *u, unsigned n)
{
	unsigned j;

	if (k == K_ZERO) {
		memset(u, 0, n * sizeof *u);
		return 0;
	}
	for (j = 0; j < n; j++) {
		if (rice_get(r, k, &u[j]))
			u[j] = get_lenval(r);
	}
	return r->err ? -1 : 0;
}

/* The value of mantissa m at e; repeated mantissas are common, so the
 * last division is kept. */
struct dcache {
	int64_t m;
	double v;
};
#define DCACHE_INIT          \
	{                    \
		INT64_MIN, 0 \
	}

static inline double
dec_cached(int64_t m, unsigned e, struct dcache *c)
{
	if (m != c->m) {
		c->m = m;
		c->v = dec_value(m, e, 0);
	}
	return c->v;
}

/* rollup_col_decode's work, built twice (BITS_CLZ_CLONES) like the rate
 * columns' decoder, so that the native query and PromQL read their columns
 * alike.  Static: clang 14 emits no symbol for a cloned extern function. */
BITS_CLZ_CLONES static int
col_decode(const struct rollup_block *rb, unsigned e, const uint8_t *kbytes,
    unsigned flags, struct bitr *r, const uint8_t *present, struct agg *b,
    unsigned cols)
{
	int64_t sm[ROLLUP_SLOTS_MAX];
	unsigned lastcols = ROLLUP_COL_LAST | ROLLUP_COL_MIN | ROLLUP_COL_MAX;
	int lastpred = (flags & COLF_LASTPRED) != 0, want_sum;
	unsigned kc[NCC], idx[ROLLUP_SLOTS_MAX], np = 0, nmulti = 0, i, j, m;
	uint64_t u[ROLLUP_SLOTS_MAX], hi[ROLLUP_SLOTS_MAX],
	    lo[ROLLUP_SLOTS_MAX];
	uint64_t count, sbits;
	int64_t off, sum, last;
	struct dcache dl = DCACHE_INIT, dmax = DCACHE_INIT, dmin = DCACHE_INIT;

	kc[0] = kbytes[0] >> 4;
	kc[1] = kbytes[0] & 15;
	kc[2] = kbytes[1] >> 4;
	kc[3] = kbytes[1] & 15;
	kc[4] = kbytes[2] >> 4;
	kc[5] = kbytes[2] & 15;
	for (i = 0; i < rb->nslots; i++) {
		if (present[i])
			idx[np++] = i;
	}
	if (np == 0)
		return 0;
	count = get_lenval(r);
	if (col_get(r, kc[CC_COUNT], u, np - 1) != 0)
		return -1;
	for (j = 0; j < np; j++) {
		struct agg *a = &b[idx[j]];

		if (j > 0)
			count += (uint64_t)unzigzag(u[j - 1]);
		if (count == 0 || count >= (1u << 20))
			return -1;
		a->count = count;
		a->sum = a->min = a->max = a->last = NAN;
		nmulti += count > 1;
	}
	off = (int64_t)get_lenval(r);
	if (col_get(r, kc[CC_OFF], u, np - 1) != 0)
		return -1;
	for (j = 0; j < np; j++) {
		if (j > 0)
			off = (int64_t)((uint64_t)off +
			                (uint64_t)unzigzag(u[j - 1]));
		if (off < 0 || off >= rb->res)
			return -1;
		b[idx[j]].last_t = rb->start + (int64_t)idx[j] * rb->res + off;
	}

	sbits = get_lenval(r);
	if (sbits > bitr_left(r))
		return -1;
	want_sum = (cols & ROLLUP_COL_SUM) != 0;
	if (!want_sum && !(lastpred && (cols & lastcols)))
		bits_skip(r, sbits);
	else {
		uint64_t left = bitr_left(r);
		unsigned k = kc[CC_SUM];

		sum = unzigzag(get_lenval(r));
		for (j = 0; j < np; j++) {
			struct agg *a = &b[idx[j]];
			int64_t d = 0;

			if (j > 0) {
				const struct agg *pa = &b[idx[j - 1]];
				uint64_t v = 0;

				if (k != K_ZERO && rice_get(r, k, &v))
					v = get_lenval(r);
				sum = (int64_t)((uint64_t)sum_pred(
				                    sum, pa->count, a->count) +
				                (uint64_t)unzigzag(v));
			}
			if (sum <= -S_LIMIT || sum >= S_LIMIT)
				return -1;
			if ((flags & COLF_ULPS) && a->count > 1)
				d = get_ulps(r);
			sm[j] = sum;
			if (want_sum)
				a->sum = dec_value(sum, e, d);
		}
		if (r->err || left - bitr_left(r) != sbits)
			return -1;
	}
	if (!(cols & lastcols))
		return r->err ? -1 : 0;

	last = unzigzag(get_lenval(r));
	if (lastpred)
		last = (int64_t)((uint64_t)last + (uint64_t)last_pred(1, 0,
		                                      sm[0], b[idx[0]].count));
	if (col_get(r, kc[CC_LAST], u, np - 1) != 0)
		return -1;
	if ((cols & (ROLLUP_COL_MIN | ROLLUP_COL_MAX)) &&
	    col_get(r, kc[CC_HI], hi, nmulti) != 0)
		return -1;
	if ((cols & ROLLUP_COL_MIN) && col_get(r, kc[CC_LO], lo, nmulti) != 0)
		return -1;
	for (j = 0, m = 0; j < np; j++) {
		struct agg *a = &b[idx[j]];

		if (j > 0 && lastpred)
			last = (int64_t)((uint64_t)last_pred(
			                     0, last, sm[j], a->count) +
			                 (uint64_t)unzigzag(u[j - 1]));
		else if (j > 0)
			last = (int64_t)((uint64_t)last +
			                 (uint64_t)unzigzag(u[j - 1]));
		if (last <= -M_SMALL || last >= M_SMALL)
			return -1;
		if (cols & ROLLUP_COL_LAST)
			a->last = dec_cached(last, e, &dl);
		if (a->count == 1) {
			if (cols & ROLLUP_COL_MAX)
				a->max = dec_cached(last, e, &dmax);
			if (cols & ROLLUP_COL_MIN)
				a->min = dec_cached(last, e, &dmin);
			continue;
		}
		if (cols & (ROLLUP_COL_MIN | ROLLUP_COL_MAX)) {
			if (hi[m] >= (uint64_t)M_SMALL ||
			    last + (int64_t)hi[m] >= M_SMALL)
				return -1;
			if (cols & ROLLUP_COL_MAX)
				a->max =
				    dec_cached(last + (int64_t)hi[m], e, &dmax);
		}
		if (cols & ROLLUP_COL_MIN) {
			if (lo[m] >= (uint64_t)M_SMALL ||
			    last - (int64_t)lo[m] <= -M_SMALL)
				return -1;
			a->min = dec_cached(last - (int64_t)lo[m], e, &dmin);
		}
		m++;
	}
	return r->err ? -1 : 0;
}

/* COL: the columns cols needs (count and last_t always); the others are
 * left NaN. */
int
rollup_col_decode(const struct rollup_block *rb, unsigned e,
    const uint8_t *kbytes, unsigned flags, struct bitr *r,
    const uint8_t *present, struct agg *b, unsigned cols)
{
	return col_decode(rb, e, kbytes, flags, r, present, b, cols);
}
