/* Aggregating raw series on the hub, with the store's exact semantics
 * (store.h, struct store_query): a native aggregate query whose range
 * "remote_read" completes is answered from the raw points of both the
 * store and the remote store (hub/query-agg.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/query-agg.h"
#include "lib/buf.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/agg.h"

#define QAGG_HOUR_MS   3600000
#define QAGG_MINUTE_MS 60000

/* One input series: where it goes and in which order. */
struct qagg_in {
	json_t *s;   /* borrowed */
	char *group; /* group key (the series key when not grouping) */
	char *key;   /* canonical series key */
	const char *name;
};

static int
qagg_in_cmp(const void *a, const void *b)
{
	const struct qagg_in *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	return c != 0 ? c : strcmp(x->key, y->key);
}

static int
qagg_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
qagg_size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t
qagg_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Fill in's keys for series s: the group is the sorted distinct by tags
 * it has, as {k="v",...}, after its metric name when by_name. */
static int
qagg_in_init(struct qagg_in *in, json_t *s, const char *const *by, size_t nby,
    int group, int by_name)
{
	json_t *labels = json_object_get(s, "labels"), *v;
	struct serieskey_tag tags[SERIESKEY_TAGS_MAX];
	struct buf b = BUF_INIT;
	const char *name;
	size_t n = 0, i, k = 0;

	in->s = s;
	in->name = json_string_value(json_object_get(s, "metric"));
	if (in->name == NULL || !json_is_object(labels))
		return -1;
	json_object_foreach(labels, name, v)
	{
		if (n == SERIESKEY_TAGS_MAX || json_string_value(v) == NULL)
			return -1;
		tags[n].name = name;
		tags[n++].value = json_string_value(v);
	}
	if (serieskey_build(&b, in->name, tags, n, NULL) != 0) {
		buf_free(&b);
		return -1;
	}
	in->key = xstrdup(buf_str(&b));
	buf_reset(&b);
	if (!group) {
		in->group = xstrdup(in->key);
		buf_free(&b);
		return 0;
	}
	if (by_name)
		buf_printf(&b, "%s\1", in->name);
	buf_putc(&b, '{');
	for (i = 0; i < nby; i++) {
		if ((v = json_object_get(labels, by[i])) == NULL)
			continue;
		if (k++ > 0)
			buf_putc(&b, ',');
		buf_printf(&b, "%s=\"", by[i]);
		serieskey_escape(&b, json_string_value(v));
		buf_putc(&b, '"');
	}
	buf_putc(&b, '}');
	in->group = xstrdup(buf_str(&b));
	buf_free(&b);
	return 0;
}

/* The aggregation's buckets. */
struct qagg {
	const struct store_query *q;
	int64_t b0, R;
	size_t nb;
	struct agg *sb, *gb; /* a series' buckets, its group's */
	size_t *st, *gt;     /* their touched buckets */
	size_t nst, ngt;
	struct agg racc; /* the current R bucket */
	int64_t racc_t, racc_end;
};

static size_t
qagg_index(const struct qagg *a, int64_t t)
{
	if (a->q->step == 0)
		return 0;
	return (size_t)((qagg_floor_div(t, a->q->step) * a->q->step - a->b0) /
	                a->q->step);
}

static void
qagg_flush(struct qagg *a)
{
	size_t i;

	if (a->racc.count == 0)
		return;
	i = qagg_index(a, a->racc_t);
	if (a->sb[i].count == 0)
		a->st[a->nst++] = i;
	agg_fold(&a->sb[i], &a->racc);
	memset(&a->racc, 0, sizeof a->racc);
}

/* Feed series s's points in [start, end) into a->sb. */
static void
qagg_feed(struct qagg *a, json_t *s)
{
	json_t *pts = json_object_get(s, "points"), *p, *v;
	size_t i;
	int64_t t;

	json_array_foreach(pts, i, p)
	{
		t = (int64_t)json_integer_value(json_array_get(p, 0));
		if (t < a->q->start || t >= a->q->end || t < 0)
			continue;
		v = json_array_get(p, 1);
		if (a->racc.count == 0 || t >= a->racc_end) {
			qagg_flush(a);
			a->racc_t = t - t % a->R;
			a->racc_end = a->racc_t + a->R;
		}
		agg_point(&a->racc, t,
		    json_is_number(v) ? json_number_value(v) : NAN);
	}
	qagg_flush(a);
}

/* The points of buckets b (touched t[0..n)) as [[ms, v], ...]; clears
 * them. */
static json_t *
qagg_points(struct qagg *a, struct agg *b, size_t *t, size_t n)
{
	json_t *pts = json_array();
	double v;
	size_t i;

	qsort(t, n, sizeof *t, qagg_size_cmp);
	for (i = 0; i < n; i++) {
		v = agg_result(a->q->agg, &b[t[i]]);
		json_array_append_new(pts,
		    json_pack("[I,o]",
		        (json_int_t)(a->q->step == 0
		                         ? a->q->start
		                         : a->b0 + (int64_t)t[i] * a->q->step),
		        isfinite(v) ? json_real(v) : json_null()));
		memset(&b[t[i]], 0, sizeof b[t[i]]);
	}
	return pts;
}

/* The output series of the group (or series) in[0..n) with buckets a->gb:
 * labels, points, and metric or series as the store's result has them. */
static json_t *
qagg_output(struct qagg *a, const struct qagg_in *in, size_t n,
    const char *const *by, size_t nby, int by_name)
{
	json_t *labels, *o, *src = json_object_get(in[0].s, "labels"), *v;
	size_t i;

	if (!a->q->group) {
		o = json_pack("{s:O,s:o,s:s}", "labels", src, "points",
		    qagg_points(a, a->gb, a->gt, a->ngt), "metric", in[0].name);
		a->ngt = 0;
		return o;
	}
	labels = json_object();
	for (i = 0; i < nby; i++)
		if ((v = json_object_get(src, by[i])) != NULL)
			json_object_set(labels, by[i], v);
	if (by_name)
		json_object_set_new(
		    labels, "__name__", json_string(in[0].name));
	o = json_pack("{s:o,s:o}", "labels", labels, "points",
	    qagg_points(a, a->gb, a->gt, a->ngt));
	a->ngt = 0;
	if (by_name)
		json_object_set_new(o, "metric", json_string(in[0].name));
	json_object_set_new(o, "series", json_integer((json_int_t)n));
	return o;
}

json_t *
hub_query_agg(json_t *raw, const struct store_query *q, int by_name)
{
	struct qagg a;
	struct qagg_in *in;
	const char **by = xcalloc(q->nby + 1, sizeof *by);
	json_t *out = json_array(), *s;
	size_t n = 0, nby = 0, i, j, k, t;

	for (i = 0; i < q->nby; i++)
		by[nby++] = q->by[i];
	qsort(by, nby, sizeof *by, qagg_str_cmp);
	for (i = j = 0; i < nby; i++)
		if (j == 0 || strcmp(by[j - 1], by[i]) != 0)
			by[j++] = by[i];
	nby = j;
	in = xcalloc(json_array_size(raw) + 1, sizeof *in);
	json_array_foreach(raw, i, s)
	{
		if (qagg_in_init(&in[n], s, by, nby, q->group, by_name) == 0)
			n++;
		else {
			free(in[n].key);
			memset(&in[n], 0, sizeof in[n]);
		}
	}
	qsort(in, n, sizeof *in, qagg_in_cmp);
	memset(&a, 0, sizeof a);
	a.q = q;
	if (q->step == 0 || q->step % QAGG_HOUR_MS == 0)
		a.R = QAGG_HOUR_MS;
	else if (q->step % QAGG_MINUTE_MS == 0)
		a.R = QAGG_MINUTE_MS;
	else
		a.R = q->step;
	a.nb = 1;
	if (q->step > 0 && q->end > q->start) {
		a.b0 = qagg_floor_div(q->start, q->step) * q->step;
		a.nb = (size_t)(qagg_floor_div(q->end - 1, q->step) -
		                a.b0 / q->step + 1);
	}
	a.sb = xcalloc(a.nb, sizeof *a.sb);
	a.gb = xcalloc(a.nb, sizeof *a.gb);
	a.st = xcalloc(a.nb + 1, sizeof *a.st);
	a.gt = xcalloc(a.nb + 1, sizeof *a.gt);
	/* Series in key order within each group, folded as the store does. */
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && strcmp(in[j].group, in[i].group) == 0;
		     j++) {
			a.nst = 0;
			qagg_feed(&a, in[j].s);
			for (k = 0; k < a.nst; k++) {
				t = a.st[k];
				if (a.gb[t].count == 0)
					a.gt[a.ngt++] = t;
				agg_fold(&a.gb[t], &a.sb[t]);
				memset(&a.sb[t], 0, sizeof a.sb[t]);
			}
		}
		if (a.ngt > 0)
			json_array_append_new(out,
			    qagg_output(&a, &in[i], j - i, by, nby, by_name));
	}
	for (i = 0; i < n; i++) {
		free(in[i].group);
		free(in[i].key);
	}
	free(in);
	free(by);
	free(a.sb);
	free(a.gb);
	free(a.st);
	free(a.gt);
	return out;
}
