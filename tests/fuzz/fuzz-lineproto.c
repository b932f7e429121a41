/*
 * Fuzz target: line protocol parser (lib/lineproto.c).  Besides not
 * crashing, every point that parses must survive write -> parse -> write
 * unchanged.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/lineproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lp_parser *lp, *lp2;
	const struct lp_point *pt, *pt2;
	const char *cause;
	struct lp_body body;
	struct buf once = BUF_INIT, twice = BUF_INIT;
	size_t lineno;
	int r;

	if (lp == NULL) {
		lp = lp_parser_create();
		lp2 = lp_parser_create();
	}
	lp_body_init(&body, data, size);
	while ((r = lp_body_next(lp, &body, &pt, &lineno, &cause)) != LP_END) {
		if (r == LP_ERROR) {
			if (strncmp(cause, "column ", 7) != 0)
				abort();
			continue;
		}
		buf_reset(&once);
		if (lp_point_write(&once, pt) != 0)
			continue;
		if (lp_parse_line(lp2, once.data, once.data + once.len, NULL,
		        &pt2, &cause) != LP_POINT)
			abort();
		buf_reset(&twice);
		if (lp_point_write(&twice, pt2) != 0)
			abort();
		if (once.len != twice.len ||
		    memcmp(once.data, twice.data, once.len) != 0)
			abort();
	}
	buf_free(&once);
	buf_free(&twice);
	return 0;
}
