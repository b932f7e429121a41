/* Forwarding: queue records read and decoded once for all the shards of
 * a target, each shard's points apart (hub/remote/forward-int.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/remote/forward-int.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "store/store.h"

const char *
fwd_record_read(
    struct remote_forward *fw, uint64_t seq, size_t *vlen, char **own)
{
	const struct fwd_entry *e = fwd_entry_find(fw, seq);
	char key[FWD_QPLEN + 8], *cause = NULL;
	void *val = NULL;

	*own = NULL;
	if (e != NULL && e->seq == seq && e->mem != NULL) {
		*vlen = e->bytes;
		return e->mem;
	}
	fwd_qkey(key, seq);
	if (store_queue_get(
	        fw->h->store, key, sizeof key, &val, vlen, &cause) != 0) {
		log_warn("remote", "queue record %llu unreadable: %s",
		    (unsigned long long)seq, cause != NULL ? cause : "absent");
		free(cause);
		free(val);
		return NULL;
	}
	*own = val;
	return val;
}

/* Decode record seq into r, its points grouped by the shard of n that
 * sends them (record order kept inside a shard); an unreadable record
 * decodes as empty. */
static void
fwd_rec_decode(
    struct remote_forward *fw, uint64_t seq, unsigned n, struct fwd_rec *r)
{
	size_t vlen = 0, np = 0, i, *at;
	char *own;
	const char *val = fwd_record_read(fw, seq, &vlen, &own);
	struct fwd_point *all;
	unsigned k;

	all = val != NULL ? fwd_record_points(val, vlen, &np)
	                  : xcalloc(1, sizeof *all);
	free(own);
	r->seq = seq;
	r->off = xcalloc((size_t)n + 1, sizeof *r->off);
	r->bytes = (np + 1) * sizeof *r->pts + ((size_t)n + 1) * sizeof *r->off;
	r->off[1] = np;
	if (n <= 1) {
		r->pts = all;
		return;
	}
	r->off[1] = 0;
	r->pts = xreallocarray(NULL, np + 1, sizeof *r->pts);
	for (i = 0; i < np; i++)
		r->off[fwd_shard(all[i].id, n) + 1]++;
	for (k = 0; k < n; k++)
		r->off[k + 1] += r->off[k];
	at = xcalloc(n, sizeof *at);
	for (i = 0; i < np; i++) {
		k = fwd_shard(all[i].id, n);
		r->pts[r->off[k] + at[k]++] = all[i];
	}
	free(at);
	free(all);
}

void
fwd_rec_free(struct fwd_rec *r)
{
	free(r->off);
	free(r->pts);
	memset(r, 0, sizeof *r);
}

/* Drop the cached records every shard of the group is past. */
static void
fwd_group_trim(struct fwd_group *g, const struct fwd_target *s0)
{
	uint64_t low = UINT64_MAX;
	unsigned k;

	for (k = 0; k < g->nshards; k++) {
		if (s0[k].pos < low)
			low = s0[k].pos;
	}
	while (g->start < g->end && g->r[g->start].seq < low) {
		g->bytes -= g->r[g->start].bytes;
		fwd_rec_free(&g->r[g->start++]);
	}
	if (g->start == g->end)
		g->start = g->end = 0;
}

const struct fwd_rec *
fwd_target_record(struct fwd_target *t, uint64_t seq, struct fwd_rec *own)
{
	struct fwd_group *g = t->group;
	struct fwd_rec *r;

	if (g == NULL) {
		fwd_rec_decode(t->fw, seq, 1, own);
		return own;
	}
	fwd_group_trim(g, t - t->shard);
	if (g->start < g->end && seq >= g->r[g->start].seq &&
	    seq < g->r[g->start].seq + (g->end - g->start))
		return &g->r[g->start + (seq - g->r[g->start].seq)];
	/* Cached records stay consecutive: seq joins them only next to the
	 * last one, and within the bound; else it is decoded for t alone. */
	if ((g->start < g->end && seq != g->r[g->end - 1].seq + 1) ||
	    g->bytes >= FWD_GROUP_MAX_BYTES) {
		fwd_rec_decode(t->fw, seq, g->nshards, own);
		return own;
	}
	if (g->end == g->cap) {
		if (g->start > 0) {
			memmove(g->r, g->r + g->start,
			    (g->end - g->start) * sizeof *g->r);
			g->end -= g->start;
			g->start = 0;
		}
		if (g->end == g->cap) {
			g->cap = g->cap * 2 + 16;
			g->r = xreallocarray(g->r, g->cap, sizeof *g->r);
		}
	}
	r = &g->r[g->end++];
	fwd_rec_decode(t->fw, seq, g->nshards, r);
	g->bytes += r->bytes;
	return r;
}

void
fwd_group_free_records(struct fwd_group *g)
{
	size_t i;

	for (i = g->start; i < g->end; i++)
		fwd_rec_free(&g->r[i]);
	g->start = g->end = 0;
	g->bytes = 0;
}

void
fwd_group_free(struct fwd_group *g)
{
	if (g == NULL)
		return;
	fwd_group_free_records(g);
	free(g->r);
	free(g);
}
