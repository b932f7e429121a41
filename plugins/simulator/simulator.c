/*
 * The Futian demo simulator as a citybrain collector plugin: a thin
 * adapter from the public plugin ABI (<citybrain/plugin.h>) to the model
 * in sim.h.  It is also the showcase plugin: per-instance state through
 * set_data/get_data, configuration as JSON, points with explicit times
 * (the backfill) and events (fire alarms).
 */
#include "config.h"

#include <citybrain/plugin.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/simulator/sim.h"

_Static_assert(
    sizeof(struct sim_tag) == sizeof(struct cb_tag) &&
        offsetof(struct sim_tag, value) == offsetof(struct cb_tag, value),
    "struct sim_tag must match struct cb_tag");

static const struct cb_host_api *api;

static void
simulator_point(void *arg, const char *measurement, const char *field,
    const struct sim_tag *tags, size_t ntags, double value, int64_t t_ms)
{
	struct cb_point pt;

	memset(&pt, 0, sizeof pt);
	pt.size = sizeof pt;
	pt.measurement = measurement;
	pt.field = field;
	pt.value = value;
	pt.tags = (const struct cb_tag *)tags; /* same layout */
	pt.ntags = ntags;
	pt.time_ms = t_ms;
	api->emit_point(arg, &pt);
}

static void
simulator_event(void *arg, const char *key, const char *state,
    const char *severity, const char *rule, const char *dept,
    const char *message, const char *message_en, const struct sim_tag *labels,
    size_t nlabels, double value)
{
	struct cb_event ev;

	memset(&ev, 0, sizeof ev);
	ev.size = sizeof ev;
	ev.key = key;
	ev.state = state;
	ev.severity = severity;
	ev.message = message;
	ev.message_en = message_en;
	ev.labels = (const struct cb_tag *)labels; /* same layout */
	ev.nlabels = nlabels;
	ev.value = value;
	ev.rule = rule;
	ev.dept = dept;
	api->emit_event(arg, &ev);
}

static void
simulator_case(void *arg, const char *category, const char *grid,
    const char *text, const char *ref)
{
	struct cb_case kc;

	memset(&kc, 0, sizeof kc);
	kc.size = sizeof kc;
	kc.category = category;
	kc.grid = grid;
	kc.text = text;
	kc.source = "hotline";
	kc.ref = ref;
	api->emit_case(arg, &kc);
}

static void
simulator_log(void *arg, int level, const char *msg)
{
	api->log(arg, level, "%s", msg);
}

static int
simulator_init(cb_ctx *ctx, const char *config_json)
{
	struct sim *s;
	char *cause = NULL;

	if ((s = sim_new(config_json, &cause)) == NULL) {
		api->log(ctx, CB_LOG_ERROR, "%s", cause);
		free(cause);
		return -1;
	}
	api->set_data(ctx, s);
	return 0;
}

static int
simulator_collect(cb_ctx *ctx)
{
	struct sim *s = api->get_data(ctx);
	struct sim_out out = {
	    .arg = ctx,
	    .point = simulator_point,
	    .event = simulator_event,
	    .kase = CB_HAS_MEMBER(api->size, struct cb_host_api, emit_case)
	                ? simulator_case
	                : NULL,
	    .log = simulator_log,
	};

	if (s == NULL)
		return -1;
	sim_run(s, api->now_ms(ctx), &out);
	return 0;
}

static void
simulator_shutdown(cb_ctx *ctx)
{
	sim_free(api->get_data(ctx));
	api->set_data(ctx, NULL);
}

static const struct cb_plugin_info simulator_info = {
    .abi_version = CB_PLUGIN_ABI_VERSION,
    .size = sizeof(struct cb_plugin_info),
    .name = "simulator",
    .version = PACKAGE_VERSION,
    .description = "Futian demo: a living district with daily cycles and "
                   "scenarios (rainstorm, fire, hotline surge with its "
                   "cases, outage)",
    .init = simulator_init,
    .collect = simulator_collect,
    .shutdown = simulator_shutdown,
};

CB_PLUGIN_EXPORT const struct cb_plugin_info *
citybrain_plugin_entry(const struct cb_host_api *host)
{
	if (host == NULL || host->abi_version < 1 ||
	    !CB_HAS_MEMBER(host->size, struct cb_host_api, get_data))
		return NULL;
	api = host;
	return &simulator_info;
}
