/*
 * Internals shared by the store's files: the store handle, key layouts,
 * and the functions each file offers the others.  Not for use outside
 * store/ (tests excepted).
 *
 * Column families and keys (all integers big-endian):
 *   default   "format" -> "citybrain-store <version>"; "batchlog.next"
 *   index     [id u32] -> canonical key
 *   chunks    [hour u32][id u32][first time - hour start u32] -> chunk
 *   head      [id u32] -> head record (last values, open chunk)
 *   batchlog  [seq u64] -> batch record
 *   rollup_m  [hour u32][id u32] -> rollup block of 60 minutes
 *   rollup_h  [day u32][id u32] -> rollup block of 24 hours
 *   meta      caller's keys
 *   queue     caller's keys (the forwarding queue; a build from before
 *             this family refuses a store that has it)
 * Time-major keys let retention drop whole ranges with DeleteRange.
 *
 * Durability: each write batch is one RocksDB write to the batch log (and
 * the index, for new series).  Everything derived from the points (closed
 * chunks, rollups, late merges) collects in a write batch with index
 * (pending, read through by queries) and reaches RocksDB only at a
 * checkpoint, in one atomic write together with the head records (open
 * chunks) and the deletion of the batch log.  So the database always
 * holds exactly the state of the last checkpoint plus the batch log, and
 * replaying the log at open is deterministic.
 *
 * Threads (store/apply.c): store_write() checks a batch against the
 * writer's view of each series (struct series w_ fields), writes it to
 * the batch log and returns; the apply thread then applies the logged
 * batches to the head in batch-log order (chunk encoding, rollups, the
 * pending batch, checkpoints).  A checkpoint deletes only the batch-log
 * records already applied (below applied_seq), so the database still
 * holds a checkpoint plus the log that follows it (so a batch queued
 * without its points, the queue's ring being full, is read back from its
 * record in its turn).  Everything else that
 * reads the head (queries, lists, stats, flush, close, new series: the
 * index may grow) first waits until the apply thread is idle
 * (store_apply_wait()); the thread is idle exactly when no batch is
 * queued, so the caller's thread and the apply thread never touch the
 * head at the same time.  failed is written under the apply lock.
 * Chunks that end their hour are sealed and closed later on the apply
 * thread, all of them before it goes idle and before a checkpoint
 * (seal.c); the close thread (close.c) computes the closes of most of
 * them, reading only the sealed chunks, and the apply thread puts its
 * results.
 */
#ifndef CB_STORE_INT_H
#define CB_STORE_INT_H

#include <rocksdb/c.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "store/agg.h"
#include "store/chunk.h"
#include "store/index.h"
#include "store/rate-minute.h"
#include "store/store.h"

#define STORE_MINUTE_MS 60000LL
#define STORE_HOUR_MS   3600000LL
#define STORE_DAY_MS    86400000LL
/* Chunks never span a window; the window is also the minute tier's
 * block period. */
#define STORE_WINDOW_MS STORE_HOUR_MS

/* Points further ahead of the wall clock than this are stored but do not
 * move the store's clock (max_data_t), which decides when idle series'
 * open chunks close: one skewed device must not close everyone's. */
#define STORE_AHEAD_MS STORE_HOUR_MS

/* An open chunk closes early at this size (then the window holds several
 * chunks). */
#define CHUNK_MAX_POINTS 1024
#define CHUNK_MAX_BYTES  3072

static inline void
key_put32(uint8_t *p, uint32_t x)
{
	p[0] = x >> 24;
	p[1] = x >> 16;
	p[2] = x >> 8;
	p[3] = x;
}

static inline uint32_t
key_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void
key_put64(uint8_t *p, uint64_t x)
{
	key_put32(p, (uint32_t)(x >> 32));
	key_put32(p + 4, (uint32_t)x);
}

static inline uint64_t
key_get64(const uint8_t *p)
{
	return (uint64_t)key_get32(p) << 32 | key_get32(p + 4);
}

static inline int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static inline int64_t
window_of(int64_t t)
{
	return t - t % STORE_WINDOW_MS; /* t >= 0 */
}

/* The key of the chunk of series id that starts at first_t. */
static inline void
store_chunk_key(uint8_t k[12], uint32_t id, int64_t first_t)
{
	int64_t w = window_of(first_t);

	key_put32(k, (uint32_t)(w / STORE_HOUR_MS));
	key_put32(k + 4, id);
	key_put32(k + 8, (uint32_t)(first_t - w));
}

/* Serialize c into b (replacing its contents). */
static inline void
store_chunk_serialize(const struct chunk_enc *c, struct buf *b)
{
	size_t len = chunk_enc_size(c);

	buf_reset(b);
	buf_reserve(b, len);
	chunk_enc_serialize(c, (uint8_t *)b->data);
	b->len = len;
}

/* What closing a chunk computes from its points alone (close.c). */
struct close_result {
	struct buf minute; /* the window's minute block, encoded */
	struct agg hour;   /* the window's hour slot */
	struct rate_minute hour_rm;
};

/* For undoing pass-one updates of a write that failed. */
struct store_undo {
	uint32_t id;
	int64_t last_t;
};

struct store {
	char *dir;
	struct store_options opts;
	rocksdb_t *db;
	rocksdb_options_t *dbopts;
	rocksdb_options_t *cfopts[STORE_CF_MAX];
	rocksdb_column_family_handle_t *cf[STORE_CF_MAX];
	rocksdb_block_based_table_options_t *bbto[STORE_CF_MAX];
	rocksdb_cache_t *cache;
	rocksdb_writeoptions_t *wo_durable; /* sync when opts.fsync */
	rocksdb_writeoptions_t *wo_lazy;    /* never sync */
	rocksdb_readoptions_t *ro;
	rocksdb_readoptions_t *ro_prefix; /* prefix_same_as_start */

	struct index ix;
	rocksdb_writebatch_wi_t *pending; /* closed chunks, rollups, head
	                                     records until the checkpoint */
	rocksdb_writebatch_t *wb_index;   /* new series not yet written */
	uint64_t first_seq;               /* oldest batch log key alive */
	uint64_t next_seq;                /* next batch log key (writer) */
	uint64_t applied_seq;             /* batch log keys below it are in
	                                     the head (apply thread) */
	struct store_applier *applier;    /* NULL: writes apply in place */
	struct store_closer *closer;      /* with the applier (close.c) */
	struct store_write_hook hook;     /* prepare NULL: none (queue.c) */
	struct store_qmark *qmark;        /* the queue's trim mark (queue.c) */
	uint64_t blog_bytes;              /* batch log bytes since the last
	                                     checkpoint */
	uint32_t *sealed;                 /* ids that may have a sealed
	                                     chunk (head.c) */
	size_t nsealed, sealed_cap;
	size_t sealed_live; /* series with a sealed chunk */
	uint32_t *dirty;    /* ids with SERIES_DIRTY */
	size_t ndirty, dirty_cap;
	int64_t max_data_t;     /* newest point in the store, at most
	                           STORE_AHEAD_MS past now_ms */
	int64_t now_ms;         /* wall clock of the write being applied */
	int64_t written_from;   /* oldest window whose chunks or rollups
	                           were written since the last tidy at
	                           close (INT64_MAX: none) */
	int64_t retention_done; /* wall hour last applied */
	int replaying;
	char *failed;      /* after a write error: why */
	int failed_warned; /* the apply thread has logged it */

	/* Scratch reused across calls. */
	struct buf blog;
	struct buf tmp;    /* a serialized chunk */
	struct buf rtmp;   /* an encoded rollup block */
	struct bitw rbits; /* its bits */
	struct buf ktmp;   /* a canonical key */
	struct ptvec pts;
	struct ptvec blog_pts; /* a batch-log record being replayed */
	struct buf blog_ids;   /* its series ids (uint32_t) */
	struct chunk_enc late_enc;
	struct close_result close_res; /* a close computed here */
	uint32_t *sc_ids;
	int64_t *sc_ts;
	double *sc_vs;
	struct store_undo *sc_undo;
	size_t sc_cap;

	struct store_stats st; /* counters part */
};

/* store.c */
void store_warn(struct store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* An iterator over cf that sees pending writes; caller destroys it. */
rocksdb_iterator_t *store_iter(struct store *s, enum store_cf cf, int prefix);
/* Get through pending writes: 0 with *val (caller frees, NULL when
 * absent) or -1. */
int store_get(struct store *s, enum store_cf cf, const void *key, size_t klen,
    char **val, size_t *vlen, char **cause);
void store_mark_dirty(struct store *s, struct series *ser);
/* An empty pending batch (its buffer reserved). */
rocksdb_writebatch_wi_t *store_pending_new(const struct store *s);
int store_set_failed(
    struct store *s, const char *what, char *err, char **cause);

/* apply.c */
struct store_applier;
/* Batches queued at most (their descriptors only). */
#define APPLY_QUEUE_JOBS 64
/* Points of spilled batches queued at most: about 4 MiB of batch log,
 * which stays in its memtable (5 MiB) until they are read back. */
#define APPLY_SPILL_POINTS (384 * 1024)
/* Start the apply thread (s->applier); 0 or -1. */
int store_apply_start(struct store *s, char **cause);
/* Wait for the queued batches, stop the thread; NULL applier is fine. */
void store_apply_stop(struct store *s);
/* Return once every queued batch is applied (at once without a thread). */
void store_apply_wait(struct store *s);
/* Apply a logged batch (key seq) to the head: in the apply thread when
 * there is one (the arrays are copied), else here.  The batch log held
 * blog_len bytes of it; wall is the write's clock. */
void store_apply_submit(struct store *s, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, int64_t wall, uint64_t seq, size_t blog_len);
/* Where n points go in the apply queue's ring of cap points, or SIZE_MAX
 * when they do not fit now: count jobs queued, the oldest starting at
 * old_off, the newest at new_off and ending at new_end (wrapping to 0). */
size_t store_apply_ring_fit(size_t cap, size_t count, size_t old_off,
    size_t new_off, size_t new_end, size_t n);
/* 0, or -1 with *cause (may be NULL) a copy of s->failed. */
int store_apply_failed(struct store *s, char **cause);
/* Set s->failed to msg (heap; freed when s->failed is already set). */
void store_apply_set_failed(struct store *s, char *msg);

/* db.c */
int store_db_open(struct store *s, char **cause);
void store_db_close(struct store *s);
int store_db_tidy(struct store *s, int full, char **cause);
int store_db_get(struct store *s, enum store_cf cf, const void *key,
    size_t klen, char **val, size_t *vlen, char **cause);

/* head.c */
void store_head_apply(struct store *s, uint32_t id, int64_t t, double v);
/* Apply n points in order; runs of one series' points before its newest
 * (ascending) are merged one chunk at a time. */
void store_head_apply_batch(struct store *s, const uint32_t *ids,
    const int64_t *ts, const double *vs, size_t n);
int store_head_load(struct store *s, char **cause);
int store_head_checkpoint(struct store *s, int gc, char **cause);
/* Write chunk c of series id (its open or its sealed chunk) to the
 * pending batch with its window's rollups. */
void store_head_close_chunk(
    struct store *s, uint32_t id, struct series *ser, struct chunk_enc *c);
/* Close the open chunk of ser (its sealed one first) and reset it. */
void store_head_close(struct store *s, uint32_t id, struct series *ser);

/* seal.c */
/* The open chunk of ser ended its window: seal it (with the apply
 * thread) or close it now. */
void store_head_seal(struct store *s, uint32_t id, struct series *ser);
/* Close the sealed chunk of ser. */
void store_head_close_sealed_one(
    struct store *s, uint32_t id, struct series *ser);
/* Close up to max sealed chunks (SIZE_MAX: all); how many are left.
 * With help 0, sealed chunks handed to the close thread are waited for,
 * not computed here. */
size_t store_head_close_sealed(struct store *s, size_t max, int help);
/* Free the sealed chunk of ser (closed). */
void store_head_sealed_free(struct store *s, struct series *ser);
/* Read the closed chunks of series id in the window starting at w, up
 * to time hi, into pv (ascending); corrupt chunks are reported (to r, if
 * not NULL) and skipped. */
void store_chunks_read_window(struct store *s, rocksdb_iterator_t *it,
    uint32_t id, int64_t w, int64_t hi, struct ptvec *pv,
    struct store_result *r);
/* Encode the head record of ser into out. */
void store_head_record(const struct series *ser, struct buf *out);
/* The same in version 1 (format 2 and older), for tests of reading old
 * stores. */
void store_head_record_v1(const struct series *ser, struct buf *out);

/* head.c */
/* Test hook: this many next checkpoints fail to write, as on a full
 * disk. */
extern unsigned store_checkpoint_fail_next;

/* write.c */
/* Test hook: this many next batch-log writes fail as a full disk would,
 * without RocksDB stopping (as after it resumed by itself). */
extern unsigned store_write_fail_next;

/* apply.c */
/* Test hook: 1, every batch is queued spilled (read back from the log);
 * 2, every other one. */
extern unsigned store_apply_spill_test;
/* Test hooks, from any thread: with hold 1 the apply thread takes no
 * further job until hold 0 (or the store closes), so that a writer fills
 * the queue; peek tells the jobs queued, the points of the spilled ones
 * and the writers waiting for room.  A reader of the head waits for a
 * held queue as for any other. */
void store_apply_hold(struct store *s, int hold);
void store_apply_peek(
    struct store *s, size_t *jobs, size_t *spilled, size_t *waiting);

/* close.c */
/* Test hook: the close thread sleeps this long before each close. */
extern unsigned store_close_delay_us;
/* Decode chunk c and compute its window's rollups into r; tmp, pts and
 * bits are the caller's scratch.  Reads nothing else. */
void store_close_compute(const struct chunk_enc *c, struct buf *tmp,
    struct ptvec *pts, struct bitw *bits, struct close_result *r);
/* Write chunk c of series id and the rollups r computed from it to the
 * pending batch (the hour tier: read, slot replaced, written). */
void store_close_put(struct store *s, uint32_t id, struct series *ser,
    const struct chunk_enc *c, const struct close_result *r);
/* Start the close thread (s->closer); 0 or -1.  Stop it (every handed
 * chunk put already); NULL closer is fine. */
int store_close_start(struct store *s, char **cause);
void store_close_stop(struct store *s);
/* Hand the sealed chunk of ser to the close thread: 0, or -1 when there
 * is none or its queue is full. */
int store_close_hand(struct store *s, uint32_t id, struct series *ser);
/* Close the handed sealed chunk of ser now (computing it here when the
 * close thread has not begun it) and free it. */
void store_close_take(struct store *s, uint32_t id, struct series *ser);
enum store_close_mode {
	CLOSE_READY, /* only results already computed */
	CLOSE_WAIT,  /* waiting for the close thread's results */
	CLOSE_HELP,  /* computing here those it has not begun */
};
/* Close up to max handed chunks, oldest first; how many. */
size_t store_close_progress(
    struct store *s, size_t max, enum store_close_mode mode);

/* batchlog.c */
void store_batchlog_encode(struct buf *out, const uint32_t *ids,
    const int64_t *ts, const double *vs, size_t n);
int store_batchlog_replay(struct store *s, char **cause);
/* A record's points one at a time (replay; the apply thread's spilled
 * batches).  open: 0 and the point count, or -1 for a bad header.  next:
 * 1 and a point, 0 at the end of a whole record, -1 if it is damaged. */
struct batchlog_reader {
	const uint8_t *p, *end;
	uint64_t left;
	int64_t id, t;
};
int store_batchlog_open(
    struct batchlog_reader *r, const uint8_t *p, size_t len, uint64_t *n);
int store_batchlog_next(
    struct batchlog_reader *r, int64_t *id, int64_t *t, double *v);

/* retention.c */
int store_retention_run(struct store *s, int64_t now_ms, char **cause);

/* query.c helpers used by store.c */
void store_result_add_warning(struct store_result *r, const char *msg);

/* meta.c: the key/value spaces (meta, queue) by column family. */
int store_kv_write(struct store *s, enum store_cf cf,
    const struct store_meta_op *ops, size_t n, char **cause);
struct store_meta_iter *store_kv_iter_new(
    struct store *s, enum store_cf cf, const char *prefix, size_t plen);
/* The iterator's error (caller frees), or NULL. */
char *store_kv_iter_error(const struct store_meta_iter *mi);
/* Make store_meta_iter_first() seek to key instead of the prefix. */
void store_kv_iter_set_first(
    struct store_meta_iter *mi, const char *key, size_t klen);

/* queue.c: the compaction filter of the queue family, which drops the
 * records below the trim mark (made with the store, set on the family's
 * options before the database opens; freed after it closes). */
rocksdb_compactionfilter_t *store_queue_filter(struct store *s);
void store_queue_filter_free(struct store *s);
/* Read the trim mark at open (the filter has it from then on). */
int store_queue_mark_load(struct store *s, char **cause);

/* queue.c: the write hook's two calls around a batch's write wb (of
 * points ids, ts, vs [0..n)). */
void store_write_hook_prepare(struct store *s, rocksdb_writebatch_t *wb,
    const uint32_t *ids, const int64_t *ts, const double *vs, size_t n);
void store_write_hook_done(struct store *s, int written);

#endif
