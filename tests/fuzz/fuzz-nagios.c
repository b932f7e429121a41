/* Fuzz target: Nagios plugin output parser (lib/nagios.c). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nagios.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nagios_output no;
	struct nagios_range r;
	volatile size_t sink = 0;
	size_t i;

	nagios_output_parse((const char *)data, size, &no);
	sink += strlen(no.text) + strlen(no.long_text);
	for (i = 0; i < no.nperf; i++) {
		sink += strlen(no.perf[i].label) + strlen(no.perf[i].uom);
		sink += (size_t)nagios_range_alerts(
		    &no.perf[i].warn, no.perf[i].value);
	}
	if (no.nbad > 0 && no.bad_reason == NULL)
		abort();
	nagios_output_free(&no);
	if (nagios_range_parse((const char *)data, size < 32 ? size : 32, &r) ==
	    0)
		sink += (size_t)nagios_range_alerts(&r, 1.0);
	(void)sink;
	return 0;
}
