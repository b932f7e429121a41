/* "host:port" parsing, IPv6 in brackets. */
#ifndef CB_HOSTPORT_H
#define CB_HOSTPORT_H

/* Split s into host (caller frees) and port.  0 or -1 if malformed. */
int hostport_parse(const char *s, char **host, int *port);

#endif
