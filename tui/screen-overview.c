/* The Overview screen: the whole district at a glance (the start screen). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/desk.h"
#include "tui/bind.h"
#include "tui/screen-util.h"
#include "tui/screen.h"
#include "tui/term.h"
#include "tui/widget-table.h"

#define OV_METRICS  3
#define OV_SPARK_MS 30000
#define OV_ALERTS   100

struct screen_overview {
	struct screen base;
	struct model_overview ov;
	struct model_alerts alerts;
	struct model_query spark;
	char *spark_metric; /* the series the sparks show */
	char *metric;       /* chosen headline key or NULL */
	int inflight, alerts_inflight, spark_inflight;
	int64_t spark_next;
	size_t *rows; /* filtered subdistrict indexes */
	size_t nrows;
	size_t *arows; /* alert indexes, worst first */
	size_t narows;
	struct table subs, plats, atab;
	struct table_col subcols[6 + OV_METRICS + 3];
	char mtitles[OV_METRICS][16];
	char trend_title[40];
	const char *mkeys[OV_METRICS];
	int nm;
	int spark_w;
};

/* Columns of the subdistrict table. */
enum {
	SC_NAME,
	SC_SEV,
	SC_HIGH,
	SC_MED,
	SC_LOW,
	SC_M0,
	SC_M1,
	SC_M2,
	SC_GRIDS,
	SC_AGE,
	SC_TREND,
	SC_NCOLS,
};

static const struct table_col ov_platcols[] = {
    {.title = "Platform", .width = 14},
    {.title = "Systems", .width = 7, .align = TEXT_RIGHT},
    {.title = "Up", .width = 4, .align = TEXT_RIGHT},
    {.title = "Down", .width = 4, .align = TEXT_RIGHT},
    {.title = "Stale", .width = 5, .align = TEXT_RIGHT},
    {.title = "Unknown", .width = 7, .align = TEXT_RIGHT, .min_cols = 70},
    {.title = "State", .width = 8, .flex = 1},
};

static const struct table_col ov_alertcols[] = {
    {.title = "Sev", .width = 4},
    {.title = "Age", .width = 4, .align = TEXT_RIGHT},
    {.title = "Id", .width = 8, .min_cols = 100},
    {.title = "Place", .width = 16, .flex = 1},
    {.title = "Message", .width = 20, .flex = 2},
    {.title = "State", .width = 12, .min_cols = 90},
};

static struct screen_overview *
ov(struct screen *s)
{
	return (struct screen_overview *)s;
}

/* ---- Cells ------------------------------------------------------------- */

static void
ov_sub_cell(void *arg, size_t row, int col, struct buf *b, attr_t *a)
{
	struct screen_overview *o = arg;
	const struct model_node *n = &o->ov.subs[o->rows[row]];
	double v;

	switch (col) {
	case SC_NAME:
		buf_puts(b, model_label(n->name, n->name_en, n->code));
		break;
	case SC_SEV:
		su_sev_cell(b, a, n->sev);
		break;
	case SC_HIGH:
		su_count_cell(b, a, n->alerts.high, SEV_HIGH);
		break;
	case SC_MED:
		su_count_cell(b, a, n->alerts.medium, SEV_MEDIUM);
		break;
	case SC_LOW:
		su_count_cell(b, a, n->alerts.low, SEV_LOW);
		break;
	case SC_M0:
	case SC_M1:
	case SC_M2:
		if (col - SC_M0 >= o->nm)
			break;
		v = model_node_metric(n, o->mkeys[col - SC_M0]);
		su_num_cell(b, v, NULL);
		break;
	case SC_GRIDS:
		if (n->grids_silent > 0) {
			buf_printf(b, "%d/%d", n->grids_silent, n->grids);
			*a = term_attr(TERM_WARN);
		} else
			buf_printf(b, "%d", n->grids);
		break;
	case SC_AGE:
		su_age_cell(b, a, n->age_s, 60, 600);
		break;
	case SC_TREND:
		su_spark_cell(b, o->base.app,
		    su_series_find(&o->spark, "subdistrict", n->code),
		    o->spark_w);
		break;
	}
}

static void
ov_plat_cell(void *arg, size_t row, int col, struct buf *b, attr_t *a)
{
	struct screen_overview *o = arg;
	const struct model_platform *p = &o->ov.platforms[row];

	switch (col) {
	case 0:
		buf_puts(b, model_label(p->name, p->name_en, p->id));
		break;
	case 1:
		buf_printf(b, "%d", p->total);
		break;
	case 2:
		buf_printf(b, "%d", p->up);
		*a = term_attr(TERM_GOOD);
		break;
	case 3:
		su_count_cell(b, a, (unsigned)p->down, SEV_HIGH);
		break;
	case 4:
		su_count_cell(b, a, (unsigned)p->stale, SEV_MEDIUM);
		break;
	case 5:
		su_count_cell(b, a, (unsigned)p->unknown, SEV_LOW);
		break;
	case 6:
		if (p->down > 0) {
			buf_printf(b, "%d DOWN", p->down);
			*a = term_attr(TERM_BAD);
		} else if (p->stale > 0) {
			buf_printf(b, "%d stale", p->stale);
			*a = term_attr(TERM_WARN);
		} else if (p->up < p->total) {
			buf_printf(b, "%d not seen", p->total - p->up);
			*a = term_attr(TERM_DIM);
		} else {
			buf_puts(b, "all up");
			*a = term_attr(TERM_GOOD);
		}
		break;
	}
}

static void
ov_alert_cell(void *arg, size_t row, int col, struct buf *b, attr_t *a)
{
	struct screen_overview *o = arg;
	const struct model_alert *al = &o->alerts.v[o->arows[row]];

	switch (col) {
	case 0:
		su_sev_cell(b, a, al->sev);
		break;
	case 1:
		su_age_cell(b, a,
		    al->started_ms ? (app_now_ms() - al->started_ms) / 1000
		                   : -1,
		    0, 0);
		*a = A_NORMAL;
		break;
	case 2:
		buf_puts(b, al->id);
		break;
	case 3:
		buf_puts(b, model_alert_place(al));
		break;
	case 4:
		buf_puts(b, model_alert_message(al));
		break;
	case 5:
		buf_puts(b, al->state);
		if (al->ack_by != NULL)
			buf_printf(b, " %s", al->ack_by);
		break;
	}
}

/* ---- Data -------------------------------------------------------------- */

static int
ov_alert_cmp(const void *pa, const void *pb, void *arg)
{
	const struct model_alerts *al = arg;
	const struct model_alert *a = &al->v[*(const size_t *)pa];
	const struct model_alert *b = &al->v[*(const size_t *)pb];

	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->started_ms != b->started_ms)
		return a->started_ms > b->started_ms ? -1 : 1;
	return 0;
}

/* Rebuild the filtered views after new data or a new filter. */
static void
ov_rebuild(struct screen_overview *o)
{
	const char *f = o->base.filter;
	size_t i;
	int k;

	free(o->rows);
	o->rows = o->ov.nsubs ? xcalloc(o->ov.nsubs, sizeof *o->rows) : NULL;
	o->nrows = 0;
	for (i = 0; i < o->ov.nsubs; i++) {
		const struct model_node *n = &o->ov.subs[i];

		if (su_match(f, n->name) || su_match(f, n->name_en) ||
		    su_match(f, n->code) || su_match(f, model_sev_name(n->sev)))
			o->rows[o->nrows++] = i;
	}
	table_set_rows(&o->subs, o->nrows);
	table_set_rows(&o->plats, o->ov.nplatforms);
	free(o->arows);
	o->arows = o->alerts.n ? xcalloc(o->alerts.n, sizeof *o->arows) : NULL;
	o->narows = 0;
	for (i = 0; i < o->alerts.n; i++) {
		const struct model_alert *al = &o->alerts.v[i];

		if (su_match(f, al->place) || su_match(f, al->message) ||
		    su_match(f, al->place_en) || su_match(f, al->message_en) ||
		    su_match(f, al->code) || su_match(f, al->id))
			o->arows[o->narows++] = i;
	}
	if (o->narows > 1)
		qsort_r(o->arows, o->narows, sizeof *o->arows, ov_alert_cmp,
		    &o->alerts);
	table_set_rows(&o->atab, o->narows);
	/* Headline metric columns from the first subdistrict's metrics. */
	o->nm = 0;
	if (o->ov.nsubs > 0) {
		const struct model_node *n = &o->ov.subs[0];

		for (k = 0; k < n->nmetrics && o->nm < OV_METRICS; k++) {
			o->mkeys[o->nm] = n->metrics[k].key;
			su_short_title(o->mtitles[o->nm], sizeof o->mtitles[0],
			    n->metrics[k].key);
			o->nm++;
		}
	}
	for (k = 0; k < OV_METRICS; k++) {
		o->subcols[SC_M0 + k].title = o->mtitles[k];
		o->subcols[SC_M0 + k].width = k < o->nm ? 7 : 0;
		o->subcols[SC_M0 + k].min_cols =
		    k < o->nm ? 60 + 15 * k : 10000;
	}
}

static void
ov_overview_done(struct screen *s, struct api_result *res)
{
	struct screen_overview *o = ov(s);
	struct model_overview n;
	char *cause = NULL;

	o->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "overview: %s", res->error);
		return;
	}
	if (model_overview_decode(res->body, &n, &cause) != 0) {
		res->body = NULL;
		app_message(s->app, 1, "overview: %s", cause);
		free(cause);
		return;
	}
	res->body = NULL;
	model_overview_free(&o->ov);
	o->ov = n;
	ov_rebuild(o);
}

static void
ov_alerts_done(struct screen *s, struct api_result *res)
{
	struct screen_overview *o = ov(s);
	struct model_alerts n;
	char *cause = NULL;

	o->alerts_inflight = 0;
	if (res->error != NULL)
		return;
	if (model_alerts_decode(res->body, &n, &cause) != 0) {
		res->body = NULL;
		free(cause);
		return;
	}
	res->body = NULL;
	model_alerts_free(&o->alerts);
	o->alerts = n;
	ov_rebuild(o);
}

static void
ov_spark_done(struct screen *s, struct api_result *res)
{
	struct screen_overview *o = ov(s);
	struct model_query n;
	char *cause = NULL;

	o->spark_inflight = 0;
	if (res->error != NULL)
		return;
	if (model_query_decode(res->body, &n, &cause) != 0) {
		res->body = NULL;
		free(cause);
		return;
	}
	res->body = NULL;
	model_query_free(&o->spark);
	o->spark = n;
}

/* The headline metric the sparklines follow. */
static const struct model_metric *
ov_spark_metric(struct screen_overview *o)
{
	const struct model_node *n;
	int k;

	if (o->ov.nsubs == 0)
		return NULL;
	n = &o->ov.subs[0];
	for (k = 0; k < n->nmetrics; k++) {
		if (o->metric == NULL ||
		    strcmp(n->metrics[k].key, o->metric) == 0)
			return &n->metrics[k];
	}
	return n->nmetrics ? &n->metrics[0] : NULL;
}

static void
ov_refresh(struct screen *s)
{
	struct screen_overview *o = ov(s);
	const struct model_metric *m;
	int64_t now = clock_mono_ms();
	char *path;

	if (!o->inflight) {
		o->inflight = 1;
		app_fetch(s->app, s, "/api/v1/overview", ov_overview_done);
	}
	if (!o->alerts_inflight) {
		o->alerts_inflight = 1;
		app_fetch(
		    s->app, s, "/api/v1/alerts?limit=100", ov_alerts_done);
	}
	m = ov_spark_metric(o);
	if (m != NULL && m->metric != NULL && !o->spark_inflight &&
	    (now >= o->spark_next || o->spark_metric == NULL ||
	        strcmp(o->spark_metric, m->metric) != 0)) {
		free(o->spark_metric);
		o->spark_metric = xstrdup(m->metric);
		o->spark_inflight = 1;
		o->spark_next = now + OV_SPARK_MS;
		path = su_spark_path(m->metric, m->agg, "district", NULL,
		    "subdistrict", "6h", "10m");
		app_fetch(s->app, s, path, ov_spark_done);
		free(path);
	}
}

/* ---- Drawing ----------------------------------------------------------- */

static void
ov_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_overview *o = ov(s);
	struct buf b = BUF_INIT;
	int widths[SC_NCOLS], y = 0, h, left;
	char t1[32], t2[32];
	const struct model_metric *m = ov_spark_metric(o);

	if (!s->fetched) {
		term_put(w, 1, 2, cols - 4,
		    s->app->link_known && !s->app->link_ok
		        ? "No data yet: the hub cannot be reached."
		        : "Loading the overview ...",
		    TEXT_LEFT, A_BOLD);
		return;
	}
	/* Title: district and alert totals. */
	buf_printf(&b, "%s  ",
	    model_label(
	        o->ov.scope_name ? o->ov.scope_name : o->ov.district_name,
	        o->ov.district_name_en, o->ov.scope_code));
	term_put(
	    w, y, 0, text_width(buf_str(&b)), buf_str(&b), TEXT_LEFT, A_BOLD);
	left = text_width(buf_str(&b));
	buf_reset(&b);
	buf_printf(&b, "alerts %u: ", o->ov.alerts_total);
	term_put(w, y, left, cols - left, buf_str(&b), TEXT_LEFT, A_NORMAL);
	left += text_width(buf_str(&b));
	{
		static const enum sev sevs[] = {SEV_HIGH, SEV_MEDIUM, SEV_LOW};
		unsigned cnt[] = {
		    o->ov.alerts.high, o->ov.alerts.medium, o->ov.alerts.low};
		int i;

		for (i = 0; i < 3; i++) {
			buf_reset(&b);
			buf_printf(
			    &b, "%u %s ", cnt[i], model_sev_name(sevs[i]));
			term_put(w, y, left, cols - left, buf_str(&b),
			    TEXT_LEFT,
			    cnt[i] ? term_sev_attr(sevs[i])
			           : term_attr(TERM_DIM));
			left += text_width(buf_str(&b));
		}
	}
	y++;
	/* Ingest and quality. */
	text_number(o->ov.points_per_s, t1, sizeof t1);
	text_number(o->ov.rejected_per_s, t2, sizeof t2);
	buf_reset(&b);
	buf_printf(&b,
	    "ingest %s pt/s  rejected %s/s  silent series %lld  "
	    "stale systems %lld  late %lld  dup %lld",
	    t1, t2, o->ov.series_silent, o->ov.systems_stale, o->ov.late_total,
	    o->ov.duplicates_total);
	/* The data-quality check (hub/quality/): what is declared but never
	 * arrives, and rules that see nothing. */
	if (o->ov.declared_missing >= 0)
		buf_printf(&b,
		    "  missing %lld  stale metrics %lld  blind rules %lld",
		    o->ov.declared_missing, o->ov.stale_metrics,
		    o->ov.blind_rules);
	term_put(w, y, 0, cols, buf_str(&b), TEXT_LEFT,
	    o->ov.series_silent || o->ov.systems_stale ||
	            o->ov.declared_missing > 0 || o->ov.blind_rules > 0
	        ? term_attr(TERM_WARN)
	        : A_NORMAL);
	y++;
	/* Who is on each desk (issue 17). */
	if (desk_line(o->ov.root, &b) > 0)
		term_put(w, y++, 0, cols, buf_str(&b), TEXT_LEFT, A_NORMAL);
	/* Platforms. */
	h = (int)o->ov.nplatforms + 1;
	if (h > rows - y - 4)
		h = rows - y - 4;
	o->plats.height = h;
	table_draw(&o->plats, w, y, 0, h, cols);
	y += h;
	/* Subdistricts, with the sparkline column sized first. */
	snprintf(o->trend_title, sizeof o->trend_title, "trend %s 6h",
	    m != NULL ? m->key : "");
	o->subcols[SC_TREND].title = o->trend_title;
	table_widths(&o->subs, cols - 1, widths);
	o->spark_w = widths[SC_TREND];
	h = (int)o->nrows + 1;
	if (h > rows - y - 1)
		h = rows - y - 1;
	table_draw(&o->subs, w, y, 0, h, cols);
	y += h;
	/* Worst alerts in what is left. */
	if (rows - y >= 2) {
		buf_reset(&b);
		/* Counted as the header and the Alerts screen count. */
		if (o->alerts.has_counted) {
			unsigned nc = model_counts_total(&o->alerts.counted);

			buf_printf(
			    &b, "Active alerts, worst first (%u counted", nc);
			if (o->alerts.total > nc)
				buf_printf(&b,
				    "; %u more view-only or silenced",
				    o->alerts.total - nc);
			buf_putc(&b, ')');
		} else
			buf_printf(
			    &b, "Active alerts, worst first (%zu)", o->narows);
		term_title(w, y, 0, cols, buf_str(&b));
		y++;
		o->atab.no_header = rows - y < 6;
		table_draw(&o->atab, w, y, 0, rows - y, cols);
	}
	buf_free(&b);
}

/* ---- Keys -------------------------------------------------------------- */

static int
ov_nav(struct screen *s, int key)
{
	struct screen_overview *o = ov(s);

	if (key == KEY_ENTER || key == KEY_RIGHT) {
		if (o->nrows > 0)
			app_open_territory(
			    s->app, o->ov.subs[o->rows[o->subs.sel]].code);
		return 1;
	}
	return table_nav(&o->subs, key);
}

static void
ov_metric_next(struct app *app, struct screen *s)
{
	struct screen_overview *o = ov(s);
	const struct model_node *n;
	int k;

	if (o->ov.nsubs == 0)
		return;
	n = &o->ov.subs[0];
	if (n->nmetrics == 0)
		return;
	for (k = 0; k < n->nmetrics; k++) {
		if (o->metric != NULL &&
		    strcmp(n->metrics[k].key, o->metric) == 0)
			break;
	}
	k = k >= n->nmetrics ? 0 : (k + 1) % n->nmetrics;
	screen_overview_set_metric(s, n->metrics[k].key);
	app_message(app, 0, "trend: %s", n->metrics[k].key);
	app_refresh_now(app);
}

static void
ov_alerts(struct app *app, struct screen *s)
{
	screen_alerts_set_code(app_screen(app, APP_ALERTS), NULL);
	app_switch(app, APP_ALERTS);
}

void
screen_overview_set_metric(struct screen *s, const char *metric)
{
	struct screen_overview *o = ov(s);

	free(o->metric);
	o->metric = metric != NULL && *metric ? xstrdup(metric) : NULL;
	o->spark_next = 0;
}

static const struct binding ov_bindings[] = {
    {.key = KEY_ENTER,
        .keys = "Enter",
        .help = "drill into the selected subdistrict"},
    {.key = 'm',
        .key2 = KEY_F(6),
        .keys = "m F6",
        .help = "next headline metric for the trend column",
        .fkey = 6,
        .bar = "Metric",
        .fn = ov_metric_next},
    {.key = 'A',
        .key2 = KEY_F(7),
        .keys = "A F7",
        .help = "all alerts",
        .fkey = 7,
        .bar = "Alerts",
        .fn = ov_alerts},
    {.key = 0},
};

static void
ov_filter_changed(struct screen *s)
{
	ov_rebuild(ov(s));
}

static void
ov_init(struct screen *s)
{
	struct screen_overview *o = ov(s);
	static const struct table_col base[SC_NCOLS] = {
	    [SC_NAME] = {.title = "Subdistrict", .width = 10, .flex = 1},
	    [SC_SEV] = {.title = "Sev", .width = 4},
	    [SC_HIGH] = {.title = "Hi", .width = 3, .align = TEXT_RIGHT},
	    [SC_MED] = {.title = "Med", .width = 3, .align = TEXT_RIGHT},
	    [SC_LOW] = {.title = "Low", .width = 3, .align = TEXT_RIGHT},
	    [SC_M0] = {.title = "", .width = 7, .align = TEXT_RIGHT},
	    [SC_M1] = {.title = "", .width = 7, .align = TEXT_RIGHT},
	    [SC_M2] = {.title = "", .width = 7, .align = TEXT_RIGHT},
	    [SC_GRIDS] = {.title = "Grids",
	        .width = 7,
	        .align = TEXT_RIGHT,
	        .min_cols = 100},
	    [SC_AGE] = {.title = "Age", .width = 4, .align = TEXT_RIGHT},
	    [SC_TREND] = {.title = "trend", .width = 12, .flex = 1},
	};

	memcpy(o->subcols, base, sizeof base);
	table_init(&o->subs, o->subcols, SC_NCOLS, ov_sub_cell, o);
	table_init(&o->plats, ov_platcols,
	    (int)(sizeof ov_platcols / sizeof ov_platcols[0]), ov_plat_cell, o);
	table_init(&o->atab, ov_alertcols,
	    (int)(sizeof ov_alertcols / sizeof ov_alertcols[0]), ov_alert_cell,
	    o);
	o->plats.no_cursor = 1;
	o->atab.no_cursor = 1;
}

static void
ov_destroy(struct screen *s)
{
	struct screen_overview *o = ov(s);

	model_overview_free(&o->ov);
	model_alerts_free(&o->alerts);
	model_query_free(&o->spark);
	free(o->spark_metric);
	free(o->metric);
	free(o->rows);
	free(o->arows);
}

const struct screen_class screen_overview_class = {
    .name = "overview",
    .title = "Overview",
    .tab = "Over",
    .key = '1',
    .size = sizeof(struct screen_overview),
    .bindings = ov_bindings,
    .init = ov_init,
    .destroy = ov_destroy,
    .fetch = ov_refresh,
    .draw = ov_draw,
    .filter_changed = ov_filter_changed,
    .nav = ov_nav,
};
