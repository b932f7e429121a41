/* The alerts module's key/value interface and its in-memory backend. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-kv.h"
#include "lib/xmalloc.h"

static void
alert_kv_batch_add(
    struct alert_kv *kv, const char *key, const void *val, size_t len)
{
	struct alert_kv_op *op;
	char *copy = NULL;

	if (kv->nbatch == kv->cbatch) {
		kv->cbatch = kv->cbatch == 0 ? 256 : kv->cbatch * 2;
		kv->batch = xreallocarray(kv->batch, kv->cbatch, sizeof *op);
	}
	op = &kv->batch[kv->nbatch++];
	op->key = xstrdup(key);
	if (val != NULL) {
		copy = xmalloc(len + 1);
		memcpy(copy, val, len);
		copy[len] = '\0';
	}
	op->val = copy;
	op->len = len;
}

static void
alert_kv_batch_clear(struct alert_kv *kv)
{
	size_t i;

	for (i = 0; i < kv->nbatch; i++) {
		free((char *)kv->batch[i].key);
		free((char *)kv->batch[i].val);
	}
	free(kv->batch);
	kv->batch = NULL;
	kv->nbatch = kv->cbatch = 0;
}

static int
alert_kv_write_now(
    struct alert_kv *kv, const struct alert_kv_op *ops, size_t n, char **cause)
{
	size_t i;

	if (kv->ops->write != NULL)
		return kv->ops->write(kv->impl, ops, n, cause);
	for (i = 0; i < n; i++) {
		if ((ops[i].val != NULL
		            ? kv->ops->put(kv->impl, ops[i].key, ops[i].val,
		                  ops[i].len, cause)
		            : kv->ops->del(kv->impl, ops[i].key, cause)) != 0)
			return -1;
	}
	return 0;
}

void
alert_kv_begin(struct alert_kv *kv)
{
	kv->batching = 1;
}

int
alert_kv_commit(struct alert_kv *kv, char **cause)
{
	int r = 0;

	kv->batching = 0;
	if (kv->nbatch > 0)
		r = alert_kv_write_now(kv, kv->batch, kv->nbatch, cause);
	alert_kv_batch_clear(kv);
	return r;
}

int
alert_kv_put(struct alert_kv *kv, const char *key, const void *val, size_t len,
    char **cause)
{
	if (kv->batching) {
		alert_kv_batch_add(kv, key, val, len);
		return 0;
	}
	return kv->ops->put(kv->impl, key, val, len, cause);
}

int
alert_kv_put_str(
    struct alert_kv *kv, const char *key, const char *val, char **cause)
{
	return alert_kv_put(kv, key, val, strlen(val), cause);
}

int
alert_kv_get(
    struct alert_kv *kv, const char *key, char **val, size_t *len, char **cause)
{
	size_t i;

	for (i = kv->nbatch; i > 0; i--) {
		const struct alert_kv_op *op = &kv->batch[i - 1];

		if (strcmp(op->key, key) != 0)
			continue;
		if (op->val == NULL)
			return 0; /* deleted in the batch */
		*val = xmalloc(op->len + 1);
		memcpy(*val, op->val, op->len + 1);
		if (len != NULL)
			*len = op->len;
		return 1;
	}
	return kv->ops->get(kv->impl, key, val, len, cause);
}

int
alert_kv_del(struct alert_kv *kv, const char *key, char **cause)
{
	if (kv->batching) {
		alert_kv_batch_add(kv, key, NULL, 0);
		return 0;
	}
	return kv->ops->del(kv->impl, key, cause);
}

int
alert_kv_scan(struct alert_kv *kv, const char *prefix, const char *start,
    alert_kv_scan_fn fn, void *arg, char **cause)
{
	int batching = kv->batching;

	if (kv->nbatch > 0) {
		if (alert_kv_commit(kv, cause) != 0)
			return -1;
		kv->batching = batching;
	}
	return kv->ops->scan(kv->impl, prefix, start, fn, arg, cause);
}

int
alert_kv_write(
    struct alert_kv *kv, const struct alert_kv_op *ops, size_t n, char **cause)
{
	size_t i;

	if (kv->batching) {
		for (i = 0; i < n; i++)
			alert_kv_batch_add(
			    kv, ops[i].key, ops[i].val, ops[i].len);
		return 0;
	}
	return alert_kv_write_now(kv, ops, n, cause);
}

void
alert_kv_free(struct alert_kv *kv)
{
	char *cause = NULL;

	if (kv == NULL)
		return;
	if (kv->nbatch > 0 && alert_kv_commit(kv, &cause) != 0)
		free(cause); /* nothing to report it to at this point */
	alert_kv_batch_clear(kv);
	if (kv->ops->free != NULL)
		kv->ops->free(kv->impl);
	free(kv);
}

/* ---- In memory: a sorted array ----------------------------------------- */

struct kv_mem_item {
	char *key;
	char *val;
	size_t len;
};

struct kv_mem {
	struct kv_mem_item *items;
	size_t n, cap;
};

/* Index of the first item with key >= key. */
static size_t
kv_mem_lower(struct kv_mem *m, const char *key)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(m->items[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
kv_mem_put(
    void *impl, const char *key, const void *val, size_t len, char **cause)
{
	struct kv_mem *m = impl;
	size_t i = kv_mem_lower(m, key);
	char *copy = xmalloc(len + 1);

	memcpy(copy, val, len);
	copy[len] = '\0';
	if (i < m->n && strcmp(m->items[i].key, key) == 0) {
		free(m->items[i].val);
		m->items[i].val = copy;
		m->items[i].len = len;
		return 0;
	}
	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 64 : m->cap * 2;
		m->items = xreallocarray(m->items, m->cap, sizeof *m->items);
	}
	memmove(&m->items[i + 1], &m->items[i], (m->n - i) * sizeof *m->items);
	m->items[i].key = xstrdup(key);
	m->items[i].val = copy;
	m->items[i].len = len;
	m->n++;
	return 0;
}

static int
kv_mem_get(void *impl, const char *key, char **val, size_t *len, char **cause)
{
	struct kv_mem *m = impl;
	size_t i = kv_mem_lower(m, key);

	if (i >= m->n || strcmp(m->items[i].key, key) != 0)
		return 0;
	*val = xmalloc(m->items[i].len + 1);
	memcpy(*val, m->items[i].val, m->items[i].len + 1);
	if (len != NULL)
		*len = m->items[i].len;
	return 1;
}

static int
kv_mem_del(void *impl, const char *key, char **cause)
{
	struct kv_mem *m = impl;
	size_t i = kv_mem_lower(m, key);

	if (i >= m->n || strcmp(m->items[i].key, key) != 0)
		return 0;
	free(m->items[i].key);
	free(m->items[i].val);
	memmove(
	    &m->items[i], &m->items[i + 1], (m->n - i - 1) * sizeof *m->items);
	m->n--;
	return 0;
}

static int
kv_mem_scan(void *impl, const char *prefix, const char *start,
    alert_kv_scan_fn fn, void *arg, char **cause)
{
	struct kv_mem *m = impl;
	size_t plen = strlen(prefix), i;
	char *key;

	i = kv_mem_lower(
	    m, start != NULL && strcmp(start, prefix) > 0 ? start : prefix);
	for (; i < m->n; i++) {
		if (strncmp(m->items[i].key, prefix, plen) != 0)
			break;
		/* fn may not modify the kv, but copy the key to be safe. */
		key = xstrdup(m->items[i].key);
		if (fn(arg, key, m->items[i].val, m->items[i].len) != 0) {
			free(key);
			break;
		}
		free(key);
	}
	return 0;
}

static void
kv_mem_free(void *impl)
{
	struct kv_mem *m = impl;
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->items[i].key);
		free(m->items[i].val);
	}
	free(m->items);
	free(m);
}

static const struct alert_kv_ops kv_mem_ops = {
    .put = kv_mem_put,
    .get = kv_mem_get,
    .del = kv_mem_del,
    .scan = kv_mem_scan,
    .free = kv_mem_free,
};

struct alert_kv *
alert_kv_memory_create(void)
{
	struct alert_kv *kv = xcalloc(1, sizeof *kv);

	kv->ops = &kv_mem_ops;
	kv->impl = xcalloc(1, sizeof(struct kv_mem));
	return kv;
}

int
alert_kv_memory_poke(struct alert_kv *kv, const char *key, const char *val)
{
	struct kv_mem *m = kv->impl;
	size_t i = kv_mem_lower(m, key);

	if (kv->ops != &kv_mem_ops || i >= m->n ||
	    strcmp(m->items[i].key, key) != 0)
		return -1;
	free(m->items[i].val);
	m->items[i].val = xstrdup(val);
	m->items[i].len = strlen(val);
	return 0;
}
