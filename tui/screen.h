/*
 * Screens are const vtables (struct screen_class) with the base struct
 * first in each screen's own state (struct screen), as htop's Panel: the
 * app calls them through the small inline functions below.  Each screen
 * lives in tui/screen-NAME.c and exports its class.
 */
#ifndef CB_TUI_SCREEN_H
#define CB_TUI_SCREEN_H

#include <curses.h>
#include <stddef.h>

struct app;
struct binding;
struct screen;

struct screen_class {
	const char *name;  /* for ":name" and tabs: "overview" */
	const char *title; /* "Overview" */
	const char *tab;   /* short tab label: "Over" */
	int key;           /* the digit that switches to it */
	size_t size;       /* sizeof the screen's own struct */
	/* Screen keys, terminated by an entry with key 0 (may be NULL). */
	const struct binding *bindings;

	void (*init)(struct screen *s);    /* may be NULL */
	void (*destroy)(struct screen *s); /* free what init/refresh made */
	/* Became the current screen (may be NULL). */
	void (*enter)(struct screen *s);
	/* Time to ask the hub for fresh data (every interval). */
	void (*fetch)(struct screen *s);
	/* Draw into w (rows x cols, the body between header and bar). */
	void (*draw)(struct screen *s, WINDOW *w, int rows, int cols);
	/* Esc/Backspace: go up a level; 0 if there is nowhere to go. */
	int (*back)(struct screen *s);
	/* The filter text changed (s->filter). */
	void (*filter_changed)(struct screen *s);
	/* Navigation key (arrows, pages, Enter): 1 if used. */
	int (*nav)(struct screen *s, int key);
	/* A one-line position for the header (breadcrumb); may be NULL. */
	void (*where)(struct screen *s, struct buf *b);
};

struct screen {
	const struct screen_class *cls;
	struct app *app;
	char *filter;           /* owned; NULL when none */
	int fetched;            /* got data at least once */
	long long data_mono_ms; /* when the data last came */
};

static inline void
screen_refresh(struct screen *s)
{
	s->cls->fetch(s);
}

static inline void
screen_draw(struct screen *s, WINDOW *w, int rows, int cols)
{
	s->cls->draw(s, w, rows, cols);
}

static inline int
screen_back(struct screen *s)
{
	return s->cls->back != NULL ? s->cls->back(s) : 0;
}

static inline int
screen_nav(struct screen *s, int key)
{
	return s->cls->nav != NULL ? s->cls->nav(s, key) : 0;
}

static inline void
screen_enter(struct screen *s)
{
	if (s->cls->enter != NULL)
		s->cls->enter(s);
}

static inline void
screen_filter_changed(struct screen *s)
{
	if (s->cls->filter_changed != NULL)
		s->cls->filter_changed(s);
}

/* The screens, in tab order. */
extern const struct screen_class screen_overview_class;
extern const struct screen_class screen_territory_class;
extern const struct screen_class screen_grid_class;
extern const struct screen_class screen_alerts_class;
extern const struct screen_class screen_map_class;
extern const struct screen_class screen_systems_class;
extern const struct screen_class screen_quality_class;
extern const struct screen_class screen_audit_class;
extern const struct screen_class screen_reports_class;
extern const struct screen_class screen_incidents_class;
extern const struct screen_class screen_cases_class;
extern const struct screen_class screen_handover_class;
extern const struct screen_class screen_desk_class;

#endif
