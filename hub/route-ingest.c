/* POST /api/v1/write (line protocol, or remote-write by Content-Type) and
 * the Influx 1.x POST /write (docs/api.md). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "hub/hub.h"
#include "hub/ingest.h"
#include "hub/remote/remote.h"
#include "hub/status.h"
#include "lib/xmalloc.h"

/* The reply to a write once its batch is stored (or refused): 204, 400
 * with the per-line errors, or the request's failure. */
static void
route_ingest_reply(struct hub_req *req, struct hub_ingest_result *res)
{
	req->hub->stats.write_requests++;
	if (res->status != 0) {
		hub_reply_error(req, res->status, "%s", res->cause);
		free(res->cause);
		json_decref(res->errors);
		return;
	}
	if (res->rejected == 0) {
		json_decref(res->errors);
		hub_reply_empty(req, 204);
		return;
	}
	hub_reply_json(req, 400,
	    json_pack("{s:I,s:I,s:I,s:o}", "accepted",
	        (json_int_t)res->accepted, "rejected",
	        (json_int_t)res->rejected, "points", (json_int_t)res->points,
	        "errors", res->errors));
}

/* hub_ingest_submit's callback for a deferred request. */
static void
route_ingest_done(void *arg, struct hub_ingest_result *res)
{
	struct hub_req *req = arg;

	route_ingest_reply(req, res);
	hub_req_finish(req);
}

static void
route_ingest_write(struct hub_req *req)
{
	struct hub_ingest_result res;
	const char *body, *prec;
	size_t len;
	int64_t mul, div;
	char *source;
	struct evbuffer *owned;
	struct hub_collector *col;
	struct hub_req *later;
	const char *enc = hub_req_header(req, "Content-Encoding");

	if (hub_remote_req_is_protobuf(req)) {
		hub_remote_route_write(req);
		return;
	}
	if (enc != NULL && strcasecmp(enc, "snappy") == 0) {
		hub_reply_error(req, 415,
		    "Content-Encoding snappy is for remote-write "
		    "(Content-Type: application/x-protobuf)");
		return;
	}
	prec = hub_req_query(req, "precision");
	if (hub_ingest_precision(prec, &mul, &div) != 0) {
		hub_reply_error(req, 400,
		    "precision: expected ns, us, ms, s, m or h, not \"%s\"",
		    prec);
		return;
	}
	if (req->id.role == HUB_ROLE_COLLECTOR)
		source = xstrdup(req->id.user);
	else
		source = xasprintf("uid:%s", req->id.user);
	col = hub_status_collector(req->hub->status, source);
	snprintf(col->peer, sizeof col->peer, "%s", req->peer);
	if (hub_ingest_threads(req->hub) > 0) {
		/* Parsed on a worker; stored and answered back here. */
		owned = hub_req_body_take(req);
		later = hub_req_defer(req);
		hub_ingest_submit(req->hub, &later->id, source, owned, mul, div,
		    route_ingest_done, later);
		free(source);
		return;
	}
	body = hub_req_body(req, &len);
	hub_ingest_body(req->hub, &req->id, source, body != NULL ? body : "",
	    len, mul, div, &res);
	free(source);
	route_ingest_reply(req, &res);
}

const struct hub_route hub_routes_ingest[] = {
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/write",
        .handler = route_ingest_write,
        .min_role = HUB_ROLE_COLLECTOR,
        .want_body = 1,
        .snappy_body = 1},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v2/write", /* Influx 2.x clients (org, bucket) */
        .handler = route_ingest_write,
        .min_role = HUB_ROLE_COLLECTOR,
        .want_body = 1},
    {.method = EVHTTP_REQ_POST,
        .path = "/write",
        .handler = route_ingest_write,
        .min_role = HUB_ROLE_COLLECTOR,
        .want_body = 1},
    {.path = NULL},
};
