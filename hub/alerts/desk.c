/* Desks' queues and who is on duty on them (see desk.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/desk.h"
#include "lib/xmalloc.h"

#define DESK_QUEUE_LIMIT 200

/* One operator on one desk. */
struct desk_duty {
	char *desk, *user, *via, *from;
	char *scope; /* the user's, or NULL */
	int64_t since_ms, seen_ms;
};

static int
desk_list_has(char *const *list, const char *s)
{
	size_t i;

	if (list == NULL)
		return 1;
	for (i = 0; s != NULL && list[i] != NULL; i++) {
		if (strcmp(list[i], s) == 0)
			return 1;
	}
	return 0;
}

static int
desk_tri(int want, int have)
{
	return want < 0 || want == (have != 0);
}

/* Does a pass filter f? */
static int
desk_filter_match(const struct desk_filter *f, const struct alert *a)
{
	size_t i;
	int dept = f->depts == NULL;

	if (f->states != 0 ? !(f->states & (1u << a->state))
	                   : !alert_state_active(a->state))
		return 0;
	if (f->severities != 0 && !(f->severities & (1u << a->severity)))
		return 0;
	if (!desk_list_has(f->sources, alert_source_name(a)) ||
	    !desk_list_has(f->rules, a->rule) ||
	    !desk_list_has(f->categories,
	        json_string_value(json_object_get(a->labels, "category"))))
		return 0;
	for (i = 0; !dept && i < a->ndepts; i++)
		dept = desk_list_has(f->depts, a->depts[i].dept);
	return dept && desk_tri(f->dispatched, a->ndepts > 0) &&
	       desk_tri(f->escalated, a->escalation_step > 0) &&
	       desk_tri(f->overdue, a->overdue);
}

int
desk_queue_has(
    struct alert_engine *e, const struct desk *d, const struct alert *a)
{
	(void)e;
	if (!alert_state_active(a->state))
		return desk_filter_match(&d->filter, a);
	/* Escalated to this desk, and still unacknowledged. */
	if (a->state == ALERT_FIRING && a->escalation_step > 0 &&
	    a->escalated_to != NULL &&
	    strncmp(a->escalated_to, "desk:", 5) == 0 &&
	    strcmp(a->escalated_to + 5, d->id) == 0)
		return 1;
	/* The dispatch desk routes the cases no category routed. */
	if (strcmp(d->id, "dispatch") == 0 && alert_key_is_case(a->key) &&
	    a->ndepts == 0)
		return 1;
	return desk_filter_match(&d->filter, a);
}

/* ---- On duty ------------------------------------------------------------ */

static void
desk_duty_clear(struct desk_duty *u)
{
	free(u->desk);
	free(u->user);
	free(u->via);
	free(u->from);
	free(u->scope);
}

/* Drop who was not heard from within the TTL or whose desk is gone. */
static void
desk_duty_prune(struct alert_engine *e)
{
	int64_t now = alert_engine_now(e);
	size_t i, n = 0;

	for (i = 0; i < e->nduty; i++) {
		struct desk_duty *u = &e->duty[i];

		if (now - u->seen_ms > DESK_DUTY_TTL_MS ||
		    desks_find(e->rules, u->desk) == NULL) {
			desk_duty_clear(u);
			continue;
		}
		e->duty[n++] = *u;
	}
	e->nduty = n;
}

static struct desk_duty *
desk_duty_find(struct alert_engine *e, const char *desk, const char *user)
{
	size_t i;

	for (i = 0; i < e->nduty; i++) {
		if (strcmp(e->duty[i].desk, desk) == 0 &&
		    strcmp(e->duty[i].user, user) == 0)
			return &e->duty[i];
	}
	return NULL;
}

void
alert_engine_desk_duty_free(struct alert_engine *e)
{
	size_t i;

	for (i = 0; i < e->nduty; i++)
		desk_duty_clear(&e->duty[i]);
	free(e->duty);
	e->duty = NULL;
	e->nduty = 0;
}

/* Does who see operator u (their scopes overlap: a subdistrict's operator
 * is not shown to another subdistrict's)? */
static int
desk_duty_visible(struct alert_engine *e, const struct desk_duty *u,
    const struct alert_actor *who)
{
	return u->scope == NULL || who->scope == NULL ||
	       alert_engine_within(e, u->scope, who->scope) ||
	       alert_engine_within(e, who->scope, u->scope);
}

/* The operators on desk d that who sees, earliest first (new
 * reference). */
static json_t *
desk_duty_json(
    struct alert_engine *e, const struct desk *d, const struct alert_actor *who)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < e->nduty; i++) {
		const struct desk_duty *u = &e->duty[i];

		if (strcmp(u->desk, d->id) != 0 ||
		    !desk_duty_visible(e, u, who))
			continue;
		json_array_append_new(
		    arr, json_pack("{s:s,s:I,s:I}", "user", u->user, "since_ms",
		             (json_int_t)u->since_ms, "seen_ms",
		             (json_int_t)u->seen_ms));
	}
	return arr;
}

static json_t *
desk_strarray_json(char *const *v)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		json_array_append_new(arr, json_string(v[i]));
	return arr;
}

/* The desk's own members, its operators and its queue's size as who sees
 * it (new reference). */
static json_t *
desk_json(
    struct alert_engine *e, const struct desk *d, const struct alert_actor *who)
{
	json_t *o = json_pack("{s:s,s:s}", "id", d->id, "name", d->name);
	struct hub_alert_counts c;
	size_t i, n = 0;

	memset(&c, 0, sizeof c);
	for (i = 0; i < e->nalerts; i++) {
		const struct alert *a = e->alerts[i];

		if (!alert_state_active(a->state) ||
		    !alert_engine_visible(e, a, who) ||
		    !desk_queue_has(e, d, a))
			continue;
		n++;
		if (a->severity == ALERT_SEV_HIGH)
			c.high++;
	}
	json_object_set_new(o, "name_en",
	    d->name_en != NULL ? json_string(d->name_en) : json_null());
	json_object_set_new(o, "columns", desk_strarray_json(d->columns));
	json_object_set_new(o, "on_duty", desk_duty_json(e, d, who));
	json_object_set_new(o, "queue",
	    json_pack("{s:I,s:I}", "total", (json_int_t)n, "high",
	        (json_int_t)c.high));
	return o;
}

void
alert_engine_desk_list(struct alert_engine *e, const struct alert_actor *who,
    struct alert_reply *r)
{
	json_t *arr = json_array();
	size_t i;

	desk_duty_prune(e);
	for (i = 0; i < e->rules->ndesks; i++)
		json_array_append_new(
		    arr, desk_json(e, &e->rules->desks[i], who));
	alert_reply_set(r, 200, json_pack("{s:o}", "desks", arr));
}

void
alert_engine_desk_get(struct alert_engine *e, const char *id, size_t limit,
    const struct alert_actor *who, struct alert_reply *r)
{
	const struct desk *d = desks_find(e->rules, id);
	struct alert **v;
	json_t *o, *arr;
	size_t i, n = 0;

	if (d == NULL) {
		alert_reply_error(r, 404, "no desk \"%s\"", id);
		return;
	}
	desk_duty_prune(e);
	v = xcalloc(e->nalerts + 1, sizeof *v);
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];

		if (alert_engine_visible(e, a, who) && desk_queue_has(e, d, a))
			v[n++] = a;
	}
	qsort(v, n, sizeof *v, alert_cmp_worst_oldest);
	arr = json_array();
	if (limit == 0)
		limit = DESK_QUEUE_LIMIT;
	for (i = 0; i < n && i < limit; i++)
		json_array_append_new(
		    arr, alert_engine_alert_json(e, v[i], NULL));
	free(v);
	o = desk_json(e, d, who);
	json_object_set_new(o, "alerts", arr);
	json_object_set_new(o, "total", json_integer((json_int_t)n));
	alert_reply_set(r, 200, o);
}

void
alert_engine_desk_duty(struct alert_engine *e, const char *id, int on,
    const struct alert_actor *who, struct alert_reply *r)
{
	const struct desk *d = desks_find(e->rules, id);
	struct desk_duty *u;
	int64_t now = alert_engine_now(e);

	if (d == NULL) {
		alert_reply_error(r, 404, "no desk \"%s\"", id);
		return;
	}
	if (who->who == NULL) {
		alert_reply_error(r, 403, "a desk's operators are users");
		return;
	}
	desk_duty_prune(e);
	u = desk_duty_find(e, d->id, who->who);
	if (on && u != NULL)
		u->seen_ms = now;
	else if (on) {
		e->duty = xreallocarray(e->duty, e->nduty + 1, sizeof *e->duty);
		u = &e->duty[e->nduty++];
		u->desk = xstrdup(d->id);
		u->user = xstrdup(who->who);
		u->via = xstrdup(who->via != NULL ? who->via : "");
		u->from = xstrdup(who->from != NULL ? who->from : "");
		u->scope = who->scope != NULL ? xstrdup(who->scope) : NULL;
		u->since_ms = u->seen_ms = now;
		alert_engine_audit_note(e, who, "desk.on", d->id, who->scope,
		    NULL, json_pack("{s:s}", "desk", d->id), NULL);
	} else if (u != NULL) {
		alert_engine_audit_note(e, who, "desk.off", d->id, who->scope,
		    json_pack("{s:s,s:I}", "desk", d->id, "since_ms",
		        (json_int_t)u->since_ms),
		    NULL, NULL);
		desk_duty_clear(u);
		memmove(u, u + 1,
		    (size_t)(e->duty + e->nduty - (u + 1)) * sizeof *u);
		e->nduty--;
	}
	alert_reply_set(r, 200, desk_json(e, d, who));
}
