/* Unit tests for hub/alerts/alert-rules: loading, errors with positions,
 * templates; and hub/alerts/alert-silence matchers. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-rules.h"
#include "hub/alerts/alert-silence.h"
#include "lib/xmalloc.h"

static const char good[] =
    "{\n"
    "  \"settings\": {\"eval_interval\": \"5s\", \"flap_window\": \"2m\",\n"
    "    \"ack_within\": {\"high\": \"10m\", \"low\": 0},\n"
    "    \"supervisors_webhook\": \"http://127.0.0.1:9/sup\",\n"
    "    \"webhook_retries\": 3, \"webhook_backoff\": \"250ms\"},\n"
    "  \"departments\": {\"water\": {\"webhook\": \"http://h/w\"},\n"
    "                    \"police\": {}},\n"
    "  \"rules\": [\n"
    "    {\"name\": \"water-level-high\", \"selector\": \"water_level_m\",\n"
    "     \"agg\": \"max\", \"window\": \"5m\", \"op\": \">\",\n"
    "     \"threshold\": 4.5, \"clear\": 4.3, \"for\": \"2m\",\n"
    "     \"by\": [\"grid\"], \"severity\": \"high\", \"dept\": \"water\",\n"
    "     \"support\": [\"police\"],\n"
    "     \"message\": \"water {value:.2f} m > {threshold} m in {place}\"},\n"
    "    {\"name\": \"sensor-silent\", \"type\": \"absence\",\n"
    "     \"selector\": \"water_level_m{system=\\\"water-iot\\\"}\",\n"
    "     \"for\": \"15m\", \"by\": [\"grid\"], \"severity\": \"low\",\n"
    "     \"deadline\": \"24h\"}\n"
    "  ]\n"
    "}\n";

static int
depts(void *arg, const char *d)
{
	return strcmp(d, "water") == 0 || strcmp(d, "police") == 0 ? 0 : -1;
}

START_TEST(test_rules_load_good)
{
	char *cause = NULL;
	struct alert_rules *r = alert_rules_parse(
	    "rules.json", good, strlen(good), depts, NULL, &cause);
	const struct alert_rule *w, *s;

	ck_assert_msg(r != NULL, "%s", cause);
	ck_assert_uint_eq(r->nrules, 2);
	ck_assert_int_eq(r->settings.eval_interval_ms, 5000);
	ck_assert_int_eq(r->settings.flap_window_ms, 120000);
	ck_assert_int_eq(r->settings.ack_within_ms[ALERT_SEV_HIGH], 600000);
	ck_assert_int_eq(r->settings.ack_within_ms[ALERT_SEV_MEDIUM], 3600000);
	ck_assert_int_eq(r->settings.ack_within_ms[ALERT_SEV_LOW], 0);
	ck_assert_int_eq(r->settings.webhook_retries, 3);
	ck_assert_int_eq(r->settings.webhook_backoff_ms, 250);
	ck_assert_str_eq(
	    r->settings.supervisors_webhook, "http://127.0.0.1:9/sup");
	ck_assert_str_eq(alert_rules_webhook(r, "water"), "http://h/w");
	ck_assert_ptr_null(alert_rules_webhook(r, "police"));
	w = alert_rules_find(r, "water-level-high");
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(w->type, ALERT_RULE_THRESHOLD);
	ck_assert_int_eq(w->agg, ALERT_AGG_MAX);
	ck_assert_int_eq(w->op, ALERT_OP_GT);
	ck_assert(w->threshold == 4.5);
	ck_assert(w->has_clear && w->clear == 4.3);
	ck_assert_int_eq(w->for_ms, 120000);
	ck_assert_int_eq(w->window_ms, 300000);
	ck_assert_str_eq(w->by[0], "grid");
	ck_assert_ptr_null(w->by[1]);
	ck_assert_str_eq(w->support[0], "police");
	ck_assert_int_eq(w->deadline_ms, 72LL * 3600 * 1000);
	s = alert_rules_find(r, "sensor-silent");
	ck_assert_int_eq(s->type, ALERT_RULE_ABSENCE);
	ck_assert_int_eq(s->severity, ALERT_SEV_LOW);
	ck_assert_int_eq(s->deadline_ms, 24LL * 3600 * 1000);
	ck_assert_ptr_nonnull(s->message);
	ck_assert_ptr_null(alert_rules_find(r, "nope"));
	alert_rules_free(r);
}
END_TEST

/* Replace the first occurrence of from in good by to and load it. */
static char *
load_error(const char *from, const char *to)
{
	char *text, *p, *cause = NULL;
	struct alert_rules *r;

	p = strstr(good, from);
	ck_assert_msg(p != NULL, "fixture lacks %s", from);
	text = malloc(strlen(good) + strlen(to) + 1);
	memcpy(text, good, (size_t)(p - good));
	strcpy(text + (p - good), to);
	strcat(text, p + strlen(from));
	r = alert_rules_parse(
	    "rules.json", text, strlen(text), depts, NULL, &cause);
	free(text);
	ck_assert_msg(r == NULL, "expected an error for %s", to);
	return cause;
}

#define ERR_IS(from, to, want)                                          \
	do {                                                            \
		char *c_ = load_error(from, to);                        \
		ck_assert_msg(strstr(c_, want) != NULL, "got: %s", c_); \
		free(c_);                                               \
	} while (0)

START_TEST(test_rules_errors_have_positions)
{
	ERR_IS("\"severity\": \"high\"", "\"severity\": \"urgent\"",
	    "rules.json:12:34: \"rules[0].severity\": expected \"high\"");
	ERR_IS("\"op\": \">\"", "\"op\": \"=>\"",
	    "rules.json:10:42: \"rules[0].op\"");
	ERR_IS("\"agg\": \"max\"", "\"agg\": \"median\"",
	    "\"rules[0].agg\": expected avg");
	ERR_IS("\"threshold\": 4.5", "\"threshold\": \"high\"",
	    "\"rules[0].threshold\": expected a number");
	ERR_IS("\"clear\": 4.3", "\"clear\": 4.6", "is itself past");
	ERR_IS("\"dept\": \"water\"", "\"dept\": \"fire\"",
	    "unknown department \"fire\"");
	ERR_IS("\"police\"]", "\"police\", \"army\"]",
	    "unknown department \"army\"");
	ERR_IS("\"for\": \"2m\"", "\"fro\": \"2m\"", "fro\": unknown key");
	ERR_IS("\"support\": [\"police\"]",
	    "\"support\": [\"police\"], \"dept_label\": \"dept\"",
	    "rules.json:13:43: \"rules[0].dept_label\": \"dept\" is not one of "
	    "the rule's \"by\" labels");
	ERR_IS("\"selector\": \"water_level_m\"",
	    "\"selector\": \"water_level_m{grid=}\"", "\"rules[0].selector\"");
	ERR_IS("{value:.2f}", "{value", "unclosed '{'");
	ERR_IS("\"name\": \"sensor-silent\"", "\"name\": \"water-level-high\"",
	    "duplicate rule");
	ERR_IS("\"for\": \"15m\",", "", "an absence rule needs");
	ERR_IS("\"eval_interval\": \"5s\"", "\"eval_interval\": \"10ms\"",
	    "at least 100ms");
	ERR_IS("\"eval_interval\": \"5s\"",
	    "\"eval_interval\": \"5s\", \"deadline\": \"0s\"",
	    "\"settings.deadline\": must be positive");
	ERR_IS("\"high\": \"10m\"", "\"urgent\": \"10m\"", "unknown severity");
	ERR_IS("\"http://h/w\"", "\"ftp://h/w\"", "expected an http://");
	ERR_IS("\"name\": \"water-level-high\"", "\"name\": \"water level\"",
	    "use letters");
}
END_TEST

START_TEST(test_rules_template)
{
	struct alert_rule r;
	char name[] = "water-level-high";
	json_t *labels = json_pack(
	    "{s:s,s:s}", "grid", "440304001003007", "system", "water-iot");
	char *s, err[128];

	memset(&r, 0, sizeof r);
	r.name = name;
	r.threshold = 4.5;
	s = alert_template_expand("{rule}: {value:.2f} > {threshold} at "
	                          "{grid} ({place}) {nope} {value}",
	    &r, labels, 4.8123, "南园街道 / 滨江社区 / 滨江07",
	    "440304001003007");
	ck_assert_str_eq(s, "water-level-high: 4.81 > 4.5 at 440304001003007 "
	                    "(南园街道 / 滨江社区 / 滨江07) ? 4.8123");
	free(s);
	s = alert_template_expand("{value}", &r, labels, NAN, NULL, NULL);
	ck_assert_str_eq(s, "-");
	free(s);
	ck_assert_int_eq(
	    alert_template_check("ok {a} {value:.1f}", err, sizeof err), 0);
	ck_assert_int_eq(alert_template_check("bad }", err, sizeof err), -1);
	ck_assert_int_eq(alert_template_check("bad {}", err, sizeof err), -1);
	ck_assert_int_eq(
	    alert_template_check("{value:.x}", err, sizeof err), -1);
	json_decref(labels);
}
END_TEST

static const char *
label_get(void *arg, const char *name)
{
	return json_string_value(json_object_get(arg, name));
}

START_TEST(test_silence_matchers)
{
	json_t *body, *labels;
	struct alert_silence *s;
	char *cause = NULL;

	body = json_pack("{s:[{s:s,s:s,s:s},{s:s,s:s,s:s}],s:s,s:s}",
	    "matchers", "tag", "grid", "op", "=", "value", "440304001003007",
	    "tag", "rule", "op", "=~", "value", "water-.*", "reason",
	    "pump maintenance", "duration", "2h");
	s = alert_silence_from_api(4, body, 1000000, &cause);
	ck_assert_msg(s != NULL, "%s", cause);
	ck_assert_str_eq(s->id, "S000004");
	ck_assert_int_eq(s->start_ms, 1000000);
	ck_assert_int_eq(s->end_ms, 1000000 + 7200000);
	ck_assert(alert_silence_active(s, 1000000));
	ck_assert(!alert_silence_active(s, 1000000 + 7200000));
	labels = json_pack(
	    "{s:s,s:s}", "grid", "440304001003007", "rule", "water-level-high");
	ck_assert(alert_silence_match(s, label_get, labels));
	json_object_set_new(labels, "rule", json_string("fire-alarm"));
	ck_assert(!alert_silence_match(s, label_get, labels));
	json_decref(labels);
	{
		/* Round trip through the record. */
		json_t *rec = alert_silence_to_json(s, 0);
		struct alert_silence *s2 =
		    alert_silence_from_record(rec, &cause);

		ck_assert_ptr_nonnull(s2);
		ck_assert_uint_eq(s2->n, 2);
		ck_assert_int_eq(s2->end_ms, s->end_ms);
		ck_assert_str_eq(s2->reason, "pump maintenance");
		alert_silence_free(s2);
		json_decref(rec);
	}
	alert_silence_free(s);
	json_decref(body);

	/* Errors. */
	body = json_pack(
	    "{s:[],s:s,s:s}", "matchers", "reason", "x", "duration", "1h");
	ck_assert_ptr_null(alert_silence_from_api(1, body, 0, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "matchers"));
	free(cause);
	json_decref(body);
	body = json_pack("{s:[{s:s,s:s,s:s}],s:s}", "matchers", "tag", "g",
	    "op", "=~", "value", "(", "duration", "1h");
	ck_assert_ptr_null(alert_silence_from_api(1, body, 0, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "regular expression"));
	free(cause);
	json_decref(body);
	body = json_pack("{s:[{s:s,s:s}],s:s}", "matchers", "tag", "g", "value",
	    "x", "reason", "r");
	ck_assert_ptr_null(alert_silence_from_api(1, body, 0, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "\"end\" or \"duration\""));
	free(cause);
	json_decref(body);
	body = json_pack("{s:[{s:s,s:s}],s:s}", "matchers", "tag", "g", "value",
	    "x", "duration", "1h");
	ck_assert_ptr_null(alert_silence_from_api(1, body, 0, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "\"reason\" is required"));
	free(cause);
	json_decref(body);
}
END_TEST

/* The shipped rule files load and their departments exist. */
START_TEST(test_rules_shipped_files)
{
	static const char *const files[] = {
	    "conf/rules.json", "conf/futian/rules.json"};
	const char *top = getenv("top_srcdir");
	struct alert_rules *r;
	char *path, *cause = NULL;
	size_t i;

	for (i = 0; i < 2; i++) {
		path =
		    xasprintf("%s/%s", top != NULL ? top : "../..", files[i]);
		r = alert_rules_load(path, NULL, NULL, &cause);
		ck_assert_msg(r != NULL, "%s", cause);
		ck_assert_uint_ge(r->nrules, 3);
		ck_assert_ptr_nonnull(alert_rules_find(r, "water-level-high"));
		alert_rules_free(r);
		free(path);
	}
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite *s = suite_create("alert-rules");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, test_rules_load_good);
	tcase_add_test(tc, test_rules_errors_have_positions);
	tcase_add_test(tc, test_rules_template);
	tcase_add_test(tc, test_silence_matchers);
	tcase_add_test(tc, test_rules_shipped_files);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
