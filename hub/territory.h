/*
 * The territory model: district > subdistricts > communities > grids, with
 * codes, names and the people responsible for each grid, loaded from
 * territory.json (see citybraind(8)) and validated with file:line:col
 * errors.  Immutable once loaded; SIGHUP builds a new one and swaps.
 */
#ifndef CB_HUB_TERRITORY_H
#define CB_HUB_TERRITORY_H

#include <stddef.h>

#include <jansson.h>

enum hub_level {
	HUB_LEVEL_DISTRICT,
	HUB_LEVEL_SUBDISTRICT,
	HUB_LEVEL_COMMUNITY,
	HUB_LEVEL_GRID,
};

struct hub_person {
	char *name;
	char *phone;
	char *station; /* police only */
};

struct hub_node {
	enum hub_level level;
	char *code;
	char *name;
	char *name_en;              /* may be NULL */
	int parent;                 /* node index; -1 for the district */
	int subdistrict, community; /* ancestor indices or -1 */
	int *children;              /* node indices, in file order */
	size_t nchildren;
	size_t ngrids; /* grids in the subtree (1 for a grid) */
	/* grids only */
	struct hub_person grid_worker, building_head, police;
};

struct hub_territory {
	char *path;
	struct hub_node *nodes; /* [0] is the district */
	size_t nnodes;
	int *by_code; /* node indices sorted by code */
	json_t *map;  /* the "map" object, or NULL; owned ref */
};

/* Load and validate path; NULL with *cause ("file:line:col: ...", caller
 * frees) on error.  The result is freed with hub_territory_free(). */
struct hub_territory *hub_territory_load(const char *path, char **cause);
/* The same from memory; name is used in messages. */
struct hub_territory *hub_territory_parse(
    const char *name, const char *text, size_t len, char **cause);
void hub_territory_free(struct hub_territory *t);

/* Node index of code (len bytes, not necessarily NUL-terminated), or -1. */
int hub_territory_find(
    const struct hub_territory *t, const char *code, size_t len);
/* The node of a NUL-terminated code, or NULL. */
const struct hub_node *hub_territory_node(
    const struct hub_territory *t, const char *code);
/* Is node index inner the same as or a descendant of node outer? */
int hub_territory_within(const struct hub_territory *t, int inner, int outer);
/* Same by codes; 0 when either is unknown. */
int hub_territory_code_within(
    const struct hub_territory *t, const char *inner, const char *outer);

/* "district", "subdistrict", "community", "grid". */
const char *hub_level_name(enum hub_level level);

#endif
