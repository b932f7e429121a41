/* The store's write path: checking a batch against the writer's view,
 * logging it in one RocksDB write and handing it to the apply step. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/store-int.h"

unsigned store_write_fail_next;

static void
scratch_reserve(struct store *s, size_t n)
{
	if (n <= s->sc_cap)
		return;
	s->sc_cap = n < 1024 ? 1024 : n;
	s->sc_ids = xreallocarray(s->sc_ids, s->sc_cap, sizeof *s->sc_ids);
	s->sc_ts = xreallocarray(s->sc_ts, s->sc_cap, sizeof *s->sc_ts);
	s->sc_vs = xreallocarray(s->sc_vs, s->sc_cap, sizeof *s->sc_vs);
	s->sc_undo = xreallocarray(s->sc_undo, s->sc_cap, sizeof *s->sc_undo);
}

static void
reject(struct store_write_result *res, size_t i, enum store_reject why)
{
	if (res->first_rejected == SIZE_MAX) {
		res->first_rejected = i;
		res->first_reason = why;
	}
	res->rejected[why]++;
}

/* A point of a batch, for reordering it. */
struct opoint {
	uint32_t id;
	int64_t t;
	double v;
	size_t idx; /* in the batch: equal times keep their order */
};

static int
opoint_cmp(const void *a, const void *b)
{
	const struct opoint *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Put the na accepted points (s->sc_*) in the order they are applied and
 * logged in: those before their series' newest time go last, sorted by
 * series and time, so that each series' run of them is merged one chunk
 * at a time (store_head_apply_batch()).  The last write of a (series,
 * time) stays the last: a point that comes after another of the same
 * time is always one of those moved.
 */
static void
store_write_order(struct store *s, size_t na)
{
	struct opoint *late = xreallocarray(NULL, na, sizeof *late);
	struct store_undo *u = xreallocarray(NULL, na, sizeof *u);
	size_t i, nin = 0, nl = 0, nu = 0;

	for (i = 0; i < na; i++) {
		struct series *ser = &s->ix.series[s->sc_ids[i]];
		int64_t t = s->sc_ts[i];

		if (t < ser->w_last_t) {
			late[nl].id = s->sc_ids[i];
			late[nl].t = t;
			late[nl].v = s->sc_vs[i];
			late[nl].idx = i;
			nl++;
			continue;
		}
		if (t > ser->w_last_t) {
			u[nu].id = s->sc_ids[i];
			u[nu].last_t = ser->w_last_t;
			nu++;
			ser->w_last_t = t;
		}
		s->sc_ids[nin] = s->sc_ids[i];
		s->sc_ts[nin] = t;
		s->sc_vs[nin] = s->sc_vs[i];
		nin++;
	}
	/* Back to the newest times before the batch. */
	while (nu-- > 0)
		s->ix.series[u[nu].id].w_last_t = u[nu].last_t;
	free(u);
	qsort(late, nl, sizeof *late, opoint_cmp);
	for (i = 0; i < nl; i++) {
		s->sc_ids[nin + i] = late[i].id;
		s->sc_ts[nin + i] = late[i].t;
		s->sc_vs[nin + i] = late[i].v;
	}
	free(late);
}

int
store_write(struct store *s, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, struct store_write_result *res, char **cause)
{
	return store_write_flags(s, ids, ts, vs, n, NULL, res, cause);
}

int
store_write_flags(struct store *s, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, unsigned char *acc,
    struct store_write_result *res, char **cause)
{
	struct store_write_result dummy;
	rocksdb_writebatch_t *wb = s->wb_index;
	size_t i, na = 0, nundo = 0, r;
	int64_t wall = clock_wall_ms(), horizon = -1;
	char *err = NULL, *rerr = NULL;
	uint8_t k[8];

	if (res == NULL)
		res = &dummy;
	memset(res, 0, sizeof *res);
	res->first_rejected = SIZE_MAX;
	if (store_apply_failed(s, cause) != 0)
		return -1;
	scratch_reserve(s, n);
	/* A point behind its series' newest is merged into its chunk,
	 * however far behind (a collector replaying its spool; the series
	 * may also have a point ahead of the clock), unless it is older than
	 * the raw retention, which has dropped that window's raw points: its
	 * rollups could not be rebuilt.  Points in order are always taken
	 * (a backfill of a new series). */
	if (s->opts.retention_raw_ms > 0)
		horizon = wall - s->opts.retention_raw_ms;

	/* Pass one: decide, and advance the newest times so that later
	 * points of the batch are counted against earlier ones. */
	for (i = 0; i < n; i++) {
		struct series *ser = index_series(&s->ix, ids[i]);
		int64_t t = ts[i];

		if (acc != NULL)
			acc[i] = 0;
		if (ser == NULL || ser->key == NULL) {
			reject(res, i, STORE_REJECT_SERIES);
			continue;
		}
		if (t < 0 || t >= STORE_TIME_MAX) {
			reject(res, i, STORE_REJECT_TIME);
			continue;
		}
		if (t < horizon && t <= ser->w_last_t) {
			reject(res, i, STORE_REJECT_LATE);
			continue;
		}
		if (acc != NULL)
			acc[i] = 1;
		if (t > ser->w_last_t) {
			s->sc_undo[nundo].id = ids[i];
			s->sc_undo[nundo].last_t = ser->w_last_t;
			nundo++;
			ser->w_last_t = t;
		} else if (t == ser->w_last_t)
			res->duplicates++;
		else
			res->late++;
		s->sc_ids[na] = ids[i];
		s->sc_ts[na] = t;
		s->sc_vs[na] = vs[i];
		na++;
	}
	for (r = 0; r < STORE_REJECT_MAX; r++)
		s->st.rejected[r] += res->rejected[r];
	/* The newest times move again as the points are applied. */
	while (nundo-- > 0)
		s->ix.series[s->sc_undo[nundo].id].w_last_t =
		    s->sc_undo[nundo].last_t;
	if (na == 0)
		return 0;
	if (res->late > 0)
		store_write_order(s, na);

	/* One RocksDB write: the batch (and any new series, and the write
	 * hook's records).  The new series' index records come first, up to
	 * the save point. */
	store_batchlog_encode(&s->blog, s->sc_ids, s->sc_ts, s->sc_vs, na);
	key_put64(k, s->next_seq);
	rocksdb_writebatch_set_save_point(wb);
	rocksdb_writebatch_put_cf(wb, s->cf[STORE_CF_BATCHLOG], (const char *)k,
	    8, s->blog.data, s->blog.len);
	store_write_hook_prepare(s, wb, s->sc_ids, s->sc_ts, s->sc_vs, na);
	if (store_write_fail_next > 0) { /* tests: a refused write */
		store_write_fail_next--;
		err = xstrdup("IO error: No space left on device (test)");
	} else
		rocksdb_write(s->db, s->wo_durable, wb, &err);
	if (err != NULL) {
		/* Nothing was written.  The index records of the new series
		 * stay pending: the series stay in the index in memory, and
		 * once RocksDB takes writes again (it resumes by itself after
		 * ENOSPC when space is freed) their points must not be logged
		 * without them, or a restart drops the series. */
		rocksdb_writebatch_rollback_to_save_point(wb, &rerr);
		if (rerr != NULL)
			abort(); /* the save point was set above */
		store_write_hook_done(s, 0);
		res->accepted = 0;
		if (cause != NULL)
			*cause = xasprintf(
			    "%s: writing the batch log: %s", s->dir, err);
		free(err);
		return -1;
	}
	rocksdb_writebatch_clear(wb);
	s->next_seq++;

	/* Logged: the writer's view moves now, the head when the batch is
	 * applied (in the apply thread, if there is one). */
	for (i = 0; i < na; i++) {
		struct series *ser = &s->ix.series[s->sc_ids[i]];

		if (s->sc_ts[i] >= ser->w_last_t) {
			ser->w_last_t = s->sc_ts[i];
			ser->w_last_v = s->sc_vs[i];
		}
		ser->w_last_write_ms = wall;
	}
	res->accepted = na;
	s->st.points_written += na;
	store_apply_submit(s, s->sc_ids, s->sc_ts, s->sc_vs, na, wall,
	    s->next_seq - 1, s->blog.len);
	store_write_hook_done(s, 1);
	return 0;
}

int
store_write_keys(struct store *s, const struct store_kpoint *pts, size_t n,
    struct store_write_result *res, char **cause)
{
	struct store_write_result dummy, sub;
	uint32_t *ids;
	int64_t *ts;
	double *vs;
	size_t *orig, i, na = 0, r;
	int rc;

	if (res == NULL)
		res = &dummy;
	ids = xreallocarray(NULL, n + 1, sizeof *ids);
	ts = xreallocarray(NULL, n + 1, sizeof *ts);
	vs = xreallocarray(NULL, n + 1, sizeof *vs);
	orig = xreallocarray(NULL, n + 1, sizeof *orig);
	memset(res, 0, sizeof *res);
	res->first_rejected = SIZE_MAX;
	for (i = 0; i < n; i++) {
		if (store_series_intern(s, pts[i].key, strlen(pts[i].key),
		        &ids[na], NULL) != 0) {
			reject(res, i, STORE_REJECT_SERIES);
			s->st.rejected[STORE_REJECT_SERIES]++;
			continue;
		}
		ts[na] = pts[i].t;
		vs[na] = pts[i].v;
		orig[na] = i;
		na++;
	}
	rc = store_write(s, ids, ts, vs, na, &sub, cause);
	res->accepted = sub.accepted;
	res->duplicates = sub.duplicates;
	res->late = sub.late;
	for (r = 0; r < STORE_REJECT_MAX; r++)
		res->rejected[r] += sub.rejected[r];
	if (sub.first_rejected != SIZE_MAX &&
	    (res->first_rejected == SIZE_MAX ||
	        orig[sub.first_rejected] < res->first_rejected)) {
		res->first_rejected = orig[sub.first_rejected];
		res->first_reason = sub.first_reason;
	}
	free(ids);
	free(ts);
	free(vs);
	free(orig);
	return rc;
}
