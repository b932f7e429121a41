/*
 * ingest-bench: end-to-end ingest throughput of citybraind over loopback.
 *
 * Starts a citybraind (the Futian configuration, a fresh data directory),
 * then C keep-alive connections each POST line-protocol bodies of about
 * 5,000 lines (bench/gen.h's line mode, S active series in all) for D
 * seconds.  Each connection generates 8 bodies before the clock starts
 * and re-sends them with their timestamps moved forward, so the figure
 * measures the hub, not the generator's printf.
 * Prints
 *   ingest_points_per_s: N points/s   (acknowledged points / elapsed)
 *   ingest_lines_per_s: N lines/s
 *   hub_peak_rss_mib: N MiB           (the hub's VmHWM at the end)
 *   hub_threads_cpu_pct: NAME N ...   (each busy thread's share of a core)
 *   ingest_points_per_busiest_thread_cpu_s: N points/s (NAME)
 *                                     (points / CPU-s of the busiest thread:
 *                                     the rate with a core per thread)
 *   bench_cpu_pct: N % of one core    (this process: the generator)
 *   machine_idle_pct: N % of C cores  (/proc/stat: the cores' idle share)
 *   machine_other_cpu_pct: N % of one core (busy, neither hub nor bench)
 * Usage: ingest-bench [-c CONNS] [-d SECONDS] [-s SERIES] [-l LINES]
 *                     [-f FIELDS] [--hub PATH] [--conf DIR]
 *                     [--cache-mib N] [--batchlog-mib N]  (store options,
 *                     default 8 and 8)
 *                     [--remote-write URL [--shards N] [--remote-batch N]]
 *                     [--ingest-threads N]  (hub.json ingest_threads;
 *                     default: the hub's)
 * With --remote-write the hub also forwards everything to URL (e.g. a
 * victoria-metrics' /api/v1/write, hub/remote/) and it prints besides
 *   forward_samples_per_s: N samples/s  (acknowledged by the receiver /
 *                                        time until the queue was empty)
 *   forward_lag_at_end_s: N s           (the hub's lag when ingest stopped)
 *   forward_drain_s: N s                (from then until the queue was empty)
 *   forward_drain_samples_per_s: N      (samples sent during a drain of a
 *                                        second or more / its time: the
 *                                        forwarding alone, backlogged)
 *   points_per_hub_cpu_s_until_forwarded: N  (acknowledged points / the
 *                                        hub's CPU seconds from the start
 *                                        until the queue was empty)
 * and, with or without forwarding, once the hub is idle again (its
 * flushes and compactions, and with forwarding its whole queue, done):
 *   hub_cpu_s_per_m_points: N s         (the hub's CPU seconds during
 *                                        ingest per million points)
 *   hub_cpu_s_per_m_points_settled: N s (its CPU seconds from the start
 *                                        until idle per million points:
 *                                        all the work the points caused,
 *                                        however late; bench/README.md)
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/gen.h"
#include "bench/proc.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"

#define BENCH_TOKEN "cbt_ingest_bench_token"
/* sha256("cbt_ingest_bench_token") */
#define BENCH_TOKEN_SHA \
	"e81fdaa8c17a98591164197bb41f97a9f3ea8f6f3d9cae5733a19809040015ca"

struct bench {
	int port;
	int conns, seconds, lines, fields;
	long series;
	long long cache_mib, batchlog_mib;
	int64_t t0;       /* first timestamp, ms */
	int64_t deadline; /* mono ms */
	char **grids;
	size_t ngrids;
	pthread_mutex_t lock;
	volatile int ready, go;
	uint64_t points, nlines, requests, errors;
};

struct worker {
	struct bench *b;
	int id;
};

static int
bench_connect(int port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static int
bench_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read one HTTP response; returns its status code or -1. */
static int
bench_read_response(int fd, struct buf *in)
{
	char *hdr_end, *cl;
	size_t need;
	ssize_t r;
	long len = 0;
	int code;

	buf_reset(in);
	for (;;) {
		buf_reserve(in, 4096);
		r = read(fd, in->data + in->len, in->cap - in->len - 1);
		if (r <= 0)
			return -1;
		in->len += (size_t)r;
		in->data[in->len] = '\0';
		if ((hdr_end = strstr(in->data, "\r\n\r\n")) != NULL)
			break;
	}
	if (sscanf(in->data, "HTTP/1.1 %d", &code) != 1)
		return -1;
	if ((cl = strcasestr(in->data, "Content-Length:")) != NULL &&
	    cl < hdr_end)
		len = strtol(cl + 15, NULL, 10);
	need = (size_t)(hdr_end + 4 - in->data) + (size_t)len;
	while (in->len < need) {
		buf_reserve(in, need - in->len + 1);
		r = read(fd, in->data + in->len, need - in->len);
		if (r <= 0)
			return -1;
		in->len += (size_t)r;
	}
	return code;
}

/*
 * A body generated once, re-sent with its timestamps moved forward: the
 * offsets of the 13-digit millisecond timestamps are kept so that each
 * cycle rewrites them in place, cheaply, leaving the hub as the work.
 */
struct bench_body {
	struct buf text;
	size_t nlines;
	size_t *toff; /* offset of each line's timestamp */
	int64_t *t;   /* its original value */
};

static void
bench_body_index(struct bench_body *bb)
{
	char *p = bb->text.data, *end = p + bb->text.len, *nl, *sp;
	size_t i = 0;

	bb->toff = xcalloc(bb->nlines + 1, sizeof *bb->toff);
	bb->t = xcalloc(bb->nlines + 1, sizeof *bb->t);
	while (p < end && i < bb->nlines) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		for (sp = nl; sp > p && sp[-1] != ' '; sp--)
			;
		bb->toff[i] = (size_t)(sp - bb->text.data);
		bb->t[i] = strtoll(sp, NULL, 10);
		i++;
		p = nl + 1;
	}
	bb->nlines = i;
}

/* Rewrite the timestamps as t + shift (13 digits each). */
static void
bench_body_shift(struct bench_body *bb, int64_t shift)
{
	size_t i;
	int d;
	int64_t v;
	char *q;

	for (i = 0; i < bb->nlines; i++) {
		v = bb->t[i] + shift;
		q = bb->text.data + bb->toff[i];
		for (d = 12; d >= 0; d--) {
			q[d] = (char)('0' + v % 10);
			v /= 10;
		}
	}
}

static void *
bench_worker(void *arg)
{
	struct worker *w = arg;
	struct bench *b = w->b;
	struct bench_body *bodies;
	struct buf req = BUF_INIT, in = BUF_INIT;
	struct gen *g;
	uint64_t points = 0, lines = 0, requests = 0, errors = 0;
	int64_t tmin = INT64_MAX, tmax = 0, span;
	size_t k, i, nb = 8;
	int fd, code;

	/* series counts points' series: lines x fields */
	g = gen_new(b->series / b->fields / b->conns, b->fields,
	    (uint64_t)w->id + 1, b->t0, 10000);
	gen_set_prefix(g, w->id);
	bodies = xcalloc(nb, sizeof *bodies);
	for (k = 0; k < nb; k++) {
		buf_init(&bodies[k].text);
		bodies[k].nlines =
		    gen_lines(g, &bodies[k].text, (size_t)b->lines);
		bench_body_index(&bodies[k]);
		for (i = 0; i < bodies[k].nlines; i++) {
			if (bodies[k].t[i] < tmin)
				tmin = bodies[k].t[i];
			if (bodies[k].t[i] > tmax)
				tmax = bodies[k].t[i];
		}
	}
	gen_free(g);
	span = tmax - tmin + 10000;
	if ((fd = bench_connect(b->port)) < 0) {
		fprintf(stderr, "ingest-bench: connect: %s\n", strerror(errno));
		exit(1);
	}
	pthread_mutex_lock(&b->lock);
	b->ready++;
	pthread_mutex_unlock(&b->lock);
	while (b->go == 0)
		usleep(1000);
	for (i = 0; clock_mono_ms() < b->deadline; i++) {
		struct bench_body *bb = &bodies[i % nb];

		if (i >= nb && i % nb == 0) {
			for (k = 0; k < nb; k++)
				bench_body_shift(
				    &bodies[k], (int64_t)(i / nb) * span);
		}
		buf_reset(&req);
		buf_printf(&req,
		    "POST /api/v1/write?precision=ms HTTP/1.1\r\n"
		    "Host: 127.0.0.1\r\n"
		    "Authorization: Bearer " BENCH_TOKEN "\r\n"
		    "Content-Type: text/plain\r\n"
		    "Content-Length: %zu\r\n\r\n",
		    bb->text.len);
		if (bench_write_all(fd, req.data, req.len) != 0 ||
		    bench_write_all(fd, bb->text.data, bb->text.len) != 0) {
			errors++;
			break;
		}
		code = bench_read_response(fd, &in);
		requests++;
		if (code == 204) {
			points += bb->nlines * (size_t)b->fields;
			lines += bb->nlines;
		} else {
			if (errors++ == 0)
				fprintf(stderr,
				    "ingest-bench: status %d: %.300s\n", code,
				    in.data != NULL ? in.data : "");
			if (code < 0)
				break;
		}
	}
	close(fd);
	for (k = 0; k < nb; k++) {
		buf_free(&bodies[k].text);
		free(bodies[k].toff);
		free(bodies[k].t);
	}
	free(bodies);
	buf_free(&req);
	buf_free(&in);
	pthread_mutex_lock(&b->lock);
	b->points += points;
	b->nlines += lines;
	b->requests += requests;
	b->errors += errors;
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

static int
bench_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sin, sizeof sin);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Value of a metric line "name value" in the hub's /metrics, or -1. */
static double
bench_hub_metric(int port, const char *name)
{
	struct buf in = BUF_INIT;
	char req[256], *p, *key;
	double v = -1;
	int fd;

	if ((fd = bench_connect(port)) < 0)
		return -1;
	snprintf(req, sizeof req,
	    "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	if (bench_write_all(fd, req, strlen(req)) == 0 &&
	    bench_read_response(fd, &in) == 200) {
		key = xasprintf("\n%s ", name);
		if ((p = strstr(in.data, key)) != NULL)
			v = strtod(p + strlen(key), NULL);
		free(key);
	}
	close(fd);
	buf_free(&in);
	return v;
}

/* With --remote-write: wait until the hub's forwarding queue is empty
 * (at most 10 minutes) and print the forwarding figures; cpu0 is the
 * hub's CPU seconds when ingest started. */
static void
bench_forward(struct bench *b, int64_t elapsed, pid_t pid, double cpu0)
{
	double lag = bench_hub_metric(
	    b->port, "citybraind_remote_lag_seconds{target=\"bench\"}");
	double sent0 = bench_hub_metric(
	    b->port, "citybraind_remote_sent_samples_total{target=\"bench\"}");
	int64_t t0 = clock_mono_ms(), drain;
	double sent;

	/* Every 200 ms: each /metrics costs the hub a walk of its series
	 * (store stats), and at 50 a second that was about 0.02 CPU
	 * seconds per million points, charged to forwarding (perf). */
	while (bench_hub_metric(b->port,
	           "citybraind_remote_queue_bytes{target=\"bench\"}") != 0 &&
	       clock_mono_ms() - t0 < 600000)
		usleep(200000);
	drain = clock_mono_ms() - t0;
	sent = bench_hub_metric(
	    b->port, "citybraind_remote_sent_samples_total{target=\"bench\"}");
	printf("forward_samples_per_s: %.0f samples/s\n",
	    sent * 1000.0 / (double)(elapsed + drain));
	printf("forward_lag_at_end_s: %.1f s\n", lag);
	printf("forward_drain_s: %.1f s\n", (double)drain / 1000.0);
	/* With a backlog at the end, its drain is forwarding alone. */
	if (drain >= 1000)
		printf("forward_drain_samples_per_s: %.0f samples/s\n",
		    (sent - sent0) * 1000.0 / (double)drain);
	/* The hub's CPU until everything was forwarded: what a point costs
	 * it when forwarding does not fall behind for good. */
	printf("points_per_hub_cpu_s_until_forwarded: %.0f points/s\n",
	    (double)b->points / (bench_cpu_s(pid) - cpu0));
	printf("forward_sent_samples: %.0f samples (%llu acknowledged by the "
	       "hub)\n",
	    sent, (unsigned long long)b->points);
}

static void
usage(void)
{
	fprintf(stderr,
	    "Usage: ingest-bench [-c CONNS] [-d SECONDS] [-s SERIES] "
	    "[-l LINES] [-f FIELDS]\n"
	    "                    [--hub PATH] [--conf DIR] [--cache-mib N] "
	    "[--batchlog-mib N]\n"
	    "                    [--remote-write URL [--shards N] "
	    "[--remote-batch N]]\n"
	    "                    [--ingest-threads N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"hub", required_argument, NULL, 'H'},
	    {"conf", required_argument, NULL, 'C'},
	    {"cache-mib", required_argument, NULL, 'M'},
	    {"batchlog-mib", required_argument, NULL, 'B'},
	    {"remote-write", required_argument, NULL, 'R'},
	    {"shards", required_argument, NULL, 'S'},
	    {"remote-batch", required_argument, NULL, 'b'},
	    {"ingest-threads", required_argument, NULL, 'T'},
	    {NULL, 0, NULL, 0},
	};
	struct bench b;
	struct worker *ws;
	pthread_t *th;
	const char *hub = "hub/citybraind", *conf = NULL, *top, *remote = NULL;
	char *rw;
	int shards = 1, rbatch = 2000;
	char dir[] = "/tmp/ingest-bench.XXXXXX", *path, *cmd;
	char port_s[32];
	FILE *f;
	pid_t pid;
	int64_t start, elapsed;
	double cpu0, cpu1, cpu2, memtable, head, ckpts, ckpt_s, spilled;
	struct bench_threads bt0, bt1;
	struct bench_machine m0, m1;
	int ithreads = INT32_MIN;
	long hwm, anon, file;
	int ch, i, fd;

	memset(&b, 0, sizeof b);
	b.conns = 2;
	b.seconds = 10;
	b.lines = 5000;
	b.fields = 4;
	b.series = 10000;
	b.cache_mib = 8;
	b.batchlog_mib = 8;
	while ((ch = getopt_long(argc, argv, "c:d:s:l:f:", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'c':
			b.conns = atoi(optarg);
			break;
		case 'd':
			b.seconds = atoi(optarg);
			break;
		case 's':
			b.series = atol(optarg);
			break;
		case 'l':
			b.lines = atoi(optarg);
			break;
		case 'f':
			b.fields = atoi(optarg);
			break;
		case 'H':
			hub = optarg;
			break;
		case 'C':
			conf = optarg;
			break;
		case 'M':
			b.cache_mib = atoll(optarg);
			break;
		case 'B':
			b.batchlog_mib = atoll(optarg);
			break;
		case 'R':
			remote = optarg;
			break;
		case 'S':
			shards = atoi(optarg);
			break;
		case 'b':
			rbatch = atoi(optarg);
			break;
		case 'T':
			ithreads = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (b.conns < 1 || b.seconds < 1 || b.lines < 1 || b.fields < 1 ||
	    b.series < b.conns)
		usage();
	if (conf == NULL) {
		top = getenv("top_srcdir");
		conf = xasprintf("%s/conf/futian", top != NULL ? top : ".");
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	b.port = bench_free_port();
	path = xasprintf("%s/tokens.json", dir);
	f = fopen(path, "w");
	fprintf(f,
	    "{\"tokens\": [{\"name\": \"bench\", \"sha256\": \"%s\", "
	    "\"systems\": [\"*\"], \"grids\": [\"*\"]}]}\n",
	    BENCH_TOKEN_SHA);
	fclose(f);
	free(path);
	path = xasprintf("%s/hub.json", dir);
	f = fopen(path, "w");
	rw = remote == NULL
	         ? xstrdup("")
	         : xasprintf(",\n \"remote_write\": [{\"name\": "
	                     "\"bench\", \"url\": \"%s\", \"queue\": "
	                     "{\"shards\": %d, \"batch_samples\": %d}}]",
	               remote, shards, rbatch);
	if (ithreads != INT32_MIN) {
		char *t =
		    xasprintf("%s,\n \"ingest_threads\": %d", rw, ithreads);

		free(rw);
		rw = t;
	}
	fprintf(f,
	    "{\"listen\": \"127.0.0.1:%d\", \"socket\": \"\", \"data\": "
	    "\"%s/data\",\n \"territory\": \"%s/territory.json\", "
	    "\"systems\": \"%s/systems.json\",\n \"users\": "
	    "\"%s/users.json\", \"tokens\": \"%s/tokens.json\",\n"
	    " \"store\": {\"sync\": false, \"cache_bytes\": %lld, "
	    "\"batchlog_bytes\": %lld}%s}\n",
	    b.port, dir, conf, conf, conf, dir, b.cache_mib << 20,
	    b.batchlog_mib << 20, rw);
	free(rw);
	fclose(f);
	snprintf(port_s, sizeof port_s, "%d", b.port);
	if ((pid = fork()) == 0) {
		if ((fd = open("/dev/null", 1)) >= 0)
			dup2(fd, 2);
		execl(hub, "citybraind", "-q", "--config", path, (char *)NULL);
		perror(hub);
		_exit(127);
	}
	free(path);
	for (i = 0; i < 200; i++) {
		if ((fd = bench_connect(b.port)) >= 0) {
			close(fd);
			break;
		}
		usleep(50000);
	}
	if (i == 200) {
		fprintf(stderr, "ingest-bench: %s did not start\n", hub);
		kill(pid, SIGTERM);
		return 1;
	}
	/* Grids of the territory for realistic tags. */
	b.t0 = (clock_wall_ms() / 1000 - 86400) * 1000;
	pthread_mutex_init(&b.lock, NULL);
	ws = xcalloc((size_t)b.conns, sizeof *ws);
	th = xcalloc((size_t)b.conns, sizeof *th);
	b.deadline = INT64_MAX;
	for (i = 0; i < b.conns; i++) {
		ws[i].b = &b;
		ws[i].id = i;
		pthread_create(&th[i], NULL, bench_worker, &ws[i]);
	}
	/* Bodies are generated before the clock starts. */
	while (b.ready < b.conns)
		usleep(1000);
	cpu0 = bench_cpu_s(pid);
	bench_threads_read(pid, &bt0);
	bench_machine_read(&m0);
	start = clock_mono_ms();
	b.deadline = start + (int64_t)b.seconds * 1000;
	__atomic_store_n(&b.go, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < b.conns; i++)
		pthread_join(th[i], NULL);
	elapsed = clock_mono_ms() - start;
	bench_machine_read(&m1);
	cpu1 = bench_cpu_s(pid);
	bench_threads_read(pid, &bt1);
	hwm = bench_status_kib(pid, "VmHWM:");
	anon = bench_status_kib(pid, "RssAnon:");
	file = bench_status_kib(pid, "RssFile:");
	memtable = bench_hub_metric(b.port, "citybraind_store_memtable_bytes");
	head = bench_hub_metric(b.port, "citybraind_store_head_bytes");
	ckpts = bench_hub_metric(b.port, "citybraind_store_checkpoints_total");
	spilled =
	    bench_hub_metric(b.port, "citybraind_store_batches_spilled_total");
	ckpt_s = bench_hub_metric(
	    b.port, "citybraind_store_checkpoint_seconds_total");
	if (remote != NULL)
		bench_forward(&b, elapsed, pid, cpu0);
	cpu2 = bench_cpu_settled(pid);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "ingest-bench: cannot remove %s\n", dir);
	free(cmd);
	printf("ingest_points_per_s: %.0f points/s\n",
	    (double)b.points * 1000.0 / (double)elapsed);
	printf("ingest_lines_per_s: %.0f lines/s\n",
	    (double)b.nlines * 1000.0 / (double)elapsed);
	printf("ingest_requests: %llu requests (%llu errors), %d connections, "
	       "%ld series, %d lines x %d fields per body\n",
	    (unsigned long long)b.requests, (unsigned long long)b.errors,
	    b.conns, b.series, b.lines, b.fields);
	printf("hub_cpu_pct: %.0f %% of one core\n",
	    (cpu1 - cpu0) * 100000.0 / (double)elapsed);
	if (cpu1 > cpu0)
		printf("ingest_points_per_hub_cpu_s: %.0f points/s\n",
		    (double)b.points / (cpu1 - cpu0));
	if (b.points > 0) {
		printf("hub_cpu_s_per_m_points: %.3f s\n",
		    (cpu1 - cpu0) * 1e6 / (double)b.points);
		printf("hub_cpu_s_per_m_points_settled: %.3f s\n",
		    (cpu2 - cpu0) * 1e6 / (double)b.points);
	}
	bench_threads_report(&bt0, &bt1, b.points, elapsed);
	bench_machine_report(&m0, &m1, cpu1 - cpu0, elapsed);
	printf("hub_peak_rss_mib: %.1f MiB\n", (double)hwm / 1024.0);
	printf("hub_rss_anon_mib: %.1f MiB (at the end; RssFile %.1f MiB: "
	       "libraries' pages)\n",
	    (double)anon / 1024.0, (double)file / 1024.0);
	printf("hub_store_memtable_mib: %.1f MiB (at the end)\n",
	    memtable / 1048576.0);
	printf("hub_store_head_mib: %.1f MiB (series index and open chunks)\n",
	    head / 1048576.0);
	if (spilled >= 0)
		printf("hub_batches_spilled: %.0f of %llu requests (read back "
		       "from the batch log)\n",
		    spilled, (unsigned long long)b.requests);
	if (ckpts > 0)
		printf("hub_checkpoint_ms_mean: %.1f ms (%.0f checkpoints, "
		       "%.1f %% of the run on the apply thread)\n",
		    ckpt_s * 1000.0 / ckpts, ckpts,
		    ckpt_s * 100000.0 / (double)elapsed);
	free(ws);
	free(th);
	return b.errors > 0 ? 1 : 0;
}
