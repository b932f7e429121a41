/* The registry of grid workers: enrolment codes and device tokens (only
 * their SHA-256 hashes are kept), persisted in DATA/workers.json. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "hub/users.h"
#include "hub/worker/worker-int.h"
#include "lib/xmalloc.h"

/* Enrolment codes: 10 characters without look-alikes (0/O, 1/I). */
static const char worker_code_alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
#define WORKER_CODE_LEN 10

static void
worker_clear(struct worker *w)
{
	size_t i;

	free(w->name);
	free(w->display);
	free(w->enrolled_by);
	for (i = 0; i < w->ngrids; i++)
		free(w->grids[i]);
	free(w->grids);
	free(w->grant_building);
	free(w->last_place);
	memset(w, 0, sizeof *w);
	w->grant_grid = -1;
}

void
worker_registry_free(struct hub_workers *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		worker_clear(&r->v[i]);
	free(r->v);
	free(r->path);
	free(r->grants_path);
	worker_limit_free(r->limit);
	free(r);
}

static int
worker_hash_ok(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	if (*s == '\0')
		return 1;
	if (strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		        (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

static int64_t
worker_int(json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

/* One record of the file into w; 0 or -1 with *cause. */
static int
worker_from_json(json_t *o, size_t idx, struct worker *w, char **cause)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *code = json_string_value(json_object_get(o, "code_sha256"));
	const char *tok = json_string_value(json_object_get(o, "token_sha256"));
	json_t *grids = json_object_get(o, "grids"), *g;
	size_t i;

	memset(w, 0, sizeof *w);
	w->grant_grid = -1;
	if (name == NULL || *name == '\0' || !json_is_array(grids) ||
	    !worker_hash_ok(code != NULL ? code : "") ||
	    !worker_hash_ok(tok != NULL ? tok : "")) {
		*cause = xasprintf("workers[%zu]: malformed record", idx);
		return -1;
	}
	w->name = xstrdup(name);
	w->grids = xcalloc(json_array_size(grids) + 1, sizeof *w->grids);
	json_array_foreach(grids, i, g)
	{
		if (!json_is_string(g)) {
			*cause = xasprintf("workers[%zu]: grids[%zu]: expected "
			                   "a territory code",
			    idx, i);
			return -1;
		}
		w->grids[w->ngrids++] = xstrdup(json_string_value(g));
	}
	if (json_string_value(json_object_get(o, "display")) != NULL)
		w->display =
		    xstrdup(json_string_value(json_object_get(o, "display")));
	if (json_string_value(json_object_get(o, "enrolled_by")) != NULL)
		w->enrolled_by = xstrdup(
		    json_string_value(json_object_get(o, "enrolled_by")));
	snprintf(
	    w->code_hash, sizeof w->code_hash, "%s", code != NULL ? code : "");
	snprintf(
	    w->token_hash, sizeof w->token_hash, "%s", tok != NULL ? tok : "");
	w->code_expires_ms = worker_int(o, "code_expires_ms");
	w->enrolled_ms = worker_int(o, "enrolled_ms");
	w->token_ms = worker_int(o, "token_ms");
	w->revoked_ms = worker_int(o, "revoked_ms");
	return 0;
}

struct hub_workers *
worker_registry_load(const char *path, char **cause)
{
	struct hub_workers *r = xcalloc(1, sizeof *r);
	json_error_t err;
	json_t *root, *arr, *o;
	size_t i;

	r->path = xstrdup(path);
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return r;
	root = json_load_file(path, 0, &err);
	if (root == NULL) {
		*cause = xasprintf(
		    "%s:%d:%d: %s", path, err.line, err.column, err.text);
		worker_registry_free(r);
		return NULL;
	}
	arr = json_object_get(root, "workers");
	if (!json_is_array(arr)) {
		*cause = xasprintf("%s: expected {\"workers\": [...]}", path);
		goto fail;
	}
	r->v = xcalloc(json_array_size(arr) + 1, sizeof *r->v);
	json_array_foreach(arr, i, o)
	{
		if (worker_from_json(o, i, &r->v[r->n], cause) != 0) {
			char *c = xasprintf("%s: %s", path, *cause);

			free(*cause);
			*cause = c;
			worker_clear(&r->v[r->n]);
			goto fail;
		}
		r->n++;
	}
	json_decref(root);
	return r;
fail:
	json_decref(root);
	worker_registry_free(r);
	return NULL;
}

static json_t *
worker_to_json(const struct worker *w)
{
	json_t *grids = json_array();
	size_t i;

	for (i = 0; i < w->ngrids; i++)
		json_array_append_new(grids, json_string(w->grids[i]));
	return json_pack("{s:s,s:s*,s:o,s:s*,s:s,s:I,s:s,s:I,s:I,s:I}", "name",
	    w->name, "display", w->display, "grids", grids, "enrolled_by",
	    w->enrolled_by, "code_sha256", w->code_hash, "code_expires_ms",
	    (json_int_t)w->code_expires_ms, "token_sha256", w->token_hash,
	    "enrolled_ms", (json_int_t)w->enrolled_ms, "token_ms",
	    (json_int_t)w->token_ms, "revoked_ms", (json_int_t)w->revoked_ms);
}

int
worker_file_write(const char *path, json_t *root, char **cause)
{
	char *tmp, *text = json_dumps(root, JSON_INDENT(1));
	size_t len;
	int fd, ok;

	tmp = xasprintf("%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		free(text);
		return -1;
	}
	len = strlen(text);
	ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	free(text);
	if (!ok || rename(tmp, path) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int
worker_registry_save(struct hub_workers *r, char **cause)
{
	json_t *arr = json_array(), *root;
	size_t i;
	int rc;

	for (i = 0; i < r->n; i++)
		json_array_append_new(arr, worker_to_json(&r->v[i]));
	root = json_pack("{s:o}", "workers", arr);
	rc = worker_file_write(r->path, root, cause);
	json_decref(root);
	return rc;
}

struct worker *
worker_registry_find(struct hub_workers *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	}
	return NULL;
}

/* Compare two hex hashes in constant time. */
static int
worker_hash_eq(const char *a, const char *b)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < 64; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

struct worker *
worker_registry_by_token(struct hub_workers *r, const char *token)
{
	struct worker *found = NULL;
	char h[65];
	size_t i;

	if (token == NULL || strncmp(token, "cbw_", 4) != 0)
		return NULL;
	hub_sha256_hex(token, strlen(token), h);
	for (i = 0; i < r->n; i++) {
		if (r->v[i].token_hash[0] != '\0' &&
		    worker_hash_eq(r->v[i].token_hash, h))
			found = &r->v[i];
	}
	return found;
}

/* Canonical form of a typed code: upper case, no '-' or spaces. */
static void
worker_code_norm(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < len; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		out[n++] = (*in >= 'a' && *in <= 'z') ? (char)(*in - 32) : *in;
	}
	out[n] = '\0';
}

struct worker *
worker_registry_by_code(struct hub_workers *r, const char *code, int64_t now)
{
	struct worker *found = NULL;
	char norm[64], h[65];
	size_t i;

	worker_code_norm(code, norm, sizeof norm);
	if (strlen(norm) != WORKER_CODE_LEN)
		return NULL;
	hub_sha256_hex(norm, strlen(norm), h);
	for (i = 0; i < r->n; i++) {
		if (r->v[i].code_hash[0] != '\0' &&
		    r->v[i].code_expires_ms > now &&
		    worker_hash_eq(r->v[i].code_hash, h))
			found = &r->v[i];
	}
	return found;
}

/* n random characters of alphabet into out (NUL-terminated). */
static void
worker_random(char *out, size_t n, const char *alphabet)
{
	unsigned char buf[64];
	size_t k = strlen(alphabet), got = 0, i;

	while (got < n) {
		ssize_t m = getrandom(
		    buf, n - got < sizeof buf ? n - got : sizeof buf, 0);

		if (m <= 0)
			continue; /* EINTR; the kernel's pool never runs dry */
		for (i = 0; i < (size_t)m; i++)
			out[got++] = alphabet[buf[i] % k];
	}
	out[n] = '\0';
}

char *
worker_registry_enrol(struct hub_workers *r, const char *name,
    const char *display, char *const *grids, size_t ngrids, const char *by,
    int64_t now, int64_t ttl_ms)
{
	struct worker *w = worker_registry_find(r, name);
	char code[WORKER_CODE_LEN + 1], *pretty;
	size_t i;

	if (w == NULL) {
		r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
		w = &r->v[r->n++];
		memset(w, 0, sizeof *w);
		w->grant_grid = -1;
		w->name = xstrdup(name);
	} else {
		for (i = 0; i < w->ngrids; i++)
			free(w->grids[i]);
		free(w->grids);
		free(w->enrolled_by);
		free(w->grant_building);
		w->grant_building = NULL;
		w->grant_grid = -1; /* the grids changed: check in again */
	}
	if (display != NULL) {
		free(w->display);
		w->display = xstrdup(display);
	}
	w->grids = xcalloc(ngrids + 1, sizeof *w->grids);
	for (i = 0; i < ngrids; i++)
		w->grids[i] = xstrdup(grids[i]);
	w->ngrids = ngrids;
	w->enrolled_by = by != NULL ? xstrdup(by) : NULL;
	w->enrolled_ms = now;
	w->revoked_ms = 0;
	worker_random(code, WORKER_CODE_LEN, worker_code_alphabet);
	hub_sha256_hex(code, WORKER_CODE_LEN, w->code_hash);
	w->code_expires_ms = now + ttl_ms;
	pretty = xasprintf("%.5s-%s", code, code + 5);
	return pretty;
}

char *
worker_registry_token(struct worker *w, int64_t now)
{
	char rnd[33], *tok;

	worker_random(rnd, 32, "0123456789abcdef");
	tok = xasprintf("cbw_%s", rnd);
	hub_sha256_hex(tok, strlen(tok), w->token_hash);
	w->code_hash[0] = '\0';
	w->code_expires_ms = 0;
	w->token_ms = now;
	return tok;
}

void
worker_registry_revoke(struct worker *w, int64_t now)
{
	w->token_hash[0] = '\0';
	w->code_hash[0] = '\0';
	w->code_expires_ms = 0;
	w->revoked_ms = now;
	free(w->grant_building);
	w->grant_building = NULL;
	w->grant_grid = -1;
	w->grant_until_ms = 0;
}

int
worker_registry_active(const struct worker *w)
{
	return w->revoked_ms == 0 &&
	       (w->token_hash[0] != '\0' || w->code_hash[0] != '\0');
}
