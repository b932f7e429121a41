/* rate and increase from per-minute summaries (store/rate-minute.h): the
 * same answer as Prometheus's extrapolatedRate over the raw points, for
 * windows that start and end on whole minutes. */
#include "config.h"

#include <stddef.h>

#include "hub/promql/promql-int.h"
#include "store/rate-minute.h"

#define MINUTE INT64_C(60000)

int
promql_minutes_aligned(
    int64_t t0, int64_t step, size_t nsteps, int64_t range, int64_t offset)
{
	if (range <= 0 || range % MINUTE != 0)
		return 0;
	if ((t0 - offset) % MINUTE != 0)
		return 0;
	if (nsteps > 1 && step % MINUTE != 0)
		return 0;
	return 1;
}

/*
 * The window [a, b] holds the points of the minutes [a, b) and, of the
 * minute starting at b, only a point exactly at b (its first).  The
 * resets are added in time order as Prometheus adds them (the value
 * before each drop, the first point compared with 0): a drop from one
 * minute's last point to a later minute's first is added on its own, the
 * drops inside a minute as the minute's sum of them.
 */
int
promql_minutes_rate(const struct rate_minute *m, int64_t m0, int64_t end,
    int64_t range, int counter, int rate, double *out)
{
	const struct rate_minute *at_end;
	int64_t a = end - range, t0 = 0, t1 = 0;
	size_t i, lo, hi, n = 0;
	double v0 = 0, v1 = 0, prev = 0, add[64];
	size_t nadd = 0, k;
	double result;
	int have_end;

	lo = (size_t)((a - m0) / MINUTE);
	hi = (size_t)((end - m0) / MINUTE);
	at_end = &m[hi];
	have_end = at_end->count > 0 && at_end->first_t == end;
	for (i = lo; i < hi; i++) {
		if (m[i].count == 0)
			continue;
		if (n == 0) {
			t0 = m[i].first_t;
			v0 = m[i].first;
		}
		n += m[i].count;
		t1 = m[i].last_t;
		v1 = m[i].last;
	}
	if (have_end) {
		if (n == 0) {
			t0 = end;
			v0 = at_end->first;
		}
		n++;
		t1 = end;
		v1 = at_end->first;
	}
	if (n < 2)
		return 0;
	result = v1 - v0;
	if (counter) {
		for (i = lo; i < hi; i++) {
			if (m[i].count == 0)
				continue;
			if (m[i].first < prev)
				add[nadd++] = prev;
			if (m[i].nresets > 0)
				add[nadd++] = m[i].resets;
			prev = m[i].last;
			if (nadd >= 62) {
				for (k = 0; k < nadd; k++)
					result += add[k];
				nadd = 0;
			}
		}
		if (have_end && at_end->first < prev)
			add[nadd++] = prev;
		for (k = 0; k < nadd; k++)
			result += add[k];
	}
	*out = promql_extrapolate_finish(
	    result, t0, v0, t1, n, a, end, range, counter, rate);
	return 1;
}
