/* Long history read back from the long-term store (hub.json
 * "remote_read"): raw samples of a selector over a span through the
 * store's Prometheus-compatible query API, merged into a native query's
 * series (hub/remote/remote.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/remote/remote.h"
#include "lib/buf.h"
#include "lib/curlev.h"
#include "lib/selector.h"
#include "lib/xmalloc.h"

/* Answers larger than this are refused (a query's points are bounded). */
#define RREAD_MAX_BODY (256u << 20)

struct rread_body {
	struct buf b;
	int too_big;
};

static size_t
rread_write(char *p, size_t size, size_t n, void *arg)
{
	struct rread_body *body = arg;

	if (body->b.len + size * n > RREAD_MAX_BODY) {
		body->too_big = 1;
		return 0;
	}
	buf_append(&body->b, p, size * n);
	return size * n;
}

/* A remote read under way: its answer and what to do with it. */
struct rread_xfer {
	struct rread_body body;
	struct curl_slist *hdrs;
	char err[CURL_ERROR_SIZE];
	const struct selector *sel; /* borrowed until done */
	json_t *series;             /* borrowed until done */
	hub_remote_read_cb done;
	void *arg;
	struct remote_reader *reader;
	struct rread_xfer *prev, *next; /* running on the loop */
};

/* A transfer of url with c's options writing into x (the caller starts
 * it); NULL with *cause. */
static CURL *
rread_easy(const struct remote_target_conf *c, const char *url,
    struct rread_xfer *x, char **cause)
{
	CURL *easy;

	if ((easy = curl_easy_init()) == NULL) {
		*cause = xstrdup("libcurl: cannot start a request");
		return NULL;
	}
	x->hdrs = remote_target_headers(c, NULL);
	remote_target_curl_opts(c, easy);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->err);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, rread_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &x->body);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	return easy;
}

/* The JSON document a finished transfer of x got into *out (caller
 * decrefs); cleans easy up.  0 or -1 with *cause. */
static int
rread_answer(
    CURL *easy, CURLcode rc, struct rread_xfer *x, json_t **out, char **cause)
{
	json_error_t jerr;
	long code = 0;

	if (rc == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(easy);
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	*out = NULL;
	if (x->body.too_big)
		*cause =
		    xasprintf("answer larger than %u bytes", RREAD_MAX_BODY);
	else if (rc != CURLE_OK)
		*cause = xstrdup(
		    x->err[0] != '\0' ? x->err : curl_easy_strerror(rc));
	else if (code != 200)
		*cause =
		    xasprintf("HTTP %ld: %.200s", code, buf_str(&x->body.b));
	else if ((*out = json_loadb(
	              x->body.b.data != NULL ? x->body.b.data : "",
	              x->body.b.len, 0, &jerr)) == NULL)
		*cause = xasprintf("not JSON: %s", jerr.text);
	buf_free(&x->body.b);
	return *out != NULL ? 0 : -1;
}

/* A selector_match callback over a Prometheus "metric" object. */
static const char *
rread_label(void *arg, const char *name)
{
	return json_string_value(json_object_get(arg, name));
}

/* "metric\1name=value\1..." of a series' metric and labels (sorted by
 * jansson's JSON_SORT_KEYS dump); caller frees. */
static char *
rread_key(const char *metric, json_t *labels)
{
	char *l = json_dumps(labels, JSON_SORT_KEYS | JSON_COMPACT), *k;

	k = xasprintf("%s\1%s", metric != NULL ? metric : "", l ? l : "");
	free(l);
	return k;
}

static int
rread_point_cmp(const void *a, const void *b)
{
	json_int_t x =
	    json_integer_value(json_array_get(*(json_t *const *)a, 0));
	json_int_t y =
	    json_integer_value(json_array_get(*(json_t *const *)b, 0));

	return x < y ? -1 : x > y;
}

static int
rread_time_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Add the remote points rp ([[seconds, "value"], ...]) to pts (sorted by
 * time) whose timestamps are not in pts already (local data wins), keeping
 * time order. */
static void
rread_points_merge(json_t *pts, json_t *rp)
{
	size_t i, n0 = json_array_size(pts), n;
	json_t *p, **all;
	int64_t *have = xcalloc(n0 + 1, sizeof *have), t;
	double v;

	for (i = 0; i < n0; i++)
		have[i] = json_integer_value(
		    json_array_get(json_array_get(pts, i), 0));
	json_array_foreach(rp, i, p)
	{
		t = (int64_t)llround(
		    json_number_value(json_array_get(p, 0)) * 1000);
		v = strtod(json_string_value(json_array_get(p, 1)) != NULL
		               ? json_string_value(json_array_get(p, 1))
		               : "NaN",
		    NULL);
		if (bsearch(&t, have, n0, sizeof *have, rread_time_cmp) == NULL)
			json_array_append_new(
			    pts, json_pack("[I,o]", (json_int_t)t,
			             isfinite(v) ? json_real(v) : json_null()));
	}
	free(have);
	n = json_array_size(pts);
	if (n == n0)
		return;
	all = xcalloc(n, sizeof *all);
	for (i = 0; i < n; i++)
		all[i] = json_incref(json_array_get(pts, i));
	qsort(all, n, sizeof *all, rread_point_cmp);
	json_array_clear(pts);
	for (i = 0; i < n; i++)
		json_array_append_new(pts, all[i]);
	free(all);
}

/* Merge the matrix result res into series (the native query's array). */
static void
rread_merge(const struct selector *sel, json_t *res, json_t *series)
{
	json_t *index = json_object(), *s, *r, *m, *labels;
	const char *metric;
	char *key;
	size_t i;

	json_array_foreach(series, i, s)
	{
		key = rread_key(json_string_value(json_object_get(s, "metric")),
		    json_object_get(s, "labels"));
		json_object_set(index, key, s);
		free(key);
	}
	json_array_foreach(res, i, r)
	{
		m = json_object_get(r, "metric");
		metric = json_string_value(json_object_get(m, "__name__"));
		if (!json_is_object(m) || metric == NULL ||
		    !json_is_array(json_object_get(r, "values")))
			continue;
		/* Scope masking as for local data, whatever the store did. */
		if (!selector_match(sel, metric, rread_label, m))
			continue;
		labels = json_deep_copy(m);
		json_object_del(labels, "__name__");
		key = rread_key(metric, labels);
		if ((s = json_object_get(index, key)) == NULL) {
			s = json_pack("{s:O,s:[],s:s}", "labels", labels,
			    "points", "metric", metric);
			json_array_append_new(series, s);
			json_object_set(index, key, s);
		}
		rread_points_merge(
		    json_object_get(s, "points"), json_object_get(r, "values"));
		json_decref(labels);
		free(key);
	}
	json_decref(index);
}

/* The query URL of sel over [start, end] on c (caller frees): sel[D] at
 * time end, raw samples in (end - D, end]. */
static char *
rread_url(const struct remote_target_conf *c, const struct selector *sel,
    int64_t start, int64_t end)
{
	struct buf b = BUF_INIT;
	char *q, *url;

	selector_format(sel, &b);
	buf_printf(&b, "[%lldms]", (long long)(end - start + 1));
	q = curl_easy_escape(NULL, buf_str(&b), 0);
	url = xasprintf("%s/api/v1/query?query=%s&time=%lld.%03lld", c->url, q,
	    (long long)(end / 1000), (long long)(end % 1000));
	curl_free(q);
	buf_free(&b);
	return url;
}

/* Merge the answer doc (a Prometheus query reply; stolen) into x's
 * series; 0 or -1 with *cause. */
static int
rread_doc_merge(struct rread_xfer *x, json_t *doc, char **cause)
{
	json_t *data = json_object_get(doc, "data");
	const char *status = json_string_value(json_object_get(doc, "status"));

	if (status == NULL || strcmp(status, "success") != 0 ||
	    !json_is_array(json_object_get(data, "result"))) {
		*cause = xstrdup("not a Prometheus query answer");
		json_decref(doc);
		return -1;
	}
	rread_merge(x->sel, json_object_get(data, "result"), x->series);
	json_decref(doc);
	return 0;
}

int
hub_remote_read_merge(struct hub *h, const struct selector *sel, int64_t start,
    int64_t end, json_t *series, char **cause)
{
	const struct remote_target_conf *c = h->config->remote_read;
	struct rread_xfer x;
	json_t *doc;
	char *url;
	CURL *easy;
	int rc;

	if (c == NULL || end < start)
		return 0;
	memset(&x, 0, sizeof x);
	x.sel = sel;
	x.series = series;
	url = rread_url(c, sel, start, end);
	easy = rread_easy(c, url, &x, cause);
	free(url);
	if (easy == NULL)
		return -1;
	rc = curl_easy_perform(easy);
	if (rread_answer(easy, rc, &x, &doc, cause) != 0)
		return -1;
	return rread_doc_merge(&x, doc, cause);
}

/* The remote reads' transfers on the hub's loop. */
struct remote_reader {
	struct curlev *ce;
	struct rread_xfer *running; /* a list */
};

static void
rread_unlink(struct remote_reader *rd, struct rread_xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		rd->running = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
}

static void
rread_done(CURL *easy, CURLcode rc, void *arg)
{
	struct rread_xfer *x = arg;
	char *cause = NULL;
	json_t *doc;
	int r = -1;

	rread_unlink(x->reader, x);
	if (rread_answer(easy, rc, x, &doc, &cause) == 0)
		r = rread_doc_merge(x, doc, &cause);
	x->done(r, cause, x->arg);
	free(cause);
	free(x);
}

int
hub_remote_read_merge_start(struct hub *h, const struct selector *sel,
    int64_t start, int64_t end, json_t *series, hub_remote_read_cb done,
    void *arg, char **cause)
{
	const struct remote_target_conf *c = h->config->remote_read;
	struct rread_xfer *x;
	char *url;
	CURL *easy;

	if (c == NULL || end < start) {
		*cause = xstrdup("no remote_read, or an empty span");
		return -1;
	}
	if (h->reader == NULL) {
		h->reader = xcalloc(1, sizeof *h->reader);
		h->reader->ce = curlev_create(h->base);
	}
	x = xcalloc(1, sizeof *x);
	x->sel = sel;
	x->series = series;
	x->done = done;
	x->arg = arg;
	url = rread_url(c, sel, start, end);
	easy = rread_easy(c, url, x, cause);
	free(url);
	if (easy == NULL) {
		free(x);
		return -1;
	}
	if (curlev_add(h->reader->ce, easy, rread_done, x) != 0) {
		curl_easy_cleanup(easy);
		curl_slist_free_all(x->hdrs);
		free(x);
		*cause = xstrdup("libcurl: cannot start a request");
		return -1;
	}
	x->reader = h->reader;
	x->next = h->reader->running;
	if (x->next != NULL)
		x->next->prev = x;
	h->reader->running = x;
	return 0;
}

void
hub_remote_read_free(struct hub *h)
{
	struct rread_xfer *x;

	if (h->reader == NULL)
		return;
	/* The transfers end first; then each read still running is told. */
	curlev_free(h->reader->ce);
	while ((x = h->reader->running) != NULL) {
		rread_unlink(h->reader, x);
		curl_slist_free_all(x->hdrs);
		buf_free(&x->body.b);
		x->done(-1, "the hub is shutting down", x->arg);
		free(x);
	}
	free(h->reader);
	h->reader = NULL;
}

int64_t
hub_remote_read_horizon(struct hub *h, int64_t now, int64_t step)
{
	const struct hub_config *c = h->config;
	int64_t horizon;

	if (c->remote_read == NULL)
		return INT64_MIN;
	/* A city hub stores nothing: all of it is in the shared store. */
	if (c->city != NULL)
		return INT64_MAX;
	if (c->retention_raw_ms <= 0)
		return INT64_MIN;
	horizon = now - c->retention_raw_ms;
	/* A tier that answers the step holds what raw data no longer has. */
	if (step > 0 && step % 60000 == 0) {
		if (c->retention_minute_ms <= 0)
			return INT64_MIN;
		if (now - c->retention_minute_ms < horizon)
			horizon = now - c->retention_minute_ms;
	}
	if (step > 0 && step % 3600000 == 0) {
		if (c->retention_hour_ms <= 0)
			return INT64_MIN;
		if (now - c->retention_hour_ms < horizon)
			horizon = now - c->retention_hour_ms;
	}
	return horizon;
}
