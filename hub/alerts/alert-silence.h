/*
 * Silences: matchers over an alert's labels (plus the pseudo-labels rule,
 * severity, dept, code and source) and a time window, with an author, a
 * reason and the author's scope (a silence never reaches outside it).
 * Silenced alerts are still recorded and listed, flagged "silenced"; they
 * are not notified and do not escalate.  A deleted silence is kept,
 * inactive, for the record.
 */
#ifndef CB_HUB_ALERT_SILENCE_H
#define CB_HUB_ALERT_SILENCE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lib/regexp.h"

struct alert;

enum alert_match_op {
	ALERT_MATCH_EQ,
	ALERT_MATCH_NE,
	ALERT_MATCH_RE,
	ALERT_MATCH_NRE,
};

struct alert_matcher {
	char *tag;
	enum alert_match_op op;
	char *value;
	struct regexp *re; /* RE and NRE: the anchored value; owned */
};

struct alert_silence {
	char id[16]; /* "S000004" */
	uint64_t num;
	struct alert_matcher *m;
	size_t n;
	int64_t start_ms, end_ms, created_ms;
	char *author;
	char *reason;
	char *scope; /* author's territory scope, or NULL */
	int deleted;
	char *deleted_by;
	int64_t deleted_ms;
};

/*
 * Build a silence from an API body ({"matchers": [...], "reason": ...,
 * "start", "end" | "duration"}), times relative to now.  Returns NULL with
 * *cause (caller frees) for a bad body.  The caller sets author and scope.
 */
struct alert_silence *alert_silence_from_api(
    uint64_t num, json_t *body, int64_t now, char **cause);
/* From a persistent record (alert_silence_to_json's output). */
struct alert_silence *alert_silence_from_record(json_t *rec, char **cause);
void alert_silence_free(struct alert_silence *s);

/* The API object (also the persistent record); new reference. */
json_t *alert_silence_to_json(const struct alert_silence *s, int64_t now);

/* Is the silence in force at now (not deleted, inside its window)? */
int alert_silence_active(const struct alert_silence *s, int64_t now);

/* Return the value of label name of the thing matched, or NULL. */
typedef const char *(*alert_label_fn)(void *arg, const char *name);

/* Do all matchers accept the labels given by get? (Scope is checked by the
 * caller.) */
int alert_silence_match(
    const struct alert_silence *s, alert_label_fn get, void *arg);

void alert_silence_id_format(uint64_t num, char out[16]);
int alert_silence_id_parse(const char *id, uint64_t *num);

#endif
