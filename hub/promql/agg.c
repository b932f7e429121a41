/* promql aggregations: sum avg min max count topk bottomk quantile over
 * groups of series by or without labels, step by step. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/promql/promql-int.h"
#include "lib/xmalloc.h"

struct agg_member {
	char *sig;
	size_t len;
	size_t index;
};

static int
agg_member_cmp(const void *a, const void *b)
{
	const struct agg_member *x = a, *y = b;
	size_t l = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->sig, y->sig, l);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return (x->len > y->len) - (x->len < y->len);
	return (x->index > y->index) - (x->index < y->index);
}

/* Prometheus's quantile: linear interpolation between the closest ranks
 * of the sorted values. */
static int
agg_double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	/* NaN sorts first, as Go's sort.Float64s does. */
	if (isnan(x) || isnan(y))
		return isnan(x) && isnan(y) ? 0 : isnan(x) ? -1 : 1;
	return (x > y) - (x < y);
}

double
promql_quantile(double q, double *v, size_t n)
{
	double rank, w;
	size_t lo, hi;

	if (n == 0 || isnan(q))
		return NAN;
	if (q < 0)
		return -INFINITY;
	if (q > 1)
		return INFINITY;
	qsort(v, n, sizeof *v, agg_double_cmp);
	rank = q * (double)(n - 1);
	lo = (size_t)floor(rank);
	hi = lo + 1 < n ? lo + 1 : n - 1;
	w = rank - floor(rank);
	return v[lo] * (1 - w) + v[hi] * w;
}

/* One group at one step: members[0..n) of in, present at step k. */
static int
agg_step(const struct promql_node *n, const struct promql_value *in,
    const struct agg_member *m, size_t nm, size_t k, double param,
    double *scratch, double *out)
{
	double acc = 0, mean = 0;
	size_t i, count = 0;

	for (i = 0; i < nm; i++) {
		const struct promql_series *s = &in->series[m[i].index];
		double v;

		if (!s->ok[k])
			continue;
		v = s->v[k];
		count++;
		switch (n->op) {
		case PROMQL_AGG_SUM:
			acc = count == 1 ? v : acc + v;
			break;
		case PROMQL_AGG_AVG:
			mean += v / (double)count - mean / (double)count;
			break;
		case PROMQL_AGG_MIN:
			if (count == 1 || acc > v || isnan(acc))
				acc = v;
			break;
		case PROMQL_AGG_MAX:
			if (count == 1 || acc < v || isnan(acc))
				acc = v;
			break;
		case PROMQL_AGG_QUANTILE:
			scratch[count - 1] = v;
			break;
		default:
			break;
		}
	}
	if (count == 0)
		return 0;
	switch (n->op) {
	case PROMQL_AGG_AVG:
		*out = mean;
		break;
	case PROMQL_AGG_COUNT:
		*out = (double)count;
		break;
	case PROMQL_AGG_QUANTILE:
		*out = promql_quantile(param, scratch, count);
		break;
	default:
		*out = acc;
	}
	return 1;
}

/* sum of one group at every step: as agg_step adds them (the first
 * present value, then the others in member order), but member by member,
 * each series' steps in a row instead of one step of every member. */
static void
agg_sum(const struct promql_value *in, const struct agg_member *m, size_t nm,
    size_t nsteps, struct promql_series *out)
{
	size_t i, k;

	for (i = 0; i < nm; i++) {
		const struct promql_series *s = &in->series[m[i].index];

		for (k = 0; k < nsteps; k++) {
			if (!s->ok[k])
				continue;
			out->v[k] = out->ok[k] ? out->v[k] + s->v[k] : s->v[k];
			out->ok[k] = 1;
		}
	}
}

struct agg_rank {
	double v;
	size_t index;
};

static int
agg_rank_desc(const void *a, const void *b)
{
	const struct agg_rank *x = a, *y = b;

	/* NaN ranks last either way. */
	if (isnan(x->v) != isnan(y->v))
		return isnan(x->v) ? 1 : -1;
	if (x->v != y->v)
		return x->v < y->v ? 1 : -1;
	return (x->index > y->index) - (x->index < y->index);
}

static int
agg_rank_asc(const void *a, const void *b)
{
	const struct agg_rank *x = a, *y = b;

	if (isnan(x->v) != isnan(y->v))
		return isnan(x->v) ? 1 : -1;
	if (x->v != y->v)
		return x->v > y->v ? 1 : -1;
	return (x->index > y->index) - (x->index < y->index);
}

/* topk/bottomk: out holds copies of in's series; keep per step the k
 * best of each group. */
static void
agg_topk(const struct promql_node *n, const struct promql_value *in,
    const struct agg_member *m, size_t nm, const double *param,
    struct promql_value *out, struct agg_rank *rank)
{
	size_t i, k, nr, keep;

	for (k = 0; k < in->nsteps; k++) {
		if (isnan(param[k]) || param[k] < 1)
			continue;
		keep = param[k] >= 1e9 ? (size_t)1e9 : (size_t)param[k];
		for (i = 0, nr = 0; i < nm; i++) {
			const struct promql_series *s = &in->series[m[i].index];

			if (!s->ok[k])
				continue;
			rank[nr].v = s->v[k];
			rank[nr].index = m[i].index;
			nr++;
		}
		qsort(rank, nr, sizeof *rank,
		    n->op == PROMQL_AGG_TOPK ? agg_rank_desc : agg_rank_asc);
		for (i = 0; i < nr && i < keep; i++) {
			out->series[rank[i].index].ok[k] = 1;
			out->series[rank[i].index].v[k] = rank[i].v;
		}
	}
}

int
promql_agg_eval(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	struct promql_value in, param;
	struct agg_member *m;
	struct buf b = BUF_INIT;
	double *scratch;
	struct agg_rank *rank;
	size_t i, g, end, k;
	int topk = n->op == PROMQL_AGG_TOPK || n->op == PROMQL_AGG_BOTTOMK;

	memset(&param, 0, sizeof param);
	if (promql_aggop_has_param(n->op) &&
	    promql_eval_node(c, n->args[0], &param) != 0)
		return -1;
	if (promql_eval_node(c, n->args[n->nargs - 1], &in) != 0) {
		promql_value_free(&param);
		return -1;
	}
	/* As Prometheus: k must fit an int64 at every step. */
	for (k = 0; topk && k < c->nsteps; k++)
		if (!(param.scalar[k] >= -9.2e18 &&
		        param.scalar[k] <= 9.2e18)) {
			promql_fail(c, PROMQL_ERR_EXECUTION,
			    "Scalar value %s overflows int64",
			    isnan(param.scalar[k]) ? "NaN" : "out of range");
			promql_value_free(&in);
			promql_value_free(&param);
			return -1;
		}
	memset(out, 0, sizeof *out);
	out->type = PROMQL_VECTOR;
	out->nsteps = c->nsteps;
	m = xcalloc(in.n + 1, sizeof *m);
	for (i = 0; i < in.n; i++) {
		buf_reset(&b);
		if (n->grouping)
			promql_series_signature(&in.series[i], n->labels,
			    n->nlabels, !n->without, n->without, &b);
		else
			buf_putc(&b, '\1');
		m[i].len = b.len;
		m[i].sig = xmalloc(b.len);
		memcpy(m[i].sig, b.data, b.len);
		m[i].index = i;
	}
	buf_free(&b);
	qsort(m, in.n, sizeof *m, agg_member_cmp);
	scratch = xcalloc(in.n + 1, sizeof *scratch);
	rank = xcalloc(in.n + 1, sizeof *rank);
	if (topk)
		for (i = 0; i < in.n; i++) {
			struct promql_series s;

			promql_series_init(&s, &in.series[i], c->nsteps);
			promql_value_push(out, &s);
		}
	for (g = 0; g < in.n; g = end) {
		struct promql_series s;

		if (promql_eval_check(c) != 0)
			break;
		for (end = g + 1; end < in.n && m[end].len == m[g].len &&
		                  memcmp(m[end].sig, m[g].sig, m[g].len) == 0;
		     end++)
			;
		if (topk) {
			agg_topk(
			    n, &in, m + g, end - g, param.scalar, out, rank);
			continue;
		}
		promql_series_init(&s, &in.series[m[g].index], c->nsteps);
		if (!n->grouping)
			promql_series_filter_labels(&s, NULL, 0, 1);
		else if (n->without) {
			promql_series_filter_labels(
			    &s, n->labels, n->nlabels, 0);
			promql_series_del_label(&s, "__name__");
		} else
			promql_series_filter_labels(
			    &s, n->labels, n->nlabels, 1);
		if (n->op == PROMQL_AGG_SUM && c->nsteps > 0)
			agg_sum(&in, m + g, end - g, c->nsteps, &s);
		else
			for (k = 0; k < c->nsteps; k++)
				s.ok[k] = (unsigned char)agg_step(n, &in, m + g,
				    end - g, k,
				    param.scalar ? param.scalar[k] : 0, scratch,
				    &s.v[k]);
		promql_value_push(out, &s);
	}
	for (i = 0; i < in.n; i++)
		free(m[i].sig);
	free(m);
	free(scratch);
	free(rank);
	promql_value_free(&in);
	promql_value_free(&param);
	if (c->cause != NULL)
		return -1;
	if (topk) {
		/* Series never selected are left out. */
		size_t o = 0;

		for (i = 0; i < out->n; i++) {
			for (k = 0; k < c->nsteps && !out->series[i].ok[k]; k++)
				;
			if (k == c->nsteps)
				promql_series_clear(&out->series[i]);
			else
				out->series[o++] = out->series[i];
		}
		out->n = o;
	}
	return promql_value_normalize(c, out);
}
