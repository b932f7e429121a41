/* GET /api/v1/quality: data quality checks (数据质量核查), api.md. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/quality/quality.h"
#include "hub/status.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "hub/users.h"
#include "lib/clock.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/store.h"

struct quality_silent {
	const char *key;
	int64_t last;
};

static int
quality_silent_cmp(const void *a, const void *b)
{
	const struct quality_silent *x = a, *y = b;

	return (x->last > y->last) - (x->last < y->last);
}

/* Is the series key inside the caller's scope (or without place tags)? */
static int
quality_key_visible(struct hub_req *req, const char *key)
{
	struct serieskey sk;
	const char *code;
	int ok = 1;

	if (serieskey_parse(key, strlen(key), &sk, NULL) != 0)
		return 0;
	if ((code = serieskey_get(&sk, "grid")) != NULL ||
	    (code = serieskey_get(&sk, "community")) != NULL ||
	    (code = serieskey_get(&sk, "subdistrict")) != NULL)
		ok = hub_req_in_scope(req, code);
	serieskey_free(&sk);
	return ok;
}

/* The territory node a writer (a token name or "uid:USER") may write
 * for when that is one node, 0 (the district) for a token covering
 * several or every place, or -1 for a writer not configured now. */
static int
quality_writer_node(const struct hub *h, const char *source)
{
	const struct hub_users *u = h->users;
	const struct hub_token *tok;
	const char *scope = NULL;
	size_t i;

	if (strncmp(source, "uid:", 4) == 0) {
		for (i = 0; i < u->nusers; i++) {
			if (strcmp(u->users[i].name, source + 4) == 0)
				scope = u->users[i].scope;
		}
	} else {
		for (i = 0; i < u->ntokens; i++) {
			tok = &u->tokens[i];
			if (strcmp(tok->name, source) != 0)
				continue;
			if (tok->kind == HUB_TOKEN_USER)
				scope = u->users[tok->user].scope;
			else
				return !tok->all_grids && tok->ncover == 1
				           ? tok->cover[0]
				           : 0;
		}
	}
	if (scope == NULL)
		return -1;
	return hub_territory_find(h->territory, scope, strlen(scope));
}

/* May the caller see the statistics (name, peer, counts) of writer
 * source?  Only when the writer's territory is inside the caller's
 * scope; district-wide callers see every writer. */
static int
quality_writer_visible(struct hub_req *req, int scope, const char *source)
{
	int node;

	if (scope == 0)
		return 1;
	node = quality_writer_node(req->hub, source);
	return scope > 0 && node >= 0 &&
	       hub_territory_within(req->hub->territory, node, scope);
}

static void
route_quality_get(struct hub_req *req)
{
	struct hub *h = req->hub;
	struct hub_status *st = h->status;
	struct store_series_list l;
	struct store_stats ss;
	struct quality_silent *sil = NULL;
	const char *p, *src;
	char *cause = NULL;
	json_t *j, *cols, *systems, *silent, *byr, *bys, *dups, *lates;
	int64_t now = hub_now(h), after, iv, age;
	long limit = 100;
	int64_t window = 3600000;
	struct quality_totals tot;
	json_t *checks = NULL, *rules;
	size_t i, nsil = 0;
	uint64_t rej = 0;
	int scope;

	after = h->config->silent_after_ms;
	if ((p = hub_req_query(req, "silent_after")) != NULL &&
	    clock_parse_duration(p, &after) != 0) {
		hub_reply_error(req, 400,
		    "silent_after: expected a duration such as \"10m\"");
		return;
	}
	if ((p = hub_req_query(req, "window")) != NULL &&
	    (clock_parse_duration(p, &window) != 0 || window <= 0 ||
	        window > 86400000)) {
		hub_reply_error(req, 400,
		    "window: expected a duration from 1s to 24h such as "
		    "\"1h\"");
		return;
	}
	if ((p = hub_req_query(req, "limit")) != NULL) {
		char *end;

		limit = strtol(p, &end, 10);
		if (*p == '\0' || *end != '\0' || limit < 0 || limit > 100000) {
			hub_reply_error(
			    req, 400, "limit: expected 0 to 100000");
			return;
		}
	}
	memset(&tot, 0, sizeof tot);
	if (quality_systems_check(h, req, now, window, &checks, &tot, &cause) !=
	    0) {
		hub_reply_error(req, 500, "store: %s", cause);
		free(cause);
		return;
	}
	if (store_series_list(h->store, NULL, &l, &cause) != 0) {
		hub_reply_error(req, 500, "store: %s", cause);
		free(cause);
		json_decref(checks);
		return;
	}
	scope = hub_territory_find(
	    h->territory, req->id.scope, strlen(req->id.scope));
	cols = json_array();
	dups = json_object();
	lates = json_object();
	for (i = 0; i < st->ncollectors; i++) {
		struct hub_collector *c = &st->collectors[i];

		if (!quality_writer_visible(req, scope, c->name))
			continue;

		json_array_append_new(cols,
		    json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		        "name", c->name, "peer", c->peer, "last_ms",
		        (json_int_t)c->last_ms, "age_s",
		        (json_int_t)((now - c->last_ms) / 1000), "requests",
		        (json_int_t)c->requests, "lines", (json_int_t)c->lines,
		        "points", (json_int_t)c->points, "rejected",
		        (json_int_t)c->rejected, "duplicates",
		        (json_int_t)c->duplicates, "late", (json_int_t)c->late,
		        "late_rejected", (json_int_t)c->late_rejected));
		if (c->duplicates > 0)
			json_object_set_new(dups, c->name,
			    json_integer((json_int_t)c->duplicates));
		if (c->late > 0)
			json_object_set_new(
			    lates, c->name, json_integer((json_int_t)c->late));
	}
	systems = json_array();
	for (i = 0; i < h->systems->nsystems; i++) {
		const char *state;
		json_t *s;

		if (scope < 0 || !hub_system_overlaps(&h->systems->systems[i],
		                     h->territory, scope))
			continue;
		iv = hub_status_interval(h, i, &src);
		age = st->sys_last_ms[i] >= 0 ? now - st->sys_last_ms[i] : -1;
		state = age < 0         ? "never"
		        : age <= 2 * iv ? "fresh"
		        : age <= 3 * iv ? "late"
		                        : "silent";
		s = json_pack("{s:s,s:I,s:s,s:s}", "id",
		    h->systems->systems[i].id, "interval_s",
		    (json_int_t)(iv / 1000), "interval_source", src, "state",
		    state);
		json_object_set_new(s, "last_ms",
		    age >= 0 ? json_integer(st->sys_last_ms[i]) : json_null());
		json_object_set_new(s, "age_s",
		    age >= 0 ? json_integer(age / 1000) : json_null());
		/* The same systems in the same order as the checks. */
		json_object_update(
		    s, json_array_get(checks, json_array_size(systems)));
		json_array_append_new(systems, s);
	}
	sil = xcalloc(l.n + 1, sizeof *sil);
	for (i = 0; i < l.n; i++) {
		int64_t last = l.series[i].last_write_ms >= 0
		                   ? l.series[i].last_write_ms
		                   : l.series[i].last_t;

		if (last < 0 || now - last <= after)
			continue;
		if (!quality_key_visible(req, l.series[i].key))
			continue;
		sil[nsil].key = l.series[i].key;
		sil[nsil].last = last;
		nsil++;
	}
	qsort(sil, nsil, sizeof *sil, quality_silent_cmp);
	silent = json_array();
	for (i = 0; i < nsil && (long)i < limit; i++) {
		json_array_append_new(
		    silent, json_pack("{s:s,s:I,s:I}", "series", sil[i].key,
		                "last_ms", (json_int_t)sil[i].last, "age_s",
		                (json_int_t)((now - sil[i].last) / 1000)));
	}
	byr = json_object();
	for (i = 0; i < HUB_REJECT_MAX; i++) {
		rej += st->rejected[i];
		if (st->rejected[i] > 0)
			json_object_set_new(byr,
			    hub_reject_name((enum hub_reject)i),
			    json_integer((json_int_t)st->rejected[i]));
	}
	bys = json_object();
	for (i = 0; i < st->nrejected_by; i++) {
		if (quality_writer_visible(
		        req, scope, st->rejected_by[i].source))
			json_object_set_new(bys, st->rejected_by[i].source,
			    json_integer((json_int_t)st->rejected_by[i].n));
	}
	memset(&ss, 0, sizeof ss);
	store_stats_get(h->store, &ss, NULL);
	j = json_pack("{s:I,s:o,s:o,s:o,s:I,s:{s:I,s:o,s:o},s:I,s:I,s:I,s:I,"
	              "s:I,s:{s:I,s:o},s:{s:I,s:I,s:I,s:o}}",
	    "time_ms", (json_int_t)now, "collectors", cols, "systems", systems,
	    "silent_series", silent, "silent_series_total", (json_int_t)nsil,
	    "rejected", "total", (json_int_t)rej, "by_reason", byr, "by_source",
	    bys, "duplicates_total", (json_int_t)st->duplicates, "late_total",
	    (json_int_t)st->late, "late_rejected_total",
	    (json_int_t)st->late_rejected, "late_merged_total",
	    (json_int_t)ss.late_merges, "unknown_system_lines",
	    (json_int_t)st->unknown_system_lines, "duplicates", "total",
	    (json_int_t)st->duplicates, "by_source", dups, "late", "total",
	    (json_int_t)st->late, "rejected", (json_int_t)st->late_rejected,
	    "merged", (json_int_t)ss.late_merges, "by_source", lates);
	rules = quality_rules_check(h, now, &tot);
	json_object_set_new(j, "window_s", json_integer(window / 1000));
	json_object_set_new(j, "summary", quality_totals_json(&tot));
	json_object_set_new(j, "rules", rules);
	json_decref(checks);
	free(sil);
	store_series_list_free(&l);
	hub_reply_json(req, 200, j);
}

const struct hub_route hub_routes_quality[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/quality",
        .handler = route_quality_get,
        .min_role = HUB_ROLE_VIEWER},
    {.path = NULL},
};
