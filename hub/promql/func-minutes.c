/* rate and increase from per-minute summaries (store/rate-minute.h): the
 * same answer as Prometheus's extrapolatedRate over the raw points, for
 * windows that start and end on whole minutes. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hub/promql/promql-int.h"
#include "lib/xmalloc.h"
#include "store/rate-minute.h"
#include "store/store.h"

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

/* Whether minute m (starting at t) has a point exactly at t: the window
 * ending at t includes it (both ends are in). */
static inline int
minutes_point_at(const struct rate_minute *m, int64_t t)
{
	return m->count > 0 && m->first_t == t;
}

/*
 * The window [a, b] holds the points of the minutes [a, b) and, of the
 * minute starting at b, only a point exactly at b (its first).  The
 * resets are added in time order as Prometheus adds them, after last -
 * first (the value before each drop, the first point compared with 0): a
 * drop from one minute's last point to a later minute's first is added on
 * its own, the drops inside a minute as the minute's sum of them.
 */
int
promql_minutes_rate(const struct rate_minute *m, int64_t m0, int64_t end,
    int64_t range, int counter, int rate, struct promql_extrap *x, double *out)
{
	const struct rate_minute *at_end;
	int64_t a = end - range, t0 = end, t1 = end;
	size_t i, lo, hi, n = 0;
	double v0, v1, prev = 0, result;
	int have_end;

	lo = (size_t)((a - m0) / MINUTE);
	hi = (size_t)((end - m0) / MINUTE);
	at_end = &m[hi];
	have_end = minutes_point_at(at_end, end);
	v0 = v1 = at_end->first;
	/* The last point first (usually in the last minute), then the first
	 * one and the resets in one pass. */
	for (i = hi; !have_end && i > lo && m[i - 1].count == 0; i--)
		;
	if (!have_end && i > lo) {
		t1 = m[i - 1].last_t;
		v1 = m[i - 1].last;
	}
	for (i = lo; i < hi && m[i].count == 0; i++)
		;
	if (i < hi) {
		t0 = m[i].first_t;
		v0 = m[i].first;
	}
	result = v1 - v0;
	for (; i < hi; i++) {
		if (m[i].count == 0)
			continue;
		n += m[i].count;
		if (!counter)
			continue;
		if (m[i].first < prev)
			result += prev;
		if (m[i].nresets > 0)
			result += m[i].resets;
		prev = m[i].last;
	}
	if (have_end) {
		n++;
		if (counter && at_end->first < prev)
			result += prev;
	}
	if (n < 2)
		return 0;
	*out = promql_extrap_finish(
	    x, result, t0, v0, t1, n, a, end, counter, rate);
	return 1;
}

/* A series of the output, with its labels and its store key. */
struct min_series {
	char *key;
	struct promql_series s;
};

static int
min_series_cmp(const void *a, const void *b)
{
	return strcmp(((const struct min_series *)a)->key,
	    ((const struct min_series *)b)->key);
}

/* Points of the minutes m[lo..hi) and at end, as the raw path counts. */
static size_t
min_points(const struct rate_minute *m, size_t lo, size_t hi, int64_t end)
{
	size_t i, n = 0;

	for (i = lo; i < hi; i++)
		n += m[i].count;
	return n + (m[hi].count > 0 && m[hi].first_t == end);
}

int
promql_eval_minutes(struct promql_ctx *c, const struct promql_node *sel,
    int64_t w, int counter, int rate, struct promql_value *out)
{
	struct store_minutes *mr = NULL;
	const struct store_series_result *sr;
	const struct rate_minute *m;
	struct min_series *ms = NULL;
	int64_t t0 = promql_step_time(c, 0), a, end, step = 0;
	size_t nms = 0, i, k, npts, max;
	char *cause = NULL;
	int rc = 0;

	if (c->src->minutes == NULL || c->nsteps == 0)
		return 0;
	if (c->nsteps > 1)
		step = promql_step_time(c, 1) - t0;
	if (!promql_minutes_aligned(t0, step, c->nsteps, w, sel->offset_ms))
		return 0;
	a = t0 - sel->offset_ms - w;
	end = promql_step_time(c, c->nsteps - 1) - sel->offset_ms;
	if (a < 0)
		return 0;
	if (c->src->minutes(
	        c->src->arg, sel->sel, a, end + MINUTE, &mr, &cause) != 0) {
		promql_fail(c, PROMQL_ERR_EXECUTION, "%s", cause);
		free(cause);
		return -1;
	}
	if (!store_minutes_useful(mr)) {
		store_minutes_close(mr); /* gauges: the raw windows */
		return 0;
	}
	max = c->q->max_samples > 0 ? c->q->max_samples : PROMQL_MAX_SAMPLES;
	memset(out, 0, sizeof *out);
	out->type = PROMQL_VECTOR;
	out->nsteps = c->nsteps;
	while (rc == 0 && (rc = store_minutes_next(mr, &sr, &m)) == 1) {
		struct min_series *o;
		struct promql_extrap x;

		rc = promql_eval_check(c);
		if (rc != 0)
			break;
		/* As the raw path: a series with no point in [a, end] is
		 * not in the answer. */
		npts = min_points(m, 0, (size_t)((end - a) / MINUTE), end);
		if (npts == 0)
			continue;
		c->samples += npts + c->nsteps;
		if (c->samples > max) {
			rc = promql_fail(c, PROMQL_ERR_EXECUTION,
			    "query processing would load too many samples "
			    "into memory (more than %zu)",
			    max);
			break;
		}
		if ((nms & (nms - 1)) == 0) /* 0, 1, 2, 4, ...: doubled */
			ms = xreallocarray(ms, nms ? nms * 2 : 1, sizeof *ms);
		o = &ms[nms++];
		o->key = xstrdup(sr->key != NULL ? sr->key : "");
		promql_series_init(&o->s, NULL, c->nsteps);
		/* No __name__: rate, increase and delta drop it. */
		for (k = 0; k < sr->ntags; k++)
			promql_series_set_label(
			    &o->s, sr->tags[k].name, sr->tags[k].value);
		promql_extrap_init(&x, w);
		for (k = 0; k < c->nsteps; k++)
			o->s.ok[k] = (unsigned char)promql_minutes_rate(m, a,
			    promql_step_time(c, k) - sel->offset_ms, w, counter,
			    rate, &x, &o->s.v[k]);
	}
	if (rc < 0 && c->cause == NULL)
		promql_fail(c, PROMQL_ERR_EXECUTION, "reading minutes failed");
	c->partial |= store_minutes_partial(mr);
	store_minutes_close(mr);
	/* Series in key order, as the raw path gives them. */
	if (nms > 1)
		qsort(ms, nms, sizeof *ms, min_series_cmp);
	for (i = 0; i < nms; i++) {
		promql_value_push(out, &ms[i].s);
		free(ms[i].key);
	}
	free(ms);
	return rc < 0 ? -1 : 1;
}
