/*
 * Unit tests for inhibition (issue 17) on a real store: the high water
 * level inhibits the medium warning on the same grid; a subdistrict's
 * rainstorm inhibits the water-level alerts of the grids below it and the
 * lower-severity heavy-rain alert of the same metric and place.
 * Inhibited alerts stay listed with inhibited_by, leave the counts, send
 * no notification, and are released (and notified) when the inhibitor
 * resolves.  Also the rules file's errors for "inhibits", and many
 * alerts firing and resolving in mixed order against a brute-force
 * reference (the engine keeps candidate inhibitors, issue 17's bench).
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "alert-test-util.h"
#include "hub/alerts/alert-internal.h"

#define G1  "440304001003007" /* subdistrict 001 */
#define G2  "440304001003008" /* subdistrict 001 */
#define G9  "440304002001001" /* subdistrict 002 */
#define SD1 "440304001000"

static const char rules[] =
    "{\"departments\": {\"water\": {\"webhook\": \"http://127.0.0.1:1/w\"}},\n"
    " \"rules\": [\n"
    "  {\"name\": \"rainstorm\", \"selector\": \"rain_mm\",\n"
    "   \"agg\": \"last\", \"window\": \"5m\", \"op\": \">\",\n"
    "   \"threshold\": 50, \"by\": [\"subdistrict\"], \"severity\": \"high\",\n"
    "   \"dept\": \"water\",\n"
    "   \"inhibits\": [{\"rules\": [\"water-level-high\",\n"
    "                  \"water-level-warning\"], \"scope\": \"below\"},\n"
    "                {\"scope\": \"same\"}]},\n"
    "  {\"name\": \"heavy-rain\", \"selector\": \"rain_mm\",\n"
    "   \"agg\": \"last\", \"window\": \"5m\", \"op\": \">\",\n"
    "   \"threshold\": 30, \"by\": [\"subdistrict\"], \"severity\": \"low\",\n"
    "   \"dept\": \"water\"},\n"
    "  {\"name\": \"water-level-high\", \"selector\": \"level_m\",\n"
    "   \"agg\": \"last\", \"window\": \"5m\", \"op\": \">\",\n"
    "   \"threshold\": 4.5, \"by\": [\"grid\"], \"severity\": \"high\",\n"
    "   \"dept\": \"water\",\n"
    "   \"inhibits\": [{\"rules\": [\"water-level-warning\"]}]},\n"
    "  {\"name\": \"water-level-warning\", \"selector\": \"level_m\",\n"
    "   \"agg\": \"last\", \"window\": \"5m\", \"op\": \">\",\n"
    "   \"threshold\": 3.5, \"by\": [\"grid\"], \"severity\": \"medium\",\n"
    "   \"dept\": \"water\"}\n"
    " ]}\n";

#define LEVEL(g) "level_m{grid=\"" g "\",system=\"water-iot\"}"
#define RAIN(s)  "rain_mm{subdistrict=\"" s "\",system=\"water-iot\"}"

/* The one active alert of rule on code; new reference. */
static json_t *
alert_on(struct alert_engine *e, const char *rule, const char *code)
{
	json_t *l = alerts_of(e, rule, NULL), *a, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(l, "alerts"), i, a)
	{
		if (strcmp(jstr(a, "code"), code) == 0 &&
		    strcmp(jstr(a, "state"), "resolved") != 0) {
			ck_assert_msg(
			    found == NULL, "two %s on %s", rule, code);
			found = json_incref(a);
		}
	}
	json_decref(l);
	ck_assert_msg(found != NULL, "no %s alert on %s", rule, code);
	return found;
}

/* How many deliveries of kind were queued about alert id. */
static size_t
deliveries(struct alert_engine *e, const char *id, const char *kind)
{
	struct alert_reply r;
	json_t *d;
	size_t i, n = 0;

	alert_engine_deliveries(e, id, &sup_zhang, &r);
	json_array_foreach(json_object_get(r.body, "deliveries"), i, d)
	{
		if (strcmp(jstr(d, "kind"), kind) == 0)
			n++;
	}
	json_decref(r.body);
	return n;
}

/* The listing with ?inhibited=v: the number of alerts, or -status. */
static long
listed_inhibited(struct alert_engine *e, const char *v)
{
	struct alert_reply r;
	struct alert_filter f;
	long n;

	memset(&f, 0, sizeof f);
	f.inhibited = v;
	alert_engine_list(e, &f, &sup_zhang, &r);
	n = r.status == 200
	        ? (long)json_array_size(json_object_get(r.body, "alerts"))
	        : -r.status;
	json_decref(r.body);
	return n;
}

START_TEST(test_same_grid)
{
	struct alert_kv *kv;
	struct alert_engine *e;
	struct hub_alert_counts c;
	json_t *hi, *warn, *warn2;
	char hid[16], wid[16];

	store_setup();
	e = store_engine(&kv, rules);
	put(LEVEL(G1), T0, 5.2);
	put(LEVEL(G2), T0, 3.9);
	eval_at(e, T0 + 1000);
	hi = alert_on(e, "water-level-high", G1);
	warn = alert_on(e, "water-level-warning", G1);
	warn2 = alert_on(e, "water-level-warning", G2);
	snprintf(hid, sizeof hid, "%s", jstr(hi, "id"));
	snprintf(wid, sizeof wid, "%s", jstr(warn, "id"));
	ck_assert_str_eq(jstr(hi, "state"), "firing");
	ck_assert_str_eq(jstr(warn, "state"), "firing");
	ck_assert_str_eq(jstr(warn, "inhibited_by"), hid);
	ck_assert(json_is_null(json_object_get(hi, "inhibited_by")));
	ck_assert(json_is_null(json_object_get(warn2, "inhibited_by")));
	/* Counted: the high one and G2's warning, not G1's warning. */
	alert_engine_counts(e, NULL, NULL, &c);
	ck_assert_uint_eq(c.high, 1);
	ck_assert_uint_eq(c.medium, 1);
	/* Notified: not the inhibited warning. */
	ck_assert_uint_eq(deliveries(e, hid, "fire"), 1);
	ck_assert_uint_eq(deliveries(e, jstr(warn2, "id"), "fire"), 1);
	ck_assert_uint_eq(deliveries(e, wid, "fire"), 0);
	ck_assert_int_eq(listed_inhibited(e, "true"), 1);
	ck_assert_int_eq(listed_inhibited(e, "0"), 2);
	ck_assert_int_eq(listed_inhibited(e, "maybe"), -400);
	json_decref(hi);
	json_decref(warn);
	json_decref(warn2);

	/* The level falls under 4.5: the high alert resolves and the
	 * warning it held is released, counted and notified. */
	put(LEVEL(G1), T0 + 60000, 4.0);
	eval_at(e, T0 + 61000);
	warn = alert_on(e, "water-level-warning", G1);
	ck_assert(json_is_null(json_object_get(warn, "inhibited_by")));
	json_decref(warn);
	alert_engine_counts(e, NULL, NULL, &c);
	ck_assert_uint_eq(c.high, 0);
	ck_assert_uint_eq(c.medium, 2);
	ck_assert_uint_eq(deliveries(e, wid, "fire"), 1);
	ck_assert_int_eq(listed_inhibited(e, "true"), 0);
	alert_engine_free(e);
	alert_kv_free(kv);
	store_teardown();
}
END_TEST

START_TEST(test_rainstorm_below)
{
	struct alert_kv *kv;
	struct alert_engine *e;
	struct hub_alert_counts c;
	json_t *rs, *heavy, *hi1, *hi9;
	char rid[16], h1[16];

	store_setup();
	e = store_engine(&kv, rules);
	put(RAIN(SD1), T0, 70);
	put(LEVEL(G1), T0, 5.0);
	put(LEVEL(G9), T0, 5.0);
	eval_at(e, T0 + 1000);
	rs = alert_on(e, "rainstorm", SD1);
	heavy = alert_on(e, "heavy-rain", SD1);
	hi1 = alert_on(e, "water-level-high", G1);
	hi9 = alert_on(e, "water-level-high", G9);
	snprintf(rid, sizeof rid, "%s", jstr(rs, "id"));
	snprintf(h1, sizeof h1, "%s", jstr(hi1, "id"));
	/* Below the rainstorm's subdistrict: inhibited; elsewhere not. */
	ck_assert_str_eq(jstr(hi1, "inhibited_by"), rid);
	ck_assert(json_is_null(json_object_get(hi9, "inhibited_by")));
	/* Lower severity, same metric, same place: inhibited. */
	ck_assert_str_eq(jstr(heavy, "inhibited_by"), rid);
	ck_assert_uint_eq(deliveries(e, h1, "fire"), 0);
	ck_assert_uint_eq(deliveries(e, jstr(heavy, "id"), "fire"), 0);
	alert_engine_counts(e, NULL, NULL, &c);
	ck_assert_uint_eq(c.high, 2); /* the rainstorm and G9's level */
	ck_assert_uint_eq(c.medium, 0);
	ck_assert_uint_eq(c.low, 0);
	/* The subdistrict's roll-up holds the rainstorm only. */
	alert_engine_counts(e, SD1, NULL, &c);
	ck_assert_uint_eq(c.high, 1);
	json_decref(rs);
	json_decref(heavy);
	json_decref(hi1);
	json_decref(hi9);

	/* The rain stops: the grid's high level is released and notified. */
	put(RAIN(SD1), T0 + 60000, 5);
	eval_at(e, T0 + 61000);
	hi1 = alert_on(e, "water-level-high", G1);
	ck_assert(json_is_null(json_object_get(hi1, "inhibited_by")));
	ck_assert_uint_eq(deliveries(e, h1, "fire"), 1);
	json_decref(hi1);
	alert_engine_counts(e, NULL, NULL, &c);
	ck_assert_uint_eq(c.high, 2);
	alert_engine_free(e);
	alert_kv_free(kv);
	store_teardown();
}
END_TEST

/* The rules file with one rule's "inhibits" member replaced. */
static char *
rules_error(const char *inhibits)
{
	char *text =
	    xasprintf("{\"rules\": [\n"
	              " {\"name\": \"a\", \"selector\": \"m\", \"op\": \">\",\n"
	              "  \"threshold\": 1, \"severity\": \"high\",\n"
	              "  \"inhibits\": %s}]}\n",
	        inhibits);
	char *cause = NULL;
	struct alert_rules *r = alert_rules_parse(
	    "rules.json", text, strlen(text), NULL, NULL, &cause);

	free(text);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(cause);
	return cause;
}

START_TEST(test_rules_errors)
{
	char *c;

	c = rules_error("[{\"rules\": [\"a\", \"nope\"]}]");
	ck_assert_msg(strstr(c, "rules.json:4:") == c &&
	                  strstr(c, "unknown rule \"nope\"") != NULL,
	    "%s", c);
	free(c);
	c = rules_error("[{\"scope\": \"above\"}]");
	ck_assert_msg(strstr(c, "rules.json:4:") == c &&
	                  strstr(c, "\"same\" or \"below\"") != NULL,
	    "%s", c);
	free(c);
	c = rules_error("[{\"rules\": []}]");
	ck_assert_msg(strstr(c, "at least one rule") != NULL, "%s", c);
	free(c);
	c = rules_error("[]");
	ck_assert_msg(strstr(c, "rules.json:4:") == c, "%s", c);
	free(c);
	c = rules_error("[{\"rule\": [\"a\"]}]");
	ck_assert_msg(strstr(c, "rule") != NULL, "%s", c);
	free(c);
	c = rules_error("{}");
	ck_assert_msg(strstr(c, "inhibits") != NULL, "%s", c);
	free(c);
}
END_TEST

/* ---- Many alerts against a brute-force reference ----------------------- */

/* Does s (of this file's rules) inhibit a?  Written from the rules text,
 * not from the engine's code. */
static int
ref_inhibits(const struct alert *s, const struct alert *a)
{
	int rain_a = strcmp(a->rule, "rainstorm") == 0 ||
	             strcmp(a->rule, "heavy-rain") == 0;
	int same =
	    a->code != NULL && s->code != NULL && strcmp(a->code, s->code) == 0;

	if (s == a || s->from_event ||
	    (s->state != ALERT_FIRING && s->state != ALERT_ACKED))
		return 0;
	if (strcmp(s->rule, "rainstorm") == 0)
		return ((strcmp(a->rule, "water-level-high") == 0 ||
		            strcmp(a->rule, "water-level-warning") == 0) &&
		           a->code != NULL &&
		           test_within(NULL, a->code, s->code)) ||
		       (same && rain_a && !a->from_event &&
		           a->severity < s->severity);
	if (strcmp(s->rule, "water-level-high") == 0)
		return same && strcmp(a->rule, "water-level-warning") == 0;
	return 0;
}

/* Every active alert's inhibited_by is the first inhibitor in the
 * engine's alerts order (what a scan of all alerts gives); returns how
 * many are inhibited. */
static size_t
check_reference(struct alert_engine *e, int round)
{
	size_t i, j, n = 0;

	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];
		const char *want = NULL;

		if (!alert_state_active(a->state))
			continue;
		for (j = 0; j < e->nalerts && want == NULL; j++) {
			if (ref_inhibits(e->alerts[j], a))
				want = e->alerts[j]->id;
		}
		ck_assert_msg(
		    (want == NULL) == (a->inhibited_by == NULL) &&
		        (want == NULL || strcmp(want, a->inhibited_by) == 0),
		    "round %d: %s (%s on %s) inhibited by %s, expected %s",
		    round, a->id, a->rule, a->code,
		    a->inhibited_by != NULL ? a->inhibited_by : "none",
		    want != NULL ? want : "none");
		n += want != NULL;
	}
	return n;
}

START_TEST(test_many_reference)
{
	static const char *const sds[] = {"001", "002", "003"};
	static const double rain[] = {10, 40, 70};
	static const double level[] = {3.0, 4.0, 5.0};
	struct alert_kv *kv;
	struct alert_engine *e;
	char key[128];
	size_t k, c, g, inhibited = 0;
	unsigned x = 12345;
	int round;

	store_setup();
	e = store_engine(&kv, rules);
	for (round = 0; round < 40; round++) {
		int64_t t = T0 + (int64_t)round * 60000;

		/* Pseudo-random values: inhibitors and their targets fire and
		 * resolve in mixed order from round to round. */
		for (k = 0; k < 3; k++) {
			x = x * 1103515245u + 12345u;
			snprintf(key, sizeof key,
			    "rain_mm{subdistrict=\"440304%s000\","
			    "system=\"water-iot\"}",
			    sds[k]);
			put(key, t, rain[(x >> 16) % 3]);
			for (c = 1; c <= 2; c++) {
				for (g = 1; g <= 6; g++) {
					x = x * 1103515245u + 12345u;
					snprintf(key, sizeof key,
					    "level_m{grid=\"440304%s%03zu%"
					    "03zu\","
					    "system=\"water-iot\"}",
					    sds[k], c, g);
					put(key, t, level[(x >> 16) % 3]);
				}
			}
		}
		eval_at(e, t + 1000);
		/* Right after the evaluation (no tick): what the fires and
		 * resolutions changed, and only that. */
		inhibited += check_reference(e, round);
		alert_engine_tick(e);
		check_reference(e, round);
	}
	/* The scenario did exercise inhibition. */
	ck_assert_uint_gt(inhibited, 100);
	alert_engine_free(e);
	alert_kv_free(kv);
	store_teardown();
}
END_TEST

static Suite *
inhibit_suite(void)
{
	Suite *s = suite_create("alert-inhibit");
	TCase *tc = tcase_create("inhibit");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_same_grid);
	tcase_add_test(tc, test_rainstorm_below);
	tcase_add_test(tc, test_rules_errors);
	tcase_add_test(tc, test_many_reference);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(inhibit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
