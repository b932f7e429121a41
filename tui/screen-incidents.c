/* The Incidents screen (issue 17): incidents newest first, filterable;
 * Enter opens one with its alerts and its timeline (its own entries and
 * its alerts' history in time order).  d dispatches the incident (and so
 * its alerts), h marks it handled, x closes it.  In the Alerts screen, i
 * makes an incident of the tagged (or selected) alerts
 * (alert_action_incident). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/alert-actions.h"
#include "tui/api.h"
#include "tui/app.h"
#include "tui/bind.h"
#include "tui/cli-incident.h"
#include "tui/model.h"
#include "tui/screen-incidents.h"
#include "tui/screen-util.h"
#include "tui/screen.h"
#include "tui/term.h"
#include "tui/widget-table.h"

enum {
	IC_ID,
	IC_STATE,
	IC_SEV,
	IC_ALERTS,
	IC_DEPTS,
	IC_DEADLINE,
	IC_TITLE,
	IC_NCOLS,
};

static const struct table_col ic_cols[IC_NCOLS] = {
    [IC_ID] = {.title = "Id", .width = 8},
    [IC_STATE] = {.title = "State", .width = 10},
    [IC_SEV] = {.title = "Sev", .width = 6},
    [IC_ALERTS] = {.title = "Alerts", .width = 6, .align = TEXT_RIGHT},
    [IC_DEPTS] = {.title = "Departments", .width = 22, .min_cols = 90},
    [IC_DEADLINE] = {.title = "Deadline", .width = 11, .min_cols = 110},
    [IC_TITLE] = {.title = "Title", .width = 16, .flex = 1},
};

struct screen_incidents {
	struct screen base;
	json_t *list; /* the "incidents" array of the last answer */
	size_t *rows; /* indexes into list that pass the filter */
	size_t nrows;
	struct table tab;
	int inflight;
	char *detail_id; /* the incident open, or NULL */
	json_t *detail;  /* its answer, or NULL while loading */
	int detail_top, detail_inflight;
};

static struct screen_incidents *
ic(struct screen *s)
{
	return (struct screen_incidents *)s;
}

static void
ic_cell(void *arg, size_t row, int col, struct buf *b, attr_t *a)
{
	struct screen_incidents *u = arg;
	json_t *o = json_array_get(u->list, u->rows[row]);
	char t[32];

	switch (col) {
	case IC_ID:
		buf_puts(b, cli_inc_str(o, "id", "?"));
		*a = A_BOLD;
		break;
	case IC_STATE:
		buf_puts(b, cli_inc_str(o, "state", "?"));
		if (json_is_true(json_object_get(o, "overdue")))
			buf_puts(b, "!");
		break;
	case IC_SEV:
		buf_puts(b, cli_inc_str(o, "severity", "-"));
		*a = term_sev_attr(
		    model_sev_parse(cli_inc_str(o, "severity", "")));
		break;
	case IC_ALERTS:
		buf_printf(b, "%lld/%zu",
		    (long long)json_integer_value(
		        json_object_get(o, "alerts_active")),
		    json_array_size(json_object_get(o, "alerts")));
		break;
	case IC_DEPTS:
		cli_inc_depts(o, b);
		break;
	case IC_DEADLINE:
		su_time(json_integer_value(json_object_get(o, "deadline_ms")),
		    t, sizeof t);
		buf_puts(b, json_is_integer(json_object_get(o, "deadline_ms"))
		                ? t
		                : "-");
		break;
	case IC_TITLE:
		buf_puts(b, cli_inc_str(o, "title", ""));
		break;
	}
}

static int
ic_match(const char *f, json_t *o)
{
	return f == NULL || su_match(f, cli_inc_str(o, "id", "")) ||
	       su_match(f, cli_inc_str(o, "title", "")) ||
	       su_match(f, cli_inc_str(o, "state", "")) ||
	       su_match(f, cli_inc_str(o, "lead", "")) ||
	       su_match(f, cli_inc_str(o, "place", ""));
}

static void
ic_rebuild(struct screen_incidents *u)
{
	size_t n = json_array_size(u->list), i;

	free(u->rows);
	u->rows = n ? xcalloc(n, sizeof *u->rows) : NULL;
	u->nrows = 0;
	for (i = 0; i < n; i++) {
		if (ic_match(u->base.filter, json_array_get(u->list, i)))
			u->rows[u->nrows++] = i;
	}
	table_set_rows(&u->tab, u->nrows);
}

static void
ic_done(struct screen *s, struct api_result *res)
{
	struct screen_incidents *u = ic(s);

	u->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "incidents: %s", res->error);
		return;
	}
	json_decref(u->list);
	u->list = json_incref(json_object_get(res->body, "incidents"));
	if (u->list == NULL)
		u->list = json_array();
	ic_rebuild(u);
}

static void
ic_detail_done(struct screen *s, struct api_result *res)
{
	struct screen_incidents *u = ic(s);

	u->detail_inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "incident: %s", res->error);
		return;
	}
	if (u->detail_id == NULL)
		return;
	json_decref(u->detail);
	u->detail = res->body;
	res->body = NULL;
}

static void
ic_fetch(struct screen *s)
{
	struct screen_incidents *u = ic(s);
	char *path, *id;

	if (!u->inflight) {
		u->inflight = 1;
		app_fetch(s->app, s, "/api/v1/incidents", ic_done);
	}
	if (u->detail_id != NULL && !u->detail_inflight) {
		u->detail_inflight = 1;
		id = api_escape(u->detail_id);
		path = xasprintf("/api/v1/incidents/%s", id);
		app_fetch(s->app, s, path, ic_detail_done);
		free(path);
		free(id);
	}
}

static void
ic_draw_detail(struct screen_incidents *u, WINDOW *w, int rows, int cols)
{
	struct buf lines = BUF_INIT;
	const char *p, *nl;
	int row = 0, y = 0;

	if (u->detail == NULL) {
		term_printf(
		    w, 1, 2, cols - 4, A_BOLD, "Loading %s ...", u->detail_id);
		return;
	}
	cli_incident_detail(u->detail, &lines, "\001");
	for (p = buf_str(&lines); *p != '\0' && y < rows; p = nl + 1) {
		char *line;
		attr_t a = A_NORMAL;

		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (row++ < u->detail_top) {
			if (*nl == '\0')
				break;
			continue;
		}
		if (*p == '\001') {
			a = A_BOLD;
			p++;
		}
		line = xstrndup(p, (size_t)(nl - p));
		term_put(w, y++, 1, cols - 2, line, TEXT_LEFT, a);
		free(line);
		if (*nl == '\0')
			break;
	}
	buf_free(&lines);
}

static void
ic_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_incidents *u = ic(s);

	if (u->detail_id != NULL) {
		ic_draw_detail(u, w, rows, cols);
		return;
	}
	if (!s->fetched) {
		term_put(w, 1, 2, cols - 4, "Loading the incidents ...",
		    TEXT_LEFT, A_BOLD);
		return;
	}
	table_draw(&u->tab, w, 0, 0, u->nrows == 0 ? 1 : rows, cols);
	if (u->nrows == 0)
		term_put(w, 2, 2, cols - 4,
		    "no incidents (Alerts screen: tag alerts with Space, "
		    "then i)",
		    TEXT_LEFT, term_attr(TERM_DIM));
}

static void
ic_where(struct screen *s, struct buf *b)
{
	struct screen_incidents *u = ic(s);

	if (u->detail_id != NULL)
		buf_printf(b, "incident %s", u->detail_id);
	else
		buf_printf(b, "%zu incidents", u->nrows);
}

static void
ic_open(struct screen_incidents *u, const char *id)
{
	free(u->detail_id);
	u->detail_id = xstrdup(id);
	json_decref(u->detail);
	u->detail = NULL;
	u->detail_top = 0;
	app_refresh_now(u->base.app);
}

static int
ic_nav(struct screen *s, int key)
{
	struct screen_incidents *u = ic(s);

	if (u->detail_id != NULL) {
		if (key == KEY_DOWN || key == 'j')
			u->detail_top++;
		else if ((key == KEY_UP || key == 'k') && u->detail_top > 0)
			u->detail_top--;
		else if (key == KEY_NPAGE)
			u->detail_top += 10;
		else if (key == KEY_PPAGE)
			u->detail_top =
			    u->detail_top > 10 ? u->detail_top - 10 : 0;
		else
			return 0;
		return 1;
	}
	if (key == KEY_ENTER) {
		if (u->nrows > 0)
			ic_open(u, cli_inc_str(json_array_get(u->list,
			                           u->rows[u->tab.sel]),
			               "id", ""));
		return 1;
	}
	return table_nav(&u->tab, key);
}

static int
ic_back(struct screen *s)
{
	struct screen_incidents *u = ic(s);

	if (u->detail_id != NULL) {
		free(u->detail_id);
		u->detail_id = NULL;
		json_decref(u->detail);
		u->detail = NULL;
		return 1;
	}
	if (s->filter != NULL) {
		free(s->filter);
		s->filter = NULL;
		ic_rebuild(u);
		return 1;
	}
	return 0;
}

static void
ic_filter_changed(struct screen *s)
{
	ic_rebuild(ic(s));
}

/* ---- Actions ------------------------------------------------------------ */

/* The incident the keys act on (the open one, else the selected), or
 * NULL after saying there is none. */
static const char *
ic_target(struct screen_incidents *u)
{
	if (u->detail_id != NULL)
		return u->detail_id;
	if (u->nrows == 0) {
		app_message(u->base.app, 1, "no incident selected");
		return NULL;
	}
	return cli_inc_str(
	    json_array_get(u->list, u->rows[u->tab.sel]), "id", NULL);
}

/* POST action on incident id with body (stolen). */
static void
ic_post(struct app *app, const char *id, const char *action, json_t *body)
{
	char *path = xasprintf("/api/v1/incidents/%s/%s", id, action);
	char *what = xasprintf("%s %s", action, id);

	app_action(app, "POST", path, body, what);
	json_decref(body);
	free(path);
	free(what);
}

static void
ic_dispatch_text(struct app *app, const char *text, void *arg)
{
	char *id = arg, *depts, *tok, *save = NULL;
	json_t *body, *support;

	if (text == NULL || *text == '\0') {
		free(id);
		return;
	}
	body = json_object();
	support = json_array();
	depts = xstrdup(text);
	for (tok = strtok_r(depts, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (json_object_get(body, "dept") == NULL)
			json_object_set_new(body, "dept", json_string(tok));
		else
			json_array_append_new(support, json_string(tok));
	}
	free(depts);
	json_object_set_new(body, "support", support);
	ic_post(app, id, "dispatch", body);
	free(id);
}

static void
ic_dispatch(struct app *app, struct screen *s)
{
	const char *id = ic_target(ic(s));

	if (id != NULL)
		app_prompt(app,
		    "Dispatch the incident and its alerts to (lead, "
		    "support...): ",
		    NULL, ic_dispatch_text, xstrdup(id));
}

static void
ic_handle(struct app *app, struct screen *s)
{
	const char *id = ic_target(ic(s));

	if (id != NULL)
		ic_post(app, id, "handle", json_object());
}

static void
ic_close_confirmed(struct app *app, int yes, void *arg)
{
	char *id = arg;

	if (yes)
		ic_post(app, id, "close", json_object());
	free(id);
}

static void
ic_close(struct app *app, struct screen *s)
{
	const char *id = ic_target(ic(s));
	char *q;

	if (id == NULL)
		return;
	q = xasprintf("Close incident %s?", id);
	app_confirm(app, q, ic_close_confirmed, xstrdup(id));
	free(q);
}

static void
ai_title(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;
	json_t *body, *ids;
	size_t i;
	char *what;

	if (text == NULL) {
		alert_action_free(c);
		return;
	}
	ids = json_array();
	for (i = 0; i < c->n; i++)
		json_array_append_new(ids, json_string(c->ids[i]));
	body = json_pack("{s:o}", "alerts", ids);
	if (*text != '\0')
		json_object_set_new(body, "title", json_string(text));
	what = xasprintf(
	    "make an incident of %zu alert%s", c->n, c->n == 1 ? "" : "s");
	app_action(app, "POST", "/api/v1/incidents", body, what);
	json_decref(body);
	free(what);
	if (c->sent != NULL)
		c->sent(c->sent_arg);
	alert_action_free(c);
}

void
alert_action_incident(struct alert_action *c)
{
	app_prompt(c->app,
	    "Incident title (empty: from the first alert): ", NULL, ai_title,
	    c);
}

static const struct binding ic_bindings[] = {
    {.key = KEY_ENTER,
        .keys = "Enter",
        .help = "the incident: its alerts and timeline (Esc returns)"},
    {.key = 'd',
        .keys = "d",
        .help = "dispatch the incident and its alerts",
        .fn = ic_dispatch},
    {.key = 'h', .keys = "h", .help = "mark handled", .fn = ic_handle},
    {.key = 'x', .keys = "x", .help = "close (confirms)", .fn = ic_close},
    {.key = 0},
};

static void
ic_init(struct screen *s)
{
	struct screen_incidents *u = ic(s);

	u->list = json_array();
	table_init(&u->tab, ic_cols, IC_NCOLS, ic_cell, u);
}

static void
ic_destroy(struct screen *s)
{
	struct screen_incidents *u = ic(s);

	json_decref(u->list);
	json_decref(u->detail);
	free(u->rows);
	free(u->detail_id);
}

const struct screen_class screen_incidents_class = {
    .name = "incidents",
    .title = "Incidents",
    .tab = "Inc",
    .key = '9',
    .size = sizeof(struct screen_incidents),
    .bindings = ic_bindings,
    .init = ic_init,
    .destroy = ic_destroy,
    .fetch = ic_fetch,
    .draw = ic_draw,
    .back = ic_back,
    .filter_changed = ic_filter_changed,
    .nav = ic_nav,
    .where = ic_where,
};
