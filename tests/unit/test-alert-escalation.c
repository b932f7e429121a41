/*
 * Unit tests for escalation chains (issue 17) on an injectable clock:
 * steps taken in order, each recorded, audited and notified to its
 * target; an ack or a resolution stops the chain, an unack starts it
 * over; a rule's chain over its severity's; configuration errors with
 * file:line:column; mutual inhibition refused at load.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-engine-util.h"

static const char esc_rules[] =
    "{\"settings\": {\n"
    "  \"escalation\": {\"high\": [\n"
    "    {\"after\": \"1m\", \"to\": \"desk:dispatch\"},\n"
    "    {\"after\": \"5m\", \"to\": \"role:supervisor\"},\n"
    "    {\"after\": \"10m\", \"to\": \"dept:water\"}]},\n"
    "  \"ack_within\": {\"medium\": \"3m\", \"low\": 0},\n"
    "  \"escalation_webhooks\": {\"desk:dispatch\": "
    "\"http://127.0.0.1:1/desk\"},\n"
    "  \"supervisors_webhook\": \"http://127.0.0.1:1/sup\"},\n"
    " \"departments\": {\"water\": {\"webhook\": \"http://127.0.0.1:1/w\"}},\n"
    " \"rules\": [\n"
    "  {\"name\": \"quiet\", \"selector\": \"x\", \"op\": \">\",\n"
    "   \"threshold\": 1, \"severity\": \"high\", \"escalation\": []},\n"
    "  {\"name\": \"own\", \"selector\": \"y\", \"op\": \">\",\n"
    "   \"threshold\": 1, \"severity\": \"low\",\n"
    "   \"escalation\": [{\"after\": \"2m\", \"to\": \"role:admin\"}]},\n"
    "  {\"name\": \"plain\", \"selector\": \"z\", \"op\": \">\",\n"
    "   \"threshold\": 1, \"severity\": \"medium\"}]}\n";

static unsigned
step_of(struct alert_engine *e, const char *id)
{
	json_t *a = get_alert(e, id, &sup_zhang, 200);
	unsigned n =
	    (unsigned)json_integer_value(json_object_get(a, "escalation_step"));

	ck_assert_int_eq(json_is_true(json_object_get(a, "escalated")), n > 0);
	json_decref(a);
	return n;
}

/* What a's "escalate" entries of array say, in order, joined: the
 * history's "STEP:TARGET", the notifications' URLs. */
static void
escalate_list(json_t *a, const char *array, char *out, size_t len)
{
	int hist = strcmp(array, "history") == 0;
	json_t *x, *after;
	size_t i;

	out[0] = '\0';
	json_array_foreach(json_object_get(a, array), i, x)
	{
		if (strcmp(jstr(x, hist ? "action" : "kind"), "escalate") != 0)
			continue;
		after = json_object_get(x, "after");
		if (out[0] != '\0')
			snprintf(out + strlen(out), len - strlen(out), " ");
		if (hist)
			snprintf(out + strlen(out), len - strlen(out),
			    "%lld:%s",
			    (long long)json_integer_value(
			        json_object_get(after, "escalation_step")),
			    jstr(after, "to"));
		else
			snprintf(out + strlen(out), len - strlen(out), "%s",
			    jstr(x, "url"));
	}
}

static void
resolve_event(struct alert_engine *e, const char *key)
{
	struct alert_reply r;
	json_t *body = json_pack("{s:s,s:s}", "key", key, "state", "resolved");

	alert_engine_event(e, body, &collector, &r);
	json_decref(body);
	json_decref(expect_status(&r, 202, "resolve"));
}

START_TEST(test_escalation_steps_in_order)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *a, *arr, *x;
	char id[16], acked[16], gone[16], s[256];
	uint64_t next;
	char *cause = NULL;
	size_t i, n = 0;

	test_now = T0;
	e = test_engine(kv, esc_rules, NULL);
	snprintf(id, sizeof id, "%s",
	    raise_event(e, "fire/" GRID1, GRID1, "high", "fire", NULL));
	snprintf(acked, sizeof acked, "%s",
	    raise_event(e, "fire/" GRID2, GRID2, "high", "fire", NULL));
	snprintf(gone, sizeof gone, "%s",
	    raise_event(e, "fire/" GRID3, GRID3, "high", "fire", NULL));

	/* Nothing before the first step's "after". */
	test_now = T0 + MIN - 1000;
	alert_engine_tick(e);
	ck_assert_uint_eq(step_of(e, id), 0);
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert(json_is_null(json_object_get(a, "escalated_to")));
	json_decref(a);

	/* Step 1: the dispatch desk, all three. */
	test_now = T0 + MIN;
	alert_engine_tick(e);
	ck_assert_uint_eq(step_of(e, id), 1);
	ck_assert_uint_eq(step_of(e, acked), 1);
	ck_assert_uint_eq(step_of(e, gone), 1);
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert_str_eq(jstr(a, "escalated_to"), "desk:dispatch");
	json_decref(a);

	/* An ack stops one chain, a resolution another. */
	test_now = T0 + 2 * MIN;
	json_decref(act(e, acked, "ack", json_pack("{s:s}", "comment", "mine"),
	    &op_lina, 200));
	resolve_event(e, "fire/" GRID3);

	/* Past steps 2 and 3 at once (a hub that was down): both taken, in
	 * order, once each. */
	test_now = T0 + 30 * MIN;
	alert_engine_tick(e);
	alert_engine_tick(e);
	ck_assert_uint_eq(step_of(e, id), 3);
	ck_assert_uint_eq(step_of(e, acked), 1);
	ck_assert_uint_eq(step_of(e, gone), 1);
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert_str_eq(jstr(a, "escalated_to"), "dept:water");
	escalate_list(a, "history", s, sizeof s);
	ck_assert_str_eq(s, "1:desk:dispatch 2:role:supervisor 3:dept:water");
	escalate_list(a, "notifications", s, sizeof s);
	ck_assert_str_eq(s, "http://127.0.0.1:1/desk http://127.0.0.1:1/sup "
	                    "http://127.0.0.1:1/w");
	json_decref(a);
	a = get_alert(e, acked, &sup_zhang, 200);
	escalate_list(a, "history", s, sizeof s);
	ck_assert_str_eq(s, "1:desk:dispatch");
	json_decref(a);

	/* Each step is in the audit log, by the timer, in order. */
	arr = json_array();
	ck_assert_int_eq(audit_read(alert_engine_audit(e), 1, 1000, NULL, NULL,
	                     arr, &next, &cause),
	    0);
	json_array_foreach(arr, i, x)
	{
		if (strcmp(jstr(x, "action"), "alert.escalate") != 0 ||
		    strcmp(jstr(x, "target"), id) != 0)
			continue;
		n++;
		ck_assert_str_eq(jstr(x, "via"), "timer");
		ck_assert_str_eq(jstr(x, "code"), GRID1);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(
		        json_object_get(x, "after"), "escalation_step")),
		    (json_int_t)n);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(
		        json_object_get(x, "before"), "escalation_step")),
		    (json_int_t)n - 1);
	}
	ck_assert_uint_eq(n, 3);
	json_decref(arr);

	/* An unack starts the chain over, counted from the unack. */
	test_now = T0 + 31 * MIN;
	json_decref(act(e, acked, "unack", NULL, &op_lina, 200));
	ck_assert_uint_eq(step_of(e, acked), 0);
	test_now = T0 + 32 * MIN - 1000;
	alert_engine_tick(e);
	ck_assert_uint_eq(step_of(e, acked), 0);
	test_now = T0 + 32 * MIN;
	alert_engine_tick(e);
	ck_assert_uint_eq(step_of(e, acked), 1);
	audit_ok(e);
	alert_engine_free(e);

	/* The step reached survives a restart and is not taken again. */
	e = test_engine(kv, esc_rules, NULL);
	ck_assert_uint_eq(step_of(e, id), 3);
	alert_engine_tick(e);
	a = get_alert(e, id, &sup_zhang, 200);
	ck_assert_uint_eq(history_count(a, "escalate"), 3);
	json_decref(a);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

/* Silenced alerts do not escalate; once the silence ends the chain goes
 * on from the step reached. */
START_TEST(test_escalation_quiet)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	struct alert_reply r;
	json_t *body;
	char id[16];

	test_now = T0;
	e = test_engine(kv, esc_rules, NULL);
	snprintf(id, sizeof id, "%s",
	    raise_event(e, "fire/" GRID1, GRID1, "high", "fire", NULL));
	body = json_pack("{s:[{s:s,s:s,s:s}],s:s,s:s}", "matchers", "tag", "id",
	    "op", "=", "value", id, "reason", "works", "duration", "20m");
	alert_engine_silence_create(e, body, &sup_zhang, &r);
	json_decref(body);
	json_decref(expect_status(&r, 201, "silence"));
	test_now = T0 + 19 * MIN;
	alert_engine_tick(e);
	ck_assert_uint_eq(step_of(e, id), 0);
	test_now = T0 + 21 * MIN;
	alert_engine_tick(e);
	ck_assert_uint_eq(step_of(e, id), 3);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

/* Which chain an alert gets: its rule's, else its severity's, else one
 * step to role:supervisor after ack_within. */
START_TEST(test_escalation_chain_choice)
{
	struct alert_rules *rs;
	const struct alert_escalation *c;
	struct alert_escalation tmp;
	struct alert_esc_step step;
	char *cause = NULL;

	rs = alert_rules_parse("rules.json", esc_rules, strlen(esc_rules),
	    test_dept_check, NULL, &cause);
	ck_assert_msg(rs != NULL, "%s", cause);
	ck_assert_uint_eq(rs->nescalating, 2); /* "quiet" and "own" */
	c = alert_rules_escalation(
	    rs, alert_rules_find(rs, "quiet"), ALERT_SEV_HIGH, &tmp, &step);
	ck_assert_uint_eq(c->nsteps, 0);
	c = alert_rules_escalation(
	    rs, alert_rules_find(rs, "own"), ALERT_SEV_LOW, &tmp, &step);
	ck_assert_uint_eq(c->nsteps, 1);
	ck_assert_str_eq(c->steps[0].to, "role:admin");
	ck_assert_int_eq(c->steps[0].after_ms, 2 * MIN);
	c = alert_rules_escalation(rs, NULL, ALERT_SEV_HIGH, &tmp, &step);
	ck_assert_uint_eq(c->nsteps, 3);
	c = alert_rules_escalation(
	    rs, alert_rules_find(rs, "plain"), ALERT_SEV_MEDIUM, &tmp, &step);
	ck_assert_uint_eq(c->nsteps, 1);
	ck_assert_str_eq(c->steps[0].to, "role:supervisor");
	ck_assert_int_eq(c->steps[0].after_ms, 3 * MIN);
	c = alert_rules_escalation(rs, NULL, ALERT_SEV_LOW, &tmp, &step);
	ck_assert_uint_eq(c->nsteps, 0);
	ck_assert_str_eq(alert_rules_escalation_webhook(rs, "desk:dispatch"),
	    "http://127.0.0.1:1/desk");
	ck_assert_str_eq(alert_rules_escalation_webhook(rs, "role:supervisor"),
	    "http://127.0.0.1:1/sup");
	ck_assert_str_eq(alert_rules_escalation_webhook(rs, "dept:water"),
	    "http://127.0.0.1:1/w");
	ck_assert_ptr_null(alert_rules_escalation_webhook(rs, "role:admin"));
	ck_assert_ptr_null(alert_rules_escalation_webhook(rs, "dept:police"));
	alert_rules_free(rs);
}
END_TEST

static void
expect_error(const char *text, const char *want)
{
	struct alert_rules *rs;
	char *cause = NULL;

	rs = alert_rules_parse(
	    "r.json", text, strlen(text), test_dept_check, NULL, &cause);
	ck_assert_msg(rs == NULL, "accepted: %s", text);
	ck_assert_msg(cause != NULL && strcmp(cause, want) == 0,
	    "got  \"%s\"\nwant \"%s\"", cause != NULL ? cause : "(none)", want);
	free(cause);
}

#define STEP(a, t)  "{\"after\": \"" a "\", \"to\": \"" t "\"}"
#define SETTINGS(x) "{\"settings\": {\"escalation\": {\"high\": [" x "]}}}"
#define RULE(x)                                                     \
	"{\"rules\": [{\"name\": \"r\", \"selector\": \"m\",\n"     \
	"  \"op\": \">\", \"threshold\": 1, \"severity\": \"low\"," \
	" \"escalation\": [" x "]}]}"

START_TEST(test_escalation_config_errors)
{
	expect_error(SETTINGS(STEP("1m", "pager:x")),
	    "r.json:1:61: \"settings.escalation.high[0].to\": expected "
	    "\"desk:ID\", \"role:NAME\" or \"dept:ID\", not \"pager:x\"");
	expect_error(SETTINGS(STEP("1m", "dept:nowhere")),
	    "r.json:1:61: \"settings.escalation.high[0].to\": unknown "
	    "department \"nowhere\"");
	expect_error(SETTINGS(STEP("1m", "role:boss")),
	    "r.json:1:61: \"settings.escalation.high[0].to\": unknown role "
	    "\"boss\" (viewer, operator, supervisor, admin)");
	expect_error(SETTINGS(STEP("1m", "desk:")),
	    "r.json:1:61: \"settings.escalation.high[0].to\": expected "
	    "\"desk:ID\", \"role:NAME\" or \"dept:ID\", not \"desk:\"");
	expect_error(SETTINGS(STEP("5m", "desk:a") ", " STEP("5m", "desk:b")),
	    "r.json:1:82: \"settings.escalation.high[1].after\": must be "
	    "later than the step before (300 s)");
	expect_error(SETTINGS("{\"to\": \"desk:a\"}"),
	    "r.json:1:39: \"settings.escalation.high[0].after\": missing "
	    "required key");
	expect_error(SETTINGS(STEP("soon", "desk:a")),
	    "r.json:1:49: \"settings.escalation.high[0].after\": expected a "
	    "duration such as \"30s\", \"5m\" or a number of seconds");
	expect_error("{\"settings\": {\"escalation\": {\"urgent\": []}}}",
	    "r.json:1:40: \"settings.escalation.urgent\": unknown severity "
	    "(high, medium, low, info)");
	expect_error("{\"settings\": {\"escalation\": {\"high\": {}}}}",
	    "r.json:1:38: \"settings.escalation.high\": expected a list of "
	    "{\"after\": ..., \"to\": ...}");
	expect_error("{\"settings\": {\"ack_within\": {\"high\": \"5m\"},\n"
	             " \"escalation\": {\"high\": []}}}",
	    "r.json:2:25: \"settings.escalation.high\": \"high\" is in "
	    "ack_within too: keep one (a chain's first step replaces "
	    "ack_within)");
	expect_error("{\"settings\": {\"escalation_webhooks\": "
	             "{\"desk:a\": \"ftp://x\"}}}",
	    "r.json:1:49: \"settings.escalation_webhooks.desk:a\": expected an "
	    "http:// or https:// URL");
	expect_error("{\"settings\": {\"escalation_webhooks\": "
	             "{\"dept:nowhere\": \"http://x\"}}}",
	    "r.json:1:55: \"settings.escalation_webhooks.dept:nowhere\": "
	    "unknown department \"nowhere\"");
	expect_error(RULE(STEP("1m", "role:boss")),
	    "r.json:2:86: \"rules[0].escalation[0].to\": unknown role \"boss\" "
	    "(viewer, operator, supervisor, admin)");
	expect_error(RULE("3"), "r.json:2:64: \"rules[0].escalation[0]\": "
	                        "expected {\"after\": \"15m\", \"to\": ...}");
}
END_TEST

START_TEST(test_escalation_too_many_steps)
{
	char text[4096];
	size_t i;

	snprintf(
	    text, sizeof text, "{\"settings\": {\"escalation\": {\"high\": [");
	for (i = 0; i < 17; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text),
		    "%s{\"after\": \"%zum\", \"to\": \"desk:a\"}",
		    i > 0 ? "," : "", i + 1);
	snprintf(text + strlen(text), sizeof text - strlen(text), "]}}}");
	expect_error(text,
	    "r.json:1:558: \"settings.escalation.high[16]\": at most 16 steps");
}
END_TEST

#define IRULE(n, sel, sev, inh)                                           \
	"{\"name\": \"" n "\", \"selector\": \"" sel "\", \"op\": \">\"," \
	" \"threshold\": 1, \"severity\": \"" sev "\", \"inhibits\": " inh "}"

/* Mutual inhibition, directly, through a third rule, through the lower
 * severities of a metric, or of a rule by itself, is refused at load. */
START_TEST(test_inhibit_cycles_refused)
{
	struct alert_rules *rs;
	char *cause = NULL;
	const char *ok = "{\"rules\": [\n" IRULE(
	    "a", "m", "high", "[{\"rules\": [\"b\"]}, {}]") ",\n" IRULE("b",
	    "m", "medium", "[{\"rules\": [\"c\"]}]") ",\n" IRULE("c", "m",
	    "low", "[{\"rules\": [\"d\"]}]") ",\n" IRULE("d", "n", "high",
	    "[{}]") "]}";

	rs = alert_rules_parse(
	    "r.json", ok, strlen(ok), test_dept_check, NULL, &cause);
	ck_assert_msg(rs != NULL, "%s", cause);
	alert_rules_free(rs);

	expect_error("{\"rules\": [\n" IRULE("a", "m", "high",
	                 "[{\"rules\": [\"b\"]}]") ",\n" IRULE("b", "m", "high",
	                 "[{\"rules\": [\"a\"]}]") "]}",
	    "r.json:3:103: \"rules[1].inhibits[0].rules[0]\": mutual "
	    "inhibition: \"a\" inhibits \"b\" inhibits \"a\"; when both fire, "
	    "each holds the other quiet");
	expect_error("{\"rules\": [\n" IRULE("a", "m", "high",
	                 "[{\"rules\": [\"x\", \"b\"]}]") ",\n" IRULE("b", "m",
	                 "high", "[{\"rules\": [\"c\"]}]") ",\n" IRULE("c", "m",
	                 "high", "[{\"rules\": [\"a\"]}]") ",\n" IRULE("x", "q",
	                 "low", "[{}]") "]}",
	    "r.json:4:103: \"rules[2].inhibits[0].rules[0]\": mutual "
	    "inhibition: \"a\" inhibits \"b\" inhibits \"c\" inhibits \"a\"; "
	    "when both fire, each holds the other quiet");
	/* The closing edge is the high rule's "lower severities of the same
	 * metric" (a selector with tags names the metric too). */
	expect_error(
	    "{\"rules\": [\n" IRULE(
	        "b", "m", "medium", "[{\"rules\": [\"a\"]}]") ",\n" IRULE("a",
	        "m{grid=\\\"1\\\"}", "high", "[{\"scope\": \"below\"}]") "]}",
	    "r.json:3:104: \"rules[1].inhibits[0]\": mutual inhibition: \"b\" "
	    "inhibits \"a\" inhibits \"b\" (lower severity, same metric); "
	    "when both fire, each holds the other quiet");
	expect_error("{\"rules\": [\n" IRULE(
	                 "a", "m", "high", "[{\"rules\": [\"a\"]}]") "]}",
	    "r.json:2:103: \"rules[0].inhibits[0].rules[0]\": mutual "
	    "inhibition: \"a\" inhibits \"a\"; when both fire, each holds the "
	    "other quiet");
}
END_TEST

static Suite *
escalation_suite(void)
{
	Suite *s = suite_create("alert-escalation");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_escalation_steps_in_order);
	tcase_add_test(tc, test_escalation_quiet);
	tcase_add_test(tc, test_escalation_chain_choice);
	tcase_add_test(tc, test_escalation_config_errors);
	tcase_add_test(tc, test_escalation_too_many_steps);
	tcase_add_test(tc, test_inhibit_cycles_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(escalation_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
