/*
 * Ingest on worker threads: the first half of each body (parsing,
 * enrichment, checks) on a pool of pthreads, the second half (series ids,
 * quotas, the store write, the reply) back on the loop thread, woken
 * through a pipe.  Each job borrows a context (struct hub_ingest: parser,
 * tag-set cache, the parsed batch) for both halves; a context is used by
 * one thread at a time, handed over under the pool's lock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/ingest-int.h"
#include "hub/ingest.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

#define POOL_THREADS_MAX 64

struct pool_job {
	struct pool_job *next;
	struct hub_ingest *ctx; /* borrowed from the pool while running */
	struct hub_identity id; /* strings borrowed: a reload flushes */
	char *source;
	struct evbuffer *body; /* the worker's from submission */
	int64_t mul, div, now;
	void (*done)(void *arg, struct hub_ingest_result *res);
	void *arg;
};

struct hub_worker_pool {
	struct hub *h;
	pthread_t *threads;
	int nthreads;
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job and a free context, or stop */
	pthread_cond_t done; /* a job finished its first half */
	struct pool_job *pending, **pending_tail;
	struct pool_job *finished, **finished_tail;
	struct hub_ingest **free_ctx, **ctx;
	size_t nfree, nctx;
	size_t inflight; /* submitted, second half not yet run */
	int stop;
	int wake[2]; /* workers write a byte when finished was empty */
	struct event *ev;
	uint64_t bodies; /* first halves run on workers */
};

/* The first half of job on a worker: the body's bytes are copied into
 * the context's own buffer (warm pages, no allocation) and parsed. */
static void
pool_job_parse(struct hub_worker_pool *p, struct pool_job *job)
{
	struct buf *t = &job->ctx->text;
	size_t len = evbuffer_get_length(job->body);

	buf_reset(t);
	buf_reserve(t, len + 1);
	evbuffer_copyout(job->body, t->data, len);
	t->len = len;
	t->data[len] = '\0';
	evbuffer_free(job->body);
	job->body = NULL;
	ingest_parse(p->h, job->ctx, &job->id, t->data, len, job->mul, job->div,
	    job->now);
}

static void *
pool_worker(void *arg)
{
	struct hub_worker_pool *p = arg;
	struct pool_job *job;
	char byte = 1;
	int wake;

#ifdef __GLIBC__
	pthread_setname_np(pthread_self(), "cb-ingest"); /* top -H, ps -L */
#endif
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && (p->pending == NULL || p->nfree == 0))
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		job = p->pending;
		if ((p->pending = job->next) == NULL)
			p->pending_tail = &p->pending;
		job->ctx = p->free_ctx[--p->nfree];
		pthread_mutex_unlock(&p->lock);

		pool_job_parse(p, job);

		pthread_mutex_lock(&p->lock);
		job->next = NULL;
		wake = p->finished == NULL;
		*p->finished_tail = job;
		p->finished_tail = &job->next;
		p->bodies++;
		pthread_cond_broadcast(&p->done);
		/* A full pipe already holds a wake-up: EAGAIN is fine. */
		if (wake && write(p->wake[1], &byte, 1) < 0 && errno != EAGAIN)
			abort();
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* The second half of job, on the loop thread; frees job. */
static void
pool_job_finish(struct hub_worker_pool *p, struct pool_job *job)
{
	struct hub_ingest_result res;

	ingest_commit(p->h, job->ctx, job->source, job->now, &res);
	ingest_batch_clear(job->ctx);
	pthread_mutex_lock(&p->lock);
	p->free_ctx[p->nfree++] = job->ctx;
	p->inflight--;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	job->done(job->arg, &res);
	free(job->source);
	free(job);
}

/* Run the second half of every job whose first half is done. */
static void
pool_drain(struct hub_worker_pool *p)
{
	struct pool_job *list, *job;

	pthread_mutex_lock(&p->lock);
	list = p->finished;
	p->finished = NULL;
	p->finished_tail = &p->finished;
	pthread_mutex_unlock(&p->lock);
	while ((job = list) != NULL) {
		list = job->next;
		pool_job_finish(p, job);
	}
}

static void
pool_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	char bytes[64];

	(void)what;
	while (read(fd, bytes, sizeof bytes) > 0)
		;
	pool_drain(arg);
}

static void
pool_free(struct hub_worker_pool *p)
{
	size_t i;

	if (p->ev != NULL)
		event_free(p->ev);
	for (i = 0; i < 2; i++) {
		if (p->wake[i] >= 0)
			close(p->wake[i]);
	}
	for (i = 0; i < p->nctx; i++)
		hub_ingest_free(p->ctx[i]);
	free(p->ctx);
	free(p->free_ctx);
	free(p->threads);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int
hub_ingest_start(struct hub *h, int nthreads, char **cause)
{
	struct hub_worker_pool *p;
	long ncpu;
	int i, rc;

	if (nthreads < 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		nthreads = ncpu < 1                  ? 1
		           : ncpu > POOL_THREADS_MAX ? POOL_THREADS_MAX
		                                     : (int)ncpu;
	}
	if (nthreads == 0 || h->ingest->pool != NULL)
		return 0;
	p = xcalloc(1, sizeof *p);
	p->h = h;
	p->wake[0] = p->wake[1] = -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->pending_tail = &p->pending;
	p->finished_tail = &p->finished;
	/* One context more than threads: a worker parses the next body
	 * while the loop thread stores the previous one. */
	p->nctx = (size_t)nthreads + 1;
	p->ctx = xcalloc(p->nctx, sizeof *p->ctx);
	p->free_ctx = xcalloc(p->nctx, sizeof *p->free_ctx);
	for (i = 0; i < (int)p->nctx; i++)
		p->ctx[i] = p->free_ctx[p->nfree++] = hub_ingest_new();
	if (pipe2(p->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		*cause = xasprintf("ingest threads: pipe: %s", strerror(errno));
		pool_free(p);
		return -1;
	}
	p->ev = event_new(
	    h->base, p->wake[0], EV_READ | EV_PERSIST, pool_wake_cb, p);
	if (p->ev == NULL || event_add(p->ev, NULL) != 0) {
		*cause = xstrdup("ingest threads: cannot watch the pipe");
		pool_free(p);
		return -1;
	}
	p->threads = xcalloc((size_t)nthreads, sizeof *p->threads);
	for (i = 0; i < nthreads; i++) {
		if ((rc = pthread_create(
		         &p->threads[i], NULL, pool_worker, p)) != 0) {
			*cause = xasprintf(
			    "ingest threads: pthread_create: %s", strerror(rc));
			p->nthreads = i;
			h->ingest->pool = p;
			hub_ingest_stop(h);
			return -1;
		}
		p->nthreads = i + 1;
	}
	h->ingest->pool = p;
	return 0;
}

void
hub_ingest_flush(struct hub *h)
{
	struct hub_worker_pool *p = h->ingest != NULL ? h->ingest->pool : NULL;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	while (p->inflight > 0) {
		while (p->finished == NULL)
			pthread_cond_wait(&p->done, &p->lock);
		pthread_mutex_unlock(&p->lock);
		pool_drain(p);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
}

void
hub_ingest_stop(struct hub *h)
{
	struct hub_worker_pool *p = h->ingest != NULL ? h->ingest->pool : NULL;
	int i;

	if (p == NULL)
		return;
	hub_ingest_flush(h);
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	h->ingest->pool = NULL;
	pool_free(p);
}

int
hub_ingest_threads(const struct hub *h)
{
	return h->ingest != NULL && h->ingest->pool != NULL
	           ? h->ingest->pool->nthreads
	           : 0;
}

void
hub_ingest_reset_all(struct hub *h)
{
	struct hub_worker_pool *p = h->ingest->pool;
	size_t i;

	hub_ingest_flush(h);
	hub_ingest_reset(h->ingest);
	for (i = 0; p != NULL && i < p->nctx; i++)
		hub_ingest_reset(p->ctx[i]);
}

void
hub_ingest_submit(struct hub *h, const struct hub_identity *id,
    const char *source, struct evbuffer *body, int64_t mul, int64_t div,
    void (*done)(void *arg, struct hub_ingest_result *res), void *arg)
{
	struct hub_worker_pool *p = h->ingest->pool;
	struct hub_ingest_result res;
	struct pool_job *job;
	size_t len = evbuffer_get_length(body);

	if (p == NULL) {
		hub_ingest_body(h, id, source,
		    (const char *)evbuffer_pullup(body, -1), len, mul, div,
		    &res);
		evbuffer_free(body);
		done(arg, &res);
		return;
	}
	job = xcalloc(1, sizeof *job);
	job->id = *id;
	job->source = xstrdup(source);
	job->body = body;
	job->mul = mul;
	job->div = div;
	job->now = hub_now(h);
	job->done = done;
	job->arg = arg;
	pthread_mutex_lock(&p->lock);
	*p->pending_tail = job;
	p->pending_tail = &job->next;
	p->inflight++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

void
hub_ingest_metrics(struct hub *h, struct buf *out)
{
	struct hub_worker_pool *p = h->ingest != NULL ? h->ingest->pool : NULL;
	unsigned long long bodies = 0;

	if (p != NULL) {
		pthread_mutex_lock(&p->lock);
		bodies = p->bodies;
		pthread_mutex_unlock(&p->lock);
	}
	buf_printf(out,
	    "# HELP citybraind_ingest_threads Worker threads parsing write "
	    "bodies (ingest_threads; 0: on the event loop).\n"
	    "# TYPE citybraind_ingest_threads gauge\n"
	    "citybraind_ingest_threads %d\n"
	    "# HELP citybraind_ingest_worker_bodies_total Write bodies parsed "
	    "on a worker thread.\n"
	    "# TYPE citybraind_ingest_worker_bodies_total counter\n"
	    "citybraind_ingest_worker_bodies_total %llu\n",
	    hub_ingest_threads(h), bodies);
}
