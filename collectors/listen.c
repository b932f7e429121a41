/* citybrain-collector's own HTTP listener: GET /metrics and /healthz. */
#include "config.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "collectors/push.h"
#include "collectors/spool.h"
#include "lib/hostport.h"
#include "lib/xmalloc.h"

struct collector_listen {
	struct collector *c;
	struct evhttp *http;
};

/* The counters of struct collector_stats, as Prometheus counters. */
static const struct listen_counter {
	const char *name;
	const char *help;
	size_t offset;
} listen_counters[] = {
    {"points_collected", "points the inputs produced",
        offsetof(struct collector_stats, points_collected)},
    {"points_sent", "points the hub accepted",
        offsetof(struct collector_stats, points_sent)},
    {"points_spooled", "points written to the spool",
        offsetof(struct collector_stats, points_spooled)},
    {"points_dropped", "points dropped (NaN/Inf, too large, spool full)",
        offsetof(struct collector_stats, points_dropped)},
    {"points_rejected", "points the hub refused (4xx)",
        offsetof(struct collector_stats, points_rejected)},
    {"batches_sent", "batches the hub accepted",
        offsetof(struct collector_stats, batches_sent)},
    {"batches_failed", "batches that failed (5xx, network) and are retried",
        offsetof(struct collector_stats, batches_failed)},
    {"batches_rejected", "batches the hub refused",
        offsetof(struct collector_stats, batches_rejected)},
    {"events_sent", "events the hub accepted",
        offsetof(struct collector_stats, events_sent)},
    {"input_runs", "input runs", offsetof(struct collector_stats, input_runs)},
    {"input_errors", "failed input runs",
        offsetof(struct collector_stats, input_errors)},
};

/* Append one sample line; labels may be NULL. */
static void
listen_sample(struct evbuffer *b, const char *name, const char *labels,
    unsigned long long v)
{
	evbuffer_add_printf(b, "citybrain_collector_%s%s%s%s %llu\n", name,
	    labels != NULL ? "{" : "", labels != NULL ? labels : "",
	    labels != NULL ? "}" : "", v);
}

static void
listen_header(
    struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b,
	    "# HELP citybrain_collector_%s %s\n"
	    "# TYPE citybrain_collector_%s %s\n",
	    name, help, name, type);
}

/* Prometheus label value: backslash, quote and newline escaped. */
static char *
listen_label(const char *key, const char *v)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s=\"", key);
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			buf_printf(&b, "\\%c", *v);
		else if (*v == '\n')
			buf_printf(&b, "\\n");
		else
			buf_printf(&b, "%c", *v);
	}
	buf_printf(&b, "\"");
	return buf_detach(&b);
}

static void
listen_metrics(struct collector_listen *l, struct evbuffer *b)
{
	struct collector *c = l->c;
	struct spool_stats ss;
	char *lab;
	size_t i;

	memset(&ss, 0, sizeof ss);
	if (c->spool != NULL)
		spool_get_stats(c->spool, &ss);
	for (i = 0; i < sizeof listen_counters / sizeof listen_counters[0];
	     i++) {
		const struct listen_counter *k = &listen_counters[i];
		char name[64];

		snprintf(name, sizeof name, "%s_total", k->name);
		listen_header(b, name, "counter", k->help);
		listen_sample(b, name, NULL,
		    *(const uint64_t *)((const char *)&c->st + k->offset));
	}
	listen_header(b, "reloads_total", "counter", "configuration reloads");
	listen_sample(b, "reloads_total", NULL, c->reloads);
	listen_header(b, "reload_errors_total", "counter",
	    "reloads refused for a bad file");
	listen_sample(b, "reload_errors_total", NULL, c->reload_errors);
	listen_header(b, "spool_bytes", "gauge", "bytes in the spool");
	listen_sample(b, "spool_bytes", NULL, ss.bytes);
	listen_header(
	    b, "spool_points", "gauge", "points waiting in the spool");
	listen_sample(b, "spool_points", NULL, ss.points);
	listen_header(b, "spool_dropped_points_total", "counter",
	    "undelivered points the spool deleted (full or too old)");
	listen_sample(b, "spool_dropped_points_total", NULL, ss.dropped_points);
	listen_header(b, "hub_up", "gauge", "1 while the hub answers");
	listen_sample(
	    b, "hub_up", NULL, c->push != NULL && push_hub_up(c->push));
	listen_header(
	    b, "input_runs_by_input_total", "counter", "runs of each input");
	for (i = 0; i < c->ninputs; i++) {
		lab = listen_label("input", c->inputs[i]->name);
		listen_sample(
		    b, "input_runs_by_input_total", lab, c->inputs[i]->runs);
		free(lab);
	}
	listen_header(b, "input_errors_by_input_total", "counter",
	    "failed runs of each input");
	for (i = 0; i < c->ninputs; i++) {
		lab = listen_label("input", c->inputs[i]->name);
		listen_sample(b, "input_errors_by_input_total", lab,
		    c->inputs[i]->errors);
		free(lab);
	}
}

static void
listen_request(struct evhttp_request *req, void *arg)
{
	struct collector_listen *l = arg;
	struct evbuffer *b = evbuffer_new();
	const char *path =
	    evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	const char *type = "text/plain; charset=utf-8";
	int code = 200;

	if (path == NULL)
		path = "";
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		code = 405;
		evbuffer_add_printf(b, "only GET and HEAD\n");
	} else if (strcmp(path, "/metrics") == 0) {
		type = "text/plain; version=0.0.4; charset=utf-8";
		listen_metrics(l, b);
	} else if (strcmp(path, "/healthz") == 0) {
		evbuffer_add_printf(b, "ok\n");
	} else {
		code = 404;
		evbuffer_add_printf(b, "not found: /metrics and /healthz\n");
	}
	evhttp_add_header(
	    evhttp_request_get_output_headers(req), "Content-Type", type);
	evhttp_send_reply(req, code, code == 200 ? "OK" : "Error", b);
	evbuffer_free(b);
}

struct collector_listen *
collector_listen_start(struct collector *c, const char *addr, char **cause)
{
	struct collector_listen *l;
	char *host = NULL;
	int port;

	if (hostport_parse(addr, &host, &port) != 0) {
		*cause = xasprintf("listen: \"%s\": expected HOST:PORT", addr);
		return NULL;
	}
	l = xcalloc(1, sizeof *l);
	l->c = c;
	l->http = evhttp_new(c->base);
	evhttp_set_allowed_methods(
	    l->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
	                 EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_timeout(l->http, 10);
	evhttp_set_gencb(l->http, listen_request, l);
	if (evhttp_bind_socket(l->http, host, (ev_uint16_t)port) != 0) {
		*cause = xasprintf("listen: cannot listen on %s", addr);
		free(host);
		collector_listen_free(l);
		return NULL;
	}
	free(host);
	return l;
}

void
collector_listen_free(struct collector_listen *l)
{
	if (l == NULL)
		return;
	if (l->http != NULL)
		evhttp_free(l->http);
	free(l);
}
