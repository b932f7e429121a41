/*
 * Prometheus remote-write 1.0, the hub's door to it (hub/remote/):
 *
 * - the codec (remote-codec.c): a WriteRequest body is a protobuf message
 *   (hub/remote/remote.proto) compressed with snappy's block format;
 *   decoding and encoding use Debian's libsnappy and protobuf-c;
 * - ingest (remote-ingest.c): a decoded request goes through the same
 *   common ingest as line protocol (hub/ingest.h), so enrichment, write
 *   scopes, limits and durability are the same; `__name__` is the metric;
 * - the routes (route-remote.c): POST /prometheus/api/v1/write, and
 *   /api/v1/write when the Content-Type is application/x-protobuf.
 *
 * docs/api.md ("Prometheus remote-write") is the contract.
 */
#ifndef CB_HUB_REMOTE_H
#define CB_HUB_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/hub.h"

struct buf;

struct remote_label {
	const char *name;
	const char *value;
};

struct remote_sample {
	double value;
	int64_t ts_ms; /* milliseconds since the epoch */
};

struct remote_series {
	const struct remote_label *labels;
	size_t nlabels;
	const struct remote_sample *samples;
	size_t nsamples;
};

/* A decoded WriteRequest.  The strings and arrays are owned by it and
 * freed by remote_request_free(). */
struct remote_request {
	struct remote_series *series;
	size_t nseries;
	size_t nsamples;            /* over all series */
	void *pb;                   /* the unpacked protobuf-c message */
	struct remote_label *lmem;  /* every series' labels, one array */
	struct remote_sample *smem; /* every series' samples, one array */
};

/* Prometheus's staleness marker: a NaN with this exact bit pattern. */
#define REMOTE_STALE_NAN_BITS 0x7ff0000000000002ULL

/* 1 if v is the staleness marker (not any other NaN). */
int remote_value_is_stale(double v);

/*
 * Decode a snappy-compressed WriteRequest of len bytes whose uncompressed
 * size may be at most max_raw.  0 with *rq filled (free it with
 * remote_request_free), or -1 with *cause (caller frees) and *too_big set
 * when the only fault was the size.  Nothing in data is trusted.
 */
int remote_request_decode(struct remote_request *rq, const void *data,
    size_t len, size_t max_raw, int *too_big, char **cause);
void remote_request_free(struct remote_request *rq);

/* Append the snappy-compressed WriteRequest of series s[0..n) to out. */
void remote_request_encode(
    const struct remote_series *s, size_t n, struct buf *out);

/* The same in steps, straight into buffers (forwarding keeps each
 * series' label bytes): append to out the protobuf of labels l[0..n) as
 * a TimeSeries' label fields; append to raw a WriteRequest's TimeSeries
 * of those label bytes lb[0..lblen) and samples s[0..ns); append raw
 * (a WriteRequest) compressed with snappy to out. */
void remote_pb_labels(const struct remote_label *l, size_t n, struct buf *out);
void remote_pb_series(const void *lb, size_t lblen,
    const struct remote_sample *s, size_t ns, struct buf *raw);
void remote_pb_snappy(const struct buf *raw, struct buf *out);
/* Write the protobuf varint of v at p; returns the byte after it (at
 * most 10 bytes on). */
uint8_t *remote_pb_varint(uint8_t *p, uint64_t v);

/* What a remote-write request did (remote_request_ingest). */
struct remote_result {
	size_t series;     /* series in the request */
	size_t samples;    /* samples in the request */
	size_t accepted;   /* samples stored (or duplicates of stored ones) */
	size_t rejected;   /* samples refused, each with a reason */
	size_t stale;      /* staleness markers: not stored (docs/api.md) */
	size_t not_finite; /* other NaN and +-Inf: not stored */
	json_t *errors;    /* [{"series":"m{...}","timestamp":T,"reason":R}] */
	int status;        /* 0 ok; else the HTTP status of a whole failure */
	char *cause;       /* for status != 0 */
};

/*
 * Ingest rq for id (source names the writer for the quality page) through
 * the common ingest path.  Fills *res; the caller frees res->errors with
 * json_decref and res->cause with free.
 */
void remote_request_ingest(struct hub *h, const struct hub_identity *id,
    const char *source, const struct remote_request *rq,
    struct remote_result *res);

/* The remote-write handler, also used by POST /api/v1/write for bodies of
 * Content-Type application/x-protobuf (hub/route-ingest.c). */
void hub_remote_route_write(struct hub_req *req);

/* 1 if req's Content-Type is application/x-protobuf. */
int hub_remote_req_is_protobuf(struct hub_req *req);

/* POST /prometheus/api/v1/write, GET /api/v1/status/remote. */
extern const struct hub_route hub_routes_remote[];

/* ---- Forwarding: remote-write out (forward-*.c) ----------------------- */

struct conf_file;
struct curl_slist;
struct relabel_rule;
struct selector;

/* A target's "tls" (libcurl's options; files resolved like secrets). */
struct remote_tls_conf {
	char *ca_file;   /* CA certificates to verify the server with */
	char *cert_file; /* client certificate (PEM) */
	char *key_file;  /* its key (PEM) */
	int insecure_skip_verify;
};

/* One hub.json "remote_write" target. */
struct remote_target_conf {
	char *name;           /* unique; names the queue position and metrics */
	char *url;            /* the receiver's remote-write URL */
	char **headers;       /* "Name: value", NULL-terminated; may be NULL */
	char *bearer_token;   /* from bearer_token_file, or NULL */
	char *basic_user;     /* basic_auth.username, or NULL */
	char *basic_password; /* from basic_auth.password_file */
	long long batch_samples;  /* queue.batch_samples: per request */
	long long max_bytes;      /* queue.max_bytes: oldest dropped past it */
	long long shards;         /* queue.shards: requests in flight (1..64) */
	long long max_shards;     /* queue.max_shards: resharding's ceiling */
	int64_t reshard_every_ms; /* queue.reshard_interval */
	int64_t min_backoff_ms, max_backoff_ms; /* queue.{min,max}_backoff */
	int64_t timeout_ms;                     /* per request */
	int64_t label_idle_ms;  /* queue.label_cache_idle: series forgotten */
	struct selector *match; /* only series it matches; NULL: all */
	struct relabel_rule *relabel; /* applied in order to each series */
	size_t nrelabel;
	struct remote_tls_conf tls;
};

/* Read the "remote_write" array arr of hub.json (conf_path resolves
 * relative file names) into a new array *out of *n targets.  0, or -1 with
 * *cause ("file:line:col: ..."). */
int remote_conf_read(struct conf_file *cf, const char *conf_path, json_t *arr,
    struct remote_target_conf **out, size_t *n, char **cause);
void remote_conf_free(struct remote_target_conf *t, size_t n);
/* Append t's User-Agent, bearer token and headers to l; returns it. */
struct curl_slist *remote_target_headers(
    const struct remote_target_conf *t, struct curl_slist *l);
/* Set t's auth, TLS, timeout and protocols on easy (a CURL *). */
void remote_target_curl_opts(const struct remote_target_conf *t, void *easy);
/* Read hub.json's "remote_read" object obj (url, headers, auth, tls,
 * timeout, default 10 s) into a new *out (free with remote_conf_free(*out,
 * 1)).  0, or -1 with *cause. */
int remote_read_conf_read(struct conf_file *cf, const char *conf_path,
    json_t *obj, struct remote_target_conf **out, char **cause);

/*
 * The forwarder: started by citybraind when hub.json has targets.  Every
 * batch the store takes gets a record in a durable queue in the store's
 * queue family, written in the batch's own RocksDB write (the store's
 * write hook, store_write_hook_set()), so that a batch is stored and
 * queued together or not at all, before the writer gets its 2xx.  The
 * records are sent to every target from its own position, in order, on
 * the hub's event loop with libcurl's multi interface; failures back off
 * exponentially and never block ingest.  h->forward holds it (NULL:
 * forwarding off).
 */
int hub_remote_forward_start(struct hub *h, char **cause);
/* The store's queue memtable when the hub forwards (on top of the
 * store's other memtables: store.h, queue_memtable_bytes). */
#define HUB_REMOTE_QUEUE_MEMTABLE_BYTES (16u << 20)
void hub_remote_forward_free(struct hub *h);
/* The forwarding state of every target, as GET /api/v1/status/remote
 * answers it (docs/api.md); new reference. */
json_t *hub_remote_forward_status(struct hub *h);
/* GET /api/v1/status/remote (in hub_routes_remote). */
void hub_remote_route_status(struct hub_req *req);
/*
 * Remote read (remote-read.c): merge into series (a native query's JSON
 * array of {"metric","labels","points":[[ms,v],...]}) the raw samples of
 * sel in [start, end] from hub.json "remote_read" (its Prometheus query
 * API, `sel[D]` at time end).  Local points win at equal times; remote
 * series are matched against sel again, so scope masking holds whatever
 * the store answers.  Blocking, bounded by the remote_read timeout: not
 * for the event loop (hub_remote_read_merge_start is).  0 (nothing to do
 * without remote_read), or -1 with *cause.
 */
int hub_remote_read_merge(struct hub *h, const struct selector *sel,
    int64_t start, int64_t end, json_t *series, char **cause);
/* Called once, on the loop, when a remote read ends: rc 0 (series
 * merged), or -1 with cause (borrowed; series as it was). */
typedef void (*hub_remote_read_cb)(int rc, const char *cause, void *arg);
/*
 * hub_remote_read_merge without blocking: the request runs on the hub's
 * loop (libcurl multi) and done(rc, cause, arg) is called when it ends;
 * sel and series must stay alive until then.  0 when started, or -1 with
 * *cause (done is not called).  Reads still running when the hub shuts
 * down end with -1 (hub_remote_read_free).
 */
int hub_remote_read_merge_start(struct hub *h, const struct selector *sel,
    int64_t start, int64_t end, json_t *series, hub_remote_read_cb done,
    void *arg, char **cause);
/*
 * The time before which a query over now must read from "remote_read":
 * the local raw retention's horizon, or for an aggregate with step > 0
 * (step 0 for a raw query or PromQL) the oldest horizon of the tiers
 * that answer it (per-minute rollups for a step of whole minutes,
 * per-hour for whole hours).  INT64_MIN when there is no remote_read or
 * a tier keeps everything (retention 0); INT64_MAX on a city hub with
 * remote_read (all its data is in the districts' shared store).
 */
int64_t hub_remote_read_horizon(struct hub *h, int64_t now, int64_t step);
/* Stop the remote reads still running (at shutdown, before the server
 * goes: their done callbacks may still reply). */
void hub_remote_read_free(struct hub *h);

/* Append the forwarding counters to a /metrics body. */
void hub_remote_forward_metrics(struct hub *h, struct buf *out);

#endif
