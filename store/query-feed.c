/*
 * Query feeding: the points of one series over a range, from the head,
 * the closed chunks and the rollup tiers, into its buckets.  A tier is
 * read only where it holds exactly the partial aggregates the raw points
 * would give (see store.h, struct store_query).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/headagg.h"
#include "store/query-int.h"

/* Keys per MultiGet call (RocksDB's MultiGetContext::MAX_BATCH_SIZE). */
#define MULTIGET_BATCH 32

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
void
query_feed_raw(struct qctx *qc, uint32_t id, int64_t lo, int64_t hi, int raw)
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

/* A rollup block of series id at period p could not be read: warn, and
 * mark the answer partial. */
static void
query_read_error(
    struct qctx *qc, enum store_cf cf, uint32_t id, int64_t p, const char *err)
{
	char msg[300];

	snprintf(msg, sizeof msg,
	    "reading the %s block of series %u at %lld: %.200s",
	    store_cf_name(cf), id, (long long)p, err);
	store_warn(qc->s, "%s", msg);
	store_result_add_warning(qc->r, msg);
}

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
void
query_prefetch(struct qctx *qc, int level, const uint32_t *ids, size_t n,
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
	/* In RocksDB's own batch size: larger calls grow vectors on the
	 * heap (and fault in fresh pages) for nothing. */
	for (i = 0; i < nk; i += MULTIGET_BATCH) {
		size_t m = nk - i < MULTIGET_BATCH ? nk - i : MULTIGET_BATCH;

		rocksdb_batched_multi_get_cf(s->db, s->ro, s->cf[cf], m,
		    keys + i, klens + i, pf->vals + i, errs + i, 1);
	}
	for (i = 0; i < nk; i++) {
		if (errs[i] != NULL) {
			/* The block is there but unreadable: the answer
			 * lacks it (it counts as absent). */
			query_read_error(qc, cf, ids[i % n],
			    pf->p0 + (int64_t)(i / n) * pf->period, errs[i]);
			free(errs[i]);
			rocksdb_pinnableslice_destroy(pf->vals[i]);
			pf->vals[i] = NULL;
		} else if (pf->vals[i] != NULL) {
			/* The values lie untouched in the block cache:
			 * start loading them all now rather than one
			 * cache miss at a time while decoding. */
			size_t vl;
			const char *v =
			    rocksdb_pinnableslice_value(pf->vals[i], &vl);

			if (v != NULL) {
				__builtin_prefetch(v);
				if (vl > 64)
					__builtin_prefetch(v + 64);
			}
		}
	}
	pf->on = 1;
	free(keys);
	free(klens);
	free(errs);
	free(kb);
}

void
query_prefetch_free(struct qctx *qc)
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

/* The columns of a rollup bucket that aggregation agg reads (min and max
 * queries compare whole minutes' min or max at the edges). */
static unsigned
agg_cols(enum store_agg agg)
{
	switch (agg) {
	case STORE_AGG_AVG:
	case STORE_AGG_SUM:
		return ROLLUP_COL_SUM;
	case STORE_AGG_COUNT:
		return 0;
	case STORE_AGG_LAST:
		return ROLLUP_COL_LAST;
	case STORE_AGG_MIN:
		return ROLLUP_COL_MIN;
	case STORE_AGG_MAX:
		return ROLLUP_COL_MAX;
	default:
		return ROLLUP_COL_ALL;
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
	if (level == LEVEL_MINUTE && qc->hagg && p == qc->hw) {
		/* The open window: the head's own minutes. */
		struct series *ser = &s->ix.series[id];

		ok = headagg_block(ser->agg, ser->open->last_t,
		         ser->open->last_v, rb, agg_cols(qc->q->agg)) == 0;
		if (!ok) {
			rollup_block_init(rb, p, res, nslots);
			qc->hagg = 0; /* raw points then */
			store_warn(
			    s, "corrupt minute aggregates of series %u", id);
		}
		goto done;
	}
	if (prefetched(qc, level, p, id, &val, &vlen))
		;
	else if (rocksdb_writebatch_wi_count(s->pending) == 0) {
		ps = rocksdb_get_pinned_cf(
		    s->db, s->ro, s->cf[cf], (const char *)k, 8, &err);
		if (ps != NULL)
			val = rocksdb_pinnableslice_value(ps, &vlen);
	} else if (store_get(s, cf, k, 8, &copy, &vlen, &err) == 0)
		val = copy;
	if (err != NULL) {
		/* The block is there but unreadable: the answer lacks it. */
		query_read_error(qc, cf, id, p, err);
		free(err);
	}
	ok = val != NULL &&
	     rollup_block_decode_cols(rb, val, vlen, agg_cols(qc->q->agg)) == 0;
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
done:
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
			if (level == LEVEL_MINUTE && qc->hagg && p == qc->hw)
				qc->s->st.head_minutes_read++;
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

	if (lo >= a || m < 0 || p > hw || (p == hw && !qc->hagg) || lo < m)
		return lo < a;
	if (!tier_block(qc, id, LEVEL_MINUTE, p))
		return 1;
	slot = (unsigned)((m - p) / STORE_MINUTE_MS);
	return qc->blk.present[slot] && qc->blk.b[slot].last_t >= lo;
}

/*
 * The tail [lo, hi) of the minute starting at m (lo <= m, or the whole
 * range inside that minute): when the minute tier (or the head's minutes)
 * shows that every point of the minute lies inside [lo, hi) or that it
 * has none, feed its bucket and return 1; else 0 (read the raw points).
 */
static int
edge_in_bucket(struct qctx *qc, uint32_t id, int64_t lo, int64_t hi, int64_t m)
{
	int64_t p = window_of(m);
	unsigned slot = (unsigned)((m - p) / STORE_MINUTE_MS);

	if (lo > m || !tier_block(qc, id, LEVEL_MINUTE, p))
		return 0;
	if (!qc->blk.present[slot])
		return 1;
	if (qc->blk.b[slot].last_t >= hi)
		return 0;
	feed_bucket(qc, m, &qc->blk.b[slot]);
	qc->r->points_scanned++;
	if (qc->hagg && p == qc->hw)
		qc->s->st.head_minutes_read++;
	return 1;
}

/*
 * Put off reading the raw points of [lo, hi), a part of the minute at m
 * (late: the end of the range, else its start), for a min or max query
 * whose minute tier (or head) has that minute: 1 if put off.
 */
static int
edge_defer(
    struct qctx *qc, uint32_t id, int64_t lo, int64_t hi, int64_t m, int late)
{
	int64_t p = window_of(m);
	unsigned slot = (unsigned)((m - p) / STORE_MINUTE_MS);
	struct qedge *e;

	if ((qc->q->agg != STORE_AGG_MIN && qc->q->agg != STORE_AGG_MAX) ||
	    qc->nedges == sizeof qc->edges / sizeof qc->edges[0] ||
	    !tier_block(qc, id, LEVEL_MINUTE, p) || !qc->blk.present[slot])
		return 0;
	e = &qc->edges[qc->nedges++];
	e->lo = lo;
	e->hi = hi;
	e->m = m;
	e->late = late;
	e->whole = qc->blk.b[slot];
	return 1;
}

/* Whether points of the edge (a part of whole) cannot change the min or
 * max of rest, which they precede (or follow, when late): they are no
 * larger (smaller), and equal values are bit-identical or lose the tie
 * (ties keep the earliest, and only zeros differ in bits). */
static int
edge_moot(enum store_agg agg, const struct agg *rest, const struct agg *whole,
    int late)
{
	double r = agg == STORE_AGG_MAX ? rest->max : rest->min;
	double w = agg == STORE_AGG_MAX ? whole->max : whole->min;

	if (rest->count == 0 || isnan(r) || isnan(w))
		return 0;
	if (agg == STORE_AGG_MAX ? w < r : w > r)
		return 1;
	return w == r && (late || r != 0);
}

/* Settle the edges put off for the current series, the latest first, so
 * that each sees everything after it. */
static void
edges_settle(struct qctx *qc, uint32_t id)
{
	while (qc->nedges > 0) {
		struct qedge *e = &qc->edges[--qc->nedges];
		size_t i = out_index(qc, e->lo), nt = qc->ntouched;
		struct agg rest = qc->ob[i], ed;

		if (edge_moot(qc->q->agg, &rest, &e->whole, e->late)) {
			qc->s->st.edges_skipped++;
			continue;
		}
		/* Aggregate the edge alone, then fold in time order. */
		memset(&qc->ob[i], 0, sizeof qc->ob[i]);
		memset(&qc->racc, 0, sizeof qc->racc);
		query_feed_raw(qc, id, e->lo, e->hi, 0);
		racc_flush(qc);
		if (rest.count == 0)
			continue;
		qc->ntouched = nt; /* i was touched already */
		ed = qc->ob[i];
		if (e->late) {
			agg_fold(&rest, &ed);
			qc->ob[i] = rest;
		} else {
			agg_fold(&ed, &rest);
			qc->ob[i] = ed;
		}
	}
}

/* Feed [lo, hi) from level, with the unaligned edges (and what lies in
 * the head window) from finer levels. */
static void
feed_range(
    struct qctx *qc, uint32_t id, int64_t lo, int64_t hi, int level, int64_t hw)
{
	int64_t res, a, b, lim;

	if (lo >= hi)
		return;
	if (level == LEVEL_RAW) {
		query_feed_raw(qc, id, lo, hi, 0);
		return;
	}
	res = level == LEVEL_HOUR ? STORE_HOUR_MS : STORE_MINUTE_MS;
	a = align_up(lo, res);
	b = floor_div(hi, res) * res;
	/* Rollups exist only for closed windows; the head keeps minutes of
	 * the open one. */
	lim = level == LEVEL_MINUTE && qc->hagg ? hw + STORE_WINDOW_MS : hw;
	if (b > lim)
		b = lim;
	if (a >= b) {
		/* No whole bucket; a minute edge or two may still be. */
		if (level == LEVEL_MINUTE && lo <= a && a < hi && a < lim) {
			if (edge_has_points(qc, id, lo, a, hw) &&
			    !edge_defer(qc, id, lo, a, a - STORE_MINUTE_MS, 0))
				feed_range(qc, id, lo, a, qc->finer[level], hw);
			if (!edge_in_bucket(qc, id, a, hi, a) &&
			    !edge_defer(qc, id, a, hi, a, 1))
				feed_range(qc, id, a, hi, qc->finer[level], hw);
			return;
		}
		feed_range(qc, id, lo, hi, qc->finer[level], hw);
		return;
	}
	if (level != LEVEL_MINUTE ||
	    (edge_has_points(qc, id, lo, a, hw) &&
	        !edge_defer(qc, id, lo, a, a - STORE_MINUTE_MS, 0)))
		feed_range(qc, id, lo, a, qc->finer[level], hw);
	feed_tier(qc, id, level, a, b, hw);
	if (b < hi && level == LEVEL_MINUTE && b < lim &&
	    (edge_in_bucket(qc, id, b, hi, b) ||
	        edge_defer(qc, id, b, hi, b, 1)))
		return;
	feed_range(qc, id, b, hi, qc->finer[level], hw);
}

/* Aggregate series id into qc->ob. */
void
query_feed_series(struct qctx *qc, uint32_t id)
{
	struct series *ser = &qc->s->ix.series[id];
	int64_t lo = qc->q->start, hi = qc->q->end, hw = INT64_MAX;

	memset(&qc->racc, 0, sizeof qc->racc);
	qc->nedges = 0;
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
	/* The head's minutes stand for the open window when no closed chunk
	 * shares it. */
	qc->hw = hw;
	qc->hagg = hw != INT64_MAX && ser->agg != NULL &&
	           ser->agg->cur_start >= 0 && ser->closed_max_t < hw;
	feed_range(qc, id, lo, hi, qc->top, hw);
	racc_flush(qc);
	edges_settle(qc, id);
}
