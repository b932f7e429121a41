/* Influx line protocol parser, allocation-free per line (the writer is
 * lib/lineproto-write.c). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/lineproto.h"
#include "lib/xmalloc.h"

struct lp_parser {
	struct lp_point point;
	struct lp_tag *tags; /* owned, grows, reused across lines */
	size_t ntags, tags_cap;
	struct lp_field *fields; /* owned, grows, reused */
	size_t nfields, fields_cap;
	char *scratch; /* owned; unescaped copies for this line */
	size_t scratch_len, scratch_cap;
	size_t extra_nl; /* newlines inside strings of this line */
	const char *errpos;
	const char *errmsg;
	char cause[128];
};

/* Byte classes. */
#define C_MEAS  0x01 /* ends a measurement: , space \n \r */
#define C_KEY   0x02 /* ends a tag key or field key: , = space \n \r */
#define C_TAGV  0x04 /* ends a tag value or a bare field value */
#define C_SPEC  0x08 /* needs a closer look: \ NUL >= 0x80 */
#define C_EMEAS 0x10 /* escapable in a measurement: , space \ */
#define C_EKEY  0x20 /* escapable in keys and tag values: , = space \ */
#define C_DIGIT 0x40

static uint8_t lp_class[256];
static locale_t lp_c_locale;
static pthread_once_t lp_once = PTHREAD_ONCE_INIT;

static void
lp_init_tables(void)
{
	int c;

	for (c = 0x80; c < 0x100; c++)
		lp_class[c] |= C_SPEC;
	lp_class['\\'] |= C_SPEC | C_EMEAS | C_EKEY;
	lp_class[0] |= C_SPEC;
	lp_class[','] |= C_MEAS | C_KEY | C_TAGV | C_EMEAS | C_EKEY;
	lp_class[' '] |= C_MEAS | C_KEY | C_TAGV | C_EMEAS | C_EKEY;
	lp_class['='] |= C_KEY | C_EKEY;
	lp_class['\n'] |= C_MEAS | C_KEY | C_TAGV;
	lp_class['\r'] |= C_MEAS | C_KEY | C_TAGV;
	lp_class['\t'] |= C_TAGV;
	for (c = '0'; c <= '9'; c++)
		lp_class[c] |= C_DIGIT;
	lp_c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

struct lp_parser *
lp_parser_create(void)
{
	struct lp_parser *lp;

	pthread_once(&lp_once, lp_init_tables);
	lp = xcalloc(1, sizeof *lp);
	lp->tags_cap = 16;
	lp->tags = xreallocarray(NULL, lp->tags_cap, sizeof *lp->tags);
	lp->fields_cap = 16;
	lp->fields = xreallocarray(NULL, lp->fields_cap, sizeof *lp->fields);
	lp->scratch_cap = 1024;
	lp->scratch = xmalloc(lp->scratch_cap);
	return lp;
}

void
lp_parser_free(struct lp_parser *lp)
{
	if (lp == NULL)
		return;
	free(lp->tags);
	free(lp->fields);
	free(lp->scratch);
	free(lp);
}

/* Length of the valid UTF-8 sequence at p (p < e), or 0 if invalid. */
static size_t
lp_utf8_len(const unsigned char *p, const unsigned char *e)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return c != 0;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if ((size_t)(e - p) < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static int
lp_fail(struct lp_parser *lp, const char *pos, const char *msg)
{
	lp->errpos = pos;
	lp->errmsg = msg;
	return -1;
}

/* Move every string of the current line that points into the old scratch
 * area to the new one. */
static void
lp_scratch_rebase(struct lp_parser *lp, const char *old, const char *new)
{
	const char *oend = old + lp->scratch_len;
	size_t i;

#define REBASE(str)                                      \
	do {                                             \
		if ((str).p >= old && (str).p < oend)    \
			(str).p = new + ((str).p - old); \
	} while (0)
	REBASE(lp->point.measurement);
	for (i = 0; i < lp->ntags; i++) {
		REBASE(lp->tags[i].key);
		REBASE(lp->tags[i].value);
	}
	for (i = 0; i < lp->nfields; i++) {
		REBASE(lp->fields[i].key);
		if (lp->fields[i].type == LP_STRING)
			REBASE(lp->fields[i].v.s);
	}
#undef REBASE
}

/* Room for n more bytes of scratch; returns where they go. */
static char *
lp_scratch_reserve(struct lp_parser *lp, size_t n)
{
	char *old = lp->scratch;
	size_t cap = lp->scratch_cap;

	if (lp->scratch_len + n <= cap)
		return lp->scratch + lp->scratch_len;
	while (lp->scratch_len + n > cap)
		cap *= 2;
	lp->scratch = xrealloc(lp->scratch, cap);
	lp->scratch_cap = cap;
	if (lp->scratch != old)
		lp_scratch_rebase(lp, old, lp->scratch);
	return lp->scratch + lp->scratch_len;
}

/*
 * Scan a name (measurement, key or tag value) from s up to a byte of class
 * stop; esc is the class of bytes a backslash escapes.  Sets *out
 * (unescaped) and returns the stop position, or NULL on error.
 */
static const char *
lp_scan_name(struct lp_parser *lp, const char *s, const char *end, uint8_t stop,
    uint8_t esc, struct lp_str *out)
{
	const char *start = s;
	int escaped = 0;
	size_t n;
	char *d;

	while (s < end) {
		unsigned char c = (unsigned char)*s;
		uint8_t cl = lp_class[c];

		if ((cl & (stop | C_SPEC)) == 0) {
			s++;
			continue;
		}
		if (cl & stop)
			break;
		if (c == '\\') {
			if (s + 1 < end &&
			    (lp_class[(unsigned char)s[1]] & esc)) {
				escaped = 1;
				s += 2;
			} else
				s++;
			continue;
		}
		if (c == 0) {
			lp_fail(lp, s, "NUL byte");
			return NULL;
		}
		if ((n = lp_utf8_len((const unsigned char *)s,
		         (const unsigned char *)end)) == 0) {
			lp_fail(lp, s, "invalid UTF-8");
			return NULL;
		}
		s += n;
	}
	if (!escaped) {
		out->p = start;
		out->len = (size_t)(s - start);
		return s;
	}
	d = lp_scratch_reserve(lp, (size_t)(s - start));
	out->p = d;
	for (const char *q = start; q < s; q++) {
		if (*q == '\\' && q + 1 < s &&
		    (lp_class[(unsigned char)q[1]] & esc))
			q++;
		*d++ = *q;
	}
	out->len = (size_t)(d - out->p);
	lp->scratch_len += out->len;
	return s;
}

/* At end of line: end of input, '\n', or "\r\n" / "\r" at the end. */
static inline int
lp_at_eol(const char *s, const char *end)
{
	return s >= end || *s == '\n' ||
	       (*s == '\r' && (s + 1 == end || s[1] == '\n'));
}

static const char *
lp_skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const double lp_pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
    1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
    1e22};

/* Parse a float token: -?(d+(.d*)?|.d+)([eE][+-]?d+)?.  0, -1 if
 * malformed, -2 if out of range. */
static int
lp_parse_float(const char *s, size_t n, double *out)
{
	const char *p = s, *e = s + n;
	uint64_t m = 0;
	int neg = 0, nd = 0, digits = 0, trunc = 0;
	long exp10 = 0, x = 0;
	char tmp[64], *heap = NULL, *tend;
	double v;

	if (p < e && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < e && (lp_class[(unsigned char)*p] & C_DIGIT); p++) {
		int d = *p - '0';

		digits++;
		if (m == 0 && d == 0)
			continue;
		if (nd < 19) {
			m = m * 10 + (uint64_t)d;
			nd++;
		} else {
			exp10++;
			trunc |= d != 0;
		}
	}
	if (p < e && *p == '.') {
		for (p++; p < e && (lp_class[(unsigned char)*p] & C_DIGIT);
		     p++) {
			int d = *p - '0';

			digits++;
			if (m == 0 && d == 0) {
				exp10--;
				continue;
			}
			if (nd < 19) {
				m = m * 10 + (uint64_t)d;
				nd++;
				exp10--;
			} else
				trunc |= d != 0;
		}
	}
	if (digits == 0)
		return -1;
	if (p < e && (*p == 'e' || *p == 'E')) {
		int eneg = 0, ed = 0;

		p++;
		if (p < e && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < e && (lp_class[(unsigned char)*p] & C_DIGIT); p++) {
			ed++;
			if (x < 100000)
				x = x * 10 + (*p - '0');
		}
		if (ed == 0)
			return -1;
		exp10 += eneg ? -x : x;
	}
	if (p != e)
		return -1;
	if (m == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	if (!trunc && m < (1ULL << 53) && exp10 >= -22 && exp10 <= 22) {
		v = exp10 >= 0 ? (double)m * lp_pow10[exp10]
		               : (double)m / lp_pow10[-exp10];
		*out = neg ? -v : v;
		return 0;
	}
	/* Slow path: the C library rounds correctly. */
	if (n < sizeof tmp) {
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		errno = 0;
		v = strtod_l(tmp, &tend, lp_c_locale);
	} else {
		heap = xstrndup(s, n);
		errno = 0;
		v = strtod_l(heap, &tend, lp_c_locale);
		free(heap);
	}
	if (errno == ERANGE && isinf(v))
		return -2;
	*out = v;
	return 0;
}

/* Parse -?digits into an int64.  0, -1 malformed, -2 out of range. */
static int
lp_parse_int(const char *s, size_t n, int64_t *out)
{
	const char *p = s, *e = s + n;
	uint64_t u = 0, lim;
	int neg = 0;

	if (p < e && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == e)
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < e; p++) {
		unsigned d = (unsigned char)*p - '0';

		if (d > 9)
			return -1;
		if (u > (lim - d) / 10)
			return -2;
		u = u * 10 + d;
	}
	if (neg)
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	else
		*out = (int64_t)u;
	return 0;
}

static int
lp_parse_uint(const char *s, size_t n, uint64_t *out)
{
	const char *p = s, *e = s + n;
	uint64_t u = 0;

	if (p == e)
		return -1;
	for (; p < e; p++) {
		unsigned d = (unsigned char)*p - '0';

		if (d > 9)
			return -1;
		if (u > (UINT64_MAX - d) / 10)
			return -2;
		u = u * 10 + d;
	}
	*out = u;
	return 0;
}

static int
lp_parse_bool(const char *s, size_t n, int *out)
{
	static const struct {
		const char *w;
		int v;
	} words[] = {{"t", 1}, {"T", 1}, {"true", 1}, {"True", 1}, {"TRUE", 1},
	    {"f", 0}, {"F", 0}, {"false", 0}, {"False", 0}, {"FALSE", 0}};
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strlen(words[i].w) == n && memcmp(words[i].w, s, n) == 0) {
			*out = words[i].v;
			return 0;
		}
	}
	return -1;
}

/* Parse a quoted string value; s is at the opening quote.  Returns the
 * position after the closing quote, or NULL. */
static const char *
lp_parse_string(
    struct lp_parser *lp, const char *s, const char *end, struct lp_str *out)
{
	const char *start = s + 1, *p, *q, *close;
	int escaped = 0;
	char *d;
	size_t n;

	/* The first '"' closes the string unless a backslash precedes it
	 * somewhere; then scan byte by byte for the unescaped one. */
	q = memchr(start, '"', (size_t)(end - start));
	if (q == NULL)
		return lp_fail(lp, s, "unterminated string"), NULL;
	close = q;
	if (memchr(start, '\\', (size_t)(q - start)) != NULL) {
		escaped = 1;
		for (p = start; p < end; p++) {
			if (*p == '\\' && p + 1 < end &&
			    (p[1] == '"' || p[1] == '\\'))
				p++;
			else if (*p == '"')
				break;
		}
		if (p >= end)
			return lp_fail(lp, s, "unterminated string"), NULL;
		close = p;
	}
	/* Validate (UTF-8, no NUL) and count raw newlines. */
	for (p = start; p < close;) {
		unsigned char c = (unsigned char)*p;

		if (c >= 0x20 && c < 0x80) {
			p++;
			continue;
		}
		if (c == '\n')
			lp->extra_nl++;
		if ((n = lp_utf8_len((const unsigned char *)p,
		         (const unsigned char *)close)) == 0)
			return lp_fail(lp, p,
			           c == 0 ? "NUL byte" : "invalid UTF-8"),
			       NULL;
		p += n;
	}
	if (!escaped) {
		out->p = start;
		out->len = (size_t)(close - start);
		return close + 1;
	}
	/* Unescaping may rebase strings of this line: out is not one of
	 * them yet. */
	d = lp_scratch_reserve(lp, (size_t)(close - start));
	out->p = d;
	for (p = start; p < close; p++) {
		if (*p == '\\' && p + 1 < close &&
		    (p[1] == '"' || p[1] == '\\'))
			p++;
		*d++ = *p;
	}
	out->len = (size_t)(d - out->p);
	lp->scratch_len += out->len;
	return close + 1;
}

/* Parse one field value at s into f; returns the position after it. */
static const char *
lp_parse_value(
    struct lp_parser *lp, const char *s, const char *end, struct lp_field *f)
{
	const char *t = s;
	size_t n;
	int r;

	if (s < end && *s == '"') {
		f->type = LP_STRING;
		f->v.s.p = NULL;
		f->v.s.len = 0;
		return lp_parse_string(lp, s, end, &f->v.s);
	}
	while (t < end && (lp_class[(unsigned char)*t] & C_TAGV) == 0)
		t++;
	n = (size_t)(t - s);
	if (n == 0)
		return lp_fail(lp, s, "missing field value"), NULL;
	switch (s[n - 1]) {
	case 'i':
		f->type = LP_INT;
		r = lp_parse_int(s, n - 1, &f->v.i);
		break;
	case 'u':
		f->type = LP_UINT;
		r = lp_parse_uint(s, n - 1, &f->v.u);
		break;
	case 't':
	case 'T':
	case 'e':
	case 'E':
	case 'f':
	case 'F':
		if (lp_parse_bool(s, n, &f->v.b) == 0) {
			f->type = LP_BOOL;
			r = 0;
			break;
		}
		/* FALLTHROUGH */
	default:
		f->type = LP_FLOAT;
		r = lp_parse_float(s, n, &f->v.f);
		break;
	}
	if (r == -2)
		return lp_fail(lp, s,
		           f->type == LP_INT ? "integer out of range"
		           : f->type == LP_UINT
		               ? "unsigned integer out of range"
		               : "float out of range"),
		       NULL;
	if (r != 0)
		return lp_fail(lp, s, "invalid field value"), NULL;
	return t;
}

static struct lp_tag *
lp_tag_add(struct lp_parser *lp)
{
	if (lp->ntags == lp->tags_cap) {
		lp->tags_cap *= 2;
		lp->tags =
		    xreallocarray(lp->tags, lp->tags_cap, sizeof *lp->tags);
	}
	return &lp->tags[lp->ntags++];
}

static struct lp_field *
lp_field_add(struct lp_parser *lp)
{
	if (lp->nfields == lp->fields_cap) {
		lp->fields_cap *= 2;
		lp->fields = xreallocarray(
		    lp->fields, lp->fields_cap, sizeof *lp->fields);
	}
	return &lp->fields[lp->nfields++];
}

/*
 * The grammar.  Returns LP_POINT / LP_SKIP with *eol at the end of the
 * line ('\n', '\r' or end), or LP_ERROR.
 */
static int
lp_parse(struct lp_parser *lp, const char *s, const char *end, const char **eol)
{
	struct lp_point *pt = &lp->point;
	struct lp_tag *tag;
	struct lp_field *f;
	const char *t;
	int r;

	s = lp_skip_ws(s, end);
	if (lp_at_eol(s, end) || *s == '#') {
		if (s < end && *s == '#') {
			t = memchr(s, '\n', (size_t)(end - s));
			s = t != NULL ? t : end;
		}
		*eol = s;
		return LP_SKIP;
	}

	/* Measurement. */
	t = lp_scan_name(lp, s, end, C_MEAS, C_EMEAS, &pt->measurement);
	if (t == NULL)
		return LP_ERROR;
	if (pt->measurement.len == 0)
		return lp_fail(lp, s, "missing measurement");
	s = t;
	if (s < end && *s == '\r' && !lp_at_eol(s, end))
		return lp_fail(lp, s, "unexpected carriage return");

	/* Tags. */
	while (s < end && *s == ',') {
		s++;
		tag = lp_tag_add(lp);
		tag->value.p = NULL;
		tag->value.len = 0;
		if ((t = lp_scan_name(lp, s, end, C_KEY, C_EKEY, &tag->key)) ==
		    NULL)
			return LP_ERROR;
		if (tag->key.len == 0)
			return lp_fail(lp, s, "empty tag key");
		if (t >= end || *t != '=')
			return lp_fail(lp, t, "missing '=' after tag key");
		s = t + 1;
		if ((t = lp_scan_name(
		         lp, s, end, C_MEAS, C_EKEY, &tag->value)) == NULL)
			return LP_ERROR;
		if (tag->value.len == 0)
			return lp_fail(lp, s, "empty tag value");
		s = t;
		if (s < end && *s == '\r' && !lp_at_eol(s, end))
			return lp_fail(lp, s, "unexpected carriage return");
	}
	if (lp_at_eol(s, end))
		return lp_fail(lp, s, "missing fields");
	/* Here *s == ' '. */
	s = lp_skip_ws(s, end);
	if (lp_at_eol(s, end))
		return lp_fail(lp, s, "missing fields");

	/* Fields. */
	for (;;) {
		f = lp_field_add(lp);
		f->type = LP_FLOAT;
		if ((t = lp_scan_name(lp, s, end, C_KEY, C_EKEY, &f->key)) ==
		    NULL)
			return LP_ERROR;
		if (f->key.len == 0)
			return lp_fail(lp, s, "empty field key");
		if (t >= end || *t != '=')
			return lp_fail(lp, t, "missing '=' after field key");
		s = t + 1;
		if ((t = lp_parse_value(lp, s, end, f)) == NULL)
			return LP_ERROR;
		s = t;
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (lp_at_eol(s, end) || *s == ' ' || *s == '\t')
			break;
		return lp_fail(lp, s,
		    *s == '\r' ? "unexpected carriage return"
		    : f->type == LP_STRING
		        ? "invalid character after string value"
		        : "invalid field value");
	}

	/* Timestamp. */
	pt->has_time = 0;
	pt->time = 0;
	s = lp_skip_ws(s, end);
	if (!lp_at_eol(s, end)) {
		t = s;
		while (t < end && (lp_class[(unsigned char)*t] & C_TAGV) == 0)
			t++;
		r = lp_parse_int(s, (size_t)(t - s), &pt->time);
		if (r == -2)
			return lp_fail(lp, s, "timestamp out of range");
		if (r != 0)
			return lp_fail(lp, s, "invalid timestamp");
		pt->has_time = 1;
		s = lp_skip_ws(t, end);
		if (!lp_at_eol(s, end))
			return lp_fail(
			    lp, s, "unexpected text after timestamp");
	}
	pt->tags = lp->tags;
	pt->ntags = lp->ntags;
	pt->fields = lp->fields;
	pt->nfields = lp->nfields;
	*eol = s;
	return LP_POINT;
}

/* Format lp->cause for an error at lp->errpos in the line starting at
 * line. */
static const char *
lp_cause(struct lp_parser *lp, const char *line)
{
	const char *p, *bol = line;
	size_t col = 1;

	for (p = line; p < lp->errpos; p++)
		if (*p == '\n')
			bol = p + 1;
	for (p = bol; p < lp->errpos; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			col++;
	snprintf(
	    lp->cause, sizeof lp->cause, "column %zu: %s", col, lp->errmsg);
	return lp->cause;
}

int
lp_parse_line(struct lp_parser *lp, const char *s, const char *end,
    const char **next, const struct lp_point **pt, const char **cause)
{
	const char *eol = end, *nl;
	int r;

	lp->ntags = 0;
	lp->nfields = 0;
	lp->scratch_len = 0;
	lp->extra_nl = 0;
	lp->point.measurement.p = NULL;
	lp->point.measurement.len = 0;
	r = lp_parse(lp, s, end, &eol);
	if (r == LP_ERROR) {
		if (cause != NULL)
			*cause = lp_cause(lp, s);
		if (next != NULL) {
			nl = memchr(s, '\n', (size_t)(end - s));
			*next = nl != NULL ? nl + 1 : end;
		}
		lp->extra_nl = 0;
		return LP_ERROR;
	}
	if (next != NULL) {
		if (eol < end && *eol == '\r')
			eol++;
		if (eol < end && *eol == '\n')
			eol++;
		*next = eol;
	}
	if (r == LP_POINT && pt != NULL)
		*pt = &lp->point;
	return r;
}

void
lp_body_init(struct lp_body *b, const void *data, size_t len)
{
	b->p = data;
	b->end = b->p + len;
	b->lineno = 1;
}

int
lp_body_next(struct lp_parser *lp, struct lp_body *b,
    const struct lp_point **pt, size_t *lineno, const char **cause)
{
	const char *next;
	int r;

	while (b->p < b->end) {
		r = lp_parse_line(lp, b->p, b->end, &next, pt, cause);
		if (lineno != NULL)
			*lineno = b->lineno;
		b->lineno += 1 + lp->extra_nl;
		b->p = next;
		if (r != LP_SKIP)
			return r;
	}
	return LP_END;
}

int
lp_field_number(const struct lp_field *f, double *out)
{
	switch (f->type) {
	case LP_FLOAT:
		*out = f->v.f;
		return 0;
	case LP_INT:
		*out = (double)f->v.i;
		return 0;
	case LP_UINT:
		*out = (double)f->v.u;
		return 0;
	case LP_BOOL:
		*out = f->v.b ? 1.0 : 0.0;
		return 0;
	case LP_STRING:
		break;
	}
	return -1;
}
