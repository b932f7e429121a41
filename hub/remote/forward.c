/* Remote-write out: a durable queue in the store's queue family, written
 * with each batch, and senders per target on the event loop
 * (hub/remote/remote.h). */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/remote/forward-int.h"
#include "hub/remote/remote.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/curlev.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "store/store.h"

const char *const fwd_fail_names[FWD_FAIL_MAX] = {
    "network", "429", "5xx", "4xx"};

static void fwd_kick(struct remote_forward *fw);

void
fwd_qkey(char *key, uint64_t seq)
{
	int i;

	memcpy(key, FWD_QPREFIX, FWD_QPLEN);
	for (i = 0; i < 8; i++)
		key[FWD_QPLEN + (size_t)i] = (char)(seq >> (56 - 8 * i));
}

static uint64_t
fwd_qseq(const char *key)
{
	uint64_t seq = 0;
	int i;

	for (i = 0; i < 8; i++)
		seq = seq << 8 | (unsigned char)key[FWD_QPLEN + (size_t)i];
	return seq;
}

struct fwd_entry *
fwd_entry_find(struct remote_forward *fw, uint64_t seq)
{
	size_t lo = fw->qstart, hi = fw->qend, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (fw->q[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < fw->qend ? &fw->q[lo] : NULL;
}

/* Free the memory of the oldest records while over FWD_MEM_MAX_BYTES. */
static void
fwd_mem_bound(struct remote_forward *fw)
{
	struct fwd_entry *e;

	if (fw->memstart < fw->qstart)
		fw->memstart = fw->qstart;
	while (fw->mem_bytes > FWD_MEM_MAX_BYTES && fw->memstart < fw->qend) {
		e = &fw->q[fw->memstart++];
		if (e->mem != NULL) {
			fw->mem_bytes -= e->bytes;
			free(e->mem);
			e->mem = NULL;
		}
	}
}

/* Append a queue entry; mem (its record's bytes, or NULL) is the
 * queue's then. */
static void
fwd_entry_push(struct remote_forward *fw, uint64_t seq, size_t bytes,
    size_t samples, int64_t enq_ms, char *mem)
{
	if (fw->qend == fw->qcap) {
		if (fw->qstart > fw->qcap / 2) {
			memmove(fw->q, fw->q + fw->qstart,
			    (fw->qend - fw->qstart) * sizeof *fw->q);
			fw->qend -= fw->qstart;
			fw->memstart = fw->memstart > fw->qstart
			                   ? fw->memstart - fw->qstart
			                   : 0;
			fw->qstart = 0;
		} else {
			fw->qcap = fw->qcap * 2 + 64;
			fw->q = xreallocarray(fw->q, fw->qcap, sizeof *fw->q);
		}
	}
	fw->q[fw->qend].seq = seq;
	fw->q[fw->qend].bytes = (uint32_t)bytes;
	fw->q[fw->qend].samples = (uint32_t)samples;
	fw->q[fw->qend].enq_ms = enq_ms;
	fw->q[fw->qend].mem = mem;
	fw->qend++;
	if (mem != NULL) {
		fw->mem_bytes += bytes;
		fwd_mem_bound(fw);
	}
}

/* Drop the queue's oldest entry (its record is deleted). */
static void
fwd_entry_pop(struct remote_forward *fw)
{
	struct fwd_entry *e = &fw->q[fw->qstart++];

	if (e->mem != NULL) {
		fw->mem_bytes -= e->bytes;
		free(e->mem);
		e->mem = NULL;
	}
}

/* Persist pos under key. */
static void
fwd_pos_put(struct fwd_target *t, const char *key, uint64_t pos)
{
	unsigned char v[8];
	char *cause = NULL;
	int i;

	for (i = 0; i < 8; i++)
		v[i] = (unsigned char)(pos >> (56 - 8 * i));
	if (store_meta_put(t->fw->h->store, key, strlen(key), v, 8, &cause) !=
	    0) {
		log_warn("remote", "%s: cannot save the queue position: %s",
		    t->conf->name, cause);
		free(cause);
	}
}

char *
fwd_target_poskey(const struct fwd_target *t)
{
	if (t->nshards == 1)
		return xasprintf(FWD_POSPREFIX "%s", t->conf->name);
	return xasprintf(
	    FWD_POSPREFIX "%s#%u/%u", t->conf->name, t->shard, t->nshards);
}

/* Persist t's position and, with several shards, the target's (the
 * lowest of its shards': where a new shard layout starts). */
void
fwd_pos_save(struct fwd_target *t)
{
	struct fwd_target *s0 = t - t->shard;
	uint64_t low = t->pos;
	unsigned k;
	char *key;

	fwd_pos_put(t, t->poskey, t->pos);
	if (t->nshards == 1)
		return;
	for (k = 0; k < t->nshards; k++) {
		if (s0[k].pos < low)
			low = s0[k].pos;
	}
	key = xasprintf(FWD_POSPREFIX "%s", t->conf->name);
	fwd_pos_put(t, key, low);
	free(key);
}

/* Move t's position to seq. */
static void
fwd_target_advance(struct fwd_target *t, uint64_t seq)
{
	struct remote_forward *fw = t->fw;
	struct fwd_entry *e = fwd_entry_find(fw, t->pos);

	for (; e != NULL && e < fw->q + fw->qend && e->seq < seq; e++)
		t->backlog -= e->bytes;
	t->pos = seq;
	fwd_pos_save(t);
}

/* Trim the records every target is past (store_queue_trim: a durable mark,
 * no tombstones; point deletes left a tombstone a record in every flushed
 * file, a range tombstone made compactions rewrite the backlog). */
static void
fwd_trim(struct remote_forward *fw)
{
	char *cause = NULL;
	uint64_t low = fw->head;
	size_t i;

	for (i = 0; i < fw->nt; i++) {
		if (fwd_target_active(&fw->t[i]) && fw->t[i].pos < low)
			low = fw->t[i].pos;
	}
	if (fw->qstart == fw->qend || fw->q[fw->qstart].seq >= low)
		return;
	if (store_queue_trim(
	        fw->h->store, FWD_QPREFIX, FWD_QPLEN, low, &cause) != 0) {
		log_warn("remote", "cannot trim the queue: %s", cause);
		free(cause);
		return;
	}
	while (fw->qstart < fw->qend && fw->q[fw->qstart].seq < low)
		fwd_entry_pop(fw);
}

/* Drop t's oldest records while its backlog is over its bound. */
static void
fwd_target_bound(struct fwd_target *t)
{
	struct remote_forward *fw = t->fw;
	struct fwd_entry *e;
	uint64_t to = t->pos;

	if (t->end != 0 || t->backlog <= (uint64_t)t->conf->max_bytes)
		return;
	e = fwd_entry_find(fw, t->pos);
	for (; e != NULL && e < fw->q + fw->qend &&
	       t->backlog > (uint64_t)t->conf->max_bytes;
	     e++) {
		to = e->seq + 1;
		t->backlog -= e->bytes;
	}
	t->dropped += fwd_target_samples(t, t->pos, to);
	log_warn("remote",
	    "%s: queue over %lld bytes: oldest samples dropped "
	    "(%llu so far)",
	    t->conf->name, t->conf->max_bytes, (unsigned long long)t->dropped);
	t->pos = to;
	fwd_pos_save(t);
	fwd_trim(fw);
}

/* The store's write hook, prepare: the batch's queue record goes into
 * the batch's own RocksDB write. */
static void
fwd_hook_prepare(void *arg, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, struct store_write_extra *x)
{
	struct remote_forward *fw = arg;
	char key[FWD_QPLEN + 8];

	free(fw->pend);
	fw->pend_ms = hub_now(fw->h);
	fw->pend =
	    fwd_record_encode(fw->pend_ms, ids, ts, vs, n, &fw->pend_len);
	fw->pend_samples = n;
	fwd_qkey(key, fw->head);
	store_write_queue_put(x, key, sizeof key, fw->pend, fw->pend_len);
}

/* The store's write hook, done: a record written is queued for every
 * target; one not written is forgotten with its batch. */
static void
fwd_hook_done(void *arg, int written)
{
	struct remote_forward *fw = arg;
	size_t i, len = fw->pend_len;

	if (!written || fw->pend == NULL) {
		free(fw->pend);
		fw->pend = NULL;
		return;
	}
	fwd_entry_push(
	    fw, fw->head, len, fw->pend_samples, fw->pend_ms, fw->pend);
	fw->pend = NULL;
	fw->head++;
	for (i = 0; i < fw->nt; i++) {
		if (!fwd_target_active(&fw->t[i]))
			continue;
		fw->t[i].backlog += len;
		fwd_target_bound(&fw->t[i]);
	}
	fwd_kick(fw);
}

static void
fwd_done(CURL *easy, CURLcode rc, void *arg)
{
	struct fwd_target *t = arg;
	struct remote_forward *fw = t->fw;
	long code = 0;
	enum fwd_fail fail = FWD_FAIL_MAX;
	int64_t now = hub_now(fw->h);

	if (rc == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(easy);
	if (rc != CURLE_OK || code < 200 || code >= 300) {
		if (rc != CURLE_OK)
			snprintf(t->last_error, sizeof t->last_error, "%s",
			    t->errbuf[0] != '\0' ? t->errbuf
			                         : curl_easy_strerror(rc));
		else
			snprintf(t->last_error, sizeof t->last_error,
			    "HTTP %ld", code);
		t->last_error_ms = now;
	}
	if (rc != CURLE_OK)
		fail = FWD_FAIL_NET;
	else if (code == 429)
		fail = FWD_FAIL_429;
	else if (code >= 500)
		fail = FWD_FAIL_5XX;
	else if (code < 200 || code >= 300)
		fail = FWD_FAIL_4XX;
	if (fail == FWD_FAIL_MAX || fail == FWD_FAIL_4XX) {
		if (fail == FWD_FAIL_4XX) {
			/* Refused as bad data: retrying cannot help. */
			t->failures[fail]++;
			t->dropped += t->batch_samples;
			log_warn("remote", "%s: %ld for %zu samples: dropped",
			    t->conf->name, code, t->batch_samples);
		} else {
			t->sent_samples += t->batch_samples;
			t->sent_bytes += t->body.len;
			t->last_ok_ms = now;
		}
		t->filtered += t->batch_filtered;
		fwd_target_advance(t, t->end);
		t->end = 0;
		t->backoff_ms = 0;
		t->next_try_ms = 0;
		fwd_trim(fw);
	} else {
		t->failures[fail]++;
		t->retries++;
		t->backoff_ms = t->backoff_ms == 0 ? t->conf->min_backoff_ms
		                                   : t->backoff_ms * 2;
		if (t->backoff_ms > t->conf->max_backoff_ms)
			t->backoff_ms = t->conf->max_backoff_ms;
		t->next_try_ms = now + t->backoff_ms;
		t->end = 0;
		log_debug("remote", "%s: %s (%ld): retry in %lld ms",
		    t->conf->name,
		    rc != CURLE_OK ? curl_easy_strerror(rc) : "refused", code,
		    (long long)t->backoff_ms);
		fwd_target_bound(t);
	}
	/* A transfer added from inside curlev's completion callback would
	 * not be driven: start the next one from the loop. */
	event_active(fw->kick, EV_TIMEOUT, 1);
}

/* Start t's next request if it is idle, due and has something to send. */
static void
fwd_target_send(struct fwd_target *t, int64_t now)
{
	struct remote_forward *fw = t->fw;
	CURL *easy;
	uint64_t end;

	struct fwd_target *s0 = t - t->shard;

	if (!fwd_target_active(t) || t->end != 0 || t->pos >= fw->head ||
	    now < t->next_try_ms)
		return;
	/* Resharding: this layout sends up to the barrier only. */
	if (s0->reshard_to != 0 && t->pos >= s0->barrier)
		return;
	if ((end = fwd_target_encode(t)) == t->pos)
		return;
	if (t->batch_samples == 0) {
		/* Nothing in the batch is for t: no request. */
		t->filtered += t->batch_filtered;
		fwd_target_advance(t, end);
		fwd_trim(fw);
		event_active(fw->kick, EV_TIMEOUT, 1);
		return;
	}
	if ((easy = curl_easy_init()) == NULL)
		return;
	t->errbuf[0] = '\0';
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->errbuf);
	remote_target_curl_opts(t->conf, easy);
	curl_easy_setopt(easy, CURLOPT_URL, t->conf->url);
	curl_easy_setopt(easy, CURLOPT_POST, 1L);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->body.data);
	curl_easy_setopt(
	    easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body.len);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
	if (curlev_add(fw->ce, easy, fwd_done, t) != 0) {
		curl_easy_cleanup(easy);
		return;
	}
	t->end = end;
}

static void
fwd_kick(struct remote_forward *fw)
{
	int64_t now = hub_now(fw->h);
	size_t i;

	for (i = 0; i < fw->nt; i++)
		fwd_target_send(&fw->t[i], now);
}

static void
fwd_tick(evutil_socket_t fd, short what, void *arg)
{
	fwd_kick(arg);
}

/* The loop's periodic tick: sweep the label caches, then send. */
static void
fwd_tick_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct remote_forward *fw = arg;
	int64_t now = hub_now(fw->h);
	size_t i;

	for (i = 0; i < fw->nt; i++)
		fwd_target_cache_sweep(&fw->t[i], now);
	fwd_reshard_tick(fw, now);
	fwd_kick(fw);
}

/* Load the queue's records and the targets' positions. */
static int
fwd_load(struct remote_forward *fw, char **cause)
{
	struct store_meta_iter *it;
	const char *key;
	const void *val;
	size_t klen, vlen, i, samples, moved;
	int64_t enq;
	void *pv;
	uint64_t pos;

	/* Records of a store from before the queue family: move them. */
	if (store_queue_adopt(
	        fw->h->store, FWD_QPREFIX, FWD_QPLEN, &moved, cause) != 0)
		return -1;
	if (moved > 0)
		log_info("remote",
		    "%zu queue records moved to the queue family", moved);
	it = store_queue_iter_new(fw->h->store, FWD_QPREFIX, FWD_QPLEN);
	for (store_meta_iter_first(it); store_meta_iter_valid(it);
	     store_meta_iter_next(it)) {
		key = store_meta_iter_key(it, &klen);
		val = store_meta_iter_value(it, &vlen);
		if (klen != FWD_QPLEN + 8 || vlen < 8)
			continue;
		enq = fwd_record_head(val, vlen, &samples);
		fwd_entry_push(fw, fwd_qseq(key), vlen, samples, enq, NULL);
		fw->head = fwd_qseq(key) + 1;
	}
	store_meta_iter_free(it);
	for (i = 0; i < fw->nt; i++) {
		struct fwd_target *t = &fw->t[i];
		char *pk;

		if (!fwd_target_active(t))
			continue;
		int rc = store_meta_get(fw->h->store, t->poskey,
		    strlen(t->poskey), &pv, &vlen, cause);
		size_t j;

		if (rc == 1 && t->nshards > 1) {
			/* A new shard layout starts where the target was. */
			pk = xasprintf(FWD_POSPREFIX "%s", t->conf->name);
			rc = store_meta_get(
			    fw->h->store, pk, strlen(pk), &pv, &vlen, cause);
			free(pk);
		}
		if (rc < 0)
			return -1;
		/* A new target starts with what arrives from now on. */
		pos = fw->head;
		if (rc == 0 && vlen == 8) {
			pos = 0;
			for (j = 0; j < 8; j++)
				pos = pos << 8 | ((unsigned char *)pv)[j];
		}
		free(pv);
		if (fw->qstart < fw->qend && pos < fw->q[fw->qstart].seq)
			pos = fw->q[fw->qstart].seq;
		if (pos > fw->head)
			pos = fw->head;
		t->pos = pos;
		for (j = fw->qstart; j < fw->qend; j++) {
			if (fw->q[j].seq >= pos)
				t->backlog += fw->q[j].bytes;
		}
		fwd_pos_save(t);
	}
	fwd_trim(fw);
	return 0;
}

int
hub_remote_forward_start(struct hub *h, char **cause)
{
	const struct hub_config *c = h->config;
	struct remote_forward *fw;
	struct timeval tv = {0, FWD_TICK_MS * 1000};
	size_t i, n;
	unsigned k;

	if (c->nremote_write == 0)
		return 0;
	fw = xcalloc(1, sizeof *fw);
	fw->h = h;
	for (i = 0; i < c->nremote_write; i++)
		fw->nt += (size_t)c->remote_write[i].max_shards;
	fw->t = xcalloc(fw->nt, sizeof *fw->t);
	for (i = 0, k = 0, n = 0; n < fw->nt; n++) {
		struct fwd_target *t = &fw->t[n];

		t->fw = fw;
		t->conf = &c->remote_write[i];
		t->shard = k;
		t->nshards = (unsigned)t->conf->shards;
		t->nslots = (unsigned)t->conf->max_shards;
		if (k == 0 && t->nslots > 1) {
			t->group = xcalloc(1, sizeof *t->group);
			t->group->nshards = t->nshards;
		} else if (k > 0)
			t->group = t[-1].group;
		t->poskey = fwd_target_poskey(t);
		if (++k == t->nslots) {
			k = 0;
			i++;
		}
		t->headers = curl_slist_append(
		    NULL, "Content-Type: application/x-protobuf");
		t->headers =
		    curl_slist_append(t->headers, "Content-Encoding: snappy");
		t->headers = curl_slist_append(
		    t->headers, "X-Prometheus-Remote-Write-Version: 0.1.0");
		t->headers = remote_target_headers(t->conf, t->headers);
	}
	h->forward = fw;
	if (fwd_load(fw, cause) != 0) {
		hub_remote_forward_free(h);
		return -1;
	}
	fw->ce = curlev_create(h->base);
	fw->tick = event_new(h->base, -1, EV_PERSIST, fwd_tick_sweep, fw);
	event_add(fw->tick, &tv);
	fw->kick = event_new(h->base, -1, 0, fwd_tick, fw);
	store_write_hook_set(h->store,
	    &(struct store_write_hook){fwd_hook_prepare, fwd_hook_done, fw});
	for (i = 0; i < fw->nt; i++)
		if (fwd_target_active(&fw->t[i]))
			log_info("remote",
			    "forwarding to %s (%s) from position %llu "
			    "(%llu bytes queued)",
			    fw->t[i].conf->name, fw->t[i].conf->url,
			    (unsigned long long)fw->t[i].pos,
			    (unsigned long long)fw->t[i].backlog);
	fwd_kick(fw);
	return 0;
}

void
hub_remote_forward_free(struct hub *h)
{
	struct remote_forward *fw = h->forward;
	size_t i;

	if (fw == NULL)
		return;
	if (fw->ce != NULL) /* started: the hook was set */
		store_write_hook_set(h->store, NULL);
	free(fw->pend);
	if (fw->tick != NULL)
		event_free(fw->tick);
	if (fw->kick != NULL)
		event_free(fw->kick);
	if (fw->ce != NULL)
		curlev_free(fw->ce);
	for (i = 0; i < fw->nt; i++) {
		curl_slist_free_all(fw->t[i].headers);
		free(fw->t[i].poskey);
		fwd_target_cache_free(&fw->t[i]);
		if (fw->t[i].shard == 0)
			fwd_group_free(fw->t[i].group);
		buf_free(&fw->t[i].body);
	}
	free(fw->t);
	while (fw->qstart < fw->qend)
		fwd_entry_pop(fw);
	free(fw->q);
	free(fw);
	h->forward = NULL;
}
