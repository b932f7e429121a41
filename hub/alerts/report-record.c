/*
 * The alert record reader of the response report (report-record.h): a
 * recursive-descent JSON reader over a private copy of the text that
 * decodes the strings it keeps in place and skips everything else.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/alerts/report-record.h"
#include "lib/xmalloc.h"

#define RD_DEPTH_MAX 64

struct rd {
	char *p, *end;
	int depth;
	struct report_record *r;
	struct report_entry *entry; /* the history entry being read */
};

static void
rd_ws(struct rd *d)
{
	while (d->p < d->end && (*d->p == ' ' || *d->p == '\t' ||
	                            *d->p == '\n' || *d->p == '\r'))
		d->p++;
}

static int
rd_lit(struct rd *d, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(d->end - d->p) < n || memcmp(d->p, s, n) != 0)
		return -1;
	d->p += n;
	return 0;
}

static int
rd_hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* The escape \uXXXX (or a surrogate pair) at d->p (after the 'u'),
 * written as UTF-8 at *w. */
static int
rd_unicode(struct rd *d, char **w)
{
	unsigned cp, lo;
	char *o = *w;

	if (d->end - d->p < 4 || rd_hex4(d->p, &cp) != 0)
		return -1;
	d->p += 4;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (d->end - d->p < 6 || d->p[0] != '\\' || d->p[1] != 'u' ||
		    rd_hex4(d->p + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
			return -1;
		d->p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	} else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0)
		return -1;
	if (cp < 0x80)
		*o++ = (char)cp;
	else if (cp < 0x800) {
		*o++ = (char)(0xC0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	*w = o;
	return 0;
}

/* A string at d->p, decoded in place and NUL-terminated (the decoded
 * form is never longer than the escaped one). */
static int
rd_str(struct rd *d, const char **out)
{
	char *s, *w;

	if (d->p >= d->end || *d->p != '"')
		return -1;
	s = w = ++d->p;
	while (d->p < d->end) {
		unsigned char c = (unsigned char)*d->p;

		if (c == '"') {
			*w = '\0';
			d->p++;
			*out = s;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			*w++ = *d->p++;
			continue;
		}
		if (++d->p >= d->end)
			return -1;
		switch (*d->p++) {
		case '"':
			*w++ = '"';
			break;
		case '\\':
			*w++ = '\\';
			break;
		case '/':
			*w++ = '/';
			break;
		case 'b':
			*w++ = '\b';
			break;
		case 'f':
			*w++ = '\f';
			break;
		case 'n':
			*w++ = '\n';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case 't':
			*w++ = '\t';
			break;
		case 'u':
			if (rd_unicode(d, &w) != 0)
				return -1;
			break;
		default:
			return -1;
		}
	}
	return -1;
}

static int
rd_str_or_null(struct rd *d, const char **out)
{
	rd_ws(d);
	if (d->p < d->end && *d->p == 'n') {
		*out = NULL;
		return rd_lit(d, "null");
	}
	return rd_str(d, out);
}

/* An integer, or null (0). */
static int
rd_int(struct rd *d, int64_t *out)
{
	uint64_t v = 0;
	int neg = 0, digits = 0;

	rd_ws(d);
	if (d->p < d->end && *d->p == 'n') {
		*out = 0;
		return rd_lit(d, "null");
	}
	if (d->p < d->end && *d->p == '-') {
		neg = 1;
		d->p++;
	}
	while (d->p < d->end && *d->p >= '0' && *d->p <= '9') {
		if (v > (UINT64_C(1) << 62))
			return -1;
		v = v * 10 + (uint64_t)(*d->p++ - '0');
		digits++;
	}
	if (digits == 0 ||
	    (d->p < d->end && (*d->p == '.' || *d->p == 'e' || *d->p == 'E')))
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* Skip a string at d->p without decoding it. */
static int
rd_skip_str(struct rd *d)
{
	d->p++; /* the opening quote */
	while (d->p < d->end) {
		unsigned char c = (unsigned char)*d->p;

		if (c == '"') {
			d->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (d->end - d->p < 2)
				return -1;
			d->p++;
		}
		d->p++;
	}
	return -1;
}

static int rd_skip(struct rd *d);

/* Open a container with its opening character: 1 when it is empty (and
 * closed), 0 when it has members, -1 on an error. */
static int
rd_open(struct rd *d, char open, char close)
{
	rd_ws(d);
	if (d->p >= d->end || *d->p != open || ++d->depth > RD_DEPTH_MAX)
		return -1;
	d->p++;
	rd_ws(d);
	if (d->p < d->end && *d->p == close) {
		d->p++;
		d->depth--;
		return 1;
	}
	return 0;
}

/* After a member: 1 when another follows (the comma taken), 0 when the
 * container closed, -1 on an error. */
static int
rd_next(struct rd *d, char close)
{
	rd_ws(d);
	if (d->p >= d->end)
		return -1;
	if (*d->p == ',') {
		d->p++;
		return 1;
	}
	if (*d->p++ != close)
		return -1;
	d->depth--;
	return 0;
}

/* Call fn for each member of the object at d->p (fn reads the value). */
static int
rd_object(struct rd *d, int (*fn)(struct rd *, const char *))
{
	const char *key;
	int more;

	if ((more = rd_open(d, '{', '}')) != 0)
		return more > 0 ? 0 : -1;
	do {
		rd_ws(d);
		if (rd_str(d, &key) != 0)
			return -1;
		rd_ws(d);
		if (d->p >= d->end || *d->p++ != ':')
			return -1;
		if (fn(d, key) != 0)
			return -1;
	} while ((more = rd_next(d, '}')) > 0);
	return more;
}

/* Call fn for each element of the array at d->p. */
static int
rd_array(struct rd *d, int (*fn)(struct rd *))
{
	int more;

	if ((more = rd_open(d, '[', ']')) != 0)
		return more > 0 ? 0 : -1;
	do {
		if (fn(d) != 0)
			return -1;
	} while ((more = rd_next(d, ']')) > 0);
	return more;
}

static int
rd_skip_member(struct rd *d, const char *key)
{
	(void)key;
	return rd_skip(d);
}

static int
rd_skip_elem(struct rd *d)
{
	return rd_skip(d);
}

/* Skip a value of any type (strings are decoded, harmlessly). */
static int
rd_skip(struct rd *d)
{
	int digits = 0;

	rd_ws(d);
	if (d->p >= d->end)
		return -1;
	switch (*d->p) {
	case '"':
		return rd_skip_str(d);
	case '{':
		return rd_object(d, rd_skip_member);
	case '[':
		return rd_array(d, rd_skip_elem);
	case 't':
		return rd_lit(d, "true");
	case 'f':
		return rd_lit(d, "false");
	case 'n':
		return rd_lit(d, "null");
	}
	if (*d->p == '-')
		d->p++;
	while (d->p < d->end) {
		char c = *d->p;

		if (c >= '0' && c <= '9')
			digits++;
		else if (c != '.' && c != 'e' && c != 'E' && c != '+' &&
		         c != '-')
			break;
		d->p++;
	}
	return digits > 0 ? 0 : -1;
}

/* ---- The record's shape ---------------------------------------------- */

static int
rec_support(struct rd *d)
{
	struct report_record *r = d->r;
	const char *s;

	if (rd_str(d, &s) != 0)
		return -1;
	if (r->nsupports == r->csupports) {
		r->csupports = r->csupports ? r->csupports * 2 : 16;
		r->supports = xreallocarray(
		    r->supports, r->csupports, sizeof *r->supports);
	}
	r->supports[r->nsupports++] = s;
	d->entry->nsupport++;
	return 0;
}

static int
rec_after(struct rd *d, const char *key)
{
	struct report_entry *h = d->entry;

	if (strcmp(key, "dept") == 0)
		return rd_str_or_null(d, &h->dept);
	if (strcmp(key, "dept_acked") == 0)
		return rd_str_or_null(d, &h->dept_acked);
	if (strcmp(key, "support") == 0) {
		rd_ws(d);
		if (d->p < d->end && *d->p == 'n')
			return rd_lit(d, "null");
		h->support = d->r->nsupports;
		h->nsupport = 0;
		return rd_array(d, rec_support);
	}
	return rd_skip(d);
}

static int
rec_entry_member(struct rd *d, const char *key)
{
	if (strcmp(key, "at_ms") == 0)
		return rd_int(d, &d->entry->at_ms);
	if (strcmp(key, "action") == 0)
		return rd_str_or_null(d, &d->entry->action);
	if (strcmp(key, "after") == 0) {
		rd_ws(d);
		if (d->p < d->end && *d->p == 'n')
			return rd_lit(d, "null");
		return rd_object(d, rec_after);
	}
	return rd_skip(d);
}

static int
rec_entry(struct rd *d)
{
	struct report_record *r = d->r;

	if (r->nhist == r->chist) {
		r->chist = r->chist ? r->chist * 2 : 16;
		r->hist = xreallocarray(r->hist, r->chist, sizeof *r->hist);
	}
	d->entry = &r->hist[r->nhist++];
	memset(d->entry, 0, sizeof *d->entry);
	return rd_object(d, rec_entry_member);
}

static int
rec_dept_member(struct rd *d, const char *key)
{
	struct report_dept *p = &d->r->depts[d->r->ndepts - 1];
	const char *s;

	if (strcmp(key, "dept") == 0)
		return rd_str_or_null(d, &p->dept);
	if (strcmp(key, "role") == 0) {
		if (rd_str_or_null(d, &s) != 0)
			return -1;
		p->lead = s != NULL && strcmp(s, "lead") == 0;
		return 0;
	}
	return rd_skip(d);
}

static int
rec_dept(struct rd *d)
{
	struct report_record *r = d->r;

	if (r->ndepts == r->cdepts) {
		r->cdepts = r->cdepts ? r->cdepts * 2 : 8;
		r->depts = xreallocarray(r->depts, r->cdepts, sizeof *r->depts);
	}
	memset(&r->depts[r->ndepts++], 0, sizeof *r->depts);
	return rd_object(d, rec_dept_member);
}

static int
rec_label(struct rd *d, const char *key)
{
	if (strcmp(key, "subdistrict") == 0)
		return rd_str_or_null(d, &d->r->subdistrict);
	return rd_skip(d);
}

static int
rec_member(struct rd *d, const char *key)
{
	struct report_record *r = d->r;

	switch (key[0]) {
	case 's':
		if (strcmp(key, "source") == 0)
			return rd_str_or_null(d, &r->source);
		if (strcmp(key, "state") == 0)
			return rd_str_or_null(d, &r->state);
		break;
	case 'c':
		if (strcmp(key, "code") == 0)
			return rd_str_or_null(d, &r->code);
		break;
	case 'r':
		if (strcmp(key, "rule") == 0)
			return rd_str_or_null(d, &r->rule);
		break;
	case 'e':
		if (strcmp(key, "ended_ms") == 0)
			return rd_int(d, &r->ended_ms);
		break;
	case 'd':
		if (strcmp(key, "deadline_ms") == 0)
			return rd_int(d, &r->deadline_ms);
		if (strcmp(key, "depts") == 0)
			return rd_array(d, rec_dept);
		break;
	case 'l':
		if (strcmp(key, "labels") == 0)
			return rd_object(d, rec_label);
		break;
	case 'h':
		if (strcmp(key, "history") == 0)
			return rd_array(d, rec_entry);
		break;
	}
	return rd_skip(d);
}

void
report_record_init(struct report_record *r)
{
	memset(r, 0, sizeof *r);
}

void
report_record_free(struct report_record *r)
{
	free(r->buf);
	free(r->depts);
	free(r->hist);
	free(r->supports);
	memset(r, 0, sizeof *r);
}

int
report_record_decode(struct report_record *r, const char *text, size_t len)
{
	struct rd d;

	if (len + 1 > r->cap) {
		r->cap = len + 1 + len / 2;
		free(r->buf);
		r->buf = xmalloc(r->cap);
	}
	memcpy(r->buf, text, len);
	r->buf[len] = '\0';
	r->source = r->state = r->code = r->rule = r->subdistrict = NULL;
	r->ended_ms = r->deadline_ms = 0;
	r->ndepts = r->nhist = r->nsupports = 0;
	memset(&d, 0, sizeof d);
	d.p = r->buf;
	d.end = r->buf + len;
	d.r = r;
	if (rd_object(&d, rec_member) != 0)
		return -1;
	rd_ws(&d);
	return d.p == d.end ? 0 : -1;
}
