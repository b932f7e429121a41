/* The console's non-interactive forms, for scripts and cron:
 * overview --once [--json], alerts [--json], ack ID -m TEXT, audit verify.
 * Each returns the process exit status (0 ok, 1 failure, 2 usage). */
#ifndef CB_TUI_CLI_H
#define CB_TUI_CLI_H

#include <stdio.h>

struct api;

int cli_overview(struct api *api, int json, FILE *out);
int cli_alerts(struct api *api, int json, const char *state,
    const char *severity, const char *code, FILE *out);
int cli_ack(struct api *api, const char *id, const char *comment,
    const char *expires, FILE *out);
int cli_audit_verify(struct api *api, int json, FILE *out);
int cli_whoami(struct api *api, int json, FILE *out);
/* cli-quality.c: 0 clean, 1 findings (never seen, stale, blind rules) or
 * an error; --json prints the hub's answer and returns 0. */
int cli_quality(struct api *api, int json, FILE *out);
/* cli-handover.c: the shift handover note; sign it; acknowledge one. */
int cli_handover(struct api *api, int json, FILE *out);
/* cli-report.c: the response report as a table, JSON or CSV. */
extern const char *const cli_report_bys[];
int cli_report(struct api *api, const char *since, const char *by, int json,
    int csv, FILE *out);
int cli_handover_sign(struct api *api, const char *text, int json, FILE *out);
int cli_handover_ack(
    struct api *api, const char *id, const char *comment, FILE *out);

/* The values an argument may take (NULL-terminated). */
extern const char *const cli_states[], *const cli_severities[],
                                           *const cli_screens[];
/* 0 if every comma-separated item of list is one of valid; else print
 * "citybrain: --what: unknown value "x" (one of a, b, c)" on stderr
 * and return -1.  NULL list: 0. */
int cli_check_values(
    const char *what, const char *list, const char *const *valid);

#endif
