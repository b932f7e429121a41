# store/: the time-series store library, its lib/ helpers (series keys,
# selectors), its tests, fuzz target and benchmark.
lib_libcitybrain_a_SOURCES += \
	lib/serieskey.c lib/serieskey.h \
	lib/selector.c lib/selector.h \
	lib/regexp.c lib/regexp.h
lib_libcitybrain_a_CPPFLAGS += $(PCRE2_CFLAGS)
CB_LIB += $(PCRE2_LIBS)

noinst_LIBRARIES += store/libcbstore.a
store_libcbstore_a_CPPFLAGS = $(AM_CPPFLAGS) $(ROCKSDB_CFLAGS)
store_libcbstore_a_SOURCES = \
	store/store.h store/store-int.h \
	store/agg.h store/bits.h store/coder.h store/rate-minute.h \
	store/apply.c \
	store/batchlog.c \
	store/chunk.c store/chunk.h \
	store/db.c \
	store/head.c \
	store/seal.c \
	store/close.c \
	store/headagg.c store/headagg.h \
	store/index.c store/index.h \
	store/meta.c \
	store/queue.c \
	store/query.c store/query-feed.c store/query-int.h \
	store/read.c store/minutes.c \
	store/retention.c \
	store/rollup.c store/rollup.h store/rollup-col.c store/rollup-int.h \
	store/rollup-rate.c \
	store/store.c store/write.c

STORE_TEST_LDADD = $(CB_STORE) $(UNIT_LDADD) $(ROCKSDB_LIBS) -lm

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-serieskey tests/unit/test-selector \
	tests/unit/test-store tests/unit/test-store-codec \
	tests/unit/test-store-model tests/unit/test-store-crash \
	tests/unit/test-store-order tests/unit/test-store-disk \
	tests/unit/test-store-read tests/unit/test-store-queue \
	tests/unit/test-store-hook tests/unit/test-store-minutes \
	tests/unit/test-store-headagg
TESTS += tests/unit/test-serieskey tests/unit/test-selector \
	tests/unit/test-store tests/unit/test-store-codec \
	tests/unit/test-store-model tests/unit/test-store-crash \
	tests/unit/test-store-order tests/unit/test-store-disk \
	tests/unit/test-store-read tests/unit/test-store-queue \
	tests/unit/test-store-hook tests/unit/test-store-minutes \
	tests/unit/test-store-headagg

tests_unit_test_serieskey_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_serieskey_SOURCES = tests/unit/test-serieskey.c
tests_unit_test_serieskey_LDADD = $(UNIT_LDADD)

tests_unit_test_selector_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_selector_SOURCES = tests/unit/test-selector.c
tests_unit_test_selector_LDADD = $(UNIT_LDADD)

tests_unit_test_store_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_SOURCES = tests/unit/test-store.c \
	tests/unit/test-store-util.h
tests_unit_test_store_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_minutes_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_minutes_SOURCES = tests/unit/test-store-minutes.c \
	tests/unit/test-store-util.h
tests_unit_test_store_minutes_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_headagg_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_headagg_SOURCES = tests/unit/test-store-headagg.c \
	tests/unit/test-store-util.h
tests_unit_test_store_headagg_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_queue_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_queue_SOURCES = tests/unit/test-store-queue.c \
	tests/unit/test-store-util.h
tests_unit_test_store_queue_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_hook_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_hook_SOURCES = tests/unit/test-store-hook.c \
	tests/unit/test-store-util.h
tests_unit_test_store_hook_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_codec_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_codec_SOURCES = tests/unit/test-store-codec.c \
	tests/unit/test-store-util.h
tests_unit_test_store_codec_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_model_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_model_SOURCES = tests/unit/test-store-model.c \
	tests/unit/test-store-util.h
tests_unit_test_store_model_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_crash_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_crash_SOURCES = tests/unit/test-store-crash.c \
	tests/unit/test-store-util.h
tests_unit_test_store_crash_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_order_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_order_SOURCES = tests/unit/test-store-order.c \
	tests/unit/test-store-util.h
tests_unit_test_store_order_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_disk_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_disk_SOURCES = tests/unit/test-store-disk.c \
	tests/unit/test-store-util.h
tests_unit_test_store_disk_LDADD = $(STORE_TEST_LDADD)

tests_unit_test_store_read_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_read_SOURCES = tests/unit/test-store-read.c \
	tests/unit/test-store-util.h
tests_unit_test_store_read_LDADD = $(STORE_TEST_LDADD)
endif

check_PROGRAMS += tests/fuzz/fuzz-selector
TESTS += tests/fuzz/fuzz-selector
tests_fuzz_fuzz_selector_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_fuzz_selector_SOURCES = tests/fuzz/fuzz-selector.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_selector_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_selector_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_selector_LDADD = $(CB_LIB)
EXTRA_DIST += tests/fuzz/corpus/selector

check_PROGRAMS += tests/fuzz/fuzz-store-rollup
TESTS += tests/fuzz/fuzz-store-rollup
tests_fuzz_fuzz_store_rollup_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_fuzz_store_rollup_SOURCES = tests/fuzz/fuzz-store-rollup.c \
	$(FUZZ_DRIVER)
tests_fuzz_fuzz_store_rollup_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_store_rollup_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_store_rollup_LDADD = $(CB_STORE) $(CB_LIB) $(ROCKSDB_LIBS) -lm
EXTRA_DIST += tests/fuzz/corpus/store-rollup

check_PROGRAMS += tests/fuzz/fuzz-store-chunk
TESTS += tests/fuzz/fuzz-store-chunk
tests_fuzz_fuzz_store_chunk_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_fuzz_store_chunk_SOURCES = tests/fuzz/fuzz-store-chunk.c \
	$(FUZZ_DRIVER)
tests_fuzz_fuzz_store_chunk_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_store_chunk_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_store_chunk_LDADD = $(CB_STORE) $(CB_LIB) $(ROCKSDB_LIBS) -lm
EXTRA_DIST += tests/fuzz/corpus/store-chunk
