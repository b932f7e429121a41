/* Unit tests: Nagios plugin output parser (lib/nagios.c). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nagios.h"

static void
parse(const char *s, struct nagios_output *no)
{
	nagios_output_parse(s, strlen(s), no);
}

START_TEST(test_simple)
{
	struct nagios_output no;

	parse("PING OK - Packet loss = 0%, RTA = 0.80 ms\n", &no);
	ck_assert_str_eq(no.text, "PING OK - Packet loss = 0%, RTA = 0.80 ms");
	ck_assert_str_eq(no.long_text, "");
	ck_assert_uint_eq(no.nperf, 0);
	nagios_output_free(&no);

	parse("", &no);
	ck_assert_str_eq(no.text, "");
	nagios_output_free(&no);

	parse(
	    "LOAD OK - load average: 0.05, 0.10, 0.09|load1=0.050;5.000;"
	    "10.000;0; load5=0.100;4.000;6.000;0; load15=0.090;3.000;4.000;0;",
	    &no);
	ck_assert_str_eq(no.text, "LOAD OK - load average: 0.05, 0.10, 0.09");
	ck_assert_uint_eq(no.nperf, 3);
	ck_assert_str_eq(no.perf[0].label, "load1");
	ck_assert(no.perf[0].value == 0.05);
	ck_assert(no.perf[0].warn.set && no.perf[0].warn.end == 5.0 &&
	          no.perf[0].warn.start == 0);
	ck_assert(no.perf[0].crit.end == 10.0);
	ck_assert(no.perf[0].has_min && no.perf[0].min == 0);
	ck_assert(!no.perf[0].has_max);
	ck_assert_str_eq(no.perf[2].label, "load15");
	ck_assert_uint_eq(no.nbad, 0);
	nagios_output_free(&no);
}
END_TEST

START_TEST(test_long_output)
{
	struct nagios_output no;

	parse("DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;"
	      "5968\n"
	      "/ 15272 MB (77%);\n"
	      "/boot 68 MB (69%);\n"
	      "/home 69357 MB (27%);\n"
	      "/var/log 819 MB (84%); | /boot=68MB;88;93;0;98\n"
	      "/home=69357MB;253404;253409;0;253414\n"
	      "/var/log=818MB;970;975;0;980\n",
	    &no);
	ck_assert_str_eq(no.text, "DISK OK - free space: / 3326 MB (56%);");
	ck_assert_str_eq(no.long_text, "/ 15272 MB (77%);\n/boot 68 MB (69%);\n"
	                               "/home 69357 MB (27%);\n/var/log 819 MB "
	                               "(84%);");
	ck_assert_uint_eq(no.nperf, 4);
	ck_assert_str_eq(no.perf[0].label, "/");
	ck_assert_str_eq(no.perf[0].uom, "MB");
	ck_assert(no.perf[0].value == 2643);
	ck_assert(no.perf[0].has_max && no.perf[0].max == 5968);
	ck_assert_str_eq(no.perf[1].label, "/boot");
	ck_assert_str_eq(no.perf[3].label, "/var/log");
	ck_assert(no.perf[3].crit.end == 975);
	nagios_output_free(&no);
}
END_TEST

START_TEST(test_perfdata_forms)
{
	struct nagios_output no;

	parse("OK | 'with space'=1s;;;; 'it''s'=2% 'a=b'=3.5KB;@10:20;~:5 "
	      "time=0.001234s;1.000000;2.000000;0.000000;10.000000 "
	      "c=U;1;2 cnt=5c neg=-3.5;-10:-1;10: comma=1,5 bare=7",
	    &no);
	ck_assert_uint_eq(no.nbad, 0);
	ck_assert_uint_eq(no.nperf, 9);
	ck_assert_str_eq(no.perf[0].label, "with space");
	ck_assert_str_eq(no.perf[0].uom, "s");
	ck_assert(!no.perf[0].warn.set && !no.perf[0].crit.set);
	ck_assert(!no.perf[0].has_min);
	ck_assert_str_eq(no.perf[1].label, "it's");
	ck_assert_str_eq(no.perf[1].uom, "%");
	ck_assert_str_eq(no.perf[2].label, "a=b");
	ck_assert(no.perf[2].warn.inside && no.perf[2].warn.start == 10 &&
	          no.perf[2].warn.end == 20);
	ck_assert(isinf(no.perf[2].crit.start) && no.perf[2].crit.start < 0 &&
	          no.perf[2].crit.end == 5);
	ck_assert(no.perf[3].value == 0.001234);
	ck_assert(no.perf[3].has_max && no.perf[3].max == 10);
	ck_assert(no.perf[4].unknown && isnan(no.perf[4].value));
	ck_assert_str_eq(no.perf[5].uom, "c");
	ck_assert(no.perf[6].value == -3.5);
	ck_assert(no.perf[6].warn.start == -10 && no.perf[6].warn.end == -1);
	ck_assert(no.perf[6].crit.start == 10 && isinf(no.perf[6].crit.end));
	ck_assert(no.perf[7].value == 1.5);
	ck_assert(no.perf[8].value == 7 && no.perf[8].uom[0] == '\0');
	nagios_output_free(&no);
}
END_TEST

START_TEST(test_bad_perfdata)
{
	struct nagios_output no;

	parse("WARN | good=1 noequals x=abc y=1;zz z=1;;;q =5 after=2 "
	      "'unterminated=1 b=2",
	    &no);
	ck_assert_uint_eq(no.nperf, 2);
	ck_assert_str_eq(no.perf[0].label, "good");
	ck_assert_str_eq(no.perf[1].label, "after");
	ck_assert_uint_eq(no.nbad, 6);
	ck_assert_str_eq(no.bad_reason, "item 2 ('noequals'): missing '='");
	nagios_output_free(&no);

	parse("X | x=abc", &no);
	ck_assert_str_eq(no.bad_reason, "item 1 ('x'): invalid value");
	nagios_output_free(&no);
	parse("X | y=1;zz", &no);
	ck_assert_str_eq(no.bad_reason, "item 1 ('y'): invalid warning range");
	nagios_output_free(&no);
	parse("X | q=1;;;q", &no);
	ck_assert_str_eq(no.bad_reason, "item 1 ('q'): invalid min");
	nagios_output_free(&no);
	parse("X | n=inf n2=nan n3=0x10", &no);
	ck_assert_uint_eq(no.nperf, 0);
	ck_assert_uint_eq(no.nbad, 3);
	nagios_output_free(&no);
}
END_TEST

START_TEST(test_ranges)
{
	struct nagios_range r;

	ck_assert_int_eq(nagios_range_parse("10", 2, &r), 0);
	ck_assert(!nagios_range_alerts(&r, 0) && !nagios_range_alerts(&r, 10));
	ck_assert(nagios_range_alerts(&r, -1) && nagios_range_alerts(&r, 11));
	ck_assert_int_eq(nagios_range_parse("10:", 3, &r), 0);
	ck_assert(nagios_range_alerts(&r, 9) && !nagios_range_alerts(&r, 1e9));
	ck_assert_int_eq(nagios_range_parse("~:10", 4, &r), 0);
	ck_assert(
	    !nagios_range_alerts(&r, -1e9) && nagios_range_alerts(&r, 11));
	ck_assert_int_eq(nagios_range_parse("10:20", 5, &r), 0);
	ck_assert(nagios_range_alerts(&r, 9) && !nagios_range_alerts(&r, 15) &&
	          nagios_range_alerts(&r, 21));
	ck_assert_int_eq(nagios_range_parse("@10:20", 6, &r), 0);
	ck_assert(!nagios_range_alerts(&r, 9) && nagios_range_alerts(&r, 10) &&
	          nagios_range_alerts(&r, 20) && !nagios_range_alerts(&r, 21));
	ck_assert_int_eq(nagios_range_parse("", 0, &r), 0);
	ck_assert(!r.set && !nagios_range_alerts(&r, 1e9));
	ck_assert_int_eq(nagios_range_parse("20:10", 5, &r), -1);
	ck_assert_int_eq(nagios_range_parse("a:b", 3, &r), -1);
	ck_assert_int_eq(nagios_range_parse("@", 1, &r), -1);
	ck_assert_int_eq(nagios_range_parse("1:2:3", 5, &r), -1);
	ck_assert_str_eq(nagios_state_name(0), "OK");
	ck_assert_str_eq(nagios_state_name(2), "CRITICAL");
	ck_assert_str_eq(nagios_state_name(7), "UNKNOWN");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nagios");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_simple);
	tcase_add_test(tc, test_long_output);
	tcase_add_test(tc, test_perfdata_forms);
	tcase_add_test(tc, test_bad_perfdata);
	tcase_add_test(tc, test_ranges);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
