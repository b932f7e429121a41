/* One alert's full record for the Alerts screen's history view: what it
 * is, where, who it is dispatched and assigned to, the acknowledgement,
 * the grid workers' reports, and every change with who made it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/alert-detail.h"
#include "tui/api.h"
#include "tui/app.h"
#include "tui/screen.h"
#include "tui/screen-util.h"
#include "tui/term.h"

/* The grid worker it is assigned to and the workers' reports (accept,
 * arrive, progress, handled) with time and text, and each report's photo
 * with the command that fetches it, as lines. */
static void
alert_detail_reports(const struct model_alert_detail *d, struct buf *lines)
{
	const char *assignee = NULL, *by = NULL;
	json_t *photo;
	char t[32];
	size_t i, n = 0;

	for (i = 0; i < d->nhistory; i++) {
		const struct model_history *h = &d->history[i];

		if (h->action == NULL)
			continue;
		if (strcmp(h->action, "assign") == 0) {
			assignee = json_string_value(
			    json_object_get(h->after, "worker"));
			by = h->who;
		} else if (strncmp(h->action, "worker.", 7) == 0)
			n++;
	}
	if (assignee != NULL)
		buf_printf(lines, "worker   %s (assigned by %s)\n", assignee,
		    by != NULL ? by : "?");
	if (n == 0)
		return;
	buf_printf(lines, "\001Field reports (%zu)\n", n);
	for (i = 0; i < d->nhistory; i++) {
		const struct model_history *h = &d->history[i];

		if (h->action == NULL || strncmp(h->action, "worker.", 7) != 0)
			continue;
		su_time(h->at_ms, t, sizeof t);
		buf_printf(lines, "%s  %-10s %-8s %s\n", t,
		    h->who ? h->who : "?", h->action + 7,
		    h->comment ? h->comment : "");
		photo = json_object_get(h->after, "photo");
		if (json_is_object(photo))
			buf_printf(lines,
			    "%*s photo %lld (%lld KB) citybrain alert %s "
			    "--photo %lld -o FILE\n",
			    (int)strlen(t) + 1, "",
			    (long long)json_integer_value(
			        json_object_get(photo, "n")),
			    (long long)(json_integer_value(
			                    json_object_get(photo, "bytes")) +
			                1023) /
			        1024,
			    d->alert.id,
			    (long long)json_integer_value(
			        json_object_get(photo, "n")));
	}
}

void
alert_detail_draw(const struct model_alert_detail *d, const char *id, int top,
    WINDOW *w, int rows, int cols)
{
	const struct model_alert *x = &d->alert;
	struct buf b = BUF_INIT, lines = BUF_INIT;
	char t[32];
	size_t i;
	int y = 0, row = 0;
	const char *p, *nl;

	if (d->root == NULL) {
		term_printf(w, 1, 2, cols - 4, A_BOLD, "Loading %s ...", id);
		return;
	}
	/* Build the lines, then show them from detail_top. */
	buf_printf(&lines, "\001%s  %s  %s  %s\n", x->id,
	    model_sev_short(x->sev), x->state, x->rule ? x->rule : "");
	buf_printf(&lines, "place    %s (%s)\n", model_alert_place(x),
	    x->code ? x->code : "");
	buf_printf(&lines, "message  %s\n", model_alert_message(x));
	if (x->incident != NULL)
		buf_printf(&lines,
		    "incident %s (one situation with others: screen 9)\n",
		    x->incident);
	if (x->inhibited_by != NULL)
		buf_printf(&lines,
		    "held     inhibited by %s (quiet until it ends)\n",
		    x->inhibited_by);
	su_time(x->started_ms, t, sizeof t);
	buf_printf(&lines, "started  %s", t);
	su_time(x->deadline_ms, t, sizeof t);
	buf_printf(
	    &lines, "   deadline %s%s", t, x->overdue ? "  OVERDUE" : "");
	if (x->escalation_step > 0)
		buf_printf(&lines, "  ESCALATED step %u to %s",
		    x->escalation_step,
		    x->escalated_to != NULL ? x->escalated_to : "?");
	else if (x->escalated)
		buf_puts(&lines, "  ESCALATED");
	buf_putc(&lines, '\n');
	buf_printf(&lines, "dept     %s\n", x->dept ? x->dept : "-");
	for (i = 0; i < d->ndepts; i++) {
		const struct model_dept_part *dp = &d->depts[i];

		buf_printf(&lines, "  %-8s %-7s %-12s %s %s\n",
		    dp->dept ? dp->dept : "?", dp->role ? dp->role : "",
		    dp->state ? dp->state : "", dp->by ? dp->by : "",
		    dp->report ? dp->report : "");
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
	alert_detail_reports(d, &lines);
	buf_printf(&lines, "\001History (%zu)\n", d->nhistory);
	for (i = 0; i < d->nhistory; i++) {
		const struct model_history *h = &d->history[i];

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
		if (row >= top) {
			char *line = xstrndup(p, (size_t)(nl - p));

			if (line[0] == '\001')
				term_put(w, y, 0, cols, line + 1, TEXT_LEFT,
				    A_BOLD | A_UNDERLINE);
			else
				term_put(
				    w, y, 0, cols, line, TEXT_LEFT, A_NORMAL);
			free(line);
			y++;
		}
		row++;
		p = *nl ? nl + 1 : nl;
	}
	buf_free(&b);
	buf_free(&lines);
}

int
alert_detail_scroll(int *top, int key)
{
	switch (key) {
	case KEY_DOWN:
	case 'j':
		(*top)++;
		return 1;
	case KEY_UP:
	case 'k':
		if (*top > 0)
			(*top)--;
		return 1;
	case KEY_NPAGE:
		*top += 10;
		return 1;
	case KEY_PPAGE:
		*top = *top > 10 ? *top - 10 : 0;
		return 1;
	}
	return 0;
}

void
alert_detail_open(struct alert_detail_view *v, const char *id)
{
	alert_detail_close(v);
	v->id = xstrdup(id);
}

void
alert_detail_close(struct alert_detail_view *v)
{
	free(v->id);
	v->id = NULL;
	v->top = 0;
	model_alert_detail_free(&v->detail);
}

void
alert_detail_fetch(struct alert_detail_view *v, struct screen *s,
    void (*fn)(struct screen *, struct api_result *))
{
	struct buf p = BUF_INIT;
	char *c;

	if (v->id == NULL || v->inflight)
		return;
	c = api_escape(v->id);
	buf_printf(&p, "/api/v1/alerts/%s", c);
	free(c);
	v->inflight = 1;
	app_fetch(s->app, s, buf_str(&p), fn);
	buf_free(&p);
}

void
alert_detail_done(
    struct alert_detail_view *v, struct screen *s, struct api_result *res)
{
	struct model_alert_detail n;
	char *cause = NULL;

	v->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "alert: %s", res->error);
		return;
	}
	if (v->id == NULL)
		return;
	if (model_alert_detail_decode(res->body, &n, &cause) != 0)
		free(cause);
	else if (n.alert.id != NULL && strcmp(n.alert.id, v->id) != 0)
		model_alert_detail_free(&n); /* of the history closed before */
	else {
		model_alert_detail_free(&v->detail);
		v->detail = n;
	}
	res->body = NULL;
}
