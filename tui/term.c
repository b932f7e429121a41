/* Terminal capabilities, colours and text drawing helpers. */
#include "config.h"

#include <langinfo.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "tui/term.h"

struct term_caps term_caps;

/* Colour pairs. */
enum {
	PAIR_HIGH = 1,
	PAIR_MEDIUM,
	PAIR_LOW,
	PAIR_INFO,
	PAIR_OK,
	PAIR_HEADER,
	PAIR_FKEY,
	PAIR_BANNER,
	PAIR_TAB_CUR,
	PAIR_HEAT0,
	PAIR_HEAT1,
	PAIR_HEAT2,
	PAIR_HEAT3,
	PAIR_HEAT4,
	PAIR_SELECT,
};

void
term_caps_detect(void)
{
	const char *cs = nl_langinfo(CODESET);

	term_caps.utf8 = cs != NULL &&
	                 (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0 ||
	                     strcmp(cs, "utf-8") == 0);
	text_set_utf8(term_caps.utf8);
}

void
term_colors_init(int no_color)
{
	const char *nc = getenv("NO_COLOR");

	term_caps.color = 0;
	if (no_color || (nc != NULL && *nc != '\0') || !has_colors())
		return;
	if (start_color() == ERR)
		return;
	use_default_colors();
	term_caps.color = 1;
	init_pair(PAIR_HIGH, COLOR_RED, -1);
	init_pair(PAIR_MEDIUM, COLOR_YELLOW, -1);
	init_pair(PAIR_LOW, COLOR_CYAN, -1);
	init_pair(PAIR_INFO, COLOR_BLUE, -1);
	init_pair(PAIR_OK, COLOR_GREEN, -1);
	init_pair(PAIR_HEADER, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_FKEY, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_BANNER, COLOR_WHITE, COLOR_RED);
	init_pair(PAIR_TAB_CUR, COLOR_BLACK, COLOR_GREEN);
	init_pair(PAIR_HEAT0, COLOR_BLACK, COLOR_GREEN);
	init_pair(PAIR_HEAT1, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_HEAT2, COLOR_BLACK, COLOR_YELLOW);
	init_pair(PAIR_HEAT3, COLOR_BLACK, COLOR_MAGENTA);
	init_pair(PAIR_HEAT4, COLOR_WHITE, COLOR_RED);
	init_pair(PAIR_SELECT, COLOR_BLACK, COLOR_CYAN);
}

attr_t
term_attr(enum term_role role)
{
	int c = term_caps.color;

	switch (role) {
	case TERM_NORMAL:
		return A_NORMAL;
	case TERM_HEADER:
		return c ? COLOR_PAIR(PAIR_HEADER) : A_REVERSE;
	case TERM_TAB:
		return A_NORMAL;
	case TERM_TAB_CUR:
		return c ? COLOR_PAIR(PAIR_TAB_CUR) | A_BOLD : A_REVERSE;
	case TERM_FKEY:
		return A_BOLD;
	case TERM_FKEY_TEXT:
		return c ? COLOR_PAIR(PAIR_FKEY) : A_REVERSE;
	case TERM_TITLE:
		return A_BOLD;
	case TERM_BANNER:
		return c ? COLOR_PAIR(PAIR_BANNER) | A_BOLD
		         : A_REVERSE | A_BOLD;
	case TERM_DIM:
		return A_DIM;
	case TERM_GOOD:
		return c ? COLOR_PAIR(PAIR_OK) : A_NORMAL;
	case TERM_WARN:
		return c ? COLOR_PAIR(PAIR_MEDIUM) : A_BOLD;
	case TERM_BAD:
		return c ? COLOR_PAIR(PAIR_HIGH) | A_BOLD : A_BOLD;
	case TERM_SELECT:
		return c ? COLOR_PAIR(PAIR_SELECT) : A_REVERSE;
	case TERM_TAGGED:
		return A_BOLD | A_UNDERLINE;
	case TERM_ROLE_COUNT:
		break;
	}
	return A_NORMAL;
}

attr_t
term_sev_attr(enum sev s)
{
	if (!term_caps.color)
		return s >= SEV_MEDIUM ? A_BOLD : A_NORMAL;
	switch (s) {
	case SEV_HIGH:
		return COLOR_PAIR(PAIR_HIGH) | A_BOLD;
	case SEV_MEDIUM:
		return COLOR_PAIR(PAIR_MEDIUM) | A_BOLD;
	case SEV_LOW:
		return COLOR_PAIR(PAIR_LOW);
	case SEV_INFO:
		return COLOR_PAIR(PAIR_INFO);
	case SEV_OK:
		return COLOR_PAIR(PAIR_OK);
	}
	return A_NORMAL;
}

attr_t
term_heat_attr(int level)
{
	if (level < 0)
		return A_DIM;
	if (level > 4)
		level = 4;
	if (!term_caps.color)
		return level >= 3 ? A_BOLD : A_NORMAL;
	return COLOR_PAIR(PAIR_HEAT0 + level);
}

const char *
term_hline(void)
{
	return term_caps.utf8 ? "\xe2\x94\x80" : "-";
}

const char *
term_vline(void)
{
	return term_caps.utf8 ? "\xe2\x94\x82" : "|";
}

/* One buffer reused by every term_put (the console draws from one
 * thread): no allocation per cell. */
static struct buf term_scratch = BUF_INIT;

void
term_put(WINDOW *w, int y, int x, int width, const char *s,
    enum text_align align, attr_t a)
{
	int maxx = getmaxx(w);

	if (x >= maxx || y >= getmaxy(w) || y < 0)
		return;
	if (x + width > maxx)
		width = maxx - x;
	if (width <= 0)
		return;
	buf_reset(&term_scratch);
	text_fit(&term_scratch, s, width, align);
	wattrset(w, a);
	mvwaddnstr(w, y, x, term_scratch.data, (int)term_scratch.len);
	wattrset(w, A_NORMAL);
}

void
term_free(void)
{
	buf_free(&term_scratch);
}

void
term_printf(WINDOW *w, int y, int x, int width, attr_t a, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	term_put(w, y, x, width, buf_str(&b), TEXT_LEFT, a);
	buf_free(&b);
}

void
term_title(WINDOW *w, int y, int x, int width, const char *title)
{
	struct buf b = BUF_INIT;
	int tw, i;

	if (width <= 0)
		return;
	buf_puts(&b, term_hline());
	buf_puts(&b, term_hline());
	buf_putc(&b, ' ');
	text_clean(&b, title);
	buf_putc(&b, ' ');
	tw = text_width(title) + 4;
	for (i = tw; i < width; i++)
		buf_puts(&b, term_hline());
	term_put(w, y, x, width, buf_str(&b), TEXT_LEFT, term_attr(TERM_TITLE));
	buf_free(&b);
}

void
term_clear_eol(WINDOW *w, int y, int x)
{
	if (y < getmaxy(w) && x < getmaxx(w)) {
		wmove(w, y, x);
		wclrtoeol(w);
	}
}
