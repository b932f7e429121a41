/*
 * Key bindings as const tables (tmux's cmd_entry shape): the global table
 * here, each screen's own in its class.  The help overlay and the F-key
 * bar are generated from the same tables, so they cannot drift.
 */
#ifndef CB_TUI_BIND_H
#define CB_TUI_BIND_H

struct app;
struct screen;

struct binding {
	int key;          /* primary key (a character or KEY_*) */
	int key2;         /* a twin (F-key or alternative), 0 for none */
	int key3;         /* another twin, 0 for none */
	const char *keys; /* how help shows the keys: "? F1" */
	const char *help; /* what it does */
	int fkey;         /* 1..10: shown in the F-key bar, 0: not */
	const char *bar;  /* label in the bar */
	void (*fn)(struct app *app, struct screen *s);
};

extern const struct binding bind_global[];

/* The binding for key in the screen's table, then the global one. */
const struct binding *bind_find(const struct binding *screen_table, int key);

/* Ctrl-key code. */
#define BIND_CTRL(c) ((c)&0x1f)
#define BIND_ESC     27

#endif
