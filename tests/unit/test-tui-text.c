/* Unit tests for the console's text widths, fitting and sparklines. */
#include "config.h"

#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "tui/spark.h"
#include "tui/text.h"
#include "tui/widget-table.h"

static void
setup(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	text_set_utf8(1);
}

static char *
fit(const char *s, int w, enum text_align a)
{
	struct buf b = BUF_INIT;

	text_fit(&b, s, w, a);
	return buf_detach(&b);
}

START_TEST(test_width_cjk)
{
	ck_assert_int_eq(text_width("abc"), 3);
	ck_assert_int_eq(text_width("南园街道"), 8);
	ck_assert_int_eq(text_width("滨江07"), 6);
	ck_assert_int_eq(text_width(""), 0);
	/* A lone continuation byte counts one column, drawn as '?'. */
	ck_assert_int_eq(text_width("a\x80"
	                            "b"),
	    3);
}
END_TEST

START_TEST(test_fit_pad_align)
{
	char *s;

	s = fit("南园", 8, TEXT_LEFT);
	ck_assert_str_eq(s, "南园    ");
	ck_assert_int_eq(text_width(s), 8);
	free(s);
	s = fit("42", 5, TEXT_RIGHT);
	ck_assert_str_eq(s, "   42");
	free(s);
	/* Columns line up whatever mix of widths the names have. */
	s = fit("香蜜湖街道", 12, TEXT_LEFT);
	ck_assert_int_eq(text_width(s), 12);
	free(s);
	s = fit("Xiangmihu", 12, TEXT_LEFT);
	ck_assert_int_eq(text_width(s), 12);
	free(s);
}
END_TEST

START_TEST(test_fit_truncate_chinese)
{
	char *s;

	/* 10 columns of text into 7: three full characters and "…". */
	s = fit("香蜜湖街道", 7, TEXT_LEFT);
	ck_assert_str_eq(s, "香蜜湖…");
	ck_assert_int_eq(text_width(s), 7);
	free(s);
	/* Into 6: a wide character never straddles, a space fills. */
	s = fit("香蜜湖街道", 6, TEXT_LEFT);
	ck_assert_str_eq(s, "香蜜 …");
	ck_assert_int_eq(text_width(s), 6);
	free(s);
	s = fit("abcdef", 4, TEXT_LEFT);
	ck_assert_str_eq(s, "abc…");
	free(s);
	s = fit("abc", 0, TEXT_LEFT);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_ascii_mode)
{
	char *s;

	text_set_utf8(0);
	ck_assert_int_eq(text_width("南园"), 2);
	s = fit("南园x", 5, TEXT_LEFT);
	ck_assert_str_eq(s, "??x  ");
	free(s);
	s = fit("abcdef", 4, TEXT_LEFT);
	ck_assert_str_eq(s, "abc~");
	free(s);
	/* Common symbols have an ASCII look-alike of the same width. */
	s = fit("3/m\xc2\xb2\xef\xbc\x9a\xe2\x80\x94", 8, TEXT_LEFT);
	ck_assert_str_eq(s, "3/m2:-  ");
	free(s);
	text_set_utf8(1);
}
END_TEST

START_TEST(test_control_chars)
{
	char *s = fit("a\tb\x1b[31m", 8, TEXT_LEFT);

	ck_assert_ptr_null(strchr(s, '\x1b'));
	ck_assert_ptr_null(strchr(s, '\t'));
	free(s);
}
END_TEST

START_TEST(test_spark_levels)
{
	ck_assert_int_eq(spark_level(0, 0, 10, 8), 0);
	ck_assert_int_eq(spark_level(10, 0, 10, 8), 7);
	ck_assert_int_eq(spark_level(5, 5, 5, 8), 3); /* flat: middle */
	ck_assert_int_eq(spark_level(NAN, 0, 1, 8), -1);
	ck_assert_int_eq(spark_level(-3, 0, 10, 8), 0);
}
END_TEST

START_TEST(test_spark_block)
{
	double v[] = {0, 1, 2, 3, 4, 5, 6, 7};
	struct buf b = BUF_INIT;

	spark_render(&b, v, 8, 8, SPARK_BLOCK);
	ck_assert_str_eq(buf_str(&b), "▁▂▃▄▅▆▇█");
	ck_assert_int_eq(text_width(buf_str(&b)), 8);
	buf_free(&b);
}
END_TEST

START_TEST(test_spark_scaling_and_gaps)
{
	double v[] = {100, NAN, 200};
	struct buf b = BUF_INIT;

	/* Fewer points than cells: right-aligned, blanks on the left. */
	spark_render(&b, v, 3, 5, SPARK_ASCII);
	ck_assert_str_eq(buf_str(&b), "  _ ^");
	buf_reset(&b);
	/* Many points averaged into few cells. */
	{
		double w[100];
		int i;

		for (i = 0; i < 100; i++)
			w[i] = i < 50 ? 0 : 10;
		spark_render(&b, w, 100, 2, SPARK_ASCII);
		ck_assert_str_eq(buf_str(&b), "_^");
	}
	buf_reset(&b);
	spark_render(&b, v, 3, 4, SPARK_BRAILLE);
	ck_assert_int_eq(text_width(buf_str(&b)), 4);
	buf_free(&b);
}
END_TEST

START_TEST(test_spark_resample)
{
	double v[] = {1, 2, 3, 4}, out[2];

	spark_resample(v, 4, out, 2);
	ck_assert(fabs(out[0] - 1.5) < 1e-9);
	ck_assert(fabs(out[1] - 3.5) < 1e-9);
}
END_TEST

START_TEST(test_spark_resample_time)
{
	/* Points every 10 minutes over an hour, 12 buckets of 5 minutes:
	 * each point lands in its bucket by time and the holes between
	 * points are bridged; a long silence stays blank. */
	long long t[] = {0, 600, 1200, 1800, 3000};
	double v[] = {1, 2, 3, 4, 6}, out[12];

	spark_resample_time(t, v, 5, 0, 3600, out, 12);
	ck_assert(fabs(out[0] - 1) < 1e-9);
	ck_assert(fabs(out[1] - 1) < 1e-9); /* bridged */
	ck_assert(fabs(out[2] - 2) < 1e-9);
	ck_assert(fabs(out[6] - 4) < 1e-9);
	ck_assert(isnan(out[8])); /* 20 minutes without data */
	ck_assert(fabs(out[10] - 6) < 1e-9);
	ck_assert(isnan(out[11])); /* after the last point */
}
END_TEST

START_TEST(test_chart_rows)
{
	double v[] = {0, 10};
	struct buf b = BUF_INIT;

	spark_chart_row(&b, v, 2, 2, 2, 0, 0, 10, SPARK_ASCII);
	ck_assert_str_eq(buf_str(&b), " #");
	buf_reset(&b);
	spark_chart_row(&b, v, 2, 2, 2, 1, 0, 10, SPARK_ASCII);
	ck_assert_str_eq(buf_str(&b), "##");
	buf_free(&b);
}
END_TEST

START_TEST(test_number_age)
{
	char t[32];

	text_number(41230.5, t, sizeof t);
	ck_assert_str_eq(t, "41.2k");
	text_number(4.62, t, sizeof t);
	ck_assert_str_eq(t, "4.62");
	text_number(12, t, sizeof t);
	ck_assert_str_eq(t, "12");
	text_number(NAN, t, sizeof t);
	ck_assert_str_eq(t, "-");
	text_age(12, t, sizeof t);
	ck_assert_str_eq(t, "12s");
	text_age(3 * 3600, t, sizeof t);
	ck_assert_str_eq(t, "3h");
	text_age(-1, t, sizeof t);
	ck_assert_str_eq(t, "-");
}
END_TEST

START_TEST(test_table_widths)
{
	static const struct table_col cols[] = {
	    {.title = "Name", .width = 10, .flex = 1},
	    {.title = "Sev", .width = 4},
	    {.title = "Wide", .width = 8, .min_cols = 100},
	    {.title = "Trend", .width = 6, .flex = 1},
	};
	struct table t;
	int w[4];

	table_init(&t, cols, 4, NULL, NULL);
	ck_assert_int_eq(table_widths(&t, 79, w), 3);
	ck_assert_int_eq(w[2], 0);
	ck_assert_int_eq(w[0] + w[1] + w[3] + 2, 79);
	ck_assert_int_eq(table_widths(&t, 150, w), 4);
	ck_assert_int_eq(w[0] + w[1] + w[2] + w[3] + 3, 150);
	/* Too narrow: trailing columns drop out. */
	ck_assert_int_eq(table_widths(&t, 16, w), 2);
	ck_assert_int_eq(w[3], 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("tui-text");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_width_cjk);
	tcase_add_test(tc, test_fit_pad_align);
	tcase_add_test(tc, test_fit_truncate_chinese);
	tcase_add_test(tc, test_ascii_mode);
	tcase_add_test(tc, test_control_chars);
	tcase_add_test(tc, test_spark_levels);
	tcase_add_test(tc, test_spark_block);
	tcase_add_test(tc, test_spark_scaling_and_gaps);
	tcase_add_test(tc, test_spark_resample);
	tcase_add_test(tc, test_spark_resample_time);
	tcase_add_test(tc, test_chart_rows);
	tcase_add_test(tc, test_number_age);
	tcase_add_test(tc, test_table_widths);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
