/*
 * Alert rules and the alerts module's settings, loaded from a JSON file
 * (conf/rules.json) with lib/conf.h, so every error names file:line:col.
 *
 *   {
 *     "settings": {"eval_interval": "10s", "flap_window": "10m",
 *                  "ack_within": {"high": "15m", "medium": "1h", "low": "4h"},
 *                  "supervisors_webhook": "http://...", ...},
 *     "departments": {"water": {"webhook": "http://..."}},
 *     "rules": [
 *       {"name": "water-level-high", "type": "threshold",
 *        "selector": "water_level", "agg": "max", "window": "5m",
 *        "op": ">", "threshold": 4.5, "for": "2m", "by": ["grid"],
 *        "severity": "high", "dept": "water", "deadline": "72h",
 *        "message": "water level {value:.2f} m > {threshold} m in {place}",
 *        "resolve_message": "water level back to {value:.2f} m in {place}",
 *        "inhibits": [{"rules": ["water-level-warning"], "scope": "same"}]},
 *       {"name": "sensor-silent", "type": "absence",
 *        "selector": "water_level", "for": "15m", "by": ["grid"], ...}
 *     ]
 *   }
 *
 * Immutable once loaded; a reload builds a new one.
 */
#ifndef CB_HUB_ALERT_RULES_H
#define CB_HUB_ALERT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct case_category;
struct desk;
struct alert_incident_conf; /* alert-rules-incident.h */

/* Ordered: a higher value is more severe. */
enum alert_sev {
	ALERT_SEV_INFO = 0,
	ALERT_SEV_LOW,
	ALERT_SEV_MEDIUM,
	ALERT_SEV_HIGH,
	ALERT_SEV_COUNT,
};

enum alert_agg {
	ALERT_AGG_AVG,
	ALERT_AGG_MIN,
	ALERT_AGG_MAX,
	ALERT_AGG_SUM,
	ALERT_AGG_COUNT,
	ALERT_AGG_LAST,
};

enum alert_op {
	ALERT_OP_GT,
	ALERT_OP_GE,
	ALERT_OP_LT,
	ALERT_OP_LE,
	ALERT_OP_EQ,
	ALERT_OP_NE,
};

enum alert_rule_type {
	ALERT_RULE_THRESHOLD,
	ALERT_RULE_ABSENCE,
};

/* What a firing alert of a rule inhibits ("inhibits", issue 17). */
struct alert_inhibit {
	char **rules; /* NULL-terminated names; NULL: alerts of lower
	                 severity for the same metric */
	int below;    /* 1: on the same place or any place below it;
	                 0: on the same place only */
};

/* An escalation chain ("escalation", issue 17): steps taken in order
 * while an alert fires unacknowledged, each "after" counted from when it
 * last became unacknowledged. */
struct alert_esc_step {
	int64_t after_ms;
	char *to; /* "desk:ID", "role:NAME" or "dept:ID" */
};

struct alert_escalation {
	struct alert_esc_step *steps;
	size_t nsteps; /* 0: never escalates */
};

/* A target's webhook ("escalation_webhooks"). */
struct alert_esc_hook {
	char *to, *url;
};

struct alert_rule {
	char *name;
	enum alert_rule_type type;
	char *selector;
	enum alert_agg agg;
	int64_t window_ms; /* threshold: aggregation window */
	enum alert_op op;
	double threshold;
	int has_clear; /* hysteresis: resolve only past clear */
	double clear;
	int64_t for_ms; /* threshold: pending time; absence:
	                   silence that raises */
	char **by;      /* NULL-terminated; may be empty */
	enum alert_sev severity;
	char *dept;       /* lead department, or NULL */
	char *dept_label; /* a "by" label naming the lead department instead
	                     (when it names a known one), or NULL */
	char **support;   /* supporting departments, or NULL */
	int64_t deadline_ms;
	char *message;         /* template */
	char *resolve_message; /* template of a resolved alert's message */
	int disabled;
	struct alert_inhibit *inhibits; /* or NULL */
	size_t ninhibits;
	struct alert_escalation *escalation;  /* NULL: the severity's */
	struct alert_incident_conf *incident; /* "incident", or NULL */
};

struct alert_dept_conf {
	char *id;
	char *webhook; /* or NULL */
};

struct alert_settings {
	int64_t eval_interval_ms;               /* default 10 s */
	int64_t flap_window_ms;                 /* default 10 min */
	int64_t ack_within_ms[ALERT_SEV_COUNT]; /* 0: never escalates */
	int64_t default_deadline_ms;            /* default 72 h */
	int64_t retention_ms;       /* resolved/closed kept listed: 7 d */
	long long group_min;        /* grouping threshold, default 3 */
	char *supervisors_webhook;  /* escalations, or NULL */
	long long webhook_retries;  /* default 5 */
	int64_t webhook_backoff_ms; /* first retry delay, doubles: 1 s */
	int64_t webhook_timeout_ms; /* per attempt: 5 s */
	int notify_resolved;        /* also notify on resolve: default 1 */
	/* Chains per severity; NULL: one step to role:supervisor after
	 * ack_within (the single escalation before chains). */
	struct alert_escalation *escalation[ALERT_SEV_COUNT];
	struct alert_esc_hook *esc_hooks; /* "escalation_webhooks" */
	size_t nesc_hooks;
};

struct alert_rules {
	char *path;
	struct alert_settings settings;
	struct alert_rule *rules;
	size_t nrules;
	struct alert_dept_conf *depts;
	size_t ndepts;
	size_t ninhibiting;         /* rules with "inhibits" */
	size_t nescalating;         /* rules with their own "escalation" */
	struct alert_shift *shifts; /* "shifts" (handover.h), or NULL */
	size_t nshifts;
	/* "case_categories" (hub/alerts/case-categories.h) */
	struct case_category *case_cats;
	size_t ncase_cats;
	struct desk *desks; /* "desks" (hub/alerts/desk.h), or NULL */
	size_t ndesks;
};

/* Check a department id; return 0 if known, -1 if not.  Used by the
 * loaders to report unknown departments at their position. */
typedef int (*alert_dept_check_fn)(void *arg, const char *dept);

/* Load a rules file; NULL with *cause ("file:line:col: ...", caller frees).
 * dept_check may be NULL.  Free with alert_rules_free(). */
struct alert_rules *alert_rules_load(
    const char *path, alert_dept_check_fn dept_check, void *arg, char **cause);
struct alert_rules *alert_rules_parse(const char *name, const char *text,
    size_t len, alert_dept_check_fn dept_check, void *arg, char **cause);
/* Rules with defaults and no rules (no file configured). */
struct alert_rules *alert_rules_empty(void);
void alert_rules_free(struct alert_rules *r);

const struct alert_rule *alert_rules_find(
    const struct alert_rules *r, const char *name);
/* A department's webhook URL, or NULL. */
const char *alert_rules_webhook(const struct alert_rules *r, const char *dept);

/* The chain of an alert of rule r (NULL: an event) with severity sev; tmp
 * holds the one-step chain made from ack_within when no chain is
 * configured.  Never NULL. */
const struct alert_escalation *alert_rules_escalation(
    const struct alert_rules *r, const struct alert_rule *rule,
    enum alert_sev sev, struct alert_escalation *tmp,
    struct alert_esc_step *tmp_step);
/* The webhook URL of an escalation target, or NULL: its entry in
 * "escalation_webhooks", else for role:supervisor the supervisors'
 * webhook, for dept:ID the department's. */
const char *alert_rules_escalation_webhook(
    const struct alert_rules *r, const char *to);

/* Names: "high" ..., "avg" ..., ">" ...; parse returns -1 if unknown. */
const char *alert_sev_name(enum alert_sev s);
int alert_sev_parse(const char *s, enum alert_sev *out);
const char *alert_agg_name(enum alert_agg a);
int alert_agg_parse(const char *s, enum alert_agg *out);
const char *alert_op_name(enum alert_op op);
int alert_op_parse(const char *s, enum alert_op *out);
int alert_op_eval(enum alert_op op, double v, double threshold);

/*
 * Expand a message template: {value}, {value:.Nf}, {threshold}, {rule},
 * {place}, {code} and {TAG} for any label.  labels is a JSON object of
 * strings (borrowed); place may be NULL.  Unknown names expand to "?".
 * Returns heap memory the caller frees.
 */
char *alert_template_expand(const char *tmpl, const struct alert_rule *rule,
    json_t *labels, double value, const char *place, const char *code);
/* 0 if tmpl is well formed, or -1 with a message in err[len]. */
int alert_template_check(const char *tmpl, char *err, size_t len);

#endif
