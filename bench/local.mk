# bench/: benchmark programs (not run by make check).  Each subsystem
# appends its own; bench/gen.c is the shared district data generator.
BENCH_GEN = bench/gen.c bench/gen.h
EXTRA_DIST += bench/README.md

# store-bench: the store on realistic data beside a naive baseline.
noinst_PROGRAMS += bench/store-bench
bench_store_bench_CPPFLAGS = $(AM_CPPFLAGS) $(ROCKSDB_CFLAGS)
bench_store_bench_SOURCES = bench/store-bench.c $(BENCH_GEN)
bench_store_bench_LDADD = $(CB_STORE) $(CB_LIB) $(ROCKSDB_LIBS) -lm

# store-replay-bench: a collector's spool replayed after an outage.
noinst_PROGRAMS += bench/store-replay-bench
bench_store_replay_bench_CPPFLAGS = $(AM_CPPFLAGS) $(ROCKSDB_CFLAGS)
bench_store_replay_bench_SOURCES = bench/store-replay-bench.c
bench_store_replay_bench_LDADD = $(CB_STORE) $(CB_LIB) $(ROCKSDB_LIBS) -lm
# queue-bench: the forwarding queue's disk writes through an outage.
noinst_PROGRAMS += bench/queue-bench
bench_queue_bench_CPPFLAGS = $(AM_CPPFLAGS) $(ROCKSDB_CFLAGS)
bench_queue_bench_SOURCES = bench/queue-bench.c
bench_queue_bench_LDADD = $(CB_STORE) $(CB_LIB) $(ROCKSDB_LIBS) -lm

EXTRA_DIST += bench/forward-bench.sh bench/forward-batch-sweep.sh \
	bench/forward-vm.sh bench/ingest-offcpu.sh
