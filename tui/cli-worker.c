/* Grid worker commands of the console (see cli-worker.h); QR codes with
 * libqrencode. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <qrencode.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/api.h"
#include "tui/cli-worker.h"
#include "tui/text.h"

#define QR_MARGIN 2 /* quiet zone, in modules */

/* Module (x, y) of q, light outside the symbol. */
static int
qr_dark(const QRcode *q, int x, int y)
{
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 0;
	return q->data[y * q->width + x] & 1;
}

int
cli_qr_print(const char *text, FILE *out)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int x, y, utf8 = text_utf8();

	if (q == NULL)
		return -1;
	/* UTF-8: two rows per line with half blocks (dark on a light
	 * background, as phones expect); else two characters per module. */
	for (y = -QR_MARGIN; y < q->width + QR_MARGIN; y += utf8 ? 2 : 1) {
		for (x = -QR_MARGIN; x < q->width + QR_MARGIN; x++) {
			int top = qr_dark(q, x, y), bot = qr_dark(q, x, y + 1);

			if (!utf8)
				fputs(top ? "  " : "##", out);
			else if (top && bot)
				fputs(" ", out);
			else if (top)
				fputs("\u2584", out);
			else if (bot)
				fputs("\u2580", out);
			else
				fputs("\u2588", out);
		}
		fputc('\n', out);
	}
	QRcode_free(q);
	return 0;
}

int
cli_worker_enrol(struct api *api, const char *name, const char *grids,
    const char *display, const char *page_url, int json, FILE *out)
{
	struct api_result res;
	json_t *body = json_pack("{s:s}", "name", name), *arr = json_array();
	char *list = xstrdup(grids), *tok, *save = NULL, *link = NULL;
	const char *code;
	int rc = 0;

	for (tok = strtok_r(list, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		json_array_append_new(arr, json_string(tok));
	free(list);
	json_object_set_new(body, "grids", arr);
	if (display != NULL)
		json_object_set_new(body, "display", json_string(display));
	if (api_request(api, "POST", "/api/v1/workers", body, &res) != 0) {
		fprintf(stderr, "citybrain: worker enrol %s: %s\n", name,
		    res.error);
		rc = 1;
		goto out;
	}
	code = json_string_value(json_object_get(res.body, "code"));
	if (page_url != NULL && code != NULL)
		link = xasprintf("%s%s#code=%s", page_url,
		    page_url[strlen(page_url) - 1] == '/' ? "" : "/", code);
	if (json) {
		if (link != NULL)
			json_object_set_new(res.body, "url", json_string(link));
		json_dumpf(res.body, out, JSON_INDENT(2));
		fputc('\n', out);
		goto out;
	}
	fprintf(out, "grid worker %s enrolled on %s\n", name, grids);
	fprintf(
	    out, "one-time enrolment code: %s\n", code != NULL ? code : "?");
	if (link != NULL)
		fprintf(out, "open on the phone: %s\n", link);
	else
		fprintf(out,
		    "open http://HUB:PORT/m/ on the phone and type the "
		    "code (--page-url makes the QR code open it)\n");
	cli_qr_print(link != NULL ? link : (code != NULL ? code : ""), out);
	fprintf(out,
	    "the code works once; the phone keeps a device token "
	    "until \"citybrain worker revoke %s\"\n",
	    name);
out:
	free(link);
	api_result_free(&res);
	json_decref(body);
	return rc;
}

int
cli_worker_revoke(struct api *api, const char *name, FILE *out)
{
	struct api_result res;
	char *e = api_escape(name), *path;
	int rc = 0;

	path = xasprintf("/api/v1/workers/%s", e);
	free(e);
	if (api_request(api, "DELETE", path, NULL, &res) != 0) {
		fprintf(stderr, "citybrain: worker revoke %s: %s\n", name,
		    res.error);
		rc = 1;
	} else
		fprintf(out,
		    "grid worker %s revoked: the device token no "
		    "longer works\n",
		    name);
	api_result_free(&res);
	free(path);
	return rc;
}

/* "13:05" today, else "12-04 13:05"; "-" for never. */
static void
cli_worker_time(long long ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000), now = time(NULL);
	struct tm tm, tn;

	if (ms <= 0) {
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

int
cli_workers(struct api *api, int json, FILE *out)
{
	struct api_result res;
	json_t *w, *g;
	size_t i, j;
	struct buf b = BUF_INIT;

	if (api_request(api, "GET", "/api/v1/workers", NULL, &res) != 0) {
		fprintf(stderr, "citybrain: workers: %s\n", res.error);
		api_result_free(&res);
		return 1;
	}
	if (json) {
		json_dumpf(res.body, out, JSON_INDENT(2));
		fputc('\n', out);
		api_result_free(&res);
		return 0;
	}
	fprintf(out, "%-14s %-12s %5s %-8s %-16s %s\n", "WORKER", "STATE",
	    "TASKS", "ON SITE", "LAST CHECK-IN", "GRIDS");
	json_array_foreach(json_object_get(res.body, "workers"), i, w)
	{
		char when[32], *last;

		buf_reset(&b);
		json_array_foreach(json_object_get(w, "grids"), j, g)
		{
			if (j > 0)
				buf_puts(&b, ", ");
			buf_puts(
			    &b, json_string_value(json_object_get(g, "code")));
			if (json_string_value(json_object_get(g, "name")) !=
			    NULL) {
				buf_puts(&b, " ");
				buf_puts(&b, json_string_value(
				                 json_object_get(g, "name")));
			}
		}
		cli_worker_time(
		    json_integer_value(json_object_get(w, "last_checkin_ms")),
		    when, sizeof when);
		last = xasprintf("%s %s",
		    json_string_value(json_object_get(w, "last_checkin")) !=
		            NULL
		        ? json_string_value(json_object_get(w, "last_checkin"))
		        : "",
		    when);
		fprintf(out, "%-14s %-12s %5lld %-8s %-16s %s\n",
		    json_string_value(json_object_get(w, "name")),
		    json_string_value(json_object_get(w, "state")),
		    (long long)json_integer_value(
		        json_object_get(w, "open_tasks")),
		    json_is_true(json_object_get(w, "on_site")) ? "yes" : "no",
		    last, buf_str(&b));
		free(last);
	}
	buf_free(&b);
	api_result_free(&res);
	return 0;
}

/* Write photo N of alert id to output ("-" or NULL: out). */
static int
cli_alert_photo(struct api *api, const char *id, const char *photo,
    const char *output, FILE *out)
{
	struct api_result res;
	struct buf b = BUF_INIT;
	char *eid = api_escape(id), *path;
	FILE *f = out;
	int rc = 1, tostdout = output == NULL || strcmp(output, "-") == 0;

	if (strspn(photo, "0123456789") != strlen(photo) || *photo == '\0') {
		fprintf(stderr, "citybrain: --photo: a number (1, 2, ...)\n");
		free(eid);
		return 2;
	}
	if (tostdout && isatty(fileno(out))) {
		fprintf(stderr, "citybrain: alert --photo: say where with -o "
		                "FILE (not to a terminal)\n");
		free(eid);
		return 2;
	}
	path = xasprintf("/api/v1/alerts/%s/photos/%s", eid, photo);
	if (api_download(api, path, &b, &res) != 0) {
		fprintf(stderr, "citybrain: photo %s of %s: %s\n", photo, id,
		    res.error);
		goto out;
	}
	if (!tostdout && (f = fopen(output, "wb")) == NULL) {
		fprintf(stderr, "citybrain: %s: %s\n", output, strerror(errno));
		goto out;
	}
	if (fwrite(b.data, 1, b.len, f) != b.len || fflush(f) != 0) {
		fprintf(stderr, "citybrain: %s: %s\n", tostdout ? "-" : output,
		    strerror(errno));
	} else
		rc = 0;
	if (!tostdout) {
		if (fclose(f) != 0 && rc == 0) {
			fprintf(stderr, "citybrain: %s: %s\n", output,
			    strerror(errno));
			rc = 1;
		}
		if (rc == 0)
			fprintf(out, "photo %s of %s: %s, %zu bytes\n", photo,
			    id, output, b.len);
	}
out:
	api_result_free(&res);
	buf_free(&b);
	free(path);
	free(eid);
	return rc;
}

int
cli_alert(struct api *api, const char *id, const char *photo,
    const char *output, int json, FILE *out)
{
	struct api_result res;
	char *eid, *path, when[32];
	json_t *h, *p;
	size_t i, n = 0;

	if (photo != NULL)
		return cli_alert_photo(api, id, photo, output, out);
	eid = api_escape(id);
	path = xasprintf("/api/v1/alerts/%s", eid);
	free(eid);
	if (api_request(api, "GET", path, NULL, &res) != 0) {
		fprintf(stderr, "citybrain: alert %s: %s\n", id, res.error);
		api_result_free(&res);
		free(path);
		return 1;
	}
	free(path);
	if (json) {
		json_dumpf(res.body, out, JSON_INDENT(2));
		fputc('\n', out);
		api_result_free(&res);
		return 0;
	}
	fprintf(out, "%s  %s  %s  %s\n", id,
	    json_string_value(json_object_get(res.body, "severity")),
	    json_string_value(json_object_get(res.body, "state")),
	    json_string_value(json_object_get(res.body, "message")));
	if (json_is_string(json_object_get(res.body, "incident")))
		fprintf(out, "incident %s\n",
		    json_string_value(json_object_get(res.body, "incident")));
	json_array_foreach(json_object_get(res.body, "history"), i, h)
	{
		p = json_object_get(json_object_get(h, "after"), "photo");
		if (!json_is_object(p))
			continue;
		cli_worker_time(json_integer_value(json_object_get(h, "at_ms")),
		    when, sizeof when);
		fprintf(out,
		    "photo %lld  %s  %-12s %-10s %8lld bytes  sha256 %s\n",
		    (long long)json_integer_value(json_object_get(p, "n")),
		    when, json_string_value(json_object_get(h, "who")),
		    json_string_value(json_object_get(p, "type")),
		    (long long)json_integer_value(json_object_get(p, "bytes")),
		    json_string_value(json_object_get(p, "sha256")));
		n++;
	}
	if (n > 0)
		fprintf(out,
		    "(citybrain alert %s --photo N -o FILE fetches one)\n", id);
	api_result_free(&res);
	return 0;
}
