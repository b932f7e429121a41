# hub/worker/: grid workers in the field (issue 16): enrolment, tasks,
# building check-ins and the phone page at /m/.  Included after
# hub/remote/local.mk; only appends.  The page (hub/worker/page/) is built
# into citybraind as C arrays by hub/worker/embed.sh.
hub_libcbhub_a_SOURCES += \
	hub/worker/worker.h hub/worker/worker-int.h \
	hub/worker/worker-registry.c \
	hub/worker/worker-route.c \
	hub/worker/worker-grant.c \
	hub/worker/worker-limit.c \
	hub/worker/worker-photo.c \
	hub/worker/worker-photo-decode.c \
	hub/worker/worker-page.c
WORKER_PAGE = $(srcdir)/hub/worker/page/index.html \
	$(srcdir)/hub/worker/page/app.js
nodist_hub_libcbhub_a_SOURCES += hub/worker/page-data.c
BUILT_SOURCES += hub/worker/page-data.c
CLEANFILES += hub/worker/page-data.c
EXTRA_DIST += $(WORKER_PAGE) hub/worker/embed.sh

hub/worker/page-data.c: $(WORKER_PAGE) $(srcdir)/hub/worker/embed.sh
	$(AM_V_GEN)$(MKDIR_P) hub/worker && \
	$(SHELL) $(srcdir)/hub/worker/embed.sh \
		$(srcdir)/hub/worker/page/index.html worker_page_html \
		$(srcdir)/hub/worker/page/app.js worker_page_js >$@.tmp && \
	mv $@.tmp $@

WORKER_INTEGRATION_TESTS = \
	tests/integration/t-worker-api.sh \
	tests/integration/t-worker-page.sh \
	tests/integration/t-worker-photo-race.sh \
	tests/integration/t-worker-signin.sh \
	tests/integration/t-worker-console.sh
TESTS += $(WORKER_INTEGRATION_TESTS)
EXTRA_DIST += $(WORKER_INTEGRATION_TESTS) tests/integration/worker-lib.sh \
	tests/integration/cdp.py tests/integration/phone.py \
	tests/integration/worker-page.py tests/integration/worker-photo-race.py

check_PROGRAMS += tests/fuzz/fuzz-worker-photo
TESTS += tests/fuzz/fuzz-worker-photo
tests_fuzz_fuzz_worker_photo_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_worker_photo_SOURCES = tests/fuzz/fuzz-worker-photo.c \
	$(FUZZ_DRIVER)
tests_fuzz_fuzz_worker_photo_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_worker_photo_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_worker_photo_LDADD = $(HUB_LIBS)
EXTRA_DIST += tests/fuzz/corpus/worker-photo
