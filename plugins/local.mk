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
	plugins/exec-examples/README.md

# Installed for plugin authors: the ABI header's pkg-config file (the header
# itself: collectors/local.mk) and the example exec plugins
# ($(pkglibdir)/exec, which collector.json refers to).
pkgconfigdir = $(libdir)/pkgconfig
nodist_pkgconfig_DATA = plugins/citybrain-plugin.pc
cbexecdir = $(pkglibdir)/exec
dist_cbexec_SCRIPTS = \
	plugins/exec-examples/pump-station.sh \
	plugins/exec-examples/queue-depth.py

# Plugins are dlopen()ed by file name: libtool's .la files are not needed.
install-data-hook: install-cb-plugins-nola
install-cb-plugins-nola:
	for f in $(plugin_LTLIBRARIES); do \
	    rm -f "$(DESTDIR)$(plugindir)/$${f##*/}"; done
.PHONY: install-cb-plugins-nola
