/*
 * A rule's "incident" (issue 17), read with the rules file:
 *   "incident": {"group": "subdistrict", "window": "30m",
 *                "title": "暴雨内涝 {place}", "lead": "emergency",
 *                "deadline": "4h", "name": "flood"}
 * A firing alert of the rule joins the open incident of its place at
 * "group" level (grid, community, subdistrict or district) that an alert
 * joined less than "window" ago (default 30 min), else opens one titled
 * "title" (a message template; {place} is the group's place; default
 * "{rule} in {place}").  "lead" (default the rule's dept) leads it;
 * "deadline" (default the rule's deadline) is its time limit once
 * dispatched.  Rules with the same "name" (default none) share incidents:
 * a rule named otherwise never joins them.  Internal to alert-rules.c and
 * incident.c.
 */
#ifndef CB_HUB_ALERT_RULES_INCIDENT_H
#define CB_HUB_ALERT_RULES_INCIDENT_H

#include <stdint.h>

#include <jansson.h>

#include "hub/alerts/alert-rules.h"
#include "lib/conf.h"

struct alert_incident_conf {
	char *group; /* "grid", "community", "subdistrict", "district" */
	int64_t window_ms;
	char *title;         /* template */
	char *lead;          /* NULL: the rule's dept */
	int64_t deadline_ms; /* 0: the rule's deadline */
	char *name;          /* kind of situation, or NULL */
};

#define ALERT_INCIDENT_WINDOW_MS (30 * 60 * 1000LL)

/* Read the "incident" object obj (borrowed) into *out (heap).  0, or -1
 * with *cause naming file:line:column. */
int alert_rules_incident_read(struct conf_file *cf, json_t *obj,
    alert_dept_check_fn dept_check, void *arg, struct alert_incident_conf **out,
    char **cause);
void alert_rules_incident_free(struct alert_incident_conf *c);

#endif
