/* Fuzz target: a case's address resolved through the territory
 * (hub/alerts/case-place.c).  The input's first line is the address; the
 * rest a territory file (a small built-in one when it does not load).
 * Any address is a place below the district or an "address" error, never
 * a crash. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/case.h"
#include "hub/territory.h"
#include "lib/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_territory[] =
    "{\"district\": {\"code\": \"440304000000\", \"name\": \"福田区\"},\n"
    " \"subdistricts\": [{\"code\": \"440304001000\", \"name\": "
    "\"南园街道\"}],\n"
    " \"communities\": [{\"code\": \"440304001001\", \"parent\": "
    "\"440304001000\", \"name\": \"东园社区\"},\n"
    "  {\"code\": \"440304001002\", \"parent\": \"440304001000\", "
    "\"name\": \"东园\"}],\n"
    " \"grids\": [{\"code\": \"440304001001001\", \"parent\": "
    "\"440304001001\", \"name\": \"东园01\",\n"
    "   \"buildings\": [{\"code\": \"FT-1\", \"name\": \"一栋\", "
    "\"address\": \"东园路1号\"}]},\n"
    "  {\"code\": \"440304001002001\", \"parent\": \"440304001002\", "
    "\"name\": \"东园01\"}]}\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t alen = nl != NULL ? (size_t)(nl - (const char *)data) : size;
	struct hub_territory *t = NULL;
	char *addr, *why = NULL, *cause = NULL;
	int idx;

	if (nl != NULL)
		t = hub_territory_parse(
		    "fuzz.json", nl + 1, size - alen - 1, &cause);
	free(cause);
	cause = NULL;
	if (t == NULL)
		t = hub_territory_parse(
		    "built-in", fuzz_territory, strlen(fuzz_territory), &cause);
	if (t == NULL)
		abort();
	addr = xstrndup((const char *)data, alen);
	idx = case_place_resolve(t, addr, &why);
	if (idx < 0) {
		/* an error that names the field */
		if (why == NULL || strncmp(why, "\"address\": ", 11) != 0)
			abort();
	} else if (idx == 0 || (size_t)idx >= t->nnodes || why != NULL)
		abort();
	free(why);
	free(addr);
	hub_territory_free(t);
	return 0;
}
