/*
 * Route: GET /api/v1/reports/response?since=7d&by=dept|subdistrict|rule,
 * the response report of report.h, masked to the caller's scope.
 */
#include "config.h"

#include <stdlib.h>

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/report.h"
#include "hub/alerts/route-alerts.h"

static void
route_report_response(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct report_params p;
	struct alert_actor who;
	struct alert_reply r;
	char *cause = NULL;

	if (e == NULL)
		return;
	if (report_params_parse(hub_req_query(req, "since"),
	        hub_req_query(req, "by"), &p, &cause) != 0) {
		hub_reply_error(req, 400, "%s", cause);
		free(cause);
		return;
	}
	route_alerts_actor(req, &who);
	alert_engine_report(e, &p, &who, &r);
	route_alerts_reply(req, &r);
}

const struct hub_route hub_routes_reports[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/reports/response",
        .handler = route_report_response,
        .min_role = HUB_ROLE_VIEWER},
    {.path = NULL},
};
