/* Alerts: fields, states, history and JSON forms (see alert-model.h). */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-model.h"
#include "lib/xmalloc.h"

static const char *const alert_state_names[] = {
    "pending", "firing", "acknowledged", "resolved", "closed"};
static const char *const alert_dept_state_names[] = {
    "pending", "acknowledged", "reported"};

const char *
alert_state_name(enum alert_state s)
{
	return (unsigned)s < ALERT_STATE_COUNT ? alert_state_names[s] : "?";
}

int
alert_state_parse(const char *s, enum alert_state *out)
{
	int i;

	for (i = 0; i < ALERT_STATE_COUNT; i++) {
		if (strcmp(s, alert_state_names[i]) == 0) {
			*out = (enum alert_state)i;
			return 0;
		}
	}
	if (strcmp(s, "acked") == 0) {
		*out = ALERT_ACKED;
		return 0;
	}
	return -1;
}

int
alert_state_active(enum alert_state s)
{
	return s == ALERT_PENDING || s == ALERT_FIRING || s == ALERT_ACKED;
}

int
alert_quiet(const struct alert *a)
{
	return a->silenced || a->inhibited_by != NULL;
}

const char *
alert_dept_state_name(enum alert_dept_state s)
{
	return (unsigned)s <= ALERT_DEPT_REPORTED ? alert_dept_state_names[s]
	                                          : "?";
}

void
alert_id_format(uint64_t num, char out[16])
{
	snprintf(out, 16, "A%06" PRIu64, (uint64_t)(num % 1000000000000ULL));
}

int
alert_id_parse(const char *id, uint64_t *num)
{
	char *end;

	if (id == NULL || (id[0] != 'A' && id[0] != 'C') || id[1] < '0' ||
	    id[1] > '9')
		return -1;
	*num = strtoull(id + 1, &end, 10);
	if (*end != '\0' || *num == 0 || end - id > 13)
		return -1;
	return 0;
}

int
alert_key_is_case(const char *key)
{
	return key != NULL && strncmp(key, "case/", 5) == 0;
}

const char *
alert_source_name(const struct alert *a)
{
	return alert_key_is_case(a->key) ? "case"
	       : a->from_event           ? "event"
	                                 : "rule";
}

struct alert *
alert_from_record_id(json_t *rec, const char *id, char **cause)
{
	struct alert *a = alert_from_record(rec, cause);

	if (a != NULL && strcmp(a->id, id) != 0) {
		*cause = xasprintf("%s is %s", id, a->id);
		alert_free(a);
		return NULL;
	}
	return a;
}

void
alert_str_set(char **dst, const char *s)
{
	char *copy = s != NULL ? xstrdup(s) : NULL;

	free(*dst);
	*dst = copy;
}

struct alert *
alert_new(uint64_t num, const char *key, const char *rule)
{
	struct alert *a = xcalloc(1, sizeof *a);

	a->num = num;
	alert_id_format(num, a->id);
	if (alert_key_is_case(key))
		a->id[0] = 'C'; /* a case: C000123 (numbers shared) */
	a->key = xstrdup(key);
	a->rule = xstrdup(rule != NULL ? rule : "");
	a->labels = json_object();
	a->value = NAN;
	a->history = json_array();
	a->comments = json_array();
	return a;
}

static void
alert_depts_free(struct alert_dept *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(d[i].dept);
		free(d[i].by);
		free(d[i].report);
	}
	free(d);
}

static void
alert_ack_clear(struct alert_ack *k)
{
	free(k->by);
	free(k->via);
	free(k->comment);
	memset(k, 0, sizeof *k);
}

void
alert_free(struct alert *a)
{
	if (a == NULL)
		return;
	free(a->key);
	free(a->rule);
	json_decref(a->labels);
	free(a->code);
	free(a->message);
	free(a->message_en);
	free(a->detail);
	alert_depts_free(a->depts, a->ndepts);
	alert_ack_clear(&a->ack);
	free(a->silence_id);
	free(a->inhibited_by);
	free(a->escalated_to);
	free(a->close_reason);
	free(a->last_who);
	free(a->last_action);
	json_decref(a->history);
	json_decref(a->comments);
	free(a);
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *
json_str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
json_ms_or_null(int64_t ms)
{
	return ms != 0 ? json_integer(ms) : json_null();
}

static json_t *
alert_depts_json(const struct alert *a)
{
	json_t *arr = json_array(), *o;
	size_t i;

	for (i = 0; i < a->ndepts; i++) {
		const struct alert_dept *d = &a->depts[i];

		o = json_pack("{s:s,s:s,s:s}", "dept", d->dept, "role",
		    d->lead ? "lead" : "support", "state",
		    alert_dept_state_name(d->state));
		if (d->by != NULL) {
			json_object_set_new(o, "by", json_string(d->by));
			json_object_set_new(o, "at_ms", json_integer(d->at_ms));
		}
		if (d->report != NULL)
			json_object_set_new(
			    o, "report", json_string(d->report));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *
alert_to_api(const struct alert *a, const char *place, const char *group)
{
	json_t *o = json_object(), *ack, *waiting;
	size_t i;

	json_object_set_new(o, "id", json_string(a->id));
	json_object_set_new(o, "rule", json_string(a->rule));
	json_object_set_new(o, "source", json_string(alert_source_name(a)));
	json_object_set_new(o, "key", json_string(a->key));
	json_object_set_new(
	    o, "state", json_string(alert_state_name(a->state)));
	json_object_set_new(
	    o, "severity", json_string(alert_sev_name(a->severity)));
	json_object_set_new(o, "silenced", json_boolean(a->silenced));
	if (a->silence_id != NULL)
		json_object_set_new(o, "silence", json_string(a->silence_id));
	json_object_set_new(o, "inhibited_by",
	    a->inhibited_by != NULL ? json_string(a->inhibited_by)
	                            : json_null());
	json_object_set_new(
	    o, "escalated", json_boolean(a->escalation_step > 0));
	json_object_set_new(
	    o, "escalation_step", json_integer((json_int_t)a->escalation_step));
	json_object_set_new(o, "escalated_to",
	    json_str_or_null(a->escalation_step > 0 ? a->escalated_to : NULL));
	json_object_set_new(o, "overdue", json_boolean(a->overdue));
	json_object_set(o, "labels", a->labels);
	json_object_set_new(o, "code", json_str_or_null(a->code));
	json_object_set_new(
	    o, "place", json_str_or_null(place != NULL ? place : a->code));
	json_object_set_new(
	    o, "message", json_string(a->message != NULL ? a->message : ""));
	if (a->message_en != NULL)
		json_object_set_new(
		    o, "message_en", json_string(a->message_en));
	if (a->detail != NULL)
		json_object_set_new(o, "detail", json_string(a->detail));
	json_object_set_new(
	    o, "value", isfinite(a->value) ? json_real(a->value) : json_null());
	json_object_set_new(o, "dept", json_str_or_null(alert_lead_dept(a)));
	json_object_set_new(o, "depts", alert_depts_json(a));
	waiting = json_array();
	for (i = 0; i < a->ndepts; i++) {
		if (a->depts[i].state == ALERT_DEPT_PENDING)
			json_array_append_new(
			    waiting, json_string(a->depts[i].dept));
	}
	json_object_set_new(o, "depts_waiting", waiting);
	json_object_set_new(o, "started_ms", json_integer(a->started_ms));
	json_object_set_new(o, "fired_ms", json_ms_or_null(a->fired_ms));
	json_object_set_new(o, "updated_ms", json_integer(a->updated_ms));
	json_object_set_new(o, "ended_ms", json_ms_or_null(a->ended_ms));
	json_object_set_new(o, "deadline_ms", json_ms_or_null(a->deadline_ms));
	if (a->ack.by != NULL) {
		ack = json_pack("{s:s,s:s,s:I}", "by", a->ack.by, "via",
		    a->ack.via != NULL ? a->ack.via : "", "at_ms",
		    (json_int_t)a->ack.at_ms);
		json_object_set_new(
		    ack, "comment", json_str_or_null(a->ack.comment));
		json_object_set_new(
		    ack, "expires_ms", json_ms_or_null(a->ack.expires_ms));
		json_object_set_new(o, "ack", ack);
	} else
		json_object_set_new(o, "ack", json_null());
	if (a->close_reason != NULL)
		json_object_set_new(
		    o, "close_reason", json_string(a->close_reason));
	json_object_set_new(o, "flaps", json_integer(a->flaps));
	json_object_set_new(o, "rev", json_integer((json_int_t)a->rev));
	json_object_set_new(o, "group", json_str_or_null(group));
	return o;
}

json_t *
alert_to_record(const struct alert *a)
{
	json_t *o = alert_to_api(a, NULL, NULL);

	json_object_del(o, "place");
	json_object_del(o, "group");
	json_object_del(o, "depts_waiting");
	json_object_set_new(o, "num", json_integer((json_int_t)a->num));
	json_object_set_new(
	    o, "unacked_since_ms", json_integer(a->unacked_since_ms));
	json_object_set_new(
	    o, "deadline_rel_ms", json_integer(a->deadline_rel_ms));
	json_object_set_new(o, "cond", json_boolean(a->cond));
	json_object_set_new(o, "last_who", json_str_or_null(a->last_who));
	json_object_set_new(o, "last_action", json_str_or_null(a->last_action));
	json_object_set_new(o, "last_at_ms", json_integer(a->last_at_ms));
	json_object_set(o, "history", a->history);
	json_object_set(o, "comments", a->comments);
	return o;
}

static const char *
rec_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int64_t
rec_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

struct alert *
alert_from_record(json_t *rec, char **cause)
{
	struct alert *a;
	json_t *v, *d, *ack;
	const char *s;
	size_t i;
	uint64_t num;

	if (!json_is_object(rec) || alert_id_parse(rec_str(rec, "id"), &num) ||
	    rec_str(rec, "key") == NULL) {
		*cause = xstrdup("alert record: missing id or key");
		return NULL;
	}
	a = alert_new(num, rec_str(rec, "key"), rec_str(rec, "rule"));
	a->from_event = (s = rec_str(rec, "source")) != NULL &&
	                (strcmp(s, "event") == 0 || strcmp(s, "case") == 0);
	if ((s = rec_str(rec, "state")) == NULL ||
	    alert_state_parse(s, &a->state) != 0 ||
	    (s = rec_str(rec, "severity")) == NULL ||
	    alert_sev_parse(s, &a->severity) != 0) {
		*cause =
		    xasprintf("alert record %s: bad state or severity", a->id);
		alert_free(a);
		return NULL;
	}
	a->silenced = json_is_true(json_object_get(rec, "silenced"));
	alert_str_set(&a->silence_id, rec_str(rec, "silence"));
	alert_str_set(&a->inhibited_by, rec_str(rec, "inhibited_by"));
	/* Records from before chains carry only "escalated": step 1. */
	a->escalation_step = (unsigned)rec_int(rec, "escalation_step");
	if (a->escalation_step == 0 &&
	    json_is_true(json_object_get(rec, "escalated")))
		a->escalation_step = 1;
	alert_str_set(&a->escalated_to, rec_str(rec, "escalated_to"));
	a->overdue = json_is_true(json_object_get(rec, "overdue"));
	if (json_is_object(v = json_object_get(rec, "labels"))) {
		json_decref(a->labels);
		a->labels = json_deep_copy(v);
	}
	alert_str_set(&a->code, rec_str(rec, "code"));
	alert_str_set(&a->message, rec_str(rec, "message"));
	alert_str_set(&a->message_en, rec_str(rec, "message_en"));
	alert_str_set(&a->detail, rec_str(rec, "detail"));
	if (json_is_number(v = json_object_get(rec, "value")))
		a->value = json_number_value(v);
	v = json_object_get(rec, "depts");
	if (json_is_array(v) && json_array_size(v) > 0) {
		a->depts = xcalloc(json_array_size(v), sizeof *a->depts);
		json_array_foreach(v, i, d)
		{
			struct alert_dept *p = &a->depts[a->ndepts];

			if (rec_str(d, "dept") == NULL)
				continue;
			p->dept = xstrdup(rec_str(d, "dept"));
			p->lead = (s = rec_str(d, "role")) != NULL &&
			          strcmp(s, "lead") == 0;
			s = rec_str(d, "state");
			p->state =
			    s == NULL ? ALERT_DEPT_PENDING
			    : strcmp(s, "acknowledged") == 0 ? ALERT_DEPT_ACKED
			    : strcmp(s, "reported") == 0 ? ALERT_DEPT_REPORTED
			                                 : ALERT_DEPT_PENDING;
			alert_str_set(&p->by, rec_str(d, "by"));
			p->at_ms = rec_int(d, "at_ms");
			alert_str_set(&p->report, rec_str(d, "report"));
			a->ndepts++;
		}
	}
	ack = json_object_get(rec, "ack");
	if (json_is_object(ack) && rec_str(ack, "by") != NULL) {
		alert_str_set(&a->ack.by, rec_str(ack, "by"));
		alert_str_set(&a->ack.via, rec_str(ack, "via"));
		alert_str_set(&a->ack.comment, rec_str(ack, "comment"));
		a->ack.at_ms = rec_int(ack, "at_ms");
		a->ack.expires_ms = rec_int(ack, "expires_ms");
	}
	a->started_ms = rec_int(rec, "started_ms");
	a->fired_ms = rec_int(rec, "fired_ms");
	a->updated_ms = rec_int(rec, "updated_ms");
	a->ended_ms = rec_int(rec, "ended_ms");
	a->deadline_ms = rec_int(rec, "deadline_ms");
	a->deadline_rel_ms = rec_int(rec, "deadline_rel_ms");
	a->unacked_since_ms = rec_int(rec, "unacked_since_ms");
	alert_str_set(&a->close_reason, rec_str(rec, "close_reason"));
	a->flaps = (unsigned)rec_int(rec, "flaps");
	a->rev = (uint64_t)rec_int(rec, "rev");
	a->cond = json_is_true(json_object_get(rec, "cond"));
	alert_str_set(&a->last_who, rec_str(rec, "last_who"));
	alert_str_set(&a->last_action, rec_str(rec, "last_action"));
	a->last_at_ms = rec_int(rec, "last_at_ms");
	if (json_is_array(v = json_object_get(rec, "history"))) {
		json_decref(a->history);
		a->history = json_deep_copy(v);
	}
	if (json_is_array(v = json_object_get(rec, "comments"))) {
		json_decref(a->comments);
		a->comments = json_deep_copy(v);
	}
	return a;
}

json_t *
alert_snapshot(const struct alert *a)
{
	json_t *o = json_pack("{s:s,s:s}", "state", alert_state_name(a->state),
	    "severity", alert_sev_name(a->severity));

	if (alert_lead_dept(a) != NULL)
		json_object_set_new(o, "dept", json_string(alert_lead_dept(a)));
	if (a->ack.by != NULL)
		json_object_set_new(o, "ack_by", json_string(a->ack.by));
	if (a->escalation_step > 0)
		json_object_set_new(o, "escalation_step",
		    json_integer((json_int_t)a->escalation_step));
	return o;
}

void
alert_history_add(struct alert *a, int64_t at_ms, const char *who,
    const char *via, const char *from, const char *action, json_t *before,
    json_t *after, const char *comment)
{
	json_t *e = json_pack("{s:I,s:s,s:s,s:s,s:s}", "at_ms",
	    (json_int_t)at_ms, "who", who != NULL ? who : "system", "via",
	    via != NULL ? via : "system", "from", from != NULL ? from : "",
	    "action", action);

	json_object_set_new(e, "before", before != NULL ? before : json_null());
	json_object_set_new(e, "after", after != NULL ? after : json_null());
	if (comment != NULL)
		json_object_set_new(e, "comment", json_string(comment));
	json_array_append_new(a->history, e);
	alert_str_set(&a->last_who, who != NULL ? who : "system");
	alert_str_set(&a->last_action, action);
	a->last_at_ms = at_ms;
	a->updated_ms = at_ms;
	a->rev++;
	a->dirty = 1;
}

struct alert_dept *
alert_dept_find(struct alert *a, const char *dept)
{
	size_t i;

	for (i = 0; dept != NULL && i < a->ndepts; i++) {
		if (a->depts[i].dept != NULL &&
		    strcmp(a->depts[i].dept, dept) == 0)
			return &a->depts[i];
	}
	return NULL;
}

const char *
alert_lead_dept(const struct alert *a)
{
	size_t i;

	for (i = 0; i < a->ndepts; i++) {
		if (a->depts[i].lead)
			return a->depts[i].dept;
	}
	return NULL;
}

void
alert_dispatch_set(
    struct alert *a, const char *lead, const char *const *support)
{
	struct alert_dept *nd, *old;
	size_t n = 0, i, j, cap = 1;

	for (i = 0; support != NULL && support[i] != NULL; i++)
		cap++;
	nd = xcalloc(cap, sizeof *nd);
	for (i = 0; i < cap; i++) {
		const char *name = i == 0 ? lead : support[i - 1];

		if (name == NULL)
			continue;
		for (j = 0; j < n; j++) {
			if (strcmp(nd[j].dept, name) == 0)
				break;
		}
		if (j < n)
			continue; /* listed twice */
		old = alert_dept_find(a, name);
		if (old != NULL) {
			nd[n] = *old;
			old->dept = old->by = old->report = NULL;
		} else
			nd[n].dept = xstrdup(name);
		nd[n].lead = i == 0;
		n++;
	}
	alert_depts_free(a->depts, a->ndepts);
	a->depts = nd;
	a->ndepts = n;
}

/* ---- Hash map ----------------------------------------------------------- */

static uint64_t
alert_map_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h ^ (h >> 31);
}

void
alert_map_init(struct alert_map *m)
{
	memset(m, 0, sizeof *m);
}

void
alert_map_free(struct alert_map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

static size_t
alert_map_slot(const struct alert_map *m, const char *key)
{
	size_t i = (size_t)alert_map_hash(key) & (m->cap - 1);

	while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *
alert_map_get(const struct alert_map *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = alert_map_slot(m, key);
	return m->keys[i] != NULL ? m->vals[i] : NULL;
}

static void
alert_map_grow(struct alert_map *m)
{
	struct alert_map old = *m;
	size_t i, j;

	m->cap = old.cap == 0 ? 64 : old.cap * 2;
	m->keys = xcalloc(m->cap, sizeof *m->keys);
	m->vals = xcalloc(m->cap, sizeof *m->vals);
	for (i = 0; i < old.cap; i++) {
		if (old.keys[i] == NULL)
			continue;
		j = alert_map_slot(m, old.keys[i]);
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
	}
	free(old.keys);
	free(old.vals);
}

void
alert_map_put(struct alert_map *m, const char *key, void *val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap)
		alert_map_grow(m);
	i = alert_map_slot(m, key);
	if (m->keys[i] == NULL) {
		m->keys[i] = xstrdup(key);
		m->n++;
	}
	m->vals[i] = val;
}

void
alert_map_del(struct alert_map *m, const char *key)
{
	size_t i, j, k;

	if (m->cap == 0)
		return;
	i = alert_map_slot(m, key);
	if (m->keys[i] == NULL)
		return;
	free(m->keys[i]);
	m->keys[i] = NULL;
	m->n--;
	/* Backward-shift the cluster after i. */
	j = i;
	for (;;) {
		j = (j + 1) & (m->cap - 1);
		if (m->keys[j] == NULL)
			break;
		k = (size_t)alert_map_hash(m->keys[j]) & (m->cap - 1);
		/* Move j to i unless k lies cyclically in (i, j]. */
		if ((i < j) ? (k <= i || k > j) : (k <= i && k > j)) {
			m->keys[i] = m->keys[j];
			m->vals[i] = m->vals[j];
			m->keys[j] = NULL;
			i = j;
		}
	}
}

int
alert_cmp_worst_oldest(const void *pa, const void *pb)
{
	const struct alert *a = *(struct alert *const *)pa;
	const struct alert *b = *(struct alert *const *)pb;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->started_ms != b->started_ms)
		return a->started_ms < b->started_ms ? -1 : 1;
	return a->num < b->num ? -1 : a->num > b->num;
}
