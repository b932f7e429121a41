/* Escalation chains: reading and checking them, and finding an alert's. */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-rules-escalation.h"
#include "lib/xmalloc.h"

struct step_raw {
	int64_t after_ms;
	char *to;
};

static const struct conf_field step_fields[] = {
    {"after", CONF_DURATION, 1, offsetof(struct step_raw, after_ms), 0, 0},
    {"to", CONF_STRING, 1, offsetof(struct step_raw, to), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const char *const esc_roles[] = {
    "viewer", "operator", "supervisor", "admin", NULL};

/* Is to a well-formed target?  0, or -1 with a message in err. */
static int
alert_esc_target_check(const char *to, alert_dept_check_fn dept_check,
    void *arg, char *err, size_t len)
{
	const char *name = strchr(to, ':'), *p;
	size_t i;

	if (name == NULL || name[1] == '\0')
		goto bad;
	name++;
	for (p = name; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' &&
		    *p != '.')
			goto bad;
	}
	if (strncmp(to, "desk:", 5) == 0)
		return 0;
	if (strncmp(to, "role:", 5) == 0) {
		for (i = 0; esc_roles[i] != NULL; i++) {
			if (strcmp(esc_roles[i], name) == 0)
				return 0;
		}
		snprintf(err, len,
		    "unknown role \"%s\" (viewer, operator, supervisor, admin)",
		    name);
		return -1;
	}
	if (strncmp(to, "dept:", 5) == 0) {
		if (dept_check == NULL || dept_check(arg, name) == 0)
			return 0;
		snprintf(err, len, "unknown department \"%s\"", name);
		return -1;
	}
bad:
	snprintf(err, len,
	    "expected \"desk:ID\", \"role:NAME\" or \"dept:ID\", not \"%s\"",
	    to);
	return -1;
}

void
alert_escalation_free(struct alert_escalation *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nsteps; i++)
		free(c->steps[i].to);
	free(c->steps);
	free(c);
}

int
alert_escalation_read(struct conf_file *cf, json_t *arr,
    alert_dept_check_fn dept_check, void *arg, struct alert_escalation **out,
    char **cause)
{
	struct alert_escalation *c;
	size_t i, n = json_array_size(arr);
	char err[160];

	*out = NULL;
	if (n > ALERT_ESC_MAX) {
		*cause = conf_error(cf, arr, NULL, ALERT_ESC_MAX,
		    "at most %d steps", ALERT_ESC_MAX);
		return -1;
	}
	c = xcalloc(1, sizeof *c);
	c->steps = xcalloc(n + 1, sizeof *c->steps);
	for (i = 0; i < n; i++) {
		json_t *obj = json_array_get(arr, i);
		struct step_raw raw;

		if (!json_is_object(obj)) {
			*cause = conf_error(cf, arr, NULL, i,
			    "expected {\"after\": \"15m\", \"to\": ...}");
			goto fail;
		}
		memset(&raw, 0, sizeof raw);
		if (conf_object_read(cf, obj, step_fields, &raw, cause) != 0) {
			free(raw.to);
			goto fail;
		}
		if (alert_esc_target_check(
		        raw.to, dept_check, arg, err, sizeof err) != 0) {
			*cause = conf_error(cf, obj, "to", 0, "%s", err);
			free(raw.to);
			goto fail;
		}
		if (i > 0 && raw.after_ms <= c->steps[i - 1].after_ms) {
			*cause = conf_error(cf, obj, "after", 0,
			    "must be later than the step before (%lld s)",
			    (long long)(c->steps[i - 1].after_ms / 1000));
			free(raw.to);
			goto fail;
		}
		c->steps[i].after_ms = raw.after_ms;
		c->steps[i].to = raw.to;
		c->nsteps++;
	}
	*out = c;
	return 0;
fail:
	alert_escalation_free(c);
	return -1;
}

static int
alert_esc_hooks_read(struct conf_file *cf, json_t *hooks,
    struct alert_settings *s, alert_dept_check_fn dept_check, void *arg,
    char **cause)
{
	const char *key, *url;
	json_t *v;
	char err[160];

	s->esc_hooks =
	    xcalloc(json_object_size(hooks) + 1, sizeof *s->esc_hooks);
	json_object_foreach(hooks, key, v)
	{
		if (alert_esc_target_check(
		        key, dept_check, arg, err, sizeof err) != 0) {
			*cause = conf_error(cf, hooks, key, 0, "%s", err);
			return -1;
		}
		url = json_string_value(v);
		if (url == NULL || (strncmp(url, "http://", 7) != 0 &&
		                       strncmp(url, "https://", 8) != 0)) {
			*cause = conf_error(cf, hooks, key, 0,
			    "expected an http:// or https:// URL");
			return -1;
		}
		s->esc_hooks[s->nesc_hooks].to = xstrdup(key);
		s->esc_hooks[s->nesc_hooks].url = xstrdup(url);
		s->nesc_hooks++;
	}
	return 0;
}

int
alert_escalation_settings_read(struct conf_file *cf, json_t *settings,
    struct alert_rules *rs, alert_dept_check_fn dept_check, void *arg,
    char **cause)
{
	struct alert_settings *s = &rs->settings;
	json_t *esc = json_object_get(settings, "escalation");
	json_t *hooks = json_object_get(settings, "escalation_webhooks");
	json_t *ack = json_object_get(settings, "ack_within"), *v;
	const char *key;
	enum alert_sev sev;

	json_object_foreach(esc, key, v)
	{
		if (alert_sev_parse(key, &sev) != 0) {
			*cause = conf_error(cf, esc, key, 0,
			    "unknown severity (high, medium, low, info)");
			return -1;
		}
		if (json_object_get(ack, key) != NULL) {
			*cause = conf_error(cf, esc, key, 0,
			    "\"%s\" is in ack_within too: keep one (a chain's "
			    "first step replaces ack_within)",
			    key);
			return -1;
		}
		if (!json_is_array(v)) {
			*cause = conf_error(cf, esc, key, 0,
			    "expected a list of {\"after\": ..., \"to\": ...}");
			return -1;
		}
		alert_escalation_free(s->escalation[sev]);
		if (alert_escalation_read(cf, v, dept_check, arg,
		        &s->escalation[sev], cause) != 0)
			return -1;
	}
	if (hooks != NULL &&
	    alert_esc_hooks_read(cf, hooks, s, dept_check, arg, cause) != 0)
		return -1;
	return 0;
}

void
alert_escalation_settings_free(struct alert_settings *s)
{
	size_t i;

	for (i = 0; i < ALERT_SEV_COUNT; i++) {
		alert_escalation_free(s->escalation[i]);
		s->escalation[i] = NULL;
	}
	for (i = 0; i < s->nesc_hooks; i++) {
		free(s->esc_hooks[i].to);
		free(s->esc_hooks[i].url);
	}
	free(s->esc_hooks);
	s->esc_hooks = NULL;
	s->nesc_hooks = 0;
}

const struct alert_escalation *
alert_rules_escalation(const struct alert_rules *rs,
    const struct alert_rule *rule, enum alert_sev sev,
    struct alert_escalation *tmp, struct alert_esc_step *tmp_step)
{
	memset(tmp, 0, sizeof *tmp);
	if (rule != NULL && rule->escalation != NULL)
		return rule->escalation;
	if ((unsigned)sev >= ALERT_SEV_COUNT)
		return tmp;
	if (rs->settings.escalation[sev] != NULL)
		return rs->settings.escalation[sev];
	if (rs->settings.ack_within_ms[sev] > 0) {
		tmp_step->after_ms = rs->settings.ack_within_ms[sev];
		tmp_step->to = (char *)"role:supervisor";
		tmp->steps = tmp_step;
		tmp->nsteps = 1;
	}
	return tmp;
}

const char *
alert_rules_escalation_webhook(const struct alert_rules *rs, const char *to)
{
	const struct alert_settings *s = &rs->settings;
	size_t i;

	for (i = 0; i < s->nesc_hooks; i++) {
		if (strcmp(s->esc_hooks[i].to, to) == 0)
			return s->esc_hooks[i].url;
	}
	if (strcmp(to, "role:supervisor") == 0)
		return s->supervisors_webhook;
	if (strncmp(to, "dept:", 5) == 0)
		return alert_rules_webhook(rs, to + 5);
	return NULL;
}
