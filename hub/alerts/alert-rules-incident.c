/* The "incident" member of an alert rule: reading and checking it. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-rules-incident.h"
#include "lib/xmalloc.h"

static const struct conf_field incident_fields[] = {
    {"group", CONF_STRING, 1, offsetof(struct alert_incident_conf, group), 0,
        0},
    {"window", CONF_DURATION, 0,
        offsetof(struct alert_incident_conf, window_ms), 0, 0},
    {"title", CONF_STRING, 0, offsetof(struct alert_incident_conf, title), 0,
        0},
    {"lead", CONF_STRING, 0, offsetof(struct alert_incident_conf, lead), 0, 0},
    {"deadline", CONF_DURATION, 0,
        offsetof(struct alert_incident_conf, deadline_ms), 0, 0},
    {"name", CONF_STRING, 0, offsetof(struct alert_incident_conf, name), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const char *const incident_groups[] = {
    "grid", "community", "subdistrict", "district", NULL};

int
alert_rules_incident_read(struct conf_file *cf, json_t *obj,
    alert_dept_check_fn dept_check, void *arg, struct alert_incident_conf **out,
    char **cause)
{
	struct alert_incident_conf *c = xcalloc(1, sizeof *c);
	char err[160];
	size_t i;

	*out = NULL;
	c->window_ms = -1;
	c->deadline_ms = -1;
	if (conf_object_read(cf, obj, incident_fields, c, cause) != 0)
		goto fail;
	for (i = 0; incident_groups[i] != NULL; i++) {
		if (strcmp(c->group, incident_groups[i]) == 0)
			break;
	}
	if (incident_groups[i] == NULL) {
		*cause = conf_error(cf, obj, "group", 0,
		    "expected \"grid\", \"community\", \"subdistrict\" or "
		    "\"district\"");
		goto fail;
	}
	if (c->window_ms == 0) {
		*cause = conf_error(cf, obj, "window", 0,
		    "expected a duration above zero such as \"30m\"");
		goto fail;
	}
	if (c->window_ms < 0)
		c->window_ms = ALERT_INCIDENT_WINDOW_MS;
	if (c->deadline_ms < 0)
		c->deadline_ms = 0;
	if (c->title != NULL &&
	    alert_template_check(c->title, err, sizeof err) != 0) {
		*cause = conf_error(cf, obj, "title", 0, "%s", err);
		goto fail;
	}
	if (c->title == NULL)
		c->title = xstrdup("{rule} in {place}");
	if (c->lead != NULL && dept_check != NULL &&
	    dept_check(arg, c->lead) != 0) {
		*cause = conf_error(
		    cf, obj, "lead", 0, "unknown department \"%s\"", c->lead);
		goto fail;
	}
	*out = c;
	return 0;
fail:
	alert_rules_incident_free(c);
	return -1;
}

void
alert_rules_incident_free(struct alert_incident_conf *c)
{
	if (c == NULL)
		return;
	free(c->group);
	free(c->title);
	free(c->lead);
	free(c->name);
	free(c);
}
