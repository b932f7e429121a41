/*
 * The table widget: columns of fixed width plus flexible ones sharing the
 * rest, columns that drop out on narrow terminals, a selection cursor
 * (also drawn as '>' so it shows without attributes), tagged rows ('*'),
 * scrolling, and a sort mark in the heading.  Cells come from a callback,
 * so the table holds no copy of the data.
 */
#ifndef CB_TUI_WIDGET_TABLE_H
#define CB_TUI_WIDGET_TABLE_H

#include <curses.h>
#include <stddef.h>

#include "tui/text.h"

struct buf;

struct table_col {
	const char *title;
	int width; /* columns; the minimum for a flex column */
	int flex;  /* share of the spare width (0: fixed) */
	enum text_align align;
	int min_cols; /* hidden when the table is narrower */
};

/* Fill out with the text of cell (row, col) and *attr with its attribute
 * (A_NORMAL preset). */
typedef void table_cell_fn(
    void *arg, size_t row, int col, struct buf *out, attr_t *attr);
/* Is row tagged? */
typedef int table_tagged_fn(void *arg, size_t row);

struct table {
	const struct table_col *cols;
	int ncols;
	size_t nrows;
	size_t sel;
	size_t top;
	int height; /* rows of data at the last draw */
	table_cell_fn *cell;
	table_tagged_fn *tagged; /* may be NULL */
	void *arg;
	int sort_col; /* -1: none */
	int sort_desc;
	int no_header;
	int no_cursor; /* a list to read, not to pick */
};

void table_init(struct table *t, const struct table_col *cols, int ncols,
    table_cell_fn *cell, void *arg);
/* Set the row count, keeping the selection inside. */
void table_set_rows(struct table *t, size_t n);
/* Arrow, page, Home/End keys: 1 if used. */
int table_nav(struct table *t, int key);
/* Draw at (y, x), h rows (heading included) by width columns. */
void table_draw(struct table *t, WINDOW *w, int y, int x, int h, int width);
/* The widths the columns get at this width (0 for hidden ones); returns
 * the number of columns shown. */
int table_widths(const struct table *t, int width, int *out);

#endif
