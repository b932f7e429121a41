/* Fuzz target for store/rollup: the bytes as a minute block and as an
 * hour block, every column set a reader asks for (the rate columns too);
 * whatever decodes is encoded again and must decode. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "lib/buf.h"
#include "store/rollup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HOUR_MS 3600000LL

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned cols[] = {0, ROLLUP_COL_SUM, ROLLUP_COL_LAST,
	    ROLLUP_COL_MIN, ROLLUP_COL_MAX, ROLLUP_COL_ALL, ROLLUP_COL_FIRST,
	    ROLLUP_COL_ALL | ROLLUP_COL_FIRST};
	struct rate_minute rm[60];
	struct rollup_block rb, back;
	struct buf b = BUF_INIT;
	unsigned tier, c;

	for (tier = 0; tier < 2; tier++) {
		int64_t res = tier == 0 ? 60000 : HOUR_MS;
		unsigned nslots = tier == 0 ? 60 : 24;

		for (c = 0; c < sizeof cols / sizeof cols[0]; c++) {
			rollup_block_init(&rb, 400000 * HOUR_MS, res, nslots);
			(void)rollup_block_decode_cols(
			    &rb, data, size, cols[c]);
		}
		rollup_block_init(&rb, 400000 * HOUR_MS, res, nslots);
		(void)rollup_block_decode_rate(&rb, data, size, rm);
		rollup_block_init(&rb, 400000 * HOUR_MS, res, nslots);
		if (rollup_block_decode(&rb, data, size) != 0)
			continue;
		buf_reset(&b);
		rollup_block_encode(&rb, NULL, &b);
		rollup_block_init(&back, 400000 * HOUR_MS, res, nslots);
		if (rollup_block_decode(&back, b.data, b.len) != 0)
			abort();
	}
	buf_free(&b);
	return 0;
}
