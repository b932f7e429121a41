/*
 * Shared fixtures for the alerts module's unit tests: a settable clock, a
 * fake territory (codes shaped like Futian's: district 440304000000,
 * subdistricts 440304SSS000, communities 440304SSSCCC, grids + GGG), a few
 * departments, actors of each role, engine set-up on a memory kv, and a
 * real store in a temporary directory for the tests that evaluate rules
 * (test-alert-eval.c, test-alert-inhibit.c): points, an engine on it,
 * listing.
 */
#ifndef CB_TESTS_ALERT_TEST_UTIL_H
#define CB_TESTS_ALERT_TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/alert-kv-store.h"
#include "hub/alerts/alert-kv.h"
#include "hub/alerts/alert-rules.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define T0  1764248700000LL /* 2025-11-27T13:05:00Z */
#define MIN (60 * 1000LL)

static int64_t test_now = T0;

static inline int64_t
test_clock(void *arg)
{
	(void)arg;
	return test_now;
}

static inline const char *
test_level(const char *code)
{
	size_t n = strlen(code);

	if (n == 15)
		return "grid";
	if (n != 12)
		return NULL;
	if (strcmp(code + 6, "000000") == 0)
		return "district";
	if (strcmp(code + 9, "000") == 0)
		return "subdistrict";
	return "community";
}

static inline void
test_enrich(void *arg, json_t *labels)
{
	const char *g = json_string_value(json_object_get(labels, "grid"));
	const char *c = json_string_value(json_object_get(labels, "community"));
	char buf[16];

	(void)arg;
	if (g != NULL && strlen(g) == 15) {
		memcpy(buf, g, 12);
		buf[12] = '\0';
		json_object_set_new(labels, "community", json_string(buf));
		c = NULL;
		memcpy(buf + 9, "000", 4);
		json_object_set_new(labels, "subdistrict", json_string(buf));
	} else if (c != NULL && strlen(c) == 12) {
		memcpy(buf, c, 9);
		memcpy(buf + 9, "000", 4);
		json_object_set_new(labels, "subdistrict", json_string(buf));
	}
}

static inline char *
test_place(void *arg, const char *code)
{
	(void)arg;
	return xasprintf("P:%s", code);
}

static inline int
test_dept_check(void *arg, const char *d)
{
	static const char *const known[] = {
	    "water", "police", "fire", "emergency", "city", NULL};
	size_t i;

	(void)arg;
	for (i = 0; known[i] != NULL; i++) {
		if (strcmp(known[i], d) == 0)
			return 0;
	}
	return -1;
}

static inline int
test_within(void *arg, const char *code, const char *scope)
{
	const char *lv = test_level(scope);

	(void)arg;
	if (lv == NULL)
		return 0;
	if (strcmp(lv, "district") == 0)
		return strncmp(code, scope, 6) == 0;
	if (strcmp(lv, "subdistrict") == 0)
		return strncmp(code, scope, 9) == 0;
	if (strcmp(lv, "community") == 0)
		return strncmp(code, scope, 12) == 0;
	return strcmp(code, scope) == 0;
}

static inline int
test_code_check(void *arg, const char *label, const char *code)
{
	const char *lv = test_level(code);

	(void)arg;
	if (strstr(code, "999") != NULL) /* unknown codes contain 999 */
		return -1;
	return lv != NULL && strcmp(lv, label) == 0 ? 0 : -1;
}

static inline const char *
test_root(void *arg)
{
	(void)arg;
	return "440304000000";
}

/* Collector tokens in tests may raise events for system fire-iot only. */
static inline int
test_token_may(
    void *arg, const void *token, const char *system, const char *code)
{
	(void)arg;
	(void)token;
	(void)code;
	return system != NULL && strcmp(system, "fire-iot") == 0;
}

static inline void
test_env(struct alert_env *env)
{
	log_set_level(LOG_LVL_ERROR); /* warnings are expected in tests */
	memset(env, 0, sizeof *env);
	env->enrich = test_enrich;
	env->place = test_place;
	env->dept_check = test_dept_check;
	env->within = test_within;
	env->code_check = test_code_check;
	env->root = test_root;
	env->token_may = test_token_may;
}

/* Actors. */
static const struct alert_actor sup_zhang = {"zhangwei", "uid", 1000, NULL,
    NULL, "unix", HUB_ROLE_SUPERVISOR, "440304000000", NULL};
static const struct alert_actor op_lina = {"lina", "uid", 1001, NULL, NULL,
    "unix", HUB_ROLE_OPERATOR, "440304001000", NULL};
static const struct alert_actor op_chen = {"chen", "token", -1, "chen-tok",
    NULL, "10.0.0.5:40000", HUB_ROLE_OPERATOR, "440304001000", NULL};
static const struct alert_actor op_wang = {"wang", "uid", 1002, NULL, NULL,
    "unix", HUB_ROLE_OPERATOR, "440304002001", NULL};
static const struct alert_actor viewer_guo = {"guo", "uid", 1003, NULL, NULL,
    "unix", HUB_ROLE_VIEWER, "440304000000", NULL};
/* Department users (issue 17: a department's part is its users'). */
static const struct alert_actor op_water = {"liu", "uid", 1005, NULL, NULL,
    "unix", HUB_ROLE_OPERATOR, "440304001000", "water"};
static const struct alert_actor op_police = {"sun", "uid", 1006, NULL, NULL,
    "unix", HUB_ROLE_OPERATOR, "440304001000", "police"};
static const int test_token_obj = 1;
static const struct alert_actor collector = {"fire-collector", "token", -1,
    "fire-collector", &test_token_obj, "127.0.0.1:5555", HUB_ROLE_COLLECTOR,
    "440304000000", NULL};

static const char test_rules_text[] =
    "{\"settings\": {\"flap_window\": \"10m\", \"group_min\": 3,\n"
    "  \"ack_within\": {\"high\": \"15m\", \"medium\": \"1h\", \"low\": 0},\n"
    "  \"supervisors_webhook\": \"http://127.0.0.1:1/sup\"},\n"
    " \"departments\": {\"water\": {\"webhook\": \"http://127.0.0.1:1/w\"},\n"
    "   \"fire\": {\"webhook\": \"http://127.0.0.1:1/f\"},\n"
    "   \"police\": {\"webhook\": \"http://127.0.0.1:1/p\"}},\n"
    " \"rules\": []}\n";

/* An engine on kv (and store, may be NULL) with rules_text (NULL: the
 * rules above), timers on base (may be NULL) and clock (NULL: the wall
 * clock). */
static inline struct alert_engine *
test_engine_with(struct alert_kv *kv, const char *rules_text,
    struct event_base *base, struct store *store, int64_t (*clock)(void *))
{
	struct alert_engine_opts o;
	struct alert_engine *e;
	char *cause = NULL;

	if (rules_text == NULL)
		rules_text = test_rules_text;
	memset(&o, 0, sizeof o);
	o.kv = kv;
	o.base = base;
	o.store = store;
	o.clock = clock;
	o.rules = alert_rules_parse("rules.json", rules_text,
	    strlen(rules_text), test_dept_check, NULL, &cause);
	ck_assert_msg(o.rules != NULL, "rules: %s", cause);
	test_env(&o.env);
	e = alert_engine_create(&o, &cause);
	ck_assert_msg(e != NULL, "engine: %s", cause);
	return e;
}

static inline struct alert_engine *
test_engine(
    struct alert_kv *kv, const char *rules_text, struct event_base *base)
{
	return test_engine_with(kv, rules_text, base, NULL, test_clock);
}

/* Reply helpers: check the status, return the body (caller decrefs). */
static inline json_t *
expect_status(struct alert_reply *r, int status, const char *what)
{
	char *s = json_dumps(r->body, JSON_COMPACT);

	ck_assert_msg(r->status == status, "%s: expected %d, got %d %s", what,
	    status, r->status, s != NULL ? s : "");
	free(s);
	return r->body;
}

static inline const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---- a real store (test-alert-eval.c, test-alert-inhibit.c) ---- */

static char dir[64] __attribute__((unused));
static struct store *st __attribute__((unused));

/* Opens the store in dir: points of the last two days, kept for ever. */
static inline void
store_open_dir(void)
{
	struct store_options o;
	char *cause = NULL;

	store_options_init(&o);
	o.late_window_ms = 48LL * 3600 * 1000;
	o.retention_raw_ms = 0;
	st = store_open(dir, &o, &cause);
	ck_assert_msg(st != NULL, "store: %s", cause);
}

static inline void
store_setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/cb-alert-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	store_open_dir();
}

static inline void
store_reopen(void)
{
	store_close(st);
	store_open_dir();
}

static inline void
store_teardown(void)
{
	char *cmd;

	store_close(st);
	cmd = xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static inline void
put(const char *key, int64_t t, double v)
{
	struct store_kpoint p = {key, t, v};
	struct store_write_result res;
	char *cause = NULL;

	ck_assert_msg(
	    store_write_keys(st, &p, 1, &res, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(res.accepted, 1);
}

/* An engine on the store with rules_text; *kvp is its kv. */
static inline struct alert_engine *
store_engine(struct alert_kv **kvp, const char *rules_text)
{
	*kvp = alert_kv_store_create(st);
	return test_engine_with(*kvp, rules_text, NULL, st, test_clock);
}

/* The alerts of a rule in any state, as a JSON list reply. */
static inline json_t *
alerts_of(struct alert_engine *e, const char *rule, const char *state)
{
	struct alert_reply r;
	struct alert_filter f;

	memset(&f, 0, sizeof f);
	f.rule = rule;
	f.state = state != NULL ? state : "all";
	alert_engine_list(e, &f, &sup_zhang, &r);
	ck_assert_int_eq(r.status, 200);
	return r.body;
}

static inline json_t *
only_alert(struct alert_engine *e, const char *rule, const char *state)
{
	json_t *l = alerts_of(e, rule, state), *a;

	ck_assert_msg(json_array_size(json_object_get(l, "alerts")) == 1,
	    "%s: %zu alerts", rule,
	    json_array_size(json_object_get(l, "alerts")));
	a = json_incref(json_array_get(json_object_get(l, "alerts"), 0));
	json_decref(l);
	return a;
}

static inline size_t
count_of(struct alert_engine *e, const char *rule, const char *state)
{
	json_t *l = alerts_of(e, rule, state);
	size_t n = json_array_size(json_object_get(l, "alerts"));

	json_decref(l);
	return n;
}

static inline void
eval_at(struct alert_engine *e, int64_t t)
{
	test_now = t;
	ck_assert_int_eq(alert_engine_eval(e), 0);
}

#endif
