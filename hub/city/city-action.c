/* Alert actions through a city hub: POST /api/v1/alerts/{id}/{action}
 * with the city's alert id ("440304-A000123", city-alert.c), or the
 * district's id and ?district=CODE, is passed to the district hub that
 * owns the alert (with the token the city reads it with, after checking
 * the caller's role for the action and scope for the district), its
 * "comment" prefixed with who did it on the city, so the alert's own
 * history says so; the city's audit log records the caller, the
 * district, the alert and the outcome. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "hub/alerts/alerts.h"
#include "hub/city/city-int.h"
#include "hub/hub.h"
#include "lib/xmalloc.h"

/* The action's body with "comment" saying who acted on the city (caller
 * frees), or NULL after replying 400. */
static char *
city_action_body(struct hub_req *req, const struct city_conf *c)
{
	const char *body, *was;
	json_t *j;
	size_t len;
	char *out, *note;

	if ((body = hub_req_body(req, &len)) == NULL || len == 0)
		j = json_object();
	else if ((j = json_loadb(body, len, 0, NULL)) == NULL ||
	         !json_is_object(j)) {
		json_decref(j);
		hub_reply_error(req, 400, "body: expected a JSON object");
		return NULL;
	}
	was = json_string_value(json_object_get(j, "comment"));
	note = xasprintf("[%s (%s) city hub: %s, %s %s]%s%s", c->name, c->code,
	    req->id.user != NULL ? req->id.user : "?",
	    hub_role_name(req->id.role), hub_via_name(req->id.via),
	    was != NULL && *was != '\0' ? " " : "", was != NULL ? was : "");
	json_object_set_new(j, "comment", json_string(note));
	free(note);
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return out;
}

/* The district answered (or not): pass its answer on, audit it. */
static void
city_action_done(struct city_fetch *f)
{
	struct hub_req *req = f->req;
	struct alert_engine *e = hub_alerts_engine(req->hub);
	const struct city_reply *r = NULL;
	struct alert_actor who;
	json_t *body;
	size_t i;

	for (i = 0; i < f->n && r == NULL; i++)
		if (f->path[i] != NULL)
			r = &f->replies[i];
	if (e != NULL) {
		route_alerts_actor(req, &who);
		alert_engine_audit_note(e, &who, "city.alert.action",
		    json_string_value(json_object_get(f->extra, "id")),
		    r->d->code, NULL,
		    json_pack("{s:s,s:s,s:s,s:i,s:s?}", "action",
		        json_string_value(json_object_get(f->extra, "action")),
		        "district", r->d->code, "local_id",
		        json_string_value(
		            json_object_get(f->extra, "local_id")),
		        "status", r->status, "error", r->error),
		    NULL);
	}
	if (r->status == 0 || r->body == NULL) {
		hub_reply_error_json(req, 502,
		    json_pack("{s:s}", "district", r->d->code),
		    "%s (%s) did not answer: %s", r->d->name, r->d->code,
		    r->error != NULL ? r->error : "no answer");
		return;
	}
	body = json_incref(r->body);
	if (json_is_object(body)) {
		if (r->status == 200)
			city_alert_mark(body, r->d);
		json_object_set_new(body, "district", json_string(r->d->code));
	}
	hub_reply_json(req, r->status, body);
}

/*
 * The district of the alert req acts on: its index with *local the
 * district's id, or -1 after replying.  The id is the city's
 * ("440304-A000123"), or the district's with ?district=CODE.
 */
static int
city_action_district(struct hub_req *req, const char *id, const char **local)
{
	const struct city_conf *c = req->hub->city->conf;
	const char *code = hub_req_query(req, "district");
	const char *cl;
	int i, ci;

	ci = city_alert_district(req, id, &cl);
	if (code == NULL) {
		if (ci >= 0) {
			*local = cl;
			return ci;
		}
		hub_reply_error(req, strchr(id, '-') != NULL ? 404 : 400,
		    "no alert \"%s\" in your districts: on a city hub an "
		    "alert's id is its \"id\" in GET /api/v1/alerts "
		    "(\"440304-A000123\": its district's first 6 digits, '-', "
		    "the district's id), or the district's id with "
		    "?district=CODE (its \"district\")",
		    id);
		return -1;
	}
	for (i = 0; i < (int)c->ndistricts; i++)
		if (strcmp(c->districts[i].code, code) == 0)
			break;
	if (i == (int)c->ndistricts || !hub_req_in_scope(req, code)) {
		hub_reply_error(req, 404,
		    "district: the code of the district hub that owns the "
		    "alert (its \"district\" in GET /api/v1/alerts) is not "
		    "one of your districts");
		return -1;
	}
	if (strchr(id, '-') != NULL) { /* a city id: its district's */
		if (ci != i) {
			hub_reply_error(req, 400,
			    "alert \"%s\" is not of district %s", id, code);
			return -1;
		}
		*local = cl;
		return i;
	}
	*local = id;
	return i;
}

void
city_route_alert_action(struct hub_req *req)
{
	struct hub_city *c = req->hub->city;
	const char *id = hub_req_param(req, "id"), *local;
	const char *action = hub_req_param(req, "action");
	struct city_fetch *f;
	enum hub_role need;
	char *body, *eid, *eact, *cid;
	int i;

	/* The city acts with its own token for the district, which may
	 * allow more than the caller: the caller's role is checked here. */
	if (alert_action_min_role(action, &need) != 0) {
		hub_reply_error(req, 404, "unknown action \"%s\"", action);
		return;
	}
	if (req->id.role < need) {
		hub_reply_error(req, 403, "%s needs role %s (you are %s)",
		    action, hub_role_name(need), hub_role_name(req->id.role));
		return;
	}
	if ((i = city_action_district(req, id, &local)) < 0)
		return;
	if ((body = city_action_body(req, c->conf)) == NULL)
		return;
	f = city_fetch_new(c, NULL, city_action_done);
	eid = evhttp_uriencode(local, -1, 0);
	eact = evhttp_uriencode(action, -1, 0);
	f->path[i] = xasprintf("/api/v1/alerts/%s/%s", eid, eact);
	free(eid);
	free(eact);
	f->post = body;
	cid = city_alert_id(&c->conf->districts[i], local);
	f->extra = json_pack(
	    "{s:s,s:s,s:s}", "id", cid, "local_id", local, "action", action);
	free(cid);
	f->req = hub_req_defer(req);
	city_fetch_start(f);
}
