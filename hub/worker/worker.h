/*
 * Grid workers (网格员) in the field: enrolment with one-time codes that
 * become long-lived device tokens (stored hashed in DATA/workers.json),
 * their tasks and actions on alerts (hub/alerts/alert-worker.h), building
 * check-ins that grant reading a building's data and the grid's live
 * metrics for a while, every grant and read audited, and the phone page
 * served at /m/.  docs/api.md, "Grid workers", is the contract.
 *
 * Workers are a role below viewer: their tokens are not users' tokens and
 * open only the /api/v1/m/ routes, inside their own grids.
 */
#ifndef CB_HUB_WORKER_H
#define CB_HUB_WORKER_H

#include "hub/hub.h"

/* Load DATA/workers.json (none yet is fine) into h->workers.  0, or -1
 * with *cause (caller frees). */
int hub_workers_init(struct hub *h, char **cause);
void hub_workers_free(struct hub *h);

/* Is worker enrolled (not revoked) and code inside one of their grids?
 * 1 yes, 0 no, -1 no such worker (the alert engine's env.worker_may). */
int hub_workers_may(struct hub *h, const char *worker, const char *code);

/* Add the grid workers on duty on grid (signed in, not revoked) to a
 * tree node's "people" object
 * as "worker:NAME": {"name": display, "phone": "N open tasks", "station":
 * "on site CODE" or "not on site"} (the console shows them). */
void hub_workers_people(struct hub *h, const char *grid, json_t *people);

/* The routes: /api/v1/workers (operators), /api/v1/m/... (workers), and
 * the page /m/. */
extern const struct hub_route hub_routes_workers[];

#endif
