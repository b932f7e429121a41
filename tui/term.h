/*
 * The terminal as the console sees it: UTF-8 or not, colour or not
 * (NO_COLOR, monochrome terminals), the attributes for severities and
 * chrome, and small drawing helpers that fit text to columns (tui/text.h)
 * before it reaches ncurses.  Severity is never shown by colour alone:
 * the helpers always draw its name or symbol too.
 */
#ifndef CB_TUI_TERM_H
#define CB_TUI_TERM_H

#include <curses.h>

#include "tui/model.h"
#include "tui/text.h"

struct term_caps {
	int utf8;  /* UTF-8 locale: Chinese names, box drawing, braille */
	int color; /* colours in use (not NO_COLOR, terminal has them) */
};

extern struct term_caps term_caps;

enum term_role {
	TERM_NORMAL,
	TERM_HEADER,    /* top bar */
	TERM_TAB,       /* screen tabs */
	TERM_TAB_CUR,   /* the current screen's tab */
	TERM_FKEY,      /* F-key numbers in the bar */
	TERM_FKEY_TEXT, /* F-key labels */
	TERM_TITLE,     /* panel titles */
	TERM_BANNER,    /* hub unreachable */
	TERM_DIM,       /* stale, secondary */
	TERM_GOOD,      /* up, fresh */
	TERM_WARN,      /* stale, late */
	TERM_BAD,       /* down, silent */
	TERM_SELECT,    /* the selected row */
	TERM_TAGGED,    /* tagged rows */
	TERM_ROLE_COUNT,
};

/* Decide UTF-8 from the locale (setlocale must have run); before initscr. */
void term_caps_detect(void);
/* Set up colours after initscr (honours NO_COLOR and has_colors()). */
void term_colors_init(int no_color);

attr_t term_attr(enum term_role role);
attr_t term_sev_attr(enum sev s);
/* The attribute of a heat level 0..4 (map colouring by metric). */
attr_t term_heat_attr(int level);

/* A horizontal line character string ("─" or "-"). */
const char *term_hline(void);
const char *term_vline(void);

/*
 * Draw s at (y, x) fitted to exactly width columns with attribute a.
 * Nothing is drawn past the window's right edge.
 */
void term_put(WINDOW *w, int y, int x, int width, const char *s,
    enum text_align align, attr_t a);
/* Like term_put with printf formatting, left-aligned. */
void term_printf(WINDOW *w, int y, int x, int width, attr_t a, const char *fmt,
    ...) __attribute__((format(printf, 6, 7)));
/* A title line: "── Title ─────" across width. */
void term_title(WINDOW *w, int y, int x, int width, const char *title);
/* Free the drawing helpers' scratch memory (at exit). */
void term_free(void);

/* Blank from (y, x) to the end of the line. */
void term_clear_eol(WINDOW *w, int y, int x);

#endif
