/* The Alerts screen: a sortable, filterable table with actions on the
 * selected or tagged alerts, and an alert's full history. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
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
	[AC_SEV] = { .title = "Sev", .width = 4 },
	[AC_AGE] = { .title = "Age", .width = 4, .align = TEXT_RIGHT },
	[AC_ID] = { .title = "Id", .width = 8 },
	[AC_PLACE] = { .title = "Place", .width = 10, .flex = 2 },
	[AC_MESSAGE] = { .title = "Message", .width = 12, .flex = 3 },
	[AC_DEPT] = { .title = "Dept", .width = 8, .min_cols = 100 },
	[AC_STATE] = { .title = "State", .width = 6 },
	[AC_ACK] = { .title = "Ack by", .width = 8 },
};

struct screen_alerts {
	struct screen		  base;
	struct model_alerts	  al;
	char			 *code; /* only alerts inside this code */
	int			  all;	/* include resolved and closed */
	int			  inflight;
	size_t			 *rows;
	size_t			  nrows;
	struct table		  tab;
	char			**tags;
	size_t			  ntags;
	/* History view of one alert. */
	char			 *detail_id;
	struct model_alert_detail detail;
	int			  detail_inflight;
	int			  detail_top;
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
		break;
	case AC_PLACE:
		buf_puts(b, x->place ? x->place : x->code ? x->code : "");
		break;
	case AC_MESSAGE:
		buf_puts(b, x->message ? x->message : x->rule ? x->rule : "");
		break;
	case AC_DEPT:
		buf_puts(b, x->dept ? x->dept : "");
		break;
	case AC_STATE:
		buf_puts(b, al_short_state(x->state));
		if (x->silenced)
			buf_puts(b, " (s)");
		if (x->escalated || x->overdue) {
			buf_puts(b, "!");
			*at = term_attr(TERM_BAD);
		}
		break;
	case AC_ACK:
		buf_puts(b, x->ack_by ? x->ack_by : "");
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
		c = a->started_ms < b->started_ms ? 1 :
		    a->started_ms > b->started_ms ? -1 :
						    0;
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
		c = a->started_ms < b->started_ms ? 1 :
		    a->started_ms > b->started_ms ? -1 :
						    0;
	if (c == 0)
		c = al_strcmp(a->id, b->id);
	return s->tab.sort_desc ? -c : c;
}

static int
al_match(const char *f, const struct model_alert *x)
{
	return su_match(f, x->id) || su_match(f, x->place) ||
	    su_match(f, x->message) || su_match(f, x->code) ||
	    su_match(f, x->dept) || su_match(f, x->state) ||
	    su_match(f, model_sev_name(x->sev)) || su_match(f, x->rule) ||
	    su_match(f, x->ack_by);
}

static void
al_rebuild(struct screen_alerts *a)
{
	size_t i;

	free(a->rows);
	a->rows = a->al.n ? xcalloc(a->al.n, sizeof *a->rows) : NULL;
	a->nrows = 0;
	for (i = 0; i < a->al.n; i++) {
		if (al_match(a->base.filter, &a->al.v[i]))
			a->rows[a->nrows++] = i;
	}
	if (a->nrows > 1)
		qsort_r(a->rows, a->nrows, sizeof *a->rows, al_cmp, a);
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
	al_rebuild(a);
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
		if (a->code != NULL)
			buf_printf(b, " in %s", a->code);
		if (a->all)
			buf_puts(b, " incl. ended");
		if (a->ntags)
			buf_printf(b, " tagged %zu", a->ntags);
	}
}

static void
al_detail_draw(struct screen_alerts *a, WINDOW *w, int rows, int cols)
{
	const struct model_alert *x = &a->detail.alert;
	struct buf b = BUF_INIT, lines = BUF_INIT;
	char t[32];
	size_t i;
	int y = 0, row = 0;
	const char *p, *nl;

	if (a->detail.root == NULL) {
		term_printf(w, 1, 2, cols - 4, A_BOLD, "Loading %s ...",
		    a->detail_id);
		return;
	}
	/* Build the lines, then show them from detail_top. */
	buf_printf(&lines, "\001%s  %s  %s  %s\n", x->id,
	    model_sev_short(x->sev), x->state, x->rule ? x->rule : "");
	buf_printf(&lines, "place    %s (%s)\n", x->place ? x->place : "",
	    x->code ? x->code : "");
	buf_printf(&lines, "message  %s\n", x->message ? x->message : "");
	su_time(x->started_ms, t, sizeof t);
	buf_printf(&lines, "started  %s", t);
	su_time(x->deadline_ms, t, sizeof t);
	buf_printf(&lines, "   deadline %s%s%s\n", t,
	    x->overdue ? "  OVERDUE" : "", x->escalated ? "  ESCALATED" : "");
	buf_printf(&lines, "dept     %s\n", x->dept ? x->dept : "-");
	for (i = 0; i < a->detail.ndepts; i++) {
		const struct model_dept_part *d = &a->detail.depts[i];

		buf_printf(&lines, "  %-8s %-7s %-12s %s %s\n",
		    d->dept ? d->dept : "?", d->role ? d->role : "",
		    d->state ? d->state : "", d->by ? d->by : "",
		    d->report ? d->report : "");
	}
	if (x->ack_by != NULL) {
		su_time(x->ack_at_ms, t, sizeof t);
		buf_printf(&lines, "ack      by %s (%s) at %s: %s", x->ack_by,
		    x->ack_via ? x->ack_via : "", t,
		    x->ack_comment ? x->ack_comment : "");
		if (x->ack_expires_ms) {
			su_time(x->ack_expires_ms, t, sizeof t);
			buf_printf(&lines, " (until %s)", t);
		}
		buf_putc(&lines, '\n');
	}
	buf_printf(&lines, "\001History (%zu)\n", a->detail.nhistory);
	for (i = 0; i < a->detail.nhistory; i++) {
		const struct model_history *h = &a->detail.history[i];

		su_time(h->at_ms, t, sizeof t);
		buf_reset(&b);
		model_json_diff(&b, h->before, h->after);
		buf_printf(&lines, "%s  %-10s %-8s %s", t,
		    h->who ? h->who : "?", h->action ? h->action : "?",
		    buf_str(&b));
		if (h->comment != NULL)
			buf_printf(&lines, "  \"%s\"", h->comment);
		if (h->via != NULL)
			buf_printf(&lines, "  [%s%s%s]", h->via,
			    h->from && *h->from ? " " : "",
			    h->from ? h->from : "");
		buf_putc(&lines, '\n');
	}
	p = buf_str(&lines);
	while (*p != '\0' && y < rows) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (row >= a->detail_top) {
			char *line = xstrndup(p, (size_t)(nl - p));

			if (line[0] == '\001')
				term_put(w, y, 0, cols, line + 1, TEXT_LEFT,
				    A_BOLD | A_UNDERLINE);
			else
				term_put(w, y, 0, cols, line, TEXT_LEFT,
				    A_NORMAL);
			free(line);
			y++;
		}
		row++;
		p = *nl ? nl + 1 : nl;
	}
	buf_free(&b);
	buf_free(&lines);
}

static void
al_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_alerts *a = al(s);

	if (a->detail_id != NULL) {
		al_detail_draw(a, w, rows, cols);
		return;
	}
	if (!s->fetched) {
		term_put(w, 1, 2, cols - 4, "Loading alerts ...", TEXT_LEFT,
		    A_BOLD);
		return;
	}
	if (a->nrows == 0) {
		table_draw(&a->tab, w, 0, 0, 1, cols);
		term_put(w, 2, 2, cols - 4,
		    a->al.n ? "no alert matches the filter" :
			      "no active alerts",
		    TEXT_LEFT, term_attr(TERM_GOOD));
		return;
	}
	table_draw(&a->tab, w, 0, 0, rows, cols);
}

/* ---- Actions ----------------------------------------------------------- */

/* The alerts an action applies to: the tagged ones, else the selected. */
struct al_action {
	struct screen_alerts *a;
	char		    **ids;
	size_t		      n;
	char		     *text1, *text2;
	char		     *rule, *label_key, *label_value; /* silence */
};

static struct al_action *
al_action_new(struct screen_alerts *a)
{
	struct al_action *c;
	size_t i;

	if (a->detail_id == NULL && a->nrows == 0 && a->ntags == 0) {
		app_message(a->base.app, 1, "no alert selected");
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->a = a;
	if (a->ntags > 0 && a->detail_id == NULL) {
		c->ids = xcalloc(a->ntags, sizeof *c->ids);
		for (i = 0; i < a->ntags; i++)
			c->ids[i] = xstrdup(a->tags[i]);
		c->n = a->ntags;
	} else {
		const struct model_alert *x = a->detail_id != NULL ?
		    &a->detail.alert :
		    &a->al.v[a->rows[a->tab.sel]];

		c->ids = xcalloc(1, sizeof *c->ids);
		c->ids[0] = xstrdup(a->detail_id ? a->detail_id : x->id);
		c->n = 1;
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

static void
al_action_free(struct al_action *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		free(c->ids[i]);
	free(c->ids);
	free(c->text1);
	free(c->text2);
	free(c->rule);
	free(c->label_key);
	free(c->label_value);
	free(c);
}

/* "A000123" or "3 alerts". */
static char *
al_action_what(const struct al_action *c)
{
	if (c->n == 1)
		return xstrdup(c->ids[0]);
	return xasprintf("%zu tagged alerts", c->n);
}

/* POST body to each alert's action route; frees body and c. */
static void
al_action_send(struct al_action *c, const char *action, const char *verb,
    json_t *body)
{
	struct app *app = c->a->base.app;
	size_t i;

	for (i = 0; i < c->n; i++) {
		char *id = api_escape(c->ids[i]);
		char *path = xasprintf("/api/v1/alerts/%s/%s", id, action);
		char *what = xasprintf("%s %s", verb, c->ids[i]);

		app_action(app, "POST", path, body, what);
		free(id);
		free(path);
		free(what);
	}
	json_decref(body);
	if (c->n > 1)
		al_tags_clear(c->a);
	al_action_free(c);
}

static void
al_ack_expiry(struct app *app, const char *text, void *arg)
{
	struct al_action *c = arg;
	json_t *body;
	int64_t ms;

	if (text == NULL) {
		al_action_free(c);
		return;
	}
	if (*text != '\0' && clock_parse_duration(text, &ms) != 0) {
		app_message(app, 1, "\"%s\": expected a duration like 2h", text);
		app_prompt(app, "Expires after (e.g. 30m, 2h; empty: never): ",
		    text, al_ack_expiry, c);
		return;
	}
	body = json_object();
	if (c->text1 != NULL && *c->text1 != '\0')
		json_object_set_new(body, "comment", json_string(c->text1));
	if (*text != '\0')
		json_object_set_new(body, "expires", json_string(text));
	al_action_send(c, "ack", "acknowledge", body);
}

static void
al_ack_comment(struct app *app, const char *text, void *arg)
{
	struct al_action *c = arg;

	if (text == NULL) {
		al_action_free(c);
		return;
	}
	c->text1 = xstrdup(text);
	app_prompt(app, "Expires after (e.g. 30m, 2h; empty: never): ", NULL,
	    al_ack_expiry, c);
}

static void
al_ack(struct app *app, struct screen *s)
{
	struct al_action *c = al_action_new(al(s));
	char *what, *label;

	if (c == NULL)
		return;
	what = al_action_what(c);
	label = xasprintf("Acknowledge %s - comment: ", what);
	app_prompt(app, label, NULL, al_ack_comment, c);
	free(label);
	free(what);
}

static void
al_unack_comment(struct app *app, const char *text, void *arg)
{
	struct al_action *c = arg;
	json_t *body;

	if (text == NULL) {
		al_action_free(c);
		return;
	}
	body = json_object();
	if (*text != '\0')
		json_object_set_new(body, "comment", json_string(text));
	al_action_send(c, "unack", "unacknowledge", body);
}

static void
al_unack_confirmed(struct app *app, int yes, void *arg)
{
	if (!yes) {
		al_action_free(arg);
		return;
	}
	app_prompt(app, "Unacknowledge - comment (optional): ", NULL,
	    al_unack_comment, arg);
}

static void
al_unack(struct app *app, struct screen *s)
{
	struct al_action *c = al_action_new(al(s));
	char *what, *q;

	if (c == NULL)
		return;
	what = al_action_what(c);
	q = xasprintf("Unacknowledge %s?", what);
	app_confirm(app, q, al_unack_confirmed, c);
	free(q);
	free(what);
}

static void
al_comment_text(struct app *app, const char *text, void *arg)
{
	struct al_action *c = arg;
	json_t *body;

	if (text == NULL || *text == '\0') {
		if (text != NULL)
			app_message(app, 1, "comment: nothing to send");
		al_action_free(c);
		return;
	}
	body = json_object();
	json_object_set_new(body, "comment", json_string(text));
	al_action_send(c, "comment", "comment on", body);
}

static void
al_comment(struct app *app, struct screen *s)
{
	struct al_action *c = al_action_new(al(s));

	if (c != NULL)
		app_prompt(app, "Comment: ", NULL, al_comment_text, c);
}

static void
al_dispatch_deadline(struct app *app, const char *text, void *arg)
{
	struct al_action *c = arg;
	json_t *body, *support;
	char *depts, *tok, *save = NULL;
	int64_t ms;
	int first = 1;

	if (text == NULL) {
		al_action_free(c);
		return;
	}
	if (*text != '\0' && clock_parse_duration(text, &ms) != 0) {
		app_message(app, 1, "\"%s\": expected a duration like 72h", text);
		app_prompt(app, "Deadline (e.g. 72h; empty: the rule's): ", text,
		    al_dispatch_deadline, c);
		return;
	}
	body = json_object();
	support = json_array();
	depts = xstrdup(c->text1);
	for (tok = strtok_r(depts, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (first)
			json_object_set_new(body, "dept", json_string(tok));
		else
			json_array_append_new(support, json_string(tok));
		first = 0;
	}
	free(depts);
	if (json_array_size(support) > 0)
		json_object_set_new(body, "support", support);
	else
		json_decref(support);
	if (*text != '\0')
		json_object_set_new(body, "deadline", json_string(text));
	al_action_send(c, "dispatch", "dispatch", body);
}

static void
al_dispatch_dept(struct app *app, const char *text, void *arg)
{
	struct al_action *c = arg;

	if (text == NULL || strspn(text, ", ") == strlen(text)) {
		if (text != NULL)
			app_message(app, 1, "dispatch: which department?");
		al_action_free(c);
		return;
	}
	c->text1 = xstrdup(text);
	app_prompt(app, "Deadline (e.g. 72h; empty: the rule's): ", NULL,
	    al_dispatch_deadline, c);
}

static void
al_dispatch(struct app *app, struct screen *s)
{
	struct al_action *c = al_action_new(al(s));

	if (c != NULL)
		app_prompt(app,
		    "Dispatch to department (lead, then supporting ones): ",
		    NULL, al_dispatch_dept, c);
}

static void
al_close_reason(struct app *app, const char *text, void *arg)
{
	struct al_action *c = arg;
	json_t *body;

	if (text == NULL || *text == '\0') {
		if (text != NULL)
			app_message(app, 1, "close: a reason is required");
		al_action_free(c);
		return;
	}
	body = json_object();
	json_object_set_new(body, "reason", json_string(text));
	al_action_send(c, "close", "close", body);
}

static void
al_close_confirmed(struct app *app, int yes, void *arg)
{
	if (!yes) {
		al_action_free(arg);
		return;
	}
	app_prompt(app, "Reason for closing (required): ", NULL,
	    al_close_reason, arg);
}

static void
al_close(struct app *app, struct screen *s)
{
	struct al_action *c = al_action_new(al(s));
	char *what, *q;

	if (c == NULL)
		return;
	what = al_action_what(c);
	q = xasprintf("Close %s by hand? It leaves the active list.", what);
	app_confirm(app, q, al_close_confirmed, c);
	free(q);
	free(what);
}

static void
al_severity_text(struct app *app, const char *text, void *arg)
{
	struct al_action *c = arg;
	json_t *body;

	if (text == NULL) {
		al_action_free(c);
		return;
	}
	if (strcmp(text, "high") != 0 && strcmp(text, "medium") != 0 &&
	    strcmp(text, "low") != 0 && strcmp(text, "info") != 0) {
		app_message(app, 1, "severity: high, medium, low or info");
		al_action_free(c);
		return;
	}
	body = json_object();
	json_object_set_new(body, "severity", json_string(text));
	al_action_send(c, "severity", "set severity of", body);
}

static void
al_severity(struct app *app, struct screen *s)
{
	struct al_action *c = al_action_new(al(s));

	if (c != NULL)
		app_prompt(app, "New severity (high, medium, low, info): ", NULL,
		    al_severity_text, c);
}

static void
al_silence_confirmed(struct app *app, int yes, void *arg)
{
	struct al_action *c = arg;
	json_t *body, *m, *one;

	if (!yes) {
		al_action_free(c);
		return;
	}
	body = json_object();
	m = json_array();
	if (c->rule != NULL) {
		one = json_object();
		json_object_set_new(one, "tag", json_string("rule"));
		json_object_set_new(one, "op", json_string("="));
		json_object_set_new(one, "value", json_string(c->rule));
		json_array_append_new(m, one);
	}
	if (c->label_key != NULL) {
		one = json_object();
		json_object_set_new(one, "tag", json_string(c->label_key));
		json_object_set_new(one, "op", json_string("="));
		json_object_set_new(one, "value", json_string(c->label_value));
		json_array_append_new(m, one);
	}
	json_object_set_new(body, "matchers", m);
	json_object_set_new(body, "duration", json_string(c->text1));
	json_object_set_new(body, "reason", json_string(c->text2));
	app_action(app, "POST", "/api/v1/silences", body, "silence");
	json_decref(body);
	al_action_free(c);
}

static void
al_silence_reason(struct app *app, const char *text, void *arg)
{
	struct al_action *c = arg;
	char *q;

	if (text == NULL || *text == '\0') {
		if (text != NULL)
			app_message(app, 1, "silence: a reason is required");
		al_action_free(c);
		return;
	}
	c->text2 = xstrdup(text);
	q = xasprintf("Silence %s%s%s%s%s%s for %s?",
	    c->rule ? "rule " : "", c->rule ? c->rule : "",
	    c->label_key ? " where " : "", c->label_key ? c->label_key : "",
	    c->label_key ? "=" : "", c->label_value ? c->label_value : "",
	    c->text1);
	app_confirm(app, q, al_silence_confirmed, c);
	free(q);
}

static void
al_silence_duration(struct app *app, const char *text, void *arg)
{
	struct al_action *c = arg;
	int64_t ms;

	if (text == NULL) {
		al_action_free(c);
		return;
	}
	if (clock_parse_duration(text, &ms) != 0) {
		app_message(app, 1, "\"%s\": expected a duration like 2h", text);
		app_prompt(app, "Silence for (e.g. 2h): ", text,
		    al_silence_duration, c);
		return;
	}
	c->text1 = xstrdup(text);
	app_prompt(app, "Reason for the silence (required): ", NULL,
	    al_silence_reason, c);
}

static void
al_silence(struct app *app, struct screen *s)
{
	struct al_action *c = al_action_new(al(s));

	if (c == NULL)
		return;
	if (c->n != 1 || (c->rule == NULL && c->label_key == NULL)) {
		app_message(app, 1, "silence: select one alert with a rule "
				    "or a place");
		al_action_free(c);
		return;
	}
	app_prompt(app, "Silence for (e.g. 2h): ", NULL, al_silence_duration,
	    c);
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
	app_message(a->base.app, 0, "sorted by %s", al_cols[a->tab.sort_col].title);
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
	app_message(app, 0, a->all ? "showing ended alerts too" :
				     "showing active alerts");
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
			a->detail_top = a->detail_top > 10 ? a->detail_top - 10 :
							      0;
			return 1;
		}
		return 0;
	}
	if (key == KEY_ENTER) {
		if (a->nrows == 0)
			return 1;
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
	{ .key = KEY_ENTER, .keys = "Enter",
	    .help = "the alert's full history (Esc returns)" },
	{ .key = ' ', .keys = "Space", .help = "tag / untag (actions apply "
					       "to all tagged)",
	    .fn = al_tag },
	{ .key = 'T', .keys = "T", .help = "untag all", .fn = al_untag },
	{ .key = 'a', .key2 = KEY_F(7), .keys = "a F7",
	    .help = "acknowledge (comment, optional expiry)", .fkey = 7,
	    .bar = "Ack", .fn = al_ack },
	{ .key = 'U', .keys = "U", .help = "unacknowledge (confirms)",
	    .fn = al_unack },
	{ .key = 'c', .keys = "c", .help = "comment", .fn = al_comment },
	{ .key = 'd', .keys = "d",
	    .help = "dispatch to departments (lead, supporting)",
	    .fn = al_dispatch },
	{ .key = 'v', .keys = "v", .help = "change severity",
	    .fn = al_severity },
	{ .key = 'x', .key2 = KEY_F(8), .keys = "x F8",
	    .help = "close by hand (confirms, asks a reason)", .fkey = 8,
	    .bar = "Close", .fn = al_close },
	{ .key = 's', .keys = "s",
	    .help = "silence this rule in this place (confirms)",
	    .fn = al_silence },
	{ .key = '>', .key2 = KEY_F(6), .keys = "> F6",
	    .help = "sort by the next column", .fkey = 6, .bar = "Sort",
	    .fn = al_sort_next },
	{ .key = '<', .keys = "<", .help = "sort by the previous column",
	    .fn = al_sort_prev },
	{ .key = 'I', .keys = "I", .help = "invert the sort order",
	    .fn = al_invert },
	{ .key = 'e', .keys = "e", .help = "show ended (resolved, closed) "
					   "alerts too",
	    .fn = al_toggle_all },
	{ .key = 'g', .keys = "g", .help = "open the alert's grid",
	    .fn = al_grid },
	{ .key = 0 },
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

	table_init(&a->tab, al_cols, AC_NCOLS, al_cell, a);
	a->tab.tagged = al_tagged_cb;
	a->tab.sort_col = AC_SEV;
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
	al_tags_clear(a);
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
