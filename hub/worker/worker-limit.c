/* Guessing enrolment codes: failed sign-ins are counted per peer address
 * and for all peers together (a guess is a guess against every pending
 * code) in a window that starts at the first failure; over either bound
 * every sign-in, a right code included, is answered 429 with
 * Retry-After until the window ends. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/worker/worker-int.h"
#include "lib/xmalloc.h"

/* Peers remembered at once; when full, the one whose window started
 * first is forgotten (the count of all peers still holds). */
#define LIMIT_PEERS 1024

struct worker_limit_count {
	char addr[64]; /* peer address without the port; "" for all */
	int64_t start_ms;
	long long failures;
	int reported; /* the 429 of this window was audited */
};

struct worker_limit {
	struct worker_limit_count all;
	struct worker_limit_count peers[LIMIT_PEERS];
	size_t npeers;
};

void
worker_limit_free(struct worker_limit *l)
{
	free(l);
}

/* The address of a peer "IP:PORT" or "[IPv6]:PORT" ("unix" as it is). */
static void
limit_addr(const char *peer, char *out, size_t len)
{
	const char *colon = strrchr(peer, ':');
	size_t n = colon != NULL ? (size_t)(colon - peer) : strlen(peer);

	if (n >= len)
		n = len - 1;
	memcpy(out, peer, n);
	out[n] = '\0';
}

/* peer's count (a new one when create, else NULL if none). */
static struct worker_limit_count *
limit_peer(struct worker_limit *l, const char *peer, int create)
{
	struct worker_limit_count *c, *oldest = NULL;
	char addr[64];
	size_t i;

	limit_addr(peer, addr, sizeof addr);
	for (i = 0; i < l->npeers; i++) {
		if (strcmp(l->peers[i].addr, addr) == 0)
			return &l->peers[i];
		if (oldest == NULL || l->peers[i].start_ms < oldest->start_ms)
			oldest = &l->peers[i];
	}
	if (!create)
		return NULL;
	c = l->npeers < LIMIT_PEERS ? &l->peers[l->npeers++] : oldest;
	memset(c, 0, sizeof *c);
	snprintf(c->addr, sizeof c->addr, "%s", addr);
	return c;
}

/* ms until c's window ends if c is over max failures, else 0 (an ended
 * window starts again). */
static int64_t
limit_wait(
    struct worker_limit_count *c, long long max, int64_t window, int64_t now)
{
	if (c == NULL)
		return 0;
	if (now >= c->start_ms + window) {
		c->failures = 0;
		c->reported = 0;
		return 0;
	}
	return c->failures >= max ? c->start_ms + window - now : 0;
}

int64_t
worker_limit_check(struct hub_workers *r, const struct hub_config *cf,
    const char *peer, int64_t now, int *report)
{
	struct worker_limit *l = r->limit;
	struct worker_limit_count *p, *which;
	int64_t wp, wa;

	*report = 0;
	if (l == NULL)
		return 0;
	p = limit_peer(l, peer, 0);
	wp = limit_wait(
	    p, cf->worker_signin_peer, cf->worker_signin_window_ms, now);
	wa = limit_wait(
	    &l->all, cf->worker_signin_all, cf->worker_signin_window_ms, now);
	if (wp == 0 && wa == 0)
		return 0;
	which = wp >= wa ? p : &l->all;
	if (!which->reported)
		*report = which->reported = 1;
	return wp > wa ? wp : wa;
}

void
worker_limit_fail(struct hub_workers *r, const struct hub_config *cf,
    const char *peer, int64_t now)
{
	struct worker_limit_count *c[2];
	size_t i;

	if (r->limit == NULL)
		r->limit = xcalloc(1, sizeof *r->limit);
	c[0] = limit_peer(r->limit, peer, 1);
	c[1] = &r->limit->all;
	for (i = 0; i < 2; i++) {
		if (c[i]->failures == 0 ||
		    now >= c[i]->start_ms + cf->worker_signin_window_ms) {
			c[i]->start_ms = now;
			c[i]->failures = 0;
			c[i]->reported = 0;
		}
		c[i]->failures++;
	}
}
