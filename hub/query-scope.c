/* Scope matchers for query selectors (fail closed). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/query-scope.h"
#include "hub/territory.h"
#include "lib/selector.h"
#include "lib/xmalloc.h"

int
hub_query_scope(const struct hub_territory *t, const char *scope,
    struct selector **sel, char **cause)
{
	const struct hub_node *n;
	struct selector *extra;
	char *text, *why = NULL;

	n = scope != NULL ? hub_territory_node(t, scope) : NULL;
	if (n == NULL) {
		*cause = xasprintf("your scope \"%s\" is not in the territory",
		    scope != NULL ? scope : "");
		goto fail;
	}
	if (n->level == HUB_LEVEL_CITY ||
	    (n->level == HUB_LEVEL_DISTRICT && n->parent < 0))
		return 0;
	/* A missing tag is "", so "X|" keeps data without place tags. */
	switch (n->level) {
	case HUB_LEVEL_DISTRICT:
		/* A district of a city hub: the "district" label its hub's
		 * forwarding adds, its code or the code's first 6 digits;
		 * data without it is nobody's district (docs/scale.md). */
		text = xasprintf("{district=~\"%s|%.6s\"}", n->code, n->code);
		break;
	case HUB_LEVEL_SUBDISTRICT:
		text = xasprintf("{subdistrict=~\"%s|\"}", n->code);
		break;
	case HUB_LEVEL_COMMUNITY:
		text = xasprintf("{subdistrict=~\"%s|\",community=~\"%s|\"}",
		    t->nodes[n->subdistrict].code, n->code);
		break;
	default:
		text = xasprintf("{subdistrict=~\"%s|\",community=~\"%s|\","
		                 "grid=~\"%s|\"}",
		    t->nodes[n->subdistrict].code, t->nodes[n->community].code,
		    n->code);
		break;
	}
	extra = selector_parse_cause(text, &why);
	free(text);
	if (extra == NULL) {
		*cause = xasprintf("your scope \"%s\" gives no selector: %s",
		    scope, why != NULL ? why : "?");
		free(why);
		goto fail;
	}
	if (*sel == NULL) {
		*sel = extra;
		return 0;
	}
	(*sel)->m =
	    xreallocarray((*sel)->m, (*sel)->n + extra->n, sizeof *(*sel)->m);
	memcpy((*sel)->m + (*sel)->n, extra->m, extra->n * sizeof *extra->m);
	(*sel)->n += extra->n;
	extra->n = 0; /* matchers moved */
	selector_free(extra);
	return 0;
fail:
	selector_free(*sel);
	*sel = NULL;
	return -1;
}
