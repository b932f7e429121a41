/*
 * Departments' parts of a joint alert (issue 17): a department's part (its
 * ack, its report) is done by a user of that department or by a
 * supervisor; anyone else is refused (403) and the refusal is audited
 * ("alert.refused.ACTION").  A supporting department's ack is its part
 * only; the lead department's ack acknowledges the alert.  An ack without
 * "dept" is the caller's department's part when that is dispatched on
 * the alert; else the whole alert's, which users of no department (the
 * command center's operators) and supervisors may give, and a user of a
 * department with no part in a dispatched alert may not.
 */
#include "config.h"

#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

/* "water (lead), police" into b. */
static void
alert_dept_part_list(const struct alert *a, struct buf *b)
{
	size_t i;

	for (i = 0; i < a->ndepts; i++)
		buf_printf(b, "%s%s%s", i > 0 ? ", " : "", a->depts[i].dept,
		    a->depts[i].lead ? " (lead)" : "");
}

/* 403 with msg (taken), audited as alert.refused.ACTION about a. */
static void
alert_dept_part_refuse(struct alert_engine *e, struct alert *a,
    const struct alert_actor *who, const char *action, const char *dept,
    char *msg, struct alert_reply *r)
{
	char *act = xasprintf("alert.refused.%s", action);

	alert_engine_audit_note(e, who, act, a->id, a->code, NULL,
	    json_pack("{s:s?,s:s?,s:s}", "dept", dept, "user_dept", who->dept,
	        "role", hub_role_name(who->role)),
	    msg);
	free(act);
	alert_reply_error(r, 403, "%s", msg);
	free(msg);
}

int
alert_dept_part_check(struct alert_engine *e, struct alert *a,
    const struct alert_actor *who, const char *action, const char **dept,
    struct alert_reply *r)
{
	const struct alert_dept *part;
	struct buf b;
	const char *lead;

	if (*dept == NULL && strcmp(action, "ack") == 0 && a->ndepts > 0 &&
	    who->dept != NULL && alert_dept_find(a, who->dept) != NULL)
		*dept = who->dept; /* the caller's own part */
	if (*dept != NULL) {
		part = alert_dept_find(a, *dept);
		if (part == NULL || who->role >= HUB_ROLE_SUPERVISOR ||
		    (who->dept != NULL && strcmp(who->dept, *dept) == 0))
			return 0; /* unknown parts: the action's 400 */
		alert_dept_part_refuse(e, a, who, action, *dept,
		    xasprintf("%s's part of %s is done by a user of %s or a "
		              "supervisor; you (%s) are %s%s",
		        *dept, a->id, *dept, alert_actor_name(who),
		        who->dept != NULL ? "of " : "of no department",
		        who->dept != NULL ? who->dept : ""),
		    r);
		return -1;
	}
	/* The whole alert: the command center's operators (users of no
	 * department) and supervisors acknowledge it; a department's user
	 * only through its department's part. */
	if (strcmp(action, "ack") != 0 || a->ndepts == 0 || who->dept == NULL ||
	    who->role >= HUB_ROLE_SUPERVISOR)
		return 0;
	lead = alert_lead_dept(a);
	buf_init(&b);
	alert_dept_part_list(a, &b);
	alert_dept_part_refuse(e, a, who, action, NULL,
	    xasprintf("%s is dispatched to %s, not to %s: you (%s) act "
	              "only for %s; the lead department (%s), the command "
	              "center or a supervisor acknowledges it",
	        a->id, buf_str(&b), who->dept, alert_actor_name(who), who->dept,
	        lead != NULL ? lead : "none"),
	    r);
	buf_free(&b);
	return -1;
}
