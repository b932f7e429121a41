/*
 * A deterministic generator of realistic district data, for benchmarks.
 *
 * The district is Futian's shape: 10 subdistricts, 96 communities, and
 * about 1,000 grids with 15-digit codes (440304001001007 = subdistrict
 * 440304001, community 001, grid 007).  Each grid reports 10 sensor
 * metrics, each system up and latency, every interval (10 s):
 *
 *   env_aqi env_pm25 env_humidity_pct traffic_flow      integers
 *   env_noise_db env_temperature_c traffic_speed_kmh    one decimal
 *   traffic_congestion water_rainfall_mm                one decimal
 *   water_level_m                                       two decimals
 *   system_up (0/1), system_latency_ms (one decimal, noisy)
 *
 * Values behave like sensors: mean-reverting random walks with a daily
 * cycle, quantised to the sensor's resolution; rain comes in district-wide
 * showers and is 0 most of the time, water levels follow the rain;
 * occasional spikes; systems go down now and then.  Grid series carry the
 * tags grid, community (12 digits) and subdistrict (12 digits, as in the
 * hub's territory), system series the tag system.  Metric names are what
 * the hub makes of line protocol measurement_field (env,grid=... aqi=35).
 *
 * The same seed and options always give the same data.
 */
#ifndef CB_BENCH_GEN_H
#define CB_BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/serieskey.h"

struct gen;

struct gen_options {
	uint64_t seed;       /* default 1 */
	int grids;           /* default 1000 */
	int systems;         /* default 100 */
	int64_t start_ms;    /* time of the first tick (default: now minus
	                        one day, aligned to the interval) */
	int64_t interval_ms; /* default 10000 */
};

void gen_options_init(struct gen_options *o);
/* A district generator; free with gen_free. */
struct gen *gen_open(const struct gen_options *o);
void gen_free(struct gen *g);

/* Series: 10 per grid (grid-major), then 2 per system. */
size_t gen_nseries(const struct gen *g);
/* Canonical key of series i (borrowed). */
const char *gen_series_key(const struct gen *g, size_t i);
/* Metric name and tags of series i (borrowed). */
const char *gen_series_metric(const struct gen *g, size_t i);
size_t gen_series_tags(
    const struct gen *g, size_t i, const struct serieskey_tag **tags);
/* Index of the series of metric m (0-9 grid metrics, 10 up, 11 latency)
 * for grid or system k. */
size_t gen_series_index(const struct gen *g, int m, int k);
/* Grid k's codes (borrowed). */
const char *gen_grid_code(const struct gen *g, int k);
const char *gen_community_code(const struct gen *g, int k);
const char *gen_subdistrict_code(const struct gen *g, int k);
int gen_ngrids(const struct gen *g);
int gen_nsystems(const struct gen *g);

/* Produce the next tick: returns its time and fills values[i] for every
 * series (gen_nseries() doubles). */
int64_t gen_tick(struct gen *g, double *values);

/* Append tick t's values as Influx line protocol with millisecond
 * timestamps: one line per grid and measurement (env, traffic, water)
 * and one per system ("system,system=sys001 up=1,latency_ms=23.4").
 * Returns the number of lines. */
size_t gen_tick_lineproto(
    const struct gen *g, int64_t t, const double *values, struct buf *out);

/*
 * Line mode, for the hub's ingest benchmark: nseries distinct line
 * series (measurement env, grid tags, and a sensor tag once the grids are
 * used up), each line with `fields` fields (1-10) drawn from the grid
 * metrics' models, timestamps advancing by interval_ms after every full
 * round of series.
 */
struct gen *gen_new(
    long nseries, int fields, uint64_t seed, int64_t t0, int64_t interval_ms);
/* Make this generator's series distinct from those of other generators
 * (the sensor tag gets the prefix "w<id>-"). */
void gen_set_prefix(struct gen *g, int id);
/* Append nlines lines to out; returns the number of lines appended. */
size_t gen_lines(struct gen *g, struct buf *out, size_t nlines);

#endif
