/*
 * The alert engine's clockwork: the timer tick (ack expiry, escalation,
 * overdue dispatches, silences coming and going, webhook retries,
 * retention), the evaluation pass over all rules, both driven by
 * libevent timers in the hub or called directly by tests with an
 * injectable clock, and rule reloads.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/alert-notify.h"
#include "hub/alerts/handover.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define ALERT_TICK_MS 1000

static const struct audit_actor alert_system_timer = {
    "system", "timer", -1, NULL, ""};

static void alert_engine_commit(struct alert_engine *e);

/* ---- Timers ------------------------------------------------------------- */

static void
alert_engine_timers(struct alert_engine *e, struct alert *a, int64_t now)
{
	json_t *before;

	alert_engine_silence_check(e, a, now);
	/* Released from an inhibition (its inhibitor closed, or stopped
	 * matching after a reload): notified as a fresh fire. */
	if (alert_engine_inhibit_check(e, a, now) && !alert_quiet(a) &&
	    a->state == ALERT_FIRING)
		alert_engine_notify(e, a, "fire", NULL);
	if (a->state == ALERT_ACKED && a->ack.expires_ms != 0 &&
	    now >= a->ack.expires_ms) {
		before = alert_snapshot(a);
		a->state = ALERT_FIRING;
		a->unacked_since_ms = now;
		a->escalation_step = 0;
		free(a->ack.by);
		free(a->ack.via);
		free(a->ack.comment);
		memset(&a->ack, 0, sizeof a->ack);
		alert_engine_record(e, a, &alert_system_timer, "unack", before,
		    alert_snapshot(a), "acknowledgement expired");
		alert_engine_notify(e, a, "fire", NULL);
	}
	alert_engine_escalate(e, a, now, &alert_system_timer);
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

void
alert_engine_tick(struct alert_engine *e)
{
	int64_t now = alert_engine_now(e);
	int64_t drop_before = now - e->rules->settings.retention_ms;
	size_t i;

	/* A shift that ended: its note as it stood then, before its acks
	 * lapse below. */
	alert_engine_handover_tick(e, now);
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
static void
alert_engine_commit(struct alert_engine *e)
{
	char *cause = NULL;

	if (alert_kv_commit(e->kv, &cause) != 0) {
		log_error("alerts", "saving state: %s", cause);
		free(cause);
	}
}

static void
alert_engine_eval_cb(evutil_socket_t fd, short what, void *arg)
{
	alert_engine_eval(arg);
}

static void
alert_engine_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	alert_engine_tick(arg);
}

int
alert_engine_start(struct alert_engine *e, char **cause)
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

int
alert_engine_eval(struct alert_engine *e)
{
	int64_t now = alert_engine_now(e), t0 = clock_mono_ns();
	size_t i;
	int failed = 0, pass;

	e->gen++;
	alert_kv_begin(e->kv); /* one durable write for the whole pass */
	/* Rules that inhibit others first, so that an alert they inhibit
	 * is quiet from its first notification on. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < e->rules->nrules; i++) {
			const struct alert_rule *r = &e->rules->rules[i];

			if (r->disabled || (r->ninhibits > 0) != (pass == 0))
				continue;
			if (alert_eval_rule(e, i, now) != 0)
				failed++;
		}
	}
	alert_engine_commit(e);
	e->evals++;
	e->eval_errors += (uint64_t)failed;
	e->last_eval_us = (clock_mono_ns() - t0) / 1000;
	return failed;
}

void
alert_engine_set_rules(struct alert_engine *e, struct alert_rules *r)
{
	struct alert_rules *old = e->rules;
	char *cause = NULL;
	size_t i;

	alert_engine_selectors_free(e);
	e->rules = r;
	e->inhib_valid = 0; /* candidates hold rules of the old set */
	if (alert_engine_selectors_compile(e, &cause) != 0) {
		/* Checked at load; keep going without the bad selectors. */
		log_error("alerts", "%s", cause);
		free(cause);
		cause = NULL;
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
	if (e->ev_eval != NULL && alert_engine_start(e, &cause) != 0) {
		log_error("alerts", "%s", cause);
		free(cause);
	}
}
