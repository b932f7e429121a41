/* Unit tests for the hub's fail-closed guards: write scopes that fail
 * closed and hold for every territory tag, fields per line, new-series
 * quotas, point times, live values shown only once the store took them,
 * and query scopes that refuse rather than run unscoped. */
#include "config.h"

#include <check.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/ingest-limits.h"
#include "hub/ingest.h"
#include "hub/query-scope.h"
#include "hub/status.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "hub/users.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/selector.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define NANYUAN "440304001000"
#define FUBAO   "440304010000"

static char tmpdir[256];
static struct hub hub;
static int64_t now_ms;
static struct hub_token nanyuan_tok; /* collector, every system, Nanyuan */
static int nanyuan_cover;

static int64_t
test_clock(void *arg)
{
	(void)arg;
	return now_ms;
}

static char *
conf_path(const char *rel)
{
	const char *s = getenv("top_srcdir");

	return xasprintf("%s/conf/%s", s != NULL ? s : ".", rel);
}

static void
setup(void)
{
	struct store_options o;
	char *cause = NULL, *tp = conf_path("territory.json");
	char *sp = conf_path("systems.json"), *up = conf_path("users.json");
	char *kp = conf_path("tokens.json"), *dir;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/test-hub-ingest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	memset(&hub, 0, sizeof hub);
	hub.config = hub_config_default();
	hub.territory = hub_territory_load(tp, &cause);
	ck_assert_msg(hub.territory != NULL, "%s", cause);
	hub.systems = hub_systems_load(sp, hub.territory, &cause);
	ck_assert_msg(hub.systems != NULL, "%s", cause);
	hub.users = hub_users_load(up, kp, hub.territory, hub.systems, &cause);
	ck_assert_msg(hub.users != NULL, "%s", cause);
	store_options_init(&o);
	dir = xasprintf("%s/data", tmpdir);
	hub.store = store_open(dir, &o, &cause);
	ck_assert_msg(hub.store != NULL, "%s", cause);
	hub.status = hub_status_new(hub.territory, hub.systems, hub.config);
	hub.ingest = hub_ingest_new();
	now_ms = clock_wall_ms();
	hub.clock = test_clock;
	memset(&nanyuan_tok, 0, sizeof nanyuan_tok);
	nanyuan_tok.name = (char *)"nanyuan-collector";
	nanyuan_tok.kind = HUB_TOKEN_COLLECTOR;
	nanyuan_tok.all_systems = 1;
	nanyuan_cover = hub_territory_find(hub.territory, NANYUAN, 12);
	nanyuan_tok.cover = &nanyuan_cover;
	nanyuan_tok.ncover = 1;
	free(dir);
	free(tp);
	free(sp);
	free(up);
	free(kp);
}

static void
teardown(void)
{
	char *cmd;

	hub_ingest_stop(&hub);
	hub_ingest_free(hub.ingest);
	if (hub.base != NULL)
		event_base_free(hub.base);
	hub_status_free(hub.status);
	store_close(hub.store);
	hub_users_free(hub.users);
	hub_systems_free(hub.systems);
	hub_territory_free(hub.territory);
	hub_config_free(hub.config);
	cmd = xasprintf("rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static struct hub_identity
user_id(const char *scope)
{
	struct hub_identity id;

	memset(&id, 0, sizeof id);
	id.via = HUB_VIA_UID;
	id.role = HUB_ROLE_OPERATOR;
	id.user = "op";
	id.scope = scope;
	return id;
}

static struct hub_identity
token_id(const struct hub_token *tok)
{
	struct hub_identity id;

	memset(&id, 0, sizeof id);
	id.via = HUB_VIA_TOKEN;
	id.role = HUB_ROLE_COLLECTOR;
	id.user = tok->name;
	id.scope = "440304000000";
	id.token = tok;
	return id;
}

/* Ingest text (precision ms) as id; returns the result (caller frees
 * errors with json_decref). */
static struct hub_ingest_result
ingest(const struct hub_identity *id, const char *text)
{
	struct hub_ingest_result res;

	hub_ingest_body(&hub, id, id->user, text, strlen(text), 1, 1, &res);
	return res;
}

/* The reason of the n-th error, or "". */
static const char *
reason(const struct hub_ingest_result *r, size_t n)
{
	const char *s = json_string_value(
	    json_object_get(json_array_get(r->errors, n), "reason"));

	return s != NULL ? s : "";
}

static long long
series_count(void)
{
	struct store_stats ss;

	ck_assert_int_eq(store_stats_get(hub.store, &ss, NULL), 0);
	return (long long)ss.series;
}

/* A writer whose scope is not in the territory writes nowhere, not even
 * points without a place. */
START_TEST(test_unknown_scope_fails_closed)
{
	struct hub_identity id = user_id("440304999000");
	struct hub_ingest_result r;
	char *text;

	text = xasprintf("x,grid=440304001001001 v=1 %lld\n"
	                 "x v=2 %lld\n",
	    (long long)now_ms, (long long)now_ms);
	r = ingest(&id, text);
	ck_assert_int_eq(r.accepted, 0);
	ck_assert_int_eq(r.rejected, 2);
	ck_assert_ptr_nonnull(strstr(reason(&r, 1), "not in the territory"));
	json_decref(r.errors);
	ck_assert_int_eq(series_count(), 0);
	free(text);
}
END_TEST

/* A bare subdistrict or community tag is checked against the scope, for
 * tokens and for scoped users alike. */
START_TEST(test_every_territory_tag_in_scope)
{
	struct hub_identity ids[2];
	struct hub_ingest_result r;
	char *text;
	size_t i;

	ids[0] = token_id(&nanyuan_tok);
	ids[1] = user_id(NANYUAN);
	text = xasprintf("water,subdistrict=" FUBAO
	                 ",system=water-level-iot rainfall=99 "
	                 "%lld\n"
	                 "water,community=440304010001 rainfall=98 %lld\n"
	                 "water,subdistrict=" NANYUAN " rainfall=1 %lld\n"
	                 "water,community=440304001001 rainfall=2 %lld\n",
	    (long long)now_ms, (long long)now_ms, (long long)now_ms,
	    (long long)now_ms);
	for (i = 0; i < 2; i++) {
		r = ingest(&ids[i], text);
		ck_assert_int_eq(r.rejected, 2);
		ck_assert_int_eq(r.accepted, 2);
		ck_assert_int_eq(json_integer_value(json_object_get(
		                     json_array_get(r.errors, 0), "line")),
		    1);
		ck_assert_int_eq(json_integer_value(json_object_get(
		                     json_array_get(r.errors, 1), "line")),
		    2);
		json_decref(r.errors);
	}
	free(text);
}
END_TEST

/* Territory tags must name nodes of their level and agree. */
START_TEST(test_territory_tags_agree)
{
	struct hub_identity id = token_id(&nanyuan_tok);
	struct hub_ingest_result r;
	char *text;

	text = xasprintf(
	    "w,grid=440304001001001,subdistrict=" FUBAO " v=1 %lld\n"
	    "w,subdistrict=440304999000 v=1 %lld\n"
	    "w,grid=440304001001001,community=440304001001,subdistrict=" NANYUAN
	    " v=1 %lld\n",
	    (long long)now_ms, (long long)now_ms, (long long)now_ms);
	r = ingest(&id, text);
	ck_assert_int_eq(r.rejected, 2);
	ck_assert_int_eq(r.accepted, 1);
	ck_assert_ptr_nonnull(strstr(reason(&r, 0), "is not in subdistrict"));
	ck_assert_ptr_nonnull(strstr(reason(&r, 1), "unknown subdistrict"));
	json_decref(r.errors);
	free(text);
}
END_TEST

/* limits.max_fields_per_line refuses the line before any series is made. */
START_TEST(test_fields_per_line)
{
	struct hub_identity id = token_id(&nanyuan_tok);
	struct hub_ingest_result r;
	struct buf b = BUF_INIT;
	int i;

	hub.config->max_fields_per_line = 10;
	buf_puts(&b, "f,grid=440304001001001 ");
	for (i = 0; i < 11; i++)
		buf_printf(&b, "%sf%d=%d", i > 0 ? "," : "", i, i);
	buf_printf(&b, " %lld\n", (long long)now_ms);
	r = ingest(&id, buf_str(&b));
	ck_assert_int_eq(r.rejected, 1);
	ck_assert_ptr_nonnull(
	    strstr(reason(&r, 0), "11 fields, more than "
	                          "limits.max_fields_per_line"));
	json_decref(r.errors);
	ck_assert_int_eq(series_count(), 0);
	buf_free(&b);
}
END_TEST

/* Body of n lines, each a new series "q<k>" from k = first. */
static char *
new_series_body(int first, int n)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < n; i++)
		buf_printf(&b, "q%d,grid=440304001001001 v=1 %lld\n", first + i,
		    (long long)now_ms);
	return buf_detach(&b);
}

/* New series per request and per writer per minute; existing series are
 * never limited; another writer has its own minute. */
START_TEST(test_new_series_quotas)
{
	struct hub_identity id = token_id(&nanyuan_tok);
	struct hub_identity other = user_id(NANYUAN);
	struct hub_ingest_result r;
	char *text;

	hub.config->max_new_series_per_request = 4;
	hub.config->max_new_series_per_minute = 6;
	/* The quota counts by wall-clock minute: start at the beginning of
	 * one so that the second below cannot cross into the next. */
	now_ms -= now_ms % 60000;
	text = new_series_body(0, 5);
	r = ingest(&id, text);
	ck_assert_int_eq(r.accepted, 4);
	ck_assert_int_eq(r.rejected, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(
	                     json_array_get(r.errors, 0), "line")),
	    5);
	ck_assert_ptr_nonnull(
	    strstr(reason(&r, 0), "limits.max_new_series_per_request"));
	json_decref(r.errors);
	free(text);
	ck_assert_int_eq(series_count(), 4);

	/* The same series again: not new, so not limited. */
	now_ms += 1000;
	text = new_series_body(0, 4);
	r = ingest(&id, text);
	ck_assert_int_eq(r.rejected, 0);
	json_decref(r.errors);
	free(text);

	/* Two more this minute, then the minute's quota is spent. */
	text = new_series_body(10, 3);
	r = ingest(&id, text);
	ck_assert_int_eq(r.accepted, 2);
	ck_assert_ptr_nonnull(
	    strstr(reason(&r, 0), "limits.max_new_series_per_minute"));
	json_decref(r.errors);
	r = ingest(&other, text);
	ck_assert_int_eq(r.rejected, 0); /* its own quota */
	json_decref(r.errors);
	free(text);

	now_ms += 60000;
	text = new_series_body(20, 3);
	r = ingest(&id, text);
	ck_assert_int_eq(r.rejected, 0);
	json_decref(r.errors);
	free(text);
}
END_TEST

/* Point times: limits.future, the raw retention, the epoch; reasons that
 * say why and suggest the precision meant. */
START_TEST(test_point_times)
{
	struct hub_identity id = token_id(&nanyuan_tok);
	struct hub_ingest_result r;
	char *text;
	const char *why;

	text = xasprintf("t,grid=440304001001001 v=1 %lld\n"
	                 "t,grid=440304001001001 v=2 %lld\n"
	                 "t,grid=440304001001001 v=3 0\n"
	                 "t,grid=440304001001001 v=4 %lld\n"
	                 "t2,grid=440304001001001 v=5 %lld\n",
	    (long long)(now_ms + 11 * 60000), (long long)(now_ms + 9 * 60000),
	    (long long)(now_ms - 16LL * 86400000),
	    (long long)(now_ms - 14LL * 86400000));
	r = ingest(&id, text);
	ck_assert_int_eq(r.accepted, 2);
	ck_assert_int_eq(r.rejected, 3);
	why = reason(&r, 0);
	ck_assert_msg(strstr(why, "in the future") != NULL, "%s", why);
	ck_assert_msg(strstr(why, "limits.future 10m") != NULL, "%s", why);
	ck_assert_ptr_nonnull(strstr(reason(&r, 1), "timestamp 0"));
	ck_assert_ptr_nonnull(strstr(reason(&r, 2), "older than the raw"));
	ck_assert_ptr_nonnull(strstr(reason(&r, 2), "retention.raw 15d"));
	json_decref(r.errors);
	free(text);

	/* Seconds read as ms land in 1970; ms read as seconds far ahead. */
	why = NULL;
	{
		char *w = hub_ingest_time_check(
		    hub.config, now_ms, now_ms / 1000, now_ms / 1000, 1, 1);

		ck_assert_ptr_nonnull(w);
		ck_assert_msg(strstr(w, "precision=s") != NULL, "%s", w);
		free(w);
		w = hub_ingest_time_check(hub.config, now_ms, 0, 0, 1, 1);
		ck_assert_ptr_nonnull(w);
		free(w);
	}
	text =
	    xasprintf("t,grid=440304001001001 v=6 %lld\n", (long long)now_ms);
	hub_ingest_body(&hub, &id, "x", text, strlen(text), 1000, 1, &r);
	ck_assert_int_eq(r.rejected, 1);
	why = reason(&r, 0);
	ck_assert_msg(strstr(why, "in the future") != NULL &&
	                  strstr(why, "precision=ms") != NULL,
	    "%s", why);
	json_decref(r.errors);
	free(text);
}
END_TEST

/* A point the store refuses (older than its late window) never becomes
 * the grid's latest value. */
START_TEST(test_shown_only_when_stored)
{
	struct hub_identity id = token_id(&nanyuan_tok);
	struct hub_ingest_result r;
	int node = hub_territory_find(hub.territory, "440304001001001", 15);
	size_t k;
	double v;
	int64_t t0;
	char *text;

	hub_config_free(hub.config);
	{
		char *cause = NULL, *p = conf_path("hub.json");

		hub.config = hub_config_load(p, &cause);
		ck_assert_msg(hub.config != NULL, "%s", cause);
		free(p);
	}
	hub_status_free(hub.status);
	hub.status = hub_status_new(hub.territory, hub.systems, hub.config);
	for (k = 0; k < hub.config->nheadline; k++) {
		if (strcmp(hub.config->headline[k].metric, "water_level") == 0)
			break;
	}
	ck_assert_int_lt(k, hub.config->nheadline);
	text = xasprintf(
	    "water,grid=440304001001001 level=1.5 %lld\n", (long long)now_ms);
	r = ingest(&id, text);
	json_decref(r.errors);
	free(text);
	t0 = now_ms;
	now_ms += 300000;
	/* Refused: older than the raw retention. */
	text = xasprintf("water,grid=440304001001001 level=5.5 %lld\n",
	    (long long)(t0 - 20LL * 86400000));
	r = ingest(&id, text);
	json_decref(r.errors);
	free(text);
	v = hub.status->node_values[(size_t)node * hub.status->nheadline + k];
	ck_assert_msg(v == 1.5, "shown %g, stored 1.5", v);
	ck_assert_int_eq(hub.status->node_last_ms[node], t0);
	/* Stored, but older than the newest point: not the latest value. */
	text = xasprintf("water,grid=440304001001001 level=6.5 %lld\n",
	    (long long)(t0 - 60000));
	r = ingest(&id, text);
	ck_assert_int_eq(r.points, 1);
	json_decref(r.errors);
	free(text);
	v = hub.status->node_values[(size_t)node * hub.status->nheadline + k];
	ck_assert_msg(v == 1.5, "shown %g, newest 1.5", v);
}
END_TEST

/* A query scope that cannot be applied is an error, never an unscoped
 * query. */
START_TEST(test_query_scope_fails_closed)
{
	struct selector *sel = selector_parse_cause("m", NULL);
	char *cause = NULL;

	ck_assert_int_eq(
	    hub_query_scope(hub.territory, "440304999000", &sel, &cause), -1);
	ck_assert_ptr_null(sel);
	ck_assert_ptr_nonnull(strstr(cause, "not in the territory"));
	free(cause);
	cause = NULL;
	sel = selector_parse_cause("m", NULL);
	ck_assert_int_eq(
	    hub_query_scope(hub.territory, NULL, &sel, &cause), -1);
	ck_assert_ptr_null(sel);
	free(cause);
	sel = NULL;
	ck_assert_int_eq(
	    hub_query_scope(hub.territory, "440304000000", &sel, &cause), 0);
	ck_assert_ptr_null(sel); /* the district: nothing to add */
	sel = selector_parse_cause("m", NULL);
	ck_assert_int_eq(
	    hub_query_scope(hub.territory, NANYUAN, &sel, &cause), 0);
	ck_assert_int_eq(sel->n, 1);
	ck_assert_str_eq(sel->m[0].name, "subdistrict");
	selector_free(sel);
}
END_TEST

/* A body with every kind of refusal, measurement prefix p: lines 2, 4, 5
 * (the fourth new series over a quota of 3: refused by the second half,
 * between refusals of the first), 7 and 8 are refused. */
static char *
mixed_body(const char *p)
{
	return xasprintf("%s_a,grid=440304001001001 v=1 %lld\n"
	                 "%s_bad v=\n"
	                 "%s_b,grid=440304001001001 x=1,y=2 %lld\n"
	                 "%s_c,grid=440304999999999 v=1 %lld\n"
	                 "%s_d v=1 %lld\n"
	                 "%s_a,grid=440304001001001 v=2 %lld\n"
	                 "%s_e s=\"text\" %lld\n"
	                 "%s_f v=1 1\n",
	    p, (long long)now_ms, p, p, (long long)now_ms, p, (long long)now_ms,
	    p, (long long)now_ms, p, (long long)now_ms + 1000, p,
	    (long long)now_ms, p);
}

/* text (taken) as a buffer for hub_ingest_submit. */
static struct evbuffer *
text_buffer(char *text)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add(b, text, strlen(text));
	free(text);
	return b;
}

struct worker_done {
	struct hub_ingest_result res;
	int called;
};

static void
worker_done_cb(void *arg, struct hub_ingest_result *res)
{
	struct worker_done *d = arg;

	d->res = *res;
	d->called++;
}

/* Bodies parsed on worker threads get the very answer (counts, errors
 * with their lines and reasons, in order) the loop thread gives, and
 * their points are stored. */
START_TEST(test_workers_same_answer)
{
	struct hub_identity id = user_id("440304000000");
	struct hub_ingest_result sync;
	struct worker_done done[6];
	struct buf m = BUF_INIT;
	char *text, *cause = NULL, pfx[16];
	size_t i, k, ndone;
	int spins;

	hub.config->max_new_series_per_request = 3;
	text = mixed_body("s0"); /* as long as the workers' */
	sync = ingest(&id, text);
	free(text);
	ck_assert_int_eq(sync.accepted, 3);
	ck_assert_int_eq(sync.rejected, 5);
	ck_assert_int_eq(sync.points, 4);
	ck_assert_int_eq(json_array_size(sync.errors), 5);
	ck_assert_ptr_nonnull(strstr(reason(&sync, 2), "new series"));
	ck_assert_int_eq(series_count(), 3);

	hub.base = event_base_new();
	ck_assert_int_eq(hub_ingest_start(&hub, 2, &cause), 0);
	ck_assert_int_eq(hub_ingest_threads(&hub), 2);
	memset(done, 0, sizeof done);
	for (i = 0; i < 6; i++) {
		snprintf(pfx, sizeof pfx, "w%zu", i);
		text = mixed_body(pfx);
		hub_ingest_submit(&hub, &id, "op", text_buffer(text), 1, 1,
		    worker_done_cb, &done[i]);
	}
	/* The loop thread is woken for the second halves. */
	for (spins = 0; spins < 6000; spins++) {
		for (i = 0, ndone = 0; i < 6; i++)
			ndone += (size_t)done[i].called;
		if (ndone == 6)
			break;
		event_base_loop(hub.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
	ck_assert_int_eq(ndone, 6);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(done[i].called, 1);
		ck_assert_int_eq(done[i].res.status, 0);
		ck_assert_int_eq(done[i].res.accepted, sync.accepted);
		ck_assert_int_eq(done[i].res.rejected, sync.rejected);
		ck_assert_int_eq(done[i].res.points, sync.points);
		ck_assert_int_eq(done[i].res.lines, sync.lines);
		ck_assert_int_eq(json_array_size(done[i].res.errors),
		    json_array_size(sync.errors));
		for (k = 0; k < json_array_size(sync.errors); k++)
			ck_assert_msg(
			    json_equal(json_array_get(sync.errors, k),
			        json_array_get(done[i].res.errors, k)),
			    "error %zu differs: %s", k,
			    reason(&done[i].res, k));
		json_decref(done[i].res.errors);
	}
	json_decref(sync.errors);
	ck_assert_int_eq(series_count(), 3 * 7);
	ck_assert_int_eq(hub.stats.points_ingested, 4 * 7);
	hub_ingest_metrics(&hub, &m);
	ck_assert_ptr_nonnull(
	    strstr(buf_str(&m), "\ncitybraind_ingest_threads 2\n"));
	ck_assert_ptr_nonnull(
	    strstr(buf_str(&m), "\ncitybraind_ingest_worker_bodies_total 6\n"));
	buf_free(&m);
}
END_TEST

/* A flush answers every body in flight before it returns (a reload
 * replaces what the workers read only after it). */
START_TEST(test_workers_flush)
{
	struct hub_identity id = user_id("440304000000");
	struct worker_done done[4];
	char *text, *cause = NULL;
	size_t i;

	hub.base = event_base_new();
	ck_assert_int_eq(hub_ingest_start(&hub, 1, &cause), 0);
	memset(done, 0, sizeof done);
	for (i = 0; i < 4; i++) {
		text = xasprintf("flush_%zu,grid=440304001001001 v=1 %lld\n", i,
		    (long long)now_ms);
		hub_ingest_submit(&hub, &id, "op", text_buffer(text), 1, 1,
		    worker_done_cb, &done[i]);
	}
	hub_ingest_reset_all(&hub);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(done[i].called, 1);
		ck_assert_int_eq(done[i].res.points, 1);
		json_decref(done[i].res.errors);
	}
	ck_assert_int_eq(series_count(), 4);
}
END_TEST

static Suite *
hub_ingest_suite(void)
{
	Suite *s = suite_create("hub-ingest");
	TCase *tc = tcase_create("ingest");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_unknown_scope_fails_closed);
	tcase_add_test(tc, test_every_territory_tag_in_scope);
	tcase_add_test(tc, test_territory_tags_agree);
	tcase_add_test(tc, test_fields_per_line);
	tcase_add_test(tc, test_new_series_quotas);
	tcase_add_test(tc, test_point_times);
	tcase_add_test(tc, test_shown_only_when_stored);
	tcase_add_test(tc, test_query_scope_fails_closed);
	tcase_add_test(tc, test_workers_same_answer);
	tcase_add_test(tc, test_workers_flush);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hub_ingest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
