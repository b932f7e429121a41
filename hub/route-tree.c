/* Territory routes: whoami, tree, grids and map (docs/api.md). */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/rollup.h"
#include "hub/status.h"
#include "hub/systems.h"
#include "hub/territory.h"
#ifdef HUB_WITH_ALERTS
#include "hub/worker/worker.h"
#endif

static void
route_tree_whoami(struct hub_req *req)
{
	const struct hub_node *scope;
	json_t *j;

	scope = hub_territory_node(req->hub->territory, req->id.scope);
	j = json_pack("{s:s,s:s,s:s,s:s,s:s}", "user", req->id.user, "role",
	    hub_role_name(req->id.role), "scope", req->id.scope, "via",
	    hub_via_name(req->id.via), "peer", req->peer);
	if (scope != NULL) {
		json_object_set_new(j, "scope_name", json_string(scope->name));
		if (scope->name_en != NULL)
			json_object_set_new(
			    j, "scope_name_en", json_string(scope->name_en));
		json_object_set_new(j, "scope_level",
		    json_string(hub_level_name(scope->level)));
	}
	if (req->id.via == HUB_VIA_UID)
		json_object_set_new(j, "uid", json_integer(req->id.uid));
	json_object_set_new(j, "dept",
	    req->id.dept != NULL ? json_string(req->id.dept) : json_null());
	hub_reply_json(req, 200, j);
}

/* Resolve ?code= (default: the caller's scope) to a visible node index;
 * replies and returns -1 on error. */
static int
route_tree_code(struct hub_req *req)
{
	const char *code = hub_req_query(req, "code");
	size_t i, n;
	int idx;

	if (code == NULL || *code == '\0')
		code = req->id.scope;
	n = strlen(code);
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)code[i]))
			break;
	}
	if (i < n || (n != 12 && n != 15)) {
		hub_reply_error(req, 400,
		    "code: expected a 12- or 15-digit territory code");
		return -1;
	}
	idx = hub_territory_find(req->hub->territory, code, n);
	if (idx < 0 || hub_rollup_visible(req, idx) < 0) {
		hub_reply_error(
		    req, 404, "unknown territory code \"%s\"", code);
		return -1;
	}
	return idx;
}

/* A person responsible for a grid; the phone (personal contact data) only
 * for operators and above: a viewer (a big screen) sees the name. */
static json_t *
route_tree_person(const struct hub_req *req, const struct hub_person *p)
{
	int contact = req->id.role >= HUB_ROLE_OPERATOR;
	json_t *j;

	if (p->name == NULL)
		return json_null();
	j = json_pack("{s:s}", "name", p->name);
	if (p->phone != NULL && contact)
		json_object_set_new(j, "phone", json_string(p->phone));
	if (p->station != NULL)
		json_object_set_new(j, "station", json_string(p->station));
	return j;
}

static void
route_tree_get(struct hub_req *req)
{
	struct hub *h = req->hub;
	struct hub_territory *t = h->territory;
	const struct hub_node *n;
	json_t *node, *path, *children, *systems, *j;
	size_t i;
	int idx, p, vis;

	if ((idx = route_tree_code(req)) < 0)
		return;
	n = &t->nodes[idx];
	node = hub_rollup_node(req, idx);
	if (n->parent >= 0)
		json_object_set_new(
		    node, "parent", json_string(t->nodes[n->parent].code));
	path = json_array();
	for (p = n->parent; p >= 0; p = t->nodes[p].parent)
		json_array_insert_new(path, 0, hub_rollup_ident(req, p));
	children = json_array();
	for (i = 0; i < n->nchildren; i++) {
		/* a child the scope lies inside is listed, rolled up over
		 * the scope; children outside the scope are masked */
		vis = hub_rollup_visible(req, n->children[i]);
		if (vis < 0)
			continue;
		json_array_append_new(
		    children, hub_rollup_node(req, n->children[i]));
	}
	j = json_pack(
	    "{s:o,s:o,s:o}", "node", node, "path", path, "children", children);
	if (n->level == HUB_LEVEL_GRID) {
		json_object_set_new(node, "people",
		    json_pack("{s:o,s:o,s:o}", "grid_worker",
		        route_tree_person(req, &n->grid_worker),
		        "building_head",
		        route_tree_person(req, &n->building_head), "police",
		        route_tree_person(req, &n->police)));
#ifdef HUB_WITH_ALERTS
		hub_workers_people(h, n->code, json_object_get(node, "people"));
#endif
		systems = json_array();
		for (i = 0; i < h->systems->nsystems; i++) {
			const struct hub_system *s = &h->systems->systems[i];

			if (!hub_system_overlaps(s, t, idx))
				continue;
			json_array_append_new(
			    systems, json_pack("{s:s,s:s,s:s,s:s}", "id", s->id,
			                 "name", s->name, "platform",
			                 hub_platforms[s->platform].id, "dept",
			                 h->systems->depts[s->dept].id));
		}
		json_object_set_new(node, "systems", systems);
	}
	hub_reply_json(req, 200, j);
}

static void
route_tree_grid_collect(struct hub_req *req, int idx, json_t *out)
{
	struct hub *h = req->hub;
	const struct hub_node *n = &h->territory->nodes[idx];
	struct hub_status *st = h->status;
	struct hub_alert_counts c;
	json_t *g, *m;
	size_t i, k;
	int64_t now;
	double v;

	if (n->level != HUB_LEVEL_GRID) {
		for (i = 0; i < n->nchildren; i++)
			route_tree_grid_collect(req, n->children[i], out);
		return;
	}
	now = hub_now(h);
	memset(&c, 0, sizeof c);
	if (h->alerts_count != NULL)
		h->alerts_count(h, n->code, NULL, &c);
	m = json_object();
	for (k = 0; k < st->nheadline; k++) {
		v = st->node_values[(size_t)idx * st->nheadline + k];
		if (!isnan(v))
			json_object_set_new(
			    m, h->config->headline[k].name, json_real(v));
	}
	g = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "code", n->code, "name",
	    n->name, "community", h->territory->nodes[n->community].code,
	    "subdistrict", h->territory->nodes[n->subdistrict].code, "severity",
	    hub_alert_counts_worst(&c), "alerts", hub_json_alert_counts(&c),
	    "metrics", m);
	json_object_set_new(g, "age_s",
	    st->node_last_ms[idx] >= 0
	        ? json_integer((now - st->node_last_ms[idx]) / 1000)
	        : json_null());
	json_array_append_new(out, g);
}

static void
route_tree_grids(struct hub_req *req)
{
	json_t *grids;
	int idx;

	if ((idx = route_tree_code(req)) < 0)
		return;
	grids = json_array();
	route_tree_grid_collect(req, hub_rollup_visible(req, idx), grids);
	hub_reply_json(req, 200, json_pack("{s:o}", "grids", grids));
}

static void
route_tree_map(struct hub_req *req)
{
	json_t *map = req->hub->territory->map;

	if (map == NULL) {
		hub_reply_json(req, 200, json_pack("{s:[]}", "rows"));
		return;
	}
	hub_reply_json(req, 200, json_deep_copy(map));
}

const struct hub_route hub_routes_tree[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/whoami",
        .handler = route_tree_whoami,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/tree",
        .handler = route_tree_get,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/grids",
        .handler = route_tree_grids,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/map",
        .handler = route_tree_map,
        .min_role = HUB_ROLE_VIEWER},
    {.path = NULL},
};
