/* Unit tests for hub/audit: chaining, paging, verification, tampering. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-kv.h"
#include "hub/alerts/audit.h"

static struct audit_actor op = {"lina", "uid", 1001, NULL, "unix"};
static struct audit_actor tok = {
    "remote", "token", -1, "remote-tok", "127.0.0.1:5000"};

static uint64_t
append(struct audit *a, int64_t at, const char *action, const char *code,
    const struct audit_actor *who)
{
	struct audit_rec rec;
	json_t *before = json_pack("{s:s}", "state", "firing");
	json_t *after = json_pack("{s:s}", "state", "acknowledged");
	char *cause = NULL;
	uint64_t seq;

	memset(&rec, 0, sizeof rec);
	rec.at_ms = at;
	rec.actor = who;
	rec.action = action;
	rec.target = "A000001";
	rec.code = code;
	rec.before = before;
	rec.after = after;
	rec.comment = "on it, 处理中";
	seq = audit_append(a, &rec, &cause);
	ck_assert_msg(seq != 0, "append: %s", cause);
	json_decref(before);
	json_decref(after);
	return seq;
}

static struct audit *
open_log(struct alert_kv *kv)
{
	char *cause = NULL;
	struct audit *a = audit_open(kv, NULL, &cause);

	ck_assert_msg(a != NULL, "open: %s", cause);
	return a;
}

START_TEST(test_audit_chain_and_verify)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct audit *a = open_log(kv);
	struct audit_verify_result res;
	char *cause = NULL;
	int i;

	ck_assert_uint_eq(audit_head_seq(a), 0);
	ck_assert_int_eq(audit_verify(a, &res, &cause), 0);
	ck_assert(res.ok);
	ck_assert_uint_eq(res.entries, 0);
	for (i = 1; i <= 50; i++)
		ck_assert_uint_eq(append(a, 1000 + i, "alert.ack",
		                      "440304001003007", i % 2 ? &op : &tok),
		    (uint64_t)i);
	ck_assert_int_eq(audit_verify(a, &res, &cause), 0);
	ck_assert_msg(res.ok, "verify: %s at %llu", res.reason,
	    (unsigned long long)res.first_bad);
	ck_assert_uint_eq(res.entries, 50);
	ck_assert_str_eq(res.head, audit_head_hash(a));
	audit_free(a);

	/* Reopened, the chain continues from the head. */
	a = open_log(kv);
	ck_assert_uint_eq(audit_head_seq(a), 50);
	ck_assert_uint_eq(append(a, 2000, "alert.close", NULL, &op), 51);
	ck_assert_int_eq(audit_verify(a, &res, &cause), 0);
	ck_assert(res.ok);
	ck_assert_uint_eq(res.entries, 51);
	audit_free(a);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_audit_entry_fields)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct audit *a = open_log(kv);
	json_t *arr = json_array(), *e;
	uint64_t next = 99;
	char *cause = NULL;

	append(a, 1111, "alert.ack", "440304001003007", &op);
	append(a, 2222, "alert.comment", NULL, &tok);
	ck_assert_int_eq(
	    audit_read(a, 1, 10, NULL, NULL, arr, &next, &cause), 0);
	ck_assert_uint_eq(json_array_size(arr), 2);
	ck_assert_uint_eq(next, 0);
	e = json_array_get(arr, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "seq")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "at_ms")), 1111);
	ck_assert_str_eq(json_string_value(json_object_get(e, "who")), "lina");
	ck_assert_str_eq(json_string_value(json_object_get(e, "via")), "uid");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "uid")), 1001);
	ck_assert_str_eq(json_string_value(json_object_get(e, "from")), "unix");
	ck_assert_str_eq(
	    json_string_value(json_object_get(e, "action")), "alert.ack");
	ck_assert_str_eq(
	    json_string_value(json_object_get(e, "target")), "A000001");
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(e, "before"), "state")),
	    "firing");
	ck_assert_str_eq(json_string_value(json_object_get(
	                     json_object_get(e, "after"), "state")),
	    "acknowledged");
	ck_assert_str_eq(json_string_value(json_object_get(e, "prev_hash")),
	    "0000000000000000000000000000000000000000000000000000000000000000");
	ck_assert_uint_eq(
	    strlen(json_string_value(json_object_get(e, "hash"))), 64);
	e = json_array_get(arr, 1);
	ck_assert_str_eq(json_string_value(json_object_get(e, "via")), "token");
	ck_assert_str_eq(
	    json_string_value(json_object_get(e, "token")), "remote-tok");
	ck_assert_ptr_null(json_object_get(e, "uid"));
	ck_assert_str_eq(json_string_value(json_object_get(e, "prev_hash")),
	    json_string_value(json_object_get(json_array_get(arr, 0), "hash")));
	json_decref(arr);
	audit_free(a);
	alert_kv_free(kv);
}
END_TEST

static char g5[] = "G5";

static int
only_grid(void *arg, json_t *e)
{
	const char *code = json_string_value(json_object_get(e, "code"));

	return code != NULL && strcmp(code, arg) == 0;
}

START_TEST(test_audit_paging)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct audit *a = open_log(kv);
	json_t *arr;
	uint64_t next = 0, since = 1;
	size_t total = 0, pages = 0;
	char *cause = NULL;
	int i;

	for (i = 1; i <= 250; i++)
		append(a, i, "alert.ack", i % 5 == 0 ? "G5" : "G1", &op);
	/* Page forward 100 at a time. */
	do {
		arr = json_array();
		ck_assert_int_eq(
		    audit_read(a, since, 100, NULL, NULL, arr, &next, &cause),
		    0);
		ck_assert_int_eq(json_integer_value(json_object_get(
		                     json_array_get(arr, 0), "seq")),
		    (json_int_t)since);
		total += json_array_size(arr);
		pages++;
		json_decref(arr);
		since = next;
	} while (next != 0);
	ck_assert_uint_eq(total, 250);
	ck_assert_uint_eq(pages, 3);

	/* Filtered paging. */
	arr = json_array();
	ck_assert_int_eq(
	    audit_read(a, 1, 10, only_grid, g5, arr, &next, &cause), 0);
	ck_assert_uint_eq(json_array_size(arr), 10);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_array_get(arr, 9), "seq")),
	    50);
	ck_assert_uint_eq(next, 51);
	json_decref(arr);

	/* The tail: the newest entries, oldest first. */
	arr = json_array();
	ck_assert_int_eq(
	    audit_read(a, 0, 7, NULL, NULL, arr, &next, &cause), 0);
	ck_assert_uint_eq(json_array_size(arr), 7);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_array_get(arr, 6), "seq")),
	    250);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_array_get(arr, 0), "seq")),
	    244);
	json_decref(arr);
	arr = json_array();
	ck_assert_int_eq(
	    audit_read(a, 0, 60, only_grid, g5, arr, &next, &cause), 0);
	ck_assert_uint_eq(json_array_size(arr), 50);
	json_decref(arr);
	audit_free(a);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_audit_tampered_entry)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct audit *a = open_log(kv);
	struct audit_verify_result res;
	char *cause = NULL, *val = NULL, *p;
	size_t len;
	int i;

	for (i = 1; i <= 20; i++)
		append(a, i, "alert.ack", NULL, &op);
	/* Someone rewrites who acknowledged entry 7. */
	ck_assert_int_eq(
	    alert_kv_get(kv, "audit/00000000000000000007", &val, &len, &cause),
	    1);
	p = strstr(val, "\"who\":\"lina\"");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "\"who\":\"wang\"", 12);
	ck_assert_int_eq(
	    alert_kv_memory_poke(kv, "audit/00000000000000000007", val), 0);
	free(val);
	ck_assert_int_eq(audit_verify(a, &res, &cause), 0);
	ck_assert(!res.ok);
	ck_assert_uint_eq(res.first_bad, 7);
	ck_assert_str_eq(res.reason, "hash mismatch");
	ck_assert_uint_eq(res.entries, 6);
	audit_free(a);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_audit_removed_and_truncated)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct audit *a = open_log(kv);
	struct audit_verify_result res;
	char *cause = NULL;
	int i;

	for (i = 1; i <= 10; i++)
		append(a, i, "alert.ack", NULL, &op);
	ck_assert_int_eq(
	    alert_kv_del(kv, "audit/00000000000000000004", &cause), 0);
	ck_assert_int_eq(audit_verify(a, &res, &cause), 0);
	ck_assert(!res.ok);
	ck_assert_uint_eq(res.first_bad, 4);
	ck_assert_str_eq(res.reason, "entry missing");
	audit_free(a);
	alert_kv_free(kv);

	/* Removing the newest entries is caught by the head record. */
	kv = alert_kv_memory_create();
	a = open_log(kv);
	for (i = 1; i <= 10; i++)
		append(a, i, "alert.ack", NULL, &op);
	alert_kv_del(kv, "audit/00000000000000000010", &cause);
	alert_kv_del(kv, "audit/00000000000000000009", &cause);
	audit_free(a);
	a = open_log(kv);
	ck_assert_int_eq(audit_verify(a, &res, &cause), 0);
	ck_assert(!res.ok);
	ck_assert_uint_eq(res.first_bad, 9);
	ck_assert_msg(
	    strstr(res.reason, "truncated") != NULL, "%s", res.reason);
	audit_free(a);

	/* A swapped prev_hash (entry replaced by a valid-looking one). */
	alert_kv_free(kv);
	kv = alert_kv_memory_create();
	a = open_log(kv);
	for (i = 1; i <= 3; i++)
		append(a, i, "alert.ack", NULL, &op);
	{
		char *v2 = NULL, *v3 = NULL;

		alert_kv_get(
		    kv, "audit/00000000000000000002", &v2, NULL, &cause);
		alert_kv_get(
		    kv, "audit/00000000000000000003", &v3, NULL, &cause);
		/* Put entry 3's text at 2: the seq inside no longer matches. */
		alert_kv_memory_poke(kv, "audit/00000000000000000002", v3);
		free(v2);
		free(v3);
	}
	ck_assert_int_eq(audit_verify(a, &res, &cause), 0);
	ck_assert(!res.ok);
	ck_assert_uint_eq(res.first_bad, 2);
	audit_free(a);
	alert_kv_free(kv);
}
END_TEST

START_TEST(test_audit_sha256)
{
	char out[65];

	audit_sha256_hex("abc", 3, out);
	ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223"
	                      "b00361a396177a9cb410ff61f20015ad");
}
END_TEST

static int
count_cb(void *arg, const char *key, const char *val, size_t len)
{
	(*(size_t *)arg)++;
	return 0;
}

/* Group commit: writes wait, gets see them, a scan or commit writes. */
START_TEST(test_kv_batch)
{
	struct alert_kv *kv = alert_kv_memory_create();
	struct audit *a = open_log(kv);
	struct audit_verify_result res;
	char *cause = NULL, *val = NULL;
	size_t n = 0;

	alert_kv_begin(kv);
	ck_assert_int_eq(alert_kv_put_str(kv, "x/1", "one", &cause), 0);
	ck_assert_int_eq(alert_kv_put_str(kv, "x/1", "uno", &cause), 0);
	ck_assert_int_eq(alert_kv_put_str(kv, "x/2", "two", &cause), 0);
	ck_assert_int_eq(alert_kv_del(kv, "x/2", &cause), 0);
	append(a, 1, "alert.fire", NULL, &op);
	append(a, 2, "alert.ack", NULL, &op);
	ck_assert_int_eq(alert_kv_get(kv, "x/1", &val, NULL, &cause), 1);
	ck_assert_str_eq(val, "uno");
	free(val);
	ck_assert_int_eq(alert_kv_get(kv, "x/2", &val, NULL, &cause), 0);
	/* Not in the backend yet. */
	ck_assert_int_eq(kv->ops->get(kv->impl, "x/1", &val, NULL, &cause), 0);
	ck_assert_int_eq(alert_kv_commit(kv, &cause), 0);
	ck_assert_int_eq(kv->ops->get(kv->impl, "x/1", &val, NULL, &cause), 1);
	free(val);
	ck_assert_int_eq(
	    alert_kv_scan(kv, "x/", NULL, count_cb, &n, &cause), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(audit_verify(a, &res, &cause), 0);
	ck_assert(res.ok);
	ck_assert_uint_eq(res.entries, 2);
	/* A scan inside a batch sees what came before it. */
	alert_kv_begin(kv);
	alert_kv_put_str(kv, "x/3", "three", &cause);
	n = 0;
	alert_kv_scan(kv, "x/", NULL, count_cb, &n, &cause);
	ck_assert_uint_eq(n, 2);
	alert_kv_put_str(kv, "x/4", "four", &cause);
	audit_free(a);
	alert_kv_free(kv); /* commits */
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("audit");

	tcase_add_test(tc, test_audit_sha256);
	tcase_add_test(tc, test_audit_chain_and_verify);
	tcase_add_test(tc, test_audit_entry_fields);
	tcase_add_test(tc, test_audit_paging);
	tcase_add_test(tc, test_audit_tampered_entry);
	tcase_add_test(tc, test_audit_removed_and_truncated);
	tcase_add_test(tc, test_kv_batch);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(audit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
