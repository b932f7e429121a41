/* The hub's forwarding (GET /api/v1/status/remote) as the console shows
 * it: the Quality screen's "Forwarding" section and `citybrain quality`. */
#ifndef CB_TUI_REMOTE_VIEW_H
#define CB_TUI_REMOTE_VIEW_H

#include <jansson.h>

struct buf;

/* How a target looks: fine, behind (lag past a minute, or waiting), or
 * losing data / failing (drops, retrying after a failure). */
enum remote_view_level { REMOTE_VIEW_OK, REMOTE_VIEW_WARN, REMOTE_VIEW_BAD };

/* The title of the status document doc: "Forwarding: 2 targets, dropped
 * 950" or "Forwarding: off (no remote_write)"; appended to b. */
void remote_view_title(json_t *doc, struct buf *b);
/* One target t of the document as a line (name, state, lag, queue, sent,
 * dropped, failures, last error), appended to b; returns its level. */
enum remote_view_level remote_view_target(json_t *t, struct buf *b);

#endif
