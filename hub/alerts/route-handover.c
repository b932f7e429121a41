/*
 * Routes of the shift handover (issue 17): GET /api/v1/handover (the note
 * built now, with the data-quality problems of /api/v1/quality, the
 * signed notes waiting for the incoming operator, the hub's draft of the
 * shift that ended last and, with ?id=H..., that signed note), POST
 * /api/v1/handover (the outgoing operator signs it), POST
 * /api/v1/handover/{id}/ack (the incoming operator acknowledges it).
 */
#include "config.h"

#include <stdlib.h>

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/handover.h"
#include "hub/alerts/route-alerts.h"
#include "hub/quality/quality.h"

#define HANDOVER_QUALITY_WINDOW (3600 * 1000LL)

/* The data-quality part: the summary of /api/v1/quality for the caller's
 * scope and, per system with a problem, what is wrong. */
static json_t *
route_handover_quality(struct hub_req *req)
{
	struct quality_totals tot = {0};
	json_t *checks = NULL, *problems, *s, *o;
	char *cause = NULL;
	int64_t now = hub_now(req->hub);
	long long bad;
	size_t i;

	if (quality_systems_check(req->hub, req, now, HANDOVER_QUALITY_WINDOW,
	        &checks, &tot, &cause) != 0) {
		o = json_pack("{s:s}", "error", cause);
		free(cause);
		return o;
	}
	json_decref(quality_rules_check(req->hub, now, &tot));
	problems = json_array();
	json_array_foreach(checks, i, s)
	{
		json_t *miss = json_object_get(s, "declared_missing");
		json_t *stale = json_object_get(s, "stale_metrics");

		bad = (long long)json_integer_value(json_object_get(
		    json_object_get(s, "value_failures"), "total"));
		if (json_array_size(miss) == 0 && json_array_size(stale) == 0 &&
		    bad == 0)
			continue;
		json_array_append_new(
		    problems, json_pack("{s:O,s:O,s:O,s:I}", "system",
		                  json_object_get(s, "id"), "never_seen",
		                  miss != NULL ? miss : json_null(), "stale",
		                  stale != NULL ? stale : json_null(),
		                  "bad_values", (json_int_t)bad));
	}
	json_decref(checks);
	return json_pack("{s:o,s:o}", "summary", quality_totals_json(&tot),
	    "problems", problems);
}

/* The note for the caller now (new reference), or NULL after a reply. */
static json_t *
route_handover_build(
    struct hub_req *req, struct alert_engine **e, struct alert_actor *who)
{
	json_t *note;

	if ((*e = route_alerts_engine(req)) == NULL)
		return NULL;
	route_alerts_actor(req, who);
	note = alert_engine_handover(*e, who);
	json_object_set_new(note, "quality", route_handover_quality(req));
	return note;
}

static void
route_handover_get(struct hub_req *req)
{
	struct alert_engine *e;
	struct alert_actor who;
	json_t *note = route_handover_build(req, &e, &who), *w;

	if (note == NULL)
		return;
	w = alert_engine_handover_pending(e, &who);
	json_object_update(note, w);
	json_decref(w);
	w = alert_engine_handover_draft(e, NULL, &who);
	json_object_set_new(note, "draft", w != NULL ? w : json_null());
	/* ?id=H...: that signed note with its content (null: none seen). */
	if (hub_req_query(req, "id") != NULL) {
		w = alert_engine_handover_record(
		    e, hub_req_query(req, "id"), &who);
		json_object_set_new(
		    note, "record", w != NULL ? w : json_null());
	}
	hub_reply_json(req, 200, note);
}

/* Body {"draft": ID}: sign the draft's content (inside who's scope) with
 * the data quality of now in place of *note.  0, or -1 after a reply. */
static int
route_handover_from_draft(struct hub_req *req, struct alert_engine *e,
    const struct alert_actor *who, json_t *body, json_t **note)
{
	json_t *id = json_object_get(body, "draft"), *d;

	if (id == NULL)
		return 0;
	if (!json_is_string(id) || (d = alert_engine_handover_draft(e,
	                                json_string_value(id), who)) == NULL) {
		json_decref(*note);
		hub_reply_error(req, json_is_string(id) ? 404 : 400,
		    "\"draft\": no handover draft %s",
		    json_is_string(id) ? json_string_value(id)
		                       : "(not a string)");
		return -1;
	}
	if (!json_is_null(json_object_get(d, "signed_as"))) {
		json_decref(*note);
		hub_reply_error(req, 409, "draft %s was signed as %s",
		    json_string_value(id),
		    json_string_value(json_object_get(d, "signed_as")));
		json_decref(d);
		return -1;
	}
	json_object_set(json_object_get(d, "content"), "quality",
	    json_object_get(*note, "quality"));
	json_decref(*note);
	*note = json_incref(json_object_get(d, "content"));
	json_decref(d);
	return 0;
}

static void
route_handover_sign(struct hub_req *req)
{
	struct alert_engine *e;
	struct alert_actor who;
	struct alert_reply r;
	json_t *body, *note;

	if ((body = hub_req_body_json(req)) == NULL)
		return; /* replied 400 */
	if ((note = route_handover_build(req, &e, &who)) == NULL) {
		json_decref(body);
		return;
	}
	if (route_handover_from_draft(req, e, &who, body, &note) != 0) {
		json_decref(body);
		return;
	}
	alert_engine_handover_sign(e, body, note, &who, &r);
	if (r.status == 201 && json_is_string(json_object_get(body, "draft")))
		alert_engine_handover_draft_signed(e,
		    json_string_value(json_object_get(body, "draft")),
		    json_string_value(json_object_get(r.body, "id")), &who);
	json_decref(body);
	route_alerts_reply(req, &r);
}

static void
route_handover_ack(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;
	json_t *body;

	if (e == NULL || route_alerts_body(req, &body) != 0)
		return;
	route_alerts_actor(req, &who);
	alert_engine_handover_ack(e, hub_req_param(req, "id"), body, &who, &r);
	json_decref(body);
	route_alerts_reply(req, &r);
}

const struct hub_route hub_routes_handover[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/handover",
        .handler = route_handover_get,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/handover",
        .handler = route_handover_sign,
        .min_role = HUB_ROLE_OPERATOR,
        .want_body = 1},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/handover/{id}/ack",
        .handler = route_handover_ack,
        .min_role = HUB_ROLE_OPERATOR,
        .want_body = 1},
    {.path = NULL},
};
