/* Rollup blocks: bucket aggregation, compression, hour-tier merging. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "store/chunk.h"
#include "store/coder.h"
#include "store/rollup.h"
#include "store/store-int.h"


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
 * Two codecs.  DEC, for blocks whose values are all short decimals at one
 * exponent e (sums within a few ulps): per present slot the count and the
 * last point's offset (deltas from the previous slot's), the last value
 * as a delta, and for slots of more than one point max - last, last - min
 * and the sum's difference from count * (min + max) / 2, all as integers
 * at e, Rice-coded.  GENERIC otherwise: each column with its own value
 * coder.
 */
#define CODEC_GENERIC 1
#define CODEC_DEC     2
#define M_SMALL       (INT64_C(1) << 40) /* keeps count * m in range */

struct dslot {
	int64_t last, min, max, sum, d; /* mantissas at e; d: ulps of sum */
};

static inline int
dec_fit_e(double v, unsigned e, int ulp, int64_t *m, int64_t *d)
{
	return e < E_MAX && dec_fit(v, e, ulp, m, d);
}

/* Scale every present slot to exponent e; 0 if all fit. */
static int
dec_scale(const struct rollup_block *rb, unsigned e, struct dslot *ds)
{
	unsigned i;
	int64_t  d;

	for (i = 0; i < rb->nslots; i++) {
		const struct agg *a = &rb->b[i];

		if (!rb->present[i])
			continue;
		if (a->count >= (1u << 20) ||
		    !dec_fit_e(a->last, e, 0, &ds[i].last, &d) ||
		    ds[i].last <= -M_SMALL || ds[i].last >= M_SMALL)
			return 0;
		if (a->count == 1)
			continue;
		if (!dec_fit_e(a->min, e, 0, &ds[i].min, &d) ||
		    !dec_fit_e(a->max, e, 0, &ds[i].max, &d) ||
		    !dec_fit_e(a->sum, e, 1, &ds[i].sum, &ds[i].d) ||
		    ds[i].min <= -M_SMALL || ds[i].max >= M_SMALL ||
		    ds[i].sum <= -M_SMALL * 1024 || ds[i].sum >= M_SMALL * 1024)
			return 0;
	}
	return 1;
}

static int64_t
sum_guess(uint64_t count, int64_t min, int64_t max)
{
	return floor_div((int64_t)count * (min + max), 2);
}

static void
encode_dec(const struct rollup_block *rb, unsigned e, const struct dslot *ds,
    struct bitw *w)
{
	struct ucoder cc, oc, lc, hc, loc, sc;
	uint64_t      prev_count = 0;
	int64_t       prev_off = 0, prev_last = 0;
	unsigned      i;

	ucoder_init(&cc);
	ucoder_init(&oc);
	ucoder_init(&lc);
	ucoder_init(&hc);
	ucoder_init(&loc);
	ucoder_init(&sc);
	for (i = 0; i < rb->nslots; i++)
		bitw_put(w, rb->present[i] ? 1 : 0, 1);
	for (i = 0; i < rb->nslots; i++) {
		const struct agg *a = &rb->b[i];
		int64_t           off;

		if (!rb->present[i])
			continue;
		off = a->last_t - (rb->start + (int64_t)i * rb->res);
		ucoder_put(&cc, w, zigzag((int64_t)(a->count - prev_count)));
		ucoder_put(&oc, w, zigzag(off - prev_off));
		ucoder_put(&lc, w, zigzag(ds[i].last - prev_last));
		prev_count = a->count;
		prev_off = off;
		prev_last = ds[i].last;
		if (a->count == 1)
			continue;
		ucoder_put(&hc, w, (uint64_t)(ds[i].max - ds[i].last));
		ucoder_put(&loc, w, (uint64_t)(ds[i].last - ds[i].min));
		ucoder_put(&sc, w, zigzag(ds[i].sum -
		    sum_guess(a->count, ds[i].min, ds[i].max)));
		put_ulps(w, ds[i].d);
	}
	(void)e;
}

static void
encode_generic(const struct rollup_block *rb, struct bitw *w)
{
	struct ucoder cc, oc;
	struct vcoder lastc, minc, maxc, sumc;
	uint64_t      prev_count = 0;
	int64_t       prev_off = 0;
	unsigned      i;

	ucoder_init(&cc);
	ucoder_init(&oc);
	vcoder_init(&lastc, 0);
	vcoder_init(&minc, 0);
	vcoder_init(&maxc, 0);
	vcoder_init(&sumc, 1);
	for (i = 0; i < rb->nslots; i++)
		bitw_put(w, rb->present[i] ? 1 : 0, 1);
	for (i = 0; i < rb->nslots; i++) {
		const struct agg *a = &rb->b[i];
		int64_t           off;

		if (!rb->present[i])
			continue;
		off = a->last_t - (rb->start + (int64_t)i * rb->res);
		ucoder_put(&cc, w, zigzag((int64_t)(a->count - prev_count)));
		ucoder_put(&oc, w, zigzag(off - prev_off));
		prev_count = a->count;
		prev_off = off;
		vcoder_put(&lastc, w, a->last);
		if (a->count > 1) {
			vcoder_put(&minc, w, a->min);
			vcoder_put(&maxc, w, a->max);
			vcoder_put(&sumc, w, a->sum);
		}
	}
}

void
rollup_block_encode(const struct rollup_block *rb, struct bitw *wscratch,
    struct buf *out)
{
	struct dslot ds[ROLLUP_SLOTS_MAX];
	struct bitw  local = {0}, *w = wscratch != NULL ? wscratch : &local;
	uint8_t      hdr[3] = {CODEC_GENERIC, (uint8_t)rb->nslots, 0};
	unsigned     e;

	bitw_reset(w);
	for (e = 0; e < 15; e++) {
		if (dec_scale(rb, e, ds))
			break;
	}
	if (e < 15) {
		hdr[0] = CODEC_DEC;
		hdr[2] = (uint8_t)e;
		encode_dec(rb, e, ds, w);
		buf_append(out, hdr, 3);
	} else {
		encode_generic(rb, w);
		buf_append(out, hdr, 2);
	}
	buf_reserve(out, bitw_bytes(w));
	bitw_copy(w, (uint8_t *)out->data + out->len);
	out->len += bitw_bytes(w);
	out->data[out->len] = '\0';
	if (w == &local)
		bitw_free(&local);
}

static int
decode_dec(struct rollup_block *rb, unsigned e, struct bitr *r,
    const uint8_t *present, struct agg *b)
{
	struct ucoder cc, oc, lc, hc, loc, sc;
	uint64_t      count = 0, u;
	int64_t       off = 0, last = 0, hi, lo, sum, d, prev_last = 0;
	double        cur_last = 0;
	int           have_last = 0;
	unsigned      i;

	ucoder_init(&cc);
	ucoder_init(&oc);
	ucoder_init(&lc);
	ucoder_init(&hc);
	ucoder_init(&loc);
	ucoder_init(&sc);
	for (i = 0; i < rb->nslots; i++) {
		struct agg *a = &b[i];

		if (!present[i])
			continue;
		if (ucoder_get(&cc, r, &u) != 0)
			return -1;
		count += (uint64_t)unzigzag(u);
		if (ucoder_get(&oc, r, &u) != 0)
			return -1;
		off = (int64_t)((uint64_t)off + (uint64_t)unzigzag(u));
		if (ucoder_get(&lc, r, &u) != 0)
			return -1;
		last = (int64_t)((uint64_t)last + (uint64_t)unzigzag(u));
		if (count == 0 || count >= (1u << 20) || off < 0 ||
		    off >= rb->res || last <= -M_SMALL || last >= M_SMALL)
			return -1;
		a->count = count;
		a->last_t = rb->start + (int64_t)i * rb->res + off;
		if (last != prev_last || !have_last)
			cur_last = dec_value(last, e, 0);
		a->last = cur_last;
		prev_last = last;
		have_last = 1;
		if (count == 1) {
			a->min = a->max = a->sum = a->last;
			continue;
		}
		if (ucoder_get(&hc, r, &u) != 0 || u >= (uint64_t)M_SMALL)
			return -1;
		hi = last + (int64_t)u;
		if (ucoder_get(&loc, r, &u) != 0 || u >= (uint64_t)M_SMALL)
			return -1;
		lo = last - (int64_t)u;
		if (hi >= M_SMALL || lo <= -M_SMALL ||
		    ucoder_get(&sc, r, &u) != 0 || u >= (uint64_t)M_SMALL * 2048)
			return -1;
		sum = sum_guess(count, lo, hi) + unzigzag(u);
		d = get_ulps(r);
		/* Skip divisions where a value repeats. */
		a->min = lo == last ? a->last : dec_value(lo, e, 0);
		a->max = hi == last ? a->last : dec_value(hi, e, 0);
		a->sum = dec_value(sum, e, d);
	}
	return r->err ? -1 : 0;
}

static int
decode_generic(struct rollup_block *rb, struct bitr *r,
    const uint8_t *present, struct agg *b)
{
	struct ucoder cc, oc;
	struct vcoder lastc, minc, maxc, sumc;
	uint64_t      count = 0, u;
	int64_t       off = 0;
	unsigned      i;

	ucoder_init(&cc);
	ucoder_init(&oc);
	vcoder_init(&lastc, 0);
	vcoder_init(&minc, 0);
	vcoder_init(&maxc, 0);
	vcoder_init(&sumc, 1);
	for (i = 0; i < rb->nslots; i++) {
		struct agg *a = &b[i];

		if (!present[i])
			continue;
		if (ucoder_get(&cc, r, &u) != 0)
			return -1;
		count += (uint64_t)unzigzag(u);
		if (ucoder_get(&oc, r, &u) != 0)
			return -1;
		off = (int64_t)((uint64_t)off + (uint64_t)unzigzag(u));
		if (count == 0 || count > (uint64_t)1 << 40 || off < 0 ||
		    off >= rb->res)
			return -1;
		a->count = count;
		a->last_t = rb->start + (int64_t)i * rb->res + off;
		if (vcoder_get(&lastc, r, &a->last) != 0)
			return -1;
		if (count > 1) {
			if (vcoder_get(&minc, r, &a->min) != 0 ||
			    vcoder_get(&maxc, r, &a->max) != 0 ||
			    vcoder_get(&sumc, r, &a->sum) != 0)
				return -1;
		} else
			a->min = a->max = a->sum = a->last;
	}
	return r->err ? -1 : 0;
}

int
rollup_block_decode(struct rollup_block *rb, const void *data, size_t len)
{
	const uint8_t *p = data;
	struct bitr    r;
	uint8_t        present[ROLLUP_SLOTS_MAX];
	struct agg     b[ROLLUP_SLOTS_MAX];
	unsigned       i;
	int            rc;

	if (len < 2 || p[1] != rb->nslots)
		return -1;
	if (p[0] == CODEC_DEC) {
		if (len < 3 || p[2] >= 15)
			return -1;
		bitr_init(&r, p + 3, len - 3);
	} else if (p[0] == CODEC_GENERIC)
		bitr_init(&r, p + 2, len - 2);
	else
		return -1;
	for (i = 0; i < rb->nslots; i++)
		present[i] = (uint8_t)bitr_get(&r, 1);
	if (p[0] == CODEC_DEC)
		rc = decode_dec(rb, p[2], &r, present, b);
	else
		rc = decode_generic(rb, &r, present, b);
	if (rc != 0 || r.err || bitr_left(&r) >= 8)
		return -1;
	for (i = 0; i < rb->nslots; i++) {
		if (present[i]) {
			rb->present[i] = 1;
			rb->b[i] = b[i];
		}
	}
	return 0;
}
