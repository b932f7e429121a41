/*
 * Unit test of the head's per-minute aggregates (store/headagg.c): the
 * rate minutes they give for an open window equal, bit for bit, those
 * of its raw points (rate_minute_point) and those the closed hour's
 * minute block carries (rollup_block_encode, rate columns), after every
 * appended point and after rebuilds for late and duplicate points; for
 * counters with resets, minutes of one point, gaps, points on minute
 * edges, gauges (whose rate fields stop after a few minutes with drops)
 * and values with no short decimal form (NaN, -0, any double).  Their
 * aggregates (headagg_block) stay those of the points too.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "store/headagg.h"
#include "store/rate-minute.h"
#include "store/rollup.h"
#include "store/store-int.h"
#include "test-store-util.h"

#define MIN STORE_MINUTE_MS
#define W0  (INT64_C(1796000) * STORE_HOUR_MS) /* a window start */

/* Check's ck_assert_* log every call; in loops use this. */
#define REQUIRE(c, ...)                            \
	do {                                       \
		if (!(c))                          \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

enum kind { K_COUNTER, K_GAUGE, K_ODD, K_SPARSE, K_DROPS, NKIND };

static size_t checked_closed, checked_rate, checked_off;

/* A value no short decimal holds, now and then. */
static double
odd_value(double v)
{
	switch (tsu_rng() % 8) {
	case 0:
		return NAN;
	case 1:
		return -0.0;
	case 2:
		return v + 0.1 + 0.2;
	case 3:
		return 1e300;
	case 4:
		return (double)(tsu_rng() % 1000) / 3;
	default:
		return v;
	}
}

/* The next point of a series of kind k after (t, v), inside the window. */
static void
next_point(enum kind k, int64_t *t, double *v, int *drops)
{
	switch (k) {
	case K_SPARSE:
		/* One point a minute or none, anywhere in it. */
		*t = (*t / MIN + 1 + (int64_t)(tsu_rng() % 3)) * MIN +
		     (int64_t)(tsu_rng() % 4 == 0 ? 0 : tsu_rng() % MIN);
		*v += (double)(tsu_rng() % 50);
		if (tsu_rng() % 6 == 0)
			*v = 0;
		return;
	case K_GAUGE:
		*t += 1000 + (int64_t)(tsu_rng() % 9000);
		*v += (double)((int64_t)(tsu_rng() % 201) - 100) / 10;
		return;
	case K_ODD:
		*t += 1 + (int64_t)(tsu_rng() % 15000);
		*v = odd_value((double)(tsu_rng() % 100));
		return;
	default:
		break;
	}
	/* Counters: steps of 10 s, gaps of minutes, points on the edges. */
	if (tsu_rng() % 40 == 0)
		*t = (*t / MIN + 2 + (int64_t)(tsu_rng() % 4)) * MIN;
	else if (tsu_rng() % 10 == 0)
		*t = (*t / MIN + 1) * MIN - (tsu_rng() % 2);
	else
		*t += 10000 + (int64_t)(tsu_rng() % 100) - 50;
	*v += (double)(tsu_rng() % 200) / 10;
	if (k == K_COUNTER ? tsu_rng() % 60 == 0
	                   : *drops < 8 && tsu_rng() % 12 == 0) {
		*v = (double)(tsu_rng() % 5) / 2;
		(*drops)++;
	}
}

/* Check ha, built over the n points (t, v), against the points. */
static void
check(const struct headagg *ha, const int64_t *t, const double *v, size_t n,
    const char *what)
{
	struct rate_minute want[60], got[60];
	struct rollup_block rb, hb;
	struct buf b = BUF_INIT;
	unsigned i, drop_min = 0;
	size_t k;
	int rc;

	memset(want, 0, sizeof want);
	for (k = 0; k < n; k++)
		rate_minute_point(&want[(t[k] - W0) / MIN], t[k], v[k]);
	for (i = 0; i < 60; i++)
		drop_min += want[i].count > 0 && want[i].nresets > 0;
	rc = headagg_rate(ha, W0, t[n - 1], v[n - 1], got);
	REQUIRE(rc >= 0, "%s: corrupt after %zu points", what, n);
	/* Given up only after more than HA_RATE_DROPS (4) minutes with a
	 * drop, never before. */
	REQUIRE(rc == 1 || drop_min > 4,
	    "%s: no rate minutes after %zu points, %u minutes with drops", what,
	    n, drop_min);
	if (rc == 1) {
		checked_rate++;
		for (i = 0; i < 60; i++)
			REQUIRE(tsu_same_minute(&got[i], &want[i]),
			    "%s, %zu points, minute %u: count %u/%u first "
			    "%.17g/%.17g at %lld/%lld last %.17g/%.17g at "
			    "%lld/%lld resets %u %.17g/%u %.17g",
			    what, n, i, got[i].count, want[i].count,
			    got[i].first, want[i].first,
			    (long long)got[i].first_t,
			    (long long)want[i].first_t, got[i].last,
			    want[i].last, (long long)got[i].last_t,
			    (long long)want[i].last_t, got[i].nresets,
			    got[i].resets, want[i].nresets, want[i].resets);
	} else
		checked_off++;

	/* The closed hour's block, where it carries rate columns. */
	rollup_block_init(&rb, W0, MIN, 60);
	rollup_block_fill(&rb, t, v, n);
	rb.rate = 1;
	rollup_block_encode(&rb, NULL, &b);
	{
		struct rate_minute closed[60];

		if (rollup_block_decode_rate(&rb, b.data, b.len, closed) == 1 &&
		    rc == 1) {
			checked_closed++;
			for (i = 0; i < 60; i++)
				REQUIRE(tsu_same_minute(&got[i], &closed[i]),
				    "%s, %zu points, minute %u: the head's "
				    "differs from the closed hour's",
				    what, n, i);
		}
	}
	buf_free(&b);

	/* The aggregates, with the rate fields between them. */
	rollup_block_init(&hb, W0, MIN, 60);
	REQUIRE(headagg_block(ha, t[n - 1], v[n - 1], &hb, ROLLUP_COL_ALL) == 0,
	    "%s: aggregates corrupt after %zu points", what, n);
	for (i = 0; i < 60; i++) {
		const struct agg *x = &hb.b[i], *y = &rb.b[i];

		REQUIRE(
		    hb.present[i] == rb.present[i], "%s: present %u", what, i);
		if (!rb.present[i])
			continue;
		REQUIRE(x->count == y->count && x->last_t == y->last_t &&
		            tsu_same(x->last, y->last) &&
		            tsu_same(x->sum, y->sum) &&
		            tsu_same(x->min, y->min) &&
		            tsu_same(x->max, y->max),
		    "%s, %zu points, minute %u: aggregates differ", what, n, i);
	}
}

/* A late or duplicate point into t, v (n >= 2 points, room for one more):
 * 1 if it added a point. */
static int
late_point(int64_t *t, double *v, size_t *n)
{
	size_t k = tsu_rng() % (*n - 1);

	if (tsu_rng() % 2 == 0 || t[k] + 1 >= t[k + 1]) {
		/* A duplicate: the last write wins. */
		v[k] = tsu_rng() % 3 == 0 ? v[k] - 5 : v[k] + 1;
		return 0;
	}
	memmove(t + k + 2, t + k + 1, (*n - k - 1) * sizeof *t);
	memmove(v + k + 2, v + k + 1, (*n - k - 1) * sizeof *v);
	t[k + 1] =
	    t[k] + 1 + (int64_t)(tsu_rng() % (uint64_t)(t[k + 2] - t[k] - 1));
	v[k + 1] = v[k] - 1; /* a drop, then a rise */
	(*n)++;
	return 1;
}

static void
run(enum kind k, int seed_round)
{
	int64_t *t = calloc(8000, sizeof *t);
	double *v = calloc(8000, sizeof *v);
	struct headagg ha;
	size_t n = 0;
	int drops = 0;
	char what[64];
	int64_t pt = W0 + (int64_t)(tsu_rng() % 3 == 0 ? 0 : tsu_rng() % 20000);
	double pv = k == K_GAUGE ? 20 : 1000;

	snprintf(what, sizeof what, "kind %d round %d", (int)k, seed_round);
	headagg_init(&ha);
	while (pt < W0 + STORE_HOUR_MS && n < 7990) {
		headagg_add(&ha, (uint32_t)n, n > 0 ? t[n - 1] : 0,
		    n > 0 ? v[n - 1] : 0, pt, pv);
		t[n] = pt;
		v[n++] = pv;
		if (tsu_rng() % 7 == 0 || n < 3)
			check(&ha, t, v, n, what);
		if (n > 2 && tsu_rng() % 150 == 0) {
			/* Late and duplicate points: the head rebuilds. */
			late_point(t, v, &n);
			headagg_build(&ha, t, v, n);
			check(&ha, t, v, n, what);
		}
		next_point(k, &pt, &pv, &drops);
	}
	check(&ha, t, v, n, what);
	headagg_free(&ha);
	free(t);
	free(v);
}

START_TEST(test_headagg_rate_minutes)
{
	int k, round;

	for (round = 0; round < 30; round++)
		for (k = 0; k < NKIND; k++)
			run((enum kind)k, round);
	/* Every way was taken. */
	ck_assert_uint_gt(checked_rate, 1000);
	ck_assert_uint_gt(checked_closed, 500);
	ck_assert_uint_gt(checked_off, 10);
}
END_TEST

/* Points on the window's first and last millisecond, a minute of one
 * point between minutes of many, a reset at a minute's first point. */
START_TEST(test_headagg_rate_edges)
{
	int64_t t[] = {W0, W0 + 1, W0 + MIN - 1, W0 + MIN, W0 + 3 * MIN + 7,
	    W0 + 4 * MIN, W0 + 4 * MIN + 5, W0 + 4 * MIN + 6,
	    W0 + 59 * MIN + 59999};
	double v[] = {5, 4, 9, 1, 2, 3, 1, 1.5, 0.25};
	struct headagg ha;
	size_t i, n = sizeof t / sizeof t[0];

	headagg_init(&ha);
	for (i = 0; i < n; i++) {
		headagg_add(&ha, (uint32_t)i, i > 0 ? t[i - 1] : 0,
		    i > 0 ? v[i - 1] : 0, t[i], v[i]);
		check(&ha, t, v, i + 1, "edges");
	}
	headagg_build(&ha, t, v, n);
	check(&ha, t, v, n, "edges rebuilt");
	headagg_free(&ha);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("store-headagg");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_headagg_rate_edges);
	tcase_add_test(tc, test_headagg_rate_minutes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
