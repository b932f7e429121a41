/*
 * Alert ids on a city hub: every district hub numbers its alerts from
 * A000001, so the city hub names each alert it lists "DDDDDD-ID", the
 * first 6 digits of its district's code, a hyphen and the district's own
 * id ("440304-A000123"; only digits, letters and '-', safe in a URL path
 * unescaped), keeping the district's id as "local_id" (city-int.h).
 * Nothing here needs the hub: the fuzz target links it alone.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hub/city/city-int.h"
#include "lib/xmalloc.h"

/* Digits of a district code that name it in a city alert id. */
#define CITY_ALERT_PREFIX 6

char *
city_alert_id(const struct city_district_conf *d, const char *local)
{
	return xasprintf("%.*s-%s", CITY_ALERT_PREFIX, d->code, local);
}

int
city_alert_id_parse(
    const struct city_conf *c, const char *id, const char **local)
{
	size_t i;

	if (id == NULL || strlen(id) < CITY_ALERT_PREFIX + 2 ||
	    id[CITY_ALERT_PREFIX] != '-')
		return -1;
	for (i = 0; i < c->ndistricts; i++) {
		if (strncmp(c->districts[i].code, id, CITY_ALERT_PREFIX) == 0) {
			*local = id + CITY_ALERT_PREFIX + 1;
			return (int)i;
		}
	}
	return -1;
}

/* The string member k of o, if it is a district alert id, as the city's. */
static void
city_alert_rename(json_t *o, const char *k, const struct city_district_conf *d)
{
	const char *v = json_string_value(json_object_get(o, k));
	char *id;

	if (v == NULL || *v == '\0')
		return;
	id = city_alert_id(d, v);
	json_object_set_new(o, k, json_string(id));
	free(id);
}

void
city_alert_mark(json_t *a, const struct city_district_conf *d)
{
	const char *id = json_string_value(json_object_get(a, "id"));

	if (!json_is_object(a) || id == NULL)
		return;
	json_object_set_new(a, "local_id", json_string(id));
	city_alert_rename(a, "id", d);
	city_alert_rename(a, "inhibited_by", d);
	json_object_set_new(a, "district", json_string(d->code));
	json_object_set_new(a, "district_name", json_string(d->name));
}

void
city_alert_mark_group(json_t *g, const struct city_district_conf *d)
{
	json_t *ids = json_object_get(g, "ids"), *v;
	size_t i;
	char *id;

	json_array_foreach(ids, i, v)
	{
		if (!json_is_string(v))
			continue;
		id = city_alert_id(d, json_string_value(v));
		json_array_set_new(ids, i, json_string(id));
		free(id);
	}
}
