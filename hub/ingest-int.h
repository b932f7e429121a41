/*
 * Internals of line-protocol ingest shared by hub/ingest-parse.c (the
 * first half of a body: parsing, enrichment, scope, limits; any thread),
 * hub/ingest.c (the second half: series ids, quotas, the store write, the
 * live status; the loop thread), hub/ingest-cache.c (the tag-set cache:
 * classification, enrichment and series of each distinct measurement +
 * tag set) and hub/ingest-pool.c (the worker threads).
 *
 * Thread safety: a struct hub_ingest (a context: parser, tag-set cache,
 * the parsed batch) is used by one thread at a time, handed between a
 * worker and the loop thread under the pool's lock.  The first half reads
 * only what a reload replaces (h->territory, h->systems, the identity's
 * user or token) and h->config, never the store, the status or the
 * quotas; a reload finishes every body in flight first
 * (hub_ingest_flush).
 */
#ifndef CB_HUB_INGEST_INT_H
#define CB_HUB_INGEST_INT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/lineproto.h"

struct hub;
struct hub_identity;
struct hub_ingest_quota;
struct hub_ingest_result;

#define INGEST_CACHE_MAX 1000000 /* tag sets before the cache starts over */

enum ingest_special {
	INGEST_PLAIN,
	INGEST_SYSTEM_UP,
	INGEST_SYSTEM_LATENCY,
};

struct ingest_field {
	char *key;
	size_t klen;
	uint32_t id;  /* 0: not in the store yet (skey is its key) */
	char *skey;   /* canonical series key until the series exists */
	int headline; /* index into config headline, or -1 */
	enum ingest_special special;
	char *error; /* invalid name: the reason; no id */
};

/* One distinct measurement + tag set, as written on the wire. */
struct ingest_entry {
	char *key;
	size_t klen;
	uint64_t hash;
	int node;      /* grid or community node, or -1 */
	int place;     /* the most precise territory tag's node, or -1 */
	int sys;       /* catalogue index, or -1 */
	int has_sys;   /* line carries a system tag */
	int has_place; /* line carries a territory tag */
	int reject;    /* enum hub_reject + 1, or 0 */
	char *reason;
	struct ingest_field *fields;
	size_t nfields;
};

/* What a point changes in the live status once the store took it. */
struct ingest_show {
	int node, sys, headline;
	enum ingest_special special;
};

/* A line the second half must look at, in line order: a line refused by
 * the first half (rj >= 0, with its reason while the reply can still list
 * it), or an accepted line with fields still to resolve to series ids
 * (rj -1: points [first, first + n)). */
struct ingest_mark {
	size_t line;
	size_t first, n;
	int rj;       /* enum hub_reject, or -1 */
	char *reason; /* owned; NULL past limits.max_errors */
};

/* The field of a point whose series id is not known yet (ids[k] 0). */
struct ingest_ref {
	struct ingest_entry *e;
	size_t field;
};

struct hub_worker_pool; /* hub/ingest-pool.c */

struct hub_ingest {
	struct lp_parser *lp;
	struct ingest_entry **table;
	size_t cap, n;
	struct buf scratch;
	uint32_t *ids;
	int64_t *ts;
	double *vs;
	size_t *lines;
	unsigned char *acc; /* per point: accepted by the store */
	struct ingest_show *show;
	struct ingest_ref *refs;
	size_t npoints, cpoints;
	struct hub_ingest_quota *quota; /* the hub's context only */

	/* The first half's outcome, read by the second. */
	struct ingest_mark *marks;
	size_t nmarks, cmarks, nreasons;
	size_t nlines, naccepted;
	int status;               /* 413, or 0 */
	char *cause;              /* for status (owned) */
	uint64_t unknown_systems; /* new tag sets with an unknown system */

	struct hub_worker_pool *pool; /* the hub's context only; NULL: off */
	struct buf text;              /* a worker's copy of the body */
};

/*
 * The first half of body (len bytes) written by id at now, timestamps in
 * precision mul/div: fills in's points and marks.  Any thread; reads
 * h->config, h->territory, h->systems and id only.
 */
void ingest_parse(struct hub *h, struct hub_ingest *in,
    const struct hub_identity *id, const char *body, size_t len, int64_t mul,
    int64_t div, int64_t now);
/*
 * The second half, on the loop thread: resolve series ids (quotas of
 * writer source), write to the store, show what it stored, queue it for
 * forwarding, count.  Fills *res as hub_ingest_body() does.
 */
void ingest_commit(struct hub *h, struct hub_ingest *in, const char *source,
    int64_t now, struct hub_ingest_result *res);
/* Drop the first half's outcome (marks, reasons, cause). */
void ingest_batch_clear(struct hub_ingest *in);
/* Room for more points. */
void ingest_reserve(struct hub_ingest *in, size_t more);

/* The cache entry of pt's measurement and tags (created on first use;
 * owned by the cache, valid until hub_ingest_reset). */
struct ingest_entry *ingest_entry_get(struct hub *h, struct hub_ingest *in,
    const struct lp_point *pt, const char *body, size_t blen);
/* Field lf of entry e (tags from pt), hint its probable index; owned by
 * e.  Its error is set for an invalid name. */
struct ingest_field *ingest_field_get(struct hub *h, struct ingest_entry *e,
    const struct lp_point *pt, const struct lp_field *lf, size_t hint);
/*
 * Give f its series id: the existing series, or a new one while writer
 * source is inside its new-series quotas (*created counts the request's
 * new series).  NULL, or why not (borrowed).
 */
const char *ingest_field_resolve(struct hub *h, struct ingest_field *f,
    const char *source, int64_t now, size_t *created);

#endif
