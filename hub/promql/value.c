/* promql values: series with labels and per-step values, and the label
 * operations the evaluator needs (drop, keep, signatures, sorting). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/promql/promql-int.h"
#include "lib/xmalloc.h"
#include "store/store.h"

void
promql_series_init(
    struct promql_series *s, const struct promql_series *src, size_t nsteps)
{
	size_t i;

	memset(s, 0, sizeof *s);
	if (src != NULL && src->nlabels > 0) {
		s->nlabels = src->nlabels;
		s->labels = xreallocarray(NULL, s->nlabels, sizeof *s->labels);
		for (i = 0; i < s->nlabels; i++) {
			s->labels[i].name = xstrdup(src->labels[i].name);
			s->labels[i].value = xstrdup(src->labels[i].value);
		}
	}
	if (nsteps > 0) {
		s->v = xreallocarray(NULL, nsteps, sizeof *s->v);
		s->ok = xcalloc(nsteps, 1);
	}
}

void
promql_series_clear(struct promql_series *s)
{
	size_t i;

	for (i = 0; i < s->nlabels; i++) {
		free(s->labels[i].name);
		free(s->labels[i].value);
	}
	free(s->labels);
	free(s->v);
	free(s->ok);
	free(s->pts);
	memset(s, 0, sizeof *s);
}

const char *
promql_series_label(const struct promql_series *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nlabels; i++)
		if (strcmp(s->labels[i].name, name) == 0)
			return s->labels[i].value;
	return NULL;
}

void
promql_series_set_label(
    struct promql_series *s, const char *name, const char *value)
{
	size_t i, at;

	for (i = 0; i < s->nlabels; i++) {
		int c = strcmp(s->labels[i].name, name);

		if (c == 0) {
			free(s->labels[i].value);
			s->labels[i].value = xstrdup(value);
			return;
		}
		if (c > 0)
			break;
	}
	at = i;
	s->labels = xreallocarray(s->labels, s->nlabels + 1, sizeof *s->labels);
	memmove(&s->labels[at + 1], &s->labels[at],
	    (s->nlabels - at) * sizeof *s->labels);
	s->labels[at].name = xstrdup(name);
	s->labels[at].value = xstrdup(value);
	s->nlabels++;
}

static int
value_listed(const char *name, char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

void
promql_series_filter_labels(
    struct promql_series *s, char *const *names, size_t n, int keep)
{
	size_t i, o = 0;

	for (i = 0; i < s->nlabels; i++) {
		if (value_listed(s->labels[i].name, names, n) == keep) {
			s->labels[o++] = s->labels[i];
			continue;
		}
		free(s->labels[i].name);
		free(s->labels[i].value);
	}
	s->nlabels = o;
}

void
promql_series_del_label(struct promql_series *s, const char *name)
{
	char *names[1];

	names[0] = (char *)(uintptr_t)name;
	promql_series_filter_labels(s, names, 1, 0);
}

void
promql_series_signature(const struct promql_series *s, char *const *names,
    size_t n, int keep, int drop_name, struct buf *out)
{
	size_t i;

	for (i = 0; i < s->nlabels; i++) {
		const char *name = s->labels[i].name;

		if (drop_name && strcmp(name, "__name__") == 0)
			continue;
		if (value_listed(name, names, n) != keep)
			continue;
		buf_puts(out, name);
		buf_putc(out, '\0');
		buf_puts(out, s->labels[i].value);
		buf_putc(out, '\0');
	}
	buf_putc(out, '\1');
}

int
promql_series_cmp(const void *a, const void *b)
{
	const struct promql_series *x = a, *y = b;
	size_t i;
	int c;

	for (i = 0; i < x->nlabels && i < y->nlabels; i++) {
		if ((c = strcmp(x->labels[i].name, y->labels[i].name)) != 0)
			return c;
		if ((c = strcmp(x->labels[i].value, y->labels[i].value)) != 0)
			return c;
	}
	return (x->nlabels > i) - (y->nlabels > i);
}

void
promql_value_push(struct promql_value *v, struct promql_series *s)
{
	if ((v->n & (v->n - 1)) == 0 || v->n == 0)
		v->series = xreallocarray(
		    v->series, v->n == 0 ? 4 : v->n * 2, sizeof *v->series);
	v->series[v->n++] = *s;
	memset(s, 0, sizeof *s);
}

int
promql_value_normalize(struct promql_ctx *c, struct promql_value *v)
{
	size_t i, o, k;

	if (v->n < 2)
		return 0;
	qsort(v->series, v->n, sizeof *v->series, promql_series_cmp);
	for (i = 1, o = 0; i < v->n; i++) {
		struct promql_series *a = &v->series[o], *b = &v->series[i];

		if (promql_series_cmp(a, b) != 0) {
			v->series[++o] = *b;
			continue;
		}
		for (k = 0; k < v->nsteps; k++) {
			if (!b->ok[k])
				continue;
			if (a->ok[k]) {
				for (; i < v->n; i++)
					promql_series_clear(&v->series[i]);
				v->n = o + 1;
				return promql_fail(c, PROMQL_ERR_EXECUTION,
				    "vector cannot contain metrics with the "
				    "same labelset");
			}
			a->ok[k] = 1;
			a->v[k] = b->v[k];
		}
		promql_series_clear(b);
	}
	v->n = o + 1;
	return 0;
}

void
promql_value_scalar(struct promql_value *v, size_t nsteps, double x)
{
	size_t i;

	memset(v, 0, sizeof *v);
	v->type = PROMQL_SCALAR;
	v->nsteps = nsteps;
	v->scalar = xreallocarray(NULL, nsteps, sizeof *v->scalar);
	for (i = 0; i < nsteps; i++)
		v->scalar[i] = x;
}

void
promql_value_free(struct promql_value *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		promql_series_clear(&v->series[i]);
	free(v->series);
	free(v->scalar);
	free(v->str);
	memset(v, 0, sizeof *v);
}
