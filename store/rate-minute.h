/*
 * What rate and increase need of one minute of a series, so that they can
 * be answered from per-minute summaries instead of raw points: the
 * minute's first point (time and value), its last point, its count, and
 * the counter resets inside it (each added as Prometheus adds it: the
 * value before a drop).  Filled point by point, in time order, like
 * struct agg.  Pure data, no I/O; hub/promql/func-minutes.c evaluates
 * windows over them.
 */
#ifndef CB_STORE_RATE_MINUTE_H
#define CB_STORE_RATE_MINUTE_H

#include <stdint.h>

struct rate_minute {
	uint32_t count;   /* points in the minute (at most 60,000); 0: none */
	uint32_t nresets; /* drops inside the minute */
	int64_t first_t, last_t;
	double first, last;
	double resets; /* sum of the values before each drop, in order */
};

/* Add one point (times ascending, all within the minute). */
static inline void
rate_minute_point(struct rate_minute *m, int64_t t, double v)
{
	if (m->count == 0) {
		m->first_t = t;
		m->first = v;
		m->nresets = 0;
		m->resets = 0;
	} else if (v < m->last) {
		m->resets = m->nresets == 0 ? m->last : m->resets + m->last;
		m->nresets++;
	}
	m->last_t = t;
	m->last = v;
	m->count++;
}

#endif
