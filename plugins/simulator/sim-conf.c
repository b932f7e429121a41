/* Simulator configuration: the plugin's JSON, the territory and systems. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/simulator/sim-int.h"

/* A formatted message in new memory (the plugin cannot use lib/). */
static char *
sim_fmt(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = malloc((size_t)n + 1)) == NULL)
		abort();
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void *
sim_calloc(size_t n, size_t size)
{
	void *p = calloc(n + 1, size);

	if (p == NULL)
		abort();
	return p;
}

static char *
sim_strdup(const char *s)
{
	char *p = strdup(s != NULL ? s : "");

	if (p == NULL)
		abort();
	return p;
}

/* FNV-1a of a string: the stable identity of a grid or system. */
static uint64_t
sim_hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

int
sim_duration_parse(const char *str, int64_t *ms)
{
	const char *p = str;
	char *end;
	double v, mul;
	int neg = 0;

	if (p == NULL)
		return -1;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtod(p, &end);
	if (errno != 0 || end == p || !isfinite(v))
		return -1;
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (*end == '\0' || strcmp(end, "s") == 0)
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60000;
	else if (strcmp(end, "h") == 0)
		mul = 3600000;
	else if (strcmp(end, "d") == 0)
		mul = 86400000;
	else
		return -1;
	v *= mul;
	if (v > 1e15)
		return -1;
	*ms = (int64_t)llround(neg ? -v : v);
	return 0;
}

/* A duration member of obj (string or number of seconds); keeps *ms when
 * absent.  0, or -1 with *cause. */
static int
sim_conf_duration(
    json_t *obj, const char *key, const char *where, int64_t *ms, char **cause)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (json_is_number(v)) {
		*ms = (int64_t)llround(json_number_value(v) * 1000.0);
		return 0;
	}
	if (json_is_string(v) &&
	    sim_duration_parse(json_string_value(v), ms) == 0)
		return 0;
	*cause = sim_fmt("%s\"%s\": expected a duration such as \"90s\" or "
	                 "\"5m\"",
	    where, key);
	return -1;
}

/* Unknown keys of obj are errors: typos never pass silently. */
static int
sim_conf_keys(
    json_t *obj, const char *const *keys, const char *where, char **cause)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(obj, k, v)
	{
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(keys[i], k) == 0)
				break;
		if (keys[i] == NULL) {
			*cause = sim_fmt("%sunknown key \"%s\"", where, k);
			return -1;
		}
	}
	return 0;
}

int
sim_grid_find(const struct sim *s, const char *code)
{
	size_t lo = 0, hi = s->ngrids, mid;
	int c;

	if (code == NULL)
		return -1;
	/* The territory lists grids in code order; fall back to a scan. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(s->grids[mid].code, code);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (mid = 0; mid < s->ngrids; mid++)
		if (strcmp(s->grids[mid].code, code) == 0)
			return (int)mid;
	return -1;
}

int
sim_system_find(const struct sim *s, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < s->nsystems; i++)
		if (strcmp(s->systems[i].id, id) == 0)
			return (int)i;
	return -1;
}

int
sim_sub_find(const struct sim *s, const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < s->nsubs; i++)
		if (strcmp(s->subs[i].code, code) == 0)
			return (int)i;
	return -1;
}

static json_t *
sim_conf_file(const char *path, const char *what, char **cause)
{
	json_error_t err;
	json_t *j;

	j = json_load_file(path, 0, &err);
	if (j == NULL) {
		*cause = sim_fmt("%s: %d:%d: %s (the %s file)", path, err.line,
		    err.column, err.text, what);
		return NULL;
	}
	if (!json_is_object(j)) {
		*cause =
		    sim_fmt("%s: expected an object (the %s file)", path, what);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Subdistricts and grids, with the per-grid constants of the model. */
static int
sim_conf_territory(struct sim *s, const char *path, char **cause)
{
	json_t *root, *subs, *comms, *grids, *o;
	const char *code, *parent, *sub_code;
	size_t i, j;
	int r = -1;

	if ((root = sim_conf_file(path, "territory", cause)) == NULL)
		return -1;
	subs = json_object_get(root, "subdistricts");
	comms = json_object_get(root, "communities");
	grids = json_object_get(root, "grids");
	if (!json_is_array(subs) || !json_is_array(comms) ||
	    !json_is_array(grids) || json_array_size(grids) == 0) {
		*cause = sim_fmt("%s: expected \"subdistricts\", "
		                 "\"communities\" and \"grids\" arrays",
		    path);
		goto out;
	}
	s->subs = sim_calloc(json_array_size(subs), sizeof *s->subs);
	json_array_foreach(subs, i, o)
	{
		struct sim_sub *sd = &s->subs[s->nsubs];
		uint64_t h;

		code = json_string_value(json_object_get(o, "code"));
		if (code == NULL || strlen(code) != 12) {
			*cause = sim_fmt(
			    "%s: subdistricts[%zu]: bad \"code\"", path, i);
			goto out;
		}
		memcpy(sd->code, code, 13);
		sd->name =
		    sim_strdup(json_string_value(json_object_get(o, "name")));
		sd->name_en = sim_strdup(
		    json_string_value(json_object_get(o, "name_en")));
		h = sim_hash_str(code);
		sd->pop = 0.7 + 0.6 * sim_rand(s->seed, h, 1, 0);
		s->nsubs++;
	}
	s->grids = sim_calloc(json_array_size(grids), sizeof *s->grids);
	json_array_foreach(grids, i, o)
	{
		struct sim_grid *g = &s->grids[s->ngrids];
		uint64_t h;
		double c;

		code = json_string_value(json_object_get(o, "code"));
		parent = json_string_value(json_object_get(o, "parent"));
		if (code == NULL || strlen(code) != 15 || parent == NULL) {
			*cause = sim_fmt("%s: grids[%zu]: bad \"code\" or "
			                 "\"parent\"",
			    path, i);
			goto out;
		}
		/* The community's parent is the subdistrict. */
		sub_code = NULL;
		for (j = 0; j < json_array_size(comms); j++) {
			json_t *c2 = json_array_get(comms, j);
			const char *cc;

			cc = json_string_value(json_object_get(c2, "code"));
			if (cc != NULL && strcmp(cc, parent) == 0) {
				sub_code = json_string_value(
				    json_object_get(c2, "parent"));
				break;
			}
		}
		memcpy(g->code, code, 16);
		if ((g->sub = sim_sub_find(s, sub_code)) < 0) {
			*cause = sim_fmt("%s: grid %s: no subdistrict for "
			                 "community \"%s\"",
			    path, code, parent);
			goto out;
		}
		g->name =
		    sim_strdup(json_string_value(json_object_get(o, "name")));
		h = sim_hash_str(code);
		g->hall_sys = -1;
		g->load = 0.75 + 0.5 * sim_rand(s->seed, h, 2, 0);
		g->hot = 0.62 + 0.22 * sim_rand(s->seed, h, 3, 0);
		g->free_kmh = 42 + 18 * sim_rand(s->seed, h, 4, 0);
		g->cap = 600 + 2800 * sim_rand(s->seed, h, 5, 0);
		g->aqi0 = 28 + 30 * sim_rand(s->seed, h, 6, 0);
		g->noise0 = 44 + 10 * sim_rand(s->seed, h, 7, 0);
		g->level0 = 0.6 + 1.2 * sim_rand(s->seed, h, 8, 0);
		g->metro0 = 250 + 2300 * pow(sim_rand(s->seed, h, 9, 0), 2);
		g->hall0 = 3 + 12 * sim_rand(s->seed, h, 10, 0);
		c = sim_rand(s->seed, h, 11, 0);
		g->ent = 40 + 560 * c * c;
		/* Community service centers sit in each community's first
		 * grid. */
		if (strcmp(code + 12, "001") == 0)
			g->flags |= SIM_HALL;
		s->ngrids++;
	}
	r = 0;
out:
	json_decref(root);
	return r;
}

/* Systems: ids for tags and outages; station and sensor coverage. */
static int
sim_conf_systems(struct sim *s, const char *path, char **cause)
{
	json_t *root, *systems, *o, *grids, *gv;
	const char *id;
	size_t i, k;
	int g;

	if ((root = sim_conf_file(path, "systems", cause)) == NULL)
		return -1;
	systems = json_object_get(root, "systems");
	if (!json_is_array(systems)) {
		*cause = sim_fmt("%s: expected a \"systems\" array", path);
		json_decref(root);
		return -1;
	}
	s->systems = sim_calloc(json_array_size(systems), sizeof *s->systems);
	json_array_foreach(systems, i, o)
	{
		struct sim_system *sys = &s->systems[s->nsystems];
		double u;

		if ((id = json_string_value(json_object_get(o, "id"))) ==
		    NULL) {
			*cause =
			    sim_fmt("%s: systems[%zu]: no \"id\"", path, i);
			json_decref(root);
			return -1;
		}
		sys->id = sim_strdup(id);
		u = sim_rand(s->seed, sim_hash_str(id), 20, 0);
		sys->lat0 = 15 + 260 * u * u;
		s->nsystems++;
		if (sim_feeds_conf(s, i, o, cause) != 0) {
			json_decref(root);
			return -1;
		}
		grids = json_object_get(o, "grids");
		json_array_foreach(grids, k, gv)
		{
			if (!json_is_string(gv))
				continue;
			g = sim_grid_find(s, json_string_value(gv));
			if (g < 0)
				continue;
			if (strcmp(id, "metro-passenger") == 0)
				s->grids[g].flags |= SIM_METRO;
			else if (strcmp(id, "water-level-iot") == 0)
				s->grids[g].flags |= SIM_LOW;
		}
	}
	json_decref(root);
	s->sys_air = sim_system_find(s, "air-quality");
	s->sys_noise = sim_system_find(s, "noise-monitor");
	s->sys_traffic = sim_system_find(s, "traffic-flow");
	s->sys_level = sim_system_find(s, "water-level-iot");
	s->sys_rain = sim_system_find(s, "rain-gauge");
	s->sys_metro = sim_system_find(s, "metro-passenger");
	s->sys_finance = sim_system_find(s, "financial-risk");
	s->sys_hotline = sim_system_find(s, "hotline-12345");
	s->sys_fire = sim_system_find(s, "fire-alarm-iot");
	sim_feeds_mark_modelled(s);
	/* Without a metro system: a station in every sixth grid. */
	if (s->sys_metro < 0) {
		for (i = 0; i < s->ngrids; i += 6)
			s->grids[i].flags |= SIM_METRO;
	}
	for (i = 0; i < s->ngrids; i++) {
		struct sim_grid *gr = &s->grids[i];
		char *hall, *p;

		if (gr->flags & SIM_LOW)
			gr->level0 += 1.0; /* 1.6 .. 2.8 m */
		if (!(gr->flags & SIM_HALL))
			continue;
		hall = sim_fmt("%s-service-hall", s->subs[gr->sub].name_en);
		for (p = hall; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		gr->hall_sys = sim_system_find(s, hall);
		free(hall);
	}
	return 0;
}

/* A spike: "metric", "value", "grid" or "community", optional "match"
 * {"label": "value"}. */
static int
sim_conf_spike(struct sim *s, struct sim_scen *sc, json_t *o, const char *where,
    char **cause)
{
	const char *str, *k;
	json_t *v, *m;

	str = json_string_value(json_object_get(o, "metric"));
	v = json_object_get(o, "value");
	if (str == NULL || strchr(str, '_') == NULL || !json_is_number(v)) {
		*cause = sim_fmt("%s\"metric\" (a name with '_') and "
		                 "\"value\" (a number) are required",
		    where);
		return -1;
	}
	sc->metric = sim_strdup(str);
	sc->value = json_number_value(v);
	if ((str = json_string_value(json_object_get(o, "community"))) !=
	    NULL) {
		if (strlen(str) != 12) {
			*cause = sim_fmt("%s\"community\": expected a "
			                 "12-digit community code",
			    where);
			return -1;
		}
		memcpy(sc->community, str, 13);
	} else if ((sc->grid = sim_grid_find(s,
	                json_string_value(json_object_get(o, "grid")))) < 0) {
		*cause = sim_fmt("%s\"grid\" or \"community\": expected "
		                 "a code of the territory",
		    where);
		return -1;
	}
	m = json_object_get(o, "match");
	json_object_foreach(m, k, v)
	{
		if (!json_is_string(v) || sc->match_key != NULL) {
			*cause = sim_fmt("%s\"match\": expected one "
			                 "{\"label\": \"value\"}",
			    where);
			return -1;
		}
		sc->match_key = sim_strdup(k);
		sc->match_value = sim_strdup(json_string_value(v));
	}
	s->nspikes++;
	return 0;
}

/* One scenario of the "scenarios" array. */
static int
sim_conf_scenario(struct sim *s, json_t *o, size_t idx, char **cause)
{
	static const char *const keys[] = {"type", "name", "at", "duration",
	    "subdistricts", "flood_grids", "peak", "peak_level", "grid",
	    "subdistrict", "system", "metric", "value", "community", "match",
	    NULL};
	struct sim_scen *sc = &s->scens[s->nscens];
	const char *type, *str;
	char where[64];
	json_t *a, *v;
	size_t i;
	int k;

	snprintf(where, sizeof where, "scenarios[%zu]: ", idx);
	if (!json_is_object(o)) {
		*cause = sim_fmt("%sexpected an object", where);
		return -1;
	}
	if (sim_conf_keys(o, keys, where, cause) != 0)
		return -1;
	type = json_string_value(json_object_get(o, "type"));
	if (type == NULL)
		type = "";
	if (strcmp(type, "rainstorm") == 0)
		sc->type = SIM_RAINSTORM;
	else if (strcmp(type, "fire") == 0)
		sc->type = SIM_FIRE;
	else if (strcmp(type, "hotline_surge") == 0)
		sc->type = SIM_HOTLINE;
	else if (strcmp(type, "outage") == 0)
		sc->type = SIM_OUTAGE;
	else if (strcmp(type, "spike") == 0)
		sc->type = SIM_SPIKE;
	else {
		*cause = sim_fmt("%s\"type\": expected \"rainstorm\", "
		                 "\"fire\", \"hotline_surge\", \"outage\" "
		                 "or \"spike\"",
		    where);
		return -1;
	}
	s->nscens++; /* owned from here: freed by sim_conf_free */
	sc->name =
	    sim_strdup(json_string_value(json_object_get(o, "name")) != NULL
	                   ? json_string_value(json_object_get(o, "name"))
	                   : type);
	sc->dur = 30 * SIM_MIN;
	sc->grid = sc->sub = sc->sys = -1;
	if (sim_conf_duration(o, "at", where, &sc->at, cause) != 0 ||
	    sim_conf_duration(o, "duration", where, &sc->dur, cause) != 0)
		return -1;
	if (sc->dur <= 0) {
		*cause = sim_fmt("%s\"duration\": must be positive", where);
		return -1;
	}
	v = json_object_get(o, "peak");
	sc->peak = json_is_number(v)         ? json_number_value(v)
	           : sc->type == SIM_HOTLINE ? 260
	                                     : 75;
	v = json_object_get(o, "peak_level");
	sc->peak_level = json_is_number(v) ? json_number_value(v) : 5.2;
	switch (sc->type) {
	case SIM_RAINSTORM:
		a = json_object_get(o, "subdistricts");
		sc->subs = sim_calloc(json_array_size(a), sizeof *sc->subs);
		json_array_foreach(a, i, v)
		{
			if ((k = sim_sub_find(s, json_string_value(v))) < 0) {
				*cause = sim_fmt("%s\"subdistricts\"[%zu]: "
				                 "unknown subdistrict",
				    where, i);
				return -1;
			}
			sc->subs[sc->nsubs++] = k;
		}
		a = json_object_get(o, "flood_grids");
		sc->floods = sim_calloc(json_array_size(a), sizeof *sc->floods);
		json_array_foreach(a, i, v)
		{
			if ((k = sim_grid_find(s, json_string_value(v))) < 0) {
				*cause = sim_fmt("%s\"flood_grids\"[%zu]: "
				                 "unknown grid",
				    where, i);
				return -1;
			}
			sc->floods[sc->nfloods++] = k;
		}
		break;
	case SIM_FIRE:
		str = json_string_value(json_object_get(o, "grid"));
		if ((sc->grid = sim_grid_find(s, str)) < 0) {
			*cause = sim_fmt("%s\"grid\": expected a grid code of "
			                 "the territory",
			    where);
			return -1;
		}
		break;
	case SIM_HOTLINE:
		str = json_string_value(json_object_get(o, "subdistrict"));
		if ((sc->sub = sim_sub_find(s, str)) < 0) {
			*cause = sim_fmt("%s\"subdistrict\": expected a "
			                 "subdistrict code of the territory",
			    where);
			return -1;
		}
		break;
	case SIM_SPIKE:
		return sim_conf_spike(s, sc, o, where, cause);
	case SIM_OUTAGE:
		str = json_string_value(json_object_get(o, "system"));
		if ((sc->sys = sim_system_find(s, str)) < 0) {
			*cause = sim_fmt("%s\"system\": expected a system id "
			                 "of the systems file",
			    where);
			return -1;
		}
		break;
	}
	return 0;
}

int
sim_conf_load(struct sim *s, const char *text, char **cause)
{
	static const char *const keys[] = {"territory", "systems", "seed",
	    "speed", "step", "finance_every", "backfill", "backfill_step",
	    "backfill_recent", "backfill_recent_step", "backfill_rate", "blips",
	    "state_file", "scenarios", "comment", NULL};
	json_error_t err;
	json_t *root, *v, *a;
	const char *terr, *sys;
	char *why = NULL;
	size_t i;
	int r = -1;

	root = json_loads(text != NULL ? text : "{}", 0, &err);
	if (root == NULL || !json_is_object(root)) {
		*cause = sim_fmt("config: %d:%d: %s", err.line, err.column,
		    root == NULL ? err.text : "expected an object");
		json_decref(root);
		return -1;
	}
	if (sim_conf_keys(root, keys, "config: ", cause) != 0)
		goto out;
	s->seed = 20261127;
	s->speed = 1;
	s->step = 10000;
	s->finance_every = 5 * SIM_MIN;
	s->bf_span = SIM_DAY;
	s->bf_step = 15 * SIM_MIN;
	s->bf_recent = 2 * SIM_HOUR;
	s->bf_recent_step = 2 * SIM_MIN;
	s->bf_rate = 40000;
	s->blips = 1;
	terr = json_string_value(json_object_get(root, "territory"));
	sys = json_string_value(json_object_get(root, "systems"));
	if (terr == NULL || sys == NULL) {
		*cause = sim_fmt("config: \"territory\" and \"systems\" (the "
		                 "paths of territory.json and systems.json) "
		                 "are required");
		goto out;
	}
	if ((v = json_object_get(root, "seed")) != NULL) {
		if (!json_is_integer(v)) {
			*cause = sim_fmt("config: \"seed\": expected an "
			                 "integer");
			goto out;
		}
		s->seed = (uint64_t)json_integer_value(v);
	}
	if ((v = json_object_get(root, "speed")) != NULL) {
		if (!json_is_number(v) || json_number_value(v) <= 0 ||
		    json_number_value(v) > 10000) {
			*cause = sim_fmt("config: \"speed\": expected a number "
			                 "in (0, 10000]");
			goto out;
		}
		s->speed = json_number_value(v);
	}
	if ((v = json_object_get(root, "backfill_rate")) != NULL) {
		if (!json_is_number(v) || json_number_value(v) < 100) {
			*cause = sim_fmt("config: \"backfill_rate\": expected "
			                 "points per second (at least 100)");
			goto out;
		}
		s->bf_rate = json_number_value(v);
	}
	if ((v = json_object_get(root, "blips")) != NULL) {
		if (!json_is_boolean(v)) {
			*cause = sim_fmt("config: \"blips\": expected true or "
			                 "false");
			goto out;
		}
		s->blips = json_is_true(v);
	}
	if ((v = json_object_get(root, "state_file")) != NULL) {
		if (!json_is_string(v)) {
			*cause = sim_fmt("config: \"state_file\": expected a "
			                 "path");
			goto out;
		}
		s->state_file = sim_strdup(json_string_value(v));
	}
	if (sim_conf_duration(root, "step", "config: ", &s->step, cause) != 0 ||
	    sim_conf_duration(root, "finance_every",
	        "config: ", &s->finance_every, cause) != 0 ||
	    sim_conf_duration(
	        root, "backfill", "config: ", &s->bf_span, cause) != 0 ||
	    sim_conf_duration(
	        root, "backfill_step", "config: ", &s->bf_step, cause) != 0 ||
	    sim_conf_duration(root, "backfill_recent",
	        "config: ", &s->bf_recent, cause) != 0 ||
	    sim_conf_duration(root, "backfill_recent_step",
	        "config: ", &s->bf_recent_step, cause) != 0)
		goto out;
	if (s->step < 100 || s->finance_every < s->step || s->bf_step < 1000 ||
	    s->bf_recent_step < 1000 || s->bf_span < 0 || s->bf_recent < 0) {
		*cause = sim_fmt("config: \"step\" must be at least 100ms, "
		                 "\"finance_every\" at least \"step\", the "
		                 "backfill steps at least 1s");
		goto out;
	}
	if (sim_conf_territory(s, terr, &why) != 0 ||
	    sim_conf_systems(s, sys, &why) != 0) {
		*cause = why;
		goto out;
	}
	a = json_object_get(root, "scenarios");
	if (a != NULL && !json_is_array(a)) {
		*cause = sim_fmt("config: \"scenarios\": expected an array");
		goto out;
	}
	s->scens = sim_calloc(json_array_size(a), sizeof *s->scens);
	json_array_foreach(a, i, v)
	{
		if (sim_conf_scenario(s, v, i, &why) != 0) {
			*cause = sim_fmt("config: %s", why);
			free(why);
			goto out;
		}
	}
	r = 0;
out:
	json_decref(root);
	return r;
}

void
sim_conf_free(struct sim *s)
{
	size_t i;

	for (i = 0; i < s->ngrids; i++)
		free(s->grids[i].name);
	free(s->grids);
	for (i = 0; i < s->nsubs; i++) {
		free(s->subs[i].name);
		free(s->subs[i].name_en);
	}
	free(s->subs);
	for (i = 0; i < s->nsystems; i++) {
		free(s->systems[i].id);
		sim_feeds_free(&s->systems[i]);
	}
	free(s->systems);
	for (i = 0; i < s->nscens; i++) {
		free(s->scens[i].name);
		free(s->scens[i].subs);
		free(s->scens[i].floods);
		free(s->scens[i].metric);
		free(s->scens[i].match_key);
		free(s->scens[i].match_value);
	}
	free(s->scens);
	free(s->state_file);
}
