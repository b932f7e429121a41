/* Building check-ins of grid workers: a check-in by building code or by
 * position grants reading that building's data and the grid's live
 * metrics until worker.grant passes, the worker checks out or checks in
 * elsewhere; every grant, refusal and read is audited. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/hub-config.h"
#include "hub/status.h"
#include "hub/territory.h"
#include "hub/worker/worker-int.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* A position check-in takes the nearest building within this distance. */
#define GRANT_NEAR_M 80.0

static void
grant_end(struct worker *w)
{
	free(w->grant_building);
	w->grant_building = NULL;
	w->grant_grid = -1;
	w->grant_until_ms = 0;
}

int
worker_grants_save(struct hub *h, char **cause)
{
	json_t *arr = json_array(), *root;
	size_t i;
	int rc;

	for (i = 0; i < h->workers->n; i++) {
		struct worker *w = &h->workers->v[i];

		if (w->last_place == NULL && !worker_grant_current(h, w))
			continue;
		json_array_append_new(arr,
		    json_pack("{s:s,s:s*,s:I,s:s*,s:s*,s:I}", "worker", w->name,
		        "last_place", w->last_place, "last_checkin_ms",
		        (json_int_t)w->last_checkin_ms, "grid",
		        w->grant_grid >= 0 ? w->grant_code : NULL, "building",
		        w->grant_grid >= 0 ? w->grant_building : NULL,
		        "until_ms",
		        (json_int_t)(w->grant_grid >= 0 ? w->grant_until_ms
		                                        : 0)));
	}
	root = json_pack("{s:o}", "grants", arr);
	rc = worker_file_write(h->workers->grants_path, root, cause);
	json_decref(root);
	return rc;
}

int
worker_grants_load(struct hub *h, char **cause)
{
	const char *path = h->workers->grants_path;
	json_error_t err;
	json_t *root, *arr, *o;
	struct worker *w;
	const char *grid, *building, *place;
	size_t i;

	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	root = json_load_file(path, 0, &err);
	arr = json_object_get(root, "grants");
	if (!json_is_array(arr)) {
		*cause = root == NULL ? xasprintf("%s:%d:%d: %s", path,
		                            err.line, err.column, err.text)
		                      : xasprintf("%s: expected {\"grants\": "
		                                  "[...]}",
		                            path);
		json_decref(root);
		return -1;
	}
	json_array_foreach(arr, i, o)
	{
		w = worker_registry_find(h->workers,
		    json_string_value(json_object_get(o, "worker")) != NULL
		        ? json_string_value(json_object_get(o, "worker"))
		        : "");
		if (w == NULL || w->last_place != NULL)
			continue; /* gone since, or twice in the file */
		place = json_string_value(json_object_get(o, "last_place"));
		w->last_checkin_ms = (int64_t)json_integer_value(
		    json_object_get(o, "last_checkin_ms"));
		w->last_place = place != NULL ? xstrdup(place) : NULL;
		if (!worker_registry_active(w))
			continue; /* revoked since: no grant */
		grid = json_string_value(json_object_get(o, "grid"));
		building = json_string_value(json_object_get(o, "building"));
		w->grant_until_ms =
		    (int64_t)json_integer_value(json_object_get(o, "until_ms"));
		/* An expired grant is dropped; the territory or the worker's
		 * grids may have changed: worker_grant_current checks. */
		if (grid == NULL || w->grant_until_ms <= hub_now(h))
			continue;
		snprintf(w->grant_code, sizeof w->grant_code, "%s", grid);
		w->grant_building = building != NULL ? xstrdup(building) : NULL;
		w->grant_grid = 0;
		worker_grant_current(h, w);
	}
	json_decref(root);
	return 0;
}

/* Save the grants after a change; on failure log it (0 or -1). */
static int
grant_persist(struct hub *h)
{
	char *cause = NULL;

	if (worker_grants_save(h, &cause) == 0)
		return 0;
	log_error("worker", "%s", cause);
	free(cause);
	return -1;
}

int
worker_grant_current(struct hub *h, struct worker *w)
{
	const struct hub_node *n;

	if (w->grant_grid < 0)
		return 0;
	/* The territory may have been reloaded: find the grid again by its
	 * code; it must still be the worker's. */
	n = hub_territory_node(h->territory, w->grant_code);
	if (hub_now(h) >= w->grant_until_ms || n == NULL ||
	    n->level != HUB_LEVEL_GRID || !worker_in_grids(h, w, n->code)) {
		grant_end(w);
		return 0;
	}
	w->grant_grid = (int)(n - h->territory->nodes);
	return 1;
}

json_t *
worker_grant_json(struct hub *h, struct worker *w)
{
	if (!worker_grant_current(h, w))
		return json_null();
	return json_pack("{s:s*,s:s,s:I,s:I}", "building", w->grant_building,
	    "grid", h->territory->nodes[w->grant_grid].code, "until_ms",
	    (json_int_t)w->grant_until_ms, "remaining_ms",
	    (json_int_t)(w->grant_until_ms - hub_now(h)));
}

/* The nearest building of grid idx with a position within GRANT_NEAR_M of
 * (lat, lon), or NULL. */
static json_t *
grant_nearest(const struct hub_node *n, double lat, double lon)
{
	json_t *b, *best = NULL;
	double best_d = GRANT_NEAR_M, d, dy, dx;
	size_t i;

	json_array_foreach(n->buildings, i, b)
	{
		json_t *blat = json_object_get(b, "lat");
		json_t *blon = json_object_get(b, "lon");

		if (blat == NULL || blon == NULL)
			continue;
		dy = (json_number_value(blat) - lat) * 111195.0;
		dx = (json_number_value(blon) - lon) * 111195.0 *
		     cos(lat * M_PI / 180.0);
		d = sqrt(dx * dx + dy * dy);
		if (d <= best_d) {
			best_d = d;
			best = b;
		}
	}
	return best;
}

static void
grant_refuse(struct hub_req *req, struct worker *w, const char *what,
    const char *code, int status, const char *msg)
{
	worker_req_audit(req, w, "worker.refused.checkin", what, code,
	    json_pack("{s:s}", "reason", msg));
	hub_reply_error(req, status, "%s", msg);
}

/* Start a grant on grid idx (building may be NULL) and answer it. */
static void
grant_start(struct hub_req *req, struct worker *w, int idx, json_t *building,
    const char *how)
{
	struct hub *h = req->hub;
	const char *bcode =
	    json_string_value(json_object_get(building, "code"));
	const char *gcode = h->territory->nodes[idx].code;
	json_t *grant;

	if (worker_grant_current(h, w))
		worker_req_audit(req, w, "worker.checkout",
		    w->grant_building != NULL
		        ? w->grant_building
		        : h->territory->nodes[w->grant_grid].code,
		    h->territory->nodes[w->grant_grid].code,
		    json_pack("{s:s}", "reason", "checked in elsewhere"));
	grant_end(w);
	w->grant_building = bcode != NULL ? xstrdup(bcode) : NULL;
	w->grant_grid = idx;
	snprintf(w->grant_code, sizeof w->grant_code, "%s", gcode);
	w->grant_until_ms = hub_now(h) + h->config->worker_grant_ms;
	w->last_checkin_ms = hub_now(h);
	free(w->last_place);
	w->last_place = xstrdup(bcode != NULL ? bcode : gcode);
	grant = worker_grant_json(h, w);
	if (grant_persist(h) != 0) {
		json_decref(grant);
		grant_end(w);
		hub_reply_error(req, 500, "saving the grant failed");
		return;
	}
	worker_req_audit(req, w, "worker.checkin", w->last_place, gcode,
	    json_pack("{s:s,s:O}", "how", how, "grant", grant));
	hub_reply_json(req, 200, json_pack("{s:o}", "grant", grant));
}

void
worker_route_checkin(struct hub_req *req)
{
	struct hub *h = req->hub;
	struct worker *w = worker_req_auth(req);
	json_t *body, *b, *lat, *lon;
	const char *code;
	int g = -1;
	size_t i;

	if (w == NULL || (body = hub_req_body_json(req)) == NULL)
		return;
	code = json_string_value(json_object_get(body, "building"));
	lat = json_object_get(body, "lat");
	lon = json_object_get(body, "lon");
	if (code != NULL) {
		b = hub_territory_building(h->territory, code, &g);
		/* A building of another grid is refused the same way as an
		 * unknown one: the answer tells nothing about other grids. */
		if (b == NULL ||
		    !worker_in_grids(h, w, h->territory->nodes[g].code))
			grant_refuse(req, w, code, NULL, 404,
			    "no building with this code in your grids");
		else
			grant_start(req, w, g, b, "code");
	} else if (json_is_number(lat) && json_is_number(lon)) {
		for (i = 0; i < w->ngrids && g < 0; i++) {
			const struct hub_node *n =
			    hub_territory_node(h->territory, w->grids[i]);

			if (n != NULL && n->level == HUB_LEVEL_GRID &&
			    hub_territory_area_contains(h->territory,
			        (int)(n - h->territory->nodes),
			        json_number_value(lat),
			        json_number_value(lon)) == 1)
				g = (int)(n - h->territory->nodes);
		}
		if (g < 0)
			grant_refuse(req, w, "position", NULL, 403,
			    "your position is outside your grids");
		else
			grant_start(req, w, g,
			    grant_nearest(&h->territory->nodes[g],
			        json_number_value(lat), json_number_value(lon)),
			    "position");
	} else
		hub_reply_error(req, 400,
		    "expected {\"building\": CODE} or {\"lat\": .., \"lon\": "
		    "..}");
	json_decref(body);
}

void
worker_route_checkout(struct hub_req *req)
{
	struct hub *h = req->hub;
	struct worker *w = worker_req_auth(req);

	if (w == NULL)
		return;
	if (!worker_grant_current(h, w)) {
		hub_reply_error(req, 409, "not checked in");
		return;
	}
	worker_req_audit(req, w, "worker.checkout",
	    w->grant_building != NULL ? w->grant_building
	                              : h->territory->nodes[w->grant_grid].code,
	    h->territory->nodes[w->grant_grid].code, NULL);
	grant_end(w);
	if (grant_persist(h) == 0)
		hub_reply_json(req, 200, json_pack("{s:n}", "grant"));
	else
		hub_reply_error(req, 500, "saving the check-out failed");
}

/* 1 if w may read now (a current grant), else replies 403 (audited). */
static int
grant_check(struct hub_req *req, struct worker *w, const char *what)
{
	if (worker_grant_current(req->hub, w))
		return 1;
	worker_req_audit(req, w, "worker.refused.read", what, NULL, NULL);
	hub_reply_error(req, 403,
	    "not checked in: check in at a building of your grid to read "
	    "its data");
	return 0;
}

void
worker_route_building(struct hub_req *req)
{
	struct hub *h = req->hub;
	struct worker *w = worker_req_auth(req);
	json_t *b;
	int g;

	if (w == NULL || !grant_check(req, w, "building"))
		return;
	if (w->grant_building == NULL ||
	    (b = hub_territory_building(h->territory, w->grant_building, &g)) ==
	        NULL ||
	    g != w->grant_grid) {
		hub_reply_error(req, 404,
		    "checked in to the grid, not to a building: check in by "
		    "the building's code");
		return;
	}
	worker_req_audit(req, w, "worker.read.building", w->grant_building,
	    h->territory->nodes[g].code, NULL);
	hub_reply_json(req, 200,
	    json_pack("{s:O,s:s,s:I}", "building", b, "grid",
	        h->territory->nodes[g].code, "until_ms",
	        (json_int_t)w->grant_until_ms));
}

void
worker_route_metrics(struct hub_req *req)
{
	struct hub *h = req->hub;
	struct worker *w = worker_req_auth(req);
	struct hub_status *st = h->status;
	const struct hub_node *n;
	json_t *m;
	size_t k;
	double v;

	if (w == NULL || !grant_check(req, w, "metrics"))
		return;
	n = &h->territory->nodes[w->grant_grid];
	m = json_object();
	for (k = 0; st != NULL && k < st->nheadline; k++) {
		v = st->node_values[(size_t)w->grant_grid * st->nheadline + k];
		if (!isnan(v))
			json_object_set_new(
			    m, h->config->headline[k].name, json_real(v));
	}
	worker_req_audit(req, w, "worker.read.metrics", n->code, n->code, NULL);
	hub_reply_json(req, 200,
	    json_pack("{s:s,s:s,s:o,s:I}", "grid", n->code, "name", n->name,
	        "metrics", m, "until_ms", (json_int_t)w->grant_until_ms));
}
