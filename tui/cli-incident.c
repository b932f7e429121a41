/* Incident commands of the console (see cli-incident.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "tui/api.h"
#include "tui/cli-incident.h"

const char *
cli_inc_str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : dflt;
}

/* "12-07 08:30:05" (local time), "-" for none. */
static void
cli_inc_time(json_t *ms, char *out, size_t len)
{
	time_t t = (time_t)(json_integer_value(ms) / 1000);
	struct tm tm;

	if (!json_is_integer(ms)) {
		snprintf(out, len, "-");
		return;
	}
	localtime_r(&t, &tm);
	strftime(out, len, "%m-%d %H:%M:%S", &tm);
}

void
cli_inc_depts(json_t *inc, struct buf *b)
{
	json_t *d;
	size_t i;

	buf_puts(b, cli_inc_str(inc, "lead", "-"));
	json_array_foreach(json_object_get(inc, "support"), i, d)
	    buf_printf(b, "%s%s", i == 0 ? " (+" : ",", json_string_value(d));
	if (json_array_size(json_object_get(inc, "support")) > 0)
		buf_puts(b, ")");
}

/* GET path into res; prints the error and returns nonzero on failure. */
static int
cli_inc_get(struct api *api, const char *path, struct api_result *res)
{
	if (api_request(api, "GET", path, NULL, res) == 0)
		return 0;
	fprintf(stderr, "citybrain: %s\n", res->error);
	return res->status == 404 ? 2 : 1;
}

int
cli_incidents(struct api *api, int json, FILE *out)
{
	struct api_result res;
	struct buf depts = BUF_INIT;
	json_t *inc;
	size_t i;
	char when[32];
	int rc;

	if ((rc = cli_inc_get(api, "/api/v1/incidents", &res)) != 0)
		goto out;
	if (json) {
		json_dumpf(res.body, out, JSON_INDENT(2));
		fputc('\n', out);
		goto out;
	}
	fprintf(out, "%-8s %-10s %-6s %-7s %-26s %-14s %s\n", "ID", "STATE",
	    "SEV", "ALERTS", "DEPARTMENTS", "DEADLINE", "TITLE");
	json_array_foreach(json_object_get(res.body, "incidents"), i, inc)
	{
		char n[16];

		buf_reset(&depts);
		cli_inc_depts(inc, &depts);
		cli_inc_time(
		    json_object_get(inc, "deadline_ms"), when, sizeof when);
		snprintf(n, sizeof n, "%lld/%zu",
		    (long long)json_integer_value(
		        json_object_get(inc, "alerts_active")),
		    json_array_size(json_object_get(inc, "alerts")));
		fprintf(out, "%-8s %-10s %-6s %-7s %-26s %-14s %s%s\n",
		    cli_inc_str(inc, "id", "?"), cli_inc_str(inc, "state", "?"),
		    cli_inc_str(inc, "severity", "-"), n, buf_str(&depts), when,
		    cli_inc_str(inc, "title", ""),
		    json_is_true(json_object_get(inc, "overdue"))
		        ? "  [OVERDUE]"
		        : "");
	}
	fprintf(out, "%lld incidents\n",
	    (long long)json_integer_value(json_object_get(res.body, "total")));
out:
	buf_free(&depts);
	api_result_free(&res);
	return rc;
}

void
cli_incident_detail(json_t *o, struct buf *b, const char *bold)
{
	json_t *a, *t;
	size_t i;
	char when[32];

	buf_printf(b, "%s%s  %s  %s\n", bold, cli_inc_str(o, "id", "?"),
	    cli_inc_str(o, "state", "?"), cli_inc_str(o, "title", ""));
	buf_printf(b, "  severity %s, place %s (%s)\n",
	    cli_inc_str(o, "severity", "-"), cli_inc_str(o, "place", "-"),
	    cli_inc_str(o, "code", "district"));
	buf_puts(b, "  departments ");
	cli_inc_depts(o, b);
	cli_inc_time(json_object_get(o, "deadline_ms"), when, sizeof when);
	buf_printf(b, ", deadline %s%s\n", when,
	    json_is_true(json_object_get(o, "overdue")) ? " (OVERDUE)" : "");
	buf_printf(b, "%sAlerts (%zu):\n", bold,
	    json_array_size(json_object_get(o, "members")));
	json_array_foreach(json_object_get(o, "members"), i, a)
	    buf_printf(b, "  %-8s %-12s %-6s %s\n", cli_inc_str(a, "id", "?"),
	        cli_inc_str(a, "state", "?"), cli_inc_str(a, "severity", "?"),
	        cli_inc_str(a, "message", ""));
	buf_printf(b, "%sTimeline:\n", bold);
	json_array_foreach(json_object_get(o, "timeline"), i, t)
	{
		cli_inc_time(json_object_get(t, "at_ms"), when, sizeof when);
		buf_printf(b, "  %s  %-8s %-10s %s%s%s\n", when,
		    cli_inc_str(t, "alert", cli_inc_str(t, "incident", "")),
		    cli_inc_str(t, "action", "?"), cli_inc_str(t, "who", "?"),
		    json_is_string(json_object_get(t, "comment")) ? ": " : "",
		    cli_inc_str(t, "comment", ""));
	}
}

int
cli_incident(struct api *api, const char *id, int json, FILE *out)
{
	struct api_result res;
	struct buf path = BUF_INIT, text = BUF_INIT;
	int rc;

	buf_printf(&path, "/api/v1/incidents/%s", id);
	if ((rc = cli_inc_get(api, buf_str(&path), &res)) != 0)
		goto out;
	if (json) {
		json_dumpf(res.body, out, JSON_INDENT(2));
		fputc('\n', out);
		goto out;
	}
	cli_incident_detail(res.body, &text, "");
	fputs(buf_str(&text), out);
out:
	buf_free(&path);
	buf_free(&text);
	api_result_free(&res);
	return rc;
}
