/*
 * Randomized test of the store against a plain in-memory reference model:
 * random batches (duplicates, late points, points too late, NaN, +-Inf,
 * -0, decimals and arbitrary doubles) over several hours, checkpoints and
 * restarts, and after each round every kind of query (raw, per-series
 * buckets, groups, last, tag values, series lists) with random selectors,
 * ranges, steps and aggregations, compared exactly.  A third of the
 * aggregate queries look at the last hours, where the open windows'
 * minutes come from the head's per-minute aggregates (rebuilt after late
 * and duplicate points and at reopen) and min/max put off their raw
 * edges.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/store.h"
#include "test-store-util.h"

/* Check's ck_assert_* log every call; in loops use this. */
#define REQUIRE(c)                                                         \
	do {                                                               \
		if (!(c))                                                  \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #c); \
	} while (0)

#define MIN  60000LL
#define HOUR 3600000LL
#define LATE HOUR
/* Raw retention: the writers go back at most 14 h from now. */
#define RETENTION (24 * HOUR)
#define NSER      14

static uint64_t seed = 0x853c49e6748fea9bULL;

static uint64_t
rnd(void)
{
	uint64_t z = (seed += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int64_t
rnd_in(int64_t lo, int64_t hi) /* [lo, hi) */
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo));
}

/* ---- the model ---- */

struct mpoint {
	int64_t t;
	double v;
};

struct mseries {
	char *key;
	const char *metric;
	const char *a, *b; /* tag values, NULL when absent */
	uint32_t id;
	struct mpoint *p; /* sorted by t, unique */
	size_t n, cap;
	int64_t max_t; /* -1: none */
	double last_v;
	int clean; /* only short decimals: compact rollup blocks */
};

static struct mseries ser[NSER];
static int64_t T0;
static int64_t CLOCK; /* the writers' clock */

static void
model_init(void)
{
	static const char *metrics[] = {"m1", "m2"};
	static const char *avals[] = {"x", "y", "z"};
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < NSER; i++) {
		struct serieskey_tag tags[2];
		size_t nt = 0;

		memset(&ser[i], 0, sizeof ser[i]);
		ser[i].metric = metrics[i % 2];
		ser[i].clean = i % 3 == 2;
		ser[i].a = avals[(i / 2) % 3];
		ser[i].b = i / 6 == 0 ? NULL : (i / 6 == 1 ? "1" : "2");
		tags[nt++] = (struct serieskey_tag){"a", ser[i].a};
		if (ser[i].b != NULL)
			tags[nt++] = (struct serieskey_tag){"b", ser[i].b};
		buf_reset(&b);
		REQUIRE(
		    serieskey_build(&b, ser[i].metric, tags, nt, NULL) == 0);
		ser[i].key = xstrdup(b.data);
		ser[i].max_t = -1;
	}
	buf_free(&b);
}

static void
model_free(void)
{
	int i;

	for (i = 0; i < NSER; i++) {
		free(ser[i].key);
		free(ser[i].p);
	}
}

static void
model_put(struct mseries *m, int64_t t, double v)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->p[mid].t < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->n && m->p[lo].t == t) {
		m->p[lo].v = v;
	} else {
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 256;
			m->p = xreallocarray(m->p, m->cap, sizeof *m->p);
		}
		memmove(m->p + lo + 1, m->p + lo, (m->n - lo) * sizeof *m->p);
		m->p[lo].t = t;
		m->p[lo].v = v;
		m->n++;
	}
	if (t >= m->max_t) {
		m->max_t = t;
		m->last_v = v;
	}
}

/* ---- reference aggregation, written from the contract in store.h ---- */

struct ragg {
	uint64_t count;
	double sum, min, max, last;
	int64_t last_t;
};

static void
ragg_add(struct ragg *a, int64_t t, double v)
{
	if (a->count == 0) {
		a->sum = v;
		a->min = v;
		a->max = v;
	} else {
		a->sum = a->sum + v;
		if (isnan(a->min) || v < a->min)
			a->min = v;
		if (isnan(a->max) || v > a->max)
			a->max = v;
	}
	a->count++;
	a->last = v;
	a->last_t = t;
}

static void
ragg_merge(struct ragg *a, const struct ragg *b)
{
	if (b->count == 0)
		return;
	if (a->count == 0) {
		*a = *b;
		return;
	}
	a->sum = a->sum + b->sum;
	if (isnan(a->min) || b->min < a->min)
		a->min = b->min;
	if (isnan(a->max) || b->max > a->max)
		a->max = b->max;
	if (b->last_t >= a->last_t) {
		a->last = b->last;
		a->last_t = b->last_t;
	}
	a->count += b->count;
}

static double
ragg_value(enum store_agg agg, const struct ragg *a)
{
	switch (agg) {
	case STORE_AGG_AVG:
		return a->sum / (double)a->count;
	case STORE_AGG_MIN:
		return a->min;
	case STORE_AGG_MAX:
		return a->max;
	case STORE_AGG_SUM:
		return a->sum;
	case STORE_AGG_COUNT:
		return (double)a->count;
	default:
		return a->last;
	}
}

static int64_t
ref_fdiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Buckets of one series: out[k] for bucket start b0 + k*step. */
static void
model_buckets(const struct mseries *m, int64_t start, int64_t end, int64_t step,
    struct ragg *out, int64_t b0)
{
	int64_t R = step == 0 || step % HOUR == 0 ? HOUR
	            : step % MIN == 0             ? MIN
	                                          : step;
	struct ragg part;
	int64_t part_rb = 0, part_ob = 0;
	size_t i;

	memset(&part, 0, sizeof part);
	for (i = 0; i < m->n; i++) {
		int64_t t = m->p[i].t, rb, ob;

		if (t < start || t >= end)
			continue;
		rb = ref_fdiv(t, R) * R;
		ob = step == 0 ? start : ref_fdiv(t, step) * step;
		if (part.count > 0 && rb != part_rb) {
			ragg_merge(
			    &out[step == 0 ? 0 : (part_ob - b0) / step], &part);
			memset(&part, 0, sizeof part);
		}
		part_rb = rb;
		part_ob = ob;
		ragg_add(&part, t, m->p[i].v);
	}
	if (part.count > 0)
		ragg_merge(&out[step == 0 ? 0 : (part_ob - b0) / step], &part);
}

/* ---- selectors ---- */

static const char *
mget(void *arg, const char *name)
{
	const struct mseries *m = arg;

	if (strcmp(name, "a") == 0)
		return m->a;
	if (strcmp(name, "b") == 0)
		return m->b;
	return NULL;
}

static void
random_selector(char *buf, size_t len)
{
	static const char *forms[] = {
	    "m1",
	    "m2",
	    "{a=\"x\"}",
	    "m1{a!=\"y\"}",
	    "{a=~\"x|z\"}",
	    "m2{b=\"1\"}",
	    "m1{b=\"\"}",
	    "{__name__=~\"m.\",b!~\"2\"}",
	    "{a!~\"q\"}",
	    "m2{a=\"z\",b=~\"1|2\"}",
	    "nosuch",
	};

	snprintf(
	    buf, len, "%s", forms[rnd() % (sizeof forms / sizeof forms[0])]);
}

static int
cmp_key(const void *x, const void *y)
{
	const struct mseries *a = *(const struct mseries *const *)x;
	const struct mseries *b = *(const struct mseries *const *)y;

	return strcmp(a->key, b->key);
}

/* Matching model series, sorted by key. */
static size_t
model_match(const struct selector *sel, struct mseries **out)
{
	size_t n = 0;
	int i;

	for (i = 0; i < NSER; i++) {
		if (selector_match(sel, ser[i].metric, mget, &ser[i]))
			out[n++] = &ser[i];
	}
	qsort(out, n, sizeof *out, cmp_key);
	return n;
}

static void
check_same(double got, double want, const char *what)
{
	if (isnan(got) && isnan(want))
		return;
	if (!tsu_same(got, want))
		ck_abort_msg("%s: got %.17g want %.17g", what, got, want);
}

/* ---- queries ---- */

static void
check_raw(struct store *s)
{
	struct selector *sel;
	struct store_result r;
	struct mseries *ms[NSER];
	char text[100], *cause = NULL;
	int64_t start, end;
	size_t n, i, j, k;

	random_selector(text, sizeof text);
	sel = tsu_sel(text);
	start = rnd_in(T0 - HOUR, T0 + 8 * HOUR);
	end = start + rnd_in(1, 6 * HOUR);
	if (store_query_raw(s, sel, start, end, &r, &cause) != 0)
		ck_abort_msg("raw %s: %s", text, cause);
	n = model_match(sel, ms);
	for (i = 0, k = 0; i < n; i++) {
		size_t cnt = 0;

		for (j = 0; j < ms[i]->n; j++)
			cnt += ms[i]->p[j].t >= start && ms[i]->p[j].t < end;
		if (cnt == 0)
			continue;
		REQUIRE((k) < (r.n));
		REQUIRE(strcmp(r.series[k].key, ms[i]->key) == 0);
		REQUIRE((r.series[k].npoints) == (cnt));
		for (j = 0, cnt = 0; j < ms[i]->n; j++) {
			const struct mpoint *p = &ms[i]->p[j];

			if (p->t < start || p->t >= end)
				continue;
			REQUIRE((r.series[k].points[cnt].t) == (p->t));
			if (!tsu_same(r.series[k].points[cnt].v, p->v))
				ck_abort_msg("raw %s at %lld: %.17g != %.17g",
				    ms[i]->key, (long long)p->t,
				    r.series[k].points[cnt].v, p->v);
			cnt++;
		}
		k++;
	}
	REQUIRE((k) == (r.n));
	REQUIRE((r.nwarnings) == (0));
	store_result_free(&r);
	selector_free(sel);
}

/* The buckets the model filled (b[0..nb)) against result series k:
 * nothing when all are empty, else the series named key with one point
 * per non-empty bucket.  Returns the series used (0 or 1). */
static size_t
check_buckets(const struct store_result *r, size_t k, const char *key,
    const struct ragg *b, size_t nb, const struct store_query *q, int64_t b0,
    const char *what)
{
	size_t bi, g = 0, nonempty = 0;
	char at[512];

	for (bi = 0; bi < nb; bi++)
		nonempty += b[bi].count > 0;
	if (nonempty == 0)
		return 0;
	REQUIRE((k) < (r->n));
	REQUIRE(strcmp(r->series[k].key, key) == 0);
	REQUIRE((r->series[k].npoints) == (nonempty));
	for (bi = 0; bi < nb; bi++) {
		if (b[bi].count == 0)
			continue;
		REQUIRE(r->series[k].points[g].t ==
		        (q->step == 0 ? q->start : b0 + (int64_t)bi * q->step));
		snprintf(at, sizeof at, "%s bucket %zu", what, bi);
		check_same(
		    r->series[k].points[g].v, ragg_value(q->agg, &b[bi]), at);
		g++;
	}
	return 1;
}

static void
check_agg(struct store *s, int group)
{
	static const int64_t steps[] = {0, 7000, 10000, 30000, MIN, 2 * MIN,
	    5 * MIN, HOUR, 2 * HOUR, 90 * MIN};
	static const char *bys[][2] = {
	    {"a", NULL}, {"b", NULL}, {"a", "b"}, {"b", "a"}, {NULL, NULL}};
	struct store_query q;
	struct selector *sel;
	struct store_result r;
	struct mseries *ms[NSER];
	struct ragg *gb, *sb;
	char text[100], *cause = NULL, what[200];
	const char *by[2];
	int64_t b0;
	size_t n, i, j, nb, k = 0, nby = 0, bi;

	memset(&q, 0, sizeof q);
	random_selector(text, sizeof text);
	q.sel = sel = tsu_sel(text);
	q.agg = (enum store_agg)rnd_in(STORE_AGG_AVG, STORE_AGG_LAST + 1);
	q.step = steps[rnd() % (sizeof steps / sizeof steps[0])];
	q.start = rnd_in(T0 - HOUR, T0 + 8 * HOUR);
	if (rnd() % 2)
		q.start = q.start / MIN * MIN;
	if (rnd() % 3 == 0)
		q.start = q.start / HOUR * HOUR;
	q.end = q.start + rnd_in(1, 7 * HOUR);
	if (rnd() % 2)
		q.end = q.end / MIN * MIN + MIN;
	if (rnd() % 3 == 0) {
		/* Recent: the open windows, served by the head's minutes,
		 * with unaligned edges (min and max put them off). */
		q.end = CLOCK - rnd_in(-MIN, 20 * MIN);
		q.start = q.end - rnd_in(1, 2 * HOUR);
		if (rnd() % 2)
			q.step = rnd() % 2 ? 0 : MIN * rnd_in(1, 6);
		if (rnd() % 2)
			q.agg = rnd() % 2 ? STORE_AGG_MIN : STORE_AGG_MAX;
	}
	q.group = group;
	if (group) {
		int c = (int)(rnd() % 5);

		for (i = 0; i < 2 && bys[c][i] != NULL; i++)
			by[nby++] = bys[c][i];
		q.by = by;
		q.nby = nby;
	}
	if (store_query_run(s, &q, &r, &cause) != 0)
		ck_abort_msg("query %s: %s", text, cause);

	b0 = q.step == 0 ? q.start : ref_fdiv(q.start, q.step) * q.step;
	nb = q.step == 0
	         ? 1
	         : (size_t)((ref_fdiv(q.end - 1, q.step) * q.step - b0) /
	                        q.step +
	                    1);
	gb = xcalloc(nb, sizeof *gb);
	sb = xcalloc(nb, sizeof *sb);
	n = model_match(sel, ms);
	if (group) {
		/* Group key per series: the by-tags it has, sorted. */
		char **gk = xcalloc(n + 1, sizeof *gk);
		size_t *order = xcalloc(n + 1, sizeof *order), g;

		for (i = 0; i < n; i++) {
			struct buf b = BUF_INIT;
			const char *names[2];
			size_t nn = nby, x;

			memcpy(names, by, nby * sizeof *by);
			if (nn == 2 && strcmp(names[0], names[1]) > 0) {
				const char *t = names[0];

				names[0] = names[1];
				names[1] = t;
			}
			buf_putc(&b, '{');
			for (x = 0, g = 0; x < nn; x++) {
				const char *v = mget(ms[i], names[x]);

				if (v == NULL)
					continue;
				if (g++ > 0)
					buf_putc(&b, ',');
				buf_printf(&b, "%s=\"%s\"", names[x], v);
			}
			buf_putc(&b, '}');
			gk[i] = buf_detach(&b);
			order[i] = i;
		}
		/* Distinct group keys in sorted order. */
		for (i = 0; i < n; i++) {
			for (j = i + 1; j < n; j++) {
				if (strcmp(gk[order[j]], gk[order[i]]) < 0 ||
				    (strcmp(gk[order[j]], gk[order[i]]) == 0 &&
				        order[j] < order[i])) {
					size_t t = order[i];

					order[i] = order[j];
					order[j] = t;
				}
			}
		}
		for (i = 0; i < n; i = j) {
			memset(gb, 0, nb * sizeof *gb);
			for (j = i;
			     j < n && strcmp(gk[order[j]], gk[order[i]]) == 0;
			     j++) {
				memset(sb, 0, nb * sizeof *sb);
				model_buckets(ms[order[j]], q.start, q.end,
				    q.step, sb, b0);
				for (bi = 0; bi < nb; bi++)
					ragg_merge(&gb[bi], &sb[bi]);
			}
			snprintf(what, sizeof what, "%s %s step %lld group %s",
			    text, store_agg_name(q.agg), (long long)q.step,
			    gk[order[i]]);
			k += check_buckets(
			    &r, k, gk[order[i]], gb, nb, &q, b0, what);
		}
		for (i = 0; i < n; i++)
			free(gk[i]);
		free(gk);
		free(order);
	} else {
		for (i = 0; i < n; i++) {
			memset(sb, 0, nb * sizeof *sb);
			model_buckets(ms[i], q.start, q.end, q.step, sb, b0);
			snprintf(what, sizeof what,
			    "%s %s step %lld [%lld,%lld)", ms[i]->key,
			    store_agg_name(q.agg), (long long)q.step,
			    (long long)(q.start - T0), (long long)(q.end - T0));
			k += check_buckets(
			    &r, k, ms[i]->key, sb, nb, &q, b0, what);
		}
	}
	REQUIRE((k) == (r.n));
	REQUIRE((r.nwarnings) == (0));
	free(gb);
	free(sb);
	store_result_free(&r);
	selector_free(sel);
}

static void
check_last_and_index(struct store *s)
{
	struct selector *sel;
	struct store_result r;
	struct store_series_list l;
	struct mseries *ms[NSER];
	char text[100], **vals;
	size_t n, i, k = 0, nv;

	random_selector(text, sizeof text);
	sel = tsu_sel(text);
	REQUIRE(store_query_last(s, sel, 0, &r, NULL) == 0);
	n = model_match(sel, ms);
	for (i = 0; i < n; i++) {
		if (ms[i]->max_t < 0)
			continue;
		REQUIRE((k) < (r.n));
		REQUIRE(strcmp(r.series[k].key, ms[i]->key) == 0);
		REQUIRE((r.series[k].points[0].t) == (ms[i]->max_t));
		check_same(r.series[k].points[0].v, ms[i]->last_v, "last");
		k++;
	}
	REQUIRE((k) == (r.n));
	store_result_free(&r);
	REQUIRE(store_series_list(s, sel, &l, NULL) == 0);
	if (l.n != n) {
		for (i = 0; i < l.n; i++)
			fprintf(stderr, "listed %s\n", l.series[i].key);
		for (i = 0; i < n; i++)
			fprintf(stderr, "model %s\n", ms[i]->key);
	}
	ck_assert_msg(
	    l.n == n, "%s: %zu series listed, model has %zu", text, l.n, n);
	for (i = 0; i < n; i++)
		REQUIRE(strcmp(l.series[i].key, ms[i]->key) == 0);
	store_series_list_free(&l);
	REQUIRE(store_tag_values(s, "a", sel, &vals, &nv, NULL) == 0);
	for (i = 0, k = 0; i < n; i++) {
		if (i == 0 || strcmp(ms[i]->a, ms[i - 1]->a) != 0)
			k++;
	}
	if (n > 0 && strcmp(ms[0]->metric, ms[n - 1]->metric) == 0)
		REQUIRE((nv) <= (3));
	REQUIRE((nv) >= (n > 0 ? 1 : 0));
	store_strings_free(vals);
	selector_free(sel);
}

/* ---- writes ---- */

static double
random_value(struct mseries *m)
{
	switch (m->clean ? 19 : rnd() % 20) {
	case 0:
		return NAN;
	case 1:
		return rnd() % 2 ? INFINITY : -INFINITY;
	case 2:
		return -0.0;
	case 3:
		return (double)(int64_t)(rnd() % 2000000) / 7.0;
	case 4:
		return 0.1 * (double)(rnd() % 100) + 0.2;
	default:
		/* A walk with two decimals. */
		return round((m->n > 0 && !isnan(m->p[m->n - 1].v) &&
		                         isfinite(m->p[m->n - 1].v)
		                     ? m->p[m->n - 1].v
		                     : 20) *
		                 100 +
		             (double)rnd_in(-30, 31)) /
		       100;
	}
}

static void
write_batch(struct store *s, int64_t *clock)
{
	uint32_t ids[300];
	int64_t ts[300], bmax[NSER], horizon;
	double vs[300];
	struct store_write_result wr;
	size_t n = (size_t)rnd_in(1, 300), i, acc = 0;
	char *cause = NULL;
	int j;

	*clock += rnd_in(0, 40000);
	CLOCK = *clock;
	for (i = 0; i < n; i++) {
		struct mseries *m = &ser[rnd() % NSER];
		int64_t t;

		switch (rnd() % 10) {
		case 0: /* late: hours back, or past the raw retention */
			if (rnd() % 4 == 0 && m->max_t >= 0)
				t = clock_wall_ms() - RETENTION -
				    rnd_in(1, HOUR);
			else
				t = *clock - rnd_in(0, LATE + 2 * HOUR);
			break;
		case 1: /* a duplicate of an existing point */
			t = m->n > 0 ? m->p[rnd() % m->n].t : *clock;
			break;
		case 2: /* late or a duplicate inside the newest minutes */
			t = m->max_t >= 0 ? m->max_t - rnd_in(0, 2 * MIN)
			                  : *clock;
			break;
		default:
			t = *clock + rnd_in(-5000, 5000);
		}
		if (t < 0)
			t = 0;
		ids[i] = m->id;
		ts[i] = t;
		vs[i] = random_value(m);
	}
	/* The store refuses points behind their series' newest only when
	 * they are older than its raw retention, counted from its own
	 * (wall) clock. */
	horizon = clock_wall_ms() - RETENTION;
	REQUIRE(store_write(s, ids, ts, vs, n, &wr, &cause) == 0);
	/* Apply to the model in the same order with the same verdicts. */
	for (j = 0; j < NSER; j++)
		bmax[j] = ser[j].max_t;
	for (i = 0; i < n; i++) {
		struct mseries *m = NULL;

		for (j = 0; j < NSER; j++) {
			if (ser[j].id == ids[i]) {
				m = &ser[j];
				break;
			}
		}
		if (ts[i] < horizon && ts[i] <= bmax[j])
			continue;
		if (ts[i] > bmax[j])
			bmax[j] = ts[i];
		model_put(m, ts[i], vs[i]);
		acc++;
	}
	REQUIRE((wr.accepted) == (acc));
	REQUIRE((wr.rejected[STORE_REJECT_LATE]) == (n - acc));
	/* The newest point of each series, at once (with the apply thread
	 * the head may not have it yet: the writer's view must). */
	for (j = 0; j < NSER; j++) {
		int64_t lt;
		double lv;

		REQUIRE(store_series_last(s, ser[j].id, &lt, &lv, NULL) == 0);
		REQUIRE(lt == ser[j].max_t);
		REQUIRE(lt < 0 || memcmp(&lv, &ser[j].last_v, sizeof lv) == 0);
	}
}

/* Add the store's counters (since its open) of the paths under test to
 * c: late merges, chunks written, late rejects, head minutes read, min/max
 * edges skipped. */
static void
add_path_counts(struct store *s, uint64_t c[5])
{
	struct store_stats st;

	REQUIRE(store_stats_get(s, &st, NULL) == 0);
	c[0] += st.late_merges;
	c[1] += st.chunks_written;
	c[2] += st.rejected[STORE_REJECT_LATE];
	c[3] += st.head_minutes_read;
	c[4] += st.edges_skipped;
}

START_TEST(test_store_matches_model)
{
	char dir[256];
	struct store_options o;
	struct store *s;
	int64_t clock;
	uint64_t paths[5] = {0, 0, 0, 0, 0};
	int round, b, q, i;

	tsu_tmpdir(dir, sizeof dir);
	T0 = (clock_wall_ms() / HOUR - 10) * HOUR + 1234567;
	model_init();
	store_options_init(&o);
	o.late_window_ms = LATE;
	o.retention_raw_ms = RETENTION;
	o.batchlog_bytes = 256 << 10; /* checkpoint often */
	o.apply_thread = _i; /* 1: batches applied on the store's thread */
	s = tsu_open(dir, &o);
	for (i = 0; i < NSER; i++)
		ser[i].id = tsu_intern(s, ser[i].key);
	clock = T0;
	for (round = 0; round < 30; round++) {
		for (b = 0; b < 30; b++)
			write_batch(s, &clock);
		switch (rnd() % 6) {
		case 0:
			add_path_counts(s, paths);
			store_close(s);
			s = tsu_open(dir, &o);
			break;
		case 1:
			REQUIRE(store_flush(s, rnd() % 4 == 0, NULL) == 0);
			break;
		default:
			break;
		}
		for (q = 0; q < 10; q++) {
			check_raw(s);
			check_agg(s, 0);
			check_agg(s, 1);
			check_last_and_index(s);
		}
	}
	/* Every path was taken (and its answers checked above): late
	 * merges, closed chunks, late rejects, the head's minutes, put-off
	 * min/max edges. */
	add_path_counts(s, paths);
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr,
		    "late merges %llu, chunks %llu, late %llu, head "
		    "minutes %llu, edges skipped %llu\n",
		    (unsigned long long)paths[0], (unsigned long long)paths[1],
		    (unsigned long long)paths[2], (unsigned long long)paths[3],
		    (unsigned long long)paths[4]);
	ck_assert_uint_gt(paths[0], 100);
	ck_assert_uint_gt(paths[1], 20);
	ck_assert_uint_gt(paths[2], 100);
	ck_assert_uint_gt(paths[3], 200);
	ck_assert_uint_gt(paths[4], 20);
	store_close(s);
	model_free();
	tsu_rmtree(dir);
}
END_TEST

static Suite *
model_suite(void)
{
	Suite *su = suite_create("store-model");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 300);
	/* Without and with the store's apply thread. */
	tcase_add_loop_test(tc, test_store_matches_model, 0, 2);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(model_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
