/* Per-minute aggregates of an open chunk (see store/headagg.h). */
#include "config.h"

#include <string.h>

#include "store/coder.h"
#include "store/rate-minute.h"
#include "store/headagg.h"
#include "store/store-int.h"

/* Mantissas this small keep count * (min + max) in range. */
#define HA_M_SMALL (INT64_C(1) << 40)
#define HA_E_RAW   15 /* escape exponent: the minute's doubles follow */
/* Minutes with a drop inside that still get rate fields (as the rate
 * columns of closed hours, store/rollup-rate.c). */
#define HA_RATE_DROPS 4

/* Elias gamma code of u (u < 2^62). */
static inline void
gamma_put(struct bitw *w, uint64_t u)
{
	uint64_t x = u + 1;
	unsigned l = bitlen(x);

	bitw_put64(w, 0, l - 1);
	bitw_put64(w, x, l);
}

static inline __attribute__((always_inline)) uint64_t
gamma_get(struct bitr *r)
{
	uint64_t p = bitr_peek(r, 32);
	unsigned z;

	if (p != 0) {
		z = (unsigned)__builtin_clzll(p) - 32;
		bitr_skip(r, z);
	} else {
		for (z = 0; bitr_get(r, 1) == 0; z++) {
			if (z >= 62 || r->err) {
				r->err = 1;
				return 0;
			}
		}
		/* The leading 1 was consumed: read the rest. */
		return ((UINT64_C(1) << z) | bitr_get(r, z)) - 1;
	}
	return bitr_get(r, z + 1) - 1;
}

void
headagg_init(struct headagg *ha)
{
	memset(ha, 0, sizeof *ha);
	ha->cur_start = -1;
	ha->prev_slot = -1;
}

void
headagg_free(struct headagg *ha)
{
	bitw_free(&ha->w);
	headagg_init(ha);
}

void
headagg_clear(struct headagg *ha)
{
	struct bitw w = ha->w;

	headagg_init(ha);
	ha->w = w;
	bitw_reset(&ha->w);
}

/* Whether v is a short decimal at e: its mantissa in *m. */
static int
fit(double v, unsigned e, int ulp, int64_t *m, int64_t *d)
{
	if (!dec_fit(v, e, ulp, m, d))
		return 0;
	return *m > -HA_M_SMALL * (ulp ? 65536 : 1) &&
	       *m < HA_M_SMALL * (ulp ? 65536 : 1);
}

/* What rate needs of a finished minute of several points beyond its
 * aggregates (struct rate_minute). */
struct ha_rate {
	double first, resets;
	uint32_t nresets;
	unsigned span; /* last point's time after the first's */
};

/* Mantissas of the finished minute a at exponent e (last, min, max, sum,
 * and with r its first value and resets); 0 if they do not fit. */
static int
fit_all(const struct agg *a, const struct ha_rate *r, unsigned e, int64_t ms[6],
    int64_t *d, int64_t *dr)
{
	int64_t dd;

	if (!fit(a->last, e, 0, &ms[0], &dd))
		return 0;
	if (a->count == 1)
		return 1;
	if (!(fit(a->min, e, 0, &ms[1], &dd) &&
	        fit(a->max, e, 0, &ms[2], &dd) &&
	        fit(a->sum, e, 1, &ms[3], d) && ms[1] <= ms[0] &&
	        ms[0] <= ms[2]))
		return 0;
	if (r == NULL)
		return 1;
	/* The first value as its height over the minimum, the resets
	 * against nresets times the maximum (each is a value before a drop,
	 * so at most the maximum): a counter's cost no bits then. */
	if (!fit(r->first, e, 0, &ms[4], &dd) || ms[4] < ms[1] || ms[4] > ms[2])
		return 0;
	ms[5] = 0;
	*dr = 0;
	return r->nresets == 0 || fit(r->resets, e, 1, &ms[5], dr);
}

static int64_t
sum_guess(uint64_t count, int64_t min, int64_t max)
{
	return floor_div((int64_t)count * (min + max), 2);
}

/* Whether the minute in progress gets rate fields; counts it. */
static int
headagg_rate_take(struct headagg *ha)
{
	if (ha->rate_off)
		return 0;
	if (ha->cur_nresets > 0 && ha->rate_drops++ == HA_RATE_DROPS) {
		ha->rate_off = 1;
		return 0;
	}
	ha->rate_nmin++;
	return 1;
}

/* Append the minute in progress, whose last point is (last_t, last_v). */
static void
headagg_finish(struct headagg *ha, int64_t last_t, double last_v)
{
	struct bitw *w = &ha->w;
	struct agg a;
	struct ha_rate hr, *r = NULL;
	int64_t ms[6], d = 0, dr = 0, start = ha->cur_start;
	unsigned slot, off, e;

	a.count = ha->cur_count;
	a.sum = ha->cur_sum;
	a.min = ha->cur_min;
	a.max = ha->cur_max;
	a.last = last_v;
	slot = (unsigned)((start - window_of(start)) / STORE_MINUTE_MS);
	off = (unsigned)(last_t - start);
	if (headagg_rate_take(ha) && a.count > 1) {
		hr.first = ha->cur_first;
		hr.resets = ha->cur_resets;
		hr.nresets = ha->cur_nresets;
		hr.span = off - ha->cur_first_off;
		r = &hr;
	}
	gamma_put(w, slot - (unsigned)(ha->prev_slot + 1));
	gamma_put(w, zigzag((int64_t)a.count - ha->prev_count));
	gamma_put(w, zigzag((int64_t)off - ha->prev_off));
	ha->prev_slot = (int8_t)slot;
	ha->prev_count = (uint16_t)a.count;
	ha->prev_off = (uint16_t)off;
	ha->nmin++;
	if (fit_all(&a, r, ha->e, ms, &d, &dr))
		bitw_put(w, 0, 1);
	else {
		for (e = ha->e + 1; e < HA_E_RAW; e++) {
			if (fit_all(&a, r, e, ms, &d, &dr))
				break;
		}
		bitw_put(w, 1, 1);
		bitw_put(w, e, 4);
		ha->prev_m = 0;
		if (e == HA_E_RAW) {
			bitw_put64(w, dbits(a.last), 64);
			if (a.count > 1) {
				bitw_put64(w, dbits(a.min), 64);
				bitw_put64(w, dbits(a.max), 64);
				bitw_put64(w, dbits(a.sum), 64);
			}
			if (r == NULL)
				return;
			gamma_put(w, zigzag((int64_t)r->span - ha->prev_span));
			ha->prev_span = (uint16_t)r->span;
			bitw_put64(w, dbits(r->first), 64);
			gamma_put(w, r->nresets);
			if (r->nresets > 0)
				bitw_put64(w, dbits(r->resets), 64);
			return;
		}
		ha->e = e & 15;
	}
	gamma_put(w, zigzag(ms[0] - ha->prev_m));
	ha->prev_m = ms[0];
	if (a.count == 1)
		return;
	gamma_put(w, (uint64_t)(ms[2] - ms[0]));
	gamma_put(w, (uint64_t)(ms[0] - ms[1]));
	gamma_put(w, zigzag(ms[3] - sum_guess(a.count, ms[1], ms[2])));
	put_ulps(w, d);
	if (r == NULL)
		return;
	/* A counter's usual minute (the span of the one before, first value
	 * the minimum, no drop) in one bit, one read for a query that skips
	 * it. */
	if (r->span == ha->prev_span && ms[4] == ms[1] && r->nresets == 0) {
		bitw_put(w, 0, 1);
		return;
	}
	bitw_put(w, 1, 1);
	gamma_put(w, zigzag((int64_t)r->span - ha->prev_span));
	ha->prev_span = (uint16_t)r->span;
	gamma_put(w, (uint64_t)(ms[4] - ms[1]));
	gamma_put(w, r->nresets);
	if (r->nresets > 0) {
		gamma_put(w, zigzag((int64_t)r->nresets * ms[2] - ms[5]));
		put_ulps(w, dr);
	}
}

void
headagg_add(struct headagg *ha, uint32_t n, int64_t last_t, double last_v,
    int64_t t, double v)
{
	int64_t m = t - t % STORE_MINUTE_MS;
	struct agg a;

	if (n == 0)
		headagg_clear(ha);
	else if (m != ha->cur_start)
		headagg_finish(ha, last_t, last_v);
	else {
		/* The rules of agg_point(), on the fields kept. */
		a.count = ha->cur_count;
		a.sum = ha->cur_sum;
		a.min = ha->cur_min;
		a.max = ha->cur_max;
		agg_point(&a, t, v);
		ha->cur_count = (uint16_t)a.count;
		ha->cur_sum = a.sum;
		ha->cur_min = a.min;
		ha->cur_max = a.max;
		/* And those of rate_minute_point(). */
		if (v < last_v) {
			ha->cur_resets = ha->cur_nresets == 0
			                     ? last_v
			                     : ha->cur_resets + last_v;
			ha->cur_nresets++;
		}
		return;
	}
	ha->cur_start = m;
	ha->cur_count = 1;
	ha->cur_sum = ha->cur_min = ha->cur_max = v;
	ha->cur_first = v;
	ha->cur_first_off = (uint16_t)(t - m);
	ha->cur_resets = 0;
	ha->cur_nresets = 0;
}

void
headagg_build(struct headagg *ha, const int64_t *t, const double *v, size_t n)
{
	size_t i;

	headagg_clear(ha);
	for (i = 0; i < n; i++)
		headagg_add(ha, (uint32_t)i, i > 0 ? t[i - 1] : 0,
		    i > 0 ? v[i - 1] : 0, t[i], v[i]);
}

/*
 * Decode the finished minutes and the one in progress (whose last point
 * is (last_t, last_v)): into rb with the columns cols asks for when rb,
 * into the rate minutes rm (60, counts zeroed by the caller) when rm.
 * 0, or -1 if the stream is corrupt.  Inlined into each of the two
 * callers, so that each decodes only what it needs.
 */
static inline __attribute__((always_inline)) int
headagg_decode(const struct headagg *ha, int64_t last_t, double last_v,
    struct rollup_block *rb, unsigned cols, int64_t start,
    struct rate_minute *rm)
{
	struct bitr r;
	int64_t prev_m = 0, m, d;
	uint64_t count = 0, off = 0, u, span = 0;
	unsigned i, slot = 0, e = 0, nslots = rb != NULL ? rb->nslots : 60;
	int first = 1;
	uint8_t *buf = NULL, small[512];
	uint32_t len = bitw_bytes(&ha->w);

	if (rb != NULL)
		start = rb->start;
	/* The stream's pending bits must be readable: copy it out. */
	if (len <= sizeof small)
		buf = small;
	else
		buf = xmalloc(len);
	bitw_copy(&ha->w, buf);
	bitr_init(&r, buf, len);
	for (i = 0; i < ha->nmin; i++) {
		int rate = i < ha->rate_nmin;
		int64_t lt;

		slot = (first ? 0 : slot + 1) + (unsigned)gamma_get(&r);
		first = 0;
		count += (uint64_t)unzigzag(gamma_get(&r));
		off += (uint64_t)unzigzag(gamma_get(&r));
		if (r.err || slot >= nslots || count == 0 || count > 65535 ||
		    off >= STORE_MINUTE_MS)
			goto corrupt;
		lt = start + (int64_t)slot * STORE_MINUTE_MS + (int64_t)off;
		if (rb != NULL) {
			rb->present[slot] = 1;
			rb->b[slot].count = count;
			rb->b[slot].last_t = lt;
		}
		if (rm != NULL) {
			rm[slot].count = (uint32_t)count;
			rm[slot].last_t = lt;
			rm[slot].first_t = lt;
			rm[slot].nresets = 0;
			rm[slot].resets = 0;
		}
		if (bitr_get(&r, 1)) {
			unsigned ne = (unsigned)bitr_get(&r, 4);

			prev_m = 0;
			if (ne != HA_E_RAW)
				e = ne;
			else {
				double lv = bitsd(bitr_get(&r, 64));

				if (rb != NULL) {
					struct agg *a = &rb->b[slot];

					a->last = lv;
					if (count > 1) {
						a->min =
						    bitsd(bitr_get(&r, 64));
						a->max =
						    bitsd(bitr_get(&r, 64));
						a->sum =
						    bitsd(bitr_get(&r, 64));
					} else
						a->min = a->max = a->sum = lv;
				} else if (count > 1) {
					/* min, max and sum */
					(void)bitr_get(&r, 64);
					(void)bitr_get(&r, 64);
					(void)bitr_get(&r, 64);
				}
				if (rm != NULL) {
					rm[slot].last = lv;
					rm[slot].first = lv;
				}
				if (!rate || count == 1)
					continue;
				span += (uint64_t)unzigzag(gamma_get(&r));
				if (span > off)
					goto corrupt;
				u = bitr_get(&r, 64);
				d = (int64_t)gamma_get(&r);
				if (rm != NULL) {
					rm[slot].first_t = lt - (int64_t)span;
					rm[slot].first = bitsd(u);
					rm[slot].nresets = (uint32_t)d;
				}
				if (d >= (int64_t)count)
					goto corrupt;
				if (d > 0) {
					u = bitr_get(&r, 64);
					if (rm != NULL)
						rm[slot].resets = bitsd(u);
				}
				continue;
			}
		}
		m = prev_m + unzigzag(gamma_get(&r));
		prev_m = m;
		if (count == 1) {
			double v = dec_value(m, e, 0);

			if (rb != NULL) {
				struct agg *a = &rb->b[slot];

				a->min = a->max = a->sum = a->last = v;
			}
			if (rm != NULL)
				rm[slot].first = rm[slot].last = v;
			continue;
		}
		{
			int64_t hi = m + (int64_t)gamma_get(&r);
			int64_t lo = m - (int64_t)gamma_get(&r);

			u = gamma_get(&r);
			d = get_ulps(&r);
			if (rb != NULL) {
				struct agg *a = &rb->b[slot];

				/* Only the divisions the reader needs. */
				a->last = (cols & ROLLUP_COL_LAST)
				              ? dec_value(m, e, 0)
				              : NAN;
				a->max = (cols & ROLLUP_COL_MAX)
				             ? dec_value(hi, e, 0)
				             : NAN;
				a->min = (cols & ROLLUP_COL_MIN)
				             ? dec_value(lo, e, 0)
				             : NAN;
				a->sum =
				    (cols & ROLLUP_COL_SUM)
				        ? dec_value(sum_guess(count, lo, hi) +
				                        unzigzag(u),
				              e, d)
				        : NAN;
			}
			if (rm != NULL)
				rm[slot].last = dec_value(m, e, 0);
			if (!rate)
				continue;
			if (bitr_get(&r, 1) == 0) {
				/* As the previous one, first the minimum. */
				if (rm != NULL) {
					rm[slot].first_t = lt - (int64_t)span;
					rm[slot].first = dec_value(lo, e, 0);
				}
				if (span > off)
					goto corrupt;
				continue;
			}
			span += (uint64_t)unzigzag(gamma_get(&r));
			if (span > off)
				goto corrupt;
			u = gamma_get(&r);          /* first over min */
			d = (int64_t)gamma_get(&r); /* drops */
			if (rm != NULL) {
				rm[slot].first_t = lt - (int64_t)span;
				rm[slot].first =
				    dec_value(lo + (int64_t)u, e, 0);
				rm[slot].nresets = (uint32_t)d;
			}
			if (d >= (int64_t)count)
				goto corrupt;
			if (d > 0) {
				int64_t rs = d * hi - unzigzag(gamma_get(&r));
				int64_t dr = get_ulps(&r);

				if (rm != NULL)
					rm[slot].resets = dec_value(rs, e, dr);
			}
		}
	}
	if (r.err)
		goto corrupt;
	if (buf != small)
		free(buf);
	/* The minute in progress. */
	slot = (unsigned)((ha->cur_start - start) / STORE_MINUTE_MS);
	if (ha->cur_start < start || slot >= nslots)
		return -1;
	if (rb != NULL) {
		rb->present[slot] = 1;
		rb->b[slot].count = ha->cur_count;
		rb->b[slot].sum = ha->cur_sum;
		rb->b[slot].min = ha->cur_min;
		rb->b[slot].max = ha->cur_max;
		rb->b[slot].last = last_v;
		rb->b[slot].last_t = last_t;
	}
	if (rm != NULL) {
		rm[slot].count = ha->cur_count;
		rm[slot].first_t = ha->cur_start + ha->cur_first_off;
		rm[slot].first = ha->cur_first;
		rm[slot].last_t = last_t;
		rm[slot].last = last_v;
		rm[slot].nresets = ha->cur_nresets;
		rm[slot].resets = ha->cur_resets;
	}
	return 0;
corrupt:
	if (buf != small)
		free(buf);
	return -1;
}

int
headagg_block(const struct headagg *ha, int64_t last_t, double last_v,
    struct rollup_block *rb, unsigned cols)
{
	if (ha->cur_start < 0)
		return 0;
	return headagg_decode(ha, last_t, last_v, rb, cols, 0, NULL);
}

int
headagg_rate(const struct headagg *ha, int64_t start, int64_t last_t,
    double last_v, struct rate_minute *rm)
{
	unsigned i;

	if (ha->cur_start < 0 || ha->rate_off)
		return 0;
	for (i = 0; i < 60; i++)
		rm[i].count = 0;
	return headagg_decode(ha, last_t, last_v, NULL, 0, start, rm) == 0 ? 1
	                                                                   : -1;
}

size_t
headagg_memory(const struct headagg *ha)
{
	return sizeof *ha + ha->w.cap;
}
