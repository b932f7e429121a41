/*
 * Desks in the console (issue 17): the desk this console is on (chosen
 * at login with --desk ID or with ":desk ID"), said to the hub every
 * DESK_BEAT_MS (POST /api/v1/desks/ID/duty) and left on quit or when
 * another is chosen; the overview's line of who is on each desk; and the
 * script forms `citybrain desks` and `citybrain desk ID` (a desk's queue
 * in its configured columns).
 */
#ifndef CB_TUI_DESK_H
#define CB_TUI_DESK_H

#include <stdio.h>

#include <jansson.h>

#include "lib/buf.h"

struct api;
struct app;

#define DESK_BEAT_MS (30 * 1000)

/* Go on desk id (NULL: none), leaving the one before. */
void app_desk_set(struct app *app, const char *id);
/* Say the console is still on its desk when a beat is due. */
void app_desk_tick(struct app *app);
/* Leave the desk before quitting (one blocking request). */
void app_desk_leave(struct app *app);

/* "desks  应急指挥中心 lina,chen (3)  ..." of an overview answer's
 * "desks" into b; 0 when it has none. */
size_t desk_line(json_t *overview, struct buf *b);

/* The width of a desk's column ("place": 28), 0 for one not known; the
 * text of column col of a queue's alert a (as the hub sends it) into b. */
int desk_col_width(const char *col);
void desk_cell_text(json_t *a, const char *col, struct buf *b);
/* A desk's label: its name (name_en in ASCII), else its id (static or
 * d's). */
const char *desk_label(json_t *d);

/* `citybrain desks [--json]`, `citybrain desk ID [--json]`: the exit
 * status (0, 1 failure, 2 no such desk). */
int cli_desks(struct api *api, int json, FILE *out);
int cli_desk(struct api *api, const char *id, int json, FILE *out);

#endif
