/*
 * The batch log's replay at open, on its own: a child process writes
 * acknowledged batches and exits without closing the store (no checkpoint,
 * as after kill -9); the reopened store must replay every batch and answer
 * every point.  tests/unit/test-store-crash covers the same under random
 * SIGKILLs; this test guards the replay deterministically and fast.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/clock.h"
#include "store/store.h"
#include "test-store-util.h"

#define NBATCH 50
#define NPER   20

static char tmpdir[256];
static int64_t T0;

static void
setup(void)
{
	tsu_tmpdir(tmpdir, sizeof tmpdir);
	/* Well inside the raw retention, on a whole second. */
	T0 = (clock_wall_ms() / 1000 - 3600) * 1000;
}

static void
teardown(void)
{
	tsu_rmtree(tmpdir);
}

static double
value_of(int b, int i)
{
	return b * 1000.0 + i + 0.25;
}

/* The child: NBATCH acknowledged batches over two series, then _exit()
 * without store_close() (RocksDB is opened in the child only: a fork of a
 * process that ran RocksDB would inherit its thread pool without threads). */
static void
writer(void)
{
	struct store *s = tsu_open(tmpdir, NULL);
	uint32_t ids[NPER];
	int64_t ts[NPER];
	double vs[NPER];
	uint32_t a = tsu_intern(s, "level{grid=\"440304001001001\"}");
	uint32_t b = tsu_intern(s, "level{grid=\"440304001001002\"}");
	char *cause = NULL;
	int i, k;

	for (k = 0; k < NBATCH; k++) {
		for (i = 0; i < NPER; i++) {
			ids[i] = i % 2 == 0 ? a : b;
			ts[i] = T0 + (int64_t)(k * NPER + i) * 1000;
			vs[i] = value_of(k, i);
		}
		if (store_write(s, ids, ts, vs, NPER, NULL, &cause) != 0) {
			fprintf(stderr, "write: %s\n", cause);
			_exit(2);
		}
	}
	_exit(0);
}

START_TEST(test_replay_after_exit_without_close)
{
	struct store *s;
	struct store_stats st;
	struct store_result r;
	struct selector *sel;
	char *cause = NULL;
	size_t i, n;
	pid_t pid;
	int status;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		writer();
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	s = tsu_open(tmpdir, NULL);
	ck_assert_int_eq(store_stats_get(s, &st, &cause), 0);
	ck_assert_uint_eq(st.batches_replayed, NBATCH);
	sel = tsu_sel("level");
	ck_assert_int_eq(store_query_raw(s, sel, T0,
	                     T0 + (int64_t)NBATCH * NPER * 1000, &r, &cause),
	    0);
	selector_free(sel);
	ck_assert_uint_eq(r.n, 2);
	for (n = 0, i = 0; i < r.n; i++) {
		size_t j;

		ck_assert_uint_eq(r.series[i].npoints, NBATCH * NPER / 2);
		for (j = 0; j < r.series[i].npoints; j++) {
			int64_t k = (r.series[i].points[j].t - T0) / 1000;

			ck_assert_int_eq((int)(k % 2), (int)i);
			ck_assert(tsu_same(r.series[i].points[j].v,
			    value_of((int)(k / NPER), (int)(k % NPER))));
			n++;
		}
	}
	ck_assert_uint_eq(n, NBATCH * NPER);
	store_result_free(&r);
	store_close(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("store-replay");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_replay_after_exit_without_close);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
