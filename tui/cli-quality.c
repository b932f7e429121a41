/* citybrain quality [--once] [--json]: the hub's data-quality check
 * (数据质量核查) printed for scripts and cron. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "tui/api.h"
#include "tui/cli.h"
#include "tui/remote-view.h"

static long long
cli_q_int(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* "id metric, metric" for each system with names in array key. */
static void
cli_q_names(FILE *out, json_t *systems, const char *key, const char *title)
{
	json_t *s, *v;
	size_t i, k;

	json_array_foreach(systems, i, s)
	{
		json_t *a = json_object_get(s, key);

		if (json_array_size(a) == 0)
			continue;
		fprintf(out, "%-12s %s:", title,
		    json_string_value(json_object_get(s, "id")));
		json_array_foreach(a, k, v)
		{
			fprintf(out, " %s",
			    json_is_string(v)
			        ? json_string_value(v)
			        : json_string_value(
			              json_object_get(v, "name")));
		}
		fputc('\n', out);
	}
}

/* A failure's time as local HH:MM:SS into buf. */
static const char *
cli_q_time(json_t *f, char *buf, size_t size)
{
	time_t t = (time_t)(cli_q_int(f, "time_ms") / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%H:%M:%S", &tm) == 0)
		snprintf(buf, size, "?");
	return buf;
}

static void
cli_q_failures(FILE *out, json_t *systems)
{
	json_t *s, *f;
	char hm[16];
	size_t i, k;

	json_array_foreach(systems, i, s)
	{
		json_t *vf = json_object_get(s, "value_failures");

		if (cli_q_int(vf, "total") == 0)
			continue;
		fprintf(out, "%-12s %s: %lld reading%s\n", "bad values",
		    json_string_value(json_object_get(s, "id")),
		    cli_q_int(vf, "total"),
		    cli_q_int(vf, "total") == 1 ? "" : "s");
		json_array_foreach(json_object_get(vf, "list"), k, f)
		{
			const char *grid =
			    json_string_value(json_object_get(f, "grid"));

			fprintf(out,
			    "             %s %s %s %g in %s (expected %s)\n",
			    cli_q_time(f, hm, sizeof hm),
			    json_string_value(json_object_get(f, "metric")),
			    json_string_value(json_object_get(f, "check")),
			    json_number_value(json_object_get(f, "value")),
			    grid != NULL ? grid : "the district",
			    json_string_value(json_object_get(f, "expected")));
		}
	}
}

/* The forwarding targets' lines (GET /api/v1/status/remote; nothing from
 * an older hub without it); returns how many lose data or fail. */
static int
cli_q_forwarding(struct api *api, FILE *out)
{
	struct api_result res;
	struct buf b = BUF_INIT;
	json_t *t;
	size_t i;
	int bad = 0;

	if (api_request(api, "GET", "/api/v1/status/remote", NULL, &res) != 0 ||
	    !json_is_object(res.body)) {
		api_result_free(&res);
		return 0;
	}
	remote_view_title(res.body, &b);
	fprintf(out, "%s\n", buf_str(&b));
	json_array_foreach(json_object_get(res.body, "targets"), i, t)
	{
		buf_reset(&b);
		bad += remote_view_target(t, &b) == REMOTE_VIEW_BAD;
		fprintf(out, "  %s\n", buf_str(&b));
	}
	buf_free(&b);
	api_result_free(&res);
	return bad;
}

int
cli_quality(struct api *api, int json, FILE *out)
{
	struct api_result res;
	json_t *root, *sum, *systems, *r;
	double ratio;
	long long findings;
	size_t i;

	if (api_request(api, "GET", "/api/v1/quality", NULL, &res) != 0) {
		fprintf(stderr, "citybrain: /api/v1/quality: %s\n", res.error);
		api_result_free(&res);
		return 1;
	}
	root = res.body;
	res.body = NULL;
	api_result_free(&res);
	sum = json_object_get(root, "summary");
	if (root == NULL || !json_is_object(sum)) {
		fprintf(stderr, "citybrain: /api/v1/quality: no \"summary\" "
		                "(an older hub?)\n");
		json_decref(root);
		return 1;
	}
	findings = cli_q_int(sum, "declared_missing") +
	           cli_q_int(sum, "stale_metrics") +
	           cli_q_int(sum, "blind_rules");
	if (json) {
		json_dumpf(root, out, JSON_INDENT(2));
		fputc('\n', out);
		json_decref(root);
		return 0;
	}
	ratio = json_number_value(json_object_get(sum, "completeness"));
	fprintf(out,
	    "data quality: %lld systems, %lld declared metrics: never seen "
	    "%lld, stale %lld, undeclared %lld, bad values %lld (last %lld "
	    "s), completeness %.1f%%, blind rules %lld of %lld\n",
	    cli_q_int(sum, "systems"), cli_q_int(sum, "declared_metrics"),
	    cli_q_int(sum, "declared_missing"), cli_q_int(sum, "stale_metrics"),
	    cli_q_int(sum, "undeclared_metrics"),
	    cli_q_int(sum, "value_failures"), cli_q_int(root, "window_s"),
	    100 * ratio, cli_q_int(sum, "blind_rules"),
	    cli_q_int(sum, "rules"));
	systems = json_object_get(root, "systems");
	cli_q_names(out, systems, "declared_missing", "never seen");
	cli_q_names(out, systems, "stale_metrics", "stale");
	cli_q_names(out, systems, "undeclared", "undeclared");
	cli_q_failures(out, systems);
	json_array_foreach(json_object_get(root, "rules"), i, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "state")) ?: "",
		        "blind") == 0)
			fprintf(out,
			    "%-12s %s: %s matches no data for %lld s "
			    "(window %lld s)\n",
			    "blind rule",
			    json_string_value(json_object_get(r, "name")),
			    json_string_value(json_object_get(r, "selector")),
			    cli_q_int(r, "blind_s"), cli_q_int(r, "window_s"));
	}
	json_decref(root);
	if (cli_q_forwarding(api, out) > 0)
		findings++;
	return findings > 0 ? 1 : 0;
}
