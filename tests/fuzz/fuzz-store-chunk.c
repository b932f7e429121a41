/* Fuzz target for store/chunk: the bytes as a chunk (closed, or the open
 * one of a head record), read whole and up to a time inside it; whatever
 * decodes is encoded again, in both layouts, and must decode to the same
 * points. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "store/chunk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encode pv (in the old layout with v1) and decode it back. */
static void
again(const struct ptvec *pv, int v1)
{
	struct chunk_enc c = {0};
	struct ptvec back = {0};
	uint8_t *buf;
	size_t i, len;

	if (v1)
		chunk_enc_init_v1(&c);
	else
		chunk_enc_init(&c);
	for (i = 0; i < pv->n; i++)
		chunk_enc_append(&c, pv->t[i], pv->v[i]);
	len = chunk_enc_size(&c);
	buf = xmalloc(len);
	chunk_enc_serialize(&c, buf);
	if (chunk_decode(buf, len, &back) != 0 || back.n != pv->n)
		abort();
	for (i = 0; i < pv->n; i++) {
		if (back.t[i] != pv->t[i] ||
		    memcmp(&back.v[i], &pv->v[i], sizeof back.v[i]) != 0)
			abort();
	}
	free(buf);
	ptvec_free(&back);
	chunk_enc_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ptvec pv = {0};
	uint32_t n;
	int64_t first;

	if (chunk_header(data, size, &n, &first) == 0 &&
	    chunk_decode_until(data, size, first + 60000, &pv) == 0) {
		size_t i;

		for (i = 0; i < pv.n; i++) {
			if (pv.t[i] >= first + 60000)
				abort();
		}
	}
	pv.n = 0;
	if (chunk_decode(data, size, &pv) == 0 && pv.n > 0) {
		again(&pv, 0);
		again(&pv, 1);
	}
	ptvec_free(&pv);
	return 0;
}
