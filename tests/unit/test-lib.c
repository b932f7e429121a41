/* Unit tests for lib/ core: buf, xmalloc, clock, hostport, conf, log. */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/hostport.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

START_TEST(test_buf_grows_and_formats)
{
	struct buf b = BUF_INIT;
	char *s;
	int i;

	ck_assert_str_eq(buf_str(&b), "");
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	ck_assert_uint_eq(b.len, strlen(b.data));
	ck_assert(strncmp(b.data, "0,1,2,", 6) == 0);
	ck_assert(strstr(b.data, "999,") != NULL);
	buf_reset(&b);
	ck_assert_str_eq(buf_str(&b), "");
	buf_puts(&b, "中文");
	buf_putc(&b, '!');
	buf_append(&b, "ab\0c", 4);
	ck_assert_uint_eq(b.len, strlen("中文!") + 4);
	s = buf_detach(&b);
	ck_assert_str_eq(s, "中文!ab");
	ck_assert_ptr_null(b.data);
	free(s);
	s = buf_detach(&b);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* buf_printf formats into the room there is and again only when the
 * result is longer: both paths, at every fill of the buffer. */
START_TEST(test_buf_printf_long)
{
	struct buf b = BUF_INIT, want = BUF_INIT;
	char big[300], n[24];
	size_t pre, w;

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (pre = 0; pre < 140; pre++) {
		for (w = 0; w < sizeof big; w += 37) {
			buf_reset(&b);
			buf_reset(&want);
			buf_append(&b, big, pre);
			buf_append(&want, big, pre);
			buf_printf(&b, "[%.*s|%zu]", (int)w, big, w);
			snprintf(n, sizeof n, "|%zu]", w);
			buf_putc(&want, '[');
			buf_append(&want, big, w);
			buf_puts(&want, n);
			ck_assert_uint_eq(b.len, want.len);
			ck_assert_str_eq(buf_str(&b), buf_str(&want));
			ck_assert_uint_eq(strlen(b.data), b.len);
		}
	}
	buf_free(&b);
	buf_free(&want);
}
END_TEST

START_TEST(test_xmalloc_strings)
{
	char *s;

	s = xstrndup("abcdef", 3);
	ck_assert_str_eq(s, "abc");
	free(s);
	s = xasprintf("%s-%d", "grid", 7);
	ck_assert_str_eq(s, "grid-7");
	free(s);
	s = xreallocarray(NULL, 10, 10);
	memset(s, 0, 100);
	free(s);
}
END_TEST

START_TEST(test_clock_durations)
{
	int64_t ms;
	char iso[32];

	ck_assert_int_eq(clock_parse_duration("5m", &ms), 0);
	ck_assert_int_eq(ms, 300000);
	ck_assert_int_eq(clock_parse_duration("90s", &ms), 0);
	ck_assert_int_eq(ms, 90000);
	ck_assert_int_eq(clock_parse_duration("250ms", &ms), 0);
	ck_assert_int_eq(ms, 250);
	ck_assert_int_eq(clock_parse_duration("72h", &ms), 0);
	ck_assert_int_eq(ms, 72 * 3600000LL);
	ck_assert_int_eq(clock_parse_duration("1.5", &ms), 0);
	ck_assert_int_eq(ms, 1500);
	ck_assert_int_eq(clock_parse_duration("", &ms), -1);
	ck_assert_int_eq(clock_parse_duration("5 m", &ms), -1);
	ck_assert_int_eq(clock_parse_duration("-5m", &ms), -1);
	ck_assert_int_eq(clock_parse_duration("5x", &ms), -1);
	ck_assert_int_eq(clock_parse_duration("nan", &ms), -1);
	clock_format_iso(0, iso, sizeof iso);
	ck_assert_str_eq(iso, "1970-01-01T00:00:00Z");
	clock_format_iso(1795784709123LL, iso, sizeof iso);
	ck_assert_str_eq(iso, "2026-11-27T13:05:09Z");
	ck_assert(clock_wall_ms() > 1700000000000LL);
	ck_assert(clock_mono_ns() > 0);
}
END_TEST

START_TEST(test_hostport)
{
	char *host;
	int port;

	ck_assert_int_eq(hostport_parse("127.0.0.1:8080", &host, &port), 0);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_int_eq(port, 8080);
	free(host);
	ck_assert_int_eq(hostport_parse("[::1]:0", &host, &port), 0);
	ck_assert_str_eq(host, "::1");
	ck_assert_int_eq(port, 0);
	free(host);
	ck_assert_int_eq(hostport_parse("localhost", &host, &port), -1);
	ck_assert_int_eq(hostport_parse(":80", &host, &port), -1);
	ck_assert_int_eq(hostport_parse("a:65536", &host, &port), -1);
	ck_assert_int_eq(hostport_parse("a:8x", &host, &port), -1);
	ck_assert_int_eq(hostport_parse("::1:80", &host, &port), -1);
	ck_assert_int_eq(hostport_parse("[::1]80", &host, &port), -1);
}
END_TEST

struct test_conf {
	char *listen;
	long long workers;
	int fsync;
	int64_t retention;
	double ratio;
	char **tags;
	json_t *limits;
	char *name;
};

static const struct conf_field test_fields[] = {
    {.key = "listen",
        .type = CONF_HOSTPORT,
        .required = 1,
        .offset = offsetof(struct test_conf, listen)},
    {.key = "workers",
        .type = CONF_INT,
        .min = 1,
        .max = 64,
        .offset = offsetof(struct test_conf, workers)},
    {.key = "fsync",
        .type = CONF_BOOL,
        .offset = offsetof(struct test_conf, fsync)},
    {.key = "retention",
        .type = CONF_DURATION,
        .offset = offsetof(struct test_conf, retention)},
    {.key = "ratio",
        .type = CONF_DOUBLE,
        .offset = offsetof(struct test_conf, ratio)},
    {.key = "tags",
        .type = CONF_STRARRAY,
        .offset = offsetof(struct test_conf, tags)},
    {.key = "limits",
        .type = CONF_OBJECT,
        .offset = offsetof(struct test_conf, limits)},
    {.key = "name",
        .type = CONF_STRING,
        .offset = offsetof(struct test_conf, name)},
    {.key = NULL},
};

static void
test_conf_clear(struct test_conf *tc)
{
	free(tc->listen);
	free(tc->name);
	conf_strarray_free(tc->tags);
	memset(tc, 0, sizeof *tc);
}

/* Parse text and read it with test_fields; return the error or NULL. */
static char *
test_conf_error(const char *text)
{
	struct test_conf tc = {0};
	struct conf_file *cf;
	char *cause = NULL;

	cf = conf_file_parse("conf/hub.json", text, strlen(text), &cause);
	if (cf != NULL) {
		if (conf_object_read(
		        cf, conf_file_root(cf), test_fields, &tc, &cause) == 0)
			cause = NULL;
		conf_file_free(cf);
	}
	test_conf_clear(&tc);
	return cause;
}

START_TEST(test_conf_reads_typed_fields)
{
	const char *text = "{\n"
	                   "  \"listen\": \"127.0.0.1:7070\",\n"
	                   "  \"workers\": 4, \"fsync\": true,\n"
	                   "  \"retention\": \"30d\", \"ratio\": 0.5,\n"
	                   "  \"tags\": [\"a\", \"福田\"],\n"
	                   "  \"limits\": {\"body\": 1},\n"
	                   "  \"name\": \"福田区\"\n"
	                   "}\n";
	struct test_conf tc = {0};
	struct conf_file *cf;
	char *cause = NULL;

	cf = conf_file_parse("t.json", text, strlen(text), &cause);
	ck_assert_ptr_nonnull(cf);
	ck_assert_int_eq(
	    conf_object_read(cf, conf_file_root(cf), test_fields, &tc, &cause),
	    0);
	ck_assert_str_eq(tc.listen, "127.0.0.1:7070");
	ck_assert_int_eq(tc.workers, 4);
	ck_assert_int_eq(tc.fsync, 1);
	ck_assert_int_eq(tc.retention, 30LL * 86400000);
	ck_assert(tc.ratio == 0.5);
	ck_assert_str_eq(tc.tags[1], "福田");
	ck_assert_ptr_null(tc.tags[2]);
	ck_assert_str_eq(tc.name, "福田区");
	ck_assert(json_is_object(tc.limits));
	test_conf_clear(&tc);
	conf_file_free(cf);
}
END_TEST

START_TEST(test_conf_error_positions)
{
	char *e;

	e = test_conf_error("{\n  \"workers\": 2,\n  \"listen\": 80\n}");
	ck_assert_str_eq(e, "conf/hub.json:3:13: \"listen\": expected "
	                    "\"host:port\"");
	free(e);
	e = test_conf_error("{\"listen\": \"a:1\",\n    \"lisen\": 1}");
	ck_assert_str_eq(e, "conf/hub.json:2:5: \"lisen\": unknown key");
	free(e);
	e = test_conf_error("{\"workers\": 3}");
	ck_assert_str_eq(e, "conf/hub.json:1:1: \"listen\": missing required "
	                    "key");
	free(e);
	e = test_conf_error("{\"listen\": \"a:1\", \"workers\": 99}");
	ck_assert_str_eq(e, "conf/hub.json:1:30: \"workers\": 99 is out of "
	                    "range 1..64");
	free(e);
	/* Columns count characters, not bytes. */
	e = test_conf_error(
	    "{\"name\": \"福田\", \"fsync\": \"yes\", \"listen\": \"a:1\"}");
	ck_assert_str_eq(e, "conf/hub.json:1:25: \"fsync\": expected true or "
	                    "false");
	free(e);
	e = test_conf_error("{\"listen\": \"a:1\", \"tags\": [\"x\", 2]}");
	ck_assert_str_eq(e, "conf/hub.json:1:33: \"tags[1]\": expected a "
	                    "string");
	free(e);
	e = test_conf_error("{\"listen\": \"a:1\", \"retention\": \"soon\"}");
	ck_assert(strstr(e, "conf/hub.json:1:32: \"retention\": expected a "
	                    "duration") == e);
	free(e);
	/* Syntax errors come from jansson with its position. */
	e = test_conf_error("{\n  \"listen\": \"a:1\",\n}");
	ck_assert(strncmp(e, "conf/hub.json:3:", 16) == 0);
	free(e);
	e = test_conf_error("{\"listen\": \"a:1\", \"listen\": \"b:2\"}");
	ck_assert(strstr(e, "duplicate") != NULL);
	free(e);
	e = test_conf_error("[1, 2]");
	ck_assert(strstr(e, "expected an object") != NULL);
	free(e);
}
END_TEST

START_TEST(test_conf_nested_paths)
{
	const char *text = "{\"subdistricts\": [\n"
	                   "  {\"code\": \"1\"},\n"
	                   "  {\"code\": 2}\n"
	                   "]}";
	struct conf_file *cf;
	json_t *arr, *el;
	char *cause = NULL, *e;
	int line, col;

	cf = conf_file_parse("t.json", text, strlen(text), &cause);
	ck_assert_ptr_nonnull(cf);
	arr = json_object_get(conf_file_root(cf), "subdistricts");
	el = json_array_get(arr, 1);
	e = conf_error(cf, el, "code", 0, "expected a code");
	ck_assert_str_eq(e, "t.json:3:12: \"subdistricts[1].code\": expected "
	                    "a code");
	free(e);
	e = conf_error(cf, arr, NULL, 1, "duplicate");
	ck_assert_str_eq(e, "t.json:3:3: \"subdistricts[1]\": duplicate");
	free(e);
	e = conf_error(cf, el, "name", 0, "missing required key");
	ck_assert_str_eq(e, "t.json:3:3: \"subdistricts[1].name\": missing "
	                    "required key");
	free(e);
	ck_assert_int_eq(conf_pos(cf, el, "code", 0, &line, &col), 0);
	ck_assert_int_eq(line, 3);
	ck_assert_int_eq(col, 12);
	ck_assert_int_eq(conf_pos(cf, el, "nope", 0, &line, &col), -1);
	conf_file_free(cf);
}
END_TEST

START_TEST(test_conf_load_missing_file)
{
	char *cause = NULL;

	ck_assert_ptr_null(conf_file_load("/nonexistent/x.json", &cause));
	ck_assert_str_eq(cause, "/nonexistent/x.json: No such file or "
	                        "directory");
	free(cause);
}
END_TEST

START_TEST(test_log_levels)
{
	log_init("test-lib");
	log_set_level(LOG_LVL_INFO);
	log_quieter();
	ck_assert_int_eq(log_get_level(), LOG_LVL_WARN);
	log_quieter();
	log_quieter();
	ck_assert_int_eq(log_get_level(), LOG_LVL_ERROR);
	log_louder();
	log_louder();
	log_louder();
	log_louder();
	ck_assert_int_eq(log_get_level(), LOG_LVL_DEBUG);
	log_debug("test", "a %s message", "debug");
}
END_TEST

static Suite *
lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buf_grows_and_formats);
	tcase_add_test(tc, test_buf_printf_long);
	tcase_add_test(tc, test_xmalloc_strings);
	tcase_add_test(tc, test_clock_durations);
	tcase_add_test(tc, test_hostport);
	tcase_add_test(tc, test_conf_reads_typed_fields);
	tcase_add_test(tc, test_conf_error_positions);
	tcase_add_test(tc, test_conf_nested_paths);
	tcase_add_test(tc, test_conf_load_missing_file);
	tcase_add_test(tc, test_log_levels);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(lib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
