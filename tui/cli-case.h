/* The console's case commands (issue 17): case new (a case from the
 * command line: category, grid or address, text, source) and cases
 * [--queue] [--json].  Each returns the process exit status (0 ok, 1
 * failure, 2 a refused request: bad place, no text). */
#ifndef CB_TUI_CLI_CASE_H
#define CB_TUI_CLI_CASE_H

#include <stdio.h>

struct api;

/* What "case new" was given; NULL members were not. */
struct cli_case_args {
	const char *category, *grid, *address, *text, *source;
};

int cli_case_new(
    struct api *api, const struct cli_case_args *a, int json, FILE *out);
/* queue: only the dispatch desk's queue (undispatched cases). */
int cli_cases(struct api *api, int queue, int json, FILE *out);

#endif
