/*
 * Incidents inside the alerts module (incident.c, incident-api.c): the
 * engine's hooks and the incident model.  Not for other modules: they
 * use incident.h.
 */
#ifndef CB_HUB_INCIDENT_ENGINE_H
#define CB_HUB_INCIDENT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/alerts/alert-model.h"

struct alert_actor;
struct alert_engine;
struct alert_incident_conf;

enum incident_state {
	INCIDENT_OPEN,
	INCIDENT_DISPATCHED,
	INCIDENT_HANDLED,
	INCIDENT_CLOSED,
};

struct incident {
	char id[16]; /* "I000012" */
	uint64_t num;
	enum incident_state state;
	char *title;
	char *code;      /* its place (territory code), or NULL: district */
	char *group;     /* rule-made: level of grouping, else NULL */
	char *gkey;      /* rule-made: "NAME|LEVEL|CODE" it groups, else NULL */
	char *rule;      /* the rule that opened it, or NULL (by hand) */
	char *lead;      /* lead department, or NULL */
	json_t *support; /* array of department ids */
	json_t *alerts;  /* array of alert ids, in join order */
	json_t *history; /* the incident's own entries */
	int64_t created_ms, updated_ms, joined_ms, ended_ms;
	int64_t deadline_ms, deadline_rel_ms; /* 0: none */
	uint64_t rev;
};

struct incident_set {
	struct incident **v;
	size_t n;
	struct alert_map by_id;    /* "I000012" -> incident */
	struct alert_map by_alert; /* alert id -> incident */
	struct alert_map by_group; /* gkey -> its open incident */
	uint64_t next;
};

/* Engine hooks (alert-engine.c): load the incidents from the kv (0, or
 * -1 with *cause), free them, a firing alert (joins or opens a rule's
 * incident), the "incident" member of an alert's API object. */
int incident_load(struct alert_engine *e, char **cause);
void incident_set_free(struct alert_engine *e);
void incident_alert_fired(struct alert_engine *e, struct alert *a);
void incident_alert_json(
    struct alert_engine *e, json_t *o, const struct alert *a);

/* The model (incident.c), used by incident-api.c. */
const char *incident_state_name(enum incident_state s);
struct incident *incident_find(struct alert_engine *e, const char *id);
struct incident *incident_of(struct alert_engine *e, const char *alert_id);
/* A new incident (numbered, registered, not yet saved). */
struct incident *incident_new(struct alert_engine *e, const char *title);
/* Add alert a to inc (registered; history entry "join" by who). */
void incident_join(struct alert_engine *e, struct incident *inc,
    struct alert *a, const struct alert_actor *who);
/* Record an entry in inc's history and the audit log ("incident."
 * action), bump rev, save.  after is stolen (may be NULL). */
void incident_record(struct alert_engine *e, struct incident *inc,
    const struct alert_actor *who, const char *action, json_t *after,
    const char *comment);
/* Leaves the group it collects for (handled, closed). */
void incident_ungroup(struct alert_engine *e, struct incident *inc);
/* Does who see inc? */
int incident_visible(struct alert_engine *e, const struct incident *inc,
    const struct alert_actor *who);
/* Dispatch a's part to inc's departments (inc dispatched), as the
 * incident's actor; returns the reply status (200, or 409 when it was). */
int incident_dispatch_alert(struct alert_engine *e, struct incident *inc,
    struct alert *a, const struct alert_actor *who);
/* The API object: summary (list) or with members and timeline. */
json_t *incident_json(struct alert_engine *e, struct incident *inc, int full);

/* Post the webhooks of inc's history action ("create" once its first
 * alerts joined, "dispatch", "handle", "close"; others: nothing)
 * (incident-notify.c). */
void incident_notify(
    struct alert_engine *e, struct incident *inc, const char *action);

/* The actor of the rules' incidents. */
extern const struct alert_actor incident_system;

#endif
