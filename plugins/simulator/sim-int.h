/*
 * The simulator's internals, shared by sim-conf.c (configuration and the
 * territory and systems files), sim-signal.c (the signals and scenarios)
 * and sim-run.c (backfill, live ticks, emission).
 */
#ifndef CB_SIM_INT_H
#define CB_SIM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "plugins/simulator/sim.h"

#define SIM_MIN  60000LL
#define SIM_HOUR 3600000LL
#define SIM_DAY  86400000LL

/* Grid flags. */
#define SIM_METRO 0x1 /* has a metro station */
#define SIM_HALL  0x2 /* has a service hall (community service center) */
#define SIM_LOW   0x4 /* low-lying (covered by water-level sensors) */

struct sim_grid {
	char code[16];
	char *name; /* owned */
	int sub;    /* index into sim.subs */
	unsigned flags;
	int hall_sys;    /* system of the hall, -1 none */
	double load;     /* traffic demand scale */
	double hot;      /* congestion ceiling, 0..1 */
	double free_kmh; /* free-flow speed */
	double cap;      /* vehicles/h at full load */
	double aqi0, noise0, level0, metro0, hall0, ent;
};

struct sim_sub {
	char code[13];
	char *name;    /* owned */
	char *name_en; /* owned */
	double pop;    /* relative population, for the hotline */
};

/* The territory level a feed is reported per (systems.json "per"). */
enum sim_per {
	SIM_PER_GRID,
	SIM_PER_COMMUNITY,
	SIM_PER_SUB,
	SIM_PER_DISTRICT,
};

/* A metric a system declares, produced by sim-feeds.c unless the grid
 * model writes it (modelled). */
struct sim_feed {
	char *name;        /* owned */
	char *measurement; /* owned: name before its first '_' */
	const char *field; /* into name: after it */
	enum sim_per per;
	double lo, hi; /* declared range, or 0 .. 1e9 */
	char *label;   /* owned, or NULL */
	char **values; /* owned label values */
	size_t nvalues;
	int kind;     /* behaviour (sim-feeds.c table), -1: generic */
	int modelled; /* written by sim_emit_grid / sim_emit_rest */
};

struct sim_system {
	char *id; /* owned */
	double lat0;
	int64_t interval;      /* declared reporting interval, 0 none */
	unsigned char *covers; /* [ngrids]: grids the system covers */
	struct sim_feed *feeds;
	size_t nfeeds;
	int64_t slot; /* live: the interval last reported */
	int due;      /* live: report this tick */
};

enum sim_scen_type {
	SIM_RAINSTORM,
	SIM_FIRE,
	SIM_HOTLINE,
	SIM_OUTAGE,
	SIM_SPIKE,
};

struct sim_scen {
	enum sim_scen_type type;
	char *name;      /* owned */
	int64_t at, dur; /* simulated offsets from t0, ms */
	double peak;     /* mm/h, tickets per 10 min */
	double peak_level;
	int *subs; /* rainstorm: heavy-rain subdistricts */
	size_t nsubs;
	int *floods; /* rainstorm: flooded grids */
	size_t nfloods;
	int grid;   /* fire */
	int sub;    /* hotline surge */
	int sys;    /* outage */
	int raised; /* fire: event state sent, 0/1 */
	int ncases; /* hotline surge: tickets sent as cases */
	/* spike: metric reads value in grid (or every grid of community)
	 * while active, on series whose label match_key is match_value. */
	char *metric;
	double value;
	char community[13];
	char *match_key, *match_value;
};

struct sim {
	/* Configuration. */
	uint64_t seed;
	double speed;
	int64_t step;           /* live tick */
	int64_t finance_every;  /* live finance_enterprises cadence */
	int64_t bf_span;        /* backfill this far back */
	int64_t bf_step;        /* ... at this step */
	int64_t bf_recent;      /* the most recent part ... */
	int64_t bf_recent_step; /* ... at this finer step */
	double bf_rate;         /* backfill points per second */
	int blips;              /* random short system outages */
	char *state_file;       /* last live tick, for a second run */

	struct sim_grid *grids;
	size_t ngrids;
	struct sim_sub *subs;
	size_t nsubs;
	struct sim_system *systems;
	size_t nsystems;
	struct sim_scen *scens;
	size_t nscens;
	/* Systems the series belong to (-1: no system tag). */
	int sys_air, sys_noise, sys_traffic, sys_level, sys_rain, sys_metro,
	    sys_finance, sys_hotline, sys_fire;

	/* Run state. */
	int started;
	int64_t t0;
	int64_t *bf_times; /* wall times of the backfill, oldest first */
	size_t nbf;
	size_t bf_next;  /* next backfill unit: grids, then the rest */
	int64_t bf_last; /* wall time of the last backfill slice */
	size_t *order;   /* grids interleaved across subdistricts */
	int live;
	int64_t next_tick, next_finance;
	size_t emitted;
	int nspikes;
};

/* sim-conf.c */
int sim_conf_load(struct sim *s, const char *json, char **cause);
void sim_conf_free(struct sim *s);
int sim_grid_find(const struct sim *s, const char *code);
int sim_system_find(const struct sim *s, const char *id);
int sim_sub_find(const struct sim *s, const char *code);

/* sim-signal.c: deterministic noise and the signals. */
double sim_rand(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);
double sim_smooth(
    uint64_t seed, uint64_t a, uint64_t b, int64_t t, int64_t period);
double sim_hour_of_day(int64_t sim_ms); /* Shenzhen local, 0..24 */
int sim_weekend(int64_t sim_ms);
double sim_traffic_profile(int64_t sim_ms);

/* Per-grid values at simulated time sim_ms (the offset from t0 is
 * sim_ms - s->t0). */
struct sim_grid_vals {
	double aqi, pm25, noise;
	double flow, speed, congestion;
	double level, rain;
	double metro; /* NAN without a station */
	double queue; /* NAN without a hall */
};
void sim_grid_eval(
    const struct sim *s, size_t g, int64_t sim_ms, struct sim_grid_vals *v);
void sim_grid_enterprises(const struct sim *s, size_t g, int64_t sim_ms,
    double out[3]); /* high, medium, low */
double sim_hotline(const struct sim *s, size_t sub, int64_t sim_ms);
/* System i at simulated time: 1 up, 0 reports down, -1 silent; latency
 * in *lat when up. */
int sim_system_state(
    const struct sim *s, size_t i, int64_t sim_ms, double *lat);
/* Scenario activity 0..1 at simulated offset off. */
double sim_scen_active(const struct sim_scen *sc, int64_t off);
double sim_metro_profile(int64_t sim_ms);
double sim_hall_profile(int64_t sim_ms);
double sim_hotline_profile(int64_t sim_ms);

/* sim-cases.c: a hotline surge's tickets as cases, at wall time t. */
void sim_cases(struct sim *s, int64_t t, const struct sim_out *out);

/* sim-feeds.c: every declared metric the grid model does not write. */
/* Read system i's "metrics", "interval" and coverage from its object o
 * (after the territory).  0, or -1 with *cause. */
struct json_t;
int sim_feeds_conf(struct sim *s, size_t i, struct json_t *o, char **cause);
void sim_feeds_free(struct sim_system *sys);
/* Mark the feeds the grid model writes (after every system is read). */
void sim_feeds_mark_modelled(struct sim *s);
/* Does system sys (-1: none, every grid) cover grid g? */
int sim_covers(const struct sim *s, int sys, size_t g);
/* Systems that report at live tick t (at their interval). */
void sim_feeds_due(struct sim *s, int64_t t);

/* Where sim-run.c's emission goes (sim_emit: one point, with the system
 * tag, the spike scenarios applied). */
struct sim_emit {
	const struct sim *s;
	const struct sim_out *out;
	size_t n;
	int live; /* 0: backfill, every feed reports */
};
void sim_emit(struct sim_emit *e, const char *m, const char *field, int sys,
    const struct sim_tag *tags, size_t ntags, double v, int64_t t);
/* The feeds of grid g at wall time t (v: the grid model's values). */
void sim_feeds_grid(
    struct sim_emit *e, size_t g, int64_t t, const struct sim_grid_vals *v);
/* The feeds per community, subdistrict and district at wall time t. */
void sim_feeds_rest(struct sim_emit *e, int64_t t);

#endif
