/*
 * Routes: POST /api/v1/cases (a new case; its "address" resolved to a
 * place of the territory here), GET /api/v1/cases[?queue=dispatch] and
 * GET /api/v1/cases/{id}.  See case.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/case-categories.h"
#include "hub/alerts/case.h"
#include "hub/alerts/route-alerts.h"
#include "hub/territory.h"
#include "lib/xmalloc.h"

/* The place of body ("grid", else "address"), or NULL after replying
 * 400. */
static const char *
route_case_place(struct hub_req *req, json_t *body)
{
	const struct hub_territory *t = req->hub->territory;
	const char *grid = json_string_value(json_object_get(body, "grid"));
	const char *addr = json_string_value(json_object_get(body, "address"));
	const struct hub_node *n;
	char *why = NULL;
	int idx;

	if (grid != NULL) {
		n = t != NULL ? hub_territory_node(t, grid) : NULL;
		if (t != NULL && (n == NULL || n->level != HUB_LEVEL_GRID)) {
			hub_reply_error(
			    req, 400, "\"grid\": unknown grid \"%s\"", grid);
			return NULL;
		}
		return grid;
	}
	if (addr == NULL || *addr == '\0' || t == NULL) {
		hub_reply_error(req, 400,
		    "a case needs its place: \"grid\" (a grid code) or "
		    "\"address\"");
		return NULL;
	}
	if ((idx = case_place_resolve(t, addr, &why)) < 0) {
		hub_reply_error(req, 400, "%s", why);
		free(why);
		return NULL;
	}
	return t->nodes[idx].code;
}

static void
route_cases_post(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;
	const char *code;
	json_t *body;

	if (e == NULL || (body = hub_req_body_json(req)) == NULL)
		return;
	if (!json_is_object(body)) {
		json_decref(body);
		hub_reply_error(req, 400, "body: expected a JSON object");
		return;
	}
	if ((code = route_case_place(req, body)) != NULL) {
		route_alerts_actor(req, &who);
		alert_engine_case_new(e, body, code, &who, &r);
		route_alerts_reply(req, &r);
	}
	json_decref(body);
}

static void
route_cases_list(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct case_filter f;
	struct alert_actor who;
	struct alert_reply r;

	if (e == NULL)
		return;
	memset(&f, 0, sizeof f);
	f.queue = hub_req_query(req, "queue");
	f.state = hub_req_query(req, "state");
	f.category = hub_req_query(req, "category");
	if (route_alerts_limit(req, &f.limit) != 0)
		return;
	route_alerts_actor(req, &who);
	alert_engine_case_list(e, &f, &who, &r);
	route_alerts_reply(req, &r);
}

static void
route_cases_get(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;

	if (e == NULL)
		return;
	route_alerts_actor(req, &who);
	alert_engine_case_get(e, hub_req_param(req, "id"), &who, &r);
	route_alerts_reply(req, &r);
}

/* The category table, for forms that choose one (the console's). */
static void
route_case_categories(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);

	if (e != NULL)
		hub_reply_json(
		    req, 200, case_categories_json(alert_engine_rules(e)));
}

const struct hub_route hub_routes_cases[] = {
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/cases",
        .handler = route_cases_post,
        .min_role = HUB_ROLE_COLLECTOR,
        .want_body = 1},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/cases",
        .handler = route_cases_list,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/cases/{id}",
        .handler = route_cases_get,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/case-categories",
        .handler = route_case_categories,
        .min_role = HUB_ROLE_VIEWER},
    {.path = NULL},
};
