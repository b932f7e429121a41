/* Helpers shared by the screens. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/xmalloc.h"
#include "tui/api.h"
#include "tui/app.h"
#include "tui/screen-util.h"
#include "tui/spark.h"
#include "tui/term.h"

int
su_match(const char *filter, const char *s)
{
	size_t fl, i, j;

	if (filter == NULL || *filter == '\0')
		return 1;
	if (s == NULL)
		return 0;
	fl = strlen(filter);
	for (i = 0; s[i] != '\0'; i++) {
		for (j = 0; j < fl && s[i + j] != '\0'; j++) {
			if (tolower((unsigned char)s[i + j]) !=
			    tolower((unsigned char)filter[j]))
				break;
		}
		if (j == fl)
			return 1;
	}
	return 0;
}

void
su_sev_cell(struct buf *b, attr_t *a, enum sev s)
{
	buf_puts(b, model_sev_short(s));
	*a = term_sev_attr(s);
}

void
su_count_cell(struct buf *b, attr_t *a, unsigned n, enum sev s)
{
	if (n == 0) {
		buf_putc(b, '-');
		*a = term_attr(TERM_DIM);
		return;
	}
	buf_printf(b, "%u", n);
	*a = term_sev_attr(s);
}

void
su_age_cell(struct buf *b, attr_t *a, long long age_s, long long warn_s,
    long long bad_s)
{
	char t[16];

	text_age(age_s, t, sizeof t);
	buf_puts(b, t);
	if (age_s < 0 || (bad_s > 0 && age_s >= bad_s))
		*a = term_attr(TERM_BAD);
	else if (warn_s > 0 && age_s >= warn_s)
		*a = term_attr(TERM_WARN);
}

void
su_num_cell(struct buf *b, double v, const char *unit)
{
	char t[32];

	text_number(v, t, sizeof t);
	buf_puts(b, t);
	if (!isnan(v) && unit != NULL && *unit != '\0')
		buf_puts(b, unit);
}

void
su_time(long long ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000), now = time(NULL);
	struct tm tm;

	if (ms <= 0) {
		snprintf(out, len, "-");
		return;
	}
	localtime_r(&t, &tm);
	if (now - t < 20 * 3600 && now >= t)
		strftime(out, len, "%H:%M:%S", &tm);
	else
		strftime(out, len, "%m-%d %H:%M", &tm);
}

const struct model_series *
su_series_find(const struct model_query *q, const char *key, const char *value)
{
	size_t i;
	const char *v;

	if (value == NULL)
		return NULL;
	for (i = 0; i < q->nseries; i++) {
		v = model_series_label(&q->series[i], key);
		if (v != NULL && strcmp(v, value) == 0)
			return &q->series[i];
	}
	return NULL;
}

char *
su_spark_path(const char *metric, const char *agg, const char *level,
    const char *code, const char *by, const char *range, const char *step)
{
	struct buf sel = BUF_INIT;
	char *q, *path;

	buf_puts(&sel, metric);
	if (level != NULL && code != NULL && strcmp(level, "district") != 0)
		buf_printf(&sel, "{%s=\"%s\"}", level, code);
	q = api_escape(buf_str(&sel));
	path = xasprintf("/api/v1/query?q=%s&by=%s&agg=%s&start=now-%s&step=%s",
	    q, by, agg != NULL ? agg : "avg", range, step);
	free(q);
	buf_free(&sel);
	return path;
}

const char *
su_child_level(const char *level)
{
	if (level == NULL)
		return "subdistrict";
	if (strcmp(level, "district") == 0)
		return "subdistrict";
	if (strcmp(level, "subdistrict") == 0)
		return "community";
	return "grid";
}

double *
su_series_buckets(const struct model_series *s, size_t m)
{
	double *out = xcalloc(m ? m : 1, sizeof *out);

	if (s->end_ms > s->start_ms && s->t != NULL)
		spark_resample_time(
		    s->t, s->v, s->n, s->start_ms, s->end_ms, out, m);
	else
		spark_resample(s->v, s->n, out, m);
	return out;
}

void
su_spark_cell(
    struct buf *b, struct app *app, const struct model_series *s, int width)
{
	size_t m;
	double *v;

	if (s == NULL || s->n == 0 || width <= 0)
		return;
	m = (size_t)width * (app->spark == SPARK_BRAILLE ? 2 : 1);
	v = su_series_buckets(s, m);
	spark_render(b, v, m, width, app->spark);
	free(v);
}

void
su_short_title(char *out, size_t len, const char *key)
{
	size_t n = strlen(key);

	if (n > 7 && strchr(key, '_') != NULL)
		n = (size_t)(strchr(key, '_') - key);
	snprintf(out, len, "%.*s", (int)n, key);
}
