/* The Desk screen: the queue of the desk this console is on (tui/desk.h),
 * in the desk's configured columns, with the Alerts screen's actions and
 * an alert's full history. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/alert-actions.h"
#include "tui/alert-detail.h"
#include "tui/app.h"
#include "tui/bind.h"
#include "tui/desk.h"
#include "tui/screen-util.h"
#include "tui/screen.h"
#include "tui/term.h"
#include "tui/widget-table.h"

#define DK_MAXCOLS 16

/* How the console shows a desk's column (the hub's names, desk.c). */
static const struct dk_col {
	const char *col;
	struct table_col tc;
} dk_cols[] = {
    {"id", {.title = "Id", .width = 8}},
    {"severity", {.title = "Sev", .width = 4}},
    {"state", {.title = "State", .width = 12}},
    {"place", {.title = "Place", .width = 10, .flex = 2}},
    {"message", {.title = "Message", .width = 12, .flex = 3}},
    {"dept", {.title = "Dept", .width = 8}},
    {"depts", {.title = "Depts", .width = 12, .flex = 1}},
    {"age", {.title = "Age", .width = 4, .align = TEXT_RIGHT}},
    {"category", {.title = "Category", .width = 10}},
    {"source", {.title = "Source", .width = 6}},
    {"escalation", {.title = "Escalated", .width = 12}},
    {"deadline", {.title = "Deadline", .width = 11}},
    {"rule", {.title = "Rule", .width = 12, .min_cols = 100}},
    {NULL, {0}},
};

struct screen_desk {
	struct screen base;
	struct model_alerts al; /* the queue; al.root is the hub's answer */
	char *shown;            /* the desk the data is of (owned) */
	int inflight;
	struct table tab;
	struct table_col cols[DK_MAXCOLS];
	const char *colname[DK_MAXCOLS]; /* dk_cols' names */
	int ncols;
	size_t *rows; /* indexes of the alerts matching the filter */
	size_t nrows;
	/* The desks' ids, for :desk's Tab (NULL-terminated, owned). */
	char **ids;
	int ids_inflight;
	/* History view of one alert. */
	struct alert_detail_view dv;
};

static struct screen_desk *
dk(struct screen *s)
{
	return (struct screen_desk *)s;
}

static json_t *
dk_alert_json(struct screen_desk *d, size_t row)
{
	return json_array_get(
	    json_object_get(d->al.root, "alerts"), d->rows[row]);
}

static void
dk_cell(void *arg, size_t row, int col, struct buf *b, attr_t *at)
{
	struct screen_desk *d = arg;
	const struct model_alert *x = &d->al.v[d->rows[row]];

	if (strcmp(d->colname[col], "severity") == 0)
		su_sev_cell(b, at, x->sev);
	else {
		desk_cell_text(dk_alert_json(d, row), d->colname[col], b);
		if (strcmp(d->colname[col], "state") == 0 &&
		    (x->escalated || x->overdue)) {
			buf_puts(b, "!");
			*at = term_attr(TERM_BAD);
		}
	}
}

/* The table's columns from the desk's "columns" (the Id as wide as the
 * longest id listed). */
static void
dk_columns(struct screen_desk *d)
{
	json_t *c;
	const struct dk_col *k;
	size_t i, j;

	d->ncols = 0;
	json_array_foreach(json_object_get(d->al.root, "columns"), i, c)
	{
		for (k = dk_cols; k->col != NULL; k++) {
			if (d->ncols < DK_MAXCOLS &&
			    strcmp(k->col, json_string_value(c) != NULL
			                       ? json_string_value(c)
			                       : "") == 0)
				break;
		}
		if (k->col == NULL || d->ncols >= DK_MAXCOLS)
			continue;
		d->colname[d->ncols] = k->col;
		d->cols[d->ncols] = k->tc;
		if (strcmp(k->col, "id") == 0) {
			for (j = 0; j < d->al.n; j++) {
				int w = d->al.v[j].id != NULL
				            ? (int)strlen(d->al.v[j].id)
				            : 0;

				if (w > d->cols[d->ncols].width && w <= 24)
					d->cols[d->ncols].width = w;
			}
		}
		d->ncols++;
	}
	d->tab.ncols = d->ncols;
}

static int
dk_match(const char *f, const struct model_alert *x)
{
	return su_match(f, x->id) || su_match(f, x->place) ||
	       su_match(f, x->message) || su_match(f, x->place_en) ||
	       su_match(f, x->message_en) || su_match(f, x->dept) ||
	       su_match(f, x->state) || su_match(f, model_sev_name(x->sev));
}

/* The rows in the hub's order (worst, then oldest) that match the filter. */
static void
dk_rebuild(struct screen_desk *d)
{
	size_t i;

	free(d->rows);
	d->rows = d->al.n ? xcalloc(d->al.n, sizeof *d->rows) : NULL;
	d->nrows = 0;
	for (i = 0; i < d->al.n; i++) {
		if (dk_match(d->base.filter, &d->al.v[i]))
			d->rows[d->nrows++] = i;
	}
	table_set_rows(&d->tab, d->nrows);
}

static void
dk_clear(struct screen_desk *d)
{
	model_alerts_free(&d->al);
	free(d->shown);
	d->shown = NULL;
	d->ncols = d->tab.ncols = 0;
	dk_rebuild(d);
}

/* ---- Fetching ---------------------------------------------------------- */

static void
dk_done(struct screen *s, struct api_result *res)
{
	struct screen_desk *d = dk(s);
	struct model_alerts n;
	const char *id = json_string_value(json_object_get(res->body, "id"));
	char *cause = NULL, *sel = NULL;
	size_t i;

	d->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "desk: %s", res->error);
		return;
	}
	/* An answer about a desk the console has left meanwhile. */
	if (s->app->desk == NULL || id == NULL || strcmp(id, s->app->desk) != 0)
		return;
	if (model_alerts_decode(res->body, &n, &cause) != 0) {
		res->body = NULL;
		app_message(s->app, 1, "desk: %s", cause);
		free(cause);
		return;
	}
	res->body = NULL;
	/* Keep the cursor on the same alert across refreshes. */
	if (d->nrows > 0 && d->tab.sel < d->nrows)
		sel = xstrdup(d->al.v[d->rows[d->tab.sel]].id);
	dk_clear(d);
	d->al = n;
	d->shown = xstrdup(id);
	dk_columns(d);
	dk_rebuild(d);
	for (i = 0; sel != NULL && i < d->nrows; i++) {
		if (strcmp(d->al.v[d->rows[i]].id, sel) == 0)
			d->tab.sel = i;
	}
	free(sel);
}

static void
dk_detail_done(struct screen *s, struct api_result *res)
{
	alert_detail_done(&dk(s)->dv, s, res);
}

static void
dk_ids_done(struct screen *s, struct api_result *res)
{
	struct screen_desk *d = dk(s);
	json_t *desks = json_object_get(res->body, "desks"), *x;
	size_t i, n = 0;

	d->ids_inflight = 0;
	if (res->error != NULL || !json_is_array(desks))
		return;
	d->ids = xcalloc(json_array_size(desks) + 1, sizeof *d->ids);
	json_array_foreach(desks, i, x)
	{
		const char *id = json_string_value(json_object_get(x, "id"));

		if (id != NULL)
			d->ids[n++] = xstrdup(id);
	}
}

const char *const *
screen_desk_ids(struct screen *s)
{
	struct screen_desk *d = dk(s);

	if (d->ids == NULL && !d->ids_inflight) {
		d->ids_inflight = 1;
		app_fetch(s->app, s, "/api/v1/desks", dk_ids_done);
	}
	return (const char *const *)d->ids;
}

static void
dk_refresh(struct screen *s)
{
	struct screen_desk *d = dk(s);
	struct buf p = BUF_INIT;
	char *c;

	(void)screen_desk_ids(s); /* for :desk's Tab */
	if (s->app->desk == NULL) {
		if (d->shown != NULL)
			dk_clear(d);
		return;
	}
	if (d->shown != NULL && strcmp(d->shown, s->app->desk) != 0) {
		dk_clear(d); /* another desk: not its queue meanwhile */
		alert_detail_close(&d->dv);
	}
	alert_detail_fetch(&d->dv, s, dk_detail_done);
	if (!d->inflight) {
		c = api_escape(s->app->desk);
		buf_printf(&p, "/api/v1/desks/%s", c);
		free(c);
		d->inflight = 1;
		app_fetch(s->app, s, buf_str(&p), dk_done);
	}
	buf_free(&p);
}

/* ---- Drawing ----------------------------------------------------------- */

static void
dk_where(struct screen *s, struct buf *b)
{
	struct screen_desk *d = dk(s);

	if (d->dv.id != NULL)
		buf_printf(b, "history of %s", d->dv.id);
	else if (d->shown != NULL)
		buf_printf(b, "%zu/%zu queued", d->nrows, d->al.n);
}

/* "事件分拨中心 (dispatch)  3 in the queue  on duty: lina, chen" */
static void
dk_head(struct screen_desk *d, struct buf *b)
{
	json_t *root = d->al.root, *p;
	size_t i;

	buf_printf(b, "%s (%s)  %lld in the queue  on duty: ", desk_label(root),
	    d->shown,
	    (long long)json_integer_value(json_object_get(root, "total")));
	json_array_foreach(json_object_get(root, "on_duty"), i, p)
	{
		const char *u = json_string_value(json_object_get(p, "user"));

		buf_printf(b, "%s%s", i > 0 ? ", " : "", u != NULL ? u : "?");
	}
	if (json_array_size(json_object_get(root, "on_duty")) == 0)
		buf_puts(b, "nobody");
}

static void
dk_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_desk *d = dk(s);
	struct buf b = BUF_INIT;

	if (s->app->desk == NULL) {
		term_put(w, 1, 2, cols - 4,
		    "Not on a desk: :desk ID goes on one (Tab completes)",
		    TEXT_LEFT, A_BOLD);
		return;
	}
	if (d->dv.id != NULL) {
		alert_detail_draw(
		    &d->dv.detail, d->dv.id, d->dv.top, w, rows, cols);
		return;
	}
	if (d->shown == NULL) {
		buf_printf(&b, "Loading desk %s ...", s->app->desk);
		term_put(w, 1, 2, cols - 4, buf_str(&b), TEXT_LEFT, A_BOLD);
		buf_free(&b);
		return;
	}
	dk_head(d, &b);
	term_put(w, 0, 1, cols - 2, buf_str(&b), TEXT_LEFT, A_BOLD);
	buf_free(&b);
	if (d->nrows == 0) {
		table_draw(&d->tab, w, 1, 0, 1, cols);
		term_put(w, 3, 2, cols - 4,
		    d->al.n ? "no alert matches the filter"
		            : "the queue is empty",
		    TEXT_LEFT, term_attr(TERM_GOOD));
		return;
	}
	table_draw(&d->tab, w, 1, 0, rows - 1, cols);
}

/* ---- Keys -------------------------------------------------------------- */

/* The alert the actions apply to: the history's, else the selected one. */
static struct alert_action *
dk_targets(struct screen *s)
{
	struct screen_desk *d = dk(s);
	const struct model_alert *x;

	if (d->dv.id != NULL)
		return alert_action_for(s->app, d->dv.id, &d->dv.detail.alert);
	if (d->nrows == 0) {
		app_message(s->app, 1, "no alert selected");
		return NULL;
	}
	x = &d->al.v[d->rows[d->tab.sel]];
	return alert_action_for(s->app, x->id, x);
}

ALERT_ACTION_FNS(dk, dk_targets)

static void
dk_grid(struct app *app, struct screen *s)
{
	struct screen_desk *d = dk(s);
	const struct model_alert *x;

	if (d->dv.id != NULL)
		x = &d->dv.detail.alert;
	else if (d->nrows > 0)
		x = &d->al.v[d->rows[d->tab.sel]];
	else
		return;
	if (x->grid != NULL)
		app_open_grid(app, x->grid);
	else if (x->code != NULL)
		app_open_territory(app, x->code);
}

static int
dk_nav(struct screen *s, int key)
{
	struct screen_desk *d = dk(s);

	if (d->dv.id != NULL)
		return alert_detail_scroll(&d->dv.top, key);
	if (key == KEY_ENTER) {
		if (d->nrows == 0)
			return 1;
		alert_detail_open(&d->dv, d->al.v[d->rows[d->tab.sel]].id);
		app_refresh_now(s->app);
		return 1;
	}
	return table_nav(&d->tab, key);
}

static int
dk_back(struct screen *s)
{
	struct screen_desk *d = dk(s);

	if (d->dv.id != NULL) {
		alert_detail_close(&d->dv);
		return 1;
	}
	if (d->base.filter != NULL) {
		free(d->base.filter);
		d->base.filter = NULL;
		dk_rebuild(d);
		return 1;
	}
	return 0;
}

static const struct binding dk_bindings[] = {
    {.key = KEY_ENTER,
        .keys = "Enter",
        .help = "the alert's full history (Esc returns)"},
    ALERT_ACTION_BINDINGS(dk, "the selected alert"),
    {.key = 'g', .keys = "g", .help = "open the alert's grid", .fn = dk_grid},
    {.key = 0},
};

static void
dk_filter_changed(struct screen *s)
{
	dk_rebuild(dk(s));
}

static void
dk_init(struct screen *s)
{
	struct screen_desk *d = dk(s);

	table_init(&d->tab, d->cols, 0, dk_cell, d);
	d->tab.sort_col = -1;
}

static void
dk_destroy(struct screen *s)
{
	struct screen_desk *d = dk(s);
	size_t i;

	dk_clear(d);
	free(d->rows);
	alert_detail_close(&d->dv);
	for (i = 0; d->ids != NULL && d->ids[i] != NULL; i++)
		free(d->ids[i]);
	free(d->ids);
}

const struct screen_class screen_desk_class = {
    .name = "desk",
    .title = "Desk",
    .tab = "Desk",
    .key = ' ',
    .size = sizeof(struct screen_desk),
    .bindings = dk_bindings,
    .init = dk_init,
    .destroy = dk_destroy,
    .fetch = dk_refresh,
    .draw = dk_draw,
    .back = dk_back,
    .filter_changed = dk_filter_changed,
    .nav = dk_nav,
    .where = dk_where,
};
