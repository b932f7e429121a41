/* A decoded remote-write request through the hub's common ingest path. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/ingest.h"
#include "hub/remote/remote.h"
#include "lib/buf.h"
#include "lib/lineproto.h"
#include "lib/xmalloc.h"

/* Where each line of the generated body came from. */
struct remote_line {
	size_t series;
	int64_t ts_ms;
};

/* s as text for error messages: name{a="x",b="y"}. */
static char *
remote_series_text(const struct remote_series *s)
{
	struct buf b = BUF_INIT;
	const char *name = "";
	size_t i, n = 0;

	for (i = 0; i < s->nlabels; i++) {
		if (strcmp(s->labels[i].name, "__name__") == 0)
			name = s->labels[i].value;
	}
	buf_puts(&b, name);
	buf_putc(&b, '{');
	for (i = 0; i < s->nlabels; i++) {
		if (strcmp(s->labels[i].name, "__name__") == 0)
			continue;
		buf_printf(&b, "%s%s=\"%s\"", n++ > 0 ? "," : "",
		    s->labels[i].name, s->labels[i].value);
	}
	buf_putc(&b, '}');
	return buf_detach(&b);
}

static void
remote_error(struct hub *h, struct remote_result *res,
    const struct remote_series *s, int64_t ts, const char *reason)
{
	json_t *series, *why;
	char *text;

	if (json_array_size(res->errors) >= (size_t)h->config->max_errors)
		return;
	text = remote_series_text(s);
	if ((series = json_string(text)) == NULL)
		series = json_string("(labels not UTF-8)");
	if ((why = json_string(reason)) == NULL)
		why = json_string("(reason not UTF-8)");
	json_array_append_new(
	    res->errors, json_pack("{s:o,s:I,s:o}", "series", series,
	                     "timestamp", (json_int_t)ts, "reason", why));
	free(text);
}

/* Why series s cannot be written at all (NULL if it can); *name is set
 * to its metric name. */
static const char *
remote_series_check(const struct remote_series *s, const char **name)
{
	size_t i, j;

	*name = NULL;
	for (i = 0; i < s->nlabels; i++) {
		const struct remote_label *l = &s->labels[i];

		if (*l->name == '\0')
			return "empty label name";
		if (strpbrk(l->value, "\r\n") != NULL)
			return "label value with a line break";
		for (j = 0; j < i; j++) {
			if (strcmp(s->labels[j].name, l->name) == 0)
				return "duplicate label name";
		}
		if (strcmp(l->name, "__name__") == 0)
			*name = l->value;
	}
	if (*name == NULL || **name == '\0')
		return "no __name__ label (the metric name)";
	return NULL;
}

/* Append one line per storable sample of s (series index si) to lp. */
static void
remote_series_lines(struct hub *h, const struct remote_series *s, size_t si,
    struct buf *lp, struct remote_line **lines, size_t *nlines,
    size_t *caplines, struct remote_result *res)
{
	struct lp_writer w;
	const char *name, *why;
	size_t i, j;
	double v;

	if ((why = remote_series_check(s, &name)) != NULL) {
		res->rejected += s->nsamples;
		remote_error(
		    h, res, s, s->nsamples > 0 ? s->samples[0].ts_ms : 0, why);
		return;
	}
	for (i = 0; i < s->nsamples; i++) {
		v = s->samples[i].value;
		if (isnan(v) && remote_value_is_stale(v)) {
			res->stale++;
			continue;
		}
		if (!isfinite(v)) {
			res->not_finite++;
			continue;
		}
		lp_writer_begin(&w, lp, name);
		for (j = 0; j < s->nlabels; j++) {
			const struct remote_label *l = &s->labels[j];

			/* An empty value means "no such label" in Prometheus.
			 */
			if (strcmp(l->name, "__name__") == 0 ||
			    *l->value == '\0')
				continue;
			lp_writer_tag(&w, l->name, l->value);
		}
		lp_writer_float(&w, "value", v);
		if (lp_writer_end(&w, s->samples[i].ts_ms, 1) != 0) {
			res->rejected++;
			remote_error(h, res, s, s->samples[i].ts_ms,
			    "invalid metric name");
			continue;
		}
		if (*nlines == *caplines) {
			*caplines = *caplines * 2 + 64;
			*lines =
			    xreallocarray(*lines, *caplines, sizeof **lines);
		}
		(*lines)[*nlines].series = si;
		(*lines)[*nlines].ts_ms = s->samples[i].ts_ms;
		(*nlines)++;
	}
}

/* Move the common ingest's per-line errors into res, naming series. */
static void
remote_errors_map(struct hub *h, const struct remote_request *rq,
    const struct remote_line *lines, size_t nlines, json_t *errors,
    struct remote_result *res)
{
	size_t k, line;
	json_t *e;

	json_array_foreach(errors, k, e)
	{
		line = (size_t)json_integer_value(json_object_get(e, "line"));
		if (line < 1 || line > nlines)
			continue;
		remote_error(h, res, &rq->series[lines[line - 1].series],
		    lines[line - 1].ts_ms,
		    json_string_value(json_object_get(e, "reason")));
	}
}

void
remote_request_ingest(struct hub *h, const struct hub_identity *id,
    const char *source, const struct remote_request *rq,
    struct remote_result *res)
{
	struct buf lp = BUF_INIT;
	struct remote_line *lines = NULL;
	struct hub_ingest_result ir;
	size_t i, nlines = 0, caplines = 0;

	memset(res, 0, sizeof *res);
	res->errors = json_array();
	res->series = rq->nseries;
	res->samples = rq->nsamples;
	for (i = 0; i < rq->nseries; i++)
		remote_series_lines(
		    h, &rq->series[i], i, &lp, &lines, &nlines, &caplines, res);
	if (nlines > 0) {
		/* Timestamps are milliseconds: the store's own unit. */
		hub_ingest_body(h, id, source, buf_str(&lp), lp.len, 1, 1, &ir);
		if (ir.status != 0) {
			res->status = ir.status;
			res->cause = ir.cause;
			res->accepted = 0;
		} else {
			res->accepted = ir.accepted;
			res->rejected += ir.rejected;
			remote_errors_map(h, rq, lines, nlines, ir.errors, res);
		}
		json_decref(ir.errors);
	}
	free(lines);
	buf_free(&lp);
}
