/* RocksDB setup: column families, options, format marker checks. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/xmalloc.h"
#include "store/store-int.h"

#define FORMAT_KEY    "format"
#define FORMAT_PREFIX "citybrain-store "

static const char *cf_names[STORE_CF_MAX] = {
    [STORE_CF_DEFAULT] = "default",
    [STORE_CF_INDEX] = "index",
    [STORE_CF_CHUNKS] = "chunks",
    [STORE_CF_HEAD] = "head",
    [STORE_CF_BATCHLOG] = "batchlog",
    [STORE_CF_ROLLUP_M] = "rollup_m",
    [STORE_CF_ROLLUP_H] = "rollup_h",
    [STORE_CF_META] = "meta",
    [STORE_CF_QUEUE] = "queue",
};

const char *
store_cf_name(enum store_cf cf)
{
	return cf < STORE_CF_MAX ? cf_names[cf] : "?";
}

/* Whether name is a file RocksDB creates in a database directory. */
static int
rocksdb_file(const char *name)
{
	static const char *prefixes[] = {
	    "LOCK", "IDENTITY", "LOG", "MANIFEST-", "OPTIONS-", "CURRENT"};
	static const char *suffixes[] = {".log", ".sst", ".dbtmp"};
	size_t i, n = strlen(name), k;

	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	}
	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		k = strlen(suffixes[i]);
		if (n > k && strcmp(name + n - k, suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

/* 1 if dir has entries other than . and .. and what an interrupted
 * RocksDB creation leaves, 0 if not, -1 on error. */
static int
dir_nonempty(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int found = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    !rocksdb_file(de->d_name)) {
			found = 1;
			break;
		}
	}
	closedir(d);
	return found;
}

/* Decide whether dir is an existing store (1), a place for a new one (0),
 * or neither (-1 with *cause). */
static int
db_check_dir(struct store *s, char **cause)
{
	struct stat sb;
	char *current;
	int rc, ne;

	if (stat(s->dir, &sb) != 0) {
		if (errno != ENOENT) {
			*cause = xasprintf("%s: %s", s->dir, strerror(errno));
			return -1;
		}
		if (!s->opts.create) {
			*cause = xasprintf("%s: no such store", s->dir);
			return -1;
		}
		if (mkdir(s->dir, 0750) != 0) {
			*cause = xasprintf(
			    "%s: cannot create: %s", s->dir, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!S_ISDIR(sb.st_mode)) {
		*cause = xasprintf("%s: not a directory", s->dir);
		return -1;
	}
	current = xasprintf("%s/CURRENT", s->dir);
	rc = stat(current, &sb);
	free(current);
	if (rc == 0)
		return 1;
	if ((ne = dir_nonempty(s->dir)) < 0) {
		*cause = xasprintf("%s: %s", s->dir, strerror(errno));
		return -1;
	}
	if (ne) {
		*cause = xasprintf("%s: not a citybrain store (the directory "
		                   "has other files and no RocksDB database)",
		    s->dir);
		return -1;
	}
	if (!s->opts.create) {
		*cause = xasprintf("%s: no store in the directory", s->dir);
		return -1;
	}
	return 0;
}

/* Check the column families of an existing database. */
static int
db_check_cfs(struct store *s, char **cause)
{
	char **names, *err = NULL;
	size_t n, i, j;

	names = rocksdb_list_column_families(s->dbopts, s->dir, &n, &err);
	if (err != NULL) {
		*cause =
		    xasprintf("%s: not a citybrain store: %s", s->dir, err);
		free(err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < STORE_CF_MAX; j++) {
			if (strcmp(names[i], cf_names[j]) == 0)
				break;
		}
		if (j == STORE_CF_MAX) {
			*cause = xasprintf(
			    "%s: unknown column family \"%s\" "
			    "(a newer citybrain store, or not one at all)",
			    s->dir, names[i]);
			rocksdb_list_column_families_destroy(names, n);
			return -1;
		}
	}
	rocksdb_list_column_families_destroy(names, n);
	/* Missing families of ours are created at open: a store whose
	 * creation was interrupted is finished then (see store_db_open). */
	return 0;
}

/* Whether every column family is empty. */
static int
db_empty(struct store *s)
{
	int cf, empty = 1;

	for (cf = 0; cf < STORE_CF_MAX && empty; cf++) {
		rocksdb_iterator_t *it;

		it = rocksdb_create_iterator_cf(s->db, s->ro, s->cf[cf]);
		rocksdb_iter_seek_to_first(it);
		if (rocksdb_iter_valid(it))
			empty = 0;
		rocksdb_iter_destroy(it);
	}
	return empty;
}

/*
 * Memory: derived data (chunks, rollups, head records) reaches RocksDB
 * only at checkpoints, in one atomic write, so large memtables buy little
 * write batching; they are kept small (a few MiB per column family, at
 * most two each) to bound the process's RSS (the hub's went from about
 * 130 MiB to about 70 in bench/ingest-bench).  The batch log's memtable
 * holds half a checkpoint's worth of batches: some records reach an SST
 * before the checkpoint's range tombstone drops them, which costs a
 * little write bandwidth, not memory.  All memtables together are capped
 * at DB_MEMTABLES_BYTES: without the cap a checkpoint landing in every
 * family at once took the hub to 64-65 MiB in bench/ingest-bench, with it
 * 59-61 MiB at the same ingest rate (store-bench: ingest and queries
 * unchanged, peak RSS 70 -> 59 MiB).  Past the cap RocksDB flushes the
 * family with the oldest memtable (in 7.8), mostly a small one.  The
 * queue family's memtable (options.queue_memtable_bytes, set when the
 * hub forwards) comes on top of the cap: inside it, a queue written at
 * forwarding's rate (about 10 bytes a point) kept the memtables at the
 * cap and the other families flushed early (ingest-bench forwarding at
 * full rate for 8 s, one run each: 191 SST files made with it inside
 * the cap, 87 on top; bench/README.md "Forwarding").
 */
#define DB_MEMTABLES_BYTES (12 << 20)

/* Write-ahead log files alive at once: a family with a few small writes
 * (meta, index, head) keeps every log since its oldest unflushed write;
 * past this RocksDB flushes it so that they can go (at 512 MiB a hub
 * stopped after ingest held dozens of 5 MB logs). */
#define DB_WAL_BYTES (32 << 20)

/*
 * Write buffer of each file RocksDB writes (the write-ahead log, a
 * flush's or a compaction's table): RocksDB grows it up to 1 MiB by
 * default, and a checkpoint's record of several MiB takes the log's to
 * the full size, next to those of a flush and a compaction running at
 * the same time.  256 KiB took about 2 MiB off the hub's peak RSS in
 * bench/ingest-bench (bench/README.md, "ingest16") for a few more
 * write() calls per MiB.
 */
#define DB_FILE_BUFFER_BYTES (256 << 10)

/*
 * Families read once at open (head, index): zstd over 64 KiB blocks, so
 * that the small values of neighbouring series compress together (at
 * rest, store-bench: head 0.062 -> 0.055 bytes a point, index 0.017 ->
 * 0.008).  Tried and left out: zstd level 9 or 19 (0.01 more off for
 * much more flush and compaction CPU) and a trained zstd dictionary
 * (0.01 more off, but RocksDB buffers each new file's blocks to train
 * it: peak RSS 54 -> 77 MiB).
 */
#define DB_DENSE_BLOCK_BYTES (64 << 10)

/*
 * zstd level of the last level (where nearly all data lies at rest;
 * flushes keep zstd's default, 3).  Level 6 took store-bench at rest
 * from 0.518 to 0.510 bytes a point for a few percent more compaction
 * CPU (sst_dump recompress of a rollup file: 95 -> 101 ms); 9 took
 * 0.003 more for about 30 % more.  Decompression costs the same.
 */
#define DB_ZSTD_LAST_LEVEL 6

static void
db_options_dense(rocksdb_options_t *o, rocksdb_block_based_table_options_t *t)
{
	rocksdb_block_based_options_set_block_size(t, DB_DENSE_BLOCK_BYTES);
	rocksdb_options_set_compression(o, rocksdb_zstd_compression);
}

static void
db_options(struct store *s)
{
	rocksdb_options_t *o;
	int cf;

	s->dbopts = o = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(o, 1);
	rocksdb_options_set_create_missing_column_families(o, 1);
	rocksdb_options_set_max_background_jobs(o, 2);
	rocksdb_options_set_info_log_level(o, 2); /* warnings and up */
	/* RocksDB's info log is mostly its options at each open; the hub
	 * logs what matters.  One file, not three (0.007 bytes a point of
	 * store-bench's directory at rest). */
	rocksdb_options_set_keep_log_file_num(o, 1);
	rocksdb_options_set_max_log_file_size(o, 4 << 20);
	rocksdb_options_set_max_total_wal_size(o, DB_WAL_BYTES);
	/* The head family's memtable is a vector (below), which takes one
	 * writer at a time; the store's writers are two threads whose
	 * writes RocksDB groups, so parallel inserts gained nothing. */
	rocksdb_options_set_allow_concurrent_memtable_write(o, 0);
	rocksdb_options_set_wal_recovery_mode(o, 2); /* point in time */
	rocksdb_options_set_bytes_per_sync(o, 1 << 20);
	rocksdb_options_set_writable_file_max_buffer_size(
	    o, DB_FILE_BUFFER_BYTES);
	/* All memtables together: past this RocksDB flushes the largest. */
	rocksdb_options_set_db_write_buffer_size(
	    o, DB_MEMTABLES_BYTES + s->opts.queue_memtable_bytes);
	s->cache = rocksdb_cache_create_lru(s->opts.cache_bytes);

	for (cf = 0; cf < STORE_CF_MAX; cf++) {
		rocksdb_block_based_table_options_t *t;

		o = s->cfopts[cf] = rocksdb_options_create();
		t = s->bbto[cf] = rocksdb_block_based_options_create();
		rocksdb_block_based_options_set_block_cache(t, s->cache);
		rocksdb_block_based_options_set_format_version(t, 5);
		rocksdb_options_set_level_compaction_dynamic_level_bytes(o, 1);
		rocksdb_options_set_compression(o, rocksdb_lz4_compression);
		rocksdb_options_set_write_buffer_size(o, 2 << 20);
		rocksdb_options_set_max_write_buffer_number(o, 2);
		rocksdb_options_set_target_file_size_base(o, 32 << 20);
		rocksdb_options_set_max_bytes_for_level_base(o, 128 << 20);
		switch (cf) {
		case STORE_CF_CHUNKS:
			/* Prefix [hour][id] with a prefix bloom filter. */
			rocksdb_options_set_prefix_extractor(
			    o, rocksdb_slicetransform_create_fixed_prefix(8));
			rocksdb_block_based_options_set_filter_policy(
			    t, rocksdb_filterpolicy_create_bloom_full(10));
			rocksdb_block_based_options_set_whole_key_filtering(
			    t, 0);
			rocksdb_options_set_memtable_prefix_bloom_size_ratio(
			    o, 0.05);
			rocksdb_options_set_write_buffer_size(o, 4 << 20);
			/* zstd at every level: a flushed file often reaches
			 * the last level by a move that does not rewrite it,
			 * so lz4 there stayed at rest (0.34 bytes a point
			 * against 0.27).  16 KiB blocks: 64 KiB took 0.006
			 * bytes a point off but cost ingest about 10 % of its
			 * CPU (the chunk reads of closing windows). */
			rocksdb_block_based_options_set_block_size(t, 16384);
			rocksdb_options_set_compression(
			    o, rocksdb_zstd_compression);
			/* No filter in the last level, where the data is at
			 * rest: seeks there are for hours that have chunks
			 * (0.003 bytes a point). */
			rocksdb_options_set_optimize_filters_for_hits(o, 1);
			break;
		case STORE_CF_ROLLUP_H:
		case STORE_CF_ROLLUP_M:
			/* Point lookups.  A bloom filter, but not in the last
			 * level: queries look up hours the series have (the
			 * filters were 0.005 bytes a point at rest).  No hash
			 * index in the data blocks (its buckets are bytes
			 * zstd cannot shrink: 0.004).  64 KiB blocks: their
			 * bits are Rice codes that zstd barely shrinks, but
			 * the keys and block heads between them compress
			 * better over more (store-bench at rest 0.608 -> 0.603
			 * bytes a point; queries read whole hours of
			 * neighbouring series). */
			rocksdb_block_based_options_set_filter_policy(
			    t, rocksdb_filterpolicy_create_bloom_full(10));
			rocksdb_block_based_options_set_block_size(t, 65536);
			rocksdb_options_set_optimize_filters_for_hits(o, 1);
			rocksdb_options_set_write_buffer_size(o, 2 << 20);
			rocksdb_options_set_compression(
			    o, rocksdb_zstd_compression);
			break;
		case STORE_CF_BATCHLOG:
			/* Deleted at each checkpoint, ideally before a flush.
			 */
			rocksdb_options_set_compression(
			    o, rocksdb_no_compression);
			rocksdb_options_set_write_buffer_size(
			    o, s->opts.batchlog_bytes / 2 + (1 << 20));
			break;
		case STORE_CF_QUEUE:
			/* Forwarding records: written once, deleted once
			 * every target has them; what compression would save
			 * lives seconds.  Trimmed records go by whole files
			 * and this filter (queue.c). */
			rocksdb_options_set_compression(
			    o, rocksdb_no_compression);
			rocksdb_options_set_compaction_filter(
			    o, store_queue_filter(s));
			if (s->opts.queue_memtable_bytes > 0)
				rocksdb_options_set_write_buffer_size(
				    o, s->opts.queue_memtable_bytes);
			break;
		case STORE_CF_HEAD:
			rocksdb_options_set_write_buffer_size(o, 2 << 20);
			/* Every checkpoint writes all 10,000 open chunks of
			 * bench/ingest-bench at once, read back only at the
			 * next open: appended to a vector and sorted at flush
			 * they cost the apply thread 3 ms, not the 15 ms of
			 * inserting each into a skip list (bench/README.md,
			 * "The checkpoint's write"). */
			rocksdb_options_set_memtable_vector_rep(o);
			/* Open chunks, rewritten at every checkpoint. */
			db_options_dense(o, t);
			break;
		case STORE_CF_INDEX:
			/* Read whole at open. */
			db_options_dense(o, t);
			break;
		default:
			break;
		}
		if (cf != STORE_CF_BATCHLOG && cf != STORE_CF_DEFAULT &&
		    cf != STORE_CF_META &&
		    cf != STORE_CF_QUEUE) { /* the zstd families */
			rocksdb_options_set_bottommost_compression(
			    o, rocksdb_zstd_compression);
			rocksdb_options_set_bottommost_compression_options(
			    o, -14, DB_ZSTD_LAST_LEVEL, 0, 0, 1);
		}
		rocksdb_options_set_block_based_table_factory(o, t);
	}
}

/* Write this build's format marker (synchronously). */
static int
db_mark_format(struct store *s, char **cause)
{
	char *val, *err = NULL;

	val = xasprintf(FORMAT_PREFIX "%d", STORE_FORMAT_VERSION);
	rocksdb_writeoptions_set_sync(s->wo_lazy, 1);
	rocksdb_put_cf(s->db, s->wo_lazy, s->cf[STORE_CF_DEFAULT], FORMAT_KEY,
	    strlen(FORMAT_KEY), val, strlen(val), &err);
	rocksdb_writeoptions_set_sync(s->wo_lazy, 0);
	free(val);
	if (err != NULL) {
		*cause = xasprintf("%s: %s", s->dir, err);
		free(err);
		return -1;
	}
	return 0;
}

int
store_db_open(struct store *s, char **cause)
{
	const char *names[STORE_CF_MAX];
	const rocksdb_options_t *opts[STORE_CF_MAX];
	char *err = NULL, *val;
	size_t vlen;
	int exists, cf;
	long version;

	if ((exists = db_check_dir(s, cause)) < 0)
		return -1;
	db_options(s);
	if (exists && db_check_cfs(s, cause) != 0)
		return -1;
	for (cf = 0; cf < STORE_CF_MAX; cf++) {
		names[cf] = cf_names[cf];
		opts[cf] = s->cfopts[cf];
	}
	s->db = rocksdb_open_column_families(
	    s->dbopts, s->dir, STORE_CF_MAX, names, opts, s->cf, &err);
	if (err != NULL) {
		*cause = xasprintf("%s: %s", s->dir, err);
		free(err);
		s->db = NULL;
		return -1;
	}
	s->wo_durable = rocksdb_writeoptions_create();
	rocksdb_writeoptions_set_sync(s->wo_durable, s->opts.fsync ? 1 : 0);
	s->wo_lazy = rocksdb_writeoptions_create();
	s->ro = rocksdb_readoptions_create();
	s->ro_prefix = rocksdb_readoptions_create();
	rocksdb_readoptions_set_prefix_same_as_start(s->ro_prefix, 1);

	if (store_db_get(s, STORE_CF_DEFAULT, FORMAT_KEY, strlen(FORMAT_KEY),
	        &val, &vlen, cause) != 0)
		return -1;
	if (val == NULL) {
		/* A database without the marker is ours only if it is empty:
		 * a store whose creation was interrupted. */
		if (exists && !db_empty(s)) {
			*cause = xasprintf("%s: not a citybrain store (no "
			                   "format marker)",
			    s->dir);
			return -1;
		}
		return db_mark_format(s, cause);
	}
	if (vlen <= strlen(FORMAT_PREFIX) ||
	    strncmp(val, FORMAT_PREFIX, strlen(FORMAT_PREFIX)) != 0) {
		*cause = xasprintf("%s: not a citybrain store (bad format "
		                   "marker)",
		    s->dir);
		free(val);
		return -1;
	}
	version = strtol(val + strlen(FORMAT_PREFIX), NULL, 10);
	free(val);
	if (version > STORE_FORMAT_VERSION) {
		*cause =
		    xasprintf("%s: store format version %ld is newer than "
		              "this build supports (%d); upgrade citybrain",
		        s->dir, version, STORE_FORMAT_VERSION);
		return -1;
	}
	if (version < 1) {
		*cause = xasprintf("%s: not a citybrain store (bad format "
		                   "version)",
		    s->dir);
		return -1;
	}
	/* Blocks of this version may now be written: older builds must
	 * refuse the store from here on. */
	if (version < STORE_FORMAT_VERSION)
		return db_mark_format(s, cause);
	return 0;
}

/* At close, the chunks and minute rollups of at most this many hours
 * before the newest are compacted (those written since the last close). */
#define DB_TIDY_HOURS 24

/*
 * Bring the directory near its compacted size after a checkpoint, with
 * no manual step: batch-log files that hold only records the checkpoints
 * deleted are dropped whole, and with full set, what checkpoints rewrite
 * (older versions pile up there) is compacted: the emptied batch log,
 * the head records and the hour tier's recent days.  With full set too,
 * the chunks and minute rollups written since the last close are
 * compacted into the last level: freshly flushed files keep a sequence
 * number in every key and their blocks often miss RocksDB's bar for
 * storing a block compressed (1/8 smaller), so they stayed about 10 %
 * larger than compacted (store-bench at rest: 0.625 -> 0.611 bytes a
 * point, with format 3's rollup blocks).  The rest is written once and needs
 * nothing.
 */
/* Compact the hours of chunks and minute rollups written since the last
 * close (at most DB_TIDY_HOURS before the newest). */
static void
db_tidy_written(struct store *s, rocksdb_compactoptions_t *co)
{
	int64_t from = s->written_from, floor = window_of(s->max_data_t) -
	                                        DB_TIDY_HOURS * STORE_HOUR_MS;
	uint8_t hk[4];

	if (from < floor)
		from = floor;
	key_put32(hk, (uint32_t)(from < 0 ? 0 : from / STORE_HOUR_MS));
	rocksdb_compact_range_cf_opt(
	    s->db, s->cf[STORE_CF_CHUNKS], co, (const char *)hk, 4, NULL, 0);
	rocksdb_compact_range_cf_opt(
	    s->db, s->cf[STORE_CF_ROLLUP_M], co, (const char *)hk, 4, NULL, 0);
	s->written_from = INT64_MAX;
}

/* Compact the whole of family cf if it has files in level 0.  A lone
 * level-0 file would only be moved to the last level as it is (zstd's
 * default level, a sequence number in every key): the last level is
 * compacted again (kForce). */
static void
db_tidy_level0(struct store *s, enum store_cf cf)
{
	rocksdb_compactoptions_t *co;
	char *v = rocksdb_property_value_cf(
	    s->db, s->cf[cf], "rocksdb.num-files-at-level0");
	int n = v != NULL ? atoi(v) : 0;

	rocksdb_free(v);
	if (n <= 0)
		return;
	co = rocksdb_compactoptions_create();
	rocksdb_compactoptions_set_bottommost_level_compaction(co, 2);
	rocksdb_compact_range_cf_opt(s->db, s->cf[cf], co, NULL, 0, NULL, 0);
	rocksdb_compactoptions_destroy(co);
}

int
store_db_tidy(struct store *s, int full, char **cause)
{
	rocksdb_compactoptions_t *co;
	char *err = NULL;
	uint8_t lo[8] = {0}, hi[8], dk[4];
	int64_t day;

	key_put64(hi, s->first_seq);
	rocksdb_delete_file_in_range_cf(s->db, s->cf[STORE_CF_BATCHLOG],
	    (const char *)lo, 8, (const char *)hi, 8, &err);
	if (err == NULL && full) {
		co = rocksdb_compactoptions_create();
		rocksdb_compactoptions_set_bottommost_level_compaction(co, 3);
		/* Flushed batch-log files stay in level 0, which file
		 * deletion does not touch: compacting them writes nothing. */
		rocksdb_compact_range_cf_opt(s->db, s->cf[STORE_CF_BATCHLOG],
		    co, (const char *)lo, 8, (const char *)hi, 8);
		/* The head's records, rewritten at every checkpoint (one
		 * per series: small). */
		rocksdb_compact_range_cf_opt(
		    s->db, s->cf[STORE_CF_HEAD], co, NULL, 0, NULL, 0);
		/* The days the head's windows closed into. */
		day = s->max_data_t / STORE_DAY_MS - 1;
		key_put32(dk, (uint32_t)(day < 0 ? 0 : day));
		if (s->max_data_t >= 0)
			rocksdb_compact_range_cf_opt(s->db,
			    s->cf[STORE_CF_ROLLUP_H], co, (const char *)dk, 4,
			    NULL, 0);
		if (s->written_from != INT64_MAX)
			db_tidy_written(s, co);
		/* The series index and the marker family: small, written
		 * now and then, so their flushed files stayed in level 0
		 * (store-bench: 0.0015 bytes a point). */
		db_tidy_level0(s, STORE_CF_INDEX);
		db_tidy_level0(s, STORE_CF_DEFAULT);
		rocksdb_compactoptions_destroy(co);
	}
	if (err != NULL) {
		if (cause != NULL)
			*cause = xasprintf("%s: tidying: %s", s->dir, err);
		free(err);
		return -1;
	}
	return 0;
}

void
store_db_close(struct store *s)
{
	int cf;

	for (cf = 0; cf < STORE_CF_MAX; cf++) {
		if (s->cf[cf] != NULL)
			rocksdb_column_family_handle_destroy(s->cf[cf]);
		s->cf[cf] = NULL;
	}
	if (s->db != NULL)
		rocksdb_close(s->db);
	s->db = NULL;
	for (cf = 0; cf < STORE_CF_MAX; cf++) {
		if (s->cfopts[cf] != NULL)
			rocksdb_options_destroy(s->cfopts[cf]);
		if (s->bbto[cf] != NULL)
			rocksdb_block_based_options_destroy(s->bbto[cf]);
		s->cfopts[cf] = NULL;
		s->bbto[cf] = NULL;
	}
	if (s->dbopts != NULL)
		rocksdb_options_destroy(s->dbopts);
	store_queue_filter_free(s); /* after the database it filters */
	if (s->cache != NULL)
		rocksdb_cache_destroy(s->cache);
	if (s->wo_durable != NULL)
		rocksdb_writeoptions_destroy(s->wo_durable);
	if (s->wo_lazy != NULL)
		rocksdb_writeoptions_destroy(s->wo_lazy);
	if (s->ro != NULL)
		rocksdb_readoptions_destroy(s->ro);
	if (s->ro_prefix != NULL)
		rocksdb_readoptions_destroy(s->ro_prefix);
	s->dbopts = NULL;
	s->cache = NULL;
	s->wo_durable = s->wo_lazy = NULL;
	s->ro = s->ro_prefix = NULL;
}

int
store_db_get(struct store *s, enum store_cf cf, const void *key, size_t klen,
    char **val, size_t *vlen, char **cause)
{
	char *err = NULL, *v;

	v = rocksdb_get_cf(s->db, s->ro, s->cf[cf], key, klen, vlen, &err);
	if (err != NULL) {
		if (cause != NULL)
			*cause = xasprintf("reading %s: %s", cf_names[cf], err);
		free(err);
		*val = NULL;
		return -1;
	}
	if (v != NULL) {
		/* NUL-terminate a copy for callers that want a string. */
		*val = xmalloc(*vlen + 1);
		memcpy(*val, v, *vlen);
		(*val)[*vlen] = '\0';
		rocksdb_free(v);
	} else
		*val = NULL;
	return 0;
}
