/* hub.json "city" and "districts", and the city hub's territory (see
 * city.h). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hub/city/city.h"
#include "hub/territory.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

struct city_raw {
	char *code, *name, *name_en;
	int64_t timeout_ms;
};

static const struct conf_field city_fields[] = {
    {"code", CONF_STRING, 1, offsetof(struct city_raw, code), 0, 0},
    {"name", CONF_STRING, 1, offsetof(struct city_raw, name), 0, 0},
    {"name_en", CONF_STRING, 0, offsetof(struct city_raw, name_en), 0, 0},
    {"timeout", CONF_DURATION, 0, offsetof(struct city_raw, timeout_ms), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

struct city_district_raw {
	char *name, *code, *url, *token, *token_file, *comment;
};

static const struct conf_field city_district_fields[] = {
    {"name", CONF_STRING, 1, offsetof(struct city_district_raw, name), 0, 0},
    {"code", CONF_STRING, 1, offsetof(struct city_district_raw, code), 0, 0},
    {"url", CONF_STRING, 1, offsetof(struct city_district_raw, url), 0, 0},
    {"token", CONF_STRING, 0, offsetof(struct city_district_raw, token), 0, 0},
    {"token_file", CONF_STRING, 0,
        offsetof(struct city_district_raw, token_file), 0, 0},
    {"comment", CONF_STRING, 0, offsetof(struct city_district_raw, comment), 0,
        0},
    {NULL, 0, 0, 0, 0, 0},
};

void
city_conf_free(struct city_conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ndistricts; i++) {
		free(c->districts[i].name);
		free(c->districts[i].code);
		free(c->districts[i].url);
		free(c->districts[i].token);
	}
	free(c->districts);
	free(c->code);
	free(c->name);
	free(c->name_en);
	free(c);
}

/* Is s exactly n digits, the last zeros of them zeros? */
static int
city_code_shape(const char *s, size_t n, size_t zeros)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]) ||
		    (i >= n - zeros && s[i] != '0'))
			return 0;
	}
	return 1;
}

/* Check and take district entry i of arr into c->districts. */
static int
city_conf_district(struct conf_file *cf, const char *conf_path,
    struct city_conf *c, json_t *arr, size_t i, char **cause)
{
	json_t *obj = json_array_get(arr, i);
	struct city_district_raw r;
	struct city_district_conf *d;
	char *why = NULL;
	size_t j, n;

	memset(&r, 0, sizeof r);
	if (conf_object_read(cf, obj, city_district_fields, &r, cause) != 0)
		goto fail;
	if (*r.name == '\0') {
		*cause = conf_error(cf, obj, "name", 0, "empty name");
		goto fail;
	}
	if (!city_code_shape(r.code, 12, 6) ||
	    strncmp(r.code, c->code, 4) != 0 ||
	    strncmp(r.code + 4, "00", 2) == 0) {
		*cause = conf_error(cf, obj, "code", 0,
		    "district code must be 12 digits: the city's first 4 "
		    "(%.4s), "
		    "2 digits not 00, then 000000",
		    c->code);
		goto fail;
	}
	for (j = 0; j < c->ndistricts; j++) {
		if (strcmp(c->districts[j].code, r.code) == 0) {
			*cause = conf_error(cf, obj, "code", 0,
			    "duplicate district \"%s\"", r.code);
			goto fail;
		}
	}
	n = strlen(r.url);
	if ((strncmp(r.url, "http://", 7) != 0 &&
	        strncmp(r.url, "https://", 8) != 0) ||
	    n <= 8) {
		*cause = conf_error(cf, obj, "url", 0,
		    "expected the district hub's http:// or https:// base URL");
		goto fail;
	}
	while (n > 0 && r.url[n - 1] == '/')
		r.url[--n] = '\0'; /* paths are appended */
	if (r.token != NULL && r.token_file != NULL) {
		*cause = conf_error(cf, obj, "token_file", 0,
		    "give \"token\" or \"token_file\", not both");
		goto fail;
	}
	if (r.token_file != NULL && (r.token = conf_secret_read(conf_path,
	                                 r.token_file, &why)) == NULL) {
		*cause = conf_error(cf, obj, "token_file", 0, "%s", why);
		free(why);
		goto fail;
	}
	c->districts = xreallocarray(
	    c->districts, c->ndistricts + 1, sizeof *c->districts);
	d = &c->districts[c->ndistricts++];
	d->name = r.name;
	d->code = r.code;
	d->url = r.url;
	d->token = r.token;
	free(r.token_file);
	free(r.comment);
	return 0;
fail:
	free(r.name);
	free(r.code);
	free(r.url);
	free(r.token);
	free(r.token_file);
	free(r.comment);
	return -1;
}

int
city_conf_read(struct conf_file *cf, const char *conf_path, json_t *city,
    json_t *districts, struct city_conf **out, char **cause)
{
	struct city_conf *c;
	struct city_raw r;
	size_t i;

	*out = NULL;
	if (city == NULL || districts == NULL) {
		*cause = conf_error(cf, conf_file_root(cf),
		    city == NULL ? "districts" : "city", 0,
		    "a city hub needs both \"city\" and \"districts\"");
		return -1;
	}
	memset(&r, 0, sizeof r);
	r.timeout_ms = 5000;
	if (conf_object_read(cf, city, city_fields, &r, cause) != 0)
		goto fail_raw;
	if (!city_code_shape(r.code, 12, 8) ||
	    strncmp(r.code + 2, "00", 2) == 0) {
		*cause = conf_error(cf, city, "code", 0,
		    "city code must be 12 digits: the province's 2, 2 digits "
		    "not 00, then 00000000");
		goto fail_raw;
	}
	if (*r.name == '\0') {
		*cause = conf_error(cf, city, "name", 0, "empty name");
		goto fail_raw;
	}
	if (r.timeout_ms <= 0) {
		*cause = conf_error(cf, city, "timeout", 0, "must be positive");
		goto fail_raw;
	}
	c = xcalloc(1, sizeof *c);
	c->code = r.code;
	c->name = r.name;
	c->name_en = r.name_en;
	c->timeout_ms = r.timeout_ms;
	if (json_array_size(districts) == 0) {
		*cause = conf_error(cf, conf_file_root(cf), "districts", 0,
		    "a city hub needs at least one district");
		city_conf_free(c);
		return -1;
	}
	for (i = 0; i < json_array_size(districts); i++) {
		if (city_conf_district(cf, conf_path, c, districts, i, cause) !=
		    0) {
			city_conf_free(c);
			return -1;
		}
	}
	*out = c;
	return 0;
fail_raw:
	free(r.code);
	free(r.name);
	free(r.name_en);
	return -1;
}

static const struct hub_territory *city_sort_ctx;

static int
city_code_cmp(const void *a, const void *b)
{
	const struct hub_territory *t = city_sort_ctx;

	return strcmp(
	    t->nodes[*(const int *)a].code, t->nodes[*(const int *)b].code);
}

struct hub_territory *
city_territory_new(const struct city_conf *c)
{
	struct hub_territory *t = xcalloc(1, sizeof *t);
	struct hub_node *n;
	size_t i;

	t->path = xstrdup("(hub.json \"city\")");
	t->nnodes = 1 + c->ndistricts;
	t->nodes = xcalloc(t->nnodes, sizeof *t->nodes);
	for (i = 0; i < t->nnodes; i++) {
		n = &t->nodes[i];
		n->level = i == 0 ? HUB_LEVEL_CITY : HUB_LEVEL_DISTRICT;
		n->code = xstrdup(i == 0 ? c->code : c->districts[i - 1].code);
		n->name = xstrdup(i == 0 ? c->name : c->districts[i - 1].name);
		if (i == 0 && c->name_en != NULL)
			n->name_en = xstrdup(c->name_en);
		n->parent = i == 0 ? -1 : 0;
		n->subdistrict = n->community = -1;
	}
	t->nodes[0].nchildren = c->ndistricts;
	t->nodes[0].children = xcalloc(c->ndistricts + 1, sizeof(int));
	for (i = 0; i < c->ndistricts; i++)
		t->nodes[0].children[i] = (int)i + 1;
	t->by_code = xcalloc(t->nnodes, sizeof *t->by_code);
	for (i = 0; i < t->nnodes; i++)
		t->by_code[i] = (int)i;
	city_sort_ctx = t;
	qsort(t->by_code, t->nnodes, sizeof *t->by_code, city_code_cmp);
	city_sort_ctx = NULL;
	return t;
}
