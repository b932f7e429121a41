/* Canonical series keys: building, validation, parsing, escaping. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/serieskey.h"
#include "lib/xmalloc.h"

/* Error text shows at most this much of a bad name or value. */
#define SHOW_MAX 40

static char *
show(const char *s)
{
	size_t n = strlen(s);

	if (n <= SHOW_MAX)
		return xstrdup(s);
	return xasprintf("%.*s...", SHOW_MAX, s);
}

static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len, k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 &&
		        (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += len;
	}
	return 1;
}

static int
name_char(char c, int first, int colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return 1;
	if (colon && c == ':')
		return 1;
	return !first && c >= '0' && c <= '9';
}

int
serieskey_metric_check(const char *metric, char **cause)
{
	size_t i, n = strlen(metric);
	char *sh;

	if (n == 0) {
		if (cause != NULL)
			*cause = xstrdup("empty metric name");
		return -1;
	}
	if (n > SERIESKEY_METRIC_MAX) {
		if (cause != NULL) {
			sh = show(metric);
			*cause = xasprintf("metric name \"%s\" too long "
			                   "(%zu bytes, at most %d)",
			    sh, n, SERIESKEY_METRIC_MAX);
			free(sh);
		}
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!name_char(metric[i], i == 0, 1)) {
			if (cause != NULL) {
				sh = show(metric);
				*cause =
				    xasprintf("metric name \"%s\": invalid "
				              "character at byte %zu (allowed: "
				              "[A-Za-z_:][A-Za-z0-9_:]*)",
				        sh, i + 1);
				free(sh);
			}
			return -1;
		}
	}
	return 0;
}

int
serieskey_tag_check(const char *name, const char *value, char **cause)
{
	size_t i, n = strlen(name), vn = strlen(value);
	char *sh;

	if (n == 0) {
		if (cause != NULL)
			*cause = xstrdup("empty tag name");
		return -1;
	}
	sh = show(name);
	if (n > SERIESKEY_NAME_MAX) {
		if (cause != NULL)
			*cause = xasprintf("tag name \"%s\" too long (%zu "
			                   "bytes, at most %d)",
			    sh, n, SERIESKEY_NAME_MAX);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (!name_char(name[i], i == 0, 0)) {
			if (cause != NULL)
				*cause =
				    xasprintf("tag name \"%s\": invalid "
				              "character at byte %zu (allowed: "
				              "[A-Za-z_][A-Za-z0-9_]*)",
				        sh, i + 1);
			goto fail;
		}
	}
	if (n >= 2 && name[0] == '_' && name[1] == '_') {
		if (cause != NULL)
			*cause = xasprintf("tag name \"%s\": names starting "
			                   "with __ are reserved",
			    sh);
		goto fail;
	}
	if (vn == 0) {
		if (cause != NULL)
			*cause = xasprintf("tag \"%s\": empty value", sh);
		goto fail;
	}
	if (vn > SERIESKEY_VALUE_MAX) {
		if (cause != NULL)
			*cause = xasprintf("tag \"%s\": value too long (%zu "
			                   "bytes, at most %d)",
			    sh, vn, SERIESKEY_VALUE_MAX);
		goto fail;
	}
	for (i = 0; i < vn; i++) {
		unsigned char c = (unsigned char)value[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			if (cause != NULL)
				*cause =
				    xasprintf("tag \"%s\": control "
				              "character in value at byte %zu",
				        sh, i + 1);
			goto fail;
		}
	}
	if (!utf8_valid((const unsigned char *)value, vn)) {
		if (cause != NULL)
			*cause = xasprintf("tag \"%s\": value is not valid "
			                   "UTF-8",
			    sh);
		goto fail;
	}
	free(sh);
	return 0;
fail:
	free(sh);
	return -1;
}

void
serieskey_escape(struct buf *out, const char *value)
{
	const char *p, *run = value;

	for (p = value; *p != '\0'; p++) {
		if (*p != '\\' && *p != '"' && *p != '\n')
			continue;
		buf_append(out, run, p - run);
		buf_putc(out, '\\');
		buf_putc(out, *p == '\n' ? 'n' : *p);
		run = p + 1;
	}
	buf_append(out, run, p - run);
}

static int
tag_cmp(const void *a, const void *b)
{
	const struct serieskey_tag *ta = a, *tb = b;

	return strcmp(ta->name, tb->name);
}

int
serieskey_build(struct buf *out, const char *metric,
    const struct serieskey_tag *tags, size_t ntags, char **cause)
{
	struct serieskey_tag stack[16], *sorted = stack;
	size_t i, start = out->len;

	if (serieskey_metric_check(metric, cause) != 0)
		return -1;
	if (ntags > SERIESKEY_TAGS_MAX) {
		if (cause != NULL)
			*cause = xasprintf("metric \"%s\": too many tags (%zu, "
			                   "at most %d)",
			    metric, ntags, SERIESKEY_TAGS_MAX);
		return -1;
	}
	for (i = 0; i < ntags; i++) {
		if (serieskey_tag_check(tags[i].name, tags[i].value, cause) !=
		    0)
			return -1;
	}
	if (ntags > sizeof stack / sizeof stack[0])
		sorted = xreallocarray(NULL, ntags, sizeof *sorted);
	if (ntags > 0)
		memcpy(sorted, tags, ntags * sizeof *sorted);
	/* Tags usually arrive sorted already. */
	for (i = 1; i < ntags; i++) {
		if (strcmp(sorted[i - 1].name, sorted[i].name) >= 0)
			break;
	}
	if (i < ntags)
		qsort(sorted, ntags, sizeof *sorted, tag_cmp);
	for (i = 1; i < ntags; i++) {
		if (strcmp(sorted[i - 1].name, sorted[i].name) == 0) {
			if (cause != NULL)
				*cause = xasprintf(
				    "tag \"%s\" given twice", sorted[i].name);
			goto fail;
		}
	}
	buf_puts(out, metric);
	if (ntags > 0) {
		buf_putc(out, '{');
		for (i = 0; i < ntags; i++) {
			if (i > 0)
				buf_putc(out, ',');
			buf_puts(out, sorted[i].name);
			buf_puts(out, "=\"");
			serieskey_escape(out, sorted[i].value);
			buf_putc(out, '"');
		}
		buf_putc(out, '}');
	}
	if (out->len - start > SERIESKEY_KEY_MAX) {
		if (cause != NULL)
			*cause = xasprintf("series key of \"%s\" too long (%zu "
			                   "bytes, at most %d)",
			    metric, out->len - start, SERIESKEY_KEY_MAX);
		goto fail;
	}
	if (sorted != stack)
		free(sorted);
	return 0;
fail:
	out->len = start;
	if (out->data != NULL)
		out->data[start] = '\0';
	if (sorted != stack)
		free(sorted);
	return -1;
}

void
serieskey_free(struct serieskey *sk)
{
	if (sk == NULL)
		return;
	free(sk->tags);
	free(sk->mem);
	memset(sk, 0, sizeof *sk);
}

static int
parse_fail(struct serieskey *sk, char **cause, char *msg)
{
	serieskey_free(sk);
	if (cause != NULL)
		*cause = msg;
	else
		free(msg);
	return -1;
}

int
serieskey_parse(const char *key, size_t len, struct serieskey *sk, char **cause)
{
	const char *p = key, *end = key + len;
	char *w;
	size_t cap = 0, i;

	memset(sk, 0, sizeof *sk);
	if (len > SERIESKEY_KEY_MAX)
		return parse_fail(sk, cause,
		    xasprintf("series key too long "
		              "(%zu bytes, at most %d)",
		        len, SERIESKEY_KEY_MAX));
	/* Unescaped text is never longer than the key. */
	sk->mem = w = xmalloc(len + 1);
	while (p < end && *p != '{')
		*w++ = *p++;
	*w++ = '\0';
	sk->metric = sk->mem;
	if (memchr(sk->metric, '\0', w - 1 - sk->mem) != NULL)
		return parse_fail(sk, cause,
		    xstrdup("metric name contains "
		            "NUL"));
	if (serieskey_metric_check(sk->metric, cause) != 0) {
		serieskey_free(sk);
		return -1;
	}
	if (p == end)
		return 0;
	p++; /* '{' */
	while (p < end && *p != '}') {
		struct serieskey_tag *t;

		if (sk->ntags > 0) {
			if (*p != ',')
				return parse_fail(sk, cause,
				    xasprintf("series key: expected ',' or '}' "
				              "at byte "
				              "%zu",
				        (size_t)(p - key) + 1));
			p++;
			if (p < end && *p == '}') /* trailing comma */
				break;
		}
		if (sk->ntags == SERIESKEY_TAGS_MAX)
			return parse_fail(sk, cause,
			    xasprintf("metric \"%s\":"
			              " too many tags (at most %d)",
			        sk->metric, SERIESKEY_TAGS_MAX));
		if (sk->ntags == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			sk->tags =
			    xreallocarray(sk->tags, cap, sizeof *sk->tags);
		}
		t = &sk->tags[sk->ntags++];
		t->name = w;
		while (p < end && *p != '=' && *p != ',' && *p != '}' &&
		       *p != '\0')
			*w++ = *p++;
		*w++ = '\0';
		if (p == end || *p != '=')
			return parse_fail(sk, cause,
			    xasprintf("series key: "
			              "tag \"%s\": expected '=' at byte %zu",
			        t->name, (size_t)(p - key) + 1));
		p++;
		if (p == end || *p != '"')
			return parse_fail(sk, cause,
			    xasprintf("series key: "
			              "tag \"%s\": expected '\"' at byte %zu",
			        t->name, (size_t)(p - key) + 1));
		p++;
		t->value = w;
		while (p < end && *p != '"') {
			if (*p == '\0')
				return parse_fail(sk, cause,
				    xasprintf(
				        "series key: tag \"%s\": NUL in value",
				        t->name));
			if (*p == '\\') {
				if (++p == end)
					break;
				if (*p == 'n')
					*w++ = '\n';
				else if (*p == '\\' || *p == '"')
					*w++ = *p;
				else
					return parse_fail(sk, cause,
					    xasprintf("series key: tag \"%s\": "
					              "invalid "
					              "escape \\%c",
					        t->name, *p));
				p++;
				continue;
			}
			*w++ = *p++;
		}
		if (p == end)
			return parse_fail(sk, cause,
			    xasprintf("series key: "
			              "tag \"%s\": unterminated value",
			        t->name));
		p++;
		*w++ = '\0';
		if (serieskey_tag_check(t->name, t->value, cause) != 0) {
			serieskey_free(sk);
			return -1;
		}
	}
	if (p == end)
		return parse_fail(sk, cause,
		    xstrdup("series key: missing "
		            "'}'"));
	if (p + 1 != end)
		return parse_fail(sk, cause,
		    xasprintf("series key: text after "
		              "'}' at byte %zu",
		        (size_t)(p - key) + 2));
	if (sk->ntags > 1)
		qsort(sk->tags, sk->ntags, sizeof *sk->tags, tag_cmp);
	for (i = 1; i < sk->ntags; i++) {
		if (strcmp(sk->tags[i - 1].name, sk->tags[i].name) == 0)
			return parse_fail(sk, cause,
			    xasprintf("tag \"%s\" "
			              "given twice",
			        sk->tags[i].name));
	}
	return 0;
}

int
serieskey_canonicalize(
    const char *key, size_t len, struct buf *out, char **cause)
{
	struct serieskey sk;
	int rc;

	if (serieskey_parse(key, len, &sk, cause) != 0)
		return -1;
	rc = serieskey_build(out, sk.metric, sk.tags, sk.ntags, cause);
	serieskey_free(&sk);
	return rc;
}

const char *
serieskey_get(const struct serieskey *sk, const char *name)
{
	size_t lo = 0, hi = sk->ntags;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(sk->tags[mid].name, name);

		if (c == 0)
			return sk->tags[mid].value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void
serieskey_name_sanitize(struct buf *out, const char *name)
{
	const char *p;

	if (*name >= '0' && *name <= '9')
		buf_putc(out, '_');
	for (p = name; *p != '\0'; p++)
		buf_putc(out, name_char(*p, 0, 1) ? *p : '_');
	if (*name == '\0')
		buf_putc(out, '_');
}
