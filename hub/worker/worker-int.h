/*
 * Internals shared by hub/worker/'s files: the registry of workers
 * (worker-registry.c), request helpers (worker-route.c), check-in grants
 * (worker-grant.c) and the page (worker-page.c).  Others use worker.h.
 */
#ifndef CB_HUB_WORKER_INT_H
#define CB_HUB_WORKER_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hub/hub.h"

struct alert_actor;
struct alert_engine;
struct alert_worker;

/* One worker.  Strings are owned. */
struct worker {
	char *name, *display, *enrolled_by;
	char **grids; /* territory codes */
	size_t ngrids;
	char code_hash[65]; /* pending enrolment code's SHA-256, or "" */
	int64_t code_expires_ms;
	char token_hash[65]; /* device token's SHA-256, or "" */
	int64_t enrolled_ms, token_ms, revoked_ms;
	/* The grant of the last check-in and the last check-in, kept in
	 * DATA/worker-grants.json (worker-grant.c). */
	char *grant_building; /* NULL: the grid only (by position) */
	int grant_grid;       /* territory node index, -1: none */
	char grant_code[32];  /* its code (the index moves on a reload) */
	int64_t grant_until_ms;
	int64_t last_checkin_ms;
	char *last_place; /* building code or grid code of it */
};

struct worker_limit;

struct hub_workers {
	char *path;        /* DATA/workers.json */
	char *grants_path; /* DATA/worker-grants.json */
	struct worker *v;
	size_t n;
	struct worker_limit *limit; /* failed sign-ins; NULL: none yet */
};

/* ---- worker-registry.c ------------------------------------------------ */

/* Load path (missing: empty).  NULL with *cause. */
struct hub_workers *worker_registry_load(const char *path, char **cause);
void worker_registry_free(struct hub_workers *r);
/* Write the file (temporary file, fsync, rename).  0 or -1 with *cause. */
int worker_registry_save(struct hub_workers *r, char **cause);
/* Write root to path, mode 0600, through a temporary file, fsync and
 * rename.  0 or -1 with *cause. */
int worker_file_write(const char *path, json_t *root, char **cause);
struct worker *worker_registry_find(struct hub_workers *r, const char *name);
/* The enrolled worker of a device token, or NULL (constant time in the
 * token's contents). */
struct worker *worker_registry_by_token(
    struct hub_workers *r, const char *token);
/* The worker with unexpired enrolment code, or NULL. */
struct worker *worker_registry_by_code(
    struct hub_workers *r, const char *code, int64_t now);
/* Enrol name (new, or again: grids replaced) on grids; returns the new
 * one-time code (heap; only its hash is kept). */
char *worker_registry_enrol(struct hub_workers *r, const char *name,
    const char *display, char *const *grids, size_t ngrids, const char *by,
    int64_t now, int64_t ttl_ms);
/* Exchange w's code for a device token (heap); the code is spent and an
 * earlier token stops working. */
char *worker_registry_token(struct worker *w, int64_t now);
/* Revoke: no token, no code, no grant. */
void worker_registry_revoke(struct worker *w, int64_t now);
/* Is w active (enrolled with a token or a pending code, not revoked)? */
int worker_registry_active(const struct worker *w);

/* ---- worker-route.c: request helpers ----------------------------------- */

/* The worker of the request's device token, or NULL after replying 401. */
struct worker *worker_req_auth(struct hub_req *req);
/* The same, and the alert engine in *e, or NULL after replying 503. */
struct worker *worker_req_engine(struct hub_req *req, struct alert_engine **e);
/* The worker as an alert actor (strings borrowed from w and req). */
void worker_req_actor(
    struct hub_req *req, struct worker *w, struct alert_actor *out);
/* The worker as the alert engine sees them. */
void worker_req_alert_worker(struct worker *w, struct alert_worker *out);
/* Append an audit entry by w (after stolen, may be NULL). */
void worker_req_audit(struct hub_req *req, struct worker *w, const char *action,
    const char *target, const char *code, json_t *after);
/* Is territory code inside one of w's grids? */
int worker_in_grids(struct hub *h, const struct worker *w, const char *code);

/* ---- worker-grant.c ---------------------------------------------------- */

/* Load r->grants_path (none yet is fine): the unexpired grants and last
 * check-ins of active workers.  0 or -1 with *cause. */
int worker_grants_load(struct hub *h, char **cause);
/* Write every worker's grant and last check-in.  0 or -1 with *cause. */
int worker_grants_save(struct hub *h, char **cause);
/* w's grant, ended when expired: 1 current, 0 none. */
int worker_grant_current(struct hub *h, struct worker *w);
/* The grant as JSON for the page ({"building":..,"grid":..,"until_ms":..}
 * or null). */
json_t *worker_grant_json(struct hub *h, struct worker *w);
void worker_route_checkin(struct hub_req *req);
void worker_route_checkout(struct hub_req *req);
void worker_route_building(struct hub_req *req);
void worker_route_metrics(struct hub_req *req);

/* ---- worker-limit.c: guessing enrolment codes -------------------------- */

struct hub_config;

/* ms a sign-in from peer ("IP:PORT") must wait, 0 if it may try now;
 * *report is set on the first refusal of a window (audit it). */
int64_t worker_limit_check(struct hub_workers *r, const struct hub_config *cf,
    const char *peer, int64_t now, int *report);
/* Count a failed sign-in from peer. */
void worker_limit_fail(struct hub_workers *r, const struct hub_config *cf,
    const char *peer, int64_t now);
void worker_limit_free(struct worker_limit *l);

/* ---- worker-photo.c: photos on progress reports ----------------------- */

/* Decode a report's photo: b64 (standard base64, padding optional,
 * nothing else) of at most max bytes that is a JPEG or PNG by its magic
 * bytes.  0 with *out (heap), *len and *type ("image/jpeg", "image/png")
 * set; else the HTTP status (400 not base64, 413 over max, 415 neither
 * JPEG nor PNG) with *cause (heap). */
int worker_photo_decode(const char *b64, size_t b64len, size_t max,
    unsigned char **out, size_t *len, const char **type, char **cause);
/* Apply a worker's action with body's text, action_id and photo (may be
 * absent) and reply. */
void worker_photo_act(struct hub_req *req, struct alert_engine *e,
    const struct alert_worker *aw, const struct alert_actor *who, json_t *body);
void worker_route_alert_photo(struct hub_req *req);
void worker_route_task_photo(struct hub_req *req);

/* ---- worker-page.c ----------------------------------------------------- */

void worker_route_page_html(struct hub_req *req);
void worker_route_page_js(struct hub_req *req);

#endif
