/* The console's libcurl client of the hub API: blocking and multi. */
#include "config.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/api.h"

/* One transfer. */
struct api_xfer {
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	struct buf resp;
	char errbuf[CURL_ERROR_SIZE];
	api_done_fn *done;
	void *arg;
	struct api_xfer *next;
};

struct api {
	char *socket;
	char *base; /* "http://localhost" or the URL without '/' */
	char *endpoint;
	char *auth; /* "Authorization: Bearer ..." or NULL */
	long timeout_ms;
	CURLM *multi;
	struct api_xfer *xfers; /* in flight */
	int pending;
	CURL *sync; /* reused for blocking calls (keep-alive) */
};

static int api_global_init;

struct api *
api_create(const struct api_opts *opts)
{
	struct api *api = xcalloc(1, sizeof *api);
	size_t len;

	if (!api_global_init) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		api_global_init = 1;
	}
	if (opts->url != NULL) {
		api->base = xstrdup(opts->url);
		len = strlen(api->base);
		while (len > 0 && api->base[len - 1] == '/')
			api->base[--len] = '\0';
		api->endpoint = xstrdup(api->base);
	} else {
		api->socket = xstrdup(opts->socket);
		api->base = xstrdup("http://localhost");
		api->endpoint = xasprintf("unix:%s", opts->socket);
	}
	if (opts->token != NULL && *opts->token != '\0')
		api->auth = xasprintf("Authorization: Bearer %s", opts->token);
	api->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 10000;
	api->multi = curl_multi_init();
	/* One connection is enough for a console; keep it alive. */
	curl_multi_setopt(api->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 2L);
	return api;
}

static void
api_xfer_free(struct api_xfer *x)
{
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	free(x->body);
	buf_free(&x->resp);
	free(x);
}

void
api_free(struct api *api)
{
	struct api_xfer *x, *next;

	if (api == NULL)
		return;
	for (x = api->xfers; x != NULL; x = next) {
		next = x->next;
		curl_multi_remove_handle(api->multi, x->easy);
		api_xfer_free(x);
	}
	curl_multi_cleanup(api->multi);
	if (api->sync != NULL)
		curl_easy_cleanup(api->sync);
	free(api->socket);
	free(api->base);
	free(api->endpoint);
	free(api->auth);
	free(api);
	if (api_global_init) {
		curl_global_cleanup();
		api_global_init = 0;
	}
}

const char *
api_endpoint(const struct api *api)
{
	return api->endpoint;
}

static size_t
api_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_append(b, p, size * n);
	return size * n;
}

/* Set up easy for one request; headers and body are kept in x. */
static void
api_setup(struct api *api, CURL *easy, struct api_xfer *x, const char *method,
    const char *path, json_t *body)
{
	char *url = xasprintf("%s%s", api->base, path);

	curl_easy_reset(easy);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	free(url);
	if (api->socket != NULL)
		curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, api->socket);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, api->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
	    api->timeout_ms < 3000 ? api->timeout_ms : 3000L);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, api_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &x->resp);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "citybrain/" PACKAGE_VERSION);
	x->headers = curl_slist_append(x->headers, "Accept: application/json");
	if (api->auth != NULL)
		x->headers = curl_slist_append(x->headers, api->auth);
	if (body != NULL) {
		x->body = json_dumps(body, JSON_COMPACT);
		x->headers = curl_slist_append(
		    x->headers, "Content-Type: application/json");
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, x->body);
	} else if (strcmp(method, "POST") == 0)
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, x->headers);
}

char *
api_error_text(long status, json_t *body, const char *transport)
{
	const char *e = json_string_value(json_object_get(body, "error"));

	if (status == 0)
		return xasprintf("hub unreachable: %s",
		    transport && *transport ? transport : "no answer");
	if (e != NULL)
		return xasprintf("%ld: %s", status, e);
	switch (status) {
	case 401:
		return xstrdup("401: not known to the hub (no user for this "
		               "uid or token)");
	case 403:
		return xstrdup("403: not allowed");
	case 404:
		return xstrdup("404: not found");
	default:
		return xasprintf("HTTP %ld", status);
	}
}

/* Fill res from a finished transfer. */
static void
api_finish(CURL *easy, CURLcode rc, struct api_xfer *x, struct api_result *res,
    const char *api_socket_path)
{
	json_error_t jerr;
	long status = 0;

	memset(res, 0, sizeof *res);
	if (rc != CURLE_OK) {
		/* On a unix socket curl's own text names "localhost port 80":
		 * say which socket instead. */
		char *t = api_socket_path != NULL
		              ? xasprintf("%s (%s)", curl_easy_strerror(rc),
		                    api_socket_path)
		              : xstrdup(x->errbuf[0] ? x->errbuf
		                                     : curl_easy_strerror(rc));

		res->error = api_error_text(0, NULL, t);
		free(t);
		return;
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	res->status = status;
	if (x->resp.len > 0)
		res->body = json_loadb(x->resp.data, x->resp.len, 0, &jerr);
	if (status < 200 || status >= 300)
		res->error = api_error_text(status, res->body, NULL);
	else if (x->resp.len > 0 && res->body == NULL)
		res->error = xasprintf("bad JSON from the hub: %s", jerr.text);
}

int
api_download(
    struct api *api, const char *path, struct buf *out, struct api_result *res)
{
	struct api_xfer x;
	CURLcode rc;
	long status = 0;

	memset(&x, 0, sizeof x);
	if (api->sync == NULL)
		api->sync = curl_easy_init();
	api_setup(api, api->sync, &x, "GET", path, NULL);
	rc = curl_easy_perform(api->sync);
	if (rc == CURLE_OK)
		curl_easy_getinfo(api->sync, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && status >= 200 && status < 300) {
		memset(res, 0, sizeof *res);
		res->status = status;
		buf_append(out, x.resp.data, x.resp.len);
	} else
		api_finish(api->sync, rc, &x, res, api->socket);
	curl_slist_free_all(x.headers);
	free(x.body);
	buf_free(&x.resp);
	return res->error == NULL ? 0 : -1;
}

int
api_request(struct api *api, const char *method, const char *path, json_t *body,
    struct api_result *res)
{
	struct api_xfer x;
	CURLcode rc;

	memset(&x, 0, sizeof x);
	if (api->sync == NULL)
		api->sync = curl_easy_init();
	api_setup(api, api->sync, &x, method, path, body);
	rc = curl_easy_perform(api->sync);
	api_finish(api->sync, rc, &x, res, api->socket);
	curl_slist_free_all(x.headers);
	free(x.body);
	buf_free(&x.resp);
	return res->error == NULL ? 0 : -1;
}

void
api_result_free(struct api_result *res)
{
	json_decref(res->body);
	free(res->error);
	memset(res, 0, sizeof *res);
}

void
api_start(struct api *api, const char *method, const char *path, json_t *body,
    api_done_fn *done, void *arg)
{
	struct api_xfer *x = xcalloc(1, sizeof *x);

	x->easy = curl_easy_init();
	x->done = done;
	x->arg = arg;
	api_setup(api, x->easy, x, method, path, body);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	x->next = api->xfers;
	api->xfers = x;
	api->pending++;
	curl_multi_add_handle(api->multi, x->easy);
}

void
api_cancel_all(struct api *api)
{
	struct api_result res;
	struct api_xfer *x;

	while ((x = api->xfers) != NULL) {
		api->xfers = x->next;
		api->pending--;
		curl_multi_remove_handle(api->multi, x->easy);
		memset(&res, 0, sizeof res);
		res.status = -1;
		res.error = xstrdup("cancelled");
		if (x->done != NULL)
			x->done(x->arg, &res);
		api_result_free(&res);
		api_xfer_free(x);
	}
}

int
api_pending(const struct api *api)
{
	return api->pending;
}

static void
api_unlink(struct api *api, struct api_xfer *x)
{
	struct api_xfer **pp;

	for (pp = &api->xfers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			api->pending--;
			return;
		}
	}
}

void
api_wait(struct api *api, int fd, int fd2, int timeout_ms, int *fd_ready)
{
	struct curl_waitfd extra[2];
	struct api_result res;
	struct api_xfer *x;
	unsigned nextra = 0;
	int running, left;
	CURLMsg *msg;

	*fd_ready = 0;
	if (fd >= 0) {
		extra[nextra].fd = fd;
		extra[nextra].events = CURL_WAIT_POLLIN;
		extra[nextra++].revents = 0;
	}
	if (fd2 >= 0) {
		extra[nextra].fd = fd2;
		extra[nextra].events = CURL_WAIT_POLLIN;
		extra[nextra++].revents = 0;
	}
	curl_multi_perform(api->multi, &running);
	if (api->pending > 0 || nextra > 0)
		curl_multi_poll(api->multi, extra, nextra,
		    timeout_ms < 0 ? 0 : timeout_ms, NULL);
	for (unsigned i = 0; i < nextra; i++) {
		if (extra[i].revents != 0)
			*fd_ready = 1;
	}
	curl_multi_perform(api->multi, &running);
	while ((msg = curl_multi_info_read(api->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &x);
		api_finish(
		    msg->easy_handle, msg->data.result, x, &res, api->socket);
		curl_multi_remove_handle(api->multi, x->easy);
		api_unlink(api, x);
		if (x->done != NULL)
			x->done(x->arg, &res);
		api_result_free(&res);
		api_xfer_free(x);
	}
}

char *
api_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;
	const unsigned char *p;

	buf_reserve(&b, strlen(s));
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_.~", *p) != NULL)
			buf_putc(&b, (char)*p);
		else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[*p >> 4]);
			buf_putc(&b, hex[*p & 15]);
		}
	}
	return buf_detach(&b);
}
