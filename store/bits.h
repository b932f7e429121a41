/* Bit-level writer (growable) and bounds-checked reader, MSB first. */
#ifndef CB_STORE_BITS_H
#define CB_STORE_BITS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"

/*
 * A growable bit writer.  Whole 32-bit groups go to buf; up to 31 pending
 * bits stay in acc.  buf is owned (free with bitw_free).
 */
struct bitw {
	uint8_t *buf;
	uint32_t len, cap;
	uint64_t acc;
	uint32_t nacc;
};

/* Room for cap bytes in all, in one allocation instead of growing to
 * it a quarter at a time. */
static inline void
bitw_reserve(struct bitw *w, uint32_t cap)
{
	if (cap > w->cap) {
		w->buf = xrealloc(w->buf, cap);
		w->cap = cap;
	}
}

/* Room for at least need more bytes: a quarter more than now, or need. */
static inline void
bitw_grow(struct bitw *w, uint32_t need)
{
	uint32_t cap = w->cap + w->cap / 4 + 16;

	bitw_reserve(w, cap < w->len + need ? w->len + need : cap);
}

/* Append the low n bits of v, n <= 32. */
static inline void
bitw_put(struct bitw *w, uint64_t v, unsigned n)
{
	if (n == 0)
		return;
	w->acc = (w->acc << n) | (v & ((UINT64_C(1) << n) - 1));
	w->nacc += n;
	if (w->nacc >= 32) {
		uint32_t x = (uint32_t)(w->acc >> (w->nacc - 32));

		if (w->len + 4 > w->cap)
			bitw_grow(w, 4);
		w->buf[w->len] = x >> 24;
		w->buf[w->len + 1] = x >> 16;
		w->buf[w->len + 2] = x >> 8;
		w->buf[w->len + 3] = x;
		w->len += 4;
		w->nacc -= 32;
	}
}

/* Append the low n bits of v, n <= 64. */
static inline void
bitw_put64(struct bitw *w, uint64_t v, unsigned n)
{
	if (n > 32) {
		bitw_put(w, v >> 32, n - 32);
		bitw_put(w, v, 32);
	} else
		bitw_put(w, v, n);
}

/* Bits written so far. */
static inline uint64_t
bitw_bits(const struct bitw *w)
{
	return (uint64_t)w->len * 8 + w->nacc;
}

/* Bytes needed to hold everything written (pending bits padded). */
static inline uint32_t
bitw_bytes(const struct bitw *w)
{
	return w->len + (w->nacc + 7) / 8;
}

/* Copy everything written, zero-padded to a byte, to out (which has
 * bitw_bytes() room). */
static inline void
bitw_copy(const struct bitw *w, uint8_t *out)
{
	uint32_t n = w->nacc, i;
	uint64_t a;

	if (w->len > 0)
		memcpy(out, w->buf, w->len);
	out += w->len;
	if (n == 0)
		return;
	a = w->acc << (64 - n); /* left-align pending bits */
	for (i = 0; i < (n + 7) / 8; i++)
		out[i] = (uint8_t)(a >> (56 - 8 * i));
}

/* Append everything written to src. */
static inline void
bitw_append(struct bitw *w, const struct bitw *src)
{
	uint32_t i;

	for (i = 0; i < src->len; i++)
		bitw_put(w, src->buf[i], 8);
	if (src->nacc > 0)
		bitw_put(w, src->acc, src->nacc);
}

static inline void
bitw_reset(struct bitw *w)
{
	w->len = 0;
	w->acc = 0;
	w->nacc = 0;
}

static inline void
bitw_free(struct bitw *w)
{
	free(w->buf);
	memset(w, 0, sizeof *w);
}

/*
 * A decoder loop whose critical path counts a code's leading ones is
 * built twice on x86-64 with glibc (target_clones; the loader's resolver
 * picks one): for x86-64-v3, whose LZCNT does it in one cycle where the
 * baseline's BSR (and the XOR __builtin_clzll adds) take several, and
 * the default.  Only for functions whose floating-point code has no
 * a * b + c that FMA contraction could change (check the v3 clone for
 * vfmadd: tests run one build of it only).  Static functions only: clang
 * 14 emits no symbol for a cloned extern one (wrap it).
 */
#if defined(__x86_64__) && defined(__GLIBC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define BITS_CLZ_CLONES \
	__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
#endif
#ifndef BITS_CLZ_CLONES
#define BITS_CLZ_CLONES
#endif

/*
 * A reader over len bytes with a 64-bit cache (left-aligned).  Reading past
 * the end yields zero bits and sets err.
 */
struct bitr {
	const uint8_t *p, *end;
	uint64_t cache;
	unsigned nbits; /* valid bits in cache */
	unsigned pad;   /* of which zero bits from past the end */
	int err;
};

static inline void
bitr_init(struct bitr *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->end = p + len;
	r->cache = 0;
	r->nbits = 0;
	r->pad = 0;
	r->err = 0;
}

/* Fill the cache to at least 56 bits.  The fast path may leave bits of
 * the next byte below nbits; the next refill ORs the same bits there. */
static inline void
bitr_refill(struct bitr *r)
{
	if (r->end - r->p >= 8) {
		uint64_t x;
		unsigned take;

		memcpy(&x, r->p, 8);
		x = __builtin_bswap64(x);
		r->cache |= x >> r->nbits;
		take = (63 - r->nbits) >> 3;
		r->p += take;
		r->nbits += take * 8;
		return;
	}
	while (r->nbits <= 56) {
		uint64_t b = 0;

		if (r->p < r->end)
			b = *r->p++;
		else
			r->pad += 8;
		r->cache |= b << (56 - r->nbits);
		r->nbits += 8;
	}
}

/* The next n bits (1 <= n <= 56) without consuming them. */
static inline uint64_t
bitr_peek(struct bitr *r, unsigned n)
{
	if (r->nbits < n)
		bitr_refill(r);
	return r->cache >> (64 - n);
}

static inline void
bitr_skip(struct bitr *r, unsigned n)
{
	r->cache = n >= 64 ? 0 : r->cache << n;
	r->nbits -= n;
	if (r->nbits < r->pad)
		r->err = 1;
}

/* Read n bits, 0 <= n <= 64. */
static inline uint64_t
bitr_get(struct bitr *r, unsigned n)
{
	uint64_t x;

	if (n == 0)
		return 0;
	if (n > 56) {
		x = bitr_get(r, n - 32) << 32;
		return x | bitr_get(r, 32);
	}
	x = bitr_peek(r, n);
	bitr_skip(r, n);
	return x;
}

/* Count (and consume) leading 1 bits, at most max (<= 32), plus the
 * terminating 0 when fewer than max. */
static inline unsigned
bitr_unary(struct bitr *r, unsigned max)
{
	uint64_t x = bitr_peek(r, 32) << 32;
	unsigned q = (~x == 0) ? 64 : (unsigned)__builtin_clzll(~x);

	if (q >= max) {
		bitr_skip(r, max);
		return max;
	}
	bitr_skip(r, q + 1);
	return q;
}

/* Bits left after the current position (0 when past the end). */
static inline uint64_t
bitr_left(const struct bitr *r)
{
	uint64_t left = (uint64_t)(r->end - r->p) * 8 + r->nbits;

	return left > r->pad ? left - r->pad : 0;
}

#endif
