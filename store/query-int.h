/*
 * Query internals shared by store/query.c (planning, results) and
 * store/query-feed.c (reading points and rollup buckets into per-series
 * buckets).
 */
#ifndef CB_STORE_QUERY_INT_H
#define CB_STORE_QUERY_INT_H

#include <rocksdb/c.h>
#include <stdint.h>

#include "store/agg.h"
#include "store/chunk.h"
#include "store/rollup.h"
#include "store/store-int.h"

/* Where points come from: raw chunks and head, or a rollup tier. */
#define LEVEL_RAW    0
#define LEVEL_MINUTE 1
#define LEVEL_HOUR   2

static inline int64_t
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
	/* The current series' open window, and whether its minutes are
	 * served from the head's per-minute aggregates. */
	int64_t hw;
	int hagg;
	/* Min/max: raw edges of the current series put off until the rest
	 * is known, with the aggregate of the whole minute around each;
	 * most turn out not to matter and are never read. */
	struct qedge {
		int64_t lo, hi, m;
		int late;
		struct agg whole;
	} edges[4];
	size_t nedges;
};

/* Raw points of series id in [lo, hi): appended to qc->pv (raw) or fed
 * into the current series' buckets. */
void query_feed_raw(
    struct qctx *qc, uint32_t id, int64_t lo, int64_t hi, int raw);
/* Aggregate series id into qc->ob (touched buckets in qc->touched). */
void query_feed_series(struct qctx *qc, uint32_t id);
/* Fetch the blocks of a tier over [lo, hi) for all ids (ascending) at
 * once; query_prefetch_free releases them. */
void query_prefetch(struct qctx *qc, int level, const uint32_t *ids, size_t n,
    int64_t lo, int64_t hi);
void query_prefetch_free(struct qctx *qc);

/* Fill sr's id, key, metric and tags from series ser (heap copies, freed
 * with the result). */
void query_result_series(
    struct store_series_result *sr, const struct series *ser, uint32_t id);
/* Free what sr holds and zero it. */
void query_result_series_clear(struct store_series_result *sr);

#endif
