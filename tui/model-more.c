/* Decoding the hub's audit, quality, query and whoami documents, and
 * JSON brief/diff text for history and audit lines. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/model-int.h"
#include "tui/model.h"

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
	out->scope_name_en = jstr(root, "scope_name_en");
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

/* A member value as text, appended: a time in epoch milliseconds (a key
 * ending in "_ms") as local "MM-DD HH:MM:SS", never the raw number. */
static void
model_json_value(struct buf *b, const char *key, json_t *v)
{
	size_t kl = strlen(key);
	char when[32];
	time_t t;
	struct tm tm;
	char *s;

	if (v == NULL)
		buf_puts(b, "-");
	else if (json_is_string(v))
		buf_puts(b, json_string_value(v));
	else if (kl > 3 && strcmp(key + kl - 3, "_ms") == 0 &&
	         json_is_integer(v) &&
	         json_integer_value(v) > 946684800000LL) { /* after 2000 */
		t = (time_t)(json_integer_value(v) / 1000);
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%m-%d %H:%M:%S", &tm);
		buf_puts(b, when);
	} else if ((s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) !=
	           NULL) {
		buf_puts(b, s);
		free(s);
	}
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
		model_json_value(b, key, v);
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
		model_json_value(b, key, old);
		buf_puts(b, "->");
		model_json_value(b, key, v);
	}
	json_object_foreach(before, key, v)
	{
		if (json_object_get(after, key) != NULL)
			continue;
		if (!first)
			buf_putc(b, ' ');
		first = 0;
		buf_printf(b, "%s=", key);
		model_json_value(b, key, v);
		buf_puts(b, "->-");
	}
}
