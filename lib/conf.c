/*
 * JSON configuration with positions.  jansson parses and validates the
 * syntax; a second pass over the (now known valid) text walks it in step
 * with the jansson tree and records, for every object member and array
 * element, the line and column of its key and of its value, and a printable
 * path ("subdistricts[3].code").  Errors then name file:line:col and path.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/hostport.h"
#include "lib/xmalloc.h"

#define CONF_SELF ((size_t)-2) /* index marking a container's own entry */

struct conf_entry {
	const json_t *parent; /* or the container itself for CONF_SELF */
	char *key;            /* member key, NULL for array elements */
	size_t index;
	int kline, kcol; /* key position (value's for elements) */
	int vline, vcol;
	char *path;
};

struct conf_file {
	char *name;
	json_t *root;
	struct conf_entry *entries;
	size_t nentries, centries;
	size_t *table; /* open addressing: entry index + 1 */
	size_t tsize;
};

struct conf_scan {
	struct conf_file *cf;
	const char *p, *end;
	int line, col;
};

static uint64_t
conf_hash(const json_t *parent, const char *key, size_t index)
{
	uint64_t h = (uint64_t)(uintptr_t)parent * 0x9e3779b97f4a7c15ULL;

	if (key != NULL) {
		for (; *key != '\0'; key++)
			h = (h ^ (unsigned char)*key) * 0x100000001b3ULL;
	} else
		h ^= (uint64_t)index * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 29);
}

static int
conf_entry_match(const struct conf_entry *e, const json_t *parent,
    const char *key, size_t index)
{
	if (e->parent != parent)
		return 0;
	if (key != NULL)
		return e->key != NULL && strcmp(e->key, key) == 0;
	return e->key == NULL && e->index == index;
}

static struct conf_entry *
conf_find(
    struct conf_file *cf, const json_t *parent, const char *key, size_t index)
{
	size_t i, mask;

	if (cf->tsize == 0)
		return NULL;
	mask = cf->tsize - 1;
	i = conf_hash(parent, key, index) & mask;
	while (cf->table[i] != 0) {
		struct conf_entry *e = &cf->entries[cf->table[i] - 1];
		if (conf_entry_match(e, parent, key, index))
			return e;
		i = (i + 1) & mask;
	}
	return NULL;
}

static void
conf_table_insert(struct conf_file *cf, size_t idx)
{
	struct conf_entry *e = &cf->entries[idx];
	size_t i, mask = cf->tsize - 1;

	i = conf_hash(e->parent, e->key, e->index) & mask;
	while (cf->table[i] != 0)
		i = (i + 1) & mask;
	cf->table[i] = idx + 1;
}

static struct conf_entry *
conf_add(
    struct conf_file *cf, const json_t *parent, const char *key, size_t index)
{
	struct conf_entry *e;
	size_t i;

	if ((cf->nentries + 1) * 2 > cf->tsize) {
		free(cf->table);
		cf->tsize = cf->tsize ? cf->tsize * 2 : 64;
		cf->table = xcalloc(cf->tsize, sizeof *cf->table);
		for (i = 0; i < cf->nentries; i++)
			conf_table_insert(cf, i);
	}
	if (cf->nentries == cf->centries) {
		cf->centries = cf->centries ? cf->centries * 2 : 64;
		cf->entries = xreallocarray(
		    cf->entries, cf->centries, sizeof *cf->entries);
	}
	e = &cf->entries[cf->nentries];
	memset(e, 0, sizeof *e);
	e->parent = parent;
	e->key = key != NULL ? xstrdup(key) : NULL;
	e->index = index;
	conf_table_insert(cf, cf->nentries++);
	return e;
}

static void
conf_scan_advance(struct conf_scan *s)
{
	unsigned char c = (unsigned char)*s->p++;

	if (c == '\n') {
		s->line++;
		s->col = 1;
	} else if ((c & 0xc0) != 0x80)
		s->col++;
}

static void
conf_scan_ws(struct conf_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	                            *s->p == '\n' || *s->p == '\r'))
		conf_scan_advance(s);
}

static void
conf_utf8_put(struct buf *b, unsigned long cp)
{
	if (cp < 0x80)
		buf_putc(b, (char)cp);
	else if (cp < 0x800) {
		buf_putc(b, (char)(0xc0 | (cp >> 6)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(b, (char)(0xe0 | (cp >> 12)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_putc(b, (char)(0xf0 | (cp >> 18)));
		buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

static unsigned long
conf_scan_hex4(struct conf_scan *s)
{
	unsigned long v = 0;
	int i;

	for (i = 0; i < 4 && s->p < s->end; i++) {
		char c = *s->p;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		conf_scan_advance(s);
	}
	return v;
}

/* Scan a string at s->p (on the opening quote); decode into out if given. */
static void
conf_scan_string(struct conf_scan *s, struct buf *out)
{
	unsigned long cp, lo;

	conf_scan_advance(s); /* " */
	while (s->p < s->end && *s->p != '"') {
		if (*s->p != '\\') {
			if (out != NULL)
				buf_putc(out, *s->p);
			conf_scan_advance(s);
			continue;
		}
		conf_scan_advance(s);
		if (s->p >= s->end)
			break;
		switch (*s->p) {
		case 'u':
			conf_scan_advance(s);
			cp = conf_scan_hex4(s);
			if (cp >= 0xd800 && cp < 0xdc00 && s->p + 1 < s->end &&
			    s->p[0] == '\\' && s->p[1] == 'u') {
				conf_scan_advance(s);
				conf_scan_advance(s);
				lo = conf_scan_hex4(s);
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			}
			if (out != NULL)
				conf_utf8_put(out, cp);
			continue;
		case 'n':
			cp = '\n';
			break;
		case 't':
			cp = '\t';
			break;
		case 'r':
			cp = '\r';
			break;
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		default:
			cp = (unsigned char)*s->p;
			break;
		}
		if (out != NULL)
			buf_putc(out, (char)cp);
		conf_scan_advance(s);
	}
	if (s->p < s->end)
		conf_scan_advance(s); /* " */
}

static void conf_scan_value(struct conf_scan *, const json_t *, const char *);

static void
conf_scan_object(struct conf_scan *s, const json_t *obj, const char *path)
{
	struct conf_entry *e;
	struct buf key = BUF_INIT;
	int kline, kcol;

	conf_scan_advance(s); /* { */
	for (;;) {
		conf_scan_ws(s);
		if (s->p >= s->end || *s->p == '}')
			break;
		if (*s->p == ',') {
			conf_scan_advance(s);
			continue;
		}
		kline = s->line;
		kcol = s->col;
		buf_reset(&key);
		conf_scan_string(s, &key);
		conf_scan_ws(s);
		if (s->p < s->end && *s->p == ':')
			conf_scan_advance(s);
		conf_scan_ws(s);
		e = conf_add(s->cf, obj, buf_str(&key), 0);
		e->kline = kline;
		e->kcol = kcol;
		e->vline = s->line;
		e->vcol = s->col;
		e->path = *path == '\0'
		              ? xstrdup(buf_str(&key))
		              : xasprintf("%s.%s", path, buf_str(&key));
		conf_scan_value(
		    s, json_object_get(obj, buf_str(&key)), e->path);
	}
	if (s->p < s->end)
		conf_scan_advance(s);
	buf_free(&key);
}

static void
conf_scan_array(struct conf_scan *s, const json_t *arr, const char *path)
{
	struct conf_entry *e;
	size_t i = 0;

	conf_scan_advance(s); /* [ */
	for (;;) {
		conf_scan_ws(s);
		if (s->p >= s->end || *s->p == ']')
			break;
		if (*s->p == ',') {
			conf_scan_advance(s);
			continue;
		}
		e = conf_add(s->cf, arr, NULL, i);
		e->kline = e->vline = s->line;
		e->kcol = e->vcol = s->col;
		e->path = xasprintf("%s[%zu]", path, i);
		conf_scan_value(s, json_array_get(arr, i), e->path);
		i++;
	}
	if (s->p < s->end)
		conf_scan_advance(s);
}

static void
conf_scan_value(struct conf_scan *s, const json_t *v, const char *path)
{
	struct conf_entry *e;

	if (s->p >= s->end)
		return;
	if (*s->p == '{' || *s->p == '[') {
		if (v != NULL) {
			e = conf_add(s->cf, v, NULL, CONF_SELF);
			e->kline = e->vline = s->line;
			e->kcol = e->vcol = s->col;
			e->path = xstrdup(path);
		}
		if (*s->p == '{')
			conf_scan_object(s, json_is_object(v) ? v : NULL, path);
		else
			conf_scan_array(s, json_is_array(v) ? v : NULL, path);
		return;
	}
	if (*s->p == '"') {
		conf_scan_string(s, NULL);
		return;
	}
	while (s->p < s->end && *s->p != ',' && *s->p != '}' && *s->p != ']' &&
	       *s->p != ' ' && *s->p != '\n' && *s->p != '\t' && *s->p != '\r')
		conf_scan_advance(s);
}

struct conf_file *
conf_file_parse(const char *name, const char *text, size_t len, char **cause)
{
	struct conf_file *cf;
	struct conf_scan s;
	json_error_t err;
	json_t *root;

	root = json_loadb(
	    text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (root == NULL) {
		*cause =
		    xasprintf("%s:%d:%d: %s", name, err.line < 1 ? 1 : err.line,
		        err.column < 1 ? 1 : err.column, err.text);
		return NULL;
	}
	cf = xcalloc(1, sizeof *cf);
	cf->name = xstrdup(name);
	cf->root = root;
	s.cf = cf;
	s.p = text;
	s.end = text + len;
	s.line = s.col = 1;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		s.p += 3;
	conf_scan_ws(&s);
	conf_scan_value(&s, root, "");
	return cf;
}

struct conf_file *
conf_file_load(const char *path, char **cause)
{
	struct conf_file *cf;
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(f)) {
		*cause = xasprintf("%s: read error: %s", path, strerror(errno));
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	cf = conf_file_parse(path, buf_str(&b), b.len, cause);
	buf_free(&b);
	return cf;
}

void
conf_file_free(struct conf_file *cf)
{
	size_t i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nentries; i++) {
		free(cf->entries[i].key);
		free(cf->entries[i].path);
	}
	free(cf->entries);
	free(cf->table);
	json_decref(cf->root);
	free(cf->name);
	free(cf);
}

json_t *
conf_file_root(struct conf_file *cf)
{
	return cf->root;
}

const char *
conf_file_name(struct conf_file *cf)
{
	return cf->name;
}

int
conf_pos(struct conf_file *cf, json_t *parent, const char *key, size_t index,
    int *line, int *col)
{
	struct conf_entry *e;

	e = conf_find(cf, parent, key, key != NULL ? 0 : index);
	if (e == NULL)
		return -1;
	*line = e->vline;
	*col = e->vcol;
	return 0;
}

/* Common formatter: which = 0 value position, 1 key position. */
static char *
conf_verror(struct conf_file *cf, json_t *parent, const char *key, size_t index,
    int which, const char *fmt, va_list ap)
{
	struct conf_entry *e, *self;
	struct buf b = BUF_INIT;
	int line = 1, col = 1;
	char *path;

	e = conf_find(cf, parent, key, key != NULL ? 0 : index);
	if (e != NULL) {
		line = which ? e->kline : e->vline;
		col = which ? e->kcol : e->vcol;
		path = xstrdup(e->path);
	} else {
		/* Missing member: point at the enclosing object. */
		self = conf_find(cf, parent, NULL, CONF_SELF);
		if (self != NULL) {
			line = self->vline;
			col = self->vcol;
		}
		if (self != NULL && *self->path != '\0' && key != NULL)
			path = xasprintf("%s.%s", self->path, key);
		else if (key != NULL)
			path = xstrdup(key);
		else if (self != NULL)
			path = xasprintf("%s[%zu]", self->path, index);
		else
			path = xasprintf("[%zu]", index);
	}
	buf_printf(&b, "%s:%d:%d: \"%s\": ", cf->name, line, col, path);
	buf_vprintf(&b, fmt, ap);
	free(path);
	return buf_detach(&b);
}

char *
conf_error(struct conf_file *cf, json_t *parent, const char *key, size_t index,
    const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = conf_verror(cf, parent, key, index, 0, fmt, ap);
	va_end(ap);
	return s;
}

static char *
conf_key_error(
    struct conf_file *cf, json_t *parent, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = conf_verror(cf, parent, key, 0, 1, fmt, ap);
	va_end(ap);
	return s;
}

void
conf_strarray_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static int
conf_field_read(struct conf_file *cf, json_t *obj, const struct conf_field *f,
    json_t *v, void *dst, char **cause)
{
	char *where = (char *)dst + f->offset;
	char *host, **arr;
	int port;
	long long n;
	int64_t ms;
	size_t i;

	switch (f->type) {
	case CONF_STRING:
		if (!json_is_string(v))
			goto bad;
		free(*(char **)where);
		*(char **)where = xstrdup(json_string_value(v));
		return 0;
	case CONF_HOSTPORT:
		if (!json_is_string(v) ||
		    hostport_parse(json_string_value(v), &host, &port) != 0) {
			*cause = conf_error(
			    cf, obj, f->key, 0, "expected \"host:port\"");
			return -1;
		}
		free(host);
		free(*(char **)where);
		*(char **)where = xstrdup(json_string_value(v));
		return 0;
	case CONF_INT:
		if (!json_is_integer(v))
			goto bad;
		n = json_integer_value(v);
		if ((f->min != 0 || f->max != 0) &&
		    (n < f->min || n > f->max)) {
			*cause = conf_error(cf, obj, f->key, 0,
			    "%lld is out of range %lld..%lld", n, f->min,
			    f->max);
			return -1;
		}
		*(long long *)where = n;
		return 0;
	case CONF_DOUBLE:
		if (!json_is_number(v))
			goto bad;
		*(double *)where = json_number_value(v);
		return 0;
	case CONF_BOOL:
		if (!json_is_boolean(v))
			goto bad;
		*(int *)where = json_is_true(v);
		return 0;
	case CONF_DURATION:
		if (json_is_number(v) && json_number_value(v) >= 0 &&
		    json_number_value(v) < 9e15) {
			/* Seconds to ms, rounded (>= 0: no llround, no libm).
			 */
			*(int64_t *)where =
			    (int64_t)(json_number_value(v) * 1000 + 0.5);
			return 0;
		}
		if (!json_is_string(v) ||
		    clock_parse_duration(json_string_value(v), &ms) != 0)
			goto bad;
		*(int64_t *)where = ms;
		return 0;
	case CONF_JSON:
		*(json_t **)where = v;
		return 0;
	case CONF_OBJECT:
		if (!json_is_object(v))
			goto bad;
		*(json_t **)where = v;
		return 0;
	case CONF_ARRAY:
		if (!json_is_array(v))
			goto bad;
		*(json_t **)where = v;
		return 0;
	case CONF_STRARRAY:
		if (!json_is_array(v))
			goto bad;
		for (i = 0; i < json_array_size(v); i++) {
			if (!json_is_string(json_array_get(v, i))) {
				*cause = conf_error(
				    cf, v, NULL, i, "expected a string");
				return -1;
			}
		}
		arr = xcalloc(json_array_size(v) + 1, sizeof *arr);
		for (i = 0; i < json_array_size(v); i++)
			arr[i] =
			    xstrdup(json_string_value(json_array_get(v, i)));
		conf_strarray_free(*(char ***)where);
		*(char ***)where = arr;
		return 0;
	}
bad : {
	static const char *const names[] = {
	    [CONF_STRING] = "a string",
	    [CONF_INT] = "an integer",
	    [CONF_DOUBLE] = "a number",
	    [CONF_BOOL] = "true or false",
	    [CONF_DURATION] = ("a duration such as \"30s\", "
	                       "\"5m\" or a number of seconds"),
	    [CONF_HOSTPORT] = "\"host:port\"",
	    [CONF_JSON] = "a value",
	    [CONF_OBJECT] = "an object",
	    [CONF_ARRAY] = "an array",
	    [CONF_STRARRAY] = "an array of strings",
	};
	*cause = conf_error(cf, obj, f->key, 0, "expected %s", names[f->type]);
}
	return -1;
}

int
conf_object_read(struct conf_file *cf, json_t *obj,
    const struct conf_field *fields, void *dst, char **cause)
{
	const struct conf_field *f;
	const char *key;
	json_t *v;

	if (!json_is_object(obj)) {
		struct conf_entry *self = conf_find(cf, obj, NULL, CONF_SELF);
		*cause = xasprintf("%s:%d:%d: expected an object", cf->name,
		    self ? self->vline : 1, self ? self->vcol : 1);
		return -1;
	}
	json_object_foreach(obj, key, v)
	{
		for (f = fields; f->key != NULL; f++) {
			if (strcmp(f->key, key) == 0)
				break;
		}
		if (f->key == NULL) {
			*cause = conf_key_error(cf, obj, key, "unknown key");
			return -1;
		}
	}
	for (f = fields; f->key != NULL; f++) {
		v = json_object_get(obj, f->key);
		if (v == NULL || json_is_null(v)) {
			if (f->required) {
				*cause = conf_error(
				    cf, obj, f->key, 0, "missing required key");
				return -1;
			}
			continue;
		}
		if (conf_field_read(cf, obj, f, v, dst, cause) != 0)
			return -1;
	}
	return 0;
}

char *
conf_secret_read(const char *conf_path, const char *path, char **why)
{
	const char *slash = conf_path != NULL ? strrchr(conf_path, '/') : NULL;
	char *full, line[4096];
	FILE *f;

	if (*path != '/' && slash != NULL)
		full = xasprintf(
		    "%.*s/%s", (int)(slash - conf_path), conf_path, path);
	else
		full = xstrdup(path);
	if ((f = fopen(full, "r")) == NULL) {
		*why = xasprintf("cannot read %s: %s", full, strerror(errno));
		free(full);
		return NULL;
	}
	free(full);
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return xstrdup(line);
}
