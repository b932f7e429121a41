/*
 * The hub's HTTP server: one evhttp on a TCP listener and a unix socket
 * at once; route dispatch through the modules' route tables, identity
 * (SO_PEERCRED on the socket, bearer tokens), role checks, request body
 * decoding (gzip) and per-route counters for /metrics.
 */
#ifndef CB_HUB_SERVER_H
#define CB_HUB_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

struct hub;

/* Bind the listeners in h->config and start serving on h->base.  0, or
 * -1 with *cause (caller frees). */
int hub_server_start(struct hub *h, char **cause);
/* Close the listeners (and remove the socket file); NULL allowed. */
void hub_server_free(struct hub *h);
/* Forget cached uid -> user name lookups (after a reload). */
void hub_server_forget_uids(struct hub *h);
/* Append the per-route request counters in Prometheus text format. */
void hub_server_metrics(struct hub *h, struct buf *out);
/* Every route of the server's tables, one "METHOD PATH MIN_ROLE" line
 * per method (citybraind --list-routes). */
void hub_server_routes(struct buf *out);
/* The TCP port actually bound (for port 0), or -1. */
int hub_server_port(struct hub *h);

#endif
