/*
 * Queries: raw points, per-series buckets and pooled groups, answered from
 * the head, the closed chunks and the rollup tiers.  The semantics are
 * those of store.h (struct store_query); a tier is read only where it
 * holds exactly the partial aggregates the raw points would give.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/agg.h"
#include "store/rollup.h"
#include "store/store-int.h"

#define BUCKETS_MAX (10 * 1000 * 1000) /* per series, and all groups */

/* Where points come from: raw chunks and head, or a rollup tier. */
#define LEVEL_RAW    0
#define LEVEL_MINUTE 1
#define LEVEL_HOUR   2

static const char *agg_names[] = {
    [STORE_AGG_NONE] = "raw",
    [STORE_AGG_AVG] = "avg",
    [STORE_AGG_MIN] = "min",
    [STORE_AGG_MAX] = "max",
    [STORE_AGG_SUM] = "sum",
    [STORE_AGG_COUNT] = "count",
    [STORE_AGG_LAST] = "last",
};

int
store_agg_parse(const char *name, enum store_agg *agg)
{
	size_t i;

	if (strcmp(name, "none") == 0) {
		*agg = STORE_AGG_NONE;
		return 0;
	}
	for (i = 0; i < sizeof agg_names / sizeof agg_names[0]; i++) {
		if (strcmp(name, agg_names[i]) == 0) {
			*agg = (enum store_agg)i;
			return 0;
		}
	}
	return -1;
}

const char *
store_agg_name(enum store_agg agg)
{
	return (size_t)agg < sizeof agg_names / sizeof agg_names[0]
	           ? agg_names[agg]
	           : "?";
}

void
store_result_add_warning(struct store_result *r, const char *msg)
{
	if (r->nwarnings >= 100)
		return;
	r->warnings =
	    xreallocarray(r->warnings, r->nwarnings + 1, sizeof *r->warnings);
	r->warnings[r->nwarnings++] = xstrdup(msg);
}

void
store_result_free(struct store_result *r)
{
	size_t i, j;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		struct store_series_result *sr = &r->series[i];

		free(sr->key);
		free((char *)sr->metric);
		for (j = 0; j < sr->ntags; j++) {
			free((char *)sr->tags[j].name);
			free((char *)sr->tags[j].value);
		}
		free(sr->tags);
		free(sr->points);
	}
	free(r->series);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof *r);
}

static int64_t
align_up(int64_t t, int64_t r)
{
	return floor_div(t + r - 1, r) * r;
}

/* ---- query context ---- */

/* Rollup blocks of one tier fetched for all series at once (MultiGet):
 * vals[i * nids + j] for period p0 + i * period and ids[j]. */
struct prefetch {
	int on;
	int64_t p0, period;
	size_t np, nids;
	const uint32_t *ids; /* ascending */
	rocksdb_pinnableslice_t **vals;
};

struct qctx {
	struct store *s;
	const struct store_query *q;
	struct store_result *r;
	int64_t R;              /* resolution of partial sums */
	int top;                /* LEVEL_* the query may start at */
	int finer[3];           /* next level down from each */
	rocksdb_iterator_t *it; /* chunks */
	struct ptvec pv;
	/* The partial aggregate of the current R bucket. */
	struct agg racc;
	int64_t racc_t, racc_end;
	/* Output buckets of the current series, dense from b0. */
	int64_t b0, step;
	size_t nb;
	struct agg *ob;
	size_t *touched;
	size_t ntouched;
	size_t npoints;          /* returned so far */
	struct prefetch pf[3];   /* by level */
	struct rollup_block blk; /* the last block read */
	int blk_valid, blk_level, blk_ok;
	uint32_t blk_id;
	int64_t blk_p;
};

static size_t
out_index(const struct qctx *qc, int64_t t)
{
	if (qc->step == 0)
		return 0;
	return (
	    size_t)((floor_div(t, qc->step) * qc->step - qc->b0) / qc->step);
}

static void
racc_flush(struct qctx *qc)
{
	size_t i;

	if (qc->racc.count == 0)
		return;
	i = out_index(qc, qc->racc_t);
	if (qc->ob[i].count == 0)
		qc->touched[qc->ntouched++] = i;
	agg_fold(&qc->ob[i], &qc->racc);
	memset(&qc->racc, 0, sizeof qc->racc);
}

/* Points come in time order and t >= 0. */
static inline void
feed_point(struct qctx *qc, int64_t t, double v)
{
	if (qc->racc.count == 0 || t >= qc->racc_end) {
		racc_flush(qc);
		qc->racc_t = t - t % qc->R;
		qc->racc_end = qc->racc_t + qc->R;
	}
	agg_point(&qc->racc, t, v);
}

static void
feed_bucket(struct qctx *qc, int64_t t, const struct agg *b)
{
	size_t i;

	racc_flush(qc);
	i = out_index(qc, t);
	if (qc->ob[i].count == 0)
		qc->touched[qc->ntouched++] = i;
	agg_fold(&qc->ob[i], b);
}

/* Raw points of the current series in [lo, hi), to pv or the sink. */
static void
feed_raw(struct qctx *qc, uint32_t id, int64_t lo, int64_t hi, int raw)
{
	struct store *s = qc->s;
	struct series *ser = &s->ix.series[id];
	struct chunk_enc *c = ser->open;
	int64_t hw = INT64_MAX, w;
	size_t i;

	if (lo >= hi)
		return;
	if (c != NULL && c->n > 0)
		hw = window_of(c->first_t);
	for (w = window_of(lo); w < hi && w <= hw; w += STORE_WINDOW_MS) {
		size_t start = raw ? qc->pv.n : 0;

		if (!raw)
			qc->pv.n = 0;
		/* Closed chunks exist up to closed_max_t only. */
		if (ser->closed_max_t >= w)
			store_chunks_read_window(
			    s, qc->it, id, w, hi, &qc->pv, qc->r);
		if (w == hw) {
			size_t len = chunk_enc_size(c);

			buf_reset(&s->tmp);
			buf_reserve(&s->tmp, len);
			chunk_enc_serialize(c, (uint8_t *)s->tmp.data);
			(void)chunk_decode_until(s->tmp.data, len, hi, &qc->pv);
		}
		qc->r->points_scanned += qc->pv.n - start;
		if (raw) {
			/* Keep only [lo, hi). */
			size_t j = start;

			for (i = start; i < qc->pv.n; i++) {
				if (qc->pv.t[i] >= lo && qc->pv.t[i] < hi) {
					qc->pv.t[j] = qc->pv.t[i];
					qc->pv.v[j] = qc->pv.v[i];
					j++;
				}
			}
			qc->pv.n = j;
			continue;
		}
		for (i = 0; i < qc->pv.n; i++) {
			if (qc->pv.t[i] >= lo && qc->pv.t[i] < hi)
				feed_point(qc, qc->pv.t[i], qc->pv.v[i]);
		}
	}
}

static void feed_range(struct qctx *qc, uint32_t id, int64_t lo, int64_t hi,
    int level, int64_t hw);

/* The prefetched block of (level, period p, id): 1 with *val (NULL when
 * absent) if it was prefetched, else 0. */
static int
prefetched(struct qctx *qc, int level, int64_t p, uint32_t id, const char **val,
    size_t *vlen)
{
	struct prefetch *pf = &qc->pf[level];
	size_t lo = 0, hi, i;

	if (!pf->on || p < pf->p0 ||
	    (p - pf->p0) / pf->period >= (int64_t)pf->np)
		return 0;
	hi = pf->nids;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pf->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == pf->nids || pf->ids[lo] != id)
		return 0;
	i = (size_t)((p - pf->p0) / pf->period) * pf->nids + lo;
	*val = NULL;
	*vlen = 0;
	if (pf->vals[i] != NULL)
		*val = rocksdb_pinnableslice_value(pf->vals[i], vlen);
	return 1;
}

/* Fetch the blocks of tier level over [lo, hi) for all ids at once
 * (nothing pending, not too many). */
static void
prefetch_tier(struct qctx *qc, int level, const uint32_t *ids, size_t n,
    int64_t lo, int64_t hi)
{
	struct prefetch *pf = &qc->pf[level];
	struct store *s = qc->s;
	enum store_cf cf;
	const char **keys;
	size_t *klens, i, j, nk;
	char **errs;
	uint8_t *kb;

	if (n == 0 || rocksdb_writebatch_wi_count(s->pending) != 0)
		return;
	pf->period = level == LEVEL_MINUTE ? STORE_HOUR_MS : STORE_DAY_MS;
	cf = level == LEVEL_MINUTE ? STORE_CF_ROLLUP_M : STORE_CF_ROLLUP_H;
	if (lo >= hi)
		return;
	pf->p0 = lo - lo % pf->period;
	pf->np = (size_t)((hi - 1 - pf->p0) / pf->period + 1);
	if (pf->np > 48 || pf->np * n > 200000)
		return;
	pf->ids = ids;
	pf->nids = n;
	nk = pf->np * n;
	keys = xcalloc(nk, sizeof *keys);
	klens = xcalloc(nk, sizeof *klens);
	errs = xcalloc(nk, sizeof *errs);
	kb = xmalloc(nk * 8);
	pf->vals = xcalloc(nk, sizeof *pf->vals);
	for (i = 0; i < pf->np; i++) {
		for (j = 0; j < n; j++) {
			uint8_t *k = kb + (i * n + j) * 8;

			key_put32(
			    k, (uint32_t)((pf->p0 + (int64_t)i * pf->period) /
			                  pf->period));
			key_put32(k + 4, ids[j]);
			keys[i * n + j] = (const char *)k;
			klens[i * n + j] = 8;
		}
	}
	rocksdb_batched_multi_get_cf(
	    s->db, s->ro, s->cf[cf], nk, keys, klens, pf->vals, errs, 1);
	for (i = 0; i < nk; i++) {
		if (errs[i] != NULL) {
			/* Fall back to single reads for this block. */
			free(errs[i]);
			rocksdb_pinnableslice_destroy(pf->vals[i]);
			pf->vals[i] = NULL;
		}
	}
	pf->on = 1;
	free(keys);
	free(klens);
	free(errs);
	free(kb);
}

static void
prefetch_free(struct qctx *qc)
{
	size_t i, l;

	for (l = 0; l < 3; l++) {
		struct prefetch *pf = &qc->pf[l];

		for (i = 0; pf->vals != NULL && i < pf->np * pf->nids; i++)
			rocksdb_pinnableslice_destroy(pf->vals[i]);
		free(pf->vals);
		memset(pf, 0, sizeof *pf);
	}
}

/* The decoded block of tier level for series id and period p, in
 * qc->blk (the last one is kept).  1 if there is one, 0 if not (a corrupt
 * block is reported and counts as none). */
static int
tier_block(struct qctx *qc, uint32_t id, int level, int64_t p)
{
	struct store *s = qc->s;
	struct rollup_block *rb = &qc->blk;
	enum store_cf cf;
	int64_t period, res;
	unsigned nslots;
	uint8_t k[8];
	const char *val = NULL;
	char *copy = NULL, *err = NULL;
	rocksdb_pinnableslice_t *ps = NULL;
	size_t vlen = 0;
	int ok;

	if (qc->blk_valid && qc->blk_id == id && qc->blk_level == level &&
	    qc->blk_p == p)
		return qc->blk_ok;
	if (level == LEVEL_MINUTE) {
		cf = STORE_CF_ROLLUP_M;
		period = STORE_HOUR_MS;
		res = STORE_MINUTE_MS;
		nslots = 60;
	} else {
		cf = STORE_CF_ROLLUP_H;
		period = STORE_DAY_MS;
		res = STORE_HOUR_MS;
		nslots = 24;
	}
	key_put32(k, (uint32_t)(p / period));
	key_put32(k + 4, id);
	rollup_block_init(rb, p, res, nslots);
	if (prefetched(qc, level, p, id, &val, &vlen))
		;
	else if (rocksdb_writebatch_wi_count(s->pending) == 0) {
		ps = rocksdb_get_pinned_cf(
		    s->db, s->ro, s->cf[cf], (const char *)k, 8, &err);
		if (ps != NULL)
			val = rocksdb_pinnableslice_value(ps, &vlen);
		free(err);
	} else if (store_get(s, cf, k, 8, &copy, &vlen, NULL) == 0)
		val = copy;
	ok = val != NULL && rollup_block_decode(rb, val, vlen) == 0;
	if (val != NULL && !ok) {
		char msg[200];

		snprintf(msg, sizeof msg,
		    "corrupt %s block of series %u at "
		    "%lld skipped",
		    store_cf_name(cf), id, (long long)p);
		store_warn(s, "%s", msg);
		store_result_add_warning(qc->r, msg);
	}
	free(copy);
	rocksdb_pinnableslice_destroy(ps);
	qc->blk_valid = 1;
	qc->blk_id = id;
	qc->blk_level = level;
	qc->blk_p = p;
	qc->blk_ok = ok;
	return ok;
}

/* Buckets of tier level for the current series in [a, b) (aligned to the
 * tier, all before the head window); periods without a block fall back
 * to the next finer level. */
static void
feed_tier(
    struct qctx *qc, uint32_t id, int level, int64_t a, int64_t b, int64_t hw)
{
	int64_t period, res, p;
	unsigned nslots, i;

	period = level == LEVEL_MINUTE ? STORE_HOUR_MS : STORE_DAY_MS;
	res = level == LEVEL_MINUTE ? STORE_MINUTE_MS : STORE_HOUR_MS;
	nslots = level == LEVEL_MINUTE ? 60 : 24;
	for (p = a - a % period; p < b; p += period) {
		int64_t lo = p > a ? p : a,
		        hi = p + period < b ? p + period : b;

		if (!tier_block(qc, id, level, p)) {
			feed_range(qc, id, lo, hi, qc->finer[level], hw);
			continue;
		}
		for (i = 0; i < nslots; i++) {
			int64_t t = p + (int64_t)i * res;

			if (!qc->blk.present[i] || t < lo || t >= hi)
				continue;
			feed_bucket(qc, t, &qc->blk.b[i]);
			qc->r->points_scanned++;
		}
	}
}

/*
 * Whether raw points may lie in [lo, a), a minute boundary: the minute
 * tier knows, for closed windows, whether the minute before a has points
 * and when its last one is.
 */
static int
edge_has_points(struct qctx *qc, uint32_t id, int64_t lo, int64_t a, int64_t hw)
{
	int64_t m = a - STORE_MINUTE_MS, p = window_of(m);
	unsigned slot;

	if (lo >= a || m < 0 || p >= hw || lo < m)
		return lo < a;
	if (!tier_block(qc, id, LEVEL_MINUTE, p))
		return 1;
	slot = (unsigned)((m - p) / STORE_MINUTE_MS);
	return qc->blk.present[slot] && qc->blk.b[slot].last_t >= lo;
}

/* Feed [lo, hi) from level, with the unaligned edges (and what lies in
 * the head window) from finer levels. */
static void
feed_range(
    struct qctx *qc, uint32_t id, int64_t lo, int64_t hi, int level, int64_t hw)
{
	int64_t res, a, b;

	if (lo >= hi)
		return;
	if (level == LEVEL_RAW) {
		feed_raw(qc, id, lo, hi, 0);
		return;
	}
	res = level == LEVEL_HOUR ? STORE_HOUR_MS : STORE_MINUTE_MS;
	a = align_up(lo, res);
	b = floor_div(hi, res) * res;
	if (b > hw)
		b = hw; /* rollups exist only for closed windows */
	if (a >= b) {
		feed_range(qc, id, lo, hi, qc->finer[level], hw);
		return;
	}
	if (level != LEVEL_MINUTE || edge_has_points(qc, id, lo, a, hw))
		feed_range(qc, id, lo, a, qc->finer[level], hw);
	feed_tier(qc, id, level, a, b, hw);
	feed_range(qc, id, b, hi, qc->finer[level], hw);
}

/* Aggregate series id into qc->ob. */
static void
series_buckets(struct qctx *qc, uint32_t id)
{
	struct series *ser = &qc->s->ix.series[id];
	int64_t lo = qc->q->start, hi = qc->q->end, hw = INT64_MAX;

	memset(&qc->racc, 0, sizeof qc->racc);
	if (ser->last_t < 0)
		return;
	if (hi > ser->last_t + 1)
		hi = ser->last_t + 1;
	if (ser->first_t > lo)
		lo = ser->first_t;
	if (lo >= hi)
		return;
	if (ser->open != NULL && ser->open->n > 0)
		hw = window_of(ser->open->first_t);
	feed_range(qc, id, lo, hi, qc->top, hw);
	racc_flush(qc);
}

static double
agg_value(enum store_agg agg, const struct agg *a)
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
	case STORE_AGG_LAST:
	default:
		return a->last;
	}
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Turn the touched buckets of ob into points of sr; clears them. */
static int
take_points(struct qctx *qc, struct agg *ob, size_t *touched, size_t ntouched,
    struct store_series_result *sr, char **cause)
{
	size_t i;

	qsort(touched, ntouched, sizeof *touched, size_cmp);
	if (qc->q->max_points != 0 &&
	    qc->npoints + ntouched > qc->q->max_points) {
		if (cause != NULL)
			*cause = xasprintf(
			    "query returns more than %zu points; "
			    "narrow the selector or the range, or use a larger "
			    "step",
			    qc->q->max_points);
		return -1;
	}
	sr->points = xreallocarray(NULL, ntouched + 1, sizeof *sr->points);
	for (i = 0; i < ntouched; i++) {
		size_t k = touched[i];

		sr->points[i].t = qc->step == 0
		                      ? qc->q->start
		                      : qc->b0 + (int64_t)k * qc->step;
		sr->points[i].v = agg_value(qc->q->agg, &ob[k]);
		memset(&ob[k], 0, sizeof ob[k]);
	}
	sr->npoints = ntouched;
	qc->npoints += ntouched;
	return 0;
}

/* Fill sr's key, metric and tags from a series. */
static void
result_series(
    struct store_series_result *sr, const struct series *ser, uint32_t id)
{
	struct serieskey sk;
	size_t i;

	sr->id = id;
	sr->key = xstrdup(ser->key);
	sr->nseries = 1;
	if (serieskey_parse(ser->key, strlen(ser->key), &sk, NULL) != 0)
		return;
	sr->metric = xstrdup(sk.metric);
	sr->ntags = sk.ntags;
	sr->tags = xcalloc(sk.ntags + 1, sizeof *sr->tags);
	for (i = 0; i < sk.ntags; i++) {
		sr->tags[i].name = xstrdup(sk.tags[i].name);
		sr->tags[i].value = xstrdup(sk.tags[i].value);
	}
	serieskey_free(&sk);
}

static int
query_raw(struct qctx *qc, const uint32_t *ids, size_t n, char **cause)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct series *ser = &qc->s->ix.series[ids[i]];
		struct store_series_result *sr;
		int64_t lo = qc->q->start, hi = qc->q->end;

		if (ser->last_t < 0)
			continue;
		if (hi > ser->last_t + 1)
			hi = ser->last_t + 1;
		if (ser->first_t > lo)
			lo = ser->first_t;
		qc->pv.n = 0;
		feed_raw(qc, ids[i], lo, hi, 1);
		if (qc->pv.n == 0)
			continue;
		if (qc->q->max_points != 0 &&
		    qc->npoints + qc->pv.n > qc->q->max_points) {
			if (cause != NULL)
				*cause = xasprintf(
				    "query returns more than %zu "
				    "points; narrow the selector or the range, "
				    "or aggregate",
				    qc->q->max_points);
			return -1;
		}
		sr = &qc->r->series[qc->r->n++];
		result_series(sr, ser, ids[i]);
		sr->points = xreallocarray(NULL, qc->pv.n, sizeof *sr->points);
		for (j = 0; j < qc->pv.n; j++) {
			sr->points[j].t = qc->pv.t[j];
			sr->points[j].v = qc->pv.v[j];
		}
		sr->npoints = qc->pv.n;
		qc->npoints += qc->pv.n;
	}
	return 0;
}

static int
query_series(struct qctx *qc, const uint32_t *ids, size_t n, char **cause)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct store_series_result *sr;

		qc->ntouched = 0;
		series_buckets(qc, ids[i]);
		if (qc->ntouched == 0)
			continue;
		sr = &qc->r->series[qc->r->n++];
		result_series(sr, &qc->s->ix.series[ids[i]], ids[i]);
		if (take_points(
		        qc, qc->ob, qc->touched, qc->ntouched, sr, cause) != 0)
			return -1;
	}
	return 0;
}

/* ---- groups ---- */

struct gmember {
	char *gkey; /* group key: {k="v",...} */
	uint32_t id;
	size_t order; /* position in key order */
};

static int
gmember_cmp(const void *a, const void *b)
{
	const struct gmember *x = a, *y = b;
	int c = strcmp(x->gkey, y->gkey);

	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
query_groups(struct qctx *qc, const uint32_t *ids, size_t n, char **cause)
{
	struct store *s = qc->s;
	struct gmember *gm = xcalloc(n + 1, sizeof *gm);
	const char **by = xcalloc(qc->q->nby + 1, sizeof *by);
	struct agg *gb = xcalloc(qc->nb, sizeof *gb);
	size_t *gt = xcalloc(qc->nb, sizeof *gt);
	size_t nby = 0, i, j, k, ngt;
	struct buf val = BUF_INIT, key = BUF_INIT;
	int rc = 0;

	/* Sorted, distinct group-by tags. */
	for (i = 0; i < qc->q->nby; i++)
		by[nby++] = qc->q->by[i];
	qsort(by, nby, sizeof *by, str_cmp);
	for (i = 0, j = 0; i < nby; i++) {
		if (j == 0 || strcmp(by[j - 1], by[i]) != 0)
			by[j++] = by[i];
	}
	nby = j;
	for (i = 0; i < n; i++) {
		buf_reset(&key);
		buf_putc(&key, '{');
		for (j = 0, k = 0; j < nby; j++) {
			buf_reset(&val);
			if (index_key_tag(
			        s->ix.series[ids[i]].key, by[j], &val) != 0)
				continue;
			if (k++ > 0)
				buf_putc(&key, ',');
			buf_printf(&key, "%s=\"", by[j]);
			serieskey_escape(&key, buf_str(&val));
			buf_putc(&key, '"');
		}
		buf_putc(&key, '}');
		gm[i].gkey = xstrdup(buf_str(&key));
		gm[i].id = ids[i];
		gm[i].order = i;
	}
	qsort(gm, n, sizeof *gm, gmember_cmp);

	for (i = 0; i < n; i = j) {
		struct store_series_result *sr;
		struct serieskey sk;

		ngt = 0;
		for (j = i; j < n && strcmp(gm[j].gkey, gm[i].gkey) == 0; j++) {
			size_t t;

			qc->ntouched = 0;
			series_buckets(qc, gm[j].id);
			for (t = 0; t < qc->ntouched; t++) {
				size_t b = qc->touched[t];

				if (gb[b].count == 0)
					gt[ngt++] = b;
				agg_fold(&gb[b], &qc->ob[b]);
				memset(&qc->ob[b], 0, sizeof qc->ob[b]);
			}
		}
		if (ngt == 0)
			continue;
		sr = &qc->r->series[qc->r->n++];
		sr->key = xstrdup(gm[i].gkey);
		sr->nseries = j - i;
		/* Parse the group key back as a key of a dummy metric. */
		buf_reset(&key);
		buf_printf(&key, "g%s", gm[i].gkey);
		if (strcmp(gm[i].gkey, "{}") != 0 &&
		    serieskey_parse(key.data, key.len, &sk, NULL) == 0) {
			sr->ntags = sk.ntags;
			sr->tags = xcalloc(sk.ntags + 1, sizeof *sr->tags);
			for (k = 0; k < sk.ntags; k++) {
				sr->tags[k].name = xstrdup(sk.tags[k].name);
				sr->tags[k].value = xstrdup(sk.tags[k].value);
			}
			serieskey_free(&sk);
		}
		if (take_points(qc, gb, gt, ngt, sr, cause) != 0) {
			rc = -1;
			break;
		}
	}
	for (i = 0; i < n; i++)
		free(gm[i].gkey);
	free(gm);
	free(by);
	free(gb);
	free(gt);
	buf_free(&val);
	buf_free(&key);
	return rc;
}

int
store_query_run(struct store *s, const struct store_query *q,
    struct store_result *r, char **cause)
{
	struct qctx qc;
	uint32_t *ids, *byid = NULL;
	size_t n;
	int rc;

	memset(r, 0, sizeof *r);
	if (q->sel == NULL) {
		if (cause != NULL)
			*cause = xstrdup("query: no selector");
		return -1;
	}
	if (q->start > q->end || q->step < 0 || q->agg < STORE_AGG_NONE ||
	    q->agg > STORE_AGG_LAST) {
		if (cause != NULL)
			*cause = xstrdup(q->step < 0 ? "query: negative step"
			                 : q->start > q->end
			                     ? "query: start after end"
			                     : "query: bad aggregation");
		return -1;
	}
	if (q->agg == STORE_AGG_NONE && q->group) {
		if (cause != NULL)
			*cause = xstrdup("query: raw points cannot be grouped; "
			                 "give an aggregation");
		return -1;
	}
	memset(&qc, 0, sizeof qc);
	qc.s = s;
	qc.q = q;
	qc.r = r;
	qc.step = q->agg == STORE_AGG_NONE ? 0 : q->step;
	if (q->agg != STORE_AGG_NONE) {
		if (qc.step == 0) {
			qc.nb = 1;
		} else {
			int64_t b1 = floor_div(q->end - 1, qc.step);

			qc.b0 = floor_div(q->start, qc.step) * qc.step;
			if (q->end > q->start &&
			    b1 - qc.b0 / qc.step + 1 > BUCKETS_MAX) {
				if (cause != NULL)
					*cause = xasprintf(
					    "query: more than %d "
					    "buckets; use a larger step",
					    BUCKETS_MAX);
				return -1;
			}
			qc.nb = q->end > q->start
			            ? (size_t)(b1 - qc.b0 / qc.step + 1)
			            : 1;
		}
		if (qc.step == 0 || qc.step % STORE_HOUR_MS == 0) {
			qc.R = STORE_HOUR_MS;
			qc.top = LEVEL_HOUR;
		} else if (qc.step % STORE_MINUTE_MS == 0) {
			qc.R = STORE_MINUTE_MS;
			qc.top = LEVEL_MINUTE;
		} else {
			qc.R = qc.step;
			qc.top = LEVEL_RAW;
		}
		/* Sums must be partial sums per R; the other aggregates do
		 * not depend on how the range is cut, so they also use finer
		 * tiers at the edges. */
		qc.finer[LEVEL_RAW] = LEVEL_RAW;
		qc.finer[LEVEL_MINUTE] = LEVEL_RAW;
		if (q->agg == STORE_AGG_SUM || q->agg == STORE_AGG_AVG)
			qc.finer[LEVEL_HOUR] = LEVEL_RAW;
		else
			qc.finer[LEVEL_HOUR] = LEVEL_MINUTE;
		qc.ob = xcalloc(qc.nb, sizeof *qc.ob);
		qc.touched = xcalloc(qc.nb, sizeof *qc.touched);
	}
	index_match(&s->ix, q->sel, &ids, &n);
	/* Tier blocks for every series at once, while ids are ascending. */
	if (q->agg != STORE_AGG_NONE && q->start < q->end) {
		byid = xreallocarray(NULL, n + 1, sizeof *byid);
		memcpy(byid, ids, n * sizeof *ids);
		/* The ranges each tier can serve (the head window aside). */
		int64_t ha = align_up(q->start, STORE_HOUR_MS);
		int64_t hb = floor_div(q->end, STORE_HOUR_MS) * STORE_HOUR_MS;
		int64_t ma = align_up(q->start, STORE_MINUTE_MS);
		int64_t mb =
		    floor_div(q->end, STORE_MINUTE_MS) * STORE_MINUTE_MS;

		if (qc.top == LEVEL_HOUR)
			prefetch_tier(&qc, LEVEL_HOUR, byid, n, ha, hb);
		if (qc.top == LEVEL_MINUTE)
			prefetch_tier(&qc, LEVEL_MINUTE, byid, n, ma, mb);
		else if (qc.top == LEVEL_HOUR &&
		         qc.finer[LEVEL_HOUR] == LEVEL_MINUTE) {
			/* Only the partial hours at the edges. */
			if (ha >= hb)
				prefetch_tier(
				    &qc, LEVEL_MINUTE, byid, n, ma, mb);
			else if (hb - ha <= 2 * STORE_HOUR_MS)
				prefetch_tier(&qc, LEVEL_MINUTE, byid, n,
				    ma < ha ? ma : ha, mb > hb ? mb : hb);
		}
	}
	index_sort_by_key(&s->ix, ids, n);
	r->series = xcalloc(n + 1, sizeof *r->series);
	if (q->start == q->end)
		rc = 0;
	else {
		qc.it = store_iter(s, STORE_CF_CHUNKS, 1);
		if (q->agg == STORE_AGG_NONE)
			rc = query_raw(&qc, ids, n, cause);
		else if (q->group)
			rc = query_groups(&qc, ids, n, cause);
		else
			rc = query_series(&qc, ids, n, cause);
		rocksdb_iter_destroy(qc.it);
	}
	prefetch_free(&qc);
	free(byid);
	free(ids);
	free(qc.ob);
	free(qc.touched);
	ptvec_free(&qc.pv);
	if (rc != 0)
		store_result_free(r);
	return rc;
}

int
store_query_raw(struct store *s, const struct selector *sel, int64_t start,
    int64_t end, struct store_result *r, char **cause)
{
	struct store_query q;

	memset(&q, 0, sizeof q);
	q.sel = sel;
	q.start = start;
	q.end = end;
	q.agg = STORE_AGG_NONE;
	return store_query_run(s, &q, r, cause);
}

int
store_query_last(struct store *s, const struct selector *sel, int64_t since,
    struct store_result *r, char **cause)
{
	uint32_t *ids;
	size_t n, i;

	memset(r, 0, sizeof *r);
	index_match(&s->ix, sel, &ids, &n);
	index_sort_by_key(&s->ix, ids, n);
	r->series = xcalloc(n + 1, sizeof *r->series);
	for (i = 0; i < n; i++) {
		const struct series *ser = &s->ix.series[ids[i]];
		struct store_series_result *sr;

		if (ser->last_t < 0 || ser->last_t < since)
			continue;
		sr = &r->series[r->n++];
		result_series(sr, ser, ids[i]);
		sr->points = xmalloc(sizeof *sr->points);
		sr->points[0].t = ser->last_t;
		sr->points[0].v = ser->last_v;
		sr->npoints = 1;
	}
	free(ids);
	return 0;
}
