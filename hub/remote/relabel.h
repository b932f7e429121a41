/*
 * Relabelling of forwarded series: the subset of Prometheus's
 * relabel_config that a remote_write target takes in hub.json
 * ("relabel": [...], docs/api.md): actions replace, keep, drop, labeldrop
 * and labelkeep, with source_labels, separator, regex (anchored, through
 * lib/regexp.h, so bounded), target_label and replacement ("$1", "${1}",
 * "${name}").  Rules apply in order to one series' labels; a series that
 * a keep or drop rule removes is not forwarded.
 */
#ifndef CB_HUB_REMOTE_RELABEL_H
#define CB_HUB_REMOTE_RELABEL_H

#include <stddef.h>

#include <jansson.h>

struct conf_file;
struct regexp;
struct remote_label;

enum relabel_action {
	RELABEL_REPLACE,
	RELABEL_KEEP,
	RELABEL_DROP,
	RELABEL_LABELDROP,
	RELABEL_LABELKEEP,
};

/* One rule; owns its strings and regexp. */
struct relabel_rule {
	enum relabel_action action;
	char **source_labels; /* NULL-terminated; may be NULL */
	char *separator;      /* default ";" */
	struct regexp *re;    /* default "(.*)" */
	char *target_label;   /* replace only */
	char *replacement;    /* default "$1" */
};

/* Read the "relabel" array arr into a new array *out of *n rules.  0, or
 * -1 with *cause ("file:line:col: ..."). */
int relabel_rules_read(struct conf_file *cf, json_t *arr,
    struct relabel_rule **out, size_t *n, char **cause);
void relabel_rules_free(struct relabel_rule *r, size_t n);

/*
 * A mutable label set: the labels point either to strings the caller
 * keeps alive or to strings the set owns (those relabelling made).
 */
struct relabel_set {
	struct remote_label *l;
	size_t n, cap;
	char **owned;
	size_t nowned;
};

/* Append (name, value), both borrowed, to s. */
void relabel_set_add(struct relabel_set *s, const char *name, const char *v);
/* Free what s owns and empty it. */
void relabel_set_free(struct relabel_set *s);

/*
 * Apply rules r[0..n) to s.  Returns 1 when the series is kept (s then
 * holds its labels sorted by name, none with an empty value), 0 when a
 * rule dropped it.  A regexp stopped by its limit counts as no match.
 */
int relabel_apply(
    const struct relabel_rule *r, size_t n, struct relabel_set *s);

#endif
