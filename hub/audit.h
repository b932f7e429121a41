/*
 * The audit log: append-only, tamper-evident.  Every state change and
 * operator action becomes one entry: when, who and how they were
 * identified (unix uid or token), from where, what, on which target (and
 * the territory code it concerns, for scope masking), the state before and
 * after.  Each entry carries the SHA-256 of the one before it and its own
 * hash over its canonical JSON (sorted keys, compact) and the previous
 * hash, so editing, removing or reordering entries breaks the chain at the
 * first entry touched; audit_verify() names it.
 *
 * Entries live in an alert_kv under "audit/<20-digit seq>"; "audit-head"
 * holds the last seq and hash, so a truncated tail is detected too.
 * Not thread-safe: one event loop.
 */
#ifndef CB_HUB_AUDIT_H
#define CB_HUB_AUDIT_H

#include <stdint.h>

#include <jansson.h>

struct alert_kv;
struct audit;

/* Who did it.  Strings are borrowed for the call. */
struct audit_actor {
	const char *who;   /* user or token name; "system" for the engine */
	const char *via;   /* "uid", "token", "rule", "event", "timer" */
	long long uid;     /* via uid: the peer's uid; otherwise -1 */
	const char *token; /* via token: the token's name, or NULL */
	const char *from;  /* "unix", "IP:PORT", or "" */
};

/* One entry to append.  json values are borrowed (may be NULL). */
struct audit_rec {
	int64_t at_ms;
	const struct audit_actor *actor;
	const char *action;  /* "alert.ack", "silence.create" */
	const char *target;  /* "A000123", or NULL */
	const char *code;    /* territory code, or NULL */
	json_t *before;      /* state before, or NULL */
	json_t *after;       /* state after, or NULL */
	const char *comment; /* or NULL */
};

/* Open the log kept in kv (borrowed; must outlive the audit).  Returns
 * NULL with *cause set (caller frees) if the head cannot be read. */
struct audit *audit_open(struct alert_kv *kv, char **cause);
void audit_free(struct audit *a);

/* Append an entry; returns its seq (>= 1), or 0 with *cause set. */
uint64_t audit_append(
    struct audit *a, const struct audit_rec *rec, char **cause);

/* The last seq (0 when empty) and its hash (64 hex digits). */
uint64_t audit_head_seq(const struct audit *a);
const char *audit_head_hash(const struct audit *a);

/* Return 1 to keep an entry in audit_read(), 0 to leave it out. */
typedef int (*audit_filter_fn)(void *arg, json_t *entry);

/*
 * Read entries in seq order into out (a JSON array; new references are
 * appended).  since >= 1: entries with seq >= since, at most limit, *next
 * set to the seq after the last one read or 0 at the end of the log.
 * since == 0: the last limit entries that pass the filter (the tail),
 * *next 0.  filter may be NULL.  0, or -1 with *cause set.
 */
int audit_read(struct audit *a, uint64_t since, size_t limit,
    audit_filter_fn filter, void *arg, json_t *out, uint64_t *next,
    char **cause);

struct audit_verify_result {
	int ok;
	uint64_t entries;   /* entries checked */
	uint64_t first_bad; /* seq of the first bad entry (when !ok) */
	char reason[160];
	char head[65]; /* the last good hash */
};

/* Walk the whole chain.  0 (result says ok or which entry is bad), or -1
 * with *cause set when the log could not be read at all. */
int audit_verify(
    struct audit *a, struct audit_verify_result *res, char **cause);

/* SHA-256 of data as 64 lowercase hex digits into out[65]. */
void audit_sha256_hex(const void *data, size_t len, char out[65]);

#endif
