/* HTTP listeners, dispatch, identity and body decoding (see server.h). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "hub/city/city.h"
#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/promql/promql.h"
#include "hub/server.h"
#include "hub/server-int.h"
#include "hub/territory.h"
#include "hub/remote/remote.h"
#include "hub/users.h"
#include "lib/hostport.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#ifdef HUB_WITH_ALERTS
#include "hub/alerts/alerts.h"
#include "hub/worker/worker.h"
#endif

/* Every route table, in match order.  Add a module's table here. */
static const struct hub_route *const server_tables[] = {
    hub_routes_ingest,
    hub_routes_tree,
    hub_routes_overview,
    hub_routes_systems,
    hub_routes_quality,
    hub_routes_query,
    hub_routes_self,
    hub_routes_promql, /* hub/promql/promql.h */
    hub_routes_remote, /* hub/remote/remote.h */
    hub_routes_influx,
    hub_routes_city, /* hub/city/city.h */
#ifdef HUB_WITH_ALERTS
    /* ---- alerts module (hub/alerts/route-alerts.h declares these) ---- */
    hub_routes_alerts,
    hub_routes_events,
    hub_routes_cases, /* hub/alerts/case.h */
    hub_routes_audit,
    hub_routes_handover,
    hub_routes_reports, /* hub/alerts/report.h */
    hub_routes_workers, /* hub/worker/worker.h */
#endif
    NULL,
};

void
hub_server_routes(struct buf *out)
{
	static const struct {
		enum evhttp_cmd_type method;
		const char *name;
	} methods[] = {
	    {EVHTTP_REQ_GET, "GET"},
	    {EVHTTP_REQ_HEAD, "HEAD"},
	    {EVHTTP_REQ_POST, "POST"},
	    {EVHTTP_REQ_PUT, "PUT"},
	    {EVHTTP_REQ_DELETE, "DELETE"},
	    {EVHTTP_REQ_OPTIONS, "OPTIONS"},
	};
	const struct hub_route *const *t, *r;
	size_t i;

	for (t = server_tables; *t != NULL; t++) {
		for (r = *t; r->path != NULL; r++) {
			for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
				if (r->method & methods[i].method)
					buf_printf(out, "%s %s %s\n",
					    methods[i].name, r->path,
					    hub_role_name(r->min_role));
		}
	}
}

void
server_count(struct hub_server *srv, const char *route, int code)
{
	size_t i;

	for (i = 0; i < srv->ncounts; i++) {
		if (srv->counts[i].code == code &&
		    strcmp(srv->counts[i].route, route) == 0) {
			srv->counts[i].n++;
			return;
		}
	}
	srv->counts =
	    xreallocarray(srv->counts, srv->ncounts + 1, sizeof *srv->counts);
	srv->counts[srv->ncounts].route = route;
	srv->counts[srv->ncounts].code = code;
	srv->counts[srv->ncounts].n = 1;
	srv->ncounts++;
}

void
hub_server_metrics(struct hub *h, struct buf *out)
{
	struct hub_server *srv = h->server;
	size_t i;

	buf_puts(out, "# HELP citybraind_http_requests_total HTTP requests "
	              "by route and status code.\n"
	              "# TYPE citybraind_http_requests_total counter\n");
	if (srv == NULL)
		return;
	for (i = 0; i < srv->ncounts; i++)
		buf_printf(out,
		    "citybraind_http_requests_total{route=\"%s\",code=\"%d\"} "
		    "%llu\n",
		    srv->counts[i].route, srv->counts[i].code,
		    (unsigned long long)srv->counts[i].n);
	buf_printf(out,
	    "# HELP citybraind_connections Open TCP client connections counted "
	    "against limits.max_connections.\n"
	    "# TYPE citybraind_connections gauge\n"
	    "citybraind_connections %zu\n"
	    "# HELP citybraind_connections_max limits.max_connections.\n"
	    "# TYPE citybraind_connections_max gauge\n"
	    "citybraind_connections_max %lld\n"
	    "# HELP citybraind_connections_refused_total Connections refused "
	    "with 503 over limits.max_connections.\n"
	    "# TYPE citybraind_connections_refused_total counter\n"
	    "citybraind_connections_refused_total %llu\n",
	    srv->admitted, srv->max_connections,
	    (unsigned long long)srv->refused);
	buf_printf(out,
	    "# HELP citybraind_connections_unix Open unix socket connections "
	    "counted against limits.max_unix_connections.\n"
	    "# TYPE citybraind_connections_unix gauge\n"
	    "citybraind_connections_unix %zu\n"
	    "# HELP citybraind_connections_refused_peer_total TCP connections "
	    "refused over limits.max_connections_per_peer.\n"
	    "# TYPE citybraind_connections_refused_peer_total counter\n"
	    "citybraind_connections_refused_peer_total %llu\n"
	    "# HELP citybraind_connections_timed_out_total Connections without "
	    "an identity closed after limits.header_timeout.\n"
	    "# TYPE citybraind_connections_timed_out_total counter\n"
	    "citybraind_connections_timed_out_total %llu\n"
	    "# HELP citybraind_connections_silent_closed_total Of those, "
	    "connections that never sent a byte.\n"
	    "# TYPE citybraind_connections_silent_closed_total counter\n"
	    "citybraind_connections_silent_closed_total %llu\n",
	    srv->admitted_unix, (unsigned long long)srv->refused_peer,
	    (unsigned long long)srv->timed_out,
	    (unsigned long long)srv->silent_closed);
}

int
hub_server_port(struct hub *h)
{
	return h->server != NULL ? h->server->port : -1;
}

void
hub_server_forget_uids(struct hub *h)
{
	size_t i;

	if (h->server == NULL)
		return;
	for (i = 0; i < h->server->nuids; i++)
		free(h->server->uids[i].name);
	free(h->server->uids);
	h->server->uids = NULL;
	h->server->nuids = 0;
}

/* The unix user name of uid (cached), or NULL. */
static const char *
server_uid_name(struct hub_server *srv, uid_t uid)
{
	struct passwd pw, *res = NULL;
	char pwbuf[4096];
	size_t i;

	for (i = 0; i < srv->nuids; i++) {
		if (srv->uids[i].uid == uid)
			return srv->uids[i].name;
	}
	if (srv->nuids >= 256) {
		for (i = 0; i < srv->nuids; i++)
			free(srv->uids[i].name);
		srv->nuids = 0;
	}
	if (getpwuid_r(uid, &pw, pwbuf, sizeof pwbuf, &res) != 0)
		res = NULL;
	srv->uids = xreallocarray(srv->uids, srv->nuids + 1, sizeof *srv->uids);
	srv->uids[srv->nuids].uid = uid;
	srv->uids[srv->nuids].name = res != NULL ? xstrdup(pw.pw_name) : NULL;
	return srv->uids[srv->nuids++].name;
}

static void
server_params_clear(struct hub_req *req)
{
	size_t i;

	for (i = 0; i < req->nparams; i++) {
		free(req->param_names[i]);
		free(req->param_values[i]);
		req->param_names[i] = req->param_values[i] = NULL;
	}
	req->nparams = 0;
}

/* Match path against pattern, filling req's params.  1 on a match. */
static int
server_match(const char *pattern, const char *path, struct hub_req *req)
{
	const char *p = pattern, *s = path, *pe, *se;
	char *raw;

	req->nparams = 0;
	while (*p == '/' && *s == '/') {
		p++;
		s++;
		if ((pe = strchr(p, '/')) == NULL)
			pe = p + strlen(p);
		if ((se = strchr(s, '/')) == NULL)
			se = s + strlen(s);
		if (*p == '{' && pe > p + 1 && pe[-1] == '}') {
			if (se == s || req->nparams == HUB_ROUTE_MAX_PARAMS)
				goto no;
			raw = xstrndup(s, (size_t)(se - s));
			req->param_values[req->nparams] =
			    evhttp_uridecode(raw, 0, NULL);
			free(raw);
			req->param_names[req->nparams] =
			    xstrndup(p + 1, (size_t)(pe - p - 2));
			req->nparams++;
		} else if (pe - p != se - s ||
		           strncmp(p, s, (size_t)(pe - p)) != 0)
			goto no;
		p = pe;
		s = se;
	}
	if (*p == '\0' && *s == '\0')
		return 1;
no:
	server_params_clear(req);
	return 0;
}

/* The password of an HTTP Basic credential (base64 of "user:password"),
 * which Influx clients send as the token; the user name is ignored.
 * Returns a string the caller frees, or NULL if b64 is not one. */
static char *
server_basic_password(const char *b64)
{
	size_t n, pad = 0;
	unsigned char *raw;
	char *colon, *pw = NULL;
	int len;

	while (*b64 == ' ')
		b64++;
	n = strlen(b64);
	while (n > 0 && b64[n - 1] == ' ')
		n--;
	if (n == 0 || n % 4 != 0 || n > 4096)
		return NULL;
	pad = (b64[n - 1] == '=') + (n > 1 && b64[n - 2] == '=');
	raw = xmalloc(n / 4 * 3 + 1);
	len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
	if (len >= (int)pad) {
		raw[len - (int)pad] = '\0';
		if (strlen((char *)raw) == (size_t)len - pad &&
		    (colon = strchr((char *)raw, ':')) != NULL)
			pw = xstrdup(colon + 1);
	}
	free(raw);
	return pw;
}

/* Fill req->id from a token (Bearer, Token, Basic's password) or the
 * socket peer's uid. */
static void
server_identify(struct hub *h, struct hub_req *req, int fd)
{
	const char *auth, *tok = NULL;
	char *basic = NULL;
	const struct hub_token *t;
	const struct hub_user *u;
	const char *name;
	struct ucred cred;
	socklen_t len = sizeof cred;

	auth = hub_req_header(req, "Authorization");
	if (auth != NULL) {
		if (strncasecmp(auth, "Bearer ", 7) == 0)
			tok = auth + 7;
		else if (strncasecmp(auth, "Token ", 6) == 0)
			tok = auth + 6;
		else if (strncasecmp(auth, "Basic ", 6) == 0)
			tok = basic = server_basic_password(auth + 6);
	}
	if (tok == NULL && (strcmp(req->route->path, "/write") == 0 ||
	                       strcmp(req->route->path, "/query") == 0))
		tok = hub_req_query(req, "p");
	if (tok != NULL) {
		while (*tok == ' ')
			tok++;
		t = hub_users_by_token(h->users, tok);
		free(basic);
		if (t == NULL)
			return;
		req->id.via = HUB_VIA_TOKEN;
		req->id.token = t;
		if (t->kind == HUB_TOKEN_USER) {
			u = &h->users->users[t->user];
			req->id.user = u->name;
			req->id.role = u->role;
			req->id.scope = u->scope;
		} else {
			req->id.user = t->name;
			req->id.role = HUB_ROLE_COLLECTOR;
			req->id.scope = h->territory->nodes[0].code;
		}
		return;
	}
	if (!req->unix_socket)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return;
	name = server_uid_name(h->server, cred.uid);
	if ((u = hub_users_by_name(h->users, name, cred.uid)) == NULL)
		return;
	req->id.via = HUB_VIA_UID;
	req->id.uid = cred.uid;
	req->id.user = u->name;
	req->id.role = u->role;
	req->id.scope = u->scope;
}

/* The 503 of a connection over its budget. */
static void
server_conn_refuse(struct hub_req *req, struct server_conn *sc)
{
	struct hub_server *srv = sc->srv;

	if (sc->unix_socket)
		hub_reply_error(req, 503,
		    "too many connections on the unix socket "
		    "(limits.max_unix_connections %lld): try again later",
		    srv->max_unix_connections);
	else if ((long long)srv->admitted < srv->max_connections)
		hub_reply_error(req, 503,
		    "too many connections from %s "
		    "(limits.max_connections_per_peer %lld): try again later",
		    sc->peer, srv->max_per_peer);
	else
		hub_reply_error(req, 503,
		    "too many connections (limits.max_connections %lld): try "
		    "again later",
		    srv->max_connections);
}

static void
server_dispatch(struct evhttp_request *ev, void *arg)
{
	struct hub *h = arg;
	struct hub_server *srv = h->server;
	struct hub_req req;
	const struct hub_route *r, *found = NULL;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	enum evhttp_cmd_type method = evhttp_request_get_command(ev);
	struct evhttp_connection *conn = evhttp_request_get_connection(ev);
	struct server_conn *sc = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	const char *path, *counted = "other";
	char allow[128] = "";
	char *peer_addr = NULL;
	ev_uint16_t peer_port = 0;
	size_t i;
	int fd = -1;

	memset(&req, 0, sizeof req);
	req.hub = h;
	req.ev = ev;
	h->stats.http_requests++;
	if (conn != NULL)
		fd = bufferevent_getfd(evhttp_connection_get_bufferevent(conn));
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0 &&
	    ss.ss_family == AF_UNIX) {
		req.unix_socket = 1;
		strcpy(req.peer, "unix");
	} else if (conn != NULL) {
		evhttp_connection_get_peer(conn, &peer_addr, &peer_port);
		snprintf(req.peer, sizeof req.peer,
		    strchr(peer_addr != NULL ? peer_addr : "", ':') != NULL
		        ? "[%s]:%u"
		        : "%s:%u",
		    peer_addr != NULL ? peer_addr : "?", peer_port);
	}
	if (conn != NULL) {
		sc = server_conn_get(srv, conn);
		server_conn_request_begin(sc);
	}
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || *path == '\0')
		path = "/";
	for (i = 0; server_tables[i] != NULL && found == NULL; i++) {
		for (r = server_tables[i]; r->path != NULL; r++) {
			if (!server_match(r->path, path, &req))
				continue;
			if (r->method == method) {
				found = r;
				break;
			}
			server_params_clear(&req);
			if (strlen(allow) + 16 < sizeof allow) {
				if (*allow != '\0')
					strcat(allow, ", ");
				strcat(allow,
				    r->method == EVHTTP_REQ_GET      ? "GET"
				    : r->method == EVHTTP_REQ_POST   ? "POST"
				    : r->method == EVHTTP_REQ_DELETE ? "DELETE"
				    : r->method == EVHTTP_REQ_HEAD   ? "HEAD"
				                                     : "PUT");
			}
		}
	}
	if (found != NULL) {
		req.route = found;
		counted = found->path;
		server_identify(h, &req, fd);
	}
	if (sc != NULL && sc->refused) {
		/* Over its budget: served only with an identity, or for
		 * /healthz, and closed after the reply either way. */
		evhttp_add_header(evhttp_request_get_output_headers(ev),
		    "Connection", "close");
		if (req.id.via == HUB_VIA_NONE &&
		    (found == NULL || strcmp(found->path, "/healthz") != 0)) {
			server_conn_refuse(&req, sc);
			goto done;
		}
	}
	if (found == NULL) {
		if (*allow != '\0') {
			evhttp_add_header(evhttp_request_get_output_headers(ev),
			    "Allow", allow);
			hub_reply_error(
			    &req, 405, "method not allowed (%s)", allow);
		} else
			hub_reply_error(
			    &req, 404, "no such route \"%s\"", path);
		goto done;
	}
	if (found->min_role != HUB_ROLE_NONE) {
		if (req.id.via == HUB_VIA_NONE) {
			if (req.unix_socket)
				hub_reply_error(&req, 401,
				    "unix user is not a citybrain user "
				    "(users.json)");
			else
				hub_reply_error(&req, 401,
				    hub_req_header(&req, "Authorization") !=
				            NULL
				        ? "unknown token"
				        : "authorization required: "
				          "Authorization: Bearer TOKEN (or "
				          "Basic with the token as password)");
			goto done;
		}
		if (req.id.role == HUB_ROLE_COLLECTOR &&
		    found->min_role != HUB_ROLE_COLLECTOR) {
			hub_reply_error(&req, 403,
			    "collector token \"%s\" may only write",
			    req.id.user);
			goto done;
		}
		if (req.id.role != HUB_ROLE_COLLECTOR &&
		    req.id.role < (found->min_role == HUB_ROLE_COLLECTOR
		                          ? HUB_ROLE_OPERATOR
		                          : found->min_role)) {
			hub_reply_error(&req, 403, "%s \"%s\" may not use %s",
			    hub_role_name(req.id.role), req.id.user, path);
			goto done;
		}
	}
	if (found->want_body && server_body(h, &req) != 0)
		goto done;
	if (hub_city_dispatch(&req)) /* a city hub's own answer (may POST) */
		goto done;
	found->handler(&req);
	if (!req.replied && !req.deferred)
		hub_reply_error(&req, 500, "route gave no reply");
done:
	if (!req.deferred) { /* else hub_req_finish() */
		if (sc != NULL)
			server_conn_request_end(sc, req.id.via != HUB_VIA_NONE);
		server_count(srv, counted, req.replied);
	}
	server_params_clear(&req);
	if (req.query_parsed)
		evhttp_clear_headers(&req.query);
	if (req.body_owned)
		free(req.body);
	if (srv->bodycap > SERVER_BODY_KEEP) {
		/* A rare large body: do not keep its buffer for good. */
		free(srv->body);
		srv->body = NULL;
		srv->bodycap = 0;
	}
}

struct hub_req *
hub_req_defer(struct hub_req *req)
{
	struct hub_req *d = xmalloc(sizeof *d);

	/* The parsed query's list points back into req: parse it again. */
	if (req->query_parsed)
		evhttp_clear_headers(&req->query);
	req->query_parsed = 0;
	*d = *req;
	d->deferred = req->deferred = 1;
	/* Parameters and body now belong to d. */
	req->nparams = 0;
	req->body_owned = 0;
	req->body = NULL;
	req->body_in = NULL;
	return d;
}

void
hub_req_finish(struct hub_req *req)
{
	struct hub_server *srv = req->hub->server;

	if (!req->replied)
		hub_reply_error(req, 500, "route gave no reply");
	if (srv != NULL) {
		/* The connection, if it was still there at the reply. */
		if (req->reply_conn != NULL)
			server_conn_request_end(
			    server_conn_get(srv, req->reply_conn),
			    req->id.via != HUB_VIA_NONE);
		server_count(srv, req->route->path, req->replied);
	}
	server_params_clear(req);
	if (req->query_parsed)
		evhttp_clear_headers(&req->query);
	if (req->body_owned)
		free(req->body);
	free(req);
}

static int
server_unix_bind(struct hub *h, const char *path, char **cause)
{
	struct hub_server *srv = h->server;
	struct sockaddr_un sun;
	struct group *gr;
	int fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		*cause = xasprintf("socket path too long: %s", path);
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	/* A socket file left behind: reuse it unless someone answers. */
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		close(fd);
		*cause = xasprintf(
		    "%s: another citybraind is listening there", path);
		return -1;
	}
	close(fd);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (h->config->socket_group != NULL &&
	    *h->config->socket_group != '\0') {
		if ((gr = getgrnam(h->config->socket_group)) == NULL) {
			*cause = xasprintf("%s: no such group \"%s\" "
			                   "(socket_group)",
			    path, h->config->socket_group);
			goto fail;
		}
		if (chown(path, (uid_t)-1, gr->gr_gid) != 0) {
			*cause = xasprintf("%s: chown to group %s: %s", path,
			    h->config->socket_group, strerror(errno));
			goto fail;
		}
	}
	if (chmod(path, (mode_t)h->config->socket_mode) != 0) {
		*cause = xasprintf("%s: chmod: %s", path, strerror(errno));
		goto fail;
	}
	evutil_make_socket_nonblocking(fd);
	srv->unix_listener = evconnlistener_new(h->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 128, fd);
	if (srv->unix_listener == NULL) {
		*cause = xasprintf("%s: cannot listen", path);
		goto fail;
	}
	if (evhttp_bind_listener(srv->http, srv->unix_listener) == NULL) {
		*cause = xasprintf("%s: evhttp cannot use the socket", path);
		return -1;
	}
	srv->unix_listener = NULL; /* now owned by evhttp */
	srv->socket_path = xstrdup(path);
	return 0;
fail:
	close(fd);
	unlink(path);
	return -1;
}

int
hub_server_start(struct hub *h, char **cause)
{
	struct hub_server *srv = xcalloc(1, sizeof *srv);
	struct hub_config *c = h->config;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char *host;
	int port;

	h->server = srv;
	srv->port = -1;
	srv->http = evhttp_new(h->base);
	evhttp_set_gencb(srv->http, server_dispatch, h);
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)c->max_body);
	evhttp_set_max_headers_size(srv->http, SERVER_MAX_HEADERS);
	evhttp_set_bevcb(srv->http, server_bev_new, srv);
	server_conn_attach(srv);
	srv->max_connections = c->max_connections;
	srv->max_unix_connections = c->max_unix_connections;
	srv->max_per_peer = c->max_connections_per_peer;
	srv->header_timeout_ms = c->header_timeout_ms;
	srv->base = h->base;
	srv->max_body = c->max_body;
	evhttp_set_timeout(srv->http, (int)((c->timeout_ms + 999) / 1000));
	evhttp_set_allowed_methods(srv->http,
	    EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_DELETE |
	        EVHTTP_REQ_PUT | EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	if (c->listen != NULL && *c->listen != '\0') {
		if (hostport_parse(c->listen, &host, &port) != 0) {
			*cause =
			    xasprintf("bad listen address \"%s\"", c->listen);
			return -1;
		}
		srv->tcp = evhttp_bind_socket_with_handle(
		    srv->http, host, (ev_uint16_t)port);
		free(host);
		if (srv->tcp == NULL) {
			*cause = xasprintf("cannot listen on %s: %s", c->listen,
			    strerror(errno));
			return -1;
		}
		if (getsockname(evhttp_bound_socket_get_fd(srv->tcp),
		        (struct sockaddr *)&ss, &sslen) == 0) {
			if (ss.ss_family == AF_INET)
				srv->port = ntohs(
				    ((struct sockaddr_in *)&ss)->sin_port);
			else if (ss.ss_family == AF_INET6)
				srv->port = ntohs(
				    ((struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	if (c->socket != NULL && *c->socket != '\0' &&
	    server_unix_bind(h, c->socket, cause) != 0)
		return -1;
	if (srv->tcp == NULL && srv->socket_path == NULL) {
		*cause = xstrdup("neither \"listen\" nor \"socket\" is set");
		return -1;
	}
	return 0;
}

void
hub_server_free(struct hub *h)
{
	struct hub_server *srv = h->server;

	if (srv == NULL)
		return;
	if (srv->http != NULL)
		evhttp_free(srv->http);
	server_conn_detach(srv);
	if (srv->unix_listener != NULL)
		evconnlistener_free(srv->unix_listener);
	if (srv->socket_path != NULL) {
		unlink(srv->socket_path);
		free(srv->socket_path);
	}
	hub_server_forget_uids(h);
	free(srv->body);
	free(srv->counts);
	free(srv->conns);
	free(srv);
	h->server = NULL;
}
