/* Unit tests of the demo simulator's model (plugins/simulator/sim*.c),
 * run against the real Futian territory and systems files. */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "plugins/simulator/sim.h"

#define TERRITORY CB_TOP_SRCDIR "/conf/futian/territory.json"
#define SYSTEMS   CB_TOP_SRCDIR "/conf/futian/systems.json"
#define T0        1764230400000LL /* 2025-11-27 16:00 in Shenzhen */
#define MIN       60000LL

/* Collected output. */
struct rec {
	size_t n, events;
	char last_event_state[16];
	char last_event_key[64];
	/* Per series: the newest time seen, to check ordering. */
	char **keys;
	int64_t *last;
	size_t nkeys, cap;
	int out_of_order;
	int bad_name;
	double max_level_flood, max_level_other;
	int has[16];
	/* Declared "system/metric" pairs of systems.json, seen or not. */
	char **pairs;
	int *seen;
	size_t npairs;
	/* Grids gas_ppm was written for. */
	char gas_grids[1000][16];
	size_t ngas;
	char up_zero_system[64];
};

static const char *const vocabulary[] = {"env_aqi", "env_pm25", "env_noise_db",
    "traffic_flow", "traffic_speed", "traffic_congestion", "water_level",
    "water_rainfall", "metro_passengers", "service_queue",
    "finance_enterprises", "hotline_tickets", "system_up", "system_latency_ms",
    NULL};

static const char *const floods[] = {
    "440304001003001", "440304010001002", NULL};

static void
rec_point(void *arg, const char *m, const char *f, const struct sim_tag *tags,
    size_t ntags, double v, int64_t t)
{
	struct rec *r = arg;
	char name[64], key[256];
	const char *grid = NULL, *sys = NULL;
	uint64_t h;
	size_t i;
	int k;

	snprintf(name, sizeof name, "%s_%s", m, f);
	for (k = 0; vocabulary[k] != NULL; k++)
		if (strcmp(vocabulary[k], name) == 0)
			break;
	if (vocabulary[k] != NULL)
		r->has[k] = 1;
	for (i = 0; i < ntags; i++) {
		if (strcmp(tags[i].key, "system") == 0)
			sys = tags[i].value;
		if (strcmp(tags[i].key, "grid") == 0)
			grid = tags[i].value;
	}
	/* Every name is declared by the system it is written for. */
	if (strncmp(name, "system_", 7) != 0) {
		char pair[160];

		snprintf(
		    pair, sizeof pair, "%s/%s", sys != NULL ? sys : "", name);
		for (i = 0; i < r->npairs; i++)
			if (strcmp(r->pairs[i], pair) == 0)
				break;
		if (i == r->npairs)
			r->bad_name = 1;
		else
			r->seen[i] = 1;
	}
	if (strcmp(name, "gas_ppm") == 0 && grid != NULL) {
		for (i = 0; i < r->ngas; i++)
			if (strcmp(r->gas_grids[i], grid) == 0)
				break;
		if (i == r->ngas && r->ngas < 1000)
			snprintf(r->gas_grids[r->ngas++], 16, "%s", grid);
	}
	grid = sys = NULL;
	snprintf(key, sizeof key, "%s", name);
	for (i = 0; i < ntags; i++) {
		strncat(key, ",", sizeof key - strlen(key) - 1);
		strncat(key, tags[i].value, sizeof key - strlen(key) - 1);
		if (strcmp(tags[i].key, "grid") == 0)
			grid = tags[i].value;
		if (strcmp(tags[i].key, "system") == 0)
			sys = tags[i].value;
	}
	if (strcmp(name, "water_level") == 0 && grid != NULL) {
		int flood = 0;

		for (k = 0; floods[k] != NULL; k++)
			if (strcmp(floods[k], grid) == 0)
				flood = 1;
		if (flood && v > r->max_level_flood)
			r->max_level_flood = v;
		if (!flood && v > r->max_level_other)
			r->max_level_other = v;
	}
	if (strcmp(name, "system_up") == 0 && v == 0 && sys != NULL)
		snprintf(
		    r->up_zero_system, sizeof r->up_zero_system, "%s", sys);
	/* Open addressing on the series key: newest time per series. */
	h = 1469598103934665603ULL;
	for (i = 0; key[i] != '\0'; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
	if (r->keys == NULL) {
		r->cap = 1 << 16;
		r->keys = calloc(r->cap, sizeof *r->keys);
		r->last = calloc(r->cap, sizeof *r->last);
	}
	for (i = h & (r->cap - 1); r->keys[i] != NULL;
	     i = (i + 1) & (r->cap - 1))
		if (strcmp(r->keys[i], key) == 0)
			break;
	if (r->keys[i] == NULL) {
		ck_assert_uint_lt(r->nkeys, r->cap / 2);
		r->keys[i] = strdup(key);
		r->last[i] = t;
		r->nkeys++;
	} else {
		if (t <= r->last[i])
			r->out_of_order = 1;
		r->last[i] = t;
	}
	r->n++;
}

static void
rec_event(void *arg, const char *key, const char *state, const char *sev,
    const char *rule, const char *dept, const char *msg, const char *msg_en,
    const struct sim_tag *labels, size_t n, double v)
{
	struct rec *r = arg;

	r->events++;
	snprintf(r->last_event_state, sizeof r->last_event_state, "%s", state);
	snprintf(r->last_event_key, sizeof r->last_event_key, "%s", key);
}

/* The declared pairs of systems.json into r. */
static void
rec_declared(struct rec *r)
{
	json_t *root = json_load_file(SYSTEMS, 0, NULL), *sys, *m;
	size_t i, k;

	ck_assert_ptr_nonnull(root);
	json_array_foreach(json_object_get(root, "systems"), i, sys)
	{
		json_array_foreach(json_object_get(sys, "metrics"), k, m)
		{
			const char *name =
			    json_is_string(m)
			        ? json_string_value(m)
			        : json_string_value(json_object_get(m, "name"));

			r->pairs = realloc(
			    r->pairs, (r->npairs + 1) * sizeof *r->pairs);
			r->seen =
			    realloc(r->seen, (r->npairs + 1) * sizeof *r->seen);
			if (asprintf(&r->pairs[r->npairs], "%s/%s",
			        json_string_value(json_object_get(sys, "id")),
			        name) < 0)
				abort();
			r->seen[r->npairs++] = 0;
		}
	}
	json_decref(root);
}

static void
rec_free(struct rec *r)
{
	size_t i;

	for (i = 0; i < r->npairs; i++)
		free(r->pairs[i]);
	free(r->pairs);
	free(r->seen);
	for (i = 0; i < r->cap; i++)
		free(r->keys[i]);
	free(r->keys);
	free(r->last);
}

static char *
config(const char *extra)
{
	char *s = NULL;

	if (asprintf(&s,
	        "{\"territory\": \"%s\", \"systems\": \"%s\", \"blips\": "
	        "false, %s}",
	        TERRITORY, SYSTEMS, extra) < 0)
		abort();
	return s;
}

static const char *const storm =
    "\"scenarios\": ["
    "{\"type\": \"rainstorm\", \"at\": \"-25m\", \"duration\": \"80m\","
    " \"subdistricts\": [\"440304001000\", \"440304010000\"],"
    " \"flood_grids\": [\"440304001003001\", \"440304010001002\"]},"
    "{\"type\": \"fire\", \"at\": \"30s\", \"duration\": \"2m\","
    " \"grid\": \"440304011001003\"},"
    "{\"type\": \"outage\", \"at\": \"1m\", \"duration\": \"9m\","
    " \"system\": \"pump-station\"}]";

START_TEST(test_duration)
{
	int64_t ms;

	ck_assert_int_eq(sim_duration_parse("250ms", &ms), 0);
	ck_assert_int_eq(ms, 250);
	ck_assert_int_eq(sim_duration_parse("-25m", &ms), 0);
	ck_assert_int_eq(ms, -25 * MIN);
	ck_assert_int_eq(sim_duration_parse("1.5h", &ms), 0);
	ck_assert_int_eq(ms, 90 * MIN);
	ck_assert_int_eq(sim_duration_parse("90", &ms), 0);
	ck_assert_int_eq(ms, 90000);
	ck_assert_int_eq(sim_duration_parse("5x", &ms), -1);
	ck_assert_int_eq(sim_duration_parse("", &ms), -1);
}
END_TEST

START_TEST(test_config_errors)
{
	char *cause = NULL, *c;

	ck_assert_ptr_null(sim_new("{\"territory\": \"x\"}", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "\"systems\""));
	free(cause);
	c = config("\"speeed\": 2");
	ck_assert_ptr_null(sim_new(c, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "unknown key \"speeed\""));
	free(cause);
	free(c);
	c = config("\"scenarios\": [{\"type\": \"fire\", \"grid\": \"1\"}]");
	ck_assert_ptr_null(sim_new(c, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "scenarios[0]"));
	free(cause);
	free(c);
	ck_assert_ptr_null(sim_new("{\"territory\": \"/nonexistent\", "
	                           "\"systems\": \"/nonexistent\"}",
	    &cause));
	ck_assert_ptr_nonnull(strstr(cause, "/nonexistent"));
	free(cause);
}
END_TEST

/* Backfill then live: vocabulary names only, every series oldest first,
 * the flooded grids above 4.5 m and no other grid. */
START_TEST(test_backfill_and_live)
{
	struct rec r;
	struct sim_out out = {.point = rec_point, .event = rec_event};
	char *c, *cause = NULL;
	struct sim *s;
	int64_t now = T0;
	size_t calls = 0, i;
	int k;

	memset(&r, 0, sizeof r);
	rec_declared(&r);
	out.arg = &r;
	c = config("\"backfill\": \"3h\", \"backfill_step\": \"30m\", "
	           "\"backfill_recent\": \"1h\", \"backfill_recent_step\": "
	           "\"10m\", \"backfill_rate\": 40000, "
	           "\"step\": \"10s\", "
	           "\"scenarios\": [{\"type\": \"rainstorm\", \"at\": \"-25m\","
	           " \"duration\": \"80m\", \"subdistricts\": "
	           "[\"440304001000\", \"440304010000\"], \"flood_grids\": "
	           "[\"440304001003001\", \"440304010001002\"]}]");
	s = sim_new(c, &cause);
	ck_assert_msg(s != NULL, "%s", cause);
	while (!sim_live(s)) {
		sim_run(s, now, &out);
		ck_assert_uint_lt(++calls, 10);
		now += 1000;
	}
	/* About 114 points per grid, 40000 points per second. */
	ck_assert_uint_ge(calls, 2);
	ck_assert_uint_le(calls, 5);
	ck_assert_uint_gt(r.n, 1000 * 8 * 8);
	for (; now < T0 + 5 * MIN; now += 10000)
		sim_run(s, now, &out);
	ck_assert_int_eq(r.bad_name, 0);
	ck_assert_int_eq(r.out_of_order, 0);
	for (k = 0; vocabulary[k] != NULL; k++)
		ck_assert_msg(r.has[k], "no %s", vocabulary[k]);
	/* Every metric systems.json declares, from the system declaring
	 * it; per grid only for the grids the system covers (gas-leak:
	 * every third grid). */
	ck_assert_uint_gt(r.npairs, 90);
	for (i = 0; i < r.npairs; i++)
		ck_assert_msg(r.seen[i], "%s never written", r.pairs[i]);
	ck_assert_uint_eq(r.ngas, 334);
	ck_assert_double_gt(r.max_level_flood, 4.6);
	ck_assert_double_lt(r.max_level_other, 4.4);
	/* At the start the flood is on in both subdistricts. */
	ck_assert_double_gt(sim_grid_value(s, "440304001003001", "water_level",
	                        sim_time(s, T0)),
	    4.5);
	ck_assert_double_gt(sim_grid_value(s, "440304010001002", "water_level",
	                        sim_time(s, T0)),
	    4.5);
	ck_assert_double_gt(sim_grid_value(s, "440304001003001",
	                        "water_rainfall", sim_time(s, T0)),
	    30);
	sim_free(s);
	rec_free(&r);
	free(c);
}
END_TEST

/* The same seed gives the same values; another seed does not. */
START_TEST(test_deterministic)
{
	char *c1 = config("\"backfill\": 0, \"seed\": 7");
	char *c2 = config("\"backfill\": 0, \"seed\": 8");
	struct sim *a = sim_new(c1, NULL), *b = sim_new(c1, NULL),
	           *d = sim_new(c2, NULL);
	int64_t t;
	int differ = 0;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(d);
	for (t = T0; t < T0 + 24 * 60 * MIN; t += 37 * MIN) {
		ck_assert_double_eq(
		    sim_grid_value(a, "440304004002003", "env_aqi", t),
		    sim_grid_value(b, "440304004002003", "env_aqi", t));
		if (sim_grid_value(a, "440304004002003", "env_aqi", t) !=
		    sim_grid_value(d, "440304004002003", "env_aqi", t))
			differ = 1;
	}
	ck_assert_int_eq(differ, 1);
	sim_free(a);
	sim_free(b);
	sim_free(d);
	free(c1);
	free(c2);
}
END_TEST

/* Daily cycles: rush-hour congestion above night-time, flows within
 * sensible ranges, no metro at 3 am. */
START_TEST(test_daily_cycle)
{
	char *c = config("\"backfill\": 0");
	struct sim *s = sim_new(c, NULL);
	/* 2025-11-27 (Thursday), Shenzhen: 08:30 and 03:00. */
	int64_t rush = 1764203400000LL, night = 1764183600000LL;
	double sum_r = 0, sum_n = 0, v;
	char code[32];
	int i, metro_night = 0;

	ck_assert_ptr_nonnull(s);
	for (i = 1; i <= 8; i++) {
		snprintf(code, sizeof code, "44030400400%d00%d", 1, i);
		sum_r += sim_grid_value(s, code, "traffic_congestion", rush);
		sum_n += sim_grid_value(s, code, "traffic_congestion", night);
		v = sim_grid_value(s, code, "traffic_congestion", rush);
		ck_assert_double_le(v, 10);
		ck_assert_double_ge(v, 0);
	}
	ck_assert_double_gt(sum_r / 8, 3 * sum_n / 8);
	ck_assert_double_lt(sum_r / 8, 8);
	v = sim_grid_value(s, "440304001001001", "metro_passengers", night);
	if (!isnan(v) && v > 0)
		metro_night = 1;
	ck_assert_int_eq(metro_night, 0);
	v = sim_grid_value(s, "440304001001001", "env_aqi", rush);
	ck_assert_double_gt(v, 10);
	ck_assert_double_lt(v, 150);
	sim_free(s);
	free(c);
}
END_TEST

/* Scenarios: the fire alarm is raised then resolved; the outage's system
 * reports down, then goes silent, then comes back. */
START_TEST(test_scenarios)
{
	struct rec r;
	struct sim_out out = {.point = rec_point, .event = rec_event};
	char *c, buf[2048];
	struct sim *s;
	int64_t now;
	size_t up_points_mid = 0;

	snprintf(buf, sizeof buf, "\"backfill\": 0, %s", storm);
	c = config(buf);
	s = sim_new(c, NULL);
	ck_assert_ptr_nonnull(s);
	memset(&r, 0, sizeof r);
	out.arg = &r;
	for (now = T0; now < T0 + 40000; now += 10000)
		sim_run(s, now, &out);
	ck_assert_uint_eq(r.events, 1);
	ck_assert_str_eq(r.last_event_state, "firing");
	ck_assert_str_eq(r.last_event_key, "fire/440304011001003");
	for (; now < T0 + 70000; now += 10000)
		sim_run(s, now, &out);
	ck_assert_str_eq(r.up_zero_system, "pump-station");
	for (; now < T0 + 3 * MIN; now += 10000)
		sim_run(s, now, &out);
	ck_assert_uint_eq(r.events, 2);
	ck_assert_str_eq(r.last_event_state, "resolved");
	/* Silent in the last two thirds of the outage. */
	for (now = T0 + 4 * MIN; now < T0 + 7 * MIN; now += 10000) {
		struct rec q;

		memset(&q, 0, sizeof q);
		out.arg = &q;
		sim_run(s, now, &out);
		up_points_mid += q.up_zero_system[0] != '\0';
		rec_free(&q);
	}
	ck_assert_uint_eq(up_points_mid, 0);
	sim_free(s);
	rec_free(&r);
	free(c);
}
END_TEST

/* The cases a hotline surge reports (sim_out.kase). */
struct case_rec {
	int n, queued, outside;
	char refs[64][96];
};

static void
rec_case(void *arg, const char *category, const char *grid, const char *text,
    const char *ref)
{
	struct case_rec *r = arg;

	if (strncmp(grid, "440304001", 9) != 0 || text[0] == '\0')
		r->outside++;
	if (strcmp(category, "其他") == 0)
		r->queued++;
	if (r->n < 64)
		snprintf(r->refs[r->n], sizeof r->refs[0], "%s", ref);
	r->n++;
}

static void
no_point(void *arg, const char *m, const char *f, const struct sim_tag *tags,
    size_t ntags, double v, int64_t t)
{
}

/* One ticket every 30 s of simulated time while the surge is active, in
 * its subdistrict; a restarted simulator sends the same refs again. */
START_TEST(test_hotline_cases)
{
	struct case_rec r, again;
	struct sim_out out = {.point = no_point, .kase = rec_case};
	char *c;
	struct sim *s;
	int64_t now;
	int i;

	c = config("\"backfill\": 0, \"scenarios\": [{\"type\": "
	           "\"hotline_surge\", \"name\": \"surge\", \"at\": \"1m\", "
	           "\"duration\": \"5m\", \"subdistrict\": \"440304001000\"}]");
	s = sim_new(c, NULL);
	ck_assert_ptr_nonnull(s);
	memset(&r, 0, sizeof r);
	out.arg = &r;
	for (now = T0; now < T0 + 50000; now += 10000)
		sim_run(s, now, &out);
	ck_assert_int_eq(r.n, 0); /* before the surge */
	for (; now <= T0 + 10 * MIN; now += 10000)
		sim_run(s, now, &out);
	/* 5 min at one per 30 s: the tickets at +0 s .. +300 s. */
	ck_assert_int_eq(r.n, 11);
	ck_assert_int_eq(r.outside, 0);
	ck_assert_str_eq(r.refs[0], "surge-1");
	ck_assert_str_eq(r.refs[10], "surge-11");
	sim_free(s);
	/* The same run again: the same tickets, the same refs. */
	s = sim_new(c, NULL);
	memset(&again, 0, sizeof again);
	out.arg = &again;
	for (now = T0; now <= T0 + 10 * MIN; now += 10000)
		sim_run(s, now, &out);
	ck_assert_int_eq(again.n, r.n);
	ck_assert_int_eq(again.queued, r.queued);
	for (i = 0; i < r.n; i++)
		ck_assert_str_eq(again.refs[i], r.refs[i]);
	sim_free(s);
	free(c);
}
END_TEST

/* A second run backfills only what the first one did not send. */
START_TEST(test_state_file)
{
	struct rec r;
	struct sim_out out = {.point = rec_point, .event = rec_event};
	char path[] = "/tmp/cb-simstate.XXXXXX", buf[512], *c;
	struct sim *s;
	int fd = mkstemp(path);
	size_t first;

	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	snprintf(buf, sizeof buf,
	    "\"backfill\": \"2h\", \"backfill_step\": \"10m\", "
	    "\"backfill_recent\": 0, \"backfill_rate\": 1e7, "
	    "\"state_file\": \"%s\"",
	    path);
	c = config(buf);
	memset(&r, 0, sizeof r);
	out.arg = &r;
	s = sim_new(c, NULL);
	sim_run(s, T0, &out);
	first = r.n;
	sim_run(s, T0 + 1000, &out); /* first live tick writes the state */
	sim_free(s);
	rec_free(&r);
	memset(&r, 0, sizeof r);
	s = sim_new(c, NULL);
	sim_run(s, T0 + 30 * MIN, &out); /* 30 min later: 3 steps */
	ck_assert_uint_lt(r.n, first / 3);
	ck_assert_uint_gt(r.n, 0);
	sim_free(s);
	rec_free(&r);
	unlink(path);
	free(c);
}
END_TEST

/* The demo's alarm scenarios (conf/futian/collector-demo.json) make the
 * rules of conf/futian/rules.json on smoke, gas, lifts, crowds and
 * high-risk enterprises fire in the first 10 minutes: the series cross
 * the rule's threshold for at least its "for". */
static const char *const demo_rules[] = {"smoke-alarm", "gas-leak",
    "elevator-trapped", "crowd-density", "finance-high-risk", NULL};

struct demo_rec {
	const char *metric[8];
	const char *level[8]; /* label level= to match, or NULL */
	double max[8];        /* this tick's maximum */
	size_t n;
};

static void
demo_point(void *arg, const char *m, const char *f, const struct sim_tag *tags,
    size_t ntags, double v, int64_t t)
{
	struct demo_rec *d = arg;
	char name[128];
	size_t i, k;

	(void)t;
	snprintf(name, sizeof name, "%s_%s", m, f);
	for (i = 0; i < d->n; i++) {
		if (strcmp(d->metric[i], name) != 0)
			continue;
		if (d->level[i] != NULL) {
			for (k = 0; k < ntags; k++)
				if (strcmp(tags[k].key, "level") == 0)
					break;
			if (k == ntags ||
			    strcmp(tags[k].value, d->level[i]) != 0)
				continue;
		}
		if (v > d->max[i])
			d->max[i] = v;
	}
}

static int
demo_op(const char *op, double v, double th)
{
	if (strcmp(op, ">") == 0)
		return v > th;
	if (strcmp(op, ">=") == 0)
		return v >= th;
	return 0;
}

START_TEST(test_demo_alarms)
{
	json_t *col, *cfg, *rules, *r, *want[8];
	struct demo_rec d;
	struct sim_out out = {.point = demo_point};
	struct sim *s;
	char *text, *cause = NULL;
	int64_t now, run[8], best[8], forms[8];
	size_t i, k;

	memset(&d, 0, sizeof d);
	col = json_load_file(
	    CB_TOP_SRCDIR "/conf/futian/collector-demo.json", 0, NULL);
	rules =
	    json_load_file(CB_TOP_SRCDIR "/conf/futian/rules.json", 0, NULL);
	ck_assert_ptr_nonnull(col);
	ck_assert_ptr_nonnull(rules);
	for (k = 0; demo_rules[k] != NULL; k++) {
		want[k] = NULL;
		json_array_foreach(json_object_get(rules, "rules"), i, r)
		{
			if (strcmp(
			        json_string_value(json_object_get(r, "name")),
			        demo_rules[k]) == 0)
				want[k] = r;
		}
		ck_assert_msg(want[k] != NULL, "no rule %s", demo_rules[k]);
		/* "metric" or "metric{level=\"high\"}" */
		text = strdup(
		    json_string_value(json_object_get(want[k], "selector")));
		d.level[k] =
		    strstr(text, "level=\"high\"") != NULL ? "high" : NULL;
		text[strcspn(text, "{")] = '\0';
		d.metric[k] = text;
		forms[k] = 0;
		if (json_object_get(want[k], "for") != NULL)
			ck_assert_int_eq(sim_duration_parse(
			                     json_string_value(json_object_get(
			                         want[k], "for")),
			                     &forms[k]),
			    0);
		run[k] = best[k] = -1;
	}
	d.n = k;
	cfg = json_object_get(
	    json_array_get(json_object_get(col, "inputs"), 0), "config");
	json_object_set_new(cfg, "territory", json_string(TERRITORY));
	json_object_set_new(cfg, "systems", json_string(SYSTEMS));
	json_object_set_new(cfg, "backfill", json_string("0"));
	json_object_set_new(cfg, "blips", json_false());
	json_object_del(cfg, "state_file");
	json_object_del(cfg, "comment");
	text = json_dumps(cfg, 0);
	s = sim_new(text, &cause);
	ck_assert_msg(s != NULL, "%s", cause);
	free(text);
	out.arg = &d;
	for (now = T0; now < T0 + 10 * MIN; now += 10000) {
		for (k = 0; k < d.n; k++)
			d.max[k] = -1;
		sim_run(s, now, &out);
		for (k = 0; k < d.n; k++) {
			if (d.max[k] < 0) /* not due this tick: unchanged */
				continue;
			/* run[k]: since when the rule's condition holds. */
			if (demo_op(json_string_value(
			                json_object_get(want[k], "op")),
			        d.max[k],
			        json_number_value(
			            json_object_get(want[k], "threshold")))) {
				if (run[k] < 0)
					run[k] = now;
				if (now - run[k] > best[k])
					best[k] = now - run[k];
			} else
				run[k] = -1;
		}
	}
	for (k = 0; k < d.n; k++) {
		ck_assert_msg(best[k] >= forms[k],
		    "%s: %s crosses its threshold for %lld ms in the first 10 "
		    "minutes (-1: never), its rule needs %lld ms",
		    demo_rules[k], d.metric[k], (long long)best[k],
		    (long long)forms[k]);
		free((char *)d.metric[k]);
	}
	sim_free(s);
	json_decref(col);
	json_decref(rules);
}
END_TEST

static Suite *
simulator_suite(void)
{
	Suite *s = suite_create("simulator");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);

	tcase_add_test(tc, test_duration);
	tcase_add_test(tc, test_config_errors);
	tcase_add_test(tc, test_backfill_and_live);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_daily_cycle);
	tcase_add_test(tc, test_scenarios);
	tcase_add_test(tc, test_hotline_cases);
	tcase_add_test(tc, test_state_file);
	tcase_add_test(tc, test_demo_alarms);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(simulator_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
