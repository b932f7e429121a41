/* Desks in the console and its script forms (see desk.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/api.h"
#include "tui/app.h"
#include "tui/desk.h"
#include "tui/model.h"
#include "tui/text.h"

static const char *
desk_str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && *s != '\0' ? s : dflt;
}

const char *
desk_label(json_t *d)
{
	return model_label(desk_str(d, "name", NULL),
	    desk_str(d, "name_en", NULL), desk_str(d, "id", "?"));
}

/* ---- The console on a desk ---------------------------------------------- */

static void
app_desk_beat_done(void *arg, struct api_result *res)
{
	struct app *app = arg;

	if (res->status == 404 && app->desk != NULL) {
		app_message(app, 1, "desk %s: %s", app->desk,
		    res->error != NULL ? res->error : "no such desk");
		free(app->desk);
		app->desk = NULL;
		return;
	}
	if (res->error != NULL && res->status != 0 && res->status != -1)
		app_message(app, 1, "desk: %s", res->error);
}

static void
app_desk_path(const char *id, char *out, size_t len)
{
	snprintf(out, len, "/api/v1/desks/%s/duty", id);
}

void
app_desk_set(struct app *app, const char *id)
{
	char path[128];

	if (app->desk != NULL) {
		app_desk_path(app->desk, path, sizeof path);
		api_start(app->api, "DELETE", path, NULL, NULL, NULL);
		free(app->desk);
		app->desk = NULL;
	}
	if (id == NULL || *id == '\0')
		return;
	app->desk = xstrdup(id);
	app->desk_next_ms = 0;
	app_desk_tick(app);
}

void
app_desk_tick(struct app *app)
{
	int64_t now = clock_mono_ms();
	char path[128];

	if (app->desk == NULL || now < app->desk_next_ms)
		return;
	app->desk_next_ms = now + DESK_BEAT_MS;
	app_desk_path(app->desk, path, sizeof path);
	api_start(app->api, "POST", path, NULL, app_desk_beat_done, app);
}

void
app_desk_leave(struct app *app)
{
	struct api_result res;
	char path[128];

	if (app->desk == NULL)
		return;
	/* Not when the hub is gone: quitting must not wait for it (the
	 * desk lapses by itself after 90 s). */
	if (app->link_ok) {
		app_desk_path(app->desk, path, sizeof path);
		(void)api_request(app->api, "DELETE", path, NULL, &res);
		api_result_free(&res);
	}
	free(app->desk);
	app->desk = NULL;
}

/* ---- The overview's line --------------------------------------------------
 */

size_t
desk_line(json_t *overview, struct buf *b)
{
	json_t *desks = json_object_get(overview, "desks"), *d, *p;
	size_t i, j, n = 0;

	buf_reset(b);
	if (json_array_size(desks) == 0)
		return 0;
	buf_puts(b, "desks");
	json_array_foreach(desks, i, d)
	{
		buf_printf(b, "  %s: ", desk_label(d));
		json_array_foreach(json_object_get(d, "on_duty"), j, p)
		    buf_printf(
		        b, "%s%s", j > 0 ? "," : "", desk_str(p, "user", "?"));
		if (json_array_size(json_object_get(d, "on_duty")) == 0)
			buf_puts(b, "-");
		buf_printf(b, " (%lld)",
		    (long long)json_integer_value(
		        json_object_get(json_object_get(d, "queue"), "total")));
		n++;
	}
	return n;
}

/* ---- Script forms -----------------------------------------------------------
 */

static int
desk_get(struct api *api, const char *path, int json, FILE *out,
    struct api_result *res)
{
	if (api_request(api, "GET", path, NULL, res) != 0) {
		fprintf(stderr, "citybrain: %s: %s\n", path, res->error);
		return res->status == 404 ? 2 : 1;
	}
	if (json) {
		json_dumpf(res->body, out, JSON_INDENT(2));
		fputc('\n', out);
	}
	return 0;
}

int
cli_desks(struct api *api, int json, FILE *out)
{
	struct api_result res;
	struct buf b = BUF_INIT;
	json_t *d, *p;
	size_t i, j;
	int rc;

	if ((rc = desk_get(api, "/api/v1/desks", json, out, &res)) != 0 || json)
		goto done;
	fprintf(out, "%-12s %-20s %6s %5s  %s\n", "DESK", "NAME", "QUEUE",
	    "HIGH", "ON DUTY");
	json_array_foreach(json_object_get(res.body, "desks"), i, d)
	{
		buf_reset(&b);
		json_array_foreach(json_object_get(d, "on_duty"), j, p)
		{
			buf_printf(&b, "%s%s", j > 0 ? ", " : "",
			    desk_str(p, "user", "?"));
			if (json_object_get(p, "dept") != NULL)
				buf_printf(
				    &b, " (%s)", desk_str(p, "dept", ""));
		}
		{
			char *on = xstrdup(b.len > 0 ? buf_str(&b) : "-");

			buf_reset(&b);
			text_fit(&b, on, 60, TEXT_LEFT);
			free(on);
		}
		{
			struct buf name = BUF_INIT;

			text_fit(&name, desk_label(d), 20, TEXT_LEFT);
			fprintf(out, "%-12s %s %6lld %5lld  %s\n",
			    desk_str(d, "id", "?"), buf_str(&name),
			    (long long)json_integer_value(json_object_get(
			        json_object_get(d, "queue"), "total")),
			    (long long)json_integer_value(json_object_get(
			        json_object_get(d, "queue"), "high")),
			    buf_str(&b));
			buf_free(&name);
		}
	}
done:
	buf_free(&b);
	api_result_free(&res);
	return rc;
}

/* The columns a desk may show (hub/alerts/desk-config.c): the alert's
 * member shown (NULL: made here) and the width. */
static const struct desk_col {
	const char *col, *key;
	int width;
} desk_cols[] = {{"id", "id", 8}, {"severity", "severity", 7},
    {"state", "state", 12}, {"place", "place", 28}, {"message", "message", 40},
    {"dept", "dept", 14}, {"depts", NULL, 24}, {"age", NULL, 6},
    {"category", NULL, 16}, {"source", "source", 6},
    {"escalation", "escalated_to", 16}, {"deadline", NULL, 11},
    {"rule", "rule", 18}, {NULL, NULL, 0}};

static const struct desk_col *
desk_col_find(const char *col)
{
	const struct desk_col *c;

	for (c = desk_cols; col != NULL && c->col != NULL; c++) {
		if (strcmp(c->col, col) == 0)
			return c;
	}
	return NULL;
}

int
desk_col_width(const char *col)
{
	const struct desk_col *c = desk_col_find(col);

	return c != NULL ? c->width : 0;
}

void
desk_cell_text(json_t *a, const char *col, struct buf *b)
{
	const struct desk_col *c = desk_col_find(col);
	char t[32];
	const char *s = "-";
	json_t *d;
	size_t j;
	struct buf tmp = BUF_INIT;

	if (c == NULL)
		return;
	if (c->key != NULL)
		s = desk_str(a, c->key, "-");
	else if (strcmp(c->col, "depts") == 0) {
		json_array_foreach(json_object_get(a, "depts"), j, d)
		    buf_printf(&tmp, "%s%s:%s", j > 0 ? "," : "",
		        desk_str(d, "dept", "?"), desk_str(d, "state", "?"));
		s = tmp.len > 0 ? buf_str(&tmp) : "-";
	} else if (strcmp(c->col, "age") == 0) {
		text_age((long long)(clock_wall_ms() -
		                     json_integer_value(
		                         json_object_get(a, "started_ms"))) /
		             1000,
		    t, sizeof t);
		s = t;
	} else if (strcmp(c->col, "category") == 0)
		s = desk_str(json_object_get(a, "labels"), "category", "-");
	else if (strcmp(c->col, "deadline") == 0 &&
	         json_is_integer(json_object_get(a, "deadline_ms"))) {
		time_t tt = (time_t)(json_integer_value(
		                         json_object_get(a, "deadline_ms")) /
		                     1000);
		struct tm tm;

		localtime_r(&tt, &tm);
		strftime(t, sizeof t, "%m-%d %H:%M", &tm);
		s = t;
	}
	if (strcmp(c->col, "place") == 0 && !text_utf8())
		s = desk_str(a, "place_en", s);
	if (strcmp(c->col, "message") == 0 && !text_utf8())
		s = desk_str(a, "message_en", s);
	buf_puts(b, s);
	buf_free(&tmp);
}

/* Column c of alert a into b (fit to its width). */
static void
desk_cell(json_t *a, const struct desk_col *c, struct buf *b)
{
	struct buf t = BUF_INIT;

	desk_cell_text(a, c->col, &t);
	text_fit(b, buf_str(&t), c->width, TEXT_LEFT);
	buf_free(&t);
}

int
cli_desk(struct api *api, const char *id, int json, FILE *out)
{
	struct api_result res;
	struct buf line = BUF_INIT, cell = BUF_INIT;
	json_t *a, *cols, *c;
	char path[160];
	size_t i, k;
	int rc;

	snprintf(path, sizeof path, "/api/v1/desks/%s", id);
	if ((rc = desk_get(api, path, json, out, &res)) != 0 || json)
		goto done;
	cols = json_object_get(res.body, "columns");
	fprintf(out, "%s (%s): %lld in the queue\n", desk_label(res.body),
	    desk_str(res.body, "id", "?"),
	    (long long)json_integer_value(json_object_get(res.body, "total")));
	json_array_foreach(cols, k, c)
	{
		const struct desk_col *dc = desk_col_find(json_string_value(c));
		char up[32];
		size_t n;

		if (dc == NULL)
			continue;
		for (n = 0; dc->col[n] != '\0' && n + 1 < sizeof up; n++)
			up[n] = (char)(dc->col[n] - 'a' + 'A');
		up[n] = '\0';
		buf_reset(&cell);
		text_fit(&cell, up, dc->width, TEXT_LEFT);
		buf_printf(&line, "%s%s", k > 0 ? " " : "", buf_str(&cell));
	}
	fprintf(out, "%s\n", buf_str(&line));
	json_array_foreach(json_object_get(res.body, "alerts"), i, a)
	{
		buf_reset(&line);
		json_array_foreach(cols, k, c)
		{
			const struct desk_col *dc =
			    desk_col_find(json_string_value(c));

			if (dc == NULL)
				continue;
			buf_reset(&cell);
			desk_cell(a, dc, &cell);
			buf_printf(
			    &line, "%s%s", k > 0 ? " " : "", buf_str(&cell));
		}
		fprintf(out, "%s\n", buf_str(&line));
	}
done:
	buf_free(&line);
	buf_free(&cell);
	api_result_free(&res);
	return rc;
}
