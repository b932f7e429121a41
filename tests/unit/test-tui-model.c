/* Unit tests for the console's decoding of the hub's API documents. */
#include "config.h"

#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "tui/api.h"
#include "tui/model.h"
#include "tui/text.h"

static json_t *
load(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	ck_assert_msg(j != NULL, "bad test JSON: %s", e.text);
	return j;
}

static const char overview_doc[] =
    "{\"time_ms\": 1764248721000,"
    " \"district\": {\"code\": \"440304000000\", \"name\": \"福田区\","
    "   \"name_en\": \"Futian\"},"
    " \"scope\": {\"code\": \"440304000000\", \"name\": \"福田区\","
    "   \"level\": \"district\"},"
    " \"subdistricts\": [{\"code\": \"440304001000\", \"name\": \"南园街道\","
    "   \"name_en\": \"Nanyuan\", \"status\": {\"severity\": \"high\","
    "   \"alerts\": {\"high\": 1, \"medium\": 0, \"low\": 2, \"info\": 0},"
    "   \"last_ms\": 1764248709000, \"age_s\": 12, \"grids\": 110,"
    "   \"grids_silent\": 3}, \"metrics\": {\"aqi\": {\"value\": 42.5,"
    "   \"agg\": \"avg\", \"metric\": \"env_aqi\", \"unit\": \"\"}}},"
    "  {\"code\": \"440304002000\", \"name\": \"园岭街道\","
    "   \"status\": {\"severity\": \"ok\", \"age_s\": null}}],"
    " \"platforms\": [{\"id\": \"monitoring\", \"name\": \"预警监测平台\","
    "   \"systems\": {\"total\": 28, \"up\": 25, \"down\": 1, \"stale\": 1,"
    "   \"unknown\": 1}}],"
    " \"alerts\": {\"high\": 1, \"medium\": 4, \"low\": 9, \"info\": 0,"
    "   \"total\": 14},"
    " \"ingest\": {\"points_per_s\": 41230.5, \"lines_per_s\": 10307.1,"
    "   \"rejected_per_s\": 0.0, \"points_total\": 123456789},"
    " \"freshness\": {\"last_ms\": 1764248720500, \"age_s\": 0,"
    "   \"systems_stale\": 1, \"series_silent\": 7},"
    " \"quality\": {\"rejected_total\": 12, \"duplicates_total\": 3,"
    "   \"late_total\": 40}}";

START_TEST(test_overview)
{
	struct model_overview ov;
	char *cause = NULL;

	ck_assert_int_eq(
	    model_overview_decode(load(overview_doc), &ov, &cause), 0);
	ck_assert_uint_eq(ov.nsubs, 2);
	ck_assert_str_eq(ov.subs[0].name, "南园街道");
	ck_assert_int_eq(ov.subs[0].sev, SEV_HIGH);
	ck_assert_uint_eq(ov.subs[0].alerts.low, 2);
	ck_assert_int_eq(ov.subs[0].grids_silent, 3);
	ck_assert(fabs(model_node_metric(&ov.subs[0], "aqi") - 42.5) < 1e-9);
	ck_assert(isnan(model_node_metric(&ov.subs[0], "water")));
	ck_assert_str_eq(ov.subs[0].metrics[0].metric, "env_aqi");
	ck_assert_int_eq(ov.subs[1].age_s, -1); /* null: never had data */
	ck_assert_int_eq(ov.subs[1].sev, SEV_OK);
	ck_assert_uint_eq(ov.nplatforms, 1);
	ck_assert_int_eq(ov.platforms[0].down, 1);
	ck_assert_uint_eq(ov.alerts_total, 14);
	ck_assert(fabs(ov.points_per_s - 41230.5) < 1e-9);
	ck_assert_int_eq(ov.series_silent, 7);
	ck_assert_int_eq(ov.late_total, 40);
	model_overview_free(&ov);
	model_overview_free(&ov); /* safe twice */
}
END_TEST

START_TEST(test_overview_bad)
{
	struct model_overview ov;
	char *cause = NULL;

	ck_assert_int_eq(model_overview_decode(load("[1,2]"), &ov, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(
	    model_overview_decode(load("{\"x\":1}"), &ov, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "subdistricts"));
	free(cause);
}
END_TEST

START_TEST(test_tree_grid)
{
	static const char doc[] =
	    "{\"node\": {\"code\": \"440304001003007\", \"level\": \"grid\","
	    " \"name\": \"滨江07\", \"parent\": \"440304001003\","
	    " \"status\": {\"severity\": \"medium\", \"alerts\": {\"medium\": "
	    "1}},"
	    " \"metrics\": {\"water_level_m\": {\"value\": 4.62}},"
	    " \"people\": {\"police\": {\"name\": \"陈警官\", \"phone\": \"1\","
	    "   \"station\": \"南园派出所\"}, \"grid_worker\": {\"name\": "
	    "\"李娜\"}},"
	    " \"systems\": [{\"id\": \"water-level-iot\", \"name\": "
	    "\"内涝\"}]},"
	    " \"path\": [{\"code\": \"440304000000\", \"name\": \"福田区\"},"
	    "   {\"code\": \"440304001000\", \"name\": \"南园街道\"},"
	    "   {\"code\": \"440304001003\", \"name\": \"滨江社区\"}],"
	    " \"children\": []}";
	struct model_tree t;
	char *cause = NULL;

	ck_assert_int_eq(model_tree_decode(load(doc), &t, &cause), 0);
	ck_assert_str_eq(t.node.code, "440304001003007");
	ck_assert_int_eq(t.node.sev, SEV_MEDIUM);
	ck_assert_uint_eq(t.npath, 3);
	ck_assert_str_eq(t.path[2].name, "滨江社区");
	ck_assert_uint_eq(t.nchildren, 0);
	ck_assert_uint_eq(t.npeople, 2);
	/* Known roles in a fixed order whatever the JSON order. */
	ck_assert_str_eq(t.people[0].role, "grid_worker");
	ck_assert_str_eq(t.people[1].station, "南园派出所");
	ck_assert_uint_eq(t.nsystems, 1);
	ck_assert_str_eq(t.systems[0].id, "water-level-iot");
	model_tree_free(&t);
}
END_TEST

START_TEST(test_alerts)
{
	static const char doc[] =
	    "{\"alerts\": [{\"id\": \"A000123\", \"rule\": "
	    "\"water-level-high\","
	    " \"state\": \"acknowledged\", \"severity\": \"high\","
	    " \"silenced\": false, \"escalated\": true,"
	    " \"escalation_step\": 2, \"escalated_to\": \"role:supervisor\","
	    " \"labels\": {\"grid\": \"440304001003007\", \"system\": \"w\"},"
	    " \"code\": \"440304001003007\", \"place\": \"南园街道 / 滨江07\","
	    " \"message\": \"water level 4.80 m\", \"value\": 4.8,"
	    " \"started_ms\": 1764248700000,"
	    " \"ack\": {\"by\": \"zhangwei\", \"via\": \"uid\","
	    "   \"at_ms\": 1764248800000, \"comment\": \"on it\"}},"
	    " {\"id\": \"A000124\", \"severity\": \"low\", \"ack\": null}],"
	    " \"total\": 2, \"groups\": [{\"key\": \"g\", \"count\": 6,"
	    "   \"severity\": \"high\"}]}";
	struct model_alerts a;
	char *cause = NULL;

	ck_assert_int_eq(model_alerts_decode(load(doc), &a, &cause), 0);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_str_eq(a.v[0].id, "A000123");
	ck_assert_int_eq(a.v[0].sev, SEV_HIGH);
	ck_assert_int_eq(a.v[0].escalated, 1);
	ck_assert_uint_eq(a.v[0].escalation_step, 2);
	ck_assert_str_eq(a.v[0].escalated_to, "role:supervisor");
	ck_assert_uint_eq(a.v[1].escalation_step, 0);
	ck_assert_str_eq(a.v[0].grid, "440304001003007");
	ck_assert_str_eq(a.v[0].ack_by, "zhangwei");
	ck_assert_str_eq(a.v[0].ack_comment, "on it");
	ck_assert_ptr_null(a.v[1].ack_by);
	ck_assert_str_eq(a.v[1].state, "?"); /* missing: never NULL */
	ck_assert_uint_eq(a.ngroups, 1);
	ck_assert_uint_eq(a.groups[0].count, 6);
	model_alerts_free(&a);
}
END_TEST

START_TEST(test_alert_detail)
{
	static const char doc[] =
	    "{\"id\": \"A1\", \"state\": \"firing\", \"severity\": \"medium\","
	    " \"depts\": [{\"dept\": \"water\", \"role\": \"lead\","
	    "   \"state\": \"acknowledged\", \"by\": \"zhangwei\"},"
	    "  {\"dept\": \"police\", \"role\": \"support\", \"state\": "
	    "\"pending\"}],"
	    " \"history\": [{\"at_ms\": 1, \"who\": \"system\", \"action\": "
	    "\"fire\","
	    "   \"before\": {\"state\": \"pending\"}, \"after\": {\"state\": "
	    "\"firing\"}},"
	    "  {\"at_ms\": 2, \"who\": \"lina\", \"action\": \"close\","
	    "   \"reason\": \"false alarm\"}]}";
	struct model_alert_detail d;
	struct buf b = BUF_INIT;
	char *cause = NULL;

	ck_assert_int_eq(model_alert_detail_decode(load(doc), &d, &cause), 0);
	ck_assert_uint_eq(d.nhistory, 2);
	ck_assert_str_eq(d.history[0].action, "fire");
	ck_assert_str_eq(d.history[1].comment, "false alarm");
	ck_assert_uint_eq(d.ndepts, 2);
	ck_assert_str_eq(d.depts[1].state, "pending");
	model_json_brief(&b, d.history[0].after);
	ck_assert_str_eq(buf_str(&b), "state=firing");
	buf_reset(&b);
	model_json_diff(&b, d.history[0].before, d.history[0].after);
	ck_assert_str_eq(buf_str(&b), "state=pending->firing");
	buf_free(&b);
	model_alert_detail_free(&d);
	/* Times in epoch milliseconds show as local times, not numbers. */
	{
		json_t *before = json_pack(
		           "{s:I}", "deadline_ms", (json_int_t)1764248800000LL),
		       *after = json_pack("{s:I,s:i}", "deadline_ms",
		           (json_int_t)1764507900000LL, "window_ms", 600000);
		char want[128];
		time_t t1 = 1764248800, t2 = 1764507900;
		struct tm tm1, tm2;
		char w1[32], w2[32];

		localtime_r(&t1, &tm1);
		localtime_r(&t2, &tm2);
		strftime(w1, sizeof w1, "%m-%d %H:%M:%S", &tm1);
		strftime(w2, sizeof w2, "%m-%d %H:%M:%S", &tm2);
		snprintf(want, sizeof want,
		    "deadline_ms=%s->%s window_ms=-->600000", w1, w2);
		model_json_diff(&b, before, after);
		ck_assert_str_eq(buf_str(&b), want);
		buf_free(&b);
		json_decref(before);
		json_decref(after);
	}
}
END_TEST

START_TEST(test_query_grids_map)
{
	static const char q[] =
	    "{\"start_ms\": 0, \"end_ms\": 10, \"step_ms\": 5, \"series\": ["
	    " {\"metric\": \"env_aqi\", \"labels\": {\"subdistrict\": \"S1\"},"
	    "  \"points\": [[0, 1.5], [5, null], [10, 3]]}]}";
	static const char g[] =
	    "{\"grids\": [{\"code\": \"440304001001001\", \"name\": \"东园01\","
	    " \"subdistrict\": \"440304001000\", \"alerts\": {\"low\": 1},"
	    " \"age_s\": 14, \"metrics\": {\"aqi\": 41.0}}]}";
	static const char m[] =
	    "{\"rows\": [[null, \"440304007000\"], [\"440304006000\"]]}";
	struct model_query mq;
	struct model_grids mg;
	struct model_map mm;
	char *cause = NULL;

	ck_assert_int_eq(model_query_decode(load(q), &mq, &cause), 0);
	ck_assert_uint_eq(mq.nseries, 1);
	ck_assert_uint_eq(mq.series[0].n, 3);
	ck_assert(isnan(mq.series[0].v[1]));
	ck_assert_str_eq(
	    model_series_label(&mq.series[0], "subdistrict"), "S1");
	model_query_free(&mq);

	ck_assert_int_eq(model_grids_decode(load(g), &mg, &cause), 0);
	ck_assert_uint_eq(mg.n, 1);
	/* No "severity": the worst count decides. */
	ck_assert_int_eq(mg.v[0].sev, SEV_LOW);
	ck_assert(fabs(model_grid_metric(&mg.v[0], "aqi") - 41.0) < 1e-9);
	ck_assert(isnan(model_grid_metric(&mg.v[0], "noise")));
	model_grids_free(&mg);

	ck_assert_int_eq(model_map_decode(load(m), &mm, &cause), 0);
	ck_assert_int_eq(mm.rows, 2);
	ck_assert_int_eq(mm.cols, 2);
	ck_assert_ptr_null(mm.cells[0]);
	ck_assert_str_eq(mm.cells[1], "440304007000");
	ck_assert_str_eq(mm.cells[2], "440304006000");
	ck_assert_ptr_null(mm.cells[3]);
	model_map_free(&mm);
}
END_TEST

START_TEST(test_label_locale)
{
	text_set_utf8(1);
	ck_assert_str_eq(
	    model_label("南园街道", "Nanyuan", "4403"), "南园街道");
	text_set_utf8(0);
	ck_assert_str_eq(model_label("南园街道", "Nanyuan", "4403"), "Nanyuan");
	ck_assert_str_eq(
	    model_label("东园01", NULL, "440304001001001"), "440304001001001");
	text_set_utf8(1);
}
END_TEST

START_TEST(test_error_text)
{
	json_t *b = load("{\"error\": \"already acknowledged by lina\"}");
	char *t = api_error_text(409, b, NULL);

	ck_assert_str_eq(t, "409: already acknowledged by lina");
	free(t);
	json_decref(b);
	t = api_error_text(0, NULL, "Couldn't connect to server");
	ck_assert_ptr_nonnull(strstr(t, "unreachable"));
	free(t);
	t = api_escape("env_aqi{subdistrict=\"4\"}");
	ck_assert_str_eq(t, "env_aqi%7Bsubdistrict%3D%224%22%7D");
	free(t);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("tui-model");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_overview);
	tcase_add_test(tc, test_overview_bad);
	tcase_add_test(tc, test_tree_grid);
	tcase_add_test(tc, test_alerts);
	tcase_add_test(tc, test_alert_detail);
	tcase_add_test(tc, test_query_grids_map);
	tcase_add_test(tc, test_label_locale);
	tcase_add_test(tc, test_error_text);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	setlocale(LC_ALL, "C.UTF-8");
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
