/*
 * Operator actions on one or more alerts.  A struct alert_action names
 * the alerts (ids) and, for a silence, the rule and place of the one
 * alert; each alert_action_*() takes it over, asks the operator what the
 * action needs (comment, expiry, departments, reason; a confirmation for
 * unacknowledge, close and silence) and posts to the hub through
 * app_action().  Cancelling any prompt drops the action.
 */
#ifndef CB_TUI_ALERT_ACTIONS_H
#define CB_TUI_ALERT_ACTIONS_H

#include <stddef.h>

struct app;
struct model_alert;
struct screen;

struct alert_action {
	struct app *app;
	char **ids; /* owned */
	size_t n;
	/* The selected row is a collapsed group: all its members (ids[0]
	 * among them) and their states (owned); see alert_action_ask(). */
	char **members, **member_states;
	size_t nmembers;
	const char *what_kind; /* "tagged", "grouped" (static) or NULL */
	char *text1, *text2;   /* answers so far (owned) */
	char *state; /* the selected alert's state ("firing"), or NULL */
	char *rule, *label_key, *label_value; /* silence matchers (owned) */
	/* Called once the requests are on their way (e.g. to untag). */
	void (*sent)(void *arg);
	void *sent_arg;
};

/* A new, empty action (caller adds ids); freed by the action calls. */
struct alert_action *alert_action_new(struct app *app);
void alert_action_add(struct alert_action *c, const char *id);
void alert_action_free(struct alert_action *c);
/* A new action on the one alert id: x's state, and the rule and place a
 * silence matches (x, perhaps not yet loaded, is only read). */
struct alert_action *alert_action_for(
    struct app *app, const char *id, const struct model_alert *x);
/* Add a member of the selected group (state: "firing", ...). */
void alert_action_add_member(
    struct alert_action *c, const char *id, const char *state);

typedef void alert_action_fn(struct alert_action *c);
/*
 * Run action fn (verb names it: "Acknowledge") on c, first asking, when
 * the selection is a collapsed group of several alerts, whether it
 * applies to all of them or to the selected one only ("all" acts on every
 * member, one request each, so each is audited).  Takes c over.
 */
void alert_action_ask(
    struct alert_action *c, const char *verb, alert_action_fn *fn);

void alert_action_ack(struct alert_action *c);
void alert_action_unack(struct alert_action *c);
void alert_action_comment(struct alert_action *c);
void alert_action_dispatch(struct alert_action *c);
void alert_action_close(struct alert_action *c);
void alert_action_severity(struct alert_action *c);
void alert_action_silence(struct alert_action *c);
/* Assign to a grid worker: offers the workers on duty of the alert's grid
 * (GET /api/v1/workers), posts "assign" (the hub checks the grid). */
void alert_action_assign(struct alert_action *c);

/* ---- The action keys of the alert screens (Alerts, Desk) ------------------
 * One table: the name, the verb alert_action_ask() shows and the action;
 * a screen defines its key functions with ALERT_ACTION_FNS() from its own
 * "targets" (the selected or tagged alerts as a new action, or NULL when
 * there are none, said) and binds them with ALERT_ACTION_BINDINGS(), whose
 * "which" says what the keys act on in the help ("the tagged (or
 * selected) alerts" where the screen tags, else "the selected alert"). */
struct alert_action_kind {
	const char *name; /* "ack" */
	const char *verb; /* "Acknowledge" */
	alert_action_fn *fn;
	int whole; /* acts on the whole group by itself: no asking */
};

/* The action called name, or NULL. */
const struct alert_action_kind *alert_action_of(const char *name);
/* Run the action called name on c (NULL: nothing); takes c over. */
void alert_action_run(struct alert_action *c, const char *name);

#define ALERT_ACTION_FN(pfx, name, targets)                         \
	static void pfx##_##name(struct app *app, struct screen *s) \
	{                                                           \
		(void)app;                                          \
		alert_action_run(targets(s), #name);                \
	}
#define ALERT_ACTION_FNS(pfx, targets)          \
	ALERT_ACTION_FN(pfx, ack, targets)      \
	ALERT_ACTION_FN(pfx, unack, targets)    \
	ALERT_ACTION_FN(pfx, comment, targets)  \
	ALERT_ACTION_FN(pfx, dispatch, targets) \
	ALERT_ACTION_FN(pfx, close, targets)    \
	ALERT_ACTION_FN(pfx, severity, targets) \
	ALERT_ACTION_FN(pfx, assign, targets)   \
	ALERT_ACTION_FN(pfx, incident, targets) \
	ALERT_ACTION_FN(pfx, silence, targets)
#define ALERT_ACTION_BINDINGS(pfx, which)                                      \
	{.key = 'i',                                                           \
	    .keys = "i",                                                       \
	    .help = "make an incident of " which,                              \
	    .fn = pfx##_incident},                                             \
	    {.key = 'a',                                                       \
	        .key2 = KEY_F(7),                                              \
	        .keys = "a F7",                                                \
	        .help = "acknowledge (comment, optional expiry)",              \
	        .fkey = 7,                                                     \
	        .bar = "Ack",                                                  \
	        .fn = pfx##_ack},                                              \
	    {.key = 'U',                                                       \
	        .keys = "U",                                                   \
	        .help = "unacknowledge (confirms)",                            \
	        .fn = pfx##_unack},                                            \
	    {.key = 'c', .keys = "c", .help = "comment", .fn = pfx##_comment}, \
	    {.key = 'd',                                                       \
	        .keys = "d",                                                   \
	        .help = "dispatch to departments (lead, supporting)",          \
	        .fn = pfx##_dispatch},                                         \
	    {.key = 'v',                                                       \
	        .keys = "v",                                                   \
	        .help = "change severity",                                     \
	        .fn = pfx##_severity},                                         \
	    {.key = 'w',                                                       \
	        .keys = "w",                                                   \
	        .help = "assign / reassign to a grid worker on duty",          \
	        .fn = pfx##_assign},                                           \
	    {.key = 'x',                                                       \
	        .key2 = KEY_F(8),                                              \
	        .keys = "x F8",                                                \
	        .help = "close by hand (confirms, asks a reason)",             \
	        .fkey = 8,                                                     \
	        .bar = "Close",                                                \
	        .fn = pfx##_close},                                            \
	{                                                                      \
		.key = 's', .keys = "s",                                       \
		.help = "silence this rule in this place (confirms)",          \
		.fn = pfx##_silence                                            \
	}

#endif
