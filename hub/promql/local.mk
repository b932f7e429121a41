# hub/promql/: the PromQL subset and the Prometheus HTTP API under
# /prometheus (hub/promql/promql.h).  Built into hub/libcbhub.a.
HUB_PROMQL_SOURCES = \
	hub/promql/promql.h hub/promql/promql-int.h \
	hub/promql/lex.c hub/promql/parse.c hub/promql/format.c \
	hub/promql/value.c hub/promql/eval.c hub/promql/agg.c \
	hub/promql/func.c hub/promql/func-minutes.c \
	hub/promql/window.c hub/promql/route.c \
	hub/promql/remote.c

# The parser's fuzz target: parse, format, reparse, same normal form.
check_PROGRAMS += tests/fuzz/fuzz-promql
TESTS += tests/fuzz/fuzz-promql
tests_fuzz_fuzz_promql_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_promql_SOURCES = tests/fuzz/fuzz-promql.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_promql_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_promql_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_promql_LDADD = $(HUB_LIBS) $(CB_STORE) $(CB_LIB) $(ROCKSDB_LIBS) -lm
EXTRA_DIST += tests/fuzz/corpus/promql hub/promql/local.mk

# Answers checked against Debian's prometheus (tests/integration/).
TESTS += tests/integration/t-promql-compat.sh tests/integration/t-promql-api.sh \
	tests/integration/t-promql-partial.sh
EXTRA_DIST += tests/integration/t-promql-compat.sh \
	tests/integration/t-promql-api.sh \
	tests/integration/t-promql-partial.sh \
	tests/integration/promql-compat.py

# promql-bench: PromQL sum by rate over a day vs the native query
# (bench/README.md).
noinst_PROGRAMS += bench/promql-bench
bench_promql_bench_CPPFLAGS = $(HUB_CPPFLAGS) $(ROCKSDB_CFLAGS)
bench_promql_bench_SOURCES = bench/promql-bench.c $(BENCH_GEN)
bench_promql_bench_LDADD = $(HUB_LIBS) $(CB_STORE) $(CB_LIB) $(ROCKSDB_LIBS) -lm

# rate/increase from per-minute summaries equal the raw points' answer.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-promql-minutes
TESTS += tests/unit/test-promql-minutes
tests_unit_test_promql_minutes_CPPFLAGS = $(UNIT_CPPFLAGS) $(HUB_CPPFLAGS) \
	$(ROCKSDB_CFLAGS)
tests_unit_test_promql_minutes_SOURCES = tests/unit/test-promql-minutes.c
tests_unit_test_promql_minutes_LDADD = $(HUB_LIBS) $(CB_STORE) $(CB_LIB) \
	$(ROCKSDB_LIBS) $(CHECK_LIBS) -lm
endif
