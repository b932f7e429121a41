/*
 * One GET fanned out to every district hub at once (see city-int.h):
 * libcurl's multi interface on the hub's event loop (lib/curlev.h), so a
 * slow or dead district costs the loop nothing and costs the request at
 * most the city's "timeout".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "hub/city/city-int.h"
#include "hub/hub.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/curlev.h"
#include "lib/xmalloc.h"

/* A district's answer larger than this is refused (the city's memory). */
#define CITY_FETCH_MAX_BODY (256 << 20)

static void city_fetch_finish(struct city_fetch *f);
static void city_fetch_free(struct city_fetch *f);

/* One transfer of a fan-out. */
struct city_xfer {
	struct city_fetch *f;
	size_t i; /* district index */
	struct buf body;
	struct curl_slist *hdrs;
	int64_t t0;
	int too_big;
};

static size_t
city_fetch_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct city_xfer *x = arg;
	size_t n = size * nmemb;

	if (x->body.len + n > CITY_FETCH_MAX_BODY) {
		x->too_big = 1;
		return 0; /* curl aborts the transfer */
	}
	buf_append(&x->body, p, n);
	return n;
}

/* Record district i's state from its answer r. */
static void
city_fetch_note(struct hub_city *c, size_t i, const struct city_reply *r)
{
	struct city_district_state *s = &c->state[i];
	int64_t now = hub_now(c->h);

	s->rtt_ms = r->ms;
	if (r->status > 0 && r->status < 500) {
		s->up = 1;
		s->last_ok_ms = now;
		return;
	}
	s->up = 0;
	s->last_fail_ms = now;
	free(s->error);
	s->error = xstrdup(r->error != NULL ? r->error : "no answer");
}

/* Take the JSON (or the error) of a finished transfer into its reply. */
static void
city_fetch_reply(struct city_xfer *x, CURL *easy, CURLcode rc)
{
	struct city_reply *r = &x->f->replies[x->i];
	json_error_t je;
	json_t *err;
	long code = 0;

	r->ms = hub_now(x->f->city->h) - x->t0;
	if (rc != CURLE_OK) {
		r->error =
		    xasprintf("%s", x->too_big ? "answer larger than 256 MiB"
		                               : curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	r->status = (int)code;
	r->body = json_loadb(
	    x->body.data != NULL ? x->body.data : "", x->body.len, 0, &je);
	if (r->body == NULL && code == 200) {
		r->status = 0;
		r->error = xasprintf("bad JSON in the answer: %s", je.text);
		return;
	}
	if (code != 200) {
		err = json_object_get(r->body, "error");
		r->error = xasprintf("HTTP %ld: %s", code,
		    json_is_string(err) ? json_string_value(err)
		                        : "no error text");
	}
}

static void
city_fetch_done(CURL *easy, CURLcode rc, void *arg)
{
	struct city_xfer *x = arg;
	struct city_fetch *f = x->f;

	f->xfers[x->i] = NULL;
	city_fetch_reply(x, easy, rc);
	city_fetch_note(f->city, x->i, &f->replies[x->i]);
	curl_easy_cleanup(easy);
	curl_slist_free_all(x->hdrs);
	buf_free(&x->body);
	free(x);
	if (--f->pending == 0)
		city_fetch_finish(f);
}

/* Start district i's transfer of f; on failure its reply says why. */
static void
city_fetch_one(struct city_fetch *f, size_t i)
{
	const struct city_district_conf *d = &f->city->conf->districts[i];
	struct city_xfer *x = xcalloc(1, sizeof *x);
	CURL *easy;
	char *url, *auth;

	x->f = f;
	x->i = i;
	x->t0 = hub_now(f->city->h);
	buf_init(&x->body);
	if ((easy = curl_easy_init()) == NULL)
		goto fail;
	url = xasprintf("%s%s", d->url, f->path[i]);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, CURLEV_PROTOCOLS);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(
	    easy, CURLOPT_TIMEOUT_MS, (long)f->city->conf->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, city_fetch_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, x);
	x->hdrs = curl_slist_append(
	    NULL, "User-Agent: citybraind-city/" PACKAGE_VERSION);
	if (d->token != NULL) {
		auth = xasprintf("Authorization: Bearer %s", d->token);
		x->hdrs = curl_slist_append(x->hdrs, auth);
		free(auth);
	}
	if (f->post != NULL) {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, f->post);
		curl_easy_setopt(
		    easy, CURLOPT_POSTFIELDSIZE, (long)strlen(f->post));
		x->hdrs = curl_slist_append(
		    x->hdrs, "Content-Type: application/json");
	}
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, x->hdrs);
	if (curlev_add(f->city->ce, easy, city_fetch_done, x) == 0) {
		f->xfers[i] = x;
		return;
	}
	curl_easy_cleanup(easy);
fail:
	f->replies[i].error = xstrdup("cannot start the request");
	city_fetch_note(f->city, i, &f->replies[i]);
	curl_slist_free_all(x->hdrs);
	free(x);
	f->pending--;
}

struct city_fetch *
city_fetch_new(struct hub_city *c, struct hub_req *req, city_fetch_cb cb)
{
	struct city_fetch *f = xcalloc(1, sizeof *f);

	f->city = c;
	f->req = req;
	f->cb = cb;
	f->n = c->conf->ndistricts;
	f->replies = xcalloc(f->n, sizeof *f->replies);
	f->path = xcalloc(f->n, sizeof *f->path);
	f->xfers = xcalloc(f->n, sizeof *f->xfers);
	return f;
}

void
city_fetch_start(struct city_fetch *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++) {
		f->replies[i].d = &f->city->conf->districts[i];
		if (f->path[i] != NULL)
			n++;
	}
	f->pending = n + 1; /* held until every transfer started */
	f->next = f->city->fetches;
	f->city->fetches = f;
	for (i = 0; i < f->n; i++) {
		if (f->path[i] != NULL)
			city_fetch_one(f, i);
	}
	if (--f->pending == 0)
		city_fetch_finish(f);
}

/* Every district answered: merge, reply, free. */
static void
city_fetch_finish(struct city_fetch *f)
{
	struct city_fetch **pp;

	for (pp = &f->city->fetches; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	if (f->cb != NULL && f->req != NULL) {
		f->cb(f);
		hub_req_finish(f->req);
	}
	city_fetch_free(f);
}

static void
city_fetch_free(struct city_fetch *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->replies[i].error);
		json_decref(f->replies[i].body);
		free(f->path[i]);
	}
	free(f->replies);
	free(f->path);
	free(f->xfers);
	json_decref(f->extra);
	free(f->post);
	free(f);
}

void
city_fetch_path_all(struct city_fetch *f, const char *path)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		f->path[i] = xstrdup(path);
}

void
city_fetch_abort_all(struct hub_city *c)
{
	struct city_fetch *f;
	struct city_xfer *x;
	size_t i;

	while ((f = c->fetches) != NULL) {
		c->fetches = f->next;
		for (i = 0; i < f->n; i++) {
			if ((x = f->xfers[i]) == NULL)
				continue;
			curl_slist_free_all(x->hdrs);
			buf_free(&x->body);
			free(x);
		}
		if (f->req != NULL) {
			hub_reply_error(
			    f->req, 503, "the city hub is stopping");
			hub_req_finish(f->req);
		}
		city_fetch_free(f);
	}
}
