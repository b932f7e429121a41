/* hub.json "remote_write": the forwarding targets (docs/api.md). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/remote/relabel.h"
#include "hub/remote/remote.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/selector.h"
#include "lib/xmalloc.h"

struct remote_conf_raw {
	char *name, *url, *bearer_token_file, *match;
	json_t *headers, *basic_auth, *queue, *relabel, *tls;
	int64_t timeout;
};

struct remote_basic_raw {
	char *username, *password_file;
};

static const struct conf_field remote_conf_fields[] = {
    {"name", CONF_STRING, 0, offsetof(struct remote_conf_raw, name), 0, 0},
    {"url", CONF_STRING, 1, offsetof(struct remote_conf_raw, url), 0, 0},
    {"headers", CONF_OBJECT, 0, offsetof(struct remote_conf_raw, headers), 0,
        0},
    {"bearer_token_file", CONF_STRING, 0,
        offsetof(struct remote_conf_raw, bearer_token_file), 0, 0},
    {"basic_auth", CONF_OBJECT, 0, offsetof(struct remote_conf_raw, basic_auth),
        0, 0},
    {"queue", CONF_OBJECT, 0, offsetof(struct remote_conf_raw, queue), 0, 0},
    {"timeout", CONF_DURATION, 0, offsetof(struct remote_conf_raw, timeout), 0,
        0},
    {"match", CONF_STRING, 0, offsetof(struct remote_conf_raw, match), 0, 0},
    {"relabel", CONF_ARRAY, 0, offsetof(struct remote_conf_raw, relabel), 0, 0},
    {"tls", CONF_OBJECT, 0, offsetof(struct remote_conf_raw, tls), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct conf_field remote_tls_fields[] = {
    {"ca_file", CONF_STRING, 0, offsetof(struct remote_tls_conf, ca_file), 0,
        0},
    {"cert_file", CONF_STRING, 0, offsetof(struct remote_tls_conf, cert_file),
        0, 0},
    {"key_file", CONF_STRING, 0, offsetof(struct remote_tls_conf, key_file), 0,
        0},
    {"insecure_skip_verify", CONF_BOOL, 0,
        offsetof(struct remote_tls_conf, insecure_skip_verify), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct conf_field remote_basic_fields[] = {
    {"username", CONF_STRING, 1, offsetof(struct remote_basic_raw, username), 0,
        0},
    {"password_file", CONF_STRING, 1,
        offsetof(struct remote_basic_raw, password_file), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct conf_field remote_queue_fields[] = {
    {"batch_samples", CONF_INT, 0,
        offsetof(struct remote_target_conf, batch_samples), 1, 1000000},
    {"max_bytes", CONF_INT, 0, offsetof(struct remote_target_conf, max_bytes),
        4096, 1LL << 40},
    {"shards", CONF_INT, 0, offsetof(struct remote_target_conf, shards), 1, 64},
    {"max_shards", CONF_INT, 0, offsetof(struct remote_target_conf, max_shards),
        1, 64},
    {"reshard_interval", CONF_DURATION, 0,
        offsetof(struct remote_target_conf, reshard_every_ms), 0, 0},
    {"min_backoff", CONF_DURATION, 0,
        offsetof(struct remote_target_conf, min_backoff_ms), 0, 0},
    {"max_backoff", CONF_DURATION, 0,
        offsetof(struct remote_target_conf, max_backoff_ms), 0, 0},
    {"label_cache_idle", CONF_DURATION, 0,
        offsetof(struct remote_target_conf, label_idle_ms), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

/* path resolved against conf_path's directory; caller frees. */
static char *
remote_conf_path(const char *conf_path, const char *path)
{
	const char *slash = conf_path != NULL ? strrchr(conf_path, '/') : NULL;

	if (*path != '/' && slash != NULL)
		return xasprintf(
		    "%.*s/%s", (int)(slash - conf_path), conf_path, path);
	return xstrdup(path);
}

/* The first line of file path (relative to conf_path's directory), or
 * NULL with *why. */
static char *
remote_conf_secret(const char *conf_path, const char *path, char **why)
{
	return conf_secret_read(conf_path, path, why);
}

void
remote_conf_free(struct remote_target_conf *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(t[i].name);
		free(t[i].url);
		conf_strarray_free(t[i].headers);
		free(t[i].bearer_token);
		free(t[i].basic_user);
		free(t[i].basic_password);
		selector_free(t[i].match);
		relabel_rules_free(t[i].relabel, t[i].nrelabel);
		free(t[i].tls.ca_file);
		free(t[i].tls.cert_file);
		free(t[i].tls.key_file);
	}
	free(t);
}

/* Read t's "tls" object obj: the files must be readable now. */
static int
remote_conf_tls(struct conf_file *cf, const char *conf_path, json_t *obj,
    struct remote_target_conf *t, char **cause)
{
	static const char *const keys[] = {"ca_file", "cert_file", "key_file"};
	char **files[3], *full;
	FILE *f;
	size_t i;

	if (conf_object_read(cf, obj, remote_tls_fields, &t->tls, cause) != 0)
		return -1;
	files[0] = &t->tls.ca_file;
	files[1] = &t->tls.cert_file;
	files[2] = &t->tls.key_file;
	for (i = 0; i < 3; i++) {
		if (*files[i] == NULL)
			continue;
		full = remote_conf_path(conf_path, *files[i]);
		free(*files[i]);
		*files[i] = full;
		if ((f = fopen(full, "r")) == NULL) {
			*cause = conf_error(cf, obj, keys[i], 0,
			    "cannot read %s: %s", full, strerror(errno));
			return -1;
		}
		fclose(f);
	}
	if ((t->tls.cert_file == NULL) != (t->tls.key_file == NULL)) {
		*cause = conf_error(cf, obj,
		    t->tls.cert_file != NULL ? "cert_file" : "key_file", 0,
		    "cert_file and key_file go together");
		return -1;
	}
	return 0;
}

/* Fill t from one array element (or the remote_read object when for_read:
 * no match, relabel or queue there); 0 or -1 with *cause. */
static int
remote_conf_target(struct conf_file *cf, const char *conf_path, json_t *obj,
    int for_read, struct remote_target_conf *t, char **cause)
{
	struct remote_conf_raw r;
	struct remote_basic_raw b;
	const char *k;
	json_t *v;
	char *why = NULL;
	size_t nh = 0;
	int rc = -1;

	memset(&r, 0, sizeof r);
	memset(&b, 0, sizeof b);
	t->batch_samples = 2000;
	t->max_bytes = 256LL << 20;
	t->shards = 1;
	t->min_backoff_ms = 100;
	t->max_backoff_ms = 30000;
	t->timeout_ms = 30000;
	t->label_idle_ms = 3600000;
	t->reshard_every_ms = 10000;
	if (conf_object_read(cf, obj, remote_conf_fields, &r, cause) != 0)
		goto out;
	if (r.name == NULL && !for_read) {
		*cause = conf_error(cf, obj, "name", 0, "missing required key");
		goto out;
	}
	if (for_read &&
	    (r.match != NULL || r.relabel != NULL || r.queue != NULL)) {
		*cause = conf_error(cf, obj,
		    r.match != NULL     ? "match"
		    : r.relabel != NULL ? "relabel"
		                        : "queue",
		    0, "only remote_write targets take this");
		goto out;
	}
	t->name = r.name != NULL ? r.name : xstrdup("remote_read");
	t->url = r.url;
	r.name = r.url = NULL;
	if (strncmp(t->url, "http://", 7) != 0 &&
	    strncmp(t->url, "https://", 8) != 0) {
		*cause = conf_error(
		    cf, obj, "url", 0, "expected an http:// or https:// URL");
		goto out;
	}
	if (r.timeout > 0)
		t->timeout_ms = r.timeout;
	json_object_foreach(r.headers, k, v)
	{
		if (!json_is_string(v)) {
			*cause = conf_error(
			    cf, r.headers, k, 0, "expected a string");
			goto out;
		}
		t->headers = xreallocarray(t->headers, nh + 2, sizeof(char *));
		t->headers[nh++] = xasprintf("%s: %s", k, json_string_value(v));
		t->headers[nh] = NULL;
	}
	if (r.bearer_token_file != NULL &&
	    (t->bearer_token = remote_conf_secret(
	         conf_path, r.bearer_token_file, &why)) == NULL) {
		*cause = conf_error(cf, obj, "bearer_token_file", 0, "%s", why);
		goto out;
	}
	if (r.basic_auth != NULL) {
		if (conf_object_read(
		        cf, r.basic_auth, remote_basic_fields, &b, cause) != 0)
			goto out;
		t->basic_user = b.username;
		b.username = NULL;
		if ((t->basic_password = remote_conf_secret(
		         conf_path, b.password_file, &why)) == NULL) {
			*cause = conf_error(
			    cf, r.basic_auth, "password_file", 0, "%s", why);
			goto out;
		}
	}
	if (r.queue != NULL &&
	    conf_object_read(cf, r.queue, remote_queue_fields, t, cause) != 0)
		goto out;
	if (r.match != NULL &&
	    (t->match = selector_parse_cause(r.match, &why)) == NULL) {
		*cause = conf_error(cf, obj, "match", 0, "%s", why);
		goto out;
	}
	if (r.relabel != NULL && relabel_rules_read(cf, r.relabel, &t->relabel,
	                             &t->nrelabel, cause) != 0)
		goto out;
	if (r.tls != NULL &&
	    remote_conf_tls(cf, conf_path, r.tls, t, cause) != 0)
		goto out;
	if (t->max_shards == 0)
		t->max_shards = t->shards;
	if (t->max_shards < t->shards) {
		*cause = conf_error(
		    cf, obj, "queue", 0, "expected shards <= max_shards");
		goto out;
	}
	if (t->reshard_every_ms < 1000) {
		*cause = conf_error(cf, obj, "queue", 0,
		    "expected reshard_interval of at least 1s");
		goto out;
	}
	if (t->min_backoff_ms <= 0 || t->max_backoff_ms < t->min_backoff_ms) {
		*cause = conf_error(cf, obj, "queue", 0,
		    "expected 0 < min_backoff <= max_backoff");
		goto out;
	}
	rc = 0;
out:
	free(why);
	free(r.name);
	free(r.url);
	free(r.bearer_token_file);
	free(r.match);
	free(b.username);
	free(b.password_file);
	return rc;
}

int
remote_conf_read(struct conf_file *cf, const char *conf_path, json_t *arr,
    struct remote_target_conf **out, size_t *n, char **cause)
{
	struct remote_target_conf *t;
	json_t *obj;
	size_t i, j;

	t = xcalloc(json_array_size(arr) + 1, sizeof *t);
	json_array_foreach(arr, i, obj)
	{
		if (!json_is_object(obj)) {
			*cause =
			    conf_error(cf, arr, NULL, i, "expected an object");
			goto fail;
		}
		if (remote_conf_target(cf, conf_path, obj, 0, &t[i], cause) !=
		    0)
			goto fail;
		for (j = 0; j < i; j++) {
			if (strcmp(t[j].name, t[i].name) == 0) {
				*cause = conf_error(cf, obj, "name", 0,
				    "a second target named \"%s\"", t[i].name);
				goto fail;
			}
		}
	}
	*out = t;
	*n = json_array_size(arr);
	return 0;
fail:
	remote_conf_free(t, json_array_size(arr));
	return -1;
}

int
remote_read_conf_read(struct conf_file *cf, const char *conf_path, json_t *obj,
    struct remote_target_conf **out, char **cause)
{
	struct remote_target_conf *t = xcalloc(1, sizeof *t);

	if (remote_conf_target(cf, conf_path, obj, 1, t, cause) != 0) {
		remote_conf_free(t, 1);
		return -1;
	}
	if (!json_object_get(obj, "timeout"))
		t->timeout_ms = 10000;
	*out = t;
	return 0;
}
