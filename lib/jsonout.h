/*
 * Compact JSON text of a jansson value, as json_dumps(JSON_COMPACT) writes
 * it but with every real in its shortest round-trip form: 49.8, not
 * 49.799999999999997.
 */
#ifndef CB_JSONOUT_H
#define CB_JSONOUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lib/buf.h"

/* Longest text jsonout_double() writes, NUL included. */
#define JSONOUT_DOUBLE_MAX 32

/*
 * The shortest decimal that strtod() reads back as exactly v (finite),
 * written to out (at least JSONOUT_DOUBLE_MAX bytes) as a JSON real: with
 * a "." or an exponent, so that it stays a real ("42.0", "1e300").
 * Returns its length.
 */
size_t jsonout_double(double v, char *out);
/* Append j's compact JSON text to b; 0, or -1 for a value jansson could
 * not write either (a non-finite real). */
int jsonout_append(struct buf *b, const json_t *j);

/* Longest text jsonout_int() writes, NUL included. */
#define JSONOUT_INT_MAX 21

/* Pieces for routes that write a large reply straight into a buffer
 * (the same text as jsonout_append() of the jansson value): a string of
 * len bytes of UTF-8, escaped; an integer written to out (at least
 * JSONOUT_INT_MAX bytes), its length returned; a real written to out (at
 * least JSONOUT_DOUBLE_MAX bytes), or null when it is not finite (as the
 * hub's replies show a missing value), its length returned. */
void jsonout_string(struct buf *b, const char *s, size_t len);
size_t jsonout_int(int64_t v, char *out);
size_t jsonout_real_or_null(double v, char *out);

#endif
