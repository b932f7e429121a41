/* Unit tests: the collector's on-disk spool (collectors/spool.c). */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/spool.h"
#include "lib/buf.h"

static char dir[64];

static void
setup(void)
{
	strcpy(dir, "/tmp/test-spool.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct spool *
open_spool(uint64_t max, uint64_t seg, int64_t age)
{
	struct spool_limits lim = {
	    .max_bytes = max, .segment_bytes = seg, .max_age_ms = age};
	char *cause = NULL;
	struct spool *sp = spool_open(dir, &lim, &cause);

	ck_assert_msg(sp != NULL, "%s", cause);
	return sp;
}

static void
append(struct spool *sp, int n, int64_t now)
{
	char rec[64], *cause = NULL;
	int len = snprintf(rec, sizeof rec, "m value=%d %d\n", n, n);

	ck_assert_msg(
	    spool_append(sp, 1, rec, (size_t)len, 1, now, &cause) == 0, "%s",
	    cause);
}

/* Peek and ack the next record; returns its number or -1 if empty. */
static int
take(struct spool *sp)
{
	struct spool_pos pos;
	struct buf b = BUF_INIT;
	uint32_t np;
	int kind, n = -1;

	if (spool_peek(sp, &kind, &b, &np, &pos) == 1) {
		ck_assert_int_eq(kind, 1);
		ck_assert_int_eq(sscanf(buf_str(&b), "m value=%d", &n), 1);
		spool_ack(sp, &pos);
	}
	buf_free(&b);
	return n;
}

START_TEST(test_order_and_reopen)
{
	struct spool *sp = open_spool(1 << 20, 4096, 0);
	struct spool_stats st;
	int i;

	for (i = 1; i <= 500; i++)
		append(sp, i, 1000);
	spool_get_stats(sp, &st);
	ck_assert_uint_eq(st.records, 500);
	ck_assert_uint_gt(st.segments, 1);
	for (i = 1; i <= 200; i++)
		ck_assert_int_eq(take(sp), i);
	spool_close(sp); /* syncs the cursor */

	sp = open_spool(1 << 20, 4096, 0);
	spool_get_stats(sp, &st);
	ck_assert_uint_eq(st.records, 300);
	for (i = 201; i <= 500; i++)
		ck_assert_int_eq(take(sp), i);
	ck_assert_int_eq(take(sp), -1);
	ck_assert(spool_empty(sp));
	spool_close(sp);
}
END_TEST

START_TEST(test_torn_tail)
{
	struct spool *sp = open_spool(1 << 20, 1 << 16, 0);
	struct spool_stats st;
	char path[128];
	struct stat sb;
	int i, fd;

	for (i = 1; i <= 10; i++)
		append(sp, i, 1000);
	spool_close(sp);
	/* A crash in the middle of the next write leaves half a record. */
	snprintf(path, sizeof path, "%s/seg-%016x.spool", dir, 1);
	ck_assert_int_eq(stat(path, &sb), 0);
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, "CBSP\001\0\0\0garbage", 15), 15);
	close(fd);

	sp = open_spool(1 << 20, 1 << 16, 0);
	spool_get_stats(sp, &st);
	ck_assert_uint_eq(st.records, 10);
	append(sp, 11, 1000); /* appends after the cut */
	for (i = 1; i <= 11; i++)
		ck_assert_int_eq(take(sp), i);
	spool_close(sp);
}
END_TEST

START_TEST(test_corrupt_record)
{
	struct spool *sp = open_spool(1 << 20, 4096, 0);
	struct spool_stats st;
	char path[128];
	int i, fd, n = 0;

	for (i = 1; i <= 300; i++)
		append(sp, i, 1000);
	spool_close(sp);
	/* Flip a payload byte in the first (full, not last) segment. */
	snprintf(path, sizeof path, "%s/seg-%016x.spool", dir, 1);
	fd = open(path, O_RDWR);
	ck_assert_int_eq(pwrite(fd, "X", 1, 32 + 3), 1);
	close(fd);

	sp = open_spool(1 << 20, 4096, 0);
	spool_get_stats(sp, &st);
	ck_assert_uint_eq(st.corrupt_records, 1);
	/* The rest of the damaged segment is lost; everything after it is
	 * delivered in order. */
	i = take(sp);
	ck_assert_int_gt(i, 1);
	for (n = i; n < 300; n++)
		ck_assert_int_eq(take(sp), n + 1);
	ck_assert_int_eq(take(sp), -1);
	spool_close(sp);
}
END_TEST

START_TEST(test_full_drops_oldest)
{
	struct spool *sp = open_spool(65536, 4096, 0);
	struct spool_stats st;
	int i, first;

	for (i = 1; i <= 5000; i++)
		append(sp, i, 1000);
	spool_get_stats(sp, &st);
	ck_assert_uint_le(st.bytes, 65536);
	/* Eviction starts at max_bytes, not before: the spool stays within
	 * one segment (plus the record just written) of full. */
	ck_assert_uint_ge(st.bytes, 65536 - 2 * 4096);
	ck_assert_uint_gt(st.dropped_records, 0);
	ck_assert_uint_eq(st.records + st.dropped_records, 5000);
	ck_assert_uint_eq(st.dropped_points, st.dropped_records);
	first = take(sp);
	ck_assert_int_eq((uint64_t)first, st.dropped_records + 1);
	for (i = first + 1; i <= 5000; i++)
		ck_assert_int_eq(take(sp), i);
	spool_close(sp);
}
END_TEST

/* Nothing is dropped while the spool holds less than max_bytes. */
START_TEST(test_not_full_keeps_all)
{
	struct spool *sp = open_spool(65536, 4096, 0);
	struct spool_stats st;
	int i = 0;

	do {
		append(sp, ++i, 1000);
		spool_get_stats(sp, &st);
	} while (st.bytes + 64 <= 65536);
	ck_assert_uint_gt(st.bytes, 65536 - 128);
	ck_assert_uint_eq(st.dropped_records, 0);
	ck_assert_uint_eq(st.records, (uint64_t)i);
	spool_close(sp);
}
END_TEST

/* A cursor that cannot be saved is retried at the next sync, and once it
 * is, a reopen resumes after the delivered records. */
START_TEST(test_cursor_write_retried)
{
	struct spool *sp = open_spool(1 << 20, 4096, 0);
	struct spool_stats st;
	char tmp[128];
	unsigned long seg, off;
	FILE *f;
	int i;

	for (i = 1; i <= 10; i++)
		append(sp, i, 1000);
	for (i = 1; i <= 4; i++)
		ck_assert_int_eq(take(sp), i);
	/* A directory in the temporary file's place: even root cannot
	 * write the cursor. */
	snprintf(tmp, sizeof tmp, "%s/cursor.tmp", dir);
	ck_assert_int_eq(mkdir(tmp, 0700), 0);
	ck_assert_int_eq(spool_sync(sp), -1);
	ck_assert_int_eq(spool_sync(sp), -1);
	spool_get_stats(sp, &st);
	ck_assert_uint_eq(st.cursor_errors, 2);
	ck_assert_int_eq(rmdir(tmp), 0);
	ck_assert_int_eq(spool_sync(sp), 0);
	ck_assert_int_eq(spool_sync(sp), 0);
	spool_get_stats(sp, &st);
	ck_assert_uint_eq(st.cursor_errors, 2);
	/* On disk now, before any close: past the 4 delivered records. */
	snprintf(tmp, sizeof tmp, "%s/cursor", dir);
	ck_assert_ptr_nonnull(f = fopen(tmp, "r"));
	ck_assert_int_eq(fscanf(f, "%lu %lu", &seg, &off), 2);
	fclose(f);
	ck_assert_uint_eq(seg, 1);
	ck_assert_uint_gt(off, 0);
	spool_close(sp);
	sp = open_spool(1 << 20, 4096, 0);
	ck_assert_int_eq(take(sp), 5);
	spool_close(sp);
}
END_TEST

START_TEST(test_age)
{
	struct spool *sp = open_spool(1 << 20, 4096, 60000);
	struct spool_stats st;
	int i;

	for (i = 1; i <= 200; i++)
		append(sp, i, 1000); /* old */
	for (i = 201; i <= 210; i++)
		append(sp, i, 100000); /* recent */
	spool_expire(sp, 100000);
	spool_get_stats(sp, &st);
	ck_assert_uint_gt(st.dropped_records, 0);
	ck_assert_uint_eq(st.records + st.dropped_records, 210);
	/* Whole segments go: the recent records all remain. */
	ck_assert_uint_ge(st.records, 10);
	spool_close(sp);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("collector-spool");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_order_and_reopen);
	tcase_add_test(tc, test_torn_tail);
	tcase_add_test(tc, test_corrupt_record);
	tcase_add_test(tc, test_full_drops_oldest);
	tcase_add_test(tc, test_not_full_keeps_all);
	tcase_add_test(tc, test_cursor_write_retried);
	tcase_add_test(tc, test_age);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
