/*
 * Unit tests for incidents (issue 17) on a real store and real rule
 * evaluation: a rule's "incident" key groups the rainstorm of a
 * subdistrict and the flooded grids under it into one incident, another
 * subdistrict gets its own, the window starts a new one; made by hand;
 * the lifecycle (dispatching the incident dispatches its alerts, a
 * joining alert is dispatched too); the scope mask; persistence across a
 * restart; the alert names its incident; the key's errors.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "alert-engine-util.h"
#include "hub/alerts/incident.h"

#define G1  "440304001003007" /* subdistrict 001 */
#define G2  "440304001003008" /* subdistrict 001 */
#define G9  "440304002001001" /* subdistrict 002 */
#define SD1 "440304001000"
#define SD2 "440304002000"

#define INC                                                                \
	"\"incident\": {\"name\": \"flood\", \"group\": \"subdistrict\", " \
	"\"window\": \"30m\", \"title\": \"flood in {place}\"}"

static const char rules[] =
    "{\"departments\": {\"water\": {\"webhook\": \"http://127.0.0.1:1/w\"},\n"
    "   \"emergency\": {}},\n"
    " \"rules\": [\n"
    "  {\"name\": \"rainstorm\", \"selector\": \"rain_mm\",\n"
    "   \"agg\": \"last\", \"window\": \"5m\", \"op\": \">\",\n"
    "   \"threshold\": 50, \"by\": [\"subdistrict\"], \"severity\": \"high\",\n"
    "   \"dept\": \"water\", \"support\": [\"emergency\"], " INC ",\n"
    "   \"inhibits\": [{\"rules\": [\"water-level-high\"], "
    "\"scope\": \"below\"}]},\n"
    "  {\"name\": \"water-level-high\", \"selector\": \"level_m\",\n"
    "   \"agg\": \"last\", \"window\": \"5m\", \"op\": \">\",\n"
    "   \"threshold\": 4.5, \"by\": [\"grid\"], \"severity\": \"high\",\n"
    "   \"dept\": \"water\", " INC "},\n"
    "  {\"name\": \"smoke\", \"selector\": \"smoke\",\n"
    "   \"agg\": \"last\", \"window\": \"5m\", \"op\": \">\",\n"
    "   \"threshold\": 0, \"by\": [\"grid\"], \"severity\": \"high\",\n"
    "   \"dept\": \"fire\"}\n"
    " ]}\n";

#define LEVEL(g) "level_m{grid=\"" g "\",system=\"water-iot\"}"
#define RAIN(s)  "rain_mm{subdistrict=\"" s "\",system=\"water-iot\"}"
#define SMOKE(g) "smoke{grid=\"" g "\",system=\"fire-iot\"}"

static json_t *
incidents(struct alert_engine *e, const struct alert_actor *who)
{
	struct alert_reply r;

	alert_engine_incident_list(e, NULL, 0, who, &r);
	return expect_status(&r, 200, "incident list");
}

static json_t *
incident(struct alert_engine *e, const char *id, const struct alert_actor *who,
    int status)
{
	struct alert_reply r;

	alert_engine_incident_get(e, id, who, &r);
	return expect_status(&r, status, "incident get");
}

static json_t *
inc_act(struct alert_engine *e, const char *id, const char *action,
    json_t *body, const struct alert_actor *who, int status)
{
	struct alert_reply r;

	alert_engine_incident_action(e, id, action, body, who, &r);
	json_decref(body);
	return expect_status(&r, status, action);
}

/* The ids of an incident's alerts as "A1 A2 ...", sorted by code. */
static void
codes_of(json_t *inc, char *out, size_t len)
{
	json_t *m;
	size_t i;

	out[0] = '\0';
	json_array_foreach(json_object_get(inc, "members"), i, m)
	{
		strncat(out, jstr(m, "code"), len - strlen(out) - 2);
		strncat(out, " ", len - strlen(out) - 1);
	}
}

/* The flood of subdistrict 001 (rain, G1, G2) and subdistrict 002 (G9). */
static struct alert_engine *
flood(struct alert_kv **kv)
{
	struct alert_engine *e = store_engine(kv, rules);

	put(LEVEL(G1), T0, 5.2);
	put(LEVEL(G9), T0, 5.0);
	eval_at(e, T0 + 1000);
	put(RAIN(SD1), T0 + 2000, 75);
	put(LEVEL(G2), T0 + 2000, 4.9);
	eval_at(e, T0 + 3000);
	return e;
}

START_TEST(test_group_by_subdistrict)
{
	struct alert_kv *kv;
	struct alert_engine *e = flood(&kv);
	json_t *l = incidents(e, &sup_zhang), *i1, *i2, *d, *a, *t;
	char codes[256];
	size_t k, joins = 0;

	ck_assert_int_eq(json_integer_value(json_object_get(l, "total")), 2);
	/* Newest first: 002's opened with G9 at the first pass, as 001's. */
	i1 = json_array_get(json_object_get(l, "incidents"), 1);
	i2 = json_array_get(json_object_get(l, "incidents"), 0);
	if (strcmp(jstr(i1, "code"), SD1) != 0) {
		json_t *x = i1;
		i1 = i2;
		i2 = x;
	}
	ck_assert_str_eq(jstr(i1, "code"), SD1);
	ck_assert_str_eq(jstr(i2, "code"), SD2);
	ck_assert_str_eq(jstr(i1, "title"), "flood in P:" SD1);
	ck_assert_str_eq(jstr(i1, "state"), "open");
	ck_assert_str_eq(jstr(i1, "lead"), "water");
	ck_assert_str_eq(jstr(i1, "severity"), "high");
	ck_assert_int_eq(json_array_size(json_object_get(i1, "alerts")), 3);
	ck_assert_int_eq(json_array_size(json_object_get(i2, "alerts")), 1);
	ck_assert_int_eq(jstr(i1, "id")[0], 'I');

	d = incident(e, jstr(i1, "id"), &sup_zhang, 200);
	codes_of(d, codes, sizeof codes);
	ck_assert_str_eq(codes, G1 " " SD1 " " G2 " ");
	/* The rainstorm's support joins the incident's. */
	ck_assert_str_eq(
	    json_string_value(json_array_get(json_object_get(d, "support"), 0)),
	    "emergency");
	/* Timeline: the incident's and its alerts' entries, in time order. */
	t = json_object_get(d, "timeline");
	for (k = 1; k < json_array_size(t); k++)
		ck_assert_int_le(json_integer_value(json_object_get(
		                     json_array_get(t, k - 1), "at_ms")),
		    json_integer_value(
		        json_object_get(json_array_get(t, k), "at_ms")));
	json_array_foreach(t, k, a)
	{
		if (strcmp(jstr(a, "action"), "join") == 0)
			joins++;
	}
	ck_assert_int_eq(joins, 3);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_array_get(t, 0), "at_ms")),
	    T0 + 1000);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(
	        json_array_get(t, json_array_size(t) - 1), "at_ms")),
	    T0 + 3000);
	/* The alert names its incident. */
	a = json_array_get(json_object_get(d, "members"), 2);
	ck_assert_str_eq(jstr(a, "incident"), jstr(i1, "id"));
	json_decref(d);
	json_decref(l);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_window_and_other_rules)
{
	struct alert_kv *kv;
	struct alert_engine *e = flood(&kv);
	json_t *l, *a;

	/* A rule without "incident" stays on its own. */
	put(SMOKE(G1), T0 + 4000, 1);
	eval_at(e, T0 + 5000);
	a = only_alert(e, "smoke", "firing");
	ck_assert(json_is_null(json_object_get(a, "incident")));
	json_decref(a);
	/* 40 minutes later (past the 30 min window) a new flooded grid of
	 * 001 opens a new incident. */
	put(LEVEL("440304001004001"), T0 + 40 * MIN, 4.8);
	eval_at(e, T0 + 40 * MIN + 1000);
	l = incidents(e, &sup_zhang);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "total")), 3);
	a = json_array_get(json_object_get(l, "incidents"), 0);
	ck_assert_str_eq(jstr(a, "code"), SD1);
	ck_assert_int_eq(json_array_size(json_object_get(a, "alerts")), 1);
	json_decref(l);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

/* The incident of subdistrict code in l (borrowed). */
static const char *
inc_id(json_t *l, const char *code)
{
	json_t *i;
	size_t k;

	json_array_foreach(json_object_get(l, "incidents"), k, i)
	{
		if (jstr(i, "code") != NULL &&
		    strcmp(jstr(i, "code"), code) == 0)
			return jstr(i, "id");
	}
	ck_abort_msg("no incident on %s", code);
	return NULL;
}

START_TEST(test_lifecycle_and_join)
{
	struct alert_kv *kv;
	struct alert_engine *e = flood(&kv);
	json_t *l = incidents(e, &sup_zhang), *d, *m;
	char id[16];
	size_t k;

	snprintf(id, sizeof id, "%s", inc_id(l, SD1));
	json_decref(l);
	/* A viewer may look, not act. */
	json_decref(inc_act(e, id, "dispatch", NULL, &viewer_guo, 403));
	d = inc_act(e, id, "dispatch",
	    json_pack("{s:s,s:[s],s:s}", "dept", "emergency", "support",
	        "water", "deadline", "4h"),
	    &op_lina, 200);
	ck_assert_str_eq(jstr(d, "state"), "dispatched");
	ck_assert_int_eq(json_integer_value(json_object_get(d, "deadline_ms")),
	    T0 + 3000 + 4 * 60 * MIN);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(d, "alerts_dispatched")), 3);
	json_array_foreach(json_object_get(d, "members"), k, m)
	{
		ck_assert_str_eq(jstr(m, "dept"), "emergency");
		ck_assert_int_eq(
		    json_integer_value(json_object_get(m, "deadline_ms")),
		    T0 + 3000 + 4 * 60 * MIN);
	}
	json_decref(d);
	/* A new flooded grid of 001 joins, and is dispatched as it joins. */
	put(LEVEL("440304001004001"), T0 + 5 * MIN, 4.8);
	eval_at(e, T0 + 5 * MIN + 1000);
	d = incident(e, id, &sup_zhang, 200);
	ck_assert_int_eq(json_array_size(json_object_get(d, "alerts")), 4);
	m = json_array_get(json_object_get(d, "members"), 3);
	ck_assert_str_eq(jstr(m, "code"), "440304001004001");
	ck_assert_str_eq(jstr(m, "dept"), "emergency");
	json_decref(d);
	/* handled, then closed; closed cannot be handled. */
	json_decref(inc_act(e, id, "handle", NULL, &op_lina, 200));
	json_decref(inc_act(e, id, "handle", NULL, &op_lina, 409));
	json_decref(inc_act(e, id, "close",
	    json_pack("{s:s}", "comment", "water gone"), &op_lina, 200));
	json_decref(inc_act(e, id, "nonsense", NULL, &op_lina, 404));
	d = incident(e, id, &sup_zhang, 200);
	ck_assert_str_eq(jstr(d, "state"), "closed");
	json_decref(d);
	/* Each step posted to the lead's webhook (emergency has none). */
	{
		struct alert_reply r;
		char got[128] = "";
		json_t *x;
		size_t i;

		alert_engine_deliveries(e, id, &sup_zhang, &r);
		d = expect_status(&r, 200, "deliveries");
		json_array_foreach(json_object_get(d, "deliveries"), i, x)
		{
			json_t *body = json_object_get(x, "body");

			ck_assert_str_eq(jstr(x, "kind"), "incident");
			ck_assert_str_eq(jstr(body, "dept"), "water");
			ck_assert_str_eq(
			    jstr(json_object_get(body, "incident"), "id"), id);
			strncat(got, jstr(body, "event"),
			    sizeof got - strlen(got) - 2);
			strcat(got, " ");
		}
		ck_assert_str_eq(got, "opened dispatched handled closed ");
		json_decref(d);
	}
	/* A closed incident collects no more: a new grid opens another. */
	put(LEVEL("440304001004002"), T0 + 6 * MIN, 4.8);
	eval_at(e, T0 + 6 * MIN + 1000);
	l = incidents(e, &sup_zhang);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "total")), 3);
	json_decref(l);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_scope_mask)
{
	struct alert_kv *kv;
	struct alert_engine *e = flood(&kv);
	json_t *l = incidents(e, &sup_zhang), *ln;
	char id2[16];

	snprintf(id2, sizeof id2, "%s", inc_id(l, SD2));
	/* lina's scope is subdistrict 001: she sees only its incident. */
	ln = incidents(e, &op_lina);
	ck_assert_int_eq(json_integer_value(json_object_get(ln, "total")), 1);
	ck_assert_str_eq(inc_id(ln, SD1), inc_id(l, SD1));
	json_decref(incident(e, id2, &op_lina, 404));
	json_decref(inc_act(e, id2, "close", NULL, &op_lina, 404));
	json_decref(ln);
	json_decref(l);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_by_hand_and_restart)
{
	struct alert_kv *kv;
	struct alert_engine *e = flood(&kv);
	json_t *body, *d, *a;
	struct alert_reply r;
	char id[16], sid1[16], sid2[16], sid9[16];
	size_t k;

	put(SMOKE(G1), T0 + 4000, 1);
	put(SMOKE(G2), T0 + 4000, 1);
	put(SMOKE(G9), T0 + 4000, 1);
	eval_at(e, T0 + 5000);
	a = alerts_of(e, "smoke", "firing");
	json_array_foreach(json_object_get(a, "alerts"), k, d)
	{
		if (strcmp(jstr(d, "code"), G1) == 0)
			snprintf(sid1, sizeof sid1, "%s", jstr(d, "id"));
		else if (strcmp(jstr(d, "code"), G2) == 0)
			snprintf(sid2, sizeof sid2, "%s", jstr(d, "id"));
		else
			snprintf(sid9, sizeof sid9, "%s", jstr(d, "id"));
	}
	json_decref(a);
	/* An operator of 001 does not see an alert of 002; wang (community
	 * 002001) sees G9's but may not take in 001's. */
	body = json_pack("{s:[s,s]}", "alerts", sid1, sid9);
	alert_engine_incident_new(e, body, &op_lina, &r);
	json_decref(expect_status(&r, 404, "outside view"));
	json_decref(body);
	body = json_pack("{s:[s]}", "alerts", sid1);
	alert_engine_incident_new(e, body, &op_wang, &r);
	json_decref(expect_status(&r, 404, "outside view"));
	json_decref(body);
	/* Already in an incident: 409 naming it. */
	d = only_alert(e, "rainstorm", "firing");
	body = json_pack("{s:[s,s]}", "alerts", sid1, jstr(d, "id"));
	alert_engine_incident_new(e, body, &op_lina, &r);
	ck_assert_int_eq(r.status, 409);
	ck_assert_ptr_nonnull(
	    strstr(jstr(r.body, "error"), jstr(d, "incident")));
	json_decref(r.body);
	json_decref(body);
	json_decref(d);
	/* A district-wide alert is shown to lina, not hers to act on. */
	body = json_pack("{s:s,s:s,s:{s:s},s:s}", "key", "dw/1", "severity",
	    "high", "labels", "system", "fire-iot", "message", "district");
	alert_engine_event(e, body, &collector, &r);
	json_decref(body);
	d = expect_status(&r, 202, "district-wide event");
	body = json_pack("{s:[s]}", "alerts", jstr(d, "id"));
	json_decref(d);
	alert_engine_incident_new(e, body, &op_lina, &r);
	json_decref(expect_status(&r, 403, "district-wide alert, operator"));
	json_decref(body);
	body = json_pack("{s:[s,s],s:s,s:s}", "alerts", sid1, sid2, "title",
	    "smoke in 003", "dept", "fire");
	alert_engine_incident_new(e, body, &viewer_guo, &r);
	json_decref(expect_status(&r, 403, "viewer"));
	alert_engine_incident_new(e, body, &op_lina, &r);
	d = expect_status(&r, 201, "by hand");
	json_decref(body);
	snprintf(id, sizeof id, "%s", jstr(d, "id"));
	ck_assert_str_eq(jstr(d, "code"), "440304001003"); /* shared */
	ck_assert_str_eq(jstr(d, "lead"), "fire");
	json_decref(d);
	/* Restart: the incidents, membership and counter survive. */
	alert_engine_free(e);
	e = test_engine_with(kv, rules, NULL, st, test_clock);
	d = incident(e, id, &op_lina, 200);
	ck_assert_str_eq(jstr(d, "title"), "smoke in 003");
	ck_assert_int_eq(json_array_size(json_object_get(d, "alerts")), 2);
	ck_assert_str_eq(
	    jstr(json_array_get(json_object_get(d, "members"), 0), "incident"),
	    id);
	json_decref(d);
	a = incidents(e, &sup_zhang);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "total")), 3);
	json_decref(a);
	body = json_pack("{s:[s]}", "alerts", sid1);
	alert_engine_incident_new(e, body, &sup_zhang, &r);
	json_decref(expect_status(&r, 409, "still in it after restart"));
	json_decref(body);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

static void
rules_error(const char *inc, const char *want)
{
	char *text = xasprintf(
	    "{\"rules\": [{\"name\": \"r\", \"selector\": \"m\", \"op\": \">\","
	    " \"threshold\": 1, \"severity\": \"high\", \"incident\": %s}]}",
	    inc);
	char *cause = NULL;
	struct alert_rules *rs = alert_rules_parse(
	    "rules.json", text, strlen(text), test_dept_check, NULL, &cause);

	ck_assert_ptr_null(rs);
	ck_assert_msg(cause != NULL && strstr(cause, want) != NULL,
	    "want %s, got %s", want, cause);
	free(cause);
	free(text);
}

START_TEST(test_rules_errors)
{
	rules_error("{\"window\": \"30m\"}",
	    "rules.json:1:102: \"rules[0].incident.group\": missing required");
	rules_error(
	    "{\"group\": \"street\"}", "incident.group\": expected \"grid\"");
	rules_error("{\"group\": \"grid\", \"window\": 0}",
	    "incident.window\": expected a duration above zero");
	rules_error(
	    "{\"group\": \"grid\", \"title\": \"{x\"}", "incident.title\": ");
	rules_error("{\"group\": \"grid\", \"lead\": \"nobody\"}",
	    "incident.lead\": unknown department \"nobody\"");
	rules_error("{\"group\": \"grid\", \"colour\": \"red\"}", "colour");
	rules_error("[]", "incident\": expected an object");
}
END_TEST

static void
setup(void)
{
	test_now = T0;
	store_setup();
}

static Suite *
incidents_suite(void)
{
	Suite *s = suite_create("incidents");
	TCase *tc = tcase_create("incidents");

	tcase_add_checked_fixture(tc, setup, store_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_group_by_subdistrict);
	tcase_add_test(tc, test_window_and_other_rules);
	tcase_add_test(tc, test_lifecycle_and_join);
	tcase_add_test(tc, test_scope_mask);
	tcase_add_test(tc, test_by_hand_and_restart);
	tcase_add_test(tc, test_rules_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(incidents_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
