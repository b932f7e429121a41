/* Per-minute aggregates of an open chunk (see store/headagg.h). */
#include "config.h"

#include <string.h>

#include "store/coder.h"
#include "store/headagg.h"
#include "store/store-int.h"

/* Mantissas this small keep count * (min + max) in range. */
#define HA_M_SMALL (INT64_C(1) << 40)
#define HA_E_RAW   15 /* escape exponent: the minute's doubles follow */

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

static void
headagg_reset(struct headagg *ha)
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

/* Mantissas of the finished minute a at exponent e; 0 if they do not
 * fit. */
static int
fit_all(const struct agg *a, unsigned e, int64_t ms[4], int64_t *d)
{
	int64_t dd;

	if (!fit(a->last, e, 0, &ms[0], &dd))
		return 0;
	if (a->count == 1)
		return 1;
	return fit(a->min, e, 0, &ms[1], &dd) &&
	       fit(a->max, e, 0, &ms[2], &dd) && fit(a->sum, e, 1, &ms[3], d) &&
	       ms[1] <= ms[0] && ms[0] <= ms[2];
}

static int64_t
sum_guess(uint64_t count, int64_t min, int64_t max)
{
	return floor_div((int64_t)count * (min + max), 2);
}

/* Append the minute in progress, whose last point is (last_t, last_v). */
static void
headagg_finish(struct headagg *ha, int64_t last_t, double last_v)
{
	struct bitw *w = &ha->w;
	struct agg a;
	int64_t ms[4], d = 0, start = ha->cur_start;
	unsigned slot, off, e;

	a.count = ha->cur_count;
	a.sum = ha->cur_sum;
	a.min = ha->cur_min;
	a.max = ha->cur_max;
	a.last = last_v;
	slot = (unsigned)((start - window_of(start)) / STORE_MINUTE_MS);
	off = (unsigned)(last_t - start);
	gamma_put(w, slot - (unsigned)(ha->prev_slot + 1));
	gamma_put(w, zigzag((int64_t)a.count - ha->prev_count));
	gamma_put(w, zigzag((int64_t)off - ha->prev_off));
	ha->prev_slot = (int8_t)slot;
	ha->prev_count = (uint16_t)a.count;
	ha->prev_off = (uint16_t)off;
	ha->nmin++;
	if (fit_all(&a, ha->e, ms, &d))
		bitw_put(w, 0, 1);
	else {
		for (e = ha->e + 1; e < HA_E_RAW; e++) {
			if (fit_all(&a, e, ms, &d))
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
			return;
		}
		ha->e = (uint8_t)e;
	}
	gamma_put(w, zigzag(ms[0] - ha->prev_m));
	ha->prev_m = ms[0];
	if (a.count == 1)
		return;
	gamma_put(w, (uint64_t)(ms[2] - ms[0]));
	gamma_put(w, (uint64_t)(ms[0] - ms[1]));
	gamma_put(w, zigzag(ms[3] - sum_guess(a.count, ms[1], ms[2])));
	put_ulps(w, d);
}

void
headagg_add(struct headagg *ha, uint32_t n, int64_t last_t, double last_v,
    int64_t t, double v)
{
	int64_t m = t - t % STORE_MINUTE_MS;
	struct agg a;

	if (n == 0)
		headagg_reset(ha);
	else if (m != ha->cur_start)
		headagg_finish(ha, last_t, last_v);
	else {
		/* The rules of agg_point(), on the fields kept. */
		a.count = ha->cur_count;
		a.sum = ha->cur_sum;
		a.min = ha->cur_min;
		a.max = ha->cur_max;
		agg_point(&a, t, v);
		ha->cur_count = (uint32_t)a.count;
		ha->cur_sum = a.sum;
		ha->cur_min = a.min;
		ha->cur_max = a.max;
		return;
	}
	ha->cur_start = m;
	ha->cur_count = 1;
	ha->cur_sum = ha->cur_min = ha->cur_max = v;
}

void
headagg_build(struct headagg *ha, const int64_t *t, const double *v, size_t n)
{
	size_t i;

	headagg_reset(ha);
	for (i = 0; i < n; i++)
		headagg_add(ha, (uint32_t)i, i > 0 ? t[i - 1] : 0,
		    i > 0 ? v[i - 1] : 0, t[i], v[i]);
}

int
headagg_block(const struct headagg *ha, int64_t last_t, double last_v,
    struct rollup_block *rb, unsigned cols)
{
	struct bitr r;
	int64_t prev_m = 0, m, d;
	uint64_t count = 0, off = 0, u;
	unsigned i, slot = 0, e = 0;
	int first = 1;
	uint8_t *buf = NULL, small[512];
	uint32_t len = bitw_bytes(&ha->w);

	if (ha->cur_start < 0)
		return 0;
	/* The stream's pending bits must be readable: copy it out. */
	if (len <= sizeof small)
		buf = small;
	else
		buf = xmalloc(len);
	bitw_copy(&ha->w, buf);
	bitr_init(&r, buf, len);
	for (i = 0; i < ha->nmin; i++) {
		struct agg *a;

		slot = (first ? 0 : slot + 1) + (unsigned)gamma_get(&r);
		first = 0;
		count += (uint64_t)unzigzag(gamma_get(&r));
		off += (uint64_t)unzigzag(gamma_get(&r));
		if (r.err || slot >= rb->nslots || count == 0 ||
		    count > 65535 || off >= STORE_MINUTE_MS)
			goto corrupt;
		a = &rb->b[slot];
		rb->present[slot] = 1;
		a->count = count;
		a->last_t =
		    rb->start + (int64_t)slot * STORE_MINUTE_MS + (int64_t)off;
		if (bitr_get(&r, 1)) {
			unsigned ne = (unsigned)bitr_get(&r, 4);

			prev_m = 0;
			if (ne != HA_E_RAW)
				e = ne;
			else {
				a->last = bitsd(bitr_get(&r, 64));
				if (count > 1) {
					a->min = bitsd(bitr_get(&r, 64));
					a->max = bitsd(bitr_get(&r, 64));
					a->sum = bitsd(bitr_get(&r, 64));
				} else
					a->min = a->max = a->sum = a->last;
				continue;
			}
		}
		m = prev_m + unzigzag(gamma_get(&r));
		prev_m = m;
		if (count == 1) {
			a->min = a->max = a->sum = a->last = dec_value(m, e, 0);
			continue;
		}
		{
			int64_t hi = m + (int64_t)gamma_get(&r);
			int64_t lo = m - (int64_t)gamma_get(&r);

			u = gamma_get(&r);
			d = get_ulps(&r);
			/* Only the divisions the reader needs. */
			a->last =
			    (cols & ROLLUP_COL_LAST) ? dec_value(m, e, 0) : NAN;
			a->max =
			    (cols & ROLLUP_COL_MAX) ? dec_value(hi, e, 0) : NAN;
			a->min =
			    (cols & ROLLUP_COL_MIN) ? dec_value(lo, e, 0) : NAN;
			a->sum = (cols & ROLLUP_COL_SUM)
			             ? dec_value(sum_guess(count, lo, hi) +
			                             unzigzag(u),
			                   e, d)
			             : NAN;
		}
	}
	if (r.err)
		goto corrupt;
	if (buf != small)
		free(buf);
	/* The minute in progress. */
	slot = (unsigned)((ha->cur_start - rb->start) / STORE_MINUTE_MS);
	if (ha->cur_start < rb->start || slot >= rb->nslots)
		return -1;
	rb->present[slot] = 1;
	rb->b[slot].count = ha->cur_count;
	rb->b[slot].sum = ha->cur_sum;
	rb->b[slot].min = ha->cur_min;
	rb->b[slot].max = ha->cur_max;
	rb->b[slot].last = last_v;
	rb->b[slot].last_t = last_t;
	return 0;
corrupt:
	if (buf != small)
		free(buf);
	return -1;
}

size_t
headagg_memory(const struct headagg *ha)
{
	return sizeof *ha + ha->w.cap;
}
