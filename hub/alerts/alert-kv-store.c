/* The alerts module's key/value interface on the store's meta column
 * family (store_meta_*). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-kv.h"
#include "hub/alerts/alert-kv-store.h"
#include "lib/xmalloc.h"
#include "store/store.h"

static int
kv_store_put(
    void *impl, const char *key, const void *val, size_t len, char **cause)
{
	return store_meta_put(impl, key, strlen(key), val, len, cause);
}

static int
kv_store_get(void *impl, const char *key, char **val, size_t *len, char **cause)
{
	void *v = NULL;
	size_t n = 0;
	int r = store_meta_get(impl, key, strlen(key), &v, &n, cause);

	if (r < 0)
		return -1;
	if (r == 1) {
		free(v);
		return 0;
	}
	*val = v;
	if (len != NULL)
		*len = n;
	return 1;
}

static int
kv_store_del(void *impl, const char *key, char **cause)
{
	return store_meta_delete(impl, key, strlen(key), cause);
}

static int
kv_store_scan(void *impl, const char *prefix, const char *start,
    alert_kv_scan_fn fn, void *arg, char **cause)
{
	struct store_meta_iter *it;
	const char *k;
	const void *v;
	size_t klen, vlen, cap = 0;
	char *key = NULL;

	it = store_meta_iter_new(impl, prefix, strlen(prefix));
	if (it == NULL) {
		*cause = xstrdup("store: cannot create a meta iterator");
		return -1;
	}
	if (start != NULL)
		store_meta_iter_seek(it, start, strlen(start));
	else
		store_meta_iter_first(it);
	for (; store_meta_iter_valid(it); store_meta_iter_next(it)) {
		k = store_meta_iter_key(it, &klen);
		v = store_meta_iter_value(it, &vlen);
		if (klen + 1 > cap) {
			cap = klen + 64;
			key = xrealloc(key, cap);
		}
		memcpy(key, k, klen);
		key[klen] = '\0';
		if (fn(arg, key, v, vlen) != 0)
			break;
	}
	free(key);
	store_meta_iter_free(it);
	return 0;
}

static int
kv_store_write(
    void *impl, const struct alert_kv_op *ops, size_t n, char **cause)
{
	struct store_meta_op *mo = xcalloc(n + 1, sizeof *mo);
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		mo[i].key = ops[i].key;
		mo[i].klen = strlen(ops[i].key);
		mo[i].val = ops[i].val;
		mo[i].vlen = ops[i].len;
	}
	r = store_meta_write(impl, mo, n, cause);
	free(mo);
	return r;
}

static const struct alert_kv_ops kv_store_ops = {
    .put = kv_store_put,
    .get = kv_store_get,
    .del = kv_store_del,
    .scan = kv_store_scan,
    .free = NULL, /* the store is the hub's */
    .write = kv_store_write,
};

struct alert_kv *
alert_kv_store_create(struct store *s)
{
	struct alert_kv *kv = xcalloc(1, sizeof *kv);

	kv->ops = &kv_store_ops;
	kv->impl = s;
	return kv;
}
