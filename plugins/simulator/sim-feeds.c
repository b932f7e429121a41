/*
 * The simulator's generic feeds: every metric a system of systems.json
 * declares that the grid model (sim-signal.c) does not write, for the
 * places the system covers at the level the metric is declared "per",
 * at the system's interval, each with a behaviour of its kind (counts
 * through office hours, levels that follow the rain, alarms that only
 * scenarios raise, counters of the day, percentages near the top).
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/simulator/sim-int.h"

/* Where a feed is evaluated. */
struct feed_place {
	int grid; /* -1 above grid level */
	int sub;  /* -1 for the district */
	uint64_t id;
	const struct sim_grid_vals *v; /* the grid model's values, or NULL */
};

typedef double (*feed_fn)(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label);

/* A behaviour: v = base * spread + amp * profile + noise, per entity. */
struct feed_kind {
	const char *name;
	feed_fn fn;
	double base, amp, noise, unit;
};

static double
feed_spread(const struct sim *s, const struct sim_feed *f, uint64_t id)
{
	uint64_t h = 1469598103934665603ULL;
	const char *c;

	for (c = f->name; *c != '\0'; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	return 0.7 + 0.6 * sim_rand(s->seed, h, id, 7);
}

static double
feed_noise(const struct sim *s, const struct feed_place *p, int64_t sim_ms,
    uint64_t salt)
{
	return 2 * sim_smooth(s->seed, p->id, 200 + salt, sim_ms, 7 * SIM_MIN) -
	       1;
}

/* Daylight activity 0..1 (people outdoors, sites at work). */
static double
feed_daylight(int64_t sim_ms)
{
	double h = sim_hour_of_day(sim_ms);

	return h < 7 || h > 22 ? 0.05 : 0.5 + 0.5 * sin(M_PI * (h - 7) / 15);
}

/* The kinds, by profile.  kind->base etc. come through f->kind. */
static const struct feed_kind *feed_kind_of(const struct sim_feed *f);

#define K (feed_kind_of(f))

static double
feed_flat(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	return K->base * feed_spread(s, f, p->id + label * 7919) +
	       K->noise * feed_noise(s, p, sim_ms, label);
}

static double
feed_office(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	return feed_spread(s, f, p->id + label * 7919) *
	           (K->base + K->amp * sim_hotline_profile(sim_ms)) +
	       K->noise * feed_noise(s, p, sim_ms, label);
}

static double
feed_traffic(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	return feed_spread(s, f, p->id + label * 7919) *
	           (K->base + K->amp * sim_traffic_profile(sim_ms)) +
	       K->noise * feed_noise(s, p, sim_ms, label);
}

static double
feed_day(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	return feed_spread(s, f, p->id + label * 7919) *
	           (K->base + K->amp * feed_daylight(sim_ms)) +
	       K->noise * feed_noise(s, p, sim_ms, label);
}

/* Alarms: 0 unless a scenario raises them. */
static double
feed_alarm(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	(void)s;
	(void)f;
	(void)p;
	(void)sim_ms;
	(void)label;
	return 0;
}

/* Counts of the day so far: from 0 at midnight, with office hours. */
static double
feed_today(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	double h = sim_hour_of_day(sim_ms);
	double frac = h < 8 ? 0 : h > 20 ? 1 : (h - 8) / 12;

	return floor(K->base * feed_spread(s, f, p->id + label * 7919) * frac);
}

/* A counter that only grows (records in the data lake). */
static double
feed_counter(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	(void)label;
	return K->base * feed_spread(s, f, p->id) +
	       K->amp * (double)(sim_ms / 1000 - 1700000000LL);
}

/* Water: river level and pumps follow the grid's water and rain. */
static double
feed_river(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	(void)f;
	(void)label;
	if (p->v == NULL)
		return NAN;
	return 0.4 + 1.1 * p->v->level + 0.05 * feed_noise(s, p, sim_ms, 1);
}

static double
feed_pumps(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	(void)s;
	(void)sim_ms;
	(void)label;
	if (p->v == NULL)
		return NAN;
	return fmin(K->base, floor(p->v->rain / 12 + (p->v->level > 3.5)));
}

/* Forecast water level: the highest over the next hours (3 h, or with a
 * "horizon" label 1 h / 3 h) of the grid, or of the low-lying grids of
 * a subdistrict, from the rain the model knows is coming, with an error
 * that grows with the horizon. */
static double
feed_forecast(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	struct sim_grid_vals v;
	int64_t ahead = f->nvalues > 0 && label == 0 ? SIM_HOUR : 3 * SIM_HOUR;
	int64_t t;
	double best = NAN;
	size_t g;

	for (g = 0; g < s->ngrids; g++) {
		if (p->grid >= 0
		        ? g != (size_t)p->grid
		        : !(s->grids[g].flags & SIM_LOW) ||
		              (p->sub >= 0 && s->grids[g].sub != p->sub))
			continue;
		for (t = sim_ms + ahead / 4; t <= sim_ms + ahead;
		     t += ahead / 4) {
			sim_grid_eval(s, g, t, &v);
			if (isnan(best) || v.level > best)
				best = v.level;
		}
	}
	if (isnan(best))
		return NAN;
	return best +
	       (ahead == SIM_HOUR ? 0.05 : 0.15) * feed_noise(s, p, sim_ms, 9);
}

/* 12345: the subdistrict's tickets, split by category, overdue cases,
 * satisfaction that drops in a surge. */
static const double feed_category_share[] = {
    0.27, 0.18, 0.14, 0.16, 0.13, 0.12};

static double
feed_hotline_new(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	double share =
	    label < sizeof feed_category_share / sizeof *feed_category_share
	        ? feed_category_share[label]
	        : 0.1;

	(void)f;
	if (p->sub < 0)
		return NAN;
	/* Tickets per 10 min -> cases per hour. */
	return round(6 * sim_hotline(s, (size_t)p->sub, sim_ms) * share *
	             (0.9 + 0.2 * sim_smooth(s->seed, p->id, 210 + label,
	                              sim_ms, 20 * SIM_MIN)));
}

static double
feed_hotline_rel(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	double t, base;

	(void)label;
	if (p->sub < 0)
		return NAN;
	t = sim_hotline(s, (size_t)p->sub, sim_ms);
	base = sim_hotline(s, (size_t)p->sub, sim_ms - 6 * SIM_HOUR);
	/* amp < 0: satisfaction falls as tickets outrun the usual. */
	return K->base + K->amp * t / (1 + base) +
	       K->noise * feed_noise(s, p, sim_ms, 3);
}

static double
feed_hotline_daily(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	double sum = 0;
	int k;

	(void)f;
	(void)label;
	if (p->sub < 0)
		return NAN;
	/* Yesterday's cases: 144 ten-minute counts, sampled hourly. */
	for (k = 0; k < 24; k++)
		sum += 6 * sim_hotline(s, (size_t)p->sub,
		               sim_ms - (int64_t)(k + 1) * SIM_HOUR);
	return round(sum);
}

/* Public opinion follows the hotline: complaints go online too. */
static double
feed_opinion(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	double t = 0;
	size_t i;

	(void)label;
	if (p->sub >= 0)
		t = sim_hotline(s, (size_t)p->sub, sim_ms);
	else
		for (i = 0; i < s->nsubs; i++)
			t += sim_hotline(s, i, sim_ms);
	return round(K->base * feed_spread(s, f, p->id) + K->amp * t);
}

/* Crowds: near stations and in the evening, more where traffic is. */
static double
feed_crowd(const struct sim *s, const struct sim_feed *f,
    const struct feed_place *p, int64_t sim_ms, size_t label)
{
	(void)label;
	return K->base * feed_spread(s, f, p->id) +
	       K->amp * sim_metro_profile(sim_ms) +
	       K->noise * feed_noise(s, p, sim_ms, 4);
}

#undef K

/* Behaviours by metric; metrics not listed get feed_flat around the
 * middle of a small count. */
static const struct feed_kind feed_kinds[] = {
    {"river_level_m", feed_river, 0, 0, 0, 0.01},
    {"pump_running", feed_pumps, 8, 0, 0, 1},
    {"reservoir_level_m", feed_flat, 28, 0, 0.2, 0.01},
    {"water_quality_cod", feed_flat, 18, 0, 3, 0.1},
    {"pollution_exceed", feed_flat, 1.2, 0, 0.8, 1},
    {"fire_alarm_active", feed_alarm, 0, 0, 0, 1},
    {"smoke_alarm_active", feed_alarm, 0, 0, 0, 1},
    {"hydrant_pressure_mpa", feed_flat, 0.32, 0, 0.02, 0.01},
    {"gas_ppm", feed_flat, 2, 0, 1.5, 0.1},
    {"slope_shift_mm", feed_flat, 1.5, 0, 0.3, 0.1},
    {"weather_warning_level", feed_alarm, 0, 0, 0, 1},
    {"hazchem_sites_alarm", feed_alarm, 0, 0, 0, 1},
    {"building_tilt_deg", feed_flat, 0.4, 0, 0.05, 0.01},
    {"site_pm10", feed_day, 30, 60, 10, 1},
    {"crane_load_pct", feed_day, 10, 55, 8, 1},
    {"signal_fault", feed_flat, 0.3, 0, 0.6, 1},
    {"parking_free", feed_traffic, 420, -300, 25, 1},
    {"bus_on_time_pct", feed_traffic, 96, -8, 1.5, 0.1},
    {"opinion_negative", feed_opinion, 30, 0.4, 0, 1},
    {"opinion_mentions", feed_opinion, 40, 1.5, 0, 1},
    {"fundraising_cases", feed_flat, 3, 0, 0.6, 1},
    {"crowd_density", feed_crowd, 0.6, 1.6, 0.2, 0.1},
    {"elevator_trapped", feed_alarm, 0, 0, 0, 1},
    {"food_samples_failed", feed_flat, 1, 0, 0.8, 1},
    {"power_outage_households", feed_flat, 4, 0, 6, 1},
    {"grid_events_open", feed_office, 60, 120, 8, 1},
    {"city_cases_open", feed_office, 140, 220, 12, 1},
    {"rental_unregistered", feed_flat, 85, 0, 6, 1},
    {"population_registered", feed_flat, 1550000, 0, 800, 1},
    {"village_issues_open", feed_flat, 24, 0, 4, 1},
    {"illegal_building_cases", feed_flat, 9, 0, 2, 1},
    {"street_order_cases", feed_day, 10, 30, 4, 1},
    {"sanitation_vehicles_active", feed_day, 8, 40, 3, 1},
    {"garbage_sorting_pct", feed_flat, 88, 0, 3, 0.1},
    {"safety_hazards_open", feed_office, 30, 20, 4, 1},
    {"emergency_incidents_active", feed_flat, 1.5, 0, 1.2, 1},
    {"joint_tasks_open", feed_office, 3, 6, 1.5, 1},
    {"correction_checkins_missed", feed_flat, 0.6, 0, 0.8, 1},
    {"petitions_open", feed_office, 12, 10, 2, 1},
    {"disputes_open", feed_office, 18, 12, 3, 1},
    {"school_alarm", feed_alarm, 0, 0, 0, 1},
    {"city_vitals_index", feed_traffic, 82, -6, 1.5, 0.1},
    {"economy_index", feed_flat, 103, 0, 1, 0.1},
    {"population_index", feed_flat, 100, 0, 0.5, 0.1},
    {"planning_projects", feed_flat, 46, 0, 1, 1},
    {"traffic_index", feed_traffic, 1.2, 4.5, 0.3, 0.01},
    {"risk_index", feed_flat, 32, 0, 4, 0.1},
    {"water_level_forecast", feed_forecast, 0, 0, 0, 0.01},
    {"enterprises_active", feed_flat, 165000, 0, 300, 1},
    {"health_index", feed_flat, 91, 0, 1, 0.1},
    {"school_places_gap", feed_flat, 1200, 0, 40, 1},
    {"fiscal_index", feed_flat, 97, 0, 1.5, 0.1},
    {"hotline_hotspots", feed_office, 2, 6, 1, 1},
    {"hotline_cases_daily", feed_hotline_daily, 0, 0, 0, 1},
    {"hotline_waiting", feed_office, 2, 45, 4, 1},
    {"hotline_cases_new", feed_hotline_new, 0, 0, 0, 1},
    {"hotline_cases_overdue", feed_hotline_rel, 4, 2, 1, 1},
    {"hotline_satisfaction_pct", feed_hotline_rel, 96, -1.2, 0.8, 0.1},
    {"service_queue", feed_office, 6, 40, 3, 1},
    {"app_requests_per_min", feed_office, 150, 2400, 60, 1},
    {"approvals_pending", feed_office, 300, 150, 15, 1},
    {"kiosk_online", feed_flat, 4, 0, 0.4, 1},
    {"bookings_per_min", feed_office, 5, 90, 5, 1},
    {"clinic_queue", feed_office, 2, 22, 3, 1},
    {"vaccinations_today", feed_today, 2400, 0, 0, 1},
    {"enrolment_applications", feed_office, 40, 80, 10, 1},
    {"elderly_sos", feed_flat, 0.3, 0, 0.5, 1},
    {"assistance_cases", feed_flat, 410, 0, 6, 1},
    {"job_postings", feed_flat, 5200, 0, 80, 1},
    {"registrations_today", feed_today, 900, 0, 0, 1},
    {"complaints_open", feed_office, 60, 60, 6, 1},
    {"wifi_users", feed_day, 20, 260, 20, 1},
    {"cloud_cpu_pct", feed_office, 28, 40, 4, 0.1},
    {"network_loss_pct", feed_flat, 0.2, 0, 0.15, 0.01},
    {"exchange_records_per_min", feed_office, 2000, 16000, 600, 1},
    {"datalake_records", feed_counter, 8.4e10, 2.5, 0, 1},
    {"auth_failures", feed_office, 3, 25, 3, 1},
    {"map_tiles_served", feed_office, 300, 5000, 200, 1},
    {"cameras_online_pct", feed_flat, 97.5, 0, 0.8, 0.1},
    {"iot_devices_online", feed_flat, 48000, 0, 150, 1},
    {"security_events", feed_flat, 4, 0, 3, 1},
    {"backup_lag_s", feed_flat, 40, 0, 25, 1},
    {"messages_queued", feed_office, 20, 600, 40, 1},
    {"grid_patrols_active", feed_day, 5, 30, 4, 1},
    {NULL, feed_flat, 0, 0, 0, 0},
};

static const struct feed_kind feed_generic = {"", feed_flat, 5, 0, 1, 1};

static const struct feed_kind *
feed_kind_of(const struct sim_feed *f)
{
	return f->kind >= 0 ? &feed_kinds[f->kind] : &feed_generic;
}

static const char *const feed_per_names[] = {
    [SIM_PER_GRID] = "grid",
    [SIM_PER_COMMUNITY] = "community",
    [SIM_PER_SUB] = "subdistrict",
    [SIM_PER_DISTRICT] = "district",
};

/* Does territory code cover grid g (the grid, its community, its
 * subdistrict or the district)? */
static int
feed_code_covers(const struct sim *s, const char *code, size_t g)
{
	const char *gc = s->grids[g].code;
	size_t n = strlen(code);

	if (strcmp(code, gc) == 0)
		return 1;
	if (n != 12)
		return 0;
	if (strncmp(code, gc, 12) == 0) /* community */
		return 1;
	if (strcmp(code, s->subs[s->grids[g].sub].code) == 0)
		return 1;
	/* The district: 6 digits and zeros. */
	return strcmp(code + 6, "000000") == 0 && strncmp(code, gc, 6) == 0;
}

static int
feed_read(struct sim_feed *f, json_t *m, const char *where, char **cause)
{
	const char *name = NULL, *per = NULL, *key;
	json_t *r, *vals, *v;
	size_t i;

	memset(f, 0, sizeof *f);
	f->kind = -1;
	f->lo = 0;
	f->hi = 1e9;
	if (json_is_string(m))
		name = json_string_value(m);
	else if (json_is_object(m)) {
		name = json_string_value(json_object_get(m, "name"));
		per = json_string_value(json_object_get(m, "per"));
		r = json_object_get(m, "range");
		if (json_array_size(r) == 2) {
			f->lo = json_number_value(json_array_get(r, 0));
			f->hi = json_number_value(json_array_get(r, 1));
		}
		json_object_foreach(json_object_get(m, "labels"), key, vals)
		{
			if (f->label != NULL)
				break;
			f->label = strdup(key);
			f->values = calloc(
			    json_array_size(vals) + 1, sizeof *f->values);
			if (f->label == NULL || f->values == NULL)
				abort();
			json_array_foreach(vals, i, v)
			{
				if (json_is_string(v))
					f->values[f->nvalues++] =
					    strdup(json_string_value(v));
			}
		}
	}
	if (name == NULL || strchr(name, '_') == NULL) {
		*cause = calloc(1, 256);
		if (*cause == NULL)
			abort();
		snprintf(*cause, 256,
		    "%s: a metric needs a name with '_' (measurement_field)",
		    where);
		return -1;
	}
	f->name = strdup(name);
	f->measurement = strdup(name);
	if (f->name == NULL || f->measurement == NULL)
		abort();
	*strchr(f->measurement, '_') = '\0';
	f->field = f->name + strlen(f->measurement) + 1;
	f->per = SIM_PER_GRID;
	for (i = 0; per != NULL && i <= SIM_PER_DISTRICT; i++) {
		if (strcmp(per, feed_per_names[i]) == 0)
			f->per = (enum sim_per)i;
	}
	for (i = 0; feed_kinds[i].name != NULL; i++) {
		if (strcmp(feed_kinds[i].name, name) == 0)
			f->kind = (int)i;
	}
	return 0;
}

int
sim_feeds_conf(struct sim *s, size_t i, struct json_t *o, char **cause)
{
	struct sim_system *sys = &s->systems[i];
	json_t *metrics = json_object_get(o, "metrics"), *grids, *gv;
	const char *iv;
	char where[128];
	size_t k, g;

	iv = json_string_value(json_object_get(o, "interval"));
	if (iv == NULL || sim_duration_parse(iv, &sys->interval) != 0)
		sys->interval = 0;
	sys->slot = -1;
	sys->covers = calloc(s->ngrids + 1, 1);
	if (sys->covers == NULL)
		abort();
	grids = json_object_get(o, "grids");
	if (grids == NULL)
		memset(sys->covers, 1, s->ngrids);
	json_array_foreach(grids, k, gv)
	{
		if (!json_is_string(gv))
			continue;
		for (g = 0; g < s->ngrids; g++) {
			if (feed_code_covers(s, json_string_value(gv), g))
				sys->covers[g] = 1;
		}
	}
	sys->feeds = calloc(json_array_size(metrics) + 1, sizeof *sys->feeds);
	if (sys->feeds == NULL)
		abort();
	for (k = 0; k < json_array_size(metrics); k++) {
		snprintf(
		    where, sizeof where, "systems[%zu].metrics[%zu]", i, k);
		if (feed_read(&sys->feeds[k], json_array_get(metrics, k), where,
		        cause) != 0)
			return -1;
		sys->nfeeds++;
	}
	return 0;
}

void
sim_feeds_free(struct sim_system *sys)
{
	size_t k, j;

	for (k = 0; k < sys->nfeeds; k++) {
		struct sim_feed *f = &sys->feeds[k];

		free(f->name);
		free(f->measurement);
		free(f->label);
		for (j = 0; j < f->nvalues; j++)
			free(f->values[j]);
		free(f->values);
	}
	free(sys->feeds);
	free(sys->covers);
}

int
sim_covers(const struct sim *s, int sys, size_t g)
{
	return sys < 0 || s->systems[sys].covers[g];
}

/* The grid model's series: (system, metric) pairs it writes itself. */
static void
feed_mark(struct sim *s, int sys, const char *name)
{
	size_t k;

	if (sys < 0)
		return;
	for (k = 0; k < s->systems[sys].nfeeds; k++) {
		if (strcmp(s->systems[sys].feeds[k].name, name) == 0)
			s->systems[sys].feeds[k].modelled = 1;
	}
}

void
sim_feeds_mark_modelled(struct sim *s)
{
	size_t g;

	feed_mark(s, s->sys_air, "env_aqi");
	feed_mark(s, s->sys_air, "env_pm25");
	feed_mark(s, s->sys_noise, "env_noise_db");
	feed_mark(s, s->sys_traffic, "traffic_flow");
	feed_mark(s, s->sys_traffic, "traffic_speed");
	feed_mark(s, s->sys_traffic, "traffic_congestion");
	feed_mark(s, s->sys_level, "water_level");
	feed_mark(s, s->sys_rain, "water_rainfall");
	feed_mark(s, s->sys_metro, "metro_passengers");
	feed_mark(s, s->sys_finance, "finance_enterprises");
	feed_mark(s, s->sys_hotline, "hotline_tickets");
	for (g = 0; g < s->ngrids; g++)
		feed_mark(s, s->grids[g].hall_sys, "service_queue");
}

void
sim_feeds_due(struct sim *s, int64_t t)
{
	size_t i;
	int64_t iv, slot;

	for (i = 0; i < s->nsystems; i++) {
		struct sim_system *sys = &s->systems[i];

		iv = sys->interval > s->step ? sys->interval : s->step;
		slot = t / iv;
		sys->due = slot != sys->slot;
		if (sys->due)
			sys->slot = slot;
	}
}

/* One feed at one place: one series, or one per label value. */
static void
feed_emit(struct sim_emit *e, int si, const struct sim_feed *f,
    struct sim_tag *tags, size_t ntags, const struct feed_place *p, int64_t t)
{
	const struct sim *s = e->s;
	const struct feed_kind *k = feed_kind_of(f);
	int64_t sim_ms = sim_time(s, t);
	size_t j, n = f->nvalues > 0 ? f->nvalues : 1;
	double v;

	for (j = 0; j < n; j++) {
		v = k->fn(s, f, p, sim_ms, j);
		if (isnan(v))
			continue;
		if (k->unit > 0)
			v = round(v / k->unit) * k->unit;
		v = fmax(f->lo, fmin(f->hi, v));
		if (f->nvalues > 0) {
			tags[ntags].key = f->label;
			tags[ntags].value = f->values[j];
		}
		sim_emit(e, f->measurement, f->field, si, tags,
		    ntags + (f->nvalues > 0), v, t);
	}
}

/* Whether system si reports now (an outage silences it; live ticks at
 * its interval; the backfill at every step). */
static int
feed_reports(const struct sim_emit *e, int si, int64_t t)
{
	const struct sim *s = e->s;
	double lat;

	if (e->live && !s->systems[si].due)
		return 0;
	return sim_system_state(s, (size_t)si, sim_time(s, t), &lat) >= 0;
}

void
sim_feeds_grid(
    struct sim_emit *e, size_t g, int64_t t, const struct sim_grid_vals *v)
{
	const struct sim *s = e->s;
	struct feed_place p = {
	    .grid = (int)g, .sub = s->grids[g].sub, .id = g + 1, .v = v};
	struct sim_tag tags[2];
	size_t i, k;

	tags[0].key = "grid";
	tags[0].value = s->grids[g].code;
	for (i = 0; i < s->nsystems; i++) {
		const struct sim_system *sys = &s->systems[i];

		if (!sys->covers[g])
			continue;
		for (k = 0; k < sys->nfeeds; k++) {
			if (sys->feeds[k].modelled ||
			    sys->feeds[k].per != SIM_PER_GRID)
				continue;
			if (!feed_reports(e, (int)i, t))
				break;
			feed_emit(e, (int)i, &sys->feeds[k], tags, 1, &p, t);
		}
	}
}

/* The feeds of system i above grid level. */
static void
feed_rest_system(struct sim_emit *e, size_t i, int64_t t)
{
	const struct sim *s = e->s;
	const struct sim_system *sys = &s->systems[i];
	struct feed_place p;
	struct sim_tag tags[2];
	char comm[13];
	size_t k, g, r;

	for (k = 0; k < sys->nfeeds; k++) {
		const struct sim_feed *f = &sys->feeds[k];

		if (f->modelled || f->per == SIM_PER_GRID)
			continue;
		if (!feed_reports(e, (int)i, t))
			return;
		memset(&p, 0, sizeof p);
		if (f->per == SIM_PER_DISTRICT) {
			p.grid = p.sub = -1;
			feed_emit(e, (int)i, f, tags, 0, &p, t);
			continue;
		}
		if (f->per == SIM_PER_SUB) {
			for (r = 0; r < s->nsubs; r++) {
				for (g = 0; g < s->ngrids; g++) {
					if (s->grids[g].sub == (int)r &&
					    sys->covers[g])
						break;
				}
				if (g == s->ngrids)
					continue;
				p.grid = -1;
				p.sub = (int)r;
				p.id = 100000 + r;
				tags[0].key = "subdistrict";
				tags[0].value = s->subs[r].code;
				feed_emit(e, (int)i, f, tags, 1, &p, t);
			}
			continue;
		}
		/* Per community: at each community's first covered grid. */
		comm[0] = '\0';
		for (g = 0; g < s->ngrids; g++) {
			if (!sys->covers[g] ||
			    strncmp(comm, s->grids[g].code, 12) == 0)
				continue;
			memcpy(comm, s->grids[g].code, 12);
			comm[12] = '\0';
			p.grid = -1;
			p.sub = s->grids[g].sub;
			p.id = 200000 + g;
			tags[0].key = "community";
			tags[0].value = comm;
			feed_emit(e, (int)i, f, tags, 1, &p, t);
		}
	}
}

void
sim_feeds_rest(struct sim_emit *e, int64_t t)
{
	size_t i;

	for (i = 0; i < e->s->nsystems; i++)
		feed_rest_system(e, i, t);
}
