/* The console's incident commands (issue 17): incidents [--json] (the
 * list, newest first) and incident ID [--json] (one incident with its
 * alerts and timeline).  Each returns the process exit status (0 ok, 1
 * failure, 2 no such incident). */
#ifndef CB_TUI_CLI_INCIDENT_H
#define CB_TUI_CLI_INCIDENT_H

#include <stdio.h>

#include <jansson.h>

struct api;
struct buf;

int cli_incidents(struct api *api, int json, FILE *out);
int cli_incident(struct api *api, const char *id, int json, FILE *out);

/* Shared with the Incidents screen: o's string member key, or dflt;
 * append "lead (+support,support)"; append the lines of an incident's
 * detail (GET /api/v1/incidents/{id}: place, departments, deadline,
 * alerts, timeline), its heading lines starting with bold. */
const char *cli_inc_str(json_t *o, const char *key, const char *dflt);
void cli_inc_depts(json_t *inc, struct buf *b);
void cli_incident_detail(json_t *o, struct buf *b, const char *bold);

#endif
