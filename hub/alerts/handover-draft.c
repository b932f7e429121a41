/*
 * Handover drafts (issue 17): at the end of each shift the hub builds the
 * note of the shift that ended by itself and keeps it for the outgoing
 * operator to sign (see handover.h, "Drafts").  Runs on the event loop
 * from the alerts' 1 s timer; the shifts are looked up only when the one
 * under way ends or the rules change, not every second.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/handover.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define DRAFT_PREFIX   "handover-draft/"
#define DRAFT_LAST_KEY "handover-draft-last" /* end ms of the newest */
/* When the hub first watched the shifts (ms): ends before it were not
 * missed, there was no hub. */
#define DRAFT_SINCE_KEY "handover-draft-since"

/* The lists of a note whose items carry a place's "code" (alerts,
 * incidents). */
static const char *const draft_alert_lists[] = {"fired", "open",
    "acks_expiring", "overdue", "incidents_open", "incidents_new", NULL};

/* The hub itself, for the whole district. */
static const struct alert_actor draft_actor = {
    .who = "system/shift", .via = "shift", .uid = -1, .role = HUB_ROLE_ADMIN};

static void
draft_key(int64_t end_ms, char *out, size_t len)
{
	snprintf(out, len, DRAFT_PREFIX "%013" PRId64, end_ms);
}

/* Build and store the draft of the shift that ended at end_ms; late: at
 * start-up, for an end the hub missed while it was down. */
static void
draft_build(struct alert_engine *e, int64_t end_ms, int64_t now, int late)
{
	struct alert_shift_span cur, next;
	char key[64], id[32], *text, *cause = NULL;
	json_t *note, *rec, *counts;
	size_t i;

	alert_shifts_at(e->rules, end_ms - 1, &cur, &next);
	if (cur.shift == NULL || cur.to_ms != end_ms)
		return; /* the end of a gap between shifts */
	note = alert_engine_handover_span(e, &draft_actor, &cur, &next, now);
	snprintf(id, sizeof id, "D%" PRId64, end_ms / 1000);
	rec = json_pack("{s:s,s:I,s:I,s:O,s:o,s:o,s:b}", "id", id, "built_ms",
	    (json_int_t)now, "end_ms", (json_int_t)end_ms, "shift",
	    json_object_get(note, "shift"), "content", note, "signed_as",
	    json_object(), "late", late);
	draft_key(end_ms, key, sizeof key);
	text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL || alert_kv_put_str(e->kv, key, text, &cause) != 0) {
		log_error("alerts", "storing handover draft %s: %s", id,
		    cause != NULL ? cause : "cannot encode it");
		free(cause);
		free(text);
		json_decref(rec);
		return;
	}
	free(text);
	snprintf(key, sizeof key, "%" PRId64, end_ms);
	if (alert_kv_put_str(e->kv, DRAFT_LAST_KEY, key, &cause) != 0) {
		log_error("alerts", "storing handover draft %s: %s", id, cause);
		free(cause);
	}
	counts = json_object();
	for (i = 0; draft_alert_lists[i] != NULL; i++)
		json_object_set_new(counts, draft_alert_lists[i],
		    json_integer((json_int_t)json_array_size(
		        json_object_get(note, draft_alert_lists[i]))));
	alert_engine_audit_note(e, &draft_actor, "handover.draft", id, NULL,
	    NULL,
	    json_pack("{s:O,s:o,s:b}", "shift", json_object_get(note, "shift"),
	        "counts", counts, "late", late),
	    late ? "shift ended while the hub was down: handover note drafted "
	           "late"
	         : "shift ended: handover note drafted");
	log_info("alerts", "shift %s ended: handover draft %s%s",
	    cur.shift != NULL ? cur.shift->name : "?", id,
	    late ? " (late)" : "");
	json_decref(rec);
}

/* The most recent end of a shift at or before now (within two days), or
 * 0. */
static int64_t
draft_last_end(struct alert_engine *e, int64_t now)
{
	struct alert_shift_span cur, next;
	int64_t t = now;

	while (t > now - 2 * 86400 * 1000LL) {
		alert_shifts_at(e->rules, t, &cur, &next);
		if (cur.shift != NULL && cur.to_ms <= now)
			return cur.to_ms;
		if (cur.from_ms >= t)
			break; /* never spin on a degenerate table */
		t = cur.from_ms - 1;
	}
	return 0;
}

/* At start-up: the draft of the most recent shift end the hub missed
 * while it was down, marked late, exactly once. */
static void
draft_late(struct alert_engine *e, int64_t now)
{
	int64_t since = alert_engine_kv_num(e, DRAFT_SINCE_KEY), end;
	char val[32], *cause = NULL;

	if (since == 0) {
		snprintf(val, sizeof val, "%" PRId64, now);
		if (alert_kv_put_str(e->kv, DRAFT_SINCE_KEY, val, &cause) !=
		    0) {
			log_error(
			    "alerts", "storing %s: %s", DRAFT_SINCE_KEY, cause);
			free(cause);
		}
		return;
	}
	end = draft_last_end(e, now);
	if (end == 0 || end <= since)
		return; /* no end since the hub first watched */
	if (end <= alert_engine_kv_num(e, DRAFT_LAST_KEY))
		return; /* drafted already (in time, or late before) */
	draft_build(e, end, now, 1);
}

void
alert_engine_handover_tick(struct alert_engine *e, int64_t now)
{
	struct alert_shift_span cur, next;

	if (!e->handover_started) {
		e->handover_started = 1;
		draft_late(e, now);
	}
	/* A shift that ended (also just before a reload of the rules). */
	if (e->handover_end_ms != 0 && now >= e->handover_end_ms) {
		draft_build(e, e->handover_end_ms, now, 0);
		e->handover_end_ms = 0;
	}
	if (e->handover_rules == e->rules && e->handover_end_ms != 0)
		return;
	/* The end of the shift under way (outside every shift: the start
	 * of the next), under the rules now in force. */
	alert_shifts_at(e->rules, now, &cur, &next);
	e->handover_rules = e->rules;
	e->handover_end_ms =
	    cur.shift != NULL && cur.to_ms > now ? cur.to_ms : next.from_ms;
	if (e->handover_end_ms <= now) /* never spin on a degenerate table */
		e->handover_end_ms = now + 60 * 1000;
}

/* ---- Reading ------------------------------------------------------------ */

/* The draft that ended at end_ms (0: the newest), or NULL. */
static json_t *
draft_load(struct alert_engine *e, int64_t end_ms)
{
	char key[64];

	if (end_ms == 0)
		end_ms = alert_engine_kv_num(e, DRAFT_LAST_KEY);
	if (end_ms == 0)
		return NULL; /* no draft yet */
	draft_key(end_ms, key, sizeof key);
	return alert_engine_kv_json(e, key);
}

/* The end of draft id ("D" and the end in seconds), or -1. */
static int64_t
draft_id_end(const char *id)
{
	char *end;
	long long s;

	if (id == NULL || id[0] != 'D' || id[1] < '1' || id[1] > '9')
		return -1;
	s = strtoll(id + 1, &end, 10);
	if (*end != '\0' || s <= 0 || s > 100000000000LL)
		return -1;
	return (int64_t)s * 1000;
}

/* The key under which who's scope signs ("" for the district). */
static const char *
draft_scope_key(struct alert_engine *e, const struct alert_actor *who)
{
	return alert_engine_scope_all(e, who->scope) ? "" : who->scope;
}

/* Keep in content only what who may act on. */
static void
draft_filter(
    struct alert_engine *e, json_t *content, const struct alert_actor *who)
{
	json_t *list, *x;
	size_t i, j;

	json_object_set_new(content, "scope",
	    who->scope != NULL ? json_string(who->scope) : json_null());
	if (alert_engine_scope_all(e, who->scope))
		return;
	for (i = 0; draft_alert_lists[i] != NULL; i++) {
		list = json_object_get(content, draft_alert_lists[i]);
		for (j = 0; j < json_array_size(list);) {
			x = json_array_get(list, j);
			if (alert_engine_within(e,
			        json_string_value(json_object_get(x, "code")),
			        who->scope))
				j++;
			else
				json_array_remove(list, j);
		}
	}
	/* Silences: those still known and visible to who. */
	list = json_object_get(content, "silences_ending");
	for (j = 0; j < json_array_size(list);) {
		const char *sid = json_string_value(
		    json_object_get(json_array_get(list, j), "id"));
		int keep = 0;

		for (i = 0; sid != NULL && i < e->nsilences && !keep; i++)
			keep = strcmp(e->silences[i]->id, sid) == 0 &&
			       alert_silence_visible(e, e->silences[i], who);
		if (keep)
			j++;
		else
			json_array_remove(list, j);
	}
}

json_t *
alert_engine_handover_draft(
    struct alert_engine *e, const char *id, const struct alert_actor *who)
{
	int64_t end = id != NULL ? draft_id_end(id) : 0;
	json_t *rec = end >= 0 ? draft_load(e, end) : NULL, *signed_as;

	if (rec == NULL)
		return NULL;
	draft_filter(e, json_object_get(rec, "content"), who);
	signed_as = json_incref(json_object_get(
	    json_object_get(rec, "signed_as"), draft_scope_key(e, who)));
	json_object_set_new(
	    rec, "signed_as", signed_as != NULL ? signed_as : json_null());
	return rec;
}

void
alert_engine_handover_draft_signed(struct alert_engine *e, const char *id,
    const char *signed_id, const struct alert_actor *who)
{
	int64_t end = draft_id_end(id);
	char key[64], *text, *cause = NULL;
	json_t *sa;
	json_t *rec = end > 0 ? draft_load(e, end) : NULL;

	if (rec == NULL)
		return;
	sa = json_object_get(rec, "signed_as");
	if (!json_is_object(sa))
		json_object_set_new(rec, "signed_as", sa = json_object());
	json_object_set_new(
	    sa, draft_scope_key(e, who), json_string(signed_id));
	draft_key(end, key, sizeof key);
	text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL || alert_kv_put_str(e->kv, key, text, &cause) != 0) {
		log_error("alerts", "marking handover draft %s signed: %s", id,
		    cause != NULL ? cause : "cannot encode it");
		free(cause);
	}
	free(text);
	json_decref(rec);
}
