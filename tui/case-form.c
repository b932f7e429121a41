/* The form for a new case: see tui/case-form.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/api.h"
#include "tui/app.h"
#include "tui/case-form.h"
#include "tui/text.h"

/* Lines of matches shown above the category prompt. */
#define CF_LEGEND_MAX 12

struct case_form {
	struct app *app;
	json_t *cats; /* the hub's categories (array) */
	char *category, *place;
	void (*done)(struct app *, const char *id);
};

static void
cf_free(struct case_form *f)
{
	json_decref(f->cats);
	free(f->category);
	free(f->place);
	free(f);
}

static const char *
cf_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* 1: word starts the id or the code; 2: it is in the name; 0: no. */
static int
cf_match(json_t *c, const char *word)
{
	const char *id = cf_str(c, "id"), *name = cf_str(c, "name");
	const char *code = cf_str(c, "code");
	size_t wl = strlen(word);

	if (id != NULL && strncmp(id, word, wl) == 0)
		return 1;
	if (wl > 0 && code != NULL && strncmp(code, word, wl) == 0)
		return 2;
	if (wl > 0 && name != NULL && strstr(name, word) != NULL)
		return 2;
	return 0;
}

/* The category text names exactly (id, name or code), or NULL. */
static json_t *
cf_find(json_t *cats, const char *text)
{
	json_t *c;
	size_t i;

	json_array_foreach(cats, i, c)
	{
		const char *name = cf_str(c, "name"), *code = cf_str(c, "code");

		if (strcmp(cf_str(c, "id"), text) == 0 ||
		    (name != NULL && strcmp(name, text) == 0) ||
		    (code != NULL && strcmp(code, text) == 0))
			return c;
	}
	return NULL;
}

static void
cf_legend_line(struct buf *b, json_t *c)
{
	struct buf id = BUF_INIT;
	const char *name = cf_str(c, "name");

	text_fit(&id, cf_str(c, "id"), 20, TEXT_LEFT);
	buf_printf(b, "%s%s %s -> %s", b->len ? "\n" : "", buf_str(&id),
	    name != NULL && text_utf8() ? name : "", cf_str(c, "dept"));
	buf_free(&id);
}

/* Tab in the category prompt: complete the id, list the candidates. */
static void
cf_complete(struct app *app, struct buf *text, void *arg)
{
	struct case_form *f = arg;
	char *word = xstrdup(buf_str(text));
	const char *first = NULL;
	struct buf legend = BUF_INIT;
	size_t i, k, common = 0;
	int n = 0, by_id = 1, m;
	json_t *c;

	json_array_foreach(f->cats, i, c)
	{
		if ((m = cf_match(c, word)) == 0)
			continue;
		if (m != 1)
			by_id = 0;
		if (first == NULL) {
			first = cf_str(c, "id");
			common = strlen(first);
		} else {
			for (k = 0;
			     k < common && cf_str(c, "id")[k] == first[k]; k++)
				;
			common = k;
		}
		if (n < CF_LEGEND_MAX)
			cf_legend_line(&legend, c);
		n++;
	}
	if (n > CF_LEGEND_MAX)
		buf_printf(&legend, "\n... %d more", n - CF_LEGEND_MAX);
	if (n == 0) {
		buf_printf(&legend, "no category matches \"%s\"", word);
	} else if (n == 1) {
		text->len = 0;
		buf_puts(text, first);
	} else if (by_id && common > strlen(word)) {
		text->len = 0;
		buf_append(text, first, common);
	}
	app_prompt_legend(app, buf_str(&legend));
	buf_free(&legend);
	free(word);
}

static void cf_category_done(struct app *app, const char *text, void *arg);

#define CF_CATEGORY_LABEL \
	"New case: category (Tab lists; empty: the dispatch queue): "

static void
cf_ask_category(struct case_form *f, const char *text, const char *legend)
{
	app_prompt(f->app, CF_CATEGORY_LABEL, text, cf_category_done, f);
	app_prompt_complete(f->app, cf_complete);
	if (legend != NULL)
		app_prompt_legend(f->app, legend);
}

struct cf_post {
	struct app *app;
	void (*done)(struct app *, const char *id);
};

/* Where the case went: its departments, or the queue. */
static void
cf_posted(void *arg, struct api_result *res)
{
	struct cf_post *p = arg;
	struct app *app = p->app;
	const char *id = cf_str(res->body, "id");
	json_t *depts = json_object_get(res->body, "depts"), *d;
	struct buf b = BUF_INIT;
	size_t i;

	app->actions_inflight--;
	if (res->error != NULL || id == NULL) {
		app_message(app, 1, "new case failed: %s",
		    res->error != NULL ? res->error : "no id in the answer");
		free(p);
		return;
	}
	json_array_foreach(depts, i, d)
	    buf_printf(&b, "%s%s", i ? ", " : "", cf_str(d, "dept"));
	if (json_array_size(depts) > 0)
		app_message(
		    app, 0, "case %s made: routed to %s", id, buf_str(&b));
	else
		app_message(app, 0,
		    "case %s made: waits in the dispatch queue (d routes it)",
		    id);
	buf_free(&b);
	if (p->done != NULL)
		p->done(app, id);
	free(p);
}

static int
cf_is_code(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n >= 6 && s[n] == '\0';
}

static void
cf_text_done(struct app *app, const char *text, void *arg)
{
	struct case_form *f = arg;
	struct cf_post *p;
	json_t *body;

	if (text == NULL || *text == '\0') {
		if (text != NULL)
			app_message(
			    app, 1, "new case: a description is needed");
		cf_free(f);
		return;
	}
	body = json_pack("{s:s,s:s}", "text", text, "source", "console");
	if (f->category != NULL)
		json_object_set_new(body, "category", json_string(f->category));
	json_object_set_new(body, cf_is_code(f->place) ? "grid" : "address",
	    json_string(f->place));
	p = xmalloc(sizeof *p);
	p->app = app;
	p->done = f->done;
	app->actions_inflight++;
	app_message(app, 0, "new case ...");
	api_start(app->api, "POST", "/api/v1/cases", body, cf_posted, p);
	json_decref(body);
	cf_free(f);
}

static void
cf_place_done(struct app *app, const char *text, void *arg)
{
	struct case_form *f = arg;

	if (text == NULL || *text == '\0') {
		if (text != NULL)
			app_message(app, 1, "new case: where?");
		cf_free(f);
		return;
	}
	f->place = xstrdup(text);
	app_prompt(app, "Description: ", NULL, cf_text_done, f);
}

static void
cf_category_done(struct app *app, const char *text, void *arg)
{
	struct case_form *f = arg;
	json_t *c;
	char *why;

	if (text == NULL) {
		cf_free(f);
		return;
	}
	if (*text != '\0') {
		if ((c = cf_find(f->cats, text)) == NULL) {
			why = xasprintf("\"%s\" is not a category (Tab lists "
			                "them; empty: the dispatch queue)",
			    text);
			cf_ask_category(f, text, why);
			free(why);
			return;
		}
		f->category = xstrdup(cf_str(c, "id"));
	}
	app_prompt(
	    app, "Place (grid code or address): ", NULL, cf_place_done, f);
}

static void
cf_categories(void *arg, struct api_result *res)
{
	struct case_form *f = arg;
	json_t *cats = json_object_get(res->body, "categories");

	if (res->error != NULL || !json_is_array(cats)) {
		app_message(f->app, 1, "case categories: %s",
		    res->error != NULL ? res->error : "no table");
		cf_free(f);
		return;
	}
	f->cats = json_incref(cats);
	cf_ask_category(f, NULL, NULL);
	app_dirty(f->app);
}

void
case_form_open(struct app *app, void (*done)(struct app *, const char *id))
{
	struct case_form *f = xcalloc(1, sizeof *f);

	f->app = app;
	f->done = done;
	api_start(
	    app->api, "GET", "/api/v1/case-categories", NULL, cf_categories, f);
}
