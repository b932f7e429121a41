/* The Systems screen: the 100+ systems grouped by platform, with state,
 * latency and last seen; Enter shows a system's metrics. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/bind.h"
#include "tui/screen-util.h"
#include "tui/screen.h"
#include "tui/spark.h"
#include "tui/term.h"
#include "tui/widget-table.h"

enum {
	YC_PLATFORM,
	YC_ID,
	YC_NAME,
	YC_DEPT,
	YC_STATE,
	YC_LAT,
	YC_SEEN,
	YC_ALERTS,
	YC_GRIDS,
	YC_NCOLS,
};

static const struct table_col sy_cols[YC_NCOLS] = {
    [YC_PLATFORM] = {.title = "Platform", .width = 10},
    [YC_ID] = {.title = "Id", .width = 14, .flex = 1, .min_cols = 100},
    [YC_NAME] = {.title = "System", .width = 14, .flex = 2},
    [YC_DEPT] = {.title = "Dept", .width = 8, .min_cols = 72},
    [YC_STATE] = {.title = "State", .width = 7},
    [YC_LAT] = {.title = "Latency", .width = 7, .align = TEXT_RIGHT},
    [YC_SEEN] = {.title = "Seen", .width = 5, .align = TEXT_RIGHT},
    [YC_ALERTS] = {.title = "Alerts", .width = 6, .align = TEXT_RIGHT},
    [YC_GRIDS] = {.title = "Grids",
        .width = 5,
        .align = TEXT_RIGHT,
        .min_cols = 90},
};

struct screen_systems {
	struct screen base;
	struct model_systems sys;
	int inflight;
	size_t *rows;
	size_t nrows;
	struct table tab;
	/* Detail of one system. */
	char *detail_id;
	json_t *detail; /* GET /api/v1/systems/{id} */
	struct model_query q;
	int detail_inflight, q_inflight;
	int64_t q_next;
};

static struct screen_systems *
sy(struct screen *s)
{
	return (struct screen_systems *)s;
}

static int
sy_state_rank(const char *st)
{
	if (strcmp(st, "down") == 0)
		return 0;
	if (strcmp(st, "stale") == 0)
		return 1;
	if (strcmp(st, "unknown") == 0)
		return 2;
	return 3;
}

static int
sy_cmp(const void *pa, const void *pb, void *arg)
{
	const struct model_systems *s = arg;
	const struct model_system *a = &s->v[*(const size_t *)pa];
	const struct model_system *b = &s->v[*(const size_t *)pb];
	/* Problems first (down, stale, never seen), then by platform. */
	int c = sy_state_rank(a->state) - sy_state_rank(b->state);

	if (c == 0)
		c = strcmp(a->platform ? a->platform : "",
		    b->platform ? b->platform : "");
	if (c == 0)
		c = strcmp(a->id, b->id);
	return c;
}

static void
sy_cell(void *arg, size_t row, int col, struct buf *b, attr_t *at)
{
	struct screen_systems *y = arg;
	const struct model_system *x = &y->sys.v[y->rows[row]];
	unsigned n;

	switch (col) {
	case YC_PLATFORM:
		/* Only at the first row of each platform: a grouping. */
		if (row == 0 || strcmp(y->sys.v[y->rows[row - 1]].platform
		                           ? y->sys.v[y->rows[row - 1]].platform
		                           : "",
		                    x->platform ? x->platform : "") != 0) {
			buf_puts(b, x->platform ? x->platform : "-");
			*at = A_BOLD;
		}
		break;
	case YC_ID:
		buf_puts(b, x->id);
		break;
	case YC_NAME:
		buf_puts(b, model_label(x->name, x->name_en, x->id));
		break;
	case YC_DEPT:
		buf_puts(b, x->dept ? x->dept : "");
		break;
	case YC_STATE:
		buf_puts(b, strcmp(x->state, "down") == 0 ? "DOWN" : x->state);
		*at = strcmp(x->state, "up") == 0     ? term_attr(TERM_GOOD)
		      : strcmp(x->state, "down") == 0 ? term_attr(TERM_BAD)
		                                      : term_attr(TERM_WARN);
		break;
	case YC_LAT:
		if (!isnan(x->latency_ms))
			su_num_cell(b, x->latency_ms, "ms");
		break;
	case YC_SEEN:
		su_age_cell(b, at, x->age_s,
		    x->interval_s > 0 ? 2 * x->interval_s : 0,
		    x->interval_s > 0 ? 3 * x->interval_s : 0);
		break;
	case YC_ALERTS:
		n = model_counts_total(&x->alerts);
		su_count_cell(b, at, n, model_counts_worst(&x->alerts));
		break;
	case YC_GRIDS:
		if (x->grids > 0)
			buf_printf(b, "%d", x->grids);
		break;
	}
}

static void
sy_rebuild(struct screen_systems *y)
{
	const char *f = y->base.filter;
	size_t i;

	free(y->rows);
	y->rows = y->sys.n ? xcalloc(y->sys.n, sizeof *y->rows) : NULL;
	y->nrows = 0;
	for (i = 0; i < y->sys.n; i++) {
		const struct model_system *x = &y->sys.v[i];

		if (su_match(f, x->id) || su_match(f, x->name) ||
		    su_match(f, x->name_en) || su_match(f, x->platform) ||
		    su_match(f, x->dept) || su_match(f, x->state))
			y->rows[y->nrows++] = i;
	}
	if (y->nrows > 1)
		qsort_r(y->rows, y->nrows, sizeof *y->rows, sy_cmp, &y->sys);
	table_set_rows(&y->tab, y->nrows);
}

static void
sy_done(struct screen *s, struct api_result *res)
{
	struct screen_systems *y = sy(s);
	struct model_systems n;
	char *cause = NULL;

	y->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "systems: %s", res->error);
		return;
	}
	if (model_systems_decode(res->body, &n, &cause) == 0) {
		model_systems_free(&y->sys);
		y->sys = n;
		sy_rebuild(y);
	} else
		free(cause);
	res->body = NULL;
}

static void
sy_q_done(struct screen *s, struct api_result *res)
{
	struct screen_systems *y = sy(s);
	struct model_query n;
	char *cause = NULL;

	y->q_inflight = 0;
	if (res->error != NULL)
		return;
	if (model_query_decode(res->body, &n, &cause) == 0) {
		model_query_free(&y->q);
		y->q = n;
	} else
		free(cause);
	res->body = NULL;
}

static void
sy_detail_done(struct screen *s, struct api_result *res)
{
	struct screen_systems *y = sy(s);

	y->detail_inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "system: %s", res->error);
		return;
	}
	json_decref(y->detail);
	y->detail = res->body;
	res->body = NULL;
}

static void
sy_refresh(struct screen *s)
{
	struct screen_systems *y = sy(s);
	char *c, *path, *sel;

	if (y->detail_id != NULL) {
		c = api_escape(y->detail_id);
		if (!y->detail_inflight) {
			y->detail_inflight = 1;
			path = xasprintf("/api/v1/systems/%s", c);
			app_fetch(s->app, s, path, sy_detail_done);
			free(path);
		}
		if (!y->q_inflight && clock_mono_ms() >= y->q_next) {
			/* Every series of the system (one per metric and
			 * grid), averaged per metric here. */
			y->q_inflight = 1;
			y->q_next = clock_mono_ms() + 30000;
			path = xasprintf("{system=\"%s\"}", y->detail_id);
			sel = api_escape(path);
			free(path);
			path = xasprintf("/api/v1/query?q=%s&agg=avg"
			                 "&start=now-6h&step=10m&limit=5000",
			    sel);
			app_fetch(s->app, s, path, sy_q_done);
			free(path);
			free(sel);
		}
		free(c);
		return;
	}
	if (!y->inflight) {
		y->inflight = 1;
		app_fetch(s->app, s, "/api/v1/systems", sy_done);
	}
}

/* The average over the system's series of metric name, in m buckets by
 * time (caller frees); *nser is how many series took part. */
static double *
sy_metric_avg(
    struct screen_systems *y, const char *name, size_t m, size_t *nser)
{
	double *sum = xcalloc(m, sizeof *sum), *b;
	size_t *cnt = xcalloc(m, sizeof *cnt), i, k;

	*nser = 0;
	for (i = 0; i < y->q.nseries; i++) {
		const struct model_series *se = &y->q.series[i];

		if (se->metric == NULL || strcmp(se->metric, name) != 0)
			continue;
		(*nser)++;
		b = su_series_buckets(se, m);
		for (k = 0; k < m; k++) {
			if (!isnan(b[k])) {
				sum[k] += b[k];
				cnt[k]++;
			}
		}
		free(b);
	}
	for (k = 0; k < m; k++)
		sum[k] = cnt[k] ? sum[k] / (double)cnt[k] : NAN;
	free(cnt);
	return sum;
}

static void
sy_detail_draw(struct screen_systems *y, WINDOW *w, int rows, int cols)
{
	struct buf b = BUF_INIT;
	json_t *d = y->detail, *ms, *v;
	size_t i;
	int row = 0;

	if (d == NULL) {
		term_printf(
		    w, 1, 2, cols - 4, A_BOLD, "Loading %s ...", y->detail_id);
		return;
	}
	buf_printf(&b, "%s  %s  (%s, %s)", y->detail_id,
	    model_label(json_string_value(json_object_get(d, "name")),
	        json_string_value(json_object_get(d, "name_en")), y->detail_id),
	    json_string_value(json_object_get(d, "platform")) ?: "-",
	    json_string_value(json_object_get(d, "dept")) ?: "-");
	term_put(w, row++, 0, cols, buf_str(&b), TEXT_LEFT, A_BOLD);
	buf_reset(&b);
	v = json_object_get(d, "grids");
	buf_printf(&b, "state %s  interval %llds  grids %zu  latency ",
	    json_string_value(json_object_get(d, "state")) ?: "?",
	    (long long)json_integer_value(json_object_get(d, "interval_s")),
	    json_is_array(v) ? json_array_size(v) : 0);
	su_num_cell(&b,
	    json_is_number(json_object_get(d, "latency_ms"))
	        ? json_number_value(json_object_get(d, "latency_ms"))
	        : NAN,
	    "ms");
	term_put(w, row++, 0, cols, buf_str(&b), TEXT_LEFT, A_NORMAL);
	term_title(w, row++, 0, cols, "Metrics (avg over its grids, 6 h)");
	ms = json_object_get(d, "metrics");
	json_array_foreach(ms, i, v)
	{
		const char *name = json_string_value(v);
		char val[32] = "-";
		double *avg;
		size_t nser;
		int sw, k;

		if (row >= rows || name == NULL)
			break;
		sw = cols - 36;
		avg =
		    sy_metric_avg(y, name, sw > 0 ? (size_t)sw * 2 : 1, &nser);
		for (k = sw * 2; k > 0; k--) {
			if (!isnan(avg[k - 1])) {
				text_number(avg[k - 1], val, sizeof val);
				break;
			}
		}
		term_put(w, row, 1, 24, name, TEXT_LEFT, A_NORMAL);
		term_put(w, row, 26, 8, val, TEXT_RIGHT, A_BOLD);
		buf_reset(&b);
		if (nser > 0 && sw > 0)
			spark_render(
			    &b, avg, (size_t)sw * 2, sw, y->base.app->spark);
		free(avg);
		term_put(w, row, 36, cols - 36, buf_str(&b), TEXT_LEFT,
		    term_attr(TERM_GOOD));
		row++;
	}
	buf_free(&b);
}

static void
sy_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_systems *y = sy(s);

	if (y->detail_id != NULL) {
		sy_detail_draw(y, w, rows, cols);
		return;
	}
	if (!s->fetched) {
		term_put(w, 1, 2, cols - 4, "Loading systems ...", TEXT_LEFT,
		    A_BOLD);
		return;
	}
	table_draw(&y->tab, w, 0, 0, rows, cols);
}

static void
sy_where(struct screen *s, struct buf *b)
{
	struct screen_systems *y = sy(s);
	size_t i, down = 0, stale = 0;

	if (y->detail_id != NULL) {
		buf_puts(b, y->detail_id);
		return;
	}
	for (i = 0; i < y->sys.n; i++) {
		down += strcmp(y->sys.v[i].state, "down") == 0;
		stale += strcmp(y->sys.v[i].state, "stale") == 0;
	}
	buf_printf(
	    b, "%zu systems, %zu down, %zu stale", y->sys.n, down, stale);
}

static int
sy_nav(struct screen *s, int key)
{
	struct screen_systems *y = sy(s);

	if (y->detail_id != NULL)
		return 0;
	if (key == KEY_ENTER) {
		if (y->nrows == 0)
			return 1;
		y->detail_id = xstrdup(y->sys.v[y->rows[y->tab.sel]].id);
		json_decref(y->detail);
		y->detail = NULL;
		model_query_free(&y->q);
		y->q_next = 0;
		app_refresh_now(s->app);
		return 1;
	}
	return table_nav(&y->tab, key);
}

static int
sy_back(struct screen *s)
{
	struct screen_systems *y = sy(s);

	if (y->detail_id == NULL)
		return 0;
	free(y->detail_id);
	y->detail_id = NULL;
	json_decref(y->detail);
	y->detail = NULL;
	model_query_free(&y->q);
	return 1;
}

static void
sy_filter_changed(struct screen *s)
{
	sy_rebuild(sy(s));
}

static const struct binding sy_bindings[] = {
    {.key = KEY_ENTER,
        .keys = "Enter",
        .help = "the system's metrics (Esc returns)"},
    {.key = 0},
};

static void
sy_init(struct screen *s)
{
	table_init(&sy(s)->tab, sy_cols, YC_NCOLS, sy_cell, s);
}

static void
sy_destroy(struct screen *s)
{
	struct screen_systems *y = sy(s);

	model_systems_free(&y->sys);
	model_query_free(&y->q);
	json_decref(y->detail);
	free(y->detail_id);
	free(y->rows);
}

const struct screen_class screen_systems_class = {
    .name = "systems",
    .title = "Systems",
    .tab = "Sys",
    .key = '6',
    .size = sizeof(struct screen_systems),
    .bindings = sy_bindings,
    .init = sy_init,
    .destroy = sy_destroy,
    .fetch = sy_refresh,
    .draw = sy_draw,
    .back = sy_back,
    .filter_changed = sy_filter_changed,
    .nav = sy_nav,
    .where = sy_where,
};
