/* Keys: the global bindings, prompts, the confirm dialog, the help overlay. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/bind.h"
#include "tui/screen.h"
#include "tui/term.h"

/* ---- Global bindings --------------------------------------------------- */

static void
g_help(struct app *app, struct screen *s)
{
	app->help = !app->help;
	app->help_top = 0;
	app->redraw_all = 1;
}

static void
g_overview(struct app *app, struct screen *s)
{
	app_switch(app, APP_OVERVIEW);
}

static void
g_filter(struct app *app, struct screen *s)
{
	app_prompt_reset(app);
	app->prompt.kind = PROMPT_FILTER;
	app->prompt.label = xstrdup("/");
	if (s->filter != NULL) {
		buf_puts(&app->prompt.text, s->filter);
		app->prompt.saved_filter = xstrdup(s->filter);
	}
}

static void
g_command(struct app *app, struct screen *s)
{
	app_prompt_reset(app);
	app->prompt.kind = PROMPT_COMMAND;
	app->prompt.label = xstrdup(":");
}

static void
g_quit_confirmed(struct app *app, int yes, void *arg)
{
	if (yes)
		app->quit = 1;
}

static void
g_quit(struct app *app, struct screen *s)
{
	if (app->actions_inflight > 0) {
		app_confirm(app,
		    "An action is still on its way to the hub. Quit anyway?",
		    g_quit_confirmed, NULL);
		return;
	}
	app->quit = 1;
}

static void
g_redraw(struct app *app, struct screen *s)
{
	clearok(curscr, TRUE);
	app->redraw_all = 1;
}

static void
g_pause(struct app *app, struct screen *s)
{
	app->paused = !app->paused;
	app_message(app, 0,
	    app->paused ? "updates paused (p resumes)" : "updates resumed");
	if (!app->paused)
		app_refresh_now(app);
}

static void
g_refresh(struct app *app, struct screen *s)
{
	app_refresh_now(app);
}

static void
g_back(struct app *app, struct screen *s)
{
	if (screen_back(s)) {
		app_refresh_now(app);
		app->dirty = 1;
		return;
	}
	if (s == app_screen(app, APP_GRID) && app->prev != NULL &&
	    app->prev != s) {
		app->cur = app->prev;
		screen_enter(app->cur);
		app_refresh_now(app);
		app->dirty = 1;
	}
}

static void
g_next(struct app *app, struct screen *s)
{
	int i;

	for (i = 0; i < APP_NSCREENS; i++) {
		if (app_screen(app, (enum app_screen)i) == s)
			break;
	}
	app_switch(app, (enum app_screen)((i + 1) % APP_NSCREENS));
}

static void
g_prev(struct app *app, struct screen *s)
{
	int i;

	for (i = 0; i < APP_NSCREENS; i++) {
		if (app_screen(app, (enum app_screen)i) == s)
			break;
	}
	app_switch(
	    app, (enum app_screen)((i + APP_NSCREENS - 1) % APP_NSCREENS));
}

static void
g_spark(struct app *app, struct screen *s)
{
	if (app->spark == SPARK_BRAILLE)
		app->spark = SPARK_BLOCK;
	else if (app->spark == SPARK_BLOCK)
		app->spark = SPARK_ASCII;
	else
		app->spark = term_caps.utf8 ? SPARK_BRAILLE : SPARK_ASCII;
	app_message(app, 0, "sparklines: %s", spark_style_name(app->spark));
	app->dirty = 1;
}

#define G_SCREEN(n, e)                                              \
	static void g_screen_##n(struct app *app, struct screen *s) \
	{                                                           \
		app_switch(app, e);                                 \
	}
/* Jump to the newest alert (the one the bell rang for). */
static void
g_newest(struct app *app, struct screen *s)
{
	app_switch(app, APP_ALERTS);
	screen_alerts_newest(app->cur);
}

G_SCREEN(territory, APP_TERRITORY)
G_SCREEN(grid, APP_GRID)
G_SCREEN(alerts, APP_ALERTS)
G_SCREEN(map, APP_MAP)
G_SCREEN(systems, APP_SYSTEMS)
G_SCREEN(quality, APP_QUALITY)
G_SCREEN(audit, APP_AUDIT)
G_SCREEN(reports, APP_REPORTS)

const struct binding bind_global[] = {
    {.key = '?',
        .key2 = KEY_F(1),
        .keys = "? F1",
        .help = "help: every key of this screen",
        .fkey = 1,
        .bar = "Help",
        .fn = g_help},
    {.key = 'o',
        .key2 = '1',
        .key3 = KEY_F(2),
        .keys = "o 1 F2",
        .help = "overview of the whole district (from anywhere)",
        .fkey = 2,
        .bar = "Over",
        .fn = g_overview},
    {.key = '2',
        .keys = "2",
        .help = "territory: district > grid",
        .fn = g_screen_territory},
    {.key = '3', .keys = "3", .help = "grid detail", .fn = g_screen_grid},
    {.key = '4', .keys = "4", .help = "alerts", .fn = g_screen_alerts},
    {.key = '5', .keys = "5", .help = "map of the grids", .fn = g_screen_map},
    {.key = '6',
        .keys = "6",
        .help = "systems by platform",
        .fn = g_screen_systems},
    {.key = '7', .keys = "7", .help = "data quality", .fn = g_screen_quality},
    {.key = '8', .keys = "8", .help = "audit log", .fn = g_screen_audit},
    {.key = '0',
        .keys = "0",
        .help = "reports: how departments answered their dispatches",
        .fn = g_screen_reports},
    {.key = '!',
        .keys = "!",
        .help = "jump to the newest alert (* marks new since you looked)",
        .fn = g_newest},
    {.key = '\t', .keys = "Tab", .help = "next screen", .fn = g_next},
    {.key = KEY_BTAB, .keys = "S-Tab", .help = "previous screen", .fn = g_prev},
    {.key = '/',
        .key2 = KEY_F(3),
        .keys = "/ F3",
        .help = "filter the rows (Esc clears)",
        .fkey = 3,
        .bar = "Filter",
        .fn = g_filter},
    {.key = ':',
        .key2 = KEY_F(4),
        .keys = ": F4",
        .help = "command line (Tab completes)",
        .fkey = 4,
        .bar = "Cmd",
        .fn = g_command},
    {.key = 'p',
        .key2 = KEY_F(5),
        .keys = "p F5",
        .help = "pause / resume updates",
        .fkey = 5,
        .bar = "Pause",
        .fn = g_pause},
    {.key = 'r', .keys = "r", .help = "refresh now", .fn = g_refresh},
    {.key = 'b',
        .keys = "b",
        .help = "sparkline style: braille, "
                "block, ascii",
        .fn = g_spark},
    {.key = BIND_CTRL('l'),
        .keys = "^L",
        .help = "redraw the screen",
        .fn = g_redraw},
    {.key = BIND_ESC,
        .key2 = KEY_BACKSPACE,
        .key3 = KEY_F(9),
        .keys = "Esc Bksp F9",
        .help = "back / up a level",
        .fkey = 9,
        .bar = "Back",
        .fn = g_back},
    {.key = 'q',
        .key2 = KEY_F(10),
        .keys = "q F10",
        .help = "quit (asks if an action is on its way)",
        .fkey = 10,
        .bar = "Quit",
        .fn = g_quit},
    {.key = 0},
};

const struct binding *
bind_find(const struct binding *table, int key)
{
	const struct binding *tables[2] = {table, bind_global}, *b;
	int t;

	for (t = 0; t < 2; t++) {
		for (b = tables[t]; b != NULL && b->key != 0; b++) {
			if (b->key == key || (b->key2 != 0 && b->key2 == key) ||
			    (b->key3 != 0 && b->key3 == key))
				return b;
		}
	}
	return NULL;
}

/* ---- Prompts ----------------------------------------------------------- */

/* Finish the prompt: reset the state first, so done may open another. */
static void
app_prompt_finish(struct app *app, const char *text, int yes)
{
	/* yes is the key chosen for a choice dialog. */
	struct prompt p = app->prompt;
	char *copy = text != NULL ? xstrdup(text) : NULL;

	memset(&app->prompt, 0, sizeof app->prompt);
	buf_init(&app->prompt.text);
	if (p.kind == PROMPT_CONFIRM && p.choose != NULL)
		p.choose(app, yes, p.arg);
	else if (p.kind == PROMPT_CONFIRM && p.confirm != NULL)
		p.confirm(app, yes, p.arg);
	else if (p.kind == PROMPT_TEXT && p.done != NULL)
		p.done(app, copy, p.arg);
	else if (p.kind == PROMPT_COMMAND && copy != NULL)
		cmd_execute(app, copy);
	free(copy);
	free(p.label);
	buf_free(&p.text);
	free(p.saved_filter);
	free(p.choices);
	free(p.legend);
	app_words_free(p.words);
	app->redraw_all = 1;
}

void
app_prompt_cancel(struct app *app)
{
	if (app->prompt.kind != PROMPT_NONE)
		app_prompt_finish(app, NULL, 0);
}

/* Remove the last UTF-8 character of b. */
static void
app_buf_backspace(struct buf *b)
{
	while (b->len > 0) {
		unsigned char c = (unsigned char)b->data[--b->len];

		if ((c & 0xc0) != 0x80)
			break;
	}
	if (b->data != NULL)
		b->data[b->len] = '\0';
}

static void
app_filter_apply(struct app *app)
{
	struct screen *s = app->cur;

	free(s->filter);
	s->filter =
	    app->prompt.text.len ? xstrdup(buf_str(&app->prompt.text)) : NULL;
	screen_filter_changed(s);
	app->dirty = 1;
}

static void
app_prompt_key(struct app *app, int key, int is_char)
{
	struct prompt *p = &app->prompt;
	char mb[MB_LEN_MAX];
	mbstate_t ps;
	size_t n;

	if (p->kind == PROMPT_CONFIRM && p->choices != NULL) {
		app_prompt_finish(app, NULL,
		    is_char && key > 0 && key < 0x80 &&
		            strchr(p->choices, key) != NULL
		        ? key
		        : 0);
		return;
	}
	if (p->kind == PROMPT_CONFIRM) {
		app_prompt_finish(
		    app, NULL, is_char && (key == 'y' || key == 'Y'));
		return;
	}
	if (is_char && (key == '\r' || key == '\n')) {
		if (p->kind == PROMPT_FILTER) {
			app_filter_apply(app);
			app_prompt_reset(app);
			return;
		}
		app_prompt_finish(app, buf_str(&p->text), 1);
		return;
	}
	if (!is_char && key == KEY_ENTER) {
		app_prompt_key(app, '\r', 1);
		return;
	}
	if (is_char && (key == BIND_ESC || key == BIND_CTRL('g') ||
	                   key == BIND_CTRL('c'))) {
		if (p->kind == PROMPT_FILTER) {
			buf_reset(&p->text);
			app_filter_apply(app);
			app_prompt_reset(app);
			return;
		}
		app_prompt_finish(app, NULL, 0);
		return;
	}
	if ((!is_char && key == KEY_BACKSPACE) ||
	    (is_char && (key == 127 || key == 8)))
		app_buf_backspace(&p->text);
	else if (is_char && key == BIND_CTRL('u'))
		buf_reset(&p->text);
	else if (is_char && key == BIND_CTRL('w')) {
		while (p->text.len > 0 && p->text.data[p->text.len - 1] == ' ')
			app_buf_backspace(&p->text);
		while (p->text.len > 0 && p->text.data[p->text.len - 1] != ' ')
			app_buf_backspace(&p->text);
	} else if (is_char && key == '\t' && p->kind == PROMPT_COMMAND)
		cmd_complete(app, &p->text);
	else if (is_char && key == '\t' && p->kind == PROMPT_TEXT &&
	         p->complete != NULL)
		p->complete(app, &p->text, p->arg);
	else if (is_char && key == '\t' && p->words != NULL)
		cmd_complete_word(
		    app, &p->text, 0, (const char *const *)p->words, 0);
	else if (is_char && key >= 0x20 && key != 0x7f) {
		if (key < 0x80)
			buf_putc(&p->text, (char)key);
		else {
			memset(&ps, 0, sizeof ps);
			n = wcrtomb(mb, (wchar_t)key, &ps);
			if (n != (size_t)-1)
				buf_append(&p->text, mb, n);
		}
	} else
		return;
	if (p->kind == PROMPT_FILTER)
		app_filter_apply(app);
}

int
app_prompt_draw(struct app *app, WINDOW *w, int cols)
{
	struct prompt *p = &app->prompt;
	struct buf b = BUF_INIT;
	int lw, tw, avail;
	const char *t;

	if (p->kind == PROMPT_NONE || p->kind == PROMPT_CONFIRM)
		return 0;
	werase(w);
	lw = text_width(p->label);
	term_put(w, 0, 0, lw, p->label, TEXT_LEFT, term_attr(TERM_TITLE));
	/* Show the end of the text when it is longer than the line. */
	t = buf_str(&p->text);
	avail = cols - lw - 2;
	while ((tw = text_width(t)) > avail && *t != '\0') {
		unsigned cp;

		t += text_decode(t, strlen(t), &cp);
	}
	buf_puts(&b, t);
	buf_puts(&b, term_caps.utf8 ? "\xe2\x96\x8f" : "_");
	term_put(w, 0, lw, cols - lw, buf_str(&b), TEXT_LEFT, A_NORMAL);
	/* A message (Tab's matches) after the text while there is room. */
	tw = lw + text_width(buf_str(&b)) + 2;
	if (p->hint && app->message != NULL &&
	    clock_mono_ms() < app->message_until && cols - tw > 8)
		term_put(w, 0, tw, cols - tw, app->message, TEXT_LEFT,
		    app->message_err ? term_attr(TERM_BANNER)
		                     : term_attr(TERM_TITLE));
	buf_free(&b);
	return 1;
}

/* A framed, cleared window at y, x; the caller deletes it. */
static WINDOW *
app_box_at(int h, int w, int y, int x)
{
	WINDOW *win = newwin(h, w, y, x);

	leaveok(win, TRUE);
	werase(win);
	if (term_caps.utf8)
		box(win, 0, 0);
	else
		wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');
	return win;
}

/* A centred box; returns the window (caller deletes). */
static WINDOW *
app_box(struct app *app, int h, int w)
{
	if (w > app->cols - 2)
		w = app->cols - 2;
	if (h > app->rows - 2)
		h = app->rows - 2;
	return app_box_at(h, w, (app->rows - h) / 2, (app->cols - w) / 2);
}

void
app_confirm_draw(struct app *app)
{
	int w = text_width(app->prompt.label) + 6;
	WINDOW *win;

	if (app->prompt.legend != NULL &&
	    text_width(app->prompt.legend) + 6 > w)
		w = text_width(app->prompt.legend) + 6;
	if (w < 36)
		w = 36;
	win = app_box(app, 5, w);
	term_put(
	    win, 1, 2, getmaxx(win) - 4, app->prompt.label, TEXT_LEFT, A_BOLD);
	term_put(win, 3, 2, getmaxx(win) - 4,
	    app->prompt.legend != NULL ? app->prompt.legend
	                               : "y = yes    any other key = no",
	    TEXT_LEFT, A_NORMAL);
	wnoutrefresh(win);
	delwin(win);
}

/* The text prompt's legend (completions) in a box above the bar, at the
 * bottom left of the body. */
void
app_legend_draw(struct app *app)
{
	const char *s = app->prompt.legend, *nl;
	int n = 1, w = 20, h, by, bx, row;
	WINDOW *win;
	char *line;

	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		line = nl != NULL ? xstrndup(s, (size_t)(nl - s)) : xstrdup(s);
		if (text_width(line) + 4 > w)
			w = text_width(line) + 4;
		free(line);
		n++;
		if (nl == NULL)
			break;
	}
	getmaxyx(app->body, h, row);
	getbegyx(app->body, by, bx);
	(void)bx;
	if (n + 1 > h)
		n = h - 1;
	if (w > app->cols)
		w = app->cols;
	if (n < 2)
		return;
	win = app_box_at(n + 1, w, by + h - n - 1, 0);
	s = app->prompt.legend;
	for (row = 1; row < n && s != NULL; row++) {
		nl = strchr(s, '\n');
		line = nl != NULL ? xstrndup(s, (size_t)(nl - s)) : xstrdup(s);
		term_put(win, row, 2, w - 4, line, TEXT_LEFT, A_NORMAL);
		free(line);
		s = nl != NULL ? nl + 1 : NULL;
	}
	wnoutrefresh(win);
	delwin(win);
}

/* ---- Help overlay ------------------------------------------------------ */

static void
help_add(struct buf *lines, size_t *n, const char *keys, const char *text)
{
	struct buf b = BUF_INIT;

	text_fit(&b, keys, 13, TEXT_LEFT);
	buf_putc(&b, ' ');
	buf_puts(&b, text);
	buf_puts(lines, buf_str(&b));
	buf_putc(lines, '\n');
	(*n)++;
	buf_free(&b);
}

void
app_help_draw(struct app *app)
{
	struct buf lines = BUF_INIT, tmp = BUF_INIT;
	const struct binding *b;
	const char *p, *nl;
	size_t n = 0, i;
	WINDOW *win;
	int h, w, y, row;

	buf_printf(&lines, "\001%s screen\n", app->cur->cls->title);
	n++;
	for (b = app->cur->cls->bindings; b != NULL && b->key != 0; b++)
		help_add(&lines, &n, b->keys, b->help);
	buf_puts(&lines, "\n\001Everywhere\n");
	n += 2;
	for (b = bind_global; b->key != 0; b++)
		help_add(&lines, &n, b->keys, b->help);
	buf_puts(&lines, "\n\001Commands (: then Tab completes)\n");
	n += 2;
	for (i = 0; cmd_help_line(i, &tmp) != NULL; i++) {
		p = strchr(buf_str(&tmp), '\t');
		if (p != NULL) {
			char *k = xstrndup(
			    buf_str(&tmp), (size_t)(p - buf_str(&tmp)));

			help_add(&lines, &n, k, p + 1);
			free(k);
		}
		buf_reset(&tmp);
	}
	h = (int)n + 3;
	w = 72;
	win = app_box(app, h, w);
	getmaxyx(win, h, w);
	if (app->help_top > (int)n - (h - 3))
		app->help_top = (int)n - (h - 3);
	if (app->help_top < 0)
		app->help_top = 0;
	term_put(win, 0, 2, w - 4, " Help (arrows scroll, any key closes) ",
	    TEXT_LEFT, A_BOLD);
	p = buf_str(&lines);
	for (row = 0, y = 1; *p != '\0' && y < h - 1; row++) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (row >= app->help_top) {
			char *line = xstrndup(p, (size_t)(nl - p));

			if (line[0] == '\001')
				term_put(win, y, 2, w - 4, line + 1, TEXT_LEFT,
				    A_BOLD | A_UNDERLINE);
			else
				term_put(win, y, 2, w - 4, line, TEXT_LEFT,
				    A_NORMAL);
			free(line);
			y++;
		}
		p = *nl ? nl + 1 : nl;
	}
	wnoutrefresh(win);
	delwin(win);
	buf_free(&lines);
	buf_free(&tmp);
}

/* ---- Dispatch ---------------------------------------------------------- */

void
app_key(struct app *app, int key, int is_char)
{
	const struct binding *b;
	int k = key;

	if (app->too_small) {
		if (is_char && (key == 'q' || key == BIND_CTRL('l')))
			app->quit = key == 'q';
		return;
	}
	if (app->prompt.kind != PROMPT_NONE) {
		app_prompt_key(app, key, is_char);
		app->dirty = 1;
		return;
	}
	if (app->help) {
		if (!is_char && (key == KEY_DOWN || key == KEY_NPAGE))
			app->help_top += key == KEY_DOWN ? 1 : 10;
		else if (!is_char && (key == KEY_UP || key == KEY_PPAGE))
			app->help_top -= key == KEY_UP ? 1 : 10;
		else
			app->help = 0;
		app->redraw_all = 1;
		return;
	}
	if (is_char && key >= KEY_MIN)
		return; /* a character that would look like a KEY_ code */
	/* Enter and Backspace arrive in several spellings. */
	if (is_char && (key == '\r' || key == '\n'))
		k = KEY_ENTER;
	else if (is_char && (key == 127 || key == 8))
		k = KEY_BACKSPACE;
	if (screen_nav(app->cur, k)) {
		app->dirty = 1;
		return;
	}
	b = bind_find(app->cur->cls->bindings, k);
	if (b != NULL && b->fn != NULL) {
		b->fn(app, app->cur);
		app->dirty = 1;
	}
}
