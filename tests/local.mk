# tests/: unit tests (Check), integration tests (shell, real binaries on
# loopback), fuzz targets.  Other fragments may append their own tests.
UNIT_CPPFLAGS = $(AM_CPPFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
UNIT_LDADD = $(CB_LIB) $(CHECK_LIBS) $(JANSSON_LIBS)

EXTRA_DIST += tests/integration/lib.sh

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-lib
TESTS += tests/unit/test-lib
tests_unit_test_lib_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_lib_SOURCES = tests/unit/test-lib.c
tests_unit_test_lib_LDADD = $(UNIT_LDADD)
endif

INTEGRATION_TESTS = \
	tests/integration/t-programs.sh \
	tests/integration/t-mutation-table.sh \
	tests/integration/t-conf-errors.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS)

# Fuzz targets.  With --enable-fuzzing (clang) they are libFuzzer programs;
# otherwise tests/fuzz/driver.c supplies main(): it replays the seed corpus
# tests/fuzz/corpus/NAME/ and a few thousand deterministic mutations of it,
# so every parser is fuzzed a little by make check.  A fragment registers a
# target like this:
#   check_PROGRAMS += tests/fuzz/fuzz-conf
#   TESTS += tests/fuzz/fuzz-conf
#   tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz-conf.c $(FUZZ_DRIVER)
#   tests_fuzz_fuzz_conf_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
#   tests_fuzz_fuzz_conf_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
#   tests_fuzz_fuzz_conf_LDADD = $(CB_LIB) $(JANSSON_LIBS)
#   EXTRA_DIST += tests/fuzz/corpus/conf
if FUZZING
FUZZ_DRIVER =
else
FUZZ_DRIVER = tests/fuzz/driver.c
endif
EXTRA_DIST += tests/fuzz/driver.c

check_PROGRAMS += tests/fuzz/fuzz-conf
TESTS += tests/fuzz/fuzz-conf
tests_fuzz_fuzz_conf_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz-conf.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_conf_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_conf_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_conf_LDADD = $(CB_LIB) $(JANSSON_LIBS)
EXTRA_DIST += tests/fuzz/corpus/conf

# The batch log's replay at open, guarded without random kills (issue 20).
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-store-replay
TESTS += tests/unit/test-store-replay
tests_unit_test_store_replay_CPPFLAGS = $(UNIT_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_unit_test_store_replay_SOURCES = tests/unit/test-store-replay.c \
	tests/unit/test-store-util.h
tests_unit_test_store_replay_LDADD = $(STORE_TEST_LDADD)
endif

# make mutation-check: break each guard listed in tests/mutations.txt in a
# scratch copy of the tree and make sure its tests fail (docs/hacking.md).
EXTRA_DIST += tests/mutation-check.py tests/mutations.txt
mutation-check:
	python3 $(abs_top_srcdir)/tests/mutation-check.py \
		--srcdir $(abs_top_srcdir) --jobs 2
.PHONY: mutation-check

# make crash-check: 200 kill -9s of the hub under acknowledged writes and a
# kill -9 of the collector with a full spool (minutes; not in make check).
EXTRA_DIST += tests/integration/crash-check.sh tests/integration/crash-hub.py

# A kill -9 right after the Nth RocksDB write (LD_PRELOAD; crash-hub.py).
check_LTLIBRARIES += tests/integration/killwrite.la
tests_integration_killwrite_la_SOURCES = tests/integration/killwrite.c
tests_integration_killwrite_la_CPPFLAGS = $(AM_CPPFLAGS) $(ROCKSDB_CFLAGS)
tests_integration_killwrite_la_LDFLAGS = $(AM_LDFLAGS) -module \
	-avoid-version -shared -rpath /nowhere
crash-check: all $(check_PROGRAMS)
	@$(AM_TESTS_ENVIRONMENT) $(SHELL) $(top_srcdir)/tests/integration/crash-check.sh
.PHONY: crash-check

# make fuzz-check: each libFuzzer target for FUZZ_SECONDS (default 30 s),
# printing the coverage it reached.  Needs CC=clang --enable-fuzzing.
EXTRA_DIST += tests/fuzz/fuzz-check.sh
fuzz-check: $(check_PROGRAMS)
if FUZZING
	@top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(SHELL) $(top_srcdir)/tests/fuzz/fuzz-check.sh
else
	@echo "fuzz-check: configure with CC=clang --enable-fuzzing first"; exit 1
endif
.PHONY: fuzz-check
EXTRA_DIST += tests/tsan.supp
