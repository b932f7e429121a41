/*
 * Chunk compression: a run of (time, value) points of one series.
 *
 * Times: delta-of-delta with Gorilla's prefix buckets.  Values, codec DEC:
 * scaled to decimal integers (v = m / 10^e, e the smallest exponent that
 * reproduces the double exactly, as VictoriaMetrics does), then the
 * difference of m from the previous point, zigzagged and Rice-coded with
 * an adaptive parameter; rare escapes carry a bigger delta, a new
 * exponent, or the raw 64 bits (NaN, Inf, -0, values with no short
 * decimal form).  When raw escapes dominate, the chunk switches to codec
 * XOR (Gorilla's XOR of consecutive doubles).  Every decoded double is
 * bit-identical to the one encoded.
 *
 * Times of a regular series cost nothing: the points after the first
 * that follow it at one fixed step (the regular run) carry no time bits,
 * the header gives the step and the run's length, and delta-of-delta
 * coding starts after the run (against the step).
 *
 * Serialized: codec byte (CHUNK_REGULAR set when there is a regular
 * run), varint point count, varint first time, with CHUNK_REGULAR varint
 * step and varint run length, then the bits: the first value; the
 * values of the regular run; then each point's time and value.  Chunks
 * of store format 3 and older have no regular run (their times are coded
 * from the second point on against an interval of 0).
 */
#ifndef CB_STORE_CHUNK_H
#define CB_STORE_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "store/bits.h"

#define CHUNK_CODEC_DEC 1
#define CHUNK_CODEC_XOR 2
#define CHUNK_REGULAR   0x10 /* flag on the codec byte (format 4) */

/* A growable vector of points (parallel arrays); owns t and v. */
struct ptvec {
	int64_t *t;
	double *v;
	size_t n, cap;
};

void ptvec_push(struct ptvec *pv, int64_t t, double v);
void ptvec_reserve(struct ptvec *pv, size_t extra);
void ptvec_free(struct ptvec *pv);

/*
 * Value column coder, used by chunks (one column) and rollups (several).
 * With ulp set, values that are within a few units in the last place of a
 * short decimal (floating sums such as 70.60000000000001) are coded as
 * that decimal plus the distance in ulps.
 */
struct vcoder {
	int64_t m_prev;
	uint64_t a; /* Rice statistics: sum of recent codes */
	uint8_t n;  /* and their count */
	uint8_t k;  /* the Rice parameter they give */
	uint8_t e;  /* decimal exponent */
	uint8_t first;
	uint8_t ulp;
};

void vcoder_init(struct vcoder *c, int ulp);
/* Code v; returns 1 if it needed the raw 64-bit escape, else 0. */
int vcoder_put(struct vcoder *c, struct bitw *w, double v);
/* Decode one value; 0, or -1 on corrupt input. */
int vcoder_get(struct vcoder *c, struct bitr *r, double *v);

/* Zigzag-coded unsigned integer with adaptive Rice coding. */
struct ucoder {
	uint64_t a;
	uint8_t n, k;
};
static inline uint64_t
zigzag(int64_t x)
{
	return ((uint64_t)x << 1) ^ (uint64_t)(x >> 63);
}
static inline int64_t
unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/*
 * Decimal helpers for other coders: whether v == m / 10^e exactly (with
 * ulp, within a few units in the last place, the distance in *d), the
 * double for (m, e, d), and the coding of d.
 */
#define CHUNK_ULP_MAX 7
int chunk_dec_fit(double v, unsigned e, int ulp, int64_t *m, int64_t *d);
double chunk_dec_value(int64_t m, unsigned e, int64_t d);
void chunk_put_ulps(struct bitw *w, int64_t d);
int64_t chunk_get_ulps(struct bitr *r);

/* An open chunk being appended to (the head keeps one per series). */
struct chunk_enc {
	struct bitw w;
	int64_t first_t, last_t, last_dt;
	int64_t step; /* interval of the regular run */
	double last_v;
	struct vcoder vc; /* DEC */
	uint64_t x_prev;  /* XOR: previous value's bits */
	uint32_t n;
	uint32_t nreg; /* points after the first in the regular run */
	uint8_t x_lead, x_trail;
	uint8_t codec;
	uint8_t nraw;  /* DEC: raw escapes so far */
	uint8_t timed; /* past the regular run: times are coded */
	uint8_t v1;    /* the layout of format 3 and older (tests) */
};

void chunk_enc_init(struct chunk_enc *c);
/* The same for chunks in the layout of store format 3 and older (no
 * regular run), for tests of reading old stores. */
void chunk_enc_init_v1(struct chunk_enc *c);
void chunk_enc_free(struct chunk_enc *c);
/* Append a point; t must be greater than c->last_t unless c is empty. */
void chunk_enc_append(struct chunk_enc *c, int64_t t, double v);
/* Reset and encode n points (times strictly increasing). */
void chunk_enc_build(
    struct chunk_enc *c, const int64_t *t, const double *v, size_t n);
/* Serialized size, and serialization into out (chunk_enc_size() bytes). */
size_t chunk_enc_size(const struct chunk_enc *c);
void chunk_enc_serialize(const struct chunk_enc *c, uint8_t *out);
/* Heap bytes held by c (for head memory accounting). */
size_t chunk_enc_memory(const struct chunk_enc *c);

/*
 * Decode a serialized chunk, appending its points to out.  Returns 0, or
 * -1 when the data is corrupt (out is then restored to its old length).
 * Times come out strictly increasing: a chunk whose times are not is
 * corrupt (store/read.c relies on it).
 */
int chunk_decode(const void *data, size_t len, struct ptvec *out);
/* The same, stopping before the first point at or after hi. */
int chunk_decode_until(
    const void *data, size_t len, int64_t hi, struct ptvec *out);
/* Read only the header: point count and first time; 0 or -1. */
int chunk_header(const void *data, size_t len, uint32_t *n, int64_t *first_t);

/* Varints (LEB128) for headers and records. */
size_t varint_put(uint8_t *p, uint64_t x); /* p has 10 bytes */
int varint_get(const uint8_t **p, const uint8_t *end, uint64_t *x);

#endif
