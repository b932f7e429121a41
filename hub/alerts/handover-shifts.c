/*
 * Shifts: reading "shifts" and finding the shift under way.  Local times
 * come from the system's tz database, read by handover-tz.c without
 * touching the environment (thread-safe).
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/alerts/alert-rules.h"
#include "hub/alerts/handover.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

#define DAY_S (24 * 3600LL)

struct shift_raw {
	char *name, *from, *to, *tz;
};

static const struct conf_field shift_fields[] = {
    {"name", CONF_STRING, 1, offsetof(struct shift_raw, name), 0, 0},
    {"from", CONF_STRING, 1, offsetof(struct shift_raw, from), 0, 0},
    {"to", CONF_STRING, 1, offsetof(struct shift_raw, to), 0, 0},
    {"tz", CONF_STRING, 0, offsetof(struct shift_raw, tz), 0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

static const struct alert_shift default_shifts[] = {
    {(char *)"day", 8 * 60, 20 * 60, (char *)"UTC"},
    {(char *)"night", 20 * 60, 8 * 60, (char *)"UTC"},
};

/* "HH:MM" as minutes, or -1. */
static int
shift_hhmm(const char *s)
{
	if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	if ((s[0] - '0') * 10 + (s[1] - '0') > 23 || s[3] > '5')
		return -1;
	return ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 +
	       (s[4] - '0');
}

/* Is tz a zone of the tz database?  A name, not a path. */
static int
shift_tz_ok(const char *tz)
{
	const char *dir = getenv("TZDIR"), *p;
	char path[512];

	if (*tz == '\0' || *tz == '/' || strstr(tz, "..") != NULL)
		return 0;
	for (p = tz; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
			return 0;
	}
	snprintf(path, sizeof path, "%s/%s",
	    dir != NULL && *dir != '\0' ? dir : "/usr/share/zoneinfo", tz);
	return access(path, R_OK) == 0;
}

static void
shift_raw_free(struct shift_raw *r)
{
	free(r->name);
	free(r->from);
	free(r->to);
	free(r->tz);
}

int
alert_shifts_read(
    struct conf_file *cf, json_t *arr, struct alert_rules *rs, char **cause)
{
	size_t i, j, n = json_array_size(arr);

	rs->shifts = xcalloc(n + 1, sizeof *rs->shifts);
	for (i = 0; i < n; i++) {
		json_t *obj = json_array_get(arr, i);
		struct alert_shift *s = &rs->shifts[rs->nshifts];
		struct shift_raw raw;

		if (!json_is_object(obj)) {
			*cause = conf_error(cf, arr, NULL, i,
			    "expected {\"name\": ..., \"from\": \"20:00\", "
			    "\"to\": \"08:00\", \"tz\": ...}");
			return -1;
		}
		memset(&raw, 0, sizeof raw);
		if (conf_object_read(cf, obj, shift_fields, &raw, cause) != 0)
			goto fail;
		for (j = 0; j < rs->nshifts; j++) {
			if (strcmp(rs->shifts[j].name, raw.name) == 0) {
				*cause = conf_error(cf, obj, "name", 0,
				    "duplicate shift \"%s\"", raw.name);
				goto fail;
			}
		}
		if ((s->from_min = shift_hhmm(raw.from)) < 0 ||
		    (s->to_min = shift_hhmm(raw.to)) < 0) {
			*cause = conf_error(cf, obj,
			    shift_hhmm(raw.from) < 0 ? "from" : "to", 0,
			    "expected a time of day \"HH:MM\" (00:00 to "
			    "23:59)");
			goto fail;
		}
		if (raw.tz != NULL && !shift_tz_ok(raw.tz)) {
			*cause = conf_error(cf, obj, "tz", 0,
			    "unknown time zone \"%s\" (a name of the tz "
			    "database, e.g. \"Asia/Shanghai\")",
			    raw.tz);
			goto fail;
		}
		s->name = raw.name;
		s->tz = raw.tz != NULL ? raw.tz : xstrdup("UTC");
		free(raw.from);
		free(raw.to);
		rs->nshifts++;
		continue;
	fail:
		shift_raw_free(&raw);
		return -1;
	}
	return 0;
}

void
alert_shifts_free(struct alert_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->nshifts; i++) {
		free(rs->shifts[i].name);
		free(rs->shifts[i].tz);
	}
	free(rs->shifts);
	rs->shifts = NULL;
	rs->nshifts = 0;
}

static int64_t
shift_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The occurrence of s that starts last at or before t (seconds). */
static void
shift_span_before(
    const struct alert_shift *s, int64_t t, struct alert_shift_span *out)
{
	int64_t local = t + alert_tz_offset(s->tz, t * 1000), day, start;
	int64_t len = ((s->to_min - s->from_min + 1440) % 1440) * 60LL;

	if (len == 0)
		len = DAY_S;
	day = shift_floor_div(local, DAY_S) * DAY_S;
	start = day + s->from_min * 60LL;
	if (start > local)
		start -= DAY_S;
	/* Local to UTC with the offset in force at each end (a night
	 * when clocks change is an hour shorter or longer). */
	out->shift = s;
	out->from_ms =
	    (start - alert_tz_offset(s->tz, (start - (local - t)) * 1000)) *
	    1000;
	out->to_ms =
	    (start + len -
	        alert_tz_offset(s->tz, (start + len - (local - t)) * 1000)) *
	    1000;
}

void
alert_shifts_at(const struct alert_rules *rs, int64_t now,
    struct alert_shift_span *cur, struct alert_shift_span *next)
{
	const struct alert_shift *v =
	    rs->nshifts > 0 ? rs->shifts : default_shifts;
	size_t n = rs->nshifts > 0 ? rs->nshifts : 2, i;
	struct alert_shift_span sp;
	int64_t t = shift_floor_div(now, 1000);

	memset(cur, 0, sizeof *cur);
	memset(next, 0, sizeof *next);
	/* Under way: the latest start at or before now whose span holds
	 * it. */
	for (i = 0; i < n; i++) {
		shift_span_before(&v[i], t, &sp);
		if (now < sp.to_ms &&
		    (cur->shift == NULL || sp.from_ms > cur->from_ms))
			*cur = sp;
	}
	if (cur->shift == NULL) {
		cur->from_ms = now - 12 * 3600 * 1000LL;
		cur->to_ms = now;
	}
	/* Next: per shift, its one start in [end, end + 1 day); the
	 * earliest. */
	for (i = 0; i < n; i++) {
		shift_span_before(&v[i], cur->to_ms / 1000 + DAY_S - 1, &sp);
		if (sp.from_ms < cur->to_ms)
			continue;
		if (next->shift == NULL || sp.from_ms < next->from_ms)
			*next = sp;
	}
}
