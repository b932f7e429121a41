/* Fuzz target: the alert rules loader (hub/alerts/alert-rules.c) with the
 * rules' "inhibits" (alert-rules-inhibit.c): any input is rules or a
 * "file:line:col" error, never a crash; loaded rules keep their
 * invariants. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-rules.h"

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
	alert_rules_free(r);
	return 0;
}
