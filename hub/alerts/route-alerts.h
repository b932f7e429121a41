/*
 * The alerts module's HTTP routes (docs/api.md, "Alerts, events,
 * silences, audit"): alerts and silences (route-alerts.c), events
 * (route-events.c) and the audit log (route-audit.c).
 */
#ifndef CB_HUB_ROUTE_ALERTS_H
#define CB_HUB_ROUTE_ALERTS_H

#include "hub/hub.h"

struct alert_actor;
struct alert_engine;
struct alert_reply;

extern const struct hub_route hub_routes_alerts[];   /* route-alerts.c */
extern const struct hub_route hub_routes_events[];   /* route-events.c */
extern const struct hub_route hub_routes_audit[];    /* route-audit.c */
extern const struct hub_route hub_routes_handover[]; /* route-handover.c */

/* Helpers shared by the three route files (route-alerts.c). */
/* The engine, or NULL after replying 503. */
struct alert_engine *route_alerts_engine(struct hub_req *req);
/* The caller as an actor (strings borrowed from req). */
void route_alerts_actor(struct hub_req *req, struct alert_actor *out);
/* The "limit" query parameter into *limit; 400 and -1 on a bad one. */
int route_alerts_limit(struct hub_req *req, size_t *limit);
/* An optional JSON object body into *body (NULL when empty; caller
 * frees): 0, or -1 after replying 400. */
int route_alerts_body(struct hub_req *req, json_t **body);
/* Send r (steals its body). */
void route_alerts_reply(struct hub_req *req, struct alert_reply *r);

#endif
