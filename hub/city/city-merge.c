/* The city hub's merges of its districts' answers: alerts, query, the
 * districts list and proxied answers (see city.h; the overview and the
 * tree are in city-merge-tree.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/city/city-int.h"
#include "hub/hub.h"
#include "lib/xmalloc.h"

int
city_reply_answered(const struct city_reply *r)
{
	return r->status > 0 && r->status < 500;
}

json_t *
city_warnings(const struct city_fetch *f)
{
	json_t *w = json_array();
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct city_reply *r = &f->replies[i];

		if (f->path[i] == NULL || city_reply_answered(r))
			continue;
		json_array_append_new(
		    w, json_sprintf("district %s (%s) did not answer: %s",
		           r->d->name, r->d->code,
		           r->error != NULL ? r->error : "no answer"));
	}
	return w;
}

json_t *
city_source(const struct city_fetch *f, size_t i)
{
	const struct city_reply *r = &f->replies[i];
	json_t *j;

	j = json_pack("{s:s,s:s,s:s,s:I}", "code", r->d->code, "name",
	    r->d->name, "state", city_reply_answered(r) ? "up" : "down", "ms",
	    (json_int_t)r->ms);
	if (r->error != NULL)
		json_object_set_new(j, "error", json_string(r->error));
	return j;
}

/*
 * Reply for f when no asked district answered 200 and return 1: a
 * district's own 4xx (the request was bad everywhere), else 502 naming
 * every district that did not answer.  0 when some district answered.
 */
int
city_reply_failed(struct city_fetch *f)
{
	const struct city_reply *bad = NULL;
	json_t *extra;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (f->path[i] == NULL)
			continue;
		if (f->replies[i].status == 200)
			return 0;
		if (bad == NULL && city_reply_answered(&f->replies[i]))
			bad = &f->replies[i];
	}
	if (bad != NULL) {
		extra = bad->body != NULL && json_is_object(bad->body)
		            ? json_deep_copy(bad->body)
		            : json_object();
		json_object_del(extra, "error");
		json_object_set_new(
		    extra, "district", json_string(bad->d->code));
		hub_reply_error_json(f->req, bad->status, extra, "%s: %s",
		    bad->d->name, bad->error);
		return 1;
	}
	extra = json_pack("{s:o}", "warnings", city_warnings(f));
	hub_reply_error_json(
	    f->req, 502, extra, "no district answered (GET /api/v1/districts)");
	return 1;
}

void
city_sources_set(struct city_fetch *f, json_t *j, const char *member)
{
	json_t *src = json_array(), *w, *s;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (f->path[i] == NULL)
			continue;
		s = city_source(f, i);
		if (member != NULL && f->replies[i].status == 200)
			json_object_set_new(s, member,
			    json_integer((json_int_t)json_array_size(
			        json_object_get(f->replies[i].body, member))));
		json_array_append_new(src, s);
	}
	json_object_set_new(j, "sources", src);
	w = city_warnings(f);
	if (json_array_size(w) > 0)
		json_object_set_new(j, "warnings", w);
	else
		json_decref(w);
}

/* Append the array member of body to out, each element an object marked
 * with district d ("district", "district_name"). */
static void
city_append_marked(json_t *out, json_t *body, const char *member,
    const struct city_district_conf *d)
{
	json_t *arr = json_object_get(body, member), *e;
	size_t i;

	json_array_foreach(arr, i, e)
	{
		if (!json_is_object(e))
			continue;
		json_object_set_new(e, "district", json_string(d->code));
		json_object_set_new(e, "district_name", json_string(d->name));
		json_array_append(out, e);
	}
}

static int
city_severity_rank(const json_t *a)
{
	static const char *const order[] = {"high", "medium", "low", "info"};
	const char *s = json_string_value(json_object_get(a, "severity"));
	int i;

	for (i = 0; s != NULL && i < 4; i++) {
		if (strcmp(s, order[i]) == 0)
			return i;
	}
	return 4;
}

static json_int_t
city_started(const json_t *a)
{
	return json_integer_value(json_object_get(a, "started_ms"));
}

/* Add each count of a district's "counted" ({"high": 1, ...}) to sum. */
static void
city_sum_counts(json_t *sum, json_t *counted)
{
	const char *k;
	json_t *v;

	json_object_foreach(counted, k, v)
	{
		if (json_is_integer(v))
			json_object_set_new(sum, k,
			    json_integer(
			        json_integer_value(json_object_get(sum, k)) +
			        json_integer_value(v)));
	}
}

/* Most severe first, then newest first (as a district lists them). */
static int
city_alert_cmp(const void *pa, const void *pb)
{
	const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	json_int_t ta, tb;
	int ra = city_severity_rank(a), rb = city_severity_rank(b);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	ta = json_integer_value(json_object_get(a, "started_ms"));
	tb = json_integer_value(json_object_get(b, "started_ms"));
	return ta > tb ? -1 : ta < tb ? 1 : 0;
}

void
city_merge_alerts(struct city_fetch *f)
{
	json_t *all = json_array(), *groups = json_array(), *j, *sorted, *e;
	json_t *counted = json_object(), *newest = NULL;
	json_int_t total = 0, limit;
	json_t **v;
	size_t i, k, n;
	int any_groups = 0;

	if (city_reply_failed(f)) {
		json_decref(all);
		json_decref(groups);
		json_decref(counted);
		return;
	}
	for (i = 0; i < f->n; i++) {
		const struct city_reply *r = &f->replies[i];

		if (r->status != 200)
			continue;
		json_array_foreach(json_object_get(r->body, "alerts"), k, e)
		    city_alert_mark(e, r->d);
		city_append_marked(all, r->body, "alerts", r->d);
		total += json_integer_value(json_object_get(r->body, "total"));
		city_sum_counts(counted, json_object_get(r->body, "counted"));
		if (json_object_get(r->body, "groups") != NULL) {
			any_groups = 1;
			json_array_foreach(json_object_get(r->body, "groups"),
			    k, e) city_alert_mark_group(e, r->d);
			city_append_marked(groups, r->body, "groups", r->d);
		}
	}
	n = json_array_size(all);
	v = xcalloc(n + 1, sizeof *v);
	for (i = 0; i < n; i++) {
		v[i] = json_array_get(all, i);
		if (newest == NULL || city_started(v[i]) > city_started(newest))
			newest = v[i];
	}
	qsort(v, n, sizeof *v, city_alert_cmp);
	limit = json_integer_value(json_object_get(f->extra, "limit"));
	sorted = json_array();
	for (i = 0; i < n && (limit <= 0 || (json_int_t)i < limit); i++)
		json_array_append(sorted, v[i]);
	free(v);
	j = json_pack("{s:o,s:I,s:o}", "alerts", sorted, "total", total,
	    "counted", counted);
	if (newest != NULL)
		json_object_set(j, "newest", json_object_get(newest, "id"));
	json_decref(all); /* after newest's id is taken */
	if (any_groups)
		json_object_set_new(j, "groups", groups);
	else
		json_decref(groups);
	city_sources_set(f, j, "alerts");
	hub_reply_json(f->req, 200, j);
}

void
city_merge_query(struct city_fetch *f)
{
	static const char *const echo[] = {
	    "query", "start_ms", "end_ms", "step_ms", "agg", "by", NULL};
	json_t *j = NULL, *series = json_array(), *w, *e;
	size_t i, k;

	if (city_reply_failed(f)) {
		json_decref(series);
		return;
	}
	for (i = 0; i < f->n; i++) {
		const struct city_reply *r = &f->replies[i];

		if (r->status != 200)
			continue;
		if (j == NULL) {
			j = json_object();
			for (k = 0; echo[k] != NULL; k++) {
				if ((e = json_object_get(r->body, echo[k])) !=
				    NULL)
					json_object_set(j, echo[k], e);
			}
		}
		city_append_marked(series, r->body, "series", r->d);
	}
	json_object_set_new(j, "series", series);
	city_sources_set(f, j, "series");
	/* A district's own warnings (a partial read) keep its name. */
	for (i = 0; i < f->n; i++) {
		const struct city_reply *r = &f->replies[i];

		if (r->status != 200)
			continue;
		json_array_foreach(json_object_get(r->body, "warnings"), k, e)
		{
			if ((w = json_object_get(j, "warnings")) == NULL) {
				w = json_array();
				json_object_set_new(j, "warnings", w);
			}
			json_array_append_new(
			    w, json_sprintf("district %s (%s): %s", r->d->name,
			           r->d->code, json_string_value(e)));
		}
	}
	hub_reply_json(f->req, 200, j);
}

void
city_merge_proxy(struct city_fetch *f)
{
	struct hub *h = f->req->hub;
	const struct city_conf *c = h->city->conf;
	json_t *body, *path;
	size_t i;

	if (city_reply_failed(f))
		return;
	for (i = 0; i < f->n && f->replies[i].status != 200; i++)
		;
	body = json_incref(f->replies[i].body);
	if ((path = json_object_get(body, "path")) != NULL)
		json_array_insert_new(path, 0,
		    json_pack("{s:s,s:s,s:s}", "code", c->code, "level", "city",
		        "name", c->name));
	json_object_set_new(
	    body, "district", json_string(f->replies[i].d->code));
	hub_reply_json(f->req, 200, body);
}

void
city_merge_districts(struct city_fetch *f)
{
	struct hub_city *c = f->req->hub->city;
	json_t *arr = json_array(), *d, *fr;
	int64_t now = hub_now(c->h);
	size_t i, up = 0;

	for (i = 0; i < f->n; i++) {
		const struct city_reply *r = &f->replies[i];
		const struct city_district_state *s = &c->state[i];

		if (f->path[i] == NULL)
			continue;
		d = city_source(f, i);
		json_object_set_new(d, "url", json_string(r->d->url));
		json_object_set_new(d, "last_ok_ms",
		    s->last_ok_ms > 0 ? json_integer(s->last_ok_ms)
		                      : json_null());
		json_object_set_new(d, "down_s",
		    r->status == 200 || s->last_ok_ms <= 0
		        ? json_null()
		        : json_integer((now - s->last_ok_ms) / 1000));
		if (r->status == 200) {
			up++;
			fr = json_object_get(r->body, "freshness");
			/* lag: how old the district's newest point is */
			json_object_set(d, "lag_s",
			    json_object_get(fr, "age_s")
			        ? json_object_get(fr, "age_s")
			        : json_null());
			json_object_set(
			    d, "alerts", json_object_get(r->body, "alerts"));
			json_object_set(
			    d, "ingest", json_object_get(r->body, "ingest"));
		} else if (city_reply_answered(r))
			json_object_set_new(d, "state", json_string("error"));
		json_array_append_new(arr, d);
	}
	hub_reply_json(f->req, 200,
	    json_pack("{s:{s:s,s:s,s:s},s:o,s:I,s:I}", "city", "code",
	        c->conf->code, "name", c->conf->name, "level", "city",
	        "districts", arr, "up", (json_int_t)up, "down",
	        (json_int_t)(json_array_size(arr) - up)));
}
