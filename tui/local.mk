# tui/: the citybrain operator console.
bin_PROGRAMS += tui/citybrain
tui_citybrain_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS) $(LIBCURL_CFLAGS) $(JANSSON_CFLAGS)
tui_citybrain_SOURCES = tui/citybrain.c
tui_citybrain_LDADD = $(CB_LIB) $(NCURSES_LIBS) $(LIBCURL_LIBS) $(JANSSON_LIBS)
