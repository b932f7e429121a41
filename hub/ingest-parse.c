/* The first half of line-protocol ingest: parse, enrich, check (any
 * thread; see hub/ingest-int.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/ingest-int.h"
#include "hub/ingest-limits.h"
#include "hub/ingest.h"
#include "hub/status.h"
#include "hub/territory.h"
#include "hub/users.h"
#include "lib/lineproto.h"
#include "lib/xmalloc.h"
#include "store/store.h"

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

void
ingest_reserve(struct hub_ingest *in, size_t more)
{
	if (in->npoints + more <= in->cpoints)
		return;
	in->cpoints = (in->npoints + more) * 2;
	in->ids = xreallocarray(in->ids, in->cpoints, sizeof *in->ids);
	in->ts = xreallocarray(in->ts, in->cpoints, sizeof *in->ts);
	in->vs = xreallocarray(in->vs, in->cpoints, sizeof *in->vs);
	in->lines = xreallocarray(in->lines, in->cpoints, sizeof *in->lines);
	in->acc = xreallocarray(in->acc, in->cpoints, sizeof *in->acc);
	in->show = xreallocarray(in->show, in->cpoints, sizeof *in->show);
	in->refs = xreallocarray(in->refs, in->cpoints, sizeof *in->refs);
}

void
ingest_batch_clear(struct hub_ingest *in)
{
	size_t i;

	for (i = 0; i < in->nmarks; i++)
		free(in->marks[i].reason);
	in->nmarks = in->nreasons = 0;
	in->npoints = in->nlines = in->naccepted = 0;
	in->status = 0;
	free(in->cause);
	in->cause = NULL;
	in->unknown_systems = 0;
}

static struct ingest_mark *
ingest_mark_add(struct hub_ingest *in, size_t line, int rj)
{
	struct ingest_mark *m;

	if (in->nmarks == in->cmarks) {
		in->cmarks = in->cmarks * 2 + 64;
		in->marks =
		    xreallocarray(in->marks, in->cmarks, sizeof *in->marks);
	}
	m = &in->marks[in->nmarks++];
	memset(m, 0, sizeof *m);
	m->line = line;
	m->rj = rj;
	return m;
}

/* Line refused for reason rj: fmt with detail, formatted only while the
 * reply can still list it (the second half lists errors in line order,
 * at most limits.max_errors, so one past that many here never shows). */
static void
ingest_refuse(struct hub *h, struct hub_ingest *in, size_t line,
    enum hub_reject rj, const char *fmt, const char *detail)
{
	struct ingest_mark *m = ingest_mark_add(in, line, (int)rj);

	if ((long long)in->nreasons < h->config->max_errors) {
		m->reason = xasprintf(fmt, detail);
		in->nreasons++;
	}
}

/* The point's time in ms, or -1 after refusing the line. */
static int64_t
ingest_point_time(struct hub *h, struct hub_ingest *in,
    const struct lp_point *pt, size_t lineno, int64_t now, int64_t mul,
    int64_t div)
{
	int64_t t;
	char *why;

	if (!pt->has_time)
		return now;
	if (pt->time < 0) {
		ingest_refuse(h, in, lineno, HUB_REJECT_TIME, "%s",
		    "timestamp out of range");
		return -1;
	}
	/* Saturated on overflow: then it is in the future all the same. */
	t = mul > 1 && pt->time > INT64_MAX / mul ? INT64_MAX
	                                          : pt->time * mul / div;
	why = hub_ingest_time_check(h->config, now, t, pt->time, mul, div);
	if (why != NULL) {
		ingest_refuse(h, in, lineno, HUB_REJECT_TIME, "%s", why);
		free(why);
		return -1;
	}
	if (t >= STORE_TIME_MAX) {
		ingest_refuse(h, in, lineno, HUB_REJECT_TIME, "%s",
		    "timestamp out of range");
		return -1;
	}
	return t;
}

/* Queue the numeric fields of accepted line pt (entry e, time t). */
static void
ingest_line_points(struct hub *h, struct hub_ingest *in, struct ingest_entry *e,
    const struct lp_point *pt, size_t lineno, int64_t t)
{
	struct ingest_field *f;
	struct ingest_show *sh;
	struct ingest_mark *m = NULL;
	size_t i, k, start = in->npoints;
	double v;

	ingest_reserve(in, pt->nfields);
	for (i = 0; i < pt->nfields; i++) {
		if (lp_field_number(&pt->fields[i], &v) != 0)
			continue; /* string fields are not stored */
		f = ingest_field_get(h, e, pt, &pt->fields[i], i);
		k = in->npoints++;
		in->ids[k] = f->error == NULL ? f->id : 0;
		in->ts[k] = t;
		in->vs[k] = v;
		in->lines[k] = lineno;
		sh = &in->show[k];
		sh->node = e->node;
		sh->sys = e->sys;
		sh->headline = f->headline;
		sh->special = f->special;
		if (in->ids[k] != 0)
			continue;
		/* Invalid or new: the second half decides, in line order. */
		in->refs[k].e = e;
		in->refs[k].field = (size_t)(f - e->fields);
		if (m == NULL)
			m = ingest_mark_add(in, lineno, -1);
	}
	if (m != NULL) {
		m->first = start;
		m->n = in->npoints - start;
	}
}

void
ingest_parse(struct hub *h, struct hub_ingest *in,
    const struct hub_identity *id, const char *body, size_t len, int64_t mul,
    int64_t div, int64_t now)
{
	struct lp_body lb;
	const struct lp_point *pt;
	const char *cause, *why;
	struct ingest_entry *e;
	size_t lineno, i;
	int64_t t;
	int rc, scope_node = -1, numeric;
	double v;

	ingest_batch_clear(in);
	if (in->n >= INGEST_CACHE_MAX)
		hub_ingest_reset(in); /* only between bodies: marks point in */
	if ((long long)ingest_count_lines(body, len) > h->config->max_lines) {
		in->status = 413;
		in->cause = xasprintf("more than %lld lines (limits.max_lines)",
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
		in->nlines++;
		if ((long long)in->nlines > h->config->max_lines) {
			ingest_batch_clear(in);
			in->status = 413;
			in->cause = xasprintf("more than %lld lines "
			                      "(limits.max_lines)",
			    h->config->max_lines);
			return;
		}
		if (rc == LP_ERROR) {
			ingest_refuse(
			    h, in, lineno, HUB_REJECT_SYNTAX, "%s", cause);
			continue;
		}
		if ((long long)pt->nfields > h->config->max_fields_per_line) {
			char n[32];

			snprintf(n, sizeof n, "%zu", pt->nfields);
			ingest_refuse(h, in, lineno, HUB_REJECT_FIELDS,
			    "%s fields, more than limits.max_fields_per_line",
			    n);
			continue;
		}
		e = ingest_entry_get(h, in, pt, body, len);
		if (e->reject) {
			ingest_refuse(h, in, lineno,
			    (enum hub_reject)(e->reject - 1), "%s", e->reason);
			continue;
		}
		if ((why = ingest_may_write(h, id, e, scope_node)) != NULL) {
			ingest_refuse(
			    h, in, lineno, HUB_REJECT_SCOPE, "%s", why);
			continue;
		}
		if ((t = ingest_point_time(h, in, pt, lineno, now, mul, div)) <
		    0)
			continue;
		for (i = 0, numeric = 0; i < pt->nfields && !numeric; i++)
			numeric = lp_field_number(&pt->fields[i], &v) == 0;
		if (!numeric) {
			ingest_refuse(h, in, lineno, HUB_REJECT_NO_NUMBER, "%s",
			    "no numeric field (string fields are not stored)");
			continue;
		}
		ingest_line_points(h, in, e, pt, lineno, t);
		in->naccepted++;
	}
}
