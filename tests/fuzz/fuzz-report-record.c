/* Fuzz target: the response report's reader of alert records
 * (hub/alerts/report-record.c).  Any input decodes or is refused, never a
 * crash; what decodes holds only NUL-terminated strings inside the
 * reader's copy and support ranges inside its support list. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/report-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_inside(const struct report_record *r, const char *s)
{
	if (s == NULL)
		return;
	if (s < r->buf || s > r->buf + r->cap || strlen(s) >= r->cap)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_record r;
	size_t i, k;

	report_record_init(&r);
	/* Twice: the second decode reuses the first one's buffers. */
	for (k = 0; k < 2; k++) {
		if (report_record_decode(&r, (const char *)data, size) != 0)
			continue;
		fuzz_inside(&r, r.source);
		fuzz_inside(&r, r.state);
		fuzz_inside(&r, r.code);
		fuzz_inside(&r, r.rule);
		fuzz_inside(&r, r.subdistrict);
		for (i = 0; i < r.ndepts; i++)
			fuzz_inside(&r, r.depts[i].dept);
		for (i = 0; i < r.nhist; i++) {
			const struct report_entry *h = &r.hist[i];

			fuzz_inside(&r, h->action);
			fuzz_inside(&r, h->dept);
			fuzz_inside(&r, h->dept_acked);
			if (h->support + h->nsupport > r.nsupports)
				abort();
		}
		for (i = 0; i < r.nsupports; i++)
			fuzz_inside(&r, r.supports[i]);
	}
	report_record_free(&r);
	return 0;
}
