/* Territory model loading, validation and lookups (see territory.h). */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hub/territory.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

struct territory_raw {
	char *code;
	char *name;
	char *name_en;
	char *parent;
	json_t *people;
	json_t *buildings, *area; /* grids: hub/territory-field.c */
};

static const struct conf_field territory_district_fields[] = {
    {"code", CONF_STRING, 1, offsetof(struct territory_raw, code), 0, 0},
    {"name", CONF_STRING, 1, offsetof(struct territory_raw, name), 0, 0},
    {"name_en", CONF_STRING, 0, offsetof(struct territory_raw, name_en), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct conf_field territory_sub_fields[] = {
    {"code", CONF_STRING, 1, offsetof(struct territory_raw, code), 0, 0},
    {"name", CONF_STRING, 1, offsetof(struct territory_raw, name), 0, 0},
    {"name_en", CONF_STRING, 0, offsetof(struct territory_raw, name_en), 0, 0},
    {"parent", CONF_STRING, 0, offsetof(struct territory_raw, parent), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct conf_field territory_node_fields[] = {
    {"code", CONF_STRING, 1, offsetof(struct territory_raw, code), 0, 0},
    {"name", CONF_STRING, 1, offsetof(struct territory_raw, name), 0, 0},
    {"name_en", CONF_STRING, 0, offsetof(struct territory_raw, name_en), 0, 0},
    {"parent", CONF_STRING, 1, offsetof(struct territory_raw, parent), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct conf_field territory_grid_fields[] = {
    {"code", CONF_STRING, 1, offsetof(struct territory_raw, code), 0, 0},
    {"name", CONF_STRING, 1, offsetof(struct territory_raw, name), 0, 0},
    {"name_en", CONF_STRING, 0, offsetof(struct territory_raw, name_en), 0, 0},
    {"parent", CONF_STRING, 1, offsetof(struct territory_raw, parent), 0, 0},
    {"people", CONF_OBJECT, 0, offsetof(struct territory_raw, people), 0, 0},
    {"buildings", CONF_ARRAY, 0, offsetof(struct territory_raw, buildings), 0,
        0},
    {"area", CONF_OBJECT, 0, offsetof(struct territory_raw, area), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

struct territory_people {
	json_t *grid_worker, *building_head, *police;
};

static const struct conf_field territory_people_fields[] = {
    {"grid_worker", CONF_OBJECT, 0,
        offsetof(struct territory_people, grid_worker), 0, 0},
    {"building_head", CONF_OBJECT, 0,
        offsetof(struct territory_people, building_head), 0, 0},
    {"police", CONF_OBJECT, 0, offsetof(struct territory_people, police), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct conf_field territory_person_fields[] = {
    {"name", CONF_STRING, 1, offsetof(struct hub_person, name), 0, 0},
    {"phone", CONF_STRING, 0, offsetof(struct hub_person, phone), 0, 0},
    {"station", CONF_STRING, 0, offsetof(struct hub_person, station), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

struct territory_top {
	json_t *district, *subdistricts, *communities, *grids, *map;
};

static const struct conf_field territory_top_fields[] = {
    {"district", CONF_OBJECT, 1, offsetof(struct territory_top, district), 0,
        0},
    {"subdistricts", CONF_ARRAY, 1,
        offsetof(struct territory_top, subdistricts), 0, 0},
    {"communities", CONF_ARRAY, 1, offsetof(struct territory_top, communities),
        0, 0},
    {"grids", CONF_ARRAY, 1, offsetof(struct territory_top, grids), 0, 0},
    {"map", CONF_OBJECT, 0, offsetof(struct territory_top, map), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

const char *
hub_level_name(enum hub_level level)
{
	static const char *const names[] = {
	    "district", "subdistrict", "community", "grid", "city"};

	return names[level];
}

static void
territory_person_free(struct hub_person *p)
{
	free(p->name);
	free(p->phone);
	free(p->station);
}

void
hub_territory_free(struct hub_territory *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nnodes; i++) {
		struct hub_node *n = &t->nodes[i];

		free(n->code);
		free(n->name);
		free(n->name_en);
		free(n->children);
		territory_person_free(&n->grid_worker);
		territory_person_free(&n->building_head);
		territory_person_free(&n->police);
		json_decref(n->buildings);
		json_decref(n->area);
	}
	free(t->nodes);
	free(t->by_code);
	if (t->map != NULL)
		json_decref(t->map);
	free(t->path);
	free(t);
}

static void
territory_raw_clear(struct territory_raw *r)
{
	free(r->code);
	free(r->name);
	free(r->name_en);
	free(r->parent);
	memset(r, 0, sizeof *r);
}

static int
territory_all_digits(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* Linear search used while loading (before by_code exists). */
static int
territory_find_linear(const struct hub_territory *t, const char *code)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		if (strcmp(t->nodes[i].code, code) == 0)
			return (int)i;
	}
	return -1;
}

/* The expected code shape of level under parent; NULL if fine. */
static const char *
territory_code_check(
    enum hub_level level, const char *code, const struct hub_node *parent)
{
	switch (level) {
	case HUB_LEVEL_DISTRICT:
		if (!territory_all_digits(code, 12) ||
		    strcmp(code + 6, "000000") != 0)
			return "district code must be 12 digits ending in "
			       "000000";
		return NULL;
	case HUB_LEVEL_SUBDISTRICT:
		if (!territory_all_digits(code, 12) ||
		    strcmp(code + 9, "000") != 0 ||
		    strncmp(code + 6, "000", 3) == 0)
			return "subdistrict code must be 12 digits: the "
			       "district's first 6, 3 digits not 000, then 000";
		if (strncmp(code, parent->code, 6) != 0)
			return "subdistrict code must start with the "
			       "district's first 6 digits";
		return NULL;
	case HUB_LEVEL_COMMUNITY:
		if (!territory_all_digits(code, 12) ||
		    strcmp(code + 9, "000") == 0)
			return "community code must be 12 digits: the "
			       "subdistrict's first 9, then 3 digits not 000";
		if (strncmp(code, parent->code, 9) != 0)
			return "community code must start with its "
			       "subdistrict's first 9 digits";
		return NULL;
	case HUB_LEVEL_GRID:
		if (!territory_all_digits(code, 15) ||
		    strcmp(code + 12, "000") == 0)
			return "grid code must be 15 digits: the community "
			       "code, then 3 digits not 000";
		if (strncmp(code, parent->code, 12) != 0)
			return "grid code must start with its community's code";
		return NULL;
	case HUB_LEVEL_CITY:
		break;
	}
	return "bad level";
}

static int
territory_person_read(
    struct conf_file *cf, json_t *obj, struct hub_person *p, char **cause)
{
	if (obj == NULL)
		return 0;
	return conf_object_read(cf, obj, territory_person_fields, p, cause);
}

/* Read one node of level from array element i of arr. */
static int
territory_node_read(struct conf_file *cf, struct hub_territory *t,
    enum hub_level level, json_t *arr, size_t i, char **cause)
{
	static const struct conf_field *const fields[] = {
	    territory_district_fields, territory_sub_fields,
	    territory_node_fields, territory_grid_fields};
	json_t *obj = json_array_get(arr, i);
	struct territory_raw r;
	struct territory_people pp;
	struct hub_node *n, *parent = NULL;
	const char *bad;
	int pidx = -1;

	memset(&r, 0, sizeof r);
	if (conf_object_read(cf, obj, fields[level], &r, cause) != 0)
		goto fail;
	if (level != HUB_LEVEL_DISTRICT) {
		if (r.parent == NULL)
			pidx = 0;
		else {
			pidx = territory_find_linear(t, r.parent);
			if (pidx < 0 || t->nodes[pidx].level != level - 1) {
				*cause = conf_error(cf, obj, "parent", 0,
				    "unknown parent %s \"%s\"",
				    hub_level_name(level - 1), r.parent);
				goto fail;
			}
		}
		parent = &t->nodes[pidx];
	}
	if ((bad = territory_code_check(level, r.code, parent)) != NULL) {
		*cause = conf_error(cf, obj, "code", 0, "%s", bad);
		goto fail;
	}
	if (territory_find_linear(t, r.code) >= 0) {
		*cause = conf_error(
		    cf, obj, "code", 0, "duplicate code \"%s\"", r.code);
		goto fail;
	}
	if (*r.name == '\0') {
		*cause = conf_error(cf, obj, "name", 0, "empty name");
		goto fail;
	}
	t->nodes = xreallocarray(t->nodes, t->nnodes + 1, sizeof *t->nodes);
	n = &t->nodes[t->nnodes];
	memset(n, 0, sizeof *n);
	n->level = level;
	n->code = r.code;
	n->name = r.name;
	n->name_en = r.name_en;
	free(r.parent);
	n->parent = pidx;
	n->subdistrict = n->community = -1;
	if (level == HUB_LEVEL_SUBDISTRICT)
		n->subdistrict = (int)t->nnodes;
	else if (level == HUB_LEVEL_COMMUNITY) {
		n->subdistrict = pidx;
		n->community = (int)t->nnodes;
	} else if (level == HUB_LEVEL_GRID) {
		n->subdistrict = t->nodes[pidx].subdistrict;
		n->community = pidx;
	}
	t->nnodes++;
	if (level == HUB_LEVEL_GRID && r.people != NULL) {
		memset(&pp, 0, sizeof pp);
		if (conf_object_read(cf, r.people, territory_people_fields, &pp,
		        cause) != 0 ||
		    territory_person_read(
		        cf, pp.grid_worker, &n->grid_worker, cause) != 0 ||
		    territory_person_read(
		        cf, pp.building_head, &n->building_head, cause) != 0 ||
		    territory_person_read(cf, pp.police, &n->police, cause) !=
		        0)
			return -1;
	}
	if (level == HUB_LEVEL_GRID &&
	    hub_territory_field_read(cf, t, n, r.buildings, r.area, cause) != 0)
		return -1;
	return 0;
fail:
	territory_raw_clear(&r);
	return -1;
}

static const struct hub_territory *territory_sort_ctx;

static int
territory_cmp(const void *a, const void *b)
{
	const struct hub_territory *t = territory_sort_ctx;

	return strcmp(
	    t->nodes[*(const int *)a].code, t->nodes[*(const int *)b].code);
}

static void
territory_index(struct hub_territory *t)
{
	size_t i, j;

	t->by_code = xcalloc(t->nnodes, sizeof *t->by_code);
	for (i = 0; i < t->nnodes; i++)
		t->by_code[i] = (int)i;
	territory_sort_ctx = t;
	qsort(t->by_code, t->nnodes, sizeof *t->by_code, territory_cmp);
	territory_sort_ctx = NULL;
	for (i = 1; i < t->nnodes; i++) {
		struct hub_node *p = &t->nodes[t->nodes[i].parent];

		p->children = xreallocarray(
		    p->children, p->nchildren + 1, sizeof *p->children);
		p->children[p->nchildren++] = (int)i;
	}
	for (i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].level != HUB_LEVEL_GRID)
			continue;
		for (j = i; (int)j >= 0; j = (size_t)t->nodes[j].parent) {
			t->nodes[j].ngrids++;
			if (t->nodes[j].parent < 0)
				break;
		}
	}
}

/* The map: {"rows": [[code|null, ...], ...]} of subdistrict codes. */
static int
territory_map_check(
    struct conf_file *cf, struct hub_territory *t, json_t *map, char **cause)
{
	json_t *rows, *row, *cell;
	const char *key;
	json_t *v;
	size_t i, j;
	int idx;

	json_object_foreach(map, key, v)
	{
		if (strcmp(key, "rows") != 0) {
			*cause = conf_error(cf, map, key, 0, "unknown key");
			return -1;
		}
	}
	rows = json_object_get(map, "rows");
	if (!json_is_array(rows)) {
		*cause =
		    conf_error(cf, map, "rows", 0, "expected an array of rows");
		return -1;
	}
	json_array_foreach(rows, i, row)
	{
		if (!json_is_array(row)) {
			*cause = conf_error(
			    cf, rows, NULL, i, "expected an array of codes");
			return -1;
		}
		json_array_foreach(row, j, cell)
		{
			if (json_is_null(cell))
				continue;
			if (!json_is_string(cell) ||
			    (idx = territory_find_linear(
			         t, json_string_value(cell))) < 0 ||
			    t->nodes[idx].level != HUB_LEVEL_SUBDISTRICT) {
				*cause = conf_error(cf, row, NULL, j,
				    "expected a subdistrict code or null");
				return -1;
			}
		}
	}
	return 0;
}

static struct hub_territory *
territory_read(struct conf_file *cf, char **cause)
{
	struct hub_territory *t;
	struct territory_top top;
	size_t i;

	t = xcalloc(1, sizeof *t);
	t->path = xstrdup(conf_file_name(cf));
	memset(&top, 0, sizeof top);
	if (conf_object_read(
	        cf, conf_file_root(cf), territory_top_fields, &top, cause) != 0)
		goto fail;
	{
		struct territory_raw r;
		const char *bad;

		memset(&r, 0, sizeof r);
		if (conf_object_read(cf, top.district,
		        territory_district_fields, &r, cause) != 0) {
			territory_raw_clear(&r);
			goto fail;
		}
		if ((bad = territory_code_check(
		         HUB_LEVEL_DISTRICT, r.code, NULL)) != NULL) {
			*cause =
			    conf_error(cf, top.district, "code", 0, "%s", bad);
			territory_raw_clear(&r);
			goto fail;
		}
		t->nodes = xcalloc(1, sizeof *t->nodes);
		t->nodes[0].level = HUB_LEVEL_DISTRICT;
		t->nodes[0].code = r.code;
		t->nodes[0].name = r.name;
		t->nodes[0].name_en = r.name_en;
		t->nodes[0].parent = -1;
		t->nodes[0].subdistrict = t->nodes[0].community = -1;
		t->nnodes = 1;
	}
	for (i = 0; i < json_array_size(top.subdistricts); i++) {
		if (territory_node_read(cf, t, HUB_LEVEL_SUBDISTRICT,
		        top.subdistricts, i, cause) != 0)
			goto fail;
	}
	for (i = 0; i < json_array_size(top.communities); i++) {
		if (territory_node_read(cf, t, HUB_LEVEL_COMMUNITY,
		        top.communities, i, cause) != 0)
			goto fail;
	}
	for (i = 0; i < json_array_size(top.grids); i++) {
		if (territory_node_read(
		        cf, t, HUB_LEVEL_GRID, top.grids, i, cause) != 0)
			goto fail;
	}
	if (top.map != NULL) {
		if (territory_map_check(cf, t, top.map, cause) != 0)
			goto fail;
		t->map = json_deep_copy(top.map);
	}
	territory_index(t);
	conf_file_free(cf);
	return t;
fail:
	hub_territory_free(t);
	conf_file_free(cf);
	return NULL;
}

struct hub_territory *
hub_territory_load(const char *path, char **cause)
{
	struct conf_file *cf;

	if ((cf = conf_file_load(path, cause)) == NULL)
		return NULL;
	return territory_read(cf, cause);
}

struct hub_territory *
hub_territory_parse(
    const char *name, const char *text, size_t len, char **cause)
{
	struct conf_file *cf;

	if ((cf = conf_file_parse(name, text, len, cause)) == NULL)
		return NULL;
	return territory_read(cf, cause);
}

int
hub_territory_find(const struct hub_territory *t, const char *code, size_t len)
{
	size_t lo = 0, hi = t->nnodes, mid;
	int c;

	while (lo < hi) {
		const char *k;

		mid = (lo + hi) / 2;
		k = t->nodes[t->by_code[mid]].code;
		c = strncmp(k, code, len);
		if (c == 0 && k[len] != '\0')
			c = 1;
		if (c == 0)
			return t->by_code[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const struct hub_node *
hub_territory_node(const struct hub_territory *t, const char *code)
{
	int idx;

	if (code == NULL)
		return NULL;
	idx = hub_territory_find(t, code, strlen(code));
	return idx < 0 ? NULL : &t->nodes[idx];
}

int
hub_territory_within(const struct hub_territory *t, int inner, int outer)
{
	if (inner < 0 || outer < 0)
		return 0;
	if (outer == 0)
		return 1;
	while (inner >= 0) {
		if (inner == outer)
			return 1;
		inner = t->nodes[inner].parent;
	}
	return 0;
}

int
hub_territory_code_within(
    const struct hub_territory *t, const char *inner, const char *outer)
{
	if (inner == NULL || outer == NULL)
		return 0;
	return hub_territory_within(t,
	    hub_territory_find(t, inner, strlen(inner)),
	    hub_territory_find(t, outer, strlen(outer)));
}
