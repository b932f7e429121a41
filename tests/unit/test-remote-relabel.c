/* Unit tests for forwarding's configuration: relabel rules (parse and
 * apply), regexp_expand, and hub.json "remote_write" errors with their
 * file:line:column. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hub/remote/relabel.h"
#include "hub/remote/remote.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/regexp.h"
#include "lib/selector.h"

START_TEST(test_regexp_expand)
{
	struct regexp *re;
	char *cause = NULL, *out = NULL;

	re = regexp_compile_groups("(4403\\d\\d)(\\d+)", &cause);
	ck_assert_ptr_nonnull(re);
	ck_assert_int_eq(
	    regexp_expand(re, "440304001", "d=$1 r=${2}$$", &out), 1);
	ck_assert_str_eq(out, "d=440304 r=001$");
	free(out);
	/* anchored: a partial match is no match */
	ck_assert_int_eq(regexp_expand(re, "x440304001", "$1", &out), 0);
	ck_assert_ptr_null(out);
	/* an unknown group is empty */
	ck_assert_int_eq(regexp_expand(re, "4403041", "[$7]", &out), 1);
	ck_assert_str_eq(out, "[]");
	free(out);
	/* a long result grows the buffer */
	ck_assert_int_eq(
	    regexp_expand(re, "440304001",
	        "$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1", &out),
	    1);
	ck_assert_uint_eq(strlen(out), 22 * 6);
	free(out);
	regexp_free(re);
	/* regexp_compile does not capture: its groups expand empty */
	re = regexp_compile("(a)", &cause);
	ck_assert_int_eq(regexp_expand(re, "a", "<$1>", &out), 1);
	ck_assert_str_eq(out, "<>");
	free(out);
	regexp_free(re);
}
END_TEST

/* Rules parsed from JSON text; NULL and *cause on error. */
static struct relabel_rule *
rules(const char *text, size_t *n, char **cause)
{
	struct conf_file *cf =
	    conf_file_parse("hub.json", text, strlen(text), cause);
	struct relabel_rule *r = NULL;

	ck_assert_ptr_nonnull(cf);
	if (relabel_rules_read(cf, conf_file_root(cf), &r, n, cause) != 0)
		r = NULL;
	conf_file_free(cf);
	return r;
}

/* The labels of s as "a=1,b=2". */
static char *
labels(const struct relabel_set *s)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < s->n; i++)
		buf_printf(
		    &b, "%s%s=%s", i ? "," : "", s->l[i].name, s->l[i].value);
	return buf_detach(&b);
}

static void
set_fill(struct relabel_set *s)
{
	memset(s, 0, sizeof *s);
	relabel_set_add(s, "__name__", "aqi");
	relabel_set_add(s, "grid", "440304001001001");
	relabel_set_add(s, "sensor", "s01");
	relabel_set_add(s, "subdistrict", "440304001000");
}

START_TEST(test_relabel_apply)
{
	struct relabel_rule *r;
	struct relabel_set s;
	char *cause = NULL, *got;
	size_t n;

	r = rules("[{\"target_label\":\"district\",\"replacement\":\"440304\"},"
	          "{\"source_labels\":[\"subdistrict\",\"sensor\"],"
	          "\"regex\":\"(\\\\d+);s(\\\\d+)\",\"target_label\":\"k\","
	          "\"replacement\":\"${1}-$2\"},"
	          "{\"action\":\"labeldrop\",\"regex\":\"sub.*\"},"
	          "{\"source_labels\":[\"nope\"],\"target_label\":\"grid\"}]",
	    &n, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	ck_assert_uint_eq(n, 4);
	set_fill(&s);
	ck_assert_int_eq(relabel_apply(r, n, &s), 1);
	got = labels(&s);
	/* an empty replacement removes the target label (grid) */
	ck_assert_str_eq(got, "__name__=aqi,district=440304,k=440304001000-01,"
	                      "sensor=s01");
	free(got);
	relabel_set_free(&s);
	relabel_rules_free(r, n);

	r = rules("[{\"action\":\"keep\",\"source_labels\":[\"sensor\"],"
	          "\"regex\":\"s0[12]\"},"
	          "{\"action\":\"drop\",\"source_labels\":[\"__name__\","
	          "\"sensor\"],\"regex\":\"aqi;s02\"},"
	          "{\"action\":\"labelkeep\",\"regex\":\"__name__|grid\"}]",
	    &n, &cause);
	ck_assert_msg(r != NULL, "%s", cause);
	set_fill(&s);
	ck_assert_int_eq(relabel_apply(r, n, &s), 1);
	got = labels(&s);
	ck_assert_str_eq(got, "__name__=aqi,grid=440304001001001");
	free(got);
	relabel_set_free(&s);
	set_fill(&s);
	s.l[2].value = "s02"; /* dropped by the drop rule */
	ck_assert_int_eq(relabel_apply(r, n, &s), 0);
	relabel_set_free(&s);
	set_fill(&s);
	s.l[2].value = "s03"; /* not kept by the keep rule */
	ck_assert_int_eq(relabel_apply(r, n, &s), 0);
	relabel_set_free(&s);
	relabel_rules_free(r, n);
}
END_TEST

/* The error of rules text, which must fail; caller frees. */
static char *
rules_error(const char *text)
{
	char *cause = NULL;
	size_t n;

	ck_assert_ptr_null(rules(text, &n, &cause));
	ck_assert_ptr_nonnull(cause);
	return cause;
}

START_TEST(test_relabel_errors)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"[{\"action\":\"hashmod\"}]",
	        "hub.json:1:12: \"[0].action\": expected replace, keep"},
	    {"[{\"regex\":\"(\",\"target_label\":\"x\"}]",
	        "hub.json:1:11: \"[0].regex\": regular expression \"(\""},
	    {"[{\"replacement\":\"x\"}]", "replace needs a target_label"},
	    {"[{\"target_label\":\"a-b\"}]",
	        "hub.json:1:18: \"[0].target_label\": replace needs"},
	    {"[{\"action\":\"keep\"}]",
	        "hub.json:1:12: \"[0].action\": keep and drop need"},
	    {"[{\"action\":\"drop\",\"source_labels\":[\"a\"],"
	     "\"target_label\":\"b\"}]",
	        "\"[0].target_label\": only replace"},
	    {"[{\"source_labels\":[\"1a\"],\"target_label\":\"b\"}]",
	        "\"[0].source_labels\": \"1a\" is not a label name"},
	    {"[1]", "hub.json:1:2: "},
	    {"[{\"sep\":\";\"}]", "\"[0].sep\""},
	};
	size_t i;
	char *e;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		e = rules_error(cases[i].text);
		ck_assert_msg(strstr(e, cases[i].want) != NULL,
		    "%s: got \"%s\", want \"%s\"", cases[i].text, e,
		    cases[i].want);
		free(e);
	}
}
END_TEST

/* remote_write text read as hub.json's array; 0 or -1 with *cause. */
static int
targets(
    const char *text, struct remote_target_conf **t, size_t *n, char **cause)
{
	struct conf_file *cf =
	    conf_file_parse("hub.json", text, strlen(text), cause);
	int rc;

	ck_assert_ptr_nonnull(cf);
	rc = remote_conf_read(
	    cf, "/nonexistent/hub.json", conf_file_root(cf), t, n, cause);
	conf_file_free(cf);
	return rc;
}

START_TEST(test_target_conf)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
	    {"[{\"name\":\"vm\",\"url\":\"http://x/\",\n  \"match\":\"aqi{\"}]",
	        "hub.json:2:11: \"[0].match\": column 5"},
	    {"[{\"name\":\"vm\",\"url\":\"http://x/\",\n  \"tls\":{\"ca_file\":"
	     "\"ca.pem\"}}]",
	        "hub.json:2:20: \"[0].tls.ca_file\": cannot read "
	        "/nonexistent/ca.pem"},
	    {"[{\"name\":\"vm\",\"url\":\"http://x/\",\"tls\":{\"verify\":1}}]",
	        "hub.json:1:40: \"[0].tls.verify\": unknown key"},
	    {"[{\"name\":\"vm\",\"url\":\"http://x/\",\"relabel\":[{\"action\":"
	     "\"keep\"}]}]",
	        "keep and drop need"},
	    {"[{\"name\":\"vm\",\"url\":\"http://x/\",\"relabel\":{}}]",
	        "\"[0].relabel\": expected an array"},
	    {"[{\"name\":\"vm\",\"url\":\"http://x/\",\n  \"queue\":{"
	     "\"shards\":4,\"max_shards\":2}}]",
	        "hub.json:2:11: \"[0].queue\": expected shards <= max_shards"},
	    {"[{\"name\":\"vm\",\"url\":\"http://x/\",\"queue\":{"
	     "\"reshard_interval\":\"100ms\"}}]",
	        "expected reshard_interval of at least 1s"},
	    {"[{\"name\":\"vm\",\"url\":\"http://x/\",\"queue\":{"
	     "\"label_cache_idle\":\"soon\"}}]",
	        "\"[0].queue.label_cache_idle\": expected a duration"},
	};
	struct remote_target_conf *t = NULL;
	char *cause = NULL;
	size_t i, n = 0;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(targets(bad[i].text, &t, &n, &cause), -1);
		ck_assert_msg(strstr(cause, bad[i].want) != NULL,
		    "%s: got \"%s\", want \"%s\"", bad[i].text, cause,
		    bad[i].want);
		free(cause);
		cause = NULL;
	}
	ck_assert_int_eq(targets("[{\"name\":\"vm\",\"url\":\"https://x/\","
	                         "\"match\":\"aqi{grid=~\\\"4403.*\\\"}\","
	                         "\"tls\":{\"ca_file\":\"/dev/null\","
	                         "\"insecure_skip_verify\":true},"
	                         "\"relabel\":[{\"target_label\":\"district\","
	                         "\"replacement\":\"futian\"}]}]",
	                     &t, &n, &cause),
	    0);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_nonnull(t[0].match);
	ck_assert_str_eq(t[0].match->metric, "aqi");
	ck_assert_uint_eq(t[0].nrelabel, 1);
	ck_assert_str_eq(t[0].tls.ca_file, "/dev/null");
	ck_assert_int_eq(t[0].tls.insecure_skip_verify, 1);
	/* Resharding off unless max_shards says; labels kept an hour. */
	ck_assert_int_eq(t[0].max_shards, t[0].shards);
	ck_assert_int_eq(t[0].label_idle_ms, 3600000);
	remote_conf_free(t, n);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("remote-relabel");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_regexp_expand);
	tcase_add_test(tc, test_relabel_apply);
	tcase_add_test(tc, test_relabel_errors);
	tcase_add_test(tc, test_target_conf);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
