# bench/: benchmark programs (not run by make check).  Each subsystem
# appends its own; bench/gen.c is the shared district data generator.
BENCH_GEN = bench/gen.c bench/gen.h
EXTRA_DIST += bench/README.md

# store-bench: the store on realistic data beside a naive baseline.
noinst_PROGRAMS += bench/store-bench
bench_store_bench_CPPFLAGS = $(AM_CPPFLAGS) $(ROCKSDB_CFLAGS)
bench_store_bench_SOURCES = bench/store-bench.c $(BENCH_GEN)
bench_store_bench_LDADD = $(CB_STORE) $(CB_LIB) $(ROCKSDB_LIBS) -lm
