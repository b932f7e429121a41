/* Webhook deliveries with libcurl multi on libevent (see alert-notify.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "hub/alerts/alert-kv.h"
#include "hub/alerts/alert-notify.h"
#include "lib/curlev.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define NOTIFY_PREFIX      "delivery/"
#define NOTIFY_SEQ_KEY     "delivery-seq"
#define NOTIFY_KEEP_DONE   1000 /* finished deliveries kept in memory */
#define NOTIFY_MAX_FLIGHT  16
#define NOTIFY_MAX_BACKOFF (10 * 60 * 1000)
#define NOTIFY_KEEP_MS     (30LL * 24 * 3600 * 1000) /* records kept */

enum notify_state {
	NOTIFY_PENDING,
	NOTIFY_SENDING,
	NOTIFY_DELIVERED,
	NOTIFY_FAILED,
};

static const char *const notify_state_names[] = {
    "pending", "sending", "delivered", "failed"};

struct notify_delivery {
	uint64_t num;
	char id[16];
	json_t *rec; /* the persistent record */
	char *url;
	char *body; /* serialized request body */
	enum notify_state state;
	int attempts;
	int64_t next_ms;
	CURL *easy;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	size_t resp_len; /* response bytes (discarded) */
	struct alert_notify *owner;
};

struct alert_notify {
	struct event_base *base;
	struct alert_kv *kv;
	int64_t (*clock)(void *);
	void *clock_arg;
	struct curlev *curl; /* libcurl multi on the hub's loop */
	struct event *ev_retry;
	int curl_inited;

	int retries;
	int64_t backoff_ms, timeout_ms;
	alert_notify_done_fn done;
	void *done_arg;

	struct notify_delivery **d; /* oldest first */
	size_t n, cap;
	uint64_t next_num;
	size_t inflight;
	char **expired; /* at load: finished records past NOTIFY_KEEP_MS */
	size_t nexpired;
};

static int64_t
notify_now(struct alert_notify *n)
{
	return n->clock(n->clock_arg);
}

static void
notify_save(struct alert_notify *n, struct notify_delivery *d)
{
	char key[64], *text, *cause = NULL;

	json_object_set_new(
	    d->rec, "state", json_string(notify_state_names[d->state]));
	json_object_set_new(d->rec, "attempts", json_integer(d->attempts));
	json_object_set_new(d->rec, "next_ms",
	    d->state == NOTIFY_PENDING ? json_integer(d->next_ms)
	                               : json_null());
	snprintf(key, sizeof key, NOTIFY_PREFIX "%020" PRIu64, d->num);
	text = json_dumps(d->rec, JSON_COMPACT);
	if (text == NULL)
		return;
	if (alert_kv_put_str(n->kv, key, text, &cause) != 0) {
		log_error("alerts", "saving delivery %s: %s", d->id, cause);
		free(cause);
	}
	free(text);
}

static void
notify_delivery_free(struct notify_delivery *d)
{
	if (d->easy != NULL)
		curl_easy_cleanup(d->easy);
	curl_slist_free_all(d->headers);
	json_decref(d->rec);
	free(d->url);
	free(d->body);
	free(d);
}

/* Drop the oldest finished deliveries past NOTIFY_KEEP_DONE. */
static void
notify_trim(struct alert_notify *n)
{
	size_t i, done = 0, j;

	for (i = 0; i < n->n; i++) {
		if (n->d[i]->state >= NOTIFY_DELIVERED)
			done++;
	}
	if (done <= NOTIFY_KEEP_DONE)
		return;
	for (i = 0, j = 0; i < n->n; i++) {
		if (done > NOTIFY_KEEP_DONE &&
		    n->d[i]->state >= NOTIFY_DELIVERED) {
			notify_delivery_free(n->d[i]);
			done--;
			continue;
		}
		n->d[j++] = n->d[i];
	}
	n->n = j;
}

static void notify_schedule(struct alert_notify *n);

/* ---- deliveries on lib/curlev ------------------------------------------ */

static void
notify_finish(struct alert_notify *n, struct notify_delivery *d, CURLcode res)
{
	long status = 0;
	int64_t now = notify_now(n), delay;
	json_t *att, *atts;
	char reason[CURL_ERROR_SIZE + 64];

	curl_easy_getinfo(d->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(d->easy);
	d->easy = NULL;
	curl_slist_free_all(d->headers);
	d->headers = NULL;
	n->inflight--;

	if (res != CURLE_OK)
		snprintf(reason, sizeof reason, "%s",
		    d->errbuf[0] != '\0' ? d->errbuf : curl_easy_strerror(res));
	else if (status < 200 || status > 299)
		snprintf(reason, sizeof reason, "HTTP %ld", status);
	else
		reason[0] = '\0';
	att = json_pack("{s:i,s:I,s:i}", "attempt", d->attempts, "at_ms",
	    (json_int_t)now, "status", (int)status);
	if (reason[0] != '\0')
		json_object_set_new(att, "error", json_string(reason));
	atts = json_object_get(d->rec, "tries");
	json_array_append_new(atts, att);
	json_object_set_new(d->rec, "last_status", json_integer(status));

	if (reason[0] == '\0') {
		d->state = NOTIFY_DELIVERED;
		json_object_set_new(d->rec, "done_ms", json_integer(now));
		log_info("alerts", "delivery %s to %s: HTTP %ld", d->id, d->url,
		    status);
	} else if (d->attempts >= 1 + n->retries) {
		d->state = NOTIFY_FAILED;
		json_object_set_new(d->rec, "done_ms", json_integer(now));
		json_object_set_new(d->rec, "error", json_string(reason));
		log_warn("alerts",
		    "delivery %s to %s failed for good after "
		    "%d attempts: %s",
		    d->id, d->url, d->attempts, reason);
	} else {
		delay = n->backoff_ms;
		for (int i = 1; i < d->attempts && delay < NOTIFY_MAX_BACKOFF;
		     i++)
			delay *= 2;
		if (delay > NOTIFY_MAX_BACKOFF)
			delay = NOTIFY_MAX_BACKOFF;
		d->state = NOTIFY_PENDING;
		d->next_ms = now + delay;
		json_object_set_new(d->rec, "error", json_string(reason));
		log_info("alerts",
		    "delivery %s to %s: %s; retry in %" PRId64 " ms", d->id,
		    d->url, reason, delay);
	}
	notify_save(n, d);
	if (d->state >= NOTIFY_DELIVERED && n->done != NULL)
		n->done(n->done_arg, d->rec);
}

/* curlev: a transfer ended; it is out of the multi handle, ours to free. */
static void
notify_done_cb(CURL *easy, CURLcode rc, void *arg)
{
	struct notify_delivery *d = arg;
	struct alert_notify *n = d->owner;

	notify_finish(n, d, rc);
	notify_trim(n);
	notify_schedule(n);
}

static size_t
notify_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct notify_delivery *d = userdata;

	d->resp_len += size * nmemb;
	return size * nmemb;
}

static void
notify_start(struct alert_notify *n, struct notify_delivery *d)
{
	d->easy = curl_easy_init();
	if (d->easy == NULL)
		return;
	d->attempts++;
	d->state = NOTIFY_SENDING;
	d->errbuf[0] = '\0';
	d->headers = curl_slist_append(NULL, "Content-Type: application/json");
	d->headers = curl_slist_append(
	    d->headers, "User-Agent: citybraind/" PACKAGE_VERSION);
	curl_easy_setopt(d->easy, CURLOPT_URL, d->url);
	curl_easy_setopt(d->easy, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(d->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(d->body));
	curl_easy_setopt(d->easy, CURLOPT_HTTPHEADER, d->headers);
	curl_easy_setopt(d->easy, CURLOPT_TIMEOUT_MS, (long)n->timeout_ms);
	curl_easy_setopt(
	    d->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)n->timeout_ms);
	curl_easy_setopt(d->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(d->easy, CURLOPT_ERRORBUFFER, d->errbuf);
	curl_easy_setopt(d->easy, CURLOPT_WRITEFUNCTION, notify_write_cb);
	curl_easy_setopt(d->easy, CURLOPT_WRITEDATA, d);
	d->owner = n;
	if (curlev_add(n->curl, d->easy, notify_done_cb, d) != 0) {
		curl_easy_cleanup(d->easy);
		d->easy = NULL;
		d->state = NOTIFY_PENDING;
		d->attempts--;
		return;
	}
	n->inflight++;
	notify_save(n, d);
}

static void
notify_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	alert_notify_kick(arg);
}

/* Arm the retry timer for the earliest pending delivery. */
static void
notify_schedule(struct alert_notify *n)
{
	int64_t next = INT64_MAX, now;
	struct timeval tv;
	size_t i;

	if (n->base == NULL)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->d[i]->state == NOTIFY_PENDING && n->d[i]->next_ms < next)
			next = n->d[i]->next_ms;
	}
	evtimer_del(n->ev_retry);
	if (next == INT64_MAX)
		return;
	now = notify_now(n);
	next = next > now ? next - now : 0;
	if (next > 60000)
		next = 60000; /* re-check at least each minute */
	tv.tv_sec = (long)(next / 1000);
	tv.tv_usec = (long)(next % 1000) * 1000;
	evtimer_add(n->ev_retry, &tv);
}

void
alert_notify_kick(struct alert_notify *n)
{
	int64_t now;
	size_t i;

	if (n->base == NULL)
		return;
	now = notify_now(n);
	for (i = 0; i < n->n && n->inflight < NOTIFY_MAX_FLIGHT; i++) {
		if (n->d[i]->state == NOTIFY_PENDING && n->d[i]->next_ms <= now)
			notify_start(n, n->d[i]);
	}
	notify_schedule(n);
}

/* ---- Public ------------------------------------------------------------ */

static struct notify_delivery *
notify_add(struct alert_notify *n, json_t *rec)
{
	struct notify_delivery *d = xcalloc(1, sizeof *d);
	const char *state;
	json_t *body;
	int i;

	d->rec = rec;
	d->num = (uint64_t)json_integer_value(json_object_get(rec, "num"));
	snprintf(d->id, sizeof d->id, "D%06" PRIu64, d->num);
	d->url = xstrdup(json_string_value(json_object_get(rec, "url")));
	body = json_object_get(rec, "body");
	d->body = json_dumps(body, JSON_COMPACT);
	d->attempts = (int)json_integer_value(json_object_get(rec, "attempts"));
	d->next_ms = json_integer_value(json_object_get(rec, "next_ms"));
	state = json_string_value(json_object_get(rec, "state"));
	d->state = NOTIFY_PENDING;
	for (i = 0; state != NULL && i < 4; i++) {
		if (strcmp(state, notify_state_names[i]) == 0)
			d->state = (enum notify_state)i;
	}
	if (d->state == NOTIFY_SENDING) /* interrupted by a restart */
		d->state = NOTIFY_PENDING;
	if (n->n == n->cap) {
		n->cap = n->cap == 0 ? 64 : n->cap * 2;
		n->d = xreallocarray(n->d, n->cap, sizeof *n->d);
	}
	n->d[n->n++] = d;
	return d;
}

static int
notify_load_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct alert_notify *n = arg;
	json_t *rec = json_loadb(val, len, 0, NULL);

	if (rec == NULL ||
	    json_string_value(json_object_get(rec, "url")) == NULL) {
		json_decref(rec);
		log_warn("alerts", "skipping corrupt delivery record %s", key);
		return 0;
	}
	if (json_integer_value(json_object_get(rec, "done_ms")) > 0 &&
	    json_integer_value(json_object_get(rec, "done_ms")) <
	        notify_now(n) - NOTIFY_KEEP_MS) {
		/* Finished long ago: dropped once the scan is over. */
		n->expired = xreallocarray(
		    n->expired, n->nexpired + 1, sizeof *n->expired);
		n->expired[n->nexpired++] = xstrdup(key);
		json_decref(rec);
		return 0;
	}
	notify_add(n, rec);
	notify_trim(n);
	return 0;
}

struct alert_notify *
alert_notify_create(struct event_base *base, struct alert_kv *kv,
    int64_t (*clock)(void *), void *clock_arg, char **cause)
{
	struct alert_notify *n = xcalloc(1, sizeof *n);
	char *val = NULL;
	int r;

	n->base = base;
	n->kv = kv;
	n->clock = clock;
	n->clock_arg = clock_arg;
	n->retries = 5;
	n->backoff_ms = 1000;
	n->timeout_ms = 5000;
	n->next_num = 1;
	r = alert_kv_get(kv, NOTIFY_SEQ_KEY, &val, NULL, cause);
	if (r < 0) {
		free(n);
		return NULL;
	}
	if (r == 1) {
		n->next_num = strtoull(val, NULL, 10);
		free(val);
		if (n->next_num == 0)
			n->next_num = 1;
	}
	if (alert_kv_scan(kv, NOTIFY_PREFIX, NULL, notify_load_cb, n, cause) !=
	    0) {
		alert_notify_free(n);
		return NULL;
	}
	for (size_t i = 0; i < n->nexpired; i++) {
		char *c2 = NULL;

		if (alert_kv_del(kv, n->expired[i], &c2) != 0)
			free(c2);
		free(n->expired[i]);
	}
	free(n->expired);
	n->expired = NULL;
	n->nexpired = 0;
	if (base != NULL) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
			*cause = xstrdup("curl_global_init failed");
			alert_notify_free(n);
			return NULL;
		}
		n->curl_inited = 1;
		n->curl = curlev_create(base);
		n->ev_retry = evtimer_new(base, notify_retry_cb, n);
		notify_schedule(n);
	}
	return n;
}

void
alert_notify_free(struct alert_notify *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nexpired; i++)
		free(n->expired[i]);
	free(n->expired);
	/* Aborts transfers in flight and cleans up their easy handles. */
	curlev_free(n->curl);
	for (i = 0; i < n->n; i++) {
		if (n->d[i]->state == NOTIFY_SENDING)
			n->d[i]->easy = NULL;
		notify_delivery_free(n->d[i]);
	}
	free(n->d);
	if (n->ev_retry != NULL)
		event_free(n->ev_retry);
	if (n->curl_inited)
		curl_global_cleanup();
	free(n);
}

void
alert_notify_configure(
    struct alert_notify *n, int retries, int64_t backoff_ms, int64_t timeout_ms)
{
	n->retries = retries >= 0 ? retries : 0;
	n->backoff_ms = backoff_ms > 0 ? backoff_ms : 1000;
	n->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
}

void
alert_notify_on_done(struct alert_notify *n, alert_notify_done_fn fn, void *arg)
{
	n->done = fn;
	n->done_arg = arg;
}

void
alert_notify_send(struct alert_notify *n, const char *url, const char *alert_id,
    const char *kind, const char *dept, json_t *body, char *id_out)
{
	struct notify_delivery *d;
	json_t *rec;
	char seq[32], *cause = NULL;
	uint64_t num = n->next_num++;

	snprintf(seq, sizeof seq, "%" PRIu64, n->next_num);
	if (alert_kv_put_str(n->kv, NOTIFY_SEQ_KEY, seq, &cause) != 0) {
		log_error("alerts", "saving delivery counter: %s", cause);
		free(cause);
	}
	rec = json_pack("{s:I,s:s,s:s,s:s,s:I,s:o,s:[]}", "num",
	    (json_int_t)num, "url", url, "kind", kind, "state", "pending",
	    "created_ms", (json_int_t)notify_now(n), "body", body, "tries");
	snprintf(seq, sizeof seq, "D%06" PRIu64, num);
	json_object_set_new(rec, "id", json_string(seq));
	json_object_set_new(rec, "alert",
	    alert_id != NULL ? json_string(alert_id) : json_null());
	json_object_set_new(
	    rec, "dept", dept != NULL ? json_string(dept) : json_null());
	json_object_set_new(
	    json_object_get(rec, "body"), "delivery", json_string(seq));
	d = notify_add(n, rec);
	d->next_ms = notify_now(n);
	notify_save(n, d);
	if (id_out != NULL)
		memcpy(id_out, d->id, 16);
	alert_notify_kick(n);
}

json_t *
alert_notify_list(struct alert_notify *n, const char *alert_id, size_t limit,
    int (*keep)(const json_t *, void *), void *arg)
{
	json_t *arr = json_array();
	const char *a;
	size_t i, start;

	for (i = 0; i < n->n; i++) {
		a = json_string_value(json_object_get(n->d[i]->rec, "alert"));
		if (alert_id != NULL && (a == NULL || strcmp(a, alert_id) != 0))
			continue;
		if (keep != NULL && !keep(n->d[i]->rec, arg))
			continue;
		json_array_append(arr, n->d[i]->rec);
	}
	if (limit > 0 && json_array_size(arr) > limit) {
		json_t *tail = json_array();

		start = json_array_size(arr) - limit;
		for (i = start; i < json_array_size(arr); i++)
			json_array_append(tail, json_array_get(arr, i));
		json_decref(arr);
		arr = tail;
	}
	return arr;
}

size_t
alert_notify_pending(const struct alert_notify *n)
{
	size_t i, c = 0;

	for (i = 0; i < n->n; i++) {
		if (n->d[i]->state <= NOTIFY_SENDING)
			c++;
	}
	return c;
}
