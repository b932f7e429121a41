/*
 * Escalation chains (issue 17), read with the rules file:
 *   "settings": {"escalation": {"high": [
 *                  {"after": "15m", "to": "desk:dispatch"},
 *                  {"after": "1h", "to": "role:supervisor"},
 *                  {"after": "4h", "to": "dept:emergency"}]},
 *                "escalation_webhooks": {"desk:dispatch": "http://..."}}
 *   a rule's "escalation": [...] (the same list; [] never escalates).
 * A target is desk:ID, role:viewer|operator|supervisor|admin or dept:ID (a
 * known department).  Steps' "after" strictly increase; at most
 * ALERT_ESC_MAX steps.  Internal to the rules loader (and to any loader
 * of a table with chains of its own).
 */
#ifndef CB_HUB_ALERT_RULES_ESCALATION_H
#define CB_HUB_ALERT_RULES_ESCALATION_H

#include <jansson.h>

#include "hub/alerts/alert-rules.h"
#include "lib/conf.h"

#define ALERT_ESC_MAX 16

/* Read the chain arr (borrowed) into *out (heap; free with
 * alert_escalation_free).  0, or -1 with *cause naming file:line:col. */
int alert_escalation_read(struct conf_file *cf, json_t *arr,
    alert_dept_check_fn dept_check, void *arg, struct alert_escalation **out,
    char **cause);
/* Read settings' "escalation" and "escalation_webhooks" (settings is the
 * "settings" object, borrowed) into rs->settings.  0 or -1. */
int alert_escalation_settings_read(struct conf_file *cf, json_t *settings,
    struct alert_rules *rs, alert_dept_check_fn dept_check, void *arg,
    char **cause);
void alert_escalation_free(struct alert_escalation *c);
/* Free what alert_escalation_settings_read stored in s. */
void alert_escalation_settings_free(struct alert_settings *s);

#endif
