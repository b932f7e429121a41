/*
 * Prometheus-style series selectors:
 *   metric{tag="v",tag2=~"re",t3!="x",t4!~"y"}
 * The metric may be left out ({grid="440304001001007"}) or given as a
 * __name__ matcher.  Values are quoted with " or ' and take the escapes
 * \\ \" \' \n \t.  Regular expressions are PCRE2 through lib/regexp.h:
 * anchored at both ends as in Prometheus, bounded in size and matching
 * cost (a refused pattern is a parse error naming it).  As in Prometheus a
 * missing tag has the value "", so t3!="x" also matches series without t3.
 */
#ifndef CB_SELECTOR_H
#define CB_SELECTOR_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/regexp.h"

enum selector_op {
	SELECTOR_EQ,  /* = */
	SELECTOR_NE,  /* != */
	SELECTOR_RE,  /* =~ */
	SELECTOR_NRE, /* !~ */
};

struct selector_matcher {
	char *name; /* tag name, "__name__" for the metric; owned */
	enum selector_op op;
	char *value;       /* unescaped; owned */
	struct regexp *re; /* compiled value for RE and NRE; owned */
	int column;        /* 1-based column of the name in the text */
};

/* A parsed selector; owns everything, free with selector_free(). */
struct selector {
	char *metric; /* NULL when not given by name */
	size_t n;
	struct selector_matcher *m;
};

/* Parse error: 1-based column of the problem and a message. */
struct selector_error {
	int column;
	char message[256];
};

/*
 * Parse text.  Returns a selector the caller frees with selector_free(),
 * or NULL with *err filled ("column 12: expected '=', '!=', '=~' or '!~'").
 * An empty selector ("" or "{}") is an error: it would match everything.
 */
struct selector *selector_parse(const char *text, struct selector_error *err);
/* Same, with the error formatted as "column N: message" into *cause
 * (caller frees). */
struct selector *selector_parse_cause(const char *text, char **cause);
void selector_free(struct selector *sel);

/* Whether one matcher accepts value ("" when the tag is absent). */
int selector_matcher_match(const struct selector_matcher *m, const char *value);

/*
 * Whether the series (metric, tags looked up by get(arg, name), which
 * returns NULL for an absent tag) matches every matcher.
 */
int selector_match(const struct selector *sel, const char *metric,
    const char *(*get)(void *arg, const char *name), void *arg);

/* Append the selector in normal form to out (metric, then matchers in
 * their order, values quoted with "). */
void selector_format(const struct selector *sel, struct buf *out);

#endif
