/* Unit tests: Influx line protocol parser and writer (lib/lineproto.c). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/lineproto.h"

static struct lp_parser *lp;

static void
setup(void)
{
	lp = lp_parser_create();
}

static void
teardown(void)
{
	lp_parser_free(lp);
}

/* Parse s as one line; returns the result code. */
static int
parse(const char *s, const struct lp_point **pt, const char **cause)
{
	*cause = NULL;
	return lp_parse_line(lp, s, s + strlen(s), NULL, pt, cause);
}

static int
str_eq(struct lp_str a, const char *b)
{
	return a.len == strlen(b) && memcmp(a.p, b, a.len) == 0;
}

#define ck_assert_lpstr(a, b)                                            \
	ck_assert_msg(str_eq((a), (b)), "got \"%.*s\", expected \"%s\"", \
	    (int)(a).len, (a).p, (b))

/* Expect an error whose reason is exactly want. */
static void
expect_error(const char *line, const char *want)
{
	const struct lp_point *pt;
	const char *cause;
	int r = parse(line, &pt, &cause);

	ck_assert_msg(r == LP_ERROR, "\"%s\" parsed (r=%d), wanted \"%s\"",
	    line, r, want);
	ck_assert_msg(strcmp(cause, want) == 0,
	    "\"%s\": got \"%s\", want \"%s\"", line, cause, want);
}

static const struct lp_point *
expect_point(const char *line)
{
	const struct lp_point *pt = NULL;
	const char *cause;
	int r = parse(line, &pt, &cause);

	ck_assert_msg(r == LP_POINT, "\"%s\": %s", line,
	    cause != NULL ? cause : "not a point");
	return pt;
}

START_TEST(test_basic)
{
	const struct lp_point *pt;

	pt = expect_point("cpu,host=server01,region=uswest value=0.64 "
	                  "1434055562000000000");
	ck_assert_lpstr(pt->measurement, "cpu");
	ck_assert_uint_eq(pt->ntags, 2);
	ck_assert_lpstr(pt->tags[0].key, "host");
	ck_assert_lpstr(pt->tags[0].value, "server01");
	ck_assert_lpstr(pt->tags[1].key, "region");
	ck_assert_lpstr(pt->tags[1].value, "uswest");
	ck_assert_uint_eq(pt->nfields, 1);
	ck_assert_lpstr(pt->fields[0].key, "value");
	ck_assert_int_eq(pt->fields[0].type, LP_FLOAT);
	ck_assert(pt->fields[0].v.f == 0.64);
	ck_assert(pt->has_time);
	ck_assert(pt->time == 1434055562000000000LL);

	pt = expect_point("m f=1");
	ck_assert_uint_eq(pt->ntags, 0);
	ck_assert(!pt->has_time);
	ck_assert(pt->fields[0].v.f == 1.0);
}
END_TEST

START_TEST(test_field_types)
{
	const struct lp_point *pt;

	pt = expect_point(
	    "m a=1i,b=-9223372036854775808i,c=18446744073709551615u,"
	    "d=t,e=FALSE,f=\"hi\",g=1.5e3,h=-.5,i=1.,j=True,"
	    "k=0u,l=9223372036854775807i");
	ck_assert_uint_eq(pt->nfields, 12);
	ck_assert_int_eq(pt->fields[0].type, LP_INT);
	ck_assert(pt->fields[0].v.i == 1);
	ck_assert_int_eq(pt->fields[1].type, LP_INT);
	ck_assert(pt->fields[1].v.i == INT64_MIN);
	ck_assert_int_eq(pt->fields[2].type, LP_UINT);
	ck_assert(pt->fields[2].v.u == UINT64_MAX);
	ck_assert_int_eq(pt->fields[3].type, LP_BOOL);
	ck_assert_int_eq(pt->fields[3].v.b, 1);
	ck_assert_int_eq(pt->fields[4].type, LP_BOOL);
	ck_assert_int_eq(pt->fields[4].v.b, 0);
	ck_assert_int_eq(pt->fields[5].type, LP_STRING);
	ck_assert_lpstr(pt->fields[5].v.s, "hi");
	ck_assert(pt->fields[6].v.f == 1500.0);
	ck_assert(pt->fields[7].v.f == -0.5);
	ck_assert(pt->fields[8].v.f == 1.0);
	ck_assert_int_eq(pt->fields[9].v.b, 1);
	ck_assert(pt->fields[10].v.u == 0);
	ck_assert(pt->fields[11].v.i == INT64_MAX);
}
END_TEST

START_TEST(test_booleans)
{
	static const char *t[] = {"t", "T", "true", "True", "TRUE"};
	static const char *f[] = {"f", "F", "false", "False", "FALSE"};
	const struct lp_point *pt;
	char line[64];
	size_t i;

	for (i = 0; i < 5; i++) {
		snprintf(line, sizeof line, "m v=%s", t[i]);
		pt = expect_point(line);
		ck_assert_int_eq(pt->fields[0].type, LP_BOOL);
		ck_assert_int_eq(pt->fields[0].v.b, 1);
		snprintf(line, sizeof line, "m v=%s", f[i]);
		pt = expect_point(line);
		ck_assert_int_eq(pt->fields[0].type, LP_BOOL);
		ck_assert_int_eq(pt->fields[0].v.b, 0);
	}
	expect_error("m v=tRUE", "column 5: invalid field value");
	expect_error("m v=yes", "column 5: invalid field value");
}
END_TEST

START_TEST(test_floats)
{
	static const struct {
		const char *s;
		double v;
	} cases[] = {
	    {"0", 0.0},
	    {"-0", -0.0},
	    {"1e0", 1.0},
	    {"1E+2", 100.0},
	    {"2.5e-3", 0.0025},
	    {".5", 0.5},
	    {"123456789012345678901234", 1.2345678901234568e+23},
	    {"0.1", 0.1},
	    {"1.7976931348623157e308", 1.7976931348623157e308},
	    {"4.9e-324", 4.9e-324},
	    {"0.000000000000000000000000001", 1e-27},
	    {"3.141592653589793238462643383279", 3.141592653589793},
	    {"00012.50", 12.5},
	};
	const struct lp_point *pt;
	char line[128];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(line, sizeof line, "m v=%s", cases[i].s);
		pt = expect_point(line);
		ck_assert_int_eq(pt->fields[0].type, LP_FLOAT);
		ck_assert_msg(
		    pt->fields[0].v.f == cases[i].v &&
		        signbit(pt->fields[0].v.f) == signbit(cases[i].v),
		    "%s: got %.17g", cases[i].s, pt->fields[0].v.f);
	}
	/* Every short decimal must round exactly as strtod does. */
	for (i = 0; i < 20000; i++) {
		snprintf(line, sizeof line, "m v=%zu.%03zue%d",
		    i * 7919 % 100000, i % 1000, (int)(i % 50) - 25);
		pt = expect_point(line);
		ck_assert(pt->fields[0].v.f == strtod(line + 4, NULL));
	}
	expect_error("m v=1e999", "column 5: float out of range");
	expect_error("m v=NaN", "column 5: invalid field value");
	expect_error("m v=Inf", "column 5: invalid field value");
	expect_error("m v=+1", "column 5: invalid field value");
	expect_error("m v=1e", "column 5: invalid field value");
	expect_error("m v=.", "column 5: invalid field value");
	expect_error("m v=-", "column 5: invalid field value");
	expect_error("m v=0x10", "column 5: invalid field value");
	expect_error("m v=1.2.3", "column 5: invalid field value");
}
END_TEST

START_TEST(test_integers)
{
	expect_error(
	    "m v=9223372036854775808i", "column 5: integer out of range");
	expect_error(
	    "m v=-9223372036854775809i", "column 5: integer out of range");
	expect_error("m v=18446744073709551616u",
	    "column 5: unsigned integer out of range");
	expect_error("m v=-1u", "column 5: invalid field value");
	expect_error("m v=i", "column 5: invalid field value");
	expect_error("m v=1.5i", "column 5: invalid field value");
	expect_error("m v=1ii", "column 5: invalid field value");
	expect_error("m v=u", "column 5: invalid field value");
}
END_TEST

START_TEST(test_escapes)
{
	const struct lp_point *pt;

	/* Measurement: comma and space escaped; '=' plain. */
	pt = expect_point("my\\ meas\\,ure=x,t\\ a\\,g\\=k=v\\ a\\,l\\=ue "
	                  "f\\ i\\,e\\=ld=1");
	ck_assert_lpstr(pt->measurement, "my meas,ure=x");
	ck_assert_lpstr(pt->tags[0].key, "t a,g=k");
	ck_assert_lpstr(pt->tags[0].value, "v a,l=ue");
	ck_assert_lpstr(pt->fields[0].key, "f i,e=ld");

	/* A backslash before anything else is literal; "\\" is one. */
	pt = expect_point("C:\\temp,path=C:\\dir\\\\ v=1");
	ck_assert_lpstr(pt->measurement, "C:\\temp");
	ck_assert_lpstr(pt->tags[0].value, "C:\\dir\\");

	/* An escaped space does not separate. */
	expect_error("m\\ v=1", "column 7: missing fields");

	/* '=' in a measurement needs no escape; in a tag value it may be
	 * escaped or not. */
	pt = expect_point("a=b,k=x=y f=1");
	ck_assert_lpstr(pt->measurement, "a=b");
	ck_assert_lpstr(pt->tags[0].value, "x=y");

	/* Strings: \" and \\ unescaped, other backslashes literal, commas,
	 * spaces, '=' and newlines kept. */
	pt = expect_point("m s=\"a \\\"q\\\" \\\\ \\n, b=c\nd\",x=2i 5");
	ck_assert_lpstr(pt->fields[0].v.s, "a \"q\" \\ \\n, b=c\nd");
	ck_assert(pt->fields[1].v.i == 2);
	ck_assert(pt->time == 5);
	pt = expect_point("m s=\"\"");
	ck_assert_uint_eq(pt->fields[0].v.s.len, 0);
	pt = expect_point("m s=\"ends with backslash\\\\\"");
	ck_assert_lpstr(pt->fields[0].v.s, "ends with backslash\\");

	/* UTF-8 names and values (Chinese). */
	pt = expect_point("水位,社区=福田\\ 街道 值=1.5");
	ck_assert_lpstr(pt->measurement, "水位");
	ck_assert_lpstr(pt->tags[0].key, "社区");
	ck_assert_lpstr(pt->tags[0].value, "福田 街道");
}
END_TEST

START_TEST(test_scratch_growth)
{
	/* Many escaped tags force the scratch area to grow mid-line; every
	 * earlier string must survive the move. */
	struct buf b = BUF_INIT;
	const struct lp_point *pt;
	const char *cause;
	char want[64];
	int i;

	buf_puts(&b, "m\\ x");
	for (i = 0; i < 300; i++)
		buf_printf(&b, ",k\\ %d=v\\,%d%0100d", i, i, 0);
	buf_puts(&b, " f\\=1=\"a\\\"b\" 1");
	ck_assert_int_eq(
	    lp_parse_line(lp, b.data, b.data + b.len, NULL, &pt, &cause),
	    LP_POINT);
	ck_assert_lpstr(pt->measurement, "m x");
	ck_assert_uint_eq(pt->ntags, 300);
	for (i = 0; i < 300; i++) {
		snprintf(want, sizeof want, "k %d", i);
		ck_assert_lpstr(pt->tags[i].key, want);
		ck_assert_uint_eq(pt->tags[i].value.len,
		    strlen("v,") + (size_t)snprintf(NULL, 0, "%d", i) + 100);
	}
	ck_assert_lpstr(pt->fields[0].key, "f=1");
	ck_assert_lpstr(pt->fields[0].v.s, "a\"b");
	buf_free(&b);
}
END_TEST

START_TEST(test_whitespace_comments)
{
	const struct lp_point *pt;
	const char *cause;

	ck_assert_int_eq(parse("", &pt, &cause), LP_SKIP);
	ck_assert_int_eq(parse("   \t ", &pt, &cause), LP_SKIP);
	ck_assert_int_eq(
	    parse("# comment, with=stuff 1", &pt, &cause), LP_SKIP);
	ck_assert_int_eq(parse("  # indented comment", &pt, &cause), LP_SKIP);
	ck_assert_int_eq(parse("\r", &pt, &cause), LP_SKIP);

	pt = expect_point("  m f=1 12  \t");
	ck_assert(pt->time == 12);
	pt = expect_point("m f=1   ");
	ck_assert(!pt->has_time);
	pt = expect_point("m  f=1\t-5");
	ck_assert(pt->time == -5);
	pt = expect_point("m f=1 7\r");
	ck_assert(pt->time == 7);
	pt = expect_point("m,t=v f=\"x\"\r");
	ck_assert_lpstr(pt->fields[0].v.s, "x");
	/* A tab is an ordinary character in names. */
	pt = expect_point("a\tb f=1");
	ck_assert_lpstr(pt->measurement, "a\tb");
}
END_TEST

START_TEST(test_errors)
{
	expect_error(",t=v f=1", "column 1: missing measurement");
	expect_error(" f=1", "column 5: missing fields");
	expect_error("cpu", "column 4: missing fields");
	expect_error("cpu ", "column 5: missing fields");
	expect_error("cpu,t=v", "column 8: missing fields");
	expect_error("cpu,host=a  ", "column 13: missing fields");
	expect_error("cpu,=v f=1", "column 5: empty tag key");
	expect_error("cpu,t= f=1", "column 7: empty tag value");
	expect_error("cpu,t f=1", "column 6: missing '=' after tag key");
	expect_error("cpu,t=v,", "column 9: empty tag key");
	expect_error("cpu =1", "column 5: empty field key");
	expect_error("cpu f", "column 6: missing '=' after field key");
	expect_error("cpu f=", "column 7: missing field value");
	expect_error("cpu f=,g=1", "column 7: missing field value");
	expect_error("cpu f=1,", "column 9: empty field key");
	expect_error(
	    "cpu,host=server01 value=x0.64", "column 25: invalid field value");
	expect_error("cpu f=\"abc", "column 7: unterminated string");
	expect_error("cpu f=\"abc\\\"", "column 7: unterminated string");
	expect_error("cpu f=\"abc\"x", "column 12: invalid character after "
	                               "string value");
	expect_error("cpu f=1 12a", "column 9: invalid timestamp");
	expect_error("cpu f=1 1.5", "column 9: invalid timestamp");
	expect_error(
	    "cpu f=1 99999999999999999999", "column 9: timestamp out of range");
	expect_error("cpu f=1 12 13", "column 12: unexpected text after "
	                              "timestamp");
	expect_error("cpu f=1\rx", "column 8: unexpected carriage return");
	expect_error("cp\ru f=1", "column 3: unexpected carriage return");
	/* Columns count characters, not bytes. */
	expect_error("水位 f=x", "column 6: invalid field value");
	expect_error("m,k=\xff f=1", "column 5: invalid UTF-8");
	expect_error("m,k=\xe4\xb8 f=1", "column 5: invalid UTF-8");
	expect_error("m f=\"\xc0\x80\"", "column 6: invalid UTF-8");
	expect_error("m\xed\xa0\x80 f=1", "column 2: invalid UTF-8");
}
END_TEST

START_TEST(test_nul)
{
	static const char line[] = "m\0x f=1";
	static const char str[] = "m f=\"a\0b\"";
	const char *cause;

	ck_assert_int_eq(
	    lp_parse_line(lp, line, line + sizeof line - 1, NULL, NULL, &cause),
	    LP_ERROR);
	ck_assert_str_eq(cause, "column 2: NUL byte");
	ck_assert_int_eq(
	    lp_parse_line(lp, str, str + sizeof str - 1, NULL, NULL, &cause),
	    LP_ERROR);
	ck_assert_str_eq(cause, "column 7: NUL byte");
}
END_TEST

START_TEST(test_body)
{
	static const char body[] = "# header comment\r\n"
	                           "cpu,host=a usage=1 1\r\n"
	                           "\r\n"
	                           "bad line\n"
	                           "txt s=\"two\nlines\" 2\n"
	                           "mem free=3i 3\n"
	                           "   \n"
	                           "cpu usage=x\n"
	                           "last v=4 4";
	const struct lp_point *pt;
	const char *cause;
	struct lp_body b;
	size_t lineno;

	lp_body_init(&b, body, sizeof body - 1);
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_POINT);
	ck_assert_uint_eq(lineno, 2);
	ck_assert(pt->time == 1);
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_ERROR);
	ck_assert_uint_eq(lineno, 4);
	ck_assert_str_eq(cause, "column 9: missing '=' after field key");
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_POINT);
	ck_assert_uint_eq(lineno, 5);
	ck_assert_lpstr(pt->fields[0].v.s, "two\nlines");
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_POINT);
	ck_assert_uint_eq(lineno, 7);
	ck_assert_lpstr(pt->measurement, "mem");
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_ERROR);
	ck_assert_uint_eq(lineno, 9);
	ck_assert_str_eq(cause, "column 11: invalid field value");
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_POINT);
	ck_assert_uint_eq(lineno, 10);
	ck_assert(pt->time == 4);
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_END);
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_END);

	/* Empty body; body of only comments. */
	lp_body_init(&b, "", 0);
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_END);
	lp_body_init(&b, "#a\n#b\n\n", 7);
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_END);

	/* An unterminated string costs only its own line. */
	lp_body_init(&b, "m s=\"open\nm v=1\n", 16);
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_ERROR);
	ck_assert_int_eq(lp_body_next(lp, &b, &pt, &lineno, &cause), LP_POINT);
	ck_assert_uint_eq(lineno, 2);
}
END_TEST

START_TEST(test_writer)
{
	struct buf b = BUF_INIT;
	struct lp_writer w;

	lp_writer_begin(&w, &b, "my meas,x=y");
	lp_writer_tag(&w, "t k=", "v, =\\");
	lp_writer_tag(&w, "empty", "");
	lp_writer_tag(&w, "新", "行\n");
	lp_writer_float(&w, "f", 0.1);
	lp_writer_int(&w, "i", -3);
	lp_writer_uint(&w, "u", 7);
	lp_writer_bool(&w, "b", 1);
	lp_writer_string(&w, "s", "say \"hi\" \\ o/\n");
	ck_assert_int_eq(lp_writer_float(&w, "nan", NAN), -1);
	ck_assert_int_eq(lp_writer_float(&w, "inf", -INFINITY), -1);
	ck_assert_int_eq(lp_writer_end(&w, 1700000000000, 1), 0);
	ck_assert_str_eq(buf_str(&b),
	    "my\\ meas\\,x=y,t\\ k\\==v\\,\\ \\=\\\\,新=行\\  "
	    "f=0.1,i=-3i,u=7u,b=true,s=\"say \\\"hi\\\" \\\\ o/\n\" "
	    "1700000000000\n");

	/* And it parses back. */
	{
		const struct lp_point *pt;
		const char *cause;

		ck_assert_int_eq(lp_parse_line(lp, b.data, b.data + b.len, NULL,
		                     &pt, &cause),
		    LP_POINT);
		ck_assert_lpstr(pt->measurement, "my meas,x=y");
		ck_assert_lpstr(pt->tags[0].key, "t k=");
		ck_assert_lpstr(pt->tags[0].value, "v, =\\");
		ck_assert_lpstr(pt->tags[1].value, "行 ");
		ck_assert_lpstr(pt->fields[4].v.s, "say \"hi\" \\ o/\n");
	}

	/* A line without a field is withdrawn. */
	buf_reset(&b);
	buf_puts(&b, "keep\n");
	lp_writer_begin(&w, &b, "m");
	lp_writer_tag(&w, "a", "b");
	ck_assert_int_eq(lp_writer_float(&w, "x", NAN), -1);
	ck_assert_int_eq(lp_writer_end(&w, 0, 0), -1);
	ck_assert_str_eq(buf_str(&b), "keep\n");
	lp_writer_begin(&w, &b, "");
	lp_writer_float(&w, "x", 1);
	ck_assert_int_eq(lp_writer_end(&w, 0, 0), -1);
	ck_assert_str_eq(buf_str(&b), "keep\n");
	buf_free(&b);
}
END_TEST

START_TEST(test_format_double)
{
	static const double v[] = {0.1, 1.0 / 3, 1e300, -2.5, 123456789.0,
	    5e-324, 1.7976931348623157e308, 0.30000000000000004};
	char out[32];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		lp_format_double(v[i], out);
		ck_assert_msg(strtod(out, NULL) == v[i], "%s", out);
	}
	lp_format_double(0.1, out);
	ck_assert_str_eq(out, "0.1");
	lp_format_double(3, out);
	ck_assert_str_eq(out, "3");
}
END_TEST

START_TEST(test_roundtrip)
{
	static const char *lines[] = {
	    ("a\\ b\\,c,k\\=1=v\\ 2,x=y\\\\ f\\,1=1.5,s=\"q\\\"\\\\\",i=-1i,"
	     "u=2u,b=false 99"),
	    "水位,网格=FT-01 值=0.25",
	    "m\\\\ f=1e-300",
	};
	const struct lp_point *pt;
	const char *cause;
	struct buf b = BUF_INIT, b2 = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		buf_reset(&b);
		buf_reset(&b2);
		ck_assert_int_eq(parse(lines[i], &pt, &cause), LP_POINT);
		ck_assert_int_eq(lp_point_write(&b, pt), 0);
		ck_assert_int_eq(lp_parse_line(lp, b.data, b.data + b.len, NULL,
		                     &pt, &cause),
		    LP_POINT);
		ck_assert_int_eq(lp_point_write(&b2, pt), 0);
		ck_assert_str_eq(buf_str(&b), buf_str(&b2));
	}
	buf_free(&b);
	buf_free(&b2);
}
END_TEST

static Suite *
lineproto_suite(void)
{
	Suite *s = suite_create("lineproto");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_field_types);
	tcase_add_test(tc, test_booleans);
	tcase_add_test(tc, test_floats);
	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_scratch_growth);
	tcase_add_test(tc, test_whitespace_comments);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_body);
	tcase_add_test(tc, test_writer);
	tcase_add_test(tc, test_format_double);
	tcase_add_test(tc, test_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(lineproto_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
