/* Fuzz target for lib/selector (and the series keys it is matched
 * against): parse, format, reparse, match. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/selector.h"
#include "lib/serieskey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
get_tag(void *arg, const char *name)
{
	return serieskey_get(arg, name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct selector_error err;
	struct selector *sel, *again;
	struct serieskey sk;
	struct buf b = BUF_INIT;
	char *text;

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	/* The same bytes as a series key. */
	if (serieskey_parse((const char *)data, size, &sk, NULL) == 0) {
		if (serieskey_build(&b, sk.metric, sk.tags, sk.ntags, NULL) !=
		    0)
			abort();
		serieskey_free(&sk);
		buf_reset(&b);
	}
	sel = selector_parse(text, &err);
	if (sel == NULL) {
		if (err.column < 1 || err.message[0] == '\0')
			abort();
		free(text);
		buf_free(&b);
		return 0;
	}
	/* The normal form parses again to the same normal form. */
	selector_format(sel, &b);
	if ((again = selector_parse(b.data, &err)) == NULL)
		abort();
	{
		struct buf b2 = BUF_INIT;

		selector_format(again, &b2);
		if (strcmp(b.data, b2.data) != 0)
			abort();
		buf_free(&b2);
	}
	if (serieskey_parse(
	        "aqi{community=\"c1\",grid=\"g1\"}", 30, &sk, NULL) == 0) {
		(void)selector_match(sel, sk.metric, get_tag, &sk);
		serieskey_free(&sk);
	}
	selector_free(again);
	selector_free(sel);
	buf_free(&b);
	free(text);
	return 0;
}
