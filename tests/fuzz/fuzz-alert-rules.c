/* Fuzz target: the alert rules loader (hub/alerts/alert-rules.c) with the
 * rules' "inhibits" (alert-rules-inhibit.c) and "case_categories"
 * (case-categories.c), "desks" (desk-config.c) and "incident"
 * (alert-rules-incident.c): any input is rules or a "file:line:col" error,
 * never a crash; loaded rules keep their invariants. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-rules-incident.h"
#include "hub/alerts/alert-rules.h"
#include "hub/alerts/case-categories.h"
#include "hub/alerts/desk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alert_rules *r;
	char *cause = NULL;
	size_t i, j, k, ninh = 0;

	r = alert_rules_parse(
	    "fuzz.json", (const char *)data, size, NULL, NULL, &cause);
	if (r == NULL) {
		if (cause == NULL || strncmp(cause, "fuzz.json:", 10) != 0)
			abort();
		free(cause);
		return 0;
	}
	for (i = 0; i < r->nrules; i++) {
		const struct alert_rule *rule = &r->rules[i];

		if (alert_rules_find(r, rule->name) == NULL)
			abort();
		ninh += rule->ninhibits > 0;
		/* an incident key has a known level, a window and a title */
		if (rule->incident != NULL &&
		    (rule->incident->window_ms <= 0 ||
		        rule->incident->title == NULL ||
		        (strcmp(rule->incident->group, "grid") != 0 &&
		            strcmp(rule->incident->group, "community") != 0 &&
		            strcmp(rule->incident->group, "subdistrict") != 0 &&
		            strcmp(rule->incident->group, "district") != 0)))
			abort();
		for (j = 0; j < rule->ninhibits; j++) {
			char **n = rule->inhibits[j].rules;

			/* every rule an inhibition names exists */
			for (k = 0; n != NULL && n[k] != NULL; k++) {
				if (alert_rules_find(r, n[k]) == NULL)
					abort();
			}
		}
	}
	if (ninh != r->ninhibiting)
		abort();
	for (i = 0; i < r->ncase_cats; i++) {
		const struct case_category *c = &r->case_cats[i];

		/* each category answers to its id, is routed to a lead that
		 * does not support itself, within a positive time limit */
		if (case_categories_find(r, c->id) != c ||
		    (c->name != NULL &&
		        case_categories_find(r, c->name) != c) ||
		    c->dept == NULL || c->time_limit_ms <= 0)
			abort();
		for (j = 0; c->support[j] != NULL; j++) {
			if (strcmp(c->support[j], c->dept) == 0)
				abort();
		}
	}
	for (i = 0; i < r->ndesks; i++) {
		const struct desk *d = &r->desks[i];

		/* each desk answers to its id, has a name and columns; a
		 * chain's desk target names a desk */
		if (desks_find(r, d->id) != d || d->name == NULL ||
		    d->columns == NULL || d->columns[0] == NULL)
			abort();
	}
	for (i = 0; r->ndesks > 0 && i < ALERT_SEV_COUNT; i++) {
		const struct alert_escalation *c = r->settings.escalation[i];

		for (j = 0; c != NULL && j < c->nsteps; j++) {
			if (strncmp(c->steps[j].to, "desk:", 5) == 0 &&
			    desks_find(r, c->steps[j].to + 5) == NULL)
				abort();
		}
	}
	alert_rules_free(r);
	return 0;
}
