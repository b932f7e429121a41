/*
 * Line-protocol ingest: parse a body, enrich each line from the territory
 * (grid -> community, subdistrict; system -> platform, dept), check the
 * writer's scope, map every numeric field to a series id (cached per tag
 * set), write the accepted points to the store in one durable batch, and
 * report per-line errors.  Used by hub/route-ingest.c, the fuzz target
 * and the ingest bench.
 */
#ifndef CB_HUB_INGEST_H
#define CB_HUB_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct hub;
struct hub_identity;
struct hub_ingest;

struct hub_ingest_result {
	size_t lines;    /* non-blank, non-comment lines */
	size_t accepted; /* lines with every point stored */
	size_t rejected; /* lines rejected */
	size_t points;   /* points stored */
	json_t *errors;  /* [{"line":L,"reason":"..."}], first max_errors */
	int status;      /* 0 ok; 413 too many lines; 503 store failed */
	char *cause;     /* for status != 0 */
};

struct hub_ingest *hub_ingest_new(void);
void hub_ingest_free(struct hub_ingest *in);
/* Forget cached tag sets (after a reload changed territory or systems). */
void hub_ingest_reset(struct hub_ingest *in);

/* Time unit multiplier/divisor for precision ("ns", "us", "ms", "s", "m",
 * "h", Influx's "n", "u"); 0 or -1 if unknown. */
int hub_ingest_precision(const char *s, int64_t *mul, int64_t *div);

/*
 * Ingest body (len bytes) written by id from source (collector name for
 * quality) with timestamps in precision (mul/div to ms).  Fills *res
 * (caller frees res->errors with json_decref and res->cause with free).
 */
void hub_ingest_body(struct hub *h, const struct hub_identity *id,
    const char *source, const char *body, size_t len, int64_t mul, int64_t div,
    struct hub_ingest_result *res);

#endif
