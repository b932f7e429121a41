/*
 * The response report (hub/alerts/report.h) against figures computed by
 * hand from a scripted history: events, a case and operator actions on the
 * fake clock, then every row's counts, medians and 90th percentiles
 * (nearest rank), shares, overdue counts and escalations asserted exactly;
 * the window, the scope, and the parameters' errors.
 */
#include "config.h"

#include "alert-engine-util.h"
#include "hub/alerts/case.h"
#include "hub/alerts/report-record.h"
#include "hub/alerts/report.h"

#define G1 "440304001001001" /* subdistrict 440304001000 */
#define G2 "440304002001001" /* subdistrict 440304002000 */
#define M  MIN

static const char report_rules[] =
    "{\"settings\": {\"ack_within\": {\"high\": \"15m\", \"medium\": "
    "\"1h\", \"low\": 0}},\n"
    " \"rules\": [],\n"
    " \"case_categories\": [\n"
    "  {\"id\": \"street-vending\", \"dept\": \"city\", \"support\": "
    "[\"police\"], \"time_limit\": \"24h\", \"severity\": \"low\"}]}\n";

static int64_t B; /* the scripted day starts here */

static void
at(int minutes)
{
	test_now = B + minutes * M;
}

/* An event dispatched (dept may be NULL) with a deadline; its id. */
static char *
ev(struct alert_engine *e, const char *key, const char *grid, const char *sev,
    const char *dept, const char *support, const char *deadline)
{
	struct alert_reply r;
	json_t *body = json_pack("{s:s,s:s,s:{s:s,s:s},s:s}", "key", key,
	    "severity", sev, "labels", "grid", grid, "system", "fire-iot",
	    "message", "scripted");
	char *id;

	if (dept != NULL)
		json_object_set_new(body, "dept", json_string(dept));
	if (support != NULL)
		json_object_set_new(body, "support", json_pack("[s]", support));
	if (deadline != NULL)
		json_object_set_new(body, "deadline", json_string(deadline));
	alert_engine_event(e, body, &collector, &r);
	json_decref(body);
	expect_status(&r, 202, key);
	id = xstrdup(jstr(r.body, "id"));
	json_decref(r.body);
	return id;
}

static void
resolve(struct alert_engine *e, const char *key)
{
	struct alert_reply r;
	json_t *body = json_pack("{s:s,s:s}", "key", key, "state", "resolved");

	alert_engine_event(e, body, &collector, &r);
	json_decref(body);
	json_decref(expect_status(&r, 202, "resolve"));
}

static void
ok(struct alert_engine *e, const char *id, const char *action, json_t *body)
{
	json_decref(act(e, id, action, body, &sup_zhang, 200));
}

/* The report (by, since) for who; caller decrefs. */
static json_t *
report(struct alert_engine *e, const char *by, const char *since,
    const struct alert_actor *who)
{
	struct report_params p;
	struct alert_reply r;
	char *cause = NULL;

	ck_assert_msg(
	    report_params_parse(since, by, &p, &cause) == 0, "%s", cause);
	alert_engine_report(e, &p, who, &r);
	return expect_status(&r, 200, "report");
}

static json_t *
row(json_t *rep, const char *key)
{
	json_t *w;
	size_t i;

	json_array_foreach(json_object_get(rep, "rows"), i, w)
	{
		if (strcmp(jstr(w, "key"), key) == 0)
			return w;
	}
	ck_abort_msg("no row %s", key);
	return NULL;
}

static long long
num(json_t *w, const char *k)
{
	json_t *v = json_object_get(w, k);

	ck_assert_msg(json_is_integer(v), "%s: not an integer", k);
	return (long long)json_integer_value(v);
}

/* Counts: dispatched alerts cases acknowledged resolved due in_time
 * overdue open_overdue escalations. */
static void
counts(json_t *w, long long d, long long al, long long cs, long long ak,
    long long rs, long long due, long long it, long long ov, long long oo,
    long long esc)
{
	ck_assert_int_eq(num(w, "dispatched"), d);
	ck_assert_int_eq(num(w, "alerts"), al);
	ck_assert_int_eq(num(w, "cases"), cs);
	ck_assert_int_eq(num(w, "acknowledged"), ak);
	ck_assert_int_eq(num(w, "resolved"), rs);
	ck_assert_int_eq(num(w, "due"), due);
	ck_assert_int_eq(num(w, "in_time"), it);
	ck_assert_int_eq(num(w, "overdue"), ov);
	ck_assert_int_eq(num(w, "open_overdue"), oo);
	ck_assert_int_eq(num(w, "escalations"), esc);
}

/* Times in minutes; -1: null. */
static void
times(json_t *w, int ack50, int ack90, int res50, int res90)
{
	static const char *const k[] = {
	    "ack_p50_ms", "ack_p90_ms", "resolve_p50_ms", "resolve_p90_ms"};
	int want[4] = {ack50, ack90, res50, res90}, i;

	for (i = 0; i < 4; i++) {
		if (want[i] < 0)
			ck_assert_msg(json_is_null(json_object_get(w, k[i])),
			    "%s: expected null", k[i]);
		else
			ck_assert_int_eq(num(w, k[i]), want[i] * M);
	}
}

static void
share(json_t *w, double want)
{
	json_t *v = json_object_get(w, "in_time_share");

	if (want < 0) {
		ck_assert(json_is_null(v));
		return;
	}
	ck_assert_msg(json_is_real(v), "in_time_share: not a number");
	ck_assert_double_eq_tol(json_real_value(v), want, 1e-9);
}

/*
 * The script (minutes after B; the old alert O two days before):
 *   O   G1 water, deadline 1h, resolved after 30 min (outside 1 day)
 *   0   A1 G1 medium water 2h; A2 G1 medium water 1h; A4 G1 high police 4h;
 *       A5 G2 low, undispatched; A6 G1 medium, never dispatched;
 *       C1 case G1 street-vending: city, support police, 24h
 *   5   A3 G2 medium water + police, 2h
 *   10 ack A1   16 tick: A4 escalates   20 ack A3 (police's part)
 *   25 ack A3 (water's part)   30 ack A2   40 dispatch A5 to water, 1h
 *   50 ack A5   60 A1 resolved   70 A5 resolved   90 A2 resolved
 *   100 close A4   120 police reports on C1   200 city acks C1
 *   600 tick; the report
 */
static struct alert_engine *
script(struct alert_kv *kv)
{
	struct alert_engine *e;
	char *a[7];
	json_t *c;
	int i;

	B = T0 + 2 * 24 * 60 * M;
	test_now = T0;
	e = test_engine(kv, report_rules, NULL);
	a[0] = ev(e, "flood/" G1 "/old", G1, "medium", "water", NULL, "1h");
	test_now = T0 + 30 * M;
	resolve(e, "flood/" G1 "/old");
	at(0);
	a[1] = ev(e, "flood/" G1 "/1", G1, "medium", "water", NULL, "2h");
	a[2] = ev(e, "flood/" G1 "/2", G1, "medium", "water", NULL, "1h");
	a[4] = ev(e, "smoke/" G1 "/4", G1, "high", "police", NULL, "4h");
	a[5] = ev(e, "flood/" G2 "/5", G2, "low", NULL, NULL, NULL);
	a[6] = ev(e, "flood/" G1 "/6", G1, "medium", NULL, NULL, NULL);
	c = json_pack("{s:s,s:s,s:s}", "text", "stalls on the pavement",
	    "category", "street-vending", "source", "hotline");
	{
		struct alert_reply r;

		alert_engine_case_new(e, c, G1, &sup_zhang, &r);
		json_decref(c);
		c = expect_status(&r, 201, "case");
	}
	at(5);
	a[3] = ev(e, "flood/" G2 "/3", G2, "medium", "water", "police", "2h");
	at(10);
	ok(e, a[1], "ack", NULL);
	at(16);
	alert_engine_tick(e);
	at(20);
	ok(e, a[3], "ack", json_pack("{s:s}", "dept", "police"));
	at(25);
	ok(e, a[3], "ack", json_pack("{s:s}", "dept", "water"));
	at(30);
	ok(e, a[2], "ack", NULL);
	at(40);
	ok(e, a[5], "dispatch",
	    json_pack("{s:s,s:s}", "dept", "water", "deadline", "1h"));
	at(50);
	ok(e, a[5], "ack", NULL);
	at(60);
	resolve(e, "flood/" G1 "/1");
	at(70);
	resolve(e, "flood/" G2 "/5");
	at(90);
	resolve(e, "flood/" G1 "/2");
	at(100);
	ok(e, a[4], "close", json_pack("{s:s}", "reason", "false alarm"));
	at(120);
	ok(e, jstr(c, "id"), "report",
	    json_pack("{s:s,s:s}", "dept", "police", "report", "moved on"));
	at(200);
	ok(e, jstr(c, "id"), "ack", json_pack("{s:s}", "dept", "city"));
	at(600);
	alert_engine_tick(e);
	json_decref(c);
	for (i = 0; i < 7; i++)
		free(a[i]);
	return e;
}

START_TEST(test_by_dept)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e = script(kv);
	json_t *rep = report(e, NULL, NULL, &sup_zhang), *w;

	ck_assert_str_eq(jstr(rep, "by"), "dept");
	ck_assert_int_eq(num(rep, "since_ms"), 7 * 24 * 60 * M);
	rep = (json_decref(rep), report(e, "dept", "1d", &sup_zhang));
	ck_assert_int_eq(num(rep, "to_ms"), B + 600 * M);
	ck_assert_int_eq(num(rep, "from_ms"), B + 600 * M - 24 * 60 * M);
	ck_assert_uint_eq(json_array_size(json_object_get(rep, "rows")), 3);
	/* water: A1 A2 A3 (lead) A5; acks 10 30 20 10, resolutions 60 90 30;
	 * A1 A5 in time, A2 late, A3 open past its deadline. */
	w = json_array_get(json_object_get(rep, "rows"), 0);
	ck_assert_str_eq(jstr(w, "key"), "water");
	counts(w, 4, 4, 0, 4, 3, 4, 2, 2, 1, 0);
	times(w, 10, 30, 60, 90);
	share(w, 0.5);
	/* police: A3 (support, its part acked at 20), A4 (lead, never
	 * acked, escalated once, closed at 100 in time), C1 (support,
	 * reported at 120, open, not yet due). */
	w = row(rep, "police");
	counts(w, 3, 2, 1, 2, 1, 2, 1, 1, 1, 1);
	times(w, 15, 120, 100, 100);
	share(w, 0.5);
	/* city: C1's lead, acked after 200 min, open, not due. */
	w = row(rep, "city");
	counts(w, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0);
	times(w, 200, 200, -1, -1);
	share(w, -1);
	/* total: each once, its first ack: 10 30 15 10 200 (A4 none);
	 * resolutions 60 90 100 30. */
	w = json_object_get(rep, "total");
	counts(w, 6, 5, 1, 5, 4, 5, 3, 2, 1, 1);
	times(w, 15, 200, 60, 100);
	share(w, 0.6);
	json_decref(rep);

	/* Three days: the old alert joins water (ack none, 30 min, in time). */
	rep = report(e, "dept", "3d", &sup_zhang);
	w = row(rep, "water");
	counts(w, 5, 5, 0, 4, 4, 5, 3, 2, 1, 0);
	times(w, 10, 30, 30, 90);
	json_decref(rep);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_by_subdistrict_rule_scope)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e = script(kv);
	json_t *rep = report(e, "subdistrict", "1d", &sup_zhang), *w;

	w = row(rep, "440304001000"); /* A1 A2 A4 C1 */
	ck_assert_str_eq(jstr(w, "place"), "P:440304001000");
	counts(w, 4, 3, 1, 3, 3, 3, 2, 1, 0, 1);
	times(w, 30, 200, 90, 100);
	share(w, 2.0 / 3.0);
	w = row(rep, "440304002000"); /* A3 A5 */
	counts(w, 2, 2, 0, 2, 1, 2, 1, 1, 1, 0);
	times(w, 10, 15, 30, 30);
	share(w, 0.5);
	json_decref(rep);

	rep = report(e, "rule", "1d", &sup_zhang);
	counts(row(rep, "flood"), 4, 4, 0, 4, 3, 4, 2, 2, 1, 0);
	counts(row(rep, "smoke"), 1, 1, 0, 0, 1, 1, 1, 0, 0, 1);
	counts(row(rep, "case"), 1, 0, 1, 1, 0, 0, 0, 0, 0, 0);
	json_decref(rep);

	/* Scoped: Nanyuan's operator sees G1's four, nothing of G2. */
	rep = report(e, "subdistrict", "1d", &op_lina);
	ck_assert_uint_eq(json_array_size(json_object_get(rep, "rows")), 1);
	counts(json_object_get(rep, "total"), 4, 3, 1, 3, 3, 3, 2, 1, 0, 1);
	json_decref(rep);
	/* A community of subdistrict 002: A3 and A5 only. */
	rep = report(e, "dept", "1d", &op_wang);
	counts(json_object_get(rep, "total"), 2, 2, 0, 2, 1, 2, 1, 1, 1, 0);
	counts(row(rep, "police"), 1, 1, 0, 1, 0, 1, 0, 1, 1, 0);
	json_decref(rep);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

static const char *
jnull(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
same_str(const char *a, const char *b, const char *what)
{
	ck_assert_msg((a == NULL && b == NULL) ||
	                  (a != NULL && b != NULL && strcmp(a, b) == 0),
	    "%s: \"%s\" vs \"%s\"", what, a ? a : "(null)", b ? b : "(null)");
}

/* The report's reader sees in each record what jansson sees. */
static int
reader_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct report_record *r = arg;
	json_t *j = json_loadb(val, len, 0, NULL), *h, *d, *v;
	size_t i, k;

	ck_assert_ptr_nonnull(j);
	ck_assert_msg(report_record_decode(r, val, len) == 0, "%s", key);
	same_str(r->source, jnull(j, "source"), "source");
	same_str(r->state, jnull(j, "state"), "state");
	same_str(r->code, jnull(j, "code"), "code");
	same_str(r->rule, jnull(j, "rule"), "rule");
	same_str(r->subdistrict,
	    jnull(json_object_get(j, "labels"), "subdistrict"), "subdistrict");
	ck_assert_int_eq(
	    r->ended_ms, json_integer_value(json_object_get(j, "ended_ms")));
	ck_assert_int_eq(r->deadline_ms,
	    json_integer_value(json_object_get(j, "deadline_ms")));
	ck_assert_uint_eq(
	    r->ndepts, json_array_size(json_object_get(j, "depts")));
	json_array_foreach(json_object_get(j, "depts"), i, d)
	{
		same_str(r->depts[i].dept, jnull(d, "dept"), "dept");
		ck_assert_int_eq(
		    r->depts[i].lead, strcmp(jnull(d, "role"), "lead") == 0);
	}
	ck_assert_uint_eq(
	    r->nhist, json_array_size(json_object_get(j, "history")));
	json_array_foreach(json_object_get(j, "history"), i, h)
	{
		json_t *after = json_object_get(h, "after");

		ck_assert_int_eq(r->hist[i].at_ms,
		    json_integer_value(json_object_get(h, "at_ms")));
		same_str(r->hist[i].action, jnull(h, "action"), "action");
		same_str(r->hist[i].dept, jnull(after, "dept"), "after.dept");
		same_str(r->hist[i].dept_acked, jnull(after, "dept_acked"),
		    "after.dept_acked");
		ck_assert_uint_eq(r->hist[i].nsupport,
		    json_array_size(json_object_get(after, "support")));
		json_array_foreach(json_object_get(after, "support"), k, v)
		    same_str(r->supports[r->hist[i].support + k],
		        json_string_value(v), "support");
	}
	json_decref(j);
	return 0;
}

START_TEST(test_reader)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e = script(kv);
	struct report_record r;
	char *cause = NULL;

	report_record_init(&r);
	ck_assert_int_eq(
	    alert_kv_scan(kv, "alert/", NULL, reader_cb, &r, &cause), 0);
	/* Refused: not an object, truncated, a wrong type, trailing text. */
	ck_assert_int_eq(report_record_decode(&r, "[]", 2), -1);
	ck_assert_int_eq(report_record_decode(&r, "{\"state\":\"fi", 12), -1);
	ck_assert_int_eq(report_record_decode(&r, "{\"state\":5}", 11), -1);
	ck_assert_int_eq(report_record_decode(&r, "{} x", 4), -1);
	ck_assert_int_eq(
	    report_record_decode(&r, "{\"ended_ms\":1.5}", 16), -1);
	/* Escapes decoded. */
	ck_assert_int_eq(report_record_decode(
	                     &r, "{\"rule\":\"\\u5185\\ud83d\\ude00\\n\"}", 31),
	    0);
	ck_assert_str_eq(r.rule, "内\xf0\x9f\x98\x80\n");
	report_record_free(&r);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_percentile)
{
	int64_t v1[] = {7}, v4[] = {1, 2, 3, 4},
	        v10[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

	ck_assert_int_eq(report_percentile(v1, 1, 50), 7);
	ck_assert_int_eq(report_percentile(v1, 1, 90), 7);
	ck_assert_int_eq(report_percentile(v4, 4, 50), 2);
	ck_assert_int_eq(report_percentile(v4, 4, 90), 4);
	ck_assert_int_eq(report_percentile(v10, 10, 50), 5);
	ck_assert_int_eq(report_percentile(v10, 10, 90), 9);
	ck_assert_int_eq(report_percentile(v10, 9, 90), 9);
	ck_assert_int_eq(report_percentile(v10, 10, 100), 10);
}
END_TEST

static void
bad(const char *since, const char *by, const char *want)
{
	struct report_params p;
	char *cause = NULL;

	ck_assert_int_eq(report_params_parse(since, by, &p, &cause), -1);
	ck_assert_msg(
	    strstr(cause, want) != NULL, "\"%s\" lacks \"%s\"", cause, want);
	free(cause);
}

START_TEST(test_params)
{
	struct report_params p;
	char *cause = NULL;

	ck_assert_int_eq(report_params_parse("30d", "rule", &p, &cause), 0);
	ck_assert_int_eq(p.since_ms, 30 * 24 * 60 * M);
	ck_assert_int_eq(p.by, REPORT_BY_RULE);
	bad("7x", NULL, "\"since\": expected a duration");
	bad("", NULL, "\"since\"");
	bad("30s", NULL, "\"since\"");
	bad("401d", NULL, "\"since\"");
	bad("-1d", NULL, "\"since\"");
	bad(NULL, "team",
	    "\"by\": expected \"dept\", \"subdistrict\" or "
	    "\"rule\", not \"team\"");
	bad(NULL, "", "\"by\"");
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_by_dept);
	tcase_add_test(tc, test_by_subdistrict_rule_scope);
	tcase_add_test(tc, test_reader);
	tcase_add_test(tc, test_percentile);
	tcase_add_test(tc, test_params);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
