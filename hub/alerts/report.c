/*
 * The response report (report.h): one pass over the alert records of the
 * kv, each judged by its own history, folded into rows per department,
 * subdistrict or rule.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/incident-engine.h"
#include "hub/alerts/report-record.h"
#include "hub/alerts/report.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* Durations (ms) of a row, unsorted until the row is written. */
struct report_times {
	int64_t *v;
	size_t n, cap;
};

struct report_row {
	char *key;
	size_t alerts, cases, incidents, acked, resolved, due, in_time, overdue,
	    open_overdue;
	uint64_t escalations;
	struct report_times ack, res;
};

/* What one dispatched alert (or case) brings to a row. */
struct report_part {
	int is_case;
	int64_t t0;       /* dispatched (to this department) */
	int64_t ack;      /* answered, or 0 */
	int64_t end;      /* resolved or closed, or 0 */
	int64_t deadline; /* or 0 */
	unsigned escalations;
};

struct report_acc {
	struct alert_engine *e;
	const struct report_params *p;
	const struct alert_actor *who;
	int scoped;
	int64_t from, to;
	struct alert_map by_key; /* key -> struct report_row */
	struct report_row **rows;
	size_t nrows;
	struct report_row total;
	struct report_record rec; /* the record being read */
	size_t skipped;           /* records that did not decode */
};

const char *
report_by_name(enum report_by by)
{
	static const char *const names[] = {
	    [REPORT_BY_DEPT] = "dept",
	    [REPORT_BY_SUBDISTRICT] = "subdistrict",
	    [REPORT_BY_RULE] = "rule",
	};

	return names[by];
}

int
report_params_parse(
    const char *since, const char *by, struct report_params *p, char **cause)
{
	int64_t ms;

	p->since_ms = REPORT_SINCE_DEFAULT_MS;
	p->by = REPORT_BY_DEPT;
	if (since != NULL) {
		if (clock_parse_duration(since, &ms) != 0 ||
		    ms < REPORT_SINCE_MIN_MS || ms > REPORT_SINCE_MAX_MS) {
			*cause = xasprintf(
			    "\"since\": expected a duration from 1m to 400d "
			    "such as \"7d\" or \"24h\", not \"%.40s\"",
			    since);
			return -1;
		}
		p->since_ms = ms;
	}
	if (by == NULL)
		return 0;
	if (strcmp(by, "dept") == 0)
		p->by = REPORT_BY_DEPT;
	else if (strcmp(by, "subdistrict") == 0)
		p->by = REPORT_BY_SUBDISTRICT;
	else if (strcmp(by, "rule") == 0)
		p->by = REPORT_BY_RULE;
	else {
		*cause = xasprintf("\"by\": expected \"dept\", \"subdistrict\" "
		                   "or \"rule\", not \"%.40s\"",
		    by);
		return -1;
	}
	return 0;
}

static int
report_cmp_ms(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

int64_t
report_percentile(const int64_t *v, size_t n, int p)
{
	/* rank = ceil(p * n / 100), 1-based */
	size_t rank = ((size_t)p * n + 99) / 100;

	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}

static void
report_times_add(struct report_times *t, int64_t ms)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n++] = ms < 0 ? 0 : ms;
}

static void
report_row_add(struct report_row *w, const struct report_part *pt, int64_t now)
{
	if (pt->is_case)
		w->cases++;
	else
		w->alerts++;
	if (pt->ack != 0) {
		w->acked++;
		report_times_add(&w->ack, pt->ack - pt->t0);
	}
	if (pt->end != 0) {
		w->resolved++;
		report_times_add(&w->res, pt->end - pt->t0);
	}
	if (pt->deadline != 0) {
		if (pt->end != 0) {
			w->due++;
			if (pt->end <= pt->deadline)
				w->in_time++;
			else
				w->overdue++;
		} else if (now > pt->deadline) {
			w->due++;
			w->overdue++;
			w->open_overdue++;
		}
	}
	w->escalations += pt->escalations;
}

static struct report_row *
report_row_get(struct report_acc *x, const char *key)
{
	struct report_row *w = alert_map_get(&x->by_key, key);

	if (w != NULL)
		return w;
	w = xcalloc(1, sizeof *w);
	w->key = xstrdup(key);
	alert_map_put(&x->by_key, key, w);
	x->rows = xreallocarray(x->rows, x->nrows + 1, sizeof *x->rows);
	x->rows[x->nrows++] = w;
	return w;
}

/* Does entry h put dept on the dispatch (lead or support)? */
static int
report_names_dept(const struct report_record *rec, const struct report_entry *h,
    const char *dept)
{
	size_t i;

	if (h->dept != NULL && strcmp(h->dept, dept) == 0)
		return 1;
	for (i = 0; i < h->nsupport; i++) {
		if (strcmp(rec->supports[h->support + i], dept) == 0)
			return 1;
	}
	return 0;
}

/* Did entry h answer for dept (NULL: the alert as a whole)?  An ack of
 * the alert or of the department's part, or the department's report. */
static int
report_answers(const struct report_entry *h, const char *dept, int lead)
{
	if (h->action == NULL)
		return 0;
	if (strcmp(h->action, "ack") == 0) {
		if (dept == NULL)
			return 1;
		return h->dept_acked != NULL ? strcmp(h->dept_acked, dept) == 0
		                             : lead;
	}
	if (strcmp(h->action, "report") == 0 && dept != NULL)
		return h->dept != NULL && strcmp(h->dept, dept) == 0;
	return 0;
}

/* The first entry at or after t0 answering for dept: its time, or 0. */
static int64_t
report_answer_time(
    const struct report_record *rec, int64_t t0, const char *dept, int lead)
{
	size_t i;

	for (i = 0; i < rec->nhist; i++) {
		if (rec->hist[i].at_ms >= t0 &&
		    report_answers(&rec->hist[i], dept, lead))
			return rec->hist[i].at_ms;
	}
	return 0;
}

/* When dept joined the dispatch (t_disp when the history does not say:
 * supporting departments of a dispatch made at firing). */
static int64_t
report_dispatch_time(
    const struct report_record *rec, const char *dept, int64_t t_disp)
{
	size_t i;

	for (i = 0; i < rec->nhist; i++) {
		if (report_names_dept(rec, &rec->hist[i], dept))
			return rec->hist[i].at_ms;
	}
	return t_disp;
}

/* Is the record's place inside the caller's scope?  (A scoped caller
 * sees no district-wide alert: they belong to the district.) */
static int
report_in_scope(struct report_acc *x, const struct report_record *rec)
{
	if (!x->scoped)
		return 1;
	return rec->code != NULL &&
	       alert_engine_within(x->e, rec->code, x->who->scope);
}

/* Fold one alert record into the rows. */
static void
report_record(struct report_acc *x, const struct report_record *rec)
{
	struct report_part pt;
	int64_t t_disp = 0, now = x->to;
	const char *key;
	size_t i;

	if (!report_in_scope(x, rec))
		return;
	memset(&pt, 0, sizeof pt);
	for (i = 0; i < rec->nhist; i++) {
		const struct report_entry *h = &rec->hist[i];

		if (t_disp == 0 && h->dept != NULL)
			t_disp = h->at_ms;
		if (h->action != NULL && strcmp(h->action, "escalate") == 0)
			pt.escalations++;
	}
	if (t_disp == 0 || t_disp < x->from || t_disp > x->to)
		return;
	pt.is_case = rec->source != NULL && strcmp(rec->source, "case") == 0;
	if (rec->state != NULL && (strcmp(rec->state, "resolved") == 0 ||
	                              strcmp(rec->state, "closed") == 0))
		pt.end = rec->ended_ms;
	pt.deadline = rec->deadline_ms;
	pt.t0 = t_disp;
	pt.ack = report_answer_time(rec, t_disp, NULL, 1);
	report_row_add(&x->total, &pt, now);
	switch (x->p->by) {
	case REPORT_BY_SUBDISTRICT:
		/* district-wide: "-" */
		key = rec->subdistrict != NULL && *rec->subdistrict != '\0'
		          ? rec->subdistrict
		          : "-";
		report_row_add(report_row_get(x, key), &pt, now);
		break;
	case REPORT_BY_RULE:
		key = rec->rule != NULL ? rec->rule : "-";
		report_row_add(report_row_get(x, key), &pt, now);
		break;
	case REPORT_BY_DEPT:
		for (i = 0; i < rec->ndepts; i++) {
			struct report_part dp = pt;
			const char *dept = rec->depts[i].dept;
			int lead = rec->depts[i].lead;

			if (dept == NULL)
				continue;
			dp.t0 = report_dispatch_time(rec, dept, t_disp);
			dp.ack = report_answer_time(rec, dp.t0, dept, lead);
			/* Escalations go to the lead, who answers for the
			 * alert. */
			if (!lead)
				dp.escalations = 0;
			report_row_add(report_row_get(x, dept), &dp, now);
		}
		break;
	}
}

/* When inc was first dispatched (its history's first "dispatch"), or 0. */
static int64_t
report_incident_dispatched(const struct incident *inc)
{
	size_t i;
	json_t *h;

	json_array_foreach(inc->history, i, h)
	{
		const char *action =
		    json_string_value(json_object_get(h, "action"));

		if (action != NULL && strcmp(action, "dispatch") == 0)
			return json_integer_value(json_object_get(h, "at_ms"));
	}
	return 0;
}

/* The subdistrict of inc's first alert still known, or "-". */
static const char *
report_incident_subdistrict(struct alert_engine *e, const struct incident *inc)
{
	size_t i;
	json_t *id;

	json_array_foreach(inc->alerts, i, id)
	{
		struct alert *a =
		    json_string_value(id) != NULL
		        ? alert_engine_find(e, json_string_value(id))
		        : NULL;
		const char *sd = a != NULL ? json_string_value(json_object_get(
		                                 a->labels, "subdistrict"))
		                           : NULL;

		if (sd != NULL && *sd != '\0')
			return sd;
	}
	return "-";
}

/* Count the incidents the caller sees that were dispatched in the window
 * (by their first dispatch): in the rows of their lead and supporting
 * departments, the subdistrict of their first alert, or the rule that
 * opened them ("-": made by hand).  Their alerts count as alerts, as any
 * dispatched alert does. */
static void
report_incidents(struct report_acc *x)
{
	struct incident_set *set = x->e->incidents;
	size_t i, k;
	json_t *d;

	for (i = 0; set != NULL && i < set->n; i++) {
		struct incident *inc = set->v[i];
		int64_t t = report_incident_dispatched(inc);

		if (t == 0 || t < x->from || t > x->to)
			continue;
		if (x->scoped && !incident_visible(x->e, inc, x->who))
			continue;
		x->total.incidents++;
		switch (x->p->by) {
		case REPORT_BY_SUBDISTRICT:
			report_row_get(
			    x, report_incident_subdistrict(x->e, inc))
			    ->incidents++;
			break;
		case REPORT_BY_RULE:
			report_row_get(x, inc->rule != NULL ? inc->rule : "-")
			    ->incidents++;
			break;
		case REPORT_BY_DEPT:
			if (inc->lead != NULL)
				report_row_get(x, inc->lead)->incidents++;
			json_array_foreach(inc->support, k, d)
			{
				if (json_string_value(d) != NULL)
					report_row_get(x, json_string_value(d))
					    ->incidents++;
			}
			break;
		}
	}
}

static int
report_scan_cb(void *arg, const char *key, const char *val, size_t len)
{
	struct report_acc *x = arg;

	(void)key;
	if (report_record_decode(&x->rec, val, len) == 0)
		report_record(x, &x->rec);
	else
		x->skipped++;
	return 0;
}

/* Sort t's times (none: no array, which qsort may not be given). */
static void
report_times_sort(struct report_times *t)
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof *t->v, report_cmp_ms);
}

static json_t *
report_ms_or_null(const struct report_times *t, int p)
{
	if (t->n == 0)
		return json_null();
	return json_integer((json_int_t)report_percentile(t->v, t->n, p));
}

/* The JSON of a row (its times sorted here). */
static json_t *
report_row_json(struct report_acc *x, struct report_row *w)
{
	json_t *o;

	report_times_sort(&w->ack);
	report_times_sort(&w->res);
	o = json_pack("{s:I,s:I,s:I,s:I,s:o,s:o,s:I,s:o,s:o,s:I,s:I,s:o,s:I,"
	              "s:I,s:I}",
	    "dispatched", (json_int_t)(w->alerts + w->cases), "alerts",
	    (json_int_t)w->alerts, "cases", (json_int_t)w->cases,
	    "acknowledged", (json_int_t)w->acked, "ack_p50_ms",
	    report_ms_or_null(&w->ack, 50), "ack_p90_ms",
	    report_ms_or_null(&w->ack, 90), "resolved", (json_int_t)w->resolved,
	    "resolve_p50_ms", report_ms_or_null(&w->res, 50), "resolve_p90_ms",
	    report_ms_or_null(&w->res, 90), "due", (json_int_t)w->due,
	    "in_time", (json_int_t)w->in_time, "in_time_share",
	    w->due > 0 ? json_real((double)w->in_time / (double)w->due)
	               : json_null(),
	    "overdue", (json_int_t)w->overdue, "open_overdue",
	    (json_int_t)w->open_overdue, "escalations",
	    (json_int_t)w->escalations);
	json_object_set_new(
	    o, "incidents", json_integer((json_int_t)w->incidents));
	if (w->key != NULL) {
		json_object_set_new(o, "key", json_string(w->key));
		if (x->p->by == REPORT_BY_SUBDISTRICT &&
		    strcmp(w->key, "-") != 0)
			alert_engine_places(x->e, o, w->key);
	}
	return o;
}

/* Most dispatched first, then by key. */
static int
report_cmp_rows(const void *x, const void *y)
{
	const struct report_row *a = *(struct report_row *const *)x;
	const struct report_row *b = *(struct report_row *const *)y;
	size_t na = a->alerts + a->cases, nb = b->alerts + b->cases;

	if (na != nb)
		return na > nb ? -1 : 1;
	return strcmp(a->key, b->key);
}

static void
report_row_free(struct report_row *w)
{
	free(w->key);
	free(w->ack.v);
	free(w->res.v);
}

void
alert_engine_report(struct alert_engine *e, const struct report_params *p,
    const struct alert_actor *who, struct alert_reply *r)
{
	struct report_acc x;
	json_t *rows, *o;
	char *cause = NULL;
	size_t i;

	memset(&x, 0, sizeof x);
	x.e = e;
	x.p = p;
	x.who = who;
	x.scoped = who != NULL && !alert_engine_scope_all(e, who->scope);
	x.to = alert_engine_now(e);
	x.from = x.to - p->since_ms;
	alert_map_init(&x.by_key);
	report_record_init(&x.rec);
	/* The kv is the history: write what memory holds unsaved first. */
	for (i = 0; i < e->nalerts; i++)
		alert_engine_save(e, e->alerts[i]);
	if (alert_kv_scan(e->kv, "alert/", NULL, report_scan_cb, &x, &cause) !=
	    0) {
		alert_reply_error(r, 500, "reading the alerts: %s", cause);
		free(cause);
	} else {
		report_incidents(&x);
		if (x.nrows > 1)
			qsort(x.rows, x.nrows, sizeof *x.rows, report_cmp_rows);
		rows = json_array();
		for (i = 0; i < x.nrows; i++)
			json_array_append_new(
			    rows, report_row_json(&x, x.rows[i]));
		o = json_pack("{s:I,s:I,s:I,s:s,s:o,s:o}", "since_ms",
		    (json_int_t)p->since_ms, "from_ms", (json_int_t)x.from,
		    "to_ms", (json_int_t)x.to, "by", report_by_name(p->by),
		    "rows", rows, "total", report_row_json(&x, &x.total));
		if (x.skipped > 0)
			log_warn("alerts",
			    "report: %zu alert records unreadable", x.skipped);
		alert_reply_set(r, 200, o);
	}
	for (i = 0; i < x.nrows; i++) {
		report_row_free(x.rows[i]);
		free(x.rows[i]);
	}
	free(x.rows);
	report_row_free(&x.total);
	report_record_free(&x.rec);
	alert_map_free(&x.by_key);
}
