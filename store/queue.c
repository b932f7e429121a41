/* The queue key/value space (the hub's forwarding queue), its trim mark
 * and the write hook that puts queue records into the batches' own
 * writes. */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/store-int.h"

/* The metadata key of the trim mark: this + the queue's prefix. */
#define QMARK_KEY    "queue/low/"
#define QMARK_KEYLEN (sizeof QMARK_KEY - 1)
#define QPREFIX_MAX  64

/*
 * The trim mark: records of prefix below low are dead.  The mark is in
 * the metadata (written with fsync before anything is dropped), so that
 * a crash never brings a record back; low here is what the compaction
 * filter reads on RocksDB's threads (prefix is written once, before low
 * is first published).
 */
struct store_qmark {
	char prefix[QPREFIX_MAX];
	size_t plen; /* 0: not known yet */
	_Atomic uint64_t low;
	rocksdb_compactionfilter_t *filter;
};

static uint64_t
qseq(const char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | (unsigned char)p[i];
	return v;
}

static void
qseq_put(char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (char)(v & 0xff);
}

static unsigned char
qmark_filter(void *arg, int level, const char *key, size_t klen,
    const char *val, size_t vlen, char **nval, size_t *nvlen,
    unsigned char *changed)
{
	struct store_qmark *m = arg;
	uint64_t low = atomic_load_explicit(&m->low, memory_order_acquire);

	(void)level, (void)val, (void)vlen, (void)nval, (void)nvlen;
	*changed = 0;
	return low != 0 && klen == m->plen + 8 &&
	       memcmp(key, m->prefix, m->plen) == 0 &&
	       qseq(key + m->plen) < low;
}

/* The mark is freed by store_queue_filter_free(), not by RocksDB. */
static void
qmark_filter_nofree(void *arg)
{
	(void)arg;
}

static const char *
qmark_filter_name(void *arg)
{
	(void)arg;
	return "citybrain.queue-trim";
}

rocksdb_compactionfilter_t *
store_queue_filter(struct store *s)
{
	if (s->qmark == NULL) {
		s->qmark = xcalloc(1, sizeof *s->qmark);
		s->qmark->filter = rocksdb_compactionfilter_create(s->qmark,
		    qmark_filter_nofree, qmark_filter, qmark_filter_name);
	}
	return s->qmark->filter;
}

void
store_queue_filter_free(struct store *s)
{
	if (s->qmark == NULL)
		return;
	rocksdb_compactionfilter_destroy(s->qmark->filter);
	free(s->qmark);
	s->qmark = NULL;
}

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
store_queue_mark_load(struct store *s, char **cause)
{
	struct store_qmark *m = (store_queue_filter(s), s->qmark);
	struct store_meta_iter *mi =
	    store_meta_iter_new(s, QMARK_KEY, QMARK_KEYLEN);
	const char *k, *v;
	size_t kl, vl;
	char *err;

	store_meta_iter_first(mi);
	if (store_meta_iter_valid(mi)) {
		k = store_meta_iter_key(mi, &kl);
		v = store_meta_iter_value(mi, &vl);
		if (kl > QMARK_KEYLEN && kl - QMARK_KEYLEN <= QPREFIX_MAX &&
		    vl == 8) {
			m->plen = kl - QMARK_KEYLEN;
			memcpy(m->prefix, k + QMARK_KEYLEN, m->plen);
			atomic_store_explicit(
			    &m->low, qseq(v), memory_order_release);
		}
	}
	err = store_kv_iter_error(mi);
	store_meta_iter_free(mi);
	if (err != NULL) {
		if (cause != NULL)
			*cause =
			    xasprintf("%s: reading the queue's trim mark: %s",
			        s->dir, err);
		free(err);
		return -1;
	}
	return 0;
}

/* The trim mark of prefix into *low (0: none; read at open by
 * store_queue_mark_load, which finds the one mark a store can have): 0,
 * or -1 when prefix is not the store's queue prefix. */
static int
qmark_get(struct store *s, const char *prefix, size_t plen, uint64_t *low,
    char **cause)
{
	struct store_qmark *m = s->qmark;

	if (m->plen == 0) {
		if (plen == 0 || plen > QPREFIX_MAX) {
			if (cause != NULL)
				*cause = xasprintf("%s: queue: a prefix of "
				                   "1 to %d bytes, not %zu",
				    s->dir, QPREFIX_MAX, plen);
			return -1;
		}
		memcpy(m->prefix, prefix, plen);
		m->plen = plen;
	} else if (plen != m->plen || memcmp(prefix, m->prefix, plen) != 0) {
		if (cause != NULL)
			*cause = xasprintf(
			    "%s: queue: one prefix per store", s->dir);
		return -1;
	}
	*low = atomic_load_explicit(&m->low, memory_order_relaxed);
	return 0;
}

/* The key of record seq of prefix into k (plen + 8 bytes). */
static void
qrec_key(char *k, const char *prefix, size_t plen, uint64_t seq)
{
	memcpy(k, prefix, plen);
	qseq_put(k + plen, seq);
}

int
store_queue_trim(struct store *s, const char *prefix, size_t plen,
    uint64_t below, char **cause)
{
	struct store_qmark *m = s->qmark;
	char key[QMARK_KEYLEN + QPREFIX_MAX], val[8], from[QPREFIX_MAX + 8],
	    to[QPREFIX_MAX + 8], *err = NULL;
	uint64_t low;

	if (qmark_get(s, prefix, plen, &low, cause) != 0)
		return -1;
	if (below <= low)
		return 0;
	memcpy(key, QMARK_KEY, QMARK_KEYLEN);
	memcpy(key + QMARK_KEYLEN, prefix, plen);
	qseq_put(val, below);
	if (store_meta_put(s, key, QMARK_KEYLEN + plen, val, 8, cause) != 0)
		return -1;
	atomic_store_explicit(&m->low, below, memory_order_release);
	/* Files wholly below the mark go now (DeleteFilesInRange includes
	 * the end: the last dead record, not the first live one). */
	qrec_key(from, prefix, plen, 0);
	qrec_key(to, prefix, plen, below - 1);
	rocksdb_delete_file_in_range_cf(
	    s->db, s->cf[STORE_CF_QUEUE], from, plen + 8, to, plen + 8, &err);
	if (err != NULL) {
		/* The mark holds; compactions will drop them. */
		store_warn(s, "queue: dropping trimmed files: %s", err);
		free(err);
	}
	return 0;
}

int
store_queue_get(struct store *s, const char *key, size_t klen, void **val,
    size_t *vlen, char **cause)
{
	struct store_qmark *m = s->qmark;
	char *v;
	size_t len;
	uint64_t low;

	/* A record below the mark is dead even where the disk has it. */
	if (m->plen > 0 && klen == m->plen + 8 &&
	    memcmp(key, m->prefix, m->plen) == 0 &&
	    qmark_get(s, m->prefix, m->plen, &low, cause) == 0 &&
	    qseq(key + m->plen) < low) {
		*val = NULL;
		if (vlen != NULL)
			*vlen = 0;
		return 1;
	}
	if (store_db_get(s, STORE_CF_QUEUE, key, klen, &v, &len, cause) != 0)
		return -1;
	*val = v;
	if (vlen != NULL)
		*vlen = v != NULL ? len : 0;
	return v != NULL ? 0 : 1;
}

struct store_meta_iter *
store_queue_iter_new(struct store *s, const char *prefix, size_t plen)
{
	struct store_meta_iter *mi =
	    store_kv_iter_new(s, STORE_CF_QUEUE, prefix, plen);
	char first[QPREFIX_MAX + 8];
	uint64_t low;

	/* The queue's own prefix: records from the mark on. */
	if (plen > 0 && plen <= QPREFIX_MAX &&
	    qmark_get(s, prefix, plen, &low, NULL) == 0 && low > 0) {
		qrec_key(first, prefix, plen, low);
		store_kv_iter_set_first(mi, first, plen + 8);
	}
	return mi;
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
