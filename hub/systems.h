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

struct hub_system {
	char *id;
	char *name;
	char *name_en;
	enum hub_platform platform;
	int dept;   /* index into depts */
	int *cover; /* territory node indices as configured */
	size_t ncover;
	size_t ngrids;       /* grids covered */
	int64_t interval_ms; /* 0: not configured */
	char **metrics;      /* NULL-terminated, may be NULL */
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

/* Index of system id (len bytes), or -1. */
int hub_systems_find(const struct hub_systems *s, const char *id, size_t len);
/* Index of department id, or -1. */
int hub_systems_dept(const struct hub_systems *s, const char *id);
/* Does system cover territory node idx (a covered node contains it, or it
 * contains a covered node)? */
int hub_system_overlaps(
    const struct hub_system *sys, const struct hub_territory *t, int idx);
/* Platform by id, or -1. */
int hub_platform_find(const char *id);

#endif
