/*
 * GET /api/v1/alerts/{id} on a city hub: with a city alert id
 * (city-alert-id.c), fetched from the district hub that owns the alert,
 * for a caller whose scope holds that district.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "hub/city/city-int.h"
#include "hub/hub.h"
#include "lib/xmalloc.h"

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
