/* The Grid detail screen: metrics with sparklines, a chart, alerts,
 * systems and the people responsible. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/bind.h"
#include "tui/screen-util.h"
#include "tui/screen.h"
#include "tui/spark.h"
#include "tui/term.h"
#include "tui/widget-table.h"

/* Time ranges for the chart: range and step. */
static const struct {
	const char *range, *step, *label;
} gr_ranges[] = {
    {"1h", "1m", "1 hour"},
    {"6h", "5m", "6 hours"},
    {"24h", "15m", "24 hours"},
    {"7d", "2h", "7 days"},
};
#define GR_NRANGES ((int)(sizeof gr_ranges / sizeof gr_ranges[0]))

struct screen_grid {
	struct screen base;
	char *code;
	struct model_tree tree;
	struct model_alerts alerts;
	struct model_query q;
	int range;
	int inflight, alerts_inflight, q_inflight;
	int64_t q_next;
	size_t *rows; /* series indexes, filtered */
	size_t nrows;
	struct table tab;
	int spark_w;
	char *error; /* owned: why the grid cannot be shown (404 ...) */
};

static const struct table_col gr_cols[] = {
    {.title = "Metric", .width = 14, .flex = 1},
    {.title = "System", .width = 12, .flex = 1, .min_cols = 70},
    {.title = "Now", .width = 7, .align = TEXT_RIGHT},
    {.title = "Min", .width = 6, .align = TEXT_RIGHT, .min_cols = 60},
    {.title = "Max", .width = 6, .align = TEXT_RIGHT, .min_cols = 60},
    {.title = "Trend", .width = 10, .flex = 2},
};

static struct screen_grid *
gr(struct screen *s)
{
	return (struct screen_grid *)s;
}

static double
gr_last(const struct model_series *se)
{
	size_t i;

	for (i = se->n; i > 0; i--) {
		if (!isnan(se->v[i - 1]))
			return se->v[i - 1];
	}
	return NAN;
}

/* Labels the grid screen shows elsewhere (the place, the system) or that
 * say nothing to an operator; the rest tell rows of one metric apart
 * (finance_enterprises of level=high and of level=low). */
static const char *const gr_quiet_labels[] = {"grid", "community",
    "subdistrict", "district", "system", "dept", "platform", "job", "instance",
    "host", NULL};

static void
gr_put_labels(struct buf *b, const struct model_series *se)
{
	const char *key;
	json_t *v;
	size_t i;

	if (se->labels == NULL)
		return;
	json_object_foreach(se->labels, key, v)
	{
		for (i = 0; gr_quiet_labels[i] != NULL; i++) {
			if (strcmp(key, gr_quiet_labels[i]) == 0)
				break;
		}
		if (gr_quiet_labels[i] != NULL || !json_is_string(v))
			continue;
		buf_printf(b, "%s=%s ", key, json_string_value(v));
	}
}

static void
gr_cell(void *arg, size_t row, int col, struct buf *b, attr_t *a)
{
	struct screen_grid *g = arg;
	const struct model_series *se = &g->q.series[g->rows[row]];
	double lo, hi;

	switch (col) {
	case 0:
		buf_puts(b, se->metric ? se->metric : "?");
		break;
	case 1: /* the labels that tell rows apart first: they are short */
		gr_put_labels(b, se);
		if (model_series_label(se, "system") != NULL)
			buf_puts(b, model_series_label(se, "system"));
		*a = term_attr(TERM_DIM);
		break;
	case 2:
		su_num_cell(b, gr_last(se), NULL);
		*a = A_BOLD;
		break;
	case 3:
	case 4:
		if (spark_range(se->v, se->n, &lo, &hi))
			su_num_cell(b, col == 3 ? lo : hi, NULL);
		break;
	case 5:
		su_spark_cell(b, g->base.app, se, g->spark_w);
		break;
	}
}

static void
gr_rebuild(struct screen_grid *g)
{
	size_t i;

	free(g->rows);
	g->rows = g->q.nseries ? xcalloc(g->q.nseries, sizeof *g->rows) : NULL;
	g->nrows = 0;
	for (i = 0; i < g->q.nseries; i++) {
		if (su_match(g->base.filter, g->q.series[i].metric) ||
		    su_match(g->base.filter,
		        model_series_label(&g->q.series[i], "system")))
			g->rows[g->nrows++] = i;
	}
	table_set_rows(&g->tab, g->nrows);
}

static void
gr_tree_done(struct screen *s, struct api_result *res)
{
	struct screen_grid *g = gr(s);
	struct model_tree n;
	char *cause = NULL;

	g->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "grid: %s", res->error);
		/* The hub answered no (unknown code, outside the scope):
		 * say so in place of "Loading". */
		if (res->status >= 400 && res->status < 500) {
			free(g->error);
			g->error = xstrdup(res->error);
		}
		return;
	}
	free(g->error);
	g->error = NULL;
	if (model_tree_decode(res->body, &n, &cause) != 0) {
		res->body = NULL;
		app_message(s->app, 1, "grid: %s", cause);
		free(cause);
		return;
	}
	res->body = NULL;
	model_tree_free(&g->tree);
	g->tree = n;
}

static void
gr_alerts_done(struct screen *s, struct api_result *res)
{
	struct screen_grid *g = gr(s);
	struct model_alerts n;
	char *cause = NULL;

	g->alerts_inflight = 0;
	if (res->error != NULL)
		return;
	if (model_alerts_decode(res->body, &n, &cause) == 0) {
		model_alerts_free(&g->alerts);
		g->alerts = n;
	} else
		free(cause);
	res->body = NULL;
}

static void
gr_q_done(struct screen *s, struct api_result *res)
{
	struct screen_grid *g = gr(s);
	struct model_query n;
	char *cause = NULL;

	g->q_inflight = 0;
	if (res->error != NULL)
		return;
	if (model_query_decode(res->body, &n, &cause) == 0) {
		model_query_free(&g->q);
		g->q = n;
		gr_rebuild(g);
	} else
		free(cause);
	res->body = NULL;
}

static void
gr_refresh(struct screen *s)
{
	struct screen_grid *g = gr(s);
	int64_t now = clock_mono_ms();
	char *c, *path, *sel;

	if (g->code == NULL)
		return;
	c = api_escape(g->code);
	if (!g->inflight) {
		g->inflight = 1;
		path = xasprintf("/api/v1/tree?code=%s", c);
		app_fetch(s->app, s, path, gr_tree_done);
		free(path);
	}
	if (!g->alerts_inflight) {
		g->alerts_inflight = 1;
		path = xasprintf("/api/v1/alerts?code=%s", c);
		app_fetch(s->app, s, path, gr_alerts_done);
		free(path);
	}
	if (!g->q_inflight && now >= g->q_next) {
		g->q_inflight = 1;
		/* Series data moves slowly: every 10 s is plenty. */
		g->q_next = now + 10000;
		path = xasprintf("{grid=\"%s\"}", g->code);
		sel = api_escape(path);
		free(path);
		path = xasprintf("/api/v1/query?q=%s&start=now-%s&step=%s"
		                 "&agg=avg&limit=200",
		    sel, gr_ranges[g->range].range, gr_ranges[g->range].step);
		app_fetch(s->app, s, path, gr_q_done);
		free(path);
		free(sel);
	}
	free(c);
}

static void
gr_where(struct screen *s, struct buf *b)
{
	struct screen_grid *g = gr(s);

	if (g->tree.node.code != NULL)
		buf_puts(b, model_label(g->tree.node.name, g->tree.node.name_en,
		                g->tree.node.code));
	else if (g->code != NULL)
		buf_puts(b, g->code);
}

static const char *
gr_role_name(const char *role)
{
	if (strcmp(role, "grid_worker") == 0)
		return text_utf8() ? "网格员" : "grid worker";
	if (strcmp(role, "building_head") == 0)
		return text_utf8() ? "楼栋长" : "building head";
	if (strcmp(role, "police") == 0)
		return text_utf8() ? "社区民警" : "police";
	return role;
}

/* The time axis under a chart width columns wide: the range's start,
 * middle and end as local times (dates past a day). */
static void
gr_time_axis(struct buf *b, long long start_ms, long long end_ms, int width)
{
	const char *fmt =
	    end_ms - start_ms > 86400000LL ? "%m-%d %H:%M" : "%H:%M";
	char lab[3][24];
	int pos[3], i, col = 0, n;
	time_t t;
	struct tm tm;

	for (i = 0; i < 3; i++) {
		t = (time_t)((start_ms + (end_ms - start_ms) * i / 2) / 1000);
		localtime_r(&t, &tm);
		strftime(lab[i], sizeof lab[i], fmt, &tm);
	}
	n = (int)strlen(lab[0]);
	pos[0] = 0;
	pos[1] = (width - n) / 2;
	pos[2] = width - n;
	for (i = 0; i < 3; i++) {
		if (pos[i] < col || pos[i] + n > width)
			continue;
		for (; col < pos[i]; col++)
			buf_putc(b, ' ');
		buf_puts(b, lab[i]);
		col += n;
	}
}

/* The threshold of an active rule alert of the grid on metric (its op in
 * *op), NaN when there is none. */
static double
gr_threshold(const struct screen_grid *g, const char *metric, const char **op)
{
	size_t i;

	for (i = 0; metric != NULL && i < g->alerts.n; i++) {
		const struct model_alert *a = &g->alerts.v[i];

		if (a->metric != NULL && strcmp(a->metric, metric) == 0 &&
		    isfinite(a->threshold)) {
			*op = a->op != NULL ? a->op : "";
			return a->threshold;
		}
	}
	return NAN;
}

/* Blanks of a chart row become the threshold line, appended to out. */
static void
gr_threshold_row(struct buf *out, const char *row)
{
	for (; *row != '\0'; row++) {
		if (*row == ' ')
			buf_puts(out, term_caps.utf8 ? "\xe2\x95\x8c" : "-");
		else
			buf_putc(out, *row);
	}
}

/* The chart of the selected series, rows x cols at (y, x): the values
 * between their minimum and maximum, an active alert's threshold as a
 * line, the time axis under them. */
static void
gr_chart(struct screen_grid *g, WINDOW *w, int y, int x, int rows, int cols)
{
	const struct model_series *se;
	struct buf b = BUF_INIT;
	char lo_s[32], hi_s[32];
	double lo, hi, *vals, thr;
	const char *op = "";
	struct buf line = BUF_INIT;
	int r, axis, h, thr_row = -1;

	if (g->nrows == 0 || rows < 3 || cols < 20)
		return;
	se = &g->q.series[g->rows[g->tab.sel]];
	thr = gr_threshold(g, se->metric, &op);
	buf_printf(&b, "%s, last %s", se->metric ? se->metric : "?",
	    gr_ranges[g->range].label);
	if (isfinite(thr)) {
		text_number(thr, lo_s, sizeof lo_s);
		buf_printf(&b, ", alert %s %s", op, lo_s);
	}
	buf_puts(&b, "  ([ ] change the range)");
	term_title(w, y, x, cols, buf_str(&b));
	if (!spark_range(se->v, se->n, &lo, &hi)) {
		term_put(w, y + 1, x + 2, cols - 2, "no data in this range",
		    TEXT_LEFT, term_attr(TERM_DIM));
		buf_free(&b);
		return;
	}
	if (isfinite(thr) && thr < lo)
		lo = thr;
	if (isfinite(thr) && thr > hi)
		hi = thr;
	text_number(lo, lo_s, sizeof lo_s);
	text_number(hi, hi_s, sizeof hi_s);
	axis = text_width(hi_s) > text_width(lo_s) ? text_width(hi_s)
	                                           : text_width(lo_s);
	if (cols - axis - 2 <= 0) {
		buf_free(&b);
		return;
	}
	vals = su_series_buckets(se, (size_t)(cols - axis - 2));
	/* The last row is the time axis when there is room for it. */
	h = rows >= 5 && se->end_ms > se->start_ms ? rows - 2 : rows - 1;
	if (isfinite(thr))
		thr_row = h - 1 - spark_level(thr, lo, hi, h);
	if (h == rows - 2) {
		buf_reset(&b);
		gr_time_axis(&b, se->start_ms, se->end_ms, cols - axis - 2);
		term_put(w, y + rows - 1, x + axis + 2, cols - axis - 2,
		    buf_str(&b), TEXT_LEFT, term_attr(TERM_DIM));
	}
	for (r = 0; r < h; r++) {
		buf_reset(&b);
		spark_chart_row(&b, vals, (size_t)(cols - axis - 2),
		    cols - axis - 2, h, r, lo, hi,
		    g->base.app->spark == SPARK_ASCII ? SPARK_ASCII
		                                      : SPARK_BLOCK);
		if (r == 0)
			term_put(w, y + 1 + r, x, axis, hi_s, TEXT_RIGHT,
			    term_attr(TERM_DIM));
		else if (r == h - 1)
			term_put(w, y + 1 + r, x, axis, lo_s, TEXT_RIGHT,
			    term_attr(TERM_DIM));
		term_put(w, y + 1 + r, x + axis, 1, term_vline(), TEXT_LEFT,
		    term_attr(TERM_DIM));
		if (r == thr_row) {
			buf_reset(&line);
			gr_threshold_row(&line, buf_str(&b));
			term_put(w, y + 1 + r, x + axis + 2, cols - axis - 2,
			    buf_str(&line), TEXT_LEFT, term_attr(TERM_BAD));
		} else
			term_put(w, y + 1 + r, x + axis + 2, cols - axis - 2,
			    buf_str(&b), TEXT_LEFT, term_attr(TERM_GOOD));
	}
	free(vals);
	buf_free(&line);
	buf_free(&b);
}

/* People, systems, alerts: a side panel (or the lower part). */
static int
gr_side(struct screen_grid *g, WINDOW *w, int y, int x, int rows, int cols)
{
	struct buf b = BUF_INIT;
	size_t i, nworkers = 0;
	int y0 = y;

	if (rows <= 0)
		return 0;
	term_title(w, y++, x, cols, "People responsible");
	for (i = 0; i < g->tree.npeople && y < y0 + rows; i++) {
		const struct model_person *p = &g->tree.people[i];

		if (strncmp(p->role, "worker:", 7) == 0) {
			nworkers++;
			continue;
		}
		buf_reset(&b);
		buf_printf(&b, "%s: %s  %s%s%s", gr_role_name(p->role),
		    p->name ? p->name : "?", p->phone ? p->phone : "",
		    p->station ? "  " : "", p->station ? p->station : "");
		term_put(
		    w, y++, x + 1, cols - 1, buf_str(&b), TEXT_LEFT, A_NORMAL);
	}
	/* The enrolled grid workers ("worker:NAME"; the hub puts their open
	 * tasks in phone and where they are in station). */
	if (nworkers > 0 && y < y0 + rows) {
		buf_reset(&b);
		buf_printf(&b, "Workers on duty (%zu)", nworkers);
		term_title(w, y++, x, cols, buf_str(&b));
	}
	for (i = 0; nworkers > 0 && i < g->tree.npeople && y < y0 + rows; i++) {
		const struct model_person *p = &g->tree.people[i];

		if (strncmp(p->role, "worker:", 7) != 0)
			continue;
		buf_reset(&b);
		buf_printf(&b, "%s%s%s  %s  %s", p->role + 7,
		    p->name && strcmp(p->name, p->role + 7) != 0 ? " " : "",
		    p->name && strcmp(p->name, p->role + 7) != 0 ? p->name : "",
		    p->phone ? p->phone : "", p->station ? p->station : "");
		term_put(w, y++, x + 1, cols - 1, buf_str(&b), TEXT_LEFT,
		    p->station != NULL && strncmp(p->station, "on site", 7) == 0
		        ? A_BOLD
		        : A_NORMAL);
	}
	if (y < y0 + rows) {
		buf_reset(&b);
		buf_printf(&b, "Active alerts (%zu)", g->alerts.n);
		term_title(w, y++, x, cols, buf_str(&b));
	}
	for (i = 0; i < g->alerts.n && y < y0 + rows; i++) {
		const struct model_alert *a = &g->alerts.v[i];

		term_put(w, y, x + 1, 5, model_sev_short(a->sev), TEXT_LEFT,
		    term_sev_attr(a->sev));
		buf_reset(&b);
		buf_printf(
		    &b, "%s %s %s", a->id, a->state, model_alert_message(a));
		term_put(
		    w, y++, x + 6, cols - 6, buf_str(&b), TEXT_LEFT, A_NORMAL);
	}
	if (y < y0 + rows) {
		buf_reset(&b);
		buf_printf(&b, "Systems covering it (%zu)", g->tree.nsystems);
		term_title(w, y++, x, cols, buf_str(&b));
	}
	for (i = 0; i < g->tree.nsystems && y < y0 + rows; i++) {
		const struct model_sysref *sy = &g->tree.systems[i];

		buf_reset(&b);
		buf_printf(&b, "%s  %s  %s",
		    model_label(sy->name, sy->name_en, sy->id),
		    sy->dept ? sy->dept : "", sy->platform ? sy->platform : "");
		term_put(
		    w, y++, x + 1, cols - 1, buf_str(&b), TEXT_LEFT, A_NORMAL);
	}
	buf_free(&b);
	return y - y0;
}

static void
gr_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_grid *g = gr(s);
	const struct model_node *n = &g->tree.node;
	struct buf b = BUF_INIT;
	int widths[6], left, th, ch, y;

	if (g->code == NULL) {
		term_put(w, 1, 2, cols - 4,
		    "No grid chosen: Enter on a grid in Territory or Map, "
		    "or :grid CODE",
		    TEXT_LEFT, A_BOLD);
		return;
	}
	if (n->code == NULL && g->error != NULL) {
		term_printf(w, 1, 2, cols - 4, term_attr(TERM_BAD),
		    "grid %s: %s", g->code, g->error);
		return;
	}
	if (n->code == NULL) {
		term_printf(
		    w, 1, 2, cols - 4, A_BOLD, "Loading grid %s ...", g->code);
		return;
	}
	/* Title: name, code, place, status. */
	for (size_t i = 0; i < g->tree.npath; i++) {
		buf_puts(
		    &b, model_label(g->tree.path[i].name,
		            g->tree.path[i].name_en, g->tree.path[i].code));
		buf_puts(&b, " / ");
	}
	buf_printf(
	    &b, "%s  %s", model_label(n->name, n->name_en, n->code), n->code);
	term_put(w, 0, 0, cols, buf_str(&b), TEXT_LEFT, A_BOLD);
	buf_reset(&b);
	buf_printf(&b, "%s  alerts %u/%u/%u  data ", model_sev_short(n->sev),
	    n->alerts.high, n->alerts.medium, n->alerts.low);
	{
		char age[16];

		text_age(n->age_s, age, sizeof age);
		buf_puts(&b, age);
	}
	term_put(w, 1, 0, cols, buf_str(&b), TEXT_LEFT, term_sev_attr(n->sev));
	y = 2;
	left = cols >= 120 ? cols * 3 / 5 : cols;
	/* Metrics table and chart on the left (or everything stacked). */
	table_widths(&g->tab, left - 1, widths);
	g->spark_w = widths[5];
	th = (int)g->nrows + 1;
	if (left == cols) {
		int avail = rows - y, side;

		/* Stacked: table, chart, then the side panel. */
		if (th > avail / 2)
			th = avail / 2;
		ch = avail - th > 14 ? 8 : (avail - th) / 2;
		if (ch < 3 || g->nrows == 0)
			ch = 0;
		if (g->nrows == 0) {
			term_put(w, y, 1, cols - 1,
			    g->q_inflight ? "loading metrics ..."
			                  : "no metrics for this grid",
			    TEXT_LEFT, term_attr(TERM_DIM));
			th = 1;
		} else
			table_draw(&g->tab, w, y, 0, th, left);
		y += th;
		gr_chart(g, w, y, 0, ch, cols);
		y += ch;
		side = rows - y;
		gr_side(g, w, y, 0, side, cols);
	} else {
		int avail = rows - y;

		if (th > avail - 10)
			th = avail - 10;
		if (th < 2)
			th = 2;
		table_widths(&g->tab, left - 2, widths);
		g->spark_w = widths[5];
		if (g->nrows == 0)
			term_put(w, y, 1, left - 1, "no metrics for this grid",
			    TEXT_LEFT, term_attr(TERM_DIM));
		else
			table_draw(&g->tab, w, y, 0, th, left - 1);
		gr_chart(g, w, y + th, 0, avail - th, left - 1);
		gr_side(g, w, y, left + 1, rows - y, cols - left - 1);
	}
	buf_free(&b);
}

void
screen_grid_open(struct screen *s, const char *code)
{
	struct screen_grid *g = gr(s);

	if (g->code != NULL && code != NULL && strcmp(g->code, code) == 0)
		return;
	free(g->code);
	g->code = code != NULL ? xstrdup(code) : NULL;
	free(g->error);
	g->error = NULL;
	model_tree_free(&g->tree);
	model_alerts_free(&g->alerts);
	model_query_free(&g->q);
	g->q_next = 0;
	g->tab.sel = g->tab.top = 0;
	s->fetched = 0;
	gr_rebuild(g);
}

static int
gr_nav(struct screen *s, int key)
{
	return table_nav(&gr(s)->tab, key);
}

static void
gr_range(struct screen_grid *g, int d)
{
	g->range = (g->range + d + GR_NRANGES) % GR_NRANGES;
	g->q_next = 0;
	app_message(g->base.app, 0, "range: %s", gr_ranges[g->range].label);
	app_refresh_now(g->base.app);
}

static void
gr_range_next(struct app *app, struct screen *s)
{
	gr_range(gr(s), 1);
}

static void
gr_range_prev(struct app *app, struct screen *s)
{
	gr_range(gr(s), -1);
}

static void
gr_alerts(struct app *app, struct screen *s)
{
	screen_alerts_set_code(app_screen(app, APP_ALERTS), gr(s)->code);
	app_switch(app, APP_ALERTS);
}

static void
gr_territory(struct app *app, struct screen *s)
{
	struct screen_grid *g = gr(s);

	app_open_territory(
	    app, g->tree.node.parent ? g->tree.node.parent : NULL);
}

static const struct binding gr_bindings[] = {
    {.key = ']',
        .key2 = 't',
        .key3 = KEY_F(6),
        .keys = "] t F6",
        .help = "longer chart range (1h 6h 24h 7d)",
        .fkey = 6,
        .bar = "Range",
        .fn = gr_range_next},
    {.key = '[',
        .keys = "[",
        .help = "shorter chart range",
        .fn = gr_range_prev},
    {.key = 'a',
        .key2 = KEY_F(7),
        .keys = "a F7",
        .help = "this grid's alerts in the Alerts screen",
        .fkey = 7,
        .bar = "Alerts",
        .fn = gr_alerts},
    {.key = 'u',
        .keys = "u",
        .help = "its community in Territory",
        .fn = gr_territory},
    {.key = 0},
};

static void
gr_filter_changed(struct screen *s)
{
	gr_rebuild(gr(s));
}

static void
gr_init(struct screen *s)
{
	struct screen_grid *g = gr(s);

	g->range = 1;
	table_init(&g->tab, gr_cols, (int)(sizeof gr_cols / sizeof gr_cols[0]),
	    gr_cell, g);
}

static void
gr_destroy(struct screen *s)
{
	struct screen_grid *g = gr(s);

	free(g->code);
	free(g->error);
	free(g->rows);
	model_tree_free(&g->tree);
	model_alerts_free(&g->alerts);
	model_query_free(&g->q);
}

const struct screen_class screen_grid_class = {
    .name = "grid",
    .title = "Grid",
    .tab = "Grid",
    .key = '3',
    .size = sizeof(struct screen_grid),
    .bindings = gr_bindings,
    .init = gr_init,
    .destroy = gr_destroy,
    .fetch = gr_refresh,
    .draw = gr_draw,
    .filter_changed = gr_filter_changed,
    .nav = gr_nav,
    .where = gr_where,
};
