/* Unit tests for lib/serieskey: canonical form, escaping, validation. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/serieskey.h"

static char *
build(const char *metric, const struct serieskey_tag *tags, size_t n,
    char **cause)
{
	struct buf b = BUF_INIT;

	if (serieskey_build(&b, metric, tags, n, cause) != 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

START_TEST(test_build_sorted_escaped)
{
	struct serieskey_tag tags[] = {
	    {"subdistrict", "440304001"},
	    {"grid", "440304001001007"},
	    {"community", "南园\"东\\园\n"},
	};
	char *k = build("aqi", tags, 3, NULL);

	ck_assert_str_eq(k,
	    "aqi{community=\"南园\\\"东\\\\园\\n\","
	    "grid=\"440304001001007\",subdistrict=\"440304001\"}");
	free(k);
	k = build("up", NULL, 0, NULL);
	ck_assert_str_eq(k, "up");
	free(k);
}
END_TEST

START_TEST(test_parse_roundtrip)
{
	struct serieskey sk;
	struct buf b = BUF_INIT;
	const char *key = "aqi{grid=\"g\\\"1\\\\\\n\",a=\"x,y=}\"}";
	char *cause = NULL;

	ck_assert_int_eq(serieskey_parse(key, strlen(key), &sk, &cause), 0);
	ck_assert_str_eq(sk.metric, "aqi");
	ck_assert_uint_eq(sk.ntags, 2);
	ck_assert_str_eq(sk.tags[0].name, "a");
	ck_assert_str_eq(sk.tags[0].value, "x,y=}");
	ck_assert_str_eq(sk.tags[1].value, "g\"1\\\n");
	ck_assert_str_eq(serieskey_get(&sk, "grid"), "g\"1\\\n");
	ck_assert_ptr_null(serieskey_get(&sk, "nope"));
	ck_assert_int_eq(
	    serieskey_build(&b, sk.metric, sk.tags, sk.ntags, &cause), 0);
	ck_assert_str_eq(b.data, "aqi{a=\"x,y=}\",grid=\"g\\\"1\\\\\\n\"}");
	serieskey_free(&sk);
	buf_reset(&b);
	ck_assert_int_eq(
	    serieskey_canonicalize(key, strlen(key), &b, &cause), 0);
	ck_assert_str_eq(b.data, "aqi{a=\"x,y=}\",grid=\"g\\\"1\\\\\\n\"}");
	buf_reset(&b);
	ck_assert_int_eq(serieskey_canonicalize("m", 1, &b, &cause), 0);
	ck_assert_str_eq(b.data, "m");
	buf_reset(&b);
	ck_assert_int_eq(serieskey_canonicalize("m{}", 3, &b, &cause), 0);
	ck_assert_str_eq(b.data, "m");
	buf_free(&b);
}
END_TEST

/* Each bad key fails with a message containing want. */
START_TEST(test_errors_name_the_culprit)
{
	static const struct {
		const char *key, *want;
	} bad[] = {
	    {"", "empty metric"},
	    {"{a=\"b\"}", "empty metric"},
	    {"9lives", "metric name \"9lives\""},
	    {"a-b", "metric name \"a-b\""},
	    {"m{grid=\"\"}", "tag \"grid\": empty value"},
	    {"m{=\"x\"}", "empty tag name"},
	    {"m{9a=\"x\"}", "tag name \"9a\""},
	    {"m{__x=\"x\"}", "reserved"},
	    {"m{a=\"1\",a=\"2\"}", "tag \"a\" given twice"},
	    {"m{a=\"x}", "unterminated"},
	    {"m{a=x}", "expected '\"'"},
	    {"m{a=\"x\"", "missing '}'"},
	    {"m{a=\"x\"}z", "after '}'"},
	    {"m{a=\"\\q\"}", "invalid escape"},
	    {"m{a=\"\xff\"}", "UTF-8"},
	    {"m{a=\"\x01\"}", "control"},
	};
	struct serieskey sk;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *cause = NULL;

		ck_assert_msg(serieskey_parse(bad[i].key, strlen(bad[i].key),
		                  &sk, &cause) == -1,
		    "%s parsed", bad[i].key);
		ck_assert_msg(
		    cause != NULL && strstr(cause, bad[i].want) != NULL,
		    "%s: got \"%s\", want \"%s\"", bad[i].key, cause,
		    bad[i].want);
		free(cause);
	}
}
END_TEST

START_TEST(test_limits)
{
	char name[SERIESKEY_METRIC_MAX + 2];
	char value[SERIESKEY_VALUE_MAX + 2];
	struct serieskey_tag t = {"v", value};
	char *cause = NULL, *k;

	memset(name, 'm', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	ck_assert_ptr_null(build(name, NULL, 0, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "too long"));
	free(cause);
	name[SERIESKEY_METRIC_MAX] = '\0';
	k = build(name, NULL, 0, NULL);
	ck_assert_ptr_nonnull(k);
	free(k);
	memset(value, 'x', sizeof value - 1);
	value[sizeof value - 1] = '\0';
	ck_assert_ptr_null(build("m", &t, 1, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "tag \"v\": value too long"));
	free(cause);
}
END_TEST

START_TEST(test_sanitize)
{
	struct buf b = BUF_INIT;

	serieskey_name_sanitize(&b, "cpu.usage-idle");
	ck_assert_str_eq(b.data, "cpu_usage_idle");
	buf_reset(&b);
	serieskey_name_sanitize(&b, "5xx");
	ck_assert_str_eq(b.data, "_5xx");
	ck_assert_int_eq(serieskey_metric_check(b.data, NULL), 0);
	buf_free(&b);
}
END_TEST

static Suite *
serieskey_suite(void)
{
	Suite *s = suite_create("serieskey");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_build_sorted_escaped);
	tcase_add_test(tc, test_parse_roundtrip);
	tcase_add_test(tc, test_errors_name_the_culprit);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_sanitize);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(serieskey_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
