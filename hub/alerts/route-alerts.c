/* Routes: /api/v1/alerts, /api/v1/alerts/{id}, actions, silences. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/route-alerts.h"
#include "hub/users.h"
#include "lib/xmalloc.h"

struct alert_engine *
route_alerts_engine(struct hub_req *req)
{
	struct alert_engine *e = hub_alerts_engine(req->hub);

	if (e == NULL)
		hub_reply_error(req, 503, "alerts module not running");
	return e;
}

void
route_alerts_actor(struct hub_req *req, struct alert_actor *out)
{
	memset(out, 0, sizeof *out);
	out->who = req->id.user;
	out->via = hub_via_name(req->id.via);
	out->uid = req->id.via == HUB_VIA_UID ? (long long)req->id.uid : -1;
	out->token = req->id.token != NULL ? req->id.token->name : NULL;
	out->token_ptr = req->id.token;
	out->from = req->peer;
	out->role = req->id.role;
	out->scope = req->id.scope;
	out->dept = req->id.dept;
}

void
route_alerts_reply(struct hub_req *req, struct alert_reply *r)
{
	if (r->body == NULL)
		r->body = json_object();
	hub_reply_json(req, r->status, r->body);
	r->body = NULL;
}

/* The "limit" query parameter into *limit (unchanged when absent); on a
 * bad one, replies 400 and returns -1. */
int
route_alerts_limit(struct hub_req *req, size_t *limit)
{
	const char *s = hub_req_query(req, "limit");
	char *end;

	if (s == NULL)
		return 0;
	*limit = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0') {
		hub_reply_error(req, 400, "limit: expected a number");
		return -1;
	}
	return 0;
}

static void
route_alerts_list(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_filter f;
	struct alert_actor who;
	struct alert_reply r;
	const char *s;

	if (e == NULL)
		return;
	memset(&f, 0, sizeof f);
	f.state = hub_req_query(req, "state");
	f.severity = hub_req_query(req, "severity");
	f.code = hub_req_query(req, "code");
	f.dept = hub_req_query(req, "dept");
	f.rule = hub_req_query(req, "rule");
	f.silenced = hub_req_query(req, "silenced");
	f.inhibited = hub_req_query(req, "inhibited");
	s = hub_req_query(req, "group");
	f.group = s != NULL && (strcmp(s, "1") == 0 || strcmp(s, "true") == 0);
	if (route_alerts_limit(req, &f.limit) != 0)
		return;
	route_alerts_actor(req, &who);
	alert_engine_list(e, &f, &who, &r);
	route_alerts_reply(req, &r);
}

static void
route_alerts_get(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;

	if (e == NULL)
		return;
	route_alerts_actor(req, &who);
	alert_engine_get(e, hub_req_param(req, "id"), &who, &r);
	route_alerts_reply(req, &r);
}

int
route_alerts_body(struct hub_req *req, json_t **body)
{
	size_t len = 0;

	*body = NULL;
	if (hub_req_body(req, &len) != NULL && len > 0 &&
	    (*body = hub_req_body_json(req)) == NULL)
		return -1; /* replied 400 */
	return 0;
}

static void
route_alerts_action(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;
	json_t *body;

	if (e == NULL || route_alerts_body(req, &body) != 0)
		return;
	route_alerts_actor(req, &who);
	alert_engine_action(e, hub_req_param(req, "id"),
	    hub_req_param(req, "action"), body, &who, &r);
	json_decref(body);
	route_alerts_reply(req, &r);
}

static void
route_alerts_deliveries(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;

	if (e == NULL)
		return;
	route_alerts_actor(req, &who);
	alert_engine_deliveries(e, hub_req_query(req, "alert"), &who, &r);
	route_alerts_reply(req, &r);
}

static void
route_silences_list(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;
	const char *all = hub_req_query(req, "all");

	if (e == NULL)
		return;
	route_alerts_actor(req, &who);
	alert_engine_silence_list(e,
	    all != NULL && (strcmp(all, "1") == 0 || strcmp(all, "true") == 0),
	    &who, &r);
	route_alerts_reply(req, &r);
}

/* Rewrite a time member given as text (RFC 3339, "now-1h", ...) into ms. */
static int
route_silence_time(struct hub_req *req, json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);
	const char *s = json_string_value(v);
	int64_t ms;

	if (s == NULL || strncmp(s, "now+", 4) == 0 || s[0] == '+')
		return 0;
	if (hub_parse_time(s, hub_now(req->hub), &ms) != 0) {
		hub_reply_error(req, 400, "\"%s\": bad time \"%s\"", key, s);
		return -1;
	}
	json_object_set_new(body, key, json_integer(ms));
	return 0;
}

static void
route_silences_create(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;
	json_t *body;

	if (e == NULL || (body = hub_req_body_json(req)) == NULL)
		return;
	if (!json_is_object(body)) {
		json_decref(body);
		hub_reply_error(req, 400, "body: expected a JSON object");
		return;
	}
	if (route_silence_time(req, body, "start") != 0 ||
	    route_silence_time(req, body, "end") != 0) {
		json_decref(body);
		return;
	}
	route_alerts_actor(req, &who);
	alert_engine_silence_create(e, body, &who, &r);
	json_decref(body);
	route_alerts_reply(req, &r);
}

static void
route_silences_delete(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;
	struct alert_reply r;

	if (e == NULL)
		return;
	route_alerts_actor(req, &who);
	alert_engine_silence_delete(e, hub_req_param(req, "id"), &who, &r);
	route_alerts_reply(req, &r);
}

const struct hub_route hub_routes_alerts[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/alerts",
        .handler = route_alerts_list,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/alerts/{id}",
        .handler = route_alerts_get,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/alerts/{id}/{action}",
        .handler = route_alerts_action,
        .min_role = HUB_ROLE_OPERATOR,
        .want_body = 1},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/deliveries",
        .handler = route_alerts_deliveries,
        .min_role = HUB_ROLE_SUPERVISOR},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/silences",
        .handler = route_silences_list,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/silences",
        .handler = route_silences_create,
        .min_role = HUB_ROLE_SUPERVISOR,
        .want_body = 1},
    {.method = EVHTTP_REQ_DELETE,
        .path = "/api/v1/silences/{id}",
        .handler = route_silences_delete,
        .min_role = HUB_ROLE_SUPERVISOR},
    {.path = NULL},
};
