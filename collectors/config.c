/*
 * The collector's configuration: loading and checking the global settings
 * (the inputs are built by collectors/inputs.c), and reloading on SIGHUP.
 */
#include "config.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/collector.h"
#include "collectors/push.h"
#include "lib/conf.h"
#include "lib/hostport.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

static const struct conf_field root_fields[] = {
    {.key = "name",
        .type = CONF_STRING,
        .offset = offsetof(struct collector_conf, name)},
    {.key = "hub",
        .type = CONF_OBJECT,
        .offset = offsetof(struct collector_conf, hub)},
    {.key = "batch",
        .type = CONF_OBJECT,
        .offset = offsetof(struct collector_conf, batch)},
    {.key = "spool",
        .type = CONF_OBJECT,
        .offset = offsetof(struct collector_conf, spool)},
    {.key = "tags",
        .type = CONF_OBJECT,
        .offset = offsetof(struct collector_conf, tags_obj)},
    {.key = "listen",
        .type = CONF_STRING,
        .offset = offsetof(struct collector_conf, listen)},
    {.key = "self_interval",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, self_interval)},
    {.key = "inputs",
        .type = CONF_ARRAY,
        .offset = offsetof(struct collector_conf, inputs)},
    {.key = NULL},
};

static const struct conf_field hub_fields[] = {
    {.key = "urls",
        .type = CONF_STRARRAY,
        .required = 1,
        .offset = offsetof(struct collector_conf, urls)},
    {.key = "token",
        .type = CONF_STRING,
        .offset = offsetof(struct collector_conf, token)},
    {.key = "token_file",
        .type = CONF_STRING,
        .offset = offsetof(struct collector_conf, token_file)},
    {.key = "timeout",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, push_timeout)},
    {.key = "gzip",
        .type = CONF_BOOL,
        .offset = offsetof(struct collector_conf, gzip)},
    {.key = "retry_min",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, retry_min)},
    {.key = "retry_max",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, retry_max)},
    {.key = NULL},
};

static const struct conf_field batch_fields[] = {
    {.key = "max_points",
        .type = CONF_INT,
        .min = 1,
        .max = 1000000,
        .offset = offsetof(struct collector_conf, batch_points)},
    {.key = "max_bytes",
        .type = CONF_INT,
        .min = 1024,
        .max = 64LL << 20,
        .offset = offsetof(struct collector_conf, batch_bytes)},
    {.key = "interval",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, batch_interval)},
    {.key = NULL},
};

static const struct conf_field spool_fields[] = {
    {.key = "dir",
        .type = CONF_STRING,
        .offset = offsetof(struct collector_conf, spool_dir)},
    {.key = "max_bytes",
        .type = CONF_INT,
        .min = 65536,
        .max = 1LL << 40,
        .offset = offsetof(struct collector_conf, spool_max_bytes)},
    {.key = "segment_bytes",
        .type = CONF_INT,
        .min = 4096,
        .max = 1LL << 32,
        .offset = offsetof(struct collector_conf, spool_segment_bytes)},
    {.key = "max_age",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, spool_max_age)},
    {.key = "fsync_interval",
        .type = CONF_DURATION,
        .offset = offsetof(struct collector_conf, spool_fsync_interval)},
    {.key = NULL},
};

/* Check the global settings of cc->file; 0 or -1 with *cause. */
static int
collector_conf_read(struct collector_conf *cc, char **cause)
{
	struct conf_file *cf = cc->file;
	json_t *root = conf_file_root(cf);
	char host[256], *why = NULL;
	FILE *f;

	cc->push_timeout = 10000;
	cc->gzip = 1;
	cc->retry_min = 1000;
	cc->retry_max = 60000;
	cc->batch_points = 5000;
	cc->batch_bytes = 1 << 20;
	cc->batch_interval = 1000;
	cc->spool_max_bytes = 64LL << 20;
	cc->spool_max_age = 7LL * 24 * 3600 * 1000;
	cc->spool_fsync_interval = 1000;
	cc->self_interval = 10000;
	if (!json_is_object(root)) {
		*cause =
		    xasprintf("%s: expected an object", conf_file_name(cf));
		return -1;
	}
	if (conf_object_read(cf, root, root_fields, cc, cause) != 0)
		return -1;
	if (cc->hub == NULL) {
		*cause = xasprintf("%s: \"hub\" missing (\"hub\": {\"urls\": "
		                   "[\"http://HOST:8428\"]})",
		    conf_file_name(cf));
		return -1;
	}
	if (conf_object_read(cf, cc->hub, hub_fields, cc, cause) != 0)
		return -1;
	if (cc->urls[0] == NULL) {
		*cause = conf_error(
		    cf, cc->hub, "urls", 0, "at least one URL is needed");
		return -1;
	}
	for (size_t i = 0; cc->urls[i] != NULL; i++) {
		size_t n = strlen(cc->urls[i]);

		if (strncmp(cc->urls[i], "http://", 7) != 0 &&
		    strncmp(cc->urls[i], "https://", 8) != 0) {
			*cause = conf_error(cf, cc->hub, "urls", 0,
			    "\"%s\": expected http:// or https://",
			    cc->urls[i]);
			return -1;
		}
		while (n > 0 && cc->urls[i][n - 1] == '/')
			cc->urls[i][--n] = '\0';
	}
	if (cc->batch != NULL &&
	    conf_object_read(cf, cc->batch, batch_fields, cc, cause) != 0)
		return -1;
	if (cc->spool != NULL &&
	    conf_object_read(cf, cc->spool, spool_fields, cc, cause) != 0)
		return -1;
	if (cc->retry_min < 10 || cc->retry_max < cc->retry_min) {
		*cause = conf_error(cf, cc->hub, "retry_max", 0,
		    "retry_min must be >= 10ms and <= retry_max");
		return -1;
	}
	if (cc->batch_interval < 10 || cc->spool_fsync_interval < 10 ||
	    cc->self_interval < 100 || cc->push_timeout < 100) {
		*cause = xasprintf("%s: intervals and timeouts are too short",
		    conf_file_name(cf));
		return -1;
	}
	if (cc->spool_dir == NULL)
		cc->spool_dir = xstrdup(CB_LOCALSTATEDIR "/spool");
	if (cc->listen != NULL && cc->listen[0] == ':') {
		/* ":PORT": loopback only. */
		why = cc->listen;
		cc->listen = xasprintf("127.0.0.1%s", why);
		free(why);
		why = NULL;
	}
	if (cc->listen != NULL) {
		char *lh;
		int lp;

		if (hostport_parse(cc->listen, &lh, &lp) != 0) {
			*cause = conf_error(cf, root, "listen", 0,
			    "\"%s\": expected HOST:PORT or :PORT", cc->listen);
			return -1;
		}
		free(lh);
	}
	if (cc->name == NULL) {
		if (gethostname(host, sizeof host) != 0)
			strcpy(host, "collector");
		host[sizeof host - 1] = '\0';
		cc->name = xstrdup(host);
	}
	if (cc->tags_obj != NULL &&
	    tags_from_json(cc->tags_obj, &cc->tags, &cc->ntags, &why) != 0) {
		*cause = conf_error(cf, root, "tags", 0, "%s", why);
		free(why);
		return -1;
	}
	if (cc->token == NULL && cc->token_file != NULL) {
		char line[512];

		if ((f = fopen(cc->token_file, "r")) == NULL ||
		    fgets(line, sizeof line, f) == NULL) {
			*cause = conf_error(cf, cc->hub, "token_file", 0,
			    "cannot read %s", cc->token_file);
			if (f != NULL)
				fclose(f);
			return -1;
		}
		fclose(f);
		line[strcspn(line, "\r\n")] = '\0';
		cc->token = xstrdup(line);
	}
	if (cc->inputs == NULL) {
		*cause =
		    xasprintf("%s: \"inputs\" missing", conf_file_name(cf));
		return -1;
	}
	return 0;
}

int
collector_conf_load(struct collector_conf *cc, const char *path, char **cause)
{
	memset(cc, 0, sizeof *cc);
	cc->path = xstrdup(path);
	if ((cc->file = conf_file_load(path, cause)) == NULL)
		return -1;
	return collector_conf_read(cc, cause);
}

void
collector_conf_drop_file(struct collector_conf *cc)
{
	conf_file_free(cc->file);
	cc->file = NULL;
	cc->tags_obj = cc->inputs = cc->hub = cc->batch = cc->spool = NULL;
}

void
collector_conf_free(struct collector_conf *cc)
{
	collector_conf_drop_file(cc);
	free(cc->path);
	conf_strarray_free(cc->urls);
	free(cc->token);
	free(cc->token_file);
	free(cc->spool_dir);
	free(cc->listen);
	free(cc->name);
	tags_free(cc->tags, cc->ntags);
	memset(cc, 0, sizeof *cc);
}

/* The spool stays open across a reload: keep its running settings, and
 * say so if the file asks for others. */
static void
collector_conf_keep_spool(
    struct collector_conf *cc, const struct collector_conf *old)
{
	if (strcmp(cc->spool_dir, old->spool_dir) != 0 ||
	    cc->spool_max_bytes != old->spool_max_bytes ||
	    cc->spool_segment_bytes != old->spool_segment_bytes ||
	    cc->spool_max_age != old->spool_max_age)
		log_warn("collector",
		    "reload: the spool settings (dir, max_bytes, "
		    "segment_bytes, max_age) change only at a restart; "
		    "still using %s",
		    old->spool_dir);
	free(cc->spool_dir);
	cc->spool_dir = xstrdup(old->spool_dir);
	cc->spool_max_bytes = old->spool_max_bytes;
	cc->spool_segment_bytes = old->spool_segment_bytes;
	cc->spool_max_age = old->spool_max_age;
}

/* The listener stays bound across a reload, as the spool stays open. */
static void
collector_conf_keep_listen(
    struct collector_conf *cc, const struct collector_conf *old)
{
	if ((cc->listen == NULL) != (old->listen == NULL) ||
	    (cc->listen != NULL && strcmp(cc->listen, old->listen) != 0))
		log_warn("collector",
		    "reload: \"listen\" changes only at a restart; still "
		    "%s",
		    old->listen != NULL ? old->listen : "not listening");
	free(cc->listen);
	cc->listen = old->listen != NULL ? xstrdup(old->listen) : NULL;
}

int
collector_reload(struct collector *c)
{
	struct collector_conf cc, old;
	struct input **inputs = NULL;
	size_t ninputs = 0, was = c->ninputs;
	char *cause = NULL;

	if (collector_conf_load(&cc, c->conf.path, &cause) != 0 ||
	    inputs_create(c, &cc, &inputs, &ninputs, &cause) != 0) {
		log_error("collector",
		    "reload: %s; still running the previous configuration",
		    cause);
		free(cause);
		collector_conf_free(&cc);
		c->reload_errors++;
		return -1;
	}
	collector_conf_drop_file(&cc);
	collector_conf_keep_spool(&cc, &c->conf);
	collector_conf_keep_listen(&cc, &c->conf);
	old = c->conf;
	c->conf = cc;
	inputs_replace(c, inputs, ninputs);
	collector_conf_free(&old);
	if (c->push != NULL)
		push_reconfigure(c->push);
	c->reloads++;
	log_info("collector", "reloaded %s: %zu inputs (were %zu)",
	    c->conf.path, c->ninputs, was);
	inputs_start(c);
	return 0;
}
