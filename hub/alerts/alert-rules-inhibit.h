/*
 * A rule's "inhibits" (issue 17), read with the rules file:
 *   "inhibits": [{"rules": ["water-level-warning"], "scope": "same"},
 *                {"scope": "below"}]
 * An entry names the rules whose alerts a firing alert of this rule
 * inhibits, or, without "rules", the alerts of lower severity for the same
 * metric; "scope" is "same" (the same place, the default) or "below" (the
 * same place or any place under it).  Internal to alert-rules.c.
 */
#ifndef CB_HUB_ALERT_RULES_INHIBIT_H
#define CB_HUB_ALERT_RULES_INHIBIT_H

#include <jansson.h>

#include "hub/alerts/alert-rules.h"
#include "lib/conf.h"

/* Read the "inhibits" array arr (borrowed) into out.  0, or -1 with
 * *cause naming file:line:column. */
int alert_rules_inhibits_read(
    struct conf_file *cf, json_t *arr, struct alert_rule *out, char **cause);
/* Once every rule is read: each named rule exists (rules is the file's
 * "rules" array, for positions); counts rs->ninhibiting.  0 or -1. */
int alert_rules_inhibits_check(
    struct conf_file *cf, json_t *rules, struct alert_rules *rs, char **cause);
/* Free r's inhibits (r itself is not freed). */
void alert_rules_inhibits_free(struct alert_rule *r);

#endif
