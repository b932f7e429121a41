/* Forwarding's counters: /metrics and GET /api/v1/status/remote. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "hub/hub.h"
#include "hub/remote/forward-int.h"
#include "hub/remote/remote.h"
#include "lib/buf.h"

/* Age in seconds of t's oldest unacknowledged record at now (0: none). */
static double
fwd_target_lag(struct fwd_target *t, int64_t now)
{
	struct remote_forward *fw = t->fw;
	struct fwd_entry *e;

	e = t->pos < fw->head ? fwd_entry_find(fw, t->pos) : NULL;
	return e != NULL ? (double)(now - e->enq_ms) / 1000.0 : 0.0;
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
    {"citybraind_remote_filtered_samples_total", "counter",
        "Samples not for the target (its match or relabel rules).",
        offsetof(struct fwd_target, filtered)},
};

void
hub_remote_forward_metrics(struct hub *h, struct buf *b)
{
	struct remote_forward *fw = h->forward;
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
	for (i = 0; i < fw->nt; i++)
		buf_printf(b,
		    "citybraind_remote_lag_seconds{target=\"%s\"} %.3f\n",
		    fw->t[i].conf->name, fwd_target_lag(&fw->t[i], now));
}

/* One target's object of GET /api/v1/status/remote. */
static json_t *
fwd_target_status(struct fwd_target *t, int64_t now)
{
	json_t *o, *fails = json_object();
	const char *state;
	size_t k;

	for (k = 0; k < FWD_FAIL_MAX; k++)
		json_object_set_new(fails, fwd_fail_names[k],
		    json_integer((json_int_t)t->failures[k]));
	if (t->next_try_ms > now)
		state = "retrying";
	else if (t->end != 0)
		state = "sending";
	else if (t->pos < t->fw->head)
		state = "behind";
	else
		state = "caught_up";
	o = json_pack("{s:s, s:s, s:s, s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:o}",
	    "name", t->conf->name, "url", t->conf->url, "state", state,
	    "queue_bytes", (json_int_t)t->backlog, "lag_seconds",
	    fwd_target_lag(t, now), "sent_samples", (json_int_t)t->sent_samples,
	    "sent_bytes", (json_int_t)t->sent_bytes, "retries",
	    (json_int_t)t->retries, "dropped_samples", (json_int_t)t->dropped,
	    "filtered_samples", (json_int_t)t->filtered, "failures", fails);
	json_object_set_new(o, "last_success",
	    t->last_ok_ms != 0 ? json_integer(t->last_ok_ms) : json_null());
	json_object_set_new(o, "last_error",
	    t->last_error_ms != 0 ? json_string(t->last_error) : json_null());
	json_object_set_new(o, "last_error_time",
	    t->last_error_ms != 0 ? json_integer(t->last_error_ms)
	                          : json_null());
	json_object_set_new(o, "retry_in_ms",
	    json_integer(t->next_try_ms > now ? t->next_try_ms - now : 0));
	return o;
}

json_t *
hub_remote_forward_status(struct hub *h)
{
	struct remote_forward *fw = h->forward;
	json_t *arr = json_array();
	int64_t now = hub_now(h);
	size_t i;

	for (i = 0; fw != NULL && i < fw->nt; i++)
		json_array_append_new(arr, fwd_target_status(&fw->t[i], now));
	return json_pack("{s:o}", "targets", arr);
}

void
hub_remote_route_status(struct hub_req *req)
{
	hub_reply_json(req, 200, hub_remote_forward_status(req->hub));
}
