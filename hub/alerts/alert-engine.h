/*
 * The alert engine: owns the alerts, silences, rules and the audit log of
 * one hub; evaluates rules against the store, runs the timers (for
 * durations, ack expiry, escalation, overdue dispatches, webhook retries),
 * applies operator actions and events, and persists everything in an
 * alert_kv so that a restart loses nothing.
 *
 * It knows the hub only through struct alert_env (territory and
 * department look-ups), so tests can drive it with a fake environment and
 * an injectable clock; hub_alerts_init() (alert-hub.c) wires it into
 * citybraind.  Single-threaded: everything runs on the hub's event loop.
 */
#ifndef CB_HUB_ALERT_ENGINE_H
#define CB_HUB_ALERT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/hub.h"

struct alert_kv;
struct alert_rules;
struct audit;
struct audit_opts;
struct audit_verify_result;
struct event_base;
struct store;
struct alert_engine;

/* What the engine asks of its surroundings; every hook may be NULL. */
struct alert_env {
	void *arg;
	/* Add the parent levels (community, subdistrict) of a grid or
	 * community label to labels, as ingest enrichment does. */
	void (*enrich)(void *arg, json_t *labels);
	/* "南园街道 / 滨江社区 / 滨江07" for code; heap, or NULL if unknown. */
	char *(*place)(void *arg, const char *code);
	/* 0 if dept is a known department id, -1 if not. */
	int (*dept_check)(void *arg, const char *dept);
	/* Is code the same as, or inside, scope? */
	int (*within)(void *arg, const char *code, const char *scope);
	/* 0 if code is a known territory code of level label ("grid",
	 * "community", "subdistrict"), -1 if not. */
	int (*code_check)(void *arg, const char *label, const char *code);
	/* The district's code (root of the territory), or NULL. */
	const char *(*root)(void *arg);
	/* Is the system id one the token may write for, and code inside its
	 * territory (code NULL, district-wide: only a token for the whole
	 * district)?  (Events from collector tokens.)  1 yes, 0 no. */
	int (*token_may)(
	    void *arg, const void *token, const char *system, const char *code);
	/* Grid workers (hub/alerts/alert-worker.h): 1 if worker is enrolled and
	 * code lies in one of their grids, 0 if not, -1 no such worker. */
	int (*worker_may)(void *arg, const char *worker, const char *code);
	/* As place, in the names' English or pinyin forms (name_en, else
	 * the code): "Nanyuan / Binjiang / Binjiang 07", for ASCII
	 * terminals; heap, or NULL if unknown. */
	char *(*place_en)(void *arg, const char *code);
};

/* Bounds on what a client may store (hub.json "limits"); 0: default. */
struct alert_limits {
	size_t max_text;   /* bytes of a message, comment, reason: 4096 */
	size_t max_labels; /* labels of an event, matchers of a silence: 64 */
	size_t max_label;  /* bytes of a label's name or value: 256 */
};

struct alert_engine_opts {
	struct alert_kv *kv;       /* borrowed; must outlive the engine */
	struct store *store;       /* borrowed; NULL: rules not evaluated */
	struct alert_rules *rules; /* taken over by the engine */
	struct event_base *base;   /* NULL: no webhooks, caller drives ticks */
	int64_t (*clock)(void *arg);
	void *clock_arg;
	struct alert_env env;
	/* The audit log's key and anchor (borrowed; NULL: unkeyed, as in
	 * unit tests); the engine adds its record and anchor callbacks. */
	const struct audit_opts *audit;
	struct alert_limits limits;
};

/* Who acts.  Strings are borrowed for the call. */
struct alert_actor {
	const char *who;
	const char *via;       /* "uid", "token", ... */
	long long uid;         /* -1 unless via uid */
	const char *token;     /* token name, or NULL */
	const void *token_ptr; /* struct hub_token, for write scope */
	const char *from;
	enum hub_role role;
	const char *scope; /* territory code; NULL: everywhere */
};

/* Create and load the persisted state.  NULL with *cause on error. */
struct alert_engine *alert_engine_create(
    const struct alert_engine_opts *o, char **cause);
void alert_engine_free(struct alert_engine *e);

/* Replace the rules (taken over); alerts of rules that disappeared are
 * resolved. */
void alert_engine_set_rules(struct alert_engine *e, struct alert_rules *r);
const struct alert_rules *alert_engine_rules(const struct alert_engine *e);

/* Evaluate every rule at the clock's now.  Returns the number of rules
 * that failed to evaluate (logged). */
int alert_engine_eval(struct alert_engine *e);
/* Run the timers at the clock's now: ack expiry, escalation, overdue,
 * silences, webhook retries, retention. */
void alert_engine_tick(struct alert_engine *e);
/* Start the periodic evaluation and tick timers on base (hub use). */
int alert_engine_start(struct alert_engine *e, char **cause);

/* Counts of active (pending, firing, acknowledged) alerts that are not
 * quiet (silenced or inhibited) inside code (NULL: all) and of system
 * (NULL: any). */
void alert_engine_counts(struct alert_engine *e, const char *code,
    const char *system, struct hub_alert_counts *out);

/* ---- API ------------------------------------------------------------- */

/* A result: an HTTP status and a body (new reference) to send. */
struct alert_reply {
	int status;
	json_t *body;
};

/* Filters for listing; NULL members do not filter.  Comma lists. */
struct alert_filter {
	const char *state, *severity, *code, *dept, *rule, *silenced;
	int group;
	size_t limit;
	const char *inhibited; /* "true"/"1" or "false"/"0" */
};

void alert_engine_list(struct alert_engine *e, const struct alert_filter *f,
    const struct alert_actor *who, struct alert_reply *r);
void alert_engine_get(struct alert_engine *e, const char *id,
    const struct alert_actor *who, struct alert_reply *r);
void alert_engine_action(struct alert_engine *e, const char *id,
    const char *action, json_t *body, const struct alert_actor *who,
    struct alert_reply *r);
/* The least role action needs ("ack" ... "extend"): 0, or -1 for an
 * action the engine does not know (a city hub checks it before passing
 * an action on with its own token for the district). */
int alert_action_min_role(const char *action, enum hub_role *role);
void alert_engine_event(struct alert_engine *e, json_t *body,
    const struct alert_actor *who, struct alert_reply *r);
void alert_engine_silence_list(struct alert_engine *e, int all,
    const struct alert_actor *who, struct alert_reply *r);
void alert_engine_silence_create(struct alert_engine *e, json_t *body,
    const struct alert_actor *who, struct alert_reply *r);
void alert_engine_silence_delete(struct alert_engine *e, const char *id,
    const struct alert_actor *who, struct alert_reply *r);
void alert_engine_deliveries(struct alert_engine *e, const char *alert_id,
    const struct alert_actor *who, struct alert_reply *r);

/* The audit log (borrowed), for the audit routes and other hub parts. */
struct audit *alert_engine_audit(struct alert_engine *e);
/* Append an audit entry for something outside the alerts (config reload,
 * ...); before and after are stolen (may be NULL).  0 or -1. */
int alert_engine_audit_note(struct alert_engine *e,
    const struct alert_actor *who, const char *action, const char *target,
    const char *code, json_t *before, json_t *after, const char *comment);

/* Verify the audit log now (records included) and keep the result for
 * alert_engine_audit_status(); logs loudly when broken.  0 or -1 with
 * *cause when the log cannot be read. */
int alert_engine_audit_verify(
    struct alert_engine *e, struct audit_verify_result *res, char **cause);
/* The last verification: 1 intact, 0 broken (*reason and *first_bad set,
 * reason borrowed). */
int alert_engine_audit_status(
    struct alert_engine *e, const char **reason, uint64_t *first_bad);

/* ---- citybraind glue (alert-hub.c) ------------------------------------ */

/*
 * Load the rules (hub.json "rules", else $CITYBRAIN_RULES, else rules.json
 * beside hub.json or the territory file; none is fine: no rules), open the
 * engine on the hub's store and loop, and set h->alerts, alerts_count and
 * alerts_reloaded.  0, or -1 with *cause (caller frees).
 */
int hub_alerts_init(struct hub *h, char **cause);
void hub_alerts_free(struct hub *h);
/* Load and check the rules file hub_alerts_init() would use, without
 * starting anything (citybraind --check).  0, or -1 with *cause; *path
 * (may be NULL) is set to the file checked (heap) or NULL when none. */
int hub_alerts_check(struct hub *h, char **path, char **cause);
/* The engine of a hub (NULL before hub_alerts_init). */
struct alert_engine *hub_alerts_engine(struct hub *h);

#endif
