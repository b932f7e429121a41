/* The city hub's territory merges: GET /api/v1/overview and /api/v1/tree
 * over every district (see city.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/city/city-int.h"
#include "hub/hub.h"
#include "lib/xmalloc.h"

static const char *const city_sev[] = {"high", "medium", "low", "info"};
/* The overview's members that add up over districts. */
static const char *const city_summed[] = {
    "alerts", "ingest", "quality", "freshness", NULL};

/* Add every integer member of src to dst's (objects of counters), and
 * recurse into objects. */
static void
city_sum_into(json_t *dst, json_t *src)
{
	const char *k;
	json_t *v, *d;

	json_object_foreach(src, k, v)
	{
		d = json_object_get(dst, k);
		if (json_is_integer(v)) {
			json_object_set_new(dst, k,
			    json_integer(
			        json_integer_value(d) + json_integer_value(v)));
		} else if (json_is_real(v) ||
		           (json_is_number(v) && json_is_real(d))) {
			json_object_set_new(dst, k,
			    json_real(
			        json_number_value(d) + json_number_value(v)));
		} else if (json_is_object(v)) {
			if (!json_is_object(d)) {
				d = json_object();
				json_object_set_new(dst, k, d);
			}
			city_sum_into(d, v);
		}
	}
}

/* The worst severity with a non-zero count in alerts, or "ok". */
static const char *
city_worst(json_t *alerts)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (json_integer_value(json_object_get(alerts, city_sev[i])) >
		    0)
			return city_sev[i];
	}
	return "ok";
}

/* Fold a district's status roll-up st into the city's sum. */
static void
city_status_fold(json_t *sum, json_t *st)
{
	json_int_t a, b;

	city_sum_into(
	    json_object_get(sum, "alerts"), json_object_get(st, "alerts"));
	a = json_integer_value(json_object_get(sum, "grids"));
	json_object_set_new(sum, "grids",
	    json_integer(a + json_integer_value(json_object_get(st, "grids"))));
	a = json_integer_value(json_object_get(sum, "grids_silent"));
	json_object_set_new(sum, "grids_silent",
	    json_integer(
	        a + json_integer_value(json_object_get(st, "grids_silent"))));
	a = json_integer_value(json_object_get(sum, "last_ms"));
	b = json_integer_value(json_object_get(st, "last_ms"));
	if (b > a)
		json_object_set_new(sum, "last_ms", json_integer(b));
}

/* A new, empty status roll-up. */
static json_t *
city_status_new(void)
{
	return json_pack("{s:s,s:{s:i,s:i,s:i,s:i},s:n,s:n,s:i,s:i}",
	    "severity", "ok", "alerts", "high", 0, "medium", 0, "low", 0,
	    "info", 0, "last_ms", "age_s", "grids", 0, "grids_silent", 0);
}

/* Set severity and age_s of a folded roll-up. */
static void
city_status_close(json_t *st, int64_t now)
{
	json_t *last = json_object_get(st, "last_ms");

	json_object_set_new(st, "severity",
	    json_string(city_worst(json_object_get(st, "alerts"))));
	if (json_integer_value(last) > 0)
		json_object_set_new(st, "age_s",
		    json_integer((now - json_integer_value(last)) / 1000));
	else
		json_object_set_new(st, "last_ms", json_null());
}

/* The city's own identity object. */
static json_t *
city_ident(const struct city_conf *c)
{
	json_t *j = json_pack(
	    "{s:s,s:s,s:s}", "code", c->code, "level", "city", "name", c->name);

	if (c->name_en != NULL)
		json_object_set_new(j, "name_en", json_string(c->name_en));
	return j;
}

/* A district that did not answer, as a territory node. */
static json_t *
city_down_node(const struct city_fetch *f, size_t i)
{
	const struct city_reply *r = &f->replies[i];

	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:n}", "code", r->d->code,
	    "level", "district", "name", r->d->name, "state", "down", "error",
	    r->error != NULL ? r->error : "no answer", "status");
}

/* A district's roll-up from its overview body b. */
static json_t *
city_district_node(const struct city_reply *r, int64_t now)
{
	json_t *st = city_status_new(), *sub,
	       *fr = json_object_get(r->body, "freshness");
	json_t *node;
	size_t k;

	json_array_foreach(json_object_get(r->body, "subdistricts"), k, sub)
	    city_status_fold(st, json_object_get(sub, "status"));
	/* the district's own count (its scope), not the subdistricts' sum */
	json_object_set(st, "alerts", json_object_get(r->body, "alerts"));
	json_object_del(json_object_get(st, "alerts"), "total");
	json_object_set(
	    st, "grids_silent", json_object_get(fr, "grids_silent"));
	city_status_close(st, now);
	node = json_pack("{s:s,s:s,s:s,s:s,s:o}", "code", r->d->code, "level",
	    "district", "name", r->d->name, "state", "up", "status", st);
	return node;
}

void
city_merge_overview(struct city_fetch *f)
{
	struct hub *h = f->req->hub;
	const struct city_conf *c = h->city->conf;
	int64_t now = hub_now(h);
	json_t *j, *dists = json_array(), *subs = json_array(), *sum;
	json_t *plats = NULL, *p = NULL, *e;
	size_t i, k, m;

	if (city_reply_failed(f)) {
		json_decref(dists);
		json_decref(subs);
		return;
	}
	j = json_pack("{s:I,s:o,s:o}", "time_ms", (json_int_t)now, "city",
	    city_ident(c), "district", city_ident(c));
	sum = json_object();
	for (i = 0; i < f->n; i++) {
		const struct city_reply *r = &f->replies[i];

		if (f->path[i] == NULL)
			continue;
		if (r->status != 200) {
			json_array_append_new(dists, city_down_node(f, i));
			/* a row of its own where its subdistricts would be, so
			 * that a console listing them shows it down */
			e = city_down_node(f, i);
			json_object_set_new(
			    e, "name", json_sprintf("%s (down)", r->d->name));
			json_object_set_new(
			    e, "district", json_string(r->d->code));
			json_array_append_new(subs, e);
			continue;
		}
		json_array_append_new(dists, city_district_node(r, now));
		json_array_foreach(
		    json_object_get(r->body, "subdistricts"), k, e)
		{
			json_object_set_new(
			    e, "district", json_string(r->d->code));
			json_array_append(subs, e);
		}
		/* platforms: sum the system counts of the same platform id */
		json_array_foreach(json_object_get(r->body, "platforms"), k, e)
		{
			if (plats == NULL)
				plats = json_array();
			json_array_foreach(plats, m, p)
			{
				if (json_equal(json_object_get(p, "id"),
				        json_object_get(e, "id")))
					break;
			}
			if (m < json_array_size(plats))
				city_sum_into(p, e);
			else
				json_array_append_new(plats, json_deep_copy(e));
		}
		for (k = 0; city_summed[k] != NULL; k++) {
			e = json_object_get(r->body, city_summed[k]);
			if (!json_is_object(e))
				continue;
			if ((p = json_object_get(sum, city_summed[k])) ==
			    NULL) {
				p = json_object();
				json_object_set_new(sum, city_summed[k], p);
			}
			city_sum_into(p, e);
		}
	}
	json_object_set_new(j, "scope", city_ident(c));
	json_object_set_new(j, "districts", dists);
	json_object_set_new(j, "subdistricts", subs);
	json_object_set_new(
	    j, "platforms", plats != NULL ? plats : json_array());
	json_object_update(j, sum);
	json_decref(sum);
	/* freshness: the newest point anywhere, not a sum of times */
	e = json_object_get(j, "freshness");
	if (e != NULL) {
		json_int_t last = 0, v;

		for (i = 0; i < f->n; i++) {
			if (f->replies[i].status != 200)
				continue;
			v = json_integer_value(json_object_get(
			    json_object_get(f->replies[i].body, "freshness"),
			    "last_ms"));
			if (v > last)
				last = v;
		}
		json_object_set_new(
		    e, "last_ms", last > 0 ? json_integer(last) : json_null());
		json_object_set_new(e, "age_s",
		    last > 0 ? json_integer((now - last) / 1000) : json_null());
	}
	city_sources_set(f, j, NULL);
	hub_reply_json(f->req, 200, j);
}

void
city_merge_tree(struct city_fetch *f)
{
	struct hub *h = f->req->hub;
	const struct city_conf *c = h->city->conf;
	int64_t now = hub_now(h);
	json_t *node, *st, *children = json_array(), *j, *dn;
	size_t i;

	if (city_reply_failed(f)) {
		json_decref(children);
		return;
	}
	st = city_status_new();
	for (i = 0; i < f->n; i++) {
		const struct city_reply *r = &f->replies[i];

		if (f->path[i] == NULL)
			continue;
		if (r->status != 200) {
			json_array_append_new(children, city_down_node(f, i));
			continue;
		}
		dn = json_deep_copy(json_object_get(r->body, "node"));
		json_object_set_new(dn, "state", json_string("up"));
		city_status_fold(st, json_object_get(dn, "status"));
		json_array_append_new(children, dn);
	}
	city_status_close(st, now);
	node = city_ident(c);
	json_object_set_new(node, "status", st);
	j = json_pack(
	    "{s:o,s:[],s:o}", "node", node, "path", "children", children);
	city_sources_set(f, j, NULL);
	hub_reply_json(f->req, 200, j);
}
