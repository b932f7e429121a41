/*
 * The apply thread: logged batches applied to the head (chunk encoding,
 * rollups, the pending batch, checkpoints) off the writer's thread, in
 * batch-log order.  store_write() returns as soon as the batch log holds
 * a batch; readers of the head wait for the queue to empty first
 * (store-int.h, "Threads").
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/store-int.h"

/* Batches logged but not yet applied, at most: a writer that is this far
 * ahead waits (the queue's arrays are kept, so memory stays bounded). */
#define APPLY_QUEUE 4

struct apply_job {
	uint32_t *ids;
	int64_t *ts;
	double *vs;
	size_t n, cap;
	int64_t wall;
	uint64_t seq;
	size_t blog_len;
};

struct store_applier {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job queued, or stop */
	pthread_cond_t done; /* a job applied */
	struct apply_job jobs[APPLY_QUEUE];
	size_t first, count; /* queued: jobs[first .. first + count) */
	int stop;
};

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
		 * stops later writes. */
		if (store_head_checkpoint(s, 1, NULL) != 0)
			store_warn(s, "%s", s->failed);
		else
			(void)store_retention_run(s, wall, NULL);
	}
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
		while (!a->stop && a->count == 0)
			pthread_cond_wait(&a->work, &a->lock);
		if (a->count == 0)
			break; /* stop, nothing left */
		job = &a->jobs[a->first];
		pthread_mutex_unlock(&a->lock);

		apply_batch(s, job->ids, job->ts, job->vs, job->n, job->wall,
		    job->seq, job->blog_len);

		pthread_mutex_lock(&a->lock);
		a->first = (a->first + 1) % APPLY_QUEUE;
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

	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->work, NULL);
	pthread_cond_init(&a->done, NULL);
	s->applier = a;
	if ((rc = pthread_create(&a->thread, NULL, apply_main, s)) != 0) {
		s->applier = NULL;
		pthread_cond_destroy(&a->work);
		pthread_cond_destroy(&a->done);
		pthread_mutex_destroy(&a->lock);
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
	size_t i;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = 1;
	pthread_cond_signal(&a->work);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	s->applier = NULL;
	for (i = 0; i < APPLY_QUEUE; i++) {
		free(a->jobs[i].ids);
		free(a->jobs[i].ts);
		free(a->jobs[i].vs);
	}
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

void
store_apply_submit(struct store *s, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, int64_t wall, uint64_t seq, size_t blog_len)
{
	struct store_applier *a = s->applier;
	struct apply_job *job;

	if (a == NULL) {
		apply_batch(s, ids, ts, vs, n, wall, seq, blog_len);
		return;
	}
	pthread_mutex_lock(&a->lock);
	while (a->count == APPLY_QUEUE)
		pthread_cond_wait(&a->done, &a->lock);
	/* The slot after the queued ones: the thread does not touch it
	 * until it is counted. */
	job = &a->jobs[(a->first + a->count) % APPLY_QUEUE];
	pthread_mutex_unlock(&a->lock);
	if (n > job->cap) {
		job->cap = n;
		job->ids = xreallocarray(job->ids, n, sizeof *job->ids);
		job->ts = xreallocarray(job->ts, n, sizeof *job->ts);
		job->vs = xreallocarray(job->vs, n, sizeof *job->vs);
	}
	memcpy(job->ids, ids, n * sizeof *ids);
	memcpy(job->ts, ts, n * sizeof *ts);
	memcpy(job->vs, vs, n * sizeof *vs);
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
