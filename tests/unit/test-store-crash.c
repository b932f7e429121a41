/*
 * Crash safety: a forked writer acknowledges batches over a pipe and is
 * killed with SIGKILL at a random moment; the store is reopened and every
 * acknowledged point must be there with its value, the batch in flight
 * must be there entirely or not at all, and nothing else may appear.
 * Many rounds on the same store, with late points into closed chunks and
 * frequent checkpoints, so kills land in every phase.  The writer is a
 * fresh process (this program, re-executed): a fork of a process that has
 * run RocksDB would inherit its background thread pool without threads.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/store.h"
#include "test-store-util.h"

#define NSER   8
#define STEP   10000LL
#define ROUNDS 30

struct cpoint {
	uint32_t s; /* series index */
	int64_t t;
	double v;
};

static int64_t T0;
static char keys[NSER][32];

static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* The points of batch seq, the same in writer and checker. */
static size_t
batch_points(uint64_t seq, struct cpoint *p)
{
	size_t n = 0;
	uint32_t s;

	for (s = 0; s < NSER; s++) {
		uint64_t r = mix(seq * 131 + s);

		if (r % 10 < 8) {
			p[n].s = s;
			p[n].t = T0 + (int64_t)seq * STEP;
			p[n].v = (double)(int64_t)(r % 100000) / 100;
			n++;
		}
		if ((r >> 8) % 100 < 15 && seq > 400) {
			/* Late, up to 50 minutes back, between the ticks. */
			int64_t k = 1 + (int64_t)((r >> 16) % 300);

			p[n].s = s;
			p[n].t = T0 + ((int64_t)seq - k) * STEP + 1 +
			         (int64_t)(seq % 4999);
			p[n].v = r % 7 == 0 ? NAN : -(double)(r % 1000);
			n++;
		}
	}
	return n;
}

static struct store_options
crash_options(void)
{
	struct store_options o;

	store_options_init(&o);
	o.batchlog_bytes = 8 << 10; /* checkpoint every ~100 batches */
	return o;
}

static void __attribute__((noreturn))
writer(const char *dir, uint64_t seq, int fd)
{
	struct store_options o = crash_options();
	struct cpoint p[2 * NSER];
	uint32_t ids[NSER], pid[2 * NSER];
	int64_t pt[2 * NSER];
	double pv[2 * NSER];
	struct store *s;
	char *cause = NULL;
	size_t n, i;
	int k;

	if ((s = store_open(dir, &o, &cause)) == NULL) {
		fprintf(stderr, "writer: %s\n", cause);
		_exit(1);
	}
	for (k = 0; k < NSER; k++) {
		if (store_series_intern(
		        s, keys[k], strlen(keys[k]), &ids[k], &cause) != 0)
			_exit(1);
	}
	/* Ready (sequence numbers start at 1). */
	{
		uint64_t zero = 0;

		if (write(fd, &zero, sizeof zero) != sizeof zero)
			_exit(1);
	}
	for (;; seq++) {
		n = batch_points(seq, p);
		for (i = 0; i < n; i++) {
			pid[i] = ids[p[i].s];
			pt[i] = p[i].t;
			pv[i] = p[i].v;
		}
		if (store_write(s, pid, pt, pv, n, NULL, &cause) != 0) {
			fprintf(stderr, "writer: %s\n", cause);
			_exit(1);
		}
		if (write(fd, &seq, sizeof seq) != sizeof seq)
			_exit(1);
		if (seq % 97 == 0)
			(void)store_flush(s, seq % 3 == 0, NULL);
	}
}

/* Expected points, sorted by (series, time). */
struct expect {
	struct cpoint *p;
	size_t n, cap;
};

static void
expect_add(struct expect *e, const struct cpoint *p, size_t n)
{
	if (e->n + n > e->cap) {
		e->cap = (e->n + n) * 2;
		e->p = xreallocarray(e->p, e->cap, sizeof *e->p);
	}
	memcpy(e->p + e->n, p, n * sizeof *p);
	e->n += n;
}

static int
cpoint_cmp(const void *a, const void *b)
{
	const struct cpoint *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

static int
same_value(double a, double b)
{
	return (isnan(a) && isnan(b)) || tsu_same(a, b);
}

/*
 * Check the store against the acknowledged points (all rounds) and the
 * one batch that may or may not have made it.  Returns whether that batch
 * is there.
 */
static int
verify(const char *dir, struct expect *acked, uint64_t maybe_seq)
{
	struct store_options o = crash_options();
	struct store *s = tsu_open(dir, &o);
	struct store_stats st;
	struct cpoint mp[2 * NSER];
	size_t nm = batch_points(maybe_seq, mp), found_m = 0;
	size_t i, j, total = 0;
	int k;

	if (acked->n > 1)
		qsort(acked->p, acked->n, sizeof *acked->p, cpoint_cmp);
	for (k = 0; k < NSER; k++) {
		struct selector *sel;
		struct store_result r;
		char text[64];

		snprintf(text, sizeof text, "c{s=\"%d\"}", k);
		sel = tsu_sel(text);
		if (store_query_raw(s, sel, 0, STORE_TIME_MAX, &r, NULL) != 0)
			ck_abort_msg("query failed");
		if (r.nwarnings != 0)
			ck_abort_msg("warning: %s", r.warnings[0]);
		for (i = 0; r.n == 1 && i < r.series[0].npoints; i++) {
			struct store_point *pt = &r.series[0].points[i];
			struct cpoint key = {(uint32_t)k, pt->t, 0}, *e;

			total++;
			e = acked->n == 0 ? NULL
			                  : bsearch(&key, acked->p, acked->n,
			                        sizeof *acked->p, cpoint_cmp);
			if (e != NULL) {
				if (!same_value(e->v, pt->v))
					ck_abort_msg("series %d at %lld: %g, "
					             "acknowledged %g",
					    k, (long long)(pt->t - T0), pt->v,
					    e->v);
				continue;
			}
			for (j = 0; j < nm; j++) {
				if (mp[j].s == (uint32_t)k &&
				    mp[j].t == pt->t &&
				    same_value(mp[j].v, pt->v))
					break;
			}
			if (j == nm)
				ck_abort_msg("series %d: unexpected point at "
				             "%lld",
				    k, (long long)(pt->t - T0));
			found_m++;
		}
		store_result_free(&r);
		selector_free(sel);
	}
	if (total != acked->n + found_m)
		ck_abort_msg("%zu points in the store, %zu acknowledged "
		             "(+%zu in flight): acknowledged points lost",
		    total, acked->n, found_m);
	if (found_m != 0 && found_m != nm)
		ck_abort_msg(
		    "batch in flight half there (%zu of %zu)", found_m, nm);
	ck_assert_int_eq(store_stats_get(s, &st, NULL), 0);
	ck_assert_uint_eq(st.corrupt_chunks, 0);
	store_close(s);
	return found_m != 0;
}

START_TEST(test_store_survives_sigkill)
{
	struct expect acked = {NULL, 0, 0};
	struct cpoint p[2 * NSER];
	char dir[256];
	uint64_t seq = 1, ack, last;
	int round, k, fds[2], status, total_acks = 0;
	pid_t pid;

	tsu_tmpdir(dir, sizeof dir);
	T0 = (clock_wall_ms() / 3600000 - 30) * 3600000 + 7000;
	for (k = 0; k < NSER; k++)
		snprintf(keys[k], sizeof keys[k], "c{s=\"%d\"}", k);
	srandom((unsigned)time(NULL));
	for (round = 0; round < ROUNDS; round++) {
		ck_assert_int_eq(pipe(fds), 0);
		if ((pid = fork()) == 0) {
			char a_seq[32], a_fd[16], a_t0[32];

			close(fds[0]);
			snprintf(a_seq, sizeof a_seq, "%llu",
			    (unsigned long long)seq);
			snprintf(a_fd, sizeof a_fd, "%d", fds[1]);
			snprintf(a_t0, sizeof a_t0, "%lld", (long long)T0);
			execl("/proc/self/exe", "test-store-crash", "--writer",
			    dir, a_seq, a_fd, a_t0, (char *)NULL);
			_exit(127);
		}
		close(fds[1]);
		/* Mostly kill while writing; sometimes while opening,
		 * replaying or creating. */
		if (random() % 5 != 0) {
			ck_assert_int_eq(
			    read(fds[0], &ack, sizeof ack), sizeof ack);
			ck_assert_uint_eq(ack, 0);
		}
		usleep(5000 + (useconds_t)(random() % 150000));
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
		last = seq - 1;
		while (read(fds[0], &ack, sizeof ack) == sizeof ack) {
			if (ack == 0)
				continue; /* ready, when not read above */
			ck_assert_uint_eq(ack, last + 1);
			expect_add(&acked, p, batch_points(ack, p));
			last = ack;
			total_acks++;
		}
		close(fds[0]);
		/* Batch last + 1 may or may not be durable. */
		if (verify(dir, &acked, last + 1))
			expect_add(&acked, p, batch_points(last + 1, p));
		seq = last + 2;
	}
	ck_assert_int_gt(total_acks, ROUNDS);
	free(acked.p);
	tsu_rmtree(dir);
}
END_TEST

static Suite *
crash_suite(void)
{
	Suite *su = suite_create("store-crash");
	TCase *tc = tcase_create("crash");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_store_survives_sigkill);
	suite_add_tcase(su, tc);
	return su;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int failed, k;

	if (argc == 6 && strcmp(argv[1], "--writer") == 0) {
		T0 = strtoll(argv[5], NULL, 10);
		for (k = 0; k < NSER; k++)
			snprintf(keys[k], sizeof keys[k], "c{s=\"%d\"}", k);
		writer(argv[2], strtoull(argv[3], NULL, 10), atoi(argv[4]));
	}
	sr = srunner_create(crash_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
