/* The queue key/value space (the hub's forwarding queue) and the write
 * hook that puts queue records into the batches' own writes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/store-int.h"

static int
queue_fail(struct store *s, char *err, char **cause)
{
	if (cause != NULL)
		*cause = xasprintf("%s: queue: %s", s->dir, err);
	free(err);
	return -1;
}

int
store_queue_write(
    struct store *s, const struct store_meta_op *ops, size_t n, char **cause)
{
	return store_kv_write(s, STORE_CF_QUEUE, ops, n, cause);
}

int
store_queue_put(struct store *s, const char *key, size_t klen, const void *val,
    size_t vlen, char **cause)
{
	struct store_meta_op op = {key, klen, val != NULL ? val : "", vlen};

	return store_kv_write(s, STORE_CF_QUEUE, &op, 1, cause);
}

int
store_queue_get(struct store *s, const char *key, size_t klen, void **val,
    size_t *vlen, char **cause)
{
	char *v;
	size_t len;

	if (store_db_get(s, STORE_CF_QUEUE, key, klen, &v, &len, cause) != 0)
		return -1;
	*val = v;
	if (vlen != NULL)
		*vlen = v != NULL ? len : 0;
	return v != NULL ? 0 : 1;
}

int
store_queue_delete_range(struct store *s, const char *from, size_t flen,
    const char *to, size_t tlen, char **cause)
{
	rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
	char *err = NULL;

	rocksdb_writebatch_delete_range_cf(
	    wb, s->cf[STORE_CF_QUEUE], from, flen, to, tlen);
	rocksdb_write(s->db, s->wo_durable, wb, &err);
	rocksdb_writebatch_destroy(wb);
	if (err != NULL)
		return queue_fail(s, err, cause);
	return 0;
}

struct store_meta_iter *
store_queue_iter_new(struct store *s, const char *prefix, size_t plen)
{
	return store_kv_iter_new(s, STORE_CF_QUEUE, prefix, plen);
}

/* One WriteBatch puts each key in the queue family and deletes it from
 * the metadata: a crash leaves either every record in meta or every
 * record in the queue, never some in neither. */
int
store_queue_adopt(struct store *s, const char *prefix, size_t plen,
    size_t *moved, char **cause)
{
	struct store_meta_iter *mi = store_meta_iter_new(s, prefix, plen);
	rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
	char *err = NULL;
	size_t n = 0;

	for (store_meta_iter_first(mi); store_meta_iter_valid(mi);
	     store_meta_iter_next(mi)) {
		const char *k, *v;
		size_t kl, vl;

		k = store_meta_iter_key(mi, &kl);
		v = store_meta_iter_value(mi, &vl);
		rocksdb_writebatch_put_cf(
		    wb, s->cf[STORE_CF_QUEUE], k, kl, v, vl);
		rocksdb_writebatch_delete_cf(wb, s->cf[STORE_CF_META], k, kl);
		n++;
	}
	err = store_kv_iter_error(mi);
	store_meta_iter_free(mi);
	if (err == NULL && n > 0)
		rocksdb_write(s->db, s->wo_durable, wb, &err);
	rocksdb_writebatch_destroy(wb);
	if (err != NULL)
		return queue_fail(s, err, cause);
	if (moved != NULL)
		*moved = n;
	return 0;
}

struct store_write_extra {
	struct store *s;
	rocksdb_writebatch_t *wb;
};

void
store_write_hook_set(struct store *s, const struct store_write_hook *h)
{
	if (h != NULL)
		s->hook = *h;
	else
		memset(&s->hook, 0, sizeof s->hook);
}

void
store_write_queue_put(struct store_write_extra *x, const char *key, size_t klen,
    const void *val, size_t vlen)
{
	rocksdb_writebatch_put_cf(x->wb, x->s->cf[STORE_CF_QUEUE], key, klen,
	    val != NULL ? val : "", vlen);
}

void
store_write_hook_prepare(struct store *s, rocksdb_writebatch_t *wb,
    const uint32_t *ids, const int64_t *ts, const double *vs, size_t n)
{
	struct store_write_extra x = {s, wb};

	if (s->hook.prepare != NULL)
		s->hook.prepare(s->hook.arg, ids, ts, vs, n, &x);
}

void
store_write_hook_done(struct store *s, int written)
{
	if (s->hook.done != NULL)
		s->hook.done(s->hook.arg, written);
}
