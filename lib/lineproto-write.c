/* Influx line protocol writer: escaping by element, doubles that read
 * back exactly, one point at a time into a struct buf (lib/lineproto.h). */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/lineproto.h"

void
lp_escape(struct buf *b, enum lp_elem elem, const char *s, size_t len)
{
	const char *p, *e = s + len, *run = s;
	int esc;

	for (p = s; p < e; p++) {
		unsigned char c = (unsigned char)*p;

		switch (elem) {
		case LP_ELEM_MEASUREMENT:
			esc = c == ',' || c == ' ' || c == '\\';
			break;
		case LP_ELEM_KEY:
			esc = c == ',' || c == ' ' || c == '\\' || c == '=';
			break;
		default:
			esc = c == '"' || c == '\\';
			break;
		}
		if (!esc && (elem == LP_ELEM_STRING ||
		                (c != '\n' && c != '\r' && c != '\0')))
			continue;
		if (p > run)
			buf_append(b, run, (size_t)(p - run));
		buf_putc(b, '\\');
		buf_putc(b, esc ? (char)c : ' ');
		run = p + 1;
	}
	if (e > run)
		buf_append(b, run, (size_t)(e - run));
}

size_t
lp_format_double(double v, char *out)
{
	int prec, n = 0;
	double back;

	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(out, 32, "%.*g", prec, v);
		back = strtod(out, NULL);
		if (back == v)
			break;
	}
	return (size_t)n;
}

void
lp_writer_begin(struct lp_writer *w, struct buf *b, const char *measurement)
{
	w->b = b;
	w->start = b->len;
	w->nfields = 0;
	w->invalid = measurement[0] == '\0' || measurement[0] == '#';
	lp_escape(b, LP_ELEM_MEASUREMENT, measurement, strlen(measurement));
}

void
lp_writer_tagn(struct lp_writer *w, const char *key, size_t klen,
    const char *value, size_t vlen)
{
	if (klen == 0 || vlen == 0)
		return; /* empty tags cannot be written; Influx drops them */
	buf_putc(w->b, ',');
	lp_escape(w->b, LP_ELEM_KEY, key, klen);
	buf_putc(w->b, '=');
	lp_escape(w->b, LP_ELEM_KEY, value, vlen);
}

void
lp_writer_tag(struct lp_writer *w, const char *key, const char *value)
{
	lp_writer_tagn(w, key, strlen(key), value, strlen(value));
}

static int
lp_writer_key(struct lp_writer *w, const char *key)
{
	if (key[0] == '\0')
		return -1;
	buf_putc(w->b, w->nfields++ == 0 ? ' ' : ',');
	lp_escape(w->b, LP_ELEM_KEY, key, strlen(key));
	buf_putc(w->b, '=');
	return 0;
}

int
lp_writer_float(struct lp_writer *w, const char *key, double v)
{
	char tmp[32];
	size_t n;

	if (!isfinite(v) || lp_writer_key(w, key) != 0)
		return -1;
	n = lp_format_double(v, tmp);
	buf_append(w->b, tmp, n);
	return 0;
}

void
lp_writer_int(struct lp_writer *w, const char *key, int64_t v)
{
	if (lp_writer_key(w, key) == 0)
		buf_printf(w->b, "%" PRId64 "i", v);
}

void
lp_writer_uint(struct lp_writer *w, const char *key, uint64_t v)
{
	if (lp_writer_key(w, key) == 0)
		buf_printf(w->b, "%" PRIu64 "u", v);
}

void
lp_writer_bool(struct lp_writer *w, const char *key, int v)
{
	if (lp_writer_key(w, key) == 0)
		buf_puts(w->b, v ? "true" : "false");
}

static void
lp_writer_stringn(
    struct lp_writer *w, const char *key, const char *v, size_t len)
{
	if (lp_writer_key(w, key) != 0)
		return;
	buf_putc(w->b, '"');
	lp_escape(w->b, LP_ELEM_STRING, v, len);
	buf_putc(w->b, '"');
}

void
lp_writer_string(struct lp_writer *w, const char *key, const char *v)
{
	lp_writer_stringn(w, key, v, strlen(v));
}

int
lp_writer_end(struct lp_writer *w, int64_t time, int has_time)
{
	if (w->nfields == 0 || w->invalid) {
		w->b->len = w->start;
		if (w->b->data != NULL)
			w->b->data[w->b->len] = '\0';
		return -1;
	}
	if (has_time)
		buf_printf(w->b, " %" PRId64, time);
	buf_putc(w->b, '\n');
	return 0;
}

int
lp_point_write(struct buf *b, const struct lp_point *pt)
{
	struct lp_writer w;
	char tmp[32];
	size_t i, n;

	w.b = b;
	w.start = b->len;
	w.nfields = 0;
	w.invalid = pt->measurement.len == 0 || pt->measurement.p[0] == '#';
	lp_escape(
	    b, LP_ELEM_MEASUREMENT, pt->measurement.p, pt->measurement.len);
	for (i = 0; i < pt->ntags; i++)
		lp_writer_tagn(&w, pt->tags[i].key.p, pt->tags[i].key.len,
		    pt->tags[i].value.p, pt->tags[i].value.len);
	for (i = 0; i < pt->nfields; i++) {
		const struct lp_field *f = &pt->fields[i];

		if (f->key.len == 0 ||
		    (f->type == LP_FLOAT && !isfinite(f->v.f)))
			continue;
		buf_putc(b, w.nfields++ == 0 ? ' ' : ',');
		lp_escape(b, LP_ELEM_KEY, f->key.p, f->key.len);
		buf_putc(b, '=');
		switch (f->type) {
		case LP_FLOAT:
			n = lp_format_double(f->v.f, tmp);
			buf_append(b, tmp, n);
			break;
		case LP_INT:
			buf_printf(b, "%" PRId64 "i", f->v.i);
			break;
		case LP_UINT:
			buf_printf(b, "%" PRIu64 "u", f->v.u);
			break;
		case LP_BOOL:
			buf_puts(b, f->v.b ? "true" : "false");
			break;
		case LP_STRING:
			buf_putc(b, '"');
			lp_escape(b, LP_ELEM_STRING, f->v.s.p, f->v.s.len);
			buf_putc(b, '"');
			break;
		}
	}
	return lp_writer_end(&w, pt->time, pt->has_time);
}
