/* Where an alert lies: territory-aware "inside" tests of the engine, and
 * what an alert's API object gets from the territory (its place's names)
 * and its rule (the threshold a chart draws). */
#include "config.h"

#include <string.h>

#include "hub/alerts/alert-internal.h"

int
alert_engine_within(struct alert_engine *e, const char *code, const char *scope)
{
	if (scope == NULL)
		return 1;
	if (code == NULL)
		return 0;
	if (e->env.within != NULL)
		return e->env.within(e->env.arg, code, scope);
	return strncmp(code, scope, strlen(scope)) == 0 ||
	       strcmp(code, scope) == 0;
}

/* Is scope the whole district? */
int
alert_engine_scope_all(struct alert_engine *e, const char *scope)
{
	const char *root;

	if (scope == NULL)
		return 1;
	root = e->env.root != NULL ? e->env.root(e->env.arg) : NULL;
	return root != NULL && strcmp(root, scope) == 0;
}

void
alert_engine_places(struct alert_engine *e, json_t *o, const char *code)
{
	char *(*fn[2])(void *, const char *) = {e->env.place, e->env.place_en};
	static const char *const key[2] = {"place", "place_en"};
	char *p;
	int i;

	for (i = 0; i < 2 && code != NULL; i++) {
		p = fn[i] != NULL ? fn[i](e->env.arg, code) : NULL;
		if (p != NULL)
			json_object_set_new(o, key[i], json_string(p));
		free(p);
	}
}

void
alert_engine_rule_json(struct alert_engine *e, json_t *o, const struct alert *a)
{
	const struct alert_rule *r;
	const char *metric;

	if (a->from_event || e->rules == NULL ||
	    (r = alert_rules_find(e->rules, a->rule)) == NULL ||
	    r->type != ALERT_RULE_THRESHOLD ||
	    (metric = alert_inhibit_metric(e, r)) == NULL)
		return;
	json_object_set_new(o, "metric", json_string(metric));
	json_object_set_new(o, "op", json_string(alert_op_name(r->op)));
	json_object_set_new(o, "threshold", json_real(r->threshold));
}
