/* Live-data status: freshness, headline values, collectors, rates. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/status.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"
#include "store/store.h"

const char *
hub_reject_name(enum hub_reject r)
{
	static const char *const names[] = {
	    [HUB_REJECT_SYNTAX] = "syntax",
	    [HUB_REJECT_NAME] = "invalid name",
	    [HUB_REJECT_NO_NUMBER] = "no numeric field",
	    [HUB_REJECT_UNKNOWN_GRID] = "unknown grid",
	    [HUB_REJECT_UNKNOWN_COMMUNITY] = "unknown community",
	    [HUB_REJECT_SCOPE] = "write scope",
	    [HUB_REJECT_TIME] = "time out of range",
	    [HUB_REJECT_LATE] = "late",
	    [HUB_REJECT_LIMIT] = "too many lines",
	    [HUB_REJECT_UNKNOWN_SUBDISTRICT] = "unknown subdistrict",
	    [HUB_REJECT_PLACE] = "place mismatch",
	    [HUB_REJECT_FIELDS] = "too many fields",
	    [HUB_REJECT_SERIES] = "new series limit",
	};

	return names[r];
}

struct hub_status *
hub_status_new(const struct hub_territory *t, const struct hub_systems *s,
    const struct hub_config *c)
{
	struct hub_status *st = xcalloc(1, sizeof *st);
	size_t i;

	st->nnodes = t->nnodes;
	st->nheadline = c->nheadline;
	st->nsystems = s->nsystems;
	st->node_last_ms = xcalloc(st->nnodes, sizeof *st->node_last_ms);
	st->node_values =
	    xcalloc(st->nnodes * st->nheadline + 1, sizeof *st->node_values);
	for (i = 0; i < st->nnodes; i++)
		st->node_last_ms[i] = -1;
	for (i = 0; i < st->nnodes * st->nheadline; i++)
		st->node_values[i] = NAN;
	st->sys_last_ms = xcalloc(st->nsystems + 1, sizeof *st->sys_last_ms);
	st->sys_last_t = xcalloc(st->nsystems + 1, sizeof *st->sys_last_t);
	st->sys_learnt_ms =
	    xcalloc(st->nsystems + 1, sizeof *st->sys_learnt_ms);
	st->sys_up = xcalloc(st->nsystems + 1, sizeof *st->sys_up);
	st->sys_latency = xcalloc(st->nsystems + 1, sizeof *st->sys_latency);
	for (i = 0; i < st->nsystems; i++) {
		st->sys_last_ms[i] = -1;
		st->sys_last_t[i] = -1;
		st->sys_up[i] = NAN;
		st->sys_latency[i] = NAN;
	}
	return st;
}

void
hub_status_free(struct hub_status *st)
{
	size_t i;

	if (st == NULL)
		return;
	free(st->node_last_ms);
	free(st->node_values);
	free(st->sys_last_ms);
	free(st->sys_last_t);
	free(st->sys_learnt_ms);
	free(st->sys_up);
	free(st->sys_latency);
	for (i = 0; i < st->ncollectors; i++)
		free(st->collectors[i].name);
	free(st->collectors);
	for (i = 0; i < st->nrejected_by; i++)
		free(st->rejected_by[i].source);
	free(st->rejected_by);
	free(st);
}

struct hub_status *
hub_status_remap(const struct hub_status *old, const struct hub_territory *ot,
    const struct hub_systems *os, const struct hub_config *oc,
    const struct hub_territory *t, const struct hub_systems *s,
    const struct hub_config *c)
{
	struct hub_status *st = hub_status_new(t, s, c);
	size_t i, h, oh;
	int j;

	for (i = 0; i < t->nnodes; i++) {
		j = hub_territory_find(
		    ot, t->nodes[i].code, strlen(t->nodes[i].code));
		if (j < 0)
			continue;
		st->node_last_ms[i] = old->node_last_ms[j];
		for (h = 0; h < c->nheadline; h++) {
			for (oh = 0; oh < oc->nheadline; oh++) {
				if (strcmp(c->headline[h].metric,
				        oc->headline[oh].metric) == 0)
					st->node_values[i * st->nheadline + h] =
					    old->node_values
					        [(size_t)j * old->nheadline +
					            oh];
			}
		}
	}
	for (i = 0; i < s->nsystems; i++) {
		j = hub_systems_find(
		    os, s->systems[i].id, strlen(s->systems[i].id));
		if (j < 0)
			continue;
		st->sys_last_ms[i] = old->sys_last_ms[j];
		st->sys_last_t[i] = old->sys_last_t[j];
		st->sys_learnt_ms[i] = old->sys_learnt_ms[j];
		st->sys_up[i] = old->sys_up[j];
		st->sys_latency[i] = old->sys_latency[j];
	}
	for (i = 0; i < old->ncollectors; i++) {
		struct hub_collector *col =
		    hub_status_collector(st, old->collectors[i].name);
		char *name = col->name;

		*col = old->collectors[i];
		col->name = name;
	}
	memcpy(st->rejected, old->rejected, sizeof st->rejected);
	for (i = 0; i < old->nrejected_by; i++)
		hub_status_reject(st, HUB_REJECT_MAX,
		    old->rejected_by[i].source, old->rejected_by[i].n);
	st->unknown_system_lines = old->unknown_system_lines;
	st->duplicates = old->duplicates;
	st->late = old->late;
	st->late_rejected = old->late_rejected;
	st->last_ingest_ms = old->last_ingest_ms;
	memcpy(st->rate_sec, old->rate_sec, sizeof st->rate_sec);
	memcpy(st->rate_points, old->rate_points, sizeof st->rate_points);
	memcpy(st->rate_lines, old->rate_lines, sizeof st->rate_lines);
	memcpy(st->rate_rejected, old->rate_rejected, sizeof st->rate_rejected);
	return st;
}

void
hub_status_touch_node(struct hub_status *st, int node, int64_t now)
{
	if (node >= 0 && st->node_last_ms[node] < now)
		st->node_last_ms[node] = now;
}

void
hub_status_touch_system(struct hub_status *st, int sys, int64_t now, int64_t t)
{
	int64_t gap;

	if (sys < 0)
		return;
	if (st->sys_last_ms[sys] < now)
		st->sys_last_ms[sys] = now;
	if (t > st->sys_last_t[sys]) {
		gap = st->sys_last_t[sys] >= 0 ? t - st->sys_last_t[sys] : 0;
		if (gap >= 1000 && gap < 86400000) {
			if (st->sys_learnt_ms[sys] == 0)
				st->sys_learnt_ms[sys] = gap;
			else
				st->sys_learnt_ms[sys] =
				    (st->sys_learnt_ms[sys] * 4 + gap) / 5;
		}
		st->sys_last_t[sys] = t;
	}
}

struct hub_collector *
hub_status_collector(struct hub_status *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->ncollectors; i++) {
		if (strcmp(st->collectors[i].name, name) == 0)
			return &st->collectors[i];
	}
	st->collectors = xreallocarray(
	    st->collectors, st->ncollectors + 1, sizeof *st->collectors);
	memset(&st->collectors[st->ncollectors], 0, sizeof *st->collectors);
	st->collectors[st->ncollectors].name = xstrdup(name);
	st->collectors[st->ncollectors].last_ms = -1;
	return &st->collectors[st->ncollectors++];
}

void
hub_status_reject(
    struct hub_status *st, enum hub_reject r, const char *source, uint64_t n)
{
	size_t i;

	if (r < HUB_REJECT_MAX)
		st->rejected[r] += n;
	for (i = 0; i < st->nrejected_by; i++) {
		if (strcmp(st->rejected_by[i].source, source) == 0)
			break;
	}
	if (i == st->nrejected_by) {
		if (st->nrejected_by >= 1000)
			return; /* bounded: sources are configured names */
		st->rejected_by = xreallocarray(st->rejected_by,
		    st->nrejected_by + 1, sizeof *st->rejected_by);
		st->rejected_by[i].source = xstrdup(source);
		st->rejected_by[i].n = 0;
		st->nrejected_by++;
	}
	st->rejected_by[i].n += n;
}

void
hub_status_rate_add(struct hub_status *st, int64_t now, uint64_t points,
    uint64_t lines, uint64_t rejected)
{
	int64_t sec = now / 1000;
	size_t slot = (size_t)(sec % HUB_RATE_SLOTS);

	if (st->rate_sec[slot] != sec) {
		st->rate_sec[slot] = sec;
		st->rate_points[slot] = st->rate_lines[slot] =
		    st->rate_rejected[slot] = 0;
	}
	st->rate_points[slot] += points;
	st->rate_lines[slot] += lines;
	st->rate_rejected[slot] += rejected;
	st->last_ingest_ms = now;
}

void
hub_status_rates(const struct hub_status *st, int64_t now, double *points,
    double *lines, double *rejected)
{
	int64_t sec = now / 1000;
	uint64_t p = 0, l = 0, r = 0;
	size_t i;

	/* The current second is incomplete: use the HUB_RATE_SLOTS - 1
	 * complete seconds before it. */
	for (i = 0; i < HUB_RATE_SLOTS; i++) {
		if (st->rate_sec[i] < sec &&
		    st->rate_sec[i] >= sec - (HUB_RATE_SLOTS - 1)) {
			p += st->rate_points[i];
			l += st->rate_lines[i];
			r += st->rate_rejected[i];
		}
	}
	*points = (double)p / (HUB_RATE_SLOTS - 1);
	*lines = (double)l / (HUB_RATE_SLOTS - 1);
	*rejected = (double)r / (HUB_RATE_SLOTS - 1);
}

int64_t
hub_status_interval(const struct hub *h, size_t i, const char **source)
{
	const struct hub_system *sys = &h->systems->systems[i];

	if (sys->interval_ms > 0) {
		*source = "configured";
		return sys->interval_ms;
	}
	if (h->status->sys_learnt_ms[i] > 0) {
		*source = "learnt";
		return h->status->sys_learnt_ms[i];
	}
	*source = "default";
	return 60000;
}

int
hub_status_rebuild(struct hub *h, char **cause)
{
	struct store_series_list l;
	struct hub_status *st = h->status;
	struct serieskey sk;
	const char *grid, *comm, *sys;
	size_t i, k;
	int64_t when;
	int node, si;

	if (store_series_list(h->store, NULL, &l, cause) != 0)
		return -1;
	for (i = 0; i < l.n; i++) {
		const struct store_series_info *info = &l.series[i];

		if (info->last_t < 0)
			continue;
		if (serieskey_parse(info->key, strlen(info->key), &sk, NULL) !=
		    0)
			continue;
		when = info->last_write_ms >= 0 ? info->last_write_ms
		                                : info->last_t;
		node = -1;
		if ((grid = serieskey_get(&sk, "grid")) != NULL)
			node = hub_territory_find(
			    h->territory, grid, strlen(grid));
		else if ((comm = serieskey_get(&sk, "community")) != NULL)
			node = hub_territory_find(
			    h->territory, comm, strlen(comm));
		hub_status_touch_node(st, node, when);
		if (node >= 0) {
			for (k = 0; k < st->nheadline; k++) {
				if (strcmp(sk.metric,
				        h->config->headline[k].metric) == 0)
					st->node_values[(size_t)node *
					                    st->nheadline +
					                k] = info->last_v;
			}
		}
		si = -1;
		if ((sys = serieskey_get(&sk, "system")) != NULL)
			si = hub_systems_find(h->systems, sys, strlen(sys));
		if (si >= 0) {
			if (st->sys_last_ms[si] < when)
				st->sys_last_ms[si] = when;
			if (st->sys_last_t[si] < info->last_t)
				st->sys_last_t[si] = info->last_t;
			if (strcmp(sk.metric, "system_up") == 0)
				st->sys_up[si] = info->last_v;
			else if (strcmp(sk.metric, "system_latency_ms") == 0)
				st->sys_latency[si] = info->last_v;
		}
		serieskey_free(&sk);
	}
	store_series_list_free(&l);
	return 0;
}

const char *
hub_status_system_state(const struct hub *h, size_t i, int64_t now)
{
	const struct hub_status *st = h->status;
	const char *src;
	int64_t iv = hub_status_interval(h, i, &src);

	if (st->sys_last_ms[i] < 0)
		return "unknown";
	if (now - st->sys_last_ms[i] > 3 * iv)
		return "stale";
	if (!isnan(st->sys_up[i]) && st->sys_up[i] == 0)
		return "down";
	return "up";
}
