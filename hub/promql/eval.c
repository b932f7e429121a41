/* promql evaluator: walks a tree over the query's steps; selectors,
 * negation and binary operators here, aggregations in agg.c, functions
 * in func.c. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/promql/promql-int.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define EVAL_LOOKBACK_MS (5 * 60 * 1000)

const char *
promql_error_name(enum promql_error e)
{
	static const char *const names[] = {
	    "", "bad_data", "execution", "timeout", "internal"};

	return names[e];
}

int
promql_fail(struct promql_ctx *c, enum promql_error e, const char *fmt, ...)
{
	va_list ap;

	if (c->cause != NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&c->cause, fmt, ap) < 0)
		c->cause = xstrdup("out of memory");
	va_end(ap);
	c->err = e;
	return -1;
}

int64_t
promql_step_time(const struct promql_ctx *c, size_t i)
{
	return c->q->start + (int64_t)i * c->q->step;
}

int
promql_eval_check(struct promql_ctx *c)
{
	if (c->cause != NULL)
		return -1;
	if (c->q->deadline_mono_ms > 0 &&
	    clock_mono_ms() > c->q->deadline_mono_ms)
		return promql_fail(c, PROMQL_ERR_TIMEOUT,
		    "query timed out in expression evaluation");
	return 0;
}

int
promql_eval_fetch(struct promql_ctx *c, const struct promql_node *n, int64_t w,
    struct promql_value *out)
{
	struct store_result r;
	struct promql_series s;
	int64_t start, end;
	size_t i, k, max;
	char *cause = NULL;

	memset(out, 0, sizeof *out);
	out->type = PROMQL_MATRIX;
	out->nsteps = c->nsteps;
	start = c->q->start - n->offset_ms - w;
	end = promql_step_time(c, c->nsteps - 1) - n->offset_ms;
	if (end < 0)
		return 0;
	if (start < 0)
		start = 0;
	if (c->src->fetch(c->src->arg, n->sel, start, end, &r, &cause) != 0) {
		promql_fail(c, PROMQL_ERR_EXECUTION, "%s", cause);
		free(cause);
		return -1;
	}
	c->partial |= r.partial;
	max = c->q->max_samples > 0 ? c->q->max_samples : PROMQL_MAX_SAMPLES;
	for (i = 0; i < r.n; i++) {
		struct store_series_result *sr = &r.series[i];

		/* Points held plus the per-step values made from them. */
		c->samples += sr->npoints + c->nsteps;
		if (c->samples > max) {
			store_result_free(&r);
			return promql_fail(c, PROMQL_ERR_EXECUTION,
			    "query processing would load too many samples "
			    "into memory (more than %zu)",
			    max);
		}
		promql_series_init(&s, NULL, 0);
		if (sr->metric != NULL)
			promql_series_set_label(&s, "__name__", sr->metric);
		for (k = 0; k < sr->ntags; k++)
			promql_series_set_label(
			    &s, sr->tags[k].name, sr->tags[k].value);
		/* The points move from the store's result. */
		s.npts = sr->npoints;
		s.pts = sr->points;
		sr->points = NULL;
		sr->npoints = 0;
		promql_value_push(out, &s);
	}
	store_result_free(&r);
	return 0;
}

/* The newest point of a window. */
static int
eval_newest(const struct promql_window *w, double *out)
{
	if (w->n == 0)
		return 0;
	*out = w->p[w->n - 1].v;
	return 1;
}

/* An instant selector: per step the newest point in
 * [t - offset - lookback, t - offset]. */
static int
eval_select(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	size_t i;

	if (n->range_ms > 0) {
		/* A range vector at the top of an instant query: its raw
		 * points in [t - offset - range, t - offset]. */
		if (promql_eval_fetch(c, n, n->range_ms, out) != 0)
			return -1;
		for (i = 0; i < out->n; i++)
			out->series[i].ok = xcalloc(1, 1);
		return 0;
	}
	return promql_eval_windows(c, n, c->lookback, eval_newest, NULL, out);
}

static int
eval_number(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	promql_value_scalar(out, c->nsteps, n->num);
	return 0;
}

static int
eval_string(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	memset(out, 0, sizeof *out);
	out->type = PROMQL_STRING;
	out->nsteps = c->nsteps;
	out->str = xstrdup(n->str);
	return 0;
}

static int
eval_negate(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	size_t i, k;

	if (promql_eval_node(c, n->args[0], out) != 0)
		return -1;
	if (out->type == PROMQL_SCALAR) {
		for (k = 0; k < out->nsteps; k++)
			out->scalar[k] = -out->scalar[k];
		return 0;
	}
	for (i = 0; i < out->n; i++) {
		promql_series_del_label(&out->series[i], "__name__");
		for (k = 0; k < out->nsteps; k++)
			out->series[i].v[k] = -out->series[i].v[k];
	}
	return promql_value_normalize(c, out);
}

/* ---- Binary operators --------------------------------------------------- */

/* l op r into *v; returns whether a comparison holds (always 1 for
 * arithmetic). */
static int
binop_apply(int op, double l, double r, double *v)
{
	switch (op) {
	case PROMQL_ADD:
		*v = l + r;
		return 1;
	case PROMQL_SUB:
		*v = l - r;
		return 1;
	case PROMQL_MUL:
		*v = l * r;
		return 1;
	case PROMQL_DIV:
		*v = l / r;
		return 1;
	case PROMQL_MOD:
		*v = fmod(l, r);
		return 1;
	case PROMQL_POW:
		*v = pow(l, r);
		return 1;
	}
	*v = l;
	switch (op) {
	case PROMQL_EQ:
		return l == r;
	case PROMQL_NE:
		return l != r;
	case PROMQL_GT:
		return l > r;
	case PROMQL_LT:
		return l < r;
	case PROMQL_GE:
		return l >= r;
	default:
		return l <= r;
	}
}

/* The value of one step of a binary operation with Prometheus's rules
 * for bool and filtering; 0 when the element is dropped. */
static int
binop_elem(const struct promql_node *n, double l, double r, double *v)
{
	int keep = binop_apply(n->op, l, r, v);

	if (n->bool_) {
		*v = keep ? 1 : 0;
		return 1;
	}
	return keep;
}

static int
binop_drops_name(const struct promql_node *n)
{
	return !promql_binop_is_comparison(n->op) || n->bool_;
}

static int
eval_binary_scalars(const struct promql_node *n, struct promql_value *l,
    struct promql_value *r, struct promql_value *out)
{
	size_t k;

	*out = *l;
	memset(l, 0, sizeof *l);
	for (k = 0; k < out->nsteps; k++)
		(void)binop_elem(
		    n, out->scalar[k], r->scalar[k], &out->scalar[k]);
	return 0;
}

/* vec op scalar (swap 0) or scalar op vec (swap 1). */
static int
eval_binary_vector_scalar(struct promql_ctx *c, const struct promql_node *n,
    struct promql_value *vec, const struct promql_value *sc, int swap,
    struct promql_value *out)
{
	size_t i, k;

	*out = *vec;
	memset(vec, 0, sizeof *vec);
	for (i = 0; i < out->n; i++) {
		struct promql_series *s = &out->series[i];

		if (binop_drops_name(n))
			promql_series_del_label(s, "__name__");
		for (k = 0; k < out->nsteps; k++) {
			double l = s->v[k], r = sc->scalar[k], v;

			if (!s->ok[k])
				continue;
			if (swap) {
				l = sc->scalar[k];
				r = s->v[k];
			}
			/* A comparison keeps the vector's value. */
			if (!binop_elem(n, l, r, &v))
				s->ok[k] = 0;
			else
				s->v[k] = promql_binop_is_comparison(n->op) &&
				                  !n->bool_
				              ? s->v[k]
				              : v;
		}
	}
	return promql_value_normalize(c, out);
}

struct binop_sig {
	char *sig;
	size_t len;
	size_t index;
};

static int
binop_sig_cmp(const void *a, const void *b)
{
	const struct binop_sig *x = a, *y = b;
	size_t l = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->sig, y->sig, l);

	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static struct binop_sig *
binop_sigs(const struct promql_node *n, const struct promql_value *v)
{
	struct binop_sig *sigs = xcalloc(v->n + 1, sizeof *sigs);
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < v->n; i++) {
		buf_reset(&b);
		promql_series_signature(&v->series[i], n->labels, n->nlabels,
		    n->matching && n->on, 1, &b);
		sigs[i].len = b.len;
		sigs[i].sig = xmalloc(b.len);
		memcpy(sigs[i].sig, b.data, b.len);
		sigs[i].index = i;
	}
	buf_free(&b);
	return sigs;
}

static void
binop_sigs_free(struct binop_sig *sigs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(sigs[i].sig);
	free(sigs);
}

/* One-to-one matching of two vectors. */
static int
eval_binary_vectors(struct promql_ctx *c, const struct promql_node *n,
    struct promql_value *l, struct promql_value *r, struct promql_value *out)
{
	struct binop_sig *ls, *rs, *lo, *hi;
	unsigned char *used;
	size_t i, k, g, lo_i, hi_i;
	int rc = 0;

	memset(out, 0, sizeof *out);
	out->type = PROMQL_VECTOR;
	out->nsteps = c->nsteps;
	ls = binop_sigs(n, l);
	rs = binop_sigs(n, r);
	qsort(rs, r->n, sizeof *rs, binop_sig_cmp);
	/* used[g * nsteps + k]: an lhs series already took rhs group g's
	 * element at step k (g: the first index of the group in rs). */
	used = xcalloc(r->n * c->nsteps + 1, 1);
	for (i = 0; i < l->n && rc == 0; i++) {
		struct promql_series *a = &l->series[i], s;

		if ((rc = promql_eval_check(c)) != 0)
			break;
		lo = bsearch(&ls[i], rs, r->n, sizeof *rs, binop_sig_cmp);
		if (lo == NULL)
			continue;
		while (lo > rs && binop_sig_cmp(lo - 1, &ls[i]) == 0)
			lo--;
		for (hi = lo; hi < rs + r->n && binop_sig_cmp(hi, &ls[i]) == 0;
		     hi++)
			;
		lo_i = (size_t)(lo - rs);
		hi_i = (size_t)(hi - rs);
		promql_series_init(&s, a, c->nsteps);
		if (binop_drops_name(n))
			promql_series_del_label(&s, "__name__");
		if (n->matching)
			promql_series_filter_labels(
			    &s, n->labels, n->nlabels, n->on);
		for (k = 0; k < c->nsteps; k++) {
			const struct promql_series *b = NULL;

			if (!a->ok[k])
				continue;
			for (g = lo_i; g < hi_i; g++) {
				if (!r->series[rs[g].index].ok[k])
					continue;
				if (b != NULL) {
					rc = promql_fail(c,
					    PROMQL_ERR_EXECUTION,
					    "found duplicate series for the "
					    "match group on the right "
					    "hand-side "
					    "of the operation: many-to-many "
					    "matching not allowed: matching "
					    "labels must be unique on one "
					    "side");
					break;
				}
				b = &r->series[rs[g].index];
			}
			if (rc != 0)
				break;
			if (b == NULL)
				continue;
			if (used[lo_i * c->nsteps + k]) {
				rc = promql_fail(c, PROMQL_ERR_EXECUTION,
				    "multiple matches for labels: many-to-one "
				    "matching must be explicit "
				    "(group_left/group_right)");
				break;
			}
			used[lo_i * c->nsteps + k] = 1;
			if (binop_elem(n, a->v[k], b->v[k], &s.v[k]))
				s.ok[k] = 1;
		}
		promql_value_push(out, &s);
	}
	free(used);
	binop_sigs_free(ls, l->n);
	binop_sigs_free(rs, r->n);
	if (rc != 0)
		return -1;
	return promql_value_normalize(c, out);
}

static int
eval_binary(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	struct promql_value l, r;
	int rc;

	memset(&r, 0, sizeof r);
	if (promql_eval_node(c, n->args[0], &l) != 0)
		return -1;
	if (promql_eval_node(c, n->args[1], &r) != 0) {
		promql_value_free(&l);
		return -1;
	}
	if (l.type == PROMQL_SCALAR && r.type == PROMQL_SCALAR)
		rc = eval_binary_scalars(n, &l, &r, out);
	else if (l.type == PROMQL_VECTOR && r.type == PROMQL_SCALAR)
		rc = eval_binary_vector_scalar(c, n, &l, &r, 0, out);
	else if (l.type == PROMQL_SCALAR && r.type == PROMQL_VECTOR)
		rc = eval_binary_vector_scalar(c, n, &r, &l, 1, out);
	else
		rc = eval_binary_vectors(c, n, &l, &r, out);
	promql_value_free(&l);
	promql_value_free(&r);
	return rc;
}

static int
eval_call(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	return n->func->eval(c, n, out);
}

static int (*const eval_kinds[])(
    struct promql_ctx *, const struct promql_node *, struct promql_value *) = {
    [PROMQL_NUMBER] = eval_number,
    [PROMQL_STR] = eval_string,
    [PROMQL_SELECT] = eval_select,
    [PROMQL_CALL] = eval_call,
    [PROMQL_AGG] = promql_agg_eval,
    [PROMQL_BINARY] = eval_binary,
    [PROMQL_NEGATE] = eval_negate,
};

int
promql_eval_node(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	memset(out, 0, sizeof *out);
	if (promql_eval_check(c) != 0)
		return -1;
	if (eval_kinds[n->kind](c, n, out) != 0) {
		promql_value_free(out);
		if (c->cause == NULL)
			promql_fail(
			    c, PROMQL_ERR_INTERNAL, "evaluation failed");
		return -1;
	}
	out->nsteps = c->nsteps;
	return 0;
}

int
promql_eval(const struct promql_node *root, const struct promql_query *q,
    const struct promql_source *src, struct promql_value *out,
    enum promql_error *err, char **cause)
{
	struct promql_ctx c;
	int rc;

	memset(&c, 0, sizeof c);
	c.q = q;
	c.src = src;
	c.lookback = q->lookback_ms > 0 ? q->lookback_ms : EVAL_LOOKBACK_MS;
	c.nsteps = q->step > 0 && q->end > q->start
	               ? (size_t)((q->end - q->start) / q->step) + 1
	               : 1;
	rc = promql_eval_node(&c, root, out);
	if (rc == 0)
		out->partial = c.partial;
	if (err != NULL)
		*err = c.err;
	if (rc != 0 && cause != NULL)
		*cause = c.cause;
	else
		free(c.cause);
	return rc;
}
