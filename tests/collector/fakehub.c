/*
 * fakehub: a small stand-in for citybraind's ingest routes, for the
 * collector's integration tests.  A real HTTP server (libevent evhttp) on
 * 127.0.0.1:
 *   POST /api/v1/write   line protocol (gzip too); valid lines are
 *                        appended to --out, 204 or 400 with JSON
 *   POST /api/v1/events  JSON; appended to --events, 202
 *   GET  /metrics        a Prometheus text 0.0.4 exporter fixture
 *   GET  /metrics-om     the same as OpenMetrics 1.0
 *   GET  /health         "ok"
 * --token T requires "Authorization: Bearer T" (401 otherwise);
 * --status N answers every write with N (500 to play a broken hub).
 */
#include "config.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lib/buf.h"
#include "lib/lineproto.h"

static FILE *out, *events;
static const char *token;
static int force_status;
static struct lp_parser *lp;
static unsigned long nwrites;

static const char exporter_text[] =
    "# HELP fixture_requests_total Requests served.\n"
    "# TYPE fixture_requests_total counter\n"
    "fixture_requests_total{method=\"get\",code=\"200\"} 1027\n"
    "fixture_requests_total{method=\"post\",code=\"500\"} 3\n"
    "# HELP fixture_temperature_celsius Pump room temperature.\n"
    "# TYPE fixture_temperature_celsius gauge\n"
    "fixture_temperature_celsius{room=\"B1 \\\"north\\\"\",path=\"C:\\\\"
    "x\"} 21.5\n"
    "# TYPE fixture_latency_seconds histogram\n"
    "fixture_latency_seconds_bucket{le=\"0.1\"} 5\n"
    "fixture_latency_seconds_bucket{le=\"1\"} 9\n"
    "fixture_latency_seconds_bucket{le=\"+Inf\"} 10\n"
    "fixture_latency_seconds_sum 3.5\n"
    "fixture_latency_seconds_count 10\n"
    "# TYPE fixture_rpc_seconds summary\n"
    "fixture_rpc_seconds{quantile=\"0.5\"} NaN\n"
    "fixture_rpc_seconds{quantile=\"0.9\"} 0.25\n"
    "fixture_rpc_seconds_sum 12\n"
    "fixture_rpc_seconds_count 40\n"
    "fixture_with_timestamp 7 1700000000000\n"
    "fixture_overflow +Inf\n";

static const char exporter_om[] =
    "# TYPE fixture_jobs counter\n"
    "# HELP fixture_jobs Jobs run.\n"
    "fixture_jobs_total{queue=\"a\"} 17 1700000000.5\n"
    "fixture_jobs_created{queue=\"a\"} 1600000000\n"
    "# TYPE fixture_build info\n"
    "fixture_build_info{version=\"1.2.3\"} 1\n"
    "# TYPE fixture_size gauge\n"
    "# UNIT fixture_size bytes\n"
    "fixture_size 1024 # {trace_id=\"x\"} 1\n"
    "# EOF\n";

static int
gunzip(const unsigned char *in, size_t len, struct buf *dst)
{
	z_stream zs;
	char tmp[65536];
	int r;

	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = (Bytef *)tmp;
		zs.avail_out = sizeof tmp;
		r = inflate(&zs, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END) {
			inflateEnd(&zs);
			return -1;
		}
		buf_append(dst, tmp, sizeof tmp - zs.avail_out);
	} while (r != Z_STREAM_END);
	inflateEnd(&zs);
	return 0;
}

static int
authorized(struct evhttp_request *req)
{
	const char *h;
	char want[512];

	if (token == NULL)
		return 1;
	h = evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Authorization");
	snprintf(want, sizeof want, "Bearer %s", token);
	return h != NULL && strcmp(h, want) == 0;
}

static void
reply(struct evhttp_request *req, int code, const char *ctype, const char *body)
{
	struct evbuffer *b = evbuffer_new();

	if (ctype != NULL)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", ctype);
	if (body != NULL)
		evbuffer_add(b, body, strlen(body));
	evhttp_send_reply(req, code, code < 300 ? "OK" : "Error", b);
	evbuffer_free(b);
}

static void
handle(struct evhttp_request *req, void *arg)
{
	const char *uri = evhttp_request_get_uri(req), *enc, *cause;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in), lineno;
	unsigned char *raw;
	struct buf body = BUF_INIT, resp = BUF_INIT;
	const struct lp_point *pt;
	struct lp_body b;
	const char *line;
	long accepted = 0, rejected = 0, points = 0;
	int r;

	if (strcmp(uri, "/health") == 0) {
		reply(req, 200, "text/plain", "ok\n");
		return;
	}
	if (strcmp(uri, "/metrics") == 0) {
		reply(req, 200, "text/plain; version=0.0.4", exporter_text);
		return;
	}
	if (strcmp(uri, "/metrics-om") == 0) {
		reply(req, 200,
		    "application/openmetrics-text; version=1.0.0; "
		    "charset=utf-8",
		    exporter_om);
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		reply(
		    req, 404, "application/json", "{\"error\":\"not found\"}");
		return;
	}
	if (!authorized(req)) {
		reply(
		    req, 401, "application/json", "{\"error\":\"bad token\"}");
		return;
	}
	raw = evbuffer_pullup(in, -1);
	enc = evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Content-Encoding");
	if (enc != NULL && strcmp(enc, "gzip") == 0) {
		if (gunzip(raw, len, &body) != 0) {
			reply(req, 400, "application/json",
			    "{\"error\":\"bad gzip\"}");
			return;
		}
	} else
		buf_append(&body, raw, len);
	if (strncmp(uri, "/api/v1/events", 14) == 0) {
		if (force_status != 0) {
			reply(req, force_status, "application/json",
			    "{\"error\":\"forced\"}");
			buf_free(&body);
			return;
		}
		fprintf(events, "%s\n", buf_str(&body));
		fflush(events);
		reply(req, 202, "application/json",
		    "{\"id\":\"A1\",\"state\":\"firing\"}");
		buf_free(&body);
		return;
	}
	if (strncmp(uri, "/api/v1/write", 13) != 0) {
		reply(
		    req, 404, "application/json", "{\"error\":\"not found\"}");
		buf_free(&body);
		return;
	}
	if (force_status != 0) {
		reply(req, force_status, "application/json",
		    "{\"error\":\"forced\"}");
		buf_free(&body);
		return;
	}
	nwrites++;
	lp_body_init(&b, body.data, body.len);
	buf_puts(&resp, "{\"errors\":[");
	for (;;) {
		line = b.p;
		r = lp_body_next(lp, &b, &pt, &lineno, &cause);
		if (r == LP_END)
			break;
		if (r == LP_ERROR) {
			buf_printf(&resp, "%s{\"line\":%zu,\"reason\":\"%s\"}",
			    rejected ? "," : "", lineno, cause);
			rejected++;
			continue;
		}
		accepted++;
		points += (long)pt->nfields;
		/* The line as received. */
		fwrite(line, 1, (size_t)(b.p - line), out);
		if (b.p == line || b.p[-1] != '\n')
			fputc('\n', out);
	}
	fflush(out);
	if (rejected == 0)
		reply(req, 204, NULL, NULL);
	else {
		buf_printf(&resp,
		    "],\"accepted\":%ld,\"rejected\":%ld,"
		    "\"points\":%ld}",
		    accepted, rejected, points);
		reply(req, 400, "application/json", buf_str(&resp));
	}
	buf_free(&resp);
	buf_free(&body);
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopexit(arg, NULL);
}

int
main(int argc, char **argv)
{
	struct event_base *base;
	struct evhttp *http;
	struct event *sigterm;
	const char *outpath = "/dev/null", *evpath = "/dev/null";
	int port = 0, ch;

	while ((ch = getopt(argc, argv, "p:o:e:t:s:")) != -1) {
		switch (ch) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'e':
			evpath = optarg;
			break;
		case 't':
			token = optarg;
			break;
		case 's':
			force_status = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: fakehub -p PORT [-o OUT] "
			                "[-e EVENTS] [-t TOKEN] [-s STATUS]\n");
			return 2;
		}
	}
	if ((out = fopen(outpath, "a")) == NULL ||
	    (events = fopen(evpath, "a")) == NULL) {
		perror("fakehub: open");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	lp = lp_parser_create();
	base = event_base_new();
	http = evhttp_new(base);
	evhttp_set_gencb(http, handle, NULL);
	evhttp_set_max_body_size(http, 64 << 20);
	if (evhttp_bind_socket(http, "127.0.0.1", (ev_uint16_t)port) != 0) {
		fprintf(stderr, "fakehub: cannot listen on port %d\n", port);
		return 1;
	}
	sigterm = evsignal_new(base, SIGTERM, stop_cb, base);
	evsignal_add(sigterm, NULL);
	event_base_dispatch(base);
	fprintf(stderr, "fakehub: %lu writes\n", nwrites);
	event_free(sigterm);
	evhttp_free(http);
	event_base_free(base);
	lp_parser_free(lp);
	fclose(out);
	fclose(events);
	return 0;
}
