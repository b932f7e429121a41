/* citybrain report [--since 7d] [--by dept|subdistrict|rule]
 * [--json|--csv]: the response report (issue 17) as a table, the hub's
 * JSON, or CSV for a spreadsheet. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/api.h"
#include "tui/cli.h"
#include "tui/report-view.h"

const char *const cli_report_bys[] = {"dept", "subdistrict", "rule", NULL};

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void
cli_report_csv_str(FILE *out, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* ms as seconds ("" when null). */
static void
cli_report_csv_s(FILE *out, json_t *ms)
{
	long long v;

	if (!json_is_integer(ms))
		return;
	v = (long long)json_integer_value(ms);
	if (v % 1000 == 0)
		fprintf(out, "%lld", v / 1000);
	else
		fprintf(out, "%.3f", (double)v / 1000);
}

static void
cli_report_csv_row(FILE *out, json_t *row, const char *key)
{
	static const char *const ints[] = {
	    "dispatched", "alerts", "cases", "acknowledged", NULL};
	json_t *sh = json_object_get(row, "in_time_share");
	size_t i;

	cli_report_csv_str(out, key);
	fputc(',', out);
	cli_report_csv_str(
	    out, json_string_value(json_object_get(row, "place")));
	for (i = 0; ints[i] != NULL; i++)
		fprintf(out, ",%lld",
		    (long long)json_integer_value(
		        json_object_get(row, ints[i])));
	fputc(',', out);
	cli_report_csv_s(out, json_object_get(row, "ack_p50_ms"));
	fputc(',', out);
	cli_report_csv_s(out, json_object_get(row, "ack_p90_ms"));
	fprintf(out, ",%lld,",
	    (long long)json_integer_value(json_object_get(row, "resolved")));
	cli_report_csv_s(out, json_object_get(row, "resolve_p50_ms"));
	fputc(',', out);
	cli_report_csv_s(out, json_object_get(row, "resolve_p90_ms"));
	fprintf(out, ",%lld,%lld,",
	    (long long)json_integer_value(json_object_get(row, "due")),
	    (long long)json_integer_value(json_object_get(row, "in_time")));
	if (json_is_number(sh))
		fprintf(out, "%.4f", json_number_value(sh));
	fprintf(out, ",%lld,%lld,%lld\r\n",
	    (long long)json_integer_value(json_object_get(row, "overdue")),
	    (long long)json_integer_value(json_object_get(row, "open_overdue")),
	    (long long)json_integer_value(json_object_get(row, "escalations")));
}

/* "2026-12-06 11:40" (local) of ms. */
static void
cli_report_when(json_t *ms, char *buf, size_t size)
{
	time_t t = (time_t)(json_integer_value(ms) / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, size, "?");
}

static void
cli_report_text(FILE *out, json_t *rep)
{
	json_t *rows = json_object_get(rep, "rows"), *w;
	const char *by = json_string_value(json_object_get(rep, "by"));
	struct buf b = BUF_INIT;
	char from[32], to[32];
	int keyw = 11;
	size_t i;

	json_array_foreach(rows, i, w)
	{
		const char *k = json_string_value(json_object_get(w, "key"));
		int n = k != NULL ? (int)strlen(k) : 0;

		if (n > keyw && n <= 24)
			keyw = n;
	}
	cli_report_when(json_object_get(rep, "from_ms"), from, sizeof from);
	cli_report_when(json_object_get(rep, "to_ms"), to, sizeof to);
	fprintf(out, "Response by %s, %s .. %s\n", report_view_by_title(by),
	    from, to);
	report_view_heading(&b, keyw);
	fprintf(out, "%s\n", buf_str(&b));
	json_array_foreach(rows, i, w)
	{
		const char *place =
		    json_string_value(json_object_get(w, "place"));

		buf_reset(&b);
		report_view_row(
		    &b, w, json_string_value(json_object_get(w, "key")), keyw);
		fprintf(out, "%s%s%s\n", buf_str(&b), place != NULL ? "  " : "",
		    place != NULL ? place : "");
	}
	buf_reset(&b);
	report_view_row(&b, json_object_get(rep, "total"), "total", keyw);
	fprintf(out, "%s\n", buf_str(&b));
	fprintf(out, "times: median and 90th percentile from the dispatch; "
	             "IN TIME: resolved by the deadline / deadlines reached\n");
	buf_free(&b);
}

int
cli_report(struct api *api, const char *since, const char *by, int json,
    int csv, FILE *out)
{
	struct api_result res;
	struct buf path = BUF_INIT;
	json_t *rows, *w;
	char *e;
	size_t i;

	buf_puts(&path, "/api/v1/reports/response");
	if (since != NULL) {
		e = api_escape(since);
		buf_printf(&path, "?since=%s", e);
		free(e);
	}
	if (by != NULL)
		buf_printf(&path, "%sby=%s", since != NULL ? "&" : "?", by);
	if (api_request(api, "GET", buf_str(&path), NULL, &res) != 0) {
		fprintf(stderr, "citybrain: report: %s\n", res.error);
		api_result_free(&res);
		buf_free(&path);
		return 1;
	}
	buf_free(&path);
	if (json) {
		json_dumpf(res.body, out, JSON_INDENT(2));
		fputc('\n', out);
	} else if (csv) {
		fputs("key,place,dispatched,alerts,cases,acknowledged,"
		      "ack_p50_s,ack_p90_s,resolved,resolve_p50_s,"
		      "resolve_p90_s,due,in_time,in_time_share,overdue,"
		      "open_overdue,escalations\r\n",
		    out);
		rows = json_object_get(res.body, "rows");
		json_array_foreach(rows, i, w) cli_report_csv_row(
		    out, w, json_string_value(json_object_get(w, "key")));
		cli_report_csv_row(
		    out, json_object_get(res.body, "total"), "total");
	} else
		cli_report_text(out, res.body);
	api_result_free(&res);
	return 0;
}
