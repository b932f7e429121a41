/*
 * The Alerts screen's own state, shared by its two files: screen-alerts.c
 * (fetching, drawing, keys) and screen-alerts-rows.c (the table's rows:
 * cells, sorting, filtering, grouping, tags).  Private to them.
 */
#ifndef CB_TUI_SCREEN_ALERTS_INT_H
#define CB_TUI_SCREEN_ALERTS_INT_H

#include <stddef.h>

#include "tui/alert-detail.h"
#include "tui/model.h"
#include "tui/screen.h"
#include "tui/widget-table.h"

enum {
	AC_SEV,
	AC_AGE,
	AC_ID,
	AC_PLACE,
	AC_MESSAGE,
	AC_DEPT,
	AC_STATE,
	AC_ACK,
	AC_NCOLS,
};

extern const struct table_col alerts_cols[AC_NCOLS];

struct screen_alerts {
	struct screen base;
	struct model_alerts al;
	char *code; /* only alerts inside this code */
	int all;    /* include resolved and closed */
	int inflight;
	size_t *rows;
	size_t nrows;
	unsigned *rowcnt; /* > 1: a collapsed group of that many alerts */
	struct table tab;
	char **tags;
	size_t ntags;
	/* Grouping: many alerts of one rule in one place, one line. */
	int grouped;
	char **expanded; /* group keys shown expanded */
	size_t nexpanded;
	/* History view of one alert. */
	struct alert_detail_view dv;
	int want_newest; /* select the newest alert once the list is in */
	/* al_cols, the Id column as wide as the longest id listed (a city
	 * hub's are "440304-A000123"). */
	struct table_col cols[AC_NCOLS];
};

static inline struct screen_alerts *
al(struct screen *s)
{
	return (struct screen_alerts *)s;
}

/* Whether a row's alert is tagged (the table's callback). */
int alerts_tagged_cb(void *arg, size_t row);
/* Whether s is in set[0..n); empty the set (frees the strings). */
int alerts_in_set(char **set, size_t n, const char *s);
void alerts_set_clear(char ***set, size_t *n);
void alerts_tags_clear(struct screen_alerts *a);
/* The alerts a table row stands for: itself, or every member (matching
 * the filter) of its collapsed group.  Calls fn for each. */
void alerts_row_members(struct screen_alerts *a, size_t row,
    void (*fn)(const struct model_alert *x, void *arg), void *arg);
/* A cell of the table (its cell callback). */
void alerts_cell(void *arg, size_t row, int col, struct buf *b, attr_t *at);
/* Filter, sort and group the alerts into the table's rows. */
void alerts_rebuild(struct screen_alerts *a);

#endif
