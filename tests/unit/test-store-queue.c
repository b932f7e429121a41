/* The store's queue key/value space: its own column family, its trim
 * mark, and the move of queue records from the metadata of an older
 * store. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rocksdb/c.h>

#include "lib/buf.h"
#include "store/store-int.h"
#include "store/store.h"
#include "test-store-util.h"

#define tmpdir (tsu_dir())

/* Queue key "q/" + big-endian seq, as the forwarder makes them. */
static void
qkey(char key[10], unsigned seq)
{
	memcpy(key, "q/", 2);
	for (int i = 0; i < 8; i++)
		key[2 + i] = (char)((unsigned long long)seq >> (56 - 8 * i));
}

/* The queue's "q/" keys' sequence numbers and values, in order. */
static char *
queue_dump(struct store *s, const char *prefix)
{
	struct store_meta_iter *it = store_queue_iter_new(s, prefix, 2);
	struct buf b = BUF_INIT;
	const char *k, *v;
	size_t kl, vl;

	for (store_meta_iter_first(it); store_meta_iter_valid(it);
	     store_meta_iter_next(it)) {
		k = store_meta_iter_key(it, &kl);
		v = store_meta_iter_value(it, &vl);
		ck_assert_uint_eq(kl, 10);
		buf_printf(&b, "%d=%.*s;", (unsigned char)k[9], (int)vl, v);
	}
	store_meta_iter_free(it);
	return buf_detach(&b);
}

START_TEST(test_queue_put_iterate_delete)
{
	struct store *s = tsu_open(tmpdir, NULL);
	struct store_meta_op ops[3];
	char keys[300][10], *cause = NULL, *d;
	void *v;
	size_t vl;
	unsigned i;

	/* Put out of order; iteration is in key order. */
	for (i = 300; i-- > 0;) {
		char val[16];

		qkey(keys[i], i);
		snprintf(val, sizeof val, "v%u", i);
		ck_assert_int_eq(
		    store_queue_put(s, keys[i], 10, val, strlen(val), &cause),
		    0);
	}
	ck_assert_int_eq(store_queue_put(s, "r/other", 7, "x", 1, &cause), 0);
	ck_assert_int_eq(store_queue_get(s, keys[7], 10, &v, &vl, &cause), 0);
	ck_assert_str_eq(v, "v7");
	free(v);
	/* Not in the metadata. */
	ck_assert_int_eq(store_meta_get(s, keys[7], 10, &v, &vl, &cause), 1);
	/* Batch delete of 0..2, a trim of everything below 255. */
	for (i = 0; i < 3; i++)
		ops[i] = (struct store_meta_op){keys[i], 10, NULL, 0};
	ck_assert_int_eq(store_queue_write(s, ops, 3, &cause), 0);
	ck_assert_int_eq(store_queue_trim(s, "q/", 2, 255, &cause), 0);
	ck_assert_int_eq(store_queue_get(s, keys[100], 10, &v, &vl, &cause), 1);
	d = queue_dump(s, "q/");
	ck_assert_str_eq(d, "255=v255;0=v256;1=v257;2=v258;3=v259;4=v260;"
	                    "5=v261;6=v262;7=v263;8=v264;9=v265;10=v266;"
	                    "11=v267;12=v268;13=v269;14=v270;15=v271;16=v272;"
	                    "17=v273;18=v274;19=v275;20=v276;21=v277;22=v278;"
	                    "23=v279;24=v280;25=v281;26=v282;27=v283;28=v284;"
	                    "29=v285;30=v286;31=v287;32=v288;33=v289;34=v290;"
	                    "35=v291;36=v292;37=v293;38=v294;39=v295;40=v296;"
	                    "41=v297;42=v298;43=v299;");
	free(d);
	store_close(s);

	/* Durable across a reopen. */
	s = tsu_open(tmpdir, NULL);
	ck_assert_int_eq(store_queue_get(s, keys[2], 10, &v, &vl, &cause), 1);
	ck_assert_int_eq(store_queue_get(s, keys[254], 10, &v, &vl, &cause), 1);
	ck_assert_int_eq(store_queue_get(s, keys[299], 10, &v, &vl, &cause), 0);
	ck_assert_str_eq(v, "v299");
	free(v);
	ck_assert_int_eq(store_queue_get(s, "r/other", 7, &v, &vl, &cause), 0);
	free(v);
	d = queue_dump(s, "q/");
	ck_assert_ptr_nonnull(strstr(d, "255=v255;0=v256;"));
	ck_assert_ptr_nonnull(strstr(d, "43=v299;"));
	free(d);
	store_close(s);
}
END_TEST

/* Keys of the queue family on the disk or in its memtable, dead or not
 * (what store_queue_* hide below the mark). */
static unsigned
queue_raw_count(struct store *s, unsigned *below, unsigned mark)
{
	rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
	rocksdb_iterator_t *it =
	    rocksdb_create_iterator_cf(s->db, ro, s->cf[STORE_CF_QUEUE]);
	unsigned n = 0;

	*below = 0;
	for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		size_t kl;
		const char *k = rocksdb_iter_key(it, &kl);

		n++;
		if (kl == 10 && memcmp(k, "q/", 2) == 0) {
			unsigned long long seq = 0;

			for (int i = 2; i < 10; i++)
				seq = seq << 8 | (unsigned char)k[i];
			if (seq < mark)
				(*below)++;
		}
	}
	rocksdb_iter_destroy(it);
	rocksdb_readoptions_destroy(ro);
	return n;
}

/* Put records from..to-1 of 1 KiB under "q/". */
static void
queue_fill(struct store *s, unsigned from, unsigned to)
{
	char key[10], val[1024], *cause = NULL;
	unsigned i;

	for (i = from; i < to; i++) {
		qkey(key, i);
		memset(val, 'a' + i % 26, sizeof val);
		ck_assert_int_eq(
		    store_queue_put(s, key, 10, val, sizeof val, &cause), 0);
	}
}

/*
 * The trim mark: records below it are gone for store_queue_get and the
 * iterator at once, and from the disk with the files wholly below it or
 * at the next compaction (the filter), while every record from the mark
 * on survives a full compaction; the mark survives a reopen and a crash
 * (the process killed right after the trim returned).
 */
START_TEST(test_queue_trim_mark)
{
	struct store *s;
	char key[10], *cause = NULL, *d, go;
	void *v;
	size_t vl;
	unsigned below, n;
	pid_t pid;
	int st, p[2];

	/* The crashing child is forked before this process opens a store
	 * (store.h: RocksDB's threads outlive store_close; TSan refuses a
	 * child of a threaded process that starts threads) and waits for
	 * the records below. */
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct store *c;

		close(p[1]);
		if (read(p[0], &go, 1) != 1)
			_exit(1);
		c = store_open(tmpdir, NULL, NULL);
		if (c == NULL || store_queue_trim(c, "q/", 2, 350, NULL) != 0)
			_exit(1);
		_exit(0); /* no close: the mark must be durable already */
	}
	close(p[0]);
	s = tsu_open(tmpdir, NULL);

	queue_fill(s, 0, 300);
	ck_assert_int_eq(store_flush(s, 1, &cause), 0);
	queue_fill(s, 300, 400);
	ck_assert_int_eq(store_queue_trim(s, "q/", 2, 200, &cause), 0);
	/* A lower mark changes nothing; another prefix is refused. */
	ck_assert_int_eq(store_queue_trim(s, "q/", 2, 100, &cause), 0);
	ck_assert_int_eq(store_queue_trim(s, "p/", 2, 100, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "one prefix per store"));
	free(cause);
	cause = NULL;
	qkey(key, 199);
	ck_assert_int_eq(store_queue_get(s, key, 10, &v, &vl, &cause), 1);
	qkey(key, 200);
	ck_assert_int_eq(store_queue_get(s, key, 10, &v, &vl, &cause), 0);
	ck_assert_uint_eq(vl, 1024);
	free(v);
	d = queue_dump(s, "q/");
	ck_assert_int_eq(strncmp(d, "200=", 4), 0); /* (200 & 0xff) */
	free(d);

	/* From the disk: every record below the mark, none above. */
	ck_assert_int_eq(store_flush(s, 1, &cause), 0);
	n = queue_raw_count(s, &below, 200);
	ck_assert_uint_eq(below, 0);
	ck_assert_uint_eq(n, 200);
	store_close(s);

	/* A crash right after a trim: the mark holds at the restart. */
	go = 1;
	ck_assert_int_eq(write(p[1], &go, 1), 1);
	close(p[1]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	s = tsu_open(tmpdir, NULL);
	d = queue_dump(s, "q/");
	ck_assert_int_eq(strncmp(d, "94=", 3), 0); /* 350 & 0xff */
	free(d);
	qkey(key, 349);
	ck_assert_int_eq(store_queue_get(s, key, 10, &v, &vl, &cause), 1);
	ck_assert_int_eq(store_flush(s, 1, &cause), 0);
	n = queue_raw_count(s, &below, 350);
	ck_assert_uint_eq(below, 0);
	ck_assert_uint_eq(n, 50);
	store_close(s);
}
END_TEST

START_TEST(test_queue_adopt_from_meta)
{
	struct store *s = tsu_open(tmpdir, NULL);
	char keys[5][10], *cause = NULL, *d;
	void *v;
	size_t vl, moved = 99;
	unsigned i;

	/* An older store's layout: the queue records in the metadata. */
	for (i = 0; i < 5; i++) {
		char val[8];

		qkey(keys[i], i);
		snprintf(val, sizeof val, "m%u", i);
		ck_assert_int_eq(
		    store_meta_put(s, keys[i], 10, val, strlen(val), &cause),
		    0);
	}
	ck_assert_int_eq(store_meta_put(s, "qx", 2, "keep", 4, &cause), 0);
	ck_assert_int_eq(store_meta_put(s, "pos/a", 5, "p", 1, &cause), 0);
	store_close(s);

	s = tsu_open(tmpdir, NULL);
	ck_assert_int_eq(store_queue_adopt(s, "q/", 2, &moved, &cause), 0);
	ck_assert_uint_eq(moved, 5);
	/* Moved, not lost: in the queue with their values... */
	d = queue_dump(s, "q/");
	ck_assert_str_eq(d, "0=m0;1=m1;2=m2;3=m3;4=m4;");
	free(d);
	/* ...and gone from the metadata; other keys stay there. */
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(
		    store_meta_get(s, keys[i], 10, &v, &vl, &cause), 1);
	ck_assert_int_eq(store_meta_get(s, "qx", 2, &v, &vl, &cause), 0);
	free(v);
	ck_assert_int_eq(store_meta_get(s, "pos/a", 5, &v, &vl, &cause), 0);
	free(v);
	ck_assert_int_eq(store_queue_get(s, "qx", 2, &v, &vl, &cause), 1);
	store_close(s);

	/* Durable, and a second move finds nothing. */
	s = tsu_open(tmpdir, NULL);
	ck_assert_int_eq(store_queue_adopt(s, "q/", 2, &moved, &cause), 0);
	ck_assert_uint_eq(moved, 0);
	d = queue_dump(s, "q/");
	ck_assert_str_eq(d, "0=m0;1=m1;2=m2;3=m3;4=m4;");
	free(d);
	store_close(s);
}
END_TEST

/* What docs/api.md says of older builds: RocksDB refuses to open the
 * store without the queue family. */
START_TEST(test_queue_older_build_refused)
{
	struct store *s = tsu_open(tmpdir, NULL);
	const char *names[STORE_CF_MAX];
	const rocksdb_options_t *opts[STORE_CF_MAX];
	rocksdb_column_family_handle_t *h[STORE_CF_MAX];
	rocksdb_options_t *o = rocksdb_options_create();
	rocksdb_t *db;
	char *err = NULL;
	int cf;

	store_close(s);
	ck_assert_str_eq(store_cf_name(STORE_CF_QUEUE), "queue");
	for (cf = 0; cf < STORE_CF_QUEUE; cf++) {
		names[cf] = store_cf_name(cf);
		opts[cf] = o;
	}
	db = rocksdb_open_column_families(
	    o, tmpdir, STORE_CF_QUEUE, names, opts, h, &err);
	ck_assert_ptr_null(db);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, "Column families not opened"));
	ck_assert_ptr_nonnull(strstr(err, "queue"));
	free(err);
	rocksdb_options_destroy(o);
}
END_TEST

static Suite *
queue_suite(void)
{
	Suite *su = suite_create("store-queue");
	TCase *tc = tcase_create("queue");

	tcase_add_checked_fixture(tc, tsu_dir_setup, tsu_dir_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_queue_put_iterate_delete);
	tcase_add_test(tc, test_queue_trim_mark);
	tcase_add_test(tc, test_queue_adopt_from_meta);
	tcase_add_test(tc, test_queue_older_build_refused);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(queue_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
