/*
 * The head: one open chunk per series in memory, closing chunks (with
 * their rollups), late points merged into closed chunks, checkpoints of
 * the head, and loading it back at open.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/headagg.h"
#include "store/rollup.h"
#include "store/store-int.h"

#define HEAD_RECORD_VERSION 2

static void
chunk_key(uint8_t k[12], uint32_t id, int64_t first_t)
{
	store_chunk_key(k, id, first_t); /* shared with close.c */
}

static void
pending_put(struct store *s, enum store_cf cf, const void *k, size_t kl,
    const void *v, size_t vl)
{
	rocksdb_writebatch_wi_put_cf(s->pending, s->cf[cf], k, kl, v, vl);
}

static int
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Append (t, v) to the open chunk of ser and to its minute aggregates. */
static void
head_append(struct series *ser, int64_t t, double v)
{
	struct chunk_enc *c = ser->open;

	if (ser->agg == NULL) {
		ser->agg = xmalloc(sizeof *ser->agg);
		headagg_init(ser->agg);
	}
	headagg_add(ser->agg, c->n, c->last_t, c->last_v, t, v);
	chunk_enc_append(c, t, v);
}

/* Rebuild the open chunk of ser from the n points in pv. */
static void
head_rebuild(struct series *ser, const struct ptvec *pv)
{
	chunk_enc_build(ser->open, pv->t, pv->v, pv->n);
	if (ser->agg == NULL) {
		ser->agg = xmalloc(sizeof *ser->agg);
		headagg_init(ser->agg);
	}
	headagg_build(ser->agg, pv->t, pv->v, pv->n);
}

/* Serialize c into b (replacing its contents). */
static void
serialize_into(const struct chunk_enc *c, struct buf *b)
{
	store_chunk_serialize(c, b); /* shared with close.c */
}

void
store_chunks_read_window(struct store *s, rocksdb_iterator_t *it, uint32_t id,
    int64_t w, int64_t hi, struct ptvec *pv, struct store_result *r)
{
	uint8_t k[12];
	char *err = NULL;

	chunk_key(k, id, w);
	for (rocksdb_iter_seek(it, (const char *)k, 12); rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		const char *key, *val;
		size_t kl, vl, old = pv->n, i;
		int64_t first;
		uint32_t n;
		int bad;

		key = rocksdb_iter_key(it, &kl);
		if (kl < 8 || memcmp(key, k, 8) != 0)
			break;
		first =
		    w + (kl == 12 ? key_get32((const uint8_t *)key + 8) : 0);
		if (first >= hi)
			break;
		val = rocksdb_iter_value(it, &vl);
		bad = kl != 12 || chunk_header(val, vl, &n, &first) != 0 ||
		      first != w + key_get32((const uint8_t *)key + 8) ||
		      chunk_decode_until(val, vl, hi, pv) != 0;
		/* Points must stay inside the window and after the previous
		 * chunk's. */
		for (i = old; !bad && i < pv->n; i++) {
			if (pv->t[i] >= w + STORE_WINDOW_MS ||
			    (i > 0 && pv->t[i] <= pv->t[i - 1]))
				bad = 1;
		}
		if (bad) {
			char msg[256];

			pv->n = old;
			s->st.corrupt_chunks++;
			snprintf(msg, sizeof msg,
			    "corrupt chunk skipped: series "
			    "%u (%.120s) at %lld (key hour %u)",
			    id, s->ix.series[id].key, (long long)first,
			    key_get32((const uint8_t *)key));
			store_warn(s, "%s", msg);
			if (r != NULL)
				store_result_add_warning(r, msg);
		}
	}
	rocksdb_iter_get_error(it, &err);
	if (err != NULL) {
		char msg[300];

		s->st.corrupt_chunks++;
		snprintf(msg, sizeof msg, "reading chunks of series %u: %.200s",
		    id, err);
		store_warn(s, "%s", msg);
		if (r != NULL)
			store_result_add_warning(r, msg);
		free(err);
	}
}

/* Recompute the rollups of window w of series id from its points. */
static void
head_rollups(struct store *s, uint32_t id, int64_t w, const struct ptvec *pv)
{
	struct rollup_block rb;
	uint8_t k[8];
	int64_t day = w - w % STORE_DAY_MS;
	char *val = NULL;
	size_t vlen;
	unsigned slot = (unsigned)((w - day) / STORE_HOUR_MS);

	if (pv->n == 0)
		return;
	if (w < s->written_from)
		s->written_from = w;
	rollup_block_init(&rb, w, STORE_MINUTE_MS, 60);
	rollup_block_fill(&rb, pv->t, pv->v, pv->n);
	buf_reset(&s->rtmp);
	rollup_block_encode(&rb, &s->rbits, &s->rtmp);
	key_put32(k, (uint32_t)(w / STORE_HOUR_MS));
	key_put32(k + 4, id);
	pending_put(s, STORE_CF_ROLLUP_M, k, 8, s->rtmp.data, s->rtmp.len);

	/* The hour tier keeps a day per key: read, replace the slot, write. */
	key_put32(k, (uint32_t)(day / STORE_DAY_MS));
	rollup_block_init(&rb, day, STORE_HOUR_MS, 24);
	if (store_get(s, STORE_CF_ROLLUP_H, k, 8, &val, &vlen, NULL) == 0 &&
	    val != NULL && rollup_block_decode(&rb, val, vlen) != 0) {
		store_warn(s,
		    "corrupt hour rollup of series %u day %u "
		    "rebuilt",
		    id, key_get32(k));
		rollup_block_init(&rb, day, STORE_HOUR_MS, 24);
	}
	free(val);
	rb.present[slot] = 0;
	rollup_block_fill(&rb, pv->t, pv->v, pv->n);
	buf_reset(&s->rtmp);
	rollup_block_encode(&rb, &s->rbits, &s->rtmp);
	pending_put(s, STORE_CF_ROLLUP_H, k, 8, s->rtmp.data, s->rtmp.len);
}

/* Read every closed chunk of window w and recompute its rollups. */
static void
head_window_rollups(struct store *s, uint32_t id, int64_t w)
{
	rocksdb_iterator_t *it = store_iter(s, STORE_CF_CHUNKS, 1);

	s->pts.n = 0;
	store_chunks_read_window(s, it, id, w, INT64_MAX, &s->pts, NULL);
	rocksdb_iter_destroy(it);
	head_rollups(s, id, w, &s->pts);
}

/* Write the chunk c of ser (its open or its sealed chunk) to the pending
 * batch with its window's rollups. */
void
store_head_close_chunk(
    struct store *s, uint32_t id, struct series *ser, struct chunk_enc *c)
{
	int64_t w = window_of(c->first_t), prev = ser->closed_max_t;
	uint8_t k[12];

	if (prev < w) { /* the window's first chunk: as the close thread */
		store_close_compute(
		    c, &s->tmp, &s->pts, &s->rbits, &s->close_res);
		store_close_put(s, id, ser, c, &s->close_res);
		return;
	}
	serialize_into(c, &s->tmp);
	chunk_key(k, id, c->first_t);
	pending_put(s, STORE_CF_CHUNKS, k, 12, s->tmp.data, s->tmp.len);
	ser->closed_max_t = c->last_t;
	head_window_rollups(s, id, w); /* earlier chunks share w */
	s->st.chunks_written++;
}

/* Close the open chunk of ser: pending write, rollups, reset. */
void
store_head_close(struct store *s, uint32_t id, struct series *ser)
{
	struct chunk_enc *c = ser->open;

	if (ser->sealed != NULL) /* first: it is the older */
		store_head_close_sealed_one(s, id, ser);
	store_head_close_chunk(s, id, ser, c);
	/* Give the buffers back: an idle window's chunk starts small. */
	bitw_free(&c->w);
	chunk_enc_init(c);
	if (ser->agg != NULL)
		headagg_free(ser->agg);
}

/* Insert or replace (t, v) in the ascending points of pv. */
static void
pts_upsert(struct ptvec *pv, int64_t t, double v)
{
	size_t lo = 0, hi = pv->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (pv->t[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pv->n && pv->t[lo] == t) {
		pv->v[lo] = v;
		return;
	}
	ptvec_reserve(pv, 1);
	memmove(pv->t + lo + 1, pv->t + lo, (pv->n - lo) * sizeof *pv->t);
	memmove(pv->v + lo + 1, pv->v + lo, (pv->n - lo) * sizeof *pv->v);
	pv->t[lo] = t;
	pv->v[lo] = v;
	pv->n++;
}

/* Put (t, v) inside the open chunk's range: decode, upsert, re-encode. */
static void
head_rewrite_open(
    struct store *s, uint32_t id, struct series *ser, int64_t t, double v)
{
	struct chunk_enc *c = ser->open;

	if (t == c->last_t && same_bits(v, c->last_v))
		return; /* a redelivered newest point */
	serialize_into(c, &s->tmp);
	s->pts.n = 0;
	if (chunk_decode(s->tmp.data, s->tmp.len, &s->pts) != 0)
		abort();
	pts_upsert(&s->pts, t, v);
	head_rebuild(ser, &s->pts);
	if (c->n >= CHUNK_MAX_POINTS || bitw_bytes(&c->w) >= CHUNK_MAX_BYTES)
		store_head_close(s, id, ser);
}

static void head_merge_run(struct store *s, uint32_t id, struct series *ser,
    const int64_t *t, const double *v, size_t n);

void
store_head_apply(struct store *s, uint32_t id, int64_t t, double v)
{
	struct series *ser = &s->ix.series[id];
	struct chunk_enc *c = ser->open;

	if (ser->first_t < 0 || t < ser->first_t)
		ser->first_t = t;
	if (t >= ser->last_t) {
		ser->last_t = t;
		ser->last_v = v;
	}
	if (t > s->max_data_t && t <= s->now_ms + STORE_AHEAD_MS)
		s->max_data_t = t;
	store_mark_dirty(s, ser);
	/* Only an append inside the open chunk's window leaves a sealed
	 * chunk of the series for later. */
	if (ser->sealed != NULL && !(c != NULL && c->n > 0 && t > c->last_t &&
	                               window_of(t) == window_of(c->first_t)))
		store_head_close_sealed_one(s, id, ser);

	if (c != NULL && c->n > 0) {
		if (t > c->last_t) {
			if (window_of(t) != window_of(c->first_t)) {
				store_head_seal(s, id, ser);
				head_append(ser, t, v);
				return;
			}
			head_append(ser, t, v);
			if (c->n >= CHUNK_MAX_POINTS ||
			    bitw_bytes(&c->w) >= CHUNK_MAX_BYTES)
				store_head_close(s, id, ser);
			return;
		}
		if (t >= c->first_t) {
			head_rewrite_open(s, id, ser, t, v);
			return;
		}
		head_merge_run(s, id, ser, &t, &v, 1);
		return;
	}
	if (t > ser->closed_max_t) {
		if (c == NULL) {
			c = ser->open = xcalloc(1, sizeof *c);
			chunk_enc_init(c);
		}
		head_append(ser, t, v);
		return;
	}
	head_merge_run(s, id, ser, &t, &v, 1);
}

/* Upsert the n points (ascending) into the open chunk of ser and rebuild
 * it once. */
static void
run_into_open(struct store *s, uint32_t id, struct series *ser,
    const int64_t *t, const double *v, size_t n)
{
	struct chunk_enc *c = ser->open;
	size_t i;

	for (i = 0; i < n && t[i] < c->first_t; i++)
		s->st.late_merges++; /* prepended */
	serialize_into(c, &s->tmp);
	s->pts.n = 0;
	if (chunk_decode(s->tmp.data, s->tmp.len, &s->pts) != 0)
		abort(); /* our own encoding must decode */
	for (i = 0; i < n; i++)
		pts_upsert(&s->pts, t[i], v[i]);
	head_rebuild(ser, &s->pts);
	if (c->n >= CHUNK_MAX_POINTS || bitw_bytes(&c->w) >= CHUNK_MAX_BYTES)
		store_head_close(s, id, ser);
}

/*
 * Points before the open chunk (or with no open chunk, at or before the
 * newest closed point), or a run of several (ascending, all before the
 * series' newest point): each goes into the closed chunk of its window
 * that starts at or before it, or a new chunk starting there, or the open
 * chunk when it is in the same window and no closed chunk of the window
 * comes first (or the point is inside the open chunk's range).  One
 * rewrite per chunk touched (a spool replay brings many points of a
 * series per batch).  Closed chunks never change key, so replaying the
 * batch log against a checkpoint is deterministic.
 */
static void
head_merge_run(struct store *s, uint32_t id, struct series *ser,
    const int64_t *t, const double *v, size_t n)
{
	uint8_t k[12], tk[12];
	size_t i, m;

	if (ser->sealed != NULL)
		store_head_close_sealed_one(s, id, ser);
	for (i = 0; i < n; i++) {
		if (ser->first_t < 0 || t[i] < ser->first_t)
			ser->first_t = t[i];
	}
	store_mark_dirty(s, ser);
	while (n > 0) {
		struct chunk_enc *c = ser->open;
		int64_t w = window_of(t[0]), bound, next;
		int open_here, found = 0, any = 0, nbefore = 0;
		rocksdb_iterator_t *it;

		if (c != NULL && c->n > 0 && t[0] >= c->first_t) {
			run_into_open(s, id, ser, t, v, n);
			return;
		}
		open_here = c != NULL && c->n > 0 && window_of(c->first_t) == w;
		bound = open_here ? c->first_t : w + STORE_WINDOW_MS;
		next = bound;
		/* The chunk of the window starting at or before t[0] (the
		 * last such), and where the next one starts. */
		it = store_iter(s, STORE_CF_CHUNKS, 1);
		chunk_key(k, id, w);
		for (rocksdb_iter_seek(it, (const char *)k, 12);
		     rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
			const char *key, *val;
			size_t kl, vl;
			int64_t start;

			key = rocksdb_iter_key(it, &kl);
			if (kl != 12 || memcmp(key, k, 8) != 0)
				break;
			any = 1;
			start = w + key_get32((const uint8_t *)key + 8);
			if (start > t[0]) {
				if (start < next)
					next = start;
				break;
			}
			found = 1;
			nbefore++;
			memcpy(tk, key, 12);
			val = rocksdb_iter_value(it, &vl);
			buf_reset(&s->tmp);
			buf_append(&s->tmp, val, vl);
		}
		rocksdb_iter_destroy(it);
		if (!found && !any && open_here) {
			/* Everything left goes to the open chunk. */
			run_into_open(s, id, ser, t, v, n);
			return;
		}
		for (m = 0; m < n && t[m] < next; m++)
			;
		s->pts.n = 0;
		if (found &&
		    chunk_decode(s->tmp.data, s->tmp.len, &s->pts) != 0) {
			store_warn(s,
			    "corrupt chunk of series %u (%.120s) at hour %u "
			    "replaced by late points",
			    id, ser->key, key_get32(tk));
			s->st.corrupt_chunks++;
			rocksdb_writebatch_wi_delete_cf(s->pending,
			    s->cf[STORE_CF_CHUNKS], (const char *)tk, 12);
			found = 0;
		}
		for (i = 0; i < m; i++)
			pts_upsert(&s->pts, t[i], v[i]);
		chunk_enc_build(&s->late_enc, s->pts.t, s->pts.v, s->pts.n);
		serialize_into(&s->late_enc, &s->tmp);
		if (!found)
			chunk_key(tk, id, s->pts.t[0]);
		pending_put(
		    s, STORE_CF_CHUNKS, tk, 12, s->tmp.data, s->tmp.len);
		if (t[m - 1] > ser->closed_max_t)
			ser->closed_max_t = t[m - 1];
		if (!open_here && nbefore <= 1 && next == bound)
			head_rollups(s, id, w, &s->pts); /* the window's only
			                                    chunk */
		else if (!open_here)
			head_window_rollups(s, id, w);
		s->st.late_merges += m;
		t += m;
		v += m;
		n -= m;
	}
}

void
store_head_apply_batch(struct store *s, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		struct series *ser = &s->ix.series[ids[i]];

		/* A run: the same series, ascending, all before its newest
		 * point (which those points cannot move). */
		for (j = i + 1;
		     j < n && ts[i] < ser->last_t && ids[j] == ids[i] &&
		     ts[j] >= ts[j - 1] && ts[j] < ser->last_t;
		     j++)
			;
		if (j - i >= 2) {
			head_merge_run(s, ids[i], ser, ts + i, vs + i, j - i);
			i = j;
			continue;
		}
		store_head_apply(s, ids[i], ts[i], vs[i]);
		i++;
	}
}

/* ---- head records ---- */

/*
 * A head record: version 2, a flags byte, then varints: unless
 * HEAD_LAST_IN_CHUNK, last_t + 1 and the 8 bytes of last_v; then
 * last_t - first_t, last_t - closed_max_t and last_write_ms - last_t
 * (zigzag); then the open chunk, if any.  Version 1 (read only): varints
 * first_t + 1, last_t + 1, closed_max_t + 1, last_v, last_write_ms + 1,
 * then the open chunk.
 */
#define HEAD_LAST_IN_CHUNK 1 /* last_t and last_v: the open chunk's last */

static inline uint64_t
head_diff(int64_t a, int64_t b)
{
	return zigzag((int64_t)((uint64_t)a - (uint64_t)b));
}

static inline int64_t
head_undiff(int64_t a, uint64_t d)
{
	return (int64_t)((uint64_t)a - (uint64_t)unzigzag(d));
}

void
store_head_record(const struct series *ser, struct buf *out)
{
	uint8_t b[64], *p = b;
	const struct chunk_enc *c =
	    ser->open != NULL && ser->open->n > 0 ? ser->open : NULL;
	int in_chunk = c != NULL && c->last_t == ser->last_t &&
	               same_bits(c->last_v, ser->last_v);

	*p++ = HEAD_RECORD_VERSION;
	*p++ = in_chunk ? HEAD_LAST_IN_CHUNK : 0;
	if (!in_chunk) {
		p += varint_put(p, (uint64_t)(ser->last_t + 1));
		memcpy(p, &ser->last_v, 8);
		p += 8;
	}
	p += varint_put(p, head_diff(ser->last_t, ser->first_t));
	p += varint_put(p, head_diff(ser->last_t, ser->closed_max_t));
	p += varint_put(p, head_diff(ser->last_write_ms, ser->last_t));
	buf_reset(out);
	buf_append(out, b, p - b);
	if (c != NULL) {
		size_t len = chunk_enc_size(c);

		buf_reserve(out, len);
		chunk_enc_serialize(c, (uint8_t *)out->data + out->len);
		out->len += len;
	}
}

void
store_head_record_v1(const struct series *ser, struct buf *out)
{
	uint8_t b[64], *p = b;

	*p++ = 1;
	p += varint_put(p, (uint64_t)(ser->first_t + 1));
	p += varint_put(p, (uint64_t)(ser->last_t + 1));
	p += varint_put(p, (uint64_t)(ser->closed_max_t + 1));
	memcpy(p, &ser->last_v, 8);
	p += 8;
	p += varint_put(p, (uint64_t)(ser->last_write_ms + 1));
	buf_reset(out);
	buf_append(out, b, p - b);
	if (ser->open != NULL && ser->open->n > 0) {
		size_t len = chunk_enc_size(ser->open);

		buf_reserve(out, len);
		chunk_enc_serialize(ser->open, (uint8_t *)out->data + out->len);
		out->len += len;
	}
}

/* Version 1's fields, up to the open chunk; 0 or -1. */
static int
head_record_parse_v1(struct series *ser, const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	uint64_t f, l, cm, lw;

	if (varint_get(&p, end, &f) != 0 || varint_get(&p, end, &l) != 0 ||
	    varint_get(&p, end, &cm) != 0 || end - p < 8)
		return -1;
	memcpy(&ser->last_v, p, 8);
	p += 8;
	if (varint_get(&p, end, &lw) != 0)
		return -1;
	ser->first_t = (int64_t)f - 1;
	ser->last_t = (int64_t)l - 1;
	ser->closed_max_t = (int64_t)cm - 1;
	ser->last_write_ms = (int64_t)lw - 1;
	*pp = p;
	return 0;
}

static int
head_record_parse(
    struct store *s, struct series *ser, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	uint64_t l = 0, df, dc, dw;
	unsigned version, flags = 0;

	if (len < 1)
		return -1;
	version = *p++;
	if (version == 1) {
		if (head_record_parse_v1(ser, &p, end) != 0)
			return -1;
	} else if (version == HEAD_RECORD_VERSION && p < end) {
		flags = *p++;
		if (flags & ~(unsigned)HEAD_LAST_IN_CHUNK)
			return -1;
		if (!(flags & HEAD_LAST_IN_CHUNK)) {
			if (varint_get(&p, end, &l) != 0 || end - p < 8)
				return -1;
			memcpy(&ser->last_v, p, 8);
			p += 8;
		}
		if (varint_get(&p, end, &df) != 0 ||
		    varint_get(&p, end, &dc) != 0 ||
		    varint_get(&p, end, &dw) != 0)
			return -1;
	} else
		return -1;
	s->pts.n = 0;
	if (p < end && chunk_decode(p, end - p, &s->pts) != 0)
		return -1;
	if (version == HEAD_RECORD_VERSION) {
		if (flags & HEAD_LAST_IN_CHUNK) {
			if (s->pts.n == 0)
				return -1;
			ser->last_t = s->pts.t[s->pts.n - 1];
			ser->last_v = s->pts.v[s->pts.n - 1];
		} else
			ser->last_t = (int64_t)l - 1;
		ser->first_t = head_undiff(ser->last_t, df);
		ser->closed_max_t = head_undiff(ser->last_t, dc);
		ser->last_write_ms =
		    (int64_t)((uint64_t)ser->last_t + (uint64_t)unzigzag(dw));
	}
	if (s->pts.n > 0) {
		ser->open = xcalloc(1, sizeof *ser->open);
		head_rebuild(ser, &s->pts);
	}
	if (ser->last_t > s->max_data_t &&
	    ser->last_t <= s->now_ms + STORE_AHEAD_MS)
		s->max_data_t = ser->last_t;
	return 0;
}

int
store_head_load(struct store *s, char **cause)
{
	rocksdb_iterator_t *it;
	char *err = NULL;

	it = rocksdb_create_iterator_cf(s->db, s->ro, s->cf[STORE_CF_HEAD]);
	for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		const char *key, *val;
		size_t kl, vl;
		uint32_t id;
		struct series *ser;

		key = rocksdb_iter_key(it, &kl);
		val = rocksdb_iter_value(it, &vl);
		id = kl == 4 ? key_get32((const uint8_t *)key) : 0;
		if ((ser = index_series(&s->ix, id)) == NULL ||
		    ser->key == NULL) {
			store_warn(s,
			    "head record of unknown series %u "
			    "skipped",
			    id);
			continue;
		}
		if (head_record_parse(s, ser, (const uint8_t *)val, vl) != 0) {
			store_warn(s,
			    "corrupt head record of series %u "
			    "(%.120s): its open chunk is lost",
			    id, ser->key);
			s->st.corrupt_chunks++;
		}
	}
	rocksdb_iter_get_error(it, &err);
	rocksdb_iter_destroy(it);
	if (err != NULL) {
		*cause = xasprintf("%s: reading head: %s", s->dir, err);
		free(err);
		return -1;
	}
	return 0;
}

/* Up to this many batch-log records are deleted one by one at a
 * checkpoint; more take a range delete in a copy of the pending batch. */
#define CHECKPOINT_POINT_DELETES 4096

unsigned store_checkpoint_fail_next;

int
store_head_checkpoint(struct store *s, int gc, char **cause)
{
	rocksdb_writebatch_t *wb;
	const char *rep;
	size_t replen, i;
	char *err = NULL;
	uint8_t k[8], k2[8];
	uint64_t seq;
	uint32_t id;
	int64_t t0;

	if (s->failed != NULL) {
		if (cause != NULL)
			*cause = xstrdup(s->failed);
		return -1;
	}
	(void)store_head_close_sealed(s, SIZE_MAX, 1);
	if (gc) {
		/* Close chunks of series gone quiet for a window and then
		 * the late window: nothing but late points can reach them. */
		int64_t quiet = STORE_WINDOW_MS + s->opts.late_window_ms;

		for (id = 1; id <= s->ix.n; id++) {
			struct series *ser = &s->ix.series[id];
			struct chunk_enc *c = ser->open;

			if (c == NULL || ser->key == NULL)
				continue;
			if (c->n > 0 &&
			    window_of(c->first_t) + quiet > s->max_data_t)
				continue;
			if (c->n == 0 && ser->last_t + quiet > s->max_data_t)
				continue;
			if (c->n > 0)
				store_head_close(s, id, ser);
			chunk_enc_free(c);
			free(c);
			ser->open = NULL;
			if (ser->agg != NULL) {
				headagg_free(ser->agg);
				free(ser->agg);
				ser->agg = NULL;
			}
			store_mark_dirty(s, ser);
		}
	}
	t0 = clock_mono_ns();
	for (i = 0; i < s->ndirty; i++) {
		struct series *ser = &s->ix.series[s->dirty[i]];

		key_put32(k, s->dirty[i]);
		store_head_record(ser, &s->tmp);
		pending_put(s, STORE_CF_HEAD, k, 4, s->tmp.data, s->tmp.len);
	}
	if (store_checkpoint_fail_next > 0) { /* tests: a refused write */
		store_checkpoint_fail_next--;
		err = xstrdup("IO error: No space left on device (test)");
	} else if (s->applied_seq - s->first_seq <= CHECKPOINT_POINT_DELETES) {
		/* Few batch-log records: delete them one by one in the
		 * pending batch and write that batch itself, not a copy. */
		for (seq = s->first_seq; seq < s->applied_seq; seq++) {
			key_put64(k, seq);
			rocksdb_writebatch_wi_delete_cf(s->pending,
			    s->cf[STORE_CF_BATCHLOG], (const char *)k, 8);
		}
		key_put64(k, s->applied_seq);
		rocksdb_writebatch_wi_put_cf(s->pending,
		    s->cf[STORE_CF_DEFAULT], "batchlog.next", 13,
		    (const char *)k, 8);
		rocksdb_write_writebatch_wi(
		    s->db, s->wo_durable, s->pending, &err);
	} else {
		/* A batch with an index cannot hold a range delete. */
		rep = rocksdb_writebatch_wi_data(s->pending, &replen);
		wb = rocksdb_writebatch_create_from(rep, replen);
		key_put64(k, s->first_seq);
		key_put64(k2, s->applied_seq);
		rocksdb_writebatch_delete_range_cf(wb, s->cf[STORE_CF_BATCHLOG],
		    (const char *)k, 8, (const char *)k2, 8);
		key_put64(k, s->applied_seq);
		rocksdb_writebatch_put_cf(wb, s->cf[STORE_CF_DEFAULT],
		    "batchlog.next", 13, (const char *)k, 8);
		rocksdb_write(s->db, s->wo_durable, wb, &err);
		rocksdb_writebatch_destroy(wb);
	}
	if (err != NULL)
		return store_set_failed(s, "checkpoint", err, cause);
	/* A new batch: clearing one keeps its largest size allocated. */
	rocksdb_writebatch_wi_destroy(s->pending);
	s->pending = store_pending_new(s);
	for (i = 0; i < s->ndirty; i++)
		s->ix.series[s->dirty[i]].flags &= ~SERIES_DIRTY;
	s->ndirty = 0;
	s->first_seq = s->applied_seq;
	s->blog_bytes = 0;
	s->st.checkpoints++;
	s->st.checkpoint_ns += (uint64_t)(clock_mono_ns() - t0);
	/* Now and then, drop the batch-log files the checkpoints emptied. */
	if (s->st.checkpoints % 16 == 0 && store_db_tidy(s, 0, NULL) != 0)
		store_warn(
		    s, "%s: could not drop emptied batch-log files", s->dir);
	return 0;
}
