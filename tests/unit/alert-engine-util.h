/*
 * Helpers shared by the alert engine's unit tests (test-alert-engine.c,
 * test-alert-timers.c): grid codes, raising an event, acting on an alert
 * with an expected status, listing, and checking the audit chain.
 */
#ifndef CB_TESTS_ALERT_ENGINE_UTIL_H
#define CB_TESTS_ALERT_ENGINE_UTIL_H

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "alert-test-util.h"
#include "hub/alerts/audit.h"

#define GRID1 "440304001003007" /* subdistrict 001, community 003 */
#define GRID2 "440304001003008"
#define GRID3 "440304001004001" /* same subdistrict, community 004 */
#define GRID9 "440304002001001" /* subdistrict 002 */

/* Raise an event; returns the alert id (static buffer). */
static inline const char *
raise_event(struct alert_engine *e, const char *key, const char *grid,
    const char *sev, const char *dept, const struct alert_actor *who)
{
	static char id[16];
	struct alert_reply r;
	json_t *body = json_pack("{s:s,s:s,s:{s:s,s:s},s:s}", "key", key,
	    "severity", sev, "labels", "grid", grid, "system", "fire-iot",
	    "message", "smoke detector in alarm");

	if (dept != NULL)
		json_object_set_new(body, "dept", json_string(dept));
	alert_engine_event(e, body, who != NULL ? who : &collector, &r);
	json_decref(body);
	expect_status(&r, 202, "event");
	snprintf(id, sizeof id, "%s", jstr(r.body, "id"));
	json_decref(r.body);
	return id;
}

static inline json_t *
act(struct alert_engine *e, const char *id, const char *action, json_t *body,
    const struct alert_actor *who, int status)
{
	struct alert_reply r;
	char what[64];

	snprintf(what, sizeof what, "%s %s by %s", action, id, who->who);
	alert_engine_action(e, id, action, body, who, &r);
	json_decref(body);
	return expect_status(&r, status, what);
}

static inline json_t *
get_alert(struct alert_engine *e, const char *id, const struct alert_actor *who,
    int status)
{
	struct alert_reply r;

	alert_engine_get(e, id, who, &r);
	return expect_status(&r, status, "get");
}

static inline json_t *
list_alerts(struct alert_engine *e, const char *state,
    const struct alert_actor *who, int group)
{
	struct alert_reply r;
	struct alert_filter f;

	memset(&f, 0, sizeof f);
	f.state = state;
	f.group = group;
	alert_engine_list(e, &f, who, &r);
	return expect_status(&r, 200, "list");
}

static inline size_t
history_count(json_t *a, const char *action)
{
	json_t *h;
	size_t i, n = 0;

	json_array_foreach(json_object_get(a, "history"), i, h)
	{
		if (strcmp(jstr(h, "action"), action) == 0)
			n++;
	}
	return n;
}

/* How many audit entries have action (and target, if not NULL)? */
static inline size_t
audit_count(struct alert_engine *e, const char *action, const char *target)
{
	json_t *arr = json_array(), *x;
	uint64_t next;
	char *cause = NULL;
	size_t i, n = 0;

	ck_assert_int_eq(audit_read(alert_engine_audit(e), 1, 1000, NULL, NULL,
	                     arr, &next, &cause),
	    0);
	json_array_foreach(arr, i, x)
	{
		if (strcmp(jstr(x, "action"), action) == 0 &&
		    (target == NULL || strcmp(jstr(x, "target"), target) == 0))
			n++;
	}
	json_decref(arr);
	return n;
}

static inline void
audit_ok(struct alert_engine *e)
{
	struct audit_verify_result res;
	char *cause = NULL;

	ck_assert_int_eq(audit_verify(alert_engine_audit(e), &res, &cause), 0);
	ck_assert_msg(res.ok, "audit: %s at %llu", res.reason,
	    (unsigned long long)res.first_bad);
}

#endif
