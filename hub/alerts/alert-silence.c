/* Silences: parsing, matching, JSON (see alert-silence.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/alert-silence.h"
#include "lib/clock.h"
#include "lib/xmalloc.h"

static const char *const alert_match_op_names[] = {"=", "!=", "=~", "!~"};

void
alert_silence_id_format(uint64_t num, char out[16])
{
	snprintf(out, 16, "S%06" PRIu64, (uint64_t)(num % 1000000000000ULL));
}

int
alert_silence_id_parse(const char *id, uint64_t *num)
{
	char *end;

	if (id == NULL || id[0] != 'S' || id[1] < '0' || id[1] > '9')
		return -1;
	*num = strtoull(id + 1, &end, 10);
	return *end != '\0' || *num == 0 || end - id > 13 ? -1 : 0;
}

void
alert_silence_free(struct alert_silence *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->m[i].tag);
		free(s->m[i].value);
		regexp_free(s->m[i].re);
	}
	free(s->m);
	free(s->author);
	free(s->reason);
	free(s->scope);
	free(s->deleted_by);
	free(s);
}

/* Parse the matchers array into s; 0 or -1 with *cause. */
static int
alert_silence_matchers(struct alert_silence *s, json_t *arr, char **cause)
{
	json_t *m;
	const char *tag, *op, *value;
	char *err = NULL;
	size_t i;
	int k;

	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		*cause = xstrdup("\"matchers\": expected a non-empty array");
		return -1;
	}
	s->m = xcalloc(json_array_size(arr), sizeof *s->m);
	json_array_foreach(arr, i, m)
	{
		tag = json_string_value(json_object_get(m, "tag"));
		if (tag == NULL)
			tag = json_string_value(json_object_get(m, "name"));
		op = json_string_value(json_object_get(m, "op"));
		value = json_string_value(json_object_get(m, "value"));
		if (op == NULL)
			op = "=";
		if (tag == NULL || *tag == '\0' || value == NULL) {
			*cause = xasprintf("\"matchers\"[%zu]: expected "
			                   "{\"tag\": .., \"op\": .., "
			                   "\"value\": ..}",
			    i);
			return -1;
		}
		for (k = 0; k < 4; k++) {
			if (strcmp(op, alert_match_op_names[k]) == 0)
				break;
		}
		if (k == 4) {
			*cause = xasprintf("\"matchers\"[%zu]: unknown op "
			                   "\"%s\" (=, !=, =~, !~)",
			    i, op);
			return -1;
		}
		s->m[i].op = (enum alert_match_op)k;
		if (k >= ALERT_MATCH_RE) {
			s->m[i].re = regexp_compile(value, &err);
			if (s->m[i].re == NULL) {
				s->m[i].op = ALERT_MATCH_EQ;
				*cause =
				    xasprintf("\"matchers\"[%zu]: %s", i, err);
				free(err);
				return -1;
			}
		}
		s->m[i].tag = xstrdup(tag);
		s->m[i].value = xstrdup(value);
		s->n++;
	}
	return 0;
}

/* A time member: ms integer, or a string for the hub's time syntax
 * (RFC 3339 is the caller's: we accept ms and durations relative to now). */
static int
alert_silence_time(json_t *v, int64_t now, int64_t *out)
{
	const char *s;
	int64_t d;

	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return 0;
	}
	if ((s = json_string_value(v)) == NULL)
		return -1;
	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	if (strncmp(s, "now+", 4) == 0 &&
	    clock_parse_duration(s + 4, &d) == 0) {
		*out = now + d;
		return 0;
	}
	if (s[0] == '+' && clock_parse_duration(s + 1, &d) == 0) {
		*out = now + d;
		return 0;
	}
	return -1;
}

struct alert_silence *
alert_silence_from_api(uint64_t num, json_t *body, int64_t now, char **cause)
{
	struct alert_silence *s = xcalloc(1, sizeof *s);
	json_t *v;
	const char *reason;
	int64_t d;

	s->num = num;
	alert_silence_id_format(num, s->id);
	s->created_ms = now;
	if (!json_is_object(body)) {
		*cause = xstrdup("expected a JSON object");
		goto fail;
	}
	if (alert_silence_matchers(
	        s, json_object_get(body, "matchers"), cause) != 0)
		goto fail;
	reason = json_string_value(json_object_get(body, "reason"));
	if (reason == NULL || *reason == '\0') {
		*cause = xstrdup("\"reason\" is required");
		goto fail;
	}
	s->reason = xstrdup(reason);
	s->start_ms = now;
	if ((v = json_object_get(body, "start")) != NULL &&
	    alert_silence_time(v, now, &s->start_ms) != 0) {
		*cause = xstrdup("\"start\": expected ms since the epoch, "
		                 "\"now\" or \"now+DURATION\"");
		goto fail;
	}
	if ((v = json_object_get(body, "end")) != NULL) {
		if (alert_silence_time(v, now, &s->end_ms) != 0) {
			*cause = xstrdup("\"end\": expected ms since the "
			                 "epoch or \"now+DURATION\"");
			goto fail;
		}
	} else if ((v = json_object_get(body, "duration")) != NULL) {
		if (json_is_integer(v) && json_integer_value(v) > 0)
			d = (int64_t)json_integer_value(v) * 1000;
		else if (json_string_value(v) == NULL ||
		         clock_parse_duration(json_string_value(v), &d) != 0 ||
		         d <= 0) {
			*cause = xstrdup("\"duration\": expected a duration "
			                 "such as \"2h\"");
			goto fail;
		}
		s->end_ms = s->start_ms + d;
	} else {
		*cause = xstrdup("\"end\" or \"duration\" is required");
		goto fail;
	}
	if (s->end_ms <= s->start_ms) {
		*cause = xstrdup("the silence ends before it starts");
		goto fail;
	}
	return s;
fail:
	alert_silence_free(s);
	return NULL;
}

json_t *
alert_silence_to_json(const struct alert_silence *s, int64_t now)
{
	json_t *o, *arr = json_array();
	size_t i;

	for (i = 0; i < s->n; i++)
		json_array_append_new(
		    arr, json_pack("{s:s,s:s,s:s}", "tag", s->m[i].tag, "op",
		             alert_match_op_names[s->m[i].op], "value",
		             s->m[i].value));
	o = json_pack("{s:s,s:o,s:I,s:I,s:I,s:s,s:s,s:b}", "id", s->id,
	    "matchers", arr, "start_ms", (json_int_t)s->start_ms, "end_ms",
	    (json_int_t)s->end_ms, "created_ms", (json_int_t)s->created_ms,
	    "author", s->author != NULL ? s->author : "", "reason",
	    s->reason != NULL ? s->reason : "", "active",
	    alert_silence_active(s, now));
	json_object_set_new(
	    o, "scope", s->scope != NULL ? json_string(s->scope) : json_null());
	if (s->deleted) {
		json_object_set_new(o, "deleted", json_true());
		json_object_set_new(o, "deleted_by",
		    json_string(s->deleted_by != NULL ? s->deleted_by : ""));
		json_object_set_new(
		    o, "deleted_ms", json_integer(s->deleted_ms));
	}
	return o;
}

struct alert_silence *
alert_silence_from_record(json_t *rec, char **cause)
{
	struct alert_silence *s;
	const char *id = json_string_value(json_object_get(rec, "id"));
	uint64_t num;

	if (alert_silence_id_parse(id, &num) != 0) {
		*cause = xstrdup("silence record: bad id");
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->num = num;
	alert_silence_id_format(num, s->id);
	if (alert_silence_matchers(
	        s, json_object_get(rec, "matchers"), cause) != 0) {
		alert_silence_free(s);
		return NULL;
	}
	s->start_ms = json_integer_value(json_object_get(rec, "start_ms"));
	s->end_ms = json_integer_value(json_object_get(rec, "end_ms"));
	s->created_ms = json_integer_value(json_object_get(rec, "created_ms"));
	s->author =
	    xstrdup(json_string_value(json_object_get(rec, "author"))
	                ? json_string_value(json_object_get(rec, "author"))
	                : "");
	s->reason =
	    xstrdup(json_string_value(json_object_get(rec, "reason"))
	                ? json_string_value(json_object_get(rec, "reason"))
	                : "");
	if (json_string_value(json_object_get(rec, "scope")) != NULL)
		s->scope =
		    xstrdup(json_string_value(json_object_get(rec, "scope")));
	s->deleted = json_is_true(json_object_get(rec, "deleted"));
	if (json_string_value(json_object_get(rec, "deleted_by")) != NULL)
		s->deleted_by = xstrdup(
		    json_string_value(json_object_get(rec, "deleted_by")));
	s->deleted_ms = json_integer_value(json_object_get(rec, "deleted_ms"));
	return s;
}

int
alert_silence_active(const struct alert_silence *s, int64_t now)
{
	return !s->deleted && now >= s->start_ms && now < s->end_ms;
}

int
alert_silence_match(
    const struct alert_silence *s, alert_label_fn get, void *arg)
{
	const char *v;
	size_t i;
	int ok;

	for (i = 0; i < s->n; i++) {
		v = get(arg, s->m[i].tag);
		if (v == NULL)
			v = "";
		switch (s->m[i].op) {
		case ALERT_MATCH_EQ:
			ok = strcmp(v, s->m[i].value) == 0;
			break;
		case ALERT_MATCH_NE:
			ok = strcmp(v, s->m[i].value) != 0;
			break;
		case ALERT_MATCH_RE:
			ok = regexp_match(s->m[i].re, v) == 1;
			break;
		default:
			/* stopped by a limit (-1): not silenced */
			ok = regexp_match(s->m[i].re, v) == 0;
			break;
		}
		if (!ok)
			return 0;
	}
	return 1;
}
