/*
 * The case categories of the rules file (issue 17, "Cases"):
 *
 *   "case_categories": [
 *     {"id": "street-vending", "name": "乱堆放/乱摆卖", "code": "10020033",
 *      "dept": "city-management", "support": ["market"],
 *      "time_limit": "72h", "severity": "medium",
 *      "escalation": [{"after": "30m", "to": "desk:dispatch"}]}
 *   ]
 *
 * A case whose category names one (by id, name or code, exactly) is
 * dispatched at once to its lead ("dept") and supporting departments with
 * the deadline time_limit (default: the settings' "deadline", 72 h); any
 * other case waits in the dispatch desk's queue.  Read with the rules
 * (alert-rules.c), so errors name file:line:column.
 */
#ifndef CB_HUB_CASE_CATEGORIES_H
#define CB_HUB_CASE_CATEGORIES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/alerts/alert-rules.h"
#include "lib/conf.h"

struct case_category {
	char *id;       /* [a-z0-9-], unique */
	char *name;     /* the district's name (UTF-8), unique, or NULL */
	char *code;     /* the district's category code, or NULL */
	char *dept;     /* lead department */
	char **support; /* NULL-terminated, may be empty */
	int64_t time_limit_ms;
	enum alert_sev severity; /* default medium */
	/* "escalation" (alert-rules-escalation.h's steps): the chain of
	 * this category's cases, before their severity's; NULL: none. */
	struct alert_escalation *escalation;
};

/* Read the "case_categories" array arr (borrowed) into rs (its settings
 * already read: the default time limit).  0, or -1 with *cause naming
 * file:line:column. */
int case_categories_read(struct conf_file *cf, json_t *arr,
    struct alert_rules *rs, alert_dept_check_fn dept_check, void *arg,
    char **cause);
void case_categories_free(struct alert_rules *rs);

/* The category that text names (id, name or code, exactly), or NULL. */
const struct case_category *case_categories_find(
    const struct alert_rules *rs, const char *text);

/* {"categories": [{"id", "name", "code", "dept", "support",
 * "time_limit_ms", "severity", "escalation"?}]} (new reference). */
json_t *case_categories_json(const struct alert_rules *rs);
/* The chain of a case whose "category" label is cat, when its category
 * has one of its own; else NULL (the severity's chain applies). */
const struct alert_escalation *case_categories_escalation(
    const struct alert_rules *rs, const char *cat);

#endif
