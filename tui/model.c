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

const char *
model_alert_place(const struct model_alert *a)
{
	const char *s = model_label(a->place, a->place_en, a->code);

	return s != NULL && strcmp(s, "?") != 0 ? s : "";
}

const char *
model_alert_message(const struct model_alert *a)
{
	if (a->message == NULL || *a->message == '\0')
		return a->rule != NULL ? a->rule : "";
	return model_label(a->message, a->message_en, NULL);
}

#include "tui/model-int.h"

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
	out->declared_missing = jint(q, "declared_missing", -1);
	out->stale_metrics = jint(q, "stale_metrics", -1);
	out->blind_rules = jint(q, "blind_rules", -1);
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
	a->escalation_step = (unsigned)jint(o, "escalation_step", 0);
	a->escalated_to = jstr(o, "escalated_to");
	a->overdue = jbool(o, "overdue");
	a->view_only = jbool(o, "view_only");
	a->view_only_why = jstr(o, "view_only_why");
	a->inhibited_by = jstr(o, "inhibited_by");
	a->incident = jstr(o, "incident");
	a->code = jstr(o, "code");
	a->place = jstr(o, "place");
	a->message = jstr(o, "message");
	a->place_en = jstr(o, "place_en");
	a->message_en = jstr(o, "message_en");
	a->dept = jstr(o, "dept");
	a->group = jstr(o, "group");
	a->grid = jstr(l, "grid");
	a->community = jstr(l, "community");
	a->subdistrict = jstr(l, "subdistrict");
	a->system = jstr(l, "system");
	a->value = jnum(o, "value", NAN);
	a->metric = jstr(o, "metric");
	a->op = jstr(o, "op");
	a->threshold = jnum(o, "threshold", NAN);
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
	if (json_is_object(json_object_get(root, "counted"))) {
		model_counts_decode(
		    json_object_get(root, "counted"), &out->counted);
		out->has_counted = 1;
	}
	out->newest = jstr(root, "newest");
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
