/* prometheus input: scrape a text 0.0.4 / OpenMetrics endpoint. */
#include "config.h"

#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "lib/curlev.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/promtext.h"
#include "lib/xmalloc.h"

#define PROM_MAX_BODY (16 << 20)

struct prom_conf {
	struct input_conf base;
	char *url;
	int ignore_timestamps;
	int created;
	char *bearer;
};

struct prom_state {
	struct input *in;
	char *url;
	char *auth; /* "Authorization: Bearer ..." */
	int honor_timestamps;
	int created;
	struct buf body;
	int too_big;
	struct curl_slist *hdrs;
	struct prom_parser *pp;
};

static const struct conf_field prom_fields[] = {
    {.key = "url",
        .type = CONF_STRING,
        .required = 1,
        .offset = offsetof(struct prom_conf, url)},
    {.key = "ignore_timestamps",
        .type = CONF_BOOL,
        .offset = offsetof(struct prom_conf, ignore_timestamps)},
    {.key = "created_samples",
        .type = CONF_BOOL,
        .offset = offsetof(struct prom_conf, created)},
    {.key = "bearer_token",
        .type = CONF_STRING,
        .offset = offsetof(struct prom_conf, bearer)},
    {.key = NULL},
};

static int
prom_init(struct input *in, void *conf, char **cause)
{
	struct prom_conf *pc = conf;
	struct prom_state *ps;

	if (strncmp(pc->url, "http://", 7) != 0 &&
	    strncmp(pc->url, "https://", 8) != 0) {
		*cause = xasprintf(
		    "url \"%s\": expected http:// or https://", pc->url);
		return -1;
	}
	ps = xcalloc(1, sizeof *ps);
	ps->in = in;
	ps->url = pc->url;
	pc->url = NULL;
	ps->honor_timestamps = !pc->ignore_timestamps;
	ps->created = pc->created;
	buf_init(&ps->body);
	ps->hdrs = curl_slist_append(NULL,
	    "Accept: application/openmetrics-text;version=1.0.0,"
	    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
	if (pc->bearer != NULL) {
		ps->auth = xasprintf("Authorization: Bearer %s", pc->bearer);
		ps->hdrs = curl_slist_append(ps->hdrs, ps->auth);
	}
	ps->pp = prom_parser_create();
	in->priv = ps;
	return 0;
}

static size_t
prom_write_cb(char *ptr, size_t size, size_t n, void *arg)
{
	struct prom_state *ps = arg;

	if (ps->body.len + size * n > PROM_MAX_BODY) {
		ps->too_big = 1;
		return 0; /* abort the transfer */
	}
	buf_append(&ps->body, ptr, size * n);
	return size * n;
}

static int
prom_has_tag(struct input *in, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < in->ntags; i++)
		if (strlen(in->tags[i].key) == len &&
		    memcmp(in->tags[i].key, name, len) == 0)
			return 1;
	return 0;
}

/* Samples to lines: measurement = sample name, field "value" (the hub
 * names the series after the measurement alone), labels as tags. */
static void
prom_emit(struct prom_state *ps, enum prom_format fmt, int64_t now,
    size_t *nsamples, size_t *nerrors, size_t *nskipped)
{
	struct input *in = ps->in;
	struct collector *c = in->c;
	const struct prom_sample *s;
	const char *cause;
	struct lp_writer *w;
	struct buf key = BUF_INIT;
	size_t lineno, i;
	int r;
	char name[256];

	prom_parser_begin(ps->pp, ps->body.data != NULL ? ps->body.data : "",
	    ps->body.len, fmt);
	while (
	    (r = prom_parser_next(ps->pp, &s, &lineno, &cause)) != PROM_END) {
		if (r == PROM_ERROR) {
			if ((*nerrors)++ == 0)
				input_error(in, "%s line %zu: %s", ps->url,
				    lineno, cause);
			continue;
		}
		if (!isfinite(s->value) || s->name.len >= sizeof name ||
		    (!ps->created && s->name.len > 8 &&
		        memcmp(s->name.p + s->name.len - 8, "_created", 8) ==
		            0)) {
			(*nskipped)++;
			continue;
		}
		memcpy(name, s->name.p, s->name.len);
		name[s->name.len] = '\0';
		w = collector_line_begin(c, in, name);
		for (i = 0; i < s->nlabels; i++) {
			const struct prom_label *l = &s->labels[i];

			if (l->value.len == 0)
				continue;
			buf_reset(&key);
			/* Configured tags win; the scraped one is kept as
			 * exported_NAME, as Prometheus does. */
			if (prom_has_tag(in, l->name.p, l->name.len))
				buf_puts(&key, "exported_");
			buf_append(&key, l->name.p, l->name.len);
			lp_writer_tagn(
			    w, key.data, key.len, l->value.p, l->value.len);
		}
		lp_writer_float(w, "value", s->value);
		collector_line_end(
		    c, ps->honor_timestamps && s->has_time ? s->time_ms : now);
		(*nsamples)++;
	}
	if (fmt == PROM_FMT_OPENMETRICS && !prom_parser_eof_seen(ps->pp)) {
		(*nerrors)++;
		input_error(in,
		    "%s: OpenMetrics body without # EOF "
		    "(truncated?)",
		    ps->url);
	}
	buf_free(&key);
}

static void
prom_done(CURL *easy, CURLcode rc, void *arg)
{
	struct prom_state *ps = arg;
	struct input *in = ps->in;
	struct collector *c = in->c;
	struct lp_writer *w;
	const char *ct = NULL;
	long code = 0;
	double t = 0;
	size_t n = 0, errs = 0, skipped = 0;
	int64_t now = clock_wall_ms();
	int up = 0;

	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &t);
	curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &ct);
	if (rc != CURLE_OK)
		input_error(in, "%s: %s", ps->url,
		    ps->too_big ? "body over 16 MiB" : curl_easy_strerror(rc));
	else if (code != 200)
		input_error(in, "%s: HTTP %ld", ps->url, code);
	else {
		up = 1;
		prom_emit(ps, prom_format_from_content_type(ct), now, &n, &errs,
		    &skipped);
	}
	curl_easy_cleanup(easy);
	w = collector_line_begin(c, in, "collector_scrape");
	lp_writer_tag(w, "input", in->name);
	lp_writer_int(w, "up", up);
	lp_writer_float(w, "duration_s", t);
	lp_writer_int(w, "samples", (int64_t)n);
	lp_writer_int(w, "errors", (int64_t)errs);
	lp_writer_int(w, "skipped", (int64_t)skipped);
	collector_line_end(c, now);
	buf_free(&ps->body); /* large bodies do not stay resident */
	input_done(in, up && errs == 0);
}

static void
prom_run(struct input *in)
{
	struct prom_state *ps = in->priv;
	CURL *easy = curl_easy_init();

	buf_reset(&ps->body);
	ps->too_big = 0;
	curl_easy_setopt(easy, CURLOPT_URL, ps->url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, ps->hdrs);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)in->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, CURLEV_PROTOCOLS);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, prom_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, ps);
	curl_easy_setopt(easy, CURLOPT_USERAGENT,
	    PACKAGE_NAME "-collector/" PACKAGE_VERSION);
	if (curlev_add(in->c->curl, easy, prom_done, ps) != 0) {
		curl_easy_cleanup(easy);
		input_error(in, "cannot start a transfer");
		input_done(in, 0);
	}
}

static void
prom_free(struct input *in)
{
	struct prom_state *ps = in->priv;

	if (ps == NULL)
		return;
	free(ps->url);
	free(ps->auth);
	curl_slist_free_all(ps->hdrs);
	buf_free(&ps->body);
	prom_parser_free(ps->pp);
	free(ps);
	in->priv = NULL;
}

const struct input_ops input_prom_ops = {
    .type = "prometheus",
    .conf_size = sizeof(struct prom_conf),
    .fields = prom_fields,
    .init = prom_init,
    .run = prom_run,
    .free = prom_free,
};
