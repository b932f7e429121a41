/*
 * Data-quality checks (数据质量核查), the door of hub/quality/: per system
 * what systems.json declares against what arrives (declared metrics never
 * seen or stale, undeclared metrics, value checks, completeness), per
 * alert rule whether its selector sees any data (blind rules), the
 * --check-config warnings on the catalogue and the rules, and the daily
 * summary written to the audit log.  docs/api.md "Data quality" is the
 * contract.  Everything runs on the hub's event loop.
 */
#ifndef CB_HUB_QUALITY_H
#define CB_HUB_QUALITY_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct hub;
struct hub_req;

/* A metric is stale when its newest point is older than this many
 * intervals of its system (one late report is tolerated). */
#define QUALITY_STALE_FACTOR 1.5
/* Value-check failures listed per system (all are counted). */
#define QUALITY_FAILURES_LISTED 20

/* Heartbeat metrics every system may send without declaring them
 * (system_up, system_latency_ms)? */
int quality_builtin_metric(const char *name);

/* The figures of one check, for the overview and the audit summary. */
struct quality_totals {
	size_t systems;          /* systems checked */
	size_t declared;         /* declared metrics */
	size_t declared_missing; /* ... never seen */
	size_t stale;            /* ... seen, but stale */
	size_t undeclared;       /* metrics arriving undeclared */
	uint64_t value_failures; /* readings failing a value check */
	size_t places_reporting, places_expected;
	size_t rules, blind_rules;
};

/*
 * Check every system overlapping the caller's scope (req NULL: the whole
 * district) at now, value checks over the window before now (none when
 * window_ms is 0).  Returns the
 * "systems" array (new reference) and adds to *tot.  0, or -1 with *cause
 * (caller frees) when the store cannot be read.
 */
int quality_systems_check(struct hub *h, struct hub_req *req, int64_t now,
    int64_t window_ms, json_t **out, struct quality_totals *tot, char **cause);

/*
 * The alert rules (none without the alerts module) with the series their
 * selector matches now and since when they see nothing: a rule is blind
 * when no matching series had data for longer than its window (its "for"
 * for absence rules), counting from the hub's start.  Returns the "rules"
 * array (new reference) and adds to *tot.
 */
json_t *quality_rules_check(
    struct hub *h, int64_t now, struct quality_totals *tot);

/* Add the overview's quality figures (declared_missing, stale_metrics,
 * blind_rules inside the caller's scope) to its "quality" object q. */
void hub_overview_quality(struct hub_req *req, json_t *q, int64_t now);

/* Free the value checks' cache (kept 20 s per catalogue, scope and
 * window; at exit, for leak checkers). */
void quality_cache_free(void);

/* The totals as the JSON object of "summary" (new reference). */
json_t *quality_totals_json(const struct quality_totals *tot);

/*
 * citybraind --check-config: warn on out (file:line:column: message) about
 * rules whose selector names a metric no system declares and metrics that
 * two systems declare differently (unit, "per", department).  rules_path
 * may be NULL.  Returns the number of warnings.
 */
size_t quality_lint(struct hub *h, const char *rules_path, FILE *out);

/*
 * The daily summary: once a day (at the first call after local midnight
 * UTC+8, and at the first call after start-up), check the district and
 * append one "quality.summary" entry to the audit log through note.
 * Returns 1 when a summary was written.
 */
typedef int (*quality_note_fn)(void *arg, json_t *summary);
int quality_daily_tick(struct hub *h, int64_t now, int64_t *last_day,
    quality_note_fn note, void *arg);

/* Run quality_daily_tick every period_ms on h's loop, noting into the
 * alerts module's audit log (nothing without it); the first summary comes
 * two periods after start-up, then one each day.  hub_quality_stop() frees the
 * timer. */
void hub_quality_start(struct hub *h, int64_t period_ms);
void hub_quality_stop(void);
/* The timer's period: $CITYBRAIN_QUALITY_EVERY (a duration, for tests)
 * or 60 s. */
int64_t hub_quality_period(void);

#endif
