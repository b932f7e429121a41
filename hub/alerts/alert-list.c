/*
 * The alert engine's read side: active-alert counts for the hub's
 * roll-ups (cached per territory code and system), listing with filters
 * and scope masking, grouping of many grid alerts of one rule, one alert
 * with its history, and the deliveries list.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-notify.h"
#include "lib/buf.h"
#include "lib/valuelist.h"
#include "lib/xmalloc.h"

/* ---- Counts and listing ------------------------------------------------- */

static void
alert_counts_add(struct hub_alert_counts *c, enum alert_sev sev)
{
	switch (sev) {
	case ALERT_SEV_HIGH:
		c->high++;
		break;
	case ALERT_SEV_MEDIUM:
		c->medium++;
		break;
	case ALERT_SEV_LOW:
		c->low++;
		break;
	default:
		c->info++;
		break;
	}
}

/* The one definition of what is counted (docs/api.md, "What is
 * counted"): an active alert (pending, firing, acknowledged) that is not
 * quiet (silenced or inhibited: alert_quiet()).  The roll-ups, the
 * overview, the alert list's "counted" and the console all count with it. */
int
alert_engine_counted(const struct alert *a)
{
	return alert_state_active(a->state) && !alert_quiet(a);
}

static void
alert_counts_bump(struct alert_engine *e, const char *key, enum alert_sev sev)
{
	struct hub_alert_counts *c = alert_map_get(&e->counts, key);

	if (c == NULL) {
		c = xcalloc(1, sizeof *c);
		alert_map_put(&e->counts, key, c);
	}
	alert_counts_add(c, sev);
}

/* Rebuild the counts table: every active alert not quiet counts for
 * "*" (everywhere), its own code and the community and subdistrict above
 * it, and "sys:ID" of its system. */
static void
alert_counts_build(struct alert_engine *e)
{
	const char *k[3], *sys;
	char *skey;
	size_t i, j, l;

	alert_engine_counts_clear(e);
	alert_map_init(&e->counts);
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];

		if (!alert_engine_counted(a))
			continue;
		alert_counts_bump(e, "*", a->severity);
		k[0] = a->code;
		k[1] =
		    json_string_value(json_object_get(a->labels, "community"));
		k[2] = json_string_value(
		    json_object_get(a->labels, "subdistrict"));
		for (j = 0; j < 3; j++) {
			if (k[j] == NULL)
				continue;
			for (l = 0; l < j; l++) {
				if (k[l] != NULL && strcmp(k[l], k[j]) == 0)
					break;
			}
			if (l == j)
				alert_counts_bump(e, k[j], a->severity);
		}
		sys = json_string_value(json_object_get(a->labels, "system"));
		if (sys != NULL) {
			skey = xasprintf("sys:%s", sys);
			alert_counts_bump(e, skey, a->severity);
			free(skey);
		}
	}
	e->counts_gen = e->changes;
	e->counts_valid = 1;
}

void
alert_engine_counts(struct alert_engine *e, const char *code,
    const char *system, struct hub_alert_counts *out)
{
	const struct hub_alert_counts *c;
	const char *s;
	char *key;
	size_t i;

	memset(out, 0, sizeof *out);
	if (code == NULL || system == NULL) {
		/* The common questions, from the table. */
		if (!e->counts_valid || e->counts_gen != e->changes)
			alert_counts_build(e);
		if (system != NULL)
			key = xasprintf("sys:%s", system);
		else if (code == NULL || alert_engine_scope_all(e, code))
			key = xstrdup("*");
		else
			key = xstrdup(code);
		c = alert_map_get(&e->counts, key);
		free(key);
		if (c != NULL)
			*out = *c;
		return;
	}
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];

		if (!alert_engine_counted(a))
			continue;
		if (!alert_engine_scope_all(e, code) &&
		    !alert_engine_within(e, a->code, code))
			continue;
		s = json_string_value(json_object_get(a->labels, "system"));
		if (s == NULL || strcmp(s, system) != 0)
			continue;
		alert_counts_add(out, a->severity);
	}
}

/* Is value in the comma-separated list (NULL or "" lists accept all)? */
static int
alert_in_list(const char *list, const char *value)
{
	const char *p, *c;
	size_t n = value != NULL ? strlen(value) : 0;

	if (list == NULL || *list == '\0')
		return 1;
	if (value == NULL)
		return 0;
	for (p = list;; p = c + 1) {
		c = strchr(p, ',');
		if ((c != NULL ? (size_t)(c - p) : strlen(p)) == n &&
		    strncmp(p, value, n) == 0)
			return 1;
		if (c == NULL)
			return 0;
	}
}

/* The group key of each alert in v (heap strings or NULL), see
 * docs/api.md: many grid alerts of one rule in one community or
 * subdistrict. */
static char **
alert_engine_groups(struct alert_engine *e, struct alert **v, size_t n)
{
	struct alert_map counts, comms;
	char **keys = xcalloc(n ? n : 1, sizeof *keys), *k;
	const char **coms = xcalloc(n ? n : 1, sizeof *coms), *sub, *com;
	size_t i;
	uintptr_t c;

	alert_map_init(&counts);
	alert_map_init(&comms);
	/* Each grid alert's rule/subdistrict key, counted, and whether the
	 * subdistrict's alerts of that rule share one community. */
	for (i = 0; i < n; i++) {
		sub = json_string_value(
		    json_object_get(v[i]->labels, "subdistrict"));
		com = json_string_value(
		    json_object_get(v[i]->labels, "community"));
		if (sub == NULL || com == NULL ||
		    json_object_get(v[i]->labels, "grid") == NULL ||
		    !alert_state_active(v[i]->state))
			continue;
		keys[i] = k = xasprintf("%s/%s", v[i]->rule, sub);
		coms[i] = com;
		c = (uintptr_t)alert_map_get(&counts, k);
		alert_map_put(&counts, k, (void *)(c + 1));
		if (c == 0)
			alert_map_put(&comms, k, (void *)com);
		else if (alert_map_get(&comms, k) != NULL &&
		         strcmp(alert_map_get(&comms, k), com) != 0)
			alert_map_put(&comms, k, NULL);
	}
	/* Groups of at least group_min keep a key: the community's when
	 * they share one. */
	for (i = 0; i < n; i++) {
		if ((k = keys[i]) == NULL)
			continue;
		c = (uintptr_t)alert_map_get(&counts, k);
		if (c < (uintptr_t)e->rules->settings.group_min)
			keys[i] = NULL;
		else if (alert_map_get(&comms, k) != NULL)
			keys[i] = xasprintf("%s/%s", v[i]->rule, coms[i]);
		else
			continue;
		free(k);
	}
	free(coms);
	alert_map_free(&counts);
	alert_map_free(&comms);
	return keys;
}

static int
alert_cmp_list(const void *pa, const void *pb)
{
	const struct alert *a = *(struct alert *const *)pa;
	const struct alert *b = *(struct alert *const *)pb;

	/* Most severe first, then newest first. */
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->started_ms != b->started_ms)
		return a->started_ms > b->started_ms ? -1 : 1;
	return a->num > b->num ? -1 : a->num < b->num;
}

static const char *const alert_list_states[] = {"pending", "firing",
    "acknowledged", "acked", "resolved", "closed", "all", NULL};
static const char *const alert_list_sevs[] = {
    "high", "medium", "low", "info", NULL};

/* 0 if every comma-separated item of list is one of valid; else a 400
 * naming the item and the valid values. */
static int
alert_list_check(struct alert_reply *r, const char *what, const char *list,
    const char *const *valid)
{
	struct buf b = BUF_INIT;
	const char *bad;
	size_t n;

	if ((bad = valuelist_unknown(list, valid, &n)) == NULL)
		return 0;
	valuelist_join(&b, valid);
	alert_reply_error(r, 400, "%s: unknown value \"%.*s\" (one of %s)",
	    what, (int)n, bad, buf_str(&b));
	buf_free(&b);
	return -1;
}

/* 0 if the filter's values are known (state, severity, territory code). */
static int
alert_list_check_filter(
    struct alert_engine *e, const struct alert_filter *f, struct alert_reply *r)
{
	char *place;

	if (alert_list_check(r, "state", f->state, alert_list_states) != 0 ||
	    alert_list_check(r, "severity", f->severity, alert_list_sevs) != 0)
		return -1;
	if (f->code == NULL || *f->code == '\0' || e->env.place == NULL)
		return 0;
	place = e->env.place(e->env.arg, f->code);
	if (place == NULL) {
		alert_reply_error(r, 400,
		    "code: unknown territory code \"%s\" (a district, "
		    "subdistrict, community or grid code)",
		    f->code);
		return -1;
	}
	free(place);
	return 0;
}

/* A yes/no filter: "1"/"true", "0"/"false" set *out; NULL or "" leave it
 * -1; anything else replies 400.  0 or -1. */
static int
alert_list_bool(
    struct alert_reply *r, const char *name, const char *v, int *out)
{
	if (v == NULL || *v == '\0')
		return 0;
	if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
		*out = 1;
	else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
		*out = 0;
	else {
		alert_reply_error(r, 400, "%s: expected true or false", name);
		return -1;
	}
	return 0;
}

/* Mark o (the API object of a, visible to who but outside the scope who
 * acts in) view-only, saying why. */
static void
alert_list_view_only(
    json_t *o, const struct alert *a, const struct alert_actor *who)
{
	char *why;

	if (a->code == NULL)
		why = xasprintf("district-wide; your scope %s acts only "
		                "inside it",
		    who->scope);
	else
		why = xasprintf("outside your scope %s", who->scope);
	json_object_set_new(o, "view_only", json_true());
	json_object_set_new(o, "view_only_why", json_string(why));
	free(why);
}

void
alert_engine_list(struct alert_engine *e, const struct alert_filter *f,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct alert **v = xcalloc(e->nalerts + 1, sizeof *v);
	const char *states = f->state;
	json_t *arr = json_array(), *groups = NULL, *g, *body;
	struct alert_map gmap;
	struct hub_alert_counts counted;
	const struct alert *newest = NULL;
	char **gkeys;
	size_t n = 0, i, limit = f->limit;
	int want_silenced = -1, want_inhibited = -1;

	if (alert_list_check_filter(e, f, r) != 0 ||
	    alert_list_bool(r, "inhibited", f->inhibited, &want_inhibited) !=
	        0) {
		free(v);
		json_decref(arr);
		return;
	}
	if (f->silenced != NULL)
		want_silenced = strcmp(f->silenced, "1") == 0 ||
		                strcmp(f->silenced, "true") == 0;
	if (states == NULL || *states == '\0')
		states = "pending,firing,acknowledged";
	else if (strcmp(states, "all") == 0)
		states = NULL;
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];

		if (!alert_in_list(states, alert_state_name(a->state)) &&
		    !(a->state == ALERT_ACKED &&
		        alert_in_list(states, "acked")))
			continue;
		if (!alert_in_list(f->severity, alert_sev_name(a->severity)))
			continue;
		if (!alert_in_list(f->rule, a->rule))
			continue;
		if (f->dept != NULL && *f->dept != '\0') {
			size_t j;

			for (j = 0; j < a->ndepts; j++) {
				if (alert_in_list(f->dept, a->depts[j].dept))
					break;
			}
			if (j == a->ndepts)
				continue;
		}
		if (want_silenced >= 0 && a->silenced != want_silenced)
			continue;
		if (want_inhibited >= 0 &&
		    (a->inhibited_by != NULL) != want_inhibited)
			continue;
		if (f->code != NULL && *f->code != '\0' &&
		    !alert_engine_scope_all(e, f->code) &&
		    !alert_engine_within(e, a->code, f->code))
			continue;
		if (!alert_engine_visible(e, a, who))
			continue;
		v[n++] = a;
	}
	qsort(v, n, sizeof *v, alert_cmp_list);
	gkeys = alert_engine_groups(e, v, n);
	if (f->group) {
		groups = json_array();
		alert_map_init(&gmap);
	}
	memset(&counted, 0, sizeof counted);
	for (i = 0; i < n; i++) {
		int act = alert_engine_actionable(e, v[i], who);

		if (newest == NULL || v[i]->num > newest->num)
			newest = v[i];

		if (act && alert_engine_counted(v[i]))
			alert_counts_add(&counted, v[i]->severity);
		if (limit == 0 || i < limit) {
			json_t *o = alert_engine_alert_json(e, v[i], gkeys[i]);

			if (!act)
				alert_list_view_only(o, v[i], who);
			json_array_append_new(arr, o);
		}
		if (!f->group || gkeys[i] == NULL)
			continue;
		g = alert_map_get(&gmap, gkeys[i]);
		if (g == NULL) {
			const char *slash = strrchr(gkeys[i], '/');

			g = json_pack("{s:s,s:s,s:s,s:s,s:i,s:[]}", "key",
			    gkeys[i], "rule", v[i]->rule, "code", slash + 1,
			    "severity", alert_sev_name(v[i]->severity), "count",
			    0, "ids");
			json_array_append_new(groups, g);
			alert_map_put(&gmap, gkeys[i], g);
		}
		json_object_set_new(g, "count",
		    json_integer(
		        json_integer_value(json_object_get(g, "count")) + 1));
		json_array_append_new(
		    json_object_get(g, "ids"), json_string(v[i]->id));
	}
	body = json_pack("{s:o,s:i,s:o}", "alerts", arr, "total", (int)n,
	    "counted", hub_json_alert_counts(&counted));
	if (newest != NULL)
		json_object_set_new(body, "newest", json_string(newest->id));
	json_object_set_new(json_object_get(body, "counted"), "total",
	    json_integer((json_int_t)counted.high + counted.medium +
	                 counted.low + counted.info));
	if (f->group) {
		for (i = 0; i < json_array_size(groups); i++) {
			g = json_array_get(groups, i);
			alert_engine_places(e, g,
			    json_string_value(json_object_get(g, "code")));
		}
		json_object_set_new(body, "groups", groups);
		alert_map_free(&gmap);
	}
	for (i = 0; i < n; i++)
		free(gkeys[i]);
	free(gkeys);
	free(v);
	alert_reply_set(r, 200, body);
}

void
alert_engine_get(struct alert_engine *e, const char *id,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct alert *a = alert_engine_find(e, id), **v;
	char **gkeys = NULL, *group = NULL;
	json_t *o;
	size_t i, n = 0;

	if (a == NULL || !alert_engine_visible(e, a, who)) {
		alert_reply_error(r, 404, "no alert \"%s\"", id);
		return;
	}
	/* Its group among the active alerts of its rule. */
	v = xcalloc(e->nalerts + 1, sizeof *v);
	for (i = 0; i < e->nalerts; i++) {
		if (strcmp(e->alerts[i]->rule, a->rule) == 0)
			v[n++] = e->alerts[i];
	}
	gkeys = alert_engine_groups(e, v, n);
	for (i = 0; i < n; i++) {
		if (v[i] == a)
			group = gkeys[i];
	}
	o = alert_engine_alert_json(e, a, group);
	for (i = 0; i < n; i++)
		free(gkeys[i]);
	free(gkeys);
	free(v);
	json_object_set(o, "history", a->history);
	json_object_set(o, "comments", a->comments);
	json_object_set_new(o, "notifications",
	    alert_notify_list(e->notify, a->id, 50, NULL, NULL));
	alert_reply_set(r, 200, o);
}

struct deliveries_for {
	struct alert_engine *e;
	const struct alert_actor *who;
};

/* A delivery is seen by who when its alert is; one without an alert (an
 * audit anchor) or whose alert is gone belongs to the district. */
static int
alert_delivery_visible(const json_t *rec, void *arg)
{
	const struct deliveries_for *f = arg;
	const char *id = json_string_value(json_object_get(rec, "alert"));
	struct alert *a;

	if (f->who == NULL || alert_engine_scope_all(f->e, f->who->scope))
		return 1;
	a = id != NULL ? alert_engine_find(f->e, id) : NULL;
	return a != NULL && alert_engine_visible(f->e, a, f->who);
}

void
alert_engine_deliveries(struct alert_engine *e, const char *alert_id,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct deliveries_for f = {e, who};

	alert_reply_set(r, 200,
	    json_pack("{s:o,s:I}", "deliveries",
	        alert_notify_list(
	            e->notify, alert_id, 200, alert_delivery_visible, &f),
	        "pending", (json_int_t)alert_notify_pending(e->notify)));
}
