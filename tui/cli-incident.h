/* The console's incident commands (issue 17): incidents [--json] (the
 * list, newest first) and incident ID [--json] (one incident with its
 * alerts and timeline).  Each returns the process exit status (0 ok, 1
 * failure, 2 no such incident). */
#ifndef CB_TUI_CLI_INCIDENT_H
#define CB_TUI_CLI_INCIDENT_H

#include <stdio.h>

struct api;

int cli_incidents(struct api *api, int json, FILE *out);
int cli_incident(struct api *api, const char *id, int json, FILE *out);

#endif
