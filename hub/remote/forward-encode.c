/* Forwarding: one request's body from queue records, with a target's
 * match and relabel rules (hub/remote/forward-int.h). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub.h"
#include "hub/remote/forward-int.h"
#include "hub/remote/relabel.h"
#include "hub/remote/remote.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/selector.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/store.h"

/* Labels of series id, __name__ among them, sorted by name, into lb (at
 * most SERIESKEY_TAGS_MAX + 1); 0, or -1 for an unknown id. */
static int
fwd_labels(struct store *s, uint32_t id, struct serieskey *sk,
    struct remote_label *lb, size_t *n)
{
	const char *key = store_series_key(s, id);
	char *cause = NULL;
	size_t i, j = 0, named = 0;

	if (key == NULL || serieskey_parse(key, strlen(key), sk, &cause) != 0) {
		free(cause);
		return -1;
	}
	for (i = 0; i < sk->ntags; i++) {
		if (!named && strcmp("__name__", sk->tags[i].name) < 0) {
			lb[j].name = "__name__";
			lb[j++].value = sk->metric;
			named = 1;
		}
		lb[j].name = sk->tags[i].name;
		lb[j++].value = sk->tags[i].value;
	}
	if (!named) {
		lb[j].name = "__name__";
		lb[j++].value = sk->metric;
	}
	*n = j;
	return 0;
}

/* fwd_target_encode's buffers, kept from one batch to the next: the
 * batch's points, then its series in first-seen order with their
 * samples grouped (each series' label cache entry holds its place in
 * the batch, tagged with the batch's gen). */
struct fwd_scratch {
	struct fwd_point *pts;
	uint32_t *pidx; /* each point's series */
	size_t npts, ptscap;
	const uint8_t **pb; /* series k's label bytes, or NULL: not sent */
	uint32_t *pblen;
	size_t *off; /* series k's samples: samples[off[k]..off[k + 1]) */
	size_t nser, sercap;
	struct remote_sample *samples;
	uint32_t gen;
	struct buf raw; /* the WriteRequest before snappy */
};

static struct fwd_lcache *fwd_target_cached(struct fwd_target *t, uint32_t id);

/* Group the points of t's batch by series (sc->pb, off, samples). */
static void
fwd_scratch_group(struct fwd_target *t, struct fwd_scratch *sc)
{
	size_t i, j, n = sc->npts;
	struct fwd_lcache *c;

	if (++sc->gen == 0) {
		for (j = 0; j < t->lcap; j++)
			t->lcache[j].gen = 0;
		sc->gen = 1;
	}
	if (sc->sercap < n + 1) {
		sc->sercap = n + 1;
		sc->pb = xreallocarray(sc->pb, sc->sercap, sizeof *sc->pb);
		sc->pblen =
		    xreallocarray(sc->pblen, sc->sercap, sizeof *sc->pblen);
		sc->off =
		    xreallocarray(sc->off, sc->sercap + 1, sizeof *sc->off);
	}
	sc->nser = 0;
	sc->off[0] = 0;
	for (i = 0; i < n; i++) {
		c = fwd_target_cached(t, sc->pts[i].id);
		if (c->gen != sc->gen) {
			c->gen = sc->gen;
			c->idx = (uint32_t)sc->nser;
			sc->pb[sc->nser] = c->state == 1 ? c->pb : NULL;
			sc->pblen[sc->nser] = c->pblen;
			sc->off[++sc->nser] = 0;
		}
		sc->pidx[i] = c->idx;
		sc->off[c->idx + 1]++;
	}
	for (j = 0; j < sc->nser; j++)
		sc->off[j + 1] += sc->off[j];
	/* Scatter, each series' samples in record order; off[k] moves to
	 * off[k + 1] on the way, so shift it back after. */
	for (i = 0; i < n; i++) {
		struct remote_sample *o = &sc->samples[sc->off[sc->pidx[i]]++];

		o->ts_ms = sc->pts[i].ts;
		o->value = sc->pts[i].v;
	}
	for (j = sc->nser; j > 0; j--)
		sc->off[j] = sc->off[j - 1];
	sc->off[0] = 0;
}

/* Append points p[0..n) to sc's. */
static void
fwd_scratch_add(struct fwd_scratch *sc, const struct fwd_point *p, size_t n)
{
	if (n == 0)
		return;
	if (sc->npts + n > sc->ptscap) {
		sc->ptscap = (sc->npts + n) * 2;
		sc->pts = xreallocarray(sc->pts, sc->ptscap, sizeof *sc->pts);
		sc->pidx =
		    xreallocarray(sc->pidx, sc->ptscap, sizeof *sc->pidx);
		sc->samples =
		    xreallocarray(sc->samples, sc->ptscap, sizeof *sc->samples);
	}
	memcpy(sc->pts + sc->npts, p, n * sizeof *p);
	sc->npts += n;
}

static void
fwd_scratch_free(struct fwd_scratch *sc)
{
	if (sc == NULL)
		return;
	free(sc->pts);
	free(sc->pidx);
	free(sc->pb);
	free(sc->pblen);
	free(sc->off);
	free(sc->samples);
	buf_free(&sc->raw);
	free(sc);
}

uint64_t
fwd_target_samples(struct fwd_target *t, uint64_t from, uint64_t to)
{
	struct remote_forward *fw = t->fw;
	struct fwd_entry *e = fwd_entry_find(fw, from);
	struct fwd_rec own;
	const struct fwd_rec *r;
	uint64_t n = 0;

	for (; e != NULL && e < fw->q + fw->qend && e->seq < to; e++) {
		if (t->nshards == 1) {
			n += e->samples;
			continue;
		}
		memset(&own, 0, sizeof own);
		r = fwd_target_record(t, e->seq, &own);
		n += r->off[t->shard + 1] - r->off[t->shard];
		fwd_rec_free(&own);
	}
	return n;
}

/* The value of tag name of sk (a selector_match callback), or NULL. */
static const char *
fwd_tag_get(void *arg, const char *name)
{
	return serieskey_get(arg, name);
}

/* The labels of series id as t sends them into *set (borrowing from sk):
 * 1, or 0 when the series is not for t (unknown to the store, outside
 * its match, or dropped by its relabel rules). */
static int
fwd_target_labels(struct fwd_target *t, uint32_t id, struct serieskey *sk,
    struct relabel_set *set)
{
	struct remote_label lb[SERIESKEY_TAGS_MAX + 1];
	size_t i, nl;

	if (fwd_labels(t->fw->h->store, id, sk, lb, &nl) != 0)
		return 0; /* a series the store no longer knows */
	if (t->conf->match != NULL &&
	    !selector_match(t->conf->match, sk->metric, fwd_tag_get, sk))
		return 0;
	for (i = 0; i < nl; i++)
		relabel_set_add(set, lb[i].name, lb[i].value);
	return relabel_apply(t->conf->relabel, t->conf->nrelabel, set);
}

/* The slot of id in table tab of cap slots (a power of two): its own, or
 * the empty one where it goes.  Series ids are dense and a record's
 * points mostly go up by id, so the id itself is the hash: a batch walks
 * the table forwards, not at random (a cache miss a point, else). */
static struct fwd_lcache *
fwd_lcache_slot(struct fwd_lcache *tab, size_t cap, uint32_t id)
{
	size_t j = id & (cap - 1);

	while (tab[j].state != 0 && tab[j].id != id)
		j = (j + 1) & (cap - 1);
	return &tab[j];
}

/* Move t's cached series used since keep_ms into a new table of cap
 * slots; free the others. */
static void
fwd_lcache_rehash(struct fwd_target *t, size_t cap, int64_t keep_ms)
{
	struct fwd_lcache *tab = xcalloc(cap, sizeof *tab), *c;
	size_t i;

	t->nlcache = 0;
	for (i = 0; i < t->lcap; i++) {
		c = &t->lcache[i];
		if (c->state == 0)
			continue;
		if (c->used_ms < keep_ms) {
			free(c->pb);
			continue;
		}
		*fwd_lcache_slot(tab, cap, c->id) = *c;
		t->nlcache++;
	}
	free(t->lcache);
	t->lcache = tab;
	t->lcap = cap;
}

/* Series id's entry of t's cache, with its labels as t sends them
 * (computed on first use: labels are fixed per id and t's rules per
 * run) when its state is 1; valid until the next call. */
static struct fwd_lcache *
fwd_target_cached(struct fwd_target *t, uint32_t id)
{
	struct fwd_lcache *c;
	struct relabel_set set;
	struct serieskey sk;

	if ((t->nlcache + 1) * 2 > t->lcap)
		fwd_lcache_rehash(
		    t, t->lcap < 1024 ? 1024 : t->lcap * 2, INT64_MIN);
	c = fwd_lcache_slot(t->lcache, t->lcap, id);
	if (c->state == 0) {
		memset(&set, 0, sizeof set);
		memset(&sk, 0, sizeof sk);
		c->id = id;
		c->state = 2;
		t->nlcache++;
		if (fwd_target_labels(t, id, &sk, &set)) {
			struct buf pb = BUF_INIT;

			remote_pb_labels(set.l, set.n, &pb);
			c->pblen = (uint32_t)pb.len;
			c->pb = (uint8_t *)buf_detach(&pb);
			c->state = 1;
		}
		relabel_set_free(&set);
		serieskey_free(&sk);
	}
	c->used_ms = t->now_ms;
	return c;
}

void
fwd_target_cache_sweep(struct fwd_target *t, int64_t now)
{
	int64_t idle = t->conf->label_idle_ms, every = idle / 4;
	size_t cap = 1024;

	if (idle <= 0 || now - t->swept_ms < every)
		return;
	t->swept_ms = now;
	if (t->lcap == 0)
		return;
	while (cap < t->nlcache * 4)
		cap *= 2;
	fwd_lcache_rehash(t, cap, now - idle);
}

void
fwd_target_cache_free(struct fwd_target *t)
{
	size_t i;

	for (i = 0; i < t->lcap; i++)
		free(t->lcache[i].pb);
	free(t->lcache);
	fwd_scratch_free(t->scratch);
	t->scratch = NULL;
	t->lcache = NULL;
	t->nlcache = t->lcap = 0;
}

uint64_t
fwd_target_encode(struct fwd_target *t)
{
	struct remote_forward *fw = t->fw;
	struct fwd_scratch *sc = t->scratch;
	struct fwd_entry *e = fwd_entry_find(fw, t->pos);
	struct fwd_rec own;
	const struct fwd_rec *r;
	size_t k, mine, nrs = 0, bytes = 0;
	uint64_t end = t->pos, stop = UINT64_MAX;
	const struct fwd_target *s0 = t - t->shard;

	if (sc == NULL)
		sc = t->scratch = xcalloc(1, sizeof *sc);
	if (s0->reshard_to != 0)
		stop = s0->barrier; /* resharding: this layout stops there */
	t->now_ms = hub_now(fw->h);
	sc->npts = 0;
	/* Only t's shard's points count towards its batch: each record was
	 * decoded once for all the target's shards. */
	for (; e != NULL && e < fw->q + fw->qend && e->seq < stop; e++) {
		memset(&own, 0, sizeof own);
		r = fwd_target_record(t, e->seq, &own);
		mine = r->off[t->shard + 1] - r->off[t->shard];
		if (sc->npts > 0 &&
		    sc->npts + mine > (size_t)t->conf->batch_samples) {
			fwd_rec_free(&own);
			break;
		}
		fwd_scratch_add(sc, r->pts + r->off[t->shard], mine);
		fwd_rec_free(&own);
		bytes += e->bytes;
		end = e->seq + 1;
	}
	fwd_scratch_group(t, sc);
	/* The request's protobuf straight from each series' label bytes
	 * and samples. */
	buf_reset(&sc->raw);
	t->batch_filtered = 0;
	for (k = 0; k < sc->nser; k++) {
		size_t n = sc->off[k + 1] - sc->off[k];

		if (sc->pb[k] == NULL) {
			t->batch_filtered += n;
			continue;
		}
		remote_pb_series(sc->pb[k], sc->pblen[k],
		    sc->samples + sc->off[k], n, &sc->raw);
		nrs++;
	}
	buf_reset(&t->body);
	if (nrs > 0)
		remote_pb_snappy(&sc->raw, &t->body);
	t->batch_samples = sc->npts - t->batch_filtered;
	t->batch_bytes = bytes;
	return end;
}
