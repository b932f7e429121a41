/*
 * Helpers of the alerts module's unit tests that evaluate rules against a
 * real store in a temporary directory (test-alert-eval.c,
 * test-alert-inhibit.c): the store, points, an engine on it, listing.
 */
#ifndef CB_TESTS_ALERT_STORE_UTIL_H
#define CB_TESTS_ALERT_STORE_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert-test-util.h"
#include "hub/alerts/alert-kv-store.h"
#include "store/store.h"

static char dir[64];
static struct store *st;

static inline void
store_setup(void)
{
	struct store_options o;
	char *cause = NULL;

	snprintf(dir, sizeof dir, "/tmp/cb-alert-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	store_options_init(&o);
	o.late_window_ms = 48LL * 3600 * 1000;
	o.retention_raw_ms = 0;
	st = store_open(dir, &o, &cause);
	ck_assert_msg(st != NULL, "store: %s", cause);
}

static inline void
store_reopen(void)
{
	struct store_options o;
	char *cause = NULL;

	store_close(st);
	store_options_init(&o);
	o.late_window_ms = 48LL * 3600 * 1000;
	o.retention_raw_ms = 0;
	st = store_open(dir, &o, &cause);
	ck_assert_msg(st != NULL, "store: %s", cause);
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
	struct alert_engine_opts o;
	struct alert_engine *e;
	char *cause = NULL;

	*kvp = alert_kv_store_create(st);
	memset(&o, 0, sizeof o);
	o.kv = *kvp;
	o.store = st;
	o.clock = test_clock;
	o.rules = alert_rules_parse("rules.json", rules_text,
	    strlen(rules_text), test_dept_check, NULL, &cause);
	ck_assert_msg(o.rules != NULL, "%s", cause);
	test_env(&o.env);
	e = alert_engine_create(&o, &cause);
	ck_assert_msg(e != NULL, "%s", cause);
	return e;
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
