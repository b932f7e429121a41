/* Per-system data-quality checks: declared against arriving metrics,
 * value checks and completeness (see quality.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub.h"
#include "hub/quality/quality.h"
#include "hub/status.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "lib/selector.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/store.h"

/* What arrived for one declared metric of one system. */
struct qmetric {
	size_t series;
	int64_t last;          /* newest receive (or point) time, -1 none */
	unsigned char *places; /* [node]: a fresh series reports there */
	uint64_t range, monotonic, step;
};

/* An undeclared metric of one system. */
struct qextra {
	char *name; /* borrowed from the series list's parse */
	size_t series;
	int64_t last;
};

struct qsys {
	struct qmetric *m; /* [nmetrics] */
	struct qextra *extra;
	size_t nextra;
	unsigned char *cover; /* [node]: overlaps the system's coverage */
	json_t *failures;
	uint64_t nfailures;
};

struct qctx {
	struct hub *h;
	struct hub_req *req;
	const struct hub_territory *t;
	int64_t now, window;
	struct qsys *sys; /* [nsystems] */
};

/* Builtin heartbeat metrics every system may send undeclared. */
static const char *const quality_builtin[] = {
    "system_up",
    "system_latency_ms",
    NULL,
};

int
quality_builtin_metric(const char *name)
{
	size_t i;

	for (i = 0; quality_builtin[i] != NULL; i++) {
		if (strcmp(quality_builtin[i], name) == 0)
			return 1;
	}
	return 0;
}

/* Is node visible to the caller?  Every node without a caller. */
static int
quality_node_visible(const struct qctx *c, int node)
{
	if (c->req == NULL || node <= 0)
		return 1;
	return hub_req_in_scope(c->req, c->t->nodes[node].code);
}

/* The place node of a series from its tags: the grid, else the community,
 * else the subdistrict, else the district (0); -1 for an unknown code. */
static int
quality_series_node(const struct hub_territory *t, const struct serieskey *sk)
{
	static const char *const keys[] = {"grid", "community", "subdistrict"};
	const char *code;
	size_t i;

	for (i = 0; i < 3; i++) {
		if ((code = serieskey_get(sk, keys[i])) != NULL)
			return hub_territory_find(t, code, strlen(code));
	}
	return 0;
}

/* node's ancestor (or itself) at the level metric m is reported per, or
 * -1 when node is coarser than that. */
static int
quality_place_at(
    const struct hub_territory *t, int node, enum hub_metric_per per)
{
	const struct hub_node *n = &t->nodes[node];

	switch (per) {
	case HUB_PER_DISTRICT:
		return 0;
	case HUB_PER_SUBDISTRICT:
		return n->level == HUB_LEVEL_SUBDISTRICT ? node
		                                         : n->subdistrict;
	case HUB_PER_COMMUNITY:
		return n->level == HUB_LEVEL_COMMUNITY ? node : n->community;
	case HUB_PER_GRID:
		return n->level == HUB_LEVEL_GRID ? node : -1;
	}
	return -1;
}

static enum hub_level
quality_per_level(enum hub_metric_per per)
{
	static const enum hub_level lv[] = {
	    [HUB_PER_GRID] = HUB_LEVEL_GRID,
	    [HUB_PER_COMMUNITY] = HUB_LEVEL_COMMUNITY,
	    [HUB_PER_SUBDISTRICT] = HUB_LEVEL_SUBDISTRICT,
	    [HUB_PER_DISTRICT] = HUB_LEVEL_DISTRICT,
	};

	return lv[per];
}

/* Mark node and its subtree. */
static void
quality_mark_down(const struct hub_territory *t, int node, unsigned char *m)
{
	size_t k;

	m[node] = 1;
	for (k = 0; k < t->nodes[node].nchildren; k++)
		quality_mark_down(t, t->nodes[node].children[k], m);
}

/* Nodes overlapping system sys's coverage: the covered subtrees and
 * their ancestors.  Heap memory the caller frees. */
static unsigned char *
quality_cover_marks(const struct hub_territory *t, const struct hub_system *sys)
{
	unsigned char *m = xcalloc(t->nnodes + 1, 1);
	size_t j;
	int p;

	for (j = 0; j < sys->ncover; j++) {
		quality_mark_down(t, sys->cover[j], m);
		for (p = t->nodes[sys->cover[j]].parent; p >= 0;
		     p = t->nodes[p].parent)
			m[p] = 1;
	}
	return m;
}

static void
quality_note_extra(struct qsys *q, const char *name, int64_t last)
{
	size_t i;

	for (i = 0; i < q->nextra; i++) {
		if (strcmp(q->extra[i].name, name) == 0)
			break;
	}
	if (i == q->nextra) {
		q->extra =
		    xreallocarray(q->extra, q->nextra + 1, sizeof *q->extra);
		q->extra[i].name = xstrdup(name);
		q->extra[i].series = 0;
		q->extra[i].last = -1;
		q->nextra++;
	}
	q->extra[i].series++;
	if (last > q->extra[i].last)
		q->extra[i].last = last;
}

/* Account one stored series to its system. */
static void
quality_account(struct qctx *c, const struct store_series_info *info)
{
	const struct hub_systems *ss = c->h->systems;
	struct serieskey sk;
	const struct hub_system *sys;
	const struct hub_metric *spec;
	struct qmetric *qm;
	const char *id;
	int64_t last, iv;
	const char *src;
	int si, node, place;

	if (serieskey_parse(info->key, strlen(info->key), &sk, NULL) != 0)
		return;
	if ((id = serieskey_get(&sk, "system")) == NULL ||
	    (si = hub_systems_find(ss, id, strlen(id))) < 0 ||
	    c->sys[si].cover == NULL)
		goto out;
	node = quality_series_node(c->t, &sk);
	if (node < 0 || !quality_node_visible(c, node))
		goto out;
	last = info->last_write_ms >= 0 ? info->last_write_ms : info->last_t;
	sys = &ss->systems[si];
	if ((spec = hub_system_metric(sys, sk.metric)) == NULL) {
		if (!quality_builtin_metric(sk.metric))
			quality_note_extra(&c->sys[si], sk.metric, last);
		goto out;
	}
	qm = &c->sys[si].m[spec - sys->specs];
	qm->series++;
	if (last > qm->last)
		qm->last = last;
	iv = hub_status_interval(c->h, (size_t)si, &src);
	place = quality_place_at(c->t, node, spec->per);
	if (place >= 0 && last >= 0 &&
	    (double)(c->now - last) <= QUALITY_STALE_FACTOR * (double)iv)
		qm->places[place] = 1;
out:
	serieskey_free(&sk);
}

static void
quality_failure(struct qctx *c, struct qsys *q,
    const struct store_series_result *r, const char *metric, const char *check,
    const struct store_point *p, const char *expected)
{
	const char *place = NULL;
	size_t k;
	json_t *f;

	q->nfailures++;
	if (json_array_size(q->failures) >= QUALITY_FAILURES_LISTED)
		return;
	for (k = 0; k < r->ntags && place == NULL; k++) {
		if (strcmp(r->tags[k].name, "grid") == 0)
			place = r->tags[k].value;
	}
	for (k = 0; k < r->ntags && place == NULL; k++) {
		if (strcmp(r->tags[k].name, "community") == 0 ||
		    strcmp(r->tags[k].name, "subdistrict") == 0)
			place = r->tags[k].value;
	}
	f = json_pack("{s:s,s:s,s:f,s:I,s:s,s:s}", "metric", metric, "check",
	    check, "value", p->v, "time_ms", (json_int_t)p->t, "expected",
	    expected, "series", r->key);
	json_object_set_new(
	    f, "grid", place != NULL ? json_string(place) : json_null());
	json_array_append_new(q->failures, f);
	(void)c;
}

/* Value checks of declared metric spec of system si over the window. */
static int
quality_values(
    struct qctx *c, int si, const struct hub_metric *spec, char **cause)
{
	const struct hub_system *sys = &c->h->systems->systems[si];
	struct qsys *q = &c->sys[si];
	struct qmetric *qm = &q->m[spec - sys->specs];
	struct store_result r;
	struct selector *sel;
	char *text, range[96], step[48];
	size_t i, k;
	int node, rc;

	if (c->window <= 0 ||
	    (!spec->has_range && !spec->monotonic && spec->max_step <= 0))
		return 0;
	if (qm->series == 0)
		return 0;
	text = xasprintf("%s{system=\"%s\"}", spec->name, sys->id);
	sel = selector_parse_cause(text, NULL);
	free(text);
	if (sel == NULL)
		return 0;
	rc = store_query_raw(
	    c->h->store, sel, c->now - c->window, c->now + 1, &r, cause);
	selector_free(sel);
	if (rc != 0)
		return -1;
	snprintf(range, sizeof range, "[%g, %g]", spec->min, spec->max);
	snprintf(step, sizeof step, "step <= %g", spec->max_step);
	for (i = 0; i < r.n; i++) {
		const struct store_series_result *sr = &r.series[i];
		struct serieskey sk;

		if (serieskey_parse(sr->key, strlen(sr->key), &sk, NULL) != 0)
			continue;
		node = quality_series_node(c->t, &sk);
		serieskey_free(&sk);
		if (node < 0 || !quality_node_visible(c, node))
			continue;
		for (k = 0; k < sr->npoints; k++) {
			const struct store_point *p = &sr->points[k];

			if (spec->has_range &&
			    (p->v < spec->min || p->v > spec->max ||
			        isnan(p->v))) {
				qm->range++;
				quality_failure(
				    c, q, sr, spec->name, "range", p, range);
			}
			if (k == 0)
				continue;
			if (spec->monotonic && p->v < sr->points[k - 1].v) {
				qm->monotonic++;
				quality_failure(c, q, sr, spec->name,
				    "monotonic", p, "never decreasing");
			}
			if (spec->max_step > 0 &&
			    fabs(p->v - sr->points[k - 1].v) > spec->max_step) {
				qm->step++;
				quality_failure(
				    c, q, sr, spec->name, "max_step", p, step);
			}
		}
	}
	store_result_free(&r);
	return 0;
}

/*
 * The value checks read every point of the window, which takes a while
 * on a district's data: their results are kept for QUALITY_VALUES_TTL_MS
 * per (catalogue, caller's scope, window), so consoles polling the
 * Quality screen do not re-read the window every few seconds.  What
 * arrives (never seen, stale, completeness) is always computed afresh.
 */
#define QUALITY_VALUES_TTL_MS 20000
#define QUALITY_CACHE_SLOTS   8

struct qcache_sys {
	size_t nmetrics;
	uint64_t *counts; /* [nmetrics * 3]: range, monotonic, max_step */
	json_t *failures;
	uint64_t nfailures;
};

struct qcache {
	const struct hub_systems *systems; /* identity only */
	char *scope;
	int64_t window, at;
	struct qcache_sys *sys; /* [nsystems] */
	size_t nsys;
};

static struct qcache quality_cache[QUALITY_CACHE_SLOTS];

static void
quality_cache_clear(struct qcache *e)
{
	size_t i;

	for (i = 0; i < e->nsys; i++) {
		free(e->sys[i].counts);
		json_decref(e->sys[i].failures);
	}
	free(e->sys);
	free(e->scope);
	memset(e, 0, sizeof *e);
}

static const char *
quality_cache_scope(struct hub_req *req)
{
	return req != NULL && req->id.scope != NULL ? req->id.scope : "";
}

/* Fill c's value-check results from a fresh cache entry: 1, else 0. */
static int
quality_cache_get(struct qctx *c, struct hub_req *req)
{
	const struct hub_systems *ss = c->h->systems;
	struct qcache *e;
	size_t i, k, n;

	for (n = 0; n < QUALITY_CACHE_SLOTS; n++) {
		e = &quality_cache[n];
		if (e->systems == ss && e->nsys == ss->nsystems &&
		    e->window == c->window &&
		    c->now - e->at < QUALITY_VALUES_TTL_MS && c->now >= e->at &&
		    strcmp(e->scope, quality_cache_scope(req)) == 0)
			break;
	}
	if (n == QUALITY_CACHE_SLOTS)
		return 0;
	/* A catalogue reloaded at the same address has another shape. */
	for (i = 0; i < ss->nsystems; i++) {
		if ((c->sys[i].cover != NULL) != (e->sys[i].counts != NULL) ||
		    (c->sys[i].cover != NULL &&
		        e->sys[i].nmetrics != ss->systems[i].nmetrics))
			return 0;
	}
	for (i = 0; i < ss->nsystems; i++) {
		struct qsys *q = &c->sys[i];

		if (q->cover == NULL || e->sys[i].counts == NULL)
			continue;
		for (k = 0; k < ss->systems[i].nmetrics; k++) {
			q->m[k].range = e->sys[i].counts[3 * k];
			q->m[k].monotonic = e->sys[i].counts[3 * k + 1];
			q->m[k].step = e->sys[i].counts[3 * k + 2];
		}
		json_decref(q->failures);
		q->failures = json_deep_copy(e->sys[i].failures);
		q->nfailures = e->sys[i].nfailures;
	}
	return 1;
}

/* Keep c's value-check results (the oldest slot goes). */
static void
quality_cache_put(struct qctx *c, struct hub_req *req)
{
	const struct hub_systems *ss = c->h->systems;
	struct qcache *e = &quality_cache[0];
	size_t i, k, n;

	if (c->window <= 0)
		return;
	for (n = 1; n < QUALITY_CACHE_SLOTS; n++) {
		if (quality_cache[n].at < e->at)
			e = &quality_cache[n];
	}
	quality_cache_clear(e);
	e->systems = ss;
	e->scope = xstrdup(quality_cache_scope(req));
	e->window = c->window;
	e->at = c->now;
	e->nsys = ss->nsystems;
	e->sys = xcalloc(ss->nsystems + 1, sizeof *e->sys);
	for (i = 0; i < ss->nsystems; i++) {
		const struct qsys *q = &c->sys[i];

		if (q->cover == NULL)
			continue;
		e->sys[i].nmetrics = ss->systems[i].nmetrics;
		e->sys[i].counts =
		    xcalloc(3 * ss->systems[i].nmetrics + 1, sizeof(uint64_t));
		for (k = 0; k < ss->systems[i].nmetrics; k++) {
			e->sys[i].counts[3 * k] = q->m[k].range;
			e->sys[i].counts[3 * k + 1] = q->m[k].monotonic;
			e->sys[i].counts[3 * k + 2] = q->m[k].step;
		}
		e->sys[i].failures = json_deep_copy(q->failures);
		e->sys[i].nfailures = q->nfailures;
	}
}

void
quality_cache_free(void)
{
	size_t n;

	for (n = 0; n < QUALITY_CACHE_SLOTS; n++)
		quality_cache_clear(&quality_cache[n]);
}

/* The JSON of system si, adding to *tot. */
static json_t *
quality_system_json(struct qctx *c, int si, struct quality_totals *tot)
{
	const struct hub_system *sys = &c->h->systems->systems[si];
	struct qsys *q = &c->sys[si];
	json_t *j, *metrics, *missing, *stale, *extra;
	size_t k, n, rep, exp, srep = 0, sexp = 0;
	const char *src, *state;
	int64_t iv = hub_status_interval(c->h, (size_t)si, &src);
	int64_t age;

	metrics = json_array();
	missing = json_array();
	stale = json_array();
	for (k = 0; k < sys->nmetrics; k++) {
		const struct hub_metric *spec = &sys->specs[k];
		struct qmetric *qm = &q->m[k];
		enum hub_level lv = quality_per_level(spec->per);
		json_t *m;

		rep = exp = 0;
		for (n = 0; n < c->t->nnodes; n++) {
			if (c->t->nodes[n].level != lv || !q->cover[n] ||
			    !quality_node_visible(c, (int)n))
				continue;
			exp++;
			rep += qm->places[n];
		}
		age = qm->last >= 0 ? c->now - qm->last : -1;
		state = age < 0 ? "never"
		        : (double)age > QUALITY_STALE_FACTOR * (double)iv
		            ? "stale"
		            : "fresh";
		if (age < 0)
			json_array_append_new(missing, json_string(spec->name));
		else if (state[0] == 's')
			json_array_append_new(stale, json_string(spec->name));
		m = json_pack("{s:s,s:s,s:s,s:I,s:{s:I,s:I},s:{s:I,s:I,s:I}}",
		    "name", spec->name, "per", hub_metric_per_name(spec->per),
		    "state", state, "series", (json_int_t)qm->series, "places",
		    "reporting", (json_int_t)rep, "expected", (json_int_t)exp,
		    "failures", "range", (json_int_t)qm->range, "monotonic",
		    (json_int_t)qm->monotonic, "max_step",
		    (json_int_t)qm->step);
		json_object_set_new(m, "unit",
		    spec->unit != NULL ? json_string(spec->unit) : json_null());
		json_object_set_new(m, "last_ms",
		    age >= 0 ? json_integer(qm->last) : json_null());
		json_object_set_new(m, "age_s",
		    age >= 0 ? json_integer(age / 1000) : json_null());
		json_array_append_new(metrics, m);
		srep += rep;
		sexp += exp;
	}
	extra = json_array();
	for (k = 0; k < q->nextra; k++)
		json_array_append_new(
		    extra, json_pack("{s:s,s:I,s:I}", "name", q->extra[k].name,
		               "series", (json_int_t)q->extra[k].series,
		               "last_ms", (json_int_t)q->extra[k].last));
	tot->systems++;
	tot->declared += sys->nmetrics;
	tot->declared_missing += json_array_size(missing);
	tot->stale += json_array_size(stale);
	tot->undeclared += q->nextra;
	tot->value_failures += q->nfailures;
	tot->places_reporting += srep;
	tot->places_expected += sexp;
	j = json_pack("{s:s,s:o,s:o,s:o,s:o,s:{s:I,s:o},s:{s:I,s:I}}", "id",
	    sys->id, "metrics", metrics, "declared_missing", missing,
	    "stale_metrics", stale, "undeclared", extra, "value_failures",
	    "total", (json_int_t)q->nfailures, "list", q->failures,
	    "completeness", "reporting", (json_int_t)srep, "expected",
	    (json_int_t)sexp);
	q->failures = NULL;
	json_object_set_new(json_object_get(j, "completeness"), "ratio",
	    sexp > 0 ? json_real((double)srep / (double)sexp) : json_null());
	return j;
}

static void
quality_ctx_free(struct qctx *c)
{
	size_t i, k;

	for (i = 0; i < c->h->systems->nsystems; i++) {
		struct qsys *q = &c->sys[i];

		for (k = 0;
		     q->m != NULL && k < c->h->systems->systems[i].nmetrics;
		     k++)
			free(q->m[k].places);
		for (k = 0; k < q->nextra; k++)
			free(q->extra[k].name);
		free(q->extra);
		free(q->m);
		free(q->cover);
		json_decref(q->failures);
	}
	free(c->sys);
}

int
quality_systems_check(struct hub *h, struct hub_req *req, int64_t now,
    int64_t window_ms, json_t **out, struct quality_totals *tot, char **cause)
{
	const struct hub_systems *ss = h->systems;
	struct store_series_list l;
	struct qctx c;
	size_t i, k;
	int scope = 0, rc = -1;

	*out = NULL;
	if (req != NULL)
		scope = hub_territory_find(
		    h->territory, req->id.scope, strlen(req->id.scope));
	if (store_series_list(h->store, NULL, &l, cause) != 0)
		return -1;
	memset(&c, 0, sizeof c);
	c.h = h;
	c.req = req;
	c.t = h->territory;
	c.now = now;
	c.window = window_ms;
	c.sys = xcalloc(ss->nsystems + 1, sizeof *c.sys);
	for (i = 0; i < ss->nsystems; i++) {
		const struct hub_system *sys = &ss->systems[i];

		if (scope < 0 || !hub_system_overlaps(sys, h->territory, scope))
			continue;
		c.sys[i].cover = quality_cover_marks(h->territory, sys);
		c.sys[i].m = xcalloc(sys->nmetrics + 1, sizeof *c.sys[i].m);
		c.sys[i].failures = json_array();
		for (k = 0; k < sys->nmetrics; k++) {
			c.sys[i].m[k].last = -1;
			c.sys[i].m[k].places =
			    xcalloc(h->territory->nnodes + 1, 1);
		}
	}
	for (i = 0; i < l.n; i++)
		quality_account(&c, &l.series[i]);
	if (!quality_cache_get(&c, req)) {
		for (i = 0; i < ss->nsystems; i++) {
			if (c.sys[i].cover == NULL)
				continue;
			for (k = 0; k < ss->systems[i].nmetrics; k++) {
				if (quality_values(&c, (int)i,
				        &ss->systems[i].specs[k], cause) != 0)
					goto out;
			}
		}
		quality_cache_put(&c, req);
	}
	*out = json_array();
	for (i = 0; i < ss->nsystems; i++) {
		if (c.sys[i].cover != NULL)
			json_array_append_new(
			    *out, quality_system_json(&c, (int)i, tot));
	}
	rc = 0;
out:
	quality_ctx_free(&c);
	store_series_list_free(&l);
	return rc;
}
