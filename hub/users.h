/*
 * Users (users.json: unix user names with a role and a territorial scope)
 * and tokens (tokens.json: SHA-256 hashes of bearer tokens, each naming a
 * user, or a collector with the systems and territory it may write for).
 * Immutable once loaded; SIGHUP builds a new set and swaps.
 */
#ifndef CB_HUB_USERS_H
#define CB_HUB_USERS_H

#include <stddef.h>
#include <sys/types.h>

#include "hub/hub.h"

struct hub_territory;
struct hub_systems;

struct hub_user {
	char *name;
	long uid; /* -1 unless configured by number */
	enum hub_role role;
	char *scope; /* territory code */
	char *display;
	char *dept; /* department id (systems.json), or NULL */
};

enum hub_token_kind {
	HUB_TOKEN_USER,
	HUB_TOKEN_COLLECTOR,
};

struct hub_token {
	char *name;
	unsigned char sha256[32];
	enum hub_token_kind kind;
	int user; /* index into users (HUB_TOKEN_USER) */
	int all_systems;
	int *systems; /* indices into the catalogue */
	size_t nsystems;
	int all_grids;
	int *cover; /* territory node indices */
	size_t ncover;
};

struct hub_users {
	struct hub_user *users;
	size_t nusers;
	struct hub_token *tokens;
	size_t ntokens;
};

/*
 * Load users_path and tokens_path (tokens_path may be NULL), checking
 * scopes against t, users' "dept" against s's departments and token
 * systems against s.  NULL with *cause on
 * error; free with hub_users_free().
 */
struct hub_users *hub_users_load(const char *users_path,
    const char *tokens_path, const struct hub_territory *t,
    const struct hub_systems *s, char **cause);
void hub_users_free(struct hub_users *u);

/* The user of unix name (or configured uid), or NULL. */
const struct hub_user *hub_users_by_name(
    const struct hub_users *u, const char *name, uid_t uid);
/* The token whose hash matches the plaintext token, or NULL (constant
 * time in the token's contents). */
const struct hub_token *hub_users_by_token(
    const struct hub_users *u, const char *token);

/* Hex SHA-256 of s into out (65 bytes). */
void hub_sha256_hex(const char *s, size_t len, char out[65]);

#endif
