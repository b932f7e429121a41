/* The department table for dispatch prompts: see tui/depts.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/api.h"
#include "tui/app.h"
#include "tui/depts.h"
#include "tui/model.h"
#include "tui/text.h"

#define DEPTS_SEP ", "

struct dept {
	char *id, *name, *name_en;
};

struct depts {
	struct dept *v;
	size_t n;
	int have, inflight;
};

struct depts *
depts_new(void)
{
	return xcalloc(1, sizeof(struct depts));
}

static void
depts_clear(struct depts *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].id);
		free(d->v[i].name);
		free(d->v[i].name_en);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

void
depts_free(struct depts *d)
{
	if (d == NULL)
		return;
	depts_clear(d);
	free(d);
}

static char *
depts_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? xstrdup(s) : NULL;
}

struct depts_ctx {
	struct depts *d;
	struct app *app;
};

static void
depts_done(void *arg, struct api_result *res)
{
	struct depts_ctx *c = arg;
	struct depts *d = c->d;
	struct app *app = c->app;
	json_t *arr, *o;
	size_t i;

	free(c);
	if (res->status < 0)
		return;
	d->inflight = 0;
	arr = json_object_get(res->body, "departments");
	if (res->error != NULL || !json_is_array(arr))
		return;
	depts_clear(d);
	d->v = xcalloc(json_array_size(arr) + 1, sizeof *d->v);
	json_array_foreach(arr, i, o)
	{
		if (json_string_value(json_object_get(o, "id")) == NULL)
			continue;
		d->v[d->n].id = depts_str(o, "id");
		d->v[d->n].name = depts_str(o, "name");
		d->v[d->n].name_en = depts_str(o, "name_en");
		d->n++;
	}
	d->have = 1;
	/* A Tab pressed while the table was on its way. */
	if (app->prompt.kind == PROMPT_TEXT &&
	    app->prompt.complete == depts_complete &&
	    app->prompt.legend != NULL)
		depts_complete(app, &app->prompt.text, app->prompt.arg);
}

void
depts_fetch(struct depts *d, struct app *app)
{
	struct depts_ctx *c;

	if (d->have || d->inflight)
		return;
	c = xmalloc(sizeof *c);
	c->d = d;
	c->app = app;
	d->inflight = 1;
	api_start(app->api, "GET", "/api/v1/departments", NULL, depts_done, c);
}

int
depts_known(const struct depts *d, const char *id)
{
	size_t i;

	if (!d->have)
		return -1;
	for (i = 0; i < d->n; i++) {
		if (strcmp(d->v[i].id, id) == 0)
			return 1;
	}
	return 0;
}

/* Is the department id already one of the words of line before end? */
static int
depts_listed(const char *line, size_t end, const char *id)
{
	size_t i = 0, n, idl = strlen(id);

	while (i < end) {
		i += strspn(line + i, DEPTS_SEP);
		n = strcspn(line + i, DEPTS_SEP);
		if (i + n > end)
			n = end - i;
		if (n == idl && strncmp(line + i, id, n) == 0)
			return 1;
		i += n;
	}
	return 0;
}

/* Does word start the id or the English name, or occur in the name? */
static int
depts_match(const struct dept *t, const char *word)
{
	size_t wl = strlen(word);

	if (strncmp(t->id, word, wl) == 0)
		return 1;
	if (wl == 0)
		return 0;
	if (t->name_en != NULL && strncasecmp(t->name_en, word, wl) == 0)
		return 2;
	if (t->name != NULL && strstr(t->name, word) != NULL)
		return 2;
	return 0;
}

static void
depts_legend_line(struct buf *b, const struct dept *t)
{
	struct buf id = BUF_INIT;

	text_fit(&id, t->id, 14, TEXT_LEFT);
	buf_printf(b, "%s%s %s", b->len ? "\n" : "", buf_str(&id),
	    model_label(t->name, t->name_en, t->id));
	buf_free(&id);
}

void
depts_complete(struct app *app, struct buf *text, void *arg)
{
	struct depts *d = app->depts;
	const char *line = buf_str(text), *first = NULL;
	struct buf legend = BUF_INIT;
	size_t start, wl, common = 0, i, k;
	char *word;
	int n = 0, by_id = 1, m;

	(void)arg;
	if (!d->have) {
		depts_fetch(d, app);
		app_prompt_legend(app, "departments: asking the hub ...");
		return;
	}
	start = text->len;
	while (start > 0 && strchr(DEPTS_SEP, line[start - 1]) == NULL)
		start--;
	word = xstrdup(line + start);
	wl = strlen(word);
	for (i = 0; i < d->n; i++) {
		const struct dept *t = &d->v[i];

		if ((m = depts_match(t, word)) == 0 ||
		    depts_listed(line, start, t->id))
			continue;
		if (m != 1)
			by_id = 0;
		if (first == NULL) {
			first = t->id;
			common = strlen(first);
		} else {
			for (k = 0; k < common && t->id[k] == first[k]; k++)
				;
			common = k;
		}
		depts_legend_line(&legend, t);
		n++;
	}
	if (n == 0) {
		buf_printf(&legend, "no department matches \"%s\"", word);
	} else if (n == 1) {
		text->len = start;
		buf_puts(text, first);
		buf_putc(text, ' ');
	} else if (by_id && common > wl) {
		text->len = start;
		buf_append(text, first, common);
	}
	app_prompt_legend(app, buf_str(&legend));
	buf_free(&legend);
	free(word);
}
