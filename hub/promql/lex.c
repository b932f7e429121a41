/* promql lexer: PromQL text to tokens (numbers, durations, strings,
 * identifiers, punctuation and operators). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/promql/promql-int.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

/* Operators, longest first so "==" wins over "=". */
static const struct {
	const char *text;
	enum promql_tok kind;
	int op;
} lex_ops[] = {
    {"==", TOK_OP, PROMQL_EQ},
    {"!=", TOK_OP, PROMQL_NE},
    {">=", TOK_OP, PROMQL_GE},
    {"<=", TOK_OP, PROMQL_LE},
    {"=~", TOK_RE, 0},
    {"!~", TOK_NRE, 0},
    {"+", TOK_OP, PROMQL_ADD},
    {"-", TOK_OP, PROMQL_SUB},
    {"*", TOK_OP, PROMQL_MUL},
    {"/", TOK_OP, PROMQL_DIV},
    {"%", TOK_OP, PROMQL_MOD},
    {"^", TOK_OP, PROMQL_POW},
    {">", TOK_OP, PROMQL_GT},
    {"<", TOK_OP, PROMQL_LT},
    {"=", TOK_ASSIGN, 0},
    {"(", TOK_LPAREN, 0},
    {")", TOK_RPAREN, 0},
    {"{", TOK_LBRACE, 0},
    {"}", TOK_RBRACE, 0},
    {"[", TOK_LBRACKET, 0},
    {"]", TOK_RBRACKET, 0},
    {",", TOK_COMMA, 0},
    {":", TOK_COLON, 0},
};

/* Duration units in the order they must appear. */
static const struct {
	const char *unit;
	int64_t ms;
} lex_units[] = {
    {"y", 365LL * 86400000},
    {"w", 7LL * 86400000},
    {"d", 86400000},
    {"h", 3600000},
    {"m", 60000},
    {"s", 1000},
    {"ms", 1},
};

#define LEX_NUNITS (sizeof lex_units / sizeof lex_units[0])

int
promql_duration_parse(const char *s, size_t len, int64_t *ms)
{
	const char *end = s + len;
	int64_t total = 0;
	size_t last = 0, u;
	int any = 0;

	while (s < end) {
		int64_t n = 0;

		if (!isdigit((unsigned char)*s))
			return -1;
		while (s < end && isdigit((unsigned char)*s)) {
			if (n > 1000000000000LL)
				return -1;
			n = n * 10 + (*s++ - '0');
		}
		for (u = 0; u < LEX_NUNITS; u++) {
			size_t ul = strlen(lex_units[u].unit);

			if ((size_t)(end - s) >= ul &&
			    strncmp(s, lex_units[u].unit, ul) == 0 &&
			    !(ul == 1 && *s == 'm' && s + 1 < end &&
			        s[1] == 's'))
				break;
		}
		if (u == LEX_NUNITS || (any && u <= last))
			return -1;
		s += strlen(lex_units[u].unit);
		if (n > INT64_MAX / 4 / lex_units[u].ms)
			return -1;
		total += n * lex_units[u].ms;
		if (total > INT64_MAX / 4)
			return -1;
		last = u;
		any = 1;
	}
	if (!any)
		return -1;
	*ms = total;
	return 0;
}

void
promql_duration_format(int64_t ms, struct buf *out)
{
	size_t u;

	if (ms == 0) {
		buf_puts(out, "0s");
		return;
	}
	for (u = 0; u < LEX_NUNITS; u++) {
		if (ms >= lex_units[u].ms && lex_units[u].ms != 1) {
			buf_printf(out, "%lld%s",
			    (long long)(ms / lex_units[u].ms),
			    lex_units[u].unit);
			ms %= lex_units[u].ms;
		}
	}
	if (ms > 0)
		buf_printf(out, "%lldms", (long long)ms);
}

static int
lex_ident_char(char c, int first)
{
	return isalpha((unsigned char)c) || c == '_' || c == ':' ||
	       (!first && isdigit((unsigned char)c));
}

static void
lex_fail(struct promql_token *t, const char *msg)
{
	t->kind = TOK_ERROR;
	snprintf(t->error, sizeof t->error, "%s", msg);
}

/* A quoted string at p: " and ' take escapes, ` is raw. */
static void
lex_string(const char **pp, struct promql_token *t)
{
	const char *p = *pp;
	char q = *p++;
	struct buf b = BUF_INIT;

	for (;;) {
		if (*p == '\0' || (*p == '\n' && q != '`')) {
			buf_free(&b);
			lex_fail(t, "unterminated quoted string");
			*pp = p;
			return;
		}
		if (*p == q) {
			p++;
			break;
		}
		if (*p == '\\' && q != '`') {
			p++;
			switch (*p) {
			case 'n':
				buf_putc(&b, '\n');
				break;
			case 't':
				buf_putc(&b, '\t');
				break;
			case 'r':
				buf_putc(&b, '\r');
				break;
			case '\\':
			case '"':
			case '\'':
				buf_putc(&b, *p);
				break;
			default:
				buf_free(&b);
				lex_fail(
				    t, "unknown escape sequence in string");
				*pp = p;
				return;
			}
			p++;
			continue;
		}
		buf_putc(&b, *p++);
	}
	t->kind = TOK_STRING;
	t->str = b.data != NULL ? buf_detach(&b) : xstrdup("");
	*pp = p;
}

/* A number or a duration at p. */
static void
lex_number(const char **pp, struct promql_token *t)
{
	const char *p = *pp, *q = p;
	char *end;

	/* A duration is digits followed by a unit letter. */
	while (isdigit((unsigned char)*q))
		q++;
	if (q > p && strchr("ywdhms", *q) != NULL && *q != '\0') {
		while (isalnum((unsigned char)*q))
			q++;
		if (promql_duration_parse(p, (size_t)(q - p), &t->dur) != 0) {
			lex_fail(t, "bad duration");
			*pp = q;
			return;
		}
		t->kind = TOK_DURATION;
		*pp = q;
		return;
	}
	errno = 0;
	t->num = strtod(p, &end);
	if (end == p || lex_ident_char(*end, 0)) {
		lex_fail(t, "bad number");
		*pp = end == p ? p + 1 : end;
		return;
	}
	/* strtod takes "inf" and "nan"; those start with letters and never
	 * reach here. */
	t->kind = TOK_NUMBER;
	*pp = end;
}

void
promql_lex(const char **pp, struct promql_token *t)
{
	const char *p = *pp;
	size_t i;

	memset(t, 0, sizeof *t);
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '#')
			break;
		while (*p != '\0' && *p != '\n')
			p++;
	}
	t->start = p;
	if (*p == '\0') {
		t->kind = TOK_EOF;
	} else if (isdigit((unsigned char)*p) ||
	           (*p == '.' && isdigit((unsigned char)p[1]))) {
		lex_number(&p, t);
	} else if (*p == '"' || *p == '\'' || *p == '`') {
		lex_string(&p, t);
	} else if (lex_ident_char(*p, 1)) {
		while (lex_ident_char(*p, 0))
			p++;
		t->kind = TOK_IDENT;
	} else {
		for (i = 0; i < sizeof lex_ops / sizeof lex_ops[0]; i++) {
			size_t l = strlen(lex_ops[i].text);

			if (strncmp(p, lex_ops[i].text, l) == 0) {
				t->kind = lex_ops[i].kind;
				t->op = lex_ops[i].op;
				p += l;
				break;
			}
		}
		if (i == sizeof lex_ops / sizeof lex_ops[0]) {
			char msg[40];

			snprintf(msg, sizeof msg, "unexpected character '%c'",
			    isprint((unsigned char)*p) ? *p : '?');
			lex_fail(t, msg);
			p++;
		}
	}
	t->len = (size_t)(p - t->start);
	*pp = p;
}
