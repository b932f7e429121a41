/* Unit tests for the hub's configuration: hub.json, territory, systems,
 * users and tokens, good files and errors with file:line:col. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/ingest.h"
#include "hub/systems.h"
#include "hub/territory.h"
#include "hub/users.h"
#include "lib/xmalloc.h"

static char tmpdir[256];

static const char *
srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s != NULL ? s : ".";
}

static char *
conf_path(const char *rel)
{
	return xasprintf("%s/conf/%s", srcdir(), rel);
}

/* Write text to a file in tmpdir; returns its path (caller frees). */
static char *
write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test-hub-conf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static const char *small_territory =
    "{\n"
    " \"district\": {\"code\": \"440304000000\", \"name\": \"福田区\"},\n"
    " \"subdistricts\": [{\"code\": \"440304001000\", \"name\": "
    "\"南园街道\"}],\n"
    " \"communities\": [{\"code\": \"440304001001\", \"parent\": "
    "\"440304001000\", \"name\": \"东园社区\"}],\n"
    " \"grids\": [{\"code\": \"440304001001001\", \"parent\": "
    "\"440304001001\", \"name\": \"东园01\"}]\n"
    "}\n";

/* Load a territory text and return the error (caller frees) or NULL. */
static char *
territory_error(const char *text)
{
	struct hub_territory *t;
	char *path = write_tmp("territory.json", text);
	char *cause = NULL;

	t = hub_territory_load(path, &cause);
	free(path);
	if (t != NULL) {
		hub_territory_free(t);
		return NULL;
	}
	ck_assert_ptr_nonnull(cause);
	return cause;
}

static void
assert_error(char *cause, const char *where, const char *what)
{
	ck_assert_msg(cause != NULL, "expected an error with %s", what);
	ck_assert_msg(
	    strstr(cause, where) != NULL, "no \"%s\" in \"%s\"", where, cause);
	ck_assert_msg(
	    strstr(cause, what) != NULL, "no \"%s\" in \"%s\"", what, cause);
	free(cause);
}

START_TEST(test_sample_conf_loads)
{
	struct hub_config *c;
	struct hub_territory *t;
	struct hub_systems *s;
	struct hub_users *u;
	char *cause = NULL, *p = conf_path("hub.json");
	const struct hub_node *n;

	c = hub_config_load(p, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	free(p);
	ck_assert_str_eq(c->listen, "127.0.0.1:8428");
	ck_assert_int_eq(c->socket_mode, 0660);
	ck_assert_int_eq(c->nheadline, 2);
	ck_assert_int_eq(c->headline[1].agg, HUB_AGG_MAX);
	ck_assert(strstr(c->territory, "conf/territory.json") != NULL);
	t = hub_territory_load(c->territory, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	ck_assert_int_eq(t->nnodes, 1 + 2 + 3 + 6);
	n = hub_territory_node(t, "440304010001007");
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(n->name, "新港07");
	ck_assert_int_eq(n->level, HUB_LEVEL_GRID);
	ck_assert_str_eq(t->nodes[n->community].code, "440304010001");
	ck_assert_str_eq(t->nodes[n->subdistrict].code, "440304010000");
	ck_assert_int_eq(t->nodes[0].ngrids, 6);
	ck_assert(
	    hub_territory_code_within(t, "440304001001002", "440304001000"));
	ck_assert(
	    !hub_territory_code_within(t, "440304001001002", "440304010000"));
	ck_assert_int_eq(hub_territory_find(t, "4403040010011", 12), 3);
	ck_assert_int_eq(hub_territory_find(t, "44030400100", 11), -1);
	n = hub_territory_node(t, "440304001001001");
	ck_assert_str_eq(n->police.station, "南园派出所");
	s = hub_systems_load(c->systems, t, &cause);
	ck_assert_msg(s != NULL, "%s", cause);
	ck_assert_int_eq(s->nsystems, 5);
	ck_assert_int_ge(hub_systems_find(s, "water-level-iot", 15), 0);
	ck_assert_int_eq(
	    s->systems[hub_systems_find(s, "water-level-iot", 15)].ngrids, 3);
	ck_assert_int_eq(
	    s->systems[hub_systems_find(s, "air-quality", 11)].ngrids, 6);
	u = hub_users_load(c->users, c->tokens, t, s, &cause);
	ck_assert_msg(u != NULL, "%s", cause);
	ck_assert_int_eq(u->nusers, 3);
	ck_assert_ptr_nonnull(hub_users_by_name(u, "nanyuan-operator", 12345));
	ck_assert_ptr_null(hub_users_by_name(u, "nobody", 12345));
	/* The installed sample holds no usable token (the test tokens live
	 * in tests/integration/tokens.json). */
	ck_assert_int_eq(u->ntokens, 0);
	ck_assert_ptr_null(hub_users_by_token(u, "cbt_sample_collector"));
	hub_users_free(u);
	hub_systems_free(s);
	hub_territory_free(t);
	hub_config_free(c);
}
END_TEST

START_TEST(test_futian_conf_loads)
{
	struct hub_config *c;
	struct hub_territory *t;
	struct hub_systems *s;
	struct hub_users *u;
	char *cause = NULL, *p = conf_path("futian/hub.json");
	size_t i, subs = 0, comms = 0, grids = 0;
	int grid;

	c = hub_config_load(p, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	free(p);
	t = hub_territory_load(c->territory, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	for (i = 0; i < t->nnodes; i++) {
		subs += t->nodes[i].level == HUB_LEVEL_SUBDISTRICT;
		comms += t->nodes[i].level == HUB_LEVEL_COMMUNITY;
		grids += t->nodes[i].level == HUB_LEVEL_GRID;
	}
	ck_assert_int_eq(subs, 10);
	ck_assert_int_eq(comms, 96);
	ck_assert_int_ge(grids, 900);
	ck_assert_int_le(grids, 1100);
	/* The flooded grids of the demo have fictitious buildings. */
	ck_assert_ptr_nonnull(
	    hub_territory_node(t, "440304001003001")->buildings);
	ck_assert_ptr_nonnull(hub_territory_building(t, "FT-003001-01", &grid));
	s = hub_systems_load(c->systems, t, &cause);
	ck_assert_msg(s != NULL, "%s", cause);
	ck_assert_int_ge(s->nsystems, 100);
	u = hub_users_load(c->users, c->tokens, t, s, &cause);
	ck_assert_msg(u != NULL, "%s", cause);
	hub_users_free(u);
	hub_systems_free(s);
	hub_territory_free(t);
	hub_config_free(c);
}
END_TEST

START_TEST(test_territory_errors)
{
	char *e;

	ck_assert_ptr_null(territory_error(small_territory));
	/* unknown parent, at the parent's value */
	e = territory_error(
	    "{\"district\": {\"code\": \"440304000000\", \"name\": \"x\"},\n"
	    " \"subdistricts\": [{\"code\": \"440304001000\", \"name\": "
	    "\"s\"}],\n"
	    " \"communities\": [{\"code\": \"440304001001\",\n"
	    "   \"parent\": \"440304009000\", \"name\": \"c\"}],\n"
	    " \"grids\": []}\n");
	assert_error(e, "territory.json:4:14: ", "unknown parent subdistrict");
	/* duplicate code */
	e = territory_error(
	    "{\"district\": {\"code\": \"440304000000\", \"name\": \"x\"},\n"
	    " \"subdistricts\": [{\"code\": \"440304001000\", \"name\": "
	    "\"s\"},\n"
	    "   {\"code\": \"440304001000\", \"name\": \"t\"}],\n"
	    " \"communities\": [], \"grids\": []}\n");
	assert_error(e, "territory.json:3:13: ", "duplicate code");
	/* bad grid code shape */
	e = territory_error(
	    "{\"district\": {\"code\": \"440304000000\", \"name\": \"x\"},\n"
	    " \"subdistricts\": [{\"code\": \"440304001000\", \"name\": "
	    "\"s\"}],\n"
	    " \"communities\": [{\"code\": \"440304001001\", \"parent\": "
	    "\"440304001000\", \"name\": \"c\"}],\n"
	    " \"grids\": [{\"code\": \"44030400100101\", \"parent\": "
	    "\"440304001001\", \"name\": \"g\"}]}\n");
	assert_error(e, "territory.json:4:21: ", "15 digits");
	/* community not under its subdistrict's prefix */
	e = territory_error(
	    "{\"district\": {\"code\": \"440304000000\", \"name\": \"x\"},\n"
	    " \"subdistricts\": [{\"code\": \"440304001000\", \"name\": "
	    "\"s\"}],\n"
	    " \"communities\": [{\"code\": \"440304002001\", \"parent\": "
	    "\"440304001000\", \"name\": \"c\"}],\n"
	    " \"grids\": []}\n");
	assert_error(e, "territory.json:3:27: ", "first 9 digits");
	/* unknown key */
	e = territory_error(
	    "{\"district\": {\"code\": \"440304000000\", \"name\": \"x\", "
	    "\"nmae\": 1},\n"
	    " \"subdistricts\": [], \"communities\": [], \"grids\": []}\n");
	assert_error(e, "territory.json:1:52: ", "unknown key");
	/* missing required key */
	e = territory_error(
	    "{\"district\": {\"code\": \"440304000000\", \"name\": \"x\"},\n"
	    " \"subdistricts\": [], \"communities\": []}\n");
	assert_error(e, "territory.json:1:1: ", "missing required key");
	/* syntax error */
	e = territory_error("{\"district\": {\"code\": \"4403\",,}}\n");
	assert_error(e, "territory.json:1:", "");
	/* a map cell that is not a subdistrict */
	e = territory_error(
	    "{\"district\": {\"code\": \"440304000000\", \"name\": \"x\"},\n"
	    " \"subdistricts\": [{\"code\": \"440304001000\", \"name\": "
	    "\"s\"}],\n"
	    " \"communities\": [], \"grids\": [],\n"
	    " \"map\": {\"rows\": [[null, \"440304000000\"]]}}\n");
	assert_error(e, "territory.json:4:26: ", "subdistrict code");
}
END_TEST

/* A territory with one grid whose "buildings"/"area" members are extra. */
static char *
field_territory(const char *extra)
{
	return xasprintf(
	    "{\"district\": {\"code\": \"440304000000\", \"name\": \"x\"},\n"
	    " \"subdistricts\": [{\"code\": \"440304001000\", \"name\": "
	    "\"s\"}],\n"
	    " \"communities\": [{\"code\": \"440304001001\", \"parent\": "
	    "\"440304001000\", \"name\": \"c\"}],\n"
	    " \"grids\": [{\"code\": \"440304001001001\", \"parent\": "
	    "\"440304001001\", \"name\": \"g\",\n%s}]}\n",
	    extra);
}

START_TEST(test_territory_buildings)
{
	struct hub_territory *t;
	char *text, *e, *cause = NULL;
	json_t *b;
	int g = -1;

	text = field_territory(
	    "\"area\": {\"polygon\": [[22.5, 114.0], [22.6, 114.0], "
	    "[22.6, 114.1], [22.5, 114.1]]},\n"
	    "\"buildings\": [{\"code\": \"B-1\", \"name\": \"b\", "
	    "\"rooms\": [{\"room\": \"101\"}]}]");
	t = hub_territory_parse("territory.json", text, strlen(text), &cause);
	free(text);
	ck_assert_msg(t != NULL, "%s", cause);
	b = hub_territory_building(t, "B-1", &g);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(t->nodes[g].code, "440304001001001");
	ck_assert_ptr_null(hub_territory_building(t, "B-2", &g));
	ck_assert_int_eq(hub_territory_area_contains(t, g, 22.55, 114.05), 1);
	ck_assert_int_eq(hub_territory_area_contains(t, g, 22.65, 114.05), 0);
	ck_assert_int_eq(hub_territory_area_contains(t, g, 22.55, 114.15), 0);
	ck_assert_int_eq(hub_territory_area_contains(t, 0, 22.55, 114.05), -1);
	hub_territory_free(t);

	text = field_territory(
	    "\"area\": {\"lat\": 22.5, \"lon\": 114.0, \"radius_m\": 100}");
	t = hub_territory_parse("territory.json", text, strlen(text), &cause);
	free(text);
	ck_assert_msg(t != NULL, "%s", cause);
	g = (int)t->nnodes - 1;
	ck_assert_int_eq(hub_territory_area_contains(t, g, 22.5005, 114.0), 1);
	ck_assert_int_eq(hub_territory_area_contains(t, g, 22.502, 114.0), 0);
	hub_territory_free(t);

	text = field_territory("\"buildings\": [{\"code\": \"B-1\", "
	                       "\"name\": \"b\"},\n {\"code\": \"B-1\", "
	                       "\"name\": \"c\"}]");
	e = territory_error(text);
	free(text);
	assert_error(e, "territory.json:6:11: ", "duplicate building code");
	text = field_territory(
	    "\"buildings\": [{\"code\": \"B 1\", \"name\": \"b\"}]");
	e = territory_error(text);
	free(text);
	assert_error(e, "territory.json:5:24: ", "building code must be");
	text = field_territory("\"buildings\": [{\"code\": \"B1\", \"name\": "
	                       "\"b\", \"flats\": []}]");
	e = territory_error(text);
	free(text);
	assert_error(e, "territory.json:5:52: ", "unknown key");
	text = field_territory("\"buildings\": [{\"code\": \"B1\", \"name\": "
	                       "\"b\", \"rooms\": [1]}]");
	e = territory_error(text);
	free(text);
	assert_error(e, "territory.json:5:", "expected an object");
	text = field_territory("\"buildings\": [{\"name\": \"b\"}]");
	e = territory_error(text);
	free(text);
	assert_error(e, "territory.json:5:", "\"code\" is required");
	text = field_territory("\"area\": {\"lat\": 22.5, \"lon\": 114.0}");
	e = territory_error(text);
	free(text);
	assert_error(e, "territory.json:5:", "positive \"radius_m\"");
	text = field_territory("\"area\": {\"polygon\": [[1, 2], [3, 4]]}");
	e = territory_error(text);
	free(text);
	assert_error(e, "territory.json:5:", "at least 3");
}
END_TEST

/* Load systems text over the small territory; the error or NULL. */
static char *
systems_error(const char *text)
{
	struct hub_territory *t;
	struct hub_systems *s;
	char *tp = write_tmp("territory.json", small_territory);
	char *sp = write_tmp("systems.json", text);
	char *cause = NULL;

	t = hub_territory_load(tp, &cause);
	ck_assert_msg(t != NULL, "%s", cause);
	s = hub_systems_load(sp, t, &cause);
	free(tp);
	free(sp);
	hub_territory_free(t);
	if (s != NULL) {
		hub_systems_free(s);
		return NULL;
	}
	return cause;
}

START_TEST(test_systems_errors)
{
	static const char *head =
	    "{\"departments\": [{\"id\": \"water\", \"name\": \"水务局\"}],\n"
	    " \"systems\": [\n";
	char *text;

	text = xasprintf("%s  {\"id\": \"a\", \"name\": \"A\", \"platform\": "
	                 "\"monitoring\", \"dept\": \"water\"}]}\n",
	    head);
	ck_assert_ptr_null(systems_error(text));
	free(text);
	text = xasprintf("%s  {\"id\": \"a\", \"name\": \"A\", \"platform\": "
	                 "\"monitor\", \"dept\": \"water\"}]}\n",
	    head);
	assert_error(systems_error(text),
	    "systems.json:3:40: ", "unknown platform \"monitor\"");
	free(text);
	text = xasprintf("%s  {\"id\": \"a\", \"name\": \"A\", \"platform\": "
	                 "\"service\", \"dept\": \"fire\"}]}\n",
	    head);
	assert_error(
	    systems_error(text), "systems.json:3:", "unknown department");
	free(text);
	text = xasprintf(
	    "%s  {\"id\": \"a\", \"name\": \"A\", \"platform\": "
	    "\"service\", \"dept\": \"water\",\n"
	    "   \"grids\": [\"440304001001001\", \"440304001001009\"]}]}\n",
	    head);
	assert_error(systems_error(text), "systems.json:4:33: ",
	    "unknown territory code \"440304001001009\"");
	free(text);
	text = xasprintf("%s  {\"id\": \"a\", \"name\": \"A\", \"platform\": "
	                 "\"service\", \"dept\": \"water\"},\n"
	                 "  {\"id\": \"a\", \"name\": \"B\", \"platform\": "
	                 "\"service\", \"dept\": \"water\"}]}\n",
	    head);
	assert_error(
	    systems_error(text), "systems.json:4:10: ", "duplicate system id");
	free(text);
	text = xasprintf("%s  {\"id\": \"a\", \"name\": \"A\", \"platform\": "
	                 "\"service\", \"dept\": \"water\", \"interval\": "
	                 "\"5 minutes\"}]}\n",
	    head);
	assert_error(systems_error(text), "systems.json:3:", "duration");
	free(text);
}
END_TEST

/* Load users and tokens texts; the error or NULL. */
static char *
users_error(const char *users, const char *tokens)
{
	struct hub_territory *t;
	struct hub_systems *s;
	struct hub_users *u;
	char *tp = write_tmp("territory.json", small_territory);
	char *sp = write_tmp("systems.json",
	    "{\"departments\": [{\"id\": \"water\", \"name\": \"w\"}],"
	    " \"systems\": [{\"id\": \"water-level-iot\", \"name\": "
	    "\"w\", \"platform\": \"monitoring\", \"dept\": "
	    "\"water\"}]}");
	char *up = write_tmp("users.json", users);
	char *kp = tokens != NULL ? write_tmp("tokens.json", tokens) : NULL;
	char *cause = NULL;

	t = hub_territory_load(tp, &cause);
	s = hub_systems_load(sp, t, &cause);
	ck_assert_msg(s != NULL, "%s", cause);
	u = hub_users_load(up, kp, t, s, &cause);
	free(tp);
	free(sp);
	free(up);
	free(kp);
	hub_systems_free(s);
	hub_territory_free(t);
	if (u != NULL) {
		hub_users_free(u);
		return NULL;
	}
	return cause;
}

START_TEST(test_users_errors)
{
	static const char *good =
	    "{\"users\": [{\"name\": \"op\", \"role\": \"operator\", "
	    "\"scope\": \"440304001000\"}]}\n";
	static const char *hash =
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char *tok;

	ck_assert_ptr_null(users_error(good, NULL));
	assert_error(users_error("{\"users\": [{\"name\": \"op\", \"role\": "
	                         "\"boss\", \"scope\": \"440304001000\"}]}\n",
	                 NULL),
	    "users.json:1:35: ", "unknown role \"boss\"");
	assert_error(users_error("{\"users\": [\n {\"name\": \"op\", \"role\": "
	                         "\"viewer\", \"scope\": \"440304009000\"}]}\n",
	                 NULL),
	    "users.json:2:44: ", "unknown territory code");
	assert_error(users_error("{\"users\": [{\"name\": \"op\", \"role\": "
	                         "\"viewer\", \"scope\": \"440304000000\"},\n"
	                         " {\"name\": \"op\", \"role\": \"viewer\", "
	                         "\"scope\": \"440304000000\"}]}\n",
	                 NULL),
	    "users.json:2:11: ", "duplicate user");
	tok = xasprintf("{\"tokens\": [{\"name\": \"t\", \"sha256\": \"%s\", "
	                "\"systems\": [\"nope\"], \"grids\": [\"*\"]}]}\n",
	    hash);
	assert_error(
	    users_error(good, tok), "tokens.json:1:", "unknown system");
	free(tok);
	tok = xasprintf("{\"tokens\": [{\"name\": \"t\", \"sha256\": \"%s\", "
	                "\"user\": \"nobody\"}]}\n",
	    hash);
	assert_error(users_error(good, tok), "tokens.json:1:", "unknown user");
	free(tok);
	tok = xstrdup("{\"tokens\": [{\"name\": \"t\", \"sha256\": \"abc\", "
	              "\"user\": \"op\"}]}\n");
	assert_error(
	    users_error(good, tok), "tokens.json:1:37: ", "64 hex digits");
	free(tok);
	tok = xasprintf("{\"tokens\": [{\"name\": \"t\", \"sha256\": \"%s\", "
	                "\"systems\": [\"water-level-iot\"]}]}\n",
	    hash);
	assert_error(users_error(good, tok), "tokens.json:1:", "needs");
	free(tok);
}
END_TEST

START_TEST(test_config_errors)
{
	struct hub_config *c;
	char *p, *cause = NULL;

	p = write_tmp("hub.json", "{\"listen\": \"localhost\"}\n");
	ck_assert_ptr_null(hub_config_load(p, &cause));
	assert_error(cause, "hub.json:1:12: ", "host:port");
	free(p);
	p = write_tmp("hub.json", "{\"limits\": {\n  \"max_body\": 12}}\n");
	ck_assert_ptr_null(hub_config_load(p, &cause));
	assert_error(cause, "hub.json:2:15: ", "out of range");
	free(p);
	p = write_tmp("hub.json",
	    "{\"headline\": [{\"name\": \"a\", "
	    "\"metric\": \"m\", \"agg\": \"median\"}]}\n");
	ck_assert_ptr_null(hub_config_load(p, &cause));
	assert_error(cause, "hub.json:1:51: ", "unknown aggregation");
	free(p);
	p = write_tmp("hub.json", "{\"socket_mode\": \"0999\"}\n");
	ck_assert_ptr_null(hub_config_load(p, &cause));
	assert_error(cause, "hub.json:1:", "octal");
	free(p);
	p = write_tmp("hub.json", "{\"lissten\": \"\"}\n");
	ck_assert_ptr_null(hub_config_load(p, &cause));
	assert_error(cause, "hub.json:1:2: ", "unknown key");
	free(p);
	p = write_tmp("hub.json", "{\"listen\": \"\", \"data\": \"d\", "
	                          "\"retention\": {\"raw\": \"2d\"}}\n");
	c = hub_config_load(p, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_str_eq(c->listen, "");
	ck_assert(strstr(c->data, "/d") != NULL);
	ck_assert_int_eq(c->retention_raw_ms, 2 * 86400 * 1000);
	hub_config_free(c);
	free(p);
}
END_TEST

START_TEST(test_parse_time_and_precision)
{
	int64_t now = 1764248721000LL, ms = 0, mul, div;

	ck_assert_int_eq(hub_parse_time("now", now, &ms), 0);
	ck_assert_int_eq(ms, now);
	ck_assert_int_eq(hub_parse_time("-1h", now, &ms), 0);
	ck_assert_int_eq(ms, now - 3600000);
	ck_assert_int_eq(hub_parse_time("now-90s", now, &ms), 0);
	ck_assert_int_eq(ms, now - 90000);
	ck_assert_int_eq(hub_parse_time("now+1m", now, &ms), 0);
	ck_assert_int_eq(ms, now + 60000);
	ck_assert_int_eq(hub_parse_time("1764248709000", now, &ms), 0);
	ck_assert_int_eq(ms, 1764248709000LL);
	ck_assert_int_eq(hub_parse_time("2026-11-27T13:05:09Z", now, &ms), 0);
	ck_assert_int_eq(ms, 1795784709000LL);
	ck_assert_int_eq(
	    hub_parse_time("2026-11-27T13:05:09.25Z", now, &ms), 0);
	ck_assert_int_eq(ms, 1795784709250LL);
	ck_assert_int_eq(hub_parse_time("yesterday", now, &ms), -1);
	ck_assert_int_eq(hub_parse_time("2026-11-27T13:05:09", now, &ms), -1);
	ck_assert_int_eq(hub_parse_time("-soon", now, &ms), -1);
	ck_assert_int_eq(hub_parse_time("", now, &ms), -1);

	ck_assert_int_eq(hub_ingest_precision(NULL, &mul, &div), 0);
	ck_assert(mul == 1 && div == 1000000);
	ck_assert_int_eq(hub_ingest_precision("u", &mul, &div), 0);
	ck_assert(mul == 1 && div == 1000);
	ck_assert_int_eq(hub_ingest_precision("ms", &mul, &div), 0);
	ck_assert(mul == 1 && div == 1);
	ck_assert_int_eq(hub_ingest_precision("s", &mul, &div), 0);
	ck_assert(mul == 1000 && div == 1);
	ck_assert_int_eq(hub_ingest_precision("h", &mul, &div), 0);
	ck_assert(mul == 3600000 && div == 1);
	ck_assert_int_eq(hub_ingest_precision("weeks", &mul, &div), -1);
}
END_TEST

static Suite *
hub_conf_suite(void)
{
	Suite *s = suite_create("hub-conf");
	TCase *tc = tcase_create("conf");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sample_conf_loads);
	tcase_add_test(tc, test_futian_conf_loads);
	tcase_add_test(tc, test_territory_errors);
	tcase_add_test(tc, test_territory_buildings);
	tcase_add_test(tc, test_systems_errors);
	tcase_add_test(tc, test_users_errors);
	tcase_add_test(tc, test_config_errors);
	tcase_add_test(tc, test_parse_time_and_precision);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hub_conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
