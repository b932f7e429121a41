/*
 * Canonical series keys: metric{k1="v1",k2="v2"} with tags sorted by name.
 *
 * Metric and tag names follow Prometheus: [A-Za-z_:][A-Za-z0-9_:]* for the
 * metric, [A-Za-z_][A-Za-z0-9_]* for tags (names starting "__" are
 * reserved).  Tag values are non-empty UTF-8; in the key, \ " and newline
 * are written \\ \" \n.  A series without tags is the bare metric name.
 * Every error names the offending metric or tag.
 */
#ifndef CB_SERIESKEY_H
#define CB_SERIESKEY_H

#include <stddef.h>

#include "lib/buf.h"

#define SERIESKEY_METRIC_MAX 255  /* bytes in a metric name */
#define SERIESKEY_NAME_MAX   255  /* bytes in a tag name */
#define SERIESKEY_VALUE_MAX  1024 /* bytes in a tag value (unescaped) */
#define SERIESKEY_TAGS_MAX   64   /* tags per series */
#define SERIESKEY_KEY_MAX    8192 /* bytes in a whole canonical key */

/* One tag; both strings NUL-terminated and borrowed. */
struct serieskey_tag {
	const char *name;
	const char *value;
};

/* A parsed key.  metric and the tag strings point into mem; all owned. */
struct serieskey {
	const char *metric;
	size_t ntags;
	struct serieskey_tag *tags; /* sorted by name */
	char *mem;
};

/* 0 if name is a valid metric name, else -1 with *cause (caller frees). */
int serieskey_metric_check(const char *metric, char **cause);
/* 0 if name/value make a valid tag, else -1 with *cause naming the tag. */
int serieskey_tag_check(const char *name, const char *value, char **cause);

/*
 * Validate metric and tags (any order; duplicates are an error) and append
 * the canonical key to out.  Returns 0, or -1 with *cause (caller frees)
 * and out unchanged.
 */
int serieskey_build(struct buf *out, const char *metric,
    const struct serieskey_tag *tags, size_t ntags, char **cause);

/*
 * Parse key (len bytes, tags in any order) into *sk (caller frees with
 * serieskey_free) with its tags sorted and validated.  Returns 0, or -1
 * with *cause (caller frees) and *sk zeroed.
 */
int serieskey_parse(
    const char *key, size_t len, struct serieskey *sk, char **cause);
void serieskey_free(struct serieskey *sk);

/* Rewrite key into canonical form, appended to out; 0 or -1 with *cause. */
int serieskey_canonicalize(
    const char *key, size_t len, struct buf *out, char **cause);

/* Value of tag name in sk, or NULL when absent. */
const char *serieskey_get(const struct serieskey *sk, const char *name);

/* Append name to out with every character invalid in a metric name
 * replaced by '_' (and a leading digit prefixed with '_'); for adapters
 * whose source names are looser (Influx measurements, Nagios labels). */
void serieskey_name_sanitize(struct buf *out, const char *name);

/* Append value escaped as inside a key's quotes (\\ \" \n). */
void serieskey_escape(struct buf *out, const char *value);

#endif
