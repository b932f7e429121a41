/*
 * audit-bench: the cost of the keyed, anchored audit chain on the hub's
 * RocksDB-backed kv: appends (HMAC, anchor file) and the start-up
 * verification (every entry's HMAC and link, and every record against
 * its latest entry).  Prints name: value unit lines.
 *   bench/audit-bench [ENTRIES [RECORDS [noanchor]]]
 * (default 100000 entries about 10000 records; "noanchor": without the
 * anchor file, the baseline of its cost)
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/alerts/alert-kv-store.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/audit.h"
#include "lib/clock.h"
#include "store/store.h"

static struct alert_kv *bench_kv;

/* audit_record_fn: SHA-256 of the stored value. */
static int
bench_record(void *arg, const char *key, char out[65])
{
	char *val = NULL, *cause = NULL;
	size_t len;
	int r = alert_kv_get(bench_kv, key, &val, &len, &cause);

	if (r == 1)
		audit_sha256_hex(val, len, out);
	free(val);
	free(cause);
	return r;
}

int
main(int argc, char **argv)
{
	static const unsigned char key[] =
	    "bench-key-0123456789abcdef0123456789";
	unsigned long entries = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	unsigned long records = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000;
	char dir[] = "/tmp/audit-bench-XXXXXX", anchor[64], rkey[32], rhash[65];
	char val[96], *cause = NULL, *cmd;
	struct audit_actor op = {"lina", "uid", 1001, NULL, "unix"};
	struct audit_verify_result res;
	struct store_options so;
	struct audit_opts ao;
	struct audit_rec rec;
	struct store *st;
	struct audit *a;
	json_t *before, *after;
	uint64_t t0;
	double s;
	unsigned long i;

	if (entries == 0 || records == 0 || mkdtemp(dir) == NULL)
		return 1;
	store_options_init(&so);
	if ((st = store_open(dir, &so, &cause)) == NULL) {
		fprintf(stderr, "audit-bench: %s\n", cause);
		return 1;
	}
	bench_kv = alert_kv_store_create(st);
	snprintf(anchor, sizeof anchor, "%s.anchor", dir);
	memset(&ao, 0, sizeof ao);
	ao.key = key;
	ao.key_len = sizeof key - 1;
	ao.anchor_path =
	    argc > 3 && strcmp(argv[3], "noanchor") == 0 ? NULL : anchor;
	ao.anchor_every = 100;
	ao.record = bench_record;
	if ((a = audit_open(bench_kv, &ao, &cause)) == NULL) {
		fprintf(stderr, "audit-bench: %s\n", cause);
		return 1;
	}
	before = json_pack("{s:s}", "state", "firing");
	after = json_pack("{s:s}", "state", "acknowledged");
	t0 = clock_mono_ns();
	for (i = 0; i < entries; i++) {
		snprintf(rkey, sizeof rkey, "alert/%012lu", i % records);
		snprintf(val, sizeof val,
		    "{\"state\":\"acknowledged\",\"n\":%lu}", i);
		alert_kv_put_str(bench_kv, rkey, val, &cause);
		audit_sha256_hex(val, strlen(val), rhash);
		memset(&rec, 0, sizeof rec);
		rec.at_ms = (int64_t)i;
		rec.actor = &op;
		rec.action = "alert.ack";
		rec.target = "A000001";
		rec.code = "440304001001001";
		rec.before = before;
		rec.after = after;
		rec.comment = "on it";
		rec.record_key = rkey;
		rec.record_hash = rhash;
		if (audit_append(a, &rec, &cause) == 0) {
			fprintf(stderr, "audit-bench: %s\n", cause);
			return 1;
		}
	}
	s = (double)(clock_mono_ns() - t0) / 1e9;
	printf("audit_append_entries_per_s: %.0f entries/s\n",
	    (double)entries / s);
	t0 = clock_mono_ns();
	if (audit_verify(a, &res, &cause) != 0 || !res.ok) {
		fprintf(stderr, "audit-bench: verify failed: %s\n",
		    cause != NULL ? cause : res.reason);
		return 1;
	}
	s = (double)(clock_mono_ns() - t0) / 1e9;
	printf("audit_verify_entries: %" PRIu64 " entries\n", res.entries);
	printf("audit_verify_records: %" PRIu64 " records\n", res.records);
	printf("audit_verify_s: %.3f s\n", s);
	printf("audit_verify_entries_per_s: %.0f entries/s\n",
	    (double)res.entries / s);
	json_decref(before);
	json_decref(after);
	audit_free(a);
	alert_kv_free(bench_kv);
	store_close(st);
	unlink(anchor);
	cmd = malloc(strlen(dir) + 16);
	sprintf(cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "audit-bench: could not remove %s\n", dir);
	free(cmd);
	return 0;
}
