/*
 * The history view of one alert (tui/alert-detail.c): its fields,
 * departments, acknowledgement and every recorded change, drawn from
 * line `top` on so that the operator can scroll a long history.
 */
#ifndef CB_TUI_ALERT_DETAIL_H
#define CB_TUI_ALERT_DETAIL_H

#include <curses.h>

#include "tui/model.h"

struct api_result;
struct screen;

/* A screen's history view of one alert (Alerts, Desk): open while id is
 * set (owned), the detail as last fetched, the first line shown. */
struct alert_detail_view {
	char *id;
	struct model_alert_detail detail;
	int inflight;
	int top;
};

/* Show alert id's history (from the top; the hub is asked at the next
 * fetch); close it (frees what it holds). */
void alert_detail_open(struct alert_detail_view *v, const char *id);
void alert_detail_close(struct alert_detail_view *v);
/* Ask the hub for the open alert's history for screen s (unless a request
 * is on its way): fn is the screen's callback, which passes the answer to
 * alert_detail_done(). */
void alert_detail_fetch(struct alert_detail_view *v, struct screen *s,
    void (*fn)(struct screen *, struct api_result *));
void alert_detail_done(
    struct alert_detail_view *v, struct screen *s, struct api_result *res);
/* Arrows, j/k and pages scroll the history (*top): 1 if key was one. */
int alert_detail_scroll(int *top, int key);
/* Draws d (or "Loading id ..." while it is not fetched yet) into w. */
void alert_detail_draw(const struct model_alert_detail *d, const char *id,
    int top, WINDOW *w, int rows, int cols);

#endif
