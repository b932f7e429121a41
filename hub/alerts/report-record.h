/*
 * What the response report reads of an alert record (the kv's
 * "alert/NNN" values, alert_to_record()'s JSON): a small one-pass JSON
 * reader that keeps only those fields, with no allocation per value, so
 * that a month of records is read in well under a second (jansson builds
 * every object of every history entry: several times slower).
 *
 * Strings are decoded in place in the decoder's own copy of the text and
 * stay valid until the next decode.  Unknown members are skipped; any
 * JSON error, or a field of the wrong type, makes the decode fail.
 * Fuzzed by tests/fuzz/fuzz-report-record.c.
 */
#ifndef CB_HUB_REPORT_RECORD_H
#define CB_HUB_REPORT_RECORD_H

#include <stddef.h>
#include <stdint.h>

/* One history entry: its time, action and what its "after" says of the
 * dispatch (NULL when absent). */
struct report_entry {
	int64_t at_ms;
	const char *action;
	const char *dept;         /* after.dept: the lead after the entry */
	const char *dept_acked;   /* after.dept_acked */
	size_t support, nsupport; /* after.support: [support, +nsupport) of
	                             report_record.supports */
};

struct report_dept {
	const char *dept;
	int lead;
};

struct report_record {
	char *buf; /* the copy strings point into */
	size_t cap;
	const char *source, *state, *code, *rule, *subdistrict;
	int64_t ended_ms, deadline_ms; /* 0 when null */
	struct report_dept *depts;
	size_t ndepts, cdepts;
	struct report_entry *hist;
	size_t nhist, chist;
	const char **supports;
	size_t nsupports, csupports;
};

void report_record_init(struct report_record *r);
void report_record_free(struct report_record *r);
/* Decode text[0..len) into r: 0, or -1 if it is not an alert record. */
int report_record_decode(struct report_record *r, const char *text, size_t len);

#endif
