/* The Data quality screen (数据质量核查): the checks of what systems
 * declare (never seen, stale, undeclared, bad values, blind rules),
 * forwarding to remote-write targets (lag, queue, drops), systems not
 * fresh, silent series, collectors, rejected lines by reason and source. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/bind.h"
#include "tui/remote-view.h"
#include "tui/screen-util.h"
#include "tui/screen.h"
#include "tui/term.h"
#include "tui/widget-table.h"

struct qu_line {
	char *text;
	attr_t attr;
};

struct screen_quality {
	struct screen base;
	struct model_quality q;
	json_t *remote; /* GET /api/v1/status/remote, or NULL */
	int inflight, remote_inflight;
	struct qu_line *lines;
	size_t nlines, cap;
	size_t *rows;
	size_t nrows;
	struct table tab;
};

static const struct table_col qu_cols[] = {
    {.title = "", .width = 20, .flex = 1},
};

static struct screen_quality *
qu(struct screen *s)
{
	return (struct screen_quality *)s;
}

static void qu_add(struct screen_quality *q, attr_t a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
qu_add(struct screen_quality *q, attr_t a, const char *fmt, ...)
{
	va_list ap;
	char *t;

	va_start(ap, fmt);
	if (vasprintf(&t, fmt, ap) < 0)
		t = xstrdup("?");
	va_end(ap);
	if (q->nlines == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->lines = xreallocarray(q->lines, q->cap, sizeof *q->lines);
	}
	q->lines[q->nlines].text = t;
	q->lines[q->nlines].attr = a;
	q->nlines++;
}

static void
qu_clear(struct screen_quality *q)
{
	size_t i;

	for (i = 0; i < q->nlines; i++)
		free(q->lines[i].text);
	q->nlines = 0;
}

static void
qu_cell(void *arg, size_t row, int col, struct buf *b, attr_t *a)
{
	struct screen_quality *q = arg;
	const struct qu_line *l = &q->lines[q->rows[row]];

	buf_puts(b, l->text);
	*a = l->attr;
}

static long long
qu_int(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* ms since the epoch as local HH:MM:SS. */
static void
qu_clock(long long ms, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%H:%M:%S", &tm) == 0)
		snprintf(buf, size, "?");
}

/* One line per system with names in its array key ("never seen", ...). */
static void
qu_names(struct screen_quality *q, json_t *systems, const char *key,
    const char *what, attr_t a)
{
	struct buf b = BUF_INIT;
	json_t *s, *v;
	size_t i, k;

	json_array_foreach(systems, i, s)
	{
		json_t *arr = json_object_get(s, key);

		if (json_array_size(arr) == 0)
			continue;
		buf_reset(&b);
		json_array_foreach(arr, k, v)
		{
			buf_printf(&b, " %s",
			    json_is_string(v)
			        ? json_string_value(v)
			        : json_string_value(
			              json_object_get(v, "name")));
		}
		qu_add(q, a, "  %-11s %-24s%s", what,
		    json_string_value(json_object_get(s, "id")), buf_str(&b));
	}
	buf_free(&b);
}

/* The checks of systems.json against what arrives, and blind rules. */
static void
qu_checks(struct screen_quality *q, attr_t title)
{
	json_t *root = q->q.root, *sum = json_object_get(root, "summary");
	json_t *systems = json_object_get(root, "systems"), *s, *f, *r;
	char hm[16];
	double ratio;
	size_t i, k;

	if (!json_is_object(sum))
		return;
	ratio = json_number_value(json_object_get(sum, "completeness"));
	qu_add(q, title,
	    "Checks: never seen %lld  stale %lld  undeclared %lld  bad values "
	    "%lld  completeness %.1f%%  blind rules %lld of %lld",
	    qu_int(sum, "declared_missing"), qu_int(sum, "stale_metrics"),
	    qu_int(sum, "undeclared_metrics"), qu_int(sum, "value_failures"),
	    100 * ratio, qu_int(sum, "blind_rules"), qu_int(sum, "rules"));
	qu_names(
	    q, systems, "declared_missing", "never seen", term_attr(TERM_BAD));
	qu_names(q, systems, "stale_metrics", "stale", term_attr(TERM_WARN));
	qu_names(q, systems, "undeclared", "undeclared", term_attr(TERM_WARN));
	json_array_foreach(systems, i, s)
	{
		json_t *vf = json_object_get(s, "value_failures");

		json_array_foreach(json_object_get(vf, "list"), k, f)
		{
			const char *g =
			    json_string_value(json_object_get(f, "grid"));

			qu_clock(qu_int(f, "time_ms"), hm, sizeof hm);
			qu_add(q, term_attr(TERM_WARN),
			    "  %-11s %-24s %s %s %s %g in %s (expected %s)",
			    "bad value",
			    json_string_value(json_object_get(s, "id")), hm,
			    json_string_value(json_object_get(f, "metric")),
			    json_string_value(json_object_get(f, "check")),
			    json_number_value(json_object_get(f, "value")),
			    g != NULL ? g : "the district",
			    json_string_value(json_object_get(f, "expected")));
		}
	}
	json_array_foreach(json_object_get(root, "rules"), i, r)
	{
		const char *st = json_string_value(json_object_get(r, "state"));

		if (st == NULL || strcmp(st, "blind") != 0)
			continue;
		qu_add(q, term_attr(TERM_BAD),
		    "  %-11s %-24s %s: no data for %llds (window %llds)",
		    "blind rule", json_string_value(json_object_get(r, "name")),
		    json_string_value(json_object_get(r, "selector")),
		    qu_int(r, "blind_s"), qu_int(r, "window_s"));
	}
}

/* The forwarding targets (remote-write out): lag, queue, drops. */
static void
qu_forwarding(struct screen_quality *q, attr_t title)
{
	static const int attrs[] = {
	    [REMOTE_VIEW_OK] = TERM_GOOD,
	    [REMOTE_VIEW_WARN] = TERM_WARN,
	    [REMOTE_VIEW_BAD] = TERM_BAD,
	};
	struct buf b = BUF_INIT;
	enum remote_view_level lv;
	json_t *t;
	size_t i;

	if (q->remote == NULL)
		return;
	remote_view_title(q->remote, &b);
	qu_add(q, title, "%s", buf_str(&b));
	json_array_foreach(json_object_get(q->remote, "targets"), i, t)
	{
		buf_reset(&b);
		lv = remote_view_target(t, &b);
		qu_add(q,
		    lv == REMOTE_VIEW_OK ? A_NORMAL : term_attr(attrs[lv]),
		    "  %s", buf_str(&b));
	}
	buf_free(&b);
}

/* Turn the document into lines (sections are kept whole by the filter:
 * a title always shows). */
static void
qu_lines(struct screen_quality *q)
{
	const struct model_quality *m = &q->q;
	attr_t title = A_BOLD | A_UNDERLINE;
	const char *key;
	json_t *v;
	char age[16];
	size_t i, n = 0;

	qu_clear(q);
	qu_checks(q, title);
	qu_forwarding(q, title);
	for (i = 0; i < m->nsystems; i++)
		n += m->systems[i].state == NULL ||
		     strcmp(m->systems[i].state, "fresh") != 0;
	qu_add(q, title, "Systems not fresh: %zu of %zu", n, m->nsystems);
	for (i = 0; i < m->nsystems; i++) {
		const struct model_quality_system *s = &m->systems[i];

		if (s->state != NULL && strcmp(s->state, "fresh") == 0)
			continue;
		text_age(s->age_s, age, sizeof age);
		qu_add(q,
		    s->state && strcmp(s->state, "late") == 0
		        ? term_attr(TERM_WARN)
		        : term_attr(TERM_BAD),
		    "  %-24s %-7s last %-6s expected every %llds (%s)",
		    s->id ? s->id : "?", s->state ? s->state : "?", age,
		    s->interval_s,
		    s->interval_source ? s->interval_source : "");
	}
	qu_add(q, title, "Silent series: %lld", m->silent_total);
	for (i = 0; i < m->nsilent; i++) {
		text_age(m->silent[i].age_s, age, sizeof age);
		qu_add(q, term_attr(TERM_WARN), "  %6s  %s", age,
		    m->silent[i].series ? m->silent[i].series : "?");
	}
	qu_add(q, title, "Collectors: %zu", m->ncollectors);
	for (i = 0; i < m->ncollectors; i++) {
		const struct model_quality_collector *c = &m->collectors[i];

		text_age(c->age_s, age, sizeof age);
		qu_add(q,
		    c->age_s > 300 || c->age_s < 0 ? term_attr(TERM_BAD)
		                                   : A_NORMAL,
		    "  %-22s %-21s last %-5s requests %lld  points %lld  "
		    "rejected %lld",
		    c->name ? c->name : "?", c->peer ? c->peer : "", age,
		    c->requests, c->points, c->rejected);
	}
	qu_add(q, title, "Rejected lines: %lld  (duplicates %lld, late %lld)",
	    m->rejected_total, m->duplicates_total, m->late_total);
	json_object_foreach(m->by_reason, key, v)
	{
		qu_add(q, A_NORMAL, "  reason  %-30s %lld", key,
		    (long long)json_integer_value(v));
	}
	json_object_foreach(m->by_source, key, v)
	{
		qu_add(q, A_NORMAL, "  source  %-30s %lld", key,
		    (long long)json_integer_value(v));
	}
}

static void
qu_rebuild(struct screen_quality *q)
{
	size_t i;

	free(q->rows);
	q->rows = q->nlines ? xcalloc(q->nlines, sizeof *q->rows) : NULL;
	q->nrows = 0;
	for (i = 0; i < q->nlines; i++) {
		if (q->lines[i].text[0] != ' ' ||
		    su_match(q->base.filter, q->lines[i].text))
			q->rows[q->nrows++] = i;
	}
	table_set_rows(&q->tab, q->nrows);
}

static void
qu_done(struct screen *s, struct api_result *res)
{
	struct screen_quality *q = qu(s);
	struct model_quality n;
	char *cause = NULL;

	q->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "quality: %s", res->error);
		return;
	}
	if (model_quality_decode(res->body, &n, &cause) == 0) {
		model_quality_free(&q->q);
		q->q = n;
		qu_lines(q);
		qu_rebuild(q);
	} else
		free(cause);
	res->body = NULL;
}

/* The forwarding status arrived (an older hub without it: no section). */
static void
qu_remote_done(struct screen *s, struct api_result *res)
{
	struct screen_quality *q = qu(s);

	q->remote_inflight = 0;
	if (res->error != NULL || !json_is_object(res->body))
		return;
	json_decref(q->remote);
	q->remote = res->body;
	res->body = NULL;
	if (q->q.root != NULL) {
		qu_lines(q);
		qu_rebuild(q);
	}
}

static void
qu_refresh(struct screen *s)
{
	struct screen_quality *q = qu(s);

	if (!q->remote_inflight) {
		q->remote_inflight = 1;
		app_fetch(s->app, s, "/api/v1/status/remote", qu_remote_done);
	}
	if (!q->inflight) {
		q->inflight = 1;
		app_fetch(s->app, s, "/api/v1/quality", qu_done);
	}
}

static void
qu_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_quality *q = qu(s);

	if (!s->fetched) {
		term_put(w, 1, 2, cols - 4, "Loading data quality ...",
		    TEXT_LEFT, A_BOLD);
		return;
	}
	table_draw(&q->tab, w, 0, 0, rows, cols);
}

static int
qu_nav(struct screen *s, int key)
{
	return table_nav(&qu(s)->tab, key);
}

static void
qu_filter_changed(struct screen *s)
{
	qu_rebuild(qu(s));
}

static void
qu_init(struct screen *s)
{
	struct screen_quality *q = qu(s);

	table_init(&q->tab, qu_cols, 1, qu_cell, q);
	q->tab.no_header = 1;
}

static void
qu_destroy(struct screen *s)
{
	struct screen_quality *q = qu(s);

	qu_clear(q);
	free(q->lines);
	free(q->rows);
	json_decref(q->remote);
	model_quality_free(&q->q);
}

static const struct binding qu_bindings[] = {
    {.key = KEY_DOWN, .keys = "arrows PgUp PgDn", .help = "scroll"},
    {.key = 0},
};

const struct screen_class screen_quality_class = {
    .name = "quality",
    .title = "Quality",
    .tab = "Qual",
    .key = '7',
    .size = sizeof(struct screen_quality),
    .bindings = qu_bindings,
    .init = qu_init,
    .destroy = qu_destroy,
    .fetch = qu_refresh,
    .draw = qu_draw,
    .filter_changed = qu_filter_changed,
    .nav = qu_nav,
};
