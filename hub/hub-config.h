/*
 * hub.json: where to listen, where the data and the other configuration
 * files are, limits, retention and the headline metrics.  Paths in the file
 * are relative to the file's directory.  Command-line flags override.
 */
#ifndef CB_HUB_CONFIG_H
#define CB_HUB_CONFIG_H

#include <stddef.h>
#include <stdint.h>

enum hub_agg {
	HUB_AGG_AVG,
	HUB_AGG_SUM,
	HUB_AGG_MIN,
	HUB_AGG_MAX,
	HUB_AGG_COUNT,
	HUB_AGG_LAST,
};

/* "avg", ...; hub_agg_parse returns -1 for an unknown name. */
const char *hub_agg_name(enum hub_agg agg);
int hub_agg_parse(const char *s, enum hub_agg *agg);

struct remote_target_conf; /* hub/remote/remote.h */
struct city_conf;          /* hub/city/city.h */

struct hub_headline {
	char *name;   /* key in "metrics" objects: "aqi" */
	char *metric; /* series metric name: "env_aqi" */
	enum hub_agg agg;
	char *unit;
};

struct hub_config {
	char *path;         /* hub.json itself, or NULL when none */
	char *listen;       /* "host:port"; "" disables TCP */
	char *socket;       /* unix socket path; "" disables */
	char *socket_group; /* may be NULL */
	long long socket_mode;
	char *data;
	char *territory, *systems, *users,
	    *tokens; /* absolute or cwd-relative */

	long long max_body;
	long long max_body_decompressed;
	long long max_lines;
	long long max_connections;
	long long max_errors; /* errors listed in a 400 write reply */
	int64_t timeout_ms;
	int64_t future_ms; /* points further ahead are refused */
	long long max_fields_per_line;
	long long max_new_series_per_request;
	long long max_new_series_per_minute; /* per writer */
	/* Connection budgets (hub/server-conn.c). */
	long long max_connections_per_peer; /* TCP, per peer address */
	long long max_unix_connections;     /* the unix socket's own */
	int64_t header_timeout_ms; /* whole request, before an identity */
	/* What a client may store in alerts, events and silences. */
	long long max_text_bytes;   /* message, comment, reason, note */
	long long max_event_labels; /* labels of an event, silence matchers */
	long long max_label_bytes;  /* a label's (matcher's) name or value */

	int64_t retention_raw_ms;
	int64_t retention_minute_ms;
	int64_t retention_hour_ms;
	int store_sync;              /* fsync each write batch */
	long long store_cache_bytes; /* RocksDB block cache; 0: store default */
	long long store_batchlog_bytes; /* batch log checkpoint; 0: default */
	int64_t store_late_window_ms;   /* 0: store default */

	int64_t silent_after_ms;
	/* Worker threads parsing write bodies (hub/ingest.h): -1 one per
	 * core (the default), 0 none (on the event loop). */
	long long ingest_threads;
	/* "audit": the HMAC key and the head's anchor file, both outside the
	 * data directory (NULL: hub_config_audit_paths() defaults), and
	 * how often the head goes to the system log and supervisors. */
	char *audit_key_file, *audit_anchor_file;
	long long audit_anchor_every;
	struct hub_headline *headline;
	size_t nheadline;
	/* "remote_write" targets (hub/remote/remote.h); owned */
	struct remote_target_conf *remote_write;
	size_t nremote_write;
	/* "worker" (hub/worker/): how long a building check-in grants
	 * reading (default 30 min) and an enrolment code lives (24 h). */
	int64_t worker_grant_ms, worker_code_ttl_ms;
	/* Failed sign-ins allowed per peer and for all peers together in
	 * worker_signin_window_ms (10, 100, 15 min) before 429. */
	long long worker_signin_peer, worker_signin_all;
	int64_t worker_signin_window_ms;
	/* The largest photo a progress report may carry (1 MiB). */
	long long worker_max_photo_bytes;
	/* "remote_read": the long-term store's query API, or NULL; owned */
	struct remote_target_conf *remote_read;
	/* "city" and "districts": a city hub (hub/city/city.h), or NULL */
	struct city_conf *city;
};

/* Defaults (listen 127.0.0.1:8428, socket under CB_RUNSTATEDIR, data under
 * CB_LOCALSTATEDIR, config files under CB_SYSCONFDIR). */
struct hub_config *hub_config_default(void);
/* Load path over the defaults; NULL with *cause on error. */
struct hub_config *hub_config_load(const char *path, char **cause);
void hub_config_free(struct hub_config *c);
/* Replace *dst with a copy of s. */
void hub_config_set(char **dst, const char *s);

#endif
