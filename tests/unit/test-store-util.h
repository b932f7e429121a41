/* Helpers shared by the store tests: temporary stores, selectors. */
#ifndef CB_TEST_STORE_UTIL_H
#define CB_TEST_STORE_UTIL_H

#include <check.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/selector.h"
#include "store/rate-minute.h"
#include "store/store.h"

static int
tsu_rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

/* A deterministic xorshift generator, so failures repeat. */
static uint64_t tsu_rng_state = 88172645463325252ULL;

static inline uint64_t
tsu_rng(void)
{
	tsu_rng_state ^= tsu_rng_state << 13;
	tsu_rng_state ^= tsu_rng_state >> 7;
	tsu_rng_state ^= tsu_rng_state << 17;
	return tsu_rng_state;
}

/* Remove a directory tree. */
static inline void
tsu_rmtree(const char *dir)
{
	nftw(dir, tsu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* A new temporary directory (static buffer of the caller's). */
static inline void
tsu_tmpdir(char *buf, size_t len)
{
	const char *base = getenv("TMPDIR");

	snprintf(buf, len, "%s/cb-store-XXXXXX", base != NULL ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(buf));
}

/* A Check fixture: a fresh temporary directory per test, tsu_dir(). */
static inline char *
tsu_dir(void)
{
	static char dir[256];

	return dir;
}

static inline void
tsu_dir_setup(void)
{
	tsu_tmpdir(tsu_dir(), 256);
}

static inline void
tsu_dir_teardown(void)
{
	tsu_rmtree(tsu_dir());
}

/* The store directory inside a temporary directory. */
static inline struct store *
tsu_open(const char *dir, const struct store_options *o)
{
	char *cause = NULL;
	struct store *s = store_open(dir, o, &cause);

	if (s == NULL)
		ck_abort_msg("store_open %s: %s", dir, cause);
	return s;
}

static inline struct selector *
tsu_sel(const char *text)
{
	char *cause = NULL;
	struct selector *sel = selector_parse_cause(text, &cause);

	if (sel == NULL)
		ck_abort_msg("selector %s: %s", text, cause);
	return sel;
}

static inline uint32_t
tsu_intern(struct store *s, const char *key)
{
	char *cause = NULL;
	uint32_t id;

	if (store_series_intern(s, key, strlen(key), &id, &cause) != 0)
		ck_abort_msg("intern %s: %s", key, cause);
	return id;
}

static inline void
tsu_write1(struct store *s, uint32_t id, int64_t t, double v)
{
	char *cause = NULL;

	if (store_write(s, &id, &t, &v, 1, NULL, &cause) != 0)
		ck_abort_msg("write: %s", cause);
}

/* An aggregate query of one selector, one result per series. */
static inline struct store_result
tsu_agg(struct store *s, const char *sel, int64_t start, int64_t end,
    enum store_agg agg, int64_t step)
{
	struct store_query q;
	struct store_result r;
	char *cause = NULL;

	memset(&q, 0, sizeof q);
	q.sel = tsu_sel(sel);
	q.start = start;
	q.end = end;
	q.agg = agg;
	q.step = step;
	if (store_query_run(s, &q, &r, &cause) != 0)
		ck_abort_msg("query %s: %s", sel, cause);
	selector_free((struct selector *)q.sel);
	return r;
}

/* Bit-identical doubles (NaN payloads included). */
static inline int
tsu_same(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* The same rate summaries of a minute (resets compared where there are
 * any: the sum is not kept without). */
static inline int
tsu_same_minute(const struct rate_minute *a, const struct rate_minute *b)
{
	if (a->count != b->count)
		return 0;
	if (a->count == 0)
		return 1;
	return a->first_t == b->first_t && a->last_t == b->last_t &&
	       tsu_same(a->first, b->first) && tsu_same(a->last, b->last) &&
	       a->nresets == b->nresets &&
	       (a->nresets == 0 || tsu_same(a->resets, b->resets));
}

#endif
