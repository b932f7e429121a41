/*
 * The batch log: one RocksDB value per accepted write batch, replayed at
 * open on top of the last checkpoint.  Record: version byte, varint
 * count, then per point zigzag varints of the id and time differences
 * from the previous point and the 8 bytes of the value.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/store-int.h"

#define BATCHLOG_VERSION 1

void
store_batchlog_encode(struct buf *out, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n)
{
	uint8_t *p;
	uint32_t prev_id = 0;
	int64_t prev_t = 0;
	size_t i;

	buf_reset(out);
	buf_reserve(out, 11 + n * 28);
	p = (uint8_t *)out->data;
	*p++ = BATCHLOG_VERSION;
	p += varint_put(p, n);
	for (i = 0; i < n; i++) {
		p += varint_put(p, zigzag((int64_t)ids[i] - (int64_t)prev_id));
		p += varint_put(p, zigzag(ts[i] - prev_t));
		memcpy(p, &vs[i], 8);
		p += 8;
		prev_id = ids[i];
		prev_t = ts[i];
	}
	out->len = (char *)p - out->data;
}

int
store_batchlog_open(
    struct batchlog_reader *r, const uint8_t *p, size_t len, uint64_t *n)
{
	r->end = p + len;
	r->id = 0;
	r->t = 0;
	if (len < 2 || *p++ != BATCHLOG_VERSION ||
	    varint_get(&p, r->end, &r->left) != 0)
		return -1;
	r->p = p;
	*n = r->left;
	return 0;
}

int
store_batchlog_next(
    struct batchlog_reader *r, int64_t *id, int64_t *t, double *v)
{
	uint64_t u;

	if (r->left == 0)
		return r->p == r->end ? 0 : -1;
	if (varint_get(&r->p, r->end, &u) != 0)
		return -1;
	r->id = (int64_t)((uint64_t)r->id + (uint64_t)unzigzag(u));
	if (varint_get(&r->p, r->end, &u) != 0 || r->end - r->p < 8)
		return -1;
	r->t = (int64_t)((uint64_t)r->t + (uint64_t)unzigzag(u));
	memcpy(v, r->p, 8);
	r->p += 8;
	r->left--;
	*id = r->id;
	*t = r->t;
	return 1;
}

/* Apply one record; -1 if it is corrupt (points before the damage are
 * applied: they were acknowledged). */
static int
batchlog_apply(struct store *s, const uint8_t *p, size_t len)
{
	struct batchlog_reader r;
	uint64_t n;
	int64_t id, t;
	double v;
	int rc;

	if (store_batchlog_open(&r, p, len, &n) != 0)
		return -1;
	/* Decoded first, then applied as the write applied them. */
	s->blog_pts.n = 0;
	buf_reset(&s->blog_ids);
	while ((rc = store_batchlog_next(&r, &id, &t, &v)) == 1) {
		if (id < 1 || id > (int64_t)s->ix.n ||
		    s->ix.series[id].key == NULL || t < 0 ||
		    t >= STORE_TIME_MAX) {
			store_warn(s,
			    "batch log: point of unknown series %lld "
			    "skipped",
			    (long long)id);
			continue;
		}
		ptvec_push(&s->blog_pts, t, v);
		buf_append(&s->blog_ids, &(uint32_t){(uint32_t)id}, 4);
	}
	store_head_apply_batch(s, (const uint32_t *)s->blog_ids.data,
	    s->blog_pts.t, s->blog_pts.v, s->blog_pts.n);
	s->blog_pts.n = 0;
	return rc;
}

int
store_batchlog_replay(struct store *s, char **cause)
{
	rocksdb_iterator_t *it;
	char *err = NULL, *val;
	size_t vlen;
	int first = 1;

	/* The next sequence survives an empty log. */
	if (store_db_get(s, STORE_CF_DEFAULT, "batchlog.next", 13, &val, &vlen,
	        cause) != 0)
		return -1;
	if (val != NULL && vlen == 8)
		s->next_seq = key_get64((const uint8_t *)val);
	free(val);
	s->first_seq = s->next_seq;

	s->replaying = 1;
	it = rocksdb_create_iterator_cf(s->db, s->ro, s->cf[STORE_CF_BATCHLOG]);
	for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		const char *key, *rec;
		size_t kl, rl;
		uint64_t seq;

		key = rocksdb_iter_key(it, &kl);
		rec = rocksdb_iter_value(it, &rl);
		if (kl != 8) {
			store_warn(s, "batch log: bad key skipped");
			continue;
		}
		seq = key_get64((const uint8_t *)key);
		if (first) {
			s->first_seq = seq;
			first = 0;
		}
		if (seq >= s->next_seq)
			s->next_seq = seq + 1;
		if (batchlog_apply(s, (const uint8_t *)rec, rl) != 0)
			store_warn(s,
			    "batch log: record %llu is corrupt; "
			    "the rest of it is skipped",
			    (unsigned long long)seq);
		s->st.batches_replayed++;
	}
	rocksdb_iter_get_error(it, &err);
	rocksdb_iter_destroy(it);
	s->replaying = 0;
	s->applied_seq = s->next_seq; /* all of it is in the head now */
	if (err != NULL) {
		*cause =
		    xasprintf("%s: reading the batch log: %s", s->dir, err);
		free(err);
		return -1;
	}
	return 0;
}
