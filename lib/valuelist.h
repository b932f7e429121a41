/* Comma-separated values checked against a NULL-terminated list of the
 * valid ones (the alerts' state and severity filters, in the hub and the
 * console alike). */
#ifndef CB_VALUELIST_H
#define CB_VALUELIST_H

#include <stddef.h>

struct buf;

/* The first item of list that is not in valid (its length in *len), or
 * NULL when every item is valid.  An empty list is valid. */
const char *valuelist_unknown(
    const char *list, const char *const *valid, size_t *len);

/* Append the valid values as "a, b, c". */
void valuelist_join(struct buf *b, const char *const *valid);

#endif
