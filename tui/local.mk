# tui/: the citybrain operator console.  Everything but main() is in a
# convenience library so that unit tests and bench/console-bench link it.
noinst_LIBRARIES += tui/libcbtui.a
tui_libcbtui_a_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS) $(LIBCURL_CFLAGS) \
	$(JANSSON_CFLAGS) $(QRENCODE_CFLAGS)
tui_libcbtui_a_SOURCES = \
	tui/api.c tui/api.h \
	tui/app.c tui/app.h \
	tui/alert-actions.c tui/alert-actions.h \
	tui/alert-detail.c tui/alert-detail.h \
	tui/app-header.c \
	tui/app-keys.c \
	tui/attention.c tui/attention.h \
	tui/bind.h \
	tui/cli.c tui/cli.h tui/cli-quality.c tui/cli-handover.c \
	tui/app-handover.c \
	tui/remote-view.c tui/remote-view.h \
	tui/cli-worker.c tui/cli-worker.h \
	tui/cli-case.c tui/cli-case.h \
	tui/cli-report.c tui/report-view.c tui/report-view.h \
	tui/desk.c tui/desk.h \
	tui/cli-incident.c tui/cli-incident.h \
	tui/cmd.c \
	tui/depts.c tui/depts.h \
	tui/model.c tui/model.h tui/model-int.h tui/model-more.c \
	tui/screen.h \
	tui/screen-util.c tui/screen-util.h \
	tui/screen-overview.c \
	tui/screen-territory.c \
	tui/screen-grid.c \
	tui/screen-alerts.c tui/screen-alerts-rows.c tui/screen-alerts-int.h \
	tui/screen-desk.c \
	tui/screen-map.c \
	tui/screen-systems.c \
	tui/screen-quality.c \
	tui/screen-audit.c \
	tui/screen-reports.c \
	tui/screen-incidents.c tui/screen-incidents.h \
	tui/spark.c tui/spark.h \
	tui/term.c tui/term.h \
	tui/text.c tui/text.h \
	tui/widget-table.c tui/widget-table.h
CB_TUI = tui/libcbtui.a
TUI_LIBS = $(CB_TUI) $(CB_LIB) $(NCURSES_LIBS) $(LIBCURL_LIBS) $(JANSSON_LIBS) \
	$(QRENCODE_LIBS)

bin_PROGRAMS += tui/citybrain
tui_citybrain_CPPFLAGS = $(tui_libcbtui_a_CPPFLAGS)
tui_citybrain_SOURCES = tui/citybrain.c
tui_citybrain_LDADD = $(TUI_LIBS)

man_MANS += man/citybrain.1

# Unit tests: text widths, sparklines, JSON decoding, the table widget.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-tui-text tests/unit/test-tui-model
TESTS += tests/unit/test-tui-text tests/unit/test-tui-model
tests_unit_test_tui_text_CPPFLAGS = $(UNIT_CPPFLAGS) $(NCURSES_CFLAGS)
tests_unit_test_tui_text_SOURCES = tests/unit/test-tui-text.c
tests_unit_test_tui_text_LDADD = $(TUI_LIBS) $(CHECK_LIBS)
tests_unit_test_tui_model_CPPFLAGS = $(UNIT_CPPFLAGS) $(NCURSES_CFLAGS)
tests_unit_test_tui_model_SOURCES = tests/unit/test-tui-model.c
tests_unit_test_tui_model_LDADD = $(TUI_LIBS) $(CHECK_LIBS)
endif

# Console tests through tmux against the real hub.
CONSOLE_TESTS = \
	tests/integration/t-console-cli.sh \
	tests/integration/t-console-tmux.sh \
	tests/integration/t-console-trust.sh \
	tests/integration/t-console-counts.sh \
	tests/integration/t-console-attention.sh \
	tests/integration/t-console-dispatch.sh \
	tests/integration/t-console-ascii.sh \
	tests/integration/t-console-remote.sh \
	tests/integration/t-console-reports.sh
TESTS += $(CONSOLE_TESTS)
EXTRA_DIST += $(CONSOLE_TESTS) tests/integration/console-fixture.sh
# Incidents in the console (issue 17).
TESTS += tests/integration/t-console-incidents.sh
EXTRA_DIST += tests/integration/t-console-incidents.sh

# Benchmark: frame time of the overview and bytes sent to the terminal.
noinst_PROGRAMS += bench/console-bench
bench_console_bench_CPPFLAGS = $(tui_libcbtui_a_CPPFLAGS)
bench_console_bench_SOURCES = bench/console-bench.c
bench_console_bench_LDADD = $(TUI_LIBS) -lutil

# Cases, the new-case form and the shift handover in the console (issue 17).
tui_libcbtui_a_SOURCES += \
	tui/case-form.c tui/case-form.h \
	tui/screen-cases.c \
	tui/screen-handover.c
CASESUI_CONSOLE_TESTS = tests/integration/t-console-cases.sh
TESTS += $(CASESUI_CONSOLE_TESTS)
EXTRA_DIST += $(CASESUI_CONSOLE_TESTS)
