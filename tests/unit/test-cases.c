/*
 * Unit tests for cases (hub/alerts/case.c, case-categories.c): a case of a
 * category in "case_categories" is dispatched at once to exactly the
 * category's lead and supporting departments with exactly its time limit;
 * any other waits in the dispatch queue until a person dispatches it; the
 * write scope is the events'; the table's errors name file:line:column;
 * case ids (C...) and alert ids (A...) never answer for each other.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-engine-util.h"
#include "hub/alerts/case.h"
#include "hub/territory.h"

#define HOUR (60 * MIN)

static const char cases_rules[] =
    "{\"settings\": {\"ack_within\": {\"high\": \"15m\"}},\n"
    " \"rules\": [],\n"
    " \"case_categories\": [\n"
    "  {\"id\": \"street-vending\", \"name\": \"乱堆放/乱摆卖\",\n"
    "   \"code\": \"10020033\", \"dept\": \"city\", \"support\": "
    "[\"police\"],\n"
    "   \"time_limit\": \"24h\", \"severity\": \"low\"},\n"
    "  {\"id\": \"fire-exit\", \"dept\": \"fire\", \"support\": "
    "[\"emergency\", \"police\"],\n"
    "   \"severity\": \"high\"}\n"
    " ]}\n";

/* Post a case (body stolen) at code as who; the reply body. */
static json_t *
post_case(struct alert_engine *e, json_t *body, const char *code,
    const struct alert_actor *who, int status, const char *what)
{
	struct alert_reply r;

	alert_engine_case_new(e, body, code, who, &r);
	json_decref(body);
	return expect_status(&r, status, what);
}

static json_t *
list_cases(struct alert_engine *e, const char *queue)
{
	struct case_filter f;
	struct alert_reply r;

	memset(&f, 0, sizeof f);
	f.queue = queue;
	alert_engine_case_list(e, &f, &sup_zhang, &r);
	return expect_status(&r, 200, "list cases");
}

/* "dept:role dept:role ..." of a case. */
static const char *
depts_of(json_t *c)
{
	static char out[256];
	json_t *d;
	size_t i;

	out[0] = '\0';
	json_array_foreach(json_object_get(c, "depts"), i, d)
	{
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s:%s",
		    i > 0 ? " " : "", jstr(d, "dept"), jstr(d, "role"));
	}
	return out;
}

START_TEST(test_routed_by_category)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *c, *h;

	test_now = T0;
	e = test_engine(kv, cases_rules, NULL);
	/* By the district's category code, from the hotline's token. */
	c = post_case(e,
	    json_pack("{s:s,s:s,s:s,s:s}", "category", "10020033", "text",
	        "水果摊占道", "source", "hotline", "system", "fire-iot"),
	    GRID1, &collector, 201, "case by code");
	ck_assert_str_eq(jstr(c, "id"), "C000001");
	ck_assert_str_eq(jstr(c, "source"), "case");
	ck_assert_str_eq(jstr(c, "state"), "firing");
	ck_assert_str_eq(jstr(c, "severity"), "low");
	ck_assert_str_eq(jstr(c, "code"), GRID1);
	ck_assert_str_eq(depts_of(c), "city:lead police:support");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "deadline_ms")),
	    T0 + 24 * HOUR);
	ck_assert_str_eq(
	    jstr(json_object_get(c, "case"), "category"), "street-vending");
	ck_assert_str_eq(jstr(json_object_get(c, "case"), "routing"), "auto");
	ck_assert(
	    json_is_null(json_object_get(json_object_get(c, "case"), "queue")));
	json_decref(c);
	c = get_alert(e, "C000001", &sup_zhang, 200);
	ck_assert_uint_eq(json_array_size(json_object_get(c, "history")), 2);
	h = json_array_get(json_object_get(c, "history"), 1);
	ck_assert_str_eq(jstr(h, "action"), "dispatch");
	ck_assert_str_eq(jstr(h, "via"), "case-category");
	json_decref(c);
	/* By its name, an hour later: the deadline runs from then. */
	test_now = T0 + HOUR;
	c = post_case(e,
	    json_pack("{s:s,s:s}", "category", "乱堆放/乱摆卖", "text", "x"),
	    GRID2, &sup_zhang, 201, "case by name");
	ck_assert_str_eq(depts_of(c), "city:lead police:support");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "deadline_ms")),
	    T0 + 25 * HOUR);
	json_decref(c);
	/* No time limit: the settings' deadline (72 h by default). */
	c = post_case(e,
	    json_pack("{s:s,s:s}", "category", "fire-exit", "text", "堵塞"),
	    GRID1, &op_lina, 201, "case by id");
	ck_assert_str_eq(
	    depts_of(c), "fire:lead emergency:support police:support");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "deadline_ms")),
	    T0 + HOUR + 72 * HOUR);
	ck_assert_str_eq(jstr(c, "severity"), "high");
	json_decref(c);
	c = list_cases(e, "dispatch");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "total")), 0);
	json_decref(c);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_queued_then_dispatched)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *c;

	test_now = T0;
	e = test_engine(kv, cases_rules, NULL);
	c = post_case(e,
	    json_pack("{s:s,s:s}", "category", "噪音扰民", "text", "夜间施工"),
	    GRID1, &sup_zhang, 201, "unknown category");
	ck_assert_str_eq(depts_of(c), "");
	ck_assert_str_eq(jstr(json_object_get(c, "case"), "queue"), "dispatch");
	ck_assert_str_eq(jstr(json_object_get(c, "case"), "routing"), "queued");
	ck_assert_str_eq(
	    jstr(json_object_get(c, "case"), "category"), "噪音扰民");
	ck_assert_str_eq(jstr(c, "severity"), "medium");
	json_decref(c);
	json_decref(post_case(e, json_pack("{s:s}", "text", "no category"),
	    GRID2, &sup_zhang, 201, "no category"));
	json_decref(post_case(e,
	    json_pack("{s:s,s:s}", "category", "fire-exit", "text", "x"), GRID2,
	    &sup_zhang, 201, "routed"));
	c = list_cases(e, "dispatch");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "total")), 2);
	ck_assert_str_eq(
	    jstr(json_array_get(json_object_get(c, "cases"), 0), "id"),
	    "C000002");
	json_decref(c);
	json_decref(act(e, "C000001", "dispatch",
	    json_pack("{s:s,s:s}", "dept", "police", "deadline", "8h"),
	    &op_lina, 200));
	c = list_cases(e, "dispatch");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "total")), 1);
	json_decref(c);
	c = get_alert(e, "C000001", &sup_zhang, 200);
	ck_assert_str_eq(depts_of(c), "police:lead");
	ck_assert_uint_eq(history_count(c, "queue"), 1);
	ck_assert_uint_eq(history_count(c, "dispatch"), 1);
	json_decref(c);
	c = list_cases(e, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "total")), 3);
	json_decref(c);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_write_scope)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *c;

	test_now = T0;
	e = test_engine(kv, cases_rules, NULL);
	c = post_case(e,
	    json_pack("{s:s,s:s}", "category", "fire-exit", "text", "x"), GRID9,
	    &op_lina, 403, "Nanyuan operator in subdistrict 002");
	ck_assert_ptr_nonnull(strstr(jstr(c, "error"), "outside scope"));
	json_decref(c);
	json_decref(post_case(e, json_pack("{s:s}", "text", "x"), GRID1,
	    &viewer_guo, 403, "a viewer"));
	json_decref(post_case(e, json_pack("{s:s}", "text", "x"), GRID1,
	    &collector, 403, "a token for another system"));
	json_decref(post_case(e, json_pack("{s:s}", "text", "x"), NULL,
	    &sup_zhang, 400, "no place"));
	json_decref(post_case(e, json_pack("{s:s}", "category", "fire-exit"),
	    GRID1, &sup_zhang, 400, "no text"));
	c = list_cases(e, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "total")), 0);
	json_decref(c);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_ids_and_resend)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	struct alert_reply r;
	json_t *c;

	test_now = T0;
	e = test_engine(kv, cases_rules, NULL);
	raise_event(e, "fire/" GRID1, GRID1, "high", "fire", &sup_zhang);
	c = post_case(e,
	    json_pack("{s:s,s:s,s:s}", "text", "x", "source", "hotline", "ref",
	        "T-9"),
	    GRID1, &sup_zhang, 201, "a ticket");
	ck_assert_str_eq(jstr(c, "id"), "C000002");
	json_decref(c);
	c = post_case(e,
	    json_pack("{s:s,s:s,s:s}", "text", "x", "source", "hotline", "ref",
	        "T-9"),
	    GRID1, &sup_zhang, 200, "the ticket resent");
	ck_assert_str_eq(jstr(c, "id"), "C000002");
	json_decref(c);
	/* The same source and ref from outside the case's place: not shown. */
	json_decref(post_case(e,
	    json_pack("{s:s,s:s,s:s}", "text", "x", "source", "hotline", "ref",
	        "T-9"),
	    GRID9, &op_wang, 403, "another's ticket, outside its scope"));
	alert_engine_free(e);
	/* After a restart the numbers keep their letters. */
	e = test_engine(kv, cases_rules, NULL);
	json_decref(get_alert(e, "C000002", &sup_zhang, 200));
	json_decref(get_alert(e, "A000002", &sup_zhang, 404));
	json_decref(get_alert(e, "C000001", &sup_zhang, 404));
	alert_engine_case_get(e, "A000001", &sup_zhang, &r);
	json_decref(expect_status(&r, 404, "an alert is no case"));
	alert_engine_case_get(e, "C000002", &sup_zhang, &r);
	c = expect_status(&r, 200, "the case");
	ck_assert_str_eq(jstr(json_object_get(c, "case"), "ref"), "T-9");
	json_decref(c);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

/* A categories table that does not load: the error starts with where
 * ("rules.json:LINE:COL") and says what. */
static void
bad_table(const char *table, const char *where, const char *what)
{
	char *text =
	    xasprintf("{\"rules\": [],\n \"case_categories\": %s}\n", table);
	char *cause = NULL;
	struct alert_rules *r = alert_rules_parse(
	    "rules.json", text, strlen(text), test_dept_check, NULL, &cause);

	ck_assert_msg(r == NULL, "%s loaded", table);
	ck_assert_msg(strncmp(cause, where, strlen(where)) == 0 &&
	                  strstr(cause, what) != NULL,
	    "%s: expected \"%s ... %s\", got \"%s\"", table, where, what,
	    cause);
	free(cause);
	free(text);
}

START_TEST(test_table_errors)
{
	bad_table("[{\"id\": \"a\", \"dept\": \"nobody\"}]",
	    "rules.json:2:42: ",
	    "\"case_categories[0].dept\": unknown department \"nobody\"");
	bad_table("[{\"id\": \"a\", \"dept\": \"fire\"},\n"
	          "  {\"id\": \"b\", \"name\": \"a\", \"dept\": \"fire\"}]",
	    "rules.json:3:", "names a category already listed");
	bad_table("[{\"id\": \"A b\", \"dept\": \"fire\"}]",
	    "rules.json:2:", "expected 1-64 of a-z");
	bad_table(
	    "[{\"id\": \"a\", \"dept\": \"fire\", \"support\": [\"fire\"]}]",
	    "rules.json:2:", "the lead department \"fire\"");
	bad_table(
	    "[{\"id\": \"a\", \"dept\": \"fire\", \"time_limit\": \"soon\"}]",
	    "rules.json:2:", "time_limit");
	bad_table(
	    "[{\"id\": \"a\", \"dept\": \"fire\", \"severity\": \"dire\"}]",
	    "rules.json:2:", "severity");
	bad_table("[{\"id\": \"a\"}]", "rules.json:2:", "dept");
	bad_table("[{\"id\": \"a\", \"dept\": \"fire\", \"colour\": 1}]",
	    "rules.json:2:", "colour");
	bad_table("{}", "rules.json:2:", "case_categories");
	bad_table("[7]", "rules.json:2:", "expected an object");
}
END_TEST

/* A territory with a community named twice (东园社区, 东园) and a grid
 * name in both. */
static const char place_territory[] =
    "{\"district\": {\"code\": \"440304000000\", \"name\": \"福田区\"},\n"
    " \"subdistricts\": [{\"code\": \"440304001000\", \"name\": "
    "\"南园街道\"}],\n"
    " \"communities\": [{\"code\": \"440304001001\", \"parent\": "
    "\"440304001000\", \"name\": \"东园社区\"},\n"
    "  {\"code\": \"440304001002\", \"parent\": \"440304001000\", "
    "\"name\": \"西园社区\"}],\n"
    " \"grids\": [{\"code\": \"440304001001001\", \"parent\": "
    "\"440304001001\", \"name\": \"东园01\",\n"
    "   \"buildings\": [{\"code\": \"FT-1\", \"name\": \"一栋\", "
    "\"address\": \"东园路1号\"}]},\n"
    "  {\"code\": \"440304001002001\", \"parent\": \"440304001002\", "
    "\"name\": \"园01\"},\n"
    "  {\"code\": \"440304001002002\", \"parent\": \"440304001002\", "
    "\"name\": \"园01\"}]}\n";

/* The code address resolves to, or the start of the error ("!..."). */
static const char *
place_of(const struct hub_territory *t, const char *address)
{
	static char out[256];
	char *why = NULL;
	int idx = case_place_resolve(t, address, &why);

	if (idx < 0) {
		snprintf(out, sizeof out, "!%s", why);
		free(why);
	} else
		snprintf(out, sizeof out, "%s", t->nodes[idx].code);
	return out;
}

START_TEST(test_address)
{
	char *cause = NULL;
	struct hub_territory *t = hub_territory_parse(
	    "t.json", place_territory, strlen(place_territory), &cause);

	ck_assert_msg(t != NULL, "territory: %s", cause);
	ck_assert_str_eq(place_of(t, "东园社区"), "440304001001");
	ck_assert_str_eq(place_of(t, "东园"), "440304001001");
	ck_assert_str_eq(place_of(t, "东园01"), "440304001001001");
	ck_assert_str_eq(place_of(t, " 东园01 "), "440304001001001");
	ck_assert_str_eq(
	    place_of(t, "南园街道 / 东园社区 / 东园01"), "440304001001001");
	ck_assert_str_eq(place_of(t, "南园街道"), "440304001000");
	ck_assert_str_eq(place_of(t, "FT-1"), "440304001001001");
	ck_assert_str_eq(place_of(t, "东园路1号"), "440304001001001");
	ck_assert_str_eq(place_of(t, "440304001002002"), "440304001002002");
	ck_assert_str_eq(place_of(t, "园01"),
	    "!\"address\": \"园01\" is ambiguous (440304001002001, "
	    "440304001002002): give \"grid\"");
	ck_assert_str_eq(place_of(t, "福田区"),
	    "!\"address\": \"福田区\" names no grid, community, subdistrict "
	    "or building of the territory (give \"grid\": a grid code)");
	ck_assert_str_eq(
	    place_of(t, "440304000000")[0] == '!' ? "!" : "?", "!");
	hub_territory_free(t);
}
END_TEST

static Suite *
cases_suite(void)
{
	Suite *s = suite_create("cases");
	TCase *tc = tcase_create("cases");

	tcase_add_test(tc, test_routed_by_category);
	tcase_add_test(tc, test_queued_then_dispatched);
	tcase_add_test(tc, test_write_scope);
	tcase_add_test(tc, test_ids_and_resend);
	tcase_add_test(tc, test_table_errors);
	tcase_add_test(tc, test_address);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(cases_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
