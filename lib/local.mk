# lib/: small shared modules.  Other fragments may append sources.
noinst_LIBRARIES += lib/libcitybrain.a
lib_libcitybrain_a_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(LIBCURL_CFLAGS)
lib_libcitybrain_a_SOURCES = \
	lib/buf.c lib/buf.h \
	lib/clock.c lib/clock.h \
	lib/conf.c lib/conf.h \
	lib/curlev.c lib/curlev.h \
	lib/hostport.c lib/hostport.h \
	lib/log.c lib/log.h \
	lib/valuelist.c lib/valuelist.h \
	lib/xmalloc.c lib/xmalloc.h

# Compact JSON with shortest round-trip reals (the hub's replies).
lib_libcitybrain_a_SOURCES += lib/jsonout.c lib/jsonout.h
