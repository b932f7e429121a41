/* Blind rules: alert rules whose selector has seen no data for longer
 * than their window (see quality.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/hub.h"
#include "hub/quality/quality.h"
#include "lib/selector.h"
#include "store/store.h"

#ifdef HUB_WITH_ALERTS
#include "hub/alerts/alerts.h"
#endif

json_t *
quality_totals_json(const struct quality_totals *tot)
{
	json_t *j;

	j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "systems",
	    (json_int_t)tot->systems, "declared_metrics",
	    (json_int_t)tot->declared, "declared_missing",
	    (json_int_t)tot->declared_missing, "stale_metrics",
	    (json_int_t)tot->stale, "undeclared_metrics",
	    (json_int_t)tot->undeclared, "value_failures",
	    (json_int_t)tot->value_failures, "places_reporting",
	    (json_int_t)tot->places_reporting, "places_expected",
	    (json_int_t)tot->places_expected, "rules", (json_int_t)tot->rules,
	    "blind_rules", (json_int_t)tot->blind_rules);
	json_object_set_new(j, "completeness",
	    tot->places_expected > 0 ? json_real((double)tot->places_reporting /
	                                         (double)tot->places_expected)
	                             : json_null());
	return j;
}

#ifdef HUB_WITH_ALERTS
/* One rule: the series its selector matches and their newest data. */
static json_t *
quality_rule_json(struct hub *h, const struct alert_rule *r, int64_t now,
    struct quality_totals *tot)
{
	struct store_series_list l;
	struct selector *sel;
	int64_t newest = -1, since, window, t;
	size_t i, n = 0;
	json_t *j;
	int blind;

	window = r->type == ALERT_RULE_ABSENCE ? r->for_ms : r->window_ms;
	if (window <= 0)
		window = 60000;
	if ((sel = selector_parse_cause(r->selector, NULL)) != NULL &&
	    store_series_list(h->store, sel, &l, NULL) == 0) {
		n = l.n;
		for (i = 0; i < l.n; i++) {
			t = l.series[i].last_write_ms >= 0
			        ? l.series[i].last_write_ms
			        : l.series[i].last_t;
			if (t > newest)
				newest = t;
		}
		store_series_list_free(&l);
	}
	selector_free(sel);
	/* Nothing seen since the start counts from the start. */
	since = newest > h->start_ms ? newest : h->start_ms;
	blind = now - since > window;
	tot->rules++;
	tot->blind_rules += blind != 0;
	j = json_pack("{s:s,s:s,s:I,s:s,s:I}", "name", r->name, "selector",
	    r->selector, "window_s", (json_int_t)(window / 1000), "state",
	    blind ? "blind" : "ok", "series", (json_int_t)n);
	json_object_set_new(
	    j, "last_ms", newest >= 0 ? json_integer(newest) : json_null());
	json_object_set_new(j, "blind_s",
	    blind ? json_integer((now - since) / 1000) : json_null());
	return j;
}
#endif

json_t *
quality_rules_check(struct hub *h, int64_t now, struct quality_totals *tot)
{
	json_t *arr = json_array();
#ifdef HUB_WITH_ALERTS
	const struct alert_rules *rs;
	struct alert_engine *e = hub_alerts_engine(h);
	size_t i;

	if (e == NULL || (rs = alert_engine_rules(e)) == NULL)
		return arr;
	for (i = 0; i < rs->nrules; i++)
		json_array_append_new(
		    arr, quality_rule_json(h, &rs->rules[i], now, tot));
#else
	(void)h;
	(void)now;
	(void)tot;
#endif
	return arr;
}

void
hub_overview_quality(struct hub_req *req, json_t *q, int64_t now)
{
	struct quality_totals tot;
	json_t *systems = NULL;
	char *cause = NULL;

	if (q == NULL)
		return;
	memset(&tot, 0, sizeof tot);
	if (quality_systems_check(
	        req->hub, req, now, 0, &systems, &tot, &cause) != 0) {
		free(cause);
		return;
	}
	json_decref(systems);
	json_decref(quality_rules_check(req->hub, now, &tot));
	json_object_set_new(q, "declared_missing",
	    json_integer((json_int_t)tot.declared_missing));
	json_object_set_new(
	    q, "stale_metrics", json_integer((json_int_t)tot.stale));
	json_object_set_new(
	    q, "blind_rules", json_integer((json_int_t)tot.blind_rules));
}
