/*
 * citybraind's shared context: the hub (one per process), the route table
 * type every route module exports, the per-request context handed to
 * handlers, and the request accessors and reply helpers all routes use
 * (hub/reply.c).  docs/api.md is the contract these implement.
 *
 * Threading: everything runs on the one libevent loop (hub->base); handlers
 * are called there and must not block for long.  A handler calls exactly
 * one hub_reply_*() before it returns, or defers the reply
 * (hub_req_defer: ingest parses on worker threads, hub/ingest.h).
 */
#ifndef CB_HUB_H
#define CB_HUB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

struct event_base;
struct store;
struct hub_config;    /* hub/hub-config.h: hub.json */
struct hub_territory; /* hub/territory.h */
struct hub_systems;   /* hub/systems.h */
struct hub_users;     /* hub/users.h: users and tokens */
struct hub_token;
struct hub_status; /* hub/status.h: freshness, headline values, collectors */
struct hub_server; /* hub/server.h: listeners */
struct hub_ingest; /* hub/ingest.h: line-protocol ingest */
struct remote_forward; /* hub/remote/remote.h */

/* Roles, ordered: a route's min_role admits that role and every higher
 * one.  HUB_ROLE_COLLECTOR is what a collector token has: it may use only
 * routes whose min_role is HUB_ROLE_NONE or HUB_ROLE_COLLECTOR.  Users of
 * role operator and above may use collector routes too (inside scope). */
enum hub_role {
	HUB_ROLE_NONE = 0, /* no identity needed (/healthz, /metrics) */
	HUB_ROLE_COLLECTOR,
	HUB_ROLE_VIEWER,
	HUB_ROLE_OPERATOR,
	HUB_ROLE_SUPERVISOR,
	HUB_ROLE_ADMIN,
};

/* "viewer", ...; hub_role_parse returns -1 for an unknown name. */
const char *hub_role_name(enum hub_role role);
int hub_role_parse(const char *s, enum hub_role *role);

enum hub_via {
	HUB_VIA_NONE = 0, /* not identified */
	HUB_VIA_UID,      /* unix socket, SO_PEERCRED */
	HUB_VIA_TOKEN,    /* Authorization: Bearer, Token or Basic */
};

/* "none", "uid", "token". */
const char *hub_via_name(enum hub_via via);

/* Who is calling.  Strings are owned by the request (valid until the
 * handler returns); copy what you keep. */
struct hub_identity {
	enum hub_via via;
	enum hub_role role;
	const char *user;  /* user name, or token name for collectors */
	const char *scope; /* territory code; the district for collectors */
	uid_t uid;         /* HUB_VIA_UID only */
	const struct hub_token *token; /* HUB_VIA_TOKEN only */
	const char *dept;              /* the user's department, or NULL */
};

/* Active alert counts, from the alerts module. */
struct hub_alert_counts {
	unsigned high, medium, low, info;
};

/* Counters for /metrics, kept by the server and the ingest route. */
struct hub_stats {
	uint64_t points_ingested;
	uint64_t lines_accepted;
	uint64_t lines_rejected;
	uint64_t write_requests;
	uint64_t bytes_received; /* request bodies, before decompression */
	uint64_t http_requests;
	/* The store: write calls that failed, whether the last one did and
	 * why (/healthz is degraded while it does). */
	uint64_t store_write_errors;
	int store_failing;
	char store_error[256];
	/* per route and code counts live in the server (hub/server.c) */
};

struct hub {
	struct event_base *base;
	struct store *store;
	struct hub_config *config;       /* owned */
	struct hub_territory *territory; /* owned; replaced on SIGHUP */
	struct hub_systems *systems;     /* owned; replaced on SIGHUP */
	struct hub_users *users;         /* owned; replaced on SIGHUP */
	struct hub_status *status;       /* owned */
	struct hub_server *server;       /* owned */
	struct hub_ingest *ingest;       /* owned; hub/ingest.h */
	struct hub_stats stats;

	/* The clock: every part of the hub asks hub_now(); tests replace it.
	 * clock_arg is passed back. */
	int64_t (*clock)(void *clock_arg);
	void *clock_arg;
	int64_t start_ms;

	/* ---- alerts module (hub/alerts/alert-engine.c) -----------------
	 * hub_alerts_init() sets these; all may stay NULL (no alerts module:
	 * counts are zero).  alerts_count fills *out with the counted
	 * (pending, firing, acknowledged; silenced or inhibited excluded)
	 * alerts inside territory code (NULL: everywhere) and, when system is
	 * not NULL, of that system only. */
	void *alerts;
	void (*alerts_count)(struct hub *h, const char *code,
	    const char *system, struct hub_alert_counts *out);
	/* Called after territory, systems and users were replaced (SIGHUP). */
	void (*alerts_reloaded)(struct hub *h);
	/* The audit chain's last verification (start-up or the verify
	 * route): 1 intact, 0 broken with *reason (borrowed) and the first
	 * bad entry. */
	int (*audit_status)(
	    struct hub *h, const char **reason, uint64_t *first_bad);

	/* Remote-write forwarding (hub/remote/remote.h); NULL when off. */
	struct remote_forward *forward;
	/* Remote reads running on the loop (hub/remote/remote-read.c);
	 * NULL before the first. */
	struct remote_reader *reader;
	/* Grid workers (hub/worker/worker.h); NULL before init. */
	struct hub_workers *workers;
	/* A city hub's districts (hub/city/city.h); NULL on a district hub. */
	struct hub_city *city;
};

/* The time now in ms since the epoch, from the hub's clock. */
int64_t hub_now(const struct hub *h);

/* ---- Routes ------------------------------------------------------------ */

struct hub_req;

/*
 * One route.  Each module exports a const array terminated by an entry
 * whose path is NULL, e.g. in hub/route-systems.c:
 *
 *   const struct hub_route hub_routes_systems[] = {
 *       { .method = EVHTTP_REQ_GET, .path = "/api/v1/systems",
 *         .handler = route_systems_list, .min_role = HUB_ROLE_VIEWER },
 *       { .method = EVHTTP_REQ_GET, .path = "/api/v1/systems/{id}",
 *         .handler = route_systems_get, .min_role = HUB_ROLE_VIEWER },
 *       { .path = NULL },
 *   };
 *
 * Paths match segment by segment; "{name}" matches one non-empty segment
 * (URL-decoded, read back with hub_req_param()).  The dispatcher checks
 * min_role before calling the handler (401 without identity, 403 below the
 * role), answers 404 for no path match and 405 for a path matched with
 * another method.
 */
struct hub_route {
	enum evhttp_cmd_type method;
	const char *path;
	void (*handler)(struct hub_req *req);
	enum hub_role min_role;
	/* Read and decode (gzip) the body before calling; max_body applies. */
	int want_body;
	/* Content-Encoding "snappy" is passed through undecoded (remote-write
	 * bodies, which hub/remote/ decodes); other routes answer 415. */
	int snappy_body;
};

#define HUB_ROUTE_MAX_PARAMS 4

/* The request as handlers see it.  Owned by the server; valid until the
 * handler returns. */
struct hub_req {
	struct hub *hub;
	struct evhttp_request *ev;
	const struct hub_route *route;
	struct hub_identity id;
	char peer[64]; /* "unix" or "IP:PORT" */
	int unix_socket;

	/* Path parameters, in route order (owned by the request). */
	char *param_names[HUB_ROUTE_MAX_PARAMS];
	char *param_values[HUB_ROUTE_MAX_PARAMS];
	size_t nparams;

	/* Query string, parsed on first use. */
	struct evkeyvalq query;
	int query_parsed;

	/* Body after Content-Encoding was undone (want_body routes). */
	char *body;
	size_t body_len;
	int body_owned; /* body is heap memory (decompressed) */
	/* An identity body still in evhttp's buffer: copied out on first
	 * use (hub_req_body), or taken whole (hub_req_body_take). */
	struct evbuffer *body_in;

	int replied; /* status code once replied */

	/* Answered after the handler returned (hub_req_defer). */
	int deferred;
	struct evhttp_connection *reply_conn; /* at the reply, or NULL */
};

/* A path parameter ("id" for "/api/v1/systems/{id}"), or NULL. */
const char *hub_req_param(struct hub_req *req, const char *name);
/* A query-string parameter (URL-decoded), or NULL if absent. */
const char *hub_req_query(struct hub_req *req, const char *name);
/* The body (decoded; NUL-terminated after len bytes), or NULL if none. */
const char *hub_req_body(struct hub_req *req, size_t *len);
/* The body as hub_req_body() gives it, now the caller's as a buffer
 * (caller frees with evbuffer_free, from any one thread at a time; no
 * bytes are copied); the request no longer has one. */
struct evbuffer *hub_req_body_take(struct hub_req *req);
/*
 * Answer req after its handler returned: returns the request to answer
 * later, on the loop thread, with exactly one hub_reply_*() followed by
 * hub_req_finish() (which frees it).  Query parameters read before stay
 * readable; the client may have gone meanwhile (the reply is then
 * dropped).
 */
struct hub_req *hub_req_defer(struct hub_req *req);
void hub_req_finish(struct hub_req *req);
/*
 * Parse the body as a JSON object.  Returns a new reference the caller
 * json_decref()s, or NULL after replying 400 {"error": "body: ..."}.
 */
json_t *hub_req_body_json(struct hub_req *req);
/* A request header, or NULL. */
const char *hub_req_header(struct hub_req *req, const char *name);

/* Is territory code inside the caller's scope (the code itself or a
 * descendant of the scope)?  Collectors and HUB_ROLE_NONE: always 1 for
 * reads of public data; use hub_token_may_write for writes. */
int hub_req_in_scope(struct hub_req *req, const char *code);
/* Does the caller's scope overlap code (code inside the scope, or the
 * scope inside code)?  For roll-ups: the district node is visible to a
 * community operator, restricted to the community. */
int hub_req_scope_overlaps(struct hub_req *req, const char *code);

/* ---- Replies (hub/reply.c) -------------------------------------------- */

/* Replies of at least this many bytes are gzipped for a client whose
 * Accept-Encoding takes gzip. */
#define HUB_REPLY_GZIP_MIN 4096

/* Reply code with a JSON body; steals the reference to body. */
void hub_reply_json(struct hub_req *req, int code, json_t *body);
struct buf;
/* Reply code with JSON text a route wrote into b (a newline is added;
 * b's contents are taken and b is left empty). */
void hub_reply_json_buf(struct hub_req *req, int code, struct buf *b);
/* Reply code with {"error": "<formatted>"}. */
void hub_reply_error(struct hub_req *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reply code with an error object carrying extra members (steals extra,
 * which may be NULL; "error" is set from fmt). */
void hub_reply_error_json(struct hub_req *req, int code, json_t *extra,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Reply code with a text body of content_type (copied). */
void hub_reply_text(struct hub_req *req, int code, const char *content_type,
    const char *text, size_t len);
/* Reply 204 No Content. */
void hub_reply_empty(struct hub_req *req, int code);

/* JSON helpers for routes: an {"high":..,"medium":..,"low":..,"info":..}
 * object, and the severity name of the worst non-zero count ("ok"). */
json_t *hub_json_alert_counts(const struct hub_alert_counts *c);
const char *hub_alert_counts_worst(const struct hub_alert_counts *c);
/* Parse a time parameter (ms, RFC 3339, "now", "now-1h", "-1h") relative
 * to now; 0 or -1. */
int hub_parse_time(const char *s, int64_t now, int64_t *ms);

/* ---- Route tables ------------------------------------------------------ */

extern const struct hub_route hub_routes_ingest[];   /* route-ingest.c */
extern const struct hub_route hub_routes_tree[];     /* route-tree.c */
extern const struct hub_route hub_routes_overview[]; /* route-overview.c */
extern const struct hub_route hub_routes_systems[];  /* route-systems.c */
extern const struct hub_route hub_routes_quality[];  /* route-quality.c */
extern const struct hub_route hub_routes_query[];    /* route-query.c */
extern const struct hub_route hub_routes_self[];     /* route-self.c */
extern const struct hub_route hub_routes_influx[];   /* route-influx.c */
/* The alerts module declares hub_routes_alerts[], hub_routes_events[] and
 * hub_routes_audit[] through its door, hub/alerts/alerts.h; hub/server.c
 * lists them, and hub/main.c calls hub_alerts_init()/hub_alerts_free(),
 * when built with -DHUB_WITH_ALERTS (hub/alerts/local.mk). */

#endif
