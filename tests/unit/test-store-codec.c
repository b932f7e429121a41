/*
 * Unit tests for the store's codecs without RocksDB: raw chunks
 * (Gorilla-style and decimal kinds) round-trip bit for bit, corrupt
 * chunks are refused, and rollup blocks in both layouts decode every
 * column subset exactly, including NaN, Inf and -0.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/chunk.h"
#include "store/coder.h"
#include "store/rollup.h"
#include "store/store-int.h"
#include "store/store.h"
#include "test-store-util.h"

#define H STORE_HOUR_MS
static int64_t T0;

static double
rng_unit(void)
{
	return (double)(tsu_rng() >> 11) / 9007199254740992.0;
}

/* Encode n points incrementally (v1: in the layout of format 3 and
 * older), decode, and compare bit for bit; the serialized size. */
static size_t
roundtrip_layout(const int64_t *t, const double *v, size_t n, int v1)
{
	struct chunk_enc c = {0};
	struct ptvec pv = {0};
	uint8_t *buf;
	size_t len, i;

	if (v1)
		chunk_enc_init_v1(&c);
	else
		chunk_enc_init(&c);
	for (i = 0; i < n; i++)
		chunk_enc_append(&c, t[i], v[i]);
	len = chunk_enc_size(&c);
	buf = xmalloc(len);
	chunk_enc_serialize(&c, buf);
	ck_assert_int_eq(chunk_decode(buf, len, &pv), 0);
	ck_assert_uint_eq(pv.n, n);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(pv.t[i], t[i]);
		if (!tsu_same(pv.v[i], v[i]))
			ck_abort_msg(
			    "point %zu: %.17g != %.17g", i, pv.v[i], v[i]);
	}
	/* Old layout: no regular run. */
	ck_assert(!v1 || (buf[0] & CHUNK_REGULAR) == 0);
	free(buf);
	ptvec_free(&pv);
	chunk_enc_free(&c);
	return len;
}

/* Both layouts; the current one's size. */
static size_t
roundtrip(const int64_t *t, const double *v, size_t n)
{
	(void)roundtrip_layout(t, v, n, 1);
	return roundtrip_layout(t, v, n, 0);
}

/* A chunk of 600 points whose values move the Rice parameter up and down
 * (steady steps, bursts, a spike, a rescale, a raw value), with a regular
 * run then jittered times: its bytes as the store writes them (format 4),
 * which a faster coder must keep. */
static uint64_t
golden_chunk(size_t *lenp)
{
	struct chunk_enc c = {0};
	uint64_t h = UINT64_C(1469598103934665603);
	int64_t t = INT64_C(1700000000000);
	double v = 100;
	uint8_t *buf;
	size_t i, len;

	chunk_enc_init(&c);
	for (i = 0; i < 600; i++) {
		if (i < 300)
			t += 10000;
		else
			t += 10000 + (int64_t)((i * 7919) % 13) * 100 - 600;
		if (i % 100 < 40)
			v += (double)((i * 31) % 7) - 3;
		else if (i % 100 < 80)
			v += (double)((i * 7919) % 200001) - 100000;
		else if (i == 450)
			v = 1e300;
		else if (i == 451)
			v = 12.5;
		else
			v += 0.25 * (double)((i * 13) % 9);
		chunk_enc_append(&c, t, v);
	}
	len = chunk_enc_size(&c);
	buf = xmalloc(len);
	chunk_enc_serialize(&c, buf);
	for (i = 0; i < len; i++) {
		h ^= buf[i];
		h *= UINT64_C(1099511628211);
	}
	free(buf);
	chunk_enc_free(&c);
	*lenp = len;
	return h;
}

START_TEST(test_chunk_golden_bytes)
{
	size_t len;
	uint64_t h = golden_chunk(&len);

	ck_assert_uint_eq(len, 2082);
	ck_assert_uint_eq(h, UINT64_C(0xe21a3e02f8ea070c));
}
END_TEST

/* The loop rice_k replaced: from any start, the smallest k <= 60 with
 * n << k >= a. */
static unsigned
rice_k_loop(uint64_t a, uint64_t n, unsigned kk)
{
	while (kk < 60 && (n << kk) < a)
		kk++;
	while (kk > 0 && (n << (kk - 1)) >= a)
		kk--;
	return kk;
}

START_TEST(test_rice_k_matches_loop)
{
	uint64_t a, n;
	unsigned j;

	for (n = 1; n < RICE_HALF; n++) {
		for (a = 0; a < 5000; a++) {
			ck_assert_uint_eq(rice_k(a, n), rice_k_loop(a, n, 0));
			ck_assert_uint_eq(rice_k(a, n), rice_k_loop(a, n, 60));
		}
		for (j = 12; j < 64; j++) {
			uint64_t b = UINT64_C(1) << j;

			for (a = b - 17; a < b + 17; a++)
				ck_assert_uint_eq(
				    rice_k(a, n), rice_k_loop(a, n, j % 61));
			a = b * 3 / 2 + n;
			ck_assert_uint_eq(rice_k(a, n), rice_k_loop(a, n, 5));
		}
		ck_assert_uint_eq(
		    rice_k(UINT64_MAX, n), rice_k_loop(UINT64_MAX, n, 0));
	}
}
END_TEST

START_TEST(test_chunk_roundtrip_kinds)
{
	int64_t t[1000];
	double v[1000], w = 35.2;
	size_t i, n = 1000, len;

	/* Regular 10 s sensor walk with one decimal. */
	for (i = 0; i < n; i++) {
		t[i] = T0 + (int64_t)i * 10000;
		w += (double)((int64_t)(tsu_rng() % 5) - 2) / 10;
		v[i] = round(w * 10) / 10;
	}
	len = roundtrip(t, v, n);
	ck_assert_msg(len < n * 6 / 8, "walk takes %zu bytes", len);

	/* Specials. */
	for (i = 0; i < n; i++) {
		switch (i % 9) {
		case 0:
			v[i] = NAN;
			break;
		case 1:
			v[i] = INFINITY;
			break;
		case 2:
			v[i] = -INFINITY;
			break;
		case 3:
			v[i] = -0.0;
			break;
		case 4:
			v[i] = 1e300 * (double)i;
			break;
		case 5:
			v[i] = 4.9e-324;
			break;
		case 6:
			v[i] = -123456789.125;
			break;
		case 7:
			v[i] = 0.1 + 0.2;
			break;
		default:
			v[i] = (double)i;
		}
	}
	roundtrip(t, v, n);

	/* Random doubles (XOR fallback) and irregular times. */
	for (i = 0; i < n; i++) {
		v[i] = (rng_unit() - 0.5) * 1e6;
		t[i] = (i == 0 ? T0 : t[i - 1]) + 1 +
		       (int64_t)(tsu_rng() % 100000);
	}
	roundtrip(t, v, n);

	/* Huge gaps between times, integer counters. */
	for (i = 0; i < n; i++) {
		t[i] = (int64_t)i * 86400000LL * 3 + (int64_t)(tsu_rng() % 7);
		v[i] = (double)(i * i * 1000003);
	}
	roundtrip(t, v, n);

	/* Scale changes inside a chunk, negative values, one point. */
	for (i = 0; i < n; i++) {
		t[i] = T0 + (int64_t)i * 1000;
		v[i] = i % 100 == 0 ? -1.23456 : (double)(i % 7) - 3.5;
	}
	roundtrip(t, v, n);
	roundtrip(t, v, 1);
	v[0] = NAN;
	roundtrip(t, v, 1);
}
END_TEST

/* Regular runs: times at one step cost no bits, whatever follows. */
START_TEST(test_chunk_regular_run)
{
	int64_t t[400];
	double v[400];
	size_t i, n = 360, cur, old;

	for (i = 0; i < n; i++) {
		t[i] = T0 + (int64_t)i * 10000;
		v[i] = (double)(i % 3);
	}
	cur = roundtrip(t, v, n);
	old = roundtrip_layout(t, v, n, 1);
	/* One bit a point and the second point's 68 bits saved, less the
	 * header's step and run length. */
	ck_assert_msg(old - cur >= (n - 2) / 8 + 4,
	    "regular: %zu bytes, %zu in the old layout", cur, old);
	roundtrip(t, v, 2);
	roundtrip(t, v, 3);
	/* The run ends: a late point, a gap, a new step, back to the old. */
	for (i = 100; i < n; i++)
		t[i] += 7;
	roundtrip(t, v, n);
	for (i = 200; i < n; i++)
		t[i] += 60000;
	roundtrip(t, v, n);
	for (i = 250; i < n; i++)
		t[i] = t[249] + (int64_t)(i - 249) * 5000;
	roundtrip(t, v, n);
	/* Irregular from the third point; a first step of 1 ms, then big
	 * ones; a huge step. */
	t[2] = t[1] + 1;
	roundtrip(t, v, n);
	for (i = 0; i < n; i++)
		t[i] = T0 + (i < 5 ? (int64_t)i : (int64_t)i * 86400000LL);
	roundtrip(t, v, n);
	t[0] = 0;
	t[1] = STORE_TIME_MAX / 2;
	roundtrip(t, v, 2);
}
END_TEST

START_TEST(test_chunk_corrupt_rejected)
{
	struct chunk_enc c = {0};
	struct ptvec pv = {0};
	uint8_t buf[4096];
	size_t len, i;
	int bad = 0;

	chunk_enc_init(&c);
	for (i = 0; i < 200; i++)
		chunk_enc_append(
		    &c, T0 + (int64_t)i * 10000 + (i > 150), (double)(i % 13));
	len = chunk_enc_size(&c);
	ck_assert_uint_le(len, sizeof buf);
	chunk_enc_serialize(&c, buf);
	ck_assert_int_eq(chunk_decode(buf, len - 1, &pv), -1);
	ck_assert_uint_eq(pv.n, 0);
	ck_assert_int_eq(chunk_decode("garbage", 7, &pv), -1);
	/* Regular runs past the end of time, as long as the chunk, or with
	 * a step of 0. */
	{
		uint8_t h[32], *p;
		static const uint64_t runs[][4] = {
		    {3, STORE_TIME_MAX - 10, 10, 1}, {3, 1000, 10, 3},
		    {3, 1000, 0, 1}, {2, 0, STORE_TIME_MAX, 1}};
		uint32_t n;
		int64_t first;

		for (i = 0; i < sizeof runs / sizeof runs[0]; i++) {
			p = h;
			*p++ = CHUNK_CODEC_DEC | CHUNK_REGULAR;
			p += varint_put(p, runs[i][0]);
			p += varint_put(p, runs[i][1]);
			p += varint_put(p, runs[i][2]);
			p += varint_put(p, runs[i][3]);
			memset(p, 0, 8);
			ck_assert_int_eq(
			    chunk_header(h, (size_t)(p - h) + 8, &n, &first),
			    -1);
			ck_assert_int_eq(
			    chunk_decode(h, (size_t)(p - h) + 8, &pv), -1);
		}
	}
	/* Random damage never crashes; it is either caught or decodes to
	 * the right number of points. */
	for (i = 0; i < 2000; i++) {
		uint8_t copy[4096];

		memcpy(copy, buf, len);
		copy[tsu_rng() % len] ^= (uint8_t)(1 + tsu_rng() % 255);
		pv.n = 0;
		if (chunk_decode(copy, len, &pv) != 0) {
			bad++;
			ck_assert_uint_eq(pv.n, 0);
		} else
			ck_assert_uint_eq(pv.n, 200);
	}
	ck_assert_int_gt(bad, 100);
	ptvec_free(&pv);
	chunk_enc_free(&c);
}
END_TEST

START_TEST(test_rollup_block_roundtrip)
{
	struct rollup_block rb, back;
	struct buf b = BUF_INIT;
	int64_t t[400];
	double v[400], w = 20;
	size_t i;
	unsigned k;

	for (i = 0; i < 360; i++) {
		t[i] = 10 * H + (int64_t)i * 10000 + (i % 3);
		w += (double)((int64_t)(tsu_rng() % 7) - 3) / 100;
		v[i] = i == 77 ? NAN : round(w * 100) / 100;
	}
	rollup_block_init(&rb, 10 * H, STORE_MINUTE_MS, 60);
	rollup_block_fill(&rb, t, v, 350); /* last minute partial */
	rollup_block_encode(&rb, NULL, &b);
	rollup_block_init(&back, 10 * H, STORE_MINUTE_MS, 60);
	ck_assert_int_eq(rollup_block_decode(&back, b.data, b.len), 0);
	for (k = 0; k < 60; k++) {
		ck_assert_int_eq(back.present[k], rb.present[k]);
		if (!rb.present[k])
			continue;
		ck_assert_uint_eq(back.b[k].count, rb.b[k].count);
		ck_assert_int_eq(back.b[k].last_t, rb.b[k].last_t);
		ck_assert(tsu_same(back.b[k].sum, rb.b[k].sum));
		ck_assert(tsu_same(back.b[k].min, rb.b[k].min));
		ck_assert(tsu_same(back.b[k].max, rb.b[k].max));
		ck_assert(tsu_same(back.b[k].last, rb.b[k].last));
	}
	ck_assert_msg(b.len < 60 * 12, "minute block is %zu bytes", b.len);
	ck_assert_int_eq(rollup_block_decode(&back, b.data, b.len / 2), -1);
	buf_free(&b);
}
END_TEST

/* Random minute blocks of several shapes (short decimals at various
 * exponents, single points, sparse and empty slots, repeated values,
 * NaN/Inf/-0), in the current and the format 1 layout: every set of
 * columns decodes to the aggregates, and damaged blocks never crash. */
START_TEST(test_rollup_block_columns)
{
	static const unsigned masks[] = {0, ROLLUP_COL_SUM, ROLLUP_COL_LAST,
	    ROLLUP_COL_MIN, ROLLUP_COL_MAX, ROLLUP_COL_SUM | ROLLUP_COL_MAX,
	    ROLLUP_COL_ALL};
	struct rollup_block rb, back;
	struct buf b = BUF_INIT;
	int64_t t[720];
	double v[720], w;
	unsigned round, fmt, m, k, i, n;

	for (round = 0; round < 400; round++) {
		unsigned shape = round % 9,
		         per = 1 + (unsigned)(tsu_rng() % 12);
		double scale =
		    (double)(1u << (tsu_rng() % 4)) * (tsu_rng() % 2 ? 1 : 100);

		w = (double)(int64_t)(tsu_rng() % 2000) - 1000;
		n = 0;
		for (i = 0; i < 60 * per && n < 720; i++) {
			int64_t tt = 10 * H + (int64_t)i * (60000 / per) +
			             (int64_t)(tsu_rng() % 50);

			if (shape == 1 && tsu_rng() % 4 != 0)
				continue; /* sparse */
			if (shape == 2 && i / per >= 20 && i / per < 45)
				continue; /* a gap */
			if (shape == 8 && (i / per < 7 || i / per >= 52))
				continue; /* one run */
			if (shape == 3 && tsu_rng() % 3 != 0)
				continue; /* mostly single points */
			if (tsu_rng() % 3 != 0)
				w += (double)((int64_t)(tsu_rng() % 61) - 30);
			v[n] = w / scale;
			if (shape == 4) /* big mantissas */
				v[n] = (w + 1e9) / 1000;
			if (shape == 5 && tsu_rng() % 50 == 0) {
				static const double odd[] = {
				    NAN, INFINITY, -INFINITY, -0.0, 1.0 / 3};

				v[n] = odd[tsu_rng() % 5];
			}
			if (shape == 6)
				v[n] = 0; /* constant */
			t[n++] = tt;
		}
		rollup_block_init(&rb, 10 * H, STORE_MINUTE_MS, 60);
		if (shape != 7)
			rollup_block_fill(&rb, t, v, n);
		for (fmt = 1; fmt <= STORE_FORMAT_VERSION; fmt++) {
			buf_reset(&b);
			if (fmt < STORE_FORMAT_VERSION)
				rollup_block_encode_format(&rb, (int)fmt, &b);
			else
				rollup_block_encode(&rb, NULL, &b);
			for (m = 0; m < sizeof masks / sizeof masks[0]; m++) {
				unsigned c = masks[m];

				rollup_block_init(
				    &back, 10 * H, STORE_MINUTE_MS, 60);
				ck_assert_int_eq(rollup_block_decode_cols(
				                     &back, b.data, b.len, c),
				    0);
				for (k = 0; k < 60; k++) {
					const struct agg *x = &rb.b[k],
					                 *y = &back.b[k];

					ck_assert_int_eq(
					    back.present[k], rb.present[k]);
					if (!rb.present[k])
						continue;
					ck_assert_uint_eq(y->count, x->count);
					ck_assert_int_eq(y->last_t, x->last_t);
					if (c & ROLLUP_COL_SUM)
						ck_assert(
						    tsu_same(y->sum, x->sum));
					if (c & ROLLUP_COL_LAST)
						ck_assert(
						    tsu_same(y->last, x->last));
					if (c & ROLLUP_COL_MIN)
						ck_assert(
						    tsu_same(y->min, x->min));
					if (c & ROLLUP_COL_MAX)
						ck_assert(
						    tsu_same(y->max, x->max));
				}
			}
			/* Damage: truncated, or a byte changed. */
			for (i = 0; i < 20 && b.len > 0; i++) {
				size_t at = (size_t)(tsu_rng() % b.len);
				unsigned char save = (unsigned char)b.data[at];

				rollup_block_init(
				    &back, 10 * H, STORE_MINUTE_MS, 60);
				(void)rollup_block_decode_cols(
				    &back, b.data, at, masks[tsu_rng() % 7]);
				b.data[at] ^= (char)(1u << (tsu_rng() % 8));
				(void)rollup_block_decode_cols(
				    &back, b.data, b.len, masks[tsu_rng() % 7]);
				b.data[at] = (char)save;
			}
		}
	}
	buf_free(&b);
}
END_TEST

/* ---- store ---- */

static Suite *
codec_suite(void)
{
	Suite *su = suite_create("store-codec");
	TCase *tc = tcase_create("codec");

	/* Randomized rounds: far past Check's 4 s on a loaded machine. */
	tcase_set_timeout(tc, 120);

	tcase_add_test(tc, test_chunk_roundtrip_kinds);
	tcase_add_test(tc, test_chunk_regular_run);
	tcase_add_test(tc, test_chunk_corrupt_rejected);
	tcase_add_test(tc, test_chunk_golden_bytes);
	tcase_add_test(tc, test_rice_k_matches_loop);
	tcase_add_test(tc, test_rollup_block_roundtrip);
	tcase_add_test(tc, test_rollup_block_columns);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(codec_suite());
	int failed;

	T0 = (clock_wall_ms() / H - 12) * H + 800000;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
