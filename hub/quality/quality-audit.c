/* The daily data-quality summary in the audit log: the same figures as
 * GET /api/v1/quality, once per Shenzhen day (see quality.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "hub/hub.h"
#include "hub/quality/quality.h"
#include "hub/territory.h"
#include "lib/clock.h"
#include "lib/log.h"

#ifdef HUB_WITH_ALERTS
#include "hub/alerts/alerts.h"
#endif

#define QUALITY_DAY_MS  86400000LL
#define QUALITY_UTC8_MS (8 * 3600000LL)
/* Value checks of the summary look back over this window. */
#define QUALITY_AUDIT_WINDOW (3600000LL)

int
quality_daily_tick(struct hub *h, int64_t now, int64_t *last_day,
    quality_note_fn note, void *arg)
{
	struct quality_totals tot;
	int64_t day = (now + QUALITY_UTC8_MS) / QUALITY_DAY_MS;
	json_t *systems = NULL, *rules, *summary, *missing;
	char *cause = NULL;
	size_t i, k;
	int rc;

	if (*last_day == day)
		return 0;
	memset(&tot, 0, sizeof tot);
	if (quality_systems_check(h, NULL, now, QUALITY_AUDIT_WINDOW, &systems,
	        &tot, &cause) != 0) {
		log_warn("quality", "daily summary: %s", cause);
		free(cause);
		return 0;
	}
	*last_day = day;
	rules = quality_rules_check(h, now, &tot);
	summary = quality_totals_json(&tot);
	/* Name what is wrong, not only how much. */
	missing = json_object();
	for (i = 0; i < json_array_size(systems); i++) {
		json_t *s = json_array_get(systems, i), *dm, *st;

		dm = json_object_get(s, "declared_missing");
		st = json_object_get(s, "stale_metrics");
		if (json_array_size(dm) + json_array_size(st) == 0)
			continue;
		json_object_set_new(missing,
		    json_string_value(json_object_get(s, "id")),
		    json_pack("{s:O,s:O}", "never_seen", dm, "stale", st));
	}
	json_object_set_new(summary, "systems_with_gaps", missing);
	missing = json_array();
	for (k = 0; k < json_array_size(rules); k++) {
		json_t *r = json_array_get(rules, k);

		if (strcmp(json_string_value(json_object_get(r, "state")),
		        "blind") == 0)
			json_array_append(missing, json_object_get(r, "name"));
	}
	json_object_set_new(summary, "blind_rule_names", missing);
	json_object_set_new(summary, "time_ms", json_integer(now));
	json_decref(systems);
	json_decref(rules);
	rc = note(arg, summary);
	return rc == 0;
}

#ifdef HUB_WITH_ALERTS
static int
quality_audit_note(void *arg, json_t *summary)
{
	struct hub *h = arg;
	struct alert_engine *e = hub_alerts_engine(h);
	struct alert_actor who;

	if (e == NULL) {
		json_decref(summary);
		return -1;
	}
	memset(&who, 0, sizeof who);
	who.who = "citybraind";
	who.via = "hub";
	who.uid = -1;
	who.from = "quality";
	who.role = HUB_ROLE_ADMIN;
	return alert_engine_audit_note(e, &who, "quality.summary", "quality",
	    h->territory->nodes[0].code, NULL, summary,
	    "daily data-quality check (数据质量核查)");
}

/* One timer per process: citybraind runs one hub. */
static struct event *quality_timer;
static int64_t quality_last_day = -1;
static int64_t quality_period;

static void
quality_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hub *h = arg;

	(void)fd;
	(void)what;
	/* Give the feeds two periods after start-up before judging them. */
	if (hub_now(h) - h->start_ms < 2 * quality_period)
		return;
	quality_daily_tick(
	    h, hub_now(h), &quality_last_day, quality_audit_note, h);
}
#endif

void
hub_quality_start(struct hub *h, int64_t period_ms)
{
#ifdef HUB_WITH_ALERTS
	struct timeval tv;

	if (quality_timer != NULL || h->base == NULL)
		return;
	quality_period = period_ms;
	tv.tv_sec = (time_t)(period_ms / 1000);
	tv.tv_usec = (suseconds_t)(period_ms % 1000) * 1000;
	quality_timer = event_new(h->base, -1, EV_PERSIST, quality_timer_cb, h);
	event_add(quality_timer, &tv);
#else
	(void)h;
	(void)period_ms;
#endif
}

void
hub_quality_stop(void)
{
	quality_cache_free();
#ifdef HUB_WITH_ALERTS
	if (quality_timer != NULL)
		event_free(quality_timer);
	quality_timer = NULL;
#endif
}

int64_t
hub_quality_period(void)
{
	const char *e = getenv("CITYBRAIN_QUALITY_EVERY");
	int64_t ms;

	if (e != NULL && clock_parse_duration(e, &ms) == 0 && ms >= 100)
		return ms;
	return 60000;
}
