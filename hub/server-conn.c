/*
 * Client connections of the hub's HTTP server: counted from their accept
 * against their budget (the unix socket's own; TCP's overall and per
 * peer address; 503 over it), closed when they take longer than
 * limits.header_timeout for a request before they have an identity
 * (slowloris, or a connection that never sends a byte), with
 * TCP_NODELAY; and libevent's own
 * HTML error pages (body or header too large, malformed request, unknown
 * method) replaced by the hub's JSON error shape before they are written.
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <jansson.h>

#include "hub/server-int.h"
#include "lib/xmalloc.h"

/* The process's server, for libevent callbacks that carry only the
 * bufferevent (one hub, one server). */
static struct hub_server *server_self;

void
server_conn_attach(struct hub_server *srv)
{
	server_self = srv;
}

void
server_conn_detach(struct hub_server *srv)
{
	if (server_self == srv)
		server_self = NULL;
}

static void server_output_cb(
    struct evbuffer *, const struct evbuffer_cb_info *, void *);

/*
 * Reading ahead.  libevent 2.1 reads a socket 4 KiB at a time
 * (EVBUFFER_MAX_READ; 2.2 made it settable), an ioctl, a readv and a turn
 * of the loop for each: a 700 KB write body took about 180 of each.  When
 * libevent's read filled its 4 KiB, what else the socket holds is read
 * here at once into the same buffer, before evhttp sees any of it: up to
 * SERVER_READ_AHEAD a turn (one connection does not hold the loop for
 * long), in slices whose buffers stay under glibc's mmap threshold
 * (a 256 KiB slice: evbuffer rounds a chain up to a power of two, its
 * header included).  Never recursively (the buffer's callbacks run
 * again for what is read here).  A read that finds the end of the
 * stream or an error is left to libevent's next read, which finds it
 * again.  ingest-bench: the loop thread's share 76 -> 65 % of a core,
 * points/s x1.15 to x1.30 in paired rounds (bench/README.md, "Request
 * bodies read 4 KiB at a time").
 */
#define SERVER_READ_SLICE    (256 * 1024 - 256)
#define SERVER_READ_AHEAD    (4 * SERVER_READ_SLICE)
#define SERVER_LIBEVENT_READ 4096

static int server_reading_ahead;

/* One slice: bytes read, 0 when there was nothing (or no room) to read. */
static size_t
server_read_slice(evutil_socket_t fd, struct bufferevent *bev,
    struct evbuffer *buf, size_t budget)
{
	struct evbuffer_iovec vec[2];
	struct iovec iov[2];
	size_t want, high = 0, have, left;
	ssize_t got;
	int avail = 0, n, i;

	if (ioctl(fd, FIONREAD, &avail) != 0 || avail <= 0)
		return 0;
	want = (size_t)avail < budget ? (size_t)avail : budget;
	if (want > SERVER_READ_SLICE)
		want = SERVER_READ_SLICE;
	bufferevent_getwatermark(bev, EV_READ, NULL, &high);
	if (high > 0) {
		have = evbuffer_get_length(buf);
		if (have >= high)
			return 0;
		if (want > high - have)
			want = high - have;
	}
	n = evbuffer_reserve_space(buf, (ev_ssize_t)want, vec, 2);
	if (n <= 0)
		return 0;
	/* The space given may be more than asked for (the rest of the last
	 * chain): read no more than want. */
	for (i = 0, left = want; i < n; i++) {
		iov[i].iov_base = vec[i].iov_base;
		iov[i].iov_len = vec[i].iov_len < left ? vec[i].iov_len : left;
		left -= iov[i].iov_len;
	}
	got = readv(fd, iov, n);
	if (got <= 0) {
		evbuffer_commit_space(buf, vec, 0);
		return 0;
	}
	if ((size_t)got <= iov[0].iov_len) {
		vec[0].iov_len = (size_t)got;
		n = 1;
	} else
		vec[1].iov_len = (size_t)got - iov[0].iov_len;
	server_reading_ahead = 1;
	evbuffer_commit_space(buf, vec, n);
	server_reading_ahead = 0;
	return (size_t)got;
}

static void
server_read_ahead(struct bufferevent *bev, struct evbuffer *buf)
{
	evutil_socket_t fd = bufferevent_getfd(bev);
	size_t done = 0, got;

	if (fd < 0)
		return;
	while (
	    done < SERVER_READ_AHEAD && (got = server_read_slice(fd, bev, buf,
	                                     SERVER_READ_AHEAD - done)) > 0)
		done += got;
}

/* Bytes read on a counted connection; more read ahead (above). */
static void
server_input_cb(
    struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct server_conn *c = arg;

	c->inbytes += info->n_added;
	if (info->n_added > 0)
		c->spoke = 1;
	if (info->n_added >= SERVER_LIBEVENT_READ && !server_reading_ahead)
		server_read_ahead(c->bev, buf);
}

/* evhttp is freeing a counted connection: forget it. */
static void
server_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct server_conn *c = arg;
	struct hub_server *srv = c->srv;
	size_t i;

	evhttp_connection_set_closecb(evcon, NULL, NULL);
	evbuffer_remove_cb(bufferevent_get_input(c->bev), server_input_cb, c);
	evbuffer_remove_cb(bufferevent_get_output(c->bev), server_output_cb, c);
	if (c->timer != NULL)
		event_free(c->timer);
	if (!c->refused) {
		if (c->unix_socket)
			srv->admitted_unix--;
		else
			srv->admitted--;
	}
	for (i = 0; i < srv->nconns; i++) {
		if (srv->conns[i] == c) {
			srv->conns[i] = srv->conns[--srv->nconns];
			break;
		}
	}
	free(c);
}

/* A connection without an identity took longer than limits.header_timeout
 * for its request: close it (slowloris). */
static void
server_conn_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct server_conn *c = arg;

	c->srv->timed_out++;
	if (!c->spoke)
		c->srv->silent_closed++;
	evhttp_connection_free(c->evcon); /* frees c (its close callback) */
}

static void
server_conn_arm(struct server_conn *c)
{
	struct timeval tv;

	if (c->timer == NULL)
		return;
	tv.tv_sec = (time_t)(c->srv->header_timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(c->srv->header_timeout_ms % 1000 * 1000);
	evtimer_add(c->timer, &tv);
}

void
server_conn_request_begin(struct server_conn *c)
{
	if (c->timer != NULL)
		evtimer_del(c->timer);
}

void
server_conn_request_end(struct server_conn *c, int identified)
{
	if (identified)
		c->identified = 1;
	if (!c->identified)
		server_conn_arm(c);
}

/* Admitted connections from the TCP peer address addr. */
static long long
server_conn_peer_count(struct hub_server *srv, const char *addr)
{
	long long n = 0;
	size_t i;

	for (i = 0; i < srv->nconns; i++) {
		if (!srv->conns[i]->refused && !srv->conns[i]->unix_socket &&
		    strcmp(srv->conns[i]->peer, addr) == 0)
			n++;
	}
	return n;
}

/* Whether c fits its budget: the unix socket's, or TCP's overall and per
 * peer address. */
static int
server_conn_admit(struct hub_server *srv, struct server_conn *c)
{
	if (c->unix_socket)
		return (long long)srv->admitted_unix <
		       srv->max_unix_connections;
	if ((long long)srv->admitted >= srv->max_connections)
		return 0;
	if (server_conn_peer_count(srv, c->peer) >= srv->max_per_peer) {
		srv->refused_peer++;
		return 0;
	}
	return 1;
}

/* Count a new connection, admitted or refused (limits.max_connections,
 * limits.max_connections_per_peer, limits.max_unix_connections). */
static struct server_conn *
server_conn_new(struct hub_server *srv, struct evhttp_connection *evcon,
    struct bufferevent *bev)
{
	struct server_conn *c = xcalloc(1, sizeof *c);
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char *addr = NULL;
	ev_uint16_t port;
	evutil_socket_t fd = bufferevent_getfd(bev);

	c->srv = srv;
	c->evcon = evcon;
	c->bev = bev;
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0 &&
	    ss.ss_family == AF_UNIX)
		c->unix_socket = 1;
	else {
		evhttp_connection_get_peer(evcon, &addr, &port);
		snprintf(
		    c->peer, sizeof c->peer, "%s", addr != NULL ? addr : "?");
	}
	c->refused = !server_conn_admit(srv, c);
	if (c->refused)
		srv->refused++;
	else if (c->unix_socket)
		srv->admitted_unix++;
	else
		srv->admitted++;
	if (srv->header_timeout_ms > 0 && srv->base != NULL) {
		c->timer = evtimer_new(srv->base, server_conn_timeout, c);
		server_conn_arm(c);
	}
	srv->conns =
	    xreallocarray(srv->conns, srv->nconns + 1, sizeof *srv->conns);
	srv->conns[srv->nconns++] = c;
	evhttp_connection_set_closecb(evcon, server_conn_closed, c);
	evbuffer_add_cb(bufferevent_get_input(bev), server_input_cb, c);
	evbuffer_remove_cb(bufferevent_get_output(bev), server_output_cb, NULL);
	evbuffer_add_cb(bufferevent_get_output(bev), server_output_cb, c);
	return c;
}

/* The counted connection of evcon (counted now if it was not). */
struct server_conn *
server_conn_get(struct hub_server *srv, struct evhttp_connection *evcon)
{
	size_t i;

	for (i = 0; i < srv->nconns; i++) {
		if (srv->conns[i]->evcon == evcon)
			return srv->conns[i];
	}
	return server_conn_new(
	    srv, evcon, evhttp_connection_get_bufferevent(evcon));
}

/*
 * Replies leave at once: without TCP_NODELAY, the tail of a reply larger
 * than one write waits for the client's delayed ACK (40 ms on Linux).
 * Fails harmlessly on the unix socket.
 */
static void
server_sock_tune(evutil_socket_t fd)
{
	int one = 1;

	if (fd >= 0)
		(void)setsockopt(
		    fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/*
 * The first bytes of a new connection: count it from now on.  evhttp
 * (2.1) makes the connection's bufferevent callbacks carry the
 * evhttp_connection; without that, the dispatcher counts the connection
 * at its first request instead.
 */
static void
server_input_first_cb(
    struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct bufferevent *bev = arg;
	struct evhttp_connection *evcon;
	struct server_conn *c;
	void *cbarg = NULL;

	if (info->n_added == 0 || server_self == NULL)
		return;
	evbuffer_remove_cb(buf, server_input_first_cb, bev);
	server_sock_tune(bufferevent_getfd(bev));
	bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
	if ((evcon = cbarg) == NULL ||
	    evhttp_connection_get_bufferevent(evcon) != bev)
		return;
	c = server_conn_new(server_self, evcon, bev);
	c->inbytes = info->n_added;
	c->spoke = 1;
}

/*
 * Just after a new connection's accept (the event loop's next turn, once
 * evhttp has made its evhttp_connection): count it at once, its header
 * timeout running, so that one that never sends a byte is closed after
 * limits.header_timeout like a slow one.  bev is held by a reference
 * taken in server_bev_new; evhttp clears its callbacks if it freed the
 * connection meanwhile.
 */
static void
server_accepted_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bufferevent *bev = arg;
	struct evhttp_connection *evcon;
	void *cbarg = NULL;

	(void)fd;
	(void)what;
	bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
	if (server_self != NULL && (evcon = cbarg) != NULL &&
	    evhttp_connection_get_bufferevent(evcon) == bev) {
		evbuffer_remove_cb(
		    bufferevent_get_input(bev), server_input_first_cb, bev);
		server_sock_tune(bufferevent_getfd(bev));
		(void)server_conn_get(server_self, evcon);
	}
	bufferevent_decref(bev);
}

/* The JSON error message for a status libevent answered by itself. */
static char *
server_libevent_error(struct hub_server *srv, int code, const char *reason)
{
	switch (code) {
	case 413:
		return xasprintf("request too large: the body may have at most "
		                 "%lld bytes (limits.max_body)",
		    srv->max_body);
	case 400:
		return xstrdup("malformed HTTP request");
	case 501:
		return xstrdup("method not implemented");
	default:
		return xasprintf("%s", reason);
	}
}

/*
 * Output buffer callback of every client connection: libevent 2.1 answers
 * requests it cannot read (body over limits.max_body, oversized or
 * malformed headers, unknown methods) with its own HTML page and has no
 * hook for it.  When such a page has just been queued (it always ends in
 * "</BODY></HTML>\n", which no hub reply contains), replace that response
 * with the hub's JSON error shape before it is written.
 */
static void
server_output_cb(
    struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	static const char tail[] = "</BODY></HTML>\n";
	static const char mark[] = "\r\n\r\n<HTML><HEAD>\n<TITLE>";
	struct server_conn *c = arg;
	struct hub_server *srv = server_self;
	struct evbuffer_ptr p, m;
	struct evbuffer *keep;
	char got[sizeof tail], line[128], *nl, *msg, *body;
	const char *reason;
	size_t len, n;
	ev_ssize_t start = -1;
	json_t *j;
	int code, oversized = 0, thawed = 0;

	if (c != NULL && info->n_added > 0 && c->inbytes > 0) {
		/* A reply is being queued: what was read belongs to its
		 * request. */
		c->reqbytes = c->inbytes;
		c->inbytes = 0;
	}
	if (srv == NULL || srv->rewriting || info->n_added < sizeof mark)
		return;
	len = evbuffer_get_length(buf);
	if (len < sizeof mark + sizeof tail ||
	    evbuffer_ptr_set(
	        buf, &p, len - (sizeof tail - 1), EVBUFFER_PTR_SET) != 0)
		return;
	if (evbuffer_copyout_from(buf, &p, got, sizeof tail - 1) < 0) {
		/* The output can be frozen at its start here (it is when
		 * libevent refuses a chunked body over limits.max_body):
		 * thaw it while the page is rewritten. */
		evbuffer_unfreeze(buf, 1);
		thawed = 1;
	}
	if (evbuffer_copyout_from(buf, &p, got, sizeof tail - 1) !=
	        (ev_ssize_t)(sizeof tail - 1) ||
	    memcmp(got, tail, sizeof tail - 1) != 0)
		goto out;
	m = evbuffer_search(buf, mark, sizeof mark - 1, NULL);
	if (m.pos < 0)
		goto out;
	/* The status line is the last "HTTP/1." before the page. */
	for (p = evbuffer_search(buf, "HTTP/1.", 7, NULL);
	     p.pos >= 0 && p.pos < m.pos;
	     p = evbuffer_search(buf, "HTTP/1.", 7, &p)) {
		start = p.pos;
		if (evbuffer_ptr_set(buf, &p, 1, EVBUFFER_PTR_ADD) != 0)
			break;
	}
	if (start < 0 ||
	    evbuffer_ptr_set(buf, &p, (size_t)start, EVBUFFER_PTR_SET) != 0)
		goto out;
	n = (size_t)evbuffer_copyout_from(buf, &p, line, sizeof line - 1);
	line[n] = '\0';
	if ((nl = strchr(line, '\r')) == NULL || nl - line < 13)
		goto out;
	*nl = '\0';
	code = atoi(line + 9);
	reason = line + 13;
	if (code < 400 || code > 599)
		goto out;
	if (code == 400 && c != NULL && c->reqbytes > SERVER_MAX_HEADERS) {
		/* libevent 2.1 answers an oversized request line or header
		 * 400, like a malformed one. */
		code = 413;
		reason = "Request Entity Too Large";
		oversized = 1;
	}
	msg = oversized ? xasprintf("request too large: the request line and "
	                            "header may have at most %d bytes",
	                      SERVER_MAX_HEADERS)
	                : server_libevent_error(srv, code, reason);
	j = json_pack("{s:s}", "error", msg);
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	free(msg);
	if (body == NULL)
		goto out;
	srv->rewriting = 1;
	keep = evbuffer_new();
	if (evbuffer_remove_buffer(buf, keep, (size_t)start) == start &&
	    evbuffer_drain(buf, evbuffer_get_length(buf)) == 0) {
		evbuffer_add_buffer(buf, keep);
		evbuffer_add_printf(buf,
		    "HTTP/1.1 %d %s\r\n"
		    "Content-Type: application/json; charset=utf-8\r\n"
		    "Cache-Control: no-store\r\n"
		    "Connection: close\r\n"
		    "Content-Length: %zu\r\n\r\n%s\n",
		    code, reason, strlen(body) + 1, body);
		server_count(srv, "other", code);
	}
	evbuffer_free(keep);
	free(body);
	srv->rewriting = 0;
out:
	if (thawed)
		evbuffer_freeze(buf, 1);
}

/* New connections' bufferevents, as evhttp would make them, with the
 * callbacks above. */
struct bufferevent *
server_bev_new(struct event_base *base, void *arg)
{
	struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);

	if (bev != NULL) {
		/* A reply (header and body) leaves in one writev, not in
		 * libevent's default 16 KiB slices. */
		bufferevent_set_max_single_write(bev, SERVER_MAX_WRITE);
		evbuffer_add_cb(
		    bufferevent_get_input(bev), server_input_first_cb, bev);
		evbuffer_add_cb(
		    bufferevent_get_output(bev), server_output_cb, NULL);
	}
	if (bev != NULL && server_self != NULL && server_self->base != NULL &&
	    server_self->header_timeout_ms > 0) {
		struct timeval now = {0, 0};

		bufferevent_incref(bev);
		if (event_base_once(base, -1, EV_TIMEOUT, server_accepted_cb,
		        bev, &now) != 0)
			bufferevent_decref(bev);
	}
	return bev;
}
