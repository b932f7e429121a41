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

/* GET url into *out (a JSON document, caller decrefs); 0 or -1 with
 * *cause. */
static int
rread_get(const struct remote_target_conf *c, const char *url, json_t **out,
    char **cause)
{
	struct rread_body body = {BUF_INIT, 0};
	struct curl_slist *hdrs = remote_target_headers(c, NULL);
	char err[CURL_ERROR_SIZE] = "";
	json_error_t jerr;
	CURL *easy;
	CURLcode rc;
	long code = 0;

	if ((easy = curl_easy_init()) == NULL) {
		curl_slist_free_all(hdrs);
		*cause = xstrdup("libcurl: cannot start a request");
		return -1;
	}
	remote_target_curl_opts(c, easy);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, rread_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	rc = curl_easy_perform(easy);
	if (rc == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(easy);
	curl_slist_free_all(hdrs);
	*out = NULL;
	if (body.too_big)
		*cause =
		    xasprintf("answer larger than %u bytes", RREAD_MAX_BODY);
	else if (rc != CURLE_OK)
		*cause = xstrdup(err[0] != '\0' ? err : curl_easy_strerror(rc));
	else if (code != 200)
		*cause = xasprintf("HTTP %ld: %.200s", code, buf_str(&body.b));
	else if ((*out = json_loadb(body.b.data != NULL ? body.b.data : "",
	              body.b.len, 0, &jerr)) == NULL)
		*cause = xasprintf("not JSON: %s", jerr.text);
	buf_free(&body.b);
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

int
hub_remote_read_merge(struct hub *h, const struct selector *sel, int64_t start,
    int64_t end, json_t *series, char **cause)
{
	const struct remote_target_conf *c = h->config->remote_read;
	struct buf b = BUF_INIT;
	char *q, *url;
	json_t *doc, *data;
	CURL *esc;
	int rc = -1;

	if (c == NULL || end < start)
		return 0;
	/* sel[D] at time end: raw samples in (end - D, end]. */
	selector_format(sel, &b);
	buf_printf(&b, "[%lldms]", (long long)(end - start + 1));
	if ((esc = curl_easy_init()) == NULL) {
		buf_free(&b);
		*cause = xstrdup("libcurl: cannot start a request");
		return -1;
	}
	q = curl_easy_escape(esc, buf_str(&b), 0);
	url = xasprintf("%s/api/v1/query?query=%s&time=%lld.%03lld", c->url, q,
	    (long long)(end / 1000), (long long)(end % 1000));
	curl_free(q);
	curl_easy_cleanup(esc);
	buf_free(&b);
	if (rread_get(c, url, &doc, cause) != 0)
		goto out;
	data = json_object_get(doc, "data");
	if (strcmp(json_string_value(json_object_get(doc, "status")) != NULL
	               ? json_string_value(json_object_get(doc, "status"))
	               : "",
	        "success") != 0 ||
	    !json_is_array(json_object_get(data, "result"))) {
		*cause = xstrdup("not a Prometheus query answer");
		json_decref(doc);
		goto out;
	}
	rread_merge(sel, json_object_get(data, "result"), series);
	json_decref(doc);
	rc = 0;
out:
	free(url);
	return rc;
}
