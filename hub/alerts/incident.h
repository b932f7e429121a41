/*
 * Incidents (事件, issue 17): alerts (and cases) that are one situation,
 * grouped under an id of their own letter ("I000012").  An incident is
 * made by hand (POST /api/v1/incidents with the alerts' ids) or by a
 * rule's "incident" key (alert-rules-incident.h): a firing alert of such
 * a rule joins the open incident of its place at the group level that an
 * alert joined within the window, else opens one.
 *
 * An incident has a title, a lead department and supporting ones, a
 * deadline, a timeline (its own entries and all its alerts' history, in
 * time order) and a lifecycle of its own:
 *
 *   open -> dispatched -> handled -> closed      (reopen: back to open)
 *
 * Dispatching it dispatches its active alerts to the same departments;
 * alerts joining a dispatched incident are dispatched as they join.  An
 * alert belongs to one incident at most.  Incidents live in the alert kv
 * ("incident/<num>", counter "incident-seq"), every change is audited
 * ("incident.create", ".join", ".dispatch", ...).  Who sees an incident:
 * those whose scope covers its place (the group's place, or the place
 * all its alerts share; none: the district's users only).
 */
#ifndef CB_HUB_INCIDENT_H
#define CB_HUB_INCIDENT_H

#include <stddef.h>

#include <jansson.h>

#include "hub/hub.h"

struct alert_actor;
struct alert_engine;
struct alert_reply;

/* GET /api/v1/incidents: {"incidents": [...], "total": N}, newest first,
 * those who sees; state filters (a comma list), limit 0: 500. */
void alert_engine_incident_list(struct alert_engine *e, const char *state,
    size_t limit, const struct alert_actor *who, struct alert_reply *r);
/* One incident with "members" (its alerts) and "timeline"; 404 unless
 * who sees it. */
void alert_engine_incident_get(struct alert_engine *e, const char *id,
    const struct alert_actor *who, struct alert_reply *r);
/* A new incident by hand from body {"alerts": [ids], "title"?, "dept"?,
 * "support"?, "comment"?}: operator or above, every alert actionable by
 * who and in no incident yet (409 names it).  201. */
void alert_engine_incident_new(struct alert_engine *e, json_t *body,
    const struct alert_actor *who, struct alert_reply *r);
/* An action: "dispatch" {"dept"?, "support"?, "deadline"?, "comment"?},
 * "add" {"alerts": [ids]}, "handle", "close", "reopen" {"comment"?}. */
void alert_engine_incident_action(struct alert_engine *e, const char *id,
    const char *action, json_t *body, const struct alert_actor *who,
    struct alert_reply *r);

/* Routes (route-incidents.c): GET/POST /api/v1/incidents,
 * GET /api/v1/incidents/{id}, POST /api/v1/incidents/{id}/{action}. */
extern const struct hub_route hub_routes_incidents[];

#endif
