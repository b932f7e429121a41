/* Fuzz target: Prometheus text / OpenMetrics parser (lib/promtext.c). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/promtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct prom_parser *pp;
	const struct prom_sample *s;
	const char *cause;
	size_t lineno, i, n;
	volatile size_t sink = 0;
	int r, fmt;

	if (pp == NULL)
		pp = prom_parser_create();
	for (fmt = 0; fmt < 2; fmt++) {
		prom_parser_begin(pp, (const char *)data, size,
		    fmt ? PROM_FMT_OPENMETRICS : PROM_FMT_TEXT);
		while ((r = prom_parser_next(pp, &s, &lineno, &cause)) !=
		       PROM_END) {
			if (r == PROM_ERROR) {
				if (strncmp(cause, "column ", 7) != 0)
					abort();
				continue;
			}
			/* Touch every byte the sample points at. */
			for (i = 0; i < s->nlabels; i++) {
				for (n = 0; n < s->labels[i].value.len; n++)
					sink += (unsigned char)s->labels[i]
					            .value.p[n];
				sink += s->labels[i].name.len;
			}
			for (n = 0; n < s->help.len; n++)
				sink += (unsigned char)s->help.p[n];
			sink += s->family.len + s->unit.len + s->name.len;
		}
	}
	(void)sink;
	return 0;
}
