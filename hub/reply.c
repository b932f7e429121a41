/* Request accessors and reply helpers shared by every route (hub.h). */
#include "config.h"

#include <sys/queue.h>

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "hub/hub.h"
#include "hub/server-int.h"
#include "hub/territory.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/jsonout.h"
#include "lib/xmalloc.h"

int64_t
hub_now(const struct hub *h)
{
	if (h->clock != NULL)
		return h->clock(h->clock_arg);
	return clock_wall_ms();
}

const char *
hub_req_param(struct hub_req *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nparams; i++) {
		if (strcmp(req->param_names[i], name) == 0)
			return req->param_values[i];
	}
	return NULL;
}

const char *
hub_req_query(struct hub_req *req, const char *name)
{
	const char *q;

	if (!req->query_parsed) {
		TAILQ_INIT(&req->query);
		req->query_parsed = 1;
		q = evhttp_uri_get_query(
		    evhttp_request_get_evhttp_uri(req->ev));
		if (q != NULL)
			evhttp_parse_query_str(q, &req->query);
	}
	return evhttp_find_header(&req->query, name);
}

const char *
hub_req_body(struct hub_req *req, size_t *len)
{
	server_body_load(req);
	if (len != NULL)
		*len = req->body_len;
	return req->body;
}

json_t *
hub_req_body_json(struct hub_req *req)
{
	json_error_t err;
	json_t *j;

	server_body_load(req);
	if (req->body == NULL || req->body_len == 0) {
		hub_reply_error(req, 400, "body: expected a JSON object");
		return NULL;
	}
	j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL) {
		hub_reply_error(req, 400, "body: %d:%d: %s", err.line,
		    err.column, err.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		hub_reply_error(req, 400, "body: expected a JSON object");
		return NULL;
	}
	return j;
}

const char *
hub_req_header(struct hub_req *req, const char *name)
{
	return evhttp_find_header(
	    evhttp_request_get_input_headers(req->ev), name);
}

int
hub_req_in_scope(struct hub_req *req, const char *code)
{
	if (req->id.role == HUB_ROLE_NONE || req->id.scope == NULL)
		return 1;
	return hub_territory_code_within(
	    req->hub->territory, code, req->id.scope);
}

int
hub_req_scope_overlaps(struct hub_req *req, const char *code)
{
	if (req->id.role == HUB_ROLE_NONE || req->id.scope == NULL)
		return 1;
	return hub_territory_code_within(
	           req->hub->territory, code, req->id.scope) ||
	       hub_territory_code_within(
	           req->hub->territory, req->id.scope, code);
}

static void
reply_free_cb(const void *data, size_t len, void *arg)
{
	free(arg);
}

/* Whether the request's Accept-Encoding takes gzip (and not with q=0). */
static int
reply_accepts_gzip(struct hub_req *req)
{
	const char *ae = hub_req_header(req, "Accept-Encoding"), *p, *end;
	size_t n;

	for (p = ae; p != NULL && *p != '\0'; p = end) {
		while (*p == ' ' || *p == ',')
			p++;
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		n = strcspn(p, " ;,");
		if ((n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (n == 1 && *p == '*')) {
			p += n;
			while (*p == ' ' || *p == ';')
				p++;
			if (strncmp(p, "q=0", 3) == 0 &&
			    strspn(p + 3, ".0") == (size_t)(end - p - 3))
				return 0;
			return 1;
		}
	}
	return 0;
}

/* data gzipped (caller frees), or NULL if zlib fails. */
static char *
reply_gzip(const char *data, size_t len, size_t *zlen)
{
	z_stream z;
	char *out;
	size_t cap;

	memset(&z, 0, sizeof z);
	if (len > UINT_MAX / 2 || deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8,
	                              Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&z, (uLong)len);
	out = xmalloc(cap);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	z.next_out = (unsigned char *)out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return NULL;
	}
	*zlen = z.total_out;
	deflateEnd(&z);
	return out;
}

/* Queue the reply: status, headers and body leave in one write. Takes
 * data (freed when written). */
static void
reply_send(
    struct hub_req *req, int code, const char *type, char *data, size_t len)
{
	struct evbuffer *out = evbuffer_new();
	struct evkeyvalq *h = evhttp_request_get_output_headers(req->ev);
	char *z;
	size_t zlen;

	if (type != NULL)
		evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (data != NULL && len >= HUB_REPLY_GZIP_MIN) {
		evhttp_add_header(h, "Vary", "Accept-Encoding");
		if (reply_accepts_gzip(req) &&
		    (z = reply_gzip(data, len, &zlen)) != NULL) {
			free(data);
			data = z;
			len = zlen;
			evhttp_add_header(h, "Content-Encoding", "gzip");
		}
	}
	if (data != NULL && len > 0)
		evbuffer_add_reference(out, data, len, reply_free_cb, data);
	else
		free(data);
	/* A deferred request's client may be gone: then evhttp frees ev
	 * here, and the connection is not to be touched afterwards. */
	req->reply_conn = evhttp_request_get_connection(req->ev);
	evhttp_send_reply(req->ev, code, NULL, out);
	evbuffer_free(out);
	req->replied = code;
}

void
hub_reply_json(struct hub_req *req, int code, json_t *body)
{
	struct buf b = BUF_INIT;
	size_t n;

	if (req->replied) {
		json_decref(body);
		return;
	}
	buf_reserve(&b, 4096);
	if (jsonout_append(&b, body) != 0) {
		buf_reset(&b);
		buf_puts(&b, "{\"error\":\"cannot encode the reply\"}");
		code = 500;
	}
	json_decref(body);
	buf_putc(&b, '\n');
	n = b.len;
	reply_send(
	    req, code, "application/json; charset=utf-8", buf_detach(&b), n);
}

void
hub_reply_json_buf(struct hub_req *req, int code, struct buf *b)
{
	size_t n;

	if (req->replied) {
		buf_free(b);
		return;
	}
	buf_putc(b, '\n');
	n = b->len;
	reply_send(
	    req, code, "application/json; charset=utf-8", buf_detach(b), n);
}

static json_t *
reply_error_obj(json_t *extra, const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;
	json_t *j = extra != NULL ? extra : json_object();
	json_t *v;
	char *msg;

	buf_vprintf(&b, fmt, ap);
	msg = buf_detach(&b);
	v = json_string(msg);
	json_object_set_new(
	    j, "error", v != NULL ? v : json_string("(message not UTF-8)"));
	free(msg);
	return j;
}

void
hub_reply_error(struct hub_req *req, int code, const char *fmt, ...)
{
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	j = reply_error_obj(NULL, fmt, ap);
	va_end(ap);
	hub_reply_json(req, code, j);
}

void
hub_reply_error_json(
    struct hub_req *req, int code, json_t *extra, const char *fmt, ...)
{
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	j = reply_error_obj(extra, fmt, ap);
	va_end(ap);
	hub_reply_json(req, code, j);
}

void
hub_reply_text(struct hub_req *req, int code, const char *content_type,
    const char *text, size_t len)
{
	char *copy;

	if (req->replied)
		return;
	/* Binary-safe: the body may hold NUL bytes (photos). */
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	reply_send(req, code, content_type, copy, len);
}

void
hub_reply_empty(struct hub_req *req, int code)
{
	if (req->replied)
		return;
	reply_send(req, code, NULL, NULL, 0);
}

json_t *
hub_json_alert_counts(const struct hub_alert_counts *c)
{
	return json_pack("{s:I,s:I,s:I,s:I}", "high", (json_int_t)c->high,
	    "medium", (json_int_t)c->medium, "low", (json_int_t)c->low, "info",
	    (json_int_t)c->info);
}

const char *
hub_alert_counts_worst(const struct hub_alert_counts *c)
{
	if (c->high > 0)
		return "high";
	if (c->medium > 0)
		return "medium";
	if (c->low > 0)
		return "low";
	if (c->info > 0)
		return "info";
	return "ok";
}

/* "1h", "90s": a duration in ms; -1 if not one. */
static int
reply_duration(const char *s, int64_t *ms)
{
	return clock_parse_duration(s, ms);
}

int
hub_parse_time(const char *s, int64_t now, int64_t *ms)
{
	struct tm tm;
	int64_t d, frac = 0;
	char *end;
	long long n;
	const char *p;

	if (s == NULL || *s == '\0')
		return -1;
	if (strcmp(s, "now") == 0) {
		*ms = now;
		return 0;
	}
	if (strncmp(s, "now-", 4) == 0 || *s == '-') {
		p = *s == '-' ? s + 1 : s + 4;
		if (reply_duration(p, &d) != 0)
			return -1;
		*ms = now - d;
		return 0;
	}
	if (strncmp(s, "now+", 4) == 0) {
		if (reply_duration(s + 4, &d) != 0)
			return -1;
		*ms = now + d;
		return 0;
	}
	n = strtoll(s, &end, 10);
	if (*end == '\0' && end != s) {
		*ms = (int64_t)n;
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		return -1;
	if (*end == '.') {
		int digits = 0;

		for (end++; isdigit((unsigned char)*end); end++) {
			if (digits < 3) {
				frac = frac * 10 + (*end - '0');
				digits++;
			}
		}
		while (digits++ < 3)
			frac *= 10;
	}
	if (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0)
		return -1;
	*ms = (int64_t)timegm(&tm) * 1000 + frac;
	return 0;
}
