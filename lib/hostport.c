/* "host:port" parsing; IPv6 literals in brackets. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hostport.h"
#include "lib/xmalloc.h"

int
hostport_parse(const char *s, char **host, int *port)
{
	const char *colon, *hs, *he, *p;
	long v;
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	if (*s == '[') {
		he = strchr(s, ']');
		if (he == NULL || he[1] != ':')
			return -1;
		hs = s + 1;
		colon = he + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL ||
		    memchr(s, ':', (size_t)(colon - s)) != NULL)
			return -1;
		hs = s;
		he = colon;
	}
	if (he == hs)
		return -1;
	p = colon + 1;
	if (*p < '0' || *p > '9')
		return -1;
	v = strtol(p, &end, 10);
	if (*end != '\0' || v < 0 || v > 65535)
		return -1;
	*host = xstrndup(hs, (size_t)(he - hs));
	*port = (int)v;
	return 0;
}
