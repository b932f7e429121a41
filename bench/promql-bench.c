/* promql-bench: `sum by (subdistrict) (rate(traffic_flow[5m]))` over a day
 * of the district (bench/gen.c) through the hub's PromQL evaluator, beside
 * the native query API's work for the same answer shape (the store's
 * `sum by subdistrict` at the same step), both over the same store. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/gen.h"
#include "hub/promql/promql.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define HOUR 3600000LL

static void
die(const char *what, char *cause)
{
	fprintf(
	    stderr, "promql-bench: %s: %s\n", what, cause ? cause : "failed");
	exit(1);
}

static int
bench_fetch(void *arg, const struct selector *sel, int64_t start, int64_t end,
    struct store_result *r, char **cause)
{
	return store_query_raw(arg, sel, start, end + 1, r, cause);
}

static int
bench_open(void *arg, const struct selector *sel, int64_t start, int64_t end,
    struct store_reader **rd, char **cause)
{
	return store_reader_open(arg, sel, start, end + 1, rd, cause);
}

static int
bench_minutes(void *arg, const struct selector *sel, int64_t start, int64_t end,
    struct store_minutes **mr, char **cause)
{
	return store_minutes_open(arg, sel, start, end, mr, cause);
}

/* CPU time of this process: the figure that a loaded machine does not
 * distort much (the queries run on this one thread). */
static int64_t
bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Evaluate query with and without the per-minute summaries and print
 * the largest relative difference (exit when over 1e-12, or when the
 * steps with a value differ); the number of steps compared. */
static void
verify(struct store *s, const char *query, int64_t start, int64_t end,
    int64_t step)
{
	struct promql_source src = {
	    .fetch = bench_fetch, .arg = s, .open = bench_open};
	struct promql_value v[2];
	struct promql_query pq;
	struct promql_node *root;
	char *cause = NULL;
	double worst = 0;
	size_t i, k, n = 0;
	int pass;

	memset(&pq, 0, sizeof pq);
	pq.start = start;
	pq.end = end;
	pq.step = step;
	if ((root = promql_parse(query, &cause)) == NULL)
		die("parse", cause);
	for (pass = 0; pass < 2; pass++) {
		src.minutes = pass == 0 ? bench_minutes : NULL;
		if (promql_eval(root, &pq, &src, &v[pass], NULL, &cause) != 0)
			die("promql", cause);
	}
	if (v[0].n != v[1].n)
		die("verify", xasprintf("%zu series from the minutes, %zu raw",
		                  v[0].n, v[1].n));
	for (i = 0; i < v[0].n; i++) {
		const struct promql_series *a = &v[0].series[i],
		                           *b = &v[1].series[i];

		for (k = 0; k < v[0].nsteps; k++) {
			double d;

			if (a->ok[k] != b->ok[k])
				die("verify",
				    xasprintf("series %zu step %zu: value "
				              "only one way (%d %g, raw %d %g)",
				        i, k, a->ok[k], a->v[k], b->ok[k],
				        b->v[k]));
			if (!a->ok[k])
				continue;
			n++;
			d = fabs(a->v[k] - b->v[k]) /
			    (fabs(b->v[k]) > 0 ? fabs(b->v[k]) : 1);
			if (d > worst)
				worst = d;
		}
	}
	printf("verify_steps: %zu\n", n);
	printf("verify_max_rel_diff: %.3g\n", worst);
	if (worst > 1e-12)
		die("verify", xstrdup("the minutes' answer differs"));
	promql_value_free(&v[0]);
	promql_value_free(&v[1]);
	promql_node_free(root);
}

static void
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: promql-bench [--grids N] [--hours H] [--step S] "
	    "[--repeat N] [--dir D] [--slice S] [--fetch] [--no-raw]\n"
	    "       [--counter] [--align] [--no-minutes]\n"
	    "  defaults: 1000 grids, 24 h, step 300 s, 5 repeats, a "
	    "temporary directory, PromQL's read slice (1 h)\n"
	    "  --fetch: PromQL reads in slices of store_query_raw, not "
	    "through a store_reader; --no-raw: skip raw_points_cpu\n"
	    "  --counter: rate of traffic_vehicles_total (the running sum "
	    "of traffic_flow, a counter) instead of the gauge traffic_flow\n"
	    "  --align: start and end on multiples of the step, as Grafana "
	    "sends them (else: end at the last point, 10 s ticks)\n"
	    "  --no-minutes: no per-minute summaries (raw points only)\n");
	exit(code);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"grids", 1, NULL, 'g'},
	    {"hours", 1, NULL, 'H'}, {"step", 1, NULL, 's'},
	    {"repeat", 1, NULL, 'r'}, {"dir", 1, NULL, 'd'},
	    {"slice", 1, NULL, 'S'}, {"fetch", 0, NULL, 'F'},
	    {"no-raw", 0, NULL, 'N'}, {"counter", 0, NULL, 'C'},
	    {"align", 0, NULL, 'A'}, {"no-minutes", 0, NULL, 'M'},
	    {"help", 0, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *metric = "traffic_flow", *by[] = {"subdistrict"};
	char tmpl[] = "/tmp/promql-bench.XXXXXX", *dir = NULL, *cause = NULL;
	int grids = 1000, repeat = 5, c, k, rep, fetch = 0, noraw = 0;
	int counter = 0, align = 0, nominutes = 0;
	char *query, *key;
	double hours = 24, step_s = 300, slice_s = 0, *tn, *tp, *cn, *cp, *cr,
	       *pr;
	struct gen_options go;
	struct gen *g;
	struct store_options so;
	struct store *s;
	size_t n, i, npts = 0, ngroups = 0;
	uint32_t *ids;
	int64_t *tv, ticks, tick, t = 0, start_ms, end_ms;
	double *vals, *sv;
	size_t *which;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			grids = atoi(optarg);
			break;
		case 'H':
			hours = atof(optarg);
			break;
		case 's':
			step_s = atof(optarg);
			break;
		case 'r':
			repeat = atoi(optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'S':
			slice_s = atof(optarg);
			break;
		case 'F':
			fetch = 1;
			break;
		case 'N':
			noraw = 1;
			break;
		case 'C':
			counter = 1;
			break;
		case 'A':
			align = 1;
			break;
		case 'M':
			nominutes = 1;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (grids < 1 || hours < 1 || step_s < 1 || repeat < 1)
		usage(2);
	if (dir == NULL && (dir = mkdtemp(tmpl)) == NULL)
		die("mkdtemp", NULL);

	/* A day of one metric per grid, ending now. */
	ticks = (int64_t)(hours * 360);
	gen_options_init(&go);
	go.grids = grids;
	go.start_ms = clock_wall_ms() / 10000 * 10000 - ticks * 10000;
	g = gen_open(&go);
	n = gen_nseries(g);
	vals = xcalloc(n, sizeof *vals);
	which = xcalloc(n, sizeof *which);
	ids = xcalloc(n, sizeof *ids);
	tv = xcalloc(n, sizeof *tv);
	sv = xcalloc(n, sizeof *sv);
	store_options_init(&so);
	if ((s = store_open(dir, &so, &cause)) == NULL)
		die("store_open", cause);
	for (i = 0; i < n; i++) {
		if (strcmp(gen_series_metric(g, i), metric) != 0)
			continue;
		/* The counter: the same series under another name. */
		key = counter ? xasprintf("traffic_vehicles_total%s",
		                    gen_series_key(g, i) + strlen(metric))
		              : xstrdup(gen_series_key(g, i));
		if (store_series_intern(
		        s, key, strlen(key), &ids[npts], &cause) != 0)
			die("intern", cause);
		free(key);
		which[npts++] = i;
	}
	for (tick = 0; tick < ticks; tick++) {
		t = gen_tick(g, vals);
		for (i = 0; i < npts; i++) {
			tv[i] = t;
			sv[i] =
			    counter ? sv[i] + vals[which[i]] : vals[which[i]];
		}
		if (store_write(s, ids, tv, sv, npts, NULL, &cause) != 0)
			die("write", cause);
	}
	if (store_flush(s, 1, &cause) != 0)
		die("flush", cause);
	end_ms = t / 1000 * 1000;
	start_ms = end_ms - (int64_t)((hours - 0.1) * HOUR) / 1000 * 1000;
	if (align) {
		int64_t st = (int64_t)(step_s * 1000);

		end_ms = end_ms / st * st;
		start_ms = (start_ms + st - 1) / st * st;
	}
	if (counter)
		metric = "traffic_vehicles_total";
	query = xasprintf("sum by (subdistrict) (rate(%s[5m]))", metric);

	/* The answer from the minutes must be the raw points' (it is this
	 * bench's duty to say so, not only to time it). */
	if (!nominutes)
		verify(s, query, start_ms, end_ms, (int64_t)(step_s * 1000));

	tn = xcalloc((size_t)repeat, sizeof *tn);
	tp = xcalloc((size_t)repeat, sizeof *tp);
	cn = xcalloc((size_t)repeat, sizeof *cn);
	cp = xcalloc((size_t)repeat, sizeof *cp);
	cr = xcalloc((size_t)repeat, sizeof *cr);
	pr = xcalloc((size_t)repeat, sizeof *pr);
	for (rep = 0; rep < repeat; rep++) {
		struct store_query q;
		struct store_result r;
		struct selector *sel = selector_parse_cause(metric, &cause);
		struct promql_node *root;
		struct promql_query pq;
		struct promql_source src = {.fetch = bench_fetch,
		    .arg = s,
		    .open = bench_open,
		    .minutes = nominutes ? NULL : bench_minutes};
		struct promql_value v;
		int64_t t0, c0;

		/* Native: /api/v1/query?q=traffic_flow&agg=sum&by=subdistrict
		 * &step=... does this store call. */
		memset(&q, 0, sizeof q);
		q.sel = sel;
		q.start = start_ms;
		q.end = end_ms;
		q.agg = STORE_AGG_SUM;
		q.step = (int64_t)(step_s * 1000);
		q.group = 1;
		q.by = by;
		q.nby = 1;
		t0 = clock_mono_ns();
		c0 = bench_cpu_ns();
		if (store_query_run(s, &q, &r, &cause) != 0)
			die("native query", cause);
		tn[rep] = (double)(clock_mono_ns() - t0) / 1e6;
		cn[rep] = (double)(bench_cpu_ns() - c0) / 1e6;
		ngroups = r.n;
		store_result_free(&r);
		selector_free(sel);

		t0 = clock_mono_ns();
		c0 = bench_cpu_ns();
		if ((root = promql_parse(query, &cause)) == NULL)
			die("parse", cause);
		memset(&pq, 0, sizeof pq);
		pq.start = start_ms;
		pq.end = end_ms;
		pq.step = (int64_t)(step_s * 1000);
		pq.slice_ms = (int64_t)(slice_s * 1000);
		if (fetch)
			src.open = NULL; /* the slices of fetch */
		if (promql_eval(root, &pq, &src, &v, NULL, &cause) != 0)
			die("promql", cause);
		tp[rep] = (double)(clock_mono_ns() - t0) / 1e6;
		cp[rep] = (double)(bench_cpu_ns() - c0) / 1e6;
		pr[rep] = cp[rep] / cn[rep];
		if (v.n != ngroups)
			die("promql",
			    xasprintf("%zu groups, native %zu", v.n, ngroups));
		promql_value_free(&v);
		promql_node_free(root);

		/* The floor under any exact rate: the raw points. */
		if (noraw)
			continue;
		sel = selector_parse_cause(metric, &cause);
		c0 = bench_cpu_ns();
		if (store_query_raw(
		        s, sel, start_ms - 300000, end_ms + 1, &r, &cause) != 0)
			die("raw query", cause);
		cr[rep] = (double)(bench_cpu_ns() - c0) / 1e6;
		store_result_free(&r);
		selector_free(sel);
	}
	printf("series: %zu\n", npts);
	printf("points: %lld\n", (long long)(ticks * (int64_t)npts));
	printf("groups: %zu\n", ngroups);
	printf("steps: %lld\n",
	    (long long)((end_ms - start_ms) / (int64_t)(step_s * 1000) + 1));
	k = repeat;
	printf("native_sum_by_wall: %.1f ms\n", median(tn, k));
	printf("promql_sum_rate_wall: %.1f ms\n", median(tp, k));
	printf("native_sum_by_cpu: %.1f ms\n", median(cn, k));
	printf("promql_sum_rate_cpu: %.1f ms\n", median(cp, k));
	printf("raw_points_cpu: %.1f ms\n", median(cr, k));
	printf(
	    "promql_over_native_cpu: %.2f x\n", median(cp, k) / median(cn, k));
	/* Each evaluation against the native query just before it: the
	 * load of a shared machine moves both alike. */
	printf("promql_over_native_cpu_paired: %.2f x\n", median(pr, k));
	store_close(s);
	gen_free(g);
	if (strcmp(dir, tmpl) == 0) {
		char *cmd = xasprintf("rm -rf '%s'", dir);

		if (system(cmd) != 0)
			fprintf(
			    stderr, "promql-bench: could not remove %s\n", dir);
		free(cmd);
	}
	free(query);
	free(vals);
	free(which);
	free(ids);
	free(tv);
	free(sv);
	free(tn);
	free(tp);
	free(cn);
	free(cp);
	free(cr);
	free(pr);
	return 0;
}
