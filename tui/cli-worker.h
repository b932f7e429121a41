/* The console's grid worker commands: worker enrol NAME --grid CODE
 * (the one-time code as text and as a QR code), worker revoke NAME,
 * workers [--json], and alert ID [--photo N -o FILE] (the field reports'
 * photos).  Each returns the process exit status. */
#ifndef CB_TUI_CLI_WORKER_H
#define CB_TUI_CLI_WORKER_H

#include <stdio.h>

struct api;

/* page_url (may be NULL): the page's address as phones reach it
 * ("http://10.0.0.5:8428/m/"); the QR code then opens it signed in. */
int cli_worker_enrol(struct api *api, const char *name, const char *grids,
    const char *display, const char *page_url, int json, FILE *out);
int cli_worker_revoke(struct api *api, const char *name, FILE *out);
int cli_workers(struct api *api, int json, FILE *out);
/* alert ID [--json]: the alert and its workers' photos; with photo
 * ("N"): download photo N of the alert to output ("-" or NULL: out,
 * refused on a terminal). */
int cli_alert(struct api *api, const char *id, const char *photo,
    const char *output, int json, FILE *out);
/* Print text as a QR code with terminal blocks (ASCII "##" when the
 * terminal is not UTF-8); 0, or -1 if it cannot be encoded. */
int cli_qr_print(const char *text, FILE *out);

#endif
