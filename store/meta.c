/* The metadata key/value space (alerts, audit log, hub state). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/store-int.h"

static int
meta_fail(struct store *s, char *err, char **cause)
{
	if (cause != NULL)
		*cause = xasprintf("%s: meta: %s", s->dir, err);
	free(err);
	return -1;
}

int
store_kv_write(struct store *s, enum store_cf cf,
    const struct store_meta_op *ops, size_t n, char **cause)
{
	rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
	char *err = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (ops[i].klen == 0) {
			rocksdb_writebatch_destroy(wb);
			if (cause != NULL)
				*cause = xstrdup("meta: empty key");
			return -1;
		}
		if (ops[i].val != NULL)
			rocksdb_writebatch_put_cf(wb, s->cf[cf], ops[i].key,
			    ops[i].klen, ops[i].val, ops[i].vlen);
		else
			rocksdb_writebatch_delete_cf(
			    wb, s->cf[cf], ops[i].key, ops[i].klen);
	}
	rocksdb_write(s->db, s->wo_durable, wb, &err);
	rocksdb_writebatch_destroy(wb);
	if (err != NULL)
		return meta_fail(s, err, cause);
	return 0;
}

int
store_meta_write(
    struct store *s, const struct store_meta_op *ops, size_t n, char **cause)
{
	return store_kv_write(s, STORE_CF_META, ops, n, cause);
}

int
store_meta_put(struct store *s, const char *key, size_t klen, const void *val,
    size_t vlen, char **cause)
{
	struct store_meta_op op = {key, klen, val != NULL ? val : "", vlen};

	return store_meta_write(s, &op, 1, cause);
}

int
store_meta_delete(struct store *s, const char *key, size_t klen, char **cause)
{
	struct store_meta_op op = {key, klen, NULL, 0};

	return store_meta_write(s, &op, 1, cause);
}

int
store_meta_get(struct store *s, const char *key, size_t klen, void **val,
    size_t *vlen, char **cause)
{
	char *v;
	size_t len;

	if (store_db_get(s, STORE_CF_META, key, klen, &v, &len, cause) != 0)
		return -1;
	*val = v;
	if (vlen != NULL)
		*vlen = v != NULL ? len : 0;
	return v != NULL ? 0 : 1;
}

struct store_meta_iter {
	rocksdb_iterator_t *it;
	rocksdb_readoptions_t *ro;
	const rocksdb_snapshot_t *snap;
	rocksdb_t *db;
	char *prefix;
	size_t plen;
	char *upper; /* first key after the prefix range */
	size_t ulen;
	char *first; /* where first() seeks (NULL: the prefix) */
	size_t flen;
};

/* The smallest key greater than every key starting with p: p with its
 * last non-0xff byte incremented; NULL when there is none. */
static char *
prefix_successor(const char *p, size_t len, size_t *olen)
{
	char *u;

	while (len > 0 && (unsigned char)p[len - 1] == 0xff)
		len--;
	if (len == 0)
		return NULL;
	u = xmalloc(len);
	memcpy(u, p, len);
	u[len - 1] = (char)((unsigned char)u[len - 1] + 1);
	*olen = len;
	return u;
}

struct store_meta_iter *
store_kv_iter_new(
    struct store *s, enum store_cf cf, const char *prefix, size_t plen)
{
	struct store_meta_iter *mi = xcalloc(1, sizeof *mi);

	mi->db = s->db;
	mi->snap = rocksdb_create_snapshot(s->db);
	mi->ro = rocksdb_readoptions_create();
	rocksdb_readoptions_set_snapshot(mi->ro, mi->snap);
	mi->prefix = xmalloc(plen + 1);
	if (plen > 0)
		memcpy(mi->prefix, prefix, plen);
	mi->plen = plen;
	mi->upper = prefix_successor(prefix, plen, &mi->ulen);
	mi->it = rocksdb_create_iterator_cf(s->db, mi->ro, s->cf[cf]);
	return mi;
}

struct store_meta_iter *
store_meta_iter_new(struct store *s, const char *prefix, size_t plen)
{
	return store_kv_iter_new(s, STORE_CF_META, prefix, plen);
}

char *
store_kv_iter_error(const struct store_meta_iter *mi)
{
	char *err = NULL;

	rocksdb_iter_get_error(mi->it, &err);
	return err;
}

void
store_meta_iter_free(struct store_meta_iter *mi)
{
	if (mi == NULL)
		return;
	rocksdb_iter_destroy(mi->it);
	rocksdb_readoptions_destroy(mi->ro);
	rocksdb_release_snapshot(mi->db, mi->snap);
	free(mi->prefix);
	free(mi->upper);
	free(mi->first);
	free(mi);
}

int
store_meta_iter_valid(const struct store_meta_iter *mi)
{
	const char *k;
	size_t kl;

	if (!rocksdb_iter_valid(mi->it))
		return 0;
	k = rocksdb_iter_key(mi->it, &kl);
	return kl >= mi->plen && memcmp(k, mi->prefix, mi->plen) == 0;
}

void
store_kv_iter_set_first(
    struct store_meta_iter *mi, const char *key, size_t klen)
{
	free(mi->first);
	mi->first = xmalloc(klen + 1);
	memcpy(mi->first, key, klen);
	mi->flen = klen;
}

void
store_meta_iter_first(struct store_meta_iter *mi)
{
	if (mi->first != NULL)
		rocksdb_iter_seek(mi->it, mi->first, mi->flen);
	else
		rocksdb_iter_seek(mi->it, mi->prefix, mi->plen);
}

void
store_meta_iter_last(struct store_meta_iter *mi)
{
	if (mi->upper == NULL) {
		rocksdb_iter_seek_to_last(mi->it);
		return;
	}
	rocksdb_iter_seek_for_prev(mi->it, mi->upper, mi->ulen);
	/* seek_for_prev lands on upper itself when it exists. */
	if (rocksdb_iter_valid(mi->it)) {
		size_t kl;
		const char *k = rocksdb_iter_key(mi->it, &kl);

		if (kl == mi->ulen && memcmp(k, mi->upper, kl) == 0)
			rocksdb_iter_prev(mi->it);
	}
}

void
store_meta_iter_seek(struct store_meta_iter *mi, const char *key, size_t klen)
{
	rocksdb_iter_seek(mi->it, key, klen);
}

void
store_meta_iter_seek_prev(
    struct store_meta_iter *mi, const char *key, size_t klen)
{
	rocksdb_iter_seek_for_prev(mi->it, key, klen);
}

void
store_meta_iter_next(struct store_meta_iter *mi)
{
	if (rocksdb_iter_valid(mi->it))
		rocksdb_iter_next(mi->it);
}

void
store_meta_iter_prev(struct store_meta_iter *mi)
{
	if (rocksdb_iter_valid(mi->it))
		rocksdb_iter_prev(mi->it);
}

const char *
store_meta_iter_key(const struct store_meta_iter *mi, size_t *klen)
{
	return rocksdb_iter_key(mi->it, klen);
}

const void *
store_meta_iter_value(const struct store_meta_iter *mi, size_t *vlen)
{
	return rocksdb_iter_value(mi->it, vlen);
}

int
store_meta_scan(struct store *s, const char *prefix, size_t plen, int reverse,
    size_t limit, store_meta_cb cb, void *arg, char **cause)
{
	struct store_meta_iter *mi = store_meta_iter_new(s, prefix, plen);
	size_t count = 0;
	char *err = NULL;

	if (reverse)
		store_meta_iter_last(mi);
	else
		store_meta_iter_first(mi);
	while (store_meta_iter_valid(mi) && (limit == 0 || count < limit)) {
		const char *k, *v;
		size_t kl, vl;

		k = store_meta_iter_key(mi, &kl);
		v = store_meta_iter_value(mi, &vl);
		count++;
		if (cb(arg, k, kl, v, vl) != 0)
			break;
		if (reverse)
			store_meta_iter_prev(mi);
		else
			store_meta_iter_next(mi);
	}
	rocksdb_iter_get_error(mi->it, &err);
	store_meta_iter_free(mi);
	if (err != NULL)
		return meta_fail(s, err, cause);
	return 0;
}
