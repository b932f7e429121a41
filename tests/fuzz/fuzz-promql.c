/* Fuzz target for the PromQL parser and evaluator (hub/promql): parse;
 * when it parses, the normal form parses again to the same normal form,
 * and the tree evaluates (or fails cleanly) over a small fixed data set
 * as a range and as an instant query. */
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

static void
fz_eval(const struct promql_node *n, int64_t start, int64_t end, int64_t step)
{
	struct promql_source src = {.fetch = fz_fetch, .arg = NULL};
	struct promql_query q;
	struct promql_value v;
	enum promql_error err;
	char *cause = NULL;

	memset(&q, 0, sizeof q);
	q.start = start;
	q.end = end;
	q.step = step;
	q.max_samples = 100000;
	if (promql_eval(n, &q, &src, &v, &err, &cause) != 0) {
		if (cause == NULL || err == PROMQL_ERR_NONE)
			abort();
		free(cause);
		return;
	}
	promql_value_free(&v);
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
	if ((again = promql_parse(b.data, &cause)) == NULL)
		abort();
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
