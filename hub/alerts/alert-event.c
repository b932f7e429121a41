/*
 * Events: alerts raised and resolved directly by collectors and plugins
 * (POST /api/v1/events), with the same write scope as line protocol.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"

#define EVENT_KEY_MAX 256

/* ---- Events ------------------------------------------------------------ */

static int
alert_event_labels(
    struct alert_engine *e, json_t *in, json_t **out, struct alert_reply *r)
{
	static const char *const levels[] = {
	    "grid", "community", "subdistrict"};
	const char *k, *code;
	json_t *v;
	size_t i;

	*out = json_object();
	if (in != NULL && !json_is_object(in)) {
		alert_reply_error(r, 400, "\"labels\": expected an object");
		return -1;
	}
	if (json_object_size(in) > e->limits.max_labels) {
		alert_reply_error(r, 413,
		    "\"labels\": %zu labels, over limits.max_event_labels "
		    "(%zu)",
		    json_object_size(in), e->limits.max_labels);
		return -1;
	}
	json_object_foreach(in, k, v)
	{
		if (!json_is_string(v) || *k == '\0') {
			alert_reply_error(
			    r, 400, "\"labels\": \"%s\": expected a string", k);
			return -1;
		}
		if (strlen(k) > e->limits.max_label ||
		    json_string_length(v) > e->limits.max_label) {
			alert_reply_error(r, 413,
			    "\"labels\": a name or value over "
			    "limits.max_label_bytes (%zu)",
			    e->limits.max_label);
			return -1;
		}
		json_object_set(*out, k, v);
	}
	for (i = 0; i < 3; i++) {
		code = json_string_value(json_object_get(*out, levels[i]));
		if (code != NULL && e->env.code_check != NULL &&
		    e->env.code_check(e->env.arg, levels[i], code) != 0) {
			alert_reply_error(
			    r, 400, "unknown %s \"%s\"", levels[i], code);
			return -1;
		}
	}
	return 0;
}

/* May who raise, refresh or resolve an event about system at code (of
 * the existing alert a, or of the event's labels when a is NULL)?  The
 * write scope of points: a collector token for its systems and places
 * (an event without a place is district-wide: only for a token of the
 * whole district), a user inside its scope.  0, or -1 after replying 403
 * saying why. */
int
alert_event_allowed(struct alert_engine *e, const struct alert_actor *who,
    const struct alert *a, const char *system, const char *code,
    struct alert_reply *r)
{
	struct alert probe;
	const char *place = code != NULL ? code : "the whole district";
	char *what;

	if (a != NULL)
		what = xasprintf("alert %s (%s)", a->id, place);
	else
		what = xstrdup(code != NULL
		                   ? code
		                   : "the whole district (an event without a "
		                     "grid, community or subdistrict label)");
	if (who->token_ptr != NULL && who->role == HUB_ROLE_COLLECTOR) {
		if (e->env.token_may == NULL ||
		    e->env.token_may(
		        e->env.arg, who->token_ptr, system, code)) {
			free(what);
			return 0;
		}
		alert_reply_error(r, 403,
		    "token %s may not write for %s%s%s%s: outside its systems "
		    "or places",
		    who->token != NULL ? who->token : "", what,
		    system != NULL ? " (system \"" : "",
		    system != NULL ? system : "", system != NULL ? "\")" : "");
		free(what);
		return -1;
	}
	memset(&probe, 0, sizeof probe);
	probe.code = (char *)code;
	if (who->role >= HUB_ROLE_OPERATOR &&
	    alert_engine_actionable(e, &probe, who)) {
		free(what);
		return 0;
	}
	alert_reply_error(r, 403,
	    "%s may not raise or resolve events for %s: outside scope %s",
	    alert_actor_name(who), what,
	    who->scope != NULL ? who->scope : "(none)");
	free(what);
	return -1;
}

/* The existing alert a: may who change it? */
static int
alert_event_allowed_on(struct alert_engine *e, const struct alert_actor *who,
    const struct alert *a, struct alert_reply *r)
{
	return alert_event_allowed(e, who, a,
	    json_string_value(json_object_get(a->labels, "system")), a->code,
	    r);
}

/* Would raising the event again change the existing alert a (active, or
 * resolved within the flap window: reopened)?  Else a new alert. */
static int
alert_event_touches(struct alert_engine *e, const struct alert *a, int64_t now)
{
	return a != NULL &&
	       (alert_state_active(a->state) ||
	           (a->state == ALERT_RESOLVED &&
	               now - a->ended_ms <= e->rules->settings.flap_window_ms));
}

/* Apply an event's message (with its ASCII form message_en, which a new
 * message without one clears), detail and value to a; record the change
 * (history and audit, "refresh") when there is one. */
static void
alert_event_refresh(struct alert_engine *e, struct alert *a,
    const struct audit_actor *ac, const char *msg, const char *msg_en,
    const char *detail, json_t *value)
{
	json_t *before = json_object(), *after = json_object();

	if (msg != NULL &&
	    (a->message == NULL || strcmp(a->message, msg) != 0)) {
		json_object_set_new(before, "message",
		    a->message != NULL ? json_string(a->message) : json_null());
		json_object_set_new(after, "message", json_string(msg));
		alert_str_set(&a->message, msg);
		alert_str_set(&a->message_en, msg_en);
	} else if (msg_en != NULL)
		alert_str_set(&a->message_en, msg_en);
	if (detail != NULL &&
	    (a->detail == NULL || strcmp(a->detail, detail) != 0)) {
		json_object_set_new(before, "detail",
		    a->detail != NULL ? json_string(a->detail) : json_null());
		json_object_set_new(after, "detail", json_string(detail));
		alert_str_set(&a->detail, detail);
	}
	if (json_is_number(value) && json_number_value(value) != a->value) {
		json_object_set_new(before, "value",
		    isnan(a->value) ? json_null() : json_real(a->value));
		json_object_set_new(
		    after, "value", json_real(json_number_value(value)));
		a->value = json_number_value(value);
	}
	a->updated_ms = alert_engine_now(e);
	a->dirty = 1;
	if (json_object_size(after) > 0)
		alert_engine_record(e, a, ac, "refresh", before, after, NULL);
	else {
		json_decref(before);
		json_decref(after);
	}
}

/* An event's message with {place} and {code} filled in, the place in its
 * English/pinyin names when en (other braces stay as they are); NULL for
 * NULL, else heap. */
static char *
alert_event_expand(
    struct alert_engine *e, const char *msg, const char *code, int en)
{
	char *(*fn)(void *, const char *) = en ? e->env.place_en : e->env.place;
	char *place = NULL;
	struct buf b = BUF_INIT;
	const char *p;

	if (msg == NULL)
		return NULL;
	for (p = msg; *p != '\0'; p++) {
		if (strncmp(p, "{place}", 7) == 0) {
			if (place == NULL && code != NULL && fn != NULL)
				place = fn(e->env.arg, code);
			buf_puts(&b, place != NULL  ? place
			             : code != NULL ? code
			                            : "district");
			p += 6;
		} else if (strncmp(p, "{code}", 6) == 0) {
			buf_puts(&b, code != NULL ? code : "district");
			p += 5;
		} else
			buf_putc(&b, *p);
	}
	free(place);
	return buf_detach(&b);
}

void
alert_engine_event(struct alert_engine *e, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	const char *key, *state, *sevs, *msg, *msg_en, *dept, *rule, *system,
	    *code;
	const char *detail;
	char *msg_x, *msg_en_x;
	json_t *labels = NULL, *sup, *v;
	struct alert *a;
	struct buf akey = BUF_INIT;
	enum alert_sev sev = ALERT_SEV_HIGH;
	int64_t dl = 0, now = alert_engine_now(e);
	int resolve, has_dl, touch;
	struct audit_actor ac;
	const char **support = NULL;
	char *rulename;
	size_t i;

	if (!json_is_object(body)) {
		alert_reply_error(r, 400, "body: expected a JSON object");
		return;
	}
	key = alert_body_str(body, "key");
	if (key == NULL || *key == '\0' || strlen(key) > EVENT_KEY_MAX) {
		alert_reply_error(r, 400,
		    "\"key\": expected a non-empty "
		    "string of at most 256 bytes");
		return;
	}
	if (alert_body_check_text(e, body, r) != 0)
		return;
	state = alert_body_str(body, "state");
	if (state == NULL || strcmp(state, "firing") == 0)
		resolve = 0;
	else if (strcmp(state, "resolved") == 0)
		resolve = 1;
	else {
		alert_reply_error(r, 400,
		    "\"state\": expected \"firing\" or "
		    "\"resolved\"");
		return;
	}
	if ((sevs = alert_body_str(body, "severity")) != NULL &&
	    alert_sev_parse(sevs, &sev) != 0) {
		alert_reply_error(r, 400,
		    "\"severity\": expected \"high\", "
		    "\"medium\", \"low\" or \"info\"");
		return;
	}
	dept = alert_body_str(body, "dept");
	if (dept != NULL && !alert_dept_ok(e, dept)) {
		alert_reply_error(r, 400, "unknown department \"%s\"", dept);
		return;
	}
	sup = json_object_get(body, "support");
	if (sup != NULL && !json_is_array(sup)) {
		alert_reply_error(r, 400, "\"support\": expected an array");
		return;
	}
	json_array_foreach(sup, i, v)
	{
		if (!alert_dept_ok(e, json_string_value(v))) {
			alert_reply_error(
			    r, 400, "\"support\"[%zu]: unknown department", i);
			return;
		}
	}
	if ((has_dl = alert_body_duration(body, "deadline", &dl)) < 0) {
		alert_reply_error(r, 400, "\"deadline\": expected a duration");
		return;
	}
	v = json_object_get(body, "value");
	if (v != NULL && !json_is_number(v) && !json_is_null(v)) {
		alert_reply_error(r, 400, "\"value\": expected a number");
		return;
	}
	buf_printf(&akey, "event/%s", key);
	a = alert_map_get(&e->by_key, buf_str(&akey));
	alert_actor_audit(who, &ac);
	if (ac.via == NULL)
		ac.via = "event";
	if (resolve) {
		/* Plugins that say "resolved" every run while all is well
		 * are answered quietly: nothing to resolve, nothing changed. */
		if (a == NULL || !alert_state_active(a->state))
			alert_reply_set(r, 200,
			    json_pack("{s:s,s:b}", "key", key, "changed", 0));
		else if (alert_event_allowed_on(e, who, a, r) == 0) {
			msg_x = alert_event_expand(
			    e, alert_body_str(body, "message"), a->code, 0);
			alert_engine_resolve(e, a, &ac, msg_x);
			free(msg_x);
			alert_reply_set(r, 202,
			    json_pack("{s:s,s:s,s:b}", "id", a->id, "state",
			        alert_state_name(a->state), "changed", 1));
		}
		buf_free(&akey);
		return;
	}
	if (alert_event_labels(
	        e, json_object_get(body, "labels"), &labels, r) != 0) {
		json_decref(labels);
		buf_free(&akey);
		return;
	}
	if (e->env.enrich != NULL)
		e->env.enrich(e->env.arg, labels);
	code = json_string_value(json_object_get(labels, "grid"));
	if (code == NULL)
		code = json_string_value(json_object_get(labels, "community"));
	if (code == NULL)
		code =
		    json_string_value(json_object_get(labels, "subdistrict"));
	system = json_string_value(json_object_get(labels, "system"));
	/* The alert it would change (whatever the event's labels say) and
	 * the place and system the event names (for a new alert: without a
	 * place it is district-wide): a caller touches only what its write
	 * scope covers. */
	touch = alert_event_touches(e, a, now);
	if ((touch && alert_event_allowed_on(e, who, a, r) != 0) ||
	    ((!touch || code != NULL || system != NULL) &&
	        alert_event_allowed(e, who, NULL, system, code, r) != 0)) {
		json_decref(labels);
		buf_free(&akey);
		return;
	}
	msg = alert_body_str(body, "message");
	msg_en = alert_body_str(body, "message_en");
	/* {place} in a message: the place's names, and without a message_en
	 * the same words with its English/pinyin names. */
	msg_x = alert_event_expand(e, msg, code, 0);
	msg_en_x = alert_event_expand(e,
	    msg_en != NULL                                  ? msg_en
	    : msg != NULL && strstr(msg, "{place}") != NULL ? msg
	                                                    : NULL,
	    code, 1);
	msg = msg_x;
	msg_en = msg_en_x;
	detail = alert_body_str(body, "detail");
	/* No dept in the body: the labels' dept tag (the points' dept, as a
	 * collector sends it) leads when it names a known department. */
	if (dept == NULL && (v = json_object_get(labels, "dept")) != NULL &&
	    alert_dept_ok(e, json_string_value(v)))
		dept = json_string_value(v);
	if (a != NULL && alert_state_active(a->state)) {
		/* Raised again while active: refresh it. */
		json_decref(labels);
		alert_event_refresh(e, a, &ac, msg, msg_en, detail,
		    json_object_get(body, "value"));
		alert_engine_save(e, a);
	} else if (a != NULL && a->state == ALERT_RESOLVED &&
	           now - a->ended_ms <= e->rules->settings.flap_window_ms) {
		json_decref(labels);
		alert_event_refresh(e, a, &ac, msg, msg_en, detail,
		    json_object_get(body, "value"));
		alert_engine_reopen(e, a, &ac);
	} else {
		rule = alert_body_str(body, "rule");
		rulename = rule != NULL ? xstrdup(rule)
		                        : xstrndup(key, strcspn(key, "/"));
		a = alert_engine_new_alert(e, buf_str(&akey), rulename);
		free(rulename);
		a->from_event = 1;
		a->severity = sev;
		a->started_ms = now;
		a->updated_ms = now;
		alert_engine_set_labels(e, a, labels);
		alert_str_set(&a->message, msg != NULL ? msg : key);
		alert_str_set(&a->message_en, msg_en);
		if (detail != NULL)
			alert_str_set(&a->detail, detail);
		if (json_is_number(v = json_object_get(body, "value")))
			a->value = json_number_value(v);
		if (dept != NULL) {
			support =
			    xcalloc(json_array_size(sup) + 1, sizeof *support);
			json_array_foreach(sup, i, v) support[i] =
			    json_string_value(v);
			alert_dispatch_set(a, dept, support);
			free(support);
		}
		a->deadline_rel_ms =
		    has_dl ? dl : e->rules->settings.default_deadline_ms;
		alert_engine_fire(e, a, &ac);
	}
	alert_reply_set(r, 202,
	    json_pack(
	        "{s:s,s:s}", "id", a->id, "state", alert_state_name(a->state)));
	free(msg_x);
	free(msg_en_x);
	buf_free(&akey);
}
