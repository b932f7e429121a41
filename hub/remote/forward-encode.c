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

/* Series of one request, grouped by id in first-seen order. */
struct fwd_batch {
	uint32_t *ids;
	struct remote_series *series;
	struct remote_sample **samples;
	size_t *nsamples, *cap;
	size_t n, alloc;
	size_t *slots, nslots; /* open addressing: index + 1, or 0 */
};

static size_t
fwd_batch_series(struct fwd_batch *b, uint32_t id)
{
	size_t j;

	if (b->n * 2 >= b->nslots) {
		free(b->slots);
		b->nslots = b->nslots * 2 + 64;
		b->slots = xcalloc(b->nslots, sizeof *b->slots);
		for (j = 0; j < b->n; j++) {
			size_t k = (b->ids[j] * 2654435761u) % b->nslots;

			while (b->slots[k] != 0)
				k = (k + 1) % b->nslots;
			b->slots[k] = j + 1;
		}
	}
	for (j = (id * 2654435761u) % b->nslots; b->slots[j] != 0;
	     j = (j + 1) % b->nslots) {
		if (b->ids[b->slots[j] - 1] == id)
			return b->slots[j] - 1;
	}
	if (b->n == b->alloc) {
		b->alloc = b->alloc * 2 + 16;
		b->ids = xreallocarray(b->ids, b->alloc, sizeof *b->ids);
		b->samples =
		    xreallocarray(b->samples, b->alloc, sizeof *b->samples);
		b->nsamples =
		    xreallocarray(b->nsamples, b->alloc, sizeof *b->nsamples);
		b->cap = xreallocarray(b->cap, b->alloc, sizeof *b->cap);
	}
	b->ids[b->n] = id;
	b->samples[b->n] = NULL;
	b->nsamples[b->n] = b->cap[b->n] = 0;
	b->slots[j] = b->n + 1;
	return b->n++;
}

static void
fwd_batch_add(struct fwd_batch *b, uint32_t id, int64_t t, double v)
{
	size_t i = fwd_batch_series(b, id);

	if (b->nsamples[i] == b->cap[i]) {
		b->cap[i] = b->cap[i] * 2 + 4;
		b->samples[i] = xreallocarray(
		    b->samples[i], b->cap[i], sizeof *b->samples[i]);
	}
	b->samples[i][b->nsamples[i]].ts_ms = t;
	b->samples[i][b->nsamples[i]++].value = v;
}

static void
fwd_batch_free(struct fwd_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->samples[i]);
	free(b->ids);
	free(b->samples);
	free(b->nsamples);
	free(b->cap);
	free(b->slots);
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
 * the empty one where it goes. */
static struct fwd_lcache *
fwd_lcache_slot(struct fwd_lcache *tab, size_t cap, uint32_t id)
{
	size_t j = (id * 2654435761u) & (cap - 1);

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
			free(c->l);
			continue;
		}
		*fwd_lcache_slot(tab, cap, c->id) = *c;
		t->nlcache++;
	}
	free(t->lcache);
	t->lcache = tab;
	t->lcap = cap;
}

/* Series id's labels as t sends them, from t's cache (computed on first
 * use: labels are fixed per id and t's rules per run); NULL when the
 * series is not for t. */
static const struct fwd_lcache *
fwd_target_cached(struct fwd_target *t, uint32_t id)
{
	struct fwd_lcache *c;
	struct relabel_set set;
	struct serieskey sk;
	size_t i, len = 0;
	char *p;

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
			for (i = 0; i < set.n; i++)
				len += strlen(set.l[i].name) +
				       strlen(set.l[i].value) + 2;
			/* One block: the label array, then the strings. */
			c->l = xmalloc(set.n * sizeof *c->l + len);
			p = (char *)(c->l + set.n);
			for (i = 0; i < set.n; i++) {
				c->l[i].name = p;
				p = stpcpy(p, set.l[i].name) + 1;
				c->l[i].value = p;
				p = stpcpy(p, set.l[i].value) + 1;
			}
			c->n = set.n;
			c->state = 1;
		}
		relabel_set_free(&set);
		serieskey_free(&sk);
	}
	c->used_ms = t->now_ms;
	return c->state == 1 ? c : NULL;
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
		free(t->lcache[i].l);
	free(t->lcache);
	t->lcache = NULL;
	t->nlcache = t->lcap = 0;
}

uint64_t
fwd_target_encode(struct fwd_target *t)
{
	struct remote_forward *fw = t->fw;
	struct fwd_batch b;
	struct fwd_entry *e = fwd_entry_find(fw, t->pos);
	struct remote_series *rs;
	struct fwd_rec own;
	const struct fwd_rec *r;
	const struct fwd_point *p;
	size_t i, k, mine, samples = 0, nrs = 0, bytes = 0;
	uint64_t end = t->pos, stop = UINT64_MAX;
	const struct fwd_target *s0 = t - t->shard;

	if (s0->reshard_to != 0)
		stop = s0->barrier; /* resharding: this layout stops there */
	memset(&b, 0, sizeof b);
	t->now_ms = hub_now(fw->h);
	/* Only t's shard's points count towards its batch: each record was
	 * decoded once for all the target's shards. */
	for (; e != NULL && e < fw->q + fw->qend && e->seq < stop; e++) {
		memset(&own, 0, sizeof own);
		r = fwd_target_record(t, e->seq, &own);
		mine = r->off[t->shard + 1] - r->off[t->shard];
		if (samples > 0 &&
		    samples + mine > (size_t)t->conf->batch_samples) {
			fwd_rec_free(&own);
			break;
		}
		for (i = r->off[t->shard]; i < r->off[t->shard + 1]; i++) {
			p = &r->pts[i];
			fwd_batch_add(&b, p->id, p->ts, p->v);
		}
		fwd_rec_free(&own);
		samples += mine;
		bytes += e->bytes;
		end = e->seq + 1;
	}
	rs = xcalloc(b.n + 1, sizeof *rs);
	t->batch_filtered = 0;
	for (k = 0; k < b.n; k++) {
		const struct fwd_lcache *c = fwd_target_cached(t, b.ids[k]);

		if (c == NULL) {
			t->batch_filtered += b.nsamples[k];
			continue;
		}
		rs[nrs].labels = c->l;
		rs[nrs].nlabels = c->n;
		rs[nrs].samples = b.samples[k];
		rs[nrs].nsamples = b.nsamples[k];
		nrs++;
	}
	buf_reset(&t->body);
	if (nrs > 0)
		remote_request_encode(rs, nrs, &t->body);
	free(rs);
	fwd_batch_free(&b);
	t->batch_samples = samples - t->batch_filtered;
	t->batch_bytes = bytes;
	return end;
}
