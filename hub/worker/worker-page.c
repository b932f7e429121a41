/* The grid workers' phone page at /m/: one HTML file and one script,
 * built into citybraind (hub/worker/page/, embedded by embed.sh), served
 * with a policy that forbids any resource from elsewhere. */
#include "config.h"

#include <string.h>

#include "hub/worker/worker-int.h"

extern const unsigned char worker_page_html[], worker_page_js[];
extern const size_t worker_page_html_len, worker_page_js_len;

static void
page_headers(struct hub_req *req)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req->ev);

	evhttp_add_header(h, "Content-Security-Policy",
	    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
	    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
	    "form-action 'none'; frame-ancestors 'none'");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "Cache-Control", "no-cache");
}

void
worker_route_page_html(struct hub_req *req)
{
	const char *path = evhttp_request_get_uri(req->ev);

	if (path != NULL && strncmp(path, "/m", 2) == 0 &&
	    (path[2] == '\0' || path[2] == '?')) {
		evhttp_add_header(evhttp_request_get_output_headers(req->ev),
		    "Location", "/m/");
		hub_reply_text(req, 301, "text/plain", "/m/\n", 4);
		return;
	}
	page_headers(req);
	hub_reply_text(req, 200, "text/html; charset=utf-8",
	    (const char *)worker_page_html, worker_page_html_len);
}

void
worker_route_page_js(struct hub_req *req)
{
	page_headers(req);
	hub_reply_text(req, 200, "text/javascript; charset=utf-8",
	    (const char *)worker_page_js, worker_page_js_len);
}
