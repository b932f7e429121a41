/*
 * console-bench: figures for the operator console (issue 6).
 *
 * - overview_frame_ms: a full repaint of the Overview (draw every panel,
 *   then ncurses emits the whole screen: clearok) with 1,000 grids and
 *   500 active alerts, into a virtual terminal (newterm on /dev/null),
 *   200x50; also overview_draw_ms (drawing only, no output) and
 *   map_frame_ms for the Map screen with the 1,000 grids.
 * - console_bytes_per_s_WxH: the real citybrain binary on a pty, Overview
 *   open, steady data (the same documents every refresh), refresh 2 s:
 *   bytes it writes to the terminal per second after the first paint.
 *
 * The data comes from a fake hub inside this program (a thread serving
 * fixed JSON on a unix socket), so the figures do not depend on the hub's
 * speed.  `console-bench --serve SOCKET` runs only that fake hub, to look
 * at the console by hand.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/api.h"
#include "tui/app.h"
#include "tui/screen.h"
#include "tui/term.h"

#define NGRIDS  1000
#define NALERTS 500

static const struct {
	const char *code, *name, *en;
	int communities;
} subs[] = {
    {"440304001000", "南园街道", "Nanyuan", 11},
    {"440304002000", "园岭街道", "Yuanling", 7},
    {"440304004000", "福田街道", "Futian", 13},
    {"440304005000", "沙头街道", "Shatou", 13},
    {"440304006000", "香蜜湖街道", "Xiangmihu", 9},
    {"440304007000", "梅林街道", "Meilin", 13},
    {"440304008000", "莲花街道", "Lianhua", 12},
    {"440304009000", "华富街道", "Huafu", 8},
    {"440304010000", "福保街道", "Fubao", 5},
    {"440304011000", "华强北街道", "Huaqiangbei", 5},
};
#define NSUBS ((int)(sizeof subs / sizeof subs[0]))

static const char *const platforms[][3] = {
    {"monitoring", "预警监测平台", "Early-warning & monitoring"},
    {"governance", "综合治理平台", "Comprehensive governance"},
    {"decision", "决策支持平台", "Decision support"},
    {"service", "公共服务平台", "Public service"},
    {"infrastructure", "基础技术平台", "Base technology"},
};

/* The documents, built once. */
static char *doc_overview, *doc_alerts, *doc_grids, *doc_map, *doc_tree,
    *doc_query, *doc_whoami, *doc_systems, *doc_quality, *doc_audit, *doc_alert;
static int64_t fixture_now;

static char *
dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	return s;
}

static json_t *
counts(int h, int m, int l)
{
	return json_pack(
	    "{s:i,s:i,s:i,s:i}", "high", h, "medium", m, "low", l, "info", 0);
}

static json_t *
status(const char *sev, int h, int m, int l, int grids)
{
	return json_pack("{s:s,s:o,s:I,s:i,s:i,s:i}", "severity", sev, "alerts",
	    counts(h, m, l), "last_ms", (json_int_t)fixture_now - 12000,
	    "age_s", 12, "grids", grids, "grids_silent", grids % 3);
}

static json_t *
metrics(int i)
{
	return json_pack("{s:{s:f,s:s,s:s,s:s},s:{s:f,s:s,s:s,s:s},"
	                 "s:{s:f,s:s,s:s,s:s}}",
	    "aqi", "value", 40.0 + i * 1.5, "agg", "avg", "metric", "env_aqi",
	    "unit", "", "water_level_m", "value", 1.0 + i * 0.3, "agg", "max",
	    "metric", "water_level_m", "unit", "m", "congestion", "value",
	    0.3 + i * 0.05, "agg", "avg", "metric", "traffic_congestion",
	    "unit", "");
}

static const char *
sev_of(int i)
{
	static const char *const s[] = {"high", "medium", "low", "ok", "ok"};

	return s[i % 5];
}

static void
fixture_build(void)
{
	json_t *o, *a, *x;
	int i, g, c;
	char code[32], gcode[64];

	fixture_now = clock_wall_ms();
	/* Overview. */
	a = json_array();
	for (i = 0; i < NSUBS; i++)
		json_array_append_new(a,
		    json_pack("{s:s,s:s,s:s,s:o,s:o}", "code", subs[i].code,
		        "name", subs[i].name, "name_en", subs[i].en, "status",
		        status(sev_of(i), i % 3, i % 4, i % 5, 100), "metrics",
		        metrics(i)));
	x = json_array();
	for (i = 0; i < 5; i++)
		json_array_append_new(
		    x, json_pack("{s:s,s:s,s:s,s:{s:i,s:i,s:i,s:i,s:i}}", "id",
		           platforms[i][0], "name", platforms[i][1], "name_en",
		           platforms[i][2], "systems", "total", 20 + i, "up",
		           18 + i, "down", i == 0, "stale", i == 1, "unknown",
		           i == 4));
	o = json_pack("{s:I,s:{s:s,s:s,s:s},s:{s:s,s:s,s:s},s:o,s:o,s:o,"
	              "s:{s:f,s:f,s:f,s:f},s:{s:I,s:i,s:i,s:i},"
	              "s:{s:i,s:i,s:i}}",
	    "time_ms", (json_int_t)fixture_now, "district", "code",
	    "440304000000", "name", "福田区", "name_en", "Futian", "scope",
	    "code", "440304000000", "name", "福田区", "level", "district",
	    "subdistricts", a, "platforms", x, "alerts",
	    json_pack("{s:i,s:i,s:i,s:i,s:i}", "high", 100, "medium", 150,
	        "low", 250, "info", 0, "total", NALERTS),
	    "ingest", "points_per_s", 41230.5, "lines_per_s", 10307.1,
	    "rejected_per_s", 0.0, "points_total", 123456789.0, "freshness",
	    "last_ms", (json_int_t)fixture_now, "age_s", 0, "systems_stale", 1,
	    "series_silent", 7, "quality", "rejected_total", 12,
	    "duplicates_total", 3, "late_total", 40);
	doc_overview = dump(o);
	/* Tree: the district and its subdistricts. */
	a = json_array();
	for (i = 0; i < NSUBS; i++)
		json_array_append_new(
		    a, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "code",
		           subs[i].code, "level", "subdistrict", "name",
		           subs[i].name, "name_en", subs[i].en, "status",
		           status(sev_of(i), i % 3, i % 4, i % 5, 100),
		           "metrics", metrics(i)));
	o = json_pack("{s:{s:s,s:s,s:s,s:s,s:o,s:o},s:[],s:o}", "node", "code",
	    "440304000000", "level", "district", "name", "福田区", "name_en",
	    "Futian", "status", status("high", 100, 150, 250, 1000), "metrics",
	    metrics(0), "path", "children", a);
	doc_tree = dump(o);
	/* Grids: 1,000 spread over the communities. */
	a = json_array();
	for (g = 0, i = 0; g < NGRIDS; g++) {
		int sub = g % NSUBS, comm = (g / NSUBS) % subs[sub].communities;

		snprintf(
		    code, sizeof code, "%.9s%03d", subs[sub].code, comm + 1);
		snprintf(gcode, sizeof gcode, "%s%03d", code, g / NSUBS + 1);
		json_array_append_new(a,
		    json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:i,s:{s:f,s:f}}",
		        "code", gcode, "name", subs[sub].name, "community",
		        code, "subdistrict", subs[sub].code, "severity",
		        g % 17 == 0   ? "high"
		        : g % 11 == 0 ? "medium"
		        : g % 7 == 0  ? "low"
		                      : "ok",
		        "alerts", counts(g % 17 == 0, g % 11 == 0, g % 7 == 0),
		        "age_s", 10 + g % 50, "metrics", "aqi",
		        30.0 + (g * 7) % 60, "water_level_m",
		        0.5 + (g % 40) / 10.0));
		(void)i;
	}
	doc_grids = dump(json_pack("{s:o}", "grids", a));
	doc_map = xstrdup("{\"rows\": [[null, \"440304007000\", null, null, "
	                  "null], [\"440304006000\", \"440304008000\", "
	                  "\"440304009000\", \"440304002000\", null], "
	                  "[\"440304005000\", \"440304010000\", "
	                  "\"440304004000\", \"440304011000\", "
	                  "\"440304001000\"]]}");
	/* 500 active alerts. */
	a = json_array();
	for (i = 0; i < NALERTS; i++) {
		int sub = i % NSUBS;

		snprintf(code, sizeof code, "A%06d", i + 1);
		snprintf(gcode, sizeof gcode, "%.9s%03d%03d", subs[sub].code,
		    i % subs[sub].communities + 1, i % 10 + 1);
		json_array_append_new(a,
		    json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:b,"
		              "s:{s:s,s:s},s:s,s:s,s:s,s:f,s:s,s:I,s:I,s:I,"
		              "s:n}",
		        "id", code, "rule", "water-level-high", "source",
		        "rule", "state", i % 4 == 0 ? "acknowledged" : "firing",
		        "severity",
		        i < 100   ? "high"
		        : i < 250 ? "medium"
		                  : "low",
		        "silenced", 0, "escalated", i % 50 == 0, "overdue", 0,
		        "labels", "grid", gcode, "subdistrict", subs[sub].code,
		        "code", gcode, "place", subs[sub].name, "message",
		        "water level 4.80 m > 4.5 m", "value", 4.8, "dept",
		        "water", "started_ms",
		        (json_int_t)fixture_now - 60000LL * (i + 1),
		        "updated_ms", (json_int_t)fixture_now, "deadline_ms",
		        (json_int_t)fixture_now + 3600000LL * 72, "ack"));
	}
	doc_alerts =
	    dump(json_pack("{s:o,s:i}", "alerts", a, "total", NALERTS));
	doc_alert = xstrdup("{\"id\": \"A000001\", \"state\": \"firing\", "
	                    "\"severity\": \"high\", \"history\": []}");
	/* Sparklines: 36 points per subdistrict, a slow wave. */
	a = json_array();
	for (i = 0; i < NSUBS; i++) {
		json_t *pts = json_array();

		for (c = 0; c < 36; c++)
			json_array_append_new(pts,
			    json_pack("[I,f]",
			        (json_int_t)fixture_now - (36 - c) * 600000LL,
			        40.0 + ((c * (i + 3)) % 17)));
		json_array_append_new(
		    a, json_pack("{s:s,s:{s:s,s:s},s:o}", "metric", "env_aqi",
		           "labels", "subdistrict", subs[i].code, "grid",
		           subs[i].code, "points", pts));
	}
	doc_query = dump(json_pack("{s:I,s:I,s:i,s:o}", "start_ms",
	    (json_int_t)fixture_now - 21600000LL, "end_ms",
	    (json_int_t)fixture_now, "step_ms", 600000, "series", a));
	doc_whoami = xstrdup("{\"user\": \"bench\", \"role\": \"supervisor\", "
	                     "\"scope\": \"440304000000\", \"scope_name\": "
	                     "\"福田区\", \"scope_level\": \"district\", "
	                     "\"via\": \"uid\"}");
	a = json_array();
	for (i = 0; i < 100; i++) {
		snprintf(code, sizeof code, "system-%03d", i);
		json_array_append_new(a,
		    json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:s,s:I,s:i,s:f,s:o}",
		        "id", code, "name", "系统", "platform",
		        platforms[i % 5][0], "dept", "water", "grids", 10,
		        "interval_s", 60, "state",
		        i % 23 == 0   ? "down"
		        : i % 19 == 0 ? "stale"
		                      : "up",
		        "last_ms", (json_int_t)fixture_now, "age_s", 12,
		        "latency_ms", 85.0, "alerts",
		        counts(0, i % 3 == 0, 0)));
	}
	doc_systems = dump(json_pack("{s:o}", "systems", a));
	doc_quality = xstrdup("{\"collectors\": [], \"systems\": [], "
	                      "\"silent_series\": [], \"rejected\": "
	                      "{\"total\": 0}}");
	doc_audit = xstrdup("{\"entries\": [], \"next\": null}");
}

static void
fixture_free(void)
{
	char **docs[] = {&doc_overview, &doc_alerts, &doc_grids, &doc_map,
	    &doc_tree, &doc_query, &doc_whoami, &doc_systems, &doc_quality,
	    &doc_audit, &doc_alert};
	size_t i;

	for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		free(*docs[i]);
		*docs[i] = NULL;
	}
}

/* ---- The fake hub -------------------------------------------------------- */

static const char *
fake_route(const char *path, int *status)
{
	static const struct {
		const char *prefix, **doc;
	} routes[] = {
	    {"/api/v1/overview", (const char **)&doc_overview},
	    {"/api/v1/alerts/", (const char **)&doc_alert},
	    {"/api/v1/alerts", (const char **)&doc_alerts},
	    {"/api/v1/grids", (const char **)&doc_grids},
	    {"/api/v1/map", (const char **)&doc_map},
	    {"/api/v1/tree", (const char **)&doc_tree},
	    {"/api/v1/query", (const char **)&doc_query},
	    {"/api/v1/whoami", (const char **)&doc_whoami},
	    {"/api/v1/systems", (const char **)&doc_systems},
	    {"/api/v1/quality", (const char **)&doc_quality},
	    {"/api/v1/audit", (const char **)&doc_audit},
	};
	size_t i;

	*status = 200;
	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (strncmp(path, routes[i].prefix, strlen(routes[i].prefix)) ==
		    0)
			return *routes[i].doc;
	}
	*status = 404;
	return "{\"error\": \"no such route\"}";
}

static void *
fake_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct buf in = BUF_INIT, out = BUF_INIT;
	char tmp[8192], method[16], path[2048];
	const char *hdr_end, *body, *cl;
	size_t need;
	ssize_t n;
	int status;

	for (;;) {
		while ((hdr_end = strstr(buf_str(&in), "\r\n\r\n")) == NULL) {
			n = read(fd, tmp, sizeof tmp);
			if (n <= 0)
				goto out;
			buf_append(&in, tmp, (size_t)n);
		}
		need = (size_t)(hdr_end + 4 - in.data);
		cl = strcasestr(in.data, "Content-Length:");
		if (cl != NULL && cl < hdr_end)
			need += strtoul(cl + 15, NULL, 10);
		while (in.len < need) {
			n = read(fd, tmp, sizeof tmp);
			if (n <= 0)
				goto out;
			buf_append(&in, tmp, (size_t)n);
		}
		if (sscanf(in.data, "%15s %2047s", method, path) != 2)
			goto out;
		body = fake_route(path, &status);
		buf_reset(&out);
		buf_printf(&out,
		    "HTTP/1.1 %d %s\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\n\r\n%s",
		    status, status == 200 ? "OK" : "Not Found", strlen(body),
		    body);
		if (write(fd, out.data, out.len) != (ssize_t)out.len)
			goto out;
		memmove(in.data, in.data + need, in.len - need);
		in.len -= need;
		in.data[in.len] = '\0';
	}
out:
	close(fd);
	buf_free(&in);
	buf_free(&out);
	return NULL;
}

static int fake_listen_fd = -1;

static void *
fake_accept(void *arg)
{
	pthread_t t;
	int fd;

	(void)arg;
	while ((fd = accept(fake_listen_fd, NULL, NULL)) >= 0) {
		if (pthread_create(&t, NULL, fake_conn, (void *)(intptr_t)fd) ==
		    0)
			pthread_detach(t);
		else
			close(fd);
	}
	return NULL;
}

static int
fake_start(const char *path)
{
	struct sockaddr_un sa;
	pthread_t t;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	unlink(path);
	fake_listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fake_listen_fd < 0 ||
	    bind(fake_listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(fake_listen_fd, 16) != 0) {
		perror(path);
		return -1;
	}
	if (pthread_create(&t, NULL, fake_accept, NULL) != 0)
		return -1;
	pthread_detach(t);
	return 0;
}

/* ---- Frame time ---------------------------------------------------------- */

/* Load a screen's data through the real client and decoders. */
static void
bench_load(struct app *app, struct screen *s)
{
	int ready, i;

	for (i = 0; i < 3; i++) {
		screen_refresh(s);
		while (api_pending(app->api) > 0)
			api_wait(app->api, -1, -1, 100, &ready);
	}
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* n frames; the median time in ms (the machine is shared: the median
 * is what a frame costs, the tail is other people's builds); *p90 gets
 * the 90th percentile. */
static double
bench_frames(struct screen *s, WINDOW *w, int rows, int cols, int full, int n,
    double *p90)
{
	double *t = xcalloc((size_t)n, sizeof *t), med;
	int64_t t0;
	int i;

	for (i = 0; i < n; i++) {
		t0 = clock_mono_ns();
		werase(w);
		screen_draw(s, w, rows, cols);
		if (full) {
			clearok(curscr, TRUE);
			wnoutrefresh(w);
			doupdate();
		}
		t[i] = (double)(clock_mono_ns() - t0) / 1e6;
	}
	qsort(t, (size_t)n, sizeof *t, bench_cmp);
	med = t[n / 2];
	if (p90 != NULL)
		*p90 = t[n * 9 / 10];
	free(t);
	return med;
}

static int
bench_frame_time(const char *sock)
{
	struct api_opts po = {.socket = sock, .timeout_ms = 5000};
	struct app app;
	struct screen *ov, *mp;
	double med, p90;
	FILE *devnull = fopen("/dev/null", "w");
	SCREEN *scr;
	WINDOW *w;

	setenv("TERM", "xterm-256color", 1);
	setenv("LINES", "50", 1);
	setenv("COLUMNS", "200", 1);
	term_caps_detect();
	scr = newterm(NULL, devnull, stdin);
	if (scr == NULL) {
		fprintf(stderr, "console-bench: newterm failed\n");
		return 1;
	}
	term_colors_init(0);
	memset(&app, 0, sizeof app);
	app.api = api_create(&po);
	app.spark = term_caps.utf8 ? SPARK_BRAILLE : SPARK_ASCII;
	app.interval_ms = 2000;
	ov = xcalloc(1, screen_overview_class.size);
	ov->cls = &screen_overview_class;
	ov->app = &app;
	ov->cls->init(ov);
	mp = xcalloc(1, screen_map_class.size);
	mp->cls = &screen_map_class;
	mp->app = &app;
	bench_load(&app, ov);
	bench_load(&app, mp);
	w = newwin(47, 200, 2, 0);
	bench_frames(ov, w, 47, 200, 1, 20, NULL); /* warm up */
	med = bench_frames(ov, w, 47, 200, 1, 300, &p90);
	printf("overview_frame_ms: %.3f ms\n", med);
	printf("overview_frame_ms_p90: %.3f ms\n", p90);
	printf("overview_draw_ms: %.3f ms\n",
	    bench_frames(ov, w, 47, 200, 0, 300, NULL));
	printf("map_frame_ms: %.3f ms\n",
	    bench_frames(mp, w, 47, 200, 1, 300, NULL));
	delwin(w);
	endwin();
	delscreen(scr);
	term_free();
	fclose(devnull);
	ov->cls->destroy(ov);
	mp->cls->destroy(mp);
	free(ov);
	free(mp);
	api_free(app.api);
	return 0;
}

/* ---- Bytes to the terminal -------------------------------------------------
 */

static int
bench_bytes(const char *bin, const char *sock, int rows, int cols, int seconds)
{
	struct winsize ws = {
	    .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
	char buf[65536];
	long long first = 0, steady = 0;
	int64_t t0, now, settle;
	struct pollfd pfd;
	pid_t pid;
	int master, status;
	ssize_t n;

	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return 1;
	}
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		execl(bin, bin, "--socket", sock, "-d", "2", (char *)NULL);
		_exit(127);
	}
	t0 = clock_mono_ms();
	settle = t0 + 4000; /* first paint and first data */
	pfd.fd = master;
	pfd.events = POLLIN;
	while ((now = clock_mono_ms()) < settle + seconds * 1000LL) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = read(master, buf, sizeof buf);
		if (n <= 0)
			break;
		if (now < settle)
			first += n;
		else
			steady += n;
	}
	if (write(master, "q", 1) != 1)
		kill(pid, SIGTERM);
	while (poll(&pfd, 1, 1000) > 0 && read(master, buf, sizeof buf) > 0)
		;
	waitpid(pid, &status, 0);
	close(master);
	printf(
	    "console_first_paint_bytes_%dx%d: %lld bytes\n", cols, rows, first);
	printf("console_bytes_per_s_%dx%d: %.1f B/s\n", cols, rows,
	    (double)steady / seconds);
	printf("console_bytes_per_min_%dx%d: %.0f bytes\n", cols, rows,
	    (double)steady * 60 / seconds);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *bin = getenv("CITYBRAIN_BIN");
	char sock[108];
	int seconds = 20, rc = 0, i;

	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN);
	fixture_build();
	if (argc == 3 && strcmp(argv[1], "--serve") == 0) {
		if (fake_start(argv[2]) != 0)
			return 1;
		printf("fake hub on %s (Ctrl-C stops)\n", argv[2]);
		fflush(stdout);
		for (;;)
			pause();
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--bin") == 0 && i + 1 < argc)
			bin = argv[++i];
		else {
			fprintf(stderr, "Usage: console-bench [--seconds N] "
			                "[--bin PATH] | --serve SOCKET\n");
			return 2;
		}
	}
	if (bin == NULL)
		bin = "tui/citybrain";
	snprintf(
	    sock, sizeof sock, "/tmp/cb-console-bench.%d.sock", (int)getpid());
	if (fake_start(sock) != 0)
		return 1;
	rc |= bench_frame_time(sock);
	if (access(bin, X_OK) == 0) {
		rc |= bench_bytes(bin, sock, 24, 80, seconds);
		rc |= bench_bytes(bin, sock, 50, 200, seconds);
	} else
		fprintf(stderr,
		    "console-bench: %s not found: no byte "
		    "figures (--bin PATH)\n",
		    bin);
	unlink(sock);
	fixture_free();
	return rc;
}
