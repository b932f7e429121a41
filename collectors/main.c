/* citybrain-collector: collect metrics and events, push them to the hub. */
#include "config.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collectors/collector.h"
#include "lib/curlev.h"
#include "collectors/push.h"
#include "collectors/spool.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: citybrain-collector [-qv] [--config FILE] [--test | "
	    "--check-config]\n"
	    "\n"
	    "Collect metrics (HTTP checks, Prometheus exporters, exec and\n"
	    "Nagios plugins, C plugins, this host) and push them to the\n"
	    "citybrain hub, spooling to disk while the hub is unreachable.\n"
	    "\n"
	    "  -c, --config FILE   configuration (JSON); default "
	    "%s/collector.json\n"
	    "  -t, --test          run every input once, print the lines, "
	    "exit\n"
	    "  -n, --check-config  check the configuration and exit\n"
	    "  -q, --quiet         log less (repeat for errors only)\n"
	    "  -v, --verbose       log more (repeat for debug)\n"
	    "  -V, --version       print the version and exit\n"
	    "  -h, --help          print this help and exit\n"
	    "\n"
	    "See citybrain-collector(8) and citybrain-plugin(7).\n",
	    CB_SYSCONFDIR);
}

static long
self_rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The collector's own figures, sent like any other metric. */
static void
self_cb(evutil_socket_t fd, short what, void *arg)
{
	struct collector *c = arg;
	struct lp_writer *w;
	struct spool_stats ss;
	struct timespec ts;

	spool_get_stats(c->spool, &ss);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	w = collector_line_begin(c, NULL, "collector");
	lp_writer_tag(w, "collector", c->conf.name);
	lp_writer_uint(w, "points_collected", c->st.points_collected);
	lp_writer_uint(w, "points_sent", c->st.points_sent);
	lp_writer_uint(w, "points_spooled", c->st.points_spooled);
	lp_writer_uint(
	    w, "points_dropped", c->st.points_dropped + ss.dropped_points);
	lp_writer_uint(w, "points_rejected", c->st.points_rejected);
	lp_writer_uint(w, "batches_sent", c->st.batches_sent);
	lp_writer_uint(w, "batches_failed", c->st.batches_failed);
	lp_writer_uint(w, "batches_rejected", c->st.batches_rejected);
	lp_writer_uint(w, "batches_refused", c->st.batches_refused);
	lp_writer_uint(w, "events_sent", c->st.events_sent);
	lp_writer_uint(w, "input_runs", c->st.input_runs);
	lp_writer_uint(w, "input_errors", c->st.input_errors);
	lp_writer_uint(w, "spool_bytes", ss.bytes);
	lp_writer_uint(w, "spool_points", ss.points);
	lp_writer_uint(w, "spool_dropped_records", ss.dropped_records);
	lp_writer_uint(w, "spool_corrupt_records", ss.corrupt_records);
	lp_writer_int(w, "hub_up", push_hub_up(c->push));
	lp_writer_int(w, "rss_bytes", (int64_t)self_rss_kib() * 1024);
	lp_writer_float(
	    w, "cpu_seconds", (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
	collector_line_end(c, clock_wall_ms());
}

static void
batch_cb(evutil_socket_t fd, short what, void *arg)
{
	collector_flush(arg);
}

/* Arm the timer of the collector's own figures. */
static void
self_timer_arm(struct collector *c)
{
	struct timeval tv;

	tv.tv_sec = c->conf.self_interval / 1000;
	tv.tv_usec = (c->conf.self_interval % 1000) * 1000;
	event_add(c->self_timer, &tv);
}

static void
reload_cb(evutil_socket_t sig, short what, void *arg)
{
	struct collector *c = arg;

	log_info("collector", "SIGHUP: reloading %s", c->conf.path);
	if (collector_reload(c) == 0)
		self_timer_arm(c);
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct collector *c = arg;

	log_info("collector", "signal %d: stopping", (int)sig);
	c->stopping = 1;
	event_base_loopexit(c->base, NULL);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"test", no_argument, NULL, 't'},
	    {"check-config", no_argument, NULL, 'n'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct collector c;
	struct spool_limits lim;
	struct event *sigterm, *sigint, *sighup;
	const char *path = CB_SYSCONFDIR "/collector.json";
	char *cause = NULL;
	int ch, check_only = 0, status = 1;

	log_init("citybrain-collector");
	memset(&c, 0, sizeof c);
	opterr = 0;
	while (
	    (ch = getopt_long(argc, argv, "c:tnqvVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 't':
			c.test_mode = 1;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'q':
			log_quieter();
			break;
		case 'v':
			log_louder();
			break;
		case 'V':
			printf("citybrain-collector (%s) %s\n", PACKAGE_NAME,
			    PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt != 0 && optopt != '?')
				fprintf(stderr,
				    "citybrain-collector: "
				    "unknown or incomplete option -%c\n",
				    optopt);
			else
				fprintf(stderr,
				    "citybrain-collector: "
				    "unknown option %s\n",
				    argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "citybrain-collector: unexpected argument %s\n",
		    argv[optind]);
		usage(stderr);
		return 2;
	}
	srandom((unsigned)(getpid() ^ time(NULL)));
	signal(SIGPIPE, SIG_IGN);
	/* One malloc arena: the only other threads are libcurl's short-lived
	 * resolver threads, and each would otherwise get (and keep) an arena
	 * of its own, up to 8 per core. */
	mallopt(M_ARENA_MAX, 1);
	if (curlev_global_init() != 0) {
		fprintf(stderr, "citybrain-collector: cannot initialise "
		                "libcurl\n");
		return 1;
	}

	c.base = event_base_new();
	c.curl = curlev_create(c.base);
	buf_init(&c.batch);
	c.batch_timer = evtimer_new(c.base, batch_cb, &c);
	if (collector_conf_load(&c.conf, path, &cause) != 0 ||
	    inputs_create(&c, &c.conf, &c.inputs, &c.ninputs, &cause) != 0) {
		fprintf(stderr, "citybrain-collector: %s\n", cause);
		free(cause);
		goto out;
	}
	/* The inputs hold what they need: the parsed file goes. */
	collector_conf_drop_file(&c.conf);
	if (check_only) {
		printf("%s: OK (%zu inputs)\n", path, c.ninputs);
		status = 0;
		goto out;
	}
	if (c.test_mode) {
		if (c.ninputs > 0) {
			inputs_start(&c);
			event_base_dispatch(c.base);
		}
		fwrite(buf_str(&c.batch), 1, c.batch.len, stdout);
		status = c.st.input_errors == 0 ? 0 : 1;
		goto out;
	}

	memset(&lim, 0, sizeof lim);
	lim.max_bytes = (uint64_t)c.conf.spool_max_bytes;
	lim.segment_bytes = (uint64_t)c.conf.spool_segment_bytes;
	lim.max_age_ms = c.conf.spool_max_age;
	if ((c.spool = spool_open(c.conf.spool_dir, &lim, &cause)) == NULL) {
		fprintf(stderr, "citybrain-collector: spool: %s\n", cause);
		free(cause);
		goto out;
	}
	{
		struct spool_stats ss;

		spool_get_stats(c.spool, &ss);
		log_info("collector",
		    "%s: %zu inputs, hub %s, spool %s "
		    "(%llu points waiting)",
		    c.conf.name, c.ninputs, c.conf.urls[0], c.conf.spool_dir,
		    (unsigned long long)ss.points);
	}
	c.push = push_create(&c);
	if (c.conf.listen != NULL && (c.listen = collector_listen_start(
	                                  &c, c.conf.listen, &cause)) == NULL) {
		fprintf(stderr, "citybrain-collector: %s\n", cause);
		free(cause);
		push_free(c.push);
		goto out;
	}
	sigterm = evsignal_new(c.base, SIGTERM, stop_cb, &c);
	sigint = evsignal_new(c.base, SIGINT, stop_cb, &c);
	sighup = evsignal_new(c.base, SIGHUP, reload_cb, &c);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	evsignal_add(sighup, NULL);
	c.self_timer = event_new(c.base, -1, EV_PERSIST, self_cb, &c);
	self_timer_arm(&c);
	inputs_start(&c);

	event_base_dispatch(c.base);

	/* Stop: what is in memory goes to the spool; nothing is lost. */
	c.stopping = 1;
	self_cb(-1, 0, &c);
	collector_flush(&c);
	curlev_free(c.curl);
	c.curl = NULL;
	collector_listen_free(c.listen);
	c.listen = NULL;
	push_free(c.push);
	c.push = NULL;
	event_free(sigterm);
	event_free(sigint);
	event_free(sighup);
	event_free(c.self_timer);
	status = 0;
out:
	inputs_free(&c);
	curlev_free(c.curl);
	spool_close(c.spool);
	event_free(c.batch_timer);
	buf_free(&c.batch);
	collector_conf_free(&c.conf);
	event_base_free(c.base);
	curlev_global_cleanup();
	return status;
}
