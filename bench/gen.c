/* Deterministic, realistic district data for benchmarks (see gen.h). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gen.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"

#define GRID_METRICS 10
#define DAY_MS       86400000.0

/* Communities per subdistrict, in Futian's order. */
static const struct {
	const char *code; /* 9 digits */
	int communities;
} subdistricts[] = {
    {"440304001", 11},
    {"440304002", 7},
    {"440304004", 13},
    {"440304005", 13},
    {"440304006", 9},
    {"440304007", 13},
    {"440304008", 12},
    {"440304009", 8},
    {"440304010", 5},
    {"440304011", 5},
};
#define NSUBDISTRICTS (sizeof subdistricts / sizeof subdistricts[0])

enum model_kind {
	WALK,    /* mean-reverting walk with a daily cycle */
	FLOW,    /* a rolling count: decays and refills */
	RAIN,    /* the district's shower, per grid */
	LEVEL,   /* water level following the rain */
	UP,      /* 1, sometimes 0 for a while */
	LATENCY, /* noisy, log-normal around a base */
};

struct model {
	const char *metric, *measurement, *field;
	enum model_kind kind;
	int decimals;
	double base, spread; /* per-series base: base +- spread */
	double sigma;        /* step of the walk */
	double revert;       /* pull towards the cycle's level */
	double diurnal;      /* amplitude of the daily cycle */
	double lo, hi;
	double spike_p, spike; /* chance per step, size */
};

static const struct model models[GRID_METRICS + 2] = {
    {"env_aqi", "env", "aqi", WALK, 0, 55, 15, 0.35, 0.004, 12, 0, 500, 2e-4,
        60},
    {"env_pm25", "env", "pm25", WALK, 0, 32, 10, 0.3, 0.004, 8, 0, 500, 2e-4,
        40},
    {"env_noise_db", "env", "noise_db", WALK, 1, 58, 6, 0.25, 0.01, 7, 30, 110,
        5e-4, 15},
    {"env_temperature_c", "env", "temperature_c", WALK, 1, 23, 2, 0.02, 0.002,
        4, -5, 45, 0, 0},
    {"env_humidity_pct", "env", "humidity_pct", WALK, 0, 72, 8, 0.12, 0.002, 8,
        5, 100, 0, 0},
    {"traffic_flow", "traffic", "flow", FLOW, 0, 18, 10, 0, 0, 0.6, 0, 400,
        3e-4, 30},
    {"traffic_speed_kmh", "traffic", "speed_kmh", WALK, 1, 36, 10, 0.35, 0.01,
        -12, 3, 90, 3e-4, -20},
    {"traffic_congestion", "traffic", "congestion", WALK, 1, 3, 1, 0.03, 0.005,
        2, 1, 10, 2e-4, 3},
    {"water_level_m", "water", "level_m", LEVEL, 2, 1.2, 0.6, 0.003, 0.002, 0,
        0, 8, 0, 0},
    {"water_rainfall_mm", "water", "rainfall_mm", RAIN, 1, 0, 0, 0, 0, 0, 0,
        200, 0, 0},
    {"system_up", "system", "up", UP, 0, 1, 0, 0, 0, 0, 0, 1, 1e-4, 0},
    {"system_latency_ms", "system", "latency_ms", LATENCY, 1, 60, 50, 0.15, 0,
        0.3, 0.5, 30000, 5e-4, 8},
};

struct gseries {
	char *key;
	const char *metric;
	struct serieskey_tag tags[3];
	size_t ntags;
	double x;     /* state */
	double base;  /* series' own level */
	double phase; /* daily cycle offset (fraction) */
	int hold;     /* steps left in an outage or spike */
};

struct gen {
	uint64_t rng;
	int ngrids, nsystems;
	int64_t t, interval;
	char **grid, **community, **subdistrict, **system;
	int *grid_sd; /* subdistrict index of each grid */
	struct gseries *s;
	size_t n;
	/* District weather: a shower per subdistrict. */
	double rain[NSUBDISTRICTS];
	/* Line mode. */
	long lseries;
	int lfields;
	long lnext;
	double *lvals;
	char prefix[24];
	int line_mode;
};

static uint64_t
gen_rand(struct gen *g)
{
	uint64_t z = (g->rng += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double
gen_unit(struct gen *g)
{
	return (double)(gen_rand(g) >> 11) * (1.0 / 9007199254740992.0);
}

/* Approximately standard normal (sum of four uniforms). */
static double
gen_normal(struct gen *g)
{
	uint64_t r = gen_rand(g);
	double s = (double)(r & 0xffff) + (double)((r >> 16) & 0xffff) +
	           (double)((r >> 32) & 0xffff) + (double)(r >> 48);

	return (s / 65535.0 - 2.0) * 1.7320508;
}

static double
quantise(double x, int decimals)
{
	static const double p10[] = {1, 10, 100, 1000};

	return round(x * p10[decimals]) / p10[decimals];
}

void
gen_options_init(struct gen_options *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->grids = 1000;
	o->systems = 100;
	o->interval_ms = 10000;
	o->start_ms = -1;
}

static void
gen_codes(struct gen *g)
{
	int ncomm = 0, k, c, sd;
	int comm_sd[128], comm_idx[128], comm_grids[128];

	for (sd = 0; sd < (int)NSUBDISTRICTS; sd++) {
		for (c = 1; c <= subdistricts[sd].communities; c++) {
			comm_sd[ncomm] = sd;
			comm_idx[ncomm] = c;
			comm_grids[ncomm] = 0;
			ncomm++;
		}
	}
	g->grid = xcalloc(g->ngrids, sizeof *g->grid);
	g->community = xcalloc(g->ngrids, sizeof *g->community);
	g->subdistrict = xcalloc(g->ngrids, sizeof *g->subdistrict);
	g->grid_sd = xcalloc(g->ngrids, sizeof *g->grid_sd);
	/* Grids go round-robin over the communities, so each community has
	 * about the same number; ordered by code. */
	for (k = 0; k < g->ngrids; k++) {
		int cm = k % ncomm, gi;

		gi = ++comm_grids[cm];
		sd = comm_sd[cm];
		g->grid_sd[k] = sd;
		g->grid[k] = xasprintf(
		    "%s%03d%03d", subdistricts[sd].code, comm_idx[cm], gi);
		g->community[k] =
		    xasprintf("%s%03d", subdistricts[sd].code, comm_idx[cm]);
		g->subdistrict[k] = xasprintf("%s000", subdistricts[sd].code);
	}
}

static void
gen_series_init(struct gen *g, struct gseries *gs, const struct model *m)
{
	gs->metric = m->metric;
	gs->base = m->base + (gen_unit(g) * 2 - 1) * m->spread;
	gs->phase = gen_unit(g) * 0.05;
	gs->x = gs->base;
	gs->hold = 0;
	if (m->kind == UP)
		gs->x = 1;
	if (m->kind == RAIN)
		gs->x = 0;
}

static struct gen *
gen_alloc(const struct gen_options *o)
{
	struct gen *g = xcalloc(1, sizeof *g);

	g->rng = o->seed * UINT64_C(0x2545f4914f6cdd1d) + 1;
	g->ngrids = o->grids < 1 ? 1 : o->grids;
	g->nsystems = o->systems < 0 ? 0 : o->systems;
	g->interval = o->interval_ms > 0 ? o->interval_ms : 10000;
	g->t = o->start_ms;
	if (g->t < 0) {
		g->t = clock_wall_ms() - 86400000LL;
		g->t -= g->t % g->interval;
	}
	gen_codes(g);
	return g;
}

struct gen *
gen_open(const struct gen_options *o)
{
	struct gen_options def;
	struct gen *g;
	struct buf b = BUF_INIT;
	size_t i;
	int k, m;

	if (o == NULL) {
		gen_options_init(&def);
		o = &def;
	}
	g = gen_alloc(o);
	g->system = xcalloc(g->nsystems + 1, sizeof *g->system);
	for (k = 0; k < g->nsystems; k++)
		g->system[k] = xasprintf("sys%03d", k + 1);
	g->n = (size_t)g->ngrids * GRID_METRICS + (size_t)g->nsystems * 2;
	g->s = xcalloc(g->n, sizeof *g->s);
	for (k = 0, i = 0; k < g->ngrids; k++) {
		for (m = 0; m < GRID_METRICS; m++, i++) {
			struct gseries *gs = &g->s[i];

			gen_series_init(g, gs, &models[m]);
			gs->tags[0] = (struct serieskey_tag){
			    "community", g->community[k]};
			gs->tags[1] =
			    (struct serieskey_tag){"grid", g->grid[k]};
			gs->tags[2] = (struct serieskey_tag){
			    "subdistrict", g->subdistrict[k]};
			gs->ntags = 3;
		}
	}
	for (k = 0; k < g->nsystems; k++) {
		for (m = GRID_METRICS; m < GRID_METRICS + 2; m++, i++) {
			struct gseries *gs = &g->s[i];

			gen_series_init(g, gs, &models[m]);
			gs->tags[0] =
			    (struct serieskey_tag){"system", g->system[k]};
			gs->ntags = 1;
		}
	}
	for (i = 0; i < g->n; i++) {
		buf_reset(&b);
		if (serieskey_build(&b, g->s[i].metric, g->s[i].tags,
		        g->s[i].ntags, NULL) != 0)
			abort();
		g->s[i].key = xstrdup(b.data);
	}
	buf_free(&b);
	return g;
}

void
gen_free(struct gen *g)
{
	size_t i;
	int k;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++)
		free(g->s[i].key);
	free(g->s);
	for (k = 0; k < g->ngrids; k++) {
		free(g->grid[k]);
		free(g->community[k]);
		free(g->subdistrict[k]);
	}
	for (k = 0; g->system != NULL && k < g->nsystems; k++)
		free(g->system[k]);
	free(g->grid);
	free(g->community);
	free(g->subdistrict);
	free(g->grid_sd);
	free(g->system);
	free(g->lvals);
	free(g);
}

size_t
gen_nseries(const struct gen *g)
{
	return g->n;
}

const char *
gen_series_key(const struct gen *g, size_t i)
{
	return g->s[i].key;
}

const char *
gen_series_metric(const struct gen *g, size_t i)
{
	return g->s[i].metric;
}

size_t
gen_series_tags(
    const struct gen *g, size_t i, const struct serieskey_tag **tags)
{
	*tags = g->s[i].tags;
	return g->s[i].ntags;
}

size_t
gen_series_index(const struct gen *g, int m, int k)
{
	if (m < GRID_METRICS)
		return (size_t)k * GRID_METRICS + (size_t)m;
	return (size_t)g->ngrids * GRID_METRICS + (size_t)k * 2 +
	       (size_t)(m - GRID_METRICS);
}

const char *
gen_grid_code(const struct gen *g, int k)
{
	return g->grid[k];
}

const char *
gen_community_code(const struct gen *g, int k)
{
	return g->community[k];
}

const char *
gen_subdistrict_code(const struct gen *g, int k)
{
	return g->subdistrict[k];
}

int
gen_ngrids(const struct gen *g)
{
	return g->ngrids;
}

int
gen_nsystems(const struct gen *g)
{
	return g->nsystems;
}

/* Advance the showers: each subdistrict is dry or raining. */
static void
gen_weather(struct gen *g)
{
	size_t i;

	for (i = 0; i < NSUBDISTRICTS; i++) {
		double *r = &g->rain[i];

		if (*r <= 0) {
			/* A shower starts about twice a day somewhere. */
			if (gen_unit(g) < 1.0 / 40000)
				*r = 0.2 + gen_unit(g) * 2;
		} else {
			*r += gen_normal(g) * 0.05;
			if (*r < 0.05 || gen_unit(g) < 1.0 / 300)
				*r = 0;
		}
	}
}

/* One step of series gs under model m at day fraction f. */
static double
gen_step(struct gen *g, struct gseries *gs, const struct model *m, double f,
    double rain)
{
	double level, v;

	switch (m->kind) {
	case WALK:
		level = gs->base + m->diurnal * sin(2 * M_PI * (f + gs->phase));
		gs->x += m->sigma * gen_normal(g) + m->revert * (level - gs->x);
		if (m->spike_p > 0 && gen_unit(g) < m->spike_p)
			gs->x += m->spike * (0.5 + gen_unit(g));
		break;
	case FLOW:
		/* Vehicles in the last minute: a sixth leaves each step and
		 * the arrivals follow the daily rhythm. */
		level =
		    gs->base *
		    (1 + m->diurnal * sin(2 * M_PI * (f + gs->phase - 0.25)));
		gs->x = gs->x * 5 / 6 + level / 6 +
		        gen_normal(g) * sqrt(level / 6 + 0.5);
		if (gen_unit(g) < m->spike_p)
			gs->x += m->spike;
		break;
	case RAIN:
		gs->x = rain <= 0 ? 0 : rain * (0.7 + 0.6 * gen_unit(g));
		break;
	case LEVEL:
		gs->x += rain * 0.002 + m->sigma * gen_normal(g) +
		         m->revert * (gs->base - gs->x);
		break;
	case UP:
		if (gs->hold > 0) {
			if (--gs->hold == 0)
				gs->x = 1;
		} else if (gen_unit(g) < m->spike_p) {
			gs->x = 0;
			gs->hold = 3 + (int)(gen_rand(g) % 60);
		}
		return gs->x;
	case LATENCY:
		v = gs->base * exp(m->sigma * gen_normal(g));
		if (gen_unit(g) < m->spike_p)
			v *= m->spike;
		gs->x = v;
		break;
	}
	if (gs->x < m->lo)
		gs->x = m->lo;
	if (gs->x > m->hi)
		gs->x = m->hi;
	return quantise(gs->x, m->decimals);
}

int64_t
gen_tick(struct gen *g, double *values)
{
	int64_t t = g->t;
	double f = fmod((double)t, DAY_MS) / DAY_MS;
	size_t i;
	int k, m;

	gen_weather(g);
	for (k = 0, i = 0; k < g->ngrids; k++) {
		double rain = g->rain[g->grid_sd[k]];

		for (m = 0; m < GRID_METRICS; m++, i++)
			values[i] = gen_step(g, &g->s[i], &models[m], f, rain);
	}
	for (; i < g->n; i++) {
		m = GRID_METRICS +
		    (int)((i - (size_t)g->ngrids * GRID_METRICS) % 2);
		values[i] = gen_step(g, &g->s[i], &models[m], f, 0);
	}
	g->t += g->interval;
	return t;
}

static void
put_value(struct buf *out, double v, int decimals)
{
	buf_printf(out, "%.*f", decimals, v);
}

size_t
gen_tick_lineproto(
    const struct gen *g, int64_t t, const double *values, struct buf *out)
{
	static const struct {
		const char *measurement;
		int first, n;
	} groups[] = {{"env", 0, 5}, {"traffic", 5, 3}, {"water", 8, 2}};
	size_t lines = 0, gi, i;
	int k, m;

	for (k = 0; k < g->ngrids; k++) {
		for (gi = 0; gi < 3; gi++) {
			buf_printf(out,
			    "%s,community=%s,grid=%s,"
			    "subdistrict=%s ",
			    groups[gi].measurement, g->community[k], g->grid[k],
			    g->subdistrict[k]);
			for (m = groups[gi].first;
			     m < groups[gi].first + groups[gi].n; m++) {
				i = gen_series_index(g, m, k);
				if (m > groups[gi].first)
					buf_putc(out, ',');
				buf_printf(out, "%s=", models[m].field);
				put_value(out, values[i], models[m].decimals);
			}
			buf_printf(out, " %lld\n", (long long)t);
			lines++;
		}
	}
	for (k = 0; k < g->nsystems; k++) {
		i = gen_series_index(g, GRID_METRICS, k);
		buf_printf(out,
		    "system,system=%s up=%.0f,latency_ms=%.1f "
		    "%lld\n",
		    g->system[k], values[i], values[i + 1], (long long)t);
		lines++;
	}
	return lines;
}

/* ---- line mode ---- */

struct gen *
gen_new(
    long nseries, int fields, uint64_t seed, int64_t t0, int64_t interval_ms)
{
	struct gen_options o;
	struct gen *g;
	long i;
	int f;

	gen_options_init(&o);
	o.seed = seed;
	o.start_ms = t0;
	o.interval_ms = interval_ms;
	g = gen_alloc(&o);
	g->line_mode = 1;
	g->lseries = nseries < 1 ? 1 : nseries;
	g->lfields = fields < 1              ? 1
	             : fields > GRID_METRICS ? GRID_METRICS
	                                     : fields;
	g->n = (size_t)g->lseries * (size_t)g->lfields;
	g->s = xcalloc(g->n, sizeof *g->s);
	for (i = 0; i < g->lseries; i++) {
		for (f = 0; f < g->lfields; f++)
			gen_series_init(
			    g, &g->s[i * g->lfields + f], &models[f]);
	}
	g->lvals = xcalloc(g->n, sizeof *g->lvals);
	return g;
}

void
gen_set_prefix(struct gen *g, int id)
{
	snprintf(g->prefix, sizeof g->prefix, "w%d-", id);
}

size_t
gen_lines(struct gen *g, struct buf *out, size_t nlines)
{
	size_t n;

	for (n = 0; n < nlines; n++) {
		long i = g->lnext, k = i % g->ngrids, sensor = i / g->ngrids;
		double fday = fmod((double)g->t, DAY_MS) / DAY_MS;
		int f;

		if (i == 0)
			gen_weather(g);
		buf_printf(out, "env,community=%s,grid=%s,subdistrict=%s",
		    g->community[k], g->grid[k], g->subdistrict[k]);
		if (sensor > 0 || g->prefix[0] != '\0')
			buf_printf(out, ",sensor=%s%ld", g->prefix, sensor);
		buf_putc(out, ' ');
		for (f = 0; f < g->lfields; f++) {
			struct gseries *gs = &g->s[i * g->lfields + f];
			double v;

			v = gen_step(
			    g, gs, &models[f], fday, g->rain[g->grid_sd[k]]);
			if (f > 0)
				buf_putc(out, ',');
			buf_printf(out, "%s=", models[f].field);
			put_value(out, v, models[f].decimals);
		}
		buf_printf(out, " %lld\n", (long long)g->t);
		if (++g->lnext == g->lseries) {
			g->lnext = 0;
			g->t += g->interval;
		}
	}
	return n;
}
