/* Request bodies: copied out of libevent, gzip (every member) undone. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "hub/hub-config.h"
#include "hub/hub.h"
#include "hub/server-int.h"
#include "lib/xmalloc.h"

/* zlib counts in uInt: hand it at most this much at a time. */
#define SERVER_ZCHUNK ((size_t)UINT_MAX)

int
server_gunzip(const void *data, size_t len, size_t max, char **out,
    size_t *outlen, int *code, char **cause)
{
	const unsigned char *in = data;
	size_t used = 0, done = 0, cap, n;
	z_stream z;
	char *b;
	int rc;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		*code = 500;
		*cause = xstrdup("zlib: cannot initialise");
		return -1;
	}
	cap = len <= (max - 4096) / 4 ? len * 4 + 4096 : max + 1;
	if (cap > max + 1)
		cap = max + 1;
	b = xmalloc(cap + 1);
	for (;;) {
		if (z.avail_in == 0 && used < len) {
			n = len - used < SERVER_ZCHUNK ? len - used
			                               : SERVER_ZCHUNK;
			z.next_in = (unsigned char *)(in + used);
			z.avail_in = (uInt)n;
			used += n;
		}
		if (done == cap) {
			if (cap > max) {
				*code = 413;
				*cause =
				    xasprintf("decompressed body larger "
				              "than %zu bytes "
				              "(limits.max_body_decompressed)",
				        max);
				goto fail;
			}
			cap = cap <= (max + 1) / 2 ? cap * 2 : max + 1;
			b = xrealloc(b, cap + 1);
		}
		n = cap - done < SERVER_ZCHUNK ? cap - done : SERVER_ZCHUNK;
		z.next_out = (unsigned char *)b + done;
		z.avail_out = (uInt)n;
		rc = inflate(&z, Z_NO_FLUSH);
		done += n - z.avail_out;
		if (rc == Z_STREAM_END) {
			if (z.avail_in == 0 && used == len)
				break;
			/* Another gzip member follows (cat a.gz b.gz): its
			 * output goes after this one's. */
			if (inflateReset(&z) != Z_OK) {
				*code = 500;
				*cause = xstrdup("zlib: cannot reset");
				goto fail;
			}
			continue;
		}
		if (rc == Z_BUF_ERROR && done == cap)
			continue; /* output full: grown above */
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			*code = 400;
			*cause = xasprintf("gzip body: %s",
			    z.msg != NULL ? z.msg : "corrupt data");
			goto fail;
		}
		if (z.avail_in == 0 && used == len && done < cap) {
			*code = 400;
			*cause = xstrdup("gzip body: truncated");
			goto fail;
		}
	}
	inflateEnd(&z);
	b[done] = '\0';
	*out = b;
	*outlen = done;
	return 0;
fail:
	inflateEnd(&z);
	free(b);
	return -1;
}

int
server_body(struct hub *h, struct hub_req *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req->ev);
	const char *enc = hub_req_header(req, "Content-Encoding");
	size_t len = evbuffer_get_length(in);
	char *cause;
	int code;

	h->stats.bytes_received += len;
	if (enc == NULL || strcasecmp(enc, "identity") == 0 ||
	    (req->route->snappy_body && strcasecmp(enc, "snappy") == 0)) {
		/* Snappy (remote-write) is left to the route.  Copied on
		 * first use (server_body_load), or taken whole by a route
		 * that parses it on another thread. */
		req->body_in = in;
		req->body_len = len;
		return 0;
	}
	if (strcasecmp(enc, "gzip") != 0 && strcasecmp(enc, "x-gzip") != 0) {
		hub_reply_error(req, 415,
		    "unsupported Content-Encoding \"%s\" (gzip or identity%s)",
		    enc,
		    req->route->snappy_body ? ", or snappy for remote-write"
		                            : "");
		return -1;
	}
	if (server_gunzip(evbuffer_pullup(in, -1), len,
	        (size_t)h->config->max_body_decompressed, &req->body,
	        &req->body_len, &code, &cause) != 0) {
		hub_reply_error(req, code, "%s", cause);
		free(cause);
		return -1;
	}
	req->body_owned = 1;
	evbuffer_drain(in, len); /* inflated: the gzip text is done with */
	return 0;
}

void
server_body_load(struct hub_req *req)
{
	struct hub_server *srv = req->hub->server;
	size_t len = req->body_len;

	if (req->body_in == NULL)
		return;
	/* The server's reusable buffer: no allocation (and no fresh pages
	 * to fault in) per request. */
	if (srv->bodycap < len + 1) {
		free(srv->body);
		srv->bodycap = len + 1 > 65536 ? len + 1 : 65536;
		srv->body = xmalloc(srv->bodycap);
	}
	evbuffer_copyout(req->body_in, srv->body, len);
	srv->body[len] = '\0';
	req->body = srv->body;
	/* libevent's copy goes now, not with the request after its reply:
	 * one body less held while this one is parsed and stored. */
	evbuffer_drain(req->body_in, len);
	req->body_in = NULL;
}

static void
server_body_free_cb(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	free(arg);
}

struct evbuffer *
hub_req_body_take(struct hub_req *req)
{
	struct evbuffer *b = evbuffer_new();

	if (req->body_in != NULL)
		evbuffer_add_buffer(b, req->body_in); /* moves, no copy */
	else if (req->body_owned)
		evbuffer_add_reference(b, req->body, req->body_len,
		    server_body_free_cb, req->body);
	else if (req->body != NULL)
		evbuffer_add(b, req->body, req->body_len);
	req->body_in = NULL;
	req->body = NULL;
	req->body_len = 0;
	req->body_owned = 0;
	return b;
}
