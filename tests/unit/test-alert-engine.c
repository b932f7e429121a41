/*
 * Unit tests for the alert engine without a store: events, every action
 * with its role and scope checks, 409 conflicts, joint dispatch, restart
 * persistence and the audit trail (timers, silences and grouping are in
 * test-alert-timers.c).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-engine-util.h"
#include "hub/alerts/audit.h"

START_TEST(test_event_lifecycle)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	struct alert_reply r;
	json_t *a, *body;
	char id1[16];

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	snprintf(id1, sizeof id1, "%s",
	    raise_event(
	        e, "fire/" GRID1 "/smoke-12", GRID1, "high", "fire", NULL));
	ck_assert_str_eq(id1, "A000001");
	a = get_alert(e, id1, &sup_zhang, 200);
	ck_assert_str_eq(jstr(a, "state"), "firing");
	ck_assert_str_eq(jstr(a, "source"), "event");
	ck_assert_str_eq(jstr(a, "rule"), "fire");
	ck_assert_str_eq(jstr(a, "severity"), "high");
	ck_assert_str_eq(jstr(a, "code"), GRID1);
	ck_assert_str_eq(jstr(a, "place"), "P:" GRID1);
	ck_assert_str_eq(jstr(a, "dept"), "fire");
	ck_assert_str_eq(
	    jstr(json_object_get(a, "labels"), "community"), "440304001003");
	ck_assert_str_eq(
	    jstr(json_object_get(a, "labels"), "subdistrict"), "440304001000");
	ck_assert_int_eq(json_integer_value(json_object_get(a, "deadline_ms")),
	    T0 + 72 * 60 * MIN);
	ck_assert_uint_eq(history_count(a, "fire"), 1);
	ck_assert_str_eq(
	    jstr(json_array_get(json_object_get(a, "history"), 0), "who"),
	    "fire-collector");
	json_decref(a);

	/* Raised again while active: the same alert. */
	ck_assert_str_eq(raise_event(e, "fire/" GRID1 "/smoke-12", GRID1,
	                     "high", "fire", NULL),
	    id1);

	/* Resolve, then raise within the flap window: reopened. */
	test_now += MIN;
	body = json_pack(
	    "{s:s,s:s}", "key", "fire/" GRID1 "/smoke-12", "state", "resolved");
	alert_engine_event(e, body, &collector, &r);
	json_decref(body);
	json_decref(expect_status(&r, 202, "resolve"));
	a = get_alert(e, id1, &sup_zhang, 200);
	ck_assert_str_eq(jstr(a, "state"), "resolved");
	json_decref(a);
	test_now += 5 * MIN;
	ck_assert_str_eq(raise_event(e, "fire/" GRID1 "/smoke-12", GRID1,
	                     "high", "fire", NULL),
	    id1);
	a = get_alert(e, id1, &sup_zhang, 200);
	ck_assert_str_eq(jstr(a, "state"), "firing");
	ck_assert_int_eq(json_integer_value(json_object_get(a, "flaps")), 1);
	ck_assert_uint_eq(history_count(a, "reopen"), 1);
	json_decref(a);

	/* Resolved and raised after the flap window: a new alert. */
	body = json_pack(
	    "{s:s,s:s}", "key", "fire/" GRID1 "/smoke-12", "state", "resolved");
	alert_engine_event(e, body, &collector, &r);
	json_decref(body);
	json_decref(r.body);
	test_now += 11 * MIN;
	ck_assert_str_eq(raise_event(e, "fire/" GRID1 "/smoke-12", GRID1,
	                     "high", "fire", NULL),
	    "A000002");

	/* Resolving what is not active is accepted quietly: 200, nothing
	 * changed (plugins say "resolved" on every quiet run). */
	body = json_pack("{s:s,s:s}", "key", "nope", "state", "resolved");
	alert_engine_event(e, body, &collector, &r);
	json_decref(body);
	a = expect_status(&r, 200, "resolve unknown");
	ck_assert(json_is_false(json_object_get(a, "changed")));
	json_decref(a);
	/* ... and so is resolving one already resolved. */
	body = json_pack(
	    "{s:s,s:s}", "key", "fire/" GRID1 "/smoke-12", "state", "resolved");
	alert_engine_event(e, body, &collector, &r);
	json_decref(body);
	json_decref(expect_status(&r, 202, "resolve active"));
	body = json_pack(
	    "{s:s,s:s}", "key", "fire/" GRID1 "/smoke-12", "state", "resolved");
	alert_engine_event(e, body, &collector, &r);
	json_decref(body);
	a = expect_status(&r, 200, "resolve resolved");
	ck_assert(json_is_false(json_object_get(a, "changed")));
	json_decref(a);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_event_validation_and_scope)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e = test_engine(kv, NULL, NULL);
	struct alert_reply r;
	json_t *body;
	size_t i;
	static const char *bad[] = {
	    "{\"severity\": \"high\"}",
	    "{\"key\": \"k\", \"state\": \"open\"}",
	    "{\"key\": \"k\", \"severity\": \"urgent\"}",
	    "{\"key\": \"k\", \"labels\": {\"grid\": 7}}",
	    "{\"key\": \"k\", \"labels\": {\"grid\": \"440304001999001\"}}",
	    "{\"key\": \"k\", \"dept\": \"army\"}",
	    "{\"key\": \"k\", \"deadline\": \"soon\"}",
	    "{\"key\": \"k\", \"value\": \"high\"}",
	    "[1, 2]",
	};

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		body = json_loads(bad[i], 0, NULL);
		alert_engine_event(e, body, &sup_zhang, &r);
		json_decref(body);
		json_decref(expect_status(&r, 400, bad[i]));
	}
	/* A collector token outside its systems. */
	body = json_pack("{s:s,s:{s:s,s:s}}", "key", "k", "labels", "grid",
	    GRID1, "system", "water-iot");
	alert_engine_event(e, body, &collector, &r);
	json_decref(expect_status(&r, 403, "token scope"));
	/* An operator outside their scope; a viewer. */
	alert_engine_event(e, body, &op_wang, &r);
	json_decref(expect_status(&r, 403, "operator scope"));
	alert_engine_event(e, body, &viewer_guo, &r);
	json_decref(expect_status(&r, 403, "viewer"));
	alert_engine_event(e, body, &op_lina, &r);
	json_decref(expect_status(&r, 202, "operator in scope"));
	json_decref(body);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_actions_roles_scopes_conflicts)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *a;
	char id[16];

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	snprintf(id, sizeof id, "%s",
	    raise_event(e, "fire/" GRID1, GRID1, "high", "fire", NULL));

	/* Reading: outside the scope is 404; a viewer may read. */
	json_decref(get_alert(e, id, &op_wang, 404));
	json_decref(get_alert(e, id, &viewer_guo, 200));
	json_decref(get_alert(e, "A999999", &sup_zhang, 404));
	json_decref(act(e, "A999999", "ack", NULL, &op_lina, 404));
	json_decref(act(e, id, "frobnicate", NULL, &op_lina, 404));

	/* Acting: a viewer lacks the role, wang is outside the scope (404:
	 * he cannot see it), an alert he can see but not act on is 403. */
	json_decref(act(e, id, "ack", NULL, &viewer_guo, 403));
	json_decref(act(e, id, "ack", NULL, &op_wang, 404));

	/* Acknowledge, then a second operator at the same time: 409. */
	test_now += MIN;
	a = act(e, id, "ack", json_pack("{s:s}", "comment", "on it"), &op_lina,
	    200);
	ck_assert_str_eq(jstr(a, "state"), "acknowledged");
	ck_assert_str_eq(jstr(json_object_get(a, "ack"), "by"), "lina");
	ck_assert_str_eq(jstr(json_object_get(a, "ack"), "comment"), "on it");
	json_decref(a);
	test_now += 1000;
	a = act(e, id, "ack", NULL, &op_chen, 409);
	ck_assert_str_eq(jstr(a, "by"), "lina");
	ck_assert_str_eq(jstr(a, "action"), "ack");
	ck_assert_int_eq(
	    json_integer_value(json_object_get(a, "at_ms")), T0 + MIN);
	ck_assert_str_eq(jstr(a, "error"),
	    "already acknowledged by lina at 2025-11-27T13:06:00Z");
	json_decref(a);

	/* Unack: someone else's ack needs a supervisor. */
	json_decref(act(e, id, "unack", NULL, &op_chen, 403));
	json_decref(act(e, id, "unack",
	    json_pack("{s:s}", "comment", "handover"), &sup_zhang, 200));
	json_decref(act(e, id, "unack", NULL, &op_lina, 409));
	json_decref(act(e, id, "ack", NULL, &op_chen, 200));
	json_decref(act(e, id, "unack", NULL, &op_chen, 200));

	/* Comments. */
	json_decref(act(e, id, "comment", NULL, &op_lina, 400));
	json_decref(act(e, id, "comment",
	    json_pack("{s:s}", "comment", "pump 3 started"), &op_lina, 200));

	/* Severity: supervisors only; the same level again is 409. */
	json_decref(act(e, id, "severity",
	    json_pack("{s:s}", "severity", "low"), &op_lina, 403));
	json_decref(act(e, id, "severity",
	    json_pack("{s:s}", "severity", "urgent"), &sup_zhang, 400));
	a = act(e, id, "severity", json_pack("{s:s}", "severity", "medium"),
	    &sup_zhang, 200);
	ck_assert_str_eq(jstr(a, "severity"), "medium");
	json_decref(a);
	json_decref(act(e, id, "severity",
	    json_pack("{s:s}", "severity", "medium"), &sup_zhang, 409));

	/* Optimistic concurrency with rev. */
	a = get_alert(e, id, &op_lina, 200);
	{
		json_int_t rev = json_integer_value(json_object_get(a, "rev"));

		json_decref(act(e, id, "comment",
		    json_pack("{s:s,s:I}", "comment", "a", "rev", rev),
		    &op_lina, 200));
		json_decref(act(e, id, "comment",
		    json_pack("{s:s,s:I}", "comment", "b", "rev", rev),
		    &op_chen, 409));
	}
	json_decref(a);

	/* Close: a reason is required; twice is a conflict; nothing else
	 * works on a closed alert. */
	json_decref(act(e, id, "close", NULL, &op_lina, 400));
	a = act(e, id, "close", json_pack("{s:s}", "reason", "false alarm"),
	    &op_lina, 200);
	ck_assert_str_eq(jstr(a, "state"), "closed");
	ck_assert_str_eq(jstr(a, "close_reason"), "false alarm");
	json_decref(a);
	a = act(
	    e, id, "close", json_pack("{s:s}", "reason", "x"), &op_chen, 409);
	ck_assert_ptr_nonnull(
	    strstr(jstr(a, "error"), "already closed by lina"));
	json_decref(a);
	json_decref(act(e, id, "ack", NULL, &op_chen, 409));
	json_decref(act(e, id, "comment", json_pack("{s:s}", "comment", "late"),
	    &op_chen, 200));

	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert_uint_eq(history_count(a, "ack"), 2);
	ck_assert_uint_eq(history_count(a, "unack"), 2);
	ck_assert_uint_eq(history_count(a, "comment"), 3);
	ck_assert_uint_eq(history_count(a, "close"), 1);
	ck_assert_uint_ge(json_array_size(json_object_get(a, "comments")), 5);
	{
		json_t *h = json_array_get(json_object_get(a, "history"), 1);

		ck_assert_str_eq(jstr(h, "action"), "ack");
		ck_assert_str_eq(jstr(h, "who"), "lina");
		ck_assert_str_eq(jstr(h, "via"), "uid");
		ck_assert_str_eq(jstr(h, "from"), "unix");
		ck_assert_str_eq(
		    jstr(json_object_get(h, "before"), "state"), "firing");
		ck_assert_str_eq(
		    jstr(json_object_get(h, "after"), "state"), "acknowledged");
	}
	json_decref(a);

	/* A district-wide alert (no place) is acted on from the district. */
	{
		struct alert_reply r;
		json_t *body =
		    json_pack("{s:s,s:s,s:{s:s}}", "key", "nagios/hub-db",
		        "severity", "medium", "labels", "system", "fire-iot");

		alert_engine_event(e, body, &collector, &r);
		json_decref(body);
		snprintf(id, sizeof id, "%s", jstr(r.body, "id"));
		json_decref(r.body);
		json_decref(get_alert(e, id, &op_wang, 200));
		json_decref(act(e, id, "ack", NULL, &op_wang, 403));
		json_decref(act(e, id, "ack", NULL, &sup_zhang, 200));
	}
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_joint_dispatch)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *a, *d;
	char id[16];

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	snprintf(id, sizeof id, "%s",
	    raise_event(e, "flood/" GRID1, GRID1, "high", NULL, &op_lina));
	json_decref(act(e, id, "dispatch", json_pack("{s:s}", "dept", "army"),
	    &op_lina, 400));
	json_decref(act(e, id, "dispatch",
	    json_pack("{s:s,s:[s]}", "dept", "water", "support", "navy"),
	    &op_lina, 400));
	a = act(e, id, "dispatch",
	    json_pack("{s:s,s:[s,s],s:s,s:s}", "dept", "water", "support",
	        "police", "emergency", "deadline", "2h", "comment",
	        "joint action"),
	    &op_lina, 200);
	d = json_object_get(a, "depts");
	ck_assert_uint_eq(json_array_size(d), 3);
	ck_assert_str_eq(jstr(json_array_get(d, 0), "dept"), "water");
	ck_assert_str_eq(jstr(json_array_get(d, 0), "role"), "lead");
	ck_assert_str_eq(jstr(json_array_get(d, 1), "role"), "support");
	ck_assert_str_eq(jstr(json_array_get(d, 2), "state"), "pending");
	ck_assert_uint_eq(
	    json_array_size(json_object_get(a, "depts_waiting")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "deadline_ms")),
	    T0 + 120 * MIN);
	json_decref(a);
	/* The same dispatch again: someone already did it. */
	a = act(e, id, "dispatch",
	    json_pack("{s:s,s:[s,s]}", "dept", "water", "support", "police",
	        "emergency"),
	    &op_chen, 409);
	ck_assert_ptr_nonnull(
	    strstr(jstr(a, "error"), "already dispatched to water by lina"));
	json_decref(a);

	/* Each department acknowledges and reports on its own part (issue
	 * 17): a supporting department's ack is its part only. */
	json_decref(act(
	    e, id, "ack", json_pack("{s:s}", "dept", "fire"), &op_lina, 400));
	a = act(e, id, "ack",
	    json_pack("{s:s,s:s}", "dept", "police", "comment", "cordon set"),
	    &op_police, 200);
	ck_assert_str_eq(jstr(a, "state"), "firing");
	ck_assert(json_is_null(json_object_get(a, "ack")));
	json_decref(a);
	a = act(e, id, "ack", json_pack("{s:s}", "dept", "police"), &op_police,
	    409);
	ck_assert_ptr_nonnull(
	    strstr(jstr(a, "error"), "police already acknowledged by sun"));
	json_decref(a);
	/* Another department's user, or one of none: 403, audited. */
	a = act(
	    e, id, "ack", json_pack("{s:s}", "dept", "water"), &op_police, 403);
	ck_assert_str_eq(jstr(a, "error"),
	    "water's part of A000001 is done by a user of water or a "
	    "supervisor; you (sun) are of police");
	json_decref(a);
	a = act(
	    e, id, "ack", json_pack("{s:s}", "dept", "water"), &op_lina, 403);
	ck_assert_str_eq(jstr(a, "error"),
	    "water's part of A000001 is done by a user of water or a "
	    "supervisor; you (lina) are of no department");
	json_decref(a);
	json_decref(act(e, id, "comment",
	    json_pack("{s:s,s:s}", "dept", "emergency", "comment", "x"),
	    &op_water, 403));
	ck_assert_uint_eq(audit_count(e, "alert.refused.ack", NULL), 2);
	ck_assert_uint_eq(audit_count(e, "alert.refused.report", NULL), 1);
	/* The lead's ack (its user's, without naming the part) acknowledges
	 * the alert. */
	a = act(e, id, "ack", NULL, &op_water, 200);
	ck_assert_str_eq(jstr(a, "state"), "acknowledged");
	ck_assert_str_eq(jstr(json_object_get(a, "ack"), "by"), "liu");
	json_decref(a);
	/* A supervisor may do any department's part. */
	a = act(e, id, "comment",
	    json_pack(
	        "{s:s,s:s}", "dept", "water", "comment", "pumps 1-3 running"),
	    &sup_zhang, 200);
	d = json_object_get(a, "depts");
	ck_assert_str_eq(jstr(json_array_get(d, 0), "state"), "reported");
	ck_assert_str_eq(jstr(json_array_get(d, 0), "by"), "zhangwei");
	ck_assert_str_eq(
	    jstr(json_array_get(d, 0), "report"), "pumps 1-3 running");
	ck_assert_str_eq(jstr(json_array_get(d, 1), "state"), "acknowledged");
	ck_assert_str_eq(jstr(json_array_get(d, 1), "by"), "sun");
	ck_assert_str_eq(jstr(json_array_get(d, 2), "state"), "pending");
	ck_assert_uint_eq(
	    json_array_size(json_object_get(a, "depts_waiting")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(
	                     json_object_get(a, "depts_waiting"), 0)),
	    "emergency");
	json_decref(a);

	/* Reassign: the lead changes, parts kept keep their state. */
	a = act(e, id, "dispatch",
	    json_pack("{s:s,s:[s]}", "dept", "emergency", "support", "police"),
	    &sup_zhang, 200);
	d = json_object_get(a, "depts");
	ck_assert_uint_eq(json_array_size(d), 2);
	ck_assert_str_eq(jstr(json_array_get(d, 0), "dept"), "emergency");
	ck_assert_str_eq(jstr(json_array_get(d, 1), "state"), "acknowledged");
	json_decref(a);

	/* A department with no part in an alert does not acknowledge it;
	 * the command center's operator (no department) does. */
	{
		char id2[16];

		snprintf(id2, sizeof id2, "%s",
		    raise_event(e, "fire/" GRID2, GRID2, "high", "fire", NULL));
		a = act(e, id2, "ack", NULL, &op_police, 403);
		ck_assert_str_eq(jstr(a, "error"),
		    "A000002 is dispatched to fire (lead), not to police: you "
		    "(sun) act only for police; the lead department (fire), "
		    "the command center or a supervisor acknowledges it");
		json_decref(a);
		a = act(e, id2, "ack", NULL, &op_lina, 200);
		ck_assert_str_eq(jstr(a, "state"), "acknowledged");
		json_decref(a);
	}

	/* Listing by department. */
	{
		struct alert_reply r;
		struct alert_filter f;

		memset(&f, 0, sizeof f);
		f.dept = "police";
		alert_engine_list(e, &f, &sup_zhang, &r);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(r.body, "total")), 1);
		json_decref(r.body);
		f.dept = "water";
		alert_engine_list(e, &f, &sup_zhang, &r);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(r.body, "total")), 0);
		json_decref(r.body);
	}
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_restart_keeps_everything)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	struct alert_reply r;
	json_t *a, *body;
	char id[16], id2[16];
	uint64_t head;

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	snprintf(id, sizeof id, "%s",
	    raise_event(e, "fire/" GRID1, GRID1, "high", "fire", NULL));
	snprintf(id2, sizeof id2, "%s",
	    raise_event(e, "fire/" GRID2, GRID2, "high", "fire", NULL));
	json_decref(act(e, id, "ack",
	    json_pack("{s:s,s:s}", "comment", "on it", "expires", "30m"),
	    &op_lina, 200));
	json_decref(act(e, id, "dispatch",
	    json_pack("{s:s,s:[s]}", "dept", "fire", "support", "police"),
	    &op_lina, 200));
	body = json_pack("{s:[{s:s,s:s}],s:s,s:s}", "matchers", "tag", "grid",
	    "value", GRID2, "reason", "test", "duration", "2h");
	alert_engine_silence_create(e, body, &sup_zhang, &r);
	json_decref(r.body);
	json_decref(body);
	head = audit_head_seq(alert_engine_audit(e));
	alert_engine_free(e);

	/* A restart: same state, timers included. */
	e = test_engine(kv, NULL, NULL);
	ck_assert_uint_eq(audit_head_seq(alert_engine_audit(e)), head);
	a = get_alert(e, id, &op_lina, 200);
	ck_assert_str_eq(jstr(a, "state"), "acknowledged");
	ck_assert_str_eq(jstr(json_object_get(a, "ack"), "comment"), "on it");
	ck_assert_uint_eq(json_array_size(json_object_get(a, "depts")), 2);
	json_decref(a);
	a = get_alert(e, id2, &op_lina, 200);
	ck_assert(json_is_true(json_object_get(a, "silenced")));
	json_decref(a);
	/* The second operator still gets 409 after the restart. */
	json_decref(act(e, id, "ack", NULL, &op_chen, 409));
	test_now = T0 + 31 * MIN;
	alert_engine_tick(e);
	a = get_alert(e, id, &op_lina, 200);
	ck_assert_str_eq(jstr(a, "state"), "firing");
	json_decref(a);
	/* Ids continue. */
	ck_assert_str_eq(
	    raise_event(e, "fire/" GRID3, GRID3, "high", "fire", NULL),
	    "A000003");
	body = json_pack("{s:[{s:s,s:s}],s:s,s:s}", "matchers", "tag", "grid",
	    "value", GRID3, "reason", "t2", "duration", "1h");
	alert_engine_silence_create(e, body, &sup_zhang, &r);
	ck_assert_str_eq(jstr(r.body, "id"), "S000002");
	json_decref(r.body);
	json_decref(body);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_audit_trail_of_actions)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *arr, *x;
	uint64_t next;
	char *cause = NULL, id[16];
	size_t i, acks = 0;

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	snprintf(id, sizeof id, "%s",
	    raise_event(e, "fire/" GRID1, GRID1, "high", "fire", NULL));
	json_decref(act(
	    e, id, "ack", json_pack("{s:s}", "comment", "ok"), &op_chen, 200));
	arr = json_array();
	ck_assert_int_eq(audit_read(alert_engine_audit(e), 1, 100, NULL, NULL,
	                     arr, &next, &cause),
	    0);
	json_array_foreach(arr, i, x)
	{
		if (strcmp(jstr(x, "action"), "alert.ack") != 0)
			continue;
		acks++;
		ck_assert_str_eq(jstr(x, "who"), "chen");
		ck_assert_str_eq(jstr(x, "via"), "token");
		ck_assert_str_eq(jstr(x, "token"), "chen-tok");
		ck_assert_str_eq(jstr(x, "from"), "10.0.0.5:40000");
		ck_assert_str_eq(jstr(x, "target"), id);
		ck_assert_str_eq(jstr(x, "code"), GRID1);
		ck_assert_str_eq(jstr(x, "comment"), "ok");
		ck_assert_str_eq(
		    jstr(json_object_get(x, "before"), "state"), "firing");
		ck_assert_str_eq(
		    jstr(json_object_get(x, "after"), "state"), "acknowledged");
	}
	ck_assert_uint_eq(acks, 1);
	x = json_array_get(arr, 0);
	ck_assert_str_eq(jstr(x, "action"), "alert.fire");
	ck_assert_str_eq(jstr(x, "who"), "fire-collector");
	json_decref(arr);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

/* The audit vouches for the records: the ack author edited in the stored
 * alert record (not through an action) breaks verification, now and at
 * the next start. */
START_TEST(test_audit_covers_records)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	struct audit_verify_result res;
	char *cause = NULL, id[16], *val = NULL, *p;
	const char *reason = NULL;
	uint64_t bad = 0;
	size_t len;

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	snprintf(id, sizeof id, "%s",
	    raise_event(e, "fire/" GRID1, GRID1, "high", "fire", NULL));
	json_decref(act(
	    e, id, "ack", json_pack("{s:s}", "comment", "ok"), &op_chen, 200));
	ck_assert_int_eq(alert_engine_audit_verify(e, &res, &cause), 0);
	ck_assert_msg(res.ok, "%s", res.reason);
	ck_assert_uint_ge(res.records, 1);
	ck_assert_int_eq(alert_engine_audit_status(e, NULL, NULL), 1);
	alert_engine_free(e);

	ck_assert_int_eq(
	    alert_kv_get(kv, "alert/000000000001", &val, &len, &cause), 1);
	p = strstr(val, "\"by\":\"chen\"");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "\"by\":\"wang\"", 11);
	ck_assert_int_eq(
	    alert_kv_memory_poke(kv, "alert/000000000001", val), 0);
	free(val);

	e = test_engine(kv, NULL, NULL);
	ck_assert_int_eq(alert_engine_audit_status(e, &reason, &bad), 0);
	ck_assert_msg(
	    strstr(reason, "record alert/000000000001 differs") != NULL, "%s",
	    reason);
	ck_assert_int_eq(alert_engine_audit_verify(e, &res, &cause), 0);
	ck_assert(!res.ok);
	ck_assert_uint_eq(res.first_bad, bad);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

static Suite *
engine_suite(void)
{
	Suite *s = suite_create("alert-engine");
	TCase *tc = tcase_create("engine");

	tcase_add_test(tc, test_event_lifecycle);
	tcase_add_test(tc, test_event_validation_and_scope);
	tcase_add_test(tc, test_actions_roles_scopes_conflicts);
	tcase_add_test(tc, test_joint_dispatch);
	tcase_add_test(tc, test_restart_keeps_everything);
	tcase_add_test(tc, test_audit_trail_of_actions);
	tcase_add_test(tc, test_audit_covers_records);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(engine_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
