/* Relabelling of forwarded series (hub/remote/relabel.h). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hub/remote/relabel.h"
#include "hub/remote/remote.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/regexp.h"
#include "lib/xmalloc.h"

static const char *const relabel_action_names[] = {
    [RELABEL_REPLACE] = "replace",
    [RELABEL_KEEP] = "keep",
    [RELABEL_DROP] = "drop",
    [RELABEL_LABELDROP] = "labeldrop",
    [RELABEL_LABELKEEP] = "labelkeep",
};
#define RELABEL_NACTIONS \
	(sizeof relabel_action_names / sizeof relabel_action_names[0])

struct relabel_raw {
	char *action, *separator, *regex, *target_label, *replacement;
	char **source_labels;
};

static const struct conf_field relabel_fields[] = {
    {"action", CONF_STRING, 0, offsetof(struct relabel_raw, action), 0, 0},
    {"source_labels", CONF_STRARRAY, 0,
        offsetof(struct relabel_raw, source_labels), 0, 0},
    {"separator", CONF_STRING, 0, offsetof(struct relabel_raw, separator), 0,
        0},
    {"regex", CONF_STRING, 0, offsetof(struct relabel_raw, regex), 0, 0},
    {"target_label", CONF_STRING, 0, offsetof(struct relabel_raw, target_label),
        0, 0},
    {"replacement", CONF_STRING, 0, offsetof(struct relabel_raw, replacement),
        0, 0},
    {NULL, 0, 0, 0, 0, 0},
};

/* 1 if s is a label name ([a-zA-Z_][a-zA-Z0-9_]*). */
static int
relabel_name_valid(const char *s)
{
	size_t i;

	if (*s == '\0' || (*s >= '0' && *s <= '9'))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9')))
			return 0;
	}
	return 1;
}

void
relabel_rules_free(struct relabel_rule *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		conf_strarray_free(r[i].source_labels);
		free(r[i].separator);
		regexp_free(r[i].re);
		free(r[i].target_label);
		free(r[i].replacement);
	}
	free(r);
}

/* Fill r from obj; 0 or -1 with *cause. */
static int
relabel_rule_read(
    struct conf_file *cf, json_t *obj, struct relabel_rule *r, char **cause)
{
	struct relabel_raw raw;
	char *why = NULL;
	size_t a, i;
	int rc = -1;

	memset(&raw, 0, sizeof raw);
	if (conf_object_read(cf, obj, relabel_fields, &raw, cause) != 0)
		goto out;
	r->action = RELABEL_REPLACE;
	if (raw.action != NULL) {
		for (a = 0; a < RELABEL_NACTIONS; a++) {
			if (strcmp(raw.action, relabel_action_names[a]) == 0)
				break;
		}
		if (a == RELABEL_NACTIONS) {
			*cause = conf_error(cf, obj, "action", 0,
			    "expected replace, keep, drop, labeldrop or "
			    "labelkeep");
			goto out;
		}
		r->action = (enum relabel_action)a;
	}
	r->source_labels = raw.source_labels;
	raw.source_labels = NULL;
	for (i = 0; r->source_labels != NULL && r->source_labels[i] != NULL;
	     i++) {
		if (!relabel_name_valid(r->source_labels[i])) {
			*cause = conf_error(cf, obj, "source_labels", 0,
			    "\"%s\" is not a label name", r->source_labels[i]);
			goto out;
		}
	}
	if ((r->action == RELABEL_KEEP || r->action == RELABEL_DROP) &&
	    r->source_labels == NULL) {
		*cause = conf_error(
		    cf, obj, "action", 0, "keep and drop need source_labels");
		goto out;
	}
	r->separator = raw.separator != NULL ? raw.separator : xstrdup(";");
	raw.separator = NULL;
	r->replacement =
	    raw.replacement != NULL ? raw.replacement : xstrdup("$1");
	raw.replacement = NULL;
	r->re =
	    regexp_compile_groups(raw.regex != NULL ? raw.regex : "(.*)", &why);
	if (r->re == NULL) {
		*cause = conf_error(cf, obj, "regex", 0, "%s", why);
		goto out;
	}
	if (r->action == RELABEL_REPLACE) {
		if (raw.target_label == NULL ||
		    !relabel_name_valid(raw.target_label)) {
			*cause = conf_error(cf, obj,
			    raw.target_label != NULL ? "target_label"
			                             : "action",
			    0,
			    "replace needs a target_label that is a label "
			    "name");
			goto out;
		}
	} else if (raw.target_label != NULL) {
		*cause = conf_error(cf, obj, "target_label", 0,
		    "only replace takes a target_label");
		goto out;
	}
	r->target_label = raw.target_label;
	raw.target_label = NULL;
	rc = 0;
out:
	free(why);
	free(raw.action);
	free(raw.separator);
	free(raw.regex);
	free(raw.target_label);
	free(raw.replacement);
	conf_strarray_free(raw.source_labels);
	return rc;
}

int
relabel_rules_read(struct conf_file *cf, json_t *arr, struct relabel_rule **out,
    size_t *n, char **cause)
{
	struct relabel_rule *r;
	json_t *obj;
	size_t i;

	r = xcalloc(json_array_size(arr) + 1, sizeof *r);
	json_array_foreach(arr, i, obj)
	{
		if (!json_is_object(obj)) {
			*cause =
			    conf_error(cf, arr, NULL, i, "expected an object");
			relabel_rules_free(r, json_array_size(arr));
			return -1;
		}
		if (relabel_rule_read(cf, obj, &r[i], cause) != 0) {
			relabel_rules_free(r, json_array_size(arr));
			return -1;
		}
	}
	*out = r;
	*n = json_array_size(arr);
	return 0;
}

void
relabel_set_add(struct relabel_set *s, const char *name, const char *v)
{
	if (s->n == s->cap) {
		s->cap = s->cap * 2 + 16;
		s->l = xreallocarray(s->l, s->cap, sizeof *s->l);
	}
	s->l[s->n].name = name;
	s->l[s->n++].value = v;
}

void
relabel_set_free(struct relabel_set *s)
{
	size_t i;

	for (i = 0; i < s->nowned; i++)
		free(s->owned[i]);
	free(s->owned);
	free(s->l);
	memset(s, 0, sizeof *s);
}

/* Index of name in s, or s->n. */
static size_t
relabel_set_find(const struct relabel_set *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->l[i].name, name) == 0)
			break;
	}
	return i;
}

/* s takes ownership of str (freed by relabel_set_free); returns it. */
static const char *
relabel_set_own(struct relabel_set *s, char *str)
{
	s->owned = xreallocarray(s->owned, s->nowned + 1, sizeof *s->owned);
	s->owned[s->nowned++] = str;
	return str;
}

/* Remove the labels whose names match (keep 0) or do not match (keep 1)
 * re. */
static void
relabel_set_filter(struct relabel_set *s, const struct regexp *re, int keep)
{
	size_t i, j = 0;

	for (i = 0; i < s->n; i++) {
		if ((regexp_match(re, s->l[i].name) == 1) == keep)
			s->l[j++] = s->l[i];
	}
	s->n = j;
}

static int
relabel_label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct remote_label *)a)->name,
	    ((const struct remote_label *)b)->name);
}

/* Apply one replace rule whose source value is v. */
static void
relabel_replace(
    const struct relabel_rule *r, struct relabel_set *s, const char *v)
{
	char *out = NULL;
	size_t i;

	if (regexp_expand(r->re, v, r->replacement, &out) != 1)
		return;
	i = relabel_set_find(s, r->target_label);
	if (*out == '\0') {
		free(out);
		if (i < s->n)
			s->l[i] = s->l[--s->n];
		return;
	}
	if (i < s->n)
		s->l[i].value = relabel_set_own(s, out);
	else
		relabel_set_add(s, r->target_label, relabel_set_own(s, out));
}

int
relabel_apply(const struct relabel_rule *r, size_t n, struct relabel_set *s)
{
	struct buf v;
	size_t k, i, j;
	int m;

	buf_init(&v);
	for (k = 0; k < n; k++) {
		buf_reset(&v);
		for (i = 0; r[k].source_labels != NULL &&
		            r[k].source_labels[i] != NULL;
		     i++) {
			if (i > 0)
				buf_puts(&v, r[k].separator);
			j = relabel_set_find(s, r[k].source_labels[i]);
			if (j < s->n)
				buf_puts(&v, s->l[j].value);
		}
		switch (r[k].action) {
		case RELABEL_REPLACE:
			relabel_replace(&r[k], s, buf_str(&v));
			break;
		case RELABEL_KEEP:
		case RELABEL_DROP:
			m = regexp_match(r[k].re, buf_str(&v)) == 1;
			if (m != (r[k].action == RELABEL_KEEP)) {
				buf_free(&v);
				return 0;
			}
			break;
		case RELABEL_LABELDROP:
		case RELABEL_LABELKEEP:
			relabel_set_filter(
			    s, r[k].re, r[k].action == RELABEL_LABELKEEP);
			break;
		}
	}
	buf_free(&v);
	for (i = 0, j = 0; i < s->n; i++) {
		if (s->l[i].value[0] != '\0')
			s->l[j++] = s->l[i];
	}
	s->n = j;
	qsort(s->l, s->n, sizeof *s->l, relabel_label_cmp);
	return 1;
}
