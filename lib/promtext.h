/*
 * Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text parser.
 *
 *   # HELP http_requests_total The total number of HTTP requests.
 *   # TYPE http_requests_total counter
 *   http_requests_total{method="post",code="200"} 1027 1395066363000
 *
 * Handles HELP/TYPE/UNIT metadata, label value escapes (\\ \" \n), NaN and
 * +Inf/-Inf values, histogram and summary families (_bucket/_sum/_count,
 * le/quantile labels are ordinary labels), timestamps (integer ms in 0.0.4,
 * float seconds in OpenMetrics; both reported in ms), OpenMetrics exemplars
 * (skipped) and "# EOF".  Errors are per line ("column 12: ...") and do not
 * stop the parse.
 *
 * The parser does not copy the input: strings point into it or into the
 * parser's scratch area, valid until the next call.  Input must stay
 * alive while samples are used.  One thread per parser.
 */
#ifndef CB_PROMTEXT_H
#define CB_PROMTEXT_H

#include <stddef.h>
#include <stdint.h>

/* A string slice, not NUL-terminated. */
struct prom_str {
	const char *p;
	size_t len;
};

enum prom_format {
	PROM_FMT_TEXT,        /* text/plain; version=0.0.4 */
	PROM_FMT_OPENMETRICS, /* application/openmetrics-text; version=1.0.0 */
};

enum prom_type {
	PROM_UNTYPED, /* no TYPE line; "untyped" or OpenMetrics "unknown" */
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM,
	PROM_SUMMARY,
	PROM_INFO,
	PROM_STATESET,
	PROM_GAUGEHISTOGRAM,
};

struct prom_label {
	struct prom_str name;
	struct prom_str value; /* unescaped */
};

struct prom_sample {
	struct prom_str name;   /* sample name: foo_bucket */
	struct prom_str family; /* family name: foo */
	enum prom_type type;    /* the family's TYPE */
	struct prom_str help;   /* unescaped; empty if none */
	struct prom_str unit;   /* empty if none */
	const struct prom_label *labels;
	size_t nlabels;
	double value; /* may be NaN or +-Inf */
	int has_time;
	int64_t time_ms;
};

#define PROM_SAMPLE 1
#define PROM_END    0
#define PROM_ERROR  -1

struct prom_parser;

/* A new parser; free with prom_parser_free(). */
struct prom_parser *prom_parser_create(void);
void prom_parser_free(struct prom_parser *pp);

/* Start parsing data (not copied; must outlive the samples). */
void prom_parser_begin(
    struct prom_parser *pp, const char *data, size_t len, enum prom_format fmt);

/*
 * Next sample: PROM_SAMPLE with *s set (owned by pp), PROM_ERROR with
 * *cause ("column N: reason", owned by pp) and *lineno set (call again to
 * go on), PROM_END at the end.  lineno and cause may be NULL.
 */
int prom_parser_next(struct prom_parser *pp, const struct prom_sample **s,
    size_t *lineno, const char **cause);

/* Whether "# EOF" was seen (OpenMetrics requires it). */
int prom_parser_eof_seen(const struct prom_parser *pp);

/* The format a Content-Type header names (NULL means text). */
enum prom_format prom_format_from_content_type(const char *ct);

/* The value of label name in s, or NULL (then *len is untouched). */
const char *prom_sample_label(
    const struct prom_sample *s, const char *name, size_t *len);

const char *prom_type_name(enum prom_type t);

#endif
