/*
 * Operator actions on alerts (ack, unack, comment, severity, dispatch,
 * close), events raised and resolved by collectors, and silences: each
 * checks role and scope, answers 409 naming who did what when the action
 * conflicts with what someone else already did, and records history and
 * audit.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/alert-worker.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define SILENCE_PREFIX  "silence/"
#define SILENCE_SEQ_KEY "silence-seq"

/* ---- Helpers ------------------------------------------------------------ */

const char *
alert_body_str(json_t *body, const char *key)
{
	return json_string_value(json_object_get(body, key));
}

/* A duration member: "2h" or a number of seconds.  1 present (ms set), 0
 * absent, -1 malformed. */
int
alert_body_duration(json_t *body, const char *key, int64_t *ms)
{
	json_t *v = json_object_get(body, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_number(v) && json_number_value(v) > 0) {
		*ms = (int64_t)llround(json_number_value(v) * 1000);
		return 1;
	}
	if (json_is_string(v) &&
	    clock_parse_duration(json_string_value(v), ms) == 0 && *ms > 0)
		return 1;
	return -1;
}

static void
alert_fmt_time(int64_t ms, char *out, size_t len)
{
	clock_format_iso(ms, out, len);
}

/* 409 naming the last action: "<what> by WHO at TIME". */
static void
alert_conflict(struct alert_reply *r, const char *what, const char *by,
    const char *action, int64_t at_ms)
{
	char t[40], *msg;
	json_t *extra;

	alert_fmt_time(at_ms, t, sizeof t);
	extra = json_pack("{s:s,s:s,s:I}", "by", by != NULL ? by : "system",
	    "action", action != NULL ? action : "", "at_ms", (json_int_t)at_ms);
	msg = xasprintf("%s by %s at %s", what, by != NULL ? by : "system", t);
	json_object_set_new(extra, "error", json_string(msg));
	free(msg);
	alert_reply_set(r, 409, extra);
}

/* 409 "<what> (last: ACTION by WHO at TIME)". */
static void
alert_conflict_last(
    struct alert_reply *r, const char *what, const struct alert *a)
{
	char *w = xasprintf("%s (last: %s)", what,
	    a->last_action != NULL ? a->last_action : "none");

	alert_conflict(r, w, a->last_who, a->last_action, a->last_at_ms);
	free(w);
}

/* 409 for an alert already ended. */
static void
alert_conflict_ended(struct alert_reply *r, struct alert *a)
{
	alert_conflict(r,
	    a->state == ALERT_CLOSED ? "already closed" : "already resolved",
	    a->last_who, a->last_action, a->last_at_ms);
}

const char *
alert_actor_name(const struct alert_actor *who)
{
	return who->who != NULL ? who->who : "?";
}

/* Record an operator action: history, audit, and the comment list.
 * before and after are borrowed. */
static void
alert_action_record(struct alert_engine *e, struct alert *a,
    const struct alert_actor *who, const char *action, json_t *before,
    json_t *after, const char *comment, const char *dept)
{
	struct audit_actor ac;
	int64_t now = alert_engine_now(e);
	json_t *c;

	alert_actor_audit(who, &ac);
	json_incref(before); /* one for the history, one for the audit */
	json_incref(after);
	json_incref(before);
	json_incref(after);
	alert_history_add(
	    a, now, ac.who, ac.via, ac.from, action, before, after, comment);
	if (comment != NULL && *comment != '\0') {
		c = json_pack("{s:I,s:s,s:s,s:s}", "at_ms", (json_int_t)now,
		    "who", alert_actor_name(who), "action", action, "text",
		    comment);
		if (dept != NULL)
			json_object_set_new(c, "dept", json_string(dept));
		json_array_append_new(a->comments, c);
	}
	alert_engine_audit_alert(e, &ac, action, a, before, after, comment);
	alert_engine_save(e, a);
}

static void
alert_ack_reset(struct alert_ack *k)
{
	free(k->by);
	free(k->via);
	free(k->comment);
	memset(k, 0, sizeof *k);
}

int
alert_dept_ok(struct alert_engine *e, const char *dept)
{
	return dept != NULL && *dept != '\0' &&
	       (e->env.dept_check == NULL ||
	           e->env.dept_check(e->env.arg, dept) == 0);
}

/* ---- Actions ----------------------------------------------------------- */

typedef void (*alert_action_fn)(struct alert_engine *, struct alert *, json_t *,
    const struct alert_actor *, struct alert_reply *);

static void
alert_action_ack(struct alert_engine *e, struct alert *a, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	const char *comment = alert_body_str(body, "comment");
	const char *dept = alert_body_str(body, "dept");
	struct alert_dept *part = NULL;
	json_t *before;
	int64_t now = alert_engine_now(e), exp = 0, exp_set = 0;
	int has_exp;
	char what[128];

	if ((has_exp = alert_body_duration(body, "expires", &exp)) < 0) {
		alert_reply_error(r, 400,
		    "\"expires\": expected a duration "
		    "such as \"2h\"");
		return;
	}
	if (!alert_state_active(a->state)) {
		alert_conflict_ended(r, a);
		return;
	}
	if (a->state == ALERT_PENDING) {
		alert_reply_error(
		    r, 409, "%s is pending, not firing yet", a->id);
		return;
	}
	if (dept != NULL) {
		part = alert_dept_find(a, dept);
		if (part == NULL) {
			alert_reply_error(r, 400,
			    "department \"%s\" is not dispatched on %s", dept,
			    a->id);
			return;
		}
		if (part->state != ALERT_DEPT_PENDING) {
			snprintf(
			    what, sizeof what, "%s already acknowledged", dept);
			alert_conflict(r, what, part->by, "ack", part->at_ms);
			return;
		}
	} else if (a->state == ALERT_ACKED) {
		alert_conflict(
		    r, "already acknowledged", a->ack.by, "ack", a->ack.at_ms);
		return;
	}
	before = alert_snapshot(a);
	if (part != NULL) {
		part->state = ALERT_DEPT_ACKED;
		alert_str_set(&part->by, alert_actor_name(who));
		part->at_ms = now;
	}
	if (a->state == ALERT_FIRING) {
		alert_ack_reset(&a->ack);
		a->ack.by = xstrdup(alert_actor_name(who));
		a->ack.via = xstrdup(who->via != NULL ? who->via : "");
		a->ack.comment = comment != NULL ? xstrdup(comment) : NULL;
		a->ack.at_ms = now;
		a->ack.expires_ms =
		    has_exp ? now + exp : alert_ack_shift_expiry(e, now);
		exp_set = a->ack.expires_ms;
		a->state = ALERT_ACKED;
	}
	{
		json_t *after = alert_snapshot(a);

		if (dept != NULL)
			json_object_set_new(
			    after, "dept_acked", json_string(dept));
		if (exp_set != 0 || has_exp)
			json_object_set_new(after, "expires_ms",
			    json_integer(exp_set != 0 ? exp_set : now + exp));
		alert_action_record(
		    e, a, who, "ack", before, after, comment, dept);
		json_decref(before);
		json_decref(after);
	}
	alert_reply_set(r, 200, NULL);
}

static void
alert_action_unack(struct alert_engine *e, struct alert *a, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	const char *comment = alert_body_str(body, "comment");
	const char *dept = alert_body_str(body, "dept");
	struct alert_dept *part = NULL;
	json_t *before, *after;
	const char *owner;

	if (dept != NULL) {
		part = alert_dept_find(a, dept);
		if (part == NULL) {
			alert_reply_error(r, 400,
			    "department \"%s\" is not dispatched on %s", dept,
			    a->id);
			return;
		}
		if (part->state == ALERT_DEPT_PENDING) {
			alert_conflict(r, "not acknowledged", a->last_who,
			    a->last_action, a->last_at_ms);
			return;
		}
		owner = part->by;
	} else {
		if (a->state != ALERT_ACKED) {
			if (!alert_state_active(a->state))
				alert_conflict_ended(r, a);
			else
				alert_conflict_last(r, "not acknowledged", a);
			return;
		}
		owner = a->ack.by;
	}
	if (owner != NULL && strcmp(owner, alert_actor_name(who)) != 0 &&
	    who->role < HUB_ROLE_SUPERVISOR) {
		alert_reply_error(r, 403,
		    "acknowledged by %s: only they or a supervisor may "
		    "unacknowledge",
		    owner);
		return;
	}
	before = alert_snapshot(a);
	if (part != NULL) {
		part->state = ALERT_DEPT_PENDING;
		free(part->by);
		part->by = NULL;
		part->at_ms = 0;
	} else {
		alert_ack_reset(&a->ack);
		a->state = ALERT_FIRING;
		a->unacked_since_ms = alert_engine_now(e);
		a->escalation_step = 0; /* the chain starts over */
	}
	after = alert_snapshot(a);
	alert_action_record(e, a, who, "unack", before, after, comment, dept);
	json_decref(before);
	json_decref(after);
	alert_reply_set(r, 200, NULL);
}

static void
alert_action_comment(struct alert_engine *e, struct alert *a, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	const char *comment = alert_body_str(body, "comment");
	const char *dept = alert_body_str(body, "dept");
	struct alert_dept *part = NULL;
	json_t *after = NULL;

	if (comment == NULL)
		comment = alert_body_str(body, "report");
	if (comment == NULL || *comment == '\0') {
		alert_reply_error(r, 400, "\"comment\" is required");
		return;
	}
	if (dept != NULL) {
		if ((part = alert_dept_find(a, dept)) == NULL) {
			alert_reply_error(r, 400,
			    "department \"%s\" is not dispatched on %s", dept,
			    a->id);
			return;
		}
		part->state = ALERT_DEPT_REPORTED;
		alert_str_set(&part->by, alert_actor_name(who));
		part->at_ms = alert_engine_now(e);
		alert_str_set(&part->report, comment);
		after = json_pack(
		    "{s:s,s:s}", "dept", dept, "dept_state", "reported");
	}
	alert_action_record(e, a, who, part != NULL ? "report" : "comment",
	    NULL, after, comment, dept);
	json_decref(after);
	alert_reply_set(r, 200, NULL);
}

static void
alert_action_severity(struct alert_engine *e, struct alert *a, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	const char *s = alert_body_str(body, "severity");
	enum alert_sev sev;
	json_t *before, *after;
	char what[64];

	if (s == NULL || alert_sev_parse(s, &sev) != 0) {
		alert_reply_error(r, 400,
		    "\"severity\": expected \"high\", "
		    "\"medium\", \"low\" or \"info\"");
		return;
	}
	if (!alert_state_active(a->state)) {
		alert_conflict_ended(r, a);
		return;
	}
	if (sev == a->severity) {
		snprintf(what, sizeof what, "severity is already %s", s);
		alert_conflict(
		    r, what, a->last_who, a->last_action, a->last_at_ms);
		return;
	}
	before = alert_snapshot(a);
	a->severity = sev;
	a->escalation_step = 0; /* the new level's chain applies */
	after = alert_snapshot(a);
	alert_action_record(e, a, who, "severity", before, after,
	    alert_body_str(body, "comment"), NULL);
	json_decref(before);
	json_decref(after);
	alert_reply_set(r, 200, NULL);
}

/* A snapshot with the dispatch: lead, supporting departments and the
 * deadline, so that a re-dispatch's audit shows what was replaced (new
 * reference). */
static json_t *
alert_dispatch_snapshot(const struct alert *a)
{
	json_t *o = alert_snapshot(a), *arr = json_array();
	size_t i;

	for (i = 0; i < a->ndepts; i++) {
		if (!a->depts[i].lead)
			json_array_append_new(
			    arr, json_string(a->depts[i].dept));
	}
	json_object_set_new(o, "support", arr);
	json_object_set_new(o, "deadline_ms",
	    a->deadline_ms ? json_integer(a->deadline_ms) : json_null());
	return o;
}

static void
alert_action_dispatch(struct alert_engine *e, struct alert *a, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	const char *lead = alert_body_str(body, "dept");
	json_t *sup = json_object_get(body, "support"), *v, *before, *after;
	const char **support, **added;
	char what[160];
	int64_t dl = 0, now = alert_engine_now(e);
	int has_dl, same;
	size_t i, n = 0, nadded = 0;

	if (!alert_dept_ok(e, lead)) {
		alert_reply_error(r, 400,
		    lead == NULL ? "\"dept\" is required"
		                 : "unknown department \"%s\"",
		    lead);
		return;
	}
	if (sup != NULL && !json_is_array(sup)) {
		alert_reply_error(r, 400,
		    "\"support\": expected an array of "
		    "departments");
		return;
	}
	json_array_foreach(sup, i, v)
	{
		if (!alert_dept_ok(e, json_string_value(v))) {
			alert_reply_error(r, 400,
			    "\"support\"[%zu]: unknown department \"%s\"", i,
			    json_string_value(v) != NULL ? json_string_value(v)
			                                 : "");
			return;
		}
	}
	if ((has_dl = alert_body_duration(body, "deadline", &dl)) < 0) {
		alert_reply_error(r, 400,
		    "\"deadline\": expected a duration "
		    "such as \"72h\"");
		return;
	}
	if (!alert_state_active(a->state)) {
		alert_conflict_ended(r, a);
		return;
	}
	support = xcalloc(json_array_size(sup) + 1, sizeof *support);
	json_array_foreach(sup, i, v)
	{
		if (strcmp(json_string_value(v), lead) != 0)
			support[n++] = json_string_value(v);
	}
	/* The same dispatch again is a conflict (someone already did it). */
	same = alert_lead_dept(a) != NULL &&
	       strcmp(alert_lead_dept(a), lead) == 0 && a->ndepts == n + 1 &&
	       !has_dl;
	for (i = 0; same && i < n; i++)
		same = alert_dept_find(a, support[i]) != NULL;
	if (same) {
		snprintf(what, sizeof what, "already dispatched to %s", lead);
		alert_conflict(
		    r, what, a->last_who, a->last_action, a->last_at_ms);
		free(support);
		return;
	}
	added = xcalloc(n + 2, sizeof *added);
	if (alert_dept_find(a, lead) == NULL)
		added[nadded++] = lead;
	for (i = 0; i < n; i++) {
		if (alert_dept_find(a, support[i]) == NULL)
			added[nadded++] = support[i];
	}
	before = alert_dispatch_snapshot(a);
	alert_dispatch_set(a, lead, support);
	if (has_dl) {
		a->deadline_rel_ms = dl;
		a->deadline_ms = now + dl;
		a->overdue = 0;
	} else if (a->deadline_ms == 0) {
		a->deadline_rel_ms = e->rules->settings.default_deadline_ms;
		a->deadline_ms = now + a->deadline_rel_ms;
	}
	after = alert_dispatch_snapshot(a);
	alert_action_record(e, a, who, "dispatch", before, after,
	    alert_body_str(body, "comment"), NULL);
	json_decref(before);
	json_decref(after);
	if (nadded > 0)
		alert_engine_notify(e, a, "dispatch", added);
	free(added);
	free(support);
	alert_reply_set(r, 200, NULL);
}

static void
alert_action_close(struct alert_engine *e, struct alert *a, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	const char *reason = alert_body_str(body, "reason");
	json_t *before, *after;

	if (reason == NULL)
		reason = alert_body_str(body, "comment");
	if (reason == NULL || *reason == '\0') {
		alert_reply_error(r, 400, "\"reason\" is required");
		return;
	}
	if (!alert_state_active(a->state)) {
		alert_conflict_ended(r, a);
		return;
	}
	before = alert_snapshot(a);
	a->state = ALERT_CLOSED;
	a->ended_ms = alert_engine_now(e);
	alert_str_set(&a->close_reason, reason);
	if (a->from_event)
		a->cond = 0;
	after = alert_snapshot(a);
	alert_action_record(e, a, who, "close", before, after, reason, NULL);
	json_decref(before);
	json_decref(after);
	if (e->rules->settings.notify_resolved)
		alert_engine_notify(e, a, "close", NULL);
	alert_engine_inhibit_update(e, a);
	alert_reply_set(r, 200, NULL);
}

struct alert_action_entry {
	const char *name;
	enum hub_role min_role;
	alert_action_fn fn;
};

static const struct alert_action_entry alert_actions[] = {
    {.name = "ack", .min_role = HUB_ROLE_OPERATOR, .fn = alert_action_ack},
    {.name = "unack", .min_role = HUB_ROLE_OPERATOR, .fn = alert_action_unack},
    {.name = "comment",
        .min_role = HUB_ROLE_OPERATOR,
        .fn = alert_action_comment},
    {.name = "report",
        .min_role = HUB_ROLE_OPERATOR,
        .fn = alert_action_comment},
    {.name = "severity",
        .min_role = HUB_ROLE_SUPERVISOR,
        .fn = alert_action_severity},
    {.name = "dispatch",
        .min_role = HUB_ROLE_OPERATOR,
        .fn = alert_action_dispatch},
    {.name = "close", .min_role = HUB_ROLE_OPERATOR, .fn = alert_action_close},
    {.name = "assign",
        .min_role = HUB_ROLE_OPERATOR,
        .fn = alert_action_assign}, /* alert-worker.c */
    {.name = "extend",
        .min_role = HUB_ROLE_OPERATOR,
        .fn = alert_action_extend}, /* alert-ack-shift.c */
    {.name = NULL},
};

int
alert_action_min_role(const char *action, enum hub_role *role)
{
	const struct alert_action_entry *act;

	for (act = alert_actions; act->name != NULL; act++) {
		if (strcmp(act->name, action) == 0) {
			*role = act->min_role;
			return 0;
		}
	}
	return -1;
}

void
alert_engine_action(struct alert_engine *e, const char *id, const char *action,
    json_t *body, const struct alert_actor *who, struct alert_reply *r)
{
	const struct alert_action_entry *act;
	struct alert *a;
	json_t *rev, *empty = NULL;

	for (act = alert_actions; act->name != NULL; act++) {
		if (strcmp(act->name, action) == 0)
			break;
	}
	if (act->name == NULL) {
		alert_reply_error(r, 404,
		    "unknown action \"%s\" (ack, unack, extend, comment, "
		    "severity, dispatch, close, assign)",
		    action);
		return;
	}
	a = alert_engine_find(e, id);
	if (a == NULL || !alert_engine_visible(e, a, who)) {
		alert_reply_error(r, 404, "no alert \"%s\"", id);
		return;
	}
	if (who->role < act->min_role) {
		alert_reply_error(r, 403, "%s needs role %s (you are %s)",
		    act->name, hub_role_name(act->min_role),
		    hub_role_name(who->role));
		return;
	}
	if (!alert_engine_actionable(e, a, who)) {
		alert_reply_error(r, 403,
		    "%s (%s) is outside your scope %s: it is shown to you "
		    "view-only, for awareness; an operator whose scope "
		    "covers %s acts on it",
		    a->id, a->code != NULL ? a->code : "district-wide",
		    who->scope != NULL ? who->scope : "",
		    a->code != NULL ? a->code : "the district");
		return;
	}
	if (body == NULL)
		body = empty = json_object();
	if (!json_is_object(body)) {
		alert_reply_error(r, 400, "body: expected a JSON object");
		return;
	}
	if (alert_body_check_text(e, body, r) != 0) {
		json_decref(empty);
		return;
	}
	/* Optimistic concurrency: an action made on an old view conflicts. */
	rev = json_object_get(body, "rev");
	if (rev != NULL && (!json_is_integer(rev) ||
	                       (uint64_t)json_integer_value(rev) != a->rev)) {
		alert_conflict_last(r, "changed since you looked", a);
		json_decref(empty);
		return;
	}
	r->status = 0;
	r->body = NULL;
	act->fn(e, a, body, who, r);
	json_decref(empty);
	if (r->status == 200 && r->body == NULL)
		r->body = alert_engine_alert_json(e, a, NULL);
}

/* ---- Silences ----------------------------------------------------------- */

json_t *
alert_silence_record(const struct alert_silence *s)
{
	json_t *o = alert_silence_to_json(s, 0);

	json_object_del(o, "active");
	return o;
}

/* The place an = matcher of s names (the narrowest level first), or
 * NULL. */
static const char *
alert_silence_place(const struct alert_silence *s)
{
	static const char *const tags[] = {
	    "grid", "community", "subdistrict", "code", NULL};
	size_t i, t;

	for (t = 0; tags[t] != NULL; t++) {
		for (i = 0; i < s->n; i++) {
			if (s->m[i].op == ALERT_MATCH_EQ &&
			    strcmp(s->m[i].tag, tags[t]) == 0)
				return s->m[i].value;
		}
	}
	return NULL;
}

const char *
alert_silence_code(struct alert_engine *e, const struct alert_silence *s)
{
	const char *place = alert_silence_place(s);

	if (s->scope == NULL)
		return place;
	if (place != NULL && alert_engine_within(e, place, s->scope))
		return place;
	return s->scope;
}

static void
alert_silence_save(struct alert_engine *e, struct alert_silence *s)
{
	char key[64], *text, *cause = NULL;
	json_t *o = alert_silence_record(s);

	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	snprintf(key, sizeof key, SILENCE_PREFIX "%012" PRIu64, s->num);
	if (text == NULL || alert_kv_put_str(e->kv, key, text, &cause) != 0) {
		log_error("alerts", "saving silence %s: %s", s->id,
		    cause != NULL ? cause : "cannot encode");
		free(cause);
	}
	free(text);
}

static void
alert_silences_apply(struct alert_engine *e)
{
	int64_t now = alert_engine_now(e);
	size_t i;

	for (i = 0; i < e->nalerts; i++) {
		if (alert_engine_silence_check(e, e->alerts[i], now))
			alert_engine_save(e, e->alerts[i]);
	}
}

/* Silences are masked like the alerts they mute: a caller sees those
 * whose territory is inside its scope or contains it (a district-wide
 * silence mutes its alerts too), never another place's. */
int
alert_silence_visible(struct alert_engine *e, const struct alert_silence *s,
    const struct alert_actor *who)
{
	const char *code = alert_silence_code(e, s);

	if (code == NULL || alert_engine_scope_all(e, who->scope))
		return 1;
	return alert_engine_within(e, code, who->scope) ||
	       alert_engine_within(e, who->scope, code);
}

/* May who create s (its = place matchers inside or around who's scope)?
 * 0, or -1 after replying 403. */
static int
alert_silence_creatable(struct alert_engine *e, const struct alert_silence *s,
    const struct alert_actor *who, struct alert_reply *r)
{
	static const char *const tags[] = {
	    "grid", "community", "subdistrict", "code", NULL};
	size_t i, t;

	if (alert_engine_scope_all(e, who->scope))
		return 0;
	for (i = 0; i < s->n; i++) {
		for (t = 0; tags[t] != NULL; t++) {
			if (strcmp(s->m[i].tag, tags[t]) == 0)
				break;
		}
		if (tags[t] == NULL || s->m[i].op != ALERT_MATCH_EQ ||
		    alert_engine_within(e, s->m[i].value, who->scope) ||
		    alert_engine_within(e, who->scope, s->m[i].value))
			continue;
		alert_reply_error(r, 403,
		    "matcher %s=\"%s\" is outside your scope %s", s->m[i].tag,
		    s->m[i].value, who->scope);
		return -1;
	}
	return 0;
}

void
alert_engine_silence_list(struct alert_engine *e, int all,
    const struct alert_actor *who, struct alert_reply *r)
{
	json_t *arr = json_array();
	int64_t now = alert_engine_now(e);
	size_t i;

	for (i = 0; i < e->nsilences; i++) {
		struct alert_silence *s = e->silences[i];

		if (!all && !alert_silence_active(s, now) &&
		    !(s->start_ms > now && !s->deleted))
			continue;
		if (!alert_silence_visible(e, s, who))
			continue;
		json_array_append_new(arr, alert_silence_to_json(s, now));
	}
	alert_reply_set(r, 200, json_pack("{s:o}", "silences", arr));
}

void
alert_engine_silence_create(struct alert_engine *e, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct alert_silence *s;
	char *cause = NULL, seq[32];
	int64_t now = alert_engine_now(e);

	if (who->role < HUB_ROLE_SUPERVISOR) {
		alert_reply_error(r, 403, "silences need role supervisor");
		return;
	}
	if (alert_silence_check_size(e, body, r) != 0)
		return;
	s = alert_silence_from_api(e->next_silence, body, now, &cause);
	if (s == NULL) {
		alert_reply_error(r, 400, "%s", cause);
		free(cause);
		return;
	}
	if (alert_silence_creatable(e, s, who, r) != 0) {
		alert_silence_free(s);
		return;
	}
	e->next_silence++;
	snprintf(seq, sizeof seq, "%" PRIu64, e->next_silence);
	if (alert_kv_put_str(e->kv, SILENCE_SEQ_KEY, seq, &cause) != 0) {
		log_error("alerts", "saving silence counter: %s", cause);
		free(cause);
	}
	s->author = xstrdup(alert_actor_name(who));
	if (who->scope != NULL && e->env.root != NULL &&
	    (e->env.root(e->env.arg) == NULL ||
	        strcmp(e->env.root(e->env.arg), who->scope) != 0))
		s->scope = xstrdup(who->scope);
	e->silences =
	    xreallocarray(e->silences, e->nsilences + 1, sizeof *e->silences);
	e->silences[e->nsilences++] = s;
	alert_silence_save(e, s);
	alert_engine_audit_silence(
	    e, who, "silence.create", s, NULL, alert_silence_to_json(s, now));
	alert_silences_apply(e);
	alert_reply_set(r, 201, alert_silence_to_json(s, now));
}

void
alert_engine_silence_delete(struct alert_engine *e, const char *id,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct alert_silence *s = NULL;
	struct alert probe;
	int64_t now = alert_engine_now(e);
	json_t *before;
	size_t i;

	for (i = 0; i < e->nsilences; i++) {
		if (strcmp(e->silences[i]->id, id) == 0)
			s = e->silences[i];
	}
	if (s == NULL || !alert_silence_visible(e, s, who)) {
		alert_reply_error(r, 404, "no silence \"%s\"", id);
		return;
	}
	if (who->role < HUB_ROLE_SUPERVISOR) {
		alert_reply_error(r, 403, "silences need role supervisor");
		return;
	}
	memset(&probe, 0, sizeof probe);
	probe.code = (char *)alert_silence_code(e, s);
	if (!alert_engine_actionable(e, &probe, who)) {
		alert_reply_error(r, 403, "%s covers %s, outside your scope",
		    s->id, probe.code != NULL ? probe.code : "the district");
		return;
	}
	if (s->deleted) {
		alert_conflict(r, "already deleted", s->deleted_by, "delete",
		    s->deleted_ms);
		return;
	}
	before = alert_silence_to_json(s, now);
	s->deleted = 1;
	s->deleted_by = xstrdup(alert_actor_name(who));
	s->deleted_ms = now;
	alert_silence_save(e, s);
	alert_engine_audit_silence(
	    e, who, "silence.delete", s, before, alert_silence_to_json(s, now));
	alert_silences_apply(e);
	alert_reply_set(r, 200, alert_silence_to_json(s, now));
}
