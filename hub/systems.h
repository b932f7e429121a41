/*
 * The systems catalogue (systems.json): departments and the 100+ systems,
 * each with its platform (one of five), department, the territory it
 * covers and its expected reporting interval.  Immutable once loaded.
 */
#ifndef CB_HUB_SYSTEMS_H
#define CB_HUB_SYSTEMS_H

#include <stddef.h>
#include <stdint.h>

struct hub_territory;

enum hub_platform {
	HUB_PLATFORM_MONITORING,
	HUB_PLATFORM_GOVERNANCE,
	HUB_PLATFORM_DECISION,
	HUB_PLATFORM_SERVICE,
	HUB_PLATFORM_INFRASTRUCTURE,
	HUB_PLATFORM_COUNT,
};

struct hub_platform_info {
	const char *id;
	const char *name;
	const char *name_en;
};

extern const struct hub_platform_info hub_platforms[HUB_PLATFORM_COUNT];

struct hub_dept {
	char *id;
	char *name;
	char *name_en;
};

/* The territory level a metric is reported per (its series carry that
 * place tag; "district": no place tag). */
enum hub_metric_per {
	HUB_PER_GRID,
	HUB_PER_COMMUNITY,
	HUB_PER_SUBDISTRICT,
	HUB_PER_DISTRICT,
};

/* A declared metric: "name" or {"name", "unit", "per", "range",
 * "monotonic", "max_step", "labels"} in systems.json. */
struct hub_metric {
	char *name;
	char *unit; /* NULL: not declared */
	enum hub_metric_per per;
	int has_range;
	double min, max;     /* inclusive, when has_range */
	int monotonic;       /* never decreases */
	double max_step;     /* largest change between readings, 0: none */
	char *label;         /* one label dimension ("level"), or NULL */
	char **label_values; /* its values, NULL-terminated, or NULL */
};

struct hub_system {
	char *id;
	char *name;
	char *name_en;
	enum hub_platform platform;
	int dept;   /* index into depts */
	int *cover; /* territory node indices as configured */
	size_t ncover;
	size_t ngrids;            /* grids covered */
	int64_t interval_ms;      /* 0: not configured */
	char **metrics;           /* NULL-terminated, may be NULL */
	struct hub_metric *specs; /* [i] declares metrics[i] */
	size_t nmetrics;
};

struct hub_systems {
	char *path;
	struct hub_dept *depts;
	size_t ndepts;
	struct hub_system *systems;
	size_t nsystems;
	int *by_id; /* indices sorted by id */
};

/* Load path, validating grid codes against t.  NULL with *cause on error;
 * free with hub_systems_free(). */
struct hub_systems *hub_systems_load(
    const char *path, const struct hub_territory *t, char **cause);
void hub_systems_free(struct hub_systems *s);
/* The same from memory (name in messages; for the fuzz target). */
struct hub_systems *hub_systems_parse(const char *name, const char *text,
    size_t len, const struct hub_territory *t, char **cause);

/* Index of system id (len bytes), or -1. */
int hub_systems_find(const struct hub_systems *s, const char *id, size_t len);
/* Index of department id, or -1. */
int hub_systems_dept(const struct hub_systems *s, const char *id);
/* Does system cover territory node idx (a covered node contains it, or it
 * contains a covered node)? */
int hub_system_overlaps(
    const struct hub_system *sys, const struct hub_territory *t, int idx);
/* For systems.c (systems-metric.c): read the "metrics" array arr into
 * sys->specs and sys->metrics (0, or -1 with *cause; what was read stays
 * in sys for hub_system_metrics_free). */
struct conf_file;
struct json_t;
int hub_system_metrics_read(struct conf_file *cf, struct json_t *arr,
    struct hub_system *sys, char **cause);
void hub_system_metrics_free(struct hub_system *sys);
void hub_metric_clear(struct hub_metric *m);

/* The declared metric name of system sys, or NULL. */
const struct hub_metric *hub_system_metric(
    const struct hub_system *sys, const char *name);
/* "grid", "community", "subdistrict", "district". */
const char *hub_metric_per_name(enum hub_metric_per per);
/* Platform by id, or -1. */
int hub_platform_find(const char *id);

#endif
