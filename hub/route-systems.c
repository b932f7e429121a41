/* GET /api/v1/systems and /api/v1/systems/{id} (docs/api.md). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub.h"
#include "hub/status.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "lib/xmalloc.h"
#include "store/store.h"

/* Is system i visible to the caller (covers part of the scope)? */
static int
route_systems_visible(struct hub_req *req, size_t i)
{
	struct hub *h = req->hub;
	int scope;

	if (req->id.scope == NULL)
		return 1;
	scope = hub_territory_find(
	    h->territory, req->id.scope, strlen(req->id.scope));
	return scope >= 0 && hub_system_overlaps(
	                         &h->systems->systems[i], h->territory, scope);
}

static json_t *
route_systems_one(struct hub_req *req, size_t i)
{
	struct hub *h = req->hub;
	const struct hub_system *s = &h->systems->systems[i];
	struct hub_status *st = h->status;
	struct hub_alert_counts c;
	const char *src;
	int64_t now = hub_now(h);
	json_t *j;

	memset(&c, 0, sizeof c);
	if (h->alerts_count != NULL)
		h->alerts_count(h, NULL, s->id, &c);
	j = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:s}", "id", s->id, "name",
	    s->name, "platform", hub_platforms[s->platform].id, "dept",
	    h->systems->depts[s->dept].id, "grids", (json_int_t)s->ngrids,
	    "interval_s", (json_int_t)(hub_status_interval(h, i, &src) / 1000),
	    "state", hub_status_system_state(h, i, now));
	if (s->name_en != NULL)
		json_object_set_new(j, "name_en", json_string(s->name_en));
	json_object_set_new(j, "last_ms",
	    st->sys_last_ms[i] >= 0 ? json_integer(st->sys_last_ms[i])
	                            : json_null());
	json_object_set_new(j, "age_s",
	    st->sys_last_ms[i] >= 0
	        ? json_integer((now - st->sys_last_ms[i]) / 1000)
	        : json_null());
	json_object_set_new(j, "latency_ms",
	    isnan(st->sys_latency[i]) ? json_null()
	                              : json_real(st->sys_latency[i]));
	json_object_set_new(j, "alerts", hub_json_alert_counts(&c));
	return j;
}

static void
route_systems_list(struct hub_req *req)
{
	struct hub *h = req->hub;
	const char *plat = hub_req_query(req, "platform");
	const char *dept = hub_req_query(req, "dept");
	const char *state = hub_req_query(req, "state");
	int64_t now = hub_now(h);
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < h->systems->nsystems; i++) {
		const struct hub_system *s = &h->systems->systems[i];

		if (!route_systems_visible(req, i))
			continue;
		if (plat != NULL &&
		    strcmp(plat, hub_platforms[s->platform].id) != 0)
			continue;
		if (dept != NULL &&
		    strcmp(dept, h->systems->depts[s->dept].id) != 0)
			continue;
		if (state != NULL &&
		    strcmp(state, hub_status_system_state(h, i, now)) != 0)
			continue;
		json_array_append_new(arr, route_systems_one(req, i));
	}
	hub_reply_json(req, 200, json_pack("{s:o}", "systems", arr));
}

static void
route_systems_get(struct hub_req *req)
{
	struct hub *h = req->hub;
	const char *id = hub_req_param(req, "id");
	const struct hub_system *s;
	struct selector *sel;
	char *text;
	char **names = NULL;
	json_t *j, *grids, *metrics;
	size_t k;
	int i, scope;

	i = hub_systems_find(h->systems, id, strlen(id));
	if (i < 0 || !route_systems_visible(req, (size_t)i)) {
		hub_reply_error(req, 404, "unknown system \"%s\"", id);
		return;
	}
	s = &h->systems->systems[i];
	j = route_systems_one(req, (size_t)i);
	scope = req->id.scope != NULL
	            ? hub_territory_find(
	                  h->territory, req->id.scope, strlen(req->id.scope))
	            : 0;
	grids = json_array();
	for (k = 0; k < h->territory->nnodes; k++) {
		size_t c;

		if (h->territory->nodes[k].level != HUB_LEVEL_GRID ||
		    !hub_territory_within(h->territory, (int)k, scope))
			continue;
		for (c = 0; c < s->ncover; c++) {
			if (hub_territory_within(
			        h->territory, (int)k, s->cover[c]))
				break;
		}
		if (c < s->ncover)
			json_array_append_new(
			    grids, json_string(h->territory->nodes[k].code));
	}
	json_object_set_new(j, "grids", grids);
	metrics = json_array();
	text = xasprintf("{system=\"%s\"}", s->id);
	sel = selector_parse_cause(text, NULL);
	free(text);
	if (sel != NULL && store_tag_values(h->store, "__name__", sel, &names,
	                       NULL, NULL) == 0) {
		for (k = 0; names[k] != NULL; k++)
			json_array_append_new(metrics, json_string(names[k]));
		store_strings_free(names);
	}
	selector_free(sel);
	json_object_set_new(j, "metrics", metrics);
	hub_reply_json(req, 200, j);
}

/* GET /api/v1/departments: the one department table (systems.json), for
 * dispatch prompts; rules.json refers to these ids. */
static void
route_departments_list(struct hub_req *req)
{
	const struct hub_systems *ss = req->hub->systems;
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < ss->ndepts; i++) {
		const struct hub_dept *d = &ss->depts[i];

		json_array_append_new(
		    arr, json_pack("{s:s,s:s?,s:s?}", "id", d->id, "name",
		             d->name, "name_en", d->name_en));
	}
	hub_reply_json(req, 200, json_pack("{s:o}", "departments", arr));
}

const struct hub_route hub_routes_systems[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/departments",
        .handler = route_departments_list,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/systems",
        .handler = route_systems_list,
        .min_role = HUB_ROLE_VIEWER},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/systems/{id}",
        .handler = route_systems_get,
        .min_role = HUB_ROLE_VIEWER},
    {.path = NULL},
};
