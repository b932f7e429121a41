/* Push to the hub: live and backlog lanes, failover, backoff, spooling. */
#include "config.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "collectors/collector.h"
#include "lib/curlev.h"
#include "collectors/push.h"
#include "collectors/spool.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define PUSH_LIVE_MAX   8 /* records waiting in memory before spooling */
#define PUSH_KEEP_BYTES (64 * 1024) /* lane buffers kept between sends */
/* A refusal the operator must fix (401, 403, 413 of a whole batch): the
 * batch stays in the spool and is retried from 1 s, doubling, up to once a
 * minute; the error is logged at most once a minute. */
#define PUSH_REFUSED_MIN_MS 1000
#define PUSH_REFUSED_MAX_MS 60000
#define PUSH_REFUSED_LOG_MS 60000

struct push_rec {
	int kind;
	char *data;
	size_t len;
	uint32_t npoints;
	struct push_rec *next;
};

struct push_lane {
	const char *name;
	int busy;
	struct push_rec *rec; /* live lane: the record in flight */
	struct spool_pos pos; /* backlog lane: where it is in the spool */
	struct buf data;      /* backlog lane: the record's payload */
	int kind;
	uint32_t npoints;
	struct buf body; /* what is sent (maybe gzip'd) */
	struct buf resp;
	struct curl_slist *hdrs;
};

struct push {
	struct collector *c;
	struct push_rec *head, *tail;
	size_t qlen;
	int hub_up;
	struct push_lane live, backlog;
	size_t nurls, url;
	unsigned fails;         /* consecutive */
	unsigned refusals;      /* consecutive refusals to fix (4xx) */
	int64_t refused_log_ms; /* when the last refusal was logged; 0 none */
	int retry_wait;
	struct event *retry_timer;
	struct event *sync_timer;
	struct event *kick_ev;
};

static void push_kick(struct push *p);

static void
push_spool(
    struct push *p, int kind, const char *data, size_t len, uint32_t npoints)
{
	struct collector *c = p->c;
	struct spool_stats before, after;
	char *cause = NULL;

	spool_get_stats(c->spool, &before);
	if (spool_append(c->spool, kind, data, len, npoints, clock_wall_ms(),
	        &cause) != 0) {
		log_error(
		    "push", "spool: %s; %u points dropped", cause, npoints);
		c->st.points_dropped += npoints;
		free(cause);
		return;
	}
	c->st.points_spooled += npoints;
	spool_get_stats(c->spool, &after);
	if (after.dropped_records > before.dropped_records)
		log_warn("push",
		    "spool full (%llu bytes): dropped the oldest "
		    "%llu records (%llu points); %llu points dropped so far",
		    (unsigned long long)c->conf.spool_max_bytes,
		    (unsigned long long)(after.dropped_records -
		                         before.dropped_records),
		    (unsigned long long)(after.dropped_points -
		                         before.dropped_points),
		    (unsigned long long)after.dropped_points);
}

static void
push_rec_free(struct push_rec *r)
{
	free(r->data);
	free(r);
}

/* Move the live queue into the spool, oldest first. */
static void
push_spool_queue(struct push *p)
{
	struct push_rec *r;

	while ((r = p->head) != NULL) {
		p->head = r->next;
		push_spool(p, r->kind, r->data, r->len, r->npoints);
		push_rec_free(r);
	}
	p->tail = NULL;
	p->qlen = 0;
}

static size_t
push_write_cb(char *ptr, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len < 64 * 1024) /* keep only the start of a reply */
		buf_append(b, ptr, size * n);
	return size * n;
}

/* gzip data into out; 0 or -1. */
static int
push_gzip(const char *data, size_t len, struct buf *out)
{
	z_stream zs;
	int r;

	memset(&zs, 0, sizeof zs);
	/* Level 1, a 4 KiB window and memLevel 5: 32 KiB of deflate state
	 * instead of zlib's default 256 KiB, for bodies about 10% larger
	 * (line protocol compresses 7.9:1 instead of 8.8:1). */
	if (deflateInit2(&zs, 1, Z_DEFLATED, 12 + 16, 5, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	buf_reset(out);
	buf_reserve(out, deflateBound(&zs, len) + 1);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out->data;
	zs.avail_out = (uInt)(out->cap - 1);
	r = deflate(&zs, Z_FINISH);
	out->len = zs.total_out;
	deflateEnd(&zs);
	return r == Z_STREAM_END ? 0 : -1;
}

static void push_done(CURL *easy, CURLcode rc, void *arg);

static void
push_send(
    struct push *p, struct push_lane *l, int kind, const char *data, size_t len)
{
	struct collector *c = p->c;
	const char *base = c->conf.urls[p->url];
	char *url, hdr[256];
	CURL *easy;
	int gz;

	l->busy = 1;
	l->kind = kind;
	buf_reset(&l->resp);
	curl_slist_free_all(l->hdrs);
	l->hdrs = NULL;
	gz = c->conf.gzip && len >= 1024 && push_gzip(data, len, &l->body) == 0;
	if (!gz) {
		buf_reset(&l->body);
		buf_append(&l->body, data, len);
	} else
		l->hdrs = curl_slist_append(l->hdrs, "Content-Encoding: gzip");
	l->hdrs = curl_slist_append(l->hdrs,
	    kind != REC_WRITE ? "Content-Type: application/json"
	                      : "Content-Type: text/plain; charset=utf-8");
	if (c->conf.token != NULL) {
		snprintf(
		    hdr, sizeof hdr, "Authorization: Bearer %s", c->conf.token);
		l->hdrs = curl_slist_append(l->hdrs, hdr);
	}
	l->hdrs = curl_slist_append(l->hdrs, "Expect:");
	url = xasprintf("%s%s", base,
	    kind == REC_EVENT  ? "/api/v1/events"
	    : kind == REC_CASE ? "/api/v1/cases"
	                       : "/api/v1/write?precision=ms");
	easy = curl_easy_init();
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_POST, 1L);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, l->body.data);
	curl_easy_setopt(
	    easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)l->body.len);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, l->hdrs);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, push_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &l->resp);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)c->conf.push_timeout);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(c->conf.push_timeout < 5000 ? c->conf.push_timeout : 5000));
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, CURLEV_PROTOCOLS);
	curl_easy_setopt(easy, CURLOPT_USERAGENT,
	    PACKAGE_NAME "-collector/" PACKAGE_VERSION);
	free(url);
	if (curlev_add(c->curl, easy, push_done, l) != 0) {
		curl_easy_cleanup(easy);
		push_done(NULL, CURLE_FAILED_INIT, l);
	}
}

static struct push *
push_of_lane(struct push_lane *l)
{
	/* Both lanes are members of struct push. */
	if (strcmp(l->name, "live") == 0)
		return (struct push *)((char *)l - offsetof(struct push, live));
	return (struct push *)((char *)l - offsetof(struct push, backlog));
}

/* Count what a 400 partial acceptance says was stored. */
static void
push_partial(struct push *p, struct push_lane *l)
{
	struct collector *c = p->c;
	json_t *j, *errs, *e;
	json_int_t points = 0;
	size_t i;

	j = json_loadb(
	    l->resp.data != NULL ? l->resp.data : "", l->resp.len, 0, NULL);
	if (j != NULL && json_is_integer(json_object_get(j, "points")))
		points = json_integer_value(json_object_get(j, "points"));
	if (points < 0 || (uint64_t)points > l->npoints)
		points = 0;
	c->st.points_sent += (uint64_t)points;
	c->st.points_rejected += l->npoints - (uint64_t)points;
	errs = j != NULL ? json_object_get(j, "errors") : NULL;
	json_array_foreach(errs, i, e)
	{
		if (i >= 3)
			break;
		log_warn("push", "hub rejected line %lld: %s",
		    (long long)json_integer_value(json_object_get(e, "line")),
		    json_string_value(json_object_get(e, "reason")));
	}
	json_decref(j);
}

static void
push_lane_finish(struct push *p, struct push_lane *l, int delivered)
{
	struct collector *c = p->c;

	if (l == &p->live) {
		if (delivered) {
			if (l->kind != REC_WRITE) /* events and cases */
				c->st.events_sent++;
			c->st.points_sent += l->npoints;
		}
		if (l->rec != NULL)
			push_rec_free(l->rec);
		l->rec = NULL;
	} else {
		if (delivered) {
			if (l->kind != REC_WRITE)
				c->st.events_sent++;
			c->st.points_sent += l->npoints;
		}
		spool_ack(c->spool, &l->pos);
	}
}

/* Is a 4xx final?  Only per-line rejects inside a 400 (the hub stored the
 * other lines and says which it refused), and a 400 for an event (an
 * event is one line).  Everything else (401 after a token rotation, 403,
 * 404, 413 of the whole batch, a 400 without per-line errors) is a refusal
 * the operator can fix: the batch is kept. */
static int
push_final_reject(const struct push_lane *l, long code)
{
	json_t *j;
	int final;

	if (code != 400)
		return 0;
	if (l->kind != REC_WRITE) /* an event or a case is one record */
		return 1;
	j = json_loadb(
	    l->resp.data != NULL ? l->resp.data : "", l->resp.len, 0, NULL);
	final = json_array_size(json_object_get(j, "errors")) > 0;
	json_decref(j);
	return final;
}

/* A refusal the operator must fix: counted, logged loudly (at most once a
 * minute), and the batch stays in the spool. */
static void
push_refused(struct push *p, struct push_lane *l, long code)
{
	struct collector *c = p->c;
	int64_t now = clock_mono_ms();

	c->st.batches_refused++;
	p->refusals++;
	if (p->refused_log_ms == 0 ||
	    now - p->refused_log_ms >= PUSH_REFUSED_LOG_MS) {
		p->refused_log_ms = now;
		log_error("push",
		    "hub %s refused a %s batch: HTTP %ld: %.200s; the data "
		    "stays in the spool (%llu batches refused so far), retried "
		    "up to once a minute until this is fixed",
		    c->conf.urls[p->url],
		    l->kind == REC_EVENT  ? "event"
		    : l->kind == REC_CASE ? "case"
		                          : "write",
		    code, buf_str(&l->resp),
		    (unsigned long long)c->st.batches_refused);
	} else
		log_debug(
		    "push", "HTTP %ld again: %.200s", code, buf_str(&l->resp));
}

static void
push_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct push *p = arg;

	p->retry_wait = 0;
	push_kick(p);
}

static void
push_done(CURL *easy, CURLcode rc, void *arg)
{
	struct push_lane *l = arg;
	struct push *p = push_of_lane(l);
	struct collector *c = p->c;
	long code = 0;
	int64_t delay;
	struct timeval tv;

	if (easy != NULL) {
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_cleanup(easy);
	}
	l->busy = 0;
	/* A large body (a backlog of full batches) is not kept resident
	 * between sends. */
	if (l->body.cap > PUSH_KEEP_BYTES)
		buf_free(&l->body);
	if (l->data.cap > PUSH_KEEP_BYTES)
		buf_free(&l->data);
	if (rc == CURLE_OK && code >= 200 && code < 300) {
		c->st.batches_sent++;
		push_lane_finish(p, l, 1);
		if (!p->hub_up)
			log_info("push", "hub %s is reachable again",
			    c->conf.urls[p->url]);
		if (p->refusals > 0)
			log_info("push", "hub %s accepts batches again",
			    c->conf.urls[p->url]);
		p->hub_up = 1;
		p->fails = 0;
		p->refusals = 0;
		p->refused_log_ms = 0;
		push_kick(p);
		return;
	}
	if (rc == CURLE_OK && push_final_reject(l, code)) {
		/* Per-line rejects: the hub stored the rest; final. */
		c->st.batches_rejected++;
		if (l->kind == REC_WRITE)
			push_partial(p, l);
		else {
			c->st.points_rejected += l->npoints;
			log_error("push",
			    "hub %s refused an event: HTTP %ld: %.200s",
			    c->conf.urls[p->url], code, buf_str(&l->resp));
		}
		push_lane_finish(p, l, 0);
		p->hub_up = 1;
		push_kick(p);
		return;
	}
	/* Retryable: the record waits in the spool. */
	if (rc == CURLE_OK && code >= 400 && code < 500 && code != 408 &&
	    code != 429)
		push_refused(p, l, code);
	else {
		c->st.batches_failed++;
		if (p->hub_up || p->fails == 0)
			log_warn("push", "hub %s: %s; spooling",
			    c->conf.urls[p->url],
			    rc != CURLE_OK ? curl_easy_strerror(rc)
			                   : "server error");
		if (rc == CURLE_OK)
			log_debug("push", "HTTP %ld: %.200s", code,
			    buf_str(&l->resp));
	}
	if (l == &p->live) {
		push_spool(p, l->rec->kind, l->rec->data, l->rec->len,
		    l->rec->npoints);
		push_rec_free(l->rec);
		l->rec = NULL;
		push_spool_queue(p);
	}
	p->hub_up = 0;
	p->fails++;
	p->url = (p->url + 1) % p->nurls;
	if (p->fails % p->nurls != 0) {
		push_kick(p); /* try the next URL at once */
		return;
	}
	/* Every URL failed: back off, exponential with jitter; slowly after a
	 * refusal (it needs the operator). */
	if (p->refusals > 0) {
		delay = PUSH_REFUSED_MIN_MS;
		for (unsigned i = 1;
		     i < p->refusals && delay < PUSH_REFUSED_MAX_MS; i++)
			delay *= 2;
		if (delay > PUSH_REFUSED_MAX_MS)
			delay = PUSH_REFUSED_MAX_MS;
	} else {
		delay = c->conf.retry_min;
		for (unsigned i = 1;
		     i < p->fails / p->nurls && delay < c->conf.retry_max; i++)
			delay *= 2;
		if (delay > c->conf.retry_max)
			delay = c->conf.retry_max;
	}
	delay = delay / 2 + (int64_t)(random() % (delay / 2 + 1));
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	p->retry_wait = 1;
	evtimer_add(p->retry_timer, &tv);
	log_debug("push", "retrying in %lld ms", (long long)delay);
}

static void
push_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct push *p = arg;
	struct push_lane *l;
	struct push_rec *r;

	if (p->c->stopping)
		return;
	/* Live lane: only while the hub answers. */
	if (p->hub_up && !p->live.busy && (r = p->head) != NULL) {
		p->head = r->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->qlen--;
		l = &p->live;
		l->rec = r;
		l->npoints = r->npoints;
		push_send(p, l, r->kind, r->data, r->len);
	}
	/* Backlog lane: also the probe while the hub is down. */
	l = &p->backlog;
	if (!l->busy && !p->retry_wait && (p->hub_up || !p->live.busy) &&
	    spool_peek(p->c->spool, &l->kind, &l->data, &l->npoints, &l->pos) ==
	        1)
		push_send(p, l, l->kind,
		    l->data.data != NULL ? l->data.data : "", l->data.len);
}

static void
push_kick(struct push *p)
{
	/* From the loop, not recursively from a completion. */
	event_active(p->kick_ev, EV_TIMEOUT, 0);
}

static void
push_sync_cb(evutil_socket_t fd, short what, void *arg)
{
	struct push *p = arg;

	spool_expire(p->c->spool, clock_wall_ms());
	spool_sync(p->c->spool);
	push_kick(p);
}

/* (Re)arm the fsync timer and count the hub URLs from c->conf. */
static void
push_configure(struct push *p)
{
	struct collector *c = p->c;
	struct timeval tv;

	p->nurls = 0;
	while (c->conf.urls[p->nurls] != NULL)
		p->nurls++;
	p->url = 0;
	p->fails = 0;
	tv.tv_sec = c->conf.spool_fsync_interval / 1000;
	tv.tv_usec = (c->conf.spool_fsync_interval % 1000) * 1000;
	event_add(p->sync_timer, &tv);
}

struct push *
push_create(struct collector *c)
{
	struct push *p = xcalloc(1, sizeof *p);

	p->c = c;
	p->hub_up = 1;
	p->live.name = "live";
	p->backlog.name = "backlog";
	p->retry_timer = evtimer_new(c->base, push_retry_cb, p);
	p->kick_ev = event_new(c->base, -1, 0, push_kick_cb, p);
	p->sync_timer = event_new(c->base, -1, EV_PERSIST, push_sync_cb, p);
	push_configure(p);
	push_kick(p);
	return p;
}

void
push_reconfigure(struct push *p)
{
	push_configure(p);
	/* A new configuration may fix a refusal (a new token): retry now. */
	evtimer_del(p->retry_timer);
	p->retry_wait = 0;
	p->refusals = 0;
	push_kick(p);
}

void
push_submit(struct push *p, int kind, char *data, size_t len, uint32_t npoints)
{
	struct push_rec *r;

	if (!p->hub_up || p->c->stopping) {
		push_spool(p, kind, data, len, npoints);
		free(data);
		push_kick(p);
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->kind = kind;
	r->data = data;
	r->len = len;
	r->npoints = npoints;
	if (p->tail != NULL)
		p->tail->next = r;
	else
		p->head = r;
	p->tail = r;
	p->qlen++;
	/* Too much in memory: the oldest wait on disk instead. */
	while (p->qlen > PUSH_LIVE_MAX) {
		r = p->head;
		p->head = r->next;
		p->qlen--;
		push_spool(p, r->kind, r->data, r->len, r->npoints);
		push_rec_free(r);
	}
	push_kick(p);
}

int
push_idle(const struct push *p)
{
	return p->head == NULL && !p->live.busy && !p->backlog.busy;
}

int
push_hub_up(const struct push *p)
{
	return p->hub_up;
}

static void
push_lane_free(struct push_lane *l)
{
	buf_free(&l->data);
	buf_free(&l->body);
	buf_free(&l->resp);
	curl_slist_free_all(l->hdrs);
}

void
push_free(struct push *p)
{
	if (p == NULL)
		return;
	/* In flight on the live lane: not known to be delivered. */
	if (p->live.rec != NULL) {
		push_spool(p, p->live.rec->kind, p->live.rec->data,
		    p->live.rec->len, p->live.rec->npoints);
		push_rec_free(p->live.rec);
		p->live.rec = NULL;
	}
	push_spool_queue(p);
	spool_sync(p->c->spool);
	push_lane_free(&p->live);
	push_lane_free(&p->backlog);
	event_free(p->retry_timer);
	event_free(p->kick_ev);
	event_free(p->sync_timer);
	free(p);
}
