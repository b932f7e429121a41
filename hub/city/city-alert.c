/*
 * Alert ids on a city hub: every district hub numbers its alerts from
 * A000001, so the city hub names each alert it lists "DDDDDD-ID", the
 * first 6 digits of its district's code, a hyphen and the district's own
 * id ("440304-A000123"; only digits, letters and '-', safe in a URL path
 * unescaped), keeping the district's id as "local_id".  GET
 * /api/v1/alerts/{id} with such an id is fetched from that district hub.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "hub/city/city-int.h"
#include "hub/hub.h"
#include "lib/xmalloc.h"

/* Digits of a district code that name it in a city alert id. */
#define CITY_ALERT_PREFIX 6

char *
city_alert_id(const struct city_district_conf *d, const char *local)
{
	return xasprintf("%.*s-%s", CITY_ALERT_PREFIX, d->code, local);
}

int
city_alert_id_parse(
    const struct city_conf *c, const char *id, const char **local)
{
	size_t i;

	if (id == NULL || strlen(id) < CITY_ALERT_PREFIX + 2 ||
	    id[CITY_ALERT_PREFIX] != '-')
		return -1;
	for (i = 0; i < c->ndistricts; i++) {
		if (strncmp(c->districts[i].code, id, CITY_ALERT_PREFIX) == 0) {
			*local = id + CITY_ALERT_PREFIX + 1;
			return (int)i;
		}
	}
	return -1;
}

int
city_alert_district(struct hub_req *req, const char *id, const char **local)
{
	const struct city_conf *c = req->hub->city->conf;
	int i;

	if ((i = city_alert_id_parse(c, id, local)) < 0)
		return -1;
	/* The city reads the district with a district-wide token: only a
	 * caller whose scope holds the whole district may reach it. */
	if (!hub_req_in_scope(req, c->districts[i].code))
		return -1;
	return i;
}

/* The string member k of o, if it is a district alert id, as the city's. */
static void
city_alert_rename(json_t *o, const char *k, const struct city_district_conf *d)
{
	const char *v = json_string_value(json_object_get(o, k));
	char *id;

	if (v == NULL || *v == '\0')
		return;
	id = city_alert_id(d, v);
	json_object_set_new(o, k, json_string(id));
	free(id);
}

void
city_alert_mark(json_t *a, const struct city_district_conf *d)
{
	const char *id = json_string_value(json_object_get(a, "id"));

	if (!json_is_object(a) || id == NULL)
		return;
	json_object_set_new(a, "local_id", json_string(id));
	city_alert_rename(a, "id", d);
	city_alert_rename(a, "inhibited_by", d);
	json_object_set_new(a, "district", json_string(d->code));
	json_object_set_new(a, "district_name", json_string(d->name));
}

void
city_alert_mark_group(json_t *g, const struct city_district_conf *d)
{
	json_t *ids = json_object_get(g, "ids"), *v;
	size_t i;
	char *id;

	json_array_foreach(ids, i, v)
	{
		if (!json_is_string(v))
			continue;
		id = city_alert_id(d, json_string_value(v));
		json_array_set_new(ids, i, json_string(id));
		free(id);
	}
}

/* The district answered the detail (or not): pass it on, ids the city's. */
static void
city_alert_get_done(struct city_fetch *f)
{
	const struct city_reply *r = NULL;
	json_t *body;
	size_t i;

	for (i = 0; i < f->n && r == NULL; i++)
		if (f->path[i] != NULL)
			r = &f->replies[i];
	if (r->status == 0 || r->body == NULL || !json_is_object(r->body)) {
		hub_reply_error_json(f->req, 502,
		    json_pack("{s:s}", "district", r->d->code),
		    "%s (%s) did not answer: %s", r->d->name, r->d->code,
		    r->error != NULL ? r->error : "no answer");
		return;
	}
	body = json_incref(r->body);
	if (r->status == 200)
		city_alert_mark(body, r->d);
	else
		json_object_set_new(body, "district", json_string(r->d->code));
	hub_reply_json(f->req, r->status, body);
}

void
city_route_alert_get(struct hub_req *req)
{
	struct hub_city *c = req->hub->city;
	const char *id = hub_req_param(req, "id"), *local;
	struct city_fetch *f;
	char *e;
	int i;

	if ((i = city_alert_district(req, id, &local)) < 0) {
		hub_reply_error(req, 404,
		    "no alert \"%s\" in your districts: on a city hub an "
		    "alert's id is its district's first 6 digits, '-' and the "
		    "district's id (\"440304-A000123\", its \"id\" in GET "
		    "/api/v1/alerts)",
		    id);
		return;
	}
	f = city_fetch_new(c, NULL, city_alert_get_done);
	e = evhttp_uriencode(local, -1, 0);
	f->path[i] = xasprintf("/api/v1/alerts/%s", e);
	free(e);
	f->req = hub_req_defer(req);
	city_fetch_start(f);
}
