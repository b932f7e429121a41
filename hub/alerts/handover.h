/*
 * Shift handover (issue 17): the shifts of the command center (rules.json
 * "shifts"), the handover note the outgoing operator signs at the end of
 * a shift and the incoming one acknowledges (docs/alerts.md, "Shift
 * handover").
 *
 *   "shifts": [{"name": "day", "from": "08:00", "to": "20:00",
 *               "tz": "Asia/Shanghai"},
 *              {"name": "night", "from": "20:00", "to": "08:00",
 *               "tz": "Asia/Shanghai"}]
 *
 * Times of day are in the shift's tz, a zone of the system's tz database
 * (/usr/share/zoneinfo, or $TZDIR); default "UTC".  Without "shifts",
 * day 08:00-20:00 and night 20:00-08:00 in UTC.
 */
#ifndef CB_HUB_HANDOVER_H
#define CB_HUB_HANDOVER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct alert_actor;
struct alert_engine;
struct alert_reply;
struct alert_rules;
struct conf_file;

struct alert_shift {
	char *name;
	int from_min, to_min; /* minutes after local midnight */
	char *tz;
};

/* One occurrence of a shift: [from_ms, to_ms). */
struct alert_shift_span {
	const struct alert_shift *shift; /* NULL: outside every shift */
	int64_t from_ms, to_ms;
};

/* Read the "shifts" array arr (borrowed) into rs.  0, or -1 with *cause
 * naming file:line:column. */
int alert_shifts_read(
    struct conf_file *cf, json_t *arr, struct alert_rules *rs, char **cause);
void alert_shifts_free(struct alert_rules *rs);
/* The shift under way at now (*cur; when now lies in no shift, the 12 h
 * before it with shift NULL) and the one after it (*next). */
void alert_shifts_at(const struct alert_rules *rs, int64_t now,
    struct alert_shift_span *cur, struct alert_shift_span *next);
/* The UTC offset of zone tz at t (seconds east), from the tz database's
 * TZif file (0 when it cannot be read).  Thread-safe: no TZ, no
 * localtime (handover-tz.c). */
long alert_tz_offset(const char *tz, int64_t t_ms);
/* The offset at t (seconds since the epoch) of the TZif data p (n
 * bytes): 0 with *off, or -1 when p is not a TZif file. */
int alert_tzif_offset(const unsigned char *p, size_t n, int64_t t, long *off);

/*
 * The handover note for who at the clock's now, inside who's acting scope:
 * the shift and the next, what fired during the shift, what is still open
 * and who holds it, acks expiring before the next shift ends, overdue
 * dispatches, silences ending during the next shift.  New reference.
 */
json_t *alert_engine_handover(
    struct alert_engine *e, const struct alert_actor *who);
/* The same for the shift sp (followed by nx) as seen at now: what the
 * hub builds by itself at a shift's end (handover-draft.c). */
json_t *alert_engine_handover_span(struct alert_engine *e,
    const struct alert_actor *who, const struct alert_shift_span *sp,
    const struct alert_shift_span *nx, int64_t now);

/*
 * Drafts (handover-draft.c): at the end of each shift the hub builds the
 * note of the shift that ended, for the whole district, and keeps it in
 * the kv (handover-draft/<end ms>, id "D" and the end in seconds), audited
 * as handover.draft by system/shift.  The outgoing operator signs it
 * (POST /api/v1/handover {"note", "draft": ID}): the signed note holds the
 * draft's content inside the signer's scope.  Built on the event loop by
 * the alerts' 1 s timer.  At start-up the hub drafts the most recent
 * shift end it missed while it was down (ends before it first ran are
 * not missed), once, with "late": true; the rest of the record is as at
 * a shift's end, the lists as they stand at start-up, what fired cut at
 * the shift's end.
 */
void alert_engine_handover_tick(struct alert_engine *e, int64_t now);
/* The newest draft, its content inside who's acting scope, with
 * "signed_as" the note who's scope signed from it (or null); NULL when
 * there is none.  New reference. */
json_t *alert_engine_handover_draft(
    struct alert_engine *e, const char *id, const struct alert_actor *who);
/* Note that who's scope signed draft id as note signed_id. */
void alert_engine_handover_draft_signed(struct alert_engine *e, const char *id,
    const char *signed_id, const struct alert_actor *who);

/* Sign a note: body {"note": TEXT}; content (stolen) is the note built
 * for who (with what the hub adds, data quality).  201 with the record. */
void alert_engine_handover_sign(struct alert_engine *e, json_t *body,
    json_t *content, const struct alert_actor *who, struct alert_reply *r);
/* The incoming operator acknowledges note id.  200 with the record. */
void alert_engine_handover_ack(struct alert_engine *e, const char *id,
    json_t *body, const struct alert_actor *who, struct alert_reply *r);
/* Signed notes inside who's scope not yet acknowledged, newest first (at
 * most 10), and the newest acknowledged one: {"pending": [...], "last":
 * record|null}.  New reference. */
json_t *alert_engine_handover_pending(
    struct alert_engine *e, const struct alert_actor *who);

/* Signed note id with its content, when inside who's scope; else NULL.
 * New reference. */
json_t *alert_engine_handover_record(
    struct alert_engine *e, const char *id, const struct alert_actor *who);

#endif
