/*
 * Internals shared by the alert engine's files (alert-engine.c,
 * alert-eval.c, alert-action.c, alert-hub.c).  Not for other modules:
 * they use alert-engine.h.
 */
#ifndef CB_HUB_ALERT_INTERNAL_H
#define CB_HUB_ALERT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/alert-model.h"
#include "hub/alerts/alert-rules.h"
#include "hub/alerts/alert-silence.h"
#include "hub/alerts/audit.h"
#include "hub/alerts/desk.h"

struct alert_notify;
struct desk_duty;
struct incident_set;
struct selector;
struct event;

#define ALERT_HISTORY_MAX 200 /* history entries kept per alert */
/* Defaults of struct alert_limits (hub.json "limits"). */
#define ALERT_MAX_TEXT   4096
#define ALERT_MAX_LABELS 64
#define ALERT_MAX_LABEL  256

struct alert_engine {
	struct alert_kv *kv;
	struct store *store;
	struct alert_rules *rules;
	struct selector **sels; /* compiled rule selectors, per rule */
	struct event_base *base;
	int64_t (*clock)(void *arg);
	void *clock_arg;
	struct alert_env env;
	struct alert_limits limits; /* defaults filled in */

	struct audit *audit;
	int audit_started; /* "start" anchored: anchor "stop" on free */
	int audit_ok;      /* last verification: 1 intact, 0 broken */
	uint64_t audit_first_bad;
	char *audit_reason; /* when broken */
	struct alert_notify *notify;

	struct alert **alerts; /* in memory: active and recently ended */
	size_t nalerts, calerts;
	struct alert_map by_id, by_key;
	uint64_t next_alert;

	struct incident_set *incidents; /* incident.c */

	/* Candidate inhibitors (alert-inhibit.c): alerts of rules with
	 * "inhibits" that fired or reopened, with their rules; validated
	 * at use, rebuilt when inhib_valid is 0 (start, rules reload). */
	struct alert **inhib;
	const struct alert_rule **inhib_rule;
	size_t ninhib, cinhib;
	int inhib_valid;

	struct alert_silence **silences;
	size_t nsilences;
	uint64_t next_silence;

	uint64_t gen; /* evaluation pass */
	struct event *ev_eval, *ev_tick;

	/* Active-alert counts by territory code and system, rebuilt when
	 * changes moved past counts_gen (the hub asks per tree node). */
	uint64_t changes, counts_gen;
	struct alert_map counts;
	int counts_valid;

	/* Figures for logs and benchmarks. */
	uint64_t evals, eval_errors;
	int64_t last_eval_us;

	struct desk_duty *duty; /* who is on which desk (desk.c) */
	size_t nduty;
	/* Shift handover drafts (handover-draft.c): the end of the shift
	 * under way (0: not known yet) under the rules it came from. */
	int64_t handover_end_ms;
	const struct alert_rules *handover_rules;
	int handover_started; /* the late draft looked for at start-up */
};

/* The clock. */
int64_t alert_engine_now(struct alert_engine *e);
/* The number kept in the kv under key (a counter, a time in ms), or 0. */
int64_t alert_engine_kv_num(struct alert_engine *e, const char *key);
/* The JSON record kept in the kv under key (a new reference), or NULL. */
json_t *alert_engine_kv_json(struct alert_engine *e, const char *key);

/* Persist a if dirty (logs failures). */
void alert_engine_save(struct alert_engine *e, struct alert *a);
/* A new alert registered under key (id assigned, persisted counter). */
struct alert *alert_engine_new_alert(
    struct alert_engine *e, const char *key, const char *rule);
/* By id: in memory, else loaded from the kv (then cached).  NULL if
 * unknown. */
struct alert *alert_engine_find(struct alert_engine *e, const char *id);
/* Take the alert at index i out of memory (not out of the kv). */
void alert_engine_remove_at(struct alert_engine *e, size_t i);
/* Remove a (never fired) pending alert entirely. */
void alert_engine_drop(struct alert_engine *e, struct alert *a);

/* The actor of the rule engine's own transitions. */
extern const struct audit_actor alert_system_rule;
/* "alert/000000000012" for alert number num. */
void alert_key_format(uint64_t num, char *out, size_t len);

/* The audit glue (alert-audit.c): open the log keyed and anchored as o
 * says (NULL: unkeyed; unit tests); verify it and anchor "start". */
struct audit *alert_engine_audit_open(
    struct alert_engine *e, const struct audit_opts *o, char **cause);
void alert_engine_audit_start(struct alert_engine *e);
/* Append an audit entry about silence s (before/after stolen). */
void alert_engine_audit_silence(struct alert_engine *e,
    const struct alert_actor *who, const char *action,
    const struct alert_silence *s, json_t *before, json_t *after);
/* The persistent record of s (what the kv holds); new reference. */
json_t *alert_silence_record(const struct alert_silence *s);
/* The territory a silence concerns: the grid, community, subdistrict or
 * code its = matchers name when inside its author's scope, else that
 * scope, else NULL (the whole district). */
const char *alert_silence_code(
    struct alert_engine *e, const struct alert_silence *s);

/* Append an audit entry about alert a (before/after stolen). */
void alert_engine_audit_alert(struct alert_engine *e,
    const struct audit_actor *who, const char *action, struct alert *a,
    json_t *before, json_t *after, const char *comment);

/* Record a transition in history and audit (before/after stolen; who
 * NULL: the rule engine). */
void alert_engine_record(struct alert_engine *e, struct alert *a,
    const struct audit_actor *who, const char *action, json_t *before,
    json_t *after, const char *comment);

/* Lifecycle transitions done by the engine itself (actor may be NULL for
 * "system").  Each records history and audit, persists and notifies. */
void alert_engine_fire(
    struct alert_engine *e, struct alert *a, const struct audit_actor *who);
void alert_engine_resolve(struct alert_engine *e, struct alert *a,
    const struct audit_actor *who, const char *why);
void alert_engine_reopen(
    struct alert_engine *e, struct alert *a, const struct audit_actor *who);
/* Set labels (stolen), code and place-dependent message bits. */
void alert_engine_set_labels(
    struct alert_engine *e, struct alert *a, json_t *labels);
/* Recompute a's silenced flag; returns 1 if it changed. */
int alert_engine_silence_check(
    struct alert_engine *e, struct alert *a, int64_t now);
/* Inhibition (alert-inhibit.c): recompute a's inhibited_by from the
 * firing alerts' rules (history entry when it changes); 1 if it changed. */
int alert_engine_inhibit_check(
    struct alert_engine *e, struct alert *a, int64_t now);
/* After s fired, resolved or closed: recheck the alerts s may inhibit,
 * saving them; one released while firing is notified (alert-engine.c). */
void alert_engine_inhibit_update(struct alert_engine *e, struct alert *s);
/* a fired or reopened: add it to the candidate inhibitors if its rule
 * has "inhibits".  alert_inhibit_forget: a leaves memory. */
void alert_inhibit_note(struct alert_engine *e, struct alert *a);
void alert_inhibit_forget(struct alert_engine *e, struct alert *a);
/* Does s (firing, of rule sr) inhibit a by one of sr's entries? */
int alert_inhibit_matches(struct alert_engine *e, const struct alert_rule *sr,
    const struct alert *s, const struct alert *a);
/* Send notifications of kind ("fire", "resolve", "dispatch", "overdue")
 * about a to its departments' webhooks (and supervisors' for overdue;
 * escalations go to their steps' targets: alert-escalation.c). */
void alert_engine_notify(struct alert_engine *e, struct alert *a,
    const char *kind, const char *const *only_depts);

/* One webhook POST of kind about a to url (dept: the department it is
 * for, or NULL); recorded as a delivery (alert-engine.c). */
void alert_engine_send(struct alert_engine *e, struct alert *a, const char *url,
    const char *kind, const char *dept);
/* Take the steps of a's escalation chain that are due at now
 * (alert-escalation.c). */
void alert_engine_escalate(struct alert_engine *e, struct alert *a, int64_t now,
    const struct audit_actor *who);

/* Does who see silence s (its place inside who's scope or around it;
 * alert-action.c)? */
int alert_silence_visible(struct alert_engine *e, const struct alert_silence *s,
    const struct alert_actor *who);

/* Acks and shifts (alert-ack-shift.c): when an ack made at now without
 * "expires" lapses (the end of the shift under way; 0: never, no
 * "shifts" configured); the "extend" action. */
int64_t alert_ack_shift_expiry(struct alert_engine *e, int64_t now);
void alert_action_extend(struct alert_engine *e, struct alert *a, json_t *body,
    const struct alert_actor *who, struct alert_reply *r);

/* Is code inside scope (territory-aware)?  Is scope the whole district?
 * (alert-place.c) */
int alert_engine_within(
    struct alert_engine *e, const char *code, const char *scope);
int alert_engine_scope_all(struct alert_engine *e, const char *scope);
/* Is a counted (active and not quiet: neither silenced nor inhibited;
 * alert-list.c)? */
int alert_engine_counted(const struct alert *a);
/* Drop the counts table (alert-list.c rebuilds it). */
void alert_engine_counts_clear(struct alert_engine *e);
/* Compile the rules' selectors into e->sels (0, or -1 with *cause
 * naming the rule); free them. */
int alert_engine_selectors_compile(struct alert_engine *e, char **cause);
void alert_engine_selectors_free(struct alert_engine *e);

/* Is code visible to / actionable by who? */
int alert_engine_visible(struct alert_engine *e, const struct alert *a,
    const struct alert_actor *who);
int alert_engine_actionable(struct alert_engine *e, const struct alert *a,
    const struct alert_actor *who);
/* The API object of a with place and group filled in. */
/* The metric name of rule r's selector, or NULL (alert-inhibit.c). */
const char *alert_inhibit_metric(
    struct alert_engine *e, const struct alert_rule *r);
/* A threshold rule's alert: add its "metric", "op" and "threshold" to o
 * (for charts' threshold lines). */
void alert_engine_rule_json(
    struct alert_engine *e, json_t *o, const struct alert *a);
/* Set o's "place" and "place_en" to code's names (left as they are when
 * the territory does not know code). */
void alert_engine_places(struct alert_engine *e, json_t *o, const char *code);
json_t *alert_engine_alert_json(
    struct alert_engine *e, struct alert *a, const char *group);

/* Convert an alert_actor to an audit_actor (borrowing its strings). */
void alert_actor_audit(const struct alert_actor *who, struct audit_actor *out);

/* Body members for actions and events (alert-action.c): a string or
 * NULL; a duration ("2h" or seconds): 1 set, 0 absent, -1 malformed. */
const char *alert_body_str(json_t *body, const char *key);
int alert_body_duration(json_t *body, const char *key, int64_t *ms);
/* who's name ("?" if none); is dept a known department? */
const char *alert_actor_name(const struct alert_actor *who);
int alert_dept_ok(struct alert_engine *e, const char *dept);

/* Departments' parts (alert-dept-part.c): may who do action ("ack" or
 * "report") on *dept's part of a (*dept NULL: an ack of the whole alert,
 * which becomes who's own department's part when that is dispatched on
 * a)?  0, or -1 after replying 403 and auditing the refusal. */
int alert_dept_part_check(struct alert_engine *e, struct alert *a,
    const struct alert_actor *who, const char *action, const char **dept,
    struct alert_reply *r);

/* Bounds (alert-bounds.c): 0, or -1 after replying 413 naming the limit.
 * Every string member of body at most limits.max_text bytes; a silence's
 * body also at most limits.max_labels matchers of max_label bytes. */
int alert_body_check_text(
    struct alert_engine *e, json_t *body, struct alert_reply *r);
int alert_silence_check_size(
    struct alert_engine *e, json_t *body, struct alert_reply *r);

/* May who raise an event or a case about system (may be NULL) at code
 * (NULL: district-wide), or change the existing alert a (NULL: none)?
 * The write scope of points.  0, or -1 after replying 403 saying why.
 * (alert-event.c) */
int alert_event_allowed(struct alert_engine *e, const struct alert_actor *who,
    const struct alert *a, const char *system, const char *code,
    struct alert_reply *r);

/* Reply helpers. */
void alert_reply_set(struct alert_reply *r, int status, json_t *body);
void alert_reply_error(struct alert_reply *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Rule evaluation (alert-eval.c): evaluate one rule with its compiled
 * selector. */
int alert_eval_rule(struct alert_engine *e, size_t idx, int64_t now);

#endif
