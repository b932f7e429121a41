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
#include "lib/xmalloc.h"

/* The metric of the rule at r's selector, or NULL. */
const char *
alert_inhibit_metric(struct alert_engine *e, const struct alert_rule *r)
{
	size_t idx = (size_t)(r - e->rules->rules);

	if (e->sels == NULL || e->sels[idx] == NULL)
		return NULL;
	return e->sels[idx]->metric;
}

/* Does entry in of rule sr, on source alert s, take in target a?  *trp
 * caches the rule of a (looked up at most once per target). */
static int
alert_inhibit_entry_matches(struct alert_engine *e, const struct alert_rule *sr,
    const struct alert_inhibit *in, const struct alert *s,
    const struct alert *a, const struct alert_rule **trp, int *tr_done)
{
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
	if (a->from_event || a->severity >= s->severity)
		return 0;
	if (!*tr_done) {
		*trp = alert_rules_find(e->rules, a->rule);
		*tr_done = 1;
	}
	if (*trp == NULL)
		return 0;
	m1 = alert_inhibit_metric(e, sr);
	m2 = alert_inhibit_metric(e, *trp);
	return m1 != NULL && m2 != NULL && strcmp(m1, m2) == 0;
}

int
alert_inhibit_matches(struct alert_engine *e, const struct alert_rule *sr,
    const struct alert *s, const struct alert *a)
{
	const struct alert_rule *tr = NULL;
	int tr_done = 0;
	size_t j;

	for (j = 0; j < sr->ninhibits; j++) {
		if (alert_inhibit_entry_matches(
		        e, sr, &sr->inhibits[j], s, a, &tr, &tr_done))
			return 1;
	}
	return 0;
}

/* ---- Candidate inhibitors --------------------------------------------- */

static void
alert_inhibit_add(
    struct alert_engine *e, struct alert *a, const struct alert_rule *r)
{
	if (e->ninhib == e->cinhib) {
		e->cinhib = e->cinhib == 0 ? 64 : e->cinhib * 2;
		e->inhib = xreallocarray(e->inhib, e->cinhib, sizeof *e->inhib);
		e->inhib_rule = xreallocarray(
		    e->inhib_rule, e->cinhib, sizeof *e->inhib_rule);
	}
	e->inhib[e->ninhib] = a;
	e->inhib_rule[e->ninhib++] = r;
	a->inhib_cand = 1;
}

/* Rebuild the candidates from the alerts in memory: those firing or
 * acknowledged whose rule (of the current set) has "inhibits". */
static void
alert_inhibit_rebuild(struct alert_engine *e)
{
	const struct alert_rule *r;
	size_t i;

	for (i = 0; i < e->ninhib; i++)
		e->inhib[i]->inhib_cand = 0;
	e->ninhib = 0;
	e->inhib_valid = 1;
	if (e->rules->ninhibiting == 0)
		return;
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];

		if (a->from_event ||
		    (a->state != ALERT_FIRING && a->state != ALERT_ACKED))
			continue;
		r = alert_rules_find(e->rules, a->rule);
		if (r != NULL && r->ninhibits > 0)
			alert_inhibit_add(e, a, r);
	}
}

void
alert_inhibit_note(struct alert_engine *e, struct alert *a)
{
	const struct alert_rule *r;

	if (!e->inhib_valid || a->inhib_cand || a->from_event ||
	    e->rules->ninhibiting == 0)
		return;
	r = alert_rules_find(e->rules, a->rule);
	if (r != NULL && r->ninhibits > 0)
		alert_inhibit_add(e, a, r);
}

void
alert_inhibit_forget(struct alert_engine *e, struct alert *a)
{
	size_t i;

	if (!a->inhib_cand)
		return;
	for (i = 0; i < e->ninhib; i++) {
		if (e->inhib[i] == a) {
			e->inhib[i] = e->inhib[--e->ninhib];
			e->inhib_rule[i] = e->inhib_rule[e->ninhib];
			break;
		}
	}
	a->inhib_cand = 0;
}

/* The alert inhibiting a now, or NULL: of the candidates that match, the
 * first in the engine's alerts array (as a scan of all alerts finds). */
static struct alert *
alert_inhibit_find(struct alert_engine *e, const struct alert *a)
{
	struct alert *best = NULL;
	const struct alert_rule *tr = NULL;
	int tr_done = 0;
	size_t i, j;

	if (e->rules->ninhibiting == 0 || !alert_state_active(a->state))
		return NULL;
	if (!e->inhib_valid)
		alert_inhibit_rebuild(e);
	for (i = 0; i < e->ninhib; i++) {
		struct alert *s = e->inhib[i];
		const struct alert_rule *sr = e->inhib_rule[i];

		if (s == a || (best != NULL && s->mem_idx > best->mem_idx) ||
		    (s->state != ALERT_FIRING && s->state != ALERT_ACKED))
			continue;
		for (j = 0; j < sr->ninhibits; j++) {
			if (alert_inhibit_entry_matches(
			        e, sr, &sr->inhibits[j], s, a, &tr, &tr_done)) {
				best = s;
				break;
			}
		}
	}
	return best;
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
