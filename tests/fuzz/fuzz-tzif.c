/* Fuzz target: a zone's TZif data and its POSIX TZ footer
 * (hub/alerts/handover-tz.c), asked for the offset at a few times from
 * 1900 to 2100.  Malformed data is -1 and leaves the offset alone; any
 * offset found is within a day of UTC.  Never a crash or a read past the
 * data. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/alerts/handover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t at[] = {-2208988800LL, -1, 0, 1743292800LL,
	    1761440400LL, 2145916800LL, 4102444800LL};
	unsigned char *copy = malloc(size > 0 ? size : 1);
	size_t i;
	long off;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size); /* exactly size bytes: ASan sees overreads */
	for (i = 0; i < sizeof at / sizeof at[0]; i++) {
		off = 12345678;
		if (alert_tzif_offset(copy, size, at[i], &off) != 0) {
			if (off != 12345678)
				abort();
			continue;
		}
		/* Any 32-bit offset may be in the data, the sentinel too:
		 * then ask again with another one, which a result left
		 * unwritten would keep. */
		if (off == 12345678) {
			long again = -7654321;

			if (alert_tzif_offset(copy, size, at[i], &again) != 0 ||
			    again != off)
				abort();
		}
	}
	free(copy);
	return 0;
}
