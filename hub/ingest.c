/* Line-protocol ingest with enrichment, scope and a tag-set cache. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/ingest-int.h"
#include "hub/ingest-limits.h"
#include "hub/ingest.h"
#include "hub/remote/remote.h"
#include "hub/status.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "hub/users.h"
#include "lib/buf.h"
#include "lib/lineproto.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/store.h"

struct hub_ingest *
hub_ingest_new(void)
{
	struct hub_ingest *in = xcalloc(1, sizeof *in);

	in->lp = lp_parser_create();
	in->cap = 1024;
	in->table = xcalloc(in->cap, sizeof *in->table);
	in->quota = hub_ingest_quota_new();
	return in;
}

void
hub_ingest_free(struct hub_ingest *in)
{
	if (in == NULL)
		return;
	hub_ingest_reset(in);
	free(in->table);
	lp_parser_free(in->lp);
	buf_free(&in->scratch);
	free(in->ids);
	free(in->ts);
	free(in->vs);
	free(in->lines);
	free(in->show);
	hub_ingest_quota_free(in->quota);
	free(in);
}

int
hub_ingest_precision(const char *s, int64_t *mul, int64_t *div)
{
	*mul = 1;
	*div = 1;
	if (s == NULL || *s == '\0' || strcmp(s, "ns") == 0 ||
	    strcmp(s, "n") == 0)
		*div = 1000000;
	else if (strcmp(s, "us") == 0 || strcmp(s, "u") == 0 ||
	         strcmp(s, "µs") == 0)
		*div = 1000;
	else if (strcmp(s, "ms") == 0)
		;
	else if (strcmp(s, "s") == 0)
		*mul = 1000;
	else if (strcmp(s, "m") == 0)
		*mul = 60000;
	else if (strcmp(s, "h") == 0)
		*mul = 3600000;
	else
		return -1;
	return 0;
}

/* May id write a line of entry e?  NULL if yes, else the reason.  Fails
 * closed: a writer whose scope is not in the territory (scope_node -1
 * with a scope) or a collector without a token writes nowhere. */
static const char *
ingest_may_write(struct hub *h, const struct hub_identity *id,
    const struct ingest_entry *e, int scope_node)
{
	const struct hub_token *tok = id->token;
	size_t i;

	if (id->role != HUB_ROLE_COLLECTOR) {
		if (scope_node < 0)
			return "the writer's scope is not in the territory";
		if (e->place >= 0 &&
		    !hub_territory_within(h->territory, e->place, scope_node))
			return "outside the writer's scope";
		return NULL;
	}
	if (tok == NULL)
		return "a collector needs a token";
	if (e->has_sys && !tok->all_systems) {
		for (i = 0; i < tok->nsystems; i++) {
			if (tok->systems[i] == e->sys)
				break;
		}
		if (e->sys < 0 || i == tok->nsystems)
			return "token may not write for this system";
	}
	if (e->place >= 0 && !tok->all_grids) {
		for (i = 0; i < tok->ncover; i++) {
			if (hub_territory_within(
			        h->territory, e->place, tok->cover[i]))
				break;
		}
		if (i == tok->ncover)
			return "token may not write for this place";
	}
	return NULL;
}

static void
ingest_error(struct hub_ingest_result *res, struct hub *h, size_t line,
    const char *fmt, const char *detail)
{
	json_t *reason;
	char *s;

	if (json_array_size(res->errors) >= (size_t)h->config->max_errors)
		return;
	s = xasprintf(fmt, detail);
	reason = json_string(s);
	if (reason == NULL)
		reason = json_string("(reason not UTF-8)");
	json_array_append_new(res->errors,
	    json_pack("{s:I,s:o}", "line", (json_int_t)line, "reason", reason));
	free(s);
}

/* Count the lines of body that are not blank or comments (a newline
 * inside a quoted string counts as a line: an overestimate). */
static size_t
ingest_count_lines(const char *p, size_t len)
{
	const char *end = p + len, *nl;
	size_t n = 0;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < end && *p != '\n' && *p != '#')
			n++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p = nl + 1;
	}
	return n;
}

static void
ingest_reserve(struct hub_ingest *in, size_t more)
{
	if (in->npoints + more <= in->cpoints)
		return;
	in->cpoints = (in->npoints + more) * 2;
	in->ids = xreallocarray(in->ids, in->cpoints, sizeof *in->ids);
	in->ts = xreallocarray(in->ts, in->cpoints, sizeof *in->ts);
	in->vs = xreallocarray(in->vs, in->cpoints, sizeof *in->vs);
	in->lines = xreallocarray(in->lines, in->cpoints, sizeof *in->lines);
	in->show = xreallocarray(in->show, in->cpoints, sizeof *in->show);
}

/* Record the outcome of a store write for /healthz and /metrics. */
static void
ingest_store_outcome(struct hub *h, int failed, const char *cause)
{
	h->stats.store_failing = failed;
	if (!failed)
		return;
	h->stats.store_write_errors++;
	snprintf(h->stats.store_error, sizeof h->stats.store_error, "%s",
	    cause != NULL ? cause : "write failed");
}

/*
 * After the store took the batch (wr), show what it stored: freshness,
 * latest headline values, system up and latency.  A point counts as the
 * latest of its series only when it is the series' newest point now, so
 * a refused point never shows.
 */
static void
ingest_show_stored(
    struct hub *h, const struct store_write_result *wr, int64_t now)
{
	struct hub_ingest *in = h->ingest;
	struct hub_status *st = h->status;
	const struct ingest_show *sh;
	int64_t last_t, last_w;
	double v;
	size_t i;
	int newest, all = wr->accepted == in->npoints;

	for (i = 0; i < in->npoints; i++) {
		sh = &in->show[i];
		if (all && sh->headline < 0 && sh->special == INGEST_PLAIN) {
			hub_status_touch_node(st, sh->node, now);
			hub_status_touch_system(st, sh->sys, now, in->ts[i]);
			continue;
		}
		newest = store_series_last(
		             h->store, in->ids[i], &last_t, &v, &last_w) == 0 &&
		         last_t == in->ts[i];
		if (!all && !newest)
			continue;
		hub_status_touch_node(st, sh->node, now);
		hub_status_touch_system(st, sh->sys, now, in->ts[i]);
		if (!newest)
			continue;
		if (sh->node >= 0 && sh->headline >= 0)
			st->node_values[(size_t)sh->node * st->nheadline +
			                (size_t)sh->headline] = v;
		if (sh->sys >= 0 && sh->special == INGEST_SYSTEM_UP)
			st->sys_up[sh->sys] = v;
		else if (sh->sys >= 0 && sh->special == INGEST_SYSTEM_LATENCY)
			st->sys_latency[sh->sys] = v;
	}
}

/* The point's time in ms, or -1 after reporting why it is refused. */
static int64_t
ingest_point_time(struct hub *h, struct hub_ingest_result *res,
    const struct lp_point *pt, size_t lineno, int64_t now, int64_t mul,
    int64_t div)
{
	int64_t t;
	char *why;

	if (!pt->has_time)
		return now;
	if (pt->time < 0) {
		ingest_error(res, h, lineno, "%s", "timestamp out of range");
		return -1;
	}
	/* Saturated on overflow: then it is in the future all the same. */
	t = mul > 1 && pt->time > INT64_MAX / mul ? INT64_MAX
	                                          : pt->time * mul / div;
	why = hub_ingest_time_check(h->config, now, t, pt->time, mul, div);
	if (why != NULL) {
		ingest_error(res, h, lineno, "%s", why);
		free(why);
		return -1;
	}
	if (t >= STORE_TIME_MAX) {
		ingest_error(res, h, lineno, "%s", "timestamp out of range");
		return -1;
	}
	return t;
}

void
hub_ingest_body(struct hub *h, const struct hub_identity *id,
    const char *source, const char *body, size_t len, int64_t mul, int64_t div,
    struct hub_ingest_result *res)
{
	struct hub_ingest *in = h->ingest;
	struct hub_status *st = h->status;
	struct lp_body lb;
	const struct lp_point *pt;
	const char *cause, *why = NULL;
	struct ingest_entry *e;
	struct ingest_field *f;
	struct ingest_show *sh;
	struct store_write_result wr;
	struct hub_collector *col;
	char *scause = NULL;
	size_t lineno, i, duplicates = 0, late = 0, late_rejected = 0;
	size_t start, created = 0;
	int64_t now = hub_now(h), t;
	double v;
	int rc, scope_node = -1, numeric;
	enum hub_reject rj = HUB_REJECT_NAME;

	memset(res, 0, sizeof *res);
	res->errors = json_array();
	in->npoints = 0;
	if ((long long)ingest_count_lines(body, len) > h->config->max_lines) {
		res->status = 413;
		res->cause =
		    xasprintf("more than %lld lines (limits.max_lines)",
		        h->config->max_lines);
		return;
	}
	if (id->role != HUB_ROLE_COLLECTOR && id->scope != NULL)
		scope_node = hub_territory_find(
		    h->territory, id->scope, strlen(id->scope));
	lp_body_init(&lb, body, len);
	for (;;) {
		rc = lp_body_next(in->lp, &lb, &pt, &lineno, &cause);
		if (rc == LP_END)
			break;
		res->lines++;
		if ((long long)res->lines > h->config->max_lines) {
			res->status = 413;
			res->cause = xasprintf("more than %lld lines "
			                       "(limits.max_lines)",
			    h->config->max_lines);
			in->npoints = 0;
			return;
		}
		if (rc == LP_ERROR) {
			rj = HUB_REJECT_SYNTAX;
			ingest_error(res, h, lineno, "%s", cause);
			goto reject;
		}
		if ((long long)pt->nfields > h->config->max_fields_per_line) {
			char n[32];

			snprintf(n, sizeof n, "%zu", pt->nfields);
			rj = HUB_REJECT_FIELDS;
			ingest_error(res, h, lineno,
			    "%s fields, more than limits.max_fields_per_line",
			    n);
			goto reject;
		}
		e = ingest_entry_get(h, in, pt, body, len);
		if (e->reject) {
			rj = (enum hub_reject)(e->reject - 1);
			ingest_error(res, h, lineno, "%s", e->reason);
			goto reject;
		}
		if ((why = ingest_may_write(h, id, e, scope_node)) != NULL) {
			rj = HUB_REJECT_SCOPE;
			ingest_error(res, h, lineno, "%s", why);
			goto reject;
		}
		if ((t = ingest_point_time(h, res, pt, lineno, now, mul, div)) <
		    0) {
			rj = HUB_REJECT_TIME;
			goto reject;
		}
		start = in->npoints;
		numeric = 0;
		ingest_reserve(in, pt->nfields);
		for (i = 0; i < pt->nfields; i++) {
			if (lp_field_number(&pt->fields[i], &v) != 0)
				continue; /* string fields are not stored */
			numeric++;
			f = ingest_field_get(h, e, pt, &pt->fields[i], i);
			if ((why = f->error) != NULL) {
				rj = HUB_REJECT_NAME;
				break;
			}
			why = ingest_field_resolve(h, f, source, now, &created);
			if (why != NULL) {
				rj = f->error != NULL ? HUB_REJECT_NAME
				                      : HUB_REJECT_SERIES;
				break;
			}
			in->ids[in->npoints] = f->id;
			in->ts[in->npoints] = t;
			in->vs[in->npoints] = v;
			in->lines[in->npoints] = lineno;
			sh = &in->show[in->npoints];
			sh->node = e->node;
			sh->sys = e->sys;
			sh->headline = f->headline;
			sh->special = f->special;
			in->npoints++;
		}
		if (i < pt->nfields) {
			in->npoints = start;
			ingest_error(res, h, lineno, "%s", why);
			goto reject;
		}
		if (numeric == 0) {
			rj = HUB_REJECT_NO_NUMBER;
			ingest_error(res, h, lineno, "%s",
			    "no numeric field (string fields are not stored)");
			goto reject;
		}
		res->accepted++;
		continue;
	reject:
		res->rejected++;
		hub_status_reject(st, rj, source, 1);
	}
	if (in->npoints > 0) {
		memset(&wr, 0, sizeof wr);
		if (store_write(h->store, in->ids, in->ts, in->vs, in->npoints,
		        &wr, &scause) != 0) {
			ingest_store_outcome(h, 1, scause);
			res->status = 503;
			res->cause = xasprintf("store: %s",
			    scause != NULL ? scause : "write failed");
			free(scause);
			res->accepted = 0;
			return;
		}
		ingest_store_outcome(h, 0, NULL);
		ingest_show_stored(h, &wr, now);
		/* Forwarding queues what was stored before the reply. */
		if (hub_remote_forward_points(h, in->ids, in->ts, in->vs,
		        in->npoints, &scause) != 0) {
			res->status = 503;
			res->cause = xasprintf("forwarding queue: %s",
			    scause != NULL ? scause : "write failed");
			free(scause);
			res->accepted = 0;
			return;
		}
		duplicates = wr.duplicates;
		late_rejected = wr.rejected[STORE_REJECT_LATE];
		late = wr.late + late_rejected;
		res->points = wr.accepted;
		if (wr.accepted < in->npoints) {
			size_t nrej = in->npoints - wr.accepted;

			if (wr.first_rejected < in->npoints)
				ingest_error(res, h,
				    in->lines[wr.first_rejected], "%s",
				    wr.first_reason == STORE_REJECT_LATE
				        ? "point older than the store's late "
				          "window"
				        : "point rejected by the store");
			/* Count rejected points as rejected lines, at most
			 * all the accepted ones. */
			if (nrej > res->accepted)
				nrej = res->accepted;
			res->accepted -= nrej;
			res->rejected += nrej;
			hub_status_reject(st, HUB_REJECT_LATE, source, nrej);
		}
	}
	col = hub_status_collector(st, source);
	col->requests++;
	col->last_ms = now;
	col->lines += res->lines;
	col->points += res->points;
	col->rejected += res->rejected;
	col->duplicates += duplicates;
	col->late += late;
	col->late_rejected += late_rejected;
	st->duplicates += duplicates;
	st->late += late;
	st->late_rejected += late_rejected;
	hub_status_rate_add(st, now, res->points, res->lines, res->rejected);
	h->stats.points_ingested += res->points;
	h->stats.lines_accepted += res->accepted;
	h->stats.lines_rejected += res->rejected;
}
