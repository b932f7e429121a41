/* POST /prometheus/api/v1/write: Prometheus remote-write 1.0 in. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/remote/remote.h"
#include "hub/status.h"
#include "lib/xmalloc.h"

int
hub_remote_req_is_protobuf(struct hub_req *req)
{
	const char *ct = hub_req_header(req, "Content-Type");

	return ct != NULL &&
	       strncasecmp(ct, "application/x-protobuf", 22) == 0 &&
	       (ct[22] == '\0' || ct[22] == ';' || ct[22] == ' ');
}

/* The reply for a request that was decoded and ingested. */
static void
route_remote_reply(struct hub_req *req, struct remote_result *res)
{
	json_t *body;

	if (res->status != 0) {
		/* 503 (store) is retried by the sender; 413 is not. */
		hub_reply_error(req, res->status, "%s", res->cause);
		json_decref(res->errors);
		return;
	}
	if (res->rejected == 0 && res->stale == 0 && res->not_finite == 0) {
		json_decref(res->errors);
		hub_reply_empty(req, 204);
		return;
	}
	body = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "series",
	    (json_int_t)res->series, "samples", (json_int_t)res->samples,
	    "accepted", (json_int_t)res->accepted, "rejected",
	    (json_int_t)res->rejected, "stale", (json_int_t)res->stale,
	    "not_finite", (json_int_t)res->not_finite);
	if (res->rejected == 0) {
		/* Only skipped samples: a success, so the sender moves on. */
		json_decref(res->errors);
		hub_reply_json(req, 200, body);
		return;
	}
	/* Bad data is not retriable: 400, with what was stored. */
	json_object_set_new(body, "errors", res->errors);
	hub_reply_json(req, 400, body);
}

void
hub_remote_route_write(struct hub_req *req)
{
	struct hub *h = req->hub;
	struct remote_request rq;
	struct remote_result res;
	struct hub_collector *col;
	const char *body;
	char *cause = NULL, *source;
	size_t len;
	int too_big;

	body = hub_req_body(req, &len);
	if (remote_request_decode(&rq, body != NULL ? body : "", len,
	        (size_t)h->config->max_body_decompressed, &too_big,
	        &cause) != 0) {
		hub_reply_error(req, too_big ? 413 : 400, "%s", cause);
		free(cause);
		return;
	}
	if (req->id.role == HUB_ROLE_COLLECTOR)
		source = xstrdup(req->id.user);
	else
		source = xasprintf("uid:%s", req->id.user);
	remote_request_ingest(h, &req->id, source, &rq, &res);
	remote_request_free(&rq);
	col = hub_status_collector(h->status, source);
	snprintf(col->peer, sizeof col->peer, "%s", req->peer);
	free(source);
	h->stats.write_requests++;
	route_remote_reply(req, &res);
	free(res.cause);
}

const struct hub_route hub_routes_remote[] = {
    {.method = EVHTTP_REQ_POST,
        .path = "/prometheus/api/v1/write",
        .handler = hub_remote_route_write,
        .min_role = HUB_ROLE_COLLECTOR,
        .want_body = 1,
        .snappy_body = 1},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/status/remote",
        .handler = hub_remote_route_status,
        .min_role = HUB_ROLE_VIEWER},
    {.path = NULL},
};
