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
	/* A city hub's root, above its districts (hub/city/city.h); never in
	 * a territory.json. */
	HUB_LEVEL_CITY,
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
	/* grids only, may be NULL (hub/territory-field.c): the buildings
	 * array and the area object {"lat","lon","radius_m"} or
	 * {"polygon": [[lat, lon], ...]}, as in territory.json; owned refs */
	json_t *buildings, *area;
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

/* Validate a grid's "buildings" and "area" (either may be NULL) and keep
 * references on n; 0, or -1 with *cause (file:line:col).  Building codes
 * are unique in t.  (hub/territory-field.c) */
struct conf_file;
int hub_territory_field_read(struct conf_file *cf,
    const struct hub_territory *t, struct hub_node *n, json_t *buildings,
    json_t *area, char **cause);
/* The building of code and the index of its grid, or NULL. */
json_t *hub_territory_building(
    const struct hub_territory *t, const char *code, int *grid);
/* Is (lat, lon) inside grid node idx's area?  1 yes, 0 no, -1 the grid
 * has no area. */
int hub_territory_area_contains(
    const struct hub_territory *t, int idx, double lat, double lon);

/* "district", "subdistrict", "community", "grid", "city". */
const char *hub_level_name(enum hub_level level);

#endif
