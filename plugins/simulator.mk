# plugins/simulator: the Futian demo simulator, a C plugin through the
# public ABI (loaded by citybrain-collector; see tools/demo), its unit test
# and the end-to-end test of the demo.
plugin_LTLIBRARIES += plugins/simulator.la
SIMULATOR_SOURCES = \
	plugins/simulator/sim.h plugins/simulator/sim-int.h \
	plugins/simulator/sim-conf.c \
	plugins/simulator/sim-signal.c \
	plugins/simulator/sim-run.c \
	plugins/simulator/sim-cases.c \
	plugins/simulator/sim-feeds.c
plugins_simulator_la_SOURCES = $(SIMULATOR_SOURCES) \
	plugins/simulator/simulator.c
plugins_simulator_la_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
plugins_simulator_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_simulator_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_simulator_la_LIBADD = $(JANSSON_LIBS) -lm

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-simulator
TESTS += tests/unit/test-simulator
tests_unit_test_simulator_CPPFLAGS = $(UNIT_CPPFLAGS) $(JANSSON_CFLAGS) \
	-DCB_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_simulator_SOURCES = tests/unit/test-simulator.c \
	$(SIMULATOR_SOURCES)
tests_unit_test_simulator_LDADD = $(UNIT_LDADD) $(JANSSON_LIBS) -lm
endif

TESTS += tests/integration/t-demo-e2e.sh
EXTRA_DIST += \
	plugins/simulator/README.md \
	tools/demo \
	conf/futian/collector-demo.json \
	tests/integration/t-demo-e2e.sh
TESTS += tests/integration/t-demo-vocab.sh tests/integration/t-demo-as.sh
EXTRA_DIST += tests/integration/t-demo-as.sh
EXTRA_DIST += tests/integration/t-demo-vocab.sh
TESTS += tests/integration/t-demo-quality.sh
EXTRA_DIST += tests/integration/t-demo-quality.sh
TESTS += tests/integration/t-demo-incidents.sh
EXTRA_DIST += tests/integration/t-demo-incidents.sh
