/* Desks (issue 17, hub/alerts/desk*.c): the "desks" table's errors with
 * file:line:column, desks' queues (filter, escalation to desk:ID, the
 * unrouted cases on dispatch, scope), who is on duty (beats, 90 s, leaving,
 * audit). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "alert-engine-util.h"
#include "hub/alerts/alert-internal.h"
#include "hub/alerts/case.h"
#include "hub/alerts/desk.h"

#define DESKS                                                                  \
	" \"desks\": [\n"                                                      \
	"  {\"id\": \"emergency\", \"name\": \"应急指挥中心\",\n"        \
	"   \"filter\": {\"severity\": [\"high\"]}, \"columns\": [\"id\"]},\n" \
	"  {\"id\": \"monitoring\", \"name\": \"运行监测中心\",\n"       \
	"   \"filter\": {\"source\": [\"rule\"]}},\n"                          \
	"  {\"id\": \"dispatch\", \"name\": \"分拨处置中心\",\n"         \
	"   \"filter\": {\"source\": [\"event\"], \"dispatched\": false}}]"

static const char desk_rules[] =
    "{\"settings\": {\"escalation\": {\"low\": [{\"after\": \"5m\", "
    "\"to\": \"desk:monitoring\"}]}},\n"
    " \"departments\": {\"water\": {}, \"fire\": {}, \"police\": {}},\n" DESKS
    ",\n \"rules\": []}\n";

/* The ids of desk id's queue as who sees it ("A000001 C000002"). */
static const char *
queue_of(struct alert_engine *e, const char *id, const struct alert_actor *who)
{
	static char out[256];
	struct alert_reply r;
	json_t *a;
	size_t i;

	alert_engine_desk_get(e, id, 0, who, &r);
	expect_status(&r, 200, "desk");
	out[0] = '\0';
	json_array_foreach(json_object_get(r.body, "alerts"), i, a)
	{
		if (i > 0)
			strcat(out, " ");
		strcat(out, jstr(a, "id"));
	}
	json_decref(r.body);
	return out;
}

/* The users on duty on desk id as who sees them. */
static const char *
duty_seen(struct alert_engine *e, const char *id, const struct alert_actor *who)
{
	static char out[256];
	struct alert_reply r;
	json_t *p;
	size_t i;

	alert_engine_desk_get(e, id, 0, who, &r);
	expect_status(&r, 200, "desk");
	out[0] = '\0';
	json_array_foreach(json_object_get(r.body, "on_duty"), i, p)
	{
		if (i > 0)
			strcat(out, " ");
		strcat(out, jstr(p, "user"));
	}
	json_decref(r.body);
	return out;
}

static const char *
duty_of(struct alert_engine *e, const char *id)
{
	return duty_seen(e, id, &sup_zhang);
}

static void
duty(struct alert_engine *e, const char *id, int on,
    const struct alert_actor *who, int status)
{
	struct alert_reply r;

	alert_engine_desk_duty(e, id, on, who, &r);
	json_decref(expect_status(&r, status, "duty"));
}

START_TEST(test_desks_config_errors)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
	    {"{\"desks\": [{\"id\": \"a\", \"name\": \"A\"},\n"
	     "  {\"id\": \"a\", \"name\": \"B\"}]}",
	        "rules.json:2:10: \"desks[1].id\": duplicate desk \"a\""},
	    {"{\"desks\": [{\"id\": \"A b\", \"name\": \"A\"}]}",
	        "rules.json:1:19: \"desks[0].id\": expected 1-32 of a-z, 0-9, "
	        "- and _, not \"A b\""},
	    {"{\"desks\": [{\"id\": \"a\"}]}",
	        "rules.json:1:12: \"desks[0].name\": missing required key"},
	    {"{\"desks\": [{\"id\": \"a\", \"name\": \"A\", \"columns\": "
	     "[\"id\", \"colour\"]}]}",
	        "rules.json:1:55: \"desks[0].columns[1]\": unknown column "
	        "\"colour\" (id, severity, state, place, message, dept, depts, "
	        "age, category, source, escalation, deadline, rule)"},
	    {"{\"desks\": [{\"id\": \"a\", \"name\": \"A\", \"filter\": "
	     "{\"rule\": [\"nope\"]}}]}",
	        "rules.json:1:57: \"desks[0].filter.rule[0]\": unknown rule "
	        "\"nope\""},
	    {"{\"desks\": [{\"id\": \"a\", \"name\": \"A\", \"filter\": "
	     "{\"dept\": [\"army\"]}}]}",
	        "rules.json:1:57: \"desks[0].filter.dept[0]\": unknown "
	        "department \"army\""},
	    {"{\"desks\": [{\"id\": \"a\", \"name\": \"A\", \"filter\": "
	     "{\"overdue\": \"yes\"}}]}",
	        "rules.json:1:59: \"desks[0].filter.overdue\": expected true "
	        "or "
	        "false"},
	    {"{\"desks\": [{\"id\": \"a\", \"name\": \"A\", \"filter\": "
	     "{\"colour\": 1}}]}",
	        "rules.json:1:48: \"desks[0].filter.colour\": unknown key"},
	    {"{\"settings\": {\"escalation\": {\"high\": [{\"after\": \"1m\", "
	     "\"to\": \"desk:b\"}]}},\n"
	     " \"desks\": [{\"id\": \"a\", \"name\": \"A\"}]}",
	        "rules.json:1:61: \"settings.escalation.high[0].to\": unknown "
	        "desk \"b\" (the desks: a)"},
	    {"{\"rules\": [{\"name\": \"r\", \"selector\": \"m\", \"op\": "
	     "\">\", \"threshold\": 1, \"severity\": \"high\",\n"
	     "  \"escalation\": [{\"after\": \"1m\", \"to\": \"desk:b\"}]}],\n"
	     " \"desks\": [{\"id\": \"a\", \"name\": \"A\"}]}",
	        "rules.json:2:40: \"rules[0].escalation[0].to\": unknown desk "
	        "\"b\" (the desks: a)"},
	};
	struct alert_rules *rs;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		rs = alert_rules_parse("rules.json", cases[i].text,
		    strlen(cases[i].text), test_dept_check, NULL, &cause);
		ck_assert_msg(rs == NULL, "case %zu loaded", i);
		ck_assert_str_eq(cause, cases[i].error);
		free(cause);
	}
	/* Without "desks", desk targets are not checked (no desks yet). */
	cause = NULL;
	rs = alert_rules_parse("rules.json",
	    "{\"settings\": {\"escalation\": {\"high\": [{\"after\": \"1m\", "
	    "\"to\": \"desk:b\"}]}}}",
	    strlen("{\"settings\": {\"escalation\": {\"high\": [{\"after\": "
	           "\"1m\", \"to\": \"desk:b\"}]}}}"),
	    test_dept_check, NULL, &cause);
	ck_assert_msg(rs != NULL, "%s", cause);
	ck_assert_uint_eq(rs->ndesks, 0);
	alert_rules_free(rs);
	/* The default columns. */
	rs = alert_rules_parse("rules.json", desk_rules, strlen(desk_rules),
	    test_dept_check, NULL, &cause);
	ck_assert_msg(rs != NULL, "%s", cause);
	ck_assert_uint_eq(rs->ndesks, 3);
	ck_assert_str_eq(rs->desks[0].columns[0], "id");
	ck_assert_ptr_null(rs->desks[0].columns[1]);
	ck_assert_str_eq(rs->desks[1].columns[5], "age");
	alert_rules_free(rs);
}
END_TEST

START_TEST(test_desk_queues)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	struct alert_reply r;
	json_t *body;
	char high[16], med[16], low[16], far[16], cs[16];

	test_now = T0;
	e = test_engine(kv, desk_rules, NULL);
	snprintf(high, sizeof high, "%s",
	    raise_event(e, "a/" GRID1, GRID1, "high", NULL, NULL));
	snprintf(med, sizeof med, "%s",
	    raise_event(e, "b/" GRID1, GRID1, "medium", NULL, NULL));
	snprintf(low, sizeof low, "%s",
	    raise_event(e, "c/" GRID1, GRID1, "low", "water", NULL));
	snprintf(far, sizeof far, "%s",
	    raise_event(e, "d/" GRID9, GRID9, "medium", NULL, NULL));
	body = json_pack("{s:s,s:s,s:s}", "text", "stairwell blocked", "source",
	    "hotline", "system", "fire-iot");
	alert_engine_case_new(e, body, GRID1, &collector, &r);
	json_decref(body);
	snprintf(
	    cs, sizeof cs, "%s", jstr(expect_status(&r, 201, "case"), "id"));
	json_decref(r.body);

	/* Filters; the dispatch desk has the unrouted case beside its
	 * filter's undispatched events, most severe first. */
	ck_assert_str_eq(queue_of(e, "emergency", &sup_zhang), high);
	ck_assert_str_eq(queue_of(e, "monitoring", &sup_zhang), "");
	{
		char want[64];

		snprintf(want, sizeof want, "%s %s %s %s", high, med, far, cs);
		ck_assert_str_eq(queue_of(e, "dispatch", &sup_zhang), want);
		/* Scope: Nanyuan's operator sees Nanyuan's only. */
		snprintf(want, sizeof want, "%s %s %s", high, med, cs);
		ck_assert_str_eq(queue_of(e, "dispatch", &op_lina), want);
	}
	/* Routing the case takes it off the dispatch desk. */
	json_decref(act(e, cs, "dispatch", json_pack("{s:s}", "dept", "fire"),
	    &op_lina, 200));
	ck_assert_ptr_null(strstr(queue_of(e, "dispatch", &op_lina), cs));

	/* The low event escalates to desk:monitoring after 5 minutes: it is
	 * in that desk's queue until acknowledged. */
	test_now = T0 + 6 * MIN;
	alert_engine_tick(e);
	ck_assert_str_eq(queue_of(e, "monitoring", &sup_zhang), low);
	json_decref(act(e, low, "ack", NULL, &op_water, 200));
	ck_assert_str_eq(queue_of(e, "monitoring", &sup_zhang), "");
	{
		struct alert_reply q;

		alert_engine_desk_get(e, "nosuch", 0, &sup_zhang, &q);
		json_decref(expect_status(&q, 404, "unknown desk"));
	}
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_desk_duty)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;

	test_now = T0;
	e = test_engine(kv, desk_rules, NULL);
	duty(e, "dispatch", 1, &op_lina, 200);
	duty(e, "dispatch", 1, &op_chen, 200);
	duty(e, "emergency", 1, &op_water, 200);
	duty(e, "nosuch", 1, &op_lina, 404);
	ck_assert_str_eq(duty_of(e, "dispatch"), "lina chen");
	/* Another subdistrict's operator on the desk is not shown to
	 * Nanyuan's (nor they to him); the district sees both. */
	duty(e, "dispatch", 1, &op_wang, 200);
	ck_assert_str_eq(duty_of(e, "dispatch"), "lina chen wang");
	ck_assert_str_eq(duty_seen(e, "dispatch", &op_lina), "lina chen");
	ck_assert_str_eq(duty_seen(e, "dispatch", &op_wang), "wang");
	duty(e, "dispatch", 0, &op_wang, 200);
	/* Beats keep lina on; chen, not heard from for 90 s, is off. */
	test_now = T0 + 60 * 1000;
	duty(e, "dispatch", 1, &op_lina, 200);
	test_now = T0 + 91 * 1000;
	ck_assert_str_eq(duty_of(e, "dispatch"), "lina");
	ck_assert_str_eq(duty_of(e, "emergency"), "");
	/* Leaving. */
	duty(e, "dispatch", 0, &op_lina, 200);
	ck_assert_str_eq(duty_of(e, "dispatch"), "");
	duty(e, "dispatch", 0, &op_lina, 200); /* not on it: nothing */
	/* One desk.on per arrival, not per beat; desk.off per leaving. */
	ck_assert_uint_eq(audit_count(e, "desk.on", NULL), 4);
	ck_assert_uint_eq(audit_count(e, "desk.off", NULL), 2);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

static Suite *
desks_suite(void)
{
	Suite *s = suite_create("desks");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_desks_config_errors);
	tcase_add_test(tc, test_desk_queues);
	tcase_add_test(tc, test_desk_duty);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(desks_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
