/* promql parser: tokens to a syntax tree by precedence climbing, with
 * the type checks Prometheus makes, and the tree's normal form. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hub/promql/promql-int.h"
#include "lib/xmalloc.h"

struct parser {
	const char *text;
	const char *p; /* after tok */
	struct promql_token tok;
	char *cause;
	int depth;
};

#define PARSE_MAX_DEPTH 200

static const char *const binop_names[PROMQL_BINOP_MAX] = {
    [PROMQL_ADD] = "+",
    [PROMQL_SUB] = "-",
    [PROMQL_MUL] = "*",
    [PROMQL_DIV] = "/",
    [PROMQL_MOD] = "%",
    [PROMQL_POW] = "^",
    [PROMQL_EQ] = "==",
    [PROMQL_NE] = "!=",
    [PROMQL_GT] = ">",
    [PROMQL_LT] = "<",
    [PROMQL_GE] = ">=",
    [PROMQL_LE] = "<=",
};

/* Precedence: comparisons < + - < * / % < ^. */
static const int binop_prec[PROMQL_BINOP_MAX] = {
    [PROMQL_ADD] = 2,
    [PROMQL_SUB] = 2,
    [PROMQL_MUL] = 3,
    [PROMQL_DIV] = 3,
    [PROMQL_MOD] = 3,
    [PROMQL_POW] = 4,
    [PROMQL_EQ] = 1,
    [PROMQL_NE] = 1,
    [PROMQL_GT] = 1,
    [PROMQL_LT] = 1,
    [PROMQL_GE] = 1,
    [PROMQL_LE] = 1,
};

#define PREC_POW 4

static const struct {
	const char *name;
	int param;
} aggops[PROMQL_AGGOP_MAX] = {
    [PROMQL_AGG_SUM] = {"sum", 0},
    [PROMQL_AGG_AVG] = {"avg", 0},
    [PROMQL_AGG_MIN] = {"min", 0},
    [PROMQL_AGG_MAX] = {"max", 0},
    [PROMQL_AGG_COUNT] = {"count", 0},
    [PROMQL_AGG_TOPK] = {"topk", 1},
    [PROMQL_AGG_BOTTOMK] = {"bottomk", 1},
    [PROMQL_AGG_QUANTILE] = {"quantile", 1},
};

/* Known PromQL words this subset does not implement. */
static const char *const unsupported_aggs[] = {
    "stddev", "stdvar", "group", "count_values", NULL};
static const char *const set_ops[] = {"and", "or", "unless", "atan2", NULL};
/* Words that are never a metric name (as in Prometheus's lexer). */
static const char *const keywords[] = {"by", "without", "on", "ignoring",
    "bool", "offset", "group_left", "group_right", "and", "or", "unless",
    "atan2", NULL};

int
promql_word_is_aggregation(const char *name)
{
	size_t i;

	if (promql_aggop_find(name) >= 0)
		return 1;
	for (i = 0; unsupported_aggs[i] != NULL; i++)
		if (strcmp(name, unsupported_aggs[i]) == 0)
			return 1;
	return 0;
}

const char *
promql_binop_name(enum promql_binop op)
{
	return binop_names[op];
}

int
promql_binop_is_comparison(enum promql_binop op)
{
	return op >= PROMQL_EQ;
}

const char *
promql_aggop_name(enum promql_aggop op)
{
	return aggops[op].name;
}

int
promql_aggop_find(const char *name)
{
	int i;

	for (i = 0; i < PROMQL_AGGOP_MAX; i++)
		if (strcmp(aggops[i].name, name) == 0)
			return i;
	return -1;
}

int
promql_aggop_has_param(enum promql_aggop op)
{
	return aggops[op].param;
}

const char *
promql_type_name(enum promql_type t)
{
	static const char *const names[] = {
	    "scalar", "string", "instant vector", "range vector"};

	return names[t];
}

static int parse_fail(struct parser *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
parse_fail(struct parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	if (ps->cause != NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ps->cause = xasprintf("column %d: %s", (int)(at - ps->text) + 1, msg);
	return -1;
}

static void
parse_next(struct parser *ps)
{
	free(ps->tok.str);
	promql_lex(&ps->p, &ps->tok);
	if (ps->tok.kind == TOK_ERROR)
		parse_fail(ps, ps->tok.start, "%s", ps->tok.error);
}

/* The token after the current one, without consuming anything. */
static enum promql_tok
parse_peek(struct parser *ps)
{
	const char *p = ps->p;
	struct promql_token t;

	promql_lex(&p, &t);
	free(t.str);
	return t.kind;
}

static int
tok_is_word(const struct parser *ps, const char *w)
{
	return ps->tok.kind == TOK_IDENT && strlen(w) == ps->tok.len &&
	       strncmp(ps->tok.start, w, ps->tok.len) == 0;
}

static const char *
tok_desc(const struct parser *ps, char *buf, size_t len)
{
	if (ps->tok.kind == TOK_EOF)
		return "end of input";
	snprintf(buf, len, "\"%.*s\"",
	    (int)(ps->tok.len > 20 ? 20 : ps->tok.len), ps->tok.start);
	return buf;
}

static int
parse_expect(struct parser *ps, enum promql_tok kind, const char *what)
{
	char b[32];

	if (ps->tok.kind != kind)
		return parse_fail(ps, ps->tok.start, "expected %s, found %s",
		    what, tok_desc(ps, b, sizeof b));
	parse_next(ps);
	return ps->cause != NULL ? -1 : 0;
}

static struct promql_node *
node_new(struct parser *ps, enum promql_kind kind, const char *at)
{
	struct promql_node *n = xcalloc(1, sizeof *n);

	n->kind = kind;
	n->column = (int)(at - ps->text) + 1;
	return n;
}

static void
node_add(struct promql_node *n, struct promql_node *arg)
{
	n->args = xreallocarray(n->args, n->nargs + 1, sizeof *n->args);
	n->args[n->nargs++] = arg;
}

void
promql_node_free(struct promql_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nargs; i++)
		promql_node_free(n->args[i]);
	free(n->args);
	for (i = 0; i < n->nlabels; i++)
		free(n->labels[i]);
	free(n->labels);
	free(n->str);
	if (n->sel != NULL)
		selector_free(n->sel);
	free(n);
}

static struct promql_node *parse_expr(struct parser *ps, int minprec);

/* "(" [label {"," label}] [","] ")" into n->labels. */
static int
parse_labels(struct parser *ps, struct promql_node *n)
{
	char b[32];

	if (parse_expect(ps, TOK_LPAREN, "\"(\" before the label list") != 0)
		return -1;
	while (ps->tok.kind == TOK_IDENT) {
		n->labels =
		    xreallocarray(n->labels, n->nlabels + 1, sizeof *n->labels);
		n->labels[n->nlabels++] = xstrndup(ps->tok.start, ps->tok.len);
		parse_next(ps);
		if (ps->tok.kind != TOK_COMMA)
			break;
		parse_next(ps);
	}
	if (ps->tok.kind != TOK_RPAREN)
		return parse_fail(ps, ps->tok.start,
		    "expected a label name or \")\", found %s",
		    tok_desc(ps, b, sizeof b));
	parse_next(ps);
	return ps->cause != NULL ? -1 : 0;
}

/* A selector: the current token is its metric name or "{". */
static struct promql_node *
parse_selector(struct parser *ps)
{
	const char *start = ps->tok.start, *p = ps->p, *end;
	struct promql_node *n;
	char *text, *cause = NULL;

	end = ps->tok.kind == TOK_IDENT ? ps->p : ps->tok.start;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '{' || ps->tok.kind == TOK_LBRACE) {
		char q = 0;

		p = ps->tok.kind == TOK_LBRACE ? ps->tok.start : p;
		for (p++; *p != '\0'; p++) {
			if (q != 0) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				else if (*p == q)
					q = 0;
			} else if (*p == '"' || *p == '\'' || *p == '`')
				q = *p;
			else if (*p == '}')
				break;
		}
		if (*p != '}') {
			parse_fail(ps, start, "unclosed \"{\" in selector");
			return NULL;
		}
		end = p + 1;
	}
	text = xstrndup(start, (size_t)(end - start));
	n = node_new(ps, PROMQL_SELECT, start);
	n->type = PROMQL_VECTOR;
	n->sel = selector_parse_cause(text, &cause);
	free(text);
	if (n->sel == NULL) {
		parse_fail(ps, start, "selector: %s", cause);
		free(cause);
		promql_node_free(n);
		return NULL;
	}
	ps->p = end;
	parse_next(ps);
	return n;
}

/* Check that arg has type want, for what. */
static int
parse_check_type(struct parser *ps, const struct promql_node *arg,
    enum promql_type want, const char *what)
{
	if (arg->type == want)
		return 0;
	return parse_fail(ps, ps->text + arg->column - 1,
	    "expected type %s in %s, got %s", promql_type_name(want), what,
	    promql_type_name(arg->type));
}

/* An optional "by (...)" or "without (...)"; 0 or -1. */
static int
parse_grouping(struct parser *ps, struct promql_node *n)
{
	if (!tok_is_word(ps, "by") && !tok_is_word(ps, "without"))
		return 0;
	n->without = tok_is_word(ps, "without");
	n->grouping = 1;
	parse_next(ps);
	return parse_labels(ps, n);
}

static struct promql_node *
parse_aggregation(struct parser *ps, int op)
{
	struct promql_node *n = node_new(ps, PROMQL_AGG, ps->tok.start), *a;
	char what[48];

	n->op = op;
	n->type = PROMQL_VECTOR;
	parse_next(ps);
	if (parse_grouping(ps, n) != 0)
		goto fail;
	snprintf(what, sizeof what, "aggregation %s", aggops[op].name);
	if (parse_expect(ps, TOK_LPAREN, "\"(\"") != 0)
		goto fail;
	if (aggops[op].param) {
		if ((a = parse_expr(ps, 0)) == NULL)
			goto fail;
		node_add(n, a);
		if (parse_check_type(ps, a, PROMQL_SCALAR, what) != 0 ||
		    parse_expect(ps, TOK_COMMA, "\",\" after the parameter") !=
		        0)
			goto fail;
	}
	if ((a = parse_expr(ps, 0)) == NULL)
		goto fail;
	node_add(n, a);
	if (parse_check_type(ps, a, PROMQL_VECTOR, what) != 0)
		goto fail;
	if (ps->tok.kind == TOK_COMMA)
		parse_next(ps);
	if (parse_expect(ps, TOK_RPAREN, "\")\"") != 0)
		goto fail;
	if (!n->grouping && parse_grouping(ps, n) != 0)
		goto fail;
	return n;
fail:
	promql_node_free(n);
	return NULL;
}

static struct promql_node *
parse_call(struct parser *ps, const struct promql_func *f)
{
	struct promql_node *n = node_new(ps, PROMQL_CALL, ps->tok.start), *a;
	char what[64], b[32];
	size_t i;

	n->func = f;
	n->type = f->ret;
	parse_next(ps); /* name */
	parse_next(ps); /* ( */
	while (ps->tok.kind != TOK_RPAREN) {
		if ((a = parse_expr(ps, 0)) == NULL)
			goto fail;
		node_add(n, a);
		if (ps->tok.kind != TOK_COMMA)
			break;
		parse_next(ps);
	}
	if (ps->tok.kind != TOK_RPAREN) {
		parse_fail(ps, ps->tok.start,
		    "expected \",\" or \")\", found %s",
		    tok_desc(ps, b, sizeof b));
		goto fail;
	}
	parse_next(ps);
	if (n->nargs < f->nargs || n->nargs > f->nargs + f->nopt) {
		parse_fail(ps, ps->text + n->column - 1,
		    "function %s takes %zu%s argument(s), got %zu", f->name,
		    f->nargs, f->nopt ? " or more" : "", n->nargs);
		goto fail;
	}
	snprintf(what, sizeof what, "call to function %s", f->name);
	for (i = 0; i < n->nargs; i++) {
		if (parse_check_type(ps, n->args[i], f->args[i], what) != 0)
			goto fail;
		if (f->args[i] == PROMQL_MATRIX &&
		    n->args[i]->kind != PROMQL_SELECT) {
			parse_fail(ps, ps->text + n->args[i]->column - 1,
			    "subqueries are not supported");
			goto fail;
		}
	}
	return n;
fail:
	promql_node_free(n);
	return NULL;
}

static struct promql_node *
parse_ident(struct parser *ps)
{
	char name[64];
	const struct promql_func *f;
	size_t i;
	int op;

	snprintf(name, sizeof name, "%.*s",
	    (int)(ps->tok.len < 63 ? ps->tok.len : 63), ps->tok.start);
	if (strcasecmp(name, "inf") == 0 || strcasecmp(name, "nan") == 0) {
		struct promql_node *n =
		    node_new(ps, PROMQL_NUMBER, ps->tok.start);

		n->type = PROMQL_SCALAR;
		n->num =
		    tolower((unsigned char)name[0]) == 'i' ? INFINITY : NAN;
		parse_next(ps);
		return n;
	}
	if ((op = promql_aggop_find(name)) >= 0 &&
	    (parse_peek(ps) == TOK_LPAREN || parse_peek(ps) == TOK_IDENT))
		return parse_aggregation(ps, op);
	for (i = 0; unsupported_aggs[i] != NULL; i++)
		if (strcmp(name, unsupported_aggs[i]) == 0 &&
		    parse_peek(ps) != TOK_LBRACE) {
			parse_fail(ps, ps->tok.start,
			    "aggregation %s is not supported", name);
			return NULL;
		}
	for (i = 0; keywords[i] != NULL; i++)
		if (strcmp(name, keywords[i]) == 0) {
			parse_fail(
			    ps, ps->tok.start, "unexpected keyword %s", name);
			return NULL;
		}
	if (parse_peek(ps) == TOK_LPAREN) {
		if ((f = promql_func_find(name)) == NULL) {
			parse_fail(ps, ps->tok.start,
			    "function %s is not supported", name);
			return NULL;
		}
		return parse_call(ps, f);
	}
	return parse_selector(ps);
}

static struct promql_node *
parse_primary(struct parser *ps)
{
	struct promql_node *n;
	char b[32];

	switch (ps->tok.kind) {
	case TOK_NUMBER:
		n = node_new(ps, PROMQL_NUMBER, ps->tok.start);
		n->type = PROMQL_SCALAR;
		n->num = ps->tok.num;
		parse_next(ps);
		return n;
	case TOK_STRING:
		n = node_new(ps, PROMQL_STR, ps->tok.start);
		n->type = PROMQL_STRING;
		n->str = ps->tok.str;
		ps->tok.str = NULL;
		parse_next(ps);
		return n;
	case TOK_LPAREN:
		parse_next(ps);
		if ((n = parse_expr(ps, 0)) == NULL)
			return NULL;
		if (parse_expect(ps, TOK_RPAREN, "\")\"") != 0) {
			promql_node_free(n);
			return NULL;
		}
		return n;
	case TOK_IDENT:
		return parse_ident(ps);
	case TOK_LBRACE:
		return parse_selector(ps);
	default:
		break;
	}
	if (ps->cause == NULL)
		parse_fail(ps, ps->tok.start, "unexpected %s",
		    tok_desc(ps, b, sizeof b));
	return NULL;
}

/* A primary with its [range] and offset suffixes. */
static struct promql_node *
parse_postfix(struct parser *ps)
{
	struct promql_node *n = parse_primary(ps);

	while (n != NULL && ps->cause == NULL) {
		if (ps->tok.kind == TOK_LBRACKET) {
			const char *at = ps->tok.start;

			parse_next(ps);
			if (ps->tok.kind != TOK_DURATION) {
				parse_fail(ps, ps->tok.start,
				    "expected a duration in [ ]");
				break;
			}
			if (parse_peek(ps) == TOK_COLON) {
				parse_fail(
				    ps, at, "subqueries are not supported");
				break;
			}
			if (n->kind != PROMQL_SELECT || n->range_ms > 0 ||
			    n->offset_ms != 0) {
				parse_fail(ps, at,
				    "ranges only allowed for vector selectors");
				break;
			}
			if (ps->tok.dur <= 0) {
				parse_fail(ps, ps->tok.start,
				    "range must be positive");
				break;
			}
			n->range_ms = ps->tok.dur;
			n->type = PROMQL_MATRIX;
			parse_next(ps);
			if (parse_expect(ps, TOK_RBRACKET, "\"]\"") != 0)
				break;
		} else if (tok_is_word(ps, "offset")) {
			const char *at = ps->tok.start;

			parse_next(ps);
			if (ps->tok.kind != TOK_DURATION) {
				parse_fail(ps, ps->tok.start,
				    "expected a duration after offset");
				break;
			}
			if (n->kind != PROMQL_SELECT || n->offset_ms != 0) {
				parse_fail(ps, at,
				    "offset only allowed once, on a selector");
				break;
			}
			n->offset_ms = ps->tok.dur;
			parse_next(ps);
		} else if (tok_is_word(ps, "@")) {
			break;
		} else
			return n;
	}
	promql_node_free(n);
	return NULL;
}

static struct promql_node *
parse_unary(struct parser *ps)
{
	struct promql_node *n, *a;
	const char *at = ps->tok.start;
	int neg;

	if (ps->tok.kind != TOK_OP ||
	    (ps->tok.op != PROMQL_ADD && ps->tok.op != PROMQL_SUB))
		return parse_postfix(ps);
	neg = ps->tok.op == PROMQL_SUB;
	parse_next(ps);
	if ((a = parse_expr(ps, PREC_POW)) == NULL)
		return NULL;
	if (a->type != PROMQL_SCALAR && a->type != PROMQL_VECTOR) {
		parse_fail(ps, at,
		    "unary expression only allowed on scalars and instant "
		    "vectors");
		promql_node_free(a);
		return NULL;
	}
	if (!neg)
		return a;
	if (a->kind == PROMQL_NUMBER) {
		a->num = -a->num;
		return a;
	}
	n = node_new(ps, PROMQL_NEGATE, at);
	n->type = a->type;
	node_add(n, a);
	return n;
}

/* The modifiers after a binary operator: bool, on/ignoring (...). */
static int
parse_modifiers(struct parser *ps, struct promql_node *n)
{
	if (tok_is_word(ps, "bool")) {
		n->bool_ = 1;
		parse_next(ps);
	}
	if (tok_is_word(ps, "on") || tok_is_word(ps, "ignoring")) {
		n->matching = 1;
		n->on = tok_is_word(ps, "on");
		parse_next(ps);
		if (parse_labels(ps, n) != 0)
			return -1;
	}
	if (tok_is_word(ps, "group_left") || tok_is_word(ps, "group_right"))
		return parse_fail(ps, ps->tok.start, "%.*s is not supported",
		    (int)ps->tok.len, ps->tok.start);
	return 0;
}

static int
parse_binary_check(struct parser *ps, struct promql_node *n)
{
	const struct promql_node *l = n->args[0], *r = n->args[1];
	const char *at = ps->text + n->column - 1;
	int cmp = promql_binop_is_comparison(n->op);

	if ((l->type != PROMQL_SCALAR && l->type != PROMQL_VECTOR) ||
	    (r->type != PROMQL_SCALAR && r->type != PROMQL_VECTOR))
		return parse_fail(ps, at,
		    "binary expression must contain only scalar and instant "
		    "vector types");
	if (n->bool_ && !cmp)
		return parse_fail(ps, at,
		    "bool modifier can only be used on comparison "
		    "operators");
	if (cmp && !n->bool_ && l->type == PROMQL_SCALAR &&
	    r->type == PROMQL_SCALAR)
		return parse_fail(ps, at,
		    "comparisons between scalars must use BOOL modifier");
	if (n->matching &&
	    (l->type != PROMQL_VECTOR || r->type != PROMQL_VECTOR))
		return parse_fail(ps, at,
		    "vector matching only allowed between instant vectors");
	n->type = l->type == PROMQL_VECTOR || r->type == PROMQL_VECTOR
	              ? PROMQL_VECTOR
	              : PROMQL_SCALAR;
	return 0;
}

static struct promql_node *parse_expr_climb(struct parser *ps, int minprec);

/* An expression whose operators bind at least as tightly as minprec. */
static struct promql_node *
parse_expr(struct parser *ps, int minprec)
{
	struct promql_node *n;

	if (ps->depth >= PARSE_MAX_DEPTH) {
		parse_fail(ps, ps->tok.start, "expression nested too deeply");
		return NULL;
	}
	ps->depth++;
	n = parse_expr_climb(ps, minprec);
	ps->depth--;
	return n;
}

static struct promql_node *
parse_expr_climb(struct parser *ps, int minprec)
{
	struct promql_node *lhs, *rhs, *n;
	size_t i;
	int op, prec;

	if ((lhs = parse_unary(ps)) == NULL)
		return NULL;
	for (;;) {
		for (i = 0; set_ops[i] != NULL; i++)
			if (tok_is_word(ps, set_ops[i])) {
				parse_fail(ps, ps->tok.start,
				    "operator %s is not supported", set_ops[i]);
				promql_node_free(lhs);
				return NULL;
			}
		if (ps->tok.kind != TOK_OP)
			return lhs;
		op = ps->tok.op;
		prec = binop_prec[op];
		if (prec < minprec)
			return lhs;
		n = node_new(ps, PROMQL_BINARY, ps->tok.start);
		n->op = op;
		node_add(n, lhs);
		parse_next(ps);
		if (parse_modifiers(ps, n) != 0) {
			promql_node_free(n);
			return NULL;
		}
		/* ^ is right-associative, the others left. */
		rhs = parse_expr(ps, op == PROMQL_POW ? prec : prec + 1);
		if (rhs == NULL) {
			promql_node_free(n);
			return NULL;
		}
		node_add(n, rhs);
		if (parse_binary_check(ps, n) != 0) {
			promql_node_free(n);
			return NULL;
		}
		lhs = n;
	}
}

struct promql_node *
promql_parse(const char *text, char **cause)
{
	struct parser ps;
	struct promql_node *n;
	char b[32];

	memset(&ps, 0, sizeof ps);
	ps.text = ps.p = text;
	parse_next(&ps);
	if (ps.tok.kind == TOK_EOF && ps.cause == NULL)
		parse_fail(&ps, ps.tok.start, "empty query");
	n = ps.cause == NULL ? parse_expr(&ps, 0) : NULL;
	if (n != NULL && ps.cause == NULL && ps.tok.kind != TOK_EOF)
		parse_fail(&ps, ps.tok.start, "unexpected %s",
		    tok_desc(&ps, b, sizeof b));
	free(ps.tok.str);
	if (ps.cause != NULL) {
		promql_node_free(n);
		if (cause != NULL)
			*cause = ps.cause;
		else
			free(ps.cause);
		return NULL;
	}
	return n;
}
