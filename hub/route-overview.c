/* GET /api/v1/overview: the whole district in one response (api.md). */
#include "config.h"

#include <string.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/quality/quality.h"
#include "hub/rollup.h"
#include "hub/status.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "store/store.h"
#ifdef HUB_WITH_ALERTS
#include "hub/alerts/alerts.h"
#endif

static void
route_overview_get(struct hub_req *req)
{
	struct hub *h = req->hub;
	const struct hub_territory *t = h->territory;
	struct hub_status *st = h->status;
	struct hub_alert_counts c;
	struct store_stats ss;
	json_t *j, *subs, *plats, *alerts, *scope_j;
	size_t i, p;
	int64_t now = hub_now(h), newest = -1;
	unsigned cnt[HUB_PLATFORM_COUNT][5];
	size_t stale = 0, silent = 0;
	double pr, lr, rr;
	int scope;

	scope = hub_territory_find(t, req->id.scope, strlen(req->id.scope));
	if (scope < 0) {
		hub_reply_error(req, 403,
		    "scope \"%s\" is not in the territory", req->id.scope);
		return;
	}
	subs = json_array();
	for (i = 0; i < t->nodes[0].nchildren; i++) {
		int sub = t->nodes[0].children[i];

		if (hub_rollup_visible(req, sub) < 0)
			continue;
		json_array_append_new(subs, hub_rollup_node(req, sub));
	}
	memset(cnt, 0, sizeof cnt);
	for (i = 0; i < h->systems->nsystems; i++) {
		const struct hub_system *s = &h->systems->systems[i];
		const char *state;

		if (!hub_system_overlaps(s, t, scope))
			continue;
		state = hub_status_system_state(h, i, now);
		cnt[s->platform][0]++;
		if (strcmp(state, "up") == 0)
			cnt[s->platform][1]++;
		else if (strcmp(state, "down") == 0)
			cnt[s->platform][2]++;
		else if (strcmp(state, "stale") == 0) {
			cnt[s->platform][3]++;
			stale++;
		} else
			cnt[s->platform][4]++;
	}
	plats = json_array();
	for (p = 0; p < HUB_PLATFORM_COUNT; p++) {
		json_array_append_new(plats,
		    json_pack("{s:s,s:s,s:s,s:{s:I,s:I,s:I,s:I,s:I}}", "id",
		        hub_platforms[p].id, "name", hub_platforms[p].name,
		        "name_en", hub_platforms[p].name_en, "systems", "total",
		        (json_int_t)cnt[p][0], "up", (json_int_t)cnt[p][1],
		        "down", (json_int_t)cnt[p][2], "stale",
		        (json_int_t)cnt[p][3], "unknown",
		        (json_int_t)cnt[p][4]));
	}
	memset(&c, 0, sizeof c);
	if (h->alerts_count != NULL)
		h->alerts_count(h, t->nodes[scope].code, NULL, &c);
	alerts = hub_json_alert_counts(&c);
	json_object_set_new(alerts, "total",
	    json_integer((json_int_t)c.high + c.medium + c.low + c.info));
	for (i = 0; i < t->nnodes; i++) {
		if (!hub_territory_within(t, (int)i, scope))
			continue;
		if (st->node_last_ms[i] > newest)
			newest = st->node_last_ms[i];
		if (t->nodes[i].level == HUB_LEVEL_GRID &&
		    st->node_last_ms[i] >= 0 &&
		    now - st->node_last_ms[i] > h->config->silent_after_ms)
			silent++;
	}
	hub_status_rates(st, now, &pr, &lr, &rr);
	memset(&ss, 0, sizeof ss);
	store_stats_get(h->store, &ss, NULL);
	scope_j = hub_rollup_ident(req, scope);
	j = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o}", "time_ms", (json_int_t)now,
	    "district", hub_rollup_ident(req, 0), "scope", scope_j,
	    "subdistricts", subs, "platforms", plats, "alerts", alerts);
	json_object_set_new(j, "ingest",
	    json_pack("{s:f,s:f,s:f,s:I}", "points_per_s", pr, "lines_per_s",
	        lr, "rejected_per_s", rr, "points_total",
	        (json_int_t)h->stats.points_ingested));
	json_object_set_new(j, "freshness",
	    json_pack("{s:o,s:o,s:I,s:I}", "last_ms",
	        newest >= 0 ? json_integer(newest) : json_null(), "age_s",
	        newest >= 0 ? json_integer((now - newest) / 1000) : json_null(),
	        "systems_stale", (json_int_t)stale, "grids_silent",
	        (json_int_t)silent));
	{
		uint64_t rej = 0;

		for (i = 0; i < HUB_REJECT_MAX; i++)
			rej += st->rejected[i];
		json_object_set_new(j, "quality",
		    json_pack("{s:I,s:I,s:I,s:I,s:I}", "rejected_total",
		        (json_int_t)rej, "duplicates_total",
		        (json_int_t)st->duplicates, "late_total",
		        (json_int_t)st->late, "late_rejected_total",
		        (json_int_t)st->late_rejected, "late_merged_total",
		        (json_int_t)ss.late_merges));
	}
	hub_overview_quality(req, json_object_get(j, "quality"), now);
#ifdef HUB_WITH_ALERTS
	{
		json_t *desks = hub_alerts_desks_json(req); /* who is on each */

		if (desks != NULL)
			json_object_set_new(j, "desks", desks);
	}
#endif
	hub_reply_json(req, 200, j);
}

const struct hub_route hub_routes_overview[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/overview",
        .handler = route_overview_get,
        .min_role = HUB_ROLE_VIEWER},
    {.path = NULL},
};
