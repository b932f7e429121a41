/*
 * Unit tests for the alert engine's fail-closed edges: events obey the
 * write scope of the alert they would change, every change an event makes
 * is in the history and the audit, silences are masked by territory, and
 * what a client may store is bounded (413 naming the limit).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-engine-util.h"
#include "hub/alerts/alert-internal.h" /* the default limits */
#include "hub/alerts/audit.h"

static const struct alert_actor sup_li = {"li", "uid", 1004, NULL, NULL, "unix",
    HUB_ROLE_SUPERVISOR, "440304001000", NULL};

/* Post an event body (stolen) as who; the reply body (caller decrefs). */
static json_t *
post_event(struct alert_engine *e, json_t *body, const struct alert_actor *who,
    int status, const char *what)
{
	struct alert_reply r;

	alert_engine_event(e, body, who, &r);
	json_decref(body);
	return expect_status(&r, status, what);
}

/* The HIJACK of issue #20: an event with another place's alert key. */
START_TEST(test_event_cannot_touch_alert_outside_scope)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *a, *x;
	char id[16];

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	snprintf(id, sizeof id, "%s",
	    raise_event(e, "fire/" GRID9, GRID9, "high", "fire", &sup_zhang));
	/* Nanyuan's operator, no labels: the alert is in subdistrict 002. */
	x = post_event(e,
	    json_pack("{s:s,s:s,s:s}", "key", "fire/" GRID9, "state", "firing",
	        "message", "HIJACK"),
	    &op_lina, 403, "hijack without labels");
	ck_assert_ptr_nonnull(strstr(jstr(x, "error"), id));
	ck_assert_ptr_nonnull(strstr(jstr(x, "error"), "outside scope"));
	json_decref(x);
	/* Labels of its own place do not help. */
	json_decref(post_event(e,
	    json_pack("{s:s,s:s,s:{s:s}}", "key", "fire/" GRID9, "message",
	        "HIJACK", "labels", "grid", GRID1),
	    &op_lina, 403, "hijack with own labels"));
	/* Nor resolving it. */
	json_decref(post_event(e,
	    json_pack("{s:s,s:s}", "key", "fire/" GRID9, "state", "resolved"),
	    &op_lina, 403, "resolve outside scope"));
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert_str_eq(jstr(a, "message"), "smoke detector in alarm");
	ck_assert_str_eq(jstr(a, "state"), "firing");
	ck_assert_uint_eq(history_count(a, "refresh"), 0);
	json_decref(a);
	/* An event without a place would be district-wide. */
	x = post_event(e,
	    json_pack("{s:s,s:s}", "key", "k/none", "message", "x"), &op_lina,
	    403, "district-wide from a scoped operator");
	ck_assert_ptr_nonnull(strstr(jstr(x, "error"), "whole district"));
	json_decref(x);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_event_changes_recorded)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *a, *h;
	char id[16];

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	snprintf(id, sizeof id, "%s",
	    raise_event(e, "fire/" GRID1, GRID1, "high", "fire", &op_lina));
	/* The same message again: nothing changes, nothing recorded. */
	json_decref(post_event(e,
	    json_pack("{s:s,s:s}", "key", "fire/" GRID1, "message",
	        "smoke detector in alarm"),
	    &op_lina, 202, "same again"));
	ck_assert_uint_eq(audit_count(e, "alert.refresh", id), 0);
	/* A new message: in the history and the audit, before and after. */
	test_now = T0 + MIN;
	json_decref(post_event(e,
	    json_pack("{s:s,s:s,s:i}", "key", "fire/" GRID1, "message",
	        "fire confirmed", "value", 3),
	    &op_chen, 202, "refresh"));
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert_str_eq(jstr(a, "message"), "fire confirmed");
	ck_assert_uint_eq(history_count(a, "refresh"), 1);
	h = json_array_get(json_object_get(a, "history"),
	    json_array_size(json_object_get(a, "history")) - 1);
	ck_assert_str_eq(jstr(h, "who"), "chen");
	ck_assert_str_eq(jstr(json_object_get(h, "before"), "message"),
	    "smoke detector in alarm");
	ck_assert_str_eq(
	    jstr(json_object_get(h, "after"), "message"), "fire confirmed");
	json_decref(a);
	ck_assert_uint_eq(audit_count(e, "alert.refresh", id), 1);
	/* Resolved, then raised again within the flap window: the new
	 * message and the reopening are both recorded. */
	json_decref(post_event(e,
	    json_pack("{s:s,s:s}", "key", "fire/" GRID1, "state", "resolved"),
	    &op_lina, 202, "resolve"));
	ck_assert_uint_eq(audit_count(e, "alert.resolve", id), 1);
	json_decref(post_event(e,
	    json_pack("{s:s,s:s}", "key", "fire/" GRID1, "message", "again"),
	    &op_lina, 202, "reopen"));
	ck_assert_uint_eq(audit_count(e, "alert.refresh", id), 2);
	ck_assert_uint_eq(audit_count(e, "alert.reopen", id), 1);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

/* Create a silence on place (grid) as who; the reply body. */
static json_t *
silence(struct alert_engine *e, const char *grid, const char *reason,
    const struct alert_actor *who, int status)
{
	struct alert_reply r;
	json_t *body = json_pack("{s:[{s:s,s:s}],s:s,s:s}", "matchers", "tag",
	    "grid", "value", grid, "reason", reason, "duration", "1h");

	alert_engine_silence_create(e, body, who, &r);
	json_decref(body);
	return expect_status(&r, status, reason);
}

static size_t
silences_seen(struct alert_engine *e, const struct alert_actor *who)
{
	struct alert_reply r;
	json_t *o;
	size_t n;

	alert_engine_silence_list(e, 1, who, &r);
	o = expect_status(&r, 200, "silences");
	n = json_array_size(json_object_get(o, "silences"));
	json_decref(o);
	return n;
}

START_TEST(test_silences_masked_by_territory)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	struct alert_reply r;
	json_t *s9;

	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	/* The district's supervisor silences a grid of subdistrict 002. */
	s9 = silence(e, GRID9, "secret works in 002", &sup_zhang, 201);
	ck_assert_uint_eq(silences_seen(e, &sup_zhang), 1);
	ck_assert_uint_eq(silences_seen(e, &viewer_guo), 1);
	ck_assert_uint_eq(silences_seen(e, &op_wang), 1); /* inside 002 */
	ck_assert_uint_eq(silences_seen(e, &op_lina), 0); /* 001: masked */
	ck_assert_uint_eq(silences_seen(e, &sup_li), 0);
	/* Another place's silence can be neither deleted nor created. */
	alert_engine_silence_delete(e, jstr(s9, "id"), &sup_li, &r);
	json_decref(expect_status(&r, 404, "delete outside scope"));
	json_decref(silence(e, GRID9, "mine now", &sup_li, 403));
	/* Inside its scope: created, seen by 001, not by 002. */
	json_decref(silence(e, GRID1, "pump swap", &sup_li, 201));
	ck_assert_uint_eq(silences_seen(e, &op_lina), 1);
	ck_assert_uint_eq(silences_seen(e, &op_wang), 1);
	/* The audit entry of the 002 silence carries its place. */
	ck_assert_uint_eq(audit_count(e, "silence.create", NULL), 2);
	json_decref(s9);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_bounds)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	struct alert_reply r;
	json_t *x, *labels, *body, *m;
	char *big = malloc(ALERT_MAX_TEXT + 2), id[16], name[16];
	size_t i;

	memset(big, 'x', ALERT_MAX_TEXT + 1);
	big[ALERT_MAX_TEXT + 1] = '\0';
	test_now = T0;
	e = test_engine(kv, NULL, NULL);
	snprintf(id, sizeof id, "%s",
	    raise_event(e, "fire/" GRID1, GRID1, "high", "fire", &op_lina));
	x = act(e, id, "comment", json_pack("{s:s}", "comment", big), &op_lina,
	    413);
	ck_assert_ptr_nonnull(
	    strstr(jstr(x, "error"), "limits.max_text_bytes"));
	json_decref(x);
	json_decref(act(e, id, "dispatch",
	    json_pack("{s:s,s:s}", "dept", "water", "comment", big), &op_lina,
	    413));
	json_decref(act(
	    e, id, "close", json_pack("{s:s}", "reason", big), &op_lina, 413));
	/* Exactly at the limit is fine. */
	big[ALERT_MAX_TEXT] = '\0';
	json_decref(act(e, id, "comment", json_pack("{s:s}", "comment", big),
	    &op_lina, 200));
	big[ALERT_MAX_TEXT] = 'x';
	json_decref(post_event(e,
	    json_pack("{s:s,s:s,s:{s:s}}", "key", "k/msg", "message", big,
	        "labels", "grid", GRID1),
	    &op_lina, 413, "event message"));
	labels = json_pack("{s:s}", "grid", GRID1);
	for (i = 0; i < ALERT_MAX_LABELS; i++) {
		snprintf(name, sizeof name, "l%zu", i);
		json_object_set_new(labels, name, json_string("v"));
	}
	x = post_event(e,
	    json_pack("{s:s,s:o}", "key", "k/labels", "labels", labels),
	    &op_lina, 413, "event labels");
	ck_assert_ptr_nonnull(
	    strstr(jstr(x, "error"), "limits.max_event_labels"));
	json_decref(x);
	big[ALERT_MAX_LABEL + 1] = '\0';
	x = post_event(e,
	    json_pack("{s:s,s:{s:s,s:s}}", "key", "k/label", "labels", "grid",
	        GRID1, "note", big),
	    &op_lina, 413, "label value");
	ck_assert_ptr_nonnull(
	    strstr(jstr(x, "error"), "limits.max_label_bytes"));
	json_decref(x);
	/* Silences: the reason, the matchers. */
	big[ALERT_MAX_LABEL + 1] = 'x';
	json_decref(silence(e, GRID1, big, &sup_zhang, 413));
	m = json_array();
	for (i = 0; i <= ALERT_MAX_LABELS; i++)
		json_array_append_new(
		    m, json_pack("{s:s,s:s}", "tag", "grid", "value", GRID1));
	body = json_pack(
	    "{s:o,s:s,s:s}", "matchers", m, "reason", "r", "duration", "1h");
	alert_engine_silence_create(e, body, &sup_zhang, &r);
	json_decref(body);
	json_decref(expect_status(&r, 413, "silence matchers"));
	ck_assert_uint_eq(silences_seen(e, &sup_zhang), 0);
	free(big);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

static Suite *
scope_suite(void)
{
	Suite *s = suite_create("alert-scope");
	TCase *tc = tcase_create("scope");

	tcase_add_test(tc, test_event_cannot_touch_alert_outside_scope);
	tcase_add_test(tc, test_event_changes_recorded);
	tcase_add_test(tc, test_silences_masked_by_territory);
	tcase_add_test(tc, test_bounds);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(scope_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
