/* citybrain handover [--json], handover sign -m TEXT, handover ack ID
 * [-m TEXT]: the shift handover note (issue 17) for scripts and the
 * operator at the end of a shift. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/xmalloc.h"
#include "tui/api.h"
#include "tui/cli.h"

/* One request; the answer's body (caller frees), or NULL after printing
 * the error. */
static json_t *
cli_ho_request(
    struct api *api, const char *method, const char *path, json_t *body)
{
	struct api_result res;
	json_t *out;

	if (api_request(api, method, path, body, &res) != 0) {
		fprintf(
		    stderr, "citybrain: %s %s: %s\n", method, path, res.error);
		api_result_free(&res);
		return NULL;
	}
	out = res.body != NULL ? res.body : json_object();
	res.body = NULL;
	api_result_free(&res);
	return out;
}

static const char *
cli_ho_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

/* A time in ms as local "MM-DD HH:MM" into buf. */
static const char *
cli_ho_time(json_t *o, const char *key, char *buf, size_t size)
{
	time_t t = (time_t)(json_integer_value(json_object_get(o, key)) / 1000);
	struct tm tm;

	if (json_integer_value(json_object_get(o, key)) == 0 ||
	    localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%m-%d %H:%M", &tm) == 0)
		snprintf(buf, size, "-");
	return buf;
}

static void
cli_ho_span(FILE *out, const char *what, json_t *sp)
{
	char a[32], b[32];

	fprintf(out, "%s %s (%s) %s .. %s", what,
	    json_is_string(json_object_get(sp, "name")) ? cli_ho_str(sp, "name")
	                                                : "off shift",
	    cli_ho_str(sp, "tz"), cli_ho_time(sp, "from_ms", a, sizeof a),
	    cli_ho_time(sp, "to_ms", b, sizeof b));
}

/* One section: its title and count, then a line per item. */
static void
cli_ho_section(FILE *out, json_t *note, const char *key, const char *title)
{
	json_t *arr = json_object_get(note, key), *x;
	char t[32];
	size_t i;

	fprintf(out, "%s (%zu)\n", title, json_array_size(arr));
	json_array_foreach(arr, i, x)
	{
		if (strcmp(key, "silences_ending") == 0) {
			fprintf(out, "  %-8s until %s by %s: %s\n",
			    cli_ho_str(x, "id"),
			    cli_ho_time(x, "end_ms", t, sizeof t),
			    cli_ho_str(x, "author"), cli_ho_str(x, "reason"));
			continue;
		}
		if (strncmp(key, "incidents_", 10) == 0) {
			fprintf(out,
			    "  %-8s %-10s lead %s, deadline %s  %s: %s\n",
			    cli_ho_str(x, "id"), cli_ho_str(x, "state"),
			    cli_ho_str(x, "lead"),
			    cli_ho_time(x, "deadline_ms", t, sizeof t),
			    cli_ho_str(x, "place"), cli_ho_str(x, "title"));
			continue;
		}
		fprintf(out, "  %-8s %-6s %-12s %s", cli_ho_str(x, "id"),
		    cli_ho_str(x, "severity"), cli_ho_str(x, "state"),
		    cli_ho_str(x, "place"));
		if (json_object_get(x, "held_by") != NULL)
			fprintf(out, "  held by %s, dept %s",
			    cli_ho_str(x, "held_by"), cli_ho_str(x, "dept"));
		if (json_object_get(x, "expires_ms") != NULL)
			fprintf(out, "  ack until %s",
			    cli_ho_time(x, "expires_ms", t, sizeof t));
		if (json_object_get(x, "deadline_ms") != NULL)
			fprintf(out, "  deadline %s",
			    cli_ho_time(x, "deadline_ms", t, sizeof t));
		fprintf(out, "  %s\n", cli_ho_str(x, "message"));
	}
}

int
cli_handover(struct api *api, int json, FILE *out)
{
	json_t *note = cli_ho_request(api, "GET", "/api/v1/handover", NULL);
	json_t *q, *x, *sum;
	char t[32];
	size_t i;

	if (note == NULL)
		return 1;
	if (json) {
		json_dumpf(note, out, JSON_INDENT(2));
		fputc('\n', out);
		json_decref(note);
		return 0;
	}
	cli_ho_span(out, "handover: shift", json_object_get(note, "shift"));
	cli_ho_span(out, "; next", json_object_get(note, "next"));
	fputc('\n', out);
	cli_ho_section(out, note, "fired", "fired during the shift");
	cli_ho_section(out, note, "open", "still open");
	cli_ho_section(out, note, "acks_expiring", "acks expiring");
	cli_ho_section(out, note, "overdue", "overdue dispatches");
	cli_ho_section(out, note, "silences_ending", "silences ending");
	cli_ho_section(out, note, "incidents_open", "open incidents");
	cli_ho_section(
	    out, note, "incidents_new", "incidents opened during the shift");
	q = json_object_get(note, "quality");
	sum = json_object_get(q, "summary");
	fprintf(out,
	    "data quality: never seen %lld, stale %lld, bad values %lld, "
	    "blind rules %lld\n",
	    (long long)json_integer_value(
	        json_object_get(sum, "declared_missing")),
	    (long long)json_integer_value(
	        json_object_get(sum, "stale_metrics")),
	    (long long)json_integer_value(
	        json_object_get(sum, "value_failures")),
	    (long long)json_integer_value(json_object_get(sum, "blind_rules")));
	json_array_foreach(json_object_get(q, "problems"), i, x)
	{
		fprintf(out,
		    "  %s: never seen %zu, stale %zu, bad values %lld\n",
		    cli_ho_str(x, "system"),
		    json_array_size(json_object_get(x, "never_seen")),
		    json_array_size(json_object_get(x, "stale")),
		    (long long)json_integer_value(
		        json_object_get(x, "bad_values")));
	}
	json_array_foreach(json_object_get(note, "pending"), i, x)
	{
		fprintf(out,
		    "waiting for acknowledgement: %s signed by %s at "
		    "%s: %s\n",
		    cli_ho_str(x, "id"), cli_ho_str(x, "signed_by"),
		    cli_ho_time(x, "signed_ms", t, sizeof t),
		    cli_ho_str(x, "note"));
	}
	json_decref(note);
	return 0;
}

int
cli_handover_sign(struct api *api, const char *text, int json, FILE *out)
{
	json_t *body = json_pack("{s:s}", "note", text), *rec;

	rec = cli_ho_request(api, "POST", "/api/v1/handover", body);
	json_decref(body);
	if (rec == NULL)
		return 1;
	if (json) {
		json_dumpf(rec, out, JSON_INDENT(2));
		fputc('\n', out);
	} else
		fprintf(out, "signed %s\n", cli_ho_str(rec, "id"));
	json_decref(rec);
	return 0;
}

int
cli_handover_ack(
    struct api *api, const char *id, const char *comment, FILE *out)
{
	char *e = api_escape(id),
	     *path = xasprintf("/api/v1/handover/%s/ack", e);
	json_t *body = json_object(), *rec;

	if (comment != NULL)
		json_object_set_new(body, "comment", json_string(comment));
	rec = cli_ho_request(api, "POST", path, body);
	free(e);
	free(path);
	json_decref(body);
	if (rec == NULL)
		return 1;
	fprintf(out, "acknowledged %s (signed by %s)\n", cli_ho_str(rec, "id"),
	    cli_ho_str(rec, "signed_by"));
	json_decref(rec);
	return 0;
}
