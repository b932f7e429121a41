/* Unit tests for the hub's wire path: shortest round-trip reals in JSON
 * replies (lib/jsonout.c) and gzip request bodies (hub/server-body.c). */
#include "config.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hub/server-int.h"
#include "lib/buf.h"
#include "lib/jsonout.h"
#include "lib/xmalloc.h"

static const char *
fmt(double v)
{
	static char out[JSONOUT_DOUBLE_MAX];
	size_t n = jsonout_double(v, out);

	ck_assert_uint_eq(n, strlen(out));
	return out;
}

START_TEST(test_double_shortest)
{
	ck_assert_str_eq(fmt(49.8), "49.8");
	ck_assert_str_eq(fmt(0.1 + 0.2), "0.30000000000000004");
	ck_assert_str_eq(fmt(0.1), "0.1");
	ck_assert_str_eq(fmt(-3.25), "-3.25");
	ck_assert_str_eq(fmt(42.0), "42.0");
	ck_assert_str_eq(fmt(-7.0), "-7.0");
	ck_assert_str_eq(fmt(0.0), "0.0");
	ck_assert_str_eq(fmt(-0.0), "-0.0");
	ck_assert_str_eq(fmt(0.005), "0.005");
	ck_assert_str_eq(fmt(1e300), "1e300");
	ck_assert_str_eq(fmt(-1e-300), "-1e-300");
	ck_assert_str_eq(fmt(1e-7), "1e-7");
	ck_assert_str_eq(fmt(1e15), "1e15");
	ck_assert_str_eq(fmt(123456789012.5), "123456789012.5");
	ck_assert_str_eq(fmt(1.0 / 3), "0.3333333333333333");
	ck_assert_str_eq(fmt(DBL_MAX), "1.7976931348623157e308");
	ck_assert_str_eq(fmt(9007199254740993.0), "9007199254740992.0");
}
END_TEST

/* Significant digits of a number's text. */
static size_t
sigdigits(const char *s)
{
	char d[64];
	size_t n = 0;

	for (; *s != '\0' && *s != 'e'; s++) {
		if (*s >= '0' && *s <= '9' && (n > 0 || *s != '0'))
			d[n++] = *s;
	}
	while (n > 0 && d[n - 1] == '0')
		n--;
	return n;
}

/* Every output reads back exactly, is a JSON real, and has no more
 * significant digits than %.17g. */
START_TEST(test_double_round_trip)
{
	char g17[64];
	const char *s;
	unsigned long long x = 88172645463325252ULL;
	double v;
	int i;

	for (i = 0; i < 40000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (i % 4 == 0) /* arbitrary bits */
			memcpy(&v, &x, sizeof v);
		else if (i % 4 == 1) /* sensor-like: few decimals */
			v = (double)(long long)(x % 2000000) / 100 - 5000;
		else if (i % 4 == 2)
			v = (double)(x % 1000000007) / 1e9;
		else
			v = (double)(long long)(x >> 1) * 1e-3;
		if (!isfinite(v))
			continue;
		s = fmt(v);
		ck_assert_msg(strtod(s, NULL) == v, "%s does not read back", s);
		ck_assert_msg(strpbrk(s, ".e") != NULL, "%s is not a real", s);
		snprintf(g17, sizeof g17, "%.17g", v);
		ck_assert_msg(sigdigits(s) <= sigdigits(g17),
		    "%s has more digits than %s", s, g17);
	}
}
END_TEST

/* The compact text is what jansson writes, reals aside. */
START_TEST(test_append_matches_jansson)
{
	struct buf b = BUF_INIT;
	json_t *j;
	char *want;

	j = json_pack("{s:s,s:I,s:[f,f,b,b,n],s:{},s:[],s:s#}", "name",
	    "a\"b\\c\n\t\x01 \xe7\xa6\x8f/", "n", (json_int_t)-1234567890123,
	    "v", 1.5, 2.0, 1, 0, "o", "a", "nul", "x\0y", (size_t)3);
	ck_assert_int_eq(jsonout_append(&b, j), 0);
	want = json_dumps(j, JSON_COMPACT);
	ck_assert_str_eq(buf_str(&b), want);
	free(want);
	json_decref(j);
	buf_reset(&b);
	j = json_pack("[f,f]", 49.8, 0.1 + 0.2);
	ck_assert_int_eq(jsonout_append(&b, j), 0);
	ck_assert_str_eq(buf_str(&b), "[49.8,0.30000000000000004]");
	json_decref(j);
	buf_free(&b);
}
END_TEST

/* The pieces routes write replies with give jansson's text too. */
START_TEST(test_pieces_match_jansson)
{
	static const int64_t ints[] = {0, 7, -1, 1733400000000LL,
	    -1733400000000LL, INT64_MAX, INT64_MIN};
	static const double reals[] = {49.8, -0.0, 1e300, -2.5e-7, 42.0};
	char out[JSONOUT_DOUBLE_MAX], *want;
	struct buf b = BUF_INIT;
	json_t *j;
	size_t i, n;

	for (i = 0; i < sizeof ints / sizeof *ints; i++) {
		n = jsonout_int(ints[i], out);
		ck_assert_uint_eq(n, strlen(out));
		j = json_integer((json_int_t)ints[i]);
		want = json_dumps(j, JSON_ENCODE_ANY);
		ck_assert_str_eq(out, want);
		free(want);
		json_decref(j);
	}
	for (i = 0; i < sizeof reals / sizeof *reals; i++) {
		n = jsonout_real_or_null(reals[i], out);
		ck_assert_uint_eq(n, jsonout_double(reals[i], out));
		ck_assert_double_eq(strtod(out, NULL), reals[i]);
	}
	ck_assert_uint_eq(jsonout_real_or_null(NAN, out), 4);
	ck_assert_str_eq(out, "null");
	ck_assert_uint_eq(jsonout_real_or_null(-INFINITY, out), 4);
	ck_assert_str_eq(out, "null");
	jsonout_string(&b, "a\"b\\c\n\x01 \xe7\xa6\x8f", 11);
	j = json_string("a\"b\\c\n\x01 \xe7\xa6\x8f");
	want = json_dumps(j, JSON_ENCODE_ANY);
	ck_assert_str_eq(buf_str(&b), want);
	free(want);
	json_decref(j);
	buf_free(&b);
}
END_TEST

/* src gzipped as one member (caller frees). */
static unsigned char *
gz(const char *src, size_t *len)
{
	z_stream z;
	unsigned char *out = xmalloc(strlen(src) + 1024);

	memset(&z, 0, sizeof z);
	ck_assert_int_eq(
	    deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
	    Z_OK);
	z.next_in = (unsigned char *)src;
	z.avail_in = (uInt)strlen(src);
	z.next_out = out;
	z.avail_out = (uInt)(strlen(src) + 1024);
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	*len = z.total_out;
	deflateEnd(&z);
	return out;
}

START_TEST(test_gunzip_members)
{
	struct buf a = BUF_INIT, all = BUF_INIT;
	unsigned char *ga, *gb;
	size_t la, lb, outlen;
	char *out = NULL, *cause = NULL;
	int i, code = 0;

	/* A first member that inflates to far more than 4 x its size. */
	for (i = 0; i < 5000; i++)
		buf_printf(&a, "m,grid=1 v=%d\n", i % 10);
	ga = gz(buf_str(&a), &la);
	gb = gz("m,grid=2 v=1\n", &lb);
	buf_append(&all, ga, la);
	buf_append(&all, gb, lb);
	ck_assert_int_eq(server_gunzip(all.data, all.len, 1 << 20, &out,
	                     &outlen, &code, &cause),
	    0);
	ck_assert_uint_eq(outlen, a.len + 13);
	ck_assert(memcmp(out, a.data, a.len) == 0);
	ck_assert_str_eq(out + a.len, "m,grid=2 v=1\n");
	free(out);

	/* Over the limit: 413. */
	ck_assert_int_eq(server_gunzip(all.data, all.len, 4096, &out, &outlen,
	                     &code, &cause),
	    -1);
	ck_assert_int_eq(code, 413);
	ck_assert_ptr_nonnull(strstr(cause, "max_body_decompressed"));
	free(cause);

	/* The second member cut short: 400 truncated. */
	ck_assert_int_eq(server_gunzip(all.data, all.len - 4, 1 << 20, &out,
	                     &outlen, &code, &cause),
	    -1);
	ck_assert_int_eq(code, 400);
	ck_assert_str_eq(cause, "gzip body: truncated");
	free(cause);

	/* Garbage after a member: 400. */
	buf_append(&all, "garbage!", 8);
	ck_assert_int_eq(server_gunzip(all.data, all.len, 1 << 20, &out,
	                     &outlen, &code, &cause),
	    -1);
	ck_assert_int_eq(code, 400);
	free(cause);
	free(ga);
	free(gb);
	buf_free(&a);
	buf_free(&all);
}
END_TEST

static Suite *
hub_wire_suite(void)
{
	Suite *s = suite_create("hub-wire");
	TCase *tc = tcase_create("wire");

	tcase_add_test(tc, test_double_shortest);
	tcase_add_test(tc, test_double_round_trip);
	tcase_add_test(tc, test_append_matches_jansson);
	tcase_add_test(tc, test_pieces_match_jansson);
	tcase_add_test(tc, test_gunzip_members);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hub_wire_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
