/* The Audit screen: the hash-chained log, newest first, filterable.
 * Entries are fetched page by page from the start, then incrementally. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/bind.h"
#include "tui/screen-util.h"
#include "tui/screen.h"
#include "tui/term.h"
#include "tui/widget-table.h"

/* Keep at most this many entries in memory. */
#define AU_KEEP 5000

enum {
	UC_SEQ,
	UC_TIME,
	UC_WHO,
	UC_VIA,
	UC_ACTION,
	UC_TARGET,
	UC_CHANGE,
	UC_NCOLS,
};

static const struct table_col au_cols[UC_NCOLS] = {
    [UC_SEQ] = {.title = "Seq", .width = 5, .align = TEXT_RIGHT},
    [UC_TIME] = {.title = "Time", .width = 11},
    [UC_WHO] = {.title = "Who", .width = 10},
    [UC_VIA] = {.title = "Via", .width = 10, .min_cols = 100},
    [UC_ACTION] = {.title = "Action", .width = 12},
    [UC_TARGET] = {.title = "Target", .width = 9},
    [UC_CHANGE] = {.title = "Change", .width = 10, .flex = 1},
};

struct screen_audit {
	struct screen base;
	json_t *entries; /* array, oldest first */
	long long next;  /* since= for the next page */
	int inflight, verify_inflight;
	size_t *rows; /* indexes into entries, newest first */
	size_t nrows;
	struct table tab;
	char *verify; /* last verification result, owned */
};

static struct screen_audit *
au(struct screen *s)
{
	return (struct screen_audit *)s;
}

static void
au_cell(void *arg, size_t row, int col, struct buf *b, attr_t *a)
{
	struct screen_audit *u = arg;
	struct model_audit_entry e;
	char t[32];

	model_audit_entry_decode(json_array_get(u->entries, u->rows[row]), &e);
	switch (col) {
	case UC_SEQ:
		buf_printf(b, "%lld", e.seq);
		break;
	case UC_TIME:
		su_time(e.at_ms, t, sizeof t);
		buf_puts(b, t);
		break;
	case UC_WHO:
		buf_puts(b, e.who ? e.who : "?");
		*a = A_BOLD;
		break;
	case UC_VIA:
		buf_printf(
		    b, "%s %s", e.via ? e.via : "", e.from ? e.from : "");
		break;
	case UC_ACTION:
		buf_puts(b, e.action ? e.action : "?");
		break;
	case UC_TARGET:
		buf_puts(b, e.target ? e.target : "");
		break;
	case UC_CHANGE:
		model_json_diff(b, e.before, e.after);
		if (e.comment != NULL)
			buf_printf(b, " \"%s\"", e.comment);
		break;
	}
}

static int
au_match(const char *f, json_t *o)
{
	struct model_audit_entry e;
	struct buf b = BUF_INIT;
	int m;

	if (f == NULL)
		return 1;
	model_audit_entry_decode(o, &e);
	if (su_match(f, e.who) || su_match(f, e.action) ||
	    su_match(f, e.target) || su_match(f, e.via) ||
	    su_match(f, e.comment))
		return 1;
	model_json_brief(&b, e.after);
	m = su_match(f, buf_str(&b));
	buf_free(&b);
	return m;
}

static void
au_rebuild(struct screen_audit *u)
{
	size_t n = json_array_size(u->entries), i;

	free(u->rows);
	u->rows = n ? xcalloc(n, sizeof *u->rows) : NULL;
	u->nrows = 0;
	for (i = n; i > 0; i--) {
		if (au_match(u->base.filter, json_array_get(u->entries, i - 1)))
			u->rows[u->nrows++] = i - 1;
	}
	table_set_rows(&u->tab, u->nrows);
}

static void au_refresh(struct screen *s);

static void
au_done(struct screen *s, struct api_result *res)
{
	struct screen_audit *u = au(s);
	json_t *e, *next;
	size_t n;

	u->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "audit: %s", res->error);
		return;
	}
	e = json_object_get(res->body, "entries");
	if (json_is_array(e) && json_array_size(e) > 0) {
		json_array_extend(u->entries, e);
		n = json_array_size(u->entries);
		while (n > AU_KEEP) {
			json_array_remove(u->entries, 0);
			n--;
		}
	}
	next = json_object_get(res->body, "next");
	if (json_is_integer(next)) {
		u->next = (long long)json_integer_value(next);
		/* More pages waiting: fetch on at once. */
		if (json_array_size(e) > 0)
			au_refresh(s);
	} else if (json_array_size(e) > 0) {
		/* End reached: continue after the newest entry. */
		struct model_audit_entry last;

		model_audit_entry_decode(
		    json_array_get(e, json_array_size(e) - 1), &last);
		if (last.seq >= 0)
			u->next = last.seq + 1;
	}
	au_rebuild(u);
}

static void
au_refresh(struct screen *s)
{
	struct screen_audit *u = au(s);
	char *path;

	if (u->inflight)
		return;
	u->inflight = 1;
	path = xasprintf("/api/v1/audit?since=%lld&limit=1000", u->next);
	app_fetch(s->app, s, path, au_done);
	free(path);
}

static void
au_verify_done(struct screen *s, struct api_result *res)
{
	struct screen_audit *u = au(s);
	json_t *b = res->body;

	u->verify_inflight = 0;
	free(u->verify);
	if (res->error != NULL)
		u->verify = xasprintf("verify: %s", res->error);
	else if (json_is_true(json_object_get(b, "ok")))
		u->verify = xasprintf("chain intact: %lld entries",
		    (long long)json_integer_value(
		        json_object_get(b, "entries")));
	else
		u->verify = xasprintf("CHAIN BROKEN at entry %lld: %s",
		    (long long)json_integer_value(
		        json_object_get(b, "first_bad")),
		    json_string_value(json_object_get(b, "reason")) ?: "?");
	app_message(s->app,
	    res->error != NULL || !json_is_true(json_object_get(b, "ok")), "%s",
	    u->verify);
}

static void
au_verify(struct app *app, struct screen *s)
{
	struct screen_audit *u = au(s);

	if (u->verify_inflight)
		return;
	u->verify_inflight = 1;
	app_fetch(app, s, "/api/v1/audit/verify", au_verify_done);
}

static void
au_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_audit *u = au(s);

	if (!s->fetched) {
		term_put(w, 1, 2, cols - 4, "Loading the audit log ...",
		    TEXT_LEFT, A_BOLD);
		return;
	}
	if (u->nrows == 0) {
		table_draw(&u->tab, w, 0, 0, 1, cols);
		term_put(w, 2, 2, cols - 4, "no audit entries", TEXT_LEFT,
		    term_attr(TERM_DIM));
		return;
	}
	table_draw(&u->tab, w, 0, 0, rows, cols);
}

static void
au_where(struct screen *s, struct buf *b)
{
	struct screen_audit *u = au(s);

	buf_printf(b, "%zu entries", u->nrows);
	if (u->verify != NULL)
		buf_printf(b, ", %s", u->verify);
}

static int
au_nav(struct screen *s, int key)
{
	return table_nav(&au(s)->tab, key);
}

static void
au_filter_changed(struct screen *s)
{
	au_rebuild(au(s));
}

static const struct binding au_bindings[] = {
    {.key = 'V',
        .key2 = KEY_F(6),
        .keys = "V F6",
        .help = "verify the hash chain",
        .fkey = 6,
        .bar = "Verify",
        .fn = au_verify},
    {.key = 0},
};

static void
au_init(struct screen *s)
{
	struct screen_audit *u = au(s);

	u->entries = json_array();
	table_init(&u->tab, au_cols, UC_NCOLS, au_cell, u);
}

static void
au_destroy(struct screen *s)
{
	struct screen_audit *u = au(s);

	json_decref(u->entries);
	free(u->rows);
	free(u->verify);
}

const struct screen_class screen_audit_class = {
    .name = "audit",
    .title = "Audit",
    .tab = "Audit",
    .key = '8',
    .size = sizeof(struct screen_audit),
    .bindings = au_bindings,
    .init = au_init,
    .destroy = au_destroy,
    .fetch = au_refresh,
    .draw = au_draw,
    .filter_changed = au_filter_changed,
    .nav = au_nav,
    .where = au_where,
};
