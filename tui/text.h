/*
 * Display-width aware text for the console: UTF-8 decoding, wcwidth
 * widths (CJK characters take two columns), truncation with an ellipsis
 * and padding to an exact number of columns.  In ASCII mode (no UTF-8
 * locale) a common symbol becomes its ASCII look-alike ("m²" -> "m2"),
 * every other non-ASCII character is shown as '?' and is one column
 * wide, so what is measured is what is drawn.  No ncurses in here.
 */
#ifndef CB_TUI_TEXT_H
#define CB_TUI_TEXT_H

#include <stddef.h>

struct buf;

enum text_align {
	TEXT_LEFT,
	TEXT_RIGHT,
};

/* UTF-8 (1, default) or ASCII (0) output; set once at start-up. */
void text_set_utf8(int utf8);
int text_utf8(void);

/* Decode one UTF-8 character of s (at most len bytes) into *cp; returns
 * its length in bytes (1 for an invalid byte, *cp = 0xFFFD). */
size_t text_decode(const char *s, size_t len, unsigned *cp);

/* Columns taken by one character: 0, 1 or 2 (control characters: 1,
 * drawn as '?'). */
int text_char_width(unsigned cp);

/* Columns taken by the whole string. */
int text_width(const char *s);

/*
 * Append s to b fitted to exactly width columns: truncated with an
 * ellipsis ("…", "~" in ASCII mode) when too wide, padded with spaces
 * (on the right for TEXT_LEFT, on the left for TEXT_RIGHT) when too
 * narrow.  A double-width character never straddles the edge.  Control
 * characters and, in ASCII mode, non-ASCII ones become '?'.
 */
void text_fit(struct buf *b, const char *s, int width, enum text_align align);

/* Append s sanitised (as text_fit does) but neither cut nor padded. */
void text_clean(struct buf *b, const char *s);

/* Human number: "41.2k", "1.5M", "3.20", "12"; out needs 16 bytes. */
void text_number(double v, char *out, size_t len);

/* Age in seconds as "12s", "5m", "3h", "2d"; negative: "-". */
void text_age(long long age_s, char *out, size_t len);

#endif
