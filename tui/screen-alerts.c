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
#include "tui/term.h"
#include "tui/widget-table.h"

enum {
	AC_SEV,
	AC_AGE,
	AC_ID,
	AC_PLACE,
	AC_MESSAGE,
	AC_DEPT,
	AC_STATE,
	AC_ACK,
	AC_NCOLS,
};

static const struct table_col al_cols[AC_NCOLS] = {
    [AC_SEV] = {.title = "Sev", .width = 4},
    [AC_AGE] = {.title = "Age", .width = 4, .align = TEXT_RIGHT},
    [AC_ID] = {.title = "Id", .width = 8},
    [AC_PLACE] = {.title = "Place", .width = 10, .flex = 2},
    [AC_MESSAGE] = {.title = "Message", .width = 12, .flex = 3},
    [AC_DEPT] = {.title = "Dept", .width = 8, .min_cols = 100},
    [AC_STATE] = {.title = "State", .width = 10},
    [AC_ACK] = {.title = "Ack by", .width = 8},
};

struct screen_alerts {
	struct screen base;
	struct model_alerts al;
	char *code; /* only alerts inside this code */
	int all;    /* include resolved and closed */
	int inflight;
	size_t *rows;
	size_t nrows;
	unsigned *rowcnt; /* > 1: a collapsed group of that many alerts */
	struct table tab;
	char **tags;
	size_t ntags;
	/* Grouping: many alerts of one rule in one place, one line. */
	int grouped;
	char **expanded; /* group keys shown expanded */
	size_t nexpanded;
	/* History view of one alert. */
	char *detail_id;
	struct model_alert_detail detail;
	int detail_inflight;
	int detail_top;
	int want_newest; /* select the newest alert once the list is in */
	/* al_cols, the Id column as wide as the longest id listed (a city
	 * hub's are "440304-A000123"). */
	struct table_col cols[AC_NCOLS];
};

static struct screen_alerts *
al(struct screen *s)
{
	return (struct screen_alerts *)s;
}

static int
al_is_tagged(struct screen_alerts *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->ntags; i++) {
		if (strcmp(a->tags[i], id) == 0)
			return 1;
	}
	return 0;
}

static int
al_tagged_cb(void *arg, size_t row)
{
	struct screen_alerts *a = arg;

	return al_is_tagged(a, a->al.v[a->rows[row]].id);
}

static int
al_in_set(char **set, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++) {
		if (strcmp(set[i], s) == 0)
			return 1;
	}
	return 0;
}

static void
al_set_clear(char ***set, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*set)[i]);
	free(*set);
	*set = NULL;
	*n = 0;
}

static void
al_tags_clear(struct screen_alerts *a)
{
	size_t i;

	for (i = 0; i < a->ntags; i++)
		free(a->tags[i]);
	free(a->tags);
	a->tags = NULL;
	a->ntags = 0;
}

static const char *
al_short_state(const char *st)
{
	if (strcmp(st, "acknowledged") == 0)
		return "acked";
	return st;
}

static int al_match(const char *f, const struct model_alert *x);

/* The alerts a table row stands for: itself, or every member (matching
 * the filter) of its collapsed group.  Calls fn for each. */
static void
al_row_members(struct screen_alerts *a, size_t row,
    void (*fn)(const struct model_alert *x, void *arg), void *arg)
{
	const struct model_alert *x = &a->al.v[a->rows[row]];
	size_t i;

	if (a->rowcnt == NULL || a->rowcnt[row] <= 1 || x->group == NULL) {
		fn(x, arg);
		return;
	}
	fn(x, arg);
	for (i = 0; i < a->al.n; i++) {
		const struct model_alert *y = &a->al.v[i];

		if (y != x && y->group != NULL &&
		    strcmp(y->group, x->group) == 0 &&
		    al_match(a->base.filter, y))
			fn(y, arg);
	}
}

/* What a group row's members add up to. */
struct al_tally {
	unsigned n, acked, same_state, same_ack;
	const char *state, *ack_by;
	int silenced, inhibited, bad;
	unsigned step; /* the furthest escalation step */
};

static void
al_tally_one(const struct model_alert *x, void *arg)
{
	struct al_tally *t = arg;

	if (t->n++ == 0) {
		t->state = x->state;
		t->ack_by = x->ack_by;
		t->same_state = t->same_ack = 1;
	}
	t->same_state &= strcmp(t->state, x->state) == 0;
	t->same_ack &= (t->ack_by == NULL) == (x->ack_by == NULL) &&
	               (x->ack_by == NULL || strcmp(t->ack_by, x->ack_by) == 0);
	t->acked += strcmp(x->state, "acknowledged") == 0;
	t->silenced |= x->silenced;
	t->inhibited |= x->inhibited_by != NULL;
	t->bad |= x->escalated || x->overdue;
	if (x->escalation_step > t->step)
		t->step = x->escalation_step;
}

/* The state of a row: its alert's, or for a group the members' own
 * ("acked" only when all are; "2/3 acked" when some are). */
static void
al_state_cell(struct screen_alerts *a, size_t row, struct buf *b, attr_t *at)
{
	struct al_tally t = {0};

	al_row_members(a, row, al_tally_one, &t);
	if (t.same_state)
		buf_puts(b, al_short_state(t.state));
	else if (t.acked > 0)
		buf_printf(b, "%u/%u acked", t.acked, t.n);
	else
		buf_printf(b, "%u mixed", t.n);
	if (t.silenced)
		buf_puts(b, " (s)");
	if (t.inhibited)
		buf_puts(b, " (i)");
	if (t.bad) {
		buf_puts(b, "!");
		if (t.step > 0) /* "firing!2": escalated to step 2 */
			buf_printf(b, "%u", t.step);
		*at = term_attr(TERM_BAD);
	}
}

static void
al_ack_cell(struct screen_alerts *a, size_t row, struct buf *b)
{
	struct al_tally t = {0};

	al_row_members(a, row, al_tally_one, &t);
	if (t.same_ack && t.ack_by != NULL)
		buf_puts(b, t.ack_by);
	else if (!t.same_ack)
		buf_puts(b, "several");
}

static void
al_cell(void *arg, size_t row, int col, struct buf *b, attr_t *at)
{
	struct screen_alerts *a = arg;
	const struct model_alert *x = &a->al.v[a->rows[row]];

	switch (col) {
	case AC_SEV:
		su_sev_cell(b, at, x->sev);
		break;
	case AC_AGE:
		su_age_cell(b, at,
		    x->started_ms ? (app_now_ms() - x->started_ms) / 1000 : -1,
		    0, 0);
		*at = A_NORMAL;
		break;
	case AC_ID:
		buf_puts(b, x->id);
		if (attention_is_new(a->base.app->att, x->id)) {
			buf_putc(b, '*'); /* new since you looked */
			*at |= A_BOLD;
		}
		break;
	case AC_PLACE:
		buf_puts(b, model_alert_place(x));
		break;
	case AC_MESSAGE:
		if (a->rowcnt != NULL && a->rowcnt[row] > 1)
			buf_printf(b, "[+%u like it] ", a->rowcnt[row] - 1);
		if (x->view_only)
			buf_puts(b, "[view-only] ");
		buf_puts(b, model_alert_message(x));
		break;
	case AC_DEPT:
		buf_puts(b, x->dept ? x->dept : "");
		break;
	case AC_STATE:
		al_state_cell(a, row, b, at);
		break;
	case AC_ACK:
		al_ack_cell(a, row, b);
		break;
	}
}

/* ---- Sorting and filtering --------------------------------------------- */

static int
al_strcmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int
al_cmp(const void *pa, const void *pb, void *arg)
{
	struct screen_alerts *s = arg;
	const struct model_alert *a = &s->al.v[*(const size_t *)pa];
	const struct model_alert *b = &s->al.v[*(const size_t *)pb];
	int c = 0;

	switch (s->tab.sort_col) {
	case AC_SEV:
		c = (int)b->sev - (int)a->sev;
		break;
	case AC_AGE:
		c = a->started_ms < b->started_ms   ? 1
		    : a->started_ms > b->started_ms ? -1
		                                    : 0;
		break;
	case AC_ID:
		c = al_strcmp(a->id, b->id);
		break;
	case AC_PLACE:
		c = al_strcmp(a->code, b->code);
		break;
	case AC_MESSAGE:
		c = al_strcmp(a->message, b->message);
		break;
	case AC_DEPT:
		c = al_strcmp(a->dept, b->dept);
		break;
	case AC_STATE:
		c = al_strcmp(a->state, b->state);
		break;
	case AC_ACK:
		c = al_strcmp(a->ack_by, b->ack_by);
		break;
	}
	if (c == 0 && s->tab.sort_col != AC_SEV)
		c = (int)b->sev - (int)a->sev;
	if (c == 0)
		c = a->started_ms < b->started_ms   ? 1
		    : a->started_ms > b->started_ms ? -1
		                                    : 0;
	if (c == 0)
		c = al_strcmp(a->id, b->id);
	return s->tab.sort_desc ? -c : c;
}

static int
al_match(const char *f, const struct model_alert *x)
{
	return su_match(f, x->id) || su_match(f, x->place) ||
	       su_match(f, x->message) || su_match(f, x->code) ||
	       su_match(f, x->place_en) || su_match(f, x->message_en) ||
	       su_match(f, x->dept) || su_match(f, x->state) ||
	       su_match(f, model_sev_name(x->sev)) || su_match(f, x->rule) ||
	       su_match(f, x->ack_by);
}

static void
al_rebuild(struct screen_alerts *a)
{
	size_t i, j, k, n = 0;

	free(a->rows);
	free(a->rowcnt);
	a->rows = a->al.n ? xcalloc(a->al.n, sizeof *a->rows) : NULL;
	a->rowcnt = a->al.n ? xcalloc(a->al.n, sizeof *a->rowcnt) : NULL;
	a->nrows = 0;
	for (i = 0; i < a->al.n; i++) {
		if (al_match(a->base.filter, &a->al.v[i]))
			a->rows[a->nrows++] = i;
	}
	if (a->nrows > 1)
		qsort_r(a->rows, a->nrows, sizeof *a->rows, al_cmp, a);
	if (a->grouped) {
		/* Keep the first (by the sort) alert of each collapsed group
		 * and count its members; expanded groups stay whole. */
		for (i = 0; i < a->nrows; i++) {
			const char *g = a->al.v[a->rows[i]].group;
			unsigned cnt = 1;
			int seen = 0;

			if (g != NULL &&
			    !al_in_set(a->expanded, a->nexpanded, g)) {
				for (k = 0; k < n && !seen; k++) {
					const char *h =
					    a->al.v[a->rows[k]].group;

					seen = h != NULL && strcmp(h, g) == 0;
				}
				if (seen)
					continue;
				for (j = i + 1; j < a->nrows; j++) {
					const char *h =
					    a->al.v[a->rows[j]].group;

					cnt += h != NULL && strcmp(h, g) == 0;
				}
			}
			a->rows[n] = a->rows[i];
			a->rowcnt[n] = cnt;
			n++;
		}
		a->nrows = n;
	}
	table_set_rows(&a->tab, a->nrows);
}

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
	a->cols[AC_ID].width = al_cols[AC_ID].width;
	for (i = 0; i < a->al.n; i++) {
		int w = a->al.v[i].id != NULL ? (int)strlen(a->al.v[i].id) : 0;

		if (w > a->cols[AC_ID].width && w <= 24)
			a->cols[AC_ID].width = w;
	}
	attention_listed(s->app->att, &a->al);
	al_rebuild(a);
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
	struct screen_alerts *a = al(s);
	struct model_alert_detail n;
	char *cause = NULL;

	a->detail_inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "alert: %s", res->error);
		return;
	}
	if (a->detail_id == NULL)
		return;
	if (model_alert_detail_decode(res->body, &n, &cause) == 0) {
		model_alert_detail_free(&a->detail);
		a->detail = n;
	} else
		free(cause);
	res->body = NULL;
}

static void
al_refresh(struct screen *s)
{
	struct screen_alerts *a = al(s);
	struct buf p = BUF_INIT;
	char *c;

	if (a->detail_id != NULL && !a->detail_inflight) {
		c = api_escape(a->detail_id);
		buf_printf(&p, "/api/v1/alerts/%s", c);
		free(c);
		a->detail_inflight = 1;
		app_fetch(s->app, s, buf_str(&p), al_detail_done);
		buf_reset(&p);
	}
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
	free(a->detail_id);
	a->detail_id = NULL;
	model_alert_detail_free(&a->detail);
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
	al_rebuild(a);
	s->fetched = 0;
}

/* ---- Drawing ----------------------------------------------------------- */

static void
al_where(struct screen *s, struct buf *b)
{
	struct screen_alerts *a = al(s);

	if (a->detail_id != NULL)
		buf_printf(b, "history of %s", a->detail_id);
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

	if (a->detail_id != NULL) {
		alert_detail_draw(
		    &a->detail, a->detail_id, a->detail_top, w, rows, cols);
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
	al_tags_clear(arg);
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
al_targets(struct screen_alerts *a)
{
	struct alert_action *c;
	size_t i;

	if (a->detail_id == NULL && a->nrows == 0 && a->ntags == 0) {
		app_message(a->base.app, 1, "no alert selected");
		return NULL;
	}
	c = alert_action_new(a->base.app);
	if (a->ntags > 0 && a->detail_id == NULL) {
		for (i = 0; i < a->ntags; i++)
			alert_action_add(c, a->tags[i]);
		c->what_kind = "tagged";
		c->sent = al_tags_clear_cb;
		c->sent_arg = a;
	} else {
		const struct model_alert *x =
		    a->detail_id != NULL ? &a->detail.alert
		                         : &a->al.v[a->rows[a->tab.sel]];

		alert_action_add(c, a->detail_id ? a->detail_id : x->id);
		if (x->state != NULL)
			c->state = xstrdup(x->state);
		if (a->detail_id == NULL)
			al_row_members(a, a->tab.sel, al_member_add, c);
		if (x->rule != NULL)
			c->rule = xstrdup(x->rule);
		if (x->grid != NULL) {
			c->label_key = xstrdup("grid");
			c->label_value = xstrdup(x->grid);
		} else if (x->system != NULL) {
			c->label_key = xstrdup("system");
			c->label_value = xstrdup(x->system);
		}
	}
	return c;
}

#define AL_ACTION(name, verb)                                           \
	static void al_##name(struct app *app, struct screen *s)        \
	{                                                               \
		struct alert_action *c = al_targets(al(s));             \
                                                                        \
		if (c != NULL)                                          \
			alert_action_ask(c, verb, alert_action_##name); \
	}
AL_ACTION(ack, "Acknowledge")
AL_ACTION(unack, "Unacknowledge")
AL_ACTION(comment, "Comment")
AL_ACTION(dispatch, "Dispatch")
AL_ACTION(close, "Close")
AL_ACTION(severity, "Change severity")
AL_ACTION(assign, "Assign")

/* A silence covers the rule in the place: the whole group anyway. */
static void
al_silence(struct app *app, struct screen *s)
{
	struct alert_action *c = al_targets(al(s));

	if (c != NULL)
		alert_action_silence(c);
}

/* ---- Keys -------------------------------------------------------------- */

static void
al_tag(struct app *app, struct screen *s)
{
	struct screen_alerts *a = al(s);
	const char *id;
	size_t i;

	if (a->nrows == 0 || a->detail_id != NULL)
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
	al_tags_clear(al(s));
}

static void
al_sort(struct screen_alerts *a, int d)
{
	int c = a->tab.sort_col < 0 ? 0 : a->tab.sort_col;

	a->tab.sort_col = (c + d + AC_NCOLS) % AC_NCOLS;
	al_rebuild(a);
	app_message(
	    a->base.app, 0, "sorted by %s", al_cols[a->tab.sort_col].title);
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
	al_rebuild(al(s));
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
	x = a->detail_id ? &a->detail.alert : &a->al.v[a->rows[a->tab.sel]];
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
	al_set_clear(&a->expanded, &a->nexpanded);
	al_rebuild(a);
	app_message(app, 0,
	    a->grouped ? "grouped: one line per rule and "
	                 "place (Enter expands)"
	               : "one line per alert");
}

static int
al_nav(struct screen *s, int key)
{
	struct screen_alerts *a = al(s);

	if (a->detail_id != NULL) {
		switch (key) {
		case KEY_DOWN:
		case 'j':
			a->detail_top++;
			return 1;
		case KEY_UP:
		case 'k':
			if (a->detail_top > 0)
				a->detail_top--;
			return 1;
		case KEY_NPAGE:
			a->detail_top += 10;
			return 1;
		case KEY_PPAGE:
			a->detail_top =
			    a->detail_top > 10 ? a->detail_top - 10 : 0;
			return 1;
		}
		return 0;
	}
	if (key == KEY_ENTER) {
		if (a->nrows == 0)
			return 1;
		if (a->rowcnt != NULL && a->rowcnt[a->tab.sel] > 1) {
			a->expanded = xreallocarray(
			    a->expanded, a->nexpanded + 1, sizeof *a->expanded);
			a->expanded[a->nexpanded++] =
			    xstrdup(a->al.v[a->rows[a->tab.sel]].group);
			al_rebuild(a);
			return 1;
		}
		a->detail_id = xstrdup(a->al.v[a->rows[a->tab.sel]].id);
		a->detail_top = 0;
		model_alert_detail_free(&a->detail);
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

	if (a->detail_id != NULL) {
		free(a->detail_id);
		a->detail_id = NULL;
		model_alert_detail_free(&a->detail);
		return 1;
	}
	if (a->nexpanded > 0) {
		al_set_clear(&a->expanded, &a->nexpanded);
		al_rebuild(a);
		return 1;
	}
	if (a->base.filter != NULL) {
		free(a->base.filter);
		a->base.filter = NULL;
		al_rebuild(a);
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
    {.key = 'a',
        .key2 = KEY_F(7),
        .keys = "a F7",
        .help = "acknowledge (comment, optional expiry)",
        .fkey = 7,
        .bar = "Ack",
        .fn = al_ack},
    {.key = 'U',
        .keys = "U",
        .help = "unacknowledge (confirms)",
        .fn = al_unack},
    {.key = 'c', .keys = "c", .help = "comment", .fn = al_comment},
    {.key = 'd',
        .keys = "d",
        .help = "dispatch to departments (lead, supporting)",
        .fn = al_dispatch},
    {.key = 'v', .keys = "v", .help = "change severity", .fn = al_severity},
    {.key = 'w',
        .keys = "w",
        .help = "assign / reassign to a grid worker on duty",
        .fn = al_assign},
    {.key = 'x',
        .key2 = KEY_F(8),
        .keys = "x F8",
        .help = "close by hand (confirms, asks a reason)",
        .fkey = 8,
        .bar = "Close",
        .fn = al_close},
    {.key = 's',
        .keys = "s",
        .help = "silence this rule in this place (confirms)",
        .fn = al_silence},
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
	al_rebuild(al(s));
}

static void
al_init(struct screen *s)
{
	struct screen_alerts *a = al(s);

	memcpy(a->cols, al_cols, sizeof a->cols);
	table_init(&a->tab, a->cols, AC_NCOLS, al_cell, a);
	a->tab.tagged = al_tagged_cb;
	a->tab.sort_col = AC_SEV;
	a->grouped = 1;
}

static void
al_destroy(struct screen *s)
{
	struct screen_alerts *a = al(s);

	model_alerts_free(&a->al);
	model_alert_detail_free(&a->detail);
	free(a->detail_id);
	free(a->code);
	free(a->rows);
	free(a->rowcnt);
	al_tags_clear(a);
	al_set_clear(&a->expanded, &a->nexpanded);
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
