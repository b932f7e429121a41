/*
 * Unit tests for rule evaluation against a real store in a temporary
 * directory, on synthetic data and an injectable clock: a threshold rule
 * that goes pending, fires after its "for", holds by hysteresis, resolves,
 * flaps (reopened within the flap window); a spike that never lasts; an
 * ungrouped sum; absence rules; and a restart with the state in the
 * store's meta column family.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert-test-util.h"
#include "hub/alerts/audit.h"
#include "store/store.h"

#define G1 "440304001003007"
#define G2 "440304001003008"
#define G3 "440304001004001"

static const char rules[] =
    "{\"settings\": {\"flap_window\": \"10m\"},\n"
    " \"departments\": {\"water\": {}},\n"
    " \"rules\": [\n"
    "  {\"name\": \"water-level-high\", \"selector\": \"water_level_m\",\n"
    "   \"agg\": \"max\", \"window\": \"5m\", \"op\": \">\",\n"
    "   \"threshold\": 4.5, \"clear\": 4.3, \"for\": \"2m\",\n"
    "   \"by\": [\"grid\"], \"severity\": \"high\", \"dept\": \"water\",\n"
    "   \"support\": [\"police\"],\n"
    "   \"message\": \"water level {value:.2f} m > {threshold} m in "
    "{place}\"},\n"
    "  {\"name\": \"hotline-surge\", \"selector\": \"hotline_tickets\",\n"
    "   \"agg\": \"sum\", \"window\": \"10m\", \"op\": \">=\",\n"
    "   \"threshold\": 100, \"severity\": \"medium\"},\n"
    "  {\"name\": \"sensor-silent\", \"type\": \"absence\",\n"
    "   \"selector\": \"sensor_heartbeat\", \"for\": \"15m\",\n"
    "   \"by\": [\"grid\"], \"severity\": \"low\"},\n"
    "  {\"name\": \"system-failed\", \"selector\": \"system_state\",\n"
    "   \"agg\": \"last\", \"window\": \"5m\", \"op\": \"==\",\n"
    "   \"threshold\": 0, \"by\": [\"system\", \"dept\"],\n"
    "   \"dept_label\": \"dept\", \"dept\": \"city\",\n"
    "   \"support\": [\"emergency\"], \"severity\": \"high\"},\n"
    "  {\"name\": \"system-down\", \"type\": \"absence\",\n"
    "   \"selector\": \"system_up{system=\\\"gis\\\"}\", \"for\": \"5m\",\n"
    "   \"severity\": \"medium\"}\n"
    " ]}\n";

static struct alert_engine *
engine(struct alert_kv **kvp)
{
	return store_engine(kvp, rules);
}

#define W1 "water_level_m{grid=\"" G1 "\",system=\"water-iot\"}"
#define W2 "water_level_m{grid=\"" G2 "\",system=\"water-iot\"}"

START_TEST(test_threshold_for_hysteresis_flap)
{
	struct alert_kv *kv;
	struct alert_engine *e;
	json_t *a;
	char id[16];
	int m;

	store_setup();
	e = engine(&kv);
	put(W1, T0 - MIN, 4.0);
	eval_at(e, T0 - MIN);
	ck_assert_uint_eq(count_of(e, "water-level-high", NULL), 0);

	/* Past the threshold: pending until it has held for 2 minutes. */
	put(W1, T0, 4.8);
	eval_at(e, T0);
	a = only_alert(e, "water-level-high", "pending");
	snprintf(id, sizeof id, "%s", jstr(a, "id"));
	ck_assert(
	    fabs(json_real_value(json_object_get(a, "value")) - 4.8) < 1e-9);
	ck_assert_str_eq(jstr(a, "code"), G1);
	ck_assert_str_eq(
	    jstr(json_object_get(a, "labels"), "community"), "440304001003");
	json_decref(a);
	put(W1, T0 + MIN, 4.9);
	eval_at(e, T0 + MIN);
	ck_assert_uint_eq(count_of(e, "water-level-high", "pending"), 1);
	put(W1, T0 + 2 * MIN, 4.6);
	eval_at(e, T0 + 2 * MIN);
	a = only_alert(e, "water-level-high", "firing");
	ck_assert_str_eq(jstr(a, "id"), id);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(a, "fired_ms")), T0 + 2 * MIN);
	ck_assert_str_eq(
	    jstr(a, "message"), "water level 4.90 m > 4.5 m in P:" G1);
	ck_assert_str_eq(jstr(a, "dept"), "water");
	ck_assert_uint_eq(json_array_size(json_object_get(a, "depts")), 2);
	json_decref(a);

	/* 4.4 is under the threshold but above the clear level: holds. */
	for (m = 3; m <= 8; m++)
		put(W1, T0 + m * MIN, 4.4);
	eval_at(e, T0 + 8 * MIN);
	ck_assert_uint_eq(count_of(e, "water-level-high", "firing"), 1);
	/* Under the clear level for a whole window: resolved. */
	for (m = 9; m <= 14; m++)
		put(W1, T0 + m * MIN, 4.2);
	eval_at(e, T0 + 14 * MIN);
	a = only_alert(e, "water-level-high", "resolved");
	ck_assert_str_eq(jstr(a, "id"), id);
	json_decref(a);

	/* Fires again within the flap window: the same alert, reopened. */
	put(W1, T0 + 15 * MIN, 4.7);
	eval_at(e, T0 + 15 * MIN);
	a = only_alert(e, "water-level-high", "firing");
	ck_assert_str_eq(jstr(a, "id"), id);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "flaps")), 1);
	json_decref(a);

	/* Data stops: no data in the window means the condition is gone. */
	eval_at(e, T0 + 21 * MIN);
	ck_assert_uint_eq(count_of(e, "water-level-high", "resolved"), 1);
	/* After the flap window: a new alert (pending first). */
	put(W1, T0 + 40 * MIN, 5.0);
	eval_at(e, T0 + 40 * MIN);
	a = only_alert(e, "water-level-high", "pending");
	ck_assert_str_ne(jstr(a, "id"), id);
	json_decref(a);

	/* Closed by hand while still true: not raised again until it
	 * clears. */
	put(W1, T0 + 42 * MIN, 5.0);
	eval_at(e, T0 + 42 * MIN);
	a = only_alert(e, "water-level-high", "firing");
	snprintf(id, sizeof id, "%s", jstr(a, "id"));
	json_decref(a);
	{
		struct alert_reply r;

		json_t *b =
		    json_pack("{s:s}", "reason", "known, crews on site");

		alert_engine_action(e, id, "close", b, &op_lina, &r);
		json_decref(b);
		ck_assert_int_eq(r.status, 200);
		json_decref(r.body);
	}
	put(W1, T0 + 43 * MIN, 5.1);
	eval_at(e, T0 + 43 * MIN);
	ck_assert_uint_eq(
	    count_of(e, "water-level-high", "pending,firing,acknowledged"), 0);
	ck_assert_uint_eq(count_of(e, "water-level-high", "closed"), 1);
	eval_at(e, T0 + 60 * MIN); /* no data: cleared */
	put(W1, T0 + 61 * MIN, 5.2);
	eval_at(e, T0 + 61 * MIN);
	ck_assert_uint_eq(count_of(e, "water-level-high", "pending"), 1);

	alert_engine_free(e);
	alert_kv_free(kv);
	store_teardown();
}
END_TEST

START_TEST(test_spike_never_fires)
{
	struct alert_kv *kv;
	struct alert_engine *e;
	struct audit_verify_result res;
	json_t *arr, *x;
	uint64_t next;
	char *cause = NULL;
	size_t i, cancels = 0;

	store_setup();
	e = engine(&kv);
	put(W2, T0, 4.8); /* one spike */
	eval_at(e, T0);
	ck_assert_uint_eq(count_of(e, "water-level-high", "pending"), 1);
	put(W2, T0 + MIN, 3.0);
	eval_at(e, T0 + MIN);
	ck_assert_uint_eq(count_of(e, "water-level-high", "pending"), 1);
	/* Gone out of the window before 'for' elapsed: cancelled. */
	put(W2, T0 + 6 * MIN, 3.0);
	eval_at(e, T0 + 6 * MIN);
	ck_assert_uint_eq(count_of(e, "water-level-high", NULL), 0); /* gone */
	arr = json_array();
	audit_read(
	    alert_engine_audit(e), 1, 100, NULL, NULL, arr, &next, &cause);
	json_array_foreach(arr, i, x)
	{
		if (strcmp(jstr(x, "action"), "alert.cancel") == 0)
			cancels++;
	}
	ck_assert_uint_eq(cancels, 1);
	json_decref(arr);
	ck_assert_int_eq(audit_verify(alert_engine_audit(e), &res, &cause), 0);
	ck_assert(res.ok);
	alert_engine_free(e);
	alert_kv_free(kv);
	store_teardown();
}
END_TEST

START_TEST(test_ungrouped_sum)
{
	struct alert_kv *kv;
	struct alert_engine *e;
	json_t *a;
	char key[128];
	int i;

	store_setup();
	e = engine(&kv);
	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof key,
		    "hotline_tickets{community=\"44030400100%d\"}", i + 1);
		put(key, T0 - MIN, 15);
	}
	eval_at(e, T0);
	ck_assert_uint_eq(count_of(e, "hotline-surge", NULL), 0); /* 75 */
	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof key,
		    "hotline_tickets{community=\"44030400100%d\"}", i + 1);
		put(key, T0, 6);
	}
	eval_at(e, T0 + 1000); /* 105 */
	a = only_alert(e, "hotline-surge", "firing");
	ck_assert(
	    fabs(json_real_value(json_object_get(a, "value")) - 105) < 1e-9);
	ck_assert(json_is_null(json_object_get(a, "code")));
	json_decref(a);
	alert_engine_free(e);
	alert_kv_free(kv);
	store_teardown();
}
END_TEST

/* dept_label: the department running a failed system leads, the rule's
 * own department supports; an unknown one leaves the rule's in charge. */
static void
expect_depts(json_t *a, const char *lead, const char *s1, const char *s2)
{
	json_t *d = json_object_get(a, "depts");

	ck_assert_str_eq(jstr(a, "dept"), lead);
	ck_assert_uint_eq(json_array_size(d), s2 != NULL ? 3 : 2);
	ck_assert_str_eq(jstr(json_array_get(d, 0), "dept"), lead);
	ck_assert_str_eq(jstr(json_array_get(d, 0), "role"), "lead");
	ck_assert_str_eq(jstr(json_array_get(d, 1), "dept"), s1);
	ck_assert_str_eq(jstr(json_array_get(d, 1), "role"), "support");
	if (s2 != NULL)
		ck_assert_str_eq(jstr(json_array_get(d, 2), "dept"), s2);
}

START_TEST(test_dept_from_label)
{
	struct alert_kv *kv;
	struct alert_engine *e;
	json_t *l, *a;
	size_t i;
	int seen = 0;

	store_setup();
	e = engine(&kv);
	put("system_state{system=\"patrol\",dept=\"police\"}", T0, 0);
	put("system_state{system=\"pumps\",dept=\"city\"}", T0, 0);
	put("system_state{system=\"canteen\",dept=\"catering\"}", T0, 0);
	put("system_state{system=\"gis\",dept=\"police\"}", T0, 1);
	eval_at(e, T0 + 1000);
	l = alerts_of(e, "system-failed", "firing");
	ck_assert_uint_eq(json_array_size(json_object_get(l, "alerts")), 3);
	json_array_foreach(json_object_get(l, "alerts"), i, a)
	{
		const char *sys = json_string_value(
		    json_object_get(json_object_get(a, "labels"), "system"));

		if (strcmp(sys, "patrol") == 0)
			expect_depts(a, "police", "city", "emergency");
		else if (strcmp(sys, "pumps") == 0)
			expect_depts(a, "city", "emergency", NULL);
		else {
			ck_assert_str_eq(sys, "canteen");
			expect_depts(a, "city", "emergency", NULL);
		}
		seen++;
	}
	ck_assert_int_eq(seen, 3);
	json_decref(l);
	alert_engine_free(e);
	alert_kv_free(kv);
	store_teardown();
}
END_TEST

START_TEST(test_absence)
{
	struct alert_kv *kv;
	struct alert_engine *e;
	json_t *a;

	store_setup();
	e = engine(&kv);
	put("sensor_heartbeat{grid=\"" G3 "\"}", T0, 1);
	put("sensor_heartbeat{grid=\"" G1 "\"}", T0 + 10 * MIN, 1);
	put("system_up{system=\"gis\"}", T0, 1);
	eval_at(e, T0 + 10 * MIN);
	ck_assert_uint_eq(count_of(e, "sensor-silent", NULL), 0);
	/* gis silent for more than 5 min. */
	a = only_alert(e, "system-down", "firing");
	ck_assert(
	    fabs(json_real_value(json_object_get(a, "value")) - 600) < 1e-9);
	json_decref(a);
	eval_at(e, T0 + 16 * MIN);
	a = only_alert(e, "sensor-silent", "firing");
	ck_assert_str_eq(jstr(a, "code"), G3);
	ck_assert_str_eq(jstr(a, "severity"), "low");
	json_decref(a);
	/* Data again: resolved. */
	put("sensor_heartbeat{grid=\"" G3 "\"}", T0 + 17 * MIN, 1);
	put("system_up{system=\"gis\"}", T0 + 17 * MIN, 1);
	eval_at(e, T0 + 17 * MIN);
	ck_assert_uint_eq(count_of(e, "sensor-silent", "resolved"), 1);
	ck_assert_uint_eq(count_of(e, "system-down", "resolved"), 1);
	alert_engine_free(e);
	alert_kv_free(kv);
	store_teardown();
}
END_TEST

START_TEST(test_absence_of_everything)
{
	static const char none[] =
	    "{\"rules\": [{\"name\": \"gone\", \"type\": \"absence\","
	    " \"selector\": \"never_written\", \"for\": \"1m\","
	    " \"severity\": \"high\"}]}";
	struct alert_kv *kv;
	struct alert_engine *e;

	store_setup();
	e = store_engine(&kv, none);
	eval_at(e, T0);
	ck_assert_uint_eq(count_of(e, "gone", "firing"), 1);
	alert_engine_free(e);
	alert_kv_free(kv);
	store_teardown();
}
END_TEST

START_TEST(test_restart_with_store)
{
	struct alert_kv *kv;
	struct alert_engine *e;
	struct alert_reply r;
	struct audit_verify_result res;
	json_t *a;
	char id[16], *cause = NULL;

	store_setup();
	e = engine(&kv);
	put(W1, T0, 4.8);
	eval_at(e, T0);
	put(W1, T0 + 2 * MIN, 4.8);
	eval_at(e, T0 + 2 * MIN);
	a = only_alert(e, "water-level-high", "firing");
	snprintf(id, sizeof id, "%s", jstr(a, "id"));
	json_decref(a);
	a = json_pack("{s:s,s:s}", "comment", "pumping", "expires", "20m");
	alert_engine_action(e, id, "ack", a, &op_lina, &r);
	json_decref(a);
	ck_assert_int_eq(r.status, 200);
	json_decref(r.body);
	alert_engine_free(e);
	alert_kv_free(kv);

	store_reopen();
	e = engine(&kv);
	a = only_alert(e, "water-level-high", "acknowledged");
	ck_assert_str_eq(jstr(a, "id"), id);
	ck_assert_str_eq(jstr(json_object_get(a, "ack"), "by"), "lina");
	json_decref(a);
	alert_engine_action(e, id, "ack", NULL, &op_chen, &r);
	ck_assert_int_eq(r.status, 409);
	json_decref(r.body);
	/* The ack expiry timer survived the restart. */
	test_now = T0 + 22 * MIN + 1;
	alert_engine_tick(e);
	ck_assert_uint_eq(count_of(e, "water-level-high", "firing"), 1);
	ck_assert_int_eq(audit_verify(alert_engine_audit(e), &res, &cause), 0);
	ck_assert_msg(res.ok, "%s", res.reason);
	ck_assert_uint_ge(res.entries, 4);
	alert_engine_free(e);
	alert_kv_free(kv);
	store_teardown();
}
END_TEST

static Suite *
eval_suite(void)
{
	Suite *s = suite_create("alert-eval");
	TCase *tc = tcase_create("eval");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_threshold_for_hysteresis_flap);
	tcase_add_test(tc, test_spike_never_fires);
	tcase_add_test(tc, test_ungrouped_sum);
	tcase_add_test(tc, test_dept_from_label);
	tcase_add_test(tc, test_absence);
	tcase_add_test(tc, test_absence_of_everything);
	tcase_add_test(tc, test_restart_with_store);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(eval_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
