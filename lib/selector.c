/* Prometheus-style series selector parser and matcher. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/selector.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"

struct parser {
	const char *text;
	const char *p;
	struct selector_error *err;
};

/* 1-based column of pos in characters (UTF-8 continuation bytes do not
 * count). */
static int
column_of(const struct parser *ps, const char *pos)
{
	const char *q;
	int col = 1;

	for (q = ps->text; q < pos; q++) {
		if (((unsigned char)*q & 0xc0) != 0x80)
			col++;
	}
	return col;
}

static void __attribute__((format(printf, 3, 4)))
fail(struct parser *ps, const char *pos, const char *fmt, ...)
{
	va_list ap;

	ps->err->column = column_of(ps, pos);
	va_start(ap, fmt);
	vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
	va_end(ap);
}

static void
skip_ws(struct parser *ps)
{
	while (
	    *ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static int
is_name(char c, int first, int colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return 1;
	if (colon && c == ':')
		return 1;
	return !first && c >= '0' && c <= '9';
}

/* Describe the character at p for messages. */
static const char *
what(const char *p, char *tmp, size_t len)
{
	if (*p == '\0')
		return "end of text";
	if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
		snprintf(tmp, len, "byte 0x%02x", (unsigned char)*p);
	else
		snprintf(tmp, len, "'%c'", *p);
	return tmp;
}

/* Parse a quoted string at ps->p into a heap string; NULL on error. */
static char *
parse_string(struct parser *ps)
{
	struct buf b = BUF_INIT;
	const char *start = ps->p;
	char q = *ps->p, tmp[16];

	if (q != '"' && q != '\'') {
		fail(ps, ps->p, "expected a quoted value, found %s",
		    what(ps->p, tmp, sizeof tmp));
		return NULL;
	}
	ps->p++;
	for (;;) {
		char c = *ps->p;

		if (c == '\0') {
			fail(ps, start, "unterminated string");
			buf_free(&b);
			return NULL;
		}
		if (c == q) {
			ps->p++;
			break;
		}
		if (c == '\\') {
			char e = ps->p[1];

			switch (e) {
			case 'n':
				buf_putc(&b, '\n');
				break;
			case 't':
				buf_putc(&b, '\t');
				break;
			case '\\':
			case '"':
			case '\'':
				buf_putc(&b, e);
				break;
			default:
				fail(ps, ps->p, "invalid escape \\%c in string",
				    e == '\0' ? ' ' : e);
				buf_free(&b);
				return NULL;
			}
			ps->p += 2;
			continue;
		}
		buf_putc(&b, c);
		ps->p++;
	}
	return buf_detach(&b);
}

static int
parse_matcher(struct parser *ps, struct selector *sel)
{
	struct selector_matcher *m;
	const char *name = ps->p, *name_end, *vpos;
	char tmp[16];
	enum selector_op op;
	char *value;

	if (!is_name(*ps->p, 1, 0)) {
		fail(ps, ps->p, "expected a tag name, found %s",
		    what(ps->p, tmp, sizeof tmp));
		return -1;
	}
	while (is_name(*ps->p, 0, 0))
		ps->p++;
	name_end = ps->p;
	if (ps->p - name > SERIESKEY_NAME_MAX) {
		fail(ps, name, "tag name too long");
		return -1;
	}
	skip_ws(ps);
	if (ps->p[0] == '=' && ps->p[1] == '~') {
		op = SELECTOR_RE;
		ps->p += 2;
	} else if (ps->p[0] == '!' && ps->p[1] == '~') {
		op = SELECTOR_NRE;
		ps->p += 2;
	} else if (ps->p[0] == '!' && ps->p[1] == '=') {
		op = SELECTOR_NE;
		ps->p += 2;
	} else if (ps->p[0] == '=') {
		op = SELECTOR_EQ;
		ps->p++;
	} else {
		fail(ps, ps->p, "expected '=', '!=', '=~' or '!~', found %s",
		    what(ps->p, tmp, sizeof tmp));
		return -1;
	}
	skip_ws(ps);
	vpos = ps->p;
	if ((value = parse_string(ps)) == NULL)
		return -1;
	sel->m = xreallocarray(sel->m, sel->n + 1, sizeof *sel->m);
	m = &sel->m[sel->n];
	memset(m, 0, sizeof *m);
	m->name = xstrndup(name, name_end - name);
	m->op = op;
	m->value = value;
	m->column = column_of(ps, name);
	if (op == SELECTOR_RE || op == SELECTOR_NRE) {
		char *cause = NULL;

		if ((m->re = regexp_compile(value, &cause)) == NULL) {
			fail(ps, vpos, "%s", cause);
			free(cause);
			free(m->name);
			free(m->value);
			return -1;
		}
	}
	sel->n++;
	return 0;
}

struct selector *
selector_parse(const char *text, struct selector_error *err)
{
	struct parser ps = {text, text, err};
	struct selector *sel = xcalloc(1, sizeof *sel);
	const char *start;
	char tmp[16];

	memset(err, 0, sizeof *err);
	skip_ws(&ps);
	start = ps.p;
	if (is_name(*ps.p, 1, 1)) {
		while (is_name(*ps.p, 0, 1))
			ps.p++;
		if (ps.p - start > SERIESKEY_METRIC_MAX) {
			fail(&ps, start, "metric name too long");
			goto error;
		}
		sel->metric = xstrndup(start, ps.p - start);
		skip_ws(&ps);
	}
	if (*ps.p == '{') {
		ps.p++;
		skip_ws(&ps);
		while (*ps.p != '}') {
			if (parse_matcher(&ps, sel) != 0)
				goto error;
			skip_ws(&ps);
			if (*ps.p == ',') {
				ps.p++;
				skip_ws(&ps);
			} else if (*ps.p != '}') {
				fail(&ps, ps.p, "expected ',' or '}', found %s",
				    what(ps.p, tmp, sizeof tmp));
				goto error;
			}
		}
		ps.p++;
		skip_ws(&ps);
	}
	if (*ps.p != '\0') {
		if (sel->metric == NULL && sel->n == 0)
			fail(&ps, ps.p,
			    "expected a metric name or '{', found "
			    "%s",
			    what(ps.p, tmp, sizeof tmp));
		else
			fail(&ps, ps.p, "unexpected %s after selector",
			    what(ps.p, tmp, sizeof tmp));
		goto error;
	}
	if (sel->metric == NULL && sel->n == 0) {
		fail(&ps, ps.p,
		    "empty selector: give a metric name or a "
		    "matcher");
		goto error;
	}
	return sel;
error:
	selector_free(sel);
	return NULL;
}

struct selector *
selector_parse_cause(const char *text, char **cause)
{
	struct selector_error err;
	struct selector *sel;

	if ((sel = selector_parse(text, &err)) == NULL && cause != NULL)
		*cause = xasprintf("column %d: %s", err.column, err.message);
	return sel;
}

void
selector_free(struct selector *sel)
{
	size_t i;

	if (sel == NULL)
		return;
	for (i = 0; i < sel->n; i++) {
		free(sel->m[i].name);
		free(sel->m[i].value);
		regexp_free(sel->m[i].re);
	}
	free(sel->m);
	free(sel->metric);
	free(sel);
}

int
selector_matcher_match(const struct selector_matcher *m, const char *value)
{
	switch (m->op) {
	case SELECTOR_EQ:
		return strcmp(value, m->value) == 0;
	case SELECTOR_NE:
		return strcmp(value, m->value) != 0;
	case SELECTOR_RE:
		return regexp_match(m->re, value) == 1;
	case SELECTOR_NRE:
		/* A match stopped by a limit (-1) matches neither way. */
		return regexp_match(m->re, value) == 0;
	}
	return 0;
}

int
selector_match(const struct selector *sel, const char *metric,
    const char *(*get)(void *arg, const char *name), void *arg)
{
	size_t i;

	if (sel->metric != NULL && strcmp(sel->metric, metric) != 0)
		return 0;
	for (i = 0; i < sel->n; i++) {
		const struct selector_matcher *m = &sel->m[i];
		const char *v;

		if (strcmp(m->name, "__name__") == 0)
			v = metric;
		else if ((v = get(arg, m->name)) == NULL)
			v = "";
		if (!selector_matcher_match(m, v))
			return 0;
	}
	return 1;
}

static void
format_value(struct buf *out, const char *v)
{
	buf_putc(out, '"');
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\') {
			buf_putc(out, '\\');
			buf_putc(out, *v);
		} else if (*v == '\n')
			buf_puts(out, "\\n");
		else if (*v == '\t')
			buf_puts(out, "\\t");
		else
			buf_putc(out, *v);
	}
	buf_putc(out, '"');
}

void
selector_format(const struct selector *sel, struct buf *out)
{
	static const char *ops[] = {"=", "!=", "=~", "!~"};
	size_t i;

	if (sel->metric != NULL)
		buf_puts(out, sel->metric);
	if (sel->n == 0 && sel->metric != NULL)
		return;
	buf_putc(out, '{');
	for (i = 0; i < sel->n; i++) {
		if (i > 0)
			buf_putc(out, ',');
		buf_puts(out, sel->m[i].name);
		buf_puts(out, ops[sel->m[i].op]);
		format_value(out, sel->m[i].value);
	}
	buf_putc(out, '}');
}
