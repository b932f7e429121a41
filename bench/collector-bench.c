/*
 * bench/collector-bench: the collector's footprint with 100 HTTP checks and
 * 10 exec (Nagios) inputs at a 10 s interval, against a local evhttp
 * server playing both the checked systems and the hub.
 *
 *   bench/collector-bench [-c PATH-TO-citybrain-collector] [-i SECONDS]
 *                         [-n CYCLES] [-p NAGIOS-PLUGIN]
 *
 * Prints collector_rss_mib (peak VmRSS), collector_rss_anon_mib (its
 * private part), collector_pss_mib, collector_cycle_cpu_ms (the
 * collector's own CPU per collection cycle) and
 * collector_cycle_children_cpu_ms (the exec'd plugins' CPU per cycle).
 */
#include "config.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

static void
server_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *b = evbuffer_new();
	int code = 200;

	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST)
		code = strncmp(evhttp_request_get_uri(req), "/api/v1/events",
		           14) == 0
		           ? 202
		           : 204;
	else
		evbuffer_add_printf(b, "ok\n");
	evhttp_send_reply(req, code, "OK", b);
	evbuffer_free(b);
}

/* Serve on an ephemeral port in a child; returns its pid and the port. */
static pid_t
server_start(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	pid_t pid;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(fd, 512) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		perror("collector-bench: listen");
		exit(1);
	}
	*port = ntohs(sa.sin_port);
	if ((pid = fork()) == 0) {
		struct event_base *base = event_base_new();
		struct evhttp *http = evhttp_new(base);

		evutil_make_socket_nonblocking(fd);
		evhttp_accept_socket(http, fd);
		evhttp_set_gencb(http, server_cb, NULL);
		event_base_dispatch(base);
		_exit(0);
	}
	close(fd);
	return pid;
}

/* Field of /proc/PID/status or smaps_rollup, in kB; -1 if absent. */
static long
proc_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, key, strlen(key)) == 0 &&
		    line[strlen(key)] == ':') {
			v = atol(line + strlen(key) + 1);
			break;
		}
	}
	fclose(f);
	return v;
}

/* utime+stime and cutime+cstime of pid, in ms. */
static void
proc_cpu(pid_t pid, double *self_ms, double *children_ms)
{
	unsigned long long ut, st, cut, cst;
	char path[64], buf[1024], *p;
	FILE *f;
	double tick = (double)sysconf(_SC_CLK_TCK);

	*self_ms = *children_ms = 0;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fgets(buf, sizeof buf, f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL &&
	    sscanf(p + 2,
	        "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
	        "%llu %llu %llu",
	        &ut, &st, &cut, &cst) == 4) {
		*self_ms = (double)(ut + st) * 1000.0 / tick;
		*children_ms = (double)(cut + cst) * 1000.0 / tick;
	}
	fclose(f);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
	const char *collector = "collectors/citybrain-collector";
	const char *plugin = "/usr/lib/nagios/plugins/check_dummy";
	char dir[] = "/tmp/collector-bench.XXXXXX", conf[256];
	double s0, c0, s1, c1;
	long rss, peak = 0, anon = 0, pss;
	int interval = 10, cycles = 3, port, ch, i, status;
	pid_t server, coll;
	FILE *f;

	while ((ch = getopt(argc, argv, "c:i:n:p:")) != -1) {
		switch (ch) {
		case 'c':
			collector = optarg;
			break;
		case 'i':
			interval = atoi(optarg);
			break;
		case 'n':
			cycles = atoi(optarg);
			break;
		case 'p':
			plugin = optarg;
			break;
		default:
			fprintf(stderr,
			    "usage: collector-bench [-c COLLECTOR] "
			    "[-i SECONDS] [-n CYCLES] [-p PLUGIN]\n");
			return 2;
		}
	}
	if (interval < 1 || cycles < 1 || mkdtemp(dir) == NULL)
		return 2;
	if (access(plugin, X_OK) != 0)
		plugin = "/bin/true";
	server = server_start(&port);

	snprintf(conf, sizeof conf, "%s/collector.json", dir);
	f = fopen(conf, "w");
	fprintf(f,
	    "{\"name\": \"bench\", \"hub\": {\"urls\": "
	    "[\"http://127.0.0.1:%d\"]},\n \"spool\": {\"dir\": "
	    "\"%s/spool\"}, \"self_interval\": \"%ds\",\n"
	    " \"tags\": {\"dept\": \"bench\"}, \"inputs\": [\n",
	    port, dir, interval);
	for (i = 0; i < 100; i++)
		fprintf(f,
		    "  {\"type\": \"http_check\", \"name\": \"sys-%03d\", "
		    "\"interval\": \"%ds\", \"url\": "
		    "\"http://127.0.0.1:%d/health/%d\", \"expect_body\": "
		    "\"ok\", \"tags\": {\"system\": \"sys-%03d\"}},\n",
		    i, interval, port, i, i);
	for (i = 0; i < 10; i++)
		fprintf(f,
		    "  {\"type\": \"exec\", \"name\": \"nagios-%d\", "
		    "\"interval\": \"%ds\", \"command\": [\"%s\", \"0\", "
		    "\"fine\"]}%s\n",
		    i, interval, plugin, i < 9 ? "," : "");
	fprintf(f, "]}\n");
	fclose(f);

	if ((coll = fork()) == 0) {
		execl(collector, collector, "-q", "-c", conf, (char *)NULL);
		perror(collector);
		_exit(127);
	}
	/* One cycle to warm up (first runs are spread over the jitter). */
	sleep_ms(interval * 1000L + 500);
	proc_cpu(coll, &s0, &c0);
	for (i = 0; i < cycles * interval * 4; i++) {
		sleep_ms(250);
		if ((rss = proc_kb(coll, "status", "VmRSS")) > peak) {
			peak = rss;
			anon = proc_kb(coll, "status", "RssAnon");
		}
	}
	proc_cpu(coll, &s1, &c1);
	pss = proc_kb(coll, "smaps_rollup", "Pss");
	kill(coll, SIGTERM);
	waitpid(coll, &status, 0);
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	if (peak <= 0) {
		fprintf(stderr, "collector-bench: the collector did not run\n");
		return 1;
	}
	printf("collector_rss_mib: %.2f MiB\n", (double)peak / 1024.0);
	printf("collector_rss_anon_mib: %.2f MiB\n", (double)anon / 1024.0);
	if (pss >= 0)
		printf("collector_pss_mib: %.2f MiB\n", (double)pss / 1024.0);
	printf("collector_cycle_cpu_ms: %.1f ms\n", (s1 - s0) / cycles);
	printf(
	    "collector_cycle_children_cpu_ms: %.1f ms\n", (c1 - c0) / cycles);
	printf("collector_inputs: 110 (100 http_check, 10 exec), interval "
	       "%d s, %d cycles\n",
	    interval, cycles);
	/* Leave no files behind. */
	snprintf(conf, sizeof conf, "rm -rf '%s'", dir);
	if (system(conf) != 0)
		return 1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
