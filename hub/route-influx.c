/* The Influx 1.x/2.x client surface: /ping and the harmless /query
 * statements that influx -import, Telegraf and Grafana send (docs/api.md). */
#include "config.h"

#include <sys/queue.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "hub/hub.h"
#include "lib/xmalloc.h"

/* The Influx version clients are told (1.8 speaks the 1.x API they use). */
#define INFLUX_VERSION "1.8.10-citybrain"

/* The one database the hub shows; every name is accepted for writes. */
#define INFLUX_DATABASE "citybrain"

struct influx_statement {
	const char *words; /* leading keywords, upper case, single spaces */
	json_t *(*answer)(void);
};

static json_t *
influx_answer_none(void)
{
	return json_object();
}

static json_t *
influx_answer_databases(void)
{
	return json_pack("{s:[{s:s,s:[s],s:[[s]]}]}", "series", "name",
	    "databases", "columns", "name", "values", INFLUX_DATABASE);
}

static json_t *
influx_answer_policies(void)
{
	return json_pack("{s:[{s:[s,s,s,s,s],s:[[s,s,s,i,b]]}]}", "series",
	    "columns", "name", "duration", "shardGroupDuration", "replicaN",
	    "default", "values", "autogen", "0s", "168h0m0s", 1, 1);
}

static const struct influx_statement influx_statements[] = {
    {.words = "CREATE DATABASE", .answer = influx_answer_none},
    {.words = "CREATE RETENTION POLICY", .answer = influx_answer_none},
    {.words = "SHOW DATABASES", .answer = influx_answer_databases},
    {.words = "SHOW RETENTION POLICIES", .answer = influx_answer_policies},
    {.words = NULL},
};

/* Does statement s start with words (case and runs of blanks aside)? */
static int
influx_statement_match(const char *s, const char *words)
{
	while (*words != '\0') {
		if (*words == ' ') {
			if (!isspace((unsigned char)*s))
				return 0;
			while (isspace((unsigned char)*s))
				s++;
			words++;
			continue;
		}
		if (toupper((unsigned char)*s) != *words)
			return 0;
		s++;
		words++;
	}
	return *s == '\0' || isspace((unsigned char)*s) || *s == ';';
}

static void
route_influx_ping(struct hub_req *req)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req->ev);

	evhttp_add_header(out, "X-Influxdb-Version", INFLUX_VERSION);
	evhttp_add_header(out, "X-Influxdb-Build", "OSS");
	hub_reply_empty(req, 204);
}

/* The q parameter: from the query string, or a form-encoded POST body. */
static char *
influx_query_text(struct hub_req *req)
{
	struct evkeyvalq form;
	const char *q = hub_req_query(req, "q"), *body;
	char *copy, *out = NULL;
	size_t len;

	if (q != NULL)
		return xstrdup(q);
	body = hub_req_body(req, &len);
	if (body == NULL || len == 0)
		return NULL;
	copy = xstrndup(body, len);
	TAILQ_INIT(&form);
	if (evhttp_parse_query_str(copy, &form) == 0 &&
	    (q = evhttp_find_header(&form, "q")) != NULL)
		out = xstrdup(q);
	evhttp_clear_headers(&form);
	free(copy);
	return out;
}

static void
route_influx_query(struct hub_req *req)
{
	const struct influx_statement *st;
	json_t *results, *r;
	char *text, *s, *next;
	int id = 0;

	if ((text = influx_query_text(req)) == NULL) {
		hub_reply_error(req, 400, "missing required parameter \"q\"");
		return;
	}
	results = json_array();
	for (s = text; s != NULL && *s != '\0'; s = next) {
		if ((next = strchr(s, ';')) != NULL)
			*next++ = '\0';
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			continue;
		for (st = influx_statements; st->words != NULL; st++) {
			if (influx_statement_match(s, st->words))
				break;
		}
		if (st->words == NULL) {
			hub_reply_error(req, 400,
			    "statement %d \"%s\": citybraind answers only "
			    "CREATE DATABASE, SHOW DATABASES and SHOW "
			    "RETENTION POLICIES on /query (writes go to "
			    "/write; read data with /api/v1/query or the "
			    "Prometheus API under /prometheus)",
			    id, s);
			json_decref(results);
			free(text);
			return;
		}
		r = st->answer();
		json_object_set_new(r, "statement_id", json_integer(id++));
		json_array_append_new(results, r);
	}
	free(text);
	hub_reply_json(req, 200, json_pack("{s:o}", "results", results));
}

const struct hub_route hub_routes_influx[] = {
    {.method = EVHTTP_REQ_GET, .path = "/ping", .handler = route_influx_ping},
    {.method = EVHTTP_REQ_HEAD, .path = "/ping", .handler = route_influx_ping},
    {.method = EVHTTP_REQ_GET,
        .path = "/query",
        .handler = route_influx_query,
        .min_role = HUB_ROLE_COLLECTOR},
    {.method = EVHTTP_REQ_POST,
        .path = "/query",
        .handler = route_influx_query,
        .min_role = HUB_ROLE_COLLECTOR,
        .want_body = 1},
    {.path = NULL},
};
