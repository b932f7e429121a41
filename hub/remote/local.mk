# hub/remote/: Prometheus remote-write in (issue 12) and out (issue 13).
# Included right after hub/alerts/local.mk; only appends.  The protobuf-c code is
# generated from hub/remote/remote.proto at build time with protoc-c
# (Debian's protobuf-c-compiler) into the build tree.
HUB_CPPFLAGS += $(SNAPPY_CFLAGS) $(PROTOBUF_C_CFLAGS)
hub_libcbhub_a_SOURCES += \
	hub/remote/remote.h \
	hub/remote/remote-codec.c \
	hub/remote/remote-ingest.c \
	hub/remote/route-remote.c \
	hub/remote/forward-conf.c \
	hub/remote/forward.c \
	hub/remote/forward-int.h \
	hub/remote/forward-encode.c \
	hub/remote/forward-cache.c \
	hub/remote/forward-record.c \
	hub/remote/forward-reshard.c \
	hub/remote/forward-status.c \
	hub/remote/remote-read.c \
	hub/remote/target-curl.c \
	hub/remote/relabel.h \
	hub/remote/relabel.c
nodist_hub_libcbhub_a_SOURCES = \
	hub/remote/remote.pb-c.c hub/remote/remote.pb-c.h
HUB_LIBS += $(SNAPPY_LIBS) $(PROTOBUF_C_LIBS)
REMOTE_PB = hub/remote/remote.pb-c.c hub/remote/remote.pb-c.h
BUILT_SOURCES = $(REMOTE_PB)
CLEANFILES += $(REMOTE_PB)
EXTRA_DIST += hub/remote/remote.proto

$(REMOTE_PB): $(srcdir)/hub/remote/remote.proto
	$(AM_V_GEN)$(MKDIR_P) hub/remote && \
	$(PROTOC_C) --c_out=hub/remote -I$(srcdir)/hub/remote \
		$(srcdir)/hub/remote/remote.proto

# The decoder under fuzzing (snappy + protobuf from untrusted bodies).
check_PROGRAMS += tests/fuzz/fuzz-remote
TESTS += tests/fuzz/fuzz-remote
tests_fuzz_fuzz_remote_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_remote_SOURCES = tests/fuzz/fuzz-remote.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_remote_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_remote_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_remote_LDADD = $(HUB_LIBS)
EXTRA_DIST += tests/fuzz/corpus/remote

REMOTE_INTEGRATION_TESTS = \
	tests/integration/t-remote-write.sh
TESTS += $(REMOTE_INTEGRATION_TESTS)
EXTRA_DIST += $(REMOTE_INTEGRATION_TESTS) tests/integration/remote-write.py
TESTS += tests/integration/t-remote-forward.sh
EXTRA_DIST += tests/integration/t-remote-forward.sh

# Forwarding's configuration: relabel rules, regexp_expand, target errors.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-remote-relabel
TESTS += tests/unit/test-remote-relabel
tests_unit_test_remote_relabel_CPPFLAGS = $(UNIT_CPPFLAGS) $(HUB_CPPFLAGS) \
	$(ROCKSDB_CFLAGS)
tests_unit_test_remote_relabel_SOURCES = tests/unit/test-remote-relabel.c
tests_unit_test_remote_relabel_LDADD = $(HUB_LIBS) $(CB_STORE) $(CB_LIB) \
	$(ROCKSDB_LIBS) $(CHECK_LIBS)
endif
TESTS += tests/integration/t-remote-forward-conf.sh
EXTRA_DIST += tests/integration/t-remote-forward-conf.sh
TESTS += tests/integration/t-remote-forward-exact.sh
EXTRA_DIST += tests/integration/t-remote-forward-exact.sh

# Relabel rules under fuzzing (read from JSON, then applied).
check_PROGRAMS += tests/fuzz/fuzz-relabel
TESTS += tests/fuzz/fuzz-relabel
tests_fuzz_fuzz_relabel_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_relabel_SOURCES = tests/fuzz/fuzz-relabel.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_relabel_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_relabel_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_relabel_LDADD = $(HUB_LIBS)
EXTRA_DIST += tests/fuzz/corpus/relabel
TESTS += tests/integration/t-remote-read.sh
EXTRA_DIST += tests/integration/t-remote-read.sh tests/integration/slow-proxy.py \
	tests/integration/remote-lib.sh
EXTRA_DIST += docs/scale.md
TESTS += tests/integration/t-remote-forward-cache.sh
EXTRA_DIST += tests/integration/t-remote-forward-cache.sh
TESTS += tests/integration/t-remote-queue-upgrade.sh
EXTRA_DIST += tests/integration/t-remote-queue-upgrade.sh
TESTS += tests/integration/t-remote-reshard.sh
EXTRA_DIST += tests/integration/t-remote-reshard.sh
