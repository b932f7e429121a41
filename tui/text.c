/* Display-width aware text: UTF-8 decoding, widths, fitting to columns. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "lib/buf.h"
#include "tui/text.h"

static int text_utf8_mode = 1;

void
text_set_utf8(int utf8)
{
	text_utf8_mode = utf8;
}

int
text_utf8(void)
{
	return text_utf8_mode;
}

size_t
text_decode(const char *s, size_t len, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned c, min;
	size_t n, i;

	if (len == 0) {
		*cp = 0;
		return 0;
	}
	c = u[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		goto bad;
	if (n > len)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

/* Is cp a wide East Asian character?  Used when the C library's wcwidth
 * does not know the locale (tests, odd systems). */
static int
text_is_wide(unsigned cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) ||
	       (cp >= 0x2e80 && cp <= 0x303e) ||
	       (cp >= 0x3041 && cp <= 0x33ff) ||
	       (cp >= 0x3400 && cp <= 0x4dbf) ||
	       (cp >= 0x4e00 && cp <= 0x9fff) ||
	       (cp >= 0xa000 && cp <= 0xa4cf) ||
	       (cp >= 0xac00 && cp <= 0xd7a3) ||
	       (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xfe30 && cp <= 0xfe4f) ||
	       (cp >= 0xff00 && cp <= 0xff60) ||
	       (cp >= 0xffe0 && cp <= 0xffe6) ||
	       (cp >= 0x20000 && cp <= 0x3fffd);
}

int
text_char_width(unsigned cp)
{
	int w;

	if (cp < 0x20 || cp == 0x7f)
		return 1; /* drawn as '?' */
	if (cp < 0x7f)
		return 1;
	if (!text_utf8_mode)
		return 1;
	if (cp >= 0x80 && cp < 0xa0)
		return 1;
	w = wcwidth((wchar_t)cp);
	if (w < 0)
		return text_is_wide(cp) ? 2 : 1;
	if (w == 1 && text_is_wide(cp))
		return 2;
	return w;
}

int
text_width(const char *s)
{
	size_t len = strlen(s), n;
	unsigned cp;
	int w = 0;

	while (len > 0) {
		n = text_decode(s, len, &cp);
		w += text_char_width(cp);
		s += n;
		len -= n;
	}
	return w;
}

/* The one ASCII character that stands for a common symbol in ASCII mode
 * ("m²" -> "m2", full-width punctuation), or 0. */
static char
text_ascii_char(unsigned cp)
{
	static const struct {
		unsigned cp;
		char c;
	} map[] = {{0xb2, '2'}, {0xb3, '3'}, {0xb9, '1'}, {0xb0, 'o'},
	    {0xb7, '.'}, {0xd7, 'x'}, {0xb5, 'u'}, {0xa0, ' '}, {0x2010, '-'},
	    {0x2013, '-'}, {0x2014, '-'}, {0x2018, '\''}, {0x2019, '\''},
	    {0x201c, '"'}, {0x201d, '"'}, {0x2022, '*'}, {0x2026, '~'},
	    {0x3000, ' '}, {0x3001, ','}, {0x3002, '.'}};
	size_t i;

	if (cp >= 0xff01 && cp <= 0xff5e) /* full-width ASCII forms */
		return (char)(cp - 0xfee0);
	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (map[i].cp == cp)
			return map[i].c;
	}
	return 0;
}

/* Append one character, sanitised. */
static void
text_put_char(struct buf *b, const char *s, size_t n, unsigned cp)
{
	char c;

	if (!text_utf8_mode && cp >= 0xa0 && (c = text_ascii_char(cp)) != 0)
		buf_putc(b, c);
	else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	         cp == 0xfffd || (!text_utf8_mode && cp >= 0x80))
		buf_putc(b, '?');
	else
		buf_append(b, s, n);
}

static void
text_spaces(struct buf *b, int n)
{
	static const char sp[] = "                                ";

	while (n > 0) {
		int k = n > 32 ? 32 : n;

		buf_append(b, sp, (size_t)k);
		n -= k;
	}
}

void
text_fit(struct buf *b, const char *s, int width, enum text_align align)
{
	const char *ell = text_utf8_mode ? "\xe2\x80\xa6" : "~";
	size_t len, n;
	unsigned cp;
	int total, w, cw;

	if (width <= 0)
		return;
	if (s == NULL)
		s = "";
	total = text_width(s);
	if (total <= width) {
		if (align == TEXT_RIGHT)
			text_spaces(b, width - total);
		text_clean(b, s);
		if (align == TEXT_LEFT)
			text_spaces(b, width - total);
		return;
	}
	/* Too wide: keep width - 1 columns and the ellipsis. */
	len = strlen(s);
	w = 0;
	while (len > 0) {
		n = text_decode(s, len, &cp);
		cw = text_char_width(cp);
		if (w + cw > width - 1)
			break;
		text_put_char(b, s, n, cp);
		w += cw;
		s += n;
		len -= n;
	}
	text_spaces(b, width - 1 - w);
	buf_puts(b, ell);
}

void
text_clean(struct buf *b, const char *s)
{
	size_t len = strlen(s), n;
	unsigned cp;

	while (len > 0) {
		n = text_decode(s, len, &cp);
		text_put_char(b, s, n, cp);
		s += n;
		len -= n;
	}
}

void
text_number(double v, char *out, size_t len)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(out, len, "-");
	else if (a >= 1e9)
		snprintf(out, len, "%.1fG", v / 1e9);
	else if (a >= 1e6)
		snprintf(out, len, "%.1fM", v / 1e6);
	else if (a >= 1e4)
		snprintf(out, len, "%.1fk", v / 1e3);
	else if (a >= 100 || v == floor(v))
		snprintf(out, len, "%.0f", v);
	else if (a >= 10)
		snprintf(out, len, "%.1f", v);
	else
		snprintf(out, len, "%.2f", v);
}

void
text_age(long long age_s, char *out, size_t len)
{
	if (age_s < 0)
		snprintf(out, len, "-");
	else if (age_s < 120)
		snprintf(out, len, "%llds", age_s);
	else if (age_s < 7200)
		snprintf(out, len, "%lldm", age_s / 60);
	else if (age_s < 3 * 86400)
		snprintf(out, len, "%lldh", age_s / 3600);
	else
		snprintf(out, len, "%lldd", age_s / 86400);
}
