/* Comma-separated values checked against the valid ones. */
#include "config.h"

#include <string.h>

#include "lib/buf.h"
#include "lib/valuelist.h"

const char *
valuelist_unknown(const char *list, const char *const *valid, size_t *len)
{
	const char *p, *c;
	size_t n, i;

	for (p = list; p != NULL && *p != '\0'; p = c != NULL ? c + 1 : NULL) {
		c = strchr(p, ',');
		n = c != NULL ? (size_t)(c - p) : strlen(p);
		for (i = 0; valid[i] != NULL; i++) {
			if (strlen(valid[i]) == n &&
			    strncmp(valid[i], p, n) == 0)
				break;
		}
		if (valid[i] == NULL) {
			*len = n;
			return p;
		}
	}
	return NULL;
}

void
valuelist_join(struct buf *b, const char *const *valid)
{
	size_t i;

	for (i = 0; valid[i] != NULL; i++)
		buf_printf(b, "%s%s", i ? ", " : "", valid[i]);
}
