/* Inputs: configuration common to all types, and the schedule (interval,
 * jitter, overrun, backoff of failing inputs). */
#include "config.h"

#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collectors/collector.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

static const struct input_ops *const input_types[] = {
    &input_http_ops,
    &input_prom_ops,
    &input_exec_ops,
    &input_plugin_ops,
    &input_host_ops,
};

static const struct conf_field input_common_fields[] = {
    {.key = "type",
        .type = CONF_STRING,
        .required = 1,
        .offset = offsetof(struct input_conf, type)},
    {.key = "name",
        .type = CONF_STRING,
        .offset = offsetof(struct input_conf, name)},
    {.key = "interval",
        .type = CONF_DURATION,
        .offset = offsetof(struct input_conf, interval)},
    {.key = "timeout",
        .type = CONF_DURATION,
        .offset = offsetof(struct input_conf, timeout)},
    {.key = "jitter",
        .type = CONF_DURATION,
        .offset = offsetof(struct input_conf, jitter)},
    {.key = "tags",
        .type = CONF_OBJECT,
        .offset = offsetof(struct input_conf, tags)},
};
#define NCOMMON (sizeof input_common_fields / sizeof input_common_fields[0])

static void input_timer_cb(evutil_socket_t fd, short what, void *arg);

static void
input_conf_free(const struct conf_field *fields, void *conf)
{
	for (; fields->key != NULL; fields++) {
		void *at = (char *)conf + fields->offset;

		if (fields->type == CONF_STRING ||
		    fields->type == CONF_HOSTPORT) {
			free(*(char **)at);
			*(char **)at = NULL;
		} else if (fields->type == CONF_STRARRAY) {
			conf_strarray_free(*(char ***)at);
			*(char ***)at = NULL;
		}
	}
}

/* Build input index of cc (obj) and append it to *inputsp. */
static int
input_create(struct collector *c, const struct collector_conf *cc, json_t *obj,
    size_t index, struct input ***inputsp, size_t *ninputsp, char **cause)
{
	struct conf_file *cf = cc->file;
	const struct input_ops *ops = NULL;
	struct conf_field *fields;
	struct input_conf *ic;
	struct input *in;
	const char *type;
	size_t n = 0, i;
	char *why = NULL;
	int r = -1;

	if (!json_is_object(obj)) {
		*cause = conf_error(
		    cf, cc->inputs, NULL, index, "expected an object");
		return -1;
	}
	type = json_string_value(json_object_get(obj, "type"));
	for (i = 0;
	     type != NULL && i < sizeof input_types / sizeof input_types[0];
	     i++)
		if (strcmp(input_types[i]->type, type) == 0)
			ops = input_types[i];
	if (ops == NULL) {
		*cause =
		    type == NULL
		        ? conf_error(cf, cc->inputs, NULL, index,
		              "\"type\" missing (http_check, prometheus, exec, "
		              "plugin or host)")
		        : conf_error(cf, obj, "type", 0,
		              "unknown input type \"%s\" (http_check, "
		              "prometheus, "
		              "exec, plugin or host)",
		              type);
		return -1;
	}
	while (ops->fields[n].key != NULL)
		n++;
	fields = xcalloc(NCOMMON + n + 1, sizeof *fields);
	memcpy(fields, input_common_fields, sizeof input_common_fields);
	memcpy(fields + NCOMMON, ops->fields, n * sizeof *fields);
	ic = xcalloc(1, ops->conf_size);
	ic->interval = 10000;
	ic->timeout = 5000;
	ic->jitter = -1;

	in = xcalloc(1, sizeof *in);
	in->ops = ops;
	in->c = c;
	if (conf_object_read(cf, obj, fields, ic, cause) != 0)
		goto out;
	if (ic->interval < 100) {
		*cause = conf_error(
		    cf, obj, "interval", 0, "must be at least 100ms");
		goto out;
	}
	if (ic->timeout <= 0 || ic->timeout > ic->interval * 10) {
		*cause = conf_error(cf, obj, "timeout", 0,
		    "must be positive and at most 10 intervals");
		goto out;
	}
	in->name = ic->name != NULL ? xstrdup(ic->name)
	                            : xasprintf("%s-%zu", ops->type, index);
	in->interval_ms = ic->interval;
	in->timeout_ms = ic->timeout;
	in->jitter_ms = ic->jitter >= 0 ? ic->jitter : ic->interval / 10;
	for (i = 0; i < cc->ntags; i++) {
		in->tags =
		    xreallocarray(in->tags, in->ntags + 1, sizeof *in->tags);
		in->tags[in->ntags].key = xstrdup(cc->tags[i].key);
		in->tags[in->ntags++].value = xstrdup(cc->tags[i].value);
	}
	if (ic->tags != NULL &&
	    tags_from_json(ic->tags, &in->tags, &in->ntags, &why) != 0) {
		*cause = conf_error(cf, obj, "tags", 0, "%s", why);
		free(why);
		goto out;
	}
	if (ops->init(in, ic, &why) != 0) {
		*cause = conf_error(cf, cc->inputs, NULL, index,
		    "input \"%s\": %s", in->name, why);
		free(why);
		goto out;
	}
	in->timer = evtimer_new(c->base, input_timer_cb, in);
	*inputsp = xreallocarray(*inputsp, *ninputsp + 1, sizeof **inputsp);
	(*inputsp)[(*ninputsp)++] = in;
	r = 0;
out:
	input_conf_free(fields, ic);
	free(ic);
	free(fields);
	if (r != 0) {
		if (in->priv != NULL)
			in->ops->free(in);
		tags_free(in->tags, in->ntags);
		free(in->name);
		free(in);
	}
	return r;
}

static void
input_free(struct input *in)
{
	in->ops->free(in);
	event_free(in->timer);
	tags_free(in->tags, in->ntags);
	free(in->name);
	free(in);
}

static void
inputs_free_array(struct input **inputs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		input_free(inputs[i]);
	free(inputs);
}

int
inputs_create(struct collector *c, const struct collector_conf *cc,
    struct input ***inputsp, size_t *ninputsp, char **cause)
{
	json_t *obj;
	size_t i;

	*inputsp = NULL;
	*ninputsp = 0;
	json_array_foreach(cc->inputs, i, obj)
	{
		if (input_create(c, cc, obj, i, inputsp, ninputsp, cause) !=
		    0) {
			inputs_free_array(*inputsp, *ninputsp);
			*inputsp = NULL;
			*ninputsp = 0;
			return -1;
		}
	}
	return 0;
}

static void
input_schedule(struct input *in, int64_t delay_ms)
{
	struct timeval tv;

	if (delay_ms < 0)
		delay_ms = 0;
	tv.tv_sec = delay_ms / 1000;
	tv.tv_usec = (delay_ms % 1000) * 1000;
	evtimer_add(in->timer, &tv);
}

static int64_t
input_jitter(struct input *in)
{
	return in->jitter_ms > 0 ? (int64_t)(random() % (in->jitter_ms + 1))
	                         : 0;
}

/*
 * The first run of each input comes at a random point of its first
 * interval (at most a minute; --test runs everything at once): inputs
 * that share an interval then stay out of step, so a hundred checks never
 * start, and hold their buffers, at the same moment.
 */
void
inputs_start(struct collector *c)
{
	struct input *in;
	int64_t spread;
	size_t i;

	c->test_pending = c->ninputs;
	for (i = 0; i < c->ninputs; i++) {
		in = c->inputs[i];
		spread = in->interval_ms < 60000 ? in->interval_ms : 60000;
		input_schedule(in, c->test_mode ? 0 : random() % spread);
	}
}

static void
input_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct input *in = arg;

	if (in->c->stopping)
		return;
	if (in->running) {
		log_debug(
		    "input", "%s: still running, skipping a run", in->name);
	} else {
		in->running = 1;
		in->runs++;
		in->c->st.input_runs++;
		in->started_ns = clock_mono_ns();
		in->ops->run(in); /* may finish, and set a backoff, at once */
	}
	if (!in->c->test_mode)
		input_schedule(
		    in, in->interval_ms + in->backoff_ms + input_jitter(in));
}

void
input_done(struct input *in, int ok)
{
	in->running = 0;
	if (in->retired) /* freed from the loop, not under its caller */
		event_active(in->c->reap_ev, EV_TIMEOUT, 0);
	if (in->c->test_mode && --in->c->test_pending == 0)
		event_base_loopexit(in->c->base, NULL);
	if (ok) {
		if (in->failures > 0 && in->ops->backoff)
			log_info("input", "%s: working again", in->name);
		in->failures = 0;
		in->backoff_ms = 0;
		return;
	}
	in->failures++;
	if (in->ops->backoff) {
		/* Double the pause up to 32 intervals (max 1 hour). */
		int64_t b = in->interval_ms;

		for (unsigned i = 1; i < in->failures && i < 6; i++)
			b *= 2;
		if (b > 3600 * 1000)
			b = 3600 * 1000;
		in->backoff_ms = b - in->interval_ms;
		if (in->failures == 1 ||
		    (in->failures & (in->failures - 1)) == 0)
			log_warn("input",
			    "%s: failed %u time(s); next try in "
			    "%lld s",
			    in->name, in->failures, (long long)(b / 1000));
	}
}

void
input_error(struct input *in, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	in->errors++;
	in->c->st.input_errors++;
	log_warn("input", "%s: %s", in->name, msg != NULL ? msg : "error");
	free(msg);
}

/* Free the retired inputs whose last run has ended. */
static void
inputs_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct collector *c = arg;
	size_t i, n = 0;

	for (i = 0; i < c->nretired; i++) {
		if (c->retired[i]->running)
			c->retired[n++] = c->retired[i];
		else
			input_free(c->retired[i]);
	}
	c->nretired = n;
}

void
inputs_replace(struct collector *c, struct input **inputs, size_t n)
{
	struct input *in;
	size_t i, k;

	if (c->reap_ev == NULL)
		c->reap_ev = event_new(c->base, -1, 0, inputs_reap_cb, c);
	for (i = 0; i < c->ninputs; i++) {
		in = c->inputs[i];
		for (k = 0; k < n && in->ops->inherit != NULL; k++)
			if (inputs[k]->ops == in->ops &&
			    strcmp(inputs[k]->name, in->name) == 0)
				in->ops->inherit(inputs[k], in);
		evtimer_del(in->timer);
		if (!in->running) {
			input_free(in);
			continue;
		}
		in->retired = 1;
		c->retired = xreallocarray(
		    c->retired, c->nretired + 1, sizeof *c->retired);
		c->retired[c->nretired++] = in;
	}
	free(c->inputs);
	c->inputs = inputs;
	c->ninputs = n;
}

void
inputs_free(struct collector *c)
{
	inputs_free_array(c->inputs, c->ninputs);
	c->inputs = NULL;
	c->ninputs = 0;
	inputs_free_array(c->retired, c->nretired);
	c->retired = NULL;
	c->nretired = 0;
	if (c->reap_ev != NULL)
		event_free(c->reap_ev);
	c->reap_ev = NULL;
}
