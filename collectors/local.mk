# collectors/: citybrain-collector, and the parsers it shares with the hub
# (lib/lineproto, lib/promtext, lib/nagios).
lib_libcitybrain_a_SOURCES += \
	lib/lineproto.c lib/lineproto-write.c lib/lineproto.h \
	lib/promtext.c lib/promtext.h \
	lib/nagios.c lib/nagios.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-lineproto
TESTS += tests/unit/test-lineproto
tests_unit_test_lineproto_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_lineproto_SOURCES = tests/unit/test-lineproto.c
tests_unit_test_lineproto_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test-promtext
TESTS += tests/unit/test-promtext
tests_unit_test_promtext_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_promtext_SOURCES = tests/unit/test-promtext.c
tests_unit_test_promtext_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test-nagios
TESTS += tests/unit/test-nagios
tests_unit_test_nagios_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_nagios_SOURCES = tests/unit/test-nagios.c
tests_unit_test_nagios_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test-collector-spool
TESTS += tests/unit/test-collector-spool
tests_unit_test_collector_spool_CPPFLAGS = $(UNIT_CPPFLAGS) $(ZLIB_CFLAGS)
tests_unit_test_collector_spool_SOURCES = tests/unit/test-collector-spool.c \
	collectors/spool.c collectors/spool.h
tests_unit_test_collector_spool_LDADD = $(UNIT_LDADD) $(ZLIB_LIBS)
endif

check_PROGRAMS += tests/fuzz/fuzz-lineproto
TESTS += tests/fuzz/fuzz-lineproto
tests_fuzz_fuzz_lineproto_SOURCES = tests/fuzz/fuzz-lineproto.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_lineproto_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_lineproto_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_lineproto_LDADD = $(CB_LIB) $(JANSSON_LIBS)
EXTRA_DIST += tests/fuzz/corpus/lineproto

check_PROGRAMS += tests/fuzz/fuzz-promtext
TESTS += tests/fuzz/fuzz-promtext
tests_fuzz_fuzz_promtext_SOURCES = tests/fuzz/fuzz-promtext.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_promtext_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_promtext_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_promtext_LDADD = $(CB_LIB) $(JANSSON_LIBS)
EXTRA_DIST += tests/fuzz/corpus/promtext

check_PROGRAMS += tests/fuzz/fuzz-nagios
TESTS += tests/fuzz/fuzz-nagios
tests_fuzz_fuzz_nagios_SOURCES = tests/fuzz/fuzz-nagios.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_nagios_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_nagios_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_nagios_LDADD = $(CB_LIB) $(JANSSON_LIBS)
EXTRA_DIST += tests/fuzz/corpus/nagios

noinst_PROGRAMS += bench/lineproto-bench
bench_lineproto_bench_SOURCES = bench/lineproto-bench.c
bench_lineproto_bench_LDADD = $(CB_LIB)

# The collector.
sbin_PROGRAMS += collectors/citybrain-collector
collectors_citybrain_collector_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) \
	$(LIBEVENT_CFLAGS) $(LIBCURL_CFLAGS) $(ZLIB_CFLAGS)
collectors_citybrain_collector_SOURCES = \
	collectors/main.c \
	collectors/collector.c collectors/collector.h \
	collectors/config.c \
	collectors/listen.c \
	collectors/inputs.c \
	collectors/push.c collectors/push.h \
	collectors/spool.c collectors/spool.h \
	collectors/input-exec.c \
	collectors/input-http.c \
	collectors/input-prom.c \
	collectors/input-plugin.c \
	collectors/input-host.c
# --as-needed: no library the collector does not call is loaded (each
# costs resident pages at start; see bench/README.md).
collectors_citybrain_collector_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed
collectors_citybrain_collector_LDADD = $(CB_LIB) $(JANSSON_LIBS) \
	$(LIBEVENT_CORE_LIBS) $(LIBEVENT_EXTRA_LIBS) $(LIBCURL_LIBS) $(ZLIB_LIBS)
# Plugins call back into the collector only through the function table.
citybrainincludedir = $(includedir)/citybrain
citybraininclude_HEADERS = plugins/include/citybrain/plugin.h

# Test fixtures: a stand-in hub (evhttp) and an exporter.
check_PROGRAMS += tests/collector/fakehub
tests_collector_fakehub_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS) \
	$(ZLIB_CFLAGS)
tests_collector_fakehub_SOURCES = tests/collector/fakehub.c
tests_collector_fakehub_LDADD = $(CB_LIB) $(LIBEVENT_LIBS) $(ZLIB_LIBS)

COLLECTOR_TESTS = \
	tests/integration/t-collector-spool.sh \
	tests/integration/t-collector-inputs.sh \
	tests/integration/t-collector-reload.sh \
	tests/integration/t-collector-tls.sh
TESTS += $(COLLECTOR_TESTS)
EXTRA_DIST += $(COLLECTOR_TESTS) \
	tests/collector/seqgen.sh \
	tests/collector/spool-seqs.py \
	tests/collector/sleeper.sh \
	tests/collector/tls-server.py

man_MANS += man/citybrain-collector.8 man/citybrain-plugin.7

noinst_PROGRAMS += bench/collector-bench
bench_collector_bench_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
bench_collector_bench_SOURCES = bench/collector-bench.c
bench_collector_bench_LDADD = $(LIBEVENT_LIBS)

# curl-floor: what linking libcurl alone costs in resident memory (the
# floor under collector_rss_mib; bench/README.md, Collector).
noinst_PROGRAMS += bench/curl-floor
bench_curl_floor_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCURL_CFLAGS)
bench_curl_floor_SOURCES = bench/curl-floor.c
bench_curl_floor_LDADD = $(LIBCURL_LIBS)

# The collector's /metrics and /healthz listener (collectors/listen.c).
TESTS += tests/integration/t-collector-listen.sh
EXTRA_DIST += tests/integration/t-collector-listen.sh
