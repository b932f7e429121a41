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
 * holds the last seq and hash.  Since whoever can edit the database can
 * also rewrite the head, the chain is anchored outside it:
 *  - the hash is an HMAC-SHA256 keyed with a file kept outside the data
 *    directory (audit_key_load()), so an entry cannot be forged or spliced
 *    with a recomputed hash without the key;
 *  - after every append the head (seq, hash) is written to an anchor file
 *    outside the data directory, so deleting the last entries and
 *    rewriting "audit-head" is detected; an anchor callback also hands the
 *    head to the system log and the supervisors every N entries;
 *  - an entry may carry the hash of the record state its action produced
 *    ("record": {"key", "sha256"}); audit_verify() checks each record's
 *    current state against the latest entry about it.
 * Once verification found the chain broken the anchor file is no longer
 * overwritten, so the evidence survives restarts.
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

/* The record_hash of an action that removed its record. */
#define AUDIT_RECORD_ABSENT "absent"

/* One entry to append.  json values are borrowed (may be NULL). */
struct audit_rec {
	int64_t at_ms;
	const struct audit_actor *actor;
	const char *action;      /* "alert.ack", "silence.create" */
	const char *target;      /* "A000123", or NULL */
	const char *code;        /* territory code, or NULL */
	json_t *before;          /* state before, or NULL */
	json_t *after;           /* state after, or NULL */
	const char *comment;     /* or NULL */
	const char *record_key;  /* kv key of the record changed, or NULL */
	const char *record_hash; /* its state's hash after the action (64
	                            hex digits) or AUDIT_RECORD_ABSENT */
};

/* Called with the head to anchor it outside the database; why is
 * "start", "stop" or "every N entries". */
typedef void (*audit_anchor_fn)(
    void *arg, uint64_t seq, const char *hash, const char *why);
/* The hash of the record at key as it is now: 1 (out filled), 0 when the
 * record does not exist, -1 when it cannot be read. */
typedef int (*audit_record_fn)(void *arg, const char *key, char out[65]);

/* How the log is keyed and anchored.  Strings and the key are copied. */
struct audit_opts {
	const unsigned char *key; /* HMAC key; NULL: plain SHA-256 (tests) */
	size_t key_len;
	const char *anchor_path; /* anchor file, or NULL for none */
	uint64_t anchor_every;   /* call anchor every N entries; 0: never */
	audit_anchor_fn anchor;
	void *anchor_arg;
	audit_record_fn record;
	void *record_arg;
};

/* Read the HMAC key from path (at least 32 bytes of text; surrounding
 * white space is not part of it), creating it with 32 random bytes in hex,
 * mode 0600, when it does not exist.  0 with *key (caller frees) and *len,
 * or -1 with *cause (a key file that exists but cannot be read is an
 * error, never replaced). */
int audit_key_load(
    const char *path, unsigned char **key, size_t *len, char **cause);

/* Open the log kept in kv (borrowed; must outlive the audit), keyed and
 * anchored as o says (NULL: unkeyed, unanchored).  Returns NULL with
 * *cause set (caller frees) if the head or the anchor cannot be read. */
struct audit *audit_open(
    struct alert_kv *kv, const struct audit_opts *o, char **cause);
/* Hand the head to the anchor callback now (why: "start", "stop"). */
void audit_anchor(struct audit *a, const char *why);
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
	uint64_t records;   /* records checked against their latest entry */
	uint64_t first_bad; /* seq of the first bad entry (when !ok) */
	char reason[160];
	char head[65]; /* the last good hash */
};

/* Walk the whole chain: each entry's hash and link, the head, the anchor
 * outside the database, then every record against the latest entry that
 * vouches for it.  0 (result says ok or which entry is bad), or -1 with
 * *cause set when the log could not be read at all.  A broken result also
 * freezes the anchor file (see above). */
int audit_verify(
    struct audit *a, struct audit_verify_result *res, char **cause);

/* Whether entry (as read) carries the hash its content gives under this
 * log's key: 1 yes, 0 no (edited or forged). */
int audit_entry_intact(const struct audit *a, json_t *entry);

/* SHA-256 of data as 64 lowercase hex digits into out[65]. */
void audit_sha256_hex(const void *data, size_t len, char out[65]);

#endif
