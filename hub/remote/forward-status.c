/* Forwarding's counters: /metrics and GET /api/v1/status/remote, one set
 * per target over its shards. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "hub/hub.h"
#include "hub/remote/forward-int.h"
#include "hub/remote/remote.h"
#include "lib/buf.h"

/* A target's figures, summed (counters) or the worst (gauges) over its
 * shards. */
struct fwd_sum {
	const struct remote_target_conf *conf;
	uint64_t sent_samples, sent_bytes, retries, backlog, dropped, filtered;
	uint64_t lcache; /* series in the label caches */
	uint64_t nshards, reshards;
	uint64_t failures[FWD_FAIL_MAX];
	double lag;
	int64_t last_ok_ms, last_error_ms, retry_in_ms;
	const char *last_error, *state;
	unsigned shards;
};

double
fwd_target_lag(struct fwd_target *t, int64_t now)
{
	struct remote_forward *fw = t->fw;
	struct fwd_entry *e;

	e = t->pos < fw->head ? fwd_entry_find(fw, t->pos) : NULL;
	return e != NULL ? (double)(now - e->enq_ms) / 1000.0 : 0.0;
}

/* States, worst last. */
static const char *const fwd_states[] = {
    "caught_up", "behind", "sending", "retrying"};

/* The state of one shard, as an index of fwd_states. */
static size_t
fwd_target_state(struct fwd_target *t, int64_t now)
{
	if (t->next_try_ms > now)
		return 3;
	if (t->end != 0)
		return 2;
	return t->pos < t->fw->head ? 1 : 0;
}

/* Sum the shards t[0..t->nshards) into *s. */
static void
fwd_sum_shards(struct fwd_target *t, int64_t now, struct fwd_sum *s)
{
	size_t st = 0, k, f;
	unsigned i;
	double lag;

	memset(s, 0, sizeof *s);
	s->conf = t->conf;
	s->shards = t->nshards;
	s->nshards = t->nshards;
	s->reshards = t->reshards;
	for (i = 0; i < t->nshards; i++) {
		struct fwd_target *x = &t[i];

		s->sent_samples += x->sent_samples;
		s->sent_bytes += x->sent_bytes;
		s->retries += x->retries;
		s->dropped += x->dropped;
		s->filtered += x->filtered;
		s->lcache += x->nlcache;
		for (f = 0; f < FWD_FAIL_MAX; f++)
			s->failures[f] += x->failures[f];
		if (x->backlog > s->backlog)
			s->backlog = x->backlog;
		if ((lag = fwd_target_lag(x, now)) > s->lag)
			s->lag = lag;
		if (x->last_ok_ms > s->last_ok_ms)
			s->last_ok_ms = x->last_ok_ms;
		if (x->last_error_ms > s->last_error_ms) {
			s->last_error_ms = x->last_error_ms;
			s->last_error = x->last_error;
		}
		if (x->next_try_ms - now > s->retry_in_ms)
			s->retry_in_ms = x->next_try_ms - now;
		if ((k = fwd_target_state(x, now)) > st)
			st = k;
	}
	s->state = fwd_states[st];
}

/* Call fn for every target of fw with its sums. */
static void
fwd_sum_each(struct remote_forward *fw, int64_t now,
    void (*fn)(const struct fwd_sum *, void *), void *arg)
{
	struct fwd_sum s;
	size_t i;

	for (i = 0; fw != NULL && i < fw->nt; i += fw->t[i].nslots) {
		fwd_sum_shards(&fw->t[i], now, &s);
		fn(&s, arg);
	}
}

/* The per-target counters and gauges of /metrics, read by offset. */
static const struct {
	const char *name, *type, *help;
	size_t offset; /* of a uint64_t in struct fwd_sum */
} fwd_metrics[] = {
    {"citybraind_remote_sent_samples_total", "counter",
        "Samples forwarded and acknowledged, by target.",
        offsetof(struct fwd_sum, sent_samples)},
    {"citybraind_remote_sent_bytes_total", "counter",
        "Request bytes (compressed) acknowledged, by target.",
        offsetof(struct fwd_sum, sent_bytes)},
    {"citybraind_remote_retries_total", "counter",
        "Requests retried after a backoff, by target.",
        offsetof(struct fwd_sum, retries)},
    {"citybraind_remote_queue_bytes", "gauge",
        "Bytes queued for the target (durable, in the store).",
        offsetof(struct fwd_sum, backlog)},
    {"citybraind_remote_dropped_samples_total", "counter",
        "Samples dropped for the target (queue bound, or refused with 4xx).",
        offsetof(struct fwd_sum, dropped)},
    {"citybraind_remote_filtered_samples_total", "counter",
        "Samples not for the target (its match or relabel rules).",
        offsetof(struct fwd_sum, filtered)},
    {"citybraind_remote_label_cache_series", "gauge",
        "Series whose forwarded labels the hub keeps for the target (idle "
        "ones dropped after queue.label_cache_idle).",
        offsetof(struct fwd_sum, lcache)},
    {"citybraind_remote_shards", "gauge",
        "Shards sending to the target now (queue.shards to max_shards).",
        offsetof(struct fwd_sum, nshards)},
    {"citybraind_remote_reshards_total", "counter",
        "Changes of the target's number of shards, from its measured lag.",
        offsetof(struct fwd_sum, reshards)},
};
#define FWD_NMETRICS (sizeof fwd_metrics / sizeof fwd_metrics[0])

struct fwd_metrics_ctx {
	struct buf *b;
	size_t k; /* the fwd_metrics row; FWD_NMETRICS: failures, +1: lag */
};

static void
fwd_metrics_line(const struct fwd_sum *s, void *arg)
{
	struct fwd_metrics_ctx *c = arg;
	uint64_t v;
	size_t f;

	if (c->k < FWD_NMETRICS) {
		memcpy(
		    &v, (const char *)s + fwd_metrics[c->k].offset, sizeof v);
		buf_printf(c->b, "%s{target=\"%s\"} %llu\n",
		    fwd_metrics[c->k].name, s->conf->name,
		    (unsigned long long)v);
	} else if (c->k == FWD_NMETRICS) {
		for (f = 0; f < FWD_FAIL_MAX; f++)
			buf_printf(c->b,
			    "citybraind_remote_failures_total{target=\"%s\","
			    "status=\"%s\"} %llu\n",
			    s->conf->name, fwd_fail_names[f],
			    (unsigned long long)s->failures[f]);
	} else
		buf_printf(c->b,
		    "citybraind_remote_lag_seconds{target=\"%s\"} %.3f\n",
		    s->conf->name, s->lag);
}

void
hub_remote_forward_metrics(struct hub *h, struct buf *b)
{
	struct fwd_metrics_ctx c = {b, 0};
	int64_t now = hub_now(h);

	if (h->forward == NULL)
		return;
	for (c.k = 0; c.k < FWD_NMETRICS; c.k++) {
		buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n",
		    fwd_metrics[c.k].name, fwd_metrics[c.k].help,
		    fwd_metrics[c.k].name, fwd_metrics[c.k].type);
		fwd_sum_each(h->forward, now, fwd_metrics_line, &c);
	}
	buf_puts(b, "# HELP citybraind_remote_failures_total Failed requests, "
	            "by target and status (network, 429, 5xx: retried; 4xx: "
	            "dropped).\n"
	            "# TYPE citybraind_remote_failures_total counter\n");
	fwd_sum_each(h->forward, now, fwd_metrics_line, &c);
	c.k++;
	buf_puts(b, "# HELP citybraind_remote_lag_seconds Age of the oldest "
	            "sample not yet acknowledged by the target.\n"
	            "# TYPE citybraind_remote_lag_seconds gauge\n");
	fwd_sum_each(h->forward, now, fwd_metrics_line, &c);
}

/* Append one target's object of GET /api/v1/status/remote to arg. */
static void
fwd_status_target(const struct fwd_sum *s, void *arg)
{
	json_t *o, *fails = json_object();
	size_t k;

	for (k = 0; k < FWD_FAIL_MAX; k++)
		json_object_set_new(fails, fwd_fail_names[k],
		    json_integer((json_int_t)s->failures[k]));
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:f, s:I, s:I, s:I, s:I, "
	              "s:I, s:o}",
	    "name", s->conf->name, "url", s->conf->url, "state", s->state,
	    "shards", (json_int_t)s->shards, "queue_bytes",
	    (json_int_t)s->backlog, "lag_seconds", s->lag, "sent_samples",
	    (json_int_t)s->sent_samples, "sent_bytes",
	    (json_int_t)s->sent_bytes, "retries", (json_int_t)s->retries,
	    "dropped_samples", (json_int_t)s->dropped, "filtered_samples",
	    (json_int_t)s->filtered, "failures", fails);
	json_object_set_new(o, "last_success",
	    s->last_ok_ms != 0 ? json_integer(s->last_ok_ms) : json_null());
	json_object_set_new(o, "last_error",
	    s->last_error != NULL ? json_string(s->last_error) : json_null());
	json_object_set_new(o, "last_error_time",
	    s->last_error_ms != 0 ? json_integer(s->last_error_ms)
	                          : json_null());
	json_object_set_new(o, "retry_in_ms", json_integer(s->retry_in_ms));
	json_array_append_new(arg, o);
}

json_t *
hub_remote_forward_status(struct hub *h)
{
	json_t *arr = json_array();

	fwd_sum_each(h->forward, hub_now(h), fwd_status_target, arr);
	return json_pack("{s:o}", "targets", arr);
}

void
hub_remote_route_status(struct hub_req *req)
{
	hub_reply_json(req, 200, hub_remote_forward_status(req->hub));
}
