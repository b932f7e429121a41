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
/* Free in (hub_ingest_stop first for the hub's own). */
void hub_ingest_free(struct hub_ingest *in);
/* Forget a context's cached tag sets (hub_ingest_reset_all after a
 * reload changed territory or systems). */
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

/* ---- Worker threads (hub/ingest-pool.c) ---------------------------------
 * The first half of a body (parsing, enrichment, write scope, limits) runs
 * on a worker; the second (new series and their quotas, the store write
 * in submission order of finished halves, the live status, forwarding)
 * and the reply on the loop thread, so the store keeps one writer and a
 * 2xx still follows the batch log write.  All of these are called on the
 * loop thread. */

struct buf;

/* Start nthreads workers (-1: one per online core; 0: none, bodies are
 * ingested on the loop thread as hub_ingest_body() does).  0, or -1 with
 * *cause (caller frees). */
int hub_ingest_start(struct hub *h, int nthreads, char **cause);
/* Finish every body in flight: their second halves run and their done
 * callbacks are called.  Before anything the workers read is replaced. */
void hub_ingest_flush(struct hub *h);
/* Flush, then end the workers (before hub_ingest_free). */
void hub_ingest_stop(struct hub *h);
/* Flush, then forget every context's cached tag sets (after a reload). */
void hub_ingest_reset_all(struct hub *h);
/* Workers running (0: ingest on the loop thread). */
int hub_ingest_threads(const struct hub *h);
/* The workers' gauges and counters for /metrics (Prometheus text). */
void hub_ingest_metrics(struct hub *h, struct buf *out);

/*
 * Ingest body as hub_ingest_body() does, its first half on a worker when
 * there are workers (which copies the bytes out); then done(arg, res) on
 * the loop thread (within this call without workers), which takes
 * res->errors and res->cause.  Takes body (an evbuffer no one else uses,
 * without callbacks; see hub_req_body_take); id's strings and token must
 * stay valid until done (a reload flushes first); source is copied.
 */
struct evbuffer;
void hub_ingest_submit(struct hub *h, const struct hub_identity *id,
    const char *source, struct evbuffer *body, int64_t mul, int64_t div,
    void (*done)(void *arg, struct hub_ingest_result *res), void *arg);

#endif
