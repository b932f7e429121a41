/*
 * The apply thread: logged batches applied to the head (chunk encoding,
 * rollups, the pending batch, checkpoints) off the writer's thread, in
 * batch-log order.  store_write() returns as soon as the batch log holds
 * a batch; readers of the head wait for the queue to empty first
 * (store-int.h, "Threads").
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/store-int.h"

/*
 * The queue: batches logged but not yet applied, their points in one
 * ring of APPLY_QUEUE_POINTS points (20 bytes each), so that memory is
 * bounded by points, not by batches: small batches (a collector's few
 * hundred points) no longer stop the writer after 4 of them, and one
 * large batch costs what its points cost.  A writer a full ring ahead
 * waits.  Applying is bursty (bench/README.md, "Where the ingest threads
 * wait"): the batch whose points cross an hour closes the open chunk of
 * every series it touches, 50-250 ms of work against under a millisecond
 * for most batches, and no ring the memory budget allows absorbs that:
 * those chunks are sealed instead and closed here when the queue is
 * empty (store/seal.c).  Nor does it absorb a checkpoint (10-20 ms for
 * 10,000 series): a batch that finds no room is queued without its points
 * ("spilled"), and the thread reads them back from the batch log, where
 * the write has just put them and no checkpoint deletes them before they
 * are applied (an iterator over the log's family reads a record where it
 * lies, mostly still in its memtable).  Reading back costs about 3 % more
 * CPU a point than the ring, so the ring is kept for the common case, one
 * bench body of 20,000 points and a little more (it was 96 Ki points
 * before batches could spill: 1.3 MiB given back).  The writer waits only
 * when APPLY_QUEUE_JOBS batches or APPLY_SPILL_POINTS spilled points are
 * queued.
 */
#define APPLY_QUEUE_POINTS (32 * 1024)
/* Sealed chunks closed between looks at the queue (about 40 us each). */
#define APPLY_CLOSE_STEP 32
/* Whether the thread, its queue empty, closes sealed chunks itself that
 * the close thread has not begun (else it waits for them). */
#define APPLY_IDLE_HELP 1

struct apply_job {
	size_t off, n; /* points ring[off .. off + n), unless spilled */
	int spilled;   /* points in the batch log only */
	int64_t wall;
	uint64_t seq;
	size_t blog_len;
};

struct store_applier {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job queued, or stop */
	pthread_cond_t done; /* a job applied */
	struct apply_job jobs[APPLY_QUEUE_JOBS];
	size_t first, count; /* queued: jobs[first .. first + count) */
	size_t spilled;      /* points of the spilled ones */
	size_t waiting;      /* writers waiting for room */
	int hold;            /* tests: take no job until released */
	/* The ring: written by the writer outside the queued jobs' ranges,
	 * read by the thread inside them. */
	uint32_t *ids;
	int64_t *ts;
	double *vs;
	size_t cap;
	int stop;
	/* A spilled batch's points, read back (the apply thread's), past
	 * the block cache: a record is read once. */
	rocksdb_readoptions_t *sp_ro;
	uint32_t *sp_ids;
	int64_t *sp_ts;
	double *sp_vs;
	size_t sp_cap;
};

unsigned store_apply_spill_test;

/* Bytes of the pending batch: merges of older points rewrite whole
 * chunks into it, so its size is bounded as well as its count. */
static size_t
apply_pending_bytes(struct store *s)
{
	size_t len = 0;

	(void)rocksdb_writebatch_wi_data(s->pending, &len);
	return len;
}

/* Apply one logged batch to the head; a checkpoint when the log or the
 * pending batch is large.  The head's thread only. */
static void
apply_batch(struct store *s, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, int64_t wall, uint64_t seq, size_t blog_len)
{
	size_t i;

	s->now_ms = wall;
	store_head_apply_batch(s, ids, ts, vs, n);
	for (i = 0; i < n; i++)
		s->ix.series[ids[i]].last_write_ms = wall;
	s->applied_seq = seq + 1;
	s->blog_bytes += blog_len;
	if (s->blog_bytes >= s->opts.batchlog_bytes ||
	    rocksdb_writebatch_wi_count(s->pending) > 200000 ||
	    apply_pending_bytes(s) > 4 * s->opts.batchlog_bytes) {
		/* The batch is durable already; a failed checkpoint only
		 * stops later writes.  The store stays failed until it is
		 * reopened, and every batch still queued tries again and
		 * fails at once: the failure is logged once, and
		 * store_write() reports it to each writer. */
		if (store_head_checkpoint(s, 1, NULL) != 0) {
			if (!s->failed_warned)
				store_warn(s, "%s", s->failed);
			s->failed_warned = 1;
		} else
			(void)store_retention_run(s, wall, NULL);
	}
}

/* A spilled batch: its points read back from its batch-log record. */
static void
apply_spilled(
    struct store *s, struct store_applier *a, const struct apply_job *job)
{
	struct batchlog_reader r;
	rocksdb_iterator_t *it;
	const char *rec = NULL, *key;
	char *err = NULL;
	uint8_t k[8];
	uint64_t n = 0;
	size_t len, kl, i = 0;
	int64_t id, t;
	double v;
	int rc = -1;

	key_put64(k, job->seq);
	/* An iterator reads the record where it lies (a get would copy
	 * it out of the memtable). */
	it = rocksdb_create_iterator_cf(
	    s->db, a->sp_ro, s->cf[STORE_CF_BATCHLOG]);
	rocksdb_iter_seek(it, (const char *)k, 8);
	if (rocksdb_iter_valid(it) &&
	    (key = rocksdb_iter_key(it, &kl)) != NULL && kl == 8 &&
	    memcmp(key, k, 8) == 0)
		rec = rocksdb_iter_value(it, &len);
	else
		rocksdb_iter_get_error(it, &err);
	if (rec != NULL &&
	    store_batchlog_open(&r, (const uint8_t *)rec, len, &n) == 0 &&
	    n == job->n) {
		if (a->sp_cap < n) {
			a->sp_cap = n;
			a->sp_ids =
			    xreallocarray(a->sp_ids, n, sizeof *a->sp_ids);
			a->sp_ts = xreallocarray(a->sp_ts, n, sizeof *a->sp_ts);
			a->sp_vs = xreallocarray(a->sp_vs, n, sizeof *a->sp_vs);
		}
		while ((rc = store_batchlog_next(&r, &id, &t, &v)) == 1 &&
		       id >= 1 && id <= (int64_t)s->ix.n) {
			a->sp_ids[i] = (uint32_t)id;
			a->sp_ts[i] = t;
			a->sp_vs[i++] = v;
		}
	}
	rocksdb_iter_destroy(it);
	if (rc != 0 || i != job->n) {
		/* The record was written before the batch was queued and
		 * only a checkpoint after it deletes it: a store that lost it
		 * takes no more writes. */
		store_apply_set_failed(s,
		    xasprintf("%s: batch log record %llu unreadable for apply "
		              "(%s); store is read-only until reopened",
		        s->dir, (unsigned long long)job->seq,
		        err != NULL ? err : "missing or damaged"));
		free(err);
		return;
	}
	apply_batch(s, a->sp_ids, a->sp_ts, a->sp_vs, i, job->wall, job->seq,
	    job->blog_len);
}

static void *
apply_main(void *arg)
{
	struct store *s = arg;
	struct store_applier *a = s->applier;
	struct apply_job *job;

#ifdef __GLIBC__
	pthread_setname_np(pthread_self(), "cb-store-apply"); /* top -H */
#endif
	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (!a->stop && (a->count == 0 || a->hold))
			pthread_cond_wait(&a->work, &a->lock);
		if (a->count == 0)
			break; /* stop, nothing left */
		job = &a->jobs[a->first];
		pthread_mutex_unlock(&a->lock);

		if (job->spilled)
			apply_spilled(s, a, job);
		else
			apply_batch(s, a->ids + job->off, a->ts + job->off,
			    a->vs + job->off, job->n, job->wall, job->seq,
			    job->blog_len);
		/* The close thread's results so far: it goes on while
		 * they are put. */
		(void)store_close_progress(s, SIZE_MAX, CLOSE_READY);

		/* The last job queued: close sealed chunks a few at a
		 * time until none is left or another job comes. */
		for (;;) {
			pthread_mutex_lock(&a->lock);
			if (a->count > 1 || s->sealed_live == 0)
				break;
			pthread_mutex_unlock(&a->lock);
			(void)store_head_close_sealed(
			    s, APPLY_CLOSE_STEP, APPLY_IDLE_HELP);
		}
		if (job->spilled)
			a->spilled -= job->n;
		a->first = (a->first + 1) % APPLY_QUEUE_JOBS;
		a->count--;
		pthread_cond_broadcast(&a->done);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

int
store_apply_start(struct store *s, char **cause)
{
	struct store_applier *a = xcalloc(1, sizeof *a);
	int rc;

	a->sp_ro = rocksdb_readoptions_create();
	rocksdb_readoptions_set_fill_cache(a->sp_ro, 0);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->work, NULL);
	pthread_cond_init(&a->done, NULL);
	if (store_close_start(s, cause) != 0) {
		pthread_cond_destroy(&a->work);
		pthread_cond_destroy(&a->done);
		pthread_mutex_destroy(&a->lock);
		rocksdb_readoptions_destroy(a->sp_ro);
		free(a);
		return -1;
	}
	s->applier = a;
	if ((rc = pthread_create(&a->thread, NULL, apply_main, s)) != 0) {
		s->applier = NULL;
		store_close_stop(s);
		pthread_cond_destroy(&a->work);
		pthread_cond_destroy(&a->done);
		pthread_mutex_destroy(&a->lock);
		rocksdb_readoptions_destroy(a->sp_ro);
		free(a);
		*cause = xasprintf("store: apply thread: %s", strerror(rc));
		return -1;
	}
	return 0;
}

void
store_apply_stop(struct store *s)
{
	struct store_applier *a = s->applier;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = 1;
	pthread_cond_signal(&a->work);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	s->applier = NULL;
	store_close_stop(s); /* every handed chunk was put */
	free(a->ids);
	free(a->ts);
	free(a->vs);
	free(a->sp_ids);
	free(a->sp_ts);
	free(a->sp_vs);
	rocksdb_readoptions_destroy(a->sp_ro);
	pthread_cond_destroy(&a->work);
	pthread_cond_destroy(&a->done);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

void
store_apply_wait(struct store *s)
{
	struct store_applier *a = s->applier;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	while (a->count > 0)
		pthread_cond_wait(&a->done, &a->lock);
	pthread_mutex_unlock(&a->lock);
}

size_t
store_apply_ring_fit(size_t cap, size_t count, size_t old_off, size_t new_off,
    size_t new_end, size_t n)
{
	if (n > cap)
		return SIZE_MAX;
	if (count == 0)
		return 0;
	if (new_off >= old_off) { /* one range: old_off .. new_end */
		if (new_end + n <= cap)
			return new_end;
		return n <= old_off ? 0 : SIZE_MAX;
	}
	/* Wrapped: old_off .. cap and 0 .. new_end. */
	return new_end + n <= old_off ? new_end : SIZE_MAX;
}

/* Where in the ring n points fit after the queued jobs' points, or
 * SIZE_MAX.  Under the lock. */
static size_t
apply_ring_place(const struct store_applier *a, size_t n)
{
	const struct apply_job *old = NULL, *new = NULL, *j;
	size_t i, held = 0;

	if (a->count == APPLY_QUEUE_JOBS)
		return SIZE_MAX;
	for (i = 0; i < a->count; i++) {
		j = &a->jobs[(a->first + i) % APPLY_QUEUE_JOBS];
		if (j->spilled)
			continue;
		if (old == NULL)
			old = j;
		new = j;
		held++;
	}
	if (held == 0)
		return store_apply_ring_fit(a->cap, 0, 0, 0, 0, n);
	return store_apply_ring_fit(
	    a->cap, held, old->off, new->off, new->off + new->n, n);
}

/* The writer waits for a job to be applied.  Under the lock. */
static void
apply_submit_wait(struct store_applier *a)
{
	a->waiting++;
	pthread_cond_wait(&a->done, &a->lock);
	a->waiting--;
}

void
store_apply_submit(struct store *s, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, int64_t wall, uint64_t seq, size_t blog_len)
{
	struct store_applier *a = s->applier;
	struct apply_job *job;
	size_t off = 0;
	int spill = store_apply_spill_test == 1 ||
	            (store_apply_spill_test == 2 && (seq & 1));

	if (a == NULL) {
		apply_batch(s, ids, ts, vs, n, wall, seq, blog_len);
		return;
	}
	pthread_mutex_lock(&a->lock);
	while (!spill && (off = apply_ring_place(a, n)) == SIZE_MAX) {
		if (a->count > 0 && a->count < APPLY_QUEUE_JOBS &&
		    a->spilled + n <= APPLY_SPILL_POINTS) {
			spill = 1; /* no room: the thread reads the log */
			break;
		}
		if (a->count == 0) {
			/* A batch larger than the ring: the thread reads
			 * no part of it now. */
			a->cap =
			    n > APPLY_QUEUE_POINTS ? n : APPLY_QUEUE_POINTS;
			a->ids = xreallocarray(a->ids, a->cap, sizeof *a->ids);
			a->ts = xreallocarray(a->ts, a->cap, sizeof *a->ts);
			a->vs = xreallocarray(a->vs, a->cap, sizeof *a->vs);
			continue;
		}
		apply_submit_wait(a);
	}
	while (spill && a->count == APPLY_QUEUE_JOBS)
		apply_submit_wait(a);
	if (spill)
		a->spilled += n;
	/* The slot after the queued ones and its points: the thread does
	 * not touch them until they are counted. */
	job = &a->jobs[(a->first + a->count) % APPLY_QUEUE_JOBS];
	pthread_mutex_unlock(&a->lock);
	if (spill)
		s->st.batches_spilled++;
	else {
		memcpy(a->ids + off, ids, n * sizeof *ids);
		memcpy(a->ts + off, ts, n * sizeof *ts);
		memcpy(a->vs + off, vs, n * sizeof *vs);
	}
	job->spilled = spill;
	job->off = off;
	job->n = n;
	job->wall = wall;
	job->seq = seq;
	job->blog_len = blog_len;
	pthread_mutex_lock(&a->lock);
	a->count++;
	pthread_cond_signal(&a->work);
	pthread_mutex_unlock(&a->lock);
}

int
store_apply_failed(struct store *s, char **cause)
{
	struct store_applier *a = s->applier;
	int failed;

	if (a != NULL)
		pthread_mutex_lock(&a->lock);
	failed = s->failed != NULL;
	if (failed && cause != NULL)
		*cause = xstrdup(s->failed);
	if (a != NULL)
		pthread_mutex_unlock(&a->lock);
	return failed ? -1 : 0;
}

void
store_apply_set_failed(struct store *s, char *msg)
{
	struct store_applier *a = s->applier;

	if (a != NULL)
		pthread_mutex_lock(&a->lock);
	if (s->failed == NULL)
		s->failed = msg;
	else
		free(msg);
	if (a != NULL)
		pthread_mutex_unlock(&a->lock);
}

void
store_apply_hold(struct store *s, int hold)
{
	struct store_applier *a = s->applier;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	a->hold = hold;
	pthread_cond_signal(&a->work);
	pthread_mutex_unlock(&a->lock);
}

void
store_apply_peek(
    struct store *s, size_t *jobs, size_t *spilled, size_t *waiting)
{
	struct store_applier *a = s->applier;

	*jobs = *spilled = *waiting = 0;
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	*jobs = a->count;
	*spilled = a->spilled;
	*waiting = a->waiting;
	pthread_mutex_unlock(&a->lock);
}
