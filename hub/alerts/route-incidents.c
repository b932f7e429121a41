/*
 * Routes: GET/POST /api/v1/incidents, GET /api/v1/incidents/{id} and
 * POST /api/v1/incidents/{id}/{action}.  See incident.h.
 */
#include "config.h"

#include <string.h>

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/incident.h"
#include "hub/alerts/route-alerts.h"

static void
route_incidents_list(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;
	size_t limit = 0;

	if (e == NULL || route_alerts_limit(req, &limit) != 0)
		return;
	route_alerts_actor(req, &who);
	alert_engine_incident_list(
	    e, hub_req_query(req, "state"), limit, &who, &r);
	route_alerts_reply(req, &r);
}

static void
route_incidents_get(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;

	if (e == NULL)
		return;
	route_alerts_actor(req, &who);
	alert_engine_incident_get(e, hub_req_param(req, "id"), &who, &r);
	route_alerts_reply(req, &r);
}

/* POST /api/v1/incidents (a new one), POST .../{id}/{action}. */
static void
route_incidents_post(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	const char *id = hub_req_param(req, "id");
	struct alert_actor who;
	struct alert_reply r;
	json_t *body = NULL;

	if (e == NULL || route_alerts_body(req, &body) != 0)
		return;
	route_alerts_actor(req, &who);
	if (id == NULL)
		alert_engine_incident_new(e, body, &who, &r);
	else
		alert_engine_incident_action(
		    e, id, hub_req_param(req, "action"), body, &who, &r);
	json_decref(body);
	route_alerts_reply(req, &r);
}

const struct hub_route hub_routes_incidents[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/incidents",
        .handler = route_incidents_list,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/incidents",
        .handler = route_incidents_post,
        .min_role = HUB_ROLE_OPERATOR,
        .want_body = 1},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/incidents/{id}",
        .handler = route_incidents_get,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/incidents/{id}/{action}",
        .handler = route_incidents_post,
        .min_role = HUB_ROLE_OPERATOR,
        .want_body = 1},
    {.path = NULL},
};
