/*
 * Per-minute rate summaries of a selector's series (store_minutes_*, see
 * store.h): from the rate columns of the minute rollups where a closed
 * hour's block has them, from the raw points otherwise.  Read-only.
 *
 * An hour comes from the rollups only when the rollups are known to hold
 * exactly the hour's raw points: the hour is closed (before the series'
 * open chunk, whose window's rollups are not written yet), its block was
 * written with rate columns (a block is rewritten from all the window's
 * points whenever a late point changes them), and the hour is newer than
 * the raw and minute retentions (with an hour's margin: an hour the raw
 * retention cut has rollups but no raw points, one a shorter minute
 * retention cut the reverse).  The open hour comes from the head's
 * per-minute aggregates (store/headagg.h) when they carry its rate
 * minutes and no closed chunk shares its window.  Every other hour is
 * read raw, through a store_reader over the same range, and summarized
 * point by point.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/headagg.h"
#include "store/query-int.h"

#define MINUTES_BATCH 32

/* Where an hour's minutes come from (store_minutes.raw). */
enum { HOUR_ROLLUP, HOUR_RAW, HOUR_HEAD };

/* A prefetched block (v NULL: none). */
struct minutes_val {
	const char *v;
	size_t len;
};

struct store_minutes {
	struct store *s;
	struct store_reader *rd;
	int64_t start, end, h0; /* minutes [start, end); h0 its first hour */
	size_t nmin, nh;
	struct rate_minute *m; /* the current series' */
	uint8_t *raw;          /* by hour: HOUR_* */
	uint8_t *keys;         /* 8 per hour */
	rocksdb_pinnableslice_t **vals;
	struct rollup_block blk;
	size_t hours_rollup, hours_raw, hours_head;
	size_t hours_bad; /* blocks corrupt or unreadable (read raw) */
	/* Blocks of every hour for every matching series, fetched at open
	 * hour by hour (keys in order, as the native query's prefetch) when
	 * nothing is pending: pf[hour * nids + j] for ids[j] (NULL: none). */
	uint32_t *ids;
	size_t nids;
	rocksdb_pinnableslice_t **pf;
	struct minutes_val *pfv; /* pf's values, taken while hot */
	uint8_t *pf_bad;         /* a read error: the hour is read raw */
	int useful;              /* see store_minutes_useful */
};

/* Report series id's minute block of hour h as unusable (why): its hour
 * is read raw, so the answer stays right, but the block needs a look. */
static void
minutes_bad(struct store_minutes *mr, uint32_t id, int64_t h, const char *why)
{
	mr->hours_bad++;
	store_warn(mr->s,
	    "%s in the rollup_m block of series %u at %lld: hour read raw", why,
	    id, (long long)h);
}

/* The same for a block RocksDB could not read (err, freed). */
static void
minutes_read_error(struct store_minutes *mr, uint32_t id, int64_t h, char *err)
{
	char why[160];

	snprintf(why, sizeof why, "read error (%.120s)",
	    err != NULL ? err : "unknown");
	free(err);
	minutes_bad(mr, id, h, why);
}

/* Series sampled at open to tell whether the rollups have rate columns. */
#define MINUTES_SAMPLE 4

/* The hours of series id to read raw: from its open chunk's window hw on
 * (its rollups are not written yet), and before cut (near or past the raw
 * retention, which drops raw points but keeps rollups, or the minute
 * retention when that is shorter, which does the reverse). */
static void
minutes_raw_bounds(
    const struct store_minutes *mr, uint32_t id, int64_t *hw, int64_t *cut)
{
	const struct store *s = mr->s;
	const struct chunk_enc *c = s->ix.series[id].open;
	int64_t now = clock_wall_ms();

	*hw = c != NULL && c->n > 0 ? window_of(c->first_t) : INT64_MAX;
	*cut = INT64_MIN;
	if (s->opts.retention_raw_ms > 0)
		*cut = now - s->opts.retention_raw_ms + STORE_HOUR_MS;
	/* A minute retention shorter than the raw one drops the blocks of
	 * hours that still have raw points: no block is then no answer. */
	if (s->opts.retention_minute_ms > 0 &&
	    now - s->opts.retention_minute_ms + STORE_HOUR_MS > *cut)
		*cut = now - s->opts.retention_minute_ms + STORE_HOUR_MS;
}

/* Whether the first few series' closed hours mostly have minute blocks
 * with rate columns (gauges' have none: their hours would all be read
 * raw and summarized, which costs more than the windows of raw points). */
static int
minutes_sample(struct store_minutes *mr)
{
	size_t i, j, nrate = 0, nother = 0;
	int64_t hw, cut, h;

	for (j = 0; j < mr->nids && j < MINUTES_SAMPLE; j++) {
		minutes_raw_bounds(mr, mr->ids[j], &hw, &cut);
		for (i = 0; i < mr->nh; i++) {
			uint8_t k[8];
			char *val = NULL;
			size_t vl = 0;

			h = mr->h0 + (int64_t)i * STORE_HOUR_MS;
			if (h >= hw || h < cut)
				continue;
			key_put32(k, (uint32_t)(h / STORE_HOUR_MS));
			key_put32(k + 4, mr->ids[j]);
			if (store_get(mr->s, STORE_CF_ROLLUP_M, k, 8, &val, &vl,
			        NULL) != 0 ||
			    val == NULL)
				continue;
			if (rollup_block_has_rate(val, vl))
				nrate++;
			else
				nother++;
			free(val);
		}
	}
	return nrate > 0 && nrate >= nother;
}

/* Fetch the minute blocks of every hour of the range for every series
 * matching sel, in key order, in RocksDB's batch size (not too many). */
static void
minutes_prefetch(struct store_minutes *mr)
{
	struct store *s = mr->s;
	const char *keys[MINUTES_BATCH];
	size_t klens[MINUTES_BATCH], i, j, nk = 0, o = 0, total;
	char *errs[MINUTES_BATCH];
	uint8_t *kb;

	total = mr->nh * mr->nids;
	if (mr->nids == 0 || total > 200000)
		return;
	mr->pf = xcalloc(total, sizeof *mr->pf);
	mr->pfv = xcalloc(total, sizeof *mr->pfv);
	mr->pf_bad = xcalloc(total, 1);
	kb = xmalloc(MINUTES_BATCH * 8);
	for (i = 0; i < mr->nh; i++) {
		uint32_t hour =
		    (uint32_t)((mr->h0 + (int64_t)i * STORE_HOUR_MS) /
		               STORE_HOUR_MS);

		for (j = 0; j < mr->nids; j++) {
			key_put32(kb + nk * 8, hour);
			key_put32(kb + nk * 8 + 4, mr->ids[j]);
			keys[nk] = (const char *)kb + nk * 8;
			klens[nk++] = 8;
			if (nk < MINUTES_BATCH && o + nk < total)
				continue;
			rocksdb_batched_multi_get_cf(s->db, s->ro,
			    s->cf[STORE_CF_ROLLUP_M], nk, keys, klens,
			    mr->pf + o, errs, 1);
			for (nk = 0; nk < MINUTES_BATCH && o < total;
			     nk++, o++) {
				if (errs[nk] == NULL) {
					if (mr->pf[o] != NULL)
						mr->pfv[o].v =
						    rocksdb_pinnableslice_value(
						        mr->pf[o],
						        &mr->pfv[o].len);
					continue;
				}
				minutes_read_error(mr, mr->ids[o % mr->nids],
				    mr->h0 +
				        (int64_t)(o / mr->nids) * STORE_HOUR_MS,
				    errs[nk]);
				mr->pf_bad[o] = 1;
				if (mr->pf[o] != NULL)
					rocksdb_pinnableslice_destroy(
					    mr->pf[o]);
				mr->pf[o] = NULL;
			}
			nk = 0;
		}
	}
	free(kb);
}

/* The prefetched slot of series id, or -1. */
static ssize_t
minutes_pf_index(const struct store_minutes *mr, uint32_t id)
{
	size_t lo = 0, hi = mr->nids;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (mr->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < mr->nids && mr->ids[lo] == id ? (ssize_t)lo : -1;
}

int
store_minutes_open(struct store *s, const struct selector *sel, int64_t start,
    int64_t end, struct store_minutes **mp, char **cause)
{
	struct store_minutes *mr;

	*mp = NULL;
	if (start < 0 || start % STORE_MINUTE_MS != 0 ||
	    end % STORE_MINUTE_MS != 0 || end <= start) {
		if (cause != NULL)
			*cause = xstrdup("minutes: range not whole minutes");
		return -1;
	}
	mr = xcalloc(1, sizeof *mr);
	if (store_reader_open(s, sel, start, end, &mr->rd, cause) != 0) {
		free(mr);
		return -1;
	}
	mr->s = s;
	mr->start = start;
	mr->end = end;
	mr->nmin = (size_t)((end - start) / STORE_MINUTE_MS);
	mr->h0 = window_of(start);
	mr->nh = (size_t)((end - 1 - mr->h0) / STORE_HOUR_MS + 1);
	mr->m = xcalloc(mr->nmin, sizeof *mr->m);
	mr->raw = xcalloc(mr->nh, 1);
	mr->keys = xcalloc(mr->nh, 8);
	mr->vals = xcalloc(mr->nh, sizeof *mr->vals);
	index_match(&s->ix, sel, &mr->ids, &mr->nids);
	mr->useful = minutes_sample(mr);
	if (mr->useful && rocksdb_writebatch_wi_count(s->pending) == 0)
		minutes_prefetch(mr);
	*mp = mr;
	return 0;
}

/* The minutes of hour h inside the range: mr->m[*lo..*hi) are its slots
 * *off.. . */
static void
minutes_span(const struct store_minutes *mr, int64_t h, size_t *lo, size_t *hi,
    unsigned *off)
{
	int64_t a = h < mr->start ? mr->start : h;
	int64_t b = h + STORE_HOUR_MS > mr->end ? mr->end : h + STORE_HOUR_MS;

	*lo = (size_t)((a - mr->start) / STORE_MINUTE_MS);
	*hi = (size_t)((b - mr->start) / STORE_MINUTE_MS);
	*off = (unsigned)((a - h) / STORE_MINUTE_MS);
}

/* No point in hour h (yet: a raw hour is filled later). */
static void
minutes_clear(struct store_minutes *mr, int64_t h)
{
	size_t lo, hi;
	unsigned off;

	minutes_span(mr, h, &lo, &hi, &off);
	memset(mr->m + lo, 0, (hi - lo) * sizeof *mr->m);
}

/* Hour h's minutes from series id's block val into mr->m; 0, or -1 when
 * the block has no rate columns or they are corrupt (reported): the hour
 * is then read raw. */
static int
minutes_block(struct store_minutes *mr, uint32_t id, int64_t h, const char *val,
    size_t vl)
{
	struct rollup_block *rb = &mr->blk;
	size_t lo, hi;
	unsigned off;
	int rc;

	if (val == NULL) {
		minutes_clear(mr, h);
		return 0; /* no closed point in the hour */
	}
	rollup_block_init(rb, h, STORE_MINUTE_MS, 60);
	minutes_span(mr, h, &lo, &hi, &off);
	/* Whole hours straight into place: the decoder sets every field of
	 * a present minute and the count of the others, so the hour is not
	 * cleared first (a memset of 2.9 KB every series-hour). */
	if (off == 0 && hi - lo == 60) {
		rc = rollup_block_decode_rate(rb, val, vl, mr->m + lo);
		if (rc == 1)
			return 0;
	} else if ((rc = rollup_block_decode_rate(rb, val, vl, rb->rm)) == 1) {
		memcpy(mr->m + lo, rb->rm + off, (hi - lo) * sizeof *mr->m);
		return 0;
	}
	if (rc < 0)
		minutes_bad(mr, id, h, "corrupt rate columns");
	return -1; /* read raw (minutes_raw clears the hour first) */
}

/* Fetch the blocks keys[0..nk) (hours idx[]) and fill their minutes; the
 * hours whose blocks lack rate columns or cannot be read are marked raw.
 * Through the pending writes when there are any. */
static void
minutes_fetch(struct store_minutes *mr, uint32_t id, const char **keys,
    const size_t *klens, const size_t *idx, size_t nk, int pending)
{
	struct store *s = mr->s;
	char *errs[MINUTES_BATCH];
	size_t j, vl;

	if (!pending)
		rocksdb_batched_multi_get_cf(s->db, s->ro,
		    s->cf[STORE_CF_ROLLUP_M], nk, keys, klens, mr->vals, errs,
		    1);
	for (j = 0; j < nk; j++) {
		int64_t hj = mr->h0 + (int64_t)idx[j] * STORE_HOUR_MS;
		const char *v = NULL;
		char *val = NULL;

		vl = 0;
		if (pending) {
			char *cause = NULL;

			if (store_get(s, STORE_CF_ROLLUP_M, keys[j], 8, &val,
			        &vl, &cause) != 0) {
				minutes_read_error(mr, id, hj, cause);
				mr->raw[idx[j]] = HOUR_RAW;
			} else if (minutes_block(mr, id, hj, val, vl) != 0)
				mr->raw[idx[j]] = HOUR_RAW;
			free(val);
			continue;
		}
		if (errs[j] != NULL) {
			minutes_read_error(mr, id, hj, errs[j]);
			mr->raw[idx[j]] = HOUR_RAW;
		} else {
			if (mr->vals[j] != NULL)
				v = rocksdb_pinnableslice_value(
				    mr->vals[j], &vl);
			if (minutes_block(mr, id, hj, v, vl) != 0)
				mr->raw[idx[j]] = HOUR_RAW;
		}
		if (mr->vals[j] != NULL)
			rocksdb_pinnableslice_destroy(mr->vals[j]);
		mr->vals[j] = NULL;
	}
}

/* Hour i of the range, the open chunk's window hw, of series id from the
 * head's per-minute aggregates: 1 if they answered it. */
static int
minutes_head(struct store_minutes *mr, uint32_t id, size_t i, int64_t hw)
{
	const struct series *ser = &mr->s->ix.series[id];
	struct rate_minute *rm;
	size_t lo, hi;
	unsigned off;
	int rc;

	/* A closed chunk in the window: its points are not in them. */
	if (ser->agg == NULL || ser->open == NULL || ser->open->n == 0 ||
	    ser->closed_max_t >= hw)
		return 0;
	minutes_span(mr, mr->h0 + (int64_t)i * STORE_HOUR_MS, &lo, &hi, &off);
	rm = off == 0 && hi - lo == 60 ? mr->m + lo : mr->blk.rm;
	rc = headagg_rate(
	    ser->agg, hw, ser->open->last_t, ser->open->last_v, rm);
	if (rc < 0)
		store_warn(mr->s,
		    "corrupt minute aggregates of series %u: hour read raw",
		    id);
	if (rc != 1)
		return 0;
	if (rm != mr->m + lo)
		memcpy(mr->m + lo, rm + off, (hi - lo) * sizeof *mr->m);
	return 1;
}

/* Fill the hours of series id that the rollups or the head answer; mark
 * the others raw.  1 if any hour is raw. */
static int
minutes_rollups(struct store_minutes *mr, uint32_t id)
{
	struct store *s = mr->s;
	int64_t hw, cut, h;
	size_t i, nk = 0, idx[MINUTES_BATCH];
	ssize_t j;
	const char *keys[MINUTES_BATCH];
	size_t klens[MINUTES_BATCH];
	int pending = rocksdb_writebatch_wi_count(s->pending) != 0, anyraw = 0;

	minutes_raw_bounds(mr, id, &hw, &cut);
	for (i = 0; i < mr->nh; i++) {
		h = mr->h0 + (int64_t)i * STORE_HOUR_MS;
		mr->raw[i] = h >= hw || h < cut ? HOUR_RAW : HOUR_ROLLUP;
		if (h == hw && h >= cut && minutes_head(mr, id, i, hw))
			mr->raw[i] = HOUR_HEAD;
	}
	if (mr->pf != NULL && (j = minutes_pf_index(mr, id)) >= 0) {
		/* The next series' blocks lie cold in the block cache: start
		 * loading them while this one is decoded (their rate columns
		 * are at the end, after the block they wrap: all of it, up to
		 * 1 KiB). */
		for (i = 0; (size_t)j + 1 < mr->nids && i < mr->nh; i++) {
			const struct minutes_val *pv =
			    &mr->pfv[i * mr->nids + (size_t)j + 1];
			size_t o;

			if (pv->v == NULL)
				continue;
			for (o = 0; o < pv->len && o < 1024; o += 64)
				__builtin_prefetch(pv->v + o);
			__builtin_prefetch(pv->v + pv->len - 1);
		}
		for (i = 0; i < mr->nh; i++) {
			const struct minutes_val *pv =
			    &mr->pfv[i * mr->nids + (size_t)j];

			if (mr->raw[i])
				continue;
			h = mr->h0 + (int64_t)i * STORE_HOUR_MS;
			if (mr->pf_bad[i * mr->nids + j] ||
			    minutes_block(mr, id, h, pv->v, pv->len) != 0)
				mr->raw[i] = HOUR_RAW;
		}
		goto count;
	}
	for (i = 0; i < mr->nh; i++) {
		if (!mr->raw[i]) {
			h = mr->h0 + (int64_t)i * STORE_HOUR_MS;
			key_put32(
			    mr->keys + i * 8, (uint32_t)(h / STORE_HOUR_MS));
			key_put32(mr->keys + i * 8 + 4, id);
			keys[nk] = (const char *)mr->keys + i * 8;
			klens[nk] = 8;
			idx[nk++] = i;
		}
		if (nk == 0 || (nk < MINUTES_BATCH && i + 1 < mr->nh))
			continue;
		minutes_fetch(mr, id, keys, klens, idx, nk, pending);
		nk = 0;
	}
count:
	for (i = 0; i < mr->nh; i++) {
		if (mr->raw[i] == HOUR_RAW)
			mr->hours_raw++, anyraw = 1;
		else if (mr->raw[i] == HOUR_HEAD)
			mr->hours_head++;
		else
			mr->hours_rollup++;
	}
	return anyraw;
}

/* The first hour at or after index i that is read raw (nh: none). */
static size_t
minutes_next_raw(const struct store_minutes *mr, size_t i)
{
	while (i < mr->nh && mr->raw[i] != HOUR_RAW)
		i++;
	return i;
}

/* Summarize the raw hours of the current series from its points. */
static int
minutes_raw(struct store_minutes *mr)
{
	const int64_t *t;
	const double *v;
	size_t n, k, h = minutes_next_raw(mr, 0);
	int rc;

	if (h == mr->nh)
		return 0;
	/* From no point on: not from the previous series' minutes (an hour
	 * whose block could not be read) nor a corrupt block's partial
	 * decode. */
	for (k = h; k < mr->nh; k++)
		if (mr->raw[k] == HOUR_RAW)
			minutes_clear(mr, mr->h0 + (int64_t)k * STORE_HOUR_MS);
	store_reader_skip(mr->rd, mr->h0 + (int64_t)h * STORE_HOUR_MS);
	while ((rc = store_reader_next(mr->rd, &t, &v, &n)) == 1) {
		/* A batch is one chunk: all its points lie in one hour. */
		size_t hi =
		    (size_t)((window_of(t[0]) - mr->h0) / STORE_HOUR_MS);

		if (hi < mr->nh && mr->raw[hi] == HOUR_RAW) {
			for (k = 0; k < n; k++) {
				if (t[k] < mr->start || t[k] >= mr->end)
					continue;
				rate_minute_point(&mr->m[(t[k] - mr->start) /
				                         STORE_MINUTE_MS],
				    t[k], v[k]);
			}
			continue;
		}
		h = minutes_next_raw(mr, hi + 1);
		if (h == mr->nh)
			break;
		store_reader_skip(mr->rd, mr->h0 + (int64_t)h * STORE_HOUR_MS);
	}
	return rc < 0 ? -1 : 0;
}

int
store_minutes_next(struct store_minutes *mr,
    const struct store_series_result **sr, const struct rate_minute **m)
{
	int rc = store_reader_series(mr->rd, sr);

	if (rc != 1)
		return rc;
	if (minutes_rollups(mr, (*sr)->id) && minutes_raw(mr) != 0)
		return -1;
	*m = mr->m;
	return 1;
}

int
store_minutes_useful(const struct store_minutes *mr)
{
	return mr->useful;
}

void
store_minutes_counts(
    const struct store_minutes *mr, size_t *rollup_hours, size_t *raw_hours)
{
	*rollup_hours = mr->hours_rollup;
	*raw_hours = mr->hours_raw;
}

size_t
store_minutes_head(const struct store_minutes *mr)
{
	return mr->hours_head;
}

size_t
store_minutes_bad(const struct store_minutes *mr)
{
	return mr->hours_bad;
}

int
store_minutes_partial(const struct store_minutes *mr)
{
	return store_reader_partial(mr->rd);
}

void
store_minutes_close(struct store_minutes *mr)
{
	size_t i;

	if (mr == NULL)
		return;
	store_reader_close(mr->rd);
	for (i = 0; mr->pf != NULL && i < mr->nh * mr->nids; i++)
		if (mr->pf[i] != NULL)
			rocksdb_pinnableslice_destroy(mr->pf[i]);
	free(mr->pf);
	free(mr->pfv);
	free(mr->pf_bad);
	free(mr->ids);
	free(mr->m);
	free(mr->raw);
	free(mr->keys);
	free(mr->vals);
	free(mr);
}
