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

/* Protobuf on the wire, written straight into a buffer: field keys are
 * (number << 3 | wire type); 2 is length-delimited, 1 a fixed 64-bit. */
#define PB_LEN(f)     ((uint8_t)((f) << 3 | 2))
#define PB_VARINT(f)  ((uint8_t)((f) << 3 | 0))
#define PB_FIXED64(f) ((uint8_t)((f) << 3 | 1))

static size_t
pb_varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

uint8_t *
remote_pb_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Append key, then the length and bytes of a length-delimited field. */
static void
pb_bytes(struct buf *b, uint8_t key, const void *data, size_t len)
{
	uint8_t *p;

	buf_reserve(b, len + 11);
	p = (uint8_t *)b->data + b->len;
	*p++ = key;
	p = remote_pb_varint(p, len);
	memcpy(p, data, len);
	b->len = (size_t)(p - (uint8_t *)b->data) + len;
	b->data[b->len] = '\0';
}

void
remote_pb_labels(const struct remote_label *l, size_t n, struct buf *out)
{
	size_t i, nl, vl, len;
	uint8_t *p;

	for (i = 0; i < n; i++) {
		nl = strlen(l[i].name);
		vl = strlen(l[i].value);
		len = 1 + pb_varint_len(nl) + nl + 1 + pb_varint_len(vl) + vl;
		buf_reserve(out, len + 11);
		p = (uint8_t *)out->data + out->len;
		*p++ = PB_LEN(1); /* TimeSeries.labels */
		p = remote_pb_varint(p, len);
		out->len = (size_t)(p - (uint8_t *)out->data);
		pb_bytes(out, PB_LEN(1), l[i].name, nl);  /* Label.name */
		pb_bytes(out, PB_LEN(2), l[i].value, vl); /* Label.value */
	}
}

void
remote_pb_series(const void *lb, size_t lblen, const struct remote_sample *s,
    size_t ns, struct buf *raw)
{
	size_t i, len = lblen, slen;
	uint64_t bits;
	uint8_t *p;
	int k;

	/* A Sample: value (fixed64), timestamp (varint), both always
	 * written (-0.0 and 0 included, like proto2's has_ flags). */
	for (i = 0; i < ns; i++) {
		slen = 1 + 8 + 1 + pb_varint_len((uint64_t)s[i].ts_ms);
		len += 1 + pb_varint_len(slen) + slen;
	}
	buf_reserve(raw, len + 11);
	p = (uint8_t *)raw->data + raw->len;
	*p++ = PB_LEN(1); /* WriteRequest.timeseries */
	p = remote_pb_varint(p, len);
	if (lblen > 0)
		memcpy(p, lb, lblen);
	p += lblen;
	for (i = 0; i < ns; i++) {
		*p++ = PB_LEN(2); /* TimeSeries.samples */
		*p++ =
		    (uint8_t)(1 + 8 + 1 + pb_varint_len((uint64_t)s[i].ts_ms));
		*p++ = PB_FIXED64(1); /* Sample.value, little-endian */
		memcpy(&bits, &s[i].value, 8);
		for (k = 0; k < 8; k++)
			*p++ = (uint8_t)(bits >> (8 * k));
		*p++ = PB_VARINT(2); /* Sample.timestamp */
		p = remote_pb_varint(p, (uint64_t)s[i].ts_ms);
	}
	raw->len = (size_t)(p - (uint8_t *)raw->data);
	raw->data[raw->len] = '\0';
}

void
remote_pb_snappy(const struct buf *raw, struct buf *out)
{
	size_t clen = snappy_max_compressed_length(raw->len);

	buf_reserve(out, clen);
	if (snappy_compress(raw->data, raw->len, out->data + out->len, &clen) ==
	    SNAPPY_OK)
		out->len += clen;
	out->data[out->len] = '\0';
}

void
remote_request_encode(const struct remote_series *s, size_t n, struct buf *out)
{
	struct buf raw, lb;
	size_t i;

	buf_init(&raw);
	buf_init(&lb);
	for (i = 0; i < n; i++) {
		buf_reset(&lb);
		remote_pb_labels(s[i].labels, s[i].nlabels, &lb);
		remote_pb_series(
		    lb.data, lb.len, s[i].samples, s[i].nsamples, &raw);
	}
	remote_pb_snappy(&raw, out);
	buf_free(&raw);
	buf_free(&lb);
}
