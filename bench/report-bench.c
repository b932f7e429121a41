/*
 * report-bench: the response report (hub/alerts/report.h) over a month of
 * history.
 *
 * Builds DAYS days of history in a store in a temporary directory, kept
 * in the store's meta column family as citybraind keeps it: PER_DAY
 * items a day (two thirds events dispatched at once to one of 8
 * departments, a quarter of them with a supporting one; one third
 * hotline cases routed by category), each acknowledged after 1-90 min
 * (5% never), resolved or closed after 10 min-30 h (3% left open), a
 * tenth of the events arriving undispatched and dispatched by hand after
 * 5-60 min; deadlines 2-72 h; every action through the engine's API on a
 * fake clock (history, audit and kv as in the hub), the timers ticking
 * every 15 min (escalations, overdue marks, retention).  Then times
 * alert_engine_report() by dept, subdistrict and rule over 30 days and by
 * dept over 7 days, REPEAT times each, and prints the medians.
 *
 * Usage: report-bench [-n PER_DAY] [-d DAYS] [-r REPEAT]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/alert-kv-store.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/alert-rules.h"
#include "hub/alerts/case.h"
#include "hub/alerts/report.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define MIN_MS 60000LL
#define DAY_MS (1440 * MIN_MS)
#define T_BASE 1764547200000LL /* 2025-12-01T00:00:00Z */

static const char *const depts[] = {"water", "police", "fire", "emergency",
    "city", "housing", "transport", "health"};

static int64_t bench_now;

static int64_t
bench_clock(void *arg)
{
	(void)arg;
	return bench_now;
}

/* Grid codes add their community and subdistrict, as the hub does. */
static void
enrich(void *arg, json_t *labels)
{
	const char *g = json_string_value(json_object_get(labels, "grid"));
	char buf[16];

	(void)arg;
	if (g == NULL || strlen(g) != 15)
		return;
	memcpy(buf, g, 12);
	buf[12] = '\0';
	json_object_set_new(labels, "community", json_string(buf));
	memcpy(buf + 9, "000", 4);
	json_object_set_new(labels, "subdistrict", json_string(buf));
}

static int
within(void *arg, const char *code, const char *scope)
{
	(void)arg;
	return strncmp(code, scope, strlen(scope)) == 0;
}

static const char *
root(void *arg)
{
	(void)arg;
	return "440304000000";
}

static const struct alert_actor sup = {
    "bench", "uid", 0, NULL, NULL, "unix", HUB_ROLE_SUPERVISOR, NULL};

/* A deterministic generator (xorshift). */
static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t
rnd(uint64_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % n;
}

enum step_kind { STEP_RAISE, STEP_DISPATCH, STEP_ACK, STEP_END };

struct step {
	int64_t at;
	uint32_t item;
	enum step_kind kind;
};

struct item {
	char id[16];
	char grid[16];
	int is_case, dept, support, undispatched, close;
	int deadline_h;
};

static int
step_cmp(const void *x, const void *y)
{
	const struct step *a = x, *b = y;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->item != b->item)
		return a->item < b->item ? -1 : 1;
	return (int)a->kind - (int)b->kind;
}

static void
reply_free(struct alert_reply *r)
{
	json_decref(r->body);
	r->body = NULL;
}

static void
step_run(struct alert_engine *e, struct item *it, const struct step *s,
    size_t *errors)
{
	struct alert_reply r = {0, NULL};
	char key[64];
	json_t *body;

	snprintf(key, sizeof key, "flood/%s/%u", it->grid, s->item);
	switch (s->kind) {
	case STEP_RAISE:
		if (it->is_case) {
			body = json_pack("{s:s,s:s,s:s}", "text", "reported",
			    "category", depts[it->dept], "source", "hotline");
			alert_engine_case_new(e, body, it->grid, &sup, &r);
		} else {
			body = json_pack("{s:s,s:s,s:{s:s,s:s},s:s}", "key",
			    key, "severity",
			    it->deadline_h < 8 ? "high" : "medium", "labels",
			    "grid", it->grid, "system", "water-level-iot",
			    "message", "water level high");
			if (!it->undispatched) {
				json_object_set_new(
				    body, "dept", json_string(depts[it->dept]));
				if (it->support >= 0)
					json_object_set_new(body, "support",
					    json_pack(
					        "[s]", depts[it->support]));
				json_object_set_new(body, "deadline",
				    json_sprintf("%dh", it->deadline_h));
			}
			alert_engine_event(e, body, &sup, &r);
		}
		json_decref(body);
		if (r.status / 100 == 2 && json_is_object(r.body))
			snprintf(it->id, sizeof it->id, "%s",
			    json_string_value(json_object_get(r.body, "id")));
		break;
	case STEP_DISPATCH:
		body = json_pack(
		    "{s:s,s:s}", "dept", depts[it->dept], "deadline", "24h");
		alert_engine_action(e, it->id, "dispatch", body, &sup, &r);
		json_decref(body);
		break;
	case STEP_ACK:
		alert_engine_action(e, it->id, "ack", NULL, &sup, &r);
		break;
	case STEP_END:
		if (it->close || it->is_case) {
			body = json_pack("{s:s}", "reason", "handled");
			alert_engine_action(e, it->id, "close", body, &sup, &r);
		} else {
			body = json_pack(
			    "{s:s,s:s}", "key", key, "state", "resolved");
			alert_engine_event(e, body, &sup, &r);
		}
		json_decref(body);
		break;
	}
	/* 409s are expected (an ack after a resolution, ...). */
	if (r.status / 100 != 2 && r.status != 409)
		(*errors)++;
	reply_free(&r);
}

static char *
rules_text(void)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_puts(&b, "{\"settings\": {\"ack_within\": {\"high\": \"30m\", "
	             "\"medium\": \"2h\"}}, \"rules\": [],\n"
	             "\"case_categories\": [");
	for (i = 0; i < 8; i++)
		buf_printf(&b,
		    "%s{\"id\": \"%s\", \"dept\": \"%s\", \"time_limit\": "
		    "\"72h\"}",
		    i ? ", " : "", depts[i], depts[i]);
	buf_puts(&b, "]}");
	return buf_detach(&b);
}

struct kv_size {
	size_t n, bytes, hist;
};

static int
kv_size_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct kv_size *z = arg;

	(void)key;
	(void)val;
	z->n++;
	z->bytes += len;
	return 0;
}

/* CPU time of this thread (the report runs on it, RocksDB reads too). */
static double
thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
dbl_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* The median wall time (and *cpu, the median CPU time) of repeat
 * reports. */
static double
report_ms(struct alert_engine *e, const char *since, const char *by, int repeat,
    size_t *rows, double *cpu)
{
	struct report_params p;
	struct alert_reply r;
	double *v = xcalloc((size_t)repeat, sizeof *v), med;
	double *c = xcalloc((size_t)repeat, sizeof *c);
	char *cause = NULL;
	int i, j;

	if (report_params_parse(since, by, &p, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		exit(1);
	}
	for (i = 0; i < repeat; i++) {
		int64_t t0 = clock_mono_ns();
		double c0 = thread_cpu_ms();

		alert_engine_report(e, &p, &sup, &r);
		v[i] = (double)(clock_mono_ns() - t0) / 1e6;
		c[i] = thread_cpu_ms() - c0;
		*rows = json_array_size(json_object_get(r.body, "rows"));
		json_decref(r.body);
	}
	for (i = 1; i < repeat; i++) { /* insertion sort */
		double x = v[i];

		for (j = i - 1; j >= 0 && v[j] > x; j--)
			v[j + 1] = v[j];
		v[j + 1] = x;
	}
	med = v[repeat / 2];
	qsort(c, (size_t)repeat, sizeof *c, dbl_cmp);
	*cpu = c[repeat / 2];
	free(v);
	free(c);
	return med;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/cb-report-bench.XXXXXX", *cause = NULL, *cmd, *rt;
	int per_day = 1500, days = 30, repeat = 5, ch;
	struct store_options so;
	struct alert_engine_opts o;
	struct alert_engine *e;
	struct alert_kv *kv;
	struct store *st;
	struct item *items;
	struct step *steps;
	size_t n, ns = 0, i, errors = 0, rows = 0;
	int64_t next_tick, w0;
	double build_s, ms, cpu;

	while ((ch = getopt(argc, argv, "n:d:r:")) != -1) {
		switch (ch) {
		case 'n':
			per_day = atoi(optarg);
			break;
		case 'd':
			days = atoi(optarg);
			break;
		case 'r':
			repeat = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: report-bench [-n PER_DAY] "
			                "[-d DAYS] [-r REPEAT]\n");
			return 2;
		}
	}
	if (per_day < 1 || days < 1 || repeat < 1)
		return 2;
	log_init("report-bench");
	log_set_level(LOG_LVL_ERROR);
	if (mkdtemp(dir) == NULL)
		return 1;
	store_options_init(&so);
	st = store_open(dir, &so, &cause);
	if (st == NULL) {
		fprintf(stderr, "store: %s\n", cause);
		return 1;
	}
	kv = alert_kv_store_create(st);
	memset(&o, 0, sizeof o);
	o.kv = kv;
	o.clock = bench_clock;
	o.env.enrich = enrich;
	o.env.within = within;
	o.env.root = root;
	rt = rules_text();
	o.rules = alert_rules_parse(
	    "bench-rules.json", rt, strlen(rt), NULL, NULL, &cause);
	free(rt);
	if (o.rules == NULL) {
		fprintf(stderr, "rules: %s\n", cause);
		return 1;
	}
	bench_now = T_BASE;
	e = alert_engine_create(&o, &cause);
	if (e == NULL) {
		fprintf(stderr, "engine: %s\n", cause);
		return 1;
	}

	/* The items and their steps, in time order. */
	n = (size_t)per_day * (size_t)days;
	items = xcalloc(n, sizeof *items);
	steps = xcalloc(n * 4, sizeof *steps);
	for (i = 0; i < n; i++) {
		struct item *it = &items[i];
		int64_t t = T_BASE + (int64_t)(i / (size_t)per_day) * DAY_MS +
		            (int64_t)rnd(DAY_MS);
		int64_t t_disp = t;

		snprintf(it->grid, sizeof it->grid, "440304%03d%03d%03d",
		    1 + (int)rnd(10), 1 + (int)rnd(10), 1 + (int)rnd(10));
		it->is_case = rnd(3) == 0;
		it->dept = (int)rnd(8);
		it->support = !it->is_case && rnd(4) == 0
		                  ? (it->dept + 1 + (int)rnd(7)) % 8
		                  : -1;
		it->undispatched = !it->is_case && rnd(10) == 0;
		it->close = rnd(5) == 0;
		it->deadline_h = 2 + (int)rnd(71);
		steps[ns++] = (struct step){t, (uint32_t)i, STEP_RAISE};
		if (it->undispatched) {
			t_disp = t + (5 + (int64_t)rnd(56)) * MIN_MS;
			steps[ns++] =
			    (struct step){t_disp, (uint32_t)i, STEP_DISPATCH};
		}
		if (rnd(20) != 0)
			steps[ns++] = (struct step){
			    t_disp + (1 + (int64_t)rnd(90)) * MIN_MS,
			    (uint32_t)i, STEP_ACK};
		if (rnd(33) != 0)
			steps[ns++] = (struct step){
			    t_disp + (10 + (int64_t)rnd(1790)) * MIN_MS,
			    (uint32_t)i, STEP_END};
	}
	qsort(steps, ns, sizeof *steps, step_cmp);
	w0 = clock_mono_ns();
	next_tick = T_BASE + 15 * MIN_MS;
	for (i = 0; i < ns; i++) {
		while (steps[i].at >= next_tick) {
			bench_now = next_tick;
			alert_engine_tick(e);
			next_tick += 15 * MIN_MS;
		}
		bench_now = steps[i].at;
		step_run(e, &items[steps[i].item], &steps[i], &errors);
	}
	bench_now = T_BASE + (int64_t)days * DAY_MS;
	alert_engine_tick(e);
	build_s = (double)(clock_mono_ns() - w0) / 1e9;

	printf("report_items: %zu items (%d a day, %d days), %zu steps, "
	       "%zu refused\n",
	    n, per_day, days, ns, errors);
	printf("report_build_s: %.1f s\n", build_s);
	{
		struct kv_size z = {0, 0, 0};
		int64_t s0 = clock_mono_ns();

		if (alert_kv_scan(kv, "alert/", NULL, kv_size_cb, &z, &cause) ==
		        0 &&
		    z.n > 0)
			printf("report_records: %zu records, %zu bytes a "
			       "record\n",
			    z.n, z.bytes / z.n);
		printf("report_scan_ms: %.1f ms (reading the records, no "
		       "decoding)\n",
		    (double)(clock_mono_ns() - s0) / 1e6);
	}
	ms = report_ms(e, "30d", "dept", repeat, &rows, &cpu);
	printf("report_30d_by_dept_ms: %.1f ms (median of %d, %zu rows)\n", ms,
	    repeat, rows);
	printf("report_30d_by_dept_cpu_ms: %.1f ms\n", cpu);
	ms = report_ms(e, "30d", "subdistrict", repeat, &rows, &cpu);
	printf("report_30d_by_subdistrict_ms: %.1f ms (median of %d, %zu "
	       "rows)\n",
	    ms, repeat, rows);
	ms = report_ms(e, "30d", "rule", repeat, &rows, &cpu);
	printf("report_30d_by_rule_ms: %.1f ms (median of %d, %zu rows)\n", ms,
	    repeat, rows);
	ms = report_ms(e, "7d", "dept", repeat, &rows, &cpu);
	printf("report_7d_by_dept_ms: %.1f ms (median of %d, %zu rows)\n", ms,
	    repeat, rows);

	alert_engine_free(e);
	alert_kv_free(kv);
	store_close(st);
	free(items);
	free(steps);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	return 0;
}
