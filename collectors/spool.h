/*
 * On-disk spool: batches waiting for the hub.
 *
 * A directory of append-only segment files seg-NNNNNNNNNNNNNNNN.spool,
 * each a sequence of records (32-byte header with magic, kind, length,
 * CRC-32 of the payload, point count and creation time, then the
 * payload).  A cursor file names the first record not yet delivered; it is
 * rewritten atomically (rename) at every sync.  Delivery is at least once:
 * after a crash, records after the last synced cursor are sent again.
 *
 * Bounds: total bytes and record age.  When full, the oldest segment is
 * deleted and its undelivered records and points are counted as dropped;
 * never silently.  A torn record at the end of the newest segment (a crash
 * in the middle of a write) is cut off at open; a corrupt record elsewhere
 * ends its segment and is counted.
 *
 * Data survives SIGKILL as soon as spool_append() returns (it is in the
 * kernel); it survives power loss after the next spool_sync().
 */
#ifndef CB_COLLECTOR_SPOOL_H
#define CB_COLLECTOR_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct spool;

struct spool_limits {
	uint64_t max_bytes;     /* whole spool; default 64 MiB */
	uint64_t segment_bytes; /* rotate after this; default max_bytes/8 */
	int64_t max_age_ms;     /* 0: no age limit */
};

struct spool_stats {
	uint64_t bytes; /* on disk */
	uint64_t segments;
	uint64_t records;         /* undelivered */
	uint64_t points;          /* undelivered */
	uint64_t dropped_records; /* deleted undelivered (full or too old) */
	uint64_t dropped_points;
	uint64_t corrupt_records;
	uint64_t appended_records;
	uint64_t appended_points;
	uint64_t cursor_errors; /* failed cursor writes (each retried) */
};

/* Where a peeked record is, to acknowledge exactly that record. */
struct spool_pos {
	uint64_t seg;
	uint64_t off;
};

/* Open (creating) dir; NULL with *cause (caller frees) on error. */
struct spool *spool_open(
    const char *dir, const struct spool_limits *lim, char **cause);
/* Close, syncing first. */
void spool_close(struct spool *sp);

/* Append one record; 0, or -1 with *cause (caller frees). */
int spool_append(struct spool *sp, int kind, const void *data, size_t len,
    uint32_t npoints, int64_t now_ms, char **cause);

/* The oldest undelivered record into out (reset first): 1 found, 0 empty. */
int spool_peek(struct spool *sp, int *kind, struct buf *out, uint32_t *npoints,
    struct spool_pos *pos);
/* Mark the record at pos delivered (a no-op if it was dropped since). */
void spool_ack(struct spool *sp, const struct spool_pos *pos);

/* fsync the open segment and persist the cursor; -1 when the cursor could
 * not be saved (logged; the next call tries again). */
int spool_sync(struct spool *sp);
/* Drop records older than the age limit. */
void spool_expire(struct spool *sp, int64_t now_ms);

void spool_get_stats(const struct spool *sp, struct spool_stats *st);
int spool_empty(const struct spool *sp);

#endif
