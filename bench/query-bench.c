/*
 * query-bench: store-bench's four queries through a running citybraind,
 * end to end over HTTP on loopback, over TCP and over the unix socket.
 *
 * Starts a citybraind (the Futian territory, a fresh data directory,
 * store.sync false), loads H hours of district data (bench/gen.h, 1,000
 * grids and 100 systems: about 12 M points for 3 h 15 min) over one
 * keep-alive TCP connection, then times on one keep-alive connection per
 * transport, from the first byte of the request to the last of the reply:
 *   (a) raw 3 h of one grid's env_aqi (1,080 points), 200 times
 *   (b) avg env_aqi by subdistrict at a 1 min step over 3 h, 40 times
 *   (c) the last system_up of every system (agg=last over the last 10
 *       minutes), 200 times
 *   (d) max water_level_m by community over the last hour, 100 times
 * Prints query_{a,b,c,d}_{tcp,unix}_{p50,p99}_ms and reply_{a,b,c,d}_bytes.
 *
 * Usage: query-bench [--hours H] [--grids N] [--systems N] [--hub PATH]
 *                    [--conf DIR] [--gzip] [-v]
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/gen.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"

#define QB_COLLECTOR "cbt_query_bench_collector"
#define QB_COLLECTOR_SHA \
	"3dae91868f0819da0e5a021da01f119d12d419c1a5852f4ca26fde5a84362a80"
#define QB_VIEWER "cbt_query_bench_viewer"
#define QB_VIEWER_SHA \
	"8eb27aecafdde8a6d31f361806e491262fc1b19b4de227d4d201223cef77ce1a"
#define HOUR 3600000LL

struct qb {
	double hours;
	int grids, systems, gzip, verbose, port;
	char dir[64];
	char *sock;
};

/* The hub started and its directory, stopped and removed at exit. */
static pid_t qb_hub_pid;
static char qb_hub_dir[64];

static void
qb_cleanup(void)
{
	char *cmd;

	if (qb_hub_pid > 0) {
		kill(qb_hub_pid, SIGTERM);
		waitpid(qb_hub_pid, NULL, 0);
		qb_hub_pid = 0;
	}
	if (*qb_hub_dir != '\0') {
		cmd = xasprintf("rm -rf '%s'", qb_hub_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "query-bench: could not remove %s\n",
			    qb_hub_dir);
		free(cmd);
		*qb_hub_dir = '\0';
	}
}

static void
qb_die(const char *what)
{
	fprintf(stderr, "query-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
qb_connect_tcp(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static int
qb_connect_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Send the request and read one response into in (head and body); its
 * status, or -1. */
static int
qb_exchange(int fd, const struct buf *req, struct buf *in, size_t *bodylen)
{
	const char *p = req->data, *hdr_end, *cl;
	size_t n = req->len, need;
	ssize_t r;
	int code;

	while (n > 0) {
		if ((r = write(fd, p, n)) < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	buf_reset(in);
	for (;;) {
		buf_reserve(in, 65536);
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
	cl = strcasestr(in->data, "Content-Length:");
	*bodylen = cl != NULL && cl < hdr_end
	               ? (size_t)strtol(cl + 15, NULL, 10)
	               : 0; /* 204 */
	need = (size_t)(hdr_end + 4 - in->data) + *bodylen;
	while (in->len < need) {
		buf_reserve(in, need - in->len + 1);
		r = read(fd, in->data + in->len, need - in->len);
		if (r <= 0)
			return -1;
		in->len += (size_t)r;
	}
	return code;
}

static void
qb_write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		qb_die(path);
	free(path);
}

/* Start citybraind on a fresh directory; its pid. */
static pid_t
qb_start_hub(struct qb *b, const char *hub, const char *conf)
{
	struct passwd *pw = getpwuid(getuid());
	char *text, *path;
	pid_t pid;
	int fd, i, port;
	socklen_t len;
	struct sockaddr_in sin;

	strcpy(b->dir, "/tmp/query-bench.XXXXXX");
	if (mkdtemp(b->dir) == NULL)
		qb_die("mkdtemp");
	strcpy(qb_hub_dir, b->dir);
	atexit(qb_cleanup);
	/* A free port: bind to 0 and read it back. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	len = sizeof sin;
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		qb_die("bind");
	port = ntohs(sin.sin_port);
	close(fd);
	b->port = port;
	b->sock = xasprintf("%s/hub.sock", b->dir);
	text = xasprintf("{\"tokens\": [\n"
	                 " {\"name\": \"bench\", \"sha256\": \"%s\", "
	                 "\"systems\": [\"*\"], \"grids\": [\"*\"]},\n"
	                 " {\"name\": \"viewer\", \"sha256\": \"%s\", "
	                 "\"user\": \"bench-viewer\"}]}\n",
	    QB_COLLECTOR_SHA, QB_VIEWER_SHA);
	qb_write_file(b->dir, "tokens.json", text);
	free(text);
	text = xasprintf("{\"users\": [\n"
	                 " {\"name\": \"%s\", \"role\": \"viewer\", "
	                 "\"scope\": \"440304000000\"},\n"
	                 " {\"name\": \"bench-viewer\", \"role\": \"viewer\", "
	                 "\"scope\": \"440304000000\"}]}\n",
	    pw != NULL ? pw->pw_name : "root");
	qb_write_file(b->dir, "users.json", text);
	free(text);
	text = xasprintf("{\"listen\": \"127.0.0.1:%d\", \"socket\": \"%s\",\n"
	                 " \"data\": \"%s/data\", \"territory\": "
	                 "\"%s/territory.json\",\n"
	                 " \"systems\": \"%s/systems.json\", \"users\": "
	                 "\"%s/users.json\",\n"
	                 " \"tokens\": \"%s/tokens.json\", \"store\": "
	                 "{\"sync\": false}}\n",
	    port, b->sock, b->dir, conf, conf, b->dir, b->dir);
	qb_write_file(b->dir, "hub.json", text);
	free(text);
	path = xasprintf("%s/hub.json", b->dir);
	if ((pid = fork()) == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) >= 0)
			dup2(fd, 2);
		execl(hub, "citybraind", "-q", "--config", path, (char *)NULL);
		perror(hub);
		_exit(127);
	}
	qb_hub_pid = pid;
	free(path);
	for (i = 0; i < 400; i++) {
		if ((fd = qb_connect_tcp(port)) >= 0) {
			close(fd);
			break;
		}
		usleep(50000);
	}
	if (i == 400) {
		fprintf(stderr, "query-bench: %s did not start\n", hub);
		kill(pid, SIGTERM);
		exit(1);
	}
	for (i = 0; i < 200 && access(b->sock, F_OK) != 0; i++)
		usleep(50000);
	return pid;
}

/* POST the generated data, bodies of about 5,000 lines; the end time
 * (one past the last tick). */
static int64_t
qb_load(struct qb *b)
{
	struct gen_options go;
	struct gen *g;
	struct buf body = BUF_INIT, req = BUF_INIT, in = BUF_INIT;
	double *vals;
	int64_t t = 0, ticks, k, points = 0, t0 = clock_mono_ns();
	size_t lines = 0, bodylen;
	int fd, code;

	gen_options_init(&go);
	go.grids = b->grids;
	go.systems = b->systems;
	go.start_ms = (clock_wall_ms() - (int64_t)(b->hours * HOUR)) /
	              go.interval_ms * go.interval_ms;
	g = gen_open(&go);
	vals = xcalloc(gen_nseries(g), sizeof *vals);
	ticks = (int64_t)(b->hours * HOUR) / go.interval_ms;
	if ((fd = qb_connect_tcp(b->port)) < 0)
		qb_die("connect");
	for (k = 0; k <= ticks; k++) {
		if (k < ticks) {
			t = gen_tick(g, vals);
			lines += gen_tick_lineproto(g, t, vals, &body);
			points += (int64_t)gen_nseries(g);
		}
		if (lines < 5000 && k < ticks)
			continue;
		buf_reset(&req);
		buf_printf(&req,
		    "POST /api/v1/write?precision=ms HTTP/1.1\r\n"
		    "Host: 127.0.0.1\r\nAuthorization: Bearer " QB_COLLECTOR
		    "\r\nContent-Length: %zu\r\n\r\n",
		    body.len);
		buf_append(&req, body.data, body.len);
		if ((code = qb_exchange(fd, &req, &in, &bodylen)) != 204) {
			fprintf(stderr,
			    "query-bench: load: status %d: %.300s\n", code,
			    in.data != NULL ? in.data : "");
			exit(1);
		}
		buf_reset(&body);
		lines = 0;
	}
	close(fd);
	if (b->verbose)
		fprintf(stderr, "loaded %lld points in %.1f s\n",
		    (long long)points, (double)(clock_mono_ns() - t0) / 1e9);
	free(vals);
	gen_free(g);
	buf_free(&body);
	buf_free(&req);
	buf_free(&in);
	return t + 1;
}

static int
qb_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Time n GETs of the paths made by path(k) on fd; prints the figures. */
static void
qb_time(struct qb *b, int fd, const char *transport, const char *name, int n,
    char *(*path)(int k, int64_t end, const struct gen *g), int64_t end,
    const struct gen *g)
{
	struct buf req = BUF_INIT, in = BUF_INIT;
	double *ms = xcalloc((size_t)n, sizeof *ms);
	size_t bodylen = 0;
	char *p;
	int k, code;

	for (k = 0; k < n; k++) {
		int64_t start;

		p = path(k, end, g);
		buf_reset(&req);
		buf_printf(&req,
		    "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s\r\n", p,
		    strcmp(transport, "tcp") == 0
		        ? "Authorization: Bearer " QB_VIEWER "\r\n"
		        : "",
		    b->gzip ? "Accept-Encoding: gzip\r\n" : "");
		free(p);
		start = clock_mono_ns();
		code = qb_exchange(fd, &req, &in, &bodylen);
		ms[k] = (double)(clock_mono_ns() - start) / 1e6;
		if (code != 200) {
			fprintf(stderr,
			    "query-bench: %s %s: status %d: %.300s\n", name,
			    transport, code, in.data != NULL ? in.data : "");
			exit(1);
		}
	}
	qsort(ms, (size_t)n, sizeof *ms, qb_cmp);
	printf("query_%s_%s_p50_ms: %.3f ms\n", name, transport, ms[n / 2]);
	printf("query_%s_%s_p99_ms: %.3f ms\n", name, transport,
	    ms[(int)ceil(n * 0.99) - 1]);
	if (strcmp(transport, "tcp") == 0)
		printf("reply_%s_bytes: %zu bytes\n", name, bodylen);
	free(ms);
	buf_free(&req);
	buf_free(&in);
}

/* The four queries' paths (caller frees). */
static char *
qb_path_a(int k, int64_t end, const struct gen *g)
{
	return xasprintf("/api/v1/query?q=env_aqi%%7Bgrid%%3D%%22%s%%22%%7D"
	                 "&start=%lld&end=%lld",
	    gen_grid_code(g, (k * 7919) % gen_ngrids(g)),
	    (long long)(end - 3 * HOUR), (long long)end);
}

static char *
qb_path_b(int k, int64_t end, const struct gen *g)
{
	int64_t e = (end - k * 60000) / 60000 * 60000;

	return xasprintf("/api/v1/query?q=env_aqi&by=subdistrict&agg=avg"
	                 "&step=1m&start=%lld&end=%lld",
	    (long long)(e - 3 * HOUR), (long long)e);
}

static char *
qb_path_c(int k, int64_t end, const struct gen *g)
{
	int64_t e = end / 600000 * 600000 + 600000;

	return xasprintf("/api/v1/query?q=system_up&agg=last&step=10m"
	                 "&start=%lld&end=%lld",
	    (long long)(e - 600000), (long long)e);
}

static char *
qb_path_d(int k, int64_t end, const struct gen *g)
{
	int64_t e = end - k * 10000 + (k * 7919) % 10000;

	return xasprintf("/api/v1/query?q=water_level_m&by=community&agg=max"
	                 "&step=1h&start=%lld&end=%lld",
	    (long long)(e - HOUR), (long long)e);
}

static void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "Usage: query-bench [--hours H] [--grids N] [--systems N] "
	    "[--hub PATH] [--conf DIR]\n"
	    "                   [--gzip] [-v]\n");
	exit(status);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"hours", required_argument, NULL, 'h'},
	    {"grids", required_argument, NULL, 'g'},
	    {"systems", required_argument, NULL, 's'},
	    {"hub", required_argument, NULL, 'H'},
	    {"conf", required_argument, NULL, 'C'},
	    {"gzip", no_argument, NULL, 'z'},
	    {"help", no_argument, NULL, '?'},
	    {NULL, 0, NULL, 0},
	};
	struct qb b;
	struct gen_options go;
	struct gen *g;
	const char *hub = "hub/citybraind", *conf = NULL, *top;
	pid_t pid;
	int64_t end;
	int ch, fd, t;

	memset(&b, 0, sizeof b);
	b.hours = 3.25;
	b.grids = 1000;
	b.systems = 100;
	while ((ch = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			b.hours = atof(optarg);
			break;
		case 'g':
			b.grids = atoi(optarg);
			break;
		case 's':
			b.systems = atoi(optarg);
			break;
		case 'H':
			hub = optarg;
			break;
		case 'C':
			conf = optarg;
			break;
		case 'z':
			b.gzip = 1;
			break;
		case 'v':
			b.verbose = 1;
			break;
		default:
			usage(ch == '?' && optopt == 0 ? 0 : 2);
		}
	}
	if (b.hours < 3.1 || b.grids < 1 || b.systems < 1)
		usage(2);
	if (conf == NULL) {
		top = getenv("top_srcdir");
		conf = xasprintf("%s/conf/futian", top != NULL ? top : ".");
	}
	signal(SIGPIPE, SIG_IGN);
	pid = qb_start_hub(&b, hub, conf);
	end = qb_load(&b);
	/* The same generator again, for the grid codes. */
	gen_options_init(&go);
	go.grids = b.grids;
	go.systems = b.systems;
	g = gen_open(&go);
	for (t = 0; t < 2; t++) {
		const char *tr = t == 0 ? "tcp" : "unix";

		fd = t == 0 ? qb_connect_tcp(b.port) : qb_connect_unix(b.sock);
		if (fd < 0)
			qb_die(tr);
		qb_time(&b, fd, tr, "a", 200, qb_path_a, end, g);
		qb_time(&b, fd, tr, "b", 40, qb_path_b, end, g);
		qb_time(&b, fd, tr, "c", 200, qb_path_c, end, g);
		qb_time(&b, fd, tr, "d", 100, qb_path_d, end, g);
		close(fd);
	}
	gen_free(g);
	(void)pid;
	qb_cleanup();
	free(b.sock);
	return 0;
}
