/*
 * Stand-alone driver for fuzz targets when libFuzzer is not in use: replays
 * every file of the seed corpus (tests/fuzz/corpus/NAME, NAME from the
 * program name "fuzz-NAME", or the directories and files given as
 * arguments), then FUZZ_ITERATIONS (default 20000) deterministic mutations
 * of them.  A crash or sanitizer report fails the test.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct sample {
	uint8_t *data;
	size_t len;
};

static struct sample *samples;
static size_t nsamples;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
driver_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
driver_add_file(const char *path)
{
	struct sample *s;
	FILE *f;
	long len;

	if ((f = fopen(path, "rb")) == NULL)
		return;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (len < 0)
		len = 0;
	samples = realloc(samples, (nsamples + 1) * sizeof *samples);
	s = &samples[nsamples++];
	s->data = malloc((size_t)len + 1);
	s->len = fread(s->data, 1, (size_t)len, f);
	fclose(f);
}

static void
driver_add(const char *path)
{
	struct dirent *de;
	struct stat st;
	char sub[4096];
	DIR *d;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "fuzz driver: %s: not found\n", path);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		driver_add_file(path);
		return;
	}
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
		driver_add_file(sub);
	}
	closedir(d);
}

static size_t
driver_mutate(uint8_t *out, size_t cap, const struct sample *s)
{
	static const char *tokens[] = {"\\", "\"", ",", "=", " ", "{", "}", "[",
	    "]", ":", "\n", "#", "NaN", "+Inf", "-1e309", "0x", "\xe4\xb8\xad",
	    "\xff", "i", "u", "=~", "!~", "\t", "\0"};
	size_t len = s->len < cap ? s->len : cap, n, i, pos;

	memcpy(out, s->data, len);
	n = 1 + driver_rand() % 4;
	for (i = 0; i < n; i++) {
		pos = len ? driver_rand() % (len + 1) : 0;
		switch (driver_rand() % 5) {
		case 0: /* flip a byte */
			if (len)
				out[pos % len] ^=
				    (uint8_t)(1u << (driver_rand() % 8));
			break;
		case 1: /* delete a span */
			if (len) {
				size_t k = 1 + driver_rand() % 8,
				       at = pos % len;
				if (k > len - at)
					k = len - at;
				memmove(out + at, out + at + k, len - at - k);
				len -= k;
			}
			break;
		case 2: { /* insert a token */
			const char *t =
			    tokens[driver_rand() %
			           (sizeof tokens / sizeof tokens[0])];
			size_t k = strlen(t) ? strlen(t) : 1;
			if (len + k <= cap) {
				memmove(out + pos + k, out + pos, len - pos);
				memcpy(out + pos, t, k);
				len += k;
			}
			break;
		}
		case 3: /* duplicate a span */
			if (len && len * 2 <= cap) {
				size_t k = driver_rand() % len;
				memmove(out + pos + k, out + pos, len - pos);
				memmove(out + pos, out, k);
				len += k;
			}
			break;
		default: /* truncate */
			len = pos;
			break;
		}
	}
	return len;
}

int
main(int argc, char **argv)
{
	const char *name, *top, *env;
	char dir[4096];
	uint8_t *buf, *copy;
	long iters = 20000, i;
	size_t k, len;
	int j;

	if ((env = getenv("FUZZ_ITERATIONS")) != NULL)
		iters = atol(env);
	if (argc > 1) {
		for (j = 1; j < argc; j++)
			driver_add(argv[j]);
	} else {
		name = strrchr(argv[0], '/');
		name = name != NULL ? name + 1 : argv[0];
		if (strncmp(name, "lt-", 3) == 0)
			name += 3;
		if (strncmp(name, "fuzz-", 5) == 0)
			name += 5;
		top = getenv("top_srcdir");
		snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s",
		    top != NULL ? top : ".", name);
		driver_add(dir);
	}
	if (nsamples == 0) {
		fprintf(stderr, "fuzz driver: empty corpus\n");
		return 1;
	}
	for (k = 0; k < nsamples; k++) {
		/* Exact-size copies so ASan sees reads past the end. */
		copy = malloc(samples[k].len ? samples[k].len : 1);
		memcpy(copy, samples[k].data, samples[k].len);
		LLVMFuzzerTestOneInput(copy, samples[k].len);
		free(copy);
	}
	buf = malloc(1 << 16);
	for (i = 0; i < iters; i++) {
		len = driver_mutate(
		    buf, 1 << 16, &samples[driver_rand() % nsamples]);
		copy = malloc(len ? len : 1);
		memcpy(copy, buf, len);
		LLVMFuzzerTestOneInput(copy, len);
		free(copy);
	}
	free(buf);
	for (k = 0; k < nsamples; k++)
		free(samples[k].data);
	free(samples);
	printf("%zu corpus inputs, %ld mutations: no crash\n", nsamples, iters);
	return 0;
}
