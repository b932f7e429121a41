/* Aggregating raw series on the hub exactly as the store does
 * (hub/query-agg.c), for native queries completed by "remote_read". */
#ifndef CB_HUB_QUERY_AGG_H
#define CB_HUB_QUERY_AGG_H

#include <jansson.h>

#include "store/store.h"

/*
 * The answer of the aggregate query q (agg, step, group, by; its start
 * and end; not q->sel) over raw, a native query's JSON array of raw
 * series ({"labels","metric","points":[[ms, v|null],...]}, each series'
 * points in time order), in the shape of /api/v1/query's "series": one
 * object per series or group, with the store's exact numbers.  by_name:
 * __name__ is a group-by label too.  New reference.
 */
json_t *hub_query_agg(json_t *raw, const struct store_query *q, int by_name);

#endif
