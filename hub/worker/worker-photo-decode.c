/* The grid workers' photo decoder (worker-int.h): base64 text to the
 * bytes of a JPEG or PNG within a size bound.  Nothing else here, so the
 * fuzz target (tests/fuzz/fuzz-worker-photo.c) links it alone. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hub/worker/worker-int.h"
#include "lib/xmalloc.h"

static const unsigned char photo_jpeg[] = {0xff, 0xd8, 0xff};
static const unsigned char photo_png[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* The value of base64 digit c, or -1. */
static int
photo_b64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode standard base64 (padding optional, nothing else allowed) into
 * out (room for len / 4 * 3 + 3 bytes); the size, or -1 if malformed. */
static long long
photo_b64_decode(const char *s, size_t len, unsigned char *out)
{
	unsigned int acc = 0;
	size_t i, n = 0, bits = 0, pad = 0;
	int d;

	while (pad < 2 && len > 0 && s[len - 1] == '=') {
		len--;
		pad++;
	}
	if (pad > 0 && (len + pad) % 4 != 0)
		return -1;
	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		if ((d = photo_b64_digit((unsigned char)s[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned int)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* The leftover bits of a short last group must be zero. */
	if (acc != 0)
		return -1;
	return (long long)n;
}

int
worker_photo_decode(const char *b64, size_t b64len, size_t max,
    unsigned char **out, size_t *len, const char **type, char **cause)
{
	unsigned char *buf;
	long long n;

	*out = NULL;
	/* Refuse what cannot fit before decoding anything. */
	if (b64len / 4 * 3 > max + 2) {
		*cause = xasprintf("\"photo\": over worker.max_photo_bytes "
		                   "(%zu bytes)",
		    max);
		return 413;
	}
	buf = xmalloc(b64len / 4 * 3 + 3);
	n = photo_b64_decode(b64, b64len, buf);
	if (n < 0) {
		free(buf);
		*cause = xstrdup("\"photo\": not base64");
		return 400;
	}
	if ((size_t)n > max) {
		free(buf);
		*cause = xasprintf("\"photo\": %lld bytes, over "
		                   "worker.max_photo_bytes (%zu bytes)",
		    n, max);
		return 413;
	}
	if ((size_t)n >= sizeof photo_png &&
	    memcmp(buf, photo_png, sizeof photo_png) == 0)
		*type = "image/png";
	else if ((size_t)n >= sizeof photo_jpeg &&
	         memcmp(buf, photo_jpeg, sizeof photo_jpeg) == 0)
		*type = "image/jpeg";
	else {
		free(buf);
		*cause = xstrdup("\"photo\": not a JPEG or PNG image");
		return 415;
	}
	*out = buf;
	*len = (size_t)n;
	return 0;
}
