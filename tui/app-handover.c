/* The console at start-up: a signed shift handover note waiting for the
 * incoming operator comes first, as a message naming it (issue 17). */
#include "config.h"

#include <string.h>

#include "tui/api.h"
#include "tui/app.h"

static const char *
app_handover_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "?";
}

static void
app_handover_done(void *arg, struct api_result *res)
{
	struct app *app = arg;
	json_t *p = json_array_get(json_object_get(res->body, "pending"), 0);
	size_t n = json_array_size(json_object_get(res->body, "pending"));

	if (res->error != NULL || p == NULL)
		return;
	/* The incoming operator's console opens on the note. */
	if (app->who.user == NULL ||
	    strcmp(app_handover_str(p, "signed_by"), app->who.user) != 0)
		app_switch(app, APP_HANDOVER);
	app_message(app, 0,
	    "handover %s from %s waiting%s: \"%s\"  (citybrain handover; "
	    "ack: citybrain handover ack %s)",
	    app_handover_str(p, "id"), app_handover_str(p, "signed_by"),
	    n > 1 ? " (and more)" : "", app_handover_str(p, "note"),
	    app_handover_str(p, "id"));
}

void
app_handover_check(struct app *app)
{
	api_start(
	    app->api, "GET", "/api/v1/handover", NULL, app_handover_done, app);
}
