/* Unit tests: Prometheus text / OpenMetrics parser (lib/promtext.c). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/promtext.h"

static struct prom_parser *pp;

static void
setup(void)
{
	pp = prom_parser_create();
}

static void
teardown(void)
{
	prom_parser_free(pp);
}

static int
str_eq(struct prom_str a, const char *b)
{
	return a.len == strlen(b) && memcmp(a.p, b, a.len) == 0;
}

#define ck_assert_pstr(a, b)                                             \
	ck_assert_msg(str_eq((a), (b)), "got \"%.*s\", expected \"%s\"", \
	    (int)(a).len, (a).p, (b))

static const struct prom_sample *
next_sample(void)
{
	const struct prom_sample *s = NULL;
	const char *cause = NULL;
	size_t lineno = 0;
	int r = prom_parser_next(pp, &s, &lineno, &cause);

	ck_assert_msg(r == PROM_SAMPLE, "line %zu: r=%d %s", lineno, r,
	    cause != NULL ? cause : "");
	return s;
}

static void
next_error(size_t want_line, const char *want)
{
	const struct prom_sample *s;
	const char *cause = NULL;
	size_t lineno = 0;
	int r = prom_parser_next(pp, &s, &lineno, &cause);

	ck_assert_msg(
	    r == PROM_ERROR, "line %zu parsed, wanted %s", lineno, want);
	ck_assert_uint_eq(lineno, want_line);
	ck_assert_str_eq(cause, want);
}

static void
begin(const char *text, enum prom_format fmt)
{
	prom_parser_begin(pp, text, strlen(text), fmt);
}

START_TEST(test_text_004)
{
	const struct prom_sample *s;
	const char *v;
	size_t n;

	begin("# HELP http_requests_total The total number of HTTP "
	      "requests.\\nSecond \\\\ line\n"
	      "# TYPE http_requests_total counter\n"
	      "http_requests_total{method=\"post\",code=\"200\"} 1027 "
	      "1395066363000\n"
	      "http_requests_total{method=\"post\",code=\"400\"}    3 "
	      "1395066363000\n"
	      "\n"
	      "# Escaping in label values:\n"
	      "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\","
	      "error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9\n"
	      "# Minimalistic line:\n"
	      "metric_without_timestamp_and_labels 12.47\n"
	      "something_weird{problem=\"division by zero\"} +Inf -3982045\n"
	      "nan_metric NaN\n"
	      "neg_inf{a=\"b\",} -Inf\n"
	      "\t  indented 1\r\n",
	    PROM_FMT_TEXT);
	s = next_sample();
	ck_assert_pstr(s->name, "http_requests_total");
	ck_assert_pstr(s->family, "http_requests_total");
	ck_assert_int_eq(s->type, PROM_COUNTER);
	ck_assert_pstr(
	    s->help, "The total number of HTTP requests.\nSecond \\ line");
	ck_assert_uint_eq(s->nlabels, 2);
	ck_assert_pstr(s->labels[0].name, "method");
	ck_assert_pstr(s->labels[0].value, "post");
	ck_assert(s->value == 1027);
	ck_assert(s->has_time && s->time_ms == 1395066363000LL);
	s = next_sample();
	ck_assert(s->value == 3);
	v = prom_sample_label(s, "code", &n);
	ck_assert(v != NULL && n == 3 && memcmp(v, "400", 3) == 0);
	ck_assert(prom_sample_label(s, "nope", &n) == NULL);
	s = next_sample();
	ck_assert_pstr(s->labels[0].value, "C:\\DIR\\FILE.TXT");
	ck_assert_pstr(s->labels[1].value, "Cannot find file:\n\"FILE.TXT\"");
	ck_assert(s->value == 1.458255915e9);
	ck_assert_int_eq(s->type, PROM_UNTYPED);
	ck_assert_uint_eq(s->help.len, 0);
	s = next_sample();
	ck_assert(!s->has_time);
	ck_assert(s->value == 12.47);
	s = next_sample();
	ck_assert(isinf(s->value) && s->value > 0);
	ck_assert(s->time_ms == -3982045);
	s = next_sample();
	ck_assert(isnan(s->value));
	s = next_sample();
	ck_assert(isinf(s->value) && s->value < 0);
	ck_assert_uint_eq(s->nlabels, 1);
	s = next_sample();
	ck_assert_pstr(s->name, "indented");
	ck_assert_int_eq(prom_parser_next(pp, &s, NULL, NULL), PROM_END);
}
END_TEST

START_TEST(test_histogram_summary)
{
	const struct prom_sample *s;
	int i;

	begin("# HELP rpc_duration_seconds A summary.\n"
	      "# TYPE rpc_duration_seconds summary\n"
	      "rpc_duration_seconds{quantile=\"0.01\"} 3102\n"
	      "rpc_duration_seconds{quantile=\"0.5\"} 4773\n"
	      "rpc_duration_seconds_sum 1.7560473e+07\n"
	      "rpc_duration_seconds_count 2693\n"
	      "# TYPE http_request_duration_seconds histogram\n"
	      "http_request_duration_seconds_bucket{le=\"0.05\"} 24054\n"
	      "http_request_duration_seconds_bucket{le=\"+Inf\"} 144320\n"
	      "http_request_duration_seconds_sum 53423\n"
	      "http_request_duration_seconds_count 144320\n"
	      "http_request_duration_seconds_other 1\n",
	    PROM_FMT_TEXT);
	for (i = 0; i < 4; i++) {
		s = next_sample();
		ck_assert_pstr(s->family, "rpc_duration_seconds");
		ck_assert_int_eq(s->type, PROM_SUMMARY);
		ck_assert_pstr(s->help, "A summary.");
	}
	ck_assert_pstr(s->name, "rpc_duration_seconds_count");
	for (i = 0; i < 4; i++) {
		s = next_sample();
		ck_assert_pstr(s->family, "http_request_duration_seconds");
		ck_assert_int_eq(s->type, PROM_HISTOGRAM);
		ck_assert_uint_eq(s->help.len, 0);
	}
	s = next_sample();
	ck_assert_pstr(s->family, "http_request_duration_seconds_other");
	ck_assert_int_eq(s->type, PROM_UNTYPED);
}
END_TEST

START_TEST(test_openmetrics)
{
	const struct prom_sample *s;

	ck_assert_int_eq(prom_format_from_content_type(
	                     "application/openmetrics-text; version=1.0.0; "
	                     "charset=utf-8"),
	    PROM_FMT_OPENMETRICS);
	ck_assert_int_eq(
	    prom_format_from_content_type("text/plain; version=0.0.4"),
	    PROM_FMT_TEXT);
	ck_assert_int_eq(prom_format_from_content_type(NULL), PROM_FMT_TEXT);
	begin("# TYPE acme_http_router_request_seconds summary\n"
	      "# UNIT acme_http_router_request_seconds seconds\n"
	      "# HELP acme_http_router_request_seconds Latency \\\"quoted\\\"\n"
	      "acme_http_router_request_seconds_sum{path=\"/api/v1\","
	      "method=\"GET\"} 9036.32 1520879607.789\n"
	      "acme_http_router_request_seconds_created{path=\"/api/v1\"} "
	      "1605281325.0\n"
	      "# TYPE foo histogram\n"
	      "foo_bucket{le=\"0.01\"} 0\n"
	      "foo_bucket{le=\"+Inf\"} 17 # {trace_id=\"KOO5S4vxi0o\"} "
	      "0.67\n"
	      "# TYPE build info\n"
	      "build_info{version=\"1.2\"} 1\n"
	      "# TYPE c counter\n"
	      "c_total 5\n"
	      "# EOF\n",
	    PROM_FMT_OPENMETRICS);
	s = next_sample();
	ck_assert_int_eq(s->type, PROM_SUMMARY);
	ck_assert_pstr(s->unit, "seconds");
	ck_assert_pstr(s->help, "Latency \"quoted\"");
	ck_assert(s->has_time && s->time_ms == 1520879607789LL);
	s = next_sample();
	ck_assert_pstr(s->name, "acme_http_router_request_seconds_created");
	ck_assert_int_eq(s->type, PROM_SUMMARY);
	s = next_sample();
	ck_assert_int_eq(s->type, PROM_HISTOGRAM);
	s = next_sample();
	ck_assert(s->value == 17);
	ck_assert(!s->has_time);
	s = next_sample();
	ck_assert_int_eq(s->type, PROM_INFO);
	ck_assert_pstr(s->family, "build");
	s = next_sample();
	ck_assert_int_eq(s->type, PROM_COUNTER);
	ck_assert_pstr(s->family, "c");
	ck_assert_int_eq(prom_parser_next(pp, &s, NULL, NULL), PROM_END);
	ck_assert(prom_parser_eof_seen(pp));

	begin("a 1\n# EOF\nb 2\n", PROM_FMT_OPENMETRICS);
	next_sample();
	next_error(3, "column 1: text after # EOF");
	ck_assert_int_eq(prom_parser_next(pp, &s, NULL, NULL), PROM_END);

	/* Without # EOF the caller can tell the body was truncated. */
	begin("a 1\n", PROM_FMT_OPENMETRICS);
	next_sample();
	ck_assert_int_eq(prom_parser_next(pp, &s, NULL, NULL), PROM_END);
	ck_assert(!prom_parser_eof_seen(pp));
}
END_TEST

START_TEST(test_errors)
{
	const struct prom_sample *s;

	begin("1abc 1\n"
	      "ok 1\n"
	      "m{a=\"b\" 1\n"
	      "m{a=b} 1\n"
	      "m{=\"b\"} 1\n"
	      "m{a\"b\"} 1\n"
	      "m{a=\"b} 1\n"
	      "m\n"
	      "m abc\n"
	      "m 1 12x\n"
	      "m 1 2 3\n"
	      "# TYPE m bogus\n"
	      "# TYPE\n"
	      "m-x 1\n"
	      "m 1 # not an exemplar in 0.0.4\n"
	      "last 2\n",
	    PROM_FMT_TEXT);
	next_error(1, "column 1: invalid metric name");
	s = next_sample();
	ck_assert_pstr(s->name, "ok");
	next_error(3, "column 9: expected ',' or '}' in labels");
	next_error(4, "column 5: label value must be quoted");
	next_error(5, "column 3: invalid label name");
	next_error(6, "column 4: missing '=' after label name");
	next_error(7, "column 10: unterminated label value");
	next_error(8, "column 2: missing value");
	next_error(9, "column 3: invalid value");
	next_error(10, "column 5: invalid timestamp");
	next_error(11, "column 7: unexpected text after value");
	next_error(12, "column 10: unknown metric type");
	next_error(13, "column 7: missing metric name");
	next_error(14, "column 2: invalid metric name");
	next_error(15, "column 5: unexpected text after value");
	s = next_sample();
	ck_assert_pstr(s->name, "last");
	ck_assert_int_eq(prom_parser_next(pp, &s, NULL, NULL), PROM_END);
}
END_TEST

START_TEST(test_reuse)
{
	const struct prom_sample *s;
	char big[4096];
	size_t i, n;

	/* A line longer than the scratch area; then metadata is reset by
	 * begin. */
	n = (size_t)snprintf(big, sizeof big, "# TYPE m gauge\nm{a=\"");
	for (i = 0; i < 3000; i++)
		big[n++] = i % 2 ? 'n' : '\\';
	n += (size_t)snprintf(big + n, sizeof big - n, "\"} 1\n");
	prom_parser_begin(pp, big, n, PROM_FMT_TEXT);
	s = next_sample();
	ck_assert_int_eq(s->type, PROM_GAUGE);
	ck_assert_uint_eq(s->labels[0].value.len, 1500);
	begin("m 2\n", PROM_FMT_TEXT);
	s = next_sample();
	ck_assert_int_eq(s->type, PROM_UNTYPED);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("promtext");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_text_004);
	tcase_add_test(tc, test_histogram_summary);
	tcase_add_test(tc, test_openmetrics);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_reuse);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
