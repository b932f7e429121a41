/*
 * Unit tests for the alert engine's clock-driven behaviour, without a
 * store: ack expiry, escalation and overdue timers on an injectable
 * clock, silences, and grouping with scope masking.
 */
#include "config.h"

#include <check.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-engine-util.h"

START_TEST(test_timers_expiry_escalation_overdue)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *a;
	char id[16], id2[16];

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	snprintf(id, sizeof id, "%s",
	    raise_event(e, "fire/" GRID1, GRID1, "high", "fire", NULL));
	snprintf(id2, sizeof id2, "%s",
	    raise_event(e, "fire/" GRID2, GRID2, "low", "fire", NULL));

	/* Ack with an expiry of 10 minutes. */
	json_decref(act(e, id, "expires", NULL, &op_lina, 404));
	json_decref(act(e, id, "ack", json_pack("{s:s}", "expires", "soon"),
	    &op_lina, 400));
	a = act(e, id, "ack",
	    json_pack("{s:s,s:s}", "comment", "looking", "expires", "10m"),
	    &op_lina, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(
	                     json_object_get(a, "ack"), "expires_ms")),
	    T0 + 10 * MIN);
	json_decref(a);
	test_now = T0 + 9 * MIN;
	alert_engine_tick(e);
	a = get_alert(e, id, &op_lina, 200);
	ck_assert_str_eq(jstr(a, "state"), "acknowledged");
	json_decref(a);
	test_now = T0 + 10 * MIN;
	alert_engine_tick(e);
	a = get_alert(e, id, &op_lina, 200);
	ck_assert_str_eq(jstr(a, "state"), "firing");
	ck_assert(json_is_null(json_object_get(a, "ack")));
	{
		json_t *h = json_array_get(json_object_get(a, "history"),
		    json_array_size(json_object_get(a, "history")) - 1);

		ck_assert_str_eq(jstr(h, "action"), "unack");
		ck_assert_str_eq(jstr(h, "via"), "timer");
		ck_assert_str_eq(jstr(h, "comment"), "acknowledgement expired");
	}
	ck_assert(!json_is_true(json_object_get(a, "escalated")));
	json_decref(a);

	/* Escalation: high unacknowledged for 15 minutes since the expiry;
	 * low never escalates (ack_within low = 0). */
	test_now = T0 + 24 * MIN;
	alert_engine_tick(e);
	a = get_alert(e, id, &op_lina, 200);
	ck_assert(!json_is_true(json_object_get(a, "escalated")));
	json_decref(a);
	test_now = T0 + 25 * MIN;
	alert_engine_tick(e);
	a = get_alert(e, id, &op_lina, 200);
	ck_assert(json_is_true(json_object_get(a, "escalated")));
	ck_assert_uint_eq(history_count(a, "escalate"), 1);
	json_decref(a);
	alert_engine_tick(e);
	a = get_alert(e, id, &op_lina, 200);
	ck_assert_uint_eq(history_count(a, "escalate"), 1);
	/* The escalation went to the supervisors' webhook (recorded). */
	{
		json_t *n = json_object_get(a, "notifications"), *x;
		size_t i, sup = 0;

		json_array_foreach(n, i, x)
		{
			if (strcmp(jstr(x, "kind"), "escalate") == 0 &&
			    strcmp(jstr(x, "url"), "http://127.0.0.1:1/sup") ==
			        0)
				sup++;
		}
		ck_assert_uint_eq(sup, 1);
	}
	json_decref(a);
	a = get_alert(e, id2, &op_lina, 200);
	ck_assert(!json_is_true(json_object_get(a, "escalated")));
	json_decref(a);

	/* Overdue: dispatched with a 1 h deadline. */
	json_decref(act(e, id2, "dispatch",
	    json_pack("{s:s,s:s}", "dept", "fire", "deadline", "1h"), &op_lina,
	    200));
	test_now = T0 + 25 * MIN + 59 * MIN;
	alert_engine_tick(e);
	a = get_alert(e, id2, &op_lina, 200);
	ck_assert(!json_is_true(json_object_get(a, "overdue")));
	json_decref(a);
	test_now = T0 + 25 * MIN + 60 * MIN;
	alert_engine_tick(e);
	a = get_alert(e, id2, &op_lina, 200);
	ck_assert(json_is_true(json_object_get(a, "overdue")));
	ck_assert_uint_eq(history_count(a, "overdue"), 1);
	json_decref(a);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_silences)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	struct alert_reply r;
	struct hub_alert_counts c;
	json_t *a, *body;
	char id[16], sid[16];

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	body = json_pack("{s:[{s:s,s:s,s:s}],s:s,s:s}", "matchers", "tag",
	    "rule", "op", "=~", "value", "pump.*", "reason", "maintenance",
	    "duration", "1h");
	alert_engine_silence_create(e, body, &op_lina, &r);
	json_decref(expect_status(&r, 403, "operator silence"));
	alert_engine_silence_create(e, body, &sup_zhang, &r);
	a = expect_status(&r, 201, "silence");
	snprintf(sid, sizeof sid, "%s", jstr(a, "id"));
	ck_assert_str_eq(jstr(a, "author"), "zhangwei");
	ck_assert(json_is_true(json_object_get(a, "active")));
	json_decref(a);
	json_decref(body);

	snprintf(id, sizeof id, "%s",
	    raise_event(e, "pump/" GRID1, GRID1, "high", "water", &op_lina));
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert(json_is_true(json_object_get(a, "silenced")));
	ck_assert_str_eq(jstr(a, "silence"), sid);
	/* Recorded, but not notified. */
	ck_assert_uint_eq(
	    json_array_size(json_object_get(a, "notifications")), 0);
	json_decref(a);
	raise_event(e, "fire/" GRID1, GRID1, "high", "fire", NULL);
	alert_engine_counts(e, NULL, NULL, &c);
	ck_assert_uint_eq(c.high, 1);
	a = list_alerts(e, NULL, &sup_zhang, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "total")), 2);
	json_decref(a);

	/* No escalation while silenced. */
	test_now = T0 + 30 * MIN;
	alert_engine_tick(e);
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert(!json_is_true(json_object_get(a, "escalated")));
	json_decref(a);

	alert_engine_silence_list(e, 0, &op_lina, &r);
	ck_assert_uint_eq(
	    json_array_size(json_object_get(r.body, "silences")), 1);
	json_decref(r.body);
	alert_engine_silence_delete(e, sid, &op_lina, &r);
	json_decref(expect_status(&r, 403, "operator delete"));
	alert_engine_silence_delete(e, "S999999", &sup_zhang, &r);
	json_decref(expect_status(&r, 404, "unknown silence"));
	alert_engine_silence_delete(e, sid, &sup_zhang, &r);
	a = expect_status(&r, 200, "delete");
	ck_assert(json_is_false(json_object_get(a, "active")));
	json_decref(a);
	alert_engine_silence_delete(e, sid, &sup_zhang, &r);
	a = expect_status(&r, 409, "delete twice");
	ck_assert_ptr_nonnull(
	    strstr(jstr(a, "error"), "already deleted by zhangwei"));
	json_decref(a);
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert(!json_is_true(json_object_get(a, "silenced")));
	json_decref(a);
	alert_engine_silence_list(e, 0, &sup_zhang, &r);
	ck_assert_uint_eq(
	    json_array_size(json_object_get(r.body, "silences")), 0);
	json_decref(r.body);
	alert_engine_silence_list(e, 1, &sup_zhang, &r);
	ck_assert_uint_eq(
	    json_array_size(json_object_get(r.body, "silences")), 1);
	json_decref(r.body);

	/* A silence in the future and one that expires by the clock. */
	body = json_pack("{s:[{s:s,s:s}],s:s,s:I,s:I}", "matchers", "tag",
	    "grid", "value", GRID1, "reason", "drill", "start",
	    (json_int_t)(test_now + MIN), "end",
	    (json_int_t)(test_now + 2 * MIN));
	alert_engine_silence_create(e, body, &sup_zhang, &r);
	json_decref(expect_status(&r, 201, "future silence"));
	json_decref(body);
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert(!json_is_true(json_object_get(a, "silenced")));
	json_decref(a);
	test_now += MIN;
	alert_engine_tick(e);
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert(json_is_true(json_object_get(a, "silenced")));
	json_decref(a);
	test_now += MIN;
	alert_engine_tick(e);
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert(!json_is_true(json_object_get(a, "silenced")));
	json_decref(a);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_grouping_and_masking)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *l, *g, *a;
	char key[64];
	int i;

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	/* Four grids of community 003 raise "fire"; one in 004; one in
	 * another subdistrict. */
	for (i = 1; i <= 4; i++) {
		snprintf(key, sizeof key, "fire/44030400100300%d", i);
		raise_event(e, key, key + 5, "high", "fire", NULL);
	}
	raise_event(e, "fire/" GRID3, GRID3, "medium", "fire", NULL);
	raise_event(e, "fire/" GRID9, GRID9, "high", "fire", NULL);
	{
		struct hub_alert_counts c;

		alert_engine_counts(e, NULL, NULL, &c);
		ck_assert_uint_eq(c.high, 5);
		ck_assert_uint_eq(c.medium, 1);
		alert_engine_counts(e, "440304000000", NULL, &c);
		ck_assert_uint_eq(c.high + c.medium, 6);
		alert_engine_counts(e, "440304001000", NULL, &c);
		ck_assert_uint_eq(c.high, 4);
		ck_assert_uint_eq(c.medium, 1);
		alert_engine_counts(e, "440304001003", NULL, &c);
		ck_assert_uint_eq(c.high, 4);
		ck_assert_uint_eq(c.medium, 0);
		alert_engine_counts(e, GRID3, NULL, &c);
		ck_assert_uint_eq(c.medium, 1);
		alert_engine_counts(e, "440304003000", NULL, &c);
		ck_assert_uint_eq(c.high + c.medium + c.low, 0);
		alert_engine_counts(e, NULL, "fire-iot", &c);
		ck_assert_uint_eq(c.high, 5);
		alert_engine_counts(e, "440304002000", "fire-iot", &c);
		ck_assert_uint_eq(c.high, 1);
		alert_engine_counts(e, NULL, "water-iot", &c);
		ck_assert_uint_eq(c.high, 0);
	}
	l = list_alerts(e, NULL, &sup_zhang, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "total")), 6);
	g = json_object_get(l, "groups");
	ck_assert_uint_eq(json_array_size(g), 1);
	/* 5 alerts in subdistrict 001 over two communities: one group of
	 * the subdistrict. */
	ck_assert_str_eq(
	    jstr(json_array_get(g, 0), "key"), "fire/440304001000");
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_array_get(g, 0), "count")),
	    5);
	ck_assert_str_eq(jstr(json_array_get(g, 0), "severity"), "high");
	/* Most severe first. */
	a = json_array_get(json_object_get(l, "alerts"), 5);
	ck_assert_str_eq(jstr(a, "severity"), "medium");
	json_decref(l);

	/* Scope masking: wang (subdistrict 002's community 001) sees one. */
	l = list_alerts(e, NULL, &op_wang, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "total")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(l, "groups")), 0);
	json_decref(l);
	l = list_alerts(e, NULL, &op_lina, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "total")), 5);
	json_decref(l);

	/* One community only: the group is the community. */
	json_decref(act(e, "A000005", "close",
	    json_pack("{s:s}", "reason", "x"), &op_lina, 200));
	json_decref(get_alert(e, "A000005", &op_lina, 200));
	{
		struct hub_alert_counts c;

		alert_engine_counts(e, "440304001000", NULL, &c);
		ck_assert_uint_eq(c.medium, 0); /* the cache saw the close */
	}
	l = list_alerts(e, NULL, &op_lina, 1);
	g = json_object_get(l, "groups");
	ck_assert_uint_eq(json_array_size(g), 1);
	ck_assert_str_eq(
	    jstr(json_array_get(g, 0), "key"), "fire/440304001003");
	ck_assert_str_eq(jstr(json_array_get(g, 0), "place"), "P:440304001003");
	json_decref(l);
	a = get_alert(e, "A000001", &op_lina, 200);
	ck_assert_str_eq(jstr(a, "group"), "fire/440304001003");
	json_decref(a);
	l = list_alerts(e, "closed", &op_lina, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "total")), 1);
	json_decref(l);
	l = list_alerts(e, "all", &sup_zhang, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "total")), 6);
	json_decref(l);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

/* Rules whose selector does not compile, set on a running engine: logged,
 * the engine goes on evaluating the others (once a double free of the
 * compile error's message). */
START_TEST(test_set_rules_bad_selector_running)
{
	static const char two[] =
	    "{\"departments\": {\"water\": {}},\n"
	    " \"rules\": [\n"
	    "  {\"name\": \"high\", \"selector\": \"water_level_m\",\n"
	    "   \"agg\": \"max\", \"window\": \"5m\", \"op\": \">\",\n"
	    "   \"threshold\": 4.5, \"severity\": \"high\"},\n"
	    "  {\"name\": \"low\", \"selector\": \"water_level_m\",\n"
	    "   \"agg\": \"min\", \"window\": \"5m\", \"op\": \"<\",\n"
	    "   \"threshold\": 0.5, \"severity\": \"low\"}]}\n";
	struct event_base *base = event_base_new();
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	struct alert_rules *r;
	char *cause = NULL;

	test_now = T0;
	e = test_engine(kv, two, base);
	ck_assert_msg(alert_engine_start(e, &cause) == 0, "%s", cause);
	r = alert_rules_parse(
	    "rules.json", two, strlen(two), test_dept_check, NULL, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	/* What the load-time check would refuse, as if it had slipped by. */
	free(r->rules[1].selector);
	r->rules[1].selector = xstrdup("water_level_m{grid=");
	alert_engine_set_rules(e, r);
	ck_assert_int_eq(alert_engine_eval(e), 0);
	alert_engine_free(e);
	alert_kv_free(kv);
	event_base_free(base);
}
END_TEST

static Suite *
timers_suite(void)
{
	Suite *s = suite_create("alert-timers");
	TCase *tc = tcase_create("timers");

	tcase_add_test(tc, test_timers_expiry_escalation_overdue);
	tcase_add_test(tc, test_silences);
	tcase_add_test(tc, test_grouping_and_masking);
	tcase_add_test(tc, test_set_rules_bad_selector_running);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(timers_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
