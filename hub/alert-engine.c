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

#include "hub/alert-internal.h"
#include "hub/alert-kv.h"
#include "hub/alert-notify.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define ALERT_PREFIX    "alert/"
#define ALERT_SEQ_KEY   "alert-seq"
#define SILENCE_PREFIX  "silence/"
#define SILENCE_SEQ_KEY "silence-seq"
#define ALERT_TICK_MS   1000

static const struct audit_actor alert_system_rule = {
    "system", "rule", -1, NULL, ""};
static const struct audit_actor alert_system_timer = {
    "system", "timer", -1, NULL, ""};

int64_t alert_engine_now(struct alert_engine *e)
{
	return e->clock(e->clock_arg);
}

static int64_t alert_wall_clock(void *arg)
{
	return clock_wall_ms();
}

void alert_reply_set(struct alert_reply *r, int status, json_t *body)
{
	r->status = status;
	r->body = body;
}

void alert_reply_error(struct alert_reply *r, int status, const char *fmt, ...)
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

void alert_actor_audit(const struct alert_actor *who, struct audit_actor *out)
{
	out->who = who->who;
	out->via = who->via;
	out->uid = who->uid;
	out->token = who->token;
	out->from = who->from;
}

/* ---- Persistence ------------------------------------------------------- */

static void alert_key_format(uint64_t num, char *out, size_t len)
{
	snprintf(out, len, ALERT_PREFIX "%012" PRIu64, num);
}

/* Keep the first history entry and the newest ALERT_HISTORY_MAX - 1. */
static void alert_history_trim(struct alert *a)
{
	size_t n = json_array_size(a->history);

	while (n > ALERT_HISTORY_MAX) {
		json_array_remove(a->history, 1);
		n--;
	}
}

void alert_engine_save(struct alert_engine *e, struct alert *a)
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

static void alert_engine_add(struct alert_engine *e, struct alert *a)
{
	struct alert *old;

	if (e->nalerts == e->calerts) {
		e->calerts = e->calerts == 0 ? 256 : e->calerts * 2;
		e->alerts =
		    xreallocarray(e->alerts, e->calerts, sizeof *e->alerts);
	}
	e->alerts[e->nalerts++] = a;
	alert_map_put(&e->by_id, a->id, a);
	/* by_key points at the newest alert of each identity. */
	old = alert_map_get(&e->by_key, a->key);
	if (old == NULL || old->num < a->num)
		alert_map_put(&e->by_key, a->key, a);
}

static void alert_engine_remove_at(struct alert_engine *e, size_t i)
{
	struct alert *a = e->alerts[i];

	alert_map_del(&e->by_id, a->id);
	if (alert_map_get(&e->by_key, a->key) == a)
		alert_map_del(&e->by_key, a->key);
	e->alerts[i] = e->alerts[--e->nalerts];
}

struct alert *alert_engine_new_alert(
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

void alert_engine_drop(struct alert_engine *e, struct alert *a)
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

struct alert *alert_engine_find(struct alert_engine *e, const char *id)
{
	struct alert *a = alert_map_get(&e->by_id, id);
	uint64_t num;
	char key[64], *val = NULL, *cause = NULL;
	size_t len;
	json_t *rec;

	if (a != NULL)
		return a;
	if (alert_id_parse(id, &num) != 0)
		return NULL;
	alert_key_format(num, key, sizeof key);
	if (alert_kv_get(e->kv, key, &val, &len, &cause) != 1) {
		free(cause);
		return NULL;
	}
	rec = json_loadb(val, len, 0, NULL);
	free(val);
	a = rec != NULL ? alert_from_record(rec, &cause) : NULL;
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
	e->alerts[e->nalerts++] = a;
	return a;
}

struct alert_loader {
	struct alert_engine *e;
	int64_t keep_after;
	uint64_t max_num;
};

static int alert_load_cb(
    void *arg, const char *key, const char *val, size_t len)
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

static int silence_load_cb(
    void *arg, const char *key, const char *val, size_t len)
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

static uint64_t alert_engine_read_seq(struct alert_engine *e, const char *key)
{
	char *val = NULL, *cause = NULL;
	uint64_t n = 0;

	if (alert_kv_get(e->kv, key, &val, NULL, &cause) == 1)
		n = strtoull(val, NULL, 10);
	free(val);
	free(cause);
	return n;
}

static void alert_engine_notify_done(void *arg, json_t *rec);
static void alert_counts_clear(struct alert_engine *e);
static void alert_engine_commit(struct alert_engine *e);

struct alert_engine *alert_engine_create(
    const struct alert_engine_opts *o, char **cause)
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
	alert_map_init(&e->by_id);
	alert_map_init(&e->by_key);
	e->next_alert = 1;
	e->next_silence = 1;

	if (alert_eval_compile(e, cause) != 0)
		goto fail;
	e->audit = audit_open(e->kv, cause);
	if (e->audit == NULL)
		goto fail;
	memset(&l, 0, sizeof l);
	l.e = e;
	l.keep_after = alert_engine_now(e) - e->rules->settings.retention_ms;
	if (alert_kv_scan(
	        e->kv, ALERT_PREFIX, NULL, alert_load_cb, &l, cause) != 0)
		goto fail;
	seq = alert_engine_read_seq(e, ALERT_SEQ_KEY);
	e->next_alert = seq > l.max_num ? seq : l.max_num + 1;
	if (e->next_alert == 0)
		e->next_alert = 1;
	if (alert_kv_scan(
	        e->kv, SILENCE_PREFIX, NULL, silence_load_cb, e, cause) != 0)
		goto fail;
	seq = alert_engine_read_seq(e, SILENCE_SEQ_KEY);
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
	return e;
fail:
	alert_engine_free(e);
	return NULL;
}

void alert_engine_free(struct alert_engine *e)
{
	size_t i;

	if (e == NULL)
		return;
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
	alert_map_free(&e->by_id);
	alert_map_free(&e->by_key);
	alert_counts_clear(e);
	for (i = 0; i < e->nsilences; i++)
		alert_silence_free(e->silences[i]);
	free(e->silences);
	alert_eval_free(e);
	alert_rules_free(e->rules);
	audit_free(e->audit);
	free(e);
}

const struct alert_rules *alert_engine_rules(const struct alert_engine *e)
{
	return e->rules;
}

struct audit *alert_engine_audit(struct alert_engine *e)
{
	return e->audit;
}

/* ---- Audit ------------------------------------------------------------- */

void alert_engine_audit_alert(struct alert_engine *e,
    const struct audit_actor *who, const char *action, struct alert *a,
    json_t *before, json_t *after, const char *comment)
{
	struct audit_rec rec;
	char *cause = NULL, *act = xasprintf("alert.%s", action);

	memset(&rec, 0, sizeof rec);
	rec.at_ms = alert_engine_now(e);
	rec.actor = who != NULL ? who : &alert_system_rule;
	rec.action = act;
	rec.target = a->id;
	rec.code = a->code;
	rec.before = before;
	rec.after = after;
	rec.comment = comment;
	if (audit_append(e->audit, &rec, &cause) == 0) {
		log_error("alerts", "audit: %s", cause);
		free(cause);
	}
	free(act);
	json_decref(before);
	json_decref(after);
}

int alert_engine_audit_note(struct alert_engine *e,
    const struct alert_actor *who, const char *action, const char *target,
    const char *code, json_t *before, json_t *after, const char *comment)
{
	struct audit_actor ac;
	struct audit_rec rec;
	char *cause = NULL;
	int r;

	alert_actor_audit(who, &ac);
	memset(&rec, 0, sizeof rec);
	rec.at_ms = alert_engine_now(e);
	rec.actor = &ac;
	rec.action = action;
	rec.target = target;
	rec.code = code;
	rec.before = before;
	rec.after = after;
	rec.comment = comment;
	r = audit_append(e->audit, &rec, &cause) == 0 ? -1 : 0;
	json_decref(before);
	json_decref(after);
	if (r != 0) {
		log_error("alerts", "audit: %s", cause);
		free(cause);
	}
	return r;
}

/* Record a transition in history and audit.  before/after are stolen. */
static void alert_engine_record(struct alert_engine *e, struct alert *a,
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

void alert_engine_set_labels(
    struct alert_engine *e, struct alert *a, json_t *labels)
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

static int alert_engine_within(
    struct alert_engine *e, const char *code, const char *scope)
{
	if (scope == NULL)
		return 1;
	if (code == NULL)
		return 0;
	if (e->env.within != NULL)
		return e->env.within(e->env.arg, code, scope);
	return strncmp(code, scope, strlen(scope)) == 0 ||
	       strcmp(code, scope) == 0;
}

/* Is scope the whole district? */
static int alert_engine_scope_all(struct alert_engine *e, const char *scope)
{
	const char *root;

	if (scope == NULL)
		return 1;
	root = e->env.root != NULL ? e->env.root(e->env.arg) : NULL;
	return root != NULL && strcmp(root, scope) == 0;
}

int alert_engine_visible(struct alert_engine *e, const struct alert *a,
    const struct alert_actor *who)
{
	if (who == NULL || a->code == NULL ||
	    alert_engine_scope_all(e, who->scope))
		return 1;
	return alert_engine_within(e, a->code, who->scope);
}

int alert_engine_actionable(struct alert_engine *e, const struct alert *a,
    const struct alert_actor *who)
{
	if (who == NULL || alert_engine_scope_all(e, who->scope))
		return 1;
	/* Alerts without a place belong to the district. */
	if (a->code == NULL)
		return 0;
	return alert_engine_within(e, a->code, who->scope);
}

json_t *alert_engine_alert_json(
    struct alert_engine *e, struct alert *a, const char *group)
{
	char *place = NULL;
	json_t *o;

	if (a->code != NULL && e->env.place != NULL)
		place = e->env.place(e->env.arg, a->code);
	o = alert_to_api(a, place, group);
	free(place);
	return o;
}

/* ---- Silences ---------------------------------------------------------- */

static const char *alert_label_get(void *arg, const char *name)
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
		return a->from_event ? "event" : "rule";
	if (strcmp(name, "id") == 0)
		return a->id;
	return json_string_value(json_object_get(a->labels, name));
}

int alert_engine_silence_check(
    struct alert_engine *e, struct alert *a, int64_t now)
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

static void alert_engine_notify_done(void *arg, json_t *rec)
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

static void alert_engine_send(struct alert_engine *e, struct alert *a,
    const char *url, const char *kind, const char *dept)
{
	json_t *body = json_pack("{s:s,s:I,s:o}", "kind", kind, "at_ms",
	    (json_int_t)alert_engine_now(e), "alert",
	    alert_engine_alert_json(e, a, NULL));
	char id[16];

	json_object_set_new(
	    body, "dept", dept != NULL ? json_string(dept) : json_null());
	alert_notify_send(e->notify, url, a->id, kind, dept, body, id);
}

void alert_engine_notify(struct alert_engine *e, struct alert *a,
    const char *kind, const char *const *only_depts)
{
	const char *url;
	size_t i, j;
	int sup = strcmp(kind, "escalate") == 0 || strcmp(kind, "overdue") == 0;

	if (a->silenced)
		return;
	if (sup && (url = e->rules->settings.supervisors_webhook) != NULL)
		alert_engine_send(e, a, url, kind, NULL);
	if (strcmp(kind, "escalate") == 0)
		return;
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

/* ---- Transitions ------------------------------------------------------- */

void alert_engine_fire(
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
		if (rule->dept != NULL)
			alert_dispatch_set(
			    a, rule->dept, (const char *const *)rule->support);
		a->deadline_rel_ms = rule->deadline_ms;
	}
	if (a->deadline_rel_ms == 0)
		a->deadline_rel_ms = e->rules->settings.default_deadline_ms;
	if (a->deadline_ms == 0 && a->deadline_rel_ms > 0)
		a->deadline_ms = now + a->deadline_rel_ms;
	alert_engine_silence_check(e, a, now);
	alert_engine_record(e, a, who, "fire", before, alert_snapshot(a), NULL);
	alert_engine_save(e, a);
	alert_engine_notify(e, a, "fire", NULL);
}

void alert_engine_resolve(struct alert_engine *e, struct alert *a,
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
}

void alert_engine_reopen(
    struct alert_engine *e, struct alert *a, const struct audit_actor *who)
{
	json_t *before = alert_snapshot(a);
	int64_t now = alert_engine_now(e);

	a->state = ALERT_FIRING;
	a->flaps++;
	a->ended_ms = 0;
	a->fired_ms = now;
	a->unacked_since_ms = now;
	a->escalated = 0;
	a->cond = 1;
	free(a->ack.by);
	free(a->ack.via);
	free(a->ack.comment);
	memset(&a->ack, 0, sizeof a->ack);
	alert_engine_silence_check(e, a, now);
	alert_engine_record(
	    e, a, who, "reopen", before, alert_snapshot(a), NULL);
	alert_engine_save(e, a);
	alert_engine_notify(e, a, "fire", NULL);
}

/* ---- Timers ------------------------------------------------------------- */

static void alert_engine_timers(
    struct alert_engine *e, struct alert *a, int64_t now)
{
	json_t *before;
	int64_t within;

	alert_engine_silence_check(e, a, now);
	if (a->state == ALERT_ACKED && a->ack.expires_ms != 0 &&
	    now >= a->ack.expires_ms) {
		before = alert_snapshot(a);
		a->state = ALERT_FIRING;
		a->unacked_since_ms = now;
		a->escalated = 0;
		free(a->ack.by);
		free(a->ack.via);
		free(a->ack.comment);
		memset(&a->ack, 0, sizeof a->ack);
		alert_engine_record(e, a, &alert_system_timer, "unack", before,
		    alert_snapshot(a), "acknowledgement expired");
		alert_engine_notify(e, a, "fire", NULL);
	}
	within = e->rules->settings.ack_within_ms[a->severity];
	if (a->state == ALERT_FIRING && !a->escalated && !a->silenced &&
	    within > 0 && now - a->unacked_since_ms >= within) {
		a->escalated = 1;
		alert_engine_record(e, a, &alert_system_timer, "escalate",
		    json_pack("{s:b}", "escalated", 0),
		    json_pack("{s:b,s:I}", "escalated", 1, "unacked_s",
		        (json_int_t)((now - a->unacked_since_ms) / 1000)),
		    "not acknowledged in time");
		alert_engine_notify(e, a, "escalate", NULL);
	}
	if ((a->state == ALERT_FIRING || a->state == ALERT_ACKED) &&
	    !a->overdue && a->deadline_ms != 0 && now >= a->deadline_ms) {
		a->overdue = 1;
		alert_engine_record(e, a, &alert_system_timer, "overdue",
		    json_pack("{s:b}", "overdue", 0),
		    json_pack("{s:b,s:I}", "overdue", 1, "deadline_ms",
		        (json_int_t)a->deadline_ms),
		    "deadline passed");
		alert_engine_notify(e, a, "overdue", NULL);
	}
	alert_engine_save(e, a);
}

void alert_engine_tick(struct alert_engine *e)
{
	int64_t now = alert_engine_now(e);
	int64_t drop_before = now - e->rules->settings.retention_ms;
	size_t i;

	alert_kv_begin(e->kv);
	for (i = 0; i < e->nalerts; i++)
		alert_engine_timers(e, e->alerts[i], now);
	alert_engine_commit(e);
	/* Retention: ended alerts leave memory (they stay in the kv). */
	for (i = 0; i < e->nalerts;) {
		struct alert *a = e->alerts[i];

		if (!alert_state_active(a->state) && a->ended_ms != 0 &&
		    a->ended_ms < drop_before && !a->cond && !a->dirty) {
			alert_engine_remove_at(e, i);
			alert_free(a);
		} else
			i++;
	}
	alert_notify_kick(e->notify);
}

/* Write what a group commit gathered. */
static void alert_engine_commit(struct alert_engine *e)
{
	char *cause = NULL;

	if (alert_kv_commit(e->kv, &cause) != 0) {
		log_error("alerts", "saving state: %s", cause);
		free(cause);
	}
}

static void alert_engine_eval_cb(evutil_socket_t fd, short what, void *arg)
{
	alert_engine_eval(arg);
}

static void alert_engine_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	alert_engine_tick(arg);
}

int alert_engine_start(struct alert_engine *e, char **cause)
{
	struct timeval tv;
	int64_t iv = e->rules->settings.eval_interval_ms;

	if (e->base == NULL) {
		*cause = xstrdup("alerts: no event base");
		return -1;
	}
	if (e->ev_eval == NULL) {
		e->ev_eval =
		    event_new(e->base, -1, EV_PERSIST, alert_engine_eval_cb, e);
		e->ev_tick =
		    event_new(e->base, -1, EV_PERSIST, alert_engine_tick_cb, e);
	}
	tv.tv_sec = (long)(iv / 1000);
	tv.tv_usec = (long)(iv % 1000) * 1000;
	event_add(e->ev_eval, &tv);
	tv.tv_sec = ALERT_TICK_MS / 1000;
	tv.tv_usec = (ALERT_TICK_MS % 1000) * 1000;
	if (iv < ALERT_TICK_MS) {
		tv.tv_sec = (long)(iv / 1000);
		tv.tv_usec = (long)(iv % 1000) * 1000;
	}
	event_add(e->ev_tick, &tv);
	return 0;
}

int alert_engine_eval(struct alert_engine *e)
{
	int64_t now = alert_engine_now(e), t0 = clock_mono_ns();
	size_t i;
	int failed = 0;

	e->gen++;
	alert_kv_begin(e->kv); /* one durable write for the whole pass */
	for (i = 0; i < e->rules->nrules; i++) {
		if (e->rules->rules[i].disabled)
			continue;
		if (alert_eval_rule(e, i, now) != 0)
			failed++;
	}
	alert_engine_commit(e);
	e->evals++;
	e->eval_errors += (uint64_t)failed;
	e->last_eval_us = (clock_mono_ns() - t0) / 1000;
	return failed;
}

void alert_engine_set_rules(struct alert_engine *e, struct alert_rules *r)
{
	struct alert_rules *old = e->rules;
	char *cause = NULL;
	size_t i;

	alert_eval_free(e);
	e->rules = r;
	if (alert_eval_compile(e, &cause) != 0) {
		/* Checked at load; keep going without the bad selectors. */
		log_error("alerts", "%s", cause);
		free(cause);
	}
	alert_notify_configure(e->notify, (int)r->settings.webhook_retries,
	    r->settings.webhook_backoff_ms, r->settings.webhook_timeout_ms);
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];

		if (a->from_event || !alert_state_active(a->state) ||
		    alert_rules_find(r, a->rule) != NULL)
			continue;
		alert_engine_resolve(e, a, NULL, "rule removed");
	}
	alert_rules_free(old);
	if (e->ev_eval != NULL)
		alert_engine_start(e, &cause);
	free(cause);
}

/* ---- Counts and listing ------------------------------------------------- */

static void alert_counts_add(struct hub_alert_counts *c, enum alert_sev sev)
{
	switch (sev) {
	case ALERT_SEV_HIGH:
		c->high++;
		break;
	case ALERT_SEV_MEDIUM:
		c->medium++;
		break;
	case ALERT_SEV_LOW:
		c->low++;
		break;
	default:
		c->info++;
		break;
	}
}

static void alert_counts_clear(struct alert_engine *e)
{
	size_t i;

	for (i = 0; i < e->counts.cap; i++) {
		if (e->counts.keys != NULL && e->counts.keys[i] != NULL)
			free(e->counts.vals[i]);
	}
	alert_map_free(&e->counts);
	e->counts_valid = 0;
}

static void alert_counts_bump(
    struct alert_engine *e, const char *key, enum alert_sev sev)
{
	struct hub_alert_counts *c = alert_map_get(&e->counts, key);

	if (c == NULL) {
		c = xcalloc(1, sizeof *c);
		alert_map_put(&e->counts, key, c);
	}
	alert_counts_add(c, sev);
}

/* Rebuild the counts table: every active, unsilenced alert counts for
 * "*" (everywhere), its own code and the community and subdistrict above
 * it, and "sys:ID" of its system. */
static void alert_counts_build(struct alert_engine *e)
{
	const char *k[3], *sys;
	char *skey;
	size_t i, j, l;

	alert_counts_clear(e);
	alert_map_init(&e->counts);
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];

		if (!alert_state_active(a->state) || a->silenced)
			continue;
		alert_counts_bump(e, "*", a->severity);
		k[0] = a->code;
		k[1] =
		    json_string_value(json_object_get(a->labels, "community"));
		k[2] = json_string_value(
		    json_object_get(a->labels, "subdistrict"));
		for (j = 0; j < 3; j++) {
			if (k[j] == NULL)
				continue;
			for (l = 0; l < j; l++) {
				if (k[l] != NULL && strcmp(k[l], k[j]) == 0)
					break;
			}
			if (l == j)
				alert_counts_bump(e, k[j], a->severity);
		}
		sys = json_string_value(json_object_get(a->labels, "system"));
		if (sys != NULL) {
			skey = xasprintf("sys:%s", sys);
			alert_counts_bump(e, skey, a->severity);
			free(skey);
		}
	}
	e->counts_gen = e->changes;
	e->counts_valid = 1;
}

void alert_engine_counts(struct alert_engine *e, const char *code,
    const char *system, struct hub_alert_counts *out)
{
	const struct hub_alert_counts *c;
	const char *s;
	char *key;
	size_t i;

	memset(out, 0, sizeof *out);
	if (code == NULL || system == NULL) {
		/* The common questions, from the table. */
		if (!e->counts_valid || e->counts_gen != e->changes)
			alert_counts_build(e);
		if (system != NULL)
			key = xasprintf("sys:%s", system);
		else if (code == NULL || alert_engine_scope_all(e, code))
			key = xstrdup("*");
		else
			key = xstrdup(code);
		c = alert_map_get(&e->counts, key);
		free(key);
		if (c != NULL)
			*out = *c;
		return;
	}
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];

		if (!alert_state_active(a->state) || a->silenced)
			continue;
		if (!alert_engine_scope_all(e, code) &&
		    !alert_engine_within(e, a->code, code))
			continue;
		s = json_string_value(json_object_get(a->labels, "system"));
		if (s == NULL || strcmp(s, system) != 0)
			continue;
		alert_counts_add(out, a->severity);
	}
}

/* Is value in the comma-separated list (NULL or "" lists accept all)? */
static int alert_in_list(const char *list, const char *value)
{
	const char *p, *c;
	size_t n = value != NULL ? strlen(value) : 0;

	if (list == NULL || *list == '\0')
		return 1;
	if (value == NULL)
		return 0;
	for (p = list;; p = c + 1) {
		c = strchr(p, ',');
		if ((c != NULL ? (size_t)(c - p) : strlen(p)) == n &&
		    strncmp(p, value, n) == 0)
			return 1;
		if (c == NULL)
			return 0;
	}
}

/* The group key of each alert in v (heap strings or NULL), see
 * docs/api.md: many grid alerts of one rule in one community or
 * subdistrict. */
static char **alert_engine_groups(
    struct alert_engine *e, struct alert **v, size_t n)
{
	struct alert_map counts, comms;
	char **keys = xcalloc(n ? n : 1, sizeof *keys), *k;
	const char *sub, *com;
	size_t i;
	uintptr_t c;

	alert_map_init(&counts);
	alert_map_init(&comms);
	for (i = 0; i < n; i++) {
		sub = json_string_value(
		    json_object_get(v[i]->labels, "subdistrict"));
		com = json_string_value(
		    json_object_get(v[i]->labels, "community"));
		if (sub == NULL || com == NULL ||
		    json_object_get(v[i]->labels, "grid") == NULL ||
		    !alert_state_active(v[i]->state))
			continue;
		k = xasprintf("%s/%s", v[i]->rule, sub);
		c = (uintptr_t)alert_map_get(&counts, k);
		alert_map_put(&counts, k, (void *)(c + 1));
		/* Track whether the subdistrict's alerts share a community. */
		if (c == 0)
			alert_map_put(&comms, k, (void *)com);
		else if (alert_map_get(&comms, k) != NULL &&
		         strcmp(alert_map_get(&comms, k), com) != 0)
			alert_map_put(&comms, k, NULL);
		free(k);
	}
	for (i = 0; i < n; i++) {
		sub = json_string_value(
		    json_object_get(v[i]->labels, "subdistrict"));
		com = json_string_value(
		    json_object_get(v[i]->labels, "community"));
		if (sub == NULL || com == NULL ||
		    json_object_get(v[i]->labels, "grid") == NULL ||
		    !alert_state_active(v[i]->state))
			continue;
		k = xasprintf("%s/%s", v[i]->rule, sub);
		c = (uintptr_t)alert_map_get(&counts, k);
		if (c >= (uintptr_t)e->rules->settings.group_min)
			keys[i] = alert_map_get(&comms, k) != NULL
			              ? xasprintf("%s/%s", v[i]->rule, com)
			              : xstrdup(k);
		free(k);
	}
	alert_map_free(&counts);
	alert_map_free(&comms);
	return keys;
}

static int alert_cmp_list(const void *pa, const void *pb)
{
	const struct alert *a = *(struct alert *const *)pa;
	const struct alert *b = *(struct alert *const *)pb;

	/* Most severe first, then newest first. */
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->started_ms != b->started_ms)
		return a->started_ms > b->started_ms ? -1 : 1;
	return a->num > b->num ? -1 : a->num < b->num;
}

void alert_engine_list(struct alert_engine *e, const struct alert_filter *f,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct alert **v = xcalloc(e->nalerts + 1, sizeof *v);
	const char *states = f->state;
	json_t *arr = json_array(), *groups = NULL, *g, *body;
	struct alert_map gmap;
	char **gkeys;
	size_t n = 0, i, limit = f->limit;
	int want_silenced = -1;

	if (f->silenced != NULL)
		want_silenced = strcmp(f->silenced, "1") == 0 ||
		                strcmp(f->silenced, "true") == 0;
	if (states == NULL || *states == '\0')
		states = "pending,firing,acknowledged";
	else if (strcmp(states, "all") == 0)
		states = NULL;
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];

		if (!alert_in_list(states, alert_state_name(a->state)) &&
		    !(a->state == ALERT_ACKED &&
		        alert_in_list(states, "acked")))
			continue;
		if (!alert_in_list(f->severity, alert_sev_name(a->severity)))
			continue;
		if (!alert_in_list(f->rule, a->rule))
			continue;
		if (f->dept != NULL && *f->dept != '\0') {
			size_t j;

			for (j = 0; j < a->ndepts; j++) {
				if (alert_in_list(f->dept, a->depts[j].dept))
					break;
			}
			if (j == a->ndepts)
				continue;
		}
		if (want_silenced >= 0 && a->silenced != want_silenced)
			continue;
		if (f->code != NULL && *f->code != '\0' &&
		    !alert_engine_scope_all(e, f->code) &&
		    !alert_engine_within(e, a->code, f->code))
			continue;
		if (!alert_engine_visible(e, a, who))
			continue;
		v[n++] = a;
	}
	qsort(v, n, sizeof *v, alert_cmp_list);
	gkeys = alert_engine_groups(e, v, n);
	if (f->group) {
		groups = json_array();
		alert_map_init(&gmap);
	}
	for (i = 0; i < n; i++) {
		if (limit == 0 || i < limit)
			json_array_append_new(
			    arr, alert_engine_alert_json(e, v[i], gkeys[i]));
		if (!f->group || gkeys[i] == NULL)
			continue;
		g = alert_map_get(&gmap, gkeys[i]);
		if (g == NULL) {
			const char *slash = strrchr(gkeys[i], '/');

			g = json_pack("{s:s,s:s,s:s,s:s,s:i,s:[]}", "key",
			    gkeys[i], "rule", v[i]->rule, "code", slash + 1,
			    "severity", alert_sev_name(v[i]->severity), "count",
			    0, "ids");
			json_array_append_new(groups, g);
			alert_map_put(&gmap, gkeys[i], g);
		}
		json_object_set_new(g, "count",
		    json_integer(
		        json_integer_value(json_object_get(g, "count")) + 1));
		json_array_append_new(
		    json_object_get(g, "ids"), json_string(v[i]->id));
	}
	body = json_pack("{s:o,s:i}", "alerts", arr, "total", (int)n);
	if (f->group) {
		for (i = 0; i < json_array_size(groups); i++) {
			g = json_array_get(groups, i);
			if (e->env.place != NULL) {
				char *p = e->env.place(e->env.arg,
				    json_string_value(
				        json_object_get(g, "code")));

				if (p != NULL)
					json_object_set_new(
					    g, "place", json_string(p));
				free(p);
			}
		}
		json_object_set_new(body, "groups", groups);
		alert_map_free(&gmap);
	}
	for (i = 0; i < n; i++)
		free(gkeys[i]);
	free(gkeys);
	free(v);
	alert_reply_set(r, 200, body);
}

void alert_engine_get(struct alert_engine *e, const char *id,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct alert *a = alert_engine_find(e, id), **v;
	char **gkeys = NULL, *group = NULL;
	json_t *o;
	size_t i, n = 0;

	if (a == NULL || !alert_engine_visible(e, a, who)) {
		alert_reply_error(r, 404, "no alert \"%s\"", id);
		return;
	}
	/* Its group among the active alerts of its rule. */
	v = xcalloc(e->nalerts + 1, sizeof *v);
	for (i = 0; i < e->nalerts; i++) {
		if (strcmp(e->alerts[i]->rule, a->rule) == 0)
			v[n++] = e->alerts[i];
	}
	gkeys = alert_engine_groups(e, v, n);
	for (i = 0; i < n; i++) {
		if (v[i] == a)
			group = gkeys[i];
	}
	o = alert_engine_alert_json(e, a, group);
	for (i = 0; i < n; i++)
		free(gkeys[i]);
	free(gkeys);
	free(v);
	json_object_set(o, "history", a->history);
	json_object_set(o, "comments", a->comments);
	json_object_set_new(
	    o, "notifications", alert_notify_list(e->notify, a->id, 50));
	alert_reply_set(r, 200, o);
}

void alert_engine_deliveries(struct alert_engine *e, const char *alert_id,
    const struct alert_actor *who, struct alert_reply *r)
{
	alert_reply_set(r, 200,
	    json_pack("{s:o,s:I}", "deliveries",
	        alert_notify_list(e->notify, alert_id, 200), "pending",
	        (json_int_t)alert_notify_pending(e->notify)));
}
