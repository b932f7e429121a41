/* Point times and new-series quotas shared by every ingest path. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/ingest-limits.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"

#define QUOTA_MINUTE_MS      60000
#define LIMITS_YEAR_10000_MS 253402300800000LL

struct quota_writer {
	char *source;
	int64_t minute; /* now / 60 s when counted */
	long long created;
};

struct hub_ingest_quota {
	struct quota_writer *w;
	size_t n;
	char reason[200];
};

/* A timestamp precision: raw * mul / div is ms. */
struct limits_precision {
	const char *name;
	int64_t mul, div;
};

static const struct limits_precision limits_precisions[] = {
    {.name = "s", .mul = 1000, .div = 1},
    {.name = "ms", .mul = 1, .div = 1},
    {.name = "us", .mul = 1, .div = 1000},
    {.name = "ns", .mul = 1, .div = 1000000},
};

/* A duration in its largest whole unit ("15d", "2h", "10m", "30s"). */
static void
limits_duration(int64_t ms, char *out, size_t len)
{
	static const struct {
		int64_t ms;
		const char *unit;
	} units[] = {
	    {86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
	size_t i;

	for (i = 0; i < sizeof units / sizeof *units; i++) {
		if (ms >= units[i].ms ||
		    i + 1 == sizeof units / sizeof *units) {
			snprintf(out, len, "%" PRId64 "%s", ms / units[i].ms,
			    units[i].unit);
			return;
		}
	}
}

/* The name of another precision in which raw lands in [lo, hi], or
 * NULL. */
static const char *
limits_precision_suggest(
    int64_t raw, int64_t mul, int64_t div, int64_t lo, int64_t hi)
{
	const struct limits_precision *p;
	size_t i;
	int64_t t;

	for (i = 0; i < sizeof limits_precisions / sizeof *limits_precisions;
	     i++) {
		p = &limits_precisions[i];
		if (p->mul == mul && p->div == div)
			continue;
		if (raw < 0 || raw > INT64_MAX / p->mul)
			continue;
		t = raw * p->mul / p->div;
		if (t >= lo && t <= hi)
			return p->name;
	}
	return NULL;
}

char *
hub_ingest_time_check(const struct hub_config *c, int64_t now, int64_t t,
    int64_t raw, int64_t mul, int64_t div)
{
	int64_t lo, hi;
	const char *alt;
	char when[40], d[32], lim[32], hint[64];

	hi = now > INT64_MAX - c->future_ms ? INT64_MAX : now + c->future_ms;
	lo = c->retention_raw_ms > 0 && now > c->retention_raw_ms
	         ? now - c->retention_raw_ms
	         : 1;
	if (t >= lo && t <= hi)
		return NULL;
	alt = limits_precision_suggest(raw, mul, div, lo, hi);
	if (alt != NULL)
		snprintf(hint, sizeof hint, "; is precision=%s meant?", alt);
	else
		hint[0] = '\0';
	if (t < LIMITS_YEAR_10000_MS)
		clock_format_iso(t, when, sizeof when);
	else
		snprintf(when, sizeof when, "%" PRId64 " ms", t);
	if (t > hi) {
		limits_duration(t - now, d, sizeof d);
		limits_duration(c->future_ms, lim, sizeof lim);
		return xasprintf("timestamp %s is %s in the future (more than "
		                 "limits.future %s)%s",
		    when, d, lim, hint);
	}
	if (t == 0)
		return xasprintf("timestamp 0 (1970-01-01) is refused%s", hint);
	limits_duration(c->retention_raw_ms, lim, sizeof lim);
	return xasprintf("timestamp %s is older than the raw retention "
	                 "(retention.raw %s)%s",
	    when, lim, hint);
}

struct hub_ingest_quota *
hub_ingest_quota_new(void)
{
	return xcalloc(1, sizeof(struct hub_ingest_quota));
}

void
hub_ingest_quota_free(struct hub_ingest_quota *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++)
		free(q->w[i].source);
	free(q->w);
	free(q);
}

/* The writer record of source (created on first use). */
static struct quota_writer *
quota_writer_get(struct hub_ingest_quota *q, const char *source)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (strcmp(q->w[i].source, source) == 0)
			return &q->w[i];
	}
	q->w = xreallocarray(q->w, q->n + 1, sizeof *q->w);
	memset(&q->w[q->n], 0, sizeof *q->w);
	q->w[q->n].source = xstrdup(source);
	return &q->w[q->n++];
}

const char *
hub_ingest_quota_take(struct hub_ingest_quota *q, const struct hub_config *c,
    const char *source, int64_t now, size_t in_request)
{
	struct quota_writer *w;
	int64_t minute = now / QUOTA_MINUTE_MS;

	if ((long long)in_request >= c->max_new_series_per_request) {
		snprintf(q->reason, sizeof q->reason,
		    "more than %lld new series in one request "
		    "(limits.max_new_series_per_request)",
		    c->max_new_series_per_request);
		return q->reason;
	}
	w = quota_writer_get(q, source != NULL ? source : "");
	if (w->minute != minute) {
		w->minute = minute;
		w->created = 0;
	}
	if (w->created >= c->max_new_series_per_minute) {
		snprintf(q->reason, sizeof q->reason,
		    "more than %lld new series this minute from %s "
		    "(limits.max_new_series_per_minute)",
		    c->max_new_series_per_minute, w->source);
		return q->reason;
	}
	w->created++;
	return NULL;
}
