/*
 * The hub's in-memory picture of live data: per territory node the time
 * of its last data and the latest headline values, per system its last
 * contact, learnt interval, up flag and latency, per collector its counts,
 * rejected lines by reason and source, and ingest rates.  Updated by
 * ingest on the event loop; rebuilt from the store's series list at
 * start-up so a restart keeps it; remapped on SIGHUP.
 */
#ifndef CB_HUB_STATUS_H
#define CB_HUB_STATUS_H

#include <stddef.h>
#include <stdint.h>

struct hub;
struct hub_territory;
struct hub_systems;
struct hub_config;

/* Classes of rejected lines (the "reason" label in /metrics). */
enum hub_reject {
	HUB_REJECT_SYNTAX,
	HUB_REJECT_NAME,      /* invalid metric or tag name/value */
	HUB_REJECT_NO_NUMBER, /* only string fields */
	HUB_REJECT_UNKNOWN_GRID,
	HUB_REJECT_UNKNOWN_COMMUNITY,
	HUB_REJECT_SCOPE, /* token or user may not write there */
	HUB_REJECT_TIME,  /* timestamp out of range */
	HUB_REJECT_LATE,  /* store: older than the late window */
	HUB_REJECT_LIMIT, /* too many lines */
	HUB_REJECT_UNKNOWN_SUBDISTRICT,
	HUB_REJECT_PLACE,  /* territory tags that contradict each other */
	HUB_REJECT_FIELDS, /* more than limits.max_fields_per_line */
	HUB_REJECT_SERIES, /* new-series quota (limits.max_new_series_*) */
	HUB_REJECT_MAX
};

/* "syntax", "invalid name", ..., as used in JSON and /metrics. */
const char *hub_reject_name(enum hub_reject r);

struct hub_collector {
	char *name; /* token name or "uid:USER" */
	char peer[64];
	int64_t last_ms;
	uint64_t requests, lines, points, rejected;
	/* Points at a time their series already had (duplicates), points
	 * older than their series' newest (late), and of those the ones the
	 * store refused as older than its late window. */
	uint64_t duplicates, late, late_rejected;
};

struct hub_source_count {
	char *source;
	uint64_t n;
};

#define HUB_RATE_SLOTS 10 /* seconds of history for rates */

struct hub_status {
	size_t nnodes, nheadline, nsystems;
	int64_t *node_last_ms;  /* receive time of last data, -1 never */
	double *node_values;    /* [node * nheadline + h], NAN if none */
	int64_t *sys_last_ms;   /* receive time, -1 never */
	int64_t *sys_last_t;    /* newest point time seen */
	int64_t *sys_learnt_ms; /* learnt interval, 0 unknown */
	double *sys_up;         /* last system_up, NAN unknown */
	double *sys_latency;    /* last system_latency_ms, NAN unknown */

	struct hub_collector *collectors;
	size_t ncollectors;
	uint64_t rejected[HUB_REJECT_MAX];
	struct hub_source_count *rejected_by;
	size_t nrejected_by;
	uint64_t unknown_system_lines;
	uint64_t duplicates, late, late_rejected; /* sums over collectors */

	int64_t last_ingest_ms;
	int64_t rate_sec[HUB_RATE_SLOTS]; /* the second each slot holds */
	uint64_t rate_points[HUB_RATE_SLOTS];
	uint64_t rate_lines[HUB_RATE_SLOTS];
	uint64_t rate_rejected[HUB_RATE_SLOTS];
};

/* A fresh status sized for t, s and c's headline list (caller frees). */
struct hub_status *hub_status_new(const struct hub_territory *t,
    const struct hub_systems *s, const struct hub_config *c);
void hub_status_free(struct hub_status *st);
/* A status for new configuration, carrying over what old knew by code
 * and id; old is left untouched. */
struct hub_status *hub_status_remap(const struct hub_status *old,
    const struct hub_territory *ot, const struct hub_systems *os,
    const struct hub_config *oc, const struct hub_territory *t,
    const struct hub_systems *s, const struct hub_config *c);
/* Fill h->status from the store's series (at start-up). 0 or -1. */
int hub_status_rebuild(struct hub *h, char **cause);

/* Record data for node / system at receive time now. */
void hub_status_touch_node(struct hub_status *st, int node, int64_t now);
void hub_status_touch_system(
    struct hub_status *st, int sys, int64_t now, int64_t t);
/* The collector record for name (created on first use). */
struct hub_collector *hub_status_collector(
    struct hub_status *st, const char *name);
/* Count a rejected line of class r from source. */
void hub_status_reject(
    struct hub_status *st, enum hub_reject r, const char *source, uint64_t n);
/* Count ingest for the rates. */
void hub_status_rate_add(struct hub_status *st, int64_t now, uint64_t points,
    uint64_t lines, uint64_t rejected);
/* Per-second rates over the last HUB_RATE_SLOTS seconds before now. */
void hub_status_rates(const struct hub_status *st, int64_t now, double *points,
    double *lines, double *rejected);

/* The expected interval of system i: configured, else learnt, else 60 s;
 * *source is "configured", "learnt" or "default". */
int64_t hub_status_interval(const struct hub *h, size_t i, const char **source);

/* "up", "down", "stale" or "unknown" for system i at now. */
const char *hub_status_system_state(const struct hub *h, size_t i, int64_t now);

#endif
