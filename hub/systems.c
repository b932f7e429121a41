/* Systems catalogue loading and lookups (see systems.h). */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hub/systems.h"
#include "hub/territory.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

const struct hub_platform_info hub_platforms[HUB_PLATFORM_COUNT] = {
    [HUB_PLATFORM_MONITORING] = {"monitoring", "预警监测平台",
        "Early-warning & monitoring"},
    [HUB_PLATFORM_GOVERNANCE] = {"governance", "综合治理平台",
        "Comprehensive governance"},
    [HUB_PLATFORM_DECISION] = {"decision", "决策支持平台", "Decision support"},
    [HUB_PLATFORM_SERVICE] = {"service", "公共服务平台", "Public service"},
    [HUB_PLATFORM_INFRASTRUCTURE] = {"infrastructure", "基础技术平台",
        "Base technology"},
};

struct systems_top {
	json_t *departments, *systems;
};

static const struct conf_field systems_top_fields[] = {
    {"departments", CONF_ARRAY, 1, offsetof(struct systems_top, departments), 0,
        0},
    {"systems", CONF_ARRAY, 1, offsetof(struct systems_top, systems), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct conf_field systems_dept_fields[] = {
    {"id", CONF_STRING, 1, offsetof(struct hub_dept, id), 0, 0},
    {"name", CONF_STRING, 1, offsetof(struct hub_dept, name), 0, 0},
    {"name_en", CONF_STRING, 0, offsetof(struct hub_dept, name_en), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

struct systems_raw {
	char *id, *name, *name_en, *platform, *dept, *comment;
	char **grids;
	json_t *metrics;
	int64_t interval;
};

static const struct conf_field systems_fields[] = {
    {"id", CONF_STRING, 1, offsetof(struct systems_raw, id), 0, 0},
    {"name", CONF_STRING, 1, offsetof(struct systems_raw, name), 0, 0},
    {"name_en", CONF_STRING, 0, offsetof(struct systems_raw, name_en), 0, 0},
    {"platform", CONF_STRING, 1, offsetof(struct systems_raw, platform), 0, 0},
    {"dept", CONF_STRING, 1, offsetof(struct systems_raw, dept), 0, 0},
    {"grids", CONF_STRARRAY, 0, offsetof(struct systems_raw, grids), 0, 0},
    {"interval", CONF_DURATION, 0, offsetof(struct systems_raw, interval), 0,
        0},
    {"metrics", CONF_ARRAY, 0, offsetof(struct systems_raw, metrics), 0, 0},
    {"comment", CONF_STRING, 0, offsetof(struct systems_raw, comment), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

int
hub_platform_find(const char *id)
{
	int i;

	for (i = 0; i < HUB_PLATFORM_COUNT; i++) {
		if (strcmp(hub_platforms[i].id, id) == 0)
			return i;
	}
	return -1;
}

void
hub_systems_free(struct hub_systems *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ndepts; i++) {
		free(s->depts[i].id);
		free(s->depts[i].name);
		free(s->depts[i].name_en);
	}
	for (i = 0; i < s->nsystems; i++) {
		free(s->systems[i].id);
		free(s->systems[i].name);
		free(s->systems[i].name_en);
		free(s->systems[i].cover);
		hub_system_metrics_free(&s->systems[i]);
	}
	free(s->depts);
	free(s->systems);
	free(s->by_id);
	free(s->path);
	free(s);
}

/* Ids: lower-case letters, digits, '-', '_', '.'; 1..64 bytes. */
static int
systems_id_ok(const char *id)
{
	size_t n = strlen(id), i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];

		if (!(islower(c) || isdigit(c) || c == '-' || c == '_' ||
		        c == '.'))
			return 0;
	}
	return 1;
}

static void
systems_raw_clear(struct systems_raw *r)
{
	free(r->id);
	free(r->name);
	free(r->name_en);
	free(r->platform);
	free(r->dept);
	free(r->comment);
	conf_strarray_free(r->grids);
	memset(r, 0, sizeof *r);
}

static const struct hub_systems *systems_sort_ctx;

static int
systems_cmp(const void *a, const void *b)
{
	return strcmp(systems_sort_ctx->systems[*(const int *)a].id,
	    systems_sort_ctx->systems[*(const int *)b].id);
}

static int
systems_read_one(struct conf_file *cf, struct hub_systems *s,
    const struct hub_territory *t, json_t *arr, size_t i, char **cause)
{
	json_t *obj = json_array_get(arr, i);
	struct systems_raw r;
	struct hub_system *sys;
	json_t *garr;
	size_t j, k;
	int plat, dept, idx;

	memset(&r, 0, sizeof r);
	if (conf_object_read(cf, obj, systems_fields, &r, cause) != 0)
		goto fail;
	if (!systems_id_ok(r.id)) {
		*cause = conf_error(
		    cf, obj, "id", 0, "ids are 1 to 64 of a-z 0-9 - _ .");
		goto fail;
	}
	for (j = 0; j < s->nsystems; j++) {
		if (strcmp(s->systems[j].id, r.id) == 0) {
			*cause = conf_error(cf, obj, "id", 0,
			    "duplicate system id \"%s\"", r.id);
			goto fail;
		}
	}
	if ((plat = hub_platform_find(r.platform)) < 0) {
		*cause = conf_error(cf, obj, "platform", 0,
		    "unknown platform \"%s\" (monitoring, governance, "
		    "decision, service, infrastructure)",
		    r.platform);
		goto fail;
	}
	if ((dept = hub_systems_dept(s, r.dept)) < 0) {
		*cause = conf_error(
		    cf, obj, "dept", 0, "unknown department \"%s\"", r.dept);
		goto fail;
	}
	s->systems =
	    xreallocarray(s->systems, s->nsystems + 1, sizeof *s->systems);
	sys = &s->systems[s->nsystems];
	memset(sys, 0, sizeof *sys);
	garr = json_object_get(obj, "grids");
	for (j = 0; r.grids != NULL && r.grids[j] != NULL; j++) {
		idx = hub_territory_find(t, r.grids[j], strlen(r.grids[j]));
		if (idx < 0) {
			*cause = conf_error(cf, garr, NULL, j,
			    "unknown territory code \"%s\"", r.grids[j]);
			free(sys->cover);
			goto fail;
		}
		sys->cover = xreallocarray(
		    sys->cover, sys->ncover + 1, sizeof *sys->cover);
		sys->cover[sys->ncover++] = idx;
	}
	if (r.grids == NULL) {
		sys->cover = xmalloc(sizeof *sys->cover);
		sys->cover[0] = 0;
		sys->ncover = 1;
	}
	/* Grids covered: count each grid once (covers may nest). */
	for (k = 0; k < t->nnodes; k++) {
		if (t->nodes[k].level != HUB_LEVEL_GRID)
			continue;
		for (j = 0; j < sys->ncover; j++) {
			if (hub_territory_within(t, (int)k, sys->cover[j])) {
				sys->ngrids++;
				break;
			}
		}
	}
	sys->id = r.id;
	sys->name = r.name;
	sys->name_en = r.name_en;
	sys->platform = (enum hub_platform)plat;
	sys->dept = dept;
	sys->interval_ms = r.interval;
	r.id = r.name = r.name_en = NULL;
	s->nsystems++;
	if (r.metrics != NULL &&
	    hub_system_metrics_read(cf, r.metrics, sys, cause) != 0)
		goto fail;
	systems_raw_clear(&r);
	return 0;
fail:
	systems_raw_clear(&r);
	return -1;
}

/* Build the catalogue from the parsed file cf (freed here). */
static struct hub_systems *
systems_build(struct conf_file *cf, const char *path,
    const struct hub_territory *t, char **cause)
{
	struct hub_systems *s;
	struct systems_top top;
	struct hub_dept d;
	json_t *obj;
	size_t i;

	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	memset(&top, 0, sizeof top);
	if (conf_object_read(
	        cf, conf_file_root(cf), systems_top_fields, &top, cause) != 0)
		goto fail;
	json_array_foreach(top.departments, i, obj)
	{
		memset(&d, 0, sizeof d);
		if (conf_object_read(cf, obj, systems_dept_fields, &d, cause) !=
		    0) {
			free(d.id);
			free(d.name);
			free(d.name_en);
			goto fail;
		}
		s->depts =
		    xreallocarray(s->depts, s->ndepts + 1, sizeof *s->depts);
		s->depts[s->ndepts++] = d;
		if (!systems_id_ok(d.id) ||
		    hub_systems_dept(s, d.id) != (int)s->ndepts - 1) {
			*cause = conf_error(cf, obj, "id", 0,
			    systems_id_ok(d.id) ? "duplicate department \"%s\""
			                        : "bad department id \"%s\"",
			    d.id);
			goto fail;
		}
	}
	for (i = 0; i < json_array_size(top.systems); i++) {
		if (systems_read_one(cf, s, t, top.systems, i, cause) != 0)
			goto fail;
	}
	s->by_id = xcalloc(s->nsystems + 1, sizeof *s->by_id);
	for (i = 0; i < s->nsystems; i++)
		s->by_id[i] = (int)i;
	systems_sort_ctx = s;
	qsort(s->by_id, s->nsystems, sizeof *s->by_id, systems_cmp);
	systems_sort_ctx = NULL;
	conf_file_free(cf);
	return s;
fail:
	hub_systems_free(s);
	conf_file_free(cf);
	return NULL;
}

struct hub_systems *
hub_systems_load(const char *path, const struct hub_territory *t, char **cause)
{
	struct conf_file *cf;

	if ((cf = conf_file_load(path, cause)) == NULL)
		return NULL;
	return systems_build(cf, path, t, cause);
}

struct hub_systems *
hub_systems_parse(const char *name, const char *text, size_t len,
    const struct hub_territory *t, char **cause)
{
	struct conf_file *cf;

	if ((cf = conf_file_parse(name, text, len, cause)) == NULL)
		return NULL;
	return systems_build(cf, name, t, cause);
}

int
hub_systems_find(const struct hub_systems *s, const char *id, size_t len)
{
	size_t lo = 0, hi = s->nsystems, mid;
	int c;

	while (lo < hi) {
		const char *k;

		mid = (lo + hi) / 2;
		k = s->systems[s->by_id[mid]].id;
		c = strncmp(k, id, len);
		if (c == 0 && k[len] != '\0')
			c = 1;
		if (c == 0)
			return s->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int
hub_systems_dept(const struct hub_systems *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->ndepts; i++) {
		if (strcmp(s->depts[i].id, id) == 0)
			return (int)i;
	}
	return -1;
}

int
hub_system_overlaps(
    const struct hub_system *sys, const struct hub_territory *t, int idx)
{
	size_t j;

	for (j = 0; j < sys->ncover; j++) {
		if (hub_territory_within(t, idx, sys->cover[j]) ||
		    hub_territory_within(t, sys->cover[j], idx))
			return 1;
	}
	return 0;
}
