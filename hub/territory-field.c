/* A grid's buildings and area in territory.json: validation and look-ups
 * for the grid workers' check-in (hub/worker/). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "hub/territory.h"
#include "lib/conf.h"

#define FIELD_CODE_MAX 32

/* Members a building may have, and the JSON type each must be. */
static const struct {
	const char *key;
	json_type type; /* JSON_REAL: any number */
	int required;
} field_building_keys[] = {
    {"code", JSON_STRING, 1},
    {"name", JSON_STRING, 1},
    {"name_en", JSON_STRING, 0},
    {"address", JSON_STRING, 0},
    {"lat", JSON_REAL, 0},
    {"lon", JSON_REAL, 0},
    {"floors", JSON_REAL, 0},
    {"rooms", JSON_ARRAY, 0},
    {"enterprises", JSON_ARRAY, 0},
    {"events", JSON_ARRAY, 0},
    {NULL, JSON_NULL, 0},
};

static int
field_type_ok(json_t *v, json_type type)
{
	if (type == JSON_REAL)
		return json_is_number(v);
	return json_typeof(v) == type;
}

static const char *
field_type_name(json_type type)
{
	return type == JSON_STRING  ? "a string"
	       : type == JSON_ARRAY ? "an array of objects"
	                            : "a number";
}

/* Code characters: letters, digits, '-' and '_'. */
static int
field_code_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > FIELD_CODE_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		        (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* Check building b (element idx of its grid's array arr). */
static int
field_building_read(struct conf_file *cf, const struct hub_territory *t,
    json_t *arr, size_t idx, json_t *b, char **cause)
{
	const char *key, *code;
	json_t *v, *item;
	size_t i, j;
	int found, g;

	json_object_foreach(b, key, v)
	{
		found = -1;
		for (i = 0; field_building_keys[i].key != NULL; i++) {
			if (strcmp(field_building_keys[i].key, key) == 0)
				found = (int)i;
		}
		if (found < 0) {
			*cause = conf_error(cf, b, key, 0, "unknown key");
			return -1;
		}
		if (!field_type_ok(v, field_building_keys[found].type)) {
			*cause = conf_error(cf, b, key, 0, "expected %s",
			    field_type_name(field_building_keys[found].type));
			return -1;
		}
		if (json_is_array(v)) {
			json_array_foreach(v, j, item)
			{
				if (!json_is_object(item)) {
					*cause = conf_error(cf, v, NULL, j,
					    "expected an object");
					return -1;
				}
			}
		}
	}
	for (i = 0; field_building_keys[i].key != NULL; i++) {
		if (field_building_keys[i].required &&
		    json_object_get(b, field_building_keys[i].key) == NULL) {
			*cause = conf_error(cf, b, NULL, 0,
			    "\"%s\" is required", field_building_keys[i].key);
			return -1;
		}
	}
	code = json_string_value(json_object_get(b, "code"));
	if (!field_code_ok(code)) {
		*cause = conf_error(cf, b, "code", 0,
		    "building code must be 1-%d letters, digits, '-' or '_'",
		    FIELD_CODE_MAX);
		return -1;
	}
	if (hub_territory_building(t, code, &g) != NULL) {
		*cause = conf_error(cf, b, "code", 0,
		    "duplicate building code \"%s\" (also in grid %s)", code,
		    t->nodes[g].code);
		return -1;
	}
	for (j = 0; j < idx; j++) {
		if (strcmp(json_string_value(
		               json_object_get(json_array_get(arr, j), "code")),
		        code) == 0) {
			*cause = conf_error(cf, b, "code", 0,
			    "duplicate building code \"%s\"", code);
			return -1;
		}
	}
	return 0;
}

static int
field_area_read(struct conf_file *cf, json_t *area, char **cause)
{
	json_t *poly = json_object_get(area, "polygon"), *pt;
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(area, key, v)
	{
		if (strcmp(key, "polygon") != 0 && strcmp(key, "lat") != 0 &&
		    strcmp(key, "lon") != 0 && strcmp(key, "radius_m") != 0) {
			*cause = conf_error(cf, area, key, 0, "unknown key");
			return -1;
		}
		if (strcmp(key, "polygon") != 0 && !json_is_number(v)) {
			*cause =
			    conf_error(cf, area, key, 0, "expected a number");
			return -1;
		}
	}
	if (poly != NULL) {
		if (!json_is_array(poly) || json_array_size(poly) < 3) {
			*cause = conf_error(cf, area, "polygon", 0,
			    "expected an array of at least 3 [lat, lon] "
			    "points");
			return -1;
		}
		json_array_foreach(poly, i, pt)
		{
			if (!json_is_array(pt) || json_array_size(pt) != 2 ||
			    !json_is_number(json_array_get(pt, 0)) ||
			    !json_is_number(json_array_get(pt, 1))) {
				*cause = conf_error(
				    cf, poly, NULL, i, "expected [lat, lon]");
				return -1;
			}
		}
		return 0;
	}
	if (json_object_get(area, "lat") == NULL ||
	    json_object_get(area, "lon") == NULL ||
	    json_number_value(json_object_get(area, "radius_m")) <= 0) {
		*cause = conf_error(cf, area, NULL, 0,
		    "expected \"lat\", \"lon\" and a positive \"radius_m\", or "
		    "\"polygon\"");
		return -1;
	}
	return 0;
}

int
hub_territory_field_read(struct conf_file *cf, const struct hub_territory *t,
    struct hub_node *n, json_t *buildings, json_t *area, char **cause)
{
	json_t *b;
	size_t i;

	if (area != NULL && field_area_read(cf, area, cause) != 0)
		return -1;
	json_array_foreach(buildings, i, b)
	{
		if (!json_is_object(b)) {
			*cause = conf_error(cf, buildings, NULL, i,
			    "expected a building object");
			return -1;
		}
		if (field_building_read(cf, t, buildings, i, b, cause) != 0)
			return -1;
	}
	if (buildings != NULL)
		n->buildings = json_incref(buildings);
	if (area != NULL)
		n->area = json_incref(area);
	return 0;
}

json_t *
hub_territory_building(
    const struct hub_territory *t, const char *code, int *grid)
{
	json_t *b;
	size_t i, j;

	for (i = 0; i < t->nnodes; i++) {
		json_array_foreach(t->nodes[i].buildings, j, b)
		{
			if (strcmp(
			        json_string_value(json_object_get(b, "code")),
			        code) == 0) {
				*grid = (int)i;
				return b;
			}
		}
	}
	return NULL;
}

/* Great-circle distance in metres (haversine). */
static double
field_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	const double r = 6371000.0, rad = M_PI / 180.0;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double a =
	    sin(dlat / 2) * sin(dlat / 2) +
	    cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);

	return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}

int
hub_territory_area_contains(
    const struct hub_territory *t, int idx, double lat, double lon)
{
	json_t *area = t->nodes[idx].area, *poly, *p, *q;
	size_t i, j, n;
	int in = 0;

	if (area == NULL || !isfinite(lat) || !isfinite(lon))
		return area == NULL ? -1 : 0;
	poly = json_object_get(area, "polygon");
	if (poly == NULL)
		return field_distance_m(lat, lon,
		           json_number_value(json_object_get(area, "lat")),
		           json_number_value(json_object_get(area, "lon"))) <=
		       json_number_value(json_object_get(area, "radius_m"));
	/* Ray casting over the [lat, lon] vertices. */
	n = json_array_size(poly);
	for (i = 0, j = n - 1; i < n; j = i++) {
		double yi, xi, yj, xj;

		p = json_array_get(poly, i);
		q = json_array_get(poly, j);
		yi = json_number_value(json_array_get(p, 0));
		xi = json_number_value(json_array_get(p, 1));
		yj = json_number_value(json_array_get(q, 0));
		xj = json_number_value(json_array_get(q, 1));
		if ((yi > lat) != (yj > lat) &&
		    lon < (xj - xi) * (lat - yi) / (yj - yi) + xi)
			in = !in;
	}
	return in;
}
