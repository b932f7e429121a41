/*
 * promql: the hub's PromQL subset and its Prometheus HTTP API under
 * /prometheus (docs/api.md "Prometheus and Grafana").  This header is the
 * folder's door: the parser (lex.c, parse.c) turns text into a tree of
 * promql_node, the evaluator (eval.c, agg.c, func.c, value.c) runs a
 * tree over raw points fetched through a promql_source, and route.c
 * exports the HTTP routes.
 *
 * Semantics follow Prometheus 2.x: instant selectors look back 5 minutes
 * (both ends included), range selectors take the points in [t-range, t],
 * rate/increase/delta extrapolate as Prometheus does, results of
 * arithmetic and of most functions lose __name__.
 */
#ifndef CB_HUB_PROMQL_H
#define CB_HUB_PROMQL_H

#include <stddef.h>
#include <stdint.h>

#include "hub/hub.h"
#include "lib/buf.h"
#include "lib/selector.h"

struct store_result;
struct store_point;
struct store_minutes;

/* ---- Parsing ------------------------------------------------------------ */

enum promql_type {
	PROMQL_SCALAR,
	PROMQL_STRING,
	PROMQL_VECTOR, /* instant vector */
	PROMQL_MATRIX, /* range vector */
};

/* "scalar", "string", "vector", "matrix". */
const char *promql_type_name(enum promql_type t);

enum promql_kind {
	PROMQL_NUMBER, /* num */
	PROMQL_STR,    /* str */
	PROMQL_SELECT, /* sel, range_ms (0: instant), offset_ms */
	PROMQL_CALL,   /* func(args...) */
	PROMQL_AGG,    /* op [param,] args[nargs-1]; labels, without */
	PROMQL_BINARY, /* args[0] op args[1]; bool, matching labels */
	PROMQL_NEGATE, /* -args[0] */
};

/* Binary operators, in the lexer's order. */
enum promql_binop {
	PROMQL_ADD,
	PROMQL_SUB,
	PROMQL_MUL,
	PROMQL_DIV,
	PROMQL_MOD,
	PROMQL_POW,
	PROMQL_EQ,
	PROMQL_NE,
	PROMQL_GT,
	PROMQL_LT,
	PROMQL_GE,
	PROMQL_LE,
	PROMQL_BINOP_MAX
};

/* "+", "==", ... and whether op compares. */
const char *promql_binop_name(enum promql_binop op);
int promql_binop_is_comparison(enum promql_binop op);

enum promql_aggop {
	PROMQL_AGG_SUM,
	PROMQL_AGG_AVG,
	PROMQL_AGG_MIN,
	PROMQL_AGG_MAX,
	PROMQL_AGG_COUNT,
	PROMQL_AGG_TOPK,
	PROMQL_AGG_BOTTOMK,
	PROMQL_AGG_QUANTILE,
	PROMQL_AGGOP_MAX
};

/* Name of an aggregation; promql_aggop_find returns -1 for no such. */
const char *promql_aggop_name(enum promql_aggop op);
int promql_aggop_find(const char *name);
/* Whether name is an aggregation's (implemented or not): a metric of that
 * name is written with braces, "stdvar{}", or it reads back as one. */
int promql_word_is_aggregation(const char *name);
/* Whether the aggregation takes a parameter first (topk, quantile). */
int promql_aggop_has_param(enum promql_aggop op);

struct promql_node;
struct promql_ctx;
struct promql_value;

/* A function: its argument types (nargs required, up to nopt more
 * optional) and its implementation (func.c). */
struct promql_func {
	const char *name;
	enum promql_type ret;
	size_t nargs, nopt;
	enum promql_type args[3];
	int (*eval)(struct promql_ctx *c, const struct promql_node *n,
	    struct promql_value *out);
	int code; /* which one, for an eval shared by several */
};

/* The supported function called name, or NULL. */
const struct promql_func *promql_func_find(const char *name);

/* A syntax tree node.  Owns its children and strings. */
struct promql_node {
	enum promql_kind kind;
	enum promql_type type; /* of the value it yields */
	int column;            /* 1-based column in the query text */
	double num;
	char *str;
	struct selector *sel;
	int64_t range_ms, offset_ms;
	const struct promql_func *func;
	int op; /* enum promql_binop or promql_aggop */
	size_t nargs;
	struct promql_node **args;
	/* by/without (AGG), on/ignoring (BINARY): */
	size_t nlabels;
	char **labels;
	int without;  /* AGG: without rather than by */
	int grouping; /* AGG: by or without was given */
	int matching; /* BINARY: on or ignoring was given */
	int on;       /* BINARY: on rather than ignoring */
	int bool_;    /* BINARY: bool modifier */
};

/*
 * Parse text into a tree the caller frees with promql_node_free(), or
 * NULL with *cause ("column 5: ...", caller frees).  Unsupported
 * functions and syntax are errors that name them.
 */
struct promql_node *promql_parse(const char *text, char **cause);
void promql_node_free(struct promql_node *n);
/* Append n in a normal form that parses back to the same tree. */
void promql_node_format(const struct promql_node *n, struct buf *out);

/* ---- Values (value.c) --------------------------------------------------- */

struct promql_label {
	char *name, *value; /* owned */
};

/* A series of a result: labels sorted by name (with __name__ when it
 * has one) and, over the query's steps, a value where ok[i] is set.  A
 * range vector (only at the top of an instant query) keeps raw points
 * in pts instead. */
struct promql_series {
	size_t nlabels;
	struct promql_label *labels;
	double *v;
	unsigned char *ok;
	size_t npts;
	struct store_point *pts; /* owned */
};

struct promql_value {
	enum promql_type type;
	size_t nsteps;
	double *scalar; /* SCALAR: one per step */
	char *str;      /* STRING */
	size_t n;       /* VECTOR, MATRIX */
	struct promql_series *series;
	/* Set by promql_eval on its answer: the store skipped a corrupt or
	 * unreadable block (and logged which), so points may be missing. */
	int partial;
};

void promql_value_free(struct promql_value *v);
/* The value of label name of s, or NULL. */
const char *promql_series_label(
    const struct promql_series *s, const char *name);

/* ---- Evaluation --------------------------------------------------------- */

/* Where raw points come from: every series matching sel (the evaluator
 * does not add scope: the source does) with its points in [start, end],
 * both included.  0, or -1 with *cause. */
struct store_reader;

struct promql_source {
	int (*fetch)(void *arg, const struct selector *sel, int64_t start,
	    int64_t end, struct store_result *r, char **cause);
	void *arg;
	/* Optional: the same points as a stream (store.h, store_reader),
	 * which windows read series by series instead of in slices of
	 * fetch.  0, or -1 with *cause. */
	int (*open)(void *arg, const struct selector *sel, int64_t start,
	    int64_t end, struct store_reader **rd, char **cause);
	/* Optional: per-minute rate summaries over the whole minutes
	 * [start, end) (store.h, store_minutes), from which rate, increase
	 * and delta over whole-minute windows are computed.  0, or -1 with
	 * *cause. */
	int (*minutes)(void *arg, const struct selector *sel, int64_t start,
	    int64_t end, struct store_minutes **mr, char **cause);
};

enum promql_error {
	PROMQL_ERR_NONE,
	PROMQL_ERR_BAD_DATA,  /* 400 */
	PROMQL_ERR_EXECUTION, /* 422 */
	PROMQL_ERR_TIMEOUT,   /* 503 */
	PROMQL_ERR_INTERNAL,  /* 500 */
};

/* "bad_data", "execution", "timeout", "internal". */
const char *promql_error_name(enum promql_error e);

struct promql_query {
	int64_t start, end, step; /* ms; step > 0 (any for instant) */
	int64_t lookback_ms;      /* 0: 5 minutes */
	int64_t deadline_mono_ms; /* 0: none (clock_mono_ms()) */
	size_t max_samples;       /* 0: 50 million */
	int64_t slice_ms;         /* selectors read in time slices of this
	                             length (0: 1 hour, the store's chunk
	                             window; tests use small ones) */
};

/*
 * Evaluate root at start, start+step, ... <= end into *out (caller frees
 * with promql_value_free).  Series come sorted by labels.  0, or -1 with
 * *cause (caller frees) and *err saying which kind of failure.
 */
int promql_eval(const struct promql_node *root, const struct promql_query *q,
    const struct promql_source *src, struct promql_value *out,
    enum promql_error *err, char **cause);

/* ---- HTTP (route.c) ----------------------------------------------------- */

/* GET|POST /prometheus/api/v1/{query,query_range,series,labels,...}. */
extern const struct hub_route hub_routes_promql[];

#endif
