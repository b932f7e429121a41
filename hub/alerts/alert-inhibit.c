/*
 * Inhibition (issue 17): a firing or acknowledged alert of a rule with
 * "inhibits" quiets the alerts of the rules it lists (or, for an entry
 * without "rules", those of lower severity for the same metric) on the
 * same place, or on any place below it for "scope": "below".  The
 * inhibited alert is kept and listed with inhibited_by; alert_quiet()
 * leaves it out of counts, escalation and notifications.  It is released
 * when its inhibitor resolves or closes (or stops matching), and then
 * notified if it still fires (alert_engine_inhibit_update, in
 * alert-engine.c: this file sits below the engine and calls none of it).
 */
#include "config.h"

#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "lib/selector.h"

/* The metric of the rule at r's selector, or NULL. */
const char *
alert_inhibit_metric(struct alert_engine *e, const struct alert_rule *r)
{
	size_t idx = (size_t)(r - e->rules->rules);

	if (e->sels == NULL || e->sels[idx] == NULL)
		return NULL;
	return e->sels[idx]->metric;
}

/* Does entry in of rule sr, on source alert s, take in target a? */
static int
alert_inhibit_entry_matches(struct alert_engine *e, const struct alert_rule *sr,
    const struct alert_inhibit *in, const struct alert *s,
    const struct alert *a)
{
	const struct alert_rule *tr;
	const char *m1, *m2;
	size_t k;

	if (in->below
	        ? !alert_engine_within(e, a->code, s->code)
	        : !(a->code == s->code || (a->code != NULL && s->code != NULL &&
	                                      strcmp(a->code, s->code) == 0)))
		return 0;
	if (in->rules != NULL) {
		for (k = 0; in->rules[k] != NULL; k++) {
			if (strcmp(in->rules[k], a->rule) == 0)
				return 1;
		}
		return 0;
	}
	if (a->from_event || a->severity >= s->severity ||
	    (tr = alert_rules_find(e->rules, a->rule)) == NULL)
		return 0;
	m1 = alert_inhibit_metric(e, sr);
	m2 = alert_inhibit_metric(e, tr);
	return m1 != NULL && m2 != NULL && strcmp(m1, m2) == 0;
}

/* The alert inhibiting a now, or NULL. */
static struct alert *
alert_inhibit_find(struct alert_engine *e, const struct alert *a)
{
	size_t i, j;

	if (e->rules->ninhibiting == 0 || !alert_state_active(a->state))
		return NULL;
	for (i = 0; i < e->nalerts; i++) {
		struct alert *s = e->alerts[i];
		const struct alert_rule *sr;

		if (s == a || s->from_event ||
		    (s->state != ALERT_FIRING && s->state != ALERT_ACKED))
			continue;
		sr = alert_rules_find(e->rules, s->rule);
		if (sr == NULL || sr->ninhibits == 0)
			continue;
		for (j = 0; j < sr->ninhibits; j++) {
			if (alert_inhibit_entry_matches(
			        e, sr, &sr->inhibits[j], s, a))
				return s;
		}
	}
	return NULL;
}

int
alert_engine_inhibit_check(struct alert_engine *e, struct alert *a, int64_t now)
{
	struct alert *s = alert_inhibit_find(e, a);
	const char *was = a->inhibited_by;
	json_t *before, *after;

	if (s == NULL && was == NULL)
		return 0;
	if (s != NULL && was != NULL && strcmp(was, s->id) == 0)
		return 0;
	before = json_pack("{s:s?}", "inhibited_by", was);
	after = json_pack("{s:s?}", "inhibited_by", s != NULL ? s->id : NULL);
	if (alert_state_active(a->state))
		alert_history_add(a, now, "system", "inhibit", "",
		    s != NULL ? "inhibit" : "uninhibit", before, after,
		    s != NULL ? s->message : NULL);
	else {
		json_decref(before);
		json_decref(after);
		a->dirty = 1;
	}
	alert_str_set(&a->inhibited_by, s != NULL ? s->id : NULL);
	return 1;
}
