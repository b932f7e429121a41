/* The hub's forwarding as the console shows it (tui/remote-view.h). */
#include "config.h"

#include <string.h>

#include "lib/buf.h"
#include "tui/remote-view.h"

static long long
rv_int(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void
remote_view_title(json_t *doc, struct buf *b)
{
	json_t *targets = json_object_get(doc, "targets"), *t;
	long long dropped = 0;
	size_t i, n = json_array_size(targets);

	if (n == 0) {
		buf_puts(b, "Forwarding: off (no remote_write targets)");
		return;
	}
	json_array_foreach(targets, i, t) dropped +=
	    rv_int(t, "dropped_samples");
	buf_printf(b, "Forwarding: %zu target%s, dropped %lld", n,
	    n == 1 ? "" : "s", dropped);
}

enum remote_view_level
remote_view_target(json_t *t, struct buf *b)
{
	const char *state = json_string_value(json_object_get(t, "state"));
	const char *err = json_string_value(json_object_get(t, "last_error"));
	json_t *f = json_object_get(t, "failures");
	double lag = json_number_value(json_object_get(t, "lag_seconds"));
	long long queue = rv_int(t, "queue_bytes");
	long long dropped = rv_int(t, "dropped_samples");
	long long failures = rv_int(f, "network") + rv_int(f, "429") +
	                     rv_int(f, "5xx") + rv_int(f, "4xx");

	if (state == NULL)
		state = "?";
	buf_printf(b,
	    "%-12s %-9s lag %.0fs  queue %lld B  sent %lld  dropped %lld  "
	    "failures %lld  retries %lld",
	    json_string_value(json_object_get(t, "name")) ?: "?", state, lag,
	    queue, rv_int(t, "sent_samples"), dropped, failures,
	    rv_int(t, "retries"));
	if (err != NULL && strcmp(state, "caught_up") != 0)
		buf_printf(b, "  last error: %s", err);
	if (dropped > 0 || strcmp(state, "retrying") == 0)
		return REMOTE_VIEW_BAD;
	if (lag > 60 || strcmp(state, "behind") == 0)
		return REMOTE_VIEW_WARN;
	return REMOTE_VIEW_OK;
}
