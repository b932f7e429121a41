/* store_reader: the streamed points equal store_query_raw's for every
 * range (window and chunk edges, empty spans, duplicates, late merges,
 * the open chunk), in ascending batches; skip drops only earlier points. */
#include "config.h"

#include <time.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/chunk.h"
#include "store/store-int.h"
#include "tests/unit/test-store-util.h"

#define HOUR 3600000LL

static int
series_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct store_series_result *)a)->key,
	    ((const struct store_series_result *)b)->key);
}

/* A stream of one selector over [start, end) flattened to one result per
 * series in key order, checking the batches on the way (series come in
 * ascending id order). */
static void
read_all(struct store *s, const char *sel, int64_t start, int64_t end,
    int64_t skip_at, struct store_result *out)
{
	struct store_reader *rd;
	const struct store_series_result *sr;
	struct selector *q = tsu_sel(sel);
	char *cause = NULL;
	size_t total = 0;
	uint32_t prev_id = 0;

	memset(out, 0, sizeof *out);
	if (store_reader_open(s, q, start, end, &rd, &cause) != 0)
		ck_abort_msg("reader_open: %s", cause);
	selector_free(q);
	out->series = calloc(1000, sizeof *out->series);
	while (store_reader_series(rd, &sr) == 1) {
		struct store_series_result *o = &out->series[out->n];
		const int64_t *t;
		const double *v;
		size_t n, i, cap = 0;

		ck_assert_ptr_nonnull(sr->key);
		ck_assert_uint_gt(sr->id, prev_id);
		prev_id = sr->id;
		while (store_reader_next(rd, &t, &v, &n) == 1) {
			ck_assert_uint_gt(n, 0);
			if (o->npoints + n > cap) {
				cap = (o->npoints + n) * 2;
				o->points =
				    realloc(o->points, cap * sizeof *o->points);
			}
			for (i = 0; i < n; i++) {
				ck_assert_int_ge(t[i], start);
				ck_assert_int_lt(t[i], end);
				if (o->npoints > 0)
					ck_assert_int_gt(
					    t[i], o->points[o->npoints - 1].t);
				o->points[o->npoints].t = t[i];
				o->points[o->npoints].v = v[i];
				o->npoints++;
			}
			total += n;
			if (skip_at >= 0 && t[n - 1] < skip_at)
				store_reader_skip(rd, skip_at);
		}
		/* Series without points in range are not kept. */
		if (o->npoints == 0)
			continue;
		o->key = strdup(sr->key);
		out->n++;
	}
	ck_assert_uint_eq(store_reader_points(rd), total);
	ck_assert_int_eq(store_reader_partial(rd), 0);
	store_reader_close(rd);
	qsort(out->series, out->n, sizeof *out->series, series_key_cmp);
}

/* The raw query's answer, minus the points before skip_at that a skip
 * may have left out (all of them after the first batch). */
static void
expect_equal(struct store *s, const char *sel, int64_t start, int64_t end,
    int64_t skip_at)
{
	struct store_result want, got;
	struct selector *q = tsu_sel(sel);
	char *cause = NULL;
	size_t i, j, k;

	if (store_query_raw(s, q, start, end, &want, &cause) != 0)
		ck_abort_msg("raw: %s", cause);
	selector_free(q);
	read_all(s, sel, start, end, skip_at, &got);
	if (skip_at < 0)
		ck_assert_uint_eq(got.n, want.n);
	for (i = 0, j = 0; i < want.n; i++) {
		struct store_series_result *w = &want.series[i], *g;

		if (j == got.n || strcmp(got.series[j].key, w->key) != 0) {
			/* Only a skip may leave a series out. */
			ck_assert_int_ge(skip_at, 0);
			continue;
		}
		g = &got.series[j++];
		if (skip_at < 0) {
			ck_assert_uint_eq(g->npoints, w->npoints);
			for (k = 0; k < w->npoints; k++) {
				ck_assert_int_eq(
				    g->points[k].t, w->points[k].t);
				ck_assert(
				    tsu_same(g->points[k].v, w->points[k].v));
			}
			continue;
		}
		/* With a skip: every point at or after skip_at is there. */
		for (k = 0; k < w->npoints && w->points[k].t < skip_at; k++)
			;
		ck_assert_uint_ge(g->npoints, w->npoints - k);
		for (; k < w->npoints; k++) {
			size_t o = g->npoints - (w->npoints - k);

			ck_assert_int_eq(g->points[o].t, w->points[k].t);
			ck_assert(tsu_same(g->points[o].v, w->points[k].v));
		}
	}
	ck_assert_uint_eq(j, got.n);
	store_result_free(&want);
	for (i = 0; i < got.n; i++) {
		free(got.series[i].key);
		free(got.series[i].points);
	}
	free(got.series);
}

/* Hours of data in several shapes, then ranges compared. */
static void
fill(struct store *s, int64_t t0)
{
	uint32_t a = tsu_intern(s, "m{s=\"a\"}"),
	         b = tsu_intern(s, "m{s=\"b\"}"),
	         c = tsu_intern(s, "m{s=\"c\"}"),
	         d = tsu_intern(s, "m{s=\"d\"}");
	int64_t t;
	int i;

	(void)tsu_intern(s, "m{s=\"empty\"}");
	/* a: every 10 s for 5 hours, values with decimals and NaN. */
	for (t = t0; t < t0 + 5 * HOUR; t += 10000)
		tsu_write1(s, a, t,
		    (t / 10000) % 97 == 0 ? NAN : (double)(t % 7919) / 10);
	/* b: 1 s apart, so several chunks per window (1024 points at
	 * most), for 2 hours, with a duplicate of every 500th point. */
	for (t = t0 + 30 * 60000; t < t0 + 150 * 60000; t += 1000) {
		tsu_write1(s, b, t, (double)(tsu_rng() % 100000));
		if ((t / 1000) % 500 == 0)
			tsu_write1(s, b, t, -1.5);
	}
	/* c: one point per window, at the windows' first and last ms. */
	for (i = 0; i < 5; i++) {
		tsu_write1(s, c, t0 + i * HOUR, i);
		tsu_write1(s, c, t0 + (i + 1) * HOUR - 1, i + 0.5);
	}
	/* d: two hours, then late points merged into a closed chunk. */
	for (t = t0; t < t0 + 2 * HOUR; t += 60000)
		tsu_write1(s, d, t, (double)t);
	for (t = t0 + 30500; t < t0 + HOUR; t += 120000)
		tsu_write1(s, d, t, 0.25);
	tsu_write1(s, a, t0 + 5 * HOUR + 123, 42); /* in the open chunk */
}

static void
compare_ranges(struct store *s, int64_t t0)
{
	static const int64_t edges[] = {0, 1, 999, 1000, 10000, 30 * 60000,
	    HOUR - 1, HOUR, HOUR + 1, 2 * HOUR, 150 * 60000, 5 * HOUR,
	    5 * HOUR + 123, 5 * HOUR + 124, 6 * HOUR};
	size_t ne = sizeof edges / sizeof edges[0], i, j;
	int k;

	for (i = 0; i < ne; i++) {
		for (j = i; j < ne; j++) {
			expect_equal(s, "m", t0 + edges[i], t0 + edges[j], -1);
		}
	}
	expect_equal(s, "m", 0, INT64_MAX / 2, -1);
	expect_equal(s, "m{s=~\"b|c\"}", t0 - HOUR, t0 + 3 * HOUR, -1);
	expect_equal(s, "nothing", 0, INT64_MAX / 2, -1);
	for (k = 0; k < 200; k++) {
		int64_t a = t0 - HOUR + (int64_t)(tsu_rng() % (7 * HOUR));
		int64_t b = a + (int64_t)(tsu_rng() % (3 * HOUR));
		int64_t sk = a + (int64_t)(tsu_rng() % (3 * HOUR));

		expect_equal(s, "m", a, b, -1);
		expect_equal(s, "m", a, b, sk);
	}
}

START_TEST(test_store_reader_equals_raw)
{
	struct store_options o;
	struct store *s;
	int64_t t0 =
	    ((int64_t)time(NULL) * 1000 - 2 * 86400000LL) / HOUR * HOUR;
	char *cause = NULL;

	store_options_init(&o);
	o.late_window_ms = 60 * 1000;
	s = tsu_open(tsu_dir(), &o);
	fill(s, t0);
	/* Pending (unflushed) chunks and the open ones. */
	compare_ranges(s, t0);
	ck_assert_int_eq(store_flush(s, 1, &cause), 0);
	compare_ranges(s, t0);
	store_close(s);
	/* Reopened: closed chunks from disk, open chunks from the head. */
	s = tsu_open(tsu_dir(), &o);
	compare_ranges(s, t0);
	store_close(s);
}
END_TEST

/* Many series, matched sparsely and densely, several chunks each per
 * window: the reader moves between series' chunks by iterator steps or
 * seeks (more than its walk apart), and answers as the raw query. */
START_TEST(test_store_reader_many_series)
{
	static const char *sels[] = {
	    "n", "n{k=~\"(3|44|45|46|79)\"}", "n{p=\"odd\"}"};
	struct store_options o;
	struct store *s;
	int64_t t0 =
	            ((int64_t)time(NULL) * 1000 - 2 * 86400000LL) / HOUR * HOUR,
	        t;
	uint32_t ids[80];
	char key[64], *cause = NULL;
	size_t i, k;
	int pass;

	store_options_init(&o);
	o.late_window_ms = 60 * 1000;
	s = tsu_open(tsu_dir(), &o);
	for (i = 0; i < 80; i++) {
		snprintf(key, sizeof key, "n{k=\"%zu\",p=\"%s\"}", i,
		    i % 2 ? "odd" : "even");
		ids[i] = tsu_intern(s, key);
	}
	/* 3 hours; every 7th series 2 s apart (several chunks per
	 * window), the others every 30 s, some with a gap of an hour. */
	for (t = t0; t < t0 + 3 * HOUR; t += 2000) {
		uint32_t wid[80];
		int64_t wt[80];
		double wv[80];
		size_t m = 0;

		for (i = 0; i < 80; i++) {
			if (i % 7 != 0 && t % 30000 != 0)
				continue;
			if (i % 5 == 1 && t >= t0 + HOUR && t < t0 + 2 * HOUR)
				continue;
			wid[m] = ids[i];
			wt[m] = t;
			wv[m++] = (double)(tsu_rng() % 1000);
		}
		ck_assert_int_eq(
		    store_write(s, wid, wt, wv, m, NULL, &cause), 0);
	}
	for (pass = 0; pass < 2; pass++) {
		for (k = 0; k < sizeof sels / sizeof sels[0]; k++) {
			expect_equal(s, sels[k], 0, INT64_MAX / 2, -1);
			for (i = 0; i < 8; i++) {
				int64_t a = t0 - HOUR +
				            (int64_t)(tsu_rng() % (5 * HOUR));
				int64_t b =
				    a + (int64_t)(tsu_rng() % (3 * HOUR));
				int64_t sk =
				    a + (int64_t)(tsu_rng() % (3 * HOUR));

				expect_equal(s, sels[k], a, b, -1);
				expect_equal(s, sels[k], a, b, sk);
			}
		}
		ck_assert_int_eq(store_flush(s, 1, &cause), 0);
	}
	store_close(s);
}
END_TEST

START_TEST(test_store_reader_errors)
{
	struct store_options o;
	struct store *s;
	struct store_reader *rd = NULL;
	struct selector *q = tsu_sel("m");
	const struct store_series_result *sr;
	char *cause = NULL;

	store_options_init(&o);
	s = tsu_open(tsu_dir(), &o);
	ck_assert_int_eq(store_reader_open(s, q, 10, 5, &rd, &cause), -1);
	ck_assert_ptr_null(rd);
	ck_assert_ptr_nonnull(strstr(cause, "start after end"));
	free(cause);
	/* An empty store: no series. */
	ck_assert_int_eq(store_reader_open(s, q, 0, 100, &rd, NULL), 0);
	ck_assert_int_eq(store_reader_series(rd, &sr), 0);
	store_reader_close(rd);
	store_reader_close(NULL);
	selector_free(q);
	store_close(s);
}
END_TEST

/* A sound chunk whose points run past its window (or start before the
 * previous chunk's end) is skipped as corrupt: the reader checks its first
 * and last point only, the decoder giving increasing times. */
START_TEST(test_store_reader_chunk_out_of_window)
{
	struct store_options o;
	struct store *s;
	struct store_reader *rd;
	struct selector *q = tsu_sel("m");
	const struct store_series_result *sr;
	struct chunk_enc c = {0};
	const int64_t *t;
	const double *v;
	int64_t t0 = (clock_wall_ms() / HOUR - 12) * HOUR, tt;
	size_t n, total = 0, len;
	uint8_t k[12], *buf;
	char *err = NULL;
	uint32_t a;

	store_options_init(&o);
	s = tsu_open(tsu_dir(), &o);
	a = tsu_intern(s, "m{s=\"a\"}");
	for (tt = t0; tt < t0 + 3 * HOUR; tt += 10000)
		tsu_write1(s, a, tt, 1);
	ck_assert_int_eq(store_flush(s, 1, NULL), 0);
	/* Hour 1's chunk replaced by 400 points from its start: the last
	 * 40 fall in hour 2. */
	chunk_enc_init(&c);
	for (tt = 0; tt < 400; tt++)
		chunk_enc_append(&c, t0 + HOUR + tt * 10000, 2);
	len = chunk_enc_size(&c);
	buf = xmalloc(len);
	chunk_enc_serialize(&c, buf);
	key_put32(k, (uint32_t)((t0 + HOUR) / HOUR));
	key_put32(k + 4, a);
	key_put32(k + 8, 0);
	rocksdb_put_cf(s->db, s->wo_durable, s->cf[STORE_CF_CHUNKS],
	    (const char *)k, 12, (const char *)buf, len, &err);
	ck_assert_ptr_null(err);
	free(buf);
	chunk_enc_free(&c);

	ck_assert_int_eq(
	    store_reader_open(s, q, t0, t0 + 3 * HOUR, &rd, NULL), 0);
	ck_assert_int_eq(store_reader_series(rd, &sr), 1);
	while (store_reader_next(rd, &t, &v, &n) == 1) {
		ck_assert_int_lt(t[n - 1], t0 + 3 * HOUR);
		ck_assert(v[0] == 1);
		total += n;
	}
	/* Hours 0 and 2, none of the replaced chunk. */
	ck_assert_uint_eq(total, 2 * 360);
	ck_assert_int_eq(store_reader_partial(rd), 1);
	store_reader_close(rd);
	selector_free(q);
	store_close(s);
}
END_TEST

static Suite *
read_suite(void)
{
	Suite *su = suite_create("store-read");
	TCase *tc = tcase_create("read");

	tcase_add_checked_fixture(tc, tsu_dir_setup, tsu_dir_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_store_reader_equals_raw);
	tcase_add_test(tc, test_store_reader_many_series);
	tcase_add_test(tc, test_store_reader_errors);
	tcase_add_test(tc, test_store_reader_chunk_out_of_window);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(read_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
