/* Rollup blocks: bucket aggregation, compression, hour-tier merging. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "store/chunk.h"
#include "store/coder.h"
#include "store/rollup-int.h"
#include "store/rollup.h"
#include "store/store-int.h"

void
rollup_block_init(
    struct rollup_block *rb, int64_t start, int64_t res, unsigned nslots)
{
	rb->start = start;
	rb->res = res;
	rb->nslots = nslots;
	rb->rate = 1;
	memset(rb->present, 0, sizeof rb->present);
}

void
rollup_block_fill(
    struct rollup_block *rb, const int64_t *t, const double *v, size_t n)
{
	size_t i;
	unsigned slot;

	for (i = 0; i < n; i++) {
		int64_t off = t[i] - rb->start;

		if (off < 0 || off >= rb->res * (int64_t)rb->nslots)
			continue;
		slot = (unsigned)(off / rb->res);
		if (!rb->present[slot]) {
			rb->present[slot] = 1;
			memset(&rb->b[slot], 0, sizeof rb->b[slot]);
			memset(&rb->rm[slot], 0, sizeof rb->rm[slot]);
		}
		agg_point(&rb->b[slot], t[i], v[i]);
		rate_minute_point(&rb->rm[slot], t[i], v[i]);
	}
}

/*
 * Two codecs.  DEC, for blocks whose values are all short decimals at one
 * exponent e (sums within a few ulps): per present slot the count and the
 * last point's offset (deltas from the previous slot's), the last value
 * as a delta, and for slots of more than one point max - last, last - min
 * and the sum's difference from count * (min + max) / 2, all as integers
 * at e, Rice-coded with one parameter per column chosen for the block.  GENERIC
 * otherwise: each column with its own value coder.  COL (store/rollup-col.c)
 * stores DEC's columns one after the other, so that a query reads only
 * those its aggregation needs.
 */

static inline int
dec_fit_e(double v, unsigned e, int ulp, int64_t *m, int64_t *d)
{
	return e < E_MAX && dec_fit(v, e, ulp, m, d);
}

static int64_t sum_guess(uint64_t count, int64_t min, int64_t max);

/* Scale every present slot to exponent e; 0 if all fit, and fit exactly
 * as the decoders check them (min <= last <= max, each distance and the
 * sum's distance from its guess in range): a block read from damaged data
 * may break those, and is then written GENERIC, never unreadable. */
static int
dec_scale(const struct rollup_block *rb, unsigned e, struct dslot *ds)
{
	unsigned i;
	int64_t d;

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
		if (ds[i].min > ds[i].last || ds[i].last > ds[i].max ||
		    ds[i].max - ds[i].last >= M_SMALL ||
		    ds[i].last - ds[i].min >= M_SMALL ||
		    zigzag(ds[i].sum -
		           sum_guess(a->count, ds[i].min, ds[i].max)) >=
		        (uint64_t)M_SMALL * 2048)
			return 0;
	}
	return 1;
}

static int64_t
sum_guess(uint64_t count, int64_t min, int64_t max)
{
	return floor_div((int64_t)count * (min + max), 2);
}

/* The DEC columns, in stream order; each gets its own Rice parameter. */
enum { COL_COUNT, COL_OFF, COL_LAST, COL_HI, COL_LO, COL_SUM, NCOLS };

/* The column symbols of slot i (after the first present slot). */
static void
dec_symbols(const struct rollup_block *rb, const struct dslot *ds, unsigned i,
    unsigned prev, uint64_t *sym)
{
	const struct agg *a = &rb->b[i], *pa = &rb->b[prev];
	int64_t off = a->last_t - (rb->start + (int64_t)i * rb->res);
	int64_t poff = pa->last_t - (rb->start + (int64_t)prev * rb->res);

	sym[COL_COUNT] = zigzag((int64_t)(a->count - pa->count));
	sym[COL_OFF] = zigzag(off - poff);
	sym[COL_LAST] = zigzag(ds[i].last - ds[prev].last);
	if (a->count > 1) {
		sym[COL_HI] = (uint64_t)(ds[i].max - ds[i].last);
		sym[COL_LO] = (uint64_t)(ds[i].last - ds[i].min);
		sym[COL_SUM] = zigzag(
		    ds[i].sum - sum_guess(a->count, ds[i].min, ds[i].max));
	}
}

/*
 * Encode with one static Rice parameter per column, the best for this
 * block (chosen by trying them all), so that decoding needs no
 * adaptation.  Header: e, then the six parameters in three bytes.
 */
static void
encode_dec(const struct rollup_block *rb, unsigned e, const struct dslot *ds,
    struct bitw *w, uint8_t *kbytes)
{
	uint64_t cost[NCOLS][16], sym[NCOLS];
	unsigned i, c, k, prev = 0, kc[NCOLS];
	int first = 1;

	memset(cost, 0, sizeof cost);
	for (i = 0; i < rb->nslots; i++) {
		if (!rb->present[i])
			continue;
		if (first) {
			first = 0;
			prev = i;
			continue;
		}
		dec_symbols(rb, ds, i, prev, sym);
		for (c = 0; c < NCOLS; c++) {
			if (c >= COL_HI && rb->b[i].count == 1)
				break;
			for (k = 0; k < 16; k++)
				cost[c][k] += rice_cost(sym[c], k);
		}
		prev = i;
	}
	for (c = 0; c < NCOLS; c++) {
		kc[c] = 0;
		for (k = 1; k < 16; k++) {
			if (cost[c][k] < cost[c][kc[c]])
				kc[c] = k;
		}
	}
	kbytes[0] = (uint8_t)(kc[0] << 4 | kc[1]);
	kbytes[1] = (uint8_t)(kc[2] << 4 | kc[3]);
	kbytes[2] = (uint8_t)(kc[4] << 4 | kc[5]);
	(void)e;

	for (i = 0; i < rb->nslots; i++)
		bitw_put(w, rb->present[i] ? 1 : 0, 1);
	first = 1;
	for (i = 0; i < rb->nslots; i++) {
		const struct agg *a = &rb->b[i];

		if (!rb->present[i])
			continue;
		if (first) {
			/* No context yet: plain values. */
			put_lenval(w, a->count);
			put_lenval(w, (uint64_t)(a->last_t - rb->start -
			                         (int64_t)i * rb->res));
			put_lenval(w, zigzag(ds[i].last));
			first = 0;
		} else {
			dec_symbols(rb, ds, i, prev, sym);
			rice_put_static(w, kc[COL_COUNT], sym[COL_COUNT]);
			rice_put_static(w, kc[COL_OFF], sym[COL_OFF]);
			rice_put_static(w, kc[COL_LAST], sym[COL_LAST]);
		}
		prev = i;
		if (a->count == 1)
			continue;
		/* The first slot's too. */
		sym[COL_HI] = (uint64_t)(ds[i].max - ds[i].last);
		sym[COL_LO] = (uint64_t)(ds[i].last - ds[i].min);
		sym[COL_SUM] = zigzag(
		    ds[i].sum - sum_guess(a->count, ds[i].min, ds[i].max));
		rice_put_static(w, kc[COL_HI], sym[COL_HI]);
		rice_put_static(w, kc[COL_LO], sym[COL_LO]);
		rice_put_static(w, kc[COL_SUM], sym[COL_SUM]);
		put_ulps(w, ds[i].d);
	}
}

static void
encode_generic(const struct rollup_block *rb, struct bitw *w)
{
	struct ucoder cc, oc;
	struct vcoder lastc, minc, maxc, sumc;
	uint64_t prev_count = 0;
	int64_t prev_off = 0;
	unsigned i;
	int first = 1;

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
		int64_t off;

		if (!rb->present[i])
			continue;
		off = a->last_t - (rb->start + (int64_t)i * rb->res);
		if (first) {
			ucoder_put_first(w, a->count);
			ucoder_put_first(w, (uint64_t)off);
			first = 0;
		} else {
			ucoder_put(
			    &cc, w, zigzag((int64_t)(a->count - prev_count)));
			ucoder_put(&oc, w, zigzag(off - prev_off));
		}
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

/* Wrap the block encoded at out[o..] as CODEC_RATE with its rate columns
 * after it, when they fit: the codec byte, the inner block's length (two
 * bytes, little-endian, blocks are much smaller), the block, the
 * columns. */
static void
block_add_rate(const struct rollup_block *rb, size_t o, struct buf *out)
{
	size_t inner = out->len - o;

	if (inner > 0xffff || !rb->rate || rb->res != STORE_MINUTE_MS)
		return;
	if (rollup_rate_encode(rb, out) != 0)
		return;
	buf_reserve(out, 3);
	memmove(out->data + o + 3, out->data + o, out->len - o);
	out->data[o] = CODEC_RATE;
	out->data[o + 1] = (char)(inner & 0xff);
	out->data[o + 2] = (char)(inner >> 8);
	out->len += 3;
	out->data[out->len] = '\0';
}

/* Encode in the layout of store format version fmt: DEC (1), COL (2) or
 * COL2 (3); GENERIC in any when the values are no short decimals. */
static void
block_encode(const struct rollup_block *rb, int fmt, struct bitw *wscratch,
    struct buf *out)
{
	struct dslot ds[ROLLUP_SLOTS_MAX];
	struct bitw local = {0}, *w = wscratch != NULL ? wscratch : &local;
	uint8_t hdr[6] = {CODEC_GENERIC, (uint8_t)rb->nslots, 0};
	unsigned e;
	size_t o;

	o = out->len;
	bitw_reset(w);
	for (e = 0; e < 15; e++) {
		if (dec_scale(rb, e, ds))
			break;
	}
	if (e < 15 && fmt >= 3) {
		hdr[0] = CODEC_COL2;
		rollup_col_encode(rb, ds, e, 1, w, hdr + 1);
		buf_append(out, hdr, 5);
	} else if (e < 15) {
		hdr[0] = fmt == 1 ? CODEC_DEC : CODEC_COL;
		hdr[2] = (uint8_t)e;
		if (fmt == 1)
			encode_dec(rb, e, ds, w, hdr + 3);
		else
			rollup_col_encode(rb, ds, e, 0, w, hdr + 3);
		buf_append(out, hdr, 6);
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
	if (fmt >= 5)
		block_add_rate(rb, o, out);
}

void
rollup_block_encode(
    const struct rollup_block *rb, struct bitw *wscratch, struct buf *out)
{
	block_encode(rb, STORE_FORMAT_VERSION, wscratch, out);
}

void
rollup_block_encode_format(
    const struct rollup_block *rb, int fmt, struct buf *out)
{
	block_encode(rb, fmt, NULL, out);
}

static int
decode_dec(const struct rollup_block *rb, unsigned e, const uint8_t *kbytes,
    struct bitr *r, const uint8_t *present, struct agg *b)
{
	unsigned kc[NCOLS], i;
	uint64_t count = 0, u;
	int64_t off = 0, last = 0, hi, lo, sum, d, prev_last = 0;
	double cur_last = 0;
	int first = 1;

	kc[0] = kbytes[0] >> 4;
	kc[1] = kbytes[0] & 15;
	kc[2] = kbytes[1] >> 4;
	kc[3] = kbytes[1] & 15;
	kc[4] = kbytes[2] >> 4;
	kc[5] = kbytes[2] & 15;
	for (i = 0; i < rb->nslots; i++) {
		struct agg *a = &b[i];

		if (!present[i])
			continue;
		if (first) {
			count = get_lenval(r);
			off = (int64_t)get_lenval(r);
			last = unzigzag(get_lenval(r));
			first = 0;
			cur_last = dec_value(last, e, 0);
		} else {
			if (rice_get_static(r, kc[COL_COUNT], &u) != 0)
				return -1;
			count += (uint64_t)unzigzag(u);
			if (rice_get_static(r, kc[COL_OFF], &u) != 0)
				return -1;
			off = (int64_t)((uint64_t)off + (uint64_t)unzigzag(u));
			if (rice_get_static(r, kc[COL_LAST], &u) != 0)
				return -1;
			last =
			    (int64_t)((uint64_t)last + (uint64_t)unzigzag(u));
			/* Repeated values are common: skip the division. */
			if (last != prev_last)
				cur_last = dec_value(last, e, 0);
		}
		prev_last = last;
		if (r->err || count == 0 || count >= (1u << 20) || off < 0 ||
		    off >= rb->res || last <= -M_SMALL || last >= M_SMALL)
			return -1;
		a->count = count;
		a->last_t = rb->start + (int64_t)i * rb->res + off;
		a->last = cur_last;
		if (count == 1) {
			a->min = a->max = a->sum = a->last;
			continue;
		}
		if (rice_get_static(r, kc[COL_HI], &u) != 0 ||
		    u >= (uint64_t)M_SMALL)
			return -1;
		hi = last + (int64_t)u;
		if (rice_get_static(r, kc[COL_LO], &u) != 0 ||
		    u >= (uint64_t)M_SMALL)
			return -1;
		lo = last - (int64_t)u;
		if (hi >= M_SMALL || lo <= -M_SMALL ||
		    rice_get_static(r, kc[COL_SUM], &u) != 0 ||
		    u >= (uint64_t)M_SMALL * 2048)
			return -1;
		sum = sum_guess(count, lo, hi) + unzigzag(u);
		d = get_ulps(r);
		a->min = lo == last ? a->last : dec_value(lo, e, 0);
		a->max = hi == last ? a->last : dec_value(hi, e, 0);
		a->sum = dec_value(sum, e, d);
	}
	return r->err ? -1 : 0;
}

static int
decode_generic(const struct rollup_block *rb, struct bitr *r,
    const uint8_t *present, struct agg *b)
{
	struct ucoder cc, oc;
	struct vcoder lastc, minc, maxc, sumc;
	uint64_t count = 0, u;
	int64_t off = 0;
	unsigned i;
	int first = 1;

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
		if (first) {
			if (ucoder_get_first(r, &count) != 0 ||
			    ucoder_get_first(r, &u) != 0)
				return -1;
			off = (int64_t)u;
			first = 0;
		} else {
			if (ucoder_get(&cc, r, &u) != 0)
				return -1;
			count += (uint64_t)unzigzag(u);
			if (ucoder_get(&oc, r, &u) != 0)
				return -1;
			off = (int64_t)((uint64_t)off + (uint64_t)unzigzag(u));
		}
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

/* Decode a block of any codec but CODEC_RATE into present and b. */
static int
block_decode(const struct rollup_block *rb, const void *data, size_t len,
    unsigned cols, uint8_t *present, struct agg *b)
{
	const uint8_t *p = data;
	struct bitr r;
	unsigned i, e;
	int rc;

	if (len >= 5 && p[0] == CODEC_COL2) {
		bitr_init(&r, p + 5, len - 5);
		e = p[4] & 15;
		if (e >= 15 || rollup_col2_get_present(
		                   &r, p[4] >> 4 & 3, rb->nslots, present) != 0)
			return -1;
		rc = rollup_col_decode(rb, e, p + 1,
		    (p[4] & 0x40 ? 0 : COLF_ULPS) |
		        (p[4] & 0x80 ? COLF_LASTPRED : 0),
		    &r, present, b, cols);
		/* Whatever was left unread cannot be checked. */
		if ((cols & ROLLUP_COL_ALL) != ROLLUP_COL_ALL && rc == 0 &&
		    !r.err)
			goto ok;
		goto check;
	}
	if (len < 2 || p[1] != rb->nslots)
		return -1;
	if (p[0] == CODEC_DEC || p[0] == CODEC_COL) {
		if (len < 6 || p[2] >= 15)
			return -1;
		bitr_init(&r, p + 6, len - 6);
	} else if (p[0] == CODEC_GENERIC)
		bitr_init(&r, p + 2, len - 2);
	else
		return -1;
	for (i = 0; i < rb->nslots; i++)
		present[i] = (uint8_t)bitr_get(&r, 1);
	if (p[0] == CODEC_COL) {
		rc = rollup_col_decode(
		    rb, p[2], p + 3, COLF_ULPS, &r, present, b, cols);
		/* Whatever was left unread cannot be checked. */
		if ((cols & ROLLUP_COL_ALL) != ROLLUP_COL_ALL && rc == 0 &&
		    !r.err)
			goto ok;
	} else if (p[0] == CODEC_DEC)
		rc = decode_dec(rb, p[2], p + 3, &r, present, b);
	else
		rc = decode_generic(rb, &r, present, b);
check:
	if (rc != 0 || r.err || bitr_left(&r) >= 8)
		return -1;
ok:
	return 0;
}

int
rollup_block_decode_cols(
    struct rollup_block *rb, const void *data, size_t len, unsigned cols)
{
	const uint8_t *p = data;
	uint8_t present[ROLLUP_SLOTS_MAX];
	struct agg b[ROLLUP_SLOTS_MAX];
	struct rate_minute rm[ROLLUP_SLOTS_MAX];
	uint8_t rpresent[ROLLUP_SLOTS_MAX];
	size_t inner = len;
	unsigned i;
	int rate = 0;

	if (len >= 3 && p[0] == CODEC_RATE) {
		inner = (size_t)p[1] | (size_t)p[2] << 8;
		if (inner > len - 3)
			return -1;
		p += 3;
		len -= 3;
		rate = (cols & ROLLUP_COL_FIRST) != 0;
	}
	if (block_decode(rb, p, inner, cols, present, b) != 0)
		return -1;
	if (rate &&
	    rollup_rate_decode(rb, p + inner, len - inner, rpresent, rm) != 0)
		return -1;
	/* The rate columns must describe the block's own slots. */
	for (i = 0; rate && i < rb->nslots; i++)
		if (rpresent[i] != present[i] ||
		    (present[i] && (rm[i].count != b[i].count ||
		                       rm[i].last_t != b[i].last_t)))
			return -1;
	for (i = 0; i < rb->nslots; i++) {
		if (present[i]) {
			rb->present[i] = 1;
			rb->b[i] = b[i];
			if (rate)
				rb->rm[i] = rm[i];
			else
				rb->rate = 0;
		}
	}
	return 0;
}

int
rollup_block_has_rate(const void *data, size_t len)
{
	return len >= 3 && *(const uint8_t *)data == CODEC_RATE;
}

int
rollup_block_decode_rate(const struct rollup_block *rb, const void *data,
    size_t len, struct rate_minute *rm)
{
	const uint8_t *p = data;
	uint8_t present[ROLLUP_SLOTS_MAX];
	size_t inner;
	unsigned i;

	if (len < 3 || p[0] != CODEC_RATE)
		return 0;
	/* The rate columns alone: the block before them is not read. */
	inner = (size_t)p[1] | (size_t)p[2] << 8;
	if (inner > len - 3 || rollup_rate_decode(rb, p + 3 + inner,
	                           len - 3 - inner, present, rm) != 0)
		return -1;
	for (i = 0; i < rb->nslots; i++)
		if (!present[i])
			rm[i].count = 0;
	return 1;
}

int
rollup_block_decode(struct rollup_block *rb, const void *data, size_t len)
{
	return rollup_block_decode_cols(
	    rb, data, len, ROLLUP_COL_ALL | ROLLUP_COL_FIRST);
}
