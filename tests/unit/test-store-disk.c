/*
 * Store tests of what lies on disk: the directory a graceful close
 * leaves, a full disk, and queries (and per-minute rate summaries) over
 * blocks that cannot be read back.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/clock.h"
#include "store/rate-minute.h"
#include "store/store-int.h"
#include "store/store.h"
#include "test-store-util.h"

#define MIN 60000LL
#define H   3600000LL

#define tmpdir (tsu_dir())

/* Files in dir whose names end with suffix. */
static int
count_files(const char *dir, const char *suffix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t k = strlen(suffix);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l > k && strcmp(de->d_name + l - k, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Points of series m{grid="0"} .. m{grid="nser-1"}, one batch per tick
 * of step ms from t0, ticks from .. to - 1; with must a refused batch
 * fails the test, else it ends the writing.  The number of ticks taken. */
static int
write_ticks_from(struct store *s, int nser, int64_t t0, int64_t step, int from,
    int to, int must)
{
	uint32_t *ids = calloc(nser, sizeof *ids);
	int64_t *ts = calloc(nser, sizeof *ts);
	double *vs = calloc(nser, sizeof *vs);
	char key[64], *cause = NULL;
	int i, k;

	for (i = 0; i < nser; i++) {
		snprintf(key, sizeof key, "m{grid=\"%d\"}", i);
		ids[i] = tsu_intern(s, key);
	}
	for (k = from; k < to; k++) {
		for (i = 0; i < nser; i++) {
			ts[i] = t0 + k * step;
			vs[i] = (double)((i * 7 + k) % 100) / 10;
		}
		if (store_write(s, ids, ts, vs, nser, NULL, &cause) != 0) {
			if (must)
				ck_abort_msg("write: %s", cause);
			free(cause);
			break;
		}
	}
	free(ids);
	free(ts);
	free(vs);
	return k - from;
}

/* n points of each of nser series, one batch per tick of 10 s. */
static void
write_ticks(struct store *s, int nser, int64_t t0, int ticks)
{
	write_ticks_from(s, nser, t0, 10000, 0, ticks, 1);
}

/*
 * A graceful close flushes every column family: the directory keeps at
 * most RocksDB's current write-ahead log, though several were alive
 * before (a metadata key the size-triggered flushes never reach kept
 * them).
 */
START_TEST(test_store_close_leaves_one_wal)
{
	struct store_options o;
	struct store *s;
	struct store_result r;
	int64_t t0 = (clock_wall_ms() / H - 4) * H;
	int before;

	store_options_init(&o);
	o.batchlog_bytes = 4 << 20;
	s = tsu_open(tmpdir, &o);
	ck_assert_int_eq(store_meta_put(s, "hub/x", 5, "1", 1, NULL), 0);
	write_ticks(s, 2000, t0, 1080);
	before = count_files(tmpdir, ".log");
	ck_assert_int_ge(before, 2);
	store_close(s);
	ck_assert_int_le(count_files(tmpdir, ".log"), 1);

	s = tsu_open(tmpdir, &o);
	r = tsu_agg(s, "m", t0, t0 + 3 * H, STORE_AGG_COUNT, 0);
	ck_assert_uint_eq(r.n, 2000);
	ck_assert(r.series[0].points[0].v == 1080);
	store_result_free(&r);
	store_close(s);
	ck_assert_int_le(count_files(tmpdir, ".log"), 1);
}
END_TEST

/*
 * A full disk, made with RLIMIT_FSIZE in a child (RocksDB's write fails
 * with EFBIG as it would with ENOSPC, and RocksDB stops taking writes):
 * the store refuses the write, closes without aborting, and the next
 * open, without the limit, has every point acknowledged, none of the
 * refused batch, and takes writes again.
 */
START_TEST(test_store_close_after_full_disk)
{
	struct store_options o;
	struct store *s;
	struct store_result r;
	struct rlimit rl = {1 << 20, 1 << 20};
	int64_t t0 = (clock_wall_ms() / H - 2) * H;
	int fd[2], taken = -1, status;
	pid_t pid;
	size_t i;

	store_options_init(&o);
	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(3);
		s = tsu_open(tmpdir, &o);
		taken = write_ticks_from(s, 500, t0, 1000, 0, 3600, 0);
		if (write(fd[1], &taken, sizeof taken) != sizeof taken)
			_exit(4);
		store_close(s);
		_exit(0);
	}
	close(fd[1]);
	ck_assert_int_eq(read(fd[0], &taken, sizeof taken), sizeof taken);
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "closing after a full disk: %s %d",
	    WIFSIGNALED(status) ? "signal" : "exit",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	/* The limit was reached (a batch was refused), after some were
	 * taken. */
	ck_assert_int_gt(taken, 0);
	ck_assert_int_lt(taken, 3600);

	s = tsu_open(tmpdir, &o);
	r = tsu_agg(s, "m", t0, t0 + 2 * H, STORE_AGG_COUNT, 0);
	ck_assert_uint_eq(r.n, 500);
	for (i = 0; i < r.n; i++)
		ck_assert(r.series[i].points[0].v == taken);
	store_result_free(&r);
	ck_assert_int_eq(
	    write_ticks_from(s, 500, t0, 1000, taken, taken + 10, 1), 10);
	store_close(s);
	s = tsu_open(tmpdir, &o);
	r = tsu_agg(s, "m", t0, t0 + 2 * H, STORE_AGG_COUNT, 0);
	ck_assert_uint_eq(r.n, 500);
	ck_assert(r.series[0].points[0].v == taken + 10);
	store_result_free(&r);
	store_close(s);
}
END_TEST

/*
 * A refused write whose batch makes new series, then the same points
 * taken once RocksDB writes again (it resumes by itself once space is
 * freed after ENOSPC): the series' index records are written with them,
 * and a restart keeps the series and its points.
 */
START_TEST(test_store_refused_write_keeps_new_series)
{
	struct store_result r;
	struct store *s;
	char *cause = NULL;
	uint32_t id, id2;
	int64_t t = clock_wall_ms() - 60000;
	double v = 1.5;

	s = tsu_open(tmpdir, NULL);
	id = tsu_intern(s, "n{grid=\"1\"}");
	store_write_fail_next = 1;
	ck_assert_int_eq(store_write(s, &id, &t, &v, 1, NULL, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "writing the batch log"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(store_write(s, &id, &t, &v, 1, NULL, &cause), 0);
	store_close(s);

	s = tsu_open(tmpdir, NULL);
	ck_assert_int_eq(store_series_lookup(s, "n{grid=\"1\"}",
	                     strlen("n{grid=\"1\"}"), &id2, &cause),
	    0);
	ck_assert_uint_eq(id2, id);
	r = tsu_agg(s, "n", t - 1000, t + 1000, STORE_AGG_COUNT, 0);
	ck_assert_uint_eq(r.n, 1);
	ck_assert(r.series[0].points[0].v == 1);
	store_result_free(&r);
	store_close(s);
}
END_TEST

/* Damage the first data block of the SST files of column family cf
 * (found by its name in their properties); returns how many. */
static int
corrupt_cf(const char *dir, const char *cf)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		char path[512], *buf;
		size_t l = strlen(de->d_name);
		struct stat sb;
		FILE *f;

		if (l < 5 || strcmp(de->d_name + l - 4, ".sst") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		ck_assert_int_eq(stat(path, &sb), 0);
		buf = malloc(sb.st_size);
		f = fopen(path, "r+b");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fread(buf, 1, sb.st_size, f), sb.st_size);
		if (memmem(buf, sb.st_size, cf, strlen(cf)) != NULL) {
			static const char junk[16] = "0123456789abcdef";

			ck_assert_int_eq(fseek(f, 8, SEEK_SET), 0);
			ck_assert_uint_eq(fwrite(junk, 1, 16, f), 16);
			n++;
		}
		fclose(f);
		free(buf);
	}
	closedir(d);
	return n;
}

/*
 * A block that cannot be read makes the answer partial, with a warning
 * naming it, instead of a silently shorter answer: the minute tier (read
 * by Get) and the raw chunks (read by an iterator).
 */
START_TEST(test_store_read_error_partial)
{
	struct store_options o;
	struct store *s;
	struct store_result r;
	struct selector *se;
	int64_t t0 = (clock_wall_ms() / H - 6) * H;
	size_t i;

	store_options_init(&o);
	s = tsu_open(tmpdir, &o);
	write_ticks(s, 3, t0, 4 * 360);
	ck_assert_int_eq(store_flush(s, 1, NULL), 0);
	/* Whole and intact first. */
	r = tsu_agg(s, "m", t0, t0 + 3 * H, STORE_AGG_AVG, MIN);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_uint_eq(r.series[0].npoints, 180);
	ck_assert_int_eq(r.partial, 0);
	ck_assert_uint_eq(r.nwarnings, 0);
	store_result_free(&r);
	store_close(s);

	ck_assert_int_ge(corrupt_cf(tmpdir, "rollup_m"), 1);
	ck_assert_int_ge(corrupt_cf(tmpdir, "chunks"), 1);
	s = tsu_open(tmpdir, &o);
	r = tsu_agg(s, "m", t0, t0 + 3 * H, STORE_AGG_AVG, MIN);
	ck_assert_int_eq(r.partial, 1);
	ck_assert_uint_gt(r.nwarnings, 0);
	for (i = 0; i < r.nwarnings; i++) {
		if (strstr(r.warnings[i], "rollup_m block") != NULL)
			break;
	}
	ck_assert_msg(i < r.nwarnings, "no warning of the minute tier: %s",
	    r.warnings[0]);
	store_result_free(&r);

	se = tsu_sel("m");
	ck_assert_int_eq(store_query_raw(s, se, t0, t0 + 3 * H, &r, NULL), 0);
	ck_assert_int_eq(r.partial, 1);
	ck_assert_uint_gt(r.nwarnings, 0);
	store_result_free(&r);
	selector_free(se);
	store_close(s);
}
END_TEST

static int nwarn_read;

static void
note_read_warn(void *arg, const char *msg)
{
	(void)arg;
	if (strstr(msg, "read error") != NULL &&
	    strstr(msg, "rollup_m block of series") != NULL)
		nwarn_read++;
}

/*
 * Minute blocks RocksDB cannot read (their file damaged): the per-minute
 * summaries of rate (store_minutes) report them and take those hours from
 * the raw points, so every series still has all its points.
 */
START_TEST(test_store_minutes_read_error)
{
	struct store_options o;
	struct store *s;
	struct store_minutes *mr;
	const struct store_series_result *sr;
	const struct rate_minute *m;
	struct selector *se = tsu_sel("m");
	int64_t t0 = (clock_wall_ms() / H - 6) * H;
	size_t i, n, nser = 0;
	char *cause = NULL;

	store_options_init(&o);
	o.warn = note_read_warn;
	s = tsu_open(tmpdir, &o);
	write_ticks(s, 3, t0, 4 * 360);
	ck_assert_int_eq(store_flush(s, 1, NULL), 0);
	store_close(s);
	ck_assert_int_ge(corrupt_cf(tmpdir, "rollup_m"), 1);

	s = tsu_open(tmpdir, &o);
	nwarn_read = 0;
	ck_assert_int_eq(
	    store_minutes_open(s, se, t0, t0 + 3 * H, &mr, &cause), 0);
	while (store_minutes_next(mr, &sr, &m) == 1) {
		for (i = 0, n = 0; i < 3 * 60; i++)
			n += m[i].count;
		ck_assert_uint_eq(n, 3 * 360);
		nser++;
	}
	ck_assert_uint_eq(nser, 3);
	ck_assert_uint_gt(store_minutes_bad(mr), 0);
	ck_assert_int_gt(nwarn_read, 0);
	store_minutes_close(mr);
	selector_free(se);
	store_close(s);
}
END_TEST

static int nwarn_ckpt;

static void
note_ckpt_warn(void *arg, const char *msg)
{
	(void)arg;
	if (strstr(msg, "checkpoint failed") != NULL)
		nwarn_ckpt++;
}

/* With the apply thread held, nb batches of nser series queued, then a
 * checkpoint that fails: the apply thread tries one after each batch
 * (a tiny batch log). */
static void
queue_then_fail(struct store *s, int nser, int64_t t0, int from, int nb)
{
	write_ticks_from(s, nser, t0, 1000, 0, 0, 1); /* the series made */
	store_apply_hold(s, 1);
	write_ticks_from(s, nser, t0, 1000, from, from + nb, 1);
	store_checkpoint_fail_next = 1;
	store_apply_hold(s, 0);
	store_apply_wait(s);
	store_checkpoint_fail_next = 0;
}

/*
 * A checkpoint that fails with batches still queued is logged once, not
 * once for each of them, while every write after it is still refused
 * with the reason; a reopened store has every batch taken, and its own
 * failure is logged once again.
 */
START_TEST(test_store_checkpoint_fail_warns_once)
{
	enum { NSER = 50, NB = 20 };
	struct store_options o;
	struct store_stats st;
	struct store_result r;
	struct store *s;
	int64_t t0 = (clock_wall_ms() / H - 2) * H, t = t0 + NB * 1000;
	double v = 1;
	char *cause = NULL;
	uint32_t id;
	size_t i;

	store_options_init(&o);
	o.warn = note_ckpt_warn;
	o.batchlog_bytes = 256;
	nwarn_ckpt = 0;
	s = tsu_open(tmpdir, &o);
	queue_then_fail(s, NSER, t0, 0, NB);
	ck_assert_int_eq(nwarn_ckpt, 1);
	ck_assert_int_eq(store_stats_get(s, &st, NULL), 0);
	ck_assert_uint_eq(st.checkpoints, 0);
	ck_assert_uint_eq(st.points_written, NSER * NB);
	id = tsu_intern(s, "m{grid=\"0\"}");
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(
		    store_write(s, &id, &t, &v, 1, NULL, &cause), -1);
		ck_assert_ptr_nonnull(strstr(cause, "checkpoint failed"));
		ck_assert_ptr_nonnull(strstr(cause, "read-only"));
		free(cause);
		cause = NULL;
	}
	store_close(s);
	ck_assert_int_eq(nwarn_ckpt, 1);

	s = tsu_open(tmpdir, &o);
	r = tsu_agg(s, "m", t0, t0 + H, STORE_AGG_COUNT, 0);
	ck_assert_uint_eq(r.n, NSER);
	for (i = 0; i < r.n; i++)
		ck_assert(r.series[i].points[0].v == NB);
	store_result_free(&r);
	queue_then_fail(s, NSER, t0, NB, NB);
	ck_assert_int_eq(nwarn_ckpt, 2);
	store_close(s);
}
END_TEST

static Suite *
disk_suite(void)
{
	Suite *su = suite_create("store-disk");
	TCase *tc = tcase_create("disk");

	tcase_add_checked_fixture(tc, tsu_dir_setup, tsu_dir_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_store_close_leaves_one_wal);
	tcase_add_test(tc, test_store_close_after_full_disk);
	tcase_add_test(tc, test_store_refused_write_keeps_new_series);
	tcase_add_test(tc, test_store_read_error_partial);
	tcase_add_test(tc, test_store_minutes_read_error);
	tcase_add_test(tc, test_store_checkpoint_fail_warns_once);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(disk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
