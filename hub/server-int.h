/*
 * The hub's HTTP server, inside: what hub/server.c (listeners, dispatch,
 * identity, bodies) and hub/server-conn.c (connection counting and
 * libevent's own error replies) share.
 */
#ifndef CB_HUB_SERVER_INT_H
#define CB_HUB_SERVER_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

struct server_count {
	const char *route; /* route path pattern, or "other" */
	int code;
	uint64_t n;
};

struct server_uid {
	uid_t uid;
	char *name; /* NULL: no such user */
};

/*
 * A client connection, from its accept until evhttp frees it (its close
 * callback): for limits.max_connections, and to tell an oversized header
 * from a malformed one when libevent answers 400 by itself.
 */
struct server_conn {
	struct hub_server *srv;
	struct evhttp_connection *evcon;
	struct bufferevent *bev;
	size_t inbytes;  /* read since the last reply was queued */
	size_t reqbytes; /* read for the request being answered */
	int refused;     /* over a budget: 503 (unless identified or
	                    /healthz), then closed */
	int unix_socket;
	int identified;      /* a request of it had an identity */
	int spoke;           /* it sent at least one byte */
	char peer[64];       /* TCP peer address (no port), or "" */
	struct event *timer; /* limits.header_timeout until identified */
};

struct hub_server {
	struct evhttp *http;
	struct evhttp_bound_socket *tcp;
	struct evconnlistener *unix_listener;
	char *socket_path;
	int port;
	struct server_count *counts;
	size_t ncounts;
	struct server_uid *uids;
	char *body; /* reusable request body buffer */
	size_t bodycap;
	size_t nuids;

	/* Connections that sent something and are still open (owned);
	 * admitted ones count against limits.max_connections. */
	struct server_conn **conns;
	size_t nconns, admitted;
	long long max_connections;
	uint64_t refused; /* connections refused with 503 */
	/* The unix socket's own budget, per-peer limit of TCP, and the
	 * header timeout of connections without an identity. */
	struct event_base *base;
	size_t admitted_unix;
	long long max_unix_connections, max_per_peer;
	int64_t header_timeout_ms;
	uint64_t refused_peer, timed_out;
	uint64_t silent_closed; /* timed out without sending a byte */
	long long max_body;
	int rewriting; /* in server_output_cb */
};

/* The reusable body buffer is kept between requests up to this size;
 * a larger one is freed after its request. */
#define SERVER_BODY_KEEP (4 << 20)

#define SERVER_MAX_HEADERS 65536     /* evhttp_set_max_headers_size */
#define SERVER_MAX_WRITE   (4 << 20) /* bufferevent_set_max_single_write */

/* Counts a reply for /metrics (route pattern or "other"). */
void server_count(struct hub_server *srv, const char *route, int code);

/* hub/server-conn.c: connections of srv are counted and libevent's HTML
 * error pages rewritten from now on (evhttp_set_bevcb(server_bev_new)). */
void server_conn_attach(struct hub_server *srv);
void server_conn_detach(struct hub_server *srv);
struct bufferevent *server_bev_new(struct event_base *base, void *arg);
/* The counted connection of evcon (counted now if it was not yet). */
struct server_conn *server_conn_get(
    struct hub_server *srv, struct evhttp_connection *evcon);
/* c's request has been read whole: stop its header timeout. */
void server_conn_request_begin(struct server_conn *c);
/* c's request was answered (with an identity or not): an unidentified
 * connection has limits.header_timeout for its next request. */
void server_conn_request_end(struct server_conn *c, int identified);

struct hub;
struct hub_req;

/* hub/server-body.c: req's body into req->body, gzip undone (an
 * identity body stays in evhttp's buffer until server_body_load); 0, or
 * -1 after replying. */
int server_body(struct hub *h, struct hub_req *req);
/* An identity body into req->body (the server's reusable buffer). */
void server_body_load(struct hub_req *req);
/* Inflate len bytes of gzip at data, every member of a multi-member body
 * one after the other, into at most max bytes: 0 with *out (NUL-ended,
 * caller frees) and *outlen, or -1 with the HTTP status in *code and
 * *cause (caller frees). */
int server_gunzip(const void *data, size_t len, size_t max, char **out,
    size_t *outlen, int *code, char **cause);

#endif
