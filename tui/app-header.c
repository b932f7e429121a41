/* The console's header: who, hub link, data age, alert count and badge,
 * clock; the tabs and where the screen is; the hub banner. */
#include "config.h"

#include <time.h>

#include "lib/clock.h"
#include "tui/app.h"
#include "tui/attention.h"
#include "tui/screen.h"
#include "tui/term.h"
#include "tui/text.h"

/* The data age of the current screen, in seconds (-1: none yet). */
static long long
app_data_age(struct app *app)
{
	if (!app->cur->fetched)
		return -1;
	return (clock_mono_ms() - app->cur->data_mono_ms) / 1000;
}

/* Draw the tabs in mode (0: titles; 1: short tabs; 2: short tabs of the
 * screens with a digit, and the current one) on row 1 of w, or only
 * measure them when w is NULL; their width. */
static int
app_header_tabs(struct app *app, WINDOW *w, int mode)
{
	struct buf b = BUF_INIT;
	int i, x = 0;

	for (i = 0; i < APP_NSCREENS; i++) {
		const struct screen_class *c = app->screens[i]->cls;
		const char *label = mode == 0 ? c->title : c->tab;
		int cw = text_width(label) + 2;

		if (mode == 2 && c->key == ' ' && app->screens[i] != app->cur)
			continue;
		if (w != NULL) {
			buf_reset(&b);
			buf_printf(&b, "%c%s ", c->key, label);
			term_put(w, 1, x, cw, buf_str(&b), TEXT_LEFT,
			    app->screens[i] == app->cur
			        ? term_attr(TERM_TAB_CUR)
			        : term_attr(TERM_TAB));
		}
		x += cw;
	}
	buf_free(&b);
	return x;
}

void
app_header_draw(struct app *app)
{
	WINDOW *w = app->hdr;
	struct buf b = BUF_INIT, pos = BUF_INIT;
	char clock[16], age[16];
	const char *sep = term_caps.utf8 ? " \xe2\x94\x82 " : " | ";
	time_t t = time(NULL);
	struct tm tm;
	long long a;
	attr_t hattr = term_attr(TERM_HEADER);
	int x, right, badge, mode;

	localtime_r(&t, &tm);
	strftime(clock, sizeof clock, "%H:%M:%S", &tm);
	a = app_data_age(app);
	text_age(a, age, sizeof age);
	buf_puts(&b, " citybrain");
	if (app->have_who) {
		buf_puts(&b, sep);
		buf_printf(&b, "%s %s@%s", app->who.user ? app->who.user : "?",
		    app->who.role ? app->who.role : "?",
		    model_label(app->who.scope_name, app->who.scope_name_en,
		        app->who.scope));
		if (app->desk != NULL) /* the desk this console is on */
			buf_printf(&b, " desk %s", app->desk);
	}
	buf_puts(&b, sep);
	if (!app->link_known)
		buf_puts(&b, "hub ...");
	else if (app->link_ok)
		buf_puts(&b, "hub ok");
	else
		buf_puts(&b, "hub DOWN");
	buf_puts(&b, sep);
	buf_printf(&b, "data %s", age);
	if (app->paused)
		buf_puts(&b, " PAUSED");
	/* The counted alerts and the unacknowledged high ones (attention). */
	buf_reset(&pos);
	if (app->att != NULL) {
		struct buf count = BUF_INIT;

		buf_putc(&pos, ' ');
		if (attention_header(app->att, &count, &pos))
			buf_printf(&b, "%s%s", sep, buf_str(&count));
		buf_free(&count);
		if (pos.len == 1)
			buf_reset(&pos);
		if (attention_flashing(app->att, clock_mono_ms()))
			hattr ^= A_REVERSE;
	}
	right = text_width(clock) + 1;
	badge = pos.len ? text_width(buf_str(&pos)) + 1 : 0;
	if (badge > app->cols / 3)
		badge = 0;
	term_put(
	    w, 0, 0, app->cols - right - badge, buf_str(&b), TEXT_LEFT, hattr);
	if (badge)
		term_put(w, 0, app->cols - right - badge, badge, buf_str(&pos),
		    TEXT_LEFT, term_sev_attr(SEV_HIGH) | A_BOLD | A_REVERSE);
	term_put(w, 0, app->cols - right, right, clock, TEXT_LEFT, hattr);
	/* The screen's position (breadcrumb) or filter, then the tabs in the
	 * room it leaves: full titles if all fit, else short ones, else the
	 * short ones of the screens with a digit (":cases", ":handover" keep
	 * theirs only while current). */
	buf_reset(&pos);
	if (app->cur->filter != NULL)
		buf_printf(&pos, " /%s", app->cur->filter);
	if (app->cur->cls->where != NULL) {
		buf_putc(&pos, ' ');
		app->cur->cls->where(app->cur, &pos);
	}
	for (mode = 0; mode < 3; mode++) {
		if (app_header_tabs(app, NULL, mode) +
		        text_width(buf_str(&pos)) <=
		    app->cols)
			break;
	}
	x = app_header_tabs(app, w, mode > 2 ? 2 : mode);
	term_put(w, 1, x, app->cols - x, buf_str(&pos), TEXT_RIGHT,
	    term_attr(TERM_DIM) | A_BOLD);
	if (app_banner_rows(app)) {
		char since[16];

		buf_reset(&b);
		text_age(app->last_ok_wall_ms
		             ? (clock_wall_ms() - app->last_ok_wall_ms) / 1000
		             : -1,
		    since, sizeof since);
		if (app->link_known && !app->link_ok) {
			buf_printf(&b, " %s - retrying",
			    app->link_error ? app->link_error
			                    : "hub unreachable");
			if (app->last_ok_wall_ms)
				buf_printf(
				    &b, "; last good data %s ago", since);
		} else
			buf_printf(&b, " the hub refuses this console: %s",
			    app->auth_error);
		term_put(w, 2, 0, app->cols, buf_str(&b), TEXT_LEFT,
		    term_attr(TERM_BANNER));
	}
	wnoutrefresh(w);
	buf_free(&b);
	buf_free(&pos);
}
