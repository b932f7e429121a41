/*
 * curl-floor: the resident memory that linking Debian's libcurl costs a
 * process before any of its own code runs -- the floor under the
 * collector's collector_rss_mib (issue 7's target is 8 MiB).  Prints
 * VmRSS at main(), after curl_global_init() and after one easy handle,
 * as `name: value unit` lines.  Nothing else is linked but libc.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

/* VmRSS of this process in kB, or -1. */
static long
floor_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			sscanf(line + 6, "%ld", &kb);
			break;
		}
	}
	fclose(f);
	return kb;
}

int
main(void)
{
	long at_main = floor_rss_kb(), at_init, at_easy;
	CURL *c;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	at_init = floor_rss_kb();
	c = curl_easy_init();
	at_easy = floor_rss_kb();
	printf("curl_floor_rss_main_mib: %.2f MiB\n", at_main / 1024.0);
	printf("curl_floor_rss_global_init_mib: %.2f MiB\n", at_init / 1024.0);
	printf("curl_floor_rss_easy_mib: %.2f MiB\n", at_easy / 1024.0);
	fprintf(stderr, "%s\n", curl_version());
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return 0;
}
