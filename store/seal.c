/*
 * Sealed chunks.  A batch whose points cross an hour closes the open
 * chunk of every series it touches: in bench/ingest-bench 2,500 closes,
 * 50-250 ms of the apply thread against under a millisecond for the
 * other batches, while the writer waited for room in the queue.  With
 * the apply thread, a chunk that ends its window is sealed instead (set
 * aside, a new open chunk begun) and closed later: when the queue is
 * empty (store/apply.c), before anything else touches the series
 * (head.c), and all of them before a checkpoint (whose head records hold
 * open chunks only, and which deletes the batch log) and before any read
 * (the thread is idle only once none is left).  Most of them are handed
 * to the close thread (store/close.c), which computes their closes while
 * the apply thread goes on; a chunk whose window holds an earlier closed
 * chunk (its rollups read those back) stays with the apply thread.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "lib/xmalloc.h"
#include "store/headagg.h"
#include "store/store-int.h"

/* Sealed chunks waiting at most (each holds its chunk, about 1 KiB). */
#define HEAD_SEALED_MAX 4096

void
store_head_sealed_free(struct store *s, struct series *ser)
{
	chunk_enc_free(ser->sealed);
	free(ser->sealed);
	ser->sealed = NULL;
	s->sealed_live--;
}

void
store_head_close_sealed_one(struct store *s, uint32_t id, struct series *ser)
{
	if (ser->close_slot != 0) {
		store_close_take(s, id, ser);
		return;
	}
	store_head_close_chunk(s, id, ser, ser->sealed);
	store_head_sealed_free(s, ser);
}

/* The open chunk of ser ended its window: seal it, or close it now. */
void
store_head_seal(struct store *s, uint32_t id, struct series *ser)
{
	struct chunk_enc *c;

	if (s->applier == NULL || s->sealed_live >= HEAD_SEALED_MAX) {
		store_head_close(s, id, ser);
		return;
	}
	ser->sealed = ser->open;
	c = ser->open = xcalloc(1, sizeof *c);
	chunk_enc_init(c);
	/* The new hour's chunk and minutes start at the last hour's size:
	 * a regular series fills them again, without the dozen reallocs
	 * of growing a quarter at a time, each one taking the one glibc
	 * arena's lock every thread shares (hub/main.c). */
	bitw_reserve(&c->w, ser->sealed->w.len + 4);
	if (ser->agg != NULL)
		headagg_clear(ser->agg);
	s->sealed_live++;
	if (ser->closed_max_t < window_of(ser->sealed->first_t) &&
	    store_close_hand(s, id, ser) == 0)
		return;
	if (s->nsealed == s->sealed_cap) {
		s->sealed_cap = s->sealed_cap ? 2 * s->sealed_cap : 1024;
		s->sealed =
		    xreallocarray(s->sealed, s->sealed_cap, sizeof *s->sealed);
	}
	s->sealed[s->nsealed++] = id;
}

size_t
store_head_close_sealed(struct store *s, size_t max, int help)
{
	max -= store_close_progress(s, max, CLOSE_READY);
	while (s->nsealed > 0 && max > 0) {
		uint32_t id = s->sealed[--s->nsealed];
		struct series *ser = &s->ix.series[id];

		if (ser->sealed == NULL)
			continue; /* closed already, by another path */
		store_head_close_sealed_one(s, id, ser);
		max--;
	}
	if (s->nsealed == 0 && max > 0)
		(void)store_close_progress(
		    s, max, help ? CLOSE_HELP : CLOSE_WAIT);
	if (s->sealed_live == 0)
		s->nsealed = 0;
	return s->sealed_live;
}
