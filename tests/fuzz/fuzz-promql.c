/* Fuzz target for the PromQL parser and evaluator (hub/promql): parse;
 * when it parses, the normal form parses again to the same normal form,
 * and the tree evaluates (or fails cleanly) over a small fixed data set
 * as a range and as an instant query, to the same answer whether the
 * selectors are read in one slice or in many. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/promql/promql.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define T0 1700000000000LL

/* Four series: metric, two tags, and a value pattern. */
static const struct {
	const char *metric, *x, *y;
	double base, slope;
} fz_series[] = {
    {"a", "1", "p", 10, 1.5},
    {"a", "2", "q", 3, -0.25},
    {"b", "1", "p", 100, 7},
    {"b", "2", "", 0, 0},
};

static const char *
fz_get(void *arg, const char *name)
{
	size_t i = *(size_t *)arg;

	if (strcmp(name, "x") == 0)
		return fz_series[i].x;
	if (strcmp(name, "y") == 0 && fz_series[i].y[0] != '\0')
		return fz_series[i].y;
	return NULL;
}

/* Points every 15 s for 20 minutes, a counter reset and a NaN among
 * them. */
static int
fz_fetch(void *arg, const struct selector *sel, int64_t start, int64_t end,
    struct store_result *r, char **cause)
{
	size_t i, k, nt;

	(void)arg;
	(void)cause;
	memset(r, 0, sizeof *r);
	r->series = xcalloc(5, sizeof *r->series);
	for (i = 0; i < 4; i++) {
		struct store_series_result *sr = &r->series[r->n];

		if (!selector_match(sel, fz_series[i].metric, fz_get, &i))
			continue;
		r->n++;
		sr->key = xstrdup(fz_series[i].metric);
		sr->metric = xstrdup(fz_series[i].metric);
		nt = fz_series[i].y[0] != '\0' ? 2 : 1;
		sr->tags = xcalloc(nt, sizeof *sr->tags);
		sr->ntags = nt;
		sr->tags[0].name = xstrdup("x");
		sr->tags[0].value = xstrdup(fz_series[i].x);
		if (nt == 2) {
			sr->tags[1].name = xstrdup("y");
			sr->tags[1].value = xstrdup(fz_series[i].y);
		}
		sr->points = xcalloc(81, sizeof *sr->points);
		for (k = 0; k < 80; k++) {
			int64_t t = T0 + (int64_t)k * 15000 + (int64_t)(i * 7);

			if (t < start || t > end)
				continue;
			sr->points[sr->npoints].t = t;
			sr->points[sr->npoints].v =
			    k == 33 && i == 1
			        ? NAN
			        : fz_series[i].base +
			              fz_series[i].slope * (double)(k % 50);
			sr->npoints++;
		}
	}
	return 0;
}

/* Equal values, NaN equal to NaN. */
static int
fz_same_num(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

static int
fz_same_series(
    const struct promql_series *a, const struct promql_series *b, size_t nsteps)
{
	size_t i;

	if (a->nlabels != b->nlabels || a->npts != b->npts ||
	    (a->ok == NULL) != (b->ok == NULL))
		return 0;
	for (i = 0; i < a->nlabels; i++)
		if (strcmp(a->labels[i].name, b->labels[i].name) != 0 ||
		    strcmp(a->labels[i].value, b->labels[i].value) != 0)
			return 0;
	for (i = 0; i < a->npts; i++)
		if (a->pts[i].t != b->pts[i].t ||
		    !fz_same_num(a->pts[i].v, b->pts[i].v))
			return 0;
	for (i = 0; a->v != NULL && i < nsteps; i++)
		if (a->ok[i] != b->ok[i] ||
		    (a->ok[i] && !fz_same_num(a->v[i], b->v[i])))
			return 0;
	return 1;
}

/* The same answer, whatever the slices the selectors were read in. */
static int
fz_same(const struct promql_value *a, const struct promql_value *b)
{
	size_t i;

	if (a->type != b->type || a->nsteps != b->nsteps || a->n != b->n ||
	    (a->str == NULL) != (b->str == NULL) ||
	    (a->str != NULL && strcmp(a->str, b->str) != 0))
		return 0;
	for (i = 0; a->scalar != NULL && i < a->nsteps; i++)
		if (!fz_same_num(a->scalar[i], b->scalar[i]))
			return 0;
	for (i = 0; i < a->n; i++)
		if (!fz_same_series(&a->series[i], &b->series[i], a->nsteps))
			return 0;
	return 1;
}

/* Evaluate in one slice and in slices of 45 s (the data spans many):
 * the answers (or the errors) must be the same. */
static void
fz_eval(const struct promql_node *n, int64_t start, int64_t end, int64_t step)
{
	struct promql_source src = {.fetch = fz_fetch, .arg = NULL};
	struct promql_query q;
	struct promql_value v, v2;
	enum promql_error err, err2;
	char *cause = NULL, *cause2 = NULL;
	int rc, rc2;

	memset(&q, 0, sizeof q);
	q.start = start;
	q.end = end;
	q.step = step;
	q.max_samples = 100000;
	q.slice_ms = 86400000;
	rc = promql_eval(n, &q, &src, &v, &err, &cause);
	q.slice_ms = 45000;
	rc2 = promql_eval(n, &q, &src, &v2, &err2, &cause2);
	if ((rc != 0 && (cause == NULL || err == PROMQL_ERR_NONE)) ||
	    (rc2 != 0 && (cause2 == NULL || err2 == PROMQL_ERR_NONE)))
		abort();
	/* Slices skip what no window needs, so the samples limit may trip
	 * in one and not the other; any other outcome is the same. */
	if ((rc != 0 && strstr(cause, "samples") != NULL) ||
	    (rc2 != 0 && strstr(cause2, "samples") != NULL))
		;
	else if (rc != rc2 || (rc == 0 && !fz_same(&v, &v2)) ||
	         (rc != 0 && (err != err2 || strcmp(cause, cause2) != 0)))
		abort();
	free(cause);
	free(cause2);
	if (rc == 0)
		promql_value_free(&v);
	if (rc2 == 0)
		promql_value_free(&v2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct promql_node *n, *again;
	struct buf b = BUF_INIT, b2 = BUF_INIT;
	char *text, *cause = NULL;

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	n = promql_parse(text, &cause);
	if (n == NULL) {
		/* Every error says where. */
		if (cause == NULL || strncmp(cause, "column ", 7) != 0)
			abort();
		free(cause);
		free(text);
		return 0;
	}
	promql_node_format(n, &b);
	if ((again = promql_parse(b.data, &cause)) == NULL) {
		/* The normal form puts every operator in parentheses, so it
		 * nests deeper than its input ("a+a+...", "----a"): near the
		 * parser's depth limit it may be refused for that alone. */
		if (cause == NULL || strstr(cause, "nested too deeply") == NULL)
			abort();
		free(cause);
		promql_node_free(n);
		buf_free(&b);
		free(text);
		return 0;
	}
	promql_node_format(again, &b2);
	if (strcmp(b.data, b2.data) != 0 || again->type != n->type)
		abort();
	fz_eval(n, T0 + 600000, T0 + 1500000, 60000);
	fz_eval(n, T0 + 700000, T0 + 700000, 1000);
	promql_node_free(again);
	promql_node_free(n);
	buf_free(&b);
	buf_free(&b2);
	free(text);
	return 0;
}
