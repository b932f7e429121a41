/* Cases: created, routed by category or queued, listed (see case.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/case-categories.h"
#include "hub/alerts/case.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

#define CASE_LIST_LIMIT 500

/* The actor of automatic routing. */
static const struct audit_actor case_router = {
    "system", "case-category", -1, NULL, ""};

/* body's string member key (NULL if absent); -1 after replying 400/413
 * when it is not a string or longer than limits.max_label_bytes. */
static int
case_body_label(struct alert_engine *e, json_t *body, const char *key,
    const char **out, struct alert_reply *r)
{
	json_t *v = json_object_get(body, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0) {
		alert_reply_error(
		    r, 400, "\"%s\": expected a non-empty string", key);
		return -1;
	}
	if (json_string_length(v) > e->limits.max_label) {
		alert_reply_error(r, 413,
		    "\"%s\": over limits.max_label_bytes (%zu)", key,
		    e->limits.max_label);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* Label key of labels, or null (new reference). */
static json_t *
case_label(json_t *labels, const char *key)
{
	json_t *v = json_object_get(labels, key);

	return v != NULL ? json_incref(v) : json_null();
}

/* The "case" member of a case's API object (new reference). */
static json_t *
case_json(struct alert_engine *e, const struct alert *a)
{
	json_t *l = a->labels;
	const char *cat = json_string_value(json_object_get(l, "category"));
	const struct case_category *c = case_categories_find(e->rules, cat);
	json_t *o = json_object();

	json_object_set_new(o, "category",
	    c != NULL     ? json_string(c->id)
	    : cat != NULL ? json_string(cat)
	                  : json_null());
	json_object_set_new(o, "category_name",
	    c != NULL && c->name != NULL ? json_string(c->name) : json_null());
	json_object_set_new(o, "source", case_label(l, "case_source"));
	json_object_set_new(o, "ref", case_label(l, "case_ref"));
	json_object_set_new(o, "address", case_label(l, "address"));
	json_object_set_new(o, "routing", case_label(l, "case_routing"));
	json_object_set_new(o, "queue",
	    alert_state_active(a->state) && a->ndepts == 0
	        ? json_string("dispatch")
	        : json_null());
	return o;
}

/* The API object of case a with its "case" member (new reference). */
static json_t *
case_api(struct alert_engine *e, struct alert *a)
{
	json_t *o = alert_engine_alert_json(e, a, NULL);

	json_object_set_new(o, "case", case_json(e, a));
	return o;
}

/* Dispatch a to category c's departments with c's time limit from now,
 * recorded as system/case-category's "dispatch"; the departments are
 * notified. */
static void
case_route(
    struct alert_engine *e, struct alert *a, const struct case_category *c)
{
	int64_t now = alert_engine_now(e);
	json_t *before = alert_snapshot(a), *after, *sup = json_array();
	char *why;
	size_t i;

	alert_dispatch_set(a, c->dept, (const char *const *)c->support);
	a->deadline_rel_ms = c->time_limit_ms;
	a->deadline_ms = now + c->time_limit_ms;
	a->overdue = 0;
	after = alert_snapshot(a);
	for (i = 0; c->support[i] != NULL; i++)
		json_array_append_new(sup, json_string(c->support[i]));
	json_object_set_new(after, "support", sup);
	json_object_set_new(after, "deadline_ms", json_integer(a->deadline_ms));
	json_object_set_new(after, "category", json_string(c->id));
	why = xasprintf("category %s: routed to %s", c->id, c->dept);
	alert_engine_record(e, a, &case_router, "dispatch", before, after, why);
	free(why);
	alert_engine_save(e, a);
	alert_engine_notify(e, a, "dispatch", NULL);
}

/* a matches no category: it waits in the dispatch desk's queue. */
static void
case_queue(struct alert_engine *e, struct alert *a, const char *category)
{
	json_t *after = json_pack("{s:s}", "queue", "dispatch");
	char *why = category != NULL
	                ? xasprintf("no case category \"%s\": waits for the "
	                            "dispatch desk",
	                      category)
	                : xstrdup("no category: waits for the dispatch desk");

	alert_engine_record(e, a, &case_router, "queue", NULL, after, why);
	free(why);
	alert_engine_save(e, a);
}

void
alert_engine_case_new(struct alert_engine *e, json_t *body, const char *code,
    const struct alert_actor *who, struct alert_reply *r)
{
	const char *text, *category, *source, *ref, *system, *address, *lvl;
	const struct case_category *cat;
	struct audit_actor ac;
	struct buf key = BUF_INIT;
	struct alert *a;
	json_t *labels;
	int64_t now = alert_engine_now(e);

	if (!json_is_object(body)) {
		alert_reply_error(r, 400, "body: expected a JSON object");
		return;
	}
	if (alert_body_check_text(e, body, r) != 0)
		return;
	text = alert_body_str(body, "text");
	if (text == NULL || *text == '\0') {
		alert_reply_error(
		    r, 400, "\"text\": a case needs its description");
		return;
	}
	if (case_body_label(e, body, "category", &category, r) != 0 ||
	    case_body_label(e, body, "source", &source, r) != 0 ||
	    case_body_label(e, body, "ref", &ref, r) != 0 ||
	    case_body_label(e, body, "system", &system, r) != 0 ||
	    case_body_label(e, body, "address", &address, r) != 0)
		return;
	if (code == NULL) {
		alert_reply_error(r, 400,
		    "a case needs its place: \"grid\" (a grid code) or "
		    "\"address\"");
		return;
	}
	/* The write scope of events: a token for its systems and places, an
	 * operator or above inside its scope. */
	if (alert_event_allowed(e, who, NULL, system, code, r) != 0)
		return;
	/* Default source: a system's token name, else entered by a person. */
	if (source == NULL)
		source = who->role == HUB_ROLE_COLLECTOR && who->token != NULL
		             ? who->token
		             : "operator";
	/* A ticket resent by its system (at least once) is the same case. */
	if (ref != NULL) {
		buf_printf(&key, "case/ref/%s/%s", source, ref);
		if ((a = alert_map_get(&e->by_key, buf_str(&key))) != NULL) {
			/* Shown only to one who may write where it is. */
			buf_free(&key);
			if (alert_event_allowed(e, who, a,
			        json_string_value(
			            json_object_get(a->labels, "system")),
			        a->code, r) == 0)
				alert_reply_set(r, 200, case_api(e, a));
			return;
		}
	} else
		buf_printf(&key, "case/%" PRIu64, e->next_alert);
	labels = json_object();
	lvl = "grid";
	if (e->env.code_check != NULL &&
	    e->env.code_check(e->env.arg, "grid", code) != 0)
		lvl = e->env.code_check(e->env.arg, "community", code) == 0
		          ? "community"
		          : "subdistrict";
	json_object_set_new(labels, lvl, json_string(code));
	if (category != NULL)
		json_object_set_new(labels, "category", json_string(category));
	json_object_set_new(labels, "case_source", json_string(source));
	if (ref != NULL)
		json_object_set_new(labels, "case_ref", json_string(ref));
	if (system != NULL)
		json_object_set_new(labels, "system", json_string(system));
	if (address != NULL)
		json_object_set_new(labels, "address", json_string(address));
	cat = case_categories_find(e->rules, category);
	json_object_set_new(labels, "case_routing",
	    json_string(cat != NULL ? "auto" : "queued"));

	a = alert_engine_new_alert(e, buf_str(&key), "case");
	buf_free(&key);
	a->from_event = 1;
	a->severity = cat != NULL ? cat->severity : ALERT_SEV_MEDIUM;
	a->started_ms = now;
	a->updated_ms = now;
	alert_engine_set_labels(e, a, labels);
	alert_str_set(&a->message, text);
	alert_actor_audit(who, &ac);
	if (ac.via == NULL)
		ac.via = "case";
	alert_engine_fire(e, a, &ac);
	if (cat != NULL)
		case_route(e, a, cat);
	else
		case_queue(e, a, category);
	alert_reply_set(r, 201, case_api(e, a));
}

static int
case_cmp_newest(const void *x, const void *y)
{
	const struct alert *a = *(struct alert *const *)x;
	const struct alert *b = *(struct alert *const *)y;

	return a->num < b->num ? 1 : a->num > b->num ? -1 : 0;
}

/* Does case a pass f? */
static int
case_match(
    struct alert_engine *e, const struct alert *a, const struct case_filter *f)
{
	enum alert_state st;
	const char *cat;
	const struct case_category *c;

	if (f->queue != NULL &&
	    (!alert_state_active(a->state) || a->ndepts > 0))
		return 0;
	if (f->state != NULL &&
	    (alert_state_parse(f->state, &st) != 0 || st != a->state))
		return 0;
	if (f->category != NULL) {
		cat = json_string_value(json_object_get(a->labels, "category"));
		c = case_categories_find(e->rules, cat);
		if (cat == NULL ||
		    (strcmp(cat, f->category) != 0 &&
		        (c == NULL || strcmp(c->id, f->category))))
			return 0;
	}
	return 1;
}

void
alert_engine_case_list(struct alert_engine *e, const struct case_filter *f,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct alert **v = xcalloc(e->nalerts + 1, sizeof *v);
	size_t i, n = 0, limit = f->limit > 0 ? f->limit : CASE_LIST_LIMIT;
	enum alert_state st;
	json_t *arr = json_array();

	if (f->queue != NULL && strcmp(f->queue, "dispatch") != 0) {
		alert_reply_error(r, 400,
		    "queue: \"%s\" is no queue (the dispatch desk's is "
		    "\"dispatch\")",
		    f->queue);
		goto done;
	}
	if (f->state != NULL && alert_state_parse(f->state, &st) != 0) {
		alert_reply_error(r, 400, "state: unknown \"%s\"", f->state);
		goto done;
	}
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];

		if (alert_key_is_case(a->key) &&
		    alert_engine_visible(e, a, who) && case_match(e, a, f))
			v[n++] = a;
	}
	qsort(v, n, sizeof *v, case_cmp_newest);
	for (i = 0; i < n && i < limit; i++)
		json_array_append_new(arr, case_api(e, v[i]));
	alert_reply_set(r, 200,
	    json_pack("{s:O,s:I}", "cases", arr, "total", (json_int_t)n));
done:
	json_decref(arr);
	free(v);
}

void
alert_engine_case_get(struct alert_engine *e, const char *id,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct alert *a = alert_engine_find(e, id);

	if (a == NULL || !alert_key_is_case(a->key) ||
	    !alert_engine_visible(e, a, who)) {
		alert_reply_error(r, 404, "no case \"%s\"", id);
		return;
	}
	alert_engine_get(e, id, who, r);
	if (r->status == 200)
		json_object_set_new(r->body, "case", case_json(e, a));
}
