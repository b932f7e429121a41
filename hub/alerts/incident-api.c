/*
 * Incidents through the API: list, one, made by hand, and their actions
 * (dispatch, add, handle, close, reopen).  See incident.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/incident-engine.h"
#include "hub/alerts/incident.h"
#include "lib/xmalloc.h"

#define INCIDENT_LIST_LIMIT 500

/* Does state name s appear in the comma list? */
static int
incident_state_in(const char *list, const char *s)
{
	size_t n = strlen(s);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, s, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		p = p != NULL ? p + 1 : NULL;
	}
	return 0;
}

void
alert_engine_incident_list(struct alert_engine *e, const char *state,
    size_t limit, const struct alert_actor *who, struct alert_reply *r)
{
	struct incident_set *s = e->incidents;
	json_t *arr = json_array();
	size_t i, n = 0;

	if (limit == 0)
		limit = INCIDENT_LIST_LIMIT;
	for (i = s->n; i-- > 0;) {
		struct incident *inc = s->v[i];

		if (!incident_visible(e, inc, who) ||
		    (state != NULL && !incident_state_in(state,
		                          incident_state_name(inc->state))))
			continue;
		if (n++ < limit)
			json_array_append_new(arr, incident_json(e, inc, 0));
	}
	alert_reply_set(r, 200,
	    json_pack("{s:o,s:I}", "incidents", arr, "total", (json_int_t)n));
}

void
alert_engine_incident_get(struct alert_engine *e, const char *id,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct incident *inc = incident_find(e, id);

	if (inc == NULL || !incident_visible(e, inc, who)) {
		alert_reply_error(r, 404, "no incident \"%s\"", id);
		return;
	}
	alert_reply_set(r, 200, incident_json(e, inc, 1));
}

/* The alerts of body's "alerts" into v (n of them), each one who may act
 * on and in no incident; -1 after replying. */
static int
incident_body_alerts(struct alert_engine *e, json_t *body,
    const struct alert_actor *who, struct alert ***out, size_t *nout,
    struct alert_reply *r)
{
	json_t *ids = json_object_get(body, "alerts"), *v;
	struct alert **a;
	struct incident *other;
	size_t i, k;

	if (!json_is_array(ids) || json_array_size(ids) == 0) {
		alert_reply_error(r, 400,
		    "\"alerts\": list the ids of the alerts (or cases) "
		    "that are one situation");
		return -1;
	}
	a = xcalloc(json_array_size(ids), sizeof *a);
	json_array_foreach(ids, i, v)
	{
		const char *id = json_string_value(v);

		a[i] = id != NULL ? alert_engine_find(e, id) : NULL;
		if (a[i] == NULL || !alert_engine_visible(e, a[i], who)) {
			alert_reply_error(r, 404,
			    "\"alerts\"[%zu]: no alert \"%s\"", i,
			    id != NULL ? id : "");
			goto fail;
		}
		if (!alert_engine_actionable(e, a[i], who)) {
			alert_reply_error(r, 403,
			    "%s (%s) is outside your scope %s", a[i]->id,
			    a[i]->code != NULL ? a[i]->code : "district-wide",
			    who->scope != NULL ? who->scope : "");
			goto fail;
		}
		if ((other = incident_of(e, a[i]->id)) != NULL) {
			alert_reply_error(r, 409,
			    "%s is already in incident %s", a[i]->id,
			    other->id);
			goto fail;
		}
		for (k = 0; k < i; k++) {
			if (a[k] == a[i]) {
				alert_reply_error(r, 400,
				    "\"alerts\"[%zu]: %s twice", i, a[i]->id);
				goto fail;
			}
		}
	}
	*out = a;
	*nout = json_array_size(ids);
	return 0;
fail:
	free(a);
	return -1;
}

/* The place all of v's alerts share (the lowest level), or NULL. */
static const char *
incident_common_place(struct alert **v, size_t n)
{
	static const char *const levels[] = {
	    "grid", "community", "subdistrict"};
	const char *c, *d;
	size_t l, i;

	for (l = 0; l < 3; l++) {
		c = json_string_value(json_object_get(v[0]->labels, levels[l]));
		for (i = 1; c != NULL && i < n; i++) {
			d = json_string_value(
			    json_object_get(v[i]->labels, levels[l]));
			if (d == NULL || strcmp(c, d) != 0)
				c = NULL;
		}
		if (c != NULL)
			return c;
	}
	return NULL;
}

/* Are body's "dept" and "support" known departments?  0, or -1 after
 * replying 400. */
static int
incident_depts_check(
    struct alert_engine *e, json_t *body, struct alert_reply *r)
{
	const char *lead = alert_body_str(body, "dept");
	json_t *sup = json_object_get(body, "support"), *v;
	size_t i;

	if (lead != NULL && !alert_dept_ok(e, lead)) {
		alert_reply_error(r, 400, "unknown department \"%s\"", lead);
		return -1;
	}
	if (sup != NULL && !json_is_array(sup)) {
		alert_reply_error(
		    r, 400, "\"support\": expected an array of departments");
		return -1;
	}
	json_array_foreach(sup, i, v)
	{
		if (!alert_dept_ok(e, json_string_value(v))) {
			alert_reply_error(r, 400,
			    "\"support\"[%zu]: unknown department \"%s\"", i,
			    json_string_value(v) != NULL ? json_string_value(v)
			                                 : "");
			return -1;
		}
	}
	return 0;
}

/* Set inc's departments from body's "dept" and "support" (checked). */
static void
incident_depts_set(json_t *body, struct incident *inc)
{
	const char *lead = alert_body_str(body, "dept");
	json_t *sup = json_object_get(body, "support"), *v;
	size_t i;

	if (lead != NULL)
		alert_str_set(&inc->lead, lead);
	if (sup != NULL) {
		json_decref(inc->support);
		inc->support = json_array();
		json_array_foreach(sup, i, v)
		{
			if (inc->lead == NULL ||
			    strcmp(json_string_value(v), inc->lead) != 0)
				json_array_append(inc->support, v);
		}
	}
}

void
alert_engine_incident_new(struct alert_engine *e, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct alert **v = NULL;
	struct incident *inc;
	const char *title, *code;
	char *deftitle = NULL;
	size_t n = 0, i;

	if (!json_is_object(body)) {
		alert_reply_error(r, 400, "body: expected a JSON object");
		return;
	}
	if (who->role < HUB_ROLE_OPERATOR) {
		alert_reply_error(r, 403, "an incident needs role operator");
		return;
	}
	if (alert_body_check_text(e, body, r) != 0 ||
	    incident_depts_check(e, body, r) != 0 ||
	    incident_body_alerts(e, body, who, &v, &n, r) != 0)
		return;
	title = alert_body_str(body, "title");
	if (title == NULL || *title == '\0')
		title = deftitle = xasprintf("%s and %zu more",
		    v[0]->message != NULL ? v[0]->message : v[0]->id, n - 1);
	inc = incident_new(e, title);
	free(deftitle);
	incident_depts_set(body, inc);
	code = incident_common_place(v, n);
	inc->code = code != NULL ? xstrdup(code) : NULL;
	incident_record(e, inc, who, "create",
	    json_pack("{s:s,s:s?,s:I}", "title", inc->title, "code", inc->code,
	        "alerts", (json_int_t)n),
	    alert_body_str(body, "comment"));
	for (i = 0; i < n; i++)
		incident_join(e, inc, v[i], who);
	free(v);
	incident_notify(e, inc, "create");
	alert_reply_set(r, 201, incident_json(e, inc, 1));
}

static void
incident_action_dispatch(struct alert_engine *e, struct incident *inc,
    json_t *body, const struct alert_actor *who, struct alert_reply *r)
{
	int64_t dl = 0, now = alert_engine_now(e);
	int has_dl = alert_body_duration(body, "deadline", &dl);
	size_t i, done = 0;
	json_t *id, *failed = json_array();
	struct alert *a;

	if (has_dl < 0) {
		alert_reply_error(
		    r, 400, "\"deadline\": expected a duration such as \"4h\"");
		goto out;
	}
	if (inc->state >= INCIDENT_HANDLED) {
		alert_reply_error(r, 409, "%s is %s", inc->id,
		    incident_state_name(inc->state));
		goto out;
	}
	if (incident_depts_check(e, body, r) != 0)
		goto out;
	incident_depts_set(body, inc);
	if (inc->lead == NULL) {
		alert_reply_error(r, 400, "\"dept\" is required");
		goto out;
	}
	if (has_dl)
		inc->deadline_rel_ms = dl;
	if (inc->deadline_rel_ms <= 0)
		inc->deadline_rel_ms = e->rules->settings.default_deadline_ms;
	inc->deadline_ms = now + inc->deadline_rel_ms;
	inc->state = INCIDENT_DISPATCHED;
	incident_record(e, inc, who, "dispatch",
	    json_pack("{s:s,s:O,s:I}", "lead", inc->lead, "support",
	        inc->support, "deadline_ms", (json_int_t)inc->deadline_ms),
	    alert_body_str(body, "comment"));
	/* Dispatching the incident dispatches its active alerts. */
	json_array_foreach(inc->alerts, i, id)
	{
		a = alert_engine_find(e, json_string_value(id));
		if (a == NULL || !alert_state_active(a->state))
			continue;
		if (incident_dispatch_alert(e, inc, a, who) == 200)
			done++;
		else
			json_array_append(failed, id);
	}
	alert_reply_set(r, 200, incident_json(e, inc, 1));
	json_object_set_new(
	    r->body, "alerts_dispatched", json_integer((json_int_t)done));
	json_object_set(r->body, "alerts_unchanged", failed);
out:
	json_decref(failed);
}

static void
incident_action_add(struct alert_engine *e, struct incident *inc, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct alert **v = NULL;
	size_t n = 0, i;

	if (inc->state == INCIDENT_CLOSED) {
		alert_reply_error(r, 409, "%s is closed", inc->id);
		return;
	}
	if (incident_body_alerts(e, body, who, &v, &n, r) != 0)
		return;
	for (i = 0; i < n; i++)
		incident_join(e, inc, v[i], who);
	free(v);
	alert_reply_set(r, 200, incident_json(e, inc, 1));
}

/* handle, close, reopen: a move of the lifecycle. */
static void
incident_action_move(struct alert_engine *e, struct incident *inc,
    const char *action, json_t *body, const struct alert_actor *who,
    struct alert_reply *r)
{
	enum incident_state to =
	    strcmp(action, "handle") == 0  ? INCIDENT_HANDLED
	    : strcmp(action, "close") == 0 ? INCIDENT_CLOSED
	                                   : INCIDENT_OPEN;
	int ok = to == INCIDENT_OPEN      ? inc->state >= INCIDENT_HANDLED
	         : to == INCIDENT_HANDLED ? inc->state <= INCIDENT_DISPATCHED
	                                  : inc->state != INCIDENT_CLOSED;

	if (!ok) {
		alert_reply_error(r, 409, "%s is %s: cannot %s it", inc->id,
		    incident_state_name(inc->state), action);
		return;
	}
	inc->state = to;
	inc->ended_ms = to == INCIDENT_OPEN ? 0 : alert_engine_now(e);
	if (to != INCIDENT_OPEN)
		incident_ungroup(e, inc);
	else if (inc->gkey != NULL &&
	         alert_map_get(&e->incidents->by_group, inc->gkey) == NULL)
		alert_map_put(&e->incidents->by_group, inc->gkey, inc);
	incident_record(e, inc, who, action,
	    json_pack("{s:s}", "state", incident_state_name(to)),
	    alert_body_str(body, "comment"));
	alert_reply_set(r, 200, incident_json(e, inc, 1));
}

void
alert_engine_incident_action(struct alert_engine *e, const char *id,
    const char *action, json_t *body, const struct alert_actor *who,
    struct alert_reply *r)
{
	struct incident *inc = incident_find(e, id);
	json_t *empty = NULL;

	if (inc == NULL || !incident_visible(e, inc, who)) {
		alert_reply_error(r, 404, "no incident \"%s\"", id);
		return;
	}
	if (who->role < HUB_ROLE_OPERATOR) {
		alert_reply_error(r, 403, "%s needs role operator (you are %s)",
		    action, hub_role_name(who->role));
		return;
	}
	if (body == NULL)
		body = empty = json_object();
	if (!json_is_object(body))
		alert_reply_error(r, 400, "body: expected a JSON object");
	else if (alert_body_check_text(e, body, r) != 0)
		;
	else if (strcmp(action, "dispatch") == 0)
		incident_action_dispatch(e, inc, body, who, r);
	else if (strcmp(action, "add") == 0)
		incident_action_add(e, inc, body, who, r);
	else if (strcmp(action, "handle") == 0 ||
	         strcmp(action, "close") == 0 || strcmp(action, "reopen") == 0)
		incident_action_move(e, inc, action, body, who, r);
	else
		alert_reply_error(r, 404,
		    "unknown action \"%s\" (dispatch, add, handle, close, "
		    "reopen)",
		    action);
	json_decref(empty);
}
