/*
 * The aggregation accumulator shared by rollups and queries.  Its rules
 * are the store's contract (see store.h, struct store_query): count
 * counts everything, sum starts from the first value (not 0 + first),
 * min/max skip NaN unless all are NaN and keep the earliest on ties, last
 * is the newest point and ties go to the later input.
 */
#ifndef CB_STORE_AGG_H
#define CB_STORE_AGG_H

#include <math.h>
#include <stdint.h>

#include "store/store.h"

struct agg {
	uint64_t count;
	double sum, min, max, last;
	int64_t last_t;
};

/* Add one point; points come in time order. */
static inline void
agg_point(struct agg *a, int64_t t, double v)
{
	if (a->count == 0) {
		a->sum = a->min = a->max = v;
	} else {
		a->sum += v;
		if (isnan(a->min) || v < a->min)
			a->min = v;
		if (isnan(a->max) || v > a->max)
			a->max = v;
	}
	a->last = v;
	a->last_t = t;
	a->count++;
}

/* Fold a partial aggregate b (of later points, or of a later series)
 * into a. */
static inline void
agg_fold(struct agg *a, const struct agg *b)
{
	if (b->count == 0)
		return;
	if (a->count == 0) {
		*a = *b;
		return;
	}
	a->sum += b->sum;
	if (isnan(a->min) || b->min < a->min)
		a->min = b->min;
	if (isnan(a->max) || b->max > a->max)
		a->max = b->max;
	if (b->last_t >= a->last_t) {
		a->last = b->last;
		a->last_t = b->last_t;
	}
	a->count += b->count;
}

/* The value agg reports for a (avg is sum / count). */
static inline double
agg_result(enum store_agg agg, const struct agg *a)
{
	switch (agg) {
	case STORE_AGG_AVG:
		return a->sum / (double)a->count;
	case STORE_AGG_MIN:
		return a->min;
	case STORE_AGG_MAX:
		return a->max;
	case STORE_AGG_SUM:
		return a->sum;
	case STORE_AGG_COUNT:
		return (double)a->count;
	case STORE_AGG_LAST:
	default:
		return a->last;
	}
}

#endif
