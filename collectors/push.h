/*
 * Push: deliver records (line-protocol batches, events) to the hub.
 *
 * Two lanes share the hub: the live lane sends new records straight from
 * memory; the backlog lane replays the spool oldest first.  Both run at
 * once, so a backlog never starves new data.  A 5xx or network failure
 * marks the hub down: the failed record and everything after it go to the
 * spool, and the backlog lane retries with the next URL, then with
 * exponential backoff and jitter.  A 4xx is not retried: it is logged and
 * counted, and the record dropped.
 */
#ifndef CB_COLLECTOR_PUSH_H
#define CB_COLLECTOR_PUSH_H

#include <stddef.h>
#include <stdint.h>

struct collector;
struct push;

struct push *push_create(struct collector *c);
/* Put everything not yet delivered into the spool and free. */
void push_free(struct push *p);
/* Deliver a record; data (len bytes, malloc'd) is taken over. */
void push_submit(
    struct push *p, int kind, char *data, size_t len, uint32_t npoints);
/* After a reload: the hub URLs (tried from the first again), the fsync
 * interval and everything read at each send come from c->conf. */
void push_reconfigure(struct push *p);
/* Nothing queued in memory and nothing in flight. */
int push_idle(const struct push *p);
/* Whether the last exchange with the hub succeeded. */
int push_hub_up(const struct push *p);

#endif
