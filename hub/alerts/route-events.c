/* Route: POST /api/v1/events, alerts raised and resolved directly. */
#include "config.h"

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/route-alerts.h"

static void
route_events_post(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;
	json_t *body;

	if (e == NULL || (body = hub_req_body_json(req)) == NULL)
		return;
	route_alerts_actor(req, &who);
	alert_engine_event(e, body, &who, &r);
	json_decref(body);
	route_alerts_reply(req, &r);
}

const struct hub_route hub_routes_events[] = {
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/events",
        .handler = route_events_post,
        .min_role = HUB_ROLE_COLLECTOR,
        .want_body = 1},
    {.path = NULL},
};
