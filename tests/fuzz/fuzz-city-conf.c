/* Fuzz target: a city hub's "city" and "districts" (hub/city/city-conf.c)
 * and the territory built from them; the strings of "alert_ids" parsed as
 * city alert ids (hub/city/city-alert.c), and each district's ids made
 * from them parsed back. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/city/city-int.h"
#include "hub/city/city.h"
#include "hub/territory.h"
#include "lib/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each string of ids parses to a district whose code starts with its
 * first 6 characters, or to none; each district's id made of it parses
 * back to a district of the same 6 digits and the same local id. */
static void
city_fuzz_ids(const struct city_conf *c, json_t *ids)
{
	const char *s, *local;
	json_t *v;
	size_t i, k;
	char *id;
	int d;

	json_array_foreach(ids, i, v)
	{
		if ((s = json_string_value(v)) == NULL)
			continue;
		d = city_alert_id_parse(c, s, &local);
		if (d >= 0 && (strncmp(c->districts[d].code, s, 6) != 0 ||
		                  local != s + 7 || *local == '\0'))
			abort();
		if (*s == '\0')
			continue;
		for (k = 0; k < c->ndistricts; k++) {
			id = city_alert_id(&c->districts[k], s);
			d = city_alert_id_parse(c, id, &local);
			if (d < 0 ||
			    strncmp(c->districts[d].code, c->districts[k].code,
			        6) != 0 ||
			    strcmp(local, s) != 0)
				abort();
			free(id);
		}
	}
}

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
			city_fuzz_ids(c, json_object_get(root, "alert_ids"));
			city_conf_free(c);
		} else if (cause == NULL)
			abort();
		free(cause);
	}
	conf_file_free(cf);
	return 0;
}
