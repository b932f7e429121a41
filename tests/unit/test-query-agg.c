/* Unit test of hub/query-agg.c: aggregating raw series on the hub (what a
 * native query completed by remote_read does) gives exactly the store's
 * answer, for every aggregation, steps that use each resolution, groups
 * by none, one and two tags, NaN and ties, on random data. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/query-agg.h"
#include "lib/clock.h"
#include "test-store-util.h"

/* The raw series of r as a native query's JSON array. */
static json_t *
raw_json(const struct store_result *r)
{
	json_t *arr = json_array(), *labels, *pts;
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		const struct store_series_result *s = &r->series[i];

		labels = json_object();
		for (k = 0; k < s->ntags; k++)
			json_object_set_new(labels, s->tags[k].name,
			    json_string(s->tags[k].value));
		pts = json_array();
		for (k = 0; k < s->npoints; k++)
			json_array_append_new(
			    pts, json_pack("[I,o]", (json_int_t)s->points[k].t,
			             isnan(s->points[k].v)
			                 ? json_null()
			                 : json_real(s->points[k].v)));
		json_array_append_new(
		    arr, json_pack("{s:o,s:s,s:o}", "labels", labels, "metric",
		             s->metric, "points", pts));
	}
	return arr;
}

static int
same_double(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* The hub's answer j equals the store's r. */
static void
check_same(const struct store_result *r, json_t *j, const char *what)
{
	size_t i, k;

	ck_assert_msg(json_array_size(j) == r->n, "%s: %zu series, store %zu",
	    what, json_array_size(j), r->n);
	for (i = 0; i < r->n; i++) {
		const struct store_series_result *s = &r->series[i];
		json_t *o = json_array_get(j, i), *pts, *v;

		pts = json_object_get(o, "points");
		ck_assert_msg(
		    json_object_size(json_object_get(o, "labels")) == s->ntags,
		    "%s: series %zu labels", what, i);
		for (k = 0; k < s->ntags; k++)
			ck_assert_str_eq(
			    json_string_value(json_object_get(
			        json_object_get(o, "labels"), s->tags[k].name)),
			    s->tags[k].value);
		if (s->metric == NULL)
			ck_assert_int_eq(
			    json_integer_value(json_object_get(o, "series")),
			    (json_int_t)s->nseries);
		ck_assert_msg(json_array_size(pts) == s->npoints,
		    "%s: %s: %zu points, store %zu", what, s->key,
		    json_array_size(pts), s->npoints);
		for (k = 0; k < s->npoints; k++) {
			json_t *p = json_array_get(pts, k);
			double hv;

			v = json_array_get(p, 1);
			hv = json_is_number(v) ? json_number_value(v) : NAN;
			ck_assert_int_eq(
			    json_integer_value(json_array_get(p, 0)),
			    s->points[k].t);
			ck_assert_msg(same_double(hv, s->points[k].v),
			    "%s: %s at %lld: hub %.17g, store %.17g", what,
			    s->key, (long long)s->points[k].t, hv,
			    s->points[k].v);
		}
	}
}

START_TEST(test_agg_matches_store)
{
	struct store *s = tsu_open(tsu_dir(), NULL);
	struct selector *sel = tsu_sel("m");
	struct store_result raw, r;
	int64_t now = clock_wall_ms(), t0 = (now - 5 * 3600000) / 1000 * 1000;
	static const char *keys[] = {"m{g=\"a\",k=\"1\"}", "m{g=\"a\",k=\"2\"}",
	    "m{g=\"b\",k=\"1\"}", "m{g=\"b\"}", "m{k=\"3\"}", "m",
	    "m{g=\"a\",k=\"3\",x=\"y\"}"};
	static const int64_t steps[] = {
	    0, 30000, 60000, 120000, 90000, 3600000, 7200000};
	static const char *by1[] = {"g"}, *by2[] = {"k", "g"};
	const char *const *bys[] = {NULL, by1, by2};
	size_t nbys[] = {0, 1, 2};
	char *cause = NULL;
	size_t i, j;
	json_t *rj, *hj;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		uint32_t id = tsu_intern(s, keys[i]);
		int64_t t = t0 + (int64_t)(tsu_rng() % 60000);

		for (j = 0; j < 600;
		     j++, t += 1000 + (int64_t)(tsu_rng() % 59000)) {
			uint64_t x = tsu_rng();
			double v = x % 17 == 0 ? NAN
			           : x % 5 == 0
			               ? 42.0
			               : (double)(x % 100000) / 7.3 - 3000;

			tsu_write1(s, id, t, v);
		}
	}
	ck_assert_int_eq(
	    store_query_raw(s, sel, 0, now + 3600000, &raw, &cause), 0);
	rj = raw_json(&raw);
	/* A remote store answers series in any order. */
	for (i = json_array_size(rj); i > 1; i--) {
		json_t *x;

		j = tsu_rng() % i;
		x = json_incref(json_array_get(rj, i - 1));
		json_array_set(rj, i - 1, json_array_get(rj, j));
		json_array_set_new(rj, j, x);
	}
	for (i = 0; i < 300; i++) {
		struct store_query q;
		char what[160];
		int g = (int)(tsu_rng() % 4);

		memset(&q, 0, sizeof q);
		q.sel = sel;
		q.agg = (enum store_agg)(1 + tsu_rng() % 6);
		q.step = steps[tsu_rng() % (sizeof steps / sizeof steps[0])];
		q.start = t0 - 600000 + (int64_t)(tsu_rng() % 7200000);
		q.end = q.start + 1 + (int64_t)(tsu_rng() % (6 * 3600000));
		if (g > 0) {
			q.group = 1;
			q.by = bys[g - 1];
			q.nby = nbys[g - 1];
		}
		snprintf(what, sizeof what,
		    "agg %s step %lld group %d [%lld, %lld)",
		    store_agg_name(q.agg), (long long)q.step, g,
		    (long long)q.start, (long long)q.end);
		ck_assert_msg(store_query_run(s, &q, &r, &cause) == 0, "%s: %s",
		    what, cause);
		hj = hub_query_agg(rj, &q, 0);
		check_same(&r, hj, what);
		json_decref(hj);
		store_result_free(&r);
	}
	json_decref(rj);
	store_result_free(&raw);
	selector_free(sel);
	store_close(s);
}
END_TEST

static Suite *
query_agg_suite(void)
{
	Suite *su = suite_create("query-agg");
	TCase *tc = tcase_create("agg");

	tcase_add_checked_fixture(tc, tsu_dir_setup, tsu_dir_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_agg_matches_store);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(query_agg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
