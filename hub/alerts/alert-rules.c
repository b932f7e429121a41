/* Alert rules and settings: loading, validation and message templates. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-rules-escalation.h"
#include "hub/alerts/alert-rules-incident.h"
#include "hub/alerts/alert-rules-inhibit.h"
#include "hub/alerts/case-categories.h"
#include "hub/alerts/desk.h"
#include "hub/alerts/alert-rules.h"
#include "hub/alerts/handover.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/selector.h"
#include "lib/xmalloc.h"

static const char *const alert_sev_names[] = {"info", "low", "medium", "high"};
static const char *const alert_agg_names[] = {
    "avg", "min", "max", "sum", "count", "last"};
static const char *const alert_op_names[] = {">", ">=", "<", "<=", "==", "!="};

static int
alert_name_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++) {
		if (strcmp(names[i], s) == 0)
			return (int)i;
	}
	return -1;
}

const char *
alert_sev_name(enum alert_sev s)
{
	return (unsigned)s < ALERT_SEV_COUNT ? alert_sev_names[s] : "?";
}

int
alert_sev_parse(const char *s, enum alert_sev *out)
{
	int i = alert_name_index(alert_sev_names, 4, s);

	if (i < 0)
		return -1;
	*out = (enum alert_sev)i;
	return 0;
}

const char *
alert_agg_name(enum alert_agg a)
{
	return (unsigned)a < 6 ? alert_agg_names[a] : "?";
}

int
alert_agg_parse(const char *s, enum alert_agg *out)
{
	int i = alert_name_index(alert_agg_names, 6, s);

	if (i < 0)
		return -1;
	*out = (enum alert_agg)i;
	return 0;
}

const char *
alert_op_name(enum alert_op op)
{
	return (unsigned)op < 6 ? alert_op_names[op] : "?";
}

int
alert_op_parse(const char *s, enum alert_op *out)
{
	int i = alert_name_index(alert_op_names, 6, s);

	if (i < 0)
		return -1;
	*out = (enum alert_op)i;
	return 0;
}

int
alert_op_eval(enum alert_op op, double v, double t)
{
	switch (op) {
	case ALERT_OP_GT:
		return v > t;
	case ALERT_OP_GE:
		return v >= t;
	case ALERT_OP_LT:
		return v < t;
	case ALERT_OP_LE:
		return v <= t;
	case ALERT_OP_EQ:
		return v == t;
	case ALERT_OP_NE:
		return v != t;
	}
	return 0;
}

/* ---- Loading ----------------------------------------------------------- */

/* The resolve_message a rule gets when it names none: what resolved it,
 * never the firing words ("{rule}: back to {value} (<= 4.5) in {place}";
 * with a clear level, that one). */
static char *
alert_rule_resolve_default(const struct alert_rule *r)
{
	static const char *const inverse[] = {"<=", "<", ">=", ">", "!=", "=="};

	if (r->type == ALERT_RULE_ABSENCE)
		return xstrdup("data from {rule} again in {place}");
	if (r->has_clear)
		return xasprintf("{rule}: back to {value} (past the clear "
		                 "level %g) in {place}",
		    r->clear);
	return xasprintf("{rule}: back to {value} (%s {threshold}) in {place}",
	    (unsigned)r->op < 6 ? inverse[r->op] : "not");
}

struct rule_raw {
	char *name, *type, *selector, *agg, *op, *severity, *dept, *dept_label;
	char *message, *resolve_message;
	int64_t window_ms, for_ms, deadline_ms;
	json_t *threshold, *clear, *inhibits, *escalation, *incident;
	char **by, **support;
	int disabled;
};

#define RF(k, t, req, m)                                      \
	{                                                     \
		k, t, req, offsetof(struct rule_raw, m), 0, 0 \
	}
static const struct conf_field rule_fields[] = {
    RF("name", CONF_STRING, 1, name),
    RF("type", CONF_STRING, 0, type),
    RF("selector", CONF_STRING, 1, selector),
    RF("agg", CONF_STRING, 0, agg),
    RF("window", CONF_DURATION, 0, window_ms),
    RF("op", CONF_STRING, 0, op),
    RF("threshold", CONF_JSON, 0, threshold),
    RF("clear", CONF_JSON, 0, clear),
    RF("for", CONF_DURATION, 0, for_ms),
    RF("by", CONF_STRARRAY, 0, by),
    RF("severity", CONF_STRING, 1, severity),
    RF("dept", CONF_STRING, 0, dept),
    RF("dept_label", CONF_STRING, 0, dept_label),
    RF("support", CONF_STRARRAY, 0, support),
    RF("deadline", CONF_DURATION, 0, deadline_ms),
    RF("message", CONF_STRING, 0, message),
    RF("resolve_message", CONF_STRING, 0, resolve_message),
    RF("disabled", CONF_BOOL, 0, disabled),
    RF("inhibits", CONF_ARRAY, 0, inhibits),
    RF("escalation", CONF_ARRAY, 0, escalation),
    RF("incident", CONF_OBJECT, 0, incident),
    {NULL, 0, 0, 0, 0, 0},
};
#undef RF

struct settings_raw {
	int64_t eval_interval_ms, flap_window_ms, deadline_ms, retention_ms;
	int64_t backoff_ms, timeout_ms;
	long long group_min, retries;
	char *supervisors_webhook;
	json_t *ack_within;
	json_t *escalation, *esc_hooks; /* alert-rules-escalation.c */
	int notify_resolved;
};

#define SF(k, t, m, lo, hi)                                       \
	{                                                         \
		k, t, 0, offsetof(struct settings_raw, m), lo, hi \
	}
static const struct conf_field settings_fields[] = {
    SF("eval_interval", CONF_DURATION, eval_interval_ms, 0, 0),
    SF("flap_window", CONF_DURATION, flap_window_ms, 0, 0),
    SF("deadline", CONF_DURATION, deadline_ms, 0, 0),
    SF("retention", CONF_DURATION, retention_ms, 0, 0),
    SF("group_min", CONF_INT, group_min, 2, 100000),
    SF("supervisors_webhook", CONF_STRING, supervisors_webhook, 0, 0),
    SF("ack_within", CONF_OBJECT, ack_within, 0, 0),
    SF("webhook_retries", CONF_INT, retries, 0, 100),
    SF("webhook_backoff", CONF_DURATION, backoff_ms, 0, 0),
    SF("webhook_timeout", CONF_DURATION, timeout_ms, 0, 0),
    SF("notify_resolved", CONF_BOOL, notify_resolved, 0, 0),
    SF("escalation", CONF_OBJECT, escalation, 0, 0),
    SF("escalation_webhooks", CONF_OBJECT, esc_hooks, 0, 0),
    {NULL, 0, 0, 0, 0, 0},
};
#undef SF

struct dept_raw {
	char *webhook;
	char *name;
};

static const struct conf_field dept_fields[] = {
    {"webhook", CONF_STRING, 0, offsetof(struct dept_raw, webhook), 0, 0},
    {"name", CONF_STRING, 0, offsetof(struct dept_raw, name), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

struct top_raw {
	json_t *settings, *departments, *rules, *comment;
	json_t *case_categories;
	json_t *shifts; /* handover-shifts.c */
	json_t *desks;  /* desk-config.c */
};

static const struct conf_field top_fields[] = {
    {"settings", CONF_OBJECT, 0, offsetof(struct top_raw, settings), 0, 0},
    {"departments", CONF_OBJECT, 0, offsetof(struct top_raw, departments), 0,
        0},
    {"rules", CONF_ARRAY, 0, offsetof(struct top_raw, rules), 0, 0},
    {"comment", CONF_JSON, 0, offsetof(struct top_raw, comment), 0, 0},
    {"case_categories", CONF_ARRAY, 0,
        offsetof(struct top_raw, case_categories), 0, 0},
    {"shifts", CONF_ARRAY, 0, offsetof(struct top_raw, shifts), 0, 0},
    {"desks", CONF_ARRAY, 0, offsetof(struct top_raw, desks), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static void
alert_settings_defaults(struct alert_settings *s)
{
	memset(s, 0, sizeof *s);
	s->eval_interval_ms = 10 * 1000;
	s->flap_window_ms = 10 * 60 * 1000;
	s->ack_within_ms[ALERT_SEV_HIGH] = 15 * 60 * 1000;
	s->ack_within_ms[ALERT_SEV_MEDIUM] = 60 * 60 * 1000;
	s->ack_within_ms[ALERT_SEV_LOW] = 4 * 60 * 60 * 1000;
	s->default_deadline_ms = 72LL * 3600 * 1000;
	s->retention_ms = 7LL * 24 * 3600 * 1000;
	s->group_min = 3;
	s->webhook_retries = 5;
	s->webhook_backoff_ms = 1000;
	s->webhook_timeout_ms = 5000;
	s->notify_resolved = 1;
}

static int
alert_url_ok(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static int
alert_settings_read(
    struct conf_file *cf, json_t *obj, struct alert_settings *s, char **cause)
{
	struct settings_raw raw;
	const char *key;
	json_t *v;
	enum alert_sev sev;
	int64_t ms;
	int r;

	memset(&raw, 0, sizeof raw);
	raw.eval_interval_ms = s->eval_interval_ms;
	raw.flap_window_ms = s->flap_window_ms;
	raw.deadline_ms = s->default_deadline_ms;
	raw.retention_ms = s->retention_ms;
	raw.group_min = s->group_min;
	raw.retries = s->webhook_retries;
	raw.backoff_ms = s->webhook_backoff_ms;
	raw.timeout_ms = s->webhook_timeout_ms;
	raw.notify_resolved = s->notify_resolved;
	r = conf_object_read(cf, obj, settings_fields, &raw, cause);
	if (r == 0 && raw.eval_interval_ms < 100) {
		*cause = conf_error(
		    cf, obj, "eval_interval", 0, "must be at least 100ms");
		r = -1;
	}
	if (r == 0 && raw.deadline_ms <= 0) {
		/* case categories and incidents take it as their time
		 * limit, which must be positive */
		*cause = conf_error(cf, obj, "deadline", 0, "must be positive");
		r = -1;
	}
	if (r == 0 && raw.supervisors_webhook != NULL &&
	    !alert_url_ok(raw.supervisors_webhook)) {
		*cause = conf_error(cf, obj, "supervisors_webhook", 0,
		    "expected an http:// or https:// URL");
		r = -1;
	}
	if (r == 0 && raw.ack_within != NULL) {
		json_object_foreach(raw.ack_within, key, v)
		{
			if (alert_sev_parse(key, &sev) != 0) {
				*cause = conf_error(cf, raw.ack_within, key, 0,
				    "unknown severity (high, medium, low, "
				    "info)");
				r = -1;
				break;
			}
			if (json_is_number(v) && json_number_value(v) >= 0)
				ms = (int64_t)llround(
				    json_number_value(v) * 1000);
			else if (!json_is_string(v) ||
			         clock_parse_duration(
			             json_string_value(v), &ms) != 0) {
				*cause = conf_error(cf, raw.ack_within, key, 0,
				    "expected a duration");
				r = -1;
				break;
			}
			s->ack_within_ms[sev] = ms;
		}
	}
	if (r != 0) {
		free(raw.supervisors_webhook);
		return -1;
	}
	s->eval_interval_ms = raw.eval_interval_ms;
	s->flap_window_ms = raw.flap_window_ms;
	s->default_deadline_ms = raw.deadline_ms;
	s->retention_ms = raw.retention_ms;
	s->group_min = raw.group_min;
	s->webhook_retries = raw.retries;
	s->webhook_backoff_ms = raw.backoff_ms;
	s->webhook_timeout_ms = raw.timeout_ms > 0 ? raw.timeout_ms : 5000;
	s->notify_resolved = raw.notify_resolved;
	free(s->supervisors_webhook);
	s->supervisors_webhook = raw.supervisors_webhook;
	return 0;
}

static int
alert_rule_by_has(const struct rule_raw *r, const char *label)
{
	size_t i;

	for (i = 0; r->by != NULL && r->by[i] != NULL; i++) {
		if (strcmp(r->by[i], label) == 0)
			return 1;
	}
	return 0;
}

static void
rule_raw_free(struct rule_raw *r)
{
	free(r->name);
	free(r->type);
	free(r->selector);
	free(r->agg);
	free(r->op);
	free(r->severity);
	free(r->dept);
	free(r->dept_label);
	free(r->message);
	free(r->resolve_message);
	conf_strarray_free(r->by);
	conf_strarray_free(r->support);
}

static int
alert_rule_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	}
	return 1;
}

/* Read rules[i] into *out; 0 or -1 with *cause. */
static int
alert_rule_read(struct conf_file *cf, json_t *arr, size_t i,
    struct alert_rules *rs, alert_dept_check_fn dept_check, void *arg,
    char **cause)
{
	json_t *obj = json_array_get(arr, i);
	struct rule_raw raw;
	struct alert_rule *out = &rs->rules[rs->nrules];
	char err[128], *err2 = NULL;
	struct selector *sel;
	size_t j;

	if (!json_is_object(obj)) {
		*cause = conf_error(cf, arr, NULL, i, "expected an object");
		return -1;
	}
	memset(&raw, 0, sizeof raw);
	raw.deadline_ms = -1;
	raw.window_ms = -1;
	if (conf_object_read(cf, obj, rule_fields, &raw, cause) != 0)
		goto fail;
	memset(out, 0, sizeof *out);
	if (!alert_rule_name_ok(raw.name)) {
		*cause = conf_error(cf, obj, "name", 0,
		    "use letters, digits, '-', '_' and '.'");
		goto fail;
	}
	for (j = 0; j < rs->nrules; j++) {
		if (strcmp(rs->rules[j].name, raw.name) == 0) {
			*cause = conf_error(cf, obj, "name", 0,
			    "duplicate rule \"%s\"", raw.name);
			goto fail;
		}
	}
	if (raw.type == NULL || strcmp(raw.type, "threshold") == 0)
		out->type = ALERT_RULE_THRESHOLD;
	else if (strcmp(raw.type, "absence") == 0)
		out->type = ALERT_RULE_ABSENCE;
	else {
		*cause = conf_error(cf, obj, "type", 0,
		    "expected \"threshold\" or \"absence\"");
		goto fail;
	}
	if ((sel = selector_parse_cause(raw.selector, &err2)) == NULL) {
		*cause = conf_error(cf, obj, "selector", 0, "%s", err2);
		free(err2);
		goto fail;
	}
	selector_free(sel);
	if (alert_sev_parse(raw.severity, &out->severity) != 0) {
		*cause = conf_error(cf, obj, "severity", 0,
		    "expected \"high\", \"medium\", \"low\" or \"info\"");
		goto fail;
	}
	out->agg = ALERT_AGG_AVG;
	if (raw.agg != NULL && alert_agg_parse(raw.agg, &out->agg) != 0) {
		*cause = conf_error(cf, obj, "agg", 0,
		    "expected avg, min, max, sum, count or last");
		goto fail;
	}
	if (out->type == ALERT_RULE_THRESHOLD) {
		if (raw.op == NULL || alert_op_parse(raw.op, &out->op) != 0) {
			*cause = conf_error(cf, obj, "op", 0,
			    "expected one of > >= < <= == !=");
			goto fail;
		}
		if (raw.threshold == NULL || !json_is_number(raw.threshold)) {
			*cause = conf_error(
			    cf, obj, "threshold", 0, "expected a number");
			goto fail;
		}
		out->threshold = json_number_value(raw.threshold);
		if (raw.clear != NULL) {
			if (!json_is_number(raw.clear)) {
				*cause = conf_error(
				    cf, obj, "clear", 0, "expected a number");
				goto fail;
			}
			out->has_clear = 1;
			out->clear = json_number_value(raw.clear);
			/* The clear level must lie on the safe side. */
			if (alert_op_eval(
			        out->op, out->clear, out->threshold) &&
			    out->clear != out->threshold) {
				*cause = conf_error(cf, obj, "clear", 0,
				    "%g is itself past the threshold",
				    out->clear);
				goto fail;
			}
		}
		out->window_ms =
		    raw.window_ms < 0 ? 5 * 60 * 1000 : raw.window_ms;
		if (out->window_ms == 0 && out->agg != ALERT_AGG_LAST) {
			*cause = conf_error(
			    cf, obj, "window", 0, "must be positive");
			goto fail;
		}
	} else {
		if (raw.op != NULL || raw.threshold != NULL ||
		    raw.clear != NULL) {
			*cause = conf_error(cf, obj,
			    raw.op != NULL          ? "op"
			    : raw.threshold != NULL ? "threshold"
			                            : "clear",
			    0, "not used by absence rules");
			goto fail;
		}
		if (raw.for_ms <= 0) {
			*cause = conf_error(cf, obj, "for", 0,
			    "an absence rule needs a positive \"for\"");
			goto fail;
		}
	}
	if (raw.message != NULL &&
	    alert_template_check(raw.message, err, sizeof err) != 0) {
		*cause = conf_error(cf, obj, "message", 0, "%s", err);
		goto fail;
	}
	if (raw.resolve_message != NULL &&
	    alert_template_check(raw.resolve_message, err, sizeof err) != 0) {
		*cause = conf_error(cf, obj, "resolve_message", 0, "%s", err);
		goto fail;
	}
	if (raw.dept != NULL && dept_check != NULL &&
	    dept_check(arg, raw.dept) != 0) {
		*cause = conf_error(
		    cf, obj, "dept", 0, "unknown department \"%s\"", raw.dept);
		goto fail;
	}
	if (raw.dept_label != NULL &&
	    !alert_rule_by_has(&raw, raw.dept_label)) {
		*cause = conf_error(cf, obj, "dept_label", 0,
		    "\"%s\" is not one of the rule's \"by\" labels",
		    raw.dept_label);
		goto fail;
	}
	for (j = 0; raw.support != NULL && raw.support[j] != NULL; j++) {
		if (dept_check != NULL &&
		    dept_check(arg, raw.support[j]) != 0) {
			*cause = conf_error(cf, json_object_get(obj, "support"),
			    NULL, j, "unknown department \"%s\"",
			    raw.support[j]);
			goto fail;
		}
	}
	if (raw.inhibits != NULL &&
	    alert_rules_inhibits_read(cf, raw.inhibits, out, cause) != 0)
		goto fail;
	if (raw.escalation != NULL &&
	    alert_escalation_read(cf, raw.escalation, dept_check, arg,
	        &out->escalation, cause) != 0)
		goto fail;
	rs->nescalating += out->escalation != NULL;
	if (raw.incident != NULL &&
	    alert_rules_incident_read(
	        cf, raw.incident, dept_check, arg, &out->incident, cause) != 0)
		goto fail;
	out->name = raw.name;
	out->selector = raw.selector;
	out->for_ms = raw.for_ms;
	out->by = raw.by != NULL ? raw.by : xcalloc(1, sizeof(char *));
	out->dept = raw.dept;
	out->dept_label = raw.dept_label;
	out->support = raw.support;
	out->deadline_ms = raw.deadline_ms >= 0
	                       ? raw.deadline_ms
	                       : rs->settings.default_deadline_ms;
	out->message =
	    raw.message != NULL ? raw.message
	    : out->type == ALERT_RULE_ABSENCE
	        ? xstrdup("no data from {rule} in {place}")
	        : xasprintf("{rule}: {value} %s {threshold} in {place}",
	              alert_op_name(out->op));
	out->resolve_message = raw.resolve_message != NULL
	                           ? raw.resolve_message
	                           : alert_rule_resolve_default(out);
	out->disabled = raw.disabled;
	free(raw.type);
	free(raw.agg);
	free(raw.op);
	free(raw.severity);
	rs->nrules++;
	return 0;
fail:
	alert_rules_inhibits_free(out);
	alert_escalation_free(out->escalation);
	out->escalation = NULL;
	rule_raw_free(&raw);
	return -1;
}

struct alert_rules *
alert_rules_empty(void)
{
	struct alert_rules *rs = xcalloc(1, sizeof *rs);

	alert_settings_defaults(&rs->settings);
	return rs;
}

static struct alert_rules *
alert_rules_build(struct conf_file *cf, alert_dept_check_fn dept_check,
    void *arg, char **cause)
{
	struct alert_rules *rs = alert_rules_empty();
	struct top_raw top;
	struct dept_raw d;
	json_t *root = conf_file_root(cf), *v;
	const char *key;
	size_t i;

	rs->path = xstrdup(conf_file_name(cf));
	memset(&top, 0, sizeof top);
	if (!json_is_object(root)) {
		*cause =
		    xasprintf("%s:1:1: expected an object", conf_file_name(cf));
		goto fail;
	}
	if (conf_object_read(cf, root, top_fields, &top, cause) != 0)
		goto fail;
	if (top.settings != NULL &&
	    (alert_settings_read(cf, top.settings, &rs->settings, cause) != 0 ||
	        alert_escalation_settings_read(
	            cf, top.settings, rs, dept_check, arg, cause) != 0))
		goto fail;
	if (top.departments != NULL) {
		rs->depts = xcalloc(
		    json_object_size(top.departments) + 1, sizeof *rs->depts);
		json_object_foreach(top.departments, key, v)
		{
			if (!json_is_object(v)) {
				*cause = conf_error(cf, top.departments, key, 0,
				    "expected an object");
				goto fail;
			}
			if (dept_check != NULL && dept_check(arg, key) != 0) {
				*cause = conf_error(cf, top.departments, key, 0,
				    "unknown department \"%s\"", key);
				goto fail;
			}
			memset(&d, 0, sizeof d);
			if (conf_object_read(cf, v, dept_fields, &d, cause) !=
			    0) {
				free(d.webhook);
				free(d.name);
				goto fail;
			}
			free(d.name);
			if (d.webhook != NULL && !alert_url_ok(d.webhook)) {
				*cause = conf_error(cf, v, "webhook", 0,
				    "expected an http:// or https:// URL");
				free(d.webhook);
				goto fail;
			}
			rs->depts[rs->ndepts].id = xstrdup(key);
			rs->depts[rs->ndepts].webhook = d.webhook;
			rs->ndepts++;
		}
	}
	if (top.rules != NULL) {
		rs->rules =
		    xcalloc(json_array_size(top.rules) + 1, sizeof *rs->rules);
		for (i = 0; i < json_array_size(top.rules); i++) {
			if (alert_rule_read(cf, top.rules, i, rs, dept_check,
			        arg, cause) != 0)
				goto fail;
		}
		if (alert_rules_inhibits_check(cf, top.rules, rs, cause) != 0)
			goto fail;
	}
	if (top.case_categories != NULL &&
	    case_categories_read(
	        cf, top.case_categories, rs, dept_check, arg, cause) != 0)
		goto fail;
	if (top.shifts != NULL &&
	    alert_shifts_read(cf, top.shifts, rs, cause) != 0)
		goto fail;
	if (top.desks != NULL &&
	    desks_read(cf, root, top.desks, rs, dept_check, arg, cause) != 0)
		goto fail;
	return rs;
fail:
	alert_rules_free(rs);
	return NULL;
}

struct alert_rules *
alert_rules_load(
    const char *path, alert_dept_check_fn dept_check, void *arg, char **cause)
{
	struct conf_file *cf = conf_file_load(path, cause);
	struct alert_rules *rs;

	if (cf == NULL)
		return NULL;
	rs = alert_rules_build(cf, dept_check, arg, cause);
	conf_file_free(cf);
	return rs;
}

struct alert_rules *
alert_rules_parse(const char *name, const char *text, size_t len,
    alert_dept_check_fn dept_check, void *arg, char **cause)
{
	struct conf_file *cf = conf_file_parse(name, text, len, cause);
	struct alert_rules *rs;

	if (cf == NULL)
		return NULL;
	rs = alert_rules_build(cf, dept_check, arg, cause);
	conf_file_free(cf);
	return rs;
}

void
alert_rules_free(struct alert_rules *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nrules; i++) {
		struct alert_rule *r = &rs->rules[i];

		free(r->name);
		free(r->selector);
		conf_strarray_free(r->by);
		free(r->dept);
		free(r->dept_label);
		conf_strarray_free(r->support);
		free(r->message);
		alert_rules_inhibits_free(r);
		alert_escalation_free(r->escalation);
		alert_rules_incident_free(r->incident);
		free(r->resolve_message);
	}
	free(rs->rules);
	for (i = 0; i < rs->ndepts; i++) {
		free(rs->depts[i].id);
		free(rs->depts[i].webhook);
	}
	free(rs->depts);
	case_categories_free(rs);
	free(rs->settings.supervisors_webhook);
	alert_escalation_settings_free(&rs->settings);
	alert_shifts_free(rs);
	desks_free(rs);
	free(rs->path);
	free(rs);
}

const struct alert_rule *
alert_rules_find(const struct alert_rules *rs, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < rs->nrules; i++) {
		if (strcmp(rs->rules[i].name, name) == 0)
			return &rs->rules[i];
	}
	return NULL;
}

const char *
alert_rules_webhook(const struct alert_rules *rs, const char *dept)
{
	size_t i;

	for (i = 0; dept != NULL && i < rs->ndepts; i++) {
		if (strcmp(rs->depts[i].id, dept) == 0)
			return rs->depts[i].webhook;
	}
	return NULL;
}
