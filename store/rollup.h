/*
 * Rollup tiers: per-minute and per-hour count/sum/min/max/last.
 *
 * A block holds the buckets of one series for one period: the minute tier
 * keeps one block per hour (60 slots), the hour tier one per day (24
 * slots).  Blocks are compressed column-wise with the chunk coders, each
 * column stored apart so that a reader decodes only those it needs.
 * Rewriting a bucket (after a late point) replaces it, so rollups are
 * always recomputed from the points and never accumulate.  Minute blocks
 * of counters also carry what rate needs of each minute (first and last
 * point, drops; store/rollup-rate.c, store format 5).
 */
#ifndef CB_STORE_ROLLUP_H
#define CB_STORE_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "store/agg.h"
#include "store/bits.h"
#include "store/rate-minute.h"

#define ROLLUP_SLOTS_MAX 60

/* Buckets of one period; present[i] says whether slot i holds data. */
struct rollup_block {
	int64_t start; /* period start */
	int64_t res;   /* bucket width */
	unsigned nslots;
	uint8_t present[ROLLUP_SLOTS_MAX];
	struct agg b[ROLLUP_SLOTS_MAX]; /* last_t absolute */
	/* What rate needs of each present slot (minute blocks): valid for
	 * every present slot when rate is 1.  Filling keeps them; decoding
	 * a block that does not carry them (older blocks, blocks whose
	 * values do not fit, hour blocks) clears rate. */
	int rate;
	struct rate_minute rm[ROLLUP_SLOTS_MAX];
};

void rollup_block_init(
    struct rollup_block *rb, int64_t start, int64_t res, unsigned nslots);
/* Aggregate points (ascending time, all within the period) into rb. */
void rollup_block_fill(
    struct rollup_block *rb, const int64_t *t, const double *v, size_t n);
/* Append the encoded block to out (wscratch: a reusable bit writer, or
 * NULL). */
void rollup_block_encode(
    const struct rollup_block *rb, struct bitw *wscratch, struct buf *out);
/* The same in the layout of store format version fmt (1: interleaved,
 * 2: columns with a 6-byte head, 3 and 4: a 5-byte head, 5: today's,
 * minute blocks with the rate columns when they fit), for tests of
 * reading old stores. */
void rollup_block_encode_format(
    const struct rollup_block *rb, int fmt, struct buf *out);
/* Decode data into rb (initialized with its period); slots present in data
 * replace those in rb (rate columns included).  0, or -1 when corrupt (rb
 * then unchanged). */
int rollup_block_decode(struct rollup_block *rb, const void *data, size_t len);

/* Columns of a bucket a reader needs: count and last_t always come;
 * blocks of format 2 leave the others NaN when not asked for (older
 * blocks always give everything). */
#define ROLLUP_COL_SUM  1u
#define ROLLUP_COL_LAST 2u
#define ROLLUP_COL_MIN  4u
#define ROLLUP_COL_MAX  8u
#define ROLLUP_COL_ALL  15u
/* Also the rate columns (rb->rm, rb->rate) where the block has them. */
#define ROLLUP_COL_FIRST 16u
int rollup_block_decode_cols(
    struct rollup_block *rb, const void *data, size_t len, unsigned cols);
/* Whether the encoded block data carries rate columns. */
int rollup_block_has_rate(const void *data, size_t len);
/* Only the rate columns of a minute block, into rm[0..nslots) (count 0
 * for absent slots), reading none of its value columns: 1, 0 when the
 * block has none (rm then unchanged), -1 when corrupt. */
int rollup_block_decode_rate(const struct rollup_block *rb, const void *data,
    size_t len, struct rate_minute *rm);

#endif
