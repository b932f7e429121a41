/*
 * Per-minute aggregates of an open chunk, kept beside it in the head, so
 * that queries at a step of a minute or more read the open window's
 * minutes as they read the minute tier of closed windows instead of
 * decoding every raw point.
 *
 * Finished minutes are appended to a small bit stream (decimal mantissas
 * as differences from the previous minute, Elias-gamma coded; raw doubles
 * when a minute has no short decimal form); the minute in progress is
 * kept as a plain count, sum, min and max, its last point being the open
 * chunk's.  The aggregates are derived state: rebuilt from the open
 * chunk's points whenever those change other than by appending (a late or
 * duplicate point, a reload at open), never stored.
 */
#ifndef CB_STORE_HEADAGG_H
#define CB_STORE_HEADAGG_H

#include <stddef.h>
#include <stdint.h>

#include "store/agg.h"
#include "store/bits.h"
#include "store/rollup.h"

struct headagg {
	struct bitw w;     /* finished minutes */
	int64_t prev_m;    /* last value's mantissa of the previous one */
	int64_t cur_start; /* minute in progress (-1: none) */
	double cur_sum, cur_min, cur_max;
	uint32_t cur_count;
	uint16_t prev_count; /* of the previous finished minute */
	uint16_t prev_off;   /* its last point's offset, in ms */
	int8_t prev_slot;    /* its slot in the window (-1: none yet) */
	uint8_t e;           /* decimal exponent of prev_m */
	uint8_t nmin;        /* finished minutes in w */
};

void headagg_init(struct headagg *ha);
/* Free the stream's buffer and reset (the struct itself is the
 * caller's). */
void headagg_free(struct headagg *ha);
/* Add a point after the open chunk's newest point (last_t, last_v; n
 * points before this one), before it is appended to the chunk. */
void headagg_add(struct headagg *ha, uint32_t n, int64_t last_t, double last_v,
    int64_t t, double v);
/* Rebuild from the open chunk's points (ascending, one window). */
void headagg_build(
    struct headagg *ha, const int64_t *t, const double *v, size_t n);
/*
 * Decode into rb (initialized for the window, 60 one-minute slots) the
 * finished minutes and the one in progress, whose last point is the open
 * chunk's newest (last_t, last_v).  Finished minutes of more than one
 * point get only the ROLLUP_COL_* columns cols asks for (the others are
 * NaN).  0, or -1 if the stream is corrupt.
 */
int headagg_block(const struct headagg *ha, int64_t last_t, double last_v,
    struct rollup_block *rb, unsigned cols);
/* Bytes held, the struct included (for head memory accounting). */
size_t headagg_memory(const struct headagg *ha);

#endif
