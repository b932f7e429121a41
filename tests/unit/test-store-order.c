/*
 * Store tests of points out of time order: a collector's spool replayed
 * long after newer points arrived, and points ahead of the clock, which
 * must not shut their series (or anyone's open chunks) out.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/clock.h"
#include "store/store-int.h"
#include "store/store.h"
#include "test-store-util.h"

#define MIN 60000LL
#define H   3600000LL

#define tmpdir (tsu_dir())

/* Write points k in [from, to] of series id at base + k * step, value
 * val(k), one batch. */
static void
write_range(struct store *s, uint32_t id, int64_t base, int64_t step, int from,
    int to, double add, struct store_write_result *wr)
{
	uint32_t ids[512];
	int64_t ts[512];
	double vs[512];
	char *cause = NULL;
	size_t n = 0;
	int k;

	for (k = from; k <= to; k++) {
		ids[n] = id;
		ts[n] = base + k * step;
		vs[n] = k + add;
		n++;
	}
	if (store_write(s, ids, ts, vs, n, wr, &cause) != 0)
		ck_abort_msg("write: %s", cause);
}

/* The raw points of sel in [lo, hi) must be base + k * step for k in
 * [0, n) with value k + add(k), each once. */
static void
check_raw(struct store *s, const char *sel, int64_t lo, int64_t hi,
    int64_t base, int64_t step, int n, double add_from, int k_from)
{
	struct store_result r;
	struct selector *se = tsu_sel(sel);
	int k;

	ck_assert_int_eq(store_query_raw(s, se, lo, hi, &r, NULL), 0);
	selector_free(se);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.nwarnings, 0);
	ck_assert_uint_eq(r.series[0].npoints, (size_t)n);
	for (k = 0; k < n; k++) {
		const struct store_point *p = &r.series[0].points[k];
		double want = k + (k >= k_from ? add_from : 0);

		ck_assert_msg(p->t == base + k * step, "point %d at %lld", k,
		    (long long)(p->t - base));
		ck_assert_msg(
		    p->v == want, "point %d: %g, want %g", k, p->v, want);
	}
	store_result_free(&r);
}

/* Count, sum and max per minute and per hour agree with the points. */
static void
check_rollups(struct store *s, const char *sel, int64_t base, int64_t step,
    int n, double add_from, int k_from)
{
	int64_t lo = base - base % H, hi = lo + 6 * H;
	struct store_result r;
	size_t i;
	int k;

	r = tsu_agg(s, sel, lo, hi, STORE_AGG_COUNT, MIN);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.series[0].npoints, (size_t)n); /* one a minute */
	for (i = 0; i < r.series[0].npoints; i++)
		ck_assert(r.series[0].points[i].v == 1);
	store_result_free(&r);
	for (k = 0; k < 2; k++) {
		enum store_agg agg = k == 0 ? STORE_AGG_SUM : STORE_AGG_MAX;
		int64_t h;

		r = tsu_agg(s, sel, lo, hi, agg, H);
		ck_assert_uint_eq(r.n, 1);
		for (i = 0; i < r.series[0].npoints; i++) {
			double want = agg == STORE_AGG_SUM ? 0 : -1;
			int j;

			h = r.series[0].points[i].t;
			for (j = 0; j < n; j++) {
				int64_t t = base + j * step;
				double v = j + (j >= k_from ? add_from : 0);

				if (t < h || t >= h + H)
					continue;
				if (agg == STORE_AGG_SUM)
					want += v;
				else if (v > want)
					want = v;
			}
			ck_assert_msg(r.series[0].points[i].v == want,
			    "%s of hour %zu: %g, want %g", store_agg_name(agg),
			    i, r.series[0].points[i].v, want);
		}
		store_result_free(&r);
	}
}

/*
 * A collector's spool replayed after its newer points: t = 100..200 then
 * t = 0..99 (a minute apart, so the replay reaches closed hours well past
 * the late window), then a redelivery of 50..150 with new values for the
 * upper half.  Everything is there once, the last write wins, and the
 * minute and hour tiers agree, before and after a restart.
 */
START_TEST(test_store_replay_older_points)
{
	struct store_options o;
	struct store_write_result wr;
	struct store *s;
	int64_t base = (clock_wall_ms() / H - 6) * H + 17 * 1000;
	uint32_t a;
	int round;

	store_options_init(&o);
	o.late_window_ms = 10 * 1000; /* far shorter than the outage */
	s = tsu_open(tmpdir, &o);
	a = tsu_intern(s, "spool{grid=\"440304001001003\"}");
	write_range(s, a, base, MIN, 100, 200, 0, &wr);
	ck_assert_uint_eq(wr.accepted, 101);
	write_range(s, a, base, MIN, 0, 99, 0, &wr);
	ck_assert_uint_eq(wr.accepted, 100);
	ck_assert_uint_eq(wr.rejected[STORE_REJECT_LATE], 0);
	ck_assert_uint_eq(wr.late, 100);
	check_raw(s, "spool", 0, STORE_TIME_MAX, base, MIN, 201, 0, 0);
	check_rollups(s, "spool", base, MIN, 201, 0, 0);

	/* Redelivered: 50..100 unchanged, 101..150 with new values. */
	write_range(s, a, base, MIN, 50, 100, 0, &wr);
	ck_assert_uint_eq(wr.accepted, 51);
	write_range(s, a, base, MIN, 101, 150, 1000, &wr);
	ck_assert_uint_eq(wr.accepted, 50);
	ck_assert_uint_eq(wr.duplicates + wr.late, 50);
	for (round = 0; round < 3; round++) {
		/* 201..: new values only for 101..150. */
		struct store_result r;
		struct selector *se = tsu_sel("spool");
		int k;

		ck_assert_int_eq(
		    store_query_raw(s, se, 0, STORE_TIME_MAX, &r, NULL), 0);
		selector_free(se);
		ck_assert_uint_eq(r.series[0].npoints, 201);
		for (k = 0; k < 201; k++) {
			double want = k + (k >= 101 && k <= 150 ? 1000 : 0);

			ck_assert_int_eq(
			    r.series[0].points[k].t, base + k * MIN);
			ck_assert_msg(r.series[0].points[k].v == want,
			    "round %d point %d: %g, want %g", round, k,
			    r.series[0].points[k].v, want);
		}
		store_result_free(&r);
		/* Then through a checkpoint, and a restart. */
		if (round == 0)
			ck_assert_int_eq(store_flush(s, 0, NULL), 0);
		else if (round == 1) {
			store_close(s);
			s = tsu_open(tmpdir, &o);
		}
	}
	store_close(s);
}
END_TEST

/*
 * The batch log replays the merges as they were made: a writer process
 * that never closes (as after kill -9) leaves them all in the log, and
 * the next open rebuilds the same points and tiers.
 */
START_TEST(test_store_replay_from_log)
{
	struct store_options o;
	struct store_write_result wr;
	struct store_stats st;
	struct store *s;
	int64_t base = (clock_wall_ms() / H - 6) * H + 29 * 1000;
	pid_t pid;
	int status;

	store_options_init(&o);
	o.late_window_ms = 10 * 1000;
	o.batchlog_bytes = 64 << 20; /* no checkpoint: all in the log */
	if ((pid = fork()) == 0) {
		uint32_t a;

		s = tsu_open(tmpdir, &o);
		a = tsu_intern(s, "spool{grid=\"440304001001003\"}");
		write_range(s, a, base, MIN, 100, 200, 0, &wr);
		write_range(s, a, base, MIN, 0, 99, 0, &wr);
		write_range(s, a, base, MIN, 101, 200, 1000, &wr);
		_exit(wr.accepted == 100 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	s = tsu_open(tmpdir, &o);
	ck_assert_int_eq(store_stats_get(s, &st, NULL), 0);
	ck_assert_uint_eq(st.batches_replayed, 3);
	check_raw(s, "spool", 0, STORE_TIME_MAX, base, MIN, 201, 1000, 101);
	check_rollups(s, "spool", base, MIN, 201, 1000, 101);
	store_close(s);
}
END_TEST

/* The same replay split over many small batches interleaved with new
 * points, as a collector sends them, with frequent checkpoints. */
START_TEST(test_store_replay_interleaved)
{
	struct store_options o;
	struct store_write_result wr;
	struct store *s;
	int64_t base = (clock_wall_ms() / H - 5) * H + 3 * 1000;
	uint32_t a;
	int k;

	store_options_init(&o);
	o.late_window_ms = 10 * 1000;
	o.batchlog_bytes = 2048;
	s = tsu_open(tmpdir, &o);
	a = tsu_intern(s, "spool{grid=\"440304001001003\"}");
	/* Live points from minute 150 on; the spool from 0, ten at a time,
	 * one live point between two spool batches. */
	for (k = 0; k < 15; k++) {
		write_range(s, a, base, MIN, 150 + k, 150 + k, 0, &wr);
		ck_assert_uint_eq(wr.accepted, 1);
		write_range(s, a, base, MIN, 10 * k, 10 * k + 9, 0, &wr);
		ck_assert_uint_eq(wr.accepted, 10);
	}
	check_raw(s, "spool", 0, STORE_TIME_MAX, base, MIN, 165, 0, 0);
	check_rollups(s, "spool", base, MIN, 165, 0, 0);
	store_close(s);
	s = tsu_open(tmpdir, &o);
	check_raw(s, "spool", 0, STORE_TIME_MAX, base, MIN, 165, 0, 0);
	check_rollups(s, "spool", base, MIN, 165, 0, 0);
	store_close(s);
}
END_TEST

/*
 * One point two hours ahead and one in 2262 (a nanosecond timestamp of
 * INT64_MAX read as ms): the present-time points that follow are
 * accepted and stored once, and the checkpoints meanwhile do not close
 * the other series' open chunks as if hours had passed.
 */
START_TEST(test_store_future_point)
{
	struct store_options o;
	struct store_write_result wr;
	struct store_stats st;
	struct store *s;
	int64_t now = clock_wall_ms(), base = now - 30 * MIN, fut[2];
	uint32_t f, ok;
	int k, i;

	store_options_init(&o);
	o.batchlog_bytes = 1; /* a checkpoint after every write */
	s = tsu_open(tmpdir, &o);
	f = tsu_intern(s, "fut{grid=\"440304001001003\"}");
	ok = tsu_intern(s, "ok{grid=\"440304001001003\"}");
	fut[0] = now + 2 * H;
	fut[1] = INT64_MAX / 1000000;
	for (k = 0; k < 60; k++) {
		if (k == 30) {
			for (i = 0; i < 2; i++) {
				double v = -1;

				ck_assert_int_eq(store_write(s, &f, &fut[i], &v,
				                     1, &wr, NULL),
				    0);
				ck_assert_uint_eq(wr.accepted, 1);
			}
		}
		write_range(s, f, base, 10000, k, k, 0, &wr);
		ck_assert_msg(wr.accepted == 1, "point %d refused", k);
		write_range(s, ok, base, 10000, k, k, 0, &wr);
		ck_assert_uint_eq(wr.accepted, 1);
	}
	check_raw(s, "fut", base, now + H, base, 10000, 60, 0, 0);
	check_raw(s, "ok", 0, STORE_TIME_MAX, base, 10000, 60, 0, 0);
	/* ok's chunk closes at most at an hour boundary; fut's at the jumps
	 * ahead.  Without a clock of its own the store took 2262 for now
	 * and closed ok's chunk at every checkpoint. */
	ck_assert_int_eq(store_stats_get(s, &st, NULL), 0);
	ck_assert_uint_le(st.chunks_written, 4);
	store_close(s);

	s = tsu_open(tmpdir, &o);
	check_raw(s, "fut", base, now + H, base, 10000, 60, 0, 0);
	write_range(s, f, base, 10000, 60, 60, 0, &wr);
	ck_assert_uint_eq(wr.accepted, 1);
	check_raw(s, "fut", base, now + H, base, 10000, 61, 0, 0);
	{
		struct store_result r;
		struct selector *se = tsu_sel("fut");

		ck_assert_int_eq(
		    store_query_raw(s, se, 0, STORE_TIME_MAX, &r, NULL), 0);
		selector_free(se);
		ck_assert_uint_eq(r.series[0].npoints, 63);
		ck_assert_int_eq(r.series[0].points[62].t, fut[1]);
		store_result_free(&r);
	}
	store_close(s);
}
END_TEST

/*
 * store_write_flags() says which points of a batch were stored: points
 * behind their series' newest and older than the raw retention, bad
 * times and unknown series get 0; in-order points (however old, for a
 * new series), merges within the retention and duplicates (the last
 * write of a time is kept) get 1, and the stored points are exactly
 * the flagged ones.
 */
START_TEST(test_store_write_flags)
{
	struct store_options o;
	struct store_write_result wr;
	struct store_result r;
	struct selector *se;
	struct store *s;
	int64_t now = clock_wall_ms() / 1000 * 1000;
	uint32_t a, b, ids[8];
	int64_t ts[8];
	double vs[8];
	unsigned char acc[8], want[8] = {0, 1, 1, 0, 0, 1, 1, 0};
	char *cause = NULL;
	size_t i;

	store_options_init(&o);
	o.retention_raw_ms = H;
	s = tsu_open(tmpdir, &o);
	a = tsu_intern(s, "flags{grid=\"440304001001001\"}");
	b = tsu_intern(s, "flags{grid=\"440304001001002\"}");
	write_range(s, a, now - 10 * MIN, MIN, 0, 0, 0, &wr);
	ck_assert_uint_eq(wr.accepted, 1);
	/* 0: behind a's newest, past the retention; 1, 2: a duplicate pair
	 * (the second is kept); 3: unknown series; 4: bad time; 5: a merge
	 * inside the retention; 6: b's first point, past the retention but
	 * in order; 7: then b's older one past the retention. */
	ids[0] = a, ts[0] = now - 2 * H, vs[0] = 10;
	ids[1] = a, ts[1] = now - 5 * MIN, vs[1] = 11;
	ids[2] = a, ts[2] = now - 5 * MIN, vs[2] = 12;
	ids[3] = 99999, ts[3] = now, vs[3] = 13;
	ids[4] = a, ts[4] = -1, vs[4] = 14;
	ids[5] = a, ts[5] = now - 30 * MIN, vs[5] = 15;
	ids[6] = b, ts[6] = now - 2 * H, vs[6] = 16;
	ids[7] = b, ts[7] = now - 3 * H, vs[7] = 17;
	memset(acc, 0xaa, sizeof acc);
	if (store_write_flags(s, ids, ts, vs, 8, acc, &wr, &cause) != 0)
		ck_abort_msg("write: %s", cause);
	for (i = 0; i < 8; i++)
		ck_assert_msg(acc[i] == want[i], "point %zu: flag %d, want %d",
		    i, acc[i], want[i]);
	ck_assert_uint_eq(wr.accepted, 4);
	ck_assert_uint_eq(wr.rejected[STORE_REJECT_LATE], 2);
	ck_assert_uint_eq(wr.rejected[STORE_REJECT_TIME], 1);
	ck_assert_uint_eq(wr.rejected[STORE_REJECT_SERIES], 1);
	ck_assert_uint_eq(wr.duplicates, 1);

	se = tsu_sel("flags");
	ck_assert_int_eq(
	    store_query_raw(s, se, 0, STORE_TIME_MAX, &r, NULL), 0);
	selector_free(se);
	ck_assert_uint_eq(r.n, 2);
	for (i = 0; i < r.n; i++) {
		const struct store_series_result *sr = &r.series[i];

		if (strstr(sr->key, "440304001001001") != NULL) {
			ck_assert_uint_eq(sr->npoints, 3);
			ck_assert(sr->points[0].t == now - 30 * MIN &&
			          sr->points[0].v == 15);
			ck_assert(sr->points[1].t == now - 10 * MIN &&
			          sr->points[1].v == 0);
			ck_assert(sr->points[2].t == now - 5 * MIN &&
			          sr->points[2].v == 12);
		} else {
			ck_assert_uint_eq(sr->npoints, 1);
			ck_assert(sr->points[0].t == now - 2 * H &&
			          sr->points[0].v == 16);
		}
	}
	store_result_free(&r);
	store_close(s);
}
END_TEST

/* A chunk that ends its hour is sealed on the apply thread and closed
 * later (store/seal.c): a checkpoint in the batch that crosses the hour
 * (every batch here: a tiny batch log) writes it before it deletes the
 * batch log, so a kill -9 once the thread is idle loses nothing; and a
 * query right after that batch sees the chunk.  (The child forks before
 * this process opens a store: store.h, RocksDB's threads.) */
START_TEST(test_store_sealed_chunks)
{
	struct store_options o;
	struct store_write_result wr;
	struct store_stats st;
	struct store *s;
	int64_t base = (clock_wall_ms() / H - 6) * H + 29 * 1000;
	uint32_t a;
	pid_t pid;
	int status;

	store_options_init(&o);
	o.late_window_ms = 10 * 1000;
	ck_assert(o.apply_thread);
	o.batchlog_bytes = 256; /* a checkpoint after every batch */
	if ((pid = fork()) == 0) {
		s = tsu_open(tmpdir, &o);
		a = tsu_intern(s, "sealed{grid=\"440304001001002\"}");
		write_range(s, a, base, MIN, 0, 59, 0, &wr);   /* one hour */
		write_range(s, a, base, MIN, 60, 119, 0, &wr); /* the next */
		/* Applied and idle, then killed without a close. */
		(void)store_stats_get(s, &st, NULL);
		_exit(st.checkpoints >= 2 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	s = tsu_open(tmpdir, &o);
	check_raw(s, "sealed", 0, STORE_TIME_MAX, base, MIN, 120, 0, 120);
	check_rollups(s, "sealed", base, MIN, 120, 0, 120);
	store_close(s);
	tsu_rmtree(tmpdir);

	/* No checkpoint: the query must wait for the sealed chunk. */
	o.batchlog_bytes = 64 << 20;
	s = tsu_open(tmpdir, &o);
	a = tsu_intern(s, "sealed{grid=\"440304001001001\"}");
	write_range(s, a, base, MIN, 0, 59, 0, &wr);
	write_range(s, a, base, MIN, 60, 119, 0, &wr);
	check_raw(s, "sealed", 0, STORE_TIME_MAX, base, MIN, 120, 0, 120);
	check_rollups(s, "sealed", base, MIN, 120, 0, 120);
	store_close(s);
}
END_TEST

/* Series closing{n="0"} .. closing{n="N-1"}: minutes 0..59 from base
 * (minute k valued k) in one batch, then minutes 60 and 61 in another,
 * which crosses the hour. */
static void
write_closing(struct store *s, int n, int64_t base)
{
	uint32_t ids[64], bid[4096];
	int64_t ts[4096];
	double vs[4096];
	char key[64], *cause = NULL;
	size_t m;
	int k, i, batch;

	ck_assert_int_le(n, 64);
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof key, "closing{n=\"%d\"}", i);
		ids[i] = tsu_intern(s, key);
	}
	for (batch = 0; batch < 2; batch++) {
		m = 0;
		for (k = batch ? 60 : 0; k <= (batch ? 61 : 59); k++) {
			for (i = 0; i < n; i++) {
				bid[m] = ids[i];
				ts[m] = base + k * MIN;
				vs[m] = k;
				m++;
			}
		}
		if (store_write(s, bid, ts, vs, m, NULL, &cause) != 0)
			ck_abort_msg("write: %s", cause);
	}
}

/* Every series of "closing" holds minutes 0..61 from base, and its
 * first hour's minute and hour rollups (minute k valued k). */
static void
check_closing(struct store *s, int64_t base, int n)
{
	struct store_result r;
	size_t i, j;

	r = tsu_agg(s, "closing", base, base + H, STORE_AGG_COUNT, MIN);
	ck_assert_uint_eq(r.n, (size_t)n);
	for (i = 0; i < r.n; i++) {
		ck_assert_uint_eq(r.series[i].npoints, 60);
		for (j = 0; j < 60; j++)
			ck_assert(r.series[i].points[j].v == 1);
	}
	store_result_free(&r);
	r = tsu_agg(s, "closing", base, base + H, STORE_AGG_SUM, H);
	ck_assert_uint_eq(r.n, (size_t)n);
	for (i = 0; i < r.n; i++) {
		ck_assert_uint_eq(r.series[i].npoints, 1);
		ck_assert_msg(r.series[i].points[0].v == 1770, "hour sum %g",
		    r.series[i].points[0].v);
	}
	store_result_free(&r);
	r = tsu_agg(s, "closing", base, base + 2 * H, STORE_AGG_COUNT, 2 * H);
	for (i = 0; i < r.n; i++)
		ck_assert(r.series[i].points[0].v == 62);
	store_result_free(&r);
}

/* Sealed chunks handed to the close thread (store/close.c), made slow
 * here: a query right after the batch that crosses the hour sees every
 * closed chunk and its rollups, and a checkpoint in that batch (a tiny
 * batch log) puts them all before it deletes the batch log, so a kill -9
 * once the thread is idle loses nothing. */
START_TEST(test_store_close_thread_busy)
{
	enum { N = 40 };
	struct store_options o;
	struct store_stats st;
	struct store *s;
	/* On an even hour: check_closing's 2 h bucket starts at a multiple
	 * of its step, as query buckets do. */
	int64_t base = (clock_wall_ms() / (2 * H) - 3) * 2 * H;
	pid_t pid;
	int status;

	store_options_init(&o);
	o.late_window_ms = 10 * 1000;
	ck_assert(o.apply_thread);
	o.batchlog_bytes = 256;
	if ((pid = fork()) == 0) {
		store_close_delay_us = 20000; /* 0.8 s for all */
		s = tsu_open(tmpdir, &o);
		write_closing(s, N, base);
		(void)store_stats_get(s, &st, NULL); /* idle */
		_exit(st.checkpoints >= 2 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	s = tsu_open(tmpdir, &o);
	check_closing(s, base, N);
	store_close(s);
	tsu_rmtree(tmpdir);

	/* No checkpoint: the query waits for every close. */
	store_close_delay_us = 5000;
	o.batchlog_bytes = 64 << 20;
	s = tsu_open(tmpdir, &o);
	write_closing(s, N, base);
	check_closing(s, base, N);
	ck_assert_int_eq(store_stats_get(s, &st, NULL), 0);
	ck_assert_uint_eq(st.chunks_written, N);
	store_close(s);
	store_close_delay_us = 0;
}
END_TEST

/* nb batches of 10 points of "spill", a second apart from base, valued
 * 0, 1, 2, ... */
static void
write_spill(struct store *s, int64_t base, int nb)
{
	uint32_t id = tsu_intern(s, "spill"), ids[10];
	int64_t ts[10];
	double vs[10];
	char *cause = NULL;
	int b, i;

	for (b = 0; b < nb; b++) {
		for (i = 0; i < 10; i++) {
			ids[i] = id;
			ts[i] = base + (b * 10 + i) * 1000LL;
			vs[i] = b * 10 + i;
		}
		if (store_write(s, ids, ts, vs, 10, NULL, &cause) != 0)
			ck_abort_msg("write: %s", cause);
	}
}

static void
check_spill(struct store *s, int64_t base, int nb)
{
	struct store_result r;
	double n = nb * 10;

	r = tsu_agg(s, "spill", base, base + H, STORE_AGG_COUNT, H);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_msg(
	    r.series[0].points[0].v == n, "count %g", r.series[0].points[0].v);
	store_result_free(&r);
	r = tsu_agg(s, "spill", base, base + H, STORE_AGG_SUM, H);
	ck_assert_msg(r.series[0].points[0].v == n * (n - 1) / 2, "sum %g",
	    r.series[0].points[0].v);
	store_result_free(&r);
}

/* Batches queued without their points (store/apply.c, "spilled") are
 * read back from the batch log in order, across checkpoints that delete
 * the log below them, with the hour's closes on a slow close thread;
 * and a process killed before they are applied loses none of them. */
START_TEST(test_store_apply_spilled)
{
	enum { N = 20, NB = 200 };
	struct store_options o;
	struct store_stats st;
	struct store *s;
	int64_t base = (clock_wall_ms() / (2 * H) - 3) * 2 * H;
	pid_t pid;
	int status;
	unsigned mode;

	store_options_init(&o);
	o.late_window_ms = 10 * 1000;
	o.batchlog_bytes = 1024; /* a checkpoint every few batches */
	store_close_delay_us = 2000;
	for (mode = 1; mode <= 2; mode++) { /* all spilled, every other */
		store_apply_spill_test = mode;
		s = tsu_open(tmpdir, &o);
		write_closing(s, N, base);
		write_spill(s, base, NB);
		check_closing(s, base, N);
		check_spill(s, base, NB);
		ck_assert_int_eq(store_stats_get(s, &st, NULL), 0);
		ck_assert_uint_eq(
		    st.batches_spilled, mode == 1 ? NB + 2 : NB / 2 + 1);
		ck_assert_uint_ge(st.checkpoints, 10);
		store_close(s);
		tsu_rmtree(tmpdir);
	}

	if ((pid = fork()) == 0) {
		s = tsu_open(tmpdir, &o);
		write_closing(s, N, base);
		write_spill(s, base, NB);
		_exit(0); /* as kill -9: the queue's batches not all applied */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	store_apply_spill_test = 0;
	store_close_delay_us = 0;
	s = tsu_open(tmpdir, &o);
	check_closing(s, base, N);
	check_spill(s, base, NB);
	store_close(s);
}
END_TEST

/* The spill cap's test: batches of CAP_B points, CAP_T ticks of CAP_S
 * series, written on a thread of their own. */
enum { CAP_S = 1024, CAP_T = 16, CAP_B = CAP_S * CAP_T, CAP_NB = 30 };

struct cap_writer {
	struct store *s;
	const uint32_t *ids; /* CAP_S series */
	int64_t base;
	atomic_int taken; /* batches store_write() took */
	atomic_int done;  /* 1: all taken; -1: one refused */
};

/* Batch b holds ticks b * CAP_T .. of every series, a second apart from
 * base, valued by their tick. */
static void *
cap_write(void *arg)
{
	struct cap_writer *w = arg;
	uint32_t *ids = malloc(CAP_B * sizeof *ids);
	int64_t *ts = malloc(CAP_B * sizeof *ts);
	double *vs = malloc(CAP_B * sizeof *vs);
	char *cause = NULL;
	int b, k, i, j, rc = 1;

	for (b = 0; b < CAP_NB && rc == 1; b++) {
		for (k = 0, j = 0; k < CAP_T; k++) {
			for (i = 0; i < CAP_S; i++, j++) {
				ids[j] = w->ids[i];
				ts[j] = w->base + (b * CAP_T + k) * 1000LL;
				vs[j] = b * CAP_T + k;
			}
		}
		if (store_write(w->s, ids, ts, vs, CAP_B, NULL, &cause) != 0) {
			free(cause);
			rc = -1;
		} else
			atomic_fetch_add(&w->taken, 1);
	}
	free(ids);
	free(ts);
	free(vs);
	atomic_store(&w->done, rc);
	return NULL;
}

/* With the apply thread held, a writer fills its queue: its ring first,
 * then batches queued spilled until their points reach the cap
 * (store/apply.c, APPLY_SPILL_POINTS), well before the queue's job limit;
 * there the writer waits, with the spilled points never past the cap.
 * Released, the thread applies every batch, spilled or not. */
START_TEST(test_store_apply_spill_cap)
{
	struct store_options o;
	struct store_stats st;
	struct store_result r;
	struct store *s;
	struct cap_writer w;
	pthread_t th;
	uint32_t ids[CAP_S];
	char key[64];
	int64_t deadline, base = (clock_wall_ms() / H - 2) * H;
	size_t jobs, spilled, waiting, i;
	double nt = CAP_NB * CAP_T;

	store_options_init(&o);
	ck_assert(o.apply_thread);
	s = tsu_open(tmpdir, &o);
	for (i = 0; i < CAP_S; i++) {
		snprintf(key, sizeof key, "cap{i=\"%zu\"}", i);
		ids[i] = tsu_intern(s, key);
	}
	memset(&w, 0, sizeof w);
	w.s = s;
	w.ids = ids;
	w.base = base;
	store_apply_hold(s, 1);
	ck_assert_int_eq(pthread_create(&th, NULL, cap_write, &w), 0);
	/* Until the writer waits, or has no more to write. */
	deadline = clock_mono_ns() + 10 * 1000000000LL;
	for (;;) {
		store_apply_peek(s, &jobs, &spilled, &waiting);
		ck_assert_uint_le(spilled, APPLY_SPILL_POINTS);
		if (waiting > 0 || atomic_load(&w.done) != 0 ||
		    clock_mono_ns() > deadline)
			break;
		usleep(1000);
	}
	ck_assert_msg(waiting == 1 && atomic_load(&w.done) == 0,
	    "writer not waiting: %zu jobs, %zu spilled points, done %d", jobs,
	    spilled, atomic_load(&w.done));
	/* The cap stopped it: not the job limit, and no batch more would
	 * have fitted under it. */
	ck_assert_uint_lt(jobs, APPLY_QUEUE_JOBS);
	ck_assert_uint_gt(spilled + CAP_B, APPLY_SPILL_POINTS);
	ck_assert_uint_eq(jobs, atomic_load(&w.taken));
	ck_assert_int_lt(atomic_load(&w.taken), CAP_NB);

	store_apply_hold(s, 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(atomic_load(&w.done), 1);
	ck_assert_int_eq(atomic_load(&w.taken), CAP_NB);
	ck_assert_int_eq(store_stats_get(s, &st, NULL), 0);
	ck_assert_uint_ge(st.batches_spilled, APPLY_SPILL_POINTS / CAP_B);
	ck_assert_uint_eq(st.points_written, (uint64_t)CAP_NB * CAP_B);
	/* Every point applied once: each series' count and sum of ticks. */
	r = tsu_agg(s, "cap", base, base + H, STORE_AGG_COUNT, H);
	ck_assert_uint_eq(r.n, CAP_S);
	for (i = 0; i < r.n; i++)
		ck_assert_msg(r.series[i].points[0].v == nt, "count %g",
		    r.series[i].points[0].v);
	store_result_free(&r);
	r = tsu_agg(s, "cap", base, base + H, STORE_AGG_SUM, H);
	ck_assert_uint_eq(r.n, CAP_S);
	for (i = 0; i < r.n; i++)
		ck_assert_msg(r.series[i].points[0].v == nt * (nt - 1) / 2,
		    "sum %g", r.series[i].points[0].v);
	store_result_free(&r);
	store_close(s);
}
END_TEST

/* The apply queue's ring (store/apply.c): random batches queued and
 * applied in order; each place given is inside the ring and overlaps no
 * queued batch, and a batch that fits after the newest one, or at 0
 * before the oldest, is placed. */
START_TEST(test_store_apply_ring)
{
	enum { CAP = 1000, MAXQ = 64 };
	size_t off[MAXQ], len[MAXQ], first = 0, count = 0, placed = 0;
	size_t wrapped = 0, full = 0;
	unsigned seed = 12345;
	int step;

	for (step = 0; step < 200000; step++) {
		size_t n, at, j, oldo = 0, newo = 0, newe = 0;

		seed = seed * 1103515245u + 12345u;
		if (count > 0 && (seed >> 16) % 3 == 0) {
			first = (first + 1) % MAXQ; /* the oldest applied */
			count--;
			continue;
		}
		n = 1 + (seed >> 8) % (CAP / 3);
		if (count > 0) {
			oldo = off[first];
			newo = off[(first + count - 1) % MAXQ];
			newe = newo + len[(first + count - 1) % MAXQ];
		}
		at = store_apply_ring_fit(CAP, count, oldo, newo, newe, n);
		if (at == SIZE_MAX) {
			/* Only when neither after the newest nor at 0 fits. */
			ck_assert(count > 0);
			if (newo >= oldo)
				ck_assert(newe + n > CAP && n > oldo);
			else
				ck_assert(newe + n > oldo);
			full++;
			continue;
		}
		ck_assert_uint_le(at + n, CAP);
		for (j = 0; j < count; j++) {
			size_t q = (first + j) % MAXQ;

			ck_assert(at + n <= off[q] || off[q] + len[q] <= at);
		}
		if (count > 0 && at < newe)
			wrapped++;
		if (count == MAXQ)
			continue;
		off[(first + count) % MAXQ] = at;
		len[(first + count) % MAXQ] = n;
		count++;
		placed++;
	}
	ck_assert_uint_gt(placed, 10000);
	ck_assert_uint_gt(wrapped, 1000);
	ck_assert_uint_gt(full, 1000);
}
END_TEST

static Suite *
order_suite(void)
{
	Suite *su = suite_create("store-order");
	TCase *tc = tcase_create("order");

	tcase_add_checked_fixture(tc, tsu_dir_setup, tsu_dir_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_store_replay_older_points);
	tcase_add_test(tc, test_store_replay_from_log);
	tcase_add_test(tc, test_store_replay_interleaved);
	tcase_add_test(tc, test_store_future_point);
	tcase_add_test(tc, test_store_write_flags);
	tcase_add_test(tc, test_store_apply_ring);
	tcase_add_test(tc, test_store_sealed_chunks);
	tcase_add_test(tc, test_store_close_thread_busy);
	tcase_add_test(tc, test_store_apply_spilled);
	tcase_add_test(tc, test_store_apply_spill_cap);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(order_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
