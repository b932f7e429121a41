/*
 * Unit tests for the audit chain's guards, each by the attack it stops:
 * a spliced entry with a recomputed hash (HMAC key; prev_hash link), a
 * dropped tail with the head rewritten (anchor file), a forged last entry
 * (head check), an edited record (record hashes), and the key file.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub/alerts/alert-kv.h"
#include "hub/alerts/audit.h"
#include "lib/xmalloc.h"

static struct audit_actor op = {"lina", "uid", 1001, NULL, "unix"};
static const unsigned char test_key[] =
    "0123456789abcdef0123456789abcdef-test-key";

struct fixture {
	struct alert_kv *kv;
	char dir[64];
	char *anchor;
	struct audit_opts o;
};

/* audit_record_fn over the fixture's kv: SHA-256 of the raw value. */
static int
record_cb(void *arg, const char *key, char out[65])
{
	struct fixture *f = arg;
	char *val = NULL, *cause = NULL;
	size_t len;
	int r = alert_kv_get(f->kv, key, &val, &len, &cause);

	if (r == 1)
		audit_sha256_hex(val, len, out);
	free(val);
	free(cause);
	return r;
}

static void
fixture_init(struct fixture *f, int keyed)
{
	memset(f, 0, sizeof *f);
	f->kv = alert_kv_memory_create();
	snprintf(f->dir, sizeof f->dir, "/tmp/test-audit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	f->anchor = xasprintf("%s/anchor.json", f->dir);
	if (keyed) {
		f->o.key = test_key;
		f->o.key_len = sizeof test_key - 1;
	}
	f->o.anchor_path = f->anchor;
	f->o.record = record_cb;
	f->o.record_arg = f;
}

static void
fixture_free(struct fixture *f)
{
	unlink(f->anchor);
	rmdir(f->dir);
	free(f->anchor);
	alert_kv_free(f->kv);
}

static struct audit *
fixture_open(struct fixture *f)
{
	char *cause = NULL;
	struct audit *a = audit_open(f->kv, &f->o, &cause);

	ck_assert_msg(a != NULL, "open: %s", cause);
	return a;
}

/* Append an entry about record key (its current value's hash, or absent
 * when key is NULL). */
static void
append(struct fixture *f, struct audit *a, const char *who, const char *key)
{
	struct audit_actor ac = op;
	struct audit_rec rec;
	char *cause = NULL, hash[65];

	ac.who = who;
	memset(&rec, 0, sizeof rec);
	rec.at_ms = 1000;
	rec.actor = &ac;
	rec.action = "alert.ack";
	rec.target = "A000001";
	if (key != NULL) {
		ck_assert_int_eq(record_cb(f, key, hash), 1);
		rec.record_key = key;
		rec.record_hash = hash;
	}
	ck_assert_msg(audit_append(a, &rec, &cause) != 0, "%s", cause);
}

static void
seq_key(uint64_t seq, char out[64])
{
	snprintf(out, 64, "audit/%020llu", (unsigned long long)seq);
}

static json_t *
entry_get(struct fixture *f, uint64_t seq)
{
	char key[64], *val = NULL, *cause = NULL;
	json_t *e;

	seq_key(seq, key);
	ck_assert_int_eq(alert_kv_get(f->kv, key, &val, NULL, &cause), 1);
	e = json_loads(val, 0, NULL);
	free(val);
	ck_assert_ptr_nonnull(e);
	return e;
}

/* What an attacker without the key can do: store e with its hash
 * recomputed as the plain SHA-256 of prev_hash, '\n' and its canonical
 * JSON.  Returns the new hash into out. */
static void
entry_forge(struct fixture *f, uint64_t seq, json_t *e, char out[65])
{
	json_t *copy = json_copy(e);
	char key[64], *text, *msg;

	json_object_del(copy, "hash");
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	msg = xasprintf(
	    "%s\n%s", json_string_value(json_object_get(e, "prev_hash")), text);
	audit_sha256_hex(msg, strlen(msg), out);
	free(msg);
	free(text);
	json_decref(copy);
	json_object_set_new(e, "hash", json_string(out));
	text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	seq_key(seq, key);
	ck_assert_int_eq(alert_kv_memory_poke(f->kv, key, text), 0);
	free(text);
}

static void
head_set(struct fixture *f, uint64_t seq, const char *hash)
{
	char *text = xasprintf(
	    "{\"seq\":%llu,\"hash\":\"%s\"}", (unsigned long long)seq, hash);

	ck_assert_int_eq(alert_kv_memory_poke(f->kv, "audit-head", text), 0);
	free(text);
}

static void
verify_broken(struct audit *a, uint64_t first_bad, const char *reason)
{
	struct audit_verify_result res;
	char *cause = NULL;

	ck_assert_int_eq(audit_verify(a, &res, &cause), 0);
	ck_assert_msg(!res.ok, "verified intact; expected \"%s\" at %llu",
	    reason, (unsigned long long)first_bad);
	ck_assert_msg(
	    strstr(res.reason, reason) != NULL, "reason: %s", res.reason);
	ck_assert_uint_eq(res.first_bad, first_bad);
}

static void
verify_ok(struct audit *a)
{
	struct audit_verify_result res;
	char *cause = NULL;

	ck_assert_int_eq(audit_verify(a, &res, &cause), 0);
	ck_assert_msg(res.ok, "broken at %llu: %s",
	    (unsigned long long)res.first_bad, res.reason);
}

/* Splice: entry 3 rewritten and the whole chain after it re-hashed, the
 * head rewritten; only the key tells. */
START_TEST(test_splice_rechained_without_key)
{
	struct fixture f;
	struct audit *a;
	char hash[65];
	json_t *e;
	uint64_t s;

	fixture_init(&f, 1);
	a = fixture_open(&f);
	for (s = 1; s <= 6; s++)
		append(&f, a, "lina", NULL);
	verify_ok(a);
	audit_free(a);
	e = entry_get(&f, 3);
	json_object_set_new(e, "who", json_string("wang"));
	entry_forge(&f, 3, e, hash);
	json_decref(e);
	for (s = 4; s <= 6; s++) {
		e = entry_get(&f, s);
		json_object_set_new(e, "prev_hash", json_string(hash));
		entry_forge(&f, s, e, hash);
		json_decref(e);
	}
	head_set(&f, 6, hash);
	unlink(f.anchor); /* the anchor would tell too: leave only the key */
	a = fixture_open(&f);
	verify_broken(a, 3, "hash mismatch");
	audit_free(a);
	fixture_free(&f);
}
END_TEST

/* Splice: entry 3 replaced by a forged one whose own hash is right (an
 * unkeyed log), the entries after it untouched: the link breaks at 4. */
START_TEST(test_splice_breaks_link)
{
	struct fixture f;
	struct audit *a;
	char hash[65];
	json_t *e;
	uint64_t s;

	fixture_init(&f, 0);
	a = fixture_open(&f);
	for (s = 1; s <= 6; s++)
		append(&f, a, "lina", NULL);
	e = entry_get(&f, 3);
	json_object_set_new(e, "who", json_string("wang"));
	entry_forge(&f, 3, e, hash);
	json_decref(e);
	verify_broken(a, 4, "prev_hash does not match");
	audit_free(a);
	fixture_free(&f);
}
END_TEST

/* The last entry forged (own hash right, link right), head untouched:
 * only the head check tells. */
START_TEST(test_last_entry_versus_head)
{
	struct fixture f;
	struct audit *a;
	char hash[65];
	json_t *e;
	uint64_t s;

	fixture_init(&f, 0);
	f.o.anchor_path = NULL; /* leave the head check alone */
	a = fixture_open(&f);
	for (s = 1; s <= 5; s++)
		append(&f, a, "lina", NULL);
	e = entry_get(&f, 5);
	json_object_set_new(e, "who", json_string("wang"));
	entry_forge(&f, 5, e, hash);
	json_decref(e);
	verify_broken(a, 5, "does not match the recorded head");
	audit_free(a);
	a = fixture_open(&f); /* the head is read from the kv again */
	verify_broken(a, 5, "does not match the recorded head");
	audit_free(a);
	fixture_free(&f);
}
END_TEST

/* Drop the tail: delete the last entries and rewrite the head to the new
 * last one.  The anchor file outside the database tells; once broken the
 * anchor is kept, so new entries do not hide it. */
START_TEST(test_drop_tail_rewrite_head)
{
	struct fixture f;
	struct audit *a;
	char key[64], *cause = NULL;
	const char *h;
	json_t *e;
	uint64_t s;

	fixture_init(&f, 1);
	a = fixture_open(&f);
	for (s = 1; s <= 8; s++)
		append(&f, a, "lina", NULL);
	audit_free(a);
	for (s = 6; s <= 8; s++) {
		seq_key(s, key);
		ck_assert_int_eq(alert_kv_del(f.kv, key, &cause), 0);
	}
	e = entry_get(&f, 5);
	h = json_string_value(json_object_get(e, "hash"));
	head_set(&f, 5, h);
	json_decref(e);
	a = fixture_open(&f);
	ck_assert_uint_eq(audit_head_seq(a), 5);
	verify_broken(a, 6, "anchor outside the database records entry 8");
	/* Life goes on: entries 6..9 are written, the evidence stays. */
	for (s = 6; s <= 9; s++)
		append(&f, a, "wang", NULL);
	audit_free(a);
	a = fixture_open(&f);
	verify_broken(a, 8, "differs from the head anchored outside");
	audit_free(a);
	fixture_free(&f);
}
END_TEST

/* Records: an entry vouches for the record state its action produced; a
 * record edited or deleted afterwards is caught, a deletion the audit
 * recorded is not. */
START_TEST(test_record_edited_or_deleted)
{
	struct fixture f;
	struct audit *a;
	struct audit_verify_result res;
	struct audit_rec rec;
	char *cause = NULL;

	fixture_init(&f, 1);
	a = fixture_open(&f);
	alert_kv_put_str(
	    f.kv, "alert/1", "{\"ack\":{\"by\":\"lina\"}}", &cause);
	append(&f, a, "lina", "alert/1");
	alert_kv_put_str(f.kv, "alert/2", "{\"state\":\"firing\"}", &cause);
	append(&f, a, "system", "alert/2");
	alert_kv_put_str(f.kv, "alert/2", "{\"state\":\"resolved\"}", &cause);
	append(&f, a, "system", "alert/2");
	ck_assert_int_eq(audit_verify(a, &res, &cause), 0);
	ck_assert_msg(res.ok, "%s", res.reason);
	ck_assert_uint_eq(res.records, 2);

	/* The ack author edited in the stored record. */
	alert_kv_memory_poke(f.kv, "alert/1", "{\"ack\":{\"by\":\"wang\"}}");
	verify_broken(a, 1, "record alert/1 differs");
	alert_kv_memory_poke(f.kv, "alert/1", "{\"ack\":{\"by\":\"lina\"}}");
	verify_ok(a);

	/* Deleted without an entry saying so. */
	alert_kv_del(f.kv, "alert/2", &cause);
	verify_broken(a, 3, "record alert/2 was deleted");
	alert_kv_put_str(f.kv, "alert/2", "{\"state\":\"resolved\"}", &cause);
	verify_ok(a);

	/* Deleted with an entry saying so. */
	memset(&rec, 0, sizeof rec);
	rec.actor = &op;
	rec.action = "alert.cancel";
	rec.record_key = "alert/2";
	rec.record_hash = AUDIT_RECORD_ABSENT;
	ck_assert_uint_eq(audit_append(a, &rec, &cause), 4);
	alert_kv_del(f.kv, "alert/2", &cause);
	verify_ok(a);
	audit_free(a);
	fixture_free(&f);
}
END_TEST

/* A log written without the key does not verify under it (and the
 * reverse): the key is part of every hash. */
START_TEST(test_key_changes_every_hash)
{
	struct fixture f;
	struct audit *a;
	uint64_t s;

	fixture_init(&f, 0);
	a = fixture_open(&f);
	for (s = 1; s <= 3; s++)
		append(&f, a, "lina", NULL);
	verify_ok(a);
	audit_free(a);
	f.o.key = test_key;
	f.o.key_len = sizeof test_key - 1;
	a = fixture_open(&f);
	verify_broken(a, 1, "hash mismatch");
	audit_free(a);
	fixture_free(&f);
}
END_TEST

START_TEST(test_key_file)
{
	char dir[] = "/tmp/test-audit-key-XXXXXX", *path, *cause = NULL;
	unsigned char *k1 = NULL, *k2 = NULL;
	size_t n1 = 0, n2 = 0;
	struct stat st;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	path = xasprintf("%s/audit.key", dir);
	/* Created 0600 when missing, the same key when read again. */
	ck_assert_msg(audit_key_load(path, &k1, &n1, &cause) == 0, "%s", cause);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_uint_eq(n1, 64);
	ck_assert_int_eq(audit_key_load(path, &k2, &n2, &cause), 0);
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_eq(memcmp(k1, k2, n1), 0);
	free(k1);
	free(k2);
	/* Too short: refused, not replaced. */
	fp = fopen(path, "w");
	fputs("short\n", fp);
	fclose(fp);
	ck_assert_int_eq(audit_key_load(path, &k1, &n1, &cause), -1);
	ck_assert_msg(strstr(cause, path) != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	unlink(path);
	/* Unreadable (a directory where the file should be): refused. */
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(audit_key_load(path, &k1, &n1, &cause), -1);
	ck_assert_msg(strstr(cause, "cannot read") != NULL, "%s", cause);
	free(cause);
	rmdir(path);
	free(path);
	rmdir(dir);
}
END_TEST

/* The anchor callback gets the head every N entries. */
static int anchors;
static uint64_t anchored_seq;

static void
anchor_cb(void *arg, uint64_t seq, const char *hash, const char *why)
{
	anchors++;
	anchored_seq = seq;
	ck_assert_uint_eq(strlen(hash), 64);
}

START_TEST(test_anchor_every)
{
	struct fixture f;
	struct audit *a;
	uint64_t s;

	fixture_init(&f, 1);
	f.o.anchor = anchor_cb;
	f.o.anchor_every = 4;
	a = fixture_open(&f);
	anchors = 0;
	for (s = 1; s <= 9; s++)
		append(&f, a, "lina", NULL);
	ck_assert_int_eq(anchors, 2);
	ck_assert_uint_eq(anchored_seq, 8);
	audit_anchor(a, "stop");
	ck_assert_uint_eq(anchored_seq, 9);
	audit_free(a);
	fixture_free(&f);
}
END_TEST

static Suite *
tamper_suite(void)
{
	Suite *s = suite_create("audit-tamper");
	TCase *tc = tcase_create("guards");

	tcase_add_test(tc, test_splice_rechained_without_key);
	tcase_add_test(tc, test_splice_breaks_link);
	tcase_add_test(tc, test_last_entry_versus_head);
	tcase_add_test(tc, test_drop_tail_rewrite_head);
	tcase_add_test(tc, test_record_edited_or_deleted);
	tcase_add_test(tc, test_key_changes_every_hash);
	tcase_add_test(tc, test_key_file);
	tcase_add_test(tc, test_anchor_every);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tamper_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
