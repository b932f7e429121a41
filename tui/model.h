/*
 * The hub's API documents (docs/api.md) decoded into C structs for the
 * screens.  Each decoded document keeps the JSON it came from: every
 * string in it is borrowed from that JSON and lives until the matching
 * model_*_free().  Decoders are lenient: a missing optional member gets a
 * default (NULL string, -1 age, NaN value); only a document of the wrong
 * shape is an error.  No ncurses in here.
 */
#ifndef CB_TUI_MODEL_H
#define CB_TUI_MODEL_H

#include <stddef.h>

#include <jansson.h>

enum sev {
	SEV_OK,
	SEV_INFO,
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
};
#define SEV_COUNT 5

/* "high" etc.; unknown or NULL: SEV_OK. */
enum sev model_sev_parse(const char *s);
const char *model_sev_name(enum sev s); /* "high", ..., "ok" */
const char *model_sev_short(
    enum sev s);                      /* "HIGH", "MED", "LOW", "INFO", "ok" */
const char *model_sev_zh(enum sev s); /* "高", "中", "低", "提示", "正常" */

struct model_counts {
	unsigned high, medium, low, info;
};

/* The worst severity with a non-zero count. */
enum sev model_counts_worst(const struct model_counts *c);
unsigned model_counts_total(const struct model_counts *c);

/* The name to show: the Chinese name in UTF-8 mode, else name_en, else
 * the code. */
const char *model_label(
    const char *name, const char *name_en, const char *code);

struct model_alert;
/* An alert's place and message to show: the hub's ASCII forms
 * (place_en, message_en: names in English/pinyin) in ASCII mode, else
 * place and message; the code and the rule when there is none. */
const char *model_alert_place(const struct model_alert *a);
const char *model_alert_message(const struct model_alert *a);

#define MODEL_MAX_METRICS 8

/* A headline metric of a territory node. */
struct model_metric {
	const char *key; /* "aqi" */
	double value;
	const char *agg;    /* "avg", may be NULL */
	const char *metric; /* series name, "env_aqi", may be NULL */
	const char *unit;   /* may be NULL */
};

/* A territory node with its roll-up (tree, overview subdistricts). */
struct model_node {
	const char *code, *level, *name, *name_en, *parent;
	enum sev sev;
	struct model_counts alerts;
	long long last_ms;
	long long age_s; /* -1: never had data */
	int grids, grids_silent;
	struct model_metric metrics[MODEL_MAX_METRICS];
	int nmetrics;
};

/* A headline value by key, NaN when absent. */
double model_node_metric(const struct model_node *n, const char *key);

struct model_person {
	const char *role; /* "grid_worker", ... */
	const char *name, *phone, *station;
};

struct model_sysref {
	const char *id, *name, *name_en, *platform, *dept;
};

struct model_tree {
	json_t *root;
	struct model_node node;
	struct model_node *path; /* ancestors, district first */
	size_t npath;
	struct model_node *children;
	size_t nchildren;
	struct model_person people[8];
	size_t npeople;
	struct model_sysref *systems;
	size_t nsystems;
};

struct model_platform {
	const char *id, *name, *name_en;
	int total, up, down, stale, unknown;
};

struct model_overview {
	json_t *root;
	long long time_ms;
	const char *district_code, *district_name, *district_name_en;
	const char *scope_code, *scope_name, *scope_level;
	struct model_node *subs;
	size_t nsubs;
	struct model_platform *platforms;
	size_t nplatforms;
	struct model_counts alerts;
	unsigned alerts_total;
	double points_per_s, lines_per_s, rejected_per_s;
	double points_total;
	long long fresh_last_ms, fresh_age_s;
	long long systems_stale, series_silent;
	long long rejected_total, duplicates_total, late_total;
	long long declared_missing, stale_metrics,
	    blind_rules; /* -1: unknown */
};

struct model_alert {
	json_t *obj; /* borrowed: the alert's own object */
	const char *id, *rule, *source, *state;
	enum sev sev;
	int silenced, escalated, overdue;
	unsigned escalation_step; /* steps of its chain taken */
	const char *escalated_to; /* the last step's target, or NULL */
	int view_only; /* visible, outside the caller's acting scope */
	const char *view_only_why;
	const char
	    *inhibited_by;    /* the alert holding this one quiet, or NULL */
	const char *incident; /* the incident it belongs to, or NULL */
	const char *code, *place, *message, *dept, *group;
	const char *place_en, *message_en; /* ASCII forms, may be NULL */
	/* A threshold rule's: its metric and op, or NULL; threshold NaN. */
	const char *metric, *op;
	double threshold;
	const char *grid, *community, *subdistrict, *system;
	double value;
	long long started_ms, updated_ms, deadline_ms;
	const char *ack_by, *ack_via, *ack_comment;
	long long ack_at_ms, ack_expires_ms;
};

struct model_alert_group {
	const char *key, *rule, *code;
	enum sev sev;
	unsigned count;
};

struct model_alerts {
	json_t *root;
	struct model_alert *v;
	size_t n;
	unsigned total;
	/* The listed alerts that are counted (docs/api.md "What is
	 * counted"); has_counted 0 from a hub that does not say. */
	struct model_counts counted;
	int has_counted;
	const char *newest; /* id of the newest listed alert, or NULL */
	struct model_alert_group *groups;
	size_t ngroups;
};

struct model_history {
	long long at_ms;
	const char *who, *via, *from, *action, *comment;
	json_t *before, *after; /* borrowed, may be NULL */
};

struct model_dept_part {
	const char *dept, *role, *state, *by, *report;
	long long at_ms;
};

/* GET /api/v1/alerts/{id}. */
struct model_alert_detail {
	json_t *root;
	struct model_alert alert;
	struct model_history *history;
	size_t nhistory;
	struct model_dept_part *depts;
	size_t ndepts;
};

struct model_system {
	const char *id, *name, *name_en, *platform, *dept, *state;
	int grids;
	long long interval_s, last_ms, age_s;
	double latency_ms; /* NaN: none */
	struct model_counts alerts;
};

struct model_systems {
	json_t *root;
	struct model_system *v;
	size_t n;
};

struct model_grid {
	const char *code, *name, *name_en, *community, *subdistrict;
	enum sev sev;
	struct model_counts alerts;
	long long age_s;
	json_t *metrics; /* borrowed object key -> number, may be NULL */
};

struct model_grids {
	json_t *root;
	struct model_grid *v;
	size_t n;
};

/* A grid's headline value by key, NaN when absent. */
double model_grid_metric(const struct model_grid *g, const char *key);

/* GET /api/v1/map: rows x cols subdistrict codes, NULL for empty slots. */
struct model_map {
	json_t *root;
	int rows, cols;
	const char **cells;
};

struct model_audit_entry {
	long long seq, at_ms;
	const char *who, *via, *from, *action, *target, *comment;
	json_t *before, *after; /* borrowed, may be NULL */
	const char *hash;
};

struct model_quality_collector {
	const char *name, *peer;
	long long last_ms, age_s, requests, lines, points, rejected;
};

struct model_quality_system {
	const char *id, *state, *interval_source;
	long long interval_s, last_ms, age_s;
};

struct model_quality_series {
	const char *series;
	long long last_ms, age_s;
};

struct model_quality {
	json_t *root;
	struct model_quality_collector *collectors;
	size_t ncollectors;
	struct model_quality_system *systems;
	size_t nsystems;
	struct model_quality_series *silent;
	size_t nsilent;
	long long silent_total, rejected_total;
	json_t *by_reason, *by_source; /* borrowed objects, may be NULL */
	long long duplicates_total, late_total;
};

/* One series of a query result. */
struct model_series {
	const char *metric;
	json_t *labels; /* borrowed, may be NULL */
	long long *t;   /* owned */
	double *v;      /* owned */
	size_t n;
	long long start_ms, end_ms; /* the query's range */
};

struct model_query {
	json_t *root;
	long long start_ms, end_ms, step_ms;
	struct model_series *series;
	size_t nseries;
};

/* A label of a series, or NULL. */
const char *model_series_label(const struct model_series *s, const char *key);

struct model_whoami {
	json_t *root;
	const char *user, *role, *scope, *scope_name, *scope_level, *via;
	const char *scope_name_en; /* may be NULL */
};

/*
 * Decoders.  Each takes over the reference to root (also on error) and
 * fills *out; 0, or -1 with *cause (caller frees) when root has the wrong
 * shape.  Free with the matching model_*_free (safe on a zeroed struct).
 */
int model_overview_decode(
    json_t *root, struct model_overview *out, char **cause);
void model_overview_free(struct model_overview *o);
int model_tree_decode(json_t *root, struct model_tree *out, char **cause);
void model_tree_free(struct model_tree *t);
int model_alerts_decode(json_t *root, struct model_alerts *out, char **cause);
void model_alerts_free(struct model_alerts *a);
int model_alert_detail_decode(
    json_t *root, struct model_alert_detail *out, char **cause);
void model_alert_detail_free(struct model_alert_detail *d);
int model_systems_decode(json_t *root, struct model_systems *out, char **cause);
void model_systems_free(struct model_systems *s);
int model_grids_decode(json_t *root, struct model_grids *out, char **cause);
void model_grids_free(struct model_grids *g);
int model_map_decode(json_t *root, struct model_map *out, char **cause);
void model_map_free(struct model_map *m);
int model_quality_decode(json_t *root, struct model_quality *out, char **cause);
void model_quality_free(struct model_quality *q);
int model_query_decode(json_t *root, struct model_query *out, char **cause);
void model_query_free(struct model_query *q);
int model_whoami_decode(json_t *root, struct model_whoami *out, char **cause);
void model_whoami_free(struct model_whoami *w);

/* One alert or audit entry object (borrowed strings from obj). */
void model_alert_decode(json_t *obj, struct model_alert *out);
void model_audit_entry_decode(json_t *obj, struct model_audit_entry *out);

/* "{"state":"firing"}" -> "state=firing"; appended to b. */
struct buf;
void model_json_brief(struct buf *b, json_t *obj);
/* What changed from before to after: "state=firing->acknowledged" for
 * each member that differs (all of after when before is not an object). */
void model_json_diff(struct buf *b, json_t *before, json_t *after);

#endif
