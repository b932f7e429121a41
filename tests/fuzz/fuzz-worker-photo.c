/* Fuzz target: the grid workers' photo decoder (hub/worker/worker-photo.c:
 * base64, the size bound, JPEG/PNG magic bytes).  The first byte picks
 * the bound; the rest is the base64 text. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/worker/worker-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *out = NULL;
	const char *type = NULL;
	char *cause = NULL;
	size_t max, len = 0;
	int st;

	if (size == 0)
		return 0;
	max = (size_t)data[0] * 16;
	st = worker_photo_decode(
	    (const char *)data + 1, size - 1, max, &out, &len, &type, &cause);
	if (st == 0) {
		/* within the bound, and a JPEG or a PNG */
		if (out == NULL || cause != NULL || len > max || type == NULL ||
		    len < 3 ||
		    (out[0] != 0xff && !(out[0] == 0x89 && len >= 8)))
			abort();
	} else if ((st != 400 && st != 413 && st != 415) || cause == NULL ||
	           out != NULL)
		abort();
	free(out);
	free(cause);
	return 0;
}
