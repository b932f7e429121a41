/* Users and tokens: loading, validation, lookups (see users.h). */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hub/systems.h"
#include "hub/territory.h"
#include "hub/users.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

struct users_top {
	json_t *users;
};

static const struct conf_field users_top_fields[] = {
    {"users", CONF_ARRAY, 1, offsetof(struct users_top, users), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

struct users_raw {
	char *name, *role, *scope, *display, *comment;
	long long uid;
	char *dept;
};

static const struct conf_field users_fields[] = {
    {"name", CONF_STRING, 1, offsetof(struct users_raw, name), 0, 0},
    {"uid", CONF_INT, 0, offsetof(struct users_raw, uid), 0, 2147483647},
    {"role", CONF_STRING, 1, offsetof(struct users_raw, role), 0, 0},
    {"scope", CONF_STRING, 1, offsetof(struct users_raw, scope), 0, 0},
    {"display", CONF_STRING, 0, offsetof(struct users_raw, display), 0, 0},
    {"comment", CONF_STRING, 0, offsetof(struct users_raw, comment), 0, 0},
    {"dept", CONF_STRING, 0, offsetof(struct users_raw, dept), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

struct tokens_top {
	json_t *tokens;
	char *comment;
};

static const struct conf_field tokens_top_fields[] = {
    {"tokens", CONF_ARRAY, 1, offsetof(struct tokens_top, tokens), 0, 0},
    {"comment", CONF_STRING, 0, offsetof(struct tokens_top, comment), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

struct tokens_raw {
	char *name, *sha256, *user, *comment;
	char **systems, **grids;
};

static const struct conf_field tokens_fields[] = {
    {"name", CONF_STRING, 1, offsetof(struct tokens_raw, name), 0, 0},
    {"sha256", CONF_STRING, 1, offsetof(struct tokens_raw, sha256), 0, 0},
    {"user", CONF_STRING, 0, offsetof(struct tokens_raw, user), 0, 0},
    {"systems", CONF_STRARRAY, 0, offsetof(struct tokens_raw, systems), 0, 0},
    {"grids", CONF_STRARRAY, 0, offsetof(struct tokens_raw, grids), 0, 0},
    {"comment", CONF_STRING, 0, offsetof(struct tokens_raw, comment), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

const char *
hub_role_name(enum hub_role role)
{
	static const char *const names[] = {
	    [HUB_ROLE_NONE] = "none",
	    [HUB_ROLE_COLLECTOR] = "collector",
	    [HUB_ROLE_VIEWER] = "viewer",
	    [HUB_ROLE_OPERATOR] = "operator",
	    [HUB_ROLE_SUPERVISOR] = "supervisor",
	    [HUB_ROLE_ADMIN] = "admin",
	};

	return names[role];
}

int
hub_role_parse(const char *s, enum hub_role *role)
{
	int r;

	for (r = HUB_ROLE_VIEWER; r <= HUB_ROLE_ADMIN; r++) {
		if (strcmp(s, hub_role_name((enum hub_role)r)) == 0) {
			*role = (enum hub_role)r;
			return 0;
		}
	}
	return -1;
}

const char *
hub_via_name(enum hub_via via)
{
	static const char *const names[] = {"none", "uid", "token"};

	return names[via];
}

void
hub_sha256_hex(const char *s, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = sizeof md;
	size_t i;

	EVP_Digest(s, len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void
hub_users_free(struct hub_users *u)
{
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < u->nusers; i++) {
		free(u->users[i].name);
		free(u->users[i].scope);
		free(u->users[i].display);
		free(u->users[i].dept);
	}
	for (i = 0; i < u->ntokens; i++) {
		free(u->tokens[i].name);
		free(u->tokens[i].systems);
		free(u->tokens[i].cover);
	}
	free(u->users);
	free(u->tokens);
	free(u);
}

static int
users_read(struct conf_file *cf, struct hub_users *u,
    const struct hub_territory *t, const struct hub_systems *s, char **cause)
{
	struct users_top top;
	struct users_raw r;
	struct hub_user *user;
	enum hub_role role;
	json_t *obj;
	size_t i, j;

	memset(&top, 0, sizeof top);
	if (conf_object_read(
	        cf, conf_file_root(cf), users_top_fields, &top, cause) != 0)
		return -1;
	json_array_foreach(top.users, i, obj)
	{
		memset(&r, 0, sizeof r);
		r.uid = -1;
		if (conf_object_read(cf, obj, users_fields, &r, cause) != 0)
			goto fail;
		if (*r.name == '\0') {
			*cause = conf_error(cf, obj, "name", 0, "empty name");
			goto fail;
		}
		for (j = 0; j < u->nusers; j++) {
			if (strcmp(u->users[j].name, r.name) == 0) {
				*cause = conf_error(cf, obj, "name", 0,
				    "duplicate user \"%s\"", r.name);
				goto fail;
			}
		}
		if (hub_role_parse(r.role, &role) != 0) {
			*cause = conf_error(cf, obj, "role", 0,
			    "unknown role \"%s\" (viewer, operator, "
			    "supervisor, admin)",
			    r.role);
			goto fail;
		}
		if (hub_territory_node(t, r.scope) == NULL) {
			*cause = conf_error(cf, obj, "scope", 0,
			    "unknown territory code \"%s\"", r.scope);
			goto fail;
		}
		if (r.dept != NULL &&
		    (s == NULL || hub_systems_dept(s, r.dept) < 0)) {
			*cause = conf_error(cf, obj, "dept", 0,
			    "unknown department \"%s\" (the departments of "
			    "systems.json)",
			    r.dept);
			goto fail;
		}
		u->users =
		    xreallocarray(u->users, u->nusers + 1, sizeof *u->users);
		user = &u->users[u->nusers++];
		user->name = r.name;
		user->uid = (long)r.uid;
		user->role = role;
		user->scope = r.scope;
		user->display = r.display;
		user->dept = r.dept;
		free(r.role);
		free(r.comment);
	}
	return 0;
fail:
	free(r.name);
	free(r.role);
	free(r.scope);
	free(r.display);
	free(r.comment);
	free(r.dept);
	return -1;
}

static int
tokens_hex_ok(const char *s, unsigned char out[32])
{
	size_t i;

	if (strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	for (i = 0; i < 32; i++) {
		char h[3] = {s[2 * i], s[2 * i + 1], '\0'};

		out[i] = (unsigned char)strtoul(h, NULL, 16);
	}
	return 1;
}

static void
tokens_raw_clear(struct tokens_raw *r)
{
	free(r->name);
	free(r->sha256);
	free(r->user);
	free(r->comment);
	conf_strarray_free(r->systems);
	conf_strarray_free(r->grids);
	memset(r, 0, sizeof *r);
}

static int
tokens_read_one(struct conf_file *cf, struct hub_users *u,
    const struct hub_territory *t, const struct hub_systems *s, json_t *obj,
    char **cause)
{
	struct tokens_raw r;
	struct hub_token tok;
	size_t j;
	int idx;

	memset(&r, 0, sizeof r);
	memset(&tok, 0, sizeof tok);
	if (conf_object_read(cf, obj, tokens_fields, &r, cause) != 0)
		goto fail;
	for (j = 0; j < u->ntokens; j++) {
		if (strcmp(u->tokens[j].name, r.name) == 0) {
			*cause = conf_error(cf, obj, "name", 0,
			    "duplicate token \"%s\"", r.name);
			goto fail;
		}
	}
	if (!tokens_hex_ok(r.sha256, tok.sha256)) {
		*cause = conf_error(cf, obj, "sha256", 0,
		    "expected 64 hex digits (citybraind --hash-token)");
		goto fail;
	}
	if (r.user != NULL) {
		if (r.systems != NULL || r.grids != NULL) {
			*cause = conf_error(cf, obj, "user", 0,
			    "a user token takes no \"systems\" or \"grids\"");
			goto fail;
		}
		for (j = 0; j < u->nusers; j++) {
			if (strcmp(u->users[j].name, r.user) == 0)
				break;
		}
		if (j == u->nusers) {
			*cause = conf_error(
			    cf, obj, "user", 0, "unknown user \"%s\"", r.user);
			goto fail;
		}
		tok.kind = HUB_TOKEN_USER;
		tok.user = (int)j;
	} else {
		if (r.systems == NULL || r.grids == NULL) {
			*cause = conf_error(cf, obj,
			    r.systems == NULL ? "systems" : "grids", 0,
			    "a collector token needs \"systems\" and "
			    "\"grids\" (or \"user\")");
			goto fail;
		}
		tok.kind = HUB_TOKEN_COLLECTOR;
		tok.user = -1;
		for (j = 0; r.systems[j] != NULL; j++) {
			if (strcmp(r.systems[j], "*") == 0) {
				tok.all_systems = 1;
				continue;
			}
			idx = hub_systems_find(
			    s, r.systems[j], strlen(r.systems[j]));
			if (idx < 0) {
				*cause = conf_error(cf,
				    json_object_get(obj, "systems"), NULL, j,
				    "unknown system \"%s\"", r.systems[j]);
				goto fail;
			}
			tok.systems = xreallocarray(
			    tok.systems, tok.nsystems + 1, sizeof *tok.systems);
			tok.systems[tok.nsystems++] = idx;
		}
		for (j = 0; r.grids[j] != NULL; j++) {
			if (strcmp(r.grids[j], "*") == 0) {
				tok.all_grids = 1;
				continue;
			}
			idx = hub_territory_find(
			    t, r.grids[j], strlen(r.grids[j]));
			if (idx < 0) {
				*cause = conf_error(cf,
				    json_object_get(obj, "grids"), NULL, j,
				    "unknown territory code \"%s\"",
				    r.grids[j]);
				goto fail;
			}
			if (idx == 0)
				tok.all_grids = 1;
			tok.cover = xreallocarray(
			    tok.cover, tok.ncover + 1, sizeof *tok.cover);
			tok.cover[tok.ncover++] = idx;
		}
	}
	tok.name = r.name;
	r.name = NULL;
	u->tokens = xreallocarray(u->tokens, u->ntokens + 1, sizeof *u->tokens);
	u->tokens[u->ntokens++] = tok;
	tokens_raw_clear(&r);
	return 0;
fail:
	free(tok.systems);
	free(tok.cover);
	tokens_raw_clear(&r);
	return -1;
}

struct hub_users *
hub_users_load(const char *users_path, const char *tokens_path,
    const struct hub_territory *t, const struct hub_systems *s, char **cause)
{
	struct hub_users *u;
	struct conf_file *cf;
	struct tokens_top top = {0};
	json_t *obj;
	size_t i;

	u = xcalloc(1, sizeof *u);
	if ((cf = conf_file_load(users_path, cause)) == NULL)
		goto fail;
	if (users_read(cf, u, t, s, cause) != 0)
		goto fail;
	conf_file_free(cf);
	cf = NULL;
	if (tokens_path != NULL) {
		if ((cf = conf_file_load(tokens_path, cause)) == NULL)
			goto fail;
		if (conf_object_read(cf, conf_file_root(cf), tokens_top_fields,
		        &top, cause) != 0)
			goto fail;
		json_array_foreach(top.tokens, i, obj)
		{
			if (tokens_read_one(cf, u, t, s, obj, cause) != 0)
				goto fail;
		}
		conf_file_free(cf);
	}
	free(top.comment);
	return u;
fail:
	free(top.comment);
	conf_file_free(cf);
	hub_users_free(u);
	return NULL;
}

const struct hub_user *
hub_users_by_name(const struct hub_users *u, const char *name, uid_t uid)
{
	size_t i;

	for (i = 0; i < u->nusers; i++) {
		if (u->users[i].uid >= 0 && (uid_t)u->users[i].uid == uid)
			return &u->users[i];
	}
	if (name == NULL)
		return NULL;
	for (i = 0; i < u->nusers; i++) {
		if (u->users[i].uid < 0 && strcmp(u->users[i].name, name) == 0)
			return &u->users[i];
	}
	return NULL;
}

const struct hub_token *
hub_users_by_token(const struct hub_users *u, const char *token)
{
	unsigned char md[32];
	unsigned int mdlen = sizeof md;
	size_t i;

	EVP_Digest(token, strlen(token), md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < u->ntokens; i++) {
		if (CRYPTO_memcmp(md, u->tokens[i].sha256, 32) == 0)
			return &u->tokens[i];
	}
	return NULL;
}
