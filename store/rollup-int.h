/*
 * What the rollup block codecs share: codec tags, the decimal form of a
 * bucket, static Rice codes.  Internal to store/rollup*.c.
 */
#ifndef CB_STORE_ROLLUP_INT_H
#define CB_STORE_ROLLUP_INT_H

#include <stdint.h>

#include "lib/buf.h"
#include "store/bits.h"
#include "store/coder.h"
#include "store/rollup.h"

#define CODEC_GENERIC 1
#define CODEC_DEC     3 /* interleaved columns; read, no longer written */
#define CODEC_COL     4 /* the same symbols, column after column */
#define CODEC_COL2    5 /* COL with a smaller head (format 3) */
#define CODEC_RATE    6 /* a block of another codec, then rate columns */
#define M_SMALL       (INT64_C(1) << 40) /* keeps count * m in range */

struct dslot {
	int64_t last, min, max, sum, d; /* mantissas at e; d: ulps of sum */
};

/* Bits to Rice-code u with parameter k (escapes cost the prefix and a
 * length-prefixed value). */
static inline uint64_t
rice_cost(uint64_t u, unsigned k)
{
	uint64_t q = u >> k;

	if (q >= RICE_QMAX)
		return RICE_QMAX + 6 + bitlen(u);
	return q + 1 + k;
}

static inline void
rice_put_static(struct bitw *w, unsigned k, uint64_t u)
{
	if (rice_put(w, k, u))
		put_lenval(w, u);
}

static inline int
rice_get_static(struct bitr *r, unsigned k, uint64_t *u)
{
	if (rice_get(r, k, u))
		*u = get_lenval(r);
	return r->err ? -1 : 0;
}

/* COL (store/rollup-col.c): encode the present slots of rb, all short
 * decimals at exponent e as ds (whose sums of single points it sets), to
 * w, and the Rice parameters to kbytes[3] (COL2, v2: kbytes[3] gets e,
 * the layout of the present slots, the no-ulps and the last-from-sums
 * bits); decode the columns cols needs from r into b (present: the
 * slots' present bits, already read; flags: COLF_*). */
void rollup_col_encode(const struct rollup_block *rb, struct dslot *ds,
    unsigned e, int v2, struct bitw *w, uint8_t *kbytes);
#define COLF_ULPS     1u /* sums carry their ulps */
#define COLF_LASTPRED 2u /* last coded against the sums (COL2) */
int rollup_col_decode(const struct rollup_block *rb, unsigned e,
    const uint8_t *kbytes, unsigned flags, struct bitr *r,
    const uint8_t *present, struct agg *b, unsigned cols);
/* COL2's present slots in layout into present[nslots]; 0, or -1 if
 * corrupt. */
int rollup_col2_get_present(
    struct bitr *r, unsigned layout, unsigned nslots, uint8_t *present);

/* Rate columns (store/rollup-rate.c), written after a minute block's
 * other columns.  Encode rb's into out (4 bytes, then a bit stream); -1
 * when they do not fit (values no short decimals, NaN as a first or last
 * value, more than a few minutes with drops), out then unchanged.  Decode
 * them from data: the present slots into present[nslots], their minutes
 * into rm; 0, or -1 if corrupt. */
int rollup_rate_encode(const struct rollup_block *rb, struct buf *out);
int rollup_rate_decode(const struct rollup_block *rb, const void *data,
    size_t len, uint8_t *present, struct rate_minute *rm);

#endif
