/* Fuzz target: the hub's systems catalogue loader (hub/systems.c) with
 * the metric declarations of hub/systems-metric.c, against a small fixed
 * territory. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/systems.h"
#include "hub/territory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_territory[] =
    "{\"district\": {\"code\": \"440304000000\", \"name\": \"d\"},"
    " \"subdistricts\": [{\"code\": \"440304001000\", \"name\": \"s\"}],"
    " \"communities\": [{\"code\": \"440304001001\", \"parent\":"
    " \"440304001000\", \"name\": \"c\"}],"
    " \"grids\": [{\"code\": \"440304001001001\", \"parent\":"
    " \"440304001001\", \"name\": \"g\"}]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hub_territory *t;
	struct hub_systems *s;
	char *cause = NULL;
	size_t i, k;

	if (t == NULL && (t = hub_territory_parse("t.json", fuzz_territory,
	                      sizeof fuzz_territory - 1, &cause)) == NULL)
		abort();
	s = hub_systems_parse("fuzz.json", (const char *)data, size, t, &cause);
	if (s != NULL) {
		/* every declared metric is found again by its name */
		for (i = 0; i < s->nsystems; i++) {
			const struct hub_system *sys = &s->systems[i];

			for (k = 0; k < sys->nmetrics; k++) {
				if (hub_system_metric(sys, sys->metrics[k]) !=
				        &sys->specs[k] ||
				    (sys->specs[k].has_range &&
				        sys->specs[k].min > sys->specs[k].max))
					abort();
			}
		}
		hub_systems_free(s);
	} else if (cause == NULL)
		abort();
	free(cause);
	return 0;
}
