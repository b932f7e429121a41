/* promql normal form: a tree back to text that parses to the same tree
 * (for error messages, logs and the parser's fuzz target). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "hub/promql/promql-int.h"

static void
format_string(struct buf *out, const char *s)
{
	buf_putc(out, '"');
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '"':
		case '\\':
			buf_putc(out, '\\');
			buf_putc(out, *s);
			break;
		case '\n':
			buf_puts(out, "\\n");
			break;
		case '\t':
			buf_puts(out, "\\t");
			break;
		case '\r':
			buf_puts(out, "\\r");
			break;
		default:
			buf_putc(out, *s);
		}
	}
	buf_putc(out, '"');
}

static void
format_labels(struct buf *out, char *const *labels, size_t n)
{
	size_t i;

	buf_puts(out, " (");
	for (i = 0; i < n; i++)
		buf_printf(out, "%s%s", i ? ", " : "", labels[i]);
	buf_puts(out, ")");
}

void
promql_node_format(const struct promql_node *n, struct buf *out)
{
	size_t i;

	switch (n->kind) {
	case PROMQL_NUMBER:
		/* Negative numbers in parentheses: -1 ^ 2 is -(1 ^ 2). */
		if (isnan(n->num))
			buf_puts(out, "NaN");
		else if (isinf(n->num))
			buf_puts(out, n->num > 0 ? "Inf" : "(-Inf)");
		else
			buf_printf(
			    out, signbit(n->num) ? "(%.17g)" : "%.17g", n->num);
		break;
	case PROMQL_STR:
		format_string(out, n->str);
		break;
	case PROMQL_SELECT:
		selector_format(n->sel, out);
		if (n->sel->n == 0 && n->sel->metric != NULL &&
		    promql_word_is_aggregation(n->sel->metric))
			buf_puts(out, "{}");
		if (n->range_ms > 0) {
			buf_putc(out, '[');
			promql_duration_format(n->range_ms, out);
			buf_putc(out, ']');
		}
		if (n->offset_ms != 0) {
			buf_puts(out, " offset ");
			promql_duration_format(n->offset_ms, out);
		}
		break;
	case PROMQL_CALL:
	case PROMQL_AGG:
		if (n->kind == PROMQL_CALL)
			buf_puts(out, n->func->name);
		else {
			buf_puts(out, promql_aggop_name(n->op));
			if (n->grouping) {
				buf_puts(out, n->without ? " without" : " by");
				format_labels(out, n->labels, n->nlabels);
			}
			buf_putc(out, ' ');
		}
		buf_putc(out, '(');
		for (i = 0; i < n->nargs; i++) {
			if (i > 0)
				buf_puts(out, ", ");
			promql_node_format(n->args[i], out);
		}
		buf_putc(out, ')');
		break;
	case PROMQL_BINARY:
		buf_putc(out, '(');
		promql_node_format(n->args[0], out);
		buf_printf(out, " %s ", promql_binop_name(n->op));
		if (n->bool_)
			buf_puts(out, "bool ");
		if (n->matching) {
			buf_puts(out, n->on ? "on" : "ignoring");
			format_labels(out, n->labels, n->nlabels);
			buf_putc(out, ' ');
		}
		promql_node_format(n->args[1], out);
		buf_putc(out, ')');
		break;
	case PROMQL_NEGATE:
		/* In parentheses like a negative number: unary minus binds
		 * looser than ^, so (-a) ^ 2 written "-(a) ^ 2" would read
		 * back as -(a ^ 2). */
		buf_puts(out, "(-(");
		promql_node_format(n->args[0], out);
		buf_puts(out, "))");
		break;
	}
}
