/* Decoding the hub's API documents (docs/api.md) into C structs. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/model.h"
#include "tui/text.h"

static const char *const sev_names[SEV_COUNT] = {
    [SEV_OK] = "ok",
    [SEV_INFO] = "info",
    [SEV_LOW] = "low",
    [SEV_MEDIUM] = "medium",
    [SEV_HIGH] = "high",
};

static const char *const sev_short[SEV_COUNT] = {
    [SEV_OK] = "ok",
    [SEV_INFO] = "INFO",
    [SEV_LOW] = "LOW",
    [SEV_MEDIUM] = "MED",
    [SEV_HIGH] = "HIGH",
};

static const char *const sev_zh[SEV_COUNT] = {
    [SEV_OK] = "正常",
    [SEV_INFO] = "提示",
    [SEV_LOW] = "低",
    [SEV_MEDIUM] = "中",
    [SEV_HIGH] = "高",
};

enum sev
model_sev_parse(const char *s)
{
	int i;

	if (s == NULL)
		return SEV_OK;
	for (i = 0; i < SEV_COUNT; i++) {
		if (strcmp(s, sev_names[i]) == 0)
			return (enum sev)i;
	}
	return SEV_OK;
}

const char *
model_sev_name(enum sev s)
{
	return sev_names[s];
}

const char *
model_sev_short(enum sev s)
{
	return sev_short[s];
}

const char *
model_sev_zh(enum sev s)
{
	return sev_zh[s];
}

enum sev
model_counts_worst(const struct model_counts *c)
{
	if (c->high)
		return SEV_HIGH;
	if (c->medium)
		return SEV_MEDIUM;
	if (c->low)
		return SEV_LOW;
	if (c->info)
		return SEV_INFO;
	return SEV_OK;
}

unsigned
model_counts_total(const struct model_counts *c)
{
	return c->high + c->medium + c->low + c->info;
}

const char *
model_label(const char *name, const char *name_en, const char *code)
{
	if (text_utf8() && name != NULL && *name != '\0')
		return name;
	if (name_en != NULL && *name_en != '\0')
		return name_en;
	if (code != NULL)
		return code;
	return name != NULL ? name : "?";
}

/* ---- JSON helpers ------------------------------------------------------ */

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static double
jnum(json_t *o, const char *key, double def)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : def;
}

static long long
jint(json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (long long)json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	return def;
}

static int
jbool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static void
model_counts_decode(json_t *o, struct model_counts *c)
{
	c->high = (unsigned)jint(o, "high", 0);
	c->medium = (unsigned)jint(o, "medium", 0);
	c->low = (unsigned)jint(o, "low", 0);
	c->info = (unsigned)jint(o, "info", 0);
}

/* Start decoding: check that root is an object, else take it and fail. */
static int
model_begin(json_t *root, const char *what, char **cause)
{
	if (json_is_object(root))
		return 0;
	json_decref(root);
	*cause = xasprintf("%s: expected a JSON object", what);
	return -1;
}

/* An array member, or NULL with *n = 0. */
static json_t *
jarray(json_t *o, const char *key, size_t *n)
{
	json_t *a = json_object_get(o, key);

	*n = json_is_array(a) ? json_array_size(a) : 0;
	return *n ? a : NULL;
}

/* ---- Territory --------------------------------------------------------- */

static void
model_node_decode(json_t *o, struct model_node *n)
{
	json_t *st = json_object_get(o, "status"), *ms, *m;
	const char *key;

	memset(n, 0, sizeof *n);
	n->code = jstr(o, "code");
	n->level = jstr(o, "level");
	n->name = jstr(o, "name");
	n->name_en = jstr(o, "name_en");
	n->parent = jstr(o, "parent");
	n->sev = model_sev_parse(jstr(st, "severity"));
	model_counts_decode(json_object_get(st, "alerts"), &n->alerts);
	n->last_ms = jint(st, "last_ms", 0);
	n->age_s = jint(st, "age_s", -1);
	n->grids = (int)jint(st, "grids", 0);
	n->grids_silent = (int)jint(st, "grids_silent", 0);
	ms = json_object_get(o, "metrics");
	json_object_foreach(ms, key, m)
	{
		struct model_metric *mm;

		if (n->nmetrics == MODEL_MAX_METRICS)
			break;
		mm = &n->metrics[n->nmetrics];
		mm->key = key;
		if (json_is_number(m)) {
			mm->value = json_number_value(m);
		} else {
			mm->value = jnum(m, "value", NAN);
			mm->agg = jstr(m, "agg");
			mm->metric = jstr(m, "metric");
			mm->unit = jstr(m, "unit");
		}
		n->nmetrics++;
	}
}

double
model_node_metric(const struct model_node *n, const char *key)
{
	int i;

	for (i = 0; i < n->nmetrics; i++) {
		if (strcmp(n->metrics[i].key, key) == 0)
			return n->metrics[i].value;
	}
	return NAN;
}

static struct model_node *
model_nodes_decode(json_t *a, size_t n)
{
	struct model_node *v;
	size_t i;

	if (n == 0)
		return NULL;
	v = xcalloc(n, sizeof *v);
	for (i = 0; i < n; i++)
		model_node_decode(json_array_get(a, i), &v[i]);
	return v;
}

int
model_tree_decode(json_t *root, struct model_tree *out, char **cause)
{
	static const char *const roles[] = {
	    "grid_worker", "building_head", "police"};
	json_t *a, *people, *p, *s;
	const char *key;
	size_t i;

	memset(out, 0, sizeof *out);
	if (model_begin(root, "tree", cause) != 0)
		return -1;
	out->root = root;
	if (!json_is_object(json_object_get(root, "node"))) {
		*cause = xstrdup("tree: no \"node\"");
		model_tree_free(out);
		return -1;
	}
	model_node_decode(json_object_get(root, "node"), &out->node);
	a = jarray(root, "path", &out->npath);
	out->path = model_nodes_decode(a, out->npath);
	a = jarray(root, "children", &out->nchildren);
	out->children = model_nodes_decode(a, out->nchildren);
	/* People: the known roles first, in order, then any others. */
	people = json_object_get(json_object_get(root, "node"), "people");
	if (people == NULL)
		people = json_object_get(root, "people");
	for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		p = json_object_get(people, roles[i]);
		if (!json_is_object(p))
			continue;
		out->people[out->npeople].role = roles[i];
		out->people[out->npeople].name = jstr(p, "name");
		out->people[out->npeople].phone = jstr(p, "phone");
		out->people[out->npeople].station = jstr(p, "station");
		out->npeople++;
	}
	json_object_foreach(people, key, p)
	{
		if (out->npeople == 8)
			break;
		if (!json_is_object(p) || strcmp(key, "grid_worker") == 0 ||
		    strcmp(key, "building_head") == 0 ||
		    strcmp(key, "police") == 0)
			continue;
		out->people[out->npeople].role = key;
		out->people[out->npeople].name = jstr(p, "name");
		out->people[out->npeople].phone = jstr(p, "phone");
		out->people[out->npeople].station = jstr(p, "station");
		out->npeople++;
	}
	a = json_object_get(json_object_get(root, "node"), "systems");
	if (!json_is_array(a))
		a = json_object_get(root, "systems");
	out->nsystems = json_is_array(a) ? json_array_size(a) : 0;
	if (out->nsystems)
		out->systems = xcalloc(out->nsystems, sizeof *out->systems);
	json_array_foreach(a, i, s)
	{
		out->systems[i].id = jstr(s, "id");
		out->systems[i].name = jstr(s, "name");
		out->systems[i].name_en = jstr(s, "name_en");
		out->systems[i].platform = jstr(s, "platform");
		out->systems[i].dept = jstr(s, "dept");
	}
	return 0;
}

void
model_tree_free(struct model_tree *t)
{
	free(t->path);
	free(t->children);
	free(t->systems);
	json_decref(t->root);
	memset(t, 0, sizeof *t);
}

/* ---- Overview ---------------------------------------------------------- */

int
model_overview_decode(json_t *root, struct model_overview *out, char **cause)
{
	json_t *d, *sc, *a, *p, *sys, *in, *fr, *q;
	size_t i;

	memset(out, 0, sizeof *out);
	if (model_begin(root, "overview", cause) != 0)
		return -1;
	out->root = root;
	if (!json_is_array(json_object_get(root, "subdistricts"))) {
		*cause = xstrdup("overview: no \"subdistricts\" array");
		model_overview_free(out);
		return -1;
	}
	out->time_ms = jint(root, "time_ms", 0);
	d = json_object_get(root, "district");
	out->district_code = jstr(d, "code");
	out->district_name = jstr(d, "name");
	out->district_name_en = jstr(d, "name_en");
	sc = json_object_get(root, "scope");
	out->scope_code = jstr(sc, "code");
	out->scope_name = jstr(sc, "name");
	out->scope_level = jstr(sc, "level");
	a = jarray(root, "subdistricts", &out->nsubs);
	out->subs = model_nodes_decode(a, out->nsubs);
	a = jarray(root, "platforms", &out->nplatforms);
	if (out->nplatforms)
		out->platforms =
		    xcalloc(out->nplatforms, sizeof *out->platforms);
	for (i = 0; i < out->nplatforms; i++) {
		struct model_platform *mp = &out->platforms[i];

		p = json_array_get(a, i);
		sys = json_object_get(p, "systems");
		mp->id = jstr(p, "id");
		mp->name = jstr(p, "name");
		mp->name_en = jstr(p, "name_en");
		mp->total = (int)jint(sys, "total", 0);
		mp->up = (int)jint(sys, "up", 0);
		mp->down = (int)jint(sys, "down", 0);
		mp->stale = (int)jint(sys, "stale", 0);
		mp->unknown = (int)jint(sys, "unknown", 0);
	}
	model_counts_decode(json_object_get(root, "alerts"), &out->alerts);
	out->alerts_total = (unsigned)jint(json_object_get(root, "alerts"),
	    "total", model_counts_total(&out->alerts));
	in = json_object_get(root, "ingest");
	out->points_per_s = jnum(in, "points_per_s", NAN);
	out->lines_per_s = jnum(in, "lines_per_s", NAN);
	out->rejected_per_s = jnum(in, "rejected_per_s", NAN);
	out->points_total = jnum(in, "points_total", NAN);
	fr = json_object_get(root, "freshness");
	out->fresh_last_ms = jint(fr, "last_ms", 0);
	out->fresh_age_s = jint(fr, "age_s", -1);
	out->systems_stale = jint(fr, "systems_stale", 0);
	out->series_silent = jint(fr, "series_silent", 0);
	q = json_object_get(root, "quality");
	out->rejected_total = jint(q, "rejected_total", 0);
	out->duplicates_total = jint(q, "duplicates_total", 0);
	out->late_total = jint(q, "late_total", 0);
	return 0;
}

void
model_overview_free(struct model_overview *o)
{
	free(o->subs);
	free(o->platforms);
	json_decref(o->root);
	memset(o, 0, sizeof *o);
}

/* ---- Alerts ------------------------------------------------------------ */

void
model_alert_decode(json_t *o, struct model_alert *a)
{
	json_t *l = json_object_get(o, "labels"), *ack;

	memset(a, 0, sizeof *a);
	a->obj = o;
	a->id = jstr(o, "id");
	a->rule = jstr(o, "rule");
	a->source = jstr(o, "source");
	a->state = jstr(o, "state");
	a->sev = model_sev_parse(jstr(o, "severity"));
	a->silenced = jbool(o, "silenced");
	a->escalated = jbool(o, "escalated");
	a->overdue = jbool(o, "overdue");
	a->code = jstr(o, "code");
	a->place = jstr(o, "place");
	a->message = jstr(o, "message");
	a->dept = jstr(o, "dept");
	a->group = jstr(o, "group");
	a->grid = jstr(l, "grid");
	a->community = jstr(l, "community");
	a->subdistrict = jstr(l, "subdistrict");
	a->system = jstr(l, "system");
	a->value = jnum(o, "value", NAN);
	a->started_ms = jint(o, "started_ms", 0);
	a->updated_ms = jint(o, "updated_ms", 0);
	a->deadline_ms = jint(o, "deadline_ms", 0);
	ack = json_object_get(o, "ack");
	if (json_is_object(ack)) {
		a->ack_by = jstr(ack, "by");
		a->ack_via = jstr(ack, "via");
		a->ack_comment = jstr(ack, "comment");
		a->ack_at_ms = jint(ack, "at_ms", 0);
		a->ack_expires_ms = jint(ack, "expires_ms", 0);
	}
	if (a->id == NULL)
		a->id = "?";
	if (a->state == NULL)
		a->state = "?";
}

int
model_alerts_decode(json_t *root, struct model_alerts *out, char **cause)
{
	json_t *a, *g;
	size_t i;

	memset(out, 0, sizeof *out);
	if (model_begin(root, "alerts", cause) != 0)
		return -1;
	out->root = root;
	if (!json_is_array(json_object_get(root, "alerts"))) {
		*cause = xstrdup("alerts: no \"alerts\" array");
		model_alerts_free(out);
		return -1;
	}
	a = jarray(root, "alerts", &out->n);
	if (out->n)
		out->v = xcalloc(out->n, sizeof *out->v);
	for (i = 0; i < out->n; i++)
		model_alert_decode(json_array_get(a, i), &out->v[i]);
	out->total = (unsigned)jint(root, "total", (long long)out->n);
	a = jarray(root, "groups", &out->ngroups);
	if (out->ngroups)
		out->groups = xcalloc(out->ngroups, sizeof *out->groups);
	for (i = 0; i < out->ngroups; i++) {
		g = json_array_get(a, i);
		out->groups[i].key = jstr(g, "key");
		out->groups[i].rule = jstr(g, "rule");
		out->groups[i].code = jstr(g, "code");
		out->groups[i].sev = model_sev_parse(jstr(g, "severity"));
		out->groups[i].count = (unsigned)jint(g, "count", 0);
	}
	return 0;
}

void
model_alerts_free(struct model_alerts *a)
{
	free(a->v);
	free(a->groups);
	json_decref(a->root);
	memset(a, 0, sizeof *a);
}

int
model_alert_detail_decode(
    json_t *root, struct model_alert_detail *out, char **cause)
{
	json_t *a, *h;
	size_t i;

	memset(out, 0, sizeof *out);
	if (model_begin(root, "alert", cause) != 0)
		return -1;
	out->root = root;
	model_alert_decode(root, &out->alert);
	a = jarray(root, "history", &out->nhistory);
	if (out->nhistory)
		out->history = xcalloc(out->nhistory, sizeof *out->history);
	for (i = 0; i < out->nhistory; i++) {
		struct model_history *mh = &out->history[i];

		h = json_array_get(a, i);
		mh->at_ms = jint(h, "at_ms", 0);
		mh->who = jstr(h, "who");
		mh->via = jstr(h, "via");
		mh->from = jstr(h, "from");
		mh->action = jstr(h, "action");
		mh->comment = jstr(h, "comment");
		if (mh->comment == NULL)
			mh->comment = jstr(h, "reason");
		mh->before = json_object_get(h, "before");
		mh->after = json_object_get(h, "after");
	}
	a = jarray(root, "depts", &out->ndepts);
	if (out->ndepts)
		out->depts = xcalloc(out->ndepts, sizeof *out->depts);
	for (i = 0; i < out->ndepts; i++) {
		h = json_array_get(a, i);
		out->depts[i].dept = jstr(h, "dept");
		out->depts[i].role = jstr(h, "role");
		out->depts[i].state = jstr(h, "state");
		out->depts[i].by = jstr(h, "by");
		out->depts[i].report = jstr(h, "report");
		out->depts[i].at_ms = jint(h, "at_ms", 0);
	}
	return 0;
}

void
model_alert_detail_free(struct model_alert_detail *d)
{
	free(d->history);
	free(d->depts);
	json_decref(d->root);
	memset(d, 0, sizeof *d);
}

/* ---- Systems, grids, map ----------------------------------------------- */

int
model_systems_decode(json_t *root, struct model_systems *out, char **cause)
{
	json_t *a, *s;
	size_t i;

	memset(out, 0, sizeof *out);
	if (model_begin(root, "systems", cause) != 0)
		return -1;
	out->root = root;
	a = jarray(root, "systems", &out->n);
	if (out->n)
		out->v = xcalloc(out->n, sizeof *out->v);
	for (i = 0; i < out->n; i++) {
		struct model_system *ms = &out->v[i];

		s = json_array_get(a, i);
		ms->id = jstr(s, "id");
		ms->name = jstr(s, "name");
		ms->name_en = jstr(s, "name_en");
		ms->platform = jstr(s, "platform");
		ms->dept = jstr(s, "dept");
		ms->state = jstr(s, "state");
		if (ms->id == NULL)
			ms->id = "?";
		if (ms->state == NULL)
			ms->state = "unknown";
		ms->grids =
		    json_is_array(json_object_get(s, "grids"))
		        ? (int)json_array_size(json_object_get(s, "grids"))
		        : (int)jint(s, "grids", 0);
		ms->interval_s = jint(s, "interval_s", 0);
		ms->last_ms = jint(s, "last_ms", 0);
		ms->age_s = jint(s, "age_s", -1);
		ms->latency_ms = jnum(s, "latency_ms", NAN);
		model_counts_decode(json_object_get(s, "alerts"), &ms->alerts);
	}
	return 0;
}

void
model_systems_free(struct model_systems *s)
{
	free(s->v);
	json_decref(s->root);
	memset(s, 0, sizeof *s);
}

int
model_grids_decode(json_t *root, struct model_grids *out, char **cause)
{
	json_t *a, *g;
	size_t i;

	memset(out, 0, sizeof *out);
	if (model_begin(root, "grids", cause) != 0)
		return -1;
	out->root = root;
	a = jarray(root, "grids", &out->n);
	if (out->n)
		out->v = xcalloc(out->n, sizeof *out->v);
	for (i = 0; i < out->n; i++) {
		struct model_grid *mg = &out->v[i];

		g = json_array_get(a, i);
		mg->code = jstr(g, "code");
		mg->name = jstr(g, "name");
		mg->name_en = jstr(g, "name_en");
		mg->community = jstr(g, "community");
		mg->subdistrict = jstr(g, "subdistrict");
		if (mg->code == NULL)
			mg->code = "?";
		model_counts_decode(json_object_get(g, "alerts"), &mg->alerts);
		if (jstr(g, "severity") != NULL)
			mg->sev = model_sev_parse(jstr(g, "severity"));
		else
			mg->sev = model_counts_worst(&mg->alerts);
		mg->age_s = jint(g, "age_s", -1);
		mg->metrics = json_object_get(g, "metrics");
	}
	return 0;
}

void
model_grids_free(struct model_grids *g)
{
	free(g->v);
	json_decref(g->root);
	memset(g, 0, sizeof *g);
}

double
model_grid_metric(const struct model_grid *g, const char *key)
{
	json_t *v = json_object_get(g->metrics, key);

	if (json_is_object(v))
		v = json_object_get(v, "value");
	return json_is_number(v) ? json_number_value(v) : NAN;
}

int
model_map_decode(json_t *root, struct model_map *out, char **cause)
{
	json_t *rows, *row;
	size_t i, j, cols = 0;

	memset(out, 0, sizeof *out);
	if (model_begin(root, "map", cause) != 0)
		return -1;
	out->root = root;
	rows = json_object_get(root, "rows");
	if (!json_is_array(rows)) {
		*cause = xstrdup("map: no \"rows\" array");
		model_map_free(out);
		return -1;
	}
	json_array_foreach(rows, i, row)
	{
		if (json_is_array(row) && json_array_size(row) > cols)
			cols = json_array_size(row);
	}
	out->rows = (int)json_array_size(rows);
	out->cols = (int)cols;
	if (out->rows == 0 || cols == 0)
		return 0;
	out->cells = xcalloc(json_array_size(rows) * cols, sizeof *out->cells);
	json_array_foreach(rows, i, row)
	{
		for (j = 0; j < json_array_size(row); j++)
			out->cells[i * cols + j] =
			    json_string_value(json_array_get(row, j));
	}
	return 0;
}

void
model_map_free(struct model_map *m)
{
	free(m->cells);
	json_decref(m->root);
	memset(m, 0, sizeof *m);
}

/* ---- Audit, quality ---------------------------------------------------- */

void
model_audit_entry_decode(json_t *o, struct model_audit_entry *e)
{
	memset(e, 0, sizeof *e);
	e->seq = jint(o, "seq", -1);
	e->at_ms = jint(o, "at_ms", 0);
	e->who = jstr(o, "who");
	e->via = jstr(o, "via");
	e->from = jstr(o, "from");
	e->action = jstr(o, "action");
	e->target = jstr(o, "target");
	e->comment = jstr(o, "comment");
	if (e->comment == NULL)
		e->comment = jstr(o, "reason");
	e->before = json_object_get(o, "before");
	e->after = json_object_get(o, "after");
	e->hash = jstr(o, "hash");
}

int
model_quality_decode(json_t *root, struct model_quality *out, char **cause)
{
	json_t *a, *o, *rej;
	size_t i;

	memset(out, 0, sizeof *out);
	if (model_begin(root, "quality", cause) != 0)
		return -1;
	out->root = root;
	a = jarray(root, "collectors", &out->ncollectors);
	if (out->ncollectors)
		out->collectors =
		    xcalloc(out->ncollectors, sizeof *out->collectors);
	for (i = 0; i < out->ncollectors; i++) {
		struct model_quality_collector *c = &out->collectors[i];

		o = json_array_get(a, i);
		c->name = jstr(o, "name");
		c->peer = jstr(o, "peer");
		c->last_ms = jint(o, "last_ms", 0);
		c->age_s = jint(o, "age_s", -1);
		c->requests = jint(o, "requests", 0);
		c->lines = jint(o, "lines", 0);
		c->points = jint(o, "points", 0);
		c->rejected = jint(o, "rejected", 0);
	}
	a = jarray(root, "systems", &out->nsystems);
	if (out->nsystems)
		out->systems = xcalloc(out->nsystems, sizeof *out->systems);
	for (i = 0; i < out->nsystems; i++) {
		struct model_quality_system *s = &out->systems[i];

		o = json_array_get(a, i);
		s->id = jstr(o, "id");
		s->state = jstr(o, "state");
		s->interval_source = jstr(o, "interval_source");
		s->interval_s = jint(o, "interval_s", 0);
		s->last_ms = jint(o, "last_ms", 0);
		s->age_s = jint(o, "age_s", -1);
	}
	a = jarray(root, "silent_series", &out->nsilent);
	if (out->nsilent)
		out->silent = xcalloc(out->nsilent, sizeof *out->silent);
	for (i = 0; i < out->nsilent; i++) {
		o = json_array_get(a, i);
		out->silent[i].series = jstr(o, "series");
		out->silent[i].last_ms = jint(o, "last_ms", 0);
		out->silent[i].age_s = jint(o, "age_s", -1);
	}
	out->silent_total =
	    jint(root, "silent_series_total", (long long)out->nsilent);
	rej = json_object_get(root, "rejected");
	out->rejected_total = jint(rej, "total", 0);
	out->by_reason = json_object_get(rej, "by_reason");
	out->by_source = json_object_get(rej, "by_source");
	out->duplicates_total = jint(root, "duplicates_total", 0);
	out->late_total = jint(root, "late_total", 0);
	return 0;
}

void
model_quality_free(struct model_quality *q)
{
	free(q->collectors);
	free(q->systems);
	free(q->silent);
	json_decref(q->root);
	memset(q, 0, sizeof *q);
}

/* ---- Query, whoami ----------------------------------------------------- */

int
model_query_decode(json_t *root, struct model_query *out, char **cause)
{
	json_t *a, *s, *pts, *p;
	size_t i, j;

	memset(out, 0, sizeof *out);
	if (model_begin(root, "query", cause) != 0)
		return -1;
	out->root = root;
	out->start_ms = jint(root, "start_ms", 0);
	out->end_ms = jint(root, "end_ms", 0);
	out->step_ms = jint(root, "step_ms", 0);
	a = jarray(root, "series", &out->nseries);
	if (out->nseries)
		out->series = xcalloc(out->nseries, sizeof *out->series);
	for (i = 0; i < out->nseries; i++) {
		struct model_series *ms = &out->series[i];

		s = json_array_get(a, i);
		ms->metric = jstr(s, "metric");
		ms->labels = json_object_get(s, "labels");
		if (ms->metric == NULL)
			ms->metric = jstr(ms->labels, "__name__");
		ms->start_ms = out->start_ms;
		ms->end_ms = out->end_ms;
		pts = json_object_get(s, "points");
		ms->n = json_is_array(pts) ? json_array_size(pts) : 0;
		if (ms->n == 0)
			continue;
		ms->t = xcalloc(ms->n, sizeof *ms->t);
		ms->v = xcalloc(ms->n, sizeof *ms->v);
		json_array_foreach(pts, j, p)
		{
			json_t *t = json_array_get(p, 0),
			       *v = json_array_get(p, 1);

			ms->t[j] = json_is_number(t)
			               ? (long long)json_number_value(t)
			               : 0;
			ms->v[j] =
			    json_is_number(v) ? json_number_value(v) : NAN;
		}
	}
	return 0;
}

void
model_query_free(struct model_query *q)
{
	size_t i;

	for (i = 0; i < q->nseries; i++) {
		free(q->series[i].t);
		free(q->series[i].v);
	}
	free(q->series);
	json_decref(q->root);
	memset(q, 0, sizeof *q);
}

const char *
model_series_label(const struct model_series *s, const char *key)
{
	return jstr(s->labels, key);
}

int
model_whoami_decode(json_t *root, struct model_whoami *out, char **cause)
{
	memset(out, 0, sizeof *out);
	if (model_begin(root, "whoami", cause) != 0)
		return -1;
	out->root = root;
	out->user = jstr(root, "user");
	out->role = jstr(root, "role");
	out->scope = jstr(root, "scope");
	out->scope_name = jstr(root, "scope_name");
	out->scope_level = jstr(root, "scope_level");
	out->via = jstr(root, "via");
	return 0;
}

void
model_whoami_free(struct model_whoami *w)
{
	json_decref(w->root);
	memset(w, 0, sizeof *w);
}

void
model_json_brief(struct buf *b, json_t *obj)
{
	const char *key;
	json_t *v;
	int first = 1;

	if (!json_is_object(obj))
		return;
	json_object_foreach(obj, key, v)
	{
		if (!first)
			buf_putc(b, ' ');
		first = 0;
		buf_printf(b, "%s=", key);
		if (json_is_string(v))
			buf_puts(b, json_string_value(v));
		else {
			char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

			if (s != NULL)
				buf_puts(b, s);
			free(s);
		}
	}
}

/* A member value as text, appended. */
static void
model_json_value(struct buf *b, json_t *v)
{
	char *s;

	if (v == NULL)
		buf_puts(b, "-");
	else if (json_is_string(v))
		buf_puts(b, json_string_value(v));
	else if ((s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) != NULL) {
		buf_puts(b, s);
		free(s);
	}
}

void
model_json_diff(struct buf *b, json_t *before, json_t *after)
{
	const char *key;
	json_t *v, *old;
	int first = 1;

	if (!json_is_object(before)) {
		model_json_brief(b, after);
		return;
	}
	json_object_foreach(after, key, v)
	{
		old = json_object_get(before, key);
		if (old != NULL && json_equal(old, v))
			continue;
		if (!first)
			buf_putc(b, ' ');
		first = 0;
		buf_printf(b, "%s=", key);
		model_json_value(b, old);
		buf_puts(b, "->");
		model_json_value(b, v);
	}
	json_object_foreach(before, key, v)
	{
		if (json_object_get(after, key) != NULL)
			continue;
		if (!first)
			buf_putc(b, ' ');
		first = 0;
		buf_printf(b, "%s=", key);
		model_json_value(b, v);
		buf_puts(b, "->-");
	}
}
