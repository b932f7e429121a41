/* hub.json loading (see config.h). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hub/city/city.h"
#include "hub/hub-config.h"
#include "hub/remote/remote.h"
#include "lib/conf.h"
#include "lib/hostport.h"
#include "lib/xmalloc.h"

#ifndef CB_SYSCONFDIR
#define CB_SYSCONFDIR "/etc/citybrain"
#endif
#ifndef CB_LOCALSTATEDIR
#define CB_LOCALSTATEDIR "/var/lib/citybrain"
#endif
#ifndef CB_RUNSTATEDIR
#define CB_RUNSTATEDIR "/run/citybrain"
#endif

struct config_raw {
	char *listen, *socket, *socket_group, *socket_mode, *data;
	char *territory, *systems, *users, *tokens, *comment;
	json_t *limits, *retention, *headline, *store, *audit;
	json_t *remote_write, *remote_read; /* hub/remote/forward-conf.c */
	int64_t silent_after;
	json_t *worker;           /* hub/worker/ */
	json_t *city, *districts; /* hub/city/city-conf.c */
	long long ingest_threads;
};

static const struct conf_field config_fields[] = {
    {"listen", CONF_STRING, 0, offsetof(struct config_raw, listen), 0, 0},
    {"socket", CONF_STRING, 0, offsetof(struct config_raw, socket), 0, 0},
    {"socket_group", CONF_STRING, 0, offsetof(struct config_raw, socket_group),
        0, 0},
    {"socket_mode", CONF_STRING, 0, offsetof(struct config_raw, socket_mode), 0,
        0},
    {"data", CONF_STRING, 0, offsetof(struct config_raw, data), 0, 0},
    {"territory", CONF_STRING, 0, offsetof(struct config_raw, territory), 0, 0},
    {"systems", CONF_STRING, 0, offsetof(struct config_raw, systems), 0, 0},
    {"users", CONF_STRING, 0, offsetof(struct config_raw, users), 0, 0},
    {"tokens", CONF_STRING, 0, offsetof(struct config_raw, tokens), 0, 0},
    {"comment", CONF_STRING, 0, offsetof(struct config_raw, comment), 0, 0},
    {"limits", CONF_OBJECT, 0, offsetof(struct config_raw, limits), 0, 0},
    {"retention", CONF_OBJECT, 0, offsetof(struct config_raw, retention), 0, 0},
    {"store", CONF_OBJECT, 0, offsetof(struct config_raw, store), 0, 0},
    {"audit", CONF_OBJECT, 0, offsetof(struct config_raw, audit), 0, 0},
    {"headline", CONF_ARRAY, 0, offsetof(struct config_raw, headline), 0, 0},
    {"remote_read", CONF_OBJECT, 0, offsetof(struct config_raw, remote_read), 0,
        0},
    {"remote_write", CONF_ARRAY, 0, offsetof(struct config_raw, remote_write),
        0, 0},
    {"silent_after", CONF_DURATION, 0,
        offsetof(struct config_raw, silent_after), 0, 0},
    {"worker", CONF_OBJECT, 0, offsetof(struct config_raw, worker), 0, 0},
    {"city", CONF_OBJECT, 0, offsetof(struct config_raw, city), 0, 0},
    {"districts", CONF_ARRAY, 0, offsetof(struct config_raw, districts), 0, 0},
    {"ingest_threads", CONF_INT, 0, offsetof(struct config_raw, ingest_threads),
        -1, 64},
    {NULL, 0, 0, 0, 0, 0},
};

/* "worker": the grid workers' grants and enrolment codes. */
static const struct conf_field config_worker_fields[] = {
    {"grant", CONF_DURATION, 0, offsetof(struct hub_config, worker_grant_ms), 0,
        0},
    {"code_ttl", CONF_DURATION, 0,
        offsetof(struct hub_config, worker_code_ttl_ms), 0, 0},
    {"signin_failures", CONF_INT, 0,
        offsetof(struct hub_config, worker_signin_peer), 1, 1000000},
    {"signin_failures_all", CONF_INT, 0,
        offsetof(struct hub_config, worker_signin_all), 1, 1000000},
    {"signin_window", CONF_DURATION, 0,
        offsetof(struct hub_config, worker_signin_window_ms), 0, 0},
    {"max_photo_bytes", CONF_INT, 0,
        offsetof(struct hub_config, worker_max_photo_bytes), 1024, 64LL << 20},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct conf_field config_limits_fields[] = {
    {"max_body", CONF_INT, 0, offsetof(struct hub_config, max_body), 1024,
        1LL << 34},
    {"max_body_decompressed", CONF_INT, 0,
        offsetof(struct hub_config, max_body_decompressed), 1024, 1LL << 36},
    {"max_lines", CONF_INT, 0, offsetof(struct hub_config, max_lines), 1,
        1LL << 32},
    {"max_connections", CONF_INT, 0,
        offsetof(struct hub_config, max_connections), 1, 1000000},
    {"max_errors", CONF_INT, 0, offsetof(struct hub_config, max_errors), 1,
        100000},
    {"timeout", CONF_DURATION, 0, offsetof(struct hub_config, timeout_ms), 0,
        0},
    {"future", CONF_DURATION, 0, offsetof(struct hub_config, future_ms), 0, 0},
    {"max_fields_per_line", CONF_INT, 0,
        offsetof(struct hub_config, max_fields_per_line), 1, 1000000},
    {"max_new_series_per_request", CONF_INT, 0,
        offsetof(struct hub_config, max_new_series_per_request), 1, 1LL << 32},
    {"max_new_series_per_minute", CONF_INT, 0,
        offsetof(struct hub_config, max_new_series_per_minute), 1, 1LL << 32},
    {"max_connections_per_peer", CONF_INT, 0,
        offsetof(struct hub_config, max_connections_per_peer), 1, 1000000},
    {"max_unix_connections", CONF_INT, 0,
        offsetof(struct hub_config, max_unix_connections), 1, 1000000},
    {"max_text_bytes", CONF_INT, 0, offsetof(struct hub_config, max_text_bytes),
        16, 1LL << 24},
    {"max_event_labels", CONF_INT, 0,
        offsetof(struct hub_config, max_event_labels), 1, 100000},
    {"max_label_bytes", CONF_INT, 0,
        offsetof(struct hub_config, max_label_bytes), 16, 1LL << 20},
    {"header_timeout", CONF_DURATION, 0,
        offsetof(struct hub_config, header_timeout_ms), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct conf_field config_retention_fields[] = {
    {"raw", CONF_DURATION, 0, offsetof(struct hub_config, retention_raw_ms), 0,
        0},
    {"minute", CONF_DURATION, 0,
        offsetof(struct hub_config, retention_minute_ms), 0, 0},
    {"hour", CONF_DURATION, 0, offsetof(struct hub_config, retention_hour_ms),
        0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct conf_field config_store_fields[] = {
    {"sync", CONF_BOOL, 0, offsetof(struct hub_config, store_sync), 0, 0},
    {"cache_bytes", CONF_INT, 0, offsetof(struct hub_config, store_cache_bytes),
        1 << 20, 1LL << 40},
    {"batchlog_bytes", CONF_INT, 0,
        offsetof(struct hub_config, store_batchlog_bytes), 1 << 20, 1LL << 36},
    {"late_window", CONF_DURATION, 0,
        offsetof(struct hub_config, store_late_window_ms), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

struct config_audit_raw {
	char *key_file, *anchor_file;
	long long anchor_every;
};

static const struct conf_field config_audit_fields[] = {
    {"key_file", CONF_STRING, 0, offsetof(struct config_audit_raw, key_file), 0,
        0},
    {"anchor_file", CONF_STRING, 0,
        offsetof(struct config_audit_raw, anchor_file), 0, 0},
    {"anchor_every", CONF_INT, 0,
        offsetof(struct config_audit_raw, anchor_every), 1, 100000000},
    {NULL, 0, 0, 0, 0, 0},
};

struct config_headline_raw {
	char *name, *metric, *agg, *unit;
};

static const struct conf_field config_headline_fields[] = {
    {"name", CONF_STRING, 1, offsetof(struct config_headline_raw, name), 0, 0},
    {"metric", CONF_STRING, 1, offsetof(struct config_headline_raw, metric), 0,
        0},
    {"agg", CONF_STRING, 0, offsetof(struct config_headline_raw, agg), 0, 0},
    {"unit", CONF_STRING, 0, offsetof(struct config_headline_raw, unit), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const char *const config_agg_names[] = {
    [HUB_AGG_AVG] = "avg",
    [HUB_AGG_SUM] = "sum",
    [HUB_AGG_MIN] = "min",
    [HUB_AGG_MAX] = "max",
    [HUB_AGG_COUNT] = "count",
    [HUB_AGG_LAST] = "last",
};

const char *
hub_agg_name(enum hub_agg agg)
{
	return config_agg_names[agg];
}

int
hub_agg_parse(const char *s, enum hub_agg *agg)
{
	size_t i;

	for (i = 0; i < sizeof config_agg_names / sizeof *config_agg_names;
	     i++) {
		if (strcmp(s, config_agg_names[i]) == 0) {
			*agg = (enum hub_agg)i;
			return 0;
		}
	}
	return -1;
}

void
hub_config_set(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? xstrdup(s) : NULL;
}

struct hub_config *
hub_config_default(void)
{
	struct hub_config *c = xcalloc(1, sizeof *c);

	c->listen = xstrdup("127.0.0.1:8428");
	c->socket = xstrdup(CB_RUNSTATEDIR "/citybraind.sock");
	c->socket_mode = 0660;
	/* A subdirectory: the collector's spool may share CB_LOCALSTATEDIR. */
	c->data = xstrdup(CB_LOCALSTATEDIR "/store");
	c->territory = xstrdup(CB_SYSCONFDIR "/territory.json");
	c->systems = xstrdup(CB_SYSCONFDIR "/systems.json");
	c->users = xstrdup(CB_SYSCONFDIR "/users.json");
	c->tokens = xstrdup(CB_SYSCONFDIR "/tokens.json");
	c->max_body = 32LL << 20;
	c->max_body_decompressed = 256LL << 20;
	c->max_lines = 2000000;
	c->max_connections = 1024;
	c->max_errors = 50;
	c->timeout_ms = 60000;
	c->future_ms = 600000;
	c->max_fields_per_line = 256;
	c->max_new_series_per_request = 50000;
	c->max_new_series_per_minute = 100000;
	c->max_connections_per_peer = 128;
	c->max_unix_connections = 256;
	c->max_text_bytes = 4096;
	c->max_event_labels = 64;
	c->max_label_bytes = 256;
	c->header_timeout_ms = 10000;
	c->retention_raw_ms = 15LL * 86400 * 1000;
	c->retention_minute_ms = 90LL * 86400 * 1000;
	c->retention_hour_ms = 730LL * 86400 * 1000;
	c->store_sync = 1;
	c->silent_after_ms = 600000;
	c->ingest_threads = 0; /* on the loop thread (see man page) */
	c->audit_anchor_every = 100;
	c->worker_grant_ms = 30 * 60 * 1000;
	c->worker_code_ttl_ms = 24 * 3600 * 1000;
	c->worker_signin_peer = 10;
	c->worker_signin_all = 100;
	c->worker_signin_window_ms = 15 * 60 * 1000;
	c->worker_max_photo_bytes = 1LL << 20;
	return c;
}

void
hub_config_free(struct hub_config *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->listen);
	free(c->socket);
	free(c->socket_group);
	free(c->data);
	free(c->territory);
	free(c->systems);
	free(c->users);
	free(c->tokens);
	free(c->audit_key_file);
	free(c->audit_anchor_file);
	for (i = 0; i < c->nheadline; i++) {
		free(c->headline[i].name);
		free(c->headline[i].metric);
		free(c->headline[i].unit);
	}
	free(c->headline);
	remote_conf_free(c->remote_write, c->nremote_write);
	if (c->remote_read != NULL)
		remote_conf_free(c->remote_read, 1);
	city_conf_free(c->city);
	free(c);
}

/* Resolve p relative to the directory of the config file. */
static char *
config_resolve(const char *conf_path, const char *p)
{
	const char *slash;

	if (*p == '/' || *p == '\0' ||
	    (slash = strrchr(conf_path, '/')) == NULL)
		return xstrdup(p);
	return xasprintf("%.*s/%s", (int)(slash - conf_path), conf_path, p);
}

static void
config_take_path(char **dst, const char *conf_path, char *p)
{
	if (p == NULL)
		return;
	free(*dst);
	*dst = config_resolve(conf_path, p);
	free(p);
}

static int
config_headline_read(
    struct conf_file *cf, struct hub_config *c, json_t *arr, char **cause)
{
	struct config_headline_raw r;
	struct hub_headline *h;
	enum hub_agg agg = HUB_AGG_AVG;
	json_t *obj;
	size_t i;

	json_array_foreach(arr, i, obj)
	{
		memset(&r, 0, sizeof r);
		if (conf_object_read(
		        cf, obj, config_headline_fields, &r, cause) != 0)
			goto fail;
		if (r.agg != NULL && hub_agg_parse(r.agg, &agg) != 0) {
			*cause = conf_error(cf, obj, "agg", 0,
			    "unknown aggregation \"%s\" (avg, sum, min, max, "
			    "count, last)",
			    r.agg);
			goto fail;
		}
		c->headline = xreallocarray(
		    c->headline, c->nheadline + 1, sizeof *c->headline);
		h = &c->headline[c->nheadline++];
		h->name = r.name;
		h->metric = r.metric;
		h->agg = agg;
		h->unit = r.unit != NULL ? r.unit : xstrdup("");
		free(r.agg);
	}
	return 0;
fail:
	free(r.name);
	free(r.metric);
	free(r.agg);
	free(r.unit);
	return -1;
}

struct hub_config *
hub_config_load(const char *path, char **cause)
{
	struct conf_file *cf;
	struct hub_config *c;
	struct config_raw r;
	char *host, *end;
	int port;
	unsigned long mode;

	if ((cf = conf_file_load(path, cause)) == NULL)
		return NULL;
	c = hub_config_default();
	c->path = xstrdup(path);
	memset(&r, 0, sizeof r);
	r.silent_after = c->silent_after_ms;
	r.ingest_threads = c->ingest_threads;
	if (conf_object_read(
	        cf, conf_file_root(cf), config_fields, &r, cause) != 0)
		goto fail;
	if (r.listen != NULL && *r.listen != '\0') {
		if (hostport_parse(r.listen, &host, &port) != 0) {
			*cause = conf_error(cf, conf_file_root(cf), "listen", 0,
			    "expected \"host:port\" (or \"\" for no TCP)");
			goto fail;
		}
		free(host);
	}
	if (r.socket_mode != NULL) {
		mode = strtoul(r.socket_mode, &end, 8);
		if (*r.socket_mode == '\0' || *end != '\0' || mode > 0777) {
			*cause =
			    conf_error(cf, conf_file_root(cf), "socket_mode", 0,
			        "expected an octal mode such as \"0660\"");
			goto fail;
		}
		c->socket_mode = (long long)mode;
	}
	if (r.listen != NULL) {
		free(c->listen);
		c->listen = r.listen;
		r.listen = NULL;
	}
	config_take_path(&c->socket, path, r.socket);
	config_take_path(&c->data, path, r.data);
	config_take_path(&c->territory, path, r.territory);
	config_take_path(&c->systems, path, r.systems);
	config_take_path(&c->users, path, r.users);
	config_take_path(&c->tokens, path, r.tokens);
	r.socket = r.data = r.territory = r.systems = r.users = r.tokens = NULL;
	if (r.socket_group != NULL) {
		c->socket_group = r.socket_group;
		r.socket_group = NULL;
	}
	c->silent_after_ms = r.silent_after;
	c->ingest_threads = r.ingest_threads;
	if (r.limits != NULL &&
	    conf_object_read(cf, r.limits, config_limits_fields, c, cause) != 0)
		goto fail;
	if (r.retention != NULL && conf_object_read(cf, r.retention,
	                               config_retention_fields, c, cause) != 0)
		goto fail;
	if (r.store != NULL &&
	    conf_object_read(cf, r.store, config_store_fields, c, cause) != 0)
		goto fail;
	if (r.headline != NULL &&
	    config_headline_read(cf, c, r.headline, cause) != 0)
		goto fail;
	if (r.audit != NULL) {
		struct config_audit_raw a = {NULL, NULL, c->audit_anchor_every};

		if (conf_object_read(
		        cf, r.audit, config_audit_fields, &a, cause) != 0) {
			free(a.key_file);
			free(a.anchor_file);
			goto fail;
		}
		config_take_path(&c->audit_key_file, path, a.key_file);
		config_take_path(&c->audit_anchor_file, path, a.anchor_file);
		c->audit_anchor_every = a.anchor_every;
	}
	if (r.worker != NULL &&
	    conf_object_read(cf, r.worker, config_worker_fields, c, cause) != 0)
		goto fail;
	if (r.remote_write != NULL &&
	    remote_conf_read(cf, path, r.remote_write, &c->remote_write,
	        &c->nremote_write, cause) != 0)
		goto fail;
	if (r.remote_read != NULL &&
	    remote_read_conf_read(
	        cf, path, r.remote_read, &c->remote_read, cause) != 0)
		goto fail;
	if ((r.city != NULL || r.districts != NULL) &&
	    city_conf_read(cf, path, r.city, r.districts, &c->city, cause) != 0)
		goto fail;
	free(r.socket_mode);
	free(r.comment);
	conf_file_free(cf);
	return c;
fail:
	free(r.listen);
	free(r.socket);
	free(r.socket_group);
	free(r.socket_mode);
	free(r.data);
	free(r.territory);
	free(r.systems);
	free(r.users);
	free(r.tokens);
	free(r.comment);
	hub_config_free(c);
	conf_file_free(cf);
	return NULL;
}
