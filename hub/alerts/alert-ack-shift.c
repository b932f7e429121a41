/*
 * Acks carry the shift (issue 17): with "shifts" configured, an
 * acknowledgement made without "expires" lapses at the end of the shift
 * it was made in, so nothing stays acknowledged by someone who went home;
 * the operator who holds it (or a supervisor) extends it with the
 * "extend" action ({"expires": "2h"}, counted from now).
 */
#include "config.h"

#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/handover.h"

int64_t
alert_ack_shift_expiry(struct alert_engine *e, int64_t now)
{
	struct alert_shift_span cur, next;

	if (e->rules->nshifts == 0)
		return 0;
	alert_shifts_at(e->rules, now, &cur, &next);
	return cur.shift != NULL ? cur.to_ms : 0;
}

void
alert_action_extend(struct alert_engine *e, struct alert *a, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	int64_t now = alert_engine_now(e), d = 0, old;
	struct audit_actor ac;

	if (alert_body_duration(body, "expires", &d) != 1 || d <= 0) {
		alert_reply_error(r, 400,
		    "\"expires\": the new expiry from now, such as \"2h\"");
		return;
	}
	if (a->state != ALERT_ACKED) {
		alert_reply_error(r, 409, "%s is not acknowledged", a->id);
		return;
	}
	if (who->role < HUB_ROLE_SUPERVISOR &&
	    strcmp(a->ack.by, alert_actor_name(who)) != 0) {
		alert_reply_error(r, 403,
		    "acknowledged by %s: only they or a supervisor may extend "
		    "it",
		    a->ack.by);
		return;
	}
	old = a->ack.expires_ms;
	a->ack.expires_ms = now + d;
	alert_actor_audit(who, &ac);
	alert_engine_record(e, a, &ac, "extend",
	    json_pack("{s:I}", "expires_ms", (json_int_t)old),
	    json_pack("{s:I}", "expires_ms", (json_int_t)a->ack.expires_ms),
	    alert_body_str(body, "comment"));
	alert_engine_save(e, a);
	alert_reply_set(r, 200, NULL);
}
