/* The Territory screen: district > subdistrict > community > grid. */
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

#define TE_METRICS  3
#define TE_SPARK_MS 30000

enum {
	TC_NAME,
	TC_CODE,
	TC_SEV,
	TC_HIGH,
	TC_MED,
	TC_LOW,
	TC_M0,
	TC_M1,
	TC_M2,
	TC_GRIDS,
	TC_AGE,
	TC_TREND,
	TC_NCOLS,
};

struct screen_territory {
	struct screen base;
	char *code;      /* NULL: the caller's scope */
	char *came_from; /* child to select after going up */
	struct model_tree tree;
	struct model_query spark;
	char *spark_key; /* code+metric the sparks are for */
	int inflight, spark_inflight;
	int64_t spark_next;
	size_t *rows;
	size_t nrows;
	struct table tab;
	struct table_col cols[TC_NCOLS];
	char mtitles[TE_METRICS][16];
	const char *mkeys[TE_METRICS];
	int nm;
	int spark_w;
	char trend_title[40];
	char *error; /* owned: why the node cannot be shown (404 ...) */
};

static struct screen_territory *
te(struct screen *s)
{
	return (struct screen_territory *)s;
}

static void
te_cell(void *arg, size_t row, int col, struct buf *b, attr_t *a)
{
	struct screen_territory *t = arg;
	const struct model_node *n = &t->tree.children[t->rows[row]];

	switch (col) {
	case TC_NAME:
		buf_puts(b, model_label(n->name, n->name_en, n->code));
		break;
	case TC_CODE:
		buf_puts(b, n->code ? n->code : "");
		*a = term_attr(TERM_DIM);
		break;
	case TC_SEV:
		su_sev_cell(b, a, n->sev);
		break;
	case TC_HIGH:
		su_count_cell(b, a, n->alerts.high, SEV_HIGH);
		break;
	case TC_MED:
		su_count_cell(b, a, n->alerts.medium, SEV_MEDIUM);
		break;
	case TC_LOW:
		su_count_cell(b, a, n->alerts.low, SEV_LOW);
		break;
	case TC_M0:
	case TC_M1:
	case TC_M2:
		if (col - TC_M0 < t->nm)
			su_num_cell(b,
			    model_node_metric(n, t->mkeys[col - TC_M0]), NULL);
		break;
	case TC_GRIDS:
		if (n->grids_silent > 0) {
			buf_printf(b, "%d/%d", n->grids_silent, n->grids);
			*a = term_attr(TERM_WARN);
		} else
			buf_printf(b, "%d", n->grids);
		break;
	case TC_AGE:
		su_age_cell(b, a, n->age_s, 60, 600);
		break;
	case TC_TREND:
		su_spark_cell(b, t->base.app,
		    su_series_find(
		        &t->spark, su_child_level(t->tree.node.level), n->code),
		    t->spark_w);
		break;
	}
}

static void
te_rebuild(struct screen_territory *t)
{
	const char *f = t->base.filter;
	size_t i;
	int k;

	free(t->rows);
	t->rows = t->tree.nchildren
	              ? xcalloc(t->tree.nchildren, sizeof *t->rows)
	              : NULL;
	t->nrows = 0;
	for (i = 0; i < t->tree.nchildren; i++) {
		const struct model_node *n = &t->tree.children[i];

		if (su_match(f, n->name) || su_match(f, n->name_en) ||
		    su_match(f, n->code) || su_match(f, model_sev_name(n->sev)))
			t->rows[t->nrows++] = i;
	}
	table_set_rows(&t->tab, t->nrows);
	/* Select the child we came back up from. */
	if (t->came_from != NULL) {
		for (i = 0; i < t->nrows; i++) {
			const char *c = t->tree.children[t->rows[i]].code;

			if (c != NULL && strcmp(c, t->came_from) == 0)
				t->tab.sel = i;
		}
		free(t->came_from);
		t->came_from = NULL;
	}
	t->nm = 0;
	for (k = 0; k < t->tree.node.nmetrics && t->nm < TE_METRICS; k++) {
		t->mkeys[t->nm] = t->tree.node.metrics[k].key;
		su_short_title(t->mtitles[t->nm], sizeof t->mtitles[0],
		    t->tree.node.metrics[k].key);
		t->nm++;
	}
	for (k = 0; k < TE_METRICS; k++) {
		t->cols[TC_M0 + k].title = t->mtitles[k];
		t->cols[TC_M0 + k].width = k < t->nm ? 7 : 0;
		t->cols[TC_M0 + k].min_cols = k < t->nm ? 60 + 15 * k : 10000;
	}
}

static void
te_tree_done(struct screen *s, struct api_result *res)
{
	struct screen_territory *t = te(s);
	struct model_tree n;
	char *cause = NULL;

	t->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "territory: %s", res->error);
		/* The hub answered no (unknown code, outside the scope):
		 * say so in place of "Loading". */
		if (res->status >= 400 && res->status < 500) {
			free(t->error);
			t->error = xstrdup(res->error);
		}
		return;
	}
	free(t->error);
	t->error = NULL;
	if (model_tree_decode(res->body, &n, &cause) != 0) {
		res->body = NULL;
		app_message(s->app, 1, "territory: %s", cause);
		free(cause);
		return;
	}
	res->body = NULL;
	model_tree_free(&t->tree);
	t->tree = n;
	te_rebuild(t);
}

static void
te_spark_done(struct screen *s, struct api_result *res)
{
	struct screen_territory *t = te(s);
	struct model_query n;
	char *cause = NULL;

	t->spark_inflight = 0;
	if (res->error != NULL ||
	    model_query_decode(res->body, &n, &cause) != 0) {
		if (res->error == NULL)
			res->body = NULL;
		free(cause);
		return;
	}
	res->body = NULL;
	model_query_free(&t->spark);
	t->spark = n;
}

static void
te_refresh(struct screen *s)
{
	struct screen_territory *t = te(s);
	const struct model_node *node = &t->tree.node;
	int64_t now = clock_mono_ms();
	char *path, *key;

	if (!t->inflight) {
		t->inflight = 1;
		if (t->code != NULL) {
			char *c = api_escape(t->code);

			path = xasprintf("/api/v1/tree?code=%s", c);
			free(c);
		} else
			path = xstrdup("/api/v1/tree");
		app_fetch(s->app, s, path, te_tree_done);
		free(path);
	}
	/* Sparklines of the first headline metric per child. */
	if (node->code == NULL || node->nmetrics == 0 ||
	    node->metrics[0].metric == NULL || t->spark_inflight ||
	    (node->level != NULL && strcmp(node->level, "grid") == 0))
		return;
	key = xasprintf("%s/%s", node->code, node->metrics[0].metric);
	if (now < t->spark_next && t->spark_key != NULL &&
	    strcmp(key, t->spark_key) == 0) {
		free(key);
		return;
	}
	free(t->spark_key);
	t->spark_key = key;
	t->spark_next = now + TE_SPARK_MS;
	t->spark_inflight = 1;
	path = su_spark_path(node->metrics[0].metric, node->metrics[0].agg,
	    node->level, node->code, su_child_level(node->level), "6h", "10m");
	app_fetch(s->app, s, path, te_spark_done);
	free(path);
}

static void
te_where(struct screen *s, struct buf *b)
{
	struct screen_territory *t = te(s);
	const char *sep = text_utf8() ? " \xe2\x80\xba " : " > ";
	size_t i;

	for (i = 0; i < t->tree.npath; i++) {
		const struct model_node *n = &t->tree.path[i];

		buf_puts(b, model_label(n->name, n->name_en, n->code));
		buf_puts(b, sep);
	}
	if (t->tree.node.code != NULL)
		buf_puts(b, model_label(t->tree.node.name, t->tree.node.name_en,
		                t->tree.node.code));
}

static int te_back(struct screen *s);

static void
te_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_territory *t = te(s);
	const struct model_node *n = &t->tree.node;
	struct buf b = BUF_INIT;
	int widths[TC_NCOLS], x;

	if (n->code == NULL && t->error != NULL) {
		term_printf(w, 1, 2, cols - 4, term_attr(TERM_BAD), "%s: %s",
		    t->code ? t->code : "territory", t->error);
		return;
	}
	if (!s->fetched || n->code == NULL) {
		term_put(w, 1, 2, cols - 4, "Loading the territory ...",
		    TEXT_LEFT, A_BOLD);
		return;
	}
	/* Breadcrumb, then this node's own roll-up. */
	buf_puts(&b, "");
	te_where(s, &b);
	term_put(w, 0, 0, cols, buf_str(&b), TEXT_LEFT, A_BOLD);
	buf_reset(&b);
	buf_printf(&b, "%s %s  ", n->level ? n->level : "", n->code);
	term_put(w, 1, 0, cols, buf_str(&b), TEXT_LEFT, term_attr(TERM_DIM));
	x = text_width(buf_str(&b));
	buf_reset(&b);
	su_sev_cell(&b, &(attr_t){0}, n->sev);
	term_put(w, 1, x, 5, buf_str(&b), TEXT_LEFT, term_sev_attr(n->sev));
	x += 5;
	buf_reset(&b);
	buf_printf(&b, "alerts %u high %u medium %u low  grids %d",
	    n->alerts.high, n->alerts.medium, n->alerts.low, n->grids);
	if (n->grids_silent)
		buf_printf(&b, " (%d silent)", n->grids_silent);
	for (int k = 0; k < n->nmetrics && k < 4; k++) {
		char v[32];

		text_number(n->metrics[k].value, v, sizeof v);
		buf_printf(&b, "  %s %s%s", n->metrics[k].key, v,
		    n->metrics[k].unit ? n->metrics[k].unit : "");
	}
	term_put(w, 1, x, cols - x, buf_str(&b), TEXT_LEFT, A_NORMAL);
	snprintf(t->trend_title, sizeof t->trend_title, "trend %s 6h",
	    t->nm > 0 ? t->mkeys[0] : "");
	t->cols[TC_TREND].title = t->trend_title;
	t->cols[TC_NAME].title = su_child_level(n->level);
	table_widths(&t->tab, cols - 1, widths);
	t->spark_w = widths[TC_TREND];
	if (t->tree.nchildren == 0)
		term_put(w, 3, 2, cols - 2, "(no children in your scope)",
		    TEXT_LEFT, term_attr(TERM_DIM));
	else
		table_draw(&t->tab, w, 3, 0, rows - 3, cols);
	buf_free(&b);
}

void
screen_territory_open(struct screen *s, const char *code)
{
	struct screen_territory *t = te(s);

	free(t->code);
	t->code = code != NULL ? xstrdup(code) : NULL;
	free(t->error);
	t->error = NULL;
	/* A filter belongs to the list it was typed for. */
	free(s->filter);
	s->filter = NULL;
	model_tree_free(&t->tree);
	t->tab.sel = t->tab.top = 0;
	t->spark_next = 0;
	s->fetched = 0;
	te_rebuild(t);
}

static int
te_nav(struct screen *s, int key)
{
	struct screen_territory *t = te(s);
	const struct model_node *c;

	if (key == KEY_ENTER || key == KEY_RIGHT) {
		if (t->nrows == 0)
			return 1;
		c = &t->tree.children[t->rows[t->tab.sel]];
		if (c->code == NULL)
			return 1;
		if ((c->level != NULL && strcmp(c->level, "grid") == 0) ||
		    strlen(c->code) == 15)
			app_open_grid(s->app, c->code);
		else {
			screen_territory_open(s, c->code);
			app_refresh_now(s->app);
		}
		return 1;
	}
	if (key == KEY_LEFT) {
		if (te_back(s))
			app_refresh_now(s->app);
		return 1;
	}
	return table_nav(&t->tab, key);
}

static int
te_back(struct screen *s)
{
	struct screen_territory *t = te(s);
	char *from;

	if (t->tree.node.parent == NULL || t->tree.npath == 0)
		return 0;
	from = t->tree.node.code ? xstrdup(t->tree.node.code) : NULL;
	screen_territory_open(s, t->tree.node.parent);
	t->came_from = from;
	return 1;
}

static void
te_alerts(struct app *app, struct screen *s)
{
	struct screen_territory *t = te(s);
	const char *code = t->tree.node.code;

	if (t->nrows > 0)
		code = t->tree.children[t->rows[t->tab.sel]].code;
	screen_alerts_set_code(app_screen(app, APP_ALERTS), code);
	app_switch(app, APP_ALERTS);
}

static void
te_up(struct app *app, struct screen *s)
{
	if (te_back(s))
		app_refresh_now(app);
}

static void
te_top(struct app *app, struct screen *s)
{
	screen_territory_open(s, NULL);
	app_refresh_now(app);
}

static const struct binding te_bindings[] = {
    {.key = KEY_ENTER,
        .key2 = KEY_RIGHT,
        .keys = "Enter Right",
        .help = "drill into the selected place (a grid opens its detail)"},
    {.key = 'u',
        .key2 = KEY_LEFT,
        .keys = "u Left Esc",
        .help = "up a level",
        .fn = te_up},
    {.key = 'h',
        .keys = "h",
        .help = "back to the top of your scope",
        .fn = te_top},
    {.key = 'a',
        .key2 = KEY_F(7),
        .keys = "a F7",
        .help = "alerts inside the selected place",
        .fkey = 7,
        .bar = "Alerts",
        .fn = te_alerts},
    {.key = 0},
};

static void
te_filter_changed(struct screen *s)
{
	te_rebuild(te(s));
}

static void
te_init(struct screen *s)
{
	struct screen_territory *t = te(s);
	static const struct table_col base[TC_NCOLS] = {
	    [TC_NAME] = {.title = "Name", .width = 10, .flex = 1},
	    [TC_CODE] = {.title = "Code", .width = 15, .min_cols = 110},
	    [TC_SEV] = {.title = "Sev", .width = 4},
	    [TC_HIGH] = {.title = "Hi", .width = 3, .align = TEXT_RIGHT},
	    [TC_MED] = {.title = "Med", .width = 3, .align = TEXT_RIGHT},
	    [TC_LOW] = {.title = "Low", .width = 3, .align = TEXT_RIGHT},
	    [TC_M0] = {.title = "", .width = 7, .align = TEXT_RIGHT},
	    [TC_M1] = {.title = "", .width = 7, .align = TEXT_RIGHT},
	    [TC_M2] = {.title = "", .width = 7, .align = TEXT_RIGHT},
	    [TC_GRIDS] = {.title = "Grids",
	        .width = 7,
	        .align = TEXT_RIGHT,
	        .min_cols = 96},
	    [TC_AGE] = {.title = "Age", .width = 4, .align = TEXT_RIGHT},
	    [TC_TREND] = {.title = "trend", .width = 12, .flex = 1},
	};

	memcpy(t->cols, base, sizeof base);
	table_init(&t->tab, t->cols, TC_NCOLS, te_cell, t);
}

static void
te_destroy(struct screen *s)
{
	struct screen_territory *t = te(s);

	model_tree_free(&t->tree);
	model_query_free(&t->spark);
	free(t->error);
	free(t->code);
	free(t->came_from);
	free(t->spark_key);
	free(t->rows);
}

const struct screen_class screen_territory_class = {
    .name = "territory",
    .title = "Territory",
    .tab = "Terr",
    .key = '2',
    .size = sizeof(struct screen_territory),
    .bindings = te_bindings,
    .init = te_init,
    .destroy = te_destroy,
    .fetch = te_refresh,
    .draw = te_draw,
    .back = te_back,
    .filter_changed = te_filter_changed,
    .nav = te_nav,
    .where = te_where,
};
