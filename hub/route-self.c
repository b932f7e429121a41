/* The hub's own health: GET /metrics (Prometheus text), GET /healthz. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/remote/remote.h"
#include "hub/hub.h"
#include "hub/ingest.h"
#include "hub/server.h"
#include "hub/status.h"
#include "lib/buf.h"
#include "store/store.h"

/* Resident set size in bytes from /proc, or 0. */
static unsigned long long
self_rss(void)
{
	unsigned long long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%llu %llu", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (unsigned long long)sysconf(_SC_PAGESIZE);
}

static void
self_counter(struct buf *b, const char *name, const char *help,
    const char *type, unsigned long long v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name,
	    type, name, v);
}

static void
self_metrics(struct hub_req *req)
{
	struct hub *h = req->hub;
	struct hub_status *st = h->status;
	struct store_stats ss;
	struct buf b = BUF_INIT;
	size_t i;

	hub_server_metrics(h, &b);
	hub_ingest_metrics(h, &b);
	hub_remote_forward_metrics(h, &b);
	self_counter(&b, "citybraind_points_ingested_total",
	    "Points stored by ingest.", "counter", h->stats.points_ingested);
	self_counter(&b, "citybraind_lines_accepted_total",
	    "Line-protocol lines accepted.", "counter",
	    h->stats.lines_accepted);
	buf_puts(&b, "# HELP citybraind_lines_rejected_total Line-protocol "
	             "lines rejected, by reason.\n"
	             "# TYPE citybraind_lines_rejected_total counter\n");
	for (i = 0; i < HUB_REJECT_MAX; i++)
		buf_printf(&b,
		    "citybraind_lines_rejected_total{reason=\"%s\"} %llu\n",
		    hub_reject_name((enum hub_reject)i),
		    (unsigned long long)st->rejected[i]);
	self_counter(&b, "citybraind_points_duplicate_total",
	    "Points written at a time their series already had (the last "
	    "write wins).",
	    "counter", st->duplicates);
	self_counter(&b, "citybraind_points_late_total",
	    "Points older than their series' newest point (merged, or "
	    "refused when older than the store's late window).",
	    "counter", st->late);
	self_counter(&b, "citybraind_write_requests_total",
	    "Write requests served.", "counter", h->stats.write_requests);
	self_counter(&b, "citybraind_request_body_bytes_total",
	    "Request body bytes received (before decompression).", "counter",
	    h->stats.bytes_received);
	memset(&ss, 0, sizeof ss);
	if (store_stats_get(h->store, &ss, NULL) == 0) {
		self_counter(&b, "citybraind_store_series",
		    "Series in the "
		    "store.",
		    "gauge", ss.series);
		self_counter(&b, "citybraind_store_active_series",
		    "Series with an open chunk.", "gauge", ss.active_series);
		self_counter(&b, "citybraind_store_points_written_total",
		    "Points accepted by the store since start.", "counter",
		    ss.points_written);
		self_counter(&b, "citybraind_store_chunks_written_total",
		    "Chunks written since start.", "counter",
		    ss.chunks_written);
		buf_puts(&b, "# HELP citybraind_store_rejected_total Points "
		             "the store rejected, by reason.\n"
		             "# TYPE citybraind_store_rejected_total "
		             "counter\n");
		for (i = 0; i < STORE_REJECT_MAX; i++)
			buf_printf(&b,
			    "citybraind_store_rejected_total{reason=\"%s\"} "
			    "%llu\n",
			    store_reject_name((enum store_reject)i),
			    (unsigned long long)ss.rejected[i]);
		self_counter(&b, "citybraind_store_head_bytes",
		    "Memory of series index and open chunks.", "gauge",
		    ss.head_bytes);
		self_counter(&b, "citybraind_store_disk_bytes",
		    "SST bytes on disk.", "gauge", ss.disk_bytes);
		self_counter(&b, "citybraind_store_memtable_bytes",
		    "RocksDB memtables.", "gauge", ss.memtable_bytes);
		self_counter(&b, "citybraind_store_batches_spilled_total",
		    "Batches queued for the store's apply thread without their "
		    "points (no room; read back from the batch log).",
		    "counter", ss.batches_spilled);
		self_counter(&b, "citybraind_store_checkpoints_total",
		    "Head checkpoints written since start.", "counter",
		    ss.checkpoints);
		buf_printf(&b,
		    "# HELP citybraind_store_checkpoint_seconds_total Time "
		    "spent writing head checkpoints since start (the store's "
		    "apply thread; ingest waits while it is long).\n"
		    "# TYPE citybraind_store_checkpoint_seconds_total counter\n"
		    "citybraind_store_checkpoint_seconds_total %.6f\n",
		    (double)ss.checkpoint_ns / 1e9);
	}
	self_counter(&b, "citybraind_store_write_failing",
	    "1 while the store refuses writes (the last write failed), else "
	    "0.",
	    "gauge", (unsigned long long)(h->stats.store_failing != 0));
	self_counter(&b, "citybraind_store_write_errors_total",
	    "Store writes that failed (nothing of them was acknowledged).",
	    "counter", h->stats.store_write_errors);
	self_counter(&b, "citybraind_uptime_seconds", "Seconds since start.",
	    "gauge", (unsigned long long)((hub_now(h) - h->start_ms) / 1000));
	self_counter(&b, "citybraind_rss_bytes", "Resident set size.", "gauge",
	    self_rss());
	if (h->audit_status != NULL)
		self_counter(&b, "citybraind_audit_chain_intact",
		    "1 when the audit chain verified intact (start-up or "
		    "/api/v1/audit/verify), 0 when it is broken.",
		    "gauge",
		    (unsigned long long)h->audit_status(h, NULL, NULL));
	hub_reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8",
	    buf_str(&b), b.len);
	buf_free(&b);
}

/* The audit chain's state into the health reply ("audit" detail); a
 * broken chain makes the status "degraded". */
static void
self_healthz_audit(struct hub *h, json_t *j)
{
	const char *reason = NULL;
	uint64_t bad = 0;

	if (h->audit_status == NULL)
		return;
	if (h->audit_status(h, &reason, &bad) == 1) {
		json_object_set_new(
		    j, "audit", json_pack("{s:s}", "chain", "intact"));
		return;
	}
	json_object_set_new(j, "status", json_string("degraded"));
	json_object_set_new(j, "audit",
	    json_pack("{s:s,s:I,s:s}", "chain", "broken", "first_bad",
	        (json_int_t)bad, "reason", reason != NULL ? reason : "?"));
}

static void
self_healthz(struct hub_req *req)
{
	struct hub *h = req->hub;
	struct store_stats ss;
	char *cause = NULL;
	json_t *j;

	if (h->store == NULL || store_stats_get(h->store, &ss, &cause) != 0) {
		j = json_pack("{s:s,s:s}", "status", "unavailable", "error",
		    cause != NULL ? cause : "store closed");
		free(cause);
		hub_reply_json(req, 503, j);
		return;
	}
	if (h->stats.store_failing) {
		/* Degraded: reads may work, writes do not. */
		j = json_pack("{s:s,s:s,s:s,s:I}", "status", "degraded",
		    "reason", "the store refuses writes", "error",
		    h->stats.store_error, "store_write_errors",
		    (json_int_t)h->stats.store_write_errors);
		hub_reply_json(req, 503, j);
		return;
	}
	j = json_pack("{s:s,s:s,s:I,s:I}", "status", "ok", "version",
	    PACKAGE_VERSION, "uptime_s",
	    (json_int_t)((hub_now(h) - h->start_ms) / 1000), "series",
	    (json_int_t)ss.series);
	self_healthz_audit(h, j);
	hub_reply_json(req, 200, j);
}

const struct hub_route hub_routes_self[] = {
    {.method = EVHTTP_REQ_GET,
        .path = "/metrics",
        .handler = self_metrics,
        .min_role = HUB_ROLE_NONE},
    {.method = EVHTTP_REQ_GET,
        .path = "/healthz",
        .handler = self_healthz,
        .min_role = HUB_ROLE_NONE},
    {.path = NULL},
};
