/*
 * Queries: raw points, per-series buckets and pooled groups, answered from
 * the head, the closed chunks and the rollup tiers.  The semantics are
 * those of store.h (struct store_query); a tier is read only where it
 * holds exactly the partial aggregates the raw points would give.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/query-int.h"

#define BUCKETS_MAX (10 * 1000 * 1000) /* per series, and all groups */

static const char *agg_names[] = {
    [STORE_AGG_NONE] = "raw",
    [STORE_AGG_AVG] = "avg",
    [STORE_AGG_MIN] = "min",
    [STORE_AGG_MAX] = "max",
    [STORE_AGG_SUM] = "sum",
    [STORE_AGG_COUNT] = "count",
    [STORE_AGG_LAST] = "last",
};

int
store_agg_parse(const char *name, enum store_agg *agg)
{
	size_t i;

	if (strcmp(name, "none") == 0) {
		*agg = STORE_AGG_NONE;
		return 0;
	}
	for (i = 0; i < sizeof agg_names / sizeof agg_names[0]; i++) {
		if (strcmp(name, agg_names[i]) == 0) {
			*agg = (enum store_agg)i;
			return 0;
		}
	}
	return -1;
}

const char *
store_agg_name(enum store_agg agg)
{
	return (size_t)agg < sizeof agg_names / sizeof agg_names[0]
	           ? agg_names[agg]
	           : "?";
}

void
store_result_add_warning(struct store_result *r, const char *msg)
{
	r->partial = 1; /* every warning is about data left out */
	if (r->nwarnings >= 100)
		return;
	r->warnings =
	    xreallocarray(r->warnings, r->nwarnings + 1, sizeof *r->warnings);
	r->warnings[r->nwarnings++] = xstrdup(msg);
}

void
store_series_result_clear(struct store_series_result *sr)
{
	query_result_series_clear(sr);
}

void
query_result_series_clear(struct store_series_result *sr)
{
	size_t j;

	free(sr->key);
	free((char *)sr->metric);
	for (j = 0; j < sr->ntags; j++) {
		free((char *)sr->tags[j].name);
		free((char *)sr->tags[j].value);
	}
	free(sr->tags);
	free(sr->points);
	memset(sr, 0, sizeof *sr);
}

void
store_result_free(struct store_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		query_result_series_clear(&r->series[i]);
	free(r->series);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof *r);
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Turn the touched buckets of ob into points of sr; clears them. */
static int
take_points(struct qctx *qc, struct agg *ob, size_t *touched, size_t ntouched,
    struct store_series_result *sr, char **cause)
{
	size_t i;

	qsort(touched, ntouched, sizeof *touched, size_cmp);
	if (qc->q->max_points != 0 &&
	    qc->npoints + ntouched > qc->q->max_points) {
		if (cause != NULL)
			*cause = xasprintf(
			    "query returns more than %zu points; "
			    "narrow the selector or the range, or use a larger "
			    "step",
			    qc->q->max_points);
		return -1;
	}
	sr->points = xreallocarray(NULL, ntouched + 1, sizeof *sr->points);
	for (i = 0; i < ntouched; i++) {
		size_t k = touched[i];

		sr->points[i].t = qc->step == 0
		                      ? qc->q->start
		                      : qc->b0 + (int64_t)k * qc->step;
		sr->points[i].v = agg_result(qc->q->agg, &ob[k]);
		memset(&ob[k], 0, sizeof ob[k]);
	}
	sr->npoints = ntouched;
	qc->npoints += ntouched;
	return 0;
}

void
query_result_series(
    struct store_series_result *sr, const struct series *ser, uint32_t id)
{
	struct serieskey sk;
	size_t i;

	sr->id = id;
	sr->key = xstrdup(ser->key);
	sr->nseries = 1;
	if (serieskey_parse(ser->key, strlen(ser->key), &sk, NULL) != 0)
		return;
	sr->metric = xstrdup(sk.metric);
	sr->ntags = sk.ntags;
	sr->tags = xcalloc(sk.ntags + 1, sizeof *sr->tags);
	for (i = 0; i < sk.ntags; i++) {
		sr->tags[i].name = xstrdup(sk.tags[i].name);
		sr->tags[i].value = xstrdup(sk.tags[i].value);
	}
	serieskey_free(&sk);
}

static int
query_raw(struct qctx *qc, const uint32_t *ids, size_t n, char **cause)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct series *ser = &qc->s->ix.series[ids[i]];
		struct store_series_result *sr;
		int64_t lo = qc->q->start, hi = qc->q->end;

		if (ser->last_t < 0)
			continue;
		if (hi > ser->last_t + 1)
			hi = ser->last_t + 1;
		if (ser->first_t > lo)
			lo = ser->first_t;
		qc->pv.n = 0;
		query_feed_raw(qc, ids[i], lo, hi, 1);
		if (qc->pv.n == 0)
			continue;
		if (qc->q->max_points != 0 &&
		    qc->npoints + qc->pv.n > qc->q->max_points) {
			if (cause != NULL)
				*cause = xasprintf(
				    "query returns more than %zu "
				    "points; narrow the selector or the range, "
				    "or aggregate",
				    qc->q->max_points);
			return -1;
		}
		sr = &qc->r->series[qc->r->n++];
		query_result_series(sr, ser, ids[i]);
		sr->points = xreallocarray(NULL, qc->pv.n, sizeof *sr->points);
		for (j = 0; j < qc->pv.n; j++) {
			sr->points[j].t = qc->pv.t[j];
			sr->points[j].v = qc->pv.v[j];
		}
		sr->npoints = qc->pv.n;
		qc->npoints += qc->pv.n;
	}
	return 0;
}

static int
query_series(struct qctx *qc, const uint32_t *ids, size_t n, char **cause)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct store_series_result *sr;

		qc->ntouched = 0;
		query_feed_series(qc, ids[i]);
		if (qc->ntouched == 0)
			continue;
		sr = &qc->r->series[qc->r->n++];
		query_result_series(sr, &qc->s->ix.series[ids[i]], ids[i]);
		if (take_points(
		        qc, qc->ob, qc->touched, qc->ntouched, sr, cause) != 0)
			return -1;
	}
	return 0;
}

/* ---- groups ---- */

struct gmember {
	char *gkey; /* group key: {k="v",...} */
	uint32_t id;
	size_t order; /* position in key order */
};

static int
gmember_cmp(const void *a, const void *b)
{
	const struct gmember *x = a, *y = b;
	int c = strcmp(x->gkey, y->gkey);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
query_groups(struct qctx *qc, const uint32_t *ids, size_t n, char **cause)
{
	struct store *s = qc->s;
	struct gmember *gm = xcalloc(n + 1, sizeof *gm);
	const char **by = xcalloc(qc->q->nby + 1, sizeof *by);
	struct agg *gb = xcalloc(qc->nb, sizeof *gb);
	size_t *gt = xcalloc(qc->nb, sizeof *gt);
	size_t nby = 0, i, j, k, ngt;
	struct buf val = BUF_INIT, key = BUF_INIT;
	int rc = 0;

	/* Sorted, distinct group-by tags. */
	for (i = 0; i < qc->q->nby; i++)
		by[nby++] = qc->q->by[i];
	qsort(by, nby, sizeof *by, str_cmp);
	for (i = 0, j = 0; i < nby; i++) {
		if (j == 0 || strcmp(by[j - 1], by[i]) != 0)
			by[j++] = by[i];
	}
	nby = j;
	for (i = 0; i < n; i++) {
		buf_reset(&key);
		buf_putc(&key, '{');
		for (j = 0, k = 0; j < nby; j++) {
			buf_reset(&val);
			if (index_key_tag(
			        s->ix.series[ids[i]].key, by[j], &val) != 0)
				continue;
			if (k++ > 0)
				buf_putc(&key, ',');
			buf_printf(&key, "%s=\"", by[j]);
			serieskey_escape(&key, buf_str(&val));
			buf_putc(&key, '"');
		}
		buf_putc(&key, '}');
		gm[i].gkey = xstrdup(buf_str(&key));
		gm[i].id = ids[i];
		gm[i].order = i;
	}
	qsort(gm, n, sizeof *gm, gmember_cmp);

	for (i = 0; i < n; i = j) {
		struct store_series_result *sr;
		struct serieskey sk;

		ngt = 0;
		for (j = i; j < n && strcmp(gm[j].gkey, gm[i].gkey) == 0; j++) {
			size_t t;

			qc->ntouched = 0;
			query_feed_series(qc, gm[j].id);
			for (t = 0; t < qc->ntouched; t++) {
				size_t b = qc->touched[t];

				if (gb[b].count == 0)
					gt[ngt++] = b;
				agg_fold(&gb[b], &qc->ob[b]);
				memset(&qc->ob[b], 0, sizeof qc->ob[b]);
			}
		}
		if (ngt == 0)
			continue;
		sr = &qc->r->series[qc->r->n++];
		sr->key = xstrdup(gm[i].gkey);
		sr->nseries = j - i;
		/* Parse the group key back as a key of a dummy metric. */
		buf_reset(&key);
		buf_printf(&key, "g%s", gm[i].gkey);
		if (strcmp(gm[i].gkey, "{}") != 0 &&
		    serieskey_parse(key.data, key.len, &sk, NULL) == 0) {
			sr->ntags = sk.ntags;
			sr->tags = xcalloc(sk.ntags + 1, sizeof *sr->tags);
			for (k = 0; k < sk.ntags; k++) {
				sr->tags[k].name = xstrdup(sk.tags[k].name);
				sr->tags[k].value = xstrdup(sk.tags[k].value);
			}
			serieskey_free(&sk);
		}
		if (take_points(qc, gb, gt, ngt, sr, cause) != 0) {
			rc = -1;
			break;
		}
	}
	for (i = 0; i < n; i++)
		free(gm[i].gkey);
	free(gm);
	free(by);
	free(gb);
	free(gt);
	buf_free(&val);
	buf_free(&key);
	return rc;
}

int
store_query_run(struct store *s, const struct store_query *q,
    struct store_result *r, char **cause)
{
	struct qctx qc;
	uint32_t *ids, *byid = NULL;
	size_t n;
	int rc;

	store_apply_wait(s);
	memset(r, 0, sizeof *r);
	if (q->sel == NULL) {
		if (cause != NULL)
			*cause = xstrdup("query: no selector");
		return -1;
	}
	if (q->start > q->end || q->step < 0 || q->agg < STORE_AGG_NONE ||
	    q->agg > STORE_AGG_LAST) {
		if (cause != NULL)
			*cause = xstrdup(q->step < 0 ? "query: negative step"
			                 : q->start > q->end
			                     ? "query: start after end"
			                     : "query: bad aggregation");
		return -1;
	}
	if (q->agg == STORE_AGG_NONE && q->group) {
		if (cause != NULL)
			*cause = xstrdup("query: raw points cannot be grouped; "
			                 "give an aggregation");
		return -1;
	}
	memset(&qc, 0, sizeof qc);
	qc.s = s;
	qc.q = q;
	qc.r = r;
	qc.step = q->agg == STORE_AGG_NONE ? 0 : q->step;
	if (q->agg != STORE_AGG_NONE) {
		if (qc.step == 0) {
			qc.nb = 1;
		} else {
			int64_t b1 = floor_div(q->end - 1, qc.step);

			qc.b0 = floor_div(q->start, qc.step) * qc.step;
			if (q->end > q->start &&
			    b1 - qc.b0 / qc.step + 1 > BUCKETS_MAX) {
				if (cause != NULL)
					*cause = xasprintf(
					    "query: more than %d "
					    "buckets; use a larger step",
					    BUCKETS_MAX);
				return -1;
			}
			qc.nb = q->end > q->start
			            ? (size_t)(b1 - qc.b0 / qc.step + 1)
			            : 1;
		}
		if (qc.step == 0 || qc.step % STORE_HOUR_MS == 0) {
			qc.R = STORE_HOUR_MS;
			qc.top = LEVEL_HOUR;
		} else if (qc.step % STORE_MINUTE_MS == 0) {
			qc.R = STORE_MINUTE_MS;
			qc.top = LEVEL_MINUTE;
		} else {
			qc.R = qc.step;
			qc.top = LEVEL_RAW;
		}
		/* Sums must be partial sums per R; the other aggregates do
		 * not depend on how the range is cut, so they also use finer
		 * tiers at the edges. */
		qc.finer[LEVEL_RAW] = LEVEL_RAW;
		qc.finer[LEVEL_MINUTE] = LEVEL_RAW;
		if (q->agg == STORE_AGG_SUM || q->agg == STORE_AGG_AVG)
			qc.finer[LEVEL_HOUR] = LEVEL_RAW;
		else
			qc.finer[LEVEL_HOUR] = LEVEL_MINUTE;
		qc.ob = xcalloc(qc.nb, sizeof *qc.ob);
		/* One spare: settling a min/max edge re-touches a bucket. */
		qc.touched = xcalloc(qc.nb + 1, sizeof *qc.touched);
	}
	index_match(&s->ix, q->sel, &ids, &n);
	/* Tier blocks for every series at once, while ids are ascending. */
	if (q->agg != STORE_AGG_NONE && q->start < q->end) {
		byid = xreallocarray(NULL, n + 1, sizeof *byid);
		if (n > 0)
			memcpy(byid, ids, n * sizeof *ids);
		/* The ranges each tier can serve (the head window aside). */
		int64_t ha = align_up(q->start, STORE_HOUR_MS);
		int64_t hb = floor_div(q->end, STORE_HOUR_MS) * STORE_HOUR_MS;
		int64_t ma = align_up(q->start, STORE_MINUTE_MS);
		int64_t mb =
		    floor_div(q->end, STORE_MINUTE_MS) * STORE_MINUTE_MS;

		/* The newest window is open for nearly every series: its
		 * minutes come from the head, not the minute tier. */
		if (s->max_data_t >= 0 && mb > window_of(s->max_data_t))
			mb = window_of(s->max_data_t);

		if (qc.top == LEVEL_HOUR)
			query_prefetch(&qc, LEVEL_HOUR, byid, n, ha, hb);
		if (qc.top == LEVEL_MINUTE)
			query_prefetch(&qc, LEVEL_MINUTE, byid, n, ma, mb);
		else if (qc.top == LEVEL_HOUR &&
		         qc.finer[LEVEL_HOUR] == LEVEL_MINUTE) {
			/* Only the partial hours at the edges. */
			if (ha >= hb)
				query_prefetch(
				    &qc, LEVEL_MINUTE, byid, n, ma, mb);
			else if (hb - ha <= 2 * STORE_HOUR_MS)
				query_prefetch(&qc, LEVEL_MINUTE, byid, n,
				    ma < ha ? ma : ha, mb > hb ? mb : hb);
		}
	}
	index_sort_by_key(&s->ix, ids, n);
	r->series = xcalloc(n + 1, sizeof *r->series);
	if (q->start == q->end)
		rc = 0;
	else {
		qc.it = store_iter(s, STORE_CF_CHUNKS, 1);
		if (q->agg == STORE_AGG_NONE)
			rc = query_raw(&qc, ids, n, cause);
		else if (q->group)
			rc = query_groups(&qc, ids, n, cause);
		else
			rc = query_series(&qc, ids, n, cause);
		rocksdb_iter_destroy(qc.it);
	}
	query_prefetch_free(&qc);
	free(byid);
	free(ids);
	free(qc.ob);
	free(qc.touched);
	ptvec_free(&qc.pv);
	if (rc != 0)
		store_result_free(r);
	return rc;
}

int
store_query_raw(struct store *s, const struct selector *sel, int64_t start,
    int64_t end, struct store_result *r, char **cause)
{
	struct store_query q;

	memset(&q, 0, sizeof q);
	q.sel = sel;
	q.start = start;
	q.end = end;
	q.agg = STORE_AGG_NONE;
	return store_query_run(s, &q, r, cause);
}

int
store_query_last(struct store *s, const struct selector *sel, int64_t since,
    struct store_result *r, char **cause)
{
	uint32_t *ids;
	size_t n, i;

	store_apply_wait(s);
	memset(r, 0, sizeof *r);
	index_match(&s->ix, sel, &ids, &n);
	index_sort_by_key(&s->ix, ids, n);
	r->series = xcalloc(n + 1, sizeof *r->series);
	for (i = 0; i < n; i++) {
		const struct series *ser = &s->ix.series[ids[i]];
		struct store_series_result *sr;

		if (ser->last_t < 0 || ser->last_t < since)
			continue;
		sr = &r->series[r->n++];
		query_result_series(sr, ser, ids[i]);
		sr->points = xmalloc(sizeof *sr->points);
		sr->points[0].t = ser->last_t;
		sr->points[0].v = ser->last_v;
		sr->npoints = 1;
	}
	free(ids);
	return 0;
}
