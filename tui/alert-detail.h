/*
 * The history view of one alert (tui/alert-detail.c): its fields,
 * departments, acknowledgement and every recorded change, drawn from
 * line `top` on so that the operator can scroll a long history.
 */
#ifndef CB_TUI_ALERT_DETAIL_H
#define CB_TUI_ALERT_DETAIL_H

#include <curses.h>

#include "tui/model.h"

/* Draws d (or "Loading id ..." while it is not fetched yet) into w. */
/* Arrows, j/k and pages scroll the history (*top): 1 if key was one. */
int alert_detail_scroll(int *top, int key);
void alert_detail_draw(const struct model_alert_detail *d, const char *id,
    int top, WINDOW *w, int rows, int cols);

#endif
