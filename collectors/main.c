/* citybrain-collector: collect metrics and events, push them to the hub. */
#include "config.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <getopt.h>
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

static const struct conf_field root_fields[] = {
    {.key = "name",
        .type = CONF_STRING,
        .offset = offsetof(struct collector_conf, name)},
    {.key = "hub",
        .type = CONF_OBJECT,
        .offset = offsetof(struct collector_conf, hub)},
    {.key = "batch",
        .type = CONF_OBJECT,
        .offset = offsetof(struct collector_conf, batch)},
    {.key = "spool",
        .type = CONF_OBJECT,
        .offset = offsetof(struct collector_conf, spool)},
    {.key = "tags",
        .type = CONF_OBJECT,
        .offset = offsetof(struct collector_conf, tags)},
    {.key = "self_interval",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, self_interval)},
    {.key = "inputs",
        .type = CONF_ARRAY,
        .offset = offsetof(struct collector_conf, inputs)},
    {.key = NULL},
};

static const struct conf_field hub_fields[] = {
    {.key = "urls",
        .type = CONF_STRARRAY,
        .required = 1,
        .offset = offsetof(struct collector_conf, urls)},
    {.key = "token",
        .type = CONF_STRING,
        .offset = offsetof(struct collector_conf, token)},
    {.key = "token_file",
        .type = CONF_STRING,
        .offset = offsetof(struct collector_conf, token_file)},
    {.key = "timeout",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, push_timeout)},
    {.key = "gzip",
        .type = CONF_BOOL,
        .offset = offsetof(struct collector_conf, gzip)},
    {.key = "retry_min",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, retry_min)},
    {.key = "retry_max",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, retry_max)},
    {.key = NULL},
};

static const struct conf_field batch_fields[] = {
    {.key = "max_points",
        .type = CONF_INT,
        .min = 1,
        .max = 1000000,
        .offset = offsetof(struct collector_conf, batch_points)},
    {.key = "max_bytes",
        .type = CONF_INT,
        .min = 1024,
        .max = 64LL << 20,
        .offset = offsetof(struct collector_conf, batch_bytes)},
    {.key = "interval",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, batch_interval)},
    {.key = NULL},
};

static const struct conf_field spool_fields[] = {
    {.key = "dir",
        .type = CONF_STRING,
        .offset = offsetof(struct collector_conf, spool_dir)},
    {.key = "max_bytes",
        .type = CONF_INT,
        .min = 65536,
        .max = 1LL << 40,
        .offset = offsetof(struct collector_conf, spool_max_bytes)},
    {.key = "segment_bytes",
        .type = CONF_INT,
        .min = 4096,
        .max = 1LL << 32,
        .offset = offsetof(struct collector_conf, spool_segment_bytes)},
    {.key = "max_age",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, spool_max_age)},
    {.key = "fsync_interval",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, spool_fsync_interval)},
    {.key = NULL},
};

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

static int
conf_load(struct collector *c, struct conf_file *cf, char **cause)
{
	struct collector_conf *cc = &c->conf;
	json_t *root = conf_file_root(cf);
	char host[256];
	FILE *f;

	cc->push_timeout = 10000;
	cc->gzip = 1;
	cc->retry_min = 1000;
	cc->retry_max = 60000;
	cc->batch_points = 5000;
	cc->batch_bytes = 1 << 20;
	cc->batch_interval = 1000;
	cc->spool_max_bytes = 64LL << 20;
	cc->spool_max_age = 7LL * 24 * 3600 * 1000;
	cc->spool_fsync_interval = 1000;
	cc->self_interval = 10000;
	if (!json_is_object(root)) {
		*cause =
		    xasprintf("%s: expected an object", conf_file_name(cf));
		return -1;
	}
	if (conf_object_read(cf, root, root_fields, cc, cause) != 0)
		return -1;
	if (cc->hub == NULL) {
		*cause = xasprintf("%s: \"hub\" missing (\"hub\": {\"urls\": "
		                   "[\"http://HOST:8428\"]})",
		    conf_file_name(cf));
		return -1;
	}
	if (conf_object_read(cf, cc->hub, hub_fields, cc, cause) != 0)
		return -1;
	if (cc->urls[0] == NULL) {
		*cause = conf_error(
		    cf, cc->hub, "urls", 0, "at least one URL is needed");
		return -1;
	}
	for (size_t i = 0; cc->urls[i] != NULL; i++) {
		size_t n = strlen(cc->urls[i]);

		if (strncmp(cc->urls[i], "http://", 7) != 0 &&
		    strncmp(cc->urls[i], "https://", 8) != 0) {
			*cause = conf_error(cf, cc->hub, "urls", 0,
			    "\"%s\": expected http:// or https://",
			    cc->urls[i]);
			return -1;
		}
		while (n > 0 && cc->urls[i][n - 1] == '/')
			cc->urls[i][--n] = '\0';
	}
	if (cc->batch != NULL &&
	    conf_object_read(cf, cc->batch, batch_fields, cc, cause) != 0)
		return -1;
	if (cc->spool != NULL &&
	    conf_object_read(cf, cc->spool, spool_fields, cc, cause) != 0)
		return -1;
	if (cc->retry_min < 10 || cc->retry_max < cc->retry_min) {
		*cause = conf_error(cf, cc->hub, "retry_max", 0,
		    "retry_min must be >= 10ms and <= retry_max");
		return -1;
	}
	if (cc->batch_interval < 10 || cc->spool_fsync_interval < 10 ||
	    cc->self_interval < 100 || cc->push_timeout < 100) {
		*cause = xasprintf("%s: intervals and timeouts are too short",
		    conf_file_name(cf));
		return -1;
	}
	if (cc->spool_dir == NULL)
		cc->spool_dir = xstrdup(CB_LOCALSTATEDIR "/spool");
	if (cc->name == NULL) {
		if (gethostname(host, sizeof host) != 0)
			strcpy(host, "collector");
		host[sizeof host - 1] = '\0';
		cc->name = xstrdup(host);
	}
	if (cc->tags != NULL &&
	    tags_from_json(cc->tags, &c->tags, &c->ntags, cause) != 0)
		return -1;
	if (cc->token != NULL)
		c->token = xstrdup(cc->token);
	else if (cc->token_file != NULL) {
		char line[512];

		if ((f = fopen(cc->token_file, "r")) == NULL ||
		    fgets(line, sizeof line, f) == NULL) {
			*cause = conf_error(cf, cc->hub, "token_file", 0,
			    "cannot read %s", cc->token_file);
			if (f != NULL)
				fclose(f);
			return -1;
		}
		fclose(f);
		line[strcspn(line, "\r\n")] = '\0';
		c->token = xstrdup(line);
	}
	if (cc->inputs == NULL) {
		*cause =
		    xasprintf("%s: \"inputs\" missing", conf_file_name(cf));
		return -1;
	}
	return 0;
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
	struct conf_file *cf;
	struct spool_limits lim;
	struct event *sigterm, *sigint, *self_ev;
	struct timeval tv;
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
	curl_global_init(CURL_GLOBAL_DEFAULT);

	if ((cf = conf_file_load(path, &cause)) == NULL) {
		fprintf(stderr, "citybrain-collector: %s\n", cause);
		free(cause);
		curl_global_cleanup();
		return 1;
	}
	c.base = event_base_new();
	c.curl = curlev_create(c.base);
	buf_init(&c.batch);
	c.batch_timer = evtimer_new(c.base, batch_cb, &c);
	if (conf_load(&c, cf, &cause) != 0 ||
	    inputs_create(&c, cf, &cause) != 0) {
		fprintf(stderr, "citybrain-collector: %s\n", cause);
		free(cause);
		goto out;
	}
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
	sigterm = evsignal_new(c.base, SIGTERM, stop_cb, &c);
	sigint = evsignal_new(c.base, SIGINT, stop_cb, &c);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	self_ev = event_new(c.base, -1, EV_PERSIST, self_cb, &c);
	tv.tv_sec = c.conf.self_interval / 1000;
	tv.tv_usec = (c.conf.self_interval % 1000) * 1000;
	event_add(self_ev, &tv);
	inputs_start(&c);

	event_base_dispatch(c.base);

	/* Stop: what is in memory goes to the spool; nothing is lost. */
	c.stopping = 1;
	self_cb(-1, 0, &c);
	collector_flush(&c);
	curlev_free(c.curl);
	c.curl = NULL;
	push_free(c.push);
	c.push = NULL;
	event_free(sigterm);
	event_free(sigint);
	event_free(self_ev);
	status = 0;
out:
	inputs_free(&c);
	curlev_free(c.curl);
	spool_close(c.spool);
	event_free(c.batch_timer);
	buf_free(&c.batch);
	tags_free(c.tags, c.ntags);
	free(c.token);
	free(c.conf.token);
	free(c.conf.token_file);
	free(c.conf.spool_dir);
	free(c.conf.name);
	conf_strarray_free(c.conf.urls);
	event_base_free(c.base);
	conf_file_free(cf);
	curl_global_cleanup();
	return status;
}
