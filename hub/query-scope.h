/*
 * The caller's territorial scope as selector matchers, added to every
 * query selector so that masking happens before any aggregation.  Fails
 * closed: a scope that is not in the territory, or whose matchers do not
 * parse, is an error, never an unscoped query.
 */
#ifndef CB_HUB_QUERY_SCOPE_H
#define CB_HUB_QUERY_SCOPE_H

struct hub_territory;
struct selector;

/*
 * Add scope's matchers to *sel (which may be NULL: a new selector is made
 * then; it stays NULL for the whole district).  Returns 0, or -1 with
 * *cause (caller frees) and *sel freed and set to NULL.
 */
int hub_query_scope(const struct hub_territory *t, const char *scope,
    struct selector **sel, char **cause);

#endif
