/*
 * Accountability reports (issue 17, 用数据落实责任): how departments
 * (or subdistricts, or rules) answered their dispatches over a window,
 * computed on demand from the alert records in the kv (each with its
 * history), never from a second copy (docs/alerts.md, "Response
 * report").
 *
 * An alert or case counts when it was dispatched inside the window (the
 * first history entry whose "after" names a lead department: a rule's or
 * an event's dispatch at firing, a case's routing, an operator's
 * dispatch).  Per row: how many were dispatched (alerts, cases; incidents
 * join as a third kind when they exist), acknowledged and resolved, the
 * median and 90th percentile of the time to acknowledge and to resolve
 * (nearest rank: the value at rank ceil(p * n) of the sorted times, so
 * always a time that happened), how many reached their deadline and how
 * many of those were resolved by it, overdue ones, escalation steps.
 */
#ifndef CB_HUB_REPORT_H
#define CB_HUB_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/hub.h"

struct alert_actor;
struct alert_engine;
struct alert_reply;

enum report_by {
	REPORT_BY_DEPT,
	REPORT_BY_SUBDISTRICT,
	REPORT_BY_RULE,
};

/* Windows allowed: 1 minute to 400 days; default 7 days. */
#define REPORT_SINCE_DEFAULT_MS (7LL * 86400 * 1000)
#define REPORT_SINCE_MIN_MS     (60LL * 1000)
#define REPORT_SINCE_MAX_MS     (400LL * 86400 * 1000)

struct report_params {
	int64_t since_ms; /* window length */
	enum report_by by;
};

/* The query parameters since (a duration: "7d", "24h"; NULL: 7d) and by
 * ("dept", "subdistrict", "rule"; NULL: dept) into *p.  0, or -1 with
 * *cause (heap, caller frees) naming the parameter. */
int report_params_parse(
    const char *since, const char *by, struct report_params *p, char **cause);
const char *report_by_name(enum report_by by);

/* The percentile p (0 < p <= 100) of v[0..n) sorted ascending, by
 * nearest rank; n > 0. */
int64_t report_percentile(const int64_t *v, size_t n, int p);

/*
 * The report for who (only alerts whose place lies inside who's scope;
 * NULL: everything) at the clock's now: 200 with {"since_ms", "from_ms",
 * "to_ms", "by", "rows": [...], "total": {...}}; 500 if the kv cannot be
 * read.
 */
void alert_engine_report(struct alert_engine *e, const struct report_params *p,
    const struct alert_actor *who, struct alert_reply *r);

/* GET /api/v1/reports/response (route-report.c). */
extern const struct hub_route hub_routes_reports[];

#endif
