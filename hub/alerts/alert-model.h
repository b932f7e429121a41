/*
 * The alert: its fields, lifecycle states, history, and its JSON forms
 * (the API object of docs/api.md and the persistent record, which is the
 * API object plus internal fields).  Also a small string-keyed hash map
 * used to find alerts by id and by identity key.
 *
 * Lifecycle:  pending -> firing -> acknowledged -> resolved
 *                 \         \______________________/  ^
 *                  \-> (cancelled, removed)       closed (by hand)
 * A resolved alert that fires again within the flap window is reopened
 * (same id).  Ownership: an alert owns all its strings and JSON values.
 */
#ifndef CB_HUB_ALERT_MODEL_H
#define CB_HUB_ALERT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/alerts/alert-rules.h"

enum alert_state {
	ALERT_PENDING,
	ALERT_FIRING,
	ALERT_ACKED,
	ALERT_RESOLVED,
	ALERT_CLOSED,
	ALERT_STATE_COUNT,
};

enum alert_dept_state {
	ALERT_DEPT_PENDING,
	ALERT_DEPT_ACKED,
	ALERT_DEPT_REPORTED,
};

/* One department's part of a (joint) dispatch. */
struct alert_dept {
	char *dept;
	int lead;
	enum alert_dept_state state;
	char *by; /* who acknowledged / reported */
	int64_t at_ms;
	char *report; /* last report text, or NULL */
};

struct alert_ack {
	char *by, *via, *comment;  /* NULL when not acknowledged */
	int64_t at_ms, expires_ms; /* expires 0: no expiry */
};

struct alert {
	char id[16];  /* "A000123" */
	uint64_t num; /* 123 */
	char *key;    /* identity: "rule/NAME{k=v,...}" or
	                 "event/KEY" */
	char *rule;   /* rule name (events: key up to '/') */
	int from_event;
	enum alert_state state;
	enum alert_sev severity;
	json_t *labels; /* object of strings */
	char *code;     /* most specific territory code or NULL */
	char *message;
	char *message_en; /* message in ASCII (name_en places), or NULL */
	char *detail; /* events: more lines (a check's long output), or NULL */
	double value; /* NAN when none */
	struct alert_dept *depts; /* [0] is the lead when dispatched */
	size_t ndepts;
	struct alert_ack ack;
	int64_t started_ms;       /* became pending (or firing) */
	int64_t fired_ms;         /* last became firing (0: never) */
	int64_t unacked_since_ms; /* firing without ack since */
	int64_t updated_ms;
	int64_t ended_ms;         /* resolved or closed */
	int64_t deadline_ms;      /* 0: none */
	int64_t deadline_rel_ms;  /* the deadline's duration */
	unsigned escalation_step; /* steps of its chain taken (0: none) */
	char *escalated_to;       /* the last step's target (step > 0) */
	int overdue, silenced;
	char *silence_id;
	char *inhibited_by; /* id of the firing alert that inhibits this
	                       one (a rule's "inhibits"), or NULL */
	char *close_reason;
	unsigned flaps;
	uint64_t rev; /* bumped by every change */
	/* The last action, for 409 messages. */
	char *last_who, *last_action;
	int64_t last_at_ms;
	int cond;         /* rule condition true at the last evaluation */
	json_t *history;  /* array of entries, oldest first */
	json_t *comments; /* array */

	/* Engine bookkeeping, not persisted. */
	uint64_t seen_gen;
	int dirty;
	size_t mem_idx; /* position in the engine's alerts array */
	int inhib_cand; /* in the engine's candidate inhibitors */
};

const char *alert_state_name(enum alert_state s);
int alert_state_parse(const char *s, enum alert_state *out);
/* pending, firing or acknowledged. */
int alert_state_active(enum alert_state s);
/* Silenced or inhibited: kept and listed, but left out of counts,
 * roll-ups, escalation and notifications. */
int alert_quiet(const struct alert *a);
const char *alert_dept_state_name(enum alert_dept_state s);

/* A new alert with its id and key; everything else zero/empty. */
struct alert *alert_new(uint64_t num, const char *key, const char *rule);
void alert_free(struct alert *a);

/* Format "A000123" for num into out[16]. */
void alert_id_format(uint64_t num, char out[16]);
/* Parse "A000123" (or a case's "C000123"); 0 or -1. */
int alert_id_parse(const char *id, uint64_t *num);
/* Cases (hub/alerts/case.c) are alerts whose key starts "case/": their
 * id is "C" and the number (alerts and cases share the numbers), their
 * source "case" (else "event" or "rule"). */
int alert_key_is_case(const char *key);
const char *alert_source_name(const struct alert *a);

/* Set a string field: *dst = copy of s (s may be NULL). */
void alert_str_set(char **dst, const char *s);

/* The API object (docs/api.md, "Alert object"); new reference.  place may
 * be NULL; group may be NULL (then "group" is null). */
json_t *alert_to_api(
    const struct alert *a, const char *place, const char *group);
/* The persistent record (API fields, history, comments, internals). */
json_t *alert_to_record(const struct alert *a);
/* Rebuild from a record; NULL with *cause if malformed. */
struct alert *alert_from_record(json_t *rec, char **cause);
/* The same, NULL with *cause unless the alert's id is id (a case's
 * number asked for as an alert's, or the reverse). */
struct alert *alert_from_record_id(json_t *rec, const char *id, char **cause);

/* A compact {"state":..,"severity":..,...} snapshot for before/after. */
json_t *alert_snapshot(const struct alert *a);

/*
 * Append a history entry {at_ms, who, via, from, action, before, after,
 * comment?} and record it as the last action (bumps rev, sets updated_ms
 * and dirty).  before/after are stolen (may be NULL).
 */
void alert_history_add(struct alert *a, int64_t at_ms, const char *who,
    const char *via, const char *from, const char *action, json_t *before,
    json_t *after, const char *comment);

/* The department part for dept, or NULL. */
struct alert_dept *alert_dept_find(struct alert *a, const char *dept);
/* Replace the dispatch with lead and support (NULL-terminated, may be
 * NULL); parts of departments kept keep their state. */
void alert_dispatch_set(
    struct alert *a, const char *lead, const char *const *support);
/* The lead department, or NULL. */
const char *alert_lead_dept(const struct alert *a);

/* A qsort() comparator of struct alert * entries: the most severe first,
 * then the longest waiting (a queue's order: grid workers' tasks, desks). */
int alert_cmp_worst_oldest(const void *pa, const void *pb);

/* ---- A string -> pointer hash map (keys copied, values borrowed) ---- */

struct alert_map {
	char **keys;
	void **vals;
	size_t n, cap; /* cap is a power of two */
};

void alert_map_init(struct alert_map *m);
void alert_map_free(struct alert_map *m);
void *alert_map_get(const struct alert_map *m, const char *key);
void alert_map_put(struct alert_map *m, const char *key, void *val);
void alert_map_del(struct alert_map *m, const char *key);

#endif
