/* Line-protocol ingest: the second half (series ids, quotas, the store
 * write, the live status) and the whole on one thread. */
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
	buf_free(&in->text);
	free(in->ids);
	free(in->ts);
	free(in->vs);
	free(in->lines);
	free(in->acc);
	free(in->show);
	free(in->refs);
	ingest_batch_clear(in);
	free(in->marks);
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
ingest_show_stored(struct hub *h, struct hub_ingest *in,
    const struct store_write_result *wr, int64_t now)
{
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

/*
 * Resolve the fields of mark m's points in order (a line stops at its
 * first failure, as each field's series may be created on the way):
 * NULL, or why the line is refused with *rj.
 */
static const char *
ingest_mark_resolve(struct hub *h, struct hub_ingest *in,
    const struct ingest_mark *m, const char *source, int64_t now,
    size_t *created, enum hub_reject *rj)
{
	struct ingest_field *f;
	const char *why;
	size_t k;

	for (k = m->first; k < m->first + m->n; k++) {
		if (in->ids[k] != 0)
			continue;
		f = &in->refs[k].e->fields[in->refs[k].field];
		if (f->error != NULL) {
			*rj = HUB_REJECT_NAME;
			return f->error;
		}
		why = ingest_field_resolve(h, f, source, now, created);
		if (why != NULL) {
			*rj = f->error != NULL ? HUB_REJECT_NAME
			                       : HUB_REJECT_SERIES;
			return why;
		}
		in->ids[k] = f->id;
	}
	return NULL;
}

/* Drop the points whose id is 0 (lines refused by the second half),
 * keeping the order. */
static void
ingest_points_compact(struct hub_ingest *in)
{
	size_t i, j = 0;

	for (i = 0; i < in->npoints; i++) {
		if (in->ids[i] == 0)
			continue;
		in->ids[j] = in->ids[i];
		in->ts[j] = in->ts[i];
		in->vs[j] = in->vs[i];
		in->lines[j] = in->lines[i];
		in->show[j] = in->show[i];
		j++;
	}
	in->npoints = j;
}

/* The marks in line order: errors listed, rejections counted, new series
 * resolved under the quotas. */
static void
ingest_marks_apply(struct hub *h, struct hub_ingest *in, const char *source,
    int64_t now, struct hub_ingest_result *res)
{
	struct hub_status *st = h->status;
	const struct ingest_mark *m;
	const char *why;
	enum hub_reject rj;
	size_t i, k, created = 0;
	int dropped = 0;

	for (i = 0; i < in->nmarks; i++) {
		m = &in->marks[i];
		if (m->rj >= 0) {
			rj = (enum hub_reject)m->rj;
			if (m->reason != NULL)
				ingest_error(res, h, m->line, "%s", m->reason);
		} else {
			why = ingest_mark_resolve(
			    h, in, m, source, now, &created, &rj);
			if (why == NULL)
				continue;
			for (k = m->first; k < m->first + m->n; k++)
				in->ids[k] = 0;
			dropped = 1;
			res->accepted--;
			ingest_error(res, h, m->line, "%s", why);
		}
		res->rejected++;
		hub_status_reject(st, rj, source, 1);
	}
	if (dropped)
		ingest_points_compact(in);
}

void
ingest_commit(struct hub *h, struct hub_ingest *in, const char *source,
    int64_t now, struct hub_ingest_result *res)
{
	struct hub_status *st = h->status;
	struct store_write_result wr;
	struct hub_collector *col;
	char *scause = NULL;
	size_t duplicates = 0, late = 0, late_rejected = 0;

	memset(res, 0, sizeof *res);
	res->errors = json_array();
	st->unknown_system_lines += in->unknown_systems;
	if (in->status != 0) {
		res->status = in->status;
		res->cause = in->cause;
		in->cause = NULL;
		return;
	}
	res->lines = in->nlines;
	res->accepted = in->naccepted;
	ingest_marks_apply(h, in, source, now, res);
	if (in->npoints > 0) {
		memset(&wr, 0, sizeof wr);
		if (store_write_flags(h->store, in->ids, in->ts, in->vs,
		        in->npoints, in->acc, &wr, &scause) != 0) {
			ingest_store_outcome(h, 1, scause);
			res->status = 503;
			res->cause = xasprintf("store: %s",
			    scause != NULL ? scause : "write failed");
			free(scause);
			res->accepted = 0;
			return;
		}
		ingest_store_outcome(h, 0, NULL);
		/* Forwarding's queue record went into the store's write
		 * (hub/remote/remote.h). */
		ingest_show_stored(h, in, &wr, now);
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

void
hub_ingest_body(struct hub *h, const struct hub_identity *id,
    const char *source, const char *body, size_t len, int64_t mul, int64_t div,
    struct hub_ingest_result *res)
{
	int64_t now = hub_now(h);

	ingest_parse(h, h->ingest, id, body, len, mul, div, now);
	ingest_commit(h, h->ingest, source, now, res);
	ingest_batch_clear(h->ingest);
}
