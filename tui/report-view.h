/*
 * The response report (GET /api/v1/reports/response) as text, shared by
 * `citybrain report` and the Reports screen: durations, the in-time
 * share, the table's heading and rows, and small bars.
 */
#ifndef CB_TUI_REPORT_VIEW_H
#define CB_TUI_REPORT_VIEW_H

#include <stddef.h>

#include <jansson.h>

struct buf;

/* ms (an integer, or null: "-") as "45s", "12m", "1h30m", "2d3h". */
void report_view_duration(json_t *ms, char *buf, size_t size);
/* A row's in-time share as "2/4 50%" ("-" when nothing was due). */
void report_view_share(json_t *row, char *buf, size_t size);
/* A row's times and in-time share as text. */
struct report_view_times {
	char ack50[16], ack90[16], res50[16], res90[16], share[32];
};
void report_view_times(json_t *row, struct report_view_times *t);
/* The heading and one row (key: the first column's text) of the table;
 * keyw: the first column's width. */
void report_view_heading(struct buf *b, int keyw);
void report_view_row(struct buf *b, json_t *row, const char *key, int keyw);
/* A bar of width cells for frac (0..1): filled and empty cells, "#" and
 * "." without UTF-8. */
void report_view_bar(struct buf *b, double frac, int width, int utf8);
/* "department", "subdistrict", "rule" for the report's "by". */
const char *report_view_by_title(const char *by);

#endif
