# plugins/: the public plugin ABI header, bundled C plugins (libtool
# loadable modules exporting only citybrain_plugin_entry) and example exec
# plugins.
plugindir = $(pkglibdir)/plugins
PLUGIN_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
PLUGIN_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-export-symbols-regex '^citybrain_plugin_entry$$'

plugin_LTLIBRARIES = plugins/example.la
plugins_example_la_SOURCES = plugins/example/example.c
plugins_example_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_example_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_example_la_LIBADD = -lm

# Test plugins (never installed): a newer ABI than the collector's.
check_LTLIBRARIES += tests/collector/plugin-newabi.la
tests_collector_plugin_newabi_la_SOURCES = tests/collector/plugin-newabi.c
tests_collector_plugin_newabi_la_CFLAGS = $(PLUGIN_CFLAGS)
tests_collector_plugin_newabi_la_LDFLAGS = $(PLUGIN_LDFLAGS) -rpath /nowhere

EXTRA_DIST += \
	plugins/example/README.md \
	plugins/exec-examples/README.md \
	plugins/exec-examples/pump-station.sh \
	plugins/exec-examples/queue-depth.py
