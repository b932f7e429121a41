/*
 * The console's client of the hub's HTTP/JSON API (docs/api.md) over
 * libcurl: the hub's unix socket by default (identity from our uid), or a
 * TCP URL with a bearer token.  Two ways to call:
 * - api_request(): blocking, for the non-interactive commands;
 * - api_start() + api_wait(): asynchronous through a curl multi handle, so
 *   the interactive loop never blocks on the hub; api_wait() also watches
 *   one extra file descriptor (the terminal) and returns when it is ready.
 * One thread uses a struct api at a time.
 */
#ifndef CB_TUI_API_H
#define CB_TUI_API_H

#include <jansson.h>

struct api;

struct api_opts {
	const char *socket; /* unix socket path; used when url is NULL */
	const char *url;    /* "http://host:port" (TCP) or NULL */
	const char *token;  /* bearer token or NULL */
	long timeout_ms;
};

/* The outcome of one request. */
struct api_result {
	long status;  /* HTTP status, 0 when the hub could not be reached */
	json_t *body; /* parsed JSON body (owned), NULL if none or not JSON */
	char *error;  /* owned; NULL on success (2xx with a JSON or empty
	               * body), else what went wrong, ready to show */
};

/* A client; api_free() releases it and cancels pending requests without
 * calling their callbacks. */
struct api *api_create(const struct api_opts *opts);
void api_free(struct api *api);

/* Where we talk to, for display: "unix:/run/citybrain/citybraind.sock" or
 * the URL. */
const char *api_endpoint(const struct api *api);

/*
 * Blocking request.  method is "GET", "POST" or "DELETE"; path starts with
 * "/" and includes the query string; body (may be NULL) is sent as JSON.
 * Fills *res (free with api_result_free).  Returns 0 on success or -1 (see
 * res->error).
 */
int api_request(struct api *api, const char *method, const char *path,
    json_t *body, struct api_result *res);
void api_result_free(struct api_result *res);
struct buf;
/* Blocking GET of a file (a photo): a 2xx answer's bytes are appended to
 * out as they are; else as api_request.  0 or -1 (see res->error). */
int api_download(
    struct api *api, const char *path, struct buf *out, struct api_result *res);

/* Completion callback: res is owned by the client; the callback may take
 * res->body (set it to NULL) and may start new requests. */
typedef void api_done_fn(void *arg, struct api_result *res);

/* Start an asynchronous request; done is called from api_wait(). */
void api_start(struct api *api, const char *method, const char *path,
    json_t *body, api_done_fn *done, void *arg);

/* Complete every pending request at once with status -1 and error
 * "cancelled" (callbacks are called), e.g. before exiting. */
void api_cancel_all(struct api *api);

/* Requests started and not yet completed. */
int api_pending(const struct api *api);

/*
 * Run transfers for up to timeout_ms, calling completion callbacks, and
 * return early when fd (-1: none) becomes readable; *fd_ready says so.
 */
void api_wait(struct api *api, int fd, int fd2, int timeout_ms, int *fd_ready);

/* Percent-encode s for a query string; caller frees. */
char *api_escape(const char *s);

/* Decode an error body or transport failure into text; caller frees. */
char *api_error_text(long status, json_t *body, const char *transport);

#endif
