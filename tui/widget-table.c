/* The table widget: flexible columns, selection, tags, scrolling. */
#include "config.h"

#include <string.h>

#include "lib/buf.h"
#include "tui/term.h"
#include "tui/widget-table.h"

void
table_init(struct table *t, const struct table_col *cols, int ncols,
    table_cell_fn *cell, void *arg)
{
	memset(t, 0, sizeof *t);
	t->cols = cols;
	t->ncols = ncols;
	t->cell = cell;
	t->arg = arg;
	t->sort_col = -1;
}

void
table_set_rows(struct table *t, size_t n)
{
	t->nrows = n;
	if (t->sel >= n)
		t->sel = n ? n - 1 : 0;
	if (t->top > t->sel)
		t->top = t->sel;
}

int
table_nav(struct table *t, int key)
{
	size_t page = t->height > 1 ? (size_t)t->height - 1 : 1;

	if (t->nrows == 0)
		return key == KEY_UP || key == KEY_DOWN || key == KEY_NPAGE ||
		       key == KEY_PPAGE || key == KEY_HOME || key == KEY_END;
	switch (key) {
	case KEY_UP:
	case 'k':
		if (t->sel > 0)
			t->sel--;
		break;
	case KEY_DOWN:
	case 'j':
		if (t->sel + 1 < t->nrows)
			t->sel++;
		break;
	case KEY_PPAGE:
		t->sel = t->sel > page ? t->sel - page : 0;
		break;
	case KEY_NPAGE:
		t->sel =
		    t->sel + page < t->nrows ? t->sel + page : t->nrows - 1;
		break;
	case KEY_HOME:
		t->sel = 0;
		break;
	case KEY_END:
		t->sel = t->nrows - 1;
		break;
	default:
		return 0;
	}
	return 1;
}

int
table_widths(const struct table *t, int width, int *out)
{
	int i, used = 0, flex = 0, shown = 0, spare, left;

	for (i = 0; i < t->ncols; i++) {
		const struct table_col *c = &t->cols[i];

		if (c->min_cols > 0 && width < c->min_cols) {
			out[i] = 0;
			continue;
		}
		out[i] = c->width;
		used += c->width + (shown ? 1 : 0);
		flex += c->flex;
		shown++;
	}
	/* Drop trailing columns while too wide. */
	for (i = t->ncols - 1; i > 0 && used > width; i--) {
		if (out[i] == 0)
			continue;
		used -= out[i] + 1;
		flex -= t->cols[i].flex;
		out[i] = 0;
		shown--;
	}
	spare = width - used;
	if (spare > 0 && flex > 0) {
		left = spare;
		for (i = 0; i < t->ncols; i++) {
			int add;

			if (out[i] == 0 || t->cols[i].flex == 0)
				continue;
			add = spare * t->cols[i].flex / flex;
			out[i] += add;
			left -= add;
		}
		for (i = t->ncols - 1; i >= 0 && left > 0; i--) {
			if (out[i] != 0 && t->cols[i].flex != 0) {
				out[i] += left;
				left = 0;
			}
		}
	}
	return shown;
}

void
table_draw(struct table *t, WINDOW *w, int y, int x, int h, int width)
{
	int widths[32], i, cx, row, tagged, cur;
	struct buf b = BUF_INIT;
	size_t r;
	attr_t a, rowa;

	if (h <= 0 || width <= 2 || t->ncols > 32)
		return;
	table_widths(t, width - 1, widths);
	if (!t->no_header) {
		cx = x + 1;
		term_put(w, y, x, 1, " ", TEXT_LEFT, A_BOLD | A_UNDERLINE);
		for (i = 0; i < t->ncols; i++) {
			if (widths[i] == 0)
				continue;
			buf_reset(&b);
			buf_puts(&b, t->cols[i].title);
			if (i == t->sort_col)
				buf_puts(&b,
				    t->sort_desc
				        ? (text_utf8() ? "\xe2\x96\xbc" : "v")
				        : (text_utf8() ? "\xe2\x96\xb2" : "^"));
			term_put(w, y, cx, widths[i] + 1, buf_str(&b),
			    TEXT_LEFT, A_BOLD | A_UNDERLINE);
			cx += widths[i] + 1;
		}
		y++;
		h--;
	}
	t->height = h;
	if (t->no_cursor)
		t->sel = t->top;
	if (t->sel < t->top)
		t->top = t->sel;
	if (h > 0 && t->sel >= t->top + (size_t)h)
		t->top = t->sel - (size_t)h + 1;
	if (t->nrows <= (size_t)h)
		t->top = 0;
	for (row = 0; row < h; row++) {
		r = t->top + (size_t)row;
		if (r >= t->nrows)
			break;
		tagged = t->tagged != NULL && t->tagged(t->arg, r);
		cur = r == t->sel && !t->no_cursor;
		rowa = cur      ? term_attr(TERM_SELECT)
		       : tagged ? term_attr(TERM_TAGGED)
		                : A_NORMAL;
		term_put(w, y + row, x, 1,
		    cur      ? ">"
		    : tagged ? "*"
		             : " ",
		    TEXT_LEFT, rowa);
		cx = x + 1;
		for (i = 0; i < t->ncols; i++) {
			if (widths[i] == 0)
				continue;
			buf_reset(&b);
			a = A_NORMAL;
			t->cell(t->arg, r, i, &b, &a);
			if (cur)
				a = rowa | (a & A_BOLD);
			else if (tagged)
				a |= rowa;
			term_put(w, y + row, cx, widths[i], buf_str(&b),
			    t->cols[i].align, a);
			if (cx + widths[i] < x + width)
				term_put(w, y + row, cx + widths[i], 1, " ",
				    TEXT_LEFT, cur ? rowa : A_NORMAL);
			cx += widths[i] + 1;
		}
		if (cur && cx < x + width)
			term_put(w, y + row, cx, x + width - cx, "", TEXT_LEFT,
			    rowa);
	}
	buf_free(&b);
}
