/* Routes of the grid workers: enrolment and revocation by supervisors,
 * the list for operators, and the workers' own /api/v1/m/ routes (sign
 * in, who am I, tasks and actions).  Check-ins are in worker-grant.c,
 * the page in worker-page.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hub/alerts/alerts.h"
#include "hub/hub-config.h"
#include "hub/territory.h"
#include "hub/worker/worker-int.h"
#include "hub/worker/worker.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define WORKER_NAME_MAX 64

int
hub_workers_init(struct hub *h, char **cause)
{
	char *path = xasprintf("%s/workers.json", h->config->data);

	h->workers = worker_registry_load(path, cause);
	free(path);
	if (h->workers == NULL)
		return -1;
	h->workers->grants_path =
	    xasprintf("%s/worker-grants.json", h->config->data);
	return worker_grants_load(h, cause);
}

void
hub_workers_free(struct hub *h)
{
	worker_registry_free(h->workers);
	h->workers = NULL;
}

int
worker_in_grids(struct hub *h, const struct worker *w, const char *code)
{
	size_t i;

	if (code == NULL)
		return 0;
	for (i = 0; i < w->ngrids; i++) {
		if (hub_territory_code_within(h->territory, code, w->grids[i]))
			return 1;
	}
	return 0;
}

int
hub_workers_may(struct hub *h, const char *worker, const char *code)
{
	struct worker *w;

	if (h->workers == NULL ||
	    (w = worker_registry_find(h->workers, worker)) == NULL ||
	    !worker_registry_active(w))
		return -1;
	return worker_in_grids(h, w, code);
}

void
hub_workers_people(struct hub *h, const char *grid, json_t *people)
{
	struct alert_engine *e = hub_alerts_engine(h);
	struct alert_worker aw;
	char *key, *tasks, *site;
	size_t i, j;

	for (i = 0; h->workers != NULL && i < h->workers->n; i++) {
		struct worker *w = &h->workers->v[i];

		for (j = 0; j < w->ngrids && strcmp(w->grids[j], grid) != 0;
		     j++)
			;
		/* On duty: signed in on a phone, not revoked. */
		if (j == w->ngrids || !worker_registry_active(w) ||
		    w->token_hash[0] == '\0')
			continue;
		worker_req_alert_worker(w, &aw);
		key = xasprintf("worker:%s", w->name);
		tasks = xasprintf("%zu open tasks",
		    e != NULL ? alert_engine_worker_count(e, &aw) : 0);
		site = worker_grant_current(h, w)
		           ? xasprintf("on site %s", w->last_place)
		           : xstrdup("not on site");
		json_object_set_new(people, key,
		    json_pack("{s:s,s:s,s:s}", "name",
		        w->display != NULL ? w->display : w->name, "phone",
		        tasks, "station", site));
		free(key);
		free(tasks);
		free(site);
	}
}

/* ---- Request helpers ---------------------------------------------------- */

struct worker *
worker_req_auth(struct hub_req *req)
{
	const char *auth = hub_req_header(req, "Authorization");
	struct worker *w = NULL;

	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0 &&
	    req->hub->workers != NULL)
		w = worker_registry_by_token(req->hub->workers, auth + 7);
	if (w == NULL)
		hub_reply_error(req, 401,
		    auth == NULL ? "sign in with your enrolment code"
		                 : "unknown or revoked device token");
	return w;
}

void
worker_req_actor(struct hub_req *req, struct worker *w, struct alert_actor *out)
{
	memset(out, 0, sizeof *out);
	out->who = w->name;
	out->via = "worker";
	out->uid = -1;
	out->from = req->peer;
	out->role = HUB_ROLE_NONE;
	out->scope = w->ngrids > 0 ? w->grids[0] : NULL;
}

void
worker_req_alert_worker(struct worker *w, struct alert_worker *out)
{
	out->name = w->name;
	out->grids = (const char *const *)w->grids;
	out->ngrids = w->ngrids;
}

void
worker_req_audit(struct hub_req *req, struct worker *w, const char *action,
    const char *target, const char *code, json_t *after)
{
	struct alert_engine *e = hub_alerts_engine(req->hub);
	struct alert_actor who;

	if (e == NULL) {
		json_decref(after);
		return;
	}
	worker_req_actor(req, w, &who);
	if (alert_engine_audit_note(
	        e, &who, action, target, code, NULL, after, NULL) != 0)
		log_error(
		    "worker", "audit of %s by %s failed", action, w->name);
}

/* Audit an operator's action on the worker registry. */
static void
worker_admin_audit(struct hub_req *req, const char *action, const char *name,
    const char *code, json_t *after)
{
	struct alert_engine *e = hub_alerts_engine(req->hub);
	struct alert_actor who;

	if (e == NULL) {
		json_decref(after);
		return;
	}
	route_alerts_actor(req, &who);
	alert_engine_audit_note(e, &who, action, name, code, NULL, after, NULL);
}

/* Save the registry and the grants (a revocation or a new enrolment
 * ends a grant); 0, or -1 after replying 500. */
static int
worker_save(struct hub_req *req)
{
	char *cause = NULL;

	if (worker_registry_save(req->hub->workers, &cause) == 0 &&
	    worker_grants_save(req->hub, &cause) == 0)
		return 0;
	log_error("worker", "%s", cause);
	hub_reply_error(req, 500, "saving the workers: %s", cause);
	free(cause);
	return -1;
}

static json_t *
worker_grids_json(struct hub *h, const struct worker *w)
{
	json_t *arr = json_array();
	const struct hub_node *n;
	size_t i;

	for (i = 0; i < w->ngrids; i++) {
		n = hub_territory_node(h->territory, w->grids[i]);
		json_array_append_new(
		    arr, json_pack("{s:s,s:s*,s:s*}", "code", w->grids[i],
		             "name", n != NULL ? n->name : NULL, "name_en",
		             n != NULL ? n->name_en : NULL));
	}
	return arr;
}

/* ---- Operators: list, enrol, revoke -------------------------------------- */

static int
worker_visible(struct hub_req *req, const struct worker *w)
{
	size_t i;

	for (i = 0; i < w->ngrids; i++) {
		if (hub_req_in_scope(req, w->grids[i]))
			return 1;
	}
	return 0;
}

static void
worker_route_list(struct hub_req *req)
{
	struct hub *h = req->hub;
	struct alert_engine *e = hub_alerts_engine(h);
	struct alert_worker aw;
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; h->workers != NULL && i < h->workers->n; i++) {
		struct worker *w = &h->workers->v[i];

		if (!worker_visible(req, w))
			continue;
		worker_req_alert_worker(w, &aw);
		o = json_pack("{s:s,s:s*,s:o,s:s,s:I,s:s*,s:I}", "name",
		    w->name, "display", w->display, "grids",
		    worker_grids_json(h, w), "state",
		    w->revoked_ms != 0         ? "revoked"
		    : w->token_hash[0] != '\0' ? "enrolled"
		    : w->code_hash[0] != '\0'  ? "code issued"
		                               : "none",
		    "open_tasks",
		    (json_int_t)(e != NULL ? alert_engine_worker_count(e, &aw)
		                           : 0),
		    "last_checkin", w->last_place, "last_checkin_ms",
		    (json_int_t)w->last_checkin_ms);
		json_object_set_new(
		    o, "on_site", json_boolean(worker_grant_current(h, w)));
		json_object_set_new(o, "grant", worker_grant_json(h, w));
		json_array_append_new(arr, o);
	}
	hub_reply_json(req, 200, json_pack("{s:o}", "workers", arr));
}

/* A worker name: 1-64 of letters, digits, '.', '_', '-'. */
static int
worker_name_ok(const char *s)
{
	size_t i, n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > WORKER_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		        (c >= 'A' && c <= 'Z') || c == '-' || c == '_' ||
		        c == '.'))
			return 0;
	}
	return 1;
}

static void
worker_route_enrol(struct hub_req *req)
{
	struct hub *h = req->hub;
	json_t *body = hub_req_body_json(req), *grids, *g;
	const char *name, *display;
	const struct hub_node *n;
	char **codes = NULL, *code;
	size_t i, ng = 0;

	if (body == NULL)
		return;
	name = json_string_value(json_object_get(body, "name"));
	display = json_string_value(json_object_get(body, "display"));
	grids = json_object_get(body, "grids");
	if (!worker_name_ok(name)) {
		hub_reply_error(req, 400,
		    "\"name\": 1-%d letters, digits, '.', '_' or '-'",
		    WORKER_NAME_MAX);
		goto out;
	}
	if (json_is_string(json_object_get(body, "grid")))
		grids = json_pack("[O]", json_object_get(body, "grid"));
	else
		json_incref(grids);
	if (!json_is_array(grids) || json_array_size(grids) == 0) {
		json_decref(grids);
		hub_reply_error(
		    req, 400, "\"grid\" (or \"grids\") is required");
		goto out;
	}
	codes = xcalloc(json_array_size(grids) + 1, sizeof *codes);
	json_array_foreach(grids, i, g)
	{
		n = json_is_string(g)
		        ? hub_territory_node(h->territory, json_string_value(g))
		        : NULL;
		if (n == NULL || n->level != HUB_LEVEL_GRID) {
			hub_reply_error(req, 400,
			    "\"grids\"[%zu]: no grid \"%s\"", i,
			    json_is_string(g) ? json_string_value(g) : "");
			json_decref(grids);
			goto out;
		}
		if (!hub_req_in_scope(req, n->code)) {
			hub_reply_error(req, 403,
			    "grid %s is outside your scope %s", n->code,
			    req->id.scope != NULL ? req->id.scope : "");
			json_decref(grids);
			goto out;
		}
		codes[ng++] = n->code;
	}
	code = worker_registry_enrol(h->workers, name, display, codes, ng,
	    req->id.user, hub_now(h), h->config->worker_code_ttl_ms);
	json_decref(grids);
	if (worker_save(req) != 0) {
		free(code);
		goto out;
	}
	worker_admin_audit(req, "worker.enrol", name, codes[0],
	    json_pack("{s:o}", "grids",
	        worker_grids_json(h, worker_registry_find(h->workers, name))));
	hub_reply_json(req, 201,
	    json_pack("{s:s,s:s,s:I,s:s}", "name", name, "code", code,
	        "expires_ms",
	        (json_int_t)(hub_now(h) + h->config->worker_code_ttl_ms),
	        "page", "/m/"));
	free(code);
out:
	free(codes);
	json_decref(body);
}

static void
worker_route_revoke(struct hub_req *req)
{
	struct hub *h = req->hub;
	const char *name = hub_req_param(req, "name");
	struct worker *w = worker_registry_find(h->workers, name);

	if (w == NULL || !worker_visible(req, w)) {
		hub_reply_error(req, 404, "no grid worker \"%s\"", name);
		return;
	}
	if (w->revoked_ms != 0) {
		hub_reply_error(req, 409, "%s is already revoked", name);
		return;
	}
	worker_registry_revoke(w, hub_now(h));
	if (worker_save(req) != 0)
		return;
	worker_admin_audit(req, "worker.revoke", name, w->grids[0], NULL);
	hub_reply_json(
	    req, 200, json_pack("{s:s,s:s}", "name", name, "state", "revoked"));
}

/* ---- Workers: sign in, me, tasks ---------------------------------------- */

/* Audit an action of someone not signed in (a sign-in's peer). */
static void
worker_anon_audit(struct hub_req *req, const char *action, json_t *after)
{
	struct alert_engine *e = hub_alerts_engine(req->hub);
	struct alert_actor who;

	if (e == NULL) {
		json_decref(after);
		return;
	}
	memset(&who, 0, sizeof who);
	who.who = "anonymous";
	who.via = "worker";
	who.uid = -1;
	who.from = req->peer;
	who.role = HUB_ROLE_NONE;
	alert_engine_audit_note(
	    e, &who, action, req->peer, NULL, NULL, after, NULL);
}

/* Too many failed sign-ins from this peer or from all: reply 429 with
 * Retry-After (the first of a window audited) and return 1. */
static int
worker_signin_limited(struct hub_req *req)
{
	struct hub *h = req->hub;
	int report;
	int64_t wait = worker_limit_check(
	    h->workers, h->config, req->peer, hub_now(h), &report);
	char secs[32];

	if (wait <= 0)
		return 0;
	snprintf(secs, sizeof secs, "%lld", (long long)((wait + 999) / 1000));
	if (report)
		worker_anon_audit(req, "worker.limited.signin",
		    json_pack("{s:I}", "retry_after_s",
		        (json_int_t)((wait + 999) / 1000)));
	evhttp_add_header(
	    evhttp_request_get_output_headers(req->ev), "Retry-After", secs);
	hub_reply_error(req, 429,
	    "too many wrong enrolment codes: try again in %s s", secs);
	return 1;
}

static void
worker_route_signin(struct hub_req *req)
{
	struct hub *h = req->hub;
	json_t *body = hub_req_body_json(req);
	const char *code;
	struct worker *w;
	char *tok;

	if (body == NULL)
		return;
	if (worker_signin_limited(req))
		goto out;
	code = json_string_value(json_object_get(body, "code"));
	w = code != NULL ? worker_registry_by_code(h->workers, code, hub_now(h))
	                 : NULL;
	if (w == NULL) {
		worker_limit_fail(h->workers, h->config, req->peer, hub_now(h));
		worker_anon_audit(req, "worker.refused.signin", NULL);
		hub_reply_error(req, 401, "unknown or expired enrolment code");
		goto out;
	}
	tok = worker_registry_token(w, hub_now(h));
	if (worker_save(req) != 0) {
		free(tok);
		goto out;
	}
	worker_req_audit(req, w, "worker.signin", w->name, w->grids[0], NULL);
	hub_reply_json(req, 200,
	    json_pack("{s:s,s:s,s:s*,s:o}", "token", tok, "name", w->name,
	        "display", w->display, "grids", worker_grids_json(h, w)));
	free(tok);
out:
	json_decref(body);
}

static void
worker_route_me(struct hub_req *req)
{
	struct worker *w = worker_req_auth(req);

	if (w == NULL)
		return;
	hub_reply_json(req, 200,
	    json_pack("{s:s,s:s*,s:o,s:o,s:I,s:I}", "name", w->name, "display",
	        w->display, "grids", worker_grids_json(req->hub, w), "grant",
	        worker_grant_json(req->hub, w), "now_ms",
	        (json_int_t)hub_now(req->hub), "max_photo_bytes",
	        (json_int_t)req->hub->config->worker_max_photo_bytes));
}

struct worker *
worker_req_engine(struct hub_req *req, struct alert_engine **e)
{
	struct worker *w = worker_req_auth(req);

	*e = hub_alerts_engine(req->hub);
	if (w != NULL && *e == NULL) {
		hub_reply_error(req, 503, "alerts module not running");
		return NULL;
	}
	return w;
}

static void
worker_route_tasks(struct hub_req *req)
{
	struct alert_engine *e;
	struct worker *w = worker_req_engine(req, &e);
	struct alert_worker aw;
	struct alert_reply r;

	if (w == NULL)
		return;
	worker_req_alert_worker(w, &aw);
	alert_engine_worker_tasks(e, &aw, &r);
	hub_reply_json(req, r.status, r.body);
}

static void
worker_route_act(struct hub_req *req)
{
	struct alert_engine *e;
	struct worker *w = worker_req_engine(req, &e);
	struct alert_worker aw;
	struct alert_actor who;
	json_t *body;
	size_t len = 0;

	if (w == NULL)
		return;
	body = hub_req_body(req, &len) != NULL && len > 0
	           ? hub_req_body_json(req)
	           : json_object();
	if (body == NULL)
		return;
	worker_req_alert_worker(w, &aw);
	worker_req_actor(req, w, &who);
	worker_photo_act(req, e, &aw, &who, body);
	json_decref(body);
}

const struct hub_route hub_routes_workers[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/workers",
        .handler = worker_route_list,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/workers",
        .handler = worker_route_enrol,
        .min_role = HUB_ROLE_SUPERVISOR,
        .want_body = 1},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/alerts/{id}/photos/{n}",
        .handler = worker_route_alert_photo,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_DELETE,
        .path = "/api/v1/workers/{name}",
        .handler = worker_route_revoke,
        .min_role = HUB_ROLE_SUPERVISOR},
    /* The workers' own routes: their device token is checked by the
     * handlers (worker_req_auth), never by the user/token tables. */
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/m/signin",
        .handler = worker_route_signin,
        .min_role = HUB_ROLE_NONE,
        .want_body = 1},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/m/me",
        .handler = worker_route_me,
        .min_role = HUB_ROLE_NONE},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/m/tasks",
        .handler = worker_route_tasks,
        .min_role = HUB_ROLE_NONE},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/m/tasks/{id}/{action}",
        .handler = worker_route_act,
        .min_role = HUB_ROLE_NONE,
        .want_body = 1},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/m/tasks/{id}/photos/{n}",
        .handler = worker_route_task_photo,
        .min_role = HUB_ROLE_NONE},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/m/checkin",
        .handler = worker_route_checkin,
        .min_role = HUB_ROLE_NONE,
        .want_body = 1},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/m/checkout",
        .handler = worker_route_checkout,
        .min_role = HUB_ROLE_NONE,
        .want_body = 1},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/m/building",
        .handler = worker_route_building,
        .min_role = HUB_ROLE_NONE},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/m/metrics",
        .handler = worker_route_metrics,
        .min_role = HUB_ROLE_NONE},
    {.method = EVHTTP_REQ_GET,
        .path = "/m",
        .handler = worker_route_page_html,
        .min_role = HUB_ROLE_NONE},
    {.method = EVHTTP_REQ_GET,
        .path = "/m/",
        .handler = worker_route_page_html,
        .min_role = HUB_ROLE_NONE},
    {.method = EVHTTP_REQ_GET,
        .path = "/m/index.html",
        .handler = worker_route_page_html,
        .min_role = HUB_ROLE_NONE},
    {.method = EVHTTP_REQ_GET,
        .path = "/m/app.js",
        .handler = worker_route_page_js,
        .min_role = HUB_ROLE_NONE},
    {.path = NULL},
};
