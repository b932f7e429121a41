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
 *
 * The stream also carries what rate needs of each minute (struct
 * rate_minute: the first point, the drops inside) for the first minutes
 * of the window, until a minute with a drop follows HA_RATE_DROPS others
 * (a gauge, after a few minutes: its drops would cost more bits than the
 * rest; the window's rate minutes are then read from its raw points, as
 * its closed hours' are).  A counter pays one bit a minute (span as the
 * minute before, first value the minimum, no drop).
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
	/* The minute in progress, for rate: its first value, the sum of the
	 * values before its drops (as struct rate_minute). */
	double cur_first, cur_resets;
	/* Counts and offsets in a minute fit 16 bits (times are distinct
	 * milliseconds); small fields keep the struct in 104 bytes. */
	uint16_t cur_count;
	uint16_t cur_nresets;
	uint16_t cur_first_off; /* its first point's offset, in ms */
	uint16_t prev_count;    /* of the previous finished minute */
	uint16_t prev_off;      /* its last point's offset, in ms */
	uint16_t prev_span;     /* its last point's time after its first */
	int8_t prev_slot;       /* its slot in the window (-1: none yet) */
	uint8_t nmin;           /* finished minutes in w */
	uint8_t rate_nmin;      /* the first ones with rate fields */
	uint8_t e : 4;          /* decimal exponent of prev_m */
	uint8_t rate_drops : 3; /* minutes with a drop inside among those */
	uint8_t rate_off : 1;   /* no more rate fields (too many drops) */
};

void headagg_init(struct headagg *ha);
/* Free the stream's buffer and reset (the struct itself is the
 * caller's). */
void headagg_free(struct headagg *ha);
/* Empty, its buffer kept for the next hour's minutes. */
void headagg_clear(struct headagg *ha);
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
/*
 * The rate minutes of the window starting at start (60 one-minute slots,
 * rm[0..60): count 0 where no point, every field set otherwise), equal
 * to rate_minute_point() over the open chunk's points, whose newest is
 * (last_t, last_v).  1 if filled, 0 if the stream carries no rate fields
 * for every minute (read the points instead), -1 if it is corrupt.
 */
struct rate_minute;
int headagg_rate(const struct headagg *ha, int64_t start, int64_t last_t,
    double last_v, struct rate_minute *rm);
/* Bytes held, the struct included (for head memory accounting). */
size_t headagg_memory(const struct headagg *ha);

#endif
