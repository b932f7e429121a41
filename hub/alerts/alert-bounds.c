/* Bounds on what a client may store in alerts, events and silences
 * (hub.json "limits"): refused with 413 naming the limit. */
#include "config.h"

#include <string.h>

#include "hub/alerts/alert-internal.h"

int
alert_body_check_text(
    struct alert_engine *e, json_t *body, struct alert_reply *r)
{
	const char *k;
	json_t *v;

	json_object_foreach(body, k, v)
	{
		if (json_is_string(v) &&
		    json_string_length(v) > e->limits.max_text) {
			alert_reply_error(r, 413,
			    "\"%s\": %zu bytes, over limits.max_text_bytes "
			    "(%zu)",
			    k, json_string_length(v), e->limits.max_text);
			return -1;
		}
	}
	return 0;
}

int
alert_silence_check_size(
    struct alert_engine *e, json_t *body, struct alert_reply *r)
{
	json_t *m = json_object_get(body, "matchers"), *v;
	const char *k;
	size_t i;

	if (alert_body_check_text(e, body, r) != 0)
		return -1;
	if (json_array_size(m) > e->limits.max_labels) {
		alert_reply_error(r, 413,
		    "\"matchers\": %zu matchers, over limits.max_event_labels "
		    "(%zu)",
		    json_array_size(m), e->limits.max_labels);
		return -1;
	}
	json_array_foreach(m, i, v)
	{
		json_t *s;

		json_object_foreach(v, k, s)
		{
			if (json_string_length(s) > e->limits.max_label) {
				alert_reply_error(r, 413,
				    "\"matchers\"[%zu].%s: over "
				    "limits.max_label_bytes (%zu)",
				    i, k, e->limits.max_label);
				return -1;
			}
		}
	}
	return 0;
}
