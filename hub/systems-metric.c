/* A system's declared metrics in systems.json: names or objects with the
 * value checks data quality applies (see systems.h, docs/api.md). */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hub/systems.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

struct metric_raw {
	char *name, *unit, *per;
	json_t *range, *labels;
	int monotonic;
	double max_step;
};

static const struct conf_field metric_fields[] = {
    {"name", CONF_STRING, 1, offsetof(struct metric_raw, name), 0, 0},
    {"unit", CONF_STRING, 0, offsetof(struct metric_raw, unit), 0, 0},
    {"per", CONF_STRING, 0, offsetof(struct metric_raw, per), 0, 0},
    {"range", CONF_ARRAY, 0, offsetof(struct metric_raw, range), 0, 0},
    {"monotonic", CONF_BOOL, 0, offsetof(struct metric_raw, monotonic), 0, 0},
    {"max_step", CONF_DOUBLE, 0, offsetof(struct metric_raw, max_step), 0, 0},
    {"labels", CONF_OBJECT, 0, offsetof(struct metric_raw, labels), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const char *const metric_per_names[] = {
    [HUB_PER_GRID] = "grid",
    [HUB_PER_COMMUNITY] = "community",
    [HUB_PER_SUBDISTRICT] = "subdistrict",
    [HUB_PER_DISTRICT] = "district",
};

const char *
hub_metric_per_name(enum hub_metric_per per)
{
	return metric_per_names[per];
}

/* Prometheus metric names: [a-zA-Z_:][a-zA-Z0-9_:]*, at most 200 bytes. */
static int
metric_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 200 || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(isalnum(c) || c == '_' || c == ':') || c >= 0x80)
			return 0;
	}
	return 1;
}

void
hub_metric_clear(struct hub_metric *m)
{
	free(m->name);
	free(m->unit);
	free(m->label);
	conf_strarray_free(m->label_values);
	memset(m, 0, sizeof *m);
}

/* The "labels" object: one key naming an array of label values. */
static int
metric_labels_read(struct conf_file *cf, json_t *obj, json_t *labels,
    struct hub_metric *m, char **cause)
{
	const char *key;
	json_t *vals, *v;
	size_t i, n = 0;

	if (json_object_size(labels) != 1) {
		*cause = conf_error(cf, obj, "labels", 0,
		    "expected one label name with its values, e.g. "
		    "{\"level\": [\"high\", \"low\"]}");
		return -1;
	}
	json_object_foreach(labels, key, vals)
	{
		if (!metric_name_ok(key) || !json_is_array(vals) ||
		    json_array_size(vals) == 0) {
			*cause = conf_error(cf, labels, key, 0,
			    "expected a label name and a non-empty array of "
			    "values");
			return -1;
		}
		m->label = xstrdup(key);
		m->label_values =
		    xcalloc(json_array_size(vals) + 1, sizeof(char *));
		json_array_foreach(vals, i, v)
		{
			if (!json_is_string(v) || json_string_length(v) == 0) {
				*cause = conf_error(cf, vals, NULL, i,
				    "expected a non-empty string");
				return -1;
			}
			m->label_values[n++] = xstrdup(json_string_value(v));
		}
	}
	return 0;
}

/* One element of "metrics": a name or an object. */
static int
metric_read_one(struct conf_file *cf, json_t *arr, size_t idx,
    struct hub_metric *m, char **cause)
{
	json_t *v = json_array_get(arr, idx);
	struct metric_raw r;
	size_t k;
	int rc = -1;

	memset(m, 0, sizeof *m);
	if (json_is_string(v)) {
		if (!metric_name_ok(json_string_value(v))) {
			*cause = conf_error(cf, arr, NULL, idx,
			    "bad metric name \"%s\"", json_string_value(v));
			return -1;
		}
		m->name = xstrdup(json_string_value(v));
		return 0;
	}
	if (!json_is_object(v)) {
		*cause = conf_error(cf, arr, NULL, idx,
		    "expected a metric name or {\"name\": ...}");
		return -1;
	}
	memset(&r, 0, sizeof r);
	if (conf_object_read(cf, v, metric_fields, &r, cause) != 0)
		goto out;
	if (!metric_name_ok(r.name)) {
		*cause = conf_error(
		    cf, v, "name", 0, "bad metric name \"%s\"", r.name);
		goto out;
	}
	m->name = r.name;
	m->unit = r.unit;
	r.name = r.unit = NULL;
	m->per = HUB_PER_GRID;
	if (r.per != NULL) {
		for (k = 0; k <= HUB_PER_DISTRICT; k++) {
			if (strcmp(r.per, metric_per_names[k]) == 0)
				break;
		}
		if (k > HUB_PER_DISTRICT) {
			*cause = conf_error(cf, v, "per", 0,
			    "expected \"grid\", \"community\", "
			    "\"subdistrict\" or \"district\"");
			goto out;
		}
		m->per = (enum hub_metric_per)k;
	}
	if (r.range != NULL) {
		json_t *lo = json_array_get(r.range, 0),
		       *hi = json_array_get(r.range, 1);

		if (json_array_size(r.range) != 2 || !json_is_number(lo) ||
		    !json_is_number(hi) ||
		    json_number_value(lo) > json_number_value(hi)) {
			*cause = conf_error(cf, v, "range", 0,
			    "expected [min, max] with min <= max");
			goto out;
		}
		m->has_range = 1;
		m->min = json_number_value(lo);
		m->max = json_number_value(hi);
	}
	if (r.max_step < 0) {
		*cause = conf_error(
		    cf, v, "max_step", 0, "expected a positive number");
		goto out;
	}
	m->max_step = r.max_step;
	m->monotonic = r.monotonic;
	if (r.labels != NULL &&
	    metric_labels_read(cf, v, r.labels, m, cause) != 0)
		goto out;
	rc = 0;
out:
	free(r.name);
	free(r.unit);
	free(r.per);
	if (rc != 0)
		hub_metric_clear(m);
	return rc;
}

int
hub_system_metrics_read(
    struct conf_file *cf, json_t *arr, struct hub_system *sys, char **cause)
{
	size_t i, j, n = json_array_size(arr);

	sys->specs = xcalloc(n + 1, sizeof *sys->specs);
	sys->metrics = xcalloc(n + 1, sizeof *sys->metrics);
	for (i = 0; i < n; i++) {
		if (metric_read_one(cf, arr, i, &sys->specs[i], cause) != 0)
			return -1;
		sys->nmetrics++;
		for (j = 0; j < i; j++) {
			if (strcmp(sys->specs[j].name, sys->specs[i].name) ==
			    0) {
				*cause = conf_error(cf, arr, NULL, i,
				    "metric \"%s\" declared twice",
				    sys->specs[i].name);
				return -1;
			}
		}
		sys->metrics[i] = xstrdup(sys->specs[i].name);
	}
	return 0;
}

void
hub_system_metrics_free(struct hub_system *sys)
{
	size_t i;

	for (i = 0; i < sys->nmetrics; i++)
		hub_metric_clear(&sys->specs[i]);
	free(sys->specs);
	conf_strarray_free(sys->metrics);
	sys->specs = NULL;
	sys->metrics = NULL;
	sys->nmetrics = 0;
}

const struct hub_metric *
hub_system_metric(const struct hub_system *sys, const char *name)
{
	size_t i;

	for (i = 0; i < sys->nmetrics; i++) {
		if (strcmp(sys->specs[i].name, name) == 0)
			return &sys->specs[i];
	}
	return NULL;
}
