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

/* The points of one window and its bounds (ms). */
struct func_window {
	const struct store_point *p;
	size_t n;
	int64_t start, end, range;
	double param;
};

typedef int (*func_range_fn)(const struct func_window *w, double *out);

/* Prometheus's extrapolatedRate: the increase between the first and last
 * points (with counter resets added back for counters), extrapolated to
 * the window's ends, but by no more than half an average interval where
 * the points stop short of an end, and never below zero for counters. */
static int
func_extrapolate(
    const struct func_window *w, int counter, int rate, double *out)
{
	double result, to_start, to_end, sampled, avg, threshold, interval;
	double last = 0;
	size_t i;

	if (w->n < 2)
		return 0;
	result = w->p[w->n - 1].v - w->p[0].v;
	if (counter)
		for (i = 0; i < w->n; i++) {
			if (w->p[i].v < last)
				result += last;
			last = w->p[i].v;
		}
	to_start = (double)(w->p[0].t - w->start) / 1000;
	to_end = (double)(w->end - w->p[w->n - 1].t) / 1000;
	sampled = (double)(w->p[w->n - 1].t - w->p[0].t) / 1000;
	avg = sampled / (double)(w->n - 1);
	if (counter && result > 0 && w->p[0].v >= 0) {
		double to_zero = sampled * (w->p[0].v / result);

		if (to_zero < to_start)
			to_start = to_zero;
	}
	threshold = avg * 1.1;
	interval = sampled;
	interval += to_start < threshold ? to_start : avg / 2;
	interval += to_end < threshold ? to_end : avg / 2;
	result = result * (interval / sampled);
	if (rate)
		result /= (double)w->range / 1000;
	*out = result;
	return 1;
}

static int
func_rate(const struct func_window *w, double *out)
{
	return func_extrapolate(w, 1, 1, out);
}

static int
func_increase(const struct func_window *w, double *out)
{
	return func_extrapolate(w, 1, 0, out);
}

static int
func_delta(const struct func_window *w, double *out)
{
	return func_extrapolate(w, 0, 0, out);
}

/* irate and idelta: the last two points. */
static int
func_instant(const struct func_window *w, int rate, double *out)
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
func_irate(const struct func_window *w, double *out)
{
	return func_instant(w, 1, out);
}

static int
func_idelta(const struct func_window *w, double *out)
{
	return func_instant(w, 0, out);
}

/* Slope of the least-squares line through the points, per second. */
static int
func_deriv(const struct func_window *w, double *out)
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
func_sum_over(const struct func_window *w, double *out)
{
	double s = 0;
	size_t i;

	for (i = 0; i < w->n; i++)
		s += w->p[i].v;
	*out = s;
	return w->n > 0;
}

static int
func_avg_over(const struct func_window *w, double *out)
{
	double mean = 0;
	size_t i;

	for (i = 0; i < w->n; i++)
		mean += w->p[i].v / (double)(i + 1) - mean / (double)(i + 1);
	*out = mean;
	return w->n > 0;
}

static int
func_count_over(const struct func_window *w, double *out)
{
	*out = (double)w->n;
	return w->n > 0;
}

static int
func_min_over(const struct func_window *w, double *out)
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
func_max_over(const struct func_window *w, double *out)
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
func_last_over(const struct func_window *w, double *out)
{
	if (w->n == 0)
		return 0;
	*out = w->p[w->n - 1].v;
	return 1;
}

static int
func_quantile_over(const struct func_window *w, double *out)
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
func_range(struct promql_ctx *c, const struct promql_node *n, func_range_fn fn,
    int keep_name, struct promql_value *out)
{
	const struct promql_node *sel = n->args[n->nargs - 1];
	struct promql_value param;
	struct func_window w;
	size_t i, k, lo, hi;

	memset(&param, 0, sizeof param);
	if (n->nargs > 1 && promql_eval_node(c, n->args[0], &param) != 0)
		return -1;
	if (promql_eval_fetch(c, sel, sel->range_ms, out) != 0) {
		promql_value_free(&param);
		return -1;
	}
	out->type = PROMQL_VECTOR;
	w.range = sel->range_ms;
	for (i = 0; i < out->n; i++) {
		struct promql_series *s = &out->series[i];

		if (promql_eval_check(c) != 0)
			break;
		s->v = xreallocarray(NULL, c->nsteps, sizeof *s->v);
		s->ok = xcalloc(c->nsteps, 1);
		for (k = 0, lo = 0, hi = 0; k < c->nsteps; k++) {
			w.end = promql_step_time(c, k) - sel->offset_ms;
			w.start = w.end - sel->range_ms;
			while (lo < s->npts && s->pts[lo].t < w.start)
				lo++;
			if (hi < lo)
				hi = lo;
			while (hi < s->npts && s->pts[hi].t <= w.end)
				hi++;
			w.p = s->pts + lo;
			w.n = hi - lo;
			w.param = param.scalar != NULL ? param.scalar[k] : 0;
			s->ok[k] = (unsigned char)fn(&w, &s->v[k]);
		}
		free(s->pts);
		s->pts = NULL;
		s->npts = 0;
		if (!keep_name)
			promql_series_del_label(s, "__name__");
	}
	promql_value_free(&param);
	if (c->cause != NULL)
		return -1;
	return promql_value_normalize(c, out);
}

#define FUNC_RANGE(name, fn, keep)                                         \
	static int name(struct promql_ctx *c, const struct promql_node *n, \
	    struct promql_value *out)                                      \
	{                                                                  \
		return func_range(c, n, fn, keep, out);                    \
	}

FUNC_RANGE(eval_rate, func_rate, 0)
FUNC_RANGE(eval_increase, func_increase, 0)
FUNC_RANGE(eval_delta, func_delta, 0)
FUNC_RANGE(eval_irate, func_irate, 0)
FUNC_RANGE(eval_idelta, func_idelta, 0)
FUNC_RANGE(eval_deriv, func_deriv, 0)
FUNC_RANGE(eval_sum_over, func_sum_over, 0)
FUNC_RANGE(eval_avg_over, func_avg_over, 0)
FUNC_RANGE(eval_count_over, func_count_over, 0)
FUNC_RANGE(eval_min_over, func_min_over, 0)
FUNC_RANGE(eval_max_over, func_max_over, 0)
FUNC_RANGE(eval_last_over, func_last_over, 1) /* keeps __name__ in 2.x */
FUNC_RANGE(eval_quantile_over, func_quantile_over, 0)

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

static int
func_math(struct promql_ctx *c, const struct promql_node *n, enum func_math f,
    double def, struct promql_value *out)
{
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

#define FUNC_MATH(name, f, def)                                            \
	static int name(struct promql_ctx *c, const struct promql_node *n, \
	    struct promql_value *out)                                      \
	{                                                                  \
		return func_math(c, n, f, def, out);                       \
	}

FUNC_MATH(eval_abs, MATH_ABS, 0)
FUNC_MATH(eval_ceil, MATH_CEIL, 0)
FUNC_MATH(eval_floor, MATH_FLOOR, 0)
FUNC_MATH(eval_exp, MATH_EXP, 0)
FUNC_MATH(eval_ln, MATH_LN, 0)
FUNC_MATH(eval_log2, MATH_LOG2, 0)
FUNC_MATH(eval_log10, MATH_LOG10, 0)
FUNC_MATH(eval_sqrt, MATH_SQRT, 0)
FUNC_MATH(eval_round, MATH_ROUND, 1)
FUNC_MATH(eval_clamp_min, MATH_CLAMP_MIN, 0)
FUNC_MATH(eval_clamp_max, MATH_CLAMP_MAX, 0)
FUNC_MATH(eval_clamp, MATH_CLAMP, 0)

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
    {"rate", V, 1, 0, {M}, eval_rate},
    {"irate", V, 1, 0, {M}, eval_irate},
    {"increase", V, 1, 0, {M}, eval_increase},
    {"delta", V, 1, 0, {M}, eval_delta},
    {"idelta", V, 1, 0, {M}, eval_idelta},
    {"deriv", V, 1, 0, {M}, eval_deriv},
    {"avg_over_time", V, 1, 0, {M}, eval_avg_over},
    {"min_over_time", V, 1, 0, {M}, eval_min_over},
    {"max_over_time", V, 1, 0, {M}, eval_max_over},
    {"sum_over_time", V, 1, 0, {M}, eval_sum_over},
    {"count_over_time", V, 1, 0, {M}, eval_count_over},
    {"last_over_time", V, 1, 0, {M}, eval_last_over},
    {"quantile_over_time", V, 2, 0, {S, M}, eval_quantile_over},
    {"abs", V, 1, 0, {V}, eval_abs},
    {"ceil", V, 1, 0, {V}, eval_ceil},
    {"floor", V, 1, 0, {V}, eval_floor},
    {"exp", V, 1, 0, {V}, eval_exp},
    {"ln", V, 1, 0, {V}, eval_ln},
    {"log2", V, 1, 0, {V}, eval_log2},
    {"log10", V, 1, 0, {V}, eval_log10},
    {"sqrt", V, 1, 0, {V}, eval_sqrt},
    {"round", V, 1, 1, {V, S}, eval_round},
    {"clamp_min", V, 2, 0, {V, S}, eval_clamp_min},
    {"clamp_max", V, 2, 0, {V, S}, eval_clamp_max},
    {"clamp", V, 3, 0, {V, S, S}, eval_clamp},
    {"time", S, 0, 0, {S}, eval_time},
    {"vector", V, 1, 0, {S}, eval_vector},
    {"scalar", S, 1, 0, {V}, eval_scalar},
    {"absent", V, 1, 0, {V}, eval_absent},
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
