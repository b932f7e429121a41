/* The remote-write codec: snappy block + protobuf WriteRequest, both ways. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>

#include "hub/remote/remote.h"
#include "hub/remote/remote.pb-c.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

int
remote_value_is_stale(double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof bits);
	return bits == REMOTE_STALE_NAN_BITS;
}

void
remote_request_free(struct remote_request *rq)
{
	if (rq == NULL)
		return;
	if (rq->pb != NULL)
		cbremote__write_request__free_unpacked(rq->pb, NULL);
	free(rq->series);
	free(rq->lmem);
	free(rq->smem);
	memset(rq, 0, sizeof *rq);
}

/* Point rq's plain arrays at the unpacked message wr. */
static void
remote_request_fill(struct remote_request *rq, Cbremote__WriteRequest *wr)
{
	size_t i, j, nl = 0, ns = 0;
	struct remote_label *l;
	struct remote_sample *s;

	for (i = 0; i < wr->n_timeseries; i++) {
		nl += wr->timeseries[i]->n_labels;
		ns += wr->timeseries[i]->n_samples;
	}
	rq->pb = wr;
	rq->nseries = wr->n_timeseries;
	rq->nsamples = ns;
	rq->series = xcalloc(rq->nseries + 1, sizeof *rq->series);
	rq->lmem = l = xcalloc(nl + 1, sizeof *rq->lmem);
	rq->smem = s = xcalloc(ns + 1, sizeof *rq->smem);
	for (i = 0; i < wr->n_timeseries; i++) {
		const Cbremote__TimeSeries *ts = wr->timeseries[i];

		rq->series[i].labels = l;
		rq->series[i].nlabels = ts->n_labels;
		rq->series[i].samples = s;
		rq->series[i].nsamples = ts->n_samples;
		for (j = 0; j < ts->n_labels; j++, l++) {
			l->name = ts->labels[j]->name;
			l->value = ts->labels[j]->value;
		}
		for (j = 0; j < ts->n_samples; j++, s++) {
			s->value = ts->samples[j]->value;
			s->ts_ms = ts->samples[j]->timestamp;
		}
	}
}

int
remote_request_decode(struct remote_request *rq, const void *data, size_t len,
    size_t max_raw, int *too_big, char **cause)
{
	Cbremote__WriteRequest *wr;
	size_t rawlen;
	char *raw;

	memset(rq, 0, sizeof *rq);
	*too_big = 0;
	if (snappy_uncompressed_length(data, len, &rawlen) != SNAPPY_OK) {
		*cause = xstrdup("snappy: the body is not snappy-compressed "
		                 "(remote-write uses snappy's block format)");
		return -1;
	}
	if (rawlen > max_raw) {
		*too_big = 1;
		*cause = xasprintf("decompressed body of %zu bytes is larger "
		                   "than %zu (limits.max_body_decompressed)",
		    rawlen, max_raw);
		return -1;
	}
	raw = xmalloc(rawlen + 1);
	if (snappy_uncompress(data, len, raw, &rawlen) != SNAPPY_OK) {
		free(raw);
		*cause = xstrdup("snappy: corrupt compressed data");
		return -1;
	}
	wr =
	    cbremote__write_request__unpack(NULL, rawlen, (const uint8_t *)raw);
	free(raw);
	if (wr == NULL) {
		*cause = xstrdup("protobuf: the body is not a remote-write "
		                 "WriteRequest");
		return -1;
	}
	remote_request_fill(rq, wr);
	return 0;
}

void
remote_request_encode(const struct remote_series *s, size_t n, struct buf *out)
{
	Cbremote__WriteRequest wr = CBREMOTE__WRITE_REQUEST__INIT;
	Cbremote__TimeSeries *ts, **tsp;
	Cbremote__Label *lb, **lbp;
	Cbremote__Sample *sm, **smp;
	size_t i, j, nl = 0, ns = 0, il = 0, is = 0, size, clen;
	uint8_t *raw;

	for (i = 0; i < n; i++) {
		nl += s[i].nlabels;
		ns += s[i].nsamples;
	}
	ts = xcalloc(n + 1, sizeof *ts);
	tsp = xcalloc(n + 1, sizeof *tsp);
	lb = xcalloc(nl + 1, sizeof *lb);
	lbp = xcalloc(nl + 1, sizeof *lbp);
	sm = xcalloc(ns + 1, sizeof *sm);
	smp = xcalloc(ns + 1, sizeof *smp);
	for (i = 0; i < n; i++) {
		cbremote__time_series__init(&ts[i]);
		tsp[i] = &ts[i];
		ts[i].n_labels = s[i].nlabels;
		ts[i].labels = lbp + il;
		for (j = 0; j < s[i].nlabels; j++, il++) {
			cbremote__label__init(&lb[il]);
			/* protobuf-c's strings are not const; pack only reads
			 */
			lb[il].name = (char *)s[i].labels[j].name;
			lb[il].value = (char *)s[i].labels[j].value;
			lbp[il] = &lb[il];
		}
		ts[i].n_samples = s[i].nsamples;
		ts[i].samples = smp + is;
		for (j = 0; j < s[i].nsamples; j++, is++) {
			cbremote__sample__init(&sm[is]);
			/* Always written, -0.0 included (bit-exact). */
			sm[is].has_value = 1;
			sm[is].value = s[i].samples[j].value;
			sm[is].has_timestamp = 1;
			sm[is].timestamp = s[i].samples[j].ts_ms;
			smp[is] = &sm[is];
		}
	}
	wr.n_timeseries = n;
	wr.timeseries = tsp;
	size = cbremote__write_request__get_packed_size(&wr);
	raw = xmalloc(size + 1);
	cbremote__write_request__pack(&wr, raw);
	clen = snappy_max_compressed_length(size);
	buf_reserve(out, clen);
	if (snappy_compress((const char *)raw, size, out->data + out->len,
	        &clen) == SNAPPY_OK)
		out->len += clen;
	free(raw);
	free(ts);
	free(tsp);
	free(lb);
	free(lbp);
	free(sm);
	free(smp);
}
