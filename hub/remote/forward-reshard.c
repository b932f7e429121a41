/* Forwarding: a target's number of shards follows its measured lag
 * (queue.shards to queue.max_shards), as Prometheus reshards.  A change
 * never reorders a series or loses a sample: the shards first all send up
 * to a barrier (the furthest any has got), then the new layout starts
 * there, its positions saved before it sends (hub/remote/forward-int.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/hub.h"
#include "hub/remote/forward-int.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "store/store.h"

/* The shards target s0 should have now, from its lag over the last
 * interval; s0->nshards when nothing should change. */
static unsigned
fwd_reshard_want(struct fwd_target *s0, int64_t now)
{
	const struct remote_target_conf *c = s0->conf;
	uint64_t retries = 0;
	double lag = 0, l;
	unsigned k, n = s0->nshards;

	for (k = 0; k < n; k++) {
		retries += s0[k].retries;
		if ((l = fwd_target_lag(&s0[k], now)) > lag)
			lag = l;
	}
	/* Failing: more shards would only hit the target harder. */
	if (retries != s0->reshard_retries) {
		s0->reshard_retries = retries;
		s0->calm = 0;
		return n;
	}
	/* Behind by more than an interval: twice the shards. */
	if (lag * 1000 > (double)c->reshard_every_ms) {
		s0->calm = 0;
		return n * 2 < (unsigned)c->max_shards
		           ? n * 2
		           : (unsigned)c->max_shards;
	}
	/* Caught up for three intervals in a row: half. */
	if (lag < 1.0 && ++s0->calm >= 3) {
		s0->calm = 0;
		return n / 2 > (unsigned)c->shards ? n / 2
		                                   : (unsigned)c->shards;
	}
	if (lag >= 1.0)
		s0->calm = 0;
	return n;
}

/* Every shard of s0 has sent up to the barrier: switch to the new layout
 * there. */
static void
fwd_reshard_switch(struct fwd_target *s0)
{
	struct remote_forward *fw = s0->fw;
	struct fwd_group *g = s0->group;
	struct fwd_entry *e;
	struct store_meta_op *ops;
	unsigned k, from = s0->nshards, to = s0->reshard_to;
	uint64_t backlog = 0;
	char *cause = NULL;

	/* The old layout's keys go: a restart with it finds the target's. */
	ops = xcalloc(from, sizeof *ops);
	for (k = 0; k < from; k++) {
		ops[k].key = s0[k].poskey;
		ops[k].klen = strlen(s0[k].poskey);
	}
	if (from > 1 &&
	    store_meta_write(fw->h->store, ops, from, &cause) != 0) {
		log_warn("remote", "%s: resharding: %s", s0->conf->name, cause);
		free(cause);
	}
	free(ops);
	for (e = fwd_entry_find(fw, s0->barrier);
	     e != NULL && e < fw->q + fw->qend; e++)
		backlog += e->bytes;
	/* Cached records are split by the old layout. */
	if (g != NULL) {
		fwd_group_free_records(g);
		g->nshards = to;
	}
	for (k = 0; k < s0->nslots; k++) {
		struct fwd_target *t = &s0[k];

		t->nshards = to;
		if (k >= to) {
			fwd_target_cache_free(t);
			continue;
		}
		free(t->poskey);
		t->poskey = fwd_target_poskey(t);
		t->pos = s0->barrier;
		t->backlog = backlog;
		t->next_try_ms = 0;
		t->backoff_ms = 0;
	}
	for (k = 0; k < to; k++)
		fwd_pos_save(&s0[k]);
	s0->reshard_to = 0;
	s0->reshards++;
	log_info("remote",
	    "%s: %u shards from now on (were %u), at position "
	    "%llu",
	    s0->conf->name, to, from, (unsigned long long)s0->barrier);
}

/* One target: decide every reshard_interval, switch when the barrier is
 * reached. */
static void
fwd_reshard_target(struct fwd_target *s0, int64_t now)
{
	unsigned k, want;
	uint64_t far = 0, at;

	if (s0->reshard_to != 0) {
		for (k = 0; k < s0->nshards; k++) {
			if (s0[k].end != 0 || s0[k].pos < s0->barrier)
				return;
		}
		fwd_reshard_switch(s0);
		return;
	}
	if (s0->nslots <= 1 || (unsigned)s0->conf->shards == s0->nslots)
		return;
	if (s0->reshard_at_ms == 0)
		s0->reshard_at_ms = now + s0->conf->reshard_every_ms;
	if (now < s0->reshard_at_ms)
		return;
	s0->reshard_at_ms = now + s0->conf->reshard_every_ms;
	want = fwd_reshard_want(s0, now);
	log_debug("remote", "%s: %u shards, lag %.1f s: want %u",
	    s0->conf->name, s0->nshards, fwd_target_lag(s0, now), want);
	if (want == s0->nshards)
		return;
	/* The barrier: the furthest any shard has sent or is sending. */
	for (k = 0; k < s0->nshards; k++) {
		at = s0[k].end != 0 ? s0[k].end : s0[k].pos;
		if (at > far)
			far = at;
	}
	s0->barrier = far;
	s0->reshard_to = want;
	log_info("remote", "%s: resharding from %u to %u shards at %llu",
	    s0->conf->name, s0->nshards, want, (unsigned long long)far);
	fwd_reshard_target(s0, now);
}

void
fwd_reshard_tick(struct remote_forward *fw, int64_t now)
{
	size_t i;

	for (i = 0; i < fw->nt; i += fw->t[i].nslots)
		fwd_reshard_target(&fw->t[i], now);
}
