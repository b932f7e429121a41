/*
 * http_check input: status, response time, expected status and body
 * substring, days left on the TLS certificate.
 */
#include "config.h"

#define _XOPEN_SOURCE_EXTENDED 1
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "collectors/collector.h"
#include "lib/curlev.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

#define HTTP_MAX_BODY (1 << 20)

struct http_conf {
	struct input_conf base;
	char *url;
	char *method;
	long long expect_status;
	char *expect_body;
	int follow_redirects;
	int insecure;
	char *ca_file;
};

struct http_state {
	struct input *in;
	char *url;
	int head;
	long expect_status;
	char *expect_body;
	int follow;
	int insecure;
	char *ca_file;
	struct buf body;
	int running;
	char errbuf[CURL_ERROR_SIZE]; /* libcurl's detailed error */
};

static const struct conf_field http_fields[] = {
    {.key = "url",
        .type = CONF_STRING,
        .required = 1,
        .offset = offsetof(struct http_conf, url)},
    {.key = "method",
        .type = CONF_STRING,
        .offset = offsetof(struct http_conf, method)},
    {.key = "expect_status",
        .type = CONF_INT,
        .min = 100,
        .max = 599,
        .offset = offsetof(struct http_conf, expect_status)},
    {.key = "expect_body",
        .type = CONF_STRING,
        .offset = offsetof(struct http_conf, expect_body)},
    {.key = "follow_redirects",
        .type = CONF_BOOL,
        .offset = offsetof(struct http_conf, follow_redirects)},
    {.key = "insecure",
        .type = CONF_BOOL,
        .offset = offsetof(struct http_conf, insecure)},
    {.key = "ca_file",
        .type = CONF_STRING,
        .offset = offsetof(struct http_conf, ca_file)},
    {.key = NULL},
};

static int
http_init(struct input *in, void *conf, char **cause)
{
	struct http_conf *hc = conf;
	struct http_state *hs;

	if (strncmp(hc->url, "http://", 7) != 0 &&
	    strncmp(hc->url, "https://", 8) != 0) {
		*cause = xasprintf(
		    "url \"%s\": expected http:// or https://", hc->url);
		return -1;
	}
	if (hc->method != NULL && strcmp(hc->method, "GET") != 0 &&
	    strcmp(hc->method, "HEAD") != 0) {
		*cause = xasprintf(
		    "method \"%s\": expected GET or HEAD", hc->method);
		return -1;
	}
	hs = xcalloc(1, sizeof *hs);
	hs->in = in;
	hs->url = hc->url;
	hc->url = NULL;
	hs->head = hc->method != NULL && strcmp(hc->method, "HEAD") == 0;
	hs->expect_status = (long)hc->expect_status;
	hs->expect_body = hc->expect_body;
	hc->expect_body = NULL;
	hs->follow = hc->follow_redirects;
	hs->insecure = hc->insecure;
	hs->ca_file = hc->ca_file;
	hc->ca_file = NULL;
	buf_init(&hs->body);
	in->priv = hs;
	return 0;
}

static size_t
http_write_cb(char *ptr, size_t size, size_t n, void *arg)
{
	struct http_state *hs = arg;

	if (hs->expect_body != NULL && hs->body.len < HTTP_MAX_BODY)
		buf_append(&hs->body, ptr, size * n);
	return size * n;
}

/*
 * Days until the leaf certificate expires, from curl's certinfo: with
 * OpenSSL "Expire date:Jan 26 12:00:00 2027 GMT", with GnuTLS
 * "Expire Date:2027-01-26 12:00:00 GMT".
 */
static int
http_cert_days(CURL *easy, double *days)
{
	static const char *const formats[] = {
	    "%b %d %H:%M:%S %Y",
	    "%Y-%m-%d %H:%M:%S",
	};
	struct curl_certinfo *ci = NULL;
	struct curl_slist *s;
	const char *date;
	struct tm tm;
	size_t i;

	if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return -1;
	for (s = ci->certinfo[0]; s != NULL; s = s->next) {
		if (strncasecmp(s->data, "Expire date:", 12) != 0)
			continue;
		date = s->data + 12;
		while (*date == ' ')
			date++;
		for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
			memset(&tm, 0, sizeof tm);
			if (strptime(date, formats[i], &tm) == NULL)
				continue;
			*days = ((double)timegm(&tm) * 1000.0 -
			            (double)clock_wall_ms()) /
			        86400000.0;
			return 0;
		}
		return -1;
	}
	return -1;
}

static void
http_done(CURL *easy, CURLcode rc, void *arg)
{
	struct http_state *hs = arg;
	struct input *in = hs->in;
	struct collector *c = in->c;
	struct lp_writer *w;
	long code = 0;
	double t = 0, days;
	int up, status_ok, body_ok = 1;

	hs->running = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &t);
	w = collector_line_begin(c, in, "http_check");
	lp_writer_tag(w, "check", in->name);
	lp_writer_tag(w, "url", hs->url);
	if (rc != CURLE_OK) {
		input_error(in, "%s: %s", hs->url,
		    hs->errbuf[0] != '\0' ? hs->errbuf
		                          : curl_easy_strerror(rc));
		lp_writer_int(w, "up", 0);
		lp_writer_float(w, "response_s", t);
		collector_line_end(c, clock_wall_ms());
		curl_easy_cleanup(easy);
		input_done(in, 0);
		return;
	}
	status_ok = hs->expect_status != 0 ? code == hs->expect_status
	                                   : code >= 200 && code < 400;
	if (hs->expect_body != NULL)
		body_ok = strstr(buf_str(&hs->body), hs->expect_body) != NULL;
	up = status_ok && body_ok;
	lp_writer_int(w, "up", up);
	lp_writer_int(w, "status", code);
	lp_writer_float(w, "response_s", t);
	if (hs->expect_body != NULL)
		lp_writer_int(w, "body_match", body_ok);
	if (strncmp(hs->url, "https://", 8) == 0 &&
	    http_cert_days(easy, &days) == 0)
		lp_writer_float(w, "cert_days_left", days);
	collector_line_end(c, clock_wall_ms());
	curl_easy_cleanup(easy);
	buf_reset(&hs->body);
	input_done(in, 1);
}

static void
http_run(struct input *in)
{
	struct http_state *hs = in->priv;
	CURL *easy = curl_easy_init();

	buf_reset(&hs->body);
	hs->errbuf[0] = '\0';
	curl_easy_setopt(easy, CURLOPT_URL, hs->url);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, hs->errbuf);
	curl_easy_setopt(easy, CURLOPT_NOBODY, hs->head ? 1L : 0L);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)in->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, CURLEV_PROTOCOLS);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, hs);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, hs->follow ? 1L : 0L);
	curl_easy_setopt(easy, CURLOPT_USERAGENT,
	    PACKAGE_NAME "-collector/" PACKAGE_VERSION);
	/* A fresh connection each time: measures the real handshake and
	 * always yields the certificate. */
	curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 8192L);
	if (strncmp(hs->url, "https://", 8) == 0)
		curl_easy_setopt(easy, CURLOPT_CERTINFO, 1L);
	/* ca_file: only these CAs.  insecure: no CA store is loaded at
	 * all (libcurl parses it again for every connection). */
	if (hs->ca_file != NULL || hs->insecure) {
		curl_easy_setopt(easy, CURLOPT_CAINFO, hs->ca_file);
		curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
	}
	if (hs->insecure) {
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	hs->running = 1;
	if (curlev_add(in->c->curl, easy, http_done, hs) != 0) {
		hs->running = 0;
		curl_easy_cleanup(easy);
		input_error(in, "cannot start a transfer");
		input_done(in, 0);
	}
}

static void
http_free(struct input *in)
{
	struct http_state *hs = in->priv;

	if (hs == NULL)
		return;
	free(hs->url);
	free(hs->expect_body);
	free(hs->ca_file);
	buf_free(&hs->body);
	free(hs);
	in->priv = NULL;
}

const struct input_ops input_http_ops = {
    .type = "http_check",
    .conf_size = sizeof(struct http_conf),
    .fields = http_fields,
    .init = http_init,
    .run = http_run,
    .free = http_free,
};
