/* Case commands of the console (see cli-case.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "tui/api.h"
#include "tui/cli-case.h"

static const char *
cli_case_str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : dflt;
}

/* "08:30" today, else "12-07 08:30", local time; "-" for none. */
static void
cli_case_time(json_t *ms, char *out, size_t len)
{
	time_t t = (time_t)(json_integer_value(ms) / 1000), now = time(NULL);
	struct tm tm, tn;

	if (!json_is_integer(ms)) {
		snprintf(out, len, "-");
		return;
	}
	localtime_r(&t, &tm);
	localtime_r(&now, &tn);
	strftime(out, len,
	    tm.tm_yday == tn.tm_yday && tm.tm_year == tn.tm_year
	        ? "%H:%M"
	        : "%m-%d %H:%M",
	    &tm);
}

/* "lead (+support,support)" of a case, or "(dispatch queue)". */
static void
cli_case_depts(json_t *c, struct buf *b)
{
	json_t *d;
	size_t i, n = 0;

	buf_reset(b);
	if (json_string_value(
	        json_object_get(json_object_get(c, "case"), "queue")) != NULL) {
		buf_puts(b, "(dispatch queue)");
		return;
	}
	buf_puts(b, cli_case_str(c, "dept", "-"));
	json_array_foreach(json_object_get(c, "depts"), i, d)
	{
		if (strcmp(cli_case_str(d, "role", ""), "support") != 0)
			continue;
		buf_printf(b, "%s%s", n++ == 0 ? " (+" : ",",
		    cli_case_str(d, "dept", "?"));
	}
	if (n > 0)
		buf_puts(b, ")");
}

int
cli_case_new(
    struct api *api, const struct cli_case_args *a, int json, FILE *out)
{
	struct api_result res;
	json_t *body = json_pack("{s:s}", "text", a->text), *k;
	struct buf depts = BUF_INIT;
	char when[32];
	int rc = 0;

	if (a->category != NULL)
		json_object_set_new(body, "category", json_string(a->category));
	if (a->grid != NULL)
		json_object_set_new(body, "grid", json_string(a->grid));
	if (a->address != NULL)
		json_object_set_new(body, "address", json_string(a->address));
	if (a->source != NULL)
		json_object_set_new(body, "source", json_string(a->source));
	if (api_request(api, "POST", "/api/v1/cases", body, &res) != 0) {
		fprintf(stderr, "citybrain: case new: %s\n", res.error);
		rc = res.status == 400 || res.status == 403 ? 2 : 1;
		goto out;
	}
	if (json) {
		json_dumpf(res.body, out, JSON_INDENT(2));
		fputc('\n', out);
		goto out;
	}
	k = json_object_get(res.body, "case");
	cli_case_depts(res.body, &depts);
	cli_case_time(
	    json_object_get(res.body, "deadline_ms"), when, sizeof when);
	if (json_string_value(json_object_get(k, "queue")) != NULL)
		fprintf(out,
		    "case %s at %s: no category matches \"%s\": waits in the "
		    "dispatch desk's queue (deadline %s)\n",
		    cli_case_str(res.body, "id", "?"),
		    cli_case_str(res.body, "place", "?"),
		    cli_case_str(k, "category", ""), when);
	else
		fprintf(out,
		    "case %s at %s: category %s, routed to %s, deadline %s\n",
		    cli_case_str(res.body, "id", "?"),
		    cli_case_str(res.body, "place", "?"),
		    cli_case_str(k, "category", "?"), buf_str(&depts), when);
out:
	buf_free(&depts);
	api_result_free(&res);
	json_decref(body);
	return rc;
}

int
cli_cases(struct api *api, int queue, int json, FILE *out)
{
	struct api_result res;
	struct buf depts = BUF_INIT;
	json_t *c, *k;
	size_t i;
	char when[32];

	if (api_request(api, "GET",
	        queue ? "/api/v1/cases?queue=dispatch" : "/api/v1/cases", NULL,
	        &res) != 0) {
		fprintf(stderr, "citybrain: cases: %s\n", res.error);
		api_result_free(&res);
		return 1;
	}
	if (json) {
		json_dumpf(res.body, out, JSON_INDENT(2));
		fputc('\n', out);
		api_result_free(&res);
		return 0;
	}
	fprintf(out, "%-8s %-12s %-34s %-11s %-15s %s\n", "ID", "STATE",
	    "DEPARTMENTS", "DEADLINE", "PLACE", "CATEGORY: TEXT");
	json_array_foreach(json_object_get(res.body, "cases"), i, c)
	{
		k = json_object_get(c, "case");
		cli_case_depts(c, &depts);
		cli_case_time(
		    json_object_get(c, "deadline_ms"), when, sizeof when);
		fprintf(out, "%-8s %-12s %-34s %-11s %-15s %s: %s\n",
		    cli_case_str(c, "id", "?"), cli_case_str(c, "state", "?"),
		    buf_str(&depts), when, cli_case_str(c, "code", "-"),
		    cli_case_str(k, "category", "-"),
		    cli_case_str(c, "message", ""));
	}
	fprintf(out, "%lld case%s%s\n",
	    (long long)json_integer_value(json_object_get(res.body, "total")),
	    json_integer_value(json_object_get(res.body, "total")) == 1 ? ""
	                                                                : "s",
	    queue ? " in the dispatch queue" : "");
	buf_free(&depts);
	api_result_free(&res);
	return 0;
}
