/* The response report as text (report-view.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "tui/report-view.h"

void
report_view_duration(json_t *ms, char *buf, size_t size)
{
	long long s;

	if (!json_is_integer(ms)) {
		snprintf(buf, size, "-");
		return;
	}
	s = (long long)json_integer_value(ms) / 1000;
	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm", s / 60);
	else if (s < 48 * 3600)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%lldd%lldh", s / 86400, s % 86400 / 3600);
}

static long long
rv_int(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void
report_view_share(json_t *row, char *buf, size_t size)
{
	json_t *sh = json_object_get(row, "in_time_share");

	if (!json_is_number(sh))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%lld/%lld %.0f%%", rv_int(row, "in_time"),
		    rv_int(row, "due"), 100 * json_number_value(sh));
}

void
report_view_heading(struct buf *b, int keyw)
{
	buf_printf(b,
	    "%-*s %5s %5s %5s %5s %7s %7s %5s %7s %7s %-12s %5s %5s %4s", keyw,
	    "", "DISP", "ALRT", "CASE", "ACK", "ACK50", "ACK90", "RES", "RES50",
	    "RES90", "IN TIME", "OVER", "OPEN", "ESC");
}

void
report_view_times(json_t *row, struct report_view_times *t)
{
	report_view_duration(
	    json_object_get(row, "ack_p50_ms"), t->ack50, sizeof t->ack50);
	report_view_duration(
	    json_object_get(row, "ack_p90_ms"), t->ack90, sizeof t->ack90);
	report_view_duration(
	    json_object_get(row, "resolve_p50_ms"), t->res50, sizeof t->res50);
	report_view_duration(
	    json_object_get(row, "resolve_p90_ms"), t->res90, sizeof t->res90);
	report_view_share(row, t->share, sizeof t->share);
}

void
report_view_row(struct buf *b, json_t *row, const char *key, int keyw)
{
	struct report_view_times t;

	report_view_times(row, &t);
	buf_printf(b,
	    "%-*s %5lld %5lld %5lld %5lld %7s %7s %5lld %7s %7s %-12s %5lld "
	    "%5lld %4lld",
	    keyw, key, rv_int(row, "dispatched"), rv_int(row, "alerts"),
	    rv_int(row, "cases"), rv_int(row, "acknowledged"), t.ack50, t.ack90,
	    rv_int(row, "resolved"), t.res50, t.res90, t.share,
	    rv_int(row, "overdue"), rv_int(row, "open_overdue"),
	    rv_int(row, "escalations"));
}

void
report_view_bar(struct buf *b, double frac, int width, int utf8)
{
	int i, n;

	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	n = (int)(frac * width + 0.5);
	for (i = 0; i < width; i++)
		buf_puts(b,
		    i < n ? (utf8 ? "\u2588" : "#") : (utf8 ? "\u2591" : "."));
}

const char *
report_view_by_title(const char *by)
{
	if (by != NULL && strcmp(by, "subdistrict") == 0)
		return "subdistrict";
	if (by != NULL && strcmp(by, "rule") == 0)
		return "rule";
	return "department";
}
