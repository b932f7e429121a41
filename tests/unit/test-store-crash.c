/*
 * Crash safety: a forked writer acknowledges batches over a pipe and is
 * killed with SIGKILL at a random moment; the store is reopened and every
 * acknowledged point must be there with its value, the batch in flight
 * must be there entirely or not at all, and nothing else may appear.
 * Many rounds on the same store, with late points into closed chunks and
 * frequent checkpoints, so kills land in every phase.  The writer is a
 * fresh process (this program, re-executed): a fork of a process that has
 * run RocksDB would inherit its background thread pool without threads.
 *
 * Power loss: the same with the store's fsync option on, where the kill
 * also throws away what the writer wrote to RocksDB's write-ahead logs
 * after their last fsync/fdatasync, as a power cut does to the page
 * cache.  This program defines fsync() and fdatasync() itself; they take
 * the place of libc's in librocksdb too, and note the size each log file
 * had when a sync of it began.  With the option ignored, acknowledged
 * points are lost and the test fails.
 *
 * Random kill times find a flaw only by chance; two rounds at chosen
 * points find each known one every run.  At a checkpoint: the writer's
 * store checkpoints after every batch, its first checkpoint on the apply
 * thread waits until the writer has acknowledged more batches (queued,
 * not applied), and the process dies the moment the next checkpoint is
 * written, while they are still queued: a checkpoint that deleted their
 * batch-log records loses them.  After acknowledgements: the writer
 * stops after a few batches, is killed and loses what it wrote after its
 * last sync: a store that acknowledged a write before syncing it loses
 * that write.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rocksdb/c.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/store.h"
#include "test-store-util.h"

#define NSER         8
#define STEP         10000LL
#define ROUNDS       20
#define POWER_ROUNDS 8
/* Batches the writer acknowledges while the apply thread is held in
 * its first checkpoint (the queue holds 64). */
#define QUEUED_ACKS 16

struct cpoint {
	uint32_t s; /* series index */
	int64_t t;
	double v;
};

static int64_t T0;
static char keys[NSER][32];

/* ---- kills at chosen points ---- */

/* How the writer dies, from the environment: "checkpoint" (by itself,
 * see the interposer below) or "pause=N" (it stops after N batches and
 * waits for the kill); unset: at a random time. */
#define CRASH_AT_ENV "CB_TEST_CRASH_AT"

static int crash_at_checkpoint;
static uint64_t writer_acked; /* the last batch acknowledged (atomic) */
static pthread_t writer_thread;

/*
 * The store's checkpoints write through here (a definition in this
 * program takes the place of librocksdb's).  At CRASH_AT_ENV=checkpoint,
 * on the apply thread: the first one waits until the writer has
 * acknowledged QUEUED_ACKS batches after the one being checkpointed, the
 * second one (of the next batch, those still queued) is the last thing
 * the process does.
 */
void
rocksdb_write_writebatch_wi(rocksdb_t *db, const rocksdb_writeoptions_t *o,
    rocksdb_writebatch_wi_t *wb, char **err)
{
	void (*real)(rocksdb_t *, const rocksdb_writeoptions_t *,
	    rocksdb_writebatch_wi_t *, char **);
	static int calls; /* the apply thread's */
	int waited;

	real = (__typeof__(real))dlsym(RTLD_NEXT, __func__);
	if (real == NULL)
		abort();
	if (!crash_at_checkpoint ||
	    pthread_equal(pthread_self(), writer_thread)) {
		real(db, o, wb, err);
		return;
	}
	calls++;
	for (waited = 0; calls == 1 && __atomic_load_n(&writer_acked,
	                                   __ATOMIC_ACQUIRE) < 1 + QUEUED_ACKS;
	     waited++) {
		if (waited == 60000)
			_exit(3); /* the writer did not get ahead in 60 s */
		usleep(1000);
	}
	real(db, o, wb, err);
	if (calls == 2)
		raise(SIGKILL);
}

/* ---- the power cut ---- */

/* Where the writer notes synced log sizes ("size path" lines), from the
 * environment; -1 when not simulating a power cut. */
static int sync_note_fd = -1;

#define SYNC_LOG_ENV "CB_TEST_SYNC_LOG"

/* Note that fd, a RocksDB write-ahead log (NNNNNN.log), is durable up to
 * size bytes. */
static void
sync_note(int fd, off_t size)
{
	char link[64], path[512], line[600];
	ssize_t n;
	int len;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof path - 1)) <= 4)
		return;
	path[n] = '\0';
	if (strcmp(path + n - 4, ".log") != 0)
		return;
	len = snprintf(line, sizeof line, "%lld %s\n", (long long)size, path);
	/* One write with O_APPEND: lines of several threads never mix. */
	if (write(sync_note_fd, line, (size_t)len) != len)
		abort();
}

/* A sync by name: the size before it is what it makes durable. */
static int
sync_through(int fd, const char *name)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, name);
	struct stat sb;
	int rc, have;

	if (real == NULL)
		abort();
	have = sync_note_fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	rc = real(fd);
	if (rc == 0 && have)
		sync_note(fd, sb.st_size);
	return rc;
}

int
fsync(int fd)
{
	return sync_through(fd, "fsync");
}

int
fdatasync(int fd)
{
	return sync_through(fd, "fdatasync");
}

/* Sizes of the log files in dir, or of the ones named in a sync log. */
struct logsizes {
	char name[64][128];
	long long size[64];
	int n;
};

static void
logsizes_set(struct logsizes *ls, const char *name, long long size)
{
	int i;

	for (i = 0; i < ls->n; i++) {
		if (strcmp(ls->name[i], name) == 0)
			break;
	}
	if (i == ls->n) {
		ck_assert_int_lt(ls->n, 64);
		snprintf(ls->name[ls->n++], sizeof ls->name[0], "%s", name);
		ls->size[i] = 0;
	}
	if (size > ls->size[i])
		ls->size[i] = size;
}

static long long
logsizes_get(const struct logsizes *ls, const char *name)
{
	int i;

	for (i = 0; i < ls->n; i++) {
		if (strcmp(ls->name[i], name) == 0)
			return ls->size[i];
	}
	return -1;
}

/* The write-ahead logs in dir and their sizes. */
static void
logsizes_scan(struct logsizes *ls, const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	ck_assert_ptr_nonnull(d);
	ls->n = 0;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char path[512];
		struct stat sb;

		if (l < 5 || strcmp(de->d_name + l - 4, ".log") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &sb) == 0)
			logsizes_set(ls, path, (long long)sb.st_size);
	}
	closedir(d);
}

/*
 * The power cut after the writer died: every log file keeps what was
 * synced (per the sync log), or what it held before the writer started;
 * the rest of what the writer wrote is gone.  Returns the bytes dropped.
 */
static long long
power_cut(const char *dir, const struct logsizes *before, const char *synclog)
{
	struct logsizes synced = {.n = 0}, now;
	char line[600];
	long long dropped = 0;
	FILE *f = fopen(synclog, "r");
	int i;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL) {
		char *sp = strchr(line, ' '), *nl = strchr(line, '\n');

		ck_assert_ptr_nonnull(sp);
		if (nl != NULL)
			*nl = '\0';
		logsizes_set(&synced, sp + 1, atoll(line));
	}
	fclose(f);
	logsizes_scan(&now, dir);
	for (i = 0; i < now.n; i++) {
		long long keep = logsizes_get(&synced, now.name[i]);

		if (keep < 0)
			keep = logsizes_get(before, now.name[i]);
		if (keep < 0)
			keep = 0; /* created and never synced */
		if (now.size[i] > keep) {
			ck_assert_int_eq(truncate(now.name[i], keep), 0);
			dropped += now.size[i] - keep;
		}
	}
	return dropped;
}

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
	const char *synclog = getenv(SYNC_LOG_ENV);
	const char *at = getenv(CRASH_AT_ENV);
	uint64_t pause_after = 0;
	int64_t pt[2 * NSER];
	double pv[2 * NSER];
	struct store *s;
	char *cause = NULL;
	size_t n, i;
	int k;

	if (synclog != NULL) {
		/* Power cuts: every acknowledged write must be synced. */
		o.fsync = 1;
		sync_note_fd = open(
		    synclog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (sync_note_fd < 0)
			_exit(1);
	}
	writer_thread = pthread_self();
	if (at != NULL && strcmp(at, "checkpoint") == 0) {
		crash_at_checkpoint = 1;
		o.batchlog_bytes = 1; /* a checkpoint after every batch */
	} else if (at != NULL && strncmp(at, "pause=", 6) == 0)
		pause_after = seq + strtoull(at + 6, NULL, 10);
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
		__atomic_store_n(&writer_acked, seq, __ATOMIC_RELEASE);
		if (at != NULL) {
			while (seq + 1 == pause_after)
				pause(); /* until the kill */
			continue;
		}
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

/* A store directory and the series keys for a run of rounds. */
static void
crash_setup(char *dir, size_t dirlen, char *synclog, size_t loglen)
{
	int k;

	tsu_tmpdir(dir, dirlen);
	snprintf(synclog, loglen, "%s.synclog", dir);
	T0 = (clock_wall_ms() / 3600000 - 30) * 3600000 + 7000;
	for (k = 0; k < NSER; k++)
		snprintf(keys[k], sizeof keys[k], "c{s=\"%d\"}", k);
}

/* Start a writer on dir from batch seq, acknowledging on fds[1]; at is
 * CRASH_AT_ENV's value or NULL.  Returns its pid. */
static pid_t
crash_spawn(const char *dir, uint64_t seq, int fds[2], const char *synclog,
    const char *at)
{
	char a_seq[32], a_fd[16], a_t0[32];
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		if (synclog != NULL)
			setenv(SYNC_LOG_ENV, synclog, 1);
		if (at != NULL)
			setenv(CRASH_AT_ENV, at, 1);
		close(fds[0]);
		snprintf(a_seq, sizeof a_seq, "%llu", (unsigned long long)seq);
		snprintf(a_fd, sizeof a_fd, "%d", fds[1]);
		snprintf(a_t0, sizeof a_t0, "%lld", (long long)T0);
		execl("/proc/self/exe", "test-store-crash", "--writer", dir,
		    a_seq, a_fd, a_t0, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	return pid;
}

/* After the writer pid died of SIGKILL: the batches it acknowledged on
 * fd (from seq) join acked.  Returns the last one, seq - 1 if none. */
static uint64_t
crash_collect(pid_t pid, int fd, uint64_t seq, struct expect *acked)
{
	struct cpoint p[2 * NSER];
	uint64_t ack, last = seq - 1;
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "writer not killed (status %#x)", status);
	while (read(fd, &ack, sizeof ack) == sizeof ack) {
		if (ack == 0)
			continue; /* ready */
		ck_assert_uint_eq(ack, last + 1);
		expect_add(acked, p, batch_points(ack, p));
		last = ack;
	}
	close(fd);
	return last;
}

/* Rounds of writer, kill (and power cut, with power set), verify. */
static void
crash_rounds(int rounds, int power)
{
	struct expect acked = {NULL, 0, 0};
	struct cpoint p[2 * NSER];
	struct logsizes before;
	char dir[256], synclog[300];
	uint64_t seq = 1, ack, last;
	int round, fds[2], total_acks = 0;
	long long dropped = 0;
	pid_t pid;

	crash_setup(dir, sizeof dir, synclog, sizeof synclog);
	srandom((unsigned)time(NULL));
	for (round = 0; round < rounds; round++) {
		logsizes_scan(&before, dir);
		unlink(synclog);
		pid = crash_spawn(dir, seq, fds, power ? synclog : NULL, NULL);
		/* Mostly kill while writing; sometimes while opening,
		 * replaying or creating. */
		if (random() % 5 != 0) {
			ck_assert_int_eq(
			    read(fds[0], &ack, sizeof ack), sizeof ack);
			ck_assert_uint_eq(ack, 0);
		}
		usleep(5000 + (useconds_t)(random() % 150000));
		kill(pid, SIGKILL);
		last = crash_collect(pid, fds[0], seq, &acked);
		total_acks += (int)(last + 1 - seq);
		if (power && access(synclog, F_OK) == 0)
			dropped += power_cut(dir, &before, synclog);
		/* Batch last + 1 may or may not be durable. */
		if (verify(dir, &acked, last + 1))
			expect_add(&acked, p, batch_points(last + 1, p));
		seq = last + 2;
	}
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "%d acknowledged batches, %lld log bytes cut\n",
		    total_acks, dropped);
	ck_assert_int_gt(total_acks, rounds);
	free(acked.p);
	unlink(synclog);
	tsu_rmtree(dir);
}

/*
 * One writer on a new store, killed at a chosen point (at, CRASH_AT_ENV),
 * with a power cut if power; every batch it acknowledged must be back.
 * With pause set, it stops after that many batches and is killed then.
 * Returns the batches acknowledged.
 */
static uint64_t
crash_at(const char *at, uint64_t pause, int power)
{
	struct expect acked = {NULL, 0, 0};
	struct logsizes before = {.n = 0};
	struct cpoint p[2 * NSER];
	char dir[256], synclog[300];
	uint64_t ack, i, last;
	long long dropped = 0;
	int fds[2];
	pid_t pid;

	crash_setup(dir, sizeof dir, synclog, sizeof synclog);
	pid = crash_spawn(dir, 1, fds, power ? synclog : NULL, at);
	for (i = 0; i <= pause; i++) { /* ready, then the batches */
		ck_assert_int_eq(read(fds[0], &ack, sizeof ack), sizeof ack);
		ck_assert_uint_eq(ack, i);
		if (i > 0)
			expect_add(&acked, p, batch_points(i, p));
	}
	if (pause > 0)
		kill(pid, SIGKILL);
	last = crash_collect(pid, fds[0], pause + 1, &acked);
	if (power)
		dropped = power_cut(dir, &before, synclog);
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr,
		    "%s: %llu acknowledged batches, %lld log bytes "
		    "cut\n",
		    at, (unsigned long long)last, dropped);
	(void)verify(dir, &acked, last + 1);
	free(acked.p);
	unlink(synclog);
	tsu_rmtree(dir);
	return last;
}

START_TEST(test_store_survives_sigkill)
{
	crash_rounds(ROUNDS, 0);
}
END_TEST

START_TEST(test_store_survives_power_loss)
{
	crash_rounds(POWER_ROUNDS, 1);
}
END_TEST

/* A checkpoint on the apply thread with acknowledged batches queued
 * behind it: the process dies the moment it is written, and the queued
 * batches must come back from the batch log. */
START_TEST(test_store_checkpoint_with_queued_batches)
{
	uint64_t acks = crash_at("checkpoint", 0, _i);

	/* Batch 1, the QUEUED_ACKS batches acknowledged while the apply
	 * thread held its checkpoint, maybe more. */
	ck_assert_uint_ge(acks, 1 + QUEUED_ACKS);
}
END_TEST

/* Power cuts right after acknowledgements (store.sync on): each
 * acknowledged batch must have reached the disk before its
 * acknowledgement. */
START_TEST(test_store_power_cut_after_ack)
{
	static const uint64_t after[] = {1, 7, 40};
	char at[32];

	snprintf(at, sizeof at, "pause=%llu", (unsigned long long)after[_i]);
	ck_assert_uint_eq(crash_at(at, after[_i], 1), after[_i]);
}
END_TEST

static Suite *
crash_suite(void)
{
	Suite *su = suite_create("store-crash");
	TCase *tc = tcase_create("crash");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_store_survives_sigkill);
	tcase_add_test(tc, test_store_survives_power_loss);
	tcase_add_loop_test(
	    tc, test_store_checkpoint_with_queued_batches, 0, 2);
	tcase_add_loop_test(tc, test_store_power_cut_after_ack, 0, 3);
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
