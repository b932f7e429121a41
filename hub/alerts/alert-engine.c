/*
 * The alert engine's core: state in memory and in the kv, lifecycle
 * transitions, timers, notifications, counts, listing (see
 * alert-engine.h).  Rule evaluation is in alert-eval.c, operator actions
 * and events in alert-action.c, the hub glue in alert-hub.c.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/alert-notify.h"
#include "hub/alerts/incident-engine.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/selector.h"
#include "lib/xmalloc.h"

#define ALERT_PREFIX    "alert/"
#define ALERT_SEQ_KEY   "alert-seq"
#define SILENCE_PREFIX  "silence/"
#define SILENCE_SEQ_KEY "silence-seq"

const struct audit_actor alert_system_rule = {"system", "rule", -1, NULL, ""};

int64_t
alert_engine_now(struct alert_engine *e)
{
	return e->clock(e->clock_arg);
}

static int64_t
alert_wall_clock(void *arg)
{
	return clock_wall_ms();
}

void
alert_reply_set(struct alert_reply *r, int status, json_t *body)
{
	r->status = status;
	r->body = body;
}

void
alert_reply_error(struct alert_reply *r, int status, const char *fmt, ...)
{
	va_list ap;
	struct buf b = BUF_INIT;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r->status = status;
	r->body = json_pack("{s:s}", "error", buf_str(&b));
	buf_free(&b);
}

void
alert_actor_audit(const struct alert_actor *who, struct audit_actor *out)
{
	out->who = who->who;
	out->via = who->via;
	out->uid = who->uid;
	out->token = who->token;
	out->from = who->from;
}

/* ---- Persistence ------------------------------------------------------- */

void
alert_key_format(uint64_t num, char *out, size_t len)
{
	snprintf(out, len, ALERT_PREFIX "%012" PRIu64, num);
}

/* Keep the first history entry and the newest ALERT_HISTORY_MAX - 1. */
static void
alert_history_trim(struct alert *a)
{
	size_t n = json_array_size(a->history);

	while (n > ALERT_HISTORY_MAX) {
		json_array_remove(a->history, 1);
		n--;
	}
}

void
alert_engine_save(struct alert_engine *e, struct alert *a)
{
	char key[64], *text, *cause = NULL;
	json_t *rec;

	if (!a->dirty)
		return;
	e->changes++;
	alert_history_trim(a);
	rec = alert_to_record(a);
	text = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	alert_key_format(a->num, key, sizeof key);
	if (text == NULL || alert_kv_put_str(e->kv, key, text, &cause) != 0) {
		log_error("alerts", "saving %s: %s", a->id,
		    cause != NULL ? cause : "cannot encode");
		free(cause);
	} else
		a->dirty = 0;
	free(text);
}

static void
alert_engine_add(struct alert_engine *e, struct alert *a)
{
	struct alert *old;

	if (e->nalerts == e->calerts) {
		e->calerts = e->calerts == 0 ? 256 : e->calerts * 2;
		e->alerts =
		    xreallocarray(e->alerts, e->calerts, sizeof *e->alerts);
	}
	a->mem_idx = e->nalerts;
	e->alerts[e->nalerts++] = a;
	alert_map_put(&e->by_id, a->id, a);
	/* by_key points at the newest alert of each identity. */
	old = alert_map_get(&e->by_key, a->key);
	if (old == NULL || old->num < a->num)
		alert_map_put(&e->by_key, a->key, a);
}

void
alert_engine_remove_at(struct alert_engine *e, size_t i)
{
	struct alert *a = e->alerts[i];

	alert_map_del(&e->by_id, a->id);
	if (alert_map_get(&e->by_key, a->key) == a)
		alert_map_del(&e->by_key, a->key);
	alert_inhibit_forget(e, a);
	e->alerts[i] = e->alerts[--e->nalerts];
	e->alerts[i]->mem_idx = i;
}

struct alert *
alert_engine_new_alert(
    struct alert_engine *e, const char *key, const char *rule)
{
	struct alert *a = alert_new(e->next_alert++, key, rule);
	char seq[32], *cause = NULL;

	snprintf(seq, sizeof seq, "%" PRIu64, e->next_alert);
	if (alert_kv_put_str(e->kv, ALERT_SEQ_KEY, seq, &cause) != 0) {
		log_error("alerts", "saving alert counter: %s", cause);
		free(cause);
	}
	a->dirty = 1;
	alert_engine_add(e, a);
	return a;
}

void
alert_engine_drop(struct alert_engine *e, struct alert *a)
{
	char key[64], *cause = NULL;
	size_t i;

	e->changes++;
	alert_key_format(a->num, key, sizeof key);
	if (alert_kv_del(e->kv, key, &cause) != 0) {
		log_error("alerts", "deleting %s: %s", a->id, cause);
		free(cause);
	}
	for (i = 0; i < e->nalerts; i++) {
		if (e->alerts[i] == a) {
			alert_engine_remove_at(e, i);
			break;
		}
	}
	alert_free(a);
}

struct alert *
alert_engine_find(struct alert_engine *e, const char *id)
{
	struct alert *a = alert_map_get(&e->by_id, id);
	uint64_t num;
	char key[64], *cause = NULL;
	json_t *rec;

	if (a != NULL)
		return a;
	if (alert_id_parse(id, &num) != 0)
		return NULL;
	alert_key_format(num, key, sizeof key);
	rec = alert_engine_kv_json(e, key);
	a = rec != NULL ? alert_from_record_id(rec, id, &cause) : NULL;
	json_decref(rec);
	if (a == NULL) {
		free(cause);
		return NULL;
	}
	/* An old alert: cache it (retention drops it again later). */
	alert_map_put(&e->by_id, a->id, a);
	if (e->nalerts == e->calerts) {
		e->calerts = e->calerts == 0 ? 256 : e->calerts * 2;
		e->alerts =
		    xreallocarray(e->alerts, e->calerts, sizeof *e->alerts);
	}
	a->mem_idx = e->nalerts;
	e->alerts[e->nalerts++] = a;
	return a;
}

struct alert_loader {
	struct alert_engine *e;
	int64_t keep_after;
	uint64_t max_num;
};

static int
alert_load_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct alert_loader *l = arg;
	json_t *rec = json_loadb(val, len, 0, NULL);
	struct alert *a;
	char *cause = NULL;

	a = rec != NULL ? alert_from_record(rec, &cause) : NULL;
	json_decref(rec);
	if (a == NULL) {
		log_warn("alerts", "skipping corrupt record %s: %s", key,
		    cause != NULL ? cause : "not JSON");
		free(cause);
		return 0;
	}
	if (a->num > l->max_num)
		l->max_num = a->num;
	if (alert_state_active(a->state) || a->ended_ms >= l->keep_after ||
	    (a->state == ALERT_CLOSED && a->cond))
		alert_engine_add(l->e, a);
	else
		alert_free(a);
	return 0;
}

static int
silence_load_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct alert_engine *e = arg;
	json_t *rec = json_loadb(val, len, 0, NULL);
	struct alert_silence *s;
	char *cause = NULL;

	s = rec != NULL ? alert_silence_from_record(rec, &cause) : NULL;
	json_decref(rec);
	if (s == NULL) {
		log_warn("alerts", "skipping corrupt silence %s: %s", key,
		    cause != NULL ? cause : "not JSON");
		free(cause);
		return 0;
	}
	e->silences =
	    xreallocarray(e->silences, e->nsilences + 1, sizeof *e->silences);
	e->silences[e->nsilences++] = s;
	if (s->num >= e->next_silence)
		e->next_silence = s->num + 1;
	return 0;
}

/* The number kept in the kv under key (a counter, a time in ms), or 0 when
 * there is none or it cannot be read. */
int64_t
alert_engine_kv_num(struct alert_engine *e, const char *key)
{
	char *val = NULL, *cause = NULL;
	int64_t n = 0;

	if (alert_kv_get(e->kv, key, &val, NULL, &cause) == 1)
		n = strtoll(val, NULL, 10);
	free(val);
	free(cause);
	return n;
}

/* The JSON record kept in the kv under key (a new reference), or NULL when
 * there is none or it is not JSON. */
json_t *
alert_engine_kv_json(struct alert_engine *e, const char *key)
{
	char *val = NULL, *cause = NULL;
	size_t len;
	json_t *rec;

	if (alert_kv_get(e->kv, key, &val, &len, &cause) != 1) {
		free(cause);
		return NULL;
	}
	rec = json_loadb(val, len, 0, NULL);
	free(val);
	return rec;
}

/* The compiled selectors of the rules, one per rule (alert-eval.c reads
 * them). */
int
alert_engine_selectors_compile(struct alert_engine *e, char **cause)
{
	struct alert_rules *rs = e->rules;
	char *err = NULL;
	size_t i;

	e->sels = xcalloc(rs->nrules + 1, sizeof *e->sels);
	for (i = 0; i < rs->nrules; i++) {
		e->sels[i] = selector_parse_cause(rs->rules[i].selector, &err);
		if (e->sels[i] == NULL) {
			*cause = xasprintf("%s: rule \"%s\": selector: %s",
			    rs->path != NULL ? rs->path : "rules",
			    rs->rules[i].name, err);
			free(err);
			return -1;
		}
	}
	return 0;
}

void
alert_engine_selectors_free(struct alert_engine *e)
{
	size_t i;

	if (e->sels == NULL)
		return;
	for (i = 0; e->rules != NULL && i < e->rules->nrules; i++)
		selector_free(e->sels[i]);
	free(e->sels);
	e->sels = NULL;
}

/* Drop the counts table (rebuilt by alert-list.c). */
void
alert_engine_counts_clear(struct alert_engine *e)
{
	size_t i;

	for (i = 0; i < e->counts.cap; i++) {
		if (e->counts.keys != NULL && e->counts.keys[i] != NULL)
			free(e->counts.vals[i]);
	}
	alert_map_free(&e->counts);
	e->counts_valid = 0;
}

static void alert_engine_notify_done(void *arg, json_t *rec);

struct alert_engine *
alert_engine_create(const struct alert_engine_opts *o, char **cause)
{
	struct alert_engine *e = xcalloc(1, sizeof *e);
	struct alert_loader l;
	uint64_t seq;

	e->kv = o->kv;
	e->store = o->store;
	e->rules = o->rules != NULL ? o->rules : alert_rules_empty();
	e->base = o->base;
	e->clock = o->clock != NULL ? o->clock : alert_wall_clock;
	e->clock_arg = o->clock_arg;
	e->env = o->env;
	e->limits = o->limits;
	if (e->limits.max_text == 0)
		e->limits.max_text = ALERT_MAX_TEXT;
	if (e->limits.max_labels == 0)
		e->limits.max_labels = ALERT_MAX_LABELS;
	if (e->limits.max_label == 0)
		e->limits.max_label = ALERT_MAX_LABEL;
	alert_map_init(&e->by_id);
	alert_map_init(&e->by_key);
	e->next_alert = 1;
	e->next_silence = 1;

	if (alert_engine_selectors_compile(e, cause) != 0)
		goto fail;
	e->audit = alert_engine_audit_open(e, o->audit, cause);
	if (e->audit == NULL)
		goto fail;
	memset(&l, 0, sizeof l);
	l.e = e;
	l.keep_after = alert_engine_now(e) - e->rules->settings.retention_ms;
	if (alert_kv_scan(
	        e->kv, ALERT_PREFIX, NULL, alert_load_cb, &l, cause) != 0)
		goto fail;
	seq = (uint64_t)alert_engine_kv_num(e, ALERT_SEQ_KEY);
	e->next_alert = seq > l.max_num ? seq : l.max_num + 1;
	if (e->next_alert == 0)
		e->next_alert = 1;
	if (alert_kv_scan(
	        e->kv, SILENCE_PREFIX, NULL, silence_load_cb, e, cause) != 0)
		goto fail;
	if (incident_load(e, cause) != 0)
		goto fail;
	seq = (uint64_t)alert_engine_kv_num(e, SILENCE_SEQ_KEY);
	if (seq > e->next_silence)
		e->next_silence = seq;
	e->notify =
	    alert_notify_create(e->base, e->kv, e->clock, e->clock_arg, cause);
	if (e->notify == NULL)
		goto fail;
	alert_notify_configure(e->notify,
	    (int)e->rules->settings.webhook_retries,
	    e->rules->settings.webhook_backoff_ms,
	    e->rules->settings.webhook_timeout_ms);
	alert_notify_on_done(e->notify, alert_engine_notify_done, e);
	log_info("alerts",
	    "%zu alerts loaded (%zu rules, %zu silences, "
	    "audit head %" PRIu64 ")",
	    e->nalerts, e->rules->nrules, e->nsilences,
	    audit_head_seq(e->audit));
	alert_engine_audit_start(e);
	return e;
fail:
	alert_engine_free(e);
	return NULL;
}

void
alert_engine_free(struct alert_engine *e)
{
	size_t i;

	if (e == NULL)
		return;
	if (e->audit != NULL && e->audit_started)
		audit_anchor(e->audit, "stop");
	if (e->ev_eval != NULL)
		event_free(e->ev_eval);
	if (e->ev_tick != NULL)
		event_free(e->ev_tick);
	alert_notify_free(e->notify);
	for (i = 0; i < e->nalerts; i++) {
		alert_engine_save(e, e->alerts[i]);
		alert_free(e->alerts[i]);
	}
	free(e->alerts);
	free(e->inhib);
	free(e->inhib_rule);
	alert_map_free(&e->by_id);
	alert_map_free(&e->by_key);
	alert_engine_counts_clear(e);
	for (i = 0; i < e->nsilences; i++)
		alert_silence_free(e->silences[i]);
	free(e->silences);
	incident_set_free(e);
	alert_engine_selectors_free(e);
	alert_rules_free(e->rules);
	alert_engine_desk_duty_free(e); /* desk.c */
	audit_free(e->audit);
	free(e->audit_reason);
	free(e);
}

const struct alert_rules *
alert_engine_rules(const struct alert_engine *e)
{
	return e->rules;
}

struct audit *
alert_engine_audit(struct alert_engine *e)
{
	return e->audit;
}

/* Record a transition in history and audit.  before/after are stolen. */
void
alert_engine_record(struct alert_engine *e, struct alert *a,
    const struct audit_actor *who, const char *action, json_t *before,
    json_t *after, const char *comment)
{
	int64_t now = alert_engine_now(e);

	if (who == NULL)
		who = &alert_system_rule;
	json_incref(before);
	json_incref(after);
	alert_history_add(a, now, who->who, who->via, who->from, action, before,
	    after, comment);
	alert_engine_audit_alert(e, who, action, a, before, after, comment);
}

/* ---- Territory helpers -------------------------------------------------- */

void
alert_engine_set_labels(struct alert_engine *e, struct alert *a, json_t *labels)
{
	const char *code;

	if (e->env.enrich != NULL)
		e->env.enrich(e->env.arg, labels);
	json_decref(a->labels);
	a->labels = labels;
	code = json_string_value(json_object_get(labels, "grid"));
	if (code == NULL)
		code = json_string_value(json_object_get(labels, "community"));
	if (code == NULL)
		code =
		    json_string_value(json_object_get(labels, "subdistrict"));
	alert_str_set(&a->code, code);
}

int
alert_engine_visible(struct alert_engine *e, const struct alert *a,
    const struct alert_actor *who)
{
	if (who == NULL || a->code == NULL ||
	    alert_engine_scope_all(e, who->scope))
		return 1;
	return alert_engine_within(e, a->code, who->scope);
}

int
alert_engine_actionable(struct alert_engine *e, const struct alert *a,
    const struct alert_actor *who)
{
	if (who == NULL || alert_engine_scope_all(e, who->scope))
		return 1;
	/* Alerts without a place belong to the district. */
	if (a->code == NULL)
		return 0;
	return alert_engine_within(e, a->code, who->scope);
}

json_t *
alert_engine_alert_json(
    struct alert_engine *e, struct alert *a, const char *group)
{
	json_t *o = alert_to_api(a, NULL, group);

	alert_engine_places(e, o, a->code);
	alert_engine_rule_json(e, o, a);
	incident_alert_json(e, o, a);
	return o;
}

/* ---- Silences ---------------------------------------------------------- */

static const char *
alert_label_get(void *arg, const char *name)
{
	struct alert *a = arg;

	if (strcmp(name, "rule") == 0 || strcmp(name, "alertname") == 0)
		return a->rule;
	if (strcmp(name, "severity") == 0)
		return alert_sev_name(a->severity);
	if (strcmp(name, "dept") == 0 &&
	    json_object_get(a->labels, "dept") == NULL)
		return alert_lead_dept(a);
	if (strcmp(name, "code") == 0)
		return a->code;
	if (strcmp(name, "source") == 0)
		return alert_source_name(a);
	if (strcmp(name, "id") == 0)
		return a->id;
	return json_string_value(json_object_get(a->labels, name));
}

int
alert_engine_silence_check(struct alert_engine *e, struct alert *a, int64_t now)
{
	struct alert_silence *hit = NULL;
	size_t i;
	int was = a->silenced;

	if (alert_state_active(a->state)) {
		for (i = 0; i < e->nsilences && hit == NULL; i++) {
			struct alert_silence *s = e->silences[i];

			if (!alert_silence_active(s, now))
				continue;
			if (s->scope != NULL &&
			    !alert_engine_scope_all(e, s->scope) &&
			    !alert_engine_within(e, a->code, s->scope))
				continue;
			if (alert_silence_match(s, alert_label_get, a))
				hit = s;
		}
	} else if (a->silenced)
		hit = NULL;
	else
		return 0;
	if ((hit != NULL) == was &&
	    (hit == NULL ||
	        (a->silence_id != NULL && strcmp(a->silence_id, hit->id) == 0)))
		return 0;
	a->silenced = hit != NULL;
	alert_str_set(&a->silence_id, hit != NULL ? hit->id : NULL);
	if (alert_state_active(a->state)) {
		json_t *after = json_pack("{s:b}", "silenced", a->silenced);

		if (hit != NULL)
			json_object_set_new(
			    after, "silence", json_string(hit->id));
		alert_history_add(a, now, "system", "silence", "",
		    a->silenced ? "silence" : "unsilence",
		    json_pack("{s:b}", "silenced", was), after, NULL);
	} else
		a->dirty = 1;
	return (hit != NULL) != was;
}

/* ---- Notifications ----------------------------------------------------- */

static void
alert_engine_notify_done(void *arg, json_t *rec)
{
	struct alert_engine *e = arg;
	const char *id = json_string_value(json_object_get(rec, "alert"));
	struct alert *a;
	json_t *after;

	if (id == NULL || (a = alert_engine_find(e, id)) == NULL)
		return;
	after = json_pack("{s:O,s:O,s:O,s:O}", "delivery",
	    json_object_get(rec, "id"), "state", json_object_get(rec, "state"),
	    "attempts", json_object_get(rec, "attempts"), "url",
	    json_object_get(rec, "url"));
	if (json_object_get(rec, "error") != NULL &&
	    strcmp(json_string_value(json_object_get(rec, "state")),
	        "failed") == 0)
		json_object_set(after, "error", json_object_get(rec, "error"));
	alert_history_add(a, alert_engine_now(e), "system", "webhook", "",
	    "notify", NULL, after, NULL);
	alert_engine_save(e, a);
}

void
alert_engine_send(struct alert_engine *e, struct alert *a, const char *url,
    const char *kind, const char *dept)
{
	json_t *body = json_pack("{s:s,s:I,s:o}", "kind", kind, "at_ms",
	    (json_int_t)alert_engine_now(e), "alert",
	    alert_engine_alert_json(e, a, NULL));
	char id[16];

	json_object_set_new(
	    body, "dept", dept != NULL ? json_string(dept) : json_null());
	alert_notify_send(e->notify, url, a->id, kind, dept, body, id);
}

void
alert_engine_notify(struct alert_engine *e, struct alert *a, const char *kind,
    const char *const *only_depts)
{
	const char *url;
	size_t i, j;
	int sup = strcmp(kind, "overdue") == 0;

	if (alert_quiet(a))
		return;
	if (sup && (url = e->rules->settings.supervisors_webhook) != NULL)
		alert_engine_send(e, a, url, kind, NULL);
	for (i = 0; i < a->ndepts; i++) {
		if (only_depts != NULL) {
			for (j = 0; only_depts[j] != NULL; j++) {
				if (strcmp(only_depts[j], a->depts[i].dept) ==
				    0)
					break;
			}
			if (only_depts[j] == NULL)
				continue;
		}
		if (strcmp(kind, "overdue") == 0 && !a->depts[i].lead)
			continue;
		url = alert_rules_webhook(e->rules, a->depts[i].dept);
		if (url != NULL)
			alert_engine_send(e, a, url, kind, a->depts[i].dept);
	}
}

/* After s fired, resolved or closed: recheck the alerts it may inhibit;
 * one released while firing is notified then. */
void
alert_engine_inhibit_update(struct alert_engine *e, struct alert *s)
{
	int64_t now = alert_engine_now(e);
	const struct alert_rule *sr;
	size_t i;

	sr = s->from_event ? NULL : alert_rules_find(e->rules, s->rule);
	if (sr == NULL || sr->ninhibits == 0)
		return;
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];
		int was;

		if (a == s ||
		    (!alert_state_active(a->state) && a->inhibited_by == NULL))
			continue;
		/* Only those s may inhibit or does: for the others the
		 * check's answer does not depend on s. */
		if ((a->inhibited_by == NULL ||
		        strcmp(a->inhibited_by, s->id) != 0) &&
		    !alert_inhibit_matches(e, sr, s, a))
			continue;
		was = alert_quiet(a);
		if (alert_engine_inhibit_check(e, a, now) == 0)
			continue;
		if (was && !alert_quiet(a) && a->state == ALERT_FIRING)
			alert_engine_notify(e, a, "fire", NULL);
		alert_engine_save(e, a);
	}
}

/* ---- Transitions ------------------------------------------------------- */

/* Dispatches a firing alert as its rule says: to the department its
 * dept_label names when that is a known one (the rule's own dept then
 * supports), else to the rule's dept. */
static void
alert_engine_dispatch_rule(
    struct alert_engine *e, struct alert *a, const struct alert_rule *rule)
{
	const char *lead = rule->dept, *v = NULL, **support;
	size_t n = 0, i;

	if (rule->dept_label != NULL)
		v = json_string_value(
		    json_object_get(a->labels, rule->dept_label));
	if (v != NULL && (e->env.dept_check == NULL ||
	                     e->env.dept_check(e->env.arg, v) == 0))
		lead = v;
	if (lead == NULL)
		return;
	for (i = 0; rule->support != NULL && rule->support[i] != NULL; i++)
		continue;
	support = xcalloc(i + 2, sizeof *support);
	if (rule->dept != NULL && lead != rule->dept)
		support[n++] = rule->dept;
	for (i = 0; rule->support != NULL && rule->support[i] != NULL; i++)
		support[n++] = rule->support[i];
	alert_dispatch_set(a, lead, support);
	free(support);
}

void
alert_engine_fire(
    struct alert_engine *e, struct alert *a, const struct audit_actor *who)
{
	const struct alert_rule *rule;
	json_t *before = alert_snapshot(a);
	int64_t now = alert_engine_now(e);
	int was_dispatched = a->ndepts > 0;

	a->state = ALERT_FIRING;
	a->fired_ms = now;
	a->unacked_since_ms = now;
	a->cond = 1;
	if (!a->from_event && !was_dispatched &&
	    (rule = alert_rules_find(e->rules, a->rule)) != NULL) {
		alert_engine_dispatch_rule(e, a, rule);
		a->deadline_rel_ms = rule->deadline_ms;
	}
	if (a->deadline_rel_ms == 0)
		a->deadline_rel_ms = e->rules->settings.default_deadline_ms;
	if (a->deadline_ms == 0 && a->deadline_rel_ms > 0)
		a->deadline_ms = now + a->deadline_rel_ms;
	alert_engine_silence_check(e, a, now);
	alert_engine_inhibit_check(e, a, now);
	alert_engine_record(e, a, who, "fire", before, alert_snapshot(a), NULL);
	alert_engine_save(e, a);
	alert_inhibit_note(e, a);
	alert_engine_notify(e, a, "fire", NULL);
	alert_engine_inhibit_update(e, a);
	incident_alert_fired(e, a);
}

void
alert_engine_resolve(struct alert_engine *e, struct alert *a,
    const struct audit_actor *who, const char *why)
{
	json_t *before = alert_snapshot(a);
	int notify = a->state != ALERT_PENDING;

	a->state = ALERT_RESOLVED;
	a->ended_ms = alert_engine_now(e);
	a->cond = 0;
	alert_engine_record(
	    e, a, who, "resolve", before, alert_snapshot(a), why);
	alert_engine_save(e, a);
	if (notify && e->rules->settings.notify_resolved)
		alert_engine_notify(e, a, "resolve", NULL);
	alert_engine_inhibit_update(e, a);
}

void
alert_engine_reopen(
    struct alert_engine *e, struct alert *a, const struct audit_actor *who)
{
	json_t *before = alert_snapshot(a);
	int64_t now = alert_engine_now(e);

	a->state = ALERT_FIRING;
	a->flaps++;
	a->ended_ms = 0;
	a->fired_ms = now;
	a->unacked_since_ms = now;
	a->escalation_step = 0;
	a->cond = 1;
	free(a->ack.by);
	free(a->ack.via);
	free(a->ack.comment);
	memset(&a->ack, 0, sizeof a->ack);
	alert_engine_silence_check(e, a, now);
	alert_engine_inhibit_check(e, a, now);
	alert_engine_record(
	    e, a, who, "reopen", before, alert_snapshot(a), NULL);
	alert_engine_save(e, a);
	alert_inhibit_note(e, a);
	alert_engine_notify(e, a, "fire", NULL);
	alert_engine_inhibit_update(e, a);
}
