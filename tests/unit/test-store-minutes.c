/*
 * Unit test of store/minutes.c and the rate columns of minute blocks
 * (store/rollup-rate.c): the per-minute summaries store_minutes gives
 * are, bit for bit, those of the raw points (store_query_raw), for
 * counters with and without resets, gauges, NaN, points on minute
 * boundaries, the open hour (from the head's per-minute aggregates, see
 * also test-store-headagg), after late points rewrite a closed hour,
 * after a reopen, and for blocks of format 4 (no rate columns, read raw);
 * and that a minute block with damaged rate columns is reported and its
 * hour read raw (the same summaries still), never decoded into others.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rocksdb/c.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "store/rate-minute.h"
#include "store/rollup.h"
#include "store/store-int.h"
#include "store/store.h"
#include "test-store-util.h"

#define H   STORE_HOUR_MS
#define MIN STORE_MINUTE_MS

#define tmpdir (tsu_dir())
static int64_t T0;
static size_t bad_seen;  /* store_minutes_bad over check_range calls */
static size_t head_seen; /* store_minutes_head over them */

static void
setup(void)
{
	tsu_dir_setup();
	T0 = (clock_wall_ms() / H - 6) * H;
}

/* Compare store_minutes over [start, end) with the raw points' summaries;
 * add the hours it took from rollups and raw to *roll and *raw. */
static void
check_range(
    struct store *s, int64_t start, int64_t end, size_t *roll, size_t *raw)
{
	struct selector *sel = tsu_sel("m");
	struct store_minutes *mr;
	struct store_result r;
	const struct store_series_result *sr;
	const struct rate_minute *m;
	size_t nmin = (size_t)((end - start) / MIN), i, k, nser = 0;
	struct rate_minute *want = calloc(nmin, sizeof *want);
	char *cause = NULL;
	size_t a, b;

	ck_assert_int_eq(store_query_raw(s, sel, start, end, &r, &cause), 0);
	ck_assert_int_eq(
	    store_minutes_open(s, sel, start, end, &mr, &cause), 0);
	while (store_minutes_next(mr, &sr, &m) == 1) {
		const struct store_series_result *rs = NULL;

		for (i = 0; i < r.n; i++)
			if (strcmp(r.series[i].key, sr->key) == 0)
				rs = &r.series[i];
		/* A series with no raw point in the range (the retention
		 * dropped them) comes with no minute. */
		memset(want, 0, nmin * sizeof *want);
		if (rs != NULL)
			nser++;
		for (k = 0; rs != NULL && k < rs->npoints; k++)
			rate_minute_point(
			    &want[(rs->points[k].t - start) / MIN],
			    rs->points[k].t, rs->points[k].v);
		for (i = 0; i < nmin; i++)
			ck_assert_msg(tsu_same_minute(&m[i], &want[i]),
			    "%s minute %zu of [%lld, %lld): count %llu/%llu "
			    "first %.17g/%.17g at %lld/%lld last %.17g/%.17g "
			    "resets %u %.17g/%u %.17g",
			    sr->key, i, (long long)start, (long long)end,
			    (unsigned long long)m[i].count,
			    (unsigned long long)want[i].count, m[i].first,
			    want[i].first, (long long)m[i].first_t,
			    (long long)want[i].first_t, m[i].last, want[i].last,
			    m[i].nresets, m[i].resets, want[i].nresets,
			    want[i].resets);
	}
	ck_assert_uint_eq(nser, r.n);
	store_minutes_counts(mr, &a, &b);
	bad_seen += store_minutes_bad(mr);
	head_seen += store_minutes_head(mr);
	*roll += a;
	*raw += b;
	store_minutes_close(mr);
	store_result_free(&r);
	selector_free(sel);
	free(want);
}

/* store_minutes_useful for sel over the 6 hours. */
static int
useful(struct store *s, const char *text)
{
	struct selector *sel = tsu_sel(text);
	struct store_minutes *mr;
	char *cause = NULL;
	int u;

	ck_assert_int_eq(
	    store_minutes_open(s, sel, T0, T0 + 6 * H, &mr, &cause), 0);
	u = store_minutes_useful(mr);
	store_minutes_close(mr);
	selector_free(sel);
	return u;
}

/* Whole-minute ranges of the 6 hours: all of it, and random ones. */
static void
check_all(struct store *s, size_t *roll, size_t *raw)
{
	int i;

	check_range(s, T0, T0 + 6 * H, roll, raw);
	for (i = 0; i < 30; i++) {
		int64_t a = T0 + (int64_t)(tsu_rng() % 340) * MIN;
		int64_t b = a + (int64_t)(tsu_rng() % 100 + 1) * MIN;

		check_range(s, a, b, roll, raw);
	}
}

/* Six hours of: a counter (a reset in hour 2, many in hour 3), a gauge of
 * decimals, a counter with a NaN in hour 1, points on and just after
 * minute boundaries, a dense counter in hour 6; hour 6 stays open. */
static void
fill(struct store *s)
{
	uint32_t c = tsu_intern(s, "m{k=\"counter\"}");
	uint32_t g = tsu_intern(s, "m{k=\"gauge\"}");
	uint32_t n = tsu_intern(s, "m{k=\"nan\"}");
	uint32_t e = tsu_intern(s, "m{k=\"edges\"}");
	uint32_t dn = tsu_intern(s, "m{k=\"dense\"}");
	double cv = 1000, nv = 5, gv = 50, dv = 0;
	int64_t t, dt;

	for (t = T0; t < T0 + 5 * H + 30 * MIN; t += 10000) {
		int64_t h = (t - T0) / H;

		cv += (double)(tsu_rng() % 20);
		if ((h == 2 && t % H == 17 * MIN) ||
		    (h == 3 && tsu_rng() % 30 == 0))
			cv = (double)(tsu_rng() % 10);
		tsu_write1(s, c, t, cv);
		gv += (double)((int64_t)(tsu_rng() % 21) - 10) / 10;
		tsu_write1(s, g, t + 3000, gv);
		nv += 1.5;
		tsu_write1(s, n, t + 1, h == 1 && t % H == 20 * MIN ? NAN : nv);
		if (t % MIN == 0)
			tsu_write1(s, e, t, (double)(t / MIN % 7));
		/* A counter dense enough in the open hour that a chunk
		 * closes inside it (CHUNK_MAX_POINTS): the head's minutes
		 * hold only the open chunk's points. */
		for (dt = 0; dt < (t >= T0 + 5 * H ? 10000 : 1); dt += 1000)
			tsu_write1(s, dn, t + dt, dv += 3);
	}
}

START_TEST(test_minutes_match_raw)
{
	struct store *s = tsu_open(tmpdir, NULL);
	size_t roll = 0, raw = 0;
	uint32_t c;

	fill(s);
	head_seen = 0;
	check_all(s, &roll, &raw);
	ck_assert_uint_gt(roll, 0);
	ck_assert_uint_gt(raw, 0);
	/* The open hour of the counters from the head's minutes. */
	ck_assert_uint_gt(head_seen, 0);
	/* The counter's rollups have rate columns, the gauge's none. */
	ck_assert_int_eq(useful(s, "m{k=\"counter\"}"), 1);
	ck_assert_int_eq(useful(s, "m{k=\"gauge\"}"), 0);

	/* A late point rewrites hour 1 of the counter (a drop). */
	c = tsu_intern(s, "m{k=\"counter\"}");
	tsu_write1(s, c, T0 + H + 30 * MIN + 5000, 1);
	roll = raw = 0;
	check_all(s, &roll, &raw);
	ck_assert_uint_gt(roll, 0);

	/* A late point (a drop) and a duplicate in the open hour: the head
	 * rebuilds its minutes. */
	tsu_write1(s, c, T0 + 5 * H + 10 * MIN + 5000, 2);
	tsu_write1(s, c, T0 + 5 * H + 20 * MIN, 7);
	head_seen = 0;
	check_all(s, &roll, &raw);
	ck_assert_uint_gt(head_seen, 0);

	/* Flushed and reopened. */
	ck_assert_int_eq(store_flush(s, 0, NULL), 0);
	store_close(s);
	s = tsu_open(tmpdir, NULL);
	roll = raw = 0;
	head_seen = 0;
	check_all(s, &roll, &raw);
	ck_assert_uint_gt(roll, 0);
	ck_assert_uint_gt(head_seen, 0); /* rebuilt at open */
	store_close(s);
}
END_TEST

/* What to write instead of the minute block v of the hour starting at h,
 * into out; 0 to leave it. */
typedef int (*block_fix)(
    int64_t h, const char *v, size_t vl, struct buf *out, void *arg);

/* Rewrite every minute block of s in RocksDB directly, as fix says. */
static void
rewrite_blocks(struct store *s, block_fix fix, void *arg)
{
	rocksdb_iterator_t *it;
	struct buf b = BUF_INIT;
	char *err = NULL;

	it = rocksdb_create_iterator_cf(s->db, s->ro, s->cf[STORE_CF_ROLLUP_M]);
	for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = (const uint8_t *)rocksdb_iter_key(it, &kl);
		const char *v = rocksdb_iter_value(it, &vl);

		buf_reset(&b);
		if (!fix((int64_t)key_get32(k) * H, v, vl, &b, arg))
			continue;
		rocksdb_put_cf(s->db, s->wo_durable, s->cf[STORE_CF_ROLLUP_M],
		    (const char *)k, kl, b.data, b.len, &err);
		ck_assert_ptr_null(err);
	}
	rocksdb_iter_destroy(it);
	buf_free(&b);
}

/* The block in format 4; counts in *arg those that had rate columns. */
static int
to_format4(int64_t h, const char *v, size_t vl, struct buf *out, void *arg)
{
	struct rollup_block rb;

	rollup_block_init(&rb, h, MIN, 60);
	ck_assert_int_eq(rollup_block_decode(&rb, v, vl), 0);
	*(size_t *)arg += rb.rate;
	rollup_block_encode_format(&rb, 4, out);
	return 1;
}

/* Minute blocks of format 4 (no rate columns): every hour read raw, the
 * same summaries. */
START_TEST(test_minutes_old_blocks)
{
	struct store *s = tsu_open(tmpdir, NULL);
	size_t roll = 0, raw = 0, n = 0;

	fill(s);
	ck_assert_int_eq(store_flush(s, 0, NULL), 0);
	rewrite_blocks(s, to_format4, &n);
	ck_assert_uint_gt(n, 0); /* some had rate columns */
	check_all(s, &roll, &raw);
	ck_assert_uint_eq(roll, 0);
	ck_assert_uint_gt(raw, 0);
	store_close(s);
}
END_TEST

/* Fill a store with the given retentions, apply them and check every
 * series: some hours must come from rollups and some from raw points. */
static void
check_retention(int64_t raw_ms, int64_t minute_ms)
{
	struct store_options o;
	struct store *s;
	size_t roll = 0, raw = 0;
	char *cause = NULL;

	store_options_init(&o);
	if (raw_ms > 0)
		o.retention_raw_ms = raw_ms;
	if (minute_ms > 0)
		o.retention_minute_ms = minute_ms;
	s = tsu_open(tmpdir, &o);
	fill(s);
	ck_assert_int_eq(store_flush(s, 0, NULL), 0);
	ck_assert_int_eq(store_retention_apply(s, &cause), 0);
	check_all(s, &roll, &raw);
	ck_assert_uint_gt(roll, 0);
	ck_assert_uint_gt(raw, 0);
	store_close(s);
}

/* Hours the raw retention dropped have rollups but no raw points: read
 * raw, so they answer as the raw points do (none). */
START_TEST(test_minutes_raw_retention)
{
	check_retention(4 * H, 0);
}
END_TEST

/* A minute retention shorter than the raw one: hours whose blocks it
 * dropped still have raw points, and answer with them. */
START_TEST(test_minutes_minute_retention)
{
	check_retention(0, 4 * H);
}
END_TEST

/* Rate columns round-trip through the block codec, and a block whose
 * values do not fit carries none. */
START_TEST(test_minutes_block_codec)
{
	struct rollup_block rb, back;
	struct buf b = BUF_INIT;
	int64_t t[400];
	double v[400];
	size_t i, n = 0;

	for (i = 0; i < 360; i++) {
		t[n] = T0 + (int64_t)i * 10000 + (i % 6 == 0 ? 0 : 1);
		v[n] = (double)(i * 3 % 1000) / 10 + (i == 200 ? -50 : 0);
		n++;
	}
	rollup_block_init(&rb, T0, MIN, 60);
	rollup_block_fill(&rb, t, v, n);
	rollup_block_encode(&rb, NULL, &b);
	ck_assert_int_eq((unsigned char)b.data[0], 6);
	rollup_block_init(&back, T0, MIN, 60);
	ck_assert_int_eq(rollup_block_decode(&back, b.data, b.len), 0);
	ck_assert(back.rate);
	for (i = 0; i < 60; i++)
		ck_assert(tsu_same_minute(&back.rm[i], &rb.rm[i]));
	/* A NaN inside a minute is summarized as the raw path sees it (no
	 * drop to or from it); as a minute's first value, it does not fit:
	 * no rate columns. */
	v[6] = NAN;
	rollup_block_init(&rb, T0, MIN, 60);
	rollup_block_fill(&rb, t, v, n);
	buf_reset(&b);
	rollup_block_encode(&rb, NULL, &b);
	ck_assert_int_ne((unsigned char)b.data[0], 6);
	rollup_block_init(&back, T0, MIN, 60);
	ck_assert_int_eq(rollup_block_decode(&back, b.data, b.len), 0);
	ck_assert(!back.rate);
	buf_free(&b);
}
END_TEST

/* Warnings of the store: a damaged block must be reported. */
static int nwarn;
static char lastwarn[512];

static void
note_warn(void *arg, const char *msg)
{
	(void)arg;
	nwarn++;
	snprintf(lastwarn, sizeof lastwarn, "%s", msg);
}

/* Minutes decoded from a damaged block are still well formed: each
 * point inside its own minute, fewer drops than points. */
static void
check_shape(const struct rollup_block *rb, const struct rate_minute *m)
{
	int i;

	for (i = 0; i < 60; i++) {
		int64_t a = rb->start + (int64_t)i * MIN;

		if (m[i].count == 0)
			continue;
		ck_assert(m[i].first_t >= a && m[i].first_t <= m[i].last_t &&
		          m[i].last_t < a + MIN);
		ck_assert(m[i].nresets < m[i].count);
	}
}

/* Every single bit flip in the rate columns of the rate block v: no
 * crash (ASan), and what decodes is well formed.  Adds to *rejected the
 * flips the decoder rejects, to *other those it decodes into minutes
 * other than the block's (the columns carry no checksum: see
 * test_minutes_corrupt_blocks). */
static void
flip_all(const struct rollup_block *rb, const char *v, size_t vl,
    size_t *rejected, size_t *other)
{
	struct rate_minute want[60], got[60];
	size_t inner, i;
	char *d = malloc(vl);
	int bit, rc, k;

	ck_assert_int_eq(rollup_block_decode_rate(rb, v, vl, want), 1);
	inner = (uint8_t)v[1] | (size_t)(uint8_t)v[2] << 8;
	for (i = 3 + inner; i < vl; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(d, v, vl);
			d[i] ^= (char)(1 << bit);
			rc = rollup_block_decode_rate(rb, d, vl, got);
			ck_assert_int_ne(rc, 0);
			if (rc < 0) {
				(*rejected)++;
				continue;
			}
			check_shape(rb, got);
			for (k = 0;
			     k < 60 && tsu_same_minute(&got[k], &want[k]); k++)
				;
			*other += k < 60;
		}
	}
	free(d);
}

#define NDAMAGE 6

/* Damage kind d of the rate block v of vl bytes in place; its new
 * length. */
static size_t
damage(char *v, size_t vl, int d)
{
	size_t r = 3 + ((uint8_t)v[1] | (size_t)(uint8_t)v[2] << 8);

	switch (d) {
	case 0: /* cut inside the rate columns */
		return r + (vl - r) / 2;
	case 1: /* the last byte lost */
		return vl - 1;
	case 2: /* the rate columns lost */
		return r;
	case 3: /* junk after the end */
		v[vl] = 0x5a;
		return vl + 1;
	case 4: /* an inner length past the end */
		v[1] = (char)0xff;
		v[2] = (char)0xff;
		return vl;
	default: /* an exponent out of range */
		v[r] = (char)((uint8_t)v[r] | 15);
		return vl;
	}
}

/* Damage counts of test_minutes_corrupt_blocks. */
struct damage_counts {
	size_t nblk, rejected, other;
};

/* A rate block damaged in the next way (after all its bit flips are
 * tried); others left. */
static int
damage_block(int64_t h, const char *v, size_t vl, struct buf *out, void *arg)
{
	struct damage_counts *dc = arg;
	struct rollup_block rb;
	struct rate_minute rm[60];

	if (!rollup_block_has_rate(v, vl))
		return 0;
	rollup_block_init(&rb, h, MIN, 60);
	flip_all(&rb, v, vl, &dc->rejected, &dc->other);
	buf_append(out, v, vl);
	buf_reserve(out, 1);
	out->len = damage(out->data, vl, (int)(dc->nblk++ % NDAMAGE));
	ck_assert_int_eq(
	    rollup_block_decode_rate(&rb, out->data, out->len, rm), -1);
	return 1;
}

/*
 * Minute blocks whose rate columns are damaged on disk (cut short, junk
 * after them, a wrong inner length, a bad header): the store reports each
 * (a warning naming the series and hour, and store_minutes_bad) and reads
 * the hour raw, so the summaries stay those of the raw points.  Single
 * bit flips: no crash, but most decode into other minutes, which only a
 * checksum of the columns (a new format) would catch; on disk, RocksDB's
 * block checksums turn them into read errors, reported and read raw too.
 */
START_TEST(test_minutes_corrupt_blocks)
{
	struct store_options o;
	struct store *s;
	struct damage_counts dc = {0, 0, 0};
	size_t roll = 0, raw = 0;

	store_options_init(&o);
	o.warn = note_warn;
	s = tsu_open(tmpdir, &o);
	fill(s);
	ck_assert_int_eq(store_flush(s, 0, NULL), 0);
	store_close(s);
	s = tsu_open(tmpdir, &o);
	rewrite_blocks(s, damage_block, &dc);
	ck_assert_uint_ge(dc.nblk, NDAMAGE);
	ck_assert_uint_gt(dc.rejected, 0);
	fprintf(stderr,
	    "rate column bit flips: %zu rejected, %zu decoded into other "
	    "minutes\n",
	    dc.rejected, dc.other);
	store_close(s);

	s = tsu_open(tmpdir, &o);
	nwarn = 0;
	bad_seen = 0;
	check_all(s, &roll, &raw);
	ck_assert_uint_gt(raw, 0);
	ck_assert_uint_gt(bad_seen, 0);
	ck_assert_int_gt(nwarn, 0);
	ck_assert_msg(strstr(lastwarn, "rollup_m block of series") != NULL,
	    "warning: %s", lastwarn);
	store_close(s);
}
END_TEST

static Suite *
store_minutes_suite(void)
{
	Suite *su = suite_create("store-minutes");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, tsu_dir_teardown);
	tcase_add_test(tc, test_minutes_match_raw);
	tcase_add_test(tc, test_minutes_old_blocks);
	tcase_add_test(tc, test_minutes_raw_retention);
	tcase_add_test(tc, test_minutes_minute_retention);
	tcase_add_test(tc, test_minutes_block_codec);
	tcase_add_test(tc, test_minutes_corrupt_blocks);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_minutes_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
