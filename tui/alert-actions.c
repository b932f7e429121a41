/* Operator actions on alerts: acknowledge, unacknowledge, comment,
 * dispatch, severity, close, silence, assign; each asks what it needs (prompts,
 * confirmations for the destructive ones) and then posts to the hub. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/alert-actions.h"
#include "tui/api.h"
#include "tui/app.h"
#include "tui/depts.h"
#include "tui/screen-incidents.h"

struct alert_action *
alert_action_new(struct app *app)
{
	struct alert_action *c = xcalloc(1, sizeof *c);

	c->app = app;
	return c;
}

void
alert_action_add(struct alert_action *c, const char *id)
{
	c->ids = xreallocarray(c->ids, c->n + 1, sizeof *c->ids);
	c->ids[c->n++] = xstrdup(id);
}

void
alert_action_add_member(
    struct alert_action *c, const char *id, const char *state)
{
	c->members =
	    xreallocarray(c->members, c->nmembers + 1, sizeof *c->members);
	c->member_states = xreallocarray(
	    c->member_states, c->nmembers + 1, sizeof *c->member_states);
	c->members[c->nmembers] = xstrdup(id);
	c->member_states[c->nmembers] = xstrdup(state ? state : "");
	c->nmembers++;
}

static void
alert_action_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
alert_action_free(struct alert_action *c)
{
	if (c == NULL)
		return;
	alert_action_strv_free(c->ids, c->n);
	alert_action_strv_free(c->members, c->nmembers);
	alert_action_strv_free(c->member_states, c->nmembers);
	free(c->text1);
	free(c->text2);
	free(c->state);
	free(c->rule);
	free(c->label_key);
	free(c->label_value);
	free(c);
}

/* "A000123", "3 tagged alerts" or "3 grouped alerts". */
static char *
alert_action_what(const struct alert_action *c)
{
	if (c->n == 1)
		return xstrdup(c->ids[0]);
	return xasprintf("%zu %s%salerts", c->n,
	    c->what_kind ? c->what_kind : "", c->what_kind ? " " : "");
}

/* The pending group question: which action, under which verb. */
struct alert_action_pending {
	struct alert_action *c;
	alert_action_fn *fn;
};

static void
aa_group_chosen(struct app *app, int key, void *arg)
{
	struct alert_action_pending *p = arg;
	struct alert_action *c = p->c;
	size_t i;

	if (key == 'a') {
		alert_action_strv_free(c->ids, c->n);
		c->ids = NULL;
		c->n = 0;
		for (i = 0; i < c->nmembers; i++)
			alert_action_add(c, c->members[i]);
		c->what_kind = "grouped";
		p->fn(c);
	} else if (key == 'o')
		p->fn(c);
	else {
		app_message(app, 0, "cancelled");
		alert_action_free(c);
	}
	free(p);
}

void
alert_action_ask(struct alert_action *c, const char *verb, alert_action_fn *fn)
{
	struct alert_action_pending *p;
	char *q, *legend;

	if (c->nmembers <= 1 || c->n != 1) {
		fn(c);
		return;
	}
	p = xmalloc(sizeof *p);
	p->c = c;
	p->fn = fn;
	q = xasprintf("%s: %s is one of %zu alerts of this group.", verb,
	    c->ids[0], c->nmembers);
	legend = xasprintf("a = all %zu    o = only %s    other key = cancel",
	    c->nmembers, c->ids[0]);
	app_choose(c->app, q, "ao", legend, aa_group_chosen, p);
	free(legend);
	free(q);
}

/* POST body to each alert's action route; frees body and c. */
static void
alert_action_send(
    struct alert_action *c, const char *action, const char *verb, json_t *body)
{
	struct app *app = c->app;
	struct app_batch *batch = NULL;
	size_t i;

	if (c->n > 1) {
		char *all = alert_action_what(c), *bw;

		bw = xasprintf("%s %s", verb, all);
		batch = app_batch_new(app, bw, c->n);
		free(bw);
		free(all);
	}
	for (i = 0; i < c->n; i++) {
		char *id = api_escape(c->ids[i]);
		char *path = xasprintf("/api/v1/alerts/%s/%s", id, action);
		char *what = xasprintf("%s %s", verb, c->ids[i]);

		if (batch != NULL)
			app_batch_action(batch, "POST", path, body, what);
		else
			app_action(app, "POST", path, body, what);
		free(id);
		free(path);
		free(what);
	}
	json_decref(body);
	if (c->sent != NULL)
		c->sent(c->sent_arg);
	alert_action_free(c);
}

static void
aa_ack_expiry(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;
	json_t *body;
	int64_t ms;

	if (text == NULL) {
		alert_action_free(c);
		return;
	}
	if (*text != '\0' && clock_parse_duration(text, &ms) != 0) {
		app_message(
		    app, 1, "\"%s\": expected a duration like 2h", text);
		app_prompt(app,
		    "Expires after (e.g. 30m, 2h; empty: never): ", text,
		    aa_ack_expiry, c);
		return;
	}
	body = json_object();
	if (c->text1 != NULL && *c->text1 != '\0')
		json_object_set_new(body, "comment", json_string(c->text1));
	if (*text != '\0')
		json_object_set_new(body, "expires", json_string(text));
	alert_action_send(c, "ack", "acknowledge", body);
}

static void
aa_ack_comment(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;

	if (text == NULL) {
		alert_action_free(c);
		return;
	}
	c->text1 = xstrdup(text);
	app_prompt(app, "Expires after (e.g. 30m, 2h; empty: never): ", NULL,
	    aa_ack_expiry, c);
}

/* The state of c's one alert (a group member's, or the selected one's);
 * NULL when unknown or c has several. */
static const char *
aa_one_state(const struct alert_action *c)
{
	size_t i;

	if (c->n != 1)
		return NULL;
	for (i = 0; i < c->nmembers; i++) {
		if (strcmp(c->members[i], c->ids[0]) == 0)
			return c->member_states[i];
	}
	return c->state;
}

void
alert_action_ack(struct alert_action *c)
{
	struct app *app = c->app;
	const char *st = aa_one_state(c);
	char *what, *label;

	/* Say so before asking for a comment that cannot be used (a
	 * department's user may still owe its part of an acknowledged
	 * alert: the hub decides, issue 17). */
	if (st != NULL && strcmp(st, "firing") != 0 && *st != '\0' &&
	    !(strcmp(st, "acknowledged") == 0 &&
	        json_string_value(json_object_get(app->who.root, "dept")) !=
	            NULL)) {
		app_message(app, 1, "%s is %s%s", c->ids[0],
		    strcmp(st, "acknowledged") == 0 ? "already acknowledged"
		    : strcmp(st, "pending") == 0    ? "pending (not firing yet)"
		                                    : st,
		    strcmp(st, "acknowledged") == 0
		        ? ""
		        : ": nothing to acknowledge");
		alert_action_free(c);
		return;
	}

	what = alert_action_what(c);
	label = xasprintf("Acknowledge %s - comment: ", what);
	app_prompt(app, label, NULL, aa_ack_comment, c);
	free(label);
	free(what);
}

static void
aa_unack_comment(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;
	json_t *body;

	if (text == NULL) {
		alert_action_free(c);
		return;
	}
	body = json_object();
	if (*text != '\0')
		json_object_set_new(body, "comment", json_string(text));
	alert_action_send(c, "unack", "unacknowledge", body);
}

static void
aa_unack_confirmed(struct app *app, int yes, void *arg)
{
	if (!yes) {
		alert_action_free(arg);
		return;
	}
	app_prompt(app, "Unacknowledge - comment (optional): ", NULL,
	    aa_unack_comment, arg);
}

void
alert_action_unack(struct alert_action *c)
{
	struct app *app = c->app;
	char *what, *q;

	what = alert_action_what(c);
	q = xasprintf("Unacknowledge %s?", what);
	app_confirm(app, q, aa_unack_confirmed, c);
	free(q);
	free(what);
}

static void
aa_comment_text(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;
	json_t *body;

	if (text == NULL || *text == '\0') {
		if (text != NULL)
			app_message(app, 1, "comment: nothing to send");
		alert_action_free(c);
		return;
	}
	body = json_object();
	json_object_set_new(body, "comment", json_string(text));
	alert_action_send(c, "comment", "comment on", body);
}

void
alert_action_comment(struct alert_action *c)
{
	struct app *app = c->app;

	app_prompt(app, "Comment: ", NULL, aa_comment_text, c);
}

static void
aa_dispatch_deadline(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;
	json_t *body, *support;
	char *depts, *tok, *save = NULL;
	int64_t ms;
	int first = 1;

	if (text == NULL) {
		alert_action_free(c);
		return;
	}
	if (*text != '\0' && clock_parse_duration(text, &ms) != 0) {
		app_message(
		    app, 1, "\"%s\": expected a duration like 72h", text);
		app_prompt(app,
		    "Deadline (e.g. 72h; empty: the rule's): ", text,
		    aa_dispatch_deadline, c);
		return;
	}
	body = json_object();
	support = json_array();
	depts = xstrdup(c->text1);
	for (tok = strtok_r(depts, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (first)
			json_object_set_new(body, "dept", json_string(tok));
		else
			json_array_append_new(support, json_string(tok));
		first = 0;
	}
	free(depts);
	if (json_array_size(support) > 0)
		json_object_set_new(body, "support", support);
	else
		json_decref(support);
	if (*text != '\0')
		json_object_set_new(body, "deadline", json_string(text));
	alert_action_send(c, "dispatch", "dispatch", body);
}

#define AA_DISPATCH_LABEL \
	"Dispatch to department (lead, then supporting ones; Tab lists): "

/* The first word of text that is not a department (NULL: none, or the
 * table is not here; the hub checks again); caller frees. */
static char *
aa_dispatch_unknown(struct app *app, const char *text)
{
	char *copy = xstrdup(text), *tok, *save = NULL, *bad = NULL;

	for (tok = strtok_r(copy, ", ", &save); tok != NULL && bad == NULL;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (depts_known(app->depts, tok) == 0)
			bad = xstrdup(tok);
	}
	free(copy);
	return bad;
}

static void aa_dispatch_dept(struct app *app, const char *text, void *arg);

static void
aa_dispatch_ask(struct app *app, struct alert_action *c, const char *text,
    const char *legend)
{
	depts_fetch(app->depts, app);
	app_prompt(app, AA_DISPATCH_LABEL, text, aa_dispatch_dept, c);
	app_prompt_complete(app, depts_complete);
	if (legend != NULL)
		app_prompt_legend(app, legend);
}

static void
aa_dispatch_dept(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;
	char *bad, *why;

	if (text == NULL || strspn(text, ", ") == strlen(text)) {
		if (text != NULL)
			app_message(app, 1, "dispatch: which department?");
		alert_action_free(c);
		return;
	}
	if ((bad = aa_dispatch_unknown(app, text)) != NULL) {
		why = xasprintf(
		    "\"%s\" is not a department (Tab lists them)", bad);
		aa_dispatch_ask(app, c, text, why);
		free(why);
		free(bad);
		return;
	}
	c->text1 = xstrdup(text);
	app_prompt(app, "Deadline (e.g. 72h; empty: the rule's): ", NULL,
	    aa_dispatch_deadline, c);
}

void
alert_action_dispatch(struct alert_action *c)
{
	aa_dispatch_ask(c->app, c, NULL, NULL);
}

static void
aa_close_reason(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;
	json_t *body;

	if (text == NULL || *text == '\0') {
		if (text != NULL)
			app_message(app, 1, "close: a reason is required");
		alert_action_free(c);
		return;
	}
	body = json_object();
	json_object_set_new(body, "reason", json_string(text));
	alert_action_send(c, "close", "close", body);
}

static void
aa_close_confirmed(struct app *app, int yes, void *arg)
{
	if (!yes) {
		alert_action_free(arg);
		return;
	}
	app_prompt(
	    app, "Reason for closing (required): ", NULL, aa_close_reason, arg);
}

void
alert_action_close(struct alert_action *c)
{
	struct app *app = c->app;
	char *what, *q;

	what = alert_action_what(c);
	q = xasprintf("Close %s by hand? It leaves the active list.", what);
	app_confirm(app, q, aa_close_confirmed, c);
	free(q);
	free(what);
}

static void
aa_severity_text(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;
	json_t *body;

	if (text == NULL) {
		alert_action_free(c);
		return;
	}
	if (strcmp(text, "high") != 0 && strcmp(text, "medium") != 0 &&
	    strcmp(text, "low") != 0 && strcmp(text, "info") != 0) {
		app_message(app, 1, "severity: high, medium, low or info");
		alert_action_free(c);
		return;
	}
	body = json_object();
	json_object_set_new(body, "severity", json_string(text));
	alert_action_send(c, "severity", "set severity of", body);
}

void
alert_action_severity(struct alert_action *c)
{
	struct app *app = c->app;

	app_prompt(app, "New severity (high, medium, low, info): ", NULL,
	    aa_severity_text, c);
}

static void
aa_silence_confirmed(struct app *app, int yes, void *arg)
{
	struct alert_action *c = arg;
	json_t *body, *m, *one;

	if (!yes) {
		alert_action_free(c);
		return;
	}
	body = json_object();
	m = json_array();
	if (c->rule != NULL) {
		one = json_object();
		json_object_set_new(one, "tag", json_string("rule"));
		json_object_set_new(one, "op", json_string("="));
		json_object_set_new(one, "value", json_string(c->rule));
		json_array_append_new(m, one);
	}
	if (c->label_key != NULL) {
		one = json_object();
		json_object_set_new(one, "tag", json_string(c->label_key));
		json_object_set_new(one, "op", json_string("="));
		json_object_set_new(one, "value", json_string(c->label_value));
		json_array_append_new(m, one);
	}
	json_object_set_new(body, "matchers", m);
	json_object_set_new(body, "duration", json_string(c->text1));
	json_object_set_new(body, "reason", json_string(c->text2));
	app_action(app, "POST", "/api/v1/silences", body, "silence");
	json_decref(body);
	alert_action_free(c);
}

static void
aa_silence_reason(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;
	char *q;

	if (text == NULL || *text == '\0') {
		if (text != NULL)
			app_message(app, 1, "silence: a reason is required");
		alert_action_free(c);
		return;
	}
	c->text2 = xstrdup(text);
	q = xasprintf("Silence %s%s%s%s%s%s for %s?", c->rule ? "rule " : "",
	    c->rule ? c->rule : "", c->label_key ? " where " : "",
	    c->label_key ? c->label_key : "", c->label_key ? "=" : "",
	    c->label_value ? c->label_value : "", c->text1);
	app_confirm(app, q, aa_silence_confirmed, c);
	free(q);
}

static void
aa_silence_duration(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;
	int64_t ms;

	if (text == NULL) {
		alert_action_free(c);
		return;
	}
	if (clock_parse_duration(text, &ms) != 0) {
		app_message(
		    app, 1, "\"%s\": expected a duration like 2h", text);
		app_prompt(app, "Silence for (e.g. 2h): ", text,
		    aa_silence_duration, c);
		return;
	}
	c->text1 = xstrdup(text);
	app_prompt(app, "Reason for the silence (required): ", NULL,
	    aa_silence_reason, c);
}

void
alert_action_silence(struct alert_action *c)
{
	struct app *app = c->app;

	if (c->n != 1 || (c->rule == NULL && c->label_key == NULL)) {
		app_message(app, 1,
		    "silence: select one alert with a rule "
		    "or a place");
		alert_action_free(c);
		return;
	}
	app_prompt(
	    app, "Silence for (e.g. 2h): ", NULL, aa_silence_duration, c);
}

/* ---- Assign to a grid worker ------------------------------------------ */

/* Does worker record o (GET /api/v1/workers) have grid? */
static int
aa_worker_has_grid(json_t *o, const char *grid)
{
	json_t *g;
	size_t i;

	json_array_foreach(json_object_get(o, "grids"), i, g)
	{
		const char *code =
		    json_string_value(json_object_get(g, "code"));

		if (code != NULL && strcmp(code, grid) == 0)
			return 1;
	}
	return 0;
}

static void
aa_assign_worker(struct app *app, const char *text, void *arg)
{
	struct alert_action *c = arg;
	json_t *body;

	if (text == NULL || *text == '\0') {
		if (text != NULL)
			app_message(app, 1, "assign: which grid worker?");
		alert_action_free(c);
		return;
	}
	body = json_object();
	json_object_set_new(body, "worker", json_string(text));
	alert_action_send(c, "assign", "assign", body);
}

/* The workers came: offer those on duty (enrolled, of the alert's grid
 * when it has one) in the prompt. */
static void
aa_assign_workers(void *arg, struct api_result *res)
{
	struct alert_action *c = arg;
	struct app *app = c->app;
	const char *grid =
	    c->label_key != NULL && strcmp(c->label_key, "grid") == 0
	        ? c->label_value
	        : NULL;
	const char *first = NULL;
	struct buf b = BUF_INIT;
	char *what, *label, **words;
	json_t *o, *list = json_object_get(res->body, "workers");
	size_t i, n = 0;

	if (res->error != NULL) {
		app_message(app, 1, "grid workers: %s", res->error);
		alert_action_free(c);
		return;
	}
	words = xcalloc(json_array_size(list) + 1, sizeof *words);
	json_array_foreach(list, i, o)
	{
		const char *name =
		    json_string_value(json_object_get(o, "name"));
		const char *state =
		    json_string_value(json_object_get(o, "state"));
		const char *display =
		    json_string_value(json_object_get(o, "display"));

		if (name == NULL || state == NULL ||
		    strcmp(state, "enrolled") != 0 ||
		    (grid != NULL && !aa_worker_has_grid(o, grid)))
			continue;
		buf_printf(&b, "%s%s%s%s%s", n > 0 ? ", " : "", name,
		    display != NULL ? " " : "", display != NULL ? display : "",
		    json_is_true(json_object_get(o, "on_site")) ? " on site"
		                                                : "");
		if (n == 0)
			first = name;
		words[n++] = xstrdup(name);
	}
	if (n == 0) {
		app_words_free(words);
		app_message(app, 1, "no grid worker on duty%s%s",
		    grid ? " in " : "", grid ? grid : "");
		buf_free(&b);
		alert_action_free(c);
		return;
	}
	what = alert_action_what(c);
	label =
	    xasprintf("Assign %s to (%s), Tab completes: ", what, buf_str(&b));
	app_prompt(app, label, n == 1 ? first : NULL, aa_assign_worker, c);
	app_prompt_words(app, words);
	app_dirty(app);
	free(label);
	free(what);
	buf_free(&b);
}

void
alert_action_assign(struct alert_action *c)
{
	api_start(
	    c->app->api, "GET", "/api/v1/workers", NULL, aa_assign_workers, c);
}

/* ---- The action keys' table ---------------------------------------------- */

static const struct alert_action_kind alert_action_kinds[] = {
    {.name = "ack", .verb = "Acknowledge", .fn = alert_action_ack},
    {.name = "unack", .verb = "Unacknowledge", .fn = alert_action_unack},
    {.name = "comment", .verb = "Comment", .fn = alert_action_comment},
    {.name = "dispatch", .verb = "Dispatch", .fn = alert_action_dispatch},
    {.name = "close", .verb = "Close", .fn = alert_action_close},
    {.name = "severity",
        .verb = "Change severity",
        .fn = alert_action_severity},
    {.name = "assign", .verb = "Assign", .fn = alert_action_assign},
    {.name = "incident",
        .verb = "Make an incident of",
        .fn = alert_action_incident},
    /* A silence covers the rule in the place: the whole group anyway. */
    {.name = "silence",
        .verb = "Silence",
        .fn = alert_action_silence,
        .whole = 1},
    {.name = NULL},
};

const struct alert_action_kind *
alert_action_of(const char *name)
{
	const struct alert_action_kind *k;

	for (k = alert_action_kinds; k->name != NULL; k++) {
		if (strcmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}

void
alert_action_run(struct alert_action *c, const char *name)
{
	const struct alert_action_kind *k = alert_action_of(name);

	if (c == NULL)
		return;
	if (k == NULL) {
		alert_action_free(c);
		return;
	}
	if (k->whole)
		k->fn(c);
	else
		alert_action_ask(c, k->verb, k->fn);
}

struct alert_action *
alert_action_for(struct app *app, const char *id, const struct model_alert *x)
{
	struct alert_action *c = alert_action_new(app);

	alert_action_add(c, id);
	if (x->state != NULL)
		c->state = xstrdup(x->state);
	if (x->rule != NULL)
		c->rule = xstrdup(x->rule);
	if (x->grid != NULL) {
		c->label_key = xstrdup("grid");
		c->label_value = xstrdup(x->grid);
	} else if (x->system != NULL) {
		c->label_key = xstrdup("system");
		c->label_value = xstrdup(x->system);
	}
	return c;
}
