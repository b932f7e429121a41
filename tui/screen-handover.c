/*
 * The Handover screen (issue 17): what GET /api/v1/handover says, in the
 * order an operator needs it.  A signed note waiting for this operator
 * (signed by someone else) comes first, with the outgoing operator's words
 * and its sections: a acknowledges it as the incoming operator.  Else the
 * hub's draft of the shift that ended (built at the shift's end), or the
 * note of the shift under way: s signs it with a free-text note.  The
 * console opens on this screen when a note waits at start-up
 * (app-handover.c).
 */
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

struct screen_handover {
	struct screen base;
	json_t *root;   /* the last answer of GET /api/v1/handover */
	json_t *record; /* the waiting note with its content, or NULL */
	char *waiting;  /* its id (owned), or NULL */
	int inflight;
	int top; /* scroll */
};

static struct screen_handover *
ho(struct screen *s)
{
	return (struct screen_handover *)s;
}

static const char *
ho_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "";
}

/* The first pending note someone else signed (NULL: none). */
static json_t *
ho_waiting(struct screen_handover *h)
{
	const char *me = h->base.app->who.user;
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(h->root, "pending"), i, p)
	{
		if (me == NULL || strcmp(ho_str(p, "signed_by"), me) != 0)
			return p;
	}
	return NULL;
}

static void
ho_record_done(struct screen *s, struct api_result *res)
{
	struct screen_handover *h = ho(s);

	h->inflight = 0;
	if (res->error != NULL)
		return;
	json_decref(h->record);
	h->record = json_incref(json_object_get(res->body, "record"));
	if (json_is_null(h->record)) {
		json_decref(h->record);
		h->record = NULL;
	}
}

static void
ho_done(struct screen *s, struct api_result *res)
{
	struct screen_handover *h = ho(s);
	json_t *w;
	char *path, *id;

	h->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "handover: %s", res->error);
		return;
	}
	json_decref(h->root);
	h->root = json_incref(res->body);
	w = ho_waiting(h);
	if (w == NULL) {
		free(h->waiting);
		h->waiting = NULL;
		json_decref(h->record);
		h->record = NULL;
		return;
	}
	if (h->waiting == NULL || strcmp(h->waiting, ho_str(w, "id")) != 0) {
		free(h->waiting);
		h->waiting = xstrdup(ho_str(w, "id"));
		json_decref(h->record);
		h->record = NULL;
	}
	if (h->record == NULL) {
		h->inflight = 1;
		id = api_escape(h->waiting);
		path = xasprintf("/api/v1/handover?id=%s", id);
		app_fetch(s->app, s, path, ho_record_done);
		free(path);
		free(id);
	}
}

static void
ho_fetch(struct screen *s)
{
	struct screen_handover *h = ho(s);

	if (h->inflight)
		return;
	h->inflight = 1;
	app_fetch(s->app, s, "/api/v1/handover", ho_done);
}

/* ---- Drawing ------------------------------------------------------------ */

struct ho_pen {
	WINDOW *w;
	int y, rows, top, cols;
};

static void
ho_line(struct ho_pen *p, attr_t a, const char *text)
{
	if (p->y - p->top >= 0 && p->y - p->top < p->rows)
		term_put(
		    p->w, p->y - p->top, 1, p->cols - 2, text, TEXT_LEFT, a);
	p->y++;
}

static void
ho_span(struct buf *b, json_t *sp)
{
	char f[32], t[32];

	su_time(
	    json_integer_value(json_object_get(sp, "from_ms")), f, sizeof f);
	su_time(json_integer_value(json_object_get(sp, "to_ms")), t, sizeof t);
	buf_printf(b, "%s %s - %s%s%s",
	    *ho_str(sp, "name") ? ho_str(sp, "name") : "(no shift)", f, t,
	    *ho_str(sp, "tz") ? " " : "", ho_str(sp, "tz"));
}

/* One list of a note: a title with its count, then a line per item. */
static void
ho_list(struct ho_pen *p, json_t *note, const char *key, const char *title)
{
	json_t *list = json_object_get(note, key), *x;
	struct buf b = BUF_INIT;
	char t[32];
	size_t i;

	buf_printf(&b, "%s (%zu)", title, json_array_size(list));
	ho_line(p, term_attr(TERM_TITLE) | A_BOLD, buf_str(&b));
	json_array_foreach(list, i, x)
	{
		b.len = 0;
		if (strcmp(key, "silences_ending") == 0) {
			su_time(
			    json_integer_value(json_object_get(x, "end_ms")), t,
			    sizeof t);
			buf_printf(&b, "  %s until %s  %s  %s", ho_str(x, "id"),
			    t, ho_str(x, "author"), ho_str(x, "reason"));
			ho_line(p, A_NORMAL, buf_str(&b));
			continue;
		}
		if (strncmp(key, "incidents_", 10) == 0) {
			buf_printf(&b, "  %-8s %-10s lead %s", ho_str(x, "id"),
			    ho_str(x, "state"),
			    *ho_str(x, "lead") ? ho_str(x, "lead") : "-");
			if (json_is_integer(
			        json_object_get(x, "deadline_ms"))) {
				su_time(json_integer_value(
				            json_object_get(x, "deadline_ms")),
				    t, sizeof t);
				buf_printf(&b, "  deadline %s", t);
			}
			buf_printf(&b, "  %s  %s",
			    *ho_str(x, "place") ? ho_str(x, "place")
			                        : ho_str(x, "code"),
			    ho_str(x, "title"));
			ho_line(p, A_NORMAL, buf_str(&b));
			continue;
		}
		buf_printf(&b, "  %-8s %-6s %-12s %s  %s", ho_str(x, "id"),
		    ho_str(x, "severity"), ho_str(x, "state"),
		    *ho_str(x, "place") ? ho_str(x, "place")
		                        : ho_str(x, "code"),
		    ho_str(x, "message"));
		if (json_is_string(json_object_get(x, "held_by")))
			buf_printf(&b, "  held by %s", ho_str(x, "held_by"));
		if (json_is_string(json_object_get(x, "dept")))
			buf_printf(&b, "  dept %s", ho_str(x, "dept"));
		if (json_is_integer(json_object_get(x, "expires_ms"))) {
			su_time(json_integer_value(
			            json_object_get(x, "expires_ms")),
			    t, sizeof t);
			buf_printf(&b, "  ack expires %s", t);
		}
		if (json_is_integer(json_object_get(x, "deadline_ms"))) {
			su_time(json_integer_value(
			            json_object_get(x, "deadline_ms")),
			    t, sizeof t);
			buf_printf(&b, "  deadline was %s", t);
		}
		ho_line(p, A_NORMAL, buf_str(&b));
	}
	buf_free(&b);
}

/* The sections of a note (its content). */
static void
ho_note(struct ho_pen *p, json_t *note)
{
	json_t *q = json_object_get(note, "quality");
	struct buf b = BUF_INIT;

	buf_puts(&b, "Shift ");
	ho_span(&b, json_object_get(note, "shift"));
	buf_puts(&b, "   next ");
	ho_span(&b, json_object_get(note, "next"));
	ho_line(p, A_NORMAL, buf_str(&b));
	ho_list(p, note, "fired", "Fired during the shift");
	ho_list(p, note, "open", "Still open, and who holds it");
	ho_list(p, note, "acks_expiring",
	    "Acks expiring before the next "
	    "shift ends");
	ho_list(p, note, "overdue", "Overdue dispatches");
	ho_list(p, note, "silences_ending",
	    "Silences ending during the "
	    "next shift");
	ho_list(p, note, "incidents_open", "Open incidents");
	ho_list(p, note, "incidents_new", "Incidents opened during the shift");
	if (q != NULL) {
		b.len = 0;
		buf_printf(&b, "Data quality: %zu system(s) with problems%s%s",
		    json_array_size(json_object_get(q, "problems")),
		    json_is_string(json_object_get(q, "error")) ? ": " : "",
		    ho_str(q, "error"));
		ho_line(p, term_attr(TERM_TITLE) | A_BOLD, buf_str(&b));
	}
	buf_free(&b);
}

static void
ho_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_handover *h = ho(s);
	struct ho_pen p = {w, 0, rows, h->top, cols};
	json_t *d = json_object_get(h->root, "draft");
	json_t *last = json_object_get(h->root, "last");
	struct buf b = BUF_INIT;
	char t[32];

	if (!s->fetched || h->root == NULL) {
		term_put(w, 1, 2, cols - 4, "Loading the handover ...",
		    TEXT_LEFT, A_BOLD);
		return;
	}
	if (json_is_object(last)) {
		su_time(json_integer_value(json_object_get(last, "acked_ms")),
		    t, sizeof t);
		buf_printf(&b,
		    "Last: %s signed by %s, acknowledged by %s at %s",
		    ho_str(last, "id"), ho_str(last, "signed_by"),
		    ho_str(last, "acked_by"), t);
		ho_line(&p, term_attr(TERM_DIM), buf_str(&b));
	}
	if (h->waiting != NULL) {
		json_t *r = h->record;

		b.len = 0;
		su_time(json_integer_value(json_object_get(r, "signed_ms")), t,
		    sizeof t);
		buf_printf(&b,
		    "Handover %s from %s, signed %s: waiting for you "
		    "(a acknowledges it)",
		    h->waiting, r != NULL ? ho_str(r, "signed_by") : "?", t);
		ho_line(&p, term_attr(TERM_WARN) | A_BOLD, buf_str(&b));
		if (r == NULL) {
			ho_line(&p, A_NORMAL, "loading the note ...");
			buf_free(&b);
			return;
		}
		b.len = 0;
		buf_printf(&b, "Note: \"%s\"", ho_str(r, "note"));
		ho_line(&p, A_BOLD, buf_str(&b));
		ho_note(&p, json_object_get(r, "content"));
	} else if (json_is_object(d) &&
	           json_is_null(json_object_get(d, "signed_as"))) {
		b.len = 0;
		buf_printf(&b,
		    "Draft %s of the shift that ended, built by the hub%s: "
		    "s signs it with your note",
		    ho_str(d, "id"),
		    json_is_true(json_object_get(d, "late"))
		        ? " late (it was down at the shift's end)"
		        : "");
		ho_line(&p, term_attr(TERM_WARN) | A_BOLD, buf_str(&b));
		ho_note(&p, json_object_get(d, "content"));
	} else {
		b.len = 0;
		buf_puts(&b, "The shift under way, as it stands now: s signs "
		             "it with your note");
		if (json_is_object(d))
			buf_printf(&b, "   (draft %s signed as %s)",
			    ho_str(d, "id"), ho_str(d, "signed_as"));
		ho_line(&p, A_BOLD, buf_str(&b));
		ho_note(&p, h->root);
	}
	buf_free(&b);
}

static void
ho_where(struct screen *s, struct buf *b)
{
	struct screen_handover *h = ho(s);

	if (h->waiting != NULL)
		buf_printf(b, "handover %s waiting", h->waiting);
	else
		buf_puts(b, "shift handover");
}

static int
ho_nav(struct screen *s, int key)
{
	struct screen_handover *h = ho(s);

	if (key == KEY_DOWN || key == 'j' || key == KEY_NPAGE)
		h->top += key == KEY_NPAGE ? 10 : 1;
	else if ((key == KEY_UP || key == 'k' || key == KEY_PPAGE) &&
	         h->top > 0)
		h->top -= key == KEY_PPAGE && h->top >= 10 ? 10 : 1;
	else if (key == KEY_HOME)
		h->top = 0;
	else
		return 0;
	return 1;
}

/* ---- Keys --------------------------------------------------------------- */

/* The sign prompt's answer; arg: the draft's id (owned) or NULL. */
static void
ho_sign_done(struct app *app, const char *text, void *arg)
{
	char *draft = arg;
	json_t *body;

	if (text == NULL || *text == '\0') {
		if (text != NULL)
			app_message(app, 1, "sign: the note needs your words");
		free(draft);
		return;
	}
	body = json_pack("{s:s}", "note", text);
	if (draft != NULL)
		json_object_set_new(body, "draft", json_string(draft));
	app_action(app, "POST", "/api/v1/handover", body,
	    draft != NULL ? "sign the handover draft" : "sign the handover");
	json_decref(body);
	free(draft);
}

static void
ho_sign(struct app *app, struct screen *s)
{
	struct screen_handover *h = ho(s);
	json_t *d = json_object_get(h->root, "draft");
	const char *id =
	    json_is_object(d) && json_is_null(json_object_get(d, "signed_as"))
	        ? ho_str(d, "id")
	        : NULL;

	if (h->root == NULL)
		return;
	app_prompt(app,
	    id != NULL ? "Sign the draft: your note for the next shift: "
	               : "Sign the handover: your note for the next shift: ",
	    NULL, ho_sign_done, id != NULL ? xstrdup(id) : NULL);
}

static void
ho_ack_done(struct app *app, const char *text, void *arg)
{
	char *id = arg, *esc, *path, *what;
	json_t *body;

	if (text == NULL) {
		free(id);
		return;
	}
	body = json_object();
	if (*text != '\0')
		json_object_set_new(body, "comment", json_string(text));
	esc = api_escape(id);
	path = xasprintf("/api/v1/handover/%s/ack", esc);
	what = xasprintf("acknowledge handover %s", id);
	app_action(app, "POST", path, body, what);
	json_decref(body);
	free(esc);
	free(path);
	free(what);
	free(id);
}

static void
ho_ack(struct app *app, struct screen *s)
{
	struct screen_handover *h = ho(s);
	char *label;

	if (h->waiting == NULL) {
		app_message(app, 1, "no handover note waits for you");
		return;
	}
	label = xasprintf("Acknowledge %s as the incoming operator "
	                  "(comment, optional): ",
	    h->waiting);
	app_prompt(app, label, NULL, ho_ack_done, xstrdup(h->waiting));
	free(label);
}

static const struct binding ho_bindings[] = {
    {.key = 's',
        .key2 = KEY_F(6),
        .keys = "s F6",
        .help = "sign the note (the draft, else the shift's) with your words",
        .fkey = 6,
        .bar = "Sign",
        .fn = ho_sign},
    {.key = 'a',
        .key2 = KEY_F(7),
        .keys = "a F7",
        .help = "acknowledge the waiting note as the incoming operator",
        .fkey = 7,
        .bar = "Ack",
        .fn = ho_ack},
    {.key = 0},
};

static void
ho_destroy(struct screen *s)
{
	struct screen_handover *h = ho(s);

	json_decref(h->root);
	json_decref(h->record);
	free(h->waiting);
}

const struct screen_class screen_handover_class = {
    .name = "handover",
    .title = "Handover",
    .tab = "Hand",
    .key = ' ',
    .size = sizeof(struct screen_handover),
    .bindings = ho_bindings,
    .destroy = ho_destroy,
    .fetch = ho_fetch,
    .draw = ho_draw,
    .nav = ho_nav,
    .where = ho_where,
};
