/*
 * The simulator's signals: deterministic noise, daily cycles (Shenzhen
 * local time), and the scenarios laid over them.  Every function here is
 * pure: the same seed, entity and simulated time give the same value.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "plugins/simulator/sim-int.h"

#define SIM_TZ_MS (8 * SIM_HOUR) /* China Standard Time, no DST */

static uint64_t
sim_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

double
sim_rand(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t h = sim_mix(seed ^ sim_mix(a ^ sim_mix(b ^ sim_mix(c))));

	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static int64_t
sim_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static double
sim_smoothstep(double e0, double e1, double x)
{
	double t;

	if (x <= e0)
		return 0;
	if (x >= e1)
		return 1;
	t = (x - e0) / (e1 - e0);
	return t * t * (3 - 2 * t);
}

double
sim_smooth(uint64_t seed, uint64_t a, uint64_t b, int64_t t, int64_t period)
{
	int64_t k = sim_floor_div(t, period);
	double f = (double)(t - k * period) / (double)period;
	double v0 = sim_rand(seed, a, b, (uint64_t)k);
	double v1 = sim_rand(seed, a, b, (uint64_t)(k + 1));

	f = f * f * (3 - 2 * f);
	return v0 + (v1 - v0) * f;
}

double
sim_hour_of_day(int64_t sim_ms)
{
	int64_t local = sim_ms + SIM_TZ_MS;
	int64_t in_day = local - sim_floor_div(local, SIM_DAY) * SIM_DAY;

	return (double)in_day / (double)SIM_HOUR;
}

int
sim_weekend(int64_t sim_ms)
{
	int64_t days = sim_floor_div(sim_ms + SIM_TZ_MS, SIM_DAY);
	int64_t dow = ((days + 4) % 7 + 7) % 7; /* 1970-01-01: Thursday */

	return dow == 0 || dow == 6;
}

static double
sim_gauss(double x, double mu, double sigma)
{
	double d = (x - mu) / sigma;

	return exp(-0.5 * d * d);
}

double
sim_traffic_profile(int64_t sim_ms)
{
	double h = sim_hour_of_day(sim_ms);
	double day =
	    sim_smoothstep(5.5, 8.0, h) * (1 - sim_smoothstep(21.0, 23.8, h));

	if (sim_weekend(sim_ms))
		return 0.10 + 0.55 * day * sim_smoothstep(8, 11, h) +
		       0.20 * sim_gauss(h, 15.5, 2.5);
	return 0.10 + 0.45 * day + 0.55 * sim_gauss(h, 8.3, 0.9) +
	       0.60 * sim_gauss(h, 18.2, 1.1);
}

/* Metro: closed from 23:30 to 6:30, sharper rush hours than the roads. */
double
sim_metro_profile(int64_t sim_ms)
{
	double h = sim_hour_of_day(sim_ms);
	double open =
	    sim_smoothstep(6.3, 6.8, h) * (1 - sim_smoothstep(23.0, 23.5, h));

	if (sim_weekend(sim_ms))
		return open * (0.25 + 0.35 * sim_gauss(h, 15, 3));
	return open * (0.2 + 0.9 * sim_gauss(h, 8.4, 0.7) +
	                  0.8 * sim_gauss(h, 18.3, 0.9) +
	                  0.15 * sim_gauss(h, 12.5, 1.5));
}

/* Service halls: weekdays 9-12 and 14-18, Saturday mornings. */
double
sim_hall_profile(int64_t sim_ms)
{
	double h = sim_hour_of_day(sim_ms);
	int64_t days = sim_floor_div(sim_ms + SIM_TZ_MS, SIM_DAY);
	int64_t dow = ((days + 4) % 7 + 7) % 7;
	int morning = h >= 9 && h < 12, afternoon = h >= 14 && h < 18;

	if (dow == 0 || (dow == 6 && !morning))
		return 0;
	if (!morning && !afternoon)
		return 0;
	return 0.4 + 0.6 * sim_gauss(h, morning ? 10.0 : 15.0, 1.0);
}

/* 12345 calls: day hours, peaks mid-morning and mid-afternoon. */
double
sim_hotline_profile(int64_t sim_ms)
{
	double h = sim_hour_of_day(sim_ms);

	return 0.08 +
	       0.5 * sim_smoothstep(7, 9, h) *
	           (1 - sim_smoothstep(21, 23.5, h)) +
	       0.35 * sim_gauss(h, 10, 1.2) + 0.3 * sim_gauss(h, 15, 1.4);
}

double
sim_scen_active(const struct sim_scen *sc, int64_t off)
{
	double x;

	if (off < sc->at || off >= sc->at + sc->dur)
		return 0;
	x = (double)(off - sc->at) / (double)sc->dur;
	switch (sc->type) {
	case SIM_RAINSTORM:
		return sim_smoothstep(0, 0.15, x) *
		       (1 - sim_smoothstep(0.55, 1.0, x));
	case SIM_HOTLINE:
		return sim_smoothstep(0, 0.2, x) *
		       (1 - sim_smoothstep(0.7, 1.0, x));
	default:
		return 1;
	}
}

/* Standing water after a storm: rises from 5% to 30% of the storm,
 * holds, and drains by its end. */
static double
sim_flood_shape(const struct sim_scen *sc, int64_t off)
{
	double x;

	if (off < sc->at || off >= sc->at + sc->dur)
		return 0;
	x = (double)(off - sc->at) / (double)sc->dur;
	return sim_smoothstep(0.05, 0.30, x) *
	       (1 - sim_smoothstep(0.70, 1.0, x));
}

static int
sim_in(const int *list, size_t n, int v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return 1;
	return 0;
}

/* Background showers of a subdistrict: now and then, a few mm/h. */
static double
sim_showers(const struct sim *s, int sub, int64_t sim_ms)
{
	double v =
	    sim_smooth(s->seed, 70, (uint64_t)sub / 3, sim_ms, 50 * SIM_MIN);

	return v > 0.82 ? (v - 0.82) * 70 : 0;
}

void
sim_grid_eval(
    const struct sim *s, size_t gi, int64_t sim_ms, struct sim_grid_vals *v)
{
	const struct sim_grid *g = &s->grids[gi];
	int64_t off = sim_ms - s->t0;
	uint64_t id = gi + 1;
	double prof = sim_traffic_profile(sim_ms);
	double h = sim_hour_of_day(sim_ms);
	double rain, flood = 0, storm = 0, rise = 0, fire = 0;
	double x, n, cong;
	size_t i;

	rain = sim_showers(s, g->sub, sim_ms);
	for (i = 0; i < s->nscens; i++) {
		const struct sim_scen *sc = &s->scens[i];
		double act;

		if (sc->type == SIM_FIRE && sc->grid == (int)gi)
			fire = sim_scen_active(sc, off);
		if (sc->type != SIM_RAINSTORM)
			continue;
		act = sim_scen_active(sc, off);
		if (sim_in(sc->subs, sc->nsubs, g->sub)) {
			storm = fmax(storm, act);
			rain += sc->peak * act *
			        (0.85 + 0.3 * sim_smooth(s->seed, id, 71,
			                          sim_ms, 7 * SIM_MIN));
			if (sim_in(sc->floods, sc->nfloods, (int)gi)) {
				double peak =
				    sc->peak_level - 0.15 +
				    0.3 * sim_rand(s->seed, id, 72, 0);
				double f = sim_flood_shape(sc,
				    off -
				        (int64_t)(sim_rand(s->seed, id, 73, 0) *
				                  2 * SIM_MIN));

				flood = fmax(flood, f);
				rise = fmax(rise, (peak - g->level0) * f);
			} else
				rise = fmax(
				    rise, 1.0 * sim_flood_shape(sc, off) *
				              (0.7 + 0.3 * sim_rand(s->seed, id,
				                               74, 0)));
		} else {
			rain += 0.3 * sc->peak * act;
			rise = fmax(rise, 0.35 * sim_flood_shape(sc, off));
		}
	}
	v->rain = rain;

	/* Water: the river's tide near low-lying grids, rain, floods. */
	v->level =
	    g->level0 + rise + 0.003 * rain +
	    0.06 * (sim_smooth(s->seed, id, 75, sim_ms, 15 * SIM_MIN) - 0.5);
	if (g->flags & SIM_LOW)
		v->level += 0.15 * sin(2 * M_PI * (double)sim_ms /
		                       (12.42 * (double)SIM_HOUR));
	if (v->level < 0.05)
		v->level = 0.05;

	/* Traffic: demand follows the rush hours; rain and flooded roads
	 * jam it. */
	n = sim_smooth(s->seed, id, 80, sim_ms, 10 * SIM_MIN);
	x = g->load * prof * (0.9 + 0.2 * n) * (1 + 0.35 * storm);
	cong = 10 * g->hot * (1 - exp(-1.7 * x * x)) + 2.2 * flood;
	v->congestion = fmin(10, fmax(0, cong));
	v->flow = g->cap * g->load * prof * (0.9 + 0.2 * n) *
	          (1 - 0.15 * storm) * (1 - 0.6 * flood);
	v->speed = fmax(3,
	    g->free_kmh * (1 - 0.085 * v->congestion) +
	        2 * (sim_smooth(s->seed, id, 81, sim_ms, 3 * SIM_MIN) - 0.5));

	/* Air: traffic and night-time inversion raise it; rain washes it
	 * out; a fire's smoke spikes it. */
	v->aqi = g->aqi0 * (1 + 0.3 * prof) + 9 * sim_gauss(h, 4, 2.0) +
	         30 * (sim_smooth(s->seed, 82, 0, sim_ms, 6 * SIM_HOUR) - 0.5) +
	         8 * (sim_smooth(s->seed, id, 83, sim_ms, 20 * SIM_MIN) - 0.5);
	v->aqi *= 1 - 0.45 * fmin(1, rain / 40);
	v->aqi += 95 * fire;
	v->aqi = fmax(8, v->aqi);
	v->pm25 = v->aqi <= 50 ? v->aqi * 0.7 : 35 + (v->aqi - 50) * 0.8;
	v->pm25 *=
	    0.92 + 0.16 * sim_smooth(s->seed, id, 84, sim_ms, 13 * SIM_MIN);

	v->noise = g->noise0 + 14 * prof + 3 * fmin(1, rain / 50) +
	           3 * (sim_smooth(s->seed, id, 85, sim_ms, 5 * SIM_MIN) - 0.5);

	v->metro = NAN;
	if (g->flags & SIM_METRO)
		v->metro = round(g->metro0 * sim_metro_profile(sim_ms) *
		                 (0.9 + 0.2 * sim_smooth(s->seed, id, 86,
		                                  sim_ms, 10 * SIM_MIN)) *
		                 (1 + 0.15 * storm));
	v->queue = NAN;
	if (g->flags & SIM_HALL)
		v->queue = round(g->hall0 * sim_hall_profile(sim_ms) *
		                 (0.6 + 0.8 * sim_smooth(s->seed, id, 87,
		                                  sim_ms, 15 * SIM_MIN)));
}

void
sim_grid_enterprises(
    const struct sim *s, size_t gi, int64_t sim_ms, double out[3])
{
	const struct sim_grid *g = &s->grids[gi];
	uint64_t id = gi + 1;
	double hi, med;

	/* Risk levels drift over days, as the district's screening
	 * updates them. */
	hi = 0.004 + 0.012 * sim_smooth(s->seed, id, 90, sim_ms, 3 * SIM_DAY);
	med = 0.03 + 0.05 * sim_smooth(s->seed, id, 91, sim_ms, 2 * SIM_DAY);
	out[0] = round(g->ent * hi);
	out[1] = round(g->ent * med);
	out[2] = round(g->ent) - out[0] - out[1];
}

double
sim_hotline(const struct sim *s, size_t sub, int64_t sim_ms)
{
	const struct sim_sub *sd = &s->subs[sub];
	int64_t off = sim_ms - s->t0;
	double v, act;
	size_t i;

	v = sd->pop * (2 + 24 * sim_hotline_profile(sim_ms)) *
	    (0.85 +
	        0.3 * sim_smooth(s->seed, sub + 1, 95, sim_ms, 10 * SIM_MIN));
	for (i = 0; i < s->nscens; i++) {
		const struct sim_scen *sc = &s->scens[i];

		act = sim_scen_active(sc, off);
		if (act == 0)
			continue;
		if (sc->type == SIM_RAINSTORM &&
		    sim_in(sc->subs, sc->nsubs, (int)sub))
			v += 45 * act;
		else if (sc->type == SIM_HOTLINE && sc->sub == (int)sub)
			v += (sc->peak - v) * act;
	}
	return round(fmax(0, v));
}

int
sim_system_state(const struct sim *s, size_t i, int64_t sim_ms, double *lat)
{
	const struct sim_system *sys = &s->systems[i];
	int64_t off = sim_ms - s->t0, hour, in_hour, m0, len;
	uint64_t id = i + 1;
	size_t k;

	for (k = 0; k < s->nscens; k++) {
		const struct sim_scen *sc = &s->scens[k];

		if (sc->type != SIM_OUTAGE || sc->sys != (int)i ||
		    sim_scen_active(sc, off) == 0)
			continue;
		/* First it says it is down (for a third of the outage, two
		 * minutes at most), then it goes silent. */
		return off - sc->at < (sc->dur / 3 < 2 * SIM_MIN ? sc->dur / 3
		                                                 : 2 * SIM_MIN)
		           ? 0
		           : -1;
	}
	if (s->blips) {
		hour = sim_floor_div(sim_ms, SIM_HOUR);
		in_hour = sim_ms - hour * SIM_HOUR;
		if (sim_rand(s->seed, id, 100, (uint64_t)hour) < 0.01) {
			m0 = (int64_t)(sim_rand(
			                   s->seed, id, 101, (uint64_t)hour) *
			               45) *
			     SIM_MIN;
			len = (3 + (int64_t)(sim_rand(s->seed, id, 102,
			                         (uint64_t)hour) *
			                     6)) *
			      SIM_MIN;
			if (in_hour >= m0 && in_hour < m0 + len)
				return 0;
		}
	}
	*lat = sys->lat0 * (1 + 0.3 * sim_traffic_profile(sim_ms)) *
	       (0.8 + 0.4 * sim_smooth(s->seed, id, 103, sim_ms, 5 * SIM_MIN));
	if (sim_rand(s->seed, id, 104,
	        (uint64_t)sim_floor_div(sim_ms, SIM_MIN)) < 0.01)
		*lat *= 4; /* a slow minute */
	*lat = round(*lat * 10) / 10;
	return 1;
}
