/*
 * Unit tests for shifts (issue 17, shift handover): the shift under way
 * and the next one from "shifts" in a zone of the tz database (Shanghai,
 * and Berlin on the night its clocks change), the default shifts, and
 * configuration errors with file:line:column.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert-engine-util.h"
#include "hub/alerts/handover.h"
#include "hub/alerts/incident.h"

#define SHIFTS(tz)                                                        \
	"{\"shifts\": [\n"                                                \
	" {\"name\": \"day\", \"from\": \"08:00\", \"to\": \"20:00\", "   \
	"\"tz\": \"" tz "\"},\n"                                          \
	" {\"name\": \"night\", \"from\": \"20:00\", \"to\": \"08:00\", " \
	"\"tz\": \"" tz "\"}]}"

static struct alert_rules *
load(const char *text)
{
	char *cause = NULL;
	struct alert_rules *rs = alert_rules_parse(
	    "r.json", text, strlen(text), test_dept_check, NULL, &cause);

	ck_assert_msg(rs != NULL, "%s", cause);
	return rs;
}

static void
expect_span(const struct alert_shift_span *sp, const char *name, int64_t from,
    int64_t to)
{
	ck_assert_ptr_nonnull(sp->shift);
	ck_assert_str_eq(sp->shift->name, name);
	ck_assert_int_eq(sp->from_ms, from);
	ck_assert_int_eq(sp->to_ms, to);
}

START_TEST(test_shifts_shanghai)
{
	struct alert_rules *rs = load(SHIFTS("Asia/Shanghai"));
	struct alert_shift_span cur, next;

	ck_assert_int_eq(alert_tz_offset("Asia/Shanghai", T0), 8 * 3600);
	/* 2025-11-27 13:05 UTC is 21:05 in Shanghai: the night shift from
	 * 20:00 (12:00 UTC) to 08:00 (00:00 UTC), then the day. */
	alert_shifts_at(rs, 1764248700000LL, &cur, &next);
	expect_span(&cur, "night", 1764244800000LL, 1764288000000LL);
	expect_span(&next, "day", 1764288000000LL, 1764331200000LL);
	/* 07:30 the next morning: still the same night. */
	alert_shifts_at(rs, 1764286200000LL, &cur, &next);
	expect_span(&cur, "night", 1764244800000LL, 1764288000000LL);
	/* At 08:00 sharp the day has begun. */
	alert_shifts_at(rs, 1764288000000LL, &cur, &next);
	expect_span(&cur, "day", 1764288000000LL, 1764331200000LL);
	expect_span(
	    &next, "night", 1764331200000LL, 1764331200000LL + 43200000);
	alert_rules_free(rs);
}
END_TEST

START_TEST(test_shifts_default_and_dst)
{
	struct alert_rules *rs = alert_rules_empty();
	struct alert_shift_span cur, next;
	const char *berlin =
	    "{\"shifts\": [\n"
	    " {\"name\": \"night\", \"from\": \"22:00\", \"to\": \"06:00\", "
	    "\"tz\": \"Europe/Berlin\"},\n"
	    " {\"name\": \"day\", \"from\": \"06:00\", \"to\": \"22:00\", "
	    "\"tz\": \"Europe/Berlin\"}]}";

	/* No "shifts": day 08:00-20:00 and night in UTC. */
	alert_shifts_at(rs, 1764248700000LL, &cur, &next);
	expect_span(&cur, "day", 1764230400000LL, 1764273600000LL);
	expect_span(&next, "night", 1764273600000LL, 1764316800000LL);
	alert_rules_free(rs);
	/* The night of 2025-03-30 in Berlin: from 22:00 CET (21:00 UTC) to
	 * 06:00 CEST (04:00 UTC), seven hours. */
	rs = load(berlin);
	alert_shifts_at(rs, 1743301800000LL, &cur, &next);
	expect_span(&cur, "night", 1743282000000LL, 1743307200000LL);
	expect_span(&next, "day", 1743307200000LL, 1743364800000LL);
	alert_rules_free(rs);
}
END_TEST

static void
expect_error(const char *text, const char *want)
{
	char *cause = NULL;
	struct alert_rules *rs = alert_rules_parse(
	    "r.json", text, strlen(text), test_dept_check, NULL, &cause);

	ck_assert_msg(rs == NULL, "accepted: %s", text);
	ck_assert_msg(
	    strcmp(cause, want) == 0, "got  \"%s\"\nwant \"%s\"", cause, want);
	free(cause);
}

START_TEST(test_shifts_errors)
{
	expect_error("{\"shifts\": [{\"name\": \"n\", \"from\": \"24:00\", "
	             "\"to\": \"08:00\"}]}",
	    "r.json:1:35: \"shifts[0].from\": expected a time of day "
	    "\"HH:MM\" (00:00 to 23:59)");
	expect_error("{\"shifts\": [{\"name\": \"n\", \"from\": \"20:00\", "
	             "\"to\": \"8:00\"}]}",
	    "r.json:1:50: \"shifts[0].to\": expected a time of day \"HH:MM\" "
	    "(00:00 to 23:59)");
	expect_error("{\"shifts\": [{\"name\": \"n\", \"from\": \"20:00\", "
	             "\"to\": \"08:00\", \"tz\": \"../../etc/passwd\"}]}",
	    "r.json:1:65: \"shifts[0].tz\": unknown time zone "
	    "\"../../etc/passwd\" (a name of the tz database, e.g. "
	    "\"Asia/Shanghai\")");
	expect_error("{\"shifts\": [{\"name\": \"n\", \"from\": \"20:00\", "
	             "\"to\": \"08:00\"},\n {\"name\": \"n\", \"from\": "
	             "\"08:00\", \"to\": \"20:00\"}]}",
	    "r.json:2:11: \"shifts[1].name\": duplicate shift \"n\"");
	expect_error("{\"shifts\": [{\"name\": \"n\", \"from\": \"20:00\"}]}",
	    "r.json:1:13: \"shifts[0].to\": missing required key");
	expect_error("{\"shifts\": [\"night\"]}",
	    "r.json:1:13: \"shifts[0]\": expected {\"name\": ..., \"from\": "
	    "\"20:00\", \"to\": \"08:00\", \"tz\": ...}");
}
END_TEST

/* With shifts, an ack without "expires" lapses at the end of its shift;
 * its holder extends it; an explicit expiry is kept as given. */
START_TEST(test_ack_expires_with_shift)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *a;
	char id1[16], id2[16], id3[16];
	const int64_t night_end = 1764288000000LL; /* 08:00 Shanghai */

	test_now = T0; /* 21:05 in Shanghai: the night shift */
	e = test_engine(kv, SHIFTS("Asia/Shanghai"), NULL);
	snprintf(id1, sizeof id1, "%s",
	    raise_event(e, "fire/" GRID1, GRID1, "high", "fire", NULL));
	snprintf(id2, sizeof id2, "%s",
	    raise_event(e, "fire/" GRID2, GRID2, "high", "fire", NULL));
	snprintf(id3, sizeof id3, "%s",
	    raise_event(e, "fire/" GRID3, GRID3, "high", "fire", NULL));
	a = act(e, id1, "ack", json_pack("{s:s}", "comment", "mine"), &op_lina,
	    200);
	ck_assert_int_eq(json_integer_value(json_object_get(
	                     json_object_get(a, "ack"), "expires_ms")),
	    night_end);
	json_decref(a);
	json_decref(act(e, id2, "ack", NULL, &op_lina, 200));
	a = act(
	    e, id3, "ack", json_pack("{s:s}", "expires", "30m"), &op_lina, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(
	                     json_object_get(a, "ack"), "expires_ms")),
	    T0 + 30 * MIN);
	json_decref(a);

	/* Extending: the holder or a supervisor, with a duration. */
	json_decref(act(e, id2, "extend", json_pack("{s:s}", "expires", "12h"),
	    &op_chen, 403));
	json_decref(act(e, id2, "extend", NULL, &op_lina, 400));
	json_decref(act(e, id2, "extend", json_pack("{s:s}", "expires", "12h"),
	    &op_lina, 200));
	a = get_alert(e, id2, &op_lina, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(
	                     json_object_get(a, "ack"), "expires_ms")),
	    T0 + 12 * 60 * MIN);
	ck_assert_uint_eq(history_count(a, "extend"), 1);
	json_decref(a);

	/* The night ends: the unextended ack lapses, the extended stays. */
	test_now = night_end - 1000;
	alert_engine_tick(e);
	a = get_alert(e, id1, &op_lina, 200);
	ck_assert_str_eq(jstr(a, "state"), "acknowledged");
	json_decref(a);
	test_now = night_end;
	alert_engine_tick(e);
	a = get_alert(e, id1, &op_lina, 200);
	ck_assert_str_eq(jstr(a, "state"), "firing");
	json_decref(a);
	a = get_alert(e, id2, &op_lina, 200);
	ck_assert_str_eq(jstr(a, "state"), "acknowledged");
	json_decref(a);
	json_decref(act(e, id1, "extend", json_pack("{s:s}", "expires", "1h"),
	    &op_lina, 409));
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

/* The TZif reader (handover-tz.c) against the C library's localtime_r:
 * zones north and south, with and without DST, before, between and after
 * their transitions (the footer's rule past 2037), every 5 days plus an
 * odd hour from 1960 to 2060, and each hour around Berlin's 2025 changes.
 * (This test sets TZ itself, as a single-threaded program may.) */
START_TEST(test_tz_offsets_match_libc)
{
	static const char *const zones[] = {"Asia/Shanghai", "Europe/Berlin",
	    "America/New_York", "Australia/Sydney", "America/Sao_Paulo",
	    "Asia/Kolkata", "Pacific/Chatham", "UTC", "America/Santiago",
	    "Africa/Casablanca", NULL};
	int64_t t;
	struct tm tm;
	time_t tt;
	long got;
	size_t z;
	int checked = 0;

	for (z = 0; zones[z] != NULL; z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (t = -315619200LL; t < 2871763200LL;
		     t += 5 * 86400LL + 3917) {
			tt = (time_t)t;
			ck_assert_ptr_nonnull(localtime_r(&tt, &tm));
			got = alert_tz_offset(zones[z], t * 1000);
			if (got != tm.tm_gmtoff)
				ck_abort_msg("%s at %lld: %ld, libc %ld",
				    zones[z], (long long)t, got,
				    (long)tm.tm_gmtoff);
			checked++;
		}
	}
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	for (t = 1743292800LL - 86400; t < 1743292800LL + 86400; t += 900) {
		tt = (time_t)t;
		localtime_r(&tt, &tm);
		ck_assert_int_eq(
		    alert_tz_offset("Europe/Berlin", t * 1000), tm.tm_gmtoff);
	}
	for (t = 1761440400LL - 86400; t < 1761440400LL + 86400; t += 900) {
		tt = (time_t)t;
		localtime_r(&tt, &tm);
		ck_assert_int_eq(
		    alert_tz_offset("Europe/Berlin", t * 1000), tm.tm_gmtoff);
	}
	unsetenv("TZ");
	tzset();
	ck_assert_int_gt(checked, 70000);
	/* Not a TZif file, an unknown zone: UTC, not a crash. */
	ck_assert_int_eq(alert_tz_offset("No/Such_Zone", 0), 0);
	{
		long off = 99;

		ck_assert_int_eq(
		    alert_tzif_offset(
		        (const unsigned char *)"TZif2", 5, 0, &off),
		    -1);
		ck_assert_int_eq(off, 99);
	}
}
END_TEST

/* The ids of the list key of note o, space-separated ("" when empty). */
static const char *
list_ids(json_t *o, const char *key)
{
	static char buf[256];
	json_t *x;
	size_t i;

	buf[0] = '\0';
	json_array_foreach(json_object_get(o, key), i, x)
	{
		if (buf[0] != '\0')
			strncat(buf, " ", sizeof buf - strlen(buf) - 1);
		strncat(buf, jstr(x, "id"), sizeof buf - strlen(buf) - 1);
	}
	return buf;
}

static void
new_incident(struct alert_engine *e, const char *alert_id, char *out)
{
	struct alert_reply r;
	json_t *body = json_pack("{s:[s],s:s,s:s}", "alerts", alert_id, "title",
	    "smoke", "dept", "fire");
	json_t *o;

	alert_engine_incident_new(e, body, &sup_zhang, &r);
	json_decref(body);
	o = expect_status(&r, 201, "incident");
	snprintf(out, 16, "%s", jstr(o, "id"));
	json_decref(o);
}

/* The note lists incidents (open, and opened during the shift) inside the
 * caller's scope only; a shift end missed while the hub was down gets one
 * late draft at start-up, what fired cut at the shift's end, and no
 * second one after another restart. */
START_TEST(test_handover_incidents_and_late_draft)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct alert_engine *e;
	json_t *o, *c;
	char id1[16], id9[16], idl[16], inc1[16], inc9[16], want[64];
	const int64_t night_end = 1764288000000LL; /* 08:00 Shanghai */

	test_now = T0; /* 21:05 in Shanghai: the night shift */
	e = test_engine(kv, SHIFTS("Asia/Shanghai"), NULL);
	alert_engine_tick(e); /* the hub watches the shifts from now */
	snprintf(id1, sizeof id1, "%s",
	    raise_event(e, "fire/" GRID1, GRID1, "high", "fire", NULL));
	snprintf(id9, sizeof id9, "%s",
	    raise_event(e, "fire/" GRID9, GRID9, "high", "fire", NULL));
	new_incident(e, id1, inc1);
	new_incident(e, id9, inc9);
	o = alert_engine_handover(e, &op_lina);
	ck_assert_str_eq(list_ids(o, "incidents_open"), inc1);
	ck_assert_str_eq(list_ids(o, "incidents_new"), inc1);
	ck_assert_str_eq(
	    jstr(json_array_get(json_object_get(o, "incidents_open"), 0),
	        "lead"),
	    "fire");
	json_decref(o);
	o = alert_engine_handover(e, &op_wang);
	ck_assert_str_eq(list_ids(o, "incidents_open"), inc9);
	json_decref(o);
	snprintf(want, sizeof want, "%s %s", inc1, inc9);
	o = alert_engine_handover(e, &sup_zhang);
	ck_assert_str_eq(list_ids(o, "incidents_open"), want);
	json_decref(o);
	ck_assert_ptr_null(alert_engine_handover_draft(e, NULL, &sup_zhang));
	alert_engine_free(e);

	/* The hub is down over the night's end; at start-up an alert fires
	 * before the first tick: not the night's. */
	test_now = night_end + 5 * MIN;
	e = test_engine(kv, SHIFTS("Asia/Shanghai"), NULL);
	snprintf(idl, sizeof idl, "%s",
	    raise_event(e, "fire/" GRID2, GRID2, "high", "fire", NULL));
	alert_engine_tick(e);
	o = alert_engine_handover_draft(e, NULL, &sup_zhang);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_is_true(json_object_get(o, "late")));
	ck_assert_int_eq(
	    json_integer_value(json_object_get(o, "end_ms")), night_end);
	c = json_object_get(o, "content");
	snprintf(want, sizeof want, "%s %s", id1, id9);
	ck_assert_str_eq(list_ids(c, "fired"), want);
	snprintf(want, sizeof want, "%s %s", inc1, inc9);
	ck_assert_str_eq(list_ids(c, "incidents_open"), want);
	json_decref(o);
	o = alert_engine_handover_draft(e, NULL, &op_wang);
	c = json_object_get(o, "content");
	ck_assert_str_eq(list_ids(c, "incidents_open"), inc9);
	ck_assert_str_eq(list_ids(c, "incidents_new"), inc9);
	json_decref(o);
	ck_assert_uint_eq(audit_count(e, "handover.draft", NULL), 1);
	alert_engine_free(e);

	/* Restarted again in the same shift: still one draft. */
	test_now += MIN;
	e = test_engine(kv, SHIFTS("Asia/Shanghai"), NULL);
	alert_engine_tick(e);
	ck_assert_uint_eq(audit_count(e, "handover.draft", NULL), 1);
	audit_ok(e);
	alert_engine_free(e);
	alert_kv_free(kv);
}
END_TEST

static Suite *
handover_suite(void)
{
	Suite *s = suite_create("handover");
	TCase *tc = tcase_create("shifts");

	tcase_add_test(tc, test_shifts_shanghai);
	tcase_add_test(tc, test_tz_offsets_match_libc);
	tcase_add_test(tc, test_shifts_default_and_dst);
	tcase_add_test(tc, test_shifts_errors);
	tcase_add_test(tc, test_ack_expires_with_shift);
	tcase_add_test(tc, test_handover_incidents_and_late_draft);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(handover_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
