/* Fuzz target: the hub's territory loader (hub/territory.c) and its time
 * parameter parser (hub_parse_time in hub/reply.c). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub.h"
#include "hub/territory.h"
#include "lib/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hub_territory *t;
	char *cause = NULL, *s;
	int64_t ms;
	size_t i;

	t = hub_territory_parse("fuzz.json", (const char *)data, size, &cause);
	if (t != NULL) {
		/* every code is found again and sits inside the district */
		for (i = 0; i < t->nnodes; i++) {
			if (hub_territory_find(t, t->nodes[i].code,
			        strlen(t->nodes[i].code)) != (int)i)
				abort();
			if (!hub_territory_within(t, (int)i, 0))
				abort();
		}
		hub_territory_free(t);
	} else if (cause == NULL)
		abort();
	free(cause);
	if (size < 64) {
		s = xstrndup((const char *)data, size);
		(void)hub_parse_time(s, 1700000000000LL, &ms);
		free(s);
	}
	return 0;
}
