/* citybraind: the hub.  Loads the configuration, opens the store, serves
 * the HTTP/JSON API on TCP and a unix socket, reloads on SIGHUP. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <event2/event.h>

#include "hub/remote/remote.h"
#include "hub/city/city.h"
#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/ingest.h"
#include "hub/quality/quality.h"
#include "hub/server.h"
#include "hub/status.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "hub/users.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#ifdef HUB_WITH_ALERTS
#include "hub/alerts/alerts.h"
#include "hub/worker/worker.h"
#endif

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: citybraind [-qv] [--config FILE] [--data DIR] "
	    "[--listen HOST:PORT]\n"
	    "                  [--socket PATH] [--check-config]\n"
	    "       citybraind --hash-token [TOKEN]\n"
	    "       citybraind --list-routes\n"
	    "\n"
	    "The citybrain hub: ingest, store, query API, territory model.\n"
	    "\n"
	    "  -c, --config FILE       hub.json (default %s/hub.json)\n"
	    "  -d, --data DIR          data directory (overrides \"data\"; "
	    "default\n"
	    "                          " CB_LOCALSTATEDIR "/store)\n"
	    "  -l, --listen HOST:PORT  TCP address (overrides \"listen\"; "
	    "\"\" for none)\n"
	    "  -s, --socket PATH       unix socket (overrides \"socket\"; "
	    "\"\" for none;\n"
	    "                          default " CB_RUNSTATEDIR
	    "/citybraind.sock)\n"
	    "      --check-config      load and validate the configuration, "
	    "then exit\n"
	    "      --hash-token [TOKEN] print the sha256 of TOKEN (or of "
	    "stdin's first line)\n"
	    "                          for tokens.json\n"
	    "      --list-routes       print every route: method, path, "
	    "minimum role\n"
	    "  -q, --quiet             log less (repeat for errors only)\n"
	    "  -v, --verbose           log more\n"
	    "  -h, --help              this help\n"
	    "  -V, --version           print the version\n"
	    "\n"
	    "Signals: SIGTERM/SIGINT stop cleanly; SIGHUP reloads territory, "
	    "systems, users\nand tokens.  See citybraind(8).\n",
	    CB_SYSCONFDIR);
}

/* Load territory, systems, users and tokens named by c.  0 or -1. */
static int
hub_load_model(const struct hub_config *c, struct hub_territory **t,
    struct hub_systems **s, struct hub_users **u, char **cause)
{
	const char *tokens = c->tokens;

	*t = NULL;
	*s = NULL;
	*u = NULL;
	if ((*t = c->city != NULL
	              ? city_territory_new(c->city)
	              : hub_territory_load(c->territory, cause)) == NULL)
		return -1;
	if ((*s = hub_systems_load(c->systems, *t, cause)) == NULL)
		goto fail;
	if (tokens != NULL && access(tokens, F_OK) != 0 && errno == ENOENT)
		tokens = NULL; /* no tokens file: no tokens */
	if ((*u = hub_users_load(c->users, tokens, *t, *s, cause)) == NULL)
		goto fail;
	return 0;
fail:
	hub_systems_free(*s);
	hub_territory_free(*t);
	*t = NULL;
	*s = NULL;
	return -1;
}

static void
hub_reload(struct hub *h)
{
	struct hub_territory *t;
	struct hub_systems *s;
	struct hub_users *u;
	struct hub_status *st;
	char *cause = NULL;

	log_info("hub", "SIGHUP: reloading territory, systems, users, tokens");
	/* Bodies in flight were parsed against what is replaced here. */
	hub_ingest_flush(h);
	if (hub_load_model(h->config, &t, &s, &u, &cause) != 0) {
		log_error("hub",
		    "reload failed, keeping the old configuration: "
		    "%s",
		    cause);
		free(cause);
		return;
	}
	st = hub_status_remap(
	    h->status, h->territory, h->systems, h->config, t, s, h->config);
	hub_status_free(h->status);
	hub_users_free(h->users);
	hub_systems_free(h->systems);
	hub_territory_free(h->territory);
	h->status = st;
	h->territory = t;
	h->systems = s;
	h->users = u;
	hub_ingest_reset_all(h);
	hub_server_forget_uids(h);
	if (h->alerts_reloaded != NULL)
		h->alerts_reloaded(h);
	log_info("hub",
	    "reloaded: %zu territory nodes, %zu systems, %zu users, "
	    "%zu tokens",
	    t->nnodes, s->nsystems, u->nusers, u->ntokens);
}

static void
hub_signal(evutil_socket_t sig, short what, void *arg)
{
	struct hub *h = arg;

	if (sig == SIGHUP) {
		hub_reload(h);
		return;
	}
	log_info("hub", "signal %d: shutting down", (int)sig);
	event_base_loopbreak(h->base);
}

/*
 * --test-clock FILE (tests only, not in --help): the hub's time is the
 * number of milliseconds since the epoch in FILE, read at every
 * hub_now(), so a test moves time on its own schedule (alert "for"s,
 * escalations and windows then do not depend on the machine's load).
 * Unreadable or malformed: the wall clock.  Reads only, so any thread
 * may call it.
 */
static int64_t
hub_test_clock(void *arg)
{
	char b[32], *end;
	long long ms;
	ssize_t n;
	int fd;

	if ((fd = open(arg, O_RDONLY | O_CLOEXEC)) < 0)
		return clock_wall_ms();
	n = read(fd, b, sizeof b - 1);
	close(fd);
	if (n <= 0)
		return clock_wall_ms();
	b[n] = '\0';
	errno = 0;
	ms = strtoll(b, &end, 10);
	if (errno != 0 || end == b || ms <= 0 || (*end != '\0' && *end != '\n'))
		return clock_wall_ms();
	return (int64_t)ms;
}

static void
hub_store_warn(void *arg, const char *msg)
{
	log_warn("store", "%s", msg);
}

/*
 * glibc malloc tuning, measured with bench/ingest-bench (bench/README.md,
 * "Hub memory", 2026-11-27).  The store's checkpoints build write batches
 * of 4-9 MiB for a moment; under glibc's dynamic mmap threshold those come
 * from the heap once the first one was freed, and the heap keeps their
 * pages.  A fixed threshold of 2 MiB maps them and gives them back when
 * freed (the hub's peak RSS drops by 3-5 MiB), while per-request buffers
 * and RocksDB's memtable blocks (below 1 MiB) stay in the heap.  128 KiB,
 * which maps those too, cost 20-30 % of ingest.  The environment's
 * MALLOC_MMAP_THRESHOLD_ wins when set.
 *
 * A fixed mmap threshold also fixes the trim threshold at glibc's 128
 * KiB: a request body's buffers (up to 256 KiB each, read ahead) freed at
 * the top of the heap went back to the kernel after every request and
 * were faulted in again for the next.  1 MiB keeps about one body's worth
 * (2026-12-07, session 17: points/s +8 %, peak RSS +1 MiB against 128
 * KiB).  MALLOC_TRIM_THRESHOLD_ wins when set.
 *
 * The store's apply thread (and ingest workers) would each get a glibc
 * arena of their own, whose free pages stay resident next to the main
 * heap's: at most two arenas took 3-4 MiB off the peak (2026-12-06,
 * issue 14) with no loss of ingest seen, one arena (all threads in the
 * main heap: RocksDB's memtable blocks are allocated by whichever thread
 * writes, the loop's batch-log writes and the apply thread's checkpoints,
 * and freed by its flush thread) another 2 MiB (2026-12-07, ingest16),
 * again with no loss of ingest seen; small blocks come from each
 * thread's cache without the arena's lock.  MALLOC_ARENA_MAX wins when
 * set.
 */
static void
hub_malloc_tune(void)
{
#ifdef __GLIBC__
	if (getenv("MALLOC_MMAP_THRESHOLD_") == NULL)
		mallopt(M_MMAP_THRESHOLD, 2 << 20);
	if (getenv("MALLOC_TRIM_THRESHOLD_") == NULL)
		mallopt(M_TRIM_THRESHOLD, 1 << 20);
	if (getenv("MALLOC_ARENA_MAX") == NULL)
		mallopt(M_ARENA_MAX, 1);
#endif
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"data", required_argument, NULL, 'd'},
	    {"listen", required_argument, NULL, 'l'},
	    {"socket", required_argument, NULL, 's'},
	    {"check-config", no_argument, NULL, 'C'},
	    {"hash-token", no_argument, NULL, 'H'},
	    {"list-routes", no_argument, NULL, 'R'},
	    {"test-clock", required_argument, NULL, 'T'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *config = NULL, *data = NULL, *listen = NULL;
	const char *sock = NULL, *test_clock = NULL;
	struct hub h;
	struct store_options so;
	struct event *sigs[4];
	char *cause = NULL;
	int ch, check = 0, hash = 0, status = 1;
	size_t i;

	log_init(argv[0]);
	hub_malloc_tune();
	while ((ch = getopt_long(argc, argv, "c:d:l:s:qvhV", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'd':
			data = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'C':
			check = 1;
			break;
		case 'H':
			hash = 1;
			break;
		case 'T':
			test_clock = optarg;
			break;
		case 'R': {
			struct buf b = BUF_INIT;

			hub_server_routes(&b);
			fputs(buf_str(&b), stdout);
			buf_free(&b);
			return 0;
		}
		case 'q':
			log_quieter();
			break;
		case 'v':
			log_louder();
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("citybraind (citybrain) %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (hash) {
		char line[4096], hex[65];
		const char *tok = optind < argc ? argv[optind] : NULL;

		if (tok == NULL) {
			if (fgets(line, sizeof line, stdin) == NULL) {
				fprintf(
				    stderr, "citybraind: no token on stdin\n");
				return 1;
			}
			line[strcspn(line, "\r\n")] = '\0';
			tok = line;
		}
		hub_sha256_hex(tok, strlen(tok), hex);
		printf("%s\n", hex);
		return 0;
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	memset(&h, 0, sizeof h);
	if (test_clock != NULL) {
		h.clock = hub_test_clock;
		h.clock_arg = (void *)(uintptr_t)test_clock;
		log_warn("hub",
		    "--test-clock: the time is read from %s (for tests only)",
		    test_clock);
	}
	if (config == NULL && access(CB_SYSCONFDIR "/hub.json", R_OK) == 0)
		config = CB_SYSCONFDIR "/hub.json";
	if (config != NULL)
		h.config = hub_config_load(config, &cause);
	else
		h.config = hub_config_default();
	if (h.config == NULL) {
		log_error("hub", "%s", cause);
		free(cause);
		return 1;
	}
	if (data != NULL)
		hub_config_set(&h.config->data, data);
	if (listen != NULL)
		hub_config_set(&h.config->listen, listen);
	if (sock != NULL)
		hub_config_set(&h.config->socket, sock);
	if (hub_load_model(
	        h.config, &h.territory, &h.systems, &h.users, &cause) != 0) {
		log_error("hub", "%s", cause);
		free(cause);
		goto out;
	}
	if (check) {
#ifdef HUB_WITH_ALERTS
		char *rpath = NULL;
		size_t nwarn;

		if (hub_alerts_check(&h, &rpath, &cause) != 0) {
			log_error("hub", "%s", cause);
			free(cause);
			free(rpath);
			goto out;
		}
		nwarn = quality_lint(&h, rpath, stderr);
		free(rpath);
#else
		size_t nwarn = quality_lint(&h, NULL, stderr);
#endif
		if (nwarn > 0)
			fprintf(stderr, "%zu data-quality warning%s\n", nwarn,
			    nwarn == 1 ? "" : "s");
		printf("%s: ok: %zu territory nodes, %zu systems, %zu users, "
		       "%zu tokens\n",
		    config != NULL ? config : "defaults", h.territory->nnodes,
		    h.systems->nsystems, h.users->nusers, h.users->ntokens);
		status = 0;
		goto out;
	}

	signal(SIGPIPE, SIG_IGN);
	store_options_init(&so);
	so.fsync = h.config->store_sync;
	so.retention_raw_ms = h.config->retention_raw_ms;
	so.retention_minute_ms = h.config->retention_minute_ms;
	so.retention_hour_ms = h.config->retention_hour_ms;
	if (h.config->store_cache_bytes > 0)
		so.cache_bytes = (size_t)h.config->store_cache_bytes;
	if (h.config->store_batchlog_bytes > 0)
		so.batchlog_bytes = (size_t)h.config->store_batchlog_bytes;
	if (h.config->store_late_window_ms > 0)
		so.late_window_ms = h.config->store_late_window_ms;
	so.warn = hub_store_warn;
	if (h.config->nremote_write > 0)
		so.queue_memtable_bytes = HUB_REMOTE_QUEUE_MEMTABLE_BYTES;
	if ((h.store = store_open(h.config->data, &so, &cause)) == NULL) {
		log_error("hub", "store %s: %s", h.config->data, cause);
		free(cause);
		goto out;
	}
	h.start_ms = hub_now(&h);
	h.status = hub_status_new(h.territory, h.systems, h.config);
	if (hub_status_rebuild(&h, &cause) != 0) {
		log_warn(
		    "hub", "cannot rebuild status from the store: %s", cause);
		free(cause);
		cause = NULL;
	}
	h.ingest = hub_ingest_new();
	h.base = event_base_new();
	if (hub_server_start(&h, &cause) != 0) {
		log_error("hub", "%s", cause);
		free(cause);
		goto out;
	}
#ifdef HUB_WITH_ALERTS
	/* ---- alerts module ---- */
	if (hub_alerts_init(&h, &cause) != 0) {
		log_error("hub", "alerts: %s", cause);
		free(cause);
		goto out;
	}
	if (hub_workers_init(&h, &cause) != 0) {
		log_error("hub", "workers: %s", cause);
		free(cause);
		goto out;
	}
#endif
	hub_quality_start(&h, hub_quality_period());
	if (hub_city_start(&h, &cause) != 0) {
		log_error("hub", "%s", cause);
		free(cause);
		goto out;
	}
	if (hub_remote_forward_start(&h, &cause) != 0) {
		log_error("hub", "remote_write: %s", cause);
		free(cause);
		goto out;
	}
	if (hub_ingest_start(&h, (int)h.config->ingest_threads, &cause) != 0) {
		log_error("hub", "%s", cause);
		free(cause);
		goto out;
	}
	sigs[0] = evsignal_new(h.base, SIGTERM, hub_signal, &h);
	sigs[1] = evsignal_new(h.base, SIGINT, hub_signal, &h);
	sigs[2] = evsignal_new(h.base, SIGHUP, hub_signal, &h);
	sigs[3] = NULL;
	for (i = 0; sigs[i] != NULL; i++)
		evsignal_add(sigs[i], NULL);
	log_info("hub",
	    "citybraind %s ready: listen %s, socket %s, data %s, %zu grids' "
	    "territory nodes %zu, %zu systems",
	    PACKAGE_VERSION,
	    *h.config->listen != '\0' ? h.config->listen : "(none)",
	    *h.config->socket != '\0' ? h.config->socket : "(none)",
	    h.config->data, h.territory->nodes[0].ngrids, h.territory->nnodes,
	    h.systems->nsystems);
	event_base_dispatch(h.base);
	for (i = 0; sigs[i] != NULL; i++)
		event_free(sigs[i]);
	status = 0;
out:
	hub_ingest_stop(&h); /* stores the bodies in flight */
	hub_quality_stop();
	hub_remote_forward_free(&h);
	hub_city_free(&h);
	hub_remote_read_free(&h);
	hub_server_free(&h);
#ifdef HUB_WITH_ALERTS
	hub_alerts_free(&h);
	hub_workers_free(&h);
#endif
	hub_ingest_free(h.ingest);
	store_close(h.store);
	hub_status_free(h.status);
	if (h.base != NULL)
		event_base_free(h.base);
	hub_users_free(h.users);
	hub_systems_free(h.systems);
	hub_territory_free(h.territory);
	hub_config_free(h.config);
	if (status == 0 && !check)
		log_info("hub", "stopped");
	return status;
}
