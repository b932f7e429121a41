/* Unit tests for store/ on RocksDB: writes, duplicates and late points,
 * the index, restart, corruption, format versions, metadata, retention
 * (the codecs alone are in test-store-codec.c). */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/chunk.h"
#include "store/rollup.h"
#include "store/store-int.h"
#include "store/store.h"
#include "test-store-util.h"

#define H STORE_HOUR_MS
/* A time 12 hours ago, 13:20 into an hour, so that the data is well
 * inside the raw retention. */
static int64_t T0;

#define tmpdir (tsu_dir())

static void
raw(struct store *s, const char *sel, int64_t start, int64_t end,
    struct store_result *r)
{
	struct selector *se = tsu_sel(sel);
	char *cause = NULL;

	if (store_query_raw(s, se, start, end, r, &cause) != 0)
		ck_abort_msg("query %s: %s", sel, cause);
	selector_free(se);
}

START_TEST(test_store_write_read)
{
	struct store *s = tsu_open(tmpdir, NULL);
	struct store_result r;
	uint32_t a, b, c;
	int64_t t;
	double specials[] = {NAN, INFINITY, -INFINITY, -0.0};
	size_t i;

	a = tsu_intern(s, "aqi{grid=\"440304001001001\",community=\"c1\"}");
	ck_assert_str_eq(store_series_key(s, a),
	    "aqi{community=\"c1\",grid=\"440304001001001\"}");
	b = tsu_intern(s, "aqi{community=\"c1\",grid=\"440304001001001\"}");
	ck_assert_uint_eq(a, b);
	c = tsu_intern(s, "up{system=\"s1\"}");
	ck_assert_uint_ne(a, c);
	/* Three hours of 10 s points, so chunks close. */
	for (t = T0; t < T0 + 3 * H; t += 10000)
		tsu_write1(s, a, t, (double)(t % 1000) / 10);
	for (i = 0; i < 4; i++)
		tsu_write1(s, c, T0 + (int64_t)i, specials[i]);

	raw(s, "aqi", T0, T0 + 3 * H, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.series[0].npoints, 3 * 360);
	ck_assert_str_eq(r.series[0].metric, "aqi");
	ck_assert_uint_eq(r.series[0].ntags, 2);
	ck_assert_str_eq(r.series[0].tags[0].name, "community");
	for (i = 0; i < r.series[0].npoints; i++) {
		ck_assert_int_eq(
		    r.series[0].points[i].t, T0 + (int64_t)i * 10000);
		ck_assert(tsu_same(r.series[0].points[i].v,
		    (double)(r.series[0].points[i].t % 1000) / 10));
	}
	store_result_free(&r);
	raw(s, "up{system=\"s1\"}", 0, STORE_TIME_MAX, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.series[0].npoints, 4);
	for (i = 0; i < 4; i++)
		ck_assert(tsu_same(r.series[0].points[i].v, specials[i]));
	store_result_free(&r);
	store_close(s);
}
END_TEST

START_TEST(test_store_dup_late_reject)
{
	struct store_options o;
	struct store *s;
	struct store_result r;
	struct store_write_result wr;
	uint32_t a, ids[3];
	int64_t t, ts[3];
	double vs[3];
	char *cause = NULL;

	store_options_init(&o);
	o.late_window_ms = 2 * H;
	o.retention_raw_ms = 24 * H;
	s = tsu_open(tmpdir, &o);
	a = tsu_intern(s, "m{k=\"v\"}");
	for (t = T0; t < T0 + 4 * H; t += 60000)
		tsu_write1(s, a, t, 1);
	/* Duplicate of the newest point, of one in the open chunk, and of
	 * one in a closed chunk: the last write wins. */
	tsu_write1(s, a, T0 + 4 * H - 60000, 2);
	tsu_write1(s, a, T0 + 4 * H - 600000, 3);
	tsu_write1(s, a, T0 + 3 * H - 600000, 4);
	/* Late but inside the window, between existing points. */
	tsu_write1(s, a, T0 + 3 * H - 630000, 5);
	/* Behind the newest point by more than the late window: merged
	 * all the same (a collector replaying its spool). */
	tsu_write1(s, a, T0 + H, 9);
	/* Older than the raw retention: rejected and counted. */
	ids[0] = ids[1] = ids[2] = a;
	ts[0] = T0 - 13 * H;
	ts[1] = T0 + 4 * H;
	ts[2] = -5;
	vs[0] = vs[1] = vs[2] = 9;
	ck_assert_int_eq(store_write(s, ids, ts, vs, 3, &wr, &cause), 0);
	ck_assert_uint_eq(wr.accepted, 1);
	ck_assert_uint_eq(wr.rejected[STORE_REJECT_LATE], 1);
	ck_assert_uint_eq(wr.rejected[STORE_REJECT_TIME], 1);
	ck_assert_uint_eq(wr.first_rejected, 0);
	ck_assert_int_eq(wr.first_reason, STORE_REJECT_LATE);
	ids[0] = 999;
	ck_assert_int_eq(store_write(s, ids, ts, vs, 1, &wr, &cause), 0);
	ck_assert_uint_eq(wr.rejected[STORE_REJECT_SERIES], 1);

	raw(s, "m", 0, STORE_TIME_MAX, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.series[0].npoints, 4 * 60 + 2);
	for (size_t i = 0; i < r.series[0].npoints; i++) {
		const struct store_point *p = &r.series[0].points[i];
		double want = 1;

		if (i > 0)
			ck_assert_int_gt(p->t, r.series[0].points[i - 1].t);
		if (p->t == T0 + 4 * H - 60000)
			want = 2;
		else if (p->t == T0 + 4 * H - 600000)
			want = 3;
		else if (p->t == T0 + 3 * H - 600000)
			want = 4;
		else if (p->t == T0 + 3 * H - 630000)
			want = 5;
		else if (p->t == T0 + 4 * H || p->t == T0 + H)
			want = 9;
		ck_assert_msg(p->v == want, "at %lld got %g want %g",
		    (long long)(p->t - T0), p->v, want);
	}
	store_result_free(&r);
	store_close(s);

	/* The same after a restart; then a batch that repeats the newest
	 * point, goes back within the window and forward, counted apart. */
	s = tsu_open(tmpdir, &o);
	raw(s, "m", 0, STORE_TIME_MAX, &r);
	ck_assert_uint_eq(r.series[0].npoints, 4 * 60 + 2);
	store_result_free(&r);
	ids[0] = a;
	ts[0] = T0 + 4 * H;
	ts[1] = T0 + 4 * H - 30000;
	ts[2] = T0 + 4 * H + 60000;
	ck_assert_int_eq(store_write(s, ids, ts, vs, 3, &wr, &cause), 0);
	ck_assert_uint_eq(wr.accepted, 3);
	ck_assert_uint_eq(wr.duplicates, 1);
	ck_assert_uint_eq(wr.late, 1);
	store_close(s);
}
END_TEST

static size_t
count_series(struct store *s, const char *sel)
{
	struct store_series_list l;
	struct selector *se = tsu_sel(sel);
	size_t n;

	ck_assert_int_eq(store_series_list(s, se, &l, NULL), 0);
	n = l.n;
	store_series_list_free(&l);
	selector_free(se);
	return n;
}

START_TEST(test_store_index_matchers)
{
	struct store *s = tsu_open(tmpdir, NULL);
	char key[200], **vals;
	size_t n;
	int g, m;
	const char *metrics[] = {"aqi", "pm25", "noise_db"};

	for (g = 0; g < 20; g++) {
		for (m = 0; m < 3; m++) {
			snprintf(key, sizeof key,
			    "%s{grid=\"g%02d\","
			    "community=\"c%d\"%s}",
			    metrics[m], g, g / 5,
			    g % 2 == 0 ? ",even=\"yes\"" : "");
			tsu_write1(s, tsu_intern(s, key), T0 + g, g);
		}
	}
	ck_assert_uint_eq(count_series(s, "aqi"), 20);
	ck_assert_uint_eq(count_series(s, "{community=\"c1\"}"), 15);
	ck_assert_uint_eq(count_series(s, "aqi{community=\"c1\"}"), 5);
	ck_assert_uint_eq(count_series(s, "aqi{community!=\"c1\"}"), 15);
	ck_assert_uint_eq(count_series(s, "aqi{grid=~\"g0.\"}"), 10);
	ck_assert_uint_eq(count_series(s, "aqi{grid=~\"g0\"}"), 0);
	ck_assert_uint_eq(count_series(s, "aqi{grid!~\"g0.|g1.\"}"), 0);
	ck_assert_uint_eq(count_series(s, "aqi{even=\"yes\"}"), 10);
	ck_assert_uint_eq(count_series(s, "aqi{even!=\"yes\"}"), 10);
	ck_assert_uint_eq(count_series(s, "aqi{even=\"\"}"), 10);
	ck_assert_uint_eq(count_series(s, "aqi{even=~\"y.*|\"}"), 20);
	ck_assert_uint_eq(count_series(s, "aqi{nosuch=\"x\"}"), 0);
	ck_assert_uint_eq(count_series(s, "{__name__=~\"aqi|pm25\"}"), 40);
	ck_assert_uint_eq(
	    count_series(s, "{__name__!=\"aqi\",grid=\"g03\"}"), 2);
	ck_assert_uint_eq(count_series(s, "nosuch"), 0);

	ck_assert_int_eq(
	    store_tag_values(s, "community", NULL, &vals, &n, NULL), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(vals[0], "c0");
	ck_assert_str_eq(vals[3], "c3");
	ck_assert_ptr_null(vals[4]);
	store_strings_free(vals);
	{
		struct selector *se = tsu_sel("{grid=~\"g1[5-9]\"}");

		ck_assert_int_eq(
		    store_tag_values(s, "__name__", se, &vals, &n, NULL), 0);
		ck_assert_uint_eq(n, 3);
		ck_assert_str_eq(vals[0], "aqi");
		store_strings_free(vals);
		ck_assert_int_eq(
		    store_tag_values(s, "community", se, &vals, &n, NULL), 0);
		ck_assert_uint_eq(n, 1);
		ck_assert_str_eq(vals[0], "c3");
		store_strings_free(vals);
		selector_free(se);
	}
	ck_assert_int_eq(store_tag_names(s, &vals, &n, NULL), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(vals[0], "community");
	store_strings_free(vals);
	store_close(s);

	/* The index survives a restart. */
	s = tsu_open(tmpdir, NULL);
	ck_assert_uint_eq(count_series(s, "aqi{community=\"c1\"}"), 5);
	store_close(s);
}
END_TEST

START_TEST(test_store_bad_keys)
{
	struct store *s = tsu_open(tmpdir, NULL);
	uint32_t id;
	char *cause = NULL, longname[400];

	ck_assert_int_eq(store_series_intern(s, "", 0, &id, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "metric"));
	free(cause);
	memset(longname, 'a', 300);
	longname[300] = '\0';
	ck_assert_int_eq(
	    store_series_intern(s, longname, 300, &id, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "too long"));
	free(cause);
	ck_assert_int_eq(
	    store_series_intern(s, "m{grid=\"\"}", 10, &id, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "\"grid\""));
	free(cause);
	store_close(s);
}
END_TEST

START_TEST(test_store_last_and_list)
{
	struct store *s = tsu_open(tmpdir, NULL);
	struct store_result r;
	struct store_series_list l;
	struct selector *se;
	uint32_t a, b;
	int64_t lt, lw;
	double lv;

	a = tsu_intern(s, "up{system=\"a\"}");
	b = tsu_intern(s, "up{system=\"b\"}");
	tsu_intern(s, "up{system=\"never\"}");
	tsu_write1(s, a, T0, 1);
	tsu_write1(s, a, T0 + 10000, 0);
	tsu_write1(s, b, T0 - 10000, 1);
	tsu_write1(s, a, T0 + 5000, 7); /* late: not the newest */
	se = tsu_sel("up");
	ck_assert_int_eq(store_query_last(s, se, 0, &r, NULL), 0);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_str_eq(r.series[0].key, "up{system=\"a\"}");
	ck_assert_int_eq(r.series[0].points[0].t, T0 + 10000);
	ck_assert(r.series[0].points[0].v == 0);
	store_result_free(&r);
	ck_assert_int_eq(store_query_last(s, se, T0, &r, NULL), 0);
	ck_assert_uint_eq(r.n, 1);
	store_result_free(&r);
	ck_assert_int_eq(store_series_list(s, se, &l, NULL), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_int_eq(l.series[0].first_t, T0);
	ck_assert_int_eq(l.series[0].last_t, T0 + 10000);
	ck_assert_int_eq(l.series[2].last_t, -1);
	ck_assert_int_gt(l.series[0].last_write_ms, 0);
	store_series_list_free(&l);
	selector_free(se);
	ck_assert_int_eq(store_series_last(s, b, &lt, &lv, &lw), 0);
	ck_assert_int_eq(lt, T0 - 10000);
	ck_assert_int_eq(store_series_last(s, 12345, &lt, &lv, &lw), -1);
	store_close(s);

	s = tsu_open(tmpdir, NULL);
	ck_assert_int_eq(store_series_last(s, a, &lt, &lv, &lw), 0);
	ck_assert_int_eq(lt, T0 + 10000);
	ck_assert(lv == 0);
	ck_assert_int_gt(lw, 0);
	store_close(s);
}
END_TEST

START_TEST(test_store_open_errors)
{
	struct store_options o;
	struct store *s;
	char path[300], *cause = NULL, *err = NULL;
	FILE *f;

	/* A directory with other files is not a store. */
	snprintf(path, sizeof path, "%s/junk", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/junk/notes.txt", tmpdir);
	f = fopen(path, "w");
	fputs("hello\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/junk", tmpdir);
	ck_assert_ptr_null(store_open(path, NULL, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "not a citybrain store"));
	free(cause);

	/* Missing without create. */
	store_options_init(&o);
	o.create = 0;
	snprintf(path, sizeof path, "%s/missing", tmpdir);
	ck_assert_ptr_null(store_open(path, &o, &cause));
	free(cause);

	/* A newer format version. */
	snprintf(path, sizeof path, "%s/newer", tmpdir);
	s = tsu_open(path, NULL);
	rocksdb_put_cf(s->db, s->wo_durable, s->cf[STORE_CF_DEFAULT], "format",
	    6, "citybrain-store 99", 18, &err);
	ck_assert_ptr_null(err);
	store_close(s);
	ck_assert_ptr_null(store_open(path, NULL, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "newer"));
	free(cause);

	/* A plain RocksDB database. */
	{
		rocksdb_options_t *ro = rocksdb_options_create();
		rocksdb_t *db;

		rocksdb_options_set_create_if_missing(ro, 1);
		snprintf(path, sizeof path, "%s/plain", tmpdir);
		db = rocksdb_open(ro, path, &err);
		ck_assert_ptr_null(err);
		{
			rocksdb_writeoptions_t *wo =
			    rocksdb_writeoptions_create();

			rocksdb_put(db, wo, "k", 1, "v", 1, &err);
			rocksdb_writeoptions_destroy(wo);
		}
		ck_assert_ptr_null(err);
		rocksdb_close(db);
		rocksdb_options_destroy(ro);
		ck_assert_ptr_null(store_open(path, NULL, &cause));
		ck_assert_ptr_nonnull(strstr(cause, "not a citybrain store"));
		free(cause);
	}
}
END_TEST

static int warnings_seen;

static void
count_warning(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
	warnings_seen++;
}

START_TEST(test_store_corrupt_chunk_skipped)
{
	struct store_options o;
	struct store *s;
	struct store_result r;
	struct store_stats st;
	uint32_t a, b;
	int64_t t, w;
	char *err = NULL;
	uint8_t k[12];

	store_options_init(&o);
	o.warn = count_warning;
	s = tsu_open(tmpdir, &o);
	a = tsu_intern(s, "m{s=\"a\"}");
	b = tsu_intern(s, "m{s=\"b\"}");
	for (t = T0; t < T0 + 3 * H; t += 10000) {
		tsu_write1(s, a, t, 1);
		tsu_write1(s, b, t, 2);
	}
	ck_assert_int_eq(store_flush(s, 0, NULL), 0);
	/* Damage series a's chunk of the first full hour. */
	w = window_of(T0) + H;
	key_put32(k, (uint32_t)(w / H));
	key_put32(k + 4, a);
	key_put32(k + 8, 0);
	rocksdb_put_cf(s->db, s->wo_durable, s->cf[STORE_CF_CHUNKS],
	    (const char *)k, 12, "\x01\x05garbage!", 10, &err);
	ck_assert_ptr_null(err);

	raw(s, "m", T0, T0 + 3 * H, &r);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_uint_eq(r.series[0].npoints, 3 * 360 - 360);
	ck_assert_uint_eq(r.series[1].npoints, 3 * 360);
	ck_assert_uint_ge(r.nwarnings, 1);
	ck_assert_ptr_nonnull(strstr(r.warnings[0], "corrupt chunk"));
	ck_assert_ptr_nonnull(strstr(r.warnings[0], "m{s=\"a\"}"));
	store_result_free(&r);
	ck_assert_int_gt(warnings_seen, 0);
	ck_assert_int_eq(store_stats_get(s, &st, NULL), 0);
	ck_assert_uint_ge(st.corrupt_chunks, 1);
	store_close(s);
}
END_TEST

/* Run an aggregation query over m{} at a minute step into r. */
static void
minute_query(struct store *s, enum store_agg agg, int64_t start, int64_t end,
    struct store_result *r)
{
	struct selector *se = tsu_sel("m");
	struct store_query q = {.sel = se,
	    .start = start,
	    .end = end,
	    .agg = agg,
	    .step = STORE_MINUTE_MS};
	char *cause = NULL;

	ck_assert_msg(store_query_run(s, &q, r, &cause) == 0, "%s", cause);
	selector_free(se);
}

/* Replace the chunk at the end of b (len bytes) by the same points in
 * the layout of format 3 and older (no regular run). */
static void
chunk_tail_to_v1(struct buf *b, size_t len)
{
	struct chunk_enc c = {0};
	struct ptvec pv = {0};
	size_t i, n;

	ck_assert_int_eq(chunk_decode(b->data + b->len - len, len, &pv), 0);
	ck_assert(b->data[b->len - len] & CHUNK_REGULAR);
	chunk_enc_init_v1(&c);
	for (i = 0; i < pv.n; i++)
		chunk_enc_append(&c, pv.t[i], pv.v[i]);
	b->len -= len;
	n = chunk_enc_size(&c);
	buf_reserve(b, n);
	chunk_enc_serialize(&c, (uint8_t *)b->data + b->len);
	b->len += n;
	chunk_enc_free(&c);
	ptvec_free(&pv);
}

/* A store of an older format (1: rollup blocks in the interleaved
 * layout; 2: columns with a 6-byte head, head records of version 1; 3:
 * chunks with no regular run, closed and in head records) opens, is
 * marked with today's, and answers every aggregation and raw reads
 * exactly as before. */
START_TEST(test_store_old_formats)
{
	int fmt = _i;
	static const enum store_agg aggs[] = {STORE_AGG_AVG, STORE_AGG_MIN,
	    STORE_AGG_MAX, STORE_AGG_SUM, STORE_AGG_COUNT, STORE_AGG_LAST};
	struct store_result before[8], r;
	struct store *s;
	rocksdb_iterator_t *it;
	int64_t lt[2], lw[2];
	double lv[2];
	struct buf b = BUF_INIT;
	uint32_t a, c;
	int64_t t, lo = T0 + 5 * 60000 + 7000, hi = T0 + 3 * H, iw = 200;
	char *err = NULL, *val, mark[32];
	size_t vlen, i, j, nconv = 0, nhead = 0, nchunks = 0;

	s = tsu_open(tmpdir, NULL);
	a = tsu_intern(s, "m{s=\"a\"}");
	c = tsu_intern(s, "m{s=\"c\"}");
	for (t = T0; t < T0 + 3 * H + 30 * 60000; t += 10000) {
		iw += (int64_t)(tsu_rng() % 7) - 3;
		tsu_write1(s, a, t, (double)iw / 10);
		if (t % 60000 == 0)
			tsu_write1(s, c, t + 1, (double)-iw / 1000);
	}
	ck_assert_int_eq(store_flush(s, 0, NULL), 0);
	for (i = 0; i < 6; i++)
		minute_query(s, aggs[i], lo, hi, &before[i]);
	ck_assert_uint_lt(before[0].points_scanned, 3 * 360);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(store_series_last(
		                     s, i == 0 ? a : c, &lt[i], &lv[i], &lw[i]),
		    0);
	}
	/* The open chunks too: the raw points of the last half hour. */
	minute_query(s, STORE_AGG_NONE, hi, hi + H, &before[6]);
	ck_assert_uint_gt(before[6].points_scanned, 100);
	/* And the closed chunks' raw points. */
	minute_query(s, STORE_AGG_NONE, T0, hi, &before[7]);
	ck_assert_uint_ge(before[7].points_scanned, 3 * 360);

	/* Closed chunks in the old layout. */
	it = rocksdb_create_iterator_cf(s->db, s->ro, s->cf[STORE_CF_CHUNKS]);
	for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		size_t kl, vl;
		const char *k = rocksdb_iter_key(it, &kl);
		const char *v = rocksdb_iter_value(it, &vl);

		buf_reset(&b);
		buf_append(&b, v, vl);
		chunk_tail_to_v1(&b, vl);
		rocksdb_put_cf(s->db, s->wo_durable, s->cf[STORE_CF_CHUNKS], k,
		    kl, b.data, b.len, &err);
		ck_assert_ptr_null(err);
		nchunks++;
	}
	rocksdb_iter_destroy(it);
	ck_assert_uint_ge(nchunks, 4);

	/* Back to format fmt: every minute block in the old layout. */
	it = rocksdb_create_iterator_cf(s->db, s->ro, s->cf[STORE_CF_ROLLUP_M]);
	for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = (const uint8_t *)rocksdb_iter_key(it, &kl);
		const char *v = rocksdb_iter_value(it, &vl);
		struct rollup_block rb;
		int64_t hour = (int64_t)((uint32_t)k[0] << 24 | k[1] << 16 |
		                         k[2] << 8 | k[3]);

		ck_assert_uint_eq(kl, 8);
		rollup_block_init(&rb, hour * H, STORE_MINUTE_MS, 60);
		ck_assert_int_eq(rollup_block_decode(&rb, v, vl), 0);
		nconv += v[0] == 5 ||
		         v[0] == 6; /* COL2, bare or with rate columns */
		buf_reset(&b);
		rollup_block_encode_format(&rb, fmt, &b);
		ck_assert_int_eq(b.data[0], fmt == 1 ? 3 : fmt == 2 ? 4 : 5);
		rocksdb_put_cf(s->db, s->wo_durable, s->cf[STORE_CF_ROLLUP_M],
		    (const char *)k, kl, b.data, b.len, &err);
		ck_assert_ptr_null(err);
	}
	rocksdb_iter_destroy(it);
	ck_assert_uint_ge(nconv, 4);
	/* Head records of version 1, as formats 1 and 2 wrote them, or 2
	 * (format 3); their open chunks in the old layout. */
	for (i = 1; i <= s->ix.n; i++) {
		uint8_t hk[4] = {0, 0, (uint8_t)(i >> 8), (uint8_t)i};
		const struct series *ser = &s->ix.series[i];

		if (ser->key == NULL)
			continue;
		if (fmt < 3)
			store_head_record_v1(ser, &b);
		else
			store_head_record(ser, &b);
		ck_assert(ser->open != NULL && ser->open->n > 1);
		chunk_tail_to_v1(&b, chunk_enc_size(ser->open));
		rocksdb_put_cf(s->db, s->wo_durable, s->cf[STORE_CF_HEAD],
		    (const char *)hk, 4, b.data, b.len, &err);
		ck_assert_ptr_null(err);
		nhead++;
	}
	ck_assert_uint_eq(nhead, 2);
	snprintf(mark, sizeof mark, "citybrain-store %d", fmt);
	rocksdb_put_cf(s->db, s->wo_durable, s->cf[STORE_CF_DEFAULT], "format",
	    6, mark, strlen(mark), &err);
	ck_assert_ptr_null(err);
	store_close(s);

	s = tsu_open(tmpdir, NULL);
	val = rocksdb_get_cf(
	    s->db, s->ro, s->cf[STORE_CF_DEFAULT], "format", 6, &vlen, &err);
	ck_assert_ptr_null(err);
	snprintf(mark, sizeof mark, "citybrain-store %d", STORE_FORMAT_VERSION);
	ck_assert_msg(vlen == strlen(mark) && memcmp(val, mark, vlen) == 0,
	    "format %.*s", (int)vlen, val);
	free(val);
	for (i = 0; i < 2; i++) {
		int64_t t2, w2;
		double v2;

		ck_assert_int_eq(
		    store_series_last(s, i == 0 ? a : c, &t2, &v2, &w2), 0);
		ck_assert_int_eq(t2, lt[i]);
		ck_assert(tsu_same(v2, lv[i]));
		ck_assert_int_eq(w2, lw[i]);
	}
	for (i = 0; i < 8; i++) {
		minute_query(s, i < 6 ? aggs[i] : STORE_AGG_NONE,
		    i < 6    ? lo
		    : i == 6 ? hi
		             : T0,
		    i < 6 || i == 7 ? hi : hi + H, &r);
		ck_assert_uint_eq(r.n, before[i].n);
		ck_assert_uint_eq(r.points_scanned, before[i].points_scanned);
		for (j = 0; j < r.n; j++) {
			const struct store_series_result *x = &r.series[j],
			                                 *y = &before[i]
			                                           .series[j];
			size_t k;

			ck_assert_uint_eq(x->npoints, y->npoints);
			for (k = 0; k < x->npoints; k++) {
				ck_assert_int_eq(
				    x->points[k].t, y->points[k].t);
				ck_assert(
				    tsu_same(x->points[k].v, y->points[k].v));
			}
		}
		store_result_free(&r);
		store_result_free(&before[i]);
	}
	store_close(s);
	buf_free(&b);
}
END_TEST

struct scan_acc {
	struct buf b;
};

static int
scan_cb(void *arg, const char *key, size_t klen, const void *val, size_t vlen)
{
	struct scan_acc *sa = arg;

	buf_append(&sa->b, key, klen);
	buf_putc(&sa->b, '=');
	buf_append(&sa->b, val, vlen);
	buf_putc(&sa->b, ';');
	return 0;
}

START_TEST(test_store_meta)
{
	struct store *s = tsu_open(tmpdir, NULL);
	struct store_meta_op ops[3];
	struct store_meta_iter *it;
	struct scan_acc sa = {BUF_INIT};
	void *v;
	size_t vl, kl;
	char *cause = NULL;

	ck_assert_int_eq(store_meta_put(s, "alert/1", 7, "one", 3, &cause), 0);
	ck_assert_int_eq(store_meta_put(s, "alert/2", 7, "two", 3, &cause), 0);
	ck_assert_int_eq(
	    store_meta_put(s, "audit/\x00\x01", 8, "x", 1, &cause), 0);
	ck_assert_int_eq(store_meta_get(s, "alert/2", 7, &v, &vl, &cause), 0);
	ck_assert_uint_eq(vl, 3);
	ck_assert_str_eq(v, "two");
	free(v);
	ck_assert_int_eq(store_meta_get(s, "alert/3", 7, &v, &vl, &cause), 1);
	ck_assert_ptr_null(v);
	ops[0] = (struct store_meta_op){"alert/3", 7, "three", 5};
	ops[1] = (struct store_meta_op){"alert/1", 7, NULL, 0};
	ops[2] = (struct store_meta_op){"hub/x", 5, "", 0};
	ck_assert_int_eq(store_meta_write(s, ops, 3, &cause), 0);
	ck_assert_int_eq(
	    store_meta_scan(s, "alert/", 6, 0, 0, scan_cb, &sa, &cause), 0);
	ck_assert_str_eq(buf_str(&sa.b), "alert/2=two;alert/3=three;");
	buf_reset(&sa.b);
	ck_assert_int_eq(
	    store_meta_scan(s, "alert/", 6, 1, 1, scan_cb, &sa, &cause), 0);
	ck_assert_str_eq(buf_str(&sa.b), "alert/3=three;");
	store_close(s);

	s = tsu_open(tmpdir, NULL);
	it = store_meta_iter_new(s, "a", 1);
	store_meta_iter_last(it);
	ck_assert(store_meta_iter_valid(it));
	ck_assert_uint_eq(store_meta_iter_value(it, &vl) != NULL, 1);
	ck_assert(memcmp(store_meta_iter_key(it, &kl), "audit/", 6) == 0);
	store_meta_iter_prev(it);
	ck_assert(memcmp(store_meta_iter_key(it, &kl), "alert/3", 7) == 0);
	store_meta_iter_seek(it, "alert/25", 8);
	ck_assert(memcmp(store_meta_iter_key(it, &kl), "alert/3", 7) == 0);
	store_meta_iter_seek_prev(it, "alert/25", 8);
	ck_assert(memcmp(store_meta_iter_key(it, &kl), "alert/2", 7) == 0);
	store_meta_iter_seek(it, "b", 1);
	ck_assert(!store_meta_iter_valid(it));
	store_meta_iter_free(it);
	ck_assert_int_eq(store_meta_get(s, "hub/x", 5, &v, &vl, &cause), 0);
	ck_assert_uint_eq(vl, 0);
	free(v);
	buf_free(&sa.b);
	store_close(s);
}
END_TEST

START_TEST(test_store_retention)
{
	struct store_options o;
	struct store *s;
	struct store_result r;
	uint32_t a;
	int64_t t, base;

	base = window_of(clock_wall_ms() - 10 * 86400000LL);
	store_options_init(&o);
	o.retention_raw_ms = 86400000LL;
	o.retention_minute_ms = 2 * 86400000LL;
	o.retention_hour_ms = 30 * 86400000LL;
	s = tsu_open(tmpdir, &o);
	a = tsu_intern(s, "m");
	for (t = base; t < base + 3 * H; t += 60000)
		tsu_write1(s, a, t, 1);
	ck_assert_int_eq(store_flush(s, 0, NULL), 0);
	r = tsu_agg(s, "m", base, base + 3 * H, STORE_AGG_COUNT, 60000);
	ck_assert_uint_eq(r.series[0].npoints, 180);
	store_result_free(&r);
	ck_assert_int_eq(store_retention_apply(s, NULL), 0);

	/* Raw points of closed hours are gone; the open hour remains. */
	raw(s, "m", base, base + 3 * H, &r);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.series[0].npoints, 60);
	ck_assert_int_eq(r.series[0].points[0].t, base + 2 * H);
	store_result_free(&r);
	/* The hour tier still answers for them. */
	r = tsu_agg(s, "m", base, base + 3 * H, STORE_AGG_COUNT, H);
	ck_assert_uint_eq(r.series[0].npoints, 3);
	ck_assert(r.series[0].points[0].v == 60);
	ck_assert(r.series[0].points[2].v == 60);
	store_result_free(&r);
	/* The minute tier is gone too. */
	r = tsu_agg(s, "m", base, base + 3 * H, STORE_AGG_COUNT, 60000);
	ck_assert_uint_eq(r.series[0].npoints, 60);
	store_result_free(&r);
	store_close(s);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *su = suite_create("store");
	TCase *tc;

	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, tsu_dir_setup, tsu_dir_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_store_write_read);
	tcase_add_test(tc, test_store_dup_late_reject);
	tcase_add_test(tc, test_store_index_matchers);
	tcase_add_test(tc, test_store_bad_keys);
	tcase_add_test(tc, test_store_last_and_list);
	tcase_add_test(tc, test_store_open_errors);
	tcase_add_test(tc, test_store_corrupt_chunk_skipped);
	tcase_add_loop_test(
	    tc, test_store_old_formats, 1, STORE_FORMAT_VERSION);
	tcase_add_test(tc, test_store_meta);
	tcase_add_test(tc, test_store_retention);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	T0 = (clock_wall_ms() / H - 12) * H + 800000;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
