/* promql windows: a selector's points read once, in time slices aligned to
 * the store's chunk windows, each series kept as a sliding buffer from
 * which a function of the window [t - offset - w, t - offset] is computed
 * at every step as soon as its points are in. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/promql/promql-int.h"
#include "lib/xmalloc.h"
#include "store/store.h"

/* The store's chunk window: a slice then reads one chunk per series. */
#define WINDOW_SLICE_MS (60 * 60 * 1000)

/* One series being read: its points not yet behind every later window. */
struct win_series {
	const char *key; /* the series' store key (owned) */
	size_t idx;      /* its series in the output value */
	struct store_point *p;
	size_t n, cap;
	size_t lo, hi; /* the last computed window is p[lo..hi) */
	size_t k;      /* next step to compute */
};

struct win_state {
	struct promql_ctx *c;
	const struct promql_node *sel;
	int64_t w;
	promql_window_fn fn;
	const double *param;
	struct promql_value *out;
	struct win_series *s; /* sorted by key */
	size_t n;
};

/* End of step k's window (fetch time). */
static int64_t
win_end(const struct win_state *st, size_t k)
{
	return promql_step_time(st->c, k) - st->sel->offset_ms;
}

/* A new series for sr, with its labels and room for every step. */
static void
win_series_new(struct win_state *st, struct win_series *ws,
    const struct store_series_result *sr)
{
	struct promql_series s;
	size_t k;

	memset(ws, 0, sizeof *ws);
	ws->key = xstrdup(sr->key != NULL ? sr->key : "");
	promql_series_init(&s, NULL, st->c->nsteps);
	if (sr->metric != NULL)
		promql_series_set_label(&s, "__name__", sr->metric);
	for (k = 0; k < sr->ntags; k++)
		promql_series_set_label(
		    &s, sr->tags[k].name, sr->tags[k].value);
	ws->idx = st->out->n;
	promql_value_push(st->out, &s);
}

/* Append sr's points (newer than every buffered one) to ws. */
static void
win_series_append(struct win_series *ws, const struct store_series_result *sr)
{
	if (sr->npoints == 0)
		return;
	if (ws->n + sr->npoints > ws->cap) {
		ws->cap = (ws->n + sr->npoints) * 2;
		ws->p = xreallocarray(ws->p, ws->cap, sizeof *ws->p);
	}
	memcpy(ws->p + ws->n, sr->points, sr->npoints * sizeof *ws->p);
	ws->n += sr->npoints;
}

/* Merge a slice's series (sorted by key) into st's; new ones are added. */
static void
win_merge(struct win_state *st, struct store_result *r)
{
	struct win_series *m;
	size_t i = 0, j = 0, o = 0;

	m = xreallocarray(NULL, st->n + r->n + 1, sizeof *m);
	while (i < st->n || j < r->n) {
		int c;

		if (i == st->n)
			c = 1;
		else if (j == r->n)
			c = -1;
		else
			c = strcmp(st->s[i].key,
			    r->series[j].key != NULL ? r->series[j].key : "");
		if (c < 0) {
			m[o++] = st->s[i++];
			continue;
		}
		if (c > 0)
			win_series_new(st, &m[o], &r->series[j]);
		else
			m[o] = st->s[i++];
		win_series_append(&m[o++], &r->series[j++]);
	}
	free(st->s);
	st->s = m;
	st->n = o;
}

/* Compute ws's steps whose windows end before hi (all their points are
 * in), then drop the points before the next window. */
static void
win_series_advance(struct win_state *st, struct win_series *ws, int64_t hi)
{
	struct promql_series *s = &st->out->series[ws->idx];
	struct promql_window w;
	size_t nsteps = st->c->nsteps;

	w.range = st->w;
	for (; ws->k < nsteps; ws->k++) {
		w.end = win_end(st, ws->k);
		if (w.end >= hi)
			break;
		w.start = w.end - st->w;
		while (ws->lo < ws->n && ws->p[ws->lo].t < w.start)
			ws->lo++;
		if (ws->hi < ws->lo)
			ws->hi = ws->lo;
		while (ws->hi < ws->n && ws->p[ws->hi].t <= w.end)
			ws->hi++;
		w.p = ws->p + ws->lo;
		w.n = ws->hi - ws->lo;
		w.param = st->param != NULL ? st->param[ws->k] : 0;
		s->ok[ws->k] = (unsigned char)st->fn(&w, &s->v[ws->k]);
	}
	if (ws->k < nsteps) {
		int64_t next = win_end(st, ws->k) - st->w;

		while (ws->lo < ws->n && ws->p[ws->lo].t < next)
			ws->lo++;
	} else
		ws->lo = ws->n;
	if (ws->lo > 0) {
		memmove(
		    ws->p, ws->p + ws->lo, (ws->n - ws->lo) * sizeof *ws->p);
		ws->n -= ws->lo;
		ws->hi = ws->hi > ws->lo ? ws->hi - ws->lo : 0;
		ws->lo = 0;
	}
}

/* Where in [a, b) the windows need points: [*from, b), or 0 when no
 * window reaches into the slice. */
static int
win_slice_needed(
    const struct win_state *st, int64_t a, int64_t b, int64_t *from)
{
	int64_t e0 = win_end(st, 0), step = st->c->q->step;
	size_t k = 0;

	/* The first step whose window ends at or after a. */
	if (a > e0 && step > 0)
		k = (size_t)((a - e0 + step - 1) / step);
	if (k >= st->c->nsteps)
		return 0;
	*from = win_end(st, k) - st->w;
	if (*from >= b)
		return 0;
	if (*from < a)
		*from = a;
	return 1;
}

/* Read [a, b) and advance every series to b. */
static int
win_slice(struct win_state *st, int64_t a, int64_t b)
{
	struct promql_ctx *c = st->c;
	struct store_result r;
	char *cause = NULL;
	size_t i, max;
	int64_t from;

	if (promql_eval_check(c) != 0)
		return -1;
	if (win_slice_needed(st, a, b, &from)) {
		if (c->src->fetch(c->src->arg, st->sel->sel, from, b - 1, &r,
		        &cause) != 0) {
			promql_fail(c, PROMQL_ERR_EXECUTION, "%s", cause);
			free(cause);
			return -1;
		}
		c->partial |= r.partial;
		max = c->q->max_samples > 0 ? c->q->max_samples
		                            : PROMQL_MAX_SAMPLES;
		/* Points held plus, for each new series, its per-step values.
		 */
		for (i = 0; i < r.n; i++)
			c->samples += r.series[i].npoints;
		i = st->n;
		win_merge(st, &r);
		c->samples += (st->n - i) * c->nsteps;
		store_result_free(&r);
		if (c->samples > max)
			return promql_fail(c, PROMQL_ERR_EXECUTION,
			    "query processing would load too many samples "
			    "into memory (more than %zu)",
			    max);
	}
	for (i = 0; i < st->n; i++)
		win_series_advance(st, &st->s[i], b);
	return 0;
}

/* Read the selector's points series by series from the source's reader
 * over [a, end], computing each series' steps as its chunks come in; the
 * series arrive in the order the store reads fastest (not key order):
 * st->s keeps each one's key and place for promql_eval_windows to sort. */
static int
win_stream(struct win_state *st, int64_t a, int64_t end)
{
	struct promql_ctx *c = st->c;
	struct store_reader *rd = NULL;
	const struct store_series_result *sr;
	char *cause = NULL;
	size_t max;
	int rc = 0;

	if (c->src->open(c->src->arg, st->sel->sel, a, end, &rd, &cause) != 0) {
		promql_fail(c, PROMQL_ERR_EXECUTION, "%s", cause);
		free(cause);
		return -1;
	}
	max = c->q->max_samples > 0 ? c->q->max_samples : PROMQL_MAX_SAMPLES;
	while (rc == 0 && store_reader_series(rd, &sr) == 1) {
		struct win_series ws;
		const int64_t *t;
		const double *v;
		size_t n, i;
		int made = 0;

		if ((rc = promql_eval_check(c)) != 0)
			break;
		while (store_reader_next(rd, &t, &v, &n) == 1) {
			if (!made) {
				win_series_new(st, &ws, sr);
				c->samples += c->nsteps;
				made = 1;
			}
			c->samples += n;
			if (c->samples > max) {
				rc = promql_fail(c, PROMQL_ERR_EXECUTION,
				    "query processing would load too many "
				    "samples into memory (more than %zu)",
				    max);
				break;
			}
			if (ws.n + n > ws.cap) {
				ws.cap = (ws.n + n) * 2;
				ws.p =
				    xreallocarray(ws.p, ws.cap, sizeof *ws.p);
			}
			for (i = 0; i < n; i++) {
				ws.p[ws.n + i].t = t[i];
				ws.p[ws.n + i].v = v[i];
			}
			ws.n += n;
			win_series_advance(st, &ws, t[n - 1] + 1);
			if (ws.k >= c->nsteps)
				break;
			/* Chunks no later window reaches are not read. */
			if (ws.n == 0)
				store_reader_skip(
				    rd, win_end(st, ws.k) - st->w);
		}
		if (made) {
			if (rc == 0)
				win_series_advance(st, &ws, INT64_MAX);
			free(ws.p);
			ws.p = NULL;
			ws.n = ws.cap = 0;
			st->s = xreallocarray(st->s, st->n + 1, sizeof *st->s);
			st->s[st->n++] = ws;
		}
	}
	c->partial |= store_reader_partial(rd);
	store_reader_close(rd);
	return rc;
}

static int
win_series_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct win_series *)a)->key,
	    ((const struct win_series *)b)->key);
}

int
promql_eval_windows(struct promql_ctx *c, const struct promql_node *sel,
    int64_t w, promql_window_fn fn, const double *param,
    struct promql_value *out)
{
	struct win_state st;
	struct promql_series *sorted;
	int64_t a, b, end, slice, span;
	size_t i, seen;
	int rc = 0;

	memset(out, 0, sizeof *out);
	out->type = PROMQL_VECTOR;
	out->nsteps = c->nsteps;
	memset(&st, 0, sizeof st);
	st.c = c;
	st.sel = sel;
	st.w = w;
	st.fn = fn;
	st.param = param;
	st.out = out;
	slice = c->q->slice_ms > 0 ? c->q->slice_ms : WINDOW_SLICE_MS;
	a = c->q->start - sel->offset_ms - w;
	end = win_end(&st, c->nsteps - 1);
	if (a < 0)
		a = 0;
	if (c->src->open != NULL) {
		if (end >= a)
			rc = win_stream(&st, a, end);
		if (st.n > 1) /* st.s is NULL when nothing matched */
			qsort(st.s, st.n, sizeof *st.s, win_series_key_cmp);
		a = end + 1;
	}
	/* Slices of `slice` ms.  After a slice that read nothing the next
	 * is twice as long, up to the range (a slice no longer than the
	 * range holds nothing a step's window would not hold anyway); one
	 * that read points sets it back.  So a range reaching back to 1970
	 * costs a few reads of empty time, not one an hour. */
	span = slice;
	for (; rc == 0 && a <= end; a = b) {
		b = end - a < span ? end + 1 : (a + span) / slice * slice;
		if (b <= a)
			b = (a / slice + 1) * slice;
		if (b > end + 1)
			b = end + 1;
		seen = c->samples;
		rc = win_slice(&st, a, b);
		if (c->samples != seen)
			span = slice;
		else if (span <= w / 2)
			span *= 2;
	}
	/* Series in key order, as one read would give them. */
	sorted = xreallocarray(NULL, st.n + 1, sizeof *sorted);
	for (i = 0; i < st.n; i++) {
		sorted[i] = out->series[st.s[i].idx];
		free((char *)st.s[i].key);
		free(st.s[i].p);
	}
	free(out->series);
	out->series = sorted;
	free(st.s);
	return rc;
}
