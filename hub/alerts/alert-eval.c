/*
 * Rule evaluation against the store: threshold rules aggregate each group
 * of series (by the rule's tags) over a window and compare with the
 * threshold, holding for the rule's "for" before firing; absence rules
 * fire for groups whose newest point is older than "for".
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/selector.h"
#include "lib/xmalloc.h"
#include "store/store.h"

static enum store_agg
alert_eval_agg(enum alert_agg a)
{
	switch (a) {
	case ALERT_AGG_MIN:
		return STORE_AGG_MIN;
	case ALERT_AGG_MAX:
		return STORE_AGG_MAX;
	case ALERT_AGG_SUM:
		return STORE_AGG_SUM;
	case ALERT_AGG_COUNT:
		return STORE_AGG_COUNT;
	case ALERT_AGG_LAST:
		return STORE_AGG_LAST;
	default:
		return STORE_AGG_AVG;
	}
}

/* The alert key of a rule's group and its labels (new object). */
static void
alert_eval_group(const struct alert_rule *rule,
    const struct serieskey_tag *tags, size_t ntags, struct buf *key,
    json_t **labels)
{
	size_t i, j;
	int first = 1;

	buf_reset(key);
	buf_printf(key, "rule/%s{", rule->name);
	*labels = json_object();
	for (i = 0; i < ntags; i++) {
		for (j = 0; rule->by[j] != NULL; j++) {
			if (strcmp(rule->by[j], tags[i].name) == 0)
				break;
		}
		if (rule->by[j] == NULL)
			continue;
		buf_printf(key, "%s%s=\"", first ? "" : ",", tags[i].name);
		serieskey_escape(key, tags[i].value);
		buf_putc(key, '"');
		first = 0;
		json_object_set_new(
		    *labels, tags[i].name, json_string(tags[i].value));
	}
	buf_putc(key, '}');
}

/* Expand the message template tmpl of rule for a. */
static void
alert_eval_message_as(struct alert_engine *e, const struct alert_rule *rule,
    struct alert *a, const char *tmpl)
{
	char *place = NULL, *msg;

	if (a->code != NULL && e->env.place != NULL)
		place = e->env.place(e->env.arg, a->code);
	msg = alert_template_expand(
	    tmpl, rule, a->labels, a->value, place, a->code);
	if (a->message == NULL || strcmp(a->message, msg) != 0) {
		free(a->message);
		a->message = msg;
	} else
		free(msg);
	free(place);
	/* The same words with the place's English/pinyin names. */
	place = NULL;
	if (a->code != NULL && e->env.place_en != NULL)
		place = e->env.place_en(e->env.arg, a->code);
	msg = alert_template_expand(
	    tmpl, rule, a->labels, a->value, place, a->code);
	free(a->message_en);
	a->message_en = msg;
	free(place);
}

static void
alert_eval_message(
    struct alert_engine *e, const struct alert_rule *rule, struct alert *a)
{
	alert_eval_message_as(e, rule, a, rule->message);
}

/* One group's outcome: cond is whether the condition holds. */
static void
alert_eval_apply(struct alert_engine *e, const struct alert_rule *rule,
    const char *key, json_t *labels, double value, int cond, int64_t now)
{
	struct alert *a = alert_map_get(&e->by_key, key);
	int for_fire;

	if (a != NULL)
		a->seen_gen = e->gen;
	if (a != NULL && alert_state_active(a->state)) {
		if (!isnan(value))
			a->value = value;
		if (!cond) {
			json_decref(labels);
			if (a->state == ALERT_PENDING) {
				alert_engine_audit_alert(e, NULL, "cancel", a,
				    alert_snapshot(a), NULL,
				    "condition cleared before \"for\"");
				alert_engine_drop(e, a);
			} else if (isnan(value)) {
				/* Never the value of the firing as the
				 * resolving one. */
				alert_eval_message_as(e, rule, a,
				    "{rule}: resolved, no data in the window "
				    "(last value {value}) in {place}");
				alert_engine_resolve(
				    e, a, NULL, "no data in the window");
			} else {
				alert_eval_message_as(e, rule, a,
				    rule->resolve_message != NULL
				        ? rule->resolve_message
				        : rule->message);
				alert_engine_resolve(
				    e, a, NULL, "condition cleared");
			}
			return;
		}
		alert_eval_message(e, rule, a);
		json_decref(labels);
		if (a->state == ALERT_PENDING &&
		    now - a->started_ms >= rule->for_ms)
			alert_engine_fire(e, a, NULL);
		return;
	}
	if (!cond) {
		json_decref(labels);
		if (a != NULL && a->state == ALERT_CLOSED && a->cond) {
			a->cond = 0;
			a->dirty = 1;
			alert_engine_save(e, a);
		}
		return;
	}
	/* The condition holds and no alert is active. */
	if (a != NULL && a->state == ALERT_CLOSED && a->cond) {
		json_decref(labels); /* closed by hand while still true */
		return;
	}
	if (a != NULL && a->state == ALERT_RESOLVED &&
	    now - a->ended_ms <= e->rules->settings.flap_window_ms) {
		json_decref(labels);
		a->value = value;
		alert_eval_message(e, rule, a);
		alert_engine_reopen(e, a, NULL);
		return;
	}
	a = alert_engine_new_alert(e, key, rule->name);
	a->seen_gen = e->gen;
	a->severity = rule->severity;
	a->value = value;
	a->started_ms = now;
	a->updated_ms = now;
	a->cond = 1;
	alert_engine_set_labels(e, a, labels);
	alert_eval_message(e, rule, a);
	for_fire = rule->type == ALERT_RULE_ABSENCE || rule->for_ms == 0;
	if (for_fire) {
		alert_engine_fire(e, a, NULL);
		return;
	}
	a->state = ALERT_PENDING;
	alert_history_add(a, now, "system", "rule", "", "pending", NULL,
	    alert_snapshot(a), NULL);
	alert_engine_audit_alert(
	    e, NULL, "pending", a, NULL, alert_snapshot(a), NULL);
	alert_engine_save(e, a);
}

static int
alert_eval_threshold(struct alert_engine *e, const struct alert_rule *rule,
    const struct selector *sel, int64_t now, char **cause)
{
	struct store_query q;
	struct store_result res;
	struct buf key = BUF_INIT;
	struct alert *a;
	json_t *labels;
	size_t i, nby = 0;
	double v;
	int cond, active;

	while (rule->by[nby] != NULL)
		nby++;
	memset(&q, 0, sizeof q);
	q.sel = sel;
	q.start = rule->window_ms > 0 ? now - rule->window_ms : 0;
	if (q.start < 0)
		q.start = 0;
	q.end = now + 1;
	q.agg = alert_eval_agg(rule->agg);
	q.step = 0;
	q.group = 1;
	q.by = (const char *const *)rule->by;
	q.nby = nby;
	if (store_query_run(e->store, &q, &res, cause) != 0)
		return -1;
	for (i = 0; i < res.n; i++) {
		const struct store_series_result *s = &res.series[i];

		if (s->npoints == 0)
			continue;
		v = s->points[s->npoints - 1].v;
		alert_eval_group(rule, s->tags, s->ntags, &key, &labels);
		a = alert_map_get(&e->by_key, buf_str(&key));
		active = a != NULL && alert_state_active(a->state) &&
		         a->state != ALERT_PENDING;
		if (isnan(v))
			cond = 0;
		else if (active && rule->has_clear)
			cond = alert_op_eval(rule->op, v, rule->clear) &&
			       v != rule->clear;
		else
			cond = alert_op_eval(rule->op, v, rule->threshold);
		alert_eval_apply(e, rule, buf_str(&key), labels, v, cond, now);
	}
	store_result_free(&res);
	buf_free(&key);
	return 0;
}

struct absence_group {
	json_t *labels;
	int64_t last;
};

static int
alert_eval_absence(struct alert_engine *e, const struct alert_rule *rule,
    const struct selector *sel, int64_t now, char **cause)
{
	struct store_result res;
	struct alert_map groups;
	struct absence_group *g, **list = NULL;
	struct buf key = BUF_INIT;
	json_t *labels;
	size_t i, n = 0;
	int64_t t;

	if (store_query_last(e->store, sel, 0, &res, cause) != 0)
		return -1;
	alert_map_init(&groups);
	list = xcalloc(res.n + 1, sizeof *list);
	for (i = 0; i < res.n; i++) {
		const struct store_series_result *s = &res.series[i];

		t = s->npoints > 0 ? s->points[s->npoints - 1].t : 0;
		alert_eval_group(rule, s->tags, s->ntags, &key, &labels);
		g = alert_map_get(&groups, buf_str(&key));
		if (g == NULL) {
			g = xcalloc(1, sizeof *g);
			g->labels = labels;
			g->last = t;
			alert_map_put(&groups, buf_str(&key), g);
			list[n++] = g;
		} else {
			json_decref(labels);
			if (t > g->last)
				g->last = t;
		}
	}
	if (n == 0 && rule->by[0] == NULL) {
		/* Nothing at all matches: absent since ever. */
		alert_eval_group(rule, NULL, 0, &key, &labels);
		alert_eval_apply(e, rule, buf_str(&key), labels, NAN, 1, now);
	}
	for (i = 0; i < groups.cap; i++) {
		if (groups.keys[i] == NULL)
			continue;
		g = groups.vals[i];
		alert_eval_apply(e, rule, groups.keys[i], g->labels,
		    (double)(now - g->last) / 1000.0,
		    now - g->last > rule->for_ms, now);
		g->labels = NULL;
	}
	for (i = 0; i < n; i++) {
		json_decref(list[i]->labels);
		free(list[i]);
	}
	free(list);
	alert_map_free(&groups);
	store_result_free(&res);
	buf_free(&key);
	return 0;
}

int
alert_eval_rule(struct alert_engine *e, size_t idx, int64_t now)
{
	const struct alert_rule *rule = &e->rules->rules[idx];
	struct alert **gone;
	char *cause = NULL;
	size_t i, n = 0;
	int r;

	if (e->store == NULL || e->sels == NULL || e->sels[idx] == NULL)
		return 0;
	if (rule->type == ALERT_RULE_THRESHOLD)
		r = alert_eval_threshold(e, rule, e->sels[idx], now, &cause);
	else
		r = alert_eval_absence(e, rule, e->sels[idx], now, &cause);
	if (r != 0) {
		log_warn("alerts", "rule %s: %s", rule->name, cause);
		free(cause);
		return -1;
	}
	/* Groups that had no data this time: the condition does not hold. */
	gone = xcalloc(e->nalerts + 1, sizeof *gone);
	for (i = 0; i < e->nalerts; i++) {
		struct alert *a = e->alerts[i];

		if (a->from_event || a->seen_gen == e->gen ||
		    strcmp(a->rule, rule->name) != 0)
			continue;
		if (alert_state_active(a->state) ||
		    (a->state == ALERT_CLOSED && a->cond))
			gone[n++] = a;
	}
	for (i = 0; i < n; i++) {
		if (alert_map_get(&e->by_key, gone[i]->key) != gone[i]) {
			/* An older alert of the same identity. */
			if (alert_state_active(gone[i]->state))
				alert_engine_resolve(
				    e, gone[i], NULL, "superseded");
			continue;
		}
		alert_eval_apply(e, rule, gone[i]->key, NULL, NAN, 0, now);
	}
	free(gone);
	return 0;
}
