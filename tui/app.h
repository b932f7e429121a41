/*
 * The interactive console: one struct app per process, owning the API
 * client, the screens, the windows (header, body, F-key bar) and the
 * modal state (help overlay, prompt, confirm dialog).  The main loop
 * (app_run) waits on the terminal and the hub's transfers at once
 * (api_wait), so the UI never blocks on the hub.
 */
#ifndef CB_TUI_APP_H
#define CB_TUI_APP_H

#include <curses.h>
#include <stdint.h>

#include "lib/buf.h"
#include "tui/api.h"
#include "tui/attention.h"
#include "tui/model.h"
#include "tui/spark.h"

struct depts;
struct screen;
struct screen_class;

enum app_screen {
	APP_OVERVIEW,
	APP_TERRITORY,
	APP_GRID,
	APP_ALERTS,
	APP_MAP,
	APP_SYSTEMS,
	APP_QUALITY,
	APP_AUDIT,
	APP_REPORTS,
	APP_INCIDENTS,
	APP_CASES,
	APP_HANDOVER,
	APP_DESK,
	APP_NSCREENS,
};

enum prompt_kind {
	PROMPT_NONE,
	PROMPT_TEXT,    /* a line of text for an action */
	PROMPT_COMMAND, /* ":" command line, with completion */
	PROMPT_FILTER,  /* "/" filter, applied while typing */
	PROMPT_CONFIRM, /* y/n dialog */
};

struct app;

/* Called with the text (NULL when cancelled); arg as given. */
typedef void prompt_done_fn(struct app *app, const char *text, void *arg);
/* Called with 1 (yes) or 0 (no). */
typedef void confirm_done_fn(struct app *app, int yes, void *arg);
/* Called with the key chosen (one of the choices), 0 when cancelled. */
typedef void choice_done_fn(struct app *app, int key, void *arg);
/* Tab in a text prompt: complete text in place; may set the legend. */
typedef void prompt_complete_fn(struct app *app, struct buf *text, void *arg);

struct prompt {
	enum prompt_kind kind;
	char *label;
	struct buf text;
	prompt_done_fn *done;
	confirm_done_fn *confirm;
	void *arg;
	char *saved_filter; /* filter prompt: restored on Esc */
	/* A confirm dialog with choices: the keys and their legend (owned);
	 * a text prompt's legend is shown in a box above it (completions). */
	char *choices, *legend;
	choice_done_fn *choose;
	prompt_complete_fn *complete; /* text prompt: Tab, or NULL */
	/* A text prompt's completions (owned, NULL-terminated; Tab completes
	 * from them), or NULL. */
	char **words;
	/* Tab answered with a message (the matches): show it beside the
	 * prompt while it lasts (other messages stay hidden). */
	int hint;
};

struct app_opts {
	int interval_ms;
	int no_color;
	int ascii; /* force ASCII drawing */
	enum spark_style spark;
	int spark_set;
	const char *start;               /* start screen name or NULL */
	struct attention_opts attention; /* bell and flash severities */
	const char *desk;                /* --desk ID, or NULL */
};

struct app {
	struct api *api;
	struct app_opts opts;
	int interval_ms;
	int paused;
	int quit;
	enum spark_style spark;

	struct screen *screens[APP_NSCREENS];
	struct screen *cur;
	struct screen *prev; /* where Esc returns from grid detail */

	struct model_whoami who;
	int have_who;
	int who_inflight;

	/* Link to the hub. */
	int link_ok;      /* last request reached the hub */
	int link_known;   /* any request finished yet */
	char *link_error; /* owned */
	int link_failures;
	char *auth_error;   /* owned: the hub refused us (401/403) */
	int64_t last_ok_ms; /* monotonic, last successful answer */
	int64_t last_ok_wall_ms;
	int64_t next_refresh_ms;
	int actions_inflight;

	/* Terminal. */
	WINDOW *hdr, *body, *bar;
	int rows, cols;
	int too_small;
	int dirty; /* body needs drawing */
	int help;  /* help overlay shown; scroll offset in help_top */
	int help_top;
	int redraw_all;
	int wake_pipe[2];

	struct attention *att; /* owned: header count, badge, bell, flash */
	struct depts *depts;   /* owned: the department table (dispatch) */

	struct prompt prompt;
	char *message; /* owned; shown in the bar until message_until */
	int message_err;
	int64_t message_until;

	char *desk;           /* owned: the desk this console is on (desk.h) */
	int64_t desk_next_ms; /* monotonic: its next beat */
};

/* Run the console until the operator quits; returns the exit status. */
int app_run(struct api *api, const struct app_opts *opts);

/* ---- For screens ------------------------------------------------------- */

/* Completion of app_fetch: res->error set on failure (the link state is
 * already updated); the callback may take res->body. */
typedef void app_fetch_fn(struct screen *s, struct api_result *res);

/* GET path for screen s; fn is called when it completes. */
void app_fetch(
    struct app *app, struct screen *s, const char *path, app_fetch_fn *fn);

/*
 * An operator action (POST/DELETE): what names it in messages
 * ("acknowledge A000123"); on success the current screen is refreshed.
 */
void app_action(struct app *app, const char *method, const char *path,
    json_t *body, const char *what);

/* Many actions reported as one line once all have answered
 * ("acknowledge 3 alerts: 3 done" or "...: 2 done, 1 failed (A000004:
 * 409 ...)"): make it for n actions, then start exactly n with
 * app_batch_action (what names each one in the failure); it frees itself
 * after the last answer. */
struct app_batch;
struct app_batch *app_batch_new(struct app *app, const char *what, size_t n);
void app_batch_action(struct app_batch *b, const char *method, const char *path,
    json_t *body, const char *what);

void app_message(struct app *app, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void app_dirty(struct app *app);
/* Ask the hub once for signed handover notes waiting for this operator
 * and name the newest in a message (app-handover.c). */
void app_handover_check(struct app *app);

/* Open a text prompt.  done is called exactly once (text NULL when the
 * operator cancelled) and owns arg from then on. */
void app_prompt(struct app *app, const char *label, const char *initial,
    prompt_done_fn *done, void *arg);
/* The open text prompt completes with fn on Tab. */
void app_prompt_complete(struct app *app, prompt_complete_fn *fn);
/* Show text (lines separated by '\n'; NULL: none) in a box above the
 * open text prompt. */
void app_prompt_legend(struct app *app, const char *text);
/* Give the open text prompt words that Tab completes (taken over:
 * a NULL-terminated heap array of heap strings). */
void app_prompt_words(struct app *app, char **words);
/* Ask a yes/no question in a dialog; done as for app_prompt. */
void app_confirm(
    struct app *app, const char *question, confirm_done_fn *done, void *arg);

/* Ask a question answered by one key of choices (legend explains them,
 * "a = all 3   o = only A000003"); any other key cancels. */
void app_choose(struct app *app, const char *question, const char *choices,
    const char *legend, choice_done_fn *done, void *arg);

/* Clear the prompt state without calling back; cancel it (calling back
 * with NULL / no). */
void app_prompt_reset(struct app *app);
/* Free a prompt's words (NULL is fine). */
void app_words_free(char **words);
void app_prompt_cancel(struct app *app);

/* Apply the prompt/confirm/help/screen key handling (tui/app-keys.c). */
void app_key(struct app *app, int key, int is_char);
/* Draw the help overlay (tui/app-keys.c). */
void app_help_draw(struct app *app);
/* Draw the prompt in the bar (tui/app-keys.c); 1 if it drew. */
int app_prompt_draw(struct app *app, WINDOW *w, int cols);
void app_confirm_draw(struct app *app);
/* Draw the text prompt's legend box above the bar (tui/app-keys.c). */
void app_legend_draw(struct app *app);
/* Execute a ":" command line (tui/cmd.c); complete one (Tab) in place. */
void cmd_execute(struct app *app, const char *line);
void cmd_complete(struct app *app, struct buf *line);
/* Complete the word from start to the end of line from list (NULL-
 * terminated): the common prefix of the matches is filled in, several
 * matches are shown as a message; add_space after a single match. */
void cmd_complete_word(struct app *app, struct buf *line, size_t start,
    const char *const *list, int add_space);
/* Append the command list to help lines: one "name args\thelp" each. */
const char *cmd_help_line(size_t i, struct buf *b);
void app_layout(struct app *app);
/* Rows of the hub banner under the header (0 or 1); draw the header
 * (tui/app-header.c). */
int app_banner_rows(struct app *app);
void app_header_draw(struct app *app);

void app_switch(struct app *app, enum app_screen which);
struct screen *app_screen(struct app *app, enum app_screen which);
/* Open the territory screen at code, or the grid detail of a grid. */
void app_open_territory(struct app *app, const char *code);
void app_open_grid(struct app *app, const char *code);
/* Refresh the current screen now. */
void app_refresh_now(struct app *app);

/* Wall clock now in ms (for ages). */
int64_t app_now_ms(void);

/* Screens' extra entry points. */
void screen_territory_open(struct screen *s, const char *code);
void screen_grid_open(struct screen *s, const char *code);
void screen_alerts_set_code(struct screen *s, const char *code);
void screen_alerts_newest(struct screen *s);
/* The desks' ids for :desk's Tab (NULL-terminated), or NULL while the
 * Desk screen asks the hub for them. */
const char *const *screen_desk_ids(struct screen *s);
void screen_map_set_metric(struct screen *s, const char *metric);
void screen_overview_set_metric(struct screen *s, const char *metric);

#endif
