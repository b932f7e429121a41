# hub/: citybraind, the hub.  Everything but main.c goes into a convenience
# library so that unit tests, fuzz targets and benches link the same code.
include $(srcdir)/hub/promql/local.mk
noinst_LIBRARIES += hub/libcbhub.a
HUB_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(LIBCRYPTO_CFLAGS) $(ZLIB_CFLAGS)
hub_libcbhub_a_CPPFLAGS = $(HUB_CPPFLAGS)
hub_libcbhub_a_SOURCES = \
	hub/hub.h \
	hub/hub-config.c hub/hub-config.h \
	hub/territory.c hub/territory.h hub/territory-field.c \
	hub/systems.c hub/systems.h hub/systems-metric.c \
	hub/users.c hub/users.h \
	hub/reply.c \
	hub/server.c hub/server.h hub/server-int.h hub/server-conn.c \
	hub/server-body.c \
	hub/status.c hub/status.h \
	hub/ingest.c hub/ingest.h \
	hub/rollup.c hub/rollup.h \
	hub/route-ingest.c \
	hub/route-tree.c \
	hub/route-overview.c \
	hub/route-systems.c \
	hub/route-quality.c \
	hub/route-query.c \
	hub/route-self.c \
	$(HUB_PROMQL_SOURCES) \
	hub/route-influx.c
HUB_LIBS = hub/libcbhub.a $(CB_LIB) $(JANSSON_LIBS) $(LIBEVENT_LIBS) \
	$(LIBCRYPTO_LIBS) $(ZLIB_LIBS)

EXTRA_DIST += docs/api.md tools/gen-futian.py

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-hub-conf
TESTS += tests/unit/test-hub-conf
tests_unit_test_hub_conf_CPPFLAGS = $(UNIT_CPPFLAGS) $(HUB_CPPFLAGS) \
	$(ROCKSDB_CFLAGS)
tests_unit_test_hub_conf_SOURCES = tests/unit/test-hub-conf.c
tests_unit_test_hub_conf_LDADD = $(HUB_LIBS) $(CB_STORE) $(CB_LIB) \
	$(ROCKSDB_LIBS) $(CHECK_LIBS)
endif

sbin_PROGRAMS += hub/citybraind
hub_citybraind_CPPFLAGS = $(HUB_CPPFLAGS) $(ROCKSDB_CFLAGS)
hub_citybraind_SOURCES = hub/main.c
hub_citybraind_LDADD = $(HUB_LIBS) $(CB_STORE) $(CB_LIB) $(ROCKSDB_LIBS)

check_PROGRAMS += tests/fuzz/fuzz-hub-territory
TESTS += tests/fuzz/fuzz-hub-territory
tests_fuzz_fuzz_hub_territory_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_hub_territory_SOURCES = tests/fuzz/fuzz-hub-territory.c \
	$(FUZZ_DRIVER)
tests_fuzz_fuzz_hub_territory_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_hub_territory_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_hub_territory_LDADD = $(HUB_LIBS)
EXTRA_DIST += tests/fuzz/corpus/hub-territory

HUB_INTEGRATION_TESTS = \
	tests/integration/t-hub-ingest.sh \
	tests/integration/t-hub-auth.sh \
	tests/integration/t-hub-routes.sh \
	tests/integration/t-hub-reload.sh \
	tests/integration/t-hub-cli.sh \
	tests/integration/t-hub-limits.sh \
	tests/integration/t-hub-influx.sh \
	tests/integration/t-hub-ingest-threads.sh
TESTS += $(HUB_INTEGRATION_TESTS)
EXTRA_DIST += $(HUB_INTEGRATION_TESTS) tests/integration/hub-lib.sh

man_MANS += man/citybraind.8

# ingest-bench: end-to-end ingest over loopback (bench/README.md).
noinst_PROGRAMS += bench/ingest-bench
bench_ingest_bench_CPPFLAGS = $(AM_CPPFLAGS)
bench_ingest_bench_SOURCES = bench/ingest-bench.c bench/proc.c bench/proc.h \
    $(BENCH_GEN)
bench_ingest_bench_LDADD = $(CB_LIB) -lpthread -lm

# The wire path (hub/server*.c, hub/reply.c): round trips, request bodies,
# reply encoding and connection budgets.
HUB_WIRE_TESTS = \
	tests/integration/t-hub-wire.sh \
	tests/integration/t-hub-budget.sh
TESTS += $(HUB_WIRE_TESTS)
EXTRA_DIST += $(HUB_WIRE_TESTS) tests/integration/tcp-nodelay.py
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-hub-wire
TESTS += tests/unit/test-hub-wire
tests_unit_test_hub_wire_CPPFLAGS = $(UNIT_CPPFLAGS) $(HUB_CPPFLAGS)
tests_unit_test_hub_wire_SOURCES = tests/unit/test-hub-wire.c
tests_unit_test_hub_wire_LDADD = $(HUB_LIBS) $(CB_STORE) $(CB_LIB) \
	$(ROCKSDB_LIBS) $(CHECK_LIBS) -lm
endif

hub_libcbhub_a_SOURCES += hub/ingest-int.h hub/ingest-cache.c \
	hub/ingest-limits.c hub/ingest-limits.h \
	hub/ingest-parse.c hub/ingest-pool.c

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-hub-ingest
TESTS += tests/unit/test-hub-ingest
tests_unit_test_hub_ingest_CPPFLAGS = $(UNIT_CPPFLAGS) $(HUB_CPPFLAGS) \
	$(ROCKSDB_CFLAGS)
tests_unit_test_hub_ingest_SOURCES = tests/unit/test-hub-ingest.c
tests_unit_test_hub_ingest_LDADD = $(HUB_LIBS) $(CB_STORE) $(CB_LIB) \
	$(ROCKSDB_LIBS) $(CHECK_LIBS)
endif
TESTS += tests/integration/t-hub-failclosed.sh tests/integration/t-hub-degraded.sh
EXTRA_DIST += tests/integration/t-hub-failclosed.sh tests/integration/t-hub-degraded.sh
# Every route's role, from the server's own tables (citybraind --list-routes).
TESTS += tests/integration/t-route-roles.sh tests/integration/t-route-scopes.sh
EXTRA_DIST += tests/integration/t-route-roles.sh tests/route-roles.txt \
	tests/integration/t-route-scopes.sh tests/route-scopes.txt
hub_libcbhub_a_SOURCES += hub/query-scope.c hub/query-scope.h \
	hub/query-agg.c hub/query-agg.h
# query-bench: store-bench's queries through the hub over TCP and the unix
# socket (bench/README.md).
noinst_PROGRAMS += bench/query-bench
bench_query_bench_CPPFLAGS = $(AM_CPPFLAGS)
bench_query_bench_SOURCES = bench/query-bench.c $(BENCH_GEN)
bench_query_bench_LDADD = $(CB_LIB) -lm

# hub/quality/: data-quality checks (issue 18), door hub/quality/quality.h.
hub_libcbhub_a_SOURCES += \
	hub/quality/quality.h \
	hub/quality/quality-systems.c \
	hub/quality/quality-rules.c \
	hub/quality/quality-lint.c \
	hub/quality/quality-audit.c
TESTS += tests/integration/t-hub-quality.sh
EXTRA_DIST += tests/integration/t-hub-quality.sh
check_PROGRAMS += tests/fuzz/fuzz-hub-systems
TESTS += tests/fuzz/fuzz-hub-systems
tests_fuzz_fuzz_hub_systems_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_hub_systems_SOURCES = tests/fuzz/fuzz-hub-systems.c \
	$(FUZZ_DRIVER)
tests_fuzz_fuzz_hub_systems_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_hub_systems_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_hub_systems_LDADD = $(HUB_LIBS)
EXTRA_DIST += tests/fuzz/corpus/hub-systems

# hub/city/: a city hub over its districts' hubs (issue 13), door
# hub/city/city.h.
hub_libcbhub_a_SOURCES += \
	hub/city/city.h \
	hub/city/city-int.h \
	hub/city/city-conf.c \
	hub/city/city-fetch.c \
	hub/city/city-route.c hub/city/city-action.c hub/city/city-alert.c \
	hub/city/city-alert-id.c \
	hub/city/city-merge.c \
	hub/city/city-merge-tree.c
TESTS += tests/integration/t-city.sh tests/integration/t-city-store.sh
EXTRA_DIST += tests/integration/t-city.sh tests/integration/t-city-store.sh \
	tests/integration/city-lib.sh
TESTS += tests/integration/t-console-city.sh tests/integration/t-demo-city.sh
EXTRA_DIST += tests/integration/t-console-city.sh tests/integration/t-demo-city.sh

# The city hub's configuration under fuzzing.
check_PROGRAMS += tests/fuzz/fuzz-city-conf
TESTS += tests/fuzz/fuzz-city-conf
tests_fuzz_fuzz_city_conf_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_city_conf_SOURCES = tests/fuzz/fuzz-city-conf.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_city_conf_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_city_conf_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_city_conf_LDADD = $(HUB_LIBS)
EXTRA_DIST += tests/fuzz/corpus/city-conf
EXTRA_DIST += tools/demo-city conf/city/README conf/city/hub.json \
	conf/city/users.json conf/city/systems.json conf/city/tokens.json \
	conf/city/futian.token conf/city/luohu.token \
	conf/city/luohu/hub.json conf/city/luohu/territory.json \
	conf/city/luohu/systems.json conf/city/luohu/users.json \
	conf/city/luohu/tokens.json
EXTRA_DIST += bench/city-fanout.sh

# Aggregating raw series on the hub (hub/query-agg.c) equals the store.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-query-agg
TESTS += tests/unit/test-query-agg
tests_unit_test_query_agg_CPPFLAGS = $(UNIT_CPPFLAGS) $(HUB_CPPFLAGS) \
	$(ROCKSDB_CFLAGS)
tests_unit_test_query_agg_SOURCES = tests/unit/test-query-agg.c
tests_unit_test_query_agg_LDADD = $(HUB_LIBS) $(CB_STORE) $(CB_LIB) \
	$(ROCKSDB_LIBS) $(CHECK_LIBS) -lm
endif
