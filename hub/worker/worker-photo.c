/* Photos on the grid workers' progress reports: the page sends one as
 * base64 in the report's JSON; it is checked (a JPEG or PNG by its magic
 * bytes, at most worker.max_photo_bytes), written once to DATA/photos/
 * under its SHA-256, linked from the alert's history and the audit, and
 * served to operators who see the alert and to workers of its grid. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub/alerts/alerts.h"
#include "hub/hub-config.h"
#include "hub/users.h"
#include "hub/worker/worker-int.h"
#include "lib/xmalloc.h"

/* DATA/photos/SHA256.jpg or .png; heap. */
static char *
photo_path(struct hub *h, const char *sha256, const char *type)
{
	return xasprintf("%s/photos/%s.%s", h->config->data, sha256,
	    strcmp(type, "image/png") == 0 ? "png" : "jpg");
}

/* Write data to path through a temporary file, fsync and rename (and
 * fsync the directory).  0, or -1 with *cause. */
static int
photo_write(const char *dir, const char *path, const unsigned char *data,
    size_t len, char **cause)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	size_t off = 0;
	ssize_t w;
	int fd, dfd;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		free(tmp);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail_fd;
		off += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail_fd;
	close(fd);
	if (rename(tmp, path) != 0)
		goto fail;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(tmp);
	return 0;
fail_fd:
	close(fd);
fail:
	*cause = xasprintf("%s: %s", path, strerror(errno));
	unlink(tmp);
	free(tmp);
	return -1;
}

/* A decoded photo waiting for the engine's go-ahead. */
struct photo_save {
	struct hub *h;
	const unsigned char *data;
	size_t len;
	const char *type;
	char sha256[65];
};

/* alert_worker_photo.save: write the photo unless it is there already
 * (the same bytes: the same name). */
static int
photo_save(void *arg, char **cause)
{
	struct photo_save *p = arg;
	char *dir = xasprintf("%s/photos", p->h->config->data);
	char *path = photo_path(p->h, p->sha256, p->type);
	struct stat st;
	int rc = 0;

	if (stat(path, &st) != 0 || (size_t)st.st_size != p->len)
		rc = photo_write(dir, path, p->data, p->len, cause);
	free(dir);
	free(path);
	return rc;
}

void
worker_photo_act(struct hub_req *req, struct alert_engine *e,
    const struct alert_worker *aw, const struct alert_actor *who, json_t *body)
{
	json_t *jp = json_object_get(body, "photo");
	struct alert_worker_photo photo;
	struct alert_reply r;
	struct photo_save ps;
	unsigned char *data = NULL;
	char *cause = NULL;
	long long max = req->hub->config->worker_max_photo_bytes;
	int st;

	if (jp != NULL && !json_is_null(jp)) {
		if (!json_is_string(jp)) {
			hub_reply_error(
			    req, 400, "\"photo\": a base64 string is expected");
			return;
		}
		memset(&ps, 0, sizeof ps);
		st = worker_photo_decode(json_string_value(jp),
		    json_string_length(jp), (size_t)max, &data, &ps.len,
		    &ps.type, &cause);
		if (st != 0) {
			hub_reply_error_json(req, st,
			    json_pack("{s:I}", "limit", (json_int_t)max), "%s",
			    cause);
			free(cause);
			return;
		}
		ps.h = req->hub;
		ps.data = data;
		hub_sha256_hex((const char *)data, ps.len, ps.sha256);
		photo.sha256 = ps.sha256;
		photo.type = ps.type;
		photo.bytes = ps.len;
		photo.save = photo_save;
		photo.arg = &ps;
	}
	alert_engine_worker_act(e, aw, hub_req_param(req, "id"),
	    hub_req_param(req, "action"),
	    json_string_value(json_object_get(body, "text")),
	    json_string_value(json_object_get(body, "action_id")),
	    data != NULL ? &photo : NULL, who, &r);
	free(data);
	hub_reply_json(req, r.status, r.body);
}

/* Send photo p (a history entry's {"n", "sha256", "type"}) of alert id,
 * checking its bytes against the recorded SHA-256. */
static void
photo_send(struct hub_req *req, const char *id, json_t *p)
{
	const char *sha = json_string_value(json_object_get(p, "sha256"));
	const char *type = json_string_value(json_object_get(p, "type"));
	char *path, *data = NULL, got[65], disp[96];
	struct stat st;
	FILE *f;

	if (sha == NULL || type == NULL || strlen(sha) != 64 ||
	    strspn(sha, "0123456789abcdef") != 64) {
		hub_reply_error(req, 500, "photo of %s: bad record", id);
		return;
	}
	path = photo_path(req->hub, sha, type);
	f = fopen(path, "rb");
	if (f == NULL || fstat(fileno(f), &st) != 0 ||
	    st.st_size > (64LL << 20)) {
		hub_reply_error(req, 500, "photo of %s: %s", id,
		    f == NULL ? strerror(errno) : "unreadable");
		goto out;
	}
	data = xmalloc((size_t)st.st_size + 1);
	if (fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		hub_reply_error(req, 500, "photo of %s: short read", id);
		goto out;
	}
	hub_sha256_hex(data, (size_t)st.st_size, got);
	if (strcmp(got, sha) != 0) {
		hub_reply_error(req, 500,
		    "photo of %s is damaged: its SHA-256 is %s, not %s as "
		    "recorded",
		    id, got, sha);
		goto out;
	}
	snprintf(disp, sizeof disp, "inline; filename=\"%s-%lld.%s\"", id,
	    (long long)json_integer_value(json_object_get(p, "n")),
	    strcmp(type, "image/png") == 0 ? "png" : "jpg");
	evhttp_add_header(evhttp_request_get_output_headers(req->ev),
	    "Content-Disposition", disp);
	evhttp_add_header(evhttp_request_get_output_headers(req->ev),
	    "X-Content-Type-Options", "nosniff");
	hub_reply_text(req, 200, type, data, (size_t)st.st_size);
out:
	if (f != NULL)
		fclose(f);
	free(data);
	free(path);
}

/* The photo number of the request ({n}: 1, 2, ...), or 0. */
static size_t
photo_n(struct hub_req *req)
{
	const char *s = hub_req_param(req, "n");
	char *end;
	unsigned long n;

	if (s == NULL || *s < '1' || *s > '9')
		return 0;
	n = strtoul(s, &end, 10);
	return *end == '\0' && n < 100000 ? (size_t)n : 0;
}

/* Photo {n} of alert {id} for operator who or, who NULL, worker aw. */
static void
photo_route(struct hub_req *req, struct alert_engine *e,
    const struct alert_actor *who, const struct alert_worker *aw)
{
	const char *id = hub_req_param(req, "id");
	json_t *p = NULL;
	size_t n = photo_n(req);

	if (n > 0)
		p = alert_engine_photo(e, id, n, who, aw);
	if (p == NULL) {
		hub_reply_error(req, 404, "no photo %s of alert \"%s\"",
		    hub_req_param(req, "n"), id);
		return;
	}
	photo_send(req, id, p);
}

/* GET /api/v1/alerts/{id}/photos/{n}: operators who see the alert. */
void
worker_route_alert_photo(struct hub_req *req)
{
	struct alert_engine *e = route_alerts_engine(req);
	struct alert_actor who;

	if (e == NULL)
		return;
	route_alerts_actor(req, &who);
	photo_route(req, e, &who, NULL);
}

/* GET /api/v1/m/tasks/{id}/photos/{n}: workers of the alert's grid. */
void
worker_route_task_photo(struct hub_req *req)
{
	struct alert_engine *e;
	struct worker *w = worker_req_engine(req, &e);
	struct alert_worker aw;

	if (w == NULL)
		return;
	worker_req_alert_worker(w, &aw);
	photo_route(req, e, NULL, &aw);
}
