/*
 * The integer and decimal coders shared by chunks and rollups: zigzag
 * Rice coding with an adaptive parameter and an escape, length-prefixed
 * integers, and decimal scaling of doubles.  Internal to store/.
 */
#ifndef CB_STORE_CODER_H
#define CB_STORE_CODER_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "store/bits.h"
#include "store/chunk.h"

#define RICE_QMAX 20            /* unary prefix length that means "escape" */
#define RICE_HALF 16            /* halve the statistics at this count */
#define ULP_MAX   CHUNK_ULP_MAX /* largest ulp correction for sums */
#define E_MAX     15 /* largest decimal exponent (15 means raw first) */
#define M_LIMIT   9007199254740992.0 /* 2^53 */
#define M_LIMIT_I (INT64_C(1) << 53)

/* Escape selectors after RICE_QMAX ones. */
#define ESC_DELTA   0
#define ESC_RESCALE 1
#define ESC_RAW     2

static const double p10[E_MAX + 1] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

static inline uint64_t
dbits(double v)
{
	uint64_t u;

	memcpy(&u, &v, 8);
	return u;
}

static inline double
bitsd(uint64_t u)
{
	double v;

	memcpy(&v, &u, 8);
	return v;
}

static inline unsigned
bitlen(uint64_t x)
{
	return x == 0 ? 0 : 64 - (unsigned)__builtin_clzll(x);
}

/* Length-prefixed integer: 6 bits of length, then the bits. */
static inline void
put_lenval(struct bitw *w, uint64_t x)
{
	unsigned l = bitlen(x);

	bitw_put(w, l == 64 ? 63 : l, 6);
	bitw_put64(w, x, l == 64 ? 63 : l);
}

static inline uint64_t
get_lenval(struct bitr *r)
{
	unsigned l = (unsigned)bitr_get(r, 6);

	return bitr_get(r, l);
}

/* ---- Rice coding with adaptive parameter ---- */

/* The smallest k <= 60 with n << k >= a (60 when none is), without a
 * loop: with a of bitlen ba and n (1..15) of bitlen bn, n << (ba - bn) has
 * a's bit length, so the answer is ba - bn or one more (when ba - bn > 60
 * the shift may wrap, but the answer is 60 either way). */
static inline __attribute__((always_inline)) unsigned
rice_k(uint64_t a, uint64_t n)
{
	unsigned ba = bitlen(a), bn = bitlen(n), d, kk;

	d = ba > bn ? ba - bn : 0;
	kk = d + ((n << d) < a);
	return kk > 60 ? 60 : kk;
}

/* Update the statistics with code u and move k to the smallest value
 * with n << k >= a (so k grows by at most 5 per code). */
static inline void
rice_update(uint64_t *a, uint8_t *n, uint8_t *k, uint64_t u)
{
	unsigned kk = *k;

	/* A spike moves the statistics only so far, or it would make the
	 * codes of the ordinary values after it long for a while. */
	if (u > (UINT64_C(32) << kk))
		u = UINT64_C(32) << kk;
	*a += u;
	if (++*n >= RICE_HALF) {
		*a >>= 1;
		*n >>= 1;
	}
	*k = (uint8_t)rice_k(*a, *n);
}

/* Code u; returns 0, or 1 if it did not fit (the escape prefix was
 * written and the caller writes the escape body). */
static inline int
rice_put(struct bitw *w, unsigned k, uint64_t u)
{
	uint64_t q = u >> k;

	if (q >= RICE_QMAX) {
		bitw_put(w, (UINT64_C(1) << RICE_QMAX) - 1, RICE_QMAX);
		return 1;
	}
	if (q + 1 + k <= 32) {
		bitw_put(w,
		    ((((UINT64_C(1) << q) - 1) << 1) << k) |
		        (u & ((UINT64_C(1) << k) - 1)),
		    (unsigned)q + 1 + k);
		return 0;
	}
	bitw_put(w, ((UINT64_C(1) << q) - 1) << 1, (unsigned)q + 1);
	bitw_put64(w, u, k);
	return 0;
}

/* Decode; returns 0 with *u, or 1 when the escape prefix was read. */
static inline __attribute__((always_inline)) int
rice_get(struct bitr *r, unsigned k, uint64_t *u)
{
	unsigned q = bitr_unary(r, RICE_QMAX);

	if (q == RICE_QMAX)
		return 1;
	*u = ((uint64_t)q << k) | bitr_get(r, k);
	return 0;
}

static inline void
ucoder_init(struct ucoder *c)
{
	c->a = 1;
	c->n = 1;
	c->k = 0;
}

static inline __attribute__((always_inline)) void
ucoder_put(struct ucoder *c, struct bitw *w, uint64_t u)
{
	if (rice_put(w, c->k, u))
		put_lenval(w, u);
	rice_update(&c->a, &c->n, &c->k, u);
}

static inline __attribute__((always_inline)) int
ucoder_get(struct ucoder *c, struct bitr *r, uint64_t *u)
{
	if (rice_get(r, c->k, u))
		*u = get_lenval(r);
	rice_update(&c->a, &c->n, &c->k, *u);
	return r->err ? -1 : 0;
}

/* A first value, with no context: length-prefixed, statistics kept. */
static inline void
ucoder_put_first(struct bitw *w, uint64_t u)
{
	put_lenval(w, u);
}

static inline int
ucoder_get_first(struct bitr *r, uint64_t *u)
{
	*u = get_lenval(r);
	return r->err ? -1 : 0;
}

/* Whether v is m / 10^e exactly (or within ULP_MAX ulps when ulp). */
static inline int
dec_fit(double v, unsigned e, int ulp, int64_t *m, int64_t *d)
{
	double x = v * p10[e], base;
	int64_t mm;

	if (!(x > -M_LIMIT && x < M_LIMIT))
		return 0;
	mm = (int64_t)llrint(x);
	base = (double)mm / p10[e];
	*m = mm;
	*d = 0;
	if (base == v)
		return !(mm == 0 && signbit(v));
	if (!ulp || signbit(base) != signbit(v))
		return 0;
	*d = (int64_t)(dbits(v) - dbits(base));
	return *d >= -ULP_MAX && *d <= ULP_MAX;
}

static inline void
put_ulps(struct bitw *w, int64_t d)
{
	unsigned z = (unsigned)zigzag(d);

	bitw_put(w, ((UINT64_C(1) << z) - 1) << 1, z + 1);
}

static inline int64_t
get_ulps(struct bitr *r)
{
	unsigned z = bitr_unary(r, 2 * ULP_MAX + 1);

	return unzigzag(z);
}

static inline double
dec_value(int64_t m, unsigned e, int64_t d)
{
	double base = e == 0 ? (double)m : (double)m / p10[e];

	return d == 0 ? base : bitsd(dbits(base) + (uint64_t)d);
}

#endif
