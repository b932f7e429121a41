/* A case's address resolved to a place of the territory (see case.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/alerts/case.h"
#include "hub/territory.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

#define CASE_SUFFIX "社区"

/* Does node n answer to name: its name, or a community's name without
 * its "社区"? */
static int
case_place_name_is(const struct hub_node *n, const char *name, size_t len)
{
	size_t nl = strlen(n->name), sl = strlen(CASE_SUFFIX);

	if (nl == len && memcmp(n->name, name, len) == 0)
		return 1;
	return n->level == HUB_LEVEL_COMMUNITY && nl == len + sl &&
	       memcmp(n->name, name, len) == 0 &&
	       strcmp(n->name + len, CASE_SUFFIX) == 0;
}

int
case_place_resolve(const struct hub_territory *t, const char *text, char **why)
{
	const char *name = text, *p;
	size_t i, j, len, nhits = 0;
	struct buf hits = BUF_INIT;
	int idx = -1, grid;
	json_t *b;

	while ((p = strstr(name, " / ")) != NULL)
		name = p + 3;
	while (*name == ' ')
		name++;
	len = strlen(name);
	while (len > 0 && name[len - 1] == ' ')
		len--;
	if ((idx = hub_territory_find(t, name, len)) > 0)
		return idx;
	if (hub_territory_building(t, text, &grid) != NULL)
		return grid;
	for (i = 1; i < t->nnodes; i++) {
		const struct hub_node *n = &t->nodes[i];
		int hit = case_place_name_is(n, name, len);

		json_array_foreach(n->buildings, j, b)
		{
			const char *addr =
			    json_string_value(json_object_get(b, "address"));

			hit |= addr != NULL && strcmp(addr, text) == 0;
		}
		if (!hit)
			continue;
		buf_printf(&hits, "%s%s", nhits > 0 ? ", " : "", n->code);
		idx = (int)i;
		nhits++;
	}
	if (nhits == 1) {
		buf_free(&hits);
		return idx;
	}
	if (nhits == 0)
		*why = xasprintf(
		    "\"address\": \"%s\" names no grid, community, subdistrict "
		    "or building of the territory (give \"grid\": a grid "
		    "code)",
		    text);
	else
		*why = xasprintf("\"address\": \"%s\" is ambiguous (%s): give "
		                 "\"grid\"",
		    text, buf_str(&hits));
	buf_free(&hits);
	return -1;
}
