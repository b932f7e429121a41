/*
 * citybrain collector plugin ABI.  Self-contained: a plugin includes only
 * this header (and the C library).  See citybrain-plugin(7).
 *
 * A plugin is a shared object exporting ONE symbol, citybrain_plugin_entry
 * (CB_PLUGIN_ENTRY_NAME).  At load the collector calls it with its own
 * function table; the plugin returns a pointer to a static description of
 * itself (struct cb_plugin_info) or NULL to refuse.  Then, per configured
 * instance:
 *
 *   init(ctx, config_json)   once; config_json is the instance's "config"
 *                            object as JSON text ("{}" when absent)
 *   collect(ctx)             every interval; emit points and events
 *   shutdown(ctx)            once, at exit; free what init allocated
 *
 * All calls happen on the collector's single thread; a callback must not
 * block for long (keep it under the instance's timeout; a slow source
 * belongs in an exec plugin).  A collect that returns nonzero is counted
 * and the instance backs off (the pause doubles up to 32 intervals).
 *
 * Versioning: structs carry their size and only ever grow at the end; a
 * reader uses a member only if the size covers it (CB_HAS_MEMBER).  A
 * plugin built for a newer ABI than the collector's is refused with a
 * clear message; an older plugin keeps working.
 *
 *   #include <citybrain/plugin.h>
 *   static const struct cb_host_api *api;
 *   static int my_collect(cb_ctx *ctx) {
 *           return api->emit_value(ctx, "pump_pressure_kpa", NULL, 0, 231.5);
 *   }
 *   static const struct cb_plugin_info info = {
 *           .abi_version = CB_PLUGIN_ABI_VERSION,
 *           .size = sizeof(struct cb_plugin_info),
 *           .name = "pump", .version = "1.0",
 *           .collect = my_collect,
 *   };
 *   CB_PLUGIN_EXPORT const struct cb_plugin_info *
 *   citybrain_plugin_entry(const struct cb_host_api *host) {
 *           api = host;
 *           return &info;
 *   }
 */
#ifndef CITYBRAIN_PLUGIN_H
#define CITYBRAIN_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CB_PLUGIN_ABI_VERSION 1
#define CB_PLUGIN_ENTRY_NAME  "citybrain_plugin_entry"

#if defined(__GNUC__)
#define CB_PLUGIN_EXPORT       __attribute__((visibility("default")))
#define CB_PLUGIN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CB_PLUGIN_EXPORT
#define CB_PLUGIN_PRINTF(f, a)
#endif

/* Whether a struct of the given size has member m. */
#define CB_HAS_MEMBER(size, type, m) \
	((size) >= offsetof(type, m) + sizeof(((type *)0)->m))

/* One plugin instance, as the collector sees it.  Opaque. */
typedef struct cb_ctx cb_ctx;

enum cb_log_level {
	CB_LOG_ERROR = 0,
	CB_LOG_WARN = 1,
	CB_LOG_INFO = 2,
	CB_LOG_DEBUG = 3,
};

struct cb_tag {
	const char *key;
	const char *value;
};

/* A point.  The series is "<measurement>_<field>", or "<measurement>"
 * when field is NULL or "value"; the instance's configured tags are
 * added (and win over tags of the same key). */
struct cb_point {
	size_t size; /* sizeof(struct cb_point) */
	const char *measurement;
	const char *field; /* NULL: "value" */
	double value;      /* NaN and infinities are dropped */
	const struct cb_tag *tags;
	size_t ntags;
	int64_t time_ms; /* 0: now */
};

/* An event for the hub's alert engine (POST /api/v1/events). */
struct cb_event {
	size_t size;          /* sizeof(struct cb_event) */
	const char *key;      /* stable id; the instance name is
	                         prefixed */
	const char *state;    /* "firing" or "resolved" */
	const char *severity; /* "high", "medium", "low", "info" */
	const char *message;
	const struct cb_tag *labels;
	size_t nlabels;
	double value;
	/* Since ABI 1, second revision (check with CB_HAS_MEMBER): */
	const char *rule;     /* names the alert's rule (default "event") */
	const char *dept;     /* department it is dispatched to, or NULL */
	const char *deadline; /* e.g. "1h", or NULL for the hub's default */
	/* Since ABI 1, third revision: the message in ASCII for terminals
	 * without UTF-8, or NULL.  In both, {place} becomes the place's
	 * names (English/pinyin in message_en) and {code} its code. */
	const char *message_en;
};

/* A case for the hub's dispatch (POST /api/v1/cases; issue 17): reported
 * work such as a hotline ticket, routed by its category or queued for the
 * dispatch desk.  Since ABI 1, third revision: check
 * CB_HAS_MEMBER(host->size, struct cb_host_api, emit_case). */
struct cb_case {
	size_t size;          /* sizeof(struct cb_case) */
	const char *category; /* a category id, name or code, or NULL */
	const char *grid;     /* a grid code, or NULL with address */
	const char *address;  /* resolved by the hub, or NULL */
	const char *text;     /* the description (required) */
	const char *source;   /* "hotline", ...; NULL: the token's name */
	const char *ref;      /* the source's ticket id (a resent one is the
	                         same case), or NULL */
};

/* The collector's side, handed to citybrain_plugin_entry. */
struct cb_host_api {
	uint32_t abi_version;     /* the collector's CB_PLUGIN_ABI_VERSION */
	uint32_t size;            /* sizeof(struct cb_host_api) */
	const char *host_version; /* the collector's package version */

	/* Emit a point; 0, or -1 if refused (bad size, NaN, no name). */
	int (*emit_point)(cb_ctx *ctx, const struct cb_point *pt);
	/* Shorthand: a point of field "value" stamped now. */
	int (*emit_value)(cb_ctx *ctx, const char *measurement,
	    const struct cb_tag *tags, size_t ntags, double value);
	/* Raise or resolve an event; 0 or -1. */
	int (*emit_event)(cb_ctx *ctx, const struct cb_event *ev);
	/* Log through the collector (prefixed with the instance name). */
	void (*log)(cb_ctx *ctx, int level, const char *fmt, ...)
	    CB_PLUGIN_PRINTF(3, 4);
	/* The instance's name, from the configuration. */
	const char *(*instance_name)(cb_ctx *ctx);
	/* Milliseconds since the epoch. */
	int64_t (*now_ms)(cb_ctx *ctx);
	/* One pointer of per-instance state for the plugin. */
	void (*set_data)(cb_ctx *ctx, void *data);
	void *(*get_data)(cb_ctx *ctx);
	/* Report a case (spooled and delivered like events); 0 or -1. */
	int (*emit_case)(cb_ctx *ctx, const struct cb_case *kase);
	/* New members are added here, at the end. */
};

/* The plugin's side, returned by citybrain_plugin_entry. */
struct cb_plugin_info {
	uint32_t abi_version; /* CB_PLUGIN_ABI_VERSION it was built with */
	uint32_t size;        /* sizeof(struct cb_plugin_info) */
	const char *name;
	const char *version;
	const char *description;
	/* 0 to go on; nonzero refuses the instance (log why). */
	int (*init)(cb_ctx *ctx, const char *config_json);
	/* 0 on success; nonzero counts an error and backs off. */
	int (*collect)(cb_ctx *ctx);
	void (*shutdown)(cb_ctx *ctx);
	/* New members are added here, at the end. */
};

typedef const struct cb_plugin_info *(*cb_plugin_entry_fn)(
    const struct cb_host_api *host);

/* The one symbol a plugin exports. */
CB_PLUGIN_EXPORT const struct cb_plugin_info *citybrain_plugin_entry(
    const struct cb_host_api *host);

#ifdef __cplusplus
}
#endif

#endif
