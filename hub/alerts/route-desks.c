/* Routes: /api/v1/desks, /api/v1/desks/{id}, /api/v1/desks/{id}/duty
 * (desk.h). */
#include "config.h"

#include <string.h>

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/desk.h"
#include "hub/alerts/route-alerts.h"
#include "hub/users.h"

/* Add each operator's display name and department to the desks of
 * {"desks": [...]} or to one desk object. */
static void
route_desks_names(struct hub_req *req, json_t *desk)
{
	const struct hub_user *u;
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(desk, "on_duty"), i, p)
	{
		u = hub_users_by_name(req->hub->users,
		    json_string_value(json_object_get(p, "user")), (uid_t)-1);
		if (u == NULL)
			continue;
		if (u->display != NULL)
			json_object_set_new(
			    p, "display", json_string(u->display));
		json_object_set_new(
		    p, "role", json_string(hub_role_name(u->role)));
		if (u->dept != NULL)
			json_object_set_new(p, "dept", json_string(u->dept));
	}
}

static void
route_desks_reply(struct hub_req *req, struct alert_reply *r)
{
	json_t *d;
	size_t i;

	if (r->status == 200 && json_object_get(r->body, "desks") != NULL) {
		json_array_foreach(json_object_get(r->body, "desks"), i, d)
		    route_desks_names(req, d);
	} else if (r->status == 200)
		route_desks_names(req, r->body);
	route_alerts_reply(req, r);
}

static void
route_desks_list(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;

	if (e == NULL)
		return;
	route_alerts_actor(req, &who);
	alert_engine_desk_list(e, &who, &r);
	route_desks_reply(req, &r);
}

static void
route_desks_get(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;
	size_t limit = 0;

	if (e == NULL || route_alerts_limit(req, &limit) != 0)
		return;
	route_alerts_actor(req, &who);
	alert_engine_desk_get(e, hub_req_param(req, "id"), limit, &who, &r);
	route_desks_reply(req, &r);
}

static void
route_desks_duty(struct hub_req *req, int on)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;

	if (e == NULL)
		return;
	route_alerts_actor(req, &who);
	alert_engine_desk_duty(e, hub_req_param(req, "id"), on, &who, &r);
	route_desks_reply(req, &r);
}

static void
route_desks_duty_on(struct hub_req *req)
{
	route_desks_duty(req, 1);
}

static void
route_desks_duty_off(struct hub_req *req)
{
	route_desks_duty(req, 0);
}

json_t *
hub_alerts_desks_json(struct hub_req *req)
{
	struct alert_engine *e = hub_alerts_engine(req->hub);
	struct alert_actor who;
	struct alert_reply r;
	json_t *arr, *d;
	size_t i;

	if (e == NULL || alert_engine_rules(e)->ndesks == 0)
		return NULL;
	route_alerts_actor(req, &who);
	alert_engine_desk_list(e, &who, &r);
	arr = json_incref(json_object_get(r.body, "desks"));
	json_decref(r.body);
	json_array_foreach(arr, i, d) route_desks_names(req, d);
	return arr;
}

const struct hub_route hub_routes_desks[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/desks",
        .handler = route_desks_list,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/desks/{id}",
        .handler = route_desks_get,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/desks/{id}/duty",
        .handler = route_desks_duty_on,
        .min_role = HUB_ROLE_VIEWER,
        .want_body = 1},
    {.method = EVHTTP_REQ_DELETE,
        .path = "/api/v1/desks/{id}/duty",
        .handler = route_desks_duty_off,
        .min_role = HUB_ROLE_VIEWER},
    {.path = NULL},
};
