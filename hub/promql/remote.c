/* promql remote read: the span of a query's selectors older than the
 * local raw retention is read from hub.json "remote_read" (raw samples of
 * each selector under the caller's scope, re-masked on arrival) before
 * evaluation, and merged into what the store answers, so the evaluator
 * sees one series per key as a hub holding everything would. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/promql/promql-int.h"
#include "hub/remote/remote.h"
#include "lib/buf.h"
#include "lib/jsonout.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define REMOTE_LOOKBACK_MS (5 * 60 * 1000)

/* One selector of the query and its remote series. */
struct rsel {
	const struct selector *node_sel;  /* the tree's (borrowed) */
	struct selector *scoped;          /* with the caller's scope */
	int64_t start, end;               /* the remote span */
	json_t *series;                   /* as hub_remote_read_merge fills */
	struct store_series_result *prep; /* sorted by key */
	size_t nprep;
};

struct promql_remote {
	struct hub_req *req;
	struct rsel *s;
	size_t n;
	size_t pending;
	int64_t horizon, start, end; /* the whole span asked */
	json_t *warnings;
	void (*done)(void *arg);
	void *arg;
};

/* Add the SELECT nodes of n to rm, with the span each needs. */
static void
remote_collect(struct promql_remote *rm, const struct promql_node *n,
    const struct promql_query *q)
{
	size_t i;

	if (n == NULL)
		return;
	if (n->kind == PROMQL_SELECT && n->sel != NULL) {
		int64_t w = n->range_ms > 0      ? n->range_ms
		            : q->lookback_ms > 0 ? q->lookback_ms
		                                 : REMOTE_LOOKBACK_MS;
		int64_t from = q->start - n->offset_ms - w;
		int64_t to = q->end - n->offset_ms;
		struct rsel *r;

		if (from < 0)
			from = 0;
		if (from < rm->start)
			rm->start = from;
		if (to > rm->end)
			rm->end = to;
		if (from < rm->horizon && to >= from) {
			rm->s = xreallocarray(rm->s, rm->n + 1, sizeof *rm->s);
			r = &rm->s[rm->n++];
			memset(r, 0, sizeof *r);
			r->node_sel = n->sel;
			r->start = from;
			r->end = to < rm->horizon ? to : rm->horizon - 1;
		}
	}
	for (i = 0; i < n->nargs; i++)
		remote_collect(rm, n->args[i], q);
}

struct promql_remote *
promql_remote_plan(
    struct hub *h, const struct promql_node *root, const struct promql_query *q)
{
	struct promql_remote *rm;
	int64_t horizon;

	if ((horizon = hub_remote_read_horizon(h, hub_now(h), 0)) == INT64_MIN)
		return NULL;
	rm = xcalloc(1, sizeof *rm);
	rm->horizon = horizon;
	rm->start = INT64_MAX;
	rm->end = INT64_MIN;
	remote_collect(rm, root, q);
	if (rm->n == 0) {
		promql_remote_free(rm);
		return NULL;
	}
	return rm;
}

static int
remote_tag_cmp(const void *a, const void *b)
{
	return strcmp(((const struct serieskey_tag *)a)->name,
	    ((const struct serieskey_tag *)b)->name);
}

static int
remote_series_cmp(const void *a, const void *b)
{
	return strcmp(((const struct store_series_result *)a)->key,
	    ((const struct store_series_result *)b)->key);
}

/* One remote series (the JSON of hub_remote_read_merge) as a store
 * result series in *sr (owned by it); 0, or -1 for one without a valid
 * key (left out). */
static int
remote_series_prep(json_t *js, struct store_series_result *sr)
{
	const char *metric = json_string_value(json_object_get(js, "metric"));
	json_t *labels = json_object_get(js, "labels"), *pts, *p, *v;
	struct serieskey_tag *tags;
	struct buf key = BUF_INIT;
	const char *name;
	size_t n = 0, i;
	char *cause = NULL;

	if (metric == NULL || !json_is_object(labels))
		return -1;
	tags = xcalloc(json_object_size(labels) + 1, sizeof *tags);
	json_object_foreach(labels, name, v)
	{
		if (json_string_value(v) == NULL)
			continue;
		tags[n].name = xstrdup(name);
		tags[n++].value = xstrdup(json_string_value(v));
	}
	qsort(tags, n, sizeof *tags, remote_tag_cmp);
	memset(sr, 0, sizeof *sr);
	sr->tags = tags;
	sr->ntags = n;
	sr->metric = xstrdup(metric);
	sr->nseries = 1;
	if (serieskey_build(&key, metric, tags, n, &cause) != 0) {
		free(cause);
		buf_free(&key);
		sr->key = xstrdup("");
		return -1;
	}
	sr->key = xstrdup(buf_str(&key));
	buf_free(&key);
	pts = json_object_get(js, "points");
	sr->points = xcalloc(json_array_size(pts) + 1, sizeof *sr->points);
	json_array_foreach(pts, i, p)
	{
		v = json_array_get(p, 1);
		sr->points[sr->npoints].t =
		    (int64_t)json_integer_value(json_array_get(p, 0));
		sr->points[sr->npoints++].v =
		    json_is_number(v) ? json_number_value(v) : NAN;
	}
	return 0;
}

/* The series of r's answer as sorted store results. */
static void
remote_rsel_prep(struct rsel *r)
{
	size_t i, n = json_array_size(r->series);

	r->prep = xcalloc(n + 1, sizeof *r->prep);
	for (i = 0; i < n; i++) {
		struct store_series_result *sr = &r->prep[r->nprep];

		if (remote_series_prep(json_array_get(r->series, i), sr) == 0)
			r->nprep++;
		else
			store_series_result_clear(sr);
	}
	qsort(r->prep, r->nprep, sizeof *r->prep, remote_series_cmp);
}

static void
remote_warn(struct promql_remote *rm, const char *cause)
{
	if (rm->warnings == NULL)
		rm->warnings = json_array();
	json_array_append_new(
	    rm->warnings, json_sprintf("remote_read: %s", cause));
}

/* One read ended; the last calls rm->done. */
static void
remote_read_done(int rc, const char *cause, void *arg)
{
	struct promql_remote *rm = arg;

	if (rc != 0)
		remote_warn(rm, cause);
	if (--rm->pending > 0)
		return;
	for (size_t i = 0; i < rm->n; i++)
		remote_rsel_prep(&rm->s[i]);
	rm->done(rm->arg);
}

void
promql_remote_run(struct promql_remote *rm, struct hub_req *req,
    void (*done)(void *arg), void *arg)
{
	char *cause = NULL;
	size_t i;

	rm->req = req;
	rm->done = done;
	rm->arg = arg;
	rm->pending = 1; /* until every read is started */
	for (i = 0; i < rm->n; i++) {
		struct rsel *r = &rm->s[i];

		r->series = json_array();
		r->scoped = promql_route_scoped(req, r->node_sel, &cause);
		if (r->scoped == NULL ||
		    hub_remote_read_merge_start(req->hub, r->scoped, r->start,
		        r->end, r->series, remote_read_done, rm, &cause) != 0) {
			remote_warn(rm, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		rm->pending++;
	}
	remote_read_done(0, NULL, rm);
}

/* Merge r's remote points in [start, end] into the local series dst
 * (its points replaced; local points win at equal times). */
static void
remote_points_merge(struct store_series_result *dst,
    const struct store_series_result *r, int64_t start, int64_t end)
{
	struct store_point *m;
	size_t i = 0, j = 0, o = 0, n = 0;

	while (j < r->npoints && r->points[j].t < start)
		j++;
	for (n = j; n < r->npoints && r->points[n].t <= end; n++)
		;
	if (n == j)
		return;
	m = xcalloc(dst->npoints + (n - j) + 1, sizeof *m);
	while (i < dst->npoints || j < n) {
		if (j == n ||
		    (i < dst->npoints && dst->points[i].t <= r->points[j].t)) {
			if (j < n && dst->points[i].t == r->points[j].t)
				j++;
			m[o++] = dst->points[i++];
		} else
			m[o++] = r->points[j++];
	}
	free(dst->points);
	dst->points = m;
	dst->npoints = o;
}

/* A copy of s without points. */
static void
remote_series_copy(
    struct store_series_result *dst, const struct store_series_result *s)
{
	size_t k;

	memset(dst, 0, sizeof *dst);
	dst->key = xstrdup(s->key);
	dst->metric = xstrdup(s->metric);
	dst->nseries = 1;
	dst->ntags = s->ntags;
	dst->tags = xcalloc(s->ntags + 1, sizeof *dst->tags);
	for (k = 0; k < s->ntags; k++) {
		dst->tags[k].name = xstrdup(s->tags[k].name);
		dst->tags[k].value = xstrdup(s->tags[k].value);
	}
}

static int
remote_fetch(void *arg, const struct selector *sel, int64_t start, int64_t end,
    struct store_result *r, char **cause)
{
	struct promql_remote *rm = arg;
	struct store_series_result *all;
	struct rsel *rs = NULL;
	size_t i, j, n0;

	if (promql_route_fetch(rm->req, sel, start, end, r, cause) != 0)
		return -1;
	for (i = 0; i < rm->n && rs == NULL; i++)
		if (rm->s[i].node_sel == sel)
			rs = &rm->s[i];
	if (rs == NULL || rs->nprep == 0 || start > rs->end)
		return 0;
	n0 = r->n;
	all = xcalloc(n0 + rs->nprep + 1, sizeof *all);
	if (n0 > 0) /* r->series may be NULL when nothing was local */
		memcpy(all, r->series, n0 * sizeof *all);
	qsort(all, n0, sizeof *all, remote_series_cmp);
	for (j = 0; j < rs->nprep; j++) {
		struct store_series_result key = {.key = rs->prep[j].key}, *d;

		d = bsearch(&key, all, n0, sizeof *all, remote_series_cmp);
		if (d == NULL) {
			d = &all[r->n++];
			remote_series_copy(d, &rs->prep[j]);
		}
		remote_points_merge(d, &rs->prep[j], start, end);
	}
	/* Series whose remote span has no points here are left out. */
	for (i = j = 0; i < r->n; i++) {
		if (i >= n0 && all[i].npoints == 0) {
			store_series_result_clear(&all[i]);
			continue;
		}
		all[j++] = all[i];
	}
	r->n = j;
	qsort(all, r->n, sizeof *all, remote_series_cmp);
	free(r->series);
	r->series = all;
	return 0;
}

void
promql_remote_source(struct promql_remote *rm, struct promql_source *src)
{
	memset(src, 0, sizeof *src);
	src->fetch = remote_fetch;
	src->arg = rm;
}

void
promql_remote_envelope(
    const struct promql_remote *rm, struct buf *out, json_t *warnings)
{
	json_t *sources = json_array();

	json_array_append_new(sources,
	    json_pack("{s:s,s:I,s:I}", "from", "remote", "start_ms",
	        (json_int_t)rm->start, "end_ms",
	        (json_int_t)(rm->end < rm->horizon ? rm->end
	                                           : rm->horizon - 1)));
	if (rm->end >= rm->horizon)
		json_array_append_new(
		    sources, json_pack("{s:s,s:I,s:I}", "from", "local",
		                 "start_ms", (json_int_t)rm->horizon, "end_ms",
		                 (json_int_t)rm->end));
	buf_puts(out, ",\"sources\":");
	jsonout_append(out, sources);
	json_decref(sources);
	if (rm->warnings != NULL)
		json_array_extend(warnings, rm->warnings);
}

void
promql_remote_free(struct promql_remote *rm)
{
	size_t i, k;

	if (rm == NULL)
		return;
	for (i = 0; i < rm->n; i++) {
		selector_free(rm->s[i].scoped);
		json_decref(rm->s[i].series);
		for (k = 0; k < rm->s[i].nprep; k++)
			store_series_result_clear(&rm->s[i].prep[k]);
		free(rm->s[i].prep);
	}
	free(rm->s);
	json_decref(rm->warnings);
	free(rm);
}
