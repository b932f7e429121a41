/* The "case_categories" table of the rules file (see case-categories.h). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-rules-escalation.h"
#include "hub/alerts/case-categories.h"
#include "lib/xmalloc.h"

struct category_raw {
	char *id, *name, *code, *dept, *severity;
	char **support;
	int64_t time_limit_ms;
	json_t *comment, *escalation;
};

#define CF(k, t, req, m)                                          \
	{                                                         \
		k, t, req, offsetof(struct category_raw, m), 0, 0 \
	}
static const struct conf_field category_fields[] = {
    CF("id", CONF_STRING, 1, id),
    CF("name", CONF_STRING, 0, name),
    CF("code", CONF_STRING, 0, code),
    CF("dept", CONF_STRING, 1, dept),
    CF("support", CONF_STRARRAY, 0, support),
    CF("time_limit", CONF_DURATION, 0, time_limit_ms),
    CF("severity", CONF_STRING, 0, severity),
    CF("comment", CONF_JSON, 0, comment),
    CF("escalation", CONF_ARRAY, 0, escalation),
    {NULL, 0, 0, 0, 0, 0},
};
#undef CF

static int
case_category_id_ok(const char *s)
{
	size_t i;

	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	}
	return 1;
}

static void
case_category_raw_free(struct category_raw *raw)
{
	free(raw->id);
	free(raw->name);
	free(raw->code);
	free(raw->dept);
	free(raw->severity);
	conf_strarray_free(raw->support);
}

/* The first of rs's first n categories whose id, name or code is text,
 * or NULL. */
static const struct case_category *
case_category_match(const struct alert_rules *rs, size_t n, const char *text)
{
	size_t i;

	for (i = 0; text != NULL && i < n; i++) {
		const struct case_category *c = &rs->case_cats[i];

		if (strcmp(c->id, text) == 0 ||
		    (c->name != NULL && strcmp(c->name, text) == 0) ||
		    (c->code != NULL && strcmp(c->code, text) == 0))
			return c;
	}
	return NULL;
}

/* Read element i of arr into rs->case_cats[rs->ncase_cats]. */
static int
case_category_read(struct conf_file *cf, json_t *arr, size_t i,
    struct alert_rules *rs, alert_dept_check_fn dept_check, void *arg,
    char **cause)
{
	json_t *obj = json_array_get(arr, i);
	struct case_category *out = &rs->case_cats[rs->ncase_cats];
	struct category_raw raw;
	const char *dup = NULL;
	size_t j;

	if (!json_is_object(obj)) {
		*cause = conf_error(cf, arr, NULL, i, "expected an object");
		return -1;
	}
	memset(&raw, 0, sizeof raw);
	raw.time_limit_ms = -1;
	if (conf_object_read(cf, obj, category_fields, &raw, cause) != 0)
		goto fail;
	if (!case_category_id_ok(raw.id)) {
		*cause = conf_error(cf, obj, "id", 0,
		    "expected 1-64 of a-z, 0-9 and '-' (the name goes in "
		    "\"name\")");
		goto fail;
	}
	if (raw.name != NULL && *raw.name == '\0') {
		*cause = conf_error(cf, obj, "name", 0, "empty");
		goto fail;
	}
	if (raw.code != NULL && *raw.code == '\0') {
		*cause = conf_error(cf, obj, "code", 0, "empty");
		goto fail;
	}
	if (case_category_match(rs, rs->ncase_cats, raw.id) != NULL)
		dup = "id";
	else if (case_category_match(rs, rs->ncase_cats, raw.name) != NULL)
		dup = "name";
	else if (case_category_match(rs, rs->ncase_cats, raw.code) != NULL)
		dup = "code";
	if (dup != NULL) {
		*cause = conf_error(cf, obj, dup, 0,
		    "names a category already listed (ids, names and codes "
		    "are one name space)");
		goto fail;
	}
	if (dept_check != NULL && dept_check(arg, raw.dept) != 0) {
		*cause = conf_error(
		    cf, obj, "dept", 0, "unknown department \"%s\"", raw.dept);
		goto fail;
	}
	for (j = 0; raw.support != NULL && raw.support[j] != NULL; j++) {
		if ((dept_check != NULL &&
		        dept_check(arg, raw.support[j]) != 0) ||
		    strcmp(raw.support[j], raw.dept) == 0) {
			*cause = conf_error(cf, json_object_get(obj, "support"),
			    NULL, j, "%s department \"%s\"",
			    strcmp(raw.support[j], raw.dept) == 0 ? "the lead"
			                                          : "unknown",
			    raw.support[j]);
			goto fail;
		}
	}
	if (raw.time_limit_ms == 0) {
		*cause =
		    conf_error(cf, obj, "time_limit", 0, "must be positive");
		goto fail;
	}
	out->severity = ALERT_SEV_MEDIUM;
	if (raw.severity != NULL &&
	    alert_sev_parse(raw.severity, &out->severity) != 0) {
		*cause = conf_error(cf, obj, "severity", 0,
		    "expected \"high\", \"medium\", \"low\" or \"info\"");
		goto fail;
	}
	if (raw.escalation != NULL &&
	    alert_escalation_read(cf, raw.escalation, dept_check, arg,
	        &out->escalation, cause) != 0)
		goto fail;
	out->id = raw.id;
	out->name = raw.name;
	out->code = raw.code;
	out->dept = raw.dept;
	out->support =
	    raw.support != NULL ? raw.support : xcalloc(1, sizeof(char *));
	out->time_limit_ms = raw.time_limit_ms > 0
	                         ? raw.time_limit_ms
	                         : rs->settings.default_deadline_ms;
	free(raw.severity);
	rs->ncase_cats++;
	return 0;
fail:
	case_category_raw_free(&raw);
	return -1;
}

int
case_categories_read(struct conf_file *cf, json_t *arr, struct alert_rules *rs,
    alert_dept_check_fn dept_check, void *arg, char **cause)
{
	size_t i, n = json_array_size(arr);

	rs->case_cats = xcalloc(n + 1, sizeof *rs->case_cats);
	for (i = 0; i < n; i++) {
		if (case_category_read(
		        cf, arr, i, rs, dept_check, arg, cause) != 0)
			return -1;
	}
	return 0;
}

void
case_categories_free(struct alert_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->ncase_cats; i++) {
		struct case_category *c = &rs->case_cats[i];

		free(c->id);
		free(c->name);
		free(c->code);
		free(c->dept);
		conf_strarray_free(c->support);
		alert_escalation_free(c->escalation);
	}
	free(rs->case_cats);
	rs->case_cats = NULL;
	rs->ncase_cats = 0;
}

const struct case_category *
case_categories_find(const struct alert_rules *rs, const char *text)
{
	return case_category_match(rs, rs->ncase_cats, text);
}

const struct alert_escalation *
case_categories_escalation(const struct alert_rules *rs, const char *cat)
{
	const struct case_category *c;

	if (cat == NULL || rs->ncase_cats == 0)
		return NULL;
	c = case_categories_find(rs, cat);
	return c != NULL ? c->escalation : NULL;
}

json_t *
case_categories_json(const struct alert_rules *rs)
{
	json_t *arr = json_array(), *o, *sup, *esc;
	size_t i, j;

	for (i = 0; i < rs->ncase_cats; i++) {
		const struct case_category *c = &rs->case_cats[i];

		sup = json_array();
		for (j = 0; c->support[j] != NULL; j++)
			json_array_append_new(sup, json_string(c->support[j]));
		o = json_pack("{s:s,s:s?,s:s?,s:s,s:o,s:I,s:s}", "id", c->id,
		    "name", c->name, "code", c->code, "dept", c->dept,
		    "support", sup, "time_limit_ms",
		    (json_int_t)c->time_limit_ms, "severity",
		    alert_sev_name(c->severity));
		if (c->escalation != NULL) {
			esc = json_array();
			for (j = 0; j < c->escalation->nsteps; j++)
				json_array_append_new(
				    esc, json_pack("{s:I,s:s}", "after_ms",
				             (json_int_t)c->escalation->steps[j]
				                 .after_ms,
				             "to", c->escalation->steps[j].to));
			json_object_set_new(o, "escalation", esc);
		}
		json_array_append_new(arr, o);
	}
	return json_pack("{s:o}", "categories", arr);
}
