/*
 * Example citybrain collector plugin: a water-level station simulator.
 * It shows everything a plugin does: the one exported entry point, the
 * JSON configuration, per-instance state, points with tags, events, log
 * messages and a clean shutdown.  Copy this directory to start your own
 * (see README.md beside this file and citybrain-plugin(7)).
 *
 * Configuration (the instance's "config" object):
 *   {"stations": ["FT-WL-01", "FT-WL-02"], "alarm_m": 4.5, "fail": false}
 */
#include <citybrain/plugin.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STATIONS 16

/* The collector's function table, kept from load time. */
static const struct cb_host_api *api;

struct station {
	char name[64];
	int alarm; /* an event is firing for it */
};

struct example {
	struct station stations[MAX_STATIONS];
	int nstations;
	double alarm_m;
	int fail; /* simulate a broken source */
	unsigned long tick;
};

/* A tiny reader for the flat config above: no JSON library needed for
 * this example (a real plugin may link jansson or any parser it likes). */
static void
example_parse(struct example *ex, const char *json)
{
	const char *p, *q;

	ex->alarm_m = 4.5;
	if ((p = strstr(json, "\"alarm_m\"")) != NULL &&
	    (p = strchr(p, ':')) != NULL)
		ex->alarm_m = strtod(p + 1, NULL);
	ex->fail = strstr(json, "\"fail\":true") != NULL;
	if ((p = strstr(json, "\"stations\"")) == NULL ||
	    (p = strchr(p, '[')) == NULL)
		return;
	for (p++; *p != ']' && *p != '\0' && ex->nstations < MAX_STATIONS;
	     p++) {
		if (*p != '"')
			continue;
		q = strchr(p + 1, '"');
		if (q == NULL)
			break;
		snprintf(ex->stations[ex->nstations].name,
		    sizeof ex->stations[0].name, "%.*s", (int)(q - p - 1),
		    p + 1);
		ex->nstations++;
		p = q;
	}
}

static int
example_init(cb_ctx *ctx, const char *config_json)
{
	struct example *ex = calloc(1, sizeof *ex);

	if (ex == NULL)
		return -1;
	example_parse(ex, config_json);
	if (ex->nstations == 0) {
		strcpy(ex->stations[0].name, "FT-WL-01");
		ex->nstations = 1;
	}
	api->set_data(ctx, ex);
	api->log(ctx, CB_LOG_INFO, "simulating %d station(s), alarm at %.2f m",
	    ex->nstations, ex->alarm_m);
	return 0;
}

static int
example_collect(cb_ctx *ctx)
{
	struct example *ex = api->get_data(ctx);
	int i;

	if (ex->fail) {
		api->log(ctx, CB_LOG_WARN, "station gateway not answering");
		return -1; /* the collector counts it and backs off */
	}
	ex->tick++;
	for (i = 0; i < ex->nstations; i++) {
		struct station *st = &ex->stations[i];
		struct cb_tag tags[] = {{"station", st->name}};
		struct cb_point pt = {.size = sizeof pt};
		double level = 3.0 + 2.0 * sin((double)(ex->tick + i) / 5);

		pt.measurement = "water";
		pt.field = "level_m";
		pt.value = level;
		pt.tags = tags;
		pt.ntags = 1;
		api->emit_point(ctx, &pt);
		api->emit_value(ctx, "water_station_up", tags, 1, 1);

		if ((level >= ex->alarm_m) != st->alarm) {
			struct cb_event ev = {.size = sizeof ev};
			char msg[128];

			st->alarm = !st->alarm;
			snprintf(msg, sizeof msg, "water level %.2f m at %s",
			    level, st->name);
			ev.key = st->name;
			ev.state = st->alarm ? "firing" : "resolved";
			ev.severity = "high";
			ev.message = msg;
			ev.labels = tags;
			ev.nlabels = 1;
			ev.value = level;
			api->emit_event(ctx, &ev);
		}
	}
	return 0;
}

static void
example_shutdown(cb_ctx *ctx)
{
	free(api->get_data(ctx));
	api->set_data(ctx, NULL);
}

static const struct cb_plugin_info example_info = {
    .abi_version = CB_PLUGIN_ABI_VERSION,
    .size = sizeof(struct cb_plugin_info),
    .name = "example",
    .version = "1.0",
    .description = "water-level station simulator (example plugin)",
    .init = example_init,
    .collect = example_collect,
    .shutdown = example_shutdown,
};

CB_PLUGIN_EXPORT const struct cb_plugin_info *
citybrain_plugin_entry(const struct cb_host_api *host)
{
	/* Refuse an older collector that lacks what we call. */
	if (host->abi_version < 1 ||
	    !CB_HAS_MEMBER(host->size, struct cb_host_api, get_data))
		return NULL;
	api = host;
	return &example_info;
}
