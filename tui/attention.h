/*
 * Attention: what calls an operator to a new alert from any screen.  The
 * console polls two small alert lists each refresh (the counted total,
 * and the unacknowledged alerts of the attention severities), keeps the
 * header's count and badge ("alerts 36", "▲3 unacked high", ASCII "!3"),
 * rings the terminal bell and/or flashes the header when a new counted
 * alert of those severities arrives, and remembers which alerts the
 * operator has looked at on the Alerts screen ("new since you looked").
 * At rest nothing it draws changes, so it costs no terminal bytes.
 */
#ifndef CB_TUI_ATTENTION_H
#define CB_TUI_ATTENTION_H

#include <curses.h>
#include <stdint.h>

#include "lib/buf.h"
#include "tui/model.h"

struct app;
struct api;

/* Severities as bits: 1 << SEV_HIGH etc. */
struct attention_opts {
	unsigned bell;  /* ring the bell for a new alert of these */
	unsigned flash; /* flash the header for a new alert of these */
};

/* Parse "high,medium" or "off" into severity bits; -1 if a value is
 * unknown. */
int attention_sevs_parse(const char *list, unsigned *out);

/* The state; owned by the app (attention_free). */
struct attention *attention_new(const struct attention_opts *opts);
void attention_free(struct attention *at);

/* Start this refresh's polls (none while the last ones are out). */
void attention_refresh(struct attention *at, struct app *app);

/* The header's text for the counts ("alerts 36", with the badge after it
 * in *badge, "" when no unacknowledged high alert); 0 before the first
 * answer. */
int attention_header(
    const struct attention *at, struct buf *count, struct buf *badge);
/* Is the header flashing now (a reverse-video moment after a new alert)? */
int attention_flashing(const struct attention *at, int64_t now_mono_ms);

/* New since the operator last looked at the Alerts screen? */
int attention_is_new(const struct attention *at, const char *id);
/* The Alerts screen listed al (its newest is now shown) / was left (what
 * it showed is now seen). */
void attention_listed(struct attention *at, const struct model_alerts *al);
void attention_looked(struct attention *at);

/* The alert number of an id ("A000123" -> 123, a case's "C000124" ->
 * 124; -1 if not one). */
long long attention_alert_num(const char *id);

#endif
