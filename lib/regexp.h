/*
 * Bounded regular expressions for user-supplied matchers (selectors,
 * silences), on PCRE2.  A pattern is anchored at both ends as in
 * Prometheus ("^(?s:PATTERN)$"): `.` matches a newline too, and the whole
 * value must match.  Compiling refuses patterns longer than
 * REGEXP_PATTERN_MAX bytes, nested deeper than REGEXP_NEST_MAX groups or
 * compiling to more than REGEXP_COMPILED_MAX bytes; matching stops after a
 * bounded amount of backtracking, stack depth and heap, so no pattern can
 * hold the event loop or memory for long.
 *
 * Syntax is PCRE2's, the same as RE2's (Prometheus) for practical
 * patterns; PCRE2 additionally accepts backreferences, lookaround and
 * possessive quantifiers, bounded like the rest (see docs/api.md).
 * Thread-safe: a compiled pattern is read-only while matching.
 */
#ifndef CB_REGEXP_H
#define CB_REGEXP_H

#define REGEXP_PATTERN_MAX  1024
#define REGEXP_NEST_MAX     32
#define REGEXP_COMPILED_MAX (64 * 1024)

struct regexp;

/* Compile pattern.  Returns the regexp (free with regexp_free()) or NULL
 * with *cause set (caller frees) to a message naming the pattern and the
 * offset of the problem. */
struct regexp *regexp_compile(const char *pattern, char **cause);
/* Same, keeping capturing groups for regexp_expand(). */
struct regexp *regexp_compile_groups(const char *pattern, char **cause);
void regexp_free(struct regexp *re);

/* 1 when the whole of s matches, 0 when it does not, -1 when matching
 * was stopped by a limit (callers treat it as "no match" either way, for
 * =~ and !~ alike: fail closed). */
int regexp_match(const struct regexp *re, const char *s);

/*
 * When the whole of s matches re (from regexp_compile_groups), set *out
 * (caller frees) to tmpl with "$N", "${N}" and "${name}" replaced by the
 * groups (an unknown or unset group by "", "$$" by "$") and return 1; 0
 * when s does not match; -1 when a limit stopped matching or tmpl is
 * malformed (a lone "$" before something else).
 */
int regexp_expand(
    const struct regexp *re, const char *s, const char *tmpl, char **out);

/* How many matches in this process were stopped by a limit. */
unsigned long long regexp_limit_hits(void);

#endif
