/*
 * The shift handover note (issue 17): built from the alerts and silences
 * inside the caller's acting scope, signed by the outgoing operator with a
 * free text, acknowledged by the incoming one.  Signed notes are kept in
 * the kv (handover/<num>, counter handover-seq); signing and
 * acknowledging are audited (handover.sign, handover.ack).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/handover.h"
#include "hub/alerts/incident-engine.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define HANDOVER_PREFIX  "handover/"
#define HANDOVER_SEQ_KEY "handover-seq"
#define HANDOVER_PENDING 10

/* The lists of a note, counted in its audit entry. */
static const char *const handover_lists[] = {"fired", "open", "acks_expiring",
    "overdue", "silences_ending", "incidents_open", "incidents_new", NULL};

static json_t *
handover_span_json(const struct alert_shift_span *sp)
{
	return json_pack("{s:s?,s:s?,s:I,s:I}", "name",
	    sp->shift != NULL ? sp->shift->name : NULL, "tz",
	    sp->shift != NULL ? sp->shift->tz : NULL, "from_ms",
	    (json_int_t)sp->from_ms, "to_ms", (json_int_t)sp->to_ms);
}

/* An alert in a note: what an operator needs to find and judge it. */
static json_t *
handover_alert(struct alert_engine *e, struct alert *a)
{
	json_t *full = alert_engine_alert_json(e, a, NULL);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:O,s:O,s:s}", "id", a->id,
	    "severity", alert_sev_name(a->severity), "state",
	    alert_state_name(a->state), "rule", a->rule, "code",
	    json_object_get(full, "code"), "place",
	    json_object_get(full, "place"), "message",
	    a->message != NULL ? a->message : "");

	json_decref(full);
	return o;
}

/* Sort a note's list by alert id (ids grow with time). */
static int
handover_cmp(const void *x, const void *y)
{
	struct alert *const *a = x, *const *b = y;

	return (*a)->num < (*b)->num ? -1 : (*a)->num > (*b)->num;
}

/*
 * The incidents of a note inside who's scope (as incident_visible: a user
 * of one subdistrict never sees another's, nor the district's): those
 * still open or dispatched at now with their lead department and
 * deadline (*open), those opened during the shift [sp from, min(end,
 * now)] (*opened).  New references.
 */
static void
handover_incidents(struct alert_engine *e, const struct alert_actor *who,
    const struct alert_shift_span *sp, int64_t now, json_t **open,
    json_t **opened)
{
	struct incident_set *set = e->incidents;
	struct incident *inc;
	size_t i;

	*open = json_array();
	*opened = json_array();
	for (i = 0; set != NULL && i < set->n; i++) {
		inc = set->v[i];
		if (!incident_visible(e, inc, who))
			continue;
		if (inc->state <= INCIDENT_DISPATCHED)
			json_array_append_new(*open, incident_json(e, inc, 0));
		if (inc->created_ms >= sp->from_ms &&
		    inc->created_ms < sp->to_ms && inc->created_ms <= now)
			json_array_append_new(
			    *opened, incident_json(e, inc, 0));
	}
}

json_t *
alert_engine_handover(struct alert_engine *e, const struct alert_actor *who)
{
	int64_t now = alert_engine_now(e);
	struct alert_shift_span cur, next;

	alert_shifts_at(e->rules, now, &cur, &next);
	return alert_engine_handover_span(e, who, &cur, &next, now);
}

json_t *
alert_engine_handover_span(struct alert_engine *e,
    const struct alert_actor *who, const struct alert_shift_span *sp,
    const struct alert_shift_span *nx, int64_t now)
{
	struct alert_shift_span cur = *sp, next = *nx;
	json_t *o, *fired, *open, *acks, *overdue, *sil, *x, *inc_open,
	    *inc_new;
	struct alert **v;
	size_t i, n = 0;

	v = xcalloc(e->nalerts + 1, sizeof *v);
	for (i = 0; i < e->nalerts; i++) {
		/* Only inside the caller's acting scope: a subdistrict's
		 * operator hands over its territory, not the district. */
		if (alert_engine_actionable(e, e->alerts[i], who))
			v[n++] = e->alerts[i];
	}
	qsort(v, n, sizeof *v, handover_cmp);
	fired = json_array();
	open = json_array();
	acks = json_array();
	overdue = json_array();
	for (i = 0; i < n; i++) {
		struct alert *a = v[i];

		/* Fired during the shift: cut at its end (a draft built late
		 * holds nothing of the next shift). */
		if (a->fired_ms != 0 && a->fired_ms >= cur.from_ms &&
		    a->fired_ms < cur.to_ms && a->fired_ms <= now)
			json_array_append_new(fired, handover_alert(e, a));
		if (!alert_state_active(a->state))
			continue;
		x = handover_alert(e, a);
		json_object_set_new(x, "held_by",
		    a->ack.by != NULL ? json_string(a->ack.by) : json_null());
		json_object_set_new(x, "dept",
		    alert_lead_dept(a) != NULL ? json_string(alert_lead_dept(a))
		                               : json_null());
		json_array_append(open, x);
		if (a->state == ALERT_ACKED && a->ack.expires_ms != 0 &&
		    a->ack.expires_ms <= next.to_ms) {
			json_t *y = json_deep_copy(x);

			json_object_set_new(y, "expires_ms",
			    json_integer((json_int_t)a->ack.expires_ms));
			json_array_append_new(acks, y);
		}
		if (a->overdue) {
			json_t *y = json_deep_copy(x);

			json_object_set_new(y, "deadline_ms",
			    json_integer((json_int_t)a->deadline_ms));
			json_array_append_new(overdue, y);
		}
		json_decref(x);
	}
	free(v);
	sil = json_array();
	for (i = 0; i < e->nsilences; i++) {
		const struct alert_silence *s = e->silences[i];

		if (!alert_silence_active(s, now) || s->end_ms > next.to_ms ||
		    !alert_silence_visible(e, s, who))
			continue;
		json_array_append_new(
		    sil, json_pack("{s:s,s:I,s:s?,s:s?}", "id", s->id, "end_ms",
		             (json_int_t)s->end_ms, "author", s->author,
		             "reason", s->reason));
	}
	o = json_pack("{s:o,s:o,s:I,s:s?}", "shift", handover_span_json(&cur),
	    "next", handover_span_json(&next), "built_ms", (json_int_t)now,
	    "scope", who->scope);
	json_object_set_new(o, "fired", fired);
	json_object_set_new(o, "open", open);
	json_object_set_new(o, "acks_expiring", acks);
	json_object_set_new(o, "overdue", overdue);
	json_object_set_new(o, "silences_ending", sil);
	handover_incidents(e, who, &cur, now, &inc_open, &inc_new);
	json_object_set_new(o, "incidents_open", inc_open);
	json_object_set_new(o, "incidents_new", inc_new);
	return o;
}

/* ---- Signed notes ------------------------------------------------------ */

static void
handover_key(uint64_t num, char *out, size_t len)
{
	snprintf(out, len, HANDOVER_PREFIX "%012" PRIu64, num);
}

static int
handover_save(struct alert_engine *e, uint64_t num, json_t *rec, char **cause)
{
	char key[64], *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	handover_key(num, key, sizeof key);
	rc = text != NULL ? alert_kv_put_str(e->kv, key, text, cause) : -1;
	if (text == NULL)
		*cause = xstrdup("cannot encode the note");
	free(text);
	return rc;
}

/* The note of id ("H000012"), or NULL; *num set. */
static json_t *
handover_load(struct alert_engine *e, const char *id, uint64_t *num)
{
	char key[64], *end;

	if (id == NULL || id[0] != 'H' || id[1] == '\0')
		return NULL;
	*num = strtoull(id + 1, &end, 10);
	if (*end != '\0' || *num == 0)
		return NULL;
	handover_key(*num, key, sizeof key);
	return alert_engine_kv_json(e, key);
}

/* Does who see a note of scope code (inside who's scope, or who's own)? */
static int
handover_visible(
    struct alert_engine *e, const char *code, const struct alert_actor *who)
{
	if (alert_engine_scope_all(e, who->scope))
		return 1;
	return code != NULL && alert_engine_within(e, code, who->scope);
}

void
alert_engine_handover_sign(struct alert_engine *e, json_t *body,
    json_t *content, const struct alert_actor *who, struct alert_reply *r)
{
	const char *note = alert_body_str(body, "note");
	char *seq_s = NULL, *cause = NULL, id[24], seq[32];
	uint64_t num = 1;
	json_t *rec, *counts;
	size_t i;

	if (note == NULL || note[0] == '\0') {
		json_decref(content);
		alert_reply_error(r, 400,
		    "\"note\": the outgoing operator's words are required");
		return;
	}
	if (alert_body_check_text(e, body, r) != 0) {
		json_decref(content);
		return;
	}
	if (alert_kv_get(e->kv, HANDOVER_SEQ_KEY, &seq_s, NULL, &cause) == 1)
		num = strtoull(seq_s, NULL, 10) + 1;
	free(seq_s);
	free(cause);
	cause = NULL;
	snprintf(id, sizeof id, "H%06" PRIu64, num);
	rec = json_pack("{s:s,s:s,s:s,s:I,s:s?,s:s,s:n,s:n,s:o}", "id", id,
	    "signed_by", alert_actor_name(who), "signed_via",
	    who->via != NULL ? who->via : "", "signed_ms",
	    (json_int_t)alert_engine_now(e), "scope", who->scope, "note", note,
	    "acked_by", "acked_ms", "content", content);
	snprintf(seq, sizeof seq, "%" PRIu64, num);
	/* Written before the reply (and the audit entry that vouches for
	 * it). */
	if (handover_save(e, num, rec, &cause) != 0 ||
	    alert_kv_put_str(e->kv, HANDOVER_SEQ_KEY, seq, &cause) != 0) {
		alert_reply_error(r, 500, "saving the note: %s", cause);
		free(cause);
		json_decref(rec);
		return;
	}
	counts = json_object();
	for (i = 0; handover_lists[i] != NULL; i++)
		json_object_set_new(counts, handover_lists[i],
		    json_integer((json_int_t)json_array_size(
		        json_object_get(content, handover_lists[i]))));
	alert_engine_audit_note(e, who, "handover.sign", id, who->scope, NULL,
	    json_pack("{s:O,s:o}", "shift", json_object_get(content, "shift"),
	        "counts", counts),
	    note);
	alert_reply_set(r, 201, rec);
}

void
alert_engine_handover_ack(struct alert_engine *e, const char *id, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	const char *comment = alert_body_str(body, "comment");
	json_t *rec;
	uint64_t num = 0;
	char *cause = NULL;
	const char *by, *scope;

	if (alert_body_check_text(e, body, r) != 0)
		return;
	rec = handover_load(e, id, &num);
	scope = json_string_value(json_object_get(rec, "scope"));
	if (rec == NULL || !handover_visible(e, scope, who)) {
		json_decref(rec);
		alert_reply_error(r, 404, "no handover note %s", id);
		return;
	}
	if ((by = json_string_value(json_object_get(rec, "acked_by"))) !=
	    NULL) {
		alert_reply_error(r, 409, "%s was acknowledged by %s", id, by);
		json_decref(rec);
		return;
	}
	by = json_string_value(json_object_get(rec, "signed_by"));
	if (by != NULL && strcmp(by, alert_actor_name(who)) == 0) {
		alert_reply_error(r, 409,
		    "%s was signed by you: the incoming operator acknowledges "
		    "it",
		    id);
		json_decref(rec);
		return;
	}
	json_object_set_new(
	    rec, "acked_by", json_string(alert_actor_name(who)));
	json_object_set_new(
	    rec, "acked_ms", json_integer((json_int_t)alert_engine_now(e)));
	if (comment != NULL)
		json_object_set_new(rec, "ack_comment", json_string(comment));
	if (handover_save(e, num, rec, &cause) != 0) {
		alert_reply_error(r, 500, "saving the note: %s", cause);
		free(cause);
		json_decref(rec);
		return;
	}
	alert_engine_audit_note(e, who, "handover.ack", id, scope,
	    json_pack("{s:n}", "acked_by"),
	    json_pack("{s:s,s:O}", "acked_by", alert_actor_name(who),
	        "signed_by", json_object_get(rec, "signed_by")),
	    comment);
	alert_reply_set(r, 200, rec);
}

struct handover_scan {
	struct alert_engine *e;
	const struct alert_actor *who;
	json_t *pending, *last;
};

static int
handover_scan_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct handover_scan *h = arg;
	json_t *rec = json_loadb(val, len, 0, NULL);

	if (rec == NULL ||
	    !handover_visible(h->e,
	        json_string_value(json_object_get(rec, "scope")), h->who)) {
		json_decref(rec);
		return 0;
	}
	json_object_del(rec, "content");
	if (json_is_null(json_object_get(rec, "acked_by"))) {
		json_array_insert(h->pending, 0, rec);
		if (json_array_size(h->pending) > HANDOVER_PENDING)
			json_array_remove(
			    h->pending, json_array_size(h->pending) - 1);
	} else {
		json_decref(h->last);
		h->last = json_incref(rec);
	}
	json_decref(rec);
	return 0;
}

json_t *
alert_engine_handover_pending(
    struct alert_engine *e, const struct alert_actor *who)
{
	struct handover_scan h = {e, who, json_array(), NULL};
	char *cause = NULL;

	if (alert_kv_scan(e->kv, HANDOVER_PREFIX, NULL, handover_scan_cb, &h,
	        &cause) != 0) {
		log_error("alerts", "reading handover notes: %s", cause);
		free(cause);
	}
	return json_pack("{s:o,s:o}", "pending", h.pending, "last",
	    h.last != NULL ? h.last : json_null());
}

json_t *
alert_engine_handover_record(
    struct alert_engine *e, const char *id, const struct alert_actor *who)
{
	uint64_t num = 0;
	json_t *rec = handover_load(e, id, &num);

	if (rec != NULL &&
	    !handover_visible(
	        e, json_string_value(json_object_get(rec, "scope")), who)) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}
