/*
 * Webhook notifications: each delivery is a JSON POST to a department's
 * (or the supervisors') URL, made with libcurl's multi interface driven by
 * the hub's libevent loop, so the loop never blocks.  A delivery that
 * fails (no connection, timeout, a non-2xx answer) is retried with
 * exponential backoff up to a number of attempts.  Every delivery and
 * each of its attempts is recorded in the kv ("delivery/<seq>"), so the
 * record survives restarts and pending deliveries resume.
 */
#ifndef CB_HUB_ALERT_NOTIFY_H
#define CB_HUB_ALERT_NOTIFY_H

#include <stdint.h>

#include <jansson.h>

struct alert_kv;
struct alert_notify;
struct event_base;

/* Called when a delivery is finished (delivered, or failed for good);
 * rec is the delivery record, borrowed for the call. */
typedef void (*alert_notify_done_fn)(void *arg, json_t *rec);

/* base may be NULL: deliveries are recorded but never sent. */
struct alert_notify *alert_notify_create(struct event_base *base,
    struct alert_kv *kv, int64_t (*clock)(void *), void *clock_arg,
    char **cause);
void alert_notify_free(struct alert_notify *n);

/* attempts = 1 + retries; the n-th retry waits backoff * 2^(n-1) (at most
 * 10 min); timeout is per attempt. */
void alert_notify_configure(struct alert_notify *n, int retries,
    int64_t backoff_ms, int64_t timeout_ms);
void alert_notify_on_done(
    struct alert_notify *n, alert_notify_done_fn fn, void *arg);

/* Queue a POST of body (stolen) to url about alert_id (may be NULL);
 * kind and dept are recorded.  Writes the id ("D000001") into id_out
 * (16 bytes) if not NULL. */
void alert_notify_send(struct alert_notify *n, const char *url,
    const char *alert_id, const char *kind, const char *dept, json_t *body,
    char *id_out);
/* Start the attempts that are due at the clock's now. */
void alert_notify_kick(struct alert_notify *n);

/* Delivery records (new reference, oldest first), of alert_id only when
 * not NULL and only those keep(record, arg) keeps when keep is not NULL;
 * at most limit (newest). */
json_t *alert_notify_list(struct alert_notify *n, const char *alert_id,
    size_t limit, int (*keep)(const json_t *, void *), void *arg);
/* Deliveries not finished yet (pending or in flight). */
size_t alert_notify_pending(const struct alert_notify *n);

#endif
