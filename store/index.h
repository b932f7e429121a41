/*
 * The in-memory series index: series by id, a hash of canonical keys,
 * and postings lists (tag=value -> ascending ids; the metric is the tag
 * __name__).  It is rebuilt at open from the index column family, which
 * holds only id -> key.
 */
#ifndef CB_STORE_INDEX_H
#define CB_STORE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/selector.h"
#include "store/chunk.h"

struct headagg;

/* Per-series state.  flags: SERIES_DIRTY (head changed since the last
 * checkpoint).  The fields up to agg are the head's (the store's apply
 * thread writes them, store/apply.c); the w_ fields are the writer's
 * view of the same series (store_write() on the caller's thread keeps
 * them, from the batches the batch log holds, applied or not). */
struct series {
	char *key; /* canonical key, owned */
	uint32_t hash;
	uint32_t flags;
	int64_t first_t;      /* oldest point written (-1: none) */
	int64_t last_t;       /* newest point accepted (-1: none) */
	int64_t closed_max_t; /* newest point in a closed chunk */
	double last_v;
	int64_t last_write_ms;
	struct chunk_enc *open; /* the open chunk, NULL when none */
	struct headagg *agg;    /* its per-minute aggregates (with open) */
	int64_t w_last_t;       /* newest point logged (-1: none) */
	double w_last_v;
	int64_t w_last_write_ms;
	struct chunk_enc *sealed; /* a chunk that ended its window, closed
	                             later by the apply thread (head.c) */
	uint32_t close_slot;      /* 1 + its item at the close thread (close.c),
	                             0: not handed */
};

#define SERIES_DIRTY 0x1

/* A string-keyed hash map; keys are copied, values borrowed. */
struct strmap_ent {
	char *key;
	uint32_t hash;
	void *val;
};
struct strmap {
	struct strmap_ent *ents; /* insertion order */
	uint32_t n, cap;
	uint32_t *tab; /* 1 + index into ents, 0 empty */
	uint32_t tmask;
};

/* One tag=value: its ascending ids. */
struct posting {
	const char *value; /* the key in the tag's value map */
	uint32_t *ids;
	uint32_t n, cap;
};

/* One tag name: value -> struct posting *. */
struct tagname {
	const char *name;
	struct strmap values;
};

struct index {
	struct series *series; /* by id; series[0] unused */
	uint32_t n;            /* ids in use are 1 .. n */
	uint32_t cap;
	uint32_t *tab; /* key hash -> id, 0 empty */
	uint32_t tmask;
	struct strmap tags; /* name -> struct tagname * */
	size_t mem;         /* bytes allocated, for stats */
};

uint32_t index_hash(const char *key, size_t len);
void index_init(struct index *ix);
void index_free(struct index *ix);
/* Id of canonical key, or 0. */
uint32_t index_lookup(
    const struct index *ix, const char *key, size_t len, uint32_t hash);
/* Add a canonical key as id (ids must be added in increasing order; 0
 * means the next free id).  Returns the id, or 0 if the key does not
 * parse (*cause set). */
uint32_t index_add(
    struct index *ix, uint32_t id, const char *key, size_t len, char **cause);
static inline struct series *
index_series(const struct index *ix, uint32_t id)
{
	return id >= 1 && id <= ix->n ? &ix->series[id] : NULL;
}

/* Ids matching sel (NULL: all), ascending; *ids is heap memory the
 * caller frees. */
void index_match(const struct index *ix, const struct selector *sel,
    uint32_t **ids, size_t *n);
/* Sort ids by their series' keys. */
void index_sort_by_key(const struct index *ix, uint32_t *ids, size_t n);
/* Values of tag among ids (sorted ascending, may be NULL for all):
 * sorted, NULL-terminated, heap (store_strings_free). */
char **index_tag_values(const struct index *ix, const char *tag,
    const uint32_t *ids, size_t n, size_t *count);
char **index_tag_names(const struct index *ix, size_t *count);
/* Value of tag name in canonical key, unescaped into out; 0 if present,
 * -1 if absent. */
int index_key_tag(const char *key, const char *name, struct buf *out);

#endif
