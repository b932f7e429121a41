/*
 * UTC offsets of tz database zones for the shifts (issue 17), read from
 * the zone's TZif file (RFC 8536) and its footer's POSIX TZ rule, without
 * setting TZ or calling localtime(): safe on any thread, and no other
 * thread's getenv() (libcurl's proxy variables, for one) can race with a
 * change of the environment.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/handover.h"
#include "lib/xmalloc.h"

#define TZ_FILE_MAX (256 * 1024)
#define TZ_HDR      44
#define DAY_S       86400LL

static uint32_t
tz_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t
tz_be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)tz_be32(p) << 32 | tz_be32(p + 4));
}

/* ---- POSIX TZ rules ("CET-1CEST,M3.5.0,M10.5.0/3") ---------------------- */

static int64_t
tz_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
tz_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
tz_mdays(int64_t y, int m)
{
	static const int d[12] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && tz_leap(y) ? 29 : d[m - 1];
}

/* The year of t (seconds since the epoch, UTC). */
static int64_t
tz_year(int64_t t)
{
	int64_t z = (t >= 0 ? t : t - (DAY_S - 1)) / DAY_S + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	return yoe + era * 400 + (mp >= 10);
}

/* A zone name: alphabetic, or <...>.  Advances *s; -1 if none. */
static int
tz_name(const char **s)
{
	const char *p = *s;

	if (*p == '<') {
		p = strchr(p, '>');
		if (p == NULL || p - *s < 2)
			return -1;
		*s = p + 1;
		return 0;
	}
	while (isalpha((unsigned char)*p))
		p++;
	if (p - *s < 3)
		return -1;
	*s = p;
	return 0;
}

/* [+-]hh[:mm[:ss]] as seconds (max_h: the largest hour).  -1 if bad. */
static int
tz_hms(const char **s, int max_h, long *out)
{
	const char *p = *s;
	long sign = 1, v[3] = {0, 0, 0};
	int i;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p) && v[i] < 1000)
			v[i] = v[i] * 10 + (*p++ - '0');
		if (v[i] > (i == 0 ? max_h : 59))
			return -1;
		if (*p != ':' || i == 2)
			break;
		p++;
	}
	*s = p;
	*out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
	return 0;
}

struct tz_rule {
	char kind; /* 'M', 'J' or 'n' */
	int m, w, d, n;
	long time; /* seconds after local midnight */
};

static int
tz_num(const char **s, int lo, int hi, int *out)
{
	long v = 0;

	if (!isdigit((unsigned char)**s))
		return -1;
	while (isdigit((unsigned char)**s) && v <= hi)
		v = v * 10 + (*(*s)++ - '0');
	if (v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int
tz_rule_parse(const char **s, struct tz_rule *r)
{
	r->time = 7200;
	if (**s == 'M') {
		r->kind = 'M';
		(*s)++;
		if (tz_num(s, 1, 12, &r->m) != 0 || *(*s)++ != '.' ||
		    tz_num(s, 1, 5, &r->w) != 0 || *(*s)++ != '.' ||
		    tz_num(s, 0, 6, &r->d) != 0)
			return -1;
	} else if (**s == 'J') {
		r->kind = 'J';
		(*s)++;
		if (tz_num(s, 1, 365, &r->n) != 0)
			return -1;
	} else {
		r->kind = 'n';
		if (tz_num(s, 0, 365, &r->n) != 0)
			return -1;
	}
	if (**s == '/') {
		(*s)++;
		return tz_hms(s, 167, &r->time);
	}
	return 0;
}

/* When rule r falls in year y, in seconds since the epoch as if local
 * time were UTC. */
static int64_t
tz_rule_when(const struct tz_rule *r, int64_t y)
{
	int64_t day;
	int first, md;

	if (r->kind == 'M') {
		first = (int)((tz_days_from_civil(y, r->m, 1) % 7 + 11) % 7);
		md = 1 + (r->d - first + 7) % 7 + (r->w - 1) * 7;
		while (md > tz_mdays(y, r->m))
			md -= 7;
		day = tz_days_from_civil(y, r->m, md);
	} else if (r->kind == 'J') {
		day = tz_days_from_civil(y, 1, 1) + r->n - 1 +
		      (tz_leap(y) && r->n >= 60);
	} else
		day = tz_days_from_civil(y, 1, 1) + r->n;
	return day * DAY_S + r->time;
}

/* The offset (seconds east) of POSIX TZ string tz at t; -1 if malformed. */
static int
tz_posix_offset(const char *tz, int64_t t, long *off)
{
	const char *s = tz;
	long std, dst;
	struct tz_rule a, b;
	int64_t y, start, end;

	if (tz_name(&s) != 0 || tz_hms(&s, 24, &std) != 0)
		return -1;
	std = -std;
	if (*s == '\0') {
		*off = std;
		return 0;
	}
	if (tz_name(&s) != 0)
		return -1;
	dst = std + 3600;
	if (*s != ',' && *s != '\0') {
		if (tz_hms(&s, 24, &dst) != 0)
			return -1;
		dst = -dst;
	}
	if (*s == '\0') { /* no rules: take the standard offset */
		*off = std;
		return 0;
	}
	if (*s++ != ',' || tz_rule_parse(&s, &a) != 0 || *s++ != ',' ||
	    tz_rule_parse(&s, &b) != 0 || *s != '\0')
		return -1;
	y = tz_year(t + std);
	start = tz_rule_when(&a, y) - std; /* given in standard time */
	end = tz_rule_when(&b, y) - dst;   /* given in daylight time */
	if (start < end)
		*off = t >= start && t < end ? dst : std;
	else
		*off = t >= end && t < start ? std : dst;
	return 0;
}

/* ---- TZif -------------------------------------------------------------- */

int
alert_tzif_offset(const unsigned char *p, size_t n, int64_t t, long *off)
{
	uint32_t cnt[6], isut, isstd, leap, timecnt, typecnt, charcnt;
	const unsigned char *times, *idx, *types, *end = p + n;
	size_t tsize = 4, block, i, lo, hi;
	char footer[128];
	const unsigned char *f, *nl;
	int v2, type;

	if (n < TZ_HDR || memcmp(p, "TZif", 4) != 0)
		return -1;
	v2 = p[4] >= '2';
	for (i = 0; i < 6; i++)
		cnt[i] = tz_be32(p + 20 + 4 * i);
	block = (size_t)cnt[3] * 5 + (size_t)cnt[4] * 6 + cnt[5] +
	        (size_t)cnt[2] * 8 + cnt[1] + cnt[0];
	if (cnt[3] > 100000 || cnt[4] > 256 || cnt[5] > 4096 ||
	    cnt[2] > 100000 || cnt[1] > 256 || cnt[0] > 256 ||
	    block > n - TZ_HDR)
		return -1;
	p += TZ_HDR;
	if (v2) { /* skip the 32-bit block for the 64-bit one */
		p += block;
		if ((size_t)(end - p) < TZ_HDR || memcmp(p, "TZif", 4) != 0)
			return -1;
		for (i = 0; i < 6; i++)
			cnt[i] = tz_be32(p + 20 + 4 * i);
		p += TZ_HDR;
		tsize = 8;
	}
	isut = cnt[0];
	isstd = cnt[1];
	leap = cnt[2];
	timecnt = cnt[3];
	typecnt = cnt[4];
	charcnt = cnt[5];
	if (typecnt == 0 || typecnt > 256 || timecnt > 100000 ||
	    charcnt > 4096 || leap > 100000 || isstd > 256 || isut > 256)
		return -1;
	block = (size_t)timecnt * (tsize + 1) + (size_t)typecnt * 6 + charcnt +
	        (size_t)leap * (tsize + 4) + isstd + isut;
	if (block > (size_t)(end - p))
		return -1;
	times = p;
	idx = times + (size_t)timecnt * tsize;
	types = idx + timecnt;
	for (i = 0; i < timecnt; i++) {
		if (idx[i] >= typecnt)
			return -1;
	}
	/* The last transition at or before t (binary search). */
	lo = 0;
	hi = timecnt;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t tm = tsize == 8 ? tz_be64(times + mid * 8)
		                        : (int32_t)tz_be32(times + mid * 4);

		if (tm <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Past the last transition: the footer's rule, when there is one. */
	f = p + block;
	if (v2 && lo == timecnt && f < end && *f == '\n' &&
	    (nl = memchr(f + 1, '\n', (size_t)(end - f - 1))) != NULL &&
	    nl > f + 1 && (size_t)(nl - f - 1) < sizeof footer) {
		memcpy(footer, f + 1, (size_t)(nl - f - 1));
		footer[nl - f - 1] = '\0';
		if (tz_posix_offset(footer, t, off) == 0)
			return 0;
	}
	type = lo == 0 ? 0 : idx[lo - 1];
	*off = (int32_t)tz_be32(types + (size_t)type * 6);
	return 0;
}

long
alert_tz_offset(const char *tz, int64_t t_ms)
{
	const char *dir = getenv("TZDIR");
	unsigned char *data;
	char path[512];
	size_t n;
	long off = 0;
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s",
	    dir != NULL && *dir != '\0' ? dir : "/usr/share/zoneinfo", tz);
	if ((fp = fopen(path, "rb")) == NULL)
		return 0;
	data = xmalloc(TZ_FILE_MAX);
	n = fread(data, 1, TZ_FILE_MAX, fp);
	if (alert_tzif_offset(data, n,
	        t_ms >= 0 ? t_ms / 1000 : -((-t_ms + 999) / 1000), &off) != 0)
		off = 0;
	free(data);
	fclose(fp);
	return off;
}
