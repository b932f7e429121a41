/*
 * The store's write hook (store_write_hook_set()): the records it adds
 * go into the batch's own RocksDB write.  A crash is simulated at every
 * RocksDB write of a run in turn: this program defines rocksdb_write()
 * and the store's other write entry points itself (they take the place
 * of librocksdb's, which they call through dlsym(RTLD_NEXT)), and from
 * the chosen write on drops every write as a kill -9 at that moment
 * would.  After each such crash the store is reopened: the points it
 * holds must be exactly the points its queue records hold.  A batch
 * whose record is written apart from its points fails at the crash
 * between the two writes.
 */
#include "config.h"

#include <check.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rocksdb/c.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "store/store.h"
#include "test-store-util.h"

#define tmpdir (tsu_dir())

#define NSER    4
#define BATCHES 8
#define PER     6 /* points a batch: one of them rejected */

/* ---- the simulated crash ---- */

static int counting;       /* writes are counted (and may be dropped) */
static long nwrites;       /* counted so far */
static long crash_at = -1; /* the first write dropped; -1: none */
static int fail_next;      /* the next rocksdb_write() fails */

/* Whether this write reaches RocksDB. */
static int
write_lands(void)
{
	if (!counting)
		return 1;
	nwrites++;
	return crash_at < 0 || nwrites < crash_at;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

void
rocksdb_write(rocksdb_t *db, const rocksdb_writeoptions_t *o,
    rocksdb_writebatch_t *wb, char **err)
{
	if (fail_next) {
		fail_next = 0;
		*err = strdup("injected failure"); /* the caller frees */
		return;
	}
	if (write_lands())
		REAL(rocksdb_write)(db, o, wb, err);
}

void
rocksdb_write_writebatch_wi(rocksdb_t *db, const rocksdb_writeoptions_t *o,
    rocksdb_writebatch_wi_t *wb, char **err)
{
	if (write_lands())
		REAL(rocksdb_write_writebatch_wi)(db, o, wb, err);
}

void
rocksdb_put_cf(rocksdb_t *db, const rocksdb_writeoptions_t *o,
    rocksdb_column_family_handle_t *cf, const char *k, size_t kl, const char *v,
    size_t vl, char **err)
{
	if (write_lands())
		REAL(rocksdb_put_cf)(db, o, cf, k, kl, v, vl, err);
}

void
rocksdb_delete_range_cf(rocksdb_t *db, const rocksdb_writeoptions_t *o,
    rocksdb_column_family_handle_t *cf, const char *from, size_t fl,
    const char *to, size_t tl, char **err)
{
	if (write_lands())
		REAL(rocksdb_delete_range_cf)(db, o, cf, from, fl, to, tl, err);
}

/* ---- the hook: a record per batch, "q/" + big-endian seq -> points ---- */

struct qpoint {
	uint32_t id;
	int64_t t;
	double v;
};

static uint64_t qseq;
static int done_calls, failed_calls;

static void
hook_prepare(void *arg, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, struct store_write_extra *x)
{
	struct qpoint *rec = xcalloc(n, sizeof *rec);
	char key[10];
	size_t i;

	(void)arg;
	for (i = 0; i < n; i++)
		rec[i] = (struct qpoint){ids[i], ts[i], vs[i]};
	memcpy(key, "q/", 2);
	for (i = 0; i < 8; i++)
		key[2 + i] = (char)(qseq >> (56 - 8 * i));
	store_write_queue_put(x, key, sizeof key, rec, n * sizeof *rec);
	free(rec);
}

static void
hook_done(void *arg, int written)
{
	(void)arg;
	done_calls++;
	if (written)
		qseq++;
	else
		failed_calls++;
}

static const struct store_write_hook hook = {hook_prepare, hook_done, NULL};

/* "key t v" lines, sorted, into *out. */
static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
lines_sorted(char **l, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (n > 1)
		qsort(l, n, sizeof *l, line_cmp);
	for (i = 0; i < n; i++) {
		buf_printf(&b, "%s\n", l[i]);
		free(l[i]);
	}
	free(l);
	return n == 0 ? xstrdup("") : buf_detach(&b);
}

/* The points of every queue record, as sorted lines. */
static char *
queue_points(struct store *s, size_t *np)
{
	struct store_meta_iter *it = store_queue_iter_new(s, "q/", 2);
	char **l = NULL;
	size_t n = 0, cap = 0, i;

	for (store_meta_iter_first(it); store_meta_iter_valid(it);
	     store_meta_iter_next(it)) {
		const char *v;
		size_t vl;
		struct qpoint p;

		v = store_meta_iter_value(it, &vl);
		ck_assert_uint_eq(vl % sizeof p, 0);
		for (i = 0; i < vl / sizeof p; i++) {
			const char *key;

			memcpy(&p, v + i * sizeof p, sizeof p);
			key = store_series_key(s, p.id);
			if (n == cap)
				l = xreallocarray(
				    l, cap = cap * 2 + 16, sizeof *l);
			l[n++] = xasprintf("%s %lld %g",
			    key != NULL ? key : "(no such series)",
			    (long long)p.t, p.v);
		}
	}
	store_meta_iter_free(it);
	*np = n;
	return lines_sorted(l, n);
}

/* Every point in the store, as sorted lines. */
static char *
store_points(struct store *s, size_t *np)
{
	struct selector *sel = tsu_sel("h");
	struct store_result r;
	char **l = NULL;
	size_t n = 0, cap = 0, i, j;

	ck_assert_int_eq(
	    store_query_raw(s, sel, 0, STORE_TIME_MAX, &r, NULL), 0);
	for (i = 0; i < r.n; i++) {
		for (j = 0; j < r.series[i].npoints; j++) {
			if (n == cap)
				l = xreallocarray(
				    l, cap = cap * 2 + 16, sizeof *l);
			l[n++] = xasprintf("%s %lld %g", r.series[i].key,
			    (long long)r.series[i].points[j].t,
			    r.series[i].points[j].v);
		}
	}
	store_result_free(&r);
	selector_free(sel);
	*np = n;
	return lines_sorted(l, n);
}

/*
 * One run: BATCHES batches of PER points (distinct times; some behind
 * their series' newest, so that the store reorders them; one of an
 * unknown series, rejected) with the hook set and writes dropped from
 * write crash_at on; close, reopen without the hook.  Returns the number
 * of writes the run made and checks that the points stored are the
 * points queued.
 */
static long
run(long at, size_t *stored)
{
	struct store_options o;
	struct store *s;
	uint32_t ids[NSER], bid[PER];
	int64_t t0 = 1700000000000LL, bts[PER];
	double bvs[PER];
	char *cause = NULL, *sp, *qp, key[32];
	size_t nq, ns, b, i;
	long made;

	tsu_rmtree(tmpdir);
	store_options_init(&o);
	o.retention_raw_ms = 0;
	o.batchlog_bytes = 256; /* checkpoints between batches */
	o.apply_thread = 0;     /* one thread: the writes in one order */
	s = tsu_open(tmpdir, &o);
	for (i = 0; i < NSER; i++) {
		snprintf(key, sizeof key, "h{s=\"%zu\"}", i);
		ck_assert_int_eq(
		    store_series_intern(s, key, strlen(key), &ids[i], &cause),
		    0);
	}
	qseq = 0;
	done_calls = failed_calls = 0;
	store_write_hook_set(s, &hook);
	nwrites = 0;
	crash_at = at;
	counting = 1;
	for (b = 0; b < BATCHES; b++) {
		for (i = 0; i < PER; i++) {
			bid[i] = ids[(b + i) % NSER];
			/* every other batch goes back in time */
			bts[i] =
			    t0 + (int64_t)((b % 2 ? b - 1 : b + 1) * 100 + i);
			bvs[i] = (double)(b * 10 + i) + 0.5;
		}
		bid[PER - 1] = 999; /* no such series: rejected */
		ck_assert_int_eq(
		    store_write(s, bid, bts, bvs, PER, NULL, &cause), 0);
	}
	ck_assert_int_eq(done_calls, BATCHES);
	ck_assert_int_eq(failed_calls, 0);
	store_close(s);
	counting = 0;
	made = nwrites;

	s = tsu_open(tmpdir, &o);
	sp = store_points(s, &ns);
	qp = queue_points(s, &nq);
	if (strcmp(sp, qp) != 0)
		ck_abort_msg("crash at write %ld of the run: the store holds "
		             "%zu points, its queue records %zu:\n"
		             "stored:\n%s\nqueued:\n%s",
		    at, ns, nq, sp, qp);
	free(sp);
	free(qp);
	store_close(s);
	*stored = ns;
	return made;
}

START_TEST(test_hook_record_in_the_batch_write)
{
	size_t stored;
	long n, at;

	/* Without a crash: every accepted point, stored and queued. */
	n = run(-1, &stored);
	ck_assert_uint_eq(stored, BATCHES * (PER - 1));
	ck_assert_int_gt(n, BATCHES);
	/* A crash at each write in turn. */
	for (at = 1; at <= n; at++)
		(void)run(at, &stored);
}
END_TEST

/* A batch with nothing accepted calls neither; a write that fails calls
 * done(0), and neither the batch nor its record is there; without the
 * hook, no record. */
START_TEST(test_hook_failed_write)
{
	struct store *s = tsu_open(tmpdir, NULL);
	uint32_t id;
	int64_t t = 1700000000000LL;
	double v = 1;
	char *cause = NULL, *sp, *qp;
	size_t ns, nq;

	ck_assert_int_eq(store_series_intern(s, "h", 1, &id, &cause), 0);
	qseq = 0;
	done_calls = failed_calls = 0;
	store_write_hook_set(s, &hook);
	id = 999;
	ck_assert_int_eq(store_write(s, &id, &t, &v, 1, NULL, &cause), 0);
	ck_assert_int_eq(done_calls, 0);
	id = 1;
	fail_next = 1;
	ck_assert_int_eq(store_write(s, &id, &t, &v, 1, NULL, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "injected failure"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(done_calls, 1);
	ck_assert_int_eq(failed_calls, 1);
	t++;
	ck_assert_int_eq(store_write(s, &id, &t, &v, 1, NULL, &cause), 0);
	ck_assert_int_eq(done_calls, 2);
	ck_assert_int_eq(failed_calls, 1);
	store_write_hook_set(s, NULL);
	t++;
	ck_assert_int_eq(store_write(s, &id, &t, &v, 1, NULL, &cause), 0);
	ck_assert_int_eq(done_calls, 2);
	sp = store_points(s, &ns);
	qp = queue_points(s, &nq);
	ck_assert_uint_eq(ns, 2);
	ck_assert_uint_eq(nq, 1);
	ck_assert_str_eq(qp, "h 1700000000001 1\n");
	free(sp);
	free(qp);
	store_close(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("store-hook");
	TCase *tc = tcase_create("hook");
	SRunner *sr;
	int nf;

	tcase_add_checked_fixture(tc, tsu_dir_setup, tsu_dir_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_hook_record_in_the_batch_write);
	tcase_add_test(tc, test_hook_failed_write);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
