/* The ":" command line: a const table of commands, and Tab completion. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/app.h"
#include "tui/desk.h"
#include "tui/screen.h"
#include "tui/text.h"

enum cmd_arg {
	CMD_ARG_NONE,
	CMD_ARG_CODE,
	CMD_ARG_METRIC,
	CMD_ARG_STYLE,
	CMD_ARG_TEXT,
	CMD_ARG_DESK,
};

struct cmd_entry {
	const char *name;
	const char *alias;
	const char *args; /* for help: "[CODE]" */
	const char *help;
	enum cmd_arg arg;
	void (*fn)(struct app *app, const char *args);
};

/* Metric names offered for completion (headline metrics of the demo). */
static const char *const cmd_metrics[] = {"severity", "aqi", "water_level",
    "congestion", "noise_db", "rainfall", NULL};
static const char *const cmd_styles[] = {"braille", "block", "ascii", NULL};

static void
cmd_overview(struct app *app, const char *args)
{
	app_switch(app, APP_OVERVIEW);
}

static void
cmd_territory(struct app *app, const char *args)
{
	if (*args != '\0')
		app_open_territory(app, args);
	else
		app_switch(app, APP_TERRITORY);
}

static void
cmd_grid(struct app *app, const char *args)
{
	if (*args != '\0')
		app_open_grid(app, args);
	else
		app_switch(app, APP_GRID);
}

static void
cmd_goto(struct app *app, const char *args)
{
	if (strlen(args) == 15)
		app_open_grid(app, args);
	else if (*args != '\0')
		app_open_territory(app, args);
	else
		app_message(app, 1, "goto: which code?");
}

static void
cmd_alerts(struct app *app, const char *args)
{
	screen_alerts_set_code(
	    app_screen(app, APP_ALERTS), *args ? args : NULL);
	app_switch(app, APP_ALERTS);
}

static void
cmd_map(struct app *app, const char *args)
{
	if (*args != '\0')
		screen_map_set_metric(app_screen(app, APP_MAP), args);
	app_switch(app, APP_MAP);
}

static void
cmd_metric(struct app *app, const char *args)
{
	screen_map_set_metric(app_screen(app, APP_MAP), args);
	screen_overview_set_metric(app_screen(app, APP_OVERVIEW), args);
	app_dirty(app);
}

#define CMD_SCREEN(n, e)                                       \
	static void cmd_##n(struct app *app, const char *args) \
	{                                                      \
		app_switch(app, e);                            \
	}
CMD_SCREEN(systems, APP_SYSTEMS)
CMD_SCREEN(quality, APP_QUALITY)
CMD_SCREEN(audit, APP_AUDIT)
CMD_SCREEN(reports, APP_REPORTS)
CMD_SCREEN(incidents, APP_INCIDENTS)
CMD_SCREEN(cases, APP_CASES)
CMD_SCREEN(handover, APP_HANDOVER)

static void
cmd_filter(struct app *app, const char *args)
{
	free(app->cur->filter);
	app->cur->filter = *args ? xstrdup(args) : NULL;
	screen_filter_changed(app->cur);
}

static void
cmd_interval(struct app *app, const char *args)
{
	int64_t ms;

	if (clock_parse_duration(args, &ms) != 0 || ms < 200 || ms > 3600000) {
		app_message(app, 1, "interval: expected 0.2s..1h, e.g. 5s");
		return;
	}
	app->interval_ms = (int)ms;
	app_message(app, 0, "refreshing every %.1f s", (double)ms / 1000);
	app_refresh_now(app);
}

static void
cmd_pause(struct app *app, const char *args)
{
	app->paused = 1;
}

static void
cmd_resume(struct app *app, const char *args)
{
	app->paused = 0;
	app_refresh_now(app);
}

static void
cmd_spark(struct app *app, const char *args)
{
	enum spark_style st;

	if (spark_style_parse(args, &st) != 0) {
		app_message(app, 1, "spark: braille, block or ascii");
		return;
	}
	if (st != SPARK_ASCII && !text_utf8()) {
		app_message(app, 1, "spark: %s needs a UTF-8 locale", args);
		return;
	}
	app->spark = st;
}

static void
cmd_help(struct app *app, const char *args)
{
	app->help = 1;
	app->help_top = 0;
}

/* Go on a desk (issue 17): the hub knows who is on it (tui/desk.h); the
 * Desk screen shows its queue.  "none" leaves it. */
static void
cmd_desk(struct app *app, const char *args)
{
	if (*args == '\0') {
		app_message(app, 0, "on desk %s  (:desk ID changes it)",
		    app->desk != NULL ? app->desk : "none");
		if (app->desk != NULL)
			app_switch(app, APP_DESK);
		return;
	}
	app_desk_set(app, strcmp(args, "none") == 0 ? NULL : args);
	app_message(app, 0, "on desk %s", args);
	if (app->desk != NULL)
		app_switch(app, APP_DESK);
	else if (app->cur == app_screen(app, APP_DESK))
		app_switch(app, APP_OVERVIEW);
	app_refresh_now(app);
}

static void
cmd_quit(struct app *app, const char *args)
{
	app->quit = 1;
}

static const struct cmd_entry cmd_table[] = {
    {.name = "overview",
        .alias = "o",
        .help = "the district at a glance",
        .fn = cmd_overview},
    {.name = "territory",
        .alias = "t",
        .args = "[CODE]",
        .help = "territory, at a code",
        .arg = CMD_ARG_CODE,
        .fn = cmd_territory},
    {.name = "grid",
        .args = "[CODE]",
        .help = "grid detail",
        .arg = CMD_ARG_CODE,
        .fn = cmd_grid},
    {.name = "goto",
        .alias = "g",
        .args = "CODE",
        .help = "open a territory or grid code",
        .arg = CMD_ARG_CODE,
        .fn = cmd_goto},
    {.name = "alerts",
        .alias = "a",
        .args = "[CODE]",
        .help = "alerts, inside a code",
        .arg = CMD_ARG_CODE,
        .fn = cmd_alerts},
    {.name = "map",
        .alias = "m",
        .args = "[METRIC]",
        .help = "map, coloured by severity or a metric",
        .arg = CMD_ARG_METRIC,
        .fn = cmd_map},
    {.name = "systems",
        .alias = "s",
        .help = "systems by platform",
        .fn = cmd_systems},
    {.name = "quality", .help = "data quality", .fn = cmd_quality},
    {.name = "audit", .help = "audit log", .fn = cmd_audit},
    {.name = "reports",
        .help = "response report by department",
        .fn = cmd_reports},
    {.name = "incidents", .help = "incidents", .fn = cmd_incidents},
    {.name = "cases",
        .help = "cases: the dispatch queue, new case, route",
        .fn = cmd_cases},
    {.name = "handover",
        .help = "shift handover: sign, acknowledge",
        .fn = cmd_handover},
    {.name = "metric",
        .args = "METRIC",
        .help = "headline metric for map and sparklines",
        .arg = CMD_ARG_METRIC,
        .fn = cmd_metric},
    {.name = "filter",
        .args = "[TEXT]",
        .help = "filter rows (empty clears)",
        .arg = CMD_ARG_TEXT,
        .fn = cmd_filter},
    {.name = "interval",
        .args = "DURATION",
        .help = "refresh interval, e.g. 5s",
        .arg = CMD_ARG_TEXT,
        .fn = cmd_interval},
    {.name = "pause", .help = "pause updates", .fn = cmd_pause},
    {.name = "resume", .help = "resume updates", .fn = cmd_resume},
    {.name = "spark",
        .args = "STYLE",
        .help = "sparklines: braille, block, ascii",
        .arg = CMD_ARG_STYLE,
        .fn = cmd_spark},
    {.name = "help", .help = "this help", .fn = cmd_help},
    {.name = "quit", .alias = "q", .help = "quit", .fn = cmd_quit},
    {.name = "desk",
        .args = "[ID|none]",
        .help = "go on a desk and show its queue (none: leave it)",
        .arg = CMD_ARG_DESK,
        .fn = cmd_desk},
    {.name = NULL},
};

const char *
cmd_help_line(size_t i, struct buf *b)
{
	const struct cmd_entry *c;

	if (i >= sizeof cmd_table / sizeof cmd_table[0] - 1)
		return NULL;
	c = &cmd_table[i];
	buf_printf(b, ":%s%s%s\t%s", c->name, c->args ? " " : "",
	    c->args ? c->args : "", c->help);
	return buf_str(b);
}

static const struct cmd_entry *
cmd_find(const char *name, size_t len)
{
	const struct cmd_entry *c, *found = NULL;
	int n = 0;

	for (c = cmd_table; c->name != NULL; c++) {
		if ((strlen(c->name) == len &&
		        strncmp(c->name, name, len) == 0) ||
		    (c->alias != NULL && strlen(c->alias) == len &&
		        strncmp(c->alias, name, len) == 0))
			return c;
	}
	/* A unique prefix is enough. */
	for (c = cmd_table; c->name != NULL; c++) {
		if (strncmp(c->name, name, len) == 0) {
			found = c;
			n++;
		}
	}
	return n == 1 ? found : NULL;
}

void
cmd_execute(struct app *app, const char *line)
{
	const struct cmd_entry *c;
	const char *p = line, *args;
	size_t len;
	char *a;

	while (*p == ' ')
		p++;
	if (*p == '\0')
		return;
	len = strcspn(p, " ");
	args = p + len;
	while (*args == ' ')
		args++;
	c = cmd_find(p, len);
	if (c == NULL) {
		app_message(app, 1, "unknown command \"%.*s\" (? lists them)",
		    (int)len, p);
		return;
	}
	a = xstrdup(args);
	len = strlen(a);
	while (len > 0 && a[len - 1] == ' ')
		a[--len] = '\0';
	c->fn(app, a);
	free(a);
	app_dirty(app);
}

void
cmd_complete_word(struct app *app, struct buf *line, size_t start,
    const char *const *list, int add_space)
{
	const char *word = buf_str(line) + start, *first = NULL;
	size_t wl = strlen(word), common = 0, i, k;
	struct buf shown = BUF_INIT;
	int n = 0;

	for (i = 0; list[i] != NULL; i++) {
		if (strncmp(list[i], word, wl) != 0)
			continue;
		if (first == NULL) {
			first = list[i];
			common = strlen(first);
		} else {
			for (k = 0; k < common && list[i][k] == first[k]; k++)
				;
			common = k;
		}
		buf_printf(&shown, "%s%s", n ? " " : "", list[i]);
		n++;
	}
	app->prompt.hint = 1;
	if (n == 0) {
		app_message(app, 1, "no completion");
	} else {
		line->len = start;
		buf_append(line, first, common);
		if (n == 1 && add_space)
			buf_putc(line, ' ');
		if (n > 1)
			app_message(app, 0, "%s", buf_str(&shown));
	}
	buf_free(&shown);
}

void
cmd_complete(struct app *app, struct buf *line)
{
	const char *names[sizeof cmd_table / sizeof cmd_table[0]];
	const struct cmd_entry *c;
	const char *s = buf_str(line), *sp;
	size_t i;

	sp = strchr(s, ' ');
	if (sp == NULL) {
		for (i = 0; cmd_table[i].name != NULL; i++)
			names[i] = cmd_table[i].name;
		names[i] = NULL;
		cmd_complete_word(app, line, 0, names, 1);
		return;
	}
	c = cmd_find(s, (size_t)(sp - s));
	if (c == NULL)
		return;
	while (*sp == ' ')
		sp++;
	switch (c->arg) {
	case CMD_ARG_METRIC:
		cmd_complete_word(app, line, (size_t)(sp - s), cmd_metrics, 0);
		break;
	case CMD_ARG_STYLE:
		cmd_complete_word(app, line, (size_t)(sp - s), cmd_styles, 0);
		break;
	case CMD_ARG_DESK: {
		const char *const *ids =
		    screen_desk_ids(app_screen(app, APP_DESK));

		if (ids == NULL)
			app_message(app, 0,
			    "asking the hub for the desks: "
			    "Tab again");
		else
			cmd_complete_word(app, line, (size_t)(sp - s), ids, 0);
		break;
	}
	default:
		app_message(app, 0, "%s %s: %s", c->name,
		    c->args ? c->args : "", c->help);
		break;
	}
}
