/* The "inhibits" member of an alert rule: reading and checking it. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-rules-inhibit.h"
#include "lib/xmalloc.h"

struct inhibit_raw {
	char **rules;
	char *scope;
};

static const struct conf_field inhibit_fields[] = {
    {"rules", CONF_STRARRAY, 0, offsetof(struct inhibit_raw, rules), 0, 0},
    {"scope", CONF_STRING, 0, offsetof(struct inhibit_raw, scope), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

int
alert_rules_inhibits_read(
    struct conf_file *cf, json_t *arr, struct alert_rule *out, char **cause)
{
	size_t i, n = json_array_size(arr);

	if (n == 0) {
		*cause = conf_error(cf, arr, NULL, 0,
		    "list at least one {\"rules\": [...], \"scope\": ...}");
		return -1;
	}
	out->inhibits = xcalloc(n, sizeof *out->inhibits);
	for (i = 0; i < n; i++) {
		json_t *obj = json_array_get(arr, i);
		struct inhibit_raw raw;

		if (!json_is_object(obj)) {
			*cause =
			    conf_error(cf, arr, NULL, i, "expected an object");
			return -1;
		}
		memset(&raw, 0, sizeof raw);
		if (conf_object_read(cf, obj, inhibit_fields, &raw, cause) != 0)
			goto fail;
		if (raw.rules != NULL && raw.rules[0] == NULL) {
			*cause = conf_error(cf, obj, "rules", 0,
			    "list at least one rule, or leave \"rules\" out "
			    "for the lower severities of the same metric");
			goto fail;
		}
		if (raw.scope != NULL && strcmp(raw.scope, "same") != 0 &&
		    strcmp(raw.scope, "below") != 0) {
			*cause = conf_error(cf, obj, "scope", 0,
			    "expected \"same\" or \"below\"");
			goto fail;
		}
		out->inhibits[i].rules = raw.rules;
		out->inhibits[i].below =
		    raw.scope != NULL && strcmp(raw.scope, "below") == 0;
		out->ninhibits++;
		free(raw.scope);
		continue;
	fail:
		conf_strarray_free(raw.rules);
		free(raw.scope);
		return -1;
	}
	return 0;
}

int
alert_rules_inhibits_check(
    struct conf_file *cf, json_t *rules, struct alert_rules *rs, char **cause)
{
	size_t i, j, k;

	rs->ninhibiting = 0;
	for (i = 0; i < rs->nrules; i++) {
		const struct alert_rule *r = &rs->rules[i];
		json_t *arr =
		    json_object_get(json_array_get(rules, i), "inhibits");

		if (r->ninhibits > 0)
			rs->ninhibiting++;
		for (j = 0; j < r->ninhibits; j++) {
			char **names = r->inhibits[j].rules;

			for (k = 0; names != NULL && names[k] != NULL; k++) {
				if (alert_rules_find(rs, names[k]) != NULL)
					continue;
				*cause = conf_error(cf,
				    json_object_get(
				        json_array_get(arr, j), "rules"),
				    NULL, k, "unknown rule \"%s\"", names[k]);
				return -1;
			}
		}
	}
	return 0;
}

void
alert_rules_inhibits_free(struct alert_rule *r)
{
	size_t i;

	for (i = 0; i < r->ninhibits; i++)
		conf_strarray_free(r->inhibits[i].rules);
	free(r->inhibits);
	r->inhibits = NULL;
	r->ninhibits = 0;
}
