/* promql functions: the table the parser checks calls against, range
 * functions (rate, increase, delta, irate, deriv, *_over_time) and
 * element-wise ones (abs, round, clamp_min, ...), time, absent, vector,
 * scalar. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/promql/promql-int.h"
#include "lib/xmalloc.h"
#include "store/store.h"

/* ---- Range functions ---------------------------------------------------- */

/* Prometheus's extrapolatedRate: the increase between the first and last
 * points (with counter resets added back for counters), extrapolated to
 * the window's ends, but by no more than half an average interval where
 * the points stop short of an end, and never below zero for counters. */
int
promql_extrapolate(
    const struct promql_window *w, int counter, int rate, double *out)
{
	double result, last = 0;
	size_t i;

	if (w->n < 2)
		return 0;
	result = w->p[w->n - 1].v - w->p[0].v;
	/* Resets add the value before them, in order.  They are gathered
	 * first without a branch (a noisy gauge would mispredict one half
	 * the time), 64 at a time with no allocation, so the serial
	 * additions are only the resets'. */
	if (counter) {
		double add[64];
		size_t nr, j, stop;

		for (i = 0; i < w->n;) {
			stop = w->n - i > 64 ? i + 64 : w->n;
			for (nr = 0; i < stop; i++) {
				add[nr] = last;
				nr += w->p[i].v < last;
				last = w->p[i].v;
			}
			for (j = 0; j < nr; j++)
				result += add[j];
		}
	}
	*out = promql_extrapolate_finish(result, w->p[0].t, w->p[0].v,
	    w->p[w->n - 1].t, w->n, w->start, w->end, w->range, counter, rate);
	return 1;
}

/* The interval the increase is extrapolated to, over sampled: at each
 * end up to the window's edge, or half an average interval when the
 * points stop short by more than 1.1 of one. */
static double
extrap_factor(double to_start, double to_end, double sampled, double avg)
{
	double threshold = avg * 1.1, interval = sampled;

	interval += to_start < threshold ? to_start : avg / 2;
	interval += to_end < threshold ? to_end : avg / 2;
	return interval / sampled;
}

void
promql_extrap_init(struct promql_extrap *x, int64_t range)
{
	x->valid = 0; /* the rest is set before it is read */
	x->range_s = (double)range / 1000;
}

double
promql_extrap_finish(struct promql_extrap *x, double result, int64_t t0,
    double v0, int64_t t1, size_t n, int64_t start, int64_t end, int counter,
    int rate)
{
	double factor;

	if (!x->valid || x->d0 != t0 - start || x->d1 != end - t1 ||
	    x->span != t1 - t0 || x->n != n) {
		x->d0 = t0 - start;
		x->d1 = end - t1;
		x->span = t1 - t0;
		x->n = n;
		x->to_start = (double)x->d0 / 1000;
		x->to_end = (double)x->d1 / 1000;
		x->sampled = (double)x->span / 1000;
		x->avg = x->sampled / (double)(n - 1);
		x->factor =
		    extrap_factor(x->to_start, x->to_end, x->sampled, x->avg);
		x->valid = 1;
	}
	factor = x->factor;
	/* A counter is not extrapolated below zero.  to_zero is >= 0 (or
	 * NaN), so it cannot shorten a start of 0 or less. */
	if (counter && result > 0 && v0 >= 0 && x->to_start > 0) {
		double to_zero = x->sampled * (v0 / result);

		if (to_zero < x->to_start)
			factor = extrap_factor(
			    to_zero, x->to_end, x->sampled, x->avg);
	}
	result = result * factor;
	if (rate)
		result /= x->range_s;
	return result;
}

double
promql_extrapolate_finish(double result, int64_t t0, double v0, int64_t t1,
    size_t n, int64_t start, int64_t end, int64_t range, int counter, int rate)
{
	struct promql_extrap x;

	promql_extrap_init(&x, range);
	return promql_extrap_finish(
	    &x, result, t0, v0, t1, n, start, end, counter, rate);
}

static int
func_rate(const struct promql_window *w, double *out)
{
	return promql_extrapolate(w, 1, 1, out);
}

static int
func_increase(const struct promql_window *w, double *out)
{
	return promql_extrapolate(w, 1, 0, out);
}

static int
func_delta(const struct promql_window *w, double *out)
{
	return promql_extrapolate(w, 0, 0, out);
}

/* irate and idelta: the last two points. */
static int
func_instant(const struct promql_window *w, int rate, double *out)
{
	double last, prev, result, interval;

	if (w->n < 2)
		return 0;
	last = w->p[w->n - 1].v;
	prev = w->p[w->n - 2].v;
	result = rate && last < prev ? last : last - prev;
	interval = (double)(w->p[w->n - 1].t - w->p[w->n - 2].t);
	if (interval == 0)
		return 0;
	if (rate)
		result /= interval / 1000;
	*out = result;
	return 1;
}

static int
func_irate(const struct promql_window *w, double *out)
{
	return func_instant(w, 1, out);
}

static int
func_idelta(const struct promql_window *w, double *out)
{
	return func_instant(w, 0, out);
}

/* Slope of the least-squares line through the points, per second. */
static int
func_deriv(const struct promql_window *w, double *out)
{
	double n = 0, sx = 0, sy = 0, sxy = 0, sx2 = 0, x, cov, var;
	size_t i;
	int same = 1;

	if (w->n < 2)
		return 0;
	for (i = 0; i < w->n; i++) {
		if (w->p[i].v != w->p[0].v)
			same = 0;
		x = (double)(w->p[i].t - w->p[0].t) / 1000;
		n += 1;
		sx += x;
		sy += w->p[i].v;
		sxy += x * w->p[i].v;
		sx2 += x * x;
	}
	if (same) {
		*out = isinf(w->p[0].v) ? NAN : 0;
		return 1;
	}
	cov = sxy - sx * sy / n;
	var = sx2 - sx * sx / n;
	*out = cov / var;
	return 1;
}

static int
func_sum_over(const struct promql_window *w, double *out)
{
	double s = 0;
	size_t i;

	for (i = 0; i < w->n; i++)
		s += w->p[i].v;
	*out = s;
	return w->n > 0;
}

static int
func_avg_over(const struct promql_window *w, double *out)
{
	double mean = 0;
	size_t i;

	for (i = 0; i < w->n; i++)
		mean += w->p[i].v / (double)(i + 1) - mean / (double)(i + 1);
	*out = mean;
	return w->n > 0;
}

static int
func_count_over(const struct promql_window *w, double *out)
{
	*out = (double)w->n;
	return w->n > 0;
}

static int
func_min_over(const struct promql_window *w, double *out)
{
	size_t i;

	if (w->n == 0)
		return 0;
	*out = w->p[0].v;
	for (i = 1; i < w->n; i++)
		if (w->p[i].v < *out || isnan(*out))
			*out = w->p[i].v;
	return 1;
}

static int
func_max_over(const struct promql_window *w, double *out)
{
	size_t i;

	if (w->n == 0)
		return 0;
	*out = w->p[0].v;
	for (i = 1; i < w->n; i++)
		if (w->p[i].v > *out || isnan(*out))
			*out = w->p[i].v;
	return 1;
}

static int
func_last_over(const struct promql_window *w, double *out)
{
	if (w->n == 0)
		return 0;
	*out = w->p[w->n - 1].v;
	return 1;
}

static int
func_quantile_over(const struct promql_window *w, double *out)
{
	double *v;
	size_t i;

	if (w->n == 0)
		return 0;
	v = xreallocarray(NULL, w->n, sizeof *v);
	for (i = 0; i < w->n; i++)
		v[i] = w->p[i].v;
	*out = promql_quantile(w->param, v, w->n);
	free(v);
	return 1;
}

/* Apply fn to each series' window at each step; keep_name for the
 * functions that keep __name__. */
static int
func_range(struct promql_ctx *c, const struct promql_node *n,
    promql_window_fn fn, int keep_name, struct promql_value *out)
{
	const struct promql_node *sel = n->args[n->nargs - 1];
	struct promql_value param;
	size_t i;
	int rc;

	memset(&param, 0, sizeof param);
	if (n->nargs > 1 && promql_eval_node(c, n->args[0], &param) != 0)
		return -1;
	/* rate, increase and delta of whole-minute windows: from per-minute
	 * summaries where the source has them. */
	rc = 0;
	if (fn == func_rate || fn == func_increase || fn == func_delta)
		rc = promql_eval_minutes(c, sel, sel->range_ms,
		    fn != func_delta, fn == func_rate, out);
	if (rc == 0)
		rc = promql_eval_windows(
		    c, sel, sel->range_ms, fn, param.scalar, out);
	else if (rc > 0)
		rc = 0;
	promql_value_free(&param);
	if (rc != 0)
		return -1;
	for (i = 0; i < out->n && !keep_name; i++)
		promql_series_del_label(&out->series[i], "__name__");
	return promql_value_normalize(c, out);
}

enum {
	RANGE_RATE,
	RANGE_INCREASE,
	RANGE_DELTA,
	RANGE_IRATE,
	RANGE_IDELTA,
	RANGE_DERIV,
	RANGE_SUM,
	RANGE_AVG,
	RANGE_COUNT,
	RANGE_MIN,
	RANGE_MAX,
	RANGE_LAST,
	RANGE_QUANTILE,
};

/* Range functions by promql_func.code, and whether they keep __name__
 * (last_over_time does in Prometheus 2.x). */
static const struct {
	promql_window_fn fn;
	int keep_name;
} func_ranges[] = {
    [RANGE_RATE] = {func_rate, 0},
    [RANGE_INCREASE] = {func_increase, 0},
    [RANGE_DELTA] = {func_delta, 0},
    [RANGE_IRATE] = {func_irate, 0},
    [RANGE_IDELTA] = {func_idelta, 0},
    [RANGE_DERIV] = {func_deriv, 0},
    [RANGE_SUM] = {func_sum_over, 0},
    [RANGE_AVG] = {func_avg_over, 0},
    [RANGE_COUNT] = {func_count_over, 0},
    [RANGE_MIN] = {func_min_over, 0},
    [RANGE_MAX] = {func_max_over, 0},
    [RANGE_LAST] = {func_last_over, 1},
    [RANGE_QUANTILE] = {func_quantile_over, 0},
};

static int
eval_range(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	return func_range(c, n, func_ranges[n->func->code].fn,
	    func_ranges[n->func->code].keep_name, out);
}

/* ---- Element-wise functions --------------------------------------------- */

/* Go's math.Max and math.Min: NaN wins. */
static double
func_max2(double a, double b)
{
	return isnan(a) || isnan(b) ? NAN : a > b ? a : b;
}

static double
func_min2(double a, double b)
{
	return isnan(a) || isnan(b) ? NAN : a < b ? a : b;
}

static double
func_round(double v, double to)
{
	double inv = 1.0 / to;

	return floor(v * inv + 0.5) / inv;
}

enum func_math {
	MATH_ABS,
	MATH_CEIL,
	MATH_FLOOR,
	MATH_EXP,
	MATH_LN,
	MATH_LOG2,
	MATH_LOG10,
	MATH_SQRT,
	MATH_ROUND,
	MATH_CLAMP_MIN,
	MATH_CLAMP_MAX,
	MATH_CLAMP,
};

static double
func_math_apply(enum func_math f, double v, double a, double b)
{
	switch (f) {
	case MATH_ABS:
		return fabs(v);
	case MATH_CEIL:
		return ceil(v);
	case MATH_FLOOR:
		return floor(v);
	case MATH_EXP:
		return exp(v);
	case MATH_LN:
		return log(v);
	case MATH_LOG2:
		return log2(v);
	case MATH_LOG10:
		return log10(v);
	case MATH_SQRT:
		return sqrt(v);
	case MATH_ROUND:
		return func_round(v, a);
	case MATH_CLAMP_MIN:
		return func_max2(v, a);
	case MATH_CLAMP_MAX:
		return func_min2(v, a);
	case MATH_CLAMP:
		return func_max2(func_min2(v, b), a);
	}
	return v;
}

/* An element-wise function (promql_func.code is its enum func_math);
 * a missing optional argument (round's) is 1. */
static int
eval_math(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	enum func_math f = (enum func_math)n->func->code;
	double def = 1;
	struct promql_value p[2];
	size_t i, k, np = n->nargs - 1;

	memset(p, 0, sizeof p);
	for (i = 0; i < np; i++)
		if (promql_eval_node(c, n->args[1 + i], &p[i]) != 0) {
			promql_value_free(&p[0]);
			return -1;
		}
	if (promql_eval_node(c, n->args[0], out) != 0) {
		promql_value_free(&p[0]);
		promql_value_free(&p[1]);
		return -1;
	}
	for (i = 0; i < out->n; i++) {
		struct promql_series *s = &out->series[i];

		promql_series_del_label(s, "__name__");
		for (k = 0; k < c->nsteps; k++) {
			double a = np > 0 ? p[0].scalar[k] : def;
			double b = np > 1 ? p[1].scalar[k] : def;

			if (f == MATH_CLAMP && b < a)
				s->ok[k] = 0;
			if (s->ok[k])
				s->v[k] = func_math_apply(f, s->v[k], a, b);
		}
	}
	promql_value_free(&p[0]);
	promql_value_free(&p[1]);
	return promql_value_normalize(c, out);
}

/* ---- time, vector, scalar, absent --------------------------------------- */

static int
eval_time(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	size_t k;

	(void)n;
	promql_value_scalar(out, c->nsteps, 0);
	for (k = 0; k < c->nsteps; k++)
		out->scalar[k] = (double)promql_step_time(c, k) / 1000;
	return 0;
}

static int
eval_vector(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	struct promql_value sc;
	struct promql_series s;
	size_t k;

	if (promql_eval_node(c, n->args[0], &sc) != 0)
		return -1;
	memset(out, 0, sizeof *out);
	out->type = PROMQL_VECTOR;
	out->nsteps = c->nsteps;
	promql_series_init(&s, NULL, c->nsteps);
	for (k = 0; k < c->nsteps; k++) {
		s.ok[k] = 1;
		s.v[k] = sc.scalar[k];
	}
	promql_value_push(out, &s);
	promql_value_free(&sc);
	return 0;
}

static int
eval_scalar(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	struct promql_value v;
	size_t i, k, found;

	if (promql_eval_node(c, n->args[0], &v) != 0)
		return -1;
	promql_value_scalar(out, c->nsteps, NAN);
	for (k = 0; k < c->nsteps; k++) {
		for (i = 0, found = 0; i < v.n; i++)
			if (v.series[i].ok[k]) {
				found++;
				out->scalar[k] = v.series[i].v[k];
			}
		if (found != 1)
			out->scalar[k] = NAN;
	}
	promql_value_free(&v);
	return 0;
}

/* absent(v): 1 where v has no element, labelled with the equality
 * matchers of a selector argument. */
static int
eval_absent(
    struct promql_ctx *c, const struct promql_node *n, struct promql_value *out)
{
	const struct promql_node *a = n->args[0];
	struct promql_value v;
	struct promql_series s;
	size_t i, j, k;

	if (promql_eval_node(c, a, &v) != 0)
		return -1;
	memset(out, 0, sizeof *out);
	out->type = PROMQL_VECTOR;
	out->nsteps = c->nsteps;
	promql_series_init(&s, NULL, c->nsteps);
	for (k = 0; k < c->nsteps; k++) {
		for (i = 0; i < v.n && !v.series[i].ok[k]; i++)
			;
		s.ok[k] = i == v.n;
		s.v[k] = 1;
	}
	promql_value_free(&v);
	for (i = 0; a->kind == PROMQL_SELECT && i < a->sel->n; i++) {
		const struct selector_matcher *m = &a->sel->m[i];
		int dup = 0;

		if (m->op != SELECTOR_EQ || strcmp(m->name, "__name__") == 0)
			continue;
		for (j = 0; j < a->sel->n; j++)
			if (j != i && strcmp(a->sel->m[j].name, m->name) == 0)
				dup = 1;
		if (!dup)
			promql_series_set_label(&s, m->name, m->value);
	}
	promql_value_push(out, &s);
	return 0;
}

/* ---- The table ---------------------------------------------------------- */

#define M PROMQL_MATRIX
#define V PROMQL_VECTOR
#define S PROMQL_SCALAR

static const struct promql_func func_table[] = {
    {"rate", V, 1, 0, {M}, eval_range, RANGE_RATE},
    {"irate", V, 1, 0, {M}, eval_range, RANGE_IRATE},
    {"increase", V, 1, 0, {M}, eval_range, RANGE_INCREASE},
    {"delta", V, 1, 0, {M}, eval_range, RANGE_DELTA},
    {"idelta", V, 1, 0, {M}, eval_range, RANGE_IDELTA},
    {"deriv", V, 1, 0, {M}, eval_range, RANGE_DERIV},
    {"avg_over_time", V, 1, 0, {M}, eval_range, RANGE_AVG},
    {"min_over_time", V, 1, 0, {M}, eval_range, RANGE_MIN},
    {"max_over_time", V, 1, 0, {M}, eval_range, RANGE_MAX},
    {"sum_over_time", V, 1, 0, {M}, eval_range, RANGE_SUM},
    {"count_over_time", V, 1, 0, {M}, eval_range, RANGE_COUNT},
    {"last_over_time", V, 1, 0, {M}, eval_range, RANGE_LAST},
    {"quantile_over_time", V, 2, 0, {S, M}, eval_range, RANGE_QUANTILE},
    {"abs", V, 1, 0, {V}, eval_math, MATH_ABS},
    {"ceil", V, 1, 0, {V}, eval_math, MATH_CEIL},
    {"floor", V, 1, 0, {V}, eval_math, MATH_FLOOR},
    {"exp", V, 1, 0, {V}, eval_math, MATH_EXP},
    {"ln", V, 1, 0, {V}, eval_math, MATH_LN},
    {"log2", V, 1, 0, {V}, eval_math, MATH_LOG2},
    {"log10", V, 1, 0, {V}, eval_math, MATH_LOG10},
    {"sqrt", V, 1, 0, {V}, eval_math, MATH_SQRT},
    {"round", V, 1, 1, {V, S}, eval_math, MATH_ROUND},
    {"clamp_min", V, 2, 0, {V, S}, eval_math, MATH_CLAMP_MIN},
    {"clamp_max", V, 2, 0, {V, S}, eval_math, MATH_CLAMP_MAX},
    {"clamp", V, 3, 0, {V, S, S}, eval_math, MATH_CLAMP},
    {"time", S, 0, 0, {S}, eval_time, 0},
    {"vector", V, 1, 0, {S}, eval_vector, 0},
    {"scalar", S, 1, 0, {V}, eval_scalar, 0},
    {"absent", V, 1, 0, {V}, eval_absent, 0},
};

const struct promql_func *
promql_func_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof func_table / sizeof func_table[0]; i++)
		if (strcmp(func_table[i].name, name) == 0)
			return &func_table[i];
	return NULL;
}
