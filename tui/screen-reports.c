/* The Reports screen (issue 17, 用数据落实责任): how each department (or
 * subdistrict, or rule) answered its dispatches over the last day, week
 * or month: GET /api/v1/reports/response, with small bars for the
 * volume dispatched and the share resolved in time.  Asked once a
 * minute (and when g or w changes the question). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/bind.h"
#include "tui/report-view.h"
#include "tui/screen.h"
#include "tui/term.h"

#define RP_KEYW     16 /* the first column */
#define RP_BARW     8  /* each bar */
#define RP_EVERY_MS 60000

static const char *const rp_bys[] = {"dept", "subdistrict", "rule"};
static const char *const rp_windows[] = {"1d", "7d", "30d"};

struct screen_reports {
	struct screen base;
	json_t *rep; /* the last answer, or NULL */
	int by, window;
	int inflight;
	size_t top;         /* first row shown */
	long long asked_ms; /* monotonic time of the last question, 0: none */
};

static struct screen_reports *
rp(struct screen *s)
{
	return (struct screen_reports *)s;
}

/* Does the answer rep answer the question now on screen (g or w may
 * have changed it while the previous one was on its way)? */
static int
rp_current(const struct screen_reports *r, json_t *rep)
{
	static const long long days[] = {1, 7, 30};
	const char *by = json_string_value(json_object_get(rep, "by"));

	return by != NULL && strcmp(by, rp_bys[r->by]) == 0 &&
	       json_integer_value(json_object_get(rep, "since_ms")) ==
	           days[r->window] * 86400000LL;
}

static void
rp_done(struct screen *s, struct api_result *res)
{
	struct screen_reports *r = rp(s);

	r->inflight = 0;
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(s->app, 1, "report: %s", res->error);
		return;
	}
	if (!json_is_object(res->body) || !rp_current(r, res->body))
		return;
	json_decref(r->rep);
	r->rep = res->body;
	res->body = NULL;
}

static void
rp_fetch(struct screen *s)
{
	struct screen_reports *r = rp(s);
	char path[96];

	long long now = clock_mono_ns() / 1000000;

	/* A report reads every alert record of the window, so ask once a
	 * minute, not at every refresh tick (g and w ask at once). */
	if (r->inflight ||
	    (r->asked_ms != 0 && now - r->asked_ms < RP_EVERY_MS))
		return;
	r->inflight = 1;
	r->asked_ms = now;
	snprintf(path, sizeof path, "/api/v1/reports/response?since=%s&by=%s",
	    rp_windows[r->window], rp_bys[r->by]);
	app_fetch(s->app, s, path, rp_done);
}

static long long
rp_int(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* One row at y: its name, then the figures with two bars. */
static void
rp_row(WINDOW *w, int y, int cols, json_t *row, const char *name,
    long long maxdisp, attr_t a)
{
	struct buf b = BUF_INIT;
	struct report_view_times t;
	json_t *share = json_object_get(row, "in_time_share");

	report_view_times(row, &t);
	term_put(w, y, 0, RP_KEYW, name, TEXT_LEFT, a);
	buf_printf(&b, "%5lld ", rp_int(row, "dispatched"));
	report_view_bar(&b,
	    maxdisp > 0 ? (double)rp_int(row, "dispatched") / (double)maxdisp
	                : 0,
	    RP_BARW, term_caps.utf8);
	buf_printf(&b, " %6s %6s %6s %6s %-11s ", t.ack50, t.ack90, t.res50,
	    t.res90, t.share);
	report_view_bar(&b,
	    json_is_number(share) ? json_number_value(share) : 0, RP_BARW,
	    term_caps.utf8);
	buf_printf(&b, " %4lld %4lld %3lld", rp_int(row, "overdue"),
	    rp_int(row, "open_overdue"), rp_int(row, "escalations"));
	term_put(
	    w, y, RP_KEYW + 1, cols - RP_KEYW - 1, buf_str(&b), TEXT_LEFT, a);
	buf_free(&b);
}

static void
rp_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	struct screen_reports *r = rp(s);
	json_t *arr, *row;
	long long maxdisp = 0;
	struct buf b = BUF_INIT;
	size_t i;
	int y;

	if (r->rep == NULL) {
		term_put(w, 1, 2, cols - 4, "Loading the response report ...",
		    TEXT_LEFT, A_BOLD);
		return;
	}
	arr = json_object_get(r->rep, "rows");
	json_array_foreach(arr, i, row)
	{
		if (rp_int(row, "dispatched") > maxdisp)
			maxdisp = rp_int(row, "dispatched");
	}
	buf_printf(&b, "Response by %s, last %s   (g: by %s, w: window)",
	    report_view_by_title(rp_bys[r->by]), rp_windows[r->window],
	    rp_bys[(r->by + 1) % 3]);
	term_title(w, 0, 0, cols, buf_str(&b));
	buf_reset(&b);
	buf_printf(&b, "%-*s %5s %-*s %6s %6s %6s %6s %-11s %-*s %4s %4s %3s",
	    RP_KEYW,
	    r->by == 0   ? "DEPARTMENT"
	    : r->by == 1 ? "SUBDISTRICT"
	                 : "RULE",
	    "DISP", RP_BARW, "", "ACK50", "ACK90", "RES50", "RES90", "IN TIME",
	    RP_BARW, "", "OVER", "OPEN", "ESC");
	term_put(w, 1, 0, cols, buf_str(&b), TEXT_LEFT, A_BOLD);
	y = 2;
	if (r->top >= json_array_size(arr))
		r->top = 0;
	for (i = r->top; i < json_array_size(arr) && y < rows - 2; i++) {
		const char *place, *key;

		row = json_array_get(arr, i);
		key = json_string_value(json_object_get(row, "key"));
		place = json_string_value(json_object_get(
		    row, term_caps.utf8 ? "place" : "place_en"));
		if (s->filter != NULL &&
		    (key == NULL || strstr(key, s->filter) == NULL) &&
		    (place == NULL || strstr(place, s->filter) == NULL))
			continue;
		rp_row(w, y++, cols, row,
		    place != NULL ? place
		    : key != NULL ? key
		                  : "-",
		    maxdisp, A_NORMAL);
	}
	if (json_array_size(arr) == 0)
		term_put(w, y++, 2, cols - 2,
		    "nothing dispatched in this window", TEXT_LEFT,
		    term_attr(TERM_DIM));
	rp_row(w, y, cols, json_object_get(r->rep, "total"), "total", maxdisp,
	    A_BOLD);
	buf_free(&b);
}

static int
rp_nav(struct screen *s, int key)
{
	struct screen_reports *r = rp(s);

	if (key == KEY_DOWN) {
		r->top++;
		return 1;
	}
	if (key == KEY_UP) {
		if (r->top > 0)
			r->top--;
		return 1;
	}
	return 0;
}

static void
rp_by(struct app *app, struct screen *s)
{
	struct screen_reports *r = rp(s);

	r->by = (r->by + 1) % 3;
	r->top = 0;
	r->inflight = 0; /* the answer to the old question is stale */
	r->asked_ms = 0;
	rp_fetch(s);
	app_message(app, 0, "report by %s", rp_bys[r->by]);
}

static void
rp_window(struct app *app, struct screen *s)
{
	struct screen_reports *r = rp(s);

	r->window = (r->window + 1) % 3;
	r->inflight = 0;
	r->asked_ms = 0;
	rp_fetch(s);
	app_message(app, 0, "report over the last %s", rp_windows[r->window]);
}

static void
rp_init(struct screen *s)
{
	rp(s)->window = 1; /* 7 days */
}

static void
rp_destroy(struct screen *s)
{
	json_decref(rp(s)->rep);
}

static const struct binding rp_bindings[] = {
    {.key = 'g',
        .keys = "g",
        .help = "group by department, subdistrict or rule",
        .fn = rp_by},
    {.key = 'w',
        .keys = "w",
        .help = "window: last day, week or month",
        .fn = rp_window},
    {.key = KEY_DOWN, .keys = "arrows", .help = "scroll"},
    {.key = 0},
};

const struct screen_class screen_reports_class = {
    .name = "reports",
    .title = "Reports",
    .tab = "Rep",
    .key = '0',
    .size = sizeof(struct screen_reports),
    .bindings = rp_bindings,
    .init = rp_init,
    .destroy = rp_destroy,
    .fetch = rp_fetch,
    .draw = rp_draw,
    .nav = rp_nav,
};
