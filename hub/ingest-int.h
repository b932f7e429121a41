/*
 * Internals of line-protocol ingest shared by hub/ingest.c (the request
 * path: scope, limits, the store write, the live status) and
 * hub/ingest-cache.c (the tag-set cache: classification, enrichment and
 * series of each distinct measurement + tag set).
 */
#ifndef CB_HUB_INGEST_INT_H
#define CB_HUB_INGEST_INT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/lineproto.h"

struct hub;
struct hub_ingest_quota;

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

struct hub_ingest {
	struct lp_parser *lp;
	struct ingest_entry **table;
	size_t cap, n;
	struct buf scratch;
	uint32_t *ids;
	int64_t *ts;
	double *vs;
	size_t *lines;
	struct ingest_show *show;
	size_t npoints, cpoints;
	struct hub_ingest_quota *quota;
};

/* The cache entry of pt's measurement and tags (created on first use;
 * owned by the cache, valid until the next call). */
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
