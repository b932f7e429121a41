/*
 * Cases (案件, issue 17): work that people report rather than a metric's
 * threshold (a 12345 hotline ticket, a grid worker's report, a
 * department's referral).  A case is an alert with source "case", key
 * "case/...", rule "case" and id "C000123" (numbers shared with alerts):
 * it has the alerts' lifecycle, deadline, overdue, escalation, audit and
 * actions (POST /api/v1/alerts/C000123/dispatch, assign, close ...).
 *
 * Its category ("case_categories" of the rules, case-categories.h) routes
 * it at once: dispatched to the category's lead and supporting
 * departments with its time limit, recorded as a "dispatch" by
 * system/case-category.  A case with no matching category is recorded as
 * "queue" and waits, undispatched, in the dispatch desk's queue
 * (GET /api/v1/cases?queue=dispatch) for a person to dispatch it.
 */
#ifndef CB_HUB_CASE_H
#define CB_HUB_CASE_H

#include <stddef.h>

#include <jansson.h>

#include "hub/hub.h"

struct alert_actor;
struct alert_engine;
struct alert_reply;
struct hub_territory;

/* Filters of GET /api/v1/cases; NULL members do not filter. */
struct case_filter {
	const char *queue;    /* "dispatch": active and undispatched */
	const char *state;    /* an alert state */
	const char *category; /* a category id (or the text a case gave) */
	size_t limit;         /* 0: 500 */
};

/*
 * A new case from body {"text", "category"?, "source"?, "ref"?,
 * "system"?, "address"?} at code (a grid, community or subdistrict: the
 * route resolves "grid" or "address"; NULL: 400), raised by who inside
 * its write scope (as events are: a collector token for its systems and
 * places, an operator or above inside its scope; else 403).  201 with the
 * case; a "ref" already received from the same source answers 200 with
 * that case, unchanged.
 */
void alert_engine_case_new(struct alert_engine *e, json_t *body,
    const char *code, const struct alert_actor *who, struct alert_reply *r);
/* {"cases": [...], "total": N}, newest first, inside who's view. */
void alert_engine_case_list(struct alert_engine *e, const struct case_filter *f,
    const struct alert_actor *who, struct alert_reply *r);
/* One case with its history (404 unless a visible case). */
void alert_engine_case_get(struct alert_engine *e, const char *id,
    const struct alert_actor *who, struct alert_reply *r);

/*
 * The place of a case's address (case-place.c): a territory code, a
 * building's code or exact address (its grid), or the exact name of a
 * grid, community (with or without "社区") or subdistrict ("南园街道 /
 * 滨江社区 / 滨江07", the hub's own form, by its last part).  The node
 * index (never the district's), or -1 with *why (heap, caller frees)
 * saying that the address names nothing or several places.
 */
int case_place_resolve(
    const struct hub_territory *t, const char *text, char **why);

/* Routes (route-cases.c): POST/GET /api/v1/cases, GET /api/v1/cases/{id}. */
extern const struct hub_route hub_routes_cases[];

#endif
