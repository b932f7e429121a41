/*
 * The alert engine's audit glue: entries about alerts and silences carry
 * the hash of the record state they produced; the head is anchored in the
 * system log and at the supervisors' webhook; the chain is verified at
 * start-up and a broken chain is logged loudly and kept for /metrics and
 * /healthz.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/alert-notify.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define SILENCE_PREFIX "silence/"

/* What an entry vouches for in a record: of an alert its state,
 * acknowledgement (who, how, when, comment), comments, closing reason and
 * departments (the values and messages the rules refresh are not
 * audited); of a silence all of it.  New reference. */
static json_t *
alert_audit_vouched(const char *key, json_t *rec)
{
	static const char *const alert_fields[] = {
	    "id", "state", "ack", "comments", "close_reason", "depts", NULL};
	json_t *o;
	size_t i;

	if (strncmp(key, SILENCE_PREFIX, strlen(SILENCE_PREFIX)) == 0)
		return json_incref(rec);
	o = json_object();
	for (i = 0; alert_fields[i] != NULL; i++) {
		json_t *v = json_object_get(rec, alert_fields[i]);

		if (v != NULL && !json_is_null(v))
			json_object_set(o, alert_fields[i], v);
	}
	return o;
}

/* SHA-256 of the canonical JSON of what rec's entry vouches for. */
static void
alert_audit_hash(const char *key, json_t *rec, char out[65])
{
	json_t *v = alert_audit_vouched(key, rec);
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(v);
	if (text == NULL)
		abort(); /* jansson out of memory */
	audit_sha256_hex(text, strlen(text), out);
	free(text);
}

/* audit_record_fn: the stored record's hash. */
static int
alert_audit_record_cb(void *arg, const char *key, char out[65])
{
	struct alert_engine *e = arg;
	char *val = NULL, *cause = NULL;
	size_t len;
	json_t *rec;
	int r;

	r = alert_kv_get(e->kv, key, &val, &len, &cause);
	if (r != 1) {
		free(cause);
		return r;
	}
	rec = json_loadb(val, len, 0, NULL);
	free(val);
	if (rec == NULL)
		return -1;
	alert_audit_hash(key, rec, out);
	json_decref(rec);
	return 1;
}

/* audit_anchor_fn: the head to the system log, the hub's log and the
 * supervisors' webhook. */
static void
alert_audit_anchor_cb(
    void *arg, uint64_t seq, const char *hash, const char *why)
{
	struct alert_engine *e = arg;
	const char *url = e->rules->settings.supervisors_webhook;

	syslog(LOG_NOTICE | LOG_AUTHPRIV,
	    "citybraind audit head seq=%" PRIu64 " hash=%s (%s)", seq, hash,
	    why);
	log_info("audit", "head seq=%" PRIu64 " hash=%s (%s)", seq, hash, why);
	if (url != NULL && e->notify != NULL)
		alert_notify_send(e->notify, url, NULL, "audit-anchor", NULL,
		    json_pack("{s:s,s:I,s:s,s:s,s:I}", "kind", "audit-anchor",
		        "seq", (json_int_t)seq, "hash", hash, "why", why,
		        "at_ms", (json_int_t)alert_engine_now(e)),
		    NULL);
}

struct audit *
alert_engine_audit_open(
    struct alert_engine *e, const struct audit_opts *o, char **cause)
{
	struct audit_opts opts;

	memset(&opts, 0, sizeof opts);
	if (o != NULL)
		opts = *o;
	opts.anchor = alert_audit_anchor_cb;
	opts.anchor_arg = e;
	opts.record = alert_audit_record_cb;
	opts.record_arg = e;
	return audit_open(e->kv, &opts, cause);
}

int
alert_engine_audit_verify(
    struct alert_engine *e, struct audit_verify_result *res, char **cause)
{
	if (audit_verify(e->audit, res, cause) != 0)
		return -1;
	free(e->audit_reason);
	e->audit_reason = NULL;
	e->audit_ok = res->ok;
	e->audit_first_bad = res->first_bad;
	if (!res->ok) {
		e->audit_reason = xstrdup(res->reason);
		log_error("audit",
		    "AUDIT CHAIN BROKEN at entry %" PRIu64 ": %s (%" PRIu64
		    " entries intact before it)",
		    res->first_bad, res->reason, res->entries);
		syslog(LOG_ERR | LOG_AUTHPRIV,
		    "citybraind AUDIT CHAIN BROKEN at entry %" PRIu64 ": %s",
		    res->first_bad, res->reason);
	}
	return 0;
}

int
alert_engine_audit_status(
    struct alert_engine *e, const char **reason, uint64_t *first_bad)
{
	if (reason != NULL)
		*reason = e->audit_reason;
	if (first_bad != NULL)
		*first_bad = e->audit_first_bad;
	return e->audit_ok;
}

void
alert_engine_audit_start(struct alert_engine *e)
{
	struct audit_verify_result res;
	char *cause = NULL;

	if (alert_engine_audit_verify(e, &res, &cause) != 0) {
		e->audit_ok = 0;
		e->audit_reason = xasprintf("cannot read the log: %s", cause);
		log_error("audit", "AUDIT LOG UNREADABLE: %s", cause);
		free(cause);
	} else if (res.ok)
		log_info("audit",
		    "chain intact: %" PRIu64 " entries, %" PRIu64 " records",
		    res.entries, res.records);
	audit_anchor(e->audit, "start");
	e->audit_started = 1;
}

/* ---- Entries ----------------------------------------------------------- */

void
alert_engine_audit_alert(struct alert_engine *e, const struct audit_actor *who,
    const char *action, struct alert *a, json_t *before, json_t *after,
    const char *comment)
{
	struct audit_rec rec;
	char *cause = NULL, *act = xasprintf("alert.%s", action);
	char key[64], hash[65];
	json_t *r;

	memset(&rec, 0, sizeof rec);
	rec.at_ms = alert_engine_now(e);
	rec.actor = who != NULL ? who : &alert_system_rule;
	rec.action = act;
	rec.target = a->id;
	rec.code = a->code;
	rec.before = before;
	rec.after = after;
	rec.comment = comment;
	alert_key_format(a->num, key, sizeof key);
	rec.record_key = key;
	if (strcmp(action, "cancel") == 0) /* the record is dropped next */
		rec.record_hash = AUDIT_RECORD_ABSENT;
	else {
		r = alert_to_record(a);
		alert_audit_hash(key, r, hash);
		json_decref(r);
		rec.record_hash = hash;
	}
	if (audit_append(e->audit, &rec, &cause) == 0) {
		log_error("alerts", "audit: %s", cause);
		free(cause);
	}
	free(act);
	json_decref(before);
	json_decref(after);
}

/* Append rec with before/after stolen; 0 or -1 (logged). */
static int
alert_audit_append(struct alert_engine *e, struct audit_rec *rec)
{
	char *cause = NULL;
	int r;

	r = audit_append(e->audit, rec, &cause) == 0 ? -1 : 0;
	json_decref(rec->before);
	json_decref(rec->after);
	if (r != 0) {
		log_error("alerts", "audit: %s", cause);
		free(cause);
	}
	return r;
}

int
alert_engine_audit_note(struct alert_engine *e, const struct alert_actor *who,
    const char *action, const char *target, const char *code, json_t *before,
    json_t *after, const char *comment)
{
	struct audit_actor ac;
	struct audit_rec rec;

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
	return alert_audit_append(e, &rec);
}

void
alert_engine_audit_silence(struct alert_engine *e,
    const struct alert_actor *who, const char *action,
    const struct alert_silence *s, json_t *before, json_t *after)
{
	struct audit_actor ac;
	struct audit_rec rec;
	char key[64], hash[65];
	json_t *r = alert_silence_record(s);

	snprintf(key, sizeof key, SILENCE_PREFIX "%012" PRIu64, s->num);
	alert_audit_hash(key, r, hash);
	json_decref(r);
	alert_actor_audit(who, &ac);
	memset(&rec, 0, sizeof rec);
	rec.at_ms = alert_engine_now(e);
	rec.actor = &ac;
	rec.action = action;
	rec.target = s->id;
	rec.code = alert_silence_code(e, s);
	rec.before = before;
	rec.after = after;
	rec.comment = strcmp(action, "silence.create") == 0 ? s->reason : NULL;
	rec.record_key = key;
	rec.record_hash = hash;
	(void)alert_audit_append(e, &rec);
}
