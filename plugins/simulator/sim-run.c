/*
 * The simulator's schedule: the backfill (the last 24 h, grid by grid so
 * that each series arrives oldest first and a slice never waits behind
 * another for the same series), then live ticks every step, scenario
 * events, and the state file that lets a second run backfill only the gap.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/simulator/sim-int.h"

#define SIM_FIN_BACKFILL (30 * SIM_MIN) /* finance history step */

struct sim *
sim_new(const char *config_json, char **cause)
{
	struct sim *s = calloc(1, sizeof *s);
	size_t *next, i, n, r;
	int more;

	if (s == NULL)
		abort();
	if (sim_conf_load(s, config_json, cause) != 0) {
		sim_conf_free(s);
		free(s);
		return NULL;
	}
	/* Grids interleaved across subdistricts, so that every subdistrict
	 * has data after the first backfill slice. */
	s->order = calloc(s->ngrids + 1, sizeof *s->order);
	next = calloc(s->nsubs + 1, sizeof *next);
	if (s->order == NULL || next == NULL)
		abort();
	n = 0;
	do {
		more = 0;
		for (r = 0; r < s->nsubs; r++) {
			for (i = next[r]; i < s->ngrids; i++)
				if (s->grids[i].sub == (int)r)
					break;
			if (i < s->ngrids) {
				s->order[n++] = i;
				next[r] = i + 1;
				more = 1;
			} else
				next[r] = s->ngrids;
		}
	} while (more);
	free(next);
	return s;
}

void
sim_free(struct sim *s)
{
	if (s == NULL)
		return;
	sim_conf_free(s);
	free(s->order);
	free(s->bf_times);
	free(s);
}

int64_t
sim_time(const struct sim *s, int64_t t_ms)
{
	if (s->speed == 1)
		return t_ms;
	return s->t0 + (int64_t)llround((double)(t_ms - s->t0) * s->speed);
}

int
sim_live(const struct sim *s)
{
	return s->live;
}

static int64_t
sim_ceil_to(int64_t t, int64_t step)
{
	int64_t r = t % step;

	if (r < 0)
		r += step;
	return r == 0 ? t : t + (step - r);
}

static void sim_log(const struct sim_out *out, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
sim_log(const struct sim_out *out, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (out->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	out->log(out->arg, level, msg);
}

/* The last live tick of a previous run, or -1. */
static int64_t
sim_state_read(const struct sim *s)
{
	long long v;
	FILE *f;
	int ok;

	if (s->state_file == NULL || (f = fopen(s->state_file, "r")) == NULL)
		return -1;
	ok = fscanf(f, "%lld", &v) == 1;
	fclose(f);
	return ok && v > 0 ? (int64_t)v : -1;
}

static void
sim_state_write(const struct sim *s, int64_t t)
{
	char tmp[4096];
	FILE *f;

	if (s->state_file == NULL)
		return;
	snprintf(tmp, sizeof tmp, "%s.tmp", s->state_file);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "%lld\n", (long long)t);
	if (fclose(f) == 0)
		rename(tmp, s->state_file);
	else
		remove(tmp);
}

/* Wall times of the backfill, oldest first: the span at a coarse step,
 * its most recent part at a finer one, after a previous run's end. */
static void
sim_backfill_plan(struct sim *s, int64_t now, const struct sim_out *out)
{
	int64_t from = now - s->bf_span, fine = now - s->bf_recent;
	int64_t last = sim_state_read(s), t;
	size_t cap;

	if (last > 0 && last + 1 > from)
		from = last + 1;
	if (s->bf_span == 0 || from >= now) {
		s->nbf = 0;
		return;
	}
	cap = (size_t)(s->bf_span / s->bf_step +
	               s->bf_recent / s->bf_recent_step + 4);
	s->bf_times = calloc(cap, sizeof *s->bf_times);
	if (s->bf_times == NULL)
		abort();
	for (t = sim_ceil_to(from, s->bf_step);
	     t < fine && t < now && s->nbf < cap; t += s->bf_step)
		s->bf_times[s->nbf++] = t;
	for (t = sim_ceil_to(from > fine ? from : fine, s->bf_recent_step);
	     t < now && s->nbf < cap; t += s->bf_recent_step)
		s->bf_times[s->nbf++] = t;
	sim_log(out, 2, "backfill: %zu steps from %lld s ago for %zu grids%s",
	    s->nbf, (long long)((now - from) / 1000), s->ngrids,
	    last > 0 ? " (after the previous run)" : "");
}

/* Whether an outage keeps system i from sending at simulated time. */
static int
sim_silenced(const struct sim *s, int i, int64_t sim_ms)
{
	double lat;

	if (i < 0)
		return 0;
	return sim_system_state(s, (size_t)i, sim_ms, &lat) < 0;
}

/* The value of a spike scenario on series name with tags at simulated
 * offset off, if one is active there. */
static int
sim_spike(const struct sim *s, const char *name, const struct sim_tag *tags,
    size_t ntags, int64_t off, double *v)
{
	const char *grid = NULL, *mv;
	size_t i, k;

	for (k = 0; k < ntags; k++) {
		if (strcmp(tags[k].key, "grid") == 0)
			grid = tags[k].value;
	}
	if (grid == NULL)
		return 0;
	for (i = 0; i < s->nscens; i++) {
		const struct sim_scen *sc = &s->scens[i];

		if (sc->type != SIM_SPIKE || strcmp(sc->metric, name) != 0 ||
		    sim_scen_active(sc, off) == 0)
			continue;
		if (sc->grid >= 0 ? strcmp(s->grids[sc->grid].code, grid) != 0
		                  : strncmp(sc->community, grid, 12) != 0)
			continue;
		if (sc->match_key != NULL) {
			mv = NULL;
			for (k = 0; k < ntags; k++) {
				if (strcmp(tags[k].key, sc->match_key) == 0)
					mv = tags[k].value;
			}
			if (mv == NULL || strcmp(mv, sc->match_value) != 0)
				continue;
		}
		*v = sc->value;
		return 1;
	}
	return 0;
}

void
sim_emit(struct sim_emit *e, const char *m, const char *field, int sys,
    const struct sim_tag *tags, size_t ntags, double v, int64_t t)
{
	struct sim_tag all[4];
	char name[256];
	size_t i;

	if (e->s->nspikes > 0) {
		snprintf(name, sizeof name, "%s_%s", m, field);
		sim_spike(
		    e->s, name, tags, ntags, sim_time(e->s, t) - e->s->t0, &v);
	}
	if (isnan(v))
		return;
	for (i = 0; i < ntags && i < 3; i++)
		all[i] = tags[i];
	if (sys >= 0) {
		all[i].key = "system";
		all[i].value = e->s->systems[sys].id;
		i++;
	}
	e->out->point(e->out->arg, m, field, all, i, v, t);
	e->n++;
}

static double
sim_round(double v, double unit)
{
	return round(v / unit) * unit;
}

/* Every series of grid g at wall time t. */
static void
sim_emit_grid(struct sim_emit *e, size_t g, int64_t t, int finance)
{
	const struct sim *s = e->s;
	int64_t sim_ms = sim_time(s, t);
	struct sim_tag tags[2];
	struct sim_grid_vals v;
	double ent[3];
	static const char *const levels[3] = {"high", "medium", "low"};
	int k;

	tags[0].key = "grid";
	tags[0].value = s->grids[g].code;
	sim_grid_eval(s, g, sim_ms, &v);
	if (sim_covers(s, s->sys_air, g) &&
	    !sim_silenced(s, s->sys_air, sim_ms)) {
		sim_emit(e, "env", "aqi", s->sys_air, tags, 1,
		    sim_round(v.aqi, 1), t);
		sim_emit(e, "env", "pm25", s->sys_air, tags, 1,
		    sim_round(v.pm25, 0.1), t);
	}
	if (sim_covers(s, s->sys_noise, g) &&
	    !sim_silenced(s, s->sys_noise, sim_ms))
		sim_emit(e, "env", "noise_db", s->sys_noise, tags, 1,
		    sim_round(v.noise, 0.1), t);
	if (sim_covers(s, s->sys_traffic, g) &&
	    !sim_silenced(s, s->sys_traffic, sim_ms)) {
		sim_emit(e, "traffic", "flow", s->sys_traffic, tags, 1,
		    round(v.flow), t);
		sim_emit(e, "traffic", "speed", s->sys_traffic, tags, 1,
		    sim_round(v.speed, 0.1), t);
		sim_emit(e, "traffic", "congestion", s->sys_traffic, tags, 1,
		    sim_round(v.congestion, 0.01), t);
	}
	if (sim_covers(s, s->sys_level, g) &&
	    !sim_silenced(s, s->sys_level, sim_ms))
		sim_emit(e, "water", "level", s->sys_level, tags, 1,
		    sim_round(v.level, 0.01), t);
	if (sim_covers(s, s->sys_rain, g) &&
	    !sim_silenced(s, s->sys_rain, sim_ms))
		sim_emit(e, "water", "rainfall", s->sys_rain, tags, 1,
		    sim_round(v.rain, 0.1), t);
	if (!sim_silenced(s, s->sys_metro, sim_ms))
		sim_emit(e, "metro", "passengers", s->sys_metro, tags, 1,
		    v.metro, t);
	if (!sim_silenced(s, s->grids[g].hall_sys, sim_ms))
		sim_emit(e, "service", "queue", s->grids[g].hall_sys, tags, 1,
		    v.queue, t);
	if (finance && !sim_silenced(s, s->sys_finance, sim_ms)) {
		sim_grid_enterprises(s, g, sim_ms, ent);
		tags[1].key = "level";
		for (k = 0; k < 3; k++) {
			tags[1].value = levels[k];
			sim_emit(e, "finance", "enterprises", s->sys_finance,
			    tags, 2, ent[k], t);
		}
	}
	sim_feeds_grid(e, g, t, &v);
}

/* The district-wide series at wall time t: 12345 tickets per
 * subdistrict, every system's up flag and latency. */
static void
sim_emit_rest(struct sim_emit *e, int64_t t)
{
	const struct sim *s = e->s;
	int64_t sim_ms = sim_time(s, t);
	struct sim_tag tag;
	double lat = 0;
	size_t i;
	int st;

	tag.key = "subdistrict";
	if (!sim_silenced(s, s->sys_hotline, sim_ms)) {
		for (i = 0; i < s->nsubs; i++) {
			tag.value = s->subs[i].code;
			sim_emit(e, "hotline", "tickets", s->sys_hotline, &tag,
			    1, sim_hotline(s, i, sim_ms), t);
		}
	}
	sim_feeds_rest(e, t);
	for (i = 0; i < s->nsystems; i++) {
		st = sim_system_state(s, i, sim_ms, &lat);
		if (st < 0)
			continue;
		sim_emit(e, "system", "up", (int)i, NULL, 0, st, t);
		if (st > 0)
			sim_emit(
			    e, "system", "latency_ms", (int)i, NULL, 0, lat, t);
	}
}

/* Fire alarms go to the hub's events API when they start and end. */
static void
sim_events(struct sim *s, int64_t t, const struct sim_out *out)
{
	int64_t off = sim_time(s, t) - s->t0;
	struct sim_tag labels[2];
	char key[64];
	const char *msg, *msg_en;
	size_t i, n;
	int active;

	for (i = 0; i < s->nscens; i++) {
		struct sim_scen *sc = &s->scens[i];

		if (sc->type != SIM_FIRE)
			continue;
		active = sim_scen_active(sc, off) > 0;
		if (active == sc->raised || out->event == NULL)
			continue;
		sc->raised = active;
		snprintf(key, sizeof key, "fire/%s", s->grids[sc->grid].code);
		n = 0;
		labels[n].key = "grid";
		labels[n++].value = s->grids[sc->grid].code;
		if (s->sys_fire >= 0) {
			labels[n].key = "system";
			labels[n++].value = s->systems[s->sys_fire].id;
		}
		/* The hub fills in {place} from the grid label. */
		msg = active ? "火灾报警：{place} 烟感探测器报警"
		             : "火情已处置：{place}";
		msg_en = active ? "fire alarm: smoke detectors in {place}"
		                : "fire alarm cleared in {place}";
		out->event(out->arg, key, active ? "firing" : "resolved",
		    "high", "fire-alarm", "fire", msg, msg_en, labels, n,
		    active ? 1 : 0);
		sim_log(out, 2, "scenario %s: fire alarm %s in grid %s",
		    sc->name, active ? "raised" : "resolved",
		    s->grids[sc->grid].code);
	}
}

/* Log scenario starts and ends as simulated time crosses them. */
static void
sim_scen_log(
    const struct sim *s, int64_t t_prev, int64_t t, const struct sim_out *out)
{
	int64_t a = sim_time(s, t_prev) - s->t0, b = sim_time(s, t) - s->t0;
	size_t i;

	for (i = 0; i < s->nscens; i++) {
		const struct sim_scen *sc = &s->scens[i];

		if (sc->at > a && sc->at <= b)
			sim_log(out, 2, "scenario %s starts", sc->name);
		if (sc->at + sc->dur > a && sc->at + sc->dur <= b)
			sim_log(out, 2, "scenario %s ends", sc->name);
	}
}

/* One slice of backfill within the point budget since the last slice, so
 * that the collector's push keeps up and never reorders a series'
 * history: first the district-wide series (systems and the hotline, so
 * the platforms show up at once), then whole grids, each one's history
 * oldest first.  bf_next counts units: 0 the district-wide ones, then
 * grid order[bf_next - 1]. */
static void
sim_backfill_slice(struct sim *s, int64_t now, struct sim_emit *e)
{
	double budget;
	size_t k, j, start = e->n;
	int64_t el = s->bf_last > 0 ? now - s->bf_last : 1000;

	if (el < 200)
		el = 200;
	if (el > 2000)
		el = 2000;
	budget = s->bf_rate * (double)el / 1000.0;
	s->bf_last = now;
	if (s->bf_next == 0) {
		for (j = 0; j < s->nbf; j++)
			sim_emit_rest(e, s->bf_times[j]);
		s->bf_next = 1;
	}
	for (k = s->bf_next; k <= s->ngrids; k++) {
		if ((double)(e->n - start) >= budget)
			break;
		for (j = 0; j < s->nbf; j++)
			sim_emit_grid(e, s->order[k - 1], s->bf_times[j],
			    s->bf_times[j] % SIM_FIN_BACKFILL == 0);
	}
	s->bf_next = k;
}

size_t
sim_run(struct sim *s, int64_t now, const struct sim_out *out)
{
	struct sim_emit e = {.s = s, .out = out, .n = 0};
	size_t k, ngrids;
	int64_t t, prev;

	if (!s->started) {
		s->started = 1;
		s->t0 = now;
		sim_backfill_plan(s, now, out);
		s->next_tick = now - now % s->step;
		s->next_finance = s->next_tick;
		if (s->nbf == 0)
			s->live = 1;
	}
	if (!s->live) {
		e.live = 0;
		sim_backfill_slice(s, now, &e);
		if (s->bf_next > s->ngrids) {
			s->live = 1;
			free(s->bf_times);
			s->bf_times = NULL;
			sim_log(out, 2, "backfill done");
		}
	}
	if (now < s->next_tick) {
		s->emitted += e.n;
		return e.n;
	}
	/* Only the latest tick: a late call does not catch up.  While the
	 * backfill runs, only the grids whose history was sent. */
	prev = s->next_tick - s->step;
	t = now - now % s->step;
	e.live = 1;
	sim_feeds_due(s, t);
	ngrids = s->live ? s->ngrids : s->bf_next > 0 ? s->bf_next - 1 : 0;
	for (k = 0; k < ngrids && k < s->ngrids; k++)
		sim_emit_grid(
		    &e, s->order[k], t, s->live && t >= s->next_finance);
	if (s->live || s->bf_next > 0)
		sim_emit_rest(&e, t);
	if (s->live) {
		if (t >= s->next_finance)
			s->next_finance =
			    t - t % s->finance_every + s->finance_every;
		sim_state_write(s, t);
	}
	sim_scen_log(s, prev, t, out);
	sim_events(s, t, out);
	if (s->live)
		sim_cases(s, t, out);
	s->next_tick = t + s->step;
	s->emitted += e.n;
	return e.n;
}

double
sim_grid_value(
    struct sim *s, const char *grid, const char *metric, int64_t sim_ms)
{
	struct sim_grid_vals v;
	double ent[3];
	int g = sim_grid_find(s, grid);

	if (g < 0)
		return NAN;
	sim_grid_eval(s, (size_t)g, sim_ms, &v);
	if (strcmp(metric, "env_aqi") == 0)
		return v.aqi;
	if (strcmp(metric, "env_pm25") == 0)
		return v.pm25;
	if (strcmp(metric, "env_noise_db") == 0)
		return v.noise;
	if (strcmp(metric, "traffic_flow") == 0)
		return v.flow;
	if (strcmp(metric, "traffic_speed") == 0)
		return v.speed;
	if (strcmp(metric, "traffic_congestion") == 0)
		return v.congestion;
	if (strcmp(metric, "water_level") == 0)
		return v.level;
	if (strcmp(metric, "water_rainfall") == 0)
		return v.rain;
	if (strcmp(metric, "metro_passengers") == 0)
		return v.metro;
	if (strcmp(metric, "service_queue") == 0)
		return v.queue;
	if (strcmp(metric, "finance_enterprises") == 0) {
		sim_grid_enterprises(s, (size_t)g, sim_ms, ent);
		return ent[0] + ent[1] + ent[2];
	}
	return NAN;
}
