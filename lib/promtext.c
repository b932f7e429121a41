/* Prometheus text 0.0.4 / OpenMetrics 1.0 parser. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/promtext.h"
#include "lib/xmalloc.h"

struct prom_parser {
	const char *p, *end;
	size_t lineno;
	enum prom_format fmt;
	int eof;

	/* The current metric family (from HELP/TYPE/UNIT lines). */
	struct buf fam;
	struct buf help;
	struct buf unit;
	enum prom_type type;

	struct prom_sample sample;
	struct prom_label *labels; /* owned, reused */
	size_t nlabels, labels_cap;
	char *scratch; /* owned; >= the current line's length */
	size_t scratch_len, scratch_cap;

	const char *line;
	const char *errpos;
	const char *errmsg;
	char cause[128];
};

static locale_t prom_c_locale;
static pthread_once_t prom_once = PTHREAD_ONCE_INIT;

static void
prom_init_locale(void)
{
	prom_c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

struct prom_parser *
prom_parser_create(void)
{
	struct prom_parser *pp;

	pthread_once(&prom_once, prom_init_locale);
	pp = xcalloc(1, sizeof *pp);
	buf_init(&pp->fam);
	buf_init(&pp->help);
	buf_init(&pp->unit);
	pp->labels_cap = 16;
	pp->labels = xreallocarray(NULL, pp->labels_cap, sizeof *pp->labels);
	pp->scratch_cap = 256;
	pp->scratch = xmalloc(pp->scratch_cap);
	return pp;
}

void
prom_parser_free(struct prom_parser *pp)
{
	if (pp == NULL)
		return;
	buf_free(&pp->fam);
	buf_free(&pp->help);
	buf_free(&pp->unit);
	free(pp->labels);
	free(pp->scratch);
	free(pp);
}

void
prom_parser_begin(
    struct prom_parser *pp, const char *data, size_t len, enum prom_format fmt)
{
	pp->p = data;
	pp->end = data + len;
	pp->lineno = 0;
	pp->fmt = fmt;
	pp->eof = 0;
	buf_reset(&pp->fam);
	buf_reset(&pp->help);
	buf_reset(&pp->unit);
	pp->type = PROM_UNTYPED;
}

int
prom_parser_eof_seen(const struct prom_parser *pp)
{
	return pp->eof;
}

enum prom_format
prom_format_from_content_type(const char *ct)
{
	if (ct != NULL && strncasecmp(ct, "application/openmetrics-text",
	                      strlen("application/openmetrics-text")) == 0)
		return PROM_FMT_OPENMETRICS;
	return PROM_FMT_TEXT;
}

const char *
prom_type_name(enum prom_type t)
{
	static const char *names[] = {
	    [PROM_UNTYPED] = "untyped",
	    [PROM_COUNTER] = "counter",
	    [PROM_GAUGE] = "gauge",
	    [PROM_HISTOGRAM] = "histogram",
	    [PROM_SUMMARY] = "summary",
	    [PROM_INFO] = "info",
	    [PROM_STATESET] = "stateset",
	    [PROM_GAUGEHISTOGRAM] = "gaugehistogram",
	};

	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

const char *
prom_sample_label(const struct prom_sample *s, const char *name, size_t *len)
{
	size_t i, n = strlen(name);

	for (i = 0; i < s->nlabels; i++) {
		if (s->labels[i].name.len == n &&
		    memcmp(s->labels[i].name.p, name, n) == 0) {
			*len = s->labels[i].value.len;
			return s->labels[i].value.p;
		}
	}
	return NULL;
}

static int
prom_fail(struct prom_parser *pp, const char *pos, const char *msg)
{
	pp->errpos = pos;
	pp->errmsg = msg;
	return PROM_ERROR;
}

static int
prom_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *
prom_skip_blanks(const char *s, const char *e)
{
	while (s < e && prom_is_blank(*s))
		s++;
	return s;
}

/* Metric name: [a-zA-Z_:][a-zA-Z0-9_:]*; label names without ':'. */
static const char *
prom_scan_name(const char *s, const char *e, int colon)
{
	const char *p = s;

	while (p < e) {
		char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '_' || (colon && c == ':') ||
		    (p > s && c >= '0' && c <= '9'))
			p++;
		else
			break;
	}
	return p;
}

/* A float as Go's ParseFloat reads it, incl. NaN, +Inf, -Inf. */
static int
prom_parse_double(const char *s, size_t n, double *out)
{
	char tmp[64], *tend;
	double v;

	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtod_l(tmp, &tend, prom_c_locale);
	if (tend != tmp + n)
		return -1;
	*out = v;
	return 0;
}

static int
prom_parse_i64(const char *s, size_t n, int64_t *out)
{
	char tmp[32], *tend;
	long long v;

	if (n == 0 || n >= sizeof tmp || prom_is_blank(*s) || *s == '+')
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp, &tend, 10);
	if (tend != tmp + n || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

/* Whether sample name (n bytes) belongs to the current family. */
static int
prom_in_family(struct prom_parser *pp, const char *name, size_t n)
{
	static const char *const hist[] = {
	    "_bucket", "_sum", "_count", "_created", NULL};
	static const char *const ghist[] = {
	    "_bucket", "_gsum", "_gcount", NULL};
	static const char *const summ[] = {
	    "", "_sum", "_count", "_created", NULL};
	static const char *const ctr[] = {"", "_total", "_created", NULL};
	static const char *const info[] = {"_info", "", NULL};
	static const char *const plain[] = {"", NULL};
	const char *const *suf;
	size_t fl = pp->fam.len, i;

	if (fl == 0 || n < fl || memcmp(name, pp->fam.data, fl) != 0)
		return 0;
	switch (pp->type) {
	case PROM_HISTOGRAM:
		suf = hist;
		break;
	case PROM_GAUGEHISTOGRAM:
		suf = ghist;
		break;
	case PROM_SUMMARY:
		suf = summ;
		break;
	case PROM_COUNTER:
		suf = ctr;
		break;
	case PROM_INFO:
		suf = info;
		break;
	default:
		suf = plain;
		break;
	}
	for (i = 0; suf[i] != NULL; i++)
		if (strlen(suf[i]) == n - fl &&
		    memcmp(name + fl, suf[i], n - fl) == 0)
			return 1;
	return 0;
}

/* Switch the current family to name, forgetting the old metadata. */
static void
prom_family_set(struct prom_parser *pp, const char *name, size_t n)
{
	if (pp->fam.len == n && memcmp(pp->fam.data, name, n) == 0)
		return;
	buf_reset(&pp->fam);
	buf_append(&pp->fam, name, n);
	buf_reset(&pp->help);
	buf_reset(&pp->unit);
	pp->type = PROM_UNTYPED;
}

/* "# HELP", "# TYPE", "# UNIT", "# EOF" or a comment; s is after '#'. */
static int
prom_parse_meta(struct prom_parser *pp, const char *s, const char *e)
{
	static const struct {
		const char *word;
		enum prom_type type;
	} types[] = {{"counter", PROM_COUNTER}, {"gauge", PROM_GAUGE},
	    {"histogram", PROM_HISTOGRAM}, {"summary", PROM_SUMMARY},
	    {"untyped", PROM_UNTYPED}, {"unknown", PROM_UNTYPED},
	    {"info", PROM_INFO}, {"stateset", PROM_STATESET},
	    {"gaugehistogram", PROM_GAUGEHISTOGRAM}};
	const char *w, *name, *t;
	size_t wl, i;

	s = prom_skip_blanks(s, e);
	w = s;
	while (s < e && !prom_is_blank(*s))
		s++;
	wl = (size_t)(s - w);
	if (wl == 3 && memcmp(w, "EOF", 3) == 0 &&
	    prom_skip_blanks(s, e) == e) {
		pp->eof = 1;
		return PROM_END;
	}
	if (!((wl == 4 &&
	        (memcmp(w, "HELP", 4) == 0 || memcmp(w, "TYPE", 4) == 0 ||
	            memcmp(w, "UNIT", 4) == 0))))
		return PROM_END; /* a comment */
	if (s == e || !prom_is_blank(*s))
		return prom_fail(pp, s, "missing metric name");
	s = prom_skip_blanks(s, e);
	name = s;
	s = prom_scan_name(s, e, 1);
	if (s == name)
		return prom_fail(pp, name, "invalid metric name");
	if (s < e && !prom_is_blank(*s))
		return prom_fail(pp, s, "invalid metric name");
	prom_family_set(pp, name, (size_t)(s - name));
	if (w[0] == 'H') {
		/* The text after exactly one blank, escapes \\ \n (and \"
		 * in OpenMetrics). */
		if (s < e)
			s++;
		buf_reset(&pp->help);
		for (; s < e; s++) {
			if (*s == '\\' && s + 1 < e &&
			    (s[1] == '\\' || s[1] == 'n' ||
			        (s[1] == '"' &&
			            pp->fmt == PROM_FMT_OPENMETRICS))) {
				s++;
				buf_putc(&pp->help, *s == 'n' ? '\n' : *s);
			} else
				buf_putc(&pp->help, *s);
		}
		return PROM_END;
	}
	s = prom_skip_blanks(s, e);
	t = s;
	while (s < e && !prom_is_blank(*s))
		s++;
	if (w[0] == 'U') {
		buf_reset(&pp->unit);
		buf_append(&pp->unit, t, (size_t)(s - t));
		return PROM_END;
	}
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strlen(types[i].word) == (size_t)(s - t) &&
		    memcmp(types[i].word, t, (size_t)(s - t)) == 0) {
			pp->type = types[i].type;
			if (prom_skip_blanks(s, e) != e)
				return prom_fail(pp, s, "text after type");
			return PROM_END;
		}
	}
	return prom_fail(pp, t, "unknown metric type");
}

/* Labels from s (just after '{'); returns after '}' or NULL. */
static const char *
prom_parse_labels(struct prom_parser *pp, const char *s, const char *e)
{
	struct prom_label *l;
	const char *n;
	char *d;

	for (;;) {
		s = prom_skip_blanks(s, e);
		if (s < e && *s == '}')
			return s + 1;
		n = s;
		s = prom_scan_name(s, e, 0);
		if (s == n)
			return prom_fail(pp, n, "invalid label name"), NULL;
		if (pp->nlabels == pp->labels_cap) {
			pp->labels_cap *= 2;
			pp->labels = xreallocarray(
			    pp->labels, pp->labels_cap, sizeof *pp->labels);
		}
		l = &pp->labels[pp->nlabels++];
		l->name.p = n;
		l->name.len = (size_t)(s - n);
		s = prom_skip_blanks(s, e);
		if (s >= e || *s != '=')
			return prom_fail(pp, s, "missing '=' after label name"),
			       NULL;
		s = prom_skip_blanks(s + 1, e);
		if (s >= e || *s != '"')
			return prom_fail(pp, s, "label value must be quoted"),
			       NULL;
		s++;
		/* Unescape into scratch (sized for the whole line). */
		d = pp->scratch + pp->scratch_len;
		l->value.p = d;
		for (;;) {
			if (s >= e)
				return prom_fail(
				           pp, s, "unterminated label value"),
				       NULL;
			if (*s == '"')
				break;
			if (*s == '\\' && s + 1 < e) {
				s++;
				*d++ = *s == 'n' ? '\n' : *s;
				if (*s != 'n' && *s != '\\' && *s != '"')
					d[-1] = '\\', *d++ = *s;
			} else
				*d++ = *s;
			s++;
		}
		l->value.len = (size_t)(d - l->value.p);
		pp->scratch_len += l->value.len;
		s = prom_skip_blanks(s + 1, e);
		if (s < e && *s == ',') {
			s++;
			continue;
		}
		if (s < e && *s == '}')
			return s + 1;
		return prom_fail(pp, s, "expected ',' or '}' in labels"), NULL;
	}
}

static int
prom_parse_sample(struct prom_parser *pp, const char *s, const char *e)
{
	struct prom_sample *smp = &pp->sample;
	const char *name = s, *t;
	double ts;

	s = prom_scan_name(s, e, 1);
	if (s == name)
		return prom_fail(pp, name, "invalid metric name");
	smp->name.p = name;
	smp->name.len = (size_t)(s - name);
	pp->nlabels = 0;
	if (s < e && *s == '{') {
		if ((s = prom_parse_labels(pp, s + 1, e)) == NULL)
			return PROM_ERROR;
	}
	if (s >= e || !prom_is_blank(*s))
		return prom_fail(
		    pp, s, s >= e ? "missing value" : "invalid metric name");
	s = prom_skip_blanks(s, e);
	t = s;
	while (s < e && !prom_is_blank(*s))
		s++;
	if (t == s)
		return prom_fail(pp, t, "missing value");
	if (prom_parse_double(t, (size_t)(s - t), &smp->value) != 0)
		return prom_fail(pp, t, "invalid value");
	smp->has_time = 0;
	smp->time_ms = 0;
	s = prom_skip_blanks(s, e);
	if (s < e && *s != '#') {
		t = s;
		while (s < e && !prom_is_blank(*s))
			s++;
		if (pp->fmt == PROM_FMT_OPENMETRICS) {
			if (prom_parse_double(t, (size_t)(s - t), &ts) != 0 ||
			    !isfinite(ts) || fabs(ts) > 9.2e15)
				return prom_fail(pp, t, "invalid timestamp");
			/* Rounded half away from zero, as llround() would,
			 * without needing libm. */
			smp->time_ms =
			    (int64_t)(ts * 1000.0 + (ts < 0 ? -0.5 : 0.5));
		} else if (prom_parse_i64(t, (size_t)(s - t), &smp->time_ms) !=
		           0)
			return prom_fail(pp, t, "invalid timestamp");
		smp->has_time = 1;
		s = prom_skip_blanks(s, e);
	}
	if (s < e && *s == '#') {
		/* An OpenMetrics exemplar: "# {labels} value [ts]". */
		if (pp->fmt != PROM_FMT_OPENMETRICS)
			return prom_fail(pp, s, "unexpected text after value");
	} else if (s < e)
		return prom_fail(pp, s, "unexpected text after value");

	if (prom_in_family(pp, smp->name.p, smp->name.len)) {
		smp->family.p = pp->fam.data;
		smp->family.len = pp->fam.len;
		smp->type = pp->type;
		smp->help.p = buf_str(&pp->help);
		smp->help.len = pp->help.len;
		smp->unit.p = buf_str(&pp->unit);
		smp->unit.len = pp->unit.len;
	} else {
		smp->family = smp->name;
		smp->type = PROM_UNTYPED;
		smp->help.p = smp->unit.p = "";
		smp->help.len = smp->unit.len = 0;
	}
	smp->labels = pp->labels;
	smp->nlabels = pp->nlabels;
	return PROM_SAMPLE;
}

static const char *
prom_cause(struct prom_parser *pp)
{
	const char *p;
	size_t col = 1;

	for (p = pp->line; p < pp->errpos; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			col++;
	snprintf(
	    pp->cause, sizeof pp->cause, "column %zu: %s", col, pp->errmsg);
	return pp->cause;
}

int
prom_parser_next(struct prom_parser *pp, const struct prom_sample **s,
    size_t *lineno, const char **cause)
{
	const char *nl, *e, *b;
	int r;

	while (pp->p < pp->end) {
		nl = memchr(pp->p, '\n', (size_t)(pp->end - pp->p));
		e = nl != NULL ? nl : pp->end;
		b = pp->p;
		pp->p = nl != NULL ? nl + 1 : pp->end;
		pp->lineno++;
		if (lineno != NULL)
			*lineno = pp->lineno;
		if (e > b && e[-1] == '\r')
			e--;
		pp->line = b;
		if (pp->eof) {
			if (prom_skip_blanks(b, e) == e)
				continue;
			r = prom_fail(pp, b, "text after # EOF");
		} else {
			if ((size_t)(e - b) > pp->scratch_cap) {
				free(pp->scratch);
				pp->scratch_cap = (size_t)(e - b);
				pp->scratch = xmalloc(pp->scratch_cap);
			}
			pp->scratch_len = 0;
			b = prom_skip_blanks(b, e);
			if (b == e)
				continue;
			if (*b == '#')
				r = prom_parse_meta(pp, b + 1, e);
			else
				r = prom_parse_sample(pp, b, e);
		}
		if (r == PROM_SAMPLE) {
			if (s != NULL)
				*s = &pp->sample;
			return r;
		}
		if (r == PROM_ERROR) {
			if (cause != NULL)
				*cause = prom_cause(pp);
			return r;
		}
	}
	return PROM_END;
}
