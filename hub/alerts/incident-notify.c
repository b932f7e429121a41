/*
 * Incident webhooks (issue 17): an incident opened, dispatched, handled
 * or closed is posted ({"kind": "incident", "event": ...}) to the
 * webhooks of its lead and supporting departments, or to the
 * supervisors' webhook while it has no lead department, through the
 * alerts' delivery queue (alert-notify.c: recorded, retried with backoff,
 * listed by GET /api/v1/deliveries?alert=I...).  The alerts an incident
 * dispatches are notified on their own as well ("dispatch" posts from
 * alert_engine_notify()); docs/alerts.md, "Notifications", says which
 * post a department gets at each step.
 */
#include "config.h"

#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-notify.h"
#include "hub/alerts/alert-rules.h"
#include "hub/alerts/incident-engine.h"

/* The incident's history actions that are notified, and their events. */
static const struct {
	const char *action, *event;
} incident_events[] = {
    {"create", "opened"},
    {"dispatch", "dispatched"},
    {"handle", "handled"},
    {"close", "closed"},
    {NULL, NULL},
};

static void
incident_send(struct alert_engine *e, struct incident *inc, const char *url,
    const char *event, const char *dept)
{
	json_t *body = json_pack("{s:s,s:s,s:I,s:o,s:s?}", "kind", "incident",
	    "event", event, "at_ms", (json_int_t)alert_engine_now(e),
	    "incident", incident_json(e, inc, 0), "dept", dept);

	alert_notify_send(
	    e->notify, url, inc->id, "incident", dept, body, NULL);
}

void
incident_notify(
    struct alert_engine *e, struct incident *inc, const char *action)
{
	const char *event = NULL, *url, *dept;
	json_t *d;
	size_t i;

	for (i = 0; incident_events[i].action != NULL && event == NULL; i++) {
		if (strcmp(incident_events[i].action, action) == 0)
			event = incident_events[i].event;
	}
	if (event == NULL || e->notify == NULL)
		return;
	if (inc->lead == NULL) {
		if ((url = e->rules->settings.supervisors_webhook) != NULL)
			incident_send(e, inc, url, event, NULL);
		return;
	}
	if ((url = alert_rules_webhook(e->rules, inc->lead)) != NULL)
		incident_send(e, inc, url, event, inc->lead);
	json_array_foreach(inc->support, i, d)
	{
		dept = json_string_value(d);
		if (dept != NULL && strcmp(dept, inc->lead) != 0 &&
		    (url = alert_rules_webhook(e->rules, dept)) != NULL)
			incident_send(e, inc, url, event, dept);
	}
}
