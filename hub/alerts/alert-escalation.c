/*
 * Escalation chains (issue 17): while an alert fires unacknowledged and is
 * not quiet, each step of its chain (its rule's "escalation", a case's
 * category's "escalation", else its severity's in settings, else one
 * step to role:supervisor after
 * ack_within) is taken once its "after" has passed since the alert last
 * became unacknowledged: escalation_step counts the steps taken, each is
 * recorded in the history and the audit ("escalate") and notified to the
 * target's webhook.  An acknowledgement or a resolution stops the chain;
 * a return to firing (unack, ack expiry, reopen) starts it over.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/case-categories.h"

void
alert_engine_escalate(struct alert_engine *e, struct alert *a, int64_t now,
    const struct audit_actor *who)
{
	const struct alert_escalation *ch;
	const struct alert_esc_step *st;
	struct alert_escalation tmp;
	struct alert_esc_step tmp_step;
	const char *url, *dept, *cat;
	int64_t unacked;
	char why[160];

	if (a->state != ALERT_FIRING || alert_quiet(a))
		return;
	/* A case of a category with a chain of its own climbs that one. */
	cat = a->from_event && strcmp(a->rule, "case") == 0
	          ? json_string_value(json_object_get(a->labels, "category"))
	          : NULL;
	ch = case_categories_escalation(e->rules, cat);
	/* Every firing alert, every second: look its rule up only when
	 * some rule has a chain of its own. */
	if (ch == NULL)
		ch = alert_rules_escalation(e->rules,
		    a->from_event || e->rules->nescalating == 0
		        ? NULL
		        : alert_rules_find(e->rules, a->rule),
		    a->severity, &tmp, &tmp_step);
	unacked = now - a->unacked_since_ms;
	while (a->escalation_step < ch->nsteps &&
	       unacked >= ch->steps[a->escalation_step].after_ms) {
		st = &ch->steps[a->escalation_step];
		url = alert_rules_escalation_webhook(e->rules, st->to);
		a->escalation_step++;
		alert_str_set(&a->escalated_to, st->to);
		snprintf(why, sizeof why,
		    "not acknowledged in time: step %u of %zu, to %s",
		    a->escalation_step, ch->nsteps, st->to);
		alert_engine_record(e, a, who, "escalate",
		    json_pack("{s:I}", "escalation_step",
		        (json_int_t)a->escalation_step - 1),
		    json_pack("{s:I,s:s,s:I,s:b}", "escalation_step",
		        (json_int_t)a->escalation_step, "to", st->to,
		        "unacked_s", (json_int_t)(unacked / 1000), "webhook",
		        url != NULL),
		    why);
		dept = strncmp(st->to, "dept:", 5) == 0 ? st->to + 5 : NULL;
		if (url != NULL)
			alert_engine_send(e, a, url, "escalate", dept);
	}
}
