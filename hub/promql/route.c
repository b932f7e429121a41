/* promql HTTP routes: the Prometheus HTTP API under /prometheus (query,
 * query_range, series, labels, label values, buildinfo, metadata) with
 * its parameters, JSON envelope and status codes.  Every selector gets
 * the caller's scope added exactly as the native query API does. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "hub/hub.h"
#include "hub/promql/promql-int.h"
#include "hub/query-scope.h"
#include "lib/clock.h"
#include "lib/jsonout.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define ROUTE_MAX_STEPS  11000
#define ROUTE_TIMEOUT_MS (2 * 60 * 1000)
#define ROUTE_MAX_POINTS 50000000

/* The request's parameters from the query string and a form body. */
struct route_params {
	size_t n;
	char **names, **values;
};

static void
route_params_parse(struct route_params *p, const char *s, size_t len)
{
	const char *end = s + len, *amp, *eq;

	while (s < end) {
		char *name, *value, *raw;

		if ((amp = memchr(s, '&', (size_t)(end - s))) == NULL)
			amp = end;
		eq = memchr(s, '=', (size_t)(amp - s));
		raw = xstrndup(s, (size_t)((eq != NULL ? eq : amp) - s));
		name = evhttp_uridecode(raw, 1, NULL);
		free(raw);
		raw = eq != NULL ? xstrndup(eq + 1, (size_t)(amp - eq - 1))
		                 : xstrdup("");
		value = evhttp_uridecode(raw, 1, NULL);
		free(raw);
		if (name == NULL || value == NULL || *name == '\0') {
			free(name);
			free(value);
		} else {
			p->names =
			    xreallocarray(p->names, p->n + 1, sizeof *p->names);
			p->values = xreallocarray(
			    p->values, p->n + 1, sizeof *p->values);
			p->names[p->n] = name;
			p->values[p->n++] = value;
		}
		s = amp + 1;
	}
}

static void
route_params_init(struct hub_req *req, struct route_params *p)
{
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req->ev);
	const char *q = u != NULL ? evhttp_uri_get_query(u) : NULL;
	const char *body, *ct;
	size_t len;

	memset(p, 0, sizeof *p);
	if (q != NULL)
		route_params_parse(p, q, strlen(q));
	ct = hub_req_header(req, "Content-Type");
	if ((body = hub_req_body(req, &len)) != NULL &&
	    (ct == NULL ||
	        strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0))
		route_params_parse(p, body, len);
}

static void
route_params_free(struct route_params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->names[i]);
		free(p->values[i]);
	}
	free(p->names);
	free(p->values);
}

static const char *
route_param(const struct route_params *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->names[i], name) == 0)
			return p->values[i];
	return NULL;
}

static void
route_fail(struct hub_req *req, enum promql_error e, const char *msg)
{
	static const int codes[] = {200, 400, 422, 503, 500};

	hub_reply_error_json(req, codes[e],
	    json_pack("{s:s,s:s}", "status", "error", "errorType",
	        promql_error_name(e)),
	    "%s", msg);
}

/* Prometheus's time: seconds with a fraction, or RFC 3339. */
static int
route_time(const char *s, int64_t now, int64_t *ms)
{
	char *end;
	double d = strtod(s, &end);

	if (end != s && *end == '\0' && isfinite(d)) {
		if (d < -9e12 || d > 9e12)
			return -1;
		*ms = (int64_t)llround(d * 1000);
		return 0;
	}
	if (strchr(s, 'T') == NULL)
		return -1;
	return hub_parse_time(s, now, ms);
}

/* A duration: seconds with a fraction, or "1m", "5m30s". */
static int
route_duration(const char *s, int64_t *ms)
{
	char *end;
	double d = strtod(s, &end);

	if (end != s && *end == '\0' && isfinite(d) && d < 9e12 && d > -9e12) {
		*ms = (int64_t)llround(d * 1000);
		return 0;
	}
	return clock_parse_duration(s, ms);
}

/* ---- The source: the store, under the caller's scope --------------------- */

/* A copy of sel restricted to the caller's scope, or NULL with *cause. */
struct selector *
promql_route_scoped(
    struct hub_req *req, const struct selector *sel, char **cause)
{
	struct selector *copy;
	struct buf b = BUF_INIT;

	selector_format(sel, &b);
	copy = selector_parse_cause(b.data, cause);
	buf_free(&b);
	if (copy == NULL)
		return NULL;
	if (hub_query_scope(req->hub->territory, req->id.scope, &copy, cause) !=
	    0)
		return NULL;
	return copy;
}

int
promql_route_fetch(void *arg, const struct selector *sel, int64_t start,
    int64_t end, struct store_result *r, char **cause)
{
	struct hub_req *req = arg;
	struct selector *copy = promql_route_scoped(req, sel, cause);
	int rc;

	if (copy == NULL)
		return -1;
	rc = store_query_raw(req->hub->store, copy, start, end + 1, r, cause);
	selector_free(copy);
	return rc;
}

static int
route_open(void *arg, const struct selector *sel, int64_t start, int64_t end,
    struct store_reader **rd, char **cause)
{
	struct hub_req *req = arg;
	struct selector *copy = promql_route_scoped(req, sel, cause);
	int rc;

	if (copy == NULL)
		return -1;
	rc =
	    store_reader_open(req->hub->store, copy, start, end + 1, rd, cause);
	selector_free(copy);
	return rc;
}

static int
route_minutes(void *arg, const struct selector *sel, int64_t start, int64_t end,
    struct store_minutes **mr, char **cause)
{
	struct hub_req *req = arg;
	struct selector *copy = promql_route_scoped(req, sel, cause);
	int rc;

	if (copy == NULL)
		return -1;
	rc = store_minutes_open(req->hub->store, copy, start, end, mr, cause);
	selector_free(copy);
	return rc;
}

/* ---- JSON output -----------------------------------------------------------
 */

static void
route_json_string(struct buf *out, const char *s)
{
	buf_putc(out, '"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			buf_printf(out, "\\%c", ch);
		else if (ch < 0x20)
			buf_printf(out, "\\u%04x", ch);
		else
			buf_putc(out, (char)ch);
	}
	buf_putc(out, '"');
}

/* [seconds, "value"] with the shortest text that reads back as v. */
static void
route_json_point(struct buf *out, int64_t t, double v)
{
	char num[40];
	int prec;

	if (isnan(v))
		snprintf(num, sizeof num, "NaN");
	else if (isinf(v))
		snprintf(num, sizeof num, v > 0 ? "+Inf" : "-Inf");
	else
		for (prec = 15; prec <= 17; prec++) {
			snprintf(num, sizeof num, "%.*g", prec, v);
			if (strtod(num, NULL) == v)
				break;
		}
	if (t % 1000 == 0)
		buf_printf(out, "[%lld,\"%s\"]", (long long)(t / 1000), num);
	else
		buf_printf(out, "[%lld.%03d,\"%s\"]", (long long)(t / 1000),
		    (int)(t % 1000 < 0 ? -(t % 1000) : t % 1000), num);
}

static void
route_json_metric(struct buf *out, const struct promql_series *s)
{
	size_t i;

	buf_puts(out, "{\"metric\":{");
	for (i = 0; i < s->nlabels; i++) {
		if (i > 0)
			buf_putc(out, ',');
		route_json_string(out, s->labels[i].name);
		buf_putc(out, ':');
		route_json_string(out, s->labels[i].value);
	}
	buf_puts(out, "},");
}

/* The data member for a value; instant says the query was one. */
static void
route_json_value(struct buf *out, const struct promql_value *v,
    const struct promql_query *q, int instant)
{
	size_t i, k, first = 1;

	if (v->type == PROMQL_SCALAR && instant) {
		buf_puts(out, "{\"resultType\":\"scalar\",\"result\":");
		route_json_point(out, q->start, v->scalar[0]);
		buf_putc(out, '}');
		return;
	}
	if (v->type == PROMQL_STRING) {
		buf_printf(out,
		    "{\"resultType\":\"string\",\"result\":[%lld.%03d,",
		    (long long)(q->start / 1000), (int)(q->start % 1000));
		route_json_string(out, v->str);
		buf_puts(out, "]}");
		return;
	}
	buf_printf(out, "{\"resultType\":\"%s\",\"result\":[",
	    instant && v->type == PROMQL_VECTOR ? "vector" : "matrix");
	if (v->type == PROMQL_SCALAR) {
		buf_puts(out, "{\"metric\":{},\"values\":[");
		for (k = 0; k < v->nsteps; k++) {
			if (k > 0)
				buf_putc(out, ',');
			route_json_point(
			    out, q->start + (int64_t)k * q->step, v->scalar[k]);
		}
		buf_puts(out, "]}]}");
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct promql_series *s = &v->series[i];
		int any = 0;

		if (v->type == PROMQL_MATRIX) {
			if (s->npts == 0)
				continue;
			buf_puts(out, first ? "" : ",");
			route_json_metric(out, s);
			buf_puts(out, "\"values\":[");
			for (k = 0; k < s->npts; k++) {
				buf_puts(out, k > 0 ? "," : "");
				route_json_point(out, s->pts[k].t, s->pts[k].v);
			}
			buf_puts(out, "]}");
			first = 0;
			continue;
		}
		for (k = 0; k < v->nsteps; k++) {
			if (!s->ok[k])
				continue;
			if (!any) {
				buf_puts(out, first ? "" : ",");
				route_json_metric(out, s);
				buf_puts(out,
				    instant ? "\"value\":" : "\"values\":[");
			} else
				buf_putc(out, ',');
			route_json_point(
			    out, q->start + (int64_t)k * q->step, s->v[k]);
			any = 1;
			first = 0;
		}
		if (any)
			buf_puts(out, instant ? "}" : "]}");
	}
	buf_puts(out, "]}");
}

/* The success envelope around data; rm (may be NULL) adds where the
 * spans came from and the remote read's warnings; partial, a warning that
 * the store skipped blocks it could not read (Grafana shows warnings on
 * the panel). */
static void
route_reply_data_from(struct hub_req *req, struct buf *data,
    const struct promql_remote *rm, int partial)
{
	struct buf b = BUF_INIT;
	json_t *warnings = json_array();

	buf_puts(&b, "{\"status\":\"success\",\"data\":");
	buf_append(&b, data->data, data->len);
	if (partial)
		json_array_append_new(warnings,
		    json_string("some stored data could not be read (a "
		                "corrupt or unreadable block was skipped; "
		                "the hub's log names it): the answer may "
		                "lack points"));
	if (rm != NULL)
		promql_remote_envelope(rm, &b, warnings);
	if (json_array_size(warnings) > 0) {
		buf_puts(&b, ",\"warnings\":");
		jsonout_append(&b, warnings);
	}
	json_decref(warnings);
	buf_puts(&b, "}\n");
	hub_reply_text(req, 200, "application/json", b.data, b.len);
	buf_free(&b);
}

static void
route_reply_data(struct hub_req *req, struct buf *data)
{
	route_reply_data_from(req, data, NULL, 0);
}

/* ---- query and query_range ------------------------------------------------
 */

/* Evaluate root over q and reply; with rm, over the store and the remote
 * series rm read. */
static void
route_answer(struct hub_req *req, const struct promql_node *root,
    const struct promql_query *q, int instant, struct promql_remote *rm)
{
	struct promql_source src = {.fetch = promql_route_fetch,
	    .arg = req,
	    .open = route_open,
	    .minutes = route_minutes};
	struct promql_value v;
	enum promql_error err;
	struct buf out = BUF_INIT;
	char *cause = NULL;

	if (rm != NULL)
		promql_remote_source(rm, &src);
	if (promql_eval(root, q, &src, &v, &err, &cause) != 0) {
		route_fail(req, err, cause);
		free(cause);
		return;
	}
	route_json_value(&out, &v, q, instant);
	route_reply_data_from(req, &out, rm, v.partial);
	promql_value_free(&v);
	buf_free(&out);
}

/* A query waiting for its remote reads (hub.json "remote_read"). */
struct route_later {
	struct hub_req *req; /* deferred */
	struct promql_query q;
	struct promql_node *root;
	int instant;
	struct promql_remote *rm;
};

static void
route_later_done(void *arg)
{
	struct route_later *rl = arg;

	route_answer(rl->req, rl->root, &rl->q, rl->instant, rl->rm);
	hub_req_finish(rl->req);
	promql_remote_free(rl->rm);
	promql_node_free(rl->root);
	free(rl);
}

static void
route_run(struct hub_req *req, int instant)
{
	struct route_params p;
	struct promql_query q;
	struct promql_node *root = NULL;
	struct promql_remote *rm;
	const char *text, *s;
	char *cause = NULL;
	int64_t now = hub_now(req->hub), timeout = ROUTE_TIMEOUT_MS;

	route_params_init(req, &p);
	memset(&q, 0, sizeof q);
	if ((text = route_param(&p, "query")) == NULL || *text == '\0') {
		route_fail(
		    req, PROMQL_ERR_BAD_DATA, "query: parameter missing");
		goto out;
	}
	if (instant) {
		q.start = q.end = now;
		q.step = 1000;
		if ((s = route_param(&p, "time")) != NULL &&
		    route_time(s, now, &q.start) != 0) {
			route_fail(req, PROMQL_ERR_BAD_DATA,
			    "time: cannot parse as seconds or RFC 3339");
			goto out;
		}
		q.end = q.start;
	} else {
		const char *names[] = {"start", "end"};
		int64_t *dst[] = {&q.start, &q.end};
		int i;

		for (i = 0; i < 2; i++)
			if ((s = route_param(&p, names[i])) == NULL ||
			    route_time(s, now, dst[i]) != 0) {
				char msg[80];

				snprintf(msg, sizeof msg,
				    "%s: missing or not seconds or RFC 3339",
				    names[i]);
				route_fail(req, PROMQL_ERR_BAD_DATA, msg);
				goto out;
			}
		if (q.end < q.start) {
			route_fail(req, PROMQL_ERR_BAD_DATA,
			    "end timestamp must not be before start time");
			goto out;
		}
		if ((s = route_param(&p, "step")) == NULL ||
		    route_duration(s, &q.step) != 0 || q.step <= 0) {
			route_fail(req, PROMQL_ERR_BAD_DATA,
			    "step: missing or not a positive duration");
			goto out;
		}
		if ((q.end - q.start) / q.step >= ROUTE_MAX_STEPS) {
			route_fail(req, PROMQL_ERR_BAD_DATA,
			    "exceeded maximum resolution of 11,000 points per "
			    "timeseries. Try decreasing the query resolution "
			    "(?step=XX)");
			goto out;
		}
	}
	if ((s = route_param(&p, "timeout")) != NULL &&
	    (route_duration(s, &timeout) != 0 || timeout <= 0)) {
		route_fail(req, PROMQL_ERR_BAD_DATA, "timeout: not a duration");
		goto out;
	}
	q.deadline_mono_ms = clock_mono_ms() + timeout;
	q.max_samples = ROUTE_MAX_POINTS;
	if ((root = promql_parse(text, &cause)) == NULL) {
		route_fail(req, PROMQL_ERR_BAD_DATA, cause);
		goto out;
	}
	if (!instant && root->type != PROMQL_SCALAR &&
	    root->type != PROMQL_VECTOR) {
		char msg[120];

		snprintf(msg, sizeof msg,
		    "invalid expression type \"%s\" for range query, must be "
		    "Scalar or instant Vector",
		    promql_type_name(root->type));
		route_fail(req, PROMQL_ERR_BAD_DATA, msg);
		goto out;
	}
	if ((rm = promql_remote_plan(req->hub, root, &q)) != NULL) {
		struct route_later *rl = xcalloc(1, sizeof *rl);

		rl->req = hub_req_defer(req);
		rl->q = q;
		rl->root = root;
		rl->instant = instant;
		rl->rm = rm;
		root = NULL;
		promql_remote_run(rm, rl->req, route_later_done, rl);
		goto out;
	}
	route_answer(req, root, &q, instant, NULL);
out:
	free(cause);
	promql_node_free(root);
	route_params_free(&p);
}

static void
route_query(struct hub_req *req)
{
	route_run(req, 1);
}

static void
route_query_range(struct hub_req *req)
{
	route_run(req, 0);
}

/* ---- series, labels, label values -----------------------------------------
 */

/* The match[] selectors with the caller's scope; *n 0 when none was
 * given.  Replies and returns -1 on a bad one. */
static int
route_matchers(struct hub_req *req, const struct route_params *p,
    struct selector ***out, size_t *n)
{
	size_t i;
	char *cause = NULL;

	*out = NULL;
	*n = 0;
	for (i = 0; i < p->n; i++) {
		struct selector *sel;

		if (strcmp(p->names[i], "match[]") != 0)
			continue;
		if ((sel = selector_parse_cause(p->values[i], &cause)) ==
		    NULL) {
			char *msg = xasprintf("match[]: %s", cause);

			route_fail(req, PROMQL_ERR_BAD_DATA, msg);
			free(msg);
			free(cause);
			for (i = 0; i < *n; i++)
				selector_free((*out)[i]);
			free(*out);
			return -1;
		}
		if (hub_query_scope(req->hub->territory, req->id.scope, &sel,
		        &cause) != 0) {
			char *msg = xasprintf(
			    "scope: %s: refusing to query unscoped", cause);

			route_fail(req, PROMQL_ERR_INTERNAL, msg);
			free(msg);
			free(cause);
			for (i = 0; i < *n; i++)
				selector_free((*out)[i]);
			free(*out);
			return -1;
		}
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = sel;
	}
	return 0;
}

static void
route_matchers_free(struct selector **sels, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		selector_free(sels[i]);
	free(sels);
}

static int
route_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reply a sorted, deduplicated JSON array of v[0..n) (freed here). */
static void
route_reply_strings(struct hub_req *req, char **v, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i, o = 0;

	qsort(v, n, sizeof *v, route_strcmp);
	buf_putc(&b, '[');
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(v[i], v[i - 1]) != 0) {
			buf_puts(&b, o++ ? "," : "");
			route_json_string(&b, v[i]);
		}
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	buf_putc(&b, ']');
	route_reply_data(req, &b);
	buf_free(&b);
}

static void
route_series(struct hub_req *req)
{
	struct route_params p;
	struct selector **sels;
	struct store_series_list l;
	struct serieskey sk;
	struct buf b = BUF_INIT;
	char *cause = NULL, **keys = NULL;
	size_t nsel, nkeys = 0, i, j, k, o = 0;

	route_params_init(req, &p);
	if (route_matchers(req, &p, &sels, &nsel) != 0)
		goto out;
	if (nsel == 0) {
		route_fail(
		    req, PROMQL_ERR_BAD_DATA, "no match[] parameter provided");
		goto out;
	}
	for (i = 0; i < nsel; i++) {
		if (store_series_list(req->hub->store, sels[i], &l, &cause) !=
		    0) {
			route_fail(req, PROMQL_ERR_EXECUTION, cause);
			free(cause);
			goto done;
		}
		keys = xreallocarray(keys, nkeys + l.n + 1, sizeof *keys);
		for (j = 0; j < l.n; j++)
			keys[nkeys++] = xstrdup(l.series[j].key);
		store_series_list_free(&l);
	}
	qsort(keys, nkeys, sizeof *keys, route_strcmp);
	buf_putc(&b, '[');
	for (j = 0; j < nkeys; j++) {
		if (j > 0 && strcmp(keys[j], keys[j - 1]) == 0)
			continue;
		if (serieskey_parse(keys[j], strlen(keys[j]), &sk, NULL) != 0)
			continue;
		buf_puts(&b, o++ ? "," : "");
		buf_puts(&b, "{\"__name__\":");
		route_json_string(&b, sk.metric);
		for (k = 0; k < sk.ntags; k++) {
			buf_putc(&b, ',');
			route_json_string(&b, sk.tags[k].name);
			buf_putc(&b, ':');
			route_json_string(&b, sk.tags[k].value);
		}
		buf_putc(&b, '}');
		serieskey_free(&sk);
	}
	buf_putc(&b, ']');
	route_reply_data(req, &b);
done:
	for (j = 0; j < nkeys; j++)
		free(keys[j]);
	free(keys);
	route_matchers_free(sels, nsel);
out:
	buf_free(&b);
	route_params_free(&p);
}

/* Values of tag (NULL: tag names) among series matching sels, or every
 * series in scope when there are none; appended to *v. */
static int
route_collect(struct hub_req *req, const char *tag, struct selector **sels,
    size_t nsel, char ***v, size_t *n, char **cause)
{
	size_t i, k, m;
	char **got;

	for (i = 0; i < (nsel > 0 ? nsel : 1); i++) {
		struct selector *sel = nsel > 0 ? sels[i] : NULL;

		if (tag == NULL && sel == NULL) {
			if (store_tag_names(req->hub->store, &got, &m, cause) !=
			    0)
				return -1;
			*v = xreallocarray(*v, *n + 1, sizeof **v);
			(*v)[(*n)++] = xstrdup("__name__");
		} else if (tag == NULL) {
			struct store_series_list l;
			struct serieskey sk;
			size_t j;

			if (store_series_list(
			        req->hub->store, sel, &l, cause) != 0)
				return -1;
			for (j = 0; j < l.n; j++) {
				const char *key = l.series[j].key;

				if (serieskey_parse(
				        key, strlen(key), &sk, NULL) != 0)
					continue;
				*v = xreallocarray(
				    *v, *n + sk.ntags + 1, sizeof **v);
				(*v)[(*n)++] = xstrdup("__name__");
				for (k = 0; k < sk.ntags; k++)
					(*v)[(*n)++] = xstrdup(sk.tags[k].name);
				serieskey_free(&sk);
			}
			store_series_list_free(&l);
			continue;
		} else {
			struct selector *scoped = sel;

			if (scoped == NULL &&
			    hub_query_scope(req->hub->territory, req->id.scope,
			        &scoped, cause) != 0)
				return -1;
			k = store_tag_values(
			    req->hub->store, tag, scoped, &got, &m, cause);
			if (scoped != sel)
				selector_free(scoped);
			if (k != 0)
				return -1;
		}
		*v = xreallocarray(*v, *n + m + 1, sizeof **v);
		for (k = 0; k < m; k++)
			(*v)[(*n)++] = got[k];
		free(got); /* the strings moved to *v */
	}
	return 0;
}

static void
route_labels_common(struct hub_req *req, const char *tag)
{
	struct route_params p;
	struct selector **sels;
	char **v = NULL, *cause = NULL;
	size_t nsel, n = 0, i;

	route_params_init(req, &p);
	if (route_matchers(req, &p, &sels, &nsel) != 0)
		goto out;
	if (route_collect(req, tag, sels, nsel, &v, &n, &cause) != 0) {
		route_fail(req, PROMQL_ERR_BAD_DATA, cause);
		free(cause);
		for (i = 0; i < n; i++)
			free(v[i]);
		free(v);
	} else
		route_reply_strings(req, v, n);
	route_matchers_free(sels, nsel);
out:
	route_params_free(&p);
}

static void
route_labels(struct hub_req *req)
{
	route_labels_common(req, NULL);
}

static void
route_label_values(struct hub_req *req)
{
	route_labels_common(req, hub_req_param(req, "name"));
}

static void
route_buildinfo(struct hub_req *req)
{
	struct buf b = BUF_INIT;

	/* Grafana reads the version to pick the API features it uses. */
	buf_printf(&b,
	    "{\"version\":\"2.42.0\",\"revision\":\"citybrain-%s\","
	    "\"branch\":\"citybrain\",\"buildUser\":\"citybrain\","
	    "\"buildDate\":\"\",\"goVersion\":\"none\"}",
	    PACKAGE_VERSION);
	route_reply_data(req, &b);
	buf_free(&b);
}

/* Routes Grafana asks for whose answer is always empty here. */
static void
route_empty(struct hub_req *req, const char *data)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, data);
	route_reply_data(req, &b);
	buf_free(&b);
}

static void
route_metadata(struct hub_req *req)
{
	route_empty(req, "{}");
}

static void
route_exemplars(struct hub_req *req)
{
	route_empty(req, "[]");
}

static void
route_rules(struct hub_req *req)
{
	route_empty(req, "{\"groups\":[]}");
}

#define ROUTE_GET_POST(p, h)                                                \
	{.method = EVHTTP_REQ_GET,                                          \
	    .path = "/prometheus/api/v1/" p,                                \
	    .handler = h,                                                   \
	    .min_role = HUB_ROLE_VIEWER},                                   \
	{                                                                   \
		.method = EVHTTP_REQ_POST, .path = "/prometheus/api/v1/" p, \
		.handler = h, .min_role = HUB_ROLE_VIEWER, .want_body = 1   \
	}

const struct hub_route hub_routes_promql[] = {
    ROUTE_GET_POST("query", route_query),
    ROUTE_GET_POST("query_range", route_query_range),
    ROUTE_GET_POST("series", route_series),
    ROUTE_GET_POST("labels", route_labels),
    ROUTE_GET_POST("label/{name}/values", route_label_values),
    ROUTE_GET_POST("status/buildinfo", route_buildinfo),
    ROUTE_GET_POST("metadata", route_metadata),
    ROUTE_GET_POST("query_exemplars", route_exemplars),
    ROUTE_GET_POST("rules", route_rules),
    {.path = NULL},
};
