/*
 * Closing chunks, and the close thread (cb-store-close) that takes the
 * pure CPU part of closing sealed chunks off the apply thread.
 *
 * A close is two parts.  store_close_compute() reads only the chunk: it
 * decodes the points, fills and encodes the window's minute block and
 * aggregates the hour slot.  store_close_put() writes the chunk and both
 * tiers to the pending batch (the hour tier read, its slot replaced,
 * written back).  Only the apply thread touches the pending batch, the
 * series and the store's counters, so only it puts.
 *
 * With the apply thread, a chunk sealed at its hour's end whose window
 * holds no earlier closed chunk is handed to the close thread (a queue of
 * CLOSE_ITEMS, the sealed chunk still owned by its series and immutable
 * until it is put): the close thread computes, the apply thread puts the
 * results as they come, after each batch and while its queue is empty.
 * At most CLOSE_RESULTS results wait (memory), then the close thread
 * waits.  Every invariant of sealed chunks (seal.c) holds because a
 * handed chunk stays sealed until its result is put: the apply thread
 * puts it, computing it itself if the close thread has not begun it,
 * before anything else touches the series, before a checkpoint and
 * before it goes idle.  Without the apply thread (and in replay) a
 * close computes and puts at once.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "store/rollup.h"
#include "store/store-int.h"

/* Handed chunks at once (SEALED_MAX in seal.c bounds the live ones; a
 * slot is reused once every older one is put). */
#define CLOSE_ITEMS 4096
/* Results computed and not yet put (each about 200 bytes). */
#define CLOSE_RESULTS 512

unsigned store_close_delay_us;

enum close_state {
	CLOSE_QUEUED = 1, /* nobody computes it yet */
	CLOSE_BUSY,       /* the close thread computes it */
	CLOSE_DONE,       /* its result waits to be put */
	CLOSE_SPENT,      /* the apply thread took it; the slot is free once
	                     head passes it */
};

struct close_item {
	uint32_t id;
	enum close_state state;
	struct chunk_enc *c; /* the series' sealed chunk */
	struct close_result *r;
};

/* Counters head <= next <= tail (never wrapping) name items
 * [i % CLOSE_ITEMS]: [head, tail) are handed and not all spent, [next,
 * tail) not claimed by the close thread. */
struct store_closer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work; /* an item handed, a result freed, or stop */
	pthread_cond_t done; /* an item computed */
	size_t head, next, tail;
	int idle;    /* the close thread waits on work */
	int waiting; /* the apply thread waits on done */
	int stop;
	struct close_item items[CLOSE_ITEMS];
	struct close_result *spare[CLOSE_RESULTS];
	size_t nspare;
	struct close_result results[CLOSE_RESULTS];
	/* The close thread's scratch. */
	struct buf tmp;
	struct ptvec pts;
	struct bitw bits;
};

void
store_close_compute(const struct chunk_enc *c, struct buf *tmp,
    struct ptvec *pts, struct bitw *bits, struct close_result *r)
{
	struct rollup_block rb;
	int64_t w = window_of(c->first_t);
	size_t i;

	store_chunk_serialize(c, tmp);
	pts->n = 0;
	if (chunk_decode(tmp->data, tmp->len, pts) != 0)
		abort(); /* our own encoding must decode */
	rollup_block_init(&rb, w, STORE_MINUTE_MS, 60);
	rollup_block_fill(&rb, pts->t, pts->v, pts->n);
	buf_reset(&r->minute);
	rollup_block_encode(&rb, bits, &r->minute);
	/* The hour slot as rollup_block_fill() fills it: every point is
	 * inside the window. */
	memset(&r->hour, 0, sizeof r->hour);
	memset(&r->hour_rm, 0, sizeof r->hour_rm);
	for (i = 0; i < pts->n; i++) {
		agg_point(&r->hour, pts->t[i], pts->v[i]);
		rate_minute_point(&r->hour_rm, pts->t[i], pts->v[i]);
	}
}

void
store_close_put(struct store *s, uint32_t id, struct series *ser,
    const struct chunk_enc *c, const struct close_result *r)
{
	struct rollup_block rb;
	int64_t w = window_of(c->first_t), day = w - w % STORE_DAY_MS;
	unsigned slot = (unsigned)((w - day) / STORE_HOUR_MS);
	uint8_t k[12];
	char *val = NULL;
	size_t vlen;

	store_chunk_serialize(c, &s->tmp);
	store_chunk_key(k, id, c->first_t);
	rocksdb_writebatch_wi_put_cf(s->pending, s->cf[STORE_CF_CHUNKS],
	    (const char *)k, 12, s->tmp.data, s->tmp.len);
	ser->closed_max_t = c->last_t;
	if (w < s->written_from)
		s->written_from = w;
	key_put32(k, (uint32_t)(w / STORE_HOUR_MS));
	key_put32(k + 4, id);
	rocksdb_writebatch_wi_put_cf(s->pending, s->cf[STORE_CF_ROLLUP_M],
	    (const char *)k, 8, r->minute.data, r->minute.len);

	/* The hour tier keeps a day per key: read, replace the slot, write. */
	key_put32(k, (uint32_t)(day / STORE_DAY_MS));
	rollup_block_init(&rb, day, STORE_HOUR_MS, 24);
	if (store_get(s, STORE_CF_ROLLUP_H, k, 8, &val, &vlen, NULL) == 0 &&
	    val != NULL && rollup_block_decode(&rb, val, vlen) != 0) {
		store_warn(s, "corrupt hour rollup of series %u day %u rebuilt",
		    id, key_get32(k));
		rollup_block_init(&rb, day, STORE_HOUR_MS, 24);
	}
	free(val);
	rb.present[slot] = 1;
	rb.b[slot] = r->hour;
	rb.rm[slot] = r->hour_rm;
	buf_reset(&s->rtmp);
	rollup_block_encode(&rb, &s->rbits, &s->rtmp);
	rocksdb_writebatch_wi_put_cf(s->pending, s->cf[STORE_CF_ROLLUP_H],
	    (const char *)k, 8, s->rtmp.data, s->rtmp.len);
	s->st.chunks_written++;
}

static void *
close_main(void *arg)
{
	struct store_closer *cl = arg;

#ifdef __GLIBC__
	pthread_setname_np(pthread_self(), "cb-store-close"); /* top -H */
#endif
	pthread_mutex_lock(&cl->lock);
	for (;;) {
		struct close_item *it;
		struct close_result *r;

		if (cl->next == cl->tail || cl->nspare == 0) {
			if (cl->stop)
				break;
			cl->idle = 1;
			pthread_cond_wait(&cl->work, &cl->lock);
			cl->idle = 0;
			continue;
		}
		it = &cl->items[cl->next++ % CLOSE_ITEMS];
		if (it->state != CLOSE_QUEUED)
			continue; /* the apply thread took it */
		it->state = CLOSE_BUSY;
		r = cl->spare[--cl->nspare];
		pthread_mutex_unlock(&cl->lock);

		if (store_close_delay_us > 0) /* tests: a slow close thread */
			usleep(store_close_delay_us);
		store_close_compute(it->c, &cl->tmp, &cl->pts, &cl->bits, r);

		pthread_mutex_lock(&cl->lock);
		it->r = r;
		it->state = CLOSE_DONE;
		if (cl->waiting)
			pthread_cond_broadcast(&cl->done);
	}
	pthread_mutex_unlock(&cl->lock);
	return NULL;
}

int
store_close_start(struct store *s, char **cause)
{
	struct store_closer *cl = xcalloc(1, sizeof *cl);
	size_t i;
	int rc;

	pthread_mutex_init(&cl->lock, NULL);
	pthread_cond_init(&cl->work, NULL);
	pthread_cond_init(&cl->done, NULL);
	for (i = 0; i < CLOSE_RESULTS; i++)
		cl->spare[cl->nspare++] = &cl->results[i];
	if ((rc = pthread_create(&cl->thread, NULL, close_main, cl)) != 0) {
		pthread_cond_destroy(&cl->work);
		pthread_cond_destroy(&cl->done);
		pthread_mutex_destroy(&cl->lock);
		free(cl);
		*cause = xasprintf("store: close thread: %s", strerror(rc));
		return -1;
	}
	s->closer = cl;
	return 0;
}

void
store_close_stop(struct store *s)
{
	struct store_closer *cl = s->closer;
	size_t i;

	if (cl == NULL)
		return;
	pthread_mutex_lock(&cl->lock);
	cl->stop = 1;
	pthread_cond_signal(&cl->work);
	pthread_mutex_unlock(&cl->lock);
	pthread_join(cl->thread, NULL);
	s->closer = NULL;
	for (i = 0; i < CLOSE_RESULTS; i++)
		buf_free(&cl->results[i].minute);
	buf_free(&cl->tmp);
	ptvec_free(&cl->pts);
	bitw_free(&cl->bits);
	pthread_cond_destroy(&cl->work);
	pthread_cond_destroy(&cl->done);
	pthread_mutex_destroy(&cl->lock);
	free(cl);
}

int
store_close_hand(struct store *s, uint32_t id, struct series *ser)
{
	struct store_closer *cl = s->closer;
	struct close_item *it;
	size_t slot;

	if (cl == NULL)
		return -1;
	pthread_mutex_lock(&cl->lock);
	if (cl->tail - cl->head == CLOSE_ITEMS) {
		pthread_mutex_unlock(&cl->lock);
		return -1;
	}
	slot = cl->tail++ % CLOSE_ITEMS;
	it = &cl->items[slot];
	it->id = id;
	it->c = ser->sealed;
	it->r = NULL;
	it->state = CLOSE_QUEUED;
	if (cl->idle)
		pthread_cond_signal(&cl->work);
	pthread_mutex_unlock(&cl->lock);
	ser->close_slot = (uint32_t)slot + 1;
	return 0;
}

/* Put item it (the apply thread's; not spent).  When the close thread
 * has not begun it: with help, compute it here, else wait for it, as
 * when the close thread computes it.  Under the lock, which is dropped
 * meanwhile. */
static void
close_take(
    struct store *s, struct store_closer *cl, struct close_item *it, int help)
{
	struct series *ser = &s->ix.series[it->id];
	struct close_result *r;

	while (
	    it->state == CLOSE_BUSY || (it->state == CLOSE_QUEUED && !help)) {
		cl->waiting = 1;
		pthread_cond_wait(&cl->done, &cl->lock);
		cl->waiting = 0;
	}
	r = it->state == CLOSE_DONE ? it->r : NULL;
	it->state = CLOSE_SPENT;
	pthread_mutex_unlock(&cl->lock);

	if (r == NULL) {
		store_close_compute(
		    it->c, &s->tmp, &s->pts, &s->rbits, &s->close_res);
		r = &s->close_res;
	}
	store_close_put(s, it->id, ser, it->c, r);
	ser->close_slot = 0;
	store_head_sealed_free(s, ser);

	pthread_mutex_lock(&cl->lock);
	if (r != &s->close_res) {
		cl->spare[cl->nspare++] = r;
		if (cl->idle)
			pthread_cond_signal(&cl->work);
	}
	while (cl->head < cl->tail &&
	       cl->items[cl->head % CLOSE_ITEMS].state == CLOSE_SPENT)
		cl->head++;
	if (cl->next < cl->head)
		cl->next = cl->head;
}

void
store_close_take(struct store *s, uint32_t id, struct series *ser)
{
	struct store_closer *cl = s->closer;

	(void)id;
	pthread_mutex_lock(&cl->lock);
	close_take(s, cl, &cl->items[ser->close_slot - 1], 1);
	pthread_mutex_unlock(&cl->lock);
}

size_t
store_close_progress(struct store *s, size_t max, enum store_close_mode mode)
{
	struct store_closer *cl = s->closer;
	size_t n = 0;

	if (cl == NULL)
		return 0;
	pthread_mutex_lock(&cl->lock);
	while (n < max && cl->head < cl->tail) {
		struct close_item *it = &cl->items[cl->head % CLOSE_ITEMS];

		if (it->state != CLOSE_DONE) {
			if (mode == CLOSE_READY)
				break;
			if (mode == CLOSE_HELP && cl->next < cl->tail) {
				/* The one the close thread would claim next:
				 * it goes on with the one after. */
				it = &cl->items[cl->next++ % CLOSE_ITEMS];
				if (it->state != CLOSE_QUEUED)
					continue;
			}
		}
		close_take(s, cl, it, mode == CLOSE_HELP);
		n++;
	}
	pthread_mutex_unlock(&cl->lock);
	return n;
}
