/*
 * plugin input: C plugins loaded with dlopen through the versioned ABI of
 * plugins/include/citybrain/plugin.h.
 */
#include "config.h"

#include <citybrain/plugin.h>
#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

struct plugin_conf {
	struct input_conf base;
	char *path;
	json_t *config; /* borrowed */
};

struct cb_ctx {
	struct input *in;
	void *dl;
	const struct cb_plugin_info *info;
	uint32_t info_size;
	char *config_json;
	void *data;
	int inited;
};

static const struct conf_field plugin_fields[] = {
    {.key = "path",
        .type = CONF_STRING,
        .required = 1,
        .offset = offsetof(struct plugin_conf, path)},
    {.key = "config",
        .type = CONF_OBJECT,
        .offset = offsetof(struct plugin_conf, config)},
    {.key = NULL},
};

static int
plugin_has_tag(struct input *in, const char *key)
{
	size_t i;

	for (i = 0; i < in->ntags; i++)
		if (strcmp(in->tags[i].key, key) == 0)
			return 1;
	return 0;
}

static int
plugin_emit_point(cb_ctx *ctx, const struct cb_point *pt)
{
	struct collector *c = ctx->in->c;
	struct lp_writer *w;
	size_t i;

	if (pt == NULL || !CB_HAS_MEMBER(pt->size, struct cb_point, time_ms) ||
	    pt->measurement == NULL || pt->measurement[0] == '\0' ||
	    !isfinite(pt->value) || (pt->ntags > 0 && pt->tags == NULL)) {
		c->st.points_dropped++;
		return -1;
	}
	w = collector_line_begin(c, ctx->in, pt->measurement);
	for (i = 0; i < pt->ntags; i++) {
		if (pt->tags[i].key == NULL || pt->tags[i].value == NULL ||
		    plugin_has_tag(ctx->in, pt->tags[i].key))
			continue;
		lp_writer_tag(w, pt->tags[i].key, pt->tags[i].value);
	}
	lp_writer_float(w, pt->field != NULL ? pt->field : "value", pt->value);
	collector_line_end(c, pt->time_ms != 0 ? pt->time_ms : clock_wall_ms());
	return 0;
}

static int
plugin_emit_value(cb_ctx *ctx, const char *measurement,
    const struct cb_tag *tags, size_t ntags, double value)
{
	struct cb_point pt;

	memset(&pt, 0, sizeof pt);
	pt.size = sizeof pt;
	pt.measurement = measurement;
	pt.tags = tags;
	pt.ntags = ntags;
	pt.value = value;
	return plugin_emit_point(ctx, &pt);
}

static int
plugin_emit_event(cb_ctx *ctx, const struct cb_event *ev)
{
	struct input *in = ctx->in;
	json_t *j, *labels;
	size_t i;

	if (ev == NULL || !CB_HAS_MEMBER(ev->size, struct cb_event, value) ||
	    ev->key == NULL || ev->key[0] == '\0')
		return -1;
	j = json_object();
	labels = json_object();
	for (i = 0; i < in->ntags; i++)
		json_object_set_new(
		    labels, in->tags[i].key, json_string(in->tags[i].value));
	for (i = 0; i < ev->nlabels && ev->labels != NULL; i++)
		if (ev->labels[i].key != NULL && ev->labels[i].value != NULL &&
		    !plugin_has_tag(in, ev->labels[i].key))
			json_object_set_new(labels, ev->labels[i].key,
			    json_string(ev->labels[i].value));
	json_object_set_new(
	    j, "key", json_sprintf("plugin/%s/%s", in->name, ev->key));
	json_object_set_new(
	    j, "state", json_string(ev->state != NULL ? ev->state : "firing"));
	if (ev->severity != NULL)
		json_object_set_new(j, "severity", json_string(ev->severity));
	if (ev->message != NULL)
		json_object_set_new(j, "message", json_string(ev->message));
	json_object_set_new(j, "labels", labels);
	if (isfinite(ev->value))
		json_object_set_new(j, "value", json_real(ev->value));
	if (CB_HAS_MEMBER(ev->size, struct cb_event, deadline)) {
		if (ev->rule != NULL)
			json_object_set_new(
			    labels, "rule", json_string(ev->rule));
		if (ev->dept != NULL)
			json_object_set_new(j, "dept", json_string(ev->dept));
		if (ev->deadline != NULL)
			json_object_set_new(
			    j, "deadline", json_string(ev->deadline));
	}
	if (CB_HAS_MEMBER(ev->size, struct cb_event, message_en) &&
	    ev->message_en != NULL)
		json_object_set_new(
		    j, "message_en", json_string(ev->message_en));
	collector_event(in->c, j);
	return 0;
}

static int
plugin_emit_case(cb_ctx *ctx, const struct cb_case *kc)
{
	json_t *j;

	if (kc == NULL || !CB_HAS_MEMBER(kc->size, struct cb_case, ref) ||
	    kc->text == NULL || (kc->grid == NULL && kc->address == NULL))
		return -1;
	j = json_pack("{s:s}", "text", kc->text);
	if (kc->category != NULL)
		json_object_set_new(j, "category", json_string(kc->category));
	if (kc->grid != NULL)
		json_object_set_new(j, "grid", json_string(kc->grid));
	if (kc->address != NULL)
		json_object_set_new(j, "address", json_string(kc->address));
	if (kc->source != NULL)
		json_object_set_new(j, "source", json_string(kc->source));
	if (kc->ref != NULL)
		json_object_set_new(
		    j, "ref", json_sprintf("%s/%s", ctx->in->name, kc->ref));
	collector_case(ctx->in->c, j);
	return 0;
}

static void
plugin_log(cb_ctx *ctx, int level, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (level < CB_LOG_ERROR)
		level = CB_LOG_ERROR;
	if (level > CB_LOG_DEBUG)
		level = CB_LOG_DEBUG;
	log_msg((enum log_level)level, "plugin", "%s: %s", ctx->in->name, msg);
}

static const char *
plugin_instance_name(cb_ctx *ctx)
{
	return ctx->in->name;
}

static int64_t
plugin_now_ms(cb_ctx *ctx)
{
	return clock_wall_ms();
}

static void
plugin_set_data(cb_ctx *ctx, void *data)
{
	ctx->data = data;
}

static void *
plugin_get_data(cb_ctx *ctx)
{
	return ctx->data;
}

static const struct cb_host_api plugin_host_api = {
    .abi_version = CB_PLUGIN_ABI_VERSION,
    .size = sizeof(struct cb_host_api),
    .host_version = PACKAGE_VERSION,
    .emit_point = plugin_emit_point,
    .emit_value = plugin_emit_value,
    .emit_event = plugin_emit_event,
    .log = plugin_log,
    .instance_name = plugin_instance_name,
    .now_ms = plugin_now_ms,
    .set_data = plugin_set_data,
    .get_data = plugin_get_data,
    .emit_case = plugin_emit_case,
};

static int
plugin_init(struct input *in, void *conf, char **cause)
{
	struct plugin_conf *pc = conf;
	const struct cb_plugin_info *info;
	cb_plugin_entry_fn entry;
	cb_ctx *ctx;
	char *path;
	void *dl;

	path = strchr(pc->path, '/') != NULL
	           ? xstrdup(pc->path)
	           : xasprintf("%s/%s", CB_PLUGINDIR, pc->path);
	if ((dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		*cause = xasprintf("cannot load plugin: %s", dlerror());
		free(path);
		return -1;
	}
	*(void **)&entry = dlsym(dl, CB_PLUGIN_ENTRY_NAME);
	if (entry == NULL) {
		*cause = xasprintf("%s: not a citybrain plugin (no %s symbol)",
		    path, CB_PLUGIN_ENTRY_NAME);
		goto fail;
	}
	if ((info = entry(&plugin_host_api)) == NULL) {
		*cause = xasprintf("%s: the plugin refused to load (see its "
		                   "log messages)",
		    path);
		goto fail;
	}
	if (info->abi_version > CB_PLUGIN_ABI_VERSION) {
		*cause = xasprintf("%s: plugin \"%s\" needs plugin ABI %u, but "
		                   "this citybrain-collector %s supports ABI "
		                   "%u at most; upgrade the collector or "
		                   "rebuild the plugin against this "
		                   "collector's <citybrain/plugin.h>",
		    path,
		    info->abi_version >= 1 &&
		            CB_HAS_MEMBER(
		                info->size, struct cb_plugin_info, name) &&
		            info->name != NULL
		        ? info->name
		        : "?",
		    info->abi_version, PACKAGE_VERSION, CB_PLUGIN_ABI_VERSION);
		goto fail;
	}
	if (info->abi_version == 0 ||
	    !CB_HAS_MEMBER(info->size, struct cb_plugin_info, shutdown) ||
	    info->collect == NULL) {
		*cause = xasprintf("%s: invalid plugin description (ABI %u, "
		                   "size %u, collect %s)",
		    path, info->abi_version, info->size,
		    info->collect != NULL ? "set" : "missing");
		goto fail;
	}
	ctx = xcalloc(1, sizeof *ctx);
	ctx->in = in;
	ctx->dl = dl;
	ctx->info = info;
	ctx->config_json = pc->config != NULL
	                       ? json_dumps(pc->config, JSON_COMPACT)
	                       : xstrdup("{}");
	in->priv = ctx;
	log_info("plugin", "%s: loaded %s %s (ABI %u) from %s", in->name,
	    info->name != NULL ? info->name : "?",
	    info->version != NULL ? info->version : "", info->abi_version,
	    path);
	free(path);
	return 0;
fail:
	dlclose(dl);
	free(path);
	return -1;
}

static void
plugin_run(struct input *in)
{
	cb_ctx *ctx = in->priv;
	int64_t t0 = clock_mono_ms(), el;
	int r;

	if (!ctx->inited) {
		if (ctx->info->init != NULL &&
		    ctx->info->init(ctx, ctx->config_json) != 0) {
			input_error(in, "init failed");
			input_done(in, 0);
			return;
		}
		ctx->inited = 1;
	}
	r = ctx->info->collect(ctx);
	el = clock_mono_ms() - t0;
	if (el > in->timeout_ms)
		log_warn("plugin",
		    "%s: collect took %lld ms (timeout %lld ms);"
		    " the whole collector waited",
		    in->name, (long long)el, (long long)in->timeout_ms);
	if (r != 0)
		input_error(in, "collect failed (%d)", r);
	input_done(in, r == 0);
}

static void
plugin_free(struct input *in)
{
	cb_ctx *ctx = in->priv;

	if (ctx == NULL)
		return;
	if (ctx->inited && ctx->info->shutdown != NULL)
		ctx->info->shutdown(ctx);
	free(ctx->config_json);
	dlclose(ctx->dl);
	free(ctx);
	in->priv = NULL;
}

const struct input_ops input_plugin_ops = {
    .type = "plugin",
    .conf_size = sizeof(struct plugin_conf),
    .fields = plugin_fields,
    .backoff = 1,
    .init = plugin_init,
    .run = plugin_run,
    .free = plugin_free,
};
