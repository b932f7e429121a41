/* Attention to new alerts from any screen: see tui/attention.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "tui/api.h"
#include "tui/app.h"
#include "tui/attention.h"
#include "tui/term.h"

#define ATTENTION_FLASH_MS 1500

struct attention {
	struct attention_opts opts;
	int inflight_count, inflight_new;
	int have;         /* the count poll answered once */
	unsigned counted; /* counted alerts (docs/api.md "What is counted") */
	unsigned unacked_high;
	int have_known; /* the unacknowledged poll answered once */
	char **known;   /* its counted ids at the last answer */
	size_t nknown;
	long long seen_num;   /* newest alert looked at; -1: none yet */
	long long listed_num; /* newest alert the Alerts screen lists */
	int64_t flash_until;
};

static const char *const attention_sev_names[] = {
    "high", "medium", "low", "info", NULL};
static const enum sev attention_sevs[] = {
    SEV_HIGH, SEV_MEDIUM, SEV_LOW, SEV_INFO};

int
attention_sevs_parse(const char *list, unsigned *out)
{
	const char *p = list, *c;
	size_t n, i;

	*out = 0;
	if (strcmp(list, "off") == 0 || strcmp(list, "none") == 0)
		return 0;
	while (*p != '\0') {
		c = strchr(p, ',');
		n = c != NULL ? (size_t)(c - p) : strlen(p);
		for (i = 0; attention_sev_names[i] != NULL; i++) {
			if (strlen(attention_sev_names[i]) == n &&
			    strncmp(attention_sev_names[i], p, n) == 0)
				break;
		}
		if (attention_sev_names[i] == NULL)
			return -1;
		*out |= 1u << attention_sevs[i];
		p += n + (c != NULL);
	}
	return 0;
}

struct attention *
attention_new(const struct attention_opts *opts)
{
	struct attention *at = xcalloc(1, sizeof *at);

	at->opts = *opts;
	at->seen_num = -1;
	at->listed_num = -1;
	return at;
}

static void
attention_known_clear(struct attention *at)
{
	size_t i;

	for (i = 0; i < at->nknown; i++)
		free(at->known[i]);
	free(at->known);
	at->known = NULL;
	at->nknown = 0;
}

void
attention_free(struct attention *at)
{
	if (at == NULL)
		return;
	attention_known_clear(at);
	free(at);
}

long long
attention_alert_num(const char *id)
{
	char *end;
	long long n;

	/* Cases (C000123) share the alerts' numbers. */
	if (id == NULL || (id[0] != 'A' && id[0] != 'C') || id[1] < '0' ||
	    id[1] > '9')
		return -1;
	n = strtoll(id + 1, &end, 10);
	return *end == '\0' ? n : -1;
}

struct attention_ctx {
	struct attention *at;
	struct app *app;
};

/* The counted total, and the first "newest" as what is already seen. */
static void
attention_count_done(void *arg, struct api_result *res)
{
	struct attention_ctx *c = arg;
	struct attention *at = c->at;
	struct model_alerts al;
	char *cause = NULL;

	free(c);
	if (res->status < 0)
		return;
	at->inflight_count = 0;
	if (res->error != NULL ||
	    model_alerts_decode(res->body, &al, &cause) != 0) {
		free(cause);
		return;
	}
	res->body = NULL;
	at->counted = model_counts_total(&al.counted);
	if (!at->have && at->seen_num < 0)
		at->seen_num =
		    al.newest != NULL ? attention_alert_num(al.newest) : 0;
	at->have = 1;
	model_alerts_free(&al);
}

/* Is id among the ids known at the last answer? */
static int
attention_known(const struct attention *at, const char *id)
{
	size_t i;

	for (i = 0; i < at->nknown; i++) {
		if (strcmp(at->known[i], id) == 0)
			return 1;
	}
	return 0;
}

/* The unacknowledged alerts of the attention severities: the badge, and
 * the bell and flash for a counted one not there at the last answer. */
static void
attention_new_done(void *arg, struct api_result *res)
{
	struct attention_ctx *c = arg;
	struct attention *at = c->at;
	struct app *app = c->app;
	struct model_alerts al;
	char *cause = NULL, **ids;
	unsigned ring = 0;
	size_t i, n = 0;

	free(c);
	if (res->status < 0)
		return;
	at->inflight_new = 0;
	if (res->error != NULL ||
	    model_alerts_decode(res->body, &al, &cause) != 0) {
		free(cause);
		return;
	}
	res->body = NULL;
	at->unacked_high = al.counted.high;
	ids = xcalloc(al.n + 1, sizeof *ids);
	for (i = 0; i < al.n; i++) {
		const struct model_alert *x = &al.v[i];

		if (x->view_only || x->silenced || x->inhibited_by != NULL)
			continue;
		if (at->have_known && !attention_known(at, x->id))
			ring |= 1u << x->sev;
		ids[n++] = xstrdup(x->id);
	}
	attention_known_clear(at);
	at->known = ids;
	at->nknown = n;
	at->have_known = 1;
	if (ring & at->opts.bell)
		beep();
	if (ring & at->opts.flash)
		at->flash_until = clock_mono_ms() + ATTENTION_FLASH_MS;
	model_alerts_free(&al);
	app_dirty(app);
}

void
attention_refresh(struct attention *at, struct app *app)
{
	struct attention_ctx *c;
	struct buf path = BUF_INIT;
	unsigned sevs = at->opts.bell | at->opts.flash | 1u << SEV_HIGH;
	const char *sep = "";
	size_t i;

	if (!at->inflight_count) {
		c = xmalloc(sizeof *c);
		c->at = at;
		c->app = app;
		at->inflight_count = 1;
		api_start(app->api, "GET", "/api/v1/alerts?limit=1", NULL,
		    attention_count_done, c);
	}
	if (at->inflight_new)
		return;
	buf_puts(&path, "/api/v1/alerts?limit=500&state=pending,firing"
	                "&severity=");
	for (i = 0; attention_sev_names[i] != NULL; i++) {
		if (sevs & 1u << attention_sevs[i]) {
			buf_printf(&path, "%s%s", sep, attention_sev_names[i]);
			sep = ",";
		}
	}
	c = xmalloc(sizeof *c);
	c->at = at;
	c->app = app;
	at->inflight_new = 1;
	api_start(app->api, "GET", buf_str(&path), NULL, attention_new_done, c);
	buf_free(&path);
}

int
attention_header(
    const struct attention *at, struct buf *count, struct buf *badge)
{
	if (!at->have)
		return 0;
	buf_printf(count, "alerts %u", at->counted);
	if (at->have_known && at->unacked_high > 0)
		buf_printf(badge,
		    term_caps.utf8 ? "\xe2\x96\xb2%u unacked high"
		                   : "!%u unacked high",
		    at->unacked_high);
	return 1;
}

int
attention_flashing(const struct attention *at, int64_t now_mono_ms)
{
	return now_mono_ms < at->flash_until;
}

int
attention_is_new(const struct attention *at, const char *id)
{
	long long n = attention_alert_num(id);

	return at->seen_num >= 0 && n > at->seen_num;
}

void
attention_listed(struct attention *at, const struct model_alerts *al)
{
	long long n = attention_alert_num(al->newest);

	if (n > at->listed_num)
		at->listed_num = n;
}

void
attention_looked(struct attention *at)
{
	if (at->listed_num > at->seen_num)
		at->seen_num = at->listed_num;
}
