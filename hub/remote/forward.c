/* Remote-write out: a durable queue in the store's meta space and one
 * sender per target on the event loop (hub/remote/remote.h). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/remote/remote.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/curlev.h"
#include "lib/log.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/store.h"

/*
 * Queue records: key "remote/q/" + big-endian 64-bit sequence number;
 * value: the enqueue time (int64 ms) then per point the series id (u32),
 * time (int64 ms) and value (double), in host byte order.  A target's
 * position, the sequence number it sends next, is "remote/pos/NAME".
 */
#define FWD_QPREFIX   "remote/q/"
#define FWD_QPLEN     (sizeof FWD_QPREFIX - 1)
#define FWD_POSPREFIX "remote/pos/"
#define FWD_POINT     20 /* bytes a point takes in a record */
#define FWD_TICK_MS   200

/* What the queue holds, in memory (the records stay in the store). */
struct fwd_entry {
	uint64_t seq;
	uint32_t bytes, samples;
	int64_t enq_ms;
};

enum fwd_fail {
	FWD_FAIL_NET,
	FWD_FAIL_429,
	FWD_FAIL_5XX,
	FWD_FAIL_4XX,
	FWD_FAIL_MAX
};
static const char *const fwd_fail_names[FWD_FAIL_MAX] = {
    "network", "429", "5xx", "4xx"};

struct fwd_target {
	struct remote_forward *fw;
	const struct remote_target_conf *conf; /* h->config's, never replaced */
	uint64_t pos;     /* next sequence number to send */
	uint64_t end;     /* in flight: the one after the batch; 0 idle */
	uint64_t backlog; /* bytes of records from pos on */
	size_t batch_samples;
	size_t batch_bytes;
	int64_t next_try_ms, backoff_ms;
	uint64_t sent_samples, sent_bytes, retries, dropped;
	uint64_t failures[FWD_FAIL_MAX];
	struct curl_slist *headers;
	struct buf body;
};

struct remote_forward {
	struct hub *h;
	struct curlev *ce;
	struct event *tick;
	struct event
	    *kick; /* fwd_kick from the loop, not from curl's callback */
	struct fwd_entry *q; /* q[qstart..qend): the queue, oldest first */
	size_t qstart, qend, qcap;
	uint64_t head; /* next sequence number to assign */
	struct fwd_target *t;
	size_t nt;
};

static void fwd_kick(struct remote_forward *fw);

static void
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

static struct fwd_entry *
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

static void
fwd_entry_push(
    struct remote_forward *fw, uint64_t seq, size_t bytes, int64_t enq_ms)
{
	if (fw->qend == fw->qcap) {
		if (fw->qstart > fw->qcap / 2) {
			memmove(fw->q, fw->q + fw->qstart,
			    (fw->qend - fw->qstart) * sizeof *fw->q);
			fw->qend -= fw->qstart;
			fw->qstart = 0;
		} else {
			fw->qcap = fw->qcap * 2 + 64;
			fw->q = xreallocarray(fw->q, fw->qcap, sizeof *fw->q);
		}
	}
	fw->q[fw->qend].seq = seq;
	fw->q[fw->qend].bytes = (uint32_t)bytes;
	fw->q[fw->qend].samples = (uint32_t)((bytes - 8) / FWD_POINT);
	fw->q[fw->qend].enq_ms = enq_ms;
	fw->qend++;
}

/* Persist t's position. */
static void
fwd_pos_save(struct fwd_target *t)
{
	char *key = xasprintf(FWD_POSPREFIX "%s", t->conf->name), *cause = NULL;
	unsigned char v[8];
	int i;

	for (i = 0; i < 8; i++)
		v[i] = (unsigned char)(t->pos >> (56 - 8 * i));
	if (store_meta_put(t->fw->h->store, key, strlen(key), v, 8, &cause) !=
	    0) {
		log_warn("remote", "%s: cannot save the queue position: %s",
		    t->conf->name, cause);
		free(cause);
	}
	free(key);
}

/* Move t's position to seq (dropped: counting the skipped samples). */
static void
fwd_target_advance(struct fwd_target *t, uint64_t seq, int dropped)
{
	struct remote_forward *fw = t->fw;
	struct fwd_entry *e = fwd_entry_find(fw, t->pos);

	for (; e != NULL && e < fw->q + fw->qend && e->seq < seq; e++) {
		t->backlog -= e->bytes;
		if (dropped)
			t->dropped += e->samples;
	}
	t->pos = seq;
	fwd_pos_save(t);
}

/* Delete the records every target is past. */
static void
fwd_trim(struct remote_forward *fw)
{
	struct store_meta_op ops[256];
	char keys[256][FWD_QPLEN + 8], *cause = NULL;
	uint64_t low = fw->head;
	size_t i, n;

	for (i = 0; i < fw->nt; i++) {
		if (fw->t[i].pos < low)
			low = fw->t[i].pos;
	}
	while (fw->qstart < fw->qend && fw->q[fw->qstart].seq < low) {
		for (n = 0; n < 256 && fw->qstart < fw->qend &&
		            fw->q[fw->qstart].seq < low;
		     n++, fw->qstart++) {
			fwd_qkey(keys[n], fw->q[fw->qstart].seq);
			ops[n].key = keys[n];
			ops[n].klen = FWD_QPLEN + 8;
			ops[n].val = NULL;
			ops[n].vlen = 0;
		}
		if (store_meta_write(fw->h->store, ops, n, &cause) != 0) {
			log_warn("remote", "cannot trim the queue: %s", cause);
			free(cause);
			return;
		}
	}
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
		t->dropped += e->samples;
	}
	log_warn("remote",
	    "%s: queue over %lld bytes: oldest samples dropped "
	    "(%llu so far)",
	    t->conf->name, t->conf->max_bytes, (unsigned long long)t->dropped);
	t->pos = to;
	fwd_pos_save(t);
	fwd_trim(fw);
}

int
hub_remote_forward_points(struct hub *h, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, char **cause)
{
	struct remote_forward *fw = h->forward;
	char key[FWD_QPLEN + 8], *p;
	size_t i, len = 8 + n * FWD_POINT;
	int64_t now = hub_now(h);

	if (fw == NULL || n == 0)
		return 0;
	p = xmalloc(len);
	memcpy(p, &now, 8);
	for (i = 0; i < n; i++) {
		memcpy(p + 8 + i * FWD_POINT, &ids[i], 4);
		memcpy(p + 12 + i * FWD_POINT, &ts[i], 8);
		memcpy(p + 20 + i * FWD_POINT, &vs[i], 8);
	}
	fwd_qkey(key, fw->head);
	if (store_meta_put(h->store, key, sizeof key, p, len, cause) != 0) {
		free(p);
		return -1;
	}
	free(p);
	fwd_entry_push(fw, fw->head, len, now);
	fw->head++;
	for (i = 0; i < fw->nt; i++) {
		fw->t[i].backlog += len;
		fwd_target_bound(&fw->t[i]);
	}
	fwd_kick(fw);
	return 0;
}

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

/* Encode records [t->pos, ...) up to the batch size into t->body; returns
 * the sequence number after the last one taken. */
static uint64_t
fwd_target_encode(struct fwd_target *t)
{
	struct remote_forward *fw = t->fw;
	struct fwd_batch b;
	struct fwd_entry *e = fwd_entry_find(fw, t->pos);
	struct remote_series *rs;
	struct remote_label *lb;
	struct serieskey *sk;
	char key[FWD_QPLEN + 8], *cause = NULL;
	void *val;
	size_t vlen, i, k, nl, samples = 0, nrs = 0, bytes = 0;
	uint64_t end = t->pos;
	uint32_t id;
	int64_t ts;
	double v;

	memset(&b, 0, sizeof b);
	for (; e != NULL && e < fw->q + fw->qend; e++) {
		if (samples > 0 &&
		    samples + e->samples > (size_t)t->conf->batch_samples)
			break;
		fwd_qkey(key, e->seq);
		val = NULL;
		if (store_meta_get(fw->h->store, key, sizeof key, &val, &vlen,
		        &cause) != 0) {
			log_warn("remote", "queue record %llu unreadable: %s",
			    (unsigned long long)e->seq,
			    cause != NULL ? cause : "absent");
			free(cause);
			cause = NULL;
		}
		for (i = 0; val != NULL && 8 + (i + 1) * FWD_POINT <= vlen;
		     i++) {
			memcpy(&id, (char *)val + 8 + i * FWD_POINT, 4);
			memcpy(&ts, (char *)val + 12 + i * FWD_POINT, 8);
			memcpy(&v, (char *)val + 20 + i * FWD_POINT, 8);
			fwd_batch_add(&b, id, ts, v);
		}
		free(val);
		samples += e->samples;
		bytes += e->bytes;
		end = e->seq + 1;
	}
	rs = xcalloc(b.n + 1, sizeof *rs);
	lb = xcalloc((b.n + 1) * (SERIESKEY_TAGS_MAX + 1), sizeof *lb);
	sk = xcalloc(b.n + 1, sizeof *sk);
	for (k = 0; k < b.n; k++) {
		struct remote_label *l = lb + k * (SERIESKEY_TAGS_MAX + 1);

		if (fwd_labels(fw->h->store, b.ids[k], &sk[k], l, &nl) != 0)
			continue; /* a series the store no longer knows */
		rs[nrs].labels = l;
		rs[nrs].nlabels = nl;
		rs[nrs].samples = b.samples[k];
		rs[nrs].nsamples = b.nsamples[k];
		nrs++;
	}
	buf_reset(&t->body);
	remote_request_encode(rs, nrs, &t->body);
	for (k = 0; k < b.n; k++)
		serieskey_free(&sk[k]);
	free(sk);
	free(lb);
	free(rs);
	fwd_batch_free(&b);
	t->batch_samples = samples;
	t->batch_bytes = bytes;
	return end;
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
			log_warn("remote", "%s: %ld for %zu samples: dropped",
			    t->conf->name, code, t->batch_samples);
		} else {
			t->sent_samples += t->batch_samples;
			t->sent_bytes += t->body.len;
		}
		fwd_target_advance(t, t->end, fail == FWD_FAIL_4XX);
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

	if (t->end != 0 || t->pos >= fw->head || now < t->next_try_ms)
		return;
	if ((end = fwd_target_encode(t)) == t->pos)
		return;
	if ((easy = curl_easy_init()) == NULL)
		return;
	curl_easy_setopt(easy, CURLOPT_URL, t->conf->url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, CURLEV_PROTOCOLS);
	curl_easy_setopt(easy, CURLOPT_POST, 1L);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->body.data);
	curl_easy_setopt(
	    easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body.len);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)t->conf->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	if (t->conf->basic_user != NULL) {
		curl_easy_setopt(easy, CURLOPT_USERNAME, t->conf->basic_user);
		curl_easy_setopt(
		    easy, CURLOPT_PASSWORD, t->conf->basic_password);
	}
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

/* Load the queue's records and the targets' positions. */
static int
fwd_load(struct remote_forward *fw, char **cause)
{
	struct store_meta_iter *it;
	const char *key;
	const void *val;
	size_t klen, vlen, i;
	int64_t enq;
	void *pv;
	uint64_t pos;

	it = store_meta_iter_new(fw->h->store, FWD_QPREFIX, FWD_QPLEN);
	for (store_meta_iter_first(it); store_meta_iter_valid(it);
	     store_meta_iter_next(it)) {
		key = store_meta_iter_key(it, &klen);
		val = store_meta_iter_value(it, &vlen);
		if (klen != FWD_QPLEN + 8 || vlen < 8)
			continue;
		memcpy(&enq, val, 8);
		fwd_entry_push(fw, fwd_qseq(key), vlen, enq);
		fw->head = fwd_qseq(key) + 1;
	}
	store_meta_iter_free(it);
	for (i = 0; i < fw->nt; i++) {
		struct fwd_target *t = &fw->t[i];
		char *pk = xasprintf(FWD_POSPREFIX "%s", t->conf->name);
		int rc = store_meta_get(
		    fw->h->store, pk, strlen(pk), &pv, &vlen, cause);
		size_t j;

		free(pk);
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
	char *hdr;
	size_t i, j;

	if (c->nremote_write == 0)
		return 0;
	fw = xcalloc(1, sizeof *fw);
	fw->h = h;
	fw->nt = c->nremote_write;
	fw->t = xcalloc(fw->nt, sizeof *fw->t);
	for (i = 0; i < fw->nt; i++) {
		struct fwd_target *t = &fw->t[i];

		t->fw = fw;
		t->conf = &c->remote_write[i];
		t->headers = curl_slist_append(
		    NULL, "Content-Type: application/x-protobuf");
		t->headers =
		    curl_slist_append(t->headers, "Content-Encoding: snappy");
		t->headers = curl_slist_append(
		    t->headers, "X-Prometheus-Remote-Write-Version: 0.1.0");
		t->headers = curl_slist_append(
		    t->headers, "User-Agent: citybraind/" PACKAGE_VERSION);
		if (t->conf->bearer_token != NULL) {
			hdr = xasprintf(
			    "Authorization: Bearer %s", t->conf->bearer_token);
			t->headers = curl_slist_append(t->headers, hdr);
			free(hdr);
		}
		for (j = 0;
		     t->conf->headers != NULL && t->conf->headers[j] != NULL;
		     j++)
			t->headers =
			    curl_slist_append(t->headers, t->conf->headers[j]);
	}
	h->forward = fw;
	if (fwd_load(fw, cause) != 0) {
		hub_remote_forward_free(h);
		return -1;
	}
	fw->ce = curlev_create(h->base);
	fw->tick = event_new(h->base, -1, EV_PERSIST, fwd_tick, fw);
	event_add(fw->tick, &tv);
	fw->kick = event_new(h->base, -1, 0, fwd_tick, fw);
	for (i = 0; i < fw->nt; i++)
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
	if (fw->tick != NULL)
		event_free(fw->tick);
	if (fw->kick != NULL)
		event_free(fw->kick);
	if (fw->ce != NULL)
		curlev_free(fw->ce);
	for (i = 0; i < fw->nt; i++) {
		curl_slist_free_all(fw->t[i].headers);
		buf_free(&fw->t[i].body);
	}
	free(fw->t);
	free(fw->q);
	free(fw);
	h->forward = NULL;
}

/* The per-target counters and gauges of /metrics, read by offset. */
static const struct {
	const char *name, *type, *help;
	size_t offset; /* of a uint64_t in struct fwd_target */
} fwd_metrics[] = {
    {"citybraind_remote_sent_samples_total", "counter",
        "Samples forwarded and acknowledged, by target.",
        offsetof(struct fwd_target, sent_samples)},
    {"citybraind_remote_sent_bytes_total", "counter",
        "Request bytes (compressed) acknowledged, by target.",
        offsetof(struct fwd_target, sent_bytes)},
    {"citybraind_remote_retries_total", "counter",
        "Requests retried after a backoff, by target.",
        offsetof(struct fwd_target, retries)},
    {"citybraind_remote_queue_bytes", "gauge",
        "Bytes queued for the target (durable, in the store).",
        offsetof(struct fwd_target, backlog)},
    {"citybraind_remote_dropped_samples_total", "counter",
        "Samples dropped for the target (queue bound, or refused with 4xx).",
        offsetof(struct fwd_target, dropped)},
};

void
hub_remote_forward_metrics(struct hub *h, struct buf *b)
{
	struct remote_forward *fw = h->forward;
	struct fwd_entry *e;
	int64_t now = hub_now(h);
	uint64_t v;
	size_t i, k;

	if (fw == NULL)
		return;
	for (k = 0; k < sizeof fwd_metrics / sizeof fwd_metrics[0]; k++) {
		buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n",
		    fwd_metrics[k].name, fwd_metrics[k].help,
		    fwd_metrics[k].name, fwd_metrics[k].type);
		for (i = 0; i < fw->nt; i++) {
			memcpy(&v, (char *)&fw->t[i] + fwd_metrics[k].offset,
			    sizeof v);
			buf_printf(b, "%s{target=\"%s\"} %llu\n",
			    fwd_metrics[k].name, fw->t[i].conf->name,
			    (unsigned long long)v);
		}
	}
	buf_puts(b, "# HELP citybraind_remote_failures_total Failed requests, "
	            "by target and status (network, 429, 5xx: retried; 4xx: "
	            "dropped).\n"
	            "# TYPE citybraind_remote_failures_total counter\n");
	for (i = 0; i < fw->nt; i++) {
		for (k = 0; k < FWD_FAIL_MAX; k++)
			buf_printf(b,
			    "citybraind_remote_failures_total{target=\"%s\","
			    "status=\"%s\"} %llu\n",
			    fw->t[i].conf->name, fwd_fail_names[k],
			    (unsigned long long)fw->t[i].failures[k]);
	}
	buf_puts(b, "# HELP citybraind_remote_lag_seconds Age of the oldest "
	            "sample not yet acknowledged by the target.\n"
	            "# TYPE citybraind_remote_lag_seconds gauge\n");
	for (i = 0; i < fw->nt; i++) {
		e = fw->t[i].pos < fw->head ? fwd_entry_find(fw, fw->t[i].pos)
		                            : NULL;
		buf_printf(b,
		    "citybraind_remote_lag_seconds{target=\"%s\"} %.3f\n",
		    fw->t[i].conf->name,
		    e != NULL ? (double)(now - e->enq_ms) / 1000.0 : 0.0);
	}
}
