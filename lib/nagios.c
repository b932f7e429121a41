/* Nagios plugin output parser: status text, long output, perfdata. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/nagios.h"
#include "lib/xmalloc.h"

static locale_t nagios_c_locale;
static pthread_once_t nagios_once = PTHREAD_ONCE_INIT;

static void
nagios_init_locale(void)
{
	nagios_c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

const char *
nagios_state_name(int state)
{
	switch (state) {
	case NAGIOS_OK:
		return "OK";
	case NAGIOS_WARNING:
		return "WARNING";
	case NAGIOS_CRITICAL:
		return "CRITICAL";
	default:
		return "UNKNOWN";
	}
}

/* A decimal number; plugins write "1,5" in some locales: accept a comma as
 * the decimal point.  Returns the number of bytes used, 0 if none. */
static size_t
nagios_number(const char *s, size_t len, double *out)
{
	char tmp[64], *tend, *c;
	size_t n = len < sizeof tmp - 1 ? len : sizeof tmp - 1;
	double v;

	if (n == 0)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	/* Only plain decimals: no "inf", "nan", hex, leading blanks. */
	if (!((tmp[0] >= '0' && tmp[0] <= '9') || tmp[0] == '-' ||
	        tmp[0] == '+' || tmp[0] == '.'))
		return 0;
	if ((c = strchr(tmp, ',')) != NULL && c[1] >= '0' && c[1] <= '9')
		*c = '.';
	for (c = tmp; *c != '\0'; c++)
		if (*c == 'x' || *c == 'X' || *c == 'p' || *c == 'P' ||
		    *c == 'n' || *c == 'N' || *c == 'i' || *c == 'I')
			*c = '\0'; /* stop strtod at hex/inf/nan spellings */
	errno = 0;
	v = strtod_l(tmp, &tend, nagios_c_locale);
	if (tend == tmp || !isfinite(v))
		return 0;
	*out = v;
	return (size_t)(tend - tmp);
}

int
nagios_range_parse(const char *s, size_t len, struct nagios_range *r)
{
	const char *e = s + len, *colon;
	size_t n;

	pthread_once(&nagios_once, nagios_init_locale);
	memset(r, 0, sizeof *r);
	r->start = 0;
	r->end = INFINITY;
	if (len == 0)
		return 0;
	r->set = 1;
	if (*s == '@') {
		r->inside = 1;
		s++;
	}
	colon = memchr(s, ':', (size_t)(e - s));
	if (colon == NULL) {
		/* "10": 0..10 */
		if ((n = nagios_number(s, (size_t)(e - s), &r->end)) == 0 ||
		    s + n != e)
			return -1;
		return 0;
	}
	if (colon - s == 1 && *s == '~')
		r->start = -INFINITY;
	else if (colon > s) {
		if ((n = nagios_number(s, (size_t)(colon - s), &r->start)) ==
		        0 ||
		    s + n != colon)
			return -1;
	}
	s = colon + 1;
	if (s < e) {
		if ((n = nagios_number(s, (size_t)(e - s), &r->end)) == 0 ||
		    s + n != e)
			return -1;
	}
	if (r->start > r->end)
		return -1;
	return 0;
}

int
nagios_range_alerts(const struct nagios_range *r, double v)
{
	int in;

	if (!r->set)
		return 0;
	in = v >= r->start && v <= r->end;
	return r->inside ? in : !in;
}

static void
nagios_bad(
    struct nagios_output *no, size_t item, const char *label, const char *why)
{
	if (no->nbad++ == 0)
		no->bad_reason =
		    xasprintf("item %zu ('%s'): %s", item, label, why);
}

/* Parse one perfdata item [s, e); appends to no->perf. */
static void
nagios_perf_item(
    struct nagios_output *no, size_t item, const char *s, const char *e)
{
	struct nagios_perf p;
	struct buf label = BUF_INIT;
	const char *f[5], *fe[5], *q, *u;
	size_t nf = 0, n;
	int i;

	memset(&p, 0, sizeof p);
	/* Label: 'quoted, with '' for a quote' or up to '='. */
	if (*s == '\'') {
		for (q = s + 1;; q++) {
			if (q >= e) {
				nagios_bad(no, item, buf_str(&label),
				    "unterminated quote");
				goto out;
			}
			if (*q == '\'') {
				if (q + 1 < e && q[1] == '\'') {
					buf_putc(&label, '\'');
					q++;
					continue;
				}
				break;
			}
			buf_putc(&label, *q);
		}
		q++;
		if (q >= e || *q != '=') {
			nagios_bad(no, item, buf_str(&label), "missing '='");
			goto out;
		}
	} else {
		/* The last '=' would be wrong for "a=b=1"; Nagios takes the
		 * first. */
		q = memchr(s, '=', (size_t)(e - s));
		if (q == NULL) {
			buf_append(&label, s, (size_t)(e - s));
			nagios_bad(no, item, buf_str(&label), "missing '='");
			goto out;
		}
		buf_append(&label, s, (size_t)(q - s));
	}
	if (label.len == 0) {
		nagios_bad(no, item, "", "empty label");
		goto out;
	}
	/* Split value;warn;crit;min;max. */
	s = q + 1;
	while (nf < 5) {
		f[nf] = s;
		q = memchr(s, ';', (size_t)(e - s));
		fe[nf] = q != NULL ? q : e;
		nf++;
		if (q == NULL)
			break;
		s = q + 1;
	}
	/* Value and unit. */
	if (fe[0] - f[0] == 1 && f[0][0] == 'U') {
		p.unknown = 1;
		p.value = NAN;
	} else {
		n = nagios_number(f[0], (size_t)(fe[0] - f[0]), &p.value);
		if (n == 0) {
			nagios_bad(no, item, buf_str(&label), "invalid value");
			goto out;
		}
		u = f[0] + n;
		if ((size_t)(fe[0] - u) >= sizeof p.uom) {
			nagios_bad(no, item, buf_str(&label), "invalid unit");
			goto out;
		}
		for (q = u; q < fe[0]; q++) {
			if (*q == ' ' || *q == '=' || *q == '\'' ||
			    (*q >= '0' && *q <= '9')) {
				nagios_bad(
				    no, item, buf_str(&label), "invalid unit");
				goto out;
			}
		}
		memcpy(p.uom, u, (size_t)(fe[0] - u));
	}
	if (nf > 1 &&
	    nagios_range_parse(f[1], (size_t)(fe[1] - f[1]), &p.warn) != 0) {
		nagios_bad(no, item, buf_str(&label), "invalid warning range");
		goto out;
	}
	if (nf > 2 &&
	    nagios_range_parse(f[2], (size_t)(fe[2] - f[2]), &p.crit) != 0) {
		nagios_bad(no, item, buf_str(&label), "invalid critical range");
		goto out;
	}
	for (i = 3; i < (int)nf; i++) {
		double *dst = i == 3 ? &p.min : &p.max;

		if (fe[i] == f[i])
			continue;
		n = nagios_number(f[i], (size_t)(fe[i] - f[i]), dst);
		if (n == 0 || f[i] + n != fe[i]) {
			/* check_disk and others append the unit: "0MB" */
			if (n == 0) {
				nagios_bad(no, item, buf_str(&label),
				    i == 3 ? "invalid min" : "invalid max");
				goto out;
			}
		}
		if (i == 3)
			p.has_min = 1;
		else
			p.has_max = 1;
	}
	p.label = buf_detach(&label);
	no->perf = xreallocarray(no->perf, no->nperf + 1, sizeof *no->perf);
	no->perf[no->nperf++] = p;
	return;
out:
	buf_free(&label);
}

/* Split perfdata text into items: blanks separate, except inside a quoted
 * label. */
static void
nagios_perf_parse(
    struct nagios_output *no, const char *s, const char *e, size_t *item)
{
	const char *b;
	int quoted;

	for (;;) {
		while (s < e &&
		       (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
			s++;
		if (s >= e)
			return;
		b = s;
		quoted = 0;
		while (s < e) {
			if (*s == '\'' && (s == b || quoted))
				quoted = !quoted;
			else if (!quoted && (*s == ' ' || *s == '\t' ||
			                        *s == '\n' || *s == '\r'))
				break;
			s++;
		}
		nagios_perf_item(no, ++*item, b, s);
	}
}

static char *
nagios_trim(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	                    e[-1] == '\n'))
		e--;
	return xstrndup(s, (size_t)(e - s));
}

void
nagios_output_parse(const char *out, size_t len, struct nagios_output *no)
{
	const char *s = out, *e = out + len, *nl, *bar, *le;
	struct buf lng = BUF_INIT;
	size_t item = 0;

	pthread_once(&nagios_once, nagios_init_locale);
	memset(no, 0, sizeof *no);
	/* First line. */
	nl = memchr(s, '\n', len);
	le = nl != NULL ? nl : e;
	bar = memchr(s, '|', (size_t)(le - s));
	no->text = nagios_trim(s, bar != NULL ? bar : le);
	if (bar != NULL)
		nagios_perf_parse(no, bar + 1, le, &item);
	if (nl == NULL)
		goto done;
	/* Long output until a line with '|'. */
	for (s = nl + 1; s < e; s = le + 1) {
		nl = memchr(s, '\n', (size_t)(e - s));
		le = nl != NULL ? nl : e;
		bar = memchr(s, '|', (size_t)(le - s));
		if (lng.len > 0 && (bar == NULL || bar > s))
			buf_putc(&lng, '\n');
		buf_append(&lng, s, (size_t)((bar != NULL ? bar : le) - s));
		if (bar != NULL) {
			nagios_perf_parse(no, bar + 1, e, &item);
			break;
		}
		if (nl == NULL)
			break;
	}
done:
	no->long_text = nagios_trim(lng.data != NULL ? lng.data : "",
	    lng.data != NULL ? lng.data + lng.len : "");
	buf_free(&lng);
}

void
nagios_output_free(struct nagios_output *no)
{
	size_t i;

	free(no->text);
	free(no->long_text);
	for (i = 0; i < no->nperf; i++)
		free(no->perf[i].label);
	free(no->perf);
	free(no->bad_reason);
	memset(no, 0, sizeof *no);
}
