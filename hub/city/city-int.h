/* hub/city/'s own declarations: the city hub's state, the fan-out fetch
 * (city-fetch.c) and the merges (city-merge.c).  Not a door: other
 * modules include hub/city/city.h. */
#ifndef CB_HUB_CITY_INT_H
#define CB_HUB_CITY_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/city/city.h"

struct curlev;

/* What the city hub last saw of a district (GET /api/v1/districts). */
struct city_district_state {
	int up;               /* -1 never asked, 0 down, 1 up */
	int64_t last_ok_ms;   /* last answer, or 0 */
	int64_t last_fail_ms; /* last failure, or 0 */
	int64_t rtt_ms;       /* the last request's round trip */
	char *error;          /* the last failure's reason; owned */
};

struct city_fetch;

struct hub_city {
	struct hub *h;
	const struct city_conf *conf; /* h->config's */
	struct curlev *ce;
	struct city_district_state *state; /* per district, conf order */
	struct city_fetch *fetches;        /* in flight */
};

/* One district's answer to a fan-out. */
struct city_reply {
	const struct city_district_conf *d;
	int status;   /* HTTP status; 0 when it did not answer */
	char *error;  /* why, for status 0 or not 200; owned */
	json_t *body; /* the JSON answer (also of errors), or NULL; owned */
	int64_t ms;   /* round trip */
};

typedef void (*city_fetch_cb)(struct city_fetch *f);

/*
 * A fan-out: path[i] is what district i is asked (NULL: not asked, its
 * reply stays empty with status 0 and no error); cb runs on the loop once
 * every asked district answered or failed, replies to req (a deferred
 * request), which is then finished; then f is freed.
 */
struct city_fetch {
	struct hub_city *city;
	struct hub_req *req;
	city_fetch_cb cb;
	char **path;
	struct city_reply *replies;
	void **xfers; /* transfers in flight, by district; for shutdown */
	size_t n;
	size_t pending;
	json_t *extra; /* the route's own state (e.g. the query echo); owned */
	char *post;    /* a JSON body to POST rather than GET, or NULL; owned */
	struct city_fetch *next;
};

/* A fan-out for req (already deferred) with no paths set yet. */
struct city_fetch *city_fetch_new(
    struct hub_city *c, struct hub_req *req, city_fetch_cb cb);
/* Ask every district the same path (with its query string). */
void city_fetch_path_all(struct city_fetch *f, const char *path);
/* Send; cb runs later (or now, when nothing could be sent). */
void city_fetch_start(struct city_fetch *f);
/* Shutdown: answer every request in flight 503 and free the fan-outs
 * (after curlev_free, which dropped their transfers). */
void city_fetch_abort_all(struct hub_city *c);

/* 1 if reply r counts as answered (a 2xx or 4xx), 0 if down. */
int city_reply_answered(const struct city_reply *r);
/* The "warnings" array naming every district of f that did not answer
 * (new reference; empty when all did). */
json_t *city_warnings(const struct city_fetch *f);
/* {"code","name","state","status","error","ms"} for district i of f. */
json_t *city_source(const struct city_fetch *f, size_t i);

/* Reply for f when no asked district answered 200 and return 1: a
 * district's own 4xx (the request was bad everywhere), else 502 naming
 * every district that did not answer.  0 when some district answered. */
int city_reply_failed(struct city_fetch *f);
/* Set "sources" on j (with each district's count of its answer's array
 * member, when not NULL) and, when a district did not answer,
 * "warnings". */
void city_sources_set(struct city_fetch *f, json_t *j, const char *member);

/* The merges, as fan-out callbacks (city-merge.c, city-merge-tree.c). */
void city_merge_districts(struct city_fetch *f);
void city_merge_alerts(struct city_fetch *f);
void city_merge_query(struct city_fetch *f);
void city_merge_overview(struct city_fetch *f);
void city_merge_tree(struct city_fetch *f);
void city_merge_proxy(struct city_fetch *f);

/* POST /api/v1/alerts/{id}/{action} on a city hub (id the city's
 * "DDDDDD-ID", or the district's with ?district=CODE): passed to the
 * district hub that owns the alert (city-action.c). */
void city_route_alert_action(struct hub_req *req);

/* City alert ids (city-alert.c): "DDDDDD-ID", the district code's first 6
 * digits, '-', the district hub's own id.  city_alert_id: new string,
 * caller frees. */
char *city_alert_id(const struct city_district_conf *d, const char *local);
/* The district index of city alert id (with *local pointing at the
 * district's id inside it), or -1 when it names none of c's districts. */
int city_alert_id_parse(
    const struct city_conf *c, const char *id, const char **local);
/* As city_alert_id_parse, and -1 also when the district is not wholly
 * inside req's caller's scope. */
int city_alert_district(
    struct hub_req *req, const char *id, const char **local);
/* A district's alert object as the city lists it: "id" (and
 * "inhibited_by") the city's, "local_id" the district's, "district" and
 * "district_name" set.  Groups: each of "ids" the city's. */
void city_alert_mark(json_t *a, const struct city_district_conf *d);
void city_alert_mark_group(json_t *g, const struct city_district_conf *d);
/* GET /api/v1/alerts/{id} on a city hub: from the district that owns it. */
void city_route_alert_get(struct hub_req *req);

#endif
