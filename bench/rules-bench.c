/*
 * rules-bench: the CPU cost of evaluating alert rules against the store.
 *
 * Builds a store in a temporary directory with SERIES series (20 city
 * metrics over SERIES/20 grids of a Futian-shaped territory, one point a
 * minute for the last hour), loads RULES rules (threshold rules with max,
 * avg, last, sum over 2-15 min windows grouped by grid, community or
 * subdistrict, and absence rules; a few of them fire), then advances a
 * fake clock by the evaluation interval ROUNDS times, writing the new
 * points of each series between rounds (not measured) and timing only
 * alert_engine_eval() with the process CPU clock.  Prints:
 *   rules_eval_ms: mean CPU ms per evaluation of all rules
 *   rules_eval_cpu_pct: that per interval (10 s), in % of one core
 * The target (issue 5): 200 rules over 10,000 series every 10 s cost at
 * most 5% of one core.
 *
 * The engine keeps its state (alerts, audit) in the store's meta column
 * family as citybraind does (-k, the default); -m keeps it in memory
 * instead (the unit tests' kv: not what the hub runs), and -f makes the
 * store fsync every write; rules_first_eval_wall_ms then shows what a
 * burst of new alerts costs.
 *
 * -x (-H only the first, -J only the second) turns on issue 17's inhibition and
 * incidents: every high threshold rule inhibits the lower severities of its
 * metric on its place and below
 * ("inhibits": [{"scope": "below"}]), and every threshold rule groups its
 * alerts into incidents per subdistrict and metric ("incident": {"name":
 * "mN", "group": "subdistrict", "window": "30m"}).
 *
 * Usage: rules-bench [-k|-m] [-f] [-x] [-r RULES] [-s SERIES] [-n ROUNDS]
 *        [-i INTERVAL_S]
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
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define NMETRICS 20
#define MIN_MS   60000LL

static int64_t bench_now;

static int64_t
bench_clock(void *arg)
{
	(void)arg;
	return bench_now;
}

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Grid g's code: 10 subdistricts x 10 communities x up to 100 grids. */
static void
grid_code(size_t g, char out[32])
{
	snprintf(out, 32, "440304%03u%03u%03u", (unsigned)(g % 10 + 1),
	    (unsigned)(g / 10 % 10 + 1), (unsigned)(g / 100 % 999 + 1));
}

/* A deterministic value of series s at minute m: a daily-ish wave with a
 * few series far above their metric's threshold. */
static double
value_at(size_t metric, size_t s, int64_t m)
{
	double base = 10.0 * (double)(metric + 1);
	double v = base + (double)((s * 7 + (size_t)m * 3) % 11);

	if (s % 97 == 0) /* about 1% of the series run hot */
		v += base;
	return v;
}

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

int
main(int argc, char **argv)
{
	static const char *const aggs[] = {"max", "avg", "last", "sum", "min"};
	static const char *const bys[] = {"grid", "community", "subdistrict"};
	struct store_options so;
	struct store *st;
	struct alert_engine_opts o;
	struct alert_engine *e;
	struct alert_kv *kv;
	struct store_write_result wr;
	struct hub_alert_counts c;
	struct buf rules = BUF_INIT, key = BUF_INIT;
	uint32_t *ids;
	int64_t *ts, interval_s = 10;
	double *vs, t0, total = 0, worst = 0, ms;
	char dir[] = "/tmp/cb-rules-bench.XXXXXX", grid[32];
	char *cause = NULL, *cmd;
	size_t nrules = 200, nseries = 10000, rounds = 12;
	int use_store_kv = 1, use_fsync = 0; /* the hub's kv: RocksDB */
	int extras = 0; /* -x: 1 inhibition (-H) | 2 incidents (-J) */
	int64_t w0;
	double first_ms;
	size_t i, m, r, per;
	int ch;

	while ((ch = getopt(argc, argv, "kmfxHJr:s:n:i:")) != -1) {
		switch (ch) {
		case 'k':
			use_store_kv = 1;
			break;
		case 'm': /* the in-memory kv of the unit tests instead */
			use_store_kv = 0;
			break;
		case 'f':
			use_fsync = 1;
			break;
		case 'x':
			extras = 3;
			break;
		case 'H': /* inhibition only */
			extras |= 1;
			break;
		case 'J': /* incidents only */
			extras |= 2;
			break;
		case 'r':
			nrules = strtoul(optarg, NULL, 10);
			break;
		case 's':
			nseries = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			rounds = strtoul(optarg, NULL, 10);
			break;
		case 'i':
			interval_s = strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr,
			    "Usage: rules-bench [-k|-m] [-f] [-x] [-r RULES] "
			    "[-s SERIES] [-n ROUNDS] "
			    "[-i INTERVAL_S]\n");
			return 2;
		}
	}
	if (nseries < NMETRICS || rounds == 0 || interval_s <= 0)
		return 2;
	log_init("rules-bench");
	log_set_level(LOG_LVL_WARN);
	if (mkdtemp(dir) == NULL)
		return 1;
	store_options_init(&so);
	so.late_window_ms = 48LL * 3600 * 1000;
	so.fsync = use_fsync;
	st = store_open(dir, &so, &cause);
	if (st == NULL) {
		fprintf(stderr, "store: %s\n", cause);
		return 1;
	}

	/* Series: NMETRICS metrics x ngrids grids. */
	per = nseries / NMETRICS;
	ids = xcalloc(nseries, sizeof *ids);
	ts = xcalloc(nseries, sizeof *ts);
	vs = xcalloc(nseries, sizeof *vs);
	for (m = 0; m < NMETRICS; m++) {
		for (i = 0; i < per; i++) {
			grid_code(i, grid);
			buf_reset(&key);
			buf_printf(&key,
			    "city_metric_%zu{grid=\"%s\",community=\"%.12s\","
			    "subdistrict=\"%.9s000\",system=\"sys-%zu\"}",
			    m, grid, grid, grid, m);
			if (store_series_intern(st, key.data, key.len,
			        &ids[m * per + i], &cause) != 0) {
				fprintf(stderr, "intern: %s\n", cause);
				return 1;
			}
		}
	}
	nseries = per * NMETRICS;
	bench_now = clock_wall_ms() / MIN_MS * MIN_MS;
	for (int64_t k = -60; k <= 0; k++) {
		for (m = 0; m < NMETRICS; m++)
			for (i = 0; i < per; i++) {
				ts[m * per + i] = bench_now + k * MIN_MS;
				vs[m * per + i] = value_at(m, i, k);
			}
		if (store_write(st, ids, ts, vs, nseries, &wr, &cause) != 0) {
			fprintf(stderr, "write: %s\n", cause);
			return 1;
		}
	}

	/* Rules. */
	buf_puts(&rules, "{\"settings\": {\"eval_interval\": \"10s\"},"
	                 " \"rules\": [");
	for (r = 0; r < nrules; r++) {
		size_t metric = r % NMETRICS;
		double thr = 10.0 * (double)(metric + 1) * 1.9;

		if (r > 0)
			buf_putc(&rules, ',');
		if (r % 10 == 9) {
			buf_printf(&rules,
			    "{\"name\": \"absent-%zu\", \"type\": \"absence\","
			    " \"selector\": \"city_metric_%zu\", \"for\": "
			    "\"%dm\", \"by\": [\"grid\"], \"severity\": "
			    "\"low\"}",
			    r, metric, 5 + (int)(r % 3) * 5);
			continue;
		}
		buf_printf(&rules,
		    "{\"name\": \"rule-%zu\", \"selector\": "
		    "\"city_metric_%zu%s\", \"agg\": \"%s\", \"window\": "
		    "\"%dm\", \"op\": \">\", \"threshold\": %g, \"for\": "
		    "\"%dm\", \"by\": [\"%s\"], \"severity\": \"%s\", "
		    "\"message\": \"{rule}: {value:.1f} in {place}\"",
		    r, metric,
		    r % 4 == 3 ? "{subdistrict=~\\\"44030400[1-5]000\\\"}" : "",
		    aggs[r % 5], 2 + (int)(r % 4) * 4,
		    strcmp(aggs[r % 5], "sum") == 0 ? thr * 20 : thr,
		    (int)(r % 3),
		    bys[r % 3 == 0   ? 0
		        : r % 7 == 0 ? 2
		                     : 0],
		    r % 3 == 0   ? "high"
		    : r % 3 == 1 ? "medium"
		                 : "low");
		if ((extras & 1) && r % 3 == 0)
			buf_puts(
			    &rules, ", \"inhibits\": [{\"scope\": \"below\"}]");
		if (extras & 2)
			buf_printf(&rules,
			    ", \"incident\": {\"name\": \"m%zu\", \"group\": "
			    "\"subdistrict\", \"window\": \"30m\"}",
			    metric);
		buf_putc(&rules, '}');
	}
	buf_puts(&rules, "]}");
	kv =
	    use_store_kv ? alert_kv_store_create(st) : alert_kv_memory_create();
	memset(&o, 0, sizeof o);
	o.kv = kv;
	o.store = st;
	o.clock = bench_clock;
	o.env.enrich = enrich;
	o.rules = alert_rules_parse(
	    "bench-rules.json", rules.data, rules.len, NULL, NULL, &cause);
	if (o.rules == NULL) {
		fprintf(stderr, "rules: %s\n", cause);
		return 1;
	}
	e = alert_engine_create(&o, &cause);
	if (e == NULL) {
		fprintf(stderr, "engine: %s\n", cause);
		return 1;
	}

	/* A warm-up round (creates the alerts), then the measured ones. */
	w0 = clock_mono_ns();
	alert_engine_eval(e);
	first_ms = (double)(clock_mono_ns() - w0) / 1e6;
	for (r = 0; r < rounds; r++) {
		bench_now += interval_s * 1000;
		for (i = 0; i < nseries; i++) {
			ts[i] = bench_now;
			vs[i] = value_at(i / per, i % per, bench_now / MIN_MS);
		}
		store_write(st, ids, ts, vs, nseries, &wr, &cause);
		t0 = cpu_ms();
		alert_engine_eval(e);
		alert_engine_tick(e);
		ms = cpu_ms() - t0;
		total += ms;
		if (ms > worst)
			worst = ms;
	}
	alert_engine_counts(e, NULL, NULL, &c);
	printf("kv: %s%s\n", use_store_kv ? "store" : "memory",
	    use_fsync ? " (fsync)" : "");
	printf("rules: %zu\n", nrules);
	printf("series: %zu\n", nseries);
	printf("extras:%s%s\n", extras & 1 ? " inhibition" : "",
	    extras & 2 ? " incidents"
	    : extras   ? ""
	               : " none");
	printf("alerts_active: %u\n", c.high + c.medium + c.low + c.info);
	printf("rules_first_eval_wall_ms: %.1f ms\n", first_ms);
	printf("rules_eval_ms: %.2f ms\n", total / (double)rounds);
	printf("rules_eval_worst_ms: %.2f ms\n", worst);
	printf("rules_eval_cpu_pct: %.3f %%\n",
	    total / (double)rounds / ((double)interval_s * 1000) * 100);

	alert_engine_free(e);
	alert_kv_free(kv);
	store_close(st);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	free(ids);
	free(ts);
	free(vs);
	buf_free(&rules);
	buf_free(&key);
	return 0;
}
