/* Status roll-ups over territory subtrees (see rollup.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/rollup.h"
#include "hub/status.h"
#include "hub/territory.h"
#include "lib/xmalloc.h"

struct rollup_acc {
	int64_t last_ms;
	size_t grids, silent;
	double *sum, *min, *max, *last;
	int64_t *last_t;
	size_t *count;
};

int
hub_rollup_visible(struct hub_req *req, int node)
{
	const struct hub_territory *t = req->hub->territory;
	int scope;

	if (req->id.scope == NULL || req->id.role == HUB_ROLE_NONE)
		return node;
	scope = hub_territory_find(t, req->id.scope, strlen(req->id.scope));
	if (scope < 0)
		return -1;
	if (hub_territory_within(t, node, scope))
		return node;
	if (hub_territory_within(t, scope, node))
		return scope;
	return -1;
}

static void
rollup_walk(struct hub *h, int idx, int64_t now, struct rollup_acc *a)
{
	const struct hub_node *n = &h->territory->nodes[idx];
	struct hub_status *st = h->status;
	size_t i, k;
	double v;

	if (st->node_last_ms[idx] > a->last_ms)
		a->last_ms = st->node_last_ms[idx];
	if (n->level == HUB_LEVEL_GRID || n->level == HUB_LEVEL_COMMUNITY) {
		if (n->level == HUB_LEVEL_GRID) {
			a->grids++;
			if (st->node_last_ms[idx] >= 0 &&
			    now - st->node_last_ms[idx] >
			        h->config->silent_after_ms)
				a->silent++;
		}
		for (k = 0; k < st->nheadline; k++) {
			v = st->node_values[(size_t)idx * st->nheadline + k];
			if (isnan(v))
				continue;
			a->sum[k] += v;
			a->count[k]++;
			if (st->node_last_ms[idx] >= a->last_t[k]) {
				a->last_t[k] = st->node_last_ms[idx];
				a->last[k] = v;
			}
			if (a->count[k] == 1 || v < a->min[k])
				a->min[k] = v;
			if (a->count[k] == 1 || v > a->max[k])
				a->max[k] = v;
		}
	}
	for (i = 0; i < n->nchildren; i++)
		rollup_walk(h, n->children[i], now, a);
}

json_t *
hub_rollup_ident(struct hub_req *req, int node)
{
	const struct hub_node *n = &req->hub->territory->nodes[node];
	json_t *j;

	j = json_pack("{s:s,s:s,s:s}", "code", n->code, "level",
	    hub_level_name(n->level), "name", n->name);
	if (n->name_en != NULL)
		json_object_set_new(j, "name_en", json_string(n->name_en));
	return j;
}

json_t *
hub_rollup_node(struct hub_req *req, int node)
{
	struct hub *h = req->hub;
	struct hub_alert_counts c;
	struct rollup_acc a;
	json_t *j, *status, *metrics;
	size_t k, nh = h->config->nheadline;
	int64_t now = hub_now(h);
	int vis = hub_rollup_visible(req, node);
	double v;

	j = hub_rollup_ident(req, node);
	memset(&a, 0, sizeof a);
	a.last_ms = -1;
	a.sum = xcalloc(nh + 1, sizeof *a.sum);
	a.min = xcalloc(nh + 1, sizeof *a.min);
	a.max = xcalloc(nh + 1, sizeof *a.max);
	a.count = xcalloc(nh + 1, sizeof *a.count);
	a.last = xcalloc(nh + 1, sizeof *a.last);
	a.last_t = xcalloc(nh + 1, sizeof *a.last_t);
	for (k = 0; k < nh; k++)
		a.last_t[k] = -2;
	memset(&c, 0, sizeof c);
	if (vis >= 0) {
		rollup_walk(h, vis, now, &a);
		if (h->alerts_count != NULL)
			h->alerts_count(
			    h, h->territory->nodes[vis].code, NULL, &c);
	}
	status = json_pack("{s:s,s:o,s:I}", "severity",
	    hub_alert_counts_worst(&c), "alerts", hub_json_alert_counts(&c),
	    "grids", (json_int_t)a.grids);
	json_object_set_new(
	    status, "grids_silent", json_integer((json_int_t)a.silent));
	json_object_set_new(status, "last_ms",
	    a.last_ms >= 0 ? json_integer(a.last_ms) : json_null());
	json_object_set_new(status, "age_s",
	    a.last_ms >= 0 ? json_integer((now - a.last_ms) / 1000)
	                   : json_null());
	metrics = json_object();
	for (k = 0; k < nh; k++) {
		const struct hub_headline *hl = &h->config->headline[k];

		if (a.count[k] == 0)
			continue;
		switch (hl->agg) {
		case HUB_AGG_SUM:
			v = a.sum[k];
			break;
		case HUB_AGG_MIN:
			v = a.min[k];
			break;
		case HUB_AGG_MAX:
			v = a.max[k];
			break;
		case HUB_AGG_LAST:
			v = a.last[k];
			break;
		case HUB_AGG_COUNT:
			v = (double)a.count[k];
			break;
		default:
			v = a.sum[k] / (double)a.count[k];
			break;
		}
		json_object_set_new(metrics, hl->name,
		    json_pack("{s:f,s:s,s:s,s:s}", "value", v, "agg",
		        hub_agg_name(hl->agg), "metric", hl->metric, "unit",
		        hl->unit));
	}
	json_object_set_new(j, "status", status);
	json_object_set_new(j, "metrics", metrics);
	free(a.sum);
	free(a.min);
	free(a.max);
	free(a.count);
	free(a.last);
	free(a.last_t);
	return j;
}
