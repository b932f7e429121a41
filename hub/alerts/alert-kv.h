/*
 * A small ordered key/value interface for the alerts module's persistent
 * state (alerts, silences, deliveries, the audit log).  In the hub it is
 * backed by the store's meta column family (alert-kv-store.c); tests and
 * benchmarks may use the in-memory implementation below.
 *
 * Keys are NUL-terminated strings compared bytewise; values are byte
 * strings.  Writes are durable when put/batch returns 0 (as durable as the
 * backend is).  Not thread-safe: the hub calls it from its event loop only.
 */
#ifndef CB_HUB_ALERT_KV_H
#define CB_HUB_ALERT_KV_H

#include <stddef.h>

/* Called for each key in order; return nonzero to stop the scan. */
typedef int (*alert_kv_scan_fn)(
    void *arg, const char *key, const char *val, size_t len);

/* One put (val not NULL) or delete (val NULL) of a batch. */
struct alert_kv_op {
	const char *key;
	const void *val;
	size_t len;
};

struct alert_kv_ops {
	int (*put)(void *impl, const char *key, const void *val, size_t len,
	    char **cause);
	/* 1 found (*val heap, NUL-terminated after len; caller frees),
	 * 0 not found, -1 error. */
	int (*get)(
	    void *impl, const char *key, char **val, size_t *len, char **cause);
	int (*del)(void *impl, const char *key, char **cause);
	/* Keys starting with prefix and >= start (NULL: from the prefix). */
	int (*scan)(void *impl, const char *prefix, const char *start,
	    alert_kv_scan_fn fn, void *arg, char **cause);
	void (*free)(void *impl);
	/* Several puts and deletes at once, atomically if the backend can;
	 * may be NULL (then they are applied one by one). */
	int (*write)(
	    void *impl, const struct alert_kv_op *ops, size_t n, char **cause);
};

struct alert_kv {
	const struct alert_kv_ops *ops;
	void *impl;
	/* Group commit (alert_kv_begin): writes wait here, in order. */
	int batching;
	struct alert_kv_op *batch; /* keys and values owned */
	size_t nbatch, cbatch;
};

/* Wrappers over ops; 0/-1 with *cause (caller frees) as usual. */
int alert_kv_put(struct alert_kv *kv, const char *key, const void *val,
    size_t len, char **cause);
int alert_kv_put_str(
    struct alert_kv *kv, const char *key, const char *val, char **cause);
int alert_kv_get(struct alert_kv *kv, const char *key, char **val, size_t *len,
    char **cause);
int alert_kv_del(struct alert_kv *kv, const char *key, char **cause);
int alert_kv_scan(struct alert_kv *kv, const char *prefix, const char *start,
    alert_kv_scan_fn fn, void *arg, char **cause);
int alert_kv_write(
    struct alert_kv *kv, const struct alert_kv_op *ops, size_t n, char **cause);
/*
 * Group commit: after alert_kv_begin(), puts, deletes and writes are kept
 * (gets see them) until alert_kv_commit() writes them all at once, with
 * the backend's atomic write (one fsync instead of one per write).  A scan
 * commits first.  Used around a rule evaluation pass, whose hundreds of
 * changes have no client waiting on them.
 */
void alert_kv_begin(struct alert_kv *kv);
int alert_kv_commit(struct alert_kv *kv, char **cause);
/* Free the backend and kv itself (NULL is fine); a pending batch is
 * committed first. */
void alert_kv_free(struct alert_kv *kv);

/* An in-memory kv (tests, benchmarks); caller frees with alert_kv_free(). */
struct alert_kv *alert_kv_memory_create(void);
/* Replace the value of an existing key in a memory kv behind the API's back
 * (tests: tampering).  0, or -1 if absent. */
int alert_kv_memory_poke(struct alert_kv *kv, const char *key, const char *val);

#endif
