/*
 * store: citybrain's embedded time-series store on RocksDB.
 *
 * A series is a canonical key (lib/serieskey.h) interned to a small integer
 * id; a point is (time in ms since the epoch, double).  Recent points live
 * in per-series open chunks in memory; closed chunks are compressed and
 * written one RocksDB key each; per-minute and per-hour rollups are written
 * as chunks close.
 *
 * Durability: when store_write() returns 0, its accepted points survive a
 * kill -9 of the process (one RocksDB write per batch, into the batch log,
 * replayed at open); with options.fsync they also survive a power loss.
 * The same holds for store_meta_*() writes and for new series.
 *
 * Duplicates on (series, time) keep the last write.  Points older than
 * their series' newest point are merged into their chunks however far
 * behind they are (a collector replaying its spool after an outage, a
 * series whose device once sent a time ahead of the clock), unless they
 * are older than the raw retention counted from the wall clock: those
 * are rejected and counted (STORE_REJECT_LATE), never silently dropped.
 *
 * Thread safety: a struct store is not thread-safe.  All calls on one
 * store must come from one thread at a time (the hub calls from its event
 * loop).  Results and iterators are plain heap memory owned by the caller
 * and may be used from any thread, but an iterator must be freed before
 * the store is closed.
 *
 * The store's own apply thread (options.apply_thread, on by default):
 * store_write() returns once a batch is in the batch log (durable as
 * above), and one thread of the store applies logged batches to the head
 * (chunk encoding, rollups, checkpoints) in the order they were written,
 * while the caller's thread goes on parsing and logging the next ones.
 * Every call that reads the head (queries, readers, series lists, stats,
 * flush, close, creating a series) first waits until the batches written
 * so far are applied, so reads always see every write that returned
 * before them.  store_series_last() answers without waiting.
 * store_write() itself waits when the batches not yet applied hold
 * about 96 Ki points (store/apply.c).  With it comes a second thread,
 * cb-store-close, that computes the rollups of chunks that ended their
 * hour for the apply thread (store/close.c); it calls nothing of the
 * caller's.
 * options.warn may be called from the apply thread.
 *
 * RocksDB runs background threads: do not fork() a process that has
 * opened a store and then use a store in the child without exec()ing.
 *
 * Errors: functions return 0 on success and -1 on error with *cause set to
 * a message the caller frees (cause may be NULL to ignore it).
 *
 * This header only grows: fields are added at the end of structs.
 */
#ifndef CB_STORE_H
#define CB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/selector.h"
#include "lib/serieskey.h"

/* 2: rollup blocks store their columns apart; 3: rollup blocks with a
 * smaller head, leaner head records; 4: chunks (closed, and open ones in
 * head records) code no times for a regular run; 5: minute rollup blocks
 * may carry rate columns (store_minutes_*).  Older stores are read and
 * marked with this version on open, as new blocks may be written to them. */
#define STORE_FORMAT_VERSION 5

/* Points must have 0 <= t < STORE_TIME_MAX (the year 10000). */
#define STORE_TIME_MAX 253402300800000LL

struct store;

/* ------------------------------------------------------------------ */
/* Opening                                                              */

struct store_options {
	int create;                  /* create the store if dir is missing or
	                                empty (default 1) */
	int fsync;                   /* fsync each write for power-loss
	                                durability (default 0) */
	int64_t late_window_ms;      /* how long an idle series keeps its
	                                open chunk in memory after its
	                                window (default 1 h); older points
	                                are still accepted, merged into
	                                closed chunks at a higher cost */
	int64_t retention_raw_ms;    /* raw points (default 30 days) */
	int64_t retention_minute_ms; /* per-minute rollups (default 1 year) */
	int64_t retention_hour_ms;   /* per-hour rollups (default 5 years);
	                                0 means keep forever, for each tier */
	size_t cache_bytes;          /* RocksDB block cache (default 64 MiB) */
	size_t batchlog_bytes;       /* batch log size that triggers a head
	                                checkpoint (default 8 MiB) */
	/* Optional sink for warnings met inside the store (a corrupt chunk,
	 * a skipped record); the hub points it at its log.  msg is borrowed
	 * for the duration of the call. */
	void (*warn)(void *arg, const char *msg);
	void *warn_arg;
	int apply_thread; /* apply logged batches to the head on a thread
	                     of the store (default 1; 0: in store_write) */
	/* The queue family's memtable (store_queue_*(), the write hook's
	 * records): 0 (the default) for 2 MiB inside the 12 MiB that all
	 * the other families' memtables share; a size for a memtable of
	 * that size on top of the 12 MiB (the hub gives 16 MiB when it
	 * forwards), so that a busy queue neither flushes at the shared cap
	 * nor makes the other families flush early. */
	size_t queue_memtable_bytes;
};

/* Fill o with the defaults. */
void store_options_init(struct store_options *o);

/*
 * Open (or create) the store in directory dir.  Fails with a clear cause
 * when dir holds something other than a citybrain store, a store of a
 * newer format version, or cannot be read.  Replays the batch log of a
 * store that was not closed cleanly.  Returns NULL on error.
 */
struct store *store_open(
    const char *dir, const struct store_options *o, char **cause);
/* Checkpoint and close; NULL is allowed.  Nothing acknowledged is lost
 * even without it. */
void store_close(struct store *s);

/* ------------------------------------------------------------------ */
/* Series                                                               */

/*
 * Intern a series key (len bytes; need not be canonical: tags in any
 * order are sorted) and return its id in *id, creating the series when
 * it is new.  The fast path is a hash lookup of an already canonical key;
 * callers that see the same series often keep the id and write by id.
 * A new series becomes durable with the next store_write() (or flush or
 * close); from then on its id is stable for the life of the store.  Ids
 * are valid until the store is closed; keep them no longer.
 */
int store_series_intern(
    struct store *s, const char *key, size_t len, uint32_t *id, char **cause);
/* The same from a metric and tags (any order). */
int store_series_intern_tags(struct store *s, const char *metric,
    const struct serieskey_tag *tags, size_t ntags, uint32_t *id, char **cause);
/* Id of an existing series by key, without creating it: 0 if found,
 * -1 if not (cause set). */
int store_series_lookup(
    struct store *s, const char *key, size_t len, uint32_t *id, char **cause);
/* Canonical key of id (borrowed, valid until the store is closed), or
 * NULL for an unknown id. */
const char *store_series_key(struct store *s, uint32_t id);

/* ------------------------------------------------------------------ */
/* Writing                                                              */

enum store_reject {
	STORE_REJECT_LATE,   /* behind its series' newest point and older
	                        than the raw retention */
	STORE_REJECT_TIME,   /* time outside [0, STORE_TIME_MAX) */
	STORE_REJECT_SERIES, /* unknown series id or invalid key */
	STORE_REJECT_MAX
};

/* Name of a reject reason ("late", "time", "series"). */
const char *store_reject_name(enum store_reject r);

/* What happened to one write call. */
struct store_write_result {
	size_t accepted;
	size_t rejected[STORE_REJECT_MAX];
	/* Index in the batch of the first rejected point and why, for error
	 * messages; SIZE_MAX when none was rejected. */
	size_t first_rejected;
	enum store_reject first_reason;
	/* Accepted points at their series' newest time (they replace it) and
	 * before it (merged into their chunks). */
	size_t duplicates, late;
};

/*
 * Write n points of series ids[i] at ts[i] with value vs[i].  Rejected
 * points (see enum store_reject) are counted in *res (may be NULL) and do
 * not fail the call.  Returns 0 once the accepted points are durable; -1
 * only when nothing could be written (then nothing was).
 */
int store_write(struct store *s, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, struct store_write_result *res, char **cause);

/*
 * store_write(), and when acc is not NULL (n bytes), acc[i] is set to 1
 * when point i was accepted and 0 when it was rejected (so that what
 * follows a write, e.g. forwarding, sees exactly what was stored).  An
 * accepted point at the time of an earlier one of its series replaces
 * it (the last write of a (series, time) is kept).  When the call fails
 * (-1), nothing was written whatever acc says.
 */
int store_write_flags(struct store *s, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, unsigned char *acc,
    struct store_write_result *res, char **cause);

/*
 * A write hook: records that must be exactly as durable as the batches
 * they go with (the hub's forwarding queue).  For each batch with
 * accepted points, store_write() calls prepare on the writer's thread
 * with those points in the order the batch log holds them, just before
 * the batch's one RocksDB write; the queue puts prepare adds with
 * store_write_queue_put() go into that same WriteBatch, so that a crash
 * keeps the batch and its records together or neither.  Then it calls
 * done with written 1 when that write succeeded (store_write() returns
 * 0) or 0 when it failed (neither the batch nor the records are stored).
 * A batch with no accepted point calls neither.  Neither may write
 * points (store_write*()); done may use the store otherwise.
 */
struct store_write_extra; /* the batch's WriteBatch, during prepare */
struct store_write_hook {
	void (*prepare)(void *arg, const uint32_t *ids, const int64_t *ts,
	    const double *vs, size_t n, struct store_write_extra *x);
	void (*done)(void *arg, int written);
	void *arg;
};
/* Set s's write hook (copied), or with NULL remove it. */
void store_write_hook_set(struct store *s, const struct store_write_hook *h);
/* In prepare: put key = val into the queue family (store_queue_*()) in
 * the batch's write (both copied). */
void store_write_queue_put(struct store_write_extra *x, const char *key,
    size_t klen, const void *val, size_t vlen);

/* One point addressed by key, for the convenient slow path. */
struct store_kpoint {
	const char *key; /* NUL-terminated series key, need not be canonical */
	int64_t t;
	double v;
};
/* Intern each key and write; invalid keys are rejected as
 * STORE_REJECT_SERIES. */
int store_write_keys(struct store *s, const struct store_kpoint *pts, size_t n,
    struct store_write_result *res, char **cause);

/* ------------------------------------------------------------------ */
/* Queries                                                              */

enum store_agg {
	STORE_AGG_NONE, /* raw points */
	STORE_AGG_AVG,
	STORE_AGG_MIN,
	STORE_AGG_MAX,
	STORE_AGG_SUM,
	STORE_AGG_COUNT,
	STORE_AGG_LAST,
};

/* Parse "avg", "min", "max", "sum", "count", "last" or "raw"/"none";
 * 0 or -1. */
int store_agg_parse(const char *name, enum store_agg *agg);
const char *store_agg_name(enum store_agg agg);

/*
 * A query over the series matching sel, in [start, end).
 *
 * agg NONE returns the raw points of each series.  Otherwise points fall
 * into buckets [k*step, (k+1)*step) (aligned to the epoch, clipped to
 * [start, end); step 0 means a single bucket [start, end) reported at
 * start) and each non-empty bucket yields one point at its start.
 *
 * group 0: one result per series.  group 1: series are pooled into one
 * result per distinct combination of the `by` tags' values (a tag a series
 * lacks is left out of its group's key); nby 0 pools everything.
 *
 * Exact semantics (what the randomized test checks): count counts points
 * (NaN included); min/max ignore NaN unless all are NaN, ties keep the
 * earliest; last is the newest point (across series, ties go to the later
 * series in key order); sum adds in time order within each resolution
 * bucket R (1 h when step is a multiple of an hour or 0, 1 min when a
 * multiple of a minute, else the step), then those partial sums in time
 * order, then series in key order; avg is that sum / count.  These are
 * exactly the numbers the rollup tiers hold, so results do not depend on
 * which tier answered.
 */
struct store_query {
	const struct selector *sel;
	int64_t start, end;
	enum store_agg agg;
	int64_t step;
	int group;
	const char *const *by;
	size_t nby;
	size_t max_points; /* fail rather than return more (0: no limit) */
};

struct store_point {
	int64_t t;
	double v;
};

/* One series, or one group, of a result.  All memory owned by the
 * result. */
struct store_series_result {
	uint32_t id;        /* series id; 0 for a group */
	char *key;          /* canonical key, or the group's tags
	                       as {k="v",...} ("{}" for none) */
	const char *metric; /* NULL for a group */
	size_t ntags;
	struct serieskey_tag *tags; /* sorted by name */
	size_t nseries;             /* series pooled into a group (1) */
	size_t npoints;
	struct store_point *points; /* ascending time */
};

struct store_result {
	size_t n;
	struct store_series_result *series; /* sorted by key */
	size_t nwarnings;
	char **warnings;       /* e.g. a corrupt chunk skipped */
	size_t points_scanned; /* raw points + rollup
	                          buckets read */
	/* Set when data in range could not be read (a read error, a
	 * corrupt block): the answer may lack points; warnings say which. */
	int partial;
};

/* Run q into *r (caller frees with store_result_free; zeroed on error). */
int store_query_run(struct store *s, const struct store_query *q,
    struct store_result *r, char **cause);
void store_result_free(struct store_result *r);
/* Free what one series of a result owns and zero it (for callers that
 * build or edit results themselves). */
void store_series_result_clear(struct store_series_result *sr);

/* Raw points of every matching series in [start, end). */
int store_query_raw(struct store *s, const struct selector *sel, int64_t start,
    int64_t end, struct store_result *r, char **cause);

/* The newest point of every matching series whose newest point is at or
 * after since (use 0 for all): one point per series. */
int store_query_last(struct store *s, const struct selector *sel, int64_t since,
    struct store_result *r, char **cause);

/*
 * A streaming read of the raw points of every series matching sel in
 * [start, end): series one after another in id order (the order their
 * chunks are stored in, so that moving to the next series is usually a
 * few steps of an iterator rather than a seek; callers wanting key order
 * sort by sr->key), each series' points in ascending time, one chunk's
 * worth at a time, with no copy of the whole range.  For evaluators that
 * consume points in order (PromQL windows).  Corrupt chunks are skipped
 * with a warning (options.warn) and counted, as in store_query_raw.
 *
 * The store must not be written to (nor closed) while a reader is open:
 * open, read and close within one call of the store's thread.
 */
struct store_reader;

/* Open a reader into *rd (caller closes with store_reader_close). */
int store_reader_open(struct store *s, const struct selector *sel,
    int64_t start, int64_t end, struct store_reader **rd, char **cause);
/* Move to the next series that may have points in range: 1 with *sr its
 * id, key, metric and tags (no points; borrowed until the next call), or
 * 0 when there are no more. */
int store_reader_series(
    struct store_reader *rd, const struct store_series_result **sr);
/* The next points of the current series, ascending and after every point
 * returned before: 1 with *t, *v and *n > 0 (borrowed until the next
 * call), or 0 when the series has no more. */
int store_reader_next(
    struct store_reader *rd, const int64_t **t, const double **v, size_t *n);
/* The caller needs no point of the current series before t: whole chunks
 * before it are not read. */
void store_reader_skip(struct store_reader *rd, int64_t t);
/* Points returned so far, and whether data in range could not be read
 * (a corrupt chunk skipped). */
size_t store_reader_points(const struct store_reader *rd);
int store_reader_partial(const struct store_reader *rd);
/* NULL is allowed. */
void store_reader_close(struct store_reader *rd);

/* Per-minute rate summaries (store/rate-minute.h) of the series matching
 * sel over the whole minutes [start, end), for rate and increase over
 * minute-aligned windows: taken from the rate columns of the minute
 * rollups for closed hours whose blocks have them, summarized from the
 * raw points for every other hour (older blocks, hours with NaN, values
 * that are no short decimals or drops in many minutes, the open hour,
 * hours near the raw retention), so the summaries are always those of the
 * raw points.  Series come as store_reader's (id order, only those with
 * a point in the range). */
struct store_minutes;
/* Open into *mp (caller closes with store_minutes_close). */
int store_minutes_open(struct store *s, const struct selector *sel,
    int64_t start, int64_t end, struct store_minutes **mp, char **cause);
/* The next series: 1 with its labels in *sr and its minutes in *m (m[i]
 * for start + i minutes, only the count set when it is 0; both borrowed
 * until the next call), 0 when
 * there are no more, -1 on a read error. */
struct rate_minute;
int store_minutes_next(struct store_minutes *mr,
    const struct store_series_result **sr, const struct rate_minute **m);
/* 1 when the first series' closed hours mostly have rate columns; when
 * not (gauges), reading raw points directly costs less than summarizing
 * them, and the caller had better do that. */
int store_minutes_useful(const struct store_minutes *mr);
/* Series-hours answered from the rollups and from raw points so far. */
void store_minutes_counts(
    const struct store_minutes *mr, size_t *rollup_hours, size_t *raw_hours);
/* Series-hours answered from the head's per-minute aggregates (open
 * hours) so far. */
size_t store_minutes_head(const struct store_minutes *mr);
/* Series-hours whose minute block was corrupt or unreadable so far: each
 * reported (options.warn) and read raw instead. */
size_t store_minutes_bad(const struct store_minutes *mr);
/* 1 when a corrupt chunk was skipped. */
int store_minutes_partial(const struct store_minutes *mr);
void store_minutes_close(struct store_minutes *mr);

/* ------------------------------------------------------------------ */
/* Index                                                                */

struct store_series_info {
	uint32_t id;
	char *key;             /* canonical key; owned by the list */
	int64_t first_t;       /* oldest point time seen (-1 if none) */
	int64_t last_t;        /* newest point time (-1 if none) */
	double last_v;         /* value at last_t */
	int64_t last_write_ms; /* wall clock of the last accepted write to
	                          the series (-1 if none since creation) */
};

struct store_series_list {
	size_t n;
	struct store_series_info *series; /* sorted by key */
};

/* Series matching sel (NULL: every series). */
int store_series_list(struct store *s, const struct selector *sel,
    struct store_series_list *l, char **cause);
void store_series_list_free(struct store_series_list *l);

/* Per-series last-seen times without copying keys; -1 for unknown id. */
int store_series_last(struct store *s, uint32_t id, int64_t *last_t,
    double *last_v, int64_t *last_write_ms);

/* Sorted distinct values of tag among series matching sel (NULL: all);
 * tag "__name__" lists metric names.  *values is a NULL-terminated array
 * the caller frees with store_strings_free; *n (may be NULL) its length. */
int store_tag_values(struct store *s, const char *tag,
    const struct selector *sel, char ***values, size_t *n, char **cause);
/* Sorted tag names in use (without __name__). */
int store_tag_names(struct store *s, char ***names, size_t *n, char **cause);
void store_strings_free(char **v);

/* ------------------------------------------------------------------ */
/* Metadata: a small durable key/value space for other subsystems      */
/* (alert state, audit log, hub state).  Keys and values are bytes;    */
/* keys sort bytewise.  Writes are durable when they return, like      */
/* store_write().  Namespaces by convention: "alert/", "audit/",       */
/* "hub/".                                                             */

/* Put value under key. */
int store_meta_put(struct store *s, const char *key, size_t klen,
    const void *val, size_t vlen, char **cause);
/* Get key's value into *val (caller frees; NUL-terminated for
 * convenience, not counted in *vlen).  Returns 0 if found, 1 if absent
 * (*val NULL), -1 on error. */
int store_meta_get(struct store *s, const char *key, size_t klen, void **val,
    size_t *vlen, char **cause);
int store_meta_delete(
    struct store *s, const char *key, size_t klen, char **cause);

/* Several puts and deletes applied atomically. */
struct store_meta_op {
	const char *key;
	size_t klen;
	const void *val; /* NULL: delete key */
	size_t vlen;
};
int store_meta_write(
    struct store *s, const struct store_meta_op *ops, size_t n, char **cause);

/* Call cb for each key starting with prefix in order (reverse order when
 * reverse is set), at most limit times (0: no limit), until cb returns
 * nonzero.  key/val are borrowed for the duration of the call. */
typedef int (*store_meta_cb)(
    void *arg, const char *key, size_t klen, const void *val, size_t vlen);
int store_meta_scan(struct store *s, const char *prefix, size_t plen,
    int reverse, size_t limit, store_meta_cb cb, void *arg, char **cause);

/* An iterator over the keys starting with prefix, on a consistent
 * snapshot taken at creation.  Positioning functions leave it invalid
 * past either end of the prefix. */
struct store_meta_iter;
struct store_meta_iter *store_meta_iter_new(
    struct store *s, const char *prefix, size_t plen);
void store_meta_iter_first(struct store_meta_iter *it);
void store_meta_iter_last(struct store_meta_iter *it);
/* First key >= key / last key <= key (within the prefix). */
void store_meta_iter_seek(
    struct store_meta_iter *it, const char *key, size_t klen);
void store_meta_iter_seek_prev(
    struct store_meta_iter *it, const char *key, size_t klen);
int store_meta_iter_valid(const struct store_meta_iter *it);
void store_meta_iter_next(struct store_meta_iter *it);
void store_meta_iter_prev(struct store_meta_iter *it);
/* Borrowed until the iterator moves. */
const char *store_meta_iter_key(const struct store_meta_iter *it, size_t *klen);
const void *store_meta_iter_value(
    const struct store_meta_iter *it, size_t *vlen);
void store_meta_iter_free(struct store_meta_iter *it);

/* ------------------------------------------------------------------ */
/* The queue key/value space (the forwarding queue): its own column    */
/* family, uncompressed, with a 16 MiB write buffer, so that records   */
/* written once and deleted soon neither compete with the metadata's   */
/* compactions nor pay for compression.  Same contract as store_meta_*. */

/* Several puts and deletes applied atomically (one WriteBatch). */
int store_queue_write(
    struct store *s, const struct store_meta_op *ops, size_t n, char **cause);
int store_queue_put(struct store *s, const char *key, size_t klen,
    const void *val, size_t vlen, char **cause);
/* As store_meta_get(); a record below the trim mark is absent. */
int store_queue_get(struct store *s, const char *key, size_t klen, void **val,
    size_t *vlen, char **cause);
/*
 * Records: prefix + an 8-byte big-endian sequence number.  Trim: every
 * record of prefix below `below` is dead from now on, durably (the mark
 * is written with fsync before this returns): store_queue_get() and
 * store_queue_iter_new() no longer return them, and their disk space
 * goes without range tombstones: files wholly below the mark are dropped
 * and compactions filter the rest.  (A range tombstone at the front of
 * the queue made every flushed file span the whole backlog, and each
 * compaction of the family rewrite it: bench/queue-bench.)  One prefix
 * per store: a trim of another prefix fails.  A mark below the current
 * one is ignored.
 */
int store_queue_trim(struct store *s, const char *prefix, size_t plen,
    uint64_t below, char **cause);
/* An iterator over the queue's keys starting with prefix, from the trim
 * mark on (the store_meta_iter_*() functions move and read it). */
struct store_meta_iter *store_queue_iter_new(
    struct store *s, const char *prefix, size_t plen);
/* Move every metadata key starting with prefix into the queue space,
 * atomically in one WriteBatch (for stores written before the queue had
 * its own family).  *moved (if not NULL) gets the count. */
int store_queue_adopt(struct store *s, const char *prefix, size_t plen,
    size_t *moved, char **cause);

/* ------------------------------------------------------------------ */
/* Maintenance and statistics                                           */

/*
 * Checkpoint the head (so the batch log is empty), flush every column
 * family to disk and, if compact is set, compact them fully (also
 * applies retention); if not, tidy what checkpoints rewrote and compact
 * the chunks and minute rollups written since the last flush (at most
 * the last 24 hours), as store_close() does.  For benchmarks, backups
 * and tests.
 */
int store_flush(struct store *s, int compact, char **cause);

/* Apply retention now (also done at open and at each checkpoint). */
int store_retention_apply(struct store *s, char **cause);

enum store_cf {
	STORE_CF_DEFAULT,  /* format marker */
	STORE_CF_INDEX,    /* series id -> key */
	STORE_CF_CHUNKS,   /* closed raw chunks */
	STORE_CF_HEAD,     /* open-chunk checkpoints, last values */
	STORE_CF_BATCHLOG, /* write-ahead batch log */
	STORE_CF_ROLLUP_M, /* per-minute rollups */
	STORE_CF_ROLLUP_H, /* per-hour rollups */
	STORE_CF_META,     /* store_meta_*() */
	STORE_CF_QUEUE,    /* store_queue_*() */
	STORE_CF_MAX
};

/* Column family name ("chunks", ...). */
const char *store_cf_name(enum store_cf cf);

struct store_stats {
	uint64_t series;                     /* series in the index */
	uint64_t active_series;              /* series with an open chunk */
	uint64_t points_written;             /* accepted since open */
	uint64_t rejected[STORE_REJECT_MAX]; /* since open */
	uint64_t chunks_written;             /* since open */
	uint64_t late_merges;      /* points merged into closed chunks */
	uint64_t corrupt_chunks;   /* met on read and skipped */
	uint64_t batches_replayed; /* at open */
	uint64_t checkpoints;      /* since open */
	uint64_t checkpoint_ns;    /* spent writing them (head records and
	                              the write), since open */
	uint64_t batches_spilled;  /* queued for the apply thread without
	                              their points (read back from the
	                              batch log), since open */
	uint64_t head_bytes;       /* memory of series, index and open chunks */
	uint64_t head_chunk_bytes; /* of which open chunks and their
	                              per-minute aggregates */
	uint64_t cf_bytes[STORE_CF_MAX]; /* SST bytes on disk per family */
	uint64_t memtable_bytes;         /* RocksDB memtables, all families */
	uint64_t disk_bytes;             /* sum of cf_bytes */
	/* Queries, since open: minute buckets of open windows read from
	 * the head's per-minute aggregates instead of raw points, and raw
	 * edges of min/max queries skipped because the whole minute around
	 * them could not change the answer. */
	uint64_t head_minutes_read;
	uint64_t edges_skipped;
};

int store_stats_get(struct store *s, struct store_stats *st, char **cause);

#endif
