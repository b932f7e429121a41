/*
 * Roll-ups of live status over a territory subtree, for the tree and the
 * overview: worst severity and alert counts, freshness, silent grids and
 * the headline metrics, all limited to the caller's scope.
 */
#ifndef CB_HUB_ROLLUP_H
#define CB_HUB_ROLLUP_H

#include <jansson.h>

struct hub_req;

/* The node index the caller may see of node: node itself when inside the
 * scope, the scope's node when the scope lies inside node, else -1. */
int hub_rollup_visible(struct hub_req *req, int node);

/* {"code","level","name","name_en","status":{...},"metrics":{...}} for
 * node, rolled up over hub_rollup_visible(node).  New reference. */
json_t *hub_rollup_node(struct hub_req *req, int node);

/* {"code","level","name","name_en"} only.  New reference. */
json_t *hub_rollup_ident(struct hub_req *req, int node);

#endif
