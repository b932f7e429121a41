/* Where an alert lies: territory-aware "inside" tests of the engine. */
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
