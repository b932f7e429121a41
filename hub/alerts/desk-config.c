/* The "desks" table of the rules file and its escalation targets (see
 * desk.h). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-model.h"
#include "hub/alerts/case-categories.h"
#include "hub/alerts/desk.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

struct desk_raw {
	char *id, *name, *name_en;
	json_t *filter, *comment;
	char **columns;
};

static const struct conf_field desk_fields[] = {
    {"id", CONF_STRING, 1, offsetof(struct desk_raw, id), 0, 0},
    {"name", CONF_STRING, 1, offsetof(struct desk_raw, name), 0, 0},
    {"name_en", CONF_STRING, 0, offsetof(struct desk_raw, name_en), 0, 0},
    {"filter", CONF_OBJECT, 0, offsetof(struct desk_raw, filter), 0, 0},
    {"columns", CONF_STRARRAY, 0, offsetof(struct desk_raw, columns), 0, 0},
    {"comment", CONF_JSON, 0, offsetof(struct desk_raw, comment), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

struct filter_raw {
	char **severity, **state, **source, **rule, **dept, **category;
	json_t *dispatched, *escalated, *overdue;
};

static const struct conf_field filter_fields[] = {
    {"severity", CONF_STRARRAY, 0, offsetof(struct filter_raw, severity), 0, 0},
    {"state", CONF_STRARRAY, 0, offsetof(struct filter_raw, state), 0, 0},
    {"source", CONF_STRARRAY, 0, offsetof(struct filter_raw, source), 0, 0},
    {"rule", CONF_STRARRAY, 0, offsetof(struct filter_raw, rule), 0, 0},
    {"dept", CONF_STRARRAY, 0, offsetof(struct filter_raw, dept), 0, 0},
    {"category", CONF_STRARRAY, 0, offsetof(struct filter_raw, category), 0, 0},
    {"dispatched", CONF_JSON, 0, offsetof(struct filter_raw, dispatched), 0, 0},
    {"escalated", CONF_JSON, 0, offsetof(struct filter_raw, escalated), 0, 0},
    {"overdue", CONF_JSON, 0, offsetof(struct filter_raw, overdue), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

/* The columns a desk may show (the console and `citybrain desk`). */
static const char *const desk_columns[] = {"id", "severity", "state", "place",
    "message", "dept", "depts", "age", "category", "source", "escalation",
    "deadline", "rule", NULL};
static const char *const desk_default_columns[] = {
    "id", "severity", "state", "place", "message", "age", NULL};
static const char *const desk_sources[] = {"rule", "event", "case", NULL};

static int
desk_in(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], s) == 0)
			return 1;
	}
	return 0;
}

/* "a, b, c" of list (heap). */
static char *
desk_names(const char *const *list)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; list[i] != NULL; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", list[i]);
	return buf_detach(&b);
}

static int
desk_id_ok(const char *s)
{
	size_t i;

	if (*s == '\0' || strlen(s) > 32)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		        s[i] == '_'))
			return 0;
	}
	return 1;
}

/* A boolean key: -1 absent, else 0/1; -2 after setting *cause. */
static int
desk_tristate(
    struct conf_file *cf, json_t *obj, const char *key, json_t *v, char **cause)
{
	if (v == NULL || json_is_null(v))
		return -1;
	if (!json_is_boolean(v)) {
		*cause = conf_error(cf, obj, key, 0, "expected true or false");
		return -2;
	}
	return json_is_true(v);
}

/* Check each name of list (key of obj) with ok; -1 with *cause naming the
 * first unknown one. */
static int
desk_names_check(struct conf_file *cf, json_t *obj, const char *key,
    char **list,
    int (*ok)(
        const struct alert_rules *, alert_dept_check_fn, void *, const char *),
    const struct alert_rules *rs, alert_dept_check_fn dept_check, void *arg,
    const char *what, const char *hint, char **cause)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++) {
		if (ok(rs, dept_check, arg, list[i]))
			continue;
		*cause = conf_error(cf, json_object_get(obj, key), NULL, i,
		    "unknown %s \"%s\"%s%s%s", what, list[i],
		    hint != NULL ? " (" : "", hint != NULL ? hint : "",
		    hint != NULL ? ")" : "");
		return -1;
	}
	return 0;
}

static int
desk_ok_sev(const struct alert_rules *rs, alert_dept_check_fn f, void *arg,
    const char *s)
{
	enum alert_sev sev;

	(void)rs, (void)f, (void)arg;
	return alert_sev_parse(s, &sev) == 0;
}

static int
desk_ok_state(const struct alert_rules *rs, alert_dept_check_fn f, void *arg,
    const char *s)
{
	enum alert_state st;

	(void)rs, (void)f, (void)arg;
	return alert_state_parse(s, &st) == 0;
}

static int
desk_ok_source(const struct alert_rules *rs, alert_dept_check_fn f, void *arg,
    const char *s)
{
	(void)rs, (void)f, (void)arg;
	return desk_in(desk_sources, s);
}

static int
desk_ok_rule(const struct alert_rules *rs, alert_dept_check_fn f, void *arg,
    const char *s)
{
	(void)f, (void)arg;
	return alert_rules_find(rs, s) != NULL;
}

static int
desk_ok_dept(const struct alert_rules *rs, alert_dept_check_fn f, void *arg,
    const char *s)
{
	(void)rs;
	return f == NULL || f(arg, s) == 0;
}

static int
desk_ok_category(const struct alert_rules *rs, alert_dept_check_fn f, void *arg,
    const char *s)
{
	(void)f, (void)arg;
	return case_categories_find(rs, s) != NULL;
}

static int
desk_filter_read(struct conf_file *cf, json_t *obj, struct desk_filter *f,
    const struct alert_rules *rs, alert_dept_check_fn dept_check, void *arg,
    char **cause)
{
	struct filter_raw raw;
	enum alert_sev sev;
	enum alert_state st;
	size_t i;
	int r = -1;

	memset(&raw, 0, sizeof raw);
	f->dispatched = f->escalated = f->overdue = -1;
	if (obj == NULL)
		return 0;
	if (conf_object_read(cf, obj, filter_fields, &raw, cause) != 0)
		goto done;
	if (desk_names_check(cf, obj, "severity", raw.severity, desk_ok_sev, rs,
	        dept_check, arg, "severity", "high, medium, low, info",
	        cause) != 0 ||
	    desk_names_check(cf, obj, "state", raw.state, desk_ok_state, rs,
	        dept_check, arg, "state",
	        "pending, firing, acknowledged, resolved, closed",
	        cause) != 0 ||
	    desk_names_check(cf, obj, "source", raw.source, desk_ok_source, rs,
	        dept_check, arg, "source", "rule, event, case", cause) != 0 ||
	    desk_names_check(cf, obj, "rule", raw.rule, desk_ok_rule, rs,
	        dept_check, arg, "rule", NULL, cause) != 0 ||
	    desk_names_check(cf, obj, "dept", raw.dept, desk_ok_dept, rs,
	        dept_check, arg, "department", NULL, cause) != 0 ||
	    desk_names_check(cf, obj, "category", raw.category,
	        desk_ok_category, rs, dept_check, arg, "case category", NULL,
	        cause) != 0)
		goto done;
	if ((f->dispatched = desk_tristate(
	         cf, obj, "dispatched", raw.dispatched, cause)) == -2 ||
	    (f->escalated = desk_tristate(
	         cf, obj, "escalated", raw.escalated, cause)) == -2 ||
	    (f->overdue = desk_tristate(
	         cf, obj, "overdue", raw.overdue, cause)) == -2)
		goto done;
	for (i = 0; raw.severity != NULL && raw.severity[i] != NULL; i++) {
		alert_sev_parse(raw.severity[i], &sev);
		f->severities |= 1u << sev;
	}
	for (i = 0; raw.state != NULL && raw.state[i] != NULL; i++) {
		alert_state_parse(raw.state[i], &st);
		f->states |= 1u << st;
	}
	f->sources = raw.source, raw.source = NULL;
	f->rules = raw.rule, raw.rule = NULL;
	f->depts = raw.dept, raw.dept = NULL;
	f->categories = raw.category, raw.category = NULL;
	r = 0;
done:
	conf_strarray_free(raw.severity);
	conf_strarray_free(raw.state);
	conf_strarray_free(raw.source);
	conf_strarray_free(raw.rule);
	conf_strarray_free(raw.dept);
	conf_strarray_free(raw.category);
	return r;
}

static void
desk_clear(struct desk *d)
{
	free(d->id);
	free(d->name);
	free(d->name_en);
	conf_strarray_free(d->filter.sources);
	conf_strarray_free(d->filter.rules);
	conf_strarray_free(d->filter.depts);
	conf_strarray_free(d->filter.categories);
	conf_strarray_free(d->columns);
	memset(d, 0, sizeof *d);
}

static int
desk_read_one(struct conf_file *cf, json_t *obj, struct alert_rules *rs,
    alert_dept_check_fn dept_check, void *arg, char **cause)
{
	struct desk_raw raw;
	struct desk *d = &rs->desks[rs->ndesks];
	char *names;
	size_t i;

	memset(&raw, 0, sizeof raw);
	if (conf_object_read(cf, obj, desk_fields, &raw, cause) != 0)
		goto fail;
	if (!desk_id_ok(raw.id)) {
		*cause = conf_error(cf, obj, "id", 0,
		    "expected 1-32 of a-z, 0-9, - and _, not \"%s\"", raw.id);
		goto fail;
	}
	if (desks_find(rs, raw.id) != NULL) {
		*cause = conf_error(
		    cf, obj, "id", 0, "duplicate desk \"%s\"", raw.id);
		goto fail;
	}
	for (i = 0; raw.columns != NULL && raw.columns[i] != NULL; i++) {
		if (desk_in(desk_columns, raw.columns[i]))
			continue;
		names = desk_names(desk_columns);
		*cause = conf_error(cf, json_object_get(obj, "columns"), NULL,
		    i, "unknown column \"%s\" (%s)", raw.columns[i], names);
		free(names);
		goto fail;
	}
	if (raw.columns != NULL && raw.columns[0] == NULL) {
		*cause = conf_error(cf, obj, "columns", 0, "no column");
		goto fail;
	}
	if (desk_filter_read(
	        cf, raw.filter, &d->filter, rs, dept_check, arg, cause) != 0)
		goto fail;
	d->id = raw.id;
	d->name = raw.name;
	d->name_en = raw.name_en;
	if (raw.columns == NULL) {
		raw.columns = xcalloc(8, sizeof *raw.columns);
		for (i = 0; desk_default_columns[i] != NULL; i++)
			raw.columns[i] = xstrdup(desk_default_columns[i]);
	}
	d->columns = raw.columns;
	rs->ndesks++;
	return 0;
fail:
	free(raw.id);
	free(raw.name);
	free(raw.name_en);
	conf_strarray_free(raw.columns);
	desk_clear(d);
	return -1;
}

/* Does target to ("desk:ID", ...) name a configured desk?  -1 with *cause
 * at key/index of parent when it names none. */
static int
desk_target_check(struct conf_file *cf, const struct alert_rules *rs,
    json_t *parent, const char *key, size_t index, const char *to, char **cause)
{
	struct buf b;
	size_t i;

	if (to == NULL || strncmp(to, "desk:", 5) != 0 ||
	    desks_find(rs, to + 5) != NULL)
		return 0;
	buf_init(&b);
	for (i = 0; i < rs->ndesks; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", rs->desks[i].id);
	*cause = conf_error(cf, parent, key, index,
	    "unknown desk \"%s\" (the desks: %s)", to + 5, buf_str(&b));
	buf_free(&b);
	return -1;
}

/* Every step of the chain arr (a list of {"after", "to"}). */
static int
desk_chain_check(struct conf_file *cf, const struct alert_rules *rs,
    json_t *arr, char **cause)
{
	json_t *st;
	size_t i;

	json_array_foreach(arr, i, st)
	{
		if (desk_target_check(cf, rs, st, "to", 0,
		        json_string_value(json_object_get(st, "to")),
		        cause) != 0)
			return -1;
	}
	return 0;
}

/* The desk targets of the settings' chains and hooks and the rules'. */
static int
desks_targets_check(struct conf_file *cf, json_t *root,
    const struct alert_rules *rs, char **cause)
{
	json_t *settings = json_object_get(root, "settings"), *v, *rule;
	json_t *hooks = json_object_get(settings, "escalation_webhooks");
	const char *key;
	size_t i;

	json_object_foreach(json_object_get(settings, "escalation"), key, v)
	{
		if (desk_chain_check(cf, rs, v, cause) != 0)
			return -1;
	}
	json_object_foreach(hooks, key, v)
	{
		if (desk_target_check(cf, rs, hooks, key, 0, key, cause) != 0)
			return -1;
	}
	json_array_foreach(json_object_get(root, "rules"), i, rule)
	{
		if (desk_chain_check(cf, rs,
		        json_object_get(rule, "escalation"), cause) != 0)
			return -1;
	}
	return 0;
}

int
desks_read(struct conf_file *cf, json_t *root, json_t *arr,
    struct alert_rules *rs, alert_dept_check_fn dept_check, void *arg,
    char **cause)
{
	json_t *obj;
	size_t i;

	if (json_array_size(arr) > DESK_MAX) {
		*cause = conf_error(
		    cf, arr, NULL, DESK_MAX, "at most %d desks", DESK_MAX);
		return -1;
	}
	rs->desks = xcalloc(json_array_size(arr) + 1, sizeof *rs->desks);
	json_array_foreach(arr, i, obj)
	{
		if (!json_is_object(obj)) {
			*cause = conf_error(cf, arr, NULL, i,
			    "expected {\"id\": ..., \"name\": ...}");
			return -1;
		}
		if (desk_read_one(cf, obj, rs, dept_check, arg, cause) != 0)
			return -1;
	}
	return desks_targets_check(cf, root, rs, cause);
}

void
desks_free(struct alert_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->ndesks; i++)
		desk_clear(&rs->desks[i]);
	free(rs->desks);
	rs->desks = NULL;
	rs->ndesks = 0;
}

const struct desk *
desks_find(const struct alert_rules *rs, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < rs->ndesks; i++) {
		if (strcmp(rs->desks[i].id, id) == 0)
			return &rs->desks[i];
	}
	return NULL;
}
