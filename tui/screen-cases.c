/*
 * The Cases screen (issue 17): the cases the hub holds (GET /api/v1/cases),
 * newest first, or only the dispatch desk's queue of unrouted ones (u);
 * Enter opens a case (GET /api/v1/cases/{id}: its category, place,
 * departments, deadline and history); n makes a new case (tui/case-form.c);
 * d routes an unrouted case to departments (the dispatch action, with Tab
 * completing department ids as the alerts' dispatch prompt does).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/bind.h"
#include "tui/case-form.h"
#include "tui/depts.h"
#include "tui/screen-util.h"
#include "tui/screen.h"
#include "tui/term.h"
#include "tui/widget-table.h"

enum {
	KC_ID,
	KC_STATE,
	KC_CATEGORY,
	KC_PLACE,
	KC_ROUTED,
	KC_AGE,
	KC_TEXT,
	KC_NCOLS,
};

static const struct table_col kc_cols[KC_NCOLS] = {
    [KC_ID] = {.title = "Case", .width = 8},
    [KC_STATE] = {.title = "State", .width = 9},
    [KC_CATEGORY] = {.title = "Category", .width = 16},
    [KC_PLACE] = {.title = "Place", .width = 18, .flex = 1},
    [KC_ROUTED] = {.title = "Routed to", .width = 18},
    [KC_AGE] = {.title = "Age", .width = 5, .align = TEXT_RIGHT},
    [KC_TEXT] = {.title = "Description", .width = 16, .flex = 2},
};

struct screen_cases {
	struct screen base;
	json_t *cases; /* the hub's list (array) */
	size_t *rows;  /* indexes into cases that pass the filter */
	size_t nrows;
	struct table tab;
	int queue_only; /* u: the dispatch desk's queue */
	int inflight;
	char *open_id;  /* the case shown in detail, or NULL (list) */
	json_t *detail; /* its answer */
	int detail_top; /* scroll of the detail */
};

static struct screen_cases *
kc(struct screen *s)
{
	return (struct screen_cases *)s;
}

static const char *
kc_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "city-management +1", or "QUEUE" for a case nobody routed. */
static void
kc_routed(struct buf *b, json_t *c)
{
	json_t *d = json_object_get(c, "depts");

	if (json_array_size(d) == 0) {
		buf_puts(b, kc_str(json_object_get(c, "case"), "queue") != NULL
		                ? "QUEUE (unrouted)"
		                : "-");
		return;
	}
	buf_puts(b, kc_str(json_array_get(d, 0), "dept"));
	if (json_array_size(d) > 1)
		buf_printf(b, " +%zu", json_array_size(d) - 1);
}

static void
kc_cell(void *arg, size_t row, int col, struct buf *b, attr_t *a)
{
	struct screen_cases *k = arg;
	json_t *c = json_array_get(k->cases, k->rows[row]);
	json_t *cs = json_object_get(c, "case");
	long long started =
	    json_integer_value(json_object_get(c, "started_ms"));
	const char *cat;

	switch (col) {
	case KC_ID:
		buf_puts(b, kc_str(c, "id"));
		*a = A_BOLD;
		break;
	case KC_STATE:
		buf_puts(b, kc_str(c, "state"));
		if (json_is_true(json_object_get(c, "overdue"))) {
			buf_puts(b, "!");
			*a = term_attr(TERM_BAD);
		}
		break;
	case KC_CATEGORY:
		cat = kc_str(cs, "category");
		buf_puts(b, cat != NULL ? cat : "(none)");
		break;
	case KC_PLACE:
		buf_puts(b, kc_str(c, "place") != NULL ? kc_str(c, "place")
		                                       : kc_str(c, "code"));
		break;
	case KC_ROUTED:
		kc_routed(b, c);
		if (json_array_size(json_object_get(c, "depts")) == 0)
			*a = term_attr(TERM_WARN);
		break;
	case KC_AGE:
		su_age_cell(b, a, (clock_wall_ms() - started) / 1000, 0, 0);
		break;
	case KC_TEXT:
		buf_puts(b,
		    kc_str(c, "message") != NULL ? kc_str(c, "message") : "");
		break;
	}
}

static int
kc_match(const char *f, json_t *c)
{
	json_t *cs = json_object_get(c, "case");

	return f == NULL || su_match(f, kc_str(c, "id")) ||
	       su_match(f, kc_str(c, "message")) ||
	       su_match(f, kc_str(c, "place")) ||
	       su_match(f, kc_str(cs, "category")) ||
	       su_match(f, kc_str(cs, "address"));
}

static void
kc_rebuild(struct screen_cases *k)
{
	size_t n = json_array_size(k->cases), i;

	free(k->rows);
	k->rows = n ? xcalloc(n, sizeof *k->rows) : NULL;
	k->nrows = 0;
	for (i = 0; i < n; i++) {
		if (kc_match(k->base.filter, json_array_get(k->cases, i)))
			k->rows[k->nrows++] = i;
	}
	table_set_rows(&k->tab, k->nrows);
}

static void
kc_list_done(struct screen *s, struct api_result *res)
{
	struct screen_cases *k = kc(s);
	json_t *list = json_object_get(res->body, "cases");

	k->inflight = 0;
	if (res->error != NULL || !json_is_array(list)) {
		if (res->status != 0)
			app_message(s->app, 1, "cases: %s",
			    res->error != NULL ? res->error : "no list");
		return;
	}
	json_decref(k->cases);
	k->cases = json_incref(list);
	kc_rebuild(k);
}

static void
kc_detail_done(struct screen *s, struct api_result *res)
{
	struct screen_cases *k = kc(s);

	k->inflight = 0;
	if (res->error != NULL) {
		app_message(s->app, 1, "case %s: %s",
		    k->open_id != NULL ? k->open_id : "?", res->error);
		return;
	}
	json_decref(k->detail);
	k->detail = json_incref(res->body);
}

static void
kc_fetch(struct screen *s)
{
	struct screen_cases *k = kc(s);
	char *path, *id;

	if (k->inflight)
		return;
	k->inflight = 1;
	if (k->open_id != NULL) {
		id = api_escape(k->open_id);
		path = xasprintf("/api/v1/cases/%s", id);
		app_fetch(s->app, s, path, kc_detail_done);
		free(id);
	} else {
		path = xasprintf("/api/v1/cases?limit=500%s",
		    k->queue_only ? "&queue=dispatch" : "");
		app_fetch(s->app, s, path, kc_list_done);
	}
	free(path);
}

/* The case under the cursor (list) or open (detail), or NULL. */
static json_t *
kc_current(struct screen_cases *k)
{
	if (k->open_id != NULL)
		return k->detail;
	if (k->nrows == 0)
		return NULL;
	return json_array_get(k->cases, k->rows[k->tab.sel]);
}

/* ---- Detail ------------------------------------------------------------- */

static void
kc_line(
    WINDOW *w, int *y, int rows, int top, int cols, attr_t a, const char *text)
{
	if (*y - top >= 0 && *y - top < rows)
		term_put(w, *y - top, 2, cols - 4, text, TEXT_LEFT, a);
	(*y)++;
}

static void
kc_draw_detail(struct screen_cases *k, WINDOW *w, int rows, int cols)
{
	json_t *c = k->detail, *cs = json_object_get(c, "case"), *h;
	struct buf b = BUF_INIT;
	int y = 0, top = k->detail_top;
	long long dl = json_integer_value(json_object_get(c, "deadline_ms"));
	char t[32];
	size_t i;

	if (c == NULL) {
		term_put(w, 1, 2, cols - 4, "Loading the case ...", TEXT_LEFT,
		    A_BOLD);
		return;
	}
	buf_printf(&b, "Case %s  %s  %s", kc_str(c, "id"), kc_str(c, "state"),
	    kc_str(c, "severity"));
	kc_line(w, &y, rows, top, cols, A_BOLD, buf_str(&b));
	b.len = 0;
	buf_printf(&b, "Category  %s%s%s",
	    kc_str(cs, "category") != NULL ? kc_str(cs, "category") : "(none)",
	    kc_str(cs, "category_name") != NULL && text_utf8() ? "  " : "",
	    kc_str(cs, "category_name") != NULL && text_utf8()
	        ? kc_str(cs, "category_name")
	        : "");
	kc_line(w, &y, rows, top, cols, A_NORMAL, buf_str(&b));
	b.len = 0;
	buf_printf(&b, "Place     %s (%s)%s%s",
	    kc_str(c, "place") != NULL ? kc_str(c, "place") : "?",
	    kc_str(c, "code") != NULL ? kc_str(c, "code") : "?",
	    kc_str(cs, "address") != NULL ? "  address: " : "",
	    kc_str(cs, "address") != NULL ? kc_str(cs, "address") : "");
	kc_line(w, &y, rows, top, cols, A_NORMAL, buf_str(&b));
	b.len = 0;
	buf_printf(&b, "Source    %s%s%s",
	    kc_str(cs, "source") != NULL ? kc_str(cs, "source") : "?",
	    kc_str(cs, "ref") != NULL ? "  ref " : "",
	    kc_str(cs, "ref") != NULL ? kc_str(cs, "ref") : "");
	kc_line(w, &y, rows, top, cols, A_NORMAL, buf_str(&b));
	b.len = 0;
	buf_puts(&b, "Routed    ");
	if (json_array_size(json_object_get(c, "depts")) == 0)
		buf_puts(&b, "nobody yet: in the dispatch desk's queue (d "
		             "routes it)");
	json_array_foreach(json_object_get(c, "depts"), i, h)
	    buf_printf(&b, "%s%s (%s)", i ? ", " : "", kc_str(h, "dept"),
	        kc_str(h, "role") != NULL ? kc_str(h, "role") : "?");
	if (kc_str(cs, "routing") != NULL)
		buf_printf(&b, "  [%s]", kc_str(cs, "routing"));
	kc_line(w, &y, rows, top, cols,
	    json_array_size(json_object_get(c, "depts")) == 0
	        ? term_attr(TERM_WARN)
	        : A_NORMAL,
	    buf_str(&b));
	if (dl > 0) {
		su_time(dl, t, sizeof t);
		b.len = 0;
		buf_printf(&b, "Deadline  %s%s", t,
		    json_is_true(json_object_get(c, "overdue")) ? "  OVERDUE"
		                                                : "");
		kc_line(w, &y, rows, top, cols, A_NORMAL, buf_str(&b));
	}
	b.len = 0;
	buf_printf(&b, "Text      %s",
	    kc_str(c, "message") != NULL ? kc_str(c, "message") : "");
	kc_line(w, &y, rows, top, cols, A_NORMAL, buf_str(&b));
	y++;
	kc_line(w, &y, rows, top, cols, term_attr(TERM_TITLE), "History");
	json_array_foreach(json_object_get(c, "history"), i, h)
	{
		su_time(json_integer_value(json_object_get(h, "at_ms")), t,
		    sizeof t);
		b.len = 0;
		buf_printf(&b, "%s  %-10s %s%s%s", t, kc_str(h, "action"),
		    kc_str(h, "who") != NULL ? kc_str(h, "who") : "?",
		    kc_str(h, "comment") != NULL ? "  " : "",
		    kc_str(h, "comment") != NULL ? kc_str(h, "comment") : "");
		kc_line(w, &y, rows, top, cols, A_NORMAL, buf_str(&b));
	}
	buf_free(&b);
}

static void
kc_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_cases *k = kc(s);

	if (k->open_id != NULL) {
		kc_draw_detail(k, w, rows, cols);
		return;
	}
	if (!s->fetched) {
		term_put(w, 1, 2, cols - 4, "Loading the cases ...", TEXT_LEFT,
		    A_BOLD);
		return;
	}
	table_draw(&k->tab, w, 0, 0, k->nrows == 0 ? 1 : rows, cols);
	if (k->nrows == 0)
		term_put(w, 2, 2, cols - 4,
		    k->queue_only ? "the dispatch queue is empty: every case "
		                    "is routed (u shows all)"
		                  : "no cases (n makes one)",
		    TEXT_LEFT, term_attr(TERM_DIM));
}

static void
kc_where(struct screen *s, struct buf *b)
{
	struct screen_cases *k = kc(s);

	if (k->open_id != NULL)
		buf_printf(b, "case %s", k->open_id);
	else
		buf_printf(b, "%zu %s", k->nrows,
		    k->queue_only ? "unrouted cases (dispatch queue)"
		                  : "cases");
}

static void
kc_open(struct screen_cases *k, const char *id)
{
	free(k->open_id);
	k->open_id = xstrdup(id);
	json_decref(k->detail);
	k->detail = NULL;
	k->detail_top = 0;
	k->inflight = 0;
	kc_fetch(&k->base);
}

static int
kc_nav(struct screen *s, int key)
{
	struct screen_cases *k = kc(s);
	json_t *c;

	if (k->open_id != NULL) {
		if (key == KEY_DOWN || key == 'j')
			k->detail_top++;
		else if ((key == KEY_UP || key == 'k') && k->detail_top > 0)
			k->detail_top--;
		else
			return 0;
		return 1;
	}
	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		if ((c = kc_current(k)) != NULL)
			kc_open(k, kc_str(c, "id"));
		return 1;
	}
	return table_nav(&k->tab, key);
}

static int
kc_back(struct screen *s)
{
	struct screen_cases *k = kc(s);

	if (k->open_id == NULL)
		return 0;
	free(k->open_id);
	k->open_id = NULL;
	json_decref(k->detail);
	k->detail = NULL;
	k->inflight = 0;
	kc_fetch(s);
	return 1;
}

static void
kc_filter_changed(struct screen *s)
{
	kc_rebuild(kc(s));
}

/* ---- Keys --------------------------------------------------------------- */

static void
kc_queue(struct app *app, struct screen *s)
{
	struct screen_cases *k = kc(s);

	k->queue_only = !k->queue_only;
	kc_back(s);
	k->inflight = 0;
	kc_fetch(s);
	app_message(app, 0, "%s",
	    k->queue_only ? "the dispatch queue: unrouted cases only"
	                  : "all cases");
}

static void
kc_made(struct app *app, const char *id)
{
	(void)id;
	app_refresh_now(app);
}

static void
kc_new(struct app *app, struct screen *s)
{
	(void)s;
	case_form_open(app, kc_made);
}

/* The route prompt's answer: "lead support ..." for case id (arg). */
static void
kc_route_done(struct app *app, const char *text, void *arg)
{
	char *id = arg, *copy, *tok, *save = NULL, *path, *what, *esc;
	json_t *body, *support;
	int first = 1;

	if (text == NULL || strspn(text, ", ") == strlen(text)) {
		if (text != NULL)
			app_message(app, 1, "route: which department?");
		free(id);
		return;
	}
	body = json_object();
	support = json_array();
	copy = xstrdup(text);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (depts_known(app->depts, tok) == 0) {
			app_message(app, 1,
			    "route %s: \"%s\" is not a department", id, tok);
			json_decref(body);
			json_decref(support);
			free(copy);
			free(id);
			return;
		}
		if (first)
			json_object_set_new(body, "dept", json_string(tok));
		else
			json_array_append_new(support, json_string(tok));
		first = 0;
	}
	free(copy);
	if (json_array_size(support) > 0)
		json_object_set_new(body, "support", support);
	else
		json_decref(support);
	esc = api_escape(id);
	path = xasprintf("/api/v1/alerts/%s/dispatch", esc);
	what = xasprintf("route %s to %s", id, text);
	app_action(app, "POST", path, body, what);
	json_decref(body);
	free(esc);
	free(path);
	free(what);
	free(id);
}

static void
kc_route(struct app *app, struct screen *s)
{
	json_t *c = kc_current(kc(s));
	char *label;

	if (c == NULL)
		return;
	if (json_array_size(json_object_get(c, "depts")) > 0) {
		app_message(app, 1,
		    "%s is routed already (re-dispatch it from the Alerts "
		    "screen)",
		    kc_str(c, "id"));
		return;
	}
	depts_fetch(app->depts, app);
	label = xasprintf("Route %s to department (lead, then supporting "
	                  "ones; Tab lists): ",
	    kc_str(c, "id"));
	app_prompt(app, label, NULL, kc_route_done, xstrdup(kc_str(c, "id")));
	app_prompt_complete(app, depts_complete);
	free(label);
}

static const struct binding kc_bindings[] = {
    {.key = 'n',
        .key2 = KEY_F(6),
        .keys = "n F6",
        .help = "new case (category, place, description)",
        .fkey = 6,
        .bar = "New",
        .fn = kc_new},
    {.key = 'd',
        .key2 = KEY_F(7),
        .keys = "d F7",
        .help = "route an unrouted case to departments",
        .fkey = 7,
        .bar = "Route",
        .fn = kc_route},
    {.key = 'u',
        .key2 = KEY_F(8),
        .keys = "u F8",
        .help = "only the dispatch queue (unrouted cases) / all",
        .fkey = 8,
        .bar = "Queue",
        .fn = kc_queue},
    {.key = 0},
};

static void
kc_init(struct screen *s)
{
	struct screen_cases *k = kc(s);

	k->cases = json_array();
	table_init(&k->tab, kc_cols, KC_NCOLS, kc_cell, k);
}

static void
kc_destroy(struct screen *s)
{
	struct screen_cases *k = kc(s);

	json_decref(k->cases);
	json_decref(k->detail);
	free(k->rows);
	free(k->open_id);
}

const struct screen_class screen_cases_class = {
    .name = "cases",
    .title = "Cases",
    .tab = "Cases",
    .key = ' ',
    .size = sizeof(struct screen_cases),
    .bindings = kc_bindings,
    .init = kc_init,
    .destroy = kc_destroy,
    .fetch = kc_fetch,
    .draw = kc_draw,
    .back = kc_back,
    .filter_changed = kc_filter_changed,
    .nav = kc_nav,
    .where = kc_where,
};
