/*
 * Streaming raw reads (store_reader_*, see store.h): the points of one
 * series after another in id order, a chunk at a time, from the closed
 * chunks and the open chunk.  Read-only.
 *
 * Chunk keys are [hour][id][offset], so the next series' chunks of an hour
 * are usually a few keys after the current one's: each window (hour) read
 * keeps its own iterator, which moves forward to the next series' chunks
 * by at most READER_WALK steps of Next before it falls back to a seek (a
 * seek costs as much as a few dozen Next within a block).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/query-int.h"

/* Iterators kept: one per window of the range, at most this many (then
 * one per window modulo this; each pins a data block of 16 KiB). */
#define READER_ITERS_MAX 256
/* Next steps tried before a seek. */
#define READER_WALK 16

/* An iterator and what is known of the keys before its position: none
 * in [lo, here) (lo_strict: in (lo..., here), lo being the 8-byte prefix
 * of a key passed over, so every 12-byte key with that prefix too). */
struct reader_iter {
	rocksdb_iterator_t *it;
	int64_t w; /* the window it was last positioned in (-1: none) */
	uint8_t lo[8];
	int lo_strict;
};

struct store_reader {
	struct store *s;
	int64_t start, end;
	uint32_t *ids; /* matching series, ascending */
	size_t n, next;
	rocksdb_readoptions_t *ro; /* total order: Next crosses series */
	struct reader_iter *its;   /* by window modulo nits */
	size_t nits;
	struct reader_iter *ri;         /* the current window's */
	rocksdb_iterator_t *it;         /* ri->it */
	struct store_series_result cur; /* the current series' labels */
	/* The current series: id, range [lo, hi), the window w being read
	 * and the open chunk's window hw (INT64_MAX: none). */
	uint32_t id;
	int64_t lo, hi, w, hw;
	int in_window;  /* the iterator walks window w's closed chunks */
	int head_done;  /* the open chunk was read */
	int64_t prev_t; /* newest point decoded (returned or not) */
	struct ptvec pv;
	uint8_t key[8]; /* [hour][id] of window w */
	struct buf tmp; /* the open chunk, serialized */
	size_t points;
	int partial;
};

int
store_reader_open(struct store *s, const struct selector *sel, int64_t start,
    int64_t end, struct store_reader **rdp, char **cause)
{
	struct store_reader *rd;
	size_t i;

	store_apply_wait(s);
	*rdp = NULL;
	if (sel == NULL || start > end) {
		if (cause != NULL)
			*cause = xstrdup(sel == NULL ? "read: no selector"
			                             : "read: start after end");
		return -1;
	}
	rd = xcalloc(1, sizeof *rd);
	rd->s = s;
	rd->start = start < 0 ? 0 : start;
	rd->end = end;
	/* Windows of [start, end]: up to two more than whole hours. */
	rd->nits = end < rd->start
	               ? 1
	               : (uint64_t)(end - rd->start) / STORE_WINDOW_MS + 2;
	if (rd->nits > READER_ITERS_MAX)
		rd->nits = READER_ITERS_MAX;
	rd->its = xcalloc(rd->nits, sizeof *rd->its);
	for (i = 0; i < rd->nits; i++)
		rd->its[i].w = -1;
	index_match(&s->ix, sel, &rd->ids, &rd->n);
	buf_init(&rd->tmp);
	*rdp = rd;
	return 0;
}

int
store_reader_series(
    struct store_reader *rd, const struct store_series_result **srp)
{
	while (rd->next < rd->n) {
		uint32_t id = rd->ids[rd->next++];
		const struct series *ser = &rd->s->ix.series[id];
		const struct chunk_enc *c = ser->open;
		int64_t lo = rd->start, hi = rd->end;

		if (ser->last_t < 0)
			continue;
		if (hi > ser->last_t + 1)
			hi = ser->last_t + 1;
		if (lo < ser->first_t)
			lo = ser->first_t;
		if (lo >= hi)
			continue;
		query_result_series_clear(&rd->cur);
		query_result_series(&rd->cur, ser, id);
		rd->id = id;
		rd->lo = lo;
		rd->hi = hi;
		rd->w = window_of(lo);
		rd->hw =
		    c != NULL && c->n > 0 ? window_of(c->first_t) : INT64_MAX;
		rd->in_window = 0;
		rd->head_done = 0;
		rd->prev_t = -1;
		*srp = &rd->cur;
		return 1;
	}
	return 0;
}

void
store_reader_skip(struct store_reader *rd, int64_t t)
{
	if (t <= rd->lo)
		return;
	rd->lo = t;
	if (window_of(t) > rd->w) {
		rd->w = window_of(t);
		rd->in_window = 0;
		rd->head_done = 0;
	}
}

/* A chunk of the current series could not be read: warn and count. */
static void
reader_warn(struct store_reader *rd, const char *what, int64_t at)
{
	struct store *s = rd->s;

	s->st.corrupt_chunks++;
	rd->partial = 1;
	store_warn(s, "%s: series %u (%.120s) at %lld", what, rd->id,
	    s->ix.series[rd->id].key, (long long)at);
}

/* Decode the closed chunk under the iterator into rd->pv; 0, or -1 when
 * it is corrupt (skipped). */
static int
reader_chunk(struct store_reader *rd, const char *key, size_t kl)
{
	const char *val;
	size_t vl;
	int64_t first;
	uint32_t n;

	val = rocksdb_iter_value(rd->it, &vl);
	rd->pv.n = 0;
	if (kl != 12 || chunk_header(val, vl, &n, &first) != 0 ||
	    first != rd->w + key_get32((const uint8_t *)key + 8) ||
	    chunk_decode_until(val, vl, rd->hi, &rd->pv) != 0)
		goto corrupt;
	/* Points stay inside the window and after the previous chunk's; a
	 * chunk decodes to strictly increasing times (chunk_decode_until
	 * rejects any other), so its first and last point tell. */
	if (rd->pv.n > 0 &&
	    (rd->pv.t[0] <= rd->prev_t ||
	        rd->pv.t[rd->pv.n - 1] >= rd->w + STORE_WINDOW_MS))
		goto corrupt;
	return 0;
corrupt:
	rd->pv.n = 0;
	reader_warn(rd, "corrupt chunk skipped", rd->w);
	return -1;
}

/* The next batch of window w's closed chunks into rd->pv: 1, or 0 when
 * the window has no more. */
static int
reader_closed(struct store_reader *rd)
{
	char *err = NULL;

	while (rocksdb_iter_valid(rd->it)) {
		const char *key;
		size_t kl;
		int ok;

		key = rocksdb_iter_key(rd->it, &kl);
		if (kl < 8 || memcmp(key, rd->key, 8) != 0)
			break;
		if (kl == 12 &&
		    rd->w + key_get32((const uint8_t *)key + 8) >= rd->hi)
			break;
		ok = reader_chunk(rd, key, kl) == 0;
		memcpy(rd->ri->lo, key, 8);
		rd->ri->lo_strict = 1;
		rocksdb_iter_next(rd->it);
		if (ok && rd->pv.n > 0)
			return 1;
	}
	rocksdb_iter_get_error(rd->it, &err);
	if (err != NULL) {
		reader_warn(rd, err, rd->w);
		free(err);
	}
	return 0;
}

/* The open chunk into rd->pv: 1 if it has points before hi. */
static int
reader_head(struct store_reader *rd)
{
	const struct chunk_enc *c = rd->s->ix.series[rd->id].open;
	size_t len = chunk_enc_size(c), i, j = 0;

	buf_reset(&rd->tmp);
	buf_reserve(&rd->tmp, len);
	chunk_enc_serialize(c, (uint8_t *)rd->tmp.data);
	rd->pv.n = 0;
	(void)chunk_decode_until(rd->tmp.data, len, rd->hi, &rd->pv);
	/* Keep the points after the closed chunks' (always, when sound). */
	for (i = 0; i < rd->pv.n; i++) {
		if (rd->pv.t[i] > (j > 0 ? rd->pv.t[j - 1] : rd->prev_t)) {
			rd->pv.t[j] = rd->pv.t[i];
			rd->pv.v[j] = rd->pv.v[i];
			j++;
		}
	}
	rd->pv.n = j;
	return j > 0;
}

/* Whether ri's position is where a seek to target would land, given
 * that no key lies in [ri->lo, here): 1 once target is past lo. */
static int
reader_lands(const struct reader_iter *ri, const uint8_t *target)
{
	int c = memcmp(ri->lo, target, 8);

	return ri->lo_strict ? c < 0 : c <= 0;
}

/* Position window rd->w's iterator at the first key at or after rd->key:
 * forward from where it is when that is shortly before, else a seek. */
static void
reader_position(struct reader_iter *ri, struct store_reader *rd)
{
	const char *k;
	size_t kl, i;

	if (ri->w == rd->w && reader_lands(ri, rd->key)) {
		for (i = 0; i <= READER_WALK; i++) {
			if (!rocksdb_iter_valid(ri->it))
				break;
			k = rocksdb_iter_key(ri->it, &kl);
			if (kl < 8)
				break;
			if (memcmp(k, rd->key, 8) >= 0)
				return;
			if (i == READER_WALK)
				break;
			/* Passed over: no key before the next one either. */
			memcpy(ri->lo, k, 8);
			ri->lo_strict = 1;
			rocksdb_iter_next(ri->it);
		}
	}
	ri->w = rd->w;
	memcpy(ri->lo, rd->key, 8);
	ri->lo_strict = 0;
	rocksdb_iter_seek(ri->it, (const char *)rd->key, 8);
}

/* The iterator of window rd->w, positioned at the current series' first
 * chunk key of it. */
static void
reader_seek(struct store_reader *rd)
{
	struct reader_iter *ri =
	    &rd->its[(size_t)(rd->w / STORE_WINDOW_MS) % rd->nits];

	if (ri->it == NULL) {
		struct store *s = rd->s;
		rocksdb_iterator_t *base;

		if (rd->ro == NULL) {
			rd->ro = rocksdb_readoptions_create();
			rocksdb_readoptions_set_total_order_seek(rd->ro, 1);
		}
		base = rocksdb_create_iterator_cf(
		    s->db, rd->ro, s->cf[STORE_CF_CHUNKS]);
		ri->it =
		    rocksdb_writebatch_wi_count(s->pending) == 0
		        ? base
		        : rocksdb_writebatch_wi_create_iterator_with_base_cf(
		              s->pending, base, s->cf[STORE_CF_CHUNKS]);
		ri->w = -1;
	}
	key_put32(rd->key, (uint32_t)(rd->w / STORE_HOUR_MS));
	key_put32(rd->key + 4, rd->id);
	reader_position(ri, rd);
	rd->ri = ri;
	rd->it = ri->it;
}

/* The next decoded batch of the current series into rd->pv (unfiltered
 * by lo): 1, or 0 when the series has no more. */
static int
reader_batch(struct store_reader *rd)
{
	const struct series *ser = &rd->s->ix.series[rd->id];

	for (; rd->w < rd->hi && rd->w <= rd->hw; rd->w += STORE_WINDOW_MS) {
		if (!rd->in_window && !rd->head_done) {
			rd->in_window = 1;
			if (ser->closed_max_t >= rd->w)
				reader_seek(rd);
			else
				rd->in_window = 2; /* nothing closed */
		}
		if (rd->in_window == 1 && reader_closed(rd))
			return 1;
		rd->in_window = 2;
		if (rd->w == rd->hw && !rd->head_done) {
			rd->head_done = 1;
			if (reader_head(rd))
				return 1;
		}
		rd->in_window = 0;
		rd->head_done = 0;
	}
	return 0;
}

int
store_reader_next(
    struct store_reader *rd, const int64_t **t, const double **v, size_t *n)
{
	while (reader_batch(rd)) {
		size_t a = 0, b = rd->pv.n;

		rd->prev_t = rd->pv.t[b - 1];
		/* Points before lo: only in the first batches. */
		if (rd->pv.t[0] < rd->lo) {
			size_t hi = b;

			while (a < hi) {
				size_t mid = (a + hi) / 2;

				if (rd->pv.t[mid] < rd->lo)
					a = mid + 1;
				else
					hi = mid;
			}
		}
		if (a == b)
			continue;
		*t = rd->pv.t + a;
		*v = rd->pv.v + a;
		*n = b - a;
		rd->points += b - a;
		return 1;
	}
	return 0;
}

size_t
store_reader_points(const struct store_reader *rd)
{
	return rd->points;
}

int
store_reader_partial(const struct store_reader *rd)
{
	return rd->partial;
}

void
store_reader_close(struct store_reader *rd)
{
	size_t i;

	if (rd == NULL)
		return;
	for (i = 0; i < rd->nits; i++)
		if (rd->its[i].it != NULL)
			rocksdb_iter_destroy(rd->its[i].it);
	free(rd->its);
	if (rd->ro != NULL)
		rocksdb_readoptions_destroy(rd->ro);
	query_result_series_clear(&rd->cur);
	ptvec_free(&rd->pv);
	buf_free(&rd->tmp);
	free(rd->ids);
	free(rd);
}
