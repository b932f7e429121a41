/*
 * Compact JSON text of a jansson value, as json_dumps(JSON_COMPACT) writes
 * it but with every real in its shortest round-trip form: 49.8, not
 * 49.799999999999997.
 */
#ifndef CB_JSONOUT_H
#define CB_JSONOUT_H

#include <stddef.h>

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

#endif
