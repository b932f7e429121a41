/* Fuzz target: a city hub's "city" and "districts" (hub/city/city-conf.c)
 * and the territory built from them. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/city/city.h"
#include "hub/territory.h"
#include "lib/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_file *cf;
	struct city_conf *c = NULL;
	struct hub_territory *t;
	json_t *root;
	char *cause = NULL;
	size_t i;

	cf = conf_file_parse("fuzz.json", (const char *)data, size, &cause);
	if (cf == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		return 0;
	}
	root = conf_file_root(cf);
	if (json_is_object(root) &&
	    (json_object_get(root, "city") != NULL ||
	        json_object_get(root, "districts") != NULL)) {
		json_t *city = json_object_get(root, "city");
		json_t *d = json_object_get(root, "districts");

		if (city_conf_read(cf, "/nonexistent/hub.json",
		        json_is_object(city) ? city : NULL,
		        json_is_array(d) ? d : NULL, &c, &cause) == 0) {
			/* every code is found again and sits inside the city */
			t = city_territory_new(c);
			for (i = 0; i < t->nnodes; i++) {
				if (hub_territory_find(t, t->nodes[i].code,
				        strlen(t->nodes[i].code)) != (int)i ||
				    !hub_territory_within(t, (int)i, 0))
					abort();
			}
			hub_territory_free(t);
			city_conf_free(c);
		} else if (cause == NULL)
			abort();
		free(cause);
	}
	conf_file_free(cf);
	return 0;
}
