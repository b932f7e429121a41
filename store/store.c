/* The store's entry points: open, close, series, stats (writes: write.c). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/headagg.h"
#include "store/store-int.h"

static const char *reject_names[STORE_REJECT_MAX] = {
    [STORE_REJECT_LATE] = "late",
    [STORE_REJECT_TIME] = "time",
    [STORE_REJECT_SERIES] = "series",
};

const char *
store_reject_name(enum store_reject r)
{
	return r < STORE_REJECT_MAX ? reject_names[r] : "?";
}

void
store_options_init(struct store_options *o)
{
	memset(o, 0, sizeof *o);
	o->create = 1;
	o->fsync = 0;
	o->late_window_ms = 3600 * 1000LL;
	o->retention_raw_ms = 30 * 86400 * 1000LL;
	o->retention_minute_ms = 365 * 86400 * 1000LL;
	o->retention_hour_ms = 5 * 365 * 86400 * 1000LL;
	o->cache_bytes = 64 << 20;
	o->batchlog_bytes = 8 << 20;
	o->apply_thread = 1;
}

void
store_warn(struct store *s, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	if (s->opts.warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->opts.warn(s->opts.warn_arg, msg);
}

int
store_set_failed(struct store *s, const char *what, char *err, char **cause)
{
	store_apply_set_failed(s,
	    xasprintf("%s: %s failed: %s (store is read-only until reopened)",
	        s->dir, what, err));
	free(err);
	/* Only the thread that set it (or a waiter on an idle thread)
	 * reads it here. */
	if (cause != NULL)
		*cause = xstrdup(s->failed);
	return -1;
}

void
store_mark_dirty(struct store *s, struct series *ser)
{
	if (ser->flags & SERIES_DIRTY)
		return;
	ser->flags |= SERIES_DIRTY;
	if (s->ndirty == s->dirty_cap) {
		s->dirty_cap = s->dirty_cap < 1024 ? 1024 : s->dirty_cap * 2;
		s->dirty =
		    xreallocarray(s->dirty, s->dirty_cap, sizeof *s->dirty);
	}
	s->dirty[s->ndirty++] = (uint32_t)(ser - s->ix.series);
}

rocksdb_iterator_t *
store_iter(struct store *s, enum store_cf cf, int prefix)
{
	rocksdb_iterator_t *base;

	base = rocksdb_create_iterator_cf(
	    s->db, prefix ? s->ro_prefix : s->ro, s->cf[cf]);
	if (rocksdb_writebatch_wi_count(s->pending) == 0)
		return base;
	return rocksdb_writebatch_wi_create_iterator_with_base_cf(
	    s->pending, base, s->cf[cf]);
}

int
store_get(struct store *s, enum store_cf cf, const void *key, size_t klen,
    char **val, size_t *vlen, char **cause)
{
	char *err = NULL, *v;

	if (rocksdb_writebatch_wi_count(s->pending) == 0)
		return store_db_get(s, cf, key, klen, val, vlen, cause);
	v = rocksdb_writebatch_wi_get_from_batch_and_db_cf(
	    s->pending, s->db, s->ro, s->cf[cf], key, klen, vlen, &err);
	if (err != NULL) {
		if (cause != NULL)
			*cause =
			    xasprintf("reading %s: %s", store_cf_name(cf), err);
		free(err);
		*val = NULL;
		return -1;
	}
	if (v != NULL) {
		*val = xmalloc(*vlen + 1);
		memcpy(*val, v, *vlen);
		(*val)[*vlen] = '\0';
		rocksdb_free(v);
	} else
		*val = NULL;
	return 0;
}

/* The writer's view of each series from the head, at open. */
static void
store_writer_view_init(struct store *s)
{
	uint32_t id;

	for (id = 1; id <= s->ix.n; id++) {
		struct series *ser = &s->ix.series[id];

		ser->w_last_t = ser->last_t;
		ser->w_last_v = ser->last_v;
		ser->w_last_write_ms = ser->last_write_ms;
	}
}

static int
store_index_load(struct store *s, char **cause)
{
	rocksdb_iterator_t *it;
	char *err = NULL, *why = NULL;

	it = rocksdb_create_iterator_cf(s->db, s->ro, s->cf[STORE_CF_INDEX]);
	for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it);
	     rocksdb_iter_next(it)) {
		const char *key, *val;
		size_t kl, vl;
		uint32_t id;

		key = rocksdb_iter_key(it, &kl);
		val = rocksdb_iter_value(it, &vl);
		id = kl == 4 ? key_get32((const uint8_t *)key) : 0;
		if (id == 0 || id <= s->ix.n ||
		    index_add(&s->ix, id, val, vl, &why) == 0) {
			store_warn(s, "index: bad series record %u skipped: %s",
			    id, why != NULL ? why : "bad key");
			free(why);
			why = NULL;
		}
	}
	rocksdb_iter_get_error(it, &err);
	rocksdb_iter_destroy(it);
	if (err != NULL) {
		*cause = xasprintf("%s: reading the index: %s", s->dir, err);
		free(err);
		return -1;
	}
	return 0;
}

/*
 * A new pending batch, its buffer reserved at twice the batch log's size:
 * a checkpoint adds every dirty series' head record to it, and a buffer
 * that grows by doubling holds the old copy and the new at once (4 and
 * 8 MiB at bench/ingest-bench's peak).  A reserve that large is mapped
 * memory (the hub's mmap threshold is 2 MiB), resident only as it fills.
 */
rocksdb_writebatch_wi_t *
store_pending_new(const struct store *s)
{
	return rocksdb_writebatch_wi_create(2 * s->opts.batchlog_bytes, 1);
}

static void
store_free(struct store *s)
{
	store_apply_stop(s);
	store_db_close(s);
	index_free(&s->ix);
	if (s->pending != NULL)
		rocksdb_writebatch_wi_destroy(s->pending);
	if (s->wb_index != NULL)
		rocksdb_writebatch_destroy(s->wb_index);
	chunk_enc_free(&s->late_enc);
	buf_free(&s->blog);
	buf_free(&s->tmp);
	buf_free(&s->rtmp);
	bitw_free(&s->rbits);
	buf_free(&s->close_res.minute);
	buf_free(&s->ktmp);
	ptvec_free(&s->pts);
	ptvec_free(&s->blog_pts);
	buf_free(&s->blog_ids);
	free(s->sc_ids);
	free(s->sc_ts);
	free(s->sc_vs);
	free(s->sc_undo);
	free(s->dirty);
	free(s->sealed);
	free(s->failed);
	free(s->dir);
	free(s);
}

struct store *
store_open(const char *dir, const struct store_options *o, char **cause)
{
	struct store *s = xcalloc(1, sizeof *s);
	char *dummy = NULL;

	if (cause == NULL)
		cause = &dummy;
	s->dir = xstrdup(dir);
	if (o != NULL)
		s->opts = *o;
	else
		store_options_init(&s->opts);
	if (s->opts.late_window_ms < 0 || s->opts.retention_raw_ms < 0 ||
	    s->opts.retention_minute_ms < 0 || s->opts.retention_hour_ms < 0) {
		*cause = xstrdup("store options: negative duration");
		goto fail;
	}
	if (s->opts.cache_bytes == 0)
		s->opts.cache_bytes = 8 << 20;
	if (s->opts.batchlog_bytes == 0)
		s->opts.batchlog_bytes = 8 << 20;
	index_init(&s->ix);
	s->pending = store_pending_new(s);
	s->wb_index = rocksdb_writebatch_create();
	s->max_data_t = -1;
	s->written_from = INT64_MAX;
	s->now_ms = clock_wall_ms();
	chunk_enc_init(&s->late_enc);
	if (store_db_open(s, cause) != 0 ||
	    store_queue_mark_load(s, cause) != 0 ||
	    store_index_load(s, cause) != 0 || store_head_load(s, cause) != 0 ||
	    store_batchlog_replay(s, cause) != 0)
		goto fail;
	if (s->st.batches_replayed > 0 &&
	    store_head_checkpoint(s, 0, cause) != 0)
		goto fail;
	if (store_retention_run(s, clock_wall_ms(), cause) != 0)
		goto fail;
	store_writer_view_init(s);
	if (s->opts.apply_thread && store_apply_start(s, cause) != 0)
		goto fail;
	free(dummy);
	return s;
fail:
	free(dummy);
	store_free(s);
	return NULL;
}

void
store_close(struct store *s)
{
	char *cause = NULL;

	if (s == NULL)
		return;
	store_apply_stop(s);
	/* Everything flushed, so that the directory at rest holds no
	 * write-ahead log beyond RocksDB's current one.  A checkpoint must
	 * not follow a failed index write: its head records would name
	 * series the index lacks. */
	if (s->failed == NULL && s->db != NULL &&
	    store_flush(s, 0, &cause) != 0) {
		store_warn(s, "closing: %s", cause);
		free(cause);
	}
	store_free(s);
}

/* ---- series ---- */

const char *
store_series_key(struct store *s, uint32_t id)
{
	struct series *ser = index_series(&s->ix, id);

	return ser == NULL ? NULL : ser->key;
}

int
store_series_lookup(
    struct store *s, const char *key, size_t len, uint32_t *id, char **cause)
{
	*id = index_lookup(&s->ix, key, len, index_hash(key, len));
	if (*id != 0)
		return 0;
	buf_reset(&s->ktmp);
	if (serieskey_canonicalize(key, len, &s->ktmp, cause) != 0)
		return -1;
	*id = index_lookup(&s->ix, s->ktmp.data, s->ktmp.len,
	    index_hash(s->ktmp.data, s->ktmp.len));
	if (*id != 0)
		return 0;
	if (cause != NULL)
		*cause = xasprintf("no series %s", s->ktmp.data);
	return -1;
}

/* Create a series from its canonical key (in s->ktmp). */
static uint32_t
store_series_create(struct store *s, char **cause)
{
	uint32_t id;
	uint8_t k[4];

	store_apply_wait(s); /* the apply thread reads the series array */
	id = index_add(&s->ix, 0, s->ktmp.data, s->ktmp.len, cause);
	if (id == 0)
		return 0;
	key_put32(k, id);
	rocksdb_writebatch_put_cf(s->wb_index, s->cf[STORE_CF_INDEX],
	    (const char *)k, 4, s->ktmp.data, s->ktmp.len);
	return id;
}

int
store_series_intern(
    struct store *s, const char *key, size_t len, uint32_t *id, char **cause)
{
	uint32_t h = index_hash(key, len);

	if ((*id = index_lookup(&s->ix, key, len, h)) != 0)
		return 0;
	buf_reset(&s->ktmp);
	if (serieskey_canonicalize(key, len, &s->ktmp, cause) != 0)
		return -1;
	if (s->ktmp.len != len || memcmp(s->ktmp.data, key, len) != 0) {
		*id = index_lookup(&s->ix, s->ktmp.data, s->ktmp.len,
		    index_hash(s->ktmp.data, s->ktmp.len));
		if (*id != 0)
			return 0;
	}
	*id = store_series_create(s, cause);
	return *id == 0 ? -1 : 0;
}

int
store_series_intern_tags(struct store *s, const char *metric,
    const struct serieskey_tag *tags, size_t ntags, uint32_t *id, char **cause)
{
	buf_reset(&s->ktmp);
	if (serieskey_build(&s->ktmp, metric, tags, ntags, cause) != 0)
		return -1;
	*id = index_lookup(&s->ix, s->ktmp.data, s->ktmp.len,
	    index_hash(s->ktmp.data, s->ktmp.len));
	if (*id != 0)
		return 0;
	*id = store_series_create(s, cause);
	return *id == 0 ? -1 : 0;
}

/* ---- index queries ---- */

int
store_series_last(struct store *s, uint32_t id, int64_t *last_t, double *last_v,
    int64_t *last_write_ms)
{
	struct series *ser = index_series(&s->ix, id);

	if (ser == NULL || ser->key == NULL)
		return -1;
	/* The writer's view: what store_write() took, applied or not. */
	if (last_t != NULL)
		*last_t = ser->w_last_t;
	if (last_v != NULL)
		*last_v = ser->w_last_v;
	if (last_write_ms != NULL)
		*last_write_ms = ser->w_last_write_ms;
	return 0;
}

int
store_series_list(struct store *s, const struct selector *sel,
    struct store_series_list *l, char **cause)
{
	uint32_t *ids;
	size_t n, i;

	store_apply_wait(s);
	index_match(&s->ix, sel, &ids, &n);
	index_sort_by_key(&s->ix, ids, n);
	l->n = n;
	l->series = xcalloc(n + 1, sizeof *l->series);
	for (i = 0; i < n; i++) {
		const struct series *ser = &s->ix.series[ids[i]];
		struct store_series_info *si = &l->series[i];

		si->id = ids[i];
		si->key = xstrdup(ser->key);
		si->first_t = ser->first_t;
		si->last_t = ser->last_t;
		si->last_v = ser->last_v;
		si->last_write_ms = ser->last_write_ms;
	}
	free(ids);
	return 0;
}

void
store_series_list_free(struct store_series_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->series[i].key);
	free(l->series);
	memset(l, 0, sizeof *l);
}

int
store_tag_values(struct store *s, const char *tag, const struct selector *sel,
    char ***values, size_t *n, char **cause)
{
	uint32_t *ids = NULL;
	size_t nids = 0;

	if (sel != NULL)
		index_match(&s->ix, sel, &ids, &nids);
	*values =
	    index_tag_values(&s->ix, tag, sel != NULL ? ids : NULL, nids, n);
	free(ids);
	return 0;
}

int
store_tag_names(struct store *s, char ***names, size_t *n, char **cause)
{
	*names = index_tag_names(&s->ix, n);
	return 0;
}

void
store_strings_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* ---- maintenance ---- */

int
store_flush(struct store *s, int compact, char **cause)
{
	rocksdb_flushoptions_t *fo;
	rocksdb_compactoptions_t *co;
	char *err = NULL;
	int cf;

	store_apply_wait(s);
	if (s->failed != NULL) {
		if (cause != NULL)
			*cause = xstrdup(s->failed);
		return -1;
	}
	if (rocksdb_writebatch_count(s->wb_index) > 0) {
		rocksdb_write(s->db, s->wo_durable, s->wb_index, &err);
		if (err != NULL)
			return store_set_failed(s, "index write", err, cause);
		rocksdb_writebatch_clear(s->wb_index);
	}
	if (store_head_checkpoint(s, 0, cause) != 0)
		return -1;
	fo = rocksdb_flushoptions_create();
	rocksdb_flushoptions_set_wait(fo, 1);
	for (cf = 0; cf < STORE_CF_MAX && err == NULL; cf++)
		rocksdb_flush_cf(s->db, fo, s->cf[cf], &err);
	rocksdb_flushoptions_destroy(fo);
	if (err == NULL && !compact)
		return store_db_tidy(s, 1, cause);
	/* Fully: the last level too (a file moved there unchanged is
	 * rewritten, with the last level's compression). */
	co = rocksdb_compactoptions_create();
	rocksdb_compactoptions_set_bottommost_level_compaction(co, 3);
	for (cf = 0; compact && cf < STORE_CF_MAX && err == NULL; cf++)
		rocksdb_compact_range_cf_opt(
		    s->db, s->cf[cf], co, NULL, 0, NULL, 0);
	rocksdb_compactoptions_destroy(co);
	if (err != NULL) {
		if (cause != NULL)
			*cause = xasprintf("%s: flush: %s", s->dir, err);
		free(err);
		return -1;
	}
	return 0;
}

static uint64_t
cf_property(struct store *s, int cf, const char *name)
{
	char *v = rocksdb_property_value_cf(s->db, s->cf[cf], name);
	uint64_t x = 0;

	if (v != NULL) {
		x = strtoull(v, NULL, 10);
		rocksdb_free(v);
	}
	return x;
}

int
store_stats_get(struct store *s, struct store_stats *st, char **cause)
{
	uint32_t id;
	int cf;

	store_apply_wait(s);
	*st = s->st;
	st->series = 0;
	st->active_series = 0;
	st->head_chunk_bytes = 0;
	for (id = 1; id <= s->ix.n; id++) {
		const struct series *ser = &s->ix.series[id];

		if (ser->key == NULL)
			continue;
		st->series++;
		if (ser->open != NULL) {
			st->head_chunk_bytes += chunk_enc_memory(ser->open);
			if (ser->open->n > 0)
				st->active_series++;
		}
		if (ser->agg != NULL)
			st->head_chunk_bytes += headagg_memory(ser->agg);
	}
	st->head_bytes =
	    s->ix.mem + st->head_chunk_bytes + s->dirty_cap * sizeof *s->dirty;
	st->disk_bytes = 0;
	st->memtable_bytes = 0;
	for (cf = 0; cf < STORE_CF_MAX; cf++) {
		st->cf_bytes[cf] =
		    cf_property(s, cf, "rocksdb.total-sst-files-size");
		st->disk_bytes += st->cf_bytes[cf];
		st->memtable_bytes +=
		    cf_property(s, cf, "rocksdb.cur-size-all-mem-tables");
	}
	return 0;
}

int
store_retention_apply(struct store *s, char **cause)
{
	store_apply_wait(s);
	s->retention_done = 0;
	return store_retention_run(s, clock_wall_ms(), cause);
}
