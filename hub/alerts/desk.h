/*
 * Desks (issue 17): the command center's sub-centres (应急指挥 emergency,
 * 运行监测 monitoring, 事件分拨 dispatch, 大数据 big-data) as configured
 * views with their own queue and their operators on duty.  In the rules
 * file:
 *
 *   "desks": [{"id": "dispatch", "name": "事件分拨中心",
 *              "name_en": "Event dispatch",
 *              "filter": {"source": ["case"], "dispatched": false},
 *              "columns": ["id", "severity", "place", "message", "age"]}]
 *
 * filter keys (all optional; an alert passes when it passes every key
 * given): "severity", "state" (default: pending, firing, acknowledged),
 * "source" (rule, event, case), "rule", "dept" (any part of its
 * dispatch), "category" (a case's) as lists; "dispatched", "escalated",
 * "overdue" as booleans.  A desk's queue is the active alerts and cases
 * the caller sees that pass its filter, plus those escalated to
 * "desk:ID", plus, on the desk "dispatch", every case waiting for routing.
 * With "desks" configured, escalation targets "desk:ID" must name one.
 *
 * On duty: a console on a desk says so every DESK_DUTY_BEAT_S seconds
 * (POST /api/v1/desks/ID/duty); an operator not heard from for
 * DESK_DUTY_TTL_MS is off duty.  Kept in memory only (a restarted hub
 * hears every console again within one beat).
 */
#ifndef CB_HUB_ALERTS_DESK_H
#define CB_HUB_ALERTS_DESK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/alerts/alert-rules.h"
#include "hub/hub.h"

struct conf_file;
struct alert;
struct alert_actor;
struct alert_engine;
struct alert_reply;

#define DESK_MAX         32
#define DESK_DUTY_BEAT_S 30
#define DESK_DUTY_TTL_MS (3 * DESK_DUTY_BEAT_S * 1000)

struct desk_filter {
	unsigned severities; /* bits 1 << enum alert_sev; 0: any */
	unsigned states;     /* bits 1 << enum alert_state; 0: active */
	char **sources, **rules, **depts, **categories; /* NULL: any */
	int dispatched, escalated, overdue;             /* -1: any */
};

struct desk {
	char *id, *name, *name_en;
	struct desk_filter filter;
	char **columns; /* NULL-terminated */
};

/* Read the "desks" array (borrowed) into rs->desks, checking rules,
 * departments (dept_check) and case categories named by the filters (so
 * read after them), then every "desk:ID" escalation target of root (the
 * whole rules file).  0, or -1 with *cause naming file:line:column. */
int desks_read(struct conf_file *cf, json_t *root, json_t *arr,
    struct alert_rules *rs, alert_dept_check_fn dept_check, void *arg,
    char **cause);
void desks_free(struct alert_rules *rs);
const struct desk *desks_find(const struct alert_rules *rs, const char *id);

/* Is a in desk d's queue (scope not checked)? */
int desk_queue_has(
    struct alert_engine *e, const struct desk *d, const struct alert *a);

/* The desks with their operators on duty and queue sizes as who sees
 * them: {"desks": [...]} (GET /api/v1/desks). */
void alert_engine_desk_list(struct alert_engine *e,
    const struct alert_actor *who, struct alert_reply *r);
/* One desk with its queue (at most limit alerts; 0: 200). */
void alert_engine_desk_get(struct alert_engine *e, const char *id, size_t limit,
    const struct alert_actor *who, struct alert_reply *r);
/* who is on desk id now (on: 1) or leaves it (on: 0); the first beat and
 * the leaving are audited (desk.on, desk.off). */
void alert_engine_desk_duty(struct alert_engine *e, const char *id, int on,
    const struct alert_actor *who, struct alert_reply *r);
/* Forget everyone on duty (the engine's free). */
void alert_engine_desk_duty_free(struct alert_engine *e);

/* GET /api/v1/desks, /api/v1/desks/{id}, POST and DELETE
 * /api/v1/desks/{id}/duty (route-desks.c). */
extern const struct hub_route hub_routes_desks[];
/* The desks as the caller of req sees them, for the overview (NULL when
 * the alerts module is off or no desk is configured; new reference). */
json_t *hub_alerts_desks_json(struct hub_req *req);

#endif
