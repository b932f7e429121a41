/*
 * Incidents: the model, its persistence in the alert kv, the rules'
 * grouping of firing alerts, and the API object with its timeline (see
 * incident.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/alert-rules-incident.h"
#include "hub/alerts/incident-engine.h"
#include "hub/alerts/incident.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define INCIDENT_PREFIX  "incident/"
#define INCIDENT_SEQ_KEY "incident-seq"

const struct alert_actor incident_system = {.who = "system",
    .via = "incident",
    .uid = -1,
    .from = "",
    .role = HUB_ROLE_ADMIN,
    .scope = NULL};

static const char *const incident_states[] = {
    "open", "dispatched", "handled", "closed"};

const char *
incident_state_name(enum incident_state s)
{
	return (unsigned)s < 4 ? incident_states[s] : "?";
}

static int
incident_state_parse(const char *s, enum incident_state *out)
{
	int i;

	for (i = 0; s != NULL && i < 4; i++) {
		if (strcmp(s, incident_states[i]) == 0) {
			*out = (enum incident_state)i;
			return 0;
		}
	}
	return -1;
}

static void
incident_id_format(struct incident *inc)
{
	snprintf(inc->id, sizeof inc->id, "I%06" PRIu64,
	    (uint64_t)(inc->num % 1000000000000ULL));
}

static void
incident_free(struct incident *inc)
{
	if (inc == NULL)
		return;
	free(inc->title);
	free(inc->code);
	free(inc->group);
	free(inc->gkey);
	free(inc->rule);
	free(inc->lead);
	json_decref(inc->support);
	json_decref(inc->alerts);
	json_decref(inc->history);
	free(inc);
}

static void
incident_add(struct alert_engine *e, struct incident *inc)
{
	struct incident_set *s = e->incidents;
	size_t i;
	json_t *v;

	s->v = xreallocarray(s->v, s->n + 1, sizeof *s->v);
	s->v[s->n++] = inc;
	alert_map_put(&s->by_id, inc->id, inc);
	json_array_foreach(inc->alerts, i, v)
	    alert_map_put(&s->by_alert, json_string_value(v), inc);
	if (inc->gkey != NULL && inc->state <= INCIDENT_DISPATCHED)
		alert_map_put(&s->by_group, inc->gkey, inc);
	if (inc->num >= s->next)
		s->next = inc->num + 1;
}

/* ---- Persistence -------------------------------------------------------- */

static json_t *
incident_record_json(const struct incident *inc)
{
	return json_pack("{s:s,s:I,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:O,s:O,"
	                 "s:O,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "id", inc->id, "num", (json_int_t)inc->num, "state",
	    incident_state_name(inc->state), "title", inc->title, "code",
	    inc->code, "group", inc->group, "gkey", inc->gkey, "rule",
	    inc->rule, "lead", inc->lead, "support", inc->support, "alerts",
	    inc->alerts, "history", inc->history, "created_ms",
	    (json_int_t)inc->created_ms, "updated_ms",
	    (json_int_t)inc->updated_ms, "joined_ms",
	    (json_int_t)inc->joined_ms, "ended_ms", (json_int_t)inc->ended_ms,
	    "deadline_ms", (json_int_t)inc->deadline_ms, "deadline_rel_ms",
	    (json_int_t)inc->deadline_rel_ms, "rev", (json_int_t)inc->rev);
}

static char *
incident_rec_str(json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));

	return s != NULL ? xstrdup(s) : NULL;
}

static int64_t
incident_rec_int(json_t *rec, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(rec, key));
}

static json_t *
incident_rec_array(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);

	return json_is_array(v) ? json_incref(v) : json_array();
}

static struct incident *
incident_from_record(json_t *rec)
{
	struct incident *inc;
	const char *title = json_string_value(json_object_get(rec, "title"));
	json_int_t num = json_integer_value(json_object_get(rec, "num"));
	enum incident_state st;

	if (title == NULL || num <= 0 ||
	    incident_state_parse(
	        json_string_value(json_object_get(rec, "state")), &st) != 0)
		return NULL;
	inc = xcalloc(1, sizeof *inc);
	inc->num = (uint64_t)num;
	incident_id_format(inc);
	inc->state = st;
	inc->title = xstrdup(title);
	inc->code = incident_rec_str(rec, "code");
	inc->group = incident_rec_str(rec, "group");
	inc->gkey = incident_rec_str(rec, "gkey");
	inc->rule = incident_rec_str(rec, "rule");
	inc->lead = incident_rec_str(rec, "lead");
	inc->support = incident_rec_array(rec, "support");
	inc->alerts = incident_rec_array(rec, "alerts");
	inc->history = incident_rec_array(rec, "history");
	inc->created_ms = incident_rec_int(rec, "created_ms");
	inc->updated_ms = incident_rec_int(rec, "updated_ms");
	inc->joined_ms = incident_rec_int(rec, "joined_ms");
	inc->ended_ms = incident_rec_int(rec, "ended_ms");
	inc->deadline_ms = incident_rec_int(rec, "deadline_ms");
	inc->deadline_rel_ms = incident_rec_int(rec, "deadline_rel_ms");
	inc->rev = (uint64_t)incident_rec_int(rec, "rev");
	return inc;
}

static void
incident_save(struct alert_engine *e, struct incident *inc)
{
	char key[64], seq[32], *text, *cause = NULL;
	json_t *rec = incident_record_json(inc);

	text = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	snprintf(key, sizeof key, INCIDENT_PREFIX "%012" PRIu64, inc->num);
	snprintf(seq, sizeof seq, "%" PRIu64, e->incidents->next);
	if (text == NULL || alert_kv_put_str(e->kv, key, text, &cause) != 0 ||
	    alert_kv_put_str(e->kv, INCIDENT_SEQ_KEY, seq, &cause) != 0) {
		log_error("alerts", "saving incident %s: %s", inc->id,
		    cause != NULL ? cause : "cannot encode");
		free(cause);
	}
	free(text);
}

static int
incident_load_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct alert_engine *e = arg;
	json_t *rec = json_loadb(val, len, 0, NULL);
	struct incident *inc = rec != NULL ? incident_from_record(rec) : NULL;

	json_decref(rec);
	if (inc == NULL) {
		log_warn("alerts", "skipping corrupt incident %s", key);
		return 0;
	}
	incident_add(e, inc);
	return 0;
}

int
incident_load(struct alert_engine *e, char **cause)
{
	char *val = NULL, *why = NULL;
	uint64_t seq;

	e->incidents = xcalloc(1, sizeof *e->incidents);
	alert_map_init(&e->incidents->by_id);
	alert_map_init(&e->incidents->by_alert);
	alert_map_init(&e->incidents->by_group);
	e->incidents->next = 1;
	if (alert_kv_scan(
	        e->kv, INCIDENT_PREFIX, NULL, incident_load_cb, e, cause) != 0)
		return -1;
	if (alert_kv_get(e->kv, INCIDENT_SEQ_KEY, &val, NULL, &why) == 1) {
		seq = strtoull(val, NULL, 10);
		if (seq > e->incidents->next)
			e->incidents->next = seq;
	}
	free(val);
	free(why);
	return 0;
}

void
incident_set_free(struct alert_engine *e)
{
	struct incident_set *s = e->incidents;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		incident_free(s->v[i]);
	free(s->v);
	alert_map_free(&s->by_id);
	alert_map_free(&s->by_alert);
	alert_map_free(&s->by_group);
	free(s);
	e->incidents = NULL;
}

/* ---- The model ---------------------------------------------------------- */

struct incident *
incident_find(struct alert_engine *e, const char *id)
{
	return id != NULL ? alert_map_get(&e->incidents->by_id, id) : NULL;
}

struct incident *
incident_of(struct alert_engine *e, const char *alert_id)
{
	return alert_map_get(&e->incidents->by_alert, alert_id);
}

struct incident *
incident_new(struct alert_engine *e, const char *title)
{
	struct incident *inc = xcalloc(1, sizeof *inc);
	int64_t now = alert_engine_now(e);

	inc->num = e->incidents->next;
	incident_id_format(inc);
	inc->title = xstrdup(title);
	inc->support = json_array();
	inc->alerts = json_array();
	inc->history = json_array();
	inc->created_ms = inc->updated_ms = inc->joined_ms = now;
	incident_add(e, inc);
	return inc;
}

void
incident_ungroup(struct alert_engine *e, struct incident *inc)
{
	if (inc->gkey != NULL &&
	    alert_map_get(&e->incidents->by_group, inc->gkey) == inc)
		alert_map_del(&e->incidents->by_group, inc->gkey);
}

int
incident_visible(struct alert_engine *e, const struct incident *inc,
    const struct alert_actor *who)
{
	if (who == NULL || alert_engine_scope_all(e, who->scope))
		return 1;
	/* Only those whose scope covers the incident's whole place: one
	 * spanning two subdistricts is the district's. */
	if (inc->code == NULL)
		return 0;
	return alert_engine_within(e, inc->code, who->scope);
}

void
incident_record(struct alert_engine *e, struct incident *inc,
    const struct alert_actor *who, const char *action, json_t *after,
    const char *comment)
{
	int64_t now = alert_engine_now(e);
	char audit_action[48];
	json_t *h = json_pack("{s:I,s:s,s:s,s:s}", "at_ms", (json_int_t)now,
	    "who", alert_actor_name(who), "via",
	    who->via != NULL ? who->via : "", "action", action);

	if (after != NULL)
		json_object_set(h, "after", after);
	if (comment != NULL)
		json_object_set_new(h, "comment", json_string(comment));
	json_array_append_new(inc->history, h);
	inc->updated_ms = now;
	inc->rev++;
	snprintf(audit_action, sizeof audit_action, "incident.%s", action);
	(void)alert_engine_audit_note(
	    e, who, audit_action, inc->id, inc->code, NULL, after, comment);
	incident_save(e, inc);
	/* "create": once its first alerts joined (incident_notify). */
	if (strcmp(action, "create") != 0)
		incident_notify(e, inc, action);
}

int
incident_dispatch_alert(struct alert_engine *e, struct incident *inc,
    struct alert *a, const struct alert_actor *who)
{
	struct alert_reply r = {0, NULL};
	json_t *body;
	int64_t left = inc->deadline_ms - alert_engine_now(e);

	if (inc->lead == NULL || !alert_state_active(a->state))
		return 409;
	body = json_pack("{s:s,s:O,s:s}", "dept", inc->lead, "support",
	    inc->support, "comment", inc->id);
	if (inc->deadline_ms > 0)
		json_object_set_new(body, "deadline",
		    json_integer(left > 0 ? (left + 999) / 1000 : 1));
	alert_engine_action(e, a->id, "dispatch", body, who, &r);
	json_decref(body);
	json_decref(r.body);
	return r.status;
}

/* Add dept to inc's supporting departments unless it leads or is there. */
static void
incident_support_add(struct incident *inc, const char *dept)
{
	size_t i;
	json_t *v;

	if (dept == NULL || (inc->lead != NULL && strcmp(inc->lead, dept) == 0))
		return;
	json_array_foreach(inc->support, i, v)
	{
		if (strcmp(json_string_value(v), dept) == 0)
			return;
	}
	json_array_append_new(inc->support, json_string(dept));
}

void
incident_join(struct alert_engine *e, struct incident *inc, struct alert *a,
    const struct alert_actor *who)
{
	size_t i;

	json_array_append_new(inc->alerts, json_string(a->id));
	alert_map_put(&e->incidents->by_alert, a->id, inc);
	inc->joined_ms = alert_engine_now(e);
	if (inc->lead == NULL)
		alert_str_set(&inc->lead, alert_lead_dept(a));
	for (i = 0; i < a->ndepts; i++)
		incident_support_add(inc, a->depts[i].dept);
	incident_record(e, inc, who, "join",
	    json_pack("{s:s,s:s?,s:s}", "alert", a->id, "code", a->code,
	        "severity", alert_sev_name(a->severity)),
	    NULL);
	if (inc->state == INCIDENT_DISPATCHED)
		(void)incident_dispatch_alert(e, inc, a, who);
}

/* ---- Grouping by the rules ---------------------------------------------- */

void
incident_alert_fired(struct alert_engine *e, struct alert *a)
{
	const struct alert_rule *rule;
	const struct alert_incident_conf *c;
	struct incident *inc;
	const char *code;
	char *gkey, *title, *place;
	int64_t now;
	int opened = 0;

	if (e->incidents == NULL || a->from_event ||
	    incident_of(e, a->id) != NULL ||
	    (rule = alert_rules_find(e->rules, a->rule)) == NULL ||
	    (c = rule->incident) == NULL)
		return;
	code = strcmp(c->group, "district") == 0
	           ? (e->env.root != NULL ? e->env.root(e->env.arg) : "")
	           : json_string_value(json_object_get(a->labels, c->group));
	if (code == NULL)
		return; /* not placed at that level: stays on its own */
	gkey = xasprintf(
	    "%s|%s|%s", c->name != NULL ? c->name : "", c->group, code);
	now = alert_engine_now(e);
	inc = alert_map_get(&e->incidents->by_group, gkey);
	if (inc != NULL && now - inc->joined_ms > c->window_ms) {
		incident_ungroup(e, inc); /* the window passed: a new one */
		inc = NULL;
	}
	if (inc == NULL) {
		place = e->env.place != NULL && *code != '\0'
		            ? e->env.place(e->env.arg, code)
		            : NULL;
		title = alert_template_expand(c->title, rule, a->labels,
		    a->value, place != NULL ? place : code, code);
		inc = incident_new(e, title);
		free(title);
		free(place);
		inc->code = *code != '\0' && strcmp(c->group, "district") != 0
		                ? xstrdup(code)
		                : NULL;
		inc->group = xstrdup(c->group);
		inc->gkey = gkey;
		gkey = NULL;
		inc->rule = xstrdup(rule->name);
		inc->lead = c->lead != NULL ? xstrdup(c->lead) : NULL;
		inc->deadline_rel_ms =
		    c->deadline_ms > 0 ? c->deadline_ms : rule->deadline_ms;
		alert_map_put(&e->incidents->by_group, inc->gkey, inc);
		opened = 1;
		incident_record(e, inc, &incident_system, "create",
		    json_pack("{s:s,s:s,s:s?,s:s}", "title", inc->title,
		        "group", inc->group, "code", inc->code, "rule",
		        inc->rule),
		    NULL);
	}
	free(gkey);
	incident_join(e, inc, a, &incident_system);
	if (opened)
		incident_notify(e, inc, "create");
}

/* ---- The API object ----------------------------------------------------- */

void
incident_alert_json(struct alert_engine *e, json_t *o, const struct alert *a)
{
	struct incident *inc =
	    e->incidents != NULL ? incident_of(e, a->id) : NULL;

	json_object_set_new(
	    o, "incident", inc != NULL ? json_string(inc->id) : json_null());
}

/* A timeline entry of alert a's history entry h (new reference). */
static json_t *
incident_entry(json_t *h, const char *alert_id, const char *inc_id)
{
	json_t *t = json_deep_copy(h);

	if (alert_id != NULL)
		json_object_set_new(t, "alert", json_string(alert_id));
	else
		json_object_set_new(t, "incident", json_string(inc_id));
	return t;
}

static int
incident_entry_cmp(const void *x, const void *y)
{
	json_t *const *a = x, *const *b = y;
	json_int_t ta = json_integer_value(json_object_get(*a, "at_ms"));
	json_int_t tb = json_integer_value(json_object_get(*b, "at_ms"));
	json_int_t sa = json_integer_value(json_object_get(*a, "_seq"));
	json_int_t sb = json_integer_value(json_object_get(*b, "_seq"));

	if (ta != tb)
		return ta < tb ? -1 : 1;
	return sa < sb ? -1 : sa > sb;
}

/* Every entry of inc and of its alerts, in time order. */
static json_t *
incident_timeline(struct alert_engine *e, struct incident *inc)
{
	json_t **v = NULL, *out = json_array(), *h, *id;
	size_t n = 0, i, j;
	struct alert *a;

	json_array_foreach(inc->history, i, h)
	{
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = incident_entry(h, NULL, inc->id);
	}
	json_array_foreach(inc->alerts, j, id)
	{
		a = alert_engine_find(e, json_string_value(id));
		json_array_foreach(a != NULL ? a->history : NULL, i, h)
		{
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n++] = incident_entry(h, a->id, NULL);
		}
	}
	for (i = 0; i < n; i++)
		json_object_set_new(v[i], "_seq", json_integer((json_int_t)i));
	if (n > 0)
		qsort(v, n, sizeof *v, incident_entry_cmp);
	for (i = 0; i < n; i++) {
		json_object_del(v[i], "_seq");
		json_array_append_new(out, v[i]);
	}
	free(v);
	return out;
}

json_t *
incident_json(struct alert_engine *e, struct incident *inc, int full)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:O,s:O,s:I,"
	                      "s:I,s:I}",
	    "id", inc->id, "title", inc->title, "state",
	    incident_state_name(inc->state), "code", inc->code, "group",
	    inc->group, "rule", inc->rule, "lead", inc->lead, "support",
	    inc->support, "alerts", inc->alerts, "created_ms",
	    (json_int_t)inc->created_ms, "updated_ms",
	    (json_int_t)inc->updated_ms, "rev", (json_int_t)inc->rev);
	json_t *members = json_array(), *id;
	int sev = -1;
	size_t i, active = 0;
	struct alert *a;

	json_array_foreach(inc->alerts, i, id)
	{
		a = alert_engine_find(e, json_string_value(id));
		if (a == NULL)
			continue;
		if ((int)a->severity > sev)
			sev = (int)a->severity;
		active += alert_state_active(a->state) != 0;
		if (full)
			json_array_append_new(
			    members, alert_engine_alert_json(e, a, NULL));
	}
	alert_engine_places(e, o, inc->code);
	json_object_set_new(o, "severity",
	    sev >= 0 ? json_string(alert_sev_name((enum alert_sev)sev))
	             : json_null());
	json_object_set_new(
	    o, "alerts_active", json_integer((json_int_t)active));
	json_object_set_new(o, "deadline_ms",
	    inc->deadline_ms > 0 ? json_integer(inc->deadline_ms)
	                         : json_null());
	json_object_set_new(o, "overdue",
	    json_boolean(inc->deadline_ms > 0 &&
	                 inc->state <= INCIDENT_DISPATCHED &&
	                 alert_engine_now(e) > inc->deadline_ms));
	json_object_set_new(o, "ended_ms",
	    inc->ended_ms > 0 ? json_integer(inc->ended_ms) : json_null());
	if (full) {
		json_object_set_new(o, "members", members);
		json_object_set_new(o, "timeline", incident_timeline(e, inc));
	} else
		json_decref(members);
	return o;
}
