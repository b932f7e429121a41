/* Grid workers' tasks and actions on alerts, and the "assign" action
 * (see alert-worker.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-internal.h"
#include "hub/alerts/alert-worker.h"
#include "lib/xmalloc.h"

#define WORKER_TEXT_MAX 2000 /* bytes of a progress report */

/* The worker an alert is assigned to (its last "assign"), or NULL. */
static const char *
worker_assignee(const struct alert *a)
{
	const char *name = NULL;
	json_t *h;
	size_t i;

	json_array_foreach(a->history, i, h)
	{
		const char *act =
		    json_string_value(json_object_get(h, "action"));

		if (act != NULL && strcmp(act, "assign") == 0)
			name = json_string_value(json_object_get(
			    json_object_get(h, "after"), "worker"));
	}
	return name;
}

/* w's last action on a ("accept", ...), or NULL. */
static const char *
worker_last_action(const struct alert *a, const char *worker)
{
	const char *last = NULL, *act, *who;
	json_t *h;
	size_t i;

	json_array_foreach(a->history, i, h)
	{
		act = json_string_value(json_object_get(h, "action"));
		who = json_string_value(json_object_get(h, "who"));
		if (act != NULL && who != NULL && strcmp(who, worker) == 0 &&
		    strncmp(act, "worker.", 7) == 0)
			last = act + 7;
	}
	return last;
}

static int
worker_in_grids(
    struct alert_engine *e, const struct alert_worker *w, const char *code)
{
	size_t i;

	if (code == NULL)
		return 0;
	for (i = 0; i < w->ngrids; i++) {
		if (strcmp(code, w->grids[i]) == 0 ||
		    (e->env.within != NULL &&
		        e->env.within(e->env.arg, code, w->grids[i])))
			return 1;
	}
	return 0;
}

/* Is active alert a one of w's tasks?  In their grids, and dispatched
 * or assigned to them. */
static int
worker_is_task(
    struct alert_engine *e, const struct alert_worker *w, const struct alert *a)
{
	const char *to;

	if (!alert_state_active(a->state) || a->state == ALERT_PENDING ||
	    !worker_in_grids(e, w, a->code))
		return 0;
	to = worker_assignee(a);
	if (to != NULL)
		return strcmp(to, w->name) == 0;
	return a->ndepts > 0;
}

/* The task object a worker sees: no more than they need. */
static json_t *
worker_task_json(
    struct alert_engine *e, const struct alert_worker *w, struct alert *a)
{
	const char *to = worker_assignee(a), *last;
	char *place = NULL;
	json_t *o, *notes = json_array(), *c;
	size_t i;

	if (e->env.place != NULL)
		place = e->env.place(e->env.arg, a->code);
	json_array_foreach(a->comments, i, c)
	{
		json_array_append_new(
		    notes, json_pack("{s:O*,s:O*,s:O*,s:O*,s:O*}", "at_ms",
		               json_object_get(c, "at_ms"), "who",
		               json_object_get(c, "who"), "action",
		               json_object_get(c, "action"), "text",
		               json_object_get(c, "text"), "photo",
		               json_object_get(c, "photo")));
	}
	o = json_pack("{s:s,s:s,s:s,s:s*,s:s,s:s*,s:I,s:I,s:b,s:o}", "id",
	    a->id, "severity", alert_sev_name(a->severity), "state",
	    alert_state_name(a->state), "message", a->message, "code", a->code,
	    "place", place, "started_ms", (json_int_t)a->started_ms,
	    "deadline_ms", (json_int_t)a->deadline_ms, "assigned",
	    to != NULL && strcmp(to, w->name) == 0, "notes", notes);
	free(place);
	last = worker_last_action(a, w->name);
	json_object_set_new(
	    o, "worker_state", last != NULL ? json_string(last) : json_null());
	json_object_set_new(o, "rev", json_integer((json_int_t)a->rev));
	return o;
}

/* w's tasks, worst first; caller frees the array (alerts borrowed). */
static struct alert **
worker_tasks(struct alert_engine *e, const struct alert_worker *w, size_t *n)
{
	struct alert **v = xcalloc(e->nalerts + 1, sizeof *v);
	size_t i;

	*n = 0;
	for (i = 0; i < e->nalerts; i++) {
		if (worker_is_task(e, w, e->alerts[i]))
			v[(*n)++] = e->alerts[i];
	}
	qsort(v, *n, sizeof *v, alert_cmp_worst_oldest);
	return v;
}

void
alert_engine_worker_tasks(
    struct alert_engine *e, const struct alert_worker *w, struct alert_reply *r)
{
	json_t *arr = json_array();
	struct alert **v;
	size_t i, n;

	v = worker_tasks(e, w, &n);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, worker_task_json(e, w, v[i]));
	free(v);
	alert_reply_set(r, 200, json_pack("{s:o}", "tasks", arr));
}

size_t
alert_engine_worker_count(struct alert_engine *e, const struct alert_worker *w)
{
	size_t n;

	free(worker_tasks(e, w, &n));
	return n;
}

/* The photo objects of a's history, in order (borrowed); NULL-ended,
 * caller frees the array. */
static json_t **
worker_photos(const struct alert *a, size_t *n)
{
	json_t **v = xcalloc(json_array_size(a->history) + 1, sizeof *v);
	json_t *h, *p;
	size_t i;

	*n = 0;
	json_array_foreach(a->history, i, h)
	{
		p = json_object_get(json_object_get(h, "after"), "photo");
		if (json_is_object(p))
			v[(*n)++] = p;
	}
	return v;
}

json_t *
alert_engine_photo(struct alert_engine *e, const char *id, size_t n,
    const struct alert_actor *who, const struct alert_worker *w)
{
	struct alert *a = alert_engine_find(e, id);
	json_t **v, *p = NULL;
	size_t np;

	if (a == NULL)
		return NULL;
	if (who != NULL ? !alert_engine_visible(e, a, who)
	                : w == NULL || !worker_in_grids(e, w, a->code))
		return NULL;
	v = worker_photos(a, &np);
	if (n >= 1 && n <= np)
		p = v[n - 1];
	free(v);
	return p;
}

/* Has client action id already been applied to a? */
static int
worker_seen(const struct alert *a, const char *action_id)
{
	json_t *h;
	size_t i;

	if (action_id == NULL)
		return 0;
	json_array_foreach(a->history, i, h)
	{
		const char *s = json_string_value(
		    json_object_get(json_object_get(h, "after"), "action_id"));

		if (s != NULL && strcmp(s, action_id) == 0)
			return 1;
	}
	return 0;
}

/* History, comment list (when text) and audit of one action; before and
 * after stolen. */
static void
worker_record(struct alert_engine *e, struct alert *a,
    const struct alert_actor *who, const char *action, json_t *before,
    json_t *after, const char *text)
{
	struct audit_actor ac;
	int64_t now = alert_engine_now(e);

	alert_actor_audit(who, &ac);
	json_incref(before);
	json_incref(after);
	alert_history_add(
	    a, now, ac.who, ac.via, ac.from, action, before, after, text);
	if (text != NULL && *text != '\0')
		json_array_append_new(a->comments,
		    json_pack("{s:I,s:s,s:s,s:s,s:O*}", "at_ms",
		        (json_int_t)now, "who", alert_actor_name(who), "action",
		        action, "text", text, "photo",
		        json_object_get(json_object_get(after, "photo"), "n")));
	alert_engine_audit_alert(e, &ac, action, a, before, after, text);
	alert_engine_save(e, a);
}

static const char *const worker_actions[] = {
    "accept", "arrive", "progress", "handled", NULL};

void
alert_engine_worker_act(struct alert_engine *e, const struct alert_worker *w,
    const char *id, const char *action, const char *text, const char *action_id,
    const struct alert_worker_photo *photo, const struct alert_actor *who,
    struct alert_reply *r)
{
	struct alert *a;
	char name[32], *cause = NULL;
	json_t *after;
	size_t i, np;

	for (i = 0; worker_actions[i] != NULL; i++) {
		if (strcmp(worker_actions[i], action) == 0)
			break;
	}
	if (worker_actions[i] == NULL) {
		alert_reply_error(r, 404,
		    "unknown action \"%s\" (accept, arrive, progress, handled)",
		    action);
		return;
	}
	a = alert_engine_find(e, id);
	if (a != NULL && worker_seen(a, action_id) &&
	    worker_in_grids(e, w, a->code)) {
		alert_reply_set(r, 200,
		    json_pack("{s:b,s:o}", "duplicate", 1, "task",
		        worker_task_json(e, w, a)));
		return;
	}
	if (a == NULL || !worker_is_task(e, w, a)) {
		alert_reply_error(r, 404, "no task \"%s\"", id);
		return;
	}
	if (strcmp(action, "progress") == 0 &&
	    (text == NULL || *text == '\0')) {
		alert_reply_error(r, 400, "\"text\" is required for progress");
		return;
	}
	if (text != NULL && strlen(text) > WORKER_TEXT_MAX) {
		alert_reply_error(
		    r, 413, "\"text\": at most %d bytes", WORKER_TEXT_MAX);
		return;
	}
	if (action_id != NULL &&
	    (strlen(action_id) == 0 || strlen(action_id) > 64)) {
		alert_reply_error(r, 400, "\"action_id\": 1 to 64 characters");
		return;
	}
	if (photo != NULL && strcmp(action, "progress") != 0) {
		alert_reply_error(r, 400,
		    "\"photo\": only a progress report carries a photo");
		return;
	}
	if (photo != NULL && photo->save(photo->arg, &cause) != 0) {
		alert_reply_error(r, 500, "storing the photo: %s", cause);
		free(cause);
		return;
	}
	snprintf(name, sizeof name, "worker.%s", action);
	after =
	    json_pack("{s:s,s:s}", "worker", w->name, "worker_state", action);
	if (action_id != NULL)
		json_object_set_new(after, "action_id", json_string(action_id));
	if (photo != NULL) {
		free(worker_photos(a, &np));
		json_object_set_new(after, "photo",
		    json_pack("{s:I,s:s,s:s,s:I}", "n", (json_int_t)(np + 1),
		        "sha256", photo->sha256, "type", photo->type, "bytes",
		        (json_int_t)photo->bytes));
	}
	worker_record(e, a, who, name, NULL, after, text);
	alert_reply_set(r, 200,
	    json_pack("{s:b,s:o}", "duplicate", 0, "task",
	        worker_task_json(e, w, a)));
}

void
alert_action_assign(struct alert_engine *e, struct alert *a, json_t *body,
    const struct alert_actor *who, struct alert_reply *r)
{
	const char *worker = alert_body_str(body, "worker");
	const char *was = worker_assignee(a);
	json_t *before, *after;
	int may;

	if (worker == NULL || *worker == '\0') {
		alert_reply_error(r, 400, "\"worker\" is required");
		return;
	}
	if (!alert_state_active(a->state)) {
		alert_reply_error(r, 409, "%s has ended", a->id);
		return;
	}
	may = e->env.worker_may != NULL
	          ? e->env.worker_may(e->env.arg, worker, a->code)
	          : -1;
	if (may < 0) {
		alert_reply_error(r, 400, "no grid worker \"%s\"", worker);
		return;
	}
	if (may == 0) {
		alert_reply_error(r, 400,
		    "%s (%s) is outside grid worker %s's grids", a->id,
		    a->code != NULL ? a->code : "district-wide", worker);
		return;
	}
	if (was != NULL && strcmp(was, worker) == 0) {
		alert_reply_error(
		    r, 409, "%s is already assigned to %s", a->id, worker);
		return;
	}
	before = json_pack("{s:s?}", "worker", was);
	after = json_pack("{s:s}", "worker", worker);
	worker_record(e, a, who, "assign", before, after,
	    alert_body_str(body, "comment"));
	alert_reply_set(r, 200, NULL);
}
