/*
 * Fuzz target: the remote-write decoder (hub/remote/remote-codec.c).  The
 * first byte picks the layer: odd, the rest is a raw protobuf message that
 * is snappy-compressed here first (so mutations reach protobuf-c); even,
 * the rest is the body as sent.  A request that decodes must survive
 * encode -> decode unchanged (labels, timestamps, value bits).
 */
#include "config.h"

#include <snappy-c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/remote/remote.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_remote_same(const struct remote_request *a, const struct remote_request *b)
{
	size_t i, j;

	if (a->nseries != b->nseries || a->nsamples != b->nsamples)
		abort();
	for (i = 0; i < a->nseries; i++) {
		const struct remote_series *x = &a->series[i],
		                           *y = &b->series[i];

		if (x->nlabels != y->nlabels || x->nsamples != y->nsamples)
			abort();
		for (j = 0; j < x->nlabels; j++) {
			if (strcmp(x->labels[j].name, y->labels[j].name) != 0 ||
			    strcmp(x->labels[j].value, y->labels[j].value) != 0)
				abort();
		}
		for (j = 0; j < x->nsamples; j++) {
			if (x->samples[j].ts_ms != y->samples[j].ts_ms ||
			    memcmp(&x->samples[j].value, &y->samples[j].value,
			        sizeof(double)) != 0)
				abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct remote_request rq, again;
	struct buf body = BUF_INIT, enc = BUF_INIT;
	char *cause = NULL;
	size_t clen;
	int too_big;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		clen = snappy_max_compressed_length(size - 1);
		buf_reserve(&body, clen);
		if (snappy_compress((const char *)data + 1, size - 1, body.data,
		        &clen) != SNAPPY_OK)
			abort();
		body.len = clen;
	} else
		buf_append(&body, data + 1, size - 1);
	if (remote_request_decode(&rq, body.data != NULL ? body.data : "",
	        body.len, 1 << 20, &too_big, &cause) != 0) {
		if (cause == NULL || *cause == '\0')
			abort();
		free(cause);
		buf_free(&body);
		return 0;
	}
	remote_request_encode(rq.series, rq.nseries, &enc);
	if (remote_request_decode(&again, enc.data != NULL ? enc.data : "",
	        enc.len, (size_t)-1, &too_big, &cause) != 0)
		abort();
	fuzz_remote_same(&rq, &again);
	remote_request_free(&again);
	remote_request_free(&rq);
	buf_free(&enc);
	buf_free(&body);
	return 0;
}
