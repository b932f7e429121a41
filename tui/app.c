/* The interactive console: main loop, hub link, windows, header and bar. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/depts.h"
#include "tui/desk.h"
#include "tui/bind.h"
#include "tui/screen.h"
#include "tui/term.h"

/* Smallest terminal the console draws into. */
#define APP_MIN_COLS 60
#define APP_MIN_ROWS 15

static const struct screen_class *const app_classes[APP_NSCREENS] = {
    [APP_OVERVIEW] = &screen_overview_class,
    [APP_TERRITORY] = &screen_territory_class,
    [APP_GRID] = &screen_grid_class,
    [APP_ALERTS] = &screen_alerts_class,
    [APP_MAP] = &screen_map_class,
    [APP_SYSTEMS] = &screen_systems_class,
    [APP_QUALITY] = &screen_quality_class,
    [APP_AUDIT] = &screen_audit_class,
    [APP_REPORTS] = &screen_reports_class,
    [APP_INCIDENTS] = &screen_incidents_class,
    [APP_CASES] = &screen_cases_class,
    [APP_HANDOVER] = &screen_handover_class,
    [APP_DESK] = &screen_desk_class,
};

static int app_wake_fd = -1;
static volatile sig_atomic_t app_terminate; /* SIGTERM/SIGHUP arrived */

int64_t
app_now_ms(void)
{
	return clock_wall_ms();
}

/* ---- Hub link ---------------------------------------------------------- */

static void app_who_fetch(struct app *app);

/* Record how a request went: reachable or not. */
static void
app_link_update(struct app *app, const struct api_result *res)
{
	int was_down = app->link_known && !app->link_ok;

	if (res->status < 0) /* cancelled at exit */
		return;
	app->link_known = 1;
	if (res->status == 0) {
		app->link_ok = 0;
		app->link_failures++;
		free(app->link_error);
		app->link_error =
		    xstrdup(res->error ? res->error : "no answer");
		return;
	}
	app->link_ok = 1;
	app->link_failures = 0;
	app->last_ok_ms = clock_mono_ms();
	app->last_ok_wall_ms = clock_wall_ms();
	if (was_down) {
		app_message(app, 0, "hub is back");
		if (!app->have_who)
			app_who_fetch(app);
	}
}

struct app_fetch_ctx {
	struct app *app;
	struct screen *s;
	app_fetch_fn *fn;
};

static void
app_fetch_done(void *arg, struct api_result *res)
{
	struct app_fetch_ctx *c = arg;
	struct app *app = c->app;
	int was_down = app->link_known && !app->link_ok;

	app_link_update(app, res);
	if (res->error == NULL) {
		c->s->fetched = 1;
		c->s->data_mono_ms = clock_mono_ms();
	}
	c->fn(c->s, res);
	if (was_down != (app->link_known && !app->link_ok))
		app_layout(app);
	app->dirty = 1;
	free(c);
}

void
app_fetch(struct app *app, struct screen *s, const char *path, app_fetch_fn *fn)
{
	struct app_fetch_ctx *c = xmalloc(sizeof *c);

	c->app = app;
	c->s = s;
	c->fn = fn;
	api_start(app->api, "GET", path, NULL, app_fetch_done, c);
}

static void
app_who_done(void *arg, struct api_result *res)
{
	struct app *app = arg;
	char *cause = NULL;

	int rows = app_banner_rows(app);

	app->who_inflight = 0;
	app_link_update(app, res);
	if (res->error != NULL && (res->status == 401 || res->status == 403)) {
		free(app->auth_error);
		app->auth_error = xstrdup(res->error);
	} else if (res->error == NULL) {
		free(app->auth_error);
		app->auth_error = NULL;
	}
	if (rows != app_banner_rows(app))
		app_layout(app);
	if (res->error != NULL) {
		if (res->status != 0)
			app_message(app, 1, "whoami: %s", res->error);
		return;
	}
	model_whoami_free(&app->who);
	if (model_whoami_decode(res->body, &app->who, &cause) == 0) {
		if (!app->have_who)
			app_handover_check(app); /* once, at start-up */
		app->have_who = 1;
	} else
		free(cause);
	res->body = NULL;
}

static void
app_who_fetch(struct app *app)
{
	if (app->who_inflight)
		return;
	app->who_inflight = 1;
	api_start(app->api, "GET", "/api/v1/whoami", NULL, app_who_done, app);
}

/* Several actions reported as one line once all have answered. */
struct app_batch {
	struct app *app;
	char *what; /* "acknowledge 3 alerts" */
	size_t left, ok, failed;
	char *first_error; /* "A000004: 409 ..." */
};

struct app_action_ctx {
	struct app *app;
	char *what;
	struct app_batch *batch; /* NULL: a single action */
};

struct app_batch *
app_batch_new(struct app *app, const char *what, size_t n)
{
	struct app_batch *b = xcalloc(1, sizeof *b);

	b->app = app;
	b->what = xstrdup(what);
	b->left = n;
	return b;
}

/* Count one answer of a batch; the last one reports and frees it. */
static void
app_batch_done(struct app_batch *b, const char *what, const char *error)
{
	if (error != NULL) {
		b->failed++;
		if (b->first_error == NULL)
			b->first_error = xasprintf("%s: %s", what, error);
	} else
		b->ok++;
	if (--b->left > 0)
		return;
	if (b->failed == 0)
		app_message(b->app, 0, "%s: %zu done", b->what, b->ok);
	else
		app_message(b->app, 1, "%s: %zu done, %zu failed (%s)", b->what,
		    b->ok, b->failed, b->first_error);
	free(b->first_error);
	free(b->what);
	free(b);
}

static void
app_action_done(void *arg, struct api_result *res)
{
	struct app_action_ctx *c = arg;
	struct app *app = c->app;

	app->actions_inflight--;
	app_link_update(app, res);
	if (c->batch != NULL)
		app_batch_done(c->batch, c->what, res->error);
	else if (res->error != NULL)
		app_message(app, 1, "%s failed: %s", c->what, res->error);
	else
		app_message(app, 0, "%s: done", c->what);
	app_refresh_now(app);
	free(c->what);
	free(c);
}

static void
app_action_start(struct app *app, struct app_batch *batch, const char *method,
    const char *path, json_t *body, const char *what)
{
	struct app_action_ctx *c = xmalloc(sizeof *c);

	c->app = app;
	c->what = xstrdup(what);
	c->batch = batch;
	app->actions_inflight++;
	app_message(app, 0, "%s ...", batch != NULL ? batch->what : what);
	api_start(app->api, method, path, body, app_action_done, c);
}

void
app_action(struct app *app, const char *method, const char *path, json_t *body,
    const char *what)
{
	app_action_start(app, NULL, method, path, body, what);
}

void
app_batch_action(struct app_batch *b, const char *method, const char *path,
    json_t *body, const char *what)
{
	app_action_start(b->app, b, method, path, body, what);
}

void
app_refresh_now(struct app *app)
{
	app->next_refresh_ms = 0;
}

/* Ask the current screen (and whoami) for fresh data. */
static void
app_tick(struct app *app)
{
	int64_t now = clock_mono_ms(), delay;

	if (!app->have_who)
		app_who_fetch(app);
	screen_refresh(app->cur);
	attention_refresh(app->att, app);
	app_desk_tick(app);
	delay = app->interval_ms;
	if (app->link_known && !app->link_ok) {
		/* Hub gone: retry 1 s, 2 s, 4 s, then every 5 s. */
		delay = 1000LL
		        << (app->link_failures > 3 ? 3
		                                   : app->link_failures - 1);
		if (delay > 5000)
			delay = 5000;
	}
	app->next_refresh_ms = now + delay;
}

/* ---- Messages, prompts, switching -------------------------------------- */

void
app_message(struct app *app, int err, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	free(app->message);
	app->message = m;
	app->message_err = err;
	app->message_until = clock_mono_ms() + (err ? 8000 : 4000);
}

void
app_dirty(struct app *app)
{
	app->dirty = 1;
}

void
app_words_free(char **words)
{
	size_t i;

	for (i = 0; words != NULL && words[i] != NULL; i++)
		free(words[i]);
	free(words);
}

void
app_prompt_reset(struct app *app)
{
	free(app->prompt.label);
	buf_free(&app->prompt.text);
	free(app->prompt.saved_filter);
	free(app->prompt.choices);
	free(app->prompt.legend);
	app_words_free(app->prompt.words);
	memset(&app->prompt, 0, sizeof app->prompt);
}

void
app_prompt_words(struct app *app, char **words)
{
	app_words_free(app->prompt.words);
	app->prompt.words = words;
}

void
app_prompt(struct app *app, const char *label, const char *initial,
    prompt_done_fn *done, void *arg)
{
	app_prompt_reset(app);
	app->prompt.kind = PROMPT_TEXT;
	app->prompt.label = xstrdup(label);
	if (initial != NULL)
		buf_puts(&app->prompt.text, initial);
	app->prompt.done = done;
	app->prompt.arg = arg;
}

void
app_prompt_complete(struct app *app, prompt_complete_fn *fn)
{
	app->prompt.complete = fn;
}

void
app_prompt_legend(struct app *app, const char *text)
{
	free(app->prompt.legend);
	app->prompt.legend = text != NULL ? xstrdup(text) : NULL;
	app->dirty = 1;
}

void
app_confirm(
    struct app *app, const char *question, confirm_done_fn *done, void *arg)
{
	app_prompt_reset(app);
	app->prompt.kind = PROMPT_CONFIRM;
	app->prompt.label = xstrdup(question);
	app->prompt.confirm = done;
	app->prompt.arg = arg;
	app->redraw_all = 1;
}

void
app_choose(struct app *app, const char *question, const char *choices,
    const char *legend, choice_done_fn *done, void *arg)
{
	app_prompt_reset(app);
	app->prompt.kind = PROMPT_CONFIRM;
	app->prompt.label = xstrdup(question);
	app->prompt.choices = xstrdup(choices);
	app->prompt.legend = xstrdup(legend);
	app->prompt.choose = done;
	app->prompt.arg = arg;
	app->redraw_all = 1;
}

struct screen *
app_screen(struct app *app, enum app_screen which)
{
	return app->screens[which];
}

void
app_switch(struct app *app, enum app_screen which)
{
	struct screen *s = app->screens[which];

	if (s != app->cur) {
		if (app->cur == app->screens[APP_ALERTS])
			attention_looked(app->att);
		if (which == APP_GRID)
			app->prev = app->cur;
		app->cur = s;
		screen_enter(s);
	}
	app->dirty = 1;
	app->help = 0;
	app_refresh_now(app);
}

void
app_open_territory(struct app *app, const char *code)
{
	screen_territory_open(app->screens[APP_TERRITORY], code);
	app_switch(app, APP_TERRITORY);
}

void
app_open_grid(struct app *app, const char *code)
{
	screen_grid_open(app->screens[APP_GRID], code);
	app_switch(app, APP_GRID);
}

/* ---- Drawing ----------------------------------------------------------- */

int
app_banner_rows(struct app *app)
{
	return (app->link_known && !app->link_ok) || app->auth_error != NULL
	           ? 1
	           : 0;
}

void
app_layout(struct app *app)
{
	int hrows;

	if (app->hdr != NULL)
		delwin(app->hdr);
	if (app->body != NULL)
		delwin(app->body);
	if (app->bar != NULL)
		delwin(app->bar);
	app->hdr = app->body = app->bar = NULL;
	getmaxyx(stdscr, app->rows, app->cols);
	app->too_small = app->cols < APP_MIN_COLS || app->rows < APP_MIN_ROWS;
	if (!app->too_small) {
		hrows = 2 + app_banner_rows(app);
		app->hdr = newwin(hrows, app->cols, 0, 0);
		app->body = newwin(app->rows - hrows - 1, app->cols, hrows, 0);
		app->bar = newwin(1, app->cols, app->rows - 1, 0);
		leaveok(app->hdr, TRUE);
		leaveok(app->body, TRUE);
	} else
		app->bar = newwin(1, 1, 0, 0);
	leaveok(app->bar, TRUE);
	keypad(app->bar, TRUE);
	nodelay(app->bar, TRUE);
	app->dirty = 1;
	app->redraw_all = 1;
}

/* The F-key bar: F1..F10 from the screen's bindings, then the global. */
static void
app_bar_draw(struct app *app)
{
	WINDOW *w = app->bar;
	const struct binding *tables[2] = {
	    app->cur->cls->bindings, bind_global};
	int f, t, x = 0, lw;
	char num[12];

	if (app_prompt_draw(app, w, app->cols)) {
		wnoutrefresh(w);
		return;
	}
	if (app->message != NULL && clock_mono_ms() < app->message_until) {
		term_put(w, 0, 0, app->cols, app->message, TEXT_LEFT,
		    app->message_err ? term_attr(TERM_BANNER)
		                     : term_attr(TERM_TITLE));
		wnoutrefresh(w);
		return;
	}
	lw = app->cols / 10 - 2;
	if (lw < 4)
		lw = 4;
	if (lw > 8)
		lw = 8;
	for (f = 1; f <= 10; f++) {
		const struct binding *bd = NULL;

		for (t = 0; t < 2 && bd == NULL; t++) {
			const struct binding *p = tables[t];

			for (; p != NULL && p->key != 0; p++) {
				if (p->fkey == f) {
					bd = p;
					break;
				}
			}
		}
		snprintf(num, sizeof num, "%d", f);
		term_put(w, 0, x, f == 10 ? 2 : 1, num, TEXT_RIGHT,
		    term_attr(TERM_FKEY));
		x += f == 10 ? 2 : 1;
		term_put(w, 0, x, lw + (f == 10 ? 0 : 1),
		    bd != NULL ? bd->bar : "", TEXT_LEFT,
		    term_attr(TERM_FKEY_TEXT));
		x += lw + (f == 10 ? 0 : 1);
	}
	term_clear_eol(w, 0, x);
	wnoutrefresh(w);
}

static void
app_draw(struct app *app)
{
	if (app->redraw_all) {
		app->redraw_all = 0;
		app->dirty = 1;
		if (app->too_small)
			werase(stdscr);
		else {
			werase(app->hdr);
			werase(app->bar);
		}
	}
	if (app->too_small) {
		werase(stdscr);
		mvwaddnstr(stdscr, 0, 0, "terminal too small", app->cols);
		mvwprintw(stdscr, 1, 0, "%dx%d < %dx%d", app->cols, app->rows,
		    APP_MIN_COLS, APP_MIN_ROWS);
		mvwaddnstr(stdscr, 2, 0, "q quits", app->cols);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	app_header_draw(app);
	if (app->dirty) {
		int r, c;

		app->dirty = 0;
		werase(app->body);
		getmaxyx(app->body, r, c);
		screen_draw(app->cur, app->body, r, c);
		wnoutrefresh(app->body);
		if (app->help)
			app_help_draw(app);
		if (app->prompt.kind == PROMPT_CONFIRM)
			app_confirm_draw(app);
		else if (app->prompt.kind == PROMPT_TEXT &&
		         app->prompt.legend != NULL)
			app_legend_draw(app);
	}
	app_bar_draw(app);
	doupdate();
}

/* ---- Signals and the loop ---------------------------------------------- */

static void
app_sigwinch(int sig)
{
	int e = errno;
	char c = 'w';

	if (sig == SIGTERM || sig == SIGHUP)
		app_terminate = 1;
	if (app_wake_fd >= 0 && write(app_wake_fd, &c, 1) < 0) {
		/* nothing to do: a wake-up is already pending */
	}
	errno = e;
}

/* SIGWINCH arrived (through the wake pipe): tell ncurses the new size.
 * resizeterm() queues a KEY_RESIZE, which lays the windows out again. */
static void
app_resize(struct app *app)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && is_term_resized(ws.ws_row, ws.ws_col))
		resizeterm(ws.ws_row, ws.ws_col);
	app_layout(app);
}

static void
app_read_keys(struct app *app)
{
	wint_t wch;
	int rc;

	while ((rc = wget_wch(app->bar, &wch)) != ERR) {
		if (rc == KEY_CODE_YES && wch == KEY_RESIZE) {
			/* ncurses already has the new size: never call
			 * resizeterm here, it would queue another. */
			app_layout(app);
			continue;
		}
		app_key(app, (int)wch, rc != KEY_CODE_YES);
		if (app->quit)
			break;
	}
}

static void
app_init_screens(struct app *app)
{
	int i;

	for (i = 0; i < APP_NSCREENS; i++) {
		struct screen *s = xcalloc(1, app_classes[i]->size);

		s->cls = app_classes[i];
		s->app = app;
		if (s->cls->init != NULL)
			s->cls->init(s);
		app->screens[i] = s;
	}
	app->cur = app->screens[APP_OVERVIEW];
	/* --desk ID opens on the desk's queue unless -s names a screen. */
	if (app->opts.desk != NULL)
		app->cur = app->screens[APP_DESK];
	if (app->opts.start != NULL) {
		for (i = 0; i < APP_NSCREENS; i++) {
			if (strcmp(app_classes[i]->name, app->opts.start) == 0)
				app->cur = app->screens[i];
		}
	}
	screen_enter(app->cur);
}

static void
app_free_screens(struct app *app)
{
	int i;

	for (i = 0; i < APP_NSCREENS; i++) {
		struct screen *s = app->screens[i];

		if (s->cls->destroy != NULL)
			s->cls->destroy(s);
		free(s->filter);
		free(s);
	}
}

int
app_run(struct api *api, const struct app_opts *opts)
{
	struct app app;
	struct sigaction sa;
	SCREEN *scr;
	int64_t now, wait, wall;
	int ready;
	char drain[64];

	memset(&app, 0, sizeof app);
	app.api = api;
	app.opts = *opts;
	app.interval_ms = opts->interval_ms;
	buf_init(&app.prompt.text);
	term_caps_detect();
	if (opts->ascii) {
		term_caps.utf8 = 0;
		text_set_utf8(0);
	}
	app.spark = opts->spark_set  ? opts->spark
	            : term_caps.utf8 ? SPARK_BRAILLE
	                             : SPARK_ASCII;
	if (pipe(app.wake_pipe) != 0)
		return 1;
	fcntl(app.wake_pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(app.wake_pipe[1], F_SETFL, O_NONBLOCK);
	fcntl(app.wake_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(app.wake_pipe[1], F_SETFD, FD_CLOEXEC);
	app_wake_fd = app.wake_pipe[1];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = app_sigwinch;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	/* SIGTERM, SIGHUP: quit as q does, the terminal restored. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	scr = newterm(NULL, stdout, stdin);
	if (scr == NULL) {
		fprintf(stderr,
		    "citybrain: cannot use this terminal "
		    "(TERM=%s)\n",
		    getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	set_escdelay(25);
	raw();
	noecho();
	nonl();
	curs_set(0);
	leaveok(stdscr, TRUE);
	term_colors_init(opts->no_color);
	app.att = attention_new(&opts->attention);
	app.depts = depts_new();
	app_init_screens(&app);
	app_layout(&app);
	app_desk_set(&app, opts->desk);

	while (!app.quit) {
		now = clock_mono_ms();
		if (now >= app.next_refresh_ms && !app.paused)
			app_tick(&app);
		else if (now >= app.next_refresh_ms && app.paused)
			app.next_refresh_ms = now + app.interval_ms;
		app_draw(&app);
		wall = clock_wall_ms();
		wait = 1000 - wall % 1000 + 5;
		if (app.next_refresh_ms - now < wait)
			wait = app.next_refresh_ms - now;
		if (app.message != NULL && app.message_until - now < wait &&
		    app.message_until > now)
			wait = app.message_until - now;
		if (wait < 0)
			wait = 0;
		api_wait(
		    api, STDIN_FILENO, app.wake_pipe[0], (int)wait, &ready);
		if (read(app.wake_pipe[0], drain, sizeof drain) > 0)
			app_resize(&app);
		if (app_terminate)
			app.quit = 1;
		app_read_keys(&app);
	}

	api_cancel_all(api);
	app_desk_leave(&app);
	app_prompt_cancel(&app);
	if (app.hdr != NULL)
		delwin(app.hdr);
	if (app.body != NULL)
		delwin(app.body);
	if (app.bar != NULL)
		delwin(app.bar);
	endwin();
	delscreen(scr);
	term_free();
	app_free_screens(&app);
	attention_free(app.att);
	depts_free(app.depts);
	model_whoami_free(&app.who);
	free(app.link_error);
	free(app.auth_error);
	free(app.message);
	app_wake_fd = -1;
	close(app.wake_pipe[0]);
	close(app.wake_pipe[1]);
	return 0;
}
