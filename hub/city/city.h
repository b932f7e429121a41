/*
 * A city of districts (issue 13), the hub's door to it (hub/city/):
 *
 * - the configuration (city-conf.c): hub.json "city" {code, name, name_en,
 *   timeout} and "districts" [{name, code, url, token | token_file}]; with
 *   them citybraind is a city hub, whose territory is the city
 *   (HUB_LEVEL_CITY) over its districts;
 * - the fetch (city-fetch.c): one GET fanned out to every district hub at
 *   once through libcurl's multi interface on the hub's event loop
 *   (lib/curlev.h), never blocking it; each district answers or is marked
 *   down with the reason;
 * - the routes (city-route.c, city-merge.c): a city hub stores no points
 *   of its own (every write route answers 403), lists its districts
 *   (GET /api/v1/districts), and answers /api/v1/overview, /api/v1/tree,
 *   /api/v1/alerts and /api/v1/query by merging its districts' answers,
 *   each part marked with its district, a district that did not answer
 *   named in "warnings" (never silently missing).
 *
 * docs/api.md ("A city of districts") is the contract; docs/scale.md the
 * deployment.
 */
#ifndef CB_HUB_CITY_H
#define CB_HUB_CITY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/hub.h"

struct conf_file;
struct hub_territory;

/* One hub.json "districts" entry. */
struct city_district_conf {
	char *name;  /* 罗湖区 */
	char *code;  /* 12 digits ending in 000000 */
	char *url;   /* the district hub's base URL, "http://host:port" */
	char *token; /* bearer token (from "token" or "token_file"), or NULL */
};

/* hub.json "city" with its districts. */
struct city_conf {
	char *code; /* 12 digits ending in 00000000: 440300000000 */
	char *name;
	char *name_en;      /* may be NULL */
	int64_t timeout_ms; /* per district request (default 5 s) */
	struct city_district_conf *districts;
	size_t ndistricts;
};

/*
 * Read hub.json's "city" object and "districts" array (either may be NULL:
 * both are needed, a missing one is an error naming the other's position)
 * into a new *out (free with city_conf_free).  conf_path resolves relative
 * token_file names.  0, or -1 with *cause ("file:line:col: ...").
 */
int city_conf_read(struct conf_file *cf, const char *conf_path, json_t *city,
    json_t *districts, struct city_conf **out, char **cause);
void city_conf_free(struct city_conf *c);

/* The city hub's territory: the city with its districts as children (new,
 * free with hub_territory_free). */
struct hub_territory *city_territory_new(const struct city_conf *c);

/* Start the city part of a hub whose configuration has "city" (does
 * nothing otherwise); h->city holds it.  0, or -1 with *cause. */
int hub_city_start(struct hub *h, char **cause);
void hub_city_free(struct hub *h);

/*
 * Called by the dispatcher for every request that passed its route's
 * role check: on a city hub, answers (or defers) the routes a city hub
 * answers its own way and returns 1; returns 0 to let the route's own
 * handler answer (always on a district hub).
 */
int hub_city_dispatch(struct hub_req *req);

/* GET /api/v1/districts. */
extern const struct hub_route hub_routes_city[];

#endif
