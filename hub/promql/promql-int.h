/* promql's internals shared by its files: the lexer's tokens and the
 * evaluation context.  Not for use outside hub/promql/. */
#ifndef CB_HUB_PROMQL_INT_H
#define CB_HUB_PROMQL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/promql/promql.h"

enum promql_tok {
	TOK_EOF,
	TOK_ERROR,
	TOK_NUMBER,
	TOK_DURATION,
	TOK_STRING,
	TOK_IDENT,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_LBRACKET,
	TOK_RBRACKET,
	TOK_COMMA,
	TOK_COLON,
	TOK_ASSIGN, /* = */
	TOK_RE,     /* =~ */
	TOK_NRE,    /* !~ */
	TOK_OP,     /* binary operator: tok.op */
};

struct promql_token {
	enum promql_tok kind;
	const char *start; /* in the text */
	size_t len;
	double num;      /* NUMBER */
	int64_t dur;     /* DURATION, ms */
	char *str;       /* STRING, unescaped (owned by the lexer's caller) */
	int op;          /* OP: enum promql_binop */
	char error[120]; /* ERROR */
};

/* Read the token at *p (skipping blanks and # comments) into *t and
 * advance *p past it. */
void promql_lex(const char **p, struct promql_token *t);
/* Parse a Prometheus duration ("5m", "1h30m", "250ms"); 0 or -1. */
int promql_duration_parse(const char *s, size_t len, int64_t *ms);
/* Append a duration in Prometheus form ("1h30m"). */
void promql_duration_format(int64_t ms, struct buf *out);

/* ---- Evaluation context ------------------------------------------------- */

/* Samples a query may hold when promql_query.max_samples is 0. */
#define PROMQL_MAX_SAMPLES 50000000

struct promql_ctx {
	const struct promql_query *q;
	const struct promql_source *src;
	size_t nsteps;
	int64_t lookback;
	size_t samples; /* points fetched so far */
	enum promql_error err;
	char *cause;
	int partial; /* a block the store could not read was skipped */
};

/* Record an error (first one wins); returns -1. */
int promql_fail(struct promql_ctx *c, enum promql_error e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Time of step i. */
int64_t promql_step_time(const struct promql_ctx *c, size_t i);
/* Evaluate n into *out; 0 or -1 (error recorded in c). */
int promql_eval_node(struct promql_ctx *c, const struct promql_node *n,
    struct promql_value *out);
/* Fetch a selector node's raw series for windows of width w ending at
 * each step (minus offset): every matching series with its points in
 * [start - offset - w, end - offset]. */
int promql_eval_fetch(struct promql_ctx *c, const struct promql_node *sel,
    int64_t w, struct promql_value *out);
/* The points of one step's window [start, end] (ms, both included) and
 * the step's parameter (quantile_over_time's q). */
struct promql_window {
	const struct store_point *p;
	size_t n;
	int64_t start, end, range;
	double param;
};
/* 1 with *out the window's value, or 0 for none. */
typedef int (*promql_window_fn)(const struct promql_window *w, double *out);
/* For every series matching sel, fn over the window [t - offset - w,
 * t - offset] of each step t (param[k]: step k's parameter, or NULL),
 * into a vector in the store's key order with the series' labels
 * (__name__ included).  The points are read once, in slices, and held
 * only while a later window needs them (window.c). */
int promql_eval_windows(struct promql_ctx *c, const struct promql_node *sel,
    int64_t w, promql_window_fn fn, const double *param,
    struct promql_value *out);
/* Prometheus's extrapolatedRate over w (rate, increase; delta when not
 * counter): 1 with *out, or 0 for fewer than two points (func.c). */
int promql_extrapolate(
    const struct promql_window *w, int counter, int rate, double *out);
/* Its second half: the raw increase result (resets added back) between
 * the first point (t0, v0) and the last (at t1) of n >= 2 points,
 * extrapolated to the window [start, end] of length range. */
double promql_extrapolate_finish(double result, int64_t t0, double v0,
    int64_t t1, size_t n, int64_t start, int64_t end, int64_t range,
    int counter, int rate);
/* The same for the windows of one range, one after the other: what
 * depends only on a window's times and count (four divisions) is kept
 * for the next window, whose are usually the same (a regular series).
 * The answers are promql_extrapolate_finish's, bit for bit. */
struct promql_extrap {
	double range_s; /* the range in seconds */
	int valid;
	int64_t d0, d1, span; /* t0 - start, end - t1, t1 - t0 */
	size_t n;
	double to_start, to_end, sampled, avg;
	double factor; /* extrapolated interval / sampled */
};
void promql_extrap_init(struct promql_extrap *x, int64_t range);
double promql_extrap_finish(struct promql_extrap *x, double result, int64_t t0,
    double v0, int64_t t1, size_t n, int64_t start, int64_t end, int counter,
    int rate);

/* Rate and increase from per-minute summaries (func-minutes.c). */
struct rate_minute;
/* 1 when every window [t - offset - range, t - offset] of the steps
 * t0 + k * step (k < nsteps) starts and ends on a whole minute. */
int promql_minutes_aligned(
    int64_t t0, int64_t step, size_t nsteps, int64_t range, int64_t offset);
/* The window [end - range, end] (both whole minutes) from the summaries
 * m[i] of the minutes m0 + i * 60 s, which must cover [end - range,
 * end + 60 s): as promql_extrapolate over the same points gives, up to
 * the rounding of several resets inside one minute added as one sum.
 * 1 with *out, or 0 for fewer than two points.  x: initialized for
 * range, kept from one window of the series to the next. */
int promql_minutes_rate(const struct rate_minute *m, int64_t m0, int64_t end,
    int64_t range, int counter, int rate, struct promql_extrap *x, double *out);
/* rate (counter, rate), increase (counter) or delta (neither) of sel's
 * windows of width w at every step from the source's minutes: 1 with
 * *out (as promql_eval_windows gives it, without __name__, which these
 * functions drop), 0 when the source has none or the windows are not
 * whole minutes (nothing done), -1 on error. */
int promql_eval_minutes(struct promql_ctx *c, const struct promql_node *sel,
    int64_t w, int counter, int rate, struct promql_value *out);

/* Check the deadline; 0 or -1. */
int promql_eval_check(struct promql_ctx *c);

/* Aggregations (agg.c). */
int promql_agg_eval(struct promql_ctx *c, const struct promql_node *n,
    struct promql_value *out);

/* The q-quantile of v[0..n) (sorts v in place), as Prometheus computes
 * it (agg.c). */
double promql_quantile(double q, double *v, size_t n);

/* ---- Values (value.c) --------------------------------------------------- */

/* A new empty series with labels copied from src (may be NULL) and room
 * for nsteps values, all absent. */
void promql_series_init(
    struct promql_series *s, const struct promql_series *src, size_t nsteps);
void promql_series_clear(struct promql_series *s);
/* Set (or replace) / remove a label. */
void promql_series_set_label(
    struct promql_series *s, const char *name, const char *value);
void promql_series_del_label(struct promql_series *s, const char *name);
/* Keep only the named labels (keep 1), or drop them (keep 0). */
void promql_series_filter_labels(
    struct promql_series *s, char *const *names, size_t n, int keep);
/* Append to out a signature of s's labels restricted as by
 * filter_labels (NUL-separated name=value pairs). */
void promql_series_signature(const struct promql_series *s, char *const *names,
    size_t n, int keep, int drop_name, struct buf *out);
/* Compare label sets (for sorting). */
int promql_series_cmp(const void *a, const void *b);
/* Append a series to v (takes the contents of s). */
void promql_value_push(struct promql_value *v, struct promql_series *s);
/* Sort v's series by labels and merge series with equal labels; fails
 * when two of them have a value at the same step. */
int promql_value_normalize(struct promql_ctx *c, struct promql_value *v);
/* A scalar value of nsteps copies of x. */
void promql_value_scalar(struct promql_value *v, size_t nsteps, double x);

/* ---- Routes and remote read (route.c, remote.c) -------------------------- */

struct selector;
struct store_result;

/* A copy of sel restricted to req's caller's scope (caller frees), or
 * NULL with *cause. */
struct selector *promql_route_scoped(
    struct hub_req *req, const struct selector *sel, char **cause);
/* The store as a promql_source fetch under the scope of arg (a hub_req). */
int promql_route_fetch(void *arg, const struct selector *sel, int64_t start,
    int64_t end, struct store_result *r, char **cause);

/*
 * A query's remote part (hub.json "remote_read"): the selectors whose
 * windows reach before the local raw retention, each read from the
 * remote store under the caller's scope.  promql_remote_plan returns NULL
 * when the store holds all the query needs; else promql_remote_run
 * starts the reads on the loop (req deferred, alive until done) and calls
 * done(arg) once when all ended, perhaps before it returns; a failed
 * read becomes a warning.  promql_remote_source then gives the source
 * that merges the remote points into the store's (local points win at
 * equal times), promql_remote_envelope appends ,"sources":[..] to the
 * reply and its warnings to the array warnings.  root and q must outlive
 * rm.
 */
struct promql_remote;
struct promql_remote *promql_remote_plan(struct hub *h,
    const struct promql_node *root, const struct promql_query *q);
void promql_remote_run(struct promql_remote *rm, struct hub_req *req,
    void (*done)(void *arg), void *arg);
void promql_remote_source(struct promql_remote *rm, struct promql_source *src);
void promql_remote_envelope(
    const struct promql_remote *rm, struct buf *out, json_t *warnings);
void promql_remote_free(struct promql_remote *rm);

#endif
