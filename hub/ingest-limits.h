/*
 * Limits every ingest path applies (line protocol here, remote-write and
 * any other path that stores points): a point's time against
 * limits.future and the raw retention, and the new-series quotas
 * limits.max_new_series_per_request and limits.max_new_series_per_minute
 * (per writer: a token name or "uid:USER").
 */
#ifndef CB_HUB_INGEST_LIMITS_H
#define CB_HUB_INGEST_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct hub_config;
struct hub_ingest_quota;

/*
 * Is a point at t (ms) acceptable at now?  NULL if so, else the reason
 * (caller frees): more than limits.future ahead ("... in the future ..."),
 * older than retention.raw, or at the epoch.  raw is the timestamp as
 * written and mul/div its precision (hub_ingest_precision); when raw read
 * in another precision would be acceptable, the reason suggests it.
 */
char *hub_ingest_time_check(const struct hub_config *c, int64_t now, int64_t t,
    int64_t raw, int64_t mul, int64_t div);

/* Per-writer counts of new series in the current minute (caller frees). */
struct hub_ingest_quota *hub_ingest_quota_new(void);
void hub_ingest_quota_free(struct hub_ingest_quota *q);

/*
 * May writer source create one more series at now, having created
 * in_request series in this request already?  NULL if yes (and the series
 * is counted against the writer's minute), else the reason (static).
 */
const char *hub_ingest_quota_take(struct hub_ingest_quota *q,
    const struct hub_config *c, const char *source, int64_t now,
    size_t in_request);

#endif
