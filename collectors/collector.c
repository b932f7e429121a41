/* The collector's batch: lines from every input, flushed by size or age. */
#include "config.h"

#include <event2/event.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "collectors/push.h"
#include "lib/xmalloc.h"

struct lp_writer *
collector_line_begin(
    struct collector *c, struct input *in, const char *measurement)
{
	struct tag *tags = in != NULL ? in->tags : c->conf.tags;
	size_t ntags = in != NULL ? in->ntags : c->conf.ntags, i;

	lp_writer_begin(&c->w, &c->batch, measurement);
	for (i = 0; i < ntags; i++)
		lp_writer_tag(&c->w, tags[i].key, tags[i].value);
	return &c->w;
}

void
collector_line_end(struct collector *c, int64_t time_ms)
{
	struct timeval tv;
	size_t n = c->w.nfields;

	if (lp_writer_end(&c->w, time_ms, 1) != 0)
		return;
	c->batch_npoints += (uint32_t)n;
	c->st.points_collected += n;
	if (c->push == NULL) /* --test: everything is printed at the end */
		return;
	if (c->batch_npoints >= (uint64_t)c->conf.batch_points ||
	    c->batch.len >= (size_t)c->conf.batch_bytes) {
		collector_flush(c);
		return;
	}
	if (!evtimer_pending(c->batch_timer, NULL)) {
		tv.tv_sec = c->conf.batch_interval / 1000;
		tv.tv_usec = (c->conf.batch_interval % 1000) * 1000;
		evtimer_add(c->batch_timer, &tv);
	}
}

void
collector_flush(struct collector *c)
{
	size_t len = c->batch.len;
	char *data;

	evtimer_del(c->batch_timer);
	if (len == 0)
		return;
	data = buf_detach(&c->batch);
	push_submit(c->push, REC_WRITE, data, len, c->batch_npoints);
	c->batch_npoints = 0;
}

/* Queue one JSON record of kind (REC_EVENT, REC_CASE); ev stolen. */
static void
collector_record(struct collector *c, int kind, json_t *ev)
{
	char *s = json_dumps(ev, JSON_COMPACT);

	json_decref(ev);
	if (c->push == NULL && s != NULL) { /* --test */
		buf_printf(&c->batch, "# %s %s\n",
		    kind == REC_CASE ? "case" : "event", s);
		free(s);
		return;
	}
	if (s != NULL)
		push_submit(c->push, kind, s, strlen(s), 0);
}

void
collector_event(struct collector *c, json_t *ev)
{
	collector_record(c, REC_EVENT, ev);
}

void
collector_case(struct collector *c, json_t *kase)
{
	collector_record(c, REC_CASE, kase);
}

int
tags_from_json(json_t *obj, struct tag **tags, size_t *ntags, char **cause)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(obj, k, v)
	{
		if (!json_is_string(v)) {
			*cause = xasprintf("tag \"%s\": expected a string", k);
			return -1;
		}
		if (*k == '\0' || json_string_length(v) == 0) {
			*cause = xasprintf("tag \"%s\": empty", k);
			return -1;
		}
		/* A later definition of the same key wins. */
		for (i = 0; i < *ntags; i++)
			if (strcmp((*tags)[i].key, k) == 0)
				break;
		if (i == *ntags) {
			*tags = xreallocarray(*tags, *ntags + 1, sizeof **tags);
			(*tags)[i].key = xstrdup(k);
			(*ntags)++;
		} else
			free((*tags)[i].value);
		(*tags)[i].value = xstrdup(json_string_value(v));
	}
	return 0;
}

void
tags_free(struct tag *tags, size_t ntags)
{
	size_t i;

	for (i = 0; i < ntags; i++) {
		free(tags[i].key);
		free(tags[i].value);
	}
	free(tags);
}
