/* Chunk compression: delta-of-delta times, decimal/Rice or XOR values. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/chunk.h"
#include "store/coder.h"
#include "store/store.h"

void
ptvec_reserve(struct ptvec *pv, size_t extra)
{
	size_t cap;

	if (pv->n + extra <= pv->cap)
		return;
	cap = pv->cap < 64 ? 64 : pv->cap * 2;
	while (cap < pv->n + extra)
		cap *= 2;
	pv->t = xreallocarray(pv->t, cap, sizeof *pv->t);
	pv->v = xreallocarray(pv->v, cap, sizeof *pv->v);
	pv->cap = cap;
}

void
ptvec_push(struct ptvec *pv, int64_t t, double v)
{
	if (pv->n == pv->cap)
		ptvec_reserve(pv, 1);
	pv->t[pv->n] = t;
	pv->v[pv->n] = v;
	pv->n++;
}

void
ptvec_free(struct ptvec *pv)
{
	free(pv->t);
	free(pv->v);
	memset(pv, 0, sizeof *pv);
}

size_t
varint_put(uint8_t *p, uint64_t x)
{
	size_t n = 0;

	while (x >= 0x80) {
		p[n++] = (uint8_t)(x | 0x80);
		x >>= 7;
	}
	p[n++] = (uint8_t)x;
	return n;
}

int
varint_get(const uint8_t **pp, const uint8_t *end, uint64_t *x)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	unsigned sh;

	for (sh = 0; sh < 64; sh += 7) {
		if (p == end)
			return -1;
		v |= (uint64_t)(*p & 0x7f) << sh;
		if ((*p++ & 0x80) == 0) {
			*x = v;
			*pp = p;
			return 0;
		}
	}
	return -1;
}

/* ---- decimal value coder ---- */

void
vcoder_init(struct vcoder *c, int ulp)
{
	memset(c, 0, sizeof *c);
	c->a = 2;
	c->n = 1;
	c->k = 1;
	c->first = 1;
	c->ulp = ulp != 0;
}

static inline __attribute__((always_inline)) int
vc_put(struct vcoder *c, struct bitw *w, double v)
{
	int64_t m, d;
	unsigned e;

	if (c->first) {
		c->first = 0;
		for (e = 0; e < E_MAX; e++) {
			if (dec_fit(v, e, c->ulp, &m, &d))
				break;
		}
		bitw_put(w, e, 4);
		if (e == E_MAX) {
			bitw_put64(w, dbits(v), 64);
			return 1;
		}
		put_lenval(w, zigzag(m));
		if (c->ulp)
			put_ulps(w, d);
		c->e = e;
		c->m_prev = m;
		return 0;
	}
	if (dec_fit(v, c->e, c->ulp, &m, &d)) {
		uint64_t u = zigzag(m - c->m_prev);

		if (rice_put(w, c->k, u)) {
			bitw_put(w, ESC_DELTA, 2);
			put_lenval(w, u);
		}
		rice_update(&c->a, &c->n, &c->k, u);
		if (c->ulp)
			put_ulps(w, d);
		c->m_prev = m;
		return 0;
	}
	bitw_put(w, (UINT64_C(1) << RICE_QMAX) - 1, RICE_QMAX);
	for (e = c->e + 1; e < E_MAX; e++) {
		if (dec_fit(v, e, c->ulp, &m, &d)) {
			bitw_put(w, ESC_RESCALE, 2);
			bitw_put(w, e, 4);
			put_lenval(w, zigzag(m));
			if (c->ulp)
				put_ulps(w, d);
			c->e = e;
			c->m_prev = m;
			return 0;
		}
	}
	bitw_put(w, ESC_RAW, 2);
	bitw_put64(w, dbits(v), 64);
	return 1;
}

/* The last decimal decoded, to reuse its double. */
struct vcache {
	int64_t m;
	double v;
	uint8_t e, ok;
};

static inline __attribute__((always_inline)) int
vc_get(struct vcoder *c, struct bitr *r, double *v, struct vcache *vc)
{
	uint64_t u;
	int64_t m, d = 0;
	unsigned e;

	if (c->first) {
		c->first = 0;
		e = (unsigned)bitr_get(r, 4);
		if (e == E_MAX) {
			*v = bitsd(bitr_get(r, 64));
			return r->err ? -1 : 0;
		}
		m = unzigzag(get_lenval(r));
		if (c->ulp)
			d = get_ulps(r);
		goto decimal;
	}
	if (rice_get(r, c->k, &u) == 0) {
		rice_update(&c->a, &c->n, &c->k, u);
		m = (int64_t)((uint64_t)c->m_prev + (uint64_t)unzigzag(u));
		e = c->e;
		if (c->ulp)
			d = get_ulps(r);
		goto decimal;
	}
	switch (bitr_get(r, 2)) {
	case ESC_DELTA:
		u = get_lenval(r);
		rice_update(&c->a, &c->n, &c->k, u);
		m = (int64_t)((uint64_t)c->m_prev + (uint64_t)unzigzag(u));
		e = c->e;
		if (c->ulp)
			d = get_ulps(r);
		goto decimal;
	case ESC_RESCALE:
		e = (unsigned)bitr_get(r, 4);
		if (e >= E_MAX)
			return -1;
		m = unzigzag(get_lenval(r));
		if (c->ulp)
			d = get_ulps(r);
		goto decimal;
	case ESC_RAW:
		*v = bitsd(bitr_get(r, 64));
		return r->err ? -1 : 0;
	default:
		return -1;
	}
decimal:
	if (r->err || m <= -M_LIMIT_I || m >= M_LIMIT_I)
		return -1;
	c->e = e;
	c->m_prev = m;
	/* Repeated values are common: skip the division. */
	if (vc != NULL) {
		if (d == 0 && vc->ok && vc->m == m && vc->e == e) {
			*v = vc->v;
			return 0;
		}
		*v = dec_value(m, e, d);
		vc->ok = d == 0;
		vc->m = m;
		vc->e = (uint8_t)e;
		vc->v = *v;
		return 0;
	}
	*v = dec_value(m, e, d);
	return 0;
}

int
vcoder_put(struct vcoder *c, struct bitw *w, double v)
{
	return vc_put(c, w, v);
}

int
vcoder_get(struct vcoder *c, struct bitr *r, double *v)
{
	return vc_get(c, r, v, NULL);
}

int
chunk_dec_fit(double v, unsigned e, int ulp, int64_t *m, int64_t *d)
{
	return e < E_MAX && dec_fit(v, e, ulp, m, d);
}

double
chunk_dec_value(int64_t m, unsigned e, int64_t d)
{
	return dec_value(m, e, d);
}

void
chunk_put_ulps(struct bitw *w, int64_t d)
{
	put_ulps(w, d);
}

int64_t
chunk_get_ulps(struct bitr *r)
{
	return get_ulps(r);
}

/* ---- times ---- */

static inline void
put_dod(struct bitw *w, int64_t dod)
{
	if (dod == 0)
		bitw_put(w, 0, 1);
	else if (dod >= -63 && dod <= 64)
		bitw_put(w, (UINT64_C(2) << 7) | (uint64_t)(dod + 63), 9);
	else if (dod >= -255 && dod <= 256)
		bitw_put(w, (UINT64_C(6) << 9) | (uint64_t)(dod + 255), 12);
	else if (dod >= -2047 && dod <= 2048)
		bitw_put(w, (UINT64_C(14) << 12) | (uint64_t)(dod + 2047), 16);
	else {
		bitw_put(w, 15, 4);
		bitw_put64(w, (uint64_t)dod, 64);
	}
}

static inline __attribute__((always_inline)) int64_t
get_dod(struct bitr *r)
{
	switch (bitr_unary(r, 4)) {
	case 0:
		return 0;
	case 1:
		return (int64_t)bitr_get(r, 7) - 63;
	case 2:
		return (int64_t)bitr_get(r, 9) - 255;
	case 3:
		return (int64_t)bitr_get(r, 12) - 2047;
	default:
		return (int64_t)bitr_get(r, 64);
	}
}

/* ---- XOR values ---- */

static void
xor_put(struct chunk_enc *c, double v)
{
	uint64_t x = dbits(v) ^ c->x_prev;
	unsigned lead, trail, sig;

	c->x_prev = dbits(v);
	if (x == 0) {
		bitw_put(&c->w, 0, 1);
		return;
	}
	lead = (unsigned)__builtin_clzll(x);
	trail = (unsigned)__builtin_ctzll(x);
	if (lead > 31)
		lead = 31;
	if (c->x_lead != 0xff && lead >= c->x_lead && trail >= c->x_trail) {
		sig = 64 - c->x_lead - c->x_trail;
		bitw_put(&c->w, 2, 2);
		bitw_put64(&c->w, x >> c->x_trail, sig);
		return;
	}
	sig = 64 - lead - trail;
	bitw_put(&c->w, 3, 2);
	bitw_put(&c->w, lead, 5);
	bitw_put(&c->w, sig - 1, 6);
	bitw_put64(&c->w, x >> trail, sig);
	c->x_lead = (uint8_t)lead;
	c->x_trail = (uint8_t)trail;
}

static int
xor_get(
    struct bitr *r, uint64_t *prev, uint8_t *lead, uint8_t *trail, double *v)
{
	unsigned sig;
	uint64_t x;

	switch (bitr_unary(r, 2)) {
	case 0:
		*v = bitsd(*prev);
		return 0;
	case 1:
		if (*lead == 0xff)
			return -1;
		sig = 64 - *lead - *trail;
		x = bitr_get(r, sig) << *trail;
		break;
	default:
		*lead = (uint8_t)bitr_get(r, 5);
		sig = (unsigned)bitr_get(r, 6) + 1;
		if (*lead + sig > 64)
			return -1;
		*trail = (uint8_t)(64 - *lead - sig);
		x = bitr_get(r, sig) << *trail;
		break;
	}
	*prev ^= x;
	*v = bitsd(*prev);
	return r->err ? -1 : 0;
}

/* ---- encoder ---- */

void
chunk_enc_init(struct chunk_enc *c)
{
	struct bitw w = c->w;

	memset(c, 0, sizeof *c);
	c->w = w; /* keep the buffer */
	bitw_reset(&c->w);
	c->codec = CHUNK_CODEC_DEC;
	c->x_lead = 0xff;
	vcoder_init(&c->vc, 0);
}

void
chunk_enc_init_v1(struct chunk_enc *c)
{
	chunk_enc_init(c);
	c->v1 = c->timed = 1;
}

void
chunk_enc_free(struct chunk_enc *c)
{
	bitw_free(&c->w);
}

static void
enc_first(struct chunk_enc *c, int64_t t, double v)
{
	c->first_t = c->last_t = t;
	c->last_dt = 0;
	c->last_v = v;
	c->n = 1;
	if (c->codec == CHUNK_CODEC_XOR) {
		c->x_prev = dbits(v);
		bitw_put64(&c->w, c->x_prev, 64);
	} else if (vc_put(&c->vc, &c->w, v))
		c->nraw++;
}

/* Re-encode c's points with the XOR codec. */
static void
enc_to_xor(struct chunk_enc *c)
{
	struct ptvec pv = {0};
	uint8_t *tmp;
	size_t i, len = chunk_enc_size(c);

	tmp = xmalloc(len);
	chunk_enc_serialize(c, tmp);
	if (chunk_decode(tmp, len, &pv) != 0)
		abort(); /* our own encoding must decode */
	free(tmp);
	if (c->v1)
		chunk_enc_init_v1(c);
	else
		chunk_enc_init(c);
	c->codec = CHUNK_CODEC_XOR;
	for (i = 0; i < pv.n; i++)
		chunk_enc_append(c, pv.t[i], pv.v[i]);
	ptvec_free(&pv);
}

void
chunk_enc_append(struct chunk_enc *c, int64_t t, double v)
{
	int64_t dt;

	if (c->n == 0) {
		enc_first(c, t, v);
		return;
	}
	dt = t - c->last_t;
	if (!c->timed && (c->n == 1 || dt == c->step)) {
		c->step = dt; /* in the regular run: no time bits */
		c->nreg++;
	} else {
		c->timed = 1;
		put_dod(&c->w, dt - c->last_dt);
	}
	c->last_dt = dt;
	c->last_t = t;
	c->last_v = v;
	c->n++;
	if (c->codec == CHUNK_CODEC_XOR) {
		xor_put(c, v);
		return;
	}
	if (vc_put(&c->vc, &c->w, v) && ++c->nraw >= 8 &&
	    (uint32_t)c->nraw * 4 >= c->n)
		enc_to_xor(c);
	if (c->nraw == 255)
		c->nraw = 254;
}

void
chunk_enc_build(
    struct chunk_enc *c, const int64_t *t, const double *v, size_t n)
{
	size_t i;

	chunk_enc_init(c);
	for (i = 0; i < n; i++)
		chunk_enc_append(c, t[i], v[i]);
}

size_t
chunk_enc_size(const struct chunk_enc *c)
{
	uint8_t tmp[10];
	size_t len = 1 + varint_put(tmp, c->n) +
	             varint_put(tmp, (uint64_t)c->first_t) + bitw_bytes(&c->w);

	if (c->nreg > 0)
		len += varint_put(tmp, (uint64_t)c->step) +
		       varint_put(tmp, c->nreg);
	return len;
}

void
chunk_enc_serialize(const struct chunk_enc *c, uint8_t *out)
{
	*out++ = (uint8_t)(c->codec | (c->nreg > 0 ? CHUNK_REGULAR : 0));
	out += varint_put(out, c->n);
	out += varint_put(out, (uint64_t)c->first_t);
	if (c->nreg > 0) {
		out += varint_put(out, (uint64_t)c->step);
		out += varint_put(out, c->nreg);
	}
	bitw_copy(&c->w, out);
}

size_t
chunk_enc_memory(const struct chunk_enc *c)
{
	return sizeof *c + c->w.cap;
}

/* ---- decoder ---- */

/* A chunk's header: codec, point count, first time and regular run
 * (step 0 and nreg 0 when it has none); *bits is where the bits start.
 * 0, or -1 when it is corrupt. */
struct chunk_head {
	uint32_t n, nreg;
	uint8_t codec;
	int64_t first_t, step;
	const uint8_t *bits;
};

static int
head_parse(const void *data, size_t len, struct chunk_head *h)
{
	const uint8_t *p = data, *end = p + len;
	uint64_t x, y, st = 0, nr = 0;
	unsigned codec;

	if (len < 3)
		return -1;
	codec = p[0] & ~(unsigned)CHUNK_REGULAR;
	if (codec != CHUNK_CODEC_DEC && codec != CHUNK_CODEC_XOR)
		return -1;
	p++;
	if (varint_get(&p, end, &x) != 0 || x == 0 || x > UINT32_MAX ||
	    varint_get(&p, end, &y) != 0 || y >= (uint64_t)STORE_TIME_MAX)
		return -1;
	if (*(const uint8_t *)data & CHUNK_REGULAR) {
		/* The run's last time must be a valid time. */
		if (varint_get(&p, end, &st) != 0 ||
		    varint_get(&p, end, &nr) != 0 || st == 0 || nr == 0 ||
		    nr >= x || st > ((uint64_t)STORE_TIME_MAX - 1 - y) / nr)
			return -1;
	}
	h->codec = (uint8_t)codec;
	h->n = (uint32_t)x;
	h->first_t = (int64_t)y;
	h->step = (int64_t)st;
	h->nreg = (uint32_t)nr;
	h->bits = p;
	return 0;
}

int
chunk_header(const void *data, size_t len, uint32_t *n, int64_t *first_t)
{
	struct chunk_head h;

	if (head_parse(data, len, &h) != 0)
		return -1;
	*n = h.n;
	*first_t = h.first_t;
	return 0;
}

int
chunk_decode(const void *data, size_t len, struct ptvec *out)
{
	return chunk_decode_until(data, len, INT64_MAX, out);
}

/* The points of an XOR chunk into t[] and v[], stopping before hi: the
 * number decoded, or -1 when the data is corrupt. */
static long
dec_xor(struct bitr *r, const struct chunk_head *h, int64_t hi, int64_t *t,
    double *v)
{
	uint64_t tt = (uint64_t)h->first_t, dt = (uint64_t)h->step, xprev = 0;
	uint8_t lead = 0xff, trail = 0;
	uint32_t i, n = h->n;

	for (i = 0; i < n; i++) {
		double val;

		if (i > 0) {
			uint64_t nt;

			if (i > h->nreg)
				dt += (uint64_t)get_dod(r);
			nt = tt + dt;
			if ((int64_t)nt <= (int64_t)tt ||
			    (int64_t)nt >= STORE_TIME_MAX)
				return -1;
			tt = nt;
			if (xor_get(r, &xprev, &lead, &trail, &val) != 0)
				return -1;
		} else {
			xprev = bitr_get(r, 64);
			val = bitsd(xprev);
		}
		if (r->err)
			return -1;
		if ((int64_t)tt >= hi)
			return i;
		t[i] = (int64_t)tt;
		v[i] = val;
	}
	return n;
}

/* The bit reader and value coder state of dec_dec, kept in locals (so in
 * registers) and written back around the general paths. */
#define DEC_OUT()                   \
	do {                        \
		r->cache = cache;   \
		r->nbits = nbits;   \
		r->p = p;           \
		vc.m_prev = m_prev; \
		vc.a = a;           \
		vc.n = cn;          \
		vc.k = k;           \
	} while (0)
#define DEC_IN()                    \
	do {                        \
		cache = r->cache;   \
		nbits = r->nbits;   \
		p = r->p;           \
		m_prev = vc.m_prev; \
		pad = r->pad;       \
		a = vc.a;           \
		cn = vc.n;          \
		k = vc.k;           \
	} while (0)

/*
 * The points of a DEC chunk (as dec_xor), the codec city data nearly
 * always has.  Each point starts from a cache of at least 56 bits, so an
 * unchanged interval and a Rice code that fits are read with no further check;
 * anything else (a new interval, an escape, the chunk's end) goes through the
 * general functions.  Built twice (BITS_CLZ_CLONES): its floating point is
 * one division a point.
 */
BITS_CLZ_CLONES static long
dec_dec(struct bitr *r, const struct chunk_head *h, int64_t hi, int64_t *t,
    double *v)
{
	struct vcoder vc;
	struct vcache vch = {0, 0, 0, 0};
	const uint8_t *p, *end = r->end;
	int64_t first = h->first_t;
	uint64_t cache, tt = (uint64_t)first, dt = (uint64_t)h->step, a;
	int64_t m_prev;
	unsigned nbits, pad;
	uint8_t cn, k;
	uint32_t i, n = h->n, nreg = h->nreg;
	double val;

	vcoder_init(&vc, 0);
	if (vc_get(&vc, r, &val, &vch) != 0 || r->err)
		return -1;
	if (first >= hi)
		return 0;
	t[0] = first;
	v[0] = val;
	DEC_IN();
	for (i = 1; i < n; i++) {
		uint64_t nt, x, u;
		unsigned q;

		if (nbits < 56) {
			if (end - p >= 8) {
				memcpy(&x, p, 8);
				cache |= __builtin_bswap64(x) >> nbits;
				p += (63 - nbits) >> 3;
				nbits += ((63 - nbits) >> 3) * 8;
			} else {
				DEC_OUT();
				bitr_refill(r);
				DEC_IN();
			}
		}
		/* The regular run has no time bits. */
		if (i > nreg && (int64_t)cache >= 0) {
			cache <<= 1; /* the same interval */
			nbits--;
		} else if (i > nreg) {
			DEC_OUT();
			dt += (uint64_t)get_dod(r);
			if (r->err)
				return -1;
			DEC_IN();
		}
		nt = tt + dt;
		if ((int64_t)nt <= (int64_t)tt || (int64_t)nt >= STORE_TIME_MAX)
			return -1;
		tt = nt;
		q = (unsigned)__builtin_clzll(~cache | 1);
		if (q < RICE_QMAX && q + 1 + k <= nbits) {
			int64_t m;

			x = cache << (q + 1);
			u = k == 0 ? 0 : x >> (64 - k);
			cache = x << k;
			nbits -= q + 1 + k;
			u |= (uint64_t)q << k;
			rice_update(&a, &cn, &k, u);
			m = (int64_t)((uint64_t)m_prev + (uint64_t)unzigzag(u));
			if (m <= -M_LIMIT_I || m >= M_LIMIT_I)
				return -1;
			m_prev = m;
			/* Always divide (by 1 when e is 0, which is exact):
			 * the division is off the decoder's dependency chain,
			 * while a test for a repeated value mispredicts. */
			val = (double)m / p10[vc.e];
		} else {
			DEC_OUT();
			if (vc_get(&vc, r, &val, &vch) != 0 || r->err)
				return -1;
			DEC_IN();
		}
		if (nbits < pad)
			return -1;
		if ((int64_t)tt >= hi)
			return i;
		t[i] = (int64_t)tt;
		v[i] = val;
	}
	DEC_OUT();
	return n;
}
#undef DEC_OUT
#undef DEC_IN

int
chunk_decode_until(const void *data, size_t len, int64_t hi, struct ptvec *out)
{
	const uint8_t *end = (const uint8_t *)data + len;
	struct chunk_head h;
	struct bitr r;
	long got;

	if (head_parse(data, len, &h) != 0)
		return -1;
	/* Each point takes at least 2 bits, 1 in the regular run. */
	if ((uint64_t)h.n * 2 - h.nreg > (uint64_t)(end - h.bits) * 8 + 64)
		return -1;
	bitr_init(&r, h.bits, end - h.bits);
	ptvec_reserve(out, h.n);
	got = h.codec == CHUNK_CODEC_DEC
	          ? dec_dec(&r, &h, hi, out->t + out->n, out->v + out->n)
	          : dec_xor(&r, &h, hi, out->t + out->n, out->v + out->n);
	if (got < 0)
		return -1;
	/* Only padding may remain. */
	if ((uint32_t)got == h.n &&
	    (bitr_left(&r) >= 8 || bitr_get(&r, (unsigned)bitr_left(&r)) != 0))
		return -1;
	out->n += (size_t)got;
	return 0;
}
