/* The forwarder's state, shared by hub/remote/forward*.c only. */
#ifndef CB_HUB_REMOTE_FORWARD_INT_H
#define CB_HUB_REMOTE_FORWARD_INT_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "hub/remote/remote.h"
#include "lib/buf.h"

/*
 * Queue records, in the store's queue family (store_queue_*(); stores
 * from before it had them in the metadata, moved at start by fwd_load):
 * key "remote/q/" + big-endian 64-bit sequence number;
 * value (forward-record.c), in host byte order: the enqueue time (int64
 * ms) with bit 63 set, the number of points (u32), then per point the
 * zigzag varints of its series id's and its time's (int64 ms) difference
 * from the previous point's (0 before the first) and its value (double,
 * 8 bytes): about 10 bytes a point.  Records of the first format, still
 * read, have bit 63 clear and FWD_POINT bytes a point: the id (u32), the
 * time and the value.  A target's position, the sequence number it sends
 * next, is "remote/pos/NAME".
 */
#define FWD_QPREFIX   "remote/q/"
#define FWD_QPLEN     (sizeof FWD_QPREFIX - 1)
#define FWD_POSPREFIX "remote/pos/"
#define FWD_POINT     20 /* bytes a point takes in a record */
#define FWD_TICK_MS   200

/* What the queue holds, in memory (the records stay in the store). */
struct fwd_entry {
	uint64_t seq;
	uint32_t bytes, samples;
	int64_t enq_ms;
	char *mem; /* the record's bytes, kept since it was queued; or NULL
	              (read back from the store) */
};
/* Bytes of queued records kept in memory: the newest, so that a target
 * that keeps up never reads its records back from the store. */
#define FWD_MEM_MAX_BYTES (32u << 20)

enum fwd_fail {
	FWD_FAIL_NET,
	FWD_FAIL_429,
	FWD_FAIL_5XX,
	FWD_FAIL_4XX,
	FWD_FAIL_MAX
};
extern const char *const fwd_fail_names[FWD_FAIL_MAX];

/* A point of a queue record, decoded. */
struct fwd_point {
	uint32_t id;
	int64_t ts;
	double v;
};

/* A queue record decoded, its points grouped by shard: shard k's are
 * pts[off[k]..off[k + 1]), in record order (forward-cache.c). */
struct fwd_rec {
	uint64_t seq;
	size_t *off;           /* nshards + 1 */
	struct fwd_point *pts; /* owned */
	size_t bytes;          /* memory it takes */
};

/* The records a target's shards share, decoded once: r[start..end) hold
 * consecutive sequence numbers; dropped once every shard is past them.
 * Owned by the target's shard 0; NULL with one shard. */
struct fwd_group {
	struct fwd_rec *r;
	size_t start, end, cap;
	size_t bytes; /* at most about FWD_GROUP_MAX_BYTES */
	unsigned nshards;
};
#define FWD_GROUP_MAX_BYTES (64u << 20)

/* A series' labels as a target sends them (forward-encode.c): a slot of
 * a shard's open-addressing table by series id. */
struct fwd_lcache {
	uint8_t *pb; /* the labels' protobuf (remote_pb_labels); owned */
	uint32_t id, pblen;
	int state;         /* 0 an empty slot, 1 send, 2 not for the target */
	int64_t used_ms;   /* the last batch with the series */
	uint32_t gen, idx; /* idx: its place among the series of the batch
	                      being encoded, if gen is that batch's */
};

struct fwd_target {
	struct remote_forward *fw;
	const struct remote_target_conf *conf; /* h->config's, never replaced */
	unsigned shard, nshards; /* this shard sends series fwd_shard() picks */
	unsigned nslots; /* the target's slots (max_shards); shards beyond
	                    nshards are idle */
	char *poskey;    /* where its position is saved; owned */
	struct fwd_group *group; /* shared with its other shards; or NULL */
	/* The label cache: lcache[lcap] (a power of two, or 0) with nlcache
	 * series; those idle for queue.label_cache_idle are swept. */
	struct fwd_lcache *lcache;
	size_t nlcache, lcap;
	struct fwd_scratch *scratch; /* fwd_target_encode's, reused */
	int64_t now_ms, swept_ms;    /* the batch being encoded; last sweep */
	uint64_t pos;                /* next sequence number to send */
	uint64_t end;          /* in flight: the one after the batch; 0 idle */
	uint64_t backlog;      /* bytes of records from pos on */
	size_t batch_samples;  /* samples in the request */
	size_t batch_filtered; /* taken off by match or relabel */
	size_t batch_bytes;
	int64_t next_try_ms, backoff_ms;
	uint64_t sent_samples, sent_bytes, retries, dropped, filtered;
	uint64_t failures[FWD_FAIL_MAX];
	int64_t last_ok_ms, last_error_ms; /* 0: never */
	char last_error[CURL_ERROR_SIZE];
	char errbuf[CURL_ERROR_SIZE]; /* the running transfer's */
	struct curl_slist *headers;
	struct buf body;
	/* Resharding (forward-reshard.c), in a target's shard 0 only: the
	 * shards send up to barrier, then become reshard_to shards there. */
	unsigned reshard_to; /* 0: none under way */
	uint64_t barrier;
	int64_t reshard_at_ms;    /* the next decision */
	uint64_t reshard_retries; /* retries at the last decision */
	unsigned calm;            /* decisions in a row without lag */
	uint64_t reshards;        /* done since start */
};

/* Whether t is one of its target's current shards. */
static inline int
fwd_target_active(const struct fwd_target *t)
{
	return t->shard < t->nshards;
}

struct remote_forward {
	struct hub *h;
	struct curlev *ce;
	struct event *tick;
	struct event
	    *kick; /* fwd_kick from the loop, not from curl's callback */
	struct fwd_entry *q; /* q[qstart..qend): the queue, oldest first */
	size_t qstart, qend, qcap;
	size_t memstart;    /* q[qstart..memstart) have no mem */
	uint64_t mem_bytes; /* of the entries' mem */
	uint64_t head;      /* next sequence number to assign */
	/* The record of the batch being written (the store's write hook):
	 * queued in memory once the write succeeded; owned. */
	char *pend;
	size_t pend_len, pend_samples;
	int64_t pend_ms;
	struct fwd_target *t;
	size_t nt;
};

/* The shard of n that sends series id: a series always goes through the
 * same shard, so its samples stay in order. */
static inline unsigned
fwd_shard(uint32_t id, unsigned n)
{
	return n <= 1 ? 0 : (unsigned)((id * 2654435761u) >> 8) % n;
}

/* The record of points (ids, ts, vs)[0..n) queued at now, and its
 * *len (caller frees). */
char *fwd_record_encode(int64_t now, const uint32_t *ids, const int64_t *ts,
    const double *vs, size_t n, size_t *len);
/* A record's enqueue time and *samples (0 for a record too short). */
int64_t fwd_record_head(const char *val, size_t vlen, size_t *samples);
/* A record's points (*np of them, fewer only when it is corrupt; the
 * caller frees them). */
struct fwd_point *fwd_record_points(const char *val, size_t vlen, size_t *np);
/* Queue record seq: its bytes in memory, or read from the store into
 * *own (which the caller frees); NULL when it cannot be read. */
const char *fwd_record_read(
    struct remote_forward *fw, uint64_t seq, size_t *vlen, char **own);
/* Record seq decoded for t: from its group's shared records, or decoded
 * into own (which the caller then frees with fwd_rec_free; a zeroed own
 * may always be freed).  Valid until the next call for t's target. */
const struct fwd_rec *fwd_target_record(
    struct fwd_target *t, uint64_t seq, struct fwd_rec *own);
void fwd_rec_free(struct fwd_rec *r);
void fwd_group_free(struct fwd_group *g);
/* Drop g's cached records (their split is for g->nshards). */
void fwd_group_free_records(struct fwd_group *g);
/* The key t's position is saved under with its target's current shards
 * (caller frees). */
char *fwd_target_poskey(const struct fwd_target *t);
/* Persist t's position (and its target's lowest). */
void fwd_pos_save(struct fwd_target *t);
/* Age in seconds of t's oldest unacknowledged record at now (0: none). */
double fwd_target_lag(struct fwd_target *t, int64_t now);
/* Decide, start and finish the resharding of every target (each tick). */
void fwd_reshard_tick(struct remote_forward *fw, int64_t now);
/* Samples of t's shard in the records [from, to) (read from the store). */
uint64_t fwd_target_samples(struct fwd_target *t, uint64_t from, uint64_t to);
/* Free t's label cache. */
void fwd_target_cache_free(struct fwd_target *t);
/* Drop the series of t's label cache unused since before now minus its
 * target's queue.label_cache_idle (at most every quarter of it). */
void fwd_target_cache_sweep(struct fwd_target *t, int64_t now);
/* Write the queue key of seq into key (FWD_QPLEN + 8 bytes). */
void fwd_qkey(char *key, uint64_t seq);
/* The first entry with a sequence number >= seq, or NULL. */
struct fwd_entry *fwd_entry_find(struct remote_forward *fw, uint64_t seq);
/* Encode records [t->pos, ...) up to the batch size into t->body (what
 * t's match and relabel rules keep); returns the sequence number after
 * the last record taken. */
uint64_t fwd_target_encode(struct fwd_target *t);

#endif
