/* The Alerts screen: a sortable, filterable table with actions on the
 * selected or tagged alerts, and an alert's full history. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/alert-actions.h"
#include "tui/alert-detail.h"
#include "tui/app.h"
#include "tui/bind.h"
#include "tui/screen-util.h"
#include "tui/screen.h"
#include "tui/screen-alerts-int.h"
#include "tui/term.h"
#include "tui/widget-table.h"

/* ---- Fetching ---------------------------------------------------------- */

static void
al_done(struct screen *s, struct api_result *res)
{
	struct screen_alerts *a = al(s);
	struct model_alerts n;
	char *cause = NULL, *sel = NULL;
	size_t i;

	a->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "alerts: %s", res->error);
		return;
	}
	if (model_alerts_decode(res->body, &n, &cause) != 0) {
		res->body = NULL;
		app_message(s->app, 1, "alerts: %s", cause);
		free(cause);
		return;
	}
	res->body = NULL;
	/* Keep the cursor on the same alert across refreshes. */
	if (a->nrows > 0 && a->tab.sel < a->nrows)
		sel = xstrdup(a->al.v[a->rows[a->tab.sel]].id);
	model_alerts_free(&a->al);
	a->al = n;
	a->cols[AC_ID].width = alerts_cols[AC_ID].width;
	for (i = 0; i < a->al.n; i++) {
		int w = a->al.v[i].id != NULL ? (int)strlen(a->al.v[i].id) : 0;

		if (w > a->cols[AC_ID].width && w <= 24)
			a->cols[AC_ID].width = w;
	}
	attention_listed(s->app->att, &a->al);
	alerts_rebuild(a);
	if (a->want_newest) {
		a->want_newest = 0;
		free(sel);
		screen_alerts_newest(s);
		return;
	}
	if (sel != NULL) {
		for (i = 0; i < a->nrows; i++) {
			if (strcmp(a->al.v[a->rows[i]].id, sel) == 0)
				a->tab.sel = i;
		}
		free(sel);
	}
}

static void
al_detail_done(struct screen *s, struct api_result *res)
{
	alert_detail_done(&al(s)->dv, s, res);
}

static void
al_refresh(struct screen *s)
{
	struct screen_alerts *a = al(s);
	struct buf p = BUF_INIT;
	char *c;

	alert_detail_fetch(&a->dv, s, al_detail_done);
	if (a->inflight)
		goto out;
	buf_puts(&p, "/api/v1/alerts?limit=5000");
	if (a->all)
		buf_puts(&p, "&state=pending,firing,acknowledged,resolved,"
		             "closed");
	if (a->code != NULL) {
		c = api_escape(a->code);
		buf_printf(&p, "&code=%s", c);
		free(c);
	}
	a->inflight = 1;
	app_fetch(s->app, s, buf_str(&p), al_done);
out:
	buf_free(&p);
}

/* Select the newest alert's row (after the list arrives if it has not). */
void
screen_alerts_newest(struct screen *s)
{
	struct screen_alerts *a = al(s);
	long long best = -1, n;
	size_t i, row = 0;

	if (!s->fetched) {
		a->want_newest = 1;
		return;
	}
	alert_detail_close(&a->dv);
	for (i = 0; i < a->nrows; i++) {
		n = attention_alert_num(a->al.v[a->rows[i]].id);
		if (n > best) {
			best = n;
			row = i;
		}
	}
	if (best < 0) {
		app_message(s->app, 0, "no alert listed");
		return;
	}
	a->tab.sel = row;
	app_message(s->app, 0, "newest: %s", a->al.v[a->rows[row]].id);
	app_dirty(s->app);
}

void
screen_alerts_set_code(struct screen *s, const char *code)
{
	struct screen_alerts *a = al(s);

	if ((a->code == NULL && code == NULL) ||
	    (a->code != NULL && code != NULL && strcmp(a->code, code) == 0))
		return;
	free(a->code);
	a->code = code != NULL ? xstrdup(code) : NULL;
	model_alerts_free(&a->al);
	alerts_rebuild(a);
	s->fetched = 0;
}

/* ---- Drawing ----------------------------------------------------------- */

static void
al_where(struct screen *s, struct buf *b)
{
	struct screen_alerts *a = al(s);

	if (a->dv.id != NULL)
		buf_printf(b, "history of %s", a->dv.id);
	else {
		buf_printf(b, "%zu/%zu", a->nrows, a->al.n);
		/* The same count as the header's and the overview's. */
		if (a->al.has_counted && !a->all)
			buf_printf(b, " listed, %u counted",
			    model_counts_total(&a->al.counted));
		if (a->code != NULL)
			buf_printf(b, " in %s", a->code);
		if (a->all)
			buf_puts(b, " incl. ended");
		if (a->ntags)
			buf_printf(b, " tagged %zu", a->ntags);
	}
}

static void
al_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_alerts *a = al(s);

	if (a->dv.id != NULL) {
		alert_detail_draw(
		    &a->dv.detail, a->dv.id, a->dv.top, w, rows, cols);
		return;
	}
	if (!s->fetched) {
		term_put(
		    w, 1, 2, cols - 4, "Loading alerts ...", TEXT_LEFT, A_BOLD);
		return;
	}
	if (a->nrows == 0) {
		table_draw(&a->tab, w, 0, 0, 1, cols);
		term_put(w, 2, 2, cols - 4,
		    a->al.n ? "no alert matches the filter"
		            : "no active alerts",
		    TEXT_LEFT, term_attr(TERM_GOOD));
		return;
	}
	table_draw(&a->tab, w, 0, 0, rows, cols);
}

/* ---- Actions (tui/alert-actions.c) ----------------------------------- */

static void
al_tags_clear_cb(void *arg)
{
	alerts_tags_clear(arg);
}

static void
al_member_add(const struct model_alert *x, void *arg)
{
	alert_action_add_member(arg, x->id, x->state);
}

/* The alerts an action applies to: the tagged ones, else the selected
 * one (a collapsed group: with its members, for alert_action_ask());
 * NULL when there is none. */
static struct alert_action *
al_targets(struct screen *s)
{
	struct screen_alerts *a = al(s);
	struct alert_action *c;
	const struct model_alert *x;
	size_t i;

	if (a->dv.id == NULL && a->nrows == 0 && a->ntags == 0) {
		app_message(a->base.app, 1, "no alert selected");
		return NULL;
	}
	if (a->dv.id != NULL)
		return alert_action_for(
		    a->base.app, a->dv.id, &a->dv.detail.alert);
	if (a->ntags == 0) {
		x = &a->al.v[a->rows[a->tab.sel]];
		c = alert_action_for(a->base.app, x->id, x);
		alerts_row_members(a, a->tab.sel, al_member_add, c);
		return c;
	}
	c = alert_action_new(a->base.app);
	for (i = 0; i < a->ntags; i++)
		alert_action_add(c, a->tags[i]);
	c->what_kind = "tagged";
	c->sent = al_tags_clear_cb;
	c->sent_arg = a;
	return c;
}

ALERT_ACTION_FNS(al, al_targets)

/* ---- Keys -------------------------------------------------------------- */

static void
al_tag(struct app *app, struct screen *s)
{
	struct screen_alerts *a = al(s);
	const char *id;
	size_t i;

	if (a->nrows == 0 || a->dv.id != NULL)
		return;
	id = a->al.v[a->rows[a->tab.sel]].id;
	for (i = 0; i < a->ntags; i++) {
		if (strcmp(a->tags[i], id) == 0) {
			free(a->tags[i]);
			a->tags[i] = a->tags[--a->ntags];
			goto move;
		}
	}
	a->tags = xreallocarray(a->tags, a->ntags + 1, sizeof *a->tags);
	a->tags[a->ntags++] = xstrdup(id);
move:
	if (a->tab.sel + 1 < a->nrows)
		a->tab.sel++;
}

static void
al_untag(struct app *app, struct screen *s)
{
	alerts_tags_clear(al(s));
}

static void
al_sort(struct screen_alerts *a, int d)
{
	int c = a->tab.sort_col < 0 ? 0 : a->tab.sort_col;

	a->tab.sort_col = (c + d + AC_NCOLS) % AC_NCOLS;
	alerts_rebuild(a);
	app_message(
	    a->base.app, 0, "sorted by %s", alerts_cols[a->tab.sort_col].title);
}

static void
al_sort_next(struct app *app, struct screen *s)
{
	al_sort(al(s), 1);
}

static void
al_sort_prev(struct app *app, struct screen *s)
{
	al_sort(al(s), -1);
}

static void
al_invert(struct app *app, struct screen *s)
{
	al(s)->tab.sort_desc = !al(s)->tab.sort_desc;
	alerts_rebuild(al(s));
}

static void
al_toggle_all(struct app *app, struct screen *s)
{
	struct screen_alerts *a = al(s);

	a->all = !a->all;
	app_message(app, 0,
	    a->all ? "showing ended alerts too" : "showing active alerts");
	app_refresh_now(app);
}

static void
al_grid(struct app *app, struct screen *s)
{
	struct screen_alerts *a = al(s);
	const struct model_alert *x;

	if (a->nrows == 0)
		return;
	x = a->dv.id ? &a->dv.detail.alert : &a->al.v[a->rows[a->tab.sel]];
	if (x->grid != NULL)
		app_open_grid(app, x->grid);
	else if (x->code != NULL)
		app_open_territory(app, x->code);
}

static void
al_group(struct app *app, struct screen *s)
{
	struct screen_alerts *a = al(s);

	a->grouped = !a->grouped;
	alerts_set_clear(&a->expanded, &a->nexpanded);
	alerts_rebuild(a);
	app_message(app, 0,
	    a->grouped ? "grouped: one line per rule and "
	                 "place (Enter expands)"
	               : "one line per alert");
}

static int
al_nav(struct screen *s, int key)
{
	struct screen_alerts *a = al(s);

	if (a->dv.id != NULL)
		return alert_detail_scroll(&a->dv.top, key);
	if (key == KEY_ENTER) {
		if (a->nrows == 0)
			return 1;
		if (a->rowcnt != NULL && a->rowcnt[a->tab.sel] > 1) {
			a->expanded = xreallocarray(
			    a->expanded, a->nexpanded + 1, sizeof *a->expanded);
			a->expanded[a->nexpanded++] =
			    xstrdup(a->al.v[a->rows[a->tab.sel]].group);
			alerts_rebuild(a);
			return 1;
		}
		alert_detail_open(&a->dv, a->al.v[a->rows[a->tab.sel]].id);
		app_refresh_now(s->app);
		return 1;
	}
	if (key == ' ') {
		al_tag(s->app, s);
		return 1;
	}
	return table_nav(&a->tab, key);
}

static int
al_back(struct screen *s)
{
	struct screen_alerts *a = al(s);

	if (a->dv.id != NULL) {
		alert_detail_close(&a->dv);
		return 1;
	}
	if (a->nexpanded > 0) {
		alerts_set_clear(&a->expanded, &a->nexpanded);
		alerts_rebuild(a);
		return 1;
	}
	if (a->base.filter != NULL) {
		free(a->base.filter);
		a->base.filter = NULL;
		alerts_rebuild(a);
		return 1;
	}
	if (a->code != NULL) {
		screen_alerts_set_code(s, NULL);
		return 1;
	}
	return 0;
}

static const struct binding al_bindings[] = {
    {.key = KEY_ENTER,
        .keys = "Enter",
        .help = "the alert's full history (Esc returns)"},
    {.key = ' ',
        .keys = "Space",
        .help = "tag / untag (actions apply "
                "to all tagged)",
        .fn = al_tag},
    {.key = 'T', .keys = "T", .help = "untag all", .fn = al_untag},
    ALERT_ACTION_BINDINGS(al, "the tagged (or selected) alerts"),
    {.key = '>',
        .key2 = KEY_F(6),
        .keys = "> F6",
        .help = "sort by the next column",
        .fkey = 6,
        .bar = "Sort",
        .fn = al_sort_next},
    {.key = '<',
        .keys = "<",
        .help = "sort by the previous column",
        .fn = al_sort_prev},
    {.key = 'I', .keys = "I", .help = "invert the sort order", .fn = al_invert},
    {.key = 'e',
        .keys = "e",
        .help = "show ended (resolved, closed) "
                "alerts too",
        .fn = al_toggle_all},
    {.key = 'G',
        .keys = "G",
        .help = "group alerts of one rule in one place (Enter expands)",
        .fn = al_group},
    {.key = 'g', .keys = "g", .help = "open the alert's grid", .fn = al_grid},
    {.key = 0},
};

static void
al_filter_changed(struct screen *s)
{
	alerts_rebuild(al(s));
}

static void
al_init(struct screen *s)
{
	struct screen_alerts *a = al(s);

	memcpy(a->cols, alerts_cols, sizeof a->cols);
	table_init(&a->tab, a->cols, AC_NCOLS, alerts_cell, a);
	a->tab.tagged = alerts_tagged_cb;
	a->tab.sort_col = AC_SEV;
	a->grouped = 1;
}

static void
al_destroy(struct screen *s)
{
	struct screen_alerts *a = al(s);

	model_alerts_free(&a->al);
	alert_detail_close(&a->dv);
	free(a->code);
	free(a->rows);
	free(a->rowcnt);
	alerts_tags_clear(a);
	alerts_set_clear(&a->expanded, &a->nexpanded);
}

const struct screen_class screen_alerts_class = {
    .name = "alerts",
    .title = "Alerts",
    .tab = "Alrt",
    .key = '4',
    .size = sizeof(struct screen_alerts),
    .bindings = al_bindings,
    .init = al_init,
    .destroy = al_destroy,
    .fetch = al_refresh,
    .draw = al_draw,
    .back = al_back,
    .filter_changed = al_filter_changed,
    .nav = al_nav,
    .where = al_where,
};
