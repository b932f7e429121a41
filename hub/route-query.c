/* Query routes: query, series, labels, label values (docs/api.md).  Every
 * selector gets the caller's scope added, so masking happens before any
 * aggregation. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/query-agg.h"
#include "hub/query-scope.h"
#include "hub/remote/remote.h"
#include "hub/territory.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/jsonout.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define QUERY_MAX_POINTS 2000000

/* Add the caller's scope to sel; NULL with *err set after replying 403
 * when the scope cannot be applied (never an unscoped query). */
static struct selector *
query_scope(struct hub_req *req, struct selector *sel, int *err)
{
	char *cause = NULL;

	if (hub_query_scope(req->hub->territory, req->id.scope, &sel, &cause) !=
	    0) {
		hub_reply_error(
		    req, 403, "%s: refusing to query unscoped", cause);
		free(cause);
		*err = 1;
		return NULL;
	}
	return sel;
}

/* Parse ?q= plus scope; replies and returns NULL on error.  *required
 * says whether q must be present. */
static struct selector *
query_selector(struct hub_req *req, int required, int *err)
{
	const char *q = hub_req_query(req, "q");
	struct selector *sel = NULL;
	char *cause = NULL;

	*err = 0;
	if (q == NULL || *q == '\0') {
		if (required) {
			hub_reply_error(req, 400,
			    "q: a selector such as metric{tag=\"v\"} is "
			    "required");
			*err = 1;
			return NULL;
		}
		return query_scope(req, NULL, err);
	}
	if ((sel = selector_parse_cause(q, &cause)) == NULL) {
		hub_reply_error(req, 400, "q: %s", cause);
		free(cause);
		*err = 1;
		return NULL;
	}
	return query_scope(req, sel, err);
}

static json_t *
query_labels(const struct serieskey_tag *tags, size_t n)
{
	json_t *j = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_set_new(
		    j, tags[i].name, json_string(tags[i].value));
	return j;
}

/* Append a JSON string (the store's keys and tags are valid UTF-8). */
static void
query_put_string(struct buf *b, const char *s)
{
	jsonout_string(b, s, strlen(s));
}

/* Append s's points as [[t,v],...], written straight into b (a jansson
 * array per point was most of a raw query's time). */
static void
query_put_points(struct buf *b, const struct store_series_result *s)
{
	char *p;
	size_t k;

	buf_reserve(
	    b, 2 + s->npoints * (JSONOUT_INT_MAX + JSONOUT_DOUBLE_MAX + 4));
	p = b->data + b->len;
	*p++ = '[';
	for (k = 0; k < s->npoints; k++) {
		if (k > 0)
			*p++ = ',';
		*p++ = '[';
		p += jsonout_int(s->points[k].t, p);
		*p++ = ',';
		p += jsonout_real_or_null(s->points[k].v, p);
		*p++ = ']';
	}
	*p++ = ']';
	*p = '\0';
	b->len = (size_t)(p - b->data);
}

/* Append r's series to b, each as {"labels":{..},"points":[..],
 * "metric":..,"series":N} (a comma before each but the first when *n is
 * not 0; *n counts them); metric (may be NULL) is the metric name of a
 * by=__name__ group, added to its labels. */
static void
query_result_json(
    const struct store_result *r, const char *metric, struct buf *b, size_t *n)
{
	char num[JSONOUT_INT_MAX];
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		const struct store_series_result *s = &r->series[i];

		if ((*n)++ > 0)
			buf_putc(b, ',');
		buf_puts(b, "{\"labels\":{");
		for (k = 0; k < s->ntags; k++) {
			if (k > 0)
				buf_putc(b, ',');
			query_put_string(b, s->tags[k].name);
			buf_putc(b, ':');
			query_put_string(b, s->tags[k].value);
		}
		if (metric != NULL) {
			buf_puts(b, k > 0 ? ",\"__name__\":" : "\"__name__\":");
			query_put_string(b, metric);
		}
		buf_puts(b, "},\"points\":");
		query_put_points(b, s);
		if (s->metric != NULL || metric != NULL) {
			buf_puts(b, ",\"metric\":");
			query_put_string(
			    b, s->metric != NULL ? s->metric : metric);
		}
		if (s->metric == NULL) {
			buf_puts(b, ",\"series\":");
			buf_append(
			    b, num, jsonout_int((int64_t)s->nseries, num));
		}
		buf_putc(b, '}');
	}
}

/*
 * Run q once per metric name matching q->sel, each with the matcher
 * __name__="NAME" added, and append the groups to out with __name__ in
 * their labels: the store groups by tags only, so by=__name__ is done
 * here.  0, or -1 after replying.
 */
static int
query_run_by_name(struct hub_req *req, struct store_query *q,
    struct selector *sel, long limit, struct buf *out, size_t *nout)
{
	struct selector_matcher *m;
	struct store_result r;
	char **names = NULL, *cause = NULL;
	size_t i, total = 0;
	int rc = 0;

	if (store_tag_values(
	        req->hub->store, "__name__", sel, &names, NULL, &cause) != 0) {
		hub_reply_error(req, 400, "query: %s", cause);
		free(cause);
		return -1;
	}
	sel->m = xreallocarray(sel->m, sel->n + 1, sizeof *sel->m);
	m = &sel->m[sel->n];
	memset(m, 0, sizeof *m);
	m->name = xstrdup("__name__");
	m->op = SELECTOR_EQ;
	sel->n++;
	for (i = 0; names[i] != NULL && rc == 0; i++) {
		m->value = names[i];
		if (store_query_run(req->hub->store, q, &r, &cause) != 0) {
			hub_reply_error(req, 400, "query: %s", cause);
			free(cause);
			rc = -1;
			break;
		}
		total += r.n;
		if ((long)total > limit) {
			hub_reply_error(req, 400,
			    "more than limit=%ld groups: narrow the selector",
			    limit);
			rc = -1;
		} else
			query_result_json(&r, names[i], out, nout);
		store_result_free(&r);
	}
	m->value = NULL; /* borrowed from names */
	free(m->name);
	sel->n--;
	store_strings_free(names);
	return rc;
}

/* Whether "remote_read" completes a query: a raw one (its reply then
 * says which spans came from where), or an aggregate reaching before
 * what the store's tiers keep for its step (answered from raw points,
 * hub/query-agg.h). */
static int
query_remote_applies(struct hub *h, const struct store_query *q, int64_t now)
{
	int64_t horizon = hub_remote_read_horizon(
	    h, now, q->agg == STORE_AGG_NONE ? 0 : q->step);

	if (horizon == INT64_MIN)
		return 0;
	if (q->agg == STORE_AGG_NONE)
		return !q->group && q->step <= 0;
	return q->start < horizon;
}

/*
 * The spans of a query that "remote_read" completes, as its reply's
 * "sources" (new reference): the part older than the local raw retention
 * comes from the remote store, [*rstart, *rend] (*rend < *rstart: none).
 */
static json_t *
query_remote_sources(struct hub *h, const struct store_query *q, int64_t now,
    int64_t *rstart, int64_t *rend)
{
	int64_t horizon = hub_remote_read_horizon(h, now, 0);
	json_t *sources = json_array();

	*rstart = 0;
	*rend = -1;
	if (q->start < horizon) {
		*rstart = q->start;
		*rend = q->end < horizon ? q->end : horizon - 1;
		json_array_append_new(sources,
		    json_pack("{s:s,s:I,s:I}", "from", "remote", "start_ms",
		        (json_int_t)*rstart, "end_ms", (json_int_t)*rend));
	}
	if (q->end >= horizon)
		json_array_append_new(sources,
		    json_pack("{s:s,s:I,s:I}", "from", "local", "start_ms",
		        (json_int_t)(q->start > horizon ? q->start : horizon),
		        "end_ms", (json_int_t)q->end));
	return sources;
}

/* A query that remote_read completes, answered when the remote store
 * has (the event loop serves other requests meanwhile). */
struct query_later {
	struct hub_req *req; /* deferred; finished by query_later_done */
	struct buf out;      /* the reply up to "series":[ */
	json_t *series, *warn, *sources;
	struct selector *sel; /* the remote read borrows it */
	long limit;
	/* An aggregate: series holds raw points until the reply, which
	 * aggregates them as agg says (its by strings owned here). */
	int aggregate, by_name;
	struct store_query agg;
};

/* Finish the reply in ql->out with ql's series, warnings and sources and
 * send it (400 when the remote store added series past the limit). */
static void
query_later_reply(struct query_later *ql)
{
	struct hub_req *req = ql->req;
	json_t *agg;
	size_t i;

	if (ql->aggregate) {
		agg = hub_query_agg(ql->series, &ql->agg, ql->by_name);
		json_decref(ql->series);
		ql->series = agg;
	}

	if ((long)json_array_size(ql->series) > ql->limit) {
		hub_reply_error(req, 400,
		    "%zu series match with the remote store, more than "
		    "limit=%ld: narrow the selector",
		    json_array_size(ql->series), ql->limit);
		return;
	}
	for (i = 0; i < json_array_size(ql->series); i++) {
		if (i > 0)
			buf_putc(&ql->out, ',');
		jsonout_append(&ql->out, json_array_get(ql->series, i));
	}
	buf_putc(&ql->out, ']');
	if (ql->warn != NULL) {
		buf_puts(&ql->out, ",\"warnings\":");
		jsonout_append(&ql->out, ql->warn);
	}
	buf_puts(&ql->out, ",\"sources\":");
	jsonout_append(&ql->out, ql->sources);
	buf_putc(&ql->out, '}');
	hub_reply_json_buf(req, 200, &ql->out);
}

static void
query_later_free(struct query_later *ql)
{
	buf_free(&ql->out);
	json_decref(ql->series);
	json_decref(ql->warn);
	json_decref(ql->sources);
	selector_free(ql->sel);
	for (size_t i = 0; i < ql->agg.nby; i++)
		free((char *)ql->agg.by[i]);
	free((char **)ql->agg.by);
	free(ql);
}

/* The remote read ended: a failure becomes a warning. */
static void
query_later_done(int rc, const char *cause, void *arg)
{
	struct query_later *ql = arg;

	if (rc != 0) {
		if (ql->warn == NULL)
			ql->warn = json_array();
		json_array_append_new(
		    ql->warn, json_sprintf("remote_read: %s", cause));
	}
	query_later_reply(ql);
	hub_req_finish(ql->req);
	query_later_free(ql);
}

/*
 * Answer a raw query whose local series are in ql (which this takes):
 * with a span older than the local raw retention, read it from the
 * remote store on the loop and answer later; else answer now.
 */
static void
query_remote(struct hub_req *req, const struct store_query *q, int64_t now,
    struct query_later *ql)
{
	int64_t rstart, rend;
	char *cause = NULL;

	ql->sources = query_remote_sources(req->hub, q, now, &rstart, &rend);
	if (rend >= rstart) {
		ql->req = hub_req_defer(req);
		if (hub_remote_read_merge_start(req->hub, ql->sel, rstart, rend,
		        ql->series, query_later_done, ql, &cause) == 0)
			return;
		query_later_done(-1, cause, ql);
		free(cause);
		return;
	}
	ql->req = req;
	query_later_reply(ql);
	query_later_free(ql);
}

/*
 * Answer the aggregate q (reply so far in out, which this takes; sel is
 * taken too) whose range reaches past what the store keeps: the raw
 * points of the store and of the remote store, aggregated on the hub
 * exactly as the store would (hub/query-agg.h).
 */
static void
query_agg_remote(struct hub_req *req, const struct store_query *q, int by_name,
    struct selector *sel, long limit, struct buf *out, int64_t now)
{
	struct store_query rq;
	struct store_result r;
	struct query_later *ql;
	struct buf sb = BUF_INIT;
	char *cause = NULL;
	size_t i, n = 0;

	memset(&rq, 0, sizeof rq);
	rq.sel = sel;
	rq.start = q->start;
	rq.end = q->end;
	rq.agg = STORE_AGG_NONE;
	rq.max_points = QUERY_MAX_POINTS;
	if (store_query_run(req->hub->store, &rq, &r, &cause) != 0) {
		hub_reply_error(req, 400, "query: %s", cause);
		free(cause);
		selector_free(sel);
		return;
	}
	ql = xcalloc(1, sizeof *ql);
	buf_putc(&sb, '[');
	query_result_json(&r, NULL, &sb, &n);
	buf_putc(&sb, ']');
	ql->series = json_loadb(sb.data, sb.len, 0, NULL);
	buf_free(&sb);
	for (i = 0; r.partial && i < r.nwarnings; i++) {
		if (ql->warn == NULL)
			ql->warn = json_array();
		json_array_append_new(ql->warn, json_string(r.warnings[i]));
	}
	store_result_free(&r);
	if (ql->series == NULL)
		ql->series = json_array();
	ql->out = *out;
	*out = (struct buf)BUF_INIT;
	ql->sel = sel;
	ql->limit = limit;
	ql->aggregate = 1;
	ql->by_name = by_name;
	ql->agg = *q;
	ql->agg.sel = NULL;
	ql->agg.by = xcalloc(q->nby + 1, sizeof *ql->agg.by);
	for (i = 0; i < q->nby; i++)
		((char **)ql->agg.by)[i] = xstrdup(q->by[i]);
	query_remote(req, q, now, ql);
}

static void
query_run(struct hub_req *req)
{
	struct hub *h = req->hub;
	struct store_query q;
	struct store_result r;
	struct selector *sel;
	const char *p, *by;
	char *cause = NULL, *bycopy = NULL, *tok, *save;
	const char *bys[SERIESKEY_TAGS_MAX];
	struct buf out = BUF_INIT, sb = BUF_INIT;
	json_t *qj = NULL, *series = NULL, *warn = NULL;
	char num[JSONOUT_INT_MAX];
	int64_t now = hub_now(h);
	long limit = 1000;
	size_t i, nby = 0, nseries = 0;
	int err, by_name = 0;

	if ((sel = query_selector(req, 1, &err)) == NULL)
		return;
	memset(&q, 0, sizeof q);
	q.sel = sel;
	q.end = now;
	q.start = now - 3600000;
	if ((p = hub_req_query(req, "start")) != NULL &&
	    hub_parse_time(p, now, &q.start) != 0) {
		hub_reply_error(req, 400,
		    "start: expected ms since the epoch, "
		    "RFC 3339, \"now\" or \"-1h\"");
		goto out;
	}
	if ((p = hub_req_query(req, "end")) != NULL &&
	    hub_parse_time(p, now, &q.end) != 0) {
		hub_reply_error(req, 400,
		    "end: expected ms since the epoch, "
		    "RFC 3339, \"now\" or \"-1h\"");
		goto out;
	}
	if (q.end <= q.start) {
		hub_reply_error(req, 400, "end must be after start");
		goto out;
	}
	if ((p = hub_req_query(req, "step")) != NULL &&
	    (clock_parse_duration(p, &q.step) != 0 || q.step <= 0)) {
		hub_reply_error(
		    req, 400, "step: expected a duration such as \"1m\"");
		goto out;
	}
	if (q.step > 0 && (q.end - q.start) / q.step > 100000) {
		hub_reply_error(
		    req, 400, "step too small: more than 100000 buckets");
		goto out;
	}
	q.agg = STORE_AGG_NONE;
	if ((p = hub_req_query(req, "agg")) != NULL &&
	    (store_agg_parse(p, &q.agg) != 0)) {
		hub_reply_error(req, 400,
		    "agg: expected avg, sum, min, max, count or last");
		goto out;
	}
	by = hub_req_query(req, "by");
	if (by != NULL) {
		q.group = 1;
		bycopy = xstrdup(by);
		for (tok = strtok_r(bycopy, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			if (nby == SERIESKEY_TAGS_MAX)
				break;
			bys[nby++] = tok;
		}
		/* The store groups by tags; __name__ goes last and is
		 * handled by query_run_by_name. */
		for (i = 0; i < nby; i++) {
			if (strcmp(bys[i], "__name__") == 0) {
				by_name = 1;
				continue;
			}
			bys[q.nby++] = bys[i];
		}
		q.by = bys;
		if (q.step == 0)
			q.step = (q.end - q.start) / 120 > 1000
			             ? (q.end - q.start) / 120 / 1000 * 1000
			             : 1000;
	}
	if ((q.step > 0 || q.group) && q.agg == STORE_AGG_NONE)
		q.agg = STORE_AGG_AVG;
	if ((p = hub_req_query(req, "limit")) != NULL) {
		char *end;

		limit = strtol(p, &end, 10);
		if (*p == '\0' || *end != '\0' || limit <= 0) {
			hub_reply_error(
			    req, 400, "limit: expected a positive number");
			goto out;
		}
	}
	q.max_points = QUERY_MAX_POINTS;
	/* The reply is written as it goes: what it echoes, then the series
	 * straight from the result. */
	if ((qj = json_string(hub_req_query(req, "q"))) == NULL) {
		hub_reply_error(req, 400, "q: not UTF-8");
		goto out;
	}
	buf_reserve(&out, 4096);
	buf_puts(&out, "{\"query\":");
	jsonout_string(&out, json_string_value(qj), json_string_length(qj));
	buf_puts(&out, ",\"start_ms\":");
	buf_append(&out, num, jsonout_int(q.start, num));
	buf_puts(&out, ",\"end_ms\":");
	buf_append(&out, num, jsonout_int(q.end, num));
	buf_puts(&out, ",\"step_ms\":");
	buf_append(&out, num, jsonout_int(q.step, num));
	buf_puts(&out, ",\"agg\":");
	query_put_string(
	    &out, q.agg == STORE_AGG_NONE ? "raw" : store_agg_name(q.agg));
	buf_puts(&out, ",\"by\":[");
	for (i = 0; i < q.nby; i++) {
		if (i > 0)
			buf_putc(&out, ',');
		query_put_string(&out, bys[i]);
	}
	if (by_name)
		buf_puts(&out, q.nby > 0 ? ",\"__name__\"" : "\"__name__\"");
	buf_puts(&out, "],\"series\":[");
	if (q.agg != STORE_AGG_NONE && query_remote_applies(h, &q, now)) {
		query_agg_remote(req, &q, by_name, sel, limit, &out, now);
		sel = NULL;
		goto out;
	}
	if (by_name) {
		if (query_run_by_name(req, &q, sel, limit, &out, &nseries) != 0)
			goto out;
		buf_putc(&out, ']');
	} else {
		if (store_query_run(h->store, &q, &r, &cause) != 0) {
			hub_reply_error(req, 400, "query: %s", cause);
			free(cause);
			goto out;
		}
		if ((long)r.n > limit) {
			hub_reply_error(req, 400,
			    "%zu series match, more than limit=%ld: narrow "
			    "the selector or use by=",
			    r.n, limit);
			store_result_free(&r);
			goto out;
		}
		if (!query_remote_applies(h, &q, now)) {
			query_result_json(&r, NULL, &out, &nseries);
			buf_putc(&out, ']');
		} else {
			/* The older span comes from the long-term store and
			 * is merged series by series: the local series go
			 * through a jansson array first (this path only). */
			buf_putc(&sb, '[');
			query_result_json(&r, NULL, &sb, &nseries);
			buf_putc(&sb, ']');
			series = json_loadb(sb.data, sb.len, 0, NULL);
			if (series == NULL) {
				hub_reply_error(
				    req, 500, "query: reply encoding");
				store_result_free(&r);
				goto out;
			}
		}
		/* The store could not read part of the range: say so. */
		for (i = 0; r.partial && i < r.nwarnings; i++) {
			if (warn == NULL)
				warn = json_array();
			json_array_append_new(warn, json_string(r.warnings[i]));
		}
		store_result_free(&r);
		if (series != NULL) {
			struct query_later *ql = xcalloc(1, sizeof *ql);

			/* ql takes the reply so far and what it needs. */
			ql->out = out;
			out = (struct buf)BUF_INIT;
			ql->series = series;
			ql->warn = warn;
			ql->sel = sel;
			ql->limit = limit;
			series = warn = NULL;
			sel = NULL;
			query_remote(req, &q, now, ql);
			goto out;
		}
		if (warn != NULL) {
			buf_puts(&out, ",\"warnings\":");
			jsonout_append(&out, warn);
		}
	}
	buf_putc(&out, '}');
	hub_reply_json_buf(req, 200, &out);
out:
	buf_free(&out);
	buf_free(&sb);
	json_decref(qj);
	json_decref(series);
	json_decref(warn);
	free(bycopy);
	selector_free(sel);
}

static void
query_series(struct hub_req *req)
{
	struct store_series_list l;
	struct selector *sel;
	struct serieskey sk;
	char *cause = NULL;
	json_t *arr;
	size_t i;
	int err;

	if ((sel = query_selector(req, 1, &err)) == NULL)
		return;
	if (store_series_list(req->hub->store, sel, &l, &cause) != 0) {
		hub_reply_error(req, 500, "store: %s", cause);
		free(cause);
		selector_free(sel);
		return;
	}
	arr = json_array();
	for (i = 0; i < l.n && i < 100000; i++) {
		if (serieskey_parse(l.series[i].key, strlen(l.series[i].key),
		        &sk, NULL) != 0)
			continue;
		json_array_append_new(arr,
		    json_pack("{s:s,s:s,s:o}", "key", l.series[i].key, "metric",
		        sk.metric, "labels", query_labels(sk.tags, sk.ntags)));
		serieskey_free(&sk);
	}
	hub_reply_json(req, 200,
	    json_pack("{s:o,s:I}", "series", arr, "total", (json_int_t)l.n));
	store_series_list_free(&l);
	selector_free(sel);
}

static void
query_labels_list(struct hub_req *req)
{
	char **names = NULL, *cause = NULL;
	json_t *arr;
	size_t i;

	if (store_tag_names(req->hub->store, &names, NULL, &cause) != 0) {
		hub_reply_error(req, 500, "store: %s", cause);
		free(cause);
		return;
	}
	arr = json_array();
	for (i = 0; names[i] != NULL; i++)
		json_array_append_new(arr, json_string(names[i]));
	store_strings_free(names);
	hub_reply_json(req, 200, json_pack("{s:o}", "labels", arr));
}

static void
query_label_values(struct hub_req *req)
{
	const char *tag = hub_req_param(req, "tag");
	struct selector *sel;
	char **values = NULL, *cause = NULL;
	json_t *arr;
	size_t i;
	int err;

	sel = query_selector(req, 0, &err);
	if (err)
		return;
	if (store_tag_values(
	        req->hub->store, tag, sel, &values, NULL, &cause) != 0) {
		hub_reply_error(req, 400, "%s", cause);
		free(cause);
		selector_free(sel);
		return;
	}
	arr = json_array();
	for (i = 0; values[i] != NULL; i++)
		json_array_append_new(arr, json_string(values[i]));
	store_strings_free(values);
	selector_free(sel);
	hub_reply_json(
	    req, 200, json_pack("{s:s,s:o}", "tag", tag, "values", arr));
}

const struct hub_route hub_routes_query[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/query",
        .handler = query_run,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/series",
        .handler = query_series,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/labels",
        .handler = query_labels_list,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/labels/{tag}/values",
        .handler = query_label_values,
        .min_role = HUB_ROLE_VIEWER},
    {.path = NULL},
};
