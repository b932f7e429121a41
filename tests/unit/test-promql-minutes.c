/*
 * Unit test of hub/promql/func-minutes.c: rate, increase and delta over
 * whole-minute windows from per-minute summaries (store/rate-minute.h)
 * equal Prometheus's extrapolatedRate over the raw points
 * (promql_extrapolate), on random series with counter resets inside and
 * between minutes, points exactly on minute boundaries, gaps, negative
 * values and NaN; exactly for integer values, within float rounding for
 * decimals (several resets of one minute are added as one sum).
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/promql/promql-int.h"
#include "store/rate-minute.h"
#include "store/store.h"
#include "test-store-util.h"

#define MIN    INT64_C(60000)
#define NMIN   40
#define M0     (INT64_C(1765000000000) / MIN * MIN)
#define PTSMAX 4096

static double
unit(void)
{
	return (double)(tsu_rng() >> 11) / 9007199254740992.0;
}

/* A random series over the minutes [M0, M0 + NMIN): steps of 1-20 s, a
 * point now and then moved onto a minute boundary, gaps of minutes,
 * counter runs with resets (to zero, down a little, below zero) and NaN.
 * Integer values when ints, one decimal otherwise.  The number of
 * points. */
static size_t
gen_series(struct store_point *p, int ints)
{
	int64_t t = M0 + (int64_t)(tsu_rng() % 30000);
	double x = (double)(tsu_rng() % 100);
	size_t n = 0;

	while (t < M0 + NMIN * MIN && n < PTSMAX) {
		double r = unit(), v;

		if (r < 0.05)
			x = 0;
		else if (r < 0.25)
			x -= (double)(tsu_rng() % 40);
		else
			x += (double)(tsu_rng() % 50);
		v = ints ? x : x + (double)(tsu_rng() % 10) / 10;
		if (unit() < 0.02)
			v = NAN;
		p[n].t = t;
		p[n].v = v;
		n++;
		r = unit();
		if (r < 0.03)
			t += (int64_t)(tsu_rng() % 5 + 1) * MIN;
		else if (r < 0.2)
			t = (t / MIN + 1) * MIN; /* onto the next boundary */
		else
			t += 1000 + (int64_t)(tsu_rng() % 19000);
	}
	return n;
}

static void
fill_minutes(const struct store_point *p, size_t n, struct rate_minute *m)
{
	size_t i;

	memset(m, 0, sizeof *m * (NMIN + 1));
	for (i = 0; i < n; i++)
		rate_minute_point(&m[(p[i].t - M0) / MIN], p[i].t, p[i].v);
}

static int
same(double x, double y, double tol)
{
	if (isnan(x) || isnan(y))
		return isnan(x) && isnan(y);
	if (tol == 0)
		return x == y;
	return fabs(x - y) <= tol;
}

static void
check_series(int ints, size_t *compared)
{
	static struct store_point p[PTSMAX];
	struct rate_minute m[NMIN + 1];
	static const int64_t ranges[] = {MIN, 2 * MIN, 5 * MIN, 7 * MIN};
	size_t n = gen_series(p, ints), r, lo, hi;
	int64_t end;
	int fn;

	fill_minutes(p, n, m);
	for (r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
		struct promql_extrap x;

		/* One memo through the range's windows, as eval keeps it. */
		promql_extrap_init(&x, ranges[r]);
		for (end = M0 + ranges[r]; end < M0 + NMIN * MIN; end += MIN) {
			struct promql_window w;
			double scale = 0;

			for (lo = 0; lo < n && p[lo].t < end - ranges[r]; lo++)
				;
			for (hi = lo; hi < n && p[hi].t <= end; hi++)
				if (!isnan(p[hi].v))
					scale += fabs(p[hi].v);
			w.p = p + lo;
			w.n = hi - lo;
			w.start = end - ranges[r];
			w.end = end;
			w.range = ranges[r];
			w.param = 0;
			for (fn = 0; fn < 3; fn++) {
				int counter = fn < 2, rate = fn == 0, ok1, ok2;
				double want = 0, got = 0, fresh = 0;
				struct promql_extrap x1;

				ok1 = promql_extrapolate(
				    &w, counter, rate, &want);
				ok2 = promql_minutes_rate(m, M0, end, ranges[r],
				    counter, rate, &x, &got);
				/* The memo changes no bit. */
				promql_extrap_init(&x1, ranges[r]);
				if (ok2 &&
				    promql_minutes_rate(m, M0, end, ranges[r],
				        counter, rate, &x1, &fresh))
					ck_assert_msg(memcmp(&got, &fresh,
					                  sizeof got) == 0,
					    "memo %.17g, fresh %.17g", got,
					    fresh);
				ck_assert_msg(ok1 == ok2,
				    "window [%lld, %lld]: raw %d, minutes %d",
				    (long long)w.start, (long long)end, ok1,
				    ok2);
				if (!ok1)
					continue;
				ck_assert_msg(
				    same(want, got, ints ? 0 : 1e-12 * scale),
				    "window [%lld, %lld] fn %d (%zu points): "
				    "raw %.17g, minutes %.17g",
				    (long long)w.start, (long long)end, fn, w.n,
				    want, got);
				(*compared)++;
			}
		}
	}
}

START_TEST(test_minutes_equal_raw)
{
	size_t i, compared = 0;

	for (i = 0; i < 400; i++)
		check_series((int)(i & 1), &compared);
	ck_assert_uint_gt(compared, 50000);
}
END_TEST

/* A point exactly at the window's end belongs to it; one exactly at its
 * start too; a drop across a minute boundary is a reset. */
START_TEST(test_minutes_boundaries)
{
	struct store_point p[] = {
	    {M0 + 5 * MIN, 10}, /* at the start of [5m, 7m] */
	    {M0 + 5 * MIN + 30000, 20},
	    {M0 + 6 * MIN + 10000, 5}, /* reset across minutes */
	    {M0 + 7 * MIN, 9},         /* at the end */
	    {M0 + 7 * MIN + 10000, 100},
	};
	struct rate_minute m[NMIN + 1];
	struct promql_extrap x;
	double got = 0;

	fill_minutes(p, 5, m);
	/* 9 - 10 + 20 = 19 over the points from 5m to 7m, no extrapolation
	 * (both ends have a point). */
	promql_extrap_init(&x, 2 * MIN);
	ck_assert(
	    promql_minutes_rate(m, M0, M0 + 7 * MIN, 2 * MIN, 1, 0, &x, &got));
	ck_assert_double_eq(got, 19);
	/* Only the point at the end and the one before it: [6m, 7m]. */
	promql_extrap_init(&x, MIN);
	ck_assert(
	    promql_minutes_rate(m, M0, M0 + 7 * MIN, MIN, 0, 0, &x, &got));
	ck_assert_double_eq(got, (9.0 - 5) * 60 / 50);
}
END_TEST

START_TEST(test_minutes_aligned)
{
	int64_t t = M0 + 10 * MIN;

	ck_assert(promql_minutes_aligned(t, 5 * MIN, 10, 5 * MIN, 0));
	ck_assert(promql_minutes_aligned(t, 1, 1, MIN, MIN));
	ck_assert(!promql_minutes_aligned(t + 10000, 5 * MIN, 10, 5 * MIN, 0));
	ck_assert(!promql_minutes_aligned(t, 30000, 10, 5 * MIN, 0));
	ck_assert(!promql_minutes_aligned(t, 5 * MIN, 10, 90000, 0));
	ck_assert(!promql_minutes_aligned(t, 5 * MIN, 10, 5 * MIN, 1000));
	ck_assert(!promql_minutes_aligned(t, 5 * MIN, 10, 0, 0));
}
END_TEST

static Suite *
promql_minutes_suite(void)
{
	Suite *su = suite_create("promql-minutes");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_minutes_equal_raw);
	tcase_add_test(tc, test_minutes_boundaries);
	tcase_add_test(tc, test_minutes_aligned);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(promql_minutes_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
