/* A city hub's routes: what it refuses, GET /api/v1/districts, and which
 * districts a merged route asks (see city.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "hub/city/city-int.h"
#include "hub/hub-config.h"
#include "hub/hub.h"
#include "lib/buf.h"
#include "lib/curlev.h"
#include "lib/xmalloc.h"

int
hub_city_start(struct hub *h, char **cause)
{
	struct hub_city *c;
	size_t i;

	if (h->config->city == NULL)
		return 0;
	c = xcalloc(1, sizeof *c);
	c->h = h;
	c->conf = h->config->city;
	if ((c->ce = curlev_create(h->base)) == NULL) {
		*cause = xstrdup("city: cannot start libcurl");
		free(c);
		return -1;
	}
	c->state = xcalloc(c->conf->ndistricts, sizeof *c->state);
	for (i = 0; i < c->conf->ndistricts; i++)
		c->state[i].up = -1;
	h->city = c;
	return 0;
}

void
hub_city_free(struct hub *h)
{
	struct hub_city *c = h->city;
	size_t i;

	if (c == NULL)
		return;
	curlev_free(c->ce);
	city_fetch_abort_all(c);
	for (i = 0; i < c->conf->ndistricts; i++)
		free(c->state[i].error);
	free(c->state);
	free(c);
	h->city = NULL;
}

/* The query string of req without parameter skip (NULL: all of it), as
 * "?k=v&..." or "" (caller frees). */
static char *
city_query_string(struct hub_req *req, const char *skip)
{
	const char *q =
	    evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req->ev));
	struct evkeyvalq kv;
	struct evkeyval *e;
	struct buf b = BUF_INIT;
	char *k, *v;

	if (q == NULL || *q == '\0')
		return xstrdup("");
	if (skip == NULL)
		return xasprintf("?%s", q);
	TAILQ_INIT(&kv);
	if (evhttp_parse_query_str(q, &kv) != 0) {
		evhttp_clear_headers(&kv);
		return xasprintf("?%s", q);
	}
	TAILQ_FOREACH(e, &kv, next)
	{
		if (strcmp(e->key, skip) == 0)
			continue;
		k = evhttp_uriencode(e->key, -1, 0);
		v = evhttp_uriencode(e->value, -1, 0);
		buf_printf(&b, "%c%s=%s", b.len == 0 ? '?' : '&', k, v);
		free(k);
		free(v);
	}
	evhttp_clear_headers(&kv);
	return b.len > 0 ? buf_detach(&b) : xstrdup("");
}

/* The district index whose territory holds code, or -1. */
static int
city_district_of(const struct city_conf *c, const char *code)
{
	size_t i;

	if (code == NULL || strlen(code) < 12)
		return -1;
	for (i = 0; i < c->ndistricts; i++) {
		if (strncmp(c->districts[i].code, code, 6) == 0)
			return (int)i;
	}
	return -1;
}

/* Is district i asked for req: inside the caller's scope, and district
 * only when only >= 0? */
static int
city_route_asks(struct hub_req *req, size_t i, int only)
{
	const char *code = req->hub->city->conf->districts[i].code;

	if (only >= 0 && (int)i != only)
		return 0;
	if (!hub_req_scope_overlaps(req, code))
		return 0;
	return 1;
}

/*
 * Defer req and ask path (with req's query string, less parameter skip)
 * of every district the caller's scope overlaps, or only of district only
 * (>= 0).  cb merges.
 */
static void
city_route_fan(struct hub_req *req, const char *path, const char *skip,
    int only, city_fetch_cb cb, json_t *extra)
{
	struct hub_city *c = req->hub->city;
	struct city_fetch *f;
	char *q = city_query_string(req, skip), *full;
	size_t i;

	full = xasprintf("%s%s", path, q);
	free(q);
	f = city_fetch_new(c, NULL, cb);
	f->extra = extra;
	for (i = 0; i < f->n; i++) {
		if (city_route_asks(req, i, only))
			f->path[i] = xstrdup(full);
	}
	free(full);
	f->req = hub_req_defer(req);
	city_fetch_start(f);
}

/* ?code=: the district it lies in (>= 0), -1 for none or the city, or -2
 * after replying 404. */
static int
city_route_code(struct hub_req *req)
{
	const struct city_conf *c = req->hub->city->conf;
	const char *code = hub_req_query(req, "code");
	int d;

	if (code == NULL || *code == '\0' || strcmp(code, c->code) == 0)
		return -1;
	if ((d = city_district_of(c, code)) < 0 ||
	    !hub_req_scope_overlaps(req, c->districts[d].code)) {
		hub_reply_error(req, 404,
		    "territory code \"%s\" is in none of the city's districts "
		    "(GET /api/v1/districts)",
		    code);
		return -2;
	}
	return d;
}

static void
city_route_overview(struct hub_req *req)
{
	city_route_fan(
	    req, "/api/v1/overview", NULL, -1, city_merge_overview, NULL);
}

static void
city_route_alerts(struct hub_req *req)
{
	const char *limit = hub_req_query(req, "limit");
	int d;

	if ((d = city_route_code(req)) == -2)
		return;
	city_route_fan(req, "/api/v1/alerts", d < 0 ? "code" : NULL, d,
	    city_merge_alerts,
	    json_pack("{s:I}", "limit",
	        (json_int_t)(limit != NULL ? strtoll(limit, NULL, 10) : 0)));
}

static void
city_route_query(struct hub_req *req)
{
	city_route_fan(req, "/api/v1/query", NULL, -1, city_merge_query, NULL);
}

static void
city_route_tree(struct hub_req *req)
{
	struct hub_city *c = req->hub->city;
	struct city_fetch *f;
	size_t i;
	int d;

	if ((d = city_route_code(req)) == -2)
		return;
	if (d >= 0) { /* inside one district: its own answer */
		city_route_fan(
		    req, "/api/v1/tree", NULL, d, city_merge_proxy, NULL);
		return;
	}
	f = city_fetch_new(c, NULL, city_merge_tree);
	for (i = 0; i < f->n; i++) {
		if (city_route_asks(req, i, -1))
			f->path[i] = xasprintf(
			    "/api/v1/tree?code=%s", c->conf->districts[i].code);
	}
	f->req = hub_req_defer(req);
	city_fetch_start(f);
}

static void
city_route_grids(struct hub_req *req)
{
	int d;

	if ((d = city_route_code(req)) == -2)
		return;
	if (d < 0) {
		hub_reply_error(req, 400,
		    "code: a city hub lists the grids of one district or "
		    "below (GET /api/v1/districts)");
		return;
	}
	city_route_fan(req, "/api/v1/grids", NULL, d, city_merge_proxy, NULL);
}

static void
city_route_districts(struct hub_req *req)
{
	city_route_fan(
	    req, "/api/v1/overview", NULL, -1, city_merge_districts, NULL);
}

/* The routes a city hub answers its own way. */
static const struct hub_route city_overrides[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/overview",
        .handler = city_route_overview},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/tree",
        .handler = city_route_tree},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/grids",
        .handler = city_route_grids},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/alerts",
        .handler = city_route_alerts},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/query",
        .handler = city_route_query},
    {.method = EVHTTP_REQ_POST,
        .path = "/api/v1/alerts/{id}/{action}",
        .handler = city_route_alert_action},
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/alerts/{id}",
        .handler = city_route_alert_get},
    {.path = NULL},
};

int
hub_city_dispatch(struct hub_req *req)
{
	struct hub_city *c = req->hub->city;
	const struct hub_route *r = req->route, *o;

	if (c == NULL)
		return 0;
	if (r->min_role == HUB_ROLE_COLLECTOR && r->method == EVHTTP_REQ_POST) {
		hub_reply_error(req, 403,
		    "%s (%s) is a city hub: it stores no points or events of "
		    "its "
		    "own; write to a district hub (GET /api/v1/districts)",
		    c->conf->name, c->conf->code);
		return 1;
	}
	for (o = city_overrides; o->path != NULL; o++) {
		/* With "remote_read", queries read the shared store the
		 * districts forward to (hub/route-query.c): groups are
		 * merged across districts exactly. */
		if (o->handler == city_route_query &&
		    req->hub->config->remote_read != NULL)
			continue;
		if (o->method == r->method && strcmp(o->path, r->path) == 0) {
			o->handler(req);
			return 1;
		}
	}
	return 0;
}

/* On a district hub: 404, as any unknown route. */
static void
city_route_districts_get(struct hub_req *req)
{
	if (req->hub->city == NULL) {
		hub_reply_error(req, 404,
		    "not a city hub: hub.json has no \"city\" and "
		    "\"districts\"");
		return;
	}
	city_route_districts(req);
}

const struct hub_route hub_routes_city[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/api/v1/districts",
        .handler = city_route_districts_get,
        .min_role = HUB_ROLE_VIEWER},
    {.path = NULL},
};
