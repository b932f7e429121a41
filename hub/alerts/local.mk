# hub/alerts/local.mk: the alerts module of citybraind (issue 5): rules, alert
# lifecycle, dispatch, silences, webhooks, the audit log and their routes.
# Included right after hub/local.mk; only appends.  The sources go into the
# hub's convenience library so citybraind, the unit tests and the bench
# link the same objects; -DHUB_WITH_ALERTS makes server.c and main.c use
# them.
HUB_CPPFLAGS += -DHUB_WITH_ALERTS $(LIBCURL_CFLAGS) $(ROCKSDB_CFLAGS)
hub_libcbhub_a_SOURCES += \
	hub/alerts/audit.c hub/alerts/audit.h \
	hub/alerts/alert-kv.c hub/alerts/alert-kv.h \
	hub/alerts/alert-kv-store.c hub/alerts/alert-kv-store.h \
	hub/alerts/alert-rules.c hub/alerts/alert-rules.h \
	hub/alerts/alert-template.c \
	hub/alerts/alert-rules-inhibit.c hub/alerts/alert-rules-inhibit.h \
	hub/alerts/alert-rules-escalation.c hub/alerts/alert-rules-escalation.h \
	hub/alerts/alert-model.c hub/alerts/alert-model.h \
	hub/alerts/alert-silence.c hub/alerts/alert-silence.h \
	hub/alerts/alert-notify.c hub/alerts/alert-notify.h \
	hub/alerts/alerts.h \
	hub/alerts/alert-engine.c hub/alerts/alert-engine.h hub/alerts/alert-internal.h \
	hub/alerts/alert-audit.c \
	hub/alerts/alert-place.c \
	hub/alerts/alert-inhibit.c \
	hub/alerts/alert-eval.c \
	hub/alerts/alert-action.c \
	hub/alerts/alert-worker.c hub/alerts/alert-worker.h \
	hub/alerts/alert-event.c \
	hub/alerts/alert-bounds.c \
	hub/alerts/alert-list.c \
	hub/alerts/alert-timers.c \
	hub/alerts/alert-escalation.c \
	hub/alerts/handover.c hub/alerts/handover.h \
	hub/alerts/handover-shifts.c \
	hub/alerts/alert-ack-shift.c \
	hub/alerts/alert-hub.c \
	hub/alerts/route-alerts.c hub/alerts/route-alerts.h \
	hub/alerts/route-events.c \
	hub/alerts/route-audit.c \
	hub/alerts/route-handover.c
# Cases (issue 17): reported work routed by category (case.h).
hub_libcbhub_a_SOURCES += \
	hub/alerts/case-categories.c hub/alerts/case-categories.h \
	hub/alerts/case.c hub/alerts/case.h \
	hub/alerts/case-place.c \
	hub/alerts/route-cases.c
# Departments and desks (issue 17): departments' parts, desks' queues.
hub_libcbhub_a_SOURCES += \
	hub/alerts/alert-dept-part.c \
	hub/alerts/desk-config.c hub/alerts/desk.c hub/alerts/desk.h \
	hub/alerts/route-desks.c
# Incidents (issue 17): alerts that are one situation (incident.h).
hub_libcbhub_a_SOURCES += \
	hub/alerts/alert-rules-incident.c hub/alerts/alert-rules-incident.h \
	hub/alerts/incident.c hub/alerts/incident.h \
	hub/alerts/incident-engine.h hub/alerts/incident-api.c \
	hub/alerts/route-incidents.c
HUB_LIBS += $(LIBCURL_LIBS)

# Everything a test or bench of the alerts module links, in order.
ALERTS_TEST_LDADD = $(HUB_LIBS) $(CB_STORE) $(CB_LIB) $(ROCKSDB_LIBS) \
	$(LIBCURL_LIBS) $(LIBEVENT_LIBS) $(LIBCRYPTO_LIBS) $(JANSSON_LIBS) \
	$(CHECK_LIBS)
ALERTS_TEST_CPPFLAGS = $(UNIT_CPPFLAGS) $(HUB_CPPFLAGS)

dist_citybrainconf_DATA += conf/rules.json
EXTRA_DIST += conf/futian/rules.json docs/alerts.md

if HAVE_CHECK
check_PROGRAMS += tests/unit/test-audit tests/unit/test-alert-rules \
	tests/unit/test-alert-engine tests/unit/test-alert-timers \
	tests/unit/test-alert-eval tests/unit/test-alert-notify
TESTS += tests/unit/test-audit tests/unit/test-alert-rules \
	tests/unit/test-alert-engine tests/unit/test-alert-timers \
	tests/unit/test-alert-eval tests/unit/test-alert-notify
tests_unit_test_audit_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_audit_SOURCES = tests/unit/test-audit.c
tests_unit_test_audit_LDADD = $(ALERTS_TEST_LDADD)
check_PROGRAMS += tests/unit/test-audit-tamper
TESTS += tests/unit/test-audit-tamper
tests_unit_test_audit_tamper_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_audit_tamper_SOURCES = tests/unit/test-audit-tamper.c
tests_unit_test_audit_tamper_LDADD = $(ALERTS_TEST_LDADD)
tests_unit_test_alert_rules_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_alert_rules_SOURCES = tests/unit/test-alert-rules.c
tests_unit_test_alert_rules_LDADD = $(ALERTS_TEST_LDADD)
tests_unit_test_alert_engine_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_alert_engine_SOURCES = tests/unit/test-alert-engine.c \
	tests/unit/alert-test-util.h tests/unit/alert-engine-util.h
tests_unit_test_alert_engine_LDADD = $(ALERTS_TEST_LDADD)
tests_unit_test_alert_timers_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_alert_timers_SOURCES = tests/unit/test-alert-timers.c \
	tests/unit/alert-test-util.h tests/unit/alert-engine-util.h
tests_unit_test_alert_timers_LDADD = $(ALERTS_TEST_LDADD)
tests_unit_test_alert_eval_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_alert_eval_SOURCES = tests/unit/test-alert-eval.c \
	tests/unit/alert-test-util.h
tests_unit_test_alert_eval_LDADD = $(ALERTS_TEST_LDADD)
tests_unit_test_alert_notify_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_alert_notify_SOURCES = tests/unit/test-alert-notify.c \
	tests/unit/alert-test-util.h
tests_unit_test_alert_notify_LDADD = $(ALERTS_TEST_LDADD)
check_PROGRAMS += tests/unit/test-alert-inhibit
TESTS += tests/unit/test-alert-inhibit
tests_unit_test_alert_inhibit_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_alert_inhibit_SOURCES = tests/unit/test-alert-inhibit.c \
	tests/unit/alert-test-util.h
tests_unit_test_alert_inhibit_LDADD = $(ALERTS_TEST_LDADD)
check_PROGRAMS += tests/unit/test-alert-scope
TESTS += tests/unit/test-alert-scope
tests_unit_test_alert_scope_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_alert_scope_SOURCES = tests/unit/test-alert-scope.c \
	tests/unit/alert-test-util.h tests/unit/alert-engine-util.h
tests_unit_test_alert_scope_LDADD = $(ALERTS_TEST_LDADD)
endif

ALERTS_INTEGRATION_TESTS = \
	tests/integration/t-alerts-api.sh \
	tests/integration/t-alerts-escalation.sh \
	tests/integration/t-handover.sh \
	tests/integration/t-alerts-layers.sh \
	tests/integration/t-alerts-inhibit.sh \
	tests/integration/t-alerts-rules.sh \
	tests/integration/t-audit-anchor.sh \
	tests/integration/t-events-scope.sh
TESTS += $(ALERTS_INTEGRATION_TESTS)
EXTRA_DIST += $(ALERTS_INTEGRATION_TESTS)

noinst_PROGRAMS += bench/rules-bench
bench_rules_bench_CPPFLAGS = $(HUB_CPPFLAGS)
bench_rules_bench_SOURCES = bench/rules-bench.c
bench_rules_bench_LDADD = $(HUB_LIBS) $(CB_STORE) $(CB_LIB) $(ROCKSDB_LIBS) \
	$(LIBCURL_LIBS) $(LIBEVENT_LIBS) $(LIBCRYPTO_LIBS) $(JANSSON_LIBS) -lm

# audit-bench: appends and start-up verification of the keyed audit chain.
noinst_PROGRAMS += bench/audit-bench
bench_audit_bench_CPPFLAGS = $(HUB_CPPFLAGS)
bench_audit_bench_SOURCES = bench/audit-bench.c
bench_audit_bench_LDADD = $(bench_rules_bench_LDADD)

# The rules loader (with "inhibits") under the fuzz driver.
check_PROGRAMS += tests/fuzz/fuzz-alert-rules
TESTS += tests/fuzz/fuzz-alert-rules
tests_fuzz_fuzz_alert_rules_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_alert_rules_SOURCES = tests/fuzz/fuzz-alert-rules.c \
	$(FUZZ_DRIVER)
tests_fuzz_fuzz_alert_rules_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_alert_rules_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_alert_rules_LDADD = $(HUB_LIBS) $(CB_LIB) $(JANSSON_LIBS)
EXTRA_DIST += tests/fuzz/corpus/alert-rules

# Cases (issue 17): routing by category, the dispatch queue, their routes.
CASES_INTEGRATION_TESTS = tests/integration/t-cases.sh
TESTS += $(CASES_INTEGRATION_TESTS)
EXTRA_DIST += $(CASES_INTEGRATION_TESTS)
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-cases
TESTS += tests/unit/test-cases
tests_unit_test_cases_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_cases_SOURCES = tests/unit/test-cases.c \
	tests/unit/alert-test-util.h tests/unit/alert-engine-util.h
tests_unit_test_cases_LDADD = $(ALERTS_TEST_LDADD)
endif

# A case's address against the territory (case-place.c) under the fuzz
# driver.
check_PROGRAMS += tests/fuzz/fuzz-case-place
TESTS += tests/fuzz/fuzz-case-place
tests_fuzz_fuzz_case_place_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_case_place_SOURCES = tests/fuzz/fuzz-case-place.c \
	$(FUZZ_DRIVER)
tests_fuzz_fuzz_case_place_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_case_place_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_case_place_LDADD = $(HUB_LIBS) $(CB_LIB) $(JANSSON_LIBS)
EXTRA_DIST += tests/fuzz/corpus/case-place

# Escalation chains and mutual inhibition (issue 17).
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-alert-escalation
TESTS += tests/unit/test-alert-escalation
tests_unit_test_alert_escalation_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_alert_escalation_SOURCES = tests/unit/test-alert-escalation.c \
	tests/unit/alert-test-util.h tests/unit/alert-engine-util.h
tests_unit_test_alert_escalation_LDADD = $(ALERTS_TEST_LDADD)
endif
EXTRA_DIST += tests/integration/webhook-receiver.py

# Shifts of the shift handover (issue 17).
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-handover
TESTS += tests/unit/test-handover
tests_unit_test_handover_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_handover_SOURCES = tests/unit/test-handover.c \
	tests/unit/alert-test-util.h tests/unit/alert-engine-util.h
tests_unit_test_handover_LDADD = $(ALERTS_TEST_LDADD)
endif

# The response report (issue 17): per department, subdistrict or rule,
# computed from the alert records (report.h).
hub_libcbhub_a_SOURCES += \
	hub/alerts/report.c hub/alerts/report.h \
	hub/alerts/report-record.c hub/alerts/report-record.h \
	hub/alerts/route-report.c
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-report
TESTS += tests/unit/test-report
tests_unit_test_report_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_report_SOURCES = tests/unit/test-report.c \
	tests/unit/alert-test-util.h tests/unit/alert-engine-util.h
tests_unit_test_report_LDADD = $(ALERTS_TEST_LDADD)
endif

# report-bench: the response report over a month of history.
noinst_PROGRAMS += bench/report-bench
bench_report_bench_CPPFLAGS = $(HUB_CPPFLAGS)
bench_report_bench_SOURCES = bench/report-bench.c
bench_report_bench_LDADD = $(bench_rules_bench_LDADD)

# The report's reader of alert records under the fuzz driver.
check_PROGRAMS += tests/fuzz/fuzz-report-record
TESTS += tests/fuzz/fuzz-report-record
tests_fuzz_fuzz_report_record_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_report_record_SOURCES = tests/fuzz/fuzz-report-record.c \
	$(FUZZ_DRIVER)
tests_fuzz_fuzz_report_record_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_report_record_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_report_record_LDADD = $(HUB_LIBS) $(CB_LIB) $(JANSSON_LIBS)
EXTRA_DIST += tests/fuzz/corpus/report-record

REPORT_INTEGRATION_TESTS = tests/integration/t-report.sh
TESTS += $(REPORT_INTEGRATION_TESTS)
EXTRA_DIST += $(REPORT_INTEGRATION_TESTS)

# Departments and desks (issue 17): departments' parts, desks' queues and
# who is on them, the console's --desk.
DESKS_INTEGRATION_TESTS = tests/integration/t-desks.sh \
	tests/integration/t-console-desk.sh
TESTS += $(DESKS_INTEGRATION_TESTS)
EXTRA_DIST += $(DESKS_INTEGRATION_TESTS)
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-desks
TESTS += tests/unit/test-desks
tests_unit_test_desks_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_desks_SOURCES = tests/unit/test-desks.c \
	tests/unit/alert-test-util.h tests/unit/alert-engine-util.h
tests_unit_test_desks_LDADD = $(ALERTS_TEST_LDADD)
endif

# Incidents (issue 17): grouping, lifecycle, scope, persistence.
INCIDENTS_INTEGRATION_TESTS = tests/integration/t-incidents.sh
TESTS += $(INCIDENTS_INTEGRATION_TESTS)
EXTRA_DIST += $(INCIDENTS_INTEGRATION_TESTS)
if HAVE_CHECK
check_PROGRAMS += tests/unit/test-incidents
TESTS += tests/unit/test-incidents
tests_unit_test_incidents_CPPFLAGS = $(ALERTS_TEST_CPPFLAGS)
tests_unit_test_incidents_SOURCES = tests/unit/test-incidents.c \
	tests/unit/alert-test-util.h tests/unit/alert-engine-util.h
tests_unit_test_incidents_LDADD = $(ALERTS_TEST_LDADD)
endif
# Handover drafts built at each shift's end (issue 17, casesui17).
hub_libcbhub_a_SOURCES += hub/alerts/handover-draft.c hub/alerts/handover-tz.c
# Incident webhooks (handover17).
hub_libcbhub_a_SOURCES += hub/alerts/incident-notify.c
TESTS += tests/integration/t-incident-webhooks.sh
EXTRA_DIST += tests/integration/t-incident-webhooks.sh
# Escalation per case category and handover drafts at shift end, on the
# test clock (issue 17, casesui17).
CASESUI_INTEGRATION_TESTS = \
	tests/integration/t-case-escalation.sh \
	tests/integration/t-handover-draft.sh
TESTS += $(CASESUI_INTEGRATION_TESTS)
EXTRA_DIST += $(CASESUI_INTEGRATION_TESTS)
# A shift end missed while the hub was down: one late draft (handover17).
TESTS += tests/integration/t-handover-late.sh
EXTRA_DIST += tests/integration/t-handover-late.sh \
	tests/integration/handover-lib.sh

# The TZif reader of the shifts (handover-tz.c) under the fuzz driver.
check_PROGRAMS += tests/fuzz/fuzz-tzif
TESTS += tests/fuzz/fuzz-tzif
tests_fuzz_fuzz_tzif_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_tzif_SOURCES = tests/fuzz/fuzz-tzif.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_tzif_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_tzif_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_tzif_LDADD = $(HUB_LIBS) $(CB_LIB) $(JANSSON_LIBS)
EXTRA_DIST += tests/fuzz/corpus/tzif
