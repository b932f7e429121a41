/*
 * citybrain-collector: the shared state of one collector process.  One
 * libevent loop runs everything: input timers, child processes, libcurl
 * transfers (collectors/curlev.c), batching and push.
 *
 * Data path: an input writes line-protocol lines into the current batch
 * (collector_line_begin/_end); a full or old batch goes to push
 * (collectors/push.c), which sends it to the hub or, while the hub is
 * unreachable, appends it to the on-disk spool (collectors/spool.c) and
 * replays the spool oldest first when the hub is back.
 */
#ifndef CB_COLLECTOR_H
#define CB_COLLECTOR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/lineproto.h"

struct conf_file;
struct curlev;
struct event;
struct event_base;
struct push;
struct spool;

/* Spool record kinds. */
#define REC_WRITE 1 /* line protocol for /api/v1/write?precision=ms */
#define REC_EVENT 2 /* one JSON object for /api/v1/events */
#define REC_CASE  3 /* one JSON object for /api/v1/cases (issue 17) */

struct tag {
	char *key;
	char *value;
};

struct input;

/* One input type (a const table per type: input-http.c, ...). */
struct input_ops {
	const char *type;
	size_t conf_size; /* the type's config struct, which starts
	                     with struct input_conf */
	const struct conf_field *fields; /* type-specific keys */
	int backoff; /* failures delay the next run (plugins) */
	/* Check and keep the configuration; 0 or -1 with *cause. */
	int (*init)(struct input *in, void *conf, char **cause);
	/* Run one collection; call input_done() when finished (may be
	 * before returning). */
	void (*run)(struct input *in);
	void (*free)(struct input *in);
	/* Optional: take over state from old, the input of the same name
	 * and type that a reload replaces (e.g. the last Nagios state, so
	 * that a recovery right after a reload still resolves). */
	void (*inherit)(struct input *in, const struct input *old);
};

/* Keys every input has.  Durations in ms. */
struct input_conf {
	char *type;
	char *name;
	int64_t interval;
	int64_t timeout;
	int64_t jitter;
	json_t *tags; /* borrowed */
};

struct input {
	const struct input_ops *ops;
	struct collector *c;
	char *name;
	int64_t interval_ms, timeout_ms, jitter_ms;
	struct tag *tags; /* global + own, own win; owned */
	size_t ntags;
	struct event *timer;
	int running;
	int retired; /* replaced by a reload; freed when its run ends */
	int64_t started_ns;
	unsigned failures; /* consecutive; plugins back off */
	int64_t backoff_ms;
	void *priv; /* the type's state */
	uint64_t runs, errors;
};

/*
 * What the configuration file says (collectors/config.c).  Strings, urls
 * and tags are owned; the json_t members are borrowed from file, which is
 * kept only while the inputs are built (collector_conf_drop_file).
 */
struct collector_conf {
	char *path;
	struct conf_file *file;
	char **urls;
	char *token; /* from "token" or the first line of token_file */
	char *token_file;
	int64_t push_timeout;
	int gzip;
	long long batch_points;
	long long batch_bytes;
	int64_t batch_interval;
	char *spool_dir;
	long long spool_max_bytes;
	long long spool_segment_bytes;
	int64_t spool_max_age;
	int64_t spool_fsync_interval;
	int64_t retry_min, retry_max;
	int64_t self_interval;
	char *listen; /* "listen": HOST:PORT of /metrics, /healthz; or NULL */
	char *name;
	struct tag *tags; /* global */
	size_t ntags;
	json_t *tags_obj;
	json_t *inputs;
	json_t *hub;
	json_t *batch;
	json_t *spool;
};

struct collector_stats {
	uint64_t points_collected;
	uint64_t points_sent;
	uint64_t points_spooled;
	uint64_t points_dropped;  /* NaN/Inf, too large, spool full */
	uint64_t points_rejected; /* the hub said 4xx */
	uint64_t batches_sent;
	uint64_t batches_failed; /* 5xx / network, retried */
	uint64_t batches_rejected;
	uint64_t batches_refused; /* 401/403/413...: kept, retried slowly */
	uint64_t events_sent;
	uint64_t input_errors;
	uint64_t input_runs;
	double cycle_cpu_ms; /* CPU of the last collection runs */
};

struct collector_listen;

struct collector {
	struct event_base *base;
	struct collector_listen *listen; /* collectors/listen.c; or NULL */
	struct curlev *curl;
	struct collector_conf conf;
	struct input **inputs;
	size_t ninputs;
	struct input **retired; /* replaced by a reload, still running */
	size_t nretired;
	struct event *reap_ev; /* frees retired inputs once they are done */
	struct push *push;
	struct spool *spool;

	/* The batch being filled. */
	struct buf batch;
	uint32_t batch_npoints;
	struct event *batch_timer;
	struct lp_writer w;

	struct event *self_timer;
	struct collector_stats st;
	uint64_t reloads, reload_errors;
	int stopping;
	int test_mode; /* --test: run inputs once, print */
	size_t test_pending;
};

/* Write the start of a line: measurement and in's tags (or only the
 * global tags when in is NULL).  Add extra tags and fields with
 * lp_writer_*(&c->w, ...), then collector_line_end(). */
struct lp_writer *collector_line_begin(
    struct collector *c, struct input *in, const char *measurement);
/* Finish the line (time in ms since the epoch); counts its fields as
 * points; flushes the batch when full. */
void collector_line_end(struct collector *c, int64_t time_ms);
/* Hand the current batch to push now. */
void collector_flush(struct collector *c);
/* Queue an event (a JSON object; reference stolen) for /api/v1/events. */
void collector_event(struct collector *c, json_t *ev);
/* Queue a case (the same; spooled and sent like an event) for
 * /api/v1/cases. */
void collector_case(struct collector *c, json_t *kase);

/* Inputs (collectors/input.c). */
extern const struct input_ops input_http_ops;
extern const struct input_ops input_prom_ops;
extern const struct input_ops input_exec_ops;
extern const struct input_ops input_plugin_ops;
extern const struct input_ops input_host_ops;

/* Build the inputs cc describes into a new array (*inputsp, *ninputsp);
 * 0, or -1 with *cause (file:line:col) and nothing built. */
int inputs_create(struct collector *c, const struct collector_conf *cc,
    struct input ***inputsp, size_t *ninputsp, char **cause);
/* Schedule the first runs of c->inputs. */
void inputs_start(struct collector *c);
/* Replace c->inputs by inputs (taken over): the old ones stop; those in
 * the middle of a run finish it (their points are kept) and are freed
 * afterwards. */
void inputs_replace(struct collector *c, struct input **inputs, size_t n);
/* Free every input, retired ones included. */
void inputs_free(struct collector *c);
/* Called by an input when its run ends; ok = 0 on failure. */
void input_done(struct input *in, int ok);
/* Log an input's error and count it. */
void input_error(struct input *in, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Configuration (collectors/config.c).  Load path into cc (zeroed by the
 * call): the global settings, checked; the inputs are built from
 * cc->inputs afterwards.  0, or -1 with *cause ("file:line:col: ..."). */
int collector_conf_load(
    struct collector_conf *cc, const char *path, char **cause);
/* Free the parsed file once the inputs are built. */
void collector_conf_drop_file(struct collector_conf *cc);
void collector_conf_free(struct collector_conf *cc);
/* SIGHUP: re-read c->conf.path.  A good file replaces the inputs and the
 * settings that can change while running (the spool's stay as they
 * are); the batch, push queue and spool are kept.  A bad one changes
 * nothing and is logged.  0 or -1. */
int collector_reload(struct collector *c);

/* The HTTP listener (collectors/listen.c): GET /metrics (the collector's
 * own figures, Prometheus text) and /healthz on addr (HOST:PORT).  NULL
 * with *cause if addr is malformed or cannot be bound. */
struct collector_listen *collector_listen_start(
    struct collector *c, const char *addr, char **cause);
void collector_listen_free(struct collector_listen *l);

/* Tags for a plain json object of strings ({"k":"v"}); NULL on error. */
int tags_from_json(json_t *obj, struct tag **tags, size_t *ntags, char **cause);
void tags_free(struct tag *tags, size_t ntags);

#endif
