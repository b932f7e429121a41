/*
 * store-bench: the store on realistic district data (bench/gen.h), beside a
 * naive one-key-per-point RocksDB store on the same data.
 *
 * Prints, one per line:
 *   ingest_points_per_s, disk_bytes_per_point_at_rest (the whole
 *   directory after a close and an open, no manual step),
 *   disk_bytes_per_point (SST files after flush and full compaction),
 *   disk_at_rest_vs_compacted (directory bytes at rest over the same
 *   after compaction), head_bytes_per_series, peak_rss_mib,
 *   query_{a,b,c,d}_{p50,p99}_ms, baseline_ingest_points_per_s,
 *   baseline_disk_bytes_per_point
 * where the queries are (a) raw 3 h of one series, (b) avg aqi by
 * subdistrict at a 1-minute step over every grid, 3 h, (c) the last value
 * of every system's up, (d) max water level by community over the last
 * hour.
 *
 * Usage: store-bench [--full] [--hours H] [--grids N] [--systems N]
 *                    [--baseline-points N] [--dir DIR] [--keep] [--reuse]
 *                    [--ingest-only] [--queries abcd] [--repeat N] [-v]
 * The default run ingests 3 h 15 min of data (about 12 M points) into the
 * store and the first 1 M points into the baseline; --full gives the
 * baseline every point too.  --keep leaves the store in --dir and --reuse
 * times the queries of a kept store again; --queries and --repeat narrow a
 * run down for profiling.
 */
#include "config.h"

#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/gen.h"
#include "lib/clock.h"
#include "lib/selector.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define HOUR 3600000LL

struct opts {
	double hours;
	int grids, systems, verbose, full, keep, reuse, ingest_only;
	long baseline_points;
	char *dir;
	const char *queries; /* which of a, b, c, d to time */
	int repeat;          /* times each query's loop runs */
};

static void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "Usage: store-bench [--full] [--hours H] [--grids N] "
	    "[--systems N] [--baseline-points N]\n"
	    "                   [--dir DIR] [--keep] [--reuse] "
	    "[--ingest-only] [--queries abcd]\n"
	    "                   [--repeat N] [-v]\n"
	    "  --full             the baseline gets every point too\n"
	    "  --keep             keep the store in --dir (default: a "
	    "temporary dir)\n"
	    "  --reuse            time the queries of a store kept in "
	    "--dir\n"
	    "  --ingest-only      stop after the ingest\n"
	    "  --queries LETTERS  time only these queries (default "
	    "abcd)\n"
	    "  --repeat N         run each query loop N times (for "
	    "profiling)\n"
	    "  -v                 per-column-family bytes and CPU times "
	    "on stderr\n");
	exit(status);
}

static void
die(const char *what, const char *cause)
{
	fprintf(stderr, "store-bench: %s: %s\n", what, cause);
	exit(1);
}

/* CPU time of this thread, to tell compute from waiting on a busy
 * machine (-v prints it beside the wall-clock figures). */
static int64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double cpu_lat[400];
static int verbose;

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report_latency(const char *name, double *ms, int n)
{
	qsort(ms, n, sizeof *ms, dbl_cmp);
	qsort(cpu_lat, n, sizeof *cpu_lat, dbl_cmp);
	if (verbose)
		fprintf(stderr, "query %s: cpu p50 %.3f ms\n", name,
		    cpu_lat[n / 2]);
	printf("query_%s_p50_ms: %.3f ms\n", name, ms[n / 2]);
	printf("query_%s_p99_ms: %.3f ms\n", name, ms[(int)ceil(n * 0.99) - 1]);
}

static struct selector *
sel(const char *text)
{
	char *cause = NULL;
	struct selector *s = selector_parse_cause(text, &cause);

	if (s == NULL)
		die(text, cause);
	return s;
}

static void
rmtree(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		fprintf(stderr, "store-bench: could not remove %s\n", dir);
	free(cmd);
}

static uint64_t
dir_bytes(rocksdb_t *db)
{
	char *v = rocksdb_property_value(db, "rocksdb.total-sst-files-size");
	uint64_t x = v != NULL ? strtoull(v, NULL, 10) : 0;

	free(v);
	return x;
}

/* Bytes of the files in dir (a RocksDB directory is flat). */
static uint64_t
dir_files_bytes(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	uint64_t sum = 0;

	if (d == NULL)
		die(dir, "cannot list");
	while ((de = readdir(d)) != NULL) {
		char *path = xasprintf("%s/%s", dir, de->d_name);
		struct stat sb;

		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			sum += (uint64_t)sb.st_size;
		free(path);
	}
	closedir(d);
	return sum;
}

/* Per-column-family SST bytes on stderr (-v). */
static void
cf_bytes_print(struct store *s, const char *when, int64_t points)
{
	struct store_stats st;
	char *cause = NULL;
	int cf;

	if (store_stats_get(s, &st, &cause) != 0)
		die("stats", cause);
	fprintf(stderr, "%s:\n", when);
	for (cf = 0; cf < STORE_CF_MAX; cf++)
		fprintf(stderr, "  %-9s %10llu bytes %.3f bytes/point\n",
		    store_cf_name(cf), (unsigned long long)st.cf_bytes[cf],
		    (double)st.cf_bytes[cf] / (double)points);
}

/* The naive store: key [id][time], value the double, one write per tick. */
static void
baseline(const struct opts *o, const char *dir, int64_t ticks)
{
	struct gen_options go;
	struct gen *g;
	rocksdb_options_t *opt = rocksdb_options_create();
	rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
	rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
	rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
	rocksdb_t *db;
	double *vals;
	char *err = NULL;
	size_t n, i;
	int64_t tick, t, ns = 0, points = 0, start;

	gen_options_init(&go);
	go.grids = o->grids;
	go.systems = o->systems;
	go.start_ms = 0;
	g = gen_open(&go);
	n = gen_nseries(g);
	vals = xcalloc(n, sizeof *vals);
	rocksdb_options_set_create_if_missing(opt, 1);
	db = rocksdb_open(opt, dir, &err);
	if (err != NULL)
		die("baseline open", err);
	for (tick = 0; tick < ticks &&
	               (o->baseline_points == 0 || points < o->baseline_points);
	     tick++) {
		t = gen_tick(g, vals);
		rocksdb_writebatch_clear(wb);
		for (i = 0; i < n; i++) {
			unsigned char k[12];
			uint32_t id = (uint32_t)i + 1;
			uint64_t ut = (uint64_t)t;
			int b;

			for (b = 0; b < 4; b++)
				k[b] = (unsigned char)(id >> (24 - 8 * b));
			for (b = 0; b < 8; b++)
				k[4 + b] = (unsigned char)(ut >> (56 - 8 * b));
			rocksdb_writebatch_put(
			    wb, (const char *)k, 12, (const char *)&vals[i], 8);
		}
		start = clock_mono_ns();
		rocksdb_write(db, wo, wb, &err);
		ns += clock_mono_ns() - start;
		if (err != NULL)
			die("baseline write", err);
		points += (int64_t)n;
	}
	rocksdb_flushoptions_set_wait(fo, 1);
	rocksdb_flush(db, fo, &err);
	rocksdb_compact_range(db, NULL, 0, NULL, 0);
	printf("baseline_ingest_points_per_s: %.0f points/s\n",
	    (double)points / ((double)ns / 1e9));
	printf("baseline_disk_bytes_per_point: %.3f bytes\n",
	    (double)dir_bytes(db) / (double)points);
	if (o->verbose)
		fprintf(stderr, "baseline: %lld points\n", (long long)points);
	rocksdb_close(db);
	rocksdb_options_destroy(opt);
	rocksdb_writeoptions_destroy(wo);
	rocksdb_writebatch_destroy(wb);
	rocksdb_flushoptions_destroy(fo);
	free(vals);
	gen_free(g);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"full", no_argument, NULL, 'F'},
	    {"hours", required_argument, NULL, 'H'},
	    {"grids", required_argument, NULL, 'g'},
	    {"systems", required_argument, NULL, 's'},
	    {"baseline-points", required_argument, NULL, 'b'},
	    {"dir", required_argument, NULL, 'd'},
	    {"keep", no_argument, NULL, 'k'},
	    {"reuse", no_argument, NULL, 'r'},
	    {"ingest-only", no_argument, NULL, 'i'},
	    {"queries", required_argument, NULL, 'Q'},
	    {"repeat", required_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct opts o = {
	    3.25, 1000, 100, 0, 0, 0, 0, 0, 1000000, NULL, "abcd", 1};
	struct gen_options go;
	struct gen *g;
	struct store_options so;
	struct store *s;
	struct store_stats st;
	struct store_query q;
	struct store_result r;
	struct selector *se;
	struct rusage ru;
	char tmpl[] = "/tmp/store-bench-XXXXXX", *cause = NULL;
	char *sdir, *bdir, text[200];
	uint32_t *ids;
	double *vals, lat[400];
	int64_t ticks, tick, t = 0, end, ns = 0, points = 0, x;
	int64_t wstart, cpu_total = 0;
	uint64_t rest;
	size_t n, i;
	int ch, k, rep;
	const char *by_sd[] = {"subdistrict"}, *by_comm[] = {"community"};

	while ((ch = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			o.full = 1;
			o.baseline_points = 0;
			break;
		case 'H':
			o.hours = atof(optarg);
			break;
		case 'g':
			o.grids = atoi(optarg);
			break;
		case 's':
			o.systems = atoi(optarg);
			break;
		case 'b':
			o.baseline_points = atol(optarg);
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'v':
			o.verbose = verbose = 1;
			break;
		case 'k':
			o.keep = 1;
			break;
		case 'r':
			o.reuse = o.keep = 1;
			break;
		case 'i':
			o.ingest_only = 1;
			break;
		case 'Q':
			o.queries = optarg;
			break;
		case 'R':
			o.repeat = atoi(optarg);
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc || o.hours < 3.1 || o.grids < 1 || o.systems < 1 ||
	    o.repeat < 1)
		usage(2);
	if (o.dir == NULL) {
		if (mkdtemp(tmpl) == NULL)
			die("mkdtemp", "failed");
		o.dir = tmpl;
	}
	sdir = xasprintf("%s/store", o.dir);
	bdir = xasprintf("%s/baseline", o.dir);
	ticks = (int64_t)(o.hours * 360);

	/* Data ending recently (so that retention keeps all of it), at half
	 * past an hour: the head then holds half an hour, its average. */
	gen_options_init(&go);
	go.grids = o.grids;
	go.systems = o.systems;
	go.start_ms = clock_wall_ms() / HOUR * HOUR - HOUR / 2 - ticks * 10000;
	g = gen_open(&go);
	n = gen_nseries(g);
	vals = xcalloc(n, sizeof *vals);
	ids = xcalloc(n, sizeof *ids);

	store_options_init(&so);
	if ((s = store_open(sdir, &so, &cause)) == NULL)
		die("store_open", cause);
	for (i = 0; i < n; i++) {
		if (store_series_intern(s, gen_series_key(g, i),
		        strlen(gen_series_key(g, i)), &ids[i], &cause) != 0)
			die("intern", cause);
	}
	for (tick = 0; tick < ticks && !o.reuse; tick++) {
		int64_t ts, start;

		t = gen_tick(g, vals);
		/* One batch per tick; all points share the time. */
		{
			static int64_t *tv;

			if (tv == NULL)
				tv = xcalloc(n, sizeof *tv);
			for (i = 0; i < n; i++)
				tv[i] = t;
			start = clock_mono_ns();
			wstart = cpu_ns();
			if (store_write(s, ids, tv, vals, n, NULL, &cause) != 0)
				die("write", cause);
			ts = clock_mono_ns() - start;
			cpu_total += cpu_ns() - wstart;
			if (tick == ticks - 1)
				free(tv);
		}
		ns += ts;
		points += (int64_t)n;
	}
	end = t + 1;
	if (o.reuse) {
		/* Measure the queries of a kept store again. */
		if (store_series_last(s, ids[0], &t, NULL, NULL) != 0)
			die("reuse", "empty store");
		end = t + 1;
		points = ticks * (int64_t)n;
	} else
		printf("ingest_points_per_s: %.0f points/s\n",
		    (double)points / ((double)ns / 1e9));
	if (o.verbose && !o.reuse)
		fprintf(stderr, "ingest: cpu %.0f points/s\n",
		    (double)points / ((double)cpu_total / 1e9));
	if (o.ingest_only) {
		store_close(s);
		rmtree(o.dir);
		return 0;
	}
	if (store_stats_get(s, &st, &cause) != 0)
		die("stats", cause);
	/* At rest: what a graceful stop and a start leave, with no manual
	 * step (the whole directory: logs, manifest and all). */
	store_close(s);
	if ((s = store_open(sdir, &so, &cause)) == NULL)
		die("store_open", cause);
	rest = dir_files_bytes(sdir);
	printf("disk_bytes_per_point_at_rest: %.3f bytes\n",
	    (double)rest / (double)points);
	if (o.verbose)
		cf_bytes_print(s, "at rest", points);
	if (store_flush(s, 1, &cause) != 0)
		die("flush", cause);
	{
		struct store_stats st2;

		if (store_stats_get(s, &st2, &cause) != 0)
			die("stats", cause);
		printf("disk_bytes_per_point: %.3f bytes\n",
		    (double)st2.disk_bytes / (double)points);
		printf("disk_at_rest_vs_compacted: %.2f x\n",
		    (double)rest / (double)dir_files_bytes(sdir));
		if (o.verbose)
			cf_bytes_print(s, "compacted", points);
	}
	printf("head_bytes_per_series: %.0f bytes\n",
	    (double)st.head_bytes / (double)st.series);
	if (o.verbose)
		fprintf(stderr,
		    "%lld points, %llu series (%llu active), "
		    "head %llu bytes (chunks %llu), %llu chunks, %llu "
		    "checkpoints\n",
		    (long long)points, (unsigned long long)st.series,
		    (unsigned long long)st.active_series,
		    (unsigned long long)st.head_bytes,
		    (unsigned long long)st.head_chunk_bytes,
		    (unsigned long long)st.chunks_written,
		    (unsigned long long)st.checkpoints);

	/* (a) raw 3 h of one series. */
	for (rep = 0; rep < o.repeat && strchr(o.queries, 'a') != NULL; rep++) {
		for (k = 0; k < 200; k++) {
			int64_t start = clock_mono_ns(), cstart = cpu_ns();

			snprintf(text, sizeof text, "env_aqi{grid=\"%s\"}",
			    gen_grid_code(g, (k * 7919) % o.grids));
			se = sel(text);
			if (store_query_raw(
			        s, se, end - 3 * HOUR, end, &r, &cause) != 0)
				die("query a", cause);
			if (k == 0 && o.verbose)
				fprintf(stderr,
				    "query a: %zu series, %zu points\n", r.n,
				    r.n ? r.series[0].npoints : 0);
			store_result_free(&r);
			selector_free(se);
			lat[k] = (double)(clock_mono_ns() - start) / 1e6;
			cpu_lat[k] = (double)(cpu_ns() - cstart) / 1e6;
		}
		if (rep == o.repeat - 1)
			report_latency("a", lat, 200);
	}

	/* (b) avg aqi by subdistrict, 1 min step, 3 h. */
	memset(&q, 0, sizeof q);
	q.sel = se = sel("env_aqi");
	q.agg = STORE_AGG_AVG;
	q.step = 60000;
	q.group = 1;
	q.by = by_sd;
	q.nby = 1;
	for (rep = 0; rep < o.repeat && strchr(o.queries, 'b') != NULL; rep++) {
		for (k = 0; k < 40; k++) {
			int64_t start = clock_mono_ns(), cstart = cpu_ns();

			/* A step query's range aligned to its step, as
			 * dashboards ask. */
			q.end = (end - k * 60000) / 60000 * 60000;
			q.start = q.end - 3 * HOUR;
			if (store_query_run(s, &q, &r, &cause) != 0)
				die("query b", cause);
			if (k == 0 && o.verbose)
				fprintf(stderr,
				    "query b: %zu groups, %zu points, %zu "
				    "scanned\n",
				    r.n, r.n ? r.series[0].npoints : 0,
				    r.points_scanned);
			store_result_free(&r);
			lat[k] = (double)(clock_mono_ns() - start) / 1e6;
			cpu_lat[k] = (double)(cpu_ns() - cstart) / 1e6;
		}
		if (rep == o.repeat - 1)
			report_latency("b", lat, 40);
	}
	selector_free(se);

	/* (c) last value of every system's up. */
	se = sel("system_up");
	for (rep = 0; rep < o.repeat && strchr(o.queries, 'c') != NULL; rep++) {
		for (k = 0; k < 200; k++) {
			int64_t start = clock_mono_ns(), cstart = cpu_ns();

			if (store_query_last(s, se, 0, &r, &cause) != 0)
				die("query c", cause);
			if (k == 0 && o.verbose)
				fprintf(stderr, "query c: %zu series\n", r.n);
			store_result_free(&r);
			lat[k] = (double)(clock_mono_ns() - start) / 1e6;
			cpu_lat[k] = (double)(cpu_ns() - cstart) / 1e6;
		}
		if (rep == o.repeat - 1)
			report_latency("c", lat, 200);
	}
	selector_free(se);

	/* (d) max water level by community over the last hour. */
	memset(&q, 0, sizeof q);
	q.sel = se = sel("water_level_m");
	q.agg = STORE_AGG_MAX;
	q.step = 0;
	q.group = 1;
	q.by = by_comm;
	q.nby = 1;
	for (rep = 0; rep < o.repeat && strchr(o.queries, 'd') != NULL; rep++) {
		for (k = 0; k < 100; k++) {
			int64_t start = clock_mono_ns(), cstart = cpu_ns();

			/* "Now" anywhere between two ticks. */
			q.end = end - k * 10000 + (k * 7919) % 10000;
			q.start = q.end - HOUR;
			if (store_query_run(s, &q, &r, &cause) != 0)
				die("query d", cause);
			if (k == 0 && o.verbose)
				fprintf(stderr,
				    "query d: %zu groups, %zu scanned\n", r.n,
				    r.points_scanned);
			store_result_free(&r);
			lat[k] = (double)(clock_mono_ns() - start) / 1e6;
			cpu_lat[k] = (double)(cpu_ns() - cstart) / 1e6;
		}
		if (rep == o.repeat - 1)
			report_latency("d", lat, 100);
	}
	selector_free(se);
	store_close(s);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak_rss_mib: %.0f MiB\n", (double)ru.ru_maxrss / 1024);
	fflush(stdout);

	x = (int64_t)o.baseline_points;
	(void)x;
	if (!o.reuse)
		baseline(&o, bdir, ticks);
	if (!o.keep)
		rmtree(o.dir);
	free(sdir);
	free(bdir);
	free(vals);
	free(ids);
	gen_free(g);
	return 0;
}
